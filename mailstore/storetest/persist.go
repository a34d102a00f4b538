package storetest

import (
	"bytes"
	"slices"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func persistRules() []rule {
	return []rule{
		{"Mailboxes", testPersistMailboxes},
		{"Messages", testPersistMessages},
		{"UIDsNotReused", testPersistUIDs},
	}
}

// testPersistMailboxes: the mailbox list, subscriptions and special-use
// attributes survive a restart (RFC 3501 §6.3.6: subscriptions are the
// server's state; RFC 6154 §3).
func testPersistMailboxes(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	e.create(e.st, e.name("Work", "Projects", "Alpha"))
	e.create(e.st, "Entwürfe")
	if err := e.st.SetSubscribed(e.ctx, "Entwürfe", true); err != nil {
		e.Fatalf("SetSubscribed: %v", err)
	}
	if err := e.st.SetSubscribed(e.ctx, "Ghost", true); err != nil {
		e.Fatalf("SetSubscribed(non-existent): %v", err)
	}
	specialUse := e.st.CreateMailbox(e.ctx, "Junk Mail", &mailstore.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.AttrJunk}}) == nil
	before := e.list(e.st)
	e.reopen()
	after := e.list(e.st)
	if !slices.Equal(names(after), names(before)) {
		e.Errorf("mailboxes after reopening: %q, before: %q", names(after), names(before))
	}
	if !after["Entwürfe"].Subscribed {
		e.Errorf("a subscription was lost on reopening")
	}
	if specialUse && !hasAttr(after["Junk Mail"].Attrs, imap.AttrJunk) {
		e.Errorf("the special-use attribute was lost on reopening: %v", after["Junk Mail"].Attrs)
	}
	if _, err := e.st.Status(e.ctx, e.name("Work", "Projects", "Alpha")); err != nil {
		e.Errorf("Status after reopening: %v", err)
	}
	e.create(e.st, "Ghost")
	if !e.list(e.st)["Ghost"].Subscribed {
		e.Errorf("the subscription of a non-existent name was lost on reopening")
	}
}

// testPersistMessages: messages, their flags (keywords included),
// internal dates, MODSEQs, the UIDVALIDITY and expunges survive a restart
// (RFC 3501 §2.3.1.1: UIDs "SHOULD persist"; RFC 7162 §3.2: mod-sequences
// are persistent).
func testPersistMessages(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	e.create(e.st, "Kept")
	uids := e.seeded("Kept", 6)
	msgs := append(oddMessages()[:4], corpusMessages()[:4]...)
	for _, m := range msgs {
		e.appendMsg(e.st, "Kept", m.data, []imap.Flag{"$Persisted"}, time.Date(2019, 5, 6, 7, 8, 9, 0, time.UTC))
	}
	mb := e.view(e.st, "Kept", false)
	e.setFlags(mb, uids[:2], mailstore.FlagsAdd, imap.FlagDeleted, "$Kw")
	e.expunge(mb, uids[2:3])
	beforeStatus := e.status(e.st, "Kept")
	beforeData, beforeMsgs := e.contents(e.st, "Kept")
	beforeHMS := mb.HighestModSeq()
	if s := e.status(e.st, "Kept"); s.HighestModSeq > beforeHMS {
		beforeHMS = s.HighestModSeq
	}

	e.reopen()
	afterStatus := e.status(e.st, "Kept")
	afterData, afterMsgs := e.contents(e.st, "Kept")
	if err := sameList(afterMsgs, beforeMsgs, true); err != nil {
		e.Errorf("messages after reopening differ: %v", err)
	}
	if !slices.EqualFunc(afterData, beforeData, bytes.Equal) {
		e.Errorf("message contents changed on reopening")
	}
	if afterStatus.UIDValidity != beforeStatus.UIDValidity {
		e.Errorf("UIDVALIDITY %d after reopening, was %d", afterStatus.UIDValidity, beforeStatus.UIDValidity)
	}
	if afterStatus.UIDNext < beforeStatus.UIDNext || afterStatus.HighestModSeq < beforeHMS {
		e.Errorf("after reopening: UIDNEXT %d, HIGHESTMODSEQ %d; before %d, %d",
			afterStatus.UIDNext, afterStatus.HighestModSeq, beforeStatus.UIDNext, beforeHMS)
	}
	if afterStatus.Messages != beforeStatus.Messages || afterStatus.Unseen != beforeStatus.Unseen ||
		afterStatus.Deleted != beforeStatus.Deleted || afterStatus.Size != beforeStatus.Size {
		e.Errorf("Status after reopening %+v, before %+v", afterStatus, beforeStatus)
	}
	// A change after the restart gets a MODSEQ above every earlier one.
	mb = e.view(e.st, "Kept", false)
	res := e.setFlags(mb, uids[3:4], mailstore.FlagsAdd, "$AfterRestart")
	if len(res.Changed) == 1 && res.Changed[0].ModSeq <= beforeHMS {
		e.Errorf("SetFlags after reopening gave MODSEQ %d, not above the %d before", res.Changed[0].ModSeq, beforeHMS)
	}
}

// testPersistUIDs: UIDs of expunged messages are not reused after a
// restart, and ExpungedSince still knows them (RFC 9051 §2.3.1.1; RFC
// 7162 §3.2.5.1).
func testPersistUIDs(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	uids := e.appendN(e.st, "INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	hms := mb.HighestModSeq()
	e.expunge(mb, uids[2:])
	e.reopen()
	u := e.appendMsg(e.st, "INBOX", smallMessage(9, "after restart"), nil, time.Time{}).UID
	if u <= uids[2] {
		e.Errorf("Append after expunging UID %d and reopening got UID %d", uids[2], u)
	}
	mb = e.view(e.st, "INBOX", true)
	set, err := mb.ExpungedSince(e.ctx, hms)
	if err != nil || !set.Contains(uids[2], 0) {
		e.Errorf("ExpungedSince(%d) after reopening = %v, %v; want UID %d in it", hms, set, err, uids[2])
	}
	// Expunge everything, reopen again: still no reuse.
	rw := e.view(e.st, "INBOX", false)
	e.expunge(rw, uidsOf(rw.Messages()))
	e.reopen()
	if u2 := e.appendMsg(e.st, "INBOX", smallMessage(10, "again"), nil, time.Time{}).UID; u2 <= u {
		e.Errorf("Append after expunging every message and reopening got UID %d, not above %d", u2, u)
	}
}
