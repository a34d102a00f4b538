package maildir

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// The change counter lets a Poll that finds nothing new skip the two
// system calls (fstat of the open index, stat of its path) that reading
// the index's tail costs.
//
// It is the first 8 octets of the folder's lock file, which is never
// replaced (the index is, at each compaction), mapped shared into every
// process (and every Backend) that has the folder open. Every change to
// the index is followed, still under the exclusive file lock, by an
// atomic increment: after the records are written (commit, which also
// covers a compaction, and the creation of an index). Deleting or
// renaming a folder increments it after the directory moved, so that the
// others look at the path again. A reader loads the counter before it
// reads the tail: if the counter still holds the value it had then,
// nothing was written since, and the tail need not be read. The write
// (pwrite) has returned before the increment, and the load comes before
// the reader's own pread, so a reader that sees the new value also reads
// the new records.
//
// The counter is a hint, never the only check: the tail is still read
// at least every tailCheckInterval, so that what leaves it unchanged (a
// writer that crashed between its write and the increment, a version of
// this store before the counter, a folder another program removed) is
// seen within that time, as changes of other programs to the directories
// are (needScan). Without a mapping (a file system without mmap, a lock
// file that cannot be extended) every refresh reads the tail, as before.
//
// A mapping of a file that was cut short (truncated by another program)
// faults on access: the access runs with debug.SetPanicOnFault, and a
// fault drops the mapping for good.

// counterSize is the size of the counter at the start of the lock file.
const counterSize = 8

// tailCheckInterval is how often refresh reads the index's tail even
// when the counter has not moved (a variable for the tests).
var tailCheckInterval = 20 * time.Millisecond

// counter is a mapping of a lock file's change counter.
type counter struct {
	mem []byte // nil: no mapping
}

// mapCounter maps the counter of an open lock file, extending the file
// to hold it (extending is idempotent: concurrent openers agree, and an
// existing count is kept). It returns a counter without a mapping if
// that fails.
func mapCounter(lf *os.File) counter {
	fi, err := lf.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return counter{}
	}
	if fi.Size() < counterSize {
		if err := lf.Truncate(counterSize); err != nil {
			return counter{}
		}
	}
	mem, err := syscall.Mmap(int(lf.Fd()), 0, counterSize, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return counter{}
	}
	return counter{mem: mem}
}

// ptr is the counter's address in the mapping (page-aligned, so 8-octet
// aligned as 64-bit atomics need).
func (c *counter) ptr() *uint64 { return (*uint64)(unsafe.Pointer(&c.mem[0])) }

// load returns the counter's value; ok is false without a mapping.
func (c *counter) load() (v uint64, ok bool) {
	if c.mem == nil {
		return 0, false
	}
	defer c.recoverFault(debug.SetPanicOnFault(true))
	return atomic.LoadUint64(c.ptr()), true
}

// add increments the counter and returns the new value; ok is false
// without a mapping.
func (c *counter) add() (v uint64, ok bool) {
	if c.mem == nil {
		return 0, false
	}
	defer c.recoverFault(debug.SetPanicOnFault(true))
	return atomic.AddUint64(c.ptr(), 1), true
}

// recoverFault, deferred around an access to the mapping, restores the
// goroutine's fault setting and, after a fault (the file was cut short),
// drops the mapping; the access then returns ok false.
func (c *counter) recoverFault(old bool) {
	debug.SetPanicOnFault(old)
	if recover() != nil {
		c.unmap()
	}
}

// unmap releases the mapping.
func (c *counter) unmap() {
	if c.mem != nil {
		syscall.Munmap(c.mem)
		c.mem = nil
	}
}

// bumpCounter increments the counter of the folder in dir, if it has
// one: after the folder was renamed or deleted (moved aside), so that
// the processes that have it open look at its path again.
func bumpCounter(dir string) {
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR, 0)
	if err != nil {
		return
	}
	defer lf.Close()
	if fi, err := lf.Stat(); err != nil || fi.Size() < counterSize {
		return // nobody maps it
	}
	c := mapCounter(lf)
	c.add()
	c.unmap()
}

// tailUnchanged reports whether the index's tail is known not to have
// changed since readTail last ran: the counter has not moved and the
// last read is recent. Called under the in-process lock.
func (f *folder) tailUnchanged(now time.Time) bool {
	if !f.seenOK || now.Sub(f.tailChecked) >= tailCheckInterval {
		return false
	}
	v, ok := f.changes.load()
	return ok && v == f.seen
}

// noteOwnChange records the increment after this folder's own commit:
// the state is then as up to date as the counter says, unless another
// increment came in between (a rename, a delete), which leaves the state
// to be checked at the next refresh. Called under both locks.
func (f *folder) noteOwnChange() {
	v, ok := f.changes.add()
	if ok && f.seenOK && v == f.seen+1 {
		f.seen = v
	} else {
		f.seenOK = false
	}
}
