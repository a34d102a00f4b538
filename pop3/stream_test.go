package pop3

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReadLine(t *testing.T) {
	in := "one\r\ntwo\nthree\r\n" + strings.Repeat("x", 10000) + "\r\nafter\r\npartial"
	r := NewReader(strings.NewReader(in))
	for _, want := range []string{"one", "two", "three"} {
		line, err := r.ReadLine()
		if err != nil || string(line) != want {
			t.Fatalf("ReadLine = %q, %v; want %q", line, err, want)
		}
	}
	if _, err := r.ReadLine(); !errors.Is(err, ErrLineTooLong) {
		t.Fatalf("long line: %v", err)
	}
	if line, err := r.ReadLine(); err != nil || string(line) != "after" {
		t.Fatalf("after a long line: %q, %v", line, err)
	}
	if _, err := r.ReadLine(); err != io.ErrUnexpectedEOF {
		t.Fatalf("partial line: %v", err)
	}

	r = NewReader(strings.NewReader("bare\n"))
	r.Mode = Strict
	if _, err := r.ReadLine(); !errors.Is(err, ErrSyntax) {
		t.Errorf("strict bare LF: %v", err)
	}
	r = NewReader(strings.NewReader(""))
	if _, err := r.ReadLine(); err != io.EOF {
		t.Errorf("empty stream: %v", err)
	}

	// A long line within a raised limit.
	long := strings.Repeat("y", 20000)
	r = NewReader(strings.NewReader(long + "\r\n"))
	r.MaxLine = 30000
	if line, err := r.ReadLine(); err != nil || string(line) != long {
		t.Errorf("raised limit: %d octets, %v", len(line), err)
	}
}

// TestRFC1939Session replays the example session of RFC 1939 §10 through
// the Reader and Writer, both sides.
func TestRFC1939Session(t *testing.T) {
	server := "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>\r\n" +
		"+OK mrose's maildrop has 2 messages (320 octets)\r\n" +
		"+OK 2 320\r\n" +
		"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n" +
		"+OK 120 octets\r\nline one\r\n..stuffed\r\n.\r\n" +
		"+OK message 1 deleted\r\n" +
		"+OK 200 octets\r\nthe second\r\n.\r\n" +
		"+OK message 2 deleted\r\n" +
		"+OK dewey POP3 server signing off (maildrop empty)\r\n"
	client := "APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\nSTAT\r\nLIST\r\nRETR 1\r\nDELE 1\r\nRETR 2\r\nDELE 2\r\nQUIT\r\n"

	// The client side reads the server's lines.
	r := NewReader(strings.NewReader(server))
	r.Mode = Strict
	greet, err := r.ReadResponse()
	if err != nil || greet.Timestamp() != "<1896.697170952@dbc.mtview.ca.us>" {
		t.Fatalf("greeting %+v %v", greet, err)
	}
	if d := APOPDigest(greet.Timestamp(), "tanstaaf"); d != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Fatalf("digest %s", d)
	}
	mustOK := func() Response {
		t.Helper()
		resp, err := r.ReadResponse()
		if err != nil || !resp.OK {
			t.Fatalf("response %+v %v", resp, err)
		}
		return resp
	}
	mustOK()
	if d, err := ParseDropListing(mustOK().Text, Strict); err != nil || d.Count != 2 || d.Size != 320 {
		t.Fatalf("STAT %+v %v", d, err)
	}
	mustOK()
	var scans []ScanListing
	for {
		line, err := r.ReadDataLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s, err := ParseScanListing(line, Strict)
		if err != nil {
			t.Fatal(err)
		}
		scans = append(scans, s)
	}
	if len(scans) != 2 || scans[1] != (ScanListing{Msg: 2, Size: 200}) {
		t.Fatalf("LIST %+v", scans)
	}
	mustOK()
	body, err := io.ReadAll(r.DotReader())
	if err != nil || string(body) != "line one\r\n.stuffed\r\n" {
		t.Fatalf("RETR 1: %q %v", body, err)
	}
	mustOK()
	mustOK()
	if err := r.SkipData(); err != nil {
		t.Fatal(err)
	}
	mustOK()
	mustOK()
	if _, err := r.ReadResponse(); err != io.EOF {
		t.Fatalf("after QUIT: %v", err)
	}

	// The server side reads the client's commands.
	cr := NewReader(strings.NewReader(client))
	cr.Mode = Strict
	var names []string
	for {
		c, err := cr.ReadCommand()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, c.String())
	}
	if got := strings.Join(names, ","); got != "APOP mrose ***,STAT,LIST,RETR 1,DELE 1,RETR 2,DELE 2,QUIT" {
		t.Fatalf("commands: %s", got)
	}

	// The server writes its side; the bytes are the RFC's.
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteResponse(Response{OK: true, Text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"})
	w.WriteResponse(Response{OK: true, Text: "mrose's maildrop has 2 messages (320 octets)"})
	w.WriteResponse(Response{OK: true, Text: DropListing{Count: 2, Size: 320}.String()})
	w.WriteResponse(Response{OK: true, Text: "2 messages (320 octets)"})
	w.WriteLine(ScanListing{Msg: 1, Size: 120}.String())
	w.WriteLine(ScanListing{Msg: 2, Size: 200}.String())
	w.WriteLine(".")
	w.WriteResponse(Response{OK: true, Text: "120 octets"})
	dw := w.DotWriter()
	io.WriteString(dw, "line one\n.stuffed")
	dw.Close()
	w.WriteResponse(Response{OK: true, Text: "message 1 deleted"})
	w.WriteResponse(Response{OK: true, Text: "200 octets"})
	dw = w.DotWriter()
	io.WriteString(dw, "the second\r\n")
	dw.Close()
	w.WriteResponse(Response{OK: true, Text: "message 2 deleted"})
	w.WriteResponse(Response{OK: true, Text: "dewey POP3 server signing off (maildrop empty)"})
	w.Flush()
	if out.String() != server {
		t.Errorf("server bytes:\n%q\nwant\n%q", out.String(), server)
	}

	// And the client writes its side.
	out.Reset()
	w = NewWriter(&out)
	w.WriteCommand(Command{Name: CmdAPOP, Args: []string{"mrose", "c4c9334bac560ecc979e58001b3e22fb"}})
	for _, c := range []Command{{Name: CmdStat}, {Name: CmdList}, {Name: CmdRetr, Args: []string{"1"}}, {Name: CmdDele, Args: []string{"1"}},
		{Name: CmdRetr, Args: []string{"2"}}, {Name: CmdDele, Args: []string{"2"}}, {Name: CmdQuit}} {
		if err := w.WriteCommand(c); err != nil {
			t.Fatal(err)
		}
	}
	w.Flush()
	if out.String() != client {
		t.Errorf("client bytes %q", out.String())
	}
}

// dotCases are bodies with their stuffed form (DotWriter's output).
var dotCases = []struct{ body, wire string }{
	{"", ".\r\n"},
	{"a\r\n", "a\r\n.\r\n"},
	{"a", "a\r\n.\r\n"},
	{"a\n", "a\r\n.\r\n"},
	{".\r\n", "..\r\n.\r\n"},
	{"..\r\n", "...\r\n.\r\n"},
	{".a\r\nb\r\n.\r\n.", "..a\r\nb\r\n..\r\n..\r\n.\r\n"},
	{"\r\n\r\n", "\r\n\r\n.\r\n"},
	{"x\r", "x\r\n.\r\n"},
	{"mid.dle\r\n. dot\r\n", "mid.dle\r\n.. dot\r\n.\r\n"},
}

func TestDotWriter(t *testing.T) {
	for _, tc := range dotCases {
		// Whole, and one octet at a time.
		for _, split := range []bool{false, true} {
			var out bytes.Buffer
			w := NewWriter(&out)
			dw := w.DotWriter()
			if split {
				for i := 0; i < len(tc.body); i++ {
					dw.Write([]byte{tc.body[i]})
				}
			} else {
				io.WriteString(dw, tc.body)
			}
			dw.Close()
			dw.Close() // idempotent
			w.Flush()
			if out.String() != tc.wire {
				t.Errorf("DotWriter(%q, split %v) = %q, want %q", tc.body, split, out.String(), tc.wire)
			}
			if _, err := dw.Write([]byte("x")); err == nil {
				t.Error("Write after Close succeeded")
			}
		}
	}
}

func TestDotReader(t *testing.T) {
	for _, tc := range dotCases {
		want := strings.ReplaceAll(strings.ReplaceAll(tc.body, "\r\n", "\n"), "\n", "\r\n")
		if want != "" && !strings.HasSuffix(want, "\r\n") {
			if strings.HasSuffix(want, "\r") {
				want += "\n"
			} else {
				want += "\r\n"
			}
		}
		for _, one := range []bool{false, true} {
			var src io.Reader = strings.NewReader(tc.wire + "+OK next\r\n")
			if one {
				src = iotest.OneByteReader(src)
			}
			r := NewReader(src)
			r.Mode = Strict
			got, err := io.ReadAll(iotest.OneByteReader(r.DotReader()))
			if err != nil || string(got) != want {
				t.Errorf("DotReader(%q, one %v) = %q, %v; want %q", tc.wire, one, got, err, want)
			}
			if resp, err := r.ReadResponse(); err != nil || resp.Text != "next" {
				t.Errorf("after body %q: %+v %v", tc.wire, resp, err)
			}
		}
	}
	// A body cut short.
	r := NewReader(strings.NewReader("line\r\n.."))
	if _, err := io.ReadAll(r.DotReader()); err != io.ErrUnexpectedEOF {
		t.Errorf("cut body: %v", err)
	}
	// Lenient: a terminator with a bare LF.
	r = NewReader(strings.NewReader("line\n.\n+OK\r\n"))
	if got, err := io.ReadAll(r.DotReader()); err != nil || string(got) != "line\n" {
		t.Errorf("lenient terminator: %q %v", got, err)
	}
	// A line far longer than the buffer streams through.
	long := strings.Repeat("z", 100000) + "\r\n"
	r = NewReader(strings.NewReader(long + ".\r\n"))
	if got, err := io.ReadAll(r.DotReader()); err != nil || string(got) != long {
		t.Errorf("long line: %d octets, %v", len(got), err)
	}
}

func TestDotReaderDoesNotBlockOnBufferedData(t *testing.T) {
	// The reader must hand over what it has rather than wait to see
	// whether the next line is the terminator.
	pr, pw := io.Pipe()
	r := NewReader(pr)
	d := r.DotReader()
	go pw.Write([]byte("first line\r\n"))
	buf := make([]byte, 100)
	n, err := d.Read(buf)
	if err != nil || string(buf[:n]) != "first line\r\n" {
		t.Fatalf("Read = %q, %v", buf[:n], err)
	}
	go pw.Write([]byte(".\r\n"))
	if n, err := d.Read(buf); n != 0 || err != io.EOF {
		t.Fatalf("terminator: %d %v", n, err)
	}
	pw.Close()
}

func TestSASLLines(t *testing.T) {
	// RFC 5034 §6's example exchange, server challenge side.
	var out bytes.Buffer
	w := NewWriter(&out)
	w.WriteChallenge(nil)
	w.WriteChallenge([]byte("challenge"))
	w.WriteAuthResponse([]byte("\x00tim\x00tanstaaftanstaaf"))
	w.WriteAuthCancel()
	w.Flush()
	want := "+ \r\n+ Y2hhbGxlbmdl\r\nAHRpbQB0YW5zdGFhZnRhbnN0YWFm\r\n*\r\n"
	if out.String() != want {
		t.Fatalf("SASL lines %q, want %q", out.String(), want)
	}
	r := NewReader(strings.NewReader(want + "+OK Maildrop locked and ready\r\n+\r\n+ !!!\r\n"))
	c, resp, err := r.ReadChallenge()
	if err != nil || resp != nil || len(c) != 0 {
		t.Fatalf("empty challenge: %q %v %v", c, resp, err)
	}
	if c, _, err = r.ReadChallenge(); err != nil || string(c) != "challenge" {
		t.Fatalf("challenge: %q %v", c, err)
	}
	if b, err := r.ReadAuthResponse(); err != nil || string(b) != "\x00tim\x00tanstaaftanstaaf" {
		t.Fatalf("response: %q %v", b, err)
	}
	if _, err := r.ReadAuthResponse(); err != ErrAuthCancelled {
		t.Fatalf("cancel: %v", err)
	}
	if _, resp, err = r.ReadChallenge(); err != nil || resp == nil || !resp.OK {
		t.Fatalf("final: %+v %v", resp, err)
	}
	if c, resp, err = r.ReadChallenge(); err != nil || resp != nil || len(c) != 0 {
		t.Fatalf("lenient bare +: %q %+v %v", c, resp, err)
	}
	if _, _, err = r.ReadChallenge(); !errors.Is(err, ErrSyntax) {
		t.Fatalf("bad Base64: %v", err)
	}

	if s := EncodeInitialResponse(nil); s != "=" {
		t.Errorf("empty initial response %q", s)
	}
	if b, err := DecodeInitialResponse("="); err != nil || b == nil || len(b) != 0 {
		t.Errorf("decode =: %q %v", b, err)
	}
	ir := EncodeInitialResponse([]byte("\x00tim\x00tanstaaf"))
	if b, err := DecodeInitialResponse(ir); err != nil || string(b) != "\x00tim\x00tanstaaf" {
		t.Errorf("round trip: %q %v", b, err)
	}
	for _, bad := range []string{"", "AHRpbQ", "AHRp bQ==", "****"} {
		if _, err := DecodeInitialResponse(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("DecodeInitialResponse(%q): %v", bad, err)
		}
	}
}

func TestReaderBufferedDiscard(t *testing.T) {
	r := NewReader(strings.NewReader("STLS\r\nUSER injected\r\n"))
	if c, err := r.ReadCommand(); err != nil || c.Name != CmdSTLS {
		t.Fatal(c, err)
	}
	if r.Buffered() == 0 {
		t.Fatal("nothing buffered")
	}
	if n := r.Discard(); n != len("USER injected\r\n") || r.Buffered() != 0 {
		t.Fatalf("Discard = %d", n)
	}
	r.Reset(strings.NewReader("CAPA\r\n"))
	if c, err := r.ReadCommand(); err != nil || c.Name != CmdCapa {
		t.Fatal(c, err)
	}
}

func TestWriterRefusesInjection(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	if err := w.WriteLine("a\r\nb"); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if err := w.WriteCommand(Command{Name: "USER", Args: []string{"x\r\nDELE 1"}}); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	if err := w.WriteResponse(Response{OK: true, Text: "x\n.\r\n"}); !errors.Is(err, ErrInvalid) {
		t.Error(err)
	}
	w.Flush()
	if out.Len() != 0 {
		t.Errorf("wrote %q", out.String())
	}
}

// In strict mode a terminator ended by a bare LF ends the body with an
// error, rather than being taken for a stuffed line (which would run the
// body on into the next response).
func TestStrictBareLFTerminator(t *testing.T) {
	in := "a\r\n.\n+OK next\r\n"
	r := NewReader(strings.NewReader(in))
	r.Mode = Strict
	got, err := io.ReadAll(r.DotReader())
	if string(got) != "a\r\n" || !errors.Is(err, ErrBareLFTerminator) || !errors.Is(err, io.EOF) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("strict body = %q, %v", got, err)
	}
	if resp, err := r.ReadResponse(); err != nil || resp.Text != "next" {
		t.Fatalf("after the body: %+v %v", resp, err)
	}

	r = NewReader(strings.NewReader("1 120\n.\n+OK next\r\n"))
	r.Mode = Strict
	if _, err := r.ReadDataLine(); !errors.Is(err, ErrSyntax) || errors.Is(err, io.EOF) {
		t.Fatalf("bare-LF listing line: %v", err)
	}
	if _, err := r.ReadDataLine(); !errors.Is(err, ErrBareLFTerminator) || !errors.Is(err, io.EOF) {
		t.Fatalf("bare-LF terminator: %v", err)
	}
	if resp, err := r.ReadResponse(); err != nil || resp.Text != "next" {
		t.Fatalf("after the listing: %+v %v", resp, err)
	}
	r = NewReader(strings.NewReader("1 120\n.\n"))
	if line, err := r.ReadDataLine(); err != nil || string(line) != "1 120" {
		t.Fatalf("lenient: %q %v", line, err)
	}
	if _, err := r.ReadDataLine(); err != io.EOF {
		t.Fatalf("lenient terminator: %v", err)
	}
}

// ReadChallenge tells invalid Base64 (cancel and go on) from a line that
// is neither a challenge nor a status (out of step).
func TestChallengeErrors(t *testing.T) {
	r := NewReader(strings.NewReader("+ !!!\r\n* OK what\r\n"))
	if _, _, err := r.ReadChallenge(); !errors.Is(err, ErrInvalidBase64) {
		t.Fatalf("bad Base64: %v", err)
	}
	if _, _, err := r.ReadChallenge(); !errors.Is(err, ErrSyntax) || errors.Is(err, ErrInvalidBase64) {
		t.Fatalf("garbage line: %v", err)
	}
}

func TestWriteCapability(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	if err := w.WriteCapability(Capability{Name: CapSASL, Params: []string{"PLAIN", "SCRAM-SHA-256"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteCapability(Capability{Name: "BAD NAME"}); !errors.Is(err, ErrInvalid) {
		t.Fatal(err)
	}
	w.Flush()
	if out.String() != "SASL PLAIN SCRAM-SHA-256\r\n" {
		t.Fatalf("%q", out.String())
	}
}
