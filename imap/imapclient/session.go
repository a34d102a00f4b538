package imapclient

import (
	"context"
	"errors"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// Capability asks for the server's capabilities (RFC 3501 §6.1.1).
func (c *Client) Capability(ctx context.Context) (imap.CapSet, error) {
	if _, err := c.execute(ctx, "CAPABILITY", nil, false, nil); err != nil {
		return nil, err
	}
	return c.Caps(), nil
}

// Noop does nothing but lets the server send pending updates, which
// reach the mailbox view and the unilateral handler (RFC 3501 §6.1.2).
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.execute(ctx, "NOOP", nil, false, nil)
	return err
}

// Login authenticates with a user name and password (RFC 3501 §6.2.3).
// The capabilities are refreshed from the response code, or asked for.
func (c *Client) Login(ctx context.Context, user, password string) error {
	c.mu.Lock()
	old := c.caps
	c.caps = nil
	c.mu.Unlock()
	if _, err := c.execute(ctx, "LOGIN", &imap.LoginCommand{Username: user, Password: password}, false, nil); err != nil {
		c.mu.Lock()
		if c.caps == nil {
			c.caps = old
		}
		c.mu.Unlock()
		return err
	}
	return c.afterAuth(ctx)
}

// afterAuth makes sure the capabilities are known after authentication
// (RFC 3501 §6.2.2: they may change), adapts the encoder, and turns on
// COMPRESS when Options.Compress asks for it.
func (c *Client) afterAuth(ctx context.Context) error {
	if len(c.Caps()) == 0 {
		if _, err := c.Capability(ctx); err != nil {
			return err
		}
	}
	caps := c.Caps()
	c.wmu.Lock()
	c.enc.SetLiteralPlus(caps.Has(imap.CapLiteralPlus))
	c.enc.SetLiteralMinus(caps.Has(imap.CapLiteralMinus))
	c.wmu.Unlock()
	return c.compressAfterAuth(ctx)
}

// Logout ends the session (RFC 3501 §6.1.3) and closes the connection.
func (c *Client) Logout(ctx context.Context) error {
	_, err := c.execute(ctx, "LOGOUT", nil, false, nil)
	var se *StatusError
	if errors.As(err, &se) && se.Status == wire.StatusBYE {
		err = nil
	}
	c.conn().Close()
	<-c.done
	return err
}

// Enable turns on extensions (RFC 5161) and returns those the server
// enabled. Enabling IMAP4rev2 or UTF8=ACCEPT switches the codec to UTF-8
// mailbox names and strings.
func (c *Client) Enable(ctx context.Context, caps ...imap.Cap) (imap.CapSet, error) {
	var enabled imap.CapSet
	_, err := c.execute(ctx, "ENABLE", &imap.EnableCommand{Caps: caps}, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindEnabled {
			enabled = append(enabled, r.Caps...)
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	utf8 := false
	c.mu.Lock()
	for _, e := range enabled {
		c.enabled[e] = true
		if e == imap.CapIMAP4rev2 || e == imap.CapUTF8Accept {
			utf8 = true
		}
	}
	c.mu.Unlock()
	if utf8 {
		c.wmu.Lock()
		c.enc.SetUTF8(true)
		c.wmu.Unlock()
		c.dec.SetUTF8(true)
	}
	return enabled, nil
}

// SelectOptions are the options of Select.
type SelectOptions struct {
	// ReadOnly sends EXAMINE.
	ReadOnly bool
	// CondStore asks for CONDSTORE (RFC 7162 §3.1.8).
	CondStore bool
	// QResync resynchronizes a mailbox known from before (RFC 7162
	// §3.2.5); QRESYNC must have been enabled.
	QResync *imap.QResyncParams
}

// Select opens a mailbox (RFC 3501 §6.3.1) and returns its live view.
// Responses about the previously selected mailbox stop updating its view.
// With QuirkIDBeforeSelect, ID is sent first (once per connection).
func (c *Client) Select(ctx context.Context, name string, opts *SelectOptions) (*Mailbox, error) {
	if c.Quirks()&QuirkIDBeforeSelect != 0 {
		if err := c.sendClientID(ctx); err != nil {
			return nil, err
		}
	}
	mb, err := c.selectMailbox(ctx, name, opts)
	if isUnsafeLogin(err) && !c.opts.NoQuirkDetection {
		// Coremail's refusal for want of ID (QuirkIDBeforeSelect):
		// identify and try once more.
		c.mu.Lock()
		sent := c.idSent
		c.quirks |= QuirkIDBeforeSelect
		c.mu.Unlock()
		if !sent {
			if err := c.sendClientID(ctx); err != nil {
				return nil, err
			}
			mb, err = c.selectMailbox(ctx, name, opts)
		}
	}
	return mb, err
}

// selectMailbox sends SELECT or EXAMINE.
func (c *Client) selectMailbox(ctx context.Context, name string, opts *SelectOptions) (*Mailbox, error) {
	args := &imap.SelectCommand{Mailbox: name}
	if opts != nil {
		args.ReadOnly, args.CondStore, args.QResync = opts.ReadOnly, opts.CondStore, opts.QResync
	}
	mb := &Mailbox{name: name, readOnly: args.ReadOnly}
	c.mu.Lock()
	c.mbox = mb
	c.mu.Unlock()
	cmdName := "SELECT"
	if args.ReadOnly {
		cmdName = "EXAMINE"
	}
	if _, err := c.execute(ctx, cmdName, args, false, nil); err != nil {
		c.mu.Lock()
		if c.mbox == mb {
			c.mbox = nil
		}
		c.mu.Unlock()
		return nil, err
	}
	return mb, nil
}

// Unselect leaves the selected mailbox without expunging (RFC 3691), or
// with CLOSE (RFC 3501 §6.4.2) when expunge is true.
func (c *Client) Unselect(ctx context.Context, expunge bool) error {
	name := "UNSELECT"
	if expunge {
		name = "CLOSE"
	}
	_, err := c.execute(ctx, name, nil, false, nil)
	if err == nil {
		c.mu.Lock()
		c.mbox = nil
		c.mu.Unlock()
	}
	return err
}
