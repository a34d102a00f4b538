package mailtest

import (
	"context"
	"crypto/x509"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// CertificateMap is a memstore.Backend, whose users log in with their
// passwords, that is also a mailstore.CertificateAuthenticator: a client
// certificate whose subject common name is CN names User, and no other
// certificate names anyone.
type CertificateMap struct {
	*memstore.Backend
	// CN is the common name of the certificate that names User.
	CN, User string
}

// AuthenticateCertificate returns User for a certificate whose common
// name is CN, when authzid is "" or User; otherwise it fails with
// mailstore.ErrAuthFailed.
func (m CertificateMap) AuthenticateCertificate(ctx context.Context, chains [][]*x509.Certificate, authzid string) (string, error) {
	if chains[0][0].Subject.CommonName == m.CN && (authzid == "" || authzid == m.User) {
		return m.User, nil
	}
	return "", mailstore.ErrAuthFailed
}
