package imapserver

import (
	"iter"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// qresyncSelect sends what SELECT (QRESYNC ...) owes the client
// (RFC 7162 §3.2.5): VANISHED (EARLIER) with the known UIDs expunged since
// the client's mod-sequence, then FETCH (UID FLAGS MODSEQ) for the known
// messages changed since it. With another UIDVALIDITY the parameters are
// ignored: the client has to resynchronize fully (§3.2.5).
func (c *conn) qresyncSelect(p *imap.QResyncParams) *status {
	mbox := c.mbox
	if p.UIDValidity != mbox.UIDValidity() {
		return nil
	}
	msgs := mbox.Messages()
	var star uint32
	if next := mbox.UIDNext(); next > 0 {
		star = next - 1
	}
	if n := len(msgs); n > 0 && msgs[n-1].UID > star {
		star = msgs[n-1].UID
	}
	// Without known UIDs the client is taken to know 1:<UIDNEXT-1>
	// (§3.2.5.1); in a mailbox that never had a message that is nothing.
	var known imap.NumSet
	switch {
	case !p.KnownUIDs.IsEmpty() && !p.KnownUIDs.IsSearchRes():
		known = p.KnownUIDs.Normalize(star).NumSet
	case star > 0:
		known = imap.NumSetRange(1, star)
	}
	if known.IsEmpty() {
		return nil
	}

	gone, err := mbox.ExpungedSince(c.ctx, p.ModSeq)
	if err != nil {
		return c.storeError(err)
	}
	floor := qresyncFloor(p, msgs)
	if v := msgVanished(gone.NumSet, known, msgs, floor); !v.IsEmpty() {
		c.writeResp(&wire.Response{Kind: wire.KindVanished, Vanished: &imap.VanishedData{Earlier: true, UIDs: imap.UIDSet{NumSet: v}}})
	}

	// The known messages changed since the client's mod-sequence, as
	// UID FETCH (FLAGS) (CHANGEDSINCE modseq) would send them.
	ranges := known.Ranges()
	r := 0
	for i := range msgs {
		m := &msgs[i]
		for r < len(ranges) && ranges[r].Stop < m.UID {
			r++
		}
		if r == len(ranges) {
			break
		}
		if m.UID < ranges[r].Start || m.ModSeq <= p.ModSeq {
			continue
		}
		c.writeResp(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{Seq: uint32(i + 1), Items: []imap.FetchItem{
			{Kind: imap.FetchUID, Num: uint64(m.UID)},
			{Kind: imap.FetchFlags, Flags: c.msgFlags(m)},
			{Kind: imap.FetchModSeq, Num: m.ModSeq},
		}}})
	}
	return nil
}

// qresyncFloor applies the message sequence match data (RFC 7162
// §3.2.5.2): the pairs of sequence number and UID are taken in order
// while they match the mailbox, and the client knows every expunge up to
// the UID of the last matching pair, which VANISHED (EARLIER) then leaves
// out. Sets of different sizes are ignored.
func qresyncFloor(p *imap.QResyncParams, msgs []mailstore.MessageInfo) uint32 {
	if p.SeqMatchSeqs.IsEmpty() || p.SeqMatchUIDs.IsEmpty() ||
		p.SeqMatchSeqs.IsSearchRes() || p.SeqMatchUIDs.IsSearchRes() {
		return 0
	}
	n := uint32(len(msgs))
	// "*" stands for the last message and its UID; in an empty mailbox
	// nothing matches anyway.
	var lastUID uint32
	if n > 0 {
		lastUID = msgs[n-1].UID
	}
	if p.SeqMatchSeqs.Count(n) != p.SeqMatchUIDs.Count(lastUID) {
		return 0
	}
	seqs, stop1 := iter.Pull(p.SeqMatchSeqs.All(n))
	defer stop1()
	uids, stop2 := iter.Pull(p.SeqMatchUIDs.All(lastUID))
	defer stop2()
	var floor uint32
	for {
		s, ok1 := seqs()
		u, ok2 := uids()
		if !ok1 || !ok2 || s > n || msgs[s-1].UID != u {
			return floor
		}
		floor = u
	}
}
