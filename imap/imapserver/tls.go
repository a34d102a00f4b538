package imapserver

import (
	"context"
	"crypto/tls"

	"github.com/xdg-go/scram"

	"github.com/mailaccess/mailaccess/imap/wire"
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
	c.tagged(cmd.Tag, ok("Begin TLS negotiation now"))
	if c.flush() != nil {
		c.state = stateLogout
		return sentStatus
	}
	if n := c.dec.Buffered(); n > 0 {
		c.log.Info("discarding octets sent in the clear after STARTTLS", "octets", n)
	}
	tc := tls.Server(c.nc, c.srv.TLSConfig)
	ctx, cancel := context.WithTimeout(c.ctx, c.lim.LoginTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		c.log.Info("TLS handshake failed", "err", err)
		c.traceEvent("TLS handshake failed: " + err.Error())
		c.state = stateLogout
		return sentStatus
	}
	c.tls = true
	c.auth.tlsConn = tc
	cs := tc.ConnectionState()
	c.traceEvent("TLS started: " + tls.VersionName(cs.Version) + " " + tls.CipherSuiteName(cs.CipherSuite))
	c.setStream(tc)
	return sentStatus
}

// handshakeImplicit completes the TLS handshake of an implicit TLS
// connection (Server.ServeTLS) before the greeting, within the login
// timeout, so that the greeting's capabilities can offer what depends on
// TLS (SCRAM-SHA-256-PLUS, EXTERNAL). It does nothing on other
// connections.
func (c *conn) handshakeImplicit() error {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(c.ctx, c.lim.LoginTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.log.Debug("TLS handshake failed", "err", err)
		c.traceEvent("TLS handshake failed: " + err.Error())
		return err
	}
	cs := tc.ConnectionState()
	c.traceEvent("TLS started: " + tls.VersionName(cs.Version) + " " + tls.CipherSuiteName(cs.CipherSuite))
	return nil
}

// tlsState returns the state of the connection's TLS layer, implicit
// (Server.ServeTLS) or started by STARTTLS, once its handshake is done.
func (c *conn) tlsState() (tls.ConnectionState, bool) {
	tc := c.auth.tlsConn
	if tc == nil {
		tc, _ = c.nc.(*tls.Conn)
	}
	if tc == nil {
		return tls.ConnectionState{}, false
	}
	cs := tc.ConnectionState()
	return cs, cs.HandshakeComplete
}

// channelBinding returns the tls-exporter channel binding (RFC 9266) of
// the connection for SCRAM-SHA-256-PLUS. It is offered on TLS 1.3 only:
// RFC 9266 §2 needs TLS 1.3 or the extended master secret, which Go does
// not report.
func (c *conn) channelBinding() (scram.ChannelBinding, bool) {
	cs, ok := c.tlsState()
	if !ok || cs.Version != tls.VersionTLS13 {
		return scram.ChannelBinding{}, false
	}
	cb, err := scram.NewTLSExporterBinding(&cs)
	if err != nil {
		return scram.ChannelBinding{}, false
	}
	return cb, true
}
