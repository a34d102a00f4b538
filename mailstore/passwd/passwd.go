// Package passwd is a small mailstore.Authenticator: user names and
// passwords in memory, added with AddUser or read from a Dovecot-style
// passwd-file. It serves every store; a server with its own user database
// uses that instead.
package passwd

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/mailaccess/mailaccess/mailstore"
)

// Users is the user table: names and passwords (or their hashes). It
// implements mailstore.Authenticator, and mailstore.SecretLookup for
// passwords kept in the clear. It is safe for concurrent use.
type Users struct {
	mu    sync.RWMutex
	users map[string]userEntry
}

// userEntry is a user's password as a scheme and a value.
type userEntry struct {
	scheme string // PLAIN, SHA256, SHA512, SSHA256, SSHA512, SHA512-CRYPT, BLF-CRYPT
	value  string // the password (PLAIN), its digest (raw octets), or the crypt string
}

var (
	_ mailstore.Authenticator = (*Users)(nil)
	_ mailstore.SecretLookup  = (*Users)(nil)
)

// New returns an empty user table.
func New() *Users { return &Users{users: make(map[string]userEntry)} }

// validUser refuses names a passwd-file cannot hold or a store could
// misuse as a path: empty, holding ':', '/', '\' or control characters,
// or starting with '.'.
func validUser(name string) error {
	if name == "" || name[0] == '.' || strings.ContainsAny(name, ":/\\") || mailstore.HasControl(name) || len(name) > 255 {
		return fmt.Errorf("passwd: invalid user name %q", name)
	}
	return nil
}

// Has reports whether the table has the user.
func (u *Users) Has(name string) bool {
	u.mu.RLock()
	defer u.mu.RUnlock()
	_, ok := u.users[name]
	return ok
}

// Len is the number of users.
func (u *Users) Len() int {
	u.mu.RLock()
	defer u.mu.RUnlock()
	return len(u.users)
}

// AddUser adds a user with a cleartext password, or replaces its
// password.
func (u *Users) AddUser(name, password string) error {
	if err := validUser(name); err != nil {
		return err
	}
	u.mu.Lock()
	u.users[name] = userEntry{scheme: "PLAIN", value: password}
	u.mu.Unlock()
	return nil
}

// LoadFile reads a passwd-file (see Load) into a new table.
func LoadFile(path string) (*Users, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("passwd: %w", err)
	}
	defer f.Close()
	u := New()
	if err := u.Load(f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return u, nil
}

// Load adds the users of a passwd-file, as Dovecot's passwd-file reads
// it: one user per line, "name:password" and optional further
// colon-separated fields (ignored); "#" starts a comment line. The
// password may carry a scheme: {PLAIN} (also without a scheme, and
// {CLEARTEXT}/{CLEAR}), {SHA256} or {SHA512} with the base64 (or hex)
// digest, {SSHA256} or {SSHA512} with base64 of digest then salt,
// {SHA512-CRYPT} ("$6$…", crypt(3) SHA-512) and {BLF-CRYPT} (bcrypt,
// "$2y$…").
func (u *Users) Load(r io.Reader) error {
	sc := bufio.NewScanner(r)
	u.mu.Lock()
	defer u.mu.Unlock()
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, rest, ok := strings.Cut(line, ":")
		if !ok || validUser(name) != nil {
			return fmt.Errorf("passwd: line %d: bad user line", n)
		}
		pw, _, _ := strings.Cut(rest, ":")
		e, err := parsePassword(pw)
		if err != nil {
			return fmt.Errorf("passwd: line %d: %v", n, err)
		}
		u.users[name] = e
	}
	return sc.Err()
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
	case "PLAIN", "CLEARTEXT", "CLEAR":
		return userEntry{scheme: "PLAIN", value: pw}, nil
	case "SHA512-CRYPT":
		if !strings.HasPrefix(pw, "$6$") {
			return userEntry{}, fmt.Errorf("bad SHA512-CRYPT hash")
		}
		return userEntry{scheme: scheme, value: pw}, nil
	case "BLF-CRYPT":
		if _, err := bcrypt.Cost([]byte(pw)); err != nil {
			return userEntry{}, fmt.Errorf("bad BLF-CRYPT hash: %v", err)
		}
		return userEntry{scheme: scheme, value: pw}, nil
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
	case "SHA512-CRYPT":
		return checkSHA512Crypt(password, e.value)
	case "BLF-CRYPT":
		return bcrypt.CompareHashAndPassword([]byte(e.value), []byte(password)) == nil
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
