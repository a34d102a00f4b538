package imapserver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// TestMetadataRFC5464Examples runs the examples of RFC 5464 §4.2, §4.3
// and §4.4.1 over memstore, comparing the responses line by line. The
// encoder writes the mailbox INBOX as an atom where the examples quote
// it, and a METADATA response lists entries in the order asked, then
// those DEPTH adds in name order; the tagged texts differ.
func TestMetadataRFC5464Examples(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	c := dialExt(t, e.ts, true)

	// §4.2: a server entry, a mailbox entry, a list of entries.
	c.expect(`s1 SETMETADATA "" (/shared/comment "Shared comment")`, "OK")
	c.expect(`a GETMETADATA "" /shared/comment`, "OK",
		`* METADATA "" (/shared/comment "Shared comment")`)
	c.expect(`s2 SETMETADATA INBOX (/private/comment "My own comment" /shared/comment "Shared comment")`, "OK")
	c.expect(`a GETMETADATA "INBOX" /private/comment`, "OK",
		`* METADATA INBOX (/private/comment "My own comment")`)
	c.expect(`a GETMETADATA "INBOX" (/shared/comment /private/comment)`, "OK",
		`* METADATA INBOX (/shared/comment "Shared comment" /private/comment "My own comment")`)

	// §4.2.1: MAXSIZE leaves out the 2199-octet value and says so, with
	// the options where the example puts them (after the mailbox) and
	// where the ABNF does (before it).
	long := strings.Repeat("0123456789", 219) + "012345678"
	u, tagged := c.literal(`s3 SETMETADATA INBOX (/shared/comment {2199}`, long, ")")
	c.check("s3 SETMETADATA", u, tagged, "OK")
	for _, cmd := range []string{
		`a GETMETADATA "INBOX" (MAXSIZE 1024) (/shared/comment /private/comment)`,
		`a GETMETADATA (MAXSIZE 1024) "INBOX" (/shared/comment /private/comment)`,
	} {
		c.expect(cmd, "OK [METADATA LONGENTRIES 2199]",
			`* METADATA INBOX (/private/comment "My own comment")`)
	}
	// Large enough: no response code.
	_, tagged = c.run(`a GETMETADATA (MAXSIZE 2199) INBOX /shared/comment`)
	if tagged != "a OK GETMETADATA completed" {
		t.Errorf("MAXSIZE 2199: %q", tagged)
	}

	// §4.2.2: DEPTH 1 gives the children, not the grandchildren.
	c.ok(`s4 SETMETADATA INBOX (/private/filters/values/small "SMALLER 5000" ` +
		`/private/filters/values/boss "FROM \"boss@example.com\"" /private/filters/values/boss/cc "x")`)
	c.expect(`a GETMETADATA "INBOX" (DEPTH 1) (/private/filters/values)`, "OK",
		`* METADATA INBOX (/private/filters/values/boss "FROM \"boss@example.com\"" /private/filters/values/small "SMALLER 5000")`)

	// §4.3: a multi-line value in a literal, removal with NIL, several
	// entries at once.
	u, tagged = c.literal(`a SETMETADATA INBOX (/private/comment {33}`, "My new comment across\r\ntwo lines.", ")")
	c.check("a SETMETADATA", u, tagged, "OK")
	c.expect(`g1 GETMETADATA INBOX /private/comment`, "OK",
		"* METADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)")
	c.expect(`a SETMETADATA INBOX (/private/comment NIL)`, "OK")
	c.expect(`g2 GETMETADATA INBOX /private/comment`, "OK", `* METADATA INBOX (/private/comment NIL)`)
	c.expect(`a SETMETADATA INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")`, "OK")
	c.expect(`g3 GETMETADATA INBOX (/private/comment /shared/comment)`, "OK",
		`* METADATA INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")`)

	// §4.4.1: entries listed without parentheses, as the examples do.
	c.ok(`s5 SETMETADATA "" (/shared/comment "My comment")`)
	c.expect(`a GETMETADATA "" /shared/comment`, "OK", `* METADATA "" (/shared/comment "My comment")`)
	c.ok(`s6 SETMETADATA INBOX (/private/comment "My comment" /shared/comment "Its sunny outside!")`)
	c.expect(`a GETMETADATA "INBOX" /private/comment /shared/comment`, "OK",
		`* METADATA INBOX (/private/comment "My comment" /shared/comment "Its sunny outside!")`)
}

// TestMetadataDepth checks DEPTH 0, 1 and infinity (RFC 5464 §4.2.2) with
// mailstore.MetadataUnder's matching, on a mailbox and on the server, and
// NIL for an entry asked for that does not exist.
func TestMetadataDepth(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	c := dialExt(t, e.ts, true)
	c.ok(`s1 SETMETADATA INBOX (/private/a "1" /private/a/b "2" /private/a/b/c "3" /private/ab "4" /shared/a "5")`)
	c.expect(`d0 GETMETADATA (DEPTH 0) INBOX /private/a`, "OK", `* METADATA INBOX (/private/a "1")`)
	c.expect(`d1 GETMETADATA (DEPTH 1) INBOX /private/a`, "OK", `* METADATA INBOX (/private/a "1" /private/a/b "2")`)
	c.expect(`d2 GETMETADATA (DEPTH infinity) INBOX /private/a`, "OK",
		`* METADATA INBOX (/private/a "1" /private/a/b "2" /private/a/b/c "3")`)
	// A scope has no value of its own; below it are its entries.
	c.expect(`d3 GETMETADATA (DEPTH INFINITY) INBOX /private`, "OK",
		`* METADATA INBOX (/private/a "1" /private/a/b "2" /private/a/b/c "3" /private/ab "4")`)
	c.expect(`d4 GETMETADATA (DEPTH 1) INBOX (/shared /private)`, "OK",
		`* METADATA INBOX (/shared/a "5" /private/a "1" /private/ab "4")`)
	c.expect(`d5 GETMETADATA INBOX /private`, "OK", `* METADATA INBOX (/private NIL)`)
	// An entry named twice, or also reached by DEPTH, comes once; DEPTH
	// applies to each name (/private/a/b/c is a child of /private/a/b).
	c.expect(`d6 GETMETADATA (DEPTH 1) INBOX (/private/a /private/a/b /private/a)`, "OK",
		`* METADATA INBOX (/private/a "1" /private/a/b "2" /private/a/b/c "3")`)
	// Nothing there: NIL, DEPTH or not.
	c.expect(`d7 GETMETADATA (DEPTH infinity) INBOX (/private/none /shared/a)`, "OK",
		`* METADATA INBOX (/private/none NIL /shared/a "5")`)
	// MAXSIZE and DEPTH together: the longest value left out is reported.
	// (MAXSIZE 0 is taken as no MAXSIZE: the codec gives 0 for both.)
	c.expect(`d8 GETMETADATA (MAXSIZE 0 DEPTH infinity) INBOX /private/a`, "OK",
		`* METADATA INBOX (/private/a "1" /private/a/b "2" /private/a/b/c "3")`)
	c.ok(`s2 SETMETADATA INBOX (/private/a/b "22" /private/a/b/c "333")`)
	c.expect(`d9 GETMETADATA (MAXSIZE 1 DEPTH infinity) INBOX /private/a`, "OK [METADATA LONGENTRIES 3]",
		`* METADATA INBOX (/private/a "1")`)
	// Every value too long: no METADATA response at all.
	c.expect(`d10 GETMETADATA (DEPTH 1 MAXSIZE 1) INBOX /private/a/b`, "OK [METADATA LONGENTRIES 3]")
	// Bad depths are the codec's BAD.
	c.expect(`d11 GETMETADATA (DEPTH 2) INBOX /private/a`, "BAD")

	// The server's entries: the user's private ones and the shared ones,
	// apart from every mailbox's.
	c.ok(`s3 SETMETADATA "" (/private/vendor/x/y "p" /shared/vendor/x/y "s")`)
	c.expect(`d12 GETMETADATA (DEPTH infinity) "" (/private /shared)`, "OK",
		`* METADATA "" (/private/vendor/x/y "p" /shared/vendor/x/y "s")`)
	c.expect(`d13 GETMETADATA (DEPTH infinity) INBOX /private/vendor`, "OK", `* METADATA INBOX (/private/vendor NIL)`)
}

// TestMetadataNames checks entry names and values: invalid names are BAD
// (RFC 5464 §3.2) in both commands, names are case-insensitive, a
// GETMETADATA names an entry as the client wrote it, an empty value is
// not NIL, and a value with NUL travels as a literal8.
func TestMetadataNames(t *testing.T) {
	e := newExtEnv(t, nil, nil)
	c := dialExt(t, e.ts, true)
	for i, name := range []string{
		`/private//x`, `/private/x/`, `/foo/bar`, `private/x`, `/private/a*`, `/private/a%`,
		`""`, `/`, "{11+}\r\n/private/\x7f\x01",
	} {
		c.expect(fmt.Sprintf(`g%d GETMETADATA INBOX %s`, i, name), "BAD")
		c.expect(fmt.Sprintf(`s%d SETMETADATA INBOX (%s "v")`, i, name), "BAD")
	}
	c.expect("u1 SETMETADATA INBOX ({11+}\r\n/private/\xc3\xa9 \"v\")", "BAD")
	// A scope cannot be set (§3.2: "Entry names can have any number of
	// components starting at 2").
	c.expect(`s20 SETMETADATA INBOX (/shared "v")`, "BAD")
	c.expect(`s21 SETMETADATA "" (/private NIL)`, "BAD")
	// One bad name fails the whole command and changes nothing (§4.3).
	c.expect(`s22 SETMETADATA INBOX (/private/ok "v" /bad "v")`, "BAD")
	c.expect(`g20 GETMETADATA INBOX /private/ok`, "OK", `* METADATA INBOX (/private/ok NIL)`)

	c.ok(`s23 SETMETADATA INBOX (/Private/Comment "v" /private/empty "")`)
	c.expect(`g21 GETMETADATA INBOX /PRIVATE/COMMENT`, "OK", `* METADATA INBOX (/PRIVATE/COMMENT "v")`)
	c.expect(`g22 GETMETADATA (DEPTH 1) INBOX /PRIVATE`, "OK", `* METADATA INBOX (/private/comment "v" /private/empty "")`)
	c.expect(`g23 GETMETADATA INBOX (/private/empty /private/comment)`, "OK", `* METADATA INBOX (/private/empty "" /private/comment "v")`)

	c.ok("s24 SETMETADATA INBOX (/private/bin ~{3+}\r\na\x00b)")
	c.expect(`g24 GETMETADATA INBOX /private/bin`, "OK", "* METADATA INBOX (/private/bin ~{3}\r\na\x00b)")

	// Mailboxes: one that does not exist; one created later starts empty;
	// entries follow RENAME.
	c.expect(`n1 GETMETADATA Nowhere /private/comment`, "NO [NONEXISTENT]")
	c.expect(`n2 SETMETADATA Nowhere (/private/comment "v")`, "NO [NONEXISTENT]")
	c.ok(`n3 CREATE Work`)
	c.ok(`n4 SETMETADATA Work (/shared/comment "w")`)
	c.ok(`n5 RENAME Work Play`)
	c.expect(`n6 GETMETADATA Play /shared/comment`, "OK", `* METADATA Play (/shared/comment "w")`)
	c.ok(`n7 DELETE Play`)
	c.ok(`n8 CREATE Play`)
	c.expect(`n9 GETMETADATA Play /shared/comment`, "OK", `* METADATA Play (/shared/comment NIL)`)
	// Missing arguments are the codec's BAD.
	c.expect(`n10 GETMETADATA INBOX`, "BAD")
	c.expect(`n11 SETMETADATA INBOX ()`, "BAD")
	c.expect(`n12 SETMETADATA INBOX (/private/x)`, "BAD")
	// Not before login.
	c2 := dialExt(t, e.ts, false)
	c2.expect(`p1 GETMETADATA "" /shared/comment`, "BAD")
}

// TestMetadataLimits checks the limits of SETMETADATA (RFC 5464 §4.3) at
// the sizes the RFC requires every server to accept (§4.1: "at least 1024
// bytes, and an annotation count per server or mailbox of at least 10"),
// and the read-only /shared/admin server entry (§3.2.1.1).
func TestMetadataLimits(t *testing.T) {
	e := newExtEnv(t, &memstore.Options{MaxMetadataSize: 1024, MaxMetadataEntries: 10}, nil)
	c := dialExt(t, e.ts, true)
	v1024, v1025 := strings.Repeat("v", 1024), strings.Repeat("v", 1025)
	u, tagged := c.literal(`m1 SETMETADATA INBOX (/private/big {1024}`, v1024, ")")
	c.check("m1 SETMETADATA", u, tagged, "OK")
	u, tagged = c.literal(`m2 SETMETADATA INBOX (/private/small "x" /private/big {1025}`, v1025, ")")
	c.check("m2 SETMETADATA", u, tagged, "NO [METADATA MAXSIZE 1024]")
	c.expect(`m3 GETMETADATA (MAXSIZE 1) INBOX (/private/small /private/big)`, "OK [METADATA LONGENTRIES 1024]",
		`* METADATA INBOX (/private/small NIL)`)

	// Ten private entries, then §4.3's TOOMANY example.
	var b strings.Builder
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, " /private/e%d \"%d\"", i, i)
	}
	c.ok(`m4 SETMETADATA INBOX (` + b.String()[1:] + `)`)
	c.expect(`a SETMETADATA INBOX (/private/comment "My new comment")`, "NO [METADATA TOOMANY]")
	// Replacing and removing are no new entries; shared ones count
	// apart.
	c.expect(`m5 SETMETADATA INBOX (/private/e1 "one" /private/big NIL /private/comment "My new comment")`, "OK")
	c.expect(`m6 SETMETADATA INBOX (/shared/comment "s")`, "OK")
	// The server's entries have their own count.
	c.expect(`m7 SETMETADATA "" (/private/comment "server")`, "OK")

	// /shared/admin: set by the program, read by everyone, changed by no
	// client.
	if err := e.b.SetServerMetadata([]imap.MetadataEntry{{Name: "/shared/admin", Value: imap.Str("mailto:postmaster@example.com")}}); err != nil {
		t.Fatal(err)
	}
	c.expect(`m8 GETMETADATA "" /shared/admin`, "OK", `* METADATA "" (/shared/admin "mailto:postmaster@example.com")`)
	c.expect(`m9 SETMETADATA "" (/shared/admin "mailto:me@example.com")`, "NO [NOPERM]")
	c.expect(`m10 SETMETADATA "" (/shared/admin NIL)`, "NO [NOPERM]")
}

// metaErrStore is a MetadataStore over memstore's whose SetMetadata fails
// with err, to check how the server answers each error of the contract.
type metaErrStore struct {
	mailstore.Store
	err error
}

func (s metaErrStore) Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error) {
	return s.Store.(mailstore.MetadataStore).Metadata(ctx, mailbox, names)
}

func (s metaErrStore) MetadataNames(ctx context.Context, mailbox string) ([]string, error) {
	return s.Store.(mailstore.MetadataStore).MetadataNames(ctx, mailbox)
}

func (s metaErrStore) SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error {
	return s.err
}

// TestMetadataErrors checks storeError's answers to the errors a
// MetadataStore gives (the doc comments of mailstore/errors.go and of
// MetadataStore.SetMetadata).
func TestMetadataErrors(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status string
	}{
		{&mailstore.MetadataTooLargeError{Name: "/private/x", Size: 5000, Max: 4096}, "NO [METADATA MAXSIZE 4096]"},
		{fmt.Errorf("wrapped: %w", &mailstore.MetadataTooLargeError{Max: 1024}), "NO [METADATA MAXSIZE 1024]"},
		{mailstore.ErrMetadataTooLarge, "NO [LIMIT]"},
		{fmt.Errorf("%w: 11 entries", mailstore.ErrMetadataTooMany), "NO [METADATA TOOMANY]"},
		{mailstore.ErrMetadataNoPrivate, "NO [METADATA NOPRIVATE]"},
		{mailstore.ErrInvalidMetadataName, "BAD"},
		{mailstore.ErrPermission, "NO [NOPERM]"},
		{mailstore.ErrNoSuchMailbox, "NO [NONEXISTENT]"},
		{errors.New("disk on fire"), "NO [SERVERBUG]"},
	} {
		e := newExtEnv(t, nil, func(s mailstore.Store) mailstore.Store { return metaErrStore{Store: s, err: tc.err} })
		c := dialExt(t, e.ts, true)
		if got := extCapsOf(c.caps()); !slices.Equal(got, []string{"METADATA", "METADATA-SERVER"}) {
			t.Errorf("capabilities %q", got)
		}
		c.expect(`e1 SETMETADATA INBOX (/private/x "v")`, tc.status)
		c.expect(`e2 GETMETADATA INBOX /private/x`, "OK", `* METADATA INBOX (/private/x NIL)`)
	}
}

// TestStoreErrorQuotaACL checks the answers to the quota and rights
// errors of mailstore/errors.go.
func TestStoreErrorQuotaACL(t *testing.T) {
	c := &conn{}
	for _, tc := range []struct {
		err  error
		typ  string
		code imap.ResponseCodeName
	}{
		{mailstore.ErrQuota, "NO", imap.CodeOverQuota},
		{fmt.Errorf("%w: root", mailstore.ErrNoSuchQuotaRoot), "NO", ""},
		{mailstore.ErrInvalidRights, "BAD", ""},
		{mailstore.ErrPermission, "NO", imap.CodeNoPerm},
	} {
		st := c.storeError(tc.err)
		var name imap.ResponseCodeName
		if st.code != nil {
			name = st.code.Name
		}
		if string(st.typ) != tc.typ || name != tc.code {
			t.Errorf("%v: %s [%s], want %s [%s]", tc.err, st.typ, name, tc.typ, tc.code)
		}
	}
}
