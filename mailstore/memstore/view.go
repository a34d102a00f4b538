package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// change is one change queued for a view: a snapshot taken when it was
// made (flags and modseq), with the message for its content.
type change struct {
	kind   mailstore.UpdateKind
	uid    uint32
	flags  []imap.Flag
	modseq uint64
	msg    *message
}

// entry is what a view keeps beside each MessageInfo of its list.
type entry struct {
	// msg gives the content, which never changes, so that a message the
	// view still lists can be read after it is expunged.
	msg *message
	// held: the message was expunged from the mailbox and the view has
	// not reported it yet (Poll with expunge false).
	held bool
}

// view is one session's open view of a mailbox (mailstore.Mailbox).
//
// Other goroutines touch only queue, overflow and gone, under the user's
// mu. The list (list, meta, held) is changed only by the view's own calls,
// also under mu, so Messages can return it without locking.
type view struct {
	u           *user
	mb          *mailbox
	name        string
	readOnly    bool
	uidValidity uint32
	updated     chan struct{}

	queue    []change
	overflow bool // queue overflowed: the next Poll resynchronises
	gone     bool // the mailbox was deleted
	closed   bool

	list    []mailstore.MessageInfo
	meta    []entry
	held    []uint32 // held-back expunges, in the order they were made
	heldMin uint64   // lowest MODSEQ of a held-back expunge (0: none)
	uidNext uint32
	modseq  uint64
}

var _ mailstore.Mailbox = (*view)(nil)

// newView opens a view of mb. Locked.
func newView(mb *mailbox, readOnly bool) *view {
	v := &view{
		u: mb.u, mb: mb, name: mb.name, readOnly: readOnly, uidValidity: mb.uidValidity,
		updated: make(chan struct{}, 1),
		list:    make([]mailstore.MessageInfo, 0, len(mb.msgs)),
		meta:    make([]entry, 0, len(mb.msgs)),
		uidNext: mb.uidNext, modseq: mb.modseq,
	}
	for _, m := range mb.msgs {
		mi := m.info()
		// \Recent: the messages no read-write view has claimed; a
		// read-write view claims them (RFC 3501 §2.3.2).
		mi.Recent = m.uid >= mb.recentFrom
		v.list = append(v.list, mi)
		v.meta = append(v.meta, entry{msg: m})
	}
	if !readOnly {
		mb.recentFrom = mb.uidNext
	}
	mb.views[v] = struct{}{}
	return v
}

// claimRecent reports whether a message newly seen by the view is
// \Recent in it, and claims it for a read-write view. Locked.
func (v *view) claimRecent(uid uint32) bool {
	if uid < v.mb.recentFrom {
		return false
	}
	if !v.readOnly {
		v.mb.recentFrom = uid + 1
	}
	return true
}

// enqueue queues a change made elsewhere and signals Updated. Locked.
func (v *view) enqueue(c change) {
	if v.gone || v.closed {
		return
	}
	if !v.overflow {
		if len(v.queue) >= v.u.b.maxQueue {
			// Too far behind: drop the queue; Poll compares states.
			v.overflow = true
			v.queue = nil
		} else {
			v.queue = append(v.queue, c)
		}
	}
	v.notify()
}

// notify signals Updated without blocking.
func (v *view) notify() {
	select {
	case v.updated <- struct{}{}:
	default:
	}
}

// check returns the error for a call on the view, if any. Locked.
func (v *view) check(write bool) error {
	switch {
	case v.closed:
		return fmt.Errorf("%w: view of %q", mailstore.ErrClosed, v.name)
	case v.gone:
		return fmt.Errorf("%w: mailbox %q was deleted", mailstore.ErrClosed, v.name)
	case write && v.readOnly:
		return fmt.Errorf("%w: %q", mailstore.ErrReadOnly, v.name)
	}
	return nil
}

// begin checks the context, locks the user and checks the view. On
// success the caller must unlock.
func (v *view) begin(ctx context.Context, write bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v.u.mu.Lock()
	if err := v.check(write); err != nil {
		v.u.mu.Unlock()
		return err
	}
	return nil
}

// find returns the index of uid in the view's list.
func (v *view) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(v.list, uid, func(mi mailstore.MessageInfo, u uint32) int { return cmp.Compare(mi.UID, u) })
}

func (v *view) removeAt(i int) {
	v.list = slices.Delete(v.list, i, i+1)
	v.meta = slices.Delete(v.meta, i, i+1)
}

// hold marks the message at i as expunged but not yet reported.
func (v *view) hold(i int, modseq uint64) {
	v.meta[i].held = true
	v.held = append(v.held, v.list[i].UID)
	if v.heldMin == 0 || modseq < v.heldMin {
		v.heldMin = modseq
	}
}

// Name returns the mailbox's name when the view was opened.
func (v *view) Name() string { return v.name }

// ReadOnly reports whether the view was opened read-only.
func (v *view) ReadOnly() bool { return v.readOnly }

// UIDValidity returns the mailbox's UIDVALIDITY.
func (v *view) UIDValidity() uint32 { return v.uidValidity }

// UIDNext returns UIDNEXT as of the view's last Poll.
func (v *view) UIDNext() uint32 { return v.uidNext }

// HighestModSeq returns HIGHESTMODSEQ as of the view's last Poll; while an
// expunge is held back it stays below that expunge's MODSEQ (RFC 7162
// §3.2: "the server MUST send the HIGHESTMODSEQ response code with a lower
// value than the EXPUNGE's mod-sequence").
func (v *view) HighestModSeq() uint64 { return v.modseq }

// PermanentFlags returns the system flags and \* for a read-write view,
// and no flags for a read-only one (nothing can be changed through it).
func (v *view) PermanentFlags() []imap.Flag {
	if v.readOnly {
		return nil
	}
	return slices.Clone(permanentFlags)
}

// Messages returns the view's list.
func (v *view) Messages() []mailstore.MessageInfo { return v.list }

// Updated returns the channel signalled when changes wait for Poll.
func (v *view) Updated() <-chan struct{} { return v.updated }

// Poll applies the changes other sessions made, in order. See the package
// documentation for held-back expunges and resynchronisation.
func (v *view) Poll(ctx context.Context, expunge bool) ([]mailstore.Update, error) {
	if err := v.begin(ctx, false); err != nil {
		return nil, err
	}
	defer v.u.mu.Unlock()
	var ups []mailstore.Update
	if expunge {
		ups = v.flushHeld(ups)
	}
	if v.overflow {
		ups = v.resync(ups, expunge)
		v.overflow = false
	} else {
		for _, c := range v.queue {
			ups = v.apply(ups, c, expunge)
		}
	}
	clear(v.queue)
	v.queue = v.queue[:0]
	v.uidNext = v.mb.uidNext
	synced := v.mb.modseq
	if len(v.held) > 0 && v.heldMin-1 < synced {
		synced = v.heldMin - 1
	}
	v.modseq = max(v.modseq, synced)
	// Everything queued so far is applied: drop a stale signal.
	select {
	case <-v.updated:
	default:
	}
	return ups, nil
}

// flushHeld reports and removes the held-back expunges. Locked.
func (v *view) flushHeld(ups []mailstore.Update) []mailstore.Update {
	for _, uid := range v.held {
		if i, ok := v.find(uid); ok {
			ups = append(ups, mailstore.Update{Kind: mailstore.UpdateExpunge, Seq: uint32(i + 1), Message: v.list[i]})
			v.removeAt(i)
		}
	}
	v.held = v.held[:0]
	v.heldMin = 0
	return ups
}

// apply applies one queued change. Locked.
func (v *view) apply(ups []mailstore.Update, c change, expunge bool) []mailstore.Update {
	switch c.kind {
	case mailstore.UpdateNew:
		if n := len(v.list); n > 0 && v.list[n-1].UID >= c.uid {
			return ups // already known (cannot happen: UIDs ascend)
		}
		mi := c.msg.info()
		mi.Flags, mi.ModSeq = c.flags, c.modseq
		mi.Recent = v.claimRecent(c.uid)
		v.list = append(v.list, mi)
		v.meta = append(v.meta, entry{msg: c.msg})
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateNew, Seq: uint32(len(v.list)), Message: mi})
	case mailstore.UpdateFlags:
		i, ok := v.find(c.uid)
		// A change older than what the view has (its own later change)
		// is skipped.
		if !ok || v.meta[i].held || c.modseq <= v.list[i].ModSeq {
			return ups
		}
		v.list[i].Flags, v.list[i].ModSeq = c.flags, c.modseq
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateFlags, Seq: uint32(i + 1), Message: v.list[i]})
	case mailstore.UpdateExpunge:
		i, ok := v.find(c.uid)
		if !ok || v.meta[i].held {
			return ups
		}
		if !expunge {
			v.hold(i, c.modseq)
			return ups
		}
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateExpunge, Seq: uint32(i + 1), Message: v.list[i]})
		v.removeAt(i)
	}
	return ups
}

// resync brings the view up to date by comparing its list with the
// mailbox, after its queue overflowed: expunges and flag changes in one
// ascending pass (each sequence number counted after the removals
// reported before it), then new messages. Locked.
func (v *view) resync(ups []mailstore.Update, expunge bool) []mailstore.Update {
	msgs := v.mb.msgs
	j, k := 0, 0
	for i := range v.list {
		mi, e := v.list[i], v.meta[i]
		for j < len(msgs) && msgs[j].uid < mi.UID {
			j++ // not in the view, below a UID it has: cannot happen
		}
		switch {
		case j < len(msgs) && msgs[j].uid == mi.UID:
			if m := msgs[j]; m.modseq > mi.ModSeq {
				mi.Flags, mi.ModSeq = m.flags, m.modseq
				ups = append(ups, mailstore.Update{Kind: mailstore.UpdateFlags, Seq: uint32(k + 1), Message: mi})
			}
			j++
		case e.held:
		case expunge:
			ups = append(ups, mailstore.Update{Kind: mailstore.UpdateExpunge, Seq: uint32(k + 1), Message: mi})
			continue
		default:
			v.list[k], v.meta[k] = mi, e
			v.hold(k, v.mb.expungeModSeq(mi.UID))
			k++
			continue
		}
		v.list[k], v.meta[k] = mi, e
		k++
	}
	clear(v.list[k:])
	clear(v.meta[k:])
	v.list, v.meta = v.list[:k], v.meta[:k]
	for ; j < len(msgs); j++ {
		m := msgs[j]
		mi := m.info()
		mi.Recent = v.claimRecent(m.uid)
		v.list = append(v.list, mi)
		v.meta = append(v.meta, entry{msg: m})
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateNew, Seq: uint32(len(v.list)), Message: mi})
	}
	return ups
}

// sortedUIDs returns uids ascending without duplicates, in a new slice.
func sortedUIDs(uids []uint32) []uint32 {
	s := slices.Clone(uids)
	slices.Sort(s)
	return slices.Compact(s)
}

// OpenMessage opens a message of the view's list (held-back expunges
// included) or, failing that, of the mailbox.
func (v *view) OpenMessage(ctx context.Context, uid uint32) (mailstore.Message, error) {
	if err := v.begin(ctx, false); err != nil {
		return nil, err
	}
	defer v.u.mu.Unlock()
	var c *content
	if i, ok := v.find(uid); ok {
		c = v.meta[i].msg.c
	} else if m := v.mb.lookup(uid); m != nil {
		c = m.c
	} else {
		return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
	}
	return &openMessage{c: c}, nil
}

// SetFlags changes flags, checking UNCHANGEDSINCE (RFC 7162 §3.1.3).
// UIDs not in the mailbox are ignored; a message not yet in the view's
// list is changed and its change queued for the view's next Poll rather
// than reported.
func (v *view) SetFlags(ctx context.Context, uids []uint32, fc mailstore.FlagChange) (*mailstore.FlagResult, error) {
	fl, err := normFlags(fc.Flags)
	if err != nil {
		return nil, err
	}
	if fc.Op != mailstore.FlagsReplace && fc.Op != mailstore.FlagsAdd && fc.Op != mailstore.FlagsRemove {
		return nil, fmt.Errorf("%w: unknown flag operation %d", mailstore.ErrNotAllowed, fc.Op)
	}
	if err := v.begin(ctx, true); err != nil {
		return nil, err
	}
	defer v.u.mu.Unlock()
	res := &mailstore.FlagResult{}
	for _, uid := range sortedUIDs(uids) {
		m := v.mb.lookup(uid)
		if m == nil {
			continue
		}
		if fc.UnchangedSince != 0 && m.modseq > fc.UnchangedSince {
			res.Failed = append(res.Failed, uid)
			continue
		}
		next, changed := applyFlags(m.flags, fc.Op, fl)
		if !changed {
			continue
		}
		v.mb.setFlags(m, next, v)
		if i, ok := v.find(uid); ok {
			v.list[i].Flags, v.list[i].ModSeq = m.flags, m.modseq
			res.Changed = append(res.Changed, v.list[i])
		} else {
			v.enqueue(change{kind: mailstore.UpdateFlags, uid: uid, flags: m.flags, modseq: m.modseq, msg: m})
		}
	}
	return res, nil
}

// Expunge removes messages. UIDs in the view's list are reported (a
// held-back expunge too); a message in the mailbox but not yet in the
// list is removed and its expunge queued for the view's next Poll.
func (v *view) Expunge(ctx context.Context, uids []uint32) ([]mailstore.Expunged, error) {
	if err := v.begin(ctx, true); err != nil {
		return nil, err
	}
	defer v.u.mu.Unlock()
	return v.expunge(sortedUIDs(uids)), nil
}

// expunge removes the messages with the given UIDs (ascending) from the
// mailbox and the view. Locked.
func (v *view) expunge(uids []uint32) []mailstore.Expunged {
	var inMailbox []uint32
	for _, uid := range uids {
		if v.mb.lookup(uid) != nil {
			inMailbox = append(inMailbox, uid)
		}
	}
	for _, t := range v.mb.remove(inMailbox, v) {
		if _, ok := v.find(t.uid); !ok {
			v.enqueue(change{kind: mailstore.UpdateExpunge, uid: t.uid, modseq: t.modseq})
		}
	}
	var out []mailstore.Expunged
	k, u := 0, 0
	for i := range v.list {
		uid := v.list[i].UID
		for u < len(uids) && uids[u] < uid {
			u++
		}
		if u < len(uids) && uids[u] == uid {
			// Its number after the removals reported before it.
			out = append(out, mailstore.Expunged{UID: uid, Seq: uint32(k + 1)})
			if v.meta[i].held {
				v.held = slices.DeleteFunc(v.held, func(h uint32) bool { return h == uid })
			}
			continue
		}
		v.list[k], v.meta[k] = v.list[i], v.meta[i]
		k++
	}
	clear(v.list[k:])
	clear(v.meta[k:])
	v.list, v.meta = v.list[:k], v.meta[:k]
	if len(v.held) == 0 {
		v.heldMin = 0
	}
	return out
}

// Copy copies messages, keeping flags and internal dates, and returns
// the UID mapping (RFC 4315 COPYUID). A held-back message is copied with
// the flags the view knows; UIDs neither in the mailbox nor in the view
// are skipped. It is allowed on a read-only view. Messages that would
// exceed the quota give mailstore.ErrQuota, and none is copied.
func (v *view) Copy(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, error) {
	cn, err := canonicalName(dest)
	if err != nil {
		return nil, err
	}
	if err := v.begin(ctx, false); err != nil {
		return nil, err
	}
	defer v.u.mu.Unlock()
	return v.copy(sortedUIDs(uids), cn, false)
}

// copy copies the messages with the given UIDs (ascending) to the
// mailbox named cn, or gives mailstore.ErrQuota and copies nothing if
// they would exceed the user's quota. For a move, the messages still in
// the mailbox, which the move expunges, do not count against the quota.
// Locked.
func (v *view) copy(uids []uint32, cn string, move bool) (*mailstore.CopyResult, error) {
	dst, err := v.u.selectable(cn)
	if err != nil {
		return nil, err
	}
	res := &mailstore.CopyResult{UIDValidity: dst.uidValidity}
	type source struct {
		uid   uint32
		flags []imap.Flag
		m     *message
	}
	// Collect first: copying to the same mailbox adds to v.mb.msgs.
	var srcs []source
	var n, octets int64 // what the quota gains
	for _, uid := range uids {
		if m := v.mb.lookup(uid); m != nil {
			srcs = append(srcs, source{uid, m.flags, m})
			if move {
				continue
			}
		} else if i, ok := v.find(uid); ok {
			srcs = append(srcs, source{uid, v.list[i].Flags, v.meta[i].msg})
		} else {
			continue
		}
		n++
		octets += srcs[len(srcs)-1].m.c.size
	}
	if err := v.u.quotaCheck(n, octets); err != nil {
		return nil, err
	}
	for _, s := range srcs {
		nm := dst.add(s.flags, s.m.date, s.m.c)
		res.SourceUIDs = append(res.SourceUIDs, s.uid)
		res.DestUIDs = append(res.DestUIDs, nm.uid)
	}
	return res, nil
}

// Move copies messages and expunges them from this mailbox at once
// (RFC 6851), returning the UID mapping and the view's expunges. It adds
// as much as it removes, so the quota refuses it only for held-back
// messages, which are copied but no longer in the mailbox.
func (v *view) Move(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, []mailstore.Expunged, error) {
	cn, err := canonicalName(dest)
	if err != nil {
		return nil, nil, err
	}
	if err := v.begin(ctx, true); err != nil {
		return nil, nil, err
	}
	defer v.u.mu.Unlock()
	res, err := v.copy(sortedUIDs(uids), cn, true)
	if err != nil {
		return nil, nil, err
	}
	return res, v.expunge(res.SourceUIDs), nil
}

// ExpungedSince returns the UIDs expunged with a MODSEQ above modseq.
func (v *view) ExpungedSince(ctx context.Context, modseq uint64) (imap.UIDSet, error) {
	if err := v.begin(ctx, false); err != nil {
		return imap.UIDSet{}, err
	}
	defer v.u.mu.Unlock()
	return v.mb.expungedSince(modseq), nil
}

// Close releases the view; later calls give mailstore.ErrClosed.
func (v *view) Close() error {
	v.u.mu.Lock()
	defer v.u.mu.Unlock()
	if v.closed {
		return nil
	}
	v.closed = true
	v.queue = nil
	delete(v.mb.views, v)
	return nil
}
