package memstore_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func TestACLOwner(t *testing.T) {
	f := newFixture(t, nil)
	as := f.st.(mailstore.ACLStore)
	for _, id := range []string{"alice", "-alice", "", "-", "a\x00b"} {
		if err := as.SetACL(f.ctx, "INBOX", id, mailstore.RightsReplace, "lr"); !errors.Is(err, mailstore.ErrNotAllowed) {
			t.Errorf("SetACL(%q): %v, want ErrNotAllowed", id, err)
		}
		if err := as.DeleteACL(f.ctx, "INBOX", id); !errors.Is(err, mailstore.ErrNotAllowed) {
			t.Errorf("DeleteACL(%q): %v, want ErrNotAllowed", id, err)
		}
	}
	if err := as.SetACL(f.ctx, "INBOX", "-bob", mailstore.RightsReplace, "w"); err != nil {
		t.Errorf("SetACL of negative rights: %v", err)
	}
	acl, err := as.ACL(f.ctx, "INBOX")
	want := []imap.ACLEntry{{Identifier: "alice", Rights: mailstore.AllRights}, {Identifier: "-bob", Rights: "w"}}
	if err != nil || !slices.Equal(acl, want) {
		t.Errorf("ACL = %v, %v; want %v", acl, err, want)
	}
	req, opt, err := as.ListRights(f.ctx, "INBOX", "alice")
	if err != nil || req != mailstore.AllRights || len(opt) != 0 {
		t.Errorf("ListRights(owner) = %q, %q, %v", req, opt, err)
	}
	req, opt, err = as.ListRights(f.ctx, "INBOX", "anyone")
	if err != nil || req != "" || len(opt) != len(mailstore.AllRights) {
		t.Errorf("ListRights(anyone) = %q, %q, %v", req, opt, err)
	}
	if r, err := as.MyRights(f.ctx, "INBOX"); err != nil || r != mailstore.AllRights {
		t.Errorf("MyRights = %q, %v", r, err)
	}
}

// TestACLInherit: a new mailbox, and the superiors CREATE makes for it,
// start with their parent's ACL (RFC 4314 §4); renaming INBOX copies its
// ACL to the new mailbox.
func TestACLInherit(t *testing.T) {
	f := newFixture(t, nil)
	as := f.st.(mailstore.ACLStore)
	f.create("Work")
	if err := as.SetACL(f.ctx, "Work", "anyone", mailstore.RightsReplace, "lr"); err != nil {
		t.Fatal(err)
	}
	f.create("Work/A/B")
	for _, name := range []string{"Work/A", "Work/A/B"} {
		acl, err := as.ACL(f.ctx, name)
		if err != nil || len(acl) != 2 || acl[1] != (imap.ACLEntry{Identifier: "anyone", Rights: "lr"}) {
			t.Errorf("ACL(%q) = %v, %v", name, acl, err)
		}
	}
	if err := as.SetACL(f.ctx, "Work/A", "anyone", mailstore.RightsAdd, "s"); err != nil {
		t.Fatal(err)
	}
	if acl, _ := as.ACL(f.ctx, "Work"); acl[1].Rights != "lr" {
		t.Errorf("changing an inheritor's ACL changed the parent's: %v", acl)
	}
	if err := as.SetACL(f.ctx, "INBOX", "anyone", mailstore.RightsReplace, "r"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.RenameMailbox(f.ctx, "INBOX", "Old"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"INBOX", "Old"} {
		if acl, err := as.ACL(f.ctx, name); err != nil || len(acl) != 2 || acl[1].Rights != "r" {
			t.Errorf("ACL(%q) after renaming INBOX = %v, %v", name, acl, err)
		}
	}
}
