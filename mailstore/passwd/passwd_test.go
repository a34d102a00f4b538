package passwd

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/mailaccess/mailaccess/mailstore"
)

func TestLoadSchemes(t *testing.T) {
	blf, err := bcrypt.GenerateFromPassword([]byte("bpass"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	// Dovecot writes BLF-CRYPT hashes as $2y$.
	y := "$2y$" + string(blf[4:])
	file := "# users\n" +
		"plain:{PLAIN}ppass:1000:1000::/home/plain::\n" +
		"bare:barepass\n" +
		"sha:{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1\n" +
		"blf:{BLF-CRYPT}" + y + "\n"
	u := New()
	if err := u.Load(strings.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct{ user, pass string }{{"plain", "ppass"}, {"bare", "barepass"}, {"sha", "Hello world!"}, {"blf", "bpass"}} {
		if got, err := u.Authenticate(ctx, c.user, c.pass); err != nil || got != c.user {
			t.Errorf("%s: %q, %v", c.user, got, err)
		}
		if _, err := u.Authenticate(ctx, c.user, c.pass+"x"); !errors.Is(err, mailstore.ErrAuthFailed) {
			t.Errorf("%s wrong password: %v", c.user, err)
		}
	}
	if _, err := u.Authenticate(ctx, "nobody", "x"); !errors.Is(err, mailstore.ErrAuthFailed) {
		t.Errorf("unknown user: %v", err)
	}
	if s, _, err := u.Secret(ctx, "plain"); err != nil || s != "ppass" {
		t.Errorf("Secret: %q %v", s, err)
	}
	if _, _, err := u.Secret(ctx, "sha"); err == nil {
		t.Error("Secret of a hashed password")
	}
	if err := u.Load(strings.NewReader("x:{MD5}abc\n")); err == nil {
		t.Error("unsupported scheme accepted")
	}
}
