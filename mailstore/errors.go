package mailstore

import "errors"

// Errors a store returns, tested with errors.Is. A store may wrap them with
// detail (fmt.Errorf("%w: ...", ErrNoSuchMailbox)). The protocol servers
// map them to response codes (RFC 5530): ErrNoSuchMailbox to NONEXISTENT,
// ErrMailboxExists to ALREADYEXISTS, ErrNotAllowed to CANNOT, ErrQuota to
// OVERQUOTA, ErrTooBig to TOOBIG, ErrReadOnly and ErrPermission to
// NOPERM/READ-ONLY, ErrAuthFailed to AUTHENTICATIONFAILED. Any other error
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
)
