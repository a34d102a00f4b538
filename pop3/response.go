package pop3

import (
	"bytes"
	"fmt"
	"strings"
)

// Code is an extended response code (RFC 2449 §8): a hierarchy of levels
// separated by "/", such as "SYS/TEMP". It is written in square brackets
// after the status indicator.
type Code string

// Response codes registered for POP3.
const (
	// CodeInUse: the maildrop is locked by another session (RFC 2449
	// §8.1.1).
	CodeInUse Code = "IN-USE"
	// CodeLoginDelay: the user logged in too recently (RFC 2449 §8.1.2).
	CodeLoginDelay Code = "LOGIN-DELAY"
	// CodeSys is the root of the system-error codes (RFC 3206 §4).
	CodeSys Code = "SYS"
	// CodeSysTemp: a temporary system failure; trying again may work
	// (RFC 3206 §4).
	CodeSysTemp Code = "SYS/TEMP"
	// CodeSysPerm: a permanent system failure (RFC 3206 §4).
	CodeSysPerm Code = "SYS/PERM"
	// CodeAuth: the credentials were refused (RFC 3206 §5), as opposed
	// to a failure of the system.
	CodeAuth Code = "AUTH"
	// CodeUTF8: the command needs UTF8 mode (RFC 6856 §2).
	CodeUTF8 Code = "UTF8"
)

// Within reports whether c is parent or one of its sub-codes: "SYS/TEMP"
// is within "SYS" and within "SYS/TEMP", not within "SY". Codes compare
// without regard to case.
func (c Code) Within(parent Code) bool {
	if len(c) < len(parent) || !strings.EqualFold(string(c[:len(parent)]), string(parent)) {
		return false
	}
	return len(c) == len(parent) || c[len(parent)] == '/'
}

// Response is a status line: "+OK" or "-ERR", an optional response code
// and text (RFC 1939 §3, RFC 2449 §3). The greeting, the first line of a
// multi-line response and every single-line response are Responses.
type Response struct {
	// OK is true for "+OK", false for "-ERR".
	OK bool
	// Code is the response code, "" if none.
	Code Code
	// Text is what follows the status and the code, without the space
	// that separates them.
	Text string
}

// Err returns nil for a positive response and an *Error for a negative
// one.
func (r Response) Err() error {
	if r.OK {
		return nil
	}
	return &Error{Code: r.Code, Text: r.Text}
}

// Timestamp returns the APOP timestamp of a greeting (RFC 1939 §7): the
// text from the first "<" to the next ">", both included, or "" if there
// is none.
func (r Response) Timestamp() string {
	i := strings.IndexByte(r.Text, '<')
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(r.Text[i:], '>')
	if j < 0 {
		return ""
	}
	return r.Text[i : i+j+1]
}

// AppendTo appends the response's line, CRLF included, to b. It fails
// with ErrInvalid if the text or the code holds CR, LF or NUL, or the code
// holds a space or "]".
func (r Response) AppendTo(b []byte) ([]byte, error) {
	if !safeText(r.Text) || !validCode(string(r.Code), true) && r.Code != "" {
		return b, fmt.Errorf("%w: response %q %q", ErrInvalid, r.Code, r.Text)
	}
	if r.OK {
		b = append(b, "+OK"...)
	} else {
		b = append(b, "-ERR"...)
	}
	if r.Code != "" {
		b = append(b, " ["...)
		b = append(b, r.Code...)
		b = append(b, ']')
	}
	if r.Text != "" {
		b = append(b, ' ')
		b = append(b, r.Text...)
	}
	return append(b, "\r\n"...), nil
}

// ParseResponse parses a status line, without its line end. Strict mode
// requires upper-case "+OK" or "-ERR" followed by a space or the end of
// the line, a well-formed response code (RFC 2449 §3 rchar levels), and at
// most 510 octets. Lenient mode accepts any case, text glued to the
// indicator and any bracketed code.
func ParseResponse(line []byte, mode Mode) (Response, error) {
	var r Response
	if mode == Strict && len(line) > maxResponse-2 {
		return r, fmt.Errorf("%w: status line of %d octets (RFC 2449 §4 allows 512 with CRLF)", ErrSyntax, len(line)+2)
	}
	var rest []byte
	switch {
	case hasStatus(line, "+OK", mode):
		r.OK, rest = true, line[3:]
	case hasStatus(line, "-ERR", mode):
		rest = line[4:]
	default:
		return r, fmt.Errorf("%w: status line %q starts with neither +OK nor -ERR", ErrSyntax, clip(line))
	}
	if len(rest) > 0 {
		if rest[0] == ' ' {
			rest = rest[1:]
		} else if mode == Strict {
			return r, fmt.Errorf("%w: no space after the status indicator in %q", ErrSyntax, clip(line))
		}
	}
	if len(rest) > 0 && rest[0] == '[' {
		if end := bytes.IndexByte(rest, ']'); end > 0 && validCode(string(rest[1:end]), mode == Strict) {
			r.Code = Code(rest[1:end])
			rest = rest[end+1:]
			if len(rest) > 0 && rest[0] == ' ' {
				rest = rest[1:]
			}
		} else if mode == Strict {
			return r, fmt.Errorf("%w: malformed response code in %q", ErrSyntax, clip(line))
		}
	}
	if mode == Strict && bytes.IndexByte(rest, 0) >= 0 {
		return r, fmt.Errorf("%w: NUL in status line", ErrSyntax)
	}
	r.Text = string(rest)
	return r, nil
}

func hasStatus(line []byte, status string, mode Mode) bool {
	if len(line) < len(status) {
		return false
	}
	if mode == Strict {
		return string(line[:len(status)]) == status && (len(line) == len(status) || line[len(status)] == ' ')
	}
	return strings.EqualFold(string(line[:len(status)]), status)
}

// validCode reports whether s is a response code's content: levels of
// rchar (printable ASCII without "/" and "]") separated by "/" in strict
// mode; anything printable without space and "]" otherwise.
func validCode(s string, strict bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == ']' || c == '[':
			return false
		case c == '/' && strict && (i == 0 || i == len(s)-1 || s[i-1] == '/'):
			return false
		}
	}
	return true
}

// safeText reports whether s may appear in a line: no CR, LF or NUL.
func safeText(s string) bool {
	return !strings.ContainsAny(s, "\r\n\x00")
}

// clip shortens a line for an error message.
func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}
