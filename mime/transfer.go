package mime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrUnknownEncoding is the error (tested with errors.Is) for a body whose
// Content-Transfer-Encoding this package cannot decode; IMAP BINARY then
// answers NO [UNKNOWN-CTE] (RFC 3516 §4.3).
var ErrUnknownEncoding = errors.New("mime: unknown content-transfer-encoding")

// identityEncoding reports whether a Content-Transfer-Encoding leaves the
// body as is (RFC 2045 §6.1): 7bit, 8bit, binary, or absent.
func identityEncoding(enc string) bool {
	return enc == "" || strings.EqualFold(enc, "7bit") || strings.EqualFold(enc, "8bit") || strings.EqualFold(enc, "binary")
}

// hasDecoder reports whether enc is base64 or quoted-printable.
func hasDecoder(enc string) bool {
	return strings.EqualFold(enc, "base64") || strings.EqualFold(enc, "quoted-printable")
}

// newTransferDecoder returns a push decoder for enc writing decoded octets
// to out, or nil for an identity encoding. It fails for an unknown
// encoding.
func newTransferDecoder(enc string, out io.Writer) (transferDecoder, error) {
	switch {
	case identityEncoding(enc):
		return nil, nil
	case strings.EqualFold(enc, "base64"):
		return &base64Decoder{out: out}, nil
	case strings.EqualFold(enc, "quoted-printable"):
		return &qpDecoder{out: out}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownEncoding, strings.TrimSpace(enc))
}

// transferDecoder decodes a body pushed to it in pieces of any size.
// Close flushes what a final incomplete group leaves.
type transferDecoder interface {
	io.Writer
	Close() error
}

// counter is an io.Writer that counts.
type counter struct{ n int64 }

func (c *counter) Write(b []byte) (int, error) { c.n += int64(len(b)); return len(b), nil }

var b64val = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alpha); i++ {
		t[alpha[i]] = byte(i)
	}
	return t
}()

// base64Decoder decodes RFC 2045 §6.8 base64 leniently: characters
// outside the alphabet (line breaks, garbage) are ignored, as the RFC
// requires of decoders, and padding ends a group wherever it appears.
type base64Decoder struct {
	out  io.Writer
	quad [4]byte
	n    int
	pad  int
	buf  [768]byte
	nb   int
	err  error
}

func (d *base64Decoder) Write(b []byte) (int, error) {
	written := len(b)
	if c, ok := d.out.(*counter); ok && d.pad == 0 {
		// Only counting (a decoded size): count the alphabet characters
		// up to the first "=", eight at a time; the octets themselves
		// are never needed.
		fast := b
		i := bytes.IndexByte(b, '=')
		if i >= 0 {
			fast = b[:i]
		}
		v := d.n + countBase64(fast)
		c.n += int64(v/4) * 3
		d.n = v % 4
		if i < 0 {
			return written, nil
		}
		b = b[i:]
	}
	for len(b) >= 4 && d.n == 0 && d.pad == 0 {
		// Whole groups of four alphabet characters, the common case.
		v0, v1, v2, v3 := b64val[b[0]], b64val[b[1]], b64val[b[2]], b64val[b[3]]
		if (v0|v1|v2|v3)&0xc0 != 0 { // one is 0xff: not in the alphabet
			break
		}
		if d.nb+3 > len(d.buf) {
			d.flush()
		}
		d.buf[d.nb] = v0<<2 | v1>>4
		d.buf[d.nb+1] = v1<<4 | v2>>2
		d.buf[d.nb+2] = v2<<6 | v3
		d.nb += 3
		b = b[4:]
	}
	for _, c := range b {
		if c == '=' {
			if d.n >= 2 {
				d.pad++
				if d.n+d.pad == 4 {
					d.group()
				}
			}
			continue
		}
		v := b64val[c]
		if v == 0xff {
			continue
		}
		if d.pad > 0 {
			// Data after incomplete padding: end that group first.
			d.group()
		}
		d.quad[d.n] = v
		d.n++
		if d.n == 4 {
			d.group()
		}
	}
	return written, d.err
}

// group emits the bytes of the current (possibly short) group.
func (d *base64Decoder) group() {
	q := d.quad
	switch d.n {
	case 4:
		d.emit(q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2, q[2]<<6|q[3])
	case 3:
		d.emit(q[0]<<2|q[1]>>4, q[1]<<4|q[2]>>2)
	case 2:
		d.emit(q[0]<<2 | q[1]>>4)
	}
	d.n, d.pad = 0, 0
}

func (d *base64Decoder) emit(bs ...byte) {
	if d.nb+len(bs) > len(d.buf) {
		d.flush()
	}
	d.nb += copy(d.buf[d.nb:], bs)
}

func (d *base64Decoder) flush() {
	if d.nb > 0 && d.err == nil {
		_, d.err = d.out.Write(d.buf[:d.nb])
	}
	d.nb = 0
}

func (d *base64Decoder) Close() error {
	d.group()
	d.flush()
	return d.err
}

// qpDecoder decodes RFC 2045 §6.7 quoted-printable: "=XX" octets, soft
// line breaks ("=" and optional transport padding before a line break),
// trailing white space on a line removed (rule 3). A "=" not followed by
// two hex digits or a line break is kept literally, as §6.7 suggests for
// robustness. Line breaks are kept as they are.
type qpDecoder struct {
	out   io.Writer
	state int
	hex1  byte
	ws    []byte // white space not yet known to be non-trailing
	buf   []byte
	err   error
}

const (
	qpNormal = iota
	qpCR     // CR seen
	qpEq     // "=" seen
	qpEqHex  // "=" and one hex digit seen
	qpEqWS   // "=" and white space seen
	qpEqCR   // "=" (white space) CR seen
)

const qpMaxWS = 4096

// qpSpecial marks the octets the quoted-printable decoder must look at.
var qpSpecial = [256]bool{'=': true, ' ': true, '\t': true, '\r': true, '\n': true}

func (d *qpDecoder) Write(b []byte) (int, error) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch d.state {
		case qpNormal:
			switch c {
			case ' ', '\t':
				if len(d.ws) >= qpMaxWS {
					d.out1(d.ws...)
					d.ws = d.ws[:0]
				}
				d.ws = append(d.ws, c)
			case '\r':
				d.state = qpCR
			case '\n':
				d.ws = d.ws[:0]
				d.out1('\n')
			case '=':
				d.out1(d.ws...)
				d.ws = d.ws[:0]
				d.state = qpEq
			default:
				if len(d.ws) > 0 {
					d.out1(d.ws...)
					d.ws = d.ws[:0]
				}
				// A run of plain octets goes out at once.
				j := i + 1
				for j < len(b) && !qpSpecial[b[j]] {
					j++
				}
				d.out1(b[i:j]...)
				i = j - 1
			}
		case qpCR:
			d.state = qpNormal
			if c == '\n' {
				d.ws = d.ws[:0]
				d.out1('\r', '\n')
				continue
			}
			d.out1(d.ws...)
			d.ws = d.ws[:0]
			d.out1('\r')
			i-- // reprocess c
		case qpEq:
			switch {
			case isHex(c):
				d.hex1 = c
				d.state = qpEqHex
			case c == '\r':
				d.state = qpEqCR
			case c == '\n':
				d.state = qpNormal // soft line break
			case c == ' ' || c == '\t':
				d.ws = append(d.ws[:0], c)
				d.state = qpEqWS
			default:
				d.out1('=')
				d.state = qpNormal
				i--
			}
		case qpEqHex:
			d.state = qpNormal
			if isHex(c) {
				d.out1(unhex(d.hex1)<<4 | unhex(c))
				continue
			}
			d.out1('=', d.hex1)
			i--
		case qpEqWS:
			switch c {
			case ' ', '\t':
				if len(d.ws) < qpMaxWS {
					d.ws = append(d.ws, c)
				}
			case '\r':
				d.ws = d.ws[:0]
				d.state = qpEqCR
			case '\n':
				d.ws = d.ws[:0]
				d.state = qpNormal
			default:
				// "=" then white space then text: not a soft break.
				d.out1('=')
				d.out1(d.ws...)
				d.ws = d.ws[:0]
				d.state = qpNormal
				i--
			}
		case qpEqCR:
			d.state = qpNormal
			if c != '\n' {
				i-- // "=\r" without LF: a soft break all the same
			}
		}
	}
	d.flush(false)
	return len(b), d.err
}

func (d *qpDecoder) out1(bs ...byte) {
	d.buf = append(d.buf, bs...)
	if len(d.buf) >= 4096 {
		d.flush(true)
	}
}

func (d *qpDecoder) flush(force bool) {
	if len(d.buf) > 0 && d.err == nil {
		_, d.err = d.out.Write(d.buf)
	}
	d.buf = d.buf[:0]
}

func (d *qpDecoder) Close() error {
	switch d.state {
	case qpCR:
		d.out1('\r')
	case qpEq:
		// "=" at the very end: a soft line break whose line break was
		// lost (a body without a final CRLF); drop it as go-message does.
	case qpEqHex:
		d.out1('=', d.hex1)
	}
	// Trailing white space at the end of the body is dropped (rule 3).
	d.state = qpNormal
	d.ws = d.ws[:0]
	d.flush(true)
	return d.err
}

// decodeReader reads a transfer-decoded body from a raw one.
type decodeReader struct {
	src  io.Reader
	dec  transferDecoder
	out  bufWriter
	raw  []byte
	done bool
	err  error
}

type bufWriter struct {
	b   []byte
	off int
}

func (w *bufWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }

// newDecodeReader returns a reader of src decoded per enc; identity
// encodings return src itself.
func newDecodeReader(enc string, src io.Reader) (io.Reader, error) {
	r := &decodeReader{src: src}
	dec, err := newTransferDecoder(enc, &r.out)
	if err != nil {
		return nil, err
	}
	if dec == nil {
		return src, nil
	}
	r.dec = dec
	return r, nil
}

func (r *decodeReader) Read(p []byte) (int, error) {
	for r.out.off == len(r.out.b) {
		r.out.b, r.out.off = r.out.b[:0], 0
		if r.done {
			return 0, r.err
		}
		if r.raw == nil {
			r.raw = make([]byte, 16<<10)
		}
		n, err := r.src.Read(r.raw)
		if n > 0 {
			r.dec.Write(r.raw[:n])
		}
		if err != nil {
			r.done = true
			r.dec.Close()
			r.err = err
		}
	}
	n := copy(p, r.out.b[r.out.off:])
	r.out.off += n
	return n, nil
}

var b64ok = func() (t [256]uint8) {
	for i, v := range b64val {
		if v != 0xff {
			t[i] = 1
		}
	}
	return t
}()

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// swarIn has 0x80 in each byte of x that lies in lo..hi (lo, hi < 0x80).
func swarIn(x uint64, lo, hi byte) uint64 {
	a := (x &^ swarHighs) + swarOnes*uint64(0x80-lo)
	b := (x &^ swarHighs) + swarOnes*uint64(0x7f-hi)
	return a &^ b & swarHighs &^ x
}

// countBase64 counts the octets of d in the base64 alphabet.
func countBase64(d []byte) int {
	n := 0
	for len(d) >= 8 {
		x := binary.LittleEndian.Uint64(d)
		m := swarIn(x, 'A', 'Z') | swarIn(x, 'a', 'z') | swarIn(x, '0', '9') | swarIn(x, '+', '+') | swarIn(x, '/', '/')
		n += int(((m >> 7) * swarOnes) >> 56)
		d = d[8:]
	}
	for _, c := range d {
		n += int(b64ok[c])
	}
	return n
}
