// Package maildial opens the connections of the protocol clients
// (imapclient, pop3client): plain TCP for a server that starts in the
// clear (and may upgrade with STARTTLS or STLS), implicit TLS (RFC 8314)
// otherwise, with the server's host name taken from its address for
// certificate verification.
package maildial

import (
	"context"
	"crypto/tls"
	"net"
)

// Dial connects to addr ("host:port") over TCP within ctx, with implicit
// TLS using TLSConfig(config, host) when implicitTLS is set, and starts a
// client on the connection: start's result, given the connection and the
// host of addr, is Dial's.
func Dial[C any](ctx context.Context, addr string, implicitTLS bool, config *tls.Config, start func(nc net.Conn, host string) (C, error)) (C, error) {
	host := HostOf(addr)
	var nc net.Conn
	var err error
	if implicitTLS {
		d := tls.Dialer{Config: TLSConfig(config, host)}
		nc, err = d.DialContext(ctx, "tcp", addr)
	} else {
		var d net.Dialer
		nc, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		var none C
		return none, err
	}
	return start(nc, host)
}

// HostOf returns the host of addr ("host:port"), or addr itself when it
// has no port.
func HostOf(addr string) string {
	if h, _, err := net.SplitHostPort(addr); err == nil {
		return h
	}
	return addr
}

// TLSConfig returns config for a connection to host: a configuration that
// verifies host when config is nil, or a copy of config with ServerName
// host when it has none. config itself is not modified.
func TLSConfig(config *tls.Config, host string) *tls.Config {
	if config == nil {
		return &tls.Config{ServerName: host}
	}
	if config.ServerName == "" {
		config = config.Clone()
		config.ServerName = host
	}
	return config
}
