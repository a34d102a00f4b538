package imapserver

// Placeholders for the authentication commands; auth.go replaces them.

import (
	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

func (c *conn) authCaps() imap.CapSet { return imap.CapSet{"AUTH=PLAIN"} }

func (c *conn) cmdStartTLS(cmd *wire.Command) *status { return bad("not implemented yet") }

func (c *conn) cmdAuthenticate(cmd *wire.Command) *status { return bad("not implemented yet") }

func (c *conn) cmdUnauthenticate(cmd *wire.Command) *status { return bad("not implemented yet") }

// cmdLogin is LOGIN (RFC 3501 §6.2.3).
func (c *conn) cmdLogin(cmd *wire.Command) *status {
	if !c.plaintextAllowed() {
		return no(code(imap.CodePrivacyRequired), "LOGIN is disabled without TLS")
	}
	args := cmd.Args.(*imap.LoginCommand)
	return c.login(args.Username, args.Password)
}

// login checks credentials and opens the user's store.
func (c *conn) login(username, password string) *status {
	if c.srv.Authenticator == nil {
		return no(code(imap.CodeAuthenticationFailed), "Authentication failed")
	}
	user, err := c.srv.Authenticator.Authenticate(c.ctx, username, password)
	if err != nil {
		return c.storeError(err)
	}
	st, err := c.srv.Backend.Open(c.ctx, user)
	if err != nil {
		return c.storeError(err)
	}
	c.user, c.store, c.state = user, st, stateAuth
	return okCode(&imap.ResponseCode{Name: imap.CodeCapability, Caps: c.capabilities()}, "Logged in")
}
