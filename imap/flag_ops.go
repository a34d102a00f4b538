package imap

// IsAtomChar reports whether b is an ATOM-CHAR of RFC 3501 §9 (and
// RFC 9051 §9): any CHAR (%x01-7F) except the atom-specials "(", ")", "{",
// SP, CTL (%x00-1F, %x7F), the list-wildcards "%" and "*", the
// quoted-specials DQUOTE and "\", and the resp-special "]".
func IsAtomChar(b byte) bool {
	if b <= ' ' || b >= 0x7f {
		return false
	}
	switch b {
	case '(', ')', '{', '%', '*', '"', '\\', ']':
		return false
	}
	return true
}

// checkAtom reports whether s is an atom (1*ATOM-CHAR) and, if not, the
// offset and reason of the first problem.
func checkAtom(s string) (int, string, bool) {
	if s == "" {
		return 0, "empty atom", false
	}
	for i := 0; i < len(s); i++ {
		if !IsAtomChar(s[i]) {
			return i, "not an ATOM-CHAR", false
		}
	}
	return 0, "", true
}

// ParseFlag checks and canonicalizes a flag as it appears in a flag list
// (RFC 3501 §9 flag, flag-fetch and flag-perm; RFC 9051 §9):
//
//   - "\" followed by an atom: a system flag, spelled as its constant
//     (`\seen` gives FlagSeen; \Recent included) since the protocol's
//     tokens are case-insensitive (RFC 3501 §9 note 1), or else a
//     flag-extension, which clients MUST accept, kept as sent;
//   - `\*` (FlagWildcard), which is meaningful only in PERMANENTFLAGS;
//   - an atom: a keyword (flag-keyword), kept as sent.
//
// Anything else, such as "" or a flag with a space, "]" or non-ASCII, is a
// *SyntaxError.
func ParseFlag(s string) (Flag, error) {
	if len(s) > 0 && s[0] == '\\' {
		if s == `\*` {
			return FlagWildcard, nil
		}
		if off, reason, ok := checkAtom(s[1:]); !ok {
			return "", &SyntaxError{What: "flag", Input: s, Offset: off + 1, Reason: reason}
		}
		return Flag(s).Canonical(), nil
	}
	return NewKeyword(s)
}

// NewKeyword returns the keyword s (RFC 3501 §2.3.2 and §9 flag-keyword,
// an atom). It returns a *SyntaxError if s is not an atom; "\" is not an
// ATOM-CHAR, so system flags are refused too.
func NewKeyword(s string) (Flag, error) {
	if off, reason, ok := checkAtom(s); !ok {
		return "", &SyntaxError{What: "keyword", Input: s, Offset: off, Reason: reason}
	}
	return Flag(s), nil
}

// IsSystem reports whether f begins with "\": a system flag (RFC 3501
// §2.3.2), a flag-extension or \*, rather than a keyword.
func (f Flag) IsSystem() bool { return len(f) > 0 && f[0] == '\\' }

// IsKeyword reports whether f is a keyword: a flag not beginning with "\".
func (f Flag) IsKeyword() bool { return len(f) > 0 && f[0] != '\\' }

// Canonical returns the constant spelling of a system flag matched
// case-insensitively (`\SEEN` gives FlagSeen) and f unchanged otherwise.
// Keywords keep their case, since a server may store them as sent.
func (f Flag) Canonical() Flag {
	if !f.IsSystem() {
		return f
	}
	for _, sf := range [...]Flag{
		FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft, FlagRecent, FlagWildcard,
	} {
		if asciiEqualFold(string(f), string(sf)) {
			return sf
		}
	}
	return f
}

// Equal reports whether f and g name the same flag, ignoring ASCII case.
//
// For system flags and flag-extensions this follows RFC 3501 §9 note 1
// (tokens are case-insensitive). For keywords the RFCs do not say; common
// servers (Dovecot, Cyrus) match them case-insensitively, so Equal does
// too. Use == for an exact comparison.
func (f Flag) Equal(g Flag) bool { return asciiEqualFold(string(f), string(g)) }

// ParseMailboxAttr checks and canonicalizes a LIST mailbox attribute:
// "\" followed by an atom (RFC 3501 §9 mbx-list-oflag/mbx-list-sflag,
// RFC 9051 §9, flag-extension). Known attributes are matched
// case-insensitively and spelled as their constants (`\NoInferiors` gives
// AttrNoinferiors); others are kept as sent. Anything else is a
// *SyntaxError.
func ParseMailboxAttr(s string) (MailboxAttr, error) {
	if len(s) == 0 || s[0] != '\\' {
		return "", &SyntaxError{What: "mailbox attribute", Input: s, Offset: 0, Reason: `expected "\"`}
	}
	if off, reason, ok := checkAtom(s[1:]); !ok {
		return "", &SyntaxError{What: "mailbox attribute", Input: s, Offset: off + 1, Reason: reason}
	}
	return MailboxAttr(s).Canonical(), nil
}

// Canonical returns the constant spelling of a known attribute matched
// case-insensitively and a unchanged otherwise.
func (a MailboxAttr) Canonical() MailboxAttr {
	if len(a) == 0 || a[0] != '\\' {
		return a
	}
	for _, k := range [...]MailboxAttr{
		AttrNoinferiors, AttrNoselect, AttrMarked, AttrUnmarked, AttrNonExistent,
		AttrSubscribed, AttrRemote, AttrHasChildren, AttrHasNoChildren,
		AttrAll, AttrArchive, AttrDrafts, AttrFlagged, AttrJunk, AttrSent,
		AttrTrash, AttrImportant,
	} {
		if asciiEqualFold(string(a), string(k)) {
			return k
		}
	}
	return a
}

// Equal reports whether a and b name the same attribute, ignoring ASCII
// case (RFC 3501 §9 note 1).
func (a MailboxAttr) Equal(b MailboxAttr) bool { return asciiEqualFold(string(a), string(b)) }
