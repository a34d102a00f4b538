// Package saslserver is the server side of the SASL mechanisms (RFC 4422)
// that the protocol servers offer: PLAIN (RFC 4616), LOGIN
// (draft-murchison-sasl-login), SCRAM-SHA-256 and SCRAM-SHA-256-PLUS
// (RFC 5802, RFC 7677, RFC 9266), OAUTHBEARER (RFC 7628) and EXTERNAL
// (RFC 4422 Appendix A). It knows nothing of IMAP or POP3: a server
// frames the challenges and responses (AUTHENTICATE, AUTH), decides which
// mechanisms a connection may use now, and fills a Config with the
// callbacks that check credentials.
//
// Errors returned by a mechanism's Next tell a server how to answer:
// mailstore.ErrAuthFailed (wrong credentials, unknown user), ErrAuthz
// (good credentials, but not for the identity asked for), ErrMalformed
// (the client's messages break the mechanism's syntax) and
// *UnavailableError (the authentication service failed; not the
// client's fault, so not to be counted against it).
package saslserver

import (
	"context"
	"crypto/tls"
	"errors"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/mailstore"
)

// Mechanism names (RFC 4422 registry).
const (
	Plain           = "PLAIN"
	Login           = "LOGIN"
	ScramSHA256     = "SCRAM-SHA-256"
	ScramSHA256Plus = "SCRAM-SHA-256-PLUS"
	External        = "EXTERNAL"
	OAuthBearer     = "OAUTHBEARER"
)

// ScramIterations is the PBKDF2 iteration count of SCRAM-SHA-256 (RFC 7677
// §4: at least 4096).
const ScramIterations = 4096

var (
	// ErrAuthz: the credentials are good, but not for the authorization
	// identity the client asked for (IMAP AUTHORIZATIONFAILED, RFC 5530).
	ErrAuthz = errors.New("not authorized for that identity")
	// ErrMalformed: the client's messages break the mechanism's syntax.
	ErrMalformed = errors.New("malformed SASL message")
)

// UnavailableError wraps a failure of the authentication service that is
// not a rejection of the credentials: a directory that cannot be reached,
// a store that fails. A server answers it as a temporary failure (IMAP
// UNAVAILABLE, POP3 [SYS/TEMP]) and does not count it against the client.
type UnavailableError struct{ Err error }

func (e *UnavailableError) Error() string { return "authentication unavailable: " + e.Err.Error() }

// Unwrap returns the service's error.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Unavailable wraps err in an *UnavailableError unless it is nil or
// mailstore.ErrAuthFailed (a rejection of the credentials).
func Unavailable(err error) error {
	if err == nil || errors.Is(err, mailstore.ErrAuthFailed) {
		return err
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return err
	}
	return &UnavailableError{err}
}

// Config is what the mechanisms of one connection may do now. A nil
// callback leaves its mechanisms out. The callbacks return the canonical
// user name to open; they return mailstore.ErrAuthFailed for wrong
// credentials and an *UnavailableError (see Unavailable) when the service
// fails.
type Config struct {
	// CheckPassword checks a user name and password: PLAIN and LOGIN.
	CheckPassword func(ctx context.Context, username, password string) (user string, err error)
	// LookupSecret returns a user's shared secret: SCRAM-SHA-256. An
	// unknown user gives mailstore.ErrAuthFailed.
	LookupSecret func(ctx context.Context, username string) (secret, user string, err error)
	// VerifyToken checks an OAuth 2.0 bearer token: OAUTHBEARER.
	// username is the authorization identity the client named, "" when
	// it named none.
	VerifyToken func(ctx context.Context, username, token string) (user string, err error)
	// CertificateUser maps the connection's verified client certificate
	// to a user: EXTERNAL. authzid is the identity the client asked for,
	// "" for the one the certificate names; another identity gives
	// ErrAuthz. Set it only on a connection whose TLS layer verified a
	// client certificate.
	CertificateUser func(ctx context.Context, authzid string) (user string, err error)
	// ChannelBinding is the connection's tls-exporter channel binding
	// (RFC 9266); with LookupSecret it enables SCRAM-SHA-256-PLUS. nil
	// without TLS 1.3 (see TLSExporterBinding).
	ChannelBinding *scram.ChannelBinding
	// Plaintext allows the mechanisms that send a reusable secret in the
	// clear (PLAIN, LOGIN, OAUTHBEARER): over TLS, on loopback, or where
	// the server is configured to allow it.
	Plaintext bool
}

// Mechanisms lists the mechanisms the Config offers, best first:
// SCRAM-SHA-256-PLUS, SCRAM-SHA-256, PLAIN, LOGIN, OAUTHBEARER, EXTERNAL.
func (c *Config) Mechanisms() []string {
	var mechs []string
	if c.LookupSecret != nil {
		if c.ChannelBinding != nil {
			mechs = append(mechs, ScramSHA256Plus)
		}
		mechs = append(mechs, ScramSHA256)
	}
	if c.CheckPassword != nil && c.Plaintext {
		mechs = append(mechs, Plain, Login)
	}
	if c.VerifyToken != nil && c.Plaintext {
		mechs = append(mechs, OAuthBearer)
	}
	if c.CertificateUser != nil {
		mechs = append(mechs, External)
	}
	return mechs
}

// Offers reports whether the Config offers the mechanism (upper case).
func (c *Config) Offers(mech string) bool {
	for _, m := range c.Mechanisms() {
		if m == mech {
			return true
		}
	}
	return false
}

// IsPlaintext reports whether a mechanism sends a reusable secret in the
// clear, so that a server refuses it without TLS even when asked for.
func IsPlaintext(mech string) bool {
	return mech == Plain || mech == Login || mech == OAuthBearer
}

// Server is one authentication exchange: a sasl.Server that remembers who
// the client said it was and, on success, the user to open.
type Server struct {
	srv      sasl.Server
	username string
	user     string
}

// Next implements sasl.Server: resp is the client's response (nil when
// the client sent no initial response); it returns the next challenge,
// or done. See the package documentation for the errors.
func (s *Server) Next(resp []byte) (challenge []byte, done bool, err error) {
	return s.srv.Next(resp)
}

// Username is the authentication identity the client gave, for logs; ""
// until it is known.
func (s *Server) Username() string { return s.username }

// User is the canonical user to open once the exchange is done; "" if it
// failed.
func (s *Server) User() string { return s.user }

// New starts the server side of a mechanism (upper case), or returns nil
// if cfg does not offer it. ctx is passed to the callbacks.
func New(ctx context.Context, mech string, cfg *Config) *Server {
	if !cfg.Offers(mech) {
		return nil
	}
	s := &Server{}
	switch mech {
	case Plain:
		// RFC 4616: [authzid] NUL authcid NUL passwd.
		s.srv = sasl.NewPlainServer(func(identity, username, password string) error {
			s.username = username
			user, err := cfg.CheckPassword(ctx, username, password)
			if err != nil {
				return err
			}
			if identity != "" && identity != username && identity != user {
				return ErrAuthz
			}
			s.user = user
			return nil
		})
	case Login:
		s.srv = &loginServer{check: func(username, password string) error {
			s.username = username
			user, err := cfg.CheckPassword(ctx, username, password)
			s.user = user
			return err
		}}
	case ScramSHA256, ScramSHA256Plus:
		srv := newScram(ctx, mech == ScramSHA256Plus, cfg, s)
		if srv == nil {
			return nil
		}
		s.srv = srv
	case External:
		s.srv = sasl.NewExternalServer(func(identity string) error {
			user, err := cfg.CertificateUser(ctx, identity)
			s.username, s.user = identity, user
			return err
		})
	case OAuthBearer:
		s.srv = &oauthBearerServer{verify: func(username, token string) error {
			s.username = username
			user, err := cfg.VerifyToken(ctx, username, token)
			s.user = user
			return err
		}}
	default:
		return nil
	}
	return s
}

// TLSExporterBinding returns the tls-exporter channel binding (RFC 9266)
// of a TLS connection for SCRAM-SHA-256-PLUS, or nil. It is offered on
// TLS 1.3 only: RFC 9266 §2 needs TLS 1.3 or the extended master secret,
// which Go does not report.
func TLSExporterBinding(cs *tls.ConnectionState) *scram.ChannelBinding {
	if cs == nil || !cs.HandshakeComplete || cs.Version != tls.VersionTLS13 {
		return nil
	}
	cb, err := scram.NewTLSExporterBinding(cs)
	if err != nil {
		return nil
	}
	return &cb
}
