// Package imapserver is an IMAP4rev1 and IMAP4rev2 server (RFC 3501,
// RFC 9051) over any mailstore.Backend, in the style of net/http: a Server
// owns listeners, connections, the session state machine, limits and
// timeouts; everything about mail lives behind the mailstore contract.
//
//	srv := &imapserver.Server{Backend: b, Authenticator: b}
//	ln, _ := net.Listen("tcp", "127.0.0.1:1143")
//	go srv.Serve(ln)
//	...
//	srv.Shutdown(ctx)
//
// Each connection has two goroutines. The reader decodes commands ahead
// of the executor (pipelining, RFC 9051 §5.5) into an unbounded queue, so a
// client that pipelines many commands before reading any response never
// deadlocks the server; the executor runs them in order and writes the
// responses in order. Commands that change the stream (STARTTLS,
// AUTHENTICATE, IDLE, COMPRESS) stop the reader until they are done, and
// an APPEND streams its message to the store once the commands before it
// have finished, so pipelined commands keep their order.
//
// Other sessions' changes reach a session through its mailbox view
// (mailstore.Mailbox.Poll) after each command, as EXISTS, EXPUNGE or
// VANISHED and FETCH FLAGS, never EXPUNGE during FETCH, STORE or SEARCH
// (RFC 3501 §7.4.1), and at once during IDLE.
//
// # Extensions that depend on the store
//
// QUOTA and QUOTASET (RFC 9208), ACL (RFC 4314) and METADATA and
// METADATA-SERVER (RFC 5464) are advertised after login, and only when the
// user's mailstore.Store implements mailstore.QuotaStore (QuotaSetter),
// mailstore.ACLStore or mailstore.MetadataStore; otherwise their commands
// are answered as unknown. COMPRESS=DEFLATE (RFC 4978) is offered after
// login unless Server.DisableCompress is set; a compressed session costs
// about 1.2 MiB for Go's deflater and inflater.
package imapserver
