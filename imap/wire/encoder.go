package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// This file holds the Encoder and the grammar's primitives on the encoding
// side (RFC 3501 §4 and §9, RFC 9051 §4 and §9): atoms, quoted strings,
// literals (RFC 7888 LITERAL+/LITERAL-, RFC 3516 literal8), mailbox names,
// flags, dates and verbatim values. encode_command.go and
// encode_response.go build commands and responses from them.
//
// A message is built in two phases. First the whole message is laid out in
// an internal buffer: the line text with the headers of its literals, and a
// list of segments saying where each literal's data goes (the data is
// referenced, not copied, and streamed from its io.Reader when it has one).
// Every check happens in this phase, so an invalid value is reported before
// a single byte is written and the protocol stream is never left broken by
// a half-written message. Then the message is written: line text, and for
// each literal its data, flushing and waiting for the server's continuation
// before the data of a synchronizing literal on the client side.

// DefaultMaxQuoted is the default of EncoderOptions.MaxQuoted. Quoted
// strings cost no round trip but lengthen the command line; RFC 7162 §4
// asks clients to keep command lines (quoted strings included, literals
// excluded) to about 8192 octets and RFC 2683 §3.2.1.5 warns of servers
// with shorter limits, so strings beyond 1 KiB go as literals.
const DefaultMaxQuoted = 1024

// encLiteralMinusMax is the largest literal LITERAL- allows to be
// non-synchronizing (RFC 7888 §4, RFC 9051 §4.3).
const encLiteralMinusMax = 4096

// EncoderOptions configures an Encoder. The zero value (or nil) suits a peer
// that announced neither LITERAL+ nor LITERAL- and does not use UTF-8.
type EncoderOptions struct {
	// LiteralPlus says the server allows non-synchronizing literals {n+}
	// of any size (LITERAL+, RFC 7888). It matters on the client side only:
	// servers never send non-synchronizing literals (RFC 9051 §4.3).
	LiteralPlus bool
	// LiteralMinus says the server allows non-synchronizing literals of up
	// to 4096 octets (LITERAL-, RFC 7888 §4; part of IMAP4rev2).
	LiteralMinus bool
	// UTF8 says mailbox names are sent as UTF-8 and quoted strings and text
	// may hold UTF-8 (IMAP4rev2, or after ENABLE UTF8=ACCEPT, RFC 6855).
	// Without it mailbox names are sent in modified UTF-7 (RFC 3501
	// §5.1.3) and strings holding 8-bit octets are sent as literals.
	UTF8 bool
	// Continue is called on the client side after the header of a
	// synchronizing literal has been written and flushed, and before its
	// data is written. It must wait for the server's continuation request
	// "+" and return an error if the server answered with a tagged response
	// instead; the encoder then stops and returns that error, and the rest
	// of the command is not sent (the server has finished the command, so
	// the stream stays usable). A nil Continue does not wait, which suits
	// writing into a buffer but not talking to a server.
	Continue func() error
	// MaxQuoted is the longest string, in octets, sent as a quoted string;
	// longer ones are sent as literals. Zero or less means
	// DefaultMaxQuoted.
	MaxQuoted int
}

// Encoder writes IMAP commands (client side) and responses (server side).
//
// For every string-valued field it picks the form itself: an atom where the
// grammar allows one and the value is made of ASTRING-CHARs (and is not
// NIL in any case), a quoted string where the value is at most MaxQuoted
// octets without CR, LF or NUL, 7-bit or (with UTF8) UTF-8, and a literal
// otherwise; a literal8 (~{n}, RFC 3516) for data holding NUL where the
// grammar allows one (APPEND, BINARY[], METADATA values). Mailbox names are
// sent as INBOX for any case of it, and in modified UTF-7 unless UTF8 is
// set.
//
// On the client side a literal is non-synchronizing ({n+}) when the server
// allows it (LiteralPlus, or LiteralMinus up to 4096 octets); otherwise the
// encoder flushes the header and calls Continue before the data. Message
// data given as an io.Reader (imap.AppendMessage.Reader,
// imap.FetchItem.Reader) is streamed: exactly Size octets are copied, in
// bounded memory.
//
// A value that cannot be encoded as the grammar requires yields an
// *EncodeError before anything of the message is written. A write error,
// or a Reader ending early, leaves the output in the middle of a message:
// the error then matches ErrBroken, as does every later call.
//
// Messages are buffered: call Flush to send them. An Encoder is not safe for
// concurrent use.
type Encoder struct {
	w   *bufio.Writer
	opt EncoderOptions

	// The message being built: its line text and literal headers, and the
	// literals' data by reference.
	buf  []byte
	segs []encSegment

	client bool  // building a command (literals may need a continuation)
	berr   error // first error met while building the message
	err    error // sticky error: the output is broken
}

// encSegment is one literal of the message being built. The message's
// text up to end (which includes the literal's header) precedes the
// literal's data, which is s, b or exactly n octets read from r.
type encSegment struct {
	end  int
	sync bool // synchronizing literal on the client side
	s    string
	b    []byte
	r    io.Reader
	n    int64
}

// ErrEncode matches every *EncodeError.
var ErrEncode = errors.New("imap wire: cannot encode")

// ErrBroken matches the error returned when the output stream was left in
// the middle of a message: a write failed, or a literal's io.Reader failed
// or ended before its announced size. Every later call returns an error
// matching ErrBroken; the connection must be closed.
var ErrBroken = errors.New("imap wire: output stream broken")

// EncodeError reports a value the encoder cannot put on the wire as the
// grammar requires, such as a tag holding a space, a flag that is not an
// atom or text holding CR or LF. Nothing of the message was written.
type EncodeError struct {
	// What names the element being encoded, e.g. "tag" or "flag".
	What string
	// Value is the offending value (shortened if long), if any.
	Value string
	// Reason says what is wrong.
	Reason string
}

// Error formats the error.
func (e *EncodeError) Error() string {
	s := "imap wire: cannot encode " + e.What
	if e.Value != "" {
		v := e.Value
		if len(v) > 64 {
			v = v[:64] + "..."
		}
		s += " " + strconv.Quote(v)
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Is makes every EncodeError match ErrEncode.
func (e *EncodeError) Is(target error) bool { return target == ErrEncode }

// encBrokenError is the sticky error of an Encoder whose output is broken.
type encBrokenError struct{ err error }

func (e *encBrokenError) Error() string   { return "imap wire: output stream broken: " + e.err.Error() }
func (e *encBrokenError) Unwrap() []error { return []error{ErrBroken, e.err} }

// NewEncoder returns an Encoder writing to w, which it wraps in a
// bufio.Writer unless w is one. opts may be nil for the defaults; the
// Encoder keeps a copy.
func NewEncoder(w io.Writer, opts *EncoderOptions) *Encoder {
	e := &Encoder{}
	if bw, ok := w.(*bufio.Writer); ok {
		e.w = bw
	} else {
		e.w = bufio.NewWriter(w)
	}
	if opts != nil {
		e.opt = *opts
	}
	return e
}

// Options returns the encoder's current options.
func (e *Encoder) Options() EncoderOptions { return e.opt }

// SetUTF8 switches to UTF-8 mailbox names and strings (after ENABLE
// UTF8=ACCEPT or IMAP4rev2) or back to modified UTF-7.
func (e *Encoder) SetUTF8(on bool) { e.opt.UTF8 = on }

// SetLiteralPlus records whether the server allows non-synchronizing
// literals of any size (LITERAL+), e.g. after a CAPABILITY response.
func (e *Encoder) SetLiteralPlus(on bool) { e.opt.LiteralPlus = on }

// SetLiteralMinus records whether the server allows non-synchronizing
// literals of up to 4096 octets (LITERAL-, IMAP4rev2).
func (e *Encoder) SetLiteralMinus(on bool) { e.opt.LiteralMinus = on }

// SetContinue replaces EncoderOptions.Continue.
func (e *Encoder) SetContinue(f func() error) { e.opt.Continue = f }

// Flush writes any buffered data to the underlying writer.
func (e *Encoder) Flush() error {
	if e.err != nil {
		return e.err
	}
	if err := e.w.Flush(); err != nil {
		return e.broken(err)
	}
	return nil
}

// WriteLine writes line followed by CRLF, outside the grammar of commands
// and responses: a SASL response during AUTHENTICATE (RFC 9051 §6.2.2) or
// the DONE that ends IDLE (RFC 2177). line must not hold CR, LF or NUL.
func (e *Encoder) WriteLine(line []byte) error {
	if e.err != nil {
		return e.err
	}
	for i, c := range line {
		if c == '\r' || c == '\n' || c == 0 {
			// The line is left out of the error: it may be a SASL
			// response, holding credentials.
			return &EncodeError{What: "line", Reason: "CR, LF or NUL at offset " + strconv.Itoa(i)}
		}
	}
	if _, err := e.w.Write(line); err != nil {
		return e.broken(err)
	}
	if _, err := e.w.WriteString("\r\n"); err != nil {
		return e.broken(err)
	}
	return nil
}

// WriteContinuation writes the continuation request "+ text" (RFC 9051
// §7.5): text is a human-readable text or, during AUTHENTICATE, a base64
// challenge. It must not hold CR, LF or NUL, nor 8-bit octets unless UTF8
// is set.
func (e *Encoder) WriteContinuation(text string) error {
	return e.WriteResponse(&Response{Kind: KindContinuation, Text: text})
}

// broken records a failure that left the output in the middle of a message.
func (e *Encoder) broken(err error) error {
	if e.err == nil {
		e.err = &encBrokenError{err}
	}
	return e.err
}

// begin starts building a message.
func (e *Encoder) begin(client bool) {
	e.buf = e.buf[:0]
	e.segs = e.segs[:0]
	e.berr = nil
	e.client = client
}

// fail records an encoding error; the first one wins. Building goes on
// harmlessly, and the message is not written.
func (e *Encoder) fail(what, value, reason string) {
	if what == "password" {
		value = "" // keep credentials out of errors and logs
	}
	if e.berr == nil {
		e.berr = &EncodeError{What: what, Value: value, Reason: reason}
	}
}

// finish ends the message with CRLF and writes it, literals included.
func (e *Encoder) finish() error {
	defer e.release()
	if e.berr != nil {
		return e.berr
	}
	e.buf = append(e.buf, '\r', '\n')
	pos := 0
	for i := range e.segs {
		s := &e.segs[i]
		if _, err := e.w.Write(e.buf[pos:s.end]); err != nil {
			return e.broken(err)
		}
		pos = s.end
		if s.sync {
			if err := e.w.Flush(); err != nil {
				return e.broken(err)
			}
			if e.opt.Continue != nil {
				if err := e.opt.Continue(); err != nil {
					// The server refused the literal and ended the
					// command: nothing more of it may be sent, and the
					// stream is at a message boundary.
					return err
				}
			}
		}
		switch {
		case s.r != nil:
			n, err := io.CopyN(e.w, s.r, s.n)
			if err == io.EOF || (err == nil && n != s.n) {
				err = io.ErrUnexpectedEOF
			}
			if err != nil {
				return e.broken(err)
			}
		case s.b != nil:
			if _, err := e.w.Write(s.b); err != nil {
				return e.broken(err)
			}
		default:
			if _, err := e.w.WriteString(s.s); err != nil {
				return e.broken(err)
			}
		}
	}
	if _, err := e.w.Write(e.buf[pos:]); err != nil {
		return e.broken(err)
	}
	return nil
}

// release drops the references to the message's data.
func (e *Encoder) release() {
	clear(e.segs)
	e.segs = e.segs[:0]
	if cap(e.buf) > 1<<20 {
		e.buf = nil // do not keep a huge line's buffer around
	}
}

// --- primitives ---

func (e *Encoder) sp()            { e.buf = append(e.buf, ' ') }
func (e *Encoder) byte1(c byte)   { e.buf = append(e.buf, c) }
func (e *Encoder) raw(s string)   { e.buf = append(e.buf, s...) }
func (e *Encoder) num(n uint64)   { e.buf = strconv.AppendUint(e.buf, n, 10) }
func (e *Encoder) num32(n uint32) { e.buf = strconv.AppendUint(e.buf, uint64(n), 10) }

// encMaxNumber64 is the largest number64 (RFC 9051 §9).
const encMaxNumber64 = 1<<63 - 1

// number64 appends a number64 (RFC 9051 §9: at most 2^63-1).
func (e *Encoder) number64(what string, n uint64) {
	if n > encMaxNumber64 {
		e.fail(what, strconv.FormatUint(n, 10), "number above 2^63-1")
	}
	e.num(n)
}

// nz appends a non-zero 32-bit number (nz-number).
func (e *Encoder) nz(what string, n uint32) {
	if n == 0 {
		e.fail(what, "0", "must be non-zero")
	}
	e.num32(n)
}

// nz64 appends a non-zero number that must fit in 32 bits (a uniqueid or
// nz-number carried in a uint64 field).
func (e *Encoder) nz64(what string, n uint64) {
	if n == 0 || n > 0xffffffff {
		e.fail(what, strconv.FormatUint(n, 10), "must be a non-zero 32-bit number")
	}
	e.num(n)
}

// number32 appends a 32-bit number carried in a uint64 field.
func (e *Encoder) number32(what string, n uint64) {
	if n > 0xffffffff {
		e.fail(what, strconv.FormatUint(n, 10), "number above 2^32-1")
	}
	e.num(n)
}

// Byte classes for choosing the form of a string in one pass over it: the
// bits of every byte of a string are ORed together (encClassify).
const (
	encCEscape  = 1 << iota // quoted-specials: DQUOTE, "\" (escaped when quoted)
	encCBad                 // CR, LF, NUL: never in a quoted string
	encC8bit                // 8-bit: quoted only as UTF-8 with UTF8 set
	encCNotAtom             // not an ATOM-CHAR
	encCNotAstr             // not an ASTRING-CHAR
	encCNotList             // not a list-char (RFC 9051 §9)
)

// encClass holds the classes of every byte. It is computed from the
// grammar here rather than from scan.go's tables, which are filled by an
// init function that may run after this one.
var encClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		var k uint8
		switch {
		case c == '"' || c == '\\':
			k |= encCEscape
		case c == '\r' || c == '\n' || c == 0:
			k |= encCBad
		case c >= 0x80:
			k |= encC8bit
		}
		// ATOM-CHAR = any CHAR except atom-specials: "(" / ")" / "{" /
		// SP / CTL / list-wildcards / quoted-specials / resp-specials.
		atom := c > 0x20 && c < 0x7f
		switch c {
		case '(', ')', '{', '%', '*', '"', '\\', ']':
			atom = false
		}
		astr := atom || c == ']'                         // ASTRING-CHAR
		list := atom || c == ']' || c == '%' || c == '*' // list-char
		if !atom {
			k |= encCNotAtom
		}
		if !astr {
			k |= encCNotAstr
		}
		if !list {
			k |= encCNotList
		}
		t[c] = k
	}
	return t
}()

// encClassify returns the union of the classes of s's bytes.
func encClassify(s string) uint8 {
	var a, b uint8
	i := 0
	for ; i+4 <= len(s); i += 4 {
		a |= encClass[s[i]] | encClass[s[i+1]]
		b |= encClass[s[i+2]] | encClass[s[i+3]]
	}
	for ; i < len(s); i++ {
		a |= encClass[s[i]]
	}
	return a | b
}

// encIsAtom reports whether s is an atom (1*ATOM-CHAR).
func encIsAtom(s string) bool {
	return s != "" && encClassify(s)&encCNotAtom == 0
}

// encIsNIL reports whether s is "NIL" in any case. Sent as an atom it
// would be read as NIL where an nstring may stand, and confuse lenient
// decoders elsewhere, so it is always quoted.
func encIsNIL(s string) bool {
	return len(s) == 3 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'i' && (s[2]|0x20) == 'l'
}

// atom appends an atom, which must be valid.
func (e *Encoder) atom(what, s string) {
	if !encIsAtom(s) {
		e.fail(what, s, "not an atom")
	}
	e.raw(s)
}

// quotable reports whether s, of class k, can be sent as a quoted string:
// not too long, no CR, LF or NUL, and 7-bit unless UTF8 is set (then valid
// UTF-8). RFC 9051 §4.3 and §9: QUOTED-CHAR is any TEXT-CHAR (CHAR except
// CR and LF) other than the escaped quoted-specials, or, in IMAP4rev2,
// UTF-8.
func (e *Encoder) quotable(s string, k uint8) bool {
	if len(s) > e.maxQuoted() || k&encCBad != 0 {
		return false
	}
	return k&encC8bit == 0 || (e.opt.UTF8 && utf8.ValidString(s))
}

// quoted appends s, of class k, as a quoted string; the caller checked
// quotable.
func (e *Encoder) quoted(s string, k uint8) {
	e.buf = append(e.buf, '"')
	if k&encCEscape == 0 {
		e.buf = append(e.buf, s...)
		e.buf = append(e.buf, '"')
		return
	}
	start := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			e.buf = append(e.buf, s[start:i]...)
			e.buf = append(e.buf, '\\', c)
			start = i + 1
		}
	}
	e.buf = append(e.buf, s[start:]...)
	e.buf = append(e.buf, '"')
}

// literalHeader appends the header of a literal of n octets ({n}, {n+},
// ~{n} or ~{n+}) and records a segment for its data, which the caller
// fills in. Non-synchronizing literals are sent by clients only, and only
// when the server allows them (RFC 7888; RFC 3516 §4.2 for ~{n+}); servers
// never send them (RFC 9051 §4.3) and never wait for a continuation.
func (e *Encoder) literalHeader(n int64, binary bool) *encSegment {
	if binary {
		e.buf = append(e.buf, '~')
	}
	e.buf = append(e.buf, '{')
	e.buf = strconv.AppendInt(e.buf, n, 10)
	sync := false
	if e.client {
		if e.opt.LiteralPlus || (e.opt.LiteralMinus && n <= encLiteralMinusMax) {
			e.buf = append(e.buf, '+')
		} else {
			sync = true
		}
	}
	e.buf = append(e.buf, '}', '\r', '\n')
	e.segs = append(e.segs, encSegment{end: len(e.buf), sync: sync})
	return &e.segs[len(e.segs)-1]
}

// literal appends s as a literal. A NUL can only be sent in a literal8
// (RFC 9051 §9: CHAR8 excludes NUL; RFC 3516).
func (e *Encoder) literal(what, s string, binary bool) {
	if !binary && strings.IndexByte(s, 0) >= 0 {
		e.fail(what, s, "NUL is not allowed in a string")
	}
	e.literalHeader(int64(len(s)), binary).s = s
}

// str appends s as a string (quoted or literal).
func (e *Encoder) str(what, s string) {
	// Message data (long, with line ends) goes as a literal without a
	// byte-by-byte look at it; IndexByte is vectorized.
	if len(s) > 32 && (len(s) > e.maxQuoted() || strings.IndexByte(s, '\n') >= 0) {
		e.literal(what, s, false)
		return
	}
	e.strk(what, s, encClassify(s))
}

// maxQuoted returns the longest string sent quoted.
func (e *Encoder) maxQuoted() int {
	if e.opt.MaxQuoted <= 0 {
		return DefaultMaxQuoted
	}
	return e.opt.MaxQuoted
}

// strk is str for s of class k.
func (e *Encoder) strk(what, s string, k uint8) {
	if e.quotable(s, k) {
		e.quoted(s, k)
		return
	}
	e.literal(what, s, false)
}

// astr appends s as an astring: an atom when it can be one.
func (e *Encoder) astr(what, s string) {
	k := encClassify(s)
	if s != "" && k&encCNotAstr == 0 && !encIsNIL(s) {
		e.raw(s)
		return
	}
	e.strk(what, s, k)
}

// nstr appends an nstring: NIL or a string.
func (e *Encoder) nstr(what string, n imap.NString) {
	if !n.Valid {
		e.raw("NIL")
		return
	}
	e.str(what, n.S)
}

// quotedOnly appends s as a quoted string where the grammar allows no
// other form (e.g. the CHILDINFO options, RFC 5258 §6), whatever its
// length.
func (e *Encoder) quotedOnly(what, s string) {
	k := encClassify(s)
	if k&encCBad != 0 || k&encC8bit != 0 && !(e.opt.UTF8 && utf8.ValidString(s)) {
		e.fail(what, s, "cannot be sent as a quoted string")
	}
	e.quoted(s, k)
}

// charset appends a charset: atom / quoted (RFC 9051 §9).
func (e *Encoder) charset(s string) {
	if encIsAtom(s) {
		e.raw(s)
		return
	}
	e.quotedOnly("charset", s)
}

// mailboxName returns the wire form of a mailbox name, before choosing
// atom, quoted or literal: INBOX for every case variant of it
// (RFC 9051 §9 mailbox), modified UTF-7 unless UTF-8 is in use
// (RFC 3501 §5.1.3).
func (e *Encoder) mailboxName(what, name string) string {
	if imap.IsInbox(name) {
		return "INBOX"
	}
	if !utf8.ValidString(name) {
		e.fail(what, name, "invalid UTF-8")
		return name
	}
	if !e.opt.UTF8 {
		return imap.EncodeMailboxUTF7(name)
	}
	return name
}

// mailbox appends a mailbox name (mailbox = "INBOX" / astring). The empty
// name is allowed: it is the LIST reference and the server of METADATA.
func (e *Encoder) mailbox(what, name string) {
	e.astr(what, e.mailboxName(what, name))
}

// listMailbox appends a LIST pattern (list-mailbox = 1*list-char / string),
// where the wildcards "%" and "*" may stand in an atom.
func (e *Encoder) listMailbox(s string) {
	if !utf8.ValidString(s) {
		e.fail("mailbox pattern", s, "invalid UTF-8")
	} else if !e.opt.UTF8 {
		s = imap.EncodeMailboxUTF7(s)
	}
	k := encClassify(s)
	if s != "" && k&encCNotList == 0 && !encIsNIL(s) {
		e.raw(s)
		return
	}
	e.strk("mailbox pattern", s, k)
}

// delim appends a hierarchy delimiter: DQUOTE QUOTED-CHAR DQUOTE / nil
// (RFC 9051 §9 mailbox-list); 0 is NIL.
func (e *Encoder) delim(r rune) {
	switch {
	case r == 0:
		e.raw("NIL")
	case r == '"' || r == '\\':
		e.buf = append(e.buf, '"', '\\', byte(r), '"')
	case r == '\r' || r == '\n' || r < 0:
		e.fail("hierarchy delimiter", string(r), "not a QUOTED-CHAR")
	case r < utf8.RuneSelf:
		e.buf = append(e.buf, '"', byte(r), '"')
	case !e.opt.UTF8 || !utf8.ValidRune(r):
		e.fail("hierarchy delimiter", string(r), "8-bit delimiter requires UTF-8")
	default:
		e.buf = append(e.buf, '"')
		e.buf = utf8.AppendRune(e.buf, r)
		e.buf = append(e.buf, '"')
	}
}

// flag appends a flag: a keyword (atom) or "\" atom; "\*" only where perm
// is set (flag-perm, RFC 9051 §9).
func (e *Encoder) flag(f imap.Flag, perm bool) {
	s := string(f)
	switch {
	case s == `\*`:
		if !perm {
			e.fail("flag", s, `\* is allowed in PERMANENTFLAGS only`)
		}
	case len(s) > 0 && s[0] == '\\':
		if !encIsAtom(s[1:]) {
			e.fail("flag", s, `not "\" followed by an atom`)
		}
	default:
		if !encIsAtom(s) {
			e.fail("flag", s, "keyword is not an atom")
		}
	}
	e.raw(s)
}

// flagList appends "(" [flag *(SP flag)] ")".
func (e *Encoder) flagList(flags []imap.Flag, perm bool) {
	e.byte1('(')
	for i, f := range flags {
		if i > 0 {
			e.sp()
		}
		e.flag(f, perm)
	}
	e.byte1(')')
}

// mailboxAttr appends a mailbox attribute: "\" atom.
func (e *Encoder) mailboxAttr(a imap.MailboxAttr) {
	s := string(a)
	if len(s) < 2 || s[0] != '\\' || !encIsAtom(s[1:]) {
		e.fail("mailbox attribute", s, `not "\" followed by an atom`)
	}
	e.raw(s)
}

// capability appends a capability name (RFC 9051 §9: "AUTH=" auth-type /
// atom).
func (e *Encoder) capability(c imap.Cap) { e.atom("capability", string(c)) }

// numSet appends a sequence set; the empty set cannot be sent.
func (e *Encoder) numSet(what string, s imap.NumSet) {
	if s.IsEmpty() && !s.IsSearchRes() {
		e.fail(what, "", "empty sequence set")
		return
	}
	e.buf = s.AppendTo(e.buf)
}

// uidSet appends a set of UIDs where "$" and "*" are not allowed
// (uid-set, RFC 9051 §9; known-uids, RFC 7162 §7).
func (e *Encoder) uidSet(what string, s imap.NumSet) {
	if s.IsSearchRes() {
		e.fail(what, "$", "not allowed here")
	} else if s.ContainsStar() {
		e.fail(what, s.String(), `"*" not allowed here`)
	}
	e.numSet(what, s)
}

var encMonths = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// date appends a search date, date-text = date-day "-" date-month "-"
// date-year (RFC 9051 §9), e.g. 1-Feb-1994, from the date of t in t's
// location.
func (e *Encoder) date(t time.Time) {
	y, m, d := t.Date()
	if y < 0 || y > 9999 {
		e.fail("date", t.String(), "year outside 0000-9999")
		return
	}
	e.buf = strconv.AppendInt(e.buf, int64(d), 10)
	e.buf = append(e.buf, '-')
	e.buf = append(e.buf, encMonths[m-1]...)
	e.buf = append(e.buf, '-')
	e.buf = encAppendDigits(e.buf, y, 4)
}

// dateTime appends a date-time (RFC 9051 §9), e.g.
// "17-Jul-1996 02:44:25 -0700", in t's zone (rounded to whole minutes).
func (e *Encoder) dateTime(t time.Time) {
	if y := t.Year(); y < 0 || y > 9999 {
		e.fail("date-time", t.String(), "year outside 0000-9999")
		return
	}
	e.buf = append(e.buf, '"')
	e.buf = appendDateTimeText(e.buf, t)
	e.buf = append(e.buf, '"')
}

// appendDateTimeText appends the text of a date-time without its quotes,
// in the form the encoder writes: " 7-Jul-1996 02:44:25 -0700". The year
// must be within 0-9999. The decoder gives the SAVEDATE item this text
// too, so that it round-trips.
func appendDateTimeText(b []byte, t time.Time) []byte {
	y, m, d := t.Date()
	hh, mm, ss := t.Clock()
	_, off := t.Zone()
	if d < 10 {
		b = append(b, ' ', byte('0'+d)) // date-day-fixed = (SP DIGIT) / 2DIGIT
	} else {
		b = encAppendDigits(b, d, 2)
	}
	b = append(b, '-')
	b = append(b, encMonths[m-1]...)
	b = append(b, '-')
	b = encAppendDigits(b, y, 4)
	b = append(b, ' ')
	b = encAppendDigits(b, hh, 2)
	b = append(b, ':')
	b = encAppendDigits(b, mm, 2)
	b = append(b, ':')
	b = encAppendDigits(b, ss, 2)
	b = append(b, ' ')
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	off /= 60
	b = encAppendDigits(b, off/60%100, 2)
	return encAppendDigits(b, off%60, 2)
}

// encAppendDigits appends n (>= 0) zero-padded to width digits.
func encAppendDigits(b []byte, n, width int) []byte {
	var tmp [20]byte
	i := len(tmp)
	for n > 0 || len(tmp)-i < width {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[i:]...)
}

// text appends human-readable text (RFC 9051 §9 text: TEXT-CHAR, and UTF-8
// in IMAP4rev2): no CR, LF or NUL, and 8-bit only with UTF8.
func (e *Encoder) text(what, s string) {
	if !e.validText(s) {
		e.fail(what, s, "not text: CR, LF, NUL, or 8-bit without UTF-8")
	}
	e.raw(s)
}

func (e *Encoder) validText(s string) bool {
	k := encClassify(s)
	return k&encCBad == 0 && (k&encC8bit == 0 || (e.opt.UTF8 && utf8.ValidString(s)))
}

// rawValue appends protocol data kept verbatim (imap.RawValue, vendor
// values): atoms, quoted strings, lists and literals as they appeared on
// the wire. Verbatim data must not break the message's framing, so CR and
// LF may appear only as the CRLF ending a literal header, which must be
// followed by the literal's data; a NUL only inside a literal8; and the
// value may not end with something that reads as a literal header. A
// value (text false) must close its quoted strings, and a literal header
// inside one is no header. The rest of a line kept verbatim (text true) is
// framed as peers frame it when they skip what they cannot parse: any
// "{n}" before a line end is a literal (see trailingLiteral).
// Literal headers are rewritten for the direction and the peer's
// capabilities ({n+} only from clients that may send it), and a client's
// synchronizing literal waits for the continuation like any other.
func (e *Encoder) rawValue(what string, v []byte, text bool) {
	start := 0
	inQuote := false
	depth := 0 // inside an atom's [bracketed] part, where '"' is text (appendRawAtom)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if inQuote {
			switch c {
			case '\\':
				if i+1 < len(v) && v[i+1] != '\r' && v[i+1] != '\n' && v[i+1] != 0 {
					i++
				}
			case '"':
				inQuote = false
			case '\r', '\n', 0:
				e.fail(what, string(v), "CR, LF or NUL in a quoted string")
				return
			}
			continue
		}
		switch c {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '"':
			inQuote = !text && depth == 0
		case '\r', '\n', 0:
			e.fail(what, string(v), "CR, LF or NUL outside a literal")
			return
		case '{':
			n, end, ok := encScanLiteralHeader(v, i)
			if !ok {
				continue
			}
			if end == len(v) {
				e.fail(what, string(v), "ends with a literal header")
				return
			}
			if end+2 > len(v) || v[end] != '\r' || v[end+1] != '\n' {
				continue // "{5}" as text, harmless
			}
			data := end + 2
			if int64(len(v)-data) < n {
				e.fail(what, string(v), "literal shorter than its header says")
				return
			}
			binary := i > 0 && v[i-1] == '~'
			head := i
			if binary {
				head--
			}
			lit := v[data : data+int(n)]
			if !binary && bytes.IndexByte(lit, 0) >= 0 {
				e.fail(what, string(v), "NUL in a literal")
				return
			}
			e.buf = append(e.buf, v[start:head]...)
			e.literalHeader(n, binary).b = lit
			i = data + int(n) - 1
			start = data + int(n)
		}
	}
	if inQuote {
		e.fail(what, string(v), "unterminated quoted string")
		return
	}
	e.buf = append(e.buf, v[start:]...)
}

// encScanLiteralHeader reads "{" digits ["+"] "}" at v[i]; it returns the
// size and the offset after "}".
func encScanLiteralHeader[T string | []byte](v T, i int) (n int64, end int, ok bool) {
	n, _, end, ok = scanLiteralHeader(v, i)
	return n, end, ok
}

// option appends a LIST selection or return option, a SEARCH return
// option and the like: an option name (atom), optionally followed by SP
// and a value kept verbatim (RFC 5258 option-extension, RFC 4466
// search-ret-opt-ext).
func (e *Encoder) option(what, s string) {
	name, value, hasValue := strings.Cut(s, " ")
	e.atom(what, name)
	if hasValue {
		e.sp()
		e.rawValue(what, []byte(value), false)
	}
}

// objectID appends an object identifier (RFC 8474 §7: 1*255(ALPHA / DIGIT
// / "_" / "-")).
func (e *Encoder) objectID(what, s string) {
	ok := len(s) > 0 && len(s) <= 255
	for i := 0; ok && i < len(s); i++ {
		c := s[i]
		ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
	}
	if !ok {
		e.fail(what, s, "not an object identifier")
	}
	e.raw(s)
}

// tag appends a command tag (RFC 9051 §9: 1*<any ASTRING-CHAR except "+">).
func (e *Encoder) tag(s string) {
	ok := s != ""
	for i := 0; ok && i < len(s); i++ {
		ok = encClass[s[i]]&encCNotAstr == 0 && s[i] != '+'
	}
	if !ok {
		e.fail("tag", s, `not 1*<ASTRING-CHAR except "+">`)
	}
	e.raw(s)
}
