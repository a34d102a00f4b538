package imapserver

import (
	"context"
	"fmt"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// qresyncClient is a logged-in client with QRESYNC enabled. The test is
// skipped when the server does not advertise QRESYNC (the lead lists it
// in extraCaps).
func (e *msgEnv) qresyncClient() *tclient {
	e.t.Helper()
	c := e.client()
	u := c.ok("ENABLE QRESYNC")
	if len(u) != 1 || u[0].Kind != wire.KindEnabled || !u[0].Caps.Has(imap.CapQResync) {
		e.t.Skip("QRESYNC is not advertised")
	}
	return c
}

// msgVanishedOf returns the VANISHED responses among rs.
func msgVanishedOf(rs []*wire.Response) []*imap.VanishedData {
	var out []*imap.VanishedData
	for _, r := range rs {
		if r.Kind == wire.KindVanished {
			out = append(out, r.Vanished)
		}
	}
	return out
}

// msgSelectInfo returns UIDVALIDITY and HIGHESTMODSEQ from SELECT's
// responses.
func msgSelectInfo(t *testing.T, rs []*wire.Response) (validity uint32, modseq uint64) {
	t.Helper()
	for _, r := range rs {
		if r.Kind == wire.KindStatus && r.Code != nil {
			switch r.Code.Name {
			case imap.CodeUIDValidity:
				validity = uint32(r.Code.Num)
			case imap.CodeHighestModSeq:
				modseq = r.Code.Num
			}
		}
	}
	if validity == 0 || modseq == 0 {
		t.Fatalf("SELECT without UIDVALIDITY or HIGHESTMODSEQ: %s", kinds(rs))
	}
	return validity, modseq
}

// TestFetchChangedSince: the CHANGEDSINCE modifier (RFC 7162 §3.1.4.1,
// Example 12) implies MODSEQ and is a CONDSTORE enabling command.
func TestFetchChangedSince(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 5)
	st, err := e.st.Status(context.Background(), "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	c := e.selected("SELECT INBOX")
	other := e.selected("SELECT INBOX")
	other.ok("STORE 2,4 +FLAGS (\\Answered)")
	c.ok("NOOP")

	u := c.ok(fmt.Sprintf("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d)", st.HighestModSeq))
	if msgHighestModSeq(u) == 0 {
		t.Errorf("no HIGHESTMODSEQ for the first CONDSTORE enabling command: %s", kinds(u))
	}
	fs := msgFetches(u)
	if len(fs) != 2 || fs[0].UID() != 2 || fs[1].UID() != 4 || msgItemNames(fs[0]) != "UID FLAGS MODSEQ" ||
		fs[0].Item(imap.FetchModSeq).Num <= st.HighestModSeq {
		t.Errorf("CHANGEDSINCE: %+v", fs)
	}
	if fs := msgFetches(c.ok("FETCH 1:* (FLAGS) (CHANGEDSINCE 9999999)")); len(fs) != 0 {
		t.Errorf("CHANGEDSINCE the future: %d responses", len(fs))
	}
	// MODSEQ alone (Example 13).
	fd := msgOneFetch(t, c.ok("FETCH 3 (MODSEQ)"))
	if msgItemNames(fd) != "MODSEQ" || fd.Item(imap.FetchModSeq).Num == 0 {
		t.Errorf("FETCH MODSEQ: %s", msgItemNames(fd))
	}
	// Now CONDSTORE-aware: \Seen set by FETCH reports MODSEQ too.
	fd = msgOneFetch(t, c.ok("FETCH 1 BODY[TEXT]"))
	if msgItemNames(fd) != "BODY[] FLAGS MODSEQ" {
		t.Errorf("\\Seen under CONDSTORE: %s", msgItemNames(fd))
	}
	// VANISHED needs QRESYNC (RFC 7162 §3.2.6).
	_, r := c.do("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")
	msgStatus(t, "VANISHED without QRESYNC", r, wire.StatusBAD, "")
}

// TestFetchVanished: UID FETCH (CHANGEDSINCE n VANISHED) (RFC 7162
// §3.2.6): VANISHED (EARLIER) before the FETCH responses.
func TestFetchVanished(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 6)
	c := e.qresyncClient()
	_, m0 := msgSelectInfo(t, c.ok("SELECT INBOX"))
	other := e.selected("SELECT INBOX")
	other.ok("STORE 2,4 +FLAGS.SILENT (\\Deleted)")
	other.ok("EXPUNGE")
	other.ok("UID STORE 3 +FLAGS.SILENT (\\Flagged)")

	// Not yet polled: UIDs 2 and 4 are still in the view, so they are
	// announced after the command by a plain VANISHED, never EARLIER
	// (RFC 7162 §3.2.10).
	u := c.ok(fmt.Sprintf("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)", m0))
	vs := msgVanishedOf(u)
	if len(vs) != 1 || vs[0].Earlier || vs[0].UIDs.String() != "2,4" {
		t.Errorf("before NOOP: %s %+v", kinds(u), vs)
	}

	u = c.ok(fmt.Sprintf("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)", m0))
	if len(u) != 2 || u[0].Kind != wire.KindVanished || !u[0].Vanished.Earlier || u[0].Vanished.UIDs.String() != "2,4" ||
		u[1].Kind != wire.KindFetch || u[1].Fetch.UID() != 3 || u[1].Fetch.Seq != 2 {
		t.Errorf("VANISHED (EARLIER): %s %+v %+v", kinds(u), u[0].Vanished, u[1].Fetch)
	}
	// Restricted to the UID set.
	u = c.ok(fmt.Sprintf("UID FETCH 3:5 (FLAGS) (CHANGEDSINCE %d VANISHED)", m0))
	if vs := msgVanishedOf(u); len(vs) != 1 || vs[0].UIDs.String() != "4" {
		t.Errorf("UID FETCH 3:5: %s", kinds(u))
	}
	for _, cmd := range []string{
		"FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
		"UID FETCH 1:* (FLAGS) (VANISHED)",
	} {
		_, r := c.do(cmd)
		msgStatus(t, cmd, r, wire.StatusBAD, "")
	}
}

// TestQResyncExpungeAndMove: with QRESYNC, EXPUNGE, UID EXPUNGE and MOVE
// send VANISHED and the new HIGHESTMODSEQ in the tagged OK (RFC 7162
// §3.2.7, §3.2.9; RFC 6851 §4.4); \Seen set by FETCH reports UID and
// MODSEQ (RFC 7162 §3.2.4).
func TestQResyncExpungeAndMove(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 6)
	e.create("Archive")
	c := e.qresyncClient()
	_, m0 := msgSelectInfo(t, c.ok("SELECT INBOX"))

	c.ok("STORE 1,3 +FLAGS.SILENT (\\Deleted)")
	u, r := c.do("EXPUNGE")
	if len(u) != 1 || u[0].Kind != wire.KindVanished || u[0].Vanished.Earlier || u[0].Vanished.UIDs.String() != "1,3" {
		t.Errorf("EXPUNGE: %s", kinds(u))
	}
	msgStatus(t, "EXPUNGE", r, wire.StatusOK, imap.CodeHighestModSeq)
	m1 := r.Code.Num
	if m1 <= m0 {
		t.Errorf("HIGHESTMODSEQ %d after %d", m1, m0)
	}

	u, r = c.do("UID MOVE 4:5 Archive")
	if len(u) != 2 || u[0].Code == nil || u[0].Code.Name != imap.CodeCopyUID || u[1].Kind != wire.KindVanished ||
		u[1].Vanished.UIDs.String() != "4:5" {
		t.Errorf("UID MOVE: %s", kinds(u))
	}
	msgStatus(t, "UID MOVE", r, wire.StatusOK, imap.CodeHighestModSeq)
	if r.Code.Num <= m1 {
		t.Errorf("HIGHESTMODSEQ %d after %d", r.Code.Num, m1)
	}

	c.ok("UID STORE 6 +FLAGS.SILENT (\\Deleted)")
	u, r = c.do("UID EXPUNGE 6")
	if vs := msgVanishedOf(u); len(vs) != 1 || vs[0].UIDs.String() != "6" {
		t.Errorf("UID EXPUNGE: %s", kinds(u))
	}
	msgStatus(t, "UID EXPUNGE", r, wire.StatusOK, imap.CodeHighestModSeq)

	fd := msgOneFetch(t, c.ok("FETCH 1 BODY[TEXT]"))
	if msgItemNames(fd) != "UID BODY[] FLAGS MODSEQ" || fd.UID() != 2 {
		t.Errorf("\\Seen under QRESYNC: %s", msgItemNames(fd))
	}
}

// TestQResyncSelect: SELECT (QRESYNC ...) after changes made by another
// session (RFC 7162 §3.2.5): VANISHED (EARLIER) for the expunges, FETCH
// (UID FLAGS MODSEQ) for the changes, restricted to the known UIDs and by
// the sequence match data; a different UIDVALIDITY is ignored.
func TestQResyncSelect(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 6)
	c := e.qresyncClient()
	v, m0 := msgSelectInfo(t, c.ok("SELECT INBOX"))
	c.ok("UNSELECT")

	other := e.selected("SELECT INBOX")
	other.ok("STORE 3 +FLAGS (\\Seen)")
	other.ok("STORE 2,5 +FLAGS.SILENT (\\Deleted)")
	other.ok("EXPUNGE")
	e.add("INBOX", msgSimple) // UID 7
	// UIDs 1 3 4 6 7; 3 and 7 changed since m0.

	u := c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d))", v, m0))
	var order []string
	for _, r := range u {
		switch r.Kind {
		case wire.KindVanished:
			order = append(order, fmt.Sprintf("VANISHED %v %s", r.Vanished.Earlier, r.Vanished.UIDs))
		case wire.KindFetch:
			if msgItemNames(r.Fetch) != "UID FLAGS MODSEQ" {
				t.Errorf("FETCH items %s", msgItemNames(r.Fetch))
			}
			order = append(order, fmt.Sprintf("FETCH %d %d", r.Fetch.Seq, r.Fetch.UID()))
		}
	}
	if got := fmt.Sprint(order); got != "[VANISHED true 2,5 FETCH 2 3 FETCH 5 7]" {
		t.Errorf("QRESYNC: %s", got)
	}
	if fs := msgFetches(u); len(fs) > 0 && !hasFlag(fs[0].Item(imap.FetchFlags).Flags, imap.FlagSeen) {
		t.Errorf("FLAGS %v", fs[0].Item(imap.FetchFlags).Flags)
	}

	// Known UIDs 1:4 only.
	u = c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d 1:4))", v, m0))
	if vs, fs := msgVanishedOf(u), msgFetches(u); len(vs) != 1 || vs[0].UIDs.String() != "2" || len(fs) != 1 || fs[0].UID() != 3 {
		t.Errorf("known 1:4: %s", kinds(u))
	}
	if u[0].Kind != wire.KindStatus || u[0].Code == nil || u[0].Code.Name != imap.CodeClosed {
		t.Errorf("no [CLOSED] first: %s", kinds(u))
	}

	// Sequence match data: (1,2 1,3) matches the mailbox, so the client
	// knows every expunge up to UID 3 (RFC 7162 §3.2.5.2).
	u = c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d 1:7 (1,2 1,3)))", v, m0))
	if vs := msgVanishedOf(u); len(vs) != 1 || vs[0].UIDs.String() != "5" {
		t.Errorf("matching sequence data: %s", kinds(u))
	}
	u = c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d 1:7 (1,2 1,2)))", v, m0))
	if vs := msgVanishedOf(u); len(vs) != 1 || vs[0].UIDs.String() != "2,5" {
		t.Errorf("mismatching sequence data: %s", kinds(u))
	}

	// Another UIDVALIDITY: nothing beyond a plain SELECT.
	u = c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d))", v+1, m0))
	if len(msgVanishedOf(u)) != 0 || len(msgFetches(u)) != 0 {
		t.Errorf("wrong UIDVALIDITY: %s", kinds(u))
	}
	// Up to date: nothing.
	_, m2 := msgSelectInfo(t, u)
	u = c.ok(fmt.Sprintf("SELECT INBOX (QRESYNC (%d %d))", v, m2))
	if len(msgVanishedOf(u)) != 0 || len(msgFetches(u)) != 0 {
		t.Errorf("up to date: %s", kinds(u))
	}
}

// TestMsgVanishedRanges checks the range arithmetic of VANISHED
// (EARLIER): the intersection of the expunged and known UIDs above the
// floor, without the UIDs still in the view.
func TestMsgVanishedRanges(t *testing.T) {
	set := func(s string) imap.NumSet {
		n, err := imap.ParseNumSet(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		gone, known string
		view        []uint32
		floor       uint32
		want        string
	}{
		{"1:10", "1:10", nil, 0, "1:10"},
		{"1:10", "3:4,8:20", nil, 0, "3:4,8:10"},
		{"1:10", "1:10", []uint32{1, 5, 10}, 0, "2:4,6:9"},
		{"1:10", "1:10", []uint32{5}, 6, "7:10"},
		{"2,4,6", "1:3,5:9", []uint32{1, 3}, 0, "2,6"},
		{"1:4294967295", "4294967290:4294967295", []uint32{4294967295}, 0, "4294967290:4294967294"},
		{"5", "1:4", nil, 0, ""},
	} {
		var msgs []mailstore.MessageInfo
		for _, u := range tc.view {
			msgs = append(msgs, mailstore.MessageInfo{UID: u})
		}
		got := msgVanished(set(tc.gone), set(tc.known).Normalize(0), msgs, tc.floor)
		if got.String() != tc.want {
			t.Errorf("gone %s known %s view %v floor %d: %q, want %q", tc.gone, tc.known, tc.view, tc.floor, got, tc.want)
		}
	}
}
