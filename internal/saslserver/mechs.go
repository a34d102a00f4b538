package saslserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/mailstore"
)

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
	username, token, ok := ParseOAuthBearer(resp)
	if !ok {
		s.failErr = ErrMalformed
		return oauthError("invalid_request"), false, nil
	}
	err := s.verify(username, token)
	if err == nil {
		return nil, true, nil
	}
	var ue *UnavailableError
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

// ParseOAuthBearer parses the client's OAUTHBEARER message (RFC 7628
// §3.1): the GS2 header (no channel binding) with an optional authzid,
// then key=value pairs each ended by 0x01, among them
// "auth=Bearer <token>".
func ParseOAuthBearer(msg []byte) (username, token string, ok bool) {
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

// newScram is the server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) and,
// with plus, SCRAM-SHA-256-PLUS with tls-exporter channel binding
// (RFC 9266). The stored credentials are derived from the secret
// cfg.LookupSecret gives with a fresh salt. An unknown user gets made-up
// credentials, so that the exchange fails only at the proof, as for a
// wrong password (RFC 5802 §5.1).
func newScram(ctx context.Context, plus bool, cfg *Config, res *Server) sasl.Server {
	var lookupErr error
	lookup := func(username string) (scram.StoredCredentials, error) {
		res.username = username
		secret, user, err := cfg.LookupSecret(ctx, username)
		if err != nil && !errors.Is(err, mailstore.ErrAuthFailed) {
			lookupErr = Unavailable(err)
			return scram.StoredCredentials{}, lookupErr
		}
		salt := make([]byte, 16)
		rand.Read(salt)
		kf := scram.KeyFactors{Salt: string(salt), Iters: ScramIterations}
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
	if cb := cfg.ChannelBinding; cb != nil {
		// Offered SCRAM-SHA-256-PLUS: a client that could bind but saw
		// no PLUS ("y") is a downgrade (RFC 5802 §6).
		if plus {
			conv = s.NewConversationWithChannelBindingRequired(*cb)
		} else {
			conv = s.NewConversationWithChannelBinding(*cb)
		}
	} else {
		conv = s.NewConversation()
	}
	return &scramAdapter{conv: conv, lookupErr: &lookupErr, res: res}
}

// scramAdapter runs a scram.ServerConversation as a sasl.Server. The
// server-final message "v=..." is sent as a last challenge, to which the
// client sends an empty response: neither IMAP nor POP3 carries
// additional data with success (RFC 4422 §5, RFC 5034 §4).
type scramAdapter struct {
	conv      *scram.ServerConversation
	lookupErr *error
	res       *Server
	final     bool
}

func (s *scramAdapter) Next(resp []byte) ([]byte, bool, error) {
	switch {
	case s.final:
		if len(resp) != 0 {
			return nil, false, ErrMalformed
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
		return nil, false, ErrAuthz
	}
	s.final = true
	return []byte(out), false, nil
}
