package pop3client_test

import (
	"crypto/sha256"
	"io"
	"runtime"
	"strconv"
	"testing"
)

// genReader produces size octets of message: 100-octet CRLF lines, one in
// seven starting with a dot (so the server stuffs it), without allocating.
type genReader struct {
	left int64
	line [100]byte
	pos  int
	n    int
}

func newGen(size int64) *genReader {
	g := &genReader{left: size}
	g.pos = len(g.line)
	return g
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && g.left > 0 {
		if g.pos == len(g.line) {
			for i := range g.line {
				g.line[i] = 'a' + byte((i+g.n)%26)
			}
			if g.n%7 == 0 {
				g.line[0] = '.'
			}
			strconv.AppendInt(g.line[1:1], int64(g.n), 10)
			g.line[98], g.line[99] = '\r', '\n'
			g.n++
			g.pos = 0
		}
		k := copy(p[n:], g.line[g.pos:])
		if int64(k) > g.left {
			k = int(g.left)
		}
		g.pos += k
		g.left -= int64(k)
		n += k
	}
	return n, nil
}

// TestRetr100MB streams a 100 MB message through Retr and checks that the
// process's heap stays far below the message's size.
func TestRetr100MB(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB transfer skipped with -short")
	}
	const size = 100 << 20
	want := sha256.New()
	io.Copy(want, newGen(size))

	m := &miniServer{t: t, msgs: []string{""}, body: func(int) io.Reader { return newGen(size) }}
	c := dial(t, m.start(), nil)
	ctx := ctxT(t)
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	buf := make([]byte, 32<<10)
	var total, peak uint64
	for next := int64(0); ; {
		n, err := b.Read(buf)
		h.Write(buf[:n])
		total += uint64(n)
		if int64(total) >= next {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			next += 8 << 20
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d octets: %v", total, err)
		}
	}
	b.Close()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if total != size || string(h.Sum(nil)) != string(want.Sum(nil)) {
		t.Fatalf("got %d octets, digest differs: %v", total, string(h.Sum(nil)) != string(want.Sum(nil)))
	}
	const bound = 32 << 20
	if peak > before.HeapAlloc+bound {
		t.Errorf("heap peaked at %d MB (started at %d MB)", peak>>20, before.HeapAlloc>>20)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > bound {
		t.Errorf("%d MB allocated for a %d MB message", alloc>>20, size>>20)
	}
	t.Logf("heap peak %d KB over %d KB; %d KB allocated (client and server)", (peak-min(peak, before.HeapAlloc))>>10, before.HeapAlloc>>10, (after.TotalAlloc-before.TotalAlloc)>>10)
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
}
