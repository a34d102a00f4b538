package mime

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

var searchFuzzSeeds = []struct {
	msg, needle string
}{
	{searchBaseMsg, "café"},
	{searchBaseMsg, "INNERBODYWORD"},
	{"Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\nbody\r\n", "grüße"},
	{"Content-Type: text/plain; charset=koi8-r\r\nContent-Transfer-Encoding: base64\r\n\r\n8/fF\r\n", "СВЕ"},
	{"Content-Transfer-Encoding: quoted-printable\r\n\r\nne=\r\nedle=C3=\r\n=A9\r\n", "NEEDLÉ"},
	{"Content-Type: text/plain; charset=x-bogus\r\n\r\n\xff\xfe\xe2\x82\r\n", "\xe2\x82"},
	{"Date: 1 Jan 2000 00:00 +0000\r\nFrom: a@b\r\n\r\n", ""},
	{"", "x"},
	{"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\nǄ\r\n--x--\r\n", "\u01C5"},
}

// FuzzMatch matches arbitrary messages against arbitrary needles with the
// string keys and the sent-date keys. It never panics or fails on a
// readable message; BODY implies TEXT; and the streaming search, with
// tiny buffers so that needles straddle every edge, agrees with a search
// of each part read whole.
func FuzzMatch(f *testing.F) {
	for _, s := range searchFuzzSeeds {
		f.Add([]byte(s.msg), s.needle)
	}
	f.Fuzz(func(t *testing.T, raw []byte, needle string) {
		s, err := Parse(bytes.NewReader(raw), &Options{MaxParts: 50, MaxDepth: 8})
		if err != nil {
			t.Fatal(err)
		}
		msg := &SearchMessage{Seq: 1, UID: 1, Size: s.Size, Structure: s, Src: bytes.NewReader(raw)}
		ctx := context.Background()
		match := func(key imap.SearchKey, chunk, read int) bool {
			m, err := NewMatcher(key, nil)
			if err != nil {
				t.Fatalf("NewMatcher(%+v): %v", key, err)
			}
			m.chunk, m.readSize = chunk, read
			ok, err := m.Match(ctx, msg)
			if err != nil {
				t.Fatalf("Match(%s %q): %v", key.Op, key.Str, err)
			}
			return ok
		}
		for _, op := range []imap.SearchOp{imap.SearchSubject, imap.SearchFrom, imap.SearchTo, imap.SearchCc, imap.SearchBcc} {
			match(imap.SearchKey{Op: op, Str: needle}, 0, 0)
		}
		match(imap.SearchKey{Op: imap.SearchHeader, Field: "X-Test", Str: needle}, 0, 0)
		for _, op := range []imap.SearchOp{imap.SearchSentOn, imap.SearchSentBefore, imap.SearchSentSince} {
			match(imap.SearchKey{Op: op, Date: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, 0, 0)
		}
		body := match(imap.SearchKey{Op: imap.SearchBody, Str: needle}, 0, 0)
		text := match(imap.SearchKey{Op: imap.SearchText, Str: needle}, 0, 0)
		if body && !text {
			t.Fatalf("BODY %q matched and TEXT did not", needle)
		}
		if small := match(imap.SearchKey{Op: imap.SearchBody, Str: needle}, 3, 5); small != body {
			t.Fatalf("BODY %q: %v with small buffers, %v with large", needle, small, body)
		}
		if small := match(imap.SearchKey{Op: imap.SearchText, Str: needle}, 2, 7); small != text {
			t.Fatalf("TEXT %q: %v with small buffers, %v with large", needle, small, text)
		}
		if pn := prepareNeedle(needle); pn != nil {
			if ref := searchRefContent(t, msg, pn, false); ref != body {
				t.Fatalf("BODY %q: %v, whole-part reference %v", needle, body, ref)
			}
			if ref := searchRefContent(t, msg, pn, true); ref != text {
				t.Fatalf("TEXT %q: %v, whole-part reference %v", needle, text, ref)
			}
		}
	})
}
