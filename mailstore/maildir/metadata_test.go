package maildir_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// TestMetadataFiles: values are kept octet for octet (newlines, binary)
// in the documented files, across a restart; /shared/admin is set by the
// program only; Options.MaxMetadataSize applies.
func TestMetadataFiles(t *testing.T) {
	f := newFixture(t, &maildir.Options{MaxMetadataSize: 16})
	ms := f.st.(mailstore.MetadataStore)
	odd := "a\nb\x00\xff 7 /x\n"
	if err := ms.SetMetadata(f.ctx, "INBOX", []imap.MetadataEntry{
		{Name: "/private/Comment", Value: imap.Str(odd)},
		{Name: "/shared/empty", Value: imap.Str("")},
	}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(f.userDir(), "mailaccess-metadata"))
	want := "mailaccess-metadata 1\n" + "11 /private/comment\n" + odd + "\n" + "0 /shared/empty\n\n"
	if err != nil || string(data) != want {
		t.Errorf("metadata file: %q, %v; want %q", data, err, want)
	}
	err = ms.SetMetadata(f.ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/big", Value: imap.Str("01234567890123456")}})
	var tl *mailstore.MetadataTooLargeError
	if !errors.As(err, &tl) || tl.Max != 16 {
		t.Errorf("SetMetadata of 17 octets: %v, want MAXSIZE 16", err)
	}
	if err := f.b.SetServerMetadata(f.ctx, []imap.MetadataEntry{{Name: "/shared/admin", Value: imap.Str("mailto:admin@example.org")}}); err != nil {
		t.Fatal(err)
	}
	f.reopen()
	ms = f.st.(mailstore.MetadataStore)
	got, err := ms.Metadata(f.ctx, "INBOX", []string{"/private/comment", "/shared/empty"})
	if err != nil || len(got) != 2 || got[0].Value.S != odd || got[1].Value.IsNil() || got[1].Value.S != "" {
		t.Errorf("Metadata after reopening: %v, %v", got, err)
	}
	got, err = ms.Metadata(f.ctx, "", []string{"/shared/admin"})
	if err != nil || len(got) != 1 || got[0].Value.S != "mailto:admin@example.org" {
		t.Errorf("/shared/admin: %v, %v", got, err)
	}
	if err := os.WriteFile(filepath.Join(f.userDir(), "mailaccess-metadata"), []byte("mailaccess-metadata 1\n99 /private/x\nshort\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ms.MetadataNames(f.ctx, "INBOX"); err == nil {
		t.Error("a truncated metadata file gave no error")
	}
}
