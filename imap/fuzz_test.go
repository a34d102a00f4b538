package imap

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzParseNumSet checks that ParseNumSet never panics and that whatever it
// accepts survives the round trip through String, normalizes consistently
// and answers Contains as its iteration does. More seeds are in
// testdata/fuzz/FuzzParseNumSet.
func FuzzParseNumSet(f *testing.F) {
	for _, s := range []string{
		"1", "*", "$", "1:3,5,7:*", "2,4:7,9,12:*", "*:4,5:7", "4:2",
		"4294967295", "1:4294967295", "0", "01", "1,", "", "1::2", "$,1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		set, err := ParseNumSet(s)
		bset, berr := ParseNumSetBytes([]byte(s))
		if (err == nil) != (berr == nil) || !reflect.DeepEqual(set, bset) {
			t.Fatalf("ParseNumSet and ParseNumSetBytes disagree on %q: %v / %v", s, err, berr)
		}
		if err != nil {
			if !reflect.DeepEqual(set, NumSet{}) {
				t.Fatalf("error with non-zero set %#v", set)
			}
			return
		}
		str := set.String()
		again, err := ParseNumSet(str)
		if err != nil {
			t.Fatalf("String of %q is %q, which does not parse: %v", s, str, err)
		}
		if !reflect.DeepEqual(again, set) {
			t.Fatalf("%q re-parsed from %q differs: %#v vs %#v", str, s, again, set)
		}
		if set.IsSearchRes() {
			return
		}
		for _, star := range []uint32{0, 1, 7, 100, 4294967295} {
			n := set.Normalize(star)
			if !reflect.DeepEqual(n, again.Normalize(star)) {
				t.Fatalf("re-parsed %q normalizes differently", s)
			}
			if n2 := n.Normalize(star); !reflect.DeepEqual(n, n2) {
				t.Fatalf("Normalize(%d) of %q not idempotent", star, s)
			}
			if !n.IsEmpty() {
				np, err := ParseNumSet(n.String())
				if err != nil || !reflect.DeepEqual(np, n) {
					t.Fatalf("normalized form %q does not round trip: %v", n.String(), err)
				}
			}
			count := set.Count(star)
			if count > 2000 {
				continue
			}
			var seen uint32
			prev := uint32(0)
			for v := range set.All(star) {
				if v <= prev {
					t.Fatalf("All(%d) of %q not ascending at %d", star, s, v)
				}
				if !set.Contains(v, star) {
					t.Fatalf("All(%d) of %q yields %d, which Contains denies", star, s, v)
				}
				prev = v
				seen++
			}
			if seen != count {
				t.Fatalf("All(%d) of %q yields %d numbers, Count says %d", star, s, seen, count)
			}
		}
	})
}

// FuzzMailboxUTF7 checks that the modified UTF-7 decoder never panics, that
// it is strict (what it accepts is exactly what the encoder produces) and
// that valid UTF-8 survives encoding and decoding. More seeds are in
// testdata/fuzz/FuzzMailboxUTF7.
func FuzzMailboxUTF7(f *testing.F) {
	for _, s := range []string{
		"INBOX", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "&U,BTF2XlZyyKng-", "&Jjo!",
		"&U,BTFw-&ZeVnLIqe-", "&-", "&AGE-", "&2D3eAA-", "&2AA-", "&3gA-", "&",
		"&A-", "&AOl-", "Entwürfe", "台北", "a\x00b", "&,,0-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := DecodeMailboxUTF7(s)
		if err == nil {
			if !utf8.ValidString(dec) {
				t.Fatalf("DecodeMailboxUTF7(%q) = %q is not valid UTF-8", s, dec)
			}
			if enc := EncodeMailboxUTF7(dec); enc != s {
				t.Fatalf("DecodeMailboxUTF7(%q) = %q, which encodes back as %q", s, dec, enc)
			}
		} else if dec != "" {
			t.Fatalf("DecodeMailboxUTF7(%q) returned %q with error %v", s, dec, err)
		}
		enc := EncodeMailboxUTF7(s)
		back, err := DecodeMailboxUTF7(enc)
		if err != nil {
			t.Fatalf("EncodeMailboxUTF7(%q) = %q, which does not decode: %v", s, enc, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("round trip of %q gives %q (encoded %q)", s, back, enc)
		}
		if !utf8.ValidString(s) && EncodeMailboxUTF7(back) != enc {
			t.Fatalf("invalid UTF-8 %q not encoded as its U+FFFD replacement", s)
		}
	})
}
