package imapserver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

func authWithTLS(cfg *tls.Config) func(*Server) {
	return func(s *Server) { s.TLSConfig = cfg }
}

// TestStartTLS follows RFC 9051 §6.2.1's example from a client that is
// not on loopback: STARTTLS and LOGINDISABLED before, neither after, and
// the plaintext mechanisms usable under TLS.
func TestStartTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{remote: authRemote, configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	c := ts.dial(t)
	caps := authCapsOf(c)
	if !authHas(caps, imap.CapStartTLS) || !authHas(caps, imap.CapLoginDisabled) || authHas(caps, "AUTH=PLAIN") {
		t.Fatalf("before STARTTLS: %v", caps)
	}
	authStartTLS(t, c, pki.ClientConfig())
	caps = authCapsOf(c)
	if authHas(caps, imap.CapStartTLS) || authHas(caps, imap.CapLoginDisabled) || !authHas(caps, "AUTH=PLAIN") {
		t.Fatalf("after STARTTLS: %v", caps)
	}
	if !authHas(caps, "AUTH=SCRAM-SHA-256-PLUS") || authHas(caps, "AUTH=EXTERNAL") {
		t.Errorf("mechanisms under TLS 1.3 without a client certificate: %v", caps)
	}
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusBAD {
		t.Errorf("second STARTTLS: %s", r.Status)
	}
	// RFC 9051 §6.2.1's example continues with AUTHENTICATE PLAIN.
	_, r := c.do("AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=")
	authWantCode(t, r, wire.StatusOK, "")
	c.ok("SELECT INBOX")
}

// TestStartTLSNotConfigured: without a TLS configuration STARTTLS is
// neither offered nor accepted.
func TestStartTLSNotConfigured(t *testing.T) {
	ts := authNewServer(t, authOpts{})
	c := ts.dial(t)
	if caps := authCapsOf(c); authHas(caps, imap.CapStartTLS) {
		t.Errorf("caps %v", caps)
	}
	_, r := c.do("STARTTLS")
	authWantCode(t, r, wire.StatusNO, "")
	c.login()
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusBAD {
		t.Errorf("STARTTLS when authenticated: %s", r.Status)
	}
}

// authRecorder records what is read from a connection.
type authRecorder struct {
	net.Conn
	mu  sync.Mutex
	got []byte
}

func (r *authRecorder) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.mu.Lock()
	r.got = append(r.got, p[:n]...)
	r.mu.Unlock()
	return n, err
}

func (r *authRecorder) since(mark int) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.got[mark:]...)
}

// TestStartTLSInjection: a command pipelined in the clear after STARTTLS
// in the same TCP segment is never run (CVE-2011-0411, RFC 9051 §6.2.1):
// no answer comes in the clear, and none under TLS, where the next
// response is that of the first command sent under TLS.
func TestStartTLSInjection(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	for _, injected := range []string{"b CAPABILITY", "b LOGIN alice secret"} {
		nc, err := net.Dial("tcp", ts.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(30 * time.Second))
		rec := &authRecorder{Conn: nc}
		br := bufio.NewReader(rec)
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
		if _, err := nc.Write([]byte("a STARTTLS\r\n" + injected + "\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := br.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "a OK ") {
			t.Fatalf("STARTTLS: %q %v", line, err)
		}
		if br.Buffered() != 0 {
			t.Fatalf("clear text after the STARTTLS OK: %q", rec.since(0))
		}
		mark := len(rec.since(0))
		tc := tls.Client(rec, pki.ClientConfig())
		if err := tc.Handshake(); err != nil {
			// RFC 9051 §6.2.1 option 1: the injected octets were taken
			// as the start of the handshake and broke it. Still safe.
			t.Logf("%s: handshake failed: %v", injected, err)
		} else {
			if _, err := tc.Write([]byte("c NOOP\r\n")); err != nil {
				t.Fatal(err)
			}
			tr := bufio.NewReader(tc)
			for {
				line, err := tr.ReadString('\n')
				if err != nil {
					t.Fatalf("%s: under TLS: %v", injected, err)
				}
				if !strings.HasPrefix(line, "c ") {
					t.Fatalf("%s: answered under TLS: %q", injected, line)
				}
				break
			}
			if _, err := tc.Write([]byte("d CAPABILITY\r\n")); err != nil {
				t.Fatal(err)
			}
			if line, _ := tr.ReadString('\n'); strings.Contains(line, "STARTTLS") || !strings.Contains(line, "AUTH=PLAIN") {
				t.Errorf("capabilities under TLS: %q", line)
			}
		}
		// After the OK the server sent TLS records only (handshake 0x16,
		// or an alert 0x15 if the handshake broke): a response in the
		// clear would come first, before the ServerHello. (Later ones
		// would have broken the TLS reads above.)
		if got := rec.since(mark); len(got) > 0 && got[0] != 0x16 && got[0] != 0x15 {
			t.Errorf("%s: answered in the clear: %q", injected, got[:min(len(got), 64)])
		}
	}
}

// TestStartTLSBadHandshake: a client that sends garbage instead of a
// ClientHello loses its connection, and the server goes on serving.
func TestStartTLSBadHandshake(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	c := ts.dial(t)
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	c.send("e NOOP")
	var resp wire.Response
	if err := c.dec.ReadResponse(&resp); err == nil && resp.Tag == "e" {
		t.Fatalf("NOOP answered: %+v", resp)
	}
	c2 := ts.dial(t)
	c2.login()
}

// TestServeTLS: implicit TLS (RFC 8314) through Server.ServeTLS: no
// STARTTLS in the greeting's capabilities, STARTTLS is BAD (RFC 9051
// §6.2.1), LOGIN works.
func TestServeTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	srv := &Server{Backend: b, Authenticator: b, TLSConfig: pki.ServerConfig(), Logger: slog.New(slog.DiscardHandler)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("ServeTLS returned %v", err)
		}
	})
	nc, err := tls.Dial("tcp", ln.Addr().String(), pki.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	c := &tclient{t: t, nc: nc, dec: wire.NewDecoder(bufio.NewReader(nc), nil)}
	g := c.read()
	if g.Status != wire.StatusOK || g.Code == nil || g.Code.Name != imap.CodeCapability {
		t.Fatalf("greeting %+v", g)
	}
	if authHas(g.Code.Caps, imap.CapStartTLS) || authHas(g.Code.Caps, imap.CapLoginDisabled) || !authHas(g.Code.Caps, "AUTH=PLAIN") {
		t.Errorf("greeting caps %v", g.Code.Caps)
	}
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusBAD {
		t.Errorf("STARTTLS on implicit TLS: %s", r.Status)
	}
	c.login()

	if err := (&Server{}).ServeTLS(ln); err == nil {
		t.Error("ServeTLS without TLSConfig")
	}
}

// TestImplicitTLSAllowsPlaintext: TLS, not loopback, is what allows LOGIN
// for a remote client.
func TestImplicitTLSAllowsPlaintext(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{remote: authRemote, implicitTLS: true, configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	c := authDialTLS(t, ts.addr, pki.ClientConfig())
	caps := authCapsOf(c)
	if authHas(caps, imap.CapLoginDisabled) || !authHas(caps, "AUTH=PLAIN") {
		t.Errorf("caps %v", caps)
	}
	c.login()
}

// TestAuthenticateExternal: EXTERNAL (RFC 4422 Appendix A) with a
// verified client certificate, following RFC 9051 §6.2.2's example with an
// empty initial response; offered only with a verified certificate.
func TestAuthenticateExternal(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{remote: authRemote, implicitTLS: true, failDelay: time.Millisecond,
		configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	alice := pki.Issue(t, "alice", x509.ExtKeyUsageClientAuth)

	c, g := authDialTLSGreeting(t, ts.addr, pki.ClientConfig(alice))
	if g.Code == nil || !authHas(g.Code.Caps, "AUTH=EXTERNAL") || !authHas(g.Code.Caps, "AUTH=SCRAM-SHA-256-PLUS") {
		t.Errorf("greeting %+v", g.Code)
	}
	if caps := authCapsOf(c); !authHas(caps, "AUTH=EXTERNAL") {
		t.Fatalf("caps %v", caps)
	}
	_, r := c.do("AUTHENTICATE EXTERNAL =")
	authWantCode(t, r, wire.StatusOK, "")
	c.ok("SELECT INBOX")

	// Without the initial response: an empty challenge, an empty response.
	c = authDialTLS(t, ts.addr, pki.ClientConfig(alice))
	c.send("x1 AUTHENTICATE EXTERNAL")
	if r := c.read(); r.Kind != wire.KindContinuation || r.Text != "" {
		t.Fatalf("%+v", r)
	}
	c.send("")
	_, r = c.until("x1")
	authWantCode(t, r, wire.StatusOK, "")

	// Asking for another identity, or for itself by name.
	c = authDialTLS(t, ts.addr, pki.ClientConfig(alice))
	_, r = c.do("AUTHENTICATE EXTERNAL " + authB64([]byte("test")))
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthorizationFailed)
	_, r = c.do("AUTHENTICATE EXTERNAL " + authB64([]byte("alice")))
	authWantCode(t, r, wire.StatusOK, "")

	// A certificate for a user the store does not know.
	c = authDialTLS(t, ts.addr, pki.ClientConfig(pki.Issue(t, "mallory", x509.ExtKeyUsageClientAuth)))
	_, r = c.do("AUTHENTICATE EXTERNAL =")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)

	// No certificate: no EXTERNAL.
	c = authDialTLS(t, ts.addr, pki.ClientConfig())
	if caps := authCapsOf(c); authHas(caps, "AUTH=EXTERNAL") {
		t.Errorf("caps without a certificate: %v", caps)
	}
	_, r = c.do("AUTHENTICATE EXTERNAL =")
	authWantCode(t, r, wire.StatusNO, "")
}

// TestExternalCertificateAuthenticator: the hook decides who a certificate
// is; after STARTTLS the client certificate counts as with implicit TLS.
func TestExternalCertificateAuthenticator(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{remote: authRemote, configure: []func(*Server){
		authWithTLS(pki.ServerConfig()),
		func(s *Server) {
			s.Authenticator = mailtest.CertificateMap{Backend: s.Backend.(*memstore.Backend), CN: "Alice Example", User: "alice"}
		},
	}})
	c := ts.dial(t)
	if caps := authCapsOf(c); authHas(caps, "AUTH=EXTERNAL") {
		t.Fatalf("EXTERNAL in the clear: %v", caps)
	}
	authStartTLS(t, c, pki.ClientConfig(pki.Issue(t, "Alice Example", x509.ExtKeyUsageClientAuth)))
	if caps := authCapsOf(c); !authHas(caps, "AUTH=EXTERNAL") {
		t.Fatalf("caps %v", caps)
	}
	_, r := c.do("AUTHENTICATE EXTERNAL =")
	authWantCode(t, r, wire.StatusOK, "")
	c.ok("SELECT INBOX")
}

// TestScramPlus: SCRAM-SHA-256-PLUS with tls-exporter channel binding
// (RFC 9266) under TLS 1.3, and the downgrade a client detects with "y"
// when it could bind but saw no PLUS (RFC 5802 §6).
func TestScramPlus(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{implicitTLS: true, failDelay: time.Millisecond,
		configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	c := authDialTLS(t, ts.addr, pki.ClientConfig())
	cs := c.nc.(*tls.Conn).ConnectionState()
	cb, err := scram.NewTLSExporterBinding(&cs)
	if err != nil {
		t.Fatal(err)
	}
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	conv := cl.NewConversationWithChannelBinding(cb)
	r := authSASL(c, &authScramClient{"SCRAM-SHA-256-PLUS", conv}, true)
	authWantCode(t, r, wire.StatusOK, "")
	if !conv.Valid() {
		t.Error("client did not validate the server")
	}

	// Binding data of another connection.
	c = authDialTLS(t, ts.addr, pki.ClientConfig())
	conv = cl.NewConversationWithChannelBinding(cb)
	r = authSASL(c, &authScramClient{"SCRAM-SHA-256-PLUS", conv}, true)
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)

	// "y": the client believes the server offers no PLUS.
	r = authSASL(c, &authScramClient{"SCRAM-SHA-256", cl.NewConversationAdvertisingChannelBinding()}, true)
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	// Plain SCRAM-SHA-256 is still fine.
	r = authSASL(c, &authScramClient{"SCRAM-SHA-256", cl.NewConversation()}, false)
	authWantCode(t, r, wire.StatusOK, "")
}

// TestServeTLSHandshakeFailure: a plaintext client on the TLS port does
// not disturb others.
func TestServeTLSHandshakeFailure(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := authNewServer(t, authOpts{implicitTLS: true, configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	nc.Write([]byte("a LOGIN alice secret\r\n"))
	buf := make([]byte, 512)
	n, _ := nc.Read(buf)
	if bytes.Contains(buf[:n], []byte("OK")) {
		t.Errorf("plaintext answered on the TLS port: %q", buf[:n])
	}
	c := authDialTLS(t, ts.addr, pki.ClientConfig())
	c.login()
}
