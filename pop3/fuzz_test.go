package pop3

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
)

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"USER mrose", "PASS with spaces ", "APOP mrose c4c9334bac560ecc979e58001b3e22fb",
		"TOP 1 10", "  list\t 2 ", "AUTH PLAIN =", "STAT", "", "PASS", "X\x00Y", "UIDL 99999999999"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, mode := range []Mode{Lenient, Strict} {
			c, err := ParseCommand(line, mode)
			if err != nil {
				continue
			}
			b, err := c.AppendTo(nil)
			if err != nil {
				continue // parsed leniently, not encodable (e.g. a 5-letter keyword)
			}
			back, err := ParseCommand(b[:len(b)-2], Lenient)
			if err != nil || !reflect.DeepEqual(back, c) {
				t.Fatalf("mode %v: %q -> %+v -> %q -> %+v, %v", mode, line, c, b, back, err)
			}
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", "-ERR [IN-USE] busy",
		"-ERR [SYS/TEMP]", "+ok", "+OKx", "-ERR [unclosed", "-ERR [a]]", "+OK [", "* OK"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		for _, mode := range []Mode{Lenient, Strict} {
			r, err := ParseResponse(line, mode)
			if err != nil {
				continue
			}
			_ = r.Timestamp()
			b, err := r.AppendTo(nil)
			if err != nil {
				continue
			}
			back, err := ParseResponse(b[:len(b)-2], Lenient)
			// Text that itself starts with "[x]" reads back as a code.
			if err != nil || back.OK != r.OK || r.Code != "" && back != r {
				t.Fatalf("mode %v: %q -> %+v -> %q -> %+v, %v", mode, line, r, b, back, err)
			}
		}
	})
}

// FuzzDotStream: any body goes through DotWriter and comes back from
// DotReader with its lines ended by CRLF, and the stream after it intact.
func FuzzDotStream(f *testing.F) {
	for _, tc := range dotCases {
		f.Add([]byte(tc.body), uint8(3))
	}
	f.Add([]byte(".\r\n.\n.\r.."), uint8(1))
	f.Fuzz(func(t *testing.T, body []byte, chunk uint8) {
		var out bytes.Buffer
		w := NewWriter(&out)
		dw := w.DotWriter()
		n := int(chunk%16) + 1
		for rest := body; len(rest) > 0; {
			k := min(n, len(rest))
			if _, err := dw.Write(rest[:k]); err != nil {
				t.Fatal(err)
			}
			rest = rest[k:]
		}
		dw.Close()
		w.WriteResponse(Response{OK: true, Text: "after"})
		w.Flush()

		want := normalizeLines(body)
		for _, mode := range []Mode{Lenient, Strict} {
			r := NewReader(bytes.NewReader(out.Bytes()))
			r.Mode = mode
			got, err := io.ReadAll(r.DotReader())
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("mode %v: body %q -> wire %q -> %q, %v; want %q", mode, body, out.Bytes(), got, err, want)
			}
			if resp, err := r.ReadResponse(); err != nil || resp.Text != "after" {
				t.Fatalf("mode %v: after body %q: %+v %v", mode, body, resp, err)
			}
		}
	})
}

// normalizeLines is what DotWriter makes of a body: every LF preceded by
// CR, and a last line without a line end given CRLF.
func normalizeLines(b []byte) []byte {
	var out []byte
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			out = append(out, '\r')
		}
		out = append(out, c)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		if out[len(out)-1] == '\r' {
			out = append(out, '\n')
		} else {
			out = append(out, '\r', '\n')
		}
	}
	return out
}

// FuzzReader: a peer's arbitrary bytes through every read, in turn; none
// panics, and every call returns.
func FuzzReader(f *testing.F) {
	f.Add([]byte("+OK\r\n1 120\r\n.\r\n+ Y2hhbA==\r\n*\r\nAAA=\r\nline\r\n..x\r\n.\r\n"), uint8(8))
	f.Add([]byte("+ \r\n+\r\n+ !!\r\n-ERR [A/B] x\r\n"+strings.Repeat("x", 200)+"\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, maxLine uint8) {
		for _, mode := range []Mode{Lenient, Strict} {
			r := NewReader(bytes.NewReader(data))
			r.Mode = mode
			r.MaxLine = int(maxLine) + 1
			for i := 0; ; i++ {
				var err error
				switch i % 7 {
				case 0:
					_, err = r.ReadResponse()
				case 1:
					_, err = r.ReadCommand()
				case 2:
					var line []byte
					if line, err = r.ReadDataLine(); err == nil {
						ParseScanListing(line, mode)
						ParseUniqueID(line, mode)
						ParseCapability(line, mode)
						ParseDropListing(string(line), mode)
					}
				case 3:
					_, _, err = r.ReadChallenge()
				case 4:
					_, err = r.ReadAuthResponse()
				case 5:
					_, err = io.Copy(io.Discard, r.DotReader())
				case 6:
					_, err = r.ReadLine()
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					break
				}
				if i > len(data)+8 {
					t.Fatalf("more reads than octets: %d", i)
				}
			}
		}
	})
}
