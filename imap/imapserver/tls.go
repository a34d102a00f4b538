package imapserver

import (
	"crypto/tls"
	"log/slog"

	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/netserve"
)

// cmdStartTLS is STARTTLS (RFC 3501 §6.2.1, RFC 9051 §6.2.1). The tagged
// OK is written here, in the clear, and the TLS handshake begins right
// after its CRLF. The stream is then rebuilt over the TLS connection, so
// whatever the client sent after the STARTTLS line in the clear (read
// ahead into the old buffer) is thrown away: RFC 9051 §6.2.1 option 2
// against plaintext command injection (CVE-2011-0411). Bytes the old
// buffer had not read yet become the start of the handshake, which they
// break (option 1). Either way no command sent in the clear runs under
// TLS.
func (c *conn) cmdStartTLS(cmd *wire.Command) *status {
	if c.tls {
		// RFC 9051 §6.2.1: BAD after TLS, and always on an Implicit
		// TLS port.
		return bad("TLS is already active")
	}
	if c.srv.TLSConfig == nil {
		return no(nil, "TLS is not available")
	}
	if c.comp != nil {
		// After UNAUTHENTICATE under COMPRESS: TLS would have to go
		// under the compression layer already in use.
		return bad("TLS cannot start under COMPRESS")
	}
	c.tagged(cmd.Tag, ok("Begin TLS negotiation now"))
	if c.flush() != nil {
		c.state = stateLogout
		return sentStatus
	}
	if n := c.dec.Buffered(); n > 0 {
		c.log.Info("discarding octets sent in the clear after STARTTLS", "octets", n)
	}
	tc := tls.Server(c.nc, c.srv.TLSConfig)
	if netserve.Handshake(c.ctx, tc, c.lim.LoginTimeout, c.log, slog.LevelInfo, c.traceEvent) != nil {
		c.state = stateLogout
		return sentStatus
	}
	c.tls = true
	c.auth.tlsConn = tc
	c.setStream(tc)
	return sentStatus
}

// handshakeImplicit completes the TLS handshake of an implicit TLS
// connection (Server.ServeTLS) before the greeting, within the login
// timeout, so that the greeting's capabilities can offer what depends on
// TLS (SCRAM-SHA-256-PLUS, EXTERNAL). It does nothing on other
// connections.
func (c *conn) handshakeImplicit() error {
	return netserve.HandshakeImplicit(c.ctx, c.nc, c.lim.LoginTimeout, c.log, c.traceEvent)
}

// tlsState returns the state of the connection's TLS layer, implicit
// (Server.ServeTLS) or started by STARTTLS, once its handshake is done.
func (c *conn) tlsState() (tls.ConnectionState, bool) {
	return netserve.TLSState(c.auth.tlsConn, c.nc)
}
