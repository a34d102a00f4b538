package mime

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// This file parses the structured MIME fields BODYSTRUCTURE reports:
// Content-Type (RFC 2045 §5.1), Content-Disposition (RFC 2183),
// Content-Language (RFC 3282) and parameter lists with RFC 2231
// continuations. The parsers are lenient in the way deployed servers are:
// comments are skipped, a parameter without "=" or a value that is neither
// a token nor a quoted string is dropped, and parsing goes on with the next
// parameter.

// lexer walks a structured header value.
type lexer struct {
	s string
	i int
}

// skipCFWS skips white space and (nested) comments (RFC 5322 §3.2.2).
func (l *lexer) skipCFWS() {
	for l.i < len(l.s) {
		switch c := l.s[l.i]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			l.i++
		case c == '(':
			depth := 0
			for l.i < len(l.s) {
				c := l.s[l.i]
				l.i++
				if c == '\\' {
					l.i++
				} else if c == '(' {
					depth++
				} else if c == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
		default:
			return
		}
	}
}

// isTSpecial reports the RFC 2045 §5.1 tspecials.
func isTSpecial(c byte) bool {
	return strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0
}

// token reads an RFC 2045 token (anything but CTLs, space and tspecials).
func (l *lexer) token() string {
	start := l.i
	for l.i < len(l.s) {
		c := l.s[l.i]
		if c <= ' ' || c == 0x7f || isTSpecial(c) {
			break
		}
		l.i++
	}
	return l.s[start:l.i]
}

// quoted reads a quoted-string after its opening quote, removing the
// quoting. ok is false when the string is not terminated.
func (l *lexer) quoted() (s string, ok bool) {
	var b strings.Builder
	for l.i < len(l.s) {
		c := l.s[l.i]
		l.i++
		switch c {
		case '"':
			return b.String(), true
		case '\\':
			if l.i < len(l.s) {
				b.WriteByte(l.s[l.i])
				l.i++
			}
		case '\r', '\n':
			// folding inside a quoted string: unfold
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), false
}

// value reads a parameter value: a quoted string or a token (RFC 2045
// §5.1); an empty value is kept as "". ok is false for an unterminated
// quoted string; Dovecot then drops the parameter and so do we.
func (l *lexer) value() (string, bool) {
	l.skipCFWS()
	if l.i < len(l.s) && l.s[l.i] == '"' {
		l.i++
		return l.quoted()
	}
	return l.token(), true
}

// parseParams parses ";" attribute "=" value ... into a list, merging
// RFC 2231 continuations (§3) in their numbered order. A parameter whose
// value carries a charset (name*=, or name*0*=) is returned as "name*" with
// the value "charset'language'%XX..." left encoded, as Dovecot does;
// DecodeParam decodes it.
func parseParams(l *lexer) []imap.Param {
	var params []imap.Param
	type cont struct {
		n        int
		extended bool
		value    string
	}
	var conts map[string][]cont // lower-cased base name -> sections
	var contOrder []string
	var contNames map[string]string
	for {
		l.skipCFWS()
		if l.i >= len(l.s) {
			break
		}
		if l.s[l.i] != ';' {
			// Garbage between parameters: skip to the next ';'.
			for l.i < len(l.s) && l.s[l.i] != ';' {
				l.i++
			}
			continue
		}
		l.i++
		l.skipCFWS()
		name := l.token()
		l.skipCFWS()
		if name == "" || l.i >= len(l.s) || l.s[l.i] != '=' {
			continue
		}
		l.i++
		val, ok := l.value()
		if !ok {
			continue
		}
		// RFC 2231: name*  |  name*N  |  name*N*
		if star := strings.IndexByte(name, '*'); star > 0 {
			base, suffix := name[:star], name[star+1:]
			extended := strings.HasSuffix(suffix, "*") || suffix == ""
			num := strings.TrimSuffix(suffix, "*")
			n := 0
			okNum := true
			if num == "" {
				n = 0
			} else {
				for _, c := range []byte(num) {
					if c < '0' || c > '9' || n > 1000 {
						okNum = false
						break
					}
					n = n*10 + int(c-'0')
				}
			}
			if okNum && (num != "" || suffix == "") {
				key := strings.ToLower(base)
				if conts == nil {
					conts = make(map[string][]cont)
					contNames = make(map[string]string)
				}
				if _, seen := conts[key]; !seen {
					contOrder = append(contOrder, key)
					contNames[key] = base
				}
				conts[key] = append(conts[key], cont{n, extended, val})
				continue
			}
		}
		params = append(params, imap.Param{Key: name, Value: val})
	}
	if conts == nil {
		return params
	}
	// Merged RFC 2231 parameters follow the plain ones, in the order of
	// their first section, as in Dovecot.
	for _, key := range contOrder {
		cs := conts[key]
		// Sections in numeric order; a missing section ends the value
		// (RFC 2231 §3 leaves it undefined; taking what is contiguous is
		// the safe reading).
		var b strings.Builder
		extended := false
		for n := 0; ; n++ {
			found := false
			for _, c := range cs {
				if c.n == n {
					if n == 0 {
						extended = c.extended
					}
					if extended && !c.extended {
						// A plain section in an extended value is taken
						// literally: percent-encode its '%'.
						b.WriteString(strings.ReplaceAll(c.value, "%", "%25"))
					} else {
						b.WriteString(c.value)
					}
					found = true
					break
				}
			}
			if !found {
				break
			}
		}
		name := contNames[key]
		if extended {
			name += "*"
		}
		params = append(params, imap.Param{Key: name, Value: b.String()})
	}
	return params
}

// DecodeParam returns the value of the parameter named key (without any
// RFC 2231 '*') in params, decoded: an RFC 2231 extended value
// ("charset'lang'%XX") is percent-decoded and converted to UTF-8, and an
// RFC 2047 encoded-word value (a common violation) is decoded too.
func DecodeParam(params []imap.Param, key string) (string, bool) {
	for _, p := range params {
		k := p.Key
		if strings.HasSuffix(k, "*") && strings.EqualFold(k[:len(k)-1], key) {
			parts := strings.SplitN(p.Value, "'", 3)
			if len(parts) != 3 {
				return percentDecode(p.Value), true
			}
			s, _ := DecodeCharset(parts[0], []byte(percentDecode(parts[2])))
			return s, true
		}
		if strings.EqualFold(k, key) {
			s, _ := DecodeHeader(p.Value)
			return s, true
		}
	}
	return "", false
}

func percentDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// parseContentType parses a Content-Type value. ok is false when the value
// has no type/subtype, in which case RFC 2045 §5.2 says to use the default.
func parseContentType(v string) (typ, sub string, params []imap.Param, ok bool) {
	l := &lexer{s: v}
	l.skipCFWS()
	typ = l.token()
	l.skipCFWS()
	if typ == "" || l.i >= len(l.s) || l.s[l.i] != '/' {
		return "", "", nil, false
	}
	l.i++
	l.skipCFWS()
	sub = l.token()
	if sub == "" {
		return "", "", nil, false
	}
	return typ, sub, parseParams(l), true
}

// parseDisposition parses a Content-Disposition value (RFC 2183 §2).
func parseDisposition(v string) *imap.Disposition {
	l := &lexer{s: v}
	l.skipCFWS()
	typ := l.token()
	params := parseParams(l)
	if typ == "" && len(params) == 0 {
		return nil
	}
	// A disposition with parameters but no type is kept with an empty
	// type, as Dovecot does.
	return &imap.Disposition{Type: typ, Params: params}
}

// parseLanguage parses a Content-Language value (RFC 3282 §2): a
// comma-separated list of language tags.
func parseLanguage(v string) []string {
	l := &lexer{s: v}
	var langs []string
	for {
		l.skipCFWS()
		if l.i >= len(l.s) {
			break
		}
		if l.s[l.i] == ',' {
			l.i++
			continue
		}
		start := l.i
		for l.i < len(l.s) {
			c := l.s[l.i]
			if c == ',' || c == ' ' || c == '\t' || c == '(' || c == '\r' || c == '\n' {
				break
			}
			l.i++
		}
		if l.i > start {
			langs = append(langs, l.s[start:l.i])
		} else {
			l.i++
		}
	}
	return langs
}
