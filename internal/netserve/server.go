package netserve

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// Server accepts connections, keeps track of the listeners and of the
// connections being served, and shuts them down. Its zero value is ready
// to use; it must not be copied after first use.
type Server struct {
	initOnce  sync.Once
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[*Session]struct{}
	shutdown  chan struct{} // closed by Shutdown
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Session is how a Server drives the session of one connection.
type Session struct {
	// Conn is the network connection; Shutdown closes it when its
	// context ends before the session does.
	Conn net.Conn
	// Serve runs the session to its end and closes Conn.
	Serve func()
	// Refuse turns the connection away, in place of Serve, when the most
	// connections allowed are being served already; it closes Conn.
	Refuse func()
	// Interrupt, if set, is called by Shutdown (under the Server's lock,
	// so it must neither block nor call the Server) to make a session
	// blocked in a read notice the shutdown at once. A session that
	// watches Done itself leaves it nil.
	Interrupt func()
}

func (s *Server) init() {
	s.initOnce.Do(func() {
		s.shutdown = make(chan struct{})
		s.listeners = make(map[net.Listener]struct{})
		s.sessions = make(map[*Session]struct{})
	})
}

// Done returns a channel that is closed when Shutdown (or Close) begins.
func (s *Server) Done() <-chan struct{} {
	s.init()
	return s.shutdown
}

// Closing reports whether Shutdown (or Close) has begun.
func (s *Server) Closing() bool {
	select {
	case <-s.Done():
		return true
	default:
		return false
	}
}

// Serve accepts connections on l and calls serve for each in its own
// goroutine until Shutdown or Close, when it returns closed (the
// protocol server's ErrServerClosed). A temporary failure of Accept is
// retried after a pause that doubles up to a second; any other failure
// is returned.
func (s *Server) Serve(l net.Listener, serve func(net.Conn), closed error) error {
	s.init()
	s.mu.Lock()
	if s.Closing() {
		s.mu.Unlock()
		return closed
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
			if s.Closing() {
				return closed
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
		if !s.add() {
			nc.Close()
			return closed
		}
		go func() {
			defer s.wg.Done()
			serve(nc)
		}()
	}
}

// ServeConn calls serve for one connection in the calling goroutine, as
// Serve does for a connection it accepted, and returns when serve does.
// After Shutdown it closes nc instead.
func (s *Server) ServeConn(nc net.Conn, serve func(net.Conn)) {
	s.init()
	if !s.add() {
		nc.Close()
		return
	}
	defer s.wg.Done()
	serve(nc)
}

// add counts a connection about to be served in wg, unless the server is
// shutting down. Shutdown closes s.shutdown under s.mu, so no count is
// added once it waits.
func (s *Server) add() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Closing() {
		return false
	}
	s.wg.Add(1)
	return true
}

// Run runs a session among the connections being served, from within the
// serve function given to Serve or ServeConn: ss.Refuse when maxConns is
// positive and that many connections are served already, ss.Serve
// otherwise. After Shutdown it closes ss.Conn instead.
func (s *Server) Run(ss *Session, maxConns int) {
	s.init()
	s.mu.Lock()
	if s.Closing() {
		s.mu.Unlock()
		ss.Conn.Close()
		return
	}
	full := maxConns > 0 && len(s.sessions) >= maxConns
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.sessions, ss)
		s.mu.Unlock()
	}()
	if full {
		ss.Refuse()
		return
	}
	ss.Serve()
}

// Shutdown closes the listeners, interrupts the sessions (Session.
// Interrupt) and waits for every connection to end. If ctx ends first it
// closes the connections left, waits for their sessions to end, and
// returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.init()
	s.mu.Lock()
	s.closeOnce.Do(func() { close(s.shutdown) })
	for l := range s.listeners {
		l.Close()
	}
	for ss := range s.sessions {
		if ss.Interrupt != nil {
			ss.Interrupt()
		}
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
		for ss := range s.sessions {
			ss.Conn.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}

// Close closes the listeners and every connection at once: Shutdown with
// a context already cancelled.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}
