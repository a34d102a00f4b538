package netserve

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// session serves a connection by echoing until it ends.
func session(s *Server, maxConns int, refused chan<- struct{}) func(net.Conn) {
	return func(nc net.Conn) {
		s.Run(&Session{
			Conn:   nc,
			Serve:  func() { io.Copy(nc, nc); nc.Close() },
			Refuse: func() { refused <- struct{}{}; nc.Close() },
			// Shutdown makes the echo's read fail at once.
			Interrupt: func() { nc.SetReadDeadline(time.Unix(1, 0)) },
		}, maxConns)
	}
}

var errClosed = errors.New("closed")

func TestServeShutdown(t *testing.T) {
	var s Server
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln, session(&s, 1, refused), errClosed) }()

	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	a.Write([]byte("x"))
	if _, err := io.ReadFull(a, make([]byte, 1)); err != nil {
		t.Fatal(err)
	}
	// The second connection is over the limit.
	b, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	select {
	case <-refused:
	case <-time.After(10 * time.Second):
		t.Fatal("not refused")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := <-done; err != errClosed {
		t.Fatalf("Serve: %v", err)
	}
	if !s.Closing() {
		t.Error("not closing after Shutdown")
	}
	if err := s.Serve(ln, nil, errClosed); err != errClosed {
		t.Errorf("Serve after Shutdown: %v", err)
	}
	c1, c2 := net.Pipe()
	defer c2.Close()
	s.ServeConn(c1, func(net.Conn) { t.Error("served after Shutdown") })
	if _, err := c2.Write([]byte("x")); err == nil {
		t.Error("ServeConn after Shutdown left the connection open")
	}
}

// TestShutdownDeadline: sessions that do not end are closed when ctx
// ends, and Close does so at once.
func TestShutdownDeadline(t *testing.T) {
	var s Server
	c1, c2 := net.Pipe()
	defer c2.Close()
	started := make(chan struct{})
	go s.ServeConn(c1, func(nc net.Conn) {
		s.Run(&Session{Conn: nc, Serve: func() {
			close(started)
			io.Copy(io.Discard, nc) // ends when Close closes nc
		}}, 0)
	})
	<-started
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown with nothing left: %v", err)
	}
}

func TestAppendTraceLine(t *testing.T) {
	got := string(AppendTraceLine(nil, "id", "C: ", "[3 octets]", []byte("a\tb\r\x7f\x01"), TraceOmitted(5)))
	if want := "id C: [3 octets]a\tb\\x0d\\x7f\\x01 [+5 octets]\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if TraceOmitted(0) != "" {
		t.Error("TraceOmitted(0)")
	}
	if id := TraceID(); len(id) != 8 {
		t.Errorf("TraceID %q", id)
	}
}
