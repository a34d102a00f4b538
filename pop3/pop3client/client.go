package pop3client

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/internal/maildial"
	"github.com/mailaccess/mailaccess/pop3"
)

// Errors.
var (
	// ErrClosed: the connection is closed (after Quit, Close, a read or
	// write failure, an answer the client could not parse, or a context
	// that ended mid-command).
	ErrClosed = errors.New("pop3client: connection closed")
	// ErrBodyOpen: a goroutine issued a command while it holds a message
	// body it has not finished (a Body from Retr or Top, or the reader of
	// a RetrEach callback), or from an ErrorHandler. The command would
	// wait for the body (or the listing) forever; nothing was sent. See
	// the package documentation.
	ErrBodyOpen = errors.New("pop3client: command issued by a goroutine that holds an unfinished message body")
	// ErrBodyClosed: a message body was read after it was closed, or
	// after the RetrEach callback it was given to returned.
	ErrBodyClosed = errors.New("pop3client: message body read after it was closed")
	// ErrNoTimestamp: APOP was asked for but the greeting carries no
	// timestamp, so the server does not offer APOP (RFC 1939 §7).
	ErrNoTimestamp = errors.New("pop3client: the greeting has no APOP timestamp")
	// ErrListingTooLong: a listing had more entries than
	// Options.MaxListing; the rest was read and discarded.
	ErrListingTooLong = errors.New("pop3client: listing longer than Options.MaxListing")
)

// Defaults of Options.
const (
	// DefaultMaxListing is the default Options.MaxListing.
	DefaultMaxListing = 1 << 20
	// DefaultPipelineWindow is the default Options.PipelineWindow.
	DefaultPipelineWindow = 64
)

// Options configure a Client. The zero value is usable.
type Options struct {
	// TLSConfig is used by DialTLS, DialStartTLS and StartTLS; nil means
	// a default configuration with the dialed host name.
	TLSConfig *tls.Config
	// Mode chooses lenient (the zero value) or strict parsing of the
	// server's lines.
	Mode pop3.Mode
	// MaxLine is the longest line accepted from the server, line end
	// included (pop3.Reader.MaxLine); 0 means pop3.DefaultMaxLine. It does
	// not limit the lines of a message body, which are streamed.
	MaxLine int
	// MaxListing is the most entries a CAPA, LIST or UIDL listing may
	// have; 0 means DefaultMaxListing, a negative value no limit.
	MaxListing int
	// ErrorHandler receives the malformed lines that were skipped (see
	// the package documentation). It runs on the goroutine of the command
	// whose answer held the line, while that answer is being read: a
	// command it issues fails with ErrBodyOpen.
	ErrorHandler func(error)
	// DisablePipelining keeps the client in lock-step even when the server
	// announces PIPELINING.
	DisablePipelining bool
	// PipelineWindow is how many RETR commands RetrEach keeps in flight;
	// 0 means DefaultPipelineWindow.
	PipelineWindow int
}

// Client is a connection to a POP3 server.
type Client struct {
	opts Options
	host string

	// sem is the right to write commands: a command takes it to be
	// written, and the commands sent alone (STLS, AUTH, QUIT) and
	// RetrEach keep it for their whole exchange. tail is guarded by it.
	sem chan struct{}
	// tail is closed when the answer to the last command written has been
	// read completely; the next command reads its answer after that.
	tail chan struct{}
	w    *pop3.Writer // written by the holder of sem
	r    *pop3.Reader // read by the command whose turn it is

	mu       sync.Mutex // guards the fields below
	nc       net.Conn
	greeting pop3.Response
	caps     pop3.Capabilities
	capaOK   bool // the server answered CAPA with +OK
	state    pop3.State
	err      error // why the connection ended
	owner    uint64
	closed   chan struct{} // closed when the connection ends
}

// Dial connects to addr over TCP without TLS, reads the greeting and asks
// CAPA.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return maildial.Dial(ctx, addr, false, nil, func(nc net.Conn, host string) (*Client, error) {
		return newClient(ctx, nc, host, opts)
	})
}

// DialTLS connects with implicit TLS (port 995, RFC 8314), reads the
// greeting and asks CAPA.
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	var config *tls.Config
	if opts != nil {
		config = opts.TLSConfig
	}
	return maildial.Dial(ctx, addr, true, config, func(nc net.Conn, host string) (*Client, error) {
		return newClient(ctx, nc, host, opts)
	})
}

// New starts a client on an existing connection (plain or TLS), reads the
// greeting and asks CAPA. On failure the connection is closed.
func New(ctx context.Context, nc net.Conn, opts *Options) (*Client, error) {
	host := ""
	if ra := nc.RemoteAddr(); ra != nil {
		host = maildial.HostOf(ra.String())
	}
	return newClient(ctx, nc, host, opts)
}

func newClient(ctx context.Context, nc net.Conn, host string, opts *Options) (*Client, error) {
	c := &Client{
		nc:     nc,
		host:   host,
		sem:    make(chan struct{}, 1),
		tail:   make(chan struct{}),
		state:  pop3.Authorization,
		closed: make(chan struct{}),
	}
	close(c.tail) // nothing is ahead of the first command
	if opts != nil {
		c.opts = *opts
	}
	c.r = pop3.NewReader(nc)
	c.r.Mode = c.opts.Mode
	c.r.MaxLine = c.opts.MaxLine
	c.w = pop3.NewWriter(nc)

	stop := c.watch(ctx)
	g, err := c.readStatus()
	stop()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("pop3client: reading the greeting: %w", err)
	}
	if !g.OK {
		c.Close()
		return nil, g.Err()
	}
	c.greeting = g
	if _, err := c.Capa(ctx); err != nil && !isNegative(err) {
		c.Close()
		return nil, err
	}
	return c, nil
}

// isNegative reports whether err is the server's -ERR.
func isNegative(err error) bool {
	var pe *pop3.Error
	return errors.As(err, &pe)
}

// Greeting returns the server's greeting. Its Timestamp method gives the
// APOP timestamp, if any.
func (c *Client) Greeting() pop3.Response {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.greeting
}

// Caps returns the capabilities of the last CAPA: empty if the server
// answered -ERR (an RFC 1939 server). The caller must not modify them.
func (c *Client) Caps() pop3.Capabilities {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps
}

// State returns the session's state as the client knows it:
// pop3.Authorization until a login succeeds, pop3.Transaction after, and
// pop3.Update once QUIT was answered in the TRANSACTION state.
func (c *Client) State() pop3.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Close closes the connection without QUIT: the server removes nothing
// (RFC 1939 §6). Commands in progress and later calls return ErrClosed.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return nil
}

// Done is closed when the connection has ended; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.closed }

// Err returns why the connection ended, or nil while it is up. The error
// matches ErrClosed.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// TLSConnectionState returns the state of the connection's TLS layer, and
// false on a connection without TLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	c.mu.Lock()
	nc := c.nc
	c.mu.Unlock()
	if tc, ok := nc.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// fail ends the connection; err must match ErrClosed.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	nc := c.nc
	close(c.closed)
	c.mu.Unlock()
	nc.Close()
}

// broken ends the connection after a read or write failed, or a line
// could not be understood, and returns why the connection ended (which
// may be an earlier cause, such as a context that closed it).
func (c *Client) broken(err error) error {
	c.fail(fmt.Errorf("%w: %w", ErrClosed, err))
	return c.Err()
}

// watch closes the connection if ctx ends before the returned function is
// called; that function waits for a closing already under way, so that Err
// then tells why.
func (c *Client) watch(ctx context.Context) func() {
	if ctx.Done() == nil {
		return func() {}
	}
	fired := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		c.fail(fmt.Errorf("%w: %w", ErrClosed, context.Cause(ctx)))
		close(fired)
	})
	return func() {
		if !stop() {
			<-fired
		}
	}
}

// writeCmds writes commands and flushes them; the caller holds sem. If
// ctx ends during the write, a deadline in the past stops it, and the
// connection, left with part of a command, is closed; if it ends once the
// write is done, the command counts as sent.
func (c *Client) writeCmds(ctx context.Context, cmds ...pop3.Command) error {
	c.mu.Lock()
	nc := c.nc
	c.mu.Unlock()
	var stop func() bool
	fired := make(chan struct{})
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() {
			nc.SetWriteDeadline(time.Unix(1, 0))
			close(fired)
		})
	}
	var err error
	for _, cmd := range cmds {
		if err = c.w.WriteCommand(cmd); err != nil {
			break
		}
	}
	if err == nil {
		err = c.w.Flush()
	}
	if stop != nil && !stop() {
		<-fired
		if err != nil {
			err = fmt.Errorf("%w (%w)", context.Cause(ctx), err)
		} else {
			nc.SetWriteDeadline(time.Time{})
		}
	}
	if err != nil {
		return c.broken(fmt.Errorf("sending %s: %w", cmds[0].Name, err))
	}
	return nil
}

// readStatus reads a status line. A line that cannot be read or parsed
// leaves the client out of step with the server: the connection is closed.
func (c *Client) readStatus() (pop3.Response, error) {
	resp, err := c.r.ReadResponse()
	if err != nil {
		return resp, c.broken(err)
	}
	return resp, nil
}

// report hands a skipped line's error to the ErrorHandler. The handler
// runs while its goroutine holds the turn to read: a command it issued
// would wait for itself, so it fails with ErrBodyOpen instead.
func (c *Client) report(err error) {
	if h := c.opts.ErrorHandler; h != nil {
		c.setOwner(goid())
		defer c.setOwner(0)
		h(err)
	}
}

func (c *Client) pipelined() bool {
	if c.opts.DisablePipelining {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps.Has(pop3.CapPipelining)
}

func (c *Client) maxListing() int {
	switch {
	case c.opts.MaxListing == 0:
		return DefaultMaxListing
	case c.opts.MaxListing < 0:
		return int(^uint(0) >> 1)
	}
	return c.opts.MaxListing
}

// sendMode says how a command is sent.
type sendMode int

const (
	// pipelinable: written at once when the server announced PIPELINING,
	// otherwise once every earlier answer has been read.
	pipelinable sendMode = iota
	// exclusive: written once every earlier answer has been read, and
	// nothing else is written until the turn is released (STLS, AUTH,
	// QUIT).
	exclusive
)

// turn is a command's place in the order of answers.
type turn struct {
	c        *Client
	prev     chan struct{} // closed when the answers before ours are read
	mine     chan struct{} // closed when ours is
	holdsSem bool
	released bool
}

// release passes the turn to the next command (and, for an exclusive
// command, the right to write).
func (t *turn) release() {
	if t.released {
		return
	}
	t.released = true
	close(t.mine)
	if t.holdsSem {
		<-t.c.sem
	}
}

// acquire takes the right to write, after checking that the calling
// goroutine does not hold an unfinished body.
func (c *Client) acquire(ctx context.Context) error {
	if err := c.checkOwner(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.closed:
		return c.Err()
	}
	if err := c.Err(); err != nil {
		<-c.sem
		return err
	}
	return nil
}

// send writes cmd and returns with the command's turn to read its answer.
// multi says whether a positive answer is multi-line: it is needed to
// discard the answer when ctx ends while a pipelined command waits.
func (c *Client) send(ctx context.Context, mode sendMode, multi bool, cmd pop3.Command) (*turn, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	prev := c.tail
	pipelined := mode == pipelinable && c.pipelined()
	if !pipelined {
		select {
		case <-prev:
		case <-ctx.Done():
			<-c.sem
			return nil, ctx.Err()
		case <-c.closed:
			<-c.sem
			return nil, c.Err()
		}
	}
	t := &turn{c: c, prev: prev, mine: make(chan struct{}), holdsSem: mode == exclusive}
	c.tail = t.mine
	if err := c.writeCmds(ctx, cmd); err != nil {
		<-c.sem
		return nil, err
	}
	if !t.holdsSem {
		<-c.sem
	}
	if pipelined {
		select {
		case <-prev:
		case <-c.closed:
			return nil, c.Err()
		case <-ctx.Done():
			go c.discard(t, multi)
			return nil, ctx.Err()
		}
	}
	return t, nil
}

// discard reads and drops the answer of a command whose caller gave up
// while it waited for its turn, keeping the connection in step.
func (c *Client) discard(t *turn, multi bool) {
	select {
	case <-t.prev:
	case <-c.closed:
		return
	}
	resp, err := c.r.ReadResponse()
	if err == nil && resp.OK && multi {
		err = c.r.SkipData()
	}
	if err != nil {
		c.broken(err)
		return
	}
	t.release()
}

// simple runs a command with a single-line answer. A negative answer is
// returned as the response and a *pop3.Error.
func (c *Client) simple(ctx context.Context, mode sendMode, cmd pop3.Command) (pop3.Response, error) {
	t, err := c.send(ctx, mode, false, cmd)
	if err != nil {
		return pop3.Response{}, err
	}
	stop := c.watch(ctx)
	resp, err := c.readStatus()
	stop()
	t.release()
	if err != nil {
		return resp, err
	}
	return resp, resp.Err()
}

// listing runs a command with a multi-line answer of short lines (CAPA,
// LIST, UIDL), handing each line to parse. A line parse rejects, or one
// over MaxLine, is reported and skipped (lenient) or fails the command
// after the listing has been read to its end (strict). read reports
// whether a positive answer was read to its end: the listing is then what
// the server sent, less the lines skipped.
func (c *Client) listing(ctx context.Context, cmd pop3.Command, parse func([]byte) error) (read bool, err error) {
	t, err := c.send(ctx, pipelinable, true, cmd)
	if err != nil {
		return false, err
	}
	defer t.release()
	stop := c.watch(ctx)
	defer stop()
	resp, err := c.readStatus()
	if err != nil {
		return false, err
	}
	if !resp.OK {
		return false, resp.Err()
	}
	var first error
	max, n := c.maxListing(), 0
	for {
		line, err := c.r.ReadDataLine()
		if err == nil {
			if n >= max {
				if first == nil {
					first = fmt.Errorf("pop3client: %s: %w (%d)", cmd.Name, ErrListingTooLong, max)
				}
				continue
			}
			n++
			err = parse(line)
			if err == nil {
				continue
			}
		} else if err == io.EOF {
			return true, first
		} else if !errors.Is(err, pop3.ErrLineTooLong) {
			// A read failure, or a line that does not end in CRLF in
			// strict mode: it may have been the terminating ".", so the
			// client no longer knows where the answer ends.
			return false, c.broken(err)
		}
		err = fmt.Errorf("pop3client: %s: %w", cmd.Name, err)
		if c.opts.Mode == pop3.Strict {
			if first == nil {
				first = err
			}
			continue
		}
		c.report(err)
	}
}

// checkOwner fails with ErrBodyOpen if the calling goroutine holds an
// unfinished body.
func (c *Client) checkOwner() error {
	c.mu.Lock()
	owner := c.owner
	c.mu.Unlock()
	if owner != 0 && owner == goid() {
		return ErrBodyOpen
	}
	return nil
}

func (c *Client) setOwner(g uint64) {
	c.mu.Lock()
	c.owner = g
	c.mu.Unlock()
}

// goid returns the calling goroutine's id, from the first line of its
// stack trace ("goroutine 18 [running]:"). The runtime offers no other
// way; it is used only to turn a certain deadlock into ErrBodyOpen, and
// only while a body is open.
func goid() uint64 {
	var buf [40]byte
	n := runtime.Stack(buf[:], false)
	b := bytes.TrimPrefix(buf[:n], []byte("goroutine "))
	var id uint64
	for _, ch := range b {
		if ch < '0' || ch > '9' {
			break
		}
		id = id*10 + uint64(ch-'0')
	}
	return id
}
