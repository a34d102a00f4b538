package interop

import (
	"errors"
	"slices"
	"strings"
	"testing"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// The extensions of go-imap v2's client that our server has over a
// memstore Backend, which implements their store interfaces (maildir,
// which startMailaccess uses, does not yet): QUOTA (GetQuota,
// GetQuotaRoot, SetQuota, STATUS DELETED-STORAGE), ACL (MyRights, SetACL,
// GetACL; go-imap has no DELETEACL or LISTRIGHTS) and METADATA
// (GetMetadata with MAXSIZE and DEPTH, SetMetadata).

// startMailaccessMemstore starts our server over a memstore Backend with
// opts and the user alice (see startIMAP) and returns it with the
// Backend.
func startMailaccessMemstore(t *testing.T, opts *memstore.Options) (*mailaccessServer, *memstore.Backend) {
	t.Helper()
	backend := memstore.NewWithOptions(opts)
	if err := backend.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	return startIMAP(t, backend, backend), backend
}

// goimapCode returns the response code of a go-imap command error.
func goimapCode(err error) goimap.ResponseCode {
	var ie *goimap.Error
	if errors.As(err, &ie) {
		return ie.Code
	}
	return ""
}

// goimapRightSet returns rights as a sorted set, for comparing rights in
// any order.
func goimapRightSet(r goimap.RightSet) string {
	b := []byte(r.String())
	slices.Sort(b)
	return string(slices.Compact(b))
}

// TestGoIMAPQuota drives QUOTA (RFC 9208) with go-imap's client.
func TestGoIMAPQuota(t *testing.T) {
	requireInterop(t)
	s, _ := startMailaccessMemstore(t, &memstore.Options{
		QuotaSet: true,
		Quota:    []imap.QuotaResource{{Name: mailstore.QuotaStorage, Limit: 100}, {Name: mailstore.QuotaMessage, Limit: 10}},
	})
	c := goimapDial(t, s, nil)
	caps := c.Caps()
	for _, want := range []goimap.Cap{goimap.CapQuota, goimap.CapQuotaSet} {
		if !caps.Has(want) {
			t.Errorf("no %s in %v", want, caps)
		}
	}
	if got := caps.QuotaResourceTypes(); !slices.Equal(slices.Sorted(slices.Values(got)), []goimap.QuotaResourceType{goimap.QuotaResourceMessage, goimap.QuotaResourceStorage}) {
		t.Errorf("QuotaResourceTypes %v", got)
	}

	goimapAppend(t, c, "INBOX", goMsg1, nil)
	goimapAppend(t, c, "INBOX", goMsg3, &goimap.AppendOptions{Flags: []goimap.Flag{goimap.FlagDeleted}})
	roots, err := c.GetQuotaRoot("INBOX").Wait()
	if err != nil {
		t.Fatalf("GETQUOTAROOT: %v", err)
	}
	want := imapclient.QuotaData{Root: "", Resources: map[goimap.QuotaResourceType]imapclient.QuotaResourceData{
		goimap.QuotaResourceStorage: {Usage: 1, Limit: 100},
		goimap.QuotaResourceMessage: {Usage: 2, Limit: 10},
	}}
	if len(roots) != 1 || roots[0].Root != "" || !goimapSameQuota(roots[0], want) {
		t.Errorf("GETQUOTAROOT INBOX: %+v", roots)
	}
	q, err := c.GetQuota("").Wait()
	if err != nil || !goimapSameQuota(*q, want) {
		t.Errorf("GETQUOTA \"\": %+v, %v", q, err)
	}
	if _, err := c.GetQuota("other").Wait(); err == nil {
		t.Error("GETQUOTA of an unknown root succeeded")
	}

	// STATUS DELETED and DELETED-STORAGE: goMsg3 has \Deleted.
	st, err := c.Status("INBOX", &goimap.StatusOptions{NumMessages: true, NumDeleted: true, DeletedStorage: true}).Wait()
	if err != nil {
		t.Fatalf("STATUS: %v", err)
	}
	if st.NumMessages == nil || *st.NumMessages != 2 || st.NumDeleted == nil || *st.NumDeleted != 1 ||
		st.DeletedStorage == nil || *st.DeletedStorage != 1 {
		t.Errorf("STATUS: %+v", st)
	}

	// SETQUOTA replaces every limit; then APPEND runs into the new one.
	if err := c.SetQuota("", map[goimap.QuotaResourceType]int64{goimap.QuotaResourceMessage: 2}).Wait(); err != nil {
		t.Fatalf("SETQUOTA: %v", err)
	}
	q, err = c.GetQuota("").Wait()
	if err != nil || !goimapSameQuota(*q, imapclient.QuotaData{Resources: map[goimap.QuotaResourceType]imapclient.QuotaResourceData{
		goimap.QuotaResourceMessage: {Usage: 2, Limit: 2},
	}}) {
		t.Errorf("GETQUOTA after SETQUOTA: %+v, %v", q, err)
	}
	cmd := c.Append("INBOX", int64(len(goMsg1)), nil)
	cmd.Write([]byte(goMsg1))
	cmd.Close()
	if _, err := cmd.Wait(); goimapCode(err) != goimap.ResponseCodeOverQuota {
		t.Errorf("APPEND over quota: %v, want NO [OVERQUOTA]", err)
	}
	if err := c.Create("Archive", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Copy(goimap.SeqSetNum(1), "Archive").Wait(); goimapCode(err) != goimap.ResponseCodeOverQuota {
		t.Errorf("COPY over quota: %v, want NO [OVERQUOTA]", err)
	}
	if err := c.SetQuota("", map[goimap.QuotaResourceType]int64{goimap.QuotaResourceMailbox: 2}).Wait(); err == nil {
		t.Error("SETQUOTA of MAILBOX, which memstore does not count, succeeded")
	}
}

// goimapSameQuota compares the resources of two QUOTA responses.
func goimapSameQuota(a, b imapclient.QuotaData) bool {
	if len(a.Resources) != len(b.Resources) {
		return false
	}
	for k, v := range a.Resources {
		if b.Resources[k] != v {
			return false
		}
	}
	return true
}

// TestGoIMAPACL drives ACL (RFC 4314) with go-imap's client.
func TestGoIMAPACL(t *testing.T) {
	requireInterop(t)
	s, _ := startMailaccessMemstore(t, nil)
	c := goimapDial(t, s, nil)
	if !c.Caps().Has(goimap.CapACL) {
		t.Errorf("no ACL in %v", c.Caps())
	}
	my, err := c.MyRights("INBOX").Wait()
	if err != nil {
		t.Fatalf("MYRIGHTS: %v", err)
	}
	if my.Mailbox != "INBOX" || goimapRightSet(my.Rights) != goimapRightSet(goimap.RightSet(mailstore.AllRights+"cd")) {
		t.Errorf("MYRIGHTS: %+v", my)
	}
	if err := c.SetACL("INBOX", "bob", goimap.RightModificationReplace, goimap.RightSet("lrs")).Wait(); err != nil {
		t.Fatalf("SETACL: %v", err)
	}
	// go-imap's "d" (RFC 2086 delete) is "et" here, and comes back with
	// "d" (RFC 4314 §2.1.1).
	if err := c.SetACL("INBOX", "bob", goimap.RightModificationAdd, goimap.RightSet("wd")).Wait(); err != nil {
		t.Fatalf("SETACL +: %v", err)
	}
	if err := c.SetACL("INBOX", goimap.RightsIdentifierAnyone, goimap.RightModificationReplace, goimap.RightSet("l")).Wait(); err != nil {
		t.Fatalf("SETACL anyone: %v", err)
	}
	acl, err := c.GetACL("INBOX").Wait()
	if err != nil {
		t.Fatalf("GETACL: %v", err)
	}
	if acl.Mailbox != "INBOX" || goimapRightSet(acl.Rights["bob"]) != goimapRightSet(goimap.RightSet("lrswetd")) ||
		string(acl.Rights["anyone"]) != "l" || goimapRightSet(acl.Rights["alice"]) != goimapRightSet(my.Rights) {
		t.Errorf("GETACL: %+v", acl)
	}
	if err := c.SetACL("INBOX", "bob", goimap.RightModificationRemove, goimap.RightSet("lrswd")).Wait(); err != nil {
		t.Fatalf("SETACL -: %v", err)
	}
	acl, err = c.GetACL("INBOX").Wait()
	if err != nil || len(acl.Rights) != 2 || acl.Rights["bob"] != nil {
		t.Errorf("GETACL after removing bob's rights: %+v, %v", acl, err)
	}
	// An unknown right is BAD (RFC 4314 §3.1).
	err = c.SetACL("INBOX", "bob", goimap.RightModificationReplace, goimap.RightSet("lrQ")).Wait()
	var ie *goimap.Error
	if !errors.As(err, &ie) || ie.Type != goimap.StatusResponseTypeBad {
		t.Errorf("SETACL lrQ: %v, want BAD", err)
	}
	if _, err := c.MyRights("Nowhere").Wait(); goimapCode(err) != goimap.ResponseCodeNonExistent {
		t.Errorf("MYRIGHTS Nowhere: %v, want NO [NONEXISTENT]", err)
	}
}

// TestGoIMAPMetadata drives METADATA (RFC 5464) with go-imap's client,
// which puts GETMETADATA's options after the mailbox, as the RFC's
// examples do.
func TestGoIMAPMetadata(t *testing.T) {
	requireInterop(t)
	s, b := startMailaccessMemstore(t, &memstore.Options{MaxMetadataSize: 1024})
	if err := b.SetServerMetadata([]imap.MetadataEntry{{Name: "/shared/admin", Value: imap.Str("mailto:postmaster@example.com")}}); err != nil {
		t.Fatal(err)
	}
	c := goimapDial(t, s, nil)
	for _, want := range []goimap.Cap{goimap.CapMetadata, goimap.CapMetadataServer} {
		if !c.Caps().Has(want) {
			t.Errorf("no %s in %v", want, c.Caps())
		}
	}
	val := func(s string) *[]byte { b := []byte(s); return &b }
	if err := c.SetMetadata("INBOX", map[string]*[]byte{
		"/private/comment":               val("My own comment"),
		"/shared/comment":                val(strings.Repeat("s", 100)),
		"/private/filters/values/small":  val("SMALLER 5000"),
		"/private/filters/values/boss":   val(`FROM "boss@example.com"`),
		"/private/filters/values/boss/x": val("deep"),
	}).Wait(); err != nil {
		t.Fatalf("SETMETADATA: %v", err)
	}
	get := func(mailbox string, entries []string, opts *imapclient.GetMetadataOptions) map[string]string {
		t.Helper()
		d, err := c.GetMetadata(mailbox, entries, opts).Wait()
		if err != nil {
			t.Fatalf("GETMETADATA %q %v: %v", mailbox, entries, err)
		}
		out := map[string]string{}
		for k, v := range d.Entries {
			if v == nil {
				out[k] = "NIL"
			} else {
				out[k] = string(*v)
			}
		}
		return out
	}
	check := func(what string, got, want map[string]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Errorf("%s: %q, want %q", what, got, want)
			return
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %q, want %q", what, got, want)
				return
			}
		}
	}
	check("GETMETADATA", get("INBOX", []string{"/private/comment", "/shared/comment", "/private/none"}, nil),
		map[string]string{"/private/comment": "My own comment", "/shared/comment": strings.Repeat("s", 100), "/private/none": "NIL"})
	maxSize := uint32(50)
	check("GETMETADATA MAXSIZE", get("INBOX", []string{"/private/comment", "/shared/comment"}, &imapclient.GetMetadataOptions{MaxSize: &maxSize}),
		map[string]string{"/private/comment": "My own comment"})
	check("GETMETADATA DEPTH 1", get("INBOX", []string{"/private/filters/values"}, &imapclient.GetMetadataOptions{Depth: imapclient.GetMetadataDepthOne}),
		map[string]string{"/private/filters/values/small": "SMALLER 5000", "/private/filters/values/boss": `FROM "boss@example.com"`})
	check("GETMETADATA DEPTH infinity", get("INBOX", []string{"/private/filters"}, &imapclient.GetMetadataOptions{Depth: imapclient.GetMetadataDepthInfinity}),
		map[string]string{"/private/filters/values/small": "SMALLER 5000", "/private/filters/values/boss": `FROM "boss@example.com"`, "/private/filters/values/boss/x": "deep"})

	// Removal with NIL.
	if err := c.SetMetadata("INBOX", map[string]*[]byte{"/private/comment": nil}).Wait(); err != nil {
		t.Fatalf("SETMETADATA NIL: %v", err)
	}
	check("GETMETADATA after removal", get("INBOX", []string{"/private/comment"}, nil), map[string]string{"/private/comment": "NIL"})

	// Server entries (METADATA-SERVER), /shared/admin read-only.
	if err := c.SetMetadata("", map[string]*[]byte{"/shared/comment": val("Shared comment")}).Wait(); err != nil {
		t.Fatalf("SETMETADATA \"\": %v", err)
	}
	check("GETMETADATA \"\"", get("", []string{"/shared/comment", "/shared/admin"}, nil),
		map[string]string{"/shared/comment": "Shared comment", "/shared/admin": "mailto:postmaster@example.com"})
	if err := c.SetMetadata("", map[string]*[]byte{"/shared/admin": val("x")}).Wait(); goimapCode(err) != goimap.ResponseCodeNoPerm {
		t.Errorf("SETMETADATA /shared/admin: %v, want NO [NOPERM]", err)
	}
	// Over the size limit: NO [METADATA MAXSIZE 1024], which go-imap
	// keeps as the code METADATA.
	if err := c.SetMetadata("INBOX", map[string]*[]byte{"/private/big": val(strings.Repeat("b", 1025))}).Wait(); goimapCode(err) != "METADATA" {
		t.Errorf("SETMETADATA of 1025 octets: %v, want NO [METADATA MAXSIZE 1024]", err)
	}
	// An invalid entry name is BAD (RFC 5464 §3.2).
	err := c.SetMetadata("INBOX", map[string]*[]byte{"/nowhere/x": val("x")}).Wait()
	var ie *goimap.Error
	if !errors.As(err, &ie) || ie.Type != goimap.StatusResponseTypeBad {
		t.Errorf("SETMETADATA /nowhere/x: %v, want BAD", err)
	}
}
