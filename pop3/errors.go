package pop3

import (
	"errors"
	"fmt"
	"io"
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
	// ErrInvalidBase64: a SASL challenge, response or initial response
	// is not strict Base64 (RFC 5034 §4). It wraps ErrSyntax; unlike
	// other syntax errors during AUTH it leaves the exchange in step: a
	// client answers it with "*", a server with -ERR.
	ErrInvalidBase64 = fmt.Errorf("%w: invalid Base64 in SASL exchange", ErrSyntax)
	// ErrBareLFTerminator: in strict mode, the line that ends a
	// multi-line response was "." and a bare LF. The response has ended
	// (the stream is in step), but malformed: errors.Is matches both
	// this error and io.EOF, and it wraps ErrSyntax.
	ErrBareLFTerminator = fmt.Errorf("%w: multi-line response ended by \".\" and a bare LF", ErrSyntax)
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

// strictEOF is the end of a multi-line response in strict mode when its
// terminator line ended in a bare LF.
var strictEOF = errors.Join(ErrBareLFTerminator, io.EOF)
