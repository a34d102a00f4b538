package imapclient_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// TestACLRFC4314 plays the examples of RFC 4314 §2.1.1 and §3.
func TestACLRFC4314(t *testing.T) {
	addr, played := extScript(t, "ACL RIGHTS=texk",
		// §2.1.1: "d" expands to "et" on the server.
		extStep{`A001 SeTacl INBOX/Drafts David lrswida`, []string{`A001 OK Setacl complete`}},
		extStep{`A002 getacl INBOX/Drafts`, []string{
			`* ACL INBOX Fred rwipslxcetda David lrswideta`, // sic: the RFC names INBOX
			`A002 OK Getacl complete`}},
		// §3.1
		extStep{`A001 GETACL INBOX/Drafts`, []string{
			`* ACL INBOX/Drafts Fred rwipslxetad Chris lrswi`,
			`A001 OK Getacl complete`}},
		extStep{`A002 SETACL INBOX/Drafts Chris +cda`, []string{`A002 OK Setacl complete`}},
		extStep{`A003 GETACL INBOX/Drafts`, []string{
			`* ACL INBOX/Drafts Fred rwipslxetad Chris lrswicdakxet`,
			`A003 OK Getacl complete`}},
		extStep{`A035 SETACL INBOX/Drafts John lrQswicda`, []string{`A035 BAD Uppercase rights are not allowed`}},
		// §3.2
		extStep{`B001 getacl INBOX`, []string{
			`* ACL INBOX Fred rwipslxetad -Fred wetd $team w`,
			`B001 OK Getacl complete`}},
		extStep{`B002 DeleteAcl INBOX Fred`, []string{`B002 OK Deleteacl complete`}},
		extStep{`B003 GETACL INBOX`, []string{
			`* ACL INBOX -Fred wetd $team w`,
			`B003 OK Getacl complete`}},
		// §3.4
		extStep{`a001 LISTRIGHTS ~/Mail/saved smith`, []string{
			`* LISTRIGHTS ~/Mail/saved smith la r swicdkxte`,
			`a001 OK Listrights completed`}},
		extStep{`a005 listrights archive/imap anyone`, []string{
			`* LISTRIGHTS archive.imap anyone "" l r s w i p k x t e c d a 0 1 2 3 4 5 6 7 8 9`,
			`a005 OK Listrights successful`}},
		// §3.5
		extStep{`A003 MYRIGHTS INBOX`, []string{
			`* MYRIGHTS INBOX rwiptsldaex`,
			`A003 OK Myrights complete`}},
		// RFC 4314 §3.1: a removal.
		extStep{`A004 SETACL INBOX/Drafts Chris -wi`, []string{`A004 OK Setacl complete`}},
	)
	c := extDial(t, addr, nil)
	ctx := mbxCtx(t)

	if err := c.SetACL(ctx, "INBOX/Drafts", "David", imapclient.RightsReplace, "lrswida"); err != nil {
		t.Fatal(err)
	}
	acl, err := c.GetACL(ctx, "INBOX/Drafts")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := acl.Rights("David"); !ok || r != "lrswideta" || !imapclient.HasRights(r, imapclient.RightDeleteMsg+imapclient.RightExpunge) {
		t.Errorf("GETACL after SETACL d: %+v", acl)
	}

	acl, err = c.GetACL(ctx, "INBOX/Drafts")
	if err != nil {
		t.Fatal(err)
	}
	if want := []imap.ACLEntry{{Identifier: "Fred", Rights: "rwipslxetad"}, {Identifier: "Chris", Rights: "lrswi"}}; acl.Mailbox != "INBOX/Drafts" || !reflect.DeepEqual(acl.Entries, want) {
		t.Errorf("GETACL: %+v", acl)
	}
	if err := c.SetACL(ctx, "INBOX/Drafts", "Chris", imapclient.RightsAdd, "cda"); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, "INBOX/Drafts")
	if r, _ := acl.Rights("Chris"); err != nil || r != "lrswicdakxet" {
		t.Errorf("GETACL after +cda: %+v %v", acl, err)
	}
	var se *imapclient.StatusError
	if err := c.SetACL(ctx, "INBOX/Drafts", "John", imapclient.RightsReplace, "lrQswicda"); !errors.As(err, &se) || se.Status != "BAD" {
		t.Errorf("SETACL with an unknown right: %v", err)
	}

	acl, err = c.GetACL(ctx, "INBOX")
	if err != nil || len(acl.Entries) != 3 {
		t.Fatalf("GETACL INBOX: %+v %v", acl, err)
	}
	if r, ok := acl.Rights("-Fred"); !ok || r != "wetd" {
		t.Errorf("negative rights: %+v", acl)
	}
	if err := c.DeleteACL(ctx, "INBOX", "Fred"); err != nil {
		t.Fatal(err)
	}
	acl, err = c.GetACL(ctx, "INBOX")
	if _, ok := acl.Rights("Fred"); err != nil || ok || len(acl.Entries) != 2 {
		t.Errorf("GETACL after DELETEACL: %+v %v", acl, err)
	}

	lr, err := c.ListRights(ctx, "~/Mail/saved", "smith")
	if err != nil {
		t.Fatal(err)
	}
	if lr.Identifier != "smith" || lr.Required != "la" || !reflect.DeepEqual(lr.Optional, []string{"r", "swicdkxte"}) {
		t.Errorf("LISTRIGHTS: %+v", lr)
	}
	// The server names the mailbox differently; the identifier matches.
	lr, err = c.ListRights(ctx, "archive/imap", "anyone")
	if err != nil {
		t.Fatal(err)
	}
	if lr.Mailbox != "archive.imap" || lr.Required != "" || len(lr.Optional) != 23 || lr.Optional[22] != "9" {
		t.Errorf("LISTRIGHTS anyone: %+v", lr)
	}

	my, err := c.MyRights(ctx, "INBOX")
	if err != nil || my != "rwiptsldaex" {
		t.Errorf("MYRIGHTS: %q %v", my, err)
	}

	if err := c.SetACL(ctx, "INBOX/Drafts", "Chris", imapclient.RightsRemove, imapclient.RightWrite+imapclient.RightInsert); err != nil {
		t.Fatal(err)
	}
	// A modifier belongs in op, not in the rights; nothing is sent.
	if err := c.SetACL(ctx, "INBOX/Drafts", "Chris", imapclient.RightsReplace, "+l"); err == nil {
		t.Error("SETACL with a modifier in the rights succeeded")
	}
	if n := played(); n != 13 {
		t.Errorf("%d steps played", n)
	}
}
