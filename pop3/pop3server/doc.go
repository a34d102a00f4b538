// Package pop3server is a POP3 server (RFC 1939) over any
// mailstore.Backend, in the style of imapserver and net/http: a Server
// owns listeners, connections, the session state machine, limits and
// timeouts; everything about mail lives behind the mailstore contract.
//
//	srv := &pop3server.Server{Backend: b, Authenticator: b}
//	ln, _ := net.Listen("tcp", "127.0.0.1:1110")
//	go srv.Serve(ln)
//	...
//	srv.Shutdown(ctx)
//
// It speaks the extensions of RFC 2449 (CAPA, response codes, PIPELINING,
// EXPIRE, LOGIN-DELAY, IMPLEMENTATION), RFC 3206 (the SYS/TEMP, SYS/PERM
// and AUTH response codes, AUTH-RESP-CODE), RFC 5034 (AUTH with SASL:
// PLAIN, LOGIN, SCRAM-SHA-256[-PLUS], OAUTHBEARER, EXTERNAL, initial
// responses), RFC 2595 (STLS) and RFC 6856 (UTF8), besides APOP, TOP and
// UIDL, and implicit TLS (ServeTLS).
//
// # The maildrop
//
// The maildrop is one mailbox of the user's Store, INBOX by default
// (Server.Mailbox). On login the server takes the exclusive access to it
// (RFC 1939 §4): a second session of the same user and maildrop waits a
// second for it (a client that reconnects right after dropping its
// connection thus gets in once the old session notices), then gets
// -ERR [IN-USE] and stays in the AUTHORIZATION state. The lock lives in
// the Server value, so it covers the sessions of one Server (one process);
// IMAP sessions and other processes may still change the mailbox. The
// list of messages is fixed at login, so message numbers never change
// during a session (RFC 1939 §5); a message another session expunges
// meanwhile is still listed, and RETR or TOP of it answers -ERR with the
// SYS/TEMP response code.
//
// DELE only marks. QUIT in the TRANSACTION state enters the UPDATE state
// (RFC 1939 §6): the messages RETR sent whole get \Seen (as in Dovecot
// and UW ipop3d) and the marked ones are expunged, each in one store call.
// A session that ends any other way (a dropped connection, the
// auto-logout timer, Shutdown) changes nothing: no deletion, no \Seen.
//
// Unique-ids (UIDL) derive from the mailbox's UIDVALIDITY and the
// message's UID, so they stay the same across sessions and whatever IMAP
// clients do; by default they are those of Dovecot (DefaultUIDL).
//
// # Pipelining and memory
//
// A session runs in one goroutine, lock-step: it reads a command, runs
// it, writes the response into a buffer, and flushes the buffer only when
// no further complete command is waiting in the read buffer, just before
// it would block reading. Pipelined commands (RFC 2449 §6.6) are thus
// answered in order, in large writes, and a client never waits for a
// response the server holds back. RFC 2449 §6.6 asks a pipelining client
// not to send more than the transport's window before it reads; within
// that rule no amount of pipelining deadlocks. RETR and TOP stream the
// message from the store (an io.ReaderAt) through the byte-stuffing
// writer in a 32 KiB buffer, so a message of any size passes in bounded
// memory.
//
// # UTF-8
//
// CAPA announces "UTF8 USER" (RFC 6856 §2): user names and passwords in
// UTF-8 are accepted (malformed UTF-8 is refused) and the UTF8 command
// is accepted in the AUTHORIZATION state. Messages are sent as the store
// holds them in either mode: refusing a message whose header is not
// ASCII to a client that did not send UTF8 (-ERR [UTF8], §5) would leave
// it on the server forever for most clients, which handle such headers
// anyway, and surrogate messages (RFC 6855 §7) are not generated.
//
// # Security
//
// USER/PASS and the plaintext SASL mechanisms are refused on connections
// that are neither TLS nor loopback unless InsecureAuth is set (RFC 5034
// §4); APOP and SCRAM are always available when the Authenticator gives
// secrets. Each failed authentication is answered after a delay that
// doubles, and the connection is closed after Limits.MaxAuthFailures of
// them, or after Limits.MaxBadCommands unknown or malformed commands
// before authentication.
package pop3server
