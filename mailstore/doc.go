// Package mailstore is the contract between the protocol servers (IMAP,
// POP3) and the places mail is kept: c-client's driver table in Go. The
// servers and tools talk only to these interfaces; a store implements them
// once and is served by every protocol.
//
// The contract has three levels:
//
//   - Backend opens a user's Store after an Authenticator has said who the
//     user is.
//   - Store is one user's mail for one session: the mailbox list, mailbox
//     management (create, delete, rename with RFC 3501's INBOX rule,
//     subscriptions), STATUS, APPEND, and opening a mailbox.
//   - Mailbox is an open view of one mailbox for one session. It holds the
//     session's list of messages (so message sequence numbers are its
//     positions) and changes it only when the session asks: Poll applies
//     what other sessions did (new messages, flag changes, expunges) and
//     returns those changes in order, so that a server can send EXISTS,
//     FETCH and EXPUNGE (or VANISHED) exactly when the protocol allows
//     (RFC 3501 §7.4.1, RFC 9051 §7.5.1). A view's own changes (STORE,
//     EXPUNGE, MOVE) are applied to it at once and returned by the call that
//     made them.
//
// Messages are addressed by UID. Every message has a MODSEQ and every
// mailbox a HIGHESTMODSEQ (RFC 7162), as part of the core contract, so
// CONDSTORE and QRESYNC work on every store. UIDs strictly ascend and are
// never reused within one UIDVALIDITY.
//
// Message contents flow as streams: Append reads an io.Reader once;
// OpenMessage gives an io.ReaderAt for partial fetches together with the
// message's structure from package mime, which a store may cache so that
// FETCH never re-parses a message.
//
// Search, sort and thread are optional: Search, Sort and Thread in this
// package serve every store with the generic matcher of package mime, as
// c-client's mail_search_default did; a store that can do better
// implements Searcher. Further abilities (quota, metadata, ACL) are small
// extra interfaces too.
//
// Package storetest checks that an implementation keeps every rule of the
// contract, concurrency included.
package mailstore
