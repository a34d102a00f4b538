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
	// Greeting is the text of the greeting; "" means a default.
	Greeting string
	// Limits bound what one client may make the server do.
	Limits Limits

	// bigWriters are the 64 KiB write buffers sessions borrow while they
	// send large responses (FETCH), so that an idle session holds 4 KiB.
	bigWriters sync.Pool

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	shutdown  chan struct{} // closed by Shutdown/Close
	closeOnce sync.Once
	wg        sync.WaitGroup
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown == nil {
		s.shutdown = make(chan struct{})
		s.listeners = make(map[net.Listener]struct{})
		s.conns = make(map[*conn]struct{})
	}
}

func (s *Server) closing() bool {
	select {
	case <-s.shutdown:
		return true
	default:
		return false
	}
}

// Serve accepts connections on l and serves each in its own goroutines
// until Shutdown or Close, when it returns ErrServerClosed.
func (s *Server) Serve(l net.Listener) error {
	s.init()
	s.mu.Lock()
	if s.closing() {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.closing() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				time.Sleep(delay)
				continue
			}
			return err
		}
		delay = 0
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
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
	s.wg.Add(1)
	defer s.wg.Done()
	s.serveConn(nc)
}

func (s *Server) serveConn(nc net.Conn) {
	c := newConn(s, nc)
	s.mu.Lock()
	if s.closing() {
		s.mu.Unlock()
		nc.Close()
		return
	}
	full := s.Limits.MaxConnections > 0 && len(s.conns) >= s.Limits.MaxConnections
	s.conns[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
	}()
	if full {
		c.bye("Too many connections, try again later")
		nc.Close()
		return
	}
	c.serve()
}

// Shutdown stops the server gracefully: it closes the listeners, lets
// every session finish the command it is running, then sends BYE and
// closes the connection (idle and IDLE sessions at once). It returns when
// all connections are closed, or with ctx's error when ctx ends first, in
// which case the remaining connections are closed abruptly.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.closeOnce.Do(func() { close(s.shutdown) })
	s.mu.Lock()
	for l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
