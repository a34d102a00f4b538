// Package wire is the IMAP codec: a Decoder that turns the bytes of an IMAP
// connection into typed commands (for servers) or typed responses (for
// clients), and an Encoder that does the reverse. It is pure: no goroutines,
// no network, no sessions. Clients, servers, proxies, fuzzers and test
// harnesses all build on it.
//
// # Messages
//
// A message is one command or one response: a line, possibly continued
// across literals ({n}, {n+}, ~{n}). Decoder.ReadCommand and
// Decoder.ReadResponse each decode one message into a caller-supplied value.
// Strings in a decoded value share memory allocated for that message only,
// so they stay valid after the next call, and a decoded value may be kept.
//
// # Literals
//
// An announced literal allocates nothing until its bytes arrive. Literals
// that carry message data (FETCH BODY[], BINARY[], RFC822*, and the
// message of APPEND and REPLACE) are handed to Options.Stream, if set, as
// an io.Reader reading straight from the connection; whatever the handler
// leaves unread is discarded. Other literals, and message data when no
// handler is set, are read into memory up to Options.MaxMemoryLiteral. On
// the server side Options.Continue is called before a synchronizing
// literal is read, so the server can send its "+" continuation request or
// refuse the literal.
//
// # Handing the stream over
//
// When the connection changes under the codec (COMPRESS, STARTTLS) or a
// proxy stops decoding, Decoder.TakeBuffered returns the bytes read but
// not yet decoded.
//
// # Modes
//
// Strict mode rejects every deviation from the ABNF of RFC 3501 and
// RFC 9051 (with the extensions' ABNF). Lenient mode, the default, accepts
// what real servers send (see Mode).
//
// # Errors
//
// A malformed message yields a *SyntaxError (errors.Is(err, ErrSyntax))
// carrying the byte offset, an excerpt and what was expected; the decoder
// has then skipped the rest of that message, literals included, and the next
// call reads the next message. Limits yield errors that wrap ErrLimit.
// I/O errors are returned as they are, and end decoding.
package wire
