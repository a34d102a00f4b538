package imap

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3, RFC 9051 Appendix A.1) is how IMAP4rev1
// carries non-ASCII mailbox names in 7 bits. Printable US-ASCII other than
// "&" (0x20-0x25, 0x27-0x7e) stands for itself, "&" is written "&-", and
// every other character is written as UTF-16 in a variant of base64 (","
// replacing "/", no "=" padding) between "&" and "-".

// mbase64 is the modified BASE64 alphabet: RFC 2045 base64 with "," in
// place of "/" (RFC 3501 §5.1.3).
const mbase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

// mbase64Value returns the 6-bit value of a modified BASE64 character, or
// -1 if c is not one.
func mbase64Value(c byte) int {
	switch {
	case c >= 'A' && c <= 'Z':
		return int(c - 'A')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 26
	case c >= '0' && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == ',':
		return 63
	}
	return -1
}

// printableASCII reports whether c is printable US-ASCII (0x20-0x7e), the
// octets that modified UTF-7 never encodes in BASE64.
func printableASCII[T byte | rune](c T) bool { return c >= 0x20 && c <= 0x7e }

// EncodeMailboxUTF7 encodes a UTF-8 mailbox name in modified UTF-7
// (RFC 3501 §5.1.3). The result is the single canonical form that
// DecodeMailboxUTF7 accepts: each maximal run of characters that cannot
// represent themselves becomes one "&...-" shift sequence, in the fewest
// BASE64 characters, with zero padding bits. Invalid UTF-8 in name is
// encoded as U+FFFD, one per invalid byte, as range over a string reads it.
func EncodeMailboxUTF7(name string) string {
	i := 0
	for i < len(name) && printableASCII(name[i]) && name[i] != '&' {
		i++
	}
	if i == len(name) {
		return name // nothing to encode
	}
	var b strings.Builder
	b.Grow(len(name) + len(name)/2 + 8)
	b.WriteString(name[:i])
	for i < len(name) {
		c := name[i]
		if printableASCII(c) {
			if c == '&' {
				b.WriteString("&-")
			} else {
				b.WriteByte(c)
			}
			i++
			continue
		}
		// A run of characters to shift: UTF-16 (RFC 2152), then modified
		// BASE64. bits holds the nbits < 6 bits not yet written.
		b.WriteByte('&')
		var bits uint32
		nbits := 0
		put := func(u uint16) {
			bits = bits<<16 | uint32(u)
			nbits += 16
			for nbits >= 6 {
				nbits -= 6
				b.WriteByte(mbase64[bits>>nbits&63])
			}
			bits &= 1<<nbits - 1
		}
		for i < len(name) && !printableASCII(name[i]) {
			r, size := utf8.DecodeRuneInString(name[i:])
			i += size
			if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
				put(uint16(r1))
				put(uint16(r2))
			} else {
				put(uint16(r))
			}
		}
		if nbits > 0 {
			b.WriteByte(mbase64[bits<<(6-nbits)&63])
		}
		b.WriteByte('-')
	}
	return b.String()
}

func utf7Error(s string, off int, reason string) error {
	return &SyntaxError{What: "modified UTF-7 mailbox name", Input: s, Offset: off, Reason: reason}
}

// DecodeMailboxUTF7 decodes a mailbox name from modified UTF-7
// (RFC 3501 §5.1.3) to UTF-8. It is strict: it accepts exactly the strings
// EncodeMailboxUTF7 produces, so for every s it accepts,
// EncodeMailboxUTF7(decoded) == s. It rejects, with a *SyntaxError:
//
//   - octets outside printable US-ASCII, which must be encoded (mailbox
//     names are 7-bit, RFC 3501 §5.1);
//   - a shift sequence not ended by "-" ("there is no implicit shift from
//     BASE64 to US-ASCII"; "&Jjo!" is invalid);
//   - characters outside the modified BASE64 alphabet inside a shift;
//   - BASE64 that encodes a printable US-ASCII character, "&" included,
//     which must stand for itself or be written "&-" ("Modified BASE64
//     MUST NOT be used to represent any printing US-ASCII character which
//     can represent itself");
//   - a shift sequence right after another ("-&", a null shift: the RFC's
//     "&U,BTFw-&ZeVnLIqe-" must be written "&U,BTF2XlZyyKng-"); "&-" after a
//     shift sequence is a literal "&" and is fine;
//   - BASE64 that is not minimal (six or more bits left over after the last
//     16-bit unit) or whose leftover padding bits are not zero;
//   - unpaired UTF-16 surrogates.
//
// Under IMAP4rev2 or UTF8=ACCEPT mailbox names are sent as UTF-8 and are
// not decoded (RFC 9051 §5.1, Appendix A.1); use ValidMailboxName for those.
func DecodeMailboxUTF7(s string) (string, error) {
	i := 0
	for i < len(s) && printableASCII(s[i]) && s[i] != '&' {
		i++
	}
	if i == len(s) {
		return s, nil // plain ASCII: nothing to decode
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	b.WriteString(s[:i])
	shiftEnd := -1 // offset just past the "-" that closed the last shift
	for i < len(s) {
		c := s[i]
		if !printableASCII(c) {
			return "", utf7Error(s, i, "octet 0x"+strconv.FormatUint(uint64(c), 16)+" must be encoded in modified BASE64")
		}
		if c != '&' {
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 < len(s) && s[i+1] == '-' {
			b.WriteByte('&')
			i += 2
			continue
		}
		if i == shiftEnd {
			return "", utf7Error(s, i, "superfluous shift: adjacent shift sequences must be merged")
		}
		end, err := decodeShift(&b, s, i)
		if err != nil {
			return "", err
		}
		i = end
		shiftEnd = end
	}
	return b.String(), nil
}

// decodeShift decodes the shift sequence starting with the "&" at s[amp],
// which is not "&-", writing its characters to b. It returns the offset
// just past its closing "-".
func decodeShift(b *strings.Builder, s string, amp int) (int, error) {
	var (
		bits  uint32
		nbits int
		high  rune // pending high surrogate, or 0
		hiOff int  // offset where it started
		unitK int  // offset of the character completing the current unit
	)
	for k := amp + 1; ; k++ {
		if k == len(s) {
			return 0, utf7Error(s, amp, `shift sequence not terminated by "-"`)
		}
		c := s[k]
		if c == '-' {
			// RFC 2152: the bits left after the last whole 16-bit unit
			// are padding; fewer than six of them and all zero, or the
			// encoding is not the minimal one.
			if nbits >= 6 {
				return 0, utf7Error(s, k-1, "superfluous BASE64 character: not a minimal encoding")
			}
			if bits&(1<<nbits-1) != 0 {
				return 0, utf7Error(s, k-1, "non-zero padding bits in BASE64")
			}
			if high != 0 {
				return 0, utf7Error(s, hiOff, "unpaired UTF-16 high surrogate")
			}
			return k + 1, nil
		}
		v := mbase64Value(c)
		if v < 0 {
			return 0, utf7Error(s, k, "character "+strconv.QuoteRune(rune(c))+` not in modified BASE64 (missing "-"?)`)
		}
		if nbits == 0 {
			unitK = k
		}
		bits = bits<<6 | uint32(v)
		nbits += 6
		if nbits < 16 {
			continue
		}
		nbits -= 16
		u := rune(bits >> nbits & 0xffff)
		bits &= 1<<nbits - 1
		switch {
		case high != 0:
			if u < 0xdc00 || u >= 0xe000 {
				return 0, utf7Error(s, hiOff, "unpaired UTF-16 high surrogate")
			}
			b.WriteRune(utf16.DecodeRune(high, u))
			high = 0
		case u >= 0xd800 && u < 0xdc00:
			high, hiOff = u, unitK
		case u >= 0xdc00 && u < 0xe000:
			return 0, utf7Error(s, unitK, "unpaired UTF-16 low surrogate")
		case printableASCII(u):
			return 0, utf7Error(s, unitK, "BASE64 encodes printable US-ASCII "+strconv.QuoteRune(u)+", which must represent itself")
		default:
			b.WriteRune(u)
		}
		if nbits > 0 {
			unitK = k
		}
	}
}

// IsInbox reports whether name is INBOX, which is case-insensitive: "All
// case variants of INBOX (e.g., "iNbOx") MUST be interpreted as INBOX"
// (RFC 3501 §5.1 and §9, RFC 9051 §5.1 and §9, mailbox). Only ASCII case
// folding applies.
func IsInbox(name string) bool { return asciiEqualFold(name, "INBOX") }

// CanonicalMailbox returns "INBOX" for every case variant of INBOX and name
// unchanged otherwise.
//
// Only the name INBOX itself is case-insensitive. RFC 9051 §5.1 (like
// RFC 3501 §5.1) "takes no position on case sensitivity in non-INBOX
// mailbox names", and INBOX's inferiors such as "inbox/Foo" are non-INBOX
// names, so their case is the server's business and is left alone.
func CanonicalMailbox(name string) string {
	if IsInbox(name) {
		return "INBOX"
	}
	return name
}

// ValidMailboxName checks a (decoded, UTF-8) mailbox name before it is used
// in a command: it must be non-empty (no mailbox has the empty name), be
// valid UTF-8 (RFC 9051 §5.1 requires Net-Unicode names), and contain no
// NUL (RFC 3501 §9: NUL "MUST NOT be used at any time"), CR or LF (which
// cannot appear in a quoted string and break line-oriented processing).
// Other control characters are allowed, though RFC 9051 §5.1 lets servers
// refuse them. Errors are *SyntaxError.
func ValidMailboxName(name string) error {
	if name == "" {
		return &SyntaxError{What: "mailbox name", Input: name, Offset: 0, Reason: "empty name"}
	}
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			switch c {
			case 0:
				return &SyntaxError{What: "mailbox name", Input: name, Offset: i, Reason: "NUL not allowed"}
			case '\r', '\n':
				return &SyntaxError{What: "mailbox name", Input: name, Offset: i, Reason: "CR and LF not allowed"}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 {
			return &SyntaxError{What: "mailbox name", Input: name, Offset: i, Reason: "invalid UTF-8"}
		}
		i += size
	}
	return nil
}

// asciiEqualFold is strings.EqualFold restricted to ASCII letters, as the
// protocol's case-insensitivity is (RFC 3501 §9 note 1): it never matches
// non-ASCII look-alikes such as the Kelvin sign.
func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

// asciiHasPrefixFold reports whether s begins with prefix, ignoring ASCII
// case.
func asciiHasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && asciiEqualFold(s[:len(prefix)], prefix)
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
