package imapserver

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// ---- Helpers of the mailbox group (prefix mbx) ---------------------------

// mbxBackend wraps the test backend so that a store's listing can look
// like the RFCs' examples: extra attributes for some names (INBOX's
// \Marked \NoInferiors) and hidden names (a server where "Foo/Bar" exists
// without "Foo").
type mbxBackend struct {
	mailstore.Backend
	extra map[string][]imap.MailboxAttr
	hide  map[string]bool
}

func (b *mbxBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	s, err := b.Backend.Open(ctx, user)
	if err != nil {
		return nil, err
	}
	return &mbxStore{Store: s, b: b}, nil
}

type mbxStore struct {
	mailstore.Store
	b *mbxBackend
}

func (s *mbxStore) Mailboxes(ctx context.Context) ([]mailstore.MailboxInfo, error) {
	infos, err := s.Store.Mailboxes(ctx)
	var out []mailstore.MailboxInfo
	for _, mi := range infos {
		if s.b.hide[mi.Name] && !mi.Subscribed {
			continue
		}
		if s.b.hide[mi.Name] {
			mi.Attrs = []imap.MailboxAttr{imap.AttrNonExistent}
		}
		mi.Attrs = append(slices.Clip(mi.Attrs), s.b.extra[mi.Name]...)
		out = append(out, mi)
	}
	return out, err
}

// mbxSetup starts a server whose listings carry the extra attributes and
// hide the names given, and returns it with a logged-in client.
func mbxSetup(t *testing.T, extra map[string][]imap.MailboxAttr, hide ...string) (*testServer, *tclient) {
	t.Helper()
	mb := &mbxBackend{extra: extra, hide: map[string]bool{}}
	for _, h := range hide {
		mb.hide[h] = true
	}
	ts := newTestServer(t, func(s *Server) {
		mb.Backend = s.Backend
		s.Backend = mb
	})
	c := ts.dial(t)
	c.login()
	return ts, c
}

// mbxInboxAttrs gives INBOX the attributes of RFC 5258 §5's examples.
var mbxInboxAttrs = map[string][]imap.MailboxAttr{"INBOX": {imap.AttrMarked, imap.AttrNoinferiors}}

// mbxCreate creates mailboxes.
func mbxCreate(c *tclient, names ...string) {
	c.t.Helper()
	for _, n := range names {
		c.ok("CREATE " + mbxQuote(n))
	}
}

// mbxSubscribe subscribes names.
func mbxSubscribe(c *tclient, names ...string) {
	c.t.Helper()
	for _, n := range names {
		c.ok("SUBSCRIBE " + mbxQuote(n))
	}
}

func mbxQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// mbxAppend stores a message in a mailbox, through another store handle.
func mbxAppend(t *testing.T, ts *testServer, mailbox string, flags ...imap.Flag) {
	t.Helper()
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	msg := "Subject: test\r\n\r\nbody\r\n"
	if _, err := st.Append(context.Background(), mailbox, strings.NewReader(msg), &mailstore.AppendOptions{Flags: flags}); err != nil {
		t.Fatal(err)
	}
}

// mbxNorm is a LIST, LSUB or STATUS response as a comparable string:
// attributes in lower case and sorted (\HasChildren and \HasNoChildren
// dropped unless children), the delimiter, the name with INBOX in upper
// case, CHILDINFO. Other responses give their kind.
func mbxNorm(r *wire.Response, children bool) string {
	switch r.Kind {
	case wire.KindList, wire.KindLsub:
		l := r.List
		var attrs []string
		for _, a := range l.Attrs {
			if !children && (a.Equal(imap.AttrHasChildren) || a.Equal(imap.AttrHasNoChildren)) {
				continue
			}
			attrs = append(attrs, strings.ToLower(string(a)))
		}
		slices.Sort(attrs)
		s := fmt.Sprintf("%s (%s) %q %s", r.Kind, strings.Join(attrs, " "), string(l.Delim), listCanonical(l.Mailbox, l.Delim))
		if len(l.ChildInfo) > 0 {
			s += " CHILDINFO (" + strings.ToUpper(strings.Join(l.ChildInfo, " ")) + ")"
		}
		return s
	case wire.KindStatusData:
		var items []string
		for _, v := range r.StatusData.Items {
			items = append(items, fmt.Sprintf("%s %d", v.Item, v.Num))
		}
		return fmt.Sprintf("STATUS %s (%s)", listCanonical(r.StatusData.Mailbox, '/'), strings.Join(items, " "))
	}
	return r.Kind.String()
}

// mbxParse decodes response lines as a server would send them (the RFCs'
// examples, without "S: ").
func mbxParse(t *testing.T, lines ...string) []*wire.Response {
	t.Helper()
	dec := wire.NewDecoder(bufio.NewReader(strings.NewReader(strings.Join(lines, "\r\n")+"\r\n")), nil)
	out := make([]*wire.Response, 0, len(lines))
	for range lines {
		var r wire.Response
		if err := dec.ReadResponse(&r); err != nil {
			t.Fatalf("parsing %q: %v", lines, err)
		}
		out = append(out, &r)
	}
	return out
}

// mbxCheck runs a command that must succeed and compares its untagged
// responses with want, as sets unless ordered. Without children,
// \HasChildren and \HasNoChildren are left out of the comparison: the
// server always sends them (RFC 5258 §4 allows it), the RFCs' examples
// without RETURN (CHILDREN) do not.
func mbxCheck(t *testing.T, c *tclient, command string, children, ordered bool, want ...string) {
	t.Helper()
	got := c.ok(command)
	g := make([]string, 0, len(got))
	for _, r := range got {
		g = append(g, mbxNorm(r, children))
	}
	w := make([]string, 0, len(want))
	for _, r := range mbxParse(t, want...) {
		w = append(w, mbxNorm(r, children))
	}
	if !ordered {
		slices.Sort(g)
		slices.Sort(w)
	}
	if !slices.Equal(g, w) {
		t.Errorf("%s:\ngot\n\t%s\nwant\n\t%s", command, strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
	}
}

// mbxRaw is a client that reads the server's lines as they are on the
// wire, to check how mailbox names are encoded.
type mbxRaw struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
	n  int
}

func mbxDialRaw(t *testing.T, ts *testServer) *mbxRaw {
	t.Helper()
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	r := &mbxRaw{t: t, nc: nc, br: bufio.NewReader(nc)}
	r.line()
	r.do("LOGIN alice secret")
	return r
}

func (r *mbxRaw) line() string {
	r.t.Helper()
	l, err := r.br.ReadString('\n')
	if err != nil {
		r.t.Fatal(err)
	}
	return strings.TrimRight(l, "\r\n")
}

// do sends a command and returns the untagged lines; the command must
// succeed.
func (r *mbxRaw) do(command string) []string {
	r.t.Helper()
	r.n++
	tag := fmt.Sprintf("r%d", r.n)
	fmt.Fprintf(r.nc, "%s %s\r\n", tag, command)
	var out []string
	for {
		l := r.line()
		if strings.HasPrefix(l, tag+" ") {
			if !strings.HasPrefix(l, tag+" OK") {
				r.t.Fatalf("%s: %s", command, l)
			}
			return out
		}
		out = append(out, l)
	}
}

// ---- RFC 3501 §6.3.8 / RFC 9051 §6.3.9: basic LIST -----------------------

// TestListBasicRFC runs the basic LIST examples of RFC 9051 §6.3.9.8 (and
// RFC 3501 §6.3.8), with "/" for the delimiter.
func TestListBasicRFC(t *testing.T) {
	_, c := mbxSetup(t, nil)
	// The empty pattern: the delimiter and the reference's root.
	mbxCheck(t, c, `LIST "" ""`, true, true, `* LIST (\Noselect) "/" ""`)
	mbxCheck(t, c, `LIST #news/comp/mail/misc ""`, true, true, `* LIST (\Noselect) "/" #news/`)
	mbxCheck(t, c, `LIST /usr/staff/jones ""`, true, true, `* LIST (\Noselect) "/" /`)

	// A202 LIST ~/Mail/ %: a \Noselect level and a mailbox.
	mbxCreate(c, "~/Mail/foo/x", "~/Mail/meetings")
	c.ok(`DELETE ~/Mail/foo`) // has an inferior: stays as \Noselect
	mbxCheck(t, c, `LIST ~/Mail/ %`, false, false,
		`* LIST (\Noselect) "/" ~/Mail/foo`,
		`* LIST () "/" ~/Mail/meetings`)
	// The same with children attributes (CHILDREN, RFC 3348).
	mbxCheck(t, c, `LIST ~/Mail/ %`, true, true,
		`* LIST (\Noselect \HasChildren) "/" ~/Mail/foo`,
		`* LIST (\HasNoChildren) "/" ~/Mail/meetings`)
}

// TestListWildcards checks "*" and "%", the reference prefix and INBOX's
// case-insensitivity.
func TestListWildcards(t *testing.T) {
	_, c := mbxSetup(t, nil)
	mbxCreate(c, "Fruit/Apple", "Fruit/Banana", "Fruit Salad", "Tofu", "INBOX/Sub", "Inboxes")
	all := []string{
		`* LIST () "/" INBOX`, `* LIST () "/" INBOX/Sub`,
		`* LIST () "/" Fruit`, `* LIST () "/" Fruit/Apple`, `* LIST () "/" Fruit/Banana`,
		`* LIST () "/" "Fruit Salad"`, `* LIST () "/" Inboxes`, `* LIST () "/" Tofu`,
	}
	// Hierarchical order: a name's inferiors follow it, INBOX first.
	mbxCheck(t, c, `LIST "" *`, false, true, all...)
	mbxCheck(t, c, `LIST "" %`, false, false,
		`* LIST () "/" INBOX`, `* LIST () "/" Fruit`, `* LIST () "/" "Fruit Salad"`,
		`* LIST () "/" Inboxes`, `* LIST () "/" Tofu`)
	mbxCheck(t, c, `LIST "" Fruit/%`, false, false,
		`* LIST () "/" Fruit/Apple`, `* LIST () "/" Fruit/Banana`)
	mbxCheck(t, c, `LIST "" F*t`, false, false, `* LIST () "/" Fruit`)
	mbxCheck(t, c, `LIST "" F%a%`, false, false, `* LIST () "/" "Fruit Salad"`)
	mbxCheck(t, c, `LIST "" *a*a*`, false, false,
		`* LIST () "/" Fruit/Banana`, `* LIST () "/" "Fruit Salad"`)
	mbxCheck(t, c, `LIST "" nothing*`, false, false)
	// The reference is a prefix of the canonical pattern.
	mbxCheck(t, c, `LIST Fruit/ %`, false, false,
		`* LIST () "/" Fruit/Apple`, `* LIST () "/" Fruit/Banana`)
	mbxCheck(t, c, `LIST Fruit /A*`, false, false, `* LIST () "/" Fruit/Apple`)
	mbxCheck(t, c, `LIST Fru it`, false, false, `* LIST () "/" Fruit`)
	// INBOX in any case, also as the first level; "Inboxes" is not
	// INBOX and keeps its case.
	mbxCheck(t, c, `LIST "" inbox`, false, false, `* LIST () "/" INBOX`)
	mbxCheck(t, c, `LIST "" iNbOx/%`, false, false, `* LIST () "/" INBOX/Sub`)
	mbxCheck(t, c, `LIST inbox/ *`, false, false, `* LIST () "/" INBOX/Sub`)
	mbxCheck(t, c, `LIST "" inb*`, false, false, `* LIST () "/" INBOX`, `* LIST () "/" INBOX/Sub`)
	mbxCheck(t, c, `LIST "" inboxes`, false, false)
	// Children attributes.
	mbxCheck(t, c, `LIST "" %`, true, false,
		`* LIST (\HasChildren) "/" INBOX`, `* LIST (\HasChildren) "/" Fruit`,
		`* LIST (\HasNoChildren) "/" "Fruit Salad"`, `* LIST (\HasNoChildren) "/" Inboxes`,
		`* LIST (\HasNoChildren) "/" Tofu`)
}

// TestListMissingLevels: a level of hierarchy the store does not list is
// returned by "%" as \Noselect to an IMAP4rev1 client's basic LIST
// (RFC 3501 §6.3.8) and as \NonExistent with the extended syntax or
// IMAP4rev2 (RFC 5258 §3, RFC 9051 §7.3.1), always with \HasChildren.
func TestListMissingLevels(t *testing.T) {
	ts, c := mbxSetup(t, nil, "a", "a/b")
	mbxCreate(c, "a/b/c")
	mbxCheck(t, c, `LIST "" %`, true, false,
		`* LIST (\HasNoChildren) "/" INBOX`, `* LIST (\Noselect \HasChildren) "/" a`)
	mbxCheck(t, c, `LIST "" a/%`, true, false, `* LIST (\Noselect \HasChildren) "/" a/b`)
	mbxCheck(t, c, `LIST "" %/b`, true, false, `* LIST (\Noselect \HasChildren) "/" a/b`)
	mbxCheck(t, c, `LIST () "" %`, true, false,
		`* LIST (\HasNoChildren) "/" INBOX`, `* LIST (\NonExistent \HasChildren) "/" a`)
	// "*" reaches the mailbox itself: no level is returned for it.
	mbxCheck(t, c, `LIST "" *`, true, false,
		`* LIST (\HasNoChildren) "/" INBOX`, `* LIST (\HasNoChildren) "/" a/b/c`)

	c2 := ts.dial(t)
	c2.login()
	c2.ok("ENABLE IMAP4rev2")
	mbxCheck(t, c2, `LIST "" %`, true, false,
		`* LIST (\HasNoChildren) "/" INBOX`, `* LIST (\NonExistent \HasChildren) "/" a`)
}

// ---- RFC 5258 §5 (RFC 9051 §6.3.9.8) examples -----------------------------

// mbxFruit builds the hierarchy of RFC 5258 §5 example 1 and the
// subscriptions of example 2.
func mbxFruit(t *testing.T) *tclient {
	_, c := mbxSetup(t, mbxInboxAttrs)
	mbxCreate(c, "Fruit", "Fruit/Apple", "Fruit/Banana", "Tofu", "Vegetable", "Vegetable/Broccoli", "Vegetable/Corn")
	mbxSubscribe(c, "INBOX", "Fruit/Banana", "Fruit/Peach", "Vegetable", "Vegetable/Broccoli")
	return c
}

// TestListExtendedRFC5258Examples1to6 runs examples 1 to 6. The server has
// no remote mailboxes, so REMOTE adds nothing: the \Remote lines of
// examples 4 to 6 are left out.
func TestListExtendedRFC5258Examples1to6(t *testing.T) {
	c := mbxFruit(t)
	// 1
	mbxCheck(t, c, `LIST "" "*"`, false, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST () "/" "Fruit"`,
		`* LIST () "/" "Fruit/Apple"`,
		`* LIST () "/" "Fruit/Banana"`,
		`* LIST () "/" "Tofu"`,
		`* LIST () "/" "Vegetable"`,
		`* LIST () "/" "Vegetable/Broccoli"`,
		`* LIST () "/" "Vegetable/Corn"`)
	// 2
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Marked \NoInferiors \Subscribed) "/" "inbox"`,
		`* LIST (\Subscribed) "/" "Fruit/Banana"`,
		`* LIST (\Subscribed \NonExistent) "/" "Fruit/Peach"`,
		`* LIST (\Subscribed) "/" "Vegetable"`,
		`* LIST (\Subscribed) "/" "Vegetable/Broccoli"`)
	// 3, compared with the children attributes.
	mbxCheck(t, c, `LIST () "" "%" RETURN (CHILDREN)`, true, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST (\HasChildren) "/" "Fruit"`,
		`* LIST (\HasNoChildren) "/" "Tofu"`,
		`* LIST (\HasChildren) "/" "Vegetable"`)
	// 4
	mbxCheck(t, c, `LIST (REMOTE) "" "%" RETURN (CHILDREN)`, true, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST (\HasChildren) "/" "Fruit"`,
		`* LIST (\HasNoChildren) "/" "Tofu"`,
		`* LIST (\HasChildren) "/" "Vegetable"`)
	// 5
	mbxCheck(t, c, `LIST (REMOTE SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Marked \NoInferiors \Subscribed) "/" "inbox"`,
		`* LIST (\Subscribed) "/" "Fruit/Banana"`,
		`* LIST (\Subscribed \NonExistent) "/" "Fruit/Peach"`,
		`* LIST (\Subscribed) "/" "Vegetable"`,
		`* LIST (\Subscribed) "/" "Vegetable/Broccoli"`)
	// 6
	mbxCheck(t, c, `LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)`, false, false,
		`* LIST (\Marked \NoInferiors \Subscribed) "/" "inbox"`,
		`* LIST () "/" "Fruit"`,
		`* LIST () "/" "Fruit/Apple"`,
		`* LIST (\Subscribed) "/" "Fruit/Banana"`,
		`* LIST () "/" "Tofu"`,
		`* LIST (\Subscribed) "/" "Vegetable"`,
		`* LIST (\Subscribed) "/" "Vegetable/Broccoli"`,
		`* LIST () "/" "Vegetable/Corn"`)
	// Plain LIST never shows the subscribed name that is not a mailbox.
	mbxCheck(t, c, `LIST "" Fruit/*`, false, false,
		`* LIST () "/" "Fruit/Apple"`, `* LIST () "/" "Fruit/Banana"`)
	// The same pattern with the extended syntax and repeated options.
	mbxCheck(t, c, `LIST (SUBSCRIBED SUBSCRIBED) "" (Fruit/* Fruit/%) RETURN (CHILDREN CHILDREN)`, true, false,
		`* LIST (\Subscribed \HasNoChildren) "/" "Fruit/Banana"`,
		`* LIST (\Subscribed \NonExistent \HasNoChildren) "/" "Fruit/Peach"`)
}

// TestListExtendedRFC5258Example7: several patterns, one response per
// name.
func TestListExtendedRFC5258Example7(t *testing.T) {
	_, c := mbxSetup(t, map[string][]imap.MailboxAttr{
		"Drafts":            {imap.AttrNoinferiors},
		"Sent/December2003": {imap.AttrMarked},
	})
	mbxCreate(c, "Drafts", "Sent/March2004", "Sent/December2003", "Sent/August2004", "Other")
	mbxCheck(t, c, `LIST "" ("INBOX" "Drafts" "Sent/%")`, false, false,
		`* LIST () "/" "INBOX"`,
		`* LIST (\NoInferiors) "/" "Drafts"`,
		`* LIST () "/" "Sent/March2004"`,
		`* LIST (\Marked) "/" "Sent/December2003"`,
		`* LIST () "/" "Sent/August2004"`)
	// Overlapping patterns still give one response per name.
	mbxCheck(t, c, `LIST "" (Sent/* "Sent/%" * Sent/August2004)`, false, false,
		`* LIST () "/" "INBOX"`,
		`* LIST (\NoInferiors) "/" "Drafts"`,
		`* LIST () "/" "Other"`,
		`* LIST () "/" "Sent"`,
		`* LIST () "/" "Sent/March2004"`,
		`* LIST (\Marked) "/" "Sent/December2003"`,
		`* LIST () "/" "Sent/August2004"`)
	// An empty pattern has no special meaning in the extended syntax.
	mbxCheck(t, c, `LIST () "" ""`, false, false)
	mbxCheck(t, c, `LIST "" ("" Drafts)`, false, false, `* LIST (\NoInferiors) "/" "Drafts"`)
}

// TestListExtendedRFC5258Example8 runs example 8 (RFC 9051 example 7):
// \HasChildren against CHILDINFO.
func TestListExtendedRFC5258Example8(t *testing.T) {
	_, c := mbxSetup(t, mbxInboxAttrs)
	mbxCreate(c, "Foo", "Foo/Bar", "Foo/Baz", "Moo")
	mbxCheck(t, c, `LIST "" "*"`, false, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST () "/" "Foo"`,
		`* LIST () "/" "Foo/Bar"`,
		`* LIST () "/" "Foo/Baz"`,
		`* LIST () "/" "Moo"`)
	mbxCheck(t, c, `LIST "" "%" RETURN (CHILDREN)`, true, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST (\HasChildren) "/" "Foo"`,
		`* LIST (\HasNoChildren) "/" "Moo"`)
	// A) Foo/Baz is the only subscribed mailbox.
	mbxSubscribe(c, "Foo/Baz")
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Subscribed) "/" "Foo/Baz"`)
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" "%"`, false, false)
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`, false, false,
		`* LIST () "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`)
	// A1) Foo subscribed too.
	mbxSubscribe(c, "Foo")
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`, false, false,
		`* LIST (\Subscribed) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`)
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`, true, false,
		`* LIST (\Subscribed \HasChildren) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`)
	// B) Nothing subscribed.
	c.ok("UNSUBSCRIBE Foo")
	c.ok("UNSUBSCRIBE Foo/Baz")
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`, false, false)
	// C) Foo and Moo subscribed.
	mbxSubscribe(c, "Foo", "Moo")
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)`, true, false,
		`* LIST (\HasChildren \Subscribed) "/" "Foo"`,
		`* LIST (\HasNoChildren \Subscribed) "/" "Moo"`)
}

// TestListExtendedRFC5258Example8A2: Foo is not part of the hierarchy
// (the store lists Foo/Bar and Foo/Baz without it) and not subscribed.
func TestListExtendedRFC5258Example8A2(t *testing.T) {
	_, c := mbxSetup(t, mbxInboxAttrs, "Foo")
	mbxCreate(c, "Foo/Bar", "Foo/Baz", "Moo")
	mbxSubscribe(c, "Foo/Baz")
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`, false, false,
		`* LIST (\NonExistent) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`)
}

// TestListExtendedRFC5258Example9 runs example 9 (RFC 9051 example 8):
// CHILDINFO whether or not the children match the pattern. qux2 is not a
// mailbox.
func TestListExtendedRFC5258Example9(t *testing.T) {
	_, c := mbxSetup(t, mbxInboxAttrs, "qux2")
	mbxCreate(c, "foo2", "foo2/bar1", "foo2/bar2", "baz2", "baz2/bar2", "baz2/bar22", "baz2/bar222",
		"eps2", "eps2/mamba", "qux2/bar2")
	mbxCheck(t, c, `LIST "" "*"`, false, false,
		`* LIST (\Marked \NoInferiors) "/" "inbox"`,
		`* LIST () "/" "foo2"`,
		`* LIST () "/" "foo2/bar1"`,
		`* LIST () "/" "foo2/bar2"`,
		`* LIST () "/" "baz2"`,
		`* LIST () "/" "baz2/bar2"`,
		`* LIST () "/" "baz2/bar22"`,
		`* LIST () "/" "baz2/bar222"`,
		`* LIST () "/" "eps2"`,
		`* LIST () "/" "eps2/mamba"`,
		`* LIST () "/" "qux2/bar2"`)
	mbxSubscribe(c, "foo2/bar1", "foo2/bar2", "baz2/bar2", "baz2/bar22", "baz2/bar222", "eps2", "eps2/mamba", "qux2/bar2")
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Subscribed) "/" "foo2/bar1"`,
		`* LIST (\Subscribed) "/" "foo2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar22"`,
		`* LIST (\Subscribed) "/" "baz2/bar222"`,
		`* LIST (\Subscribed) "/" "eps2"`,
		`* LIST (\Subscribed) "/" "eps2/mamba"`,
		`* LIST (\Subscribed) "/" "qux2/bar2"`)
	// Exactly the RFC's answer: the redundant CHILDINFO of baz2 and qux2
	// is suppressed (RFC 5258 §3.5).
	mbxCheck(t, c, `LIST (RECURSIVEMATCH SUBSCRIBED) "" "*2"`, false, false,
		`* LIST () "/" "foo2" ("CHILDINFO" ("SUBSCRIBED"))`,
		`* LIST (\Subscribed) "/" "foo2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar22"`,
		`* LIST (\Subscribed) "/" "baz2/bar222"`,
		`* LIST (\Subscribed) "/" "eps2" ("CHILDINFO" ("SUBSCRIBED"))`,
		`* LIST (\Subscribed) "/" "qux2/bar2"`)
	// With "*" the RFC's example also lists foo2 and baz2, which are not
	// subscribed and whose subscribed children are all listed: the
	// server keeps the SHOULD of §3.5 ("servers SHOULD suppress redundant
	// CHILDINFO responses") and leaves them out. eps2 is listed for
	// itself, with CHILDINFO for eps2/mamba.
	mbxCheck(t, c, `LIST (RECURSIVEMATCH SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Subscribed) "/" "foo2/bar1"`,
		`* LIST (\Subscribed) "/" "foo2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar2"`,
		`* LIST (\Subscribed) "/" "baz2/bar22"`,
		`* LIST (\Subscribed) "/" "baz2/bar222"`,
		`* LIST (\Subscribed) "/" "eps2" ("CHILDINFO" ("SUBSCRIBED"))`,
		`* LIST (\Subscribed) "/" "eps2/mamba"`,
		`* LIST (\Subscribed) "/" "qux2/bar2"`)
}

// TestListExtendedRFC5258Example10 runs example 10 (RFC 9051 example 9):
// CHILDINFO without \HasChildren.
func TestListExtendedRFC5258Example10(t *testing.T) {
	_, c := mbxSetup(t, nil)
	mbxCreate(c, "foo")
	mbxSubscribe(c, "foo/bar")
	mbxCheck(t, c, `LIST "" ("foo")`, false, false, `* LIST () "/" foo`)
	mbxCheck(t, c, `LIST "" ("foo" "foo/*")`, false, false, `* LIST () "/" foo`)
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" "foo/*"`, false, false,
		`* LIST (\Subscribed \NonExistent) "/" foo/bar`)
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)`, true, false,
		`* LIST (\HasNoChildren) "/" foo ("CHILDINFO" ("SUBSCRIBED"))`)
}

// TestListExtendedRFC5258Example11 runs example 11 (RFC 9051 example 10):
// a store that lists music/rock without music. The test store's INBOX is
// hidden to match the example's hierarchy; also/jazz is remote and left
// out.
func TestListExtendedRFC5258Example11(t *testing.T) {
	_, c := mbxSetup(t, nil, "INBOX", "music")
	mbxCreate(c, "music/rock")
	mbxCheck(t, c, `LIST (REMOTE) "" *`, false, false, `* LIST () "/" music/rock`)
	mbxCheck(t, c, `LIST () "" %`, true, false, `* LIST (\NonExistent \HasChildren) "/" music`)
	mbxCheck(t, c, `LIST (REMOTE) "" %`, true, false, `* LIST (\NonExistent \HasChildren) "/" music`)
	mbxCheck(t, c, `LIST "" (% music/rock)`, false, false, `* LIST () "/" music/rock`)
}

// TestListOptionErrors: unknown options and RECURSIVEMATCH alone are BAD
// (RFC 5258 §3, §3.1).
func TestListOptionErrors(t *testing.T) {
	_, c := mbxSetup(t, nil)
	for _, cmd := range []string{
		`LIST (RECURSIVEMATCH) "" *`,
		`LIST (REMOTE RECURSIVEMATCH) "" *`,
		`LIST (FOO) "" *`,
		`LIST (SUBSCRIBED FOO (1 2)) "" *`,
		`LIST "" * RETURN (FOO)`,
		`LIST "" * RETURN (STATUS (MESSAGES DELETED-STORAGE))`,
	} {
		if _, r := c.do(cmd); r.Status != wire.StatusBAD {
			t.Errorf("%s: %s %s", cmd, r.Status, r.Text)
		}
	}
	c.ok(`LIST (REMOTE RECURSIVEMATCH SUBSCRIBED) "" *`)
	c.ok(`LIST (SPECIAL-USE RECURSIVEMATCH) "" *`)
	c.ok(`LIST "" * RETURN ()`)
}

// ---- LSUB (RFC 3501 §6.3.9) ----------------------------------------------

// TestLsubRFC3501 runs RFC 3501 §6.3.9's example with "/" for ".": a
// level returned by "%" for subscribed names below it is \Noselect.
func TestLsubRFC3501(t *testing.T) {
	_, c := mbxSetup(t, nil)
	mbxCreate(c, "#news/comp/mail/mime", "#news/comp/mail/misc", "#news/comp/lang")
	mbxSubscribe(c, "#news/comp/mail/mime", "#news/comp/mail/misc")
	mbxCheck(t, c, `LSUB "#news/" "comp/mail/*"`, true, false,
		`* LSUB () "/" #news/comp/mail/mime`,
		`* LSUB () "/" #news/comp/mail/misc`)
	mbxCheck(t, c, `LSUB "#news/" "comp/%"`, true, false,
		`* LSUB (\NoSelect) "/" #news/comp/mail`)
	// A subscribed name that is not a mailbox is listed, \Noselect; LSUB
	// knows no \NonExistent.
	mbxSubscribe(c, "gone")
	mbxCheck(t, c, `LSUB "" %`, true, false,
		`* LSUB (\Noselect) "/" #news`,
		`* LSUB (\Noselect) "/" gone`)
	mbxCheck(t, c, `LSUB "" *`, true, false,
		`* LSUB () "/" #news/comp/mail/mime`,
		`* LSUB () "/" #news/comp/mail/misc`,
		`* LSUB (\Noselect) "/" gone`)
	// LSUB is IMAP4rev1's, but still served after ENABLE IMAP4rev2.
	c.ok("ENABLE IMAP4rev2")
	mbxCheck(t, c, `LSUB "" g*`, true, false, `* LSUB (\Noselect) "/" gone`)
	// LIST (SUBSCRIBED) shows it as \NonExistent, plain LIST not at all.
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" g*`, false, false, `* LIST (\Subscribed \NonExistent) "/" gone`)
	mbxCheck(t, c, `LIST "" g*`, false, false)
}

// ---- LIST-STATUS (RFC 5819 §3, RFC 9051 §6.3.9.8 example 11) -------------

func TestListStatusRFC5819(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	mbxCreate(c, "foo", "bar/x")
	c.ok("DELETE bar") // \Noselect, with an inferior
	mbxAppend(t, ts, "INBOX", imap.FlagSeen)
	mbxAppend(t, ts, "INBOX")
	mbxAppend(t, ts, "foo")
	mbxAppend(t, ts, "foo")
	mbxAppend(t, ts, "foo")
	mbxCheck(t, c, `LIST "" % RETURN (STATUS (MESSAGES UNSEEN))`, false, true,
		`* LIST () "/"  "INBOX"`,
		`* STATUS "INBOX" (MESSAGES 2 UNSEEN 1)`,
		`* LIST (\NoSelect) "/" "bar"`,
		`* LIST () "/" "foo"`,
		`* STATUS "foo" (MESSAGES 3 UNSEEN 3)`)
	mbxSubscribe(c, "INBOX", "foo/x")
	mbxCheck(t, c, `LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))`, false, true,
		`* LIST (\Subscribed) "/"  "INBOX"`,
		`* STATUS "INBOX" (MESSAGES 2)`,
		`* LIST () "/" "foo" (CHILDINFO ("SUBSCRIBED"))`)
	// Every item, with the other return options.
	u := c.ok(`LIST "" foo RETURN (CHILDREN STATUS (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ APPENDLIMIT) SUBSCRIBED)`)
	if len(u) != 2 || u[0].Kind != wire.KindList || u[1].Kind != wire.KindStatusData {
		t.Fatalf("LIST-STATUS: %s", kinds(u))
	}
	sd := u[1].StatusData
	for item, want := range map[imap.StatusItem]uint64{
		imap.StatusMessages: 3, imap.StatusUIDNext: 4, imap.StatusUnseen: 3, imap.StatusDeleted: 0,
		imap.StatusAppendLimit: DefaultMaxMessageSize,
	} {
		if got, ok := sd.Get(item); !ok || got != want {
			t.Errorf("%s = %d, %v; want %d", item, got, ok, want)
		}
	}
	if n, _ := sd.Get(imap.StatusSize); n == 0 {
		t.Errorf("SIZE 0")
	}
	if len(sd.Items) != 9 {
		t.Errorf("items: %+v", sd.Items)
	}
}

// ---- SPECIAL-USE (RFC 6154 §5) --------------------------------------------

func TestListSpecialUseRFC6154(t *testing.T) {
	_, c := mbxSetup(t, map[string][]imap.MailboxAttr{
		"INBOX": {imap.AttrMarked}, "MyDrafts": {imap.AttrMarked},
	})
	mbxCreate(c, "ToDo", "Projects/Plans")
	c.ok(`CREATE SentMail (USE (\Sent))`)
	c.ok(`CREATE MyDrafts (USE (\Drafts))`)
	c.ok(`CREATE Trash (USE (\trash))`)
	// 5.1: the server supports CHILDREN too.
	mbxCheck(t, c, `LIST "" "%"`, true, false,
		`* LIST (\Marked \HasNoChildren) "/" Inbox`,
		`* LIST (\HasNoChildren) "/" ToDo`,
		`* LIST (\HasChildren) "/" Projects`,
		`* LIST (\Sent \HasNoChildren) "/" SentMail`,
		`* LIST (\Marked \Drafts \HasNoChildren) "/" MyDrafts`,
		`* LIST (\Trash \HasNoChildren) "/" Trash`)
	// 5.2
	mbxCheck(t, c, `LIST "" "%" RETURN (SPECIAL-USE)`, false, false,
		`* LIST (\Marked) "/" Inbox`,
		`* LIST () "/" ToDo`,
		`* LIST () "/" Projects`,
		`* LIST (\Sent) "/" SentMail`,
		`* LIST (\Marked \Drafts) "/" MyDrafts`,
		`* LIST (\Trash) "/" Trash`)
	mbxCheck(t, c, `LIST (SPECIAL-USE) "" "*"`, false, false,
		`* LIST (\Sent) "/" SentMail`,
		`* LIST (\Marked \Drafts) "/" MyDrafts`,
		`* LIST (\Trash) "/" Trash`)
	// Below the top level, found by "*" only.
	c.ok(`CREATE Projects/Archive (USE (\Archive))`)
	mbxCheck(t, c, `LIST (SPECIAL-USE) "" "%"`, false, false,
		`* LIST (\Sent) "/" SentMail`,
		`* LIST (\Marked \Drafts) "/" MyDrafts`,
		`* LIST (\Trash) "/" Trash`)
	mbxCheck(t, c, `LIST (SPECIAL-USE RECURSIVEMATCH) "" "%"`, false, false,
		`* LIST () "/" Projects ("CHILDINFO" ("SPECIAL-USE"))`,
		`* LIST (\Sent) "/" SentMail`,
		`* LIST (\Marked \Drafts) "/" MyDrafts`,
		`* LIST (\Trash) "/" Trash`)
	mbxCheck(t, c, `LIST (SPECIAL-USE SUBSCRIBED) "" "*"`, false, false)
	mbxSubscribe(c, "Trash", "ToDo")
	mbxCheck(t, c, `LIST (SPECIAL-USE SUBSCRIBED) "" "*"`, false, false,
		`* LIST (\Trash \Subscribed) "/" Trash`)
}

// ---- Mailbox names in modified UTF-7 and UTF-8 -----------------------------

// TestListNonASCII: names go out in modified UTF-7 (RFC 3501 §5.1.3)
// until the client enables IMAP4rev2 or UTF8=ACCEPT, then in UTF-8
// (RFC 9051 §5.1, RFC 6855 §3). The name is RFC 3501 §5.1.3's example.
func TestListNonASCII(t *testing.T) {
	ts, _ := mbxSetup(t, nil)
	const utf7 = "~peter/mail/&U,BTFw-/&ZeVnLIqe-"
	const utf8 = "~peter/mail/台北/日本語"
	r1 := mbxDialRaw(t, ts)
	r1.do("CREATE " + utf7)
	r1.do("SUBSCRIBE " + utf7)

	want7 := []string{
		`* LIST (\HasChildren) "/" ~peter/mail/&U,BTFw-`,
		`* LIST (\HasNoChildren) "/" ~peter/mail/&U,BTFw-/&ZeVnLIqe-`,
	}
	if got := r1.do(`LIST "" ~peter/mail/*`); !slices.Equal(got, want7) {
		t.Errorf("IMAP4rev1 LIST:\n%q\nwant\n%q", got, want7)
	}
	// A pattern in modified UTF-7.
	if got := r1.do(`LIST "" ~peter/mail/&U,BTFw-/%`); !slices.Equal(got, want7[1:]) {
		t.Errorf("IMAP4rev1 LIST with a UTF-7 pattern: %q", got)
	}
	if got := r1.do(`LSUB "" *`); len(got) != 1 || got[0] != `* LSUB () "/" `+utf7 {
		t.Errorf("IMAP4rev1 LSUB: %q", got)
	}
	if got := r1.do("STATUS " + utf7 + " (MESSAGES)"); len(got) != 1 || got[0] != `* STATUS `+utf7+` (MESSAGES 0)` {
		t.Errorf("IMAP4rev1 STATUS: %q", got)
	}

	for _, enable := range []string{"IMAP4rev2", "UTF8=ACCEPT"} {
		r := mbxDialRaw(t, ts)
		r.do("ENABLE " + enable)
		want8 := []string{
			`* LIST (\HasChildren) "/" "~peter/mail/台北"`,
			`* LIST (\HasNoChildren) "/" "` + utf8 + `"`,
		}
		if got := r.do(`LIST "" ~peter/mail/*`); !slices.Equal(got, want8) {
			t.Errorf("%s LIST:\n%q\nwant\n%q", enable, got, want8)
		}
		if got := r.do(`LIST "" "~peter/mail/台北/%"`); !slices.Equal(got, want8[1:]) {
			t.Errorf("%s LIST with a UTF-8 pattern: %q", enable, got)
		}
		if got := r.do(`STATUS "` + utf8 + `" (MESSAGES)`); len(got) != 1 || got[0] != `* STATUS "`+utf8+`" (MESSAGES 0)` {
			t.Errorf("%s STATUS: %q", enable, got)
		}
	}
	// A name created in UTF-8 is the same mailbox for a modified UTF-7
	// client.
	r2 := mbxDialRaw(t, ts)
	r2.do("ENABLE UTF8=ACCEPT")
	r2.do(`CREATE "Café"`)
	if got := r1.do(`LIST "" Caf*`); len(got) != 1 || got[0] != `* LIST (\HasNoChildren) "/" Caf&AOk-` {
		t.Errorf("IMAP4rev1 LIST of a UTF-8 name: %q", got)
	}
}

// ---- The matcher -----------------------------------------------------------

func TestListMatch(t *testing.T) {
	for _, tc := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "", true},
		{"*", "a/b/c", true},
		{"%", "abc", true},
		{"%", "a/b", false},
		{"%/%", "a/b", true},
		{"%/%", "a/b/c", false},
		{"a/*", "a/b/c", true},
		{"a/*", "a", false},
		{"a*", "a", true},
		{"a%c", "abbc", true},
		{"a%c", "ab/c", false},
		{"a*c", "ab/c", true},
		{"*b", "a/b", true},
		{"%b", "a/b", false},
		{"x", "X", false},
		{"*a*a*a*", "aaa", true},
		{"*a*a*a*", "aa", false},
		{"%%*%", "a/b", true},
		{"日*", "日本語", true},
		{"日%語", "日本語", true},
	} {
		got := listMatch(listCompile(tc.pat), []rune(tc.name), '/', 0)
		if got != tc.want {
			t.Errorf("listMatch(%q, %q) = %v", tc.pat, tc.name, got)
		}
	}
	// INBOX matches without regard to case, only in its first level.
	if !listMatch(listCompile("inbox/Sub"), []rune("INBOX/Sub"), '/', 5) {
		t.Error("inbox/Sub does not match INBOX/Sub")
	}
	if listMatch(listCompile("inbox/sub"), []rune("INBOX/Sub"), '/', 5) {
		t.Error("inbox/sub matches INBOX/Sub")
	}
	// A flat store: "%" is "*".
	if !listMatch(listCompile("%"), []rune("a/b"), 0, 0) {
		t.Error("% does not match a/b without a delimiter")
	}
	// A pathological pattern stays cheap (len(pat)·len(name) steps).
	long := strings.Repeat("*a", 5000) + "*b"
	name := []rune(strings.Repeat("a", 1000))
	if listMatch(listCompile(long), name, '/', 0) {
		t.Error("pathological pattern matched")
	}
	if listMatch(listCompile(strings.Repeat("*a", 400)+"*b"), name, '/', 0) {
		t.Error("pathological pattern matched")
	}
	if !listMatch(listCompile(strings.Repeat("*a", 400)+"*"), name, '/', 0) {
		t.Error("pattern did not match")
	}
}
