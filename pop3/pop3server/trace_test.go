package pop3server

import (
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/pop3"
)

// TestTraceHidesCredentials: passwords, APOP digests, initial responses,
// SASL exchanges in both directions and message contents never reach the
// trace; the commands themselves do.
func TestTraceHidesCredentials(t *testing.T) {
	trace := &mailtest.SyncBuffer{}
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Trace = trace
		s.Limits.MaxAuthFailures = 100
	}}})
	ts.add(t, "alice", "Subject: topsecretsubject\r\n\r\nsecretbody\r\n")
	c := ts.dial(t)
	c.ok("USER alice")
	c.fail("PASS wrongpassword1", pop3.CodeAuth)
	c.ok("USER alice")
	c.fail("PASS   wrong password2  ", pop3.CodeAuth)
	c.fail("pass", "")
	c.fail("APOP alice 0123456789abcdef0123456789abcdef", pop3.CodeAuth)
	c.fail("APOP 0123456789abcdef0123456789abcdee", "")
	c.fail("AUTH PLAIN "+b64("\x00alice\x00wrongpassword3"), pop3.CodeAuth)
	c.fail("auth\tplain   "+b64("\x00alice\x00wrongpassword4"), pop3.CodeAuth)
	if r := authSASL(c, "LOGIN", sasl.NewLoginClient("alice", "wrongpassword5"), false); r.OK {
		t.Fatal("LOGIN succeeded")
	}
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	if r := authSASL(c, "SCRAM-SHA-256", scramClient{cl.NewConversation()}, false); !r.OK {
		t.Fatalf("SCRAM: %+v", r)
	}
	c.ok("RETR 1")
	c.body()
	c.ok("TOP 1 5")
	c.body()
	c.ok("QUIT")
	c.closed()

	out := trace.String()
	for _, secret := range []string{
		"wrongpassword", "password2", "0123456789abcdef", "wrongpassword3", "wrongpassword4",
		b64("\x00alice\x00wrongpassword3"), b64("wrongpassword5"), b64("alice"), "n=alice", "r=", "topsecretsubject", "secretbody",
	} {
		if strings.Contains(out, secret) {
			t.Errorf("trace shows %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{
		"C: USER alice\n", "C: PASS ***\n", "C: pass\n", "C: APOP alice ***\n", "C: APOP ***\n",
		"C: AUTH PLAIN ***\n", "C: auth plain ***\n", "C: AUTH LOGIN\n", "S: + ***\n", "C: ***\n",
		"C: AUTH SCRAM-SHA-256\n", "S: + \n", "S: +OK 41 octets\n", "S: [41 octets of message]\n", "S: .\n",
		"* authenticated as alice\n", "S: -ERR [AUTH] Authentication failed\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		id, _, _ := strings.Cut(l, " ")
		if len(id) != 8 {
			t.Errorf("line without a connection id: %q", l)
		}
	}
}

// TestRedactCommand: the raw-line redaction, malformed lines included.
func TestRedactCommand(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"PASS x", "PASS ***"},
		{" \tpAsS  x y ", "pAsS ***"},
		{"PASS", "PASS"},
		{"PASS ", "PASS "},
		{"APOP u d", "APOP u ***"},
		{"APOP u", "APOP ***"},
		{"APOP", "APOP"},
		{"AUTH PLAIN", "AUTH PLAIN"},
		{"AUTH PLAIN =", "AUTH PLAIN ="},
		{"AUTH PLAIN abc= extra", "AUTH PLAIN ***"},
		{"USER alice", "USER alice"},
		{"RETR 1", "RETR 1"},
		{"", ""},
	} {
		if got := string(redactCommand([]byte(tc.in))); got != tc.out {
			t.Errorf("%q: %q, want %q", tc.in, got, tc.out)
		}
	}
}

// TestCapaTraceAndBadImplementation: CAPA's lines reach the trace as sent,
// and an Implementation the codec refuses (CR, LF) is left out while the
// rest of the listing and the session go on.
func TestCapaTraceAndBadImplementation(t *testing.T) {
	trace := &mailtest.SyncBuffer{}
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Trace = trace
		s.Implementation = "Evil\r\nPIPELINING"
	}}})
	c := ts.dial(t)
	c.ok("CAPA")
	lines := c.listing()
	for _, l := range lines {
		if strings.HasPrefix(l, "IMPLEMENTATION") {
			t.Errorf("CAPA announces %q", l)
		}
	}
	if !slices.Contains(lines, "UTF8 USER") || !slices.Contains(lines, "TOP") {
		t.Errorf("CAPA %q", lines)
	}
	c.ok("QUIT")
	c.closed()
	out := trace.String()
	for _, want := range []string{"S: TOP\n", "S: UIDL\n", "S: UTF8 USER\n", "S: .\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "IMPLEMENTATION") || strings.Contains(out, "Evil") {
		t.Errorf("trace shows the refused capability:\n%s", out)
	}
}
