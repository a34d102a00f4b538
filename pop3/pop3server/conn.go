package pop3server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/internal/netserve"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// Buffer sizes: an idle session holds a 4 KiB reader and a 4 KiB writer;
// large responses borrow a 64 KiB writer (Server.bigWriters) and a 32 KiB
// copy buffer (Server.copyBufs).
const (
	smallBuffer = 4 << 10
	bigBuffer   = 64 << 10
	copyBuffer  = 32 << 10
)

// errShutdown ends a session when the server shuts down.
var errShutdown = errors.New("server shutting down")

// conn is one client connection. A session is lock-step: one goroutine
// reads a command, runs it and writes its response into the buffer, and
// flushes the buffer only before it would block reading the next command
// (see readCommand). Commands a client pipelines (RFC 2449 §6.6) are thus
// answered in order and their responses leave in large writes.
type conn struct {
	srv *Server
	lim Limits
	nc  net.Conn
	log *slog.Logger

	ctx    context.Context // canceled when the connection ends
	cancel context.CancelFunc

	// dmu orders setting the read deadline before a read with
	// Shutdown's interrupt, which sets it in the past.
	dmu sync.Mutex

	// The stream: rw is the connection, or the TLS layer STLS started on
	// it. br is the read buffer r reads; w writes to small or, while a
	// large response is written, to a borrowed big writer.
	rw    io.ReadWriter
	br    *bufio.Reader
	r     *pop3.Reader
	w     *pop3.Writer
	small *pop3.Writer
	big   *pop3.Writer

	tlsConn  *tls.Conn // the TLS layer STLS started
	isTLS    bool
	loopback bool
	trace    *tracer

	// Session state.
	state     pop3.State
	quit      bool   // the session ends after the current command
	timestamp string // the greeting's APOP timestamp, "" without APOP
	utf8      bool   // the UTF8 command was given (RFC 6856)
	userName  string // the name USER gave, for PASS
	haveUser  bool
	failures  int // failed authentication attempts
	badCmds   int // bad commands in the AUTHORIZATION state
	badUIDL   bool

	// The maildrop, in the TRANSACTION state (maildrop.go).
	user        string
	store       mailstore.Store
	mbox        mailstore.Mailbox
	lockKey     string
	uidValidity uint32
	msgs        []message
	liveCount   int   // messages not marked as deleted
	liveSize    int64 // their size
}

func newConn(s *Server, nc net.Conn) *conn {
	ctx, cancel := context.WithCancel(context.Background())
	c := &conn{
		srv:    s,
		lim:    s.Limits.withDefaults(),
		nc:     nc,
		log:    s.logger().With("remote", nc.RemoteAddr().String()),
		ctx:    ctx,
		cancel: cancel,
		state:  pop3.Authorization,
		rw:     nc,
	}
	c.isTLS, c.loopback = netserve.IsTLS(nc), netserve.IsLoopback(nc)
	if s.Trace != nil {
		c.trace = &tracer{w: s.Trace, id: netserve.TraceID()}
		c.log = c.log.With("trace", c.trace.id)
		c.traceEvent(netserve.Connected(nc, c.isTLS))
	}
	c.br = bufio.NewReaderSize(nc, smallBuffer)
	c.r = pop3.NewReader(c.br)
	c.r.MaxLine = c.lim.MaxLineLength
	c.small = pop3.NewWriter(bufio.NewWriterSize(c.deadlineWriter(), smallBuffer))
	c.w = c.small
	return c
}

// deadlineWriter writes to the connection's current stream with the
// write timeout.
func (c *conn) deadlineWriter() netserve.DeadlineWriter {
	return netserve.DeadlineWriter{Conn: c.nc, Stream: &c.rw, Timeout: c.lim.WriteTimeout}
}

// serve runs the session: greeting, then commands until QUIT, an error,
// a timeout or shutdown.
func (c *conn) serve() {
	defer c.close()
	if c.handshakeImplicit() != nil {
		return
	}
	c.greet()
	for !c.quit {
		line, err := c.readCommand()
		switch {
		case err == nil:
			c.dispatch(line)
		case errors.Is(err, pop3.ErrLineTooLong):
			c.traceEvent("command line too long; skipped")
			c.badCommand("Line too long")
		default:
			c.readFailed(err)
			return
		}
	}
	c.flush()
}

// greet sends the greeting (RFC 1939 §4) with a fresh APOP timestamp
// (§7) when APOP is available.
func (c *conn) greet() {
	text := strings.Map(func(r rune) rune {
		if r == '<' || r == '>' || r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, c.srv.Greeting)
	if text == "" {
		text = "POP3 server ready"
	}
	if _, ok := c.srv.Authenticator.(mailstore.SecretLookup); ok {
		c.timestamp = pop3.NewTimestamp(c.srv.hostname())
		text += " " + c.timestamp
	}
	c.reply("", true, text)
}

// readCommand returns the next command line. When no complete line is
// buffered it flushes the responses written so far before it waits, so a
// client never waits for an answer the server holds back, and pipelined
// commands get their answers in as few writes as possible. It fails with
// errShutdown once the server shuts down, and with a timeout after
// LoginTimeout (AUTHORIZATION) or AutoLogout (TRANSACTION) of silence.
func (c *conn) readCommand() ([]byte, error) {
	if c.srv.netsrv.Closing() {
		return nil, errShutdown
	}
	if !c.lineBuffered() {
		if err := c.flush(); err != nil {
			return nil, err
		}
		timeout := c.lim.LoginTimeout
		if c.state == pop3.Transaction {
			timeout = c.lim.AutoLogout
		}
		if err := c.setReadDeadline(timeout); err != nil {
			return nil, err
		}
	}
	return c.r.ReadLine()
}

// lineBuffered reports whether a whole line is in the read buffer.
func (c *conn) lineBuffered() bool {
	n := c.br.Buffered()
	if n == 0 {
		return false
	}
	b, _ := c.br.Peek(n)
	return bytes.IndexByte(b, '\n') >= 0
}

// setReadDeadline arms the read deadline, unless the server is shutting
// down.
func (c *conn) setReadDeadline(d time.Duration) error {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	if c.srv.netsrv.Closing() {
		return errShutdown
	}
	return c.nc.SetReadDeadline(time.Now().Add(d))
}

// interrupt makes a read the session is blocked in, or about to start,
// fail at once (Shutdown).
func (c *conn) interrupt() {
	c.dmu.Lock()
	defer c.dmu.Unlock()
	c.nc.SetReadDeadline(time.Unix(1, 0))
}

// readFailed ends the session after a failed read: the client went away,
// was silent too long (RFC 1939 §3: the server closes the connection
// without a response and deletes nothing), or the server shuts down.
func (c *conn) readFailed(err error) {
	switch {
	case errors.Is(err, errShutdown) || c.srv.netsrv.Closing() && errors.Is(err, os.ErrDeadlineExceeded):
		c.traceEvent("server shutting down")
		c.reply(pop3.CodeSysTemp, false, "Server shutting down")
		c.flush()
	case errors.Is(err, os.ErrDeadlineExceeded):
		c.log.Info("autologout", "state", c.state.String())
		c.traceEvent("autologout: idle for too long")
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed):
		c.traceEvent("connection closed by the client")
	default:
		c.log.Debug("read failed", "err", err)
		c.traceEvent("read error: " + err.Error())
	}
}

// close ends the connection. A maildrop still open is let go without
// entering the UPDATE state: nothing is deleted (RFC 1939 §6).
func (c *conn) close() {
	c.cancel()
	c.closeMaildrop()
	c.returnBig()
	if c.tlsConn != nil {
		c.tlsConn.Close()
	}
	c.nc.Close()
}

// reply writes a status line.
func (c *conn) reply(code pop3.Code, ok bool, text string) {
	r := pop3.Response{OK: ok, Code: code, Text: text}
	if c.trace != nil {
		b, _ := r.AppendTo(nil)
		c.traceServer(bytes.TrimSuffix(b, []byte("\r\n")))
	}
	if err := c.w.WriteResponse(r); err != nil {
		c.writeFailed(err)
	}
}

// ok writes a positive status line.
func (c *conn) ok(text string) { c.reply("", true, text) }

// fail writes a negative status line.
func (c *conn) fail(code pop3.Code, text string) { c.reply(code, false, text) }

// line writes a line of a multi-line listing.
func (c *conn) line(s string) {
	if c.trace != nil {
		c.traceServer([]byte(s))
	}
	if err := c.w.WriteLine(s); err != nil {
		c.writeFailed(err)
	}
}

// endListing writes the terminating line of a multi-line listing.
func (c *conn) endListing() { c.line(".") }

// writeFailed ends the session after a write failed.
func (c *conn) writeFailed(err error) {
	if !c.quit {
		c.log.Debug("write failed", "err", err)
	}
	c.quit = true
}

// flush sends what is buffered, and gives back a borrowed big writer.
func (c *conn) flush() error {
	err := c.w.Flush()
	if err != nil {
		c.writeFailed(err)
		return err
	}
	c.returnBig()
	return nil
}

// bigOutput switches to a borrowed 64 KiB writer for a response that may
// be large: fewer, larger writes. flush gives it back.
func (c *conn) bigOutput() {
	if c.big != nil {
		return
	}
	if c.small.Buffered() > 0 && c.small.Flush() != nil {
		c.writeFailed(io.ErrShortWrite)
		return
	}
	big, _ := c.srv.bigWriters.Get().(*pop3.Writer)
	if big == nil {
		big = pop3.NewWriter(bufio.NewWriterSize(nil, bigBuffer))
	}
	big.Reset(c.deadlineWriter())
	c.big, c.w = big, big
}

// returnBig gives the big writer back, once it is flushed (or the
// connection is done).
func (c *conn) returnBig() {
	if c.big == nil {
		return
	}
	c.big.Reset(nil)
	c.srv.bigWriters.Put(c.big)
	c.big, c.w = nil, c.small
}

// dispatch runs one command line.
func (c *conn) dispatch(line []byte) {
	if c.trace != nil {
		c.traceClientCommand(line)
	}
	cmd, err := pop3.ParseCommand(line, pop3.Lenient)
	if err != nil {
		c.badCommand("Syntax error")
		return
	}
	if !pop3.Known(cmd.Name) {
		c.badCommand("Unknown command")
		return
	}
	if !pop3.Allowed(c.state, cmd.Name) {
		// RFC 1939 §3: a command in the wrong state gets -ERR.
		if c.state == pop3.Authorization {
			c.badCommand("Not allowed before authentication")
		} else {
			c.fail("", "Not allowed after authentication")
		}
		return
	}
	switch cmd.Name {
	case pop3.CmdCapa:
		c.cmdCapa(cmd)
	case pop3.CmdQuit:
		c.cmdQuit(cmd)
	// AUTHORIZATION (auth.go, tls.go)
	case pop3.CmdUser:
		c.cmdUser(cmd)
	case pop3.CmdPass:
		c.cmdPass(cmd)
	case pop3.CmdAPOP:
		c.cmdAPOP(cmd)
	case pop3.CmdAuth:
		c.cmdAuth(cmd)
	case pop3.CmdSTLS:
		c.cmdSTLS(cmd)
	case pop3.CmdUTF8:
		c.cmdUTF8(cmd)
	// TRANSACTION (maildrop.go)
	case pop3.CmdStat:
		c.cmdStat(cmd)
	case pop3.CmdList:
		c.cmdList(cmd)
	case pop3.CmdRetr:
		c.cmdRetr(cmd)
	case pop3.CmdTop:
		c.cmdTop(cmd)
	case pop3.CmdDele:
		c.cmdDele(cmd)
	case pop3.CmdNoop:
		c.cmdNoop(cmd)
	case pop3.CmdRset:
		c.cmdRset(cmd)
	case pop3.CmdUIDL:
		c.cmdUIDL(cmd)
	default:
		// Known to the codec but not implemented here (LANG, RFC
		// 6856 §3): -ERR, as RFC 1939 §3 asks.
		c.fail("", "Command not implemented")
	}
}

// badCommand answers an unknown, malformed or out-of-state command. In the
// AUTHORIZATION state it counts them, and closes the connection after
// MaxBadCommands: whatever is talking, it is not a POP3 client.
func (c *conn) badCommand(text string) {
	if c.state != pop3.Authorization {
		c.fail("", text)
		return
	}
	c.badCmds++
	if c.badCmds >= c.lim.MaxBadCommands {
		c.log.Info("too many invalid commands")
		c.fail("", text+"; too many invalid commands, closing")
		c.quit = true
		return
	}
	c.fail("", text)
}

// syntaxError answers a known command with malformed arguments.
func (c *conn) syntaxError(cmd pop3.Command) {
	c.badCommand("Syntax error in " + cmd.Name + " arguments")
}

// cmdQuit is QUIT (RFC 1939 §4, §6): in the TRANSACTION state it enters
// the UPDATE state (maildrop.go).
func (c *conn) cmdQuit(cmd pop3.Command) {
	if c.state == pop3.Transaction {
		c.update()
		return
	}
	c.ok(c.srv.hostname() + " POP3 server signing off")
	c.quit = true
}

// cmdUTF8 is UTF8 (RFC 6856 §2.1): it switches the session to UTF-8
// mode. User names and passwords in UTF-8 are accepted in either mode
// (the capability's USER argument, §2.2); messages are sent as stored in
// either mode (see the package documentation).
func (c *conn) cmdUTF8(cmd pop3.Command) {
	if len(cmd.Args) != 0 {
		c.syntaxError(cmd)
		return
	}
	c.utf8 = true
	c.ok("UTF8 enabled")
}

// capabilities lists what CAPA announces (RFC 2449 §5, §6): the same in
// both states, except STLS, which is announced only where it is permitted
// (RFC 2595 §4).
func (c *conn) capabilities() []pop3.Capability {
	caps := []pop3.Capability{{Name: pop3.CapTop}}
	if c.srv.Authenticator != nil && c.plaintextAllowed() {
		caps = append(caps, pop3.Capability{Name: pop3.CapUser})
	}
	if mechs := c.saslConfig().Mechanisms(); len(mechs) > 0 {
		caps = append(caps, pop3.Capability{Name: pop3.CapSASL, Params: mechs})
	}
	caps = append(caps, pop3.Capability{Name: pop3.CapRespCodes}, pop3.Capability{Name: pop3.CapAuthRespCode})
	if d := c.srv.LoginDelay; d > 0 {
		secs := int64((d + time.Second - 1) / time.Second)
		caps = append(caps, pop3.Capability{Name: pop3.CapLoginDelay, Params: []string{strconv.FormatInt(secs, 10)}})
	}
	caps = append(caps, pop3.Capability{Name: pop3.CapPipelining})
	expire := "NEVER"
	switch e := c.srv.Expire; {
	case e < 0:
		expire = "0"
	case e > 0:
		expire = strconv.FormatInt(int64(e/(24*time.Hour)), 10)
	}
	caps = append(caps, pop3.Capability{Name: pop3.CapExpire, Params: []string{expire}},
		pop3.Capability{Name: pop3.CapUIDL})
	if impl := strings.TrimSpace(c.srv.Implementation); impl != "" {
		caps = append(caps, pop3.Capability{Name: pop3.CapImplementation, Params: []string{impl}})
	}
	if c.state == pop3.Authorization && c.srv.TLSConfig != nil && !c.isTLS {
		caps = append(caps, pop3.Capability{Name: pop3.CapSTLS})
	}
	return append(caps, pop3.Capability{Name: pop3.CapUTF8, Params: []string{"USER"}})
}

// cmdCapa is CAPA (RFC 2449 §5).
func (c *conn) cmdCapa(cmd pop3.Command) {
	if len(cmd.Args) != 0 {
		c.syntaxError(cmd)
		return
	}
	c.ok("Capability list follows")
	for _, cp := range c.capabilities() {
		c.capability(cp)
	}
	c.endListing()
}

// capability writes a line of CAPA's listing. One the codec refuses (an
// Implementation with CR or LF) is left out and logged.
func (c *conn) capability(cp pop3.Capability) {
	if c.trace != nil {
		if b, err := cp.AppendTo(nil); err == nil {
			c.traceServer(bytes.TrimSuffix(b, []byte("\r\n")))
		}
	}
	err := c.w.WriteCapability(cp)
	switch {
	case errors.Is(err, pop3.ErrInvalid):
		c.log.Warn("capability not announced", "err", err)
	case err != nil:
		c.writeFailed(err)
	}
}
