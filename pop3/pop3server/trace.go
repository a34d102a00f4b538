package pop3server

import (
	"bytes"
	"io"

	"github.com/mailaccess/mailaccess/internal/netserve"
)

// The protocol trace (Server.Trace). Each connection gets an id, and each
// protocol line becomes one trace line, written with one Write call:
//
//	3f9a1c2e * connected from 192.0.2.7:50712 to 192.0.2.1:110
//	3f9a1c2e S: +OK POP3 server ready <5c1e0f2a9b3d4e61.1700000000@mail.example.com>
//	3f9a1c2e C: USER alice
//	3f9a1c2e S: +OK Send the password
//	3f9a1c2e C: PASS ***
//	3f9a1c2e S: +OK Maildrop has 2 messages (320 octets)
//	3f9a1c2e C: RETR 1
//	3f9a1c2e S: +OK 120 octets
//	3f9a1c2e S: [120 octets of message]
//	3f9a1c2e S: .
//
// "C:" is what the client sent, "S:" what the server sent and "*" an
// event. Credentials never reach the trace: PASS's password, APOP's
// digest, AUTH's initial response (except "=", the empty one) and every
// line of an AUTH exchange in both directions show as "***", except an
// empty line and the cancelling "*". Message contents (RETR, TOP) show
// only as their size. Control characters are escaped as \xNN, and lines
// are cut at traceMaxLine octets.
//
// The trace follows the session rather than the wire: a command is traced
// when the server takes it up and a response when the server writes it,
// so pipelined commands appear each before its answer.

// traceMaxLine is how much of one line the trace shows.
const traceMaxLine = 1024

// tracer writes one connection's protocol trace. Only the connection's
// goroutine uses it.
type tracer struct {
	w   io.Writer
	id  string
	out []byte
}

// write writes one trace line, escaping control characters and cutting
// the line at traceMaxLine octets.
func (t *tracer) write(prefix string, text []byte) {
	more := 0
	if len(text) > traceMaxLine {
		more = len(text) - traceMaxLine
		text = text[:traceMaxLine]
	}
	t.out = netserve.AppendTraceLine(t.out[:0], t.id, prefix, "", text, netserve.TraceOmitted(more))
	t.w.Write(t.out)
}

// traceEvent writes an event to the trace, if there is one.
func (c *conn) traceEvent(what string) {
	if c.trace != nil {
		c.trace.write("* ", []byte(what))
	}
}

// traceServer traces a line the server writes.
func (c *conn) traceServer(line []byte) {
	if c.trace != nil {
		c.trace.write("S: ", line)
	}
}

// traceClient traces a line from the client as given (already redacted).
func (c *conn) traceClient(line []byte) {
	if c.trace != nil {
		c.trace.write("C: ", line)
	}
}

// traceClientCommand traces a command line, hiding credentials.
func (c *conn) traceClientCommand(line []byte) {
	if c.trace != nil {
		c.trace.write("C: ", redactCommand(line))
	}
}

// redactCommand hides the credentials of a command line: the argument of
// PASS, the digest of APOP and the initial response of AUTH. It works on
// the raw line, as the lenient parser reads it (leading blanks, runs of
// blanks, any case), so that a malformed command hides them too.
func redactCommand(line []byte) []byte {
	rest := bytes.TrimLeft(line, " \t")
	name, rest := nextField(rest)
	switch {
	case bytes.EqualFold(name, []byte("PASS")):
		if len(bytes.TrimSpace(rest)) == 0 {
			return line
		}
		return append(append([]byte{}, name...), " ***"...)
	case bytes.EqualFold(name, []byte("APOP")):
		user, rest := nextField(rest)
		out := append([]byte{}, name...)
		if len(bytes.TrimSpace(rest)) == 0 {
			if len(user) == 0 {
				return line
			}
			return append(out, " ***"...) // one argument: it may be the digest
		}
		out = append(append(out, ' '), user...)
		return append(out, " ***"...)
	case bytes.EqualFold(name, []byte("AUTH")):
		mech, rest := nextField(rest)
		ir := bytes.TrimSpace(rest)
		if len(ir) == 0 {
			return line
		}
		out := append(append(append([]byte{}, name...), ' '), mech...)
		if string(ir) == "=" {
			return append(out, " ="...)
		}
		return append(out, " ***"...)
	}
	return line
}

// nextField splits off the first blank-separated field of b.
func nextField(b []byte) (field, rest []byte) {
	b = bytes.TrimLeft(b, " \t")
	i := bytes.IndexAny(b, " \t")
	if i < 0 {
		return b, nil
	}
	return b[:i], b[i:]
}
