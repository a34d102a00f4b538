package netserve

import (
	"crypto/tls"
	"io"
	"net"
	"time"
)

// IsTLS reports whether nc is an implicit TLS connection (a *tls.Conn,
// as ServeTLS's listener gives).
func IsTLS(nc net.Conn) bool {
	_, ok := nc.(*tls.Conn)
	return ok
}

// IsLoopback reports whether nc's peer is on the loopback interface, where
// a server may take passwords without TLS.
func IsLoopback(nc net.Conn) bool {
	tcp, ok := nc.RemoteAddr().(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

// Connected is the trace's first event for nc: "connected from" the
// peer's address "to" the local one, with " (TLS)" for implicit TLS.
func Connected(nc net.Conn, isTLS bool) string {
	what := "connected from " + nc.RemoteAddr().String() + " to " + nc.LocalAddr().String()
	if isTLS {
		what += " (TLS)"
	}
	return what
}

// DeadlineWriter writes to a session's current stream, bounding each
// write with a write deadline on the connection, so that a client that
// stops reading cannot hold the session forever.
type DeadlineWriter struct {
	// Conn is the network connection whose write deadline is set.
	Conn net.Conn
	// Stream points to what is written: the connection, or a layer on
	// it (TLS, a trace) that STARTTLS may replace while the session runs.
	Stream *io.ReadWriter
	// Timeout is how long each write may take.
	Timeout time.Duration
}

// Write sets the write deadline Timeout ahead and writes p to the stream.
func (w DeadlineWriter) Write(p []byte) (int, error) {
	w.Conn.SetWriteDeadline(time.Now().Add(w.Timeout))
	return (*w.Stream).Write(p)
}
