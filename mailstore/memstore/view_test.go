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

func TestViewBasics(t *testing.T) {
	f := newFixture(t, nil)
	f.appendN("INBOX", 2)
	s := f.status("INBOX")
	mb := f.view(f.st, "INBOX", false)
	if mb.Name() != "INBOX" || mb.ReadOnly() || mb.UIDValidity() != s.UIDValidity || mb.UIDNext() != 3 || mb.HighestModSeq() != s.HighestModSeq {
		t.Errorf("view: name %q ro %v validity %d next %d hms %d; status %+v",
			mb.Name(), mb.ReadOnly(), mb.UIDValidity(), mb.UIDNext(), mb.HighestModSeq(), s)
	}
	if pf := mb.PermanentFlags(); !slices.Contains(pf, imap.FlagWildcard) || !slices.Contains(pf, imap.FlagDeleted) {
		t.Errorf("PermanentFlags %v", pf)
	}
	ro := f.view(f.st, "INBOX", true)
	if !ro.ReadOnly() || len(ro.PermanentFlags()) != 0 {
		t.Errorf("read-only view: ReadOnly %v PermanentFlags %v", ro.ReadOnly(), ro.PermanentFlags())
	}
	if _, err := f.st.OpenMailbox(f.ctx, "nope", nil); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("OpenMailbox(nope): %v", err)
	}
	// Read-only views refuse changes but may copy.
	fc := mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}
	if _, err := ro.SetFlags(f.ctx, []uint32{1}, fc); !errors.Is(err, mailstore.ErrReadOnly) {
		t.Errorf("SetFlags on a read-only view: %v", err)
	}
	if _, err := ro.Expunge(f.ctx, []uint32{1}); !errors.Is(err, mailstore.ErrReadOnly) {
		t.Errorf("Expunge on a read-only view: %v", err)
	}
	if _, _, err := ro.Move(f.ctx, []uint32{1}, "INBOX"); !errors.Is(err, mailstore.ErrReadOnly) {
		t.Errorf("Move on a read-only view: %v", err)
	}
	if _, err := ro.Copy(f.ctx, []uint32{1}, "INBOX"); err != nil {
		t.Errorf("Copy on a read-only view: %v", err)
	}
	if _, err := mb.OpenMessage(f.ctx, 99); !errors.Is(err, mailstore.ErrNoSuchMessage) {
		t.Errorf("OpenMessage(99): %v", err)
	}
}

func TestSetFlags(t *testing.T) {
	A, F, D, S := imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen
	tests := []struct {
		name    string
		initial []imap.Flag
		op      mailstore.FlagOp
		flags   []imap.Flag
		want    []imap.Flag
		changed bool
	}{
		{"add", nil, mailstore.FlagsAdd, []imap.Flag{S}, []imap.Flag{S}, true},
		{"add existing", []imap.Flag{S}, mailstore.FlagsAdd, []imap.Flag{`\seen`}, []imap.Flag{S}, false},
		{"add sorts", []imap.Flag{S, "kw"}, mailstore.FlagsAdd, []imap.Flag{A, "$a"}, []imap.Flag{A, S, "$a", "kw"}, true},
		{"remove", []imap.Flag{S, F}, mailstore.FlagsRemove, []imap.Flag{`\SEEN`}, []imap.Flag{F}, true},
		{"remove absent", []imap.Flag{F}, mailstore.FlagsRemove, []imap.Flag{S}, []imap.Flag{F}, false},
		{"replace", []imap.Flag{S, F}, mailstore.FlagsReplace, []imap.Flag{D}, []imap.Flag{D}, true},
		{"replace same", []imap.Flag{S, F}, mailstore.FlagsReplace, []imap.Flag{F, S}, []imap.Flag{F, S}, false},
		{"replace empty", []imap.Flag{S}, mailstore.FlagsReplace, nil, nil, true},
		{"keyword case-insensitive add", []imap.Flag{"$Junk"}, mailstore.FlagsAdd, []imap.Flag{"$JUNK"}, []imap.Flag{"$Junk"}, false},
		{"keyword case-insensitive remove", []imap.Flag{"$Junk"}, mailstore.FlagsRemove, []imap.Flag{"$junk"}, nil, true},
		{"recent ignored", nil, mailstore.FlagsAdd, []imap.Flag{imap.FlagRecent}, nil, false},
		{"many keywords", nil, mailstore.FlagsAdd, manyKeywords(300), manyKeywords(300), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			uid := f.append("INBOX", 1, tt.initial...)
			mb := f.view(f.st, "INBOX", false)
			before := mb.Messages()[0].ModSeq
			res := f.setFlags(mb, []uint32{uid}, tt.op, tt.flags...)
			got := mb.Messages()[0]
			if !slices.Equal(got.Flags, tt.want) && (len(got.Flags) != 0 || len(tt.want) != 0) {
				t.Errorf("flags %v, want %v", got.Flags, tt.want)
			}
			if tt.changed {
				if len(res.Changed) != 1 || res.Changed[0].UID != uid || res.Changed[0].ModSeq <= before || got.ModSeq != res.Changed[0].ModSeq {
					t.Errorf("Changed %+v (MODSEQ before %d, view %d)", res.Changed, before, got.ModSeq)
				}
			} else if len(res.Changed) != 0 || got.ModSeq != before {
				t.Errorf("no change: Changed %+v, MODSEQ %d -> %d", res.Changed, before, got.ModSeq)
			}
			if fresh := f.freshList("INBOX"); sameState(mb.Messages(), fresh) != nil {
				t.Errorf("view and mailbox differ: %v", sameState(mb.Messages(), fresh))
			}
		})
	}
}

func manyKeywords(n int) []imap.Flag {
	var fs []imap.Flag
	for i := range n {
		fs = append(fs, imap.Flag("kw"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26))))
	}
	slices.SortFunc(fs, func(a, b imap.Flag) int {
		return strings.Compare(strings.ToLower(string(a)), strings.ToLower(string(b)))
	})
	return slices.Compact(fs)
}

func TestSetFlagsErrors(t *testing.T) {
	f := newFixture(t, nil)
	f.append("INBOX", 1)
	mb := f.view(f.st, "INBOX", false)
	for _, fl := range []imap.Flag{`\Foo`, imap.FlagWildcard, "a]b", ""} {
		_, err := mb.SetFlags(f.ctx, []uint32{1}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{fl}})
		if !errors.Is(err, mailstore.ErrInvalidFlag) {
			t.Errorf("SetFlags(%q): %v, want ErrInvalidFlag", fl, err)
		}
	}
	_, err := mb.SetFlags(f.ctx, []uint32{1}, mailstore.FlagChange{Op: 42})
	if !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("SetFlags with op 42: %v", err)
	}
	// UIDs that do not exist are ignored.
	res := f.setFlags(mb, []uint32{7, 1, 1, 9}, mailstore.FlagsAdd, imap.FlagSeen)
	if len(res.Changed) != 1 || res.Changed[0].UID != 1 || len(res.Failed) != 0 {
		t.Errorf("SetFlags with missing UIDs: %+v", res)
	}
}

func TestUnchangedSince(t *testing.T) {
	// RFC 7162 §3.1.3.
	f := newFixture(t, nil)
	uids := f.appendN("INBOX", 3)
	mb := f.view(f.st, "INBOX", false)
	other := f.view(f.open(), "INBOX", false)
	f.setFlags(other, uids[1:2], mailstore.FlagsAdd, "$x") // message 2 changes after the client's fetch
	base := mb.Messages()[2].ModSeq
	res, err := mb.SetFlags(f.ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, UnchangedSince: base})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Failed, []uint32{uids[1]}) {
		t.Errorf("Failed %v, want [%d]", res.Failed, uids[1])
	}
	if got := uidsOf(res.Changed); !slices.Equal(got, []uint32{uids[0], uids[2]}) {
		t.Errorf("Changed %v", got)
	}
	for i, c := range res.Changed {
		if i > 0 && c.ModSeq <= res.Changed[i-1].ModSeq {
			t.Errorf("MODSEQs not increasing: %+v", res.Changed)
		}
	}
	// A message whose flags would not change passes the test and keeps
	// its MODSEQ.
	ms := mb.Messages()[0].ModSeq
	res, _ = mb.SetFlags(f.ctx, uids[:1], mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, UnchangedSince: ms})
	if len(res.Failed) != 0 || len(res.Changed) != 0 || mb.Messages()[0].ModSeq != ms {
		t.Errorf("no-op with UNCHANGEDSINCE: %+v, MODSEQ %d -> %d", res, ms, mb.Messages()[0].ModSeq)
	}
	res, _ = mb.SetFlags(f.ctx, uids[:1], mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagDraft}, UnchangedSince: ms - 1})
	if !slices.Equal(res.Failed, uids[:1]) {
		t.Errorf("UNCHANGEDSINCE below the MODSEQ: %+v", res)
	}
}

func TestModSeqAndUIDMonotonic(t *testing.T) {
	f := newFixture(t, nil)
	mb := f.view(f.st, "INBOX", false)
	last := mb.HighestModSeq()
	lastUID := uint32(0)
	step := func(what string) {
		t.Helper()
		f.poll(mb, true)
		s := f.status("INBOX")
		if s.HighestModSeq <= last || mb.HighestModSeq() != s.HighestModSeq {
			t.Errorf("%s: HIGHESTMODSEQ %d (view %d), previous %d", what, s.HighestModSeq, mb.HighestModSeq(), last)
		}
		last = s.HighestModSeq
	}
	for i := range 5 {
		uid := f.append("INBOX", i)
		if uid <= lastUID {
			t.Errorf("UID %d after %d", uid, lastUID)
		}
		lastUID = uid
		step("append")
	}
	f.setFlags(mb, []uint32{2}, mailstore.FlagsAdd, imap.FlagSeen)
	step("flags")
	if _, err := mb.Expunge(f.ctx, []uint32{5}); err != nil {
		t.Fatal(err)
	}
	step("expunge")
	// UIDs are not reused after the last message is expunged.
	if uid := f.append("INBOX", 6); uid != 6 {
		t.Errorf("UID after expunging the last message: %d, want 6", uid)
	}
	step("append after expunge")
	if _, err := mb.Copy(f.ctx, []uint32{1}, "INBOX"); err != nil {
		t.Fatal(err)
	}
	step("copy")
	// Every message's MODSEQ is at most HIGHESTMODSEQ and they differ.
	seen := map[uint64]bool{}
	for _, m := range mb.Messages() {
		if m.ModSeq > last || seen[m.ModSeq] {
			t.Errorf("message MODSEQ %d (HIGHESTMODSEQ %d, seen %v)", m.ModSeq, last, seen)
		}
		seen[m.ModSeq] = true
	}
}

func TestExpungeSeqNumbers(t *testing.T) {
	tests := []struct {
		name    string
		expunge []uint32
		want    []mailstore.Expunged
	}{
		{"first three", []uint32{1, 2, 3}, xp(1, 1, 2, 1, 3, 1)},
		{"alternate", []uint32{2, 4}, xp(2, 2, 4, 3)},
		{"unsorted with duplicates", []uint32{5, 1, 5}, xp(1, 1, 5, 4)},
		{"missing ignored", []uint32{3, 99}, xp(3, 3)},
		{"none", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil)
			f.appendN("INBOX", 5)
			mb := f.view(f.st, "INBOX", false)
			other := f.view(f.open(), "INBOX", false)
			got, err := mb.Expunge(f.ctx, tt.expunge)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Expunge(%v) = %v, want %v", tt.expunge, got, tt.want)
			}
			if len(mb.Messages()) != 5-len(tt.want) {
				t.Errorf("view has %d messages", len(mb.Messages()))
			}
			// The view's own expunges are not reported again.
			if ups := f.poll(mb, true); len(ups) != 0 {
				t.Errorf("own Poll after Expunge: %v", describe(ups))
			}
			// The other view sees the same numbers.
			var ex []mailstore.Expunged
			for _, u := range f.poll(other, true) {
				ex = append(ex, mailstore.Expunged{UID: u.Message.UID, Seq: u.Seq})
			}
			if !slices.Equal(ex, tt.want) {
				t.Errorf("other view: %v, want %v", ex, tt.want)
			}
		})
	}
}

func TestTwoViews(t *testing.T) {
	f := newFixture(t, nil)
	f.appendN("INBOX", 3)
	a := f.view(f.st, "INBOX", false)
	b := f.view(f.open(), "INBOX", false)

	f.setFlags(a, []uint32{2}, mailstore.FlagsAdd, imap.FlagSeen)
	select {
	case <-b.Updated():
	default:
		t.Fatal("b not signalled after a's change")
	}
	select {
	case <-a.Updated():
		t.Error("a signalled for its own change")
	default:
	}
	if got, want := describe(f.poll(b, false)), []string{"flags 2 uid 2"}; !slices.Equal(got, want) {
		t.Errorf("b: %v, want %v", got, want)
	}
	if !slices.Contains(b.Messages()[1].Flags, imap.FlagSeen) {
		t.Errorf("b's flags: %v", b.Messages()[1].Flags)
	}
	if ups := f.poll(a, true); len(ups) != 0 {
		t.Errorf("a saw its own change: %v", describe(ups))
	}

	// Append reaches every view, the appender's session included.
	f.append("INBOX", 4)
	for _, v := range []mailstore.Mailbox{a, b} {
		if got, want := describe(f.poll(v, true)), []string{"new 4 uid 4"}; !slices.Equal(got, want) {
			t.Errorf("after Append: %v, want %v", got, want)
		}
		if v.UIDNext() != 5 {
			t.Errorf("UIDNext %d after Poll", v.UIDNext())
		}
	}
	// b expunges; a's stale change to the same message and the order.
	f.setFlags(b, []uint32{1}, mailstore.FlagsAdd, imap.FlagDeleted)
	if _, err := b.Expunge(f.ctx, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	f.append("INBOX", 5)
	f.setFlags(b, []uint32{3}, mailstore.FlagsAdd, imap.FlagFlagged)
	want := []string{"flags 1 uid 1", "expunge 1 uid 1", "new 4 uid 5", "flags 2 uid 3"}
	if got := describe(f.poll(a, true)); !slices.Equal(got, want) {
		t.Errorf("a: %v, want %v", got, want)
	}
	if got, want := describe(f.poll(b, true)), []string{"new 4 uid 5"}; !slices.Equal(got, want) {
		t.Errorf("b: %v, want %v", got, want)
	}
	if err := sameState(a.Messages(), b.Messages()); err != nil {
		t.Error(err)
	}
	// Own change after a queued change of the same message: the stale
	// one is not applied over it.
	f.setFlags(b, []uint32{2}, mailstore.FlagsReplace, "$b")
	f.setFlags(a, []uint32{2}, mailstore.FlagsReplace, "$a")
	if ups := f.poll(a, true); len(ups) != 0 {
		t.Errorf("a applied a stale change: %v", describe(ups))
	}
	if got := a.Messages()[0].Flags; !slices.Equal(got, []imap.Flag{"$a"}) {
		t.Errorf("a's flags %v, want [$a]", got)
	}
	f.poll(b, true)
	if err := sameState(a.Messages(), b.Messages()); err != nil {
		t.Error(err)
	}
	if err := sameState(a.Messages(), f.freshList("INBOX")); err != nil {
		t.Error(err)
	}
}

func TestHeldExpunges(t *testing.T) {
	f := newFixture(t, nil)
	f.appendN("INBOX", 4)
	a := f.view(f.st, "INBOX", false)
	b := f.view(f.open(), "INBOX", false)
	hms := a.HighestModSeq()

	if _, err := b.Expunge(f.ctx, []uint32{2}); err != nil {
		t.Fatal(err)
	}
	f.append("INBOX", 5)
	f.setFlags(b, []uint32{3}, mailstore.FlagsAdd, imap.FlagSeen)
	// RFC 3501 §7.4.1: no EXPUNGE now; the new message and the flag
	// change are reported with the numbers the client knows, counting the
	// expunged message still.
	want := []string{"new 5 uid 5", "flags 3 uid 3"}
	if got := describe(f.poll(a, false)); !slices.Equal(got, want) {
		t.Errorf("Poll(false): %v, want %v", got, want)
	}
	if got := uidsOf(a.Messages()); !slices.Equal(got, []uint32{1, 2, 3, 4, 5}) {
		t.Errorf("list while the expunge is held: %v", got)
	}
	// HIGHESTMODSEQ stays below the held expunge's MODSEQ.
	ex, _ := a.ExpungedSince(f.ctx, a.HighestModSeq())
	if a.HighestModSeq() < hms || !ex.NumSet.Contains(2, 0) {
		t.Errorf("HighestModSeq %d while an expunge is held: ExpungedSince gives %v", a.HighestModSeq(), ex)
	}
	// The held message is still readable.
	if got := f.read(a, 2); got != msg(1) {
		t.Errorf("held message content %q", got)
	}
	// Another expunge and more changes while held.
	if _, err := b.Expunge(f.ctx, []uint32{4}); err != nil {
		t.Fatal(err)
	}
	f.setFlags(b, []uint32{5}, mailstore.FlagsAdd, imap.FlagSeen)
	if got, want := describe(f.poll(a, false)), []string{"flags 5 uid 5"}; !slices.Equal(got, want) {
		t.Errorf("second Poll(false): %v, want %v", got, want)
	}
	// SetFlags on a held message is ignored (it no longer exists).
	if res := f.setFlags(a, []uint32{2}, mailstore.FlagsAdd, imap.FlagFlagged); len(res.Changed) != 0 {
		t.Errorf("SetFlags on a held message: %+v", res)
	}
	want = []string{"expunge 2 uid 2", "expunge 3 uid 4"}
	if got := describe(f.poll(a, true)); !slices.Equal(got, want) {
		t.Errorf("Poll(true): %v, want %v", got, want)
	}
	if err := sameState(a.Messages(), f.freshList("INBOX")); err != nil {
		t.Error(err)
	}
	if a.HighestModSeq() != f.status("INBOX").HighestModSeq {
		t.Errorf("HighestModSeq %d after Poll(true), want %d", a.HighestModSeq(), f.status("INBOX").HighestModSeq)
	}
}

func TestHeldExpungeOwnExpunge(t *testing.T) {
	// The view expunges a message another session already expunged and
	// whose expunge it holds back: it is reported once, by Expunge.
	f := newFixture(t, nil)
	f.appendN("INBOX", 3)
	a := f.view(f.st, "INBOX", false)
	b := f.view(f.open(), "INBOX", false)
	b.Expunge(f.ctx, []uint32{2})
	f.poll(a, false)
	got, err := a.Expunge(f.ctx, []uint32{2, 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := xp(2, 2, 3, 2); !slices.Equal(got, want) {
		t.Errorf("Expunge = %v, want %v", got, want)
	}
	if ups := f.poll(a, true); len(ups) != 0 {
		t.Errorf("Poll after Expunge: %v", describe(ups))
	}
	if err := sameState(a.Messages(), f.freshList("INBOX")); err != nil {
		t.Error(err)
	}
	// Copy and Move of a held message.
	f.append("INBOX", 4) // uid 4
	f.poll(a, true)
	b.Poll(f.ctx, true)
	f.setFlags(b, []uint32{4}, mailstore.FlagsAdd, imap.FlagSeen)
	b.Expunge(f.ctx, []uint32{4})
	f.poll(a, false)
	f.create("Dest")
	res, exp, err := a.Move(f.ctx, []uint32{4}, "Dest")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.SourceUIDs, []uint32{4}) || !slices.Equal(exp, xp(4, 2)) {
		t.Errorf("Move of a held message: %+v %v", res, exp)
	}
	dest := f.freshList("Dest")
	if len(dest) != 1 || !slices.Equal(dest[0].Flags, []imap.Flag{imap.FlagSeen}) {
		t.Errorf("moved held message: %+v", dest)
	}
}

func TestOverflowResync(t *testing.T) {
	for _, expunge := range []bool{true, false} {
		f := newFixture(t, &memstore.Options{MaxQueue: 3})
		uids := f.appendN("INBOX", 6)
		a := f.view(f.st, "INBOX", false)
		b := f.view(f.open(), "INBOX", false)
		// Held expunge before the overflow.
		b.Expunge(f.ctx, uids[:1])
		f.poll(a, false)
		f.setFlags(b, uids[1:3], mailstore.FlagsAdd, imap.FlagSeen)
		b.Expunge(f.ctx, uids[3:4])
		f.append("INBOX", 7)
		f.append("INBOX", 8)
		f.setFlags(b, uids[5:6], mailstore.FlagsAdd, "$k")
		before := slices.Clone(a.Messages())
		ups := f.poll(a, expunge)
		var want []string
		if expunge {
			want = []string{"expunge 1 uid 1", "flags 1 uid 2", "flags 2 uid 3", "expunge 3 uid 4", "flags 4 uid 6", "new 5 uid 7", "new 6 uid 8"}
		} else {
			want = []string{"flags 2 uid 2", "flags 3 uid 3", "flags 6 uid 6", "new 7 uid 7", "new 8 uid 8"}
		}
		if got := describe(ups); !slices.Equal(got, want) {
			t.Errorf("expunge=%v: resync updates %v, want %v (list before %v)", expunge, got, want, uidsOf(before))
		}
		if !expunge {
			if got := describe(f.poll(a, true)); !slices.Equal(got, []string{"expunge 1 uid 1", "expunge 3 uid 4"}) {
				t.Errorf("held expunges after resync: %v", got)
			}
		}
		if err := sameState(a.Messages(), f.freshList("INBOX")); err != nil {
			t.Errorf("expunge=%v: after resync: %v", expunge, err)
		}
		if a.HighestModSeq() != f.status("INBOX").HighestModSeq || a.UIDNext() != 9 {
			t.Errorf("after resync: HighestModSeq %d UIDNext %d", a.HighestModSeq(), a.UIDNext())
		}
		// New messages after the resync are queued again.
		f.append("INBOX", 9)
		if got := describe(f.poll(a, true)); !slices.Equal(got, []string{"new 7 uid 9"}) {
			t.Errorf("after the resync: %v", got)
		}
	}
}

func TestRecent(t *testing.T) {
	f := newFixture(t, nil)
	f.appendN("INBOX", 2)
	ro := f.view(f.st, "INBOX", true)
	a := f.view(f.st, "INBOX", false)
	b := f.view(f.open(), "INBOX", false)
	recent := func(mb mailstore.Mailbox) []uint32 {
		var r []uint32
		for _, m := range mb.Messages() {
			if m.Recent {
				r = append(r, m.UID)
			}
		}
		return r
	}
	if got := recent(ro); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("read-only view: recent %v", got)
	}
	if got := recent(a); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("first read-write view: recent %v", got)
	}
	if got := recent(b); len(got) != 0 {
		t.Errorf("second read-write view: recent %v", got)
	}
	f.append("INBOX", 3)
	f.poll(ro, true)
	f.poll(b, true) // b learns of it first
	f.poll(a, true)
	if got := recent(b); !slices.Equal(got, []uint32{3}) {
		t.Errorf("b after Poll: recent %v", got)
	}
	if got := recent(a); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("a after Poll: recent %v", got)
	}
	if got := recent(ro); !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Errorf("read-only view after Poll: recent %v", got)
	}
	// Copies are recent in the destination (RFC 3501 §6.4.7).
	f.create("Dest")
	if _, err := a.Copy(f.ctx, []uint32{1}, "Dest"); err != nil {
		t.Fatal(err)
	}
	if s := f.status("Dest"); s.Recent != 1 {
		t.Errorf("Dest Recent %d after COPY", s.Recent)
	}
}

func TestCopyMove(t *testing.T) {
	f := newFixture(t, nil)
	f.create("Dest")
	f.appendN("Dest", 2) // dest UIDs start at 3
	uids := f.appendN("INBOX", 4)
	src := f.view(f.st, "INBOX", false)
	f.setFlags(src, uids[1:2], mailstore.FlagsAdd, imap.FlagSeen, "$kw")
	srcOther := f.view(f.open(), "INBOX", false)
	dstView := f.view(f.open(), "Dest", false)
	destStatus := f.status("Dest")

	res, err := src.Copy(f.ctx, []uint32{4, 2, 99}, "Dest")
	if err != nil {
		t.Fatal(err)
	}
	want := &mailstore.CopyResult{UIDValidity: destStatus.UIDValidity, SourceUIDs: []uint32{2, 4}, DestUIDs: []uint32{3, 4}}
	if res.UIDValidity != want.UIDValidity || !slices.Equal(res.SourceUIDs, want.SourceUIDs) || !slices.Equal(res.DestUIDs, want.DestUIDs) {
		t.Errorf("Copy = %+v, want %+v", res, want)
	}
	if got := describe(f.poll(dstView, true)); !slices.Equal(got, []string{"new 3 uid 3", "new 4 uid 4"}) {
		t.Errorf("destination view: %v", got)
	}
	srcMsgs := src.Messages()
	for i, d := range dstView.Messages()[2:] {
		s := srcMsgs[res.SourceUIDs[i]-1]
		if !slices.Equal(d.Flags, s.Flags) || !d.InternalDate.Equal(s.InternalDate) || d.Size != s.Size {
			t.Errorf("copy %d: %+v, source %+v", i, d, s)
		}
		if f.read(dstView, d.UID) != f.read(src, s.UID) {
			t.Errorf("copy %d: content differs", i)
		}
	}
	if ups := f.poll(src, true); len(ups) != 0 {
		t.Errorf("source view after Copy: %v", describe(ups))
	}
	// Changing the copy does not change the original.
	f.setFlags(dstView, []uint32{3}, mailstore.FlagsReplace)
	if got := f.freshList("INBOX")[1].Flags; len(got) != 2 {
		t.Errorf("original's flags %v after changing the copy", got)
	}

	// Move.
	mres, ex, err := src.Move(f.ctx, []uint32{1, 3}, "Dest")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(mres.SourceUIDs, []uint32{1, 3}) || !slices.Equal(mres.DestUIDs, []uint32{5, 6}) {
		t.Errorf("Move = %+v", mres)
	}
	if want := xp(1, 1, 3, 2); !slices.Equal(ex, want) {
		t.Errorf("Move expunged %v, want %v", ex, want)
	}
	if got := uidsOf(src.Messages()); !slices.Equal(got, []uint32{2, 4}) {
		t.Errorf("source after Move: %v", got)
	}
	if got := describe(f.poll(srcOther, true)); !slices.Equal(got, []string{"expunge 1 uid 1", "expunge 2 uid 3"}) {
		t.Errorf("other source view after Move: %v", got)
	}
	if got := describe(f.poll(dstView, true)); !slices.Equal(got, []string{"new 5 uid 5", "new 6 uid 6"}) {
		t.Errorf("destination view after Move: %v", got)
	}
	if ex, _ := src.ExpungedSince(f.ctx, 0); ex.String() != "1,3" {
		t.Errorf("ExpungedSince(0) after Move: %v", ex)
	}

	// Copy and Move into the same mailbox.
	res, err = src.Copy(f.ctx, []uint32{2}, "INBOX")
	if err != nil || !slices.Equal(res.DestUIDs, []uint32{5}) {
		t.Errorf("Copy to the same mailbox: %+v, %v", res, err)
	}
	if got := describe(f.poll(src, true)); !slices.Equal(got, []string{"new 3 uid 5"}) {
		t.Errorf("source view after copying to itself: %v", got)
	}
	_, ex, err = src.Move(f.ctx, []uint32{2}, "inbox")
	if err != nil || !slices.Equal(ex, xp(2, 1)) {
		t.Errorf("Move to the same mailbox: %v, %v", ex, err)
	}
	if got := describe(f.poll(src, true)); !slices.Equal(got, []string{"new 3 uid 6"}) {
		t.Errorf("source view after moving to itself: %v", got)
	}

	// Errors.
	if _, err := src.Copy(f.ctx, []uint32{4}, "nope"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("Copy to a missing mailbox: %v", err)
	}
	if _, _, err := src.Move(f.ctx, []uint32{4}, "nope"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("Move to a missing mailbox: %v", err)
	}
	if got := uidsOf(src.Messages()); !slices.Equal(got, []uint32{4, 5, 6}) {
		t.Errorf("a failed Move changed the source: %v", got)
	}
	f.create("P/C")
	f.st.DeleteMailbox(f.ctx, "P")
	if _, err := src.Copy(f.ctx, []uint32{4}, "P"); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("Copy to a \\Noselect name: %v", err)
	}
	if _, err := src.Copy(f.ctx, []uint32{4}, "a//b"); !errors.Is(err, mailstore.ErrInvalidName) {
		t.Errorf("Copy to an invalid name: %v", err)
	}
	res, err = src.Copy(f.ctx, []uint32{77}, "Dest")
	if err != nil || len(res.SourceUIDs) != 0 {
		t.Errorf("Copy of no message: %+v, %v", res, err)
	}
}

func TestExpungedSince(t *testing.T) {
	f := newFixture(t, &memstore.Options{MaxTombstones: 4})
	f.appendN("INBOX", 10)
	mb := f.view(f.st, "INBOX", false)
	start := mb.HighestModSeq()
	var mods []uint64
	for _, uid := range []uint32{2, 3, 5} {
		mb.Expunge(f.ctx, []uint32{uid})
		f.poll(mb, true)
		mods = append(mods, mb.HighestModSeq())
	}
	tests := []struct {
		since uint64
		want  string
	}{
		{start, "2:3,5"},
		{mods[0], "3,5"},
		{mods[1], "5"},
		{mods[2], ""},
	}
	for _, tt := range tests {
		got, err := mb.ExpungedSince(f.ctx, tt.since)
		if err != nil || got.String() != tt.want {
			t.Errorf("ExpungedSince(%d) = %q, %v; want %q", tt.since, got.String(), err, tt.want)
		}
	}
	// Past the tombstone limit, old ones are forgotten, and asking from
	// before them gives every UID not in the mailbox.
	mb.Expunge(f.ctx, []uint32{7})
	mb.Expunge(f.ctx, []uint32{10})
	f.poll(mb, true)
	f.append("INBOX", 11) // UIDNEXT 12
	got, _ := mb.ExpungedSince(f.ctx, start)
	if got.String() != "2:3,5,7,10" {
		t.Errorf("ExpungedSince from before the forgotten tombstones = %q", got.String())
	}
	got, _ = mb.ExpungedSince(f.ctx, mods[2])
	if got.String() != "7,10" {
		t.Errorf("ExpungedSince after the forgotten tombstones = %q", got.String())
	}
}

func TestOpenMessageAfterExpunge(t *testing.T) {
	f := newFixture(t, nil)
	f.appendN("INBOX", 2)
	a := f.view(f.st, "INBOX", false)
	b := f.view(f.open(), "INBOX", false)
	m, err := b.OpenMessage(f.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Expunge(f.ctx, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.OpenMessage(f.ctx, 1); !errors.Is(err, mailstore.ErrNoSuchMessage) {
		t.Errorf("OpenMessage of an expunged message: %v", err)
	}
	p := make([]byte, m.Size())
	if n, err := m.ReadAt(p, 0); n != len(p) || string(p) != msg(0) {
		t.Errorf("an open Message after its expunge: %q, %v", p[:n], err)
	}
	// A new message can be opened before Poll reports it.
	f.append("INBOX", 3)
	if got := f.read(a, 3); got != msg(3) {
		t.Errorf("unpolled message: %q", got)
	}
}

func TestOwnChangesToUnpolledMessages(t *testing.T) {
	// Changes to a message the view has not yet been told of are queued
	// for its Poll, after the message itself.
	f := newFixture(t, nil)
	a := f.view(f.st, "INBOX", false)
	f.append("INBOX", 1)
	f.append("INBOX", 2)
	res := f.setFlags(a, []uint32{1}, mailstore.FlagsAdd, imap.FlagSeen)
	if len(res.Changed) != 0 {
		t.Errorf("Changed reports a message the view does not have: %+v", res)
	}
	ex, err := a.Expunge(f.ctx, []uint32{2})
	if err != nil || len(ex) != 0 {
		t.Errorf("Expunge of an unpolled message: %v, %v", ex, err)
	}
	want := []string{"new 1 uid 1", "new 2 uid 2", "flags 1 uid 1", "expunge 2 uid 2"}
	if got := describe(f.poll(a, true)); !slices.Equal(got, want) {
		t.Errorf("Poll: %v, want %v", got, want)
	}
	if err := sameState(a.Messages(), f.freshList("INBOX")); err != nil {
		t.Error(err)
	}
}

func TestUpdatedNeverBlocks(t *testing.T) {
	f := newFixture(t, nil)
	a := f.view(f.st, "INBOX", false)
	for i := range 50 {
		f.append("INBOX", i) // nobody reads a.Updated()
	}
	<-a.Updated()
	f.poll(a, true)
	select {
	case <-a.Updated():
		t.Error("Updated still signalled after Poll applied everything")
	default:
	}
	if len(a.Messages()) != 50 {
		t.Errorf("%d messages", len(a.Messages()))
	}
}

// xp builds an Expunge result from UID, Seq pairs.
func xp(pairs ...uint32) []mailstore.Expunged {
	var ex []mailstore.Expunged
	for i := 0; i+1 < len(pairs); i += 2 {
		ex = append(ex, mailstore.Expunged{UID: pairs[i], Seq: pairs[i+1]})
	}
	return ex
}
