package imapserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// testServer is a server over memstore on a loopback port with one user,
// alice/secret.
type testServer struct {
	srv     *Server
	backend *memstore.Backend
	addr    string
}

func newTestServer(t *testing.T, configure ...func(*Server)) *testServer {
	t.Helper()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	srv := &Server{Backend: b, Authenticator: b}
	for _, f := range configure {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return &testServer{srv: srv, backend: b, addr: ln.Addr().String()}
}

// tclient is a scripted client: it writes raw command lines and reads
// responses with the codec.
type tclient struct {
	t    testing.TB
	nc   net.Conn
	dec  *wire.Decoder
	next int
}

func (ts *testServer) dial(t testing.TB) *tclient {
	t.Helper()
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &tclient{t: t, nc: nc, dec: wire.NewDecoder(bufio.NewReader(nc), nil)}
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	if r := c.read(); r.Kind != wire.KindStatus || r.Status != wire.StatusOK {
		t.Fatalf("greeting %+v", r)
	}
	return c
}

// read reads one response.
func (c *tclient) read() *wire.Response {
	c.t.Helper()
	var r wire.Response
	if err := c.dec.ReadResponse(&r); err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return &r
}

// send writes raw text (CRLF added to each line).
func (c *tclient) send(lines ...string) {
	c.t.Helper()
	for _, l := range lines {
		if _, err := fmt.Fprintf(c.nc, "%s\r\n", l); err != nil {
			c.t.Fatal(err)
		}
	}
}

// do sends a command with a fresh tag and returns the untagged responses
// and the tagged completion.
func (c *tclient) do(command string) ([]*wire.Response, *wire.Response) {
	c.t.Helper()
	c.next++
	tag := fmt.Sprintf("t%d", c.next)
	c.send(tag + " " + command)
	return c.until(tag)
}

// until reads up to the tagged response with tag.
func (c *tclient) until(tag string) ([]*wire.Response, *wire.Response) {
	c.t.Helper()
	var untagged []*wire.Response
	for {
		r := c.read()
		if r.Kind == wire.KindStatus && r.Tag == tag {
			return untagged, r
		}
		untagged = append(untagged, r)
	}
}

// ok runs a command that must succeed.
func (c *tclient) ok(command string) []*wire.Response {
	c.t.Helper()
	u, r := c.do(command)
	if r.Status != wire.StatusOK {
		c.t.Fatalf("%s: %s %s", command, r.Status, r.Text)
	}
	return u
}

func (c *tclient) login() {
	c.t.Helper()
	c.ok("LOGIN alice secret")
}

func kinds(rs []*wire.Response) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s ", r.Kind)
	}
	return b.String()
}
