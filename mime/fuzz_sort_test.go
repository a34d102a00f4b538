package mime

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// FuzzBaseSubject checks that BaseSubject never panics, agrees with the
// step-by-step reference, returns valid UTF-8 without white space or a
// trailer at its ends, and is idempotent.
func FuzzBaseSubject(f *testing.F) {
	for _, s := range []string{
		"", "Hello", "Re: Hello", "Re[2]: Hello", "[list] Re: Fwd: x (fwd)",
		"[fwd: [fwd: Hello]]", "[a] [b]", "[fwd:]", "(fwd)", "re:re:re:",
		"=?UTF-8?Q?Re:_caf=C3=A9?=", "=?ISO-8859-1?B?R3L832U=?=", "=?bogus?Q?x?=",
		"  \t\r\n ", "[", "]", "[fwd:", "Re [", "\xff\xfe", "Fwd [x] : y", "[fwd: Re: x (fwd)]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		base, reply := BaseSubject(s)
		if !utf8.ValidString(base) {
			t.Fatalf("BaseSubject(%q) = %q: not UTF-8", s, base)
		}
		if strings.HasPrefix(base, " ") || strings.HasSuffix(base, " ") || strings.Contains(base, "  ") {
			t.Fatalf("BaseSubject(%q) = %q: white space left", s, base)
		}
		if strings.ContainsAny(base, "\t\r\n") {
			t.Fatalf("BaseSubject(%q) = %q: tab or line break left", s, base)
		}
		if len(base) >= 5 && subjHasPrefixFold(base[len(base)-5:], "(fwd)") {
			t.Fatalf("BaseSubject(%q) = %q: trailer left", s, base)
		}
		decoded, _ := DecodeHeader(s)
		if rbase, rreply := baseSubjectReference(packSubjectSpace(decoded)); base != rbase || reply != rreply {
			t.Fatalf("BaseSubject(%q) = %q, %v; reference %q, %v", s, base, reply, rbase, rreply)
		}
		if !strings.Contains(base, "=?") {
			// Without encoded-words in the base, extraction is
			// idempotent.
			again, reply := BaseSubject(base)
			if again != base || reply {
				t.Fatalf("BaseSubject(%q) = %q, then %q, %v", s, base, again, reply)
			}
		}
		_ = sortCollateKey(base)
	})
}

// FuzzParseDate checks that ParseDate never panics and returns only real
// dates in years 0-9999 with a sane zone.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Tue, 1 Jul 2003 10:52:37 +0200",
		"Fri, 21 Nov 1997 09:55:06 -0600",
		"Thu,\r\n 13\r\n Feb\r\n 1969\r\n 23:32\r\n -0330 (Newfoundland Time)",
		"21 Nov 97 09:55:06 GMT", "1 Jan 2000 12:00:00 EST", "1 Jan 2000 12:00 z",
		"Tue Jul  1 10:52:37 2003", "2003-07-01T10:52:37Z", "1 Jan 2000 12:00:00 GMT+0100",
		"29 Feb 2000", "31 Apr 2003", "((((", "1 Jan 2000 12:00:00 +01:30", "",
		"1 Jan 103 99:99:99 +9999", "Mon, 99 Foo 12345",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ParseDate(s)
		if !ok {
			if !d.IsZero() {
				t.Fatalf("ParseDate(%q) failed with %v", s, d)
			}
			return
		}
		if y := d.Year(); y < 0 || y > 10000 {
			t.Fatalf("ParseDate(%q) = %v: year", s, d)
		}
		if _, off := d.Zone(); off <= -24*3600 || off >= 24*3600 {
			t.Fatalf("ParseDate(%q) = %v: zone", s, d)
		}
		if d.Nanosecond() != 0 {
			t.Fatalf("ParseDate(%q) = %v: fraction", s, d)
		}
		_ = d.Before(time.Now())
	})
}

// FuzzThread builds a mailbox from the input (each line a message:
// subject|message-id|references|in-reply-to) and checks the invariants of
// both algorithms: every message appears exactly once, dummies are roots
// with at least two children, and siblings are in sent-date order.
func FuzzThread(f *testing.F) {
	f.Add("a|<1@x>||\nRe: a|<2@x>|<1@x>|\nb|<3@x>|<9@x>|\nc|<4@x>|<9@x>|")
	f.Add("x|<1@x>|<2@x>|\ny|<2@x>|<1@x>|\nz|<1@x>||<2@x>")
	f.Add("Re: s|<a@b>|<c@d> <e@f>|\n[fwd: s]|<c@d>||\ns|<e@f>|<a@b>|\n|||")
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Split(in, "\n")
		if len(lines) > 200 {
			lines = lines[:200]
		}
		var msgs []ThreadMessage
		for i, l := range lines {
			fs := strings.SplitN(l, "|", 4)
			for len(fs) < 4 {
				fs = append(fs, "")
			}
			msgs = append(msgs, ThreadMessage{
				Num:  uint32(len(lines) - i),
				Date: time.Unix(int64(len(l)%7), 0),
				// Subject, Message-ID, References, In-Reply-To.
				Subject: fs[0], MessageID: fs[1], References: fs[2], InReplyTo: fs[3],
			})
		}
		date := map[uint32]time.Time{}
		for _, m := range msgs {
			date[m.Num] = m.Date
		}
		for _, alg := range []string{"REFERENCES", "ORDEREDSUBJECT"} {
			threads, err := Thread(alg, msgs)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[uint32]bool{}
			// first returns the message a node sorts by.
			first := func(n imap.ThreadNode) uint32 {
				if n.Num == 0 && len(n.Children) > 0 {
					return n.Children[0].Num
				}
				return n.Num
			}
			var walk func(l []imap.ThreadNode, root bool)
			walk = func(l []imap.ThreadNode, root bool) {
				for i, n := range l {
					if n.Num == 0 && (!root || len(n.Children) < 2) {
						t.Fatalf("%s: bad dummy in %v", alg, threads)
					}
					if n.Num != 0 {
						if seen[n.Num] {
							t.Fatalf("%s: %d twice in %v", alg, n.Num, threads)
						}
						seen[n.Num] = true
					}
					if i > 0 {
						a, b := first(l[i-1]), first(n)
						if c := date[a].Compare(date[b]); c > 0 || (c == 0 && a > b) {
							t.Fatalf("%s: %d before %d in %v", alg, a, b, threads)
						}
					}
					walk(n.Children, false)
				}
			}
			walk(threads, true)
			if len(seen) != len(msgs) {
				t.Fatalf("%s: %d of %d messages in %v", alg, len(seen), len(msgs), threads)
			}
		}
	})
}
