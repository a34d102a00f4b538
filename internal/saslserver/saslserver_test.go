package saslserver

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"slices"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

func newUsers(t *testing.T) *memstore.Backend {
	t.Helper()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	return b
}

// run drives a server with a client mechanism to the end.
func run(t *testing.T, s *Server, cl sasl.Client, ir bool) error {
	t.Helper()
	_, resp, err := cl.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !ir {
		// Without an initial response the server asks first (an empty
		// challenge, or LOGIN's "Username:"); the answer is the client's
		// initial response.
		if ch, done, err := s.Next(nil); err != nil || done {
			t.Fatalf("first challenge %q %v %v", ch, done, err)
		}
	}
	for i := 0; i < 10; i++ {
		ch, done, err := s.Next(resp)
		if err != nil || done {
			return err
		}
		if resp, err = cl.Next(ch); err != nil {
			return err
		}
	}
	t.Fatal("the exchange does not end")
	return nil
}

// scramClient adapts xdg-go/scram's client to sasl.Client.
type scramClient struct{ conv *scram.ClientConversation }

func (s scramClient) Start() (string, []byte, error) {
	first, err := s.conv.Step("")
	return ScramSHA256, []byte(first), err
}

func (s scramClient) Next(ch []byte) ([]byte, error) {
	if s.conv.Done() {
		return nil, nil
	}
	out, err := s.conv.Step(string(ch))
	return []byte(out), err
}

func TestMechanisms(t *testing.T) {
	b := newUsers(t)
	cfg := NewConfig(b, nil, false)
	if got := cfg.Mechanisms(); !slices.Equal(got, []string{ScramSHA256}) {
		t.Errorf("without plaintext: %v", got)
	}
	cfg = NewConfig(tokens{b}, nil, true)
	cfg.ChannelBinding = &scram.ChannelBinding{}
	cfg.CertificateUser = func(context.Context, string) (string, error) { return "", nil }
	want := []string{ScramSHA256Plus, ScramSHA256, Plain, Login, OAuthBearer, External}
	if got := cfg.Mechanisms(); !slices.Equal(got, want) {
		t.Errorf("everything: %v", got)
	}
	if New(context.Background(), "CRAM-MD5", cfg) != nil {
		t.Error("CRAM-MD5 started")
	}
	if got := NewConfig(nil, nil, true).Mechanisms(); len(got) != 0 {
		t.Errorf("nil Authenticator: %v", got)
	}
	for _, m := range []string{Plain, Login, OAuthBearer} {
		if !IsPlaintext(m) {
			t.Errorf("%s is plaintext", m)
		}
	}
	if IsPlaintext(ScramSHA256) || IsPlaintext(External) {
		t.Error("SCRAM or EXTERNAL plaintext")
	}
}

func TestPlainAndLogin(t *testing.T) {
	cfg := NewConfig(newUsers(t), nil, true)
	ctx := context.Background()
	for _, ir := range []bool{true, false} {
		s := New(ctx, Plain, cfg)
		if err := run(t, s, sasl.NewPlainClient("", "alice", "secret"), ir); err != nil || s.User() != "alice" {
			t.Errorf("PLAIN: %v %q", err, s.User())
		}
		s = New(ctx, Login, cfg)
		if err := run(t, s, sasl.NewLoginClient("alice", "secret"), ir); err != nil || s.User() != "alice" || s.Username() != "alice" {
			t.Errorf("LOGIN: %v %q", err, s.User())
		}
	}
	s := New(ctx, Plain, cfg)
	if err := run(t, s, sasl.NewPlainClient("", "alice", "wrong"), true); !errors.Is(err, mailstore.ErrAuthFailed) || s.User() != "" {
		t.Errorf("PLAIN wrong: %v", err)
	}
	s = New(ctx, Plain, cfg)
	if err := run(t, s, sasl.NewPlainClient("bob", "alice", "secret"), true); !errors.Is(err, ErrAuthz) {
		t.Errorf("PLAIN authzid: %v", err)
	}
	s = New(ctx, Login, cfg)
	if err := run(t, s, sasl.NewLoginClient("alice", "wrong"), true); !errors.Is(err, mailstore.ErrAuthFailed) {
		t.Errorf("LOGIN wrong: %v", err)
	}
}

func TestScram(t *testing.T) {
	cfg := NewConfig(newUsers(t), nil, false)
	ctx := context.Background()
	cl, _ := scram.SHA256.NewClient("alice", "secret", "")
	conv := cl.NewConversation()
	s := New(ctx, ScramSHA256, cfg)
	if err := run(t, s, scramClient{conv}, true); err != nil || s.User() != "alice" || !conv.Valid() {
		t.Errorf("SCRAM: %v %q valid=%v", err, s.User(), conv.Valid())
	}
	// Wrong password and unknown user both fail at the proof.
	for _, u := range [][2]string{{"alice", "wrong"}, {"nobody", "secret"}} {
		cl, _ := scram.SHA256.NewClient(u[0], u[1], "")
		s := New(ctx, ScramSHA256, cfg)
		conv := cl.NewConversation()
		first, _ := conv.Step("")
		ch, done, err := s.Next([]byte(first))
		if err != nil || done {
			t.Fatalf("%v: server-first: %v", u, err)
		}
		final, err := conv.Step(string(ch))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Next([]byte(final)); !errors.Is(err, mailstore.ErrAuthFailed) {
			t.Errorf("%v: %v", u, err)
		}
	}
	// A failing secret lookup is unavailable, not a wrong password.
	cfg.LookupSecret = func(context.Context, string) (string, string, error) {
		return "", "", Unavailable(errors.New("down"))
	}
	s = New(ctx, ScramSHA256, cfg)
	cl, _ = scram.SHA256.NewClient("alice", "secret", "")
	var ue *UnavailableError
	if err := run(t, s, scramClient{cl.NewConversation()}, true); !errors.As(err, &ue) {
		t.Errorf("unavailable: %v", err)
	}
}

// tokens is an Authenticator that also takes bearer tokens.
type tokens struct{ *memstore.Backend }

func (tokens) AuthenticateToken(ctx context.Context, username, token string) (string, error) {
	switch token {
	case "good":
		return "alice", nil
	case "down":
		return "", errors.New("token service down")
	}
	return "", mailstore.ErrAuthFailed
}

func TestOAuthBearer(t *testing.T) {
	cfg := NewConfig(tokens{newUsers(t)}, nil, true)
	ctx := context.Background()
	s := New(ctx, OAuthBearer, cfg)
	if err := run(t, s, sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: "alice", Token: "good"}), true); err != nil || s.User() != "alice" {
		t.Errorf("good token: %v", err)
	}
	s = New(ctx, OAuthBearer, cfg)
	ch, done, err := s.Next([]byte("n,,\x01auth=Bearer bad\x01\x01"))
	if err != nil || done || string(ch) != `{"status":"invalid_token","schemes":"bearer"}` {
		t.Fatalf("bad token: %q %v %v", ch, done, err)
	}
	if _, _, err := s.Next([]byte{1}); !errors.Is(err, mailstore.ErrAuthFailed) {
		t.Errorf("after the error challenge: %v", err)
	}
	s = New(ctx, OAuthBearer, cfg)
	if _, _, err := s.Next([]byte("n,,\x01auth=Bearer down\x01\x01")); err == nil {
		t.Error("unavailable token service accepted")
	}
	s = New(ctx, OAuthBearer, cfg)
	if ch, _, _ := s.Next([]byte("garbage")); string(ch) != `{"status":"invalid_request","schemes":"bearer"}` {
		t.Errorf("malformed: %q", ch)
	}
	if _, _, err := s.Next([]byte{1}); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
}

// TestOAuthBearerParse checks the message syntax of RFC 7628 §3.1.
func TestOAuthBearerParse(t *testing.T) {
	for _, tc := range []struct {
		msg, user, token string
		ok               bool
	}{
		{"n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01", "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==", true},
		{"n,,\x01auth=bearer t\x01\x01", "", "t", true},
		{"n,a=a=2Cb=3Dc,\x01auth=Bearer t\x01\x01", "a,b=c", "t", true},
		{"n,a=a=2,\x01auth=Bearer t\x01\x01", "", "", false},
		{"p=tls-exporter,,\x01auth=Bearer t\x01\x01", "", "", false},
		{"n,,\x01host=x\x01\x01", "", "", false},
		{"n,,\x01auth=Bearer t\x01", "", "", false},
		{"", "", "", false},
		{"\x01", "", "", false},
	} {
		user, token, ok := ParseOAuthBearer([]byte(tc.msg))
		if ok != tc.ok || ok && (user != tc.user || token != tc.token) {
			t.Errorf("%q: %q %q %v", tc.msg, user, token, ok)
		}
	}
}

// certs is an Authenticator that maps certificates.
type certs struct{ *memstore.Backend }

func (certs) AuthenticateCertificate(ctx context.Context, chains [][]*x509.Certificate, authzid string) (string, error) {
	if chains[0][0].Subject.CommonName == "Alice Example" {
		return "alice", nil
	}
	return "", mailstore.ErrAuthFailed
}

func TestExternal(t *testing.T) {
	ctx := context.Background()
	b := newUsers(t)
	chains := [][]*x509.Certificate{{{Subject: pkix.Name{CommonName: "alice"}}}}
	for _, tc := range []struct {
		a       mailstore.Authenticator
		chains  [][]*x509.Certificate
		authzid string
		user    string
		err     error
	}{
		{b, chains, "", "alice", nil},
		{b, chains, "alice", "alice", nil},
		{b, chains, "bob", "", ErrAuthz},
		{b, [][]*x509.Certificate{{{}}}, "", "", mailstore.ErrAuthFailed},
		{b, nil, "", "", mailstore.ErrAuthFailed},
		{certs{b}, [][]*x509.Certificate{{{Subject: pkix.Name{CommonName: "Alice Example"}}}}, "", "alice", nil},
		{certs{b}, chains, "", "", mailstore.ErrAuthFailed},
	} {
		user, err := CertificateUser(ctx, tc.a, tc.chains, tc.authzid)
		if user != tc.user || !errors.Is(err, tc.err) && err != tc.err {
			t.Errorf("%+v: %q %v", tc, user, err)
		}
	}
	cfg := NewConfig(b, nil, true)
	if New(ctx, External, cfg) != nil {
		t.Error("EXTERNAL without a certificate")
	}
	cfg.CertificateUser = func(ctx context.Context, authzid string) (string, error) {
		return CertificateUser(ctx, b, chains, authzid)
	}
	s := New(ctx, External, cfg)
	if _, done, err := s.Next([]byte{}); !done || err != nil || s.User() != "alice" {
		t.Errorf("EXTERNAL: %v %v %q", done, err, s.User())
	}
}

func TestUnavailable(t *testing.T) {
	if Unavailable(nil) != nil {
		t.Error("nil")
	}
	if err := Unavailable(mailstore.ErrAuthFailed); err != mailstore.ErrAuthFailed {
		t.Error("ErrAuthFailed wrapped")
	}
	base := errors.New("down")
	err := Unavailable(base)
	var ue *UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, base) || Unavailable(err) != err {
		t.Errorf("%v", err)
	}
}
