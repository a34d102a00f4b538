package pop3client_test

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// TestRFC5034PlainWithInitialResponse is the first example of RFC 5034
// §6: CAPA, STLS, CAPA again over TLS, AUTH PLAIN with an initial
// response.
func TestRFC5034PlainWithInitialResponse(t *testing.T) {
	srv, cli := mailtest.SelfSigned(t)
	addr := serve(t, func(f *fakeConn) {
		ok := f.play(`
			S: +OK pop.example.com BlurdyBlurp POP3 server ready
			C: CAPA
			S: +OK List of capabilities follows
			S: SASL DIGEST-MD5 GSSAPI ANONYMOUS
			S: STLS
			S: IMPLEMENTATION BlurdyBlurp POP3 server
			S: .
			C: STLS
			S: +OK Begin TLS negotiation now
		`) && f.startTLS(srv) && f.play(`
			C: CAPA
			S: +OK List of capabilities follows
			S: SASL PLAIN DIGEST-MD5 GSSAPI ANONYMOUS
			S: IMPLEMENTATION BlurdyBlurp POP3 server
			S: .
			C: AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=
			S: +OK Maildrop locked and ready
			C: CAPA
			S: +OK List of capabilities follows
			S: TOP
			S: .
		`)
		_ = ok
	})
	ctx := ctxT(t)
	c, err := pop3client.DialStartTLS(ctx, addr, &pop3client.Options{TLSConfig: cli})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, ok := c.TLSConnectionState(); !ok {
		t.Error("no TLS after STLS")
	}
	if c.Caps().Has(pop3.CapSTLS) || !c.Caps().HasSASL("PLAIN") {
		t.Errorf("caps over TLS: %v", c.Caps())
	}
	if err := c.Authenticate(ctx, sasl.NewPlainClient("test", "test", "test")); err != nil {
		t.Fatal(err)
	}
	if !c.Caps().Has(pop3.CapTop) || c.State() != pop3.Transaction {
		t.Errorf("after AUTH: caps %v state %v", c.Caps(), c.State())
	}
}

// TestRFC5034PlainWithoutInitialResponse is the second example: the
// initial response follows the empty challenge. The client sends it so
// when the server did not announce SASL (an RFC 1734 server) and when
// the command would exceed 255 octets (RFC 5034 §4).
func TestRFC5034PlainWithoutInitialResponse(t *testing.T) {
	t.Run("no SASL capability", func(t *testing.T) {
		addr := scripted(t, `
			S: +OK ready
			C: CAPA
			S: -ERR
			C: AUTH PLAIN
			S: + 
			C: dGVzdAB0ZXN0AHRlc3Q=
			S: +OK Maildrop locked and ready
		`)
		c := dial(t, addr, nil)
		if err := c.Authenticate(ctxT(t), sasl.NewPlainClient("test", "test", "test")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("too long", func(t *testing.T) {
		long := strings.Repeat("p", 200)
		resp := base64.StdEncoding.EncodeToString([]byte("\x00test\x00" + long))
		addr := scripted(t, `
			S: +OK ready
			C: CAPA
			S: +OK
			S: SASL PLAIN
			S: .
			C: AUTH PLAIN
			S: +
			C: `+resp+`
			S: +OK Maildrop locked and ready
			C: CAPA
			S: +OK
			S: .
		`)
		c := dial(t, addr, nil)
		if err := c.Authenticate(ctxT(t), sasl.NewPlainClient("", "test", long)); err != nil {
			t.Fatal(err)
		}
	})
}

// scriptedMech answers challenges from a table.
type scriptedMech struct {
	name    string
	answers map[string]string
}

func (m *scriptedMech) Start() (string, []byte, error) { return m.name, nil, nil }
func (m *scriptedMech) Next(ch []byte) ([]byte, error) {
	a, ok := m.answers[string(ch)]
	if !ok {
		return nil, errors.New("unexpected challenge")
	}
	return []byte(a), nil
}

// TestRFC5034ServerFirst is the third example: a mechanism that begins
// with a server challenge (DIGEST-MD5), ending with an empty response to
// the server's last challenge.
func TestRFC5034ServerFirst(t *testing.T) {
	ch1 := "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0" +
		"RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hh" +
		"cnNldD11dGYtOA=="
	r1 := "Y2hhcnNldD11dGYtOCx1c2VybmFtZT0iY2hyaXMiLHJlYWxtPSJlbHdvb2" +
		"QuaW5ub3NvZnQuY29tIixub25jZT0iT0E2TUc5dEVRR20yaGgiLG5jPTAw" +
		"MDAwMDAxLGNub25jZT0iT0E2TUhYaDZWcVRyUmsiLGRpZ2VzdC11cmk9In" +
		"BvcC9lbHdvb2QuaW5ub3NvZnQuY29tIixyZXNwb25zZT1iMGQ1NmQyZjA1" +
		"NGMyNGI2MjA3MjMyMjEwNjQ2OGRiOSxxb3A9YXV0aA=="
	ch2 := "cnNwYXV0aD0wYjk3MTQ2MmNlZjVlOGY5MzBkYjlhMzNiMDJmYzlhMA=="
	dec := func(s string) string {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	addr := scripted(t, `
		S: +OK pop.example.com BlurdyBlurp POP3 server ready
		C: CAPA
		S: +OK List of capabilities follows
		S: SASL DIGEST-MD5 GSSAPI ANONYMOUS
		S: STLS
		S: IMPLEMENTATION BlurdyBlurp POP3 server
		S: .
		C: AUTH DIGEST-MD5
		S: + `+ch1+`
		C: `+r1+`
		S: + `+ch2+`
		C:
		S: +OK Maildrop locked and ready
		C: CAPA
		S: +OK
		S: .
	`)
	c := dial(t, addr, nil)
	mech := &scriptedMech{name: "DIGEST-MD5", answers: map[string]string{dec(ch1): dec(r1), dec(ch2): ""}}
	if err := c.Authenticate(ctxT(t), mech); err != nil {
		t.Fatal(err)
	}
}

// TestAuthInvalidChallenge: a challenge that is not Base64 is cancelled
// with "*" (RFC 5034 §4); the server's -ERR follows and the connection
// goes on.
func TestAuthInvalidChallenge(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: AUTH PLAIN
		S: + not*base64!
		C: *
		S: -ERR [AUTH] authentication cancelled
		C: NOOP
		S: +OK
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	err := c.Authenticate(ctx, sasl.NewPlainClient("", "u", "p"))
	if !errors.Is(err, pop3.ErrSyntax) || !errors.Is(err, &pop3.Error{Code: pop3.CodeAuth}) {
		t.Fatalf("AUTH: %v", err)
	}
	if c.State() != pop3.Authorization {
		t.Errorf("state %v", c.State())
	}
	noopOK(t, ctx, c)
}

// TestAuthMechanismRejects: a challenge the mechanism rejects is
// cancelled the same way.
func TestAuthMechanismRejects(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: AUTH X-TEST
		S: + d2hhdD8=
		C: *
		S: -ERR cancelled
	`)
	c := dial(t, addr, nil)
	err := c.Authenticate(ctxT(t), &scriptedMech{name: "X-TEST"})
	if err == nil || !strings.Contains(err.Error(), "unexpected challenge") || !errors.Is(err, &pop3.Error{}) {
		t.Fatalf("AUTH: %v", err)
	}
}

// TestXOAuth2Failure: the JSON error challenge gets an empty answer, then
// -ERR.
func TestXOAuth2Failure(t *testing.T) {
	ir := base64.StdEncoding.EncodeToString([]byte("user=u@example.com\x01auth=Bearer tok\x01\x01"))
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: +OK
		S: SASL XOAUTH2
		S: .
		C: AUTH XOAUTH2 `+ir+`
		S: + eyJzdGF0dXMiOiI0MDEifQ==
		C:
		S: -ERR [AUTH] invalid token
	`)
	c := dial(t, addr, nil)
	err := c.Authenticate(ctxT(t), pop3client.NewXOAuth2Client("u@example.com", "tok"))
	if !errors.Is(err, &pop3.Error{Code: pop3.CodeAuth}) {
		t.Fatalf("AUTH: %v", err)
	}
}

// scramServer answers AUTH SCRAM-SHA-256[-PLUS] with xdg-go/scram's server
// for user "user" with password "pencil". If lie is set it answers +OK
// right after the client's final message, without proving it knows the
// password.
func scramServer(t *testing.T, f *fakeConn, mech string, lie bool) {
	cl, _ := scram.SHA256.NewClient("user", "pencil", "")
	kf := scram.KeyFactors{Salt: "QSXCR+Q6sek8bf92", Iters: 4096}
	creds, err := cl.GetStoredCredentialsWithError(kf)
	if err != nil {
		t.Error(err)
		return
	}
	srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) { return creds, nil })
	if err != nil {
		t.Error(err)
		return
	}
	conv := srv.NewConversation()
	if mech == "SCRAM-SHA-256-PLUS" {
		cs := f.nc.(*tls.Conn).ConnectionState()
		cb, err := scram.NewTLSExporterBinding(&cs)
		if err != nil {
			t.Error(err)
			return
		}
		conv = srv.NewConversationWithChannelBindingRequired(cb)
	}
	line, err := f.readLine()
	if err != nil || !strings.HasPrefix(line, "AUTH "+mech+" ") {
		t.Errorf("server: %q %v", line, err)
		return
	}
	first, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(line, "AUTH "+mech+" "))
	if err != nil {
		t.Error(err)
		return
	}
	for msg := string(first); ; {
		out, err := conv.Step(msg)
		if err != nil {
			f.send("-ERR [AUTH] " + err.Error() + "\r\n")
			return
		}
		if conv.Done() && lie {
			f.send("+OK welcome\r\n")
			return
		}
		f.send("+ " + base64.StdEncoding.EncodeToString([]byte(out)) + "\r\n")
		line, err := f.readLine()
		if err != nil {
			t.Error(err)
			return
		}
		if conv.Done() {
			if line != "" || !conv.Valid() {
				f.send("-ERR [AUTH] failed\r\n")
				return
			}
			f.send("+OK welcome\r\n")
			f.play("C: CAPA\nS: +OK\nS: TOP\nS: .")
			return
		}
		b, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			t.Error(err)
			return
		}
		msg = string(b)
	}
}

// serveScram serves (with implicit TLS when cfg is not nil) a greeting, a
// CAPA announcing the SASL mechanisms mechs, then scramServer for mech.
func serveScram(t *testing.T, cfg *tls.Config, mechs, mech string, lie bool) string {
	return serveConfig(t, cfg, func(f *fakeConn) {
		f.play("S: +OK ready\nC: CAPA\nS: +OK\nS: SASL " + mechs + "\nS: .")
		scramServer(t, f, mech, lie)
	})
}

func TestScramSHA256(t *testing.T) {
	addr := serveScram(t, nil, "PLAIN SCRAM-SHA-256", "SCRAM-SHA-256", false)
	c := dial(t, addr, nil)
	if err := c.AuthenticatePassword(ctxT(t), "user", "pencil"); err != nil {
		t.Fatal(err)
	}
	if !c.Caps().Has(pop3.CapTop) {
		t.Errorf("caps %v", c.Caps())
	}
}

// TestScramPlusOverTLS: AuthenticatePassword prefers SCRAM-SHA-256-PLUS on
// TLS 1.3, bound to the connection with tls-exporter.
func TestScramPlusOverTLS(t *testing.T) {
	srv, cli := mailtest.SelfSigned(t)
	addr := serveScram(t, srv, "PLAIN SCRAM-SHA-256 SCRAM-SHA-256-PLUS", "SCRAM-SHA-256-PLUS", false)
	ctx := ctxT(t)
	c, err := pop3client.DialTLS(ctx, addr, &pop3client.Options{TLSConfig: cli})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if cs, ok := c.TLSConnectionState(); !ok || cs.Version != tls.VersionTLS13 {
		t.Fatalf("TLS state %v %v", cs.Version, ok)
	}
	if err := c.AuthenticatePassword(ctx, "user", "pencil"); err != nil {
		t.Fatal(err)
	}
}

// TestScramServerLies: +OK before the server's signature is not trusted.
func TestScramServerLies(t *testing.T) {
	addr := serveScram(t, nil, "SCRAM-SHA-256", "SCRAM-SHA-256", true)
	c := dial(t, addr, nil)
	if err := c.Authenticate(ctxT(t), pop3client.NewScramSHA256Client("user", "pencil")); err == nil {
		t.Fatal("AUTH succeeded without the server's signature")
	}
	if !errors.Is(c.Err(), pop3client.ErrClosed) {
		t.Errorf("connection still up: %v", c.Err())
	}
}

// TestScramWrongPassword: the server's -ERR.
func TestScramWrongPassword(t *testing.T) {
	addr := serveScram(t, nil, "SCRAM-SHA-256", "SCRAM-SHA-256", false)
	c := dial(t, addr, nil)
	if err := c.AuthenticatePassword(ctxT(t), "user", "wrong"); !errors.Is(err, &pop3.Error{Code: pop3.CodeAuth}) {
		t.Fatalf("AUTH: %v", err)
	}
}

// TestAuthenticatePasswordChoice: PLAIN before LOGIN, LOGIN (with the
// user name as initial response, or after a "Username:" prompt), and
// USER/PASS when no SASL mechanism fits.
func TestAuthenticatePasswordChoice(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, tc := range []struct{ name, script string }{
		{"PLAIN", `
			S: +OK ready
			C: CAPA
			S: +OK
			S: SASL LOGIN PLAIN
			S: .
			C: AUTH PLAIN ` + b64("\x00bob\x00pw") + `
			S: +OK
			C: CAPA
			S: +OK
			S: .`},
		{"LOGIN with initial response", `
			S: +OK ready
			C: CAPA
			S: +OK
			S: SASL LOGIN CRAM-MD5
			S: .
			C: AUTH LOGIN ` + b64("bob") + `
			S: + ` + b64("Password:") + `
			C: ` + b64("pw") + `
			S: +OK
			C: CAPA
			S: +OK
			S: .`},
		{"LOGIN with prompts", `
			S: +OK ready
			C: CAPA
			S: +OK
			S: SASL LOGIN
			S: .
			C: AUTH LOGIN ` + b64("bob") + `
			S: + ` + b64("Username:") + `
			C: ` + b64("bob") + `
			S: + ` + b64("Password:") + `
			C: ` + b64("pw") + `
			S: +OK
			C: CAPA
			S: +OK
			S: .`},
		{"USER/PASS", `
			S: +OK ready
			C: CAPA
			S: +OK
			S: USER
			S: SASL CRAM-MD5
			S: .
			C: USER bob
			S: +OK
			C: PASS pw
			S: +OK
			C: CAPA
			S: +OK
			S: .`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, scripted(t, tc.script), nil)
			if err := c.AuthenticatePassword(ctxT(t), "bob", "pw"); err != nil {
				t.Fatal(err)
			}
			if c.State() != pop3.Transaction {
				t.Errorf("state %v", c.State())
			}
		})
	}
}

// TestSTLS: refusal, absence, injection and a failed handshake all close
// the connection under DialStartTLS; StartTLS on a connected client leaves
// a refused connection open.
func TestSTLS(t *testing.T) {
	srv, cli := mailtest.SelfSigned(t)
	const greet = `
		S: +OK ready
		C: CAPA
		S: +OK
		S: STLS
		S: .
	`
	t.Run("refused", func(t *testing.T) {
		addr := scripted(t, greet+`
			C: STLS
			S: -ERR [SYS/TEMP] not now
		`)
		_, err := pop3client.DialStartTLS(ctxT(t), addr, &pop3client.Options{TLSConfig: cli})
		var pe *pop3.Error
		if !errors.Is(err, pop3client.ErrNoStartTLS) || !errors.As(err, &pe) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("not announced", func(t *testing.T) {
		addr := scripted(t, "S: +OK ready\nC: CAPA\nS: +OK\nS: USER\nS: .")
		if _, err := pop3client.DialStartTLS(ctxT(t), addr, nil); !errors.Is(err, pop3client.ErrNoStartTLS) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("injection", func(t *testing.T) {
		addr := serve(t, func(f *fakeConn) {
			if f.play(greet + "C: STLS") {
				f.send("+OK Begin TLS\r\n+OK injected\r\n")
			}
		})
		_, err := pop3client.DialStartTLS(ctxT(t), addr, &pop3client.Options{TLSConfig: cli})
		if !errors.Is(err, pop3client.ErrSTLSInjection) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		addr := serve(t, func(f *fakeConn) {
			if f.play(greet + "C: STLS\nS: +OK go") {
				tc := tls.Server(f.nc, srv)
				tc.Handshake() // fails: the client rejects the certificate
			}
		})
		if _, err := pop3client.DialStartTLS(ctxT(t), addr, nil); err == nil || !errors.Is(err, pop3client.ErrClosed) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("StartTLS refused stays open", func(t *testing.T) {
		addr := scripted(t, greet+`
			C: STLS
			S: -ERR no
			C: NOOP
			S: +OK
		`)
		c := dial(t, addr, &pop3client.Options{TLSConfig: cli})
		ctx := ctxT(t)
		if err := c.StartTLS(ctx); !errors.Is(err, pop3client.ErrNoStartTLS) {
			t.Fatalf("StartTLS: %v", err)
		}
		if err := c.Noop(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
