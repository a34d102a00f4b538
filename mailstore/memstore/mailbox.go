package memstore

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// message is a message in a mailbox. flags is never modified in place (a
// change stores a new slice), so a slice handed to a view stays valid.
type message struct {
	uid    uint32
	flags  []imap.Flag
	date   time.Time
	modseq uint64
	c      *content
}

func (m *message) info() mailstore.MessageInfo {
	return mailstore.MessageInfo{
		UID: m.uid, Flags: m.flags, InternalDate: m.date, Size: m.c.size, ModSeq: m.modseq,
	}
}

// tomb is an expunged message: its UID and the MODSEQ of the expunge.
type tomb struct {
	uid    uint32
	modseq uint64
}

// mailbox is the state of one mailbox (or of a \Noselect name). All of it
// is guarded by the owning user's mu.
type mailbox struct {
	u          *user
	name       string
	noselect   bool // a name kept only as a parent (RFC 3501 §6.3.4)
	deleted    bool
	specialUse []imap.MailboxAttr

	id          string // MAILBOXID (RFC 8474)
	uidValidity uint32
	uidNext     uint32
	modseq      uint64 // HIGHESTMODSEQ
	msgs        []*message

	tombs     []tomb // ascending modseq
	forgotten uint64 // tombstones with modseq <= forgotten were dropped

	// recentFrom is the first UID no read-write view has claimed as
	// \Recent.
	recentFrom uint32

	views map[*view]struct{}

	// meta holds the mailbox's metadata entries (RFC 5464), private and
	// shared, by canonical name: the private ones are the owner's, the
	// only user who reaches the mailbox.
	meta map[string]string
	// acl is the access control list (RFC 4314): canonical rights by
	// identifier, without the owner, who has every right.
	acl map[string]string
}

// newMailbox returns a new selectable mailbox with a new UIDVALIDITY.
func (u *user) newMailbox(name string) *mailbox {
	mb := &mailbox{u: u, name: name, views: make(map[*view]struct{})}
	mb.makeSelectable()
	return mb
}

// newPlaceholder returns a \Noselect name.
func (u *user) newPlaceholder(name string) *mailbox {
	return &mailbox{u: u, name: name, noselect: true, views: make(map[*view]struct{})}
}

// makeSelectable gives mb the state of a new, empty mailbox.
func (mb *mailbox) makeSelectable() {
	mb.noselect = false
	mb.uidValidity = mb.u.b.nextValidity()
	mb.id = "M" + strconv.FormatUint(uint64(mb.uidValidity), 16)
	mb.uidNext = 1
	mb.recentFrom = 1
	// Mod-sequences are positive (RFC 7162 §3.1.1); the first change
	// gets 2.
	mb.modseq = 1
}

func (mb *mailbox) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(mb.msgs, uid, func(m *message, u uint32) int { return cmp.Compare(m.uid, u) })
}

func (mb *mailbox) lookup(uid uint32) *message {
	if i, ok := mb.find(uid); ok {
		return mb.msgs[i]
	}
	return nil
}

// add stores a new message, giving it the next UID and MODSEQ, counts it
// in the user's quota usage, and queues it for every view. The caller
// checks the quota.
func (mb *mailbox) add(flags []imap.Flag, date time.Time, c *content) *message {
	mb.u.account(1, c.size)
	mb.modseq++
	m := &message{uid: mb.uidNext, flags: flags, date: date, modseq: mb.modseq, c: c}
	mb.uidNext++
	mb.msgs = append(mb.msgs, m)
	mb.broadcast(change{kind: mailstore.UpdateNew, uid: m.uid, flags: m.flags, modseq: m.modseq, msg: m}, nil)
	return m
}

// setFlags stores new flags on m with the next MODSEQ and queues the
// change for every view but except.
func (mb *mailbox) setFlags(m *message, flags []imap.Flag, except *view) {
	mb.modseq++
	m.flags, m.modseq = flags, mb.modseq
	mb.broadcast(change{kind: mailstore.UpdateFlags, uid: m.uid, flags: m.flags, modseq: m.modseq, msg: m}, except)
}

// remove expunges the messages with the given UIDs (ascending, all
// present), each with its own MODSEQ, takes them out of the user's quota
// usage, and queues the expunges for every view but except. It returns
// the tombstones.
func (mb *mailbox) remove(uids []uint32, except *view) []tomb {
	if len(uids) == 0 {
		return nil
	}
	ts := make([]tomb, 0, len(uids))
	kept := mb.msgs[:0]
	k := 0
	for _, m := range mb.msgs {
		if k < len(uids) && uids[k] == m.uid {
			k++
			mb.u.account(-1, -m.c.size)
			mb.modseq++
			ts = append(ts, tomb{uid: m.uid, modseq: mb.modseq})
			mb.broadcast(change{kind: mailstore.UpdateExpunge, uid: m.uid, modseq: mb.modseq, msg: m}, except)
			continue
		}
		kept = append(kept, m)
	}
	clear(mb.msgs[len(kept):])
	mb.msgs = kept
	mb.tombs = append(mb.tombs, ts...)
	if limit := mb.u.b.opts.MaxTombstones; limit > 0 && len(mb.tombs) > limit {
		// Forget the oldest, down to half the limit, so that forgetting
		// is amortised.
		n := len(mb.tombs) - limit/2
		mb.forgotten = mb.tombs[n-1].modseq
		mb.tombs = slices.Delete(mb.tombs, 0, n)
	}
	return ts
}

// expungeModSeq returns the MODSEQ of the expunge of uid, or 1 if it was
// forgotten.
func (mb *mailbox) expungeModSeq(uid uint32) uint64 {
	for _, t := range mb.tombs {
		if t.uid == uid {
			return t.modseq
		}
	}
	return 1
}

// expungedSince returns the UIDs expunged with a MODSEQ above modseq.
func (mb *mailbox) expungedSince(modseq uint64) imap.UIDSet {
	var set imap.UIDSet
	if modseq < mb.forgotten {
		// Forgotten: every UID below UIDNEXT that is not here.
		next := uint32(1)
		for _, m := range mb.msgs {
			if m.uid > next {
				set.AddRange(next, m.uid-1)
			}
			next = m.uid + 1
		}
		if next < mb.uidNext {
			set.AddRange(next, mb.uidNext-1)
		}
		return set
	}
	i, _ := slices.BinarySearchFunc(mb.tombs, modseq+1, func(t tomb, s uint64) int { return cmp.Compare(t.modseq, s) })
	for _, t := range mb.tombs[i:] {
		set.AddNum(t.uid)
	}
	return set
}

// broadcast queues c for every view of mb but except.
func (mb *mailbox) broadcast(c change, except *view) {
	for v := range mb.views {
		if v != except {
			v.enqueue(c)
		}
	}
}

// closeViews closes every view of mb because the mailbox is gone.
func (mb *mailbox) closeViews() {
	for v := range mb.views {
		v.gone = true
		v.queue = nil
		v.notify()
	}
	clear(mb.views)
}

// status returns mb's counts.
func (mb *mailbox) status() *mailstore.MailboxStatus {
	st := &mailstore.MailboxStatus{
		Messages: uint32(len(mb.msgs)), UIDNext: mb.uidNext, UIDValidity: mb.uidValidity,
		HighestModSeq: mb.modseq, MailboxID: mb.id,
	}
	for _, m := range mb.msgs {
		if !hasFlag(m.flags, imap.FlagSeen) {
			st.Unseen++
		}
		if hasFlag(m.flags, imap.FlagDeleted) {
			st.Deleted++
		}
		if m.uid >= mb.recentFrom {
			st.Recent++
		}
		st.Size += m.c.size
	}
	return st
}
