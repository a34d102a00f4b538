// Package imapclient is an IMAP4rev1 and IMAP4rev2 client (RFC 3501,
// RFC 9051) on the codec of package imap/wire.
//
// A Client is safe for use by many goroutines: commands go out as soon as
// they are issued (pipelining, RFC 9051 §5.5), a reader goroutine routes
// each response to the command that owns it by tag, and untagged data that
// no command claims goes to the Options.UnilateralData handler. The
// selected mailbox has a live view (Client.Mailbox) kept current from
// EXISTS, EXPUNGE, VANISHED and FETCH, like c-client's MAILSTREAM, with no
// global callbacks.
//
// IDLE (Client.Idle) does not take the Client away from other
// goroutines: a command issued while idling ends IDLE with DONE, goes out
// (with any others issued meanwhile), and IDLE is issued again once no
// command is left in flight, the IdleCommand staying the caller's handle.
//
// STARTTLS can upgrade a client already in use (Client.StartTLS), and
// DialStartTLS does it before anything else; octets the server sends in
// the clear after its OK fail the upgrade rather than being read as if
// they came over TLS.
//
// COMPRESS=DEFLATE (Client.Compress, or Options.Compress after login)
// swaps the connection the same way, deflating in both directions with a
// sync flush after every command. The extensions of RFC 9208 (QUOTA),
// RFC 4314 (ACL) and RFC 5464 (METADATA) have typed methods, and Gmail's
// X-GM-EXT-1 its FETCH items, search keys and StoreGmailLabels. Sort and
// Thread compute the result in the client (SortLocal, ThreadLocal, with
// package mime's algorithms) when the server lacks SORT or the THREAD
// algorithm, as c-client did.
//
// Parsing is lenient by default: a malformed response is reported to
// Options.ErrorHandler and skipped, and the connection goes on. Known
// server bugs that need more than lenient parsing are worked around by
// name (Quirk): detected from the greeting, capabilities or responses,
// or set in Options.Quirks.
//
// Handlers (UnilateralData, ErrorHandler, FETCH body callbacks) run on the
// reader goroutine: they must not wait for another command of the same
// Client to complete, or the client stops reading (nor issue one while
// idling: it waits for the reader to see IDLE end). They may start
// goroutines that do.
package imapclient
