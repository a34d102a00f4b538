package mimecorpus

import (
	"encoding/base64"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// sample is a short text and the charsets it can be written in.
type sample struct {
	text     string
	charsets []string
}

// samples are texts for encoded-words, names and bodies. Each lists only
// charsets that can represent it, so that conversion never fails.
var samples = []sample{
	{"Hello world", []string{"us-ascii", "utf-8", "iso-8859-1", "windows-1252", "koi8-r", "iso-2022-jp"}},
	{"Grüße aus Köln, ça va?", []string{"utf-8", "iso-8859-1", "windows-1252"}},
	{"Café crème à la carte", []string{"utf-8", "iso-8859-1", "windows-1252"}},
	{"“Smart quotes” – 5 €", []string{"utf-8", "windows-1252"}},
	{"Привет, мир", []string{"utf-8", "koi8-r"}},
	{"Отчёт за квартал", []string{"utf-8", "koi8-r"}},
	{"日本語のテスト", []string{"utf-8", "iso-2022-jp"}},
	{"会議の議事録について", []string{"utf-8", "iso-2022-jp"}},
	{"Ünïcødé ✓ 漢字 😀", []string{"utf-8"}},
	{"Re: [list] a_b=c?d", []string{"us-ascii", "utf-8", "iso-8859-1"}},
}

// charsetEncoding returns the x/text encoding for one of the charsets of
// samples, or nil for UTF-8 and US-ASCII (no conversion).
func charsetEncoding(cs string) encoding.Encoding {
	switch cs {
	case "iso-8859-1":
		return charmap.ISO8859_1
	case "windows-1252":
		return charmap.Windows1252
	case "koi8-r":
		return charmap.KOI8R
	case "iso-2022-jp":
		return japanese.ISO2022JP
	}
	return nil
}

// inCharset converts UTF-8 text to charset cs. The samples table guarantees
// that the text is representable; should it not be, the UTF-8 bytes are
// returned unchanged (a corpus may well hold mislabelled text).
func inCharset(cs, s string) []byte {
	enc := charsetEncoding(cs)
	if enc == nil {
		return []byte(s)
	}
	b, err := enc.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return []byte(s)
	}
	return b
}

// encodedWord returns one RFC 2047 encoded-word holding s (UTF-8) converted
// to charset cs, with encoding 'B' or 'Q' (RFC 2047 §4). The caller keeps s
// short; no 75-character limit is enforced, since over-long words occur in
// the wild too.
func encodedWord(cs string, enc byte, s string) string {
	raw := inCharset(cs, s)
	var b strings.Builder
	b.WriteString("=?")
	b.WriteString(cs)
	b.WriteByte('?')
	b.WriteByte(enc)
	b.WriteByte('?')
	if enc == 'B' || enc == 'b' {
		b.WriteString(base64.StdEncoding.EncodeToString(raw))
	} else {
		// RFC 2047 §4.2 and §5(3): the most restrictive set, letters,
		// digits and "!*+-/" literally, SPACE as "_", the rest as =XX.
		for _, c := range raw {
			switch {
			case c == ' ':
				b.WriteByte('_')
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
				c == '!', c == '*', c == '+', c == '-', c == '/':
				b.WriteByte(c)
			default:
				b.WriteByte('=')
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&15])
			}
		}
	}
	b.WriteString("?=")
	return b.String()
}

const hexDigits = "0123456789ABCDEF"

// encodedWords encodes s as a sequence of encoded-words of at most n runes
// each, separated by folding white space (CRLF SP), as long subjects are.
func encodedWords(cs string, enc byte, s string, n int) string {
	rs := []rune(s)
	var words []string
	for len(rs) > 0 {
		k := min(n, len(rs))
		words = append(words, encodedWord(cs, enc, string(rs[:k])))
		rs = rs[k:]
	}
	return strings.Join(words, "\r\n ")
}

// base64Body returns b in base64 with lines of 76 characters, each ending
// in CRLF (RFC 2045 §6.8).
func base64Body(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	out := make([]byte, 0, len(enc)+len(enc)/76*2+2)
	for len(enc) > 76 {
		out = append(out, enc[:76]...)
		out = append(out, "\r\n"...)
		enc = enc[76:]
	}
	if enc != "" {
		out = append(out, enc...)
		out = append(out, "\r\n"...)
	}
	return out
}

// qpBody returns text (whose lines end in CRLF or LF) in quoted-printable
// (RFC 2045 §6.7): 8-bit bytes and "=" as =XX, white space at a line end
// encoded, soft line breaks to keep lines at 76 characters.
func qpBody(text []byte) []byte {
	var out []byte
	lines := strings.Split(strings.ReplaceAll(string(text), "\r\n", "\n"), "\n")
	for li, line := range lines {
		col := 0
		for i := 0; i < len(line); i++ {
			c := line[i]
			var tok string
			switch {
			case c == '=' || c >= 0x7f || (c < ' ' && c != '\t'):
				tok = string([]byte{'=', hexDigits[c>>4], hexDigits[c&15]})
			case (c == ' ' || c == '\t') && i == len(line)-1:
				tok = string([]byte{'=', hexDigits[c>>4], hexDigits[c&15]})
			default:
				tok = string(c)
			}
			if col+len(tok) > 75 {
				out = append(out, "=\r\n"...)
				col = 0
			}
			out = append(out, tok...)
			col += len(tok)
		}
		if li < len(lines)-1 {
			out = append(out, "\r\n"...)
		}
	}
	return out
}

// crlf converts LF line ends to CRLF; existing CRLF pairs are kept.
func crlf(s string) []byte {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
}
