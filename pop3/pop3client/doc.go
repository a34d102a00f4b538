// Package pop3client is a POP3 client (RFC 1939) with the extensions of
// RFC 2449 (CAPA, response codes, PIPELINING), RFC 2595 (STLS), RFC 5034
// (SASL AUTH, with SCRAM-SHA-256 and XOAUTH2 helpers) and RFC 6856 (UTF8),
// on the codec of package pop3.
//
// # Connecting
//
// Dial connects in plaintext, DialTLS with implicit TLS (port 995,
// RFC 8314), DialStartTLS upgrades with STLS before anything but CAPA is sent
// and never goes on in the clear; New and NewStartTLS take an existing
// connection. Each reads the greeting (its APOP timestamp is kept for
// APOP) and asks CAPA; a server that answers CAPA with -ERR is an RFC 1939
// server without extensions, and Caps is then empty. The capabilities are
// asked for again after STLS (RFC 2595 §4) and after authentication, since
// they may differ by state (RFC 2449 §5).
//
// # Concurrency and pipelining
//
// A Client is safe for use by many goroutines. POP3 has no tags: answers
// come in the order of the commands. When the server announces PIPELINING
// (RFC 2449 §6.6), a command is written at once and its goroutine waits
// for its turn to read the answer; otherwise a command is written only once
// every earlier answer has been read (lock-step). STLS, AUTH and QUIT are
// always sent alone. RetrEach pipelines many RETR commands from one
// goroutine, keeping a bounded number in flight (Options.PipelineWindow) so
// that neither side can block the other on a full TCP window.
//
// # Message bodies and the rules that rule out a deadlock
//
// Retr and Top return a *Body that streams the message from the
// connection, dot-stuffing removed and line ends as the server sent them
// (CRLF): a 100 MB message passes in bounded memory. Because the octets of
// an unread body are next on the connection, the answers to every later
// command, whichever goroutine issued it, are behind it. Hence the rules:
//
//  1. Read a Body to io.EOF or Close it; Close discards what is left (the
//     connection stays in step) and is always safe, so defer it. Reading
//     after Close returns ErrBodyClosed.
//  2. The goroutine that called Retr or Top must finish the Body before it
//     issues another command on the same Client. Such a command fails at
//     once with ErrBodyOpen instead of waiting forever for an answer that
//     its own unread body holds back. The check is by goroutine: it also
//     fires when the Body was handed to another goroutine to read.
//  3. Inside the function given to RetrEach the same holds: a command
//     issued from it fails with ErrBodyOpen, and the io.Reader it receives
//     is valid only until it returns (later reads return ErrBodyClosed).
//  4. Commands of other goroutines wait until the Body is finished. What
//     the client cannot see is a wait across goroutines: if the goroutine
//     holding a Body waits (on a channel, a sync.WaitGroup, ...) for
//     another goroutine that waits for a command on this Client, both wait
//     until a context ends. Give such commands a deadline. A command whose
//     context ends while it waits for its turn returns at once and leaves
//     the connection usable (see below), so the Body can still be read.
//
// Retr's context governs the whole command, body included, as a request's
// context does for an HTTP response body: cancelling it while the body is
// being read closes the connection.
//
// # Contexts
//
// Every blocking method takes a context. If it ends before the command is
// written, the method returns ctx.Err() and nothing is sent. If it ends
// while a written command waits for the answers before its own (pipelining),
// the method returns ctx.Err() at once; the answer is read and discarded
// when it arrives and the connection goes on, but the command may have
// taken effect (a DELE, for example). If it ends while the command is being
// written or its answer read, the connection is closed: POP3 has no way to
// abort a command and stay in step with the server. The call then returns an
// error matching both ErrClosed and the context's error, and every later
// call returns an error matching ErrClosed.
//
// # Errors
//
// A negative answer is a *pop3.Error; errors.Is matches response codes
// (RFC 2449 §8, RFC 3206), so errors.Is(err, &pop3.Error{Code:
// pop3.CodeInUse}) tells a locked maildrop from bad credentials
// (pop3.CodeAuth). QUIT's -ERR means that the server could not remove the
// messages marked as deleted (RFC 1939 §6).
//
// # Strict and lenient
//
// Parsing is lenient by default (pop3.Lenient): a malformed line of a CAPA,
// LIST or UIDL listing, or one over Options.MaxLine, is reported to
// Options.ErrorHandler and skipped, and the rest of the listing is
// returned. With Options.Mode set to pop3.Strict such a line fails the
// command (the entries read are returned with the error). Either way the
// listing is read to its end and the connection stays in step. A status
// line that cannot be parsed closes the connection: the client could no
// longer tell where the answer ends.
package pop3client
