package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

var _ mailstore.MetadataStore = (*store)(nil)

// metadataAdmin is the server entry clients cannot change (RFC 5464
// §3.2.1.1: "This entry is always read-only").
const metadataAdmin = "/shared/admin"

// metadataNames checks names and returns them canonical.
func metadataNames(names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		c, err := mailstore.CanonicalMetadataName(n)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// maxMetadataSize returns the size limit of a value, 0 for none.
func (b *Backend) maxMetadataSize() int64 {
	switch n := b.opts.MaxMetadataSize; {
	case n == 0:
		return DefaultMaxMetadataSize
	case n < 0:
		return 0
	default:
		return n
	}
}

// maxMetadataEntries returns the limit of entries per scope, 0 for none.
func (b *Backend) maxMetadataEntries() int {
	switch n := b.opts.MaxMetadataEntries; {
	case n == 0:
		return DefaultMaxMetadataEntries
	case n < 0:
		return 0
	default:
		return n
	}
}

// metadataChange is a checked SETMETADATA entry: a canonical name and
// the value (nil removes).
type metadataChange struct {
	name  string
	value *string
}

// checkMetadataChanges checks the entries of a SetMetadata on the mailbox
// (server: the server entries) and returns them canonical.
func (b *Backend) checkMetadataChanges(entries []imap.MetadataEntry, server bool) ([]metadataChange, error) {
	limit := b.maxMetadataSize()
	out := make([]metadataChange, 0, len(entries))
	for _, e := range entries {
		name, err := mailstore.CanonicalMetadataName(e.Name)
		if err != nil {
			return nil, err
		}
		if mailstore.IsMetadataScope(name) {
			return nil, fmt.Errorf("%w: %q is a scope, not an entry", mailstore.ErrInvalidMetadataName, e.Name)
		}
		if server && name == metadataAdmin {
			return nil, fmt.Errorf("%w: %s is read-only", mailstore.ErrPermission, metadataAdmin)
		}
		c := metadataChange{name: name}
		if !e.Value.IsNil() {
			if size := int64(len(e.Value.S)); limit > 0 && size > limit {
				return nil, &mailstore.MetadataTooLargeError{Name: name, Size: size, Max: limit}
			}
			v := e.Value.S
			c.value = &v
		}
		out = append(out, c)
	}
	return out, nil
}

// applyMetadata returns m with the changes whose scope is private (or
// shared) applied, or m itself if none is. It gives
// mailstore.ErrMetadataTooMany if the result holds more than limit entries
// of that scope and more than m did.
func applyMetadata(m map[string]string, changes []metadataChange, private bool, limit int) (map[string]string, error) {
	var next map[string]string
	for _, c := range changes {
		if mailstore.IsPrivateMetadata(c.name) != private {
			continue
		}
		if next == nil {
			next = maps.Clone(m)
			if next == nil {
				next = make(map[string]string)
			}
		}
		if c.value == nil {
			delete(next, c.name)
		} else {
			next[c.name] = *c.value
		}
	}
	if next == nil {
		return m, nil
	}
	count := func(m map[string]string) int {
		n := 0
		for name := range m {
			if mailstore.IsPrivateMetadata(name) == private {
				n++
			}
		}
		return n
	}
	if limit > 0 {
		if n := count(next); n > limit && n > count(m) {
			return nil, fmt.Errorf("%w: %d entries, the limit is %d", mailstore.ErrMetadataTooMany, n, limit)
		}
	}
	return next, nil
}

// lockMetadata checks the handle and the name, and locks what holds the
// entries of mailbox: the user, and for the server ("") the Backend's
// shared entries too. It returns the mailbox, nil for the server, and the
// function that unlocks.
func (s *store) lockMetadata(ctx context.Context, mailbox string) (*mailbox, func(), error) {
	if mailbox != "" {
		mb, err := s.lockMailbox(ctx, mailbox)
		if err != nil {
			return nil, nil, err
		}
		return mb, s.u.mu.Unlock, nil
	}
	if err := s.begin(ctx); err != nil {
		return nil, nil, err
	}
	s.u.mu.Lock()
	s.u.b.metaMu.Lock()
	return nil, func() {
		s.u.b.metaMu.Unlock()
		s.u.mu.Unlock()
	}, nil
}

// metadataValue returns the value of a canonical entry of mb (nil: the
// server).
// Locked.
func (s *store) metadataValue(mb *mailbox, name string) (string, bool) {
	var m map[string]string
	switch {
	case mb != nil:
		m = mb.meta
	case mailstore.IsPrivateMetadata(name):
		m = s.u.meta
	default:
		m = s.u.b.serverMeta
	}
	v, ok := m[name]
	return v, ok
}

// Metadata returns the named entries that exist, in the order of names,
// each once, with names in lower case (RFC 5464 §4.2).
func (s *store) Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error) {
	cn, err := metadataNames(names)
	if err != nil {
		return nil, err
	}
	mb, unlock, err := s.lockMetadata(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	defer unlock()
	out := []imap.MetadataEntry{}
	seen := make(map[string]bool, len(cn))
	for _, name := range cn {
		if seen[name] {
			continue
		}
		seen[name] = true
		if v, ok := s.metadataValue(mb, name); ok {
			out = append(out, imap.MetadataEntry{Name: name, Value: imap.Str(v)})
		}
	}
	return out, nil
}

// MetadataNames returns the names of the mailbox's entries, or the
// user's private and every shared server entry for "", sorted.
func (s *store) MetadataNames(ctx context.Context, mailbox string) ([]string, error) {
	mb, unlock, err := s.lockMetadata(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if mb != nil {
		return slices.Sorted(maps.Keys(mb.meta)), nil
	}
	names := slices.AppendSeq(slices.Collect(maps.Keys(s.u.meta)), maps.Keys(s.u.b.serverMeta))
	slices.Sort(names)
	return names, nil
}

// SetMetadata sets and removes entries, all or none (RFC 5464 §4.3),
// within Options.MaxMetadataSize and Options.MaxMetadataEntries. On the
// server, /shared entries are the Backend's, which every user sees and
// may change, except /shared/admin (mailstore.ErrPermission), which only
// Backend.SetServerMetadata sets.
func (s *store) SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error {
	changes, err := s.u.b.checkMetadataChanges(entries, mailbox == "")
	if err != nil {
		return err
	}
	mb, unlock, err := s.lockMetadata(ctx, mailbox)
	if err != nil {
		return err
	}
	defer unlock()
	limit := s.u.b.maxMetadataEntries()
	if mb != nil {
		m, err := applyMetadata(mb.meta, changes, true, limit)
		if err == nil {
			m, err = applyMetadata(m, changes, false, limit)
		}
		if err != nil {
			return err
		}
		mb.meta = m
		return nil
	}
	private, err := applyMetadata(s.u.meta, changes, true, limit)
	if err != nil {
		return err
	}
	shared, err := applyMetadata(s.u.b.serverMeta, changes, false, limit)
	if err != nil {
		return err
	}
	s.u.meta, s.u.b.serverMeta = private, shared
	return nil
}

// SetServerMetadata sets and removes shared server metadata entries
// (RFC 5464 §3.2.1.1), as SETMETADATA "" does but for the program that
// embeds the Backend: /shared/admin included, with no limits. Names must
// be under /shared; an invalid one gives mailstore.ErrInvalidMetadataName
// and changes nothing.
func (b *Backend) SetServerMetadata(entries []imap.MetadataEntry) error {
	changes := make([]metadataChange, 0, len(entries))
	for _, e := range entries {
		name, err := mailstore.CanonicalMetadataName(e.Name)
		if err != nil {
			return err
		}
		if mailstore.IsMetadataScope(name) || mailstore.IsPrivateMetadata(name) {
			return fmt.Errorf("%w: %q is not a shared entry", mailstore.ErrInvalidMetadataName, e.Name)
		}
		c := metadataChange{name: name}
		if !e.Value.IsNil() {
			v := e.Value.S
			c.value = &v
		}
		changes = append(changes, c)
	}
	b.metaMu.Lock()
	defer b.metaMu.Unlock()
	m, err := applyMetadata(b.serverMeta, changes, false, 0)
	if err != nil {
		return err
	}
	b.serverMeta = m
	return nil
}
