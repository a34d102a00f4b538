package imapserver

import (
	"bufio"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/netserve"
	"github.com/mailaccess/mailaccess/mailstore"
)

// state is a session state of RFC 3501 §3 / RFC 9051 §3.
type state uint8

const (
	stateNotAuth state = 1 << iota
	stateAuth
	stateSelected
	stateLogout
)

// queued is a decoded command (or decoding error) waiting for the executor.
type queued struct {
	cmd      wire.Command
	err      error
	size     int            // octets it was read from, for the queue limit
	appended []appendResult // results of its streamed APPEND messages
	barrier  bool
}

// appendResult is the outcome of one streamed APPEND message.
type appendResult struct {
	mailbox string
	res     *mailstore.AppendResult
	err     error
}

// conn is one client connection: the reader goroutine (readLoop) and the
// executor (serve).
type conn struct {
	srv *Server
	lim Limits
	nc  net.Conn
	log *slog.Logger

	ctx    context.Context // canceled when the connection ends
	cancel context.CancelFunc

	// The stream. The reader goroutine owns br and dec, except while it
	// waits at a barrier, when the executor may use them (AUTHENTICATE,
	// IDLE) or replace them (STARTTLS).
	br  *bufio.Reader
	dec *wire.Decoder
	rw  io.ReadWriter // the connection, or the TLS or compression layer on it
	wmu sync.Mutex    // guards bw and enc
	bw  *bufio.Writer
	enc *wire.Encoder
	cur *queued // the command the executor runs
	// comp is the deflater under COMPRESS=DEFLATE (compress.go), nil
	// before; every flush sync-flushes it. Guarded by wmu.
	comp *flate.Writer
	// big is the borrowed large write buffer in use, nil when the small
	// one (bw) is.
	big *bufio.Writer

	// The queue from reader to executor.
	qmu      sync.Mutex
	qcond    *sync.Cond // reader waits on it (queue limit, idle executor)
	queue    []*queued
	qbytes   int
	busy     bool          // the executor is running a command
	qnotify  chan struct{} // executor waits on it; buffered 1
	resume   chan struct{} // executor -> reader after a barrier command
	done     chan struct{} // closed when the session ends
	readErr  error
	appendRs []appendResult // reader-owned: results of the command being read

	// Session state, owned by the executor (the reader reads it only
	// after waitIdle, which orders it after the executor's writes).
	state     state
	tls       bool
	loopback  bool
	user      string
	store     mailstore.Store
	mbox      mailstore.Mailbox
	enabled   map[imap.Cap]bool
	badCmds   int
	searchRes imap.NumSet // saved search result (RFC 5182), as UIDs
	auth      authState   // authentication, TLS and trace (auth.go)
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv:     s,
		lim:     s.Limits.withDefaults(),
		nc:      nc,
		log:     s.logger().With("remote", nc.RemoteAddr().String()),
		ctx:     ctx,
		cancel:  cancel,
		qnotify: make(chan struct{}, 1),
		resume:  make(chan struct{}),
		done:    make(chan struct{}),
		state:   stateNotAuth,
		enabled: make(map[imap.Cap]bool),
	}
	c.qcond = sync.NewCond(&c.qmu)
	c.tls, c.loopback = netserve.IsTLS(nc), netserve.IsLoopback(nc)
	c.setStream(nc)
	return c
}

// setStream (re)builds the buffered reader/writer and codec over rw.
func (c *conn) setStream(rw io.ReadWriter) {
	rw = c.traced(rw) // the protocol trace, if Server.Trace is set (trace.go)
	// 4 KiB buffers keep an idle session small; literals and large
	// responses bypass them.
	c.br = bufio.NewReaderSize(rw, 4<<10)
	c.bw = bufio.NewWriterSize(c.deadlineWriter(), 4<<10)
	c.dec = wire.NewDecoder(c.br, &wire.Options{
		MaxLineLength:  c.lim.MaxLineLength,
		MaxLiteralSize: c.lim.MaxMessageSize,
		Continue:       c.continueLiteral,
		Stream:         c.streamAppend,
		UTF8:           c.enabled[imap.CapUTF8Accept] || c.enabled[imap.CapIMAP4rev2],
	})
	c.enc = wire.NewEncoder(c.bw, &wire.EncoderOptions{
		UTF8: c.enabled[imap.CapUTF8Accept] || c.enabled[imap.CapIMAP4rev2],
	})
	c.rw = rw
}

// deadlineWriter writes to the connection's current stream with the
// write timeout.
func (c *conn) deadlineWriter() netserve.DeadlineWriter {
	return netserve.DeadlineWriter{Conn: c.nc, Stream: &c.rw, Timeout: c.lim.WriteTimeout}
}

// serve runs the session: greeting, then commands until LOGOUT, an error,
// a timeout or shutdown.
func (c *conn) serve() {
	defer c.close()
	if c.handshakeImplicit() != nil {
		return
	}
	c.writeGreeting()
	if c.flush() != nil {
		return
	}
	go c.readLoop()
	for c.state != stateLogout {
		q, ok := c.next()
		if !ok {
			return
		}
		c.run(q)
		c.qmu.Lock()
		c.busy = false
		c.qcond.Broadcast()
		c.qmu.Unlock()
		if q.barrier && c.state != stateLogout {
			select {
			case c.resume <- struct{}{}:
			case <-c.done:
			}
		}
		// Pipelined responses go out together: flush only when no
		// command is waiting (the buffer also flushes itself when full).
		c.qmu.Lock()
		more := len(c.queue) > 0
		c.qmu.Unlock()
		if !more || c.state == stateLogout {
			if c.flush() != nil {
				return
			}
		}
	}
}

func (c *conn) close() {
	close(c.done)
	c.cancel()
	c.qmu.Lock()
	c.qcond.Broadcast()
	c.qmu.Unlock()
	if c.mbox != nil {
		c.mbox.Close()
		c.mbox = nil
	}
	if c.store != nil {
		c.store.Close()
		c.store = nil
	}
	c.nc.Close()
}

// next waits for the next command. It ends the session (ok false) on a
// read error, a timeout or shutdown, saying BYE where the protocol wants
// it.
func (c *conn) next() (*queued, bool) {
	var timer *time.Timer // made only when the executor has to wait
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		c.qmu.Lock()
		if len(c.queue) > 0 {
			q := c.queue[0]
			c.queue[0] = nil
			c.queue = c.queue[1:]
			c.qbytes -= q.size
			c.busy = true
			c.qcond.Broadcast()
			c.qmu.Unlock()
			return q, true
		}
		rerr := c.readErr
		c.qmu.Unlock()
		if rerr != nil {
			if !errors.Is(rerr, io.EOF) && !errors.Is(rerr, net.ErrClosed) {
				c.log.Debug("read failed", "err", rerr)
			}
			return nil, false
		}
		if timer == nil {
			timeout := c.lim.LoginTimeout
			if c.state != stateNotAuth {
				timeout = c.lim.AutoLogout
			}
			timer = time.NewTimer(timeout)
		}
		select {
		case <-c.qnotify:
		case <-timer.C:
			c.bye("Autologout; idle for too long")
			c.flush()
			return nil, false
		case <-c.srv.shutdown:
			c.bye("Server shutting down")
			c.flush()
			return nil, false
		}
	}
}

// readLoop decodes commands ahead of the executor.
func (c *conn) readLoop() {
	for {
		q := &queued{}
		start := c.dec.Offset()
		c.appendRs = nil
		err := c.dec.ReadCommand(&q.cmd)
		q.size = int(c.dec.Offset()-start) + 64
		q.err = err
		q.appended = c.appendRs
		if err != nil && isFatalRead(err) {
			c.qmu.Lock()
			c.readErr = err
			c.qmu.Unlock()
			c.notify()
			return
		}
		if err == nil {
			if h := commands[q.cmd.Name]; h != nil && h.barrier {
				q.barrier = true
			}
		}
		c.qmu.Lock()
		for c.qbytes > c.lim.MaxQueuedBytes && len(c.queue) > 0 && !c.isDone() {
			c.qcond.Wait()
		}
		c.queue = append(c.queue, q)
		c.qbytes += q.size
		c.qmu.Unlock()
		c.notify()
		if q.barrier {
			select {
			case <-c.resume:
			case <-c.done:
				return
			}
		}
		if c.isDone() {
			return
		}
	}
}

func (c *conn) isDone() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (c *conn) notify() {
	select {
	case c.qnotify <- struct{}{}:
	default:
	}
}

// isFatalRead reports a decoding error after which the stream cannot go
// on: an I/O error rather than a malformed command.
func isFatalRead(err error) bool {
	var se *wire.SyntaxError
	if errors.As(err, &se) {
		return false
	}
	return !errors.Is(err, wire.ErrLimit)
}

// waitIdle blocks the reader until every command queued before has run.
func (c *conn) waitIdle() bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	for (len(c.queue) > 0 || c.busy) && !c.isDone() {
		c.qcond.Wait()
	}
	return !c.isDone()
}

// errTooBig refuses an APPEND literal over the limit (RFC 7889).
var errTooBig = errors.New("message too big")

// continueLiteral answers a synchronizing literal with a continuation
// request, or refuses an APPEND message over the size limit.
func (c *conn) continueLiteral(size int64) error {
	if size > c.lim.MaxMessageSize {
		return errTooBig
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.enc.WriteContinuation("Ready for literal data"); err != nil {
		return err
	}
	return c.flushLocked()
}

// streamAppend stores an APPEND message as it arrives (reader goroutine),
// once the commands before it have run.
func (c *conn) streamAppend(lit *wire.Literal) error {
	if lit.Command != "APPEND" {
		return nil
	}
	if !c.waitIdle() {
		return net.ErrClosed
	}
	r := appendResult{mailbox: lit.Mailbox}
	switch {
	case c.state&(stateAuth|stateSelected) == 0:
		r.err = errWrongState
	case lit.Size > c.lim.MaxMessageSize:
		r.err = errTooBig
	default:
		opts := &mailstore.AppendOptions{}
		if lit.Append != nil {
			opts.Flags = lit.Append.Flags
			if lit.Append.HasDate {
				opts.InternalDate = lit.Append.Date
			}
		}
		r.res, r.err = c.store.Append(c.ctx, lit.Mailbox, lit, opts)
	}
	c.appendRs = append(c.appendRs, r)
	return r.err
}

var errWrongState = errors.New("command not allowed in this state")

// writeGreeting sends the server greeting (RFC 3501 §7.1.1).
func (c *conn) writeGreeting() {
	text := c.srv.Greeting
	if text == "" {
		text = "mailaccess IMAP server ready"
	}
	c.writeResp(&wire.Response{Kind: wire.KindStatus, Status: wire.StatusOK,
		Code: &imap.ResponseCode{Name: imap.CodeCapability, Caps: c.capabilities()}, Text: text})
}

// bye sends an untagged BYE.
func (c *conn) bye(text string) {
	c.writeResp(&wire.Response{Kind: wire.KindStatus, Status: wire.StatusBYE, Text: text})
}

// writeResp writes one response to the buffer.
func (c *conn) writeResp(r *wire.Response) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.enc.WriteResponse(r)
}

// flush sends what is buffered, and gives back a borrowed large buffer.
func (c *conn) flush() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	err := c.flushLocked()
	if c.big != nil && err == nil {
		opts := c.enc.Options()
		c.enc = wire.NewEncoder(c.bw, &opts)
		c.big.Reset(nil)
		c.srv.bigWriters.Put(c.big)
		c.big = nil
	}
	return err
}

// bigBuffer switches to a borrowed 64 KiB write buffer for a command that
// may send a lot (FETCH): fewer, larger writes. flush gives it back.
func (c *conn) bigBuffer() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.big != nil || c.enc.Flush() != nil {
		return
	}
	big, _ := c.srv.bigWriters.Get().(*bufio.Writer)
	if big == nil {
		big = bufio.NewWriterSize(nil, 64<<10)
	}
	big.Reset(c.deadlineWriter())
	opts := c.enc.Options()
	c.big = big
	c.enc = wire.NewEncoder(big, &opts)
}

// run executes one queued command and writes its tagged completion.
func (c *conn) run(q *queued) {
	if q.err != nil {
		c.decodeError(q)
		return
	}
	cmd := &q.cmd
	h := commands[cmd.Name]
	if h == nil || h.fn == nil {
		c.countBad()
		c.tagged(cmd.Tag, bad("Unknown command"))
		return
	}
	if c.state&h.states == 0 {
		c.tagged(cmd.Tag, c.wrongState(cmd))
		return
	}
	c.cur = q
	if h.bigOutput {
		c.bigBuffer()
	}
	st := h.fn(c, cmd)
	c.cur = nil
	if st == sentStatus { // the handler wrote its completion (STARTTLS)
		return
	}
	if st == nil {
		st = ok(cmd.Name + " completed")
		if cmd.UID {
			st.text = "UID " + st.text
		}
	}
	if c.mbox != nil && c.state == stateSelected && st.typ != wire.StatusBAD {
		// RFC 3501 §7.4.1: no EXPUNGE during FETCH, STORE or SEARCH
		// (their UID forms allow it, RFC 9051 §7.5.1).
		c.pollUpdates(!(h.noExpunge && !cmd.UID))
	}
	c.tagged(cmd.Tag, st)
}

// wrongState is the answer to a command in the wrong state: BAD, as the
// RFCs' examples show for a command not valid in the current state.
func (c *conn) wrongState(cmd *wire.Command) *status {
	switch {
	case c.state == stateNotAuth:
		return bad("Log in first")
	case c.state == stateAuth:
		return bad("No mailbox selected")
	default:
		return bad(fmt.Sprintf("%s not allowed now", cmd.Name))
	}
}

// countBad counts unknown and malformed commands before authentication
// and ends the session after too many.
func (c *conn) countBad() {
	if c.state != stateNotAuth {
		return
	}
	c.badCmds++
	if c.badCmds >= c.lim.MaxBadCommands {
		c.bye("Too many invalid commands")
		c.state = stateLogout
	}
}

// decodeError answers a command that could not be decoded.
func (c *conn) decodeError(q *queued) {
	var se *wire.SyntaxError
	tag := ""
	if errors.As(q.err, &se) {
		tag = se.Tag
	}
	// A MULTIAPPEND that fails after storing some of its messages
	// stores none (RFC 3502 §6.3.11).
	c.undoAppend(q.appended)
	var st *status
	switch {
	case errors.Is(q.err, errTooBig):
		st = no(&imap.ResponseCode{Name: imap.CodeTooBig}, "Message too big")
	case errors.Is(q.err, errWrongState):
		st = bad("Log in first")
	case len(q.appended) > 0 && q.appended[len(q.appended)-1].err != nil:
		st = c.appendError(q.appended[len(q.appended)-1].err)
	case errors.Is(q.err, wire.ErrLimit):
		st = bad("Command too long")
	default:
		st = bad(q.err.Error())
		c.countBad()
	}
	if tag == "" {
		c.writeResp(&wire.Response{Kind: wire.KindStatus, Status: st.typ, Code: st.code, Text: st.text})
		return
	}
	c.tagged(tag, st)
}

// tagged writes a command's completion.
func (c *conn) tagged(tag string, st *status) {
	c.writeResp(&wire.Response{Kind: wire.KindStatus, Tag: tag, Status: st.typ, Code: st.code, Text: st.text})
}
