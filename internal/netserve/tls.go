package netserve

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"time"
)

// Handshake runs the server side of tc's TLS handshake (implicit TLS, or
// after STARTTLS/STLS), giving up after timeout or when ctx ends. A
// failure is logged at level and traced as "TLS handshake failed: ...";
// a success is traced as "TLS started: " with the version and cipher
// suite. trace is called with each event.
func Handshake(ctx context.Context, tc *tls.Conn, timeout time.Duration, log *slog.Logger, level slog.Level, trace func(event string)) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		log.Log(context.Background(), level, "TLS handshake failed", "err", err)
		trace("TLS handshake failed: " + err.Error())
		return err
	}
	cs := tc.ConnectionState()
	trace("TLS started: " + tls.VersionName(cs.Version) + " " + tls.CipherSuiteName(cs.CipherSuite))
	return nil
}

// HandshakeImplicit is Handshake for a connection served with implicit
// TLS (ServeTLS, or a *tls.Conn given to ServeConn), before the greeting
// and at debug level; on any other connection it does nothing.
func HandshakeImplicit(ctx context.Context, nc net.Conn, timeout time.Duration, log *slog.Logger, trace func(event string)) error {
	tc, ok := nc.(*tls.Conn)
	if !ok {
		return nil
	}
	return Handshake(ctx, tc, timeout, log, slog.LevelDebug, trace)
}

// TLSState returns the state of a connection's TLS layer once its
// handshake is complete: started, the layer STARTTLS (or STLS) started,
// or else nc itself when it is a *tls.Conn (implicit TLS). It reports
// false on a connection without TLS, and before the handshake is done.
func TLSState(started *tls.Conn, nc net.Conn) (tls.ConnectionState, bool) {
	tc := started
	if tc == nil {
		tc, _ = nc.(*tls.Conn)
	}
	if tc == nil {
		return tls.ConnectionState{}, false
	}
	cs := tc.ConnectionState()
	return cs, cs.HandshakeComplete
}
