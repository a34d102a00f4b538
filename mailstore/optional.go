package mailstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// The optional abilities of a store. A server checks for them with a type
// assertion and advertises the matching capability only when the store
// has it.

// Searcher is implemented by a Mailbox that evaluates SEARCH itself (with
// an index, or on a remote server). Without it, Search falls back to the
// generic matcher of package mime.
type Searcher interface {
	// Search returns the UIDs (ascending) of the view's messages that
	// match key.
	Search(ctx context.Context, key imap.SearchKey, opts *SearchOptions) ([]uint32, error)
}

// StructureReader is implemented by a Mailbox that can give a message's
// structure without opening its content, from a cache. FETCH ENVELOPE,
// BODY and BODYSTRUCTURE then never touch the message itself.
type StructureReader interface {
	// MessageStructure returns the structure of the message with the
	// given UID; ErrNoSuchMessage if the view does not have it. The
	// result is read-only: the store may share it between callers.
	MessageStructure(ctx context.Context, uid uint32) (*mime.Structure, error)
}

// Quota resources (RFC 9208 §5) that stores count.
const (
	// QuotaStorage is the STORAGE resource (RFC 9208 §5.1): the size of
	// the messages, in units of 1024 octets.
	QuotaStorage = "STORAGE"
	// QuotaMessage is the MESSAGE resource (RFC 9208 §5.2): the number
	// of messages.
	QuotaMessage = "MESSAGE"
)

// QuotaStore is implemented by a Store that counts and limits the use of
// resources (RFC 9208 QUOTA). A server advertises QUOTA for it, and one
// QUOTA=RES-<name> capability for each of QuotaResources (§3.1.1).
//
// Each mailbox has zero or more quota roots (§3.2); the mailboxes that
// share a root share its limits. Usage follows the definitions of §5:
//
//   - STORAGE (§5.1) is the sum of the sizes (RFC822.SIZE, as
//     MessageInfo.Size) of the messages in the root's mailboxes, in units
//     of 1024 octets rounded up: 1 to 1024 octets count as 1. Mailboxes
//     and metadata are not counted.
//   - MESSAGE (§5.2) is the exact number of those messages.
//
// A message an expunge removes stops counting at once, even while a view
// still lists it; a deleted mailbox's messages stop counting with it.
//
// Limits are hard: Append, Copy and Move fail with ErrQuota (the server's
// NO [OVERQUOTA], §4.3.1), and change nothing, when they would put the
// usage of a resource above its limit. A limit of 0 prohibits any use
// (§3.1.2); a STORAGE limit of L allows L*1024 octets. An operation that
// does not raise a resource's usage is never refused for it, even when a
// limit was lowered below the usage: expunging and deleting always work,
// and a Move within one quota root, which adds as much as it removes,
// succeeds at the limit.
type QuotaStore interface {
	// QuotaResources returns the names of the resources the store counts
	// and can limit, such as QuotaStorage and QuotaMessage, for the
	// QUOTA=RES- capabilities (RFC 9208 §3.1.1, §5).
	QuotaResources() []string

	// QuotaRoots returns the quota roots of a mailbox, possibly none
	// (GETQUOTAROOT, RFC 9208 §4.1.2, the QUOTAROOT response of §4.2.2).
	// The mailbox need not exist: the result is then the roots it would
	// have if it were created. An invalid name gives ErrInvalidName.
	QuotaRoots(ctx context.Context, mailbox string) ([]string, error)

	// Quota returns the resources a quota root limits, each with its
	// usage and limit, in the order of QuotaResources (GETQUOTA, RFC 9208
	// §4.1.1, the QUOTA response of §4.2.1). A resource the root does not
	// limit is left out ("Resources not named in the list are not
	// limited"), so a root without limits gives an empty list. An
	// unknown root gives ErrNoSuchQuotaRoot.
	Quota(ctx context.Context, root string) ([]imap.QuotaResource, error)
}

// QuotaSetter is implemented by a QuotaStore whose user may change
// limits (SETQUOTA, RFC 9208 §4.1.3); a server advertises QUOTASET only
// for a store that has it (§1). A store whose limits come from the
// program that embeds it does not implement it.
type QuotaSetter interface {
	// SetQuota replaces every limit of a quota root with limits (the Name
	// and Limit of each; Usage is ignored). A resource left out is no
	// longer limited (§4.1.3: "Any previous resource limits for the named
	// quota root are discarded"). Resource names are matched without
	// regard to case. A store may round a limit (§3.2); Quota reports the
	// limits in force. Errors change nothing: an unknown root gives
	// ErrNoSuchQuotaRoot; a resource the store cannot limit, or one named
	// twice, ErrNotAllowed; a user who may not set the root's limits
	// ErrPermission (§4.1.3 "NO - setquota error: can't set that data";
	// §6 asks for the "a" right).
	SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) error
}

// MetadataStore is implemented by a Store that keeps annotations on its
// mailboxes and on the server (RFC 5464). A server advertises METADATA
// and METADATA-SERVER for it. The mailbox "" stands for the server
// (§3.1, §4.1).
//
// Entry names are checked and folded by CanonicalMetadataName (§3.2):
// they are case-insensitive, and the store keeps and returns them in
// lower case. An entry under /private is the user's own, which no other
// user sees; an entry under /shared has one value for every user who can
// reach the mailbox, or for every user of the server (§3.3). A value is
// an octet string, possibly empty (imap.Str("")), which is not the same
// as no entry (NIL).
//
// A mailbox's entries follow it when it is renamed and are removed when
// it is deleted, so that a new mailbox of the same name starts without
// them; renaming INBOX copies its entries to the new mailbox and keeps
// them on INBOX (§4.1). \Noselect names may have entries too (§4.1).
//
// GETMETADATA's options are the server's to apply: MAXSIZE (§4.2.1) by
// leaving out the longer values, DEPTH (§4.2.2) by matching the names
// from MetadataNames with MetadataUnder. Unsolicited METADATA responses
// (§4.4.2) are not part of the contract.
type MetadataStore interface {
	// Metadata returns those of the named entries that exist, with their
	// values, in the order of names (GETMETADATA, RFC 5464 §4.2); a name
	// without an entry is left out. A scope name ("/private",
	// "/shared") has no entry. An invalid name gives
	// ErrInvalidMetadataName, a mailbox that does not exist
	// ErrNoSuchMailbox.
	Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error)

	// MetadataNames returns the names of every entry of the mailbox (of
	// the server for "") that the user sees, private and shared, in no
	// particular order: what a server matches DEPTH against (RFC 5464
	// §4.2.2).
	MetadataNames(ctx context.Context, mailbox string) ([]string, error)

	// SetMetadata sets entries and removes those whose Value is NIL
	// (SETMETADATA, RFC 5464 §4.3); removing an entry that does not exist
	// is no error, and when a name is given twice the last value wins.
	// It changes every entry or, on any error, none (§4.3: "the server
	// MUST NOT change the values for other annotations"). A store
	// accepts values of at least 1024 octets and at least 10 entries on
	// each mailbox and on the server (§4.1). Errors:
	//
	//   - ErrInvalidMetadataName: a name CanonicalMetadataName refuses,
	//     or a scope name, which cannot be set (the server answers BAD,
	//     §3.2);
	//   - a *MetadataTooLargeError, which is ErrMetadataTooLarge: a value
	//     longer than the store accepts (NO [METADATA MAXSIZE n]);
	//   - ErrMetadataTooMany: the change would leave more entries than
	//     the store keeps (NO [METADATA TOOMANY]); a change that does not
	//     add entries is not refused for it;
	//   - ErrMetadataNoPrivate: a /private entry on a store that keeps
	//     only shared ones (NO [METADATA NOPRIVATE]);
	//   - ErrPermission: an entry the user may not change, such as the
	//     server's /shared/admin, which clients cannot change
	//     (§3.2.1.1);
	//   - ErrNoSuchMailbox: the mailbox does not exist.
	SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error
}

// Metadata scopes, the first component of every entry name (RFC 5464
// §3.2).
const (
	MetadataPrivate = "/private"
	MetadataShared  = "/shared"
)

// CanonicalMetadataName checks an entry name by RFC 5464 §3.2 and returns
// it in lower case (entry names are case-insensitive). It refuses, with
// an error wrapping ErrInvalidMetadataName, a name that does not begin
// with a "/", has an empty component ("//" or a final "/"), holds "*",
// "%", a character outside printable ASCII (controls and DEL included),
// or whose first component is not "private" or "shared". The scope names
// "/private" and "/shared" themselves are accepted: they can be looked up
// (they have no entry) and start a DEPTH listing, but SetMetadata refuses
// them (§3.2: "Entry names can have any number of components starting at
// 2").
func CanonicalMetadataName(name string) (string, error) {
	if name == "" || name[0] != '/' {
		return "", fmt.Errorf("%w: %q does not begin with /", ErrInvalidMetadataName, name)
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c < 0x20 || c > 0x7e:
			return "", fmt.Errorf("%w: %q holds a character outside printable ASCII", ErrInvalidMetadataName, name)
		case c == '*' || c == '%':
			return "", fmt.Errorf("%w: %q holds %q", ErrInvalidMetadataName, name, c)
		case c == '/' && (i+1 == len(name) || name[i+1] == '/'):
			return "", fmt.Errorf("%w: %q has an empty component", ErrInvalidMetadataName, name)
		}
	}
	name = strings.ToLower(name)
	if !MetadataUnder(name, MetadataPrivate, MetadataDepthInfinity) && !MetadataUnder(name, MetadataShared, MetadataDepthInfinity) {
		return "", fmt.Errorf("%w: %q is neither under /private nor under /shared", ErrInvalidMetadataName, name)
	}
	return name, nil
}

// IsMetadataScope reports whether a canonical entry name is a scope,
// "/private" or "/shared", which can be looked up but not set.
func IsMetadataScope(name string) bool { return name == MetadataPrivate || name == MetadataShared }

// IsPrivateMetadata reports whether a canonical entry name is under
// /private, the user's own entries (RFC 5464 §3.2).
func IsPrivateMetadata(name string) bool {
	return MetadataUnder(name, MetadataPrivate, MetadataDepthInfinity)
}

// MetadataDepthInfinity is the depth of GETMETADATA's DEPTH infinity for
// MetadataUnder.
const MetadataDepthInfinity = -1

// MetadataUnder reports whether the canonical entry name is entry itself
// or lies below it by at most depth components (RFC 5464 §4.2.2): depth 0
// matches entry alone, 1 adds its children ("/a/b" under "/a", not
// "/a/b/c"), MetadataDepthInfinity every descendant.
func MetadataUnder(name, entry string, depth int) bool {
	if name == entry {
		return true
	}
	if depth == 0 || len(name) <= len(entry)+1 || !strings.HasPrefix(name, entry) || name[len(entry)] != '/' {
		return false
	}
	return depth < 0 || strings.Count(name[len(entry)+1:], "/") < depth
}

// AllRights are the access rights the ACL helpers know, in the order
// CanonicalRights writes them: RFC 4314 §2.1's l (lookup), r (read),
// s (keep \Seen), w (write flags), i (insert), p (post), k (create
// mailboxes), x (delete mailbox), t (delete messages), e (expunge) and
// a (administer), and n (write shared annotations; RFC 5257 §4.10, which
// METADATA servers use for /shared entries). A server advertises the
// ones RFC 2086 lacks as RIGHTS=texkn (RFC 4314 §5.1.1).
const AllRights = "lrswipkxtean"

// The obsolete rights of RFC 2086 (RFC 4314 §2.1.1) are virtual: "c"
// stands for "kx" and "d" for "et" (the mapping of the RFC's examples).
const (
	obsoleteCreate = "kx"
	obsoleteDelete = "et"
)

// RightsOp says how SetACL changes an identifier's rights (RFC 4314
// §3.1).
type RightsOp int

// Rights operations: SETACL's rights argument without a prefix, with
// "+", with "-".
const (
	RightsReplace RightsOp = iota
	RightsAdd
	RightsRemove
)

// ParseRightsModification splits SETACL's third argument (RFC 4314 §3.1)
// into its operation, given by a leading "+" or "-", and the rights that
// follow, which it does not check (CanonicalRights does).
func ParseRightsModification(mod string) (RightsOp, string) {
	switch {
	case strings.HasPrefix(mod, "+"):
		return RightsAdd, mod[1:]
	case strings.HasPrefix(mod, "-"):
		return RightsRemove, mod[1:]
	}
	return RightsReplace, mod
}

// CanonicalRights checks a rights string and returns the set it names in
// the order of AllRights, each right once, with the obsolete "c" and "d"
// replaced by the rights they stand for, "kx" and "et" (RFC 4314 §2.1.1:
// they "MUST be treated as if the client had included every member").
// Any other character, upper-case letters and the digits of site-defined
// rights included, gives an error wrapping ErrInvalidRights (§3.1: "an
// unrecognized right MUST cause the command to return the BAD
// response").
func CanonicalRights(rights string) (string, error) {
	var set [128]bool
	for i := 0; i < len(rights); i++ {
		c := rights[i]
		switch {
		case c == 'c':
			for _, m := range []byte(obsoleteCreate) {
				set[m] = true
			}
		case c == 'd':
			for _, m := range []byte(obsoleteDelete) {
				set[m] = true
			}
		case strings.IndexByte(AllRights, c) >= 0:
			set[c] = true
		default:
			return "", fmt.Errorf("%w: %q in %q", ErrInvalidRights, c, rights)
		}
	}
	out := make([]byte, 0, len(AllRights))
	for _, c := range []byte(AllRights) {
		if set[c] {
			out = append(out, c)
		}
	}
	return string(out), nil
}

// ApplyRights returns the rights an identifier has after SETACL changes
// its rights old by op and rights (RFC 4314 §3.1), as CanonicalRights
// writes them. Invalid rights give an error wrapping ErrInvalidRights.
func ApplyRights(old string, op RightsOp, rights string) (string, error) {
	r, err := CanonicalRights(rights)
	if err != nil {
		return "", err
	}
	switch op {
	case RightsReplace:
		return r, nil
	case RightsAdd:
		return CanonicalRights(old + r)
	case RightsRemove:
		o, err := CanonicalRights(old)
		if err != nil {
			return "", err
		}
		return strings.Map(func(c rune) rune {
			if strings.ContainsRune(r, c) {
				return -1
			}
			return c
		}, o), nil
	}
	return "", fmt.Errorf("%w: unknown rights operation %d", ErrNotAllowed, op)
}

// WithObsoleteRights returns rights with the virtual "c" added when it
// holds "k" or "x", and "d" when it holds "e" or "t", as the MYRIGHTS and
// ACL responses must show them (RFC 4314 §2.1.1 "the server MUST also
// include the "d" right").
func WithObsoleteRights(rights string) string {
	if strings.ContainsAny(rights, obsoleteCreate) && !strings.Contains(rights, "c") {
		rights += "c"
	}
	if strings.ContainsAny(rights, obsoleteDelete) && !strings.Contains(rights, "d") {
		rights += "d"
	}
	return rights
}

// WithObsoleteListRights adds the virtual "c" and "d" to a LISTRIGHTS
// answer (RFC 4314 §2.1.1, §3.7): to the required rights when one of
// their members is required; else, when a member can be granted, as a
// group of its own if the members are tied to no other right, or to the
// first group that ties a member to other rights.
func WithObsoleteListRights(required string, optional []string) (string, []string) {
	optional = slices.Clone(optional)
	for _, v := range []struct {
		right   string
		members string
	}{{"c", obsoleteCreate}, {"d", obsoleteDelete}} {
		if strings.Contains(required, v.right) || slices.ContainsFunc(optional, func(g string) bool { return strings.Contains(g, v.right) }) {
			continue
		}
		if strings.ContainsAny(required, v.members) {
			required += v.right
			continue
		}
		tied, grantable := -1, false
		for i, g := range optional {
			if !strings.ContainsAny(g, v.members) {
				continue
			}
			grantable = true
			if tied < 0 && strings.Trim(g, v.members) != "" {
				tied = i
			}
		}
		switch {
		case tied >= 0:
			optional[tied] += v.right
		case grantable:
			optional = append(optional, v.right)
		}
	}
	return required, optional
}

// ACLStore is implemented by a Store that keeps access control lists on
// its mailboxes (RFC 4314). A server advertises ACL and RIGHTS=texkn for
// it (§5.1.1).
//
// Rights are strings of right characters as CanonicalRights writes them:
// the store takes rights through CanonicalRights (so the obsolete "c" and
// "d" are expanded) and returns them that way; the server adds the
// virtual "c" and "d" to its responses with WithObsoleteRights and
// WithObsoleteListRights (§2.1.1).
//
// A mailbox's ACL is removed with the mailbox (§4: "The DELETE command
// MUST delete the ACL associated with the deleted mailbox") and kept by
// RENAME (§4: RENAME "SHOULD NOT change the ACLs"); a new mailbox should
// start with its parent's ACL (§4 CREATE).
//
// A mailbox that does not exist gives ErrNoSuchMailbox. ACL, SetACL,
// DeleteACL and ListRights need the "a" right on the mailbox, MyRights
// any of "l", "r", "i", "k", "x" and "a" (§4); without them a store gives
// ErrPermission. A store that lets its user reach other users' mailboxes
// enforces the rights of §4 in every operation of the contract with
// ErrPermission, and drops the flags the user may not set on APPEND and
// COPY rather than failing (§4).
type ACLStore interface {
	// ACL returns a mailbox's access control list: every identifier with
	// its rights (GETACL, RFC 4314 §3.3, the ACL response of §3.6), in no
	// particular order. An identifier left without rights is not listed.
	ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error)

	// SetACL changes an identifier's rights on a mailbox (SETACL, RFC
	// 4314 §3.1): op replaces them with rights, adds rights to them or
	// removes rights from them (ParseRightsModification splits the
	// command's argument). Rights CanonicalRights refuses give
	// ErrInvalidRights. An identifier the store does not accept, or one
	// whose rights it fixes (§2: "MAY force rights to always or never be
	// granted to particular identifiers"), gives ErrNotAllowed;
	// "anyone" (§2) is always accepted. Identifiers beginning with "-"
	// hold negative rights (§2), which a store may refuse with
	// ErrNotAllowed. Errors change nothing.
	SetACL(ctx context.Context, mailbox, identifier string, op RightsOp, rights string) error

	// DeleteACL removes an identifier from a mailbox's access control
	// list (DELETEACL, RFC 4314 §3.2). An identifier not in the list is
	// no error; one whose rights the store fixes gives ErrNotAllowed.
	DeleteACL(ctx context.Context, mailbox, identifier string) error

	// ListRights returns the rights an identifier can be given on a
	// mailbox (LISTRIGHTS, RFC 4314 §3.4, §3.7): the rights it always
	// has, and groups of optional rights, the rights of a group tied
	// together (granted all or none). No right appears twice.
	ListRights(ctx context.Context, mailbox, identifier string) (required string, optional []string, err error)

	// MyRights returns the rights the store's user has on a mailbox
	// (MYRIGHTS, RFC 4314 §3.5, §3.8).
	MyRights(ctx context.Context, mailbox string) (string, error)
}
