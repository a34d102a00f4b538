package mime

import (
	"errors"
	"testing"
)

// TestDecodeHeaderRFC2047 runs the examples of RFC 2047 §8 and the
// leniencies deployed mail needs.
func TestDecodeHeaderRFC2047(t *testing.T) {
	cases := []struct{ in, want string }{
		// RFC 2047 §8.
		{"=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"},
		{"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>"},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "André Pirard <PIRARD@vm1.ulg.ac.be>"},
		{"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "If you can read this you understand the example."},
		{"(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=\t =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
		// A UTF-8 character split across two words.
		{"=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=", "€"},
		// RFC 2231 §5 language.
		{"=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore"},
		// Other charsets.
		{"=?koi8-r?B?8NLJ18XU?=", "Привет"},
		{"=?iso-2022-jp?B?GyRCJEYkOSRIGyhC?=", "てすと"},
		{"=?windows-1252?Q?=80?=", "€"},
		// Malformed words stay.
		{"=?utf-8?X?abc?=", "=?utf-8?X?abc?="},
		{"=?utf-8?Q?no end", "=?utf-8?Q?no end"},
		{"a =? b", "a =? b"},
		// 8-bit header bytes.
		{"caf\xe9", "café"},
	}
	for _, c := range cases {
		got, err := DecodeHeader(c.in)
		if err != nil || got != c.want {
			t.Errorf("DecodeHeader(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	got, err := DecodeHeader("=?x-nonesuch?Q?raw?= and =?utf-8?Q?ok?=")
	if !errors.Is(err, ErrUnknownCharset) || got != "=?x-nonesuch?Q?raw?= and ok" {
		t.Errorf("unknown charset: %q, %v", got, err)
	}
}
