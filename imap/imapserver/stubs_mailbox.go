package imapserver

// Placeholders for the mailbox commands; mailbox.go replaces them.

import "github.com/mailaccess/mailaccess/imap/wire"

func (c *conn) cmdCreate(cmd *wire.Command) *status    { return bad("not implemented yet") }
func (c *conn) cmdDelete(cmd *wire.Command) *status    { return bad("not implemented yet") }
func (c *conn) cmdRename(cmd *wire.Command) *status    { return bad("not implemented yet") }
func (c *conn) cmdSubscribe(cmd *wire.Command) *status { return bad("not implemented yet") }
func (c *conn) cmdList(cmd *wire.Command) *status      { return bad("not implemented yet") }
func (c *conn) cmdNamespace(cmd *wire.Command) *status { return bad("not implemented yet") }
func (c *conn) cmdStatus(cmd *wire.Command) *status    { return bad("not implemented yet") }
