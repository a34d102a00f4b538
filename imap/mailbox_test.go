package imap

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// Pairs of UTF-8 names and their modified UTF-7 form. The non-ASCII
// encodings were checked against Python's UTF-7 codec ("+" -> "&",
// "/" -> ",").
var utf7Pairs = []struct{ dec, enc string }{
	{"", ""},
	{"INBOX", "INBOX"},
	{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
	{"台北日本語", "&U,BTF2XlZyyKng-"},                             // RFC 3501 §5.1.3
	{"☺!", "&Jjo-!"},                                          // RFC 3501 §5.1.3
	{"&", "&-"},
	{"a&b&&", "a&-b&-&-"},
	{"台北&", "&U,BTFw-&-"},
	{"&台北", "&-&U,BTFw-"},
	{"Entwürfe", "Entw&APw-rfe"},
	{"é", "&AOk-"},
	{"😀", "&2D3eAA-"}, // surrogate pair
	{"\U0010FFFF", "&2,,f,w-"},
	{"\uffff", "&,,8-"},
	{"\ufffd", "&,,0-"},
	{"\x00", "&AAA-"},
	{"a\tb", "a&AAk-b"},
	{"\x7f", "&AH8-"},
	{"台 北", "&U,A- &Uxc-"}, // separate shifts around a space
	{"~/+\\%*\"]", "~/+\\%*\"]"},
	{"-&-", "-&--"},
}

func TestEncodeMailboxUTF7(t *testing.T) {
	for _, p := range utf7Pairs {
		if got := EncodeMailboxUTF7(p.dec); got != p.enc {
			t.Errorf("EncodeMailboxUTF7(%q) = %q, want %q", p.dec, got, p.enc)
		}
	}
	// Invalid UTF-8 is encoded as U+FFFD, byte by byte.
	if got := EncodeMailboxUTF7("a\xffb\xc3"); got != "a&,,0-b&,,0-" {
		t.Errorf("invalid UTF-8 encoded as %q", got)
	}
	if got := EncodeMailboxUTF7("\xff\xfe"); got != "&,,3,,Q-" {
		t.Errorf("invalid UTF-8 run encoded as %q", got)
	}
}

func TestDecodeMailboxUTF7(t *testing.T) {
	for _, p := range utf7Pairs {
		got, err := DecodeMailboxUTF7(p.enc)
		if err != nil || got != p.dec {
			t.Errorf("DecodeMailboxUTF7(%q) = %q, %v; want %q", p.enc, got, err, p.dec)
		}
	}
}

func TestDecodeMailboxUTF7Invalid(t *testing.T) {
	tests := []struct {
		in     string
		offset int
		reason string
	}{
		{"&Jjo!", 4, "not in modified BASE64"},            // RFC 3501 §5.1.3
		{"&U,BTFw-&ZeVnLIqe-", 8, "superfluous shift"},    // RFC 3501 §5.1.3
		{"&AGE-", 1, "printable US-ASCII"},                // "a"
		{"&AGEAYg-", 1, "printable US-ASCII"},             // "ab"
		{"&AOkAYQ-", 3, "printable US-ASCII"},             // "éa"
		{"&ACY-", 1, "printable US-ASCII"},                // "&" must be "&-"
		{"&ACA-", 1, "printable US-ASCII"},                // space
		{"&AH4-", 1, "printable US-ASCII"},                // "~"
		{"&", 0, "not terminated"},                        // unterminated
		{"a&AOk", 1, "not terminated"},                    // unterminated
		{"&AOk", 0, "not terminated"},                     //
		{"&A-", 1, "not a minimal encoding"},              // 6 bits
		{"&AA-", 2, "not a minimal encoding"},             // 12 bits
		{"&AOkA-", 4, "not a minimal encoding"},           // 24 bits: 8 spare
		{"&AOl-", 3, "non-zero padding"},                  // odd bit padding
		{"&AOn-", 3, "non-zero padding"},                  //
		{"&2D3eAB-", 6, "non-zero padding"},               //
		{"&2AA-", 1, "unpaired UTF-16 high surrogate"},    // lone high
		{"&2D0AYQ-", 1, "unpaired UTF-16 high surrogate"}, // high + "a"
		{"&2D3YPQ-", 1, "unpaired UTF-16 high surrogate"}, // high + high
		{"&3gA-", 1, "unpaired UTF-16 low surrogate"},     // lone low
		{"&2D0-&3gA-", 1, "unpaired UTF-16 high"},         // pair split over shifts
		{"&AOk-&AOk-", 5, "superfluous shift"},            //
		{"&Jj/-", 3, "not in modified BASE64"},            // "/" is not modified BASE64
		{"&Jj=-", 3, "not in modified BASE64"},            //
		{"&Jjo-\x80", 5, "must be encoded"},               // 8-bit
		{"Entwürfe", 4, "must be encoded"},                // raw UTF-8
		{"a\tb", 1, "must be encoded"},                    // control
		{"\x00", 0, "must be encoded"},                    //
		{"\x7f", 0, "must be encoded"},                    //
		{"&&-", 1, "not in modified BASE64"},              //
		{"&-&", 2, "not terminated"},                      //
		{"&Jjo-&", 5, "superfluous shift"},                //
		{"&U,BTFw--", -1, ""},                             // valid: trailing "-" is ASCII
	}
	for _, tt := range tests {
		got, err := DecodeMailboxUTF7(tt.in)
		if tt.offset < 0 {
			if err != nil {
				t.Errorf("DecodeMailboxUTF7(%q): %v", tt.in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("DecodeMailboxUTF7(%q) = %q, want error", tt.in, got)
			continue
		}
		if got != "" {
			t.Errorf("DecodeMailboxUTF7(%q) returned %q with error", tt.in, got)
		}
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Errorf("DecodeMailboxUTF7(%q) error %T %v", tt.in, err, err)
			continue
		}
		if se.Offset != tt.offset || !strings.Contains(se.Reason, tt.reason) || se.Input != tt.in {
			t.Errorf("DecodeMailboxUTF7(%q) error = %+v; want offset %d, reason ~%q", tt.in, *se, tt.offset, tt.reason)
		}
	}
}

// randUTF8 returns a random valid UTF-8 string mixing printable ASCII, "&",
// "-", controls, BMP and supplementary characters.
func randUTF8(r *rand.Rand) string {
	var b strings.Builder
	for range r.IntN(12) {
		switch r.IntN(7) {
		case 0:
			b.WriteByte(byte(0x20 + r.IntN(0x5f)))
		case 1:
			b.WriteByte('&')
		case 2:
			b.WriteByte('-')
		case 3:
			b.WriteByte(byte(r.IntN(0x20)))
		case 4:
			b.WriteRune(rune(0x80 + r.IntN(0xd800-0x80)))
		case 5:
			b.WriteRune(rune(0xe000 + r.IntN(0x10000-0xe000)))
		case 6:
			b.WriteRune(rune(0x10000 + r.IntN(0x110000-0x10000)))
		}
	}
	return b.String()
}

func TestPropertyUTF7RoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		s := randUTF8(r)
		if !utf8.ValidString(s) {
			t.Fatalf("generator made invalid UTF-8 %q", s)
		}
		enc := EncodeMailboxUTF7(s)
		for i := 0; i < len(enc); i++ {
			if enc[i] < 0x20 || enc[i] > 0x7e {
				t.Fatalf("EncodeMailboxUTF7(%q) = %q is not printable ASCII", s, enc)
			}
		}
		dec, err := DecodeMailboxUTF7(enc)
		if err != nil || dec != s {
			t.Fatalf("DecodeMailboxUTF7(EncodeMailboxUTF7(%q)) = %q, %v (encoded %q)", s, dec, err, enc)
		}
	}
}

func TestUTF7ASCIIFastPathAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = EncodeMailboxUTF7("INBOX/Sent Items") }); n != 0 {
		t.Errorf("EncodeMailboxUTF7 of ASCII allocates %v times", n)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = DecodeMailboxUTF7("INBOX/Sent Items") }); n != 0 {
		t.Errorf("DecodeMailboxUTF7 of ASCII allocates %v times", n)
	}
}

func TestIsInbox(t *testing.T) {
	for name, want := range map[string]bool{
		"INBOX": true, "inbox": true, "iNbOx": true, "Inbox": true,
		"INBOX/foo": false, "INBOX.": false, "INBO": false, "": false,
		" INBOX": false, "ınbox": false, "INBOX\x00": false,
	} {
		if got := IsInbox(name); got != want {
			t.Errorf("IsInbox(%q) = %v", name, got)
		}
	}
}

func TestCanonicalMailbox(t *testing.T) {
	tests := map[string]string{
		"inbox":     "INBOX",
		"iNbOx":     "INBOX",
		"INBOX":     "INBOX",
		"inbox/foo": "inbox/foo", // RFC 9051 §5.1: only INBOX itself
		"INBOX.Foo": "INBOX.Foo",
		"Sent":      "Sent",
		"":          "",
	}
	for in, want := range tests {
		if got := CanonicalMailbox(in); got != want {
			t.Errorf("CanonicalMailbox(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidMailboxName(t *testing.T) {
	valid := []string{"INBOX", "a", "台北/日本語", "with space", "tab\there", "&-", "%*", "\u00e9"}
	for _, name := range valid {
		if err := ValidMailboxName(name); err != nil {
			t.Errorf("ValidMailboxName(%q) = %v", name, err)
		}
	}
	invalid := []struct {
		name   string
		offset int
	}{
		{"", 0},
		{"a\x00b", 1},
		{"a\rb", 1},
		{"ab\n", 2},
		{"a\xffb", 1},
		{"é\xc3", 2},
		{"\xed\xa0\x80", 0}, // UTF-8 encoded surrogate
	}
	for _, tt := range invalid {
		err := ValidMailboxName(tt.name)
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) || se.Offset != tt.offset || se.What != "mailbox name" {
			t.Errorf("ValidMailboxName(%q) = %v, want *SyntaxError at %d", tt.name, err, tt.offset)
		}
	}
}
