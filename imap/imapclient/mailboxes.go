package imapclient

import (
	"context"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds the mailbox commands of the authenticated state:
// LIST/LSUB, STATUS, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE and
// NAMESPACE (RFC 3501 §6.3, RFC 9051 §6.3, RFC 5258, RFC 5819, RFC 6154,
// RFC 2342).
//
// Untagged LIST, LSUB and STATUS responses carry nothing that ties them to
// a command, so while several of these commands are in flight at once the
// responses go to the oldest pending one that wants their kind. Issue
// them from one goroutine (or one at a time) when that matters.

// ListOptions are the options of List (LIST-EXTENDED, RFC 5258, and
// LIST-STATUS, RFC 5819). The zero value (or nil) is a plain LIST.
type ListOptions struct {
	// SelectOpts are the selection options, e.g. "SUBSCRIBED",
	// "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE" (RFC 5258 §3.1,
	// RFC 6154 §3). They need LIST-EXTENDED (or IMAP4rev2).
	SelectOpts []string
	// ReturnOpts are the return options other than STATUS, e.g.
	// "SUBSCRIBED", "CHILDREN", "SPECIAL-USE" (RFC 5258 §3.2).
	ReturnOpts []string
	// ReturnStatus asks for the STATUS of each listed mailbox in the same
	// round trip (RETURN (STATUS (...)), LIST-STATUS, RFC 5819; part of
	// IMAP4rev2). The data lands in ListEntry.Status.
	ReturnStatus []imap.StatusItem
}

// ListEntry is one mailbox of a LIST or LSUB response.
type ListEntry struct {
	*imap.ListData
	// Status is the mailbox's STATUS data when ListOptions.ReturnStatus
	// was given and the server sent it (not for \NoSelect mailboxes), or
	// nil.
	Status *imap.StatusData
}

// List lists the mailboxes matching the patterns relative to ref
// (RFC 3501 §6.3.8, RFC 9051 §6.3.9). Several patterns need LIST-EXTENDED.
// Mailbox names are UTF-8 (decoded from modified UTF-7 where needed).
func (c *Client) List(ctx context.Context, ref string, patterns []string, opts *ListOptions) ([]*ListEntry, error) {
	args := &imap.ListCommand{Reference: ref, Patterns: patterns}
	if opts != nil {
		args.SelectOpts, args.ReturnOpts, args.ReturnStatus = opts.SelectOpts, opts.ReturnOpts, opts.ReturnStatus
	}
	return c.list(ctx, args)
}

// Lsub lists the subscribed mailboxes matching pattern (RFC 3501 §6.3.9;
// deprecated by RFC 9051, where LIST (SUBSCRIBED) replaces it).
func (c *Client) Lsub(ctx context.Context, ref, pattern string) ([]*ListEntry, error) {
	return c.list(ctx, &imap.ListCommand{Lsub: true, Reference: ref, Patterns: []string{pattern}})
}

func (c *Client) list(ctx context.Context, args *imap.ListCommand) ([]*ListEntry, error) {
	kind := wire.KindList
	if args.Lsub {
		kind = wire.KindLsub
	}
	wantStatus := len(args.ReturnStatus) > 0
	var entries []*ListEntry
	var statuses []*imap.StatusData
	_, err := c.execute(ctx, args.CommandName(), args, false, func(r *wire.Response) bool {
		switch {
		case r.Kind == kind && r.List != nil:
			entries = append(entries, &ListEntry{ListData: r.List})
			return true
		case wantStatus && r.Kind == wire.KindStatusData && r.StatusData != nil:
			statuses = append(statuses, r.StatusData)
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	// RFC 5819 §2: the STATUS response of a mailbox follows its LIST
	// response; match by name rather than rely on the order.
	for _, st := range statuses {
		for _, e := range entries {
			if e.Status == nil && sameMailbox(e.Mailbox, st.Mailbox) {
				e.Status = st
				break
			}
		}
	}
	return entries, nil
}

// sameMailbox compares mailbox names, INBOX in any case being INBOX.
func sameMailbox(a, b string) bool {
	return a == b || (imap.IsInbox(a) && imap.IsInbox(b))
}

// defaultStatusItems are the items Status asks for when given none.
var defaultStatusItems = []imap.StatusItem{
	imap.StatusMessages, imap.StatusUIDNext, imap.StatusUIDValidity, imap.StatusUnseen,
}

// Status asks for the status of a mailbox (RFC 3501 §6.3.10, RFC 9051
// §6.3.11). With no items it asks for MESSAGES, UIDNEXT, UIDVALIDITY and
// UNSEEN. RFC 9051 advises against STATUS on the selected mailbox: its
// view (Client.Mailbox) is the better source.
func (c *Client) Status(ctx context.Context, mailbox string, items []imap.StatusItem) (*imap.StatusData, error) {
	if len(items) == 0 {
		items = defaultStatusItems
	}
	var data *imap.StatusData
	_, err := c.execute(ctx, "STATUS", &imap.StatusCommand{Mailbox: mailbox, Items: items}, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindStatusData && r.StatusData != nil && data == nil && sameMailbox(r.StatusData.Mailbox, mailbox) {
			data = r.StatusData
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if data == nil {
		// Lenient: an OK without data is an empty status.
		data = &imap.StatusData{Mailbox: mailbox}
	}
	return data, nil
}

// CreateOptions are the options of Create.
type CreateOptions struct {
	// SpecialUse asks the server to give the new mailbox these special-use
	// attributes, e.g. imap.AttrSent (CREATE-SPECIAL-USE, RFC 6154 §3). A
	// server that cannot answers NO [USEATTR].
	SpecialUse []imap.MailboxAttr
}

// Create creates a mailbox (RFC 3501 §6.3.3). A tagged NO with
// [ALREADYEXISTS] (RFC 5530) says it exists.
func (c *Client) Create(ctx context.Context, mailbox string, opts *CreateOptions) error {
	args := &imap.CreateCommand{Mailbox: mailbox}
	if opts != nil {
		args.SpecialUse = opts.SpecialUse
	}
	_, err := c.execute(ctx, "CREATE", args, false, nil)
	return err
}

// Delete deletes a mailbox (RFC 3501 §6.3.4).
func (c *Client) Delete(ctx context.Context, mailbox string) error {
	return c.mailboxCommand(ctx, "DELETE", mailbox)
}

// Rename renames a mailbox (RFC 3501 §6.3.5). Renaming INBOX moves its
// messages to the new mailbox and leaves INBOX empty.
func (c *Client) Rename(ctx context.Context, from, to string) error {
	_, err := c.execute(ctx, "RENAME", &imap.RenameCommand{From: from, To: to}, false, nil)
	return err
}

// Subscribe adds a mailbox to the subscriptions (RFC 3501 §6.3.6).
func (c *Client) Subscribe(ctx context.Context, mailbox string) error {
	return c.mailboxCommand(ctx, "SUBSCRIBE", mailbox)
}

// Unsubscribe removes a mailbox from the subscriptions (RFC 3501 §6.3.7).
func (c *Client) Unsubscribe(ctx context.Context, mailbox string) error {
	return c.mailboxCommand(ctx, "UNSUBSCRIBE", mailbox)
}

func (c *Client) mailboxCommand(ctx context.Context, name, mailbox string) error {
	_, err := c.execute(ctx, name, &imap.MailboxCommand{Name: name, Mailbox: mailbox}, false, nil)
	return err
}

// Namespace asks for the server's namespaces (RFC 2342, RFC 9051
// §6.3.10). A server that answers OK without a NAMESPACE response gives
// an empty NamespaceData.
func (c *Client) Namespace(ctx context.Context) (*imap.NamespaceData, error) {
	var data *imap.NamespaceData
	_, err := c.execute(ctx, "NAMESPACE", nil, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindNamespace && r.Namespace != nil && data == nil {
			data = r.Namespace
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = &imap.NamespaceData{}
	}
	return data, nil
}
