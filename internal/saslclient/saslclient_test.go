package saslclient

import (
	"crypto/tls"
	"testing"
)

func TestForPassword(t *testing.T) {
	tls13 := &tls.ConnectionState{Version: tls.VersionTLS13}
	tls12 := &tls.ConnectionState{Version: tls.VersionTLS12}
	offers := func(mechs ...string) func(string) bool {
		return func(m string) bool {
			for _, o := range mechs {
				if o == m {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		offered   []string
		cs        *tls.ConnectionState
		withLogin bool
		want      string
	}{
		// SCRAM-SHA-256-PLUS needs TLS 1.3 (the clients' tests run it
		// there, over a real connection).
		{[]string{ScramSHA256Plus, ScramSHA256, Plain}, nil, true, ScramSHA256},
		{[]string{ScramSHA256Plus, ScramSHA256, Plain}, tls12, true, ScramSHA256},
		{[]string{Plain, Login}, tls13, true, Plain},
		{[]string{Login}, nil, true, Login},
		{[]string{Login}, nil, false, ""},
		{nil, nil, true, ""},
	} {
		got := ""
		if mech := ForPassword(offers(tc.offered...), tc.cs, "alice", "secret", tc.withLogin); mech != nil {
			got, _, _ = mech.Start()
		}
		if got != tc.want {
			t.Errorf("%v %v %v: %q, want %q", tc.offered, tc.cs, tc.withLogin, got, tc.want)
		}
	}
}

func TestLoginClient(t *testing.T) {
	l := &LoginClient{Username: "alice", Password: "secret"}
	if name, ir, _ := l.Start(); name != Login || string(ir) != "alice" {
		t.Errorf("Start: %s %q", name, ir)
	}
	for _, step := range [][2]string{{"Username:", "alice"}, {"Password:", "secret"}, {"User Name", "secret"}} {
		if resp, _ := l.Next([]byte(step[0])); string(resp) != step[1] {
			t.Errorf("%s: %q, want %q", step[0], resp, step[1])
		}
	}
}

func TestXOAuth2Client(t *testing.T) {
	x := &XOAuth2Client{Username: "alice", Token: "tok"}
	if name, ir, _ := x.Start(); name != XOAuth2 || string(ir) != "user=alice\x01auth=Bearer tok\x01\x01" {
		t.Errorf("Start: %s %q", name, ir)
	}
	if resp, err := x.Next([]byte(`{"status":"401"}`)); len(resp) != 0 || resp == nil || err != nil {
		t.Errorf("Next: %q %v", resp, err)
	}
}
