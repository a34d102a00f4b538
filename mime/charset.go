package mime

import (
	"errors"
	"fmt"
	"io"
	"mime"
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
// value into UTF-8. Words in a charset it does not know are left as sent
// and the error returned matches ErrUnknownCharset; malformed words are
// left as sent without an error, as RFC 2047 §6.3 allows. Header bytes that
// are not valid UTF-8 (raw 8-bit headers) are taken as ISO-8859-1, the most
// common legacy charset, so that the result is always valid UTF-8.
func DecodeHeader(s string) (string, error) {
	var firstErr error
	if strings.Contains(s, "=?") {
		dec := mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
			r, err := CharsetReader(charset, input)
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return nil, err
			}
			return r, nil
		}}
		if out, err := dec.DecodeHeader(s); err == nil {
			s = out
		}
	}
	if !utf8.ValidString(s) {
		b := make([]rune, 0, len(s))
		for i := 0; i < len(s); {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				r = rune(s[i])
			}
			b = append(b, r)
			i += n
		}
		s = string(b)
	}
	return s, firstErr
}
