package wire

import (
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors. A *SyntaxError matches ErrSyntax with errors.Is, and also
// the limit it hit (ErrLineTooLong and the others match ErrLimit).
var (
	// ErrSyntax matches every *SyntaxError.
	ErrSyntax = errors.New("imap wire: syntax error")
	// ErrLimit matches every error caused by a configured limit.
	ErrLimit = errors.New("imap wire: limit exceeded")

	ErrLineTooLong     = &limitError{"line too long"}
	ErrLiteralTooLarge = &limitError{"literal too large"}
	ErrTooDeep         = &limitError{"nesting too deep"}
	ErrListTooLong     = &limitError{"list too long"}
	ErrTooManyLiterals = &limitError{"too many literals in one message"}

	// ErrLiteralRefused is returned when Options.Continue refused a
	// synchronizing literal; the literal was not read.
	ErrLiteralRefused = errors.New("imap wire: literal refused")
)

type limitError struct{ s string }

func (e *limitError) Error() string        { return "imap wire: " + e.s }
func (e *limitError) Is(target error) bool { return target == ErrLimit }

// SyntaxError reports a malformed message. The decoder has skipped the rest
// of the message when it returns one.
type SyntaxError struct {
	// Offset is the byte offset in the stream where the problem was seen.
	Offset int64
	// Excerpt is a printable excerpt of the line around Offset.
	Excerpt string
	// Expected says what the grammar required there.
	Expected string
	// Tag is the message's tag when it was read before the error
	// (so a server can answer BAD with it), or "".
	Tag string
	// Err is the underlying cause, if any (e.g. ErrLineTooLong).
	Err error
}

func (e *SyntaxError) Error() string {
	s := "imap wire: at offset " + strconv.FormatInt(e.Offset, 10)
	if e.Expected != "" {
		s += ": expected " + e.Expected
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Excerpt != "" {
		s += fmt.Sprintf(" near %q", e.Excerpt)
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *SyntaxError) Unwrap() error { return e.Err }

// Is makes every SyntaxError match ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }
