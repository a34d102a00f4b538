package pop3server

import (
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/internal/saslserver"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// TokenAuthenticator is implemented by a Server's Authenticator that
// accepts OAuth 2.0 bearer tokens: the server then offers SASL
// OAUTHBEARER (RFC 7628) where it offers plaintext passwords. It is
// mailstore.TokenAuthenticator, as imapserver.TokenAuthenticator is: one
// Authenticator serves both servers.
type TokenAuthenticator = mailstore.TokenAuthenticator

// CertificateAuthenticator is implemented by a Server's Authenticator that
// maps a verified TLS client certificate to a user, for SASL EXTERNAL
// (RFC 4422 Appendix A, RFC 2595 §4); without it the user is the
// certificate's subject common name. It is
// mailstore.CertificateAuthenticator, as
// imapserver.CertificateAuthenticator is.
type CertificateAuthenticator = mailstore.CertificateAuthenticator

// maxAuthFailureDelay caps the delay after failed attempts, in units of
// Limits.AuthFailureDelay.
const maxAuthFailureDelay = 16

// maxSASLLine is how much longer than a command line a SASL response may
// be (OAUTHBEARER tokens are long).
const maxSASLLine = 8

// plaintextAllowed reports whether passwords may be sent in the clear on
// this connection: over TLS, on loopback, or when the server allows it
// (RFC 5034 §4, RFC 2595 §2.2, RFC 8314).
func (c *conn) plaintextAllowed() bool {
	return c.isTLS || c.loopback || c.srv.InsecureAuth
}

// saslConfig says which SASL mechanisms the connection offers now and how
// they check credentials (package saslserver): SCRAM-SHA-256 (and -PLUS
// with tls-exporter channel binding on TLS 1.3) when the Authenticator
// gives secrets; PLAIN, LOGIN, and OAUTHBEARER with a TokenAuthenticator,
// where plaintext is allowed; EXTERNAL when TLS verified a client
// certificate.
func (c *conn) saslConfig() *saslserver.Config {
	var csp *tls.ConnectionState
	if cs, ok := c.tlsState(); ok {
		csp = &cs
	}
	return saslserver.NewConfig(c.srv.Authenticator, csp, c.plaintextAllowed())
}

// cmdUser is USER (RFC 1939 §7). It is answered +OK for any name, so as
// not to tell which users exist; PASS checks. Without TLS on a connection
// that is not loopback it is refused (RFC 2595 §2.2).
func (c *conn) cmdUser(cmd pop3.Command) {
	if len(cmd.Args) == 0 {
		c.syntaxError(cmd)
		return
	}
	c.haveUser = false
	if !c.plaintextAllowed() {
		c.fail(pop3.CodeAuth, "Plaintext authentication is disabled without TLS; use STLS")
		return
	}
	// A name with spaces arrives as several arguments.
	name := strings.Join(cmd.Args, " ")
	if !utf8.ValidString(name) {
		// RFC 6856 §2.2: malformed UTF-8 is refused.
		c.fail("", "User name is not valid UTF-8")
		return
	}
	c.userName, c.haveUser = name, true
	c.ok("Send the password")
}

// cmdPass is PASS (RFC 1939 §7), after a successful USER.
func (c *conn) cmdPass(cmd pop3.Command) {
	if !c.haveUser {
		c.badCommand("Give USER first")
		return
	}
	name := c.userName
	c.userName, c.haveUser = "", false
	if len(cmd.Args) != 1 {
		c.syntaxError(cmd)
		return
	}
	if !c.plaintextAllowed() {
		c.fail(pop3.CodeAuth, "Plaintext authentication is disabled without TLS; use STLS")
		return
	}
	password := cmd.Args[0]
	if !utf8.ValidString(password) {
		c.authFailed("USER", name, mailstore.ErrAuthFailed)
		return
	}
	user, err := c.checkPassword(name, password)
	if err != nil {
		c.authFailed("USER", name, err)
		return
	}
	c.login("USER", user)
}

// checkPassword asks the Authenticator. A failure that is not
// mailstore.ErrAuthFailed comes back as a *saslserver.UnavailableError.
func (c *conn) checkPassword(username, password string) (string, error) {
	return saslserver.CheckPassword(c.ctx, c.srv.Authenticator, username, password)
}

// cmdAPOP is APOP (RFC 1939 §7): the MD5 of the greeting's timestamp and
// the user's shared secret, which the Authenticator gives
// (mailstore.SecretLookup). An unknown user is compared against a random
// secret, so that it fails in the same way and time as a wrong digest.
func (c *conn) cmdAPOP(cmd pop3.Command) {
	sl, ok := c.srv.Authenticator.(mailstore.SecretLookup)
	if !ok || c.timestamp == "" {
		c.fail("", "APOP is not available")
		return
	}
	if len(cmd.Args) != 2 {
		c.syntaxError(cmd)
		return
	}
	name, digest := cmd.Args[0], cmd.Args[1]
	if !utf8.ValidString(name) {
		c.fail("", "User name is not valid UTF-8")
		return
	}
	secret, user, err := sl.Secret(c.ctx, name)
	if err != nil {
		if err = saslserver.Unavailable(err); !errors.Is(err, mailstore.ErrAuthFailed) {
			c.authFailed("APOP", name, err)
			return
		}
		var b [16]byte
		rand.Read(b[:])
		secret = hex.EncodeToString(b[:])
	}
	if !apopMatch(c.timestamp, secret, digest) || err != nil {
		c.authFailed("APOP", name, mailstore.ErrAuthFailed)
		return
	}
	c.login("APOP", user)
}

// apopMatch reports whether a client's APOP digest is the MD5 of the
// timestamp and the secret, comparing in constant time. RFC 1939 §7 has
// the digest in lower case; upper case is accepted too.
func apopMatch(timestamp, secret, digest string) bool {
	want := pop3.APOPDigest(timestamp, secret)
	return subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(digest))) == 1
}

// cmdAuth is AUTH (RFC 5034 §4). Without arguments it lists the
// mechanisms, as many clients expect (the form RFC 1734 servers gave):
// "+OK", one mechanism per line, ".". A challenge is "+ " and Base64; the
// client's "*" cancels with -ERR, as does a response that is not Base64.
func (c *conn) cmdAuth(cmd pop3.Command) {
	cfg := c.saslConfig()
	if len(cmd.Args) == 0 {
		c.ok("Supported mechanisms follow")
		for _, m := range cfg.Mechanisms() {
			c.line(m)
		}
		c.endListing()
		return
	}
	if len(cmd.Args) > 2 {
		c.syntaxError(cmd)
		return
	}
	mech := strings.ToUpper(cmd.Args[0])
	if saslserver.IsPlaintext(mech) && !cfg.Plaintext {
		// RFC 5034 §4: not permitted before STLS; refused even with the
		// right password.
		c.fail(pop3.CodeAuth, "Plaintext authentication is disabled without TLS; use STLS")
		return
	}
	srv := saslserver.New(c.ctx, mech, cfg)
	if srv == nil {
		c.fail("", "Unsupported authentication mechanism")
		return
	}
	var resp []byte // nil: no initial response
	if len(cmd.Args) == 2 {
		ir, err := pop3.DecodeInitialResponse(cmd.Args[1])
		if err != nil {
			c.fail("", "Invalid Base64 in the initial response")
			return
		}
		resp = ir
	}
	for {
		challenge, done, err := srv.Next(resp)
		if err != nil {
			c.authFailed(mech, srv.Username(), err)
			return
		}
		if done {
			break
		}
		var ok bool
		if resp, ok = c.saslExchange(challenge); !ok {
			return
		}
	}
	if srv.User() == "" {
		c.authFailed(mech, srv.Username(), mailstore.ErrAuthFailed)
		return
	}
	c.login(mech, srv.User())
}

// saslExchange sends a challenge and reads the client's response. It
// reports false when the exchange is over: the client cancelled or sent
// something that is not Base64 (answered -ERR here), or the session
// ended.
func (c *conn) saslExchange(challenge []byte) ([]byte, bool) {
	if c.trace != nil {
		if len(challenge) == 0 {
			c.traceServer([]byte("+ "))
		} else {
			c.traceServer([]byte("+ ***"))
		}
	}
	if err := c.w.WriteChallenge(challenge); err != nil {
		c.writeFailed(err)
		return nil, false
	}
	if c.flush() != nil {
		return nil, false
	}
	if err := c.setReadDeadline(c.lim.LoginTimeout); err != nil {
		c.readFailed(err)
		c.quit = true
		return nil, false
	}
	c.r.MaxLine = maxSASLLine * c.lim.MaxLineLength
	resp, err := c.r.ReadAuthResponse()
	c.r.MaxLine = c.lim.MaxLineLength
	switch {
	case err == nil:
		if len(resp) == 0 {
			c.traceClient([]byte(""))
		} else {
			c.traceClient([]byte("***"))
		}
		return resp, true
	case errors.Is(err, pop3.ErrAuthCancelled):
		c.traceClient([]byte("*"))
		c.fail("", "Authentication cancelled")
	case errors.Is(err, pop3.ErrSyntax):
		c.traceClient([]byte("***"))
		c.fail("", "Invalid Base64 in the SASL response")
	case errors.Is(err, pop3.ErrLineTooLong):
		c.traceEvent("SASL response too long; skipped")
		c.fail("", "SASL response too long")
	default:
		c.readFailed(err)
		c.quit = true
	}
	return nil, false
}

// authFailed answers a failed authentication: -ERR [AUTH] (RFC 3206 §5),
// after a delay that doubles with each failure of the session; after
// MaxAuthFailures failures the connection is closed. A failure of the
// authentication service (saslserver.UnavailableError) is answered
// -ERR [SYS/TEMP] (RFC 3206 §4) and neither delayed nor counted.
func (c *conn) authFailed(mech, username string, err error) {
	var ue *saslserver.UnavailableError
	if errors.As(err, &ue) {
		c.log.Error("authentication unavailable", "mechanism", mech, "err", ue.Err)
		c.fail(pop3.CodeSysTemp, "Authentication is temporarily unavailable")
		return
	}
	c.failures++
	c.log.Info("authentication failed", "user", username, "mechanism", mech, "failures", c.failures)
	c.authDelay()
	switch {
	case errors.Is(err, saslserver.ErrAuthz):
		c.fail(pop3.CodeAuth, "Not authorized for that identity")
	case errors.Is(err, saslserver.ErrMalformed), errors.Is(err, sasl.ErrUnexpectedClientResponse):
		// Not a problem with the credentials (RFC 3206 §6).
		c.fail("", "Malformed SASL exchange")
	default:
		c.fail(pop3.CodeAuth, "Authentication failed")
	}
	if c.failures >= c.lim.MaxAuthFailures {
		c.log.Info("too many failed authentication attempts")
		c.quit = true
	}
}

// authDelay waits after the session's latest failed attempt, or until the
// server shuts down. The answers written so far go out first.
func (c *conn) authDelay() {
	c.flush()
	t := time.NewTimer(failureDelay(c.lim, c.failures))
	defer t.Stop()
	select {
	case <-t.C:
	case <-c.srv.netsrv.Done():
	}
}

// failureDelay is the delay after the given number of failures:
// AuthFailureDelay, doubling with each failure up to maxAuthFailureDelay
// times it.
func failureDelay(lim Limits, failures int) time.Duration {
	d, most := lim.AuthFailureDelay, maxAuthFailureDelay*lim.AuthFailureDelay
	for i := 1; i < failures && d < most; i++ {
		d *= 2
	}
	return min(d, most)
}

// login opens the maildrop of an authenticated user and enters the
// TRANSACTION state (RFC 1939 §4): LOGIN-DELAY is checked, the exclusive
// access to the maildrop taken (-ERR [IN-USE] if another session of this
// Server holds it), the user's Store and maildrop opened, and the list
// of messages fixed for the session. On any failure the session stays in
// the AUTHORIZATION state, holding nothing.
func (c *conn) login(mech, user string) {
	now := time.Now()
	if c.srv.loginTooSoon(user, now) {
		c.log.Info("login too soon", "user", user)
		c.fail(pop3.CodeLoginDelay, "Logged in too recently; try again later")
		return
	}
	if c.srv.Backend == nil {
		c.log.Error("no Backend")
		c.fail(pop3.CodeSysPerm, "No maildrop available")
		return
	}
	key := lockKey(user, c.srv.mailbox())
	if !c.srv.lock(c.ctx, key) {
		c.log.Info("maildrop in use", "user", user)
		c.fail(pop3.CodeInUse, "Maildrop is in use by another session")
		return
	}
	if err := c.openMaildrop(user); err != nil {
		c.srv.unlock(key)
		if errors.Is(err, mailstore.ErrAuthFailed) {
			c.authFailed(mech, user, err)
			return
		}
		c.log.Error("cannot open the maildrop", "user", user, "err", err)
		if errors.Is(err, mailstore.ErrNoSuchMailbox) || errors.Is(err, mailstore.ErrNotAllowed) {
			c.fail(pop3.CodeSysPerm, "Cannot open the maildrop")
		} else {
			c.fail(pop3.CodeSysTemp, "Cannot open the maildrop")
		}
		return
	}
	c.lockKey = key
	c.srv.recordLogin(user, now)
	c.state = pop3.Transaction
	c.userName, c.haveUser = "", false
	c.log.Info("authenticated", "user", user, "mechanism", mech, "messages", len(c.msgs))
	c.traceEvent("authenticated as " + user)
	c.ok("Maildrop has " + c.dropSummary())
}
