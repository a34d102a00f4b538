package wire

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
)

func newTestDecoder(s string, opts *Options) *Decoder {
	return NewDecoder(bufio.NewReaderSize(strings.NewReader(s), 16), opts)
}

func TestReadLineEndings(t *testing.T) {
	d := newTestDecoder("a\r\nb\nc", nil)
	for _, want := range []string{"a", "b"} {
		line, err := d.ReadLine()
		if err != nil || string(line) != want {
			t.Fatalf("ReadLine = %q, %v; want %q", line, err, want)
		}
	}
	if _, err := d.ReadLine(); err != io.ErrUnexpectedEOF {
		t.Fatalf("unterminated last line: err = %v, want io.ErrUnexpectedEOF", err)
	}
	if d.Offset() != 6 {
		t.Fatalf("Offset = %d, want 6", d.Offset())
	}

	d = newTestDecoder("a\n", &Options{Mode: Strict})
	_, err := d.ReadLine()
	var se *SyntaxError
	if !errors.As(err, &se) || se.Expected != "CRLF" {
		t.Fatalf("strict bare LF: err = %v, want SyntaxError expecting CRLF", err)
	}
}

func TestReadLineTooLong(t *testing.T) {
	long := strings.Repeat("x", 100)
	d := newTestDecoder(long+"\r\nok\r\n", &Options{MaxLineLength: 50})
	_, err := d.ReadLine()
	if !errors.Is(err, ErrLineTooLong) || !errors.Is(err, ErrLimit) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v, want ErrLineTooLong, ErrLimit and ErrSyntax", err)
	}
	line, err := d.ReadLine()
	if err != nil || string(line) != "ok" {
		t.Fatalf("after long line: %q, %v", line, err)
	}
}

func TestTrailingLiteral(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		h    litHeader
	}{
		{"a APPEND x {5}", true, litHeader{size: 5}},
		{"a APPEND x {5+}", true, litHeader{size: 5, nonSync: true}},
		{"* 1 FETCH (BINARY[] ~{12}", true, litHeader{size: 12, binary: true}},
		{"a OK {x}", false, litHeader{}},
		{"a OK }", false, litHeader{}},
		{"{}", false, litHeader{}},
		{"{99999999999999999999}", false, litHeader{}},
		{"* A {00000000000000000000}", true, litHeader{size: 0}},
		{"a APPEND x {5-}", false, litHeader{}},
	} {
		h, ok := trailingLiteral([]byte(tc.line))
		if ok != tc.ok || h != tc.h {
			t.Errorf("trailingLiteral(%q) = %+v, %v; want %+v, %v", tc.line, h, ok, tc.h, tc.ok)
		}
	}
}

func TestQuotedUnescape(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		strict   bool
		bad      bool
	}{
		{`"plain"`, "plain", true, false},
		{`"a\"b\\c"`, `a"b\c`, true, false},
		{`"a\xb"`, `a\xb`, false, false},
		{`"a\xb"`, ``, true, true},
		{`"caf` + "\xc3\xa9" + `"`, "caf\xc3\xa9", false, false},
		{`"caf` + "\xc3\xa9" + `"`, "", true, true},
		{`"open`, "", false, true},
	} {
		mode := Lenient
		if tc.strict {
			mode = Strict
		}
		d := newTestDecoder(tc.in+"\r\n", &Options{Mode: mode})
		if err := d.beginMessage(false); err != nil {
			t.Fatal(err)
		}
		b, err := d.quoted()
		if (err != nil) != tc.bad || (!tc.bad && string(b) != tc.want) {
			t.Errorf("quoted(%q, strict=%v) = %q, %v", tc.in, tc.strict, b, err)
		}
	}
}

func TestNumbers(t *testing.T) {
	for _, tc := range []struct {
		in     string
		strict bool
		want   uint64
		bad    bool
	}{
		{"0", true, 0, false},
		{"4294967295", true, 4294967295, false},
		{"9223372036854775807", true, 1<<63 - 1, false},
		{"9223372036854775808", true, 0, true},
		{"99999999999999999999999", true, 0, true},
		{"-1", false, 0, false},
		{"-1", true, 0, true},
		{"x", false, 0, true},
	} {
		mode := Lenient
		if tc.strict {
			mode = Strict
		}
		d := newTestDecoder(tc.in+"\r\n", &Options{Mode: mode})
		if err := d.beginMessage(false); err != nil {
			t.Fatal(err)
		}
		n, err := d.number64()
		if (err != nil) != tc.bad || n != tc.want {
			t.Errorf("number64(%q, strict=%v) = %d, %v", tc.in, tc.strict, n, err)
		}
	}
}

// An announced literal allocates nothing until its bytes arrive, and a
// literal above the in-memory limit is refused without reading it.
func TestLiteralNotPreallocated(t *testing.T) {
	d := newTestDecoder("{4294967295}\r\n", &Options{MaxMemoryLiteral: 1024})
	if err := d.beginMessage(false); err != nil {
		t.Fatal(err)
	}
	_, err := d.literalBytes(false)
	if !errors.Is(err, ErrLiteralTooLarge) {
		t.Fatalf("err = %v, want ErrLiteralTooLarge", err)
	}
	d = newTestDecoder("{1000000}\r\nshort", nil)
	if err := d.beginMessage(false); err != nil {
		t.Fatal(err)
	}
	_, err = d.literalBytes(false)
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("short literal: err = %v, want io.ErrUnexpectedEOF", err)
	}
}

func TestRawValue(t *testing.T) {
	in := `(X-GM-LABELS ("\\Inbox" "a\"b") BODY[HEADER.FIELDS (A B)] {3}` + "\r\nabc)\r\n"
	d := newTestDecoder(in, nil)
	if err := d.beginMessage(false); err != nil {
		t.Fatal(err)
	}
	raw, err := d.rawValue()
	if err != nil {
		t.Fatal(err)
	}
	want := `(X-GM-LABELS ("\\Inbox" "a\"b") BODY[HEADER.FIELDS (A B)] {3}` + "\r\nabc)"
	if string(raw) != want {
		t.Fatalf("raw = %q\nwant  %q", raw, want)
	}
}
