package maildir

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/mailaccess/mailaccess/mailstore"
)

// Users is a minimal mailstore.Authenticator, kept apart from Backend:
// user names and passwords in memory, added with AddUser or read from a
// passwd-style file with LoadUsers. A server that has its own user
// database uses that instead and only needs Backend.
type Users struct {
	mu    sync.RWMutex
	users map[string]userEntry
}

// userEntry is a user's password as a scheme and a value.
type userEntry struct {
	scheme string // PLAIN, SHA256, SHA512, SSHA256, SSHA512
	value  string // the password (PLAIN) or its hash (raw octets)
}

var (
	_ mailstore.Authenticator = (*Users)(nil)
	_ mailstore.SecretLookup  = (*Users)(nil)
)

// NewUsers returns an empty user list.
func NewUsers() *Users { return &Users{users: make(map[string]userEntry)} }

// AddUser adds a user with a cleartext password, or replaces its
// password. The name must be usable as a directory name (see
// Options.UserDir).
func (u *Users) AddUser(name, password string) error {
	if err := validUser(name); err != nil {
		return fmt.Errorf("maildir: AddUser: invalid user name %q", name)
	}
	u.mu.Lock()
	u.users[name] = userEntry{scheme: "PLAIN", value: password}
	u.mu.Unlock()
	return nil
}

// LoadUsers reads a passwd-style file, as Dovecot's passwd-file reads
// it: one user per line, "name:password" and optional further
// colon-separated fields (ignored); "#" starts a comment line. The
// password may carry a scheme: {PLAIN}secret (also without a scheme),
// {SHA256} or {SHA512} with the base64 (or hex) digest, {SSHA256} or
// {SSHA512} with base64 of digest then salt.
func LoadUsers(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	defer f.Close()
	u := NewUsers()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok || validUser(name) != nil {
			return nil, fmt.Errorf("maildir: %s:%d: bad user line", path, n)
		}
		pw, _, _ := strings.Cut(rest, ":")
		e, err := parsePassword(pw)
		if err != nil {
			return nil, fmt.Errorf("maildir: %s:%d: %v", path, n, err)
		}
		u.users[name] = e
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	return u, nil
}

// parsePassword parses "{SCHEME}value".
func parsePassword(pw string) (userEntry, error) {
	scheme := "PLAIN"
	if strings.HasPrefix(pw, "{") {
		end := strings.IndexByte(pw, '}')
		if end < 0 {
			return userEntry{}, fmt.Errorf("unterminated scheme")
		}
		scheme, pw = strings.ToUpper(pw[1:end]), pw[end+1:]
	}
	switch scheme {
	case "PLAIN", "CLEARTEXT":
		return userEntry{scheme: "PLAIN", value: pw}, nil
	case "SHA256", "SHA512", "SSHA256", "SSHA512":
		raw, err := base64.StdEncoding.DecodeString(pw)
		if err != nil {
			raw, err = hex.DecodeString(pw)
		}
		want := sha256.Size
		if strings.HasSuffix(scheme, "512") {
			want = sha512.Size
		}
		if err != nil || len(raw) < want || (scheme[0] != 'S' || scheme[1] != 'S') && len(raw) != want {
			return userEntry{}, fmt.Errorf("bad %s digest", scheme)
		}
		return userEntry{scheme: scheme, value: string(raw)}, nil
	}
	return userEntry{}, fmt.Errorf("unknown password scheme %q", scheme)
}

// check reports whether password matches e, in constant time for a given
// scheme.
func (e userEntry) check(password string) bool {
	digest := func(s, salt string) []byte {
		if strings.HasSuffix(e.scheme, "512") {
			h := sha512.Sum512([]byte(s + salt))
			return h[:]
		}
		h := sha256.Sum256([]byte(s + salt))
		return h[:]
	}
	switch e.scheme {
	case "PLAIN":
		a, b := sha256.Sum256([]byte(password)), sha256.Sum256([]byte(e.value))
		return subtle.ConstantTimeCompare(a[:], b[:]) == 1
	case "SHA256", "SHA512":
		return subtle.ConstantTimeCompare(digest(password, ""), []byte(e.value)) == 1
	case "SSHA256", "SSHA512":
		n := sha256.Size
		if e.scheme == "SSHA512" {
			n = sha512.Size
		}
		return subtle.ConstantTimeCompare(digest(password, e.value[n:]), []byte(e.value[:n])) == 1
	}
	return false
}

// Authenticate checks a user name and password (mailstore.Authenticator)
// and returns the user name. Unknown users and wrong passwords both give
// mailstore.ErrAuthFailed.
func (u *Users) Authenticate(ctx context.Context, username, password string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	u.mu.RLock()
	e, ok := u.users[username]
	u.mu.RUnlock()
	if !ok {
		// Spend the same work as for a known user.
		userEntry{scheme: "PLAIN"}.check(password)
		return "", mailstore.ErrAuthFailed
	}
	if !e.check(password) {
		return "", mailstore.ErrAuthFailed
	}
	return username, nil
}

// Secret returns the cleartext password of a user (mailstore.SecretLookup)
// for APOP and CRAM-MD5; a user whose password is stored hashed, or an
// unknown user, gives mailstore.ErrAuthFailed.
func (u *Users) Secret(ctx context.Context, username string) (string, string, error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	u.mu.RLock()
	e, ok := u.users[username]
	u.mu.RUnlock()
	if !ok || e.scheme != "PLAIN" {
		return "", "", mailstore.ErrAuthFailed
	}
	return e.value, username, nil
}
