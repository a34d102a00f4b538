package memstore

import "github.com/mailaccess/mailaccess/mailstore"

// Delimiter is the hierarchy delimiter of every memstore Store.
const Delimiter = '/'

// MaxNameLength is the longest mailbox name accepted, in octets.
const MaxNameLength = 1024

const (
	inbox = "INBOX"
	delim = string(Delimiter)
)

// canonicalName checks a mailbox name (mailstore.CanonicalName) and
// returns its canonical form.
func canonicalName(name string) (string, error) {
	return mailstore.CanonicalName(name, Delimiter, MaxNameLength)
}

// parentNames returns the superior names of name, outermost first.
func parentNames(name string) []string { return mailstore.ParentNames(name, Delimiter) }

// isInferior reports whether name is an inferior of parent.
func isInferior(name, parent string) bool { return mailstore.IsInferior(name, parent, Delimiter) }
