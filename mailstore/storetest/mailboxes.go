package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func mailboxRules() []rule {
	return []rule{
		{"InboxExists", testInboxExists},
		{"InboxCaseInsensitive", testInboxCaseInsensitive},
		{"UnknownMailbox", testUnknownMailbox},
		{"CreateDuplicate", testCreateDuplicate},
		{"CreateParents", testCreateParents},
		{"CreateTrailingDelimiter", testCreateTrailingDelimiter},
		{"CreateUnicodeNames", testCreateUnicodeNames},
		{"CreateInvalidName", testCreateInvalidName},
		{"CreateSpecialUse", testCreateSpecialUse},
		{"DeleteInboxNotAllowed", testDeleteInbox},
		{"DeleteUnknown", testDeleteUnknown},
		{"Delete", testDelete},
		{"DeleteWithInferiors", testDeleteWithInferiors},
		{"DeleteRecreateUIDValidity", testDeleteRecreate},
		{"RenameMovesInferiors", testRenameInferiors},
		{"RenameKeepsUIDValidity", testRenameUIDValidity},
		{"RenameOntoExisting", testRenameOntoExisting},
		{"RenameUnknown", testRenameUnknown},
		{"RenameCreatesParents", testRenameCreatesParents},
		{"RenameInbox", testRenameInbox},
		{"Subscribe", testSubscribe},
		{"SubscribeNonExistent", testSubscribeNonExistent},
		{"SubscriptionSurvivesDelete", testSubscriptionSurvivesDelete},
	}
}

func hasAttr(attrs []imap.MailboxAttr, a imap.MailboxAttr) bool {
	return slices.ContainsFunc(attrs, a.Equal)
}

// selectable reports whether the listing says name is a mailbox that can
// be opened.
func selectable(list map[string]mailstore.MailboxInfo, name string) bool {
	mi, ok := list[name]
	return ok && !hasAttr(mi.Attrs, imap.AttrNoselect) && !hasAttr(mi.Attrs, imap.AttrNonExistent)
}

// testInboxExists: INBOX always exists (RFC 3501 §5.1), is listed once
// (as "INBOX") and can be opened, even in a new, empty store.
func testInboxExists(e *env) {
	list := e.list(e.st)
	var n int
	for name, mi := range list {
		if imap.IsInbox(name) {
			n++
			if name != "INBOX" {
				e.Errorf("INBOX is listed as %q, want %q", name, "INBOX")
			}
			if hasAttr(mi.Attrs, imap.AttrNoselect) || hasAttr(mi.Attrs, imap.AttrNonExistent) {
				e.Errorf("INBOX is listed with %v", mi.Attrs)
			}
		}
	}
	if n != 1 {
		e.Errorf("Mailboxes lists INBOX %d times, want once: %v", n, list)
	}
	s := e.status(e.st, "INBOX")
	if s.Messages != 0 {
		e.Errorf("a new store's INBOX has %d messages", s.Messages)
	}
	if s.UIDValidity == 0 {
		e.Errorf("INBOX has UIDVALIDITY 0 (RFC 3501 §2.3.1.1: it is a non-zero 32-bit value)")
	}
	if s.UIDNext == 0 {
		e.Errorf("INBOX has UIDNEXT 0")
	}
	mb := e.view(e.st, "INBOX", false)
	if len(mb.Messages()) != 0 || mb.UIDValidity() != s.UIDValidity {
		e.Errorf("view of INBOX: %d messages, UIDVALIDITY %d; Status says 0, %d", len(mb.Messages()), mb.UIDValidity(), s.UIDValidity)
	}
}

// testInboxCaseInsensitive: every case variant of INBOX names INBOX
// (RFC 3501 §5.1 and RFC 9051 §5.1).
func testInboxCaseInsensitive(e *env) {
	e.appendMsg(e.st, "inbox", smallMessage(1, "lower"), nil, time.Time{})
	e.appendMsg(e.st, "InBoX", smallMessage(2, "mixed"), nil, time.Time{})
	for _, name := range []string{"INBOX", "inbox", "Inbox", "iNbOx"} {
		if s := e.status(e.st, name); s.Messages != 2 {
			e.Errorf("Status(%q).Messages = %d, want 2", name, s.Messages)
		}
	}
	mb := e.view(e.st, "iNbOx", true)
	if n := len(mb.Messages()); n != 2 {
		e.Errorf("OpenMailbox(%q) has %d messages, want 2", "iNbOx", n)
	}
	n := 0
	for name := range e.list(e.st) {
		if imap.IsInbox(name) {
			n++
		}
	}
	if n != 1 {
		e.Errorf("Mailboxes lists INBOX %d times after appends to case variants", n)
	}
}

// testUnknownMailbox: a name that is not a mailbox gives
// ErrNoSuchMailbox (RFC 5530 NONEXISTENT), and APPEND to it does not
// create it (RFC 3501 §6.3.11: the client is told TRYCREATE).
func testUnknownMailbox(e *env) {
	_, err := e.st.Status(e.ctx, "Nowhere")
	e.wantErr("Status(unknown)", err, mailstore.ErrNoSuchMailbox)
	_, err = e.st.OpenMailbox(e.ctx, "Nowhere", nil)
	e.wantErr("OpenMailbox(unknown)", err, mailstore.ErrNoSuchMailbox)
	_, err = e.st.Append(e.ctx, "Nowhere", bytes.NewReader(smallMessage(1, "x")), nil)
	e.wantErr("Append(unknown)", err, mailstore.ErrNoSuchMailbox)
	if _, ok := e.list(e.st)["Nowhere"]; ok {
		e.Errorf("Append to an unknown mailbox created it")
	}
}

// testCreateDuplicate: creating an existing name, or INBOX in any case,
// is an error (RFC 3501 §6.3.3; RFC 5530 ALREADYEXISTS).
func testCreateDuplicate(e *env) {
	e.create(e.st, "Work")
	err := e.st.CreateMailbox(e.ctx, "Work", nil)
	e.wantErr("CreateMailbox(existing)", err, mailstore.ErrMailboxExists)
	for _, name := range []string{"INBOX", "inbox", "InBox"} {
		err := e.st.CreateMailbox(e.ctx, name, nil)
		e.wantErr("CreateMailbox("+name+")", err, mailstore.ErrMailboxExists)
	}
	// Through a second session too: the mailbox list is the user's.
	err = e.open().CreateMailbox(e.ctx, "Work", nil)
	e.wantErr("CreateMailbox(existing) from another session", err, mailstore.ErrMailboxExists)
}

// testCreateParents: creating a name with the delimiter inside creates
// the superior names (RFC 3501 §6.3.3 "SHOULD create foo/ and foo/bar/").
func testCreateParents(e *env) {
	leaf := e.name("Top", "Middle", "Leaf")
	e.create(e.st, leaf)
	list := e.list(e.st)
	for _, name := range []string{"Top", e.name("Top", "Middle")} {
		if _, ok := list[name]; !ok {
			e.Errorf("CreateMailbox(%q) did not create the superior %q; Mailboxes: %v", leaf, name, names(list))
		}
	}
	if !selectable(list, leaf) {
		e.Errorf("the created %q is not a selectable mailbox: %+v", leaf, list[leaf])
	}
	e.status(e.st, leaf)
	// A superior created implicitly can later hold mail or be created for
	// real.
	if selectable(list, "Top") {
		e.appendMsg(e.st, "Top", smallMessage(1, "top"), nil, time.Time{})
	} else if err := e.st.CreateMailbox(e.ctx, "Top", nil); err != nil && !errors.Is(err, mailstore.ErrMailboxExists) {
		e.Errorf("CreateMailbox of the \\Noselect superior %q: %v", "Top", err)
	}
}

func names(list map[string]mailstore.MailboxInfo) []string {
	var s []string
	for n := range list {
		s = append(s, n)
	}
	slices.Sort(s)
	return s
}

// testCreateTrailingDelimiter: a name suffixed with the delimiter
// declares a level; "the name created is without the trailing hierarchy
// delimiter" (RFC 3501 §6.3.3).
func testCreateTrailingDelimiter(e *env) {
	if err := e.st.CreateMailbox(e.ctx, "Trail"+e.delim, nil); err != nil {
		e.Fatalf("CreateMailbox(%q): %v", "Trail"+e.delim, err)
	}
	list := e.list(e.st)
	for name := range list {
		if strings.HasSuffix(name, e.delim) {
			e.Errorf("Mailboxes lists %q, which ends in the delimiter", name)
		}
	}
	if _, ok := list["Trail"]; !ok {
		e.Errorf("CreateMailbox(%q) did not create %q: %v", "Trail"+e.delim, "Trail", names(list))
	}
	child := e.name("Trail", "Child")
	e.create(e.st, child)
	e.appendMsg(e.st, child, smallMessage(1, "child"), nil, time.Time{})
	err := e.st.CreateMailbox(e.ctx, "Trail"+e.delim, nil)
	if err == nil && !selectable(list, "Trail") {
		// Creating a \Noselect level again may succeed (it makes it a
		// mailbox) or say it exists.
		return
	}
	e.wantErr("CreateMailbox(existing name with trailing delimiter)", err, mailstore.ErrMailboxExists)
}

// testCreateUnicodeNames: mailbox names are UTF-8 (the contract; RFC 9051
// §5.1 Net-Unicode) and are listed exactly as created, with characters
// modified UTF-7 treats specially ("&", RFC 3501 §5.1.3).
func testCreateUnicodeNames(e *env) {
	for i, name := range []string{"Entwürfe", e.name("日本語", "子"), "Tom & Jerry", "With  Spaces", "Ünïcödé ✉ 📬"} {
		e.create(e.st, name)
		e.appendMsg(e.st, name, smallMessage(i, name), nil, time.Time{})
		list := e.list(e.st)
		if !selectable(list, name) {
			e.Errorf("CreateMailbox(%q): not listed as a selectable mailbox; Mailboxes: %q", name, names(list))
			continue
		}
		if s := e.status(e.st, name); s.Messages != 1 {
			e.Errorf("Status(%q).Messages = %d, want 1", name, s.Messages)
		}
		mb := e.view(e.st, name, true)
		if n := len(mb.Messages()); n != 1 {
			e.Errorf("OpenMailbox(%q): %d messages, want 1", name, n)
		}
	}
}

// testCreateInvalidName: the empty name is no mailbox (RFC 3501 §9: a
// mailbox is an astring naming one; imap.ValidMailboxName) and gives
// ErrInvalidName.
func testCreateInvalidName(e *env) {
	err := e.st.CreateMailbox(e.ctx, "", nil)
	e.wantErr(`CreateMailbox("")`, err, mailstore.ErrInvalidName)
	// Names a store may refuse, but must keep exactly if it accepts them.
	for _, name := range []string{"..", e.name("a", "..", "b"), "." + e.delim + "x", "%*?"} {
		if err := e.st.CreateMailbox(e.ctx, name, nil); err != nil {
			continue
		}
		if !selectable(e.list(e.st), name) {
			e.Errorf("CreateMailbox(%q) succeeded but it is not listed as created", name)
		}
	}
}

// testCreateSpecialUse: a mailbox created with special-use attributes
// lists them (RFC 6154 §3, CREATE-SPECIAL-USE); a store that cannot keep
// them says ErrUseAttr (NO [USEATTR]), and then "MUST NOT create the
// mailbox" (RFC 6154 §3), as for an attribute that is not special-use.
func testCreateSpecialUse(e *env) {
	err := e.st.CreateMailbox(e.ctx, "Not Special", &mailstore.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.AttrNoselect}})
	e.wantErr(`CreateMailbox with \Noselect as a special use`, err, mailstore.ErrUseAttr)
	if _, ok := e.list(e.st)["Not Special"]; ok {
		e.Errorf("CreateMailbox refused with an error still created the mailbox")
	}
	err = e.st.CreateMailbox(e.ctx, "My Sent", &mailstore.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.AttrSent}})
	if errors.Is(err, mailstore.ErrUseAttr) {
		if _, ok := e.list(e.st)["My Sent"]; ok {
			e.Errorf("CreateMailbox refused with ErrUseAttr still created the mailbox")
		}
		e.Skipf("the store does not keep special-use attributes: %v", err)
	}
	if err != nil {
		e.Fatalf("CreateMailbox with special use \\Sent: %v", err)
	}
	mi, ok := e.list(e.st)["My Sent"]
	if !ok || !hasAttr(mi.Attrs, imap.AttrSent) {
		e.Errorf("the mailbox created with \\Sent is listed as %+v (listed: %v)", mi, ok)
	}
	if ok && hasAttr(mi.Attrs, imap.AttrNoselect) {
		e.Errorf("the special-use mailbox is \\Noselect")
	}
	e.appendMsg(e.st, "My Sent", smallMessage(1, "sent"), nil, time.Time{})
	// Another session sees the attribute too.
	if mi := e.list(e.open())["My Sent"]; !hasAttr(mi.Attrs, imap.AttrSent) {
		e.Errorf("another session lists the special-use mailbox with %v", mi.Attrs)
	}
}

// testDeleteInbox: "It is an error to attempt to delete INBOX" (RFC 3501
// §6.3.4), in any case.
func testDeleteInbox(e *env) {
	for _, name := range []string{"INBOX", "inbox"} {
		err := e.st.DeleteMailbox(e.ctx, name)
		e.wantErr("DeleteMailbox("+name+")", err, mailstore.ErrNotAllowed)
	}
	e.status(e.st, "INBOX")
}

// testDeleteUnknown: deleting a name that does not exist is an error
// (RFC 3501 §6.3.4; RFC 5530 NONEXISTENT).
func testDeleteUnknown(e *env) {
	err := e.st.DeleteMailbox(e.ctx, "Nowhere")
	e.wantErr("DeleteMailbox(unknown)", err, mailstore.ErrNoSuchMailbox)
}

// testDelete: DELETE removes the mailbox and its messages (RFC 3501
// §6.3.4); the name is then unknown to every session.
func testDelete(e *env) {
	e.create(e.st, "Gone")
	e.appendN(e.st, "Gone", 2)
	if err := e.st.DeleteMailbox(e.ctx, "Gone"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	other := e.open()
	for i, st := range []mailstore.Store{e.st, other} {
		if _, ok := e.list(st)["Gone"]; ok {
			e.Errorf("session %d lists the deleted mailbox", i)
		}
		_, err := st.Status(e.ctx, "Gone")
		e.wantErr("Status(deleted)", err, mailstore.ErrNoSuchMailbox)
		_, err = st.OpenMailbox(e.ctx, "Gone", nil)
		e.wantErr("OpenMailbox(deleted)", err, mailstore.ErrNoSuchMailbox)
		_, err = st.Append(e.ctx, "Gone", bytes.NewReader(smallMessage(1, "x")), nil)
		e.wantErr("Append(deleted)", err, mailstore.ErrNoSuchMailbox)
	}
	err := e.st.DeleteMailbox(e.ctx, "Gone")
	e.wantErr("DeleteMailbox twice", err, mailstore.ErrNoSuchMailbox)
}

// testDeleteWithInferiors: deleting a name with inferiors removes its
// messages, keeps the inferiors, and the name "will acquire the
// \Noselect mailbox name attribute" (RFC 3501 §6.3.4); deleting it again
// is an error ("a name that has inferior hierarchical names and also has
// the \Noselect mailbox name attribute").
func testDeleteWithInferiors(e *env) {
	child := e.name("Parent", "Child")
	e.create(e.st, "Parent")
	e.create(e.st, child)
	e.appendN(e.st, "Parent", 2)
	e.appendN(e.st, child, 3)
	before := e.status(e.st, "Parent")
	if err := e.st.DeleteMailbox(e.ctx, "Parent"); err != nil {
		e.Fatalf("DeleteMailbox(parent with inferiors): %v", err)
	}
	list := e.list(e.st)
	if !selectable(list, child) {
		e.Fatalf("deleting the parent removed the inferior %q: %v", child, names(list))
	}
	if s := e.status(e.st, child); s.Messages != 3 {
		e.Errorf("the inferior has %d messages after its parent's deletion, want 3", s.Messages)
	}
	if mi, ok := list["Parent"]; ok && !hasAttr(mi.Attrs, imap.AttrNoselect) && !hasAttr(mi.Attrs, imap.AttrNonExistent) {
		e.Errorf("the deleted parent is listed as %v, want \\Noselect", mi.Attrs)
	}
	if _, err := e.st.OpenMailbox(e.ctx, "Parent", nil); err == nil {
		e.Errorf("OpenMailbox of the deleted (now \\Noselect) parent succeeded")
	} else if !errors.Is(err, mailstore.ErrNotAllowed) && !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		e.Errorf("OpenMailbox of the deleted parent: %v, want ErrNotAllowed or ErrNoSuchMailbox", err)
	}
	if _, err := e.st.Append(e.ctx, "Parent", bytes.NewReader(smallMessage(1, "x")), nil); err == nil {
		e.Errorf("Append to the deleted (now \\Noselect) parent succeeded")
	}
	if err := e.st.DeleteMailbox(e.ctx, "Parent"); err == nil {
		e.Errorf("DeleteMailbox of a \\Noselect name with inferiors succeeded (RFC 3501 §6.3.4: it is an error)")
	}
	// Creating it again makes an empty mailbox whose UIDs do not clash
	// with the old ones.
	if err := e.st.CreateMailbox(e.ctx, "Parent", nil); err != nil {
		if errors.Is(err, mailstore.ErrMailboxExists) {
			return
		}
		e.Fatalf("CreateMailbox of the \\Noselect parent: %v", err)
	}
	after := e.status(e.st, "Parent")
	if after.Messages != 0 {
		e.Errorf("re-created parent has %d messages", after.Messages)
	}
	checkNewIncarnation(e, "Parent", before, after)
	if s := e.status(e.st, child); s.Messages != 3 {
		e.Errorf("the inferior has %d messages after its parent's re-creation, want 3", s.Messages)
	}
}

// checkNewIncarnation checks RFC 3501 §6.3.3: a mailbox created with the
// name of a deleted (or renamed, RFC 9051 §2.3.1.1) one either has a new
// UIDVALIDITY or UIDs above the old incarnation's, and then an append
// gets such a UID.
func checkNewIncarnation(e *env, name string, old, now *mailstore.MailboxStatus) {
	e.Helper()
	if now.UIDValidity != old.UIDValidity {
		return
	}
	if now.UIDNext < old.UIDNext {
		e.Errorf("%q re-created with the same UIDVALIDITY %d but UIDNEXT %d below the old incarnation's %d: UIDs would be reused (RFC 3501 §6.3.3)",
			name, now.UIDValidity, now.UIDNext, old.UIDNext)
	}
	res := e.appendMsg(e.st, name, smallMessage(99, "new incarnation"), nil, time.Time{})
	if res.UIDValidity == old.UIDValidity && res.UID < old.UIDNext {
		e.Errorf("%q re-created: Append got UID %d under the old UIDVALIDITY %d, reusing a UID below the old UIDNEXT %d",
			name, res.UID, res.UIDValidity, old.UIDNext)
	}
}

// testDeleteRecreate: a mailbox created with a deleted mailbox's name is
// empty and its UIDs do not clash with the old ones unless its
// UIDVALIDITY is new (RFC 3501 §2.3.1.1 note 3, §6.3.3, §6.3.4).
func testDeleteRecreate(e *env) {
	e.create(e.st, "Phoenix")
	e.appendN(e.st, "Phoenix", 3)
	old := e.status(e.st, "Phoenix")
	if err := e.st.DeleteMailbox(e.ctx, "Phoenix"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	e.create(e.st, "Phoenix")
	now := e.status(e.st, "Phoenix")
	if now.Messages != 0 || now.Unseen != 0 || now.Size != 0 {
		e.Errorf("re-created mailbox is not empty: %+v", now)
	}
	if mb := e.view(e.st, "Phoenix", true); len(mb.Messages()) != 0 {
		e.Errorf("re-created mailbox's view has %d messages", len(mb.Messages()))
	}
	checkNewIncarnation(e, "Phoenix", old, now)
}

// contents returns the bytes of every message of a mailbox, in UID order.
func (e *env) contents(st mailstore.Store, name string) ([][]byte, []mailstore.MessageInfo) {
	e.Helper()
	mb, err := st.OpenMailbox(e.ctx, name, &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		e.Fatalf("OpenMailbox(%q): %v", name, err)
	}
	defer mb.Close()
	msgs := slices.Clone(mb.Messages())
	var out [][]byte
	for _, m := range msgs {
		out = append(out, e.readMessage(mb, m.UID))
	}
	return out, msgs
}

// testRenameInferiors: RENAME renames the inferiors too (RFC 3501 §6.3.5
// "the inferior hierarchical names MUST also be renamed"), with their
// messages, and the old names are gone.
func testRenameInferiors(e *env) {
	sub := e.name("Old", "Sub")
	deep := e.name("Old", "Sub", "Deep")
	e.create(e.st, "Old")
	e.create(e.st, deep)
	e.appendN(e.st, "Old", 2)
	e.appendN(e.st, sub, 1)
	e.appendN(e.st, deep, 3)
	want := map[string][][]byte{}
	for _, n := range []string{"Old", sub, deep} {
		want[n], _ = e.contents(e.st, n)
	}
	if err := e.st.RenameMailbox(e.ctx, "Old", "New"); err != nil {
		e.Fatalf("RenameMailbox: %v", err)
	}
	list := e.list(e.st)
	for _, n := range []string{"Old", sub, deep} {
		if _, ok := list[n]; ok {
			e.Errorf("%q is still listed after renaming %q", n, "Old")
		}
		nn := "New" + strings.TrimPrefix(n, "Old")
		if !selectable(list, nn) {
			e.Errorf("%q is not listed after renaming %q: %v", nn, "Old", names(list))
			continue
		}
		got, _ := e.contents(e.st, nn)
		if !slices.EqualFunc(got, want[n], bytes.Equal) {
			e.Errorf("%q does not hold the messages %q held", nn, n)
		}
	}
	_, err := e.st.Status(e.ctx, sub)
	e.wantErr("Status(old inferior name)", err, mailstore.ErrNoSuchMailbox)
}

// testRenameUIDValidity: the renamed mailbox keeps its UIDVALIDITY and
// UIDs (the contract; the messages are the same), and a mailbox later
// created with the old name does not reuse its UIDs under the same
// UIDVALIDITY (RFC 9051 §2.3.1.1 note 3: "deleted/renamed").
func testRenameUIDValidity(e *env) {
	e.create(e.st, "Before")
	e.appendN(e.st, "Before", 3)
	old := e.status(e.st, "Before")
	_, oldMsgs := e.contents(e.st, "Before")
	if err := e.st.RenameMailbox(e.ctx, "Before", "After"); err != nil {
		e.Fatalf("RenameMailbox: %v", err)
	}
	now := e.status(e.st, "After")
	if now.UIDValidity != old.UIDValidity {
		e.Errorf("renamed mailbox has UIDVALIDITY %d, want the old %d", now.UIDValidity, old.UIDValidity)
	}
	if now.UIDNext < old.UIDNext || now.Messages != old.Messages {
		e.Errorf("renamed mailbox: UIDNEXT %d, %d messages; before: %d, %d", now.UIDNext, now.Messages, old.UIDNext, old.Messages)
	}
	_, newMsgs := e.contents(e.st, "After")
	if err := sameList(newMsgs, oldMsgs, true); err != nil {
		e.Errorf("renamed mailbox's messages differ: %v", err)
	}
	e.create(e.st, "Before")
	checkNewIncarnation(e, "Before", old, e.status(e.st, "Before"))
}

// testRenameOntoExisting: renaming onto an existing name, INBOX
// included, is an error (RFC 3501 §6.3.5; RFC 5530 ALREADYEXISTS), and
// changes nothing.
func testRenameOntoExisting(e *env) {
	e.create(e.st, "A")
	e.create(e.st, "B")
	e.appendN(e.st, "A", 1)
	err := e.st.RenameMailbox(e.ctx, "A", "B")
	e.wantErr("RenameMailbox onto an existing mailbox", err, mailstore.ErrMailboxExists)
	err = e.st.RenameMailbox(e.ctx, "A", "INBOX")
	e.wantErr("RenameMailbox onto INBOX", err, mailstore.ErrMailboxExists)
	err = e.st.RenameMailbox(e.ctx, "A", "inbox")
	e.wantErr("RenameMailbox onto inbox", err, mailstore.ErrMailboxExists)
	if s := e.status(e.st, "A"); s.Messages != 1 {
		e.Errorf("the failed rename changed the source: %d messages", s.Messages)
	}
	if s := e.status(e.st, "B"); s.Messages != 0 {
		e.Errorf("the failed rename changed the target: %d messages", s.Messages)
	}
}

// testRenameUnknown: renaming a name that does not exist is an error
// (RFC 3501 §6.3.5; RFC 5530 NONEXISTENT).
func testRenameUnknown(e *env) {
	err := e.st.RenameMailbox(e.ctx, "Nowhere", "Somewhere")
	e.wantErr("RenameMailbox(unknown)", err, mailstore.ErrNoSuchMailbox)
	if _, ok := e.list(e.st)["Somewhere"]; ok {
		e.Errorf("a failed rename created the target")
	}
}

// testRenameCreatesParents: RENAME creates the superior names the new
// name needs (RFC 3501 §6.3.5, like CREATE).
func testRenameCreatesParents(e *env) {
	e.create(e.st, "Flat")
	e.appendN(e.st, "Flat", 1)
	to := e.name("Deep", "Er", "Flat")
	if err := e.st.RenameMailbox(e.ctx, "Flat", to); err != nil {
		e.Fatalf("RenameMailbox(%q, %q): %v", "Flat", to, err)
	}
	list := e.list(e.st)
	for _, n := range []string{"Deep", e.name("Deep", "Er")} {
		if _, ok := list[n]; !ok {
			e.Errorf("RenameMailbox to %q did not create the superior %q: %v", to, n, names(list))
		}
	}
	if s := e.status(e.st, to); s.Messages != 1 {
		e.Errorf("renamed mailbox has %d messages, want 1", s.Messages)
	}
}

// testRenameInbox: renaming INBOX "moves all messages in INBOX to a new
// mailbox with the given name, leaving INBOX empty"; its inferiors are
// unaffected (RFC 3501 §6.3.5). INBOX's UIDs are not reused under its
// UIDVALIDITY, and an open view of INBOX sees the messages go (or is
// closed).
func testRenameInbox(e *env) {
	dates := []time.Time{time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC)}
	e.appendMsg(e.st, "INBOX", smallMessage(1, "one"), []imap.Flag{imap.FlagSeen}, dates[0])
	e.appendMsg(e.st, "INBOX", smallMessage(2, "two"), []imap.Flag{imap.FlagFlagged, "$Label"}, dates[1])
	kid := e.name("INBOX", "Kid")
	hasKid := e.st.CreateMailbox(e.ctx, kid, nil) == nil
	if hasKid {
		e.appendN(e.st, kid, 1)
	}
	old := e.status(e.st, "INBOX")
	want, wantMsgs := e.contents(e.st, "INBOX")
	view := e.view(e.open(), "INBOX", false)

	if err := e.st.RenameMailbox(e.ctx, "INBOX", "Old Mail"); err != nil {
		e.Fatalf("RenameMailbox(INBOX): %v", err)
	}
	got, gotMsgs := e.contents(e.st, "Old Mail")
	if !slices.EqualFunc(got, want, bytes.Equal) {
		e.Errorf("the new mailbox does not hold INBOX's messages: %d messages, want %d", len(got), len(want))
	}
	if len(gotMsgs) == len(wantMsgs) {
		for i := range gotMsgs {
			if !sameFlags(gotMsgs[i].Flags, wantMsgs[i].Flags) || gotMsgs[i].InternalDate.Unix() != wantMsgs[i].InternalDate.Unix() {
				e.Errorf("message %d moved from INBOX: flags %v, date %v; want %v, %v", i+1,
					gotMsgs[i].Flags, gotMsgs[i].InternalDate, wantMsgs[i].Flags, wantMsgs[i].InternalDate)
			}
		}
	}
	now := e.status(e.st, "INBOX")
	if now.Messages != 0 {
		e.Errorf("INBOX has %d messages after its rename, want 0", now.Messages)
	}
	checkNewIncarnation(e, "INBOX", old, now)
	if hasKid {
		list := e.list(e.st)
		if !selectable(list, kid) {
			e.Errorf("renaming INBOX affected its inferior %q: %v", kid, names(list))
		}
		if _, ok := list[e.name("Old Mail", "Kid")]; ok {
			e.Errorf("renaming INBOX renamed its inferior")
		}
	}
	// The open view: closed, or it sees the messages expunged, which it
	// can only if INBOX kept its UIDVALIDITY (a view cannot announce a
	// new one).
	if _, err := view.Poll(e.ctx, false); errors.Is(err, mailstore.ErrClosed) {
		return
	}
	if now.UIDValidity != view.UIDValidity() {
		e.Errorf("INBOX's UIDVALIDITY changed from %d to %d under an open view that was not closed", view.UIDValidity(), now.UIDValidity)
	}
	want2 := e.fresh("INBOX")
	e.pollUntil(view, true, "the INBOX view to see the rename", func(l []mailstore.MessageInfo) bool {
		return sameList(l, want2, false) == nil
	})
}

// testSubscribe: SUBSCRIBE and UNSUBSCRIBE change the subscription list
// (RFC 3501 §6.3.6, §6.3.7), which every session of the user shares.
func testSubscribe(e *env) {
	e.create(e.st, "Sub")
	if mi := e.list(e.st)["Sub"]; mi.Subscribed {
		e.Errorf("a new mailbox is subscribed")
	}
	if err := e.st.SetSubscribed(e.ctx, "Sub", true); err != nil {
		e.Fatalf("SetSubscribed(true): %v", err)
	}
	if mi := e.list(e.open())["Sub"]; !mi.Subscribed {
		e.Errorf("subscribed mailbox listed as not subscribed (by another session)")
	}
	if err := e.st.SetSubscribed(e.ctx, "Sub", true); err != nil {
		e.Errorf("SetSubscribed(true) twice: %v", err)
	}
	if err := e.st.SetSubscribed(e.ctx, "INBOX", true); err != nil {
		e.Errorf("SetSubscribed(INBOX): %v", err)
	}
	if mi := e.list(e.st)["INBOX"]; !mi.Subscribed {
		e.Errorf("INBOX listed as not subscribed after SetSubscribed")
	}
	if err := e.st.SetSubscribed(e.ctx, "Sub", false); err != nil {
		e.Fatalf("SetSubscribed(false): %v", err)
	}
	if mi := e.list(e.st)["Sub"]; mi.Subscribed {
		e.Errorf("unsubscribed mailbox listed as subscribed")
	}
}

// testSubscribeNonExistent: "A server MAY validate the mailbox argument
// to SUBSCRIBE" (RFC 3501 §6.3.6), but the contract says a name may be
// subscribed whether or not it exists; the subscription holds when the
// mailbox is created later. If Mailboxes lists the name before, it is
// \NonExistent or \Noselect and subscribed (RFC 5258 §3).
func testSubscribeNonExistent(e *env) {
	if err := e.st.SetSubscribed(e.ctx, "Ghost", true); err != nil {
		e.Fatalf("SetSubscribed(non-existent name): %v", err)
	}
	if mi, ok := e.list(e.st)["Ghost"]; ok {
		if !mi.Subscribed {
			e.Errorf("the subscribed non-existent name is listed as not subscribed")
		}
		if !hasAttr(mi.Attrs, imap.AttrNonExistent) && !hasAttr(mi.Attrs, imap.AttrNoselect) {
			e.Errorf("the subscribed non-existent name is listed as a mailbox: %v", mi.Attrs)
		}
	}
	_, err := e.st.Status(e.ctx, "Ghost")
	e.wantErr("Status(subscribed, non-existent)", err, mailstore.ErrNoSuchMailbox)
	e.create(e.st, "Ghost")
	if mi := e.list(e.st)["Ghost"]; !mi.Subscribed {
		e.Errorf("a mailbox created with a subscribed name is listed as not subscribed")
	}
}

// testSubscriptionSurvivesDelete: the server "MUST NOT unilaterally
// remove an existing mailbox name from the subscription list even if a
// mailbox by that name no longer exists" (RFC 3501 §6.3.6).
func testSubscriptionSurvivesDelete(e *env) {
	e.create(e.st, "Expiring")
	if err := e.st.SetSubscribed(e.ctx, "Expiring", true); err != nil {
		e.Fatalf("SetSubscribed: %v", err)
	}
	if err := e.st.DeleteMailbox(e.ctx, "Expiring"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	if mi, ok := e.list(e.st)["Expiring"]; ok && !mi.Subscribed {
		e.Errorf("the deleted mailbox's name is listed, unsubscribed")
	}
	e.create(e.st, "Expiring")
	if mi := e.list(e.st)["Expiring"]; !mi.Subscribed {
		e.Errorf("deleting a mailbox removed its name from the subscription list")
	}
}
