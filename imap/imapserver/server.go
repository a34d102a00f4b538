package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/internal/netserve"
	"github.com/mailaccess/mailaccess/mailstore"
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("imapserver: server closed")

// Server is an IMAP server. Set its fields before the first Serve; the
// zero values of the optional ones are safe defaults.
type Server struct {
	// Backend opens users' mail. Required.
	Backend mailstore.Backend
	// Authenticator checks passwords (LOGIN, AUTHENTICATE PLAIN and
	// LOGIN). Required for any login to succeed.
	Authenticator mailstore.Authenticator
	// TLSConfig enables STARTTLS, and is used by ServeTLS.
	TLSConfig *tls.Config
	// InsecureAuth allows LOGIN and plaintext SASL mechanisms on
	// connections that are neither TLS nor loopback. Without it they are
	// refused (LOGINDISABLED, RFC 3501 §6.2.3) until STARTTLS.
	InsecureAuth bool
	// Logger receives connection-level events; nil means slog.Default().
	Logger *slog.Logger
	// Trace, if set, receives a protocol trace of every connection, with
	// passwords and SASL exchanges elided. Each line is one Write, and
	// connections write at the same time: the writer must be safe for
	// concurrent use (an *os.File is).
	Trace io.Writer
	// DisableCompress turns off COMPRESS=DEFLATE (RFC 4978): it is
	// then neither offered nor accepted. A session that turns it on
	// holds a deflater and an inflater from compress/flate for the rest
	// of the connection: about 1.2 MiB more heap than an uncompressed
	// session (TestCompressMemory logs it).
	DisableCompress bool
	// Greeting is the text of the greeting; "" means a default.
	Greeting string
	// Limits bound what one client may make the server do.
	Limits Limits

	// bigWriters are the 64 KiB write buffers sessions borrow while they
	// send large responses (FETCH), so that an idle session holds 4 KiB.
	bigWriters sync.Pool

	// netsrv accepts, tracks and shuts down the connections.
	netsrv   netserve.Server
	initOnce sync.Once
	shutdown <-chan struct{} // closed by Shutdown/Close: netsrv.Done()
}

// Limits bound a connection's use of the server. Zero values mean the
// defaults.
type Limits struct {
	// MaxLineLength is the longest command line outside literals.
	// Default 64 KiB.
	MaxLineLength int
	// MaxMessageSize is the largest APPEND message (advertised as
	// APPENDLIMIT, RFC 7889). Default 1 GiB, streamed to the store.
	MaxMessageSize int64
	// MaxConnections is the most connections served at once; more are
	// greeted with BYE. Default 0: no limit.
	MaxConnections int
	// AutoLogout is how long an authenticated session may stay silent
	// (RFC 3501 §5.4: at least 30 minutes). Default 30 minutes.
	AutoLogout time.Duration
	// LoginTimeout is how long a session may stay unauthenticated.
	// Default 1 minute.
	LoginTimeout time.Duration
	// WriteTimeout bounds each write to a slow reader. Default 5
	// minutes.
	WriteTimeout time.Duration
	// MaxQueuedBytes bounds the commands read ahead of the executor;
	// beyond it the reader waits. Default 32 MiB.
	MaxQueuedBytes int
	// MaxBadCommands is how many unknown or malformed commands an
	// unauthenticated client may send before BYE. Default 10.
	MaxBadCommands int
}

// Default limits.
const (
	DefaultMaxLineLength  = 64 << 10
	DefaultMaxMessageSize = 1 << 30
	DefaultAutoLogout     = 30 * time.Minute
	DefaultLoginTimeout   = time.Minute
	DefaultWriteTimeout   = 5 * time.Minute
	DefaultMaxQueuedBytes = 32 << 20
	DefaultMaxBadCommands = 10
)

func (l Limits) withDefaults() Limits {
	if l.MaxLineLength <= 0 {
		l.MaxLineLength = DefaultMaxLineLength
	}
	if l.MaxMessageSize <= 0 {
		l.MaxMessageSize = DefaultMaxMessageSize
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
	if l.MaxQueuedBytes <= 0 {
		l.MaxQueuedBytes = DefaultMaxQueuedBytes
	}
	if l.MaxBadCommands <= 0 {
		l.MaxBadCommands = DefaultMaxBadCommands
	}
	return l
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) init() {
	s.initOnce.Do(func() { s.shutdown = s.netsrv.Done() })
}

// Serve accepts connections on l and serves each in its own goroutines
// until Shutdown or Close, when it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	return s.netsrv.Serve(l, s.serveConn, ErrServerClosed)
}

// ServeTLS is Serve with implicit TLS (RFC 8314 §3.3: port 993) using
// TLSConfig.
func (s *Server) ServeTLS(l net.Listener) error {
	if s.TLSConfig == nil {
		return errors.New("imapserver: ServeTLS needs TLSConfig")
	}
	return s.Serve(tls.NewListener(l, s.TLSConfig))
}

// ServeConn serves one connection, returning when it ends. The server
// closes nc.
func (s *Server) ServeConn(nc net.Conn) {
	s.init()
	s.netsrv.ServeConn(nc, s.serveConn)
}

func (s *Server) serveConn(nc net.Conn) {
	c := newConn(s, nc)
	s.netsrv.Run(&netserve.Session{Conn: nc, Serve: c.serve, Refuse: c.refuse}, s.Limits.MaxConnections)
}

// refuse turns away a connection over Limits.MaxConnections.
func (c *conn) refuse() {
	c.bye("Too many connections, try again later")
	c.nc.Close()
}

// Shutdown stops the server gracefully: it closes the listeners, lets
// every session finish the command it is running, then sends BYE and
// closes the connection (idle and IDLE sessions at once). It returns when
// all connections are closed, or with ctx's error when ctx ends first, in
// which case the remaining connections are closed abruptly.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.netsrv.Shutdown(ctx)
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	return s.netsrv.Close()
}
