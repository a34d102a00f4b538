package storetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func sessionRules() []rule {
	return []rule{
		{"PollOrder", testPollOrder},
		{"PollHoldsExpunges", testPollHoldsExpunges},
		{"UpdatedFires", testUpdatedFires},
		{"FlagsFromOtherSession", testFlagsFromOther},
		{"Overflow", testOverflow},
		{"DeleteClosesViews", testDeleteClosesViews},
		{"RenameOpenMailbox", testRenameOpen},
		{"ChangeUnpolled", testChangeUnpolled},
	}
}

// upd is the comparable part of an update.
type upd struct {
	kind mailstore.UpdateKind
	seq  uint32
	uid  uint32
}

func upds(ups []mailstore.Update) []upd {
	out := make([]upd, len(ups))
	for i, u := range ups {
		out[i] = upd{u.Kind, u.Seq, u.Message.UID}
	}
	return out
}

func (u upd) String() string { return fmt.Sprintf("%s(seq %d uid %d)", kindName(u.kind), u.seq, u.uid) }

func has(uid uint32) func([]mailstore.MessageInfo) bool {
	return func(l []mailstore.MessageInfo) bool { _, _, ok := find(l, uid); return ok }
}

func lacks(uid uint32) func([]mailstore.MessageInfo) bool {
	return func(l []mailstore.MessageInfo) bool { _, _, ok := find(l, uid); return !ok }
}

func both(a, b func([]mailstore.MessageInfo) bool) func([]mailstore.MessageInfo) bool {
	return func(l []mailstore.MessageInfo) bool { return a(l) && b(l) }
}

// testPollOrder: another session's appends, flag changes and expunges
// reach a view through Poll in the order they were made, with the
// sequence numbers a client must see at each step (RFC 3501 §7.3.1
// EXISTS, §7.4.1 EXPUNGE, §7.4.2 FETCH; RFC 9051 §7.5.1), and both views
// end up agreeing.
func testPollOrder(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	a := e.view(e.st, "INBOX", false)
	b := e.view(e.open(), "INBOX", false)

	u4 := e.appendMsg(e.st, "INBOX", smallMessage(4, "four"), nil, time.Time{}).UID
	fr := e.setFlags(a, uids[:1], mailstore.FlagsAdd, imap.FlagSeen)
	e.expunge(a, uids[1:2])
	u5 := e.appendMsg(e.st, "INBOX", smallMessage(5, "five"), nil, time.Time{}).UID

	ups := e.pollUntil(b, true, "the other session's changes", both(has(u5), lacks(uids[1])))
	want := []upd{
		{mailstore.UpdateNew, 4, u4},
		{mailstore.UpdateFlags, 1, uids[0]},
		{mailstore.UpdateExpunge, 2, uids[1]},
		{mailstore.UpdateNew, 4, u5},
	}
	if got := upds(ups); !slices.Equal(got, want) {
		e.Errorf("Poll returned %v, want %v", got, want)
	}
	for _, u := range ups {
		if u.Kind == mailstore.UpdateFlags && len(fr.Changed) == 1 {
			if !sameFlags(u.Message.Flags, fr.Changed[0].Flags) || u.Message.ModSeq != fr.Changed[0].ModSeq {
				e.Errorf("flag update %v/%d; the changing view got %v/%d", u.Message.Flags, u.Message.ModSeq, fr.Changed[0].Flags, fr.Changed[0].ModSeq)
			}
		}
	}
	// The view that made the changes learns of the appends only.
	ups = e.pollUntil(a, true, "the appends", has(u5))
	if got, want := upds(ups), []upd{{mailstore.UpdateNew, 3, u4}, {mailstore.UpdateNew, 4, u5}}; !slices.Equal(got, want) {
		e.Errorf("the changing view's Poll returned %v, want %v", got, want)
	}
	e.converge("INBOX", a, b)
	if err := sameList(a.Messages(), b.Messages(), true); err != nil {
		e.Errorf("the two views differ: %v", err)
	}
	if ups := e.poll(b, true); len(ups) != 0 {
		e.Errorf("a second Poll with nothing new returned %s", describeUpdates(ups))
	}
}

// testPollHoldsExpunges: Poll(expunge=false) applies new messages and
// flag changes but holds expunges back, because EXPUNGE may not be sent
// during FETCH, STORE and SEARCH (RFC 3501 §7.4.1); the sequence numbers
// of what it returns count the held-back messages; HIGHESTMODSEQ stays
// below the held expunge's MODSEQ (RFC 7162 §3.2); a later Poll(true)
// delivers the expunges.
func testPollHoldsExpunges(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	a := e.view(e.st, "INBOX", false)
	b := e.view(e.open(), "INBOX", false)

	e.expunge(a, uids[1:2])
	expungeModSeq := e.status(e.st, "INBOX").HighestModSeq
	u4 := e.appendMsg(e.st, "INBOX", smallMessage(4, "four"), nil, time.Time{}).UID
	e.setFlags(a, uids[2:3], mailstore.FlagsAdd, imap.FlagFlagged)

	flagged := func(l []mailstore.MessageInfo) bool {
		m, _, ok := find(l, uids[2])
		return ok && hasFlag(m.Flags, imap.FlagFlagged)
	}
	ups := e.pollUntil(b, false, "the new message and the flag change", both(has(u4), flagged))
	want := []upd{{mailstore.UpdateNew, 4, u4}, {mailstore.UpdateFlags, 3, uids[2]}}
	if got := upds(ups); !slices.Equal(got, want) {
		e.Errorf("Poll(false) returned %v, want %v (the expunge of UID %d held back)", got, want, uids[1])
	}
	if got, want := uidsOf(b.Messages()), []uint32{uids[0], uids[1], uids[2], u4}; !slices.Equal(got, want) {
		e.Errorf("after Poll(false) the view has %v, want %v", got, want)
	}
	if ups := e.poll(b, false); len(ups) != 0 {
		e.Errorf("a second Poll(false) returned %s, want nothing", describeUpdates(ups))
	}
	// RFC 7162 §3.2: while an expunge is delayed, HIGHESTMODSEQ stays
	// below its MODSEQ, though FETCHes with higher ones were sent, so that
	// a client resynchronising from it still learns of the expunge.
	if hms := b.HighestModSeq(); hms >= expungeModSeq {
		e.Errorf("with the expunge (MODSEQ %d) held back, the view's HighestModSeq is %d; it must stay below (RFC 7162 §3.2)", expungeModSeq, hms)
	}
	// Another append while the expunge is held: numbered after it.
	u5 := e.appendMsg(e.st, "INBOX", smallMessage(5, "five"), nil, time.Time{}).UID
	ups = e.pollUntil(b, false, "the second new message", has(u5))
	if got, want := upds(ups), []upd{{mailstore.UpdateNew, 5, u5}}; !slices.Equal(got, want) {
		e.Errorf("Poll(false) returned %v, want %v", got, want)
	}
	ups = e.pollUntil(b, true, "the held-back expunge", lacks(uids[1]))
	if got, want := upds(ups), []upd{{mailstore.UpdateExpunge, 2, uids[1]}}; !slices.Equal(got, want) {
		e.Errorf("Poll(true) returned %v, want %v", got, want)
	}
	e.converge("INBOX", a, b)
}

// waitUpdated waits for mb's Updated channel.
func (e *env) waitUpdated(mb mailstore.Mailbox, what string) {
	e.Helper()
	select {
	case <-mb.Updated():
	case <-time.After(waitTimeout):
		e.Fatalf("Updated() did not fire within %v after %s", waitTimeout, what)
	}
}

// drain empties an Updated channel.
func drain(c <-chan struct{}) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// testUpdatedFires: a view's Updated channel fires when another session
// changes the mailbox, so that IDLE (RFC 2177, RFC 9051 §6.3.13) can
// send the changes; it is one channel for the view's life.
func testUpdatedFires(e *env) {
	uids := e.appendN(e.st, "INBOX", 3)
	a := e.view(e.st, "INBOX", false)
	b := e.view(e.open(), "INBOX", false)
	if c1, c2 := b.Updated(), b.Updated(); c1 == nil || c1 != c2 {
		e.Fatalf("Updated() is nil or not the same channel each time")
	}
	steps := []struct {
		what string
		do   func()
	}{
		{"another session's Append", func() { e.appendN(e.st, "INBOX", 1) }},
		{"another session's SetFlags", func() { e.setFlags(a, uids[:1], mailstore.FlagsAdd, imap.FlagSeen) }},
		{"another session's Expunge", func() { e.expunge(a, uids[1:2]) }},
		{"another session's Copy into the mailbox", func() {
			if _, err := a.Copy(e.ctx, uids[2:3], "INBOX"); err != nil {
				e.Fatalf("Copy: %v", err)
			}
		}},
	}
	for _, s := range steps {
		e.poll(b, true)
		drain(b.Updated())
		s.do()
		e.waitUpdated(b, s.what)
		e.poll(a, true)
	}
	e.converge("INBOX", a, b)
}

// testFlagsFromOther: a flag change made by another session reaches a
// view with the MODSEQ it was given (RFC 7162 §3.1.4.2 "the server MUST
// send the MODSEQ"), and several changes to one message leave the view
// with the last flags.
func testFlagsFromOther(e *env) {
	uids := e.appendN(e.st, "INBOX", 2)
	a := e.view(e.st, "INBOX", false)
	b := e.view(e.open(), "INBOX", false)
	var last *mailstore.FlagResult
	for _, f := range []imap.Flag{imap.FlagSeen, imap.FlagAnswered, "$Label"} {
		last = e.setFlags(a, uids[1:], mailstore.FlagsReplace, f)
	}
	want := last.Changed[0]
	e.pollUntil(b, true, "the flag changes", func(l []mailstore.MessageInfo) bool {
		m, _, _ := find(l, uids[1])
		return m.ModSeq == want.ModSeq
	})
	if m, _, _ := find(b.Messages(), uids[1]); !sameFlags(m.Flags, want.Flags) {
		e.Errorf("the other view has flags %v, want %v", m.Flags, want.Flags)
	}
	e.converge("INBOX", a, b)
}

// testOverflow: a view that falls far behind (Options.Overflow changes
// while it does not poll) is brought up to date by Poll without losing a
// change (the contract's overflow policy; RFC 7162 §3.2 "the client
// doesn't lose any changes"), expunges still held back by Poll(false).
func testOverflow(e *env) {
	e.appendN(e.st, "INBOX", 12)
	a := e.view(e.st, "INBOX", false)
	behind := e.view(e.open(), "INBOX", false)
	behindRO := e.view(e.open(), "INBOX", true)
	n := e.opts.Overflow
	start := slices.Clone(behind.Messages())
	for i := 0; i < n; i++ {
		msgs := a.Messages()
		switch {
		case i%500 == 250 && len(msgs) > 6:
			e.expunge(a, []uint32{msgs[i%len(msgs)].UID})
		case i%100 == 50:
			e.appendMsg(e.st, "INBOX", smallMessage(i, "overflow"), nil, time.Time{})
			e.poll(a, true)
		default:
			m := msgs[i%len(msgs)]
			op := mailstore.FlagsAdd
			if hasFlag(m.Flags, imap.FlagFlagged) {
				op = mailstore.FlagsRemove
			}
			if r := e.setFlags(a, []uint32{m.UID}, op, imap.FlagFlagged); len(r.Changed) != 1 {
				e.Fatalf("change %d: SetFlags did not change UID %d: %+v", i, m.UID, r)
			}
		}
	}
	want := e.fresh("INBOX")
	// Poll(false): new messages and flags, every old message still there.
	e.pollUntil(behind, false, "the view to catch up (expunges held)", func(l []mailstore.MessageInfo) bool {
		return len(l) > 0 && l[len(l)-1].UID == want[len(want)-1].UID
	})
	for _, m := range start {
		if _, _, ok := find(behind.Messages(), m.UID); !ok {
			e.Errorf("Poll(false) after overflow removed UID %d (expunges must be held back)", m.UID)
			break
		}
	}
	e.converge("INBOX", behind, behindRO, a)
}

// testDeleteClosesViews: deleting a mailbox closes the views of it: their
// calls give ErrClosed (the contract; RFC 7162 §3.2.11 CLOSED), also once
// a new mailbox of that name exists.
func testDeleteClosesViews(e *env) {
	if e.opts.ViewsSurviveDelete {
		e.Skip("Options.ViewsSurviveDelete: the store documents that views survive DELETE")
	}
	e.create(e.st, "Doomed")
	uids := e.appendN(e.st, "Doomed", 2)
	v := e.view(e.open(), "Doomed", false)
	e.create(e.st, "Elsewhere")
	if err := e.st.DeleteMailbox(e.ctx, "Doomed"); err != nil {
		e.Fatalf("DeleteMailbox with an open view: %v", err)
	}
	check := func(when string) {
		e.Helper()
		_, err := v.Poll(e.ctx, true)
		e.wantErr(when+": Poll", err, mailstore.ErrClosed)
		_, err = v.SetFlags(e.ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
		e.wantErr(when+": SetFlags", err, mailstore.ErrClosed)
		_, err = v.Expunge(e.ctx, uids)
		e.wantErr(when+": Expunge", err, mailstore.ErrClosed)
		_, err = v.Copy(e.ctx, uids, "Elsewhere")
		e.wantErr(when+": Copy", err, mailstore.ErrClosed)
		_, _, err = v.Move(e.ctx, uids, "Elsewhere")
		e.wantErr(when+": Move", err, mailstore.ErrClosed)
		m, err := v.OpenMessage(e.ctx, uids[0])
		if err == nil {
			m.Close()
		}
		e.wantErr(when+": OpenMessage", err, mailstore.ErrClosed)
	}
	check("after DeleteMailbox")
	e.create(e.st, "Doomed")
	e.appendN(e.st, "Doomed", 1)
	check("after the name was created again")
	if s := e.status(e.st, "Elsewhere"); s.Messages != 0 {
		e.Errorf("a closed view copied %d messages", s.Messages)
	}
	if err := v.Close(); err != nil && !errors.Is(err, mailstore.ErrClosed) {
		e.Errorf("Close of a view of a deleted mailbox: %v", err)
	}
}

// testRenameOpen: renaming a mailbox under an open view either closes
// the view (ErrClosed) or leaves it a working view of the renamed
// mailbox (the contract lets the store choose).
func testRenameOpen(e *env) {
	e.create(e.st, "Moving")
	e.appendN(e.st, "Moving", 2)
	v := e.view(e.open(), "Moving", false)
	if err := e.st.RenameMailbox(e.ctx, "Moving", "Moved"); err != nil {
		e.Fatalf("RenameMailbox with an open view: %v", err)
	}
	u := e.appendMsg(e.st, "Moved", smallMessage(3, "after rename"), nil, time.Time{}).UID
	if _, err := v.Poll(e.ctx, true); errors.Is(err, mailstore.ErrClosed) {
		return
	}
	e.pollUntil(v, true, "the view of the renamed mailbox to see an append to it", has(u))
	e.setFlags(v, []uint32{u}, mailstore.FlagsAdd, imap.FlagSeen)
	if m := e.fresh("Moved"); len(m) != 3 || !hasFlag(m[2].Flags, imap.FlagSeen) {
		e.Errorf("a change through the view of the renamed mailbox did not reach it: %s", describeList(m))
	}
}

// testChangeUnpolled: SetFlags and Expunge of messages another session
// added that the view has not polled yet change the mailbox, and the
// view learns of them by a later Poll (the contract), consistently.
func testChangeUnpolled(e *env) {
	e.appendN(e.st, "INBOX", 2)
	v := e.view(e.open(), "INBOX", false)
	u3 := e.appendMsg(e.st, "INBOX", smallMessage(3, "unpolled"), nil, time.Time{}).UID
	u4 := e.appendMsg(e.st, "INBOX", smallMessage(4, "unpolled"), nil, time.Time{}).UID
	res := e.setFlags(v, []uint32{u3}, mailstore.FlagsAdd, imap.FlagFlagged)
	if slices.Contains(uidsOf(res.Changed), u3) {
		e.Errorf("SetFlags reported the unpolled UID %d as changed in the view", u3)
	}
	e.expunge(v, []uint32{u4})
	want := e.fresh("INBOX")
	if m, _, ok := find(want, u3); !ok || !hasFlag(m.Flags, imap.FlagFlagged) {
		e.Errorf("SetFlags of an unpolled message did not change the mailbox: %s", describeList(want))
	}
	if _, _, ok := find(want, u4); ok {
		e.Errorf("Expunge of an unpolled message did not expunge it from the mailbox")
	}
	e.converge("INBOX", v)
}
