package pop3

import (
	"errors"
	"strings"
)

var (
	// ErrLineTooLong: a line exceeded the Reader's MaxLine. The rest of
	// the line was read and discarded, so the next read starts at the
	// next line.
	ErrLineTooLong = errors.New("pop3: line too long")
	// ErrSyntax: a line does not follow the grammar (RFC 1939, RFC 2449
	// §3, RFC 5034 §4). Errors wrapping it carry detail.
	ErrSyntax = errors.New("pop3: syntax error")
	// ErrAuthCancelled: the client answered a SASL challenge with "*"
	// (RFC 5034 §4).
	ErrAuthCancelled = errors.New("pop3: authentication cancelled by client")
	// ErrInvalid: a value cannot be encoded: an empty or malformed
	// command name, or an argument or text holding CR, LF or NUL (which
	// would let a caller's data inject a command or a response).
	ErrInvalid = errors.New("pop3: invalid value for encoding")
)

// Error is a negative response (-ERR) as an error: the client returns it
// for every command a server refused, and a server may return it to choose
// the response code and text.
type Error struct {
	// Code is the response code (RFC 2449 §8), "" if the server gave
	// none.
	Code Code
	// Text is the human-readable text after the code.
	Text string
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pop3: -ERR")
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(string(e.Code))
		b.WriteByte(']')
	}
	if e.Text != "" {
		b.WriteByte(' ')
		b.WriteString(e.Text)
	}
	return b.String()
}

// Is reports whether target is an *Error with the same code, or a code in
// whose hierarchy this one falls (an *Error{Code: CodeSys} matches
// [SYS/TEMP]). An *Error with an empty Code matches any *Error.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == "" || e.Code.Within(t.Code)
}
