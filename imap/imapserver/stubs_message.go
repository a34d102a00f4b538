package imapserver

// Placeholders for the message commands; message.go and fetch.go replace
// them.

import (
	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

func (c *conn) cmdFetch(cmd *wire.Command) *status   { return bad("not implemented yet") }
func (c *conn) cmdStore(cmd *wire.Command) *status   { return bad("not implemented yet") }
func (c *conn) cmdCopy(cmd *wire.Command) *status    { return bad("not implemented yet") }
func (c *conn) cmdMove(cmd *wire.Command) *status    { return bad("not implemented yet") }
func (c *conn) cmdExpunge(cmd *wire.Command) *status { return bad("not implemented yet") }

// qresyncSelect sends what SELECT (QRESYNC ...) owes the client
// (RFC 7162 §3.2.5): VANISHED (EARLIER) and FETCH of what changed.
func (c *conn) qresyncSelect(p *imap.QResyncParams) *status { return nil }
