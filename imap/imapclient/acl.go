package imapclient

import (
	"context"
	"fmt"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds the ACL extension (RFC 4314): SETACL, DELETEACL,
// GETACL, LISTRIGHTS and MYRIGHTS.
//
// ACL, LISTRIGHTS and MYRIGHTS responses name a mailbox, which is how
// they are matched to the command that asked; when the name differs (a
// server may canonicalize it), the first response of the kind goes to the
// oldest pending command that wants it.

// RightsOp says how SetACL changes an identifier's rights (RFC 4314
// §3.1).
type RightsOp byte

// SetACL operations.
const (
	// RightsReplace replaces the identifier's rights.
	RightsReplace RightsOp = 0
	// RightsAdd adds the rights to those the identifier has ("+").
	RightsAdd RightsOp = '+'
	// RightsRemove removes the rights from those the identifier has
	// ("-").
	RightsRemove RightsOp = '-'
)

// The rights of RFC 4314 §2.1, and the obsolete ones of RFC 2086 that
// servers still return (§2.1.1). They concatenate into a rights string:
// RightLookup + RightRead is "lr".
const (
	RightLookup    = "l" // the mailbox is visible to LIST and LSUB
	RightRead      = "r" // SELECT, FETCH, SEARCH, COPY from
	RightSeen      = "s" // keep \Seen across sessions
	RightWrite     = "w" // set or clear flags other than \Seen and \Deleted
	RightInsert    = "i" // APPEND, COPY into
	RightPost      = "p" // send mail to the submission address
	RightCreate    = "k" // create child mailboxes
	RightDelete    = "x" // delete the mailbox
	RightDeleteMsg = "t" // set or clear \Deleted
	RightExpunge   = "e" // EXPUNGE
	RightAdmin     = "a" // administer: SETACL, DELETEACL, GETACL, LISTRIGHTS
	RightObsoleteC = "c" // RFC 2086 create (k and x)
	RightObsoleteD = "d" // RFC 2086 delete (x, t and e)
)

// HasRights reports whether rights holds every right of want (a string of
// rights characters, e.g. "lr").
func HasRights(rights, want string) bool {
	for _, r := range want {
		if !strings.ContainsRune(rights, r) {
			return false
		}
	}
	return true
}

// ACL is a mailbox's access control list, as a GETACL command returned it.
type ACL struct {
	// Mailbox is the mailbox as the server named it.
	Mailbox string
	// Entries are the identifiers and their rights, in the server's
	// order. An identifier starting with "-" holds negative rights
	// (RFC 4314 §2).
	Entries []imap.ACLEntry
}

// Rights returns the rights of identifier, and false if the list has no
// entry for it.
func (a *ACL) Rights(identifier string) (string, bool) {
	for _, e := range a.Entries {
		if e.Identifier == identifier {
			return e.Rights, true
		}
	}
	return "", false
}

// SetACL grants identifier rights on mailbox (SETACL, RFC 4314 §3.1):
// op says whether they replace the identifier's rights, are added to them
// or removed from them. rights is a string of rights characters
// (RightLookup, RightRead, ...; empty to grant none), without the "+" or
// "-" op stands for. An identifier starting with "-" sets negative rights.
// A server that does not know a right answers BAD.
func (c *Client) SetACL(ctx context.Context, mailbox, identifier string, op RightsOp, rights string) error {
	if rights != "" && (rights[0] == '+' || rights[0] == '-') {
		return fmt.Errorf("imapclient: SETACL: rights %q start with a modifier: pass it as op", rights)
	}
	switch op {
	case RightsReplace:
	case RightsAdd, RightsRemove:
		rights = string(rune(op)) + rights
	default:
		return fmt.Errorf("imapclient: SETACL: unknown rights operation %q", rune(op))
	}
	_, err := c.execute(ctx, "SETACL", &imap.SetACLCommand{Mailbox: mailbox, Identifier: identifier, Rights: rights}, false, nil)
	return err
}

// DeleteACL removes identifier's entry from the access control list of
// mailbox (DELETEACL, RFC 4314 §3.2).
func (c *Client) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	_, err := c.execute(ctx, "DELETEACL", &imap.DeleteACLCommand{Mailbox: mailbox, Identifier: identifier}, false, nil)
	return err
}

// GetACL returns the access control list of mailbox (GETACL, RFC 4314
// §3.3). It needs the administer right (RightAdmin).
func (c *Client) GetACL(ctx context.Context, mailbox string) (*ACL, error) {
	var acl *ACL
	_, err := c.execute(ctx, "GETACL", &imap.MailboxCommand{Name: "GETACL", Mailbox: mailbox}, false, func(r *wire.Response) bool {
		if r.Kind != wire.KindACL || r.ACL == nil {
			return false
		}
		if acl == nil || (sameMailbox(r.ACL.Mailbox, mailbox) && !sameMailbox(acl.Mailbox, mailbox)) {
			acl = &ACL{Mailbox: r.ACL.Mailbox, Entries: r.ACL.Entries}
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if acl == nil {
		acl = &ACL{Mailbox: mailbox}
	}
	if acl.Entries == nil {
		acl.Entries = []imap.ACLEntry{}
	}
	return acl, nil
}

// ListRights returns the rights identifier can be granted on mailbox
// (LISTRIGHTS, RFC 4314 §3.4): Required are always granted, and each
// string of Optional is a group of rights granted or refused together.
func (c *Client) ListRights(ctx context.Context, mailbox, identifier string) (*imap.ListRightsData, error) {
	var data *imap.ListRightsData
	_, err := c.execute(ctx, "LISTRIGHTS", &imap.ListRightsCommand{Mailbox: mailbox, Identifier: identifier}, false, func(r *wire.Response) bool {
		if r.Kind != wire.KindListRights || r.ListRights == nil {
			return false
		}
		// RFC 4314 §3.4: the identifier comes back as sent; the
		// mailbox name may not (its own example).
		mine := r.ListRights.Identifier == identifier || sameMailbox(r.ListRights.Mailbox, mailbox)
		if data == nil || (mine && data.Identifier != identifier) {
			data = r.ListRights
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if data == nil {
		data = &imap.ListRightsData{Mailbox: mailbox, Identifier: identifier}
	}
	return data, nil
}

// MyRights returns the rights the logged-in user has on mailbox
// (MYRIGHTS, RFC 4314 §3.5), as a string of rights characters.
func (c *Client) MyRights(ctx context.Context, mailbox string) (string, error) {
	var data *imap.MyRightsData
	_, err := c.execute(ctx, "MYRIGHTS", &imap.MailboxCommand{Name: "MYRIGHTS", Mailbox: mailbox}, false, func(r *wire.Response) bool {
		if r.Kind != wire.KindMyRights || r.MyRights == nil {
			return false
		}
		if data == nil || (sameMailbox(r.MyRights.Mailbox, mailbox) && !sameMailbox(data.Mailbox, mailbox)) {
			data = r.MyRights
			return true
		}
		return false
	})
	if err != nil {
		return "", err
	}
	if data == nil {
		return "", nil
	}
	return data.Rights, nil
}
