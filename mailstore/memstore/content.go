package memstore

import (
	"context"
	"errors"
	"io"

	"github.com/mailaccess/mailaccess/mime"
)

var errNegativeOffset = errors.New("memstore: negative offset")

// chunkSize is the size of the blocks a large message is kept in, so that
// storing it never needs a second copy (as growing one slice would).
const chunkSize = 256 << 10

// content is a message's immutable content, shared by its copies and
// safe for concurrent reads. Every chunk but the last holds chunkSize
// octets.
type content struct {
	chunks [][]byte
	size   int64
	st     *mime.Structure
}

// ReadAt implements io.ReaderAt.
func (c *content) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errNegativeOffset
	}
	if off >= c.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off < c.size {
		ch := c.chunks[off/chunkSize]
		k := copy(p[n:], ch[off%chunkSize:])
		n += k
		off += int64(k)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// chunkWriter collects written octets in chunks.
type chunkWriter struct {
	chunks [][]byte
	cur    []byte
	size   int64
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(w.cur) == chunkSize {
			w.chunks = append(w.chunks, w.cur)
			w.cur = make([]byte, 0, chunkSize)
		}
		k := min(len(p), chunkSize-len(w.cur))
		if w.cur == nil && len(w.chunks) == 0 {
			// Small messages grow one slice; large ones switch to
			// whole chunks.
			w.cur = make([]byte, 0, min(max(k, 4096), chunkSize))
		}
		if len(w.cur)+k > cap(w.cur) {
			nc := make([]byte, len(w.cur), min(max(2*cap(w.cur), len(w.cur)+k), chunkSize))
			copy(nc, w.cur)
			w.cur = nc
		}
		w.cur = append(w.cur, p[:k]...)
		p = p[k:]
	}
	w.size += int64(n)
	return n, nil
}

// content returns what was written, with its structure.
func (w *chunkWriter) content(st *mime.Structure) *content {
	chunks := w.chunks
	if tail := w.cur; len(tail) > 0 {
		if cap(tail)-len(tail) > len(tail) {
			tail = append([]byte(nil), tail...) // do not keep a mostly empty chunk
		}
		chunks = append(chunks, tail[:len(tail):len(tail)])
	}
	return &content{chunks: chunks, size: w.size, st: st}
}

// openMessage is an open message (mailstore.Message) over immutable
// content.
type openMessage struct{ c *content }

// ReadAt reads the content at off.
func (m *openMessage) ReadAt(p []byte, off int64) (int, error) { return m.c.ReadAt(p, off) }

// Size returns the content's size.
func (m *openMessage) Size() int64 { return m.c.size }

// Structure returns the structure parsed when the message was stored. It
// is shared: the caller must not modify it.
func (m *openMessage) Structure(ctx context.Context) (*mime.Structure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return m.c.st, nil
}

// Close releases the message. The content stays readable.
func (m *openMessage) Close() error { return nil }
