package pop3

import (
	"bytes"
	"fmt"
	"strconv"
)

// DropListing is the answer to STAT (RFC 1939 §5): how many messages the
// maildrop holds and their total size in octets, messages marked as
// deleted excluded.
type DropListing struct {
	Count int
	Size  int64
}

// String formats the listing as STAT's response text: "2 320".
func (d DropListing) String() string {
	return strconv.Itoa(d.Count) + " " + strconv.FormatInt(d.Size, 10)
}

// ScanListing is one message in the answer to LIST (RFC 1939 §5): its
// number and size in octets.
type ScanListing struct {
	Msg  int
	Size int64
}

// String formats the listing: "1 120".
func (s ScanListing) String() string {
	return strconv.Itoa(s.Msg) + " " + strconv.FormatInt(s.Size, 10)
}

// UniqueID is one message in the answer to UIDL (RFC 1939 §7): its number
// and unique-id.
type UniqueID struct {
	Msg int
	UID string
}

// String formats the listing: "1 whqtswO00WBw418f9t5JxYwZ".
func (u UniqueID) String() string { return strconv.Itoa(u.Msg) + " " + u.UID }

// ValidUID reports whether s may be a unique-id: 1 to 70 characters from
// 0x21 to 0x7E (RFC 1939 §7).
func ValidUID(s string) bool { return len(s) <= 70 && printable(s) }

// ParseDropListing parses STAT's response text ("2 320"). Lenient mode
// ignores what follows the two numbers, which RFC 1939 §5 discourages but
// allows.
func ParseDropListing(text string, mode Mode) (DropListing, error) {
	a, b, rest, err := twoFields([]byte(text), mode)
	if err != nil {
		return DropListing{}, fmt.Errorf("drop listing: %w", err)
	}
	n, err1 := parseCount(a)
	size, err2 := parseSize(b)
	if err1 != nil || err2 != nil || mode == Strict && len(rest) > 0 {
		return DropListing{}, fmt.Errorf("%w: drop listing %q", ErrSyntax, clip([]byte(text)))
	}
	return DropListing{Count: n, Size: size}, nil
}

// ParseScanListing parses a scan listing: a line of LIST's multi-line
// answer, or the text of LIST n's answer ("1 120"). Message numbers start
// at 1.
func ParseScanListing(line []byte, mode Mode) (ScanListing, error) {
	a, b, rest, err := twoFields(line, mode)
	if err != nil {
		return ScanListing{}, fmt.Errorf("scan listing: %w", err)
	}
	n, err1 := parseCount(a)
	size, err2 := parseSize(b)
	if err1 != nil || err2 != nil || n == 0 || mode == Strict && len(rest) > 0 {
		return ScanListing{}, fmt.Errorf("%w: scan listing %q", ErrSyntax, clip(line))
	}
	return ScanListing{Msg: n, Size: size}, nil
}

// ParseUniqueID parses a unique-id listing: a line of UIDL's multi-line
// answer, or the text of UIDL n's answer.
func ParseUniqueID(line []byte, mode Mode) (UniqueID, error) {
	a, b, rest, err := twoFields(line, mode)
	if err != nil {
		return UniqueID{}, fmt.Errorf("unique-id listing: %w", err)
	}
	n, err1 := parseCount(a)
	if err1 != nil || n == 0 || len(rest) > 0 && mode == Strict || mode == Strict && !ValidUID(string(b)) || !printable(string(b)) {
		return UniqueID{}, fmt.Errorf("%w: unique-id listing %q", ErrSyntax, clip(line))
	}
	return UniqueID{Msg: n, UID: string(b)}, nil
}

// twoFields splits "a b[ rest]".
func twoFields(line []byte, mode Mode) (a, b, rest []byte, err error) {
	if mode != Strict {
		line = bytes.TrimLeft(line, " \t")
	}
	i := bytes.IndexByte(line, ' ')
	if i <= 0 {
		return nil, nil, nil, fmt.Errorf("%w: %q is not two fields", ErrSyntax, clip(line))
	}
	a, line = line[:i], line[i+1:]
	if mode != Strict {
		line = bytes.TrimLeft(line, " \t")
	}
	i = bytes.IndexAny(line, " \t")
	if i < 0 {
		i = len(line)
	}
	b, rest = line[:i], line[i:]
	if len(b) == 0 {
		return nil, nil, nil, fmt.Errorf("%w: %q is not two fields", ErrSyntax, clip(line))
	}
	if mode != Strict {
		rest = bytes.TrimSpace(rest)
	}
	return a, b, rest, nil
}

func parseCount(b []byte) (int, error) {
	if len(b) == 0 || len(b) > 9 {
		return 0, ErrSyntax
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func parseSize(b []byte) (int64, error) {
	if len(b) == 0 || len(b) > 18 {
		return 0, ErrSyntax
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, ErrSyntax
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
}

// ParseMsg parses a message-number argument (RFC 1939 §5): a decimal
// number from 1 up. It does not check the number against a maildrop.
func ParseMsg(s string) (int, error) {
	n, err := parseCount([]byte(s))
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: message number %q", ErrSyntax, s)
	}
	return n, nil
}

// maxLines is where ParseLines stops counting: no message has more lines.
const maxLines = 1 << 30

// ParseLines parses TOP's line count (RFC 1939 §7): a decimal number from
// 0 up, of any length. A count beyond any message is not rejected: the
// digits after it reaches 1<<30 are ignored. A malformed count gives an
// error wrapping ErrSyntax.
func ParseLines(s string) (int, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: empty line count", ErrSyntax)
	}
	n := 0
	for i := 0; i < len(s); i++ {
		d := s[i]
		if d < '0' || d > '9' {
			return 0, fmt.Errorf("%w: line count %q", ErrSyntax, s)
		}
		if n < maxLines {
			n = n*10 + int(d-'0')
		}
	}
	return n, nil
}
