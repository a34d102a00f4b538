package imapserver

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/saslserver"
	"github.com/mailaccess/mailaccess/mailstore"
)

// TokenAuthenticator is implemented by a Server's Authenticator that
// accepts OAuth 2.0 bearer tokens: the server then offers SASL
// OAUTHBEARER (RFC 7628) where it offers plaintext passwords. It is
// mailstore.TokenAuthenticator: one Authenticator serves every server.
type TokenAuthenticator = mailstore.TokenAuthenticator

// CertificateAuthenticator is implemented by a Server's Authenticator that
// maps a verified TLS client certificate to a user, for SASL EXTERNAL
// (RFC 4422 Appendix A); without it the user is the certificate's subject
// common name. It is mailstore.CertificateAuthenticator.
type CertificateAuthenticator = mailstore.CertificateAuthenticator

// Throttling of failed authentication attempts (RFC 9051 §11: "A server
// SHOULD have mechanisms in place to limit or delay failed
// AUTHENTICATE/LOGIN attempts").
const (
	// defaultAuthFailDelay is the wait before answering the first failed
	// attempt of a session; it doubles with each failure after it.
	defaultAuthFailDelay = 500 * time.Millisecond
	// maxAuthFailDelay caps the wait.
	maxAuthFailDelay = 8 * time.Second
	// maxAuthFailures is the failed attempts after which the session
	// ends with BYE.
	maxAuthFailures = 5
)

// authState is a connection's authentication, TLS and trace state
// (auth.go, tls.go, trace.go). It belongs to the executor, except trace,
// which the stream's reader and writer use under the tracer's lock.
type authState struct {
	failures  int           // failed authentication attempts in this session
	failDelay time.Duration // first delay after a failure; 0: defaultAuthFailDelay (tests set it in-package)
	tlsConn   *tls.Conn     // the TLS layer STARTTLS started
	trace     *tracer       // the protocol trace, when Server.Trace is set
}

// sentStatus is what a handler returns when it has written its own tagged
// completion (STARTTLS, whose OK must precede the TLS handshake): run
// writes nothing more.
var sentStatus = &status{typ: wire.StatusOK}

// authCaps lists the AUTH= capabilities offered now (RFC 3501 §6.2.2):
// the mechanisms authMechs lists.
func (c *conn) authCaps() imap.CapSet {
	var caps imap.CapSet
	for _, m := range c.authMechs() {
		caps = append(caps, imap.Cap("AUTH="+m))
	}
	return caps
}

// saslConfig says which SASL mechanisms the connection offers now and
// how they check credentials (package saslserver):
//   - SCRAM-SHA-256 (RFC 7677), when the Authenticator can give secrets
//     (mailstore.SecretLookup), and SCRAM-SHA-256-PLUS with tls-exporter
//     channel binding (RFC 9266) on TLS 1.3;
//   - PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login), where
//     plaintext passwords are allowed (RFC 9051 §11: not on a cleartext
//     connection unless configured);
//   - OAUTHBEARER (RFC 7628) likewise, when the Authenticator is a
//     TokenAuthenticator;
//   - EXTERNAL (RFC 4422 Appendix A), when TLS verified a client
//     certificate (mapped by a CertificateAuthenticator, or the subject
//     common name).
func (c *conn) saslConfig() *saslserver.Config {
	var csp *tls.ConnectionState
	if cs, ok := c.tlsState(); ok {
		csp = &cs
	}
	return saslserver.NewConfig(c.srv.Authenticator, csp, c.plaintextAllowed())
}

// authMechs lists the SASL mechanisms usable on the connection now, best
// first (see saslConfig).
func (c *conn) authMechs() []string {
	return c.saslConfig().Mechanisms()
}

// cmdLogin is LOGIN (RFC 3501 §6.2.3, RFC 9051 §6.2.3). Without TLS on a
// connection that is not loopback it is refused, even with the right
// password, with NO [PRIVACYREQUIRED] (RFC 9051 §7.1 and §11).
func (c *conn) cmdLogin(cmd *wire.Command) *status {
	if !c.plaintextAllowed() {
		return no(code(imap.CodePrivacyRequired), "LOGIN is disabled without TLS; use STARTTLS")
	}
	args := cmd.Args.(*imap.LoginCommand)
	return c.login(args.Username, args.Password)
}

// login checks a user name and password with the Authenticator and, if
// they are good, opens the user's store and enters the authenticated
// state: OK [CAPABILITY ...]. Otherwise it answers NO after the failure
// delay (authFailed).
func (c *conn) login(username, password string) *status {
	user, err := c.checkPassword(username, password)
	if err != nil {
		return c.authFailed("LOGIN", username, err)
	}
	return c.authenticated("LOGIN", user)
}

// checkPassword asks the Authenticator. A failure that is not
// mailstore.ErrAuthFailed comes back as a *saslserver.UnavailableError.
func (c *conn) checkPassword(username, password string) (string, error) {
	return saslserver.CheckPassword(c.ctx, c.srv.Authenticator, username, password)
}

// authenticated opens the store of an authenticated user and enters the
// authenticated state. The OK carries the new capabilities (RFC 9051
// §6.2.2, §6.2.3).
func (c *conn) authenticated(mech, user string) *status {
	st, err := c.srv.Backend.Open(c.ctx, user)
	if err != nil {
		if errors.Is(err, mailstore.ErrAuthFailed) {
			return c.authFailed(mech, user, err)
		}
		return c.storeError(err)
	}
	c.user, c.store, c.state = user, st, stateAuth
	c.log.Info("authenticated", "user", user, "mechanism", mech)
	return okCode(&imap.ResponseCode{Name: imap.CodeCapability, Caps: c.capabilities()}, mech+" completed")
}

// authFailed answers a failed authentication: NO with the RFC 5530 code,
// after a delay that doubles with each failure of the session; after
// maxAuthFailures failures the session ends with BYE. A failure of the
// authentication service (saslserver.UnavailableError) is neither
// delayed nor counted.
func (c *conn) authFailed(mech, username string, err error) *status {
	var ue *saslserver.UnavailableError
	if errors.As(err, &ue) {
		c.log.Error("authentication unavailable", "mechanism", mech, "err", ue.Err)
		return no(code(imap.CodeUnavailable), "Authentication is temporarily unavailable")
	}
	c.auth.failures++
	c.log.Info("authentication failed", "user", username, "mechanism", mech, "failures", c.auth.failures)
	c.authDelay()
	var st *status
	if errors.Is(err, saslserver.ErrAuthz) {
		st = no(code(imap.CodeAuthorizationFailed), "Not authorized for that identity")
	} else {
		st = no(code(imap.CodeAuthenticationFailed), "Authentication failed")
	}
	if c.auth.failures >= maxAuthFailures {
		c.bye("Too many failed authentication attempts")
		c.state = stateLogout
	}
	return st
}

// authDelay waits after the session's latest failed attempt, or until the
// server shuts down.
func (c *conn) authDelay() {
	t := time.NewTimer(authDelayFor(c.auth.failDelay, c.auth.failures))
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.srv.shutdown:
	}
}

// authDelayFor is the delay after the given number of failures: first
// (defaultAuthFailDelay when 0), doubling with each failure up to
// maxAuthFailDelay.
func authDelayFor(first time.Duration, failures int) time.Duration {
	d := first
	if d <= 0 {
		d = defaultAuthFailDelay
	}
	for i := 1; i < failures && d < maxAuthFailDelay; i++ {
		d *= 2
	}
	return min(d, maxAuthFailDelay)
}

// cmdAuthenticate is AUTHENTICATE (RFC 3501 §6.2.2, RFC 9051 §6.2.2) with
// SASL-IR (RFC 4959). The reader goroutine waits at this barrier command,
// so the client's responses are read here with the decoder. A response
// "*" cancels the exchange and invalid base64 ends it, both with BAD.
func (c *conn) cmdAuthenticate(cmd *wire.Command) *status {
	args := cmd.Args.(*imap.AuthenticateCommand)
	mech := strings.ToUpper(args.Mechanism)
	if saslserver.IsPlaintext(mech) && !c.plaintextAllowed() {
		// RFC 9051 §11: refused even with the right password.
		return no(code(imap.CodePrivacyRequired), "Plaintext authentication is disabled without TLS; use STARTTLS")
	}
	srv := saslserver.New(c.ctx, mech, c.saslConfig())
	if srv == nil {
		return no(nil, "Unsupported authentication mechanism")
	}
	var resp []byte // nil: no initial response
	if args.HasInitialResponse {
		resp = args.InitialResponse
		if resp == nil {
			resp = []byte{}
		}
	}
	for {
		challenge, done, err := srv.Next(resp)
		if err != nil {
			return c.authFailed(mech, srv.Username(), err)
		}
		if done {
			break
		}
		line, st := c.saslExchange(challenge)
		if st != nil {
			return st
		}
		resp = line
	}
	if srv.User() == "" {
		return c.authFailed(mech, srv.Username(), mailstore.ErrAuthFailed)
	}
	return c.authenticated(mech, srv.User())
}

// saslExchange sends a challenge and reads the client's response. A
// non-nil status ends the command: BAD for a cancellation or invalid
// base64, or the end of the session.
func (c *conn) saslExchange(challenge []byte) ([]byte, *status) {
	c.wmu.Lock()
	err := c.enc.WriteContinuation(base64.StdEncoding.EncodeToString(challenge))
	if err == nil {
		err = c.flushLocked()
	}
	c.wmu.Unlock()
	if err != nil {
		c.state = stateLogout
		return nil, sentStatus
	}
	line, st := c.saslReadLine()
	if st != nil {
		return nil, st
	}
	if len(line) == 1 && line[0] == '*' {
		return nil, bad("AUTHENTICATE cancelled")
	}
	resp, ok := decodeBase64(line)
	if !ok {
		return nil, bad("Invalid base64 in SASL response")
	}
	return resp, nil
}

// saslReadLine reads one client line of an AUTHENTICATE exchange. It gives
// up when the client is silent for the login timeout or the server shuts
// down, ending the session with BYE, as IDLE does.
func (c *conn) saslReadLine() ([]byte, *status) {
	type result struct {
		line []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := c.dec.ReadLine()
		ch <- result{line, err}
	}()
	timer := time.NewTimer(c.lim.LoginTimeout)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err == nil {
			return r.line, nil
		}
		if errors.Is(r.err, wire.ErrLimit) {
			return nil, bad("SASL response too long")
		}
		c.state = stateLogout
		return nil, sentStatus
	case <-timer.C:
		c.bye("Autologout; authentication took too long")
	case <-c.srv.shutdown:
		c.bye("Server shutting down")
	}
	c.state = stateLogout
	return nil, sentStatus
}

// decodeBase64 decodes a SASL response: base64 (RFC 4648 §4) with every
// character in the alphabet and "=" only as trailing padding (RFC 9051
// §6.2.2). Missing padding is tolerated, as the decoder tolerates it in
// an initial response.
func decodeBase64(b []byte) ([]byte, bool) {
	pad := len(b)
	for pad > 0 && b[pad-1] == '=' {
		pad--
	}
	for _, ch := range b[:pad] {
		if !(ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9' || ch == '+' || ch == '/') {
			return nil, false
		}
	}
	enc := base64.StdEncoding
	if pad == len(b) && len(b)%4 != 0 {
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(b)))
	n, err := enc.Decode(out, b)
	if err != nil {
		return nil, false
	}
	return out[:n], true
}

// cmdUnauthenticate is UNAUTHENTICATE (RFC 8437 §3): the mailbox is closed
// without expunging, the store is let go, everything ENABLE turned on is
// off again, and the session is back in the not authenticated state.
// The TLS layer stays. It never fails.
func (c *conn) cmdUnauthenticate(cmd *wire.Command) *status {
	c.closeMailbox()
	if c.store != nil {
		c.store.Close()
		c.store = nil
	}
	c.log.Info("unauthenticated", "user", c.user)
	c.user = ""
	c.state = stateNotAuth
	clear(c.enabled) // RFC 8437 §4.1
	c.searchRes = imap.NumSet{}
	c.dec.SetUTF8(false)
	c.wmu.Lock()
	c.enc.SetUTF8(false)
	c.wmu.Unlock()
	return nil
}
