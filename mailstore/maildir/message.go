package maildir

import (
	"bufio"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"

	"github.com/mailaccess/mailaccess/mime"
)

// The structure cache, the file "mailaccess-cache" beside the index,
// holds each message's mime.Structure in its binary form, so that FETCH
// never parses a message twice. It is a 16-octet magic and then entries
//
//	length uint32 little-endian, of the structure
//	crc    uint32 little-endian, CRC-32C of uid and structure
//	uid    uint32 little-endian
//	structure
//
// The index holds each message's offset and length. The cache is not
// fsync'd: an entry that does not check out (cut short, or the cache
// rewritten meanwhile) is ignored and the message parsed again.

const cacheMagic = "mailaccess-cch1\n"

// cacheAppend appends a structure to the cache. Called under both locks.
func (f *folder) cacheAppend(uid uint32, blob []byte) (int64, uint32, error) {
	if f.cache == nil {
		c, err := os.OpenFile(filepath.Join(f.dir, cacheFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return 0, 0, err
		}
		f.cache = c
	}
	fi, err := f.cache.Stat()
	if err != nil {
		return 0, 0, err
	}
	off := fi.Size()
	if off < int64(len(cacheMagic)) {
		if _, err := f.cache.WriteAt([]byte(cacheMagic), 0); err != nil {
			return 0, 0, err
		}
		off = int64(len(cacheMagic))
	}
	buf := make([]byte, 12, 12+len(blob))
	binary.LittleEndian.PutUint32(buf[0:], uint32(len(blob)))
	binary.LittleEndian.PutUint32(buf[8:], uid)
	buf = append(buf, blob...)
	binary.LittleEndian.PutUint32(buf[4:], crc32.Checksum(buf[8:], crcTable))
	if _, err := f.cache.WriteAt(buf, off); err != nil {
		return 0, 0, err
	}
	return off, uint32(len(blob)), nil
}

// readCacheEntry reads and checks the cache entry of uid at off.
func readCacheEntry(r io.ReaderAt, off int64, l, uid uint32) ([]byte, bool) {
	if l == 0 || off < int64(len(cacheMagic)) || l > maxRecord {
		return nil, false
	}
	buf := make([]byte, 12+int(l))
	if _, err := r.ReadAt(buf, off); err != nil {
		return nil, false
	}
	if binary.LittleEndian.Uint32(buf) != l || binary.LittleEndian.Uint32(buf[8:]) != uid ||
		crc32.Checksum(buf[8:], crcTable) != binary.LittleEndian.Uint32(buf[4:]) {
		return nil, false
	}
	return buf[12:], true
}

// compactCache rewrites the cache without the entries of expunged
// messages when they are most of it. Called under both locks, before a
// snapshot is written (which records the new offsets).
func (f *folder) compactCache() {
	if f.cache == nil {
		c, err := os.OpenFile(filepath.Join(f.dir, cacheFile), os.O_RDWR, 0)
		if err != nil {
			return
		}
		f.cache = c
	}
	fi, err := f.cache.Stat()
	if err != nil {
		return
	}
	var live int64
	for i := range f.st.msgs {
		if f.st.msgs[i].cacheLen > 0 {
			live += 12 + int64(f.st.msgs[i].cacheLen)
		}
	}
	if fi.Size() < f.opts().CompactAfter || live > fi.Size()/2 {
		return
	}
	tmp := filepath.Join(f.dir, cacheFile+".tmp."+randomID(6))
	t, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(t, 256<<10)
	w.WriteString(cacheMagic)
	off := int64(len(cacheMagic))
	offs := make([]int64, len(f.st.msgs))
	for i := range f.st.msgs {
		m := &f.st.msgs[i]
		offs[i] = -1
		blob, ok := readCacheEntry(f.cache, m.cacheOff, m.cacheLen, m.uid)
		if !ok {
			continue
		}
		var hdr [12]byte
		binary.LittleEndian.PutUint32(hdr[0:], uint32(len(blob)))
		binary.LittleEndian.PutUint32(hdr[8:], m.uid)
		crc := crc32.Update(crc32.Checksum(hdr[8:], crcTable), crcTable, blob)
		binary.LittleEndian.PutUint32(hdr[4:], crc)
		w.Write(hdr[:])
		w.Write(blob)
		offs[i] = off
		off += 12 + int64(len(blob))
	}
	err = w.Flush()
	if err == nil {
		err = f.u.b.syncFile(t)
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(f.dir, cacheFile))
	}
	if err != nil {
		t.Close()
		os.Remove(tmp)
		return
	}
	f.cache.Close()
	f.cache = t
	for i := range f.st.msgs {
		if offs[i] < 0 {
			f.st.msgs[i].cacheOff, f.st.msgs[i].cacheLen = 0, 0
		} else {
			f.st.msgs[i].cacheOff = offs[i]
		}
	}
}

// storeStructure caches a structure parsed after the fact (for a message
// that came without one), best effort.
func (f *folder) storeStructure(ctx context.Context, uid uint32, blob []byte) {
	if f.lock(ctx) != nil {
		return
	}
	defer f.unlock()
	if f.gone.Load() || !f.loaded.Load() {
		return
	}
	f.exclusive(ctx, nil, func(b *batch) error {
		b.durable = false
		j, ok := f.st.find(uid)
		if !ok || f.st.msgs[j].cacheLen != 0 {
			return nil
		}
		off, l, err := f.cacheAppend(uid, blob)
		if err != nil {
			return err
		}
		b.add(&record{typ: recCache, caches: []cacheRef{{uid: uid, off: off, len: l}}})
		return nil
	})
}

// msgFile is an open message (mailstore.Message): an open file, or the
// whole content read ahead (readahead.go). It holds the file's
// descriptor itself rather than an *os.File: opening an os.File costs
// three more system calls on Linux (it tries to register the file with
// the network poller), which FETCH of many small messages pays for each
// one. fdMu keeps a read from using a descriptor that Close released
// (and the kernel may have handed out again), or a buffer it gave back;
// a cleanup closes the descriptor of a message that was never closed,
// as os.File's does.
type msgFile struct {
	f        *folder
	fdMu     sync.RWMutex
	closed   bool
	fd       int // the open file, or -1
	cleanup  runtime.Cleanup
	data     []byte  // or the content, read ahead into buf
	buf      *[]byte // pooled
	uid      uint32
	size     int64
	conv     *convAt
	cacheOff int64
	cacheLen uint32

	mu sync.Mutex
	st *[]byte // the structure's binary form, once known
}

// ReadAt reads the message's content (io.ReaderAt).
func (m *msgFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, os.ErrInvalid
	}
	if off >= m.size {
		return 0, io.EOF
	}
	short := false
	if int64(len(p)) > m.size-off {
		p = p[:m.size-off]
		short = true
	}
	var n int
	var err error
	m.fdMu.RLock()
	switch {
	case m.closed:
		err = os.ErrClosed
	case m.fd < 0:
		n = copy(p, m.data[min(off, int64(len(m.data))):])
		if n < len(p) {
			err = io.EOF
		}
	case m.conv != nil:
		n, err = m.conv.ReadAt(p, off)
	default:
		n, err = fdReader(m.fd).ReadAt(p, off)
	}
	m.fdMu.RUnlock()
	if err == nil && short {
		err = io.EOF
	}
	return n, err
}

// Size is the message's size in octets (RFC822.SIZE).
func (m *msgFile) Size() int64 { return m.size }

// Structure returns the message's MIME structure: from the cache, or by
// parsing the message once (and caching it).
func (m *msgFile) Structure(ctx context.Context) (*mime.Structure, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.st == nil {
		c, err := os.Open(filepath.Join(m.f.dir, cacheFile))
		if err == nil {
			if blob, ok := readCacheEntry(c, m.cacheOff, m.cacheLen, m.uid); ok {
				var s mime.Structure
				if s.UnmarshalBinary(blob) == nil {
					m.st = &blob
				}
			}
			c.Close()
		}
	}
	if m.st == nil {
		s, err := mime.ParseContext(ctx, io.NewSectionReader(m, 0, m.size), nil)
		if err != nil {
			return nil, err
		}
		blob, err := s.MarshalBinary()
		if err != nil {
			return nil, err
		}
		m.st = &blob
		m.f.storeStructure(ctx, m.uid, blob)
		return s, nil
	}
	// Each call gets its own copy, which the caller may keep.
	var s mime.Structure
	if err := s.UnmarshalBinary(*m.st); err != nil {
		return nil, err
	}
	return &s, nil
}

// Close releases the message.
func (m *msgFile) Close() error {
	m.fdMu.Lock()
	defer m.fdMu.Unlock()
	if m.closed {
		return os.ErrClosed
	}
	m.closed = true
	if m.fd < 0 {
		putBuf(m.buf)
		m.data, m.buf = nil, nil
		return nil
	}
	m.cleanup.Stop()
	err := syscall.Close(m.fd)
	m.fd = -1
	if err != nil {
		return &os.PathError{Op: "close", Path: "message", Err: err}
	}
	return nil
}

// newMsgFile returns the open message of a file descriptor.
func newMsgFile(f *folder, fd int, uid uint32, m *message) *msgFile {
	mf := &msgFile{f: f, fd: fd, uid: uid, size: m.size, cacheOff: m.cacheOff, cacheLen: m.cacheLen}
	if m.conv {
		mf.conv = newConvAt(fdReader(fd))
	}
	mf.cleanup = runtime.AddCleanup(mf, closeFD, fd)
	return mf
}

func closeFD(fd int) { syscall.Close(fd) }

// openFile opens a file for reading and returns its descriptor.
func openFile(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return -1, &os.PathError{Op: "open", Path: path, Err: err}
		}
		return fd, nil
	}
}

// fdReader reads a file descriptor at offsets (io.ReaderAt), as
// os.File.ReadAt does.
type fdReader int

func (fd fdReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		k, err := syscall.Pread(int(fd), p[n:], off+int64(n))
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return n, &os.PathError{Op: "read", Path: "message", Err: err}
		}
		if k == 0 {
			return n, io.EOF
		}
		n += k
	}
	return n, nil
}

// convAt serves a file whose lines end in bare LF with CRLF line ends
// (an io.ReaderAt of the converted content). It keeps checkpoints every
// 64 KiB of output, so that reading a message in order costs one pass.
type convAt struct {
	f   io.ReaderAt
	mu  sync.Mutex
	cps []checkpoint
}

// checkpoint is a position where output offset v corresponds to input
// offset p, after an input octet that was (prevCR) or was not a CR.
type checkpoint struct {
	v, p   int64
	prevCR bool
}

const checkpointEvery = 64 << 10

func newConvAt(f io.ReaderAt) *convAt {
	return &convAt{f: f, cps: []checkpoint{{}}}
}

func (c *convAt) ReadAt(dst []byte, off int64) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i := sort.Search(len(c.cps), func(i int) bool { return c.cps[i].v > off }) - 1
	cp := c.cps[i]
	v, p, prevCR := cp.v, cp.p, cp.prevCR
	buf := make([]byte, 32<<10)
	n := 0
	for n < len(dst) {
		k, err := c.f.ReadAt(buf, p)
		if k == 0 {
			if err == nil || err == io.EOF {
				return n, io.EOF
			}
			return n, err
		}
		for j := 0; j < k; j++ {
			b := buf[j]
			if b == '\n' && !prevCR {
				if v >= off {
					dst[n] = '\r'
					n++
					if n == len(dst) {
						return n, nil
					}
				}
				v++
			}
			if v >= off {
				dst[n] = b
				n++
			}
			v++
			prevCR = b == '\r'
			if v >= c.cps[len(c.cps)-1].v+checkpointEvery {
				c.cps = append(c.cps, checkpoint{v: v, p: p + int64(j) + 1, prevCR: prevCR})
			}
			if n == len(dst) {
				return n, nil
			}
		}
		p += int64(k)
	}
	return n, nil
}

// convReader converts bare LFs to CRLF as it reads and counts what it
// returns.
type convReader struct {
	r      io.Reader
	in     []byte
	obuf   []byte
	out    []byte
	prevCR bool
	n      int64
	err    error
}

func (c *convReader) Read(p []byte) (int, error) {
	for len(c.out) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		if c.in == nil {
			c.in = make([]byte, 32<<10)
		}
		k, err := c.r.Read(c.in)
		c.err = err
		out := c.obuf[:0]
		for _, b := range c.in[:k] {
			if b == '\n' && !c.prevCR {
				out = append(out, '\r')
			}
			out = append(out, b)
			c.prevCR = b == '\r'
		}
		c.obuf, c.out = out, out
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	c.n += int64(n)
	return n, nil
}

// parseFile reads a message file of the given size through CRLF
// conversion and returns the size served, whether conversion is needed,
// and the structure's binary form.
func parseFile(r io.Reader, size int64) (vsize int64, conv bool, blob []byte, err error) {
	cr := &convReader{r: r}
	s, err := mime.Parse(cr, nil)
	if err != nil {
		return 0, false, nil, err
	}
	if _, err := io.Copy(io.Discard, cr); err != nil {
		return 0, false, nil, err
	}
	blob, err = s.MarshalBinary()
	return cr.n, cr.n != size, blob, err
}

// cacheHandle returns the open structure cache file, opening it if it
// exists. The caller holds the folder's lock.
func (f *folder) cacheHandle() (*os.File, error) {
	if f.cache == nil {
		c, err := os.OpenFile(filepath.Join(f.dir, cacheFile), os.O_RDWR, 0)
		if err != nil {
			return nil, err
		}
		f.cache = c
	}
	return f.cache, nil
}
