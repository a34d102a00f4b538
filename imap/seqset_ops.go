package imap

import (
	"errors"
	"iter"
	"slices"
	"strconv"
)

// ErrSyntax matches (with errors.Is) every *SyntaxError returned by the
// parsers and validators of package imap: ParseNumSet and its variants,
// DecodeMailboxUTF7, ValidMailboxName, ParseFlag, NewKeyword,
// ParseMailboxAttr and ParsePartialRange.
var ErrSyntax = errors.New("imap: syntax error")

// SyntaxError reports a value that does not follow the protocol grammar.
// Use errors.As to get at the details, or errors.Is(err, ErrSyntax) to test
// for any syntax error.
type SyntaxError struct {
	// What names the kind of value being parsed, e.g. "sequence set",
	// "modified UTF-7 mailbox name", "mailbox name", "flag", "keyword" or
	// "mailbox attribute".
	What string
	// Input is the complete input that was rejected.
	Input string
	// Offset is the byte offset in Input where the problem was seen.
	Offset int
	// Reason says what was wrong, e.g. `expected number or "*"`.
	Reason string
}

// maxErrInput bounds how much of the input Error quotes.
const maxErrInput = 64

// Error formats the error; long inputs are shortened.
func (e *SyntaxError) Error() string {
	in := e.Input
	cut := ""
	if len(in) > maxErrInput {
		in, cut = in[:maxErrInput], "..."
	}
	return "imap: malformed " + e.What + " " + strconv.Quote(in) + cut +
		" at offset " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// Is makes every *SyntaxError match ErrSyntax.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

func seqSetError[T ~string | ~[]byte](s T, off int, reason string) error {
	return &SyntaxError{What: "sequence set", Input: string(s), Offset: off, Reason: reason}
}

// ParseNumSet parses a sequence set in the strict grammar of RFC 3501 §9 and
// RFC 9051 §9:
//
//	sequence-set = (seq-number / seq-range) *("," sequence-set)
//	seq-range    = seq-number ":" seq-number
//	seq-number   = nz-number / "*"
//	nz-number    = digit-nz *DIGIT   ; 1..4294967295, no leading zero
//
// or the SEARCHRES reference "$" (RFC 5182 §2.1, RFC 9051 §9
// seq-last-command), which must stand alone. Nothing else is accepted: no
// spaces, no empty elements, no zero, no leading zeros, no values above
// 4294967295. Errors are *SyntaxError (matching ErrSyntax).
//
// The result keeps the ranges in the order and orientation they were sent
// ("4:2" stays {4, 2}); a single number n is the range {n, n}. So two
// strings that differ only in spelling a single number as "n" or "n:n"
// parse to equal values, and Parse(s.String()) equals s.
func ParseNumSet(s string) (NumSet, error) { return parseNumSet(s) }

// ParseNumSetBytes is ParseNumSet for a byte slice, for decoders that parse
// from a buffer: it does not convert b to a string and makes exactly one
// allocation (the ranges) when b is valid, none for "$". The result does
// not retain b.
func ParseNumSetBytes(b []byte) (NumSet, error) { return parseNumSet(b) }

// ParseSeqSet parses a set of message sequence numbers; see ParseNumSet.
func ParseSeqSet(s string) (SeqSet, error) {
	n, err := parseNumSet(s)
	return SeqSet{n}, err
}

// ParseUIDSet parses a set of UIDs; see ParseNumSet.
func ParseUIDSet(s string) (UIDSet, error) {
	n, err := parseNumSet(s)
	return UIDSet{n}, err
}

func parseNumSet[T ~string | ~[]byte](s T) (NumSet, error) {
	if len(s) == 1 && s[0] == '$' {
		return NumSet{searchRes: true}, nil
	}
	// The first pass validates and counts, so that junk input never causes
	// a large allocation; the second fills a slice of exactly that size.
	n, err := scanNumSet(s, nil)
	if err != nil {
		return NumSet{}, err
	}
	ranges := make([]NumRange, 0, n)
	_, _ = scanNumSet(s, &ranges)
	return NumSet{ranges: ranges}, nil
}

// scanNumSet checks s against the sequence-set grammar and returns the
// number of ranges; if dst is not nil the ranges are appended to it.
func scanNumSet[T ~string | ~[]byte](s T, dst *[]NumRange) (int, error) {
	if len(s) == 0 {
		return 0, seqSetError(s, 0, "empty sequence set")
	}
	count := 0
	i := 0
	for {
		start, j, err := scanSeqNumber(s, i)
		if err != nil {
			return 0, err
		}
		stop := start
		if j < len(s) && s[j] == ':' {
			stop, j, err = scanSeqNumber(s, j+1)
			if err != nil {
				return 0, err
			}
		}
		count++
		if dst != nil {
			*dst = append(*dst, NumRange{Start: start, Stop: stop})
		}
		if j == len(s) {
			return count, nil
		}
		if s[j] != ',' {
			return 0, seqSetError(s, j, `expected "," or ":"`)
		}
		i = j + 1
	}
}

// scanSeqNumber reads a seq-number at s[i:]: "*" (returned as Star) or an
// nz-number. It returns the value and the offset after it.
func scanSeqNumber[T ~string | ~[]byte](s T, i int) (uint32, int, error) {
	if i >= len(s) {
		return 0, i, seqSetError(s, i, `expected number or "*"`)
	}
	switch c := s[i]; {
	case c == '*':
		return Star, i + 1, nil
	case c == '0':
		return 0, i, seqSetError(s, i, "numbers start with a non-zero digit (nz-number)")
	case c == '$':
		return 0, i, seqSetError(s, i, `"$" must stand alone`)
	case c < '1' || c > '9':
		return 0, i, seqSetError(s, i, `expected number or "*"`)
	}
	var v uint64
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		v = v*10 + uint64(s[j]-'0')
		if v > 1<<32-1 {
			return 0, i, seqSetError(s, i, "number exceeds 4294967295")
		}
		j++
	}
	return uint32(v), j, nil
}

// NumSetOf returns the set of the given numbers, in the given order, with 0
// standing for "*". Ascending runs are coalesced as AddNum describes, so
// NumSetOf(1, 2, 3, 7).String() is "1:3,7". NumSetOf() is the empty set.
func NumSetOf(nums ...uint32) NumSet {
	var s NumSet
	for _, n := range nums {
		s.AddNum(n)
	}
	return s
}

// NumSetRange returns the set holding the one range start:stop; either may
// be Star (0) for "*", and they may come in either order (RFC 3501 §9
// seq-range).
func NumSetRange(start, stop uint32) NumSet {
	return NumSet{ranges: []NumRange{{Start: start, Stop: stop}}}
}

// SearchResSet returns the SEARCHRES reference "$" (RFC 5182), standing for
// the result of the last SEARCH command that used RETURN (SAVE).
func SearchResSet() NumSet { return NumSet{searchRes: true} }

// SeqSetOf is NumSetOf for message sequence numbers.
func SeqSetOf(nums ...uint32) SeqSet { return SeqSet{NumSetOf(nums...)} }

// UIDSetOf is NumSetOf for UIDs.
func UIDSetOf(nums ...uint32) UIDSet { return UIDSet{NumSetOf(nums...)} }

// Clone returns a copy of s that shares no memory with it.
//
// Like a slice, a NumSet value refers to shared storage: after t := s,
// adding to t with AddNum, AddRange or AddSet may change s as well (and the
// other way round). Clone before modifying a set that is also used
// elsewhere, such as one taken from a decoded response.
func (s NumSet) Clone() NumSet {
	return NumSet{ranges: slices.Clone(s.ranges), searchRes: s.searchRes}
}

// AddNum adds n (0 for "*") to the set. It modifies the set in place; see
// Clone about copies.
//
// The set keeps the order in which it was built, so its wire form is
// predictable; only a number that lies within the last range, or continues
// it (equals its Stop+1), when that range is ascending and has no "*",
// extends that range instead of being appended. Building from ascending
// numbers thus gives a compact set; otherwise use Normalize.
//
// The SEARCHRES reference "$" cannot be combined with numbers (RFC 5182
// allows it only alone), so AddNum leaves a "$" set unchanged.
func (s *NumSet) AddNum(n uint32) { s.addRange(NumRange{Start: n, Stop: n}) }

// AddRange adds the range start:stop (either may be Star, for "*"), with the
// same coalescing as AddNum for an ascending range without "*". It leaves a
// "$" set unchanged.
func (s *NumSet) AddRange(start, stop uint32) {
	s.addRange(NumRange{Start: start, Stop: stop})
}

// AddSet adds the ranges of t, in order, as AddRange does. If t is the
// SEARCHRES reference "$", s becomes "$" when it is empty and is left
// unchanged otherwise, since "$" cannot be combined with numbers; a "$" s is
// likewise left unchanged.
func (s *NumSet) AddSet(t NumSet) {
	if t.searchRes {
		if s.IsEmpty() {
			*s = NumSet{searchRes: true}
		}
		return
	}
	for _, r := range t.ranges {
		s.addRange(r)
	}
}

func (s *NumSet) addRange(r NumRange) {
	if s.searchRes {
		return
	}
	if k := len(s.ranges); k > 0 && r.Start != Star && r.Start <= r.Stop {
		last := &s.ranges[k-1]
		if last.Start != Star && last.Start <= last.Stop &&
			r.Start >= last.Start && uint64(r.Start) <= uint64(last.Stop)+1 {
			last.Stop = max(last.Stop, r.Stop)
			return
		}
	}
	s.ranges = append(s.ranges, r)
}

// Ranges returns a copy of the set's ranges in their order, as sent or
// built; nil for the empty set and for "$".
func (s NumSet) Ranges() []NumRange { return slices.Clone(s.ranges) }

// IsSearchRes reports whether s is the SEARCHRES reference "$" (RFC 5182).
func (s NumSet) IsSearchRes() bool { return s.searchRes }

// IsEmpty reports whether s holds no ranges and is not "$". (An empty set
// has no wire form: the grammar requires at least one number.)
func (s NumSet) IsEmpty() bool { return len(s.ranges) == 0 && !s.searchRes }

// ContainsStar reports whether any range of s uses "*".
func (s NumSet) ContainsStar() bool {
	for _, r := range s.ranges {
		if r.Start == Star || r.Stop == Star {
			return true
		}
	}
	return false
}

// String returns the wire form of s, e.g. "1:3,5,7:*", or "$". The empty
// set, which has no wire form, gives "".
func (s NumSet) String() string {
	if s.searchRes {
		return "$"
	}
	if len(s.ranges) == 0 {
		return ""
	}
	return string(s.AppendTo(make([]byte, 0, 12*len(s.ranges))))
}

// AppendTo appends the wire form of s (as String) to dst and returns the
// extended slice. It allocates only if dst lacks the capacity.
func (s NumSet) AppendTo(dst []byte) []byte {
	if s.searchRes {
		return append(dst, '$')
	}
	for i, r := range s.ranges {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendSeqNumber(dst, r.Start)
		if r.Stop != r.Start {
			dst = append(dst, ':')
			dst = appendSeqNumber(dst, r.Stop)
		}
	}
	return dst
}

func appendSeqNumber(dst []byte, n uint32) []byte {
	if n == Star {
		return append(dst, '*')
	}
	return strconv.AppendUint(dst, uint64(n), 10)
}

// resolve returns the bounds of r, low first, with "*" replaced by star.
// With star 0 (no message: "*" names nothing) a range using "*" is empty
// and ok is false.
//
// A range n:* with star < n is star:n: RFC 3501 §9 (seq-range) says the
// UID range 3291:* includes the last UID "even if that value is less than
// 3291".
func resolve(r NumRange, star uint32) (lo, hi uint32, ok bool) {
	lo, hi = r.Start, r.Stop
	if lo == Star || hi == Star {
		if star == 0 {
			return 0, 0, false
		}
		if lo == Star {
			lo = star
		}
		if hi == Star {
			hi = star
		}
	}
	if lo > hi {
		lo, hi = hi, lo
	}
	return lo, hi, true
}

// Contains reports whether n is in s. It scans the ranges and does not
// allocate. Contains(0, ...) is false.
//
// Contains, Normalize, Count, Min, Max and All take star, the number "*"
// stands for: the largest number in use, which for sequence numbers is the
// number of messages in the mailbox, and for UIDs the UID of the last
// message or, in an empty mailbox, UIDNEXT (RFC 3501 §9 and RFC 9051 §9,
// seq-number). A star of 0 means that "*" stands for no number at all (an
// empty mailbox, where RFC 3501 makes "*" in a sequence number set an
// error): every range that uses "*", including n:*, is then empty. A "$"
// set counts as empty too, since only the server knows its value.
func (s NumSet) Contains(n, star uint32) bool {
	if n == 0 {
		return false
	}
	for _, r := range s.ranges {
		if lo, hi, ok := resolve(r, star); ok && lo <= n && n <= hi {
			return true
		}
	}
	return false
}

// Normalize returns s with "*" resolved to star (see Contains), each range
// ascending, the ranges sorted and overlapping or adjacent ranges merged:
// the canonical form, whose String is the shortest wire form of the set.
// The result has no "*" (ranges using "*" are dropped when star is 0) and
// shares no memory with s. It costs O(r log r) for r ranges, however many
// numbers they hold. Normalize is idempotent; a "$" set is returned
// unchanged.
func (s NumSet) Normalize(star uint32) NumSet {
	if s.searchRes {
		return NumSet{searchRes: true}
	}
	rs := make([]NumRange, 0, len(s.ranges))
	for _, r := range s.ranges {
		if lo, hi, ok := resolve(r, star); ok {
			rs = append(rs, NumRange{Start: lo, Stop: hi})
		}
	}
	if len(rs) == 0 {
		return NumSet{}
	}
	slices.SortFunc(rs, func(a, b NumRange) int {
		switch {
		case a.Start < b.Start:
			return -1
		case a.Start > b.Start:
			return 1
		}
		return 0
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if uint64(r.Start) <= uint64(last.Stop)+1 {
			last.Stop = max(last.Stop, r.Stop)
		} else {
			out = append(out, r)
		}
	}
	return NumSet{ranges: out[:len(out):len(out)]}
}

// Count returns how many distinct numbers s holds, with "*" standing for
// star (see Contains). It cannot overflow: the numbers lie in
// 1..4294967295.
func (s NumSet) Count(star uint32) uint32 {
	var c uint32
	for _, r := range s.Normalize(star).ranges {
		c += r.Stop - r.Start + 1
	}
	return c
}

// Min returns the smallest number in s, with "*" standing for star (see
// Contains), and false if s is empty (or "$"). It does not allocate.
func (s NumSet) Min(star uint32) (uint32, bool) {
	var m uint32
	found := false
	for _, r := range s.ranges {
		if lo, _, ok := resolve(r, star); ok && (!found || lo < m) {
			m, found = lo, true
		}
	}
	return m, found
}

// Max returns the largest number in s, with "*" standing for star (see
// Contains), and false if s is empty (or "$"). It does not allocate.
func (s NumSet) Max(star uint32) (uint32, bool) {
	var m uint32
	found := false
	for _, r := range s.ranges {
		if _, hi, ok := resolve(r, star); ok && (!found || hi > m) {
			m, found = hi, true
		}
	}
	return m, found
}

// All returns an iterator over the distinct numbers of s in ascending
// order, with "*" standing for star (see Contains). It is
// lazy: All normalizes the ranges (O(r log r), a snapshot of s taken when
// All is called) and the iterator then yields the numbers one at a time, so
// even 1:4294967295 needs no memory for its numbers.
func (s NumSet) All(star uint32) iter.Seq[uint32] {
	norm := s.Normalize(star)
	return func(yield func(uint32) bool) {
		for _, r := range norm.ranges {
			for n := r.Start; ; n++ {
				if !yield(n) {
					return
				}
				if n == r.Stop { // also stops before n++ wraps at 4294967295
					break
				}
			}
		}
	}
}

// Clone is NumSet.Clone for sequence numbers.
func (s SeqSet) Clone() SeqSet { return SeqSet{s.NumSet.Clone()} }

// Clone is NumSet.Clone for UIDs.
func (s UIDSet) Clone() UIDSet { return UIDSet{s.NumSet.Clone()} }

// Normalize is NumSet.Normalize for sequence numbers.
func (s SeqSet) Normalize(star uint32) SeqSet { return SeqSet{s.NumSet.Normalize(star)} }

// Normalize is NumSet.Normalize for UIDs.
func (s UIDSet) Normalize(star uint32) UIDSet { return UIDSet{s.NumSet.Normalize(star)} }
