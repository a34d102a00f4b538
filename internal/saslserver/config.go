package saslserver

import (
	"context"
	"crypto/tls"
	"crypto/x509"

	"github.com/mailaccess/mailaccess/mailstore"
)

// NewConfig returns the Config of a connection whose credentials a
// checks:
//   - CheckPassword by a.Authenticate (PLAIN and LOGIN where plaintext is
//     allowed);
//   - LookupSecret when a is a mailstore.SecretLookup (SCRAM-SHA-256),
//     and ChannelBinding from cs (SCRAM-SHA-256-PLUS, see
//     TLSExporterBinding);
//   - VerifyToken when a is a mailstore.TokenAuthenticator (OAUTHBEARER
//     where plaintext is allowed);
//   - CertificateUser when cs, the connection's TLS state once its
//     handshake is complete (nil without TLS), holds verified client
//     certificate chains (EXTERNAL): by a's AuthenticateCertificate when
//     a is a mailstore.CertificateAuthenticator, otherwise the subject
//     common name of the leaf.
//
// Errors of a that are not mailstore.ErrAuthFailed come back as
// *UnavailableError. A nil a offers nothing but EXTERNAL.
func NewConfig(a mailstore.Authenticator, cs *tls.ConnectionState, plaintext bool) *Config {
	cfg := &Config{Plaintext: plaintext, ChannelBinding: TLSExporterBinding(cs)}
	if a != nil {
		cfg.CheckPassword = func(ctx context.Context, username, password string) (string, error) {
			return CheckPassword(ctx, a, username, password)
		}
	}
	if sl, ok := a.(mailstore.SecretLookup); ok {
		cfg.LookupSecret = func(ctx context.Context, username string) (string, string, error) {
			secret, user, err := sl.Secret(ctx, username)
			return secret, user, Unavailable(err)
		}
	}
	if ta, ok := a.(mailstore.TokenAuthenticator); ok {
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

// CheckPassword checks a user name and password with a, as the servers'
// password commands (IMAP LOGIN, POP3 USER/PASS) and PLAIN and LOGIN do.
// A nil a rejects every password; a failure of a that is not
// mailstore.ErrAuthFailed comes back as a *UnavailableError.
func CheckPassword(ctx context.Context, a mailstore.Authenticator, username, password string) (string, error) {
	if a == nil {
		return "", mailstore.ErrAuthFailed
	}
	user, err := a.Authenticate(ctx, username, password)
	return user, Unavailable(err)
}

// CertificateUser maps verified client certificate chains (leaf first) to
// a user for EXTERNAL: by a's AuthenticateCertificate when a is a
// mailstore.CertificateAuthenticator, otherwise by the leaf's subject
// common name. authzid, if not empty, must be that user (ErrAuthz
// otherwise).
func CertificateUser(ctx context.Context, a mailstore.Authenticator, chains [][]*x509.Certificate, authzid string) (string, error) {
	if len(chains) == 0 || len(chains[0]) == 0 {
		return "", mailstore.ErrAuthFailed
	}
	if ca, ok := a.(mailstore.CertificateAuthenticator); ok {
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
