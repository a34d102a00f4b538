package wire

import (
	"strconv"

	"github.com/mailaccess/mailaccess/imap"
)

// rawValue reads one value of any form verbatim: an atom (with any
// [bracketed] part), a quoted string, a literal, or a parenthesized list of
// values. The result holds the exact wire bytes, literals with their {n}
// prefix and CRLF.
func (d *Decoder) rawValue() (imap.RawValue, error) {
	var out []byte
	if err := d.appendRaw(&out); err != nil {
		return nil, err
	}
	return out, nil
}

func (d *Decoder) appendRaw(out *[]byte) error {
	switch c := d.peek(); c {
	case '(':
		if err := d.push(); err != nil {
			return err
		}
		defer d.pop()
		d.pos++
		*out = append(*out, '(')
		first := true
		for n := 0; ; n++ {
			if n > d.opt.MaxListLength {
				return d.syntaxErr("", ErrListTooLong)
			}
			for d.accept(' ') {
				if !first {
					*out = append(*out, ' ')
					first = true
				}
			}
			if d.accept(')') {
				*out = append(*out, ')')
				return nil
			}
			if d.eol() {
				return d.errExpected(`")"`)
			}
			first = false
			if err := d.appendRaw(out); err != nil {
				return err
			}
		}
	case '"':
		b, err := d.quoted()
		if err != nil {
			return err
		}
		*out = appendQuoted(*out, b)
		return nil
	case '{', '~':
		if c == '~' && !d.literal8Next() {
			return d.appendRawAtom(out)
		}
		h, err := d.literalHeader(true)
		if err != nil {
			return err
		}
		data, err := d.readLiteralData(h)
		if err != nil {
			return err
		}
		if h.binary {
			*out = append(*out, '~')
		}
		*out = append(*out, '{')
		*out = strconv.AppendInt(*out, h.size, 10)
		if h.nonSync {
			*out = append(*out, '+')
		}
		*out = append(*out, "}\r\n"...)
		*out = append(*out, data...)
		return nil
	case 0, ')', ' ':
		return d.errExpected("value")
	default:
		return d.appendRawAtom(out)
	}
}

// appendRawAtom appends an atom, with any [bracketed] part, verbatim.
// Strict mode accepts only printable US-ASCII (and SP inside brackets):
// every atom-like production of the grammar is 7-bit without CTLs.
func (d *Decoder) appendRawAtom(out *[]byte) error {
	start := d.pos
	depth := 0
	line := d.line
	strict := d.strict()
	i := d.pos
	for i < len(line) {
		c := line[i]
		if strict && (c < 0x20 || c > 0x7e || c == ' ' && depth == 0) {
			break
		}
		if c == '[' {
			depth++
		} else if c == ']' && depth > 0 {
			depth--
		} else if depth == 0 && (c == ' ' || c == '(' || c == ')' || c == '"' || c == '{') {
			break
		}
		i++
	}
	if i == start {
		return d.errExpected("value")
	}
	d.pos = i
	*out = append(*out, line[start:i]...)
	return nil
}

// appendQuoted appends s as a quoted string: quoted() unescaped the string
// in place, so the original bytes are gone; escape it again.
func appendQuoted(out []byte, s []byte) []byte {
	out = append(out, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return append(out, '"')
}
