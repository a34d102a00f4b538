package imapserver

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// aclSet returns the rights of a rights string as a sorted set, for
// comparing rights whose order the RFC's examples do not fix.
func aclSet(rights string) string {
	b := []byte(rights)
	slices.Sort(b)
	return string(slices.Compact(b))
}

// aclOf parses an ACL response line ("* ACL mailbox id rights ...") into
// its mailbox and a map from identifier to rights set. Identifiers and
// rights in these tests are atoms or "".
func aclOf(t testing.TB, line string) (string, map[string]string) {
	t.Helper()
	f := strings.Fields(line)
	if len(f) < 3 || f[0] != "*" || f[1] != "ACL" || len(f)%2 != 1 {
		t.Fatalf("not an ACL response: %q", line)
	}
	m := map[string]string{}
	for i := 3; i+1 < len(f); i += 2 {
		m[f[i]] = aclSet(strings.Trim(f[i+1], `"`))
	}
	return f[2], m
}

// aclGet runs GETACL and returns the ACL response's entries.
func aclGet(c *extConn, tag, mailbox string) map[string]string {
	c.t.Helper()
	u := c.ok(tag + " GETACL " + mailbox)
	if len(u) != 1 {
		c.t.Fatalf("GETACL %s: %q", mailbox, u)
	}
	_, m := aclOf(c.t, u[0])
	return m
}

// aclWant checks the ACL of a mailbox against want (identifier to rights,
// in any order); the owner alice, who has every right, is left out of
// the comparison.
func aclWant(c *extConn, tag, mailbox string, want map[string]string) {
	c.t.Helper()
	got := aclGet(c, tag, mailbox)
	if got["alice"] != aclSet(mailstore.AllRights+"cd") {
		c.t.Errorf("GETACL %s: alice has %q", mailbox, got["alice"])
	}
	delete(got, "alice")
	w := map[string]string{}
	for id, r := range want {
		w[id] = aclSet(r)
	}
	if fmt.Sprint(got) != fmt.Sprint(w) {
		c.t.Errorf("GETACL %s:\n got %v\nwant %v", mailbox, got, w)
	}
}

// TestACLRFC4314Examples runs the examples of RFC 4314 §2.1.1 and §3 over
// memstore, logged in as alice, who owns every mailbox and has every
// right, with the examples' other identifiers. Rights are compared as
// sets, since memstore writes them in the order of mailstore.AllRights
// where the examples use several orders.
func TestACLRFC4314Examples(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	e.create("INBOX/Drafts", "Mail/saved", "archive/imap")
	c := dialExt(t, e.ts, true)

	// §2.1.1: the client's "d" expands to "et", and the responses show
	// "c" and "d" wherever one of their members is.
	c.expect(`A001 SeTacl INBOX/Drafts David lrswida`, "OK")
	aclWant(c, "A002", "INBOX/Drafts", map[string]string{"David": "lrswideta"})
	c.expect(`A003 Setacl INBOX/Drafts Byron lrswikda`, "OK")
	aclWant(c, "A004", "INBOX/Drafts", map[string]string{"David": "lrswideta", "Byron": "lrswikcdeta"})

	// §3.1: "+" adds, "-" removes; "c" is "kx", "d" "et".
	c.ok(`B000 DELETEACL INBOX/Drafts David`)
	c.ok(`B001 DELETEACL INBOX/Drafts Byron`)
	c.ok(`B002 SETACL INBOX/Drafts Fred rwipslxetad`)
	c.ok(`B003 SETACL INBOX/Drafts Chris lrswi`)
	// Fred's "x" is a member of "c" in this server's mapping (c=kx), so
	// his rights show "c" too, where the example's server (c=k) does not.
	aclWant(c, "A001", "INBOX/Drafts", map[string]string{"Fred": "rwipslxetadc", "Chris": "lrswi"})
	c.expect(`A002 SETACL INBOX/Drafts Chris +cda`, "OK")
	aclWant(c, "A003", "INBOX/Drafts", map[string]string{"Fred": "rwipslxetadc", "Chris": "lrswicdakxet"})
	c.expect(`A004 SETACL INBOX/Drafts Chris -kxa`, "OK")
	aclWant(c, "A005", "INBOX/Drafts", map[string]string{"Fred": "rwipslxetadc", "Chris": "lrswidet"})
	// "an unrecognized right MUST cause the command to return the BAD
	// response", with the examples' texts.
	c.expect(`A035 SETACL INBOX/Drafts John lrQswicda`, "BAD Uppercase rights are not allowed")
	c.expect(`A036 SETACL INBOX/Drafts John lrqswicda`, "BAD The q right is not supported")
	c.expect(`A037 SETACL INBOX/Drafts John +l0`, "BAD The 0 right is not supported")
	aclWant(c, "A038", "INBOX/Drafts", map[string]string{"Fred": "rwipslxetadc", "Chris": "lrswidet"})
	// Removing every right removes the entry.
	c.expect(`A039 SETACL INBOX/Drafts Chris ""`, "OK")
	aclWant(c, "A040", "INBOX/Drafts", map[string]string{"Fred": "rwipslxetadc"})

	// §3.2: DELETEACL removes the identifier's pair only, not its
	// negative rights nor another identifier's.
	c.ok(`B010 SETACL INBOX Fred rwipslxetad`)
	c.ok(`B011 SETACL INBOX -Fred wetd`)
	c.ok(`B012 SETACL INBOX $team w`)
	aclWant(c, "B001", "INBOX", map[string]string{"Fred": "rwipslxetadc", "-Fred": "wetd", "$team": "w"})
	c.expect(`B002 DeleteAcl INBOX Fred`, "OK")
	aclWant(c, "B003", "INBOX", map[string]string{"-Fred": "wetd", "$team": "w"})
	// Deleting an identifier that has no entry is no error.
	c.expect(`B004 DELETEACL INBOX Nobody`, "OK")

	// §3.3, with INBOX in another case, which the codec reads as INBOX.
	u := c.ok(`A002 getacl inbox`)
	if len(u) != 1 || !strings.HasPrefix(u[0], "* ACL INBOX alice lrswipkxteancd ") {
		t.Errorf("GETACL inbox: %q", u)
	}

	// §3.4: memstore ties no rights, so each is a group of its own; "c"
	// and "d" follow as groups of their own (§2.1.1), and the identifier
	// comes back as the client wrote it.
	c.expect(`a001 LISTRIGHTS Mail/saved smith`, "OK",
		`* LISTRIGHTS Mail/saved smith "" l r s w i p k x t e a n c d`)
	c.expect(`a005 listrights archive/imap anyone`, "OK",
		`* LISTRIGHTS archive/imap anyone "" l r s w i p k x t e a n c d`)
	// The owner has every right, always.
	c.expect(`a006 LISTRIGHTS archive/imap alice`, "OK",
		`* LISTRIGHTS archive/imap alice lrswipkxteancd`)

	// §3.5.
	c.expect(`A003 MYRIGHTS INBOX`, "OK", `* MYRIGHTS INBOX lrswipkxteancd`)
}

// TestACLErrors checks the answers to bad ACL commands: unknown
// mailboxes NO [NONEXISTENT], identifiers the store refuses NO [CANNOT],
// invalid identifiers BAD (RFC 4314 §3), missing arguments BAD.
func TestACLErrors(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	c := dialExt(t, e.ts, true)
	for _, cmd := range []string{
		`n1 GETACL Nowhere`,
		`n2 SETACL Nowhere bob lr`,
		`n3 DELETEACL Nowhere bob`,
		`n4 LISTRIGHTS Nowhere bob`,
		`n5 MYRIGHTS Nowhere`,
	} {
		c.expect(cmd, "NO [NONEXISTENT]")
	}
	// memstore fixes the owner's rights (RFC 4314 §2: "MAY force rights to
	// always or never be granted to particular identifiers").
	c.expect(`o1 SETACL INBOX alice -a`, "NO [CANNOT]")
	c.expect(`o2 DELETEACL INBOX alice`, "NO [CANNOT]")
	c.expect(`o3 SETACL INBOX -alice a`, "NO [CANNOT]")
	// An empty identifier, or one with a control character, is what
	// SASLprep refuses: BAD (§3).
	c.expect(`b1 SETACL INBOX "" lr`, "BAD")
	c.expect(`b2 DELETEACL INBOX ""`, "BAD")
	c.expect(`b3 LISTRIGHTS INBOX ""`, "BAD")
	c.expect("b4 SETACL INBOX {3+}\r\nb\x01b lr", "BAD")
	// Missing arguments.
	c.expect(`b5 SETACL INBOX bob`, "BAD")
	c.expect(`b6 GETACL`, "BAD")
	c.expect(`b7 MYRIGHTS`, "BAD")
	// Not before login.
	c2 := dialExt(t, e.ts, false)
	c2.expect(`p1 MYRIGHTS INBOX`, "BAD")
	c2.expect(`p2 GETACL INBOX`, "BAD")
}

// aclDenyStore is a store whose user may administer nothing: every ACL
// operation gives mailstore.ErrPermission, as a store that shares
// mailboxes between users gives it for a mailbox without the "a" right
// (RFC 4314 §4).
type aclDenyStore struct{ mailstore.Store }

var errACLDenied = fmt.Errorf("%w: no \"a\" right", mailstore.ErrPermission)

func (aclDenyStore) ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error) {
	return nil, errACLDenied
}

func (aclDenyStore) SetACL(ctx context.Context, mailbox, identifier string, op mailstore.RightsOp, rights string) error {
	return errACLDenied
}

func (aclDenyStore) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	return errACLDenied
}

func (aclDenyStore) ListRights(ctx context.Context, mailbox, identifier string) (string, []string, error) {
	return "", nil, errACLDenied
}

func (aclDenyStore) MyRights(ctx context.Context, mailbox string) (string, error) {
	return "", errACLDenied
}

// TestACLNoPerm checks that mailstore.ErrPermission is NO [NOPERM] (RFC
// 5530) for every ACL command.
func TestACLNoPerm(t *testing.T) {
	e := newExtEnv(t, nil, func(s mailstore.Store) mailstore.Store { return aclDenyStore{s} })
	c := dialExt(t, e.ts, true)
	if got := extCapsOf(c.caps()); !slices.Equal(got, []string{"ACL", "RIGHTS=texkn"}) {
		t.Errorf("capabilities %q", got)
	}
	for _, cmd := range []string{
		`d1 GETACL INBOX`,
		`d2 SETACL INBOX bob lr`,
		`d3 DELETEACL INBOX bob`,
		`d4 LISTRIGHTS INBOX bob`,
		`d5 MYRIGHTS INBOX`,
	} {
		c.expect(cmd, "NO [NOPERM]")
	}
	// Invalid rights are BAD before the store is asked.
	c.expect(`d6 SETACL INBOX bob lrZ`, "BAD")
}

// aclTiedStore is an ACL store with RFC 4314 §2.1.1's LISTRIGHTS
// examples' ties, to check where the server puts "c" and "d".
type aclTiedStore struct {
	mailstore.Store
	groups []string
}

func (aclTiedStore) ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error) {
	return []imap.ACLEntry{{Identifier: "Fred", Rights: "lrswipkxtea"}, {Identifier: "Lurker", Rights: "lr"}}, nil
}

func (aclTiedStore) SetACL(ctx context.Context, mailbox, identifier string, op mailstore.RightsOp, rights string) error {
	return nil
}

func (aclTiedStore) DeleteACL(ctx context.Context, mailbox, identifier string) error { return nil }

func (s aclTiedStore) ListRights(ctx context.Context, mailbox, identifier string) (string, []string, error) {
	return "", s.groups, nil
}

func (aclTiedStore) MyRights(ctx context.Context, mailbox string) (string, error) {
	return "lrwis", nil
}

// TestACLObsoleteRights checks the virtual rights of RFC 4314 §2.1.1 in
// the responses: the LISTRIGHTS examples of §2.1.1 whose "c" is "kx"
// (this server's mapping), the ACL response, and §5.1.1's MYRIGHTS.
func TestACLObsoleteRights(t *testing.T) {
	for _, tc := range []struct{ groups, want string }{
		// "lr swte i p k x" and c=kx: "lr swted i p k x c".
		{"lr swte i p k x", "lr swted i p k x c"},
		// Nothing ties k or x or t or e to other rights.
		{"lr s w i p k x t e", "lr s w i p k x t e c d"},
		// x tied to t and e: "c" joins that group, and so does "d".
		{"lr s w i p k xte", "lr s w i p k xtecd"},
	} {
		e := newExtEnv(t, nil, func(s mailstore.Store) mailstore.Store {
			return aclTiedStore{Store: s, groups: strings.Fields(tc.groups)}
		})
		c := dialExt(t, e.ts, true)
		c.expect(`a1 LISTRIGHTS archive/imap anyone`, "OK", `* LISTRIGHTS archive/imap anyone "" `+tc.want)
		c.expect(`a2 GETACL INBOX`, "OK", `* ACL INBOX Fred lrswipkxteacd Lurker lr`)
		c.expect(`A143 MYRIGHTS INBOX`, "OK", `* MYRIGHTS INBOX lrwis`)
	}
}
