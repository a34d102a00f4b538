package wire

import "github.com/mailaccess/mailaccess/imap"

// Scanner gives a FetchItemDecoder access to the grammar's primitives at the
// decoder's current position. It is valid only during that call.
type Scanner struct {
	d *Decoder
}

// Peek returns the next byte without consuming it, or 0 at the end of the
// line.
func (s *Scanner) Peek() byte { return s.d.peek() }

// SP consumes one space.
func (s *Scanner) SP() error { return s.d.sp() }

// Atom reads an atom.
func (s *Scanner) Atom() (string, error) {
	b, err := s.d.atom()
	return str(b), err
}

// AString reads an astring (atom, quoted string or literal).
func (s *Scanner) AString() (string, error) { return s.d.astring() }

// String reads a quoted string or a literal.
func (s *Scanner) String() (string, error) { return s.d.string() }

// NString reads a string or NIL.
func (s *Scanner) NString() (imap.NString, error) { return s.d.nstring() }

// Number reads a 32-bit number.
func (s *Scanner) Number() (uint32, error) { return s.d.number() }

// Number64 reads a 63-bit number.
func (s *Scanner) Number64() (uint64, error) { return s.d.number64() }

// List reads a parenthesized list, calling item for each element.
func (s *Scanner) List(item func() error) error { return s.d.list(true, item) }

// Raw reads one value of any form (atom, string, literal, list) verbatim.
func (s *Scanner) Raw() (imap.RawValue, error) { return s.d.rawValue() }
