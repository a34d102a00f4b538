package pop3server

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
	"github.com/mailaccess/mailaccess/pop3"
)

// The test users: alice/secret, RFC 1939's mrose/tanstaaf and RFC 5034's
// test/test.
var testUsers = [][2]string{{"alice", "secret"}, {"mrose", "tanstaaf"}, {"test", "test"}}

// backendKind names a store the tests run against.
type backendKind string

const (
	kindMem     backendKind = "memstore"
	kindMaildir backendKind = "maildir"
)

var bothKinds = []backendKind{kindMem, kindMaildir}

// newBackend returns a Backend and an Authenticator of the test users.
func newBackend(t testing.TB, kind backendKind) (mailstore.Backend, mailstore.Authenticator) {
	t.Helper()
	switch kind {
	case kindMaildir:
		b, err := maildir.New(t.TempDir(), &maildir.Options{NoSync: true, WatchInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		users := passwd.New()
		for _, u := range testUsers {
			if err := users.AddUser(u[0], u[1]); err != nil {
				t.Fatal(err)
			}
		}
		return b, users
	default:
		b := memstore.New()
		for _, u := range testUsers {
			if err := b.AddUser(u[0], u[1]); err != nil {
				t.Fatal(err)
			}
		}
		return b, b
	}
}

// testOpts configure newTestServer.
type testOpts struct {
	kind        backendKind
	configure   []func(*Server)
	remote      bool // the client seems to come from 192.0.2.7, not loopback
	implicitTLS bool // ServeTLS
	wrap        func(net.Conn) net.Conn
}

// testServer is a server on a loopback port.
type testServer struct {
	srv     *Server
	backend mailstore.Backend
	addr    string
}

var testRemote = &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 50712}

// remoteConn is a connection that claims to come from elsewhere.
type remoteConn struct{ net.Conn }

func (remoteConn) RemoteAddr() net.Addr { return testRemote }

// newTestServer starts a server with a short failure delay. Connections
// are served by ServeConn from the test's own accept loop, so that they
// can be wrapped.
func newTestServer(t testing.TB, o testOpts) *testServer {
	t.Helper()
	b, a := newBackend(t, o.kind)
	srv := &Server{
		Backend: b, Authenticator: a,
		Logger: slog.New(slog.DiscardHandler),
		Limits: Limits{AuthFailureDelay: time.Millisecond},
		// [IN-USE] at once; TestInUseWait waits.
		lockWait: time.Nanosecond,
	}
	for _, f := range o.configure {
		f(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			if o.wrap != nil {
				nc = o.wrap(nc)
			}
			if o.remote {
				nc = remoteConn{nc}
			}
			if o.implicitTLS {
				nc = tls.Server(nc, srv.TLSConfig)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				srv.ServeConn(nc)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		wg.Wait()
	})
	return &testServer{srv: srv, backend: b, addr: ln.Addr().String()}
}

// store opens a user's Store directly, as another session (IMAP) would.
func (ts *testServer) store(t testing.TB, user string) mailstore.Store {
	t.Helper()
	st, err := ts.backend.Open(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// add appends messages to a user's INBOX.
func (ts *testServer) add(t testing.TB, user string, msgs ...string) {
	t.Helper()
	st := ts.store(t, user)
	for _, m := range msgs {
		if _, err := st.Append(context.Background(), "INBOX", strings.NewReader(m), nil); err != nil {
			t.Fatal(err)
		}
	}
}

// inbox returns the UIDs and flags of a user's INBOX.
func (ts *testServer) inbox(t testing.TB, user string) []mailstore.MessageInfo {
	t.Helper()
	st := ts.store(t, user)
	mb, err := st.OpenMailbox(context.Background(), "INBOX", &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	return append([]mailstore.MessageInfo(nil), mb.Messages()...)
}

// client is a scripted client: raw command lines out, the codec's
// Reader in.
type client struct {
	t        testing.TB
	nc       net.Conn
	r        *pop3.Reader
	greeting pop3.Response
}

func (ts *testServer) dial(t testing.TB) *client {
	t.Helper()
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

func (ts *testServer) dialTLS(t testing.TB, cfg *tls.Config) *client {
	t.Helper()
	nc, err := tls.Dial("tcp", ts.addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return newClient(t, nc)
}

func newClient(t testing.TB, nc net.Conn) *client {
	t.Helper()
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(60 * time.Second)) // a deadlock guard
	c := &client{t: t, nc: nc, r: pop3.NewReader(nc)}
	c.r.Mode = pop3.Strict
	g, err := c.r.ReadResponse()
	if err != nil || !g.OK {
		t.Fatalf("greeting %+v %v", g, err)
	}
	c.greeting = g
	return c
}

// send writes raw lines, each ended with CRLF, in one write.
func (c *client) send(lines ...string) {
	c.t.Helper()
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	if _, err := c.nc.Write(b.Bytes()); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one status line.
func (c *client) read() pop3.Response {
	c.t.Helper()
	r, err := c.r.ReadResponse()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return r
}

// do sends a command and reads its status line.
func (c *client) do(line string) pop3.Response {
	c.t.Helper()
	c.send(line)
	return c.read()
}

// ok sends a command that must succeed.
func (c *client) ok(line string) pop3.Response {
	c.t.Helper()
	r := c.do(line)
	if !r.OK {
		c.t.Fatalf("%s: -ERR [%s] %s", line, r.Code, r.Text)
	}
	return r
}

// fail sends a command that must fail with the code.
func (c *client) fail(line string, code pop3.Code) pop3.Response {
	c.t.Helper()
	r := c.do(line)
	if r.OK || r.Code != code {
		c.t.Fatalf("%s: got OK=%v [%s] %s, want -ERR [%s]", line, r.OK, r.Code, r.Text, code)
	}
	return r
}

// listing reads the lines of a multi-line response.
func (c *client) listing() []string {
	c.t.Helper()
	var out []string
	for {
		l, err := c.r.ReadDataLine()
		if err == io.EOF {
			return out
		}
		if err != nil {
			c.t.Fatalf("listing: %v", err)
		}
		out = append(out, string(l))
	}
}

// body reads a multi-line body.
func (c *client) body() string {
	c.t.Helper()
	b, err := io.ReadAll(c.r.DotReader())
	if err != nil {
		c.t.Fatalf("body: %v", err)
	}
	return string(b)
}

// login authenticates with USER and PASS.
func (c *client) login(user, pass string) pop3.Response {
	c.t.Helper()
	c.ok("USER " + user)
	return c.ok("PASS " + pass)
}

// capa runs CAPA.
func (c *client) capa() pop3.Capabilities {
	c.t.Helper()
	c.ok("CAPA")
	var caps pop3.Capabilities
	for _, l := range c.listing() {
		cp, err := pop3.ParseCapability([]byte(l), pop3.Strict)
		if err != nil {
			c.t.Fatalf("capability %q: %v", l, err)
		}
		caps = append(caps, cp)
	}
	return caps
}

// closed reports whether the server closed the connection: the next read
// gives EOF (or a reset).
func (c *client) closed() bool {
	c.t.Helper()
	_, err := c.r.ReadLine()
	return err != nil && (errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) || isReset(err))
}

func isReset(err error) bool {
	return err != nil && strings.Contains(err.Error(), "connection reset")
}

// msg makes a message of exactly the given size (at least the header's
// and 2 more), with CRLF line ends.
func msg(subject string, size int) string {
	var b strings.Builder
	b.WriteString("Subject: " + subject + "\r\n\r\n")
	rem := size - b.Len()
	for rem > 0 {
		n := 72
		if rem <= n+2 {
			n = rem
		}
		if rem-n == 1 {
			n--
		}
		b.WriteString(strings.Repeat("x", n-2) + "\r\n")
		rem -= n
	}
	return b.String()
}

// withTLS sets the server's TLS configuration.
func withTLS(cfg *tls.Config) func(*Server) {
	return func(s *Server) { s.TLSConfig = cfg }
}

// startTLS runs STLS and switches the client to TLS.
func (c *client) startTLS(cfg *tls.Config) {
	c.t.Helper()
	c.ok("STLS")
	if n := c.r.Buffered(); n != 0 {
		c.t.Fatalf("%d octets after the STLS +OK", n)
	}
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("handshake: %v", err)
	}
	c.nc = tc
	c.r.Reset(tc)
}

// waitUnlocked logs in until the maildrop is no longer in use by a
// session that ended (the server notices a dropped connection
// asynchronously), and returns the logged-in client.
func (ts *testServer) waitUnlocked(t testing.TB, user, pass string) *client {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // a deadlock guard
	for {
		c := ts.dial(t)
		c.ok("USER " + user)
		r := c.do("PASS " + pass)
		if r.OK {
			return c
		}
		if r.Code != pop3.CodeInUse || time.Now().After(deadline) {
			t.Fatalf("PASS: -ERR [%s] %s", r.Code, r.Text)
		}
		c.do("QUIT")
		time.Sleep(5 * time.Millisecond)
	}
}
