package imapserver

import (
	"context"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// fill appends n simple messages to mailbox.
func (e *msgEnv) fill(mailbox string, n int, flags ...imap.Flag) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		e.add(mailbox, msgSimple, flags...)
	}
}

// msgExpunges lists the numbers of the EXPUNGE responses among rs.
func msgExpunges(rs []*wire.Response) []uint32 {
	var out []uint32
	for _, r := range rs {
		if r.Kind == wire.KindExpunge {
			out = append(out, r.Num)
		}
	}
	return out
}

func msgUints(s []uint32) string {
	var b strings.Builder
	for i, n := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(itoa(int64(n)))
	}
	return b.String()
}

// msgHighestModSeq returns the HIGHESTMODSEQ of the untagged OK among rs,
// or 0.
func msgHighestModSeq(rs []*wire.Response) uint64 {
	for _, r := range rs {
		if r.Kind == wire.KindStatus && r.Code != nil && r.Code.Name == imap.CodeHighestModSeq {
			return r.Code.Num
		}
	}
	return 0
}

// TestStoreFlags: FLAGS, +FLAGS, -FLAGS and their .SILENT forms
// (RFC 3501 §6.4.6), and UID STORE.
func TestStoreFlags(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 4)
	// An IMAP4rev1 session: every message is \Recent for it.
	c := e.selected("SELECT INBOX")

	// RFC 3501 §6.4.6 example: STORE 2:4 +FLAGS (\Deleted).
	c.ok("STORE 2 +FLAGS.SILENT (\\Seen)")
	c.ok("STORE 4 +FLAGS.SILENT (\\Seen \\Flagged)")
	u := c.ok("STORE 2:4 +FLAGS (\\Deleted)")
	fs := msgFetches(u)
	want := []string{`\Seen \Deleted \Recent`, `\Deleted \Recent`, `\Seen \Flagged \Deleted \Recent`}
	if len(fs) != 3 {
		t.Fatalf("STORE 2:4: %s", kinds(u))
	}
	for i, fd := range fs {
		if fd.Seq != uint32(i+2) || msgItemNames(fd) != "FLAGS" || !msgSameFlags(fd.Item(imap.FetchFlags).Flags, want[i]) {
			t.Errorf("STORE 2:4: %d %s %v", fd.Seq, msgItemNames(fd), fd.Item(imap.FetchFlags).Flags)
		}
	}
	// A message whose flags do not change is reported all the same.
	fd := msgOneFetch(t, c.ok("STORE 2 +FLAGS (\\Deleted)"))
	if !msgSameFlags(fd.Item(imap.FetchFlags).Flags, `\Seen \Deleted \Recent`) {
		t.Errorf("unchanged: %v", fd.Item(imap.FetchFlags).Flags)
	}
	fd = msgOneFetch(t, c.ok("STORE 2 -FLAGS (\\Deleted \\Seen)"))
	if got := fd.Item(imap.FetchFlags).Flags; !msgSameFlags(got, `\Recent`) {
		t.Errorf("-FLAGS: %v", got)
	}
	fd = msgOneFetch(t, c.ok("STORE 3 FLAGS ($Junk \\Answered)"))
	if !msgSameFlags(fd.Item(imap.FetchFlags).Flags, `$Junk \Answered \Recent`) {
		t.Errorf("FLAGS: %v", fd.Item(imap.FetchFlags).Flags)
	}
	for _, cmd := range []string{"STORE 1 FLAGS.SILENT (\\Draft)", "STORE 1 +FLAGS.SILENT (\\Seen)", "STORE 1 -FLAGS.SILENT (\\Draft)"} {
		if u := c.ok(cmd); len(u) != 0 {
			t.Errorf("%s: %s", cmd, kinds(u))
		}
	}
	fd = msgOneFetch(t, c.ok("UID STORE 1 +FLAGS (\\Answered)"))
	if msgItemNames(fd) != "UID FLAGS" || fd.UID() != 1 || !msgSameFlags(fd.Item(imap.FetchFlags).Flags, `\Seen \Answered \Recent`) {
		t.Errorf("UID STORE: %s %v", msgItemNames(fd), fd.Item(imap.FetchFlags).Flags)
	}
	if u := c.ok("UID STORE 99 +FLAGS (\\Answered)"); len(u) != 0 {
		t.Errorf("UID STORE of a missing UID: %s", kinds(u))
	}
	_, r := c.do("STORE 1 +FLAGS (\\Bogus)")
	msgStatus(t, "unknown system flag", r, wire.StatusBAD, "")
	_, r = c.do("STORE 5 +FLAGS (\\Seen)")
	msgStatus(t, "STORE 5 of 4", r, wire.StatusBAD, "")
	// A vendor item the codec reads (Gmail's labels) is refused, and the
	// flags stay as they were.
	_, r = c.do("STORE 3 X-GM-LABELS (foo)")
	msgStatus(t, "STORE X-GM-LABELS", r, wire.StatusBAD, "")
	fd = msgOneFetch(t, c.ok("FETCH 3 FLAGS"))
	if !msgSameFlags(fd.Item(imap.FetchFlags).Flags, `$Junk \Answered \Recent`) {
		t.Errorf("flags after a refused vendor STORE: %v", fd.Item(imap.FetchFlags).Flags)
	}
	_, r = c.do("UID FETCH 1:* (FLAGS) (PARTIAL 1:2)")
	msgStatus(t, "FETCH PARTIAL", r, wire.StatusBAD, "")
}

// msgSameFlags compares flags with a space-separated list, in any order.
func msgSameFlags(got []imap.Flag, want string) bool {
	w := strings.Fields(want)
	if len(got) != len(w) {
		return false
	}
	for _, f := range w {
		if !hasFlag(got, imap.Flag(f)) {
			return false
		}
	}
	return true
}

// TestReadOnlyRefusals: after EXAMINE, STORE, EXPUNGE and MOVE are NO
// [READ-ONLY]; COPY and FETCH work.
func TestReadOnlyRefusals(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 2, imap.FlagDeleted)
	e.create("Archive")
	c := e.selected("EXAMINE INBOX")
	for _, cmd := range []string{"STORE 1 +FLAGS (\\Seen)", "UID STORE 1 FLAGS.SILENT ()", "EXPUNGE", "UID EXPUNGE 1:*", "MOVE 1 Archive", "UID MOVE 1 Archive"} {
		_, r := c.do(cmd)
		msgStatus(t, cmd, r, wire.StatusNO, imap.CodeReadOnly)
	}
	_, r := c.do("COPY 1:2 Archive")
	msgStatus(t, "COPY from read-only", r, wire.StatusOK, imap.CodeCopyUID)
	if fs := msgFetches(c.ok("FETCH 1:2 FLAGS")); len(fs) != 2 {
		t.Error("messages gone after refused changes")
	}
}

// TestStoreUnchangedSince: the CONDSTORE STORE modifier (RFC 7162
// §3.1.3, Examples 3 to 8).
func TestStoreUnchangedSince(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 5)
	c := e.client()
	c.ok("ENABLE IMAP4rev2")
	c.ok("SELECT INBOX")
	fs := msgFetches(c.ok("FETCH 1:5 MODSEQ"))
	if len(fs) != 5 {
		t.Fatal("FETCH MODSEQ")
	}
	high := fs[4].Item(imap.FetchModSeq).Num

	// Every message passes; .SILENT still reports MODSEQ (Example 3).
	u := c.ok("UID STORE 4,2 (UNCHANGEDSINCE " + itoa(int64(high)) + ") +FLAGS.SILENT (\\Deleted)")
	fs = msgFetches(u)
	if len(fs) != 2 || msgItemNames(fs[0]) != "UID MODSEQ" || fs[0].UID() != 2 || fs[1].UID() != 4 ||
		fs[0].Item(imap.FetchModSeq).Num <= high {
		t.Fatalf("Example 3: %s %+v", kinds(u), fs)
	}

	// Another session changes message 3: it fails the test, the others
	// pass (Example 6), and its new flags are reported (Example 10).
	other := e.selected("SELECT INBOX")
	other.ok("STORE 3 +FLAGS (\\Flagged)")
	u, r := c.do("STORE 1,3,5 (UNCHANGEDSINCE " + itoa(int64(high)) + ") +FLAGS.SILENT (\\Seen)")
	msgStatus(t, "Example 6", r, wire.StatusOK, imap.CodeModified)
	if r.Code.Set.String() != "3" {
		t.Errorf("MODIFIED %s", r.Code.Set)
	}
	var silent, flagged int
	for _, fd := range msgFetches(u) {
		switch {
		case msgItemNames(fd) == "MODSEQ" && (fd.Seq == 1 || fd.Seq == 5):
			silent++
		case fd.Seq == 3 && fd.Item(imap.FetchFlags) != nil && fd.Item(imap.FetchModSeq) != nil:
			flagged++
		default:
			t.Errorf("Example 6: unexpected %d %s", fd.Seq, msgItemNames(fd))
		}
	}
	if silent != 2 || flagged != 1 {
		t.Errorf("Example 6: %s", kinds(u))
	}

	// UNCHANGEDSINCE 0 fails for every message (Example 8), nothing
	// changes; UID STORE names UIDs.
	u, r = c.do("STORE 1:2,4 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)")
	msgStatus(t, "UNCHANGEDSINCE 0", r, wire.StatusOK, imap.CodeModified)
	if r.Code.Set.String() != "1:2,4" || len(u) != 0 {
		t.Errorf("UNCHANGEDSINCE 0: MODIFIED %s, %s", r.Code.Set, kinds(u))
	}
	_, r = c.do("UID STORE 5 (UNCHANGEDSINCE 0) FLAGS ()")
	if r.Code == nil || r.Code.Name != imap.CodeModified || r.Code.Set.String() != "5" {
		t.Errorf("UID STORE UNCHANGEDSINCE 0: %+v", r)
	}
	for _, fd := range msgFetches(c.ok("FETCH 1:5 FLAGS")) {
		if hasFlag(fd.Item(imap.FetchFlags).Flags, "$MDNSent") {
			t.Errorf("UNCHANGEDSINCE 0 changed message %d", fd.Seq)
		}
	}
}

// TestStoreCondStoreEnabling: STORE UNCHANGEDSINCE is a CONDSTORE
// enabling command: the first one sends HIGHESTMODSEQ (RFC 7162 §3.1,
// Example 5), and from then on .SILENT stores report MODSEQ.
func TestStoreCondStoreEnabling(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 2)
	c := e.selected("SELECT INBOX")
	u := c.ok("STORE 1 (UNCHANGEDSINCE 1000000) -FLAGS.SILENT (\\Deleted)")
	if len(u) != 1 || msgHighestModSeq(u) == 0 {
		t.Errorf("first enabling command: %s", kinds(u))
	}
	u = c.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
	fd := msgOneFetch(t, u)
	if msgItemNames(fd) != "MODSEQ" || fd.Seq != 2 {
		t.Errorf("silent STORE once CONDSTORE-aware: %s", msgItemNames(fd))
	}
	fd = msgOneFetch(t, c.ok("STORE 2 -FLAGS (\\Deleted)"))
	if msgItemNames(fd) != "FLAGS MODSEQ" {
		t.Errorf("STORE once CONDSTORE-aware: %s", msgItemNames(fd))
	}
}

// TestMsgCopy: COPY and UID COPY with COPYUID (RFC 4315 §3), flags kept,
// TRYCREATE for a missing target (RFC 3501 §6.4.7).
func TestMsgCopy(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 3)
	e.create("Archive")
	e.add("Archive", msgSimple)
	c := e.selected("SELECT INBOX")
	c.ok("STORE 2 +FLAGS.SILENT (\\Flagged $Work)")
	_, r := c.do("COPY 2:3 Archive")
	msgStatus(t, "COPY", r, wire.StatusOK, imap.CodeCopyUID)
	st, err := e.st.Status(context.Background(), "Archive")
	if err != nil {
		t.Fatal(err)
	}
	if rc := r.Code; rc.Num != uint64(st.UIDValidity) || rc.Set.String() != "2:3" || rc.Set2.String() != "2:3" {
		t.Errorf("COPYUID %d %s %s", rc.Num, rc.Set, rc.Set2)
	}
	_, r = c.do("UID COPY 1,3,7 Archive")
	if r.Status != wire.StatusOK || r.Code == nil || r.Code.Set.String() != "1,3" || r.Code.Set2.String() != "4:5" {
		t.Errorf("UID COPY: %+v %+v", r, r.Code)
	}
	_, r = c.do("UID COPY 50:60 Archive")
	msgStatus(t, "UID COPY of nothing", r, wire.StatusOK, "")
	_, r = c.do("COPY 1 Nowhere")
	msgStatus(t, "COPY to a missing mailbox", r, wire.StatusNO, imap.CodeTryCreate)
	_, r = c.do("COPY 4 Archive")
	msgStatus(t, "COPY 4 of 3", r, wire.StatusBAD, "")

	a := e.selected("EXAMINE Archive")
	fs := msgFetches(a.ok("FETCH 2 FLAGS"))
	if len(fs) != 1 || !hasFlag(fs[0].Item(imap.FetchFlags).Flags, imap.FlagFlagged) || !hasFlag(fs[0].Item(imap.FetchFlags).Flags, "$Work") {
		t.Errorf("copied flags: %+v", fs)
	}
	if st.Messages != 3 {
		t.Errorf("Archive has %d messages", st.Messages)
	}
}

// TestMsgMove: MOVE sends COPYUID in an untagged OK before the EXPUNGEs
// (RFC 6851 §4.3), another session sees the EXPUNGEs, and TRYCREATE for a
// missing target.
func TestMsgMove(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 5)
	e.create("Archive")
	c := e.selected("SELECT INBOX")
	other := e.selected("SELECT INBOX")

	u, r := c.do("MOVE 2,4 Archive")
	msgStatus(t, "MOVE", r, wire.StatusOK, "")
	if len(u) != 3 || u[0].Kind != wire.KindStatus || u[0].Code == nil || u[0].Code.Name != imap.CodeCopyUID ||
		u[0].Code.Set.String() != "2,4" || u[0].Code.Set2.String() != "1:2" {
		t.Fatalf("MOVE: %s", kinds(u))
	}
	if got := msgUints(msgExpunges(u)); got != "2 3" {
		t.Errorf("MOVE expunges %q", got)
	}
	if got := msgUints(msgExpunges(other.ok("NOOP"))); got != "2 3" {
		t.Errorf("other session: expunges %q", got)
	}

	// UID MOVE of UIDs that are gone moves nothing.
	if u := c.ok("UID MOVE 2,4 Archive"); len(u) != 0 {
		t.Errorf("UID MOVE of moved UIDs: %s", kinds(u))
	}
	u = c.ok("UID MOVE 5 Archive")
	if len(u) != 2 || u[0].Code == nil || u[0].Code.Set2.String() != "3" || msgUints(msgExpunges(u)) != "3" {
		t.Errorf("UID MOVE 5: %s", kinds(u))
	}
	_, r = c.do("MOVE 1 Nowhere")
	msgStatus(t, "MOVE to a missing mailbox", r, wire.StatusNO, imap.CodeTryCreate)

	st, err := e.st.Status(context.Background(), "Archive")
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.st.Status(context.Background(), "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if st.Messages != 3 || in.Messages != 2 {
		t.Errorf("after MOVE: Archive %d, INBOX %d", st.Messages, in.Messages)
	}
}

// TestMsgExpunge: EXPUNGE and UID EXPUNGE (RFC 3501 §6.4.3 example, RFC
// 4315 §2.1).
func TestMsgExpunge(t *testing.T) {
	e := newMsgEnv(t)
	e.fill("INBOX", 12)
	c := e.selected("SELECT INBOX")
	// RFC 3501 §6.4.3: messages 3, 4, 7 and 11 deleted.
	c.ok("STORE 3:4,7,11 +FLAGS.SILENT (\\Deleted)")
	u := c.ok("EXPUNGE")
	if got := msgUints(msgExpunges(u)); got != "3 3 5 8" || len(u) != 4 {
		t.Errorf("EXPUNGE: %q (%s)", got, kinds(u))
	}
	if u := c.ok("EXPUNGE"); len(u) != 0 {
		t.Errorf("EXPUNGE of nothing: %s", kinds(u))
	}
	// UIDs left: 1 2 5 6 8 9 10 12. UID EXPUNGE only touches \Deleted
	// messages in its set.
	c.ok("UID STORE 5,6,9,12 +FLAGS.SILENT (\\Deleted)")
	u = c.ok("UID EXPUNGE 1:8")
	if got := msgUints(msgExpunges(u)); got != "3 3" {
		t.Errorf("UID EXPUNGE 1:8: %q", got)
	}
	u = c.ok("UID EXPUNGE 10:*")
	if got := msgUints(msgExpunges(u)); got != "6" {
		t.Errorf("UID EXPUNGE 10:*: %q", got)
	}
	fs := msgFetches(c.ok("FETCH 1:* UID"))
	var uids []uint32
	for _, fd := range fs {
		uids = append(uids, fd.UID())
	}
	if got := msgUints(uids); got != "1 2 8 9 10" {
		t.Errorf("left: %s", got)
	}
	// Message 4 (UID 9) is still \Deleted.
	fd := msgOneFetch(t, c.ok("FETCH 4 FLAGS"))
	if !hasFlag(fd.Item(imap.FetchFlags).Flags, imap.FlagDeleted) {
		t.Error("UID EXPUNGE outside its set")
	}
}

// TestMessageCommandsNeedSelection: the commands of this group are for
// the selected state.
func TestMessageCommandsNeedSelection(t *testing.T) {
	e := newMsgEnv(t)
	c := e.client()
	for _, cmd := range []string{"STORE 1 +FLAGS (\\Seen)", "COPY 1 INBOX", "MOVE 1 INBOX", "EXPUNGE", "UID EXPUNGE 1"} {
		_, r := c.do(cmd)
		msgStatus(t, cmd, r, wire.StatusBAD, "")
	}
}
