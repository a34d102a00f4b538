// Command mailserver is the example mail server: IMAP over a Maildir
// store (or an in-memory one), ready to try.
//
//	go run ./examples/mailserver
//
// starts an IMAP server on 127.0.0.1:1143 over Maildirs in ./maildata,
// creates a demo user and prints how to connect. Flags:
//
//	-imap ADDR        plain IMAP with STARTTLS (default 127.0.0.1:1143; "" disables)
//	-imaps ADDR       IMAP over implicit TLS (e.g. 127.0.0.1:1993)
//	-store S          "memory", or "maildir:DIR": each user's Maildir++ is DIR/USER,
//	                  created at first login (default maildir:./maildata)
//	-user NAME:PASS   a user (repeatable); without -user or -users, a demo user
//	-users FILE       Dovecot passwd-file lines: user:{SCHEME}hash, with
//	                  {PLAIN}, {SHA512-CRYPT} and {BLF-CRYPT}
//	-tls-cert FILE -tls-key FILE
//	                  the TLS certificate; without them a self-signed one is
//	                  made in memory
//	-insecure-auth    allow LOGIN without TLS on non-loopback connections
//
// SIGINT and SIGTERM shut it down gracefully.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
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
	fs.StringVar(&c.store, "store", "maildir:./maildata", `"memory" or "maildir:DIR"`)
	fs.Var(&c.users, "user", "NAME:PASSWORD (repeatable)")
	fs.StringVar(&c.usersFile, "users", "", "passwd-file of users ({PLAIN}, {SHA512-CRYPT}, {BLF-CRYPT})")
	fs.StringVar(&c.certFile, "tls-cert", "", "TLS certificate file (PEM)")
	fs.StringVar(&c.keyFile, "tls-key", "", "TLS key file (PEM)")
	fs.BoolVar(&c.insecureAuth, "insecure-auth", false, "allow LOGIN without TLS on non-loopback connections")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if c.imapAddr == "" && c.imapsAddr == "" {
		return nil, errors.New("nothing to serve: give -imap or -imaps")
	}
	return &c, nil
}

// server is a running example server.
type server struct {
	imap      *imapserver.Server
	listeners []net.Listener
	demo      *demoUser
}

type demoUser struct{ name, password string }

// start builds the store, users and listeners.
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
	s := &server{}
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
	s.imap = &imapserver.Server{
		Backend:       backend,
		Authenticator: us,
		TLSConfig:     tlsConfig,
		InsecureAuth:  c.insecureAuth,
		Logger:        slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if s.demo != nil {
		if err := welcome(backend, s.demo.name); err != nil {
			return nil, err
		}
	}
	if c.imapAddr != "" {
		ln, err := net.Listen("tcp", c.imapAddr)
		if err != nil {
			return nil, err
		}
		s.listeners = append(s.listeners, ln)
		go s.imap.Serve(ln)
	}
	if c.imapsAddr != "" {
		ln, err := net.Listen("tcp", c.imapsAddr)
		if err != nil {
			s.close()
			return nil, err
		}
		s.listeners = append(s.listeners, ln)
		go s.imap.ServeTLS(ln)
	}
	return s, nil
}

func (s *server) close() {
	for _, ln := range s.listeners {
		ln.Close()
	}
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
func run(args []string, out *os.File) error {
	c, err := parseFlags(args)
	if err != nil {
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
	fmt.Fprintln(out, "shutting down...")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.imap.Shutdown(ctx)
}

func printHowTo(out *os.File, c *config, s *server) {
	fmt.Fprintf(out, "mailaccess example server, store %s\n", c.store)
	for _, ln := range s.listeners {
		fmt.Fprintf(out, "  listening on %s\n", ln.Addr())
	}
	if s.demo == nil || c.imapAddr == "" {
		return
	}
	host, port, _ := net.SplitHostPort(s.listeners[0].Addr().String())
	fmt.Fprintf(out, "\nuser %s, password %s\n\n", s.demo.name, s.demo.password)
	fmt.Fprintf(out, "try:\n  curl 'imap://%s:%s/INBOX;UID=1' -u %s:%s\n", host, port, s.demo.name, s.demo.password)
	fmt.Fprintf(out, "  python3 -c \"import imaplib; m=imaplib.IMAP4('%s', %s); m.login('%s', '%s'); m.select('INBOX'); print(m.fetch('1', '(ENVELOPE)'))\"\n", host, port, s.demo.name, s.demo.password)
	fmt.Fprintf(out, "\nCtrl-C stops it.\n")
}
