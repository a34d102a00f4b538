package pop3server

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// message is one message of the maildrop as the session sees it: the list
// is fixed when the session enters the TRANSACTION state (RFC 1939 §5), so
// message numbers are indexes plus one.
type message struct {
	uid       uint32
	size      int64
	deleted   bool // marked by DELE
	retrieved bool // sent whole by RETR: \Seen at QUIT
}

// openMaildrop opens the user's Store and maildrop and fixes the list of
// messages.
func (c *conn) openMaildrop(user string) error {
	st, err := c.srv.Backend.Open(c.ctx, user)
	if err != nil {
		return err
	}
	mb, err := st.OpenMailbox(c.ctx, c.srv.mailbox(), nil)
	if err != nil {
		st.Close()
		return err
	}
	infos := mb.Messages()
	msgs := make([]message, len(infos))
	var size int64
	for i, m := range infos {
		msgs[i] = message{uid: m.UID, size: m.Size}
		size += m.Size
	}
	c.user, c.store, c.mbox = user, st, mb
	c.uidValidity = mb.UIDValidity()
	c.msgs, c.liveCount, c.liveSize = msgs, len(msgs), size
	return nil
}

// closeMaildrop lets go of the maildrop and its exclusive access, without
// changing anything.
func (c *conn) closeMaildrop() {
	if c.mbox != nil {
		c.mbox.Close()
		c.mbox = nil
	}
	if c.store != nil {
		c.store.Close()
		c.store = nil
	}
	if c.lockKey != "" {
		c.srv.unlock(c.lockKey)
		c.lockKey = ""
	}
}

// dropSummary is "2 messages (320 octets)".
func (c *conn) dropSummary() string {
	return plural(c.liveCount, "message") + " (" + strconv.FormatInt(c.liveSize, 10) + " octets)"
}

// plural is "1 message", "2 messages".
func plural(n int, noun string) string {
	s := strconv.Itoa(n) + " " + noun
	if n != 1 {
		s += "s"
	}
	return s
}

// msgArg finds the message a message-number argument names. It answers
// -ERR itself for a malformed number, one beyond the maildrop, and a
// message marked as deleted (RFC 1939 §5).
func (c *conn) msgArg(arg string) (*message, int, bool) {
	n, err := pop3.ParseMsg(arg)
	switch {
	case err != nil:
		c.fail("", "Invalid message number")
	case n > len(c.msgs):
		c.fail("", "No such message, only "+strconv.Itoa(len(c.msgs))+" messages in maildrop")
	case c.msgs[n-1].deleted:
		c.fail("", "Message "+strconv.Itoa(n)+" already deleted")
	default:
		return &c.msgs[n-1], n, true
	}
	return nil, 0, false
}

// cmdStat is STAT (RFC 1939 §5): the drop listing, messages marked as
// deleted left out.
func (c *conn) cmdStat(cmd pop3.Command) {
	if len(cmd.Args) != 0 {
		c.syntaxError(cmd)
		return
	}
	c.ok(pop3.DropListing{Count: c.liveCount, Size: c.liveSize}.String())
}

// cmdList is LIST [msg] (RFC 1939 §5).
func (c *conn) cmdList(cmd pop3.Command) {
	switch len(cmd.Args) {
	case 0:
		c.bigOutput()
		c.ok(c.dropSummary())
		for i, m := range c.msgs {
			if !m.deleted {
				c.line(pop3.ScanListing{Msg: i + 1, Size: m.size}.String())
			}
		}
		c.endListing()
	case 1:
		if m, n, ok := c.msgArg(cmd.Args[0]); ok {
			c.ok(pop3.ScanListing{Msg: n, Size: m.size}.String())
		}
	default:
		c.syntaxError(cmd)
	}
}

// cmdUIDL is UIDL [msg] (RFC 1939 §7).
func (c *conn) cmdUIDL(cmd pop3.Command) {
	switch len(cmd.Args) {
	case 0:
		c.bigOutput()
		c.ok("Unique-id listing follows")
		for i, m := range c.msgs {
			if !m.deleted {
				c.line(pop3.UniqueID{Msg: i + 1, UID: c.uidl(m.uid)}.String())
			}
		}
		c.endListing()
	case 1:
		if m, n, ok := c.msgArg(cmd.Args[0]); ok {
			c.ok(pop3.UniqueID{Msg: n, UID: c.uidl(m.uid)}.String())
		}
	default:
		c.syntaxError(cmd)
	}
}

// uidl is a message's unique-id (Server.UIDL).
func (c *conn) uidl(uid uint32) string {
	if f := c.srv.UIDL; f != nil {
		if s := f(c.uidValidity, uid); pop3.ValidUID(s) {
			return s
		}
		if !c.badUIDL {
			c.badUIDL = true
			c.log.Warn("Server.UIDL gave an invalid unique-id; using DefaultUIDL")
		}
	}
	return DefaultUIDL(c.uidValidity, uid)
}

// cmdDele is DELE msg (RFC 1939 §5): it only marks the message; QUIT
// removes it.
func (c *conn) cmdDele(cmd pop3.Command) {
	if len(cmd.Args) != 1 {
		c.syntaxError(cmd)
		return
	}
	m, n, ok := c.msgArg(cmd.Args[0])
	if !ok {
		return
	}
	m.deleted = true
	c.liveCount--
	c.liveSize -= m.size
	c.ok("Message " + strconv.Itoa(n) + " deleted")
}

// cmdNoop is NOOP (RFC 1939 §5).
func (c *conn) cmdNoop(cmd pop3.Command) {
	if len(cmd.Args) != 0 {
		c.syntaxError(cmd)
		return
	}
	c.ok("")
}

// cmdRset is RSET (RFC 1939 §5): every deletion mark is removed. Messages
// retrieved stay retrieved (they get \Seen at QUIT): they were read.
func (c *conn) cmdRset(cmd pop3.Command) {
	if len(cmd.Args) != 0 {
		c.syntaxError(cmd)
		return
	}
	c.liveCount, c.liveSize = 0, 0
	for i := range c.msgs {
		c.msgs[i].deleted = false
		c.liveCount++
		c.liveSize += c.msgs[i].size
	}
	c.ok("Maildrop has " + c.dropSummary())
}

// cmdRetr is RETR msg (RFC 1939 §5): the message, streamed from the store
// and byte-stuffed.
func (c *conn) cmdRetr(cmd pop3.Command) {
	if len(cmd.Args) != 1 {
		c.syntaxError(cmd)
		return
	}
	m, n, ok := c.msgArg(cmd.Args[0])
	if !ok {
		return
	}
	if c.sendMessage(m, n, -1) {
		m.retrieved = true
	}
}

// cmdTop is TOP msg n (RFC 1939 §7): the header, the blank line after it,
// and the first n lines of the body (all of them if it has fewer).
func (c *conn) cmdTop(cmd pop3.Command) {
	if len(cmd.Args) != 2 {
		c.syntaxError(cmd)
		return
	}
	lines, err := pop3.ParseLines(cmd.Args[1])
	if err != nil {
		c.fail("", "Invalid number of lines")
		return
	}
	m, n, ok := c.msgArg(cmd.Args[0])
	if !ok {
		return
	}
	c.sendMessage(m, n, lines)
}

// errTopDone stops the copy of TOP once its lines are sent.
var errTopDone = errors.New("TOP lines sent")

// readError marks a failure to read the message from the store, as
// opposed to a failure to write to the client.
type readError struct{ err error }

func (e *readError) Error() string { return "reading the message: " + e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// storeReader reads a message, wrapping its errors in readError.
type storeReader struct{ r io.Reader }

func (s storeReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// sendMessage answers RETR (lines < 0) or TOP: +OK, then the message (or
// its top) streamed through the DotWriter in bounded memory. It reports
// whether the whole answer was written.
//
// A message another session (IMAP, say) expunged after this session fixed
// its list cannot be opened: it is answered -ERR [SYS/TEMP] and the
// session goes on. The code is SYS/TEMP (RFC 3206 §4) because the failure
// is a condition of the system, not of the request or the credentials,
// and it goes away by itself: the next session no longer lists the
// message, so a client need not alarm the user.
//
// Once +OK is sent, a failure to read the store cannot be reported in
// the protocol; ending the multi-line response with "." would hand the
// client a truncated message it might then delete. The connection is
// closed instead (without UPDATE: nothing is deleted), and the client
// sees an incomplete response.
func (c *conn) sendMessage(m *message, n, lines int) bool {
	msg, err := c.mbox.OpenMessage(c.ctx, m.uid)
	if err != nil {
		if errors.Is(err, mailstore.ErrNoSuchMessage) {
			c.log.Info("message expunged by another session", "user", c.user, "uid", m.uid)
			c.fail(pop3.CodeSysTemp, "Message "+strconv.Itoa(n)+" was removed by another session")
		} else {
			c.log.Error("cannot open message", "user", c.user, "uid", m.uid, "err", err)
			c.fail(pop3.CodeSysTemp, "Cannot read message "+strconv.Itoa(n))
		}
		return false
	}
	defer msg.Close()
	size := msg.Size()
	c.bigOutput()
	if lines < 0 {
		c.ok(strconv.FormatInt(size, 10) + " octets")
	} else {
		c.ok("Top of message follows")
	}
	bufp, _ := c.srv.copyBufs.Get().(*[]byte)
	if bufp == nil {
		b := make([]byte, copyBuffer)
		bufp = &b
	}
	defer c.srv.copyBufs.Put(bufp)
	dw := c.w.DotWriter()
	var dst io.Writer = dw
	if lines >= 0 {
		dst = &topWriter{w: dw, lines: lines}
	}
	copied, err := io.CopyBuffer(dst, storeReader{io.NewSectionReader(msg, 0, size)}, *bufp)
	if errors.Is(err, errTopDone) {
		err = nil
	} else if err == nil && copied != size {
		err = &readError{io.ErrUnexpectedEOF}
	}
	if err != nil {
		var re *readError
		if errors.As(err, &re) {
			c.log.Error("cannot read message; closing the connection", "user", c.user, "uid", m.uid, "err", re.err)
			c.traceEvent("message read failed after +OK; closing the connection")
		}
		// Nothing more may be sent: the response stays unterminated.
		c.quit = true
		c.returnBig()
		c.small.Reset(io.Discard)
		return false
	}
	if c.trace != nil {
		c.traceServer([]byte("[" + strconv.FormatInt(copied, 10) + " octets of message]"))
	}
	if err := dw.Close(); err != nil {
		c.writeFailed(err)
		return false
	}
	c.traceServer([]byte("."))
	return true
}

// topWriter passes on the header, the blank line that ends it, and the
// given number of body lines, then stops the copy with errTopDone.
type topWriter struct {
	w       io.Writer
	lines   int  // body lines still to pass on
	inBody  bool // the blank line has been passed on
	lineLen int  // octets of the current line so far
	firstCR bool // the current line began with CR
}

func (t *topWriter) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if t.inBody && t.lines == 0 {
			return n, errTopDone
		}
		if t.lineLen == 0 {
			t.firstCR = p[0] == '\r'
		}
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w, err := t.w.Write(p)
			t.lineLen += w
			return n + w, err
		}
		w, err := t.w.Write(p[:i+1])
		n += w
		if err != nil {
			return n, err
		}
		// The line is blank if only "\r" came before its LF.
		content := t.lineLen + i
		blank := content == 0 || content == 1 && t.firstCR
		t.lineLen = 0
		if t.inBody {
			t.lines--
		} else if blank {
			t.inBody = true
		}
		p = p[i+1:]
	}
	return n, nil
}

// update is QUIT in the TRANSACTION state: the UPDATE state (RFC 1939
// §6). The messages retrieved and not deleted get \Seen in one SetFlags
// call, as Dovecot does at QUIT (so a session that drops before QUIT
// changes nothing), then the messages marked as deleted are expunged in
// one Expunge call. If the store fails the answer is -ERR [SYS/TEMP]. The
// maildrop and its exclusive access are let go before the answer is
// sent, so that a client may log in again as soon as it has it.
func (c *conn) update() {
	c.state = pop3.Update
	c.quit = true
	var seen, deleted []uint32
	for _, m := range c.msgs {
		switch {
		case m.deleted:
			deleted = append(deleted, m.uid)
		case m.retrieved:
			seen = append(seen, m.uid)
		}
	}
	if len(seen) > 0 {
		_, err := c.mbox.SetFlags(c.ctx, seen, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
		if err != nil {
			c.log.Warn("cannot mark retrieved messages as seen", "user", c.user, "err", err)
		}
	}
	var err error
	if len(deleted) > 0 {
		_, err = c.mbox.Expunge(c.ctx, deleted)
	}
	left := c.liveCount
	c.closeMaildrop()
	if err != nil {
		c.log.Error("cannot remove deleted messages", "user", c.user, "err", err)
		c.fail(pop3.CodeSysTemp, "Some deleted messages not removed")
		return
	}
	c.log.Info("update", "user", c.user, "deleted", len(deleted), "left", left)
	text := c.srv.hostname() + " POP3 server signing off"
	if left == 0 {
		text += " (maildrop empty)"
	} else {
		text += " (" + plural(left, "message") + " left)"
	}
	c.ok(text)
}
