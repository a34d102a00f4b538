package storetest

import (
	"fmt"
	"maps"
	"strings"

	"github.com/mailaccess/mailaccess/mailstore"
)

func aclRules() []rule {
	return []rule{
		{"MyRights", testACLMyRights},
		{"SetACL", testSetACL},
		{"ObsoleteRights", testACLObsoleteRights},
		{"InvalidRights", testACLInvalidRights},
		{"DeleteACL", testDeleteACL},
		{"ListRights", testListRights},
		{"NoSuchMailbox", testACLNoSuchMailbox},
		{"FollowsMailbox", testACLFollowsMailbox},
		{"Persist", testACLPersist},
	}
}

// anyone is the identifier every ACL store accepts (RFC 4314 §2).
const anyone = "anyone"

// aclStore returns st's ACLStore (the rule's store if nil), skipping the
// rule if it has none.
func (e *env) aclStore(st mailstore.Store) mailstore.ACLStore {
	e.Helper()
	if st == nil {
		st = e.st
	}
	as, ok := st.(mailstore.ACLStore)
	if !ok {
		e.Skip("the store does not implement mailstore.ACLStore")
	}
	return as
}

// canonical returns rights as mailstore.CanonicalRights writes them,
// failing the rule if they are invalid.
func (e *env) canonical(what, rights string) string {
	e.Helper()
	c, err := mailstore.CanonicalRights(rights)
	if err != nil {
		e.Errorf("%s: %v", what, err)
	}
	return c
}

// aclOf returns a mailbox's ACL by identifier, rights canonical.
func (e *env) aclOf(as mailstore.ACLStore, mailbox string) map[string]string {
	e.Helper()
	list, err := as.ACL(e.ctx, mailbox)
	if err != nil {
		e.Fatalf("ACL(%q): %v", mailbox, err)
	}
	m := make(map[string]string, len(list))
	for _, en := range list {
		if _, dup := m[en.Identifier]; dup {
			e.Errorf("ACL(%q) lists %q twice", mailbox, en.Identifier)
		}
		m[en.Identifier] = e.canonical(fmt.Sprintf("ACL(%q) for %q", mailbox, en.Identifier), en.Rights)
	}
	return m
}

// setACL calls SetACL and fails the rule on an error.
func (e *env) setACL(as mailstore.ACLStore, mailbox, id string, op mailstore.RightsOp, rights string) {
	e.Helper()
	if err := as.SetACL(e.ctx, mailbox, id, op, rights); err != nil {
		e.Fatalf("SetACL(%q, %q, op %d, %q): %v", mailbox, id, op, rights, err)
	}
}

// wantRights checks the rights of id in mailbox's ACL ("" for not
// listed) and that the other identifiers have those of others.
func (e *env) wantRights(as mailstore.ACLStore, mailbox, id, want, when string, others map[string]string) {
	e.Helper()
	acl := e.aclOf(as, mailbox)
	got, listed := acl[id]
	switch {
	case want == "" && listed:
		e.Errorf("%s: %q is listed with %q, want it not listed (an identifier without rights is not)", when, id, got)
	case want != "" && got != e.canonical("want", want):
		e.Errorf("%s: %q has %q, want %q", when, id, got, e.canonical("want", want))
	}
	for oid, r := range others {
		if acl[oid] != r {
			e.Errorf("%s: %q has %q, before it had %q", when, oid, acl[oid], r)
		}
	}
}

// without returns m without key.
func without(m map[string]string, key string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	return out
}

// testACLMyRights: MYRIGHTS (RFC 4314 §3.5) gives valid rights, and on
// the user's own mailboxes at least those of every operation the
// contract lets the user do: lrswikxtea (§4).
func testACLMyRights(e *env) {
	as := e.aclStore(nil)
	e.create(e.st, "Box")
	for _, name := range []string{"INBOX", "Box"} {
		r, err := as.MyRights(e.ctx, name)
		if err != nil {
			e.Fatalf("MyRights(%q): %v", name, err)
		}
		c := e.canonical(fmt.Sprintf("MyRights(%q)", name), r)
		for _, need := range "lrswikxtea" {
			if !strings.ContainsRune(c, need) {
				e.Errorf("MyRights(%q) = %q lacks %q, which the user's own mailbox needs (RFC 4314 §4)", name, r, need)
			}
		}
	}
}

// testSetACL: SETACL (RFC 4314 §3.1) replaces an identifier's rights, or
// adds ("+") or removes ("-") some; GETACL (§3.3) lists the result, to
// every session, and other identifiers keep theirs.
func testSetACL(e *env) {
	as := e.aclStore(nil)
	e.create(e.st, "Other")
	otherACL := e.aclOf(as, "Other")
	others := without(e.aclOf(as, "INBOX"), anyone)
	steps := []struct {
		op     mailstore.RightsOp
		rights string
		want   string
	}{
		{mailstore.RightsReplace, "lr", "lr"},
		{mailstore.RightsAdd, "sw", "lrsw"},
		{mailstore.RightsAdd, "l", "lrsw"},
		{mailstore.RightsRemove, "rs", "lw"},
		{mailstore.RightsRemove, "i", "lw"},
		{mailstore.RightsReplace, "ilrs", "lrsi"},
	}
	for _, s := range steps {
		e.setACL(as, "INBOX", anyone, s.op, s.rights)
		e.wantRights(as, "INBOX", anyone, s.want, fmt.Sprintf("after SetACL(op %d, %q)", s.op, s.rights), others)
	}
	e.wantRights(e.aclStore(e.open()), "INBOX", anyone, "lrsi", "in another session", others)
	if got := e.aclOf(as, "Other"); !maps.Equal(got, otherACL) {
		e.Errorf("changing INBOX's ACL changed another mailbox's: %v, before %v", got, otherACL)
	}
}

// testACLObsoleteRights: the obsolete rights of RFC 2086 are expanded
// (RFC 4314 §2.1.1): "d" is "et" (the RFC's example: "lrswida" gives
// "lrswideta") and "c" is "kx", in replace, add and remove alike.
func testACLObsoleteRights(e *env) {
	as := e.aclStore(nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lrswida")
	e.wantRights(as, "INBOX", anyone, "lrswitea", "after SetACL(lrswida)", nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsAdd, "c")
	e.wantRights(as, "INBOX", anyone, "lrswikxtea", "after SetACL(+c)", nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsRemove, "d")
	e.wantRights(as, "INBOX", anyone, "lrswikxa", "after SetACL(-d)", nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsRemove, "c")
	e.wantRights(as, "INBOX", anyone, "lrswia", "after SetACL(-c)", nil)
}

// testACLInvalidRights: an unknown right, upper case included, is refused
// with ErrInvalidRights and changes nothing (RFC 4314 §3.1 "an
// unrecognized right MUST cause the command to return the BAD
// response"; "uppercase rights are not allowed", §2).
func testACLInvalidRights(e *env) {
	as := e.aclStore(nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lr")
	before := e.aclOf(as, "INBOX")
	for _, c := range []struct {
		op     mailstore.RightsOp
		rights string
	}{
		{mailstore.RightsReplace, "lrQswicda"},
		{mailstore.RightsReplace, "lrqswicda"},
		{mailstore.RightsReplace, "l r"},
		{mailstore.RightsAdd, "Z"},
		{mailstore.RightsRemove, "r!"},
		{mailstore.RightsReplace, "+l"},
	} {
		err := as.SetACL(e.ctx, "INBOX", anyone, c.op, c.rights)
		e.wantErr(fmt.Sprintf("SetACL(op %d, %q)", c.op, c.rights), err, mailstore.ErrInvalidRights)
	}
	e.wantRights(as, "INBOX", anyone, "lr", "after refused rights", without(before, anyone))
}

// testDeleteACL: DELETEACL (RFC 4314 §3.2) removes an identifier and
// leaves the others; deleting one not listed is no error; an identifier
// left without rights by SETACL is not listed either.
func testDeleteACL(e *env) {
	as := e.aclStore(nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lr")
	var second string
	if e.opts.OtherUser != nil {
		_, second, _ = e.otherUser()
		e.setACL(as, "INBOX", second, mailstore.RightsReplace, "lrs")
	}
	others := without(e.aclOf(as, "INBOX"), anyone)
	if err := as.DeleteACL(e.ctx, "INBOX", anyone); err != nil {
		e.Fatalf("DeleteACL(%q): %v", anyone, err)
	}
	e.wantRights(as, "INBOX", anyone, "", "after DeleteACL", others)
	if err := as.DeleteACL(e.ctx, "INBOX", anyone); err != nil {
		e.Errorf("DeleteACL of an identifier not listed: %v", err)
	}
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lr")
	e.setACL(as, "INBOX", anyone, mailstore.RightsRemove, "lr")
	e.wantRights(as, "INBOX", anyone, "", "after removing every right", others)
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lr")
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "")
	e.wantRights(as, "INBOX", anyone, "", "after SetACL with no rights", others)
	if second != "" {
		e.wantRights(as, "INBOX", second, "lrs", "the second identifier", nil)
	}
}

// testListRights: LISTRIGHTS (RFC 4314 §3.4, §3.7) gives valid rights,
// none twice, including every right SETACL granted the identifier; the
// user's own rights (MYRIGHTS) can all be given to the user.
func testListRights(e *env) {
	as := e.aclStore(nil)
	e.setACL(as, "INBOX", anyone, mailstore.RightsReplace, "lrswi")
	check := func(id string, must string) {
		e.Helper()
		req, opt, err := as.ListRights(e.ctx, "INBOX", id)
		if err != nil {
			e.Fatalf("ListRights(%q): %v", id, err)
		}
		all := req + strings.Join(opt, "")
		seen := map[rune]bool{}
		for _, r := range all {
			if seen[r] {
				e.Errorf("ListRights(%q) = %q, %q lists %q twice (RFC 4314 §3.7)", id, req, opt, r)
			}
			seen[r] = true
		}
		c := e.canonical(fmt.Sprintf("ListRights(%q)", id), all)
		for _, r := range must {
			if !strings.ContainsRune(c, r) {
				e.Errorf("ListRights(%q) = %q, %q lacks %q, which the identifier has", id, req, opt, r)
			}
		}
		for _, g := range opt {
			if g == "" {
				e.Errorf("ListRights(%q) has an empty group", id)
			}
		}
	}
	check(anyone, "lrswi")
	mine, err := as.MyRights(e.ctx, "INBOX")
	if err != nil {
		e.Fatalf("MyRights: %v", err)
	}
	check(e.user, e.canonical("MyRights", mine))
}

// testACLNoSuchMailbox: the ACL commands on a mailbox that does not
// exist give ErrNoSuchMailbox.
func testACLNoSuchMailbox(e *env) {
	as := e.aclStore(nil)
	_, err := as.ACL(e.ctx, "Nope")
	e.wantErr("ACL(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	err = as.SetACL(e.ctx, "Nope", anyone, mailstore.RightsReplace, "lr")
	e.wantErr("SetACL(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	err = as.DeleteACL(e.ctx, "Nope", anyone)
	e.wantErr("DeleteACL(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	_, _, err = as.ListRights(e.ctx, "Nope", anyone)
	e.wantErr("ListRights(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	_, err = as.MyRights(e.ctx, "Nope")
	e.wantErr("MyRights(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
}

// testACLFollowsMailbox: RENAME keeps a mailbox's ACL, its inferiors'
// too (RFC 4314 §4 "SHOULD NOT change the ACLs on the renamed mailbox
// and submailboxes"), and DELETE removes it (§4 "MUST delete the ACL"),
// so that a new mailbox of the name starts with the ACL any new mailbox
// has.
func testACLFollowsMailbox(e *env) {
	as := e.aclStore(nil)
	e.create(e.st, "Fresh")
	fresh := e.aclOf(as, "Fresh")
	e.create(e.st, e.name("Box", "Child"))
	e.setACL(as, "Box", anyone, mailstore.RightsReplace, "lr")
	e.setACL(as, e.name("Box", "Child"), anyone, mailstore.RightsReplace, "lrs")
	if err := e.st.RenameMailbox(e.ctx, "Box", "Moved"); err != nil {
		e.Fatalf("RenameMailbox: %v", err)
	}
	e.wantRights(as, "Moved", anyone, "lr", "after a rename", nil)
	e.wantRights(as, e.name("Moved", "Child"), anyone, "lrs", "an inferior after a rename", nil)
	e.create(e.st, "Gone")
	e.setACL(as, "Gone", anyone, mailstore.RightsReplace, "lr")
	if err := e.st.DeleteMailbox(e.ctx, "Gone"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	e.create(e.st, "Gone")
	if got := e.aclOf(as, "Gone"); !maps.Equal(got, fresh) {
		e.Errorf("a mailbox created with a deleted one's name has the ACL %v, a new mailbox %v", got, fresh)
	}
}

// testACLPersist: access control lists survive a restart.
func testACLPersist(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	as := e.aclStore(nil)
	e.create(e.st, "Box")
	e.setACL(as, "Box", anyone, mailstore.RightsReplace, "lrswi")
	before := e.aclOf(as, "Box")
	e.reopen()
	as = e.aclStore(nil)
	after := e.aclOf(as, "Box")
	if !maps.Equal(after, before) {
		e.Errorf("ACL after reopening: %v, before: %v", after, before)
	}
}
