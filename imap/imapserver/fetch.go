package imapserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

// This file is FETCH and UID FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5),
// with BINARY (RFC 3516) and the CONDSTORE/QRESYNC modifiers CHANGEDSINCE
// and VANISHED (RFC 7162 §3.1.4, §3.2.6).
//
// Section data is never held in memory: each body section is an
// io.Reader over the open message (mailstore.Message is an io.ReaderAt)
// that the encoder copies to the connection, so a 100 MB body costs the
// server a buffer, not 100 MB. A message is opened once per FETCH
// response, and not at all when only metadata (UID, FLAGS, INTERNALDATE,
// RFC822.SIZE, MODSEQ) is asked for: the view has that.
//
// A message another session expunged stays in this session's view until
// the expunge may be announced (RFC 3501 §7.4.1), and the server answers
// from what it still has (RFC 2180 §4.1.1): the metadata from the view,
// the content if the store still gives it (memstore keeps the content of
// a held-back expunge). When the store no longer has the content, that
// message's FETCH response is left out, the other messages are answered,
// and the command ends NO [EXPUNGEISSUED] (RFC 9051 §7.1, RFC 2180
// §4.1.2), so the client knows to NOOP and learn of the expunge.

// fetchPlan is a FETCH command's attributes, checked and put in the order
// of the response.
type fetchPlan struct {
	attrs    []imap.FetchAttr // in request order, without UID
	uid      bool             // UID first (UID FETCH, or UID asked for)
	modseq   bool             // MODSEQ asked for, or implied by CHANGEDSINCE
	flags    bool             // FLAGS asked for
	setsSeen bool             // a body fetch that sets \Seen (no .PEEK)
	content  bool             // needs the message opened
}

// planFetch checks the attributes of a FETCH command and plans the
// responses. An attribute the server does not offer is BAD.
func (c *conn) planFetch(args *imap.FetchCommand, uidCmd bool) (*fetchPlan, *status) {
	p := &fetchPlan{uid: uidCmd, modseq: args.ChangedSince > 0}
	seen := map[imap.FetchAttrKind]bool{}
	for _, a := range args.Attrs {
		switch a.Kind {
		case imap.FetchUID:
			p.uid = true
			continue
		case imap.FetchModSeq:
			p.modseq = true
			continue
		case imap.FetchFlags:
			p.flags = true
		case imap.FetchInternalDate, imap.FetchRFC822Size:
		case imap.FetchEnvelope, imap.FetchBody, imap.FetchBodyStructure, imap.FetchRFC822Header,
			imap.FetchBodyPeek, imap.FetchBinaryPeek, imap.FetchBinarySize:
			p.content = true
		case imap.FetchRFC822, imap.FetchRFC822Text, imap.FetchBodySection, imap.FetchBinary:
			// RFC 3501 §6.4.5: these set \Seen; RFC822.HEADER does not
			// (it is BODY.PEEK[HEADER]).
			p.content = true
			p.setsSeen = true
		default:
			name := string(a.Kind)
			if a.Kind == imap.FetchOther {
				name = a.Name
			}
			return nil, bad("Unsupported FETCH item " + name)
		}
		// The items without arguments are sent once however often they
		// are asked for; sections may differ and are all sent.
		if !a.Kind.HasSection() {
			if seen[a.Kind] {
				continue
			}
			seen[a.Kind] = true
		}
		p.attrs = append(p.attrs, a)
	}
	return p, nil
}

// msgEnableCondStore marks the session CONDSTORE-aware after a CONDSTORE
// enabling command (FETCH MODSEQ or CHANGEDSINCE, STORE UNCHANGEDSINCE).
// The first one with a mailbox selected sends HIGHESTMODSEQ (RFC 7162
// §3.1).
func (c *conn) msgEnableCondStore() {
	if c.enabled[imap.CapCondStore] {
		return
	}
	c.enabled[imap.CapCondStore] = true
	if c.mbox != nil {
		c.untaggedOK(&imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: c.mbox.HighestModSeq()}, "Highest")
	}
}

// msgCheckSet refuses a message sequence set that names numbers the
// mailbox does not have: RFC 9051 §9 (seq-number) makes 0, a number above
// the message count, and "*" in an empty mailbox invalid, and Dovecot
// answers them BAD. UID sets and "$" are never refused (RFC 9051 §6.4.9:
// a UID that does not exist is ignored).
func (c *conn) msgCheckSet(set imap.NumSet, uid bool) *status {
	if uid || set.IsSearchRes() {
		return nil
	}
	n := uint32(len(c.mbox.Messages()))
	if n == 0 {
		return bad("No messages in the mailbox")
	}
	if hi, ok := set.Max(n); !ok || hi > n {
		return bad("Invalid message sequence number")
	}
	return nil
}

// fetchTarget is one message a FETCH answers for.
type fetchTarget struct {
	seq  uint32
	info mailstore.MessageInfo
	// seen: this FETCH set \Seen on it, so its FLAGS are sent.
	seen bool
}

// cmdFetch is FETCH and UID FETCH.
func (c *conn) cmdFetch(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.FetchCommand)
	if args == nil {
		return bad("FETCH needs a sequence set and data items")
	}
	if args.Partial != nil {
		// RFC 9394's PARTIAL modifier; PARTIAL is not advertised.
		return bad("FETCH PARTIAL is not supported")
	}
	if args.Vanished {
		// RFC 7162 §3.2.6.
		switch {
		case !cmd.UID:
			return bad("VANISHED is allowed in UID FETCH only")
		case !c.enabled[imap.CapQResync]:
			return bad("VANISHED needs ENABLE QRESYNC")
		case args.ChangedSince == 0:
			return bad("VANISHED needs CHANGEDSINCE")
		}
	}
	if st := c.msgCheckSet(args.Set, cmd.UID); st != nil {
		return st
	}
	plan, st := c.planFetch(args, cmd.UID)
	if st != nil {
		return st
	}
	if plan.modseq {
		c.msgEnableCondStore()
	}
	if args.Vanished {
		if st := c.fetchVanished(args.Set, args.ChangedSince); st != nil {
			return st
		}
	}

	// The messages, after CHANGEDSINCE (RFC 7162 §3.1.4.1). Their
	// MessageInfo is copied: the view's list is valid only until its
	// next call.
	_, seqs := c.resolve(args.Set, cmd.UID)
	msgs := c.mbox.Messages()
	targets := make([]fetchTarget, 0, len(seqs))
	for _, seq := range seqs {
		m := msgs[seq-1]
		if args.ChangedSince > 0 && m.ModSeq <= args.ChangedSince {
			continue
		}
		targets = append(targets, fetchTarget{seq: seq, info: m})
	}

	// \Seen is set before any data is sent, so the FLAGS sent are the
	// new ones (RFC 3501 §6.4.5: "if this causes the flags to change,
	// they SHOULD be included as part of the FETCH responses").
	if plan.setsSeen && !c.mbox.ReadOnly() {
		if st := c.fetchSetSeen(targets); st != nil {
			return st
		}
	}

	var first *status
	for i := range targets {
		st := c.fetchOne(&targets[i], plan)
		if st == nil {
			continue
		}
		if c.state == stateLogout {
			return st // the connection is gone
		}
		if first == nil {
			first = st
		}
	}
	return first
}

// fetchSetSeen sets \Seen on the targets that lack it and updates their
// MessageInfo.
func (c *conn) fetchSetSeen(targets []fetchTarget) *status {
	var uids []uint32
	for i := range targets {
		if !hasFlag(targets[i].info.Flags, imap.FlagSeen) {
			uids = append(uids, targets[i].info.UID)
		}
	}
	if len(uids) == 0 {
		return nil
	}
	res, err := c.mbox.SetFlags(c.ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}})
	if err != nil {
		return c.storeError(err)
	}
	changed := make(map[uint32]*mailstore.MessageInfo, len(res.Changed))
	for i := range res.Changed {
		changed[res.Changed[i].UID] = &res.Changed[i]
	}
	for i := range targets {
		t := &targets[i]
		if m := changed[t.info.UID]; m != nil {
			recent := t.info.Recent
			t.info = *m
			t.info.Recent = recent
			t.seen = true
		}
	}
	return nil
}

// fetchVanished sends VANISHED (EARLIER) for the UIDs of set expunged
// since modseq (RFC 7162 §3.2.6), before any FETCH response.
func (c *conn) fetchVanished(set imap.NumSet, modseq uint64) *status {
	if set.IsSearchRes() {
		set = c.searchRes
	}
	gone, err := c.mbox.ExpungedSince(c.ctx, modseq)
	if err != nil {
		return c.storeError(err)
	}
	msgs := c.mbox.Messages()
	// "*" covers every UID given out so far: expunged UIDs may lie above
	// the last message.
	var star uint32
	if next := c.mbox.UIDNext(); next > 0 {
		star = next - 1
	}
	if n := len(msgs); n > 0 && msgs[n-1].UID > star {
		star = msgs[n-1].UID
	}
	v := msgVanished(gone.NumSet, set.Normalize(star), msgs, 0)
	if !v.IsEmpty() {
		c.writeResp(&wire.Response{Kind: wire.KindVanished, Vanished: &imap.VanishedData{Earlier: true, UIDs: imap.UIDSet{NumSet: v}}})
	}
	return nil
}

// msgVanished returns the UIDs of gone that are in known (normalized),
// above floor, and not in the view's list: a UID still in the list has
// an expunge held back, which is announced later as a plain VANISHED
// (RFC 7162 §3.2.10: the two forms are not combined).
func msgVanished(gone, known imap.NumSet, msgs []mailstore.MessageInfo, floor uint32) imap.NumSet {
	a := gone.Normalize(0).Ranges()
	b := known.Ranges()
	var out imap.NumSet
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		lo, hi := max(a[i].Start, b[j].Start, floor+1), min(a[i].Stop, b[j].Stop)
		if lo <= hi {
			// Take out the UIDs still in the view.
			for k < len(msgs) && msgs[k].UID < lo {
				k++
			}
			done := false
			for ; k < len(msgs) && msgs[k].UID <= hi; k++ {
				u := msgs[k].UID
				if u > lo {
					out.AddRange(lo, u-1)
				}
				if u == hi {
					done = true
					break
				}
				lo = u + 1
			}
			if !done {
				out.AddRange(lo, hi)
			}
		}
		if a[i].Stop < b[j].Stop {
			i++
		} else {
			j++
		}
	}
	return out
}

// msgFlags is a message's FLAGS as this session sees them: with \Recent
// for IMAP4rev1 (RFC 9051 removed it).
func (c *conn) msgFlags(m *mailstore.MessageInfo) []imap.Flag {
	if m.Recent && !c.rev2() {
		return append(m.Flags[:len(m.Flags):len(m.Flags)], imap.FlagRecent)
	}
	if m.Flags == nil {
		return []imap.Flag{}
	}
	return m.Flags
}

// fetchMsg is the content of one message while its FETCH response is
// built: opened on first use and parsed (or its cached structure loaded)
// only when a section needs it.
type fetchMsg struct {
	c   *conn
	uid uint32
	msg mailstore.Message
	st  *mime.Structure
}

func (f *fetchMsg) open() (mailstore.Message, error) {
	if f.msg == nil {
		m, err := f.c.mbox.OpenMessage(f.c.ctx, f.uid)
		if err != nil {
			return nil, err
		}
		f.msg = m
	}
	return f.msg, nil
}

func (f *fetchMsg) structure() (*mime.Structure, error) {
	if f.st == nil && f.msg == nil {
		// A store with a structure cache answers without opening the
		// message.
		if sr, ok := f.c.mbox.(mailstore.StructureReader); ok {
			st, err := sr.MessageStructure(f.c.ctx, f.uid)
			if err != nil {
				return nil, err
			}
			f.st = st
		}
	}
	if f.st == nil {
		m, err := f.open()
		if err != nil {
			return nil, err
		}
		st, err := m.Structure(f.c.ctx)
		if err != nil {
			return nil, err
		}
		f.st = st
	}
	return f.st, nil
}

func (f *fetchMsg) close() {
	if f.msg != nil {
		f.msg.Close()
		f.msg = nil
	}
}

// fetchOne builds and sends the FETCH response of one message.
func (c *conn) fetchOne(t *fetchTarget, plan *fetchPlan) *status {
	m := &t.info
	fd := &imap.FetchData{Seq: t.seq, Items: make([]imap.FetchItem, 0, len(plan.attrs)+3)}
	// RFC 7162 §3.2.4: once CONDSTORE-aware, a QRESYNC client gets UID
	// and MODSEQ in a FETCH response caused by setting \Seen.
	if plan.uid || (t.seen && c.enabled[imap.CapQResync]) {
		fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchUID, Num: uint64(m.UID)})
	}
	fm := &fetchMsg{c: c, uid: m.UID}
	defer fm.close()
	for i := range plan.attrs {
		it, err := c.fetchItem(fm, m, &plan.attrs[i])
		if err != nil {
			return c.fetchError(m.UID, err)
		}
		fd.Items = append(fd.Items, it)
	}
	if t.seen && !plan.flags {
		fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchFlags, Flags: c.msgFlags(m)})
	}
	if plan.modseq || (t.seen && c.enabled[imap.CapCondStore]) {
		fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchModSeq, Num: m.ModSeq})
	}
	if err := c.writeResp(&wire.Response{Kind: wire.KindFetch, Fetch: fd}); err != nil {
		if errors.Is(err, wire.ErrBroken) {
			// Part of the response went out: the stream cannot go on.
			c.log.Debug("FETCH response failed", "uid", m.UID, "err", err)
			c.state = stateLogout
			return no(code(imap.CodeServerBug), "Connection broken")
		}
		c.log.Error("FETCH response not encodable", "uid", m.UID, "err", err)
		return no(code(imap.CodeServerBug), "Internal error")
	}
	return nil
}

// fetchError maps a failure to read a message to the command's status.
func (c *conn) fetchError(uid uint32, err error) *status {
	switch {
	case errors.Is(err, mime.ErrUnknownEncoding):
		// RFC 3516 §4.3, RFC 9051 §7.5.2.
		return no(code(imap.CodeUnknownCTE), "Unknown Content-Transfer-Encoding")
	case errors.Is(err, mime.ErrNotLeaf):
		// RFC 9051 §6.4.5: BINARY only for leaf parts. The request is
		// well formed but cannot be answered for this message: NO.
		return no(code(imap.CodeCannot), "BINARY needs a part that is not multipart or message")
	case errors.Is(err, mime.ErrHeaderTooLarge):
		return no(code(imap.CodeLimit), "Header too large to subset")
	case errors.Is(err, mailstore.ErrNoSuchMessage):
		return no(code(imap.CodeExpungeIssued), "Some messages have been expunged")
	}
	return c.storeError(fmt.Errorf("fetch UID %d: %w", uid, err))
}

// fetchItem builds one item of a FETCH response.
func (c *conn) fetchItem(fm *fetchMsg, m *mailstore.MessageInfo, a *imap.FetchAttr) (imap.FetchItem, error) {
	switch a.Kind {
	case imap.FetchFlags:
		return imap.FetchItem{Kind: imap.FetchFlags, Flags: c.msgFlags(m)}, nil
	case imap.FetchInternalDate:
		return imap.FetchItem{Kind: imap.FetchInternalDate, Time: m.InternalDate}, nil
	case imap.FetchRFC822Size:
		return imap.FetchItem{Kind: imap.FetchRFC822Size, Num: uint64(max(m.Size, 0))}, nil
	case imap.FetchEnvelope:
		st, err := fm.structure()
		if err != nil {
			return imap.FetchItem{}, err
		}
		env := st.Envelope()
		if env == nil {
			env = &imap.Envelope{}
		}
		return imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: env}, nil
	case imap.FetchBody, imap.FetchBodyStructure:
		st, err := fm.structure()
		if err != nil {
			return imap.FetchItem{}, err
		}
		b := st.BodyStructure(a.Kind == imap.FetchBodyStructure)
		return imap.FetchItem{Kind: a.Kind, Body: &b}, nil
	case imap.FetchRFC822:
		return fm.section(imap.FetchRFC822, imap.Section{}, nil)
	case imap.FetchRFC822Header:
		return fm.section(imap.FetchRFC822Header, imap.Section{Spec: imap.SpecHeader}, nil)
	case imap.FetchRFC822Text:
		return fm.section(imap.FetchRFC822Text, imap.Section{Spec: imap.SpecText}, nil)
	case imap.FetchBodySection, imap.FetchBodyPeek:
		return fm.section(imap.FetchBodySection, a.Section, a.Partial)
	case imap.FetchBinary, imap.FetchBinaryPeek:
		return fm.binary(a.Section.Part, a.Partial)
	case imap.FetchBinarySize:
		return fm.binarySize(a.Section.Part)
	}
	return imap.FetchItem{}, fmt.Errorf("FETCH item %s not planned", a.Kind)
}

// section is BODY[section]<partial> and the RFC822 items. A part the
// message does not have is the empty string, as in Dovecot.
func (f *fetchMsg) section(kind imap.FetchAttrKind, sec imap.Section, partial *imap.Partial) (imap.FetchItem, error) {
	it := imap.FetchItem{Kind: kind, Section: sec}
	if partial != nil {
		// RFC 9051 §6.4.5: a partial fetch is answered as one, with its
		// origin, even when truncated.
		it.HasOrigin, it.Origin = true, partial.Offset
	}
	m, err := f.open()
	if err != nil {
		return it, err
	}
	var r io.Reader
	var n int64
	if len(sec.Part) == 0 && sec.Spec == imap.SpecNone {
		// The whole message: no structure needed.
		off, cnt := msgCut(m.Size(), partial)
		r, n = io.NewSectionReader(m, off, cnt), cnt
	} else {
		st, err := f.structure()
		if err != nil {
			return it, err
		}
		r, n, err = st.SectionPartial(m, sec, partial)
		if errors.Is(err, mime.ErrNoSuchPart) {
			it.Data = imap.NString{Valid: true}
			return it, nil
		}
		if err != nil {
			return it, err
		}
	}
	it.Reader, it.Size = msgNoNUL{r}, n
	return it, nil
}

// msgCut applies a partial <offset.count> to a section of size n.
func msgCut(n int64, partial *imap.Partial) (off, cnt int64) {
	if partial == nil {
		return 0, n
	}
	off = min(int64(partial.Offset), n)
	cnt = min(int64(partial.Count), n-off)
	return off, cnt
}

// binary is BINARY[part]<partial> (RFC 3516 §4.2, RFC 9051 §6.4.5). The
// data goes as a literal8 when it may hold NUL: always for base64 and
// binary parts, and otherwise only when it does, which is checked by
// reading it once (RFC 3516 §4.3: data without NUL SHOULD be a string).
func (f *fetchMsg) binary(part []uint32, partial *imap.Partial) (imap.FetchItem, error) {
	it := imap.FetchItem{Kind: imap.FetchBinary, Section: imap.Section{Part: part}}
	if partial != nil {
		it.HasOrigin, it.Origin = true, partial.Offset
	}
	r, n, err := f.binaryReader(part, partial)
	if errors.Is(err, mime.ErrNoSuchPart) {
		it.Data = imap.NString{Valid: true}
		return it, nil
	}
	if err != nil {
		return it, err
	}
	bin := false
	if len(part) > 0 {
		p, err := f.st.Part(part)
		if err != nil {
			return it, err
		}
		enc := strings.ToLower(strings.TrimSpace(p.Encoding))
		bin = enc == "base64" || enc == "binary"
	}
	if !bin && n > 0 {
		has, err := msgHasNUL(r)
		if err != nil {
			return it, err
		}
		if has {
			bin = true
		}
		if r, _, err = f.binaryReader(part, partial); err != nil {
			return it, err
		}
	}
	it.Reader, it.Size, it.Binary = r, n, bin
	return it, nil
}

// binaryReader returns the decoded content of a part, cut to partial.
func (f *fetchMsg) binaryReader(part []uint32, partial *imap.Partial) (io.Reader, int64, error) {
	m, err := f.open()
	if err != nil {
		return nil, 0, err
	}
	var r io.Reader
	var n int64
	if len(part) == 0 {
		r, n = io.NewSectionReader(m, 0, m.Size()), m.Size()
	} else {
		st, err := f.structure()
		if err != nil {
			return nil, 0, err
		}
		if r, n, err = st.Binary(m, part); err != nil {
			return nil, 0, err
		}
	}
	off, cnt := msgCut(n, partial)
	if off > 0 {
		if _, err := io.CopyN(io.Discard, r, off); err != nil {
			return nil, 0, err
		}
	}
	return io.LimitReader(r, cnt), cnt, nil
}

// binarySize is BINARY.SIZE[part] (RFC 3516 §4.2): 0 for a part the
// message does not have, matching the empty BINARY[part].
func (f *fetchMsg) binarySize(part []uint32) (imap.FetchItem, error) {
	it := imap.FetchItem{Kind: imap.FetchBinarySize, Section: imap.Section{Part: part}}
	m, err := f.open()
	if err != nil {
		return it, err
	}
	if len(part) == 0 {
		it.Num = uint64(m.Size())
		return it, nil
	}
	st, err := f.structure()
	if err != nil {
		return it, err
	}
	n, err := st.BinarySize(m, part)
	if errors.Is(err, mime.ErrNoSuchPart) {
		return it, nil
	}
	if err != nil {
		return it, err
	}
	it.Num = uint64(n)
	return it, nil
}

// msgHasNUL reports whether r holds a NUL octet, reading it to the end.
func msgHasNUL(r io.Reader) (bool, error) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if bytes.IndexByte(buf[:n], 0) >= 0 {
			return true, nil
		}
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// msgNoNUL replaces NUL octets with 0x80 as BODY[] data streams out: a
// literal may not hold NUL (RFC 9051 §4.3, CHAR8), and a message stored
// with one (8-bit or binary content) would otherwise break the protocol.
// Dovecot does the same. The size does not change.
type msgNoNUL struct{ r io.Reader }

func (n msgNoNUL) Read(p []byte) (int, error) {
	k, err := n.r.Read(p)
	b := p[:k]
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			break
		}
		b[i] = 0x80
		b = b[i+1:]
	}
	return k, err
}
