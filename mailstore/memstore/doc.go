// Package memstore is an in-memory mail store: the embedded default of
// package mailstore for tests, examples and the example mail server. It
// implements the whole contract (mailstore.Backend, mailstore.Store,
// mailstore.Mailbox, mailstore.Authenticator, mailstore.SecretLookup)
// and the optional mailstore.QuotaStore (with mailstore.QuotaSetter if
// Options.QuotaSet), mailstore.MetadataStore and mailstore.ACLStore, and
// keeps nothing on disk: all mail is lost when the Backend is dropped.
//
// # Users
//
// New returns an empty Backend; AddUser adds a user with a password, and
// every user starts with an empty INBOX. Authenticate compares passwords
// in constant time; an unknown user and a wrong password both give
// mailstore.ErrAuthFailed.
//
// # Mailbox names
//
// The hierarchy delimiter is '/'. Names are UTF-8; a name is refused with
// mailstore.ErrInvalidName when it is empty, is not valid UTF-8, holds a
// control character (C0, DEL or C1), has an empty level ("a//b", "/a") or
// is longer than MaxNameLength octets. INBOX is case-insensitive, also as
// the first level of a longer name ("inbox/Sent" is "INBOX/Sent"); other
// names are case-sensitive.
//
// CreateMailbox creates missing superior names as ordinary mailboxes
// (RFC 3501 §6.3.3 "SHOULD create any superior hierarchical names") and
// ignores one trailing delimiter. DeleteMailbox of a name that has
// inferiors keeps the name as \Noselect (RFC 3501 §6.3.4); such a name can
// be created again (it then becomes selectable) or deleted once its
// inferiors are gone. RenameMailbox moves the inferiors with the name and
// keeps UIDVALIDITY and MAILBOXID; renaming INBOX (RFC 3501 §6.3.5)
// moves its messages to a new mailbox with a new UIDVALIDITY and leaves
// INBOX empty, with its UIDVALIDITY and UIDNEXT unchanged. Open views of
// a renamed mailbox keep working (their Name stays the old name); views
// of a deleted mailbox are closed and their calls give
// mailstore.ErrClosed. OpenMailbox, Status, Append and the destination of
// Copy and Move give mailstore.ErrNotAllowed for a \Noselect name.
//
// Subscriptions are names, independent of mailboxes: deleting or renaming
// a mailbox leaves them alone (RFC 3501 §6.3.6). Mailboxes lists a
// subscribed name that has no mailbox with the attribute \NonExistent
// (RFC 5258 §3), so that LSUB and LIST (SUBSCRIBED) can report it.
//
// # Views and changes
//
// Every open view keeps its own message list and its own queue of the
// changes other views (and Append) made. Poll applies the queue in order.
// With expunge false, Poll holds back expunges: a message expunged by
// another session stays in the view's list (so sequence numbers of the
// messages after it, and of new messages, stay those the client knows)
// until a Poll with expunge true reports it; new messages and flag
// changes made after the held expunge are still applied and reported.
// While a view holds back an expunge, its HighestModSeq stays below the
// MODSEQ of that expunge, as RFC 7162 §3.2 requires of a server that sends
// MODSEQ data while delaying EXPUNGE, so a client that resynchronises
// with QRESYNC from it still learns of the expunge.
//
// A message held back this way, or expunged after the caller opened it,
// stays readable: the content of a message never changes, and a Message
// returned by OpenMessage keeps it. Copy and Move of a held-back message
// copy it with the flags the view knows.
//
// A view whose queue grows beyond Options.MaxQueue stops queueing and is
// brought up to date by its next Poll by comparing its list with the
// mailbox (expunges and flag changes in one pass by UID, then new
// messages), so no change is lost; only the order of the reports differs.
//
// SetFlags and Expunge of a message the view has not learnt of yet (it
// arrived after the view's last Poll) change the mailbox and queue the
// change for the view's next Poll, after the message itself, instead of
// reporting it at once: the view cannot number a message it does not
// list. OpenMessage finds such a message too.
//
// \Recent (IMAP4rev1) follows RFC 3501 §2.3.2: a message is recent in the
// first read-write view to learn of it, either at OpenMailbox or at Poll.
// Read-only views show messages no read-write view has claimed as recent
// but do not claim them.
//
// # Flags and MODSEQ
//
// Flags are stored canonical: system flags spelled as the imap constants,
// keywords as first set and matched case-insensitively (imap.Flag.Equal),
// with no limit on keywords (PERMANENTFLAGS includes \*). \Recent in a
// change is ignored; other flag-extensions and malformed keywords give
// mailstore.ErrInvalidFlag. Every change (new message, flag change,
// expunge) takes the next MODSEQ of its mailbox, so HIGHESTMODSEQ is
// strictly increasing; expunges leave tombstones for ExpungedSince
// (bounded by Options.MaxTombstones).
//
// # Contents
//
// Append reads the message once, copying it into memory while package
// mime parses its structure, and keeps the structure, so OpenMessage never
// parses again. Large messages are kept in 256 KiB blocks: Append holds
// one copy of the message, never two.
//
// # Quota
//
// Every user has one quota root, named "" (RFC 9208 §4.2.2's example),
// which holds all of the user's mailboxes, whatever name GETQUOTAROOT
// asks about. It counts the resources STORAGE (the sum of the messages'
// sizes, in units of 1024 octets rounded up) and MESSAGE (§5.1, §5.2),
// and reports those that have a limit. Limits come from Options.Quota for
// every new user and from Backend.SetQuota; with Options.QuotaSet, a user
// may also set their own with SETQUOTA (mailstore.QuotaSetter). Usage
// changes with every append, copy, move, expunge, deletion of a mailbox
// and rename of INBOX; an Append, Copy or Move that would go over a
// limit gives mailstore.ErrQuota and stores nothing. A Move adds what it
// removes and is refused only for the held-back messages it copies,
// which are no longer in the mailbox. Lowering a limit below the usage
// deletes nothing; it refuses what would add more.
//
// # Metadata
//
// METADATA entries (RFC 5464) are kept per mailbox, private and shared,
// and for the server: each user's private server entries, and shared
// server entries common to every user of the Backend, which every user
// may change except /shared/admin, read-only to clients (§3.2.1.1) and
// set with Backend.SetServerMetadata. Values are limited to
// Options.MaxMetadataSize octets and entries to Options.MaxMetadataEntries
// in each of a mailbox's private entries, its shared entries, a user's
// private server entries and the shared server entries. A mailbox's
// entries follow it on RENAME, are copied on a rename of INBOX, and go
// with it on DELETE (§4.1).
//
// # Access control lists
//
// Every mailbox has an access control list (RFC 4314): SetACL and
// DeleteACL change the rights of any identifier but the owner's, a new
// mailbox starts with its parent's list (§4 CREATE), RENAME keeps it and
// DELETE drops it. The owner, the store's user, always has every right
// (mailstore.AllRights): ACL lists the owner with them, ListRights gives
// them as required, MyRights returns them, and SetACL and DeleteACL of
// the owner's identifier give mailstore.ErrNotAllowed. The lists are kept
// and reported but not enforced: a user reaches only their own mailboxes,
// so no one else's rights are ever asked about. Enforcing them belongs
// with shared namespaces (RFC 2342), which memstore does not have yet.
//
// # Concurrency
//
// One mutex per user guards all of the user's mailboxes and views; the
// Backend's user table has its own lock, and so have the shared server
// metadata entries (taken after a user's). Notifications on a view's
// Updated channel never block.
package memstore
