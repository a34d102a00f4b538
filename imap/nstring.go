package imap

// NString is an IMAP nstring: a string that may also be NIL.
// The zero value is NIL.
type NString struct {
	// S is the string's value; empty when the NString is NIL.
	S string
	// Valid is false for NIL.
	Valid bool
}

// Nil is the NIL nstring.
var Nil = NString{}

// Str returns a non-NIL NString holding s (which may be empty).
func Str(s string) NString { return NString{S: s, Valid: true} }

// IsNil reports whether n is NIL.
func (n NString) IsNil() bool { return !n.Valid }

// String returns the value, or "NIL" for NIL (for debugging; the encoder
// quotes strings properly).
func (n NString) String() string {
	if !n.Valid {
		return "NIL"
	}
	return n.S
}
