package imapclient

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds COMPRESS=DEFLATE (RFC 4978).

// Errors of Compress.
var (
	// ErrNoCompress matches the error of Compress when the server does
	// not offer COMPRESS=DEFLATE or refuses it (a refusal also matches
	// *StatusError with errors.As, and a NO [COMPRESSIONACTIVE], when
	// another layer already compresses, ErrCompressionActive). The
	// connection goes on uncompressed.
	ErrNoCompress = errors.New("imapclient: COMPRESS=DEFLATE not available")
	// ErrCompressed: Compress was called on a connection that is
	// already compressed.
	ErrCompressed = errors.New("imapclient: COMPRESS already active")
)

// ErrCompressionActive matches (errors.Is) the refusal of COMPRESS by a
// server that compresses in another layer already (RFC 4978 §3, e.g.
// TLS compression).
const ErrCompressionActive = CodeError(imap.CodeCompressionActive)

// Compress turns on DEFLATE compression (COMPRESS DEFLATE, RFC 4978) in
// both directions. Once the server's OK is read, everything the client
// sends and receives goes through raw DEFLATE (RFC 1951, no zlib header)
// under any TLS layer (§3: compress, then encrypt). Every command is
// followed by a sync flush (Z_SYNC_FLUSH), so the server can decompress
// it whole at once; whatever the server sent right after its OK is
// decompressed too, none of it is lost or read in the clear.
//
// Commands issued by other goroutines meanwhile wait, and go out
// compressed (§3: nothing may be sent until the result of COMPRESS is
// known). If the server does not offer COMPRESS=DEFLATE or refuses it,
// the error matches ErrNoCompress and the connection goes on
// uncompressed. If ctx is done before the server answers, the
// connection's state is unknown and it is closed.
//
// Options.Compress calls Compress after Login or Authenticate.
func (c *Client) Compress(ctx context.Context) error {
	if c.Compressed() {
		return ErrCompressed
	}
	caps := c.Caps()
	if len(caps) == 0 {
		var err error
		if caps, err = c.Capability(ctx); err != nil {
			return err
		}
	}
	if !caps.Has(imap.CapCompressDeflate) {
		return fmt.Errorf("%w: not offered by the server", ErrNoCompress)
	}
	// As with STARTTLS: nothing else goes out until the stream is
	// replaced (the write lock is kept), and the reader stops right
	// after COMPRESS's completion (resume): what follows is compressed.
	cmd := &command{holdWrite: true, resume: make(chan struct{})}
	if err := c.start(ctx, "COMPRESS", &imap.CompressCommand{Mechanism: "DEFLATE"}, false, cmd); err != nil {
		return err
	}
	err := c.switchCompress(ctx, cmd)
	close(cmd.resume)
	c.wmu.Unlock()
	return err
}

// switchCompress waits for COMPRESS's completion and, on OK, replaces the
// stream with a compressing one. The write lock is held and the reader
// stops after the completion.
func (c *Client) switchCompress(ctx context.Context, cmd *command) error {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		// The server may start compressing at any moment.
		c.fail(fmt.Errorf("%w: COMPRESS abandoned: %w", ErrClosed, ctx.Err()))
		return ctx.Err()
	}
	if cmd.err != nil {
		c.fail(fmt.Errorf("%w: COMPRESS: %w", ErrClosed, cmd.err))
		return cmd.err
	}
	if st := cmd.status; st.Status != wire.StatusOK {
		return fmt.Errorf("%w: %w", ErrNoCompress, &StatusError{Command: cmd.name, Status: st.Status, Code: st.Code, Text: st.Text})
	}
	// RFC 4978 §3: the server compresses from the octet after the CRLF
	// of its OK. What the reader buffered beyond it is compressed data
	// and comes first.
	var ahead []byte
	if n := c.br.Buffered(); n > 0 {
		b, _ := c.br.Peek(n)
		ahead = bytes.Clone(b)
	}
	c.setStream(newCompressConn(c.conn(), ahead))
	return nil
}

// Compressed reports whether COMPRESS is in effect.
func (c *Client) Compressed() bool {
	_, ok := c.conn().(*compressConn)
	return ok
}

// compressConn is a connection whose octets go through DEFLATE in both
// directions (RFC 4978). Deadlines, addresses and Close are those of the
// connection under it.
type compressConn struct {
	net.Conn
	r io.ReadCloser // flate.NewReader; used by the reader goroutine only

	wmu sync.Mutex // guards w
	w   *flate.Writer
}

// compressLevel is the client's DEFLATE level: what a client sends is
// small and repetitive, and BestSpeed keeps the compressor's memory low.
const compressLevel = flate.BestSpeed

func newCompressConn(nc net.Conn, ahead []byte) *compressConn {
	var src io.Reader = nc
	if len(ahead) > 0 {
		src = io.MultiReader(bytes.NewReader(ahead), nc)
	}
	w, _ := flate.NewWriter(nc, compressLevel) // the level is valid
	return &compressConn{Conn: nc, r: flate.NewReader(src), w: w}
}

// Read decompresses. A sync flush from the server ends a block of output,
// so a complete response is readable without waiting for more input.
func (cc *compressConn) Read(p []byte) (int, error) {
	return cc.r.Read(p)
}

// Write compresses p and flushes the compressor (Z_SYNC_FLUSH), so that
// the server can read every command as soon as it is sent: the client's
// bufio.Writer calls Write when a command is flushed or its buffer fills.
func (cc *compressConn) Write(p []byte) (int, error) {
	cc.wmu.Lock()
	defer cc.wmu.Unlock()
	n, err := cc.w.Write(p)
	if err != nil {
		return n, err
	}
	if err := cc.w.Flush(); err != nil {
		return n, err
	}
	return n, nil
}

// underlying returns the connection under any compression layer.
func underlying(nc net.Conn) net.Conn {
	if cc, ok := nc.(*compressConn); ok {
		return cc.Conn
	}
	return nc
}

// compressAfterAuth runs Compress after authentication when
// Options.Compress asks for it and the server offers it.
func (c *Client) compressAfterAuth(ctx context.Context) error {
	if !c.opts.Compress || c.Compressed() || !c.Caps().Has(imap.CapCompressDeflate) {
		return nil
	}
	if err := c.Compress(ctx); err != nil && !errors.Is(err, ErrNoCompress) {
		return err
	}
	return nil
}
