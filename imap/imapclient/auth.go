package imapclient

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/maildial"
	"github.com/mailaccess/mailaccess/internal/saslclient"
)

// ErrNoStartTLS matches the error of StartTLS and DialStartTLS when the
// server does not offer STARTTLS, refuses it, or greeted with PREAUTH
// (which leaves no chance to start TLS). A refusal also matches
// *StatusError with errors.As.
var ErrNoStartTLS = errors.New("imapclient: STARTTLS not available")

// DialStartTLS connects to addr over TCP and upgrades the connection to
// TLS with STARTTLS (RFC 3501 §6.2.1, RFC 9051 §6.2.1) before anything
// else is sent, using Options.TLSConfig (nil means the default
// configuration for the host of addr). If the server does not offer
// STARTTLS, refuses it, or the TLS handshake fails, the connection is
// closed and an error returned: the client never goes on in plaintext. The
// capabilities announced before TLS are discarded and asked for again.
//
// Implicit TLS (DialTLS, port 993) is preferable where the server offers
// it (RFC 8314).
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return maildial.Dial(ctx, addr, false, nil, func(nc net.Conn, host string) (*Client, error) {
		return NewStartTLS(ctx, nc, host, opts)
	})
}

// NewStartTLS is DialStartTLS on an existing connection; host names the
// server for certificate verification when Options.TLSConfig has no
// ServerName. It is New followed by Client.StartTLS, closing the
// connection if either fails.
func NewStartTLS(ctx context.Context, nc net.Conn, host string, opts *Options) (*Client, error) {
	c, err := newClient(ctx, nc, host, opts)
	if err != nil {
		return nil, err
	}
	if err := c.StartTLS(ctx, nil); err != nil {
		c.Close()
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			err = fmt.Errorf("%w (%w)", ctx.Err(), err)
		}
		return nil, err
	}
	return c, nil
}

// StartTLS upgrades the connection of a running client to TLS (STARTTLS,
// RFC 3501 §6.2.1, RFC 9051 §6.2.1, RFC 2595): it sends STARTTLS, waits
// for the server's OK, makes sure the server sent nothing after it, runs
// the TLS handshake with config (nil means Options.TLSConfig, and nil
// there the default configuration for the server's host), and goes on
// over TLS. The capabilities announced before TLS are discarded and asked
// for again (RFC 9051 §6.2.1).
//
// STARTTLS is valid only before authentication. Commands issued by other
// goroutines meanwhile wait, and go out over TLS. If the server does not
// offer STARTTLS, greeted with PREAUTH, or refuses it, the error matches
// ErrNoStartTLS and the connection stays usable in plaintext: deciding
// whether to go on without TLS is the caller's. Any other failure (octets
// received in the clear after the OK, which may be an injection attempt,
// a failed handshake, or ctx done before the handshake completed, when
// the connection's state is unknown) closes the connection.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if _, ok := c.TLSConnectionState(); ok {
		return errors.New("imapclient: STARTTLS: the connection already uses TLS")
	}
	if c.Compressed() {
		// RFC 4978 §3: TLS goes under compression, not over it.
		return errors.New("imapclient: STARTTLS: the connection is compressed")
	}
	if c.greeting.Status == wire.StatusPREAUTH {
		// RFC 9051 §6.2.1: a client that wants TLS must close a
		// cleartext connection greeted with PREAUTH.
		return fmt.Errorf("%w: PREAUTH greeting on a cleartext connection", ErrNoStartTLS)
	}
	caps := c.Caps()
	if len(caps) == 0 {
		var err error
		if caps, err = c.Capability(ctx); err != nil {
			return err
		}
	}
	if !caps.Has(imap.CapStartTLS) {
		return fmt.Errorf("%w: not offered by the server", ErrNoStartTLS)
	}
	if config == nil {
		config = c.opts.TLSConfig
	}
	config = maildial.TLSConfig(config, c.host)

	// Nothing else may go out until the stream is replaced (start keeps
	// the write lock), and the reader stops right after STARTTLS's
	// completion (resume): the next octets are the handshake's.
	cmd := &command{holdWrite: true, resume: make(chan struct{})}
	if err := c.start(ctx, "STARTTLS", nil, false, cmd); err != nil {
		return err
	}
	err := c.switchTLS(ctx, cmd, config)
	close(cmd.resume)
	c.wmu.Unlock()
	if err != nil {
		return err
	}
	_, err = c.Capability(ctx)
	return err
}

// switchTLS waits for STARTTLS's completion and, on OK, runs the TLS
// handshake and replaces the stream. The write lock is held and the
// reader stops after the completion.
func (c *Client) switchTLS(ctx context.Context, cmd *command, config *tls.Config) error {
	select {
	case <-cmd.done:
	case <-ctx.Done():
		// The server may begin TLS at any moment: the connection
		// cannot be used in the clear any more.
		c.fail(fmt.Errorf("%w: STARTTLS abandoned: %w", ErrClosed, ctx.Err()))
		return ctx.Err()
	}
	if cmd.err != nil {
		// The connection ended, or the completion did not parse.
		c.fail(fmt.Errorf("%w: STARTTLS: %w", ErrClosed, cmd.err))
		return cmd.err
	}
	if st := cmd.status; st.Status != wire.StatusOK {
		return fmt.Errorf("%w: %w", ErrNoStartTLS, &StatusError{Command: cmd.name, Status: st.Status, Code: st.Code, Text: st.Text})
	}
	// Anything after the OK was sent in the clear by whoever is in the
	// middle (the client-side counterpart of CVE-2011-0411): it must not
	// be read as if it came over TLS.
	if n := c.dec.Buffered(); n > 0 {
		err := fmt.Errorf("imapclient: %d octets received in the clear after STARTTLS's OK", n)
		c.fail(fmt.Errorf("%w: %w", ErrClosed, err))
		return err
	}
	tc := tls.Client(c.conn(), config)
	if err := tc.HandshakeContext(ctx); err != nil {
		err = fmt.Errorf("imapclient: TLS handshake: %w", err)
		c.fail(fmt.Errorf("%w: %w", ErrClosed, err))
		return err
	}
	// The capabilities announced in the clear (the OK's CAPABILITY code
	// included) are not to be trusted.
	c.mu.Lock()
	c.caps = nil
	c.mu.Unlock()
	c.setStream(tc)
	return nil
}

// Authenticate authenticates with a SASL mechanism (RFC 3501 §6.2.2,
// RFC 9051 §6.2.2), sending the initial response on the command line when
// the server offers SASL-IR (RFC 4959). If the mechanism fails (an error
// from Next), the exchange is cancelled with "*". After success the
// capabilities are refreshed (from the OK's CAPABILITY code or by asking).
//
// sasl.NewPlainClient, NewScramSHA256Client and NewXOAuth2Client make
// mechanisms; AuthenticatePassword picks the best password mechanism.
func (c *Client) Authenticate(ctx context.Context, mech sasl.Client) error {
	name, ir, err := mech.Start()
	if err != nil {
		return fmt.Errorf("imapclient: AUTHENTICATE: %w", err)
	}
	args := &imap.AuthenticateCommand{Mechanism: name}
	if ir != nil && c.Caps().Has(imap.CapSASLIR) {
		args.InitialResponse, args.HasInitialResponse = ir, true
		ir = nil
	}
	c.mu.Lock()
	oldCaps := c.caps
	c.caps = nil
	c.mu.Unlock()
	restore := func() {
		c.mu.Lock()
		if c.caps == nil {
			c.caps = oldCaps
		}
		c.mu.Unlock()
	}
	cmd := &command{keepCont: true}
	if err := c.start(ctx, "AUTHENTICATE", args, false, cmd); err != nil {
		restore()
		return err
	}
	defer c.clearCont(cmd)
	var mechErr error
loop:
	for {
		select {
		case text := <-cmd.cont:
			var resp []byte
			challenge, err := base64.StdEncoding.DecodeString(strings.TrimSpace(text))
			switch {
			case err != nil:
				err = fmt.Errorf("invalid base64 in the server's challenge: %w", err)
			case ir != nil && len(challenge) == 0:
				// No SASL-IR: the initial response answers the
				// empty challenge (RFC 4422 §5).
				resp, ir = ir, nil
			default:
				ir = nil
				resp, err = mech.Next(challenge)
			}
			line := "*" // cancels the exchange (RFC 3501 §6.2.2)
			if err == nil {
				line = base64.StdEncoding.EncodeToString(resp)
			} else {
				mechErr = err
			}
			if err := c.writeAuthLine(line); err != nil {
				restore()
				return err
			}
		case <-cmd.done:
			break loop
		case <-ctx.Done():
			// Cancel the exchange; the completion is discarded.
			c.writeAuthLine("*")
			restore()
			return ctx.Err()
		}
	}
	c.clearCont(cmd)
	if _, err := c.wait(ctx, cmd); err != nil {
		restore()
		if mechErr != nil {
			return fmt.Errorf("imapclient: AUTHENTICATE %s: %w", name, mechErr)
		}
		return err
	}
	if mechErr != nil {
		// The server accepted an exchange the mechanism rejected (e.g. a
		// SCRAM server signature that did not verify): do not trust it.
		c.Close()
		return fmt.Errorf("imapclient: AUTHENTICATE %s: %w", name, mechErr)
	}
	return c.afterAuth(ctx)
}

// writeAuthLine sends one line of a SASL exchange.
func (c *Client) writeAuthLine(line string) error {
	c.wmu.Lock()
	err := c.enc.WriteLine([]byte(line))
	if err == nil {
		err = c.enc.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		c.fail(fmt.Errorf("%w: sending a SASL response: %w", ErrClosed, err))
	}
	return err
}

// AuthenticatePassword logs in with a user name and password using the
// best mechanism the server offers: SCRAM-SHA-256-PLUS (on TLS 1.3, with
// tls-exporter channel binding, RFC 9266), SCRAM-SHA-256 (RFC 7677),
// PLAIN (RFC 4616), and last LOGIN (RFC 3501 §6.2.3) unless the server
// announced LOGINDISABLED.
func (c *Client) AuthenticatePassword(ctx context.Context, user, password string) error {
	caps := c.Caps()
	has := func(mech string) bool { return caps.Advertised(imap.Cap("AUTH=" + mech)) }
	var csp *tls.ConnectionState
	if cs, ok := c.TLSConnectionState(); ok {
		csp = &cs
	}
	if mech := saslclient.ForPassword(has, csp, user, password, false); mech != nil {
		return c.Authenticate(ctx, mech)
	}
	if caps.Has(imap.CapLoginDisabled) {
		return errors.New("imapclient: no usable password mechanism (LOGINDISABLED)")
	}
	return c.Login(ctx, user, password)
}

// NewScramSHA256Client returns a SASL SCRAM-SHA-256 client (RFC 7677,
// RFC 5802) over github.com/xdg-go/scram. It verifies the server's
// signature: a server that does not know the password fails the
// exchange even if it answers OK.
func NewScramSHA256Client(username, password string) sasl.Client {
	return saslclient.NewScramSHA256(username, password)
}

// NewScramSHA256PlusClient returns a SASL SCRAM-SHA-256-PLUS client bound
// to the TLS connection with tls-exporter (RFC 9266, TLS 1.3).
func NewScramSHA256PlusClient(username, password string, cs *tls.ConnectionState) sasl.Client {
	return saslclient.NewScramSHA256Plus(username, password, cs)
}

// NewXOAuth2Client returns a SASL XOAUTH2 client, Google's and Microsoft's
// OAuth 2.0 mechanism (https://developers.google.com/gmail/imap/xoauth2-protocol):
// the initial response is "user=" user "\x01auth=Bearer " token
// "\x01\x01". On failure the server sends a JSON error as a challenge;
// the client answers it with an empty response, and the server's NO
// follows. Prefer OAUTHBEARER (RFC 7628, sasl.NewOAuthBearerClient) where
// offered.
func NewXOAuth2Client(username, token string) sasl.Client {
	return &saslclient.XOAuth2Client{Username: username, Token: token}
}

// TLSConnectionState returns the state of the connection's TLS layer, and
// false on a connection without TLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	c.mu.Lock()
	nc := underlying(c.nc)
	c.mu.Unlock()
	if tc, ok := nc.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}
