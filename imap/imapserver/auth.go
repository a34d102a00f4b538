package imapserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// TokenAuthenticator is implemented by a Server's Authenticator that
// accepts OAuth 2.0 bearer tokens. The server offers SASL OAUTHBEARER
// (RFC 7628) only when its Authenticator implements it, and only where it
// offers plaintext passwords: a bearer token is as good as a password to
// whoever sees it.
type TokenAuthenticator interface {
	// AuthenticateToken checks a bearer token and returns the canonical
	// user name to open. username is the authorization identity the
	// client named ("" when it named none, leaving the token to say who
	// it is). A rejected token gives mailstore.ErrAuthFailed.
	AuthenticateToken(ctx context.Context, username, token string) (user string, err error)
}

// CertificateAuthenticator is implemented by a Server's Authenticator that
// maps a verified TLS client certificate to a user, for SASL EXTERNAL
// (RFC 4422 Appendix A). Without it, the user is the subject common name
// of the certificate. Either way EXTERNAL is offered only on a TLS
// connection whose client certificate the TLS configuration verified
// (tls.Config.ClientAuth and ClientCAs).
type CertificateAuthenticator interface {
	// AuthenticateCertificate returns the canonical user name for the
	// verified chains of a client certificate (leaf first, as in
	// tls.ConnectionState.VerifiedChains). authzid is the authorization
	// identity the client asked for, "" for the one the certificate
	// names. A certificate that names no user gives
	// mailstore.ErrAuthFailed.
	AuthenticateCertificate(ctx context.Context, chains [][]*x509.Certificate, authzid string) (user string, err error)
}

// SASL mechanism names (RFC 4422 registry).
const (
	mechPlain           = "PLAIN"
	mechLogin           = "LOGIN"
	mechScramSHA256     = "SCRAM-SHA-256"
	mechScramSHA256Plus = "SCRAM-SHA-256-PLUS"
	mechExternal        = "EXTERNAL"
	mechOAuthBearer     = "OAUTHBEARER"
)

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
	// scramIterations is the PBKDF2 iteration count of SCRAM-SHA-256
	// (RFC 7677 §4: at least 4096).
	scramIterations = 4096
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

// Errors of the authentication exchanges, mapped to response codes by
// authFailed.
var (
	// errAuthz: the credentials are good, but not for the authorization
	// identity the client asked for (RFC 5530 AUTHORIZATIONFAILED).
	errAuthz = errors.New("not authorized for that identity")
	// errSASL: the client's messages break the mechanism's syntax.
	errSASL = errors.New("malformed SASL message")
)

// unavailableError wraps an Authenticator's failure that is not a
// rejection of the credentials: the authentication service is down (RFC
// 5530 UNAVAILABLE). It is not counted against the client.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return "authentication unavailable: " + e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// authCaps lists the AUTH= capabilities offered now (RFC 3501 §6.2.2):
// the mechanisms authMechs lists.
func (c *conn) authCaps() imap.CapSet {
	var caps imap.CapSet
	for _, m := range c.authMechs() {
		caps = append(caps, imap.Cap("AUTH="+m))
	}
	return caps
}

// authMechs lists the SASL mechanisms usable on the connection now, best
// first:
//   - SCRAM-SHA-256 (RFC 7677), when the Authenticator can give secrets
//     (mailstore.SecretLookup), and SCRAM-SHA-256-PLUS with tls-exporter
//     channel binding (RFC 9266) on TLS 1.3;
//   - PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login), where
//     plaintext passwords are allowed (RFC 9051 §11: not on a cleartext
//     connection unless configured);
//   - OAUTHBEARER (RFC 7628) likewise, when the Authenticator is a
//     TokenAuthenticator;
//   - EXTERNAL (RFC 4422 Appendix A), when TLS verified a client
//     certificate.
func (c *conn) authMechs() []string {
	var mechs []string
	a := c.srv.Authenticator
	if _, ok := a.(mailstore.SecretLookup); ok {
		if _, ok := c.channelBinding(); ok {
			mechs = append(mechs, mechScramSHA256Plus)
		}
		mechs = append(mechs, mechScramSHA256)
	}
	if a != nil && c.plaintextAllowed() {
		mechs = append(mechs, mechPlain, mechLogin)
		if _, ok := a.(TokenAuthenticator); ok {
			mechs = append(mechs, mechOAuthBearer)
		}
	}
	if cs, ok := c.tlsState(); ok && len(cs.VerifiedChains) > 0 {
		mechs = append(mechs, mechExternal)
	}
	return mechs
}

// plaintextMech reports whether a mechanism sends a reusable secret in the
// clear.
func plaintextMech(m string) bool {
	return m == mechPlain || m == mechLogin || m == mechOAuthBearer
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
// mailstore.ErrAuthFailed comes back as an unavailableError.
func (c *conn) checkPassword(username, password string) (string, error) {
	a := c.srv.Authenticator
	if a == nil {
		return "", mailstore.ErrAuthFailed
	}
	user, err := a.Authenticate(c.ctx, username, password)
	if err != nil && !errors.Is(err, mailstore.ErrAuthFailed) {
		err = &unavailableError{err}
	}
	return user, err
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
// authentication service (unavailableError) is neither delayed nor
// counted.
func (c *conn) authFailed(mech, username string, err error) *status {
	var ue *unavailableError
	if errors.As(err, &ue) {
		c.log.Error("authentication unavailable", "mechanism", mech, "err", ue.err)
		return no(code(imap.CodeUnavailable), "Authentication is temporarily unavailable")
	}
	c.auth.failures++
	c.log.Info("authentication failed", "user", username, "mechanism", mech, "failures", c.auth.failures)
	c.authDelay()
	var st *status
	if errors.Is(err, errAuthz) {
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
	if plaintextMech(mech) && !c.plaintextAllowed() {
		// RFC 9051 §11: refused even with the right password.
		return no(code(imap.CodePrivacyRequired), "Plaintext authentication is disabled without TLS; use STARTTLS")
	}
	res := &saslResult{}
	srv := c.saslServer(mech, res)
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
			return c.authFailed(mech, res.username, err)
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
	if res.user == "" {
		return c.authFailed(mech, res.username, mailstore.ErrAuthFailed)
	}
	return c.authenticated(mech, res.user)
}

// saslExchange sends a challenge and reads the client's response. A
// non-nil status ends the command: BAD for a cancellation or invalid
// base64, or the end of the session.
func (c *conn) saslExchange(challenge []byte) ([]byte, *status) {
	c.wmu.Lock()
	err := c.enc.WriteContinuation(base64.StdEncoding.EncodeToString(challenge))
	if err == nil {
		err = c.enc.Flush()
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

// saslResult is what an exchange found out: the user name the client gave
// (for the log) and, on success, the canonical user to open.
type saslResult struct {
	username string
	user     string
}

// saslServer starts the server side of a mechanism, or returns nil if the
// mechanism is not offered on this connection now.
func (c *conn) saslServer(mech string, res *saslResult) sasl.Server {
	offered := false
	for _, m := range c.authMechs() {
		offered = offered || m == mech
	}
	if !offered {
		return nil
	}
	switch mech {
	case mechPlain:
		// RFC 4616: [authzid] NUL authcid NUL passwd.
		return sasl.NewPlainServer(func(identity, username, password string) error {
			res.username = username
			user, err := c.checkPassword(username, password)
			if err != nil {
				return err
			}
			if identity != "" && identity != username && identity != user {
				return errAuthz
			}
			res.user = user
			return nil
		})
	case mechLogin:
		return &loginServer{check: func(username, password string) error {
			res.username = username
			user, err := c.checkPassword(username, password)
			res.user = user
			return err
		}}
	case mechScramSHA256, mechScramSHA256Plus:
		return c.scramServer(mech == mechScramSHA256Plus, res)
	case mechExternal:
		return sasl.NewExternalServer(func(identity string) error {
			user, err := c.certificateUser(identity)
			res.username, res.user = identity, user
			return err
		})
	case mechOAuthBearer:
		ta := c.srv.Authenticator.(TokenAuthenticator)
		return &oauthBearerServer{verify: func(username, token string) error {
			res.username = username
			user, err := ta.AuthenticateToken(c.ctx, username, token)
			if err != nil && !errors.Is(err, mailstore.ErrAuthFailed) {
				return &unavailableError{err}
			}
			res.user = user
			return err
		}}
	}
	return nil
}

// loginServer is the server side of the LOGIN mechanism
// (draft-murchison-sasl-login-00 §2.2), with the challenges "Username:"
// and "Password:" that some clients insist on. An initial response is the
// user name.
type loginServer struct {
	step     int
	username string
	check    func(username, password string) error
}

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.step {
	case 0:
		s.step = 1
		if len(resp) == 0 {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		s.step = 2
		s.username = string(resp)
		return []byte("Password:"), false, nil
	case 2:
		s.step = 3
		return nil, true, s.check(s.username, string(resp))
	}
	return nil, false, sasl.ErrUnexpectedClientResponse
}

// oauthBearerServer is the server side of OAUTHBEARER (RFC 7628 §3.1): one
// client message "n,a=authzid," 0x01 key=value 0x01 ... 0x01 carrying
// "auth=Bearer token". A rejected token is answered with an error
// challenge in JSON (§3.2.2), to which the client sends 0x01 before the
// server fails the exchange.
type oauthBearerServer struct {
	asked   bool  // an empty challenge was sent for the client's message
	failErr error // the failure, once the error challenge is sent
	done    bool
	verify  func(username, token string) error
}

func (s *oauthBearerServer) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.failErr != nil:
		return nil, false, s.failErr
	case s.done:
		return nil, false, sasl.ErrUnexpectedClientResponse
	case resp == nil && !s.asked:
		s.asked = true
		return []byte{}, false, nil
	}
	s.done = true
	username, token, ok := parseOAuthBearer(resp)
	if !ok {
		s.failErr = errSASL
		return oauthError("invalid_request"), false, nil
	}
	err := s.verify(username, token)
	if err == nil {
		return nil, true, nil
	}
	var ue *unavailableError
	if errors.As(err, &ue) {
		return nil, false, err
	}
	s.failErr = err
	return oauthError("invalid_token"), false, nil
}

// oauthError is the JSON error challenge of RFC 7628 §3.2.2.
func oauthError(status string) []byte {
	b, _ := json.Marshal(struct {
		Status  string `json:"status"`
		Schemes string `json:"schemes"`
	}{status, "bearer"})
	return b
}

// parseOAuthBearer parses the client's OAUTHBEARER message (RFC 7628
// §3.1): the GS2 header (no channel binding) with an optional authzid,
// then key=value pairs each ended by 0x01, among them
// "auth=Bearer <token>".
func parseOAuthBearer(msg []byte) (username, token string, ok bool) {
	flag, rest, ok := bytes.Cut(msg, []byte{','})
	if !ok || (string(flag) != "n" && string(flag) != "y") {
		return "", "", false
	}
	authzid, rest, ok := bytes.Cut(rest, []byte{','})
	if !ok {
		return "", "", false
	}
	if len(authzid) > 0 {
		name, found := bytes.CutPrefix(authzid, []byte("a="))
		if !found {
			return "", "", false
		}
		if username, ok = decodeSASLName(string(name)); !ok {
			return "", "", false
		}
	}
	// rest = kvsep *kvpair kvsep; kvpair = key "=" value kvsep.
	if len(rest) < 2 || rest[0] != 1 || !bytes.HasSuffix(rest, []byte{1, 1}) {
		return "", "", false
	}
	for _, kv := range bytes.Split(rest[1:len(rest)-1], []byte{1}) {
		if len(kv) == 0 {
			continue
		}
		key, value, found := bytes.Cut(kv, []byte{'='})
		if !found {
			return "", "", false
		}
		if string(key) == "auth" {
			scheme, cred, found := bytes.Cut(value, []byte{' '})
			if !found || !strings.EqualFold(string(scheme), "Bearer") {
				return "", "", false
			}
			token = string(bytes.TrimLeft(cred, " "))
		}
	}
	return username, token, token != ""
}

// decodeSASLName undoes the escaping of "," and "=" in a GS2 saslname
// (RFC 5801 §4): "=2C" and "=3D".
func decodeSASLName(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// certificateUser maps the verified client certificate to a user for
// EXTERNAL: by the CertificateAuthenticator if there is one, otherwise by
// the leaf's subject common name. authzid, if not empty, must be that
// user.
func (c *conn) certificateUser(authzid string) (string, error) {
	cs, ok := c.tlsState()
	if !ok || len(cs.VerifiedChains) == 0 {
		return "", mailstore.ErrAuthFailed
	}
	if ca, ok := c.srv.Authenticator.(CertificateAuthenticator); ok {
		user, err := ca.AuthenticateCertificate(c.ctx, cs.VerifiedChains, authzid)
		if err != nil && !errors.Is(err, mailstore.ErrAuthFailed) {
			err = &unavailableError{err}
		}
		return user, err
	}
	user := cs.VerifiedChains[0][0].Subject.CommonName
	if user == "" {
		return "", mailstore.ErrAuthFailed
	}
	if authzid != "" && authzid != user {
		return "", errAuthz
	}
	return user, nil
}

// scramServer is the server side of SCRAM-SHA-256 (RFC 5802, RFC 7677)
// and, with plus, SCRAM-SHA-256-PLUS with tls-exporter channel binding
// (RFC 9266). The stored credentials are derived from the secret the
// Authenticator gives (mailstore.SecretLookup) with a fresh salt. An
// unknown user gets made-up credentials, so that the exchange fails only
// at the proof, as for a wrong password (RFC 5802 §5.1).
func (c *conn) scramServer(plus bool, res *saslResult) sasl.Server {
	sl := c.srv.Authenticator.(mailstore.SecretLookup)
	var lookupErr error
	lookup := func(username string) (scram.StoredCredentials, error) {
		res.username = username
		secret, user, err := sl.Secret(c.ctx, username)
		if err != nil && !errors.Is(err, mailstore.ErrAuthFailed) {
			lookupErr = &unavailableError{err}
			return scram.StoredCredentials{}, lookupErr
		}
		salt := make([]byte, 16)
		rand.Read(salt)
		kf := scram.KeyFactors{Salt: string(salt), Iters: scramIterations}
		if err == nil {
			if cl, err := scram.SHA256.NewClient(username, secret, ""); err == nil {
				if creds, err := cl.GetStoredCredentialsWithError(kf); err == nil {
					res.user = user
					return creds, nil
				}
			}
		}
		res.user = ""
		stored, server := make([]byte, 32), make([]byte, 32)
		rand.Read(stored)
		rand.Read(server)
		return scram.StoredCredentials{KeyFactors: kf, StoredKey: stored, ServerKey: server}, nil
	}
	s, err := scram.SHA256.NewServer(lookup)
	if err != nil {
		return nil
	}
	var conv *scram.ServerConversation
	if cb, ok := c.channelBinding(); ok {
		// Offered SCRAM-SHA-256-PLUS: a client that could bind but saw
		// no PLUS ("y") is a downgrade (RFC 5802 §6).
		if plus {
			conv = s.NewConversationWithChannelBindingRequired(cb)
		} else {
			conv = s.NewConversationWithChannelBinding(cb)
		}
	} else {
		conv = s.NewConversation()
	}
	return &scramAdapter{conv: conv, lookupErr: &lookupErr, res: res}
}

// scramAdapter runs a scram.ServerConversation as a sasl.Server. The
// server-final message "v=..." is sent as a last challenge, to which the
// client sends an empty response (IMAP has no additional data with
// success, RFC 4422 §5).
type scramAdapter struct {
	conv      *scram.ServerConversation
	lookupErr *error
	res       *saslResult
	final     bool
}

func (s *scramAdapter) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.final:
		if len(resp) != 0 {
			return nil, false, errSASL
		}
		return nil, true, nil
	case resp == nil:
		// No initial response: an empty challenge asks for the
		// client-first message.
		return []byte{}, false, nil
	}
	out, err := s.conv.Step(string(resp))
	if err != nil {
		if *s.lookupErr != nil {
			return nil, false, *s.lookupErr
		}
		return nil, false, mailstore.ErrAuthFailed
	}
	if !s.conv.Done() {
		return []byte(out), false, nil
	}
	if !s.conv.Valid() || s.res.user == "" {
		return nil, false, mailstore.ErrAuthFailed
	}
	if z := s.conv.AuthzID(); z != "" && z != s.conv.Username() && z != s.res.user {
		return nil, false, errAuthz
	}
	s.final = true
	return []byte(out), false, nil
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
