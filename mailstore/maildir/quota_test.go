package maildir_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// TestQuotaOptions: Options.Quota limits every user, without QuotaSetter;
// a refused Append leaves no file behind, in tmp/ or cur/.
func TestQuotaOptions(t *testing.T) {
	f := newFixture(t, &maildir.Options{Quota: []imap.QuotaResource{{Name: mailstore.QuotaMessage, Limit: 2}}})
	if _, ok := f.st.(mailstore.QuotaSetter); ok {
		t.Fatal("the Store implements QuotaSetter without Options.QuotaSet")
	}
	qs := f.st.(mailstore.QuotaStore)
	f.append(f.st, "INBOX", "a")
	f.append(f.st, "INBOX", "b")
	_, err := f.st.Append(f.ctx, "INBOX", bytes.NewReader(testMessage("c", "over")), nil)
	if !errors.Is(err, mailstore.ErrQuota) {
		t.Fatalf("Append over the limit: %v, want ErrQuota", err)
	}
	if got := files(t, f.userDir()); len(got) != 2 {
		t.Errorf("files after the refused append: %v", got)
	}
	if ents, _ := os.ReadDir(filepath.Join(f.userDir(), "tmp")); len(ents) != 0 {
		t.Errorf("tmp/ holds %d files after the refused append", len(ents))
	}
	rs, err := qs.Quota(f.ctx, "")
	if err != nil || len(rs) != 1 || rs[0] != (imap.QuotaResource{Name: mailstore.QuotaMessage, Usage: 2, Limit: 2}) {
		t.Errorf("Quota: %v, %v", rs, err)
	}
	if _, err := maildir.New(t.TempDir(), &maildir.Options{Quota: []imap.QuotaResource{{Name: "X-NOPE", Limit: 1}}}); err == nil {
		t.Error("New accepted a quota on an unknown resource")
	}
}

// TestQuotaFile: Backend.SetQuota writes the user's quota file, which
// replaces Options.Quota for that user, survives a restart, and is
// written by rename (no temporary file left).
func TestQuotaFile(t *testing.T) {
	f := newFixture(t, &maildir.Options{Quota: []imap.QuotaResource{{Name: mailstore.QuotaMessage, Limit: 1}}})
	if err := f.b.SetQuota(f.ctx, "u", []imap.QuotaResource{{Name: "storage", Limit: 10}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(f.userDir(), "mailaccess-quota"))
	if err != nil || string(data) != "mailaccess-quota 1\nSTORAGE 10\n" {
		t.Errorf("quota file: %q, %v", data, err)
	}
	ents, _ := os.ReadDir(f.userDir())
	for _, e := range ents {
		if bytes.Contains([]byte(e.Name()), []byte("tmp.")) {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	f.reopen()
	f.append(f.st, "INBOX", "a")
	f.append(f.st, "INBOX", "b") // MESSAGE is no longer limited
	rs, err := f.st.(mailstore.QuotaStore).Quota(f.ctx, "")
	if err != nil || len(rs) != 1 || rs[0].Name != mailstore.QuotaStorage || rs[0].Limit != 10 || rs[0].Usage != 1 {
		t.Errorf("Quota after reopening: %v, %v", rs, err)
	}
	if err := f.b.SetQuota(f.ctx, "u", []imap.QuotaResource{{Name: "FOO", Limit: 1}}); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("SetQuota(FOO): %v, want ErrNotAllowed", err)
	}
	if err := os.WriteFile(filepath.Join(f.userDir(), "mailaccess-quota"), []byte("garbage\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.(mailstore.QuotaStore).Quota(f.ctx, ""); err == nil {
		t.Error("Quota with a corrupt quota file gave no error")
	}
}

// TestQuotaOtherProcess: usage follows messages delivered by another
// program into new/ (counted from the index once the folder is scanned).
func TestQuotaOtherProcess(t *testing.T) {
	f := newFixture(t, &maildir.Options{Quota: []imap.QuotaResource{{Name: mailstore.QuotaMessage, Limit: 100}}})
	f.append(f.st, "INBOX", "a")
	if err := os.WriteFile(filepath.Join(f.userDir(), "new", "1.2.host"), testMessage("x", "delivered"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	rs, err := f.st.(mailstore.QuotaStore).Quota(f.ctx, "")
	if err != nil || len(rs) != 1 || rs[0].Usage != 2 {
		t.Errorf("Quota: %v, %v; want a MESSAGE usage of 2", rs, err)
	}
}
