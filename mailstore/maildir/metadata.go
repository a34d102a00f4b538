package maildir

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Metadata (RFC 5464). Dovecot keeps annotations in a dict
// (mail_attribute_dict) whose format depends on its configuration, so
// this store keeps its own files:
//
//   - "mailaccess-metadata" in each mailbox directory (the user's root
//     for INBOX): the mailbox's /private (the owner's) and /shared
//     entries. It moves with its folder on RENAME and goes with it on
//     DELETE; renaming INBOX copies INBOX's file to the new folder.
//   - "mailaccess-server-metadata" in the user's root: the user's
//     /private server entries.
//   - ".mailaccess-server-metadata" in the Backend's root (or in
//     Options.MetadataDir): the /shared server entries, which every user
//     sees. With neither a root nor Options.MetadataDir, shared server
//     entries cannot be set (mailstore.ErrPermission).
//
// Each file is a first line "mailaccess-metadata 1" and then, per entry,
// a line "<length> <name>" (the canonical, lower-case name; the length of
// the value in octets, in decimal) followed by the value's octets and a
// newline, so that any octet string is kept as it is. Files are replaced
// crash-safely (temporary file, fsync, rename, fsync of the directory)
// under the user's tree lock; the shared server file under its own lock,
// ".mailaccess-server-metadata.lock", taken after the tree lock.
// /shared/admin on the server is read-only for clients; the program sets
// it with Backend.SetServerMetadata.

const (
	metadataFile       = "mailaccess-metadata"
	serverMetadataFile = "mailaccess-server-metadata"
	sharedMetadataFile = ".mailaccess-server-metadata"
	metadataMagic      = "mailaccess-metadata 1"

	// DefaultMaxMetadataSize is the default of Options.MaxMetadataSize.
	DefaultMaxMetadataSize = 64 << 10
	// DefaultMaxMetadataEntries is the default of
	// Options.MaxMetadataEntries.
	DefaultMaxMetadataEntries = 100
)

var _ mailstore.MetadataStore = (*store)(nil)

var errBadMetadata = errors.New("maildir: bad metadata file")

// parseMetadata reads a metadata file's content.
func parseMetadata(data []byte) (map[string]string, error) {
	m := make(map[string]string)
	if len(data) == 0 {
		return m, nil
	}
	line, rest, ok := bytes.Cut(data, []byte("\n"))
	if !ok || string(line) != metadataMagic {
		return nil, errBadMetadata
	}
	for len(rest) > 0 {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return nil, errBadMetadata
		}
		ls, name, ok := bytes.Cut(line, []byte(" "))
		n, err := strconv.Atoi(string(ls))
		if !ok || err != nil || n < 0 || n+1 > len(rest) || rest[n] != '\n' {
			return nil, errBadMetadata
		}
		m[string(name)] = string(rest[:n])
		rest = rest[n+1:]
	}
	return m, nil
}

// encodeMetadata writes entries in the metadata file format.
func encodeMetadata(m map[string]string) []byte {
	var b bytes.Buffer
	b.WriteString(metadataMagic + "\n")
	for _, name := range slices.Sorted(maps.Keys(m)) {
		v := m[name]
		fmt.Fprintf(&b, "%d %s\n", len(v), name)
		b.WriteString(v)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// readMetadata reads a metadata file; a missing one is empty.
func readMetadata(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	m, err := parseMetadata(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", err, path)
	}
	return m, nil
}

// maxMetadataSize returns the size limit of a value, 0 for none.
func (b *Backend) maxMetadataSize() int64 {
	return mailstore.OptionLimit(b.opts.MaxMetadataSize, DefaultMaxMetadataSize)
}

// maxMetadataEntries returns the limit of entries per scope, 0 for none.
func (b *Backend) maxMetadataEntries() int {
	return mailstore.OptionLimit(b.opts.MaxMetadataEntries, DefaultMaxMetadataEntries)
}

// sharedMetadataPath returns the file of the shared server entries, ""
// if the Backend has none.
func (b *Backend) sharedMetadataPath() string {
	dir := b.opts.MetadataDir
	if dir == "" {
		dir = b.root
	}
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, sharedMetadataFile)
}

// lockShared takes the lock of the shared server entries.
func (b *Backend) lockShared(ctx context.Context, path string) (*os.File, error) {
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("maildir: %w", err)
	}
	if err := flock(ctx, f, syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// allMetadata returns every entry the user sees on a mailbox ("": the
// server).
func (s *store) allMetadata(ctx context.Context, mailbox string) (map[string]string, error) {
	if err := s.check(ctx); err != nil {
		return nil, err
	}
	if mailbox != "" {
		dir, err := s.u.mailboxDir(mailbox)
		if err != nil || dir == "" {
			return map[string]string{}, err
		}
		return readMetadata(filepath.Join(dir, metadataFile))
	}
	m, err := readMetadata(filepath.Join(s.u.dir, serverMetadataFile))
	if err != nil {
		return nil, err
	}
	if p := s.u.b.sharedMetadataPath(); p != "" {
		shared, err := readMetadata(p)
		if err != nil {
			return nil, err
		}
		for k, v := range shared {
			if !mailstore.IsPrivateMetadata(k) {
				m[k] = v
			}
		}
	}
	return m, nil
}

// Metadata returns the named entries that exist, in the order of names,
// each once, with names in lower case (RFC 5464 §4.2).
func (s *store) Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error) {
	cn, err := mailstore.CanonicalMetadataNames(names)
	if err != nil {
		return nil, err
	}
	m, err := s.allMetadata(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	return mailstore.LookupMetadata(cn, func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}), nil
}

// MetadataNames returns the names of the mailbox's entries, or the
// user's private and every shared server entry for "", sorted.
func (s *store) MetadataNames(ctx context.Context, mailbox string) ([]string, error) {
	m, err := s.allMetadata(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	return slices.Sorted(maps.Keys(m)), nil
}

// SetMetadata sets and removes entries, all or none (RFC 5464 §4.3),
// within Options.MaxMetadataSize and Options.MaxMetadataEntries. On the
// server, /shared entries are the Backend's, which every user sees and
// may change, except /shared/admin (mailstore.ErrPermission), which only
// Backend.SetServerMetadata sets.
func (s *store) SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error {
	changes, err := mailstore.CheckMetadataChanges(entries, mailbox == "", s.u.b.maxMetadataSize())
	if err != nil {
		return err
	}
	if err := s.check(ctx); err != nil {
		return err
	}
	tl, err := s.u.treeLock(ctx)
	if err != nil {
		return err
	}
	defer tl.Close()
	limit := s.u.b.maxMetadataEntries()
	if mailbox != "" {
		dir, err := s.u.mailboxDir(mailbox)
		if err != nil {
			return err
		}
		if dir == "" {
			return fmt.Errorf("%w: %s is \\Noselect and has no directory to keep metadata in", mailstore.ErrNotAllowed, mailbox)
		}
		path := filepath.Join(dir, metadataFile)
		m, err := readMetadata(path)
		if err != nil {
			return err
		}
		m, c1, err := mailstore.ApplyMetadataChanges(m, changes, true, limit)
		if err != nil {
			return err
		}
		m, c2, err := mailstore.ApplyMetadataChanges(m, changes, false, limit)
		if err != nil || !(c1 || c2) {
			return err
		}
		return s.u.b.writeFileAtomic(path, encodeMetadata(m))
	}
	// The server: private entries in the user's file, shared ones in the
	// Backend's; both checked before either is written.
	privPath := filepath.Join(s.u.dir, serverMetadataFile)
	priv, err := readMetadata(privPath)
	if err != nil {
		return err
	}
	priv, privChanged, err := mailstore.ApplyMetadataChanges(priv, changes, true, limit)
	if err != nil {
		return err
	}
	var shared map[string]string
	sharedChanged := false
	sharedPath := s.u.b.sharedMetadataPath()
	for _, c := range changes {
		if !mailstore.IsPrivateMetadata(c.Name) {
			sharedChanged = true
		}
	}
	if sharedChanged {
		if sharedPath == "" {
			return fmt.Errorf("%w: this server keeps no shared server entries", mailstore.ErrPermission)
		}
		sl, err := s.u.b.lockShared(ctx, sharedPath)
		if err != nil {
			return err
		}
		defer sl.Close()
		if shared, err = readMetadata(sharedPath); err != nil {
			return err
		}
		if shared, _, err = mailstore.ApplyMetadataChanges(shared, changes, false, limit); err != nil {
			return err
		}
	}
	if privChanged {
		if err := s.u.b.writeFileAtomic(privPath, encodeMetadata(priv)); err != nil {
			return err
		}
	}
	if sharedChanged {
		return s.u.b.writeFileAtomic(sharedPath, encodeMetadata(shared))
	}
	return nil
}

// SetServerMetadata sets and removes shared server metadata entries
// (RFC 5464 §3.2.1.1), as SETMETADATA "" does but for the program that
// embeds the Backend: /shared/admin included, with no limits. Names must
// be under /shared; an invalid one gives mailstore.ErrInvalidMetadataName
// and changes nothing. A Backend with neither a root nor
// Options.MetadataDir gives mailstore.ErrNotAllowed.
func (b *Backend) SetServerMetadata(ctx context.Context, entries []imap.MetadataEntry) error {
	changes, err := mailstore.CheckSharedMetadataChanges(entries)
	if err != nil {
		return err
	}
	path := b.sharedMetadataPath()
	if path == "" {
		return fmt.Errorf("%w: no place for shared server entries (Options.MetadataDir)", mailstore.ErrNotAllowed)
	}
	sl, err := b.lockShared(ctx, path)
	if err != nil {
		return err
	}
	defer sl.Close()
	m, err := readMetadata(path)
	if err != nil {
		return err
	}
	m, _, err = mailstore.ApplyMetadataChanges(m, changes, false, 0)
	if err != nil {
		return err
	}
	return b.writeFileAtomic(path, encodeMetadata(m))
}
