package mailtest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// Host is the address the server certificates are for: tests listen on
// 127.0.0.1.
const Host = "127.0.0.1"

// create makes a certificate from tmpl for a fresh P-256 key, signed by
// parent's key (self-signed when parent is nil), and returns it with its
// key and parsed form.
func create(t testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, cert
}

// SelfSigned makes a self-signed certificate for 127.0.0.1 and localhost,
// valid for the next hour, and returns a server configuration that
// presents it and a client configuration that trusts it.
func SelfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: Host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP(Host)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	cert, _ := create(t, tmpl, nil, nil)
	return &tls.Config{Certificates: []tls.Certificate{cert}}, Trusting(t, cert)
}

// Trusting returns a client configuration whose roots are the leaves of
// the given certificates, such as a server's self-signed ones.
func Trusting(t testing.TB, certs ...tls.Certificate) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	for _, c := range certs {
		leaf := c.Leaf
		if leaf == nil {
			var err error
			if leaf, err = x509.ParseCertificate(c.Certificate[0]); err != nil {
				t.Fatal(err)
			}
		}
		pool.AddCert(leaf)
	}
	return &tls.Config{RootCAs: pool}
}

// CA is a test certificate authority with a server certificate for
// 127.0.0.1. It issues client certificates too.
type CA struct {
	// Cert is the CA's certificate, and Key its key.
	Cert *x509.Certificate
	Key  *ecdsa.PrivateKey
	// Pool holds Cert: the roots of a client, the client CAs of a
	// server.
	Pool *x509.CertPool
	// Server is a certificate for 127.0.0.1 that Cert signed.
	Server tls.Certificate
}

// NewCA makes a CA valid for a day, and its server certificate.
func NewCA(t testing.TB) *CA {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mailaccess test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	cert, parsed := create(t, tmpl, nil, nil)
	ca := &CA{Cert: parsed, Key: cert.PrivateKey.(*ecdsa.PrivateKey), Pool: x509.NewCertPool()}
	ca.Pool.AddCert(parsed)
	ca.Server = ca.Issue(t, Host, x509.ExtKeyUsageServerAuth)
	return ca
}

// Issue makes a certificate for the common name cn with the given use
// (x509.ExtKeyUsageServerAuth or x509.ExtKeyUsageClientAuth), signed by
// the CA; an IP address cn is also the certificate's IP address.
func (ca *CA) Issue(t testing.TB, cn string, usage x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
	}
	if ip := net.ParseIP(cn); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	}
	cert, _ := create(t, tmpl, ca.Cert, ca.Key)
	return cert
}

// ServerConfig is a server's configuration: it presents Server and
// verifies client certificates when clients give them.
func (ca *CA) ServerConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{ca.Server},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    ca.Pool,
	}
}

// ClientConfig is a client's configuration for 127.0.0.1: it trusts the
// CA and presents the given certificates.
func (ca *CA) ClientConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, ServerName: Host, Certificates: certs}
}
