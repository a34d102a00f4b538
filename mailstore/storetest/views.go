package storetest

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func viewRules() []rule {
	return []rule{
		{"MessagesAfterOpen", testMessagesAfterOpen},
		{"PermanentFlags", testPermanentFlags},
		{"SetFlags", testSetFlags},
		{"Keywords", testKeywords},
		{"InvalidFlags", testInvalidFlags},
		{"UnchangedSince", testUnchangedSince},
		{"ReadOnly", testReadOnly},
		{"ExpungeSeqOrder", testExpungeSeqOrder},
		{"UIDsNotReused", testUIDsNotReused},
		{"ExpungedSince", testExpungedSince},
		{"Copy", testCopy},
		{"CopyToSelf", testCopyToSelf},
		{"Move", testMove},
		{"MoveToSelf", testMoveToSelf},
		{"OpenExpunged", testOpenExpunged},
		{"OwnChangesNotPolled", testOwnChangesNotPolled},
		{"Close", testClose},
		{"Recent", testRecent},
	}
}

// seeded appends n messages to name with varied flags and internal dates
// and returns their UIDs.
func (e *env) seeded(name string, n int) []uint32 {
	e.Helper()
	flags := [][]imap.Flag{nil, {imap.FlagSeen}, {imap.FlagFlagged, "$Work"}, {imap.FlagAnswered, imap.FlagSeen}, {imap.FlagDraft}}
	uids := make([]uint32, n)
	for i := range uids {
		d := time.Date(2020, 1, 1+i%28, 10, i%60, 7, 0, time.UTC)
		uids[i] = e.appendMsg(e.st, name, smallMessage(i, "seeded "+itoa(i)), flags[i%len(flags)], d).UID
	}
	return uids
}

// testMessagesAfterOpen: a new view lists every message, UID ascending,
// with flags, internal date, size and MODSEQ (RFC 3501 §6.3.1 SELECT:
// EXISTS and the UIDs; RFC 7162 §3.1.2.1 HIGHESTMODSEQ), consistent with
// STATUS.
func testMessagesAfterOpen(e *env) {
	uids := e.seeded("INBOX", 7)
	s := e.status(e.st, "INBOX")
	mb := e.view(e.st, "INBOX", false)
	msgs := mb.Messages()
	if !slices.Equal(uidsOf(msgs), uids) {
		e.Fatalf("view UIDs %v, want the appended %v", uidsOf(msgs), uids)
	}
	for i, m := range msgs {
		if want := int64(len(smallMessage(i, "seeded "+itoa(i)))); m.Size != want {
			e.Errorf("UID %d: size %d, want %d", m.UID, m.Size, want)
		}
	}
	if mb.UIDValidity() != s.UIDValidity || mb.UIDNext() != s.UIDNext || mb.HighestModSeq() != s.HighestModSeq {
		e.Errorf("view UIDVALIDITY %d UIDNEXT %d HIGHESTMODSEQ %d; Status says %d %d %d",
			mb.UIDValidity(), mb.UIDNext(), mb.HighestModSeq(), s.UIDValidity, s.UIDNext, s.HighestModSeq)
	}
	if mb.HighestModSeq() < maxModSeq(msgs) {
		e.Errorf("HIGHESTMODSEQ %d below a message's MODSEQ %d", mb.HighestModSeq(), maxModSeq(msgs))
	}
	if mb.ReadOnly() {
		e.Errorf("a view opened read-write says ReadOnly")
	}
	if err := sameList(e.fresh("INBOX"), msgs, true); err != nil {
		e.Errorf("two fresh views differ: %v", err)
	}
}

// testPermanentFlags: the store keeps the system flags a client may set
// (RFC 3501 §7.1 PERMANENTFLAGS; \Recent is not one of them).
func testPermanentFlags(e *env) {
	mb := e.view(e.st, "INBOX", false)
	pf := mb.PermanentFlags()
	for _, f := range []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft} {
		if !hasFlag(pf, f) {
			e.Errorf("PermanentFlags %v lacks %s", pf, f)
		}
	}
	if hasFlag(pf, imap.FlagRecent) {
		e.Errorf("PermanentFlags %v has \\Recent", pf)
	}
}

// checkFlagResult checks SetFlags's report: Changed in UID order, each
// with its new flags and a MODSEQ above the mailbox's HIGHESTMODSEQ
// before the call (RFC 7162 §3.1.3, §3.1.4.2), and the view's list
// updated at once with the same.
func (e *env) checkFlagResult(mb mailstore.Mailbox, res *mailstore.FlagResult, hmsBefore uint64, wantChanged []uint32, wantFlags map[uint32][]imap.Flag) {
	e.Helper()
	if got := uidsOf(res.Changed); !slices.Equal(got, wantChanged) {
		e.Errorf("SetFlags: Changed UIDs %v, want %v", got, wantChanged)
	}
	for _, c := range res.Changed {
		if c.ModSeq <= hmsBefore {
			e.Errorf("SetFlags: UID %d got MODSEQ %d, not above the HIGHESTMODSEQ %d before (RFC 7162 §3.1.3)", c.UID, c.ModSeq, hmsBefore)
		}
		m, _, ok := find(mb.Messages(), c.UID)
		if !ok {
			e.Errorf("SetFlags: changed UID %d is not in the view", c.UID)
			continue
		}
		if !sameFlags(m.Flags, c.Flags) || m.ModSeq != c.ModSeq {
			e.Errorf("SetFlags: UID %d reported %v/%d, the view has %v/%d", c.UID, c.Flags, c.ModSeq, m.Flags, m.ModSeq)
		}
	}
	for uid, want := range wantFlags {
		m, _, _ := find(mb.Messages(), uid)
		if !sameFlags(m.Flags, want) {
			e.Errorf("UID %d has flags %v, want %v", uid, m.Flags, want)
		}
	}
}

// testSetFlags: STORE FLAGS, +FLAGS and -FLAGS (RFC 3501 §6.4.6) change
// the view at once; every message whose flags change gets a MODSEQ above
// every earlier one and the others keep theirs (RFC 7162 §3.1.3,
// §3.1.4.2); HIGHESTMODSEQ follows (RFC 7162 §3.1.2.1); UIDs that no
// longer exist are ignored.
func testSetFlags(e *env) {
	uids := e.appendN(e.st, "INBOX", 4)
	mb := e.view(e.st, "INBOX", false)
	modseqs := func() map[uint32]uint64 {
		m := map[uint32]uint64{}
		for _, x := range mb.Messages() {
			m[x.UID] = x.ModSeq
		}
		return m
	}
	hms := func() uint64 { return max(e.status(e.st, "INBOX").HighestModSeq, maxModSeq(mb.Messages())) }
	u1, u2, u3, u4 := uids[0], uids[1], uids[2], uids[3]

	steps := []struct {
		what    string
		uids    []uint32
		op      mailstore.FlagOp
		flags   []imap.Flag
		changed []uint32
		want    map[uint32][]imap.Flag
	}{
		{"+FLAGS \\Seen on 1,2", []uint32{u1, u2}, mailstore.FlagsAdd, []imap.Flag{imap.FlagSeen}, []uint32{u1, u2},
			map[uint32][]imap.Flag{u1: {imap.FlagSeen}, u2: {imap.FlagSeen}, u3: nil, u4: nil}},
		{"+FLAGS \\Seen on 1 again (no change)", []uint32{u1}, mailstore.FlagsAdd, []imap.Flag{imap.FlagSeen}, nil,
			map[uint32][]imap.Flag{u1: {imap.FlagSeen}}},
		{"-FLAGS \\Seen on 1,3 (3 has none)", []uint32{u1, u3}, mailstore.FlagsRemove, []imap.Flag{imap.FlagSeen}, []uint32{u1},
			map[uint32][]imap.Flag{u1: nil, u2: {imap.FlagSeen}, u3: nil}},
		{"FLAGS (\\Flagged $Important) on 2", []uint32{u2}, mailstore.FlagsReplace, []imap.Flag{imap.FlagFlagged, "$Important"}, []uint32{u2},
			map[uint32][]imap.Flag{u2: {imap.FlagFlagged, "$Important"}}},
		{"FLAGS (same) on 2 (no change)", []uint32{u2}, mailstore.FlagsReplace, []imap.Flag{"$Important", imap.FlagFlagged}, nil,
			map[uint32][]imap.Flag{u2: {imap.FlagFlagged, "$Important"}}},
		{"+FLAGS on 1..4 with a missing UID", []uint32{u1, u2, u3, u4, u4 + 1000}, mailstore.FlagsAdd, []imap.Flag{imap.FlagDeleted, imap.FlagAnswered}, []uint32{u1, u2, u3, u4},
			map[uint32][]imap.Flag{u1: {imap.FlagDeleted, imap.FlagAnswered}, u2: {imap.FlagFlagged, "$Important", imap.FlagDeleted, imap.FlagAnswered}}},
		{"FLAGS () on 3", []uint32{u3}, mailstore.FlagsReplace, nil, []uint32{u3},
			map[uint32][]imap.Flag{u3: nil, u4: {imap.FlagDeleted, imap.FlagAnswered}}},
		{"-FLAGS of absent flags on 4 (no change)", []uint32{u4}, mailstore.FlagsRemove, []imap.Flag{imap.FlagDraft, "$Nothing"}, nil,
			map[uint32][]imap.Flag{u4: {imap.FlagDeleted, imap.FlagAnswered}}},
	}
	for _, s := range steps {
		before := modseqs()
		h := hms()
		res := e.setFlags(mb, s.uids, s.op, s.flags...)
		if len(res.Failed) != 0 {
			e.Errorf("%s: Failed %v without UnchangedSince", s.what, res.Failed)
		}
		e.checkFlagResult(mb, res, h, s.changed, s.want)
		after := modseqs()
		for uid, ms := range before {
			if !slices.Contains(s.changed, uid) && after[uid] != ms {
				e.Errorf("%s: untouched UID %d changed MODSEQ %d -> %d", s.what, uid, ms, after[uid])
			}
		}
		if st := e.status(e.st, "INBOX"); st.HighestModSeq < maxModSeq(mb.Messages()) {
			e.Errorf("%s: Status HIGHESTMODSEQ %d below a message's %d", s.what, st.HighestModSeq, maxModSeq(mb.Messages()))
		}
		if t := e.T; t.Failed() {
			t.Logf("after %s: %s", s.what, describeList(mb.Messages()))
			return
		}
	}
	// What the view says is what a new session sees.
	if err := sameList(e.fresh("INBOX"), mb.Messages(), true); err != nil {
		e.Errorf("a fresh view differs from the one that made the changes: %v", err)
	}
}

// testKeywords: any number of keywords can be set, on one message and
// across a mailbox (RFC 3501 §2.3.2; PERMANENTFLAGS \* says new keywords
// may be created, RFC 3501 §7.1); there is no fixed limit.
func testKeywords(e *env) {
	uids := e.appendN(e.st, "INBOX", 4)
	mb := e.view(e.st, "INBOX", false)
	if !hasFlag(mb.PermanentFlags(), imap.FlagWildcard) {
		e.Skipf("PermanentFlags %v lacks \\*: the store does not create keywords", mb.PermanentFlags())
	}
	for i, uid := range uids {
		var kws []imap.Flag
		for k := range 40 {
			kws = append(kws, imap.Flag(fmt.Sprintf("kw%d_%02d", i, k)))
		}
		kws = append(kws, "$Shared")
		res := e.setFlags(mb, []uint32{uid}, mailstore.FlagsAdd, kws...)
		if len(res.Changed) != 1 || !sameFlags(res.Changed[0].Flags, kws) {
			e.Fatalf("adding %d keywords to UID %d: Changed %+v", len(kws), uid, res.Changed)
		}
	}
	fresh := e.fresh("INBOX")
	for i, m := range fresh {
		var n int
		for _, f := range m.Flags {
			if f.IsKeyword() {
				n++
			}
		}
		if n != 41 {
			e.Errorf("message %d has %d keywords, want 41 (%v)", i+1, n, m.Flags)
		}
	}
	// Remove half the keywords of one message.
	first := fresh[0].Flags
	var drop []imap.Flag
	for _, f := range first {
		if f.IsKeyword() && !f.Equal("$Shared") && len(drop) < 20 {
			drop = append(drop, f)
		}
	}
	e.setFlags(mb, []uint32{uids[0]}, mailstore.FlagsRemove, drop...)
	if m := e.fresh("INBOX")[0]; len(m.Flags) != len(first)-20 {
		e.Errorf("after removing 20 keywords: %d flags, want %d", len(m.Flags), len(first)-20)
	}
	// Search by keyword still works for every one of them.
	res, err := mailstore.Search(e.ctx, mb, imap.SearchKey{Op: imap.SearchKeyword, Flag: "$Shared"}, nil)
	if err != nil || !slices.Equal(res, uids) {
		e.Errorf("SEARCH KEYWORD $Shared = %v, %v; want %v", res, err, uids)
	}
}

// testInvalidFlags: SetFlags refuses a flag that cannot be stored, \*
// (only meaningful in PERMANENTFLAGS, RFC 3501 §7.1), an unknown system
// flag (RFC 3501 §2.3.2: system flags are defined by the protocol) or a
// malformed keyword (RFC 3501 §9 flag-keyword is an atom), with
// ErrInvalidFlag and no change; \Recent, which clients cannot set, is
// ignored (the contract).
func testInvalidFlags(e *env) {
	uids := e.appendN(e.st, "INBOX", 2)
	mb := e.view(e.st, "INBOX", false)
	before := slices.Clone(mb.Messages())
	for _, f := range []imap.Flag{imap.FlagWildcard, `\Foo`, "a]b", "", "sp ace", "(paren"} {
		_, err := mb.SetFlags(e.ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen, f}})
		e.wantErr(fmt.Sprintf("SetFlags(+%q)", f), err, mailstore.ErrInvalidFlag)
	}
	if err := sameList(mb.Messages(), before, true); err != nil {
		e.Errorf("refused SetFlags changed the view: %v", err)
	}
	if err := sameList(e.fresh("INBOX"), before, true); err != nil {
		e.Errorf("refused SetFlags changed the mailbox: %v", err)
	}
	res := e.setFlags(mb, uids[:1], mailstore.FlagsAdd, imap.FlagRecent)
	if len(res.Changed) != 0 {
		e.Errorf("SetFlags(+\\Recent) changed %v", res.Changed)
	}
	if err := checkList(mb.Messages()); err != nil {
		e.Errorf("after SetFlags(+\\Recent): %v", err)
	}
}

// testUnchangedSince: with UNCHANGEDSINCE, a message whose MODSEQ is
// greater is left alone and reported failed (RFC 7162 §3.1.3, the
// MODIFIED response code); the others are changed.
func testUnchangedSince(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	base := mb.Messages()[0].ModSeq
	for _, m := range mb.Messages() {
		base = max(base, m.ModSeq)
	}
	// Change message 2 after base.
	r := e.setFlags(mb, []uint32{uids[1]}, mailstore.FlagsAdd, imap.FlagSeen)
	if len(r.Changed) != 1 {
		e.Fatalf("SetFlags: Changed %v", r.Changed)
	}
	m2 := r.Changed[0].ModSeq
	res, err := mb.SetFlags(e.ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, UnchangedSince: base})
	if err != nil {
		e.Fatalf("SetFlags with UnchangedSince: %v", err)
	}
	if !slices.Equal(res.Failed, []uint32{uids[1]}) {
		e.Errorf("UnchangedSince %d: Failed %v, want [%d] (its MODSEQ is %d)", base, res.Failed, uids[1], m2)
	}
	if got := uidsOf(res.Changed); !slices.Equal(got, []uint32{uids[0], uids[2]}) {
		e.Errorf("UnchangedSince %d: Changed %v, want %v", base, got, []uint32{uids[0], uids[2]})
	}
	msgs := mb.Messages()
	if m, _, _ := find(msgs, uids[1]); hasFlag(m.Flags, imap.FlagFlagged) || m.ModSeq != m2 {
		e.Errorf("the failed message was changed: %v MODSEQ %d (was %d)", m.Flags, m.ModSeq, m2)
	}
	if m, _, _ := find(msgs, uids[0]); !hasFlag(m.Flags, imap.FlagFlagged) {
		e.Errorf("a message passing UnchangedSince was not changed: %v", m.Flags)
	}
	// UnchangedSince at the current MODSEQ passes.
	res, err = mb.SetFlags(e.ctx, []uint32{uids[1]}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, UnchangedSince: m2})
	if err != nil || len(res.Failed) != 0 || len(res.Changed) != 1 {
		e.Errorf("UnchangedSince equal to the MODSEQ: %+v, %v; want the change done", res, err)
	}
}

// testReadOnly: a view opened read-only (EXAMINE, RFC 3501 §6.3.2)
// refuses changes with ErrReadOnly and changes nothing, but can be read
// and copied from.
func testReadOnly(e *env) {
	uids := e.seeded("INBOX", 3)
	e.create(e.st, "Dest")
	before := e.fresh("INBOX")
	mb := e.view(e.st, "INBOX", true)
	if !mb.ReadOnly() {
		e.Errorf("ReadOnly() is false for a view opened read-only")
	}
	_, err := mb.SetFlags(e.ctx, uids[:1], mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}})
	e.wantErr("SetFlags on a read-only view", err, mailstore.ErrReadOnly)
	_, err = mb.Expunge(e.ctx, uids[:1])
	e.wantErr("Expunge on a read-only view", err, mailstore.ErrReadOnly)
	_, _, err = mb.Move(e.ctx, uids[:1], "Dest")
	e.wantErr("Move on a read-only view", err, mailstore.ErrReadOnly)
	if len(mb.Messages()) != 3 {
		e.Errorf("the read-only view's list changed: %s", describeList(mb.Messages()))
	}
	if err := sameList(e.fresh("INBOX"), before, true); err != nil {
		e.Errorf("refused changes changed the mailbox: %v", err)
	}
	if s := e.status(e.st, "Dest"); s.Messages != 0 {
		e.Errorf("a refused Move put %d messages in the target", s.Messages)
	}
	e.readMessage(mb, uids[0])
	res, err := mb.Copy(e.ctx, uids[1:], "Dest")
	if err != nil {
		e.Errorf("Copy from a read-only view: %v", err)
	} else if len(res.DestUIDs) != 2 {
		e.Errorf("Copy from a read-only view: %+v", res)
	}
}

// testExpungeSeqOrder: Expunge reports each message with the sequence
// number it has when its EXPUNGE is sent, after the ones before it
// (RFC 3501 §7.4.1): expunging sequence numbers 2, 3 and 5 of 6 sends
// 2, 2 and 3.
func testExpungeSeqOrder(e *env) {
	uids := e.appendN(e.st, "INBOX", 6)
	mb := e.view(e.st, "INBOX", false)
	ex := e.expunge(mb, []uint32{uids[1], uids[2], uids[4]})
	want := []mailstore.Expunged{{UID: uids[1], Seq: 2}, {UID: uids[2], Seq: 2}, {UID: uids[4], Seq: 3}}
	if !slices.Equal(ex, want) {
		e.Errorf("Expunge(seqs 2,3,5 of 6) = %v, want %v", ex, want)
	}
	if got, want := uidsOf(mb.Messages()), []uint32{uids[0], uids[3], uids[5]}; !slices.Equal(got, want) {
		e.Errorf("view after Expunge: %v, want %v", got, want)
	}
	if s := e.status(e.st, "INBOX"); s.Messages != 3 {
		e.Errorf("Status after Expunge: %d messages, want 3", s.Messages)
	}
	// Expunging nothing reports nothing.
	if ex := e.expunge(mb, nil); len(ex) != 0 {
		e.Errorf("Expunge(nil) = %v", ex)
	}
	// Expunge everything left, last first in the argument: the report is
	// still consistent.
	e.expunge(mb, []uint32{uids[0], uids[3], uids[5]})
	if len(mb.Messages()) != 0 || e.status(e.st, "INBOX").Messages != 0 {
		e.Errorf("mailbox not empty after expunging everything")
	}
}

// testUIDsNotReused: "When a message is expunged, its UID MUST NOT be
// reused under the same UIDVALIDITY value" (RFC 9051 §2.3.1.1): appending
// after expunging the last message, or all of them, gives a higher UID.
func testUIDsNotReused(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	e.expunge(mb, uids[2:])
	if s := e.status(e.st, "INBOX"); s.UIDNext <= uids[2] {
		e.Errorf("UIDNEXT %d after expunging UID %d", s.UIDNext, uids[2])
	}
	u := e.appendMsg(e.st, "INBOX", smallMessage(9, "after expunge"), nil, time.Time{}).UID
	if u <= uids[2] {
		e.Errorf("Append after expunging the last message (UID %d) got UID %d", uids[2], u)
	}
	e.poll(mb, true)
	e.expunge(mb, uidsOf(mb.Messages()))
	u2 := e.appendMsg(e.st, "INBOX", smallMessage(10, "after expunging all"), nil, time.Time{}).UID
	if u2 <= u {
		e.Errorf("Append after expunging every message (last UID %d) got UID %d", u, u2)
	}
}

// testExpungedSince: ExpungedSince(modseq) gives the UIDs expunged since
// (QRESYNC VANISHED (EARLIER), RFC 7162 §3.2.5.1, §3.2.10.1), never a UID
// still in the mailbox; expunging raises HIGHESTMODSEQ (RFC 7162 §3.2.7
// "MUST increment the per-mailbox mod-sequence").
func testExpungedSince(e *env) {
	uids := e.appendN(e.st, "INBOX", 6)
	mb := e.view(e.st, "INBOX", false)
	early := e.status(e.st, "INBOX").HighestModSeq
	e.expunge(mb, []uint32{uids[0]})
	mid := e.status(e.st, "INBOX").HighestModSeq
	if mid <= early {
		e.Errorf("HIGHESTMODSEQ %d after an expunge, not above %d before", mid, early)
	}
	e.expunge(mb, []uint32{uids[2], uids[4]})
	late := e.status(e.st, "INBOX").HighestModSeq
	if late <= mid {
		e.Errorf("HIGHESTMODSEQ %d after an expunge, not above %d before", late, mid)
	}
	check := func(since uint64, want []uint32) {
		e.Helper()
		set, err := mb.ExpungedSince(e.ctx, since)
		if err != nil {
			e.Fatalf("ExpungedSince(%d): %v", since, err)
		}
		for _, u := range want {
			if !set.Contains(u, 0) {
				e.Errorf("ExpungedSince(%d) = %v lacks UID %d", since, set, u)
			}
		}
		for _, m := range e.fresh("INBOX") {
			if set.Contains(m.UID, 0) {
				e.Errorf("ExpungedSince(%d) = %v has UID %d, which is in the mailbox", since, set, m.UID)
			}
		}
	}
	check(0, []uint32{uids[0], uids[2], uids[4]})
	check(early, []uint32{uids[0], uids[2], uids[4]})
	check(mid, []uint32{uids[2], uids[4]})
	check(late, nil)
	// Another session's view knows the same.
	other := e.view(e.open(), "INBOX", true)
	set, err := other.ExpungedSince(e.ctx, early)
	if err != nil || !set.Contains(uids[4], 0) {
		e.Errorf("another view's ExpungedSince(%d) = %v, %v; want UID %d in it", early, set, err, uids[4])
	}
}

// checkCopied checks a COPY or MOVE: the COPYUID mapping (RFC 4315 §3:
// source and destination UIDs in corresponding order, under the target's
// UIDVALIDITY), and the target's copies have the source's octets, flags
// and internal dates (RFC 3501 §6.4.7 "SHOULD preserve the flags and the
// internal date"; RFC 6851 §3.3: no \Deleted added).
func (e *env) checkCopied(res *mailstore.CopyResult, src []mailstore.MessageInfo, srcData map[uint32][]byte, dest string, destBefore *mailstore.MailboxStatus) {
	e.Helper()
	if res == nil {
		e.Fatalf("CopyResult is nil")
	}
	if res.UIDValidity != destBefore.UIDValidity {
		e.Errorf("CopyResult.UIDValidity %d, the target's is %d", res.UIDValidity, destBefore.UIDValidity)
	}
	if !slices.Equal(res.SourceUIDs, uidsOf(src)) || len(res.DestUIDs) != len(src) {
		e.Fatalf("CopyResult %v -> %v, want source UIDs %v", res.SourceUIDs, res.DestUIDs, uidsOf(src))
	}
	var last uint32
	for _, u := range res.DestUIDs {
		if u <= last || u < destBefore.UIDNext {
			e.Errorf("CopyResult.DestUIDs %v: not ascending above the target's UIDNEXT %d", res.DestUIDs, destBefore.UIDNext)
			break
		}
		last = u
	}
	st, err := e.b.Open(e.ctx, e.user)
	if err != nil {
		e.Fatal(err)
	}
	defer st.Close()
	mb, err := st.OpenMailbox(e.ctx, dest, &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		e.Fatalf("OpenMailbox(%q): %v", dest, err)
	}
	defer mb.Close()
	for i, s := range src {
		d, _, ok := find(mb.Messages(), res.DestUIDs[i])
		if !ok {
			e.Errorf("copy of UID %d: UID %d is not in %q", s.UID, res.DestUIDs[i], dest)
			continue
		}
		if !sameFlags(d.Flags, s.Flags) {
			e.Errorf("copy of UID %d has flags %v, the source %v", s.UID, d.Flags, s.Flags)
		}
		if d.InternalDate.Unix() != s.InternalDate.Unix() || d.Size != s.Size {
			e.Errorf("copy of UID %d: date %v size %d, the source %v %d", s.UID, d.InternalDate, d.Size, s.InternalDate, s.Size)
		}
		if got := e.readMessage(mb, d.UID); !bytes.Equal(got, srcData[s.UID]) {
			e.Errorf("copy of UID %d: content differs", s.UID)
		}
	}
	if s := e.status(st, dest); s.Messages != destBefore.Messages+uint32(len(src)) {
		e.Errorf("target has %d messages, want %d", s.Messages, destBefore.Messages+uint32(len(src)))
	}
}

// pick returns the infos and contents of some messages of the view.
func (e *env) pick(mb mailstore.Mailbox, uids ...uint32) ([]mailstore.MessageInfo, map[uint32][]byte) {
	e.Helper()
	var infos []mailstore.MessageInfo
	data := map[uint32][]byte{}
	for _, u := range uids {
		m, _, ok := find(mb.Messages(), u)
		if !ok {
			e.Fatalf("UID %d not in the view", u)
		}
		infos = append(infos, m)
		data[u] = e.readMessage(mb, u)
	}
	return infos, data
}

// testCopy: COPY (RFC 3501 §6.4.7, RFC 4315 §3 COPYUID) copies messages
// with their flags and internal dates and leaves the source as it was;
// copying to a missing mailbox is ErrNoSuchMailbox (TRYCREATE).
func testCopy(e *env) {
	uids := e.seeded("INBOX", 4)
	e.create(e.st, "Dest")
	e.appendN(e.st, "Dest", 1)
	mb := e.view(e.st, "INBOX", false)
	srcBefore := slices.Clone(mb.Messages())
	destBefore := e.status(e.st, "Dest")
	src, data := e.pick(mb, uids[1], uids[2], uids[3])
	res, err := mb.Copy(e.ctx, uidsOf(src), "Dest")
	if err != nil {
		e.Fatalf("Copy: %v", err)
	}
	e.checkCopied(res, src, data, "Dest", destBefore)
	if err := sameList(mb.Messages(), srcBefore, true); err != nil {
		e.Errorf("Copy changed the source view: %v", err)
	}
	if err := sameList(e.fresh("INBOX"), srcBefore, true); err != nil {
		e.Errorf("Copy changed the source mailbox: %v", err)
	}
	_, err = mb.Copy(e.ctx, uids[:1], "Nowhere")
	e.wantErr("Copy to a missing mailbox", err, mailstore.ErrNoSuchMailbox)
}

// testCopyToSelf: copying into the mailbox of the view adds new messages
// that the view learns of like any other (RFC 3501 §6.4.7 allows it; the
// new messages are announced by EXISTS).
func testCopyToSelf(e *env) {
	uids := e.seeded("INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	destBefore := e.status(e.st, "INBOX")
	src, data := e.pick(mb, uids[0], uids[2])
	res, err := mb.Copy(e.ctx, uidsOf(src), "INBOX")
	if err != nil {
		e.Fatalf("Copy to the same mailbox: %v", err)
	}
	e.checkCopied(res, src, data, "INBOX", destBefore)
	want := e.fresh("INBOX")
	e.pollUntil(mb, true, "the copies to show in the view", func(l []mailstore.MessageInfo) bool {
		return sameList(l, want, true) == nil
	})
}

// testMove: MOVE (RFC 6851 §3.3) copies with COPYUID and expunges the
// originals, reported like Expunge; the messages keep their flags (no
// \Deleted is set) and dates; other views see expunges; moving to a
// missing mailbox fails and changes nothing.
func testMove(e *env) {
	uids := e.seeded("INBOX", 5)
	e.create(e.st, "Dest")
	mb := e.view(e.st, "INBOX", false)
	watcher := e.view(e.open(), "INBOX", false)
	destBefore := e.status(e.st, "Dest")
	src, data := e.pick(mb, uids[1], uids[2], uids[4])
	before := slices.Clone(mb.Messages())
	res, ex, err := mb.Move(e.ctx, uidsOf(src), "Dest")
	if err != nil {
		e.Fatalf("Move: %v", err)
	}
	if err := checkExpunged(before, mb.Messages(), uidsOf(src), ex); err != nil {
		e.Errorf("Move's expunge report: %v", err)
	}
	want := []mailstore.Expunged{{UID: uids[1], Seq: 2}, {UID: uids[2], Seq: 2}, {UID: uids[4], Seq: 3}}
	if !slices.Equal(ex, want) {
		e.Errorf("Move(seqs 2,3,5 of 5) expunged %v, want %v", ex, want)
	}
	e.checkCopied(res, src, data, "Dest", destBefore)
	if s := e.status(e.st, "INBOX"); s.Messages != 2 {
		e.Errorf("source has %d messages after Move, want 2", s.Messages)
	}
	e.converge("INBOX", watcher)

	beforeFail := e.fresh("INBOX")
	_, _, err = mb.Move(e.ctx, uids[:1], "Nowhere")
	e.wantErr("Move to a missing mailbox", err, mailstore.ErrNoSuchMailbox)
	if err := sameList(e.fresh("INBOX"), beforeFail, true); err != nil {
		e.Errorf("a failed Move changed the source (RFC 6851 §3.3: no message lost): %v", err)
	}
	if len(mb.Messages()) != 2 {
		e.Errorf("a failed Move changed the view: %s", describeList(mb.Messages()))
	}
}

// testMoveToSelf: moving into the view's own mailbox is allowed (RFC 6851
// §3.3): the message gets a new UID, the old one is expunged, and the
// view learns of the new one.
func testMoveToSelf(e *env) {
	uids := e.seeded("INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	src, data := e.pick(mb, uids[0])
	destBefore := e.status(e.st, "INBOX")
	before := slices.Clone(mb.Messages())
	res, ex, err := mb.Move(e.ctx, uids[:1], "INBOX")
	if err != nil {
		e.Fatalf("Move to the same mailbox: %v", err)
	}
	if err := checkExpunged(before, mb.Messages(), uids[:1], ex); err != nil {
		e.Errorf("Move's expunge report: %v", err)
	}
	destBefore.Messages-- // the original is gone
	e.checkCopied(res, src, data, "INBOX", destBefore)
	want := e.fresh("INBOX")
	if len(want) != 3 {
		e.Errorf("%d messages after moving one to its own mailbox, want 3", len(want))
	}
	e.pollUntil(mb, true, "the moved message to show in the view", func(l []mailstore.MessageInfo) bool {
		return sameList(l, want, true) == nil
	})
}

// testOpenExpunged: an expunged message cannot be opened by a view that
// never had it or that expunged it (RFC 3501 §2.3.1.1: the UID names
// that message, now gone); neither can a UID that never existed.
func testOpenExpunged(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	mb := e.view(e.st, "INBOX", false)
	e.expunge(mb, uids[1:2])
	_, err := mb.OpenMessage(e.ctx, uids[1])
	e.wantErr("OpenMessage of a UID the view expunged", err, mailstore.ErrNoSuchMessage)
	fresh := e.view(e.open(), "INBOX", true)
	_, err = fresh.OpenMessage(e.ctx, uids[1])
	e.wantErr("OpenMessage of an expunged UID in a new view", err, mailstore.ErrNoSuchMessage)
	_, err = fresh.OpenMessage(e.ctx, uids[2]+1000)
	e.wantErr("OpenMessage of a UID that never existed", err, mailstore.ErrNoSuchMessage)
	_, err = fresh.OpenMessage(e.ctx, 0)
	e.wantErr("OpenMessage(0)", err, mailstore.ErrNoSuchMessage)
	e.readMessage(fresh, uids[2])
}

// testOwnChangesNotPolled: a view's own changes are returned by the call
// that made them and not again by Poll (the contract; a server must not
// send a second EXPUNGE for a message, RFC 3501 §7.4.1).
func testOwnChangesNotPolled(e *env) {
	uids := e.appendN(e.st, "INBOX", 4)
	mb := e.view(e.st, "INBOX", false)
	e.setFlags(mb, uids[:2], mailstore.FlagsAdd, imap.FlagSeen)
	e.expunge(mb, uids[3:])
	e.create(e.st, "Dest")
	if _, _, err := mb.Move(e.ctx, uids[2:3], "Dest"); err != nil {
		e.Fatalf("Move: %v", err)
	}
	if ups := e.poll(mb, true); len(ups) != 0 {
		e.Errorf("Poll after the view's own changes returned %s, want nothing", describeUpdates(ups))
	}
	if err := sameList(mb.Messages(), e.fresh("INBOX"), true); err != nil {
		e.Errorf("the view differs from a fresh one: %v", err)
	}
}

// testClose: a closed view and a closed store give ErrClosed; views
// outlive the store handle they were opened from (the contract).
func testClose(e *env) {
	e.appendN(e.st, "INBOX", 2)
	st := e.open()
	mb := e.view(st, "INBOX", false)
	keep := e.view(st, "INBOX", false)
	if err := mb.Close(); err != nil {
		e.Errorf("Mailbox.Close: %v", err)
	}
	_, err := mb.Poll(e.ctx, true)
	e.wantErr("Poll on a closed view", err, mailstore.ErrClosed)
	_, err = mb.SetFlags(e.ctx, []uint32{1}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
	e.wantErr("SetFlags on a closed view", err, mailstore.ErrClosed)
	if err := st.Close(); err != nil {
		e.Errorf("Store.Close: %v", err)
	}
	_, err = st.Status(e.ctx, "INBOX")
	e.wantErr("Status on a closed store", err, mailstore.ErrClosed)
	_, err = st.OpenMailbox(e.ctx, "INBOX", nil)
	e.wantErr("OpenMailbox on a closed store", err, mailstore.ErrClosed)
	// The view opened from it still works.
	e.appendN(e.st, "INBOX", 1)
	e.pollUntil(keep, true, "a view of a closed store to see an append", func(l []mailstore.MessageInfo) bool { return len(l) == 3 })
	if _, err := keep.SetFlags(e.ctx, uidsOf(keep.Messages())[:1], mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}); err != nil {
		e.Errorf("SetFlags on a view of a closed store: %v", err)
	}
}

// testRecent: \Recent (IMAP4rev1, RFC 3501 §2.3.2) is seen by exactly one
// read-write session, the first to see the message; a read-only view
// does not consume it (RFC 3501 §6.3.2). Skipped if the store does not
// track it.
func testRecent(e *env) {
	e.appendN(e.st, "INBOX", 2)
	ro := e.view(e.st, "INBOX", true)
	s := e.status(e.st, "INBOX")
	tracked := s.Recent != 0
	for _, m := range ro.Messages() {
		tracked = tracked || m.Recent
	}
	if !tracked {
		e.Skip("the store does not track \\Recent")
	}
	if s.Recent != 2 {
		e.Errorf("Status.Recent %d, want 2", s.Recent)
	}
	for _, m := range ro.Messages() {
		if !m.Recent {
			e.Errorf("a read-only view does not see UID %d as recent", m.UID)
		}
	}
	rw := e.view(e.st, "INBOX", false)
	for _, m := range rw.Messages() {
		if !m.Recent {
			e.Errorf("the first read-write view does not see UID %d as recent", m.UID)
		}
	}
	rw2 := e.view(e.open(), "INBOX", false)
	for _, m := range rw2.Messages() {
		if m.Recent {
			e.Errorf("a second read-write view sees UID %d as recent too", m.UID)
		}
	}
	// A new message is recent in exactly one of the read-write views.
	u := e.appendMsg(e.st, "INBOX", smallMessage(7, "new"), nil, time.Time{}).UID
	n := 0
	for _, mb := range []mailstore.Mailbox{rw, rw2} {
		e.pollUntil(mb, true, "the new message", func(l []mailstore.MessageInfo) bool { _, _, ok := find(l, u); return ok })
		if m, _, _ := find(mb.Messages(), u); m.Recent {
			n++
		}
	}
	if n != 1 {
		e.Errorf("the new message is recent in %d read-write views, want 1", n)
	}
}
