package mailstore

import (
	"context"
	"crypto/x509"
	"io"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// Authenticator decides who a client is. It is separate from Backend so
// that a store need know nothing of passwords: a server asks the
// Authenticator, then opens the user's Store.
type Authenticator interface {
	// Authenticate checks a user name and password (IMAP LOGIN, SASL
	// PLAIN, POP3 USER/PASS) and returns the canonical user name to open.
	// Wrong credentials and unknown users both give ErrAuthFailed.
	Authenticate(ctx context.Context, username, password string) (user string, err error)
}

// SecretLookup is implemented by an Authenticator that can give a user's
// shared secret, which the challenge-response mechanisms need: APOP
// (RFC 1939 §7) and CRAM-MD5 (RFC 2195). An unknown user gives
// ErrAuthFailed.
type SecretLookup interface {
	Secret(ctx context.Context, username string) (secret string, user string, err error)
}

// TokenAuthenticator is implemented by an Authenticator that accepts OAuth
// 2.0 bearer tokens. The protocol servers offer SASL OAUTHBEARER (RFC
// 7628) only when their Authenticator implements it, and only where they
// offer plaintext passwords: a bearer token is as good as a password to
// whoever sees it.
type TokenAuthenticator interface {
	// AuthenticateToken checks a bearer token and returns the canonical
	// user name to open. username is the authorization identity the
	// client named ("" when it named none, leaving the token to say who
	// it is). A rejected token gives ErrAuthFailed.
	AuthenticateToken(ctx context.Context, username, token string) (user string, err error)
}

// CertificateAuthenticator is implemented by an Authenticator that maps a
// verified TLS client certificate to a user, for SASL EXTERNAL (RFC 4422
// Appendix A). Without it, the protocol servers take the user to be the
// subject common name of the certificate. Either way EXTERNAL is offered
// only on a TLS connection whose client certificate the TLS configuration
// verified (tls.Config.ClientAuth and ClientCAs).
type CertificateAuthenticator interface {
	// AuthenticateCertificate returns the canonical user name for the
	// verified chains of a client certificate (leaf first, as in
	// tls.ConnectionState.VerifiedChains). authzid is the authorization
	// identity the client asked for, "" for the one the certificate
	// names. A certificate that names no user gives ErrAuthFailed.
	AuthenticateCertificate(ctx context.Context, chains [][]*x509.Certificate, authzid string) (user string, err error)
}

// Backend gives access to every user's mail.
type Backend interface {
	// Open returns a Store for an authenticated user. Each call returns a
	// new handle, owned by one session; handles of the same user share
	// the mail and see each other's changes.
	Open(ctx context.Context, user string) (Store, error)
}

// Store is one user's mail, as one session sees it. Its methods may be
// called from several goroutines at once.
//
// Mailbox names are full hierarchical names in UTF-8 (not modified
// UTF-7), levels separated by Delimiter. "INBOX" is case-insensitive and
// always exists (RFC 3501 §5.1).
type Store interface {
	// Delimiter is the hierarchy delimiter, such as '/' or '.'.
	Delimiter() rune

	// Mailboxes lists every mailbox of the user, subscribed or not, in
	// no particular order, and every subscribed name that is not a
	// mailbox, with the attribute \NonExistent and Subscribed set (LSUB
	// and LIST (SUBSCRIBED) show them; a plain LIST leaves them out).
	// Matching LIST patterns is the server's work.
	Mailboxes(ctx context.Context) ([]MailboxInfo, error)

	// CreateMailbox creates a mailbox (RFC 3501 §6.3.3), and any missing
	// superior levels. A name ending in the delimiter declares that
	// inferior names will be created under it; the store may then create
	// it as \Noselect or ignore the trailing delimiter.
	CreateMailbox(ctx context.Context, name string, opts *CreateOptions) error

	// DeleteMailbox deletes a mailbox and its messages (RFC 3501
	// §6.3.4). INBOX cannot be deleted (ErrNotAllowed). Deleting a name
	// that has inferiors keeps the inferiors and turns the name into
	// \Noselect. Open views of it are closed (their calls give
	// ErrClosed).
	DeleteMailbox(ctx context.Context, name string) error

	// RenameMailbox renames a mailbox and its inferiors (RFC 3501
	// §6.3.5). Renaming INBOX moves all its messages to a new mailbox
	// of the new name and leaves INBOX empty. The renamed mailbox keeps
	// its UIDVALIDITY. Open views of a renamed mailbox either keep
	// working or give ErrClosed; a store documents which.
	RenameMailbox(ctx context.Context, from, to string) error

	// SetSubscribed adds the name to the subscription list or removes it
	// (RFC 3501 §6.3.6, §6.3.7). A name may be subscribed whether or not
	// a mailbox of that name exists.
	SetSubscribed(ctx context.Context, name string, subscribed bool) error

	// Status returns a mailbox's counts without opening it (STATUS,
	// RFC 3501 §6.3.10, RFC 9051 §6.3.11).
	Status(ctx context.Context, name string) (*MailboxStatus, error)

	// Append adds a message to a mailbox (RFC 3501 §6.3.11), reading r
	// to its end once, in bounded memory. It returns the new message's
	// UID with the mailbox's UIDVALIDITY (RFC 4315 APPENDUID).
	Append(ctx context.Context, name string, r io.Reader, opts *AppendOptions) (*AppendResult, error)

	// OpenMailbox opens a view of a mailbox (SELECT, EXAMINE, or a POP3
	// maildrop). The view is the caller's; close it when done.
	OpenMailbox(ctx context.Context, name string, opts *OpenOptions) (Mailbox, error)

	// Close releases the handle. Views opened from it stay usable until
	// they are closed.
	Close() error
}

// MailboxInfo describes one mailbox in a listing.
type MailboxInfo struct {
	// Name is the full name.
	Name string
	// Attrs are the attributes the store knows: \Noselect,
	// \Noinferiors, \Marked/\Unmarked, special-use (RFC 6154). The
	// server derives \HasChildren/\HasNoChildren and \Subscribed itself.
	Attrs []imap.MailboxAttr
	// Subscribed reports whether the name is on the subscription list.
	Subscribed bool
}

// CreateOptions are the options of CreateMailbox.
type CreateOptions struct {
	// SpecialUse are the special-use attributes to give the mailbox
	// (RFC 6154 CREATE-SPECIAL-USE). A store that cannot keep them
	// returns ErrUseAttr.
	SpecialUse []imap.MailboxAttr
}

// MailboxStatus holds a mailbox's counts.
type MailboxStatus struct {
	Messages      uint32
	UIDNext       uint32
	UIDValidity   uint32
	Unseen        uint32 // messages without \Seen
	Deleted       uint32 // messages with \Deleted
	Recent        uint32 // IMAP4rev1 \Recent; 0 if the store does not track it
	Size          int64  // total octets (STATUS=SIZE)
	HighestModSeq uint64
	// MailboxID is the mailbox's OBJECTID (RFC 8474), "" if none.
	MailboxID string
}

// AppendOptions are the options of Append.
type AppendOptions struct {
	// Flags are set on the new message. \Recent is ignored.
	Flags []imap.Flag
	// InternalDate is the message's internal date; the zero time means
	// now.
	InternalDate time.Time
}

// AppendResult is the outcome of Append.
type AppendResult struct {
	UIDValidity uint32
	UID         uint32
}

// OpenOptions are the options of OpenMailbox.
type OpenOptions struct {
	// ReadOnly opens the view for reading (EXAMINE): changes give
	// ErrReadOnly and \Recent is not consumed.
	ReadOnly bool
}

// MessageInfo is what a view knows of a message without reading it.
type MessageInfo struct {
	UID          uint32
	Flags        []imap.Flag // system flags and keywords, \Recent excluded
	InternalDate time.Time
	Size         int64 // RFC822.SIZE
	ModSeq       uint64
	// Recent is the IMAP4rev1 \Recent flag as this view sees it: true
	// for messages that arrived since the last view that consumed it.
	Recent bool
}

// Mailbox is one session's open view of a mailbox. Its list of messages
// (UID ascending, so a message's sequence number is its index plus one)
// changes only through the view's own calls and Poll. A view is used by
// one goroutine at a time, except Updated, which may be waited on from any
// goroutine.
type Mailbox interface {
	// Name is the mailbox's name when the view was opened.
	Name() string
	// ReadOnly reports whether the view was opened read-only.
	ReadOnly() bool
	// UIDValidity is the mailbox's UIDVALIDITY.
	UIDValidity() uint32
	// UIDNext is the UID the next message will get, as of the view's
	// last Poll.
	UIDNext() uint32
	// HighestModSeq is the mailbox's HIGHESTMODSEQ as of the view's last
	// Poll (RFC 7162 §3.1.2.1). While the view holds back an expunge
	// (Poll with expunge false), it stays below that expunge's MODSEQ,
	// even when flag changes with higher MODSEQs have been reported
	// (RFC 7162 §3.2: a client that saw it must have seen every change
	// up to it).
	HighestModSeq() uint64
	// PermanentFlags are the flags the store keeps; \* in it means any
	// keyword may be created (RFC 3501 §7.1).
	PermanentFlags() []imap.Flag

	// Messages returns the view's list: the caller must not modify it,
	// and it stays valid until the view's next call. The same holds for
	// every MessageInfo a view returns (in FlagResult and Update): their
	// Flags slices may be shared with the store and are read-only.
	Messages() []MessageInfo

	// Poll brings the view up to date with the other sessions' changes
	// and returns them in the order they were made. With expunge false,
	// expunges are held back (RFC 3501 §7.4.1 forbids sending EXPUNGE
	// during FETCH, STORE and SEARCH) and new messages and flag changes
	// are applied. A view that falls too far behind is brought up to
	// date by comparing states, so no change is ever lost: see Update.
	Poll(ctx context.Context, expunge bool) ([]Update, error)

	// Updated returns a channel that receives a value when changes are
	// waiting for Poll (for IDLE). It is the same channel for the view's
	// life; after a receive, call Poll.
	Updated() <-chan struct{}

	// OpenMessage opens a message's content for reading. The content is
	// immutable: a message never changes once stored.
	OpenMessage(ctx context.Context, uid uint32) (Message, error)

	// SetFlags changes the flags of the messages with the given UIDs
	// (ascending) (STORE, RFC 3501 §6.4.6). With UnchangedSince set
	// (CONDSTORE, RFC 7162 §3.1.3), messages whose MODSEQ is greater are
	// left alone and reported in Failed. Every message whose flags
	// change gets a new MODSEQ greater than any before it in the
	// mailbox; a message whose flags do not change keeps its MODSEQ.
	// UIDs that no longer exist are ignored; UIDs of messages other
	// sessions added that the view has not polled yet are changed in the
	// mailbox and reported by a later Poll. The view applies the change
	// at once. An invalid flag (\Recent is ignored; \* or an unknown
	// system flag) gives ErrInvalidFlag.
	SetFlags(ctx context.Context, uids []uint32, change FlagChange) (*FlagResult, error)

	// Expunge permanently removes the messages with the given UIDs
	// (ascending) and returns what the view sends: their UIDs and
	// sequence numbers, in the order EXPUNGE responses must carry them
	// (each sequence number counted after the removals before it). The
	// server picks the UIDs (\Deleted ones, or UID EXPUNGE's subset).
	// UIDs the view has not polled yet are expunged from the mailbox and
	// reported by a later Poll.
	Expunge(ctx context.Context, uids []uint32) ([]Expunged, error)

	// Copy copies messages to another mailbox of the same store,
	// keeping flags and internal dates (RFC 3501 §6.4.7), and returns
	// the UID mapping (RFC 4315 COPYUID).
	Copy(ctx context.Context, uids []uint32, dest string) (*CopyResult, error)

	// Move moves messages to another mailbox (RFC 6851): a copy and an
	// expunge that happen together. It returns the UID mapping and what
	// the view sends for the expunge.
	Move(ctx context.Context, uids []uint32, dest string) (*CopyResult, []Expunged, error)

	// ExpungedSince returns the UIDs expunged from the mailbox with a
	// MODSEQ greater than modseq (QRESYNC VANISHED, RFC 7162 §3.2.5.1).
	// A store that has forgotten that far back returns all the UIDs up
	// to UIDNext that are not in the mailbox, which the RFC allows.
	ExpungedSince(ctx context.Context, modseq uint64) (imap.UIDSet, error)

	// Close releases the view.
	Close() error
}

// Message is an open message: its content and its structure.
type Message interface {
	io.ReaderAt
	// Size is the message's size in octets.
	Size() int64
	// Structure returns the message's MIME structure, from the store's
	// cache or by parsing the content once. The result is read-only: the
	// store may share it between callers.
	Structure(ctx context.Context) (*mime.Structure, error)
	// Close releases the message.
	Close() error
}

// FlagOp is how SetFlags changes flags.
type FlagOp int

// Flag operations (STORE FLAGS, +FLAGS, -FLAGS).
const (
	FlagsReplace FlagOp = iota
	FlagsAdd
	FlagsRemove
)

// FlagChange is a flag update for SetFlags.
type FlagChange struct {
	Op    FlagOp
	Flags []imap.Flag
	// UnchangedSince, if not zero, is the CONDSTORE precondition. Zero
	// means no precondition: "UNCHANGEDSINCE 0", which fails for every
	// message (RFC 7162 §3.1.3), is the server's to answer without
	// calling the store.
	UnchangedSince uint64
}

// FlagResult is the outcome of SetFlags.
type FlagResult struct {
	// Changed are the messages whose flags changed, with their new flags
	// and MODSEQ, in UID order.
	Changed []MessageInfo
	// Failed are the UIDs that failed the UnchangedSince test (the
	// MODIFIED response code).
	Failed []uint32
}

// Expunged is one expunged message as a view reports it.
type Expunged struct {
	UID uint32
	// Seq is the message's sequence number at the moment it was removed
	// from the view.
	Seq uint32
}

// CopyResult is the outcome of Copy and Move (RFC 4315 COPYUID).
type CopyResult struct {
	UIDValidity uint32 // of the destination
	// SourceUIDs[i] was copied to DestUIDs[i].
	SourceUIDs []uint32
	DestUIDs   []uint32
}

// UpdateKind says what an Update reports.
type UpdateKind int

// Kinds of update.
const (
	// UpdateNew: a message was added; Message holds it and Seq its new
	// sequence number (the view's new length is Seq).
	UpdateNew UpdateKind = iota + 1
	// UpdateFlags: a message's flags changed; Message holds its new
	// flags and MODSEQ, Seq its sequence number.
	UpdateFlags
	// UpdateExpunge: a message was removed; Message.UID and Seq (its
	// number at the moment of removal) identify it.
	UpdateExpunge
)

// Update is one change applied to a view by Poll.
type Update struct {
	Kind    UpdateKind
	Seq     uint32
	Message MessageInfo
}
