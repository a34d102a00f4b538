package mime

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/mailaccess/mailaccess/imap"
)

// The binary form of a Structure, for caches: a version byte, then the
// message size and the part tree, every integer a varint and every string
// length-prefixed. It holds everything FETCH needs (ENVELOPE,
// BODYSTRUCTURE, section offsets, BINARY.SIZE), so a store that keeps it
// never re-parses a message.

const cacheVersion = 1

// ErrBadCache is the error (tested with errors.Is) for bytes that are not
// a Structure's binary form of this version.
var ErrBadCache = errors.New("mime: bad cached structure")

// MarshalBinary encodes s (encoding.BinaryMarshaler).
func (s *Structure) MarshalBinary() ([]byte, error) {
	return s.AppendBinary(make([]byte, 0, 256))
}

// AppendBinary appends the binary form of s to b (encoding.BinaryAppender).
func (s *Structure) AppendBinary(b []byte) ([]byte, error) {
	w := cacheWriter{b: append(b, cacheVersion)}
	w.int(s.Size)
	w.part(&s.Root, 0)
	return w.b, nil
}

// UnmarshalBinary decodes the binary form made by MarshalBinary
// (encoding.BinaryUnmarshaler). It never panics on corrupt input.
func (s *Structure) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != cacheVersion {
		return fmt.Errorf("%w: unknown version", ErrBadCache)
	}
	r := cacheReader{b: data[1:]}
	var out Structure
	out.Size = r.int()
	r.part(&out.Root, 0)
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes")
	}
	if r.err != nil {
		return fmt.Errorf("%w: %v", ErrBadCache, r.err)
	}
	*s = out
	return nil
}

type cacheWriter struct{ b []byte }

func (w *cacheWriter) int(n int64)   { w.b = binary.AppendVarint(w.b, n) }
func (w *cacheWriter) uint(n uint64) { w.b = binary.AppendUvarint(w.b, n) }
func (w *cacheWriter) str(s string) {
	w.uint(uint64(len(s)))
	w.b = append(w.b, s...)
}
func (w *cacheWriter) nstr(n imap.NString) {
	if !n.Valid {
		w.b = append(w.b, 0)
		return
	}
	w.b = append(w.b, 1)
	w.str(n.S)
}
func (w *cacheWriter) params(ps []imap.Param) {
	if ps == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(ps)) + 1)
	for _, p := range ps {
		w.str(p.Key)
		w.str(p.Value)
	}
}
func (w *cacheWriter) strs(ss []string) {
	if ss == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(ss)) + 1)
	for _, s := range ss {
		w.str(s)
	}
}
func (w *cacheWriter) addrs(as []imap.Address) {
	if as == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(as)) + 1)
	for _, a := range as {
		w.nstr(a.Name)
		w.nstr(a.ADL)
		w.nstr(a.Mailbox)
		w.nstr(a.Host)
	}
}

func (w *cacheWriter) part(p *Part, depth int) {
	w.int(p.Offset)
	w.int(p.HeaderSize)
	w.int(p.BodySize)
	w.int(p.BodyLines)
	w.int(p.DecodedSize)
	w.str(p.Type)
	w.str(p.Subtype)
	w.params(p.Params)
	w.nstr(p.ID)
	w.nstr(p.Description)
	w.nstr(p.MD5)
	w.nstr(p.Location)
	w.str(p.Encoding)
	if p.Disposition == nil {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.str(p.Disposition.Type)
		w.params(p.Disposition.Params)
	}
	w.strs(p.Language)
	if e := p.Envelope; e == nil {
		w.b = append(w.b, 0)
	} else {
		w.b = append(w.b, 1)
		w.nstr(e.Date)
		w.nstr(e.Subject)
		for _, l := range [][]imap.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
			w.addrs(l)
		}
		w.nstr(e.InReplyTo)
		w.nstr(e.MessageID)
	}
	w.uint(uint64(len(p.Parts)))
	for i := range p.Parts {
		w.part(&p.Parts[i], depth+1)
	}
}

type cacheReader struct {
	b   []byte
	err error
}

func (r *cacheReader) fail(what string) {
	if r.err == nil {
		r.err = errors.New(what)
	}
	r.b = nil
}

func (r *cacheReader) int() int64 {
	n, k := binary.Varint(r.b)
	if k <= 0 {
		r.fail("bad integer")
		return 0
	}
	r.b = r.b[k:]
	return n
}

func (r *cacheReader) uint() uint64 {
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.fail("bad integer")
		return 0
	}
	r.b = r.b[k:]
	return n
}

// count reads a list length, which cannot exceed the bytes left (every
// element takes at least min octets).
func (r *cacheReader) count(min int) int {
	n := r.uint()
	if n > uint64(len(r.b)/min) {
		r.fail("bad length")
		return 0
	}
	return int(n)
}

func (r *cacheReader) byte1() byte {
	if len(r.b) == 0 {
		r.fail("short")
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *cacheReader) str() string {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.fail("bad string length")
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func (r *cacheReader) nstr() imap.NString {
	switch r.byte1() {
	case 0:
		return imap.NString{}
	case 1:
		return imap.NString{S: r.str(), Valid: true}
	}
	r.fail("bad nstring")
	return imap.NString{}
}

func (r *cacheReader) params() []imap.Param {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	ps := make([]imap.Param, 0, min(n-1, len(r.b)/2))
	for i := 0; i < n-1 && r.err == nil; i++ {
		ps = append(ps, imap.Param{Key: r.str(), Value: r.str()})
	}
	return ps
}

func (r *cacheReader) strs() []string {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	ss := make([]string, 0, min(n-1, len(r.b)))
	for i := 0; i < n-1 && r.err == nil; i++ {
		ss = append(ss, r.str())
	}
	return ss
}

func (r *cacheReader) addrs() []imap.Address {
	n := r.count(1)
	if n == 0 {
		return nil
	}
	as := make([]imap.Address, 0, min(n-1, len(r.b)/4))
	for i := 0; i < n-1 && r.err == nil; i++ {
		as = append(as, imap.Address{Name: r.nstr(), ADL: r.nstr(), Mailbox: r.nstr(), Host: r.nstr()})
	}
	return as
}

func (r *cacheReader) part(p *Part, depth int) {
	if depth > DefaultMaxDepth*2 {
		r.fail("too deep")
		return
	}
	p.Offset = r.int()
	p.HeaderSize = r.int()
	p.BodySize = r.int()
	p.BodyLines = r.int()
	p.DecodedSize = r.int()
	p.Type = r.str()
	p.Subtype = r.str()
	p.Params = r.params()
	p.ID = r.nstr()
	p.Description = r.nstr()
	p.MD5 = r.nstr()
	p.Location = r.nstr()
	p.Encoding = r.str()
	switch r.byte1() {
	case 0:
	case 1:
		p.Disposition = &imap.Disposition{Type: r.str(), Params: r.params()}
	default:
		r.fail("bad disposition")
	}
	p.Language = r.strs()
	switch r.byte1() {
	case 0:
	case 1:
		e := &imap.Envelope{}
		e.Date = r.nstr()
		e.Subject = r.nstr()
		for _, l := range []*[]imap.Address{&e.From, &e.Sender, &e.ReplyTo, &e.To, &e.Cc, &e.Bcc} {
			*l = r.addrs()
		}
		e.InReplyTo = r.nstr()
		e.MessageID = r.nstr()
		p.Envelope = e
	default:
		r.fail("bad envelope")
	}
	n := r.count(17) // the least a part takes
	if r.err != nil {
		return
	}
	if n > 0 {
		p.Parts = make([]Part, n)
		for i := range p.Parts {
			r.part(&p.Parts[i], depth+1)
			if r.err != nil {
				p.Parts = nil
				return
			}
		}
	}
}
