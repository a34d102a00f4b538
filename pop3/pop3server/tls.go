package pop3server

import (
	"crypto/tls"
	"log/slog"
	"strconv"

	"github.com/mailaccess/mailaccess/internal/netserve"
	"github.com/mailaccess/mailaccess/pop3"
)

// cmdSTLS is STLS (RFC 2595 §4). The +OK is flushed in the clear and the
// TLS handshake begins right after its CRLF. Whatever the client sent
// after the STLS line in the clear and the server had already read is
// thrown away, so that no command injected before the handshake runs
// under TLS (the CVE-2011-0411 class); bytes not yet read become the
// start of the handshake, which they break. What the client said before
// (USER) is forgotten too (RFC 5034 §4); the session stays in the
// AUTHORIZATION state.
func (c *conn) cmdSTLS(cmd pop3.Command) {
	switch {
	case len(cmd.Args) != 0:
		c.syntaxError(cmd)
		return
	case c.isTLS:
		c.fail("", "Command not permitted when TLS active")
		return
	case c.srv.TLSConfig == nil:
		c.fail("", "TLS is not available")
		return
	case c.utf8:
		// RFC 6856 §2.1: clients must not issue STLS after UTF8.
		c.fail("", "STLS is not permitted after UTF8")
		return
	}
	c.ok("Begin TLS negotiation now")
	if c.flush() != nil {
		return
	}
	if n := c.r.Discard(); n > 0 {
		c.log.Info("discarding octets sent in the clear after STLS", "octets", n)
		c.traceEvent("discarded " + strconv.Itoa(n) + " octets sent in the clear after STLS")
	}
	tc := tls.Server(c.nc, c.srv.TLSConfig)
	if netserve.Handshake(c.ctx, tc, c.lim.LoginTimeout, c.log, slog.LevelInfo, c.traceEvent) != nil {
		c.quit = true
		return
	}
	c.isTLS, c.tlsConn, c.rw = true, tc, tc
	c.r.Reset(tc)
	c.userName, c.haveUser = "", false
}

// handshakeImplicit completes the TLS handshake of an implicit TLS
// connection (Server.ServeTLS) before the greeting, within the login
// timeout. It does nothing on other connections.
func (c *conn) handshakeImplicit() error {
	return netserve.HandshakeImplicit(c.ctx, c.nc, c.lim.LoginTimeout, c.log, c.traceEvent)
}

// tlsState returns the state of the connection's TLS layer, implicit
// (Server.ServeTLS) or started by STLS, once its handshake is done.
func (c *conn) tlsState() (tls.ConnectionState, bool) {
	return netserve.TLSState(c.tlsConn, c.nc)
}
