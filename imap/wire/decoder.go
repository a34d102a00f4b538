package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"unsafe"

	"github.com/mailaccess/mailaccess/imap"
)

// Mode selects how strictly the decoder follows the grammar.
type Mode uint8

const (
	// Lenient, the default, accepts what real servers and clients send:
	// -1 where a number belongs, NIL where a string belongs, missing or
	// doubled spaces between list items, atoms and unquoted mailbox names
	// holding "]", TAB or 8-bit bytes, lowercase keywords, 8-bit bytes in
	// quoted strings, a bare "+" continuation, bare LF line ends, an
	// ENVELOPE wrapped in an extra pair of parentheses, a body disposition
	// that is a bare string, a FETCH item with no value, and unknown search
	// keys and commands (kept raw).
	//
	// In ENVELOPE and BODYSTRUCTURE it also accepts the forms of specific
	// servers (body_decode.go names each one and its source): an empty
	// body "()" (decoded with nothing set), a multipart without parts
	// (media-subtype first, or NIL in place of the parts; decoded with
	// Type "MULTIPART" and an empty, non-nil Parts), NIL among the
	// addresses of a list (skipped), an envelope without its last one or
	// two fields, a negative or floating-point body-fld-octets or
	// body-fld-lines, NIL in a body-fld-lang list (skipped), body-fld-param
	// in place of body-fld-md5, and a quoted string holding doubled
	// DQUOTEs for unescaped ones.
	Lenient Mode = iota
	// Strict rejects every deviation from the ABNF.
	Strict
)

// String returns "lenient" or "strict".
func (m Mode) String() string {
	if m == Strict {
		return "strict"
	}
	return "lenient"
}

// Default limits.
const (
	DefaultMaxLineLength    = 1 << 20  // 1 MiB of line outside literals
	DefaultMaxLiteralSize   = 1 << 30  // 1 GiB for a streamed literal
	DefaultMaxMemoryLiteral = 16 << 20 // 16 MiB for a literal held in memory
	DefaultMaxDepth         = 64
	DefaultMaxListLength    = 1 << 20
	DefaultMaxLiterals      = 4096
)

// Literal describes a literal handed to Options.Stream. Reading from it
// reads the literal's bytes straight from the connection; it is valid only
// during the call to the handler.
type Literal struct {
	Size    int64
	NonSync bool // {n+}
	Binary  bool // ~{n} (literal8)

	// Command is the command being decoded (server side), "APPEND" or
	// "REPLACE" (RFC 8508), and Message the index of the message in a
	// MULTIAPPEND.
	Command string
	Message int
	// Tag is the command's tag (server side).
	Tag string
	// Mailbox and Append are what the APPEND or REPLACE command said
	// before this literal: the destination and the message's flags and
	// date (server side), so that a handler can store the message as it
	// arrives.
	Mailbox string
	Append  *imap.AppendMessage

	// Seq and Item identify the FETCH response item being decoded (client
	// side): Item's Kind, Section and Origin are set. On the server side,
	// Seq is the message a REPLACE replaces (imap.Star for "*").
	Seq  uint32
	Item *imap.FetchItem
	// UID says Seq is a UID: the response is UIDFETCH (RFC 9586 §3.3,
	// client side) or the command UID REPLACE (server side).
	UID bool

	r *literalReader
}

// Read reads the literal's bytes.
func (l *Literal) Read(p []byte) (int, error) { return l.r.Read(p) }

// FetchItemDecoder decodes the value of a vendor FETCH item (e.g. Gmail's
// X-GM-LABELS). It reads the value with the Scanner and returns what goes
// into FetchItem.Value.
type FetchItemDecoder func(s *Scanner) (any, error)

// Options configures a Decoder. The zero value is lenient with the default
// limits.
type Options struct {
	Mode Mode

	// Limits; zero means the default.
	MaxLineLength    int   // bytes of one line outside literals
	MaxLiteralSize   int64 // any literal
	MaxMemoryLiteral int64 // a literal read into memory
	MaxDepth         int   // nesting of lists, body structures, search keys
	MaxListLength    int   // items in one list or number sequence
	MaxLiterals      int   // literals in one message

	// MaxNonSyncLiteral, if positive, is the largest non-synchronizing
	// literal ({n+}) a command may carry (server side). A server
	// announcing LITERAL- (RFC 7888 §5) sets it to 4096: a larger one
	// fails the command with an error wrapping ErrLiteralTooLarge, after
	// its octets have been read and discarded, so the server can answer
	// BAD. Zero means no limit beyond MaxLiteralSize.
	MaxNonSyncLiteral int64

	// UTF8 says mailbox names are sent as UTF-8 (IMAP4rev2, UTF8=ACCEPT)
	// rather than modified UTF-7; with it, quoted strings may hold UTF-8.
	UTF8 bool

	// Continue is called (server side) before a synchronizing literal of
	// the given size is read; it must send the continuation request. If it
	// returns an error, the literal is not read and decoding the command
	// fails with that error (wrapping ErrLiteralRefused is customary).
	Continue func(size int64) error

	// Stream, if set, receives message-data literals as they arrive
	// (FETCH and UIDFETCH BODY[]/BINARY[]/RFC822* on the client side,
	// APPEND and REPLACE messages on the server side; Literal.Command
	// tells them apart). Unread bytes are discarded after it returns.
	Stream func(lit *Literal) error

	// FetchItems maps vendor FETCH item names (upper case) to decoders.
	FetchItems map[string]FetchItemDecoder
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.MaxLineLength <= 0 {
		c.MaxLineLength = DefaultMaxLineLength
	}
	if c.MaxLiteralSize <= 0 {
		c.MaxLiteralSize = DefaultMaxLiteralSize
	}
	if c.MaxMemoryLiteral <= 0 {
		c.MaxMemoryLiteral = DefaultMaxMemoryLiteral
	}
	if c.MaxDepth <= 0 {
		c.MaxDepth = DefaultMaxDepth
	}
	if c.MaxListLength <= 0 {
		c.MaxListLength = DefaultMaxListLength
	}
	if c.MaxLiterals <= 0 {
		c.MaxLiterals = DefaultMaxLiterals
	}
	return c
}

// Decoder decodes IMAP messages from a buffered reader. It is not safe for
// concurrent use.
type Decoder struct {
	r   *bufio.Reader
	opt Options

	off int64 // stream offset of the next unread byte

	// The current line segment of the message being decoded. It is owned
	// by the message: strings handed out point into it.
	line    []byte
	pos     int
	lineOff int64 // stream offset of line[0]

	// Per-message state.
	nlit       int
	depth      int
	serverSide bool // decoding commands
	tag        string
	cmdName    string
	appendIdx  int
	uidFetch   bool // decoding a UIDFETCH response

	lr  literalReader
	lit Literal

	zones zoneCache // time.FixedZone values of decoded date-times

	resp respState // response decoding: scratch and slabs (response_decode.go)
}

// NewDecoder returns a Decoder reading from r with the given options
// (nil for the defaults).
func NewDecoder(r *bufio.Reader, opts *Options) *Decoder {
	d := &Decoder{r: r, opt: opts.withDefaults()}
	d.lr.d = d
	return d
}

// Options returns the decoder's options, with defaults filled in.
func (d *Decoder) Options() Options { return d.opt }

// SetUTF8 switches mailbox-name decoding to UTF-8 (after ENABLE UTF8=ACCEPT
// or IMAP4rev2).
func (d *Decoder) SetUTF8(on bool) { d.opt.UTF8 = on }

// Offset returns the number of bytes consumed from the stream so far.
func (d *Decoder) Offset() int64 { return d.off }

// Buffered returns the number of bytes buffered but not yet decoded.
// After STARTTLS a server must discard them (RFC 3501 §6.2.1; the
// CVE-2011-0411 class of injection).
func (d *Decoder) Buffered() int { return d.r.Buffered() }

// TakeBuffered returns the bytes the decoder has read from its reader but
// not yet decoded, in a new slice (nil if there are none), and drops them
// from the decoder, whose Offset moves past them.
//
// It is for handing the stream over at a message boundary, when what
// follows is no longer this decoder's to read: a client that gets the OK
// to COMPRESS (RFC 4978 §3: the server compresses from the octet after
// that CRLF) feeds these bytes to the decompressor before the rest of the
// connection; a proxy that stops decoding forwards them as they are. Call
// it after the response or command that ends the decoder's part, and read
// no more messages with it (a new Decoder reads the new stream). After
// STARTTLS the bytes must not be used at all (RFC 3501 §6.2.1; RFC 9051
// §6.2.1), but a server may take them to log or count them.
//
// Called during Options.Stream, while a literal is being read, it returns
// nil and drops nothing.
func (d *Decoder) TakeBuffered() []byte {
	n := d.r.Buffered()
	if n == 0 || d.lr.n > 0 {
		return nil
	}
	b, _ := d.r.Peek(n)
	out := bytes.Clone(b)
	d.r.Discard(n)
	d.off += int64(n)
	return out
}

// ReadLine reads one raw line outside the grammar of commands and responses:
// a SASL response during AUTHENTICATE or the DONE ending IDLE. The CRLF
// (or, in lenient mode, bare LF) is removed. The returned slice is the
// caller's.
func (d *Decoder) ReadLine() ([]byte, error) {
	if err := d.readLine(); err != nil {
		if errors.Is(err, ErrLimit) {
			return nil, d.syntaxErr("", err)
		}
		return nil, err
	}
	return d.line, nil
}

// beginMessage resets per-message state and reads the first line. It
// returns io.EOF cleanly at a message boundary.
func (d *Decoder) beginMessage(serverSide bool) error {
	d.nlit = 0
	d.depth = 0
	d.serverSide = serverSide
	d.tag = ""
	d.cmdName = ""
	d.appendIdx = 0
	d.uidFetch = false
	d.line = nil
	d.pos = 0
	return d.readLine()
}

// readLine reads the next line (or line segment after a literal) into a
// freshly allocated d.line, without its line end.
func (d *Decoder) readLine() error {
	start := d.off
	s, err := d.r.ReadSlice('\n')
	var buf []byte
	if err == bufio.ErrBufferFull {
		buf = append(buf, s...)
		for err == bufio.ErrBufferFull {
			if len(buf) > d.opt.MaxLineLength {
				d.off += int64(len(buf))
				// Skip the rest of the over-long line, keeping its end:
				// skipMessage must see a literal it announces.
				tail := lineTail(nil, buf)
				for err == bufio.ErrBufferFull {
					s, err = d.r.ReadSlice('\n')
					d.off += int64(len(s))
					tail = lineTail(tail, s)
				}
				d.line, d.pos, d.lineOff = trimEOL(tail), 0, start
				if err != nil {
					return eofToUnexpected(err, true)
				}
				return ErrLineTooLong
			}
			s, err = d.r.ReadSlice('\n')
			buf = append(buf, s...)
		}
		s = buf
	}
	if err != nil {
		d.off += int64(len(s))
		if err == io.EOF && len(s) > 0 {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	d.off += int64(len(s))
	n := len(s) - 1 // drop LF
	if n > 0 && s[n-1] == '\r' {
		n--
	} else if d.opt.Mode == Strict {
		// Keep the line's end for skipMessage (a literal it announces).
		d.line, d.pos, d.lineOff = lineTail(nil, s[:n]), 0, start
		return &SyntaxError{Offset: start + int64(n), Expected: "CRLF", Excerpt: excerpt(s, n)}
	}
	if n > d.opt.MaxLineLength {
		d.line, d.pos, d.lineOff = lineTail(nil, s[:n]), 0, start
		return ErrLineTooLong
	}
	if buf != nil {
		d.line = buf[:n:n]
	} else {
		// make+copy into a local: the compiler skips zeroing the memory.
		line := make([]byte, n)
		copy(line, s)
		d.line = line
	}
	d.pos = 0
	d.lineOff = start
	return nil
}

// lineTail appends b to tail and keeps the last bytes: enough for a
// literal announcement ({n}, ~{n+}) at the end of a line that is dropped.
func lineTail(tail, b []byte) []byte {
	const keep = 32
	if len(b) >= keep {
		return append(tail[:0], b[len(b)-keep:]...)
	}
	tail = append(tail, b...)
	if len(tail) > keep {
		tail = append(tail[:0], tail[len(tail)-keep:]...)
	}
	return tail
}

// trimEOL removes a trailing LF or CRLF.
func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

func eofToUnexpected(err error, mid bool) error {
	if err == io.EOF && mid {
		return io.ErrUnexpectedEOF
	}
	return err
}

// literalReader reads the current literal from the connection.
type literalReader struct {
	d *Decoder
	n int64 // bytes left
}

func (l *literalReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.d.r.Read(p)
	l.n -= int64(n)
	l.d.off += int64(n)
	if err == io.EOF && l.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// discard skips what is left of the literal.
func (l *literalReader) discard() error {
	for l.n > 0 {
		chunk := l.n
		if chunk > 1<<30 {
			chunk = 1 << 30
		}
		n, err := l.d.r.Discard(int(chunk))
		l.n -= int64(n)
		l.d.off += int64(n)
		if err != nil {
			return eofToUnexpected(err, true)
		}
	}
	return nil
}

// litHeader is a parsed literal announcement.
type litHeader struct {
	size    int64
	nonSync bool
	binary  bool
}

// scanLiteralHeader reads a literal header "{" 1*DIGIT ["+"] "}" whose "{"
// is at v[i], and returns its size, whether it is non-synchronizing, and
// the index after "}". A size that does not fit in 62 bits is no header.
// The decoder (trailingLiteral) and the encoder (for verbatim data) share
// it, so both agree on what frames a message.
func scanLiteralHeader[T string | []byte](v T, i int) (n int64, nonSync bool, end int, ok bool) {
	j := i + 1
	for j < len(v) && v[j] >= '0' && v[j] <= '9' {
		if n > (1<<62)/10 {
			return 0, false, 0, false
		}
		n = n*10 + int64(v[j]-'0')
		j++
	}
	if j == i+1 {
		return 0, false, 0, false
	}
	if j < len(v) && v[j] == '+' {
		nonSync = true
		j++
	}
	if j >= len(v) || v[j] != '}' {
		return 0, false, 0, false
	}
	return n, nonSync, j + 1, true
}

// trailingLiteral reports whether line ends with a literal announcement
// ({n}, {n+}, ~{n}) and returns it. Used for resynchronization.
func trailingLiteral(line []byte) (litHeader, bool) {
	if len(line) < 3 || line[len(line)-1] != '}' {
		return litHeader{}, false
	}
	i := bytes.LastIndexByte(line, '{')
	if i < 0 {
		return litHeader{}, false
	}
	n, nonSync, end, ok := scanLiteralHeader(line, i)
	if !ok || end != len(line) {
		return litHeader{}, false
	}
	return litHeader{size: n, nonSync: nonSync, binary: i > 0 && line[i-1] == '~'}, true
}

// skipMessage skips the rest of the current message: the rest of the line
// and, while a line ends with a literal announcement, the literal and the
// next line. A synchronizing literal on the server side is never awaited:
// the client sends it only after a continuation request.
func (d *Decoder) skipMessage() error {
	for {
		h, ok := trailingLiteral(d.line)
		d.pos = len(d.line)
		if !ok {
			return nil
		}
		if d.serverSide && !h.nonSync {
			return nil
		}
		d.lr.n = h.size
		if err := d.lr.discard(); err != nil {
			return err
		}
		if err := d.readLine(); err != nil {
			if errors.Is(err, ErrLimit) || errors.Is(err, ErrSyntax) {
				continue
			}
			return err
		}
	}
}

// fail builds a SyntaxError at the current position, skips the rest of the
// message and returns the error (or an I/O error met while skipping).
func (d *Decoder) fail(err error) error {
	var se *SyntaxError
	if !errors.As(err, &se) {
		if errors.Is(err, ErrLimit) || errors.Is(err, ErrLiteralRefused) {
			se = d.syntaxErr("", err)
		} else {
			// I/O error: the stream is unusable.
			return err
		}
	}
	if se.Tag == "" {
		se.Tag = d.tag
	}
	if errors.Is(err, ErrLiteralRefused) {
		// The literal was not sent; the message ends here.
		d.pos = len(d.line)
		return se
	}
	if ioErr := d.skipMessage(); ioErr != nil {
		return ioErr
	}
	return se
}

// syntaxErr builds a SyntaxError at the current position.
func (d *Decoder) syntaxErr(expected string, cause error) *SyntaxError {
	return &SyntaxError{
		Offset:   d.lineOff + int64(d.pos),
		Excerpt:  excerpt(d.line, d.pos),
		Expected: expected,
		Tag:      d.tag,
		Err:      cause,
	}
}

// errf returns a SyntaxError saying what was expected at the current
// position.
func (d *Decoder) errExpected(what string) error { return d.syntaxErr(what, nil) }

func excerpt(line []byte, pos int) string {
	start := pos - 20
	if start < 0 {
		start = 0
	}
	end := pos + 20
	if end > len(line) {
		end = len(line)
	}
	if start > end {
		start = end
	}
	return string(line[start:end])
}

// str makes a string of b without copying. b must be memory owned by the
// current message (a line segment or a literal read into memory), which is
// never written again once a string points into it.
func str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
