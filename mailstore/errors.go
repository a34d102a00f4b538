package mailstore

import (
	"errors"
	"fmt"
)

// Errors a store returns, tested with errors.Is. A store may wrap them with
// detail (fmt.Errorf("%w: ...", ErrNoSuchMailbox)). The protocol servers
// map them to response codes (RFC 5530): ErrNoSuchMailbox to NONEXISTENT,
// ErrMailboxExists to ALREADYEXISTS, ErrNotAllowed to CANNOT, ErrQuota to
// OVERQUOTA, ErrTooBig to TOOBIG, ErrReadOnly and ErrPermission to
// NOPERM/READ-ONLY, ErrAuthFailed to AUTHENTICATIONFAILED. The errors of
// the optional interfaces map to their RFCs' answers: ErrNoSuchQuotaRoot
// to NO (RFC 9208 §4.1.1), ErrMetadataTooLarge, ErrMetadataTooMany and
// ErrMetadataNoPrivate to NO [METADATA MAXSIZE n], [METADATA TOOMANY] and
// [METADATA NOPRIVATE] (RFC 5464 §4.3), ErrInvalidMetadataName and
// ErrInvalidRights to BAD (RFC 5464 §3.2, RFC 4314 §3.1). Any other error
// is an internal failure: NO [SERVERBUG] or [UNAVAILABLE], never a dropped
// connection.
var (
	// ErrAuthFailed: the credentials are wrong, or the user is unknown
	// (the two are not told apart, so as not to reveal which users exist).
	ErrAuthFailed = errors.New("mailstore: authentication failed")
	// ErrNoSuchMailbox: the named mailbox does not exist.
	ErrNoSuchMailbox = errors.New("mailstore: no such mailbox")
	// ErrMailboxExists: CREATE or RENAME onto an existing name.
	ErrMailboxExists = errors.New("mailstore: mailbox already exists")
	// ErrInvalidName: the name is not acceptable to the store (control
	// characters, a path escape, an empty level, too long).
	ErrInvalidName = errors.New("mailstore: invalid mailbox name")
	// ErrNotAllowed: the operation is valid but the store refuses it, such
	// as deleting INBOX (RFC 3501 §6.3.4) or selecting a \Noselect name.
	ErrNotAllowed = errors.New("mailstore: operation not allowed")
	// ErrUseAttr: the store cannot give a mailbox the special-use
	// attribute asked for (RFC 6154 §3, NO [USEATTR]).
	ErrUseAttr = errors.New("mailstore: special-use attribute not supported")
	// ErrInvalidFlag: a flag that cannot be stored: \*, an unknown
	// system flag, or a malformed keyword.
	ErrInvalidFlag = errors.New("mailstore: invalid flag")
	// ErrReadOnly: a change through a view opened read-only (EXAMINE).
	ErrReadOnly = errors.New("mailstore: mailbox is read-only")
	// ErrPermission: the user lacks the right (ACL) for the operation.
	ErrPermission = errors.New("mailstore: permission denied")
	// ErrNoSuchMessage: a UID that is not (or no longer) in the mailbox.
	ErrNoSuchMessage = errors.New("mailstore: no such message")
	// ErrQuota: the operation would exceed a quota (RFC 9208).
	ErrQuota = errors.New("mailstore: over quota")
	// ErrTooBig: the message exceeds the store's size limit (RFC 7889).
	ErrTooBig = errors.New("mailstore: message too big")
	// ErrClosed: the Store or Mailbox was closed, or the mailbox was
	// deleted or renamed under an open view.
	ErrClosed = errors.New("mailstore: closed")
	// ErrNoSuchQuotaRoot: a quota root the store does not have (RFC 9208
	// §4.1.1 "no such quota root").
	ErrNoSuchQuotaRoot = errors.New("mailstore: no such quota root")
	// ErrMetadataTooLarge: a metadata value longer than the store accepts
	// (RFC 5464 §4.3 MAXSIZE). Stores return it as a
	// *MetadataTooLargeError, which gives the limit.
	ErrMetadataTooLarge = errors.New("mailstore: metadata value too large")
	// ErrMetadataTooMany: more metadata entries than the store keeps on a
	// mailbox or the server (RFC 5464 §4.3 TOOMANY).
	ErrMetadataTooMany = errors.New("mailstore: too many metadata entries")
	// ErrMetadataNoPrivate: the store keeps no private metadata entries
	// (RFC 5464 §4.3 NOPRIVATE).
	ErrMetadataNoPrivate = errors.New("mailstore: private metadata not supported")
	// ErrInvalidMetadataName: a metadata entry name that breaks RFC 5464
	// §3.2 (see CanonicalMetadataName), or one that cannot be set.
	ErrInvalidMetadataName = errors.New("mailstore: invalid metadata entry name")
	// ErrInvalidRights: a rights string with a right the store does not
	// know (RFC 4314 §3.1; see CanonicalRights).
	ErrInvalidRights = errors.New("mailstore: invalid rights")
)

// MetadataTooLargeError is the error of SetMetadata for a value longer
// than the store accepts. It is ErrMetadataTooLarge for errors.Is, and
// Max gives the server the n of its NO [METADATA MAXSIZE n] (RFC 5464
// §4.3: "the maximum octet count that it is willing to accept").
type MetadataTooLargeError struct {
	// Name is the entry whose value is too large.
	Name string
	// Size is the length of the value, in octets.
	Size int64
	// Max is the longest value the store accepts, in octets.
	Max int64
}

// Error describes the refused value.
func (e *MetadataTooLargeError) Error() string {
	return fmt.Sprintf("%v: %s has %d octets, the limit is %d", ErrMetadataTooLarge, e.Name, e.Size, e.Max)
}

// Is reports whether target is ErrMetadataTooLarge.
func (e *MetadataTooLargeError) Is(target error) bool { return target == ErrMetadataTooLarge }
