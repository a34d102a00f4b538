package imapserver

import (
	"slices"
	"sort"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// extraCaps are the extensions offered once authenticated, beyond the
// base list in capabilities.
var extraCaps = imap.CapSet{
	// Mailbox commands (mailbox.go, list.go).
	imap.CapNamespace, imap.CapChildren, imap.CapListExtended, imap.CapListStatus,
	imap.CapSpecialUse, imap.CapCreateSpecialUse, imap.CapStatusSize, imap.CapMultiAppend,
	// SEARCH, SORT, THREAD (search.go).
	imap.CapESearch, imap.CapSearchRes, imap.CapSort, imap.CapSortDisplay, imap.CapESort,
	imap.CapThreadOrderedSubject, imap.CapThreadReferences, imap.CapWithin,
	// Message commands (fetch.go, message.go, qresync.go).
	imap.CapUIDPlus, imap.CapMove, imap.CapBinary, imap.CapCondStore, imap.CapQResync,
}

func (c *conn) cmdCapability(cmd *wire.Command) *status {
	c.writeResp(&wire.Response{Kind: wire.KindCapability, Caps: c.capabilities()})
	return nil
}

func (c *conn) cmdNoop(cmd *wire.Command) *status { return nil }

func (c *conn) cmdLogout(cmd *wire.Command) *status {
	c.bye("Logging out")
	c.state = stateLogout
	return nil
}

// cmdID answers ID (RFC 2971) with the server's name.
func (c *conn) cmdID(cmd *wire.Command) *status {
	c.writeResp(&wire.Response{Kind: wire.KindID, ID: []imap.IDParam{
		{Key: "name", Value: imap.NString{S: "mailaccess", Valid: true}},
	}})
	return nil
}

// cmdEnable turns on the extensions of RFC 5161 that change the session:
// IMAP4rev2 (RFC 9051 §6.3.1), UTF8=ACCEPT (RFC 6855), CONDSTORE and
// QRESYNC (RFC 7162).
func (c *conn) cmdEnable(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.EnableCommand)
	if args == nil {
		return bad("ENABLE needs capabilities")
	}
	var enabled imap.CapSet
	for _, capa := range args.Caps {
		var name imap.Cap
		for _, known := range []imap.Cap{imap.CapIMAP4rev2, imap.CapUTF8Accept, imap.CapCondStore, imap.CapQResync} {
			if strings.EqualFold(string(capa), string(known)) {
				name = known
			}
		}
		if name == "" {
			continue
		}
		if name == imap.CapQResync && !slices.Contains(c.capabilities(), imap.CapQResync) {
			continue
		}
		if !c.enabled[name] {
			c.enabled[name] = true
			enabled = append(enabled, name)
		}
		if name == imap.CapQResync {
			c.enabled[imap.CapCondStore] = true
		}
	}
	if c.enabled[imap.CapIMAP4rev2] || c.enabled[imap.CapUTF8Accept] {
		c.dec.SetUTF8(true)
		c.wmu.Lock()
		c.enc.SetUTF8(true)
		c.wmu.Unlock()
	}
	c.writeResp(&wire.Response{Kind: wire.KindEnabled, Caps: enabled})
	return nil
}

// rev2 reports whether the client enabled IMAP4rev2.
func (c *conn) rev2() bool { return c.enabled[imap.CapIMAP4rev2] }

// closeMailbox leaves the selected state.
func (c *conn) closeMailbox() {
	if c.mbox != nil {
		c.mbox.Close()
		c.mbox = nil
	}
	c.searchRes = imap.NumSet{}
	if c.state == stateSelected {
		c.state = stateAuth
	}
}

// cmdSelect is SELECT and EXAMINE (RFC 3501 §6.3.1, §6.3.2; RFC 9051
// §6.3.2, §6.3.3; CONDSTORE and QRESYNC parameters, RFC 7162).
func (c *conn) cmdSelect(cmd *wire.Command) *status {
	args := cmd.Args.(*imap.SelectCommand)
	if c.mbox != nil {
		c.closeMailbox()
		if c.rev2() || c.enabled[imap.CapQResync] || c.enabled[imap.CapCondStore] {
			// RFC 7162 §3.2.11, RFC 9051 §6.3.2: the old mailbox is closed.
			c.writeResp(&wire.Response{Kind: wire.KindStatus, Status: wire.StatusOK, Code: code(imap.CodeClosed), Text: "Previous mailbox closed"})
		}
	}
	if args.CondStore {
		c.enabled[imap.CapCondStore] = true
	}
	if args.QResync != nil && !c.enabled[imap.CapQResync] {
		return bad("QRESYNC is not enabled")
	}
	mbox, err := c.store.OpenMailbox(c.ctx, args.Mailbox, &mailstore.OpenOptions{ReadOnly: args.ReadOnly})
	if err != nil {
		return c.storeError(err)
	}
	c.mbox = mbox
	c.state = stateSelected
	msgs := mbox.Messages()

	flags := []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagSeen, imap.FlagDraft}
	seen := map[string]bool{}
	for _, f := range flags {
		seen[strings.ToLower(string(f))] = true
	}
	var recent, firstUnseen uint32
	for i := range msgs {
		for _, f := range msgs[i].Flags {
			if k := strings.ToLower(string(f)); !seen[k] {
				seen[k] = true
				flags = append(flags, f)
			}
		}
		if msgs[i].Recent {
			recent++
		}
		if firstUnseen == 0 && !hasFlag(msgs[i].Flags, imap.FlagSeen) {
			firstUnseen = uint32(i + 1)
		}
	}
	c.writeResp(&wire.Response{Kind: wire.KindFlags, Flags: flags})
	c.writeResp(&wire.Response{Kind: wire.KindExists, Num: uint32(len(msgs))})
	if !c.rev2() {
		c.writeResp(&wire.Response{Kind: wire.KindRecent, Num: recent})
		if firstUnseen > 0 {
			c.untaggedOK(&imap.ResponseCode{Name: imap.CodeUnseen, Num: uint64(firstUnseen)}, "First unseen")
		}
	}
	perm := mbox.PermanentFlags()
	if mbox.ReadOnly() {
		perm = nil
	}
	c.untaggedOK(&imap.ResponseCode{Name: imap.CodePermanentFlags, Flags: perm}, "Flags permitted")
	c.untaggedOK(&imap.ResponseCode{Name: imap.CodeUIDNext, Num: uint64(mbox.UIDNext())}, "Predicted next UID")
	c.untaggedOK(&imap.ResponseCode{Name: imap.CodeUIDValidity, Num: uint64(mbox.UIDValidity())}, "UIDs valid")
	if c.enabled[imap.CapCondStore] {
		c.untaggedOK(&imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: mbox.HighestModSeq()}, "Highest")
	}
	if c.rev2() {
		// RFC 9051 §6.3.2: a LIST response with the mailbox name.
		c.writeResp(&wire.Response{Kind: wire.KindList, List: &imap.ListData{
			Mailbox: mbox.Name(), Delim: c.store.Delimiter(),
		}})
	}
	if args.QResync != nil {
		if st := c.qresyncSelect(args.QResync); st != nil {
			return st
		}
	}
	if mbox.ReadOnly() {
		return okCode(code(imap.CodeReadOnly), cmd.Name+" completed")
	}
	return okCode(code(imap.CodeReadWrite), cmd.Name+" completed")
}

func (c *conn) untaggedOK(rc *imap.ResponseCode, text string) {
	c.writeResp(&wire.Response{Kind: wire.KindStatus, Status: wire.StatusOK, Code: rc, Text: text})
}

func hasFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}

// cmdClose is CLOSE (RFC 3501 §6.4.2: expunge silently, unless read-only)
// and UNSELECT (RFC 3691: close without expunging).
func (c *conn) cmdClose(cmd *wire.Command) *status {
	if cmd.Name == "CLOSE" && !c.mbox.ReadOnly() {
		var uids []uint32
		for _, m := range c.mbox.Messages() {
			if hasFlag(m.Flags, imap.FlagDeleted) {
				uids = append(uids, m.UID)
			}
		}
		if len(uids) > 0 {
			if _, err := c.mbox.Expunge(c.ctx, uids); err != nil {
				return c.storeError(err)
			}
		}
	}
	c.closeMailbox()
	return nil
}

// pollUpdates brings the view up to date and tells the client what
// changed: EXISTS (and RECENT for IMAP4rev1), FETCH FLAGS, and EXPUNGE or
// VANISHED (QRESYNC) when expunge is allowed.
func (c *conn) pollUpdates(expunge bool) error {
	ups, err := c.mbox.Poll(c.ctx, expunge)
	if err != nil {
		return err
	}
	c.writeUpdates(ups)
	return nil
}

// writeUpdates sends updates in the order they happened. A run of new
// messages becomes one EXISTS with the final count; expunges become
// EXPUNGE or, with QRESYNC, VANISHED.
func (c *conn) writeUpdates(ups []mailstore.Update) {
	var exists uint32
	var vanished imap.UIDSet
	newRecent := false
	flushExists := func() {
		if exists > 0 {
			c.writeResp(&wire.Response{Kind: wire.KindExists, Num: exists})
			if !c.rev2() && newRecent {
				var n uint32
				for _, m := range c.mbox.Messages() {
					if m.Recent {
						n++
					}
				}
				c.writeResp(&wire.Response{Kind: wire.KindRecent, Num: n})
			}
			exists, newRecent = 0, false
		}
	}
	flushVanished := func() {
		if !vanished.IsEmpty() {
			c.writeResp(&wire.Response{Kind: wire.KindVanished, Vanished: &imap.VanishedData{UIDs: vanished}})
			vanished = imap.UIDSet{}
		}
	}
	for i := range ups {
		u := &ups[i]
		switch u.Kind {
		case mailstore.UpdateNew:
			flushVanished()
			exists = u.Seq
			newRecent = newRecent || u.Message.Recent
		case mailstore.UpdateFlags:
			flushExists()
			flushVanished()
			c.writeResp(&wire.Response{Kind: wire.KindFetch, Fetch: c.flagsFetch(u.Seq, &u.Message)})
		case mailstore.UpdateExpunge:
			flushExists()
			if c.enabled[imap.CapQResync] {
				vanished.AddNum(u.Message.UID)
			} else {
				c.writeResp(&wire.Response{Kind: wire.KindExpunge, Num: u.Seq})
			}
		}
	}
	flushExists()
	flushVanished()
}

// flagsFetch is the unsolicited FETCH that reports a flag change: FLAGS,
// with UID when the client uses QRESYNC and MODSEQ with CONDSTORE
// (RFC 7162 §3.2.4, §3.1.4).
func (c *conn) flagsFetch(seq uint32, m *mailstore.MessageInfo) *imap.FetchData {
	fd := &imap.FetchData{Seq: seq}
	flags := m.Flags
	if m.Recent && !c.rev2() {
		flags = append(flags[:len(flags):len(flags)], imap.FlagRecent)
	}
	if c.enabled[imap.CapQResync] || (c.cur != nil && c.cur.cmd.UID) {
		fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchUID, Num: uint64(m.UID)})
	}
	fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchFlags, Flags: flags})
	if c.enabled[imap.CapCondStore] {
		fd.Items = append(fd.Items, imap.FetchItem{Kind: imap.FetchModSeq, Num: m.ModSeq})
	}
	return fd
}

// resolve returns the messages a sequence set (uid false) or UID set
// (uid true) names in the view, as their UIDs and sequence numbers, in
// ascending order. "$" stands for the saved search result (RFC 5182). In
// a UID set, numbers that are not UIDs of the view are skipped, and "*"
// is the highest UID in the view (RFC 9051 §6.4.9). It costs O(ranges ×
// log messages + result), not O(messages).
func (c *conn) resolve(set imap.NumSet, uid bool) (uids, seqs []uint32) {
	msgs := c.mbox.Messages()
	if set.IsSearchRes() {
		set = c.searchRes
		uid = true
	}
	if len(msgs) == 0 {
		return nil, nil
	}
	n := uint32(len(msgs))
	star := n
	if uid {
		star = msgs[n-1].UID
	}
	// Normalize merges overlapping ranges and resolves "*", so each
	// message is found once, in ascending order.
	for _, r := range set.Normalize(star).Ranges() {
		lo, hi := r.Start, r.Stop
		var i, j int // msgs[i:j] is the range
		if uid {
			i = sort.Search(len(msgs), func(k int) bool { return msgs[k].UID >= lo })
			j = sort.Search(len(msgs), func(k int) bool { return msgs[k].UID > hi })
		} else {
			if lo > n {
				continue
			}
			i, j = int(lo)-1, int(min(hi, n))
		}
		for k := i; k < j; k++ {
			uids = append(uids, msgs[k].UID)
			seqs = append(seqs, uint32(k+1))
		}
	}
	return uids, seqs
}
