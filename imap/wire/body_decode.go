package wire

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"

	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 §7.4.2 and
// §9, RFC 9051 §7.5.2 and §9). They make up most of a typical FETCH
// response, so the loops are written out (no closures) and the common
// case of a quoted string without escapes is read in line.

// rQstop returns the table of bytes that end the fast path of a quoted
// string in the current mode.
func (d *Decoder) rQstop() *[256]bool {
	if d.opt.Mode == Strict {
		return &rQuotedStopStrict
	}
	return &rQuotedStopLenient
}

// rNstr reads an nstring (lenient mode: also an atom, and a quoted string
// with doubled DQUOTEs, see rQuotedDQ), like nstring, with fast paths for
// NIL and for a quoted string holding nothing but characters the mode
// accepts and the escapes \" and \\.
func (d *Decoder) rNstr() (imap.NString, error) {
	line := d.line
	i := d.pos
	if i < len(line) {
		switch line[i] {
		case '"':
			// The common case, in line: no escape (see rQuotedFast).
			strict := d.opt.Mode == Strict
			j := rQuotedScan(line, i+1, strict)
			if j < len(line) && line[j] == '"' && (strict || !rDQuoteAt(line, j+1)) {
				d.pos = j + 1
				return imap.NString{S: str(line[i+1 : j]), Valid: true}, nil
			}
			if s, ok := d.rQuotedFast(line, i, j); ok {
				return imap.NString{S: s, Valid: true}, nil
			}
			if !strict {
				s, err := d.rQuotedDQ()
				return imap.NString{S: s, Valid: err == nil}, err
			}
		case 'N':
			if i+2 < len(line) && line[i+1] == 'I' && line[i+2] == 'L' &&
				(i+3 == len(line) || !rAstrChar[line[i+3]]) {
				d.pos = i + 3
				return imap.Nil, nil
			}
		}
	}
	return d.nstring()
}

// rStrField reads a string; lenient mode also takes NIL (as ""), an atom
// and a quoted string with doubled DQUOTEs. Fast paths as rNstr.
func (d *Decoder) rStrField() (string, error) {
	line := d.line
	i := d.pos
	strict := d.opt.Mode == Strict
	if i < len(line) && line[i] == '"' {
		j := rQuotedScan(line, i+1, strict)
		if j < len(line) && line[j] == '"' && (strict || !rDQuoteAt(line, j+1)) {
			d.pos = j + 1
			return str(line[i+1 : j]), nil
		}
		if s, ok := d.rQuotedFast(line, i, j); ok {
			return s, nil
		}
		if !strict {
			return d.rQuotedDQ()
		}
	}
	if strict {
		return d.string()
	}
	n, err := d.nstring()
	return n.S, err
}

// rQuotedFast finishes reading the quoted string that starts at line[i]
// (the DQUOTE) and whose bytes up to j need no check, if the rest holds
// only characters the mode accepts without further checks and the escapes
// \" and \\, unescaping it in place. Otherwise it changes nothing and
// reports false, and the caller takes the general path.
func (d *Decoder) rQuotedFast(line []byte, i, j int) (string, bool) {
	stop := d.rQstop()
	for j < len(line) && !stop[line[j]] {
		j++
	}
	if j >= len(line) {
		return "", false
	}
	if line[j] == '"' {
		if d.opt.Mode != Strict && rDQuoteAt(line, j+1) {
			return "", false
		}
		d.pos = j + 1
		return str(line[i+1 : j]), true
	}
	// An escape: check the rest before unescaping in place.
	k := j
	for k < len(line) {
		c := line[k]
		if c == '\\' {
			if k+1 < len(line) && (line[k+1] == '"' || line[k+1] == '\\') {
				k += 2
				continue
			}
			return "", false
		}
		if c == '"' {
			break
		}
		if stop[c] {
			return "", false
		}
		k++
	}
	if k >= len(line) || d.opt.Mode != Strict && rDQuoteAt(line, k+1) {
		return "", false
	}
	w := j
	for r := j; r < k; r++ {
		c := line[r]
		if c == '\\' {
			r++
			c = line[r]
		}
		line[w] = c
		w++
	}
	d.pos = k + 1
	return str(line[i+1 : w]), true
}

// rDQuoteAt reports whether line[i] is a DQUOTE.
func rDQuoteAt(line []byte, i int) bool { return i < len(line) && line[i] == '"' }

// rQuotedDQ reads a quoted string in lenient mode, taking a DQUOTE that
// is followed by another DQUOTE as part of the string rather than its end:
// servers that copy a header field into a quoted string without escaping
// its DQUOTEs send the Content-Description `""` as """" (go-imap #659,
// https://github.com/emersion/go-imap/issues/659) and the Content-Type
// `text/html"` as "TEXT" "HTML"" (MailKit #485,
// https://github.com/jstedfast/MailKit/issues/485). In an envelope or a
// body structure a quoted string is followed by SP or ")", never by a
// DQUOTE, so this reads nothing valid differently; strict mode rejects
// both.
func (d *Decoder) rQuotedDQ() (string, error) {
	b, err := d.quotedOpt(true)
	return str(b), err
}

// SWAR constants: a byte of ones and a byte of high bits in each lane.
const (
	rLSB = 0x0101010101010101
	rMSB = 0x8080808080808080
)

// rZeroBytes returns the high bit of each lane of v that is zero. The
// lowest flagged lane is exact (higher ones may be false positives, after
// a borrow), which is all the callers use.
func rZeroBytes(v uint64) uint64 { return (v - rLSB) &^ v & rMSB }

// rQuotedScan skips the bytes of line from j on that do not end the fast
// path of a quoted string (DQUOTE, "\", NUL; in strict mode also CR, LF
// and 8-bit bytes), eight at a time, and returns the position of the first
// such byte (or len(line)).
func rQuotedScan(line []byte, j int, strict bool) int {
	for j+8 <= len(line) {
		v := binary.LittleEndian.Uint64(line[j:])
		m := rZeroBytes(v^(rLSB*'"')) | rZeroBytes(v^(rLSB*'\\')) | rZeroBytes(v)
		if strict {
			m |= rZeroBytes(v^(rLSB*'\r')) | rZeroBytes(v^(rLSB*'\n')) | v&rMSB
		}
		if m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
		j += 8
	}
	stop := &rQuotedStopLenient
	if strict {
		stop = &rQuotedStopStrict
	}
	for j < len(line) && !stop[line[j]] {
		j++
	}
	return j
}

// rSep reads the SP between two fields (lenient mode: one or more).
func (d *Decoder) rSep() error {
	if d.rSp1() {
		return nil
	}
	return d.rSepSlow()
}

// rSp1 consumes a single SP that is not followed by another: the common
// case of rSep, inlined at the call sites.
func (d *Decoder) rSp1() bool {
	line, p := d.line, d.pos
	if uint(p+1) < uint(len(line)) && line[p] == ' ' && line[p+1] != ' ' {
		d.pos = p + 1
		return true
	}
	return false
}

// rSepSlow is rSep at the end of the line or before doubled spaces.
func (d *Decoder) rSepSlow() error {
	if !d.accept(' ') {
		return d.errExpected("SP")
	}
	d.rSkipSpaces()
	return nil
}

// rExpect consumes c or fails, like expect, with its error out of line.
func (d *Decoder) rExpect(c byte) error {
	line, p := d.line, d.pos
	if p < len(line) && line[p] == c {
		d.pos = p + 1
		return nil
	}
	return d.rErrByte(c)
}

// rPush enters a nested list; inlined, unlike push.
func (d *Decoder) rPush() error {
	d.depth++
	if d.depth > d.opt.MaxDepth {
		return d.rErrDeep()
	}
	return nil
}

// Out-of-line error constructors, so that the fast paths above inline.

//go:noinline
func (d *Decoder) rErrAt(what string) error { return d.errExpected(what) }

//go:noinline
func (d *Decoder) rErrByte(c byte) error { return d.errExpected(quoteByte(c)) }

//go:noinline
func (d *Decoder) rErrDeep() error { return d.syntaxErr("", ErrTooDeep) }

// rSkipSpaces skips spaces in lenient mode.
func (d *Decoder) rSkipSpaces() {
	if d.opt.Mode != Strict {
		for d.pos < len(d.line) && d.line[d.pos] == ' ' {
			d.pos++
		}
	}
}

// rEnvelope reads an envelope:
//
//	envelope = "(" env-date SP env-subject SP env-from SP
//	           env-sender SP env-reply-to SP env-to SP env-cc SP
//	           env-bcc SP env-in-reply-to SP env-message-id ")"
//
// Lenient mode accepts an envelope wrapped in an extra pair of
// parentheses, and one that ends after env-bcc or env-in-reply-to (the
// missing fields are NIL): some servers, QQ Mail's among them, leave out
// the fields of headers the message lacks (MailKit #279, #669 and #932:
// https://github.com/jstedfast/MailKit/issues/279,
// https://github.com/jstedfast/MailKit/issues/669,
// https://github.com/jstedfast/MailKit/issues/932). The address lists
// share one allocation.
func (d *Decoder) rEnvelope() (*imap.Envelope, error) {
	if !d.accept('(') {
		return nil, d.rErrByte('(')
	}
	if err := d.rPush(); err != nil {
		return nil, err
	}
	defer d.pop()
	wrapped := false
	if d.opt.Mode != Strict {
		d.rSkipSpaces()
		if d.peek() == '(' {
			// env-date is an nstring, so "((" is the quirk of an extra
			// pair of parentheses.
			wrapped = true
			d.pos++
			d.rSkipSpaces()
		}
	}
	rs := &d.resp
	env := &rTake(&rs.envSlab, 1, rEnvChunk)[0]
	var err error
	if env.Date, err = d.rNstr(); err != nil {
		return nil, err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return nil, err
		}
	}
	if env.Subject, err = d.rNstr(); err != nil {
		return nil, err
	}
	// The addresses of all six lists are decoded in place into one region
	// of the address slab, whose free elements are zero.
	var bounds [6]int32 // end of each list in the region; -1 for NIL
	n := 0
	for k := range bounds {
		if err := d.rSep(); err != nil {
			clear(rs.addrSlab[:min(n, len(rs.addrSlab))])
			return nil, err
		}
		isNil, err := d.rAddrList(&n)
		if err != nil {
			clear(rs.addrSlab[:min(n+1, len(rs.addrSlab))])
			return nil, err
		}
		if isNil {
			bounds[k] = -1
		} else {
			bounds[k] = int32(n)
		}
	}
	all := rSeal(&rs.addrSlab, n)
	lists := [6]*[]imap.Address{&env.From, &env.Sender, &env.ReplyTo, &env.To, &env.Cc, &env.Bcc}
	prev := int32(0)
	for k, end := range bounds {
		if end < 0 {
			continue
		}
		*lists[k] = all[prev:end:end]
		prev = end
	}
	// Lenient: the envelope may end here or after env-in-reply-to.
	for _, f := range [2]*imap.NString{&env.InReplyTo, &env.MessageID} {
		if d.opt.Mode != Strict && d.rNextIs(')') {
			break
		}
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return nil, err
			}
		}
		if *f, err = d.rNstr(); err != nil {
			return nil, err
		}
	}
	d.rSkipSpaces()
	if !d.accept(')') {
		return nil, d.rErrByte(')')
	}
	if wrapped {
		d.rSkipSpaces()
		if !d.accept(')') {
			return nil, d.rErrByte(')')
		}
	}
	return env, nil
}

// rAddrList reads an address list into the address region, whose length
// is *n:
//
//	env-from = "(" 1*address ")" / nil
//
// Strict mode requires the addresses to follow each other without space
// (1*address); lenient mode accepts spaces, an empty list "()", and NIL
// among the addresses, which it skips: SmarterMail sends
// (NIL ("Name" NIL "user" "example.com")) (MailKit #991,
// https://github.com/jstedfast/MailKit/issues/991).
func (d *Decoder) rAddrList(n *int) (isNil bool, err error) {
	line := d.line
	i := d.pos
	if i < len(line) && line[i] != '(' {
		if d.acceptNIL() {
			return true, nil
		}
		return false, d.errExpected(`address list or NIL`)
	}
	if !d.accept('(') {
		return false, d.rErrByte('(')
	}
	if err := d.rPush(); err != nil {
		return false, err
	}
	defer d.pop()
	rs := &d.resp
	strict := d.opt.Mode == Strict
	count := 0
	for {
		if !strict {
			d.rSkipSpaces()
			if c := d.peek(); (c == 'N' || c == 'n') && d.acceptNIL() {
				continue
			}
		}
		if d.accept(')') {
			if count == 0 && strict {
				d.pos--
				return false, d.errExpected("address")
			}
			return false, nil
		}
		if count >= d.opt.MaxListLength {
			return false, d.syntaxErr("", ErrListTooLong)
		}
		if err := d.rAddress(rSlot(&rs.addrSlab, *n, rAddrChunk)); err != nil {
			return false, err
		}
		*n++
		count++
	}
}

// rAddress reads one address:
//
//	address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"
func (d *Decoder) rAddress(a *imap.Address) error {
	if !d.accept('(') {
		return d.rErrAt("address")
	}
	d.rSkipSpaces()
	var err error
	if a.Name, err = d.rNstr(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if a.ADL, err = d.rNstr(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if a.Mailbox, err = d.rNstr(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if a.Host, err = d.rNstr(); err != nil {
		return err
	}
	d.rSkipSpaces()
	if !d.accept(')') {
		return d.rErrByte(')')
	}
	return nil
}

// rBodyStructure reads a body (the value of BODY or BODYSTRUCTURE) into a
// node of its own. ext says it is BODYSTRUCTURE.
func (d *Decoder) rBodyStructure(ext bool) (*imap.BodyStructure, error) {
	b := &rTake(&d.resp.partSlab, 1, rPartChunk)[0]
	if err := d.rBody(b, ext); err != nil {
		return nil, err
	}
	return b, nil
}

// rBody reads a body into b:
//
//	body = "(" (body-type-1part / body-type-mpart) ")"
//	body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
//
// Strict mode requires the parts of a multipart to follow each other
// without space (1*body); lenient mode accepts spaces.
//
// Lenient mode also accepts an empty body "()", decoded as a body with
// nothing set (not even a type): Exchange sends BODYSTRUCTURE () (MailKit
// #944, https://github.com/jstedfast/MailKit/issues/944). And it accepts
// a multipart without parts (see rNoParts).
func (d *Decoder) rBody(b *imap.BodyStructure, ext bool) error {
	if !d.accept('(') {
		return d.rErrAt("body")
	}
	if err := d.rPush(); err != nil {
		return err
	}
	defer d.pop()
	d.rSkipSpaces()
	b.Extended = ext
	var err error
	switch {
	case d.peek() == '(':
		err = d.rBodyMultipart(b, ext)
	case d.opt.Mode == Strict:
		err = d.rBody1part(b, ext)
	case d.peek() == ')':
		// Lenient: "()", see above.
	default:
		switch d.rNoParts() {
		case rPartsNIL:
			// NIL SP media-subtype: the NIL stands for the parts.
			d.acceptNIL()
			if err = d.rSep(); err == nil {
				err = d.rBodyNoParts(b)
			}
		case rPartsNone:
			err = d.rBodyNoParts(b)
		default:
			err = d.rBody1part(b, ext)
		}
	}
	if err != nil {
		return err
	}
	d.rSkipSpaces()
	return d.rExpect(')')
}

// What rNoParts finds.
const (
	rPartsSome = iota // a single part, or a multipart with parts
	rPartsNone        // media-subtype first: no parts at all
	rPartsNIL         // NIL in place of the parts, then media-subtype
)

// rNoParts looks ahead, in lenient mode, at a body that does not start
// with a part, for the two forms real servers send for a multipart that has
// no parts (a MIME multipart whose boundary never occurs in its content):
//
//   - Gmail leaves the parts out, sending body-type-mpart without its
//     1*body: ("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL), or
//     ("RELATED" NIL ("ATTACHMENT" NIL) NIL), or just ("ALTERNATIVE")
//     (MailKit #205, #777 and #1841:
//     https://github.com/jstedfast/MailKit/issues/205,
//     https://github.com/jstedfast/MailKit/issues/777,
//     https://github.com/jstedfast/MailKit/issues/1841);
//   - Dovecot and others send NIL in place of the parts:
//     (NIL "alternative" ("boundary" "x") NIL NIL NIL) (MailKit #1393,
//     https://github.com/jstedfast/MailKit/issues/1393).
//
// A body whose media type is followed by "(" or ")" cannot be a single part
// (media-subtype is a string). One whose media type is followed by NIL, or
// that starts with NIL and a string, can also be a single part with a NIL
// subtype or type (Office 365 sends (NIL NIL NIL NIL NIL "7BIT" 0 ...),
// MailKit #1446); a single part has its body-fld-octets, a number, as its
// seventh field, which a multipart has not. Where a literal hides what
// follows, the body is read as a single part.
func (d *Decoder) rNoParts() int {
	line := d.line
	i := d.pos
	if rIsNILAt(line, i) {
		i = rSkipSpacesAt(line, i+3)
		if i >= len(line) || line[i] == '(' || line[i] == ')' || line[i] == '{' || rIsNILAt(line, i) {
			return rPartsSome
		}
		if rNumberField(line, d.pos, 6) {
			return rPartsSome
		}
		return rPartsNIL
	}
	if i >= len(line) || line[i] != '"' && !atomChar[line[i]] {
		return rPartsSome
	}
	i = rSkipItem(line, i)
	if i < 0 {
		return rPartsSome
	}
	i = rSkipSpacesAt(line, i)
	switch {
	case i >= len(line):
		return rPartsSome
	case line[i] == '(' || line[i] == ')':
		return rPartsNone
	case rIsNILAt(line, i) && !rNumberField(line, d.pos, 6):
		return rPartsNone
	}
	return rPartsSome
}

// rIsNILAt reports whether the atom NIL starts at line[i].
func rIsNILAt(line []byte, i int) bool {
	return i+3 <= len(line) && (line[i]|0x20) == 'n' && (line[i+1]|0x20) == 'i' && (line[i+2]|0x20) == 'l' &&
		(i+3 == len(line) || !rAstrChar[line[i+3]])
}

// rSkipSpacesAt returns the position of the first byte from line[i] on
// that is not SP.
func rSkipSpacesAt(line []byte, i int) int {
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

// rNumberField reports whether field n (from 0) of the list whose fields
// start at line[i] is a number (or what lenient mode takes for one), or
// cannot be found without reading a literal. It reads nothing.
func rNumberField(line []byte, i, n int) bool {
	for ; n > 0; n-- {
		i = rSkipSpacesAt(line, i)
		if i >= len(line) || line[i] == ')' {
			return false
		}
		if i = rSkipItem(line, i); i < 0 {
			return true
		}
	}
	i = rSkipSpacesAt(line, i)
	return i < len(line) && (line[i] >= '0' && line[i] <= '9' ||
		line[i] == '-' && i+1 < len(line) && line[i+1] >= '0' && line[i+1] <= '9')
}

// rSkipItem returns the position after the list item (quoted string,
// parenthesized list or atom) that starts at line[i], or -1 where it runs
// into a literal or past the line. A doubled DQUOTE does not end a quoted
// string (as for rQuotedDQ).
func rSkipItem(line []byte, i int) int {
	depth := 0
	for i < len(line) {
		switch line[i] {
		case '"':
			for i++; i < len(line); i++ {
				if line[i] == '\\' {
					i++
				} else if line[i] == '"' {
					if !rDQuoteAt(line, i+1) {
						break
					}
					i++
				}
			}
			if i >= len(line) {
				return -1
			}
			i++
			if depth == 0 {
				return i
			}
		case '(':
			depth++
			i++
		case ')':
			if depth == 0 {
				return i
			}
			depth--
			i++
			if depth == 0 {
				return i
			}
		case '{':
			return -1
		case ' ':
			if depth == 0 {
				return i
			}
			i++
		default:
			i++
		}
	}
	if depth > 0 {
		return -1
	}
	return i
}

func (d *Decoder) rBodyMultipart(b *imap.BodyStructure, ext bool) error {
	// The parts are decoded in place into a region of the slab of this
	// body's nesting level: a part's own parts go to the next level's
	// slab, so regions of one level never interleave.
	rs := &d.resp
	level := rs.bodyLevel
	if level == len(rs.levelSlabs) {
		rs.levelSlabs = append(rs.levelSlabs, nil)
	}
	chunk := rPartChunk >> min(level, 3)
	rs.bodyLevel++
	defer func() { rs.bodyLevel-- }()
	n := 0
	for d.peek() == '(' {
		if n >= d.opt.MaxListLength {
			clear(rs.levelSlabs[level][:n])
			return d.syntaxErr("", ErrListTooLong)
		}
		part := rSlot(&rs.levelSlabs[level], n, chunk)
		n++
		if err := d.rBody(part, ext); err != nil {
			clear(rs.levelSlabs[level][:n])
			return err
		}
		d.rSkipSpaces()
	}
	b.Parts = rSeal(&rs.levelSlabs[level], n)
	b.Type = "MULTIPART"
	// Lenient: the space before the subtype went with the parts.
	if d.opt.Mode == Strict || d.peek() == ' ' {
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return err
			}
		}
	}
	return d.rBodyMpartRest(b)
}

// rBodyNoParts reads a multipart without parts (lenient mode, see
// rNoParts) from its media-subtype on. Parts is then empty, not nil.
func (d *Decoder) rBodyNoParts(b *imap.BodyStructure) error {
	b.Type = "MULTIPART"
	b.Parts = []imap.BodyStructure{}
	return d.rBodyMpartRest(b)
}

// rBodyMpartRest reads a multipart from its media-subtype on:
//
//	media-subtype [SP body-ext-mpart]
func (d *Decoder) rBodyMpartRest(b *imap.BodyStructure) error {
	var err error
	if b.Subtype, err = d.rStrField(); err != nil {
		return err
	}
	// body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang
	//                  [SP body-fld-loc *(SP body-extension)]]]
	if !d.rMoreFields() {
		return nil
	}
	b.Extended = true
	if b.Params, err = d.rParams(); err != nil {
		return err
	}
	return d.rBodyExt(b)
}

// rMoreFields consumes the SP before an optional field and reports whether
// one follows (not at the closing ")").
func (d *Decoder) rMoreFields() bool {
	if d.peek() != ' ' {
		return false
	}
	save := d.pos
	d.pos++
	d.rSkipSpaces()
	if d.peek() == ')' || d.eol() {
		d.pos = save
		return false
	}
	return true
}

// rBody1part reads a non-multipart body:
//
//	body-type-1part = (body-type-basic / body-type-msg / body-type-text)
//	                  [SP body-ext-1part]
//	body-type-basic = media-basic SP body-fields
//	body-type-msg   = media-message SP body-fields SP envelope
//	                  SP body SP body-fld-lines
//	body-type-text  = media-text SP body-fields SP body-fld-lines
//	body-fields     = body-fld-param SP body-fld-id SP body-fld-desc SP
//	                  body-fld-enc SP body-fld-octets
func (d *Decoder) rBody1part(b *imap.BodyStructure, ext bool) error {
	var err error
	if b.Type, err = d.rStrField(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.Subtype, err = d.rStrField(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.Params, err = d.rParams(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.ID, err = d.rNstr(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.Description, err = d.rNstr(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.Encoding, err = d.rStrField(); err != nil {
		return err
	}
	if !d.rSp1() {
		if err := d.rSepSlow(); err != nil {
			return err
		}
	}
	if b.Size, err = d.rOctets(); err != nil {
		return err
	}
	switch {
	case rIsMessageType(b.Type, b.Subtype):
		// Lenient: some servers send message/rfc822 parts without the
		// envelope, body and lines (read them as basic parts), or with a
		// NIL envelope.
		nilEnv := false
		if d.opt.Mode != Strict && !d.rNextIs('(') {
			if !d.rNilThenList() {
				break
			}
			nilEnv = true
		}
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return err
			}
		}
		if nilEnv {
			d.acceptNIL()
		} else if b.Envelope, err = d.rEnvelope(); err != nil {
			return err
		}
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return err
			}
		}
		if b.Body, err = d.rBodyStructure(ext); err != nil {
			return err
		}
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return err
			}
		}
		if b.Lines, err = d.rLines(); err != nil {
			return err
		}
	case rEqualFoldStr(b.Type, "TEXT"):
		// Lenient: the line count is sometimes missing.
		if d.opt.Mode != Strict && !d.rNextIsDigit() {
			break
		}
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return err
			}
		}
		if b.Lines, err = d.rLines(); err != nil {
			return err
		}
	}
	// body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang
	//                  [SP body-fld-loc *(SP body-extension)]]]
	if !d.rMoreFields() {
		return nil
	}
	b.Extended = true
	if d.opt.Mode != Strict && d.peek() == '(' {
		// Lenient: GMX sends a part of type multipart as a single part
		// followed by a multipart's extension data, body-fld-param in place
		// of body-fld-md5: ("multipart" "related" ("boundary" "b") NIL NIL
		// "7BIT" 400 ("boundary" "b") NIL NIL NIL) (MailKit #878,
		// https://github.com/jstedfast/MailKit/issues/878). The parameters
		// go to Params if the basic fields had none.
		ps, err := d.rParams()
		if err != nil {
			return err
		}
		if len(b.Params) == 0 {
			b.Params = ps
		}
		return d.rBodyExt(b)
	}
	if b.MD5, err = d.rNstr(); err != nil {
		return err
	}
	return d.rBodyExt(b)
}

// rNextIs reports whether, after spaces, the next byte is c.
func (d *Decoder) rNextIs(c byte) bool {
	i := d.pos
	for i < len(d.line) && d.line[i] == ' ' {
		i++
	}
	return i < len(d.line) && d.line[i] == c
}

// rNilThenList reports whether, after spaces, NIL SP "(" is next.
func (d *Decoder) rNilThenList() bool {
	i := d.pos
	for i < len(d.line) && d.line[i] == ' ' {
		i++
	}
	rest := d.line[i:]
	return len(rest) >= 5 && equalFold(rest[:3], "NIL") && rest[3] == ' ' && rest[4] == '('
}

func (d *Decoder) rNextIsDigit() bool {
	i := d.pos
	for i < len(d.line) && d.line[i] == ' ' {
		i++
	}
	return i < len(d.line) && (d.line[i] >= '0' && d.line[i] <= '9' || d.line[i] == '-')
}

func rIsMessageType(typ, sub string) bool {
	return rEqualFoldStr(typ, "MESSAGE") && (rEqualFoldStr(sub, "RFC822") || rEqualFoldStr(sub, "GLOBAL"))
}

// rEqualFoldStr is equalFold for a string.
func rEqualFoldStr(s, upper string) bool {
	if len(s) != len(upper) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != upper[i] {
			return false
		}
	}
	return true
}

// rLines reads body-fld-lines (number64 in RFC 9051, number in RFC 3501);
// values beyond 32 bits are clamped.
func (d *Decoder) rLines() (uint32, error) {
	n, err := d.rBodyNumber()
	if n > 0xffffffff {
		n = 0xffffffff
	}
	return uint32(n), err
}

// rOctets reads body-fld-octets (number).
func (d *Decoder) rOctets() (uint32, error) {
	start := d.pos
	n, err := d.rBodyNumber()
	if err == nil && n > 0xffffffff {
		d.pos = start
		return 0, d.errExpected("number below 2^32")
	}
	return uint32(n), err
}

// rBodyNumber reads a number64 for body-fld-octets or body-fld-lines.
// Lenient mode reads any negative number as 0, as it does -1 everywhere:
// SmarterMail sends -2 (MailKit #385,
// https://github.com/jstedfast/MailKit/issues/385). It also reads a number
// in floating-point notation, rounded: mail.ru sends 9.3736e+06 (MailKit
// #1838 and #1840, https://github.com/jstedfast/MailKit/issues/1838,
// https://github.com/bkaankose/Wino-Mail/issues/469).
func (d *Decoder) rBodyNumber() (uint64, error) {
	start := d.pos
	n, err := d.number64()
	if d.opt.Mode == Strict {
		return n, err
	}
	line := d.line
	switch {
	case err == nil && d.pos < len(line) && (line[d.pos] == '.' || line[d.pos]|0x20 == 'e'):
		i := start
		for i < len(line) && (line[i] >= '0' && line[i] <= '9' || line[i] == '.' ||
			line[i]|0x20 == 'e' || line[i] == '+' || line[i] == '-') {
			i++
		}
		f, ferr := strconv.ParseFloat(str(line[start:i]), 64)
		if ferr != nil || !(f < 1<<63) {
			d.pos = start
			return 0, d.errExpected("number")
		}
		d.pos = i
		if f < 0 {
			return 0, nil
		}
		return uint64(math.Round(f)), nil
	case err != nil && start+1 < len(line) && line[start] == '-' && line[start+1] >= '0' && line[start+1] <= '9':
		i := start + 1
		for i < len(line) && line[i] >= '0' && line[i] <= '9' {
			i++
		}
		d.pos = i
		return 0, nil
	}
	return n, err
}

// rBodyExt reads the extension fields after body-fld-md5 (single part) or
// body-fld-param (multipart):
//
//	[SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]]
func (d *Decoder) rBodyExt(b *imap.BodyStructure) error {
	if !d.rMoreFields() {
		return nil
	}
	var err error
	if b.Disposition, err = d.rDisposition(); err != nil {
		return err
	}
	if !d.rMoreFields() {
		return nil
	}
	if b.Language, err = d.rLanguage(); err != nil {
		return err
	}
	if !d.rMoreFields() {
		return nil
	}
	if b.Location, err = d.rNstr(); err != nil {
		return err
	}
	for d.rMoreFields() {
		if len(b.Extensions) >= d.opt.MaxListLength {
			return d.syntaxErr("", ErrListTooLong)
		}
		v, err := d.rBodyExtension()
		if err != nil {
			return err
		}
		b.Extensions = append(b.Extensions, v)
	}
	return nil
}

// rBodyExtension reads one body-extension verbatim:
//
//	body-extension = nstring / number / number64 /
//	                 "(" body-extension *(SP body-extension) ")"
func (d *Decoder) rBodyExtension() (imap.RawValue, error) {
	if d.opt.Mode == Strict {
		switch c := d.peek(); {
		case c == '(' || c == '"' || c == '{' || c >= '0' && c <= '9':
		default:
			if !d.acceptNIL() {
				return nil, d.errExpected("body-extension")
			}
			d.pos -= 3
		}
	}
	return d.rawValue()
}

// rParams reads a parameter list:
//
//	body-fld-param = "(" string SP string *(SP string SP string) ")" / nil
//
// Lenient mode accepts "()".
func (d *Decoder) rParams() ([]imap.Param, error) {
	line := d.line
	i := d.pos
	if i >= len(line) || line[i] != '(' {
		if d.acceptNIL() {
			return nil, nil
		}
		return nil, d.errExpected("body-fld-param")
	}
	d.pos++
	if err := d.rPush(); err != nil {
		return nil, err
	}
	defer d.pop()
	// The parameters are decoded in place at the start of the slab, whose
	// free elements are zero.
	rs := &d.resp
	strict := d.opt.Mode == Strict
	n := 0
	for {
		if !strict {
			d.rSkipSpaces()
		}
		if d.accept(')') {
			if n == 0 && strict {
				d.pos--
				return nil, d.errExpected("parameter")
			}
			break
		}
		if n > 0 && strict {
			if err := d.rExpect(' '); err != nil {
				clear(rs.paramSlab[:n])
				return nil, err
			}
		}
		if n >= d.opt.MaxListLength {
			clear(rs.paramSlab[:n])
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		p := rSlot(&rs.paramSlab, n, rParamChunk)
		n++
		var err error
		if p.Key, err = d.rStrField(); err == nil {
			if err = d.rSep(); err == nil {
				p.Value, err = d.rStrField()
			}
		}
		if err != nil {
			clear(rs.paramSlab[:n])
			return nil, err
		}
	}
	return rSeal(&rs.paramSlab, n), nil
}

// rDisposition reads a body disposition:
//
//	body-fld-dsp = "(" string SP body-fld-param ")" / nil
//
// Lenient mode accepts a bare string (`"inline"`) for ("inline" NIL).
func (d *Decoder) rDisposition() (*imap.Disposition, error) {
	if d.peek() != '(' {
		if d.acceptNIL() {
			return nil, nil
		}
		if d.opt.Mode == Strict {
			return nil, d.errExpected("body-fld-dsp")
		}
		s, err := d.rStrField()
		if err != nil {
			return nil, err
		}
		disp := &rTake(&d.resp.dispSlab, 1, rDispChunk)[0]
		disp.Type = s
		return disp, nil
	}
	d.pos++
	d.rSkipSpaces()
	disp := &rTake(&d.resp.dispSlab, 1, rDispChunk)[0]
	var err error
	if disp.Type, err = d.rStrField(); err != nil {
		return nil, err
	}
	// Lenient: the parameter list is sometimes left out.
	if d.opt.Mode == Strict || d.rNextIs('(') || d.peek() == ' ' {
		if !d.rSp1() {
			if err := d.rSepSlow(); err != nil {
				return nil, err
			}
		}
		if disp.Params, err = d.rParams(); err != nil {
			return nil, err
		}
	}
	d.rSkipSpaces()
	if !d.accept(')') {
		return nil, d.rErrByte(')')
	}
	return disp, nil
}

// rLanguage reads a body language:
//
//	body-fld-lang = nstring / "(" string *(SP string) ")"
//
// NIL gives nil. Lenient mode skips NIL in the list: IceWarp sends
// ("inline" NIL) there (MailKit #953,
// https://github.com/jstedfast/MailKit/issues/953).
func (d *Decoder) rLanguage() ([]string, error) {
	if d.peek() != '(' {
		n, err := d.rNstr()
		if err != nil || !n.Valid {
			return nil, err
		}
		out := rTake(&d.resp.strSlab, 1, rStrChunk)
		out[0] = n.S
		return out, nil
	}
	d.pos++
	if err := d.rPush(); err != nil {
		return nil, err
	}
	defer d.pop()
	rs := &d.resp
	base := len(rs.strs)
	strict := d.opt.Mode == Strict
	for {
		if !strict {
			d.rSkipSpaces()
		}
		if d.accept(')') {
			if len(rs.strs) == base && strict {
				d.pos--
				return nil, d.errExpected("language")
			}
			break
		}
		if len(rs.strs) > base && strict {
			if err := d.rExpect(' '); err != nil {
				rs.strs = rs.strs[:base]
				return nil, err
			}
		}
		if len(rs.strs)-base >= d.opt.MaxListLength {
			rs.strs = rs.strs[:base]
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		if !strict && d.acceptNIL() {
			continue
		}
		s, err := d.rStrField()
		if err != nil {
			rs.strs = rs.strs[:base]
			return nil, err
		}
		rs.strs = append(rs.strs, s)
	}
	return rs.popStrs(base), nil
}
