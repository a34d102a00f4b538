package maildir

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Quota (RFC 9208), as Dovecot's "count" quota backend keeps it: every
// user has one quota root, "" (the root of RFC 9208 §4.2.2's example "*
// QUOTAROOT INBOX """), covering all the user's folders. Its usage is
// counted from the folders' indexes, never by listing message files:
// STORAGE is the sum of the messages' RFC822.SIZE in KiB, rounded up,
// MESSAGE their number.
//
// Limits come from Options.Quota, for every user, or, once SetQuota (of
// the Store, with Options.QuotaSet, or of the Backend) has been used for
// a user, from the file "mailaccess-quota" in the user's directory,
// which then replaces Options.Quota for that user. Its format is one
// line per limited resource, "NAME LIMIT" (the resource name in upper
// case, the limit in decimal: KiB for STORAGE), after a first line
// "mailaccess-quota 1"; a file with no resource line means "no limits".
// It is written to a temporary file, fsync'd and renamed over the old
// one, and the directory fsync'd.

const (
	quotaRoot      = ""
	quotaFile      = "mailaccess-quota"
	quotaFileMagic = "mailaccess-quota 1"
)

// quotaResources are the resources this store counts, in the order
// Quota reports them.
var quotaResources = []string{mailstore.QuotaStorage, mailstore.QuotaMessage}

var (
	_ mailstore.QuotaStore  = (*store)(nil)
	_ mailstore.QuotaSetter = (*quotaSetStore)(nil)
)

// quotaLimits checks limits and returns them by resource name.
func quotaLimits(limits []imap.QuotaResource) (map[string]uint64, error) {
	return mailstore.QuotaLimits("maildir", limits)
}

// limits returns the user's limits in force: the quota file's if there
// is one, else Options.Quota.
func (u *userRoot) limits() (map[string]uint64, error) {
	data, err := os.ReadFile(filepath.Join(u.dir, quotaFile))
	if errors.Is(err, os.ErrNotExist) {
		m, err := quotaLimits(u.b.opts.Quota)
		if err != nil {
			return nil, fmt.Errorf("maildir: Options.Quota: %w", err)
		}
		return m, nil
	}
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	return parseQuotaFile(data)
}

// parseQuotaFile reads the quota file's limits.
func parseQuotaFile(data []byte) (map[string]uint64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	m := make(map[string]uint64)
	first := true
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if first {
			if line != quotaFileMagic {
				return nil, fmt.Errorf("maildir: %s: unknown format %q", quotaFile, line)
			}
			first = false
			continue
		}
		if line == "" {
			continue
		}
		name, val, ok := strings.Cut(line, " ")
		n, err := strconv.ParseUint(strings.TrimSpace(val), 10, 64)
		if !ok || err != nil || (name != mailstore.QuotaStorage && name != mailstore.QuotaMessage) {
			return nil, fmt.Errorf("maildir: %s: bad line %q", quotaFile, line)
		}
		m[name] = n
	}
	if first {
		return nil, fmt.Errorf("maildir: %s is empty", quotaFile)
	}
	return m, nil
}

// writeQuotaFile replaces the user's quota file crash-safely.
func (u *userRoot) writeQuotaFile(m map[string]uint64) error {
	var b strings.Builder
	b.WriteString(quotaFileMagic + "\n")
	for _, name := range quotaResources {
		if l, ok := m[name]; ok {
			fmt.Fprintf(&b, "%s %d\n", name, l)
		}
	}
	return u.b.writeFileAtomic(filepath.Join(u.dir, quotaFile), []byte(b.String()))
}

// writeFileAtomic replaces path with data: a temporary file beside it,
// fsync'd, renamed over it, and the directory fsync'd, so that a crash
// leaves either the old content or the new one.
func (b *Backend) writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, "mailaccess-tmp."+filepath.Base(path)+"."+randomID(6))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = b.syncFile(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("maildir: %w", err)
	}
	if err := b.syncDir(dir); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

// usageTotals returns the number and total size of the messages of a
// loaded folder, from its index, recomputed only when the index state
// changed since the last call. Locked.
func (f *folder) usageTotals() (n, octets int64) {
	st := f.st
	if f.usage.st != st || f.usage.hms != st.hms || f.usage.n != int64(len(st.msgs)) || f.usage.uidNext != st.uidNext {
		var sum int64
		for i := range st.msgs {
			sum += st.msgs[i].size
		}
		f.usage = folderUsage{st: st, hms: st.hms, uidNext: st.uidNext, n: int64(len(st.msgs)), octets: sum}
	}
	return f.usage.n, f.usage.octets
}

// folderUsage caches a folder's totals for the quota (see usageTotals).
type folderUsage struct {
	st      *state
	hms     uint64
	uidNext uint32
	n       int64
	octets  int64
}

// usage returns the number and total size of the messages of all the
// user's folders, from their indexes (each brought up to date with what
// other sessions and processes recorded). No folder lock may be held.
func (u *userRoot) usage(ctx context.Context) (n, octets int64, err error) {
	dirs, err := u.folderDirs()
	if err != nil {
		return 0, 0, err
	}
	disks := []string{""}
	for d, selectable := range dirs {
		if _, ok := nameFromDisk(d); ok && selectable {
			disks = append(disks, d)
		}
	}
	for _, d := range disks {
		f, err := u.folder(ctx, d)
		if err != nil {
			if errors.Is(err, mailstore.ErrNoSuchMailbox) || errors.Is(err, mailstore.ErrClosed) {
				continue // deleted meanwhile
			}
			return 0, 0, err
		}
		if err := f.lock(ctx); err != nil {
			u.release(f)
			return 0, 0, err
		}
		err = f.refresh(ctx)
		if err == nil {
			fn, fo := f.usageTotals()
			n += fn
			octets += fo
		}
		f.unlock()
		u.release(f)
		if err != nil && !errors.Is(err, mailstore.ErrClosed) {
			return 0, 0, err
		}
	}
	return n, octets, nil
}

// quotaCheck returns mailstore.ErrQuota if adding n messages of the given
// octets would take a resource above its limit. A change that does not
// raise a resource's usage passes for it. It takes no folder lock for
// the whole operation: concurrent additions may overshoot a limit by
// what they add together, as with Dovecot's count backend.
func (u *userRoot) quotaCheck(ctx context.Context, n, octets int64) error {
	limits, err := u.limits()
	if err != nil {
		return err
	}
	if len(limits) == 0 || (n <= 0 && octets <= 0) {
		return nil
	}
	un, uo, err := u.usage(ctx)
	if err != nil {
		return err
	}
	return mailstore.CheckQuota(limits, un, uo, n, octets)
}

// QuotaResources returns STORAGE and MESSAGE.
func (s *store) QuotaResources() []string { return append([]string(nil), quotaResources...) }

// QuotaRoots returns the user's one quota root, "", for every valid
// mailbox name, whether the mailbox exists or not (RFC 9208 §4.1.2).
func (s *store) QuotaRoots(ctx context.Context, mailbox string) ([]string, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if _, err := canonicalName(mailbox); err != nil {
		return nil, err
	}
	return []string{quotaRoot}, nil
}

// Quota returns the usage and limit of each limited resource of the
// user's root "" (RFC 9208 §4.1.1); another root gives
// mailstore.ErrNoSuchQuotaRoot.
func (s *store) Quota(ctx context.Context, root string) ([]imap.QuotaResource, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if root != quotaRoot {
		return nil, fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
	}
	limits, err := s.u.limits()
	if err != nil {
		return nil, err
	}
	if len(limits) == 0 {
		return []imap.QuotaResource{}, nil
	}
	n, octets, err := s.u.usage(ctx)
	if err != nil {
		return nil, err
	}
	return mailstore.QuotaReport(quotaResources, limits, n, octets), nil
}

// quotaSetStore is the Store of a Backend with Options.QuotaSet: a store
// that also implements mailstore.QuotaSetter.
type quotaSetStore struct{ *store }

// SetQuota replaces the limits of the user's root "" (RFC 9208 §4.1.3)
// in the user's quota file. Resources other than STORAGE and MESSAGE, or
// one named twice, give mailstore.ErrNotAllowed; another root
// mailstore.ErrNoSuchQuotaRoot.
func (s *quotaSetStore) SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	if root != quotaRoot {
		return fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
	}
	m, err := quotaLimits(limits)
	if err != nil {
		return err
	}
	return s.u.writeQuotaFile(m)
}

// SetQuota replaces a user's quota limits, as SETQUOTA does (RFC 9208
// §4.1.3), in the quota file of the user's Maildir, which from then on
// replaces Options.Quota for that user: the Name (mailstore.QuotaStorage,
// in KiB, or mailstore.QuotaMessage) and Limit of each resource; a
// resource left out is no longer limited. It is for the program that
// embeds the Backend, whatever Options.QuotaSet says. Another resource,
// or one named twice, gives mailstore.ErrNotAllowed. Lowering a limit
// below the usage deletes nothing: it refuses further additions.
func (b *Backend) SetQuota(ctx context.Context, user string, limits []imap.QuotaResource) error {
	m, err := quotaLimits(limits)
	if err != nil {
		return err
	}
	st, err := b.Open(ctx, user)
	if err != nil {
		return err
	}
	defer st.Close()
	return storeOf(st).u.writeQuotaFile(m)
}

// storeOf returns the *store behind a Store this package returned.
func storeOf(st mailstore.Store) *store {
	if q, ok := st.(*quotaSetStore); ok {
		return q.store
	}
	return st.(*store)
}
