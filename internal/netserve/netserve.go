// Package netserve is the connection plumbing the protocol servers
// (imapserver, pop3server) share, so that it is written once: the accept
// loop behind Serve, the set of live connections with its
// MaxConnections limit, and the graceful Shutdown and abrupt Close
// (server.go); the TLS handshake of implicit TLS and STARTTLS/STLS
// within a timeout and the TLS state a session's SASL mechanisms need
// (tls.go); the write timeout and the facts a session reads off its
// connection when it starts (conn.go); and the line format of the
// protocol trace (trace.go).
//
// It knows nothing of IMAP or POP3: what a session says when it is
// turned away, when it ends at shutdown, and which lines of the trace
// hide credentials stays with each protocol.
package netserve
