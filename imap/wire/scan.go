package wire

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// This file holds the grammar's primitives (RFC 3501 §9, RFC 9051 §9):
// spaces, atoms, strings, literals, numbers, lists. They work on the
// current line segment; a literal reads the next segment after it.

// Character classes.
var (
	atomChar   [256]bool // ATOM-CHAR
	astrChar   [256]bool // ASTRING-CHAR = ATOM-CHAR / resp-specials
	tagChar    [256]bool // ASTRING-CHAR except "+"
	listChar   [256]bool // list-char = ATOM-CHAR / list-wildcards / resp-specials
	lenientAst [256]bool // anything but SP, CR, LF, NUL, "(", ")", "{", DQUOTE

	// lenientAtomChar adds "]", TAB and 8-bit bytes to ATOM-CHAR.
	lenientAtomChar [256]bool
)

func init() {
	for c := 0x21; c < 0x7f; c++ {
		switch c {
		case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		default:
			atomChar[c] = true
		}
	}
	for c := 0; c < 256; c++ {
		astrChar[c] = atomChar[c] || c == ']'
		tagChar[c] = astrChar[c] && c != '+'
		listChar[c] = astrChar[c] || c == '%' || c == '*'
		switch c {
		case ' ', '\r', '\n', 0, '(', ')', '{', '"':
		default:
			lenientAst[c] = true
		}
		lenientAtomChar[c] = atomChar[c] || c == ']' || c == '\t' || c >= 0x80
	}
}

func (d *Decoder) strict() bool { return d.opt.Mode == Strict }

// eol reports whether the current segment is exhausted.
func (d *Decoder) eol() bool { return d.pos >= len(d.line) }

// peek returns the next byte, or 0 at the end of the segment.
func (d *Decoder) peek() byte {
	if d.pos < len(d.line) {
		return d.line[d.pos]
	}
	return 0
}

// accept consumes c if it is next.
func (d *Decoder) accept(c byte) bool {
	if d.pos < len(d.line) && d.line[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// expect consumes c or fails.
func (d *Decoder) expect(c byte) error {
	if d.accept(c) {
		return nil
	}
	return d.errExpected(quoteByte(c))
}

func quoteByte(c byte) string {
	switch c {
	case ' ':
		return "SP"
	}
	return `"` + string(c) + `"`
}

// sp consumes one space; lenient mode accepts several.
func (d *Decoder) sp() error {
	if !d.accept(' ') {
		return d.errExpected("SP")
	}
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	return nil
}

// listSep is called between list items. It consumes the separating space
// and reports whether the list goes on (false at ")"). Lenient mode allows
// a missing or doubled space.
func (d *Decoder) listSep() (more bool, err error) {
	if d.accept(')') {
		return false, nil
	}
	if d.strict() {
		if err := d.expect(' '); err != nil {
			return false, d.errExpected(`SP or ")"`)
		}
		return true, nil
	}
	for d.accept(' ') {
	}
	if d.accept(')') {
		return false, nil
	}
	if d.eol() {
		return false, d.errExpected(`SP or ")"`)
	}
	return true, nil
}

// list parses "(" [item *(SP item)] ")" calling item for each element.
// allowEmpty says whether "()" is allowed by the grammar (it is always
// accepted in lenient mode).
func (d *Decoder) list(allowEmpty bool, item func() error) error {
	if err := d.expect('('); err != nil {
		return err
	}
	if err := d.push(); err != nil {
		return err
	}
	defer d.pop()
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	if d.accept(')') {
		if !allowEmpty && d.strict() {
			d.pos--
			return d.errExpected("list item")
		}
		return nil
	}
	for n := 1; ; n++ {
		if n > d.opt.MaxListLength {
			return d.syntaxErr("", ErrListTooLong)
		}
		if err := item(); err != nil {
			return err
		}
		more, err := d.listSep()
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
}

func (d *Decoder) push() error {
	d.depth++
	if d.depth > d.opt.MaxDepth {
		return d.syntaxErr("", ErrTooDeep)
	}
	return nil
}

func (d *Decoder) pop() { d.depth-- }

// span returns the longest run of bytes of the class at the current
// position.
func (d *Decoder) span(class *[256]bool) []byte {
	start := d.pos
	line := d.line
	i := start
	for i < len(line) && class[line[i]] {
		i++
	}
	d.pos = i
	return line[start:i]
}

// atom reads an atom (1*ATOM-CHAR). Lenient mode also accepts "]", TAB
// and 8-bit bytes.
func (d *Decoder) atom() ([]byte, error) {
	var b []byte
	if d.strict() {
		b = d.span(&atomChar)
	} else {
		b = d.span(&lenientAtomChar)
	}
	if len(b) == 0 {
		return nil, d.errExpected("atom")
	}
	return b, nil
}

// codeAtom reads an atom inside a response code, where "]" ends it.
func (d *Decoder) codeAtom() ([]byte, error) {
	b := d.span(&atomChar)
	if len(b) == 0 {
		return nil, d.errExpected("atom")
	}
	return b, nil
}

// number reads a number (RFC 3501: 32-bit unsigned). Lenient mode reads -1
// as 0.
func (d *Decoder) number() (uint32, error) {
	n, err := d.number64()
	if err != nil {
		return 0, err
	}
	if n > 0xffffffff {
		return 0, d.errExpected("number below 2^32")
	}
	return uint32(n), nil
}

// nzNumber reads a non-zero number.
func (d *Decoder) nzNumber() (uint32, error) {
	start := d.pos
	n, err := d.number()
	if err != nil {
		return 0, err
	}
	if n == 0 && d.strict() {
		d.pos = start
		return 0, d.errExpected("non-zero number")
	}
	return n, nil
}

// number64 reads a number64 (RFC 9051: up to 2^63-1).
func (d *Decoder) number64() (uint64, error) {
	line := d.line
	i := d.pos
	if !d.strict() && i+1 < len(line) && line[i] == '-' && line[i+1] == '1' &&
		(i+2 == len(line) || line[i+2] < '0' || line[i+2] > '9') {
		d.pos = i + 2
		return 0, nil
	}
	start := i
	var n uint64
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		if n > (1<<63-1)/10 {
			d.pos = start
			return 0, d.errExpected("number below 2^63")
		}
		n = n*10 + uint64(line[i]-'0')
		i++
	}
	if i == start {
		return 0, d.errExpected("number")
	}
	if n > 1<<63-1 {
		d.pos = start
		return 0, d.errExpected("number below 2^63")
	}
	d.pos = i
	return n, nil
}

// isNIL reports (and consumes) the atom NIL, case-insensitively.
func (d *Decoder) acceptNIL() bool {
	line := d.line
	i := d.pos
	if i+3 <= len(line) && (line[i]|0x20) == 'n' && (line[i+1]|0x20) == 'i' && (line[i+2]|0x20) == 'l' &&
		(i+3 == len(line) || !astrChar[line[i+3]]) {
		d.pos = i + 3
		return true
	}
	return false
}

// quoted reads a quoted string, unescaping it in place. Strict mode allows
// only TEXT-CHARs (and UTF-8 when Options.UTF8 is set) and the escapes
// \" and \\.
func (d *Decoder) quoted() ([]byte, error) { return d.quotedOpt(false) }

// quotedOpt is quoted; with dq, a DQUOTE followed by another DQUOTE does
// not end the string but is part of it (see rQuotedDQ).
func (d *Decoder) quotedOpt(dq bool) ([]byte, error) {
	if !d.accept('"') {
		return nil, d.errExpected("quoted string")
	}
	line := d.line
	start := d.pos
	// Fast path: no escapes.
	i := start
	for i < len(line) {
		c := line[i]
		if c == '"' {
			if dq && i+1 < len(line) && line[i+1] == '"' {
				break
			}
			if err := d.checkQuoted(line[start:i], start); err != nil {
				return nil, err
			}
			d.pos = i + 1
			return line[start:i], nil
		}
		if c == '\\' {
			break
		}
		i++
	}
	// Slow path: unescape in place.
	w := i
	for i < len(line) {
		c := line[i]
		switch c {
		case '"':
			if dq && i+1 < len(line) && line[i+1] == '"' {
				line[w] = c
				w++
				i++
				continue
			}
			if err := d.checkQuoted(line[start:w], start); err != nil {
				return nil, err
			}
			d.pos = i + 1
			return line[start:w], nil
		case '\\':
			if i+1 >= len(line) {
				d.pos = i
				return nil, d.errExpected(`escaped character`)
			}
			n := line[i+1]
			if n != '"' && n != '\\' && d.strict() {
				d.pos = i
				return nil, d.errExpected(`\" or \\`)
			}
			if n != '"' && n != '\\' {
				// Lenient: keep the backslash as sent.
				line[w] = c
				w++
				i++
				continue
			}
			line[w] = n
			w++
			i += 2
		default:
			line[w] = c
			w++
			i++
		}
	}
	d.pos = len(line)
	return nil, d.errExpected(`closing DQUOTE`)
}

// checkQuoted applies strict mode's character rules to a quoted string.
func (d *Decoder) checkQuoted(b []byte, start int) error {
	if !d.strict() {
		if bytes.IndexByte(b, 0) >= 0 {
			d.pos = start
			return d.errExpected("no NUL in quoted string")
		}
		// Once UTF-8 is negotiated (UTF8=ACCEPT, IMAP4rev2), a quoted
		// string must be valid UTF-8 even in lenient mode: RFC 6855 §3
		// has the server answer BAD otherwise (a client stays tolerant).
		if d.opt.UTF8 && d.serverSide && !utf8.Valid(b) {
			d.pos = start
			return d.errExpected("UTF-8 quoted string")
		}
		return nil
	}
	ascii := true
	for _, c := range b {
		if c >= 0x80 {
			ascii = false
			continue
		}
		if c == 0 || c == '\r' || c == '\n' {
			d.pos = start
			return d.errExpected("TEXT-CHAR in quoted string")
		}
	}
	if !ascii && (!d.opt.UTF8 || !utf8.Valid(b)) {
		d.pos = start
		return d.errExpected("7-bit quoted string")
	}
	return nil
}

// literalHeader parses {n}, {n+} (RFC 7888), or ~{n} (RFC 3516), which must
// end the line segment.
func (d *Decoder) literalHeader(allowBinary bool) (litHeader, error) {
	var h litHeader
	if d.accept('~') {
		if !allowBinary && d.strict() {
			d.pos--
			return h, d.errExpected("literal")
		}
		h.binary = true
	}
	if err := d.expect('{'); err != nil {
		return h, err
	}
	start := d.pos
	var n int64
	for d.pos < len(d.line) && d.line[d.pos] >= '0' && d.line[d.pos] <= '9' {
		if n > (1<<62)/10 {
			return h, d.errExpected("literal size")
		}
		n = n*10 + int64(d.line[d.pos]-'0')
		d.pos++
	}
	if d.pos == start {
		return h, d.errExpected("literal size")
	}
	if d.accept('+') {
		// Non-synchronizing literals go from client to server only
		// (RFC 7888 §3, RFC 9051 §9 literal).
		if !d.serverSide && d.strict() {
			d.pos--
			return h, d.errExpected(`"}"`)
		}
		h.nonSync = true
	}
	if err := d.expect('}'); err != nil {
		return h, err
	}
	if !d.eol() {
		return h, d.errExpected("CRLF after literal")
	}
	if n > 0xffffffff && d.strict() {
		return h, d.errExpected("literal size below 2^32")
	}
	h.size = n
	d.nlit++
	if d.nlit > d.opt.MaxLiterals {
		return h, d.syntaxErr("", ErrTooManyLiterals)
	}
	if n > d.opt.MaxLiteralSize {
		return h, d.syntaxErr("", ErrLiteralTooLarge)
	}
	if h.nonSync && d.serverSide && d.opt.MaxNonSyncLiteral > 0 && n > d.opt.MaxNonSyncLiteral {
		// LITERAL- (RFC 7888 §5): fail the command; resynchronization
		// discards the octets the client sends anyway.
		return h, d.syntaxErr("", ErrLiteralTooLarge)
	}
	return h, nil
}

// startLiteral is called after a literal header: on the server side it
// asks for the continuation of a synchronizing literal.
func (d *Decoder) startLiteral(h litHeader) error {
	if d.serverSide && !h.nonSync && d.opt.Continue != nil {
		if err := d.opt.Continue(h.size); err != nil {
			return &SyntaxError{Offset: d.lineOff + int64(d.pos), Tag: d.tag, Err: wrapRefused(err)}
		}
	}
	d.lr.n = h.size
	return nil
}

type refusedError struct{ err error }

func (e *refusedError) Error() string { return "imap wire: literal refused: " + e.err.Error() }
func (e *refusedError) Unwrap() []error {
	return []error{ErrLiteralRefused, e.err}
}

func wrapRefused(err error) error {
	if err == ErrLiteralRefused {
		return err
	}
	return &refusedError{err}
}

// readLiteralData reads the announced literal into memory (bounded by
// MaxMemoryLiteral; the buffer grows as bytes arrive, never by the
// announced size alone) and then reads the next line segment.
func (d *Decoder) readLiteralData(h litHeader) ([]byte, error) {
	if h.size > d.opt.MaxMemoryLiteral {
		return nil, d.syntaxErr("", ErrLiteralTooLarge)
	}
	if err := d.startLiteral(h); err != nil {
		return nil, err
	}
	const small = 64 << 10
	var data []byte
	if h.size <= small {
		// Small literal: exactly one allocation. (A bytes.Buffer would
		// grow past the announced size to keep bytes.MinRead free.)
		data = make([]byte, h.size)
		if _, err := io.ReadFull(&d.lr, data); err != nil {
			return nil, eofToUnexpected(err, true)
		}
	} else {
		// Large literal: grow as the bytes arrive, never by the announced
		// size alone.
		data = make([]byte, 0, small)
		for int64(len(data)) < h.size {
			if len(data) == cap(data) {
				c := int64(2 * cap(data))
				if c > h.size {
					c = h.size
				}
				grown := make([]byte, len(data), c)
				copy(grown, data)
				data = grown
			}
			n, err := d.lr.Read(data[len(data):cap(data)])
			data = data[:len(data)+n]
			if err != nil && int64(len(data)) < h.size {
				return nil, eofToUnexpected(err, true)
			}
		}
	}
	if err := d.readLine(); err != nil {
		// The message goes on after a literal: EOF here is unexpected.
		return nil, eofToUnexpected(err, true)
	}
	return data, nil
}

// literalBytes reads a literal (header and data) into memory.
func (d *Decoder) literalBytes(allowBinary bool) ([]byte, error) {
	h, err := d.literalHeader(allowBinary)
	if err != nil {
		return nil, err
	}
	b, err := d.readLiteralData(h)
	if err == nil {
		err = d.checkLiteralNUL(h, b)
	}
	return b, err
}

// checkLiteralNUL applies strict mode's rule for commands that a literal
// (as opposed to a literal8, RFC 3516) holds no NUL: literal = "{" number
// "}" CRLF *CHAR8, CHAR8 = %x01-ff (RFC 3501 §9, RFC 9051 §9).
func (d *Decoder) checkLiteralNUL(h litHeader, b []byte) error {
	if d.serverSide && d.strict() && !h.binary && bytes.IndexByte(b, 0) >= 0 {
		return d.syntaxErr("literal8 for data holding NUL", nil)
	}
	return nil
}

// stringBytes reads a string: quoted or literal.
func (d *Decoder) stringBytes() ([]byte, error) {
	switch d.peek() {
	case '"':
		return d.quoted()
	case '{':
		return d.literalBytes(false)
	case '~':
		if !d.strict() {
			return d.literalBytes(true)
		}
	}
	return nil, d.errExpected("string")
}

// literal8Next reports whether a literal8 announcement ("~{") is next.
func (d *Decoder) literal8Next() bool {
	return d.pos+1 < len(d.line) && d.line[d.pos] == '~' && d.line[d.pos+1] == '{'
}

// string reads a string: quoted or literal.
func (d *Decoder) string() (string, error) {
	b, err := d.stringBytes()
	return str(b), err
}

// astringBytes reads an astring: 1*ASTRING-CHAR or string. Lenient mode
// also accepts atoms holding TAB or 8-bit bytes.
func (d *Decoder) astringBytes() ([]byte, error) {
	switch d.peek() {
	case '"', '{':
		return d.stringBytes()
	case '~':
		// "~" is an ATOM-CHAR ("~/Mail", RFC 3501 §6.3.8); only "~{"
		// starts a literal8.
		if d.literal8Next() {
			return d.stringBytes()
		}
	}
	var b []byte
	if d.strict() {
		b = d.span(&astrChar)
	} else {
		b = d.span(&lenientAst)
	}
	if len(b) == 0 {
		return nil, d.errExpected("astring")
	}
	return b, nil
}

// astring reads an astring.
func (d *Decoder) astring() (string, error) {
	b, err := d.astringBytes()
	return str(b), err
}

// nstring reads a string or NIL. Lenient mode also accepts an atom.
func (d *Decoder) nstring() (imap.NString, error) {
	if d.acceptNIL() {
		return imap.Nil, nil
	}
	if c := d.peek(); c == '"' || c == '{' || d.literal8Next() {
		b, err := d.stringBytes()
		if err != nil {
			return imap.Nil, err
		}
		return imap.NString{S: str(b), Valid: true}, nil
	}
	if !d.strict() {
		if b := d.span(&atomChar); len(b) > 0 {
			return imap.NString{S: str(b), Valid: true}, nil
		}
	}
	return imap.Nil, d.errExpected("string or NIL")
}

// nstringStr reads an nstring where the distinction of NIL does not matter
// and returns "" for NIL. Lenient mode accepts NIL where only a string is
// allowed, through this.
func (d *Decoder) stringOrNIL() (string, error) {
	if !d.strict() {
		n, err := d.nstring()
		return n.S, err
	}
	return d.string()
}

// rest returns the rest of the line segment (text).
func (d *Decoder) rest() []byte {
	b := d.line[d.pos:]
	d.pos = len(d.line)
	return b
}

// text reads the rest of the line as text (1*TEXT-CHAR). The grammar
// requires at least one character, but servers often send none; strict
// mode accepts an empty text only where the caller allows it.
func (d *Decoder) text() (string, error) {
	start := d.pos
	b := d.rest()
	if d.strict() {
		if i := d.badText(b); i >= 0 {
			d.pos = start + i
			return "", d.errExpected("TEXT-CHAR")
		}
	}
	return str(b), nil
}

// badText returns the index of the first byte of b that is not a TEXT-CHAR
// (any CHAR except CR and LF, RFC 3501 §9; UTF-8 too when Options.UTF8 is
// set, RFC 9051 §9), or -1. NUL is never allowed.
func (d *Decoder) badText(b []byte) int {
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case c == 0 || c == '\r' || c == '\n':
			return i
		case c >= 0x80:
			if !d.opt.UTF8 {
				return i
			}
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size <= 1 {
				return i
			}
			i += size - 1
		}
	}
	return -1
}

// end checks that the message ends here.
func (d *Decoder) end() error {
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	if !d.eol() {
		return d.errExpected("end of line")
	}
	return nil
}

// upperAtom returns the atom in upper case, sharing memory when already
// upper case.
func upper(b []byte) string {
	for _, c := range b {
		if c >= 'a' && c <= 'z' {
			return strings.ToUpper(string(b))
		}
	}
	return str(b)
}

// equalFoldASCII compares b with an upper-case ASCII string s.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}
