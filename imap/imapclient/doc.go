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
// Parsing is lenient by default: a malformed response is reported to
// Options.ErrorHandler and skipped, and the connection goes on.
//
// Handlers (UnilateralData, ErrorHandler, FETCH body callbacks) run on the
// reader goroutine: they must not wait for another command of the same
// Client to complete, or the client stops reading. They may start
// goroutines that do.
package imapclient
