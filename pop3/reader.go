package pop3

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
)

// DefaultMaxLine is the default limit on a line a Reader accepts, line end
// included. It is well above RFC 2449 §4's 255 octets for a command and
// 512 for a status line, for the long SASL responses of OAUTHBEARER and
// SCRAM, and far below what could hurt.
const DefaultMaxLine = 8192

// Reader reads POP3 lines from a stream. It is not safe for concurrent
// use.
type Reader struct {
	br *bufio.Reader
	// Mode chooses strict or lenient parsing; it may be changed between
	// reads.
	Mode Mode
	// MaxLine is the longest line accepted, line end included; zero
	// means DefaultMaxLine. It may be changed between reads (a server
	// raises it while reading SASL responses, for example). It does not
	// limit the lines of a multi-line body, which DotReader streams.
	MaxLine int

	long []byte // a line longer than the bufio.Reader's buffer
}

// NewReader returns a Reader reading from r. If r is a *bufio.Reader it is
// used as is (the caller keeps it for reading after the POP3 stream, as a
// proxy might); otherwise it is wrapped in one of 4096 octets.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 4096)
	}
	return &Reader{br: br}
}

// Buffered returns the number of octets read from the stream and not yet
// returned. After STLS (RFC 2595 §4) a server must discard them, since a
// client had no right to send them before the TLS negotiation.
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Discard drops every buffered octet (see Buffered) and returns how many
// there were.
func (r *Reader) Discard() int {
	n, _ := r.br.Discard(r.br.Buffered())
	return n
}

// Reset makes the Reader read from src, dropping anything buffered: used
// to continue over a TLS connection after STLS.
func (r *Reader) Reset(src io.Reader) {
	r.br.Reset(src)
	r.long = r.long[:0]
}

func (r *Reader) maxLine() int {
	if r.MaxLine > 0 {
		return r.MaxLine
	}
	return DefaultMaxLine
}

// ReadLine reads one line and returns it without its line end. The result
// is valid until the next read. Strict mode requires CRLF; lenient mode
// also accepts a bare LF (a CR before it is removed either way). A line
// longer than MaxLine is read to its end and discarded, and ErrLineTooLong
// is returned: the stream stays in step. At the end of the stream it
// returns io.EOF if no octet of a new line had arrived, and
// io.ErrUnexpectedEOF otherwise.
func (r *Reader) ReadLine() ([]byte, error) {
	line, bareLF, err := r.readLine()
	if err == nil && bareLF && r.Mode == Strict {
		return nil, fmt.Errorf("%w: line ends in a bare LF", ErrSyntax)
	}
	return line, err
}

// readLine is ReadLine without the strict check of the line end, which it
// reports instead.
func (r *Reader) readLine() (line []byte, bareLF bool, err error) {
	max := r.maxLine()
	line, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.long = append(r.long[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			if len(r.long) <= max {
				r.long = append(r.long, line...)
			}
		}
		line = r.long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, false, err
	}
	if len(line) > max {
		return nil, false, fmt.Errorf("%w: over %d octets", ErrLineTooLong, max)
	}
	n := len(line) - 1
	if n > 0 && line[n-1] == '\r' {
		return line[:n-1], false, nil
	}
	return line[:n], true, nil
}

// ReadCommand reads and parses a command line (see ParseCommand). A
// malformed line has been consumed when the error is returned, so a server
// answers -ERR and reads on.
func (r *Reader) ReadCommand() (Command, error) {
	line, err := r.ReadLine()
	if err != nil {
		return Command{}, err
	}
	return ParseCommand(line, r.Mode)
}

// ReadResponse reads and parses a status line (see ParseResponse).
func (r *Reader) ReadResponse() (Response, error) {
	line, err := r.ReadLine()
	if err != nil {
		return Response{}, err
	}
	return ParseResponse(line, r.Mode)
}

// ReadChallenge reads what a server sends during AUTH (RFC 5034 §4):
// either a challenge ("+ " and Base64, or "+ " alone for an empty one),
// returned decoded with a nil Response, or the status line that ends the
// exchange, returned as a Response. A challenge that is not valid Base64
// gives ErrInvalidBase64, and the client must then cancel with
// WriteAuthCancel; any other error (a line that is neither a challenge nor
// a status line) means the exchange is out of step.
func (r *Reader) ReadChallenge() ([]byte, *Response, error) {
	line, err := r.ReadLine()
	if err != nil {
		return nil, nil, err
	}
	if len(line) > 0 && line[0] == '+' && (len(line) == 1 || line[1] == ' ') {
		data := line[1:]
		if len(data) > 0 {
			data = data[1:]
		}
		if r.Mode != Strict {
			data = bytes.TrimRight(data, " ")
		} else if len(line) == 1 {
			return nil, nil, fmt.Errorf("%w: challenge without a space after \"+\"", ErrSyntax)
		}
		dec, err := decodeBase64(data)
		if err != nil {
			return nil, nil, err
		}
		return dec, nil, nil
	}
	resp, err := ParseResponse(line, r.Mode)
	if err != nil {
		return nil, nil, err
	}
	return nil, &resp, nil
}

// ReadAuthResponse reads a client's answer to a SASL challenge (RFC 5034
// §4) and returns it decoded. A line holding "*" gives ErrAuthCancelled;
// a line that is not Base64 gives ErrInvalidBase64. Either way
// the server must end the exchange with -ERR.
func (r *Reader) ReadAuthResponse() ([]byte, error) {
	line, err := r.ReadLine()
	if err != nil {
		return nil, err
	}
	if r.Mode != Strict {
		line = bytes.TrimSpace(line)
	}
	if len(line) == 1 && line[0] == '*' {
		return nil, ErrAuthCancelled
	}
	return decodeBase64(line)
}

// decodeBase64 decodes standard Base64 with padding, rejecting every
// character outside the alphabet (RFC 5034 §4).
func decodeBase64(b []byte) ([]byte, error) {
	out := make([]byte, base64.StdEncoding.DecodedLen(len(b)))
	n, err := base64.StdEncoding.Strict().Decode(out, b)
	if err != nil || bytes.ContainsAny(b, "\r\n") {
		return nil, ErrInvalidBase64
	}
	return out[:n], nil
}

// ReadDataLine reads one line of a multi-line response (RFC 1939 §3), such
// as a scan listing of LIST or a capability of CAPA, removes the
// byte-stuffing and returns it without its line end; at the terminating
// "." line it returns io.EOF. The result is valid until the next read. In
// strict mode a line ended by a bare LF is an error wrapping ErrSyntax
// (the line is consumed), and a terminator so ended gives
// ErrBareLFTerminator, which also matches io.EOF: either way the stream
// stays in step.
func (r *Reader) ReadDataLine() ([]byte, error) {
	line, bareLF, err := r.readLine()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	strictBad := bareLF && r.Mode == Strict
	if len(line) > 0 && line[0] == '.' {
		if len(line) == 1 {
			if strictBad {
				return nil, strictEOF
			}
			return nil, io.EOF
		}
		line = line[1:]
	}
	if strictBad {
		return nil, fmt.Errorf("%w: line ends in a bare LF", ErrSyntax)
	}
	return line, nil
}

// SkipData reads and discards the rest of a multi-line response, up to
// and including its terminating line: what a client does with a body it
// no longer wants.
func (r *Reader) SkipData() error {
	_, err := io.Copy(io.Discard, r.DotReader())
	return err
}

// DotReader returns a reader of a multi-line response's body (RFC 1939
// §3): the lines after the status line up to the terminating ".CRLF",
// byte-stuffing removed, line ends as sent. It returns io.EOF after the
// terminating line, which it consumes; if the stream ends first it
// returns io.ErrUnexpectedEOF. It streams: lines of any length pass
// through, and nothing is buffered beyond the Reader's buffer. Read the
// body to io.EOF before the next read on r. In strict mode, a terminator
// line of "." and a bare LF ends the body with ErrBareLFTerminator (which
// matches io.EOF too, so the stream is in step); lenient mode takes it as
// the terminator it was meant to be.
func (r *Reader) DotReader() io.Reader {
	return &dotReader{br: r.br, strict: r.Mode == Strict, bol: true}
}

type dotReader struct {
	br     *bufio.Reader
	strict bool
	bol    bool // at the beginning of a line
	eof    bool
	err    error
}

func (d *dotReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if d.eof {
			break
		}
		if d.bol {
			if n > 0 && d.br.Buffered() < 3 {
				break // deciding may block; deliver what we have
			}
			b, err := d.br.Peek(1)
			if err != nil {
				d.setErr(err)
				break
			}
			if b[0] == '.' {
				if b, err = d.br.Peek(2); err != nil {
					d.setErr(err)
					break
				}
				switch {
				case b[1] == '\n':
					d.br.Discard(2)
					d.eof = true
					if d.strict {
						d.err = strictEOF
					}
					continue
				case b[1] == '\r':
					if b, err = d.br.Peek(3); err != nil {
						d.setErr(err)
						break
					}
					if b[2] == '\n' {
						d.br.Discard(3)
						d.eof = true
						continue
					}
				}
				if d.err != nil {
					break
				}
				d.br.Discard(1) // the stuffed dot
			}
			d.bol = false
		}
		avail := d.br.Buffered()
		if avail == 0 {
			if n > 0 {
				break
			}
			if _, err := d.br.Peek(1); err != nil {
				d.setErr(err)
				break
			}
			avail = d.br.Buffered()
		}
		chunk, _ := d.br.Peek(avail)
		if len(chunk) > len(p)-n {
			chunk = chunk[:len(p)-n]
		}
		if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
			chunk = chunk[:i+1]
			d.bol = true
		}
		n += copy(p[n:], chunk)
		d.br.Discard(len(chunk))
	}
	if n > 0 {
		return n, nil
	}
	if d.eof && d.err == nil {
		return 0, io.EOF
	}
	return 0, d.err
}

func (d *dotReader) setErr(err error) {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	d.err = err
}
