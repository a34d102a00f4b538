package maildir

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

// event is a change queued for a view.
type event struct {
	kind   mailstore.UpdateKind
	uid    uint32
	modseq uint64
	info   mailstore.MessageInfo // new and flag changes
}

// view is one session's open view of a folder (mailstore.Mailbox).
type view struct {
	f       *folder
	name    string
	ro      bool
	updated chan struct{}
	closed  bool

	// Guarded by f.sem.
	queue    []event
	resync   bool
	watching bool

	// The view's own, used by one goroutine at a time.
	msgs        []mailstore.MessageInfo
	uidNext     uint32
	hms         uint64
	uidValidity uint32
	// lastOpen is the last message opened; ra the readahead running
	// (readahead.go).
	lastOpen uint32
	ra       *readahead
}

var _ mailstore.Mailbox = (*view)(nil)

// openView registers a new view of f, which holds a reference for it.
func openView(ctx context.Context, f *folder, name string, ro bool) (*view, error) {
	if err := f.lock(ctx); err != nil {
		return nil, err
	}
	defer f.unlock()
	if err := f.refresh(ctx); err != nil {
		return nil, err
	}
	v := &view{f: f, name: name, ro: ro, updated: make(chan struct{}, 1)}
	st := f.st
	firstRecent := st.firstRecent
	if !ro && firstRecent < st.uidNext {
		// This view claims the recent messages (RFC 3501 §2.3.2).
		err := f.exclusive(ctx, nil, func(b *batch) error {
			firstRecent = f.st.firstRecent
			b.durable = false
			if f.st.firstRecent < f.st.uidNext {
				b.add(&record{typ: recRecent, recent: f.st.uidNext})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		st = f.st
	}
	v.msgs = make([]mailstore.MessageInfo, len(st.msgs))
	for i := range st.msgs {
		v.msgs[i] = st.info(&st.msgs[i])
		v.msgs[i].Recent = st.msgs[i].uid >= firstRecent
	}
	v.uidNext, v.hms, v.uidValidity = st.uidNext, st.hms, st.uidValidity
	f.views[v] = struct{}{}
	return v, nil
}

// signal wakes a waiter on Updated.
func (v *view) signal() {
	select {
	case v.updated <- struct{}{}:
	default:
	}
}

// enqueue queues a change; a view whose queue is full stops queueing and
// is resynchronised at its next Poll. Called under f.sem.
func (v *view) enqueue(e event, limit int) {
	if !v.resync {
		if len(v.queue) >= limit {
			v.resync = true
			v.queue = nil
		} else {
			v.queue = append(v.queue, e)
		}
	}
	v.signal()
}

// Name is the mailbox's name when the view was opened.
func (v *view) Name() string { return v.name }

// ReadOnly reports whether the view was opened read-only.
func (v *view) ReadOnly() bool { return v.ro }

// UIDValidity is the mailbox's UIDVALIDITY.
func (v *view) UIDValidity() uint32 { return v.uidValidity }

// UIDNext is UIDNEXT as of the view's last Poll.
func (v *view) UIDNext() uint32 { return v.uidNext }

// HighestModSeq is HIGHESTMODSEQ as of the view's last Poll.
func (v *view) HighestModSeq() uint64 { return v.hms }

// Messages returns the view's list (read-only for the caller).
func (v *view) Messages() []mailstore.MessageInfo { return v.msgs }

// Updated returns the channel signalled when changes wait for Poll; it
// also starts the folder's watcher (see the package documentation).
func (v *view) Updated() <-chan struct{} {
	v.f.sem <- struct{}{}
	if !v.watching && !v.closed {
		v.watching = true
		v.f.startWatch()
	}
	v.f.unlock()
	return v.updated
}

// PermanentFlags are the system flags, $Forwarded (kept as the Maildir
// letter P), the mailbox's keywords and \* (RFC 3501 §7.1); none for a
// read-only view.
func (v *view) PermanentFlags() []imap.Flag {
	if v.ro {
		return nil
	}
	out := []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft, imap.KeywordForwarded}
	v.f.sem <- struct{}{}
	for _, k := range v.f.st.keywords {
		if !slices.ContainsFunc(out, imap.Flag(k).Equal) {
			out = append(out, imap.Flag(k))
		}
	}
	v.f.unlock()
	return append(out, imap.FlagWildcard)
}

// begin takes the folder's in-process lock for a call of the view.
func (v *view) begin(ctx context.Context, write bool) error {
	if v.closed {
		return fmt.Errorf("%w: mailbox view", mailstore.ErrClosed)
	}
	if write && v.ro {
		return fmt.Errorf("%w: %s", mailstore.ErrReadOnly, v.name)
	}
	if err := v.f.lock(ctx); err != nil {
		return err
	}
	if v.f.gone.Load() {
		v.f.unlock()
		return errGone()
	}
	return nil
}

// find returns the position of uid in the view's list.
func (v *view) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(v.msgs, uid, func(m mailstore.MessageInfo, u uint32) int {
		switch {
		case m.UID < u:
			return -1
		case m.UID > u:
			return 1
		}
		return 0
	})
}

// Poll applies the changes other sessions made, in order (see
// mailstore.Mailbox). Changes of other processes are read from the index
// first, and the folder's directories scanned if they changed.
func (v *view) Poll(ctx context.Context, expunge bool) ([]mailstore.Update, error) {
	v.stopReadahead()
	if err := v.begin(ctx, false); err != nil {
		return nil, err
	}
	defer v.f.unlock()
	if err := v.f.refresh(ctx); err != nil {
		return nil, err
	}
	var ups []mailstore.Update
	var claim []uint32 // new messages this view may claim as \Recent
	var heldMin uint64
	if v.resync {
		ups, claim, heldMin = v.compare(expunge)
		if expunge {
			v.resync = false
		}
		v.queue = nil
	} else {
		var held []event
		for _, e := range v.queue {
			switch e.kind {
			case mailstore.UpdateNew:
				if n := len(v.msgs); n > 0 && v.msgs[n-1].UID >= e.uid {
					continue
				}
				v.msgs = append(v.msgs, e.info)
				claim = append(claim, e.uid)
				ups = append(ups, mailstore.Update{Kind: mailstore.UpdateNew, Seq: uint32(len(v.msgs)), Message: e.info})
			case mailstore.UpdateFlags:
				i, ok := v.find(e.uid)
				if !ok || v.msgs[i].ModSeq >= e.modseq {
					continue
				}
				e.info.Recent = v.msgs[i].Recent
				v.msgs[i] = e.info
				ups = append(ups, mailstore.Update{Kind: mailstore.UpdateFlags, Seq: uint32(i + 1), Message: e.info})
			case mailstore.UpdateExpunge:
				i, ok := v.find(e.uid)
				if !ok {
					continue
				}
				if !expunge {
					held = append(held, e)
					if heldMin == 0 || e.modseq < heldMin {
						heldMin = e.modseq
					}
					continue
				}
				mi := v.msgs[i]
				v.msgs = slices.Delete(v.msgs, i, i+1)
				ups = append(ups, mailstore.Update{Kind: mailstore.UpdateExpunge, Seq: uint32(i + 1), Message: mailstore.MessageInfo{UID: mi.UID}})
			}
		}
		v.queue = held
	}
	v.claimRecent(ctx, claim, ups)
	st := v.f.st
	v.uidNext = st.uidNext
	v.hms = st.hms
	if heldMin > 0 {
		// A client must still learn of the held expunge when it
		// resynchronises from this HIGHESTMODSEQ (RFC 7162 §3.2.5.1).
		v.hms = min(v.hms, heldMin-1)
	}
	return ups, nil
}

// compare brings the view up to date by comparing its list with the
// folder's (the overflow policy): expunges (if expunge), then flag
// changes, then new messages. Called under f.sem.
func (v *view) compare(expunge bool) (ups []mailstore.Update, claim []uint32, heldMin uint64) {
	st := v.f.st
	var tombs map[uint32]uint64
	out := v.msgs[:0:0]
	for _, mi := range v.msgs {
		if st.has(mi.UID) {
			out = append(out, mi)
			continue
		}
		if expunge {
			ups = append(ups, mailstore.Update{Kind: mailstore.UpdateExpunge, Seq: uint32(len(out) + 1), Message: mailstore.MessageInfo{UID: mi.UID}})
			continue
		}
		if tombs == nil {
			tombs = make(map[uint32]uint64, len(st.tombs))
			for _, t := range st.tombs {
				tombs[t.uid] = t.modseq
			}
		}
		ms := tombs[mi.UID]
		if ms == 0 {
			ms = min(v.hms, st.tombFloor) + 1 // forgotten: do not advance
		}
		if heldMin == 0 || ms < heldMin {
			heldMin = ms
		}
		out = append(out, mi)
	}
	v.msgs = out
	for i := range v.msgs {
		mi := &v.msgs[i]
		j, ok := st.find(mi.UID)
		if !ok || st.msgs[j].modseq == mi.ModSeq {
			continue
		}
		info := st.info(&st.msgs[j])
		info.Recent = mi.Recent
		*mi = info
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateFlags, Seq: uint32(i + 1), Message: info})
	}
	var last uint32
	if n := len(v.msgs); n > 0 {
		last = v.msgs[n-1].UID
	}
	k, _ := st.find(last + 1)
	for ; k < len(st.msgs); k++ {
		info := st.info(&st.msgs[k])
		v.msgs = append(v.msgs, info)
		claim = append(claim, info.UID)
		ups = append(ups, mailstore.Update{Kind: mailstore.UpdateNew, Seq: uint32(len(v.msgs)), Message: info})
	}
	return ups, claim, heldMin
}

// claimRecent marks as \Recent the new messages no read-write view has
// claimed yet, for a read-write view, and records the claim. Called
// under f.sem.
func (v *view) claimRecent(ctx context.Context, claim []uint32, ups []mailstore.Update) {
	if len(claim) == 0 {
		return
	}
	f := v.f
	first := f.st.firstRecent
	var top uint32
	for _, u := range claim {
		if u >= first {
			top = max(top, u)
		}
	}
	if top == 0 {
		return
	}
	if !v.ro {
		err := f.exclusive(ctx, nil, func(b *batch) error {
			b.durable = false
			first = f.st.firstRecent
			if first <= top {
				b.add(&record{typ: recRecent, recent: top + 1})
			}
			return nil
		})
		if err != nil {
			return
		}
	}
	for _, u := range claim {
		if i, ok := v.find(u); ok && u >= first {
			v.msgs[i].Recent = true
		}
	}
	for k := range ups {
		if ups[k].Kind == mailstore.UpdateNew && ups[k].Message.UID >= first {
			ups[k].Message.Recent = true
		}
	}
}

// MessageStructure returns a message's structure from the folder's
// structure cache without opening the message file
// (mailstore.StructureReader). A message without a cached structure is
// opened and parsed once.
func (v *view) MessageStructure(ctx context.Context, uid uint32) (*mime.Structure, error) {
	if _, ok := v.find(uid); !ok {
		return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
	}
	if err := v.begin(ctx, false); err != nil {
		return nil, err
	}
	f := v.f
	j, ok := f.st.find(uid)
	if !ok {
		f.unlock()
		return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
	}
	if s := f.decodedStructure(uid); s != nil {
		f.unlock()
		return s, nil
	}
	m := f.st.msgs[j]
	if m.cacheLen > 0 {
		if c, err := f.cacheHandle(); err == nil {
			if blob, ok := readCacheEntry(c, m.cacheOff, m.cacheLen, uid); ok {
				s := new(mime.Structure)
				if s.UnmarshalBinary(blob) == nil {
					f.keepStructure(uid, s)
					f.unlock()
					return s, nil
				}
			}
		}
	}
	f.unlock()
	msg, err := v.OpenMessage(ctx, uid)
	if err != nil {
		return nil, err
	}
	defer msg.Close()
	return msg.Structure(ctx)
}

// OpenMessage opens a message of the view for reading. A message
// another session expunged (and whose file is gone) gives
// mailstore.ErrNoSuchMessage. Small messages opened in the order of the
// view's list are read ahead (readahead.go).
func (v *view) OpenMessage(ctx context.Context, uid uint32) (mailstore.Message, error) {
	pos, ok := v.find(uid)
	if !ok {
		return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
	}
	ahead := v.takeReadahead(uid)
	if err := v.begin(ctx, false); err != nil {
		if ahead != nil {
			ahead.Close()
		}
		return nil, err
	}
	defer v.f.unlock()
	f := v.f
	sequential := pos > 0 && v.msgs[pos-1].UID == v.lastOpen
	v.lastOpen = uid
	if ahead != nil {
		if _, ok := f.st.find(uid); !ok {
			ahead.Close()
			return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
		}
		return ahead, nil
	}
	for attempt := 0; ; attempt++ {
		j, ok := f.st.find(uid)
		if !ok {
			return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
		}
		m := &f.st.msgs[j]
		fd, err := openFile(f.dir + string(filepath.Separator) + m.fileName())
		if err == nil {
			mf := newMsgFile(f, fd, uid, m)
			if sequential && v.ra == nil {
				v.startReadahead(pos)
			}
			return mf, nil
		}
		if !os.IsNotExist(err) || attempt > 0 {
			if os.IsNotExist(err) {
				return nil, fmt.Errorf("%w: UID %d", mailstore.ErrNoSuchMessage, uid)
			}
			return nil, fmt.Errorf("maildir: %w", err)
		}
		// Moved or removed by another program: scan and retry.
		f.forceScan = true
		if err := f.refresh(ctx); err != nil {
			return nil, err
		}
	}
}

// normalizeChange checks a flag change's flags.
func normalizeChange(change mailstore.FlagChange) (uint8, []string, error) {
	return splitFlags(change.Flags)
}

// SetFlags changes flags (STORE, RFC 3501 §6.4.6; UNCHANGEDSINCE, RFC
// 7162 §3.1.3). Files are renamed to carry the new flag letters, the
// directory is fsync'd, and then the change is recorded in the index with
// one new MODSEQ.
func (v *view) SetFlags(ctx context.Context, uids []uint32, change mailstore.FlagChange) (*mailstore.FlagResult, error) {
	std, kwNames, err := normalizeChange(change)
	if err != nil {
		return nil, err
	}
	if err := v.begin(ctx, true); err != nil {
		return nil, err
	}
	defer v.f.unlock()
	f := v.f
	res := &mailstore.FlagResult{}
	var changes []flagChange
	err = f.exclusive(ctx, v, func(b *batch) error {
		var kw []uint16
		for _, k := range kwNames {
			i, err := b.keyword(k)
			if err != nil {
				return err
			}
			kw = append(kw, i)
		}
		kwSet := kwString(kw)
		renamed := false
		defer func() {
			if renamed {
				b.touched = true
				f.u.b.syncDir(filepath.Join(f.dir, "cur"))
			}
		}()
		for _, uid := range uids {
			j, ok := f.st.find(uid)
			if !ok {
				continue
			}
			m := &f.st.msgs[j]
			if change.UnchangedSince != 0 && m.modseq > change.UnchangedSince {
				res.Failed = append(res.Failed, uid)
				continue
			}
			nstd, nkw := applyChange(m.std, m.kw, change.Op, std, kwSet)
			if nstd == m.std && nkw == m.kw {
				continue
			}
			info := f.infoFor(b, nstd, nkw, m.info)
			inNew := m.inNew
			if inNew || info != m.info {
				from := filepath.Join(f.dir, m.fileName())
				to := filepath.Join(f.dir, "cur", m.base+info)
				err := os.Rename(from, to)
				if os.IsNotExist(err) {
					if p, ok := b.locate(m.base); ok {
						err = os.Rename(filepath.Join(f.dir, p), to)
					}
				}
				if os.IsNotExist(err) {
					continue // gone: the next scan expunges it
				}
				if err != nil {
					return fmt.Errorf("maildir: %w", err)
				}
				renamed = true
				inNew = false
			}
			changes = append(changes, flagChange{uid: uid, std: nstd, kw: nkw, inNew: inNew, info: info})
		}
		if len(changes) > 0 {
			b.add(&record{typ: recFlags, modseq: b.modseq(), changes: changes})
		}
		return nil
	})
	// Apply what was recorded to the view, even after an error.
	for _, c := range changes {
		j, ok := f.st.find(c.uid)
		i, ok2 := v.find(c.uid)
		if !ok || !ok2 || f.st.msgs[j].std != c.std || f.st.msgs[j].kw != c.kw {
			continue
		}
		info := f.st.info(&f.st.msgs[j])
		info.Recent = v.msgs[i].Recent
		v.msgs[i] = info
		res.Changed = append(res.Changed, info)
	}
	v.ownChange()
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ownChange advances the view's HIGHESTMODSEQ after its own change when
// nothing else is waiting for it.
func (v *view) ownChange() {
	if len(v.queue) == 0 && !v.resync {
		v.hms = v.f.st.hms
		v.uidNext = v.f.st.uidNext
	}
}

// applyChange returns the flags std/kw changed by op with cstd/ckw.
func applyChange(std uint8, kw string, op mailstore.FlagOp, cstd uint8, ckw string) (uint8, string) {
	switch op {
	case mailstore.FlagsAdd:
		if ckw == "" {
			return std | cstd, kw
		}
		return std | cstd, kwString(append(kwIndexes(kw), kwIndexes(ckw)...))
	case mailstore.FlagsRemove:
		if ckw == "" || kw == "" {
			return std &^ cstd, kw
		}
		rm := kwIndexes(ckw)
		return std &^ cstd, kwString(slices.DeleteFunc(kwIndexes(kw), func(i uint16) bool { return slices.Contains(rm, i) }))
	default:
		return cstd, ckw
	}
}

// Expunge removes messages (EXPUNGE, UID EXPUNGE): their files are
// unlinked, the directory fsync'd, and the expunge recorded with one new
// MODSEQ (a tombstone per UID for ExpungedSince).
func (v *view) Expunge(ctx context.Context, uids []uint32) ([]mailstore.Expunged, error) {
	if err := v.begin(ctx, true); err != nil {
		return nil, err
	}
	defer v.f.unlock()
	f := v.f
	err := f.exclusive(ctx, v, func(b *batch) error {
		var gone []uint32
		defer func() {
			if len(gone) > 0 {
				b.touched = true
				f.u.b.syncDir(filepath.Join(f.dir, "cur"))
				b.add(&record{typ: recExpunge, modseq: b.modseq(), uids: gone})
			}
		}()
		for _, uid := range uids {
			j, ok := f.st.find(uid)
			if !ok {
				continue
			}
			m := &f.st.msgs[j]
			err := os.Remove(filepath.Join(f.dir, m.fileName()))
			if os.IsNotExist(err) {
				if p, ok := b.locate(m.base); ok {
					err = os.Remove(filepath.Join(f.dir, p))
				} else {
					err = nil
				}
			}
			if err != nil && !os.IsNotExist(err) {
				return fmt.Errorf("maildir: %w", err)
			}
			gone = append(gone, uid)
		}
		return nil
	})
	out := v.removeGone(uids)
	v.ownChange()
	return out, err
}

// removeGone removes from the view the given UIDs that are no longer in
// the folder (expunged now, or earlier by another session and held
// back), and returns them as EXPUNGE responses carry them. Called under
// f.sem.
func (v *view) removeGone(uids []uint32) []mailstore.Expunged {
	var out []mailstore.Expunged
	var removed []uint32
	for _, uid := range uids {
		i, ok := v.find(uid)
		if !ok || v.f.st.has(uid) {
			continue
		}
		v.msgs = slices.Delete(v.msgs, i, i+1)
		out = append(out, mailstore.Expunged{UID: uid, Seq: uint32(i + 1)})
		removed = append(removed, uid)
	}
	if len(removed) > 0 && len(v.queue) > 0 {
		v.queue = slices.DeleteFunc(v.queue, func(e event) bool {
			return e.kind == mailstore.UpdateExpunge && slices.Contains(removed, e.uid)
		})
	}
	return out
}

// Copy copies messages to another mailbox (RFC 3501 §6.4.7), keeping
// flags and internal dates: the files are hard-linked under new names
// (copied if linking fails) and the structures are copied from the
// cache.
func (v *view) Copy(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, error) {
	if v.closed {
		return nil, fmt.Errorf("%w: mailbox view", mailstore.ErrClosed)
	}
	dst, err := v.destination(ctx, dest)
	if err != nil {
		return nil, err
	}
	defer v.f.u.release(dst)
	uids = slices.DeleteFunc(slices.Clone(uids), func(u uint32) bool { _, ok := v.find(u); return !ok })
	// A copy adds to the user's one quota root (a move within it does
	// not); checked before anything is written.
	var n, octets int64
	for _, u := range uids {
		i, _ := v.find(u)
		n++
		octets += v.msgs[i].Size
	}
	if err := v.f.u.quotaCheck(ctx, n, octets); err != nil {
		return nil, err
	}
	res, err := transfer(ctx, v.f, dst, v, uids, false)
	if err != nil {
		return nil, err
	}
	return &mailstore.CopyResult{UIDValidity: res.uidValidity, SourceUIDs: res.src, DestUIDs: res.dst}, nil
}

// Move moves messages to another mailbox (RFC 6851): the files are
// renamed into the destination, which records them first; the source
// then records their expunge. A crash in between leaves each message in
// exactly one place (the source's scan drops the entries whose files
// left).
func (v *view) Move(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, []mailstore.Expunged, error) {
	if v.closed {
		return nil, nil, fmt.Errorf("%w: mailbox view", mailstore.ErrClosed)
	}
	if v.ro {
		return nil, nil, fmt.Errorf("%w: %s", mailstore.ErrReadOnly, v.name)
	}
	dst, err := v.destination(ctx, dest)
	if err != nil {
		return nil, nil, err
	}
	defer v.f.u.release(dst)
	uids = slices.DeleteFunc(slices.Clone(uids), func(u uint32) bool { _, ok := v.find(u); return !ok })
	res, err := transfer(ctx, v.f, dst, v, uids, true)
	if err := v.f.lock(ctx); err != nil {
		return nil, nil, err
	}
	exp := v.removeGone(res.src)
	v.ownChange()
	v.f.unlock()
	if err != nil {
		return nil, exp, err
	}
	return &mailstore.CopyResult{UIDValidity: res.uidValidity, SourceUIDs: res.src, DestUIDs: res.dst}, exp, nil
}

func (v *view) destination(ctx context.Context, dest string) (*folder, error) {
	c, err := canonicalName(dest)
	if err != nil {
		return nil, err
	}
	f, err := v.f.u.folder(ctx, diskName(c))
	if err != nil {
		if errors.Is(err, mailstore.ErrClosed) {
			err = fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, c)
		}
		return nil, err
	}
	return f, nil
}

// ExpungedSince returns the UIDs expunged with a MODSEQ above modseq
// (QRESYNC, RFC 7162 §3.2.5.1); when the tombstones do not reach that
// far back, every UID below UIDNEXT that is not in the mailbox.
func (v *view) ExpungedSince(ctx context.Context, modseq uint64) (imap.UIDSet, error) {
	if err := v.begin(ctx, false); err != nil {
		return imap.UIDSet{}, err
	}
	defer v.f.unlock()
	if err := v.f.refresh(ctx); err != nil {
		return imap.UIDSet{}, err
	}
	st := v.f.st
	var set imap.UIDSet
	if modseq < st.tombFloor {
		next := uint32(1)
		for i := range st.msgs {
			if u := st.msgs[i].uid; u > next {
				set.AddRange(next, u-1)
			}
			next = st.msgs[i].uid + 1
		}
		if next < st.uidNext {
			set.AddRange(next, st.uidNext-1)
		}
		return set, nil
	}
	var uids []uint32
	k, _ := slices.BinarySearchFunc(st.tombs, modseq+1, func(t tomb, m uint64) int {
		switch {
		case t.modseq < m:
			return -1
		case t.modseq > m:
			return 1
		}
		return 0
	})
	for _, t := range st.tombs[k:] {
		uids = append(uids, t.uid)
	}
	slices.Sort(uids)
	for _, u := range slices.Compact(uids) {
		set.AddNum(u)
	}
	return set, nil
}

// Close releases the view.
func (v *view) Close() error {
	if v.closed {
		return nil
	}
	v.stopReadahead()
	v.closed = true
	f := v.f
	f.sem <- struct{}{}
	delete(f.views, v)
	if v.watching {
		v.watching = false
		f.stopWatch()
	}
	f.unlock()
	f.u.release(f)
	return nil
}

// transferResult is the outcome of transfer.
type transferResult struct {
	uidValidity uint32
	src, dst    []uint32
}

// transfer copies (move false) or moves the messages uids (all if nil)
// of src to dst, under both folders' locks, taken in name order.
func transfer(ctx context.Context, src, dst *folder, origin *view, uids []uint32, move bool) (*transferResult, error) {
	res := &transferResult{}
	first, second := src, dst
	if dst.disk < src.disk {
		first, second = dst, src
	}
	if err := first.lock(ctx); err != nil {
		return res, err
	}
	defer first.unlock()
	if second != first {
		if err := second.lock(ctx); err != nil {
			return res, err
		}
		defer second.unlock()
	}
	for _, f := range []*folder{first, second} {
		if f.gone.Load() {
			if f == dst {
				return res, fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, f.disk)
			}
			return res, errGone()
		}
	}
	b1, err := first.begin(ctx)
	if err != nil {
		return res, err
	}
	b2 := b1
	if second != first {
		b2, err = second.begin(ctx)
		if err != nil {
			first.end(b1, nil)
			return res, err
		}
	}
	sb, db := b1, b2
	if first != src {
		sb, db = b2, b1
	}
	if uids == nil {
		for i := range src.st.msgs {
			uids = append(uids, src.st.msgs[i].uid)
		}
	}
	res.uidValidity = dst.st.uidValidity
	var added []message
	var werr error
	uidNext := dst.st.uidNext
	namer := src.u.b.namer
	var srcCache *os.File
	defer func() {
		if srcCache != nil {
			srcCache.Close()
		}
	}()
	for _, uid := range uids {
		j, ok := src.st.find(uid)
		if !ok {
			continue
		}
		m := src.st.msgs[j]
		from := filepath.Join(src.dir, m.fileName())
		fi, err := os.Stat(from)
		if os.IsNotExist(err) {
			if p, ok := sb.locate(m.base); ok {
				from = filepath.Join(src.dir, p)
				fi, err = os.Stat(from)
			}
		}
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			werr = err
			break
		}
		base := namer.next(time.Now()) + ",S=" + itoa64(fi.Size())
		if m.conv {
			base += ",W=" + itoa64(m.size)
		}
		var kw []uint16
		for _, k := range kwIndexes(m.kw) {
			i, err := db.keyword(src.st.keywords[k])
			if err != nil {
				werr = err
				break
			}
			kw = append(kw, i)
		}
		if werr != nil {
			break
		}
		nm := message{uid: uidNext, std: m.std, kw: kwString(kw), conv: m.conv, date: m.date, size: m.size, base: base}
		nm.info = dst.infoFor(db, nm.std, nm.kw, "")
		to := filepath.Join(dst.dir, "cur", nm.base+nm.info)
		if move {
			err = os.Rename(from, to)
		} else {
			err = os.Link(from, to)
		}
		if err != nil && !os.IsNotExist(err) {
			// Another file system, or no hard links: copy the bytes.
			err = copyFile(src.u.b, from, dst.dir, to)
			if err == nil && move {
				err = os.Remove(from)
				if err != nil {
					os.Remove(to)
				}
			}
		}
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			werr = fmt.Errorf("maildir: %w", err)
			break
		}
		if m.cacheLen > 0 {
			if srcCache == nil {
				srcCache, _ = os.Open(filepath.Join(src.dir, cacheFile))
			}
			if srcCache != nil {
				if blob, ok := readCacheEntry(srcCache, m.cacheOff, m.cacheLen, m.uid); ok {
					if off, l, err := dst.cacheAppend(nm.uid, blob); err == nil {
						nm.cacheOff, nm.cacheLen = off, l
					}
				}
			}
		}
		uidNext++
		added = append(added, nm)
		res.src = append(res.src, uid)
		res.dst = append(res.dst, nm.uid)
	}
	if len(added) > 0 {
		db.touched = true
		dst.u.b.syncDir(filepath.Join(dst.dir, "cur"))
		ms := db.modseq()
		for i := range added {
			added[i].modseq = ms
		}
		db.add(&record{typ: recAdd, modseq: ms, add: added})
		if move {
			sb.touched = true
			if src != dst {
				src.u.b.syncDir(filepath.Join(src.dir, "cur"))
			}
			sb.add(&record{typ: recExpunge, modseq: sb.modseq(), uids: slices.Clone(res.src)})
		}
	}
	// The destination records first, so that a crash between the two
	// commits leaves each message in the destination only.
	var origins = map[*folder]*view{src: origin}
	if src == dst {
		err = src.end(sb, origin)
	} else {
		err = dst.end(db, origins[dst])
		if err2 := src.end(sb, origin); err == nil {
			err = err2
		}
	}
	if werr != nil {
		return res, werr
	}
	return res, err
}

// copyFile copies a message file into dir/tmp and renames it to to.
func copyFile(b *Backend, from, dir, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := filepath.Join(dir, "tmp", b.namer.next(time.Now()))
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = b.syncFile(out)
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if fi, e := in.Stat(); e == nil {
			os.Chtimes(tmp, fi.ModTime(), fi.ModTime())
		}
		err = os.Rename(tmp, to)
	}
	if err != nil {
		os.Remove(tmp)
		if errors.Is(err, syscall.ENOSPC) {
			return err
		}
	}
	return err
}
