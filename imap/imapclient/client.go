package imapclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/maildial"
)

// Errors.
var (
	// ErrClosed: the connection is closed (after Logout, Close, or a
	// read or write failure).
	ErrClosed = errors.New("imapclient: connection closed")
	// ErrIdling: Idle was called while another IdleCommand of the same
	// Client is still running; stop it first. (Other commands issued
	// while idling no longer fail: they suspend IDLE, see Client.Idle.)
	ErrIdling = errors.New("imapclient: IDLE in progress")
)

// StatusError is a command's tagged NO or BAD (or a BYE that ended it).
type StatusError struct {
	Command string
	Status  wire.StatusType
	Code    *imap.ResponseCode
	Text    string
}

// Error formats the command, the status, the response code and the text.
func (e *StatusError) Error() string {
	code := ""
	if e.Code != nil {
		code = "[" + string(e.Code.Name) + "] "
	}
	return fmt.Sprintf("imapclient: %s: %s %s%s", e.Command, e.Status, code, e.Text)
}

// Is makes errors.Is(err, CodeError(name)) true when the status response
// carried the response code name, e.g. errors.Is(err, ErrOverQuota).
func (e *StatusError) Is(target error) bool {
	t, ok := target.(CodeError)
	return ok && e.Code != nil && e.Code.Name == imap.ResponseCodeName(t)
}

// CodeError is a response code name used as a target of errors.Is: a
// *StatusError matches it when its response carried that code.
type CodeError imap.ResponseCodeName

// Error returns the code in brackets.
func (e CodeError) Error() string { return "imapclient: [" + string(e) + "]" }

// Options configure a Client. The zero value is usable.
type Options struct {
	// TLSConfig is used by DialTLS, DialStartTLS and Client.StartTLS
	// (when given none); nil means a default config with the server's
	// host name.
	TLSConfig *tls.Config
	// UnilateralData receives every untagged response that no command
	// claimed, after the mailbox view has been updated. It runs on the
	// reader goroutine (see the package doc).
	UnilateralData func(*wire.Response)
	// ErrorHandler receives the malformed responses that were skipped.
	ErrorHandler func(error)
	// Decoder sets the codec's mode and limits (lenient by default).
	Decoder wire.Options
	// Quirks turns on workarounds for known server bugs (see Quirk) in
	// addition to those detected from the server's greeting, capabilities
	// and responses.
	Quirks Quirk
	// NoQuirkDetection turns the detection off: only Quirks apply.
	NoQuirkDetection bool
	// ClientID is what the client sends with ID (RFC 2971) when a quirk
	// requires it (QuirkIDBeforeSelect); nil means DefaultClientID.
	ClientID []imap.IDParam
	// Compress turns on COMPRESS=DEFLATE (RFC 4978) right after Login or
	// Authenticate when the server offers it (see Client.Compress). A
	// server's refusal is not an error: the session goes on uncompressed.
	Compress bool
	// NoLocalSortThread keeps Sort and Thread from computing the result
	// locally when the server lacks SORT or the THREAD algorithm: the
	// command is sent anyway and the server's refusal returned.
	NoLocalSortThread bool
}

// Client is a connection to an IMAP server.
type Client struct {
	opts Options
	nc   net.Conn // replaced by StartTLS under mu
	host string

	wmu sync.Mutex // guards enc, bw (writing commands)
	bw  *bufio.Writer
	enc *wire.Encoder
	// dec is the reader goroutine's, but for StartTLS and Compress,
	// which replace it while the reader is paused (command.resume); br
	// is the buffered reader under it.
	dec *wire.Decoder
	br  *bufio.Reader

	mu       sync.Mutex // guards the fields below
	caps     imap.CapSet
	greeting *wire.Response
	pending  []*command
	tagN     uint64
	err      error // why the connection ended
	mbox     *Mailbox
	// contTarget is the command a continuation request is for: the one
	// being written (its literals), or IDLE/AUTHENTICATE in progress.
	contTarget *command
	enabled    map[imap.Cap]bool

	// users counts the commands other than IDLE from their start to
	// their completion, including those waiting to be sent; inflight
	// those of them past the waits (being sent or sent).
	users, inflight int
	// idleCmd is the IDLE command that owns the connection, from just
	// before it is sent to its completion: other commands wait (and wake
	// the IdleCommand to end it). idle is the running IdleCommand.
	idleCmd *command
	idle    *IdleCommand
	// changed is closed (and replaced) when a command completes or the
	// state above changes; nil while no one waits.
	changed chan struct{}

	quirks Quirk // the quirks in effect
	idSent bool  // ID was sent (QuirkIDBeforeSelect)

	done chan struct{} // closed when the reader ends
}

// command is a command in flight.
type command struct {
	tag  string
	name string
	// claim is offered each untagged response while the command is
	// pending; it returns true to keep it from the unilateral handler.
	claim func(*wire.Response) bool
	// stream receives the FETCH literals of the command's responses.
	stream func(*wire.Literal) error
	// cont receives continuation requests ("+ ...") while the command
	// waits for them; keepCont keeps it the target after it is written
	// (IDLE, AUTHENTICATE).
	cont     chan string
	keepCont bool
	// idle marks IDLE: it does not wait for IDLE to end, and does not
	// keep IDLE from being re-issued.
	idle bool
	// holdWrite keeps the write lock once the command is sent (the caller
	// unlocks it), and resume, if set, pauses the reader after the
	// command's completion until it is closed (STARTTLS).
	holdWrite bool
	resume    chan struct{}
	// counted and slot say whether users and inflight count the command.
	counted, slot bool
	done          chan struct{}
	status        *wire.Response
	err           error
}

// Dial connects to addr over TCP without TLS and reads the greeting.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return maildial.Dial(ctx, addr, false, nil, func(nc net.Conn, host string) (*Client, error) {
		return newClient(ctx, nc, host, opts)
	})
}

// DialTLS connects with implicit TLS (RFC 8314, port 993).
func DialTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	var config *tls.Config
	if opts != nil {
		config = opts.TLSConfig
	}
	return maildial.Dial(ctx, addr, true, config, func(nc net.Conn, host string) (*Client, error) {
		return newClient(ctx, nc, host, opts)
	})
}

// New starts a client on an existing connection and reads the greeting.
func New(ctx context.Context, nc net.Conn, opts *Options) (*Client, error) {
	return newClient(ctx, nc, maildial.HostOf(nc.RemoteAddr().String()), opts)
}

func newClient(ctx context.Context, nc net.Conn, host string, opts *Options) (*Client, error) {
	c := &Client{nc: nc, host: host, done: make(chan struct{}), enabled: make(map[imap.Cap]bool)}
	if opts != nil {
		c.opts = *opts
	}
	c.quirks = c.opts.Quirks
	c.setStream(nc)
	// The greeting (RFC 3501 §7.1: OK, PREAUTH or BYE), within ctx.
	if dl, ok := ctx.Deadline(); ok {
		nc.SetReadDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { nc.SetReadDeadline(time.Unix(1, 0)) })
	var g wire.Response
	err := c.dec.ReadResponse(&g)
	if !stop() {
		// ctx is done (and the deadline may have been cut short).
		nc.Close()
		if err == nil || errors.Is(err, ctx.Err()) {
			return nil, fmt.Errorf("imapclient: reading the greeting: %w", ctx.Err())
		}
		return nil, fmt.Errorf("imapclient: reading the greeting: %w (%w)", ctx.Err(), err)
	}
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("imapclient: reading the greeting: %w", err)
	}
	nc.SetReadDeadline(time.Time{})
	if g.Kind != wire.KindStatus || g.Tag != "" {
		nc.Close()
		return nil, fmt.Errorf("imapclient: greeting is not a status response")
	}
	if g.Status == wire.StatusBYE {
		nc.Close()
		return nil, &StatusError{Command: "greeting", Status: g.Status, Code: g.Code, Text: g.Text}
	}
	c.greeting = &g
	c.detectGreeting(&g)
	if g.Code != nil && g.Code.Name == imap.CodeCapability {
		c.setCaps(g.Code.Caps)
	}
	go c.readLoop()
	return c, nil
}

// setStream (re)builds the codec over nc (after STARTTLS or COMPRESS),
// keeping the modes the session has switched on. The caller holds the
// write lock and the reader is not reading.
func (c *Client) setStream(nc net.Conn) {
	c.mu.Lock()
	c.nc = nc
	c.mu.Unlock()
	dopts := c.opts.Decoder
	dopts.Stream = c.streamLiteral
	var eopts *wire.EncoderOptions
	if c.dec != nil {
		dopts.UTF8 = c.dec.Options().UTF8
		o := c.enc.Options()
		o.Continue = nil
		eopts = &o
	}
	dopts.FetchItems = c.fetchItemDecoders(dopts.FetchItems)
	c.br = bufio.NewReaderSize(nc, 16<<10)
	c.dec = wire.NewDecoder(c.br, &dopts)
	c.bw = bufio.NewWriterSize(nc, 16<<10)
	c.enc = wire.NewEncoder(c.bw, eopts)
}

// conn returns the connection (the TLS one after STARTTLS, the
// compressing one after COMPRESS).
func (c *Client) conn() net.Conn {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nc
}

// Greeting returns the server's greeting.
func (c *Client) Greeting() *wire.Response { return c.greeting }

// Caps returns the server's capabilities as last announced.
func (c *Client) Caps() imap.CapSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps
}

// Mailbox returns the view of the selected mailbox, or nil.
func (c *Client) Mailbox() *Mailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mbox
}

// Close closes the connection without LOGOUT.
func (c *Client) Close() error {
	err := c.conn().Close()
	<-c.done
	return err
}

// Done is closed when the connection has ended; Err then says why.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended, or nil while it is up.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// start sends a command and registers it; the caller waits with wait.
//
// Before it is sent, a command waits while IDLE owns the connection
// (waking the IdleCommand, which ends IDLE and lets it through) and, with
// QuirkPipelineLimit, while too many commands are in flight. With
// cmd.holdWrite, start returns holding the write lock when it succeeds.
func (c *Client) start(ctx context.Context, name string, args imap.CommandArgs, uid bool, cmd *command) (err error) {
	cmd.name = name
	cmd.done = make(chan struct{})
	cmd.cont = make(chan string, 1)
	if err := c.admit(ctx, cmd); err != nil {
		return err
	}
	// The write lock first, so that commands enter pending in the order
	// they go on the wire: untagged data and literals are routed by that
	// order.
	c.wmu.Lock()
	defer func() {
		if !cmd.holdWrite || err != nil {
			c.wmu.Unlock()
		}
	}()
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.releaseLocked(cmd)
		c.mu.Unlock()
		return err
	}
	c.tagN++
	cmd.tag = "T" + strconv.FormatUint(c.tagN, 10)
	c.pending = append(c.pending, cmd)
	c.contTarget = cmd
	c.mu.Unlock()
	if !cmd.keepCont {
		defer func() {
			c.mu.Lock()
			if c.contTarget == cmd {
				c.contTarget = nil
			}
			c.mu.Unlock()
		}()
	}
	// A synchronizing literal waits for the server's "+" (RFC 3501 §4.3).
	refused := false
	c.enc.SetContinue(func() error {
		if err := c.enc.Flush(); err != nil {
			return err
		}
		select {
		case <-cmd.cont:
			return nil
		case <-cmd.done:
			if cmd.err != nil {
				return cmd.err
			}
			refused = true // the server answered instead (NO [TOOBIG])
			return errLiteralRefused
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	werr := c.enc.WriteCommand(&wire.Command{Tag: cmd.tag, Name: name, UID: uid, Args: args})
	if werr == nil {
		werr = c.enc.Flush()
	}
	switch {
	case refused:
		// The tagged response is in cmd.status; wait reports it, and the
		// connection goes on.
		return nil
	case werr != nil:
		var ee *wire.EncodeError
		if errors.As(werr, &ee) && !errors.Is(werr, wire.ErrBroken) {
			// Nothing was written: withdraw the command.
			c.complete(cmd.tag, nil, werr)
			return werr
		}
		c.fail(fmt.Errorf("imapclient: sending %s: %w", name, werr))
		return werr
	}
	return nil
}

// pipelineLimit is how many commands QuirkPipelineLimit lets be in flight
// at once (the batch size Geary settled on for Outlook.com).
const pipelineLimit = 25

// admit waits until cmd may be sent and counts it (users, inflight). If
// the connection has ended it returns nil: start reports the error.
func (c *Client) admit(ctx context.Context, cmd *command) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		c.releaseLocked(cmd) // an IDLE claimed by IdleCommand.claim
		return err
	}
	if cmd.idle {
		return nil // admitted by IdleCommand.claim
	}
	cmd.counted = true
	c.users++
	for c.err == nil {
		switch {
		case c.idleCmd != nil:
			// IDLE owns the connection: ask the IdleCommand to end it
			// (RFC 2177: the client may send nothing but DONE).
			if ic := c.idle; ic != nil {
				select {
				case ic.wake <- struct{}{}:
				default:
				}
			}
		case c.quirks&QuirkPipelineLimit != 0 && c.inflight >= pipelineLimit:
		default:
			cmd.slot = true
			c.inflight++
			return nil
		}
		ch := c.waitLocked()
		c.mu.Unlock()
		select {
		case <-ch:
			c.mu.Lock()
		case <-ctx.Done():
			c.mu.Lock()
			c.releaseLocked(cmd)
			return ctx.Err()
		}
	}
	return nil
}

// releaseLocked uncounts a command that has completed or will not be
// sent, and wakes those waiting for a change. c.mu is held.
func (c *Client) releaseLocked(cmd *command) {
	if cmd.counted {
		cmd.counted = false
		c.users--
	}
	if cmd.slot {
		cmd.slot = false
		c.inflight--
	}
	if c.idleCmd == cmd {
		c.idleCmd = nil
	}
	c.broadcastLocked()
}

// waitLocked returns a channel closed at the next change of the command
// bookkeeping. c.mu is held.
func (c *Client) waitLocked() <-chan struct{} {
	if c.changed == nil {
		c.changed = make(chan struct{})
	}
	return c.changed
}

// broadcastLocked wakes those waiting for a change. c.mu is held.
func (c *Client) broadcastLocked() {
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
}

var errLiteralRefused = errors.New("imapclient: literal refused")

// wait waits for a command's completion; NO and BAD become *StatusError.
func (c *Client) wait(ctx context.Context, cmd *command) (*wire.Response, error) {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		// The command stays registered: its responses are still routed
		// and discarded when they come.
		return nil, ctx.Err()
	}
	if cmd.err != nil {
		return nil, cmd.err
	}
	if cmd.status.Status != wire.StatusOK {
		return cmd.status, &StatusError{Command: cmd.name, Status: cmd.status.Status, Code: cmd.status.Code, Text: cmd.status.Text}
	}
	return cmd.status, nil
}

// execute runs a command to completion.
func (c *Client) execute(ctx context.Context, name string, args imap.CommandArgs, uid bool, claim func(*wire.Response) bool) (*wire.Response, error) {
	cmd := &command{claim: claim}
	if err := c.start(ctx, name, args, uid, cmd); err != nil {
		return nil, err
	}
	return c.wait(ctx, cmd)
}

// readLoop reads responses and routes them.
func (c *Client) readLoop() {
	defer close(c.done)
	for {
		r := new(wire.Response)
		err := c.dec.ReadResponse(r)
		if err != nil {
			var se *wire.SyntaxError
			if errors.As(err, &se) {
				// Lenient: report, skip, go on. A tagged one ends its
				// command with the error.
				if h := c.opts.ErrorHandler; h != nil {
					h(err)
				}
				if se.Tag != "" && !c.pause(c.complete(se.Tag, nil, err)) {
					return
				}
				continue
			}
			c.fail(fmt.Errorf("%w: %w", ErrClosed, err))
			return
		}
		if !c.pause(c.route(r)) {
			return
		}
	}
}

// pause stops the reader after the completion of a command that asks for
// it (STARTTLS: the next octets are the TLS handshake's) until the
// command's owner lets it go on, over the stream it may have replaced. It
// returns false if the connection ended meanwhile: what was read ahead
// must not be used.
func (c *Client) pause(cmd *command) bool {
	if cmd == nil || cmd.resume == nil {
		return true
	}
	<-cmd.resume
	if err := c.Err(); err != nil {
		c.fail(err)
		return false
	}
	return true
}

// route delivers one response; it returns the command a tagged response
// completed.
func (c *Client) route(r *wire.Response) *command {
	switch {
	case r.Kind == wire.KindContinuation:
		c.mu.Lock()
		target := c.contTarget
		c.mu.Unlock()
		if target != nil {
			select {
			case target.cont <- r.Text:
			default:
			}
		} else if h := c.opts.ErrorHandler; h != nil {
			h(errors.New("imapclient: unexpected continuation request"))
		}
		return nil
	case r.Kind == wire.KindStatus && r.Tag != "":
		c.statusCodes(r)
		return c.complete(r.Tag, r, nil)
	}
	// Untagged: update the state, offer it to the pending commands, then
	// to the unilateral handler.
	c.untagged(r)
	c.mu.Lock()
	pending := append([]*command(nil), c.pending...)
	c.mu.Unlock()
	for _, p := range pending {
		if p.claim != nil && p.claim(r) {
			return nil
		}
	}
	if h := c.opts.UnilateralData; h != nil {
		h(r)
	}
	return nil
}

// complete ends a pending command and returns it (nil if the tag is
// unknown).
func (c *Client) complete(tag string, r *wire.Response, err error) *command {
	c.mu.Lock()
	var cmd *command
	for i, p := range c.pending {
		if p.tag == tag {
			cmd = p
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			c.releaseLocked(cmd)
			break
		}
	}
	c.mu.Unlock()
	if cmd == nil {
		if h := c.opts.ErrorHandler; h != nil {
			h(fmt.Errorf("imapclient: response for unknown tag %q", tag))
		}
		return nil
	}
	cmd.status, cmd.err = r, err
	close(cmd.done)
	return cmd
}

// fail ends the connection and every pending command.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err == nil {
		c.err = err
	}
	pending := c.pending
	c.pending = nil
	for _, p := range pending {
		c.releaseLocked(p)
	}
	c.broadcastLocked()
	nc := c.nc
	c.mu.Unlock()
	nc.Close()
	for _, p := range pending {
		p.err = err
		close(p.done)
	}
}

// untagged updates the client's state from an untagged response.
func (c *Client) untagged(r *wire.Response) {
	switch r.Kind {
	case wire.KindCapability:
		c.setCaps(r.Caps)
		return
	case wire.KindStatus:
		if r.Status == wire.StatusBYE {
			c.mu.Lock()
			if c.err == nil {
				c.err = &StatusError{Command: "BYE", Status: r.Status, Code: r.Code, Text: r.Text}
			}
			c.mu.Unlock()
		}
		c.statusCodes(r)
		return
	}
	if r.Kind == wire.KindFetch && r.Fetch != nil && c.Quirks()&QuirkEnvelopePlaceholders != 0 {
		fixEnvelopes(r.Fetch)
	}
	if mb := c.Mailbox(); mb != nil {
		mb.apply(r)
	}
}

// statusCodes applies the response codes of a status response.
func (c *Client) statusCodes(r *wire.Response) {
	if r.Code == nil {
		return
	}
	if r.Code.Name == imap.CodeCapability {
		c.setCaps(r.Code.Caps)
		return
	}
	if mb := c.Mailbox(); mb != nil {
		mb.applyCode(r.Code)
	}
}

// streamLiteral hands a FETCH literal to the command that wants it.
func (c *Client) streamLiteral(lit *wire.Literal) error {
	c.mu.Lock()
	var target *command
	for _, p := range c.pending {
		if p.stream != nil {
			target = p
			break
		}
	}
	c.mu.Unlock()
	if target == nil {
		return nil // the decoder discards it
	}
	return target.stream(lit)
}
