// Package pop3 is the POP3 codec: command lines, status lines with RFC 2449
// response codes, multi-line responses with dot-stuffing streamed in both
// directions, SASL continuation lines (RFC 5034), capability and listing
// lines, and the session states of RFC 1939 §3 with the commands each
// allows.
//
// Like imap/wire, it knows bytes and types and nothing of sockets, sessions
// or stores: no goroutines, no network. pop3/pop3server and
// pop3/pop3client build on it; so can a proxy, a fuzzer or a test harness.
//
// # Reading and writing
//
// A Reader reads lines with a configurable length limit (a line over the
// limit is skipped to its end and reported as ErrLineTooLong, so the
// connection survives), and multi-line bodies through DotReader, which
// removes the stuffing and stops at the terminating ".CRLF" without
// buffering the body. A Writer writes commands, status lines, challenges
// and, through DotWriter, stuffed multi-line bodies from any stream.
// Message content keeps its CRLF line ends both ways: unlike
// net/textproto's DotReader, which turns CRLF into LF, DotReader returns
// the octets the sender's store held, so sizes reported by LIST match.
//
// # Strict and lenient
//
// Lenient, the zero Mode, accepts what real peers send beyond the ABNF of
// RFC 2449 §3: lower-case status indicators, bare LF line ends, several
// spaces between arguments, keywords of any length, response codes with
// characters outside rchar. Strict rejects every deviation, and the line
// lengths RFC 2449 §4 sets (255 octets for a command, 512 for the first
// line of a response).
package pop3
