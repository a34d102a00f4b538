package mimecorpus

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
)

// corpus returns Fixed() and the first n messages of a few seeds.
func corpus(n int) []Message {
	out := Fixed()
	for _, seed := range []int64{1, 2, 3} {
		out = append(out, Messages(seed, n)...)
	}
	return out
}

func TestMessagesDeterministic(t *testing.T) {
	a, b := Messages(7, 120), Messages(7, 120)
	for i := range a {
		if a[i].Name != b[i].Name || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Fatalf("message %d differs between two calls with the same seed", i)
		}
	}
	// Message i does not depend on n.
	p := Messages(7, 30)
	for i := range p {
		if p[i].Name != a[i].Name || !bytes.Equal(p[i].Data, a[i].Data) {
			t.Fatalf("Messages(7, 30)[%d] is not Messages(7, 120)[%d]", i, i)
		}
	}
	// Another seed gives other messages.
	c := Messages(8, 120)
	same := 0
	for i := range c {
		if bytes.Equal(a[i].Data, c[i].Data) {
			same++
		}
	}
	if same > 3 {
		t.Errorf("seeds 7 and 8 share %d of 120 messages", same)
	}
	if Messages(1, 0) != nil || Messages(1, -5) != nil {
		t.Error("Messages with n <= 0 is not nil")
	}
	f1, f2 := Fixed(), Fixed()
	f1[0].Data[0] = 'X'
	if f2[0].Data[0] == 'X' {
		t.Error("Fixed shares memory between calls")
	}
}

// TestGolden pins the generator's output: golden results computed from the
// corpus elsewhere (interop reports, fuzz seeds) rely on it. If a change
// to the generator is intended, update the hashes.
func TestGolden(t *testing.T) {
	sum := func(ms []Message) string {
		h := sha256.New()
		for _, m := range ms {
			fmt.Fprintf(h, "%s\x00%d\x00", m.Name, len(m.Data))
			h.Write(m.Data)
		}
		return hex.EncodeToString(h.Sum(nil))[:16]
	}
	const wantFixed, wantGen = "f6fa18d6fc68a664", "b0d9d06ea73899dc"
	gotFixed, gotGen := sum(Fixed()), sum(Messages(1, 200))
	t.Logf("Fixed: %s, Messages(1, 200): %s", gotFixed, gotGen)
	if gotFixed != wantFixed {
		t.Errorf("Fixed() changed: hash %s, want %s", gotFixed, wantFixed)
	}
	if gotGen != wantGen {
		t.Errorf("Messages(1, 200) changed: hash %s, want %s", gotGen, wantGen)
	}
}

func TestNamesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range corpus(150) {
		if m.Name == "" {
			t.Fatal("message without a name")
		}
		if seen[m.Name] {
			t.Errorf("duplicate name %q", m.Name)
		}
		seen[m.Name] = true
	}
}

// mayLackFinalCRLF reports whether a message's name says its last line
// deliberately has no line end.
func mayLackFinalCRLF(name string) bool {
	for _, s := range []string{"no-final-crlf", "nofinalcrlf", "no-crlf", "badbase64", "noclose"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// TestEndsSanely checks what every message must satisfy to be sent over
// IMAP or POP3: not empty, CRLF line ends only, no NUL, a sane size, and a
// final CRLF unless the message is meant to lack one.
func TestEndsSanely(t *testing.T) {
	large := 0
	for _, m := range corpus(150) {
		d := m.Data
		switch {
		case len(d) == 0:
			t.Errorf("%s: empty", m.Name)
			continue
		case len(d) > 256<<10:
			t.Errorf("%s: %d bytes, more than 256 KiB", m.Name, len(d))
		case bytes.IndexByte(d, 0) >= 0:
			t.Errorf("%s: holds a NUL byte", m.Name)
		}
		if len(d) >= 100<<10 {
			large++
		}
		for i, c := range d {
			if c == '\n' && (i == 0 || d[i-1] != '\r') {
				t.Errorf("%s: bare LF at offset %d", m.Name, i)
				break
			}
			if c == '\r' && (i+1 == len(d) || d[i+1] != '\n') {
				t.Errorf("%s: bare CR at offset %d", m.Name, i)
				break
			}
		}
		if !bytes.HasSuffix(d, []byte("\r\n")) && !mayLackFinalCRLF(m.Name) {
			t.Errorf("%s: does not end in CRLF: ...%q", m.Name, d[max(0, len(d)-20):])
		}
	}
	if large < 3 {
		t.Errorf("only %d messages of 100 KiB or more", large)
	}
}

// TestCoverage checks that the generator produces each kind of oddity and
// each root type within a modest number of messages.
func TestCoverage(t *testing.T) {
	var names strings.Builder
	for _, m := range Messages(1, 600) {
		names.WriteString(m.Name)
		names.WriteByte('\n')
	}
	all := names.String()
	for _, want := range []string{
		"+dupsubject", "+raw8bit", "+tabfold", "+lowernames", "+noblankline", "+nofinalcrlf",
		"+nomime", "+big", "+longline", "+badbase64", "+unknowncte", "+base64rfc822",
		"+noparts", "+preamble", "+noclose", "+epilogue", "+wrongboundary",
		"-multipart-mixed", "-multipart-alternative", "-multipart-related", "-multipart-digest",
		"-multipart-signed", "-multipart-report", "-text-plain", "-text-html", "-message-rfc822",
		"-none",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("no message named *%s* in Messages(1, 600)", want)
		}
	}
	var fixed strings.Builder
	for _, m := range Fixed() {
		fixed.Write(m.Data)
	}
	for _, want := range []string{
		"=?iso-2022-jp?B?", "=?koi8-r?Q?", "=?windows-1252?q?", "=?iso-8859-1?B?", "=?utf-8?Q?",
		"filename*0*=utf-8''", "name*=iso-8859-1'fr'", "Content-Language:", "Content-Location:",
		"Content-MD5:", "Content-ID:", "Content-Description:", "multipart/digest", "Undisclosed recipients:;",
		"<@route1.example,@route2.example:", "\"quoted local\"@", "Subject: first subject\r\nSubject: second",
		"\r\n\t", "(his host)",
	} {
		if !strings.Contains(fixed.String(), want) {
			t.Errorf("Fixed() has no %q", want)
		}
	}
}

// benign are the quirk tags whose messages the standard library's
// stricter parsers still read.
var benign = []string{"dupsubject", "tabfold", "lowernames", "nomime", "big",
	"badbase64", "unknowncte", "base64rfc822", "preamble", "epilogue", "raw8bit"}

// TestStdlibParses reads the generated messages without harmful quirks with
// net/mail and mime/multipart, walking every multipart to its end: the
// generator's multipart structure is what it claims to be.
func TestStdlibParses(t *testing.T) {
	checked := 0
	for _, m := range Messages(1, 300) {
		tags := strings.Split(m.Name, "+")[1:]
		ok := true
		for _, tag := range tags {
			if !contains(benign, tag) {
				ok = false
			}
		}
		if !ok {
			continue
		}
		checked++
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Errorf("%s: net/mail: %v", m.Name, err)
			continue
		}
		if err := walk(textproto.MIMEHeader(msg.Header), msg.Body, 0); err != nil {
			t.Errorf("%s: %v", m.Name, err)
		}
	}
	if checked < 100 {
		t.Errorf("only %d messages checked", checked)
	}
}

// walk reads an entity's body, descending into multiparts and
// message/rfc822 parts.
func walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	ct := h.Get("Content-Type")
	if ct == "" {
		_, err := io.Copy(io.Discard, body)
		return err
	}
	typ, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return fmt.Errorf("depth %d: Content-Type %q: %v", depth, ct, err)
	}
	switch {
	case strings.HasPrefix(typ, "multipart/"):
		mr := multipart.NewReader(body, params["boundary"])
		n := 0
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("depth %d: part %d of %s: %v", depth, n+1, typ, err)
			}
			ph := p.Header
			if typ == "multipart/digest" && ph.Get("Content-Type") == "" {
				ph = textproto.MIMEHeader{"Content-Type": {"message/rfc822"},
					"Content-Transfer-Encoding": ph["Content-Transfer-Encoding"]}
			}
			if err := walk(ph, p, depth+1); err != nil {
				return err
			}
			n++
		}
	case typ == "message/rfc822" && !strings.EqualFold(h.Get("Content-Transfer-Encoding"), "base64"):
		inner, err := textproto.NewReader(bufio.NewReader(body)).ReadMIMEHeader()
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("depth %d: embedded message header: %v", depth, err)
		}
		return walk(inner, body, depth+1)
	default:
		_, err := io.Copy(io.Discard, body)
		return err
	}
	return nil
}

func TestHelpers(t *testing.T) {
	if got := encodedWord("iso-8859-1", 'Q', "Café crème"); got != "=?iso-8859-1?Q?Caf=E9_cr=E8me?=" {
		t.Errorf("encodedWord Q = %q", got)
	}
	if got := encodedWord("utf-8", 'B', "Ü"); got != "=?utf-8?B?w5w=?=" {
		t.Errorf("encodedWord B = %q", got)
	}
	if got := encodedWord("iso-2022-jp", 'B', "日本語"); got != "=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=" {
		t.Errorf("encodedWord iso-2022-jp = %q", got)
	}
	if got := string(qpBody([]byte("a=b \r\nc\xe9"))); got != "a=3Db=20\r\nc=E9" {
		t.Errorf("qpBody = %q", got)
	}
	long := string(qpBody([]byte(strings.Repeat("x", 200))))
	for _, l := range strings.Split(long, "\r\n") {
		if len(l) > 76 {
			t.Errorf("qp line of %d characters", len(l))
		}
	}
	if got := pctEncode([]byte("a b*€")); got != "a%20b%2A%E2%82%AC" {
		t.Errorf("pctEncode = %q", got)
	}
}
