package mime

import (
	"strings"
	"unicode/utf8"
)

// This file extracts the base subject of RFC 5256 §2.1 and holds the
// i;unicode-casemap collation (RFC 5051) that SORT and THREAD compare
// strings with.

// BaseSubject returns the "base subject" of a Subject header value, as
// RFC 5256 §2.1 defines it for SORT and THREAD: encoded-words are decoded
// to UTF-8, runs of white space become one space, and the reply and
// forward artifacts ("Re:", "Fwd:", "[list]" blobs, a "(fwd)" trailer,
// "[fwd: ...]" wrapping) are removed. isReply reports whether a subj-refwd,
// a "(fwd)" subj-trailer or a subj-fwd-hdr/subj-fwd-trl pair was removed,
// which is what makes a message "a reply or forward" for the REFERENCES
// algorithm (RFC 5256 §3, THREAD).
//
// The result keeps the letter case of the subject; compare base subjects
// case-insensitively (SORT and THREAD use i;unicode-casemap). Words in an
// unknown charset are left as sent.
func BaseSubject(subject string) (base string, isReply bool) {
	// (1) Decode encoded-words; tabs and continuations become spaces and
	// runs of spaces become one space.
	decoded, _ := DecodeHeader(subject)
	s := packSubjectSpace(decoded)

	for {
		// (2) Remove subj-trailer = "(fwd)" / WSP, repeatedly.
		s = trimSubjTrailers(s, &isReply)
		// (3), (4), (5): subj-leaders and subj-blobs.
		s = cutSubjLeaders(s, &isReply)
		// (6) "[fwd:" subject "]": unwrap and repeat from (2).
		if len(s) >= len("[fwd:]") && subjHasPrefixFold(s, "[fwd:") && s[len(s)-1] == ']' {
			s = s[len("[fwd:") : len(s)-1]
			isReply = true
			continue
		}
		// (7) The resulting text is the base subject.
		return s, isReply
	}
}

// packSubjectSpace turns tabs, CR and LF into spaces and runs of spaces
// into one space (RFC 5256 §2.1 step 1).
func packSubjectSpace(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\r' || c == '\n' || (c == ' ' && i+1 < len(s) && s[i+1] == ' ') {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\r' || c == '\n' || c == ' ' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// trimSubjTrailers removes trailing subj-trailer = "(fwd)" / WSP until none
// is left, setting *isReply when a "(fwd)" goes (RFC 5256 §2.1 step 2).
func trimSubjTrailers(s string, isReply *bool) string {
	for {
		switch {
		case strings.HasSuffix(s, " "):
			s = s[:len(s)-1]
		case len(s) >= 5 && subjHasPrefixFold(s[len(s)-5:], "(fwd)"):
			s = s[:len(s)-5]
			*isReply = true
		default:
			return s
		}
	}
}

// cutSubjLeaders performs steps (3) to (5) of RFC 5256 §2.1: it removes
// subj-leaders and subj-blobs from the front of s until none is left,
// setting *isReply when a subj-refwd goes:
//
//	subj-leader = (*subj-blob subj-refwd) / WSP
//	subj-refwd  = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//
// Step (4) removes a leading subj-blob only when text remains after it.
// The run of blobs at the front is scanned once: if a subj-refwd follows
// it, (3) removes blobs and subj-refwd together; if not, (3) cannot match
// again until (4) has removed every blob of the run one by one, except the
// last one when nothing follows it. Doing that at once keeps the work
// linear in the length of s.
func cutSubjLeaders(s string, isReply *bool) string {
	for {
		if strings.HasPrefix(s, " ") {
			s = s[1:]
			continue
		}
		p, last, blobs := s, s, 0
		for {
			rest, ok := cutSubjBlob(p)
			if !ok {
				break
			}
			last, p = p, rest
			blobs++
		}
		if rest, ok := cutSubjRefwd(p); ok {
			s = rest
			*isReply = true
			continue
		}
		switch {
		case blobs == 0:
		case p != "":
			s = p
		default:
			s = last // the last blob is the subject
		}
		// What follows the blobs is no subj-blob, subj-refwd or WSP.
		return s
	}
}

// cutSubjRefwd removes a subj-refwd from the front of s.
func cutSubjRefwd(s string) (string, bool) {
	var p string
	switch {
	case subjHasPrefixFold(s, "re"):
		p = s[2:]
	case subjHasPrefixFold(s, "fwd"):
		p = s[3:]
	case subjHasPrefixFold(s, "fw"):
		p = s[2:]
	default:
		return s, false
	}
	p = strings.TrimLeft(p, " ")
	if strings.HasPrefix(p, "[") {
		rest, ok := cutSubjBlob(p)
		if !ok {
			return s, false
		}
		p = rest
	}
	if !strings.HasPrefix(p, ":") {
		return s, false
	}
	return p[1:], true
}

// cutSubjBlob removes one subj-blob = "[" *BLOBCHAR "]" *WSP from the front
// of s, where BLOBCHAR is any octet but NUL, "[" and "]".
func cutSubjBlob(s string) (string, bool) {
	if !strings.HasPrefix(s, "[") {
		return s, false
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case ']':
			return strings.TrimLeft(s[i+1:], " "), true
		case '[', 0:
			return s, false
		}
	}
	return s, false
}

// subjHasPrefixFold reports whether s starts with the lower-case ASCII prefix
// p, ignoring ASCII case (ABNF literals are case-insensitive, RFC 5234
// §2.3).
func subjHasPrefixFold(s, p string) bool {
	if len(s) < len(p) {
		return false
	}
	for i := 0; i < len(p); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != p[i] {
			return false
		}
	}
	return true
}

// sortCollateKey returns the "titlecased canonicalized UTF-8" form of s that
// the i;unicode-casemap collation (RFC 5051 §2) compares octet by octet:
// each code point is replaced by its titlecase mapping and that by its
// full compatibility decomposition. For ASCII this is i;ascii-casemap
// (a-z become A-Z). A string that is not valid UTF-8 is used unchanged,
// as RFC 5051 step (1)(b) says.
func sortCollateKey(s string) string {
	if !utf8.ValidString(s) {
		return s // RFC 5051 step (1)(b): compare the octets
	}
	// One folding for SORT and SEARCH (casemap.go).
	return string(appendCasemapString(make([]byte, 0, len(s)), s))
}
