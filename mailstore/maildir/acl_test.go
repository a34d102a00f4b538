package maildir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// TestACLDovecotFile: a dovecot-acl file Dovecot wrote is read (user=,
// anyone, negative rights, named rights) and its lines this store does
// not map (owner, group=, comments) survive a change; n is written as a
// named right; a new folder inherits its parent's file.
func TestACLDovecotFile(t *testing.T) {
	f := newFixture(t, &maildir.Options{})
	as := f.st.(mailstore.ACLStore)
	if err := f.st.CreateMailbox(f.ctx, "Shared", nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(f.userDir(), ".Shared")
	in := "# set by hand\nowner lrwstipekxa\ngroup=staff lr\nuser=bob lrws\n-user=eve r\nanyone l :read\n"
	if err := os.WriteFile(filepath.Join(dir, "dovecot-acl"), []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	acl, err := as.ACL(f.ctx, "Shared")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range acl {
		got[e.Identifier] = e.Rights
	}
	want := map[string]string{"u": mailstore.AllRights, "bob": "lrsw", "-eve": "r", "anyone": "lr"}
	if len(got) != len(want) {
		t.Errorf("ACL: %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("ACL[%q] = %q, want %q", k, got[k], v)
		}
	}
	if err := as.SetACL(f.ctx, "Shared", "carol", mailstore.RightsReplace, "lrn"); err != nil {
		t.Fatal(err)
	}
	if err := as.DeleteACL(f.ctx, "Shared", "bob"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "dovecot-acl"))
	wantFile := "# set by hand\nowner lrwstipekxa\ngroup=staff lr\n-user=eve r\nanyone lr\nuser=carol lr :write-shared-annotations\n"
	if string(data) != wantFile {
		t.Errorf("dovecot-acl:\n%s\nwant:\n%s", data, wantFile)
	}
	for _, id := range []string{"u", "-u", "owner", "a b", "user=x", ""} {
		if err := as.SetACL(f.ctx, "Shared", id, mailstore.RightsReplace, "l"); err == nil {
			t.Errorf("SetACL(%q) accepted", id)
		}
	}
	if err := f.st.CreateMailbox(f.ctx, "Shared.Sub", nil); err != nil {
		t.Fatal(err)
	}
	sub, _ := os.ReadFile(filepath.Join(f.userDir(), ".Shared.Sub", "dovecot-acl"))
	if string(sub) != wantFile {
		t.Errorf("a new inferior's dovecot-acl: %q, want its parent's", sub)
	}
}
