// Command mailserver is the example mail server: IMAP and POP3 over a
// Maildir store (or an in-memory one), ready to try.
//
//	go run ./examples/mailserver
//
// starts an IMAP server on 127.0.0.1:1143 and a POP3 server on
// 127.0.0.1:1110 over Maildirs in ./maildata, creates a demo user and
// prints how to connect. Both protocols serve the same store and users: a
// message POP3 deletes (at QUIT) disappears from IMAP sessions at once.
// Flags:
//
//	-imap ADDR        plain IMAP with STARTTLS (default 127.0.0.1:1143; "" disables)
//	-imaps ADDR       IMAP over implicit TLS (e.g. 127.0.0.1:1993)
//	-pop3 ADDR        plain POP3 with STLS (default 127.0.0.1:1110; "" disables)
//	-pop3s ADDR       POP3 over implicit TLS (e.g. 127.0.0.1:1995)
//	-store S          "memory", or "maildir:DIR": each user's Maildir++ is DIR/USER,
//	                  created at first login (default maildir:./maildata)
//	-user NAME:PASS   a user (repeatable); without -user or -users, a demo user
//	-users FILE       Dovecot passwd-file lines: user:{SCHEME}hash, with
//	                  {PLAIN}, {SHA512-CRYPT} and {BLF-CRYPT}
//	-tls-cert FILE -tls-key FILE
//	                  the TLS certificate; without them a self-signed one is
//	                  made in memory
//	-insecure-auth    allow LOGIN (IMAP) and USER/PASS (POP3) without TLS on
//	                  non-loopback connections
//
// POP3 serves each user's INBOX. SIGINT and SIGTERM shut both servers down
// gracefully: sessions finish the command they are running, and a POP3
// session that has not sent QUIT deletes nothing.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
	"github.com/mailaccess/mailaccess/pop3/pop3server"
)

type userFlags []string

func (u *userFlags) String() string     { return strings.Join(*u, ",") }
func (u *userFlags) Set(v string) error { *u = append(*u, v); return nil }

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "mailserver:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	imapAddr, imapsAddr string
	pop3Addr, pop3sAddr string
	store               string
	users               userFlags
	usersFile           string
	certFile, keyFile   string
	insecureAuth        bool
}

func parseFlags(args []string) (*config, error) {
	var c config
	fs := flag.NewFlagSet("mailserver", flag.ContinueOnError)
	fs.StringVar(&c.imapAddr, "imap", "127.0.0.1:1143", "IMAP (with STARTTLS) listen address; empty to disable")
	fs.StringVar(&c.imapsAddr, "imaps", "", "IMAP over implicit TLS listen address")
	fs.StringVar(&c.pop3Addr, "pop3", "127.0.0.1:1110", "POP3 (with STLS) listen address; empty to disable")
	fs.StringVar(&c.pop3sAddr, "pop3s", "", "POP3 over implicit TLS listen address")
	fs.StringVar(&c.store, "store", "maildir:./maildata", `"memory" or "maildir:DIR"`)
	fs.Var(&c.users, "user", "NAME:PASSWORD (repeatable)")
	fs.StringVar(&c.usersFile, "users", "", "passwd-file of users ({PLAIN}, {SHA512-CRYPT}, {BLF-CRYPT})")
	fs.StringVar(&c.certFile, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&c.keyFile, "tls-key", "", "TLS key file (PEM)")
	fs.BoolVar(&c.insecureAuth, "insecure-auth", false, "allow LOGIN (IMAP) and USER/PASS (POP3) without TLS on non-loopback connections")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if c.imapAddr == "" && c.imapsAddr == "" && c.pop3Addr == "" && c.pop3sAddr == "" {
		return nil, errors.New("nothing to serve: give -imap, -imaps, -pop3 or -pop3s")
	}
	return &c, nil
}

// server is a running example server.
type server struct {
	// imap serves the IMAP listeners, pop3 the POP3 ones; nil when the
	// protocol has none. One pop3server.Server serves both POP3
	// listeners: the exclusive access to a maildrop lives in it.
	imap *imapserver.Server
	pop3 *pop3server.Server
	// The listeners, nil when not asked for.
	imapLn, imapsLn, pop3Ln, pop3sLn net.Listener
	demo                             *demoUser
	logger                           *slog.Logger
}

type demoUser struct{ name, password string }

// listener is one address to serve.
type listener struct {
	name string // "IMAP", "IMAPS", "POP3", "POP3S"
	ln   net.Listener
}

// listeners lists the listeners in use, in the order of the flags.
func (s *server) listeners() []listener {
	var ls []listener
	for _, l := range []listener{{"IMAP", s.imapLn}, {"IMAPS", s.imapsLn}, {"POP3", s.pop3Ln}, {"POP3S", s.pop3sLn}} {
		if l.ln != nil {
			ls = append(ls, l)
		}
	}
	return ls
}

// start builds the store, users and listeners, and starts serving.
func start(c *config) (*server, error) {
	us := passwd.New()
	if c.usersFile != "" {
		var err error
		if us, err = passwd.LoadFile(c.usersFile); err != nil {
			return nil, err
		}
	}
	for _, u := range c.users {
		name, pass, ok := strings.Cut(u, ":")
		if !ok {
			return nil, fmt.Errorf("-user %q: want NAME:PASSWORD", u)
		}
		if err := us.AddUser(name, pass); err != nil {
			return nil, err
		}
	}
	s := &server{
		logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if us.Len() == 0 {
		b := make([]byte, 6)
		rand.Read(b)
		s.demo = &demoUser{name: "demo", password: hex.EncodeToString(b)}
		us.AddUser(s.demo.name, s.demo.password)
	}

	var backend mailstore.Backend
	switch {
	case c.store == "memory":
		backend = &memoryBackend{b: memstore.New(), users: us}
	case strings.HasPrefix(c.store, "maildir:"):
		dir := strings.TrimPrefix(c.store, "maildir:")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
		b, err := maildir.New(dir, nil)
		if err != nil {
			return nil, err
		}
		backend = b
	default:
		return nil, fmt.Errorf("-store %q: want memory or maildir:DIR", c.store)
	}

	tlsConfig, err := loadTLS(c.certFile, c.keyFile)
	if err != nil {
		return nil, err
	}
	if s.demo != nil {
		if err := welcome(backend, s.demo.name); err != nil {
			return nil, err
		}
	}

	// Listen on every address before serving any, so that a busy port
	// leaves nothing running.
	for _, l := range []struct {
		addr string
		ln   *net.Listener
	}{{c.imapAddr, &s.imapLn}, {c.imapsAddr, &s.imapsLn}, {c.pop3Addr, &s.pop3Ln}, {c.pop3sAddr, &s.pop3sLn}} {
		if l.addr == "" {
			continue
		}
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			s.closeListeners()
			return nil, err
		}
		*l.ln = ln
	}

	if s.imapLn != nil || s.imapsLn != nil {
		s.imap = &imapserver.Server{
			Backend:       backend,
			Authenticator: us,
			TLSConfig:     tlsConfig,
			InsecureAuth:  c.insecureAuth,
			Logger:        s.logger,
		}
	}
	if s.pop3Ln != nil || s.pop3sLn != nil {
		s.pop3 = &pop3server.Server{
			Backend:        backend,
			Authenticator:  us,
			TLSConfig:      tlsConfig,
			InsecureAuth:   c.insecureAuth,
			Logger:         s.logger,
			Implementation: "mailaccess example server",
		}
	}
	if s.imapLn != nil {
		go s.serve("IMAP", s.imap.Serve, s.imapLn)
	}
	if s.imapsLn != nil {
		go s.serve("IMAPS", s.imap.ServeTLS, s.imapsLn)
	}
	if s.pop3Ln != nil {
		go s.serve("POP3", s.pop3.Serve, s.pop3Ln)
	}
	if s.pop3sLn != nil {
		go s.serve("POP3S", s.pop3.ServeTLS, s.pop3sLn)
	}
	return s, nil
}

// serve runs one listener's accept loop and logs why it stopped unless
// it was shut down.
func (s *server) serve(name string, serve func(net.Listener) error, ln net.Listener) {
	err := serve(ln)
	if err != nil && !errors.Is(err, imapserver.ErrServerClosed) && !errors.Is(err, pop3server.ErrServerClosed) {
		s.logger.Error("listener stopped", "listener", name, "addr", ln.Addr().String(), "err", err)
	}
}

func (s *server) closeListeners() {
	for _, l := range s.listeners() {
		l.ln.Close()
	}
}

// shutdown stops the IMAP and POP3 servers gracefully and at the same
// time, both within ctx: sessions finish the command they are running;
// those still there when ctx ends are cut off.
func (s *server) shutdown(ctx context.Context) error {
	var (
		wg      sync.WaitGroup
		imapErr error
		pop3Err error
	)
	if s.imap != nil {
		wg.Go(func() {
			if err := s.imap.Shutdown(ctx); err != nil {
				imapErr = fmt.Errorf("IMAP: %w", err)
			}
		})
	}
	if s.pop3 != nil {
		wg.Go(func() {
			if err := s.pop3.Shutdown(ctx); err != nil {
				pop3Err = fmt.Errorf("POP3: %w", err)
			}
		})
	}
	wg.Wait()
	// A Serve goroutine that had not started yet when Shutdown ran does
	// not close its listener: close them all here.
	s.closeListeners()
	return errors.Join(imapErr, pop3Err)
}

// memoryBackend opens memstore users on demand: the example's users
// table authenticates, memstore keeps the mail.
type memoryBackend struct {
	b     *memstore.Backend
	users *passwd.Users
}

func (m *memoryBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	if !m.users.Has(user) {
		return nil, mailstore.ErrAuthFailed
	}
	// memstore needs a user before opening it; its own password is
	// unused (the example's table authenticates).
	if err := m.b.AddUser(user, randomSecret()); err != nil && !errors.Is(err, memstore.ErrUserExists) {
		return nil, err
	}
	return m.b.Open(ctx, user)
}

func randomSecret() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// welcome puts a first message in the demo user's INBOX if it is empty.
func welcome(b mailstore.Backend, user string) error {
	ctx := context.Background()
	st, err := b.Open(ctx, user)
	if err != nil {
		return err
	}
	defer st.Close()
	status, err := st.Status(ctx, "INBOX")
	if err != nil {
		return err
	}
	if status.Messages > 0 {
		return nil
	}
	msg := "From: mailaccess <postmaster@localhost>\r\n" +
		"To: " + user + "@localhost\r\n" +
		"Subject: Welcome to mailaccess\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\n" +
		"Message-ID: <welcome@localhost>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"This message was put here by the example server.\r\n"
	_, err = st.Append(ctx, "INBOX", strings.NewReader(msg), nil)
	return err
}

// run is main without the exit.
func run(args []string, out io.Writer) error {
	c, err := parseFlags(args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	s, err := start(c)
	if err != nil {
		return err
	}
	printHowTo(out, c, s)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	signal.Stop(sig)
	fmt.Fprintln(out, "shutting down...")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.shutdown(ctx)
}

func printHowTo(out io.Writer, c *config, s *server) {
	fmt.Fprintf(out, "mailaccess example server, store %s\n", c.store)
	for _, l := range s.listeners() {
		fmt.Fprintf(out, "  %-5s listening on %s\n", l.name, l.ln.Addr())
	}
	if s.demo == nil {
		return
	}
	user, pass := s.demo.name, s.demo.password
	fmt.Fprintf(out, "\nuser %s, password %s\n\ntry:\n", user, pass)
	if s.imapLn != nil {
		host, port, _ := net.SplitHostPort(s.imapLn.Addr().String())
		fmt.Fprintf(out, "  curl 'imap://%s:%s/INBOX;UID=1' -u %s:%s\n", host, port, user, pass)
		fmt.Fprintf(out, "  python3 -c \"import imaplib; m=imaplib.IMAP4('%s', %s); m.login('%s', '%s'); m.select('INBOX'); print(m.fetch('1', '(ENVELOPE)'))\"\n", host, port, user, pass)
	}
	if s.pop3Ln != nil {
		host, port, _ := net.SplitHostPort(s.pop3Ln.Addr().String())
		fmt.Fprintf(out, "  curl pop3://%s:%s/1 -u %s:%s\n", host, port, user, pass)
		fmt.Fprintf(out, "  python3 -c \"import poplib; p=poplib.POP3('%s', %s); p.user('%s'); p.pass_('%s'); print(p.stat()); p.quit()\"\n", host, port, user, pass)
	}
	// The implicit TLS ports, with curl; -k accepts the self-signed
	// certificate made when none is given.
	k := ""
	if c.certFile == "" {
		k = "-k "
	}
	if s.imapsLn != nil {
		fmt.Fprintf(out, "  curl %s'imaps://%s/INBOX;UID=1' -u %s:%s\n", k, s.imapsLn.Addr(), user, pass)
	}
	if s.pop3sLn != nil {
		fmt.Fprintf(out, "  curl %spop3s://%s/1 -u %s:%s\n", k, s.pop3sLn.Addr(), user, pass)
	}
	fmt.Fprintf(out, "\nCtrl-C stops it.\n")
}
