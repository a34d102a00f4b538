package pop3client

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/internal/maildial"
	"github.com/mailaccess/mailaccess/internal/saslclient"
	"github.com/mailaccess/mailaccess/pop3"
)

// Errors of STLS.
var (
	// ErrNoStartTLS matches the error of DialStartTLS and StartTLS when
	// the server does not announce STLS or refuses it. A refusal also
	// matches *pop3.Error with errors.As.
	ErrNoStartTLS = errors.New("pop3client: STLS not available")
	// ErrSTLSInjection: the server's +OK to STLS was followed by data
	// before the TLS handshake. Whoever sent it is in the middle of the
	// connection (the client-side counterpart of CVE-2011-0411); the
	// connection is closed.
	ErrSTLSInjection = errors.New("pop3client: data received in the clear after STLS's +OK")
)

// DialStartTLS connects to addr over TCP and upgrades the connection to
// TLS with STLS (RFC 2595 §4) before anything but CAPA is sent, using
// Options.TLSConfig (nil means the default configuration for the host of
// addr). If the server does not announce STLS, refuses it, sends anything
// after its +OK, or the TLS handshake fails, the connection is closed and
// an error returned: the client never goes on in plaintext. The
// capabilities are asked for again over TLS.
//
// Implicit TLS (DialTLS, port 995) is preferable where the server offers
// it (RFC 8314).
func DialStartTLS(ctx context.Context, addr string, opts *Options) (*Client, error) {
	return maildial.Dial(ctx, addr, false, nil, func(nc net.Conn, host string) (*Client, error) {
		return NewStartTLS(ctx, nc, host, opts)
	})
}

// NewStartTLS is DialStartTLS on an existing connection; host names the
// server for certificate verification when Options.TLSConfig has no
// ServerName.
func NewStartTLS(ctx context.Context, nc net.Conn, host string, opts *Options) (*Client, error) {
	c, err := newClient(ctx, nc, host, opts)
	if err != nil {
		return nil, err
	}
	if !c.Caps().Has(pop3.CapSTLS) {
		c.Close()
		return nil, fmt.Errorf("%w: not announced by the server", ErrNoStartTLS)
	}
	if err := c.StartTLS(ctx); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// StartTLS sends STLS (RFC 2595 §4) and runs the TLS handshake with
// Options.TLSConfig, then asks CAPA again, since what the server said in
// the clear cannot be trusted. It waits for the answers to earlier
// commands, and nothing else is sent until it is done.
//
// If the server refuses (-ERR, matching ErrNoStartTLS and *pop3.Error),
// the connection stays open in plaintext: the caller decides whether to go
// on (DialStartTLS does not). If the server sends anything after its +OK
// (ErrSTLSInjection) or the handshake fails, the connection is closed.
func (c *Client) StartTLS(ctx context.Context) error {
	t, err := c.send(ctx, exclusive, false, pop3.Command{Name: pop3.CmdSTLS})
	if err != nil {
		return err
	}
	err = c.startTLS(ctx)
	t.release()
	if err != nil {
		return err
	}
	// RFC 2595 §4: the client must discard what it knew of the server's
	// capabilities.
	if _, err := c.Capa(ctx); err != nil && !isNegative(err) {
		return err
	}
	return nil
}

func (c *Client) startTLS(ctx context.Context) error {
	stop := c.watch(ctx)
	resp, err := c.readStatus()
	stop()
	if err != nil {
		return err
	}
	if !resp.OK {
		return fmt.Errorf("%w: %w", ErrNoStartTLS, resp.Err())
	}
	// Anything after the +OK was sent in the clear by whoever is in the
	// middle, to be taken as the server's first answers over TLS.
	if n := c.r.Buffered(); n > 0 {
		c.fail(fmt.Errorf("%w: %w (%d octets)", ErrClosed, ErrSTLSInjection, n))
		return c.Err()
	}
	c.mu.Lock()
	nc := c.nc
	c.caps, c.capaOK = nil, false
	c.mu.Unlock()
	tc := tls.Client(nc, maildial.TLSConfig(c.opts.TLSConfig, c.host))
	if err := tc.HandshakeContext(ctx); err != nil {
		return c.broken(fmt.Errorf("TLS handshake: %w", err))
	}
	c.r.Reset(tc)
	c.w.Reset(tc)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return c.Err()
	}
	c.nc = tc
	c.mu.Unlock()
	return nil
}

// maxCommand is the longest command line, CRLF included (RFC 2449 §4),
// which limits the initial response of AUTH (RFC 5034 §4).
const maxCommand = 255

// Authenticate authenticates with a SASL mechanism (RFC 5034). The
// initial response goes on the command line when the server announced
// SASL (the mark of an RFC 5034 server) and the line stays within 255
// octets (RFC 5034 §4); otherwise it answers the server's first, empty,
// challenge. A challenge that is not valid Base64, or one the mechanism
// rejects (an error from Next), cancels the exchange with "*" (RFC 5034
// §4) and is returned after the server's -ERR. On success the session is
// in the TRANSACTION state and the capabilities are asked for again.
//
// sasl.NewPlainClient, NewScramSHA256Client and NewXOAuth2Client make
// mechanisms; AuthenticatePassword picks the best password mechanism.
func (c *Client) Authenticate(ctx context.Context, mech sasl.Client) error {
	name, ir, err := mech.Start()
	if err != nil {
		return fmt.Errorf("pop3client: AUTH: %w", err)
	}
	cmd := pop3.Command{Name: pop3.CmdAuth, Args: []string{name}}
	if err := checkArgs(cmd); err != nil {
		return err
	}
	if ir != nil && c.Caps().Has(pop3.CapSASL) {
		arg := pop3.EncodeInitialResponse(ir)
		if len("AUTH ")+len(name)+1+len(arg)+2 <= maxCommand {
			cmd.Args = append(cmd.Args, arg)
			ir = nil
		}
	}
	t, err := c.send(ctx, exclusive, false, cmd)
	if err != nil {
		return err
	}
	stop := c.watch(ctx)
	resp, mechErr, err := c.saslExchange(mech, ir)
	stop()
	t.release()
	switch {
	case err != nil:
		return err
	case !resp.OK && mechErr != nil:
		return fmt.Errorf("pop3client: AUTH %s: %w (server: %w)", name, mechErr, resp.Err())
	case !resp.OK:
		return resp.Err()
	case mechErr != nil:
		// The server accepted an exchange the mechanism rejected: do not
		// trust the connection.
		c.fail(fmt.Errorf("%w: AUTH %s: %w", ErrClosed, name, mechErr))
		return c.Err()
	}
	if s, ok := mech.(*saslclient.ScramClient); ok && !s.Verified() {
		// +OK before the server proved it knows the password (SCRAM's
		// server signature).
		err := fmt.Errorf("pop3client: AUTH %s: the server did not prove its identity", name)
		c.fail(fmt.Errorf("%w: %w", ErrClosed, err))
		return err
	}
	return c.afterAuth(ctx)
}

// saslExchange runs the challenges and responses of AUTH until the
// server's final status line. mechErr is why the client cancelled.
func (c *Client) saslExchange(mech sasl.Client, ir []byte) (resp pop3.Response, mechErr, err error) {
	for {
		line, err := c.r.ReadLine()
		if err != nil {
			return resp, mechErr, c.broken(err)
		}
		// A challenge is "+ " and Base64 (RFC 5034 §4); "+" alone is
		// taken for an empty one. Anything else ends the exchange.
		if len(line) == 0 || line[0] != '+' || len(line) > 1 && line[1] != ' ' {
			resp, err := pop3.ParseResponse(line, c.opts.Mode)
			if err != nil {
				return resp, mechErr, c.broken(err)
			}
			return resp, mechErr, nil
		}
		if mechErr != nil {
			// A challenge after "*": the server does not follow RFC
			// 5034 §4.
			return resp, mechErr, c.broken(fmt.Errorf("%w: challenge after the exchange was cancelled", pop3.ErrSyntax))
		}
		data := strings.TrimPrefix(string(line[1:]), " ")
		if c.opts.Mode != pop3.Strict {
			data = strings.TrimRight(data, " ")
		}
		challenge, err := base64.StdEncoding.Strict().DecodeString(data)
		var out []byte
		switch {
		case err != nil:
			mechErr = fmt.Errorf("%w: invalid Base64 in the server's challenge", pop3.ErrSyntax)
		case ir != nil && len(challenge) == 0:
			// No initial response on the command line: it answers the
			// empty challenge (RFC 5034 §4, RFC 4422 §5).
			out, ir = ir, nil
		default:
			ir = nil
			out, mechErr = mech.Next(challenge)
		}
		if mechErr != nil {
			err = c.w.WriteAuthCancel()
		} else {
			err = c.w.WriteAuthResponse(out)
		}
		if err == nil {
			err = c.w.Flush()
		}
		if err != nil {
			return resp, mechErr, c.broken(err)
		}
	}
}

// AuthenticatePassword logs in with a user name and password using the
// best mechanism the server announces in its SASL capability:
// SCRAM-SHA-256-PLUS (on TLS 1.3, with tls-exporter channel binding, RFC
// 9266), SCRAM-SHA-256 (RFC 7677), PLAIN (RFC 4616), then LOGIN; with
// none of them, USER and PASS (RFC 1939 §7).
func (c *Client) AuthenticatePassword(ctx context.Context, user, password string) error {
	var csp *tls.ConnectionState
	if cs, ok := c.TLSConnectionState(); ok {
		csp = &cs
	}
	if mech := saslclient.ForPassword(c.Caps().HasSASL, csp, user, password, true); mech != nil {
		return c.Authenticate(ctx, mech)
	}
	return c.Login(ctx, user, password)
}

// NewScramSHA256Client returns a SASL SCRAM-SHA-256 client (RFC 7677,
// RFC 5802) over github.com/xdg-go/scram. It verifies the server's
// signature: a server that does not know the password fails the exchange
// even if it answers +OK.
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
// the client answers it with an empty response, and the server's -ERR
// follows. Prefer OAUTHBEARER (RFC 7628, sasl.NewOAuthBearerClient) where
// offered.
func NewXOAuth2Client(username, token string) sasl.Client {
	return &saslclient.XOAuth2Client{Username: username, Token: token}
}
