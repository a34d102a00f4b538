package imapserver

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"

	"github.com/mailaccess/mailaccess/internal/netserve"
)

// The protocol trace (Server.Trace). Each connection gets an id, and each
// protocol line becomes one trace line, written with one Write call:
//
//	3f9a1c2e * connected from 192.0.2.7:50712 to 192.0.2.1:143
//	3f9a1c2e S: * OK [CAPABILITY IMAP4rev1 ...] mailaccess IMAP server ready
//	3f9a1c2e C: a1 LOGIN alice ***
//	3f9a1c2e S: a1 OK [CAPABILITY ...] LOGIN completed
//	3f9a1c2e C: a2 APPEND INBOX {310}
//	3f9a1c2e S: + Ready for literal data
//	3f9a1c2e C: [310 octets]
//
// "C:" is what the client sent, "S:" what the server sent and "*" an
// event. Credentials never reach the trace: LOGIN's password (and the
// user name too when it is a literal), the initial response of
// AUTHENTICATE (SASL-IR, RFC 4959) and the client's lines during an
// AUTHENTICATE exchange show as "***", except the cancelling "*". The
// contents of literals, mail included, show only as their size. Control
// characters are escaped as \xNN. Since lines of every connection go to
// the same writer, it must be safe for concurrent use, as an *os.File is.
//
// The trace sees the bytes where they flow: setStream wraps the stream
// (the connection, or the TLS layer after STARTTLS) with traced. What the
// server writes is traced before it is sent, so that the client's answer
// to it is always traced after it.

// traceMaxLine is how much of one line the trace shows.
const traceMaxLine = 4096

// tracer writes one connection's protocol trace.
type tracer struct {
	w  io.Writer
	id string

	mu     sync.Mutex // the reader and the executor both trace
	sasl   string     // the tag of an AUTHENTICATE under way: client lines are SASL responses
	client traceDir
	server traceDir
	closed bool // the end of the connection was traced
	out    []byte
}

// traceDir is the line state of one direction.
type traceDir struct {
	prefix   string
	line     []byte // the line so far, at most traceMaxLine octets
	dropped  int    // octets of the line beyond traceMaxLine
	tail     []byte // the last octets of an over-long line, for a literal at its end
	lit      int64  // literal octets still to come
	litSync  bool   // a client's synchronizing literal that the server may still refuse
	afterLit int64  // size of the literal just ended, shown before the rest of its line; -1: none
	inCmd    bool   // the line continues a message after a literal
	tag      string // client: the tag of the command the line belongs to
	redact   bool   // client: the rest of the command is credentials (LOGIN)
}

// tracedStream is a stream whose traffic is traced.
type tracedStream struct {
	rw io.ReadWriter
	t  *tracer
}

func (s *tracedStream) Read(p []byte) (int, error) {
	n, err := s.rw.Read(p)
	s.t.fromClient(p[:n])
	if err != nil {
		s.t.readError(err)
	}
	return n, err
}

func (s *tracedStream) Write(p []byte) (int, error) {
	s.t.fromServer(p)
	return s.rw.Write(p)
}

// traced wraps the connection's stream rw so that it is traced, if
// Server.Trace is set. setStream calls it each time it builds the
// stream: the connection keeps its tracer (and trace id), whose line
// state starts afresh on the new stream.
func (c *conn) traced(rw io.ReadWriter) io.ReadWriter {
	if c.srv.Trace == nil {
		return rw
	}
	t := c.auth.trace
	if t == nil {
		t = &tracer{w: c.srv.Trace, id: netserve.TraceID()}
		t.reset()
		c.auth.trace = t
		c.log = c.log.With("trace", t.id)
		t.event(netserve.Connected(c.nc, c.tls))
	} else {
		t.mu.Lock()
		t.reset()
		t.mu.Unlock()
	}
	return &tracedStream{rw: rw, t: t}
}

// traceEvent writes an event to the trace, if there is one.
func (c *conn) traceEvent(what string) {
	if c.auth.trace != nil {
		c.auth.trace.event(what)
	}
}

// reset starts both directions afresh (a new stream).
func (t *tracer) reset() {
	t.client = traceDir{prefix: "C: ", afterLit: -1}
	t.server = traceDir{prefix: "S: ", afterLit: -1}
	t.sasl = ""
}

func (t *tracer) event(what string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.write("* ", "", []byte(what), "")
}

// readError traces the end of the client's stream, once.
func (t *tracer) readError(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return
	}
	t.closed = true
	what := "read error: " + err.Error()
	switch {
	case errors.Is(err, io.EOF):
		what = "connection closed by the client"
	case errors.Is(err, net.ErrClosed):
		what = "connection closed"
	}
	t.write("* ", "", []byte(what), "")
}

func (t *tracer) fromClient(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.feed(&t.client, p, t.clientLine)
}

func (t *tracer) fromServer(p []byte) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.feed(&t.server, p, t.serverLine)
}

// feed splits a direction's octets into lines and literals.
func (t *tracer) feed(d *traceDir, p []byte, line func(d *traceDir)) {
	for len(p) > 0 {
		if d.lit > 0 {
			n := min(int64(len(p)), d.lit)
			d.lit -= n
			d.litSync = false
			p = p[n:]
			continue
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			d.add(p)
			return
		}
		d.add(p[:i])
		p = p[i+1:]
		line(d)
		d.line, d.dropped, d.tail = d.line[:0], 0, d.tail[:0]
	}
}

// add appends octets to the line, keeping at most traceMaxLine of them
// and the last few.
func (d *traceDir) add(b []byte) {
	const keep = 32
	if room := traceMaxLine - len(d.line); room > 0 && d.dropped == 0 {
		k := min(room, len(b))
		d.line = append(d.line, b[:k]...)
		b = b[k:]
		if len(b) == 0 {
			return
		}
	}
	if d.dropped == 0 {
		d.tail = append(d.tail[:0], d.line[max(0, len(d.line)-keep):]...)
	}
	d.dropped += len(b)
	d.tail = append(d.tail, b...)
	if len(d.tail) > keep {
		d.tail = append(d.tail[:0], d.tail[len(d.tail)-keep:]...)
	}
}

// end returns the line without its CR, and where it ends the literal it
// announces, if any.
func (d *traceDir) end(client bool) (line []byte, lit int64, sync, ok bool) {
	line = bytes.TrimSuffix(d.line, []byte{'\r'})
	last := line
	if d.dropped > 0 {
		last = bytes.TrimSuffix(d.tail, []byte{'\r'})
	}
	lit, sync, ok = literalAtEnd(last, client)
	return line, lit, sync, ok
}

// more says how much of an over-long line the trace leaves out.
func (d *traceDir) more() string {
	n := d.dropped
	if n > 0 && bytes.HasSuffix(d.tail, []byte{'\r'}) {
		n--
	}
	return netserve.TraceOmitted(n)
}

// literalAtEnd finds a literal announcement at the end of a line:
// "{n}", and from a client also "{n+}" (LITERAL+, RFC 7888), either
// possibly after "~" (literal8, RFC 3516).
func literalAtEnd(b []byte, client bool) (n int64, sync, ok bool) {
	if len(b) < 3 || b[len(b)-1] != '}' {
		return 0, false, false
	}
	b = b[:len(b)-1]
	sync = true
	if client && b[len(b)-1] == '+' {
		sync = false
		b = b[:len(b)-1]
	}
	i := bytes.LastIndexByte(b, '{')
	if i < 0 {
		return 0, false, false
	}
	n, err := strconv.ParseInt(string(b[i+1:]), 10, 64)
	if err != nil || n < 0 || b[i+1] == '+' || b[i+1] == '-' {
		return 0, false, false
	}
	return n, sync, true
}

// clientLine traces a line from the client, hiding credentials.
func (t *tracer) clientLine(d *traceDir) {
	line, lit, sync, isLit := d.end(true)
	var text []byte
	marker := d.afterLit
	switch {
	case t.sasl != "" && !d.inCmd:
		// A response of the AUTHENTICATE exchange (RFC 9051 §6.2.2).
		if (len(line) == 0 || string(line) == "*") && d.dropped == 0 {
			text = line // "*" cancels; an empty line is an empty response
		} else {
			text = []byte("***")
		}
	case d.inCmd && d.redact:
		text, marker = []byte("***"), -1
	case d.inCmd:
		text = line
	default:
		text = t.command(d, line)
	}
	more := ""
	if !bytes.Equal(text, []byte("***")) {
		more = d.more()
	}
	t.write(d.prefix, markerText(marker), text, more)
	d.afterLit = -1
	if isLit {
		d.lit, d.litSync, d.inCmd = lit, sync, true
		if lit > 0 && !d.redact {
			d.afterLit = lit
		}
		if lit == 0 {
			d.litSync = false
		}
	} else {
		d.inCmd, d.redact, d.litSync = false, false, false
	}
}

// command shows the first line of a command, hiding LOGIN's password and
// AUTHENTICATE's initial response.
func (t *tracer) command(d *traceDir, line []byte) []byte {
	tag, rest, _ := bytes.Cut(line, []byte{' '})
	name, args, _ := bytes.Cut(rest, []byte{' '})
	d.tag, d.redact = string(tag), false
	switch {
	case bytes.EqualFold(name, []byte("LOGIN")):
		d.redact = true
		out := append(append([]byte{}, tag...), " LOGIN "...)
		if user, ok := leadingAstring(args); ok {
			out = append(append(out, user...), ' ')
		}
		return append(out, "***"...)
	case bytes.EqualFold(name, []byte("AUTHENTICATE")):
		t.sasl = string(tag)
		mech, ir, hasIR := bytes.Cut(args, []byte{' '})
		out := append(append(append([]byte{}, tag...), " AUTHENTICATE "...), mech...)
		switch {
		case !hasIR:
		case string(ir) == "=":
			out = append(out, " ="...)
		default:
			out = append(out, " ***"...)
		}
		return out
	}
	return line
}

// leadingAstring returns the first argument when it is an atom or a quoted
// string followed by a space: the user name of LOGIN, shown unless it is
// a literal.
func leadingAstring(b []byte) ([]byte, bool) {
	if len(b) == 0 || b[0] == '{' || b[0] == '~' {
		return nil, false
	}
	if b[0] != '"' {
		i := bytes.IndexByte(b, ' ')
		if i <= 0 {
			return nil, false
		}
		return b[:i], true
	}
	for i := 1; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			if i+1 < len(b) && b[i+1] == ' ' {
				return b[:i+1], true
			}
			return nil, false
		}
	}
	return nil, false
}

// serverLine traces a line from the server. Tagged completions end an
// AUTHENTICATE exchange and refuse a client's pending synchronizing
// literal.
func (t *tracer) serverLine(d *traceDir) {
	line, lit, _, isLit := d.end(false)
	if !d.inCmd {
		tag, rest, _ := bytes.Cut(line, []byte{' '})
		cond, _, _ := bytes.Cut(rest, []byte{' '})
		switch {
		case string(tag) == "+":
		case string(tag) == "*":
			if string(cond) == "BAD" || string(cond) == "BYE" {
				t.sasl = ""
				t.refuseLiteral()
			}
		default:
			if string(tag) == t.sasl {
				t.sasl = ""
			}
			if string(tag) == t.client.tag {
				t.refuseLiteral()
			}
		}
	}
	t.write(d.prefix, markerText(d.afterLit), line, d.more())
	d.afterLit = -1
	d.inCmd = isLit
	if isLit {
		d.lit = lit
		if lit > 0 {
			d.afterLit = lit
		}
	}
}

// refuseLiteral forgets a client's synchronizing literal that the server
// answered with a completion instead of a continuation: the client does
// not send it (RFC 9051 §7.5).
func (t *tracer) refuseLiteral() {
	if d := &t.client; d.litSync {
		d.lit, d.litSync, d.inCmd, d.redact, d.afterLit = 0, false, false, false, -1
	}
}

func markerText(n int64) string {
	if n < 0 {
		return ""
	}
	return "[" + strconv.FormatInt(n, 10) + " octets]"
}

// write writes one trace line, escaping control characters.
func (t *tracer) write(prefix string, marker string, text []byte, more string) {
	t.out = netserve.AppendTraceLine(t.out[:0], t.id, prefix, marker, text, more)
	t.w.Write(t.out)
}
