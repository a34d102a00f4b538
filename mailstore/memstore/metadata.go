package memstore

import (
	"context"
	"maps"
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

var _ mailstore.MetadataStore = (*store)(nil)

// maxMetadataSize returns the size limit of a value, 0 for none.
func (b *Backend) maxMetadataSize() int64 {
	return mailstore.OptionLimit(b.opts.MaxMetadataSize, DefaultMaxMetadataSize)
}

// maxMetadataEntries returns the limit of entries per scope, 0 for none.
func (b *Backend) maxMetadataEntries() int {
	return mailstore.OptionLimit(b.opts.MaxMetadataEntries, DefaultMaxMetadataEntries)
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
	cn, err := mailstore.CanonicalMetadataNames(names)
	if err != nil {
		return nil, err
	}
	mb, unlock, err := s.lockMetadata(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return mailstore.LookupMetadata(cn, func(name string) (string, bool) { return s.metadataValue(mb, name) }), nil
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
	changes, err := mailstore.CheckMetadataChanges(entries, mailbox == "", s.u.b.maxMetadataSize())
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
		m, _, err := mailstore.ApplyMetadataChanges(mb.meta, changes, true, limit)
		if err == nil {
			m, _, err = mailstore.ApplyMetadataChanges(m, changes, false, limit)
		}
		if err != nil {
			return err
		}
		mb.meta = m
		return nil
	}
	private, _, err := mailstore.ApplyMetadataChanges(s.u.meta, changes, true, limit)
	if err != nil {
		return err
	}
	shared, _, err := mailstore.ApplyMetadataChanges(s.u.b.serverMeta, changes, false, limit)
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
	changes, err := mailstore.CheckSharedMetadataChanges(entries)
	if err != nil {
		return err
	}
	b.metaMu.Lock()
	defer b.metaMu.Unlock()
	m, _, err := mailstore.ApplyMetadataChanges(b.serverMeta, changes, false, 0)
	if err != nil {
		return err
	}
	b.serverMeta = m
	return nil
}
