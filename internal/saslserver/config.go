package saslserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"

	"github.com/mailaccess/mailaccess/mailstore"
)

// TokenAuthenticator is an Authenticator that accepts OAuth 2.0 bearer
// tokens (OAUTHBEARER). The servers export the same interface
// (imapserver.TokenAuthenticator, pop3server.TokenAuthenticator) with
// their documentation; an Authenticator implementing one implements all.
type TokenAuthenticator interface {
	AuthenticateToken(ctx context.Context, username, token string) (user string, err error)
}

// CertificateAuthenticator is an Authenticator that maps a verified TLS
// client certificate to a user (EXTERNAL), as
// imapserver.CertificateAuthenticator and
// pop3server.CertificateAuthenticator.
type CertificateAuthenticator interface {
	AuthenticateCertificate(ctx context.Context, chains [][]*x509.Certificate, authzid string) (user string, err error)
}

// NewConfig returns the Config of a connection whose credentials a
// checks:
//   - CheckPassword by a.Authenticate (PLAIN and LOGIN where plaintext is
//     allowed);
//   - LookupSecret when a is a mailstore.SecretLookup (SCRAM-SHA-256);
//   - VerifyToken when a is a TokenAuthenticator (OAUTHBEARER where
//     plaintext is allowed);
//   - CertificateUser when cs, the connection's TLS state once its
//     handshake is complete (nil without TLS), holds verified client
//     certificate chains (EXTERNAL): by a's AuthenticateCertificate when
//     a is a CertificateAuthenticator, otherwise the subject common name
//     of the leaf.
//
// Errors of a that are not mailstore.ErrAuthFailed come back as
// *UnavailableError. A nil a offers nothing but EXTERNAL. The channel
// binding is left to the caller (see TLSExporterBinding).
func NewConfig(a mailstore.Authenticator, cs *tls.ConnectionState, plaintext bool) *Config {
	cfg := &Config{Plaintext: plaintext}
	if a != nil {
		cfg.CheckPassword = func(ctx context.Context, username, password string) (string, error) {
			user, err := a.Authenticate(ctx, username, password)
			return user, Unavailable(err)
		}
	}
	if sl, ok := a.(mailstore.SecretLookup); ok {
		cfg.LookupSecret = func(ctx context.Context, username string) (string, string, error) {
			secret, user, err := sl.Secret(ctx, username)
			return secret, user, Unavailable(err)
		}
	}
	if ta, ok := a.(TokenAuthenticator); ok {
		cfg.VerifyToken = func(ctx context.Context, username, token string) (string, error) {
			user, err := ta.AuthenticateToken(ctx, username, token)
			return user, Unavailable(err)
		}
	}
	if cs != nil && cs.HandshakeComplete && len(cs.VerifiedChains) > 0 {
		chains := cs.VerifiedChains
		cfg.CertificateUser = func(ctx context.Context, authzid string) (string, error) {
			return CertificateUser(ctx, a, chains, authzid)
		}
	}
	return cfg
}

// CertificateUser maps verified client certificate chains (leaf first) to
// a user for EXTERNAL: by a's AuthenticateCertificate when a is a
// CertificateAuthenticator, otherwise by the leaf's subject common name.
// authzid, if not empty, must be that user (ErrAuthz otherwise).
func CertificateUser(ctx context.Context, a mailstore.Authenticator, chains [][]*x509.Certificate, authzid string) (string, error) {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return "", mailstore.ErrAuthFailed
	}
	if ca, ok := a.(CertificateAuthenticator); ok {
		user, err := ca.AuthenticateCertificate(ctx, chains, authzid)
		return user, Unavailable(err)
	}
	user := chains[0][0].Subject.CommonName
	if user == "" {
		return "", mailstore.ErrAuthFailed
	}
	if authzid != "" && authzid != user {
		return "", ErrAuthz
	}
	return user, nil
}
