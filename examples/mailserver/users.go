package main

import (
	"bufio"
	"context"
	"crypto/subtle"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/mailaccess/mailaccess/mailstore"
)

// users is the example's user table: names and password hashes, as in a
// Dovecot passwd-file. It implements mailstore.Authenticator, and
// mailstore.SecretLookup for users whose password is stored in the clear
// ({PLAIN}), which APOP and CRAM-MD5 need.
type users struct {
	hashes map[string]string // user -> "{SCHEME}hash"
}

func newUsers() *users { return &users{hashes: make(map[string]string)} }

// add adds a user with a plaintext password.
func (u *users) add(name, password string) error {
	if name == "" || strings.ContainsAny(name, ":/\\\x00") {
		return fmt.Errorf("invalid user name %q", name)
	}
	u.hashes[name] = "{PLAIN}" + password
	return nil
}

// load reads passwd-file lines ("user:{SCHEME}hash[:uid:gid:...]");
// blank lines and lines starting with # are skipped. Schemes: {PLAIN},
// {SHA512-CRYPT} ("$6$"), {BLF-CRYPT} (bcrypt); a hash without a scheme
// is taken as plaintext, as Dovecot's default_pass_scheme PLAIN does.
func (u *users) load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		name, rest, ok := strings.Cut(text, ":")
		if !ok || name == "" {
			return fmt.Errorf("line %d: want user:password", line)
		}
		hash, _, _ := strings.Cut(rest, ":")
		scheme := "PLAIN"
		if strings.HasPrefix(hash, "{") {
			end := strings.IndexByte(hash, '}')
			if end < 0 {
				return fmt.Errorf("line %d: unterminated scheme", line)
			}
			scheme, hash = strings.ToUpper(hash[1:end]), hash[end+1:]
		}
		switch scheme {
		case "PLAIN", "CLEAR", "SHA512-CRYPT", "BLF-CRYPT":
		default:
			return fmt.Errorf("line %d: unsupported scheme {%s} (PLAIN, SHA512-CRYPT, BLF-CRYPT)", line, scheme)
		}
		if scheme == "CLEAR" {
			scheme = "PLAIN"
		}
		u.hashes[name] = "{" + scheme + "}" + hash
	}
	return sc.Err()
}

// Authenticate implements mailstore.Authenticator.
func (u *users) Authenticate(ctx context.Context, name, password string) (string, error) {
	stored, ok := u.hashes[name]
	if !ok {
		// Spend the time a check would, not to reveal who exists.
		bcrypt.CompareHashAndPassword([]byte("$2a$10$0000000000000000000000000000000000000000000000000000."), []byte(password))
		return "", mailstore.ErrAuthFailed
	}
	scheme, hash, _ := strings.Cut(stored[1:], "}")
	good := false
	switch scheme {
	case "PLAIN":
		good = subtle.ConstantTimeCompare([]byte(hash), []byte(password)) == 1
	case "SHA512-CRYPT":
		good = checkSHA512Crypt(password, hash)
	case "BLF-CRYPT":
		good = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
	}
	if !good {
		return "", mailstore.ErrAuthFailed
	}
	return name, nil
}

// Secret implements mailstore.SecretLookup for plaintext passwords.
func (u *users) Secret(ctx context.Context, name string) (string, string, error) {
	stored, ok := u.hashes[name]
	if !ok || !strings.HasPrefix(stored, "{PLAIN}") {
		return "", "", mailstore.ErrAuthFailed
	}
	return strings.TrimPrefix(stored, "{PLAIN}"), name, nil
}
