package mailstore

import (
	"fmt"
	"maps"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// Helpers shared by the stores of this module (memstore, maildir): the
// checks and rules of the optional abilities that do not depend on how a
// store keeps its data.

// MetadataAdmin is the server entry clients cannot change (RFC 5464
// §3.2.1.1: "This entry is always read-only").
const MetadataAdmin = "/shared/admin"

// MetadataChange is a checked SETMETADATA entry: a canonical name and
// the value (nil removes).
type MetadataChange struct {
	Name  string
	Value *string
}

// CheckMetadataChanges checks the entries of a SetMetadata on a mailbox
// (server: on the server) and returns them canonical. Names go through
// CanonicalMetadataName; a scope name gives ErrInvalidMetadataName,
// /shared/admin on the server ErrPermission, and a value longer than
// maxSize (0: no limit) a *MetadataTooLargeError.
func CheckMetadataChanges(entries []imap.MetadataEntry, server bool, maxSize int64) ([]MetadataChange, error) {
	out := make([]MetadataChange, 0, len(entries))
	for _, e := range entries {
		name, err := CanonicalMetadataName(e.Name)
		if err != nil {
			return nil, err
		}
		if IsMetadataScope(name) {
			return nil, fmt.Errorf("%w: %q is a scope, not an entry", ErrInvalidMetadataName, e.Name)
		}
		if server && name == MetadataAdmin {
			return nil, fmt.Errorf("%w: %s is read-only", ErrPermission, MetadataAdmin)
		}
		c := MetadataChange{Name: name}
		if !e.Value.IsNil() {
			if size := int64(len(e.Value.S)); maxSize > 0 && size > maxSize {
				return nil, &MetadataTooLargeError{Name: name, Size: size, Max: maxSize}
			}
			v := e.Value.S
			c.Value = &v
		}
		out = append(out, c)
	}
	return out, nil
}

// CheckSharedMetadataChanges checks the entries a program sets on the
// server's shared entries, /shared/admin included and without limits,
// and returns them canonical. A name CanonicalMetadataName refuses, a
// scope or a /private name gives ErrInvalidMetadataName.
func CheckSharedMetadataChanges(entries []imap.MetadataEntry) ([]MetadataChange, error) {
	changes := make([]MetadataChange, 0, len(entries))
	for _, e := range entries {
		name, err := CanonicalMetadataName(e.Name)
		if err != nil {
			return nil, err
		}
		if IsMetadataScope(name) || IsPrivateMetadata(name) {
			return nil, fmt.Errorf("%w: %q is not a shared entry", ErrInvalidMetadataName, e.Name)
		}
		c := MetadataChange{Name: name}
		if !e.Value.IsNil() {
			v := e.Value.S
			c.Value = &v
		}
		changes = append(changes, c)
	}
	return changes, nil
}

// ApplyMetadataChanges returns m with the changes whose scope is private
// (or shared) applied, on a copy, and true; or m itself and false if no
// change has that scope. It gives ErrMetadataTooMany if the result holds
// more than limit (0: no limit) entries of that scope and more than m
// did, so that a change that adds no entries is never refused for it.
func ApplyMetadataChanges(m map[string]string, changes []MetadataChange, private bool, limit int) (map[string]string, bool, error) {
	var next map[string]string
	for _, c := range changes {
		if IsPrivateMetadata(c.Name) != private {
			continue
		}
		if next == nil {
			next = maps.Clone(m)
			if next == nil {
				next = make(map[string]string)
			}
		}
		if c.Value == nil {
			delete(next, c.Name)
		} else {
			next[c.Name] = *c.Value
		}
	}
	if next == nil {
		return m, false, nil
	}
	count := func(m map[string]string) int {
		n := 0
		for name := range m {
			if IsPrivateMetadata(name) == private {
				n++
			}
		}
		return n
	}
	if limit > 0 {
		if n := count(next); n > limit && n > count(m) {
			return nil, false, fmt.Errorf("%w: %d entries, the limit is %d", ErrMetadataTooMany, n, limit)
		}
	}
	return next, true, nil
}

// CanonicalMetadataNames checks names with CanonicalMetadataName and
// returns them canonical, in the same order.
func CanonicalMetadataNames(names []string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		c, err := CanonicalMetadataName(n)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// UpdateACL applies SETACL's change of identifier's rights (ApplyRights)
// to acl, identifier -> rights, and returns it: allocated if acl was nil
// and the identifier is left with rights; without the identifier if it
// is left with none. On error acl is unchanged.
func UpdateACL(acl map[string]string, identifier string, op RightsOp, rights string) (map[string]string, error) {
	r, err := ApplyRights(acl[identifier], op, rights)
	if err != nil {
		return acl, err
	}
	if r == "" {
		delete(acl, identifier)
		return acl, nil
	}
	if acl == nil {
		acl = make(map[string]string)
	}
	acl[identifier] = r
	return acl, nil
}

// OwnerListRights is LISTRIGHTS (RFC 4314 §3.4) for a store whose owner
// always has every right and that ties no rights together: for the owner
// every right as required; for any other identifier no required rights
// and each right of AllRights as a group of its own.
func OwnerListRights(owner bool) (string, []string) {
	if owner {
		return AllRights, nil
	}
	opt := make([]string, 0, len(AllRights))
	for _, r := range AllRights {
		opt = append(opt, string(r))
	}
	return "", opt
}

// QuotaKiB returns octets in units of 1024 octets, rounded up (RFC 9208
// §5.1).
func QuotaKiB(octets int64) uint64 { return (uint64(octets) + 1023) / 1024 }

// QuotaLimits checks SETQUOTA's limits for a store that can limit
// QuotaStorage and QuotaMessage, and returns them by resource name, in
// upper case. Another resource, or one named twice, gives ErrNotAllowed;
// store names the store in the message.
func QuotaLimits(store string, limits []imap.QuotaResource) (map[string]uint64, error) {
	m := make(map[string]uint64, len(limits))
	for _, r := range limits {
		name := strings.ToUpper(r.Name)
		if name != QuotaStorage && name != QuotaMessage {
			return nil, fmt.Errorf("%w: %s cannot limit the resource %q", ErrNotAllowed, store, r.Name)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("%w: resource %q given twice", ErrNotAllowed, r.Name)
		}
		m[name] = r.Limit
	}
	return m, nil
}

// CheckQuota returns ErrQuota if adding n messages of the given octets
// to a usage of messages and usedOctets would take a resource above its
// limit in limits (by QuotaLimits' names). A change that does not raise a
// resource's usage passes for it.
func CheckQuota(limits map[string]uint64, messages, usedOctets, n, octets int64) error {
	if l, ok := limits[QuotaMessage]; ok && n > 0 && uint64(messages+n) > l {
		return fmt.Errorf("%w: %d messages over the limit of %d", ErrQuota, messages+n, l)
	}
	if l, ok := limits[QuotaStorage]; ok && octets > 0 && QuotaKiB(usedOctets+octets) > l {
		return fmt.Errorf("%w: %d KiB over the limit of %d KiB", ErrQuota, QuotaKiB(usedOctets+octets), l)
	}
	return nil
}

// QuotaReport returns, for GETQUOTA, each of resources that limits
// limits, in that order, with its limit and its usage: messages for
// QuotaMessage, QuotaKiB(octets) for QuotaStorage. It is never nil.
func QuotaReport(resources []string, limits map[string]uint64, messages, octets int64) []imap.QuotaResource {
	out := []imap.QuotaResource{}
	for _, name := range resources {
		l, ok := limits[name]
		if !ok {
			continue
		}
		r := imap.QuotaResource{Name: name, Limit: l, Usage: uint64(messages)}
		if name == QuotaStorage {
			r.Usage = QuotaKiB(octets)
		}
		out = append(out, r)
	}
	return out
}

// OptionLimit resolves a store option that limits something: 0 means the
// default def, a negative value no limit (0), any other value itself.
func OptionLimit[T int | int64](n, def T) T {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	default:
		return n
	}
}

// LookupMetadata returns, for GETMETADATA, the entries of the canonical
// names that lookup finds, in the order of names, each once (never nil).
func LookupMetadata(names []string, lookup func(name string) (string, bool)) []imap.MetadataEntry {
	out := []imap.MetadataEntry{}
	seen := make(map[string]bool, len(names))
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		if v, ok := lookup(name); ok {
			out = append(out, imap.MetadataEntry{Name: name, Value: imap.Str(v)})
		}
	}
	return out
}
