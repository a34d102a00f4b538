package mime

import (
	"bytes"
	"strings"
)

// Field is one header field as it appears in the message.
type Field struct {
	// Name is the field name as sent, without the colon and any white
	// space before it.
	Name string
	// Raw is the whole field as sent: name, colon, value, folding and the
	// line ending(s).
	Raw []byte
	// valueAt is the offset in Raw where the value begins (after the colon).
	valueAt int
}

// RawValue returns the field's value as sent, after the colon: folding,
// leading white space and encoded-words kept, the final line ending removed.
func (f Field) RawValue() string {
	v := f.Raw[f.valueAt:]
	v = bytes.TrimSuffix(v, []byte("\n"))
	v = bytes.TrimSuffix(v, []byte("\r"))
	return string(v)
}

// Value returns the field's value unfolded (RFC 5322 §2.2.3: every CR and
// LF removed) with leading white space removed; encoded-words are left as
// sent. A NUL octet, which no IMAP string may carry, becomes 0x80, as
// Dovecot does.
func (f Field) Value() string { return unfold(f.Raw[f.valueAt:]) }

// unfold removes CR and LF and leading white space, and replaces NUL.
func unfold(v []byte) string {
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	if !bytes.ContainsAny(v, "\r\n\x00") {
		return string(v)
	}
	b := make([]byte, 0, len(v))
	for _, c := range v {
		switch c {
		case '\r', '\n':
		case 0:
			b = append(b, 0x80)
		default:
			b = append(b, c)
		}
	}
	// Leading white space may have followed a fold on the first line.
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return string(b)
}

// Header is a message or MIME part header: its fields in order. The zero
// value is an empty header.
type Header struct {
	Fields []Field
}

// ParseHeader parses a header block (the bytes up to and including the
// empty line that ends it, or without it). It never fails: a line that is
// neither a field nor a continuation is kept as a field with an empty name,
// so that nothing is lost when the header is written back.
func ParseHeader(b []byte) Header {
	var h Header
	for len(b) > 0 {
		// One physical line.
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		line := b[:n]
		if isBlankLine(line) {
			break // the end of the header
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h.Fields) > 0 {
			last := &h.Fields[len(h.Fields)-1]
			last.Raw = last.Raw[:len(last.Raw)+n] // fields are contiguous in b's backing array
			b = b[n:]
			continue
		}
		var f Field
		if c := bytes.IndexByte(line, ':'); c > 0 {
			f.Name = string(bytes.TrimRight(line[:c], " \t"))
			f.valueAt = c + 1
		} else {
			f.valueAt = len(line)
		}
		// Raw grows over continuation lines in place, so its capacity
		// reaches the end of the block until the loop is done.
		f.Raw = b[:n:len(b)]
		h.Fields = append(h.Fields, f)
		b = b[n:]
	}
	for i := range h.Fields {
		f := &h.Fields[i]
		f.Raw = f.Raw[:len(f.Raw):len(f.Raw)]
	}
	return h
}

func isBlankLine(line []byte) bool {
	return len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
}

// Get returns the unfolded value of the first field named name (compared
// case-insensitively), or "" if there is none.
func (h *Header) Get(name string) string {
	for i := range h.Fields {
		if strings.EqualFold(h.Fields[i].Name, name) {
			return h.Fields[i].Value()
		}
	}
	return ""
}

// Lookup is like Get but reports whether the field is present.
func (h *Header) Lookup(name string) (string, bool) {
	for i := range h.Fields {
		if strings.EqualFold(h.Fields[i].Name, name) {
			return h.Fields[i].Value(), true
		}
	}
	return "", false
}

// Values returns the unfolded values of every field named name, in order.
func (h *Header) Values(name string) []string {
	var vs []string
	for i := range h.Fields {
		if strings.EqualFold(h.Fields[i].Name, name) {
			vs = append(vs, h.Fields[i].Value())
		}
	}
	return vs
}
