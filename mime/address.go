package mime

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// This file parses RFC 5322 address lists (§3.4 with the obsolete forms of
// §4.4) the way Dovecot 2.3 (src/lib-mail/message-address.c and
// rfc822-parser.c) does for FETCH ENVELOPE, so that our answers match the
// deployed server's, broken input included. The methods of addrParser
// follow that parser step by step (our own code, checked against Dovecot
// 2.3.19's answers for some 80,000 generated headers).

// Placeholders for missing parts, as Dovecot writes them.
const (
	missingMailbox = "MISSING_MAILBOX"
	missingDomain  = "MISSING_DOMAIN"
	syntaxError    = "SYNTAX_ERROR"
	invalidRoute   = "INVALID_ROUTE"
)

// nulReplacement replaces a NUL byte inside quoted strings, comments and
// domain literals (U+FFFD in UTF-8).
const nulReplacement = "\uFFFD"

// ParseAddressList parses an address-list header value (From, To, Cc, ...;
// RFC 5322 §3.4, §4.4) into IMAP address structures (RFC 3501 §7.4.2),
// reading it as Dovecot 2.3 does:
//
//   - a mailbox becomes one Address. Its display name is the phrase of a
//     name-addr, or else the last comment after an addr-spec (the legacy
//     "user@host (Name)" form); runs of white space in it become one
//     space, and encoded-words are left as sent;
//   - an obs-route ("<@a,@b:user@host>") is kept in ADL as "@a,@b";
//   - a quoted local part is unquoted and its quoted-pairs resolved
//     (Mailbox of `"a b"@x` is "a b"); a domain literal is kept as sent,
//     brackets and backslashes included; CFWS around dots is dropped;
//     local parts with stray dots (".a", "a..b", "a.") are accepted;
//   - a group "name: members;" becomes a start marker (Mailbox = the
//     group name, Host NIL), its members, and an end marker (all NIL);
//     a missing ";" is supplied; groups do not nest;
//   - 8-bit bytes are atom text and pass through unchanged; a NUL in a
//     quoted string, comment or domain literal becomes U+FFFD.
//
// Malformed input never fails; what cannot be read is filled in with
// Dovecot's placeholders: a local part "MISSING_MAILBOX" or a domain
// "MISSING_DOMAIN" where one is missing (an empty list member, ",,", gives
// both), the domain "SYNTAX_ERROR" for an angle-addr that does not close,
// the route "INVALID_ROUTE" for an obs-route without its ":". A lone word
// is a local part without domain; several words are a display name
// without address. Parsing stops where no further address can begin
// (text after an address that is not ","); what was read is kept.
//
// v may hold line breaks (folding); they count as white space, and are
// removed inside quoted strings and comments. A value without any address
// (empty, white space or comments only) gives nil.
func ParseAddressList(v string) []imap.Address {
	return parseAddressList(v, nil)
}

// addrNStr is a string that may be absent (a C NULL in Dovecot's parser).
type addrNStr struct {
	s  string
	ok bool
}

// addrSome returns s, present.
func addrSome(s string) addrNStr { return addrNStr{s: s, ok: true} }

// rawAddr is the address being parsed, before conversion to imap.Address:
// a group start has only mailbox set, a group end nothing.
type rawAddr struct {
	name, route, mailbox, domain addrNStr
	invalid                      bool
}

// toIMAP converts a parsed address to its ENVELOPE form. The display name is
// cleaned for humans as Dovecot writes it (imap_append_string_for_humans);
// the other parts are sent as they are.
func (a *rawAddr) toIMAP() imap.Address {
	var r imap.Address
	if a.name.ok {
		r.Name = imap.NString{S: envForHumans(a.name.s), Valid: true}
	}
	r.ADL = imap.NString{S: a.route.s, Valid: a.route.ok}
	r.Mailbox = imap.NString{S: a.mailbox.s, Valid: a.mailbox.ok}
	r.Host = imap.NString{S: a.domain.s, Valid: a.domain.ok}
	return r
}

// addrParser holds the state of one address-list parse. The methods follow
// Dovecot's rfc822-parser/message-address functions closely, including
// their return convention, so that malformed input is read the same way:
// 1 means "parsed, more input follows", 0 "parsed, input ended" and -1
// "syntax error".
type addrParser struct {
	s string
	p int

	// comment holds the text of the last comment skipped (RFC 5322
	// §3.2.2); an addr-spec without a display name takes it as its name.
	comment []byte
	// buf accumulates the token being parsed.
	buf []byte

	cur rawAddr
	out []imap.Address
}

// parseAddressList parses v and appends the addresses to out.
func parseAddressList(v string, out []imap.Address) []imap.Address {
	p := addrParser{s: v, out: out}
	if p.skipCFWS() <= 0 {
		return p.out // no addresses
	}
	p.addressList()
	return p.out
}

// addrAtext reports whether c may appear in an atom (RFC 5322 §3.2.3).
// Bytes of 128 and above count as atext, so UTF-8 (RFC 6532) and stray
// 8-bit text are words like any other.
func addrAtext(c byte) bool {
	switch {
	case c >= 0x80, 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	case c <= ' ' || c == 0x7f:
		return false
	}
	return strings.IndexByte(`()<>[]:;@\,."`, c) < 0
}

// end reports whether the input is used up.
func (p *addrParser) end() bool { return p.p >= len(p.s) }

// at reports whether the next byte is c (false at the end of input).
func (p *addrParser) at(c byte) bool { return p.p < len(p.s) && p.s[p.p] == c }

// more returns 1 if input remains, else 0.
func (p *addrParser) more() int {
	if p.p < len(p.s) {
		return 1
	}
	return 0
}

// addrCString returns b as Dovecot's C strings hold it: up to the first NUL.
func addrCString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// skipComment skips a comment (RFC 5322 §3.2.2), nested comments included,
// and records its text (quoted-pairs resolved, line breaks removed) as the
// last comment. It returns -1 if the comment is not closed.
func (p *addrParser) skipComment() int {
	p.comment = p.comment[:0]
	level := 1
	p.p++
	start := p.p
	for ; p.p < len(p.s); p.p++ {
		switch p.s[p.p] {
		case 0:
			p.comment = append(p.comment, p.s[start:p.p]...)
			p.comment = append(p.comment, nulReplacement...)
			start = p.p + 1
		case '(':
			level++
		case ')':
			level--
			if level == 0 {
				p.comment = append(p.comment, p.s[start:p.p]...)
				p.p++
				return p.more()
			}
		case '\n':
			n := p.p
			if n > start && p.s[n-1] == '\r' {
				n--
			}
			p.comment = append(p.comment, p.s[start:n]...)
			start = p.p + 1
		case '\\':
			p.p++
			if p.p >= len(p.s) {
				return -1
			}
			if c := p.s[p.p]; c == '\r' || c == '\n' || c == 0 {
				// Not a quoted-pair: the backslash stays.
				p.p--
				break
			}
			p.comment = append(p.comment, p.s[start:p.p-1]...)
			start = p.p
		}
	}
	return -1 // missing ')'
}

// skipCFWS skips white space (line breaks included) and comments: 1 if
// input remains, 0 at its end, -1 for an unclosed comment.
func (p *addrParser) skipCFWS() int {
	for p.p < len(p.s) {
		switch p.s[p.p] {
		case ' ', '\t', '\r', '\n':
			p.p++
			continue
		case '(':
			if p.skipComment() < 0 {
				return -1
			}
			continue
		}
		break
	}
	return p.more()
}

// atom appends an atom (RFC 5322 §3.2.3) to buf.
func (p *addrParser) atom() int {
	if p.end() || !addrAtext(p.s[p.p]) {
		return -1
	}
	start := p.p
	for p.p++; p.p < len(p.s); p.p++ {
		if !addrAtext(p.s[p.p]) {
			p.buf = append(p.buf, p.s[start:p.p]...)
			return p.skipCFWS()
		}
	}
	p.buf = append(p.buf, p.s[start:]...)
	return 0
}

// dotAtom appends a dot-atom to buf, allowing CFWS around the dots as the
// obsolete syntax does (RFC 5322 §4.4 obs-domain). A dot must be followed
// by an atom.
func (p *addrParser) dotAtom() int {
	if p.end() || !addrAtext(p.s[p.p]) {
		return -1
	}
	start := p.p
	for p.p++; p.p < len(p.s); {
		if addrAtext(p.s[p.p]) {
			p.p++
			continue
		}
		if start == p.p {
			return -1
		}
		p.buf = append(p.buf, p.s[start:p.p]...)
		if ret := p.skipCFWS(); ret <= 0 {
			return ret
		}
		if p.s[p.p] != '.' {
			return 1
		}
		p.p++
		p.buf = append(p.buf, '.')
		if p.skipCFWS() <= 0 {
			return -1
		}
		start = p.p
	}
	p.buf = append(p.buf, p.s[start:]...)
	return 0
}

// looseDotAtom appends a local part made of atoms and dots in any order
// (".user", "us..er", "user."), which RFC 5322 forbids but Japanese mobile
// carriers have long issued; Dovecot accepts them.
func (p *addrParser) looseDotAtom() int {
	ret := -1
	for {
		for p.at('.') {
			p.buf = append(p.buf, '.')
			p.p++
			if p.end() {
				return 0
			}
			ret = 1
		}
		if p.at('@') {
			break
		}
		ret = p.atom()
		if ret <= 0 || !p.at('.') {
			break
		}
	}
	return ret
}

// quotedString appends the content of a quoted-string (RFC 5322 §3.2.4):
// quoted-pairs resolved, CRLF of folding removed, NUL replaced.
func (p *addrParser) quotedString() int {
	p.p++ // the opening DQUOTE
	start := p.p
	for ; p.p < len(p.s); p.p++ {
		switch p.s[p.p] {
		case 0:
			p.buf = append(p.buf, p.s[start:p.p]...)
			p.buf = append(p.buf, nulReplacement...)
			start = p.p + 1
		case '"':
			p.buf = append(p.buf, p.s[start:p.p]...)
			p.p++
			return p.skipCFWS()
		case '\n':
			n := p.p
			if n > start && p.s[n-1] == '\r' {
				n--
			}
			p.buf = append(p.buf, p.s[start:n]...)
			start = p.p + 1
		case '\\':
			p.p++
			if p.p >= len(p.s) {
				return -1
			}
			if c := p.s[p.p]; c == '\r' || c == '\n' || c == 0 {
				p.p--
				break
			}
			p.buf = append(p.buf, p.s[start:p.p-1]...)
			start = p.p
		}
	}
	return -1 // missing DQUOTE
}

// atomOrDot appends a run of atext and "." (obs-phrase allows dots, RFC
// 5322 §4.1), possibly empty.
func (p *addrParser) atomOrDot() int {
	start := p.p
	for ; p.p < len(p.s); p.p++ {
		if c := p.s[p.p]; !addrAtext(c) && c != '.' {
			p.buf = append(p.buf, p.s[start:p.p]...)
			return p.skipCFWS()
		}
	}
	p.buf = append(p.buf, p.s[start:]...)
	return 0
}

// phrase appends a phrase (RFC 5322 §3.2.5, obs-phrase §4.1): its words
// separated by single spaces, quoted strings unquoted, comments dropped.
// A phrase may be empty (1 is returned at a special); one cannot begin
// with ".".
func (p *addrParser) phrase() int {
	if p.end() {
		return 0
	}
	if p.s[p.p] == '.' {
		return -1
	}
	for {
		var ret int
		if p.s[p.p] == '"' {
			ret = p.quotedString()
		} else {
			ret = p.atomOrDot()
		}
		if ret <= 0 {
			return ret
		}
		if c := p.s[p.p]; !addrAtext(c) && c != '"' && c != '.' {
			break
		}
		p.buf = append(p.buf, ' ')
	}
	return p.skipCFWS()
}

// domainLiteral appends a domain-literal (RFC 5322 §3.4.1) as sent,
// brackets and quoted-pairs included, line breaks removed.
func (p *addrParser) domainLiteral() int {
	start := p.p
	for p.p++; p.p < len(p.s); p.p++ {
		switch p.s[p.p] {
		case 0:
			p.buf = append(p.buf, p.s[start:p.p]...)
			p.buf = append(p.buf, nulReplacement...)
			start = p.p + 1
		case '[':
			return -1
		case ']':
			p.buf = append(p.buf, p.s[start:p.p+1]...)
			p.p++
			return p.skipCFWS()
		case '\n':
			n := p.p
			if n > start && p.s[n-1] == '\r' {
				n--
			}
			p.buf = append(p.buf, p.s[start:n]...)
			start = p.p + 1
		case '\\':
			p.p++
			if p.p >= len(p.s) {
				return -1
			}
			if c := p.s[p.p]; c == '\r' || c == '\n' || c == 0 {
				p.buf = append(p.buf, p.s[start:p.p]...)
				start = p.p
				p.p--
			}
		}
	}
	return -1 // missing ']'
}

// domain appends the domain after an "@" (RFC 5322 §3.4.1, obs-domain
// §4.4).
func (p *addrParser) domain() int {
	p.p++ // '@'
	if p.skipCFWS() <= 0 {
		return -1
	}
	if p.s[p.p] == '[' {
		return p.domainLiteral()
	}
	return p.dotAtom()
}

// localPart parses a local-part (dot-atom, quoted-string or the obsolete
// forms) into cur.mailbox.
func (p *addrParser) localPart() int {
	p.buf = p.buf[:0]
	var ret int
	if p.s[p.p] == '"' {
		ret = p.quotedString()
	} else {
		ret = p.looseDotAtom()
	}
	if ret < 0 {
		return -1
	}
	p.cur.mailbox = addrSome(addrCString(p.buf))
	return ret
}

// addrDomain parses "@" domain into cur.domain.
func (p *addrParser) addrDomain() int {
	p.buf = p.buf[:0]
	ret := p.domain()
	if ret < 0 {
		return -1
	}
	p.cur.domain = addrSome(addrCString(p.buf))
	return ret
}

// domainList parses an obs-domain-list (RFC 5322 §4.4) into cur.route,
// written "@a,@b"; empty members are dropped.
func (p *addrParser) domainList() int {
	p.buf = p.buf[:0]
	for {
		if p.end() {
			return 0
		}
		if p.s[p.p] != '@' {
			break
		}
		if len(p.buf) > 0 {
			p.buf = append(p.buf, ',')
		}
		p.buf = append(p.buf, '@')
		if ret := p.domain(); ret <= 0 {
			return ret
		}
		for p.skipCFWS() > 0 && p.s[p.p] == ',' {
			p.p++
		}
	}
	p.cur.route = addrSome(addrCString(p.buf))
	return 1
}

// angleAddr parses "<" [obs-route] addr-spec ">" (RFC 5322 §3.4,
// obs-angle-addr §4.4). "<>" leaves mailbox and domain unset.
func (p *addrParser) angleAddr() int {
	p.p++ // '<'
	if p.skipCFWS() <= 0 {
		return -1
	}
	if p.s[p.p] == '@' {
		if p.domainList() > 0 && p.s[p.p] == ':' {
			p.p++
		} else {
			// A route without its ":"; read on as if it had one.
			p.cur.route = addrSome(invalidRoute)
			if p.end() {
				return -1
			}
		}
		if p.skipCFWS() <= 0 {
			return -1
		}
	}
	if p.s[p.p] != '>' {
		if p.localPart() <= 0 {
			return -1
		}
		if p.s[p.p] == '@' {
			if p.addrDomain() <= 0 {
				return -1
			}
		}
	}
	if p.s[p.p] != '>' {
		return -1
	}
	p.p++
	return p.skipCFWS()
}

// nameAddr parses [display-name] angle-addr. It returns -1, having set
// nothing, if the input is not a name-addr.
func (p *addrParser) nameAddr() int {
	p.buf = p.buf[:0]
	if p.phrase() <= 0 || p.s[p.p] != '<' {
		return -1
	}
	if name := addrCString(p.buf); name != "" {
		p.cur.name = addrSome(name) // "<addr>" alone has no display name
	}
	if p.angleAddr() < 0 {
		p.cur.domain = addrSome(syntaxError)
		p.cur.invalid = true
	}
	return p.more()
}

// addrSpec parses local-part "@" domain, taking a following comment as
// the display name (the legacy "user@host (Name)" form, RFC 5322 §3.4).
// A lone word is a local part without domain; several words are a display
// name without address.
func (p *addrParser) addrSpec() int {
	ret2 := -2
	p.comment = p.comment[:0]
	quoted := p.s[p.p] == '"'
	ret := p.localPart()
	if ret <= 0 {
		p.cur.invalid = true
	}
	if ret != 0 && p.at('@') {
		ret2 = p.addrDomain()
		if ret2 <= 0 {
			ret = ret2
		}
	}
	switch {
	case len(p.comment) > 0:
		p.cur.name = addrSome(addrCString(p.comment))
	case ret2 == -2:
		// No "@": one word is a mailbox without domain, more are a
		// display name.
		p.buf = append(p.buf, ' ')
		n := len(p.buf)
		p.phrase()
		if len(p.buf) != n {
			p.cur.mailbox = addrNStr{}
			p.cur.name = addrSome(addrCString(p.buf))
		} else if !quoted {
			p.cur.domain = addrSome("")
		}
		p.cur.invalid = true
		ret = -1
	}
	return ret
}

// add appends cur to the output and clears it.
func (p *addrParser) add() {
	p.out = append(p.out, p.cur.toIMAP())
	p.cur = rawAddr{}
}

// addFixed appends cur with the placeholders for a missing local part or
// domain.
func (p *addrParser) addFixed() {
	if !p.cur.mailbox.ok {
		p.cur.mailbox = addrSome(missingMailbox)
		p.cur.invalid = true
	}
	if p.cur.domain.s == "" {
		p.cur.domain = addrSome(missingDomain)
		p.cur.invalid = true
	}
	p.add()
}

// mailbox parses a mailbox (name-addr / addr-spec) and appends it.
func (p *addrParser) mailbox() int {
	start := p.p
	ret := p.nameAddr()
	if ret < 0 {
		p.p = start
		ret = p.addrSpec()
		if p.cur.invalid && !p.cur.name.ok && p.cur.mailbox.ok && !p.cur.domain.ok {
			// A lone quoted string: a name, not a mailbox.
			p.cur.name, p.cur.mailbox = p.cur.mailbox, addrNStr{}
		}
	}
	if ret < 0 {
		p.cur.invalid = true
	}
	p.addFixed()
	return ret
}

// group parses display-name ":" [group-list] ";" (RFC 5322 §3.4) and
// appends the start marker, the members and the end marker. It returns -1,
// having appended nothing, if the input is not a group. A group whose ";"
// is missing is closed anyway.
func (p *addrParser) group() int {
	p.buf = p.buf[:0]
	if p.phrase() <= 0 || p.s[p.p] != ':' {
		return -1
	}
	p.p++
	ret := p.skipCFWS()
	if ret <= 0 {
		p.cur.invalid = true
	}
	p.cur.mailbox = addrSome(addrCString(p.buf))
	p.add()

	if ret > 0 && p.s[p.p] != ';' {
		for {
			p.mailbox() // a broken member does not end the group
			if !p.at(',') {
				break
			}
			p.p++
			if p.skipCFWS() <= 0 {
				ret = -1
				break
			}
		}
	}
	if ret >= 0 {
		if !p.at(';') {
			ret = -1
		} else {
			p.p++
			ret = p.skipCFWS()
		}
	}
	if ret < 0 {
		p.cur.invalid = true
	}
	p.add() // end of group
	if ret == 0 {
		return 0
	}
	return 1
}

// address parses a group or a mailbox.
func (p *addrParser) address() int {
	start := p.p
	ret := p.group()
	if ret < 0 {
		p.p = start
		ret = p.mailbox()
	}
	return ret
}

// addressList parses address *("," address), null members included (RFC
// 5322 §4.4 obs-addr-list), until the input ends or cannot be read on.
func (p *addrParser) addressList() {
	for {
		if p.address() == 0 {
			return
		}
		if !p.at(',') {
			return
		}
		p.p++
		if ret := p.skipCFWS(); ret <= 0 {
			if ret < 0 {
				p.addFixed() // ends with garbage
			}
			return
		}
	}
}
