package pop3server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// TestSTLS: RFC 2595 §4: STLS announced and permitted only before TLS;
// the session stays in the AUTHORIZATION state, and a second STLS is
// refused.
func TestSTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{remote: true, configure: []func(*Server){withTLS(pki.ServerConfig())}})
	c := ts.dial(t)
	if !c.capa().Has("STLS") {
		t.Error("no STLS")
	}
	c.fail("STLS now", "")
	c.startTLS(pki.ClientConfig())
	if c.capa().Has("STLS") {
		t.Error("STLS announced under TLS")
	}
	if r := c.fail("STLS", ""); r.Text != "Command not permitted when TLS active" {
		t.Errorf("%q", r.Text)
	}
	c.fail("STAT", "")
	c.login("alice", "secret")
	c.fail("STLS", "")

	ts = newTestServer(t, testOpts{})
	c = ts.dial(t)
	if c.capa().Has("STLS") {
		t.Error("STLS without TLSConfig")
	}
	c.fail("STLS", "")
}

// TestSTLSDiscardsPipelinedPlaintext: whatever a client sends after STLS
// in the same plaintext write (an attacker's injection, CVE-2011-0411)
// is thrown away: the USER and PASS below never run, so the session is
// not logged in under TLS, and the trace records the discard.
func TestSTLSDiscardsPipelinedPlaintext(t *testing.T) {
	pki := mailtest.NewCA(t)
	trace := &mailtest.SyncBuffer{}
	ts := newTestServer(t, testOpts{configure: []func(*Server){withTLS(pki.ServerConfig()), func(s *Server) { s.Trace = trace }}})
	c := ts.dial(t)
	c.send("STLS", "USER alice", "PASS secret")
	if r := c.read(); !r.OK {
		t.Fatalf("STLS: %+v", r)
	}
	if n := c.r.Buffered(); n != 0 {
		t.Fatalf("%d octets after the STLS +OK: the injected commands were answered", n)
	}
	tc := tls.Client(c.nc, pki.ClientConfig())
	if err := tc.Handshake(); err != nil {
		// The injected octets had not reached the server's buffer and
		// broke the handshake: they did not run either.
		t.Logf("handshake: %v", err)
		return
	}
	c.nc = tc
	c.r.Reset(tc)
	if r := c.do("STAT"); r.OK {
		t.Fatal("STAT succeeded: the plaintext USER/PASS ran under TLS")
	}
	c.fail("PASS secret", "") // no USER is pending either
	c.login("alice", "secret")
	if !strings.Contains(trace.String(), "discarded 25 octets sent in the clear after STLS") {
		t.Errorf("trace:\n%s", trace)
	}
}

// TestImplicitTLS: ServeTLS-style connections: plaintext mechanisms are
// allowed from anywhere, STLS is not offered, and a plaintext client on
// the TLS port gets nothing.
func TestImplicitTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{remote: true, implicitTLS: true, configure: []func(*Server){withTLS(pki.ServerConfig())}})
	c := ts.dialTLS(t, pki.ClientConfig())
	caps := c.capa()
	if caps.Has("STLS") || !caps.Has("USER") || !caps.HasSASL("SCRAM-SHA-256-PLUS") || caps.HasSASL("EXTERNAL") {
		t.Errorf("caps %v", caps)
	}
	c.fail("STLS", "")
	c.login("alice", "secret")
	c.ok("QUIT")

	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	nc.Write([]byte("USER alice\r\nPASS secret\r\n"))
	buf := make([]byte, 512)
	n, _ := nc.Read(buf)
	if bytes.Contains(buf[:n], []byte("+OK")) {
		t.Errorf("plaintext answered on the TLS port: %q", buf[:n])
	}
}

// TestServeTLS: the real ServeTLS on a listener.
func TestServeTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	b := memstore.New()
	b.AddUser("alice", "secret")
	srv := &Server{Backend: b, Authenticator: b, TLSConfig: pki.ServerConfig(), Logger: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln) }()
	nc, err := tls.Dial("tcp", ln.Addr().String(), pki.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, nc)
	c.login("alice", "secret")
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Error(err)
	}
	if err := <-done; err != ErrServerClosed {
		t.Errorf("ServeTLS: %v", err)
	}
	if err := (&Server{}).ServeTLS(ln); err == nil {
		t.Error("ServeTLS without TLSConfig")
	}
}

// TestScramPlus: SCRAM-SHA-256-PLUS with tls-exporter channel binding
// (RFC 9266); binding data of another connection fails.
func TestScramPlus(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{implicitTLS: true, configure: []func(*Server){withTLS(pki.ServerConfig())}})
	c := ts.dialTLS(t, pki.ClientConfig())
	cs := c.nc.(*tls.Conn).ConnectionState()
	cb, err := scram.NewTLSExporterBinding(&cs)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	conv := cl.NewConversationWithChannelBinding(cb)
	if r := authSASL(c, "SCRAM-SHA-256-PLUS", scramClient{conv}, true); !r.OK {
		t.Fatalf("SCRAM-SHA-256-PLUS: %+v", r)
	}
	if !conv.Valid() {
		t.Error("the client did not validate the server")
	}
	c.ok("QUIT")
	c = ts.dialTLS(t, pki.ClientConfig())
	if r := authSASL(c, "SCRAM-SHA-256-PLUS", scramClient{cl.NewConversationWithChannelBinding(cb)}, true); r.OK || r.Code != pop3.CodeAuth {
		t.Errorf("another connection's binding: %+v", r)
	}
}

// TestExternal: AUTH EXTERNAL with a verified client certificate, after
// STLS (RFC 2595 §4) and with implicit TLS; the common name names the
// user unless a CertificateAuthenticator says otherwise.
func TestExternal(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{remote: true, implicitTLS: true, configure: []func(*Server){withTLS(pki.ServerConfig())}})
	alice := pki.Issue(t, "alice", x509.ExtKeyUsageClientAuth)
	c := ts.dialTLS(t, pki.ClientConfig(alice))
	if !c.capa().HasSASL("EXTERNAL") {
		t.Fatal("no EXTERNAL")
	}
	c.fail("AUTH EXTERNAL "+b64("test"), pop3.CodeAuth)
	c.ok("AUTH EXTERNAL =")
	c.ok("QUIT")
	c = ts.dialTLS(t, pki.ClientConfig())
	if c.capa().HasSASL("EXTERNAL") {
		t.Error("EXTERNAL without a certificate")
	}
	c.fail("AUTH EXTERNAL =", "")

	ts = newTestServer(t, testOpts{remote: true, configure: []func(*Server){withTLS(pki.ServerConfig()), func(s *Server) {
		s.Authenticator = mailtest.CertificateMap{Backend: s.Authenticator.(*memstore.Backend), CN: "Alice Example", User: "alice"}
	}}})
	c = ts.dial(t)
	if c.capa().HasSASL("EXTERNAL") {
		t.Error("EXTERNAL in the clear")
	}
	c.startTLS(pki.ClientConfig(pki.Issue(t, "Alice Example", x509.ExtKeyUsageClientAuth)))
	c.send("AUTH EXTERNAL")
	if ch, r, err := c.r.ReadChallenge(); err != nil || r != nil || len(ch) != 0 {
		t.Fatalf("challenge %q %v %v", ch, r, err)
	}
	c.ok("")
	c.ok("STAT")
}
