package memstore

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Delimiter is the hierarchy delimiter of every memstore Store.
const Delimiter = '/'

// MaxNameLength is the longest mailbox name accepted, in octets.
const MaxNameLength = 1024

const (
	inbox = "INBOX"
	delim = string(Delimiter)
)

// hasControl reports whether s holds a C0 or C1 control character or
// DEL.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

// canonicalName checks a mailbox name and returns its canonical form:
// "INBOX" for every case variant of INBOX, also as the first level of a
// longer name. Errors wrap mailstore.ErrInvalidName.
func canonicalName(name string) (string, error) {
	switch {
	case name == "":
		return "", fmt.Errorf("%w: empty name", mailstore.ErrInvalidName)
	case len(name) > MaxNameLength:
		return "", fmt.Errorf("%w: longer than %d octets", mailstore.ErrInvalidName, MaxNameLength)
	case !utf8.ValidString(name):
		return "", fmt.Errorf("%w: %q is not valid UTF-8", mailstore.ErrInvalidName, name)
	case hasControl(name):
		return "", fmt.Errorf("%w: %q holds a control character", mailstore.ErrInvalidName, name)
	}
	first, rest, nested := strings.Cut(name, delim)
	if first == "" || (nested && (rest == "" || strings.HasPrefix(rest, delim) || strings.Contains(rest, delim+delim) || strings.HasSuffix(rest, delim))) {
		return "", fmt.Errorf("%w: %q has an empty level", mailstore.ErrInvalidName, name)
	}
	if imap.IsInbox(first) {
		if !nested {
			return inbox, nil
		}
		return inbox + delim + rest, nil
	}
	return name, nil
}

// parentNames returns the superior names of name, outermost first: "a",
// "a/b" for "a/b/c".
func parentNames(name string) []string {
	var ps []string
	for i := 0; i < len(name); i++ {
		if name[i] == Delimiter {
			ps = append(ps, name[:i])
		}
	}
	return ps
}

// isInferior reports whether name is an inferior of parent.
func isInferior(name, parent string) bool {
	return len(name) > len(parent)+1 && name[len(parent)] == Delimiter && strings.HasPrefix(name, parent)
}
