package maildir

import (
	"context"
	"errors"
	"fmt"
	"github.com/mailaccess/mailaccess/mime"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
)

// folder is one Maildir folder (cur/new/tmp and the index beside them) as
// a Backend shares it between the views and store handles of its
// process: the in-process switchboard. Its state follows the index file;
// changes made through it are written to the index and delivered to its
// views at once, changes made by other processes when it next refreshes.
type folder struct {
	u    *userRoot
	disk string
	dir  string
	refs int // guarded by u.mu

	sem  chan struct{} // the in-process lock
	gone atomic.Bool   // deleted or renamed away

	// Guarded by sem.
	loaded    atomic.Bool
	st        *state
	idx       *os.File // the index file
	idxOff    int64    // end of the valid records read
	snapEnd   int64    // end of the snapshot record
	idxIno    uint64
	lockF     *os.File // the lock file
	ex        bool     // holding the exclusive file lock
	cache     *os.File // the structure cache, opened lazily
	dkw       [26]string
	dkwRev    map[string]int // lower-case keyword -> letter index
	dkwMod    time.Time
	uidlist   *uidlist // Dovecot's UIDs to keep at the first scan
	forceScan bool
	// dirChecked is when needScan last looked at the directories' times
	// and found nothing new; it looks again only after dirCheckInterval.
	dirChecked time.Time
	// structs holds recently decoded structures (shared, read-only),
	// structRing their UIDs in insertion order for eviction.
	structs    map[uint32]*mime.Structure
	structRing []uint32
	structNext int
	views      map[*view]struct{}
	watchers   int
	watchStop  chan struct{}
	// changes is the shared change counter in the lock file; seen is
	// its value when readTail last ran (seenOK: it ran to the end with
	// a mapping), at tailChecked (see changes.go).
	changes     counter
	seen        uint64
	seenOK      bool
	tailChecked time.Time
	// usage caches the folder's totals for the quota (quota.go).
	usage folderUsage
}

func newFolder(u *userRoot, disk string) *folder {
	return &folder{u: u, disk: disk, dir: u.path(disk), sem: make(chan struct{}, 1), views: make(map[*view]struct{})}
}

func (f *folder) opts() *Options { return &f.u.b.opts }

// lock takes the in-process lock.
func (f *folder) lock(ctx context.Context) error {
	select {
	case f.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *folder) unlock() { <-f.sem }

// close releases the folder's files (no references remain).
func (f *folder) close() {
	f.sem <- struct{}{}
	defer f.unlock()
	if f.watchStop != nil {
		close(f.watchStop)
		f.watchStop = nil
	}
	for _, c := range []*os.File{f.idx, f.lockF, f.cache} {
		if c != nil {
			c.Close()
		}
	}
	f.idx, f.lockF, f.cache = nil, nil, nil
	f.changes.unmap()
	f.seenOK = false
	f.loaded.Store(false)
}

// markGone closes the folder's views: the mailbox was deleted or renamed.
func (f *folder) markGone() {
	f.gone.Store(true)
	f.sem <- struct{}{}
	for v := range f.views {
		v.signal()
	}
	f.unlock()
}

// errGone is the error of a call on a folder that was deleted or renamed.
func errGone() error {
	return fmt.Errorf("%w: the mailbox was deleted or renamed", mailstore.ErrClosed)
}

// ensureLoaded reads the index, creating it if the folder has none.
// Called under the in-process lock.
func (f *folder) ensureLoaded(ctx context.Context) error {
	if f.gone.Load() {
		return errGone()
	}
	if f.loaded.Load() {
		return nil
	}
	if fi, err := os.Stat(filepath.Join(f.dir, "cur")); err != nil || !fi.IsDir() {
		if err == nil || os.IsNotExist(err) {
			return fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, f.disk)
		}
		return err
	}
	if f.lockF == nil {
		lf, err := os.OpenFile(filepath.Join(f.dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
		f.lockF = lf
		f.changes = mapCounter(lf)
	}
	err := f.openIndex()
	if err != nil && !os.IsNotExist(err) && !errors.Is(err, errBadIndex) {
		return fmt.Errorf("maildir: %w", err)
	}
	if err != nil {
		// Missing or unreadable: create (or rebuild) it under the lock.
		if err := flock(ctx, f.lockF, syscall.LOCK_EX); err != nil {
			return err
		}
		f.ex = true
		err = f.openIndex()
		if err != nil && (os.IsNotExist(err) || errors.Is(err, errBadIndex)) {
			err = f.initIndex(ctx, err)
			if err == nil {
				f.changes.add()
			}
		}
		if err == nil {
			err = f.openIndex()
		}
		f.ex = false
		funlock(f.lockF)
		if err != nil {
			return err
		}
	}
	f.loaded.Store(true)
	// A dirty scan state may hide files written by a process that
	// crashed: check the directories now, however recent the state.
	if f.st.scan.dirty {
		f.forceScan = true
	}
	f.cleanTmp()
	return f.refresh(ctx)
}

// openIndex opens and reads the index file into f.st.
func (f *folder) openIndex() error {
	idx, err := os.OpenFile(filepath.Join(f.dir, indexFile), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	st, off, snapEnd, err := readIndex(idx)
	if err != nil {
		idx.Close()
		return err
	}
	fi, err := idx.Stat()
	if err != nil {
		idx.Close()
		return err
	}
	if f.idx != nil {
		f.idx.Close()
	}
	f.idx, f.idxOff, f.snapEnd, f.idxIno = idx, off, snapEnd, inode(fi)
	f.st = st
	return nil
}

// inode returns a file's inode number.
func inode(fi os.FileInfo) uint64 {
	if s, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Ino)
	}
	return 0
}

// errBadIndex marks an index file that cannot be read.
var errBadIndex = errors.New("maildir: bad index file")

// readIndex reads a whole index file: the snapshot and the records after
// it, up to the first record that is not whole.
func readIndex(idx *os.File) (st *state, off, snapEnd int64, err error) {
	fi, err := idx.Stat()
	if err != nil {
		return nil, 0, 0, err
	}
	data := make([]byte, fi.Size())
	if _, err := io.ReadFull(io.NewSectionReader(idx, 0, fi.Size()), data); err != nil {
		return nil, 0, 0, err
	}
	if len(data) < len(indexMagic) || string(data[:len(indexMagic)]) != indexMagic {
		return nil, 0, 0, fmt.Errorf("%w: %s: no magic", errBadIndex, idx.Name())
	}
	p := len(indexMagic)
	body, n, ok := nextFrame(data[p:])
	if !ok {
		return nil, 0, 0, fmt.Errorf("%w: %s: no snapshot", errBadIndex, idx.Name())
	}
	r, err := decodeRecord(body)
	if err != nil || r.typ != recSnapshot {
		return nil, 0, 0, fmt.Errorf("%w: %s: bad snapshot: %v", errBadIndex, idx.Name(), err)
	}
	st = r.snap
	p += n
	snapEnd = int64(p)
	for {
		body, n, ok := nextFrame(data[p:])
		if !ok {
			break
		}
		r, err := decodeRecord(body)
		if err != nil {
			break
		}
		st.apply(r, nil)
		p += n
	}
	return st, int64(p), snapEnd, nil
}

// initIndex creates the index of a folder that has none (or whose index
// is unreadable: cause), under the exclusive file lock. It keeps
// Dovecot's UIDVALIDITY and UIDs if the folder has a dovecot-uidlist;
// the files themselves are indexed by the scan that follows.
func (f *folder) initIndex(ctx context.Context, cause error) error {
	path := filepath.Join(f.dir, indexFile)
	if !os.IsNotExist(cause) {
		// Keep the unreadable file for inspection; the new index gets a
		// new UIDVALIDITY, since its UIDs cannot be trusted.
		os.Rename(path, path+".broken-"+time.Now().UTC().Format("20060102T150405"))
	}
	s := newState()
	s.hms = 1
	s.mailboxID = randomID(12)
	if ul := readDovecotUIDList(filepath.Join(f.dir, uidlistFile)); ul != nil && os.IsNotExist(cause) {
		s.uidValidity, s.uidNext = ul.uidValidity, max(ul.nextUID, 1)
		f.uidlist = ul
	} else {
		uv, err := f.u.nextUIDValidity(ctx)
		if err != nil {
			return err
		}
		s.uidValidity, s.uidNext = uv, 1
	}
	s.firstRecent = 1
	f.forceScan = true
	return writeSnapshot(f.u.b, f.dir, s)
}

// writeSnapshot writes an index file holding one snapshot of s, through a
// temporary file renamed over the index.
func writeSnapshot(b *Backend, dir string, s *state) error {
	buf := appendRecord([]byte(indexMagic), &record{typ: recSnapshot, snap: s})
	tmp := filepath.Join(dir, indexFile+".tmp."+randomID(6))
	t, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = t.Write(buf)
	if err == nil {
		err = b.syncFile(t)
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, indexFile))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return b.syncDir(dir)
}

// cleanTmp removes files left in tmp/ for more than 36 hours, as the
// Maildir specification asks.
func (f *folder) cleanTmp() {
	d, err := os.Open(filepath.Join(f.dir, "tmp"))
	if err != nil {
		return
	}
	defer d.Close()
	ents, err := d.ReadDir(10000)
	if err != nil && len(ents) == 0 {
		return
	}
	limit := time.Now().Add(-36 * time.Hour)
	for _, e := range ents {
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && fi.ModTime().Before(limit) {
			os.Remove(filepath.Join(d.Name(), e.Name()))
		}
	}
}

// refresh brings the state up to date with the disk: records other
// processes appended, a compacted or replaced index, and files changed by
// other programs (a scan, under the exclusive lock). Called under the
// in-process lock.
func (f *folder) refresh(ctx context.Context) error {
	if f.gone.Load() {
		return errGone()
	}
	if !f.tailUnchanged(time.Now()) {
		if err := f.readTail(); err != nil {
			return err
		}
	}
	if f.gone.Load() {
		return errGone()
	}
	need, err := f.needScan()
	if err != nil || !need {
		return err
	}
	if f.ex {
		return f.scanAndCommit()
	}
	return f.exclusive(ctx, nil, func(*batch) error { return nil })
}

// readTail applies the records appended since the last read and follows
// a compaction (the index file replaced). Holding the exclusive lock, it
// also truncates a torn record left by a crash. It notes the change
// counter as of before the read (changes.go).
func (f *folder) readTail() error {
	v, ok := f.changes.load()
	if err := f.readTailNow(); err != nil {
		f.seenOK = false
		return err
	}
	f.seen, f.seenOK, f.tailChecked = v, ok, time.Now()
	return nil
}

func (f *folder) readTailNow() error {
	fi, err := f.idx.Stat()
	if err != nil {
		return err
	}
	if size := fi.Size(); size > f.idxOff {
		buf := make([]byte, size-f.idxOff)
		if _, err := f.idx.ReadAt(buf, f.idxOff); err != nil && err != io.EOF {
			return err
		}
		p := 0
		for {
			body, n, ok := nextFrame(buf[p:])
			if !ok {
				break
			}
			r, err := decodeRecord(body)
			if err != nil {
				break
			}
			f.st.apply(r, f.deliverFunc(nil))
			p += n
		}
		f.idxOff += int64(p)
		if f.ex && f.idxOff < size {
			// A record cut short by a crash: no writer is active.
			if err := f.idx.Truncate(f.idxOff); err != nil {
				return err
			}
		}
	}
	// Was the index replaced (compacted, or the folder deleted)?
	pfi, err := os.Stat(filepath.Join(f.dir, indexFile))
	if err != nil {
		if os.IsNotExist(err) {
			f.gone.Store(true)
			f.signalAll()
			return nil
		}
		return err
	}
	if inode(pfi) == f.idxIno {
		return nil
	}
	idx, err := os.OpenFile(filepath.Join(f.dir, indexFile), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	st, off, snapEnd, err := readIndex(idx)
	if err != nil {
		idx.Close()
		if errors.Is(err, errBadIndex) {
			f.gone.Store(true)
			f.signalAll()
			return nil
		}
		return err
	}
	nfi, err := idx.Stat()
	if err != nil {
		idx.Close()
		return err
	}
	if st.uidValidity != f.st.uidValidity || st.mailboxID != f.st.mailboxID {
		// Another folder now has this name.
		idx.Close()
		f.gone.Store(true)
		f.signalAll()
		return nil
	}
	f.idx.Close()
	f.idx, f.idxOff, f.snapEnd, f.idxIno = idx, off, snapEnd, inode(nfi)
	old := f.st
	f.st = st
	f.diff(old, st)
	return nil
}

// diff delivers to the views what changed from old to cur, when the index
// was replaced by one whose records in between could not be read.
func (f *folder) diff(old, cur *state) {
	ev := f.deliverFunc(nil)
	var expunged []uint32
	i, j := 0, 0
	for i < len(old.msgs) || j < len(cur.msgs) {
		switch {
		case j == len(cur.msgs) || (i < len(old.msgs) && old.msgs[i].uid < cur.msgs[j].uid):
			expunged = append(expunged, old.msgs[i].uid)
			i++
		case i == len(old.msgs) || old.msgs[i].uid > cur.msgs[j].uid:
			j++ // new: delivered below
		default:
			if old.msgs[i].modseq != cur.msgs[j].modseq {
				ev(mailstore.UpdateFlags, &cur.msgs[j], cur.msgs[j].uid, cur.msgs[j].modseq)
			}
			i++
			j++
		}
	}
	if len(expunged) > 0 {
		ms := make(map[uint32]uint64, len(cur.tombs))
		for _, t := range cur.tombs {
			ms[t.uid] = t.modseq
		}
		for _, u := range expunged {
			m := ms[u]
			if m == 0 {
				m = cur.hms
			}
			ev(mailstore.UpdateExpunge, nil, u, m)
		}
	}
	var lastOld uint32
	if len(old.msgs) > 0 {
		lastOld = old.msgs[len(old.msgs)-1].uid
	}
	for k := range cur.msgs {
		if cur.msgs[k].uid > lastOld || !old.has(cur.msgs[k].uid) {
			ev(mailstore.UpdateNew, &cur.msgs[k], cur.msgs[k].uid, cur.msgs[k].modseq)
		}
	}
}

func (s *state) has(uid uint32) bool {
	_, ok := s.find(uid)
	return ok
}

// granularity is how long after a directory's modification time another
// change could still leave it unchanged: timestamps come from a coarse
// clock, and some file systems keep whole seconds only.
func granularity(mtimes ...int64) time.Duration {
	for _, m := range mtimes {
		if m%int64(time.Second) != 0 {
			return 100 * time.Millisecond
		}
	}
	return 2 * time.Second
}

// dirTimes returns the modification times of new/ and cur/.
func (f *folder) dirTimes() (newM, curM int64, err error) {
	nfi, err := os.Stat(f.dir + string(filepath.Separator) + "new")
	if err != nil {
		return 0, 0, err
	}
	cfi, err := os.Stat(f.dir + string(filepath.Separator) + "cur")
	if err != nil {
		return 0, 0, err
	}
	return nfi.ModTime().UnixNano(), cfi.ModTime().UnixNano(), nil
}

// needScan reports whether the directories may hold changes the index
// does not know: their times differ from the last scan's, or the last
// scan's times were too recent to be sure.
func (f *folder) needScan() (bool, error) {
	if f.forceScan {
		return true, nil
	}
	// Changes made through any mailaccess Backend reach the index, which
	// refresh reads every time; the directories only show changes made by
	// other programs (a MUA, Dovecot), which may wait a little.
	now := time.Now()
	if !f.st.scan.dirty && now.Sub(f.dirChecked) < dirCheckInterval {
		return false, nil
	}
	n, c, err := f.dirTimes()
	if err != nil {
		if os.IsNotExist(err) {
			f.gone.Store(true)
			f.signalAll()
			return false, errGone()
		}
		return false, err
	}
	s := f.st.scan
	if n != s.newM || c != s.curM {
		return true, nil
	}
	if !s.dirty {
		f.dirChecked = now
	}
	return s.dirty && now.UnixNano()-s.at >= int64(granularity(n, c)), nil
}

// dirCheckInterval is how often needScan looks at the directories for
// changes made by other programs (a variable for the tests).
var dirCheckInterval = 20 * time.Millisecond

// batch collects the records of one change under the exclusive lock.
type batch struct {
	f        *folder
	kwRecs   []*record
	recs     []*record
	hms      uint64
	kwNew    []string
	touched  bool // files in new/ or cur/ were added, renamed or removed
	durable  bool // fsync the index
	inSync   bool // the directories were as the last scan saw them
	dirs     map[string]string
	dirsRead bool
}

// modseq returns the next MODSEQ for a record of the batch.
func (b *batch) modseq() uint64 {
	b.hms++
	return b.hms
}

func (b *batch) add(r *record) { b.recs = append(b.recs, r) }

// keyword returns the index of a keyword, defining it if need be.
func (b *batch) keyword(name string) (uint16, error) {
	st := b.f.st
	low := strings.ToLower(name)
	if i, ok := st.kwIndex[low]; ok {
		return i, nil
	}
	for k, n := range b.kwNew {
		if strings.ToLower(n) == low {
			return uint16(len(st.keywords) + k), nil
		}
	}
	i := len(st.keywords) + len(b.kwNew)
	if i >= maxKeywords {
		return 0, fmt.Errorf("%w: too many keywords in the mailbox", mailstore.ErrNotAllowed)
	}
	b.kwNew = append(b.kwNew, name)
	b.kwRecs = append(b.kwRecs, &record{typ: recKeyword, keyword: name})
	return uint16(i), nil
}

// keywordName returns the name of a keyword index of the batch.
func (b *batch) keywordName(i uint16) string {
	if int(i) < len(b.f.st.keywords) {
		return b.f.st.keywords[i]
	}
	return b.kwNew[int(i)-len(b.f.st.keywords)]
}

// locate finds a message's file by its base name when it is not where
// the index says (another program moved it): it lists new/ and cur/
// once per batch.
func (b *batch) locate(base string) (string, bool) {
	if !b.dirsRead {
		b.dirsRead = true
		b.dirs = make(map[string]string)
		for _, sub := range []string{"new", "cur"} {
			names, _ := readNames(filepath.Join(b.f.dir, sub))
			for _, n := range names {
				bs, _ := splitName(n)
				if _, ok := b.dirs[bs]; !ok || sub == "cur" {
					b.dirs[bs] = sub + "/" + n
				}
			}
		}
	}
	p, ok := b.dirs[base]
	return p, ok
}

// exclusive runs fn under the in-process lock (held by the caller) and
// the exclusive file lock, with the state up to date, then commits the
// records fn added (also when fn fails part way: what it did on disk is
// recorded) and delivers the changes, those of origin's own calls
// excepted.
func (f *folder) exclusive(ctx context.Context, origin *view, fn func(b *batch) error) error {
	b, err := f.begin(ctx)
	if err != nil {
		return err
	}
	ferr := fn(b)
	if err := f.end(b, origin); err != nil {
		return err
	}
	return ferr
}

// begin takes the exclusive file lock (the in-process lock is held),
// brings the state up to date and starts a batch; end commits it and
// releases the lock.
func (f *folder) begin(ctx context.Context) (*batch, error) {
	if f.ex {
		return nil, errors.New("maildir: internal error: nested exclusive section")
	}
	if err := flock(ctx, f.lockF, syscall.LOCK_EX); err != nil {
		return nil, err
	}
	f.ex = true
	fail := func(err error) (*batch, error) {
		f.ex = false
		funlock(f.lockF)
		return nil, err
	}
	if err := f.readTail(); err != nil {
		return fail(err)
	}
	if f.gone.Load() {
		return fail(errGone())
	}
	need, err := f.needScan()
	if err != nil {
		return fail(err)
	}
	if need {
		if err := f.scanAndCommit(); err != nil {
			return fail(err)
		}
	}
	f.loadDovecotKeywords()
	b := &batch{f: f, hms: f.st.hms, durable: true}
	n0, c0, err := f.dirTimes()
	if err != nil {
		return fail(err)
	}
	b.inSync = n0 == f.st.scan.newM && c0 == f.st.scan.curM
	return b, nil
}

func (f *folder) end(b *batch, origin *view) error {
	defer func() {
		f.ex = false
		funlock(f.lockF)
	}()
	if b.touched && b.inSync {
		if n1, c1, err := f.dirTimes(); err == nil {
			b.add(&record{typ: recScan, scan: scanState{newM: n1, curM: c1, dirty: true, at: time.Now().UnixNano()}})
		}
	}
	return f.commit(b, origin)
}

// scanAndCommit scans the directories and commits what changed. Called
// under both locks.
func (f *folder) scanAndCommit() error {
	b := &batch{f: f, hms: f.st.hms}
	err := f.scan(b)
	if cerr := f.commit(b, nil); err == nil {
		err = cerr
	}
	if err == nil {
		f.forceScan = false
	}
	return err
}

// commit appends the batch's records to the index (one write, then
// fsync), applies them and delivers the changes. Called under both
// locks.
func (f *folder) commit(b *batch, origin *view) error {
	recs := append(b.kwRecs, b.recs...)
	if len(recs) == 0 {
		return nil
	}
	var buf []byte
	for _, r := range recs {
		buf = appendRecord(buf, r)
	}
	if _, err := f.idx.WriteAt(buf, f.idxOff); err != nil {
		f.idx.Truncate(f.idxOff)
		return fmt.Errorf("maildir: writing the index: %w", err)
	}
	// The other processes learn of the records (and of a compaction
	// below) from the counter, incremented once they are written.
	defer f.noteOwnChange()
	var serr error
	if b.durable {
		serr = f.u.b.syncFile(f.idx)
	}
	f.idxOff += int64(len(buf))
	ev := f.deliverFunc(origin)
	for _, r := range recs {
		f.st.apply(r, ev)
	}
	if serr != nil {
		return fmt.Errorf("maildir: syncing the index: %w", serr)
	}
	if f.idxOff-f.snapEnd > max(f.opts().CompactAfter, f.snapEnd) {
		if err := f.compact(); err != nil {
			return err
		}
	}
	return nil
}

// compact writes the state as a new index file holding one snapshot and
// renames it over the index (and rewrites the structure cache when most
// of it is dead). Other processes notice the new file and switch to it.
// Called under both locks.
func (f *folder) compact() error {
	// Temporary files of a compaction cut short by a crash (no other
	// compaction can run: the lock is ours).
	if names, err := readNames(f.dir); err == nil {
		for _, n := range names {
			if strings.HasPrefix(n, indexFile+".tmp.") || strings.HasPrefix(n, cacheFile+".tmp.") {
				os.Remove(filepath.Join(f.dir, n))
			}
		}
	}
	f.compactCache()
	f.st.trimTombs(f.opts().MaxTombstones)
	if err := writeSnapshot(f.u.b, f.dir, f.st); err != nil {
		return fmt.Errorf("maildir: compacting the index: %w", err)
	}
	idx, err := os.OpenFile(filepath.Join(f.dir, indexFile), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	fi, err := idx.Stat()
	if err != nil {
		idx.Close()
		return err
	}
	f.idx.Close()
	f.idx, f.idxOff, f.snapEnd, f.idxIno = idx, fi.Size(), fi.Size(), inode(fi)
	return nil
}

// deliverFunc returns the function that queues a change for the views,
// origin's own flag changes and expunges excepted (it applies them
// itself).
func (f *folder) deliverFunc(origin *view) func(kind mailstore.UpdateKind, m *message, uid uint32, modseq uint64) {
	if len(f.views) == 0 {
		return nil
	}
	return func(kind mailstore.UpdateKind, m *message, uid uint32, modseq uint64) {
		e := event{kind: kind, uid: uid, modseq: modseq}
		if m != nil {
			e.info = f.st.info(m)
		}
		for v := range f.views {
			if v == origin && kind != mailstore.UpdateNew {
				// Its own change applies to it at once, unless it
				// concerns a message it has not polled yet: that one
				// reaches it through Poll, after the message itself.
				if _, ok := v.find(uid); ok {
					continue
				}
			}
			v.enqueue(e, f.opts().MaxQueue)
		}
	}
}

func (f *folder) signalAll() {
	for v := range f.views {
		v.signal()
	}
}

// readNames lists a directory's file names, unsorted, without the hidden
// ones.
func readNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(names, func(n string) bool { return n == "" || n[0] == '.' }), nil
}

// startWatch starts the watcher if it is not running: while a view has
// handed out its Updated channel, the folder refreshes every
// WatchInterval so that changes of other processes are signalled without
// a Poll. Called under the in-process lock.
func (f *folder) startWatch() {
	f.watchers++
	if f.watchStop != nil || f.opts().WatchInterval < 0 {
		return
	}
	stop := make(chan struct{})
	f.watchStop = stop
	go f.watch(stop, f.opts().WatchInterval)
}

// stopWatch undoes startWatch. Called under the in-process lock.
func (f *folder) stopWatch() {
	f.watchers--
	if f.watchers == 0 && f.watchStop != nil {
		close(f.watchStop)
		f.watchStop = nil
	}
}

func (f *folder) watch(stop chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		select {
		case f.sem <- struct{}{}:
		case <-stop:
			return
		}
		if f.loaded.Load() && !f.gone.Load() {
			ctx, cancel := context.WithTimeout(context.Background(), every*5)
			f.refresh(ctx)
			cancel()
		}
		f.unlock()
	}
}

// maxDecodedStructures bounds the decoded structures a folder keeps.
const maxDecodedStructures = 4096

// decodedStructure returns a structure decoded earlier, if kept. The caller
// holds the folder's lock.
func (f *folder) decodedStructure(uid uint32) *mime.Structure { return f.structs[uid] }

// keepStructure remembers a decoded structure, evicting the oldest when
// full. The caller holds the folder's lock.
func (f *folder) keepStructure(uid uint32, s *mime.Structure) {
	if f.structs == nil {
		f.structs = make(map[uint32]*mime.Structure)
	}
	if _, ok := f.structs[uid]; ok {
		return
	}
	if len(f.structRing) < maxDecodedStructures {
		f.structRing = append(f.structRing, uid)
	} else {
		delete(f.structs, f.structRing[f.structNext])
		f.structRing[f.structNext] = uid
		f.structNext = (f.structNext + 1) % maxDecodedStructures
	}
	f.structs[uid] = s
}
