package mime

import (
	"bytes"
	"io"
	"reflect"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

var parseSeeds = []string{
	rfc3501Sections,
	"Subject: x\r\n\r\nbody\r\n",
	"Subject: x\r\n",
	"",
	"\r\n",
	"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\nabc\r\n",
	"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/alternative; boundary=y\r\n\r\n--y\r\n\r\na\r\n--x--\r\n",
	"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nQUJD\r\nRA==\r\n",
	"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\na=\r\nb=4\r\nc  \r\n=",
	"Content-Type: multipart/digest; boundary=\"a\"\r\n\r\n--a\r\n\r\nSubject: d\r\n\r\n--a--",
	"Content-Type: application/x; a*0*=utf-8''%41; a*1=b; a*3=c; b*=x\r\n\r\n",
}

// FuzzParse parses arbitrary input and checks the structure's invariants:
// offsets nest, the binary form round-trips, every part's sections read
// exactly their announced sizes, and BINARY reads DecodedSize octets.
func FuzzParse(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data), &Options{MaxParts: 50, MaxDepth: 8})
		if err != nil {
			t.Fatal(err)
		}
		// With decoded sizes computed in the pass, the structure is the
		// same but for DecodedSize, and every size agrees with the one
		// BinarySize counts later.
		eager, err := Parse(iotest.OneByteReader(bytes.NewReader(data)), &Options{MaxParts: 50, MaxDepth: 8, DecodedSizes: true})
		if err != nil {
			t.Fatal(err)
		}
		compareLazy(t, &s.Root, &eager.Root, bytes.NewReader(data))
		if s.Size != int64(len(data)) {
			t.Fatalf("size %d, want %d", s.Size, len(data))
		}
		checkPart(t, &s.Root, 0, s.Size)

		var out bytes.Buffer
		e := wire.NewEncoder(&out, nil)
		bs := s.BodyStructure(true)
		if err := e.WriteResponse(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{Seq: 1, Items: []imap.FetchItem{
			{Kind: imap.FetchBodyStructure, Body: &bs},
		}}}); err != nil {
			t.Fatalf("BODYSTRUCTURE does not encode: %v", err)
		}

		b, _ := s.MarshalBinary()
		var back Structure
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*s, back) {
			t.Fatal("cache round trip differs")
		}

		src := bytes.NewReader(data)
		var walk func(path []uint32, depth int)
		walk = func(path []uint32, depth int) {
			if depth > 6 {
				return
			}
			p, err := s.Part(path)
			if err != nil {
				t.Fatalf("%v: %v", path, err)
			}
			for _, spec := range []imap.SectionSpec{imap.SpecNone, imap.SpecMIME, imap.SpecHeader, imap.SpecText, imap.SpecHeaderFields} {
				if spec == imap.SpecMIME && len(path) == 0 {
					continue
				}
				r, n, err := s.Section(src, imap.Section{Part: path, Spec: spec, Fields: []string{"Subject"}})
				if err != nil {
					continue // HEADER/TEXT of a non-message part
				}
				got, _ := io.ReadAll(r)
				if int64(len(got)) != n {
					t.Fatalf("%v %s: read %d, announced %d", path, spec, len(got), n)
				}
			}
			if len(path) > 0 {
				if r, n, err := s.Binary(src, path); err == nil {
					got, _ := io.ReadAll(r)
					if int64(len(got)) != n {
						t.Fatalf("BINARY[%v]: read %d, announced %d", path, len(got), n)
					}
				}
			}
			kids := 0
			switch {
			case p.IsMultipart():
				kids = len(p.Parts)
			case p.IsMessage() && len(p.Parts) == 1:
				c := &p.Parts[0]
				if c.IsMultipart() {
					kids = len(c.Parts)
				} else {
					kids = 1
				}
			}
			if len(path) == 0 && !p.IsMultipart() {
				kids = 1
			}
			for i := 1; i <= kids && i <= 4; i++ {
				walk(append(path[:len(path):len(path)], uint32(i)), depth+1)
			}
		}
		walk(nil, 0)
	})
}

func checkPart(t *testing.T, p *Part, lo, hi int64) {
	t.Helper()
	if p.Offset < lo || p.HeaderSize < 0 || p.BodySize < 0 || p.End() > hi {
		t.Fatalf("part %d+%d+%d outside %d..%d", p.Offset, p.HeaderSize, p.BodySize, lo, hi)
	}
	if p.BodyLines < 0 || p.BodyLines > p.BodySize+1 || p.DecodedSize < -1 {
		t.Fatalf("lines %d decoded %d for body %d", p.BodyLines, p.DecodedSize, p.BodySize)
	}
	last := p.BodyOffset()
	for i := range p.Parts {
		c := &p.Parts[i]
		if c.Offset < last {
			t.Fatalf("child %d at %d overlaps %d", i, c.Offset, last)
		}
		checkPart(t, c, p.BodyOffset(), p.End())
		last = c.End()
	}
}

// FuzzDecodeHeader checks that any header value decodes to valid UTF-8
// without a panic.
func FuzzDecodeHeader(f *testing.F) {
	for _, s := range []string{"=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=", "=?iso-8859-1?q?a_b=?=", "=?x?q?", "=??=", "caf\xe9 =?utf-8*en?Q?x?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := DecodeHeader(s)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8 out of %q: %q", s, out)
		}
	})
}

// compareLazy checks that a structure parsed without decoded sizes equals
// one parsed with them, once the sizes are counted.
func compareLazy(t *testing.T, lazy, eager *Part, src io.ReaderAt) {
	t.Helper()
	if lazy.DecodedSize < 0 {
		n, err := lazy.decodedSize(src)
		if err != nil {
			t.Fatal(err)
		}
		if n != eager.DecodedSize {
			t.Fatalf("decoded size %d counted later, %d in the pass", n, eager.DecodedSize)
		}
	} else if lazy.DecodedSize != eager.DecodedSize {
		t.Fatalf("decoded size %d, eager %d", lazy.DecodedSize, eager.DecodedSize)
	}
	a, b := *lazy, *eager
	a.DecodedSize, b.DecodedSize, a.Parts, b.Parts = 0, 0, nil, nil
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("structures differ:\n%+v\n%+v", a, b)
	}
	if len(lazy.Parts) != len(eager.Parts) {
		t.Fatalf("%d parts, eager %d", len(lazy.Parts), len(eager.Parts))
	}
	for i := range lazy.Parts {
		compareLazy(t, &lazy.Parts[i], &eager.Parts[i], src)
	}
}

// FuzzTransferDecode checks that the base64 and quoted-printable decoders
// give the same octets however the input is split, and that counting
// (what BINARY.SIZE uses) agrees with decoding.
func FuzzTransferDecode(f *testing.F) {
	for _, s := range []string{"aGVsbG8gd29ybGQ=\r\n", "caf=C3=A9 =\t\r\nsoft=\r\nbreak  \r\nend=3", "QU=JD\r\n===", "a=\r", "=4", "  \r\n\t"} {
		f.Add([]byte(s), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		if step == 0 {
			step = 1
		}
		for _, enc := range []string{"base64", "quoted-printable"} {
			var whole, split bufWriter
			var count counter
			d1, _ := newTransferDecoder(enc, &whole)
			d1.Write(data)
			d1.Close()
			d2, _ := newTransferDecoder(enc, &split)
			for i := 0; i < len(data); i += int(step) {
				d2.Write(data[i:min(i+int(step), len(data))])
			}
			d2.Close()
			if !bytes.Equal(whole.b, split.b) {
				t.Fatalf("%s: whole %q, split by %d %q", enc, whole.b, step, split.b)
			}
			d3, _ := newTransferDecoder(enc, &count)
			for i := 0; i < len(data); i += int(step) {
				d3.Write(data[i:min(i+int(step), len(data))])
			}
			d3.Close()
			if count.n != int64(len(whole.b)) {
				t.Fatalf("%s: counted %d, decoded %d", enc, count.n, len(whole.b))
			}
		}
	})
}
