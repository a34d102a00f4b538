package maildir

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Options configure a Backend. The zero value is usable.
type Options struct {
	// UserDir maps a user name to the directory of the user's Maildir.
	// The default is root/<user>, refusing user names that are empty,
	// begin with ".", or hold "/", "\" or control characters.
	UserDir func(user string) (string, error)

	// NoCreate makes Open fail for a user whose Maildir does not exist,
	// instead of creating it.
	NoCreate bool

	// NoSync skips every fsync. Only for tests and benchmarks: a crash
	// of the machine (not of the process) may then lose or corrupt mail.
	NoSync bool

	// WatchInterval is how often an open mailbox whose view has handed
	// out its Updated channel checks the disk for changes made by other
	// processes. The default is one second; a negative value turns the
	// watcher off (Poll still sees every change).
	WatchInterval time.Duration

	// MaxMessageSize is the largest message Append accepts
	// (mailstore.ErrTooBig beyond it); 0 means no limit.
	MaxMessageSize int64

	// MaxQueue is how many changes a view queues before it is
	// resynchronised by comparing states at its next Poll; 0 means 4096.
	MaxQueue int

	// MaxTombstones is how many expunged UIDs a mailbox remembers for
	// ExpungedSince; 0 means 100000.
	MaxTombstones int

	// Hostname is the host part of new file names; the default is
	// os.Hostname.
	Hostname string

	// CompactAfter is how large (in octets) the records appended to a
	// folder's index after its snapshot may grow, beyond the snapshot's
	// own size, before the index is compacted into a new snapshot (and
	// the structure cache rewritten, if more than half of it is dead);
	// 0 means 1 MiB.
	CompactAfter int64

	// IdleFolders is how many folders (of all users) no view has open
	// stay loaded, so that STATUS and APPEND do not read their index each
	// time; 0 means 64.
	IdleFolders int

	// Quota are the quota limits of every user (RFC 9208; see quota.go):
	// the Name (mailstore.QuotaStorage, in units of 1024 octets, or
	// mailstore.QuotaMessage) and Limit of each limited resource. A user
	// whose limits were set with SetQuota has them in a file of the
	// Maildir instead.
	Quota []imap.QuotaResource

	// QuotaSet makes the Stores implement mailstore.QuotaSetter, so that
	// users may change their own limits (SETQUOTA).
	QuotaSet bool

	// MaxMetadataSize is the longest metadata value (RFC 5464)
	// SetMetadata accepts, in octets; 0 means DefaultMaxMetadataSize;
	// negative means no limit.
	MaxMetadataSize int64
	// MaxMetadataEntries is how many metadata entries SetMetadata keeps
	// in each scope (/private, /shared) of a mailbox and of the server;
	// 0 means DefaultMaxMetadataEntries; negative means no limit.
	MaxMetadataEntries int
	// MetadataDir is the directory of the file of the shared server
	// metadata entries (see metadata.go); the default is the root given
	// to New.
	MetadataDir string
}

// Backend serves the Maildirs of many users, one directory per user (see
// Options.UserDir). It implements mailstore.Backend; authentication is
// separate (see Users). Several Backends, in one process or in several,
// may serve the same directories at once.
type Backend struct {
	root  string
	opts  Options
	namer *namer

	mu    sync.Mutex
	users map[string]*userRoot // by directory
	idle  []*folder            // loaded folders without references, oldest first
}

// New returns a Backend serving the Maildirs under root (created if
// missing when opts.UserDir is nil).
func New(root string, opts *Options) (*Backend, error) {
	b := &Backend{users: make(map[string]*userRoot)}
	if opts != nil {
		b.opts = *opts
	}
	if b.opts.WatchInterval == 0 {
		b.opts.WatchInterval = time.Second
	}
	if b.opts.MaxQueue <= 0 {
		b.opts.MaxQueue = 4096
	}
	if b.opts.MaxTombstones <= 0 {
		b.opts.MaxTombstones = 100000
	}
	if b.opts.CompactAfter <= 0 {
		b.opts.CompactAfter = 1 << 20
	}
	if b.opts.IdleFolders <= 0 {
		b.opts.IdleFolders = 64
	}
	if _, err := quotaLimits(b.opts.Quota); err != nil {
		return nil, fmt.Errorf("maildir: Options.Quota: %w", err)
	}
	b.namer = newNamer(b.opts.Hostname)
	if root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("maildir: %w", err)
		}
		b.root = abs
		if b.opts.UserDir == nil {
			if err := os.MkdirAll(abs, 0o700); err != nil {
				return nil, fmt.Errorf("maildir: %w", err)
			}
		}
	} else if b.opts.UserDir == nil {
		return nil, errors.New("maildir: New needs a root or Options.UserDir")
	}
	return b, nil
}

// Open returns a Store of the user's Maildir (mailstore.Backend). The
// Maildir (cur, new and tmp) is created if missing, unless
// Options.NoCreate is set.
func (b *Backend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var dir string
	if b.opts.UserDir != nil {
		d, err := b.opts.UserDir(user)
		if err != nil {
			return nil, err
		}
		dir = d
	} else {
		if err := validUser(user); err != nil {
			return nil, err
		}
		dir = filepath.Join(b.root, user)
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	if b.opts.UserDir == nil && !within(b.root, dir) {
		return nil, fmt.Errorf("%w: user directory outside the root", mailstore.ErrAuthFailed)
	}
	if _, err := os.Stat(filepath.Join(dir, "cur")); err != nil {
		if !os.IsNotExist(err) {
			return nil, fmt.Errorf("maildir: %w", err)
		}
		if b.opts.NoCreate {
			return nil, fmt.Errorf("%w: no Maildir for user %q", mailstore.ErrAuthFailed, user)
		}
		for _, sub := range []string{"", "cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
				return nil, fmt.Errorf("maildir: %w", err)
			}
		}
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	b.mu.Lock()
	u := b.users[dir]
	if u == nil {
		u = &userRoot{b: b, dir: dir, real: real, folders: make(map[string]*folder)}
		b.users[dir] = u
	}
	b.mu.Unlock()
	st := &store{u: u, user: user}
	if b.opts.QuotaSet {
		return &quotaSetStore{st}, nil
	}
	return st, nil
}

// userRoot is one user's Maildir as the Backend shares it between the
// user's Store handles.
type userRoot struct {
	b    *Backend
	dir  string // absolute
	real string // dir with symbolic links resolved

	mu      sync.Mutex
	folders map[string]*folder // loaded folders by disk name
}

// path returns the directory of a disk name.
func (u *userRoot) path(disk string) string {
	if disk == "" {
		return u.dir
	}
	return filepath.Join(u.dir, disk)
}

// checkPath makes sure a folder directory resolves to a place under the
// user's root, so that a symbolic link cannot lead a mailbox name
// elsewhere.
func (u *userRoot) checkPath(disk string) error {
	if disk == "" {
		return nil
	}
	p := u.path(disk)
	if filepath.Dir(p) != u.dir {
		return fmt.Errorf("%w: %q", mailstore.ErrInvalidName, disk)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if os.IsNotExist(err) {
			return fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, disk)
		}
		return err
	}
	if !within(u.real, real) || real == u.real {
		return fmt.Errorf("%w: %q leads outside the Maildir", mailstore.ErrInvalidName, disk)
	}
	return nil
}

// folder returns the loaded folder of a disk name with a reference taken;
// release it with u.release. ErrNoSuchMailbox if it has no cur/.
func (u *userRoot) folder(ctx context.Context, disk string) (*folder, error) {
	u.mu.Lock()
	f := u.folders[disk]
	if f != nil && f.gone.Load() {
		// Deleted or renamed away by another process: its views keep the
		// old object; a folder of that name now is a new one.
		delete(u.folders, disk)
		if f.refs == 0 {
			go f.close()
		}
		f = nil
	}
	if f == nil {
		u.mu.Unlock()
		if err := u.checkPath(disk); err != nil {
			return nil, err
		}
		u.mu.Lock()
		if f = u.folders[disk]; f == nil {
			f = newFolder(u, disk)
			u.folders[disk] = f
		}
	}
	f.refs++
	u.mu.Unlock()
	if err := f.lock(ctx); err != nil {
		u.release(f)
		return nil, err
	}
	err := f.ensureLoaded(ctx)
	f.unlock()
	if err != nil {
		u.release(f)
		return nil, err
	}
	return f, nil
}

// release drops a reference to f; a folder without references stays
// loaded among the Backend's idle ones until there are too many.
func (u *userRoot) release(f *folder) {
	u.mu.Lock()
	f.refs--
	idle, drop := false, false
	if f.refs == 0 {
		if f.gone.Load() || !f.loaded.Load() {
			if u.folders[f.disk] == f {
				delete(u.folders, f.disk)
			}
			drop = true
		} else {
			idle = true
		}
	}
	u.mu.Unlock()
	if drop {
		f.close()
	}
	if idle {
		u.b.addIdle(f)
	}
}

// addIdle puts f at the end of the Backend's idle folders and closes the
// oldest ones beyond Options.IdleFolders (across all users, so that the
// open files stay bounded however many users there are).
func (b *Backend) addIdle(f *folder) {
	b.mu.Lock()
	b.idle = slices.DeleteFunc(b.idle, func(g *folder) bool { return g == f })
	b.idle = append(b.idle, f)
	var evict []*folder
	if n := len(b.idle) - b.opts.IdleFolders; n > 0 {
		evict = slices.Clone(b.idle[:n])
		b.idle = slices.Delete(b.idle, 0, n)
	}
	b.mu.Unlock()
	for _, g := range evict {
		g.u.mu.Lock()
		closeIt := g.refs == 0 && g.u.folders[g.disk] == g
		if closeIt {
			delete(g.u.folders, g.disk)
		}
		g.u.mu.Unlock()
		if closeIt {
			g.close()
		}
	}
}

// forget marks the loaded folders of the given disk names gone (deleted
// or renamed): their views' calls give mailstore.ErrClosed.
func (u *userRoot) forget(disks []string) {
	u.mu.Lock()
	var fs []*folder
	for _, d := range disks {
		if f := u.folders[d]; f != nil {
			delete(u.folders, d)
			fs = append(fs, f)
			if f.refs == 0 {
				defer f.close()
			}
		}
	}
	u.mu.Unlock()
	for _, f := range fs {
		f.markGone()
	}
}

// treeLock takes the user's lock on the folder hierarchy (create, delete,
// rename, subscriptions), shared by every process.
func (u *userRoot) treeLock(ctx context.Context) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(u.dir, "mailaccess-tree.lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := flock(ctx, f, syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// nextUIDValidity returns a new UIDVALIDITY for a folder of the user:
// the current time in seconds (as Dovecot does), but always above every
// value handed out before, so that a mailbox deleted and created again
// within a second gets a new one (RFC 3501 §2.3.1.1).
func (u *userRoot) nextUIDValidity(ctx context.Context) (uint32, error) {
	f, err := os.OpenFile(filepath.Join(u.dir, "mailaccess-uidvalidity"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if err := flock(ctx, f, syscall.LOCK_EX); err != nil {
		return 0, err
	}
	var buf [32]byte
	n, _ := f.ReadAt(buf[:], 0)
	next, _ := strconv.ParseUint(strings.TrimSpace(string(buf[:n])), 10, 32)
	v := uint32(max(uint64(time.Now().Unix()), next, 1))
	if v == 1<<32-1 {
		v = 1
	}
	s := strconv.FormatUint(uint64(v)+1, 10) + "\n"
	if err := f.Truncate(0); err != nil {
		return 0, err
	}
	if _, err := f.WriteAt([]byte(s), 0); err != nil {
		return 0, err
	}
	if !u.b.opts.NoSync {
		if err := f.Sync(); err != nil {
			return 0, err
		}
	}
	return v, nil
}

// randomID returns n random octets in hex.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// flock takes a flock(2) lock on f, waiting until ctx is done. The lock
// belongs to the open file, so two Backends of one process exclude each
// other as two processes do.
func flock(ctx context.Context, f *os.File, how int) error {
	delay := 200 * time.Microsecond
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if err != syscall.EWOULDBLOCK && err != syscall.EINTR {
			return fmt.Errorf("maildir: lock %s: %w", f.Name(), err)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		delay = min(delay*2, 20*time.Millisecond)
	}
}

// funlock releases a flock(2) lock.
func funlock(f *os.File) {
	syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}

// syncDir fsyncs a directory, so that a rename or a new file in it is
// durable.
func (b *Backend) syncDir(dir string) error {
	if b.opts.NoSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	return err
}

// syncFile fsyncs a file unless NoSync.
func (b *Backend) syncFile(f *os.File) error {
	if b.opts.NoSync {
		return nil
	}
	return f.Sync()
}
