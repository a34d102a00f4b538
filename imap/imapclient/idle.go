package imapclient

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// DefaultIdleRestart is how often Idle re-issues IDLE by default: RFC 2177
// §3 asks clients to do so at least every 29 minutes, lest a server's
// inactivity timer (at least 30 minutes, RFC 9051 §5.4) log them out.
const DefaultIdleRestart = 28 * time.Minute

// DefaultIdlePoll is how often Idle sends NOOP by default on a server
// without IDLE.
const DefaultIdlePoll = time.Minute

// IdleOptions are the options of Idle.
type IdleOptions struct {
	// Restart is how long one IDLE command lasts before Idle ends it with
	// DONE and issues a new one; zero means DefaultIdleRestart.
	Restart time.Duration
	// PollInterval is how often NOOP is sent instead when the server
	// does not announce IDLE; zero means DefaultIdlePoll.
	PollInterval time.Duration
}

// IdleCommand is an IDLE in progress (see Client.Idle).
type IdleCommand struct {
	c       *Client
	polling bool

	stop     chan struct{}
	stopOnce sync.Once
	// wake asks the run loop to end IDLE: a command is waiting.
	wake chan struct{}
	done chan struct{}
	err  error // set before done is closed
}

// errIdleStopped is how claim reports Stop.
var errIdleStopped = errors.New("imapclient: idling stopped")

// Idle waits for the server to report changes (IDLE, RFC 2177, RFC 9051
// §6.3.13): it returns once the server has accepted IDLE, and from then
// on the untagged data the server sends (EXISTS, EXPUNGE, FETCH, ...)
// updates the mailbox view and reaches Options.UnilateralData as it
// arrives. Idling goes on until Stop is called or ctx is done; then DONE
// is sent and the server's completion awaited. IDLE is re-issued every
// opts.Restart so that the server does not log the client out.
//
// While idling, the Client stays usable: a command issued by any
// goroutine suspends IDLE by itself. Since a client may send nothing but
// DONE while IDLE is in progress (RFC 2177 §3), the command waits while
// the IdleCommand sends DONE and the server completes IDLE; then it goes
// out, with any others issued meanwhile (pipelined behind the one DONE),
// and once no command is left in flight IDLE is issued again. The
// IdleCommand stays the handle of the whole: Stop ends idling whether
// IDLE is on the wire or suspended (commands in flight are not
// affected). Idle waits for the commands in flight to complete before
// the first IDLE. Only one IdleCommand may run on a Client at a time:
// another Idle fails with ErrIdling.
//
// On a server that does not announce IDLE, Idle instead polls with NOOP
// every opts.PollInterval, which delivers the same data less promptly;
// Polling reports this. Other commands go on as usual meanwhile.
//
// The UnilateralData handler, which runs on the reader goroutine, must
// neither call Stop and wait for it nor issue a command (which waits for
// the reader to see IDLE's completion); it may signal another goroutine
// to do so.
func (c *Client) Idle(ctx context.Context, opts *IdleOptions) (*IdleCommand, error) {
	var o IdleOptions
	if opts != nil {
		o = *opts
	}
	if o.Restart <= 0 {
		o.Restart = DefaultIdleRestart
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultIdlePoll
	}
	ic := &IdleCommand{c: c, stop: make(chan struct{}), wake: make(chan struct{}, 1), done: make(chan struct{})}
	c.mu.Lock()
	switch {
	case c.err != nil:
		err := c.err
		c.mu.Unlock()
		return nil, err
	case c.idle != nil:
		c.mu.Unlock()
		return nil, ErrIdling
	}
	c.idle = ic
	c.mu.Unlock()
	if !c.Caps().Has(imap.CapIdle) {
		ic.polling = true
		go ic.poll(ctx, o.PollInterval)
		return ic, nil
	}
	cmd, err := ic.begin(ctx)
	if err != nil {
		ic.detach()
		return nil, err
	}
	go ic.run(ctx, cmd, o.Restart)
	return ic, nil
}

// Polling reports whether the server lacks IDLE and NOOP is polled
// instead.
func (ic *IdleCommand) Polling() bool { return ic.polling }

// Stop ends idling (sending DONE if IDLE is on the wire) and waits until
// the server has completed the IDLE command; it returns what Wait
// returns. It may be called more than once.
func (ic *IdleCommand) Stop() error {
	ic.stopOnce.Do(func() { close(ic.stop) })
	return ic.Wait()
}

// Done is closed when idling has ended: after Stop, after the context of
// Idle is done, or when the server or connection ended it.
func (ic *IdleCommand) Done() <-chan struct{} { return ic.done }

// Wait waits until idling has ended. It returns nil when it was ended by
// Stop or by the context of Idle; otherwise why it ended: a *StatusError
// if the server refused a re-issued IDLE, or the connection's error.
func (ic *IdleCommand) Wait() error {
	<-ic.done
	return ic.err
}

// detach unregisters the IdleCommand from its Client.
func (ic *IdleCommand) detach() {
	c := ic.c
	c.mu.Lock()
	if c.idle == ic {
		c.idle = nil
	}
	c.mu.Unlock()
}

func (ic *IdleCommand) finish(err error) {
	ic.detach()
	ic.err = err
	close(ic.done)
}

// run keeps IDLE going until it is stopped.
func (ic *IdleCommand) run(ctx context.Context, cmd *command, restart time.Duration) {
	c := ic.c
	timer := time.NewTimer(restart)
	defer timer.Stop()
	for {
		select {
		case <-ic.stop:
			ic.finish(c.endIdle(cmd))
			return
		case <-ctx.Done():
			ic.finish(c.endIdle(cmd))
			return
		case <-cmd.done:
			// The server ended IDLE by itself: a tagged OK is not an
			// error (idle again), anything else is.
			c.clearCont(cmd)
			if _, err := c.wait(context.Background(), cmd); err != nil {
				ic.finish(err)
				return
			}
		case <-timer.C:
			if err := c.endIdle(cmd); err != nil {
				ic.finish(err)
				return
			}
		case <-ic.wake:
			// A command waits: let it through (suspend IDLE).
			if err := c.endIdle(cmd); err != nil {
				ic.finish(err)
				return
			}
		}
		// Idle again (after a restart, a server's OK, or once the
		// commands that suspended IDLE have completed).
		var err error
		cmd, err = ic.begin(ctx)
		if err != nil {
			if errors.Is(err, errIdleStopped) || ctx.Err() != nil {
				err = nil
			}
			ic.finish(err)
			return
		}
		timer.Reset(restart)
	}
}

// begin waits until no command is in flight, then issues IDLE and waits
// for the server's continuation request.
func (ic *IdleCommand) begin(ctx context.Context) (*command, error) {
	cmd, err := ic.claim(ctx)
	if err != nil {
		return nil, err
	}
	if err := ic.c.startIdle(ctx, cmd); err != nil {
		return nil, err
	}
	return cmd, nil
}

// claim waits until no command is in flight or waiting, and makes IDLE
// the owner of the connection: from then until IDLE's completion, other
// commands wait (and wake the IdleCommand).
func (ic *IdleCommand) claim(ctx context.Context) (*command, error) {
	c := ic.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		select {
		case <-ic.stop:
			return nil, errIdleStopped
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		if c.err != nil {
			return nil, c.err
		}
		if c.users == 0 && c.idleCmd == nil {
			cmd := &command{idle: true, keepCont: true}
			c.idleCmd = cmd
			// A wake-up from before was for commands now completed.
			select {
			case <-ic.wake:
			default:
			}
			return cmd, nil
		}
		ch := c.waitLocked()
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ic.stop:
		case <-ctx.Done():
		}
		c.mu.Lock()
	}
}

// poll is the fallback for a server without IDLE.
func (ic *IdleCommand) poll(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ic.stop:
			ic.finish(nil)
			return
		case <-ctx.Done():
			ic.finish(nil)
			return
		case <-t.C:
			if err := ic.c.Noop(ctx); err != nil {
				if ctx.Err() != nil {
					err = nil
				}
				ic.finish(err)
				return
			}
		}
	}
}

// startIdle sends IDLE (cmd, claimed by IdleCommand.claim) and waits for
// the server's continuation request.
func (c *Client) startIdle(ctx context.Context, cmd *command) error {
	if err := c.start(ctx, "IDLE", nil, false, cmd); err != nil {
		return err
	}
	select {
	case <-cmd.cont:
		return nil
	case <-cmd.done:
		c.clearCont(cmd)
		if _, err := c.wait(ctx, cmd); err != nil {
			return err
		}
		return errors.New("imapclient: IDLE completed before it started")
	case <-ctx.Done():
		// The server will idle once it reads IDLE; the DONE right
		// behind ends it, and the completion is discarded.
		c.sendDone(cmd)
		return ctx.Err()
	}
}

// endIdle sends DONE and waits for IDLE's completion (or the connection's
// end).
func (c *Client) endIdle(cmd *command) error {
	if err := c.sendDone(cmd); err != nil {
		return err
	}
	_, err := c.wait(context.Background(), cmd)
	return err
}

// sendDone writes the DONE that ends IDLE (RFC 2177 §3).
func (c *Client) sendDone(cmd *command) error {
	c.clearCont(cmd)
	select {
	case <-cmd.done:
		return nil // already over
	default:
	}
	c.wmu.Lock()
	err := c.enc.WriteLine([]byte("DONE"))
	if err == nil {
		err = c.enc.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		c.fail(fmt.Errorf("%w: sending DONE: %w", ErrClosed, err))
	}
	return err
}

// clearCont stops routing continuation requests to cmd.
func (c *Client) clearCont(cmd *command) {
	c.mu.Lock()
	if c.contTarget == cmd {
		c.contTarget = nil
	}
	c.mu.Unlock()
}
