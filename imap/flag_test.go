package imap

import (
	"errors"
	"strings"
	"testing"
)

func TestIsAtomChar(t *testing.T) {
	// Reference: RFC 3501 §9, ATOM-CHAR = <any CHAR except atom-specials>.
	specials := `(){ %*"\]`
	for b := 0; b < 256; b++ {
		c := byte(b)
		want := c >= 0x01 && c <= 0x7f && // CHAR
			c > 0x1f && c != 0x7f && // not CTL
			!strings.ContainsRune(specials, rune(c))
		if got := IsAtomChar(c); got != want {
			t.Errorf("IsAtomChar(%#x) = %v, want %v", c, got, want)
		}
	}
}

func TestParseFlag(t *testing.T) {
	tests := []struct {
		in   string
		want Flag
	}{
		{`\Seen`, FlagSeen},
		{`\seen`, FlagSeen},
		{`\SEEN`, FlagSeen},
		{`\answered`, FlagAnswered},
		{`\FLAGGED`, FlagFlagged},
		{`\Deleted`, FlagDeleted},
		{`\dRaFt`, FlagDraft},
		{`\recent`, FlagRecent},
		{`\*`, FlagWildcard},
		{`\Xyz`, `\Xyz`},                   // flag-extension, kept as sent
		{`\Seen2`, `\Seen2`},               // not \Seen
		{`\NonJunk`, `\NonJunk`},           // extension
		{`$Junk`, KeywordJunk},             // keyword
		{`$junk`, `$junk`},                 // keywords keep their case
		{`foo`, `foo`},                     // keyword
		{`Foo.Bar-1_$[+`, `Foo.Bar-1_$[+`}, // "[" and "+" are ATOM-CHARs
		{`NIL`, `NIL`},
	}
	for _, tt := range tests {
		got, err := ParseFlag(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseFlag(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	invalid := []struct {
		in     string
		offset int
	}{
		{"", 0},
		{`\`, 1},
		{`\ `, 1},
		{`\\Seen`, 1},
		{`\Seen]`, 5},
		{`\Se en`, 3},
		{`\**`, 1},
		{`\*x`, 1},
		{"a b", 1},
		{"(", 0},
		{"foo)", 3},
		{"{5}", 0},
		{"*", 0},
		{"%", 0},
		{`"q"`, 0},
		{"é", 0},
		{"a\x00", 1},
		{"a\x7f", 1},
		{"a\r\n", 1},
	}
	for _, tt := range invalid {
		got, err := ParseFlag(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseFlag(%q) = %q, %v; want *SyntaxError", tt.in, got, err)
			continue
		}
		if got != "" || se.Offset != tt.offset || se.Input != tt.in {
			t.Errorf("ParseFlag(%q) = %q, %+v; want offset %d", tt.in, got, *se, tt.offset)
		}
	}
}

func TestNewKeyword(t *testing.T) {
	for _, ok := range []string{"$Forwarded", "Junk", "a", "x-y.z"} {
		if f, err := NewKeyword(ok); err != nil || string(f) != ok || !f.IsKeyword() || f.IsSystem() {
			t.Errorf("NewKeyword(%q) = %q, %v", ok, f, err)
		}
	}
	for _, bad := range []string{"", `\Seen`, "a b", "a]", "*", "ü"} {
		_, err := NewKeyword(bad)
		var se *SyntaxError
		if !errors.As(err, &se) || se.What != "keyword" {
			t.Errorf("NewKeyword(%q) error = %v", bad, err)
		}
	}
}

func TestFlagMethods(t *testing.T) {
	for _, f := range []Flag{FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft, FlagRecent, FlagWildcard, `\Ext`} {
		if !f.IsSystem() || f.IsKeyword() {
			t.Errorf("%q: IsSystem %v IsKeyword %v", f, f.IsSystem(), f.IsKeyword())
		}
		if f.Canonical() != f {
			t.Errorf("%q.Canonical() = %q", f, f.Canonical())
		}
		if low := Flag(strings.ToLower(string(f))); low.Canonical() != f && f != `\Ext` {
			t.Errorf("%q.Canonical() = %q", low, low.Canonical())
		}
	}
	for _, f := range []Flag{KeywordForwarded, KeywordMDNSent, KeywordJunk, KeywordNotJunk, KeywordPhishing} {
		if f.IsSystem() || !f.IsKeyword() || f.Canonical() != f {
			t.Errorf("%q misclassified", f)
		}
		if _, err := NewKeyword(string(f)); err != nil {
			t.Errorf("constant %q is not a valid keyword: %v", f, err)
		}
	}
	if Flag("").IsSystem() || Flag("").IsKeyword() {
		t.Errorf("empty flag classified")
	}
	if got := Flag(`$junk`).Canonical(); got != `$junk` {
		t.Errorf("keyword canonicalized to %q", got)
	}
	eq := []struct {
		a, b Flag
		want bool
	}{
		{`\Seen`, `\SEEN`, true},
		{`\seen`, FlagSeen, true},
		{`$Junk`, `$JUNK`, true},
		{`\Seen`, `Seen`, false},
		{`\Seen`, `\Seen2`, false},
		{`foo`, `bar`, false},
		{``, ``, true},
	}
	for _, tt := range eq {
		if got := tt.a.Equal(tt.b); got != tt.want {
			t.Errorf("%q.Equal(%q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestParseMailboxAttr(t *testing.T) {
	tests := []struct {
		in   string
		want MailboxAttr
	}{
		{`\Noinferiors`, AttrNoinferiors},
		{`\NoInferiors`, AttrNoinferiors}, // RFC 9051 spelling
		{`\noselect`, AttrNoselect},
		{`\HASCHILDREN`, AttrHasChildren},
		{`\hasnochildren`, AttrHasNoChildren},
		{`\nonexistent`, AttrNonExistent},
		{`\sent`, AttrSent},
		{`\Flagged`, AttrFlagged},
		{`\important`, AttrImportant},
		{`\X-Custom`, `\X-Custom`},
	}
	for _, tt := range tests {
		got, err := ParseMailboxAttr(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseMailboxAttr(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", `Noselect`, `\`, `\No select`, `\*`, `\a]`, `\\a`} {
		_, err := ParseMailboxAttr(bad)
		var se *SyntaxError
		if !errors.As(err, &se) || se.What != "mailbox attribute" {
			t.Errorf("ParseMailboxAttr(%q) error = %v", bad, err)
		}
	}
	if !AttrNoselect.Equal(`\NOSELECT`) || AttrNoselect.Equal(AttrNoinferiors) {
		t.Errorf("MailboxAttr.Equal wrong")
	}
	if got := MailboxAttr("Sent").Canonical(); got != "Sent" {
		t.Errorf("Canonical without backslash = %q", got)
	}
}
