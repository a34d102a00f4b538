package mailstore

import (
	"context"

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

// QuotaStore is implemented by a Store that enforces quotas (RFC 9208).
type QuotaStore interface {
	// QuotaRoots returns the quota roots of a mailbox (GETQUOTAROOT).
	QuotaRoots(ctx context.Context, mailbox string) ([]string, error)
	// Quota returns a quota root's resources, usage and limits
	// (GETQUOTA).
	Quota(ctx context.Context, root string) ([]imap.QuotaResource, error)
}

// MetadataStore is implemented by a Store that keeps METADATA entries
// (RFC 5464). The mailbox "" holds the server entries.
type MetadataStore interface {
	// Metadata returns the named entries that exist.
	Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error)
	// SetMetadata sets entries; a NIL value removes the entry.
	SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error
}

// ACLStore is implemented by a Store that keeps access control lists
// (RFC 4314).
type ACLStore interface {
	// ACL returns a mailbox's access control list (GETACL).
	ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error)
	// SetACL sets (rights non-empty) or removes (rights "") an
	// identifier's rights (SETACL, DELETEACL).
	SetACL(ctx context.Context, mailbox, identifier, rights string) error
	// MyRights returns the rights of the store's user (MYRIGHTS).
	MyRights(ctx context.Context, mailbox string) (string, error)
}
