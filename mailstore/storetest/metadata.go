package storetest

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func metadataRules() []rule {
	return []rule{
		{"SetGet", testMetadataSetGet},
		{"Remove", testMetadataRemove},
		{"CaseInsensitive", testMetadataCase},
		{"Server", testMetadataServer},
		{"PrivateShared", testMetadataPrivateShared},
		{"Names", testMetadataNames},
		{"InvalidNames", testMetadataInvalidNames},
		{"SetAllOrNothing", testMetadataAllOrNothing},
		{"MaxSize", testMetadataMaxSize},
		{"TooMany", testMetadataTooMany},
		{"NoSuchMailbox", testMetadataNoSuchMailbox},
		{"FollowsMailbox", testMetadataFollowsMailbox},
		{"AdminReadOnly", testMetadataAdminReadOnly},
		{"Persist", testMetadataPersist},
	}
}

// vendorEntry is a private entry name under the vendor tree (RFC 5464
// §3.2.1.2), for rules that need many names.
func vendorEntry(i int) string { return fmt.Sprintf("/private/vendor/vendor.storetest/e%04d", i) }

// metadata returns st's MetadataStore (the rule's store if nil), skipping
// the rule if it has none.
func (e *env) metadata(st mailstore.Store) mailstore.MetadataStore {
	e.Helper()
	if st == nil {
		st = e.st
	}
	ms, ok := st.(mailstore.MetadataStore)
	if !ok {
		e.Skip("the store does not implement mailstore.MetadataStore")
	}
	return ms
}

// entry returns a metadata entry with a value.
func entry(name, value string) imap.MetadataEntry {
	return imap.MetadataEntry{Name: name, Value: imap.Str(value)}
}

// nilEntry returns a metadata entry that removes name.
func nilEntry(name string) imap.MetadataEntry { return imap.MetadataEntry{Name: name} }

// setMeta calls SetMetadata and fails the rule on an error.
func (e *env) setMeta(ms mailstore.MetadataStore, mailbox string, entries ...imap.MetadataEntry) {
	e.Helper()
	if err := ms.SetMetadata(e.ctx, mailbox, entries); err != nil {
		e.Fatalf("SetMetadata(%q, %v): %v", mailbox, entries, err)
	}
}

// getMeta calls Metadata and returns the values by name, checking that
// every entry returned was asked for (in lower case), once, with a value.
func (e *env) getMeta(ms mailstore.MetadataStore, mailbox string, names ...string) map[string]string {
	e.Helper()
	got, err := ms.Metadata(e.ctx, mailbox, names)
	if err != nil {
		e.Fatalf("Metadata(%q, %q): %v", mailbox, names, err)
	}
	m := make(map[string]string, len(got))
	for _, en := range got {
		if en.Name != strings.ToLower(en.Name) {
			e.Errorf("Metadata(%q) returned %q, not in lower case", mailbox, en.Name)
		}
		if !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, en.Name) }) {
			e.Errorf("Metadata(%q, %q) returned %q, which was not asked for", mailbox, names, en.Name)
		}
		if _, dup := m[en.Name]; dup {
			e.Errorf("Metadata(%q) returned %q twice", mailbox, en.Name)
		}
		if en.Value.IsNil() {
			e.Errorf("Metadata(%q) returned %q with NIL: an entry without a value does not exist", mailbox, en.Name)
		}
		m[en.Name] = en.Value.S
	}
	return m
}

// allMeta returns every entry of mailbox the user sees, through
// MetadataNames and Metadata.
func (e *env) allMeta(ms mailstore.MetadataStore, mailbox string) map[string]string {
	e.Helper()
	names, err := ms.MetadataNames(e.ctx, mailbox)
	if err != nil {
		e.Fatalf("MetadataNames(%q): %v", mailbox, err)
	}
	for i, n := range names {
		if c, err := mailstore.CanonicalMetadataName(n); err != nil || c != n || mailstore.IsMetadataScope(n) {
			e.Errorf("MetadataNames(%q) lists %q: not a canonical entry name (%v)", mailbox, n, err)
		}
		if slices.Contains(names[:i], n) {
			e.Errorf("MetadataNames(%q) lists %q twice", mailbox, n)
		}
	}
	m := e.getMeta(ms, mailbox, names...)
	if len(m) != len(names) {
		e.Errorf("MetadataNames(%q) lists %q, Metadata returns %d of them", mailbox, names, len(m))
	}
	return m
}

// wantMeta checks that mailbox has exactly the entries want.
func (e *env) wantMeta(ms mailstore.MetadataStore, mailbox, when string, want map[string]string) {
	e.Helper()
	if got := e.allMeta(ms, mailbox); !maps.Equal(got, want) {
		e.Errorf("%s: the entries of %q are %q, want %q", when, mailbox, got, want)
	}
}

// testMetadataSetGet: SETMETADATA stores entries and GETMETADATA returns
// their values octet for octet, multi-line and binary ones included
// (RFC 5464 §3.2, §4.2, §4.3), in the order asked, leaving out names
// without an entry; a new value replaces the old; another session sees
// the entries.
func testMetadataSetGet(e *env) {
	ms := e.metadata(nil)
	binary := "\x00\x01\xff\xfe caf\xc3\xa9\r\n\x80"
	e.setMeta(ms, "INBOX",
		entry("/private/comment", "My own comment"),
		entry("/shared/comment", "Shared comment"),
		entry(vendorEntry(1), "line one\r\nline two\r\n"),
		entry(vendorEntry(2), binary))
	got, err := ms.Metadata(e.ctx, "INBOX", []string{"/shared/comment", "/private/comment", "/private/nothing", vendorEntry(2)})
	if err != nil {
		e.Fatalf("Metadata: %v", err)
	}
	want := []imap.MetadataEntry{entry("/shared/comment", "Shared comment"), entry("/private/comment", "My own comment"), entry(vendorEntry(2), binary)}
	if !slices.Equal(got, want) {
		e.Errorf("Metadata(INBOX, shared, private, missing, binary) = %q, want %q", got, want)
	}
	e.setMeta(ms, "INBOX", entry("/private/comment", "Replaced"))
	e.wantMeta(ms, "INBOX", "after replacing a value", map[string]string{
		"/private/comment": "Replaced", "/shared/comment": "Shared comment",
		vendorEntry(1): "line one\r\nline two\r\n", vendorEntry(2): binary,
	})
	if got := e.getMeta(ms, "INBOX", "/private", "/shared"); len(got) != 0 {
		e.Errorf("Metadata of the scope names returned %q: a scope is not an entry", got)
	}
	if got := e.getMeta(e.metadata(e.open()), "INBOX", "/private/comment"); got["/private/comment"] != "Replaced" {
		e.Errorf("another session reads /private/comment as %q", got)
	}
	e.create(e.st, "Other")
	e.wantMeta(ms, "Other", "a new mailbox", map[string]string{})
}

// testMetadataRemove: NIL removes an entry (RFC 5464 §4.3 "Clients can
// use NIL for the value of entries it wants to remove"); removing one
// that does not exist is no error; an empty value is a value, not NIL
// (§3.2: "binary data of zero or more octets").
func testMetadataRemove(e *env) {
	ms := e.metadata(nil)
	e.setMeta(ms, "INBOX", entry("/private/comment", "a"), entry("/shared/comment", "b"), entry(vendorEntry(1), ""))
	e.wantMeta(ms, "INBOX", "with an empty value", map[string]string{"/private/comment": "a", "/shared/comment": "b", vendorEntry(1): ""})
	e.setMeta(ms, "INBOX", nilEntry("/private/comment"), nilEntry("/private/never-set"))
	e.wantMeta(ms, "INBOX", "after removing an entry and a missing one", map[string]string{"/shared/comment": "b", vendorEntry(1): ""})
	e.setMeta(ms, "INBOX", nilEntry("/shared/comment"), nilEntry(vendorEntry(1)))
	e.wantMeta(ms, "INBOX", "after removing every entry", map[string]string{})
	// The last value of a name given twice wins.
	e.setMeta(ms, "INBOX", entry("/private/comment", "first"), entry("/private/comment", "second"))
	e.setMeta(ms, "INBOX", entry("/shared/comment", "set"), nilEntry("/shared/comment"))
	e.wantMeta(ms, "INBOX", "after names given twice", map[string]string{"/private/comment": "second"})
}

// testMetadataCase: entry names are case-insensitive (RFC 5464 §3.2):
// any spelling reaches the same entry, which the store names in lower
// case.
func testMetadataCase(e *env) {
	ms := e.metadata(nil)
	e.setMeta(ms, "INBOX", entry("/Private/Comment", "one"))
	if got := e.getMeta(ms, "INBOX", "/PRIVATE/comment"); got["/private/comment"] != "one" {
		e.Errorf("Metadata(/PRIVATE/comment) after setting /Private/Comment: %q", got)
	}
	e.setMeta(ms, "INBOX", entry("/private/COMMENT", "two"))
	e.wantMeta(ms, "INBOX", "after setting another spelling", map[string]string{"/private/comment": "two"})
	e.setMeta(ms, "INBOX", nilEntry("/PRIVATE/COMMENT"))
	e.wantMeta(ms, "INBOX", "after removing another spelling", map[string]string{})
}

// testMetadataServer: the mailbox "" holds the server's entries (RFC 5464
// §3.1, §3.2.1.1), apart from every mailbox's.
func testMetadataServer(e *env) {
	ms := e.metadata(nil)
	base := e.allMeta(ms, "")
	e.setMeta(ms, "", entry("/shared/comment", "server comment"), entry(vendorEntry(1), "server private"))
	e.setMeta(ms, "INBOX", entry("/shared/comment", "mailbox comment"))
	want := maps.Clone(base)
	want["/shared/comment"], want[vendorEntry(1)] = "server comment", "server private"
	e.wantMeta(ms, "", "after setting server entries", want)
	e.wantMeta(ms, "INBOX", "beside server entries", map[string]string{"/shared/comment": "mailbox comment"})
	e.setMeta(ms, "", nilEntry("/shared/comment"), nilEntry(vendorEntry(1)))
	e.wantMeta(ms, "", "after removing the server entries", base)
	e.wantMeta(ms, "INBOX", "after removing server entries", map[string]string{"/shared/comment": "mailbox comment"})
}

// testMetadataPrivateShared: /private and /shared entries of the same
// name are different entries (RFC 5464 §3.2); with a second user, the
// first user's private server entries stay theirs, and shared server
// entries are the same for both (§3.3 "a single value that can be read
// and changed by authorized users").
func testMetadataPrivateShared(e *env) {
	ms := e.metadata(nil)
	e.setMeta(ms, "INBOX", entry("/private/comment", "mine"), entry("/shared/comment", "ours"))
	e.wantMeta(ms, "INBOX", "private and shared comments", map[string]string{"/private/comment": "mine", "/shared/comment": "ours"})
	e.setMeta(ms, "INBOX", nilEntry("/shared/comment"))
	e.wantMeta(ms, "INBOX", "after removing the shared one", map[string]string{"/private/comment": "mine"})
	if e.opts.OtherUser == nil {
		return
	}
	other, _, _ := e.otherUser()
	ms2 := e.metadata(other)
	e.setMeta(ms, "", entry(vendorEntry(1), "first user's"))
	if got := e.getMeta(ms2, "", vendorEntry(1)); len(got) != 0 {
		e.Errorf("the second user reads the first user's private server entry: %q", got)
	}
	if _, ok := e.allMeta(ms2, "")[vendorEntry(1)]; ok {
		e.Errorf("the second user lists the first user's private server entry")
	}
	e.setMeta(ms2, "", entry(vendorEntry(1), "second user's"))
	if got := e.getMeta(ms, "", vendorEntry(1)); got[vendorEntry(1)] != "first user's" {
		e.Errorf("the first user's private server entry became %q", got)
	}
	if got := e.getMeta(ms2, "INBOX", "/private/comment"); len(got) != 0 {
		e.Errorf("the second user's INBOX has the first user's entry: %q", got)
	}
	err := ms.SetMetadata(e.ctx, "", []imap.MetadataEntry{entry("/shared/comment", "for everyone")})
	if errors.Is(err, mailstore.ErrPermission) {
		return // the store restricts server annotations (§3.3)
	}
	if err != nil {
		e.Fatalf("SetMetadata(\"\", /shared/comment): %v", err)
	}
	if got := e.getMeta(ms2, "", "/shared/comment"); got["/shared/comment"] != "for everyone" {
		e.Errorf("the second user reads the shared server entry as %q", got)
	}
}

// testMetadataNames: MetadataNames lists exactly the entries there are,
// from which a server answers DEPTH (RFC 5464 §4.2.2: with DEPTH 1,
// /private/filters/values gives its children, not its grandchildren).
func testMetadataNames(e *env) {
	ms := e.metadata(nil)
	e.setMeta(ms, "INBOX",
		entry("/private/filters/values/small", "SMALLER 5000"),
		entry("/private/filters/values/boss", `FROM "boss@example.com"`),
		entry("/private/filters/values/boss/deeper", "x"),
		entry("/private/filters", "top"),
		entry("/shared/comment", "c"))
	names, err := ms.MetadataNames(e.ctx, "INBOX")
	if err != nil {
		e.Fatalf("MetadataNames: %v", err)
	}
	slices.Sort(names)
	want := []string{"/private/filters", "/private/filters/values/boss", "/private/filters/values/boss/deeper", "/private/filters/values/small", "/shared/comment"}
	if !slices.Equal(names, want) {
		e.Errorf("MetadataNames(INBOX) = %q, want %q", names, want)
	}
	var depth1 []string
	for _, n := range names {
		if mailstore.MetadataUnder(n, "/private/filters/values", 1) {
			depth1 = append(depth1, n)
		}
	}
	if want := []string{"/private/filters/values/boss", "/private/filters/values/small"}; !slices.Equal(depth1, want) {
		e.Errorf("DEPTH 1 of /private/filters/values: %q, want %q", depth1, want)
	}
}

// badMetadataNames break RFC 5464 §3.2.
var badMetadataNames = []string{
	"", "comment", "/comment", "/private/", "/private//comment", "/private/a*", "/shared/100%",
	"/private/caf\u00e9", "/private/a\x00b", "/private/a\x1fb", "/public/comment", "private/comment",
}

// testMetadataInvalidNames: an invalid entry name is refused with
// ErrInvalidMetadataName (the server's BAD, RFC 5464 §3.2) in every
// command, and so is setting a scope ("/private", "/shared"), which is no
// entry (§3.2: names have at least 2 components); nothing is set.
func testMetadataInvalidNames(e *env) {
	ms := e.metadata(nil)
	for _, bad := range badMetadataNames {
		err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry(bad, "x")})
		e.wantErr(fmt.Sprintf("SetMetadata(%q)", bad), err, mailstore.ErrInvalidMetadataName)
		_, err = ms.Metadata(e.ctx, "INBOX", []string{"/private/comment", bad})
		e.wantErr(fmt.Sprintf("Metadata(%q)", bad), err, mailstore.ErrInvalidMetadataName)
	}
	for _, scope := range []string{"/private", "/shared", "/SHARED"} {
		err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry(scope, "x")})
		e.wantErr(fmt.Sprintf("SetMetadata(%q)", scope), err, mailstore.ErrInvalidMetadataName)
		err = ms.SetMetadata(e.ctx, "", []imap.MetadataEntry{entry(scope, "x")})
		e.wantErr(fmt.Sprintf("SetMetadata(\"\", %q)", scope), err, mailstore.ErrInvalidMetadataName)
	}
	e.wantMeta(ms, "INBOX", "after refused names", map[string]string{})
}

// testMetadataAllOrNothing: when one entry of a SETMETADATA fails, no
// entry changes (RFC 5464 §4.3 "the server MUST NOT change the values
// for other annotations specified in the SETMETADATA command").
func testMetadataAllOrNothing(e *env) {
	ms := e.metadata(nil)
	e.setMeta(ms, "INBOX", entry("/private/comment", "old"), entry("/shared/comment", "kept"))
	want := map[string]string{"/private/comment": "old", "/shared/comment": "kept"}
	for _, mailbox := range []string{"INBOX", ""} {
		if mailbox == "" {
			e.setMeta(ms, "", entry(vendorEntry(1), "old"))
			want = maps.Clone(e.allMeta(ms, ""))
		}
		err := ms.SetMetadata(e.ctx, mailbox, []imap.MetadataEntry{
			entry("/private/comment", "new"), nilEntry("/shared/comment"), entry(vendorEntry(1), "new"), entry(vendorEntry(2), "new"),
			entry("/private/bad*name", "x"),
		})
		e.wantErr(fmt.Sprintf("SetMetadata(%q) with an invalid name last", mailbox), err, mailstore.ErrInvalidMetadataName)
		e.wantMeta(ms, mailbox, "after a refused SetMetadata", want)
	}
	if max := e.metadataMaxSize(ms); max > 0 {
		err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry("/private/comment", "new"), entry(vendorEntry(3), strings.Repeat("x", int(max)+1))})
		e.wantErr("SetMetadata with a value too large last", err, mailstore.ErrMetadataTooLarge)
		e.wantMeta(ms, "INBOX", "after a refused SetMetadata", map[string]string{"/private/comment": "old", "/shared/comment": "kept"})
	}
}

// maxProbe is the longest value the suite tries to find a store's
// metadata size limit.
const maxProbe = 16 << 20

// metadataMaxSize returns the store's limit on metadata values, found by
// setting a value of maxProbe octets, or 0 if that succeeds. It checks
// that the refusal says the limit.
func (e *env) metadataMaxSize(ms mailstore.MetadataStore) int64 {
	e.Helper()
	name := vendorEntry(9999)
	err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry(name, strings.Repeat("m", maxProbe))})
	if err == nil {
		e.setMeta(ms, "INBOX", nilEntry(name))
		return 0
	}
	var te *mailstore.MetadataTooLargeError
	if !errors.As(err, &te) || !errors.Is(err, mailstore.ErrMetadataTooLarge) {
		e.Fatalf("SetMetadata of a %d-octet value: %v, want a *mailstore.MetadataTooLargeError (the server's [METADATA MAXSIZE n])", maxProbe, err)
	}
	if te.Max < 1024 {
		e.Errorf("the metadata size limit is %d octets: RFC 5464 §4.1 asks for at least 1024", te.Max)
	}
	return te.Max
}

// testMetadataMaxSize: values of 1024 octets are always accepted (RFC
// 5464 §4.1); a value over the store's limit is refused with a
// *MetadataTooLargeError that gives the limit (§4.3 "[METADATA MAXSIZE
// NNN] ... the maximum octet count that it is willing to accept"), and a
// value of exactly the limit is accepted. Skipped for a store that takes
// values of 16 MiB.
func testMetadataMaxSize(e *env) {
	ms := e.metadata(nil)
	kib := strings.Repeat("k", 1024)
	e.setMeta(ms, "INBOX", entry("/private/comment", kib), entry("/shared/comment", kib))
	e.setMeta(ms, "", entry(vendorEntry(1), kib))
	max := e.metadataMaxSize(ms)
	if max == 0 {
		e.Skip("the store took a value of 16 MiB: no size limit to check")
	}
	e.setMeta(ms, "INBOX", entry("/private/comment", strings.Repeat("a", int(max))))
	err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry("/private/comment", strings.Repeat("b", int(max)+1))})
	var te *mailstore.MetadataTooLargeError
	if !errors.As(err, &te) || te.Max != max {
		e.Errorf("SetMetadata of %d octets, one over the limit: %v, want a *MetadataTooLargeError with Max %d", max+1, err, max)
	}
	if got := e.getMeta(ms, "INBOX", "/private/comment"); got["/private/comment"] != strings.Repeat("a", int(max)) {
		e.Errorf("a refused value changed the entry (now %d octets)", len(got["/private/comment"]))
	}
}

// tooManyProbe is how many entries the suite adds to find a store's
// limit on their number.
const tooManyProbe = 1000

// testMetadataTooMany: a mailbox and the server take at least 10 entries
// (RFC 5464 §4.1); beyond the store's limit, a new entry is refused with
// ErrMetadataTooMany (§4.3 "[METADATA TOOMANY]") and nothing changes,
// while changing or removing entries, and a change that adds as many as
// it removes, still works. Skipped for a store that takes 1000 entries.
func testMetadataTooMany(e *env) {
	ms := e.metadata(nil)
	for i := range 10 {
		e.setMeta(ms, "", entry(vendorEntry(i), "server"))
	}
	n := 0
	for ; n < tooManyProbe; n++ {
		err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry(vendorEntry(n), "v")})
		if err == nil {
			continue
		}
		if n < 10 {
			e.Fatalf("SetMetadata of entry %d: %v (RFC 5464 §4.1: at least 10 entries)", n+1, err)
		}
		e.wantErr(fmt.Sprintf("SetMetadata of entry %d", n+1), err, mailstore.ErrMetadataTooMany)
		break
	}
	if n == tooManyProbe {
		e.Skip("the store took 1000 entries on a mailbox: no count limit to check")
	}
	want := e.allMeta(ms, "INBOX")
	if len(want) != n {
		e.Errorf("%d entries after %d accepted", len(want), n)
	}
	err := ms.SetMetadata(e.ctx, "INBOX", []imap.MetadataEntry{entry(vendorEntry(0), "changed"), entry(vendorEntry(n+1), "v")})
	e.wantErr("SetMetadata of a change and a new entry at the limit", err, mailstore.ErrMetadataTooMany)
	e.wantMeta(ms, "INBOX", "after a refused SetMetadata at the limit", want)
	e.setMeta(ms, "INBOX", entry(vendorEntry(0), "changed"))
	e.setMeta(ms, "INBOX", nilEntry(vendorEntry(1)), entry(vendorEntry(n+1), "swapped"))
	delete(want, vendorEntry(1))
	want[vendorEntry(0)], want[vendorEntry(n+1)] = "changed", "swapped"
	e.wantMeta(ms, "INBOX", "after changes at the limit", want)
}

// testMetadataNoSuchMailbox: the commands on a mailbox that does not
// exist give ErrNoSuchMailbox (RFC 5464 §4.3 "on the specified existing
// mailboxes").
func testMetadataNoSuchMailbox(e *env) {
	ms := e.metadata(nil)
	_, err := ms.Metadata(e.ctx, "Nope", []string{"/private/comment"})
	e.wantErr("Metadata(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	_, err = ms.MetadataNames(e.ctx, "Nope")
	e.wantErr("MetadataNames(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
	err = ms.SetMetadata(e.ctx, "Nope", []imap.MetadataEntry{entry("/private/comment", "x")})
	e.wantErr("SetMetadata(missing mailbox)", err, mailstore.ErrNoSuchMailbox)
}

// testMetadataFollowsMailbox: a mailbox's entries follow it on RENAME,
// are copied on a RENAME of INBOX and kept on INBOX, and go with it on
// DELETE, so that a new mailbox of the name starts without them (RFC 5464
// §4.1).
func testMetadataFollowsMailbox(e *env) {
	ms := e.metadata(nil)
	e.create(e.st, "Box")
	entries := map[string]string{"/private/comment": "private", "/shared/comment": "shared"}
	e.setMeta(ms, "Box", entry("/private/comment", "private"), entry("/shared/comment", "shared"))
	if err := e.st.RenameMailbox(e.ctx, "Box", "Moved"); err != nil {
		e.Fatalf("RenameMailbox: %v", err)
	}
	e.wantMeta(ms, "Moved", "after a rename", entries)
	if err := e.st.DeleteMailbox(e.ctx, "Moved"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	e.create(e.st, "Moved")
	e.wantMeta(ms, "Moved", "a mailbox created with a deleted one's name", map[string]string{})
	e.create(e.st, "Box")
	e.wantMeta(ms, "Box", "a mailbox created with a renamed one's old name", map[string]string{})

	e.setMeta(ms, "INBOX", entry("/private/comment", "inbox"))
	if err := e.st.RenameMailbox(e.ctx, "INBOX", "Archive"); err != nil {
		e.Fatalf("RenameMailbox(INBOX): %v", err)
	}
	e.wantMeta(ms, "Archive", "after renaming INBOX", map[string]string{"/private/comment": "inbox"})
	e.wantMeta(ms, "INBOX", "INBOX after its rename", map[string]string{"/private/comment": "inbox"})
}

// testMetadataAdminReadOnly: clients cannot change the server's
// /shared/admin (RFC 5464 §3.2.1.1 "This entry is always read-only"):
// ErrPermission.
func testMetadataAdminReadOnly(e *env) {
	ms := e.metadata(nil)
	before := e.allMeta(ms, "")
	err := ms.SetMetadata(e.ctx, "", []imap.MetadataEntry{entry("/shared/admin", "mailto:storetest@example.org")})
	e.wantErr("SetMetadata(\"\", /shared/admin)", err, mailstore.ErrPermission)
	err = ms.SetMetadata(e.ctx, "", []imap.MetadataEntry{nilEntry("/shared/admin")})
	e.wantErr("SetMetadata(\"\", /shared/admin NIL)", err, mailstore.ErrPermission)
	e.wantMeta(ms, "", "after refused changes of /shared/admin", before)
}

// testMetadataPersist: mailbox and server entries survive a restart.
func testMetadataPersist(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	ms := e.metadata(nil)
	e.create(e.st, "Box")
	e.setMeta(ms, "Box", entry("/private/comment", "p"), entry("/shared/comment", "s"))
	e.setMeta(ms, "", entry(vendorEntry(1), "server"))
	box, server := e.allMeta(ms, "Box"), e.allMeta(ms, "")
	e.reopen()
	ms = e.metadata(nil)
	e.wantMeta(ms, "Box", "after reopening", box)
	e.wantMeta(ms, "", "after reopening", server)
}
