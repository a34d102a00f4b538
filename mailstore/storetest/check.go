package storetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// The model of a view: checks that a view's list and the changes a store
// reports agree. They return errors rather than failing a test so that
// they can run in any goroutine.

func itoa(i int) string { return strconv.Itoa(i) }

// flagKey is the comparison form of a flag: flags match ignoring ASCII
// case (RFC 3501 §9 note 1 for system flags; keywords as imap.Flag.Equal).
func flagKey(f imap.Flag) string { return strings.ToLower(string(f)) }

// flagSet returns the sorted comparison forms of flags, without
// duplicates.
func flagSet(flags []imap.Flag) []string {
	s := make([]string, 0, len(flags))
	for _, f := range flags {
		s = append(s, flagKey(f))
	}
	slices.Sort(s)
	return slices.Compact(s)
}

func sameFlags(a, b []imap.Flag) bool { return slices.Equal(flagSet(a), flagSet(b)) }

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	return slices.ContainsFunc(flags, f.Equal)
}

// checkList checks the invariants of a view's list: UIDs non-zero and
// strictly ascending (RFC 3501 §2.3.1.1), MODSEQ non-zero (RFC 7162
// §3.1: every message has one), no \Recent among the flags (the contract
// reports it in MessageInfo.Recent), no flag twice.
func checkList(msgs []mailstore.MessageInfo) error {
	var last uint32
	for i, m := range msgs {
		if m.UID == 0 {
			return fmt.Errorf("message %d has UID 0", i+1)
		}
		if m.UID <= last {
			return fmt.Errorf("UIDs not strictly ascending: message %d has UID %d after UID %d", i+1, m.UID, last)
		}
		last = m.UID
		if m.ModSeq == 0 {
			return fmt.Errorf("message %d (UID %d) has MODSEQ 0", i+1, m.UID)
		}
		if m.Size < 0 {
			return fmt.Errorf("message %d (UID %d) has size %d", i+1, m.UID, m.Size)
		}
		if hasFlag(m.Flags, imap.FlagRecent) {
			return fmt.Errorf(`message %d (UID %d) has \Recent among its Flags (it belongs in MessageInfo.Recent)`, i+1, m.UID)
		}
		if len(flagSet(m.Flags)) != len(m.Flags) {
			return fmt.Errorf("message %d (UID %d) has a flag twice: %v", i+1, m.UID, m.Flags)
		}
	}
	return nil
}

func maxModSeq(msgs []mailstore.MessageInfo) uint64 {
	var m uint64
	for _, mi := range msgs {
		m = max(m, mi.ModSeq)
	}
	return m
}

func uidsOf(msgs []mailstore.MessageInfo) []uint32 {
	u := make([]uint32, len(msgs))
	for i, m := range msgs {
		u[i] = m.UID
	}
	return u
}

// find returns the message with the given UID and its sequence number.
func find(msgs []mailstore.MessageInfo, uid uint32) (mailstore.MessageInfo, int, bool) {
	i, ok := slices.BinarySearchFunc(msgs, uid, func(m mailstore.MessageInfo, u uint32) int {
		return int(int64(m.UID) - int64(u))
	})
	if !ok {
		return mailstore.MessageInfo{}, 0, false
	}
	return msgs[i], i + 1, true
}

func describeList(msgs []mailstore.MessageInfo) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, m := range msgs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d:%v/%d", m.UID, m.Flags, m.ModSeq)
		if i == 40 && len(msgs) > 45 {
			fmt.Fprintf(&b, " ...(%d more)", len(msgs)-i-1)
			break
		}
	}
	b.WriteByte(']')
	return b.String()
}

func kindName(k mailstore.UpdateKind) string {
	switch k {
	case mailstore.UpdateNew:
		return "New"
	case mailstore.UpdateFlags:
		return "Flags"
	case mailstore.UpdateExpunge:
		return "Expunge"
	}
	return "UpdateKind(" + itoa(int(k)) + ")"
}

func describeUpdates(ups []mailstore.Update) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, u := range ups {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s(seq %d uid %d", kindName(u.Kind), u.Seq, u.Message.UID)
		if u.Kind != mailstore.UpdateExpunge {
			fmt.Fprintf(&b, " %v modseq %d", u.Message.Flags, u.Message.ModSeq)
		}
		b.WriteByte(')')
		if i == 40 && len(ups) > 45 {
			fmt.Fprintf(&b, " ...(%d more)", len(ups)-i-1)
			break
		}
	}
	b.WriteByte(']')
	return b.String()
}

// applyUpdates applies Poll's updates, in order, to the view's list
// before the call, checking each one's sequence number the way a client
// would interpret EXISTS, FETCH and EXPUNGE (RFC 3501 §7.3.1, §7.4.1,
// §7.4.2): a new message's Seq is the new length and its UID is above
// every UID in the view; a flag change or expunge names the message at
// Seq by its UID; a flag change raises the MODSEQ (RFC 7162 §3.1.4.2).
// With expunge false there must be no expunge (RFC 3501 §7.4.1).
func applyUpdates(before []mailstore.MessageInfo, ups []mailstore.Update, expunge bool) ([]mailstore.MessageInfo, error) {
	model := slices.Clone(before)
	for i, u := range ups {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("update %d of %d, %s(seq %d uid %d): %s; updates %s; view before %s",
				i+1, len(ups), kindName(u.Kind), u.Seq, u.Message.UID, fmt.Sprintf(format, args...),
				describeUpdates(ups), describeList(before))
		}
		switch u.Kind {
		case mailstore.UpdateNew:
			if int(u.Seq) != len(model)+1 {
				return model, fail("Seq must be the new number of messages, %d", len(model)+1)
			}
			if len(model) > 0 && u.Message.UID <= model[len(model)-1].UID {
				return model, fail("UID not above the last UID in the view, %d", model[len(model)-1].UID)
			}
			if u.Message.UID == 0 || u.Message.ModSeq == 0 {
				return model, fail("UID or MODSEQ is 0")
			}
			model = append(model, u.Message)
		case mailstore.UpdateFlags:
			if u.Seq == 0 || int(u.Seq) > len(model) {
				return model, fail("Seq out of range 1..%d", len(model))
			}
			old := model[u.Seq-1]
			if old.UID != u.Message.UID {
				return model, fail("the message at that Seq has UID %d", old.UID)
			}
			if u.Message.ModSeq <= old.ModSeq {
				return model, fail("MODSEQ %d not above the view's %d", u.Message.ModSeq, old.ModSeq)
			}
			m := old
			m.Flags, m.ModSeq = u.Message.Flags, u.Message.ModSeq
			model[u.Seq-1] = m
		case mailstore.UpdateExpunge:
			if !expunge {
				return model, fail("Poll(expunge=false) must hold expunges back")
			}
			if u.Seq == 0 || int(u.Seq) > len(model) {
				return model, fail("Seq out of range 1..%d", len(model))
			}
			if model[u.Seq-1].UID != u.Message.UID {
				return model, fail("the message at that Seq has UID %d", model[u.Seq-1].UID)
			}
			model = slices.Delete(model, int(u.Seq-1), int(u.Seq))
		default:
			return model, fail("unknown kind")
		}
	}
	return model, nil
}

// sameList reports how got differs from want: UIDs, flags and MODSEQs,
// and with full also internal dates and sizes.
func sameList(got, want []mailstore.MessageInfo, full bool) error {
	if !slices.Equal(uidsOf(got), uidsOf(want)) {
		return fmt.Errorf("UIDs %v, want %v", uidsOf(got), uidsOf(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !sameFlags(g.Flags, w.Flags) {
			return fmt.Errorf("UID %d (seq %d): flags %v, want %v", g.UID, i+1, g.Flags, w.Flags)
		}
		if g.ModSeq != w.ModSeq {
			return fmt.Errorf("UID %d (seq %d): MODSEQ %d, want %d", g.UID, i+1, g.ModSeq, w.ModSeq)
		}
		if full && g.Size != w.Size {
			return fmt.Errorf("UID %d (seq %d): size %d, want %d", g.UID, i+1, g.Size, w.Size)
		}
		if full && g.InternalDate.Unix() != w.InternalDate.Unix() {
			return fmt.Errorf("UID %d (seq %d): internal date %v, want %v", g.UID, i+1, g.InternalDate, w.InternalDate)
		}
	}
	return nil
}

// checkedPoll calls Poll and checks its updates against the view's list
// before and after the call, and the view's HIGHESTMODSEQ and UIDNEXT.
func checkedPoll(ctx context.Context, mb mailstore.Mailbox, expunge bool) ([]mailstore.Update, error) {
	before := slices.Clone(mb.Messages())
	ups, err := mb.Poll(ctx, expunge)
	if err != nil {
		return ups, fmt.Errorf("Poll(expunge=%v): %w", expunge, err)
	}
	after := mb.Messages()
	if err := checkList(after); err != nil {
		return ups, fmt.Errorf("Poll(expunge=%v): the view's list: %w", expunge, err)
	}
	model, err := applyUpdates(before, ups, expunge)
	if err != nil {
		return ups, fmt.Errorf("Poll(expunge=%v): %w", expunge, err)
	}
	if err := sameList(after, model, false); err != nil {
		return ups, fmt.Errorf("Poll(expunge=%v): the updates %s applied to the list before do not give the list after: %w",
			expunge, describeUpdates(ups), err)
	}
	// While expunges are held back, HIGHESTMODSEQ must stay below theirs
	// even if flag changes with higher MODSEQs were reported (RFC 7162
	// §3.2), so it is checked only when nothing is held.
	if hms := mb.HighestModSeq(); expunge && hms < maxModSeq(after) {
		return ups, fmt.Errorf("Poll(expunge=%v): HighestModSeq %d below a message's MODSEQ %d (RFC 7162 §3.1.2.1)", expunge, hms, maxModSeq(after))
	}
	if n := len(after); n > 0 && mb.UIDNext() <= after[n-1].UID {
		return ups, fmt.Errorf("Poll(expunge=%v): UIDNext %d not above the last UID %d", expunge, mb.UIDNext(), after[n-1].UID)
	}
	return ups, nil
}

// checkExpunged checks Expunge's (or Move's) report: one entry per UID
// asked for that was in the view, each with the sequence number the
// message had at the moment of its removal, counting the removals before
// it (RFC 3501 §7.4.1: "the message sequence number of each message is
// decremented for each EXPUNGE response that precedes it"), and the
// view's list after is the list before without them.
func checkExpunged(before, after []mailstore.MessageInfo, uids []uint32, ex []mailstore.Expunged) error {
	var want []uint32
	for _, u := range uids {
		if _, _, ok := find(before, u); ok {
			want = append(want, u)
		}
	}
	got := make([]uint32, len(ex))
	for i, x := range ex {
		got[i] = x.UID
	}
	gs, ws := slices.Clone(got), slices.Clone(want)
	slices.Sort(gs)
	slices.Sort(ws)
	if !slices.Equal(gs, ws) {
		return fmt.Errorf("reported UIDs %v, want %v", got, want)
	}
	model := slices.Clone(before)
	for i, x := range ex {
		_, seq, ok := find(model, x.UID)
		if !ok {
			return fmt.Errorf("entry %d: UID %d reported twice", i+1, x.UID)
		}
		if int(x.Seq) != seq {
			return fmt.Errorf("entry %d: UID %d has Seq %d, but after the removals before it its sequence number is %d (report %v)", i+1, x.UID, x.Seq, seq, ex)
		}
		model = slices.Delete(model, seq-1, seq)
	}
	if err := sameList(after, model, false); err != nil {
		return fmt.Errorf("the view's list after: %w", err)
	}
	return nil
}
