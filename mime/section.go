package mime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// ErrNoSuchPart is the error (tested with errors.Is) for a section path
// that names no part of the message.
var ErrNoSuchPart = errors.New("mime: no such part")

// ErrNotLeaf is the error (tested with errors.Is) for BINARY or
// BINARY.SIZE of a part that is not a leaf: RFC 9051 §6.4.5 allows them
// only for media types other than multipart/*, message/rfc822 and
// message/global.
var ErrNotLeaf = errors.New("mime: BINARY of a part that is not a leaf")

// ErrHeaderTooLarge is the error for a header block larger than
// DefaultMaxHeaderSize when it has to be read back whole.
var ErrHeaderTooLarge = errors.New("mime: header too large")

// Part returns the part that a section part path names (RFC 3501 §6.4.5):
// the body parts of a multipart are numbered from 1; a message that is not
// multipart has its body as part 1; the parts of a message/rfc822 part's
// embedded message are numbered beneath it. An empty path is the message.
func (s *Structure) Part(path []uint32) (*Part, error) {
	cur := &s.Root
	for i, n := range path {
		if n == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNoSuchPart, pathString(path[:i+1]))
		}
		// Into the embedded message of a message/rfc822 part (not for
		// the root: it is the message already).
		if i > 0 && cur.IsMessage() && len(cur.Parts) == 1 {
			cur = &cur.Parts[0]
		}
		switch {
		case cur.IsMultipart() && len(cur.Parts) == 0 && n == 1:
			// No part found: BODYSTRUCTURE shows one empty text/plain
			// part, and this is it.
			cur = &Part{Offset: cur.End(), Type: "text", Subtype: "plain",
				Params: []imap.Param{{Key: "charset", Value: "us-ascii"}}}
		case cur.IsMultipart():
			if int(n) > len(cur.Parts) {
				return nil, fmt.Errorf("%w: %s", ErrNoSuchPart, pathString(path[:i+1]))
			}
			cur = &cur.Parts[n-1]
		case n == 1:
			// The single body of a non-multipart entity is its part 1.
		default:
			return nil, fmt.Errorf("%w: %s", ErrNoSuchPart, pathString(path[:i+1]))
		}
	}
	return cur, nil
}

func pathString(path []uint32) string {
	var b strings.Builder
	for i, n := range path {
		if i > 0 {
			b.WriteByte('.')
		}
		fmt.Fprint(&b, n)
	}
	return b.String()
}

// message returns the message entity a HEADER/TEXT specifier refers to:
// the message itself for an empty path, else the embedded message of the
// message/rfc822 part the path names.
func (s *Structure) message(path []uint32) (*Part, error) {
	if len(path) == 0 {
		return &s.Root, nil
	}
	p, err := s.Part(path)
	if err != nil {
		return nil, err
	}
	if !p.IsMessage() || len(p.Parts) != 1 {
		return nil, fmt.Errorf("%w: %s is not a message/rfc822 part", ErrNoSuchPart, pathString(path))
	}
	return &p.Parts[0], nil
}

// Section returns the content of a body section BODY[section] (RFC 3501
// §6.4.5) cut from the raw message src, and its size. HEADER.FIELDS and
// HEADER.FIELDS.NOT return the selected fields as sent followed by the
// empty line.
func (s *Structure) Section(src io.ReaderAt, sec imap.Section) (io.Reader, int64, error) {
	return s.SectionPartial(src, sec, nil)
}

// SectionPartial is Section restricted to a partial range <offset.count>;
// octets before the offset are not read.
func (s *Structure) SectionPartial(src io.ReaderAt, sec imap.Section, partial *imap.Partial) (io.Reader, int64, error) {
	var off, n int64
	switch sec.Spec {
	case imap.SpecNone:
		if len(sec.Part) == 0 {
			off, n = 0, s.Size
			break
		}
		p, err := s.Part(sec.Part)
		if err != nil {
			return nil, 0, err
		}
		off, n = p.BodyOffset(), p.BodySize
	case imap.SpecMIME:
		if len(sec.Part) == 0 {
			return nil, 0, fmt.Errorf("%w: MIME needs a part number", ErrNoSuchPart)
		}
		p, err := s.Part(sec.Part)
		if err != nil {
			return nil, 0, err
		}
		off, n = p.Offset, p.HeaderSize
	case imap.SpecHeader, imap.SpecText:
		m, err := s.message(sec.Part)
		if err != nil {
			return nil, 0, err
		}
		if sec.Spec == imap.SpecHeader {
			off, n = m.Offset, m.HeaderSize
		} else {
			off, n = m.BodyOffset(), m.BodySize
		}
	case imap.SpecHeaderFields, imap.SpecHeaderFieldsNot:
		m, err := s.message(sec.Part)
		if err != nil {
			return nil, 0, err
		}
		b, err := m.headerFields(src, sec.Fields, sec.Spec == imap.SpecHeaderFieldsNot)
		if err != nil {
			return nil, 0, err
		}
		b = cut(b, partial)
		return bytes.NewReader(b), int64(len(b)), nil
	default:
		return nil, 0, fmt.Errorf("%w: unknown section specifier %q", ErrNoSuchPart, sec.Spec)
	}
	off, n = cutRange(off, n, partial)
	return io.NewSectionReader(src, off, n), n, nil
}

// cutRange applies a partial to the range off..off+n.
func cutRange(off, n int64, partial *imap.Partial) (int64, int64) {
	if partial == nil {
		return off, n
	}
	o := int64(partial.Offset)
	if o > n {
		o = n
	}
	c := n - o
	if int64(partial.Count) < c {
		c = int64(partial.Count)
	}
	return off + o, c
}

func cut(b []byte, partial *imap.Partial) []byte {
	off, n := cutRange(0, int64(len(b)), partial)
	return b[off : off+n]
}

// readHeaderBytes reads the part's header block.
func (p *Part) readHeaderBytes(src io.ReaderAt) ([]byte, error) {
	if p.HeaderSize > DefaultMaxHeaderSize {
		return nil, fmt.Errorf("%w: %d octets", ErrHeaderTooLarge, p.HeaderSize)
	}
	b := make([]byte, p.HeaderSize)
	n, err := src.ReadAt(b, p.Offset)
	if n == len(b) {
		return b, nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return nil, err
}

// Header reads the part's header from the raw message src and parses it.
func (p *Part) Header(src io.ReaderAt) (Header, error) {
	b, err := p.readHeaderBytes(src)
	if err != nil {
		return Header{}, err
	}
	return ParseHeader(b), nil
}

// headerFields returns the fields named in names (or, with not, those not
// named) as sent, then the empty line (RFC 3501 §6.4.5 HEADER.FIELDS).
func (p *Part) headerFields(src io.ReaderAt, names []string, not bool) ([]byte, error) {
	raw, err := p.readHeaderBytes(src)
	if err != nil {
		return nil, err
	}
	h := ParseHeader(raw)
	var out []byte
	for _, f := range h.Fields {
		if f.Name == "" {
			continue // not a field
		}
		match := false
		for _, n := range names {
			if strings.EqualFold(n, f.Name) {
				match = true
				break
			}
		}
		if match != not {
			out = append(out, f.Raw...)
			if !bytes.HasSuffix(f.Raw, []byte("\n")) {
				out = append(out, '\r', '\n')
			}
		}
	}
	// The empty line follows unless the header stops in the middle of a
	// line (a message that ends there), as in Dovecot.
	if len(raw) == 0 || raw[len(raw)-1] == '\n' {
		out = append(out, '\r', '\n')
	}
	return out, nil
}

// Binary returns the content of BINARY[part] (RFC 3516 §4.2): the body of
// the part with its Content-Transfer-Encoding removed, and its size (the
// BINARY.SIZE). An empty path is the whole message, as is. A part whose
// encoding is unknown fails with ErrUnknownEncoding (the server's NO
// [UNKNOWN-CTE]), one that is not a leaf with ErrNotLeaf. Damaged base64
// and quoted-printable are decoded leniently (characters outside the
// alphabet skipped, malformed escapes kept), where Dovecot refuses with NO
// [PARSE].
func (s *Structure) Binary(src io.ReaderAt, part []uint32) (io.Reader, int64, error) {
	if len(part) == 0 {
		return io.NewSectionReader(src, 0, s.Size), s.Size, nil
	}
	p, err := s.Part(part)
	if err != nil {
		return nil, 0, err
	}
	if !p.isLeaf() {
		return nil, 0, fmt.Errorf("%w: %s is %s/%s", ErrNotLeaf, pathString(part), p.Type, p.Subtype)
	}
	size, err := p.decodedSize(src)
	if err != nil {
		return nil, 0, err
	}
	raw := io.NewSectionReader(src, p.BodyOffset(), p.BodySize)
	r, err := newDecodeReader(p.Encoding, raw)
	if err != nil {
		return nil, 0, err
	}
	return r, size, nil
}

// decodedSize returns the part's decoded size, counting it from src when
// Parse did not (Options.DecodedSizes).
func (p *Part) decodedSize(src io.ReaderAt) (int64, error) {
	if p.DecodedSize >= 0 {
		return p.DecodedSize, nil
	}
	var n counter
	dec, err := newTransferDecoder(p.Encoding, &n)
	if err != nil {
		return 0, err
	}
	if dec == nil {
		return p.BodySize, nil
	}
	if _, err := io.Copy(dec, io.NewSectionReader(src, p.BodyOffset(), p.BodySize)); err != nil {
		return 0, err
	}
	if err := dec.Close(); err != nil {
		return 0, err
	}
	return n.n, nil
}

// BinarySize returns BINARY.SIZE[part] (RFC 3516 §4.3): from the
// structure when Parse computed it (Options.DecodedSizes), else by
// decoding the part from src, which may then be nil only for parts
// without a transfer encoding. The structure is not modified, so it may be
// shared.
func (s *Structure) BinarySize(src io.ReaderAt, part []uint32) (int64, error) {
	if len(part) == 0 {
		return s.Size, nil
	}
	p, err := s.Part(part)
	if err != nil {
		return 0, err
	}
	if !p.isLeaf() {
		return 0, fmt.Errorf("%w: %s is %s/%s", ErrNotLeaf, pathString(part), p.Type, p.Subtype)
	}
	if !identityEncoding(p.Encoding) && !hasDecoder(p.Encoding) {
		return 0, fmt.Errorf("%w: %q", ErrUnknownEncoding, p.Encoding)
	}
	if p.DecodedSize < 0 && src == nil {
		return 0, fmt.Errorf("mime: BINARY.SIZE[%s] needs the message: parse with Options.DecodedSizes to cache it", pathString(part))
	}
	return p.decodedSize(src)
}

// isLeaf reports whether p is a leaf for BINARY (RFC 9051 §6.4.5).
func (p *Part) isLeaf() bool {
	return !p.IsMultipart() && !p.IsMessage()
}

// Decoded returns the part's body with its Content-Transfer-Encoding
// removed.
func (p *Part) Decoded(src io.ReaderAt) (io.Reader, error) {
	return newDecodeReader(p.Encoding, io.NewSectionReader(src, p.BodyOffset(), p.BodySize))
}

// Text returns the part's body decoded to UTF-8 text: the
// Content-Transfer-Encoding removed and, for text/* parts, the charset
// converted. An unknown charset gives the undecoded octets and an error
// matching ErrUnknownCharset; an unknown encoding gives the raw body and
// an error matching ErrUnknownEncoding.
func (p *Part) Text(src io.ReaderAt) (io.Reader, error) {
	raw := io.NewSectionReader(src, p.BodyOffset(), p.BodySize)
	r, err := newDecodeReader(p.Encoding, raw)
	if err != nil {
		return raw, err
	}
	if strings.EqualFold(p.Type, "text") {
		cs, _ := p.Param("charset")
		return CharsetReader(cs, r)
	}
	return r, nil
}
