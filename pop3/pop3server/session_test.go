package pop3server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// TestAPOPDigestRFCExample checks the digest of RFC 1939 §7's example,
// with the codec's APOPDigest and with the server's comparison.
func TestAPOPDigestRFCExample(t *testing.T) {
	const ts, secret, digest = "<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", "c4c9334bac560ecc979e58001b3e22fb"
	if got := pop3.APOPDigest(ts, secret); got != digest {
		t.Errorf("APOPDigest = %s, want %s", got, digest)
	}
	if !apopMatch(ts, secret, digest) || !apopMatch(ts, secret, strings.ToUpper(digest)) {
		t.Error("apopMatch refuses RFC 1939's digest")
	}
	for _, bad := range []string{"", "c4c9334bac560ecc979e58001b3e22fc", digest + "0", "tanstaaf"} {
		if apopMatch(ts, secret, bad) {
			t.Errorf("apopMatch accepts %q", bad)
		}
	}
}

// TestRFC1939Session replays the example session of RFC 1939 §10 against
// both stores: APOP with the greeting's timestamp, STAT, LIST, RETR, DELE
// of both messages (120 and 200 octets) and QUIT, which empties the
// maildrop.
func TestRFC1939Session(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			m1, m2 := msg("one", 120), msg("two", 200)
			ts.add(t, "mrose", m1, m2)
			c := ts.dial(t)
			stamp := c.greeting.Timestamp()
			if !strings.HasPrefix(stamp, "<") || !strings.Contains(stamp, "@") {
				t.Fatalf("greeting %q has no APOP timestamp", c.greeting.Text)
			}
			r := c.ok("APOP mrose " + pop3.APOPDigest(stamp, "tanstaaf"))
			if !strings.Contains(r.Text, "2 messages (320 octets)") {
				t.Errorf("APOP: %q", r.Text)
			}
			if r := c.ok("STAT"); r.Text != "2 320" {
				t.Errorf("STAT: %q", r.Text)
			}
			r = c.ok("LIST")
			if r.Text != "2 messages (320 octets)" {
				t.Errorf("LIST: %q", r.Text)
			}
			if l := c.listing(); !slices.Equal(l, []string{"1 120", "2 200"}) {
				t.Errorf("LIST: %q", l)
			}
			if r := c.ok("RETR 1"); r.Text != "120 octets" {
				t.Errorf("RETR 1: %q", r.Text)
			}
			if b := c.body(); b != m1 {
				t.Errorf("RETR 1: %q", b)
			}
			if r := c.ok("DELE 1"); r.Text != "Message 1 deleted" {
				t.Errorf("DELE 1: %q", r.Text)
			}
			c.ok("RETR 2")
			if b := c.body(); b != m2 {
				t.Errorf("RETR 2: %q", b)
			}
			c.ok("DELE 2")
			if r := c.ok("QUIT"); !strings.HasSuffix(r.Text, "signing off (maildrop empty)") {
				t.Errorf("QUIT: %q", r.Text)
			}
			if !c.closed() {
				t.Error("connection open after QUIT")
			}
			if msgs := ts.inbox(t, "mrose"); len(msgs) != 0 {
				t.Errorf("%d messages left", len(msgs))
			}
		})
	}
}

// TestAPOP: a wrong digest and an unknown user fail alike with [AUTH];
// without a SecretLookup there is no timestamp and no APOP.
func TestAPOP(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	c := ts.dial(t)
	stamp := c.greeting.Timestamp()
	c.fail("APOP mrose "+pop3.APOPDigest(stamp, "wrong"), pop3.CodeAuth)
	c.fail("APOP nobody "+pop3.APOPDigest(stamp, "tanstaaf"), pop3.CodeAuth)
	c.fail("APOP mrose", "")
	c.ok("APOP mrose " + strings.ToUpper(pop3.APOPDigest(stamp, "tanstaaf")))

	// Two connections never get the same timestamp.
	if c2 := ts.dial(t); c2.greeting.Timestamp() == stamp {
		t.Errorf("timestamp %s reused", stamp)
	}

	ts = newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Authenticator = passwordOnly{s.Authenticator}
	}}})
	c = ts.dial(t)
	if c.greeting.Timestamp() != "" {
		t.Errorf("greeting %q offers APOP without secrets", c.greeting.Text)
	}
	c.fail("APOP mrose c4c9334bac560ecc979e58001b3e22fb", "")
	c.login("mrose", "tanstaaf")
}

// passwordOnly hides an Authenticator's other abilities.
type passwordOnly struct{ a mailstore.Authenticator }

func (p passwordOnly) Authenticate(ctx context.Context, username, password string) (string, error) {
	return p.a.Authenticate(ctx, username, password)
}

// TestDeleRsetQuit: DELE only marks (the message is gone from STAT, LIST,
// UIDL and refused by RETR, TOP and DELE), RSET unmarks, and QUIT
// removes only what is marked, on both stores.
func TestDeleRsetQuit(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			ts.add(t, "alice", msg("1", 100), msg("2", 110), msg("3", 120))
			c := ts.dial(t)
			c.login("alice", "secret")
			c.ok("DELE 2")
			if r := c.ok("STAT"); r.Text != "2 220" {
				t.Errorf("STAT: %q", r.Text)
			}
			c.ok("LIST")
			if l := c.listing(); !slices.Equal(l, []string{"1 100", "3 120"}) {
				t.Errorf("LIST: %q", l)
			}
			c.ok("UIDL")
			if l := c.listing(); len(l) != 2 || !strings.HasPrefix(l[0], "1 ") || !strings.HasPrefix(l[1], "3 ") {
				t.Errorf("UIDL: %q", l)
			}
			for _, cmd := range []string{"RETR 2", "TOP 2 0", "DELE 2", "LIST 2", "UIDL 2"} {
				if r := c.fail(cmd, ""); r.Text != "Message 2 already deleted" {
					t.Errorf("%s: %q", cmd, r.Text)
				}
			}
			c.fail("RETR 4", "")
			c.fail("RETR 0", "")
			c.fail("RETR x", "")
			c.fail("RETR", "")
			if r := c.ok("RSET"); r.Text != "Maildrop has 3 messages (330 octets)" {
				t.Errorf("RSET: %q", r.Text)
			}
			c.ok("LIST 2")
			c.ok("DELE 1")
			c.ok("DELE 3")
			if r := c.ok("QUIT"); !strings.HasSuffix(r.Text, "(1 message left)") {
				t.Errorf("QUIT: %q", r.Text)
			}
			if !c.closed() {
				t.Error("connection open after QUIT")
			}
			left := ts.inbox(t, "alice")
			if len(left) != 1 || left[0].Size != 110 {
				t.Errorf("left: %+v", left)
			}
		})
	}
}

// TestDroppedConnectionDeletesNothing: a session that ends without QUIT
// deletes nothing and sets no \Seen (RFC 1939 §6), and lets the maildrop
// go.
func TestDroppedConnectionDeletesNothing(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			ts.add(t, "alice", msg("1", 100), msg("2", 100))
			c := ts.dial(t)
			c.login("alice", "secret")
			c.ok("RETR 1")
			c.body()
			c.ok("DELE 1")
			c.ok("DELE 2")
			c.nc.Close()
			c2 := ts.waitUnlocked(t, "alice", "secret")
			if r := c2.ok("STAT"); r.Text != "2 200" {
				t.Errorf("STAT after a dropped session: %q", r.Text)
			}
			for _, m := range ts.inbox(t, "alice") {
				if slices.Contains(m.Flags, imap.FlagSeen) {
					t.Errorf("UID %d has \\Seen", m.UID)
				}
			}
		})
	}
}

// TestSeenAtQuit: QUIT sets \Seen on the messages RETR sent, not on those
// TOP sent nor those deleted.
func TestSeenAtQuit(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			ts.add(t, "alice", msg("1", 100), msg("2", 100), msg("3", 100))
			c := ts.dial(t)
			c.login("alice", "secret")
			c.ok("RETR 1")
			c.body()
			c.ok("TOP 2 1")
			c.body()
			c.ok("RETR 3")
			c.body()
			c.ok("DELE 3")
			c.ok("RSET") // RETR's mark stays
			c.ok("DELE 3")
			c.ok("QUIT")
			c.closed()
			msgs := ts.inbox(t, "alice")
			if len(msgs) != 2 {
				t.Fatalf("%d messages", len(msgs))
			}
			if !slices.Contains(msgs[0].Flags, imap.FlagSeen) || slices.Contains(msgs[1].Flags, imap.FlagSeen) {
				t.Errorf("flags %v %v", msgs[0].Flags, msgs[1].Flags)
			}
		})
	}
}

// TestInUse: a second session of the same maildrop gets [IN-USE] and
// stays in the AUTHORIZATION state; the maildrop is free again after QUIT
// and after a dropped connection. Another user is not affected.
func TestInUse(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	a := ts.dial(t)
	a.login("alice", "secret")
	b := ts.dial(t)
	b.ok("USER alice")
	b.fail("PASS secret", pop3.CodeInUse)
	b.fail("STAT", "") // still AUTHORIZATION
	b.fail("APOP alice "+pop3.APOPDigest(b.greeting.Timestamp(), "secret"), pop3.CodeInUse)
	b.login("mrose", "tanstaaf")
	a.ok("QUIT")
	a.closed()
	c := ts.dial(t)
	c.login("alice", "secret")
	c.nc.Close()
	ts.waitUnlocked(t, "alice", "secret")
}

// TestInUseWait: a login waits a while for a maildrop in use, so that a
// client that reconnects right after dropping its connection, or after
// QUIT, gets in once the old session lets go.
func TestInUseWait(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.lockWait = time.Minute }}})
	for _, end := range []string{"QUIT", "drop"} {
		a := ts.dial(t)
		a.login("alice", "secret")
		b := ts.dial(t)
		b.ok("USER alice")
		b.send("PASS secret")
		if end == "QUIT" {
			a.ok("QUIT")
		} else {
			a.nc.Close()
		}
		if r := b.read(); !r.OK {
			t.Errorf("%s: -ERR [%s] %s", end, r.Code, r.Text)
		}
		b.ok("QUIT")
	}
}

// TestUIDLStable: unique-ids follow UIDVALIDITY and UID: the same across
// sessions and after another session (IMAP, through its own Store handle)
// adds, flags and expunges messages; DefaultUIDL is Dovecot's format.
func TestUIDLStable(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			ts.add(t, "alice", msg("1", 100), msg("2", 100), msg("3", 100))
			uidls := func() map[string]bool {
				c := ts.dial(t)
				c.login("alice", "secret")
				c.ok("UIDL")
				set := map[string]bool{}
				for _, l := range c.listing() {
					u, err := pop3.ParseUniqueID([]byte(l), pop3.Strict)
					if err != nil {
						t.Fatal(err)
					}
					set[u.UID] = true
					if r := c.ok("UIDL " + strconv.Itoa(u.Msg)); r.Text != l {
						t.Errorf("UIDL %d: %q, listing %q", u.Msg, r.Text, l)
					}
				}
				c.ok("QUIT")
				c.closed()
				return set
			}
			first := uidls()
			if len(first) != 3 {
				t.Fatalf("UIDL: %v", first)
			}
			st, _ := ts.backend.Open(context.Background(), "alice")
			defer st.Close()
			status, _ := st.Status(context.Background(), "INBOX")
			msgs := ts.inbox(t, "alice")
			want := fmt.Sprintf("%08x%08x", msgs[0].UID, status.UIDValidity)
			if !first[want] || DefaultUIDL(status.UIDValidity, msgs[0].UID) != want {
				t.Errorf("unique-ids %v lack Dovecot's %s", first, want)
			}
			if again := uidls(); !mapsEqual(first, again) {
				t.Errorf("second session: %v, first %v", again, first)
			}
			// Another session: a new message, a flag change, an expunge.
			mb, err := st.OpenMailbox(context.Background(), "INBOX", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.Append(context.Background(), "INBOX", strings.NewReader(msg("4", 100)), nil); err != nil {
				t.Fatal(err)
			}
			mb.Poll(context.Background(), true)
			if _, err := mb.SetFlags(context.Background(), []uint32{msgs[2].UID}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}); err != nil {
				t.Fatal(err)
			}
			if _, err := mb.Expunge(context.Background(), []uint32{msgs[0].UID}); err != nil {
				t.Fatal(err)
			}
			mb.Close()
			after := uidls()
			if len(after) != 3 || after[want] {
				t.Errorf("after changes: %v", after)
			}
			for u := range first {
				if u != want && !after[u] {
					t.Errorf("unique-id %s changed", u)
				}
			}
		})
	}
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestUIDLFunc: Server.UIDL chooses the unique-ids; an invalid one falls
// back to DefaultUIDL.
func TestUIDLFunc(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.UIDL = func(v, uid uint32) string {
			if uid == 2 {
				return "has space"
			}
			return fmt.Sprintf("u%d.v%d", uid, v)
		}
	}}})
	ts.add(t, "alice", msg("1", 100), msg("2", 100))
	c := ts.dial(t)
	c.login("alice", "secret")
	c.ok("UIDL")
	l := c.listing()
	if len(l) != 2 || !strings.HasPrefix(l[0], "1 u1.v") || len(l[1]) != 2+16 {
		t.Errorf("UIDL: %q", l)
	}
}

// TestTop: the header, the blank line and n body lines (RFC 1939 §7),
// byte-stuffed; all of a shorter body; a message without a body.
func TestTop(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			header := "From: a@example.com\r\nSubject: top\r\n"
			body := "line 1\r\n.line 2 starts with a dot\r\n\r\nline 4\r\nline 5"
			ts.add(t, "alice", header+"\r\n"+body, "Subject: no body\r\n", "\r\nno header\r\nsecond\r\n")
			c := ts.dial(t)
			c.login("alice", "secret")
			for _, tc := range []struct {
				cmd, want string
			}{
				{"TOP 1 0", header + "\r\n"},
				{"TOP 1 1", header + "\r\nline 1\r\n"},
				{"TOP 1 2", header + "\r\nline 1\r\n.line 2 starts with a dot\r\n"},
				{"TOP 1 4", header + "\r\n" + "line 1\r\n.line 2 starts with a dot\r\n\r\nline 4\r\n"},
				{"TOP 1 5", header + "\r\n" + body + "\r\n"},
				{"TOP 1 99999999999", header + "\r\n" + body + "\r\n"},
				{"TOP 2 3", "Subject: no body\r\n"},
				{"TOP 3 0", "\r\n"},
				{"TOP 3 1", "\r\nno header\r\n"},
			} {
				c.ok(tc.cmd)
				if got := c.body(); got != tc.want {
					t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
				}
			}
			c.fail("TOP 1", "")
			c.fail("TOP 1 -1", "")
			c.fail("TOP 1 x", "")
			c.fail("TOP 4 1", "")
			c.ok("NOOP")
		})
	}
}

// TestExpungedByAnotherSession: a message expunged through another Store
// handle after login keeps its number; RETR and TOP of it answer
// -ERR [SYS/TEMP] where the store can no longer read it (maildir), or
// still send it (memstore keeps the content for views that have not
// polled); either way the session goes on, and DELE and QUIT of it
// succeed.
func TestExpungedByAnotherSession(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			ts := newTestServer(t, testOpts{kind: kind})
			m2 := msg("2", 100)
			ts.add(t, "alice", msg("1", 100), m2, msg("3", 100))
			c := ts.dial(t)
			c.login("alice", "secret")
			st := ts.store(t, "alice")
			mb, err := st.OpenMailbox(context.Background(), "INBOX", nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mb.Expunge(context.Background(), []uint32{mb.Messages()[1].UID}); err != nil {
				t.Fatal(err)
			}
			mb.Close()
			for _, cmd := range []string{"RETR 2", "TOP 2 0"} {
				r := c.do(cmd)
				switch {
				case r.OK && kind == kindMem:
					if b := c.body(); !strings.HasPrefix(m2, b) {
						t.Errorf("%s: %q", cmd, b)
					}
				case r.OK:
					t.Errorf("%s: +OK for an expunged message", cmd)
					c.body()
				case r.Code != pop3.CodeSysTemp:
					t.Errorf("%s: -ERR [%s] %s", cmd, r.Code, r.Text)
				}
			}
			c.ok("RETR 3")
			c.body()
			if r := c.ok("STAT"); r.Text != "3 300" {
				t.Errorf("STAT: %q", r.Text)
			}
			c.ok("DELE 2")
			c.ok("DELE 1")
			c.ok("QUIT")
			c.closed()
			if left := ts.inbox(t, "alice"); len(left) != 1 {
				t.Errorf("left: %+v", left)
			}
		})
	}
}

// TestWrongState: TRANSACTION commands before login and AUTHORIZATION
// commands after it get -ERR (RFC 1939 §3), and so do unknown commands,
// malformed arguments and a second login.
func TestWrongState(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxBadCommands = 100 }}})
	ts.add(t, "alice", msg("1", 100))
	c := ts.dial(t)
	for _, cmd := range []string{"STAT", "LIST", "RETR 1", "DELE 1", "NOOP", "RSET", "TOP 1 1", "UIDL", "PASS secret", "XYZZY", "USER"} {
		c.fail(cmd, "")
	}
	c.login("alice", "secret")
	for _, cmd := range []string{"USER alice", "PASS secret", "APOP alice x", "AUTH PLAIN", "STLS", "UTF8", "XYZZY", "STAT 1", "NOOP x", "RSET x", "LIST 1 2", "LANG"} {
		c.fail(cmd, "")
	}
	for i := 0; i < 20; i++ { // bad commands after login are not counted
		c.fail("XYZZY", "")
	}
	c.ok("STAT")
	c.ok("quit")
}

// TestTooManyBadCommands: a burst of unknown commands before login ends
// the connection.
func TestTooManyBadCommands(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxBadCommands = 3 }}})
	c := ts.dial(t)
	c.send("GET / HTTP/1.1", "Host: example.com", "", "User-Agent: x")
	for i := 0; i < 3; i++ {
		if r := c.read(); r.OK {
			t.Fatalf("+OK %s", r.Text)
		}
	}
	if !c.closed() {
		t.Error("connection still open")
	}
}

// TestLineTooLong: a command line over the limit is answered -ERR and
// skipped; the session goes on, in both states.
func TestLineTooLong(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxLineLength = 100 }}})
	ts.add(t, "alice", msg("1", 100))
	c := ts.dial(t)
	long := "USER " + strings.Repeat("a", 10000)
	if r := c.fail(long, ""); !strings.Contains(r.Text, "too long") {
		t.Errorf("%q", r.Text)
	}
	c.login("alice", "secret")
	c.fail("NOOP "+strings.Repeat("b", 200), "")
	c.ok("STAT")
}

// TestQuitInAuthorization: QUIT before login just closes.
func TestQuitInAuthorization(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	c := ts.dial(t)
	c.ok("USER alice")
	if r := c.ok("QUIT"); !strings.Contains(r.Text, "signing off") {
		t.Errorf("QUIT: %q", r.Text)
	}
	if !c.closed() {
		t.Error("connection open after QUIT")
	}
}

// TestCommandCase: keywords are case-insensitive (RFC 1939 §3).
func TestCommandCase(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	ts.add(t, "alice", msg("1", 100))
	c := ts.dial(t)
	c.ok("user alice")
	c.ok("Pass secret")
	c.ok("stat")
	c.ok("rEtR 1")
	c.body()
}

// TestPasswordWithSpaces: PASS keeps its whole argument (RFC 1939 §7).
func TestPasswordWithSpaces(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Backend.(interface{ AddUser(string, string) error }).AddUser("spacey", "two words ")
	}}})
	c := ts.dial(t)
	c.ok("USER spacey")
	c.ok("PASS two words ")
}
