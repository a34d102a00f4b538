package interop

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// recorder keeps the bytes read from the connection so that each decoded
// response's exact wire form can be cut out by the decoder's offsets.
type recorder struct {
	r    io.Reader
	buf  []byte
	base int64 // stream offset of buf[0]
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.buf = append(r.buf, p[:n]...)
	return n, err
}

// take returns a copy of the stream bytes [from, to) and forgets the bytes
// before to.
func (r *recorder) take(from, to int64) []byte {
	if from < r.base || to > r.base+int64(len(r.buf)) || from > to {
		return nil
	}
	out := append([]byte(nil), r.buf[from-r.base:to-r.base]...)
	r.buf = append(r.buf[:0], r.buf[to-r.base:]...)
	r.base = to
	return out
}

// imapConn is a minimal IMAP client built on imap/wire: commands are
// encoded with wire.Encoder, responses decoded with wire.Decoder (lenient,
// literals held in memory), and each response's raw bytes kept beside its
// decoded form.
type imapConn struct {
	conn net.Conn
	rec  *recorder
	dec  *wire.Decoder
	enc  *wire.Encoder
	tags int
	// Timeout bounds each command's round trip.
	Timeout time.Duration
}

// response is one decoded response and its exact bytes. Err is the
// decoder's error for a response it could not decode (Resp is then
// partial): a finding about the codec, not a broken connection.
type response struct {
	Resp wire.Response
	Raw  []byte
	Err  error
}

// reply is what a command got: the untagged responses in order and the
// tagged status response.
type reply struct {
	Untagged []response
	Status   response
}

// OK reports whether the command completed with OK.
func (r *reply) OK() bool { return r.Status.Resp.Status == wire.StatusOK }

func (r *reply) String() string {
	return fmt.Sprintf("%s %s", r.Status.Resp.Status, r.Status.Resp.Text)
}

// dialIMAP connects to addr and reads the greeting.
func dialIMAP(addr string) (*imapConn, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	rec := &recorder{r: conn}
	c := &imapConn{
		conn:    conn,
		rec:     rec,
		dec:     wire.NewDecoder(bufio.NewReaderSize(rec, 64<<10), &wire.Options{Mode: wire.Lenient}),
		enc:     wire.NewEncoder(conn, &wire.EncoderOptions{LiteralPlus: true}),
		Timeout: time.Minute,
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	g, err := c.read()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting: %w", err)
	}
	if g.Err != nil || g.Resp.Kind != wire.KindStatus || g.Resp.Status != wire.StatusOK {
		conn.Close()
		return nil, fmt.Errorf("greeting: %q (%v)", g.Raw, g.Err)
	}
	return c, nil
}

// Close closes the connection.
func (c *imapConn) Close() error { return c.conn.Close() }

// read decodes one response. A syntax error is returned inside the
// response; any other error ends the connection.
func (c *imapConn) read() (response, error) {
	from := c.dec.Offset()
	var r response
	err := c.dec.ReadResponse(&r.Resp)
	var se *wire.SyntaxError
	if err != nil && !errors.As(err, &se) {
		return r, err
	}
	r.Err = err
	r.Raw = c.rec.take(from, c.dec.Offset())
	return r, nil
}

// Do sends one command (the tag is chosen here) and reads responses up to
// its tagged completion. The error is for I/O and encoding failures only;
// NO and BAD come back in the reply.
func (c *imapConn) Do(args imap.CommandArgs) (*reply, error) {
	return c.do(&wire.Command{Args: args})
}

// DoName sends a command without arguments (NOOP, LOGOUT, ...).
func (c *imapConn) DoName(name string) (*reply, error) {
	return c.do(&wire.Command{Name: name})
}

func (c *imapConn) do(cmd *wire.Command) (*reply, error) {
	c.tags++
	cmd.Tag = "T" + strconv.Itoa(c.tags)
	c.conn.SetDeadline(time.Now().Add(c.Timeout))
	if err := c.enc.WriteCommand(cmd); err != nil {
		return nil, fmt.Errorf("encoding %s: %w", cmd.Tag, err)
	}
	if err := c.enc.Flush(); err != nil {
		return nil, err
	}
	rep := &reply{}
	for {
		r, err := c.read()
		if err != nil {
			return rep, fmt.Errorf("reading the reply to %s: %w", cmd.Tag, err)
		}
		if r.Err == nil && r.Resp.Kind == wire.KindStatus && r.Resp.Tag == cmd.Tag {
			rep.Status = r
			return rep, nil
		}
		if r.Err == nil && r.Resp.Kind == wire.KindStatus && r.Resp.Tag == "" && r.Resp.Status == wire.StatusBYE {
			rep.Untagged = append(rep.Untagged, r)
			continue // the tagged reply or EOF follows
		}
		rep.Untagged = append(rep.Untagged, r)
	}
}
