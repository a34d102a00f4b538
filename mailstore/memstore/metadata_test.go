package memstore_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

func TestServerMetadata(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.b.AddUser("bob", "pw"); err != nil {
		t.Fatal(err)
	}
	if err := f.b.SetServerMetadata([]imap.MetadataEntry{{Name: "/shared/admin", Value: imap.Str("mailto:admin@example.org")}}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"/private/comment", "/shared", "/shared/a*"} {
		if err := f.b.SetServerMetadata([]imap.MetadataEntry{{Name: bad, Value: imap.Str("x")}}); !errors.Is(err, mailstore.ErrInvalidMetadataName) {
			t.Errorf("SetServerMetadata(%q): %v", bad, err)
		}
	}
	bob, err := f.b.Open(f.ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer bob.Close()
	ms := bob.(mailstore.MetadataStore)
	got, err := ms.Metadata(f.ctx, "", []string{"/shared/admin"})
	if err != nil || len(got) != 1 || got[0].Value.S != "mailto:admin@example.org" {
		t.Errorf("Metadata(/shared/admin) = %v, %v", got, err)
	}
	if err := ms.SetMetadata(f.ctx, "", []imap.MetadataEntry{{Name: "/shared/admin"}}); !errors.Is(err, mailstore.ErrPermission) {
		t.Errorf("a user's SetMetadata(/shared/admin): %v", err)
	}
	// Shared server entries are common to every user, each user's
	// private ones their own.
	if err := f.st.(mailstore.MetadataStore).SetMetadata(f.ctx, "", []imap.MetadataEntry{
		{Name: "/shared/comment", Value: imap.Str("from alice")}, {Name: "/private/comment", Value: imap.Str("alice's")},
	}); err != nil {
		t.Fatal(err)
	}
	names, err := ms.MetadataNames(f.ctx, "")
	if want := []string{"/shared/admin", "/shared/comment"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("bob's MetadataNames(\"\") = %q, %v; want %q", names, err, want)
	}
}

func TestMetadataLimits(t *testing.T) {
	f := newFixture(t, &memstore.Options{MaxMetadataSize: 1024, MaxMetadataEntries: 10})
	ms := f.st.(mailstore.MetadataStore)
	err := ms.SetMetadata(f.ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Str(strings.Repeat("x", 1025))}})
	var te *mailstore.MetadataTooLargeError
	if !errors.As(err, &te) || te.Max != 1024 || te.Size != 1025 || te.Name != "/private/comment" {
		t.Errorf("SetMetadata of 1025 octets: %v", err)
	}
	// Each scope has its own count.
	var entries []imap.MetadataEntry
	for i := range 10 {
		entries = append(entries,
			imap.MetadataEntry{Name: "/private/e" + string(rune('a'+i)), Value: imap.Str("p")},
			imap.MetadataEntry{Name: "/shared/e" + string(rune('a'+i)), Value: imap.Str("s")})
	}
	if err := ms.SetMetadata(f.ctx, "INBOX", entries); err != nil {
		t.Fatalf("10 private and 10 shared entries: %v", err)
	}
	if err := ms.SetMetadata(f.ctx, "INBOX", []imap.MetadataEntry{{Name: "/shared/one-more", Value: imap.Str("s")}}); !errors.Is(err, mailstore.ErrMetadataTooMany) {
		t.Errorf("an 11th shared entry: %v", err)
	}

	unlimited := newFixture(t, &memstore.Options{MaxMetadataSize: -1, MaxMetadataEntries: -1})
	big := strings.Repeat("x", memstore.DefaultMaxMetadataSize+1)
	if err := unlimited.st.(mailstore.MetadataStore).SetMetadata(f.ctx, "", []imap.MetadataEntry{{Name: "/private/big", Value: imap.Str(big)}}); err != nil {
		t.Errorf("a large value without a limit: %v", err)
	}
}

// TestMetadataNoselect: a \Noselect name may have entries (RFC 5464
// §4.1), which go when the name does.
func TestMetadataNoselect(t *testing.T) {
	f := newFixture(t, nil)
	ms := f.st.(mailstore.MetadataStore)
	f.create("A/B")
	if err := f.st.DeleteMailbox(f.ctx, "A"); err != nil {
		t.Fatal(err)
	}
	if err := ms.SetMetadata(f.ctx, "A", []imap.MetadataEntry{{Name: "/shared/comment", Value: imap.Str("parent")}}); err != nil {
		t.Fatalf("SetMetadata on a \\Noselect name: %v", err)
	}
	if err := f.st.DeleteMailbox(f.ctx, "A/B"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteMailbox(f.ctx, "A"); err != nil {
		t.Fatal(err)
	}
	f.create("A")
	if names, err := ms.MetadataNames(f.ctx, "A"); err != nil || len(names) != 0 {
		t.Errorf("a re-created name has entries %q, %v", names, err)
	}
}
