package mime

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// TestBaseSubject follows the steps and ABNF of RFC 5256 §2.1 and §5:
//
//	subject      = *subj-leader [subj-middle] *subj-trailer
//	subj-refwd   = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":"
//	subj-blob    = "[" *BLOBCHAR "]" *WSP
//	subj-fwd     = subj-fwd-hdr subject subj-fwd-trl
//	subj-leader  = (*subj-blob subj-refwd) / WSP
//	subj-middle  = *subj-blob (subj-base / subj-fwd)
//	subj-trailer = "(fwd)" / WSP
func TestBaseSubject(t *testing.T) {
	tests := []struct {
		in    string
		base  string
		reply bool
	}{
		{"", "", false},
		{"Hello", "Hello", false},
		{"hello world", "hello world", false},

		// Step 1: white space.
		{"  Hello   World  ", "Hello World", false},
		{"Hello\tWorld", "Hello World", false},
		{"Hello\r\n World", "Hello World", false},
		{"\t\t", "", false},

		// Step 1: encoded-words (RFC 2047) become UTF-8 first.
		{"=?UTF-8?Q?Re:_caf=C3=A9?=", "café", true},
		{"=?ISO-8859-1?Q?Fwd:_Gr=FC=DFe?=", "Grüße", true},
		{"Re: =?UTF-8?B?w6lsw6h2ZQ==?=", "élève", true},
		{"=?UTF-8?Q?[list]?= =?UTF-8?Q?_Re:_x?=", "x", true},

		// subj-refwd, any case, with optional WSP and blob.
		{"Re: Hello", "Hello", true},
		{"RE: Hello", "Hello", true},
		{"rE:Hello", "Hello", true},
		{"Re : Hello", "Hello", true},
		{"Re  :  Hello", "Hello", true},
		{"Re[2]: Hello", "Hello", true},
		{"Re [2]: Hello", "Hello", true},
		{"Re [2] : Hello", "Hello", true},
		{"Fw: Hello", "Hello", true},
		{"FW: Hello", "Hello", true},
		{"Fwd: Hello", "Hello", true},
		{"FWD:Hello", "Hello", true},
		{"Re: Re: Fwd: Hello", "Hello", true},
		{"re:re:re:", "", true},
		{"Re:", "", true},
		{"Re: ", "", true},
		{"Re: Re[1]: Re [x]:  [list]  x (fwd)", "x", true},

		// Not subj-refwd: no colon, or "re"/"fw" begin a word.
		{"re", "re", false},
		{"Re Hello", "Re Hello", false},
		{"Regarding: foo", "Regarding: foo", false},
		{"Rebate", "Rebate", false},
		{"Fwdx: y", "Fwdx: y", false},
		{"Fwd [x] y: z", "Fwd [x] y: z", false},
		{"Hello Re: x", "Hello Re: x", false},
		{"AW: Hallo", "AW: Hallo", false}, // translations are not removed (RFC 5256 §7)
		{"Re [a: b", "Re [a: b", false},

		// Blobs before a subj-refwd are part of the subj-leader.
		{"[list] Re: Hello", "Hello", true},
		{"[a][b] Re: Hello", "Hello", true},
		{"[a]re:x", "x", true},
		{"[a] re: [b]", "[b]", true},
		{"Fwd: [a]", "[a]", true},

		// Step 4: a blob prefix goes only if a subject remains.
		{"[list] Hello", "Hello", false},
		{"[list]Hello", "Hello", false},
		{"[list]", "[list]", false},
		{"[list]  ", "[list]", false},
		{"[a] [b]", "[b]", false},
		{"[a][b] x", "x", false},
		{"[] x", "x", false},
		{"[]", "[]", false},
		{"[a", "[a", false},
		{"[a [b] c", "[a [b] c", false},
		{"a]", "a]", false},
		{"[a] Re: [b", "[b", true},
		{"[list] [fwd: x] y", "y", false},

		// Step 2: subj-trailer.
		{"Hello (fwd)", "Hello", true},
		{"Hello (FWD)", "Hello", true},
		{"Hello(fwd)", "Hello", true},
		{"Hello (FWD) (fwd)  ", "Hello", true},
		{"(fwd)", "", true},
		{"Hello (fwd) x", "Hello (fwd) x", false},
		{"Hello fwd)", "Hello fwd)", false},

		// Step 6: subj-fwd-hdr and subj-fwd-trl.
		{"[fwd: Hello]", "Hello", true},
		{"[FWD: Hello]", "Hello", true},
		{"[Fwd:Hello]", "Hello", true},
		{"[Fwd: Re: Hello]", "Hello", true},
		{"[fwd: [fwd: Hello]]", "Hello", true},
		{"Re: [fwd: Hello] ", "Hello", true},
		{"[fwd: x] (fwd)", "x", true},
		{"[fwd: Re: x (fwd)]", "x", true},
		{"[fwd: [list] Re: x]", "x", true},
		{"[fwd:]", "", true},
		{"[fwd: ]", "", true},
		{"[fwd:", "[fwd:", false},
		{"[fwd: x", "[fwd: x", false},
		{"[fwd: x] y", "y", false}, // "[fwd: x] " is a blob with "y" after it
		{"[fwd x]", "[fwd x]", false},
		{"[fw: x]", "[fw: x]", false},

		// Text that is all artifacts.
		{"Re: [fwd: Re: (fwd)]", "", true},
		{"[a] Re:", "", true},

		// Non-ASCII text passes through (BLOBCHAR and NONWSP take
		// octets 80-ff).
		{"[списки] Re: Привет", "Привет", true},
		{"Re: 日本語", "日本語", true},
	}
	for _, tt := range tests {
		base, reply := BaseSubject(tt.in)
		if base != tt.base || reply != tt.reply {
			t.Errorf("BaseSubject(%q) = %q, %v; want %q, %v", tt.in, base, reply, tt.base, tt.reply)
		}
	}
}

// TestBaseSubjectIdempotent: the base subject of a base subject is itself
// (no artifact survives extraction), except where a kept final blob could
// be read again.
func TestBaseSubjectIdempotent(t *testing.T) {
	for _, s := range []string{
		"Re: Hello", "[a] [b]", "Re: [fwd: Re: x (fwd)]", "  x  y ", "Fwd: Fwd: [list] z",
		"[fwd: [fwd: Hello]]", "[list]", "Re: [a] [b] c (fwd) (fwd)",
	} {
		b1, _ := BaseSubject(s)
		b2, reply := BaseSubject(b1)
		if b1 != b2 || reply {
			t.Errorf("BaseSubject(BaseSubject(%q)=%q) = %q, %v", s, b1, b2, reply)
		}
	}
}

// TestSortCollateKey checks i;unicode-casemap (RFC 5051 §2), including its
// own example: U+01C4 titlecases to U+01C5, which decomposes to U+0044
// U+017E, and U+017E to U+007A U+030C.
func TestSortCollateKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"ABC", "ABC"},
		{"abc", "ABC"},
		{"a[b]z~", "A[B]Z~"},
		{"\u01C4", "\u0044\u007A\u030C"},
		{"\u01C6", "\u0044\u007A\u030C"},
		{"ä", "A\u0308"},
		{"Ä", "A\u0308"},
		{"é", "E\u0301"},
		{"ﬁ", "fi"}, // U+FB01: no simple titlecase; decomposed after titlecasing, so it stays lower case
		{"ß", "ß"},
		{"straße", "STRAßE"},
		{"\xff\xfe", "\xff\xfe"}, // invalid UTF-8: used unchanged
		{"a\xffb", "a\xffb"},     // idem
		{"\u2126", "\u03A9"},     // OHM SIGN decomposes to GREEK CAPITAL LETTER OMEGA
		{"\u03C9", "\u03A9"},     // small omega titlecases to capital
		{"１２３", "123"},           // fullwidth digits (compatibility)
		{"Grüße", "GRU\u0308ßE"}, // ß has no simple titlecase
	}
	for _, tt := range tests {
		if got := sortCollateKey(tt.in); got != tt.want {
			t.Errorf("sortCollateKey(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	// Order: the empty string first; case does not matter.
	if !(sortCollateKey("") < sortCollateKey("a")) || sortCollateKey("Hello") != sortCollateKey("hELLO") {
		t.Error("collation order wrong")
	}
}

func BenchmarkBaseSubject(b *testing.B) {
	s := "[list] Re: Fwd: [fwd: =?UTF-8?Q?caf=C3=A9?= meeting notes (fwd)]"
	b.ReportAllocs()
	for b.Loop() {
		BaseSubject(s)
	}
}

// baseSubjectReference is a literal transcription of RFC 5256 §2.1 steps
// (2) to (6), one removal at a time, to check BaseSubject's linear
// version against. It takes the output of step (1).
func baseSubjectReference(s string) (string, bool) {
	isReply := false
	for {
		// (2)
		for {
			if strings.HasSuffix(s, " ") {
				s = s[:len(s)-1]
			} else if len(s) >= 5 && strings.EqualFold(s[len(s)-5:], "(fwd)") {
				s = s[:len(s)-5]
				isReply = true
			} else {
				break
			}
		}
		for {
			found := false
			// (3) subj-leader = (*subj-blob subj-refwd) / WSP
			if strings.HasPrefix(s, " ") {
				s, found = s[1:], true
			} else {
				p := s
				for {
					rest, ok := cutSubjBlob(p)
					if !ok {
						break
					}
					p = rest
				}
				if rest, ok := cutSubjRefwd(p); ok {
					s, found, isReply = rest, true, true
				}
			}
			// (4)
			if rest, ok := cutSubjBlob(s); ok && rest != "" {
				s, found = rest, true
			}
			// (5)
			if !found {
				break
			}
		}
		// (6)
		if len(s) >= 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s, isReply = s[5:len(s)-1], true
			continue
		}
		return s, isReply
	}
}

// TestBaseSubjectReference compares BaseSubject with the step-by-step
// reference on strings built from the grammar's pieces.
func TestBaseSubjectReference(t *testing.T) {
	pieces := []string{"[", "]", "[a]", "re", "Re", "fw", "FWD", ":", " ", "(fwd)", "[fwd:", "x", "é", "\x00"}
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 200000; i++ {
		var b strings.Builder
		for n := r.IntN(10); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := packSubjectSpace(b.String())
		base, reply := BaseSubject(s)
		rbase, rreply := baseSubjectReference(s)
		if base != rbase || reply != rreply {
			t.Fatalf("BaseSubject(%q) = %q, %v; reference %q, %v", s, base, reply, rbase, rreply)
		}
	}
}

// TestBaseSubjectLinear: long runs of blobs, leaders or nested
// "[fwd:" wrappers take linear time.
func TestBaseSubjectLinear(t *testing.T) {
	const n = 100000
	for _, s := range []string{
		strings.Repeat("[a] ", n) + "x",
		strings.Repeat("[a]", n),
		strings.Repeat("re: ", n) + "x",
		strings.Repeat("[a] re:", n),
		strings.Repeat("[fwd: ", n) + "x" + strings.Repeat("]", n),
		strings.Repeat("[a]", n) + "re [" + strings.Repeat("b", n),
		strings.Repeat("x (fwd)", n),
		"[" + strings.Repeat("a", 4*n),
	} {
		start := time.Now()
		BaseSubject(s)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("BaseSubject(%.20q...) took %v", s, d)
		}
	}
}
