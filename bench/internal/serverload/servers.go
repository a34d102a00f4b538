package serverload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	goimapserver "github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
)

// The one user of every fixture.
const (
	User     = "alice"
	Password = "secret"
)

// Flags returns the flags of the fixture's i-th message (from 0): every
// third one \Seen, every fifth \Flagged, every tenth the keyword $Junk, so
// that FETCH FLAGS has something to say.
func Flags(i int) []string {
	var f []string
	if i%3 == 0 {
		f = append(f, `\Seen`)
	}
	if i%5 == 0 {
		f = append(f, `\Flagged`)
	}
	if i%10 == 0 {
		f = append(f, "$Junk")
	}
	return f
}

// Date is the internal date of every fixture message.
var Date = time.Date(2024, time.May, 14, 9, 41, 7, 0, time.UTC)

// PrepareMaildir stores n copies of msg (with Flags(i)) in the INBOX of
// User's Maildir under root, through mailstore/maildir with
// Options.NoSync: the data is prepared without fsync, which a benchmark
// that only reads it does not need.
func PrepareMaildir(root string, n int, msg []byte) error {
	ctx := context.Background()
	be, err := maildir.New(root, &maildir.Options{NoSync: true, WatchInterval: -1})
	if err != nil {
		return err
	}
	st, err := be.Open(ctx, User)
	if err != nil {
		return err
	}
	defer st.Close()
	for i := range n {
		var flags []imap.Flag
		for _, f := range Flags(i) {
			flags = append(flags, imap.Flag(f))
		}
		opts := &mailstore.AppendOptions{Flags: flags, InternalDate: Date}
		if _, err := st.Append(ctx, "INBOX", bytes.NewReader(msg), opts); err != nil {
			return fmt.Errorf("append %d: %w", i, err)
		}
	}
	s, err := st.Status(ctx, "INBOX")
	if err != nil {
		return err
	}
	if s.Messages != uint32(n) {
		return fmt.Errorf("prepared INBOX has %d messages, want %d", s.Messages, n)
	}
	return nil
}

// NewGoimapBackend returns go-imap v2's in-memory backend with User
// holding n copies of msg (with Flags(i)) in INBOX.
func NewGoimapBackend(n int, msg []byte) (*imapmemserver.Server, error) {
	mem := imapmemserver.New()
	u := imapmemserver.NewUser(User, Password)
	if err := u.Create("INBOX", nil); err != nil {
		return nil, err
	}
	for i := range n {
		var flags []goimap.Flag
		for _, f := range Flags(i) {
			flags = append(flags, goimap.Flag(f))
		}
		opts := &goimap.AppendOptions{Flags: flags, Time: Date}
		if _, err := u.Append("INBOX", &literal{bytes.NewReader(msg)}, opts); err != nil {
			return nil, fmt.Errorf("append %d: %w", i, err)
		}
	}
	mem.AddUser(u)
	return mem, nil
}

// literal is a goimap.LiteralReader over a bytes.Reader.
type literal struct{ *bytes.Reader }

// Running is a server listening on a loopback port.
type Running struct {
	// Addr is the address to dial.
	Addr string
	stop func() error
}

// Close stops the server and closes its connections.
func (r *Running) Close() error { return r.stop() }

func listen() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// StartMailaccess starts mailaccess's imapserver over the Maildirs under
// root (mailstore/maildir with its default options: fsync on, although
// reading never syncs), with User/Password, on a loopback port. opts, if
// not nil, change the Maildir options.
func StartMailaccess(root string, opts *maildir.Options) (*Running, error) {
	be, err := maildir.New(root, opts)
	if err != nil {
		return nil, err
	}
	users := passwd.New()
	if err := users.AddUser(User, Password); err != nil {
		return nil, err
	}
	srv := &imapserver.Server{
		Backend:       be,
		Authenticator: users,
		Logger:        slog.New(slog.DiscardHandler),
	}
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return &Running{Addr: ln.Addr().String(), stop: func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := srv.Shutdown(ctx)
		if serr := <-done; !errors.Is(serr, imapserver.ErrServerClosed) && err == nil {
			err = serr
		}
		return err
	}}, nil
}

// StartGoimap starts go-imap v2's imapserver over mem, advertising
// IMAP4rev1 and allowing LOGIN without TLS, on a loopback port.
func StartGoimap(mem *imapmemserver.Server) (*Running, error) {
	srv := goimapserver.New(&goimapserver.Options{
		NewSession: func(*goimapserver.Conn) (goimapserver.Session, *goimapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:         goimap.CapSet{goimap.CapIMAP4rev1: {}},
		InsecureAuth: true,
		Logger:       log.New(discard{}, "", 0),
	})
	ln, err := listen()
	if err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return &Running{Addr: ln.Addr().String(), stop: func() error {
		err := srv.Close()
		if serr := <-done; serr != nil && err == nil {
			err = serr
		}
		return err
	}}, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
