package imapserver

import (
	"errors"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file is STORE (RFC 3501 §6.4.6, CONDSTORE UNCHANGEDSINCE RFC 7162
// §3.1.3), COPY (§6.4.7, COPYUID RFC 4315), MOVE (RFC 6851) and EXPUNGE
// (§6.4.3, UID EXPUNGE RFC 4315), each also in its UID form.

// msgReadOnly answers a change to a mailbox selected with EXAMINE.
func msgReadOnly() *status {
	return no(code(imap.CodeReadOnly), "Mailbox is read-only")
}

// cmdStore is STORE and UID STORE.
func (c *conn) cmdStore(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.StoreCommand)
	if args == nil {
		return bad("STORE needs a sequence set, an operation and flags")
	}
	if !args.IsFlags() {
		// A vendor item such as Gmail's X-GM-LABELS: the codec reads it,
		// this server keeps no such data.
		return bad("STORE " + args.Item + " is not supported")
	}
	if st := c.msgCheckSet(args.Set, cmd.UID); st != nil {
		return st
	}
	if c.mbox.ReadOnly() {
		return msgReadOnly()
	}
	var op mailstore.FlagOp
	switch args.Op {
	case imap.StoreReplace:
		op = mailstore.FlagsReplace
	case imap.StoreAdd:
		op = mailstore.FlagsAdd
	case imap.StoreRemove:
		op = mailstore.FlagsRemove
	default:
		return bad("Unknown STORE operation")
	}
	if args.HasUnchangedSince {
		c.msgEnableCondStore()
	}
	uids, seqs := c.resolve(args.Set, cmd.UID)
	if len(uids) == 0 {
		return nil
	}
	// MODIFIED names sequence numbers for STORE and UIDs for UID STORE
	// (RFC 7162 §3.1.3).
	modified := func(failed map[uint32]bool) *status {
		var set imap.UIDSet
		for i, uid := range uids {
			if failed[uid] {
				if cmd.UID {
					set.AddNum(uid)
				} else {
					set.AddNum(seqs[i])
				}
			}
		}
		return okCode(&imap.ResponseCode{Name: imap.CodeModified, Set: set}, "Conditional STORE failed")
	}
	if args.HasUnchangedSince && args.UnchangedSince == 0 {
		// RFC 7162 §3.1.3: UNCHANGEDSINCE 0 fails for every message (a
		// system flag always exists; a keyword is treated as existing
		// too). The store is not called.
		failed := make(map[uint32]bool, len(uids))
		for _, uid := range uids {
			failed[uid] = true
		}
		return modified(failed)
	}
	res, err := c.mbox.SetFlags(c.ctx, uids, mailstore.FlagChange{
		Op: op, Flags: args.Flags, UnchangedSince: args.UnchangedSince,
	})
	if err != nil {
		return c.storeError(err)
	}
	changed := make(map[uint32]*mailstore.MessageInfo, len(res.Changed))
	for i := range res.Changed {
		changed[res.Changed[i].UID] = &res.Changed[i]
	}
	failed := make(map[uint32]bool, len(res.Failed))
	for _, uid := range res.Failed {
		failed[uid] = true
	}

	// The responses. Without .SILENT every message that passed gets its
	// flags "as if a FETCH of those flags was done" (RFC 3501 §6.4.6),
	// changed or not. With .SILENT, a CONDSTORE-aware client still gets
	// the new MODSEQ of each changed message (RFC 7162 §3.1.3 requires
	// it for UNCHANGEDSINCE; §3.1 for any STORE once CONDSTORE is on).
	// Messages that failed UNCHANGEDSINCE are left to the poll after the
	// command, which reports their flags if another session changed them
	// (RFC 7162 §3.1.3 Example 10).
	msgs := c.mbox.Messages()
	for i, uid := range uids {
		if failed[uid] {
			continue
		}
		seq := seqs[i]
		m := changed[uid]
		if args.Silent {
			if m == nil || !(args.HasUnchangedSince || c.enabled[imap.CapCondStore]) {
				continue
			}
			fd := &imap.FetchData{Seq: seq}
			if cmd.UID || c.enabled[imap.CapQResync] {
				fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchUID, Num: uint64(uid)})
			}
			fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchModSeq, Num: m.ModSeq})
			c.writeResp(&wire.Response{Kind: wire.KindFetch, Fetch: fd})
			continue
		}
		if m == nil {
			if int(seq) > len(msgs) || msgs[seq-1].UID != uid {
				continue
			}
			m = &msgs[seq-1]
		} else if int(seq) <= len(msgs) && msgs[seq-1].UID == uid {
			// Recent is the view's, whatever the store reported.
			cp := *m
			cp.Recent = msgs[seq-1].Recent
			m = &cp
		}
		c.writeResp(&wire.Response{Kind: wire.KindFetch, Fetch: c.flagsFetch(seq, m)})
	}
	if len(failed) > 0 {
		return modified(failed)
	}
	return nil
}

// cmdCopy is COPY and UID COPY. Copying from a read-only mailbox is
// allowed.
func (c *conn) cmdCopy(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.CopyCommand)
	if args == nil {
		return bad("COPY needs a sequence set and a mailbox")
	}
	if st := c.msgCheckSet(args.Set, cmd.UID); st != nil {
		return st
	}
	uids, _ := c.resolve(args.Set, cmd.UID)
	if len(uids) == 0 {
		// RFC 9051 §6.4.9: UIDs that do not exist are ignored.
		return nil
	}
	res, err := c.mbox.Copy(c.ctx, uids, args.Mailbox)
	if err != nil {
		return c.msgCopyError(err)
	}
	text := "COPY completed"
	if cmd.UID {
		text = "UID " + text
	}
	if rc := msgCopyUID(res); rc != nil {
		return okCode(rc, text)
	}
	return ok(text)
}

// msgCopyError answers a failed COPY or MOVE: TRYCREATE when the target does
// not exist (RFC 3501 §6.4.7, RFC 9051 §6.4.7).
func (c *conn) msgCopyError(err error) *status {
	if errors.Is(err, mailstore.ErrNoSuchMailbox) {
		return no(code(imap.CodeTryCreate), "Mailbox does not exist")
	}
	return c.storeError(err)
}

// msgCopyUID is the COPYUID response code of a copy (RFC 4315 §3), or nil
// when nothing was copied.
func msgCopyUID(res *mailstore.CopyResult) *imap.ResponseCode {
	if res == nil || len(res.SourceUIDs) == 0 {
		return nil
	}
	rc := &imap.ResponseCode{Name: imap.CodeCopyUID, Num: uint64(res.UIDValidity)}
	for i := range res.SourceUIDs {
		rc.Set.AddNum(res.SourceUIDs[i])
		rc.Set2.AddNum(res.DestUIDs[i])
	}
	return rc
}

// cmdMove is MOVE and UID MOVE (RFC 6851): COPYUID in an untagged OK,
// then the expunges (RFC 6851 §4.3), then, with QRESYNC, HIGHESTMODSEQ in
// the tagged OK (§4.4).
func (c *conn) cmdMove(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.CopyCommand)
	if args == nil {
		return bad("MOVE needs a sequence set and a mailbox")
	}
	if st := c.msgCheckSet(args.Set, cmd.UID); st != nil {
		return st
	}
	if c.mbox.ReadOnly() {
		return msgReadOnly()
	}
	uids, _ := c.resolve(args.Set, cmd.UID)
	if len(uids) == 0 {
		return nil
	}
	res, expunged, err := c.mbox.Move(c.ctx, uids, args.Mailbox)
	if err != nil {
		return c.msgCopyError(err)
	}
	if rc := msgCopyUID(res); rc != nil {
		c.untaggedOK(rc, "Moved")
	}
	return c.msgExpunged(expunged)
}

// cmdExpunge is EXPUNGE and UID EXPUNGE (RFC 4315 §2.1): the messages
// with \Deleted, within the UID set for UID EXPUNGE.
func (c *conn) cmdExpunge(cmd *wire.Command) *status {
	var set *imap.UIDSet
	if args, _ := cmd.Args.(*imap.ExpungeCommand); args != nil {
		set = args.UIDs
	}
	if cmd.UID && set == nil {
		return bad("UID EXPUNGE needs a UID set")
	}
	if c.mbox.ReadOnly() {
		return msgReadOnly()
	}
	var uids []uint32
	if set != nil {
		in, _ := c.resolve(set.NumSet, true)
		msgs := c.mbox.Messages()
		k := 0
		for _, uid := range in {
			for k < len(msgs) && msgs[k].UID < uid {
				k++
			}
			if k < len(msgs) && msgs[k].UID == uid && hasFlag(msgs[k].Flags, imap.FlagDeleted) {
				uids = append(uids, uid)
			}
		}
	} else {
		for _, m := range c.mbox.Messages() {
			if hasFlag(m.Flags, imap.FlagDeleted) {
				uids = append(uids, m.UID)
			}
		}
	}
	if len(uids) == 0 {
		return nil
	}
	expunged, err := c.mbox.Expunge(c.ctx, uids)
	if err != nil {
		return c.storeError(err)
	}
	return c.msgExpunged(expunged)
}

// msgExpunged announces this session's own expunges, in the order the store
// gave them: EXPUNGE responses, or one VANISHED with QRESYNC (RFC 7162
// §3.2.7, §3.2.9). With QRESYNC the tagged OK carries the new
// HIGHESTMODSEQ; the view learns it by polling, which also delivers any
// other session's changes first.
func (c *conn) msgExpunged(exp []mailstore.Expunged) *status {
	if len(exp) == 0 {
		return nil
	}
	if !c.enabled[imap.CapQResync] {
		for _, e := range exp {
			c.writeResp(&wire.Response{Kind: wire.KindExpunge, Num: e.Seq})
		}
		return nil
	}
	var set imap.UIDSet
	for _, e := range exp {
		set.AddNum(e.UID)
	}
	c.writeResp(&wire.Response{Kind: wire.KindVanished, Vanished: &imap.VanishedData{UIDs: set.Normalize(0)}})
	if err := c.pollUpdates(true); err != nil {
		return c.storeError(err)
	}
	text := "EXPUNGE completed"
	if c.cur != nil {
		text = c.cur.cmd.Name + " completed"
		if c.cur.cmd.UID {
			text = "UID " + text
		}
	}
	return okCode(&imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: c.mbox.HighestModSeq()}, text)
}
