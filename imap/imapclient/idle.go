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
	done     chan struct{}
	err      error // set before done is closed
}

// Idle waits for the server to report changes (IDLE, RFC 2177, RFC 9051
// §6.3.13): it returns once the server has accepted IDLE, and from then
// on the untagged data the server sends (EXISTS, EXPUNGE, FETCH, ...)
// updates the mailbox view and reaches Options.UnilateralData as it
// arrives. Idling goes on until Stop is called or ctx is done; then DONE
// is sent and the server's completion awaited. IDLE is re-issued every
// opts.Restart so that the server does not log the client out.
//
// On a server that does not announce IDLE, Idle instead polls with NOOP
// every opts.PollInterval, which delivers the same data less promptly;
// Polling reports this.
//
// While idling, no other command may be issued on the Client (RFC 2177:
// the only thing a client may send is DONE): such a command fails with
// ErrIdling without being sent; call Stop first. The
// UnilateralData handler, which runs on the reader goroutine, must not
// call Stop and wait for it; it may signal another goroutine to do so.
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
	ic := &IdleCommand{c: c, stop: make(chan struct{}), done: make(chan struct{})}
	if !c.Caps().Has(imap.CapIdle) {
		ic.polling = true
		go ic.poll(ctx, o.PollInterval)
		return ic, nil
	}
	cmd, err := c.startIdle(ctx)
	if err != nil {
		return nil, err
	}
	go ic.run(ctx, cmd, o.Restart)
	return ic, nil
}

// Polling reports whether the server lacks IDLE and NOOP is polled
// instead.
func (ic *IdleCommand) Polling() bool { return ic.polling }

// Stop ends idling (sending DONE) and waits until the server has
// completed the IDLE command; it returns what Wait returns. It may be
// called more than once.
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

func (ic *IdleCommand) finish(err error) {
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
		}
		// Idle again (after a restart or a server's OK).
		var err error
		cmd, err = c.startIdle(ctx)
		if err != nil {
			if ctx.Err() != nil {
				err = nil
			}
			ic.finish(err)
			return
		}
		timer.Reset(restart)
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

// startIdle sends IDLE and waits for the server's continuation request.
func (c *Client) startIdle(ctx context.Context) (*command, error) {
	cmd := &command{keepCont: true}
	if err := c.start(ctx, "IDLE", nil, false, cmd); err != nil {
		return nil, err
	}
	select {
	case <-cmd.cont:
		c.mu.Lock()
		c.idling = cmd
		c.mu.Unlock()
		return cmd, nil
	case <-cmd.done:
		c.clearCont(cmd)
		if _, err := c.wait(ctx, cmd); err != nil {
			return nil, err
		}
		return nil, errors.New("imapclient: IDLE completed before it started")
	case <-ctx.Done():
		// The server will idle once it reads IDLE; the DONE right
		// behind ends it, and the completion is discarded.
		c.sendDone(cmd)
		return nil, ctx.Err()
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

// clearCont stops routing continuation requests to cmd, and ends the
// idling state if cmd is the IDLE in progress.
func (c *Client) clearCont(cmd *command) {
	c.mu.Lock()
	if c.contTarget == cmd {
		c.contTarget = nil
	}
	if c.idling == cmd {
		c.idling = nil
	}
	c.mu.Unlock()
}
