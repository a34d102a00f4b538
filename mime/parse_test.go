package mime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// encodeBody renders a BODYSTRUCTURE as the server would send it.
func encodeBody(b imap.BodyStructure) string {
	var out bytes.Buffer
	e := wire.NewEncoder(&out, nil)
	e.WriteResponse(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{Seq: 1, Items: []imap.FetchItem{{Kind: imap.FetchBodyStructure, Body: &b}}}})
	e.Flush()
	s := out.String()
	s = strings.TrimPrefix(s, "* 1 FETCH (BODYSTRUCTURE ")
	return strings.TrimSuffix(s, ")\r\n")
}

func mustParse(t testing.TB, msg string) *Structure {
	t.Helper()
	s, err := Parse(strings.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func readSection(t testing.TB, s *Structure, msg string, sec imap.Section) string {
	t.Helper()
	r, n, err := s.Section(strings.NewReader(msg), sec)
	if err != nil {
		t.Fatalf("section %v: %v", sec, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != n {
		t.Fatalf("section %v: size %d, read %d", sec, n, len(b))
	}
	return string(b)
}

// rfc3501Sections is the message of RFC 3501 §6.4.5's part-numbering
// example, built so that every part's body names its part number.
var rfc3501Sections = crlf(`From: a@example.com
Subject: numbering
MIME-Version: 1.0
Content-Type: MULTIPART/MIXED; boundary="b0"

--b0
Content-Type: TEXT/PLAIN

part 1
--b0
Content-Type: APPLICATION/OCTET-STREAM

part 2
--b0
Content-Type: MESSAGE/RFC822

Subject: part 3 message
Content-Type: MULTIPART/MIXED; boundary="b3"

--b3
Content-Type: TEXT/PLAIN

part 3.1
--b3
Content-Type: APPLICATION/OCTET-STREAM

part 3.2
--b3--
--b0
Content-Type: MULTIPART/MIXED; boundary="b4"

--b4
Content-Type: IMAGE/GIF

part 4.1
--b4
Content-Type: MESSAGE/RFC822

Subject: part 4.2 message
Content-Type: MULTIPART/MIXED; boundary="b42"

--b42
Content-Type: TEXT/PLAIN

part 4.2.1
--b42
Content-Type: MULTIPART/ALTERNATIVE; boundary="b422"

--b422
Content-Type: TEXT/PLAIN

part 4.2.2.1
--b422
Content-Type: TEXT/RICHTEXT

part 4.2.2.2
--b422--
--b42--
--b4--
--b0--
`)

// TestRFC3501PartNumbering checks the part specifiers of RFC 3501 §6.4.5's
// example against the parts they must name.
func TestRFC3501PartNumbering(t *testing.T) {
	s := mustParse(t, rfc3501Sections)
	cases := []struct {
		path []uint32
		typ  string
	}{
		{[]uint32{1}, "TEXT/PLAIN"},
		{[]uint32{2}, "APPLICATION/OCTET-STREAM"},
		{[]uint32{3}, "MESSAGE/RFC822"},
		{[]uint32{3, 1}, "TEXT/PLAIN"},
		{[]uint32{3, 2}, "APPLICATION/OCTET-STREAM"},
		{[]uint32{4}, "MULTIPART/MIXED"},
		{[]uint32{4, 1}, "IMAGE/GIF"},
		{[]uint32{4, 2}, "MESSAGE/RFC822"},
		{[]uint32{4, 2, 1}, "TEXT/PLAIN"},
		{[]uint32{4, 2, 2}, "MULTIPART/ALTERNATIVE"},
		{[]uint32{4, 2, 2, 1}, "TEXT/PLAIN"},
		{[]uint32{4, 2, 2, 2}, "TEXT/RICHTEXT"},
	}
	for _, c := range cases {
		p, err := s.Part(c.path)
		if err != nil {
			t.Fatalf("%v: %v", c.path, err)
		}
		if got := p.Type + "/" + p.Subtype; got != c.typ {
			t.Errorf("%v: type %s, want %s", c.path, got, c.typ)
		}
		if p.IsMultipart() || p.IsMessage() {
			continue
		}
		want := "part " + pathString(c.path)
		if got := readSection(t, s, rfc3501Sections, imap.Section{Part: c.path}); got != want {
			t.Errorf("BODY[%s] = %q, want %q", pathString(c.path), got, want)
		}
		if got := readSection(t, s, rfc3501Sections, imap.Section{Part: c.path, Spec: imap.SpecMIME}); got != "Content-Type: "+c.typ+"\r\n\r\n" {
			t.Errorf("BODY[%s.MIME] = %q", pathString(c.path), got)
		}
	}
	for _, c := range []struct {
		sec  imap.Section
		want string
	}{
		{imap.Section{Part: []uint32{3}, Spec: imap.SpecHeader}, "Subject: part 3 message\r\nContent-Type: MULTIPART/MIXED; boundary=\"b3\"\r\n\r\n"},
		{imap.Section{Part: []uint32{4, 2}, Spec: imap.SpecHeaderFields, Fields: []string{"SUBJECT"}}, "Subject: part 4.2 message\r\n\r\n"},
		{imap.Section{Part: []uint32{4, 2}, Spec: imap.SpecHeaderFieldsNot, Fields: []string{"SUBJECT"}}, "Content-Type: MULTIPART/MIXED; boundary=\"b42\"\r\n\r\n"},
		{imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"from", "x-none"}}, "From: a@example.com\r\n\r\n"},
		{imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"x-none"}}, "\r\n"},
	} {
		if got := readSection(t, s, rfc3501Sections, c.sec); got != c.want {
			t.Errorf("%v = %q, want %q", c.sec, got, c.want)
		}
	}
	text := readSection(t, s, rfc3501Sections, imap.Section{Part: []uint32{3}, Spec: imap.SpecText})
	if !strings.HasPrefix(text, "--b3\r\n") || !strings.HasSuffix(text, "--b3--\r\n") {
		t.Errorf("3.TEXT = %q", text)
	}
	whole := readSection(t, s, rfc3501Sections, imap.Section{})
	if whole != rfc3501Sections {
		t.Errorf("BODY[] differs from the message")
	}
	for _, bad := range [][]uint32{{0}, {5}, {1, 2}, {3, 3}, {4, 3}, {4, 2, 2, 3}} {
		if _, err := s.Part(bad); !errors.Is(err, ErrNoSuchPart) {
			t.Errorf("%v: err %v, want ErrNoSuchPart", bad, err)
		}
	}
	if _, _, err := s.Section(strings.NewReader(rfc3501Sections), imap.Section{Part: []uint32{1}, Spec: imap.SpecHeader}); !errors.Is(err, ErrNoSuchPart) {
		t.Errorf("1.HEADER on a text part: %v", err)
	}
}

func TestSinglePart(t *testing.T) {
	msg := crlf("Subject: x\n\nline 1\nline 2\n")
	s := mustParse(t, msg)
	if got, want := encodeBody(s.BodyStructure(true)), `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 2 NIL NIL NIL NIL)`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := readSection(t, s, msg, imap.Section{Part: []uint32{1}}); got != "line 1\r\nline 2\r\n" {
		t.Errorf("BODY[1] = %q", got)
	}
	if got := readSection(t, s, msg, imap.Section{Spec: imap.SpecText}); got != "line 1\r\nline 2\r\n" {
		t.Errorf("BODY[TEXT] = %q", got)
	}
	if s.Size != int64(len(msg)) {
		t.Errorf("size %d", s.Size)
	}
}

func TestStructureEdgeCases(t *testing.T) {
	cases := []struct {
		name, msg, want string
	}{
		{"no body", "Subject: x\r\n", `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)`},
		{"empty body", "Subject: x\r\n\r\n", `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)`},
		{"last line open", "Subject: x\r\n\r\nab\r\ncd", `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 1 NIL NIL NIL NIL)`},
		{"bare LF", "Subject: x\n\nab\ncd\n", `("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 6 2 NIL NIL NIL NIL)`},
		{"params", "Content-Type: Text/HTML; Charset=\"UTF-8\" ; format=flowed (comment)\r\nContent-Transfer-Encoding: Quoted-Printable\r\nContent-ID: <id@x>\r\nContent-Description: desc\r\nContent-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\nContent-Disposition: inline; filename=a.html\r\nContent-Language: en, de\r\nContent-Location: http://x/a\r\n\r\n=41\r\n",
			`("Text" "HTML" ("Charset" "UTF-8" "format" "flowed") "<id@x>" "desc" "Quoted-Printable" 5 1 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("inline" ("filename" "a.html")) ("en" "de") "http://x/a")`},
		{"rfc2231", "Content-Type: application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"\r\n\r\nx",
			`("application" "x-stuff" ("title*" "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!") NIL NIL "7bit" 1 NIL NIL NIL NIL)`},
		{"multipart no parts", "Content-Type: multipart/mixed; boundary=x\r\n\r\nno delimiter here\r\n",
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL)`},
		{"missing close", "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nabc\r\n",
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 1 NIL NIL NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL)`},
		{"digest", "Content-Type: multipart/digest; boundary=x\r\n\r\n--x\r\n\r\nSubject: d\r\n\r\nhi\r\n--x--\r\n",
			`(("message" "rfc822" NIL NIL NIL "7bit" 16 (NIL "d" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 2 0 NIL NIL NIL NIL) 2 NIL NIL NIL NIL) "digest" ("boundary" "x") NIL NIL NIL)`},
		{"header ended by boundary", "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n--x--\r\n",
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "x") NIL NIL NIL)`},
		{"multipart without boundary", "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\nabc\r\n",
			`(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" NIL NIL NIL NIL)`},
		{"params", "Content-Type: text/plain; b=x y; c=ok; name*=utf-8''%41; a=\"unterminated\r\nContent-Transfer-Encoding: base64; x=y\r\n\r\n",
			`("text" "plain" ("b" "x" "c" "ok" "name*" "utf-8''%41" "charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)`},
		{"message type case", "Content-Type: Message/RFC822\r\n\r\nSubject: s\r\n\r\nx\r\n",
			`("message" "rfc822" NIL NIL NIL "7bit" 17 (NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustParse(t, c.msg)
			got := encodeBody(s.BodyStructure(true))
			// Envelopes come from envelope.go; compare structure only.
			if got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

func TestBinary(t *testing.T) {
	msg := crlf(`Content-Type: multipart/mixed; boundary=x

--x
Content-Transfer-Encoding: base64

aGVs
bG8g!!d29y
bGQ=
--x
Content-Transfer-Encoding: quoted-printable

caf=C3=A9 =	
soft=
break  
end=3
--x
Content-Transfer-Encoding: x-uuencode

begin
--x--
`)
	s := mustParse(t, msg)
	src := strings.NewReader(msg)
	for _, c := range []struct {
		part uint32
		want string
	}{
		{1, "hello world"},
		{2, "café softbreak\r\nend=3"},
	} {
		r, n, err := s.Binary(src, []uint32{c.part})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		if string(b) != c.want || n != int64(len(b)) {
			t.Errorf("BINARY[%d] = %q (size %d), want %q", c.part, b, n, c.want)
		}
		if sz, _ := s.BinarySize(src, []uint32{c.part}); sz != n {
			t.Errorf("BINARY.SIZE[%d] = %d, want %d", c.part, sz, n)
		}
	}
	if _, _, err := s.Binary(src, []uint32{3}); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("x-uuencode: %v", err)
	}
	if _, err := s.BinarySize(src, []uint32{3}); !errors.Is(err, ErrUnknownEncoding) {
		t.Errorf("x-uuencode size: %v", err)
	}
	n := mustParse(t, rfc3501Sections)
	for _, p := range [][]uint32{{3}, {4}, {4, 2}} {
		if _, _, err := n.Binary(strings.NewReader(rfc3501Sections), p); !errors.Is(err, ErrNotLeaf) {
			t.Errorf("BINARY[%v]: %v, want ErrNotLeaf", p, err)
		}
		if _, err := n.BinarySize(nil, p); !errors.Is(err, ErrNotLeaf) {
			t.Errorf("BINARY.SIZE[%v]: %v, want ErrNotLeaf", p, err)
		}
	}
}

func TestPartial(t *testing.T) {
	msg := crlf("Subject: x\n\n0123456789")
	s := mustParse(t, msg)
	for _, c := range []struct {
		p    imap.Partial
		want string
	}{{imap.Partial{Offset: 2, Count: 3}, "234"}, {imap.Partial{Offset: 8, Count: 10}, "89"}, {imap.Partial{Offset: 20, Count: 1}, ""}} {
		r, n, err := s.SectionPartial(strings.NewReader(msg), imap.Section{Spec: imap.SpecText}, &c.p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		if string(b) != c.want || n != int64(len(b)) {
			t.Errorf("%v: %q", c.p, b)
		}
	}
}

// TestCacheRoundTrip checks that the binary form keeps everything.
func TestCacheRoundTrip(t *testing.T) {
	for _, msg := range []string{rfc3501Sections, crlf("Subject: x\n\nhi\n")} {
		s := mustParse(t, msg)
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back Structure
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*s, back) {
			t.Errorf("round trip differs:\n%+v\n%+v", *s, back)
		}
		for i := range b {
			var x Structure
			if x.UnmarshalBinary(b[:i]) == nil {
				t.Errorf("truncated at %d accepted", i)
			}
		}
	}
}

// bigMessage generates a multipart message with an n-octet base64 body,
// never holding it in memory.
type bigMessage struct {
	head, tail string
	n, off     int64
}

func newBigMessage(n int64) *bigMessage {
	return &bigMessage{
		head: crlf("Subject: big\nContent-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/plain\n\nsmall\n--zz\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"),
		tail: crlf("\n--zz--\n"),
		n:    n,
	}
}

func (m *bigMessage) Read(p []byte) (int, error) {
	total := int64(len(m.head)) + m.n + int64(len(m.tail))
	if m.off >= total {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && m.off < total {
		switch {
		case m.off < int64(len(m.head)):
			p[i] = m.head[m.off]
		case m.off < int64(len(m.head))+m.n:
			k := (m.off - int64(len(m.head))) % 78
			switch k {
			case 76:
				p[i] = '\r'
			case 77:
				p[i] = '\n'
			default:
				p[i] = "QUJD"[k%4]
			}
		default:
			p[i] = m.tail[m.off-int64(len(m.head))-m.n]
		}
		i++
		m.off++
	}
	return i, nil
}

// TestBoundedMemory parses a 64 MB message and checks that what Parse
// allocates does not depend on the body's size.
func TestBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	measure := func(n int64) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := Parse(newBigMessage(n), &Options{DecodedSizes: true})
		if err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		if p, _ := s.Part([]uint32{2}); p.DecodedSize != n/78*57 {
			t.Errorf("decoded size %d, want %d", p.DecodedSize, n/78*57)
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	small := measure(78 * 1000)
	big := measure(78 * 800_000) // 62 MB
	t.Logf("allocated: %d octets for a 78 KB body, %d for a 62 MB body", small, big)
	if big > small+64<<10 {
		t.Errorf("allocation grows with the body: %d vs %d", big, small)
	}
}

func ExampleParse() {
	msg := "From: alice@example.com\r\n" +
		"Subject: Lunch\r\n" +
		"Content-Type: multipart/alternative; boundary=b\r\n" +
		"\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nNoon?\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>Noon?</p>\r\n" +
		"--b--\r\n"
	s, err := Parse(strings.NewReader(msg), nil)
	if err != nil {
		panic(err)
	}
	for i, p := range s.Root.Parts {
		fmt.Printf("part %d: %s/%s, %d octets\n", i+1, p.Type, p.Subtype, p.BodySize)
	}
	r, _, _ := s.Section(strings.NewReader(msg), imap.Section{Part: []uint32{2}})
	b, _ := io.ReadAll(r)
	fmt.Printf("BODY[2] = %q\n", b)
	// Output:
	// part 1: text/plain, 5 octets
	// part 2: text/html, 12 octets
	// BODY[2] = "<p>Noon?</p>"
}
