// Package maildir is a durable mail store on Maildir++ directories
// (https://cr.yp.to/proto/maildir.html and Courier's Maildir++), the
// layout Dovecot, Courier and mutt use, so that an existing Maildir is
// served as it is. It implements mailstore.Backend, mailstore.Store and
// mailstore.Mailbox; Users is a small, separate mailstore.Authenticator.
//
// # Layout
//
// New(root, opts) serves one Maildir per user, root/<user> by default
// (Options.UserDir maps users to directories otherwise, for example to
// ~user/Maildir). A user's directory holds cur, new and tmp for INBOX;
// every other mailbox is a directory ".Name" beside them, with its own
// cur, new, tmp and an empty "maildirfolder" file. The hierarchy
// delimiter is '.' (Delimiter), as Maildir++ has it and as Dovecot shows
// it: "Work.Projects" lives in ".Work.Projects". A superior name without
// a directory of its own (".a.b" without ".a") is listed as \Noselect.
// Names are UTF-8 in the API and modified UTF-7 (RFC 3501 §5.1.3) on
// disk, Dovecot's default: "Entwürfe" is ".Entw&APw-rfe".
//
// Mailbox names are checked before they touch the file system
// (mailstore.ErrInvalidName): no empty level (so no leading, trailing or
// doubled '.', hence no "." or ".." directory), no "/", no control
// character or NUL, not longer than MaxNameLength nor encoding to a
// directory name over 250 octets. INBOX is case-insensitive, also as the
// first level ("inbox.Sent" is "INBOX.Sent"). A folder directory must
// resolve, through any symbolic link, to a place inside the user's
// directory.
//
// Message files are named "time.unique.host,S=size:2,FLAGS". The base
// name, before ':', identifies a message while other programs move it
// from new/ to cur/ or rename it to change its flags. The flag letters,
// in ASCII order, are D (\Draft), F (\Flagged), P (passed: shown as the
// keyword $Forwarded), R (\Answered), S (\Seen) and T (\Deleted);
// lower-case letters are keywords named in the folder's dovecot-keywords
// file, which is read when present (and never written: keywords it does
// not name are kept in the index only). Letters this store does not know
// are kept when it renames a file. A file's modification time is its
// internal date, as for Dovecot. Files other programs wrote with bare LF
// line ends (Dovecot's default) are served with CRLF, with RFC822.SIZE
// taken from the W= field of the name when present.
//
// Subscriptions are kept in Dovecot's "subscriptions" file in the user's
// directory (version 2), shared with Dovecot. Special-use attributes
// given at CreateMailbox are kept in "mailaccess-specialuse" in the
// folder.
//
// # Quota, ACL and metadata
//
// The Store implements mailstore.QuotaStore, mailstore.ACLStore and
// mailstore.MetadataStore (and mailstore.QuotaSetter with
// Options.QuotaSet); quota.go, acl.go and metadata.go describe their
// files.
//
// Quota works as Dovecot's "count" backend: one root, "", per user,
// covering all the user's folders, whose STORAGE (KiB, rounded up) and
// MESSAGE usage is summed from the folders' indexes (each folder's
// totals cached until its index changes), never by listing files.
// Limits come from Options.Quota, or from the user's "mailaccess-quota"
// file once SetQuota was used for the user. Append checks the quota once
// the message is in tmp/, before it is moved to cur/, and Copy before it
// writes anything, so a refused message leaves nothing behind; the check
// is not atomic with concurrent appends, which may overshoot a limit
// together.
//
// ACLs are Dovecot's vfile "dovecot-acl" files, one per mailbox
// directory, shared with Dovecot; the owner has every right. Metadata
// entries are in "mailaccess-metadata" files per mailbox and
// "mailaccess-server-metadata" per user (/private server entries), and
// the shared server entries in ".mailaccess-server-metadata" in the root.
// ACL and metadata files move with their folder on RENAME and go with it
// on DELETE; every one of these files is replaced by writing a temporary
// file, fsyncing it and renaming it.
//
// # The index
//
// Beside cur/new/tmp, each folder has an index of its own,
// "mailaccess-index": UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ, the first
// \Recent UID, the MAILBOXID (RFC 8474), the keyword names, every
// message's UID, MODSEQ, flags, keywords, internal date, size and file
// name, and the tombstones of expunged UIDs for ExpungedSince (the last
// Options.MaxTombstones of them). It is a journal: a snapshot record and
// then small records appended per change (a batch of flag changes on
// 10,000 messages is one record), each with a length and a CRC-32C, so
// that a record cut short by a crash is detected and dropped. When the
// records outgrow the snapshot (and Options.CompactAfter), the journal is
// compacted into a new file with one snapshot, renamed over the old one. A folder's MIME structures
// (mime.Structure in its binary form, computed while Append writes the
// message) are kept in "mailaccess-cache", which the index points into,
// so that opening a folder reads only the index.
//
// A Maildir that has no index yet is indexed when first opened; if
// Dovecot's dovecot-uidlist is there, its UIDVALIDITY and UIDs are kept,
// so that clients' caches stay valid. This store does not update
// dovecot-uidlist: serving one Maildir with Dovecot and this store at the
// same time is not supported (one after the other is).
//
// # Durability
//
// Append streams the message into tmp/ (parsing it on the way, in
// bounded memory), fsyncs it, and then, under the folder's lock, renames
// it into cur/, fsyncs the directory and appends the index record with
// the next UID, fsync'd, before it returns. SetFlags renames the files
// and fsyncs the directory before recording the change; Expunge unlinks
// the files first. So after a crash the index and the files can only
// disagree in one direction, which the next open repairs: a file without
// an index entry gets the next UID (its Append had not returned), an
// entry whose file is gone is expunged, a file whose flag letters differ
// gives a flag change. UIDs never go backwards: UIDNEXT is part of every
// record that hands out a UID, written before the UID is returned.
// Options.NoSync turns fsync off, for tests and benchmarks only.
//
// To notice files that other programs (a delivery agent, mutt) added,
// removed or renamed, the index records the modification times of new/
// and cur/ as of its last look: a folder is listed again (a scan) when
// they change, or once more shortly after a change, since a timestamp's
// granularity could hide a second change made within the same tick (so a
// session that keeps changing a large folder lists cur/ about once per
// burst of changes).
//
// # Processes and notifications
//
// Several processes (and several Backends in one process) may serve the
// same Maildir: every change to a folder's index is made under an
// exclusive flock(2) on "mailaccess-index.lock" in the folder, after
// reading what the others appended; readers need no lock, since a record
// is used only once it is whole. Creating, deleting and renaming
// mailboxes and subscriptions take "mailaccess-tree.lock" in the user's
// directory.
//
// Within a Backend, the views of one folder share an in-process
// switchboard: a change made through one view (or Append, Copy, Move) is
// queued for the others at once and signalled on their Updated channels.
// Changes made by other processes are read from the index (its new
// records, or its replacement after a compaction) when a view calls Poll
// or Status; and while some view has handed out its Updated channel (a
// session in IDLE), a watcher checks the index and the directories every
// Options.WatchInterval (one second by default) and signals the views
// when something changed. So that a Poll that finds nothing new costs
// no system call, the lock file's first 8 octets hold a change counter,
// mapped into memory by every process that has the folder open and
// incremented after every change to the index (and after a folder is
// deleted or renamed): Poll reads the index only when the counter moved,
// and at least every 20 ms whatever it says (which bounds the delay for
// what leaves it unchanged: a writer that crashed before incrementing
// it, an older version of this store, another program removing the
// folder). A view falls back to comparing states when its
// queue exceeds Options.MaxQueue, so that no change is lost.
//
// Views of a deleted or renamed mailbox are closed: their calls give
// mailstore.ErrClosed. \Recent follows RFC 3501 §2.3.2: a message is
// recent in the first read-write view to learn of it. A message expunged
// by another session cannot be opened any more (its file is gone):
// OpenMessage gives mailstore.ErrNoSuchMessage. When a view opens small
// messages in order (FETCH 1:* BODY[]), the next ones are read ahead by
// two goroutines, within the command (a Poll ends it).
package maildir
