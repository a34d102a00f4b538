package pop3client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/mailaccess/mailaccess/pop3"
)

// Body is a message (RETR) or a message's header and first lines (TOP)
// streamed from the connection: byte-stuffing removed, line ends as the
// server sent them (CRLF), io.EOF after the terminating ".". It holds the
// connection until it is read to io.EOF or closed: see the package
// documentation for the rules. It is safe to Close from another goroutine.
type Body struct {
	// Status is the server's +OK line; for RETR it often gives the size
	// ("+OK 120 octets").
	Status pop3.Response

	c    *Client
	t    *turn
	stop func()

	mu     sync.Mutex
	r      io.Reader
	done   bool // the turn has been released
	closed bool
	err    error
}

// Read reads the body.
func (b *Body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return 0, ErrBodyClosed
	case b.err != nil:
		return 0, b.err
	case b.done:
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	switch {
	case err == io.EOF:
		b.finish()
	case err != nil:
		b.err = b.c.broken(err)
		b.finish()
		return n, b.err
	}
	return n, err
}

// Close discards what is left of the body and lets the next command read
// its answer. It returns an error only if the connection failed while the
// rest was read.
func (b *Body) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	if b.done {
		return b.err
	}
	if _, err := io.Copy(io.Discard, b.r); err != nil {
		b.err = b.c.broken(err)
	}
	b.finish()
	return b.err
}

// finish stops watching the context and passes the turn on.
func (b *Body) finish() {
	if b.done {
		return
	}
	b.done = true
	b.stop()
	b.c.setOwner(0)
	b.t.release()
}

// Retr retrieves message n (RFC 1939 §5) as a stream. ctx governs the
// whole transfer: if it ends before the body has been read, the connection
// is closed. The caller must read the Body to io.EOF or Close it.
func (c *Client) Retr(ctx context.Context, n int) (*Body, error) {
	arg, err := msgArg(n)
	if err != nil {
		return nil, err
	}
	return c.body(ctx, pop3.Command{Name: pop3.CmdRetr, Args: []string{arg}})
}

// Top retrieves the header of message n and the first lines lines of its
// body (RFC 1939 §7) as a stream, like Retr.
func (c *Client) Top(ctx context.Context, n, lines int) (*Body, error) {
	arg, err := msgArg(n)
	if err != nil {
		return nil, err
	}
	if lines < 0 {
		return nil, fmt.Errorf("%w: TOP with %d lines", pop3.ErrInvalid, lines)
	}
	return c.body(ctx, pop3.Command{Name: pop3.CmdTop, Args: []string{arg, strconv.Itoa(lines)}})
}

func (c *Client) body(ctx context.Context, cmd pop3.Command) (*Body, error) {
	t, err := c.send(ctx, pipelinable, true, cmd)
	if err != nil {
		return nil, err
	}
	stop := c.watch(ctx)
	resp, err := c.readStatus()
	if err == nil && !resp.OK {
		err = resp.Err()
	}
	if err != nil {
		stop()
		t.release()
		return nil, err
	}
	c.setOwner(goid())
	return &Body{Status: resp, c: c, t: t, stop: stop, r: c.r.DotReader()}, nil
}

// RetrEach retrieves the messages msgs in order and calls fn with each
// one's number and content, on the calling goroutine. When the server
// announces PIPELINING the RETR commands are pipelined, with up to
// Options.PipelineWindow of them in flight; otherwise they are sent one
// at a time. The reader given to fn streams the message (as Body does) and is
// valid only until fn returns; what fn leaves unread is discarded.
//
// fn must not issue commands on the Client: they fail with ErrBodyOpen.
// Commands of other goroutines wait until RetrEach returns.
//
// If fn returns an error, or the server answers a RETR with -ERR, no
// more RETR commands are sent, the answers to those already sent are read
// and discarded, and RetrEach returns the error (a negative answer as an
// error naming the message and wrapping the *pop3.Error). If ctx ends
// the connection is closed.
func (c *Client) RetrEach(ctx context.Context, msgs []int, fn func(n int, r io.Reader) error) error {
	cmds := make([]pop3.Command, len(msgs))
	for i, n := range msgs {
		arg, err := msgArg(n)
		if err != nil {
			return err
		}
		cmds[i] = pop3.Command{Name: pop3.CmdRetr, Args: []string{arg}}
	}
	if len(msgs) == 0 {
		return nil
	}
	if fn == nil {
		fn = func(int, io.Reader) error { return nil }
	}
	if !c.pipelined() {
		return c.retrEachLockStep(ctx, msgs, fn)
	}
	if err := c.acquire(ctx); err != nil {
		return err
	}
	t := &turn{c: c, prev: c.tail, mine: make(chan struct{}), holdsSem: true}
	c.tail = t.mine
	defer t.release()
	c.setOwner(goid())
	defer c.setOwner(0)
	stop := c.watch(ctx)
	defer stop()

	window := c.opts.PipelineWindow
	if window <= 0 {
		window = DefaultPipelineWindow
	}
	sent := 0
	var first error
	// fill writes commands until window of them are in flight; read is
	// how many answers have been read.
	fill := func(read int) error {
		if first != nil || sent == len(cmds) || sent-read > window/2 {
			return nil
		}
		for sent < len(cmds) && sent-read < window {
			if err := c.w.WriteCommand(cmds[sent]); err != nil {
				return c.broken(err)
			}
			sent++
		}
		if err := c.w.Flush(); err != nil {
			return c.broken(err)
		}
		return nil
	}
	if err := fill(0); err != nil {
		return err
	}
	select {
	case <-t.prev:
	case <-c.closed:
		return c.Err()
	}
	for read := 0; read < sent; {
		n := msgs[read]
		resp, err := c.readStatus()
		if err != nil {
			return err
		}
		read++
		// Keep the server busy while this message is read.
		if err := fill(read); err != nil {
			return err
		}
		if !resp.OK {
			if first == nil {
				first = fmt.Errorf("pop3client: RETR %d: %w", n, resp.Err())
			}
			continue
		}
		dr := c.r.DotReader()
		if first == nil {
			br := &batchReader{c: c, r: dr}
			err := fn(n, br)
			br.release()
			if c.Err() != nil {
				return c.Err()
			}
			if err != nil {
				first = err
			}
		}
		if _, err := io.Copy(io.Discard, dr); err != nil {
			return c.broken(err)
		}
	}
	return first
}

func (c *Client) retrEachLockStep(ctx context.Context, msgs []int, fn func(n int, r io.Reader) error) error {
	for _, n := range msgs {
		b, err := c.Retr(ctx, n)
		if err != nil {
			if isNegative(err) {
				return fmt.Errorf("pop3client: RETR %d: %w", n, err)
			}
			return err
		}
		br := &batchReader{c: c, r: b}
		err = fn(n, br)
		br.release()
		if cerr := b.Close(); cerr != nil {
			return cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// batchReader is the reader RetrEach hands to its callback: valid until
// the callback returns.
type batchReader struct {
	c      *Client
	mu     sync.Mutex
	r      io.Reader
	closed bool
}

func (b *batchReader) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, ErrBodyClosed
	}
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF && !errors.Is(err, ErrClosed) {
		err = b.c.broken(err)
	}
	return n, err
}

func (b *batchReader) release() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
}
