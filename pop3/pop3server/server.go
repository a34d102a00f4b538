package pop3server

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/internal/netserve"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("pop3server: server closed")

// Server is a POP3 server. Set its fields before the first Serve; the zero
// values of the optional ones are safe defaults.
//
// One Server value should serve every listener of a site (Serve for port
// 110 and ServeTLS for port 995 on the same value): the exclusive access
// to a maildrop (RFC 1939 §4, [IN-USE]) and LoginDelay are kept per
// Server value, in memory.
type Server struct {
	// Backend opens users' mail. Required.
	Backend mailstore.Backend
	// Authenticator checks passwords (USER/PASS, AUTH PLAIN and LOGIN).
	// Required for any login to succeed. If it is also a
	// mailstore.SecretLookup, APOP (RFC 1939 §7) and SCRAM-SHA-256 are
	// offered (and the greeting carries APOP's timestamp only then); a
	// TokenAuthenticator adds OAUTHBEARER; a CertificateAuthenticator
	// maps client certificates for EXTERNAL.
	Authenticator mailstore.Authenticator
	// TLSConfig enables STLS (RFC 2595 §4), and is used by ServeTLS.
	TLSConfig *tls.Config
	// InsecureAuth allows USER/PASS and plaintext SASL mechanisms on
	// connections that are neither TLS nor loopback. Without it they are
	// refused (RFC 5034 §4, RFC 2595 §2.2) until STLS.
	InsecureAuth bool
	// Logger receives connection-level events; nil means slog.Default().
	Logger *slog.Logger
	// Trace, if set, receives a protocol trace of every connection, with
	// passwords, APOP digests and SASL exchanges elided and message
	// contents shown as their size. Each line is one Write, and
	// connections write at the same time: the writer must be safe for
	// concurrent use (an *os.File is).
	Trace io.Writer
	// Greeting is the text of the greeting, before the APOP timestamp;
	// "" means a default. "<" and ">" are removed from it, so that
	// clients find the timestamp.
	Greeting string
	// Hostname is the host part of the greeting's APOP timestamp and
	// names the server in its sign-off; "" means os.Hostname.
	Hostname string
	// Implementation is announced as CAPA IMPLEMENTATION (RFC 2449
	// §6.9); "" announces none.
	Implementation string
	// Mailbox is the maildrop: the mailbox of the user's Store that POP3
	// serves. "" means INBOX.
	Mailbox string
	// LoginDelay is the minimum time between two logins of a user (RFC
	// 2449 §6.5). When set it is announced in CAPA, in seconds, and a
	// login that comes too early is refused with -ERR [LOGIN-DELAY]
	// after its credentials were checked. Zero means none.
	LoginDelay time.Duration
	// Expire is the retention policy announced as CAPA EXPIRE (RFC 2449
	// §6.7): how long the site keeps a message a client leaves on the
	// server. Zero announces "EXPIRE NEVER"; a positive duration is
	// announced in whole days, rounded down (so less than a day
	// announces "EXPIRE 0"); ExpireAtOnce (any negative value) announces
	// "EXPIRE 0". The server only announces it:
	// deleting old mail is the site's business, and a retrieved message
	// is never deleted without DELE.
	Expire time.Duration
	// UIDL gives a message's unique-id (RFC 1939 §7) from its mailbox's
	// UIDVALIDITY and its UID; nil means DefaultUIDL, the unique-ids
	// Dovecot gives with its default pop3_uidl_format. A result that is
	// not a valid unique-id (1 to 70 characters from 0x21 to 0x7E) is
	// replaced with DefaultUIDL's.
	UIDL func(uidValidity, uid uint32) string
	// Limits bound what one client may make the server do.
	Limits Limits

	// bigWriters are the 64 KiB writers sessions borrow while they send
	// large responses (RETR, TOP, LIST, UIDL), so that an idle session
	// holds 4 KiB.
	bigWriters sync.Pool
	// copyBufs are the buffers of RETR and TOP.
	copyBufs sync.Pool
	// lockWait is how long a login waits for a maildrop in use before
	// [IN-USE]; 0 means defaultLockWait. Tests shorten it.
	lockWait time.Duration

	hostOnce sync.Once
	host     string

	// netsrv accepts, tracks and shuts down the connections.
	netsrv netserve.Server

	initOnce sync.Once                // makes locks and logins
	mu       sync.Mutex               // guards the fields below
	locks    map[string]chan struct{} // maildrops in use, by lockKey; closed when released
	logins   map[string]time.Time     // last login of each user (LoginDelay)
	swept    time.Time                // when logins was last swept
}

// ExpireAtOnce is the Expire that announces "EXPIRE 0": the site does not
// let clients leave mail on the server (RFC 2449 §6.7).
const ExpireAtOnce time.Duration = -1

// Limits bound a connection's use of the server. Zero values mean the
// defaults.
type Limits struct {
	// MaxLineLength is the longest command line, CRLF included; a longer
	// one is answered -ERR and skipped. Default pop3.DefaultMaxLine
	// (8192). SASL responses may be eight times as long.
	MaxLineLength int
	// MaxConnections is the most connections served at once; more are
	// answered -ERR with the SYS/TEMP response code instead of the
	// greeting. Default 0: no limit.
	MaxConnections int
	// AutoLogout is how long a session in the TRANSACTION state may stay
	// silent before the server closes the connection, deleting nothing
	// (RFC 1939 §3: at least 10 minutes; shorter values are for tests).
	// Default 10 minutes.
	AutoLogout time.Duration
	// LoginTimeout is how long a session may stay silent in the
	// AUTHORIZATION state, and the longest TLS handshake. Default 10
	// minutes: RFC 1939 §3 sets that minimum for any inactivity timer;
	// a server facing the Internet may choose less, with MaxConnections
	// bounding what silent connections can hold.
	LoginTimeout time.Duration
	// WriteTimeout bounds each write to a slow reader. Default 5
	// minutes.
	WriteTimeout time.Duration
	// MaxBadCommands is how many unknown, malformed or out-of-state
	// commands a client may send in the AUTHORIZATION state before the
	// server closes the connection. Default 10.
	MaxBadCommands int
	// MaxAuthFailures is how many failed authentication attempts a
	// session may make before the server closes the connection. Default
	// 5.
	MaxAuthFailures int
	// AuthFailureDelay is the wait before answering a session's first
	// failed authentication attempt; it doubles with each failure after
	// it, up to 16 times its value. Default 500 milliseconds.
	AuthFailureDelay time.Duration
}

// Default limits.
const (
	DefaultAutoLogout       = 10 * time.Minute
	DefaultLoginTimeout     = 10 * time.Minute
	DefaultWriteTimeout     = 5 * time.Minute
	DefaultMaxBadCommands   = 10
	DefaultMaxAuthFailures  = 5
	DefaultAuthFailureDelay = 500 * time.Millisecond
)

func (l Limits) withDefaults() Limits {
	if l.MaxLineLength <= 0 {
		l.MaxLineLength = pop3.DefaultMaxLine
	}
	if l.AutoLogout <= 0 {
		l.AutoLogout = DefaultAutoLogout
	}
	if l.LoginTimeout <= 0 {
		l.LoginTimeout = DefaultLoginTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = DefaultWriteTimeout
	}
	if l.MaxBadCommands <= 0 {
		l.MaxBadCommands = DefaultMaxBadCommands
	}
	if l.MaxAuthFailures <= 0 {
		l.MaxAuthFailures = DefaultMaxAuthFailures
	}
	if l.AuthFailureDelay <= 0 {
		l.AuthFailureDelay = DefaultAuthFailureDelay
	}
	return l
}

// DefaultUIDL is the unique-id of a message: its UID and its mailbox's
// UIDVALIDITY as 8 lower-case hexadecimal digits each, which is what
// Dovecot's default pop3_uidl_format "%08Xu%08Xv" gives (Dovecot's %X
// writes lower case; the interop test TestPOP3ClientDovecot checks it). A store that
// keeps Dovecot's UIDs (mailstore/maildir does) thus keeps the unique-ids
// clients saw from Dovecot, and a client that leaves mail on the server
// does not download it again after a migration.
func DefaultUIDL(uidValidity, uid uint32) string {
	const hex = "0123456789abcdef"
	var b [16]byte
	for i := 7; i >= 0; i-- {
		b[i] = hex[uid&15]
		uid >>= 4
		b[8+i] = hex[uidValidity&15]
		uidValidity >>= 4
	}
	return string(b[:])
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// hostname is Hostname, os.Hostname or "localhost".
func (s *Server) hostname() string {
	s.hostOnce.Do(func() {
		s.host = s.Hostname
		if s.host == "" {
			s.host, _ = os.Hostname()
		}
		s.host = strings.Map(func(r rune) rune {
			if r <= ' ' || r == '<' || r == '>' || r == 0x7f {
				return -1
			}
			return r
		}, s.host)
		if s.host == "" {
			s.host = "localhost"
		}
	})
	return s.host
}

// mailbox is the maildrop's name.
func (s *Server) mailbox() string {
	if s.Mailbox == "" {
		return "INBOX"
	}
	return s.Mailbox
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.locks = make(map[string]chan struct{})
		s.logins = make(map[string]time.Time)
	})
}

// lockKey names a user's maildrop for the exclusive-access lock. INBOX is
// case-insensitive (RFC 3501 §5.1); other names are as the store sees
// them.
func lockKey(user, mailbox string) string {
	if strings.EqualFold(mailbox, "INBOX") {
		mailbox = "INBOX"
	}
	return user + "\x00" + mailbox
}

// defaultLockWait is how long a login waits for a maildrop in use. A
// session whose client dropped the connection lets the maildrop go as
// soon as it notices, within moments; a client that logs in again right
// after dropping its connection (as many do after a network error) should
// not get [IN-USE] for that.
const defaultLockWait = time.Second

// lock takes the exclusive access to a maildrop (RFC 1939 §4). If another
// session of this Server holds it, lock waits for its release up to
// lockWait, and reports false if it does not come (or the server shuts
// down, or ctx ends).
func (s *Server) lock(ctx context.Context, key string) bool {
	var timer *time.Timer
	for {
		s.mu.Lock()
		released, held := s.locks[key]
		if !held {
			s.locks[key] = make(chan struct{})
			s.mu.Unlock()
			return true
		}
		s.mu.Unlock()
		if timer == nil {
			wait := s.lockWait
			if wait <= 0 {
				wait = defaultLockWait
			}
			timer = time.NewTimer(wait)
			defer timer.Stop()
		}
		select {
		case <-released:
		case <-timer.C:
			return false
		case <-s.netsrv.Done():
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// unlock releases a maildrop taken with lock.
func (s *Server) unlock(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if released, ok := s.locks[key]; ok {
		close(released)
		delete(s.locks, key)
	}
}

// loginTooSoon reports whether the user's last login was less than
// LoginDelay ago.
func (s *Server) loginTooSoon(user string, now time.Time) bool {
	if s.LoginDelay <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.logins[user]
	return ok && now.Sub(last) < s.LoginDelay
}

// recordLogin notes a successful login for LoginDelay, and forgets the
// logins that no longer matter once per LoginDelay.
func (s *Server) recordLogin(user string, now time.Time) {
	if s.LoginDelay <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if now.Sub(s.swept) >= s.LoginDelay {
		for u, t := range s.logins {
			if now.Sub(t) >= s.LoginDelay {
				delete(s.logins, u)
			}
		}
		s.swept = now
	}
	s.logins[user] = now
}

// Serve accepts connections on l and serves each in its own goroutine
// until Shutdown or Close, when it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	return s.netsrv.Serve(l, s.serveConn, ErrServerClosed)
}

// ServeTLS is Serve with implicit TLS (RFC 8314 §3.3: port 995) using
// TLSConfig.
func (s *Server) ServeTLS(l net.Listener) error {
	if s.TLSConfig == nil {
		return errors.New("pop3server: ServeTLS needs TLSConfig")
	}
	return s.Serve(tls.NewListener(l, s.TLSConfig))
}

// ServeConn serves one connection, returning when it ends. The server
// closes nc. A *tls.Conn is served as implicit TLS.
func (s *Server) ServeConn(nc net.Conn) {
	s.init()
	s.netsrv.ServeConn(nc, s.serveConn)
}

func (s *Server) serveConn(nc net.Conn) {
	c := newConn(s, nc)
	s.netsrv.Run(&netserve.Session{Conn: nc, Serve: c.serve, Refuse: c.refuse, Interrupt: c.interrupt}, s.Limits.MaxConnections)
}

// refuse turns away a connection over Limits.MaxConnections.
func (c *conn) refuse() {
	c.log.Info("too many connections")
	// An implicit TLS handshake happens in the write: bound it.
	c.nc.SetReadDeadline(time.Now().Add(c.lim.LoginTimeout))
	c.reply(pop3.CodeSysTemp, false, "Too many connections, try again later")
	c.flush()
	c.nc.Close()
}

// Shutdown stops the server gracefully: it closes the listeners, lets
// every session finish the command it is running (a QUIT finishes its
// UPDATE), then answers -ERR with the SYS/TEMP response code and closes
// the connection without entering the UPDATE state, so that nothing is
// deleted. Idle sessions end at once. It returns when all connections are closed, or with ctx's
// error when ctx ends first, in which case the remaining connections are
// closed abruptly.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.netsrv.Shutdown(ctx)
}

// Close closes the listeners and every connection at once. Sessions that
// had not sent QUIT delete nothing.
func (s *Server) Close() error {
	return s.netsrv.Close()
}
