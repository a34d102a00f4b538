package imapserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// ---- Helpers (prefixed auth) ----------------------------------------------

// authOpts configure authNewServer.
type authOpts struct {
	configure   []func(*Server)
	remote      net.Addr      // the client seems to come from here (not loopback)
	implicitTLS bool          // serve TLS from the first byte, as ServeTLS does
	failDelay   time.Duration // the conn-level delay after a failed attempt
}

// authNewServer serves conns it builds itself, so that the test can set
// conn-level knobs (the failure delay) and pretend the client is remote.
// Users: alice/secret and test/test (RFC 9051's examples).
func authNewServer(t *testing.T, o authOpts) *testServer {
	t.Helper()
	b := memstore.New()
	for _, u := range [][2]string{{"alice", "secret"}, {"test", "test"}} {
		if err := b.AddUser(u[0], u[1]); err != nil {
			t.Fatal(err)
		}
	}
	srv := &Server{Backend: b, Authenticator: b, Logger: slog.New(slog.DiscardHandler)}
	for _, f := range o.configure {
		f(srv)
	}
	srv.init()
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
			if o.remote != nil {
				nc = authRemoteConn{nc, o.remote}
			}
			if o.implicitTLS {
				nc = tls.Server(nc, srv.TLSConfig)
			}
			c := newConn(srv, nc)
			if o.failDelay > 0 {
				c.auth.failDelay = o.failDelay
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				// As the lead's serve is asked to (see the report).
				if c.handshakeImplicit() != nil {
					c.close()
					return
				}
				c.serve()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		srv.Close() // ends the sessions' waits (BYE on shutdown)
		wg.Wait()
	})
	return &testServer{srv: srv, backend: b, addr: ln.Addr().String()}
}

// authRemoteConn is a connection that claims to come from elsewhere.
type authRemoteConn struct {
	net.Conn
	remote net.Addr
}

func (c authRemoteConn) RemoteAddr() net.Addr { return c.remote }

var authRemote = &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 50712}

// authDialTLS connects with implicit TLS.
func authDialTLS(t *testing.T, addr string, cfg *tls.Config) *tclient {
	t.Helper()
	c, _ := authDialTLSGreeting(t, addr, cfg)
	return c
}

// authDialTLSGreeting connects with implicit TLS and returns the greeting.
func authDialTLSGreeting(t *testing.T, addr string, cfg *tls.Config) (*tclient, *wire.Response) {
	t.Helper()
	nc, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	c := &tclient{t: t, nc: nc, dec: wire.NewDecoder(bufio.NewReader(nc), nil)}
	r := c.read()
	if r.Kind != wire.KindStatus || r.Status != wire.StatusOK {
		t.Fatalf("greeting %+v", r)
	}
	return c, r
}

// authStartTLS runs STARTTLS and switches the client to TLS.
func authStartTLS(t *testing.T, c *tclient, cfg *tls.Config) {
	t.Helper()
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusOK {
		t.Fatalf("STARTTLS: %s %s", r.Status, r.Text)
	}
	if n := c.dec.Buffered(); n != 0 {
		t.Fatalf("%d octets after the STARTTLS OK", n)
	}
	tc := tls.Client(c.nc, cfg)
	if err := tc.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	c.nc = tc
	c.dec = wire.NewDecoder(bufio.NewReader(tc), nil)
}

// authCaps runs CAPABILITY.
func authCapsOf(c *tclient) imap.CapSet {
	c.t.Helper()
	u := c.ok("CAPABILITY")
	for _, r := range u {
		if r.Kind == wire.KindCapability {
			return r.Caps
		}
	}
	c.t.Fatalf("no CAPABILITY response: %s", kinds(u))
	return nil
}

func authHas(caps imap.CapSet, c imap.Cap) bool {
	for _, x := range caps {
		if strings.EqualFold(string(x), string(c)) {
			return true
		}
	}
	return false
}

// authSASL runs AUTHENTICATE with a SASL client, with the initial
// response on the command line when ir is set.
func authSASL(c *tclient, cl sasl.Client, ir bool) *wire.Response {
	c.t.Helper()
	mech, resp, err := cl.Start()
	if err != nil {
		c.t.Fatal(err)
	}
	c.next++
	tag := fmt.Sprintf("s%d", c.next)
	line := tag + " AUTHENTICATE " + mech
	pending := resp != nil && !ir
	if resp != nil && ir {
		line += " " + authB64(resp)
	}
	c.send(line)
	for {
		r := c.read()
		if r.Kind == wire.KindStatus && r.Tag == tag {
			return r
		}
		if r.Kind != wire.KindContinuation {
			continue
		}
		if pending {
			// The mechanism has an initial response but the command
			// did not carry it: the server's empty challenge asks for it.
			if r.Text != "" {
				c.t.Fatalf("first challenge %q, want empty", r.Text)
			}
			c.send(authB64(resp))
			pending = false
			continue
		}
		chal, err := base64.StdEncoding.DecodeString(r.Text)
		if err != nil {
			c.t.Fatalf("challenge %q: %v", r.Text, err)
		}
		next, err := cl.Next(chal)
		if err != nil {
			c.send("*")
			continue
		}
		c.send(authB64(next))
	}
}

func authB64(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b)
}

// authScramClient adapts an xdg-go/scram conversation to sasl.Client.
type authScramClient struct {
	mech string
	conv *scram.ClientConversation
}

func (s *authScramClient) Start() (string, []byte, error) {
	first, err := s.conv.Step("")
	return s.mech, []byte(first), err
}

func (s *authScramClient) Next(chal []byte) ([]byte, error) {
	resp, err := s.conv.Step(string(chal))
	return []byte(resp), err
}

func authWantCode(t *testing.T, r *wire.Response, st wire.StatusType, name imap.ResponseCodeName) {
	t.Helper()
	if r.Status != st {
		t.Fatalf("got %s %v %s, want %s [%s]", r.Status, r.Code, r.Text, st, name)
	}
	if name == "" {
		return
	}
	if r.Code == nil || r.Code.Name != name {
		t.Fatalf("got %s %+v %s, want [%s]", r.Status, r.Code, r.Text, name)
	}
}

// ---- LOGIN and the plaintext policy --------------------------------------

// TestAuthLoginDisabledInClear: on a cleartext connection from elsewhere,
// LOGINDISABLED is advertised and LOGIN and AUTHENTICATE PLAIN are refused
// even with the right password (RFC 9051 §6.2.3, §11; the example of
// PRIVACYREQUIRED in §7.1).
func TestAuthLoginDisabledInClear(t *testing.T) {
	ts := authNewServer(t, authOpts{remote: authRemote, failDelay: time.Millisecond})
	c := ts.dial(t)
	caps := authCapsOf(c)
	if !authHas(caps, imap.CapLoginDisabled) || authHas(caps, "AUTH=PLAIN") {
		t.Errorf("caps %v", caps)
	}
	_, r := c.do(`login "alice" "secret"`)
	authWantCode(t, r, wire.StatusNO, imap.CodePrivacyRequired)
	_, r = c.do("AUTHENTICATE PLAIN " + authB64([]byte("\x00alice\x00secret")))
	authWantCode(t, r, wire.StatusNO, imap.CodePrivacyRequired)
	if _, r := c.do("SELECT INBOX"); r.Status != wire.StatusBAD {
		t.Errorf("SELECT after refused logins: %s", r.Status)
	}
	// SCRAM sends no password: it is usable in the clear.
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	r = authSASL(c, &authScramClient{"SCRAM-SHA-256", cl.NewConversation()}, true)
	authWantCode(t, r, wire.StatusOK, "")
}

// TestAuthInsecureAuth: Server.InsecureAuth allows LOGIN in the clear.
func TestAuthInsecureAuth(t *testing.T) {
	ts := authNewServer(t, authOpts{remote: authRemote, configure: []func(*Server){
		func(s *Server) { s.InsecureAuth = true },
	}})
	c := ts.dial(t)
	caps := authCapsOf(c)
	if authHas(caps, imap.CapLoginDisabled) || !authHas(caps, "AUTH=PLAIN") {
		t.Errorf("caps %v", caps)
	}
	c.login()
}

// TestAuthLogin: LOGIN on loopback, the RFC 9051 §6.2.3 example form,
// with the capabilities in the OK (RFC 9051 §6.2.3) and the failures
// answered with AUTHENTICATIONFAILED, not saying which of user or password
// was wrong (§11).
func TestAuthLogin(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	c := ts.dial(t)
	caps := authCapsOf(c)
	for _, want := range []imap.Cap{"AUTH=PLAIN", "AUTH=LOGIN", "AUTH=SCRAM-SHA-256", imap.CapSASLIR} {
		if !authHas(caps, want) {
			t.Errorf("missing %s in %v", want, caps)
		}
	}
	if authHas(caps, "AUTH=EXTERNAL") || authHas(caps, "AUTH=OAUTHBEARER") || authHas(caps, "AUTH=SCRAM-SHA-256-PLUS") {
		t.Errorf("caps %v", caps)
	}
	_, r := c.do("LOGIN alice wrong")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	_, r2 := c.do("LOGIN nobody secret")
	authWantCode(t, r2, wire.StatusNO, imap.CodeAuthenticationFailed)
	if r.Text != r2.Text {
		t.Errorf("wrong password %q and unknown user %q differ", r.Text, r2.Text)
	}
	// The password as a literal (RFC 9051 §4.3).
	c.send("l1 LOGIN alice {6}")
	if r := c.read(); r.Kind != wire.KindContinuation {
		t.Fatalf("literal: %+v", r)
	}
	c.send("secret")
	_, r = c.until("l1")
	authWantCode(t, r, wire.StatusOK, imap.CodeCapability)
}

// TestAuthLoginCapabilityCode: a successful LOGIN carries CAPABILITY.
func TestAuthLoginCapabilityCode(t *testing.T) {
	ts := authNewServer(t, authOpts{})
	c := ts.dial(t)
	_, r := c.do("LOGIN alice secret")
	authWantCode(t, r, wire.StatusOK, imap.CodeCapability)
	if !authHas(r.Code.Caps, imap.CapUnauthenticate) {
		t.Errorf("caps after LOGIN: %v", r.Code.Caps)
	}
	if _, r := c.do("LOGIN alice secret"); r.Status != wire.StatusBAD {
		t.Errorf("second LOGIN: %s", r.Status)
	}
}

// TestAuthFailuresEndSession: failures are answered after a delay and the
// session ends with BYE after maxAuthFailures of them.
func TestAuthFailuresEndSession(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	c := ts.dial(t)
	for i := 1; i < maxAuthFailures; i++ {
		_, r := c.do("LOGIN alice wrong")
		authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	}
	// The last one: AUTHENTICATE counts as LOGIN does.
	u, r := c.do("AUTHENTICATE PLAIN " + authB64([]byte("\x00alice\x00wrong")))
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	if len(u) != 1 || u[0].Status != wire.StatusBYE {
		t.Fatalf("before the last NO: %s", kinds(u))
	}
	var resp wire.Response
	if err := c.dec.ReadResponse(&resp); err == nil {
		t.Fatalf("session goes on: %+v", resp)
	}
}

// TestAuthDelayGrows: the delay doubles from the first, up to the cap.
func TestAuthDelayGrows(t *testing.T) {
	want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second, 8 * time.Second}
	for i, w := range want {
		if got := authDelayFor(0, i+1); got != w {
			t.Errorf("failure %d: %v, want %v", i+1, got, w)
		}
	}
	if got := authDelayFor(time.Millisecond, 3); got != 4*time.Millisecond {
		t.Errorf("knob: %v", got)
	}
}

// ---- AUTHENTICATE ----------------------------------------------------------

// TestAuthenticatePlainRFCExamples replays RFC 9051 §6.2.2's PLAIN
// examples: with the initial response, and without it after an empty
// challenge ("+ " with the space).
func TestAuthenticatePlainRFCExamples(t *testing.T) {
	ts := authNewServer(t, authOpts{})
	c := ts.dial(t)
	_, r := c.do("AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=")
	authWantCode(t, r, wire.StatusOK, imap.CodeCapability)

	// Without the initial response: read the raw continuation.
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	br := bufio.NewReader(nc)
	if _, err := br.ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(nc, "A01 AUTHENTICATE PLAIN\r\n")
	line, err := br.ReadString('\n')
	if err != nil || line != "+ \r\n" {
		t.Fatalf("challenge %q %v, want \"+ \\r\\n\"", line, err)
	}
	fmt.Fprintf(nc, "dGVzdAB0ZXN0AHRlc3Q=\r\n")
	line, err = br.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "A01 OK ") {
		t.Fatalf("completion %q %v", line, err)
	}
}

// TestAuthenticatePlain drives go-sasl's PLAIN client with and without
// SASL-IR, and checks the authorization identity.
func TestAuthenticatePlain(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	for _, ir := range []bool{true, false} {
		c := ts.dial(t)
		r := authSASL(c, sasl.NewPlainClient("", "alice", "secret"), ir)
		authWantCode(t, r, wire.StatusOK, imap.CodeCapability)
		c.ok("SELECT INBOX")
	}
	c := ts.dial(t)
	r := authSASL(c, sasl.NewPlainClient("alice", "alice", "secret"), true)
	authWantCode(t, r, wire.StatusOK, "")
	c = ts.dial(t)
	r = authSASL(c, sasl.NewPlainClient("test", "alice", "secret"), true)
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthorizationFailed)
	r = authSASL(c, sasl.NewPlainClient("", "alice", "wrong"), false)
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	// A malformed PLAIN message is a failure, not a crash.
	_, r = c.do("AUTHENTICATE PLAIN =")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	_, r = c.do("AUTHENTICATE plain " + authB64([]byte("\x00alice\x00secret")))
	authWantCode(t, r, wire.StatusOK, "")
}

// TestAuthenticateLogin drives the LOGIN mechanism: the user name as the
// initial response (go-sasl's client), and the two challenges without it.
func TestAuthenticateLogin(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	c := ts.dial(t)
	r := authSASL(c, sasl.NewLoginClient("alice", "secret"), true)
	authWantCode(t, r, wire.StatusOK, "")

	c = ts.dial(t)
	c.send("l1 AUTHENTICATE LOGIN")
	for _, step := range []struct{ chal, resp string }{{"Username:", "alice"}, {"Password:", "wrong"}} {
		r := c.read()
		if r.Kind != wire.KindContinuation || r.Text != authB64([]byte(step.chal)) {
			t.Fatalf("challenge %+v, want %q", r, step.chal)
		}
		c.send(authB64([]byte(step.resp)))
	}
	_, r = c.until("l1")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
}

// TestAuthenticateCancelAndBadBase64: "*" cancels with BAD, invalid base64
// (in a response or the initial response) is BAD (RFC 9051 §6.2.2,
// RFC 4959), and the session stays usable.
func TestAuthenticateCancelAndBadBase64(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	c := ts.dial(t)
	for _, resp := range []string{"*", "AAA=BBB", "=AAA", "no spaces"} {
		c.send("x AUTHENTICATE PLAIN")
		if r := c.read(); r.Kind != wire.KindContinuation {
			t.Fatalf("%+v", r)
		}
		c.send(resp)
		_, r := c.until("x")
		if r.Status != wire.StatusBAD {
			t.Errorf("response %q: %s %s", resp, r.Status, r.Text)
		}
	}
	for _, ir := range []string{"=AAA", "AAA=BBB", "a%b"} {
		_, r := c.do("AUTHENTICATE PLAIN " + ir)
		if r.Status != wire.StatusBAD {
			t.Errorf("initial response %q: %s %s", ir, r.Status, r.Text)
		}
	}
	_, r := c.do("AUTHENTICATE NOSUCHMECH")
	authWantCode(t, r, wire.StatusNO, "")
	// Missing padding is tolerated.
	ir := base64.RawStdEncoding.EncodeToString([]byte("\x00alice\x00secret"))
	_, r = c.do("AUTHENTICATE PLAIN " + ir)
	authWantCode(t, r, wire.StatusOK, "")
}

// TestAuthenticateScram runs SCRAM-SHA-256 (RFC 7677) with xdg-go/scram's
// client, which checks the server's signature: with and without the
// initial response, a wrong password and an unknown user, which fails at
// the same step.
func TestAuthenticateScram(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond})
	for _, ir := range []bool{true, false} {
		c := ts.dial(t)
		cl, err := scram.SHA256.NewClient("alice", "secret", "")
		if err != nil {
			t.Fatal(err)
		}
		conv := cl.NewConversation()
		r := authSASL(c, &authScramClient{"SCRAM-SHA-256", conv}, ir)
		authWantCode(t, r, wire.StatusOK, imap.CodeCapability)
		if !conv.Valid() {
			t.Error("client did not validate the server")
		}
		c.ok("SELECT INBOX")
	}
	c := ts.dial(t)
	for _, u := range [][2]string{{"alice", "wrong"}, {"nobody", "secret"}} {
		cl, _ := scram.SHA256.NewClient(u[0], u[1], "")
		conv := cl.NewConversation()
		r := authSASL(c, &authScramClient{"SCRAM-SHA-256", conv}, true)
		authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	}
	// Authorization identity: only the user itself.
	cl, _ := scram.SHA256.NewClient("alice", "secret", "test")
	r := authSASL(c, &authScramClient{"SCRAM-SHA-256", cl.NewConversation()}, true)
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthorizationFailed)
}

// authTokens is an Authenticator that also takes bearer tokens.
type authTokens struct {
	*memstore.Backend
}

func (authTokens) AuthenticateToken(ctx context.Context, username, token string) (string, error) {
	if token == "good-token" && (username == "" || username == "alice") {
		return "alice", nil
	}
	return "", mailstore.ErrAuthFailed
}

// TestAuthenticateOAuthBearer: OAUTHBEARER (RFC 7628) is offered only
// with a TokenAuthenticator; a rejected token gets the JSON error
// challenge, then NO after the client's 0x01 (§3.2.3).
func TestAuthenticateOAuthBearer(t *testing.T) {
	ts := authNewServer(t, authOpts{failDelay: time.Millisecond, configure: []func(*Server){
		func(s *Server) { s.Authenticator = authTokens{s.Backend.(*memstore.Backend)} },
	}})
	c := ts.dial(t)
	if caps := authCapsOf(c); !authHas(caps, "AUTH=OAUTHBEARER") {
		t.Fatalf("caps %v", caps)
	}
	r := authSASL(c, sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: "alice", Token: "good-token", Host: "127.0.0.1", Port: 143}), true)
	authWantCode(t, r, wire.StatusOK, "")

	c = ts.dial(t)
	c.send("o1 AUTHENTICATE OAUTHBEARER " + authB64([]byte("n,a=alice,\x01auth=Bearer bad-token\x01\x01")))
	chal := c.read()
	if chal.Kind != wire.KindContinuation {
		t.Fatalf("%+v", chal)
	}
	js, _ := base64.StdEncoding.DecodeString(chal.Text)
	if !strings.Contains(string(js), `"status":"invalid_token"`) {
		t.Errorf("error challenge %s", js)
	}
	c.send("AQ==")
	_, r = c.until("o1")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	c = ts.dial(t) // a fresh session: each failure counts
	// An empty answer to the error challenge must not crash the server.
	c.send("o2 AUTHENTICATE OAUTHBEARER " + authB64([]byte("n,,\x01auth=Bearer bad-token\x01\x01")))
	c.read()
	c.send("")
	_, r = c.until("o2")
	authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	// Malformed messages.
	c = ts.dial(t)
	for _, msg := range []string{"x", "n,a=alice\x01", "n,,\x01auth=Basic x\x01\x01", "n,b=x,\x01auth=Bearer good-token\x01\x01"} {
		c.send("o3 AUTHENTICATE OAUTHBEARER " + authB64([]byte(msg)))
		if r := c.read(); r.Kind != wire.KindContinuation {
			t.Fatalf("%q: %+v", msg, r)
		}
		c.send("AQ==")
		_, r = c.until("o3")
		authWantCode(t, r, wire.StatusNO, imap.CodeAuthenticationFailed)
	}
	// The token alone names the user.
	c = ts.dial(t)
	_, r = c.do("AUTHENTICATE OAUTHBEARER " + authB64([]byte("n,,\x01auth=Bearer good-token\x01\x01")))
	authWantCode(t, r, wire.StatusOK, "")
}

// authFailingAuth is an Authenticator whose service is down.
type authFailingAuth struct{ *memstore.Backend }

func (authFailingAuth) Authenticate(ctx context.Context, username, password string) (string, error) {
	return "", errors.New("directory unreachable")
}

// TestAuthUnavailable: a failing authentication service is UNAVAILABLE
// and is not counted against the client.
func TestAuthUnavailable(t *testing.T) {
	ts := authNewServer(t, authOpts{configure: []func(*Server){
		func(s *Server) { s.Authenticator = authFailingAuth{s.Backend.(*memstore.Backend)} },
	}})
	c := ts.dial(t)
	for i := 0; i < maxAuthFailures+1; i++ {
		_, r := c.do("LOGIN alice secret")
		authWantCode(t, r, wire.StatusNO, imap.CodeUnavailable)
	}
	c.ok("NOOP")
}

// ---- UNAUTHENTICATE ----------------------------------------------------------

// TestUnauthenticate: RFC 8437 §3: back to not authenticated, the mailbox
// closed without expunging, ENABLE undone (§4.1); pipelined with a new
// AUTHENTICATE with SASL-IR, it re-authenticates in one round trip.
func TestUnauthenticate(t *testing.T) {
	ts := authNewServer(t, authOpts{})
	c := ts.dial(t)
	c.login()
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Append(context.Background(), "INBOX", strings.NewReader("Subject: x\r\n\r\nx\r\n"), &mailstore.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}}); err != nil {
		t.Fatal(err)
	}
	u := c.ok("ENABLE UTF8=ACCEPT")
	if len(u) != 1 || len(u[0].Caps) != 1 {
		t.Fatalf("ENABLE: %+v", u)
	}
	c.ok("SELECT INBOX")
	u = c.ok("UNAUTHENTICATE")
	if len(u) != 0 {
		t.Errorf("untagged: %s", kinds(u))
	}
	if _, r := c.do("SELECT INBOX"); r.Status != wire.StatusBAD {
		t.Errorf("SELECT after UNAUTHENTICATE: %s", r.Status)
	}
	if caps := authCapsOf(c); !authHas(caps, "AUTH=PLAIN") {
		t.Errorf("caps %v", caps)
	}
	c.send("u1 UNAUTHENTICATE", "u2 AUTHENTICATE PLAIN "+authB64([]byte("\x00test\x00test")))
	if _, r := c.until("u1"); r.Status != wire.StatusBAD {
		t.Errorf("UNAUTHENTICATE when not authenticated: %s", r.Status)
	}
	if _, r := c.until("u2"); r.Status != wire.StatusOK {
		t.Fatalf("AUTHENTICATE: %s", r.Status)
	}
	c.send("u3 UNAUTHENTICATE", "u4 AUTHENTICATE PLAIN "+authB64([]byte("\x00alice\x00secret")))
	if _, r := c.until("u3"); r.Status != wire.StatusOK {
		t.Errorf("UNAUTHENTICATE: %s", r.Status)
	}
	if _, r := c.until("u4"); r.Status != wire.StatusOK {
		t.Fatalf("AUTHENTICATE: %s", r.Status)
	}
	u = c.ok("ENABLE UTF8=ACCEPT")
	if len(u) != 1 || len(u[0].Caps) != 1 {
		t.Errorf("ENABLE after UNAUTHENTICATE: %+v", u)
	}
	u = c.ok("SELECT INBOX")
	for _, r := range u {
		if r.Kind == wire.KindExists && r.Num != 1 {
			t.Errorf("EXISTS %d: the mailbox was expunged", r.Num)
		}
	}
}
