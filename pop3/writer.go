package pop3

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
)

// Writer writes POP3 lines to a buffered stream. Nothing reaches the
// stream until Flush (or until the buffer fills). It is not safe for
// concurrent use.
type Writer struct {
	bw  *bufio.Writer
	buf []byte
}

// NewWriter returns a Writer writing to w. If w is a *bufio.Writer it is
// used as is; otherwise it is wrapped in one of 4096 octets.
func NewWriter(w io.Writer) *Writer {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 4096)
	}
	return &Writer{bw: bw}
}

// Reset makes the Writer write to dst, dropping anything unflushed: used
// to continue over a TLS connection after STLS.
func (w *Writer) Reset(dst io.Writer) { w.bw.Reset(dst) }

// Flush writes what is buffered to the stream.
func (w *Writer) Flush() error { return w.bw.Flush() }

// Buffered returns the number of octets written and not yet flushed.
func (w *Writer) Buffered() int { return w.bw.Buffered() }

// WriteCommand writes a command line (see Command.AppendTo).
func (w *Writer) WriteCommand(c Command) error {
	b, err := c.AppendTo(w.buf[:0])
	if err != nil {
		return err
	}
	w.buf = b
	_, err = w.bw.Write(b)
	return err
}

// WriteResponse writes a status line (see Response.AppendTo).
func (w *Writer) WriteResponse(r Response) error {
	b, err := r.AppendTo(w.buf[:0])
	if err != nil {
		return err
	}
	w.buf = b
	_, err = w.bw.Write(b)
	return err
}

// WriteLine writes s and CRLF: a line of a multi-line listing, or a raw
// line. It fails with ErrInvalid if s holds CR, LF or NUL. It does not
// stuff a leading dot: use DotWriter for content.
func (w *Writer) WriteLine(s string) error {
	if !safeText(s) {
		return fmt.Errorf("%w: line %q", ErrInvalid, s)
	}
	w.bw.WriteString(s)
	_, err := w.bw.WriteString("\r\n")
	return err
}

// WriteCapability writes a line of a CAPA response (see
// Capability.AppendTo).
func (w *Writer) WriteCapability(c Capability) error {
	b, err := c.AppendTo(w.buf[:0])
	if err != nil {
		return err
	}
	w.buf = b
	_, err = w.bw.Write(b)
	return err
}

// WriteChallenge writes a SASL server challenge: "+ " and the Base64 of
// data (RFC 5034 §4; an empty challenge is "+ " alone).
func (w *Writer) WriteChallenge(data []byte) error {
	w.bw.WriteString("+ ")
	w.writeBase64(data)
	_, err := w.bw.WriteString("\r\n")
	return err
}

// WriteAuthResponse writes a client's answer to a SASL challenge: the
// Base64 of data on a line of its own (RFC 5034 §4).
func (w *Writer) WriteAuthResponse(data []byte) error {
	w.writeBase64(data)
	_, err := w.bw.WriteString("\r\n")
	return err
}

// WriteAuthCancel writes "*", which cancels a SASL exchange (RFC 5034 §4).
func (w *Writer) WriteAuthCancel() error {
	_, err := w.bw.WriteString("*\r\n")
	return err
}

func (w *Writer) writeBase64(data []byte) {
	n := base64.StdEncoding.EncodedLen(len(data))
	if cap(w.buf) < n {
		w.buf = make([]byte, n)
	}
	b := w.buf[:n]
	base64.StdEncoding.Encode(b, data)
	w.bw.Write(b)
}

// EncodeInitialResponse encodes a SASL initial response for the AUTH
// command line: Base64, or "=" for an empty response (RFC 5034 §4).
func EncodeInitialResponse(data []byte) string {
	if len(data) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(data)
}

// DecodeInitialResponse decodes the initial-response argument of AUTH:
// "=" is an empty response, anything else must be strict Base64 (RFC 5034
// §4). A malformed argument gives an error wrapping ErrSyntax.
func DecodeInitialResponse(s string) ([]byte, error) {
	if s == "=" {
		return []byte{}, nil
	}
	if s == "" {
		return nil, fmt.Errorf("%w: empty initial response", ErrSyntax)
	}
	return decodeBase64([]byte(s))
}

// DotWriter returns a writer of a multi-line response's body (RFC 1939
// §3): it stuffs every line that begins with ".", turns a bare LF into
// CRLF, and on Close ends the last line if it lacks a line end and writes
// the terminating ".CRLF". Close does not flush. Write everything of the
// body through it, and Close it, before writing anything else to w.
func (w *Writer) DotWriter() io.WriteCloser {
	return &dotWriter{bw: w.bw, bol: true}
}

type dotWriter struct {
	bw     *bufio.Writer
	bol    bool // the next octet begins a line
	cr     bool // the last octet written was CR
	closed bool
}

var errDotWriterClosed = errors.New("pop3: write to a closed DotWriter")

func (d *dotWriter) Write(p []byte) (int, error) {
	if d.closed {
		return 0, errDotWriterClosed
	}
	n := 0
	for len(p) > 0 {
		if d.bol && p[0] == '.' {
			if err := d.bw.WriteByte('.'); err != nil {
				return n, err
			}
		}
		d.bol = false
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if _, err := d.bw.Write(p); err != nil {
				return n, err
			}
			d.cr = p[len(p)-1] == '\r'
			return n + len(p), nil
		}
		// p[:i] is the rest of a line; p[i] is its LF.
		if i > 0 {
			if _, err := d.bw.Write(p[:i]); err != nil {
				return n, err
			}
			d.cr = p[i-1] == '\r'
		}
		var err error
		if d.cr {
			err = d.bw.WriteByte('\n')
		} else {
			_, err = d.bw.WriteString("\r\n")
		}
		if err != nil {
			return n, err
		}
		d.cr, d.bol = false, true
		n += i + 1
		p = p[i+1:]
	}
	return n, nil
}

func (d *dotWriter) Close() error {
	if d.closed {
		return nil
	}
	d.closed = true
	if !d.bol {
		if d.cr {
			d.bw.WriteByte('\n')
		} else {
			d.bw.WriteString("\r\n")
		}
	}
	_, err := d.bw.WriteString(".\r\n")
	return err
}
