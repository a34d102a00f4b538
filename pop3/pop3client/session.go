package pop3client

import (
	"context"
	"fmt"
	"strconv"

	"github.com/mailaccess/mailaccess/pop3"
)

// Capa asks for the server's capabilities (RFC 2449 §5) and keeps them
// for Caps. A -ERR answer (an RFC 1939 server) empties them and is
// returned as a *pop3.Error.
func (c *Client) Capa(ctx context.Context) (pop3.Capabilities, error) {
	var caps pop3.Capabilities
	read, err := c.listing(ctx, pop3.Command{Name: pop3.CmdCapa}, func(line []byte) error {
		cp, err := pop3.ParseCapability(line, c.opts.Mode)
		if err != nil {
			return err
		}
		caps = append(caps, cp)
		return nil
	})
	switch {
	case read:
		// Even with lines skipped (lenient) or an error (strict), this
		// is what the server announced.
		c.mu.Lock()
		c.caps, c.capaOK = caps, true
		c.mu.Unlock()
	case isNegative(err):
		c.mu.Lock()
		c.caps, c.capaOK = nil, false
		c.mu.Unlock()
		return nil, err
	}
	return caps, err
}

// afterAuth records the TRANSACTION state and asks CAPA again if the
// server answered it before: capabilities may differ by state (RFC 2449
// §5). A -ERR to that CAPA is not an error of the login.
func (c *Client) afterAuth(ctx context.Context) error {
	c.mu.Lock()
	c.state = pop3.Transaction
	again := c.capaOK
	c.mu.Unlock()
	if !again {
		return nil
	}
	if _, err := c.Capa(ctx); err != nil && !isNegative(err) {
		return fmt.Errorf("pop3client: logged in, but CAPA failed: %w", err)
	}
	return nil
}

// checkArgs validates a command holding caller-supplied text before it
// takes a turn, so that a bad argument fails alone (pop3.ErrInvalid)
// instead of breaking the connection.
func checkArgs(cmd pop3.Command) error {
	var buf [256]byte
	_, err := cmd.AppendTo(buf[:0])
	return err
}

// User sends USER (RFC 1939 §7).
func (c *Client) User(ctx context.Context, name string) error {
	cmd := pop3.Command{Name: pop3.CmdUser, Args: []string{name}}
	if err := checkArgs(cmd); err != nil {
		return err
	}
	_, err := c.simple(ctx, pipelinable, cmd)
	return err
}

// Pass sends PASS (RFC 1939 §7), after User. On success the session is in
// the TRANSACTION state and the capabilities are asked for again.
func (c *Client) Pass(ctx context.Context, password string) error {
	cmd := pop3.Command{Name: pop3.CmdPass, Args: []string{password}}
	if err := checkArgs(cmd); err != nil {
		return err
	}
	if _, err := c.simple(ctx, pipelinable, cmd); err != nil {
		return err
	}
	return c.afterAuth(ctx)
}

// Login logs in with USER and PASS (RFC 1939 §7). The password crosses
// the connection as it is: use it over TLS, or prefer
// AuthenticatePassword.
func (c *Client) Login(ctx context.Context, user, password string) error {
	if err := c.User(ctx, user); err != nil {
		return err
	}
	return c.Pass(ctx, password)
}

// APOP logs in with APOP (RFC 1939 §7): the MD5 digest of the greeting's
// timestamp and the shared secret. It fails with ErrNoTimestamp if the
// greeting has no timestamp.
func (c *Client) APOP(ctx context.Context, user, secret string) error {
	ts := c.Greeting().Timestamp()
	if ts == "" {
		return ErrNoTimestamp
	}
	cmd := pop3.Command{Name: pop3.CmdAPOP, Args: []string{user, pop3.APOPDigest(ts, secret)}}
	if err := checkArgs(cmd); err != nil {
		return err
	}
	if _, err := c.simple(ctx, pipelinable, cmd); err != nil {
		return err
	}
	return c.afterAuth(ctx)
}

// UTF8 sends UTF8 (RFC 6856 §2), before authentication, when the server
// announces the UTF8 capability: user names, passwords and message
// content may then be UTF-8.
func (c *Client) UTF8(ctx context.Context) error {
	_, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdUTF8})
	return err
}

// Stat asks for the number of messages and their total size (RFC 1939
// §5).
func (c *Client) Stat(ctx context.Context) (pop3.DropListing, error) {
	resp, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdStat})
	if err != nil {
		return pop3.DropListing{}, err
	}
	d, err := pop3.ParseDropListing(resp.Text, c.opts.Mode)
	if err != nil {
		return d, fmt.Errorf("pop3client: STAT: %w", err)
	}
	return d, nil
}

func msgArg(n int) (string, error) {
	if n < 1 {
		return "", fmt.Errorf("%w: message number %d", pop3.ErrInvalid, n)
	}
	return strconv.Itoa(n), nil
}

// List asks for the number and size of every message not marked as
// deleted (RFC 1939 §5).
func (c *Client) List(ctx context.Context) ([]pop3.ScanListing, error) {
	var out []pop3.ScanListing
	_, err := c.listing(ctx, pop3.Command{Name: pop3.CmdList}, func(line []byte) error {
		s, err := pop3.ParseScanListing(line, c.opts.Mode)
		if err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// ListOne asks for the size of message n (RFC 1939 §5).
func (c *Client) ListOne(ctx context.Context, n int) (pop3.ScanListing, error) {
	arg, err := msgArg(n)
	if err != nil {
		return pop3.ScanListing{}, err
	}
	resp, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdList, Args: []string{arg}})
	if err != nil {
		return pop3.ScanListing{}, err
	}
	s, err := pop3.ParseScanListing([]byte(resp.Text), c.opts.Mode)
	if err != nil {
		return s, fmt.Errorf("pop3client: LIST %d: %w", n, err)
	}
	return s, nil
}

// UIDL asks for the unique-id of every message not marked as deleted
// (RFC 1939 §7).
func (c *Client) UIDL(ctx context.Context) ([]pop3.UniqueID, error) {
	var out []pop3.UniqueID
	_, err := c.listing(ctx, pop3.Command{Name: pop3.CmdUIDL}, func(line []byte) error {
		u, err := pop3.ParseUniqueID(line, c.opts.Mode)
		if err != nil {
			return err
		}
		out = append(out, u)
		return nil
	})
	return out, err
}

// UIDLOne asks for the unique-id of message n (RFC 1939 §7).
func (c *Client) UIDLOne(ctx context.Context, n int) (pop3.UniqueID, error) {
	arg, err := msgArg(n)
	if err != nil {
		return pop3.UniqueID{}, err
	}
	resp, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdUIDL, Args: []string{arg}})
	if err != nil {
		return pop3.UniqueID{}, err
	}
	u, err := pop3.ParseUniqueID([]byte(resp.Text), c.opts.Mode)
	if err != nil {
		return u, fmt.Errorf("pop3client: UIDL %d: %w", n, err)
	}
	return u, nil
}

// Dele marks message n as deleted (RFC 1939 §5). The server removes it
// only when Quit succeeds; Rset, Close or a lost connection keep it.
func (c *Client) Dele(ctx context.Context, n int) error {
	arg, err := msgArg(n)
	if err != nil {
		return err
	}
	_, err = c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdDele, Args: []string{arg}})
	return err
}

// Noop does nothing; it keeps the connection alive (RFC 1939 §5).
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdNoop})
	return err
}

// Rset unmarks every message marked as deleted (RFC 1939 §5).
func (c *Client) Rset(ctx context.Context) error {
	_, err := c.simple(ctx, pipelinable, pop3.Command{Name: pop3.CmdRset})
	return err
}

// Quit ends the session (RFC 1939 §6) and closes the connection, whatever
// happens. In the TRANSACTION state the server then removes the messages
// marked as deleted: nil means it did; a *pop3.Error (-ERR) means some or
// all may remain. Any other error (the connection broke, ctx ended) leaves
// it unknown whether the server saw QUIT.
//
// Quit waits for the answers to the commands before it; it fails with
// ErrBodyOpen, without closing, if the calling goroutine holds an
// unfinished body.
func (c *Client) Quit(ctx context.Context) error {
	t, err := c.send(ctx, exclusive, false, pop3.Command{Name: pop3.CmdQuit})
	if err == ErrBodyOpen {
		return err
	}
	if err != nil {
		c.Close()
		return err
	}
	stop := c.watch(ctx)
	resp, err := c.readStatus()
	stop()
	c.mu.Lock()
	if err == nil && c.state == pop3.Transaction {
		c.state = pop3.Update
	}
	c.mu.Unlock()
	t.release()
	c.Close()
	if err != nil {
		return err
	}
	return resp.Err()
}
