package memstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// systemFlags are the system flags a message can carry, in the order they
// are kept.
var systemFlags = [...]imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}

// permanentFlags is PERMANENTFLAGS of a read-write view (RFC 3501 §7.1).
var permanentFlags = []imap.Flag{
	imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft, imap.FlagWildcard,
}

// flagRank orders flags: system flags first in systemFlags order, then
// keywords.
func flagRank(f imap.Flag) int {
	for i, s := range systemFlags {
		if f == s {
			return i
		}
	}
	return len(systemFlags)
}

func compareFlags(a, b imap.Flag) int {
	ra, rb := flagRank(a), flagRank(b)
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(strings.ToLower(string(a)), strings.ToLower(string(b)))
}

// normFlags checks flags and returns them canonical, deduplicated
// (case-insensitively) and sorted. \Recent is dropped (clients cannot set
// it, RFC 3501 §2.3.2); \*, other flag-extensions and malformed keywords
// give mailstore.ErrInvalidFlag.
func normFlags(in []imap.Flag) ([]imap.Flag, error) {
	out := make([]imap.Flag, 0, len(in))
	for _, f := range in {
		c := f.Canonical()
		switch {
		case c == imap.FlagRecent:
			continue
		case c.IsSystem():
			if flagRank(c) == len(systemFlags) {
				return nil, fmt.Errorf("%w: flag %q cannot be stored", mailstore.ErrInvalidFlag, string(f))
			}
		default:
			if _, err := imap.NewKeyword(string(c)); err != nil {
				return nil, fmt.Errorf("%w: invalid keyword %q", mailstore.ErrInvalidFlag, string(f))
			}
		}
		if !slices.ContainsFunc(out, c.Equal) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, compareFlags)
	return out, nil
}

// applyFlags returns cur changed by op with fl (both normalized) and
// whether that is a change. The result is a new slice when it is, so that
// slices handed out earlier never change.
func applyFlags(cur []imap.Flag, op mailstore.FlagOp, fl []imap.Flag) ([]imap.Flag, bool) {
	var next []imap.Flag
	switch op {
	case mailstore.FlagsAdd:
		next = slices.Clone(cur)
		for _, f := range fl {
			if !slices.ContainsFunc(next, f.Equal) {
				next = append(next, f)
			}
		}
		slices.SortFunc(next, compareFlags)
	case mailstore.FlagsRemove:
		for _, f := range cur {
			if !slices.ContainsFunc(fl, f.Equal) {
				next = append(next, f)
			}
		}
	default: // FlagsReplace
		next = slices.Clone(fl)
	}
	if sameFlags(cur, next) {
		return cur, false
	}
	if next == nil {
		next = []imap.Flag{}
	}
	return next, true
}

// sameFlags reports whether two normalized flag lists hold the same
// flags.
func sameFlags(a, b []imap.Flag) bool {
	return slices.EqualFunc(a, b, imap.Flag.Equal)
}

func hasFlag(fs []imap.Flag, f imap.Flag) bool { return slices.Contains(fs, f) }
