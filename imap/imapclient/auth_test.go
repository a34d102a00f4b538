package imapclient_test

import (
	"bufio"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/internal/mailtest"
)

func TestStartTLS(t *testing.T) {
	srvTLS, cliTLS := mailtest.SelfSigned(t)
	env, _ := mbxEnvFrom(t, func(s *imapserver.Server) { s.TLSConfig = srvTLS; s.InsecureAuth = false }, mbxRemote)
	ctx := mbxCtx(t)
	// In the clear: STARTTLS and LOGINDISABLED, no PLAIN.
	plain, err := imapclient.Dial(ctx, env.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if caps := plain.Caps(); !caps.Has(imap.CapStartTLS) || !caps.Has(imap.CapLoginDisabled) || caps.Advertised("AUTH=PLAIN") {
		t.Fatalf("caps in the clear: %v", caps)
	}
	c, err := imapclient.DialStartTLS(ctx, env.addr, &imapclient.Options{TLSConfig: cliTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps := c.Caps()
	if caps.Has(imap.CapStartTLS) || caps.Has(imap.CapLoginDisabled) || !caps.Advertised("AUTH=PLAIN") {
		t.Errorf("caps after STARTTLS: %v", caps)
	}
	// Over TLS 1.3 the server offers SCRAM-SHA-256-PLUS, which
	// AuthenticatePassword prefers.
	if !caps.Advertised("AUTH=SCRAM-SHA-256-PLUS") {
		t.Errorf("caps after STARTTLS: %v", caps)
	}
	cs, ok := c.TLSConnectionState()
	if !ok || cs.Version != tls.VersionTLS13 {
		t.Fatalf("TLS state %v %x", ok, cs.Version)
	}
	c2, err := imapclient.DialStartTLS(ctx, env.addr, &imapclient.Options{TLSConfig: cliTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	cs2, _ := c2.TLSConnectionState()
	// The channel binding of another connection fails.
	if err := c.Authenticate(ctx, imapclient.NewScramSHA256PlusClient("alice", "secret", &cs2)); err == nil {
		t.Fatal("SCRAM-SHA-256-PLUS with another connection's binding succeeded")
	}
	if err := c.Authenticate(ctx, imapclient.NewScramSHA256PlusClient("alice", "secret", &cs)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	// AuthenticatePassword picks SCRAM-SHA-256-PLUS.
	if err := c2.AuthenticatePassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := c2.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
}

func TestStartTLSRefusal(t *testing.T) {
	ctx := mbxCtx(t)
	t.Run("not offered", func(t *testing.T) {
		env := newEnv(t) // no TLSConfig
		_, err := imapclient.DialStartTLS(ctx, env.addr, nil)
		if !errors.Is(err, imapclient.ErrNoStartTLS) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		addr := mbxScripted(t, "* OK hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			tag, rest, _ := strings.Cut(line, " ")
			switch rest {
			case "CAPABILITY":
				w.WriteString("* CAPABILITY IMAP4rev1 STARTTLS\r\n" + tag + " OK done\r\n")
			case "STARTTLS":
				w.WriteString(tag + " NO not today\r\n")
			default:
				w.WriteString(tag + " BAD no\r\n")
			}
			return true
		})
		_, err := imapclient.DialStartTLS(ctx, addr, nil)
		var se *imapclient.StatusError
		if !errors.Is(err, imapclient.ErrNoStartTLS) || !errors.As(err, &se) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("injection after OK", func(t *testing.T) {
		addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			tag, _, _ := strings.Cut(line, " ")
			w.WriteString(tag + " OK begin\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
			return true
		})
		if _, err := imapclient.DialStartTLS(ctx, addr, nil); err == nil {
			t.Fatal("DialStartTLS went on after data injected in the clear")
		}
	})
	t.Run("PREAUTH", func(t *testing.T) {
		addr := mbxScripted(t, "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] hi", func(string, *bufio.Reader, *bufio.Writer) bool {
			return false
		})
		if _, err := imapclient.DialStartTLS(ctx, addr, nil); !errors.Is(err, imapclient.ErrNoStartTLS) {
			t.Fatalf("DialStartTLS: %v", err)
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srvTLS, _ := mailtest.SelfSigned(t)
		env, _ := mbxEnv(t, func(s *imapserver.Server) { s.TLSConfig = srvTLS })
		if _, err := imapclient.DialStartTLS(ctx, env.addr, nil); err == nil {
			t.Fatal("DialStartTLS trusted an unknown certificate")
		}
	})
}

func TestAuthenticatePlainAndScram(t *testing.T) {
	env := newEnv(t)
	ctx := mbxCtx(t)
	for _, tc := range []struct {
		name string
		good sasl.Client
		bad  sasl.Client
	}{
		{"PLAIN", sasl.NewPlainClient("", "alice", "secret"), sasl.NewPlainClient("", "alice", "wrong")},
		{"SCRAM-SHA-256", imapclient.NewScramSHA256Client("alice", "secret"), imapclient.NewScramSHA256Client("alice", "wrong")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := imapclient.Dial(ctx, env.addr, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if !c.Caps().Advertised(imap.Cap("AUTH=" + tc.name)) {
				t.Fatalf("%s not offered: %v", tc.name, c.Caps())
			}
			err = c.Authenticate(ctx, tc.bad)
			var se *imapclient.StatusError
			if !errors.As(err, &se) || se.Status != "NO" {
				t.Fatalf("wrong password: %v", err)
			}
			if len(c.Caps()) == 0 {
				t.Errorf("caps lost after a failed AUTHENTICATE")
			}
			if err := c.Authenticate(ctx, tc.good); err != nil {
				t.Fatal(err)
			}
			if !c.Caps().Has(imap.CapIMAP4rev2) || c.Caps().Has("AUTH="+imap.Cap(tc.name)) {
				t.Errorf("caps after AUTHENTICATE: %v", c.Caps())
			}
			if _, err := c.Select(ctx, "INBOX", nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestAuthenticateWithoutSASLIR: the initial response waits for the
// server's empty challenge.
func TestAuthenticateWithoutSASLIR(t *testing.T) {
	got := make(chan string, 2)
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		if rest != "AUTHENTICATE PLAIN" {
			w.WriteString(tag + " OK done\r\n")
			return true
		}
		got <- line
		w.WriteString("+ \r\n")
		w.Flush()
		resp, _ := r.ReadString('\n')
		got <- strings.TrimRight(resp, "\r\n")
		w.WriteString(tag + " OK [CAPABILITY IMAP4rev1 IDLE] welcome\r\n")
		return true
	})
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	if err := c.AuthenticatePassword(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	<-got
	if resp, want := <-got, base64.StdEncoding.EncodeToString([]byte("\x00alice\x00secret")); resp != want {
		t.Errorf("response %q, want %q", resp, want)
	}
	if !c.Caps().Has(imap.CapIdle) {
		t.Errorf("caps %v", c.Caps())
	}
}

func TestXOAuth2(t *testing.T) {
	mech, ir, err := imapclient.NewXOAuth2Client("someone@example.com", "ya29.token").Start()
	if err != nil || mech != "XOAUTH2" || string(ir) != "user=someone@example.com\x01auth=Bearer ya29.token\x01\x01" {
		t.Fatalf("Start: %q %q %v", mech, ir, err)
	}
	// Google's failure: a JSON error as a challenge, answered with an
	// empty response, then NO.
	lines := make(chan string, 2)
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, _, _ := strings.Cut(line, " ")
		lines <- line
		w.WriteString("+ " + base64.StdEncoding.EncodeToString([]byte(`{"status":"401"}`)) + "\r\n")
		w.Flush()
		resp, _ := r.ReadString('\n')
		lines <- resp
		w.WriteString(tag + " NO [AUTHENTICATIONFAILED] Invalid credentials\r\n")
		return true
	})
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	err = c.Authenticate(ctx, imapclient.NewXOAuth2Client("someone@example.com", "ya29.token"))
	var se *imapclient.StatusError
	if !errors.As(err, &se) || se.Code == nil || se.Code.Name != imap.CodeAuthenticationFailed {
		t.Fatalf("AUTHENTICATE: %v", err)
	}
	want := "AUTHENTICATE XOAUTH2 " + base64.StdEncoding.EncodeToString(ir)
	if line := <-lines; !strings.HasSuffix(line, want) {
		t.Errorf("command %q, want ... %q", line, want)
	}
	if resp := <-lines; resp != "\r\n" {
		t.Errorf("response to the error %q", resp)
	}
}
