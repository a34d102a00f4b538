package storetest

import (
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
)

func largeRules() []rule {
	return []rule{
		{"StreamedAppend", testLargeAppend},
	}
}

// heapMeter samples the live heap (HeapAlloc right after a collection)
// and remembers the highest sample.
type heapMeter struct {
	base, peak, last uint64
	totalBase        uint64
	ms               runtime.MemStats
}

func newHeapMeter() *heapMeter {
	h := &heapMeter{}
	h.sample()
	h.base, h.peak, h.totalBase = h.last, h.last, h.ms.TotalAlloc
	return h
}

func (h *heapMeter) sample() {
	runtime.GC()
	runtime.ReadMemStats(&h.ms)
	h.last = h.ms.HeapAlloc
	h.peak = max(h.peak, h.last)
}

// growth is how far the heap grew above the base: at the peak and now.
func (h *heapMeter) growth() (peak, now int64) {
	return int64(h.peak) - int64(h.base), int64(h.last) - int64(h.base)
}

func (h *heapMeter) totalAlloc() uint64 { return h.ms.TotalAlloc - h.totalBase }

const mib = 1 << 20

// testLargeAppend: APPEND streams the message (the contract: Append reads
// r "in bounded memory"; RFC 7889 APPENDLIMIT lets a server take large
// messages): a generated message of Options.LargeSize, never held by the
// test, is stored while the live heap grows far less than its size (less
// than 2.5 times it for an in-memory store), and reads back identical,
// in chunks and at random offsets, with the right size and structure.
// Skipped under -short and with Options.SkipLarge.
func testLargeAppend(e *env) {
	if testing.Short() {
		e.Skip("skipped under -short")
	}
	if e.opts.SkipLarge {
		e.Skip("Options.SkipLarge")
	}
	g := newLargeMessage(e.opts.LargeSize)
	size := g.size
	limit := int64(16 * mib)
	if size < 64*mib {
		limit = max(size/4, 4*mib)
	}
	if e.opts.InMemory {
		limit = size * 5 / 2
	}

	meter := newHeapMeter()
	g.onRead = func(int64) { meter.sample() }
	res, err := e.st.Append(e.ctx, "INBOX", g, nil)
	if errors.Is(err, mailstore.ErrTooBig) {
		e.Skipf("the store refuses %d octets (%v): set Options.LargeSize below its limit", size, err)
	}
	if err != nil {
		e.Fatalf("Append of %d octets: %v", size, err)
	}
	meter.sample()
	peak, held := meter.growth()
	e.Logf("Append of %d MiB: live heap growth %.1f MiB at the peak, %.1f MiB after; %.1f MiB allocated in all",
		size/mib, float64(peak)/mib, float64(held)/mib, float64(meter.totalAlloc())/mib)
	if g.pos != size {
		e.Errorf("Append read %d of %d octets", g.pos, size)
	}
	if peak > limit || held > limit {
		what := "a streaming store"
		if e.opts.InMemory {
			what = "an in-memory store (Options.InMemory)"
		}
		e.Errorf("Append of %d MiB grew the live heap by %.1f MiB at the peak, %.1f MiB after: above the %.1f MiB allowed for %s",
			size/mib, float64(peak)/mib, float64(held)/mib, float64(limit)/mib, what)
	}

	if s := e.status(e.st, "INBOX"); s.Size != size || s.Messages != 1 {
		e.Errorf("Status: %d messages, size %d; want 1, %d", s.Messages, s.Size, size)
	}
	mb := e.view(e.st, "INBOX", true)
	if m, _, ok := find(mb.Messages(), res.UID); !ok || m.Size != size {
		e.Errorf("MessageInfo of the large message: %+v (found %v), want size %d", m, ok, size)
	}
	msg, err := mb.OpenMessage(e.ctx, res.UID)
	if err != nil {
		e.Fatalf("OpenMessage: %v", err)
	}
	defer msg.Close()
	if msg.Size() != size {
		e.Errorf("Message.Size %d, want %d", msg.Size(), size)
	}

	// Random reads first, then the whole in chunks.
	rng := rand.New(rand.NewPCG(5, 6))
	got, want := make([]byte, 64<<10), make([]byte, 64<<10)
	for range 32 {
		off := rng.Int64N(size)
		n, err := msg.ReadAt(got, off)
		g.ReadAt(want, off)
		wantN := int(min(int64(len(got)), size-off))
		if n != wantN || !bytes.Equal(got[:n], want[:wantN]) || (n < len(got) && err != io.EOF) {
			e.Fatalf("ReadAt(%d octets at %d) = %d, %v: content differs from what was appended", len(got), off, n, err)
		}
	}
	meter = newHeapMeter()
	buf := make([]byte, mib)
	crc := crc32.NewIEEE()
	for off := int64(0); off < size; {
		n, err := msg.ReadAt(buf, off)
		crc.Write(buf[:n])
		off += int64(n)
		if err == io.EOF && off == size {
			break
		}
		if err != nil || n == 0 {
			e.Fatalf("ReadAt(%d at %d) = %d, %v", len(buf), off-int64(n), n, err)
		}
		if off%(16*mib) == 0 {
			meter.sample()
		}
	}
	meter.sample()
	if crc.Sum32() != g.crc.Sum32() {
		e.Errorf("the message read back differs from the one appended (CRC-32 %08x, want %08x)", crc.Sum32(), g.crc.Sum32())
	}
	if peak, _ := meter.growth(); !e.opts.InMemory && peak > limit {
		e.Errorf("reading the message back grew the live heap by %.1f MiB, above %.1f MiB", float64(peak)/mib, float64(limit)/mib)
	}

	st, err := msg.Structure(e.ctx)
	if err != nil {
		e.Fatalf("Structure: %v", err)
	}
	if st.Size != size || st.Root.BodySize != g.bodySize() || st.Root.BodyLines != g.bodyLines() || st.Root.HeaderSize != int64(len(largeHeader)) {
		e.Errorf("Structure: size %d, header %d, body %d octets in %d lines; want %d, %d, %d, %d",
			st.Size, st.Root.HeaderSize, st.Root.BodySize, st.Root.BodyLines, size, len(largeHeader), g.bodySize(), g.bodyLines())
	}
	if env := st.Envelope(); env == nil || env.Subject.S != "a very large message" {
		e.Errorf("Structure: envelope %+v", env)
	}
}
