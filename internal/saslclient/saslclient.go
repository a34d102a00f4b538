// Package saslclient is the client side of the SASL mechanisms (RFC 4422)
// that the protocol clients (imapclient, pop3client) offer beyond
// github.com/emersion/go-sasl: SCRAM-SHA-256 and SCRAM-SHA-256-PLUS with
// tls-exporter channel binding (RFC 5802, RFC 7677, RFC 9266) over
// github.com/xdg-go/scram, Google's and Microsoft's XOAUTH2, and a LOGIN
// (draft-murchison-sasl-login) that answers a user name prompt; and the
// choice of the best password mechanism a server offers. It knows nothing
// of IMAP or POP3: a client frames the exchange (AUTHENTICATE, AUTH).
package saslclient

import (
	"crypto/tls"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"
)

// Mechanism names (RFC 4422 registry).
const (
	ScramSHA256     = "SCRAM-SHA-256"
	ScramSHA256Plus = "SCRAM-SHA-256-PLUS"
	Plain           = "PLAIN"
	Login           = "LOGIN"
	XOAuth2         = "XOAUTH2"
)

// ScramClient is a SCRAM-SHA-256 or SCRAM-SHA-256-PLUS client. It verifies the
// server's signature (Verified): a server that does not know the password
// fails the exchange.
type ScramClient struct {
	mech string
	conv *scram.ClientConversation
	err  error // why the conversation could not start, returned by Start
}

// NewScramSHA256 returns a SCRAM-SHA-256 client (RFC 7677, RFC 5802).
func NewScramSHA256(username, password string) *ScramClient {
	return newScram(ScramSHA256, username, password, nil)
}

// NewScramSHA256Plus returns a SCRAM-SHA-256-PLUS client bound to the TLS
// connection whose state cs is with tls-exporter (RFC 9266, TLS 1.3).
func NewScramSHA256Plus(username, password string, cs *tls.ConnectionState) *ScramClient {
	return newScram(ScramSHA256Plus, username, password, cs)
}

func newScram(mech, username, password string, cs *tls.ConnectionState) *ScramClient {
	cl, err := scram.SHA256.NewClient(username, password, "")
	if err != nil {
		return &ScramClient{mech: mech, err: err}
	}
	if cs == nil {
		return &ScramClient{mech: mech, conv: cl.NewConversation()}
	}
	cb, err := scram.NewTLSExporterBinding(cs)
	if err != nil {
		return &ScramClient{mech: mech, err: err}
	}
	return &ScramClient{mech: mech, conv: cl.NewConversationWithChannelBinding(cb)}
}

// Start begins the exchange: the mechanism's name and the client-first
// message.
func (s *ScramClient) Start() (string, []byte, error) {
	if s.err != nil {
		return "", nil, s.err
	}
	first, err := s.conv.Step("")
	return s.mech, []byte(first), err
}

// Next answers a server message: the client-final message, then an empty
// response to the server-final one once its signature checks out.
func (s *ScramClient) Next(challenge []byte) ([]byte, error) {
	if s.conv.Done() {
		return nil, sasl.ErrUnexpectedServerChallenge
	}
	resp, err := s.conv.Step(string(challenge))
	if err != nil {
		return nil, err
	}
	return []byte(resp), nil
}

// Verified reports whether the server's signature was checked: false
// after a server that ended the exchange with success before it proved
// it knows the password.
func (s *ScramClient) Verified() bool { return s.conv != nil && s.conv.Valid() }

// XOAuth2Client is the XOAUTH2 client, Google's and Microsoft's OAuth 2.0
// mechanism (https://developers.google.com/gmail/imap/xoauth2-protocol).
type XOAuth2Client struct {
	// Username is the user to log in as, and Token the OAuth 2.0 access
	// token.
	Username, Token string
}

// Start sends the initial response: "user=" Username "\x01auth=Bearer "
// Token "\x01\x01".
func (x *XOAuth2Client) Start() (string, []byte, error) {
	return XOAuth2, []byte("user=" + x.Username + "\x01auth=Bearer " + x.Token + "\x01\x01"), nil
}

// Next answers the server's JSON error, its only challenge, with an empty
// response, after which the server sends its failure.
func (x *XOAuth2Client) Next(challenge []byte) ([]byte, error) {
	return []byte{}, nil
}

// LoginClient is the LOGIN mechanism (draft-murchison-sasl-login): the
// user name as the initial response or in answer to a prompt that asks
// for it ("Username:"), then the password. go-sasl's LoginClient answers
// only the password prompt, which fails when the initial response cannot
// go on the command line.
type LoginClient struct {
	// Username and Password are the credentials.
	Username, Password string
	sentUser           bool // the user name answered a prompt
}

// Start offers the user name as the initial response.
func (l *LoginClient) Start() (string, []byte, error) {
	return Login, []byte(l.Username), nil
}

// Next answers a prompt: with the user name if it asks for it and the
// user name has not been sent in answer to a prompt yet, otherwise with
// the password.
func (l *LoginClient) Next(challenge []byte) ([]byte, error) {
	if !l.sentUser && strings.Contains(strings.ToLower(string(challenge)), "user") {
		l.sentUser = true
		return []byte(l.Username), nil
	}
	l.sentUser = true
	return []byte(l.Password), nil
}

// ForPassword returns the best password mechanism among those offered
// reports the server offers: SCRAM-SHA-256-PLUS when cs, the state of the
// connection's TLS layer (nil without TLS), is TLS 1.3, whose channel
// binding (tls-exporter, RFC 9266) it needs; then SCRAM-SHA-256, PLAIN,
// and LOGIN if withLogin. It returns nil when the server offers none of
// them.
func ForPassword(offered func(mech string) bool, cs *tls.ConnectionState, username, password string, withLogin bool) sasl.Client {
	if offered(ScramSHA256Plus) && cs != nil && cs.Version == tls.VersionTLS13 {
		return NewScramSHA256Plus(username, password, cs)
	}
	switch {
	case offered(ScramSHA256):
		return NewScramSHA256(username, password)
	case offered(Plain):
		return sasl.NewPlainClient("", username, password)
	case withLogin && offered(Login):
		return &LoginClient{Username: username, Password: password}
	}
	return nil
}
