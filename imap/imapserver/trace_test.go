package imapserver

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/mailtest"
)

// TestTraceHidesCredentials runs every way of sending a password and
// checks that the trace has the protocol but neither the password, nor
// any SASL response, nor literal contents.
func TestTraceHidesCredentials(t *testing.T) {
	var tr mailtest.SyncBuffer
	ts := authNewServer(t, authOpts{configure: []func(*Server){func(s *Server) { s.Trace = &tr }}})
	c := ts.dial(t)
	c.ok("LOGIN alice secret")
	c.ok("UNAUTHENTICATE")
	c.ok(`LOGIN "alice" "secret"`)
	c.ok("UNAUTHENTICATE")
	c.send(`l1 LOGIN "alice" {6}`)
	if r := c.read(); r.Kind != wire.KindContinuation {
		t.Fatalf("%+v", r)
	}
	c.send("secret")
	if _, r := c.until("l1"); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	c.ok("UNAUTHENTICATE")
	c.ok("LOGIN {5+}\r\nalice {6+}\r\nsecret")
	c.ok("UNAUTHENTICATE")
	if r := authSASL(c, sasl.NewPlainClient("", "alice", "secret"), true); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	c.ok("UNAUTHENTICATE")
	if r := authSASL(c, sasl.NewPlainClient("", "alice", "secret"), false); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	c.ok("UNAUTHENTICATE")
	c.send("x1 AUTHENTICATE LOGIN")
	c.read()
	c.send("*")
	c.until("x1")
	if r := authSASL(c, sasl.NewLoginClient("alice", "secret"), true); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	c.ok("UNAUTHENTICATE")
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	if r := authSASL(c, &authScramClient{"SCRAM-SHA-256", cl.NewConversation()}, true); r.Status != wire.StatusOK {
		t.Fatal(r.Status)
	}
	msg := "Subject: private matters\r\n\r\nconfidential\r\n"
	c.send(fmt.Sprintf("a1 APPEND INBOX {%d}", len(msg)))
	c.read()
	c.send(msg[:len(msg)-2], "")
	c.until("a1")
	c.ok("SELECT INBOX")
	c.ok("FETCH 1 BODY[]")
	c.ok("LOGOUT")
	c.nc.Close()

	got := tr.String()
	for _, secret := range []string{
		"secret", "confidential", "private",
		base64.StdEncoding.EncodeToString([]byte("secret")),
		base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret")),
		base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret"))[:12],
	} {
		if strings.Contains(got, secret) {
			t.Errorf("trace holds %q:\n%s", secret, got)
		}
	}
	for _, want := range []string{
		" C: t1 LOGIN alice ***\n",
		` C: t3 LOGIN "alice" ***` + "\n",
		` C: l1 LOGIN "alice" ***` + "\n",
		" S: + Ready for literal data\n",
		" C: t6 LOGIN ***\n",
		" AUTHENTICATE PLAIN ***\n",
		" AUTHENTICATE PLAIN\n",
		" S: + \n",
		" C: *\n",
		" S: x1 BAD ",
		" AUTHENTICATE SCRAM-SHA-256 ***\n",
		fmt.Sprintf(" C: a1 APPEND INBOX {%d}\n", len(msg)),
		fmt.Sprintf(" C: [%d octets]\n", len(msg)),
		fmt.Sprintf("BODY[] {%d}\n", len(msg)),
		fmt.Sprintf(" S: [%d octets] FLAGS (", len(msg)),
		" S: * BYE ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks %q:\n%s", want, got)
		}
	}
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	id, _, _ := strings.Cut(lines[0], " ")
	if len(id) != 8 || !strings.Contains(lines[0], " * connected from 127.0.0.1:") {
		t.Errorf("first line %q", lines[0])
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, id+" C: ") && !strings.HasPrefix(l, id+" S: ") && !strings.HasPrefix(l, id+" * ") {
			t.Errorf("line %q", l)
		}
	}
	// SASL responses: every client line between an AUTHENTICATE and its
	// completion is hidden.
	for i, l := range lines {
		if strings.Contains(l, " C: ") && strings.Contains(l, " AUTHENTICATE ") {
			for _, m := range lines[i+1:] {
				if strings.Contains(m, " S: s") || strings.Contains(m, " S: x1 ") {
					break
				}
				if strings.Contains(m, " C: ") && !strings.HasSuffix(m, " C: ***") && !strings.HasSuffix(m, " C: *") && !strings.HasSuffix(m, " C: ") {
					t.Errorf("SASL response shown: %q", m)
				}
			}
		}
	}
}

// TestTraceSTARTTLS: after STARTTLS the trace goes on with the decrypted
// protocol, says that TLS started, and still hides the password.
func TestTraceSTARTTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	var tr mailtest.SyncBuffer
	ts := authNewServer(t, authOpts{configure: []func(*Server){
		func(s *Server) { s.Trace = &tr },
		authWithTLS(pki.ServerConfig()),
	}})
	c := ts.dial(t)
	authStartTLS(t, c, pki.ClientConfig())
	c.ok("LOGIN alice secret")
	c.ok("LOGOUT")
	got := tr.String()
	if strings.Contains(got, "secret") {
		t.Errorf("password in trace:\n%s", got)
	}
	for _, want := range []string{" C: t1 STARTTLS\n", " S: t1 OK Begin TLS negotiation now\n", " * TLS started: TLS 1.3 ", " C: t2 LOGIN alice ***\n", " S: t3 OK LOGOUT completed\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks %q:\n%s", want, got)
		}
	}
}

// authTraceStep is one burst of traffic in a scripted trace.
type authTraceStep struct {
	client bool
	data   string
}

// authRunTrace feeds a script to a tracer, split into chunks of n octets
// (0: whole), and returns the trace.
func authRunTrace(script []authTraceStep, n int) string {
	var out bytes.Buffer
	tr := &tracer{w: &out, id: "id"}
	tr.reset()
	for _, s := range script {
		data := []byte(s.data)
		for len(data) > 0 {
			k := len(data)
			if n > 0 {
				k = min(n, k)
			}
			if s.client {
				tr.fromClient(data[:k])
			} else {
				tr.fromServer(data[:k])
			}
			data = data[k:]
		}
	}
	return out.String()
}

// TestTraceScript checks the trace of a scripted exchange line by line,
// and that it does not depend on how the octets are split.
func TestTraceScript(t *testing.T) {
	long := strings.Repeat("x", traceMaxLine+100)
	script := []authTraceStep{
		{false, "* OK ready\r\n"},
		{true, "a LOGIN alice {6}\r\n"},
		{false, "+ Ready for literal data\r\n"},
		{true, "secret\r\n"},
		{false, "a OK done\r\n"},
		// A synchronizing literal the server refuses: the client sends
		// the next command instead of the data.
		{true, "b APPEND INBOX {99999999999}\r\n"},
		{false, "b NO [TOOBIG] Message too big\r\n"},
		{true, "c NOOP\r\n"},
		{false, "c OK NOOP completed\r\n"},
		// An exchange with a cancelled AUTHENTICATE and one that fails.
		{true, "d AUTHENTICATE PLAIN\r\n"},
		{false, "+ \r\n"},
		{true, "*\r\n"},
		{false, "d BAD AUTHENTICATE cancelled\r\n"},
		{true, "e authenticate plain AGFsaWNlAHNlY3JldA==\r\n"},
		{false, "e NO [AUTHENTICATIONFAILED] Authentication failed\r\n"},
		{true, "f AUTHENTICATE LOGIN\r\n"},
		{false, "+ VXNlcm5hbWU6\r\n"},
		{true, "YWxpY2U=\r\n"},
		{false, "+ UGFzc3dvcmQ6\r\n"},
		{true, "c2VjcmV0\r\n"},
		{false, "f OK [CAPABILITY IMAP4rev2] LOGIN completed\r\n"},
		// Literals both ways, control characters, an over-long line
		// that ends with a literal.
		{true, "g APPEND INBOX (\\Seen) {5+}\r\nhello ~{3+}\r\n\x00\x01\x02\r\n"},
		{false, "g OK [APPENDUID 1 1] APPEND completed\r\n"},
		{true, "h FETCH 1 (BODY[])\r\n"},
		{false, "* 1 FETCH (BODY[] {5}\r\nhello)\r\nh OK done\r\n"},
		{true, "i X" + long + " {3+}\r\nabc\r\n"},
		{false, "i BAD \x1b[31mred\r\n"},
	}
	want := strings.Join([]string{
		"id S: * OK ready",
		"id C: a LOGIN alice ***",
		"id S: + Ready for literal data",
		"id C: ***",
		"id S: a OK done",
		"id C: b APPEND INBOX {99999999999}",
		"id S: b NO [TOOBIG] Message too big",
		"id C: c NOOP",
		"id S: c OK NOOP completed",
		"id C: d AUTHENTICATE PLAIN",
		"id S: + ",
		"id C: *",
		"id S: d BAD AUTHENTICATE cancelled",
		"id C: e AUTHENTICATE plain ***",
		"id S: e NO [AUTHENTICATIONFAILED] Authentication failed",
		"id C: f AUTHENTICATE LOGIN",
		"id S: + VXNlcm5hbWU6",
		"id C: ***",
		"id S: + UGFzc3dvcmQ6",
		"id C: ***",
		"id S: f OK [CAPABILITY IMAP4rev2] LOGIN completed",
		"id C: g APPEND INBOX (\\Seen) {5+}",
		"id C: [5 octets] ~{3+}",
		"id C: [3 octets]",
		"id S: g OK [APPENDUID 1 1] APPEND completed",
		"id C: h FETCH 1 (BODY[])",
		"id S: * 1 FETCH (BODY[] {5}",
		"id S: [5 octets])",
		"id S: h OK done",
		"id C: i X" + long[:traceMaxLine-3] + " [+108 octets]",
		"id C: [3 octets]",
		"id S: i BAD \\x1b[31mred",
	}, "\n") + "\n"
	whole := authRunTrace(script, 0)
	if whole != want {
		t.Errorf("trace:\n%s\nwant:\n%s", whole, want)
	}
	for _, n := range []int{1, 2, 3, 7, 64} {
		if got := authRunTrace(script, n); got != whole {
			t.Errorf("in chunks of %d:\n%s", n, got)
		}
	}
}

// TestTraceOff: without Server.Trace the stream is not wrapped.
func TestTraceOff(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	c := newConn(&Server{}, a)
	defer c.cancel()
	if _, ok := c.rw.(*tracedStream); ok {
		t.Error("traced without Server.Trace")
	}
	c2 := newConn(&Server{Trace: io.Discard}, b)
	defer c2.cancel()
	if _, ok := c2.rw.(*tracedStream); !ok {
		t.Error("not traced with Server.Trace")
	}
}

// FuzzTrace feeds arbitrary traffic, split arbitrarily, to a tracer: it
// must not panic, every trace line must be one line with the id, and a
// password sent with LOGIN at the start of the client's stream must not
// show.
func FuzzTrace(f *testing.F) {
	f.Add([]byte("a LOGIN u {3}\r\nabc\r\n"), []byte("+ go\r\n* 1 FETCH (BODY[] {2}\r\nxy)\r\n"), uint8(3))
	f.Add([]byte("a AUTHENTICATE PLAIN\r\nAGEAYg==\r\n{}\r\n~{1+}\r\n\x00"), []byte("+ \r\na OK\r\n{0}\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, client, server []byte, chunk uint8) {
		var out bytes.Buffer
		tr := &tracer{w: &out, id: "id"}
		tr.reset()
		tr.fromClient([]byte("p LOGIN user PASSWORD\r\n"))
		n := int(chunk%16) + 1
		for len(client) > 0 || len(server) > 0 {
			k := min(n, len(client))
			tr.fromClient(client[:k])
			client = client[k:]
			k = min(n, len(server))
			tr.fromServer(server[:k])
			server = server[k:]
		}
		got := out.String()
		if strings.Contains(got, "PASSWORD") {
			t.Fatalf("password shown:\n%s", got)
		}
		for _, l := range strings.SplitAfter(got, "\n") {
			if l != "" && (!strings.HasPrefix(l, "id ") || !strings.HasSuffix(l, "\n")) {
				t.Fatalf("line %q", l)
			}
		}
	})
}
