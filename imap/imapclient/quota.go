package imapclient

import (
	"context"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds the QUOTA extension (RFC 9208): GETQUOTA, GETQUOTAROOT
// and SETQUOTA.
//
// QUOTA and QUOTAROOT responses carry nothing that ties them to a
// command: while several quota commands are in flight at once, a response
// goes to the oldest pending one that wants it (as with LIST, see
// mailboxes.go).

// ErrOverQuota matches (errors.Is) the *StatusError of a command the
// server refused with the OVERQUOTA response code (RFC 9208 §4.3.1), such
// as an APPEND, COPY or MOVE beyond a limit.
const ErrOverQuota = CodeError(imap.CodeOverQuota)

// Quota resource names (RFC 9208 §5). A server may announce others
// (QUOTA=RES-<name>).
const (
	// QuotaStorage is the physical space of the messages, in units of
	// 1024 octets (RFC 9208 §5.1).
	QuotaStorage = "STORAGE"
	// QuotaMessage is the number of messages (RFC 9208 §5.2).
	QuotaMessage = "MESSAGE"
	// QuotaMailbox is the number of mailboxes (RFC 9208 §5.3).
	QuotaMailbox = "MAILBOX"
	// QuotaAnnotationStorage is the size of the annotations, in units of
	// 1024 octets (RFC 9208 §5.4).
	QuotaAnnotationStorage = "ANNOTATION-STORAGE"
)

// Quota is a quota root and its resources, as a QUOTA response gives
// them (RFC 9208 §4.2.1). A resource that is not listed is not limited.
type Quota struct {
	Root      string
	Resources []imap.QuotaResource
}

// Resource returns the resource named name (compared without regard to
// case), and false if the root does not limit it.
func (q *Quota) Resource(name string) (imap.QuotaResource, bool) {
	for _, r := range q.Resources {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return imap.QuotaResource{}, false
}

// Storage returns the STORAGE resource's usage and limit, in units of 1024
// octets, and false if the root does not limit it.
func (q *Quota) Storage() (usage, limit uint64, ok bool) {
	r, ok := q.Resource(QuotaStorage)
	return r.Usage, r.Limit, ok
}

// Messages returns the MESSAGE resource's usage and limit, and false if
// the root does not limit it.
func (q *Quota) Messages() (usage, limit uint64, ok bool) {
	r, ok := q.Resource(QuotaMessage)
	return r.Usage, r.Limit, ok
}

func quotaOf(d *imap.QuotaData) *Quota {
	return &Quota{Root: d.Root, Resources: d.Resources}
}

// GetQuota returns the usage and limits of the quota root named root
// (GETQUOTA, RFC 9208 §4.1.1). A server that answers OK without a QUOTA
// response for the root gives a Quota without resources.
func (c *Client) GetQuota(ctx context.Context, root string) (*Quota, error) {
	var q *Quota
	_, err := c.execute(ctx, "GETQUOTA", &imap.GetQuotaCommand{Root: root}, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindQuota && r.Quota != nil && q == nil && r.Quota.Root == root {
			q = quotaOf(r.Quota)
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if q == nil {
		q = &Quota{Root: root}
	}
	return q, nil
}

// QuotaRoots is the result of GetQuotaRoot: the quota roots of a mailbox
// and the usage and limits of each.
type QuotaRoots struct {
	// Mailbox is the mailbox as the server named it.
	Mailbox string
	// Roots are the names of the mailbox's quota roots, in the
	// server's order; empty if no quota applies to it.
	Roots []string
	// Quotas are the QUOTA responses that came with them, in the order
	// received (normally one per root).
	Quotas []*Quota
}

// Quota returns the quota of the root named root, or nil.
func (r *QuotaRoots) Quota(root string) *Quota {
	for _, q := range r.Quotas {
		if q.Root == root {
			return q
		}
	}
	return nil
}

// GetQuotaRoot returns the quota roots of mailbox and their usage and
// limits (GETQUOTAROOT, RFC 9208 §4.1.2). The mailbox need not exist: the
// answer says which roots would apply to it.
func (c *Client) GetQuotaRoot(ctx context.Context, mailbox string) (*QuotaRoots, error) {
	var res *QuotaRoots
	_, err := c.execute(ctx, "GETQUOTAROOT", &imap.MailboxCommand{Name: "GETQUOTAROOT", Mailbox: mailbox}, false, func(r *wire.Response) bool {
		switch {
		case r.Kind == wire.KindQuotaRoot && r.QuotaRoot != nil && res == nil:
			res = &QuotaRoots{Mailbox: r.QuotaRoot.Mailbox, Roots: r.QuotaRoot.Roots}
			if res.Roots == nil {
				res.Roots = []string{}
			}
			return true
		case r.Kind == wire.KindQuota && r.Quota != nil && res != nil:
			// RFC 9208 §4.1.2: a QUOTA response for each root
			// follows the QUOTAROOT response.
			res.Quotas = append(res.Quotas, quotaOf(r.Quota))
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if res == nil {
		// Lenient: an OK without QUOTAROOT is a mailbox without roots.
		res = &QuotaRoots{Mailbox: mailbox, Roots: []string{}}
	}
	return res, nil
}

// SetQuota sets the limits of the quota root named root (SETQUOTA,
// RFC 9208 §4.1.3; the server announces QUOTASET). The Usage of each
// resource is ignored. Every limit of the root not listed is removed:
// SETQUOTA replaces the whole list, and an empty list removes them all.
// It returns the root's new usage and limits when the server sends them
// (it may round the limits), else nil.
func (c *Client) SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) (*Quota, error) {
	var q *Quota
	_, err := c.execute(ctx, "SETQUOTA", &imap.SetQuotaCommand{Root: root, Resources: limits}, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindQuota && r.Quota != nil && q == nil && r.Quota.Root == root {
			q = quotaOf(r.Quota)
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}
