package imapserver

import (
	"bytes"
	"errors"
	"slices"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// cmdIdle is IDLE (RFC 2177, RFC 9051 §6.3.13): changes to the selected
// mailbox are sent as they happen until the client sends DONE.
func (c *conn) cmdIdle(cmd *wire.Command) *status {
	c.wmu.Lock()
	c.enc.WriteContinuation("idling")
	err := c.flushLocked()
	c.wmu.Unlock()
	if err != nil {
		c.state = stateLogout
		return nil
	}
	// The reader waits at the barrier: the DONE line is ours to read.
	done := make(chan error, 1)
	go func() {
		line, err := c.dec.ReadLine()
		if err == nil && !bytes.EqualFold(bytes.TrimSpace(line), []byte("DONE")) {
			err = errNotDone
		}
		done <- err
	}()
	var updated <-chan struct{}
	if c.mbox != nil {
		updated = c.mbox.Updated()
		c.pollUpdates(true)
		c.flush()
	}
	timer := time.NewTimer(c.lim.AutoLogout)
	defer timer.Stop()
	for {
		select {
		case err := <-done:
			switch {
			case err == nil:
				return nil
			case errors.Is(err, errNotDone):
				return bad("Expected DONE")
			default:
				c.state = stateLogout
				return nil
			}
		case <-updated:
			if err := c.pollUpdates(true); err != nil {
				return c.storeError(err)
			}
			if c.flush() != nil {
				c.state = stateLogout
				return nil
			}
		case <-timer.C:
			c.bye("Autologout; idle for too long")
			c.state = stateLogout
			return nil
		case <-c.srv.shutdown:
			c.bye("Server shutting down")
			c.state = stateLogout
			return nil
		}
	}
}

var errNotDone = errors.New("expected DONE")

// cmdAppend completes APPEND (RFC 3501 §6.3.11, MULTIAPPEND RFC 3502):
// the messages were stored as they arrived (conn.streamAppend); this
// reports APPENDUID (RFC 4315).
func (c *conn) cmdAppend(cmd *wire.Command) *status {
	rs := c.cur.appended
	if len(rs) == 0 {
		return bad("APPEND without a message")
	}
	var uids imap.UIDSet
	var validity uint32
	for _, r := range rs {
		if r.err != nil {
			c.undoAppend(rs)
			return c.appendError(r.err)
		}
		uids.AddNum(r.res.UID)
		validity = r.res.UIDValidity
	}
	return okCode(&imap.ResponseCode{Name: imap.CodeAppendUID, Num: uint64(validity), Set: uids}, "APPEND completed")
}

// undoAppend removes the messages a failed MULTIAPPEND stored before the
// one that failed: "If the server fails to append any message, none of
// the messages are appended" (RFC 3502 §6.3.11). The messages were stored
// as they arrived, to stream them, so sessions idling on the mailbox may
// see them come and go; the outcome is the one the RFC asks for.
func (c *conn) undoAppend(rs []appendResult) {
	byMailbox := map[string][]uint32{}
	for _, r := range rs {
		if r.err == nil && r.res != nil {
			byMailbox[r.mailbox] = append(byMailbox[r.mailbox], r.res.UID)
		}
	}
	for name, uids := range byMailbox {
		slices.Sort(uids)
		mb, err := c.store.OpenMailbox(c.ctx, name, nil)
		if err == nil {
			_, err = mb.Expunge(c.ctx, uids)
			mb.Close()
		}
		if err != nil {
			c.log.Warn("could not remove the messages of a failed MULTIAPPEND", "mailbox", name, "uids", uids, "err", err)
		}
	}
}

// appendError answers a failed APPEND: a mailbox that does not exist gets
// NO [TRYCREATE] (RFC 3501 §6.3.11, RFC 9051 §6.3.12).
func (c *conn) appendError(err error) *status {
	if errors.Is(err, mailstore.ErrNoSuchMailbox) {
		return no(code(imap.CodeTryCreate), "No such mailbox")
	}
	return c.storeError(err)
}
