package memstore

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

// store is one session's handle on a user's mail.
type store struct {
	u      *user
	closed atomic.Bool
}

var _ mailstore.Store = (*store)(nil)

// begin checks the context and the handle before an operation.
func (s *store) begin(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.closed.Load() {
		return fmt.Errorf("%w: store handle", mailstore.ErrClosed)
	}
	return nil
}

// Delimiter returns '/'.
func (s *store) Delimiter() rune { return Delimiter }

// Mailboxes lists the user's mailboxes, \Noselect names and subscribed
// names without a mailbox (as \NonExistent), sorted by name.
func (s *store) Mailboxes(ctx context.Context) ([]mailstore.MailboxInfo, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	infos := make([]mailstore.MailboxInfo, 0, len(u.boxes))
	for name, mb := range u.boxes {
		mi := mailstore.MailboxInfo{Name: name, Subscribed: u.subs[name]}
		if mb.noselect {
			mi.Attrs = append(mi.Attrs, imap.AttrNoselect)
		}
		mi.Attrs = append(mi.Attrs, mb.specialUse...)
		infos = append(infos, mi)
	}
	for name := range u.subs {
		if _, ok := u.boxes[name]; !ok {
			infos = append(infos, mailstore.MailboxInfo{Name: name, Attrs: []imap.MailboxAttr{imap.AttrNonExistent}, Subscribed: true})
		}
	}
	slices.SortFunc(infos, func(a, b mailstore.MailboxInfo) int { return strings.Compare(a.Name, b.Name) })
	return infos, nil
}

// specialUses are the attributes CreateOptions.SpecialUse may hold
// (RFC 6154 §2, RFC 8457).
var specialUses = []imap.MailboxAttr{
	imap.AttrAll, imap.AttrArchive, imap.AttrDrafts, imap.AttrFlagged, imap.AttrJunk,
	imap.AttrSent, imap.AttrTrash, imap.AttrImportant,
}

// CreateMailbox creates a mailbox and any missing superior names (as
// ordinary mailboxes). One trailing delimiter is ignored (RFC 3501
// §6.3.3). Creating a \Noselect name makes it a mailbox; creating any
// other existing name gives mailstore.ErrMailboxExists.
func (s *store) CreateMailbox(ctx context.Context, name string, opts *mailstore.CreateOptions) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if len(name) > 1 && strings.HasSuffix(name, delim) {
		name = name[:len(name)-1]
	}
	cn, err := canonicalName(name)
	if err != nil {
		return err
	}
	var use []imap.MailboxAttr
	if opts != nil {
		for _, a := range opts.SpecialUse {
			c := a.Canonical()
			if !slices.Contains(specialUses, c) {
				return fmt.Errorf("%w: %q is not a special-use attribute", mailstore.ErrUseAttr, string(a))
			}
			if !slices.Contains(use, c) {
				use = append(use, c)
			}
		}
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	if mb, ok := u.boxes[cn]; ok {
		if !mb.noselect {
			return fmt.Errorf("%w: %q", mailstore.ErrMailboxExists, cn)
		}
		mb.makeSelectable()
		mb.specialUse = use
		return nil
	}
	u.createParents(cn)
	mb := u.newMailbox(cn)
	mb.specialUse = use
	mb.acl = u.inheritedACL(cn)
	u.boxes[cn] = mb
	return nil
}

// createParents creates the missing superior names of name as mailboxes
// (RFC 3501 §6.3.3, §6.3.5), each with its parent's ACL (RFC 4314 §4).
func (u *user) createParents(name string) {
	for _, p := range parentNames(name) {
		if _, ok := u.boxes[p]; !ok {
			mb := u.newMailbox(p)
			mb.acl = u.inheritedACL(p)
			u.boxes[p] = mb
		}
	}
}

// hasInferiors reports whether a name below name exists.
func (u *user) hasInferiors(name string) bool {
	for n := range u.boxes {
		if isInferior(n, name) {
			return true
		}
	}
	return false
}

// DeleteMailbox deletes a mailbox (RFC 3501 §6.3.4). INBOX cannot be
// deleted; a mailbox with inferiors becomes \Noselect; a \Noselect name
// can be deleted only when it has no inferiors. Views of the deleted
// mailbox are closed.
func (s *store) DeleteMailbox(ctx context.Context, name string) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return err
	}
	if cn == inbox {
		return fmt.Errorf("%w: INBOX cannot be deleted", mailstore.ErrNotAllowed)
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	mb, ok := u.boxes[cn]
	if !ok {
		return fmt.Errorf("%w: %q", mailstore.ErrNoSuchMailbox, cn)
	}
	inferiors := u.hasInferiors(cn)
	if mb.noselect {
		if inferiors {
			// "It is an error to attempt to delete a name that has
			// inferior hierarchical names and also has the \Noselect
			// mailbox name attribute" (RFC 3501 §6.3.4).
			return fmt.Errorf("%w: %q is \\Noselect and has inferiors", mailstore.ErrNotAllowed, cn)
		}
		delete(u.boxes, cn)
		return nil
	}
	mb.deleted = true
	mb.closeViews()
	for _, m := range mb.msgs {
		u.account(-1, -m.c.size)
	}
	mb.msgs = nil
	if inferiors {
		u.boxes[cn] = u.newPlaceholder(cn)
	} else {
		delete(u.boxes, cn)
	}
	return nil
}

// RenameMailbox renames a mailbox with its inferiors, creating missing
// superior names of the new name (RFC 3501 §6.3.5). Renaming INBOX moves
// its messages to a new mailbox with a new UIDVALIDITY and leaves INBOX
// empty; its inferiors stay where they are.
func (s *store) RenameMailbox(ctx context.Context, from, to string) error {
	if err := s.begin(ctx); err != nil {
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
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	src, ok := u.boxes[cf]
	if !ok {
		return fmt.Errorf("%w: %q", mailstore.ErrNoSuchMailbox, cf)
	}
	if _, ok := u.boxes[ct]; ok || ct == inbox {
		return fmt.Errorf("%w: %q", mailstore.ErrMailboxExists, ct)
	}
	if cf == inbox {
		u.renameInbox(src, ct)
		return nil
	}
	if isInferior(ct, cf) {
		return fmt.Errorf("%w: cannot rename %q under itself", mailstore.ErrNotAllowed, cf)
	}
	type move struct {
		mb   *mailbox
		from string
		to   string
	}
	var moves []move
	for n, mb := range u.boxes {
		if n == cf || isInferior(n, cf) {
			nn := ct + n[len(cf):]
			if _, ok := u.boxes[nn]; ok {
				return fmt.Errorf("%w: %q", mailstore.ErrMailboxExists, nn)
			}
			moves = append(moves, move{mb, n, nn})
		}
	}
	for _, m := range moves {
		delete(u.boxes, m.from)
	}
	for _, m := range moves {
		m.mb.name = m.to
		u.boxes[m.to] = m.mb
	}
	u.createParents(ct)
	return nil
}

// renameInbox moves INBOX's messages to a new mailbox named to (RFC 3501
// §6.3.5). The messages keep their UIDs, flags and MODSEQs under the new
// mailbox's new UIDVALIDITY; INBOX keeps its UIDVALIDITY and UIDNEXT, and
// its views see the messages expunged. The new mailbox gets copies of
// INBOX's metadata (RFC 5464 §4.1) and ACL, which INBOX keeps.
func (u *user) renameInbox(ib *mailbox, to string) {
	dst := u.newMailbox(to)
	dst.uidNext, dst.modseq, dst.recentFrom = ib.uidNext, ib.modseq, ib.recentFrom
	dst.meta, dst.acl = maps.Clone(ib.meta), maps.Clone(ib.acl)
	uids := make([]uint32, 0, len(ib.msgs))
	dst.msgs = make([]*message, 0, len(ib.msgs))
	for _, m := range ib.msgs {
		c := *m
		dst.msgs = append(dst.msgs, &c)
		uids = append(uids, m.uid)
		u.account(1, m.c.size) // ib.remove takes it out of INBOX's
	}
	ib.remove(uids, nil)
	u.createParents(to)
	u.boxes[to] = dst
}

// SetSubscribed adds a name to the subscription list or removes it. The
// name need not exist.
func (s *store) SetSubscribed(ctx context.Context, name string, subscribed bool) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return err
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	if subscribed {
		u.subs[cn] = true
	} else {
		delete(u.subs, cn)
	}
	return nil
}

// selectable returns the mailbox of a canonical name that can hold
// messages. Locked.
func (u *user) selectable(cn string) (*mailbox, error) {
	mb, ok := u.boxes[cn]
	if !ok {
		return nil, fmt.Errorf("%w: %q", mailstore.ErrNoSuchMailbox, cn)
	}
	if mb.noselect {
		return nil, fmt.Errorf("%w: %q is \\Noselect", mailstore.ErrNotAllowed, cn)
	}
	return mb, nil
}

// Status returns a mailbox's counts. A \Noselect name gives
// mailstore.ErrNotAllowed.
func (s *store) Status(ctx context.Context, name string) (*mailstore.MailboxStatus, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return nil, err
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	mb, err := u.selectable(cn)
	if err != nil {
		return nil, err
	}
	return mb.status(), nil
}

// Append reads a message once, parsing its structure as it is copied,
// and adds it to a mailbox. A message over Options.MaxMessageSize gives
// mailstore.ErrTooBig (after reading no more than the limit and one
// octet); one that would exceed the user's quota mailstore.ErrQuota
// (before reading it if the MESSAGE limit is reached already). A
// \Noselect name gives mailstore.ErrNotAllowed.
func (s *store) Append(ctx context.Context, name string, r io.Reader, opts *mailstore.AppendOptions) (*mailstore.AppendResult, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &mailstore.AppendOptions{}
	}
	flags, err := normFlags(opts.Flags)
	if err != nil {
		return nil, err
	}
	date := opts.InternalDate
	if date.IsZero() {
		date = s.u.b.now().Truncate(time.Second)
	}
	u := s.u
	// Fail early, before reading the message; checked again below.
	u.mu.Lock()
	_, err = u.selectable(cn)
	if err == nil {
		err = u.quotaCheck(1, 0)
	}
	u.mu.Unlock()
	if err != nil {
		return nil, err
	}

	c, err := s.u.b.readMessage(ctx, r)
	if err != nil {
		return nil, err
	}

	u.mu.Lock()
	defer u.mu.Unlock()
	mb, err := u.selectable(cn)
	if err != nil {
		return nil, err
	}
	if err := u.quotaCheck(1, c.size); err != nil {
		return nil, err
	}
	m := mb.add(flags, date, c)
	return &mailstore.AppendResult{UIDValidity: mb.uidValidity, UID: m.uid}, nil
}

// readMessage reads r to its end into memory, parsing the structure on
// the way.
func (b *Backend) readMessage(ctx context.Context, r io.Reader) (*content, error) {
	limit := b.opts.MaxMessageSize
	if limit > 0 {
		r = io.LimitReader(r, limit+1)
	}
	var w chunkWriter
	tee := io.TeeReader(r, &w)
	st, err := mime.ParseContext(ctx, tee, nil)
	if err != nil {
		return nil, fmt.Errorf("memstore: reading message: %w", err)
	}
	// The parser reads to the end; make sure of it.
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return nil, fmt.Errorf("memstore: reading message: %w", err)
	}
	if limit > 0 && w.size > limit {
		return nil, fmt.Errorf("%w: over %d octets", mailstore.ErrTooBig, limit)
	}
	c := w.content(st)
	if st.Size != c.size {
		// Cannot happen with a parser that reads everything; parse
		// the content again rather than keep a wrong structure.
		if c.st, err = mime.ParseContext(ctx, io.NewSectionReader(c, 0, c.size), nil); err != nil {
			return nil, fmt.Errorf("memstore: parsing message: %w", err)
		}
	}
	return c, nil
}

// OpenMailbox opens a view of a mailbox. A \Noselect name gives
// mailstore.ErrNotAllowed.
func (s *store) OpenMailbox(ctx context.Context, name string, opts *mailstore.OpenOptions) (mailstore.Mailbox, error) {
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	cn, err := canonicalName(name)
	if err != nil {
		return nil, err
	}
	readOnly := opts != nil && opts.ReadOnly
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	mb, err := u.selectable(cn)
	if err != nil {
		return nil, err
	}
	return newView(mb, readOnly), nil
}

// Close releases the handle; later calls give mailstore.ErrClosed. Views
// opened from it stay usable.
func (s *store) Close() error {
	s.closed.Store(true)
	return nil
}
