package pop3server

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/pop3"
)

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestCapaRFC2449Example: the capabilities of RFC 2449 §5's example, with
// the server configured as that server was (LOGIN-DELAY 900, EXPIRE 60,
// the implementation), in both states.
func TestCapaRFC2449Example(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.LoginDelay = 900 * time.Second
		s.Expire = 60 * 24 * time.Hour
		s.Implementation = "Shlemazle-Plotz-v302"
	}}})
	want := []string{"TOP", "USER", "RESP-CODES", "LOGIN-DELAY 900", "PIPELINING", "EXPIRE 60", "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302"}
	check := func(c *client) pop3.Capabilities {
		c.ok("CAPA")
		lines := c.listing()
		for _, w := range want {
			if !slices.Contains(lines, w) {
				t.Errorf("CAPA lacks %q: %q", w, lines)
			}
		}
		var caps pop3.Capabilities
		for _, l := range lines {
			cp, err := pop3.ParseCapability([]byte(l), pop3.Strict)
			if err != nil {
				t.Fatal(err)
			}
			caps = append(caps, cp)
		}
		for _, name := range []string{"SASL", "AUTH-RESP-CODE", "UTF8"} {
			if !caps.Has(name) {
				t.Errorf("CAPA lacks %s: %q", name, lines)
			}
		}
		if !caps.HasSASL("PLAIN") || !caps.HasSASL("SCRAM-SHA-256") {
			t.Errorf("SASL %v", caps.SASL())
		}
		return caps
	}
	c := ts.dial(t)
	check(c)
	c.login("alice", "secret")
	check(c)

	ts = newTestServer(t, testOpts{})
	c = ts.dial(t)
	caps := c.capa()
	if e, _ := caps.Get("EXPIRE"); !slices.Equal(e.Params, []string{"NEVER"}) {
		t.Errorf("default EXPIRE %v", e.Params)
	}
	if caps.Has("LOGIN-DELAY") || caps.Has("IMPLEMENTATION") || caps.Has("STLS") {
		t.Errorf("caps %v", caps)
	}
	ts.srv.Expire = ExpireAtOnce
	c = ts.dial(t)
	if e, _ := c.capa().Get("EXPIRE"); !slices.Equal(e.Params, []string{"0"}) {
		t.Errorf("EXPIRE %v", e.Params)
	}
}

// TestAuthRFC5034Examples: RFC 5034 §6's AUTH PLAIN examples under TLS,
// with and without the initial response; PLAIN is offered only after STLS
// on a connection from elsewhere.
func TestAuthRFC5034Examples(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{remote: true, configure: []func(*Server){withTLS(pki.ServerConfig())}})
	c := ts.dial(t)
	caps := c.capa()
	if caps.HasSASL("PLAIN") || !caps.Has("STLS") || caps.Has("USER") {
		t.Errorf("CAPA in the clear: %v", caps)
	}
	c.startTLS(pki.ClientConfig())
	caps = c.capa()
	if !caps.HasSASL("PLAIN") || caps.Has("STLS") || !caps.Has("USER") {
		t.Errorf("CAPA under TLS: %v", caps)
	}
	c.ok("AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=")
	c.ok("STAT")
	c.ok("QUIT")

	c = ts.dial(t)
	c.startTLS(pki.ClientConfig())
	c.send("AUTH PLAIN")
	line, err := c.r.ReadLine()
	if err != nil || string(line) != "+ " {
		t.Fatalf("empty challenge: %q %v", line, err)
	}
	c.ok("dGVzdAB0ZXN0AHRlc3Q=")
	c.ok("STAT")
}

// TestAuthCancel: "*" cancels with -ERR (RFC 5034 §4), as does a response
// that is not Base64; the session stays in the AUTHORIZATION state and
// neither counts as a failure.
func TestAuthCancel(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxAuthFailures = 1 }}})
	c := ts.dial(t)
	for _, resp := range []string{"*", "not base64!", "AAA=BBB"} {
		c.send("AUTH PLAIN")
		if ch, r, err := c.r.ReadChallenge(); err != nil || r != nil || len(ch) != 0 {
			t.Fatalf("challenge %q %v %v", ch, r, err)
		}
		if r := c.fail(resp, ""); resp == "*" && r.Text != "Authentication cancelled" {
			t.Errorf("cancel: %q", r.Text)
		}
	}
	c.fail("AUTH PLAIN ***", "") // a malformed initial response
	c.fail("AUTH CRAM-MD5", "")  // not offered
	c.ok("AUTH PLAIN " + b64("\x00alice\x00secret"))
}

// TestAuthListing: a bare AUTH lists the mechanisms offered now.
func TestAuthListing(t *testing.T) {
	ts := newTestServer(t, testOpts{remote: true})
	c := ts.dial(t)
	c.ok("AUTH")
	if l := c.listing(); !slices.Equal(l, []string{"SCRAM-SHA-256"}) {
		t.Errorf("AUTH in the clear from elsewhere: %q", l)
	}
	ts = newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Authenticator = tokens{s.Authenticator.(*memstore.Backend)}
	}}})
	c = ts.dial(t)
	c.ok("AUTH")
	if l := c.listing(); !slices.Equal(l, []string{"SCRAM-SHA-256", "PLAIN", "LOGIN", "OAUTHBEARER"}) {
		t.Errorf("AUTH on loopback: %q", l)
	}
}

// TestPlaintextRefused: from elsewhere without TLS, USER, PASS and the
// plaintext mechanisms are refused with [AUTH] even with the right
// password; APOP and SCRAM work; InsecureAuth allows them.
func TestPlaintextRefused(t *testing.T) {
	ts := newTestServer(t, testOpts{remote: true})
	c := ts.dial(t)
	c.fail("USER alice", pop3.CodeAuth)
	c.fail("PASS secret", "")
	c.fail("AUTH PLAIN "+b64("\x00alice\x00secret"), pop3.CodeAuth)
	c.fail("AUTH LOGIN", pop3.CodeAuth)
	c.ok("APOP alice " + pop3.APOPDigest(c.greeting.Timestamp(), "secret"))
	c.ok("QUIT")

	c = ts.dial(t)
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	if r := authSASL(c, "SCRAM-SHA-256", scramClient{cl.NewConversation()}, true); !r.OK {
		t.Errorf("SCRAM: %+v", r)
	}
	c.ok("QUIT")

	ts.srv.InsecureAuth = true
	c = ts.dial(t)
	if !c.capa().Has("USER") {
		t.Error("no USER with InsecureAuth")
	}
	c.login("alice", "secret")
}

// saslClient is a sasl.Client; scramClient adapts xdg-go/scram's.
type scramClient struct{ conv *scram.ClientConversation }

func (s scramClient) Start() (string, []byte, error) {
	first, err := s.conv.Step("")
	return "SCRAM-SHA-256", []byte(first), err
}

func (s scramClient) Next(challenge []byte) ([]byte, error) {
	if s.conv.Done() {
		return nil, nil
	}
	out, err := s.conv.Step(string(challenge))
	return []byte(out), err
}

// authSASL runs AUTH with a client mechanism, with or without the initial
// response, and returns the final status line.
func authSASL(c *client, mech string, cl sasl.Client, ir bool) pop3.Response {
	c.t.Helper()
	_, first, err := cl.Start()
	if err != nil {
		c.t.Fatal(err)
	}
	if ir {
		c.send("AUTH " + mech + " " + pop3.EncodeInitialResponse(first))
	} else {
		c.send("AUTH " + mech)
	}
	pending := !ir
	for {
		ch, r, err := c.r.ReadChallenge()
		if err != nil {
			c.t.Fatalf("AUTH %s: %v", mech, err)
		}
		if r != nil {
			return *r
		}
		var resp []byte
		if pending {
			resp, pending = first, false
		} else if resp, err = cl.Next(ch); err != nil {
			c.send("*")
			continue
		}
		c.send(base64.StdEncoding.EncodeToString(resp))
	}
}

// TestAuthMechanisms runs LOGIN and SCRAM-SHA-256 (whose client checks the
// server's signature), with and without initial responses, and their
// failures: [AUTH] for bad credentials, including an unknown user under
// SCRAM, which fails at the same step.
func TestAuthMechanisms(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxAuthFailures = 100 }}})
	for _, ir := range []bool{true, false} {
		c := ts.dial(t)
		if r := authSASL(c, "LOGIN", sasl.NewLoginClient("alice", "secret"), ir); !r.OK {
			t.Errorf("LOGIN ir=%v: %+v", ir, r)
		}
		c.ok("QUIT")
		c = ts.dial(t)
		cl, _ := scram.SHA256.NewClient("alice", "secret", "")
		conv := cl.NewConversation()
		if r := authSASL(c, "SCRAM-SHA-256", scramClient{conv}, ir); !r.OK {
			t.Errorf("SCRAM ir=%v: %+v", ir, r)
		}
		if !conv.Valid() {
			t.Error("the client did not validate the server")
		}
		c.ok("QUIT")
	}
	c := ts.dial(t)
	if r := authSASL(c, "LOGIN", sasl.NewLoginClient("alice", "wrong"), true); r.OK || r.Code != pop3.CodeAuth {
		t.Errorf("LOGIN wrong: %+v", r)
	}
	for _, u := range [][3]string{{"alice", "wrong", ""}, {"nobody", "secret", ""}, {"alice", "secret", "test"}} {
		cl, _ := scram.SHA256.NewClient(u[0], u[1], u[2])
		if r := authSASL(c, "SCRAM-SHA-256", scramClient{cl.NewConversation()}, true); r.OK || r.Code != pop3.CodeAuth {
			t.Errorf("SCRAM %v: %+v", u, r)
		}
	}
	if r := authSASL(c, "PLAIN", sasl.NewPlainClient("test", "alice", "secret"), true); r.OK || r.Code != pop3.CodeAuth || !strings.Contains(r.Text, "identity") {
		t.Errorf("PLAIN for another identity: %+v", r)
	}
	if r := authSASL(c, "PLAIN", sasl.NewPlainClient("alice", "alice", "secret"), true); !r.OK {
		t.Errorf("PLAIN for itself: %+v", r)
	}
}

// tokens is an Authenticator that also takes bearer tokens.
type tokens struct{ *memstore.Backend }

func (tokens) AuthenticateToken(ctx context.Context, username, token string) (string, error) {
	if token == "good-token" && (username == "" || username == "alice") {
		return "alice", nil
	}
	return "", mailstore.ErrAuthFailed
}

// TestAuthOAuthBearer: OAUTHBEARER (RFC 7628) with a TokenAuthenticator;
// a rejected token gets the JSON error challenge, then -ERR [AUTH] after
// the client's 0x01 (§3.2.3).
func TestAuthOAuthBearer(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Authenticator = tokens{s.Authenticator.(*memstore.Backend)}
	}}})
	c := ts.dial(t)
	if !c.capa().HasSASL("OAUTHBEARER") {
		t.Fatal("no OAUTHBEARER")
	}
	cl := sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: "alice", Token: "good-token", Host: "127.0.0.1", Port: 110})
	if r := authSASL(c, "OAUTHBEARER", cl, true); !r.OK {
		t.Fatalf("OAUTHBEARER: %+v", r)
	}
	c = ts.dial(t)
	c.send("AUTH OAUTHBEARER " + b64("n,a=alice,\x01auth=Bearer bad-token\x01\x01"))
	ch, r, err := c.r.ReadChallenge()
	if err != nil || r != nil || !strings.Contains(string(ch), `"status":"invalid_token"`) {
		t.Fatalf("error challenge %q %v %v", ch, r, err)
	}
	c.fail("AQ==", pop3.CodeAuth)
}

// failingAuth is an Authenticator whose service is down.
type failingAuth struct{}

func (failingAuth) Authenticate(ctx context.Context, username, password string) (string, error) {
	return "", errors.New("directory unreachable")
}

// TestAuthUnavailable: a failing authentication service is [SYS/TEMP]
// and is not counted against the client.
func TestAuthUnavailable(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Authenticator = failingAuth{}
		s.Limits.MaxAuthFailures = 2
	}}})
	c := ts.dial(t)
	for i := 0; i < 5; i++ {
		c.ok("USER alice")
		c.fail("PASS secret", pop3.CodeSysTemp)
	}
	c.ok("CAPA")
	c.listing()
}

// TestAuthFailuresEndSession: each failure is [AUTH]; after
// MaxAuthFailures the server closes the connection.
func TestAuthFailuresEndSession(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxAuthFailures = 3 }}})
	c := ts.dial(t)
	for i := 0; i < 3; i++ {
		c.ok("USER alice")
		c.fail("PASS wrong", pop3.CodeAuth)
	}
	if !c.closed() {
		t.Error("connection open after 3 failures")
	}
}

// TestAuthFailureDelay: the delay doubles with each failure from
// Limits.AuthFailureDelay, up to 16 times it.
func TestAuthFailureDelay(t *testing.T) {
	lim := Limits{AuthFailureDelay: 100 * time.Millisecond}.withDefaults()
	var got []time.Duration
	for f := 1; f <= 7; f++ {
		got = append(got, failureDelay(lim, f))
	}
	want := []time.Duration{100, 200, 400, 800, 1600, 1600, 1600}
	for i := range want {
		if got[i] != want[i]*time.Millisecond {
			t.Errorf("delays %v", got)
			break
		}
	}
	if d := failureDelay(Limits{}.withDefaults(), 1); d != DefaultAuthFailureDelay {
		t.Errorf("default delay %v", d)
	}
}

// TestLoginDelay: a second login within LoginDelay is refused with
// [LOGIN-DELAY] once the credentials are checked (wrong ones still get
// [AUTH]); another user is not delayed.
func TestLoginDelay(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.LoginDelay = time.Hour }}})
	c := ts.dial(t)
	if d, _ := c.capa().Get("LOGIN-DELAY"); !slices.Equal(d.Params, []string{"3600"}) {
		t.Errorf("LOGIN-DELAY %v", d.Params)
	}
	c.login("alice", "secret")
	c.ok("QUIT")
	c = ts.dial(t)
	c.ok("USER alice")
	c.fail("PASS wrong", pop3.CodeAuth)
	c.ok("USER alice")
	c.fail("PASS secret", pop3.CodeLoginDelay)
	c.fail("AUTH PLAIN "+b64("\x00alice\x00secret"), pop3.CodeLoginDelay)
	c.login("mrose", "tanstaaf")

	// Past the delay, the login is accepted.
	ts.srv.mu.Lock()
	ts.srv.logins["alice"] = time.Now().Add(-2 * time.Hour)
	ts.srv.mu.Unlock()
	c = ts.dial(t)
	c.login("alice", "secret")
}

// TestUTF8: the UTF8 command (RFC 6856 §2.1), a user name in UTF-8,
// malformed UTF-8 refused, and STLS refused after UTF8.
func TestUTF8(t *testing.T) {
	pki := mailtest.NewCA(t)
	ts := newTestServer(t, testOpts{configure: []func(*Server){withTLS(pki.ServerConfig()), func(s *Server) {
		s.Backend.(*memstore.Backend).AddUser("jösé", "pässwörd")
	}}})
	ts.add(t, "jösé", msg("1", 100))
	c := ts.dial(t)
	if u, _ := c.capa().Get("UTF8"); !slices.Equal(u.Params, []string{"USER"}) {
		t.Errorf("UTF8 %v", u.Params)
	}
	c.fail("UTF8 x", "")
	c.ok("UTF8")
	c.fail("STLS", "")
	c.fail("USER \xff\xfe", "")
	c.login("jösé", "pässwörd")
	c.ok("STAT")
}
