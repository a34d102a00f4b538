package maildir

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

const (
	specialUseFile    = "mailaccess-specialuse"
	subscriptionsFile = "subscriptions" // shared with Dovecot
)

// store is one session's handle on a user's Maildir (mailstore.Store).
type store struct {
	u      *userRoot
	user   string // the name the store was opened for (the owner, for ACLs)
	closed atomic.Bool
}

var _ mailstore.Store = (*store)(nil)

func (s *store) check(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("%w: store", mailstore.ErrClosed)
	}
	return ctx.Err()
}

// Delimiter returns '.' (Maildir++).
func (s *store) Delimiter() rune { return Delimiter }

// Close releases the handle; views opened from it stay usable.
func (s *store) Close() error {
	s.closed.Store(true)
	return nil
}

// folderDirs lists the user's folder directories: disk name -> whether
// it is selectable (has cur/).
func (u *userRoot) folderDirs() (map[string]bool, error) {
	ents, err := os.ReadDir(u.dir)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	out := make(map[string]bool)
	for _, e := range ents {
		n := e.Name()
		if len(n) < 2 || n[0] != '.' || n == ".." {
			continue
		}
		if !e.IsDir() {
			if e.Type()&os.ModeSymlink == 0 || u.checkPath(n) != nil {
				continue
			}
			if fi, err := os.Stat(filepath.Join(u.dir, n)); err != nil || !fi.IsDir() {
				continue
			}
		}
		fi, err := os.Stat(filepath.Join(u.dir, n, "cur"))
		out[n] = err == nil && fi.IsDir()
	}
	return out, nil
}

// Mailboxes lists INBOX, every folder, the superior names that have no
// folder of their own (\Noselect) and subscribed names without a mailbox
// (\NonExistent, RFC 5258 §3).
func (s *store) Mailboxes(ctx context.Context) ([]mailstore.MailboxInfo, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	dirs, err := s.u.folderDirs()
	if err != nil {
		return nil, err
	}
	subs, err := s.u.readSubscriptions()
	if err != nil {
		return nil, err
	}
	infos := map[string]*mailstore.MailboxInfo{inbox: {Name: inbox}}
	for d, selectable := range dirs {
		name, ok := nameFromDisk(d)
		if !ok {
			continue
		}
		mi := &mailstore.MailboxInfo{Name: name}
		if !selectable {
			mi.Attrs = append(mi.Attrs, imap.AttrNoselect)
		} else {
			mi.Attrs = append(mi.Attrs, readSpecialUse(filepath.Join(s.u.dir, d))...)
		}
		infos[name] = mi
	}
	for name := range infos {
		for _, p := range parentNames(name) {
			if _, ok := infos[p]; !ok {
				infos[p] = &mailstore.MailboxInfo{Name: p, Attrs: []imap.MailboxAttr{imap.AttrNoselect}}
			}
		}
	}
	for _, n := range subs {
		if mi, ok := infos[n]; ok {
			mi.Subscribed = true
		} else {
			infos[n] = &mailstore.MailboxInfo{Name: n, Attrs: []imap.MailboxAttr{imap.AttrNonExistent}, Subscribed: true}
		}
	}
	out := make([]mailstore.MailboxInfo, 0, len(infos))
	for _, mi := range infos {
		out = append(out, *mi)
	}
	slices.SortFunc(out, func(a, b mailstore.MailboxInfo) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// readSpecialUse reads a folder's special-use attributes.
func readSpecialUse(dir string) []imap.MailboxAttr {
	b, err := os.ReadFile(filepath.Join(dir, specialUseFile))
	if err != nil {
		return nil
	}
	var out []imap.MailboxAttr
	for _, f := range strings.Fields(string(b)) {
		if a, err := imap.ParseMailboxAttr(f); err == nil && isSpecialUse(a) {
			out = append(out, a)
		}
	}
	return out
}

// isSpecialUse reports whether a is a special-use attribute (RFC 6154
// §2, RFC 8457).
func isSpecialUse(a imap.MailboxAttr) bool {
	switch a.Canonical() {
	case imap.AttrAll, imap.AttrArchive, imap.AttrDrafts, imap.AttrFlagged, imap.AttrJunk,
		imap.AttrSent, imap.AttrTrash, imap.AttrImportant:
		return true
	}
	return false
}

// CreateMailbox creates a folder (".Name" with cur, new, tmp, the
// maildirfolder file and an index with a new UIDVALIDITY), and the
// superior folders it lacks (RFC 3501 §6.3.3). A trailing delimiter is
// ignored. The folder is built under a temporary name and renamed into
// place, so that other processes never see it half made.
func (s *store) CreateMailbox(ctx context.Context, name string, opts *mailstore.CreateOptions) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	name = strings.TrimSuffix(name, delim)
	c, err := canonicalName(name)
	if err != nil {
		return err
	}
	if c == inbox {
		return fmt.Errorf("%w: INBOX", mailstore.ErrMailboxExists)
	}
	var special []imap.MailboxAttr
	if opts != nil {
		for _, a := range opts.SpecialUse {
			if !isSpecialUse(a) {
				return fmt.Errorf("%w: %s is not a special-use attribute", mailstore.ErrUseAttr, a)
			}
			special = append(special, a.Canonical())
		}
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	dirs, err := s.u.folderDirs()
	if err != nil {
		return err
	}
	if dirs[diskName(c)] {
		return fmt.Errorf("%w: %s", mailstore.ErrMailboxExists, c)
	}
	for _, p := range parentNames(c) {
		if p == inbox || dirs[diskName(p)] {
			continue
		}
		if err := s.u.makeFolder(ctx, p, nil, nil); err != nil && !errors.Is(err, mailstore.ErrMailboxExists) {
			return err
		}
	}
	return s.u.makeFolder(ctx, c, special, nil)
}

// makeFolder creates one folder, with the files of extra (by name) or,
// if extra is nil, those it inherits from its superior (inheritedFiles),
// written before the folder appears. Called under the tree lock.
func (u *userRoot) makeFolder(ctx context.Context, name string, special []imap.MailboxAttr, extra map[string][]byte) error {
	disk := diskName(name)
	target := u.path(disk)
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		// A directory without cur/: complete it.
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.Mkdir(filepath.Join(target, sub), 0o700); err != nil && !os.IsExist(err) {
				return err
			}
		}
		u.forget([]string{disk})
		return nil
	}
	tmp := filepath.Join(u.dir, "mailaccess-new."+randomID(8))
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.Mkdir(filepath.Join(tmp, sub), 0o700); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "maildirfolder"), nil, 0o600); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	if extra == nil {
		extra = u.inheritedFiles(name)
	}
	for n, data := range extra {
		if err := os.WriteFile(filepath.Join(tmp, n), data, 0o600); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	if len(special) > 0 {
		var b strings.Builder
		for _, a := range special {
			b.WriteString(string(a) + "\n")
		}
		if err := os.WriteFile(filepath.Join(tmp, specialUseFile), []byte(b.String()), 0o600); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
	}
	uv, err := u.nextUIDValidity(ctx)
	if err != nil {
		return err
	}
	st := newState()
	st.uidValidity, st.uidNext, st.firstRecent, st.hms = uv, 1, 1, 1
	st.mailboxID = randomID(12)
	if n, c, err := (&folder{dir: tmp}).dirTimes(); err == nil {
		st.scan = scanState{newM: n, curM: c, dirty: true, at: time.Now().UnixNano()}
	}
	if err := writeSnapshot(u.b, tmp, st); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	if err := os.Rename(tmp, target); err != nil {
		if errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
			return fmt.Errorf("%w: %s", mailstore.ErrMailboxExists, name)
		}
		return fmt.Errorf("maildir: %w", err)
	}
	ok = true
	u.forget([]string{disk})
	return u.b.syncDir(u.dir)
}

// DeleteMailbox deletes a folder with its messages (RFC 3501 §6.3.4): it
// is renamed out of the hierarchy at once and then removed. Its
// inferiors stay, so the name remains as \Noselect if it has any. A
// \Noselect name with inferiors cannot be deleted (ErrNotAllowed).
func (s *store) DeleteMailbox(ctx context.Context, name string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	c, err := canonicalName(name)
	if err != nil {
		return err
	}
	if c == inbox {
		return fmt.Errorf("%w: INBOX cannot be deleted", mailstore.ErrNotAllowed)
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	dirs, err := s.u.folderDirs()
	if err != nil {
		return err
	}
	disk := diskName(c)
	selectable, exists := dirs[disk]
	hasChildren := false
	for d := range dirs {
		if strings.HasPrefix(d, disk+delim) {
			hasChildren = true
		}
	}
	switch {
	case !exists && hasChildren, exists && !selectable && hasChildren:
		return fmt.Errorf("%w: %s is \\Noselect and has inferiors", mailstore.ErrNotAllowed, c)
	case !exists:
		return fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, c)
	}
	if err := s.u.checkPath(disk); err != nil {
		return err
	}
	trash := filepath.Join(s.u.dir, "mailaccess-deleted."+randomID(8))
	if err := os.Rename(s.u.path(disk), trash); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	s.u.b.syncDir(s.u.dir)
	bumpCounter(trash) // the other processes' views see it gone
	s.u.forget([]string{disk})
	os.RemoveAll(trash)
	return nil
}

// RenameMailbox renames a folder and its inferiors (RFC 3501 §6.3.5);
// they keep their UIDVALIDITY (the index moves with the folder). Views of
// them are closed. Renaming INBOX moves its messages to a new folder.
func (s *store) RenameMailbox(ctx context.Context, from, to string) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	cf, err := canonicalName(from)
	if err != nil {
		return err
	}
	ct, err := canonicalName(to)
	if err != nil {
		return err
	}
	if ct == inbox {
		return fmt.Errorf("%w: INBOX", mailstore.ErrMailboxExists)
	}
	if cf == ct || isInferior(ct, cf) {
		return fmt.Errorf("%w: cannot rename %s to %s", mailstore.ErrNotAllowed, cf, ct)
	}
	if cf == inbox {
		return s.renameInbox(ctx, ct)
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	dirs, err := s.u.folderDirs()
	if err != nil {
		return err
	}
	df, dt := diskName(cf), diskName(ct)
	var moves [][2]string
	for d := range dirs {
		if d == df || strings.HasPrefix(d, df+delim) {
			nd := dt + d[len(df):]
			if len(nd) > maxDiskName {
				return fmt.Errorf("%w: %s is too long", mailstore.ErrInvalidName, nd)
			}
			moves = append(moves, [2]string{d, nd})
		}
	}
	if len(moves) == 0 {
		return fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, cf)
	}
	for _, m := range moves {
		if _, ok := dirs[m[1]]; ok {
			return fmt.Errorf("%w: %s", mailstore.ErrMailboxExists, ct)
		}
		if err := s.u.checkPath(m[0]); err != nil {
			return err
		}
	}
	for _, p := range parentNames(ct) {
		if p == inbox || dirs[diskName(p)] || isInferior(p, cf) || p == cf {
			continue
		}
		if err := s.u.makeFolder(ctx, p, nil, nil); err != nil && !errors.Is(err, mailstore.ErrMailboxExists) {
			return err
		}
	}
	slices.SortFunc(moves, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	var done []string
	for _, m := range moves {
		// rename(2) would replace an empty directory: make sure the
		// target does not exist.
		if _, err := os.Lstat(s.u.path(m[1])); err == nil {
			return fmt.Errorf("%w: %s", mailstore.ErrMailboxExists, ct)
		}
		if err := os.Rename(s.u.path(m[0]), s.u.path(m[1])); err != nil {
			s.u.forget(done)
			return fmt.Errorf("maildir: %w", err)
		}
		done = append(done, m[0], m[1])
		bumpCounter(s.u.path(m[1])) // the other processes' views see it gone
	}
	s.u.forget(done)
	return s.u.b.syncDir(s.u.dir)
}

// renameInbox creates the target folder and moves every message of INBOX
// into it (RFC 3501 §6.3.5); INBOX keeps its UIDVALIDITY.
func (s *store) renameInbox(ctx context.Context, to string) error {
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	dirs, err := s.u.folderDirs()
	if err == nil {
		if _, ok := dirs[diskName(to)]; ok {
			err = fmt.Errorf("%w: %s", mailstore.ErrMailboxExists, to)
		}
	}
	if err == nil {
		for _, p := range parentNames(to) {
			if p != inbox && !dirs[diskName(p)] {
				if e := s.u.makeFolder(ctx, p, nil, nil); e != nil && !errors.Is(e, mailstore.ErrMailboxExists) {
					err = e
					break
				}
			}
		}
	}
	if err == nil {
		// The new folder keeps INBOX's ACL and metadata, which INBOX
		// keeps too (RFC 4314 §4, RFC 5464 §4.1).
		err = s.u.makeFolder(ctx, to, nil, s.u.inboxFiles())
	}
	tl.Close()
	if err != nil {
		return err
	}
	src, err := s.u.folder(ctx, "")
	if err != nil {
		return err
	}
	defer s.u.release(src)
	dst, err := s.u.folder(ctx, diskName(to))
	if err != nil {
		return err
	}
	defer s.u.release(dst)
	_, err = transfer(ctx, src, dst, nil, nil, true)
	return err
}

// SetSubscribed adds a name to the subscription list or removes it. The
// list is Dovecot's "subscriptions" file in the user's root (version 2
// format), so both servers share it.
func (s *store) SetSubscribed(ctx context.Context, name string, subscribed bool) error {
	if err := s.check(ctx); err != nil {
		return err
	}
	c, err := canonicalName(name)
	if err != nil {
		return err
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	subs, err := s.u.readSubscriptions()
	if err != nil {
		return err
	}
	has := slices.Contains(subs, c)
	if has == subscribed {
		return nil
	}
	if subscribed {
		subs = append(subs, c)
	} else {
		subs = slices.DeleteFunc(subs, func(n string) bool { return n == c })
	}
	return s.u.writeSubscriptions(subs)
}

// readSubscriptions reads Dovecot's subscriptions file: version 2 (a
// "V\t2" header, levels separated by tabs and tab-escaped) or version 1
// (one name per line); names in modified UTF-7, as Dovecot writes them
// (a name that does not decode is taken as it is).
func (u *userRoot) readSubscriptions() ([]string, error) {
	f, err := os.Open(filepath.Join(u.dir, subscriptionsFile))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("maildir: %w", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 4096), 64<<10)
	v2 := false
	first := true
	for sc.Scan() {
		line := sc.Text()
		if first {
			first = false
			if line == "V\t2" {
				v2 = true
				continue
			}
		}
		if line == "" {
			continue
		}
		name := line
		if v2 {
			levels := strings.Split(line, "\t")
			for i, l := range levels {
				levels[i] = tabUnescape(l)
			}
			name = strings.Join(levels, delim)
		}
		if d, err := imap.DecodeMailboxUTF7(name); err == nil {
			name = d
		}
		if c, err := canonicalName(name); err == nil && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, sc.Err()
}

// writeSubscriptions replaces the subscriptions file (version 2, names
// in modified UTF-7, as Dovecot 2.3 writes it).
func (u *userRoot) writeSubscriptions(subs []string) error {
	var b strings.Builder
	b.WriteString("V\t2\n\n")
	for _, n := range subs {
		levels := strings.Split(n, delim)
		for i, l := range levels {
			levels[i] = tabEscape(imap.EncodeMailboxUTF7(l))
		}
		b.WriteString(strings.Join(levels, "\t"))
		b.WriteByte('\n')
	}
	tmp := filepath.Join(u.dir, "mailaccess-subscriptions.tmp."+randomID(6))
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("maildir: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(u.dir, subscriptionsFile)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("maildir: %w", err)
	}
	return nil
}

// tabEscape and tabUnescape are Dovecot's str_tabescape: \001 escapes
// \001, \t, \r and \n as \0011, \001t, \001r, \001n.
func tabEscape(s string) string {
	if !strings.ContainsAny(s, "\x01\t\r\n") {
		return s
	}
	return strings.NewReplacer("\x01", "\x011", "\t", "\x01t", "\r", "\x01r", "\n", "\x01n").Replace(s)
}

func tabUnescape(s string) string {
	if !strings.Contains(s, "\x01") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != 1 || i+1 == len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case '1':
			b.WriteByte(1)
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'n':
			b.WriteByte('\n')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// openFolder resolves a mailbox name to its loaded folder.
func (s *store) openFolder(ctx context.Context, name string) (*folder, string, error) {
	if err := s.check(ctx); err != nil {
		return nil, "", err
	}
	c, err := canonicalName(name)
	if err != nil {
		return nil, "", err
	}
	f, err := s.u.folder(ctx, diskName(c))
	if err != nil {
		if errors.Is(err, mailstore.ErrClosed) {
			err = fmt.Errorf("%w: %s", mailstore.ErrNoSuchMailbox, c)
		}
		if errors.Is(err, mailstore.ErrNoSuchMailbox) && s.u.hasInferiors(diskName(c)) {
			err = fmt.Errorf("%w: %s is \\Noselect", mailstore.ErrNotAllowed, c)
		}
		return nil, "", err
	}
	return f, c, nil
}

// hasInferiors reports whether a folder directory has inferiors (so that
// its name exists, as \Noselect, even without a folder of its own).
func (u *userRoot) hasInferiors(disk string) bool {
	dirs, err := u.folderDirs()
	if err != nil {
		return false
	}
	for d := range dirs {
		if strings.HasPrefix(d, disk+delim) {
			return true
		}
	}
	return false
}

// Status returns a mailbox's counts (RFC 3501 §6.3.10, RFC 9051
// §6.3.11).
func (s *store) Status(ctx context.Context, name string) (*mailstore.MailboxStatus, error) {
	f, _, err := s.openFolder(ctx, name)
	if err != nil {
		return nil, err
	}
	defer s.u.release(f)
	if err := f.lock(ctx); err != nil {
		return nil, err
	}
	defer f.unlock()
	if err := f.refresh(ctx); err != nil {
		return nil, err
	}
	st := f.st
	ms := &mailstore.MailboxStatus{
		Messages:      uint32(len(st.msgs)),
		UIDNext:       st.uidNext,
		UIDValidity:   st.uidValidity,
		HighestModSeq: st.hms,
		MailboxID:     st.mailboxID,
	}
	for i := range st.msgs {
		m := &st.msgs[i]
		if m.std&stdSeen == 0 {
			ms.Unseen++
		}
		if m.std&stdDeleted != 0 {
			ms.Deleted++
		}
		if m.uid >= st.firstRecent {
			ms.Recent++
		}
		ms.Size += m.size
	}
	return ms, nil
}

// Append stores a message (RFC 3501 §6.3.11): it streams r into a file
// in tmp/ while parsing its structure, fsyncs it, and then, under the
// folder's lock, renames it into cur/, fsyncs the directory and records
// it in the index (fsync'd) with the next UID. Memory stays bounded
// whatever the message's size.
func (s *store) Append(ctx context.Context, name string, r io.Reader, opts *mailstore.AppendOptions) (*mailstore.AppendResult, error) {
	f, _, err := s.openFolder(ctx, name)
	if err != nil {
		return nil, err
	}
	defer s.u.release(f)
	var flags []imap.Flag
	date := time.Now()
	if opts != nil {
		flags = opts.Flags
		if !opts.InternalDate.IsZero() {
			date = opts.InternalDate
		}
	}
	std, kws, err := splitFlags(flags)
	if err != nil {
		return nil, err
	}
	t, err := s.u.b.writeTemp(ctx, f.dir, r, date)
	if err != nil {
		return nil, err
	}
	defer t.remove()
	// The quota is checked once the size is known and before the file
	// leaves tmp/: a refused message leaves nothing behind.
	if err := s.u.quotaCheck(ctx, 1, t.size); err != nil {
		return nil, err
	}

	if err := f.lock(ctx); err != nil {
		return nil, err
	}
	defer f.unlock()
	var res mailstore.AppendResult
	err = f.exclusive(ctx, nil, func(b *batch) error {
		var kw []uint16
		for _, k := range kws {
			i, err := b.keyword(k)
			if err != nil {
				return err
			}
			kw = append(kw, i)
		}
		m := message{uid: f.st.uidNext, std: std, kw: kwString(kw), date: date.UnixNano(), size: t.size, base: t.base + ",S=" + itoa64(t.size)}
		m.info = f.infoFor(b, m.std, m.kw, "")
		if off, l, err := f.cacheAppend(m.uid, t.blob); err == nil {
			m.cacheOff, m.cacheLen = off, l
		}
		if err := os.Rename(t.path, filepath.Join(f.dir, "cur", m.base+m.info)); err != nil {
			return fmt.Errorf("maildir: %w", err)
		}
		t.path = ""
		b.touched = true
		if err := f.u.b.syncDir(filepath.Join(f.dir, "cur")); err != nil {
			return err
		}
		m.modseq = b.modseq()
		b.add(&record{typ: recAdd, modseq: m.modseq, add: []message{m}})
		res = mailstore.AppendResult{UIDValidity: f.st.uidValidity, UID: m.uid}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// tempFile is a message written to tmp/.
type tempFile struct {
	path string
	base string
	size int64
	blob []byte // the structure's binary form
}

func (t *tempFile) remove() {
	if t.path != "" {
		os.Remove(t.path)
	}
}

// writeTemp streams r into a new file in dir/tmp, parsing it on the way,
// fsyncs it and sets its modification time to date (Dovecot's internal
// date).
func (b *Backend) writeTemp(ctx context.Context, dir string, r io.Reader, date time.Time) (*tempFile, error) {
	base := b.namer.next(time.Now())
	path := filepath.Join(dir, "tmp", base)
	file, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	t := &tempFile{path: path, base: base}
	fail := func(err error) (*tempFile, error) {
		file.Close()
		os.Remove(path)
		return nil, err
	}
	w := bufio.NewWriterSize(file, 64<<10)
	cw := &countWriter{w: w, limit: b.opts.MaxMessageSize}
	tee := io.TeeReader(r, cw)
	st, err := mime.ParseContext(ctx, tee, nil)
	if err != nil {
		if cw.err != nil {
			err = cw.err
		}
		return fail(err)
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		if cw.err != nil {
			err = cw.err
		}
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(fmt.Errorf("maildir: %w", err))
	}
	if err := b.syncFile(file); err != nil {
		return fail(fmt.Errorf("maildir: %w", err))
	}
	if err := file.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("maildir: %w", err)
	}
	os.Chtimes(path, date, date)
	t.size = cw.n
	t.blob, _ = st.MarshalBinary()
	return t, nil
}

// countWriter counts what it writes and fails beyond a limit.
type countWriter struct {
	w     io.Writer
	n     int64
	limit int64
	err   error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	c.n += int64(len(p))
	if c.limit > 0 && c.n > c.limit {
		c.err = fmt.Errorf("%w: over %d octets", mailstore.ErrTooBig, c.limit)
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = fmt.Errorf("maildir: %w", err)
	}
	return n, c.err
}

func itoa64(n int64) string { return fmt.Sprint(n) }

// splitFlags checks flags and splits them into std bits and keywords.
// \Recent is ignored; \*, other flag-extensions and malformed keywords
// give mailstore.ErrInvalidFlag.
func splitFlags(flags []imap.Flag) (uint8, []string, error) {
	var std uint8
	var kws []string
	for _, f := range flags {
		c := f.Canonical()
		if c == imap.FlagRecent {
			continue
		}
		if bit := stdBit(c); bit != 0 {
			std |= bit
			continue
		}
		if c.IsSystem() {
			return 0, nil, fmt.Errorf("%w: flag %q cannot be stored", mailstore.ErrInvalidFlag, string(f))
		}
		if _, err := imap.NewKeyword(string(c)); err != nil {
			return 0, nil, fmt.Errorf("%w: invalid keyword %q", mailstore.ErrInvalidFlag, string(f))
		}
		if !slices.ContainsFunc(kws, func(k string) bool { return strings.EqualFold(k, string(c)) }) {
			kws = append(kws, string(c))
		}
	}
	return std, kws, nil
}

// OpenMailbox opens a view of a mailbox (SELECT, EXAMINE).
func (s *store) OpenMailbox(ctx context.Context, name string, opts *mailstore.OpenOptions) (mailstore.Mailbox, error) {
	f, c, err := s.openFolder(ctx, name)
	if err != nil {
		return nil, err
	}
	ro := opts != nil && opts.ReadOnly
	v, err := openView(ctx, f, c, ro)
	if err != nil {
		s.u.release(f)
		return nil, err
	}
	return v, nil
}
