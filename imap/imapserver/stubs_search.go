package imapserver

// Placeholders for SEARCH, SORT and THREAD; search.go replaces them.

import "github.com/mailaccess/mailaccess/imap/wire"

func (c *conn) cmdSearch(cmd *wire.Command) *status { return bad("not implemented yet") }
func (c *conn) cmdSort(cmd *wire.Command) *status   { return bad("not implemented yet") }
func (c *conn) cmdThread(cmd *wire.Command) *status { return bad("not implemented yet") }
