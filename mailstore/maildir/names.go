package maildir

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Delimiter is the hierarchy delimiter of every maildir Store: '.', as in
// Maildir++, where it also separates the levels of a folder's directory
// name (".Work.Projects"), and as Dovecot shows Maildir++ folders.
const Delimiter = '.'

// MaxNameLength is the longest mailbox name accepted, in octets, and
// maxDiskName the longest directory name it may encode to (file systems
// allow 255 octets).
const (
	MaxNameLength = 1024
	maxDiskName   = 250
)

const (
	inbox = "INBOX"
	delim = string(Delimiter)
)

// canonicalName checks a mailbox name and returns its canonical form:
// "INBOX" for every case variant of INBOX, also as the first level of a
// longer name. It refuses, with mailstore.ErrInvalidName, names that are
// empty, too long, not UTF-8, hold a control character (NUL included) or
// "/", or have an empty level ("a..b", ".a", "a.") — so no name can
// encode to "..", a path separator, or a directory other than one
// ".Name" directory directly under the user's root.
func canonicalName(name string) (string, error) {
	if strings.Contains(name, "/") {
		return "", fmt.Errorf("%w: %q holds \"/\"", mailstore.ErrInvalidName, name)
	}
	name, err := mailstore.CanonicalName(name, Delimiter, MaxNameLength)
	if err != nil {
		return "", err
	}
	if len(diskName(name)) > maxDiskName {
		return "", fmt.Errorf("%w: %q is too long for a directory name", mailstore.ErrInvalidName, name)
	}
	return name, nil
}

// diskName returns the directory of a canonical name relative to the
// user's root: "" for INBOX (the root itself), else "." and the name in
// modified UTF-7 (RFC 3501 §5.1.3), as Dovecot's Maildir++ layout keeps
// it by default.
func diskName(name string) string {
	if name == inbox {
		return ""
	}
	return "." + imap.EncodeMailboxUTF7(name)
}

// nameFromDisk returns the mailbox name of a folder directory (a name
// that begins with "."), and false for directories that are not folders
// this store can address: names that do not decode, that are not the
// canonical encoding of their name, or that stand for INBOX itself.
func nameFromDisk(d string) (string, bool) {
	if len(d) < 2 || d[0] != '.' {
		return "", false
	}
	name, err := imap.DecodeMailboxUTF7(d[1:])
	if err != nil {
		return "", false
	}
	c, err := canonicalName(name)
	if err != nil || c == inbox || diskName(c) != d {
		return "", false
	}
	return c, true
}

// parentNames returns the superior names of name, outermost first.
func parentNames(name string) []string { return mailstore.ParentNames(name, Delimiter) }

// isInferior reports whether name is an inferior of parent.
func isInferior(name, parent string) bool { return mailstore.IsInferior(name, parent, Delimiter) }

// within reports whether path is root or lies under it (both cleaned).
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// validUser checks a user name used as a directory name under the
// Backend's root.
func validUser(user string) error {
	switch {
	case user == "", user == ".", user == "..", len(user) > 255,
		strings.ContainsAny(user, "/\\"), user[0] == '.', mailstore.HasControl(user), !utf8.ValidString(user):
		return fmt.Errorf("%w: unusable user name %q", mailstore.ErrAuthFailed, user)
	}
	return nil
}
