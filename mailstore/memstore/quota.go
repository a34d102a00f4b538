package memstore

import (
	"context"
	"fmt"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// quotaRoot is the name of every user's one quota root, as in RFC 9208
// §4.2.2's example "* QUOTAROOT INBOX """.
const quotaRoot = ""

// quotaResources are the resources memstore counts, in the order Quota
// reports them.
var quotaResources = []string{mailstore.QuotaStorage, mailstore.QuotaMessage}

var (
	_ mailstore.QuotaStore  = (*store)(nil)
	_ mailstore.QuotaSetter = (*quotaSetStore)(nil)
)

// quotaLimits checks limits and returns them by resource name.
func quotaLimits(limits []imap.QuotaResource) (map[string]uint64, error) {
	return mailstore.QuotaLimits("memstore", limits)
}

// account adds n messages of the given octets (negative to remove) to
// the user's usage. Locked.
func (u *user) account(n, octets int64) {
	u.messages += n
	u.octets += octets
}

// quotaCheck returns mailstore.ErrQuota if adding n messages of the given
// octets would take a resource above its limit. A change that does not
// raise a resource's usage passes for it. Locked.
func (u *user) quotaCheck(n, octets int64) error {
	return mailstore.CheckQuota(u.limits, u.messages, u.octets, n, octets)
}

// QuotaResources returns STORAGE and MESSAGE.
func (s *store) QuotaResources() []string { return append([]string(nil), quotaResources...) }

// QuotaRoots returns the user's one quota root, "", for every valid
// mailbox name, whether the mailbox exists or not (RFC 9208 §4.1.2).
func (s *store) QuotaRoots(ctx context.Context, mailbox string) ([]string, error) {
	if err := s.begin(ctx); err != nil {
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
	if err := s.begin(ctx); err != nil {
		return nil, err
	}
	if root != quotaRoot {
		return nil, fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
	}
	u := s.u
	u.mu.Lock()
	defer u.mu.Unlock()
	return mailstore.QuotaReport(quotaResources, u.limits, u.messages, u.octets), nil
}

// quotaSetStore is the Store of a Backend with Options.QuotaSet: a store
// that also implements mailstore.QuotaSetter.
type quotaSetStore struct{ *store }

// SetQuota replaces the limits of the user's root "" (RFC 9208 §4.1.3).
// Resources other than STORAGE and MESSAGE, or one named twice, give
// mailstore.ErrNotAllowed; another root mailstore.ErrNoSuchQuotaRoot.
func (s *quotaSetStore) SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) error {
	if err := s.begin(ctx); err != nil {
		return err
	}
	if root != quotaRoot {
		return fmt.Errorf("%w: %q", mailstore.ErrNoSuchQuotaRoot, root)
	}
	return s.u.setLimits(limits)
}

// setLimits replaces the user's limits.
func (u *user) setLimits(limits []imap.QuotaResource) error {
	m, err := quotaLimits(limits)
	if err != nil {
		return err
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	u.limits = m
	return nil
}

// SetQuota replaces a user's quota limits, as SETQUOTA does (RFC 9208
// §4.1.3): the Name (mailstore.QuotaStorage, in units of 1024 octets, or
// mailstore.QuotaMessage) and Limit of each resource; a resource left out
// is no longer limited, and nil removes every limit. It is for the
// program that embeds the Backend, whatever Options.QuotaSet says.
// Another resource, or one named twice, gives mailstore.ErrNotAllowed; an
// unknown user ErrNoSuchUser. Lowering a limit below the usage deletes
// nothing: it refuses further additions.
func (b *Backend) SetQuota(user string, limits []imap.QuotaResource) error {
	u := b.lookup(user)
	if u == nil {
		return fmt.Errorf("%w: %q", ErrNoSuchUser, user)
	}
	return u.setLimits(limits)
}
