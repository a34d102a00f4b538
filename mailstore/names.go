package mailstore

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// DefaultMaxNameLength is the longest mailbox name CanonicalName accepts
// when given no limit, in octets.
const DefaultMaxNameLength = 1024

// CanonicalName checks a mailbox name by the rules every store shares and
// returns its canonical form: "INBOX" for every case variant of INBOX,
// also as the first level of a longer name (RFC 3501 §5.1). It refuses,
// with an error wrapping ErrInvalidName, names that are empty, longer than
// maxLen octets (0: DefaultMaxNameLength), not valid UTF-8, hold a control
// character (C0, DEL, C1; NUL included), or have an empty level ("a//b",
// "/a", "a/" with delimiter '/'). A store adds its own rules after it.
func CanonicalName(name string, delim rune, maxLen int) (string, error) {
	if maxLen <= 0 {
		maxLen = DefaultMaxNameLength
	}
	switch {
	case name == "":
		return "", fmt.Errorf("%w: empty name", ErrInvalidName)
	case len(name) > maxLen:
		return "", fmt.Errorf("%w: longer than %d octets", ErrInvalidName, maxLen)
	case !utf8.ValidString(name):
		return "", fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidName, name)
	case HasControl(name):
		return "", fmt.Errorf("%w: %q holds a control character", ErrInvalidName, name)
	}
	d := string(delim)
	for _, level := range strings.Split(name, d) {
		if level == "" {
			return "", fmt.Errorf("%w: %q has an empty level", ErrInvalidName, name)
		}
	}
	first, rest, nested := strings.Cut(name, d)
	if imap.IsInbox(first) {
		if !nested {
			return "INBOX", nil
		}
		return "INBOX" + d + rest, nil
	}
	return name, nil
}

// HasControl reports whether s holds a C0 or C1 control character or DEL.
func HasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// ParentNames returns the superior names of name, outermost first: "a",
// "a/b" for "a/b/c" with delimiter '/'.
func ParentNames(name string, delim rune) []string {
	var ps []string
	for i, r := range name {
		if r == delim {
			ps = append(ps, name[:i])
		}
	}
	return ps
}

// IsInferior reports whether name is an inferior of parent.
func IsInferior(name, parent string, delim rune) bool {
	return strings.HasPrefix(name, parent+string(delim)) && len(name) > len(parent)+1
}
