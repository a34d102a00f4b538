package imapserver

import (
	"bytes"
	"compress/flate"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/netserve"
)

// compressLevel is the deflate level of the server's side of COMPRESS
// DEFLATE. IMAP responses compress well at the fastest level, and it
// costs the least CPU per session.
const compressLevel = flate.BestSpeed

// compressStream is the connection seen through COMPRESS=DEFLATE (RFC
// 4978): reads inflate what the client sends, writes deflate what the
// server sends. The reader goroutine alone reads; writes (and flushes)
// happen under conn.wmu.
type compressStream struct {
	r io.ReadCloser
	w *flate.Writer
}

func (s *compressStream) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *compressStream) Write(p []byte) (int, error) { return s.w.Write(p) }

// cmdCompress is COMPRESS (RFC 4978 §3). The tagged OK is written and
// flushed uncompressed; both directions are compressed from the octet
// after its CRLF. The command is a barrier, so the reader goroutine waits
// while the stream is swapped under it, as for STARTTLS; octets the
// client sent after the COMPRESS line (read ahead but not decoded) are
// already compressed and are inflated before the rest of the connection.
func (c *conn) cmdCompress(cmd *wire.Command) *status {
	cc, _ := cmd.Args.(*imap.CompressCommand)
	if c.srv.DisableCompress {
		return bad("COMPRESS is not available")
	}
	if cc == nil || !strings.EqualFold(cc.Mechanism, "DEFLATE") {
		return bad("Unknown compression mechanism")
	}
	if c.comp != nil {
		return no(&imap.ResponseCode{Name: imap.CodeCompressionActive}, "DEFLATE active")
	}
	c.tagged(cmd.Tag, ok("DEFLATE active"))
	if c.flush() != nil {
		c.state = stateLogout
		return sentStatus
	}
	// The stream under the compression: the TLS layer, or the connection
	// (which on an implicit TLS port is the TLS connection).
	var base io.ReadWriter = c.nc
	if c.auth.tlsConn != nil {
		base = c.auth.tlsConn
	}
	var r io.Reader = base
	if pending := c.dec.TakeBuffered(); len(pending) > 0 {
		r = io.MultiReader(bytes.NewReader(pending), base)
	}
	// The deflater writes with the write timeout, like the encoder.
	fw, err := flate.NewWriter(netserve.DeadlineWriter{Conn: c.nc, Stream: &base, Timeout: c.lim.WriteTimeout}, compressLevel)
	if err != nil { // only for an invalid level
		c.state = stateLogout
		return sentStatus
	}
	s := &compressStream{r: flate.NewReader(r), w: fw}
	c.wmu.Lock()
	c.comp = fw
	c.wmu.Unlock()
	c.setStream(s)
	c.traceEvent("COMPRESS=DEFLATE active")
	return sentStatus
}

// flushLocked sends what the encoder has buffered and, under COMPRESS,
// sync-flushes the deflater, so that nothing waits in the compressor.
// The caller holds wmu.
func (c *conn) flushLocked() error {
	if err := c.enc.Flush(); err != nil {
		return err
	}
	if c.comp != nil {
		return c.comp.Flush()
	}
	return nil
}
