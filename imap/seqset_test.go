package imap

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseNumSetValid(t *testing.T) {
	tests := []struct {
		in     string
		ranges []NumRange
	}{
		{"1", []NumRange{{1, 1}}},
		{"*", []NumRange{{Star, Star}}},
		{"1:3", []NumRange{{1, 3}}},
		{"4:2", []NumRange{{4, 2}}}, // orientation kept, RFC 3501 §9 seq-range
		{"1:*", []NumRange{{1, Star}}},
		{"*:4", []NumRange{{Star, 4}}},
		{"*:*", []NumRange{{Star, Star}}},
		{"5:5", []NumRange{{5, 5}}},
		{"1,2,3", []NumRange{{1, 1}, {2, 2}, {3, 3}}},
		{"2,4:7,9,12:*", []NumRange{{2, 2}, {4, 7}, {9, 9}, {12, Star}}}, // RFC 3501 §9
		{"*:4,5:7", []NumRange{{Star, 4}, {5, 7}}},                       // RFC 3501 §9
		{"4294967295", []NumRange{{math.MaxUint32, math.MaxUint32}}},
		{"1:4294967295", []NumRange{{1, math.MaxUint32}}},
		{"10,1,10", []NumRange{{10, 10}, {1, 1}, {10, 10}}},
	}
	for _, tt := range tests {
		s, err := ParseNumSet(tt.in)
		if err != nil {
			t.Errorf("ParseNumSet(%q): %v", tt.in, err)
			continue
		}
		if got := s.Ranges(); !reflect.DeepEqual(got, tt.ranges) {
			t.Errorf("ParseNumSet(%q).Ranges() = %v, want %v", tt.in, got, tt.ranges)
		}
		if s.IsSearchRes() || s.IsEmpty() {
			t.Errorf("ParseNumSet(%q): IsSearchRes %v IsEmpty %v", tt.in, s.IsSearchRes(), s.IsEmpty())
		}
		b, err := ParseNumSetBytes([]byte(tt.in))
		if err != nil || !reflect.DeepEqual(b, s) {
			t.Errorf("ParseNumSetBytes(%q) = %v, %v; want %v", tt.in, b, err, s)
		}
		// Round trip through the wire form ("5:5" prints as "5").
		again, err := ParseNumSet(s.String())
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Errorf("ParseNumSet(%q) = %#v, %v; want %#v", s.String(), again, err, s)
		}
	}
}

func TestParseNumSetSearchRes(t *testing.T) {
	s, err := ParseNumSet("$")
	if err != nil {
		t.Fatal(err)
	}
	if !s.IsSearchRes() || s.IsEmpty() || s.String() != "$" || s.Ranges() != nil {
		t.Errorf(`ParseNumSet("$") = %#v`, s)
	}
	if !reflect.DeepEqual(s, SearchResSet()) {
		t.Errorf("ParseNumSet($) != SearchResSet()")
	}
	if s.Contains(1, 10) || s.Count(10) != 0 || s.ContainsStar() {
		t.Errorf("$ should behave as an unknown (empty) set locally")
	}
	if _, ok := s.Min(10); ok {
		t.Errorf("Min of $ reported ok")
	}
	if n := s.Normalize(10); !n.IsSearchRes() {
		t.Errorf("Normalize($) = %v", n)
	}
}

func TestParseNumSetInvalid(t *testing.T) {
	tests := []struct {
		in     string
		offset int
	}{
		{"", 0},
		{",", 0},
		{"1,", 2},
		{",1", 0},
		{"0", 0},
		{"01", 0},
		{"1:0", 2},
		{"1:01", 2},
		{"4294967296", 0},
		{"99999999999999999999999", 0},
		{"1:4294967296", 2},
		{"1 2", 1},
		{" 1", 0},
		{"1 ", 1},
		{"1::2", 2},
		{"1:", 2},
		{":1", 0},
		{"$,1", 0},
		{"1,$", 2},
		{"$$", 0},
		{"$:1", 0},
		{"1:$", 2},
		{"a", 0},
		{"1,,2", 2},
		{"-1", 0},
		{"+1", 0},
		{"1:2:3", 3},
		{"**", 1},
		{"*1", 1},
		{"1*", 1},
		{"1.5", 1},
		{"1\x00", 1},
		{"\uff11", 0}, // fullwidth digit one
		{"1;2", 1},
	}
	for _, tt := range tests {
		s, err := ParseNumSet(tt.in)
		if err == nil {
			t.Errorf("ParseNumSet(%q) = %v, want error", tt.in, s)
			continue
		}
		if !reflect.DeepEqual(s, NumSet{}) {
			t.Errorf("ParseNumSet(%q) returned non-zero set %#v with error", tt.in, s)
		}
		if !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseNumSet(%q) error %v does not match ErrSyntax", tt.in, err)
		}
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseNumSet(%q) error %T is not *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.offset || se.Input != tt.in || se.What != "sequence set" || se.Reason == "" {
			t.Errorf("ParseNumSet(%q) error = %+v, want offset %d", tt.in, *se, tt.offset)
		}
		if _, err := ParseNumSetBytes([]byte(tt.in)); err == nil {
			t.Errorf("ParseNumSetBytes(%q) succeeded", tt.in)
		}
		if _, err := ParseSeqSet(tt.in); err == nil {
			t.Errorf("ParseSeqSet(%q) succeeded", tt.in)
		}
		if _, err := ParseUIDSet(tt.in); err == nil {
			t.Errorf("ParseUIDSet(%q) succeeded", tt.in)
		}
	}
}

func TestSyntaxErrorMessage(t *testing.T) {
	_, err := ParseNumSet("1:x")
	want := `imap: malformed sequence set "1:x" at offset 2: expected number or "*"`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	_, err = ParseNumSet(strings.Repeat("1,", 100))
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), `"... at offset 200`) {
		t.Errorf("long input error = %v", err)
	}
}

func TestParseNumSetBytesAllocs(t *testing.T) {
	b := []byte("1:3,5,7:*,100:200,4294967295")
	n := testing.AllocsPerRun(100, func() {
		if _, err := ParseNumSetBytes(b); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("ParseNumSetBytes allocates %v times, want 1", n)
	}
	n = testing.AllocsPerRun(100, func() { _, _ = ParseNumSetBytes([]byte{'$'}) })
	if n != 0 {
		t.Errorf(`ParseNumSetBytes("$") allocates %v times`, n)
	}
}

func TestParseTyped(t *testing.T) {
	s, err := ParseSeqSet("1:3")
	if err != nil || !reflect.DeepEqual(s, SeqSetOf(1, 2, 3)) {
		t.Errorf("ParseSeqSet = %v, %v", s, err)
	}
	u, err := ParseUIDSet("7,9")
	if err != nil || !reflect.DeepEqual(u, UIDSetOf(7, 9)) || u.String() != "7,9" {
		t.Errorf("ParseUIDSet = %v, %v", u, err)
	}
	if got := UIDSetOf(9, 7).Normalize(0); got.String() != "7,9" {
		t.Errorf("UIDSet.Normalize = %v", got)
	}
	if got := SeqSetOf(3, Star).Normalize(5); !reflect.DeepEqual(got, SeqSetOf(3, 5)) {
		t.Errorf("SeqSet.Normalize = %v", got)
	}
}

func TestZeroAndEmptyConsistency(t *testing.T) {
	var zero NumSet
	for name, s := range map[string]NumSet{
		"NumSetOf()":           NumSetOf(),
		"Normalize empty":      NumSet{}.Normalize(5),
		"Normalize star only":  NumSetOf(Star).Normalize(0),
		"Clone":                zero.Clone(),
		"AddSet(empty)":        func() NumSet { var s NumSet; s.AddSet(NumSet{}); return s }(),
		"Normalize 3:* star 0": NumSetRange(3, Star).Normalize(0),
	} {
		if !reflect.DeepEqual(s, zero) {
			t.Errorf("%s = %#v, want zero value", name, s)
		}
		if !s.IsEmpty() || s.String() != "" || s.Ranges() != nil {
			t.Errorf("%s: not empty", name)
		}
	}
	if !reflect.DeepEqual(SeqSetOf(), SeqSet{}) || !reflect.DeepEqual(UIDSetOf(), UIDSet{}) {
		t.Errorf("empty typed sets differ from zero values")
	}
}

func TestStringAndAppendTo(t *testing.T) {
	tests := []struct {
		s    NumSet
		want string
	}{
		{NumSet{}, ""},
		{SearchResSet(), "$"},
		{NumSetOf(1, 2, 3, 5, 7), "1:3,5,7"},
		{NumSetRange(7, Star), "7:*"},
		{NumSetRange(Star, 7), "*:7"},
		{NumSetOf(Star), "*"},
		{NumSetRange(5, 5), "5"},
		{NumSetRange(1, math.MaxUint32), "1:4294967295"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
		if got := string(tt.s.AppendTo([]byte("x "))); got != "x "+tt.want {
			t.Errorf("AppendTo = %q", got)
		}
	}
	s := NumSetOf(1, 2, 3, 5, 7, Star)
	buf := make([]byte, 0, 64)
	if n := testing.AllocsPerRun(100, func() { buf = s.AppendTo(buf[:0]) }); n != 0 {
		t.Errorf("AppendTo allocates %v times", n)
	}
}

func TestAddCoalescing(t *testing.T) {
	var s NumSet
	for _, n := range []uint32{1, 2, 3, 3, 2, 4, 10, 11, 5, 6, Star, 7} {
		s.AddNum(n)
	}
	if got, want := s.String(), "1:4,10:11,5:6,*,7"; got != want {
		t.Errorf("AddNum sequence = %q, want %q", got, want)
	}
	var r NumSet
	r.AddRange(1, 5)
	r.AddRange(3, 8)  // overlaps: extends
	r.AddRange(9, 9)  // continues
	r.AddRange(20, 9) // descending: appended as is
	r.AddRange(1, 2)  // before the last range: appended
	r.AddRange(3, Star)
	r.AddRange(4, 5) // last range has "*": appended
	if got, want := r.String(), "1:9,20:9,1:2,3:*,4:5"; got != want {
		t.Errorf("AddRange sequence = %q, want %q", got, want)
	}
	var m NumSet
	m.AddRange(math.MaxUint32-1, math.MaxUint32)
	m.AddNum(math.MaxUint32)
	if got := m.String(); got != "4294967294:4294967295" {
		t.Errorf("AddNum at the top = %q", got)
	}
	var u NumSet
	u.AddSet(NumSetOf(1, 2))
	u.AddSet(NumSetOf(3, 9))
	if got := u.String(); got != "1:3,9" {
		t.Errorf("AddSet = %q", got)
	}
	// Building ascending equals parsing the compact form.
	p, _ := ParseNumSet("1:3,9")
	if !reflect.DeepEqual(u, p) {
		t.Errorf("AddSet result %#v != parsed %#v", u, p)
	}
}

func TestAddSearchRes(t *testing.T) {
	s := SearchResSet()
	s.AddNum(1)
	s.AddRange(1, 4)
	s.AddSet(NumSetOf(5))
	if !reflect.DeepEqual(s, SearchResSet()) {
		t.Errorf("adding to $ changed it: %#v", s)
	}
	var e NumSet
	e.AddSet(SearchResSet())
	if !e.IsSearchRes() {
		t.Errorf("empty.AddSet($) = %#v", e)
	}
	n := NumSetOf(1)
	n.AddSet(SearchResSet())
	if n.String() != "1" {
		t.Errorf("non-empty.AddSet($) = %v", n)
	}
}

func TestClone(t *testing.T) {
	a := NumSetOf(1, 2)
	b := a.Clone()
	b.AddNum(3)
	if a.String() != "1:2" || b.String() != "1:3" {
		t.Errorf("Clone shares memory: a=%v b=%v", a, b)
	}
	r := a.Ranges()
	r[0].Start = 99
	if a.String() != "1:2" {
		t.Errorf("Ranges shares memory")
	}
	sq := SeqSetOf(1)
	if c := sq.Clone(); !reflect.DeepEqual(c, sq) {
		t.Errorf("SeqSet.Clone = %v", c)
	}
	us := UIDSetOf(1)
	if c := us.Clone(); !reflect.DeepEqual(c, us) {
		t.Errorf("UIDSet.Clone = %v", c)
	}
}

func TestContains(t *testing.T) {
	tests := []struct {
		set  string
		star uint32
		in   []uint32
		out  []uint32
	}{
		// RFC 3501 §9 sequence-set examples.
		{"2,4:7,9,12:*", 15, []uint32{2, 4, 5, 6, 7, 9, 12, 13, 14, 15}, []uint32{0, 1, 3, 8, 10, 11, 16}},
		{"*:4,5:7", 10, []uint32{4, 5, 6, 7, 8, 9, 10}, []uint32{1, 2, 3, 11}},
		// 3291:* includes the last UID even if it is below 3291.
		{"3291:*", 100, []uint32{100, 101, 3000, 3291}, []uint32{99, 3292}},
		{"4:2", 0, []uint32{2, 3, 4}, []uint32{1, 5}},
		// star 0: "*" names no message.
		{"3:*,7", 0, []uint32{7}, []uint32{0, 1, 2, 3, 4}},
		{"*", 0, nil, []uint32{0, 1}},
		{"*", 4294967295, []uint32{4294967295}, []uint32{1}},
		{"1:4294967295", 0, []uint32{1, 2147483648, 4294967295}, []uint32{0}},
	}
	for _, tt := range tests {
		s, err := ParseNumSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range tt.in {
			if !s.Contains(n, tt.star) {
				t.Errorf("%q.Contains(%d, %d) = false", tt.set, n, tt.star)
			}
		}
		for _, n := range tt.out {
			if s.Contains(n, tt.star) {
				t.Errorf("%q.Contains(%d, %d) = true", tt.set, n, tt.star)
			}
		}
		if small := len(tt.in) < 20 && !strings.Contains(tt.set, "4294967295") && !strings.Contains(tt.set, "3291"); small {
			if got := slices.Collect(s.All(tt.star)); !slices.Equal(got, tt.in) {
				t.Errorf("%q.All(%d) = %v, want %v", tt.set, tt.star, got, tt.in)
			}
		}
	}
	s := NumSetOf(1, 5, Star)
	if n := testing.AllocsPerRun(100, func() { s.Contains(3, 10) }); n != 0 {
		t.Errorf("Contains allocates %v times", n)
	}
}

func TestContainsStar(t *testing.T) {
	for in, want := range map[string]bool{"1": false, "*": true, "1:*": true, "*:3": true, "1,2:3": false, "$": false} {
		s, _ := ParseNumSet(in)
		if got := s.ContainsStar(); got != want {
			t.Errorf("%q.ContainsStar() = %v", in, got)
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		set  string
		star uint32
		want string
	}{
		{"2,4:7,9,12:*", 15, "2,4:7,9,12:15"},
		{"*:4,5:7", 10, "4:10"}, // RFC 3501 §9: coalesced to 4,5,6,7,8,9,10
		{"3:*", 2, "2:3"},       // n:* with star < n is star:n
		{"3:*", 0, ""},          // "*" in an empty mailbox names nothing
		{"3:*,1", 0, "1"},
		{"9,1,5:3,2", 0, "1:5,9"},
		{"1,3,5", 0, "1,3,5"},
		{"1:2,3:4", 0, "1:4"},        // adjacent
		{"1:10,2:3,5:20", 0, "1:20"}, // nested and overlapping
		{"4294967295,1:4294967294", 0, "1:4294967295"},
		{"4294967295,4294967295", 0, "4294967295"},
		{"*,*", 7, "7"},
	}
	for _, tt := range tests {
		s, err := ParseNumSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		n := s.Normalize(tt.star)
		if got := n.String(); got != tt.want {
			t.Errorf("%q.Normalize(%d) = %q, want %q", tt.set, tt.star, got, tt.want)
		}
		if n2 := n.Normalize(tt.star); !reflect.DeepEqual(n, n2) {
			t.Errorf("Normalize not idempotent on %q: %#v vs %#v", tt.set, n, n2)
		}
		if n.ContainsStar() {
			t.Errorf("%q.Normalize(%d) still has *", tt.set, tt.star)
		}
		if again := s.String(); again != tt.set {
			t.Errorf("Normalize modified its receiver: %q", again)
		}
	}
}

func TestCountMinMax(t *testing.T) {
	tests := []struct {
		set      string
		star     uint32
		count    uint32
		min, max uint32
		ok       bool
	}{
		{"1:4294967295", 0, math.MaxUint32, 1, math.MaxUint32, true},
		{"*:1", math.MaxUint32, math.MaxUint32, 1, math.MaxUint32, true},
		{"2,4:7,9,12:*", 15, 10, 2, 15, true},
		{"5:3,1,1", 0, 4, 1, 5, true},
		{"*", 0, 0, 0, 0, false},
		{"7:*", 0, 0, 0, 0, false},
		{"7:*,20", 0, 1, 20, 20, true},
		{"7:*", 3, 5, 3, 7, true},
	}
	for _, tt := range tests {
		s, err := ParseNumSet(tt.set)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Count(tt.star); got != tt.count {
			t.Errorf("%q.Count(%d) = %d, want %d", tt.set, tt.star, got, tt.count)
		}
		mn, ok1 := s.Min(tt.star)
		mx, ok2 := s.Max(tt.star)
		if mn != tt.min || mx != tt.max || ok1 != tt.ok || ok2 != tt.ok {
			t.Errorf("%q Min/Max(%d) = %d,%v %d,%v; want %d %d %v", tt.set, tt.star, mn, ok1, mx, ok2, tt.min, tt.max, tt.ok)
		}
	}
	if _, ok := (NumSet{}).Max(3); ok {
		t.Errorf("Max of empty set reported ok")
	}
}

func TestAllLazyHuge(t *testing.T) {
	s, _ := ParseNumSet("1:4294967295")
	var got []uint32
	for n := range s.All(0) {
		got = append(got, n)
		if len(got) == 3 {
			break
		}
	}
	if !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Errorf("first numbers = %v", got)
	}
	// The top of the range must end the iteration, not wrap to 0.
	top, _ := ParseNumSet("*:4294967293,5:1")
	got = slices.Collect(top.All(math.MaxUint32))
	want := []uint32{1, 2, 3, 4, 5, 4294967293, 4294967294, 4294967295}
	if !slices.Equal(got, want) {
		t.Errorf("All = %v, want %v", got, want)
	}
	// Many huge ranges normalize quickly and without expanding them.
	var many NumSet
	for i := uint32(0); i < 10000; i++ {
		many.AddRange(math.MaxUint32-i*400000%math.MaxUint32, i*400000+1)
	}
	if c := many.Count(0); c != math.MaxUint32 {
		t.Errorf("Count = %d", c)
	}
	if n := testing.AllocsPerRun(10, func() {
		for range s.All(0) {
			break
		}
	}); n > 5 {
		t.Errorf("All on a huge range allocates %v times", n)
	}
}

// randSet builds a random set whose numbers are in 1..limit (and "*").
func randSet(r *rand.Rand, limit uint32) NumSet {
	var s NumSet
	k := 1 + r.IntN(6)
	for range k {
		num := func() uint32 {
			if r.IntN(8) == 0 {
				return Star
			}
			return 1 + r.Uint32N(limit)
		}
		if r.IntN(2) == 0 {
			s.AddNum(num())
		} else {
			s.AddRange(num(), num())
		}
	}
	return s
}

func TestPropertyRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 5000 {
		limit := []uint32{5, 50, 1 << 20, math.MaxUint32}[i%4]
		s := randSet(r, limit)
		str := s.String()
		p, err := ParseNumSet(str)
		if err != nil {
			t.Fatalf("ParseNumSet(%q): %v", str, err)
		}
		if !reflect.DeepEqual(p, s) {
			t.Fatalf("ParseNumSet(%q) = %#v, want %#v", str, p, s)
		}
		star := r.Uint32()
		if limit < math.MaxUint32 {
			star = r.Uint32N(limit + 1)
		}
		n := s.Normalize(star)
		if n2 := n.Normalize(star); !reflect.DeepEqual(n, n2) {
			t.Fatalf("Normalize not idempotent for %q, %d", str, star)
		}
		if n2 := n.Normalize(r.Uint32()); !reflect.DeepEqual(n, n2) {
			t.Fatalf("Normalize of a normalized set depends on star for %q", str)
		}
		np, err := ParseNumSet(n.String())
		if !n.IsEmpty() && (err != nil || !reflect.DeepEqual(np, n)) {
			t.Fatalf("normalized %q does not round trip: %v", n.String(), err)
		}
		if n.Count(0) != s.Count(star) {
			t.Fatalf("Count changed by Normalize for %q", str)
		}
	}
}

func TestPropertyContainsAgreesWithAll(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		s := randSet(r, 40)
		star := r.Uint32N(45)
		all := slices.Collect(s.All(star))
		if !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != len(all) {
			t.Fatalf("%q.All(%d) not strictly ascending: %v", s, star, all)
		}
		if uint32(len(all)) != s.Count(star) {
			t.Fatalf("%q.Count(%d) = %d, All has %d", s, star, s.Count(star), len(all))
		}
		for n := uint32(0); n <= 50; n++ {
			_, inAll := slices.BinarySearch(all, n)
			if s.Contains(n, star) != inAll {
				t.Fatalf("%q.Contains(%d, %d) = %v, All says %v", s, n, star, !inAll, inAll)
			}
			if s.Normalize(star).Contains(n, 0) != inAll {
				t.Fatalf("normalized %q disagrees at %d", s, n)
			}
		}
		mn, okMin := s.Min(star)
		mx, okMax := s.Max(star)
		if okMin != (len(all) > 0) || okMax != okMin || (okMin && (mn != all[0] || mx != all[len(all)-1])) {
			t.Fatalf("%q Min/Max(%d) = %d %d %v, All = %v", s, star, mn, mx, okMin, all)
		}
	}
}

func BenchmarkParseNumSetBytes(b *testing.B) {
	in := []byte("1:3,5,7:*,100:200,4294967295,17,19,23:29")
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseNumSetBytes(in)
	}
}

func BenchmarkContains(b *testing.B) {
	s, _ := ParseNumSet("1:3,5,7:*,100:200,4294967295,17,19,23:29")
	for b.Loop() {
		s.Contains(150, 1000)
	}
}
