package maildir

import (
	"io"
	"math/bits"
	"path/filepath"
	"sync"
	"syscall"
)

// Readahead: when a view opens its messages one after the other (FETCH
// 1:* BODY[], a client copying a mailbox for offline use, SEARCH BODY),
// two goroutines open and read the next small messages while the caller
// sends the current one. Each message costs three system calls (open,
// read, close), which on their own take about as long as sending it;
// read ahead they run beside the caller, on another core or while it
// waits for the network, instead of before each message.
//
// OpenMessage starts a readahead when it opens the message that follows,
// in the view's list, the one it opened last. The readahead covers the
// next raBatch messages, up to the first one that is large (a large
// message takes longer to send than to open: nothing to gain) or needs
// its line ends converted; it reads each one whole into a pooled buffer
// and closes the file, and holds at most raDepth of them. It works on a
// snapshot of their file names, taken under the folder's lock. A
// message's content never changes (another program may rename its file
// or remove it, never rewrite it), so what it read is the message's
// content whatever happens to the file after. When OpenMessage takes a
// message from it, the message must still be in the folder's state, as
// for an open without readahead; a message it could not read (its file
// renamed or removed meanwhile) is opened the ordinary way, which finds
// the file again or reports the message gone.
//
// A request out of order stops the readahead (and may start another),
// as do Poll and Close: the IMAP server polls after every command, so
// nothing read ahead outlives the command that caused it.

const (
	// raBatch is how many messages one readahead covers at most.
	raBatch = 256
	// raWorkers is the number of goroutines of a readahead: worker w
	// reads its messages w, w+raWorkers, ... One alone is slower than
	// the sender it feeds.
	raWorkers = 2
	// raDepth is how many messages a readahead holds read at most.
	raDepth = 16
	// raMaxSize is the largest message read ahead.
	raMaxSize  = 1 << raMaxShift
	raMaxShift = 16
)

// readahead is a view's running readahead.
type readahead struct {
	uids []uint32 // the messages it reads, in order
	next int      // index in uids of the next one to hand out
	ch   [raWorkers]chan raResult
	stop chan struct{}
}

// raItem is a message to read ahead, as the folder's state had it.
type raItem struct {
	uid      uint32
	path     string
	size     int64
	cacheOff int64
	cacheLen uint32
}

// raResult is a message read ahead, or nil if it could not be.
type raResult struct{ mf *msgFile }

// startReadahead starts reading ahead the messages after position i of
// the view's list. Called under the folder's lock, without a readahead
// running.
func (v *view) startReadahead(i int) {
	f := v.f
	var items []raItem
	for k := i + 1; k < len(v.msgs) && len(items) < raBatch; k++ {
		uid := v.msgs[k].UID
		j, ok := f.st.find(uid)
		if !ok {
			break
		}
		m := &f.st.msgs[j]
		if m.conv || m.size > raMaxSize {
			break
		}
		items = append(items, raItem{uid: uid, path: f.dir + string(filepath.Separator) + m.fileName(),
			size: m.size, cacheOff: m.cacheOff, cacheLen: m.cacheLen})
	}
	if len(items) == 0 {
		return
	}
	ra := &readahead{uids: make([]uint32, len(items)), stop: make(chan struct{})}
	for k := range items {
		ra.uids[k] = items[k].uid
	}
	for w := range ra.ch {
		ra.ch[w] = make(chan raResult, raDepth/raWorkers)
		go ra.run(f, items, w)
	}
	v.ra = ra
}

// run is worker w: it reads its items in order until they are done or
// the readahead is stopped, and then closes its channel.
func (ra *readahead) run(f *folder, items []raItem, w int) {
	ch := ra.ch[w]
	defer close(ch)
	for k := w; k < len(items); k += raWorkers {
		mf := readWhole(f, &items[k])
		select {
		case ch <- raResult{mf}:
		case <-ra.stop:
			if mf != nil {
				mf.Close()
			}
			return
		}
	}
}

// readWhole opens a message file and reads it into a pooled buffer; nil
// if that fails.
func readWhole(f *folder, it *raItem) *msgFile {
	fd, err := openFile(it.path)
	if err != nil {
		return nil
	}
	buf := getBuf(int(it.size))
	n, err := fdReader(fd).ReadAt(*buf, 0)
	syscall.Close(fd)
	if err != nil && err != io.EOF {
		putBuf(buf)
		return nil
	}
	return &msgFile{f: f, fd: -1, data: (*buf)[:n], buf: buf, uid: it.uid, size: it.size, cacheOff: it.cacheOff, cacheLen: it.cacheLen}
}

// takeReadahead returns message uid if the readahead has it next, and
// otherwise stops the readahead. It returns nil for a message the
// readahead could not read. Called without the folder's lock: it may
// wait for a worker.
func (v *view) takeReadahead(uid uint32) *msgFile {
	ra := v.ra
	if ra == nil {
		return nil
	}
	if ra.uids[ra.next] != uid {
		v.stopReadahead()
		return nil
	}
	r := <-ra.ch[ra.next%raWorkers]
	ra.next++
	if ra.next == len(ra.uids) {
		v.ra = nil // done: the workers have returned or are returning
	}
	return r.mf
}

// stopReadahead stops the view's readahead, if any, and releases what it
// read. When it returns, the workers are done.
func (v *view) stopReadahead() {
	ra := v.ra
	if ra == nil {
		return
	}
	v.ra = nil
	close(ra.stop)
	for _, ch := range ra.ch {
		for r := range ch {
			if r.mf != nil {
				r.mf.Close()
			}
		}
	}
}

// Buffers for messages read ahead, by size class: powers of two from
// 4 KiB to raMaxSize.
const minBufShift = 12

var bufPools [raMaxShift - minBufShift + 1]sync.Pool

func bufClass(n int) int {
	if n <= 1<<minBufShift {
		return 0
	}
	return bits.Len(uint(n-1)) - minBufShift
}

// getBuf returns a buffer of n octets, n <= raMaxSize.
func getBuf(n int) *[]byte {
	c := bufClass(n)
	if b, ok := bufPools[c].Get().(*[]byte); ok {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n, 1<<(c+minBufShift))
	return &b
}

// putBuf gives back a buffer of getBuf.
func putBuf(b *[]byte) {
	bufPools[bufClass(cap(*b))].Put(b)
}
