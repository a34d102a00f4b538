package imapserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
)

// The tests of QUOTA (this file), ACL (acl_test.go) and METADATA
// (metadata_test.go) share the helpers of this section: a server over a
// memstore Backend built with options, optionally with its stores wrapped,
// and a raw client that compares the exact response lines with the RFCs'
// examples.

// extEnv is a test server over a memstore Backend with the user alice,
// and alice's store open for putting mail in place without the protocol.
type extEnv struct {
	t  *testing.T
	ts *testServer
	b  *memstore.Backend
	st mailstore.Store
}

// extBackend is a Backend whose stores are wrapped, to hide or replace
// the optional interfaces of memstore's.
type extBackend struct {
	*memstore.Backend
	wrap func(mailstore.Store) mailstore.Store
}

func (b *extBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	st, err := b.Backend.Open(ctx, user)
	if err != nil {
		return nil, err
	}
	return b.wrap(st), nil
}

// newExtEnv starts a server over memstore.NewWithOptions(opts); wrap, if
// not nil, wraps each store the server opens.
func newExtEnv(t *testing.T, opts *memstore.Options, wrap func(mailstore.Store) mailstore.Store) *extEnv {
	t.Helper()
	b := memstore.NewWithOptions(opts)
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	var backend mailstore.Backend = b
	if wrap != nil {
		backend = &extBackend{Backend: b, wrap: wrap}
	}
	ts := newTestServer(t, func(s *Server) { s.Backend, s.Authenticator = backend, b })
	st, err := b.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &extEnv{t: t, ts: ts, b: b, st: st}
}

// add appends a message to a mailbox and returns its UID.
func (e *extEnv) add(mailbox, msg string, flags ...imap.Flag) uint32 {
	e.t.Helper()
	res, err := e.st.Append(context.Background(), mailbox, strings.NewReader(msg), &mailstore.AppendOptions{Flags: flags})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.UID
}

func (e *extEnv) create(names ...string) {
	e.t.Helper()
	for _, n := range names {
		if err := e.st.CreateMailbox(context.Background(), n, nil); err != nil {
			e.t.Fatal(err)
		}
	}
}

// extMessage returns a message of exactly size octets (size >= 64).
func extMessage(size int) string {
	head := "From: a@example.com\r\nSubject: quota\r\n\r\n"
	body := strings.Repeat("x", size-len(head)-2) + "\r\n"
	return head + body
}

// extConn is a raw client: it writes command lines and reads response
// lines as text, a literal kept inline after its "{n}\r\n" header.
type extConn struct {
	t  testing.TB
	nc net.Conn
	br *bufio.Reader
}

// dialExt connects to the server and logs in as alice (login false: only
// the greeting is read).
func dialExt(t testing.TB, ts *testServer, login bool) *extConn {
	t.Helper()
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	c := &extConn{t: t, nc: nc, br: bufio.NewReader(nc)}
	c.line()
	if login {
		c.ok("L1 LOGIN alice secret")
	}
	return c
}

// line reads one response line without its CRLF; a literal at the end of
// a line is read and the line goes on after it.
func (c *extConn) line() string {
	c.t.Helper()
	var b strings.Builder
	for {
		l, err := c.br.ReadString('\n')
		if err != nil {
			c.t.Fatalf("read: %v (after %q)", err, b.String()+l)
		}
		l = strings.TrimSuffix(l, "\r\n")
		b.WriteString(l)
		i := strings.LastIndexByte(l, '{')
		if !strings.HasSuffix(l, "}") || i < 0 {
			return b.String()
		}
		n, err := strconv.Atoi(strings.TrimSuffix(l[i+1:len(l)-1], "+"))
		if err != nil {
			return b.String()
		}
		lit := make([]byte, n)
		if _, err := io.ReadFull(c.br, lit); err != nil {
			c.t.Fatalf("read literal: %v", err)
		}
		b.WriteString("\r\n")
		b.Write(lit)
	}
}

// send writes raw text followed by CRLF.
func (c *extConn) send(text string) {
	c.t.Helper()
	if _, err := fmt.Fprintf(c.nc, "%s\r\n", text); err != nil {
		c.t.Fatal(err)
	}
}

// run sends a command line, whose first word is its tag, and returns the
// untagged lines and the tagged one.
func (c *extConn) run(command string) ([]string, string) {
	c.t.Helper()
	c.send(command)
	return c.until(strings.Fields(command)[0])
}

// until reads up to the line tagged tag.
func (c *extConn) until(tag string) ([]string, string) {
	c.t.Helper()
	var untagged []string
	for {
		l := c.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l
		}
		untagged = append(untagged, l)
	}
}

// ok runs a command that must succeed and returns its untagged lines.
func (c *extConn) ok(command string) []string {
	c.t.Helper()
	u, tagged := c.run(command)
	if !strings.HasPrefix(tagged, strings.Fields(command)[0]+" OK") {
		c.t.Fatalf("%s: %s", command, tagged)
	}
	return u
}

// expect runs a command and checks its untagged lines, in order, and that
// the tagged line begins with its tag and then status (such as "OK",
// "NO [OVERQUOTA]" or "BAD").
func (c *extConn) expect(command string, status string, untagged ...string) {
	c.t.Helper()
	got, tagged := c.run(command)
	c.check(command, got, tagged, status, untagged...)
}

func (c *extConn) check(command string, got []string, tagged, status string, untagged ...string) {
	c.t.Helper()
	tag := strings.Fields(command)[0]
	if !strings.HasPrefix(tagged, tag+" "+status) {
		c.t.Errorf("%s:\n got %q\nwant %q...", command, tagged, tag+" "+status)
	}
	if !slices.Equal(got, untagged) {
		c.t.Errorf("%s: untagged responses\n got %q\nwant %q", command, got, untagged)
	}
}

// literal sends command, which ends in a synchronizing literal's "{n}",
// waits for the continuation request, then sends data and rest (the rest
// of the command line), and returns what run would.
func (c *extConn) literal(command, data, rest string) ([]string, string) {
	c.t.Helper()
	c.send(command)
	if l := c.line(); !strings.HasPrefix(l, "+") {
		c.t.Fatalf("%s: no continuation request: %q", command, l)
	}
	c.send(data + rest)
	return c.until(strings.Fields(command)[0])
}

// caps runs CAPABILITY and returns the capabilities.
func (c *extConn) caps() []string {
	c.t.Helper()
	for _, l := range c.ok("C0 CAPABILITY") {
		if strings.HasPrefix(l, "* CAPABILITY ") {
			return strings.Fields(strings.TrimPrefix(l, "* CAPABILITY "))
		}
	}
	c.t.Fatal("no CAPABILITY response")
	return nil
}

// extCaps are the capabilities of the three extensions.
var extCaps = []string{
	"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET",
	"ACL", "RIGHTS=texkn", "METADATA", "METADATA-SERVER",
}

// extCapsOf returns those of extCaps that caps holds, in extCaps's order.
func extCapsOf(caps []string) []string {
	var out []string
	for _, want := range extCaps {
		if slices.Contains(caps, want) {
			out = append(out, want)
		}
	}
	return out
}

// extPlain hides every optional interface of a store.
type extPlain struct{ mailstore.Store }

// ---- capabilities ----------------------------------------------------------

// TestExtCapabilities checks that QUOTA, ACL and METADATA are advertised
// after login exactly when the store implements their interfaces: in the
// OK [CAPABILITY] of LOGIN and in CAPABILITY; never before login, nor
// after UNAUTHENTICATE.
func TestExtCapabilities(t *testing.T) {
	all := []string{"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "ACL", "RIGHTS=texkn", "METADATA", "METADATA-SERVER"}
	for _, tc := range []struct {
		name string
		opts *memstore.Options
		wrap func(mailstore.Store) mailstore.Store
		want []string
	}{
		{"memstore", nil, nil, all},
		{"memstore QuotaSet", &memstore.Options{QuotaSet: true}, nil,
			[]string{"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET", "ACL", "RIGHTS=texkn", "METADATA", "METADATA-SERVER"}},
		{"none", nil, func(s mailstore.Store) mailstore.Store { return extPlain{s} }, nil},
		{"quota only", nil, func(s mailstore.Store) mailstore.Store {
			return struct {
				mailstore.Store
				mailstore.QuotaStore
			}{s, s.(mailstore.QuotaStore)}
		}, []string{"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"}},
		{"acl only", nil, func(s mailstore.Store) mailstore.Store {
			return struct {
				mailstore.Store
				mailstore.ACLStore
			}{s, s.(mailstore.ACLStore)}
		}, []string{"ACL", "RIGHTS=texkn"}},
		{"metadata only", nil, func(s mailstore.Store) mailstore.Store {
			return struct {
				mailstore.Store
				mailstore.MetadataStore
			}{s, s.(mailstore.MetadataStore)}
		}, []string{"METADATA", "METADATA-SERVER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newExtEnv(t, tc.opts, tc.wrap)
			c := dialExt(t, e.ts, false)
			if got := extCapsOf(c.caps()); got != nil {
				t.Errorf("before login: %q", got)
			}
			_, tagged := c.run("L1 LOGIN alice secret")
			i, j := strings.Index(tagged, "[CAPABILITY "), strings.Index(tagged, "]")
			if i < 0 || j < i {
				t.Fatalf("LOGIN: %q", tagged)
			}
			if got := extCapsOf(strings.Fields(tagged[i+len("[CAPABILITY ") : j])); !slices.Equal(got, tc.want) {
				t.Errorf("LOGIN OK [CAPABILITY]: %q, want %q", got, tc.want)
			}
			if got := extCapsOf(c.caps()); !slices.Equal(got, tc.want) {
				t.Errorf("CAPABILITY: %q, want %q", got, tc.want)
			}
			c.ok("U1 UNAUTHENTICATE")
			if got := extCapsOf(c.caps()); got != nil {
				t.Errorf("after UNAUTHENTICATE: %q", got)
			}
		})
	}
}

// TestExtUnsupported runs the commands of the three extensions on a
// Backend whose stores implement none of their interfaces (a maildir
// Backend behind plainBackend, which hides them): nothing is advertised, and each command is answered as an unknown command, BAD
// (RFC 9208 §4.1, RFC 4314 §3, RFC 5464 §4.2, §4.3: "BAD - command
// unknown"); so is STATUS DELETED-STORAGE, an item of QUOTA.
func TestExtUnsupported(t *testing.T) {
	users := passwd.New()
	if err := users.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	b, err := maildir.New(t.TempDir(), &maildir.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, func(s *Server) { s.Backend, s.Authenticator = plainBackend{b}, users })
	c := dialExt(t, ts, true)
	if got := extCapsOf(c.caps()); got != nil {
		t.Errorf("a store without the interfaces advertises %q", got)
	}
	for _, cmd := range []string{
		`a1 GETQUOTA ""`,
		`a2 GETQUOTAROOT INBOX`,
		`a3 SETQUOTA "" (STORAGE 512)`,
		`a4 SETACL INBOX bob lr`,
		`a5 DELETEACL INBOX bob`,
		`a6 GETACL INBOX`,
		`a7 LISTRIGHTS INBOX bob`,
		`a8 MYRIGHTS INBOX`,
		`a9 GETMETADATA "" /shared/comment`,
		`a10 SETMETADATA INBOX (/private/comment "x")`,
		`a11 STATUS INBOX (MESSAGES DELETED-STORAGE)`,
	} {
		c.expect(cmd, "BAD")
	}
	// The session goes on normally, and DELETED stays (RFC 9051).
	c.expect("a12 STATUS INBOX (MESSAGES DELETED)", "OK", "* STATUS INBOX (MESSAGES 0 DELETED 0)")
}

// ---- RFC 9208 examples -----------------------------------------------------

// quotaRFCStore is a store with the quota roots of RFC 9208 §4.1's
// examples: every mailbox has the roots "#user/alice" and
// "!partition/sda4"; the user may set the limits of the first, while the
// second is a file system limit that cannot be changed, and SETQUOTA
// rounds STORAGE limits to multiples of 512 ("The server has rounded the
// STORAGE quota limit requested to the nearest 512 blocks").
type quotaRFCStore struct {
	mailstore.Store
	q *quotaRFC
}

// quotaRFC is the state the sessions of quotaRFCStore share.
type quotaRFC struct {
	mu      sync.Mutex
	storage uint64            // usage of #user/alice
	limits  map[string]uint64 // of #user/alice
}

func (s *quotaRFCStore) QuotaResources() []string {
	return []string{mailstore.QuotaStorage, mailstore.QuotaMessage}
}

func (s *quotaRFCStore) QuotaRoots(ctx context.Context, mailbox string) ([]string, error) {
	return []string{"#user/alice", "!partition/sda4"}, nil
}

func (s *quotaRFCStore) Quota(ctx context.Context, root string) ([]imap.QuotaResource, error) {
	switch root {
	case "#user/alice":
		s.q.mu.Lock()
		defer s.q.mu.Unlock()
		var out []imap.QuotaResource
		if l, ok := s.q.limits[mailstore.QuotaStorage]; ok {
			out = append(out, imap.QuotaResource{Name: mailstore.QuotaStorage, Usage: s.q.storage, Limit: l})
		}
		if l, ok := s.q.limits[mailstore.QuotaMessage]; ok {
			out = append(out, imap.QuotaResource{Name: mailstore.QuotaMessage, Usage: 42, Limit: l})
		}
		return out, nil
	case "!partition/sda4":
		return []imap.QuotaResource{{Name: mailstore.QuotaStorage, Usage: 104, Limit: 10923847}}, nil
	}
	return nil, fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
}

func (s *quotaRFCStore) SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) error {
	switch root {
	case "#user/alice":
	case "!partition/sda4":
		return fmt.Errorf("%w: cannot change system limit", mailstore.ErrNotAllowed)
	default:
		return fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
	}
	m := map[string]uint64{}
	for _, r := range limits {
		name := strings.ToUpper(r.Name)
		if name == mailstore.QuotaStorage {
			r.Limit = (r.Limit + 511) / 512 * 512
		}
		m[name] = r.Limit
	}
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	s.q.limits = m
	return nil
}

// TestQuotaRFC9208Examples runs the examples of RFC 9208 §4.1.1, §4.1.2
// and §4.1.3 against a store with the examples' quota roots, and compares
// the responses line by line. The encoder writes the roots
// "#user/alice" and "!partition/sda4" as atoms, which they are (RFC 9051
// ATOM-CHAR), where the examples quote them; the tagged texts differ.
func TestQuotaRFC9208Examples(t *testing.T) {
	q := &quotaRFC{storage: 54, limits: map[string]uint64{mailstore.QuotaMessage: 1000}}
	e := newExtEnv(t, nil, func(s mailstore.Store) mailstore.Store { return &quotaRFCStore{Store: s, q: q} })
	c := dialExt(t, e.ts, true)
	if got := extCapsOf(c.caps()); !slices.Equal(got, []string{"QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "QUOTASET"}) {
		t.Errorf("capabilities %q", got)
	}

	// §4.1.1.
	c.expect(`G0001 GETQUOTA "!partition/sda4"`, "OK",
		`* QUOTA !partition/sda4 (STORAGE 104 10923847)`)

	// §4.1.2.
	c.expect(`G0002 GETQUOTAROOT INBOX`, "OK",
		`* QUOTAROOT INBOX #user/alice !partition/sda4`,
		`* QUOTA #user/alice (MESSAGE 42 1000)`,
		`* QUOTA !partition/sda4 (STORAGE 104 10923847)`)

	// §4.1.3, from a state with both limits.
	q.mu.Lock()
	q.limits = map[string]uint64{mailstore.QuotaStorage: 111, mailstore.QuotaMessage: 1000}
	q.mu.Unlock()
	c.expect(`S0000 GETQUOTA "#user/alice"`, "OK",
		`* QUOTA #user/alice (STORAGE 54 111 MESSAGE 42 1000)`)
	// The example's usage grew to 58 between the two commands.
	q.mu.Lock()
	q.storage = 58
	q.mu.Unlock()
	// "Any previous resource limits for the named quota root are
	// discarded": the MESSAGE limit goes; STORAGE is rounded to 512.
	c.expect(`S0001 SETQUOTA "#user/alice" (STORAGE 510)`, "OK",
		`* QUOTA #user/alice (STORAGE 58 512)`)
	c.expect(`S0002 SETQUOTA "!partition/sda4" (STORAGE 99999999)`, "NO")

	// Unknown roots: "NO - getquota error: no such quota root".
	c.expect(`G0003 GETQUOTA "#user/bob"`, "NO")
	c.expect(`S0003 SETQUOTA "#user/bob" (STORAGE 1)`, "NO")
	// §4.2.2: a mailbox that does not exist has roots too.
	c.expect(`G0004 GETQUOTAROOT comp.mail.mime`, "OK",
		`* QUOTAROOT comp.mail.mime #user/alice !partition/sda4`,
		`* QUOTA #user/alice (STORAGE 58 512)`,
		`* QUOTA !partition/sda4 (STORAGE 104 10923847)`)
	// Arguments the codec refuses are BAD. (A negative limit is not one
	// of them: the lenient decoder reads "-1" as 0.)
	c.expect(`G0005 GETQUOTA`, "BAD")
	c.expect(`S0004 SETQUOTA "#user/alice" STORAGE 1`, "BAD")
	c.expect(`S0005 SETQUOTA "#user/alice" (STORAGE 1 MESSAGE)`, "BAD")
	c.expect(`S0006 SETQUOTA "#user/alice" (STORAGE 18446744073709551615)`, "BAD")
}

// ---- memstore --------------------------------------------------------------

// TestQuotaMemstore runs the quota commands over memstore, whose one
// quota root "" covers every mailbox of the user (RFC 9208 §4.2.2's
// example "* QUOTAROOT INBOX """).
func TestQuotaMemstore(t *testing.T) {
	e := newExtEnv(t, &memstore.Options{Quota: []imap.QuotaResource{
		{Name: mailstore.QuotaStorage, Limit: 512}, {Name: mailstore.QuotaMessage, Limit: 100},
	}}, nil)
	e.create("Sent")
	e.add("INBOX", extMessage(1500))
	e.add("Sent", extMessage(100))
	c := dialExt(t, e.ts, true)
	// 1600 octets are 2 units of 1024 (§5.1); 2 messages (§5.2).
	c.expect(`a1 GETQUOTAROOT INBOX`, "OK",
		`* QUOTAROOT INBOX ""`,
		`* QUOTA "" (STORAGE 2 512 MESSAGE 2 100)`)
	c.expect(`a2 GETQUOTA ""`, "OK", `* QUOTA "" (STORAGE 2 512 MESSAGE 2 100)`)
	c.expect(`a3 GETQUOTAROOT Sent`, "OK",
		`* QUOTAROOT Sent ""`,
		`* QUOTA "" (STORAGE 2 512 MESSAGE 2 100)`)
	c.expect(`a4 GETQUOTAROOT "Not/There/Yet"`, "OK",
		`* QUOTAROOT Not/There/Yet ""`,
		`* QUOTA "" (STORAGE 2 512 MESSAGE 2 100)`)
	c.expect(`a5 GETQUOTA "user.bob"`, "NO")
	// Without QUOTASET, SETQUOTA fails as §3.2 tells clients it may.
	c.expect(`a6 SETQUOTA "" (STORAGE 1024)`, "NO [CANNOT]")
	c.expect(`a7 GETQUOTA ""`, "OK", `* QUOTA "" (STORAGE 2 512 MESSAGE 2 100)`)

	// The program removes the limits: an empty list, "no administrative
	// resource limits" (§4.2.1).
	if err := e.b.SetQuota("alice", nil); err != nil {
		t.Fatal(err)
	}
	c.expect(`a8 GETQUOTA ""`, "OK", `* QUOTA "" ()`)
	// An expunged message stops counting.
	c.ok(`a9 SELECT INBOX`)
	if err := e.b.SetQuota("alice", []imap.QuotaResource{{Name: mailstore.QuotaMessage, Limit: 10}}); err != nil {
		t.Fatal(err)
	}
	c.ok(`a10 STORE 1 +FLAGS.SILENT (\Deleted)`)
	c.ok(`a11 EXPUNGE`)
	c.expect(`a12 GETQUOTA ""`, "OK", `* QUOTA "" (MESSAGE 1 10)`)
	// Quota commands work in the selected state too, and the state stays.
	c.expect(`a13 GETQUOTAROOT INBOX`, "OK", `* QUOTAROOT INBOX ""`, `* QUOTA "" (MESSAGE 1 10)`)
	c.ok(`a14 NOOP`)
}

// TestQuotaSetQuota runs SETQUOTA over memstore with Options.QuotaSet.
func TestQuotaSetQuota(t *testing.T) {
	e := newExtEnv(t, &memstore.Options{QuotaSet: true}, nil)
	e.add("INBOX", extMessage(3000))
	c := dialExt(t, e.ts, true)
	c.expect(`a1 GETQUOTA ""`, "OK", `* QUOTA "" ()`)
	c.expect(`a2 SETQUOTA "" (STORAGE 100 MESSAGE 5)`, "OK", `* QUOTA "" (STORAGE 3 100 MESSAGE 1 5)`)
	// Resource names are atoms matched without regard to case.
	c.expect(`a3 SETQUOTA "" (message 7)`, "OK", `* QUOTA "" (MESSAGE 1 7)`)
	// A resource memstore cannot limit, or one named twice: "NO -
	// setquota error: can't set that data", and nothing changes.
	c.expect(`a4 SETQUOTA "" (MAILBOX 10)`, "NO [CANNOT]")
	c.expect(`a5 SETQUOTA "" (STORAGE 1 STORAGE 2)`, "NO [CANNOT]")
	c.expect(`a6 GETQUOTA ""`, "OK", `* QUOTA "" (MESSAGE 1 7)`)
	c.expect(`a7 SETQUOTA "other" (STORAGE 1)`, "NO")
	c.expect(`a8 SETQUOTA "" ()`, "OK", `* QUOTA "" ()`)
	// A limit of 0 prohibits any use (RFC 9208 §3.1.2).
	c.expect(`a9 SETQUOTA "" (MESSAGE 0)`, "OK", `* QUOTA "" (MESSAGE 1 0)`)
	c.expect(`a10 APPEND INBOX {5+}`+"\r\nHello", "NO [OVERQUOTA]")
}

// TestQuotaOverQuota checks NO [OVERQUOTA] (RFC 9208 §4.3.1) on APPEND
// (Example 1, byte for byte), MULTIAPPEND, COPY and MOVE, and that nothing
// was added.
func TestQuotaOverQuota(t *testing.T) {
	e := newExtEnv(t, &memstore.Options{Quota: []imap.QuotaResource{
		{Name: mailstore.QuotaStorage, Limit: 3}, {Name: mailstore.QuotaMessage, Limit: 3},
	}}, nil)
	e.create("saved-messages", "Archive")
	e.add("INBOX", extMessage(1000))
	e.add("INBOX", extMessage(1000))
	c := dialExt(t, e.ts, true)

	// §4.3.1 Example 1: 326 octets over a STORAGE limit of 3 KiB with
	// 2000 octets used.
	msg := "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n" +
		"From: Fred Foobar <foobar@Blurdybloop.example>\r\n" +
		"Subject: afternoon meeting\r\n" +
		"To: mooch@owatagu.siam.edu.example\r\n" +
		"Message-Id: <B27397-0100000@Blurdybloop.example>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
		"\r\n" +
		"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"
	if len(msg) != 326 {
		t.Fatalf("example message of %d octets", len(msg))
	}
	// It fits: 2326 octets are 3 KiB.
	u, tagged := c.literal(`A002 APPEND saved-messages (\Seen) {326}`, msg, "")
	c.check("A002 APPEND", u, tagged, "OK [APPENDUID ")
	// A second one does not (3 messages and 2652 octets... the MESSAGE
	// limit of 3 is reached too).
	u, tagged = c.literal(`A003 APPEND saved-messages (\Seen) {326}`, msg, "")
	c.check("A003 APPEND", u, tagged, "NO [OVERQUOTA]")
	c.expect(`A004 STATUS saved-messages (MESSAGES)`, "OK", `* STATUS saved-messages (MESSAGES 1)`)

	// The STORAGE limit alone: room for messages, not for octets.
	if err := e.b.SetQuota("alice", []imap.QuotaResource{{Name: mailstore.QuotaStorage, Limit: 3}}); err != nil {
		t.Fatal(err)
	}
	c.expect(`A005 APPEND Archive {1100+}`+"\r\n"+extMessage(1100), "NO [OVERQUOTA]")
	// MULTIAPPEND: the first message fits, the second does not.
	c.expect(`A006 APPEND Archive {400+}`+"\r\n"+extMessage(400)+` {800+}`+"\r\n"+extMessage(800), "NO [OVERQUOTA]")
	// The first one does not stay: "A MULTIAPPEND APPEND operation is
	// atomic" (RFC 3502 §1); the server removes what it had stored.
	c.expect(`A007 STATUS Archive (MESSAGES)`, "OK", `* STATUS Archive (MESSAGES 0)`)

	// COPY of 2000 octets onto 2326 used of 3072.
	c.ok(`A008 SELECT INBOX`)
	c.expect(`A009 COPY 1:2 Archive`, "NO [OVERQUOTA]")
	c.expect(`A010 UID COPY 1:* Archive`, "NO [OVERQUOTA]")
	c.expect(`A011 STATUS Archive (MESSAGES)`, "OK", `* STATUS Archive (MESSAGES 0)`)
	// MOVE within memstore's one quota root adds as much as it removes, so
	// it succeeds at the limit...
	c.expect(`A012 MOVE 1 Archive`, "OK", `* OK [COPYUID `+itoa(int64(e.uidValidity("Archive")))+` 1 2] Moved`, `* 1 EXPUNGE`)
	// ...and the OVERQUOTA of a MOVE comes from a store whose move
	// crosses roots (TestQuotaMoveOverQuota).
}

// uidValidity returns a mailbox's UIDVALIDITY.
func (e *extEnv) uidValidity(mailbox string) uint32 {
	e.t.Helper()
	ms, err := e.st.Status(context.Background(), mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms.UIDValidity
}

// quotaMoveStore is a store whose views refuse MOVE and COPY with
// mailstore.ErrQuota, as a store whose mailboxes have different quota
// roots would for a move onto a full root.
type quotaMoveStore struct{ mailstore.Store }

func (s quotaMoveStore) OpenMailbox(ctx context.Context, name string, opts *mailstore.OpenOptions) (mailstore.Mailbox, error) {
	mb, err := s.Store.OpenMailbox(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	return quotaMoveMailbox{mb}, nil
}

type quotaMoveMailbox struct{ mailstore.Mailbox }

func (quotaMoveMailbox) Move(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, []mailstore.Expunged, error) {
	return nil, nil, fmt.Errorf("%w: root of %q is full", mailstore.ErrQuota, dest)
}

// TestQuotaMoveOverQuota checks that MOVE and UID MOVE answer a store's
// mailstore.ErrQuota with NO [OVERQUOTA] (RFC 9208 §4.3.1) and expunge
// nothing.
func TestQuotaMoveOverQuota(t *testing.T) {
	e := newExtEnv(t, nil, func(s mailstore.Store) mailstore.Store { return quotaMoveStore{s} })
	e.create("Archive")
	e.add("INBOX", extMessage(100))
	c := dialExt(t, e.ts, true)
	c.ok(`m1 SELECT INBOX`)
	c.expect(`m2 MOVE 1 Archive`, "NO [OVERQUOTA]")
	c.expect(`m3 UID MOVE 1:* Archive`, "NO [OVERQUOTA]")
	c.expect(`m4 FETCH 1 (UID)`, "OK", `* 1 FETCH (UID 1)`)
}

// TestQuotaStatusDeleted runs STATUS DELETED and DELETED-STORAGE (RFC
// 9208 §4.1.4), with the example of §4.1.4: 12 messages, 4 of them with
// \Deleted, of 2000 octets each: 8000 octets, 8 units of 1024.
func TestQuotaStatusDeleted(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	for i := 0; i < 12; i++ {
		var flags []imap.Flag
		if i%3 == 0 {
			flags = []imap.Flag{imap.FlagDeleted}
		}
		e.add("INBOX", extMessage(2000), flags...)
	}
	e.create("Empty")
	c := dialExt(t, e.ts, true)
	c.expect(`S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)`, "OK",
		`* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)`)
	// Any order, case and repetition; alone; with CONDSTORE's item.
	c.expect(`s1 STATUS INBOX (deleted-storage UIDNEXT Deleted-Storage)`, "OK",
		`* STATUS INBOX (DELETED-STORAGE 8 UIDNEXT 13)`)
	c.expect(`s2 STATUS INBOX (DELETED-STORAGE)`, "OK", `* STATUS INBOX (DELETED-STORAGE 8)`)
	c.expect(`s3 STATUS Empty (DELETED DELETED-STORAGE SIZE)`, "OK", `* STATUS Empty (DELETED 0 DELETED-STORAGE 0 SIZE 0)`)
	// One octet over a unit rounds up (§5.1 units of 1024).
	e.add("Empty", extMessage(1025), imap.FlagDeleted)
	c.expect(`s4 STATUS Empty (DELETED-STORAGE)`, "OK", `* STATUS Empty (DELETED-STORAGE 2)`)
	// The selected mailbox, after the session's own STORE and EXPUNGE.
	c.ok(`s5 SELECT INBOX`)
	c.ok(`s6 STORE 2 +FLAGS.SILENT (\Deleted)`)
	c.expect(`s7 STATUS INBOX (DELETED DELETED-STORAGE)`, "OK", `* STATUS INBOX (DELETED 5 DELETED-STORAGE 10)`)
	u := c.ok(`s8 EXPUNGE`)
	if len(u) != 5 {
		t.Errorf("EXPUNGE: %q", u)
	}
	c.expect(`s9 STATUS INBOX (MESSAGES DELETED-STORAGE)`, "OK", `* STATUS INBOX (MESSAGES 7 DELETED-STORAGE 0)`)
	// Errors are STATUS's.
	c.expect(`s10 STATUS Nowhere (DELETED-STORAGE)`, "NO [NONEXISTENT]")
	c.expect(`s11 STATUS INBOX (DELETED-STORAGE XYZZY)`, "BAD")
	c.expect(`s12 STATUS INBOX ()`, "BAD")
	// HIGHESTMODSEQ alongside makes it a CONDSTORE enabling command.
	c.expect(`s13 STATUS Empty (DELETED-STORAGE HIGHESTMODSEQ)`, "OK",
		`* OK [HIGHESTMODSEQ `+itoa(int64(e.highestModSeq("INBOX")))+`] Highest`,
		`* STATUS Empty (DELETED-STORAGE 2 HIGHESTMODSEQ `+itoa(int64(e.highestModSeq("Empty")))+`)`)
}

// highestModSeq returns a mailbox's HIGHESTMODSEQ.
func (e *extEnv) highestModSeq(mailbox string) uint64 {
	e.t.Helper()
	ms, err := e.st.Status(context.Background(), mailbox)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms.HighestModSeq
}

// plainBackend opens its Backend's stores behind a type that has only the
// mailstore.Store methods, hiding every optional interface.
type plainBackend struct{ mailstore.Backend }

func (p plainBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	st, err := p.Backend.Open(ctx, user)
	if err != nil {
		return nil, err
	}
	return struct{ mailstore.Store }{st}, nil
}
