package mime

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// ErrUnknownCharset is the error (tested with errors.Is) for text in a
// charset that golang.org/x/text does not know. The text it concerns is
// kept undecoded.
var ErrUnknownCharset = errors.New("mime: unknown charset")

// CharsetError reports an unknown charset by name.
type CharsetError struct {
	Charset string
}

func (e *CharsetError) Error() string { return fmt.Sprintf("mime: unknown charset %q", e.Charset) }

// Is makes errors.Is(err, ErrUnknownCharset) true.
func (e *CharsetError) Is(target error) bool { return target == ErrUnknownCharset }

// Encoding returns the encoding for a MIME charset name (RFC 2978), by the
// IANA registry and then by the WHATWG names golang.org/x/text knows. UTF-8
// and US-ASCII give (nil, nil): their text needs no conversion.
func Encoding(charset string) (encoding.Encoding, error) {
	cs := strings.ToLower(strings.TrimSpace(charset))
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "x-unknown", "unknown-8bit":
		return nil, nil
	case "ansi_x3.110-1983", "latin1", "iso-8859-1", "iso_8859-1":
		return charmap.ISO8859_1, nil
	case "x-utf_8j":
		return unicode.UTF8, nil
	}
	if enc, err := ianaindex.MIME.Encoding(cs); err == nil && enc != nil {
		return enc, nil
	}
	if enc, err := ianaindex.MIME.Encoding("cs" + cs); err == nil && enc != nil {
		return enc, nil
	}
	if enc, err := htmlindex.Get(cs); err == nil && enc != nil {
		return enc, nil
	}
	return nil, &CharsetError{Charset: charset}
}

// CharsetReader returns a reader that converts r from charset to UTF-8.
// For an unknown charset it returns r unchanged together with an error
// matching ErrUnknownCharset, so that the caller may still use the bytes.
func CharsetReader(charset string, r io.Reader) (io.Reader, error) {
	enc, err := Encoding(charset)
	if err != nil {
		return r, err
	}
	if enc == nil {
		return r, nil
	}
	return enc.NewDecoder().Reader(r), nil
}

// DecodeCharset converts b from charset to UTF-8. For an unknown charset
// it returns b as a string together with an error matching
// ErrUnknownCharset.
func DecodeCharset(charset string, b []byte) (string, error) {
	enc, err := Encoding(charset)
	if err != nil {
		return string(b), err
	}
	if enc == nil {
		return string(b), nil
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return string(b), err
	}
	return string(out), nil
}

// DecodeHeader decodes the RFC 2047 encoded-words in an unfolded header
// value into UTF-8. It is lenient where deployed mail needs it:
//   - white space between adjacent encoded-words is dropped (§6.2), and
//     the octets of adjacent words in one charset are joined before
//     conversion, so a character split across two words survives;
//   - a word inside a longer token or quoted string is decoded too;
//   - "charset*language" (RFC 2231 §5) is accepted;
//   - malformed words are left as sent (§6.3).
//
// Words in a charset it does not know are left as sent and the error
// returned matches ErrUnknownCharset; the rest is still decoded. Octets
// outside encoded-words that are not valid UTF-8 (raw 8-bit headers) are
// taken as ISO-8859-1, so the result is always valid UTF-8.
func DecodeHeader(s string) (string, error) {
	if !strings.Contains(s, "=?") {
		return latin1IfInvalid(s), nil
	}
	var (
		out      strings.Builder
		firstErr error
		pend     []byte // decoded octets of adjacent words in pendCS
		pendCS   string
		pendRaw  string // those words as sent, for an unknown charset
	)
	flush := func() {
		if pendCS == "" {
			return
		}
		text, err := DecodeCharset(pendCS, pend)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			text = pendRaw
		}
		out.WriteString(latin1IfInvalid(text))
		pend, pendCS, pendRaw = pend[:0], "", ""
	}
	i := 0
	for i < len(s) {
		j := strings.Index(s[i:], "=?")
		if j < 0 {
			break
		}
		j += i
		cs, octets, n, ok := encodedWord(s[j:])
		if !ok {
			flush()
			out.WriteString(latin1IfInvalid(s[i : j+2]))
			i = j + 2
			continue
		}
		between := s[i:j]
		if pendCS != "" && strings.Trim(between, " \t") == "" {
			// Adjacent words: the white space between them goes.
			if !strings.EqualFold(cs, pendCS) {
				flush()
			}
		} else {
			flush()
			out.WriteString(latin1IfInvalid(between))
		}
		pend = append(pend, octets...)
		pendCS = cs
		pendRaw += s[j : j+n]
		i = j + n
	}
	flush()
	out.WriteString(latin1IfInvalid(s[i:]))
	return out.String(), firstErr
}

// encodedWord decodes the encoded-word at the start of s
// ("=?charset?B?...?=" or Q). It returns the charset, the decoded octets
// and the word's length.
func encodedWord(s string) (charset string, octets []byte, n int, ok bool) {
	// =?charset?enc?text?=
	q1 := strings.IndexByte(s[2:], '?')
	if q1 <= 0 {
		return "", nil, 0, false
	}
	q1 += 2
	if q1+2 >= len(s) || s[q1+2] != '?' {
		return "", nil, 0, false
	}
	enc := s[q1+1]
	end := strings.Index(s[q1+3:], "?=")
	if end < 0 {
		return "", nil, 0, false
	}
	text := s[q1+3 : q1+3+end]
	n = q1 + 3 + end + 2
	charset = s[2:q1]
	if k := strings.IndexByte(charset, '*'); k >= 0 {
		charset = charset[:k] // RFC 2231 §5 language
	}
	if charset == "" || strings.ContainsAny(text, " \t") {
		return "", nil, 0, false
	}
	switch enc {
	case 'B', 'b':
		var d base64Decoder
		var w bufWriter
		d.out = &w
		d.Write([]byte(text))
		d.Close()
		octets = w.b
	case 'Q', 'q':
		octets = make([]byte, 0, len(text))
		for k := 0; k < len(text); k++ {
			c := text[k]
			switch {
			case c == '_':
				octets = append(octets, ' ')
			case c == '=' && k+2 < len(text) && isHex(text[k+1]) && isHex(text[k+2]):
				octets = append(octets, unhex(text[k+1])<<4|unhex(text[k+2]))
				k += 2
			default:
				octets = append(octets, c)
			}
		}
	default:
		return "", nil, 0, false
	}
	return charset, octets, n, true
}

// latin1IfInvalid returns s if it is valid UTF-8, else s with every octet
// that is not part of a valid sequence taken as ISO-8859-1.
func latin1IfInvalid(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			r = rune(s[i])
		}
		b = append(b, r)
		i += n
	}
	return string(b)
}
