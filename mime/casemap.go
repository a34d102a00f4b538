package mime

import (
	"bytes"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// This file holds the i;unicode-casemap collation of RFC 5051 as SEARCH
// uses it for substring matching, and a streaming substring finder built
// on it.
//
// RFC 5051 §2 prepares each string as a "titlecased canonicalized UTF-8"
// string, code point by code point:
//
//	(2)(a) the code point is replaced by its titlecase property in
//	       UnicodeData.txt (a simple, one-to-one mapping: unicode.ToTitle);
//	(2)(b) the result is replaced by its full compatibility decomposition
//	       (NFKD of that one code point).
//
// Substring matching is then i;octet on the prepared strings (RFC 4790
// §4.2.3). Because every code point is prepared on its own, the
// preparation of a concatenation is the concatenation of the preparations,
// which is what lets a body be folded piece by piece.
//
// Choices where RFC 5051 leaves room or cannot be followed on a stream:
//
//   - The decomposition of a code point is not titlecased again: RFC 5051
//     §2's own example maps U+01C4 to U+0044 U+007A U+030C, with a small z.
//     So U+FB01 (the "fi" ligature) prepares to "fi", not "FI".
//   - Combining marks of neighbouring code points are not reordered
//     (RFC 5051 §4 item 2 allows this subset of NFKD).
//   - "ß" has no titlecase property in UnicodeData.txt (its "Ss" is in
//     SpecialCasing.txt), so it stays "ß" and does not match "SS"; nor does
//     U+1E9E (capital sharp s) match it.
//   - RFC 5051 step (1)(b) says a string with an invalid UTF-8 sequence is
//     compared unprepared with i;octet. That cannot be decided for a body
//     read in pieces, so invalid octets are instead copied unchanged and
//     the valid text around them is prepared. Text this package converts
//     from a known charset is always valid UTF-8; only bodies in unknown
//     charsets and raw 8-bit text can hold invalid octets.

// asciiTitle maps an ASCII octet to its titlecase (a-z to A-Z).
var asciiTitle = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		c := byte(i)
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()

// Hangul syllables decompose algorithmically (Unicode §3.12), outside the
// tables norm.Properties.Decomposition reads.
const (
	hangulSBase  = 0xAC00
	hangulLBase  = 0x1100
	hangulVBase  = 0x1161
	hangulTBase  = 0x11A7
	hangulTCount = 28
	hangulNCount = 21 * hangulTCount
	hangulSCount = 19 * hangulNCount
)

// twoByteTable holds the preparation of every code point encoded in two
// UTF-8 octets (U+0080 to U+07FF: Latin, Greek, Cyrillic, Armenian,
// Hebrew, Arabic...), the most common non-ASCII text in mail, so that it
// costs a table lookup instead of a case-range search and a trie walk.
// It is built on first use and never changed.
type twoByteTable struct {
	off  [0x800 - 0x80]uint16 // start of the preparation in data
	n    [0x800 - 0x80]uint8  // its length
	data []byte
}

var twoByte = sync.OnceValue(func() *twoByteTable {
	t := new(twoByteTable)
	for r := rune(0x80); r < 0x800; r++ {
		start := len(t.data)
		t.data = appendCasemapRuneSlow(t.data, r)
		t.off[r-0x80] = uint16(start)
		t.n[r-0x80] = uint8(len(t.data) - start)
	}
	return t
})

// appendCasemapRune appends the RFC 5051 preparation of the code point r.
func appendCasemapRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(dst, asciiTitle[r])
	}
	if r < 0x800 {
		t := twoByte()
		i := r - 0x80
		return append(dst, t.data[t.off[i]:int(t.off[i])+int(t.n[i])]...)
	}
	return appendCasemapRuneSlow(dst, r)
}

// appendCasemapRuneSlow is appendCasemapRune without the table.
func appendCasemapRuneSlow(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(dst, asciiTitle[r])
	}
	r = unicode.ToTitle(r)
	if s := r - hangulSBase; 0 <= s && s < hangulSCount {
		dst = utf8.AppendRune(dst, hangulLBase+s/hangulNCount)
		dst = utf8.AppendRune(dst, hangulVBase+(s%hangulNCount)/hangulTCount)
		if t := s % hangulTCount; t != 0 {
			dst = utf8.AppendRune(dst, hangulTBase+t)
		}
		return dst
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	if d := norm.NFKD.Properties(buf[:n]).Decomposition(); d != nil {
		return append(dst, d...)
	}
	return append(dst, buf[:n]...)
}

// appendCasemap appends the RFC 5051 preparation of b, which must be
// complete (an incomplete UTF-8 sequence at its end is taken as invalid
// octets). Invalid octets are copied unchanged (see above).
func appendCasemap(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			dst = append(dst, asciiTitle[c])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			dst = append(dst, c)
			i++
			continue
		}
		dst = appendCasemapRune(dst, r)
		i += n
	}
	return dst
}

// appendCasemapString is appendCasemap for a string.
func appendCasemapString(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, asciiTitle[c])
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			dst = append(dst, c)
			i++
			continue
		}
		dst = appendCasemapRune(dst, r)
		i += n
	}
	return dst
}

// casemapContains reports whether the prepared form of s contains needle,
// which is already prepared. scratch is reused for the prepared s and
// returned for the next call.
func casemapContains(s string, needle, scratch []byte) (bool, []byte) {
	scratch = appendCasemapString(scratch[:0], s)
	return bytes.Contains(scratch, needle), scratch
}

// defaultFindChunk is how many input octets a finder prepares at a time:
// its buffer holds at most this many octets' preparation (NFKD expands
// one code point to at most 18) plus the needle.
const defaultFindChunk = 4096

// finder looks for a prepared needle in text written to it in pieces of
// any size, in bounded memory. A needle that straddles two writes, or
// whose UTF-8 sequences are split between them, is found as if the text
// had come in one piece.
type finder struct {
	needle []byte // prepared, not empty
	chunk  int    // input octets prepared at a time
	pend   []byte // an incomplete UTF-8 sequence held back from the last write
	win    []byte // prepared text: up to len(needle)-1 octets kept, then new
	found  bool
}

func newFinder(needle []byte, chunk int) *finder {
	if chunk <= 0 {
		chunk = defaultFindChunk
	}
	return &finder{needle: needle, chunk: chunk, pend: make([]byte, 0, utf8.UTFMax)}
}

// reset makes the finder ready for unrelated text: nothing written before
// can be part of a later match.
func (f *finder) reset() {
	f.pend = f.pend[:0]
	f.win = f.win[:0]
	f.found = false
}

// write prepares p and reports whether the needle has been found in the
// text written since the last reset.
func (f *finder) write(p []byte) bool {
	for len(p) > 0 && !f.found {
		n := min(len(p), f.chunk)
		f.step(p[:n])
		p = p[n:]
	}
	return f.found
}

// step prepares one piece and searches the window.
func (f *finder) step(b []byte) {
	// Complete a sequence held back from the previous piece.
	for len(f.pend) > 0 {
		if !utf8.FullRune(f.pend) {
			if len(b) == 0 {
				f.search()
				return // still incomplete; b was all consumed
			}
			f.pend = append(f.pend, b[0])
			b = b[1:]
			continue
		}
		f.win = appendCasemapPrefix(f.win, &f.pend)
	}
	// Hold back an incomplete sequence at the end of b. Only a lead octet
	// among the last UTFMax-1 can begin one; an incomplete sequence
	// anywhere else is followed by an octet that makes it invalid.
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-(utf8.UTFMax-1); i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	f.win = appendCasemap(f.win, b[:cut])
	f.pend = append(f.pend, b[cut:]...)
	f.search()
}

// appendCasemapPrefix prepares the first (possibly invalid) sequence of
// *p, which utf8.FullRune accepts, and removes it from *p.
func appendCasemapPrefix(dst []byte, p *[]byte) []byte {
	b := *p
	r, n := utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 {
		dst = append(dst, b[0])
		n = 1
	} else {
		dst = appendCasemapRune(dst, r)
	}
	*p = b[:copy(b, b[n:])]
	return dst
}

// search looks for the needle in the window and keeps only the octets of
// it that could begin a match completed by later text.
func (f *finder) search() {
	if bytes.Contains(f.win, f.needle) {
		f.found = true
	}
	if keep := len(f.needle) - 1; len(f.win) > keep {
		f.win = f.win[:copy(f.win, f.win[len(f.win)-keep:])]
	}
}

// close ends the text: octets still held back are invalid and are
// prepared as such. It reports whether the needle was found.
func (f *finder) close() bool {
	if f.found {
		return true
	}
	for len(f.pend) > 0 {
		f.win = append(f.win, f.pend[0])
		f.pend = f.pend[:copy(f.pend, f.pend[1:])]
	}
	f.search()
	return f.found
}
