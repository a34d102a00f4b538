package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

var _ mailstore.ACLStore = (*store)(nil)

// inheritedACL returns a copy of the ACL of name's nearest existing
// superior, for a new mailbox (RFC 4314 §4: CREATE "SHOULD inherit the
// ACL from the parent mailbox"). Locked.
func (u *user) inheritedACL(name string) map[string]string {
	ps := parentNames(name)
	for i := len(ps) - 1; i >= 0; i-- {
		if p, ok := u.boxes[ps[i]]; ok {
			return maps.Clone(p.acl)
		}
	}
	return nil
}

// anyMailbox returns the mailbox or \Noselect name of a mailbox name.
// Locked.
func (u *user) anyMailbox(cn string) (*mailbox, error) {
	mb, ok := u.boxes[cn]
	if !ok {
		return nil, fmt.Errorf("%w: %q", mailstore.ErrNoSuchMailbox, cn)
	}
	return mb, nil
}

// lockMailbox checks the handle and the name, locks the user and finds
// the mailbox (a \Noselect name too). On success the caller must unlock.
func (s *store) lockMailbox(ctx context.Context, name string) (*mailbox, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return nil, err
	}
	s.u.mu.Lock()
	mb, err := s.u.anyMailbox(cn)
	if err != nil {
		s.u.mu.Unlock()
		return nil, err
	}
	return mb, nil
}

// checkIdentifier refuses identifiers memstore does not keep: empty,
// not UTF-8, with control characters, a bare "-", and the owner's (whose
// rights are fixed) with or without "-".
func (u *user) checkIdentifier(id string) error {
	switch {
	case id == "" || id == "-" || !utf8.ValidString(id) || mailstore.HasControl(id):
		return fmt.Errorf("%w: invalid identifier %q", mailstore.ErrNotAllowed, id)
	case strings.TrimPrefix(id, "-") == u.name:
		return fmt.Errorf("%w: the owner %q always has every right", mailstore.ErrNotAllowed, u.name)
	}
	return nil
}

// ACL returns the mailbox's access control list: the owner with every
// right (mailstore.AllRights), then the other identifiers by name.
func (s *store) ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error) {
	mb, err := s.lockMailbox(ctx, mailbox)
	if err != nil {
		return nil, err
	}
	defer s.u.mu.Unlock()
	out := []imap.ACLEntry{{Identifier: s.u.name, Rights: mailstore.AllRights}}
	for _, id := range slices.Sorted(maps.Keys(mb.acl)) {
		out = append(out, imap.ACLEntry{Identifier: id, Rights: mb.acl[id]})
	}
	return out, nil
}

// SetACL changes an identifier's rights (RFC 4314 §3.1). An identifier
// left with no rights is removed. The owner's identifier, with or without
// "-", gives mailstore.ErrNotAllowed: the owner always has every right.
func (s *store) SetACL(ctx context.Context, mailbox, identifier string, op mailstore.RightsOp, rights string) error {
	if err := s.u.checkIdentifier(identifier); err != nil {
		return err
	}
	if _, err := mailstore.CanonicalRights(rights); err != nil {
		return err
	}
	mb, err := s.lockMailbox(ctx, mailbox)
	if err != nil {
		return err
	}
	defer s.u.mu.Unlock()
	acl, err := mailstore.UpdateACL(mb.acl, identifier, op, rights)
	if err != nil {
		return err
	}
	mb.acl = acl
	return nil
}

// DeleteACL removes an identifier from the list (RFC 4314 §3.2). The
// owner's identifier gives mailstore.ErrNotAllowed.
func (s *store) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	if err := s.u.checkIdentifier(identifier); err != nil {
		return err
	}
	mb, err := s.lockMailbox(ctx, mailbox)
	if err != nil {
		return err
	}
	defer s.u.mu.Unlock()
	delete(mb.acl, identifier)
	return nil
}

// ListRights returns, for the owner, every right as required; for any
// other identifier no required rights and each right as a group of its
// own (RFC 4314 §3.4: memstore ties no rights together).
func (s *store) ListRights(ctx context.Context, mailbox, identifier string) (string, []string, error) {
	if identifier != s.u.name {
		if err := s.u.checkIdentifier(identifier); err != nil {
			return "", nil, err
		}
	}
	_, err := s.lockMailbox(ctx, mailbox)
	if err != nil {
		return "", nil, err
	}
	s.u.mu.Unlock()
	required, optional := mailstore.OwnerListRights(identifier == s.u.name)
	return required, optional, nil
}

// MyRights returns every right (mailstore.AllRights): the user owns every
// mailbox of the store.
func (s *store) MyRights(ctx context.Context, mailbox string) (string, error) {
	if _, err := s.lockMailbox(ctx, mailbox); err != nil {
		return "", err
	}
	s.u.mu.Unlock()
	return mailstore.AllRights, nil
}
