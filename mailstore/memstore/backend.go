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

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Errors of AddUser.
var (
	// ErrUserExists: AddUser of a name that is already a user.
	ErrUserExists = errors.New("memstore: user already exists")
	// ErrInvalidUser: AddUser of an empty name, one that is not valid
	// UTF-8, or one with control characters.
	ErrInvalidUser = errors.New("memstore: invalid user name")
	// ErrNoSuchUser: SetQuota of a name that is not a user.
	ErrNoSuchUser = errors.New("memstore: no such user")
)

// DefaultMaxQueue is the default of Options.MaxQueue.
const DefaultMaxQueue = 1024

// Defaults of the metadata limits (RFC 5464 §4.1 asks for at least 1024
// octets and 10 entries).
const (
	// DefaultMaxMetadataSize is the default of Options.MaxMetadataSize.
	DefaultMaxMetadataSize = 64 << 10
	// DefaultMaxMetadataEntries is the default of
	// Options.MaxMetadataEntries.
	DefaultMaxMetadataEntries = 100
)

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

	// Quota are the limits every user starts with (RFC 9208 §5): the Name
	// (mailstore.QuotaStorage, in units of 1024 octets, or
	// mailstore.QuotaMessage) and Limit of each; Usage is ignored. Nil
	// means no limits. Backend.SetQuota changes a user's limits; AddUser
	// fails if Quota names another resource, or one twice.
	Quota []imap.QuotaResource
	// QuotaSet lets every user change the limits of their own quota root
	// with SETQUOTA: the stores Open returns then implement
	// mailstore.QuotaSetter (capability QUOTASET, RFC 9208 §4.1.3). A
	// real server leaves SETQUOTA to administrators; this is for tests
	// and examples.
	QuotaSet bool
	// MaxMetadataSize is the longest metadata value SetMetadata accepts,
	// in octets (RFC 5464 §4.3 MAXSIZE). Zero means
	// DefaultMaxMetadataSize; negative means no limit.
	MaxMetadataSize int64
	// MaxMetadataEntries is how many metadata entries SetMetadata keeps
	// in each of: a mailbox's private entries, a mailbox's shared
	// entries, each user's private server entries, the shared server
	// entries (RFC 5464 §4.3 TOOMANY). Zero means
	// DefaultMaxMetadataEntries; negative means no limit.
	MaxMetadataEntries int
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

	// metaMu guards serverMeta, the shared server metadata entries
	// (RFC 5464 §3.2.1.1). A user's mu is taken before it.
	metaMu     sync.Mutex
	serverMeta map[string]string
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
	b := &Backend{users: make(map[string]*user), serverMeta: make(map[string]string)}
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
	limits, err := quotaLimits(b.opts.Quota)
	if err != nil {
		return fmt.Errorf("memstore: Options.Quota: %w", err)
	}
	u := &user{
		b: b, name: name, secret: password, hash: sha256.Sum256([]byte(password)),
		boxes: make(map[string]*mailbox), subs: make(map[string]bool),
		limits: limits, meta: make(map[string]string),
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
	s := &store{u: u}
	if b.opts.QuotaSet {
		return &quotaSetStore{s}, nil
	}
	return s, nil
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

	// Quota (RFC 9208): the limits by resource name, and the usage of
	// every mailbox, kept up to date by mailbox.add and mailbox.remove.
	limits   map[string]uint64
	messages int64
	octets   int64

	// meta holds the user's private server metadata entries (RFC 5464
	// §3.2.1.1).
	meta map[string]string
}
