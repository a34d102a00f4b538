package memstore

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/mailstore"
)

// Errors of AddUser.
var (
	// ErrUserExists: AddUser of a name that is already a user.
	ErrUserExists = errors.New("memstore: user already exists")
	// ErrInvalidUser: AddUser of an empty name, one that is not valid
	// UTF-8, or one with control characters.
	ErrInvalidUser = errors.New("memstore: invalid user name")
)

// DefaultMaxQueue is the default of Options.MaxQueue.
const DefaultMaxQueue = 1024

// Options are the limits of a Backend. The zero value selects the
// defaults.
type Options struct {
	// MaxMessageSize is the largest message Append accepts, in octets;
	// a larger one gives mailstore.ErrTooBig. Zero or negative means no
	// limit.
	MaxMessageSize int64
	// MaxQueue is how many changes a view may have waiting for Poll;
	// beyond it the view stops queueing and its next Poll resynchronises
	// it by comparing states. Zero or negative means DefaultMaxQueue.
	MaxQueue int
	// MaxTombstones is how many expunged UIDs each mailbox remembers for
	// ExpungedSince; older ones are forgotten, and ExpungedSince from
	// before them returns every UID below UIDNEXT not in the mailbox
	// (RFC 7162 §3.2.5.1 allows it). Zero or negative means no limit.
	MaxTombstones int
	// Now is the clock, for internal dates and the first UIDVALIDITY; nil
	// means time.Now.
	Now func() time.Time
}

// Backend is an in-memory mailstore.Backend with its own user table. It
// is also the Authenticator and SecretLookup for those users. Its methods
// may be called from any goroutine.
type Backend struct {
	opts     Options
	maxQueue int
	now      func() time.Time

	// validity is the last UIDVALIDITY given to a mailbox. It starts at
	// the clock's Unix time, as Dovecot's does, so that a restarted
	// process does not hand a caching client the old UIDVALIDITY with
	// different messages.
	validity atomic.Uint32

	mu    sync.RWMutex
	users map[string]*user
}

var (
	_ mailstore.Backend       = (*Backend)(nil)
	_ mailstore.Authenticator = (*Backend)(nil)
	_ mailstore.SecretLookup  = (*Backend)(nil)
)

// New returns an empty Backend with the default options.
func New() *Backend { return NewWithOptions(nil) }

// NewWithOptions returns an empty Backend with the given options (nil
// means the defaults).
func NewWithOptions(opts *Options) *Backend {
	b := &Backend{users: make(map[string]*user)}
	if opts != nil {
		b.opts = *opts
	}
	b.now = b.opts.Now
	if b.now == nil {
		b.now = time.Now
	}
	b.maxQueue = b.opts.MaxQueue
	if b.maxQueue <= 0 {
		b.maxQueue = DefaultMaxQueue
	}
	start := uint32(b.now().Unix())
	if start == 0 {
		start = 1
	}
	b.validity.Store(start - 1)
	return b
}

// nextValidity returns a new UIDVALIDITY, never 0.
func (b *Backend) nextValidity() uint32 {
	for {
		if v := b.validity.Add(1); v != 0 {
			return v
		}
	}
}

// AddUser adds a user with an empty INBOX. The name is used as given:
// user names are case-sensitive.
func (b *Backend) AddUser(name, password string) error {
	if name == "" || !utf8.ValidString(name) || mailstore.HasControl(name) {
		return fmt.Errorf("%w: %q", ErrInvalidUser, name)
	}
	u := &user{
		b: b, name: name, secret: password, hash: sha256.Sum256([]byte(password)),
		boxes: make(map[string]*mailbox), subs: make(map[string]bool),
	}
	u.boxes[inbox] = u.newMailbox(inbox)
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[name]; ok {
		return fmt.Errorf("%w: %q", ErrUserExists, name)
	}
	b.users[name] = u
	return nil
}

func (b *Backend) lookup(name string) *user {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.users[name]
}

// dummyHash is compared against when the user is unknown, so that the
// answer takes as long as for a known user.
var dummyHash = sha256.Sum256([]byte("memstore: no such user"))

// Authenticate checks a user name and password and returns the user
// name. The password is compared in constant time (on SHA-256 digests,
// so that its length does not leak either); an unknown user and a wrong
// password both give mailstore.ErrAuthFailed.
func (b *Backend) Authenticate(ctx context.Context, username, password string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	u := b.lookup(username)
	want := dummyHash
	if u != nil {
		want = u.hash
	}
	got := sha256.Sum256([]byte(password))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || u == nil {
		return "", mailstore.ErrAuthFailed
	}
	return u.name, nil
}

// Secret returns a user's password, for APOP and CRAM-MD5, and the user
// name. An unknown user gives mailstore.ErrAuthFailed.
func (b *Backend) Secret(ctx context.Context, username string) (string, string, error) {
	if err := ctx.Err(); err != nil {
		return "", "", err
	}
	u := b.lookup(username)
	if u == nil {
		return "", "", mailstore.ErrAuthFailed
	}
	return u.secret, u.name, nil
}

// Open returns a new Store handle for a user added with AddUser. An
// unknown user gives mailstore.ErrAuthFailed.
func (b *Backend) Open(ctx context.Context, username string) (mailstore.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u := b.lookup(username)
	if u == nil {
		return nil, fmt.Errorf("%w: unknown user %q", mailstore.ErrAuthFailed, username)
	}
	return &store{u: u}, nil
}

// user is one user's mail. mu guards the mailboxes, the subscriptions and
// the state of every mailbox and view of the user.
type user struct {
	b      *Backend
	name   string
	secret string
	hash   [sha256.Size]byte

	mu    sync.Mutex
	boxes map[string]*mailbox // by canonical full name
	subs  map[string]bool     // subscribed names
}
