package mime

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func casemapString(s string) string { return string(appendCasemapString(nil, s)) }

// RFC 5051 §2: each code point is titlecased, then fully decomposed.
func TestCasemapRFC5051(t *testing.T) {
	tests := []struct{ in, want string }{
		// The RFC's own example: U+01C4 titlecases to U+01C5, which
		// decomposes to U+0044 U+017E, and that to U+0044 U+007A U+030C.
		{"\u01C4", "D\u007A\u030C"},
		{"\u01C6", "D\u007A\u030C"}, // dž titlecases to U+01C5 too
		{"abc xyz", "ABC XYZ"},
		{"Ünïcödé", "U\u0308NI\u0308CO\u0308DE\u0301"},
		{"e\u0301", "E\u0301"},     // decomposed input: the same as precomposed
		{"\u00E9", "E\u0301"},      // é
		{"\u00C9", "E\u0301"},      // É
		{"ß", "ß"},                 // no titlecase property in UnicodeData.txt
		{"\u1E9E", "\u1E9E"},       // capital sharp s: none either
		{"ς", "Σ"},                 // final sigma
		{"\uFB01", "fi"},           // ligature: NFKD, not titlecased again
		{"\u2160", "I"},            // roman numeral one (compatibility)
		{"Ⅻ", "XII"},               // U+216B
		{"ı", "I"},                 // dotless i
		{"\u0130", "I\u0307"},      // İ
		{"отпуск", "ОТПУСК"},       // Cyrillic
		{"\uAC00", "\u1100\u1161"}, // Hangul GA: algorithmic
		{"\uD7A3", "\u1112\u1175\u11C2"},
		{"\uFF21", "A"}, // fullwidth A
		{"", ""},
	}
	for _, tt := range tests {
		if got := casemapString(tt.in); got != tt.want {
			t.Errorf("casemapString(%q) = %q (%U), want %q (%U)", tt.in, got, []rune(got), tt.want, []rune(tt.want))
		}
	}
}

// The per-rune preparation agrees with unicode.ToTitle followed by the
// norm package's NFKD: every code point of planes 0-2 (where all the
// decompositions and case mappings are) and a sample of the others.
func TestCasemapMatchesNFKD(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0x30000 {
			r += 12
		}
		if !utf8.ValidRune(r) {
			continue
		}
		got := string(appendCasemapRune(nil, r))
		want := norm.NFKD.String(string(unicode.ToTitle(r)))
		if got != want {
			t.Fatalf("%U: got %U, want %U", r, []rune(got), []rune(want))
		}
	}
}

// Invalid UTF-8 octets are kept as they are; the valid text around them
// is prepared.
func TestCasemapInvalid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a\xffb", "A\xffB"},
		{"\xe2\x82", "\xe2\x82"},           // truncated sequence
		{"\xe2\x82x", "\xe2\x82X"},         // broken by an ASCII octet
		{"\xc3\xa9\xc3", "E\u0301\xc3"},    // é then a lone lead octet
		{"\xed\xa0\x80z", "\xed\xa0\x80Z"}, // a UTF-16 surrogate: invalid
		{"\xef\xbf\xbd", "\uFFFD"},         // U+FFFD itself is valid
	}
	for _, tt := range tests {
		if got := casemapString(tt.in); got != tt.want {
			t.Errorf("casemapString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// contains is the substring operation of i;unicode-casemap.
func casemapSubstr(hay, needle string) bool {
	return strings.Contains(casemapString(hay), casemapString(needle))
}

func TestCasemapSubstring(t *testing.T) {
	tests := []struct {
		hay, needle string
		want        bool
	}{
		{"Straße", "STRASSE", false}, // ß has no titlecase mapping
		{"STRASSE", "strasse", true},
		{"Straße", "straße", true},
		{"Straße", "STRAßE", true},
		{"café", "CAFE\u0301", true},
		{"cafe\u0301", "CAFÉ", true},
		{"café", "cafe", true}, // "E" is a substring of "E\u0301"
		{"cafe", "café", false},
		{"ОТПУСК в июле", "отпуск", true},
		{"Ｆｕｌｌｗｉｄｔｈ", "fullwidth", true},
		{"ﬁle", "FILE", false},    // the ligature decomposes to "fi"
		{"ﬁle", "\uFB01LE", true}, // only the ligature gives "fi"
		{"anything", "", true},    // RFC 4790 §4.2.3
		{"", "x", false},
	}
	for _, tt := range tests {
		if got := casemapSubstr(tt.hay, tt.needle); got != tt.want {
			t.Errorf("casemapSubstr(%q, %q) = %v, want %v", tt.hay, tt.needle, got, tt.want)
		}
	}
}

// A finder fed any split of a text finds what a search of the whole
// prepared text finds.
func TestFinderSplits(t *testing.T) {
	alphabet := []string{"a", "B", "é", "e\u0301", "ß", "Σ", "ς", "\uFB01", "\uAC00", "\xff", "\xe2\x82", "\xc3", "\r\n", " ", "ǆ", "𝔸", "x"}
	rng := rand.New(rand.NewPCG(1, 2))
	gen := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for iter := range 3000 {
		hay := gen(rng.IntN(40))
		var needle string
		if iter%2 == 0 && len(hay) > 0 {
			i := rng.IntN(len(hay))
			j := i + rng.IntN(len(hay)-i) + 1
			needle = hay[i:j]
		} else {
			needle = gen(1 + rng.IntN(4))
		}
		pn := appendCasemapString(nil, needle)
		if len(pn) == 0 {
			continue
		}
		want := bytes.Contains(appendCasemapString(nil, hay), pn)
		chunk := 1 + rng.IntN(7)
		f := newFinder(pn, chunk)
		// Random write sizes.
		rest := []byte(hay)
		for len(rest) > 0 {
			n := 1 + rng.IntN(len(rest))
			f.write(rest[:n])
			rest = rest[n:]
		}
		if got := f.close(); got != want {
			t.Fatalf("hay %q needle %q chunk %d: finder %v, whole %v", hay, needle, chunk, got, want)
		}
		// Reset makes it reusable.
		f.reset()
		f.write([]byte(hay))
		if got := f.close(); got != want {
			t.Fatalf("after reset: hay %q needle %q: %v, want %v", hay, needle, got, want)
		}
	}
}

// A needle split across writes in the middle of a multi-octet sequence.
func TestFinderSplitRune(t *testing.T) {
	hay := []byte("xx Grüße aus Köln xx")
	needle := appendCasemapString(nil, "GRÜSSE")
	if bytes.Contains(appendCasemap(nil, hay), needle) {
		t.Fatal("ß must not match SS")
	}
	needle = appendCasemapString(nil, "grüße aus köln")
	for i := range hay {
		f := newFinder(needle, 3)
		f.write(hay[:i])
		f.write(hay[i:])
		if !f.close() {
			t.Fatalf("split at %d: not found", i)
		}
	}
}

func BenchmarkFinderASCII(b *testing.B) {
	text := bytes.Repeat([]byte("The quick brown fox jumps over the lazy dog. "), 1000)
	needle := appendCasemapString(nil, "lazy cat")
	b.SetBytes(int64(len(text)))
	f := newFinder(needle, 0)
	for b.Loop() {
		f.reset()
		f.write(text)
		f.close()
	}
}

func BenchmarkFinderCyrillic(b *testing.B) {
	text := bytes.Repeat([]byte("Съешь же ещё этих мягких французских булок, да выпей чаю. "), 500)
	needle := appendCasemapString(nil, "отпуск")
	b.SetBytes(int64(len(text)))
	f := newFinder(needle, 0)
	for b.Loop() {
		f.reset()
		f.write(text)
		f.close()
	}
}
