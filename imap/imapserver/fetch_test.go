package imapserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// msgEnv is a test server with alice's store open, to put mail in place
// without the protocol.
type msgEnv struct {
	t  *testing.T
	ts *testServer
	st mailstore.Store
}

func newMsgEnv(t *testing.T) *msgEnv {
	t.Helper()
	ts := newTestServer(t)
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &msgEnv{t: t, ts: ts, st: st}
}

// msgCRLF turns the LF line ends of a test message into CRLF.
func msgCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// add appends a message (LF line ends become CRLF) and returns its UID.
func (e *msgEnv) add(mailbox, msg string, flags ...imap.Flag) uint32 {
	e.t.Helper()
	return e.addAt(mailbox, msg, time.Time{}, flags...)
}

func (e *msgEnv) addAt(mailbox, msg string, date time.Time, flags ...imap.Flag) uint32 {
	e.t.Helper()
	res, err := e.st.Append(context.Background(), mailbox, strings.NewReader(msgCRLF(msg)),
		&mailstore.AppendOptions{Flags: flags, InternalDate: date})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.UID
}

func (e *msgEnv) create(name string) {
	e.t.Helper()
	if err := e.st.CreateMailbox(context.Background(), name, nil); err != nil {
		e.t.Fatal(err)
	}
}

// client dials and logs in.
func (e *msgEnv) client() *tclient {
	e.t.Helper()
	c := e.ts.dial(e.t)
	c.login()
	return c
}

// selected dials, logs in and runs command (SELECT or EXAMINE ...).
func (e *msgEnv) selected(command string) *tclient {
	e.t.Helper()
	c := e.client()
	c.ok(command)
	return c
}

// msgFetches returns the FETCH responses among rs.
func msgFetches(rs []*wire.Response) []*imap.FetchData {
	var out []*imap.FetchData
	for _, r := range rs {
		if r.Kind == wire.KindFetch {
			out = append(out, r.Fetch)
		}
	}
	return out
}

// msgOneFetch returns the only untagged response, which must be a FETCH.
func msgOneFetch(t *testing.T, rs []*wire.Response) *imap.FetchData {
	t.Helper()
	if len(rs) != 1 || rs[0].Kind != wire.KindFetch {
		t.Fatalf("want one FETCH, got %s", kinds(rs))
	}
	return rs[0].Fetch
}

// msgItemNames lists a FETCH response's item names in order.
func msgItemNames(fd *imap.FetchData) string {
	var b []string
	for _, it := range fd.Items {
		b = append(b, string(it.Kind))
	}
	return strings.Join(b, " ")
}

// msgData returns the section data of the item of the given kind whose
// section prints as sec (as in "1.MIME"; "" for the whole message).
func msgData(t *testing.T, fd *imap.FetchData, kind imap.FetchAttrKind, sec string) *imap.FetchItem {
	t.Helper()
	for i := range fd.Items {
		it := &fd.Items[i]
		if it.Kind == kind && msgSectionString(&it.Section) == sec {
			return it
		}
	}
	t.Fatalf("no %s[%s] in %s", kind, sec, msgItemNames(fd))
	return nil
}

func msgSectionString(s *imap.Section) string {
	var parts []string
	for _, p := range s.Part {
		parts = append(parts, strconv.Itoa(int(p)))
	}
	if s.Spec != "" {
		parts = append(parts, string(s.Spec))
	}
	out := strings.Join(parts, ".")
	if len(s.Fields) > 0 {
		out += " (" + strings.Join(s.Fields, " ") + ")"
	}
	return out
}

func msgFlagString(flags []imap.Flag) string {
	var s []string
	for _, f := range flags {
		s = append(s, string(f))
	}
	return strings.Join(s, " ")
}

// msgStatus checks a tagged completion's status and response code.
func msgStatus(t *testing.T, what string, r *wire.Response, want wire.StatusType, code imap.ResponseCodeName) {
	t.Helper()
	var got imap.ResponseCodeName
	if r.Code != nil {
		got = r.Code.Name
	}
	if r.Status != want || got != code {
		t.Errorf("%s: got %s [%s] %q, want %s [%s]", what, r.Status, got, r.Text, want, code)
	}
}

// msgMultipart is a message with a part of each kind FETCH treats apart:
//
//	1 text/plain, quoted-printable
//	2 application/octet-stream, base64 (binary data)
//	3 message/rfc822
//	4 text/plain in an unknown transfer encoding
//	5 text/plain, quoted-printable decoding to a NUL
const msgMultipart = `From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: parts
Date: Mon, 1 Jan 2024 10:00:00 +0000
Message-ID: <m1@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

preamble
--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

caf=C3=A9
--b1
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAwQFBgcICQ==
--b1
Content-Type: message/rfc822

Subject: inner
From: carol@example.org

inner body
--b1
Content-Type: text/plain
Content-Transfer-Encoding: x-unknown

weird
--b1
Content-Type: text/plain
Content-Transfer-Encoding: quoted-printable

a=00b
--b1--
`

const msgSimple = `From: Alice <alice@example.org>
To: Bob <bob@example.org>
Subject: hello
Date: Mon, 1 Jan 2024 10:00:00 +0000

Hello, world.
Second line.
`

// TestFetchMetadata: FLAGS (with \Recent for IMAP4rev1 only),
// INTERNALDATE, RFC822.SIZE, UID, and the macros (RFC 3501 §6.4.5).
func TestFetchMetadata(t *testing.T) {
	e := newMsgEnv(t)
	date := time.Date(2024, 3, 4, 5, 6, 7, 0, time.FixedZone("", -7*3600))
	uid := e.addAt("INBOX", msgSimple, date, imap.FlagFlagged, "$Work")
	c := e.selected("EXAMINE INBOX") // leaves \Recent for the next

	fd := msgOneFetch(t, c.ok("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE UID)"))
	if got := msgItemNames(fd); got != "UID FLAGS INTERNALDATE RFC822.SIZE" {
		t.Errorf("items %q", got)
	}
	if got := msgFlagString(fd.Item(imap.FetchFlags).Flags); got != `\Flagged $Work \Recent` {
		t.Errorf("FLAGS %q", got)
	}
	if got := fd.Item(imap.FetchInternalDate).Time; !got.Equal(date) {
		t.Errorf("INTERNALDATE %v", got)
	}
	if got := fd.Item(imap.FetchRFC822Size).Num; got != uint64(len(msgCRLF(msgSimple))) {
		t.Errorf("RFC822.SIZE %d", got)
	}
	if fd.UID() != uid {
		t.Errorf("UID %d", fd.UID())
	}

	for _, tc := range []struct{ macro, items string }{
		{"FAST", "FLAGS INTERNALDATE RFC822.SIZE"},
		{"ALL", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE"},
		{"FULL", "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY"},
	} {
		fd := msgOneFetch(t, c.ok("FETCH 1 "+tc.macro))
		if got := msgItemNames(fd); got != tc.items {
			t.Errorf("%s: %q", tc.macro, got)
		}
	}
	// Asked twice, sent once.
	fd = msgOneFetch(t, c.ok("FETCH 1 (FLAGS FLAGS)"))
	if got := msgItemNames(fd); got != "FLAGS" {
		t.Errorf("FLAGS FLAGS: %q", got)
	}

	// IMAP4rev2 has no \Recent (RFC 9051 §2.3.2).
	t.Run("IMAP4rev2", func(t *testing.T) {
		c2 := e.client()
		if u := c2.ok("ENABLE IMAP4rev2"); len(u) != 1 || !u[0].Caps.Has(imap.CapIMAP4rev2) {
			t.Skip("ENABLE IMAP4rev2 did not enable it")
		}
		c2.ok("EXAMINE INBOX")
		fd := msgOneFetch(t, c2.ok("FETCH 1 FLAGS"))
		if got := msgFlagString(fd.Item(imap.FetchFlags).Flags); got != `\Flagged $Work` {
			t.Errorf("rev2 FLAGS %q", got)
		}
	})
}

// TestFetchStructure: ENVELOPE, BODY and BODYSTRUCTURE come from the
// message's structure.
func TestFetchStructure(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", msgMultipart)
	c := e.selected("EXAMINE INBOX")
	fd := msgOneFetch(t, c.ok("FETCH 1 (ENVELOPE BODY BODYSTRUCTURE)"))
	env := fd.Item(imap.FetchEnvelope).Envelope
	if env.Subject.S != "parts" || len(env.From) != 1 || env.From[0].Mailbox.S != "alice" ||
		env.MessageID.S != "<m1@example.org>" || len(env.Sender) != 1 || len(env.ReplyTo) != 1 {
		t.Errorf("ENVELOPE %+v", env)
	}
	body := fd.Item(imap.FetchBody).Body
	bs := fd.Item(imap.FetchBodyStructure).Body
	if !strings.EqualFold(body.Subtype, "mixed") || len(body.Parts) != 5 || body.Extended {
		t.Errorf("BODY %+v", body)
	}
	if len(bs.Parts) != 5 || !bs.Extended {
		t.Errorf("BODYSTRUCTURE %+v", bs)
	}
	if p := bs.Parts[1]; !strings.EqualFold(p.Encoding, "base64") {
		t.Errorf("part 2 %+v", p)
	}
}

// TestFetchSections: BODY[section] for every kind of specifier, the
// RFC822 items, and a part the message lacks (empty, as in Dovecot).
func TestFetchSections(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", msgMultipart)
	c := e.selected("EXAMINE INBOX")
	full := msgCRLF(msgMultipart)
	hdrEnd := strings.Index(full, "\r\n\r\n") + 4
	fd := msgOneFetch(t, c.ok("FETCH 1 (BODY.PEEK[] BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[1] "+
		"BODY.PEEK[1.MIME] BODY.PEEK[3] BODY.PEEK[3.HEADER] BODY.PEEK[3.TEXT] BODY.PEEK[3.1] "+
		"BODY.PEEK[HEADER.FIELDS (Subject to)] BODY.PEEK[HEADER.FIELDS.NOT (From To Date Message-ID MIME-Version Content-Type)] "+
		"BODY.PEEK[9] BODY.PEEK[1.2])"))
	for _, tc := range []struct{ sec, want string }{
		{"", full},
		{"HEADER", full[:hdrEnd]},
		{"TEXT", full[hdrEnd:]},
		{"1", "caf=C3=A9"},
		{"1.MIME", "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"},
		{"3", "Subject: inner\r\nFrom: carol@example.org\r\n\r\ninner body"},
		{"3.HEADER", "Subject: inner\r\nFrom: carol@example.org\r\n\r\n"},
		{"3.TEXT", "inner body"},
		{"3.1", "inner body"},
		{"HEADER.FIELDS (Subject to)", "To: Bob <bob@example.org>\r\nSubject: parts\r\n\r\n"},
		{"HEADER.FIELDS.NOT (From To Date Message-ID MIME-Version Content-Type)", "Subject: parts\r\n\r\n"},
		{"9", ""},
		{"1.2", ""},
	} {
		it := msgData(t, fd, imap.FetchBodySection, tc.sec)
		if it.Data.S != tc.want || !it.Data.Valid || it.HasOrigin {
			t.Errorf("BODY[%s] = %q (valid %v, origin %v), want %q", tc.sec, it.Data.S, it.Data.Valid, it.HasOrigin, tc.want)
		}
	}

	fd = msgOneFetch(t, c.ok("FETCH 1 (RFC822.HEADER RFC822.TEXT RFC822)"))
	if got := msgItemNames(fd); got != "RFC822.HEADER RFC822.TEXT RFC822" {
		t.Errorf("items %q", got)
	}
	if fd.Item(imap.FetchRFC822).Data.S != full || fd.Item(imap.FetchRFC822Header).Data.S != full[:hdrEnd] ||
		fd.Item(imap.FetchRFC822Text).Data.S != full[hdrEnd:] {
		t.Error("RFC822 items differ from the message")
	}
}

// TestFetchPartial: <offset.count> (RFC 9051 §6.4.5): the origin is
// always sent, a range past the end is cut, an offset past the end gives
// the empty string, and HEADER.FIELDS is cut after subsetting.
func TestFetchPartial(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", msgSimple)
	c := e.selected("EXAMINE INBOX")
	full := msgCRLF(msgSimple)
	fd := msgOneFetch(t, c.ok("FETCH 1 (BODY.PEEK[]<0.10> BODY.PEEK[TEXT]<7.5> BODY.PEEK[]<0.2048> "+
		"BODY.PEEK[HEADER]<100000.10> BODY.PEEK[HEADER.FIELDS (SUBJECT)]<2.5> BINARY.PEEK[]<3.4>)"))
	want := []struct {
		kind   imap.FetchAttrKind
		sec    string
		origin uint32
		data   string
	}{
		{imap.FetchBodySection, "", 0, full[:10]},
		{imap.FetchBodySection, "TEXT", 7, "world"},
		{imap.FetchBodySection, "", 0, full},
		{imap.FetchBodySection, "HEADER", 100000, ""},
		{imap.FetchBodySection, "HEADER.FIELDS (SUBJECT)", 2, "bject"},
		{imap.FetchBinary, "", 3, full[3:7]},
	}
	if len(fd.Items) != len(want) {
		t.Fatalf("items %q", msgItemNames(fd))
	}
	for i, w := range want {
		it := fd.Items[i]
		if it.Kind != w.kind || msgSectionString(&it.Section) != w.sec || !it.HasOrigin || it.Origin != w.origin || it.Data.S != w.data {
			t.Errorf("item %d: %s[%s]<%d> %q (origin %v), want %s[%s]<%d> %q", i, it.Kind,
				msgSectionString(&it.Section), it.Origin, it.Data.S, it.HasOrigin, w.kind, w.sec, w.origin, w.data)
		}
	}
}

// TestFetchSeen: BODY[] and BINARY[] set \Seen on a read-write mailbox
// and send the new FLAGS; .PEEK, RFC822.HEADER and EXAMINE do not; other
// sessions learn of it.
func TestFetchSeen(t *testing.T) {
	e := newMsgEnv(t)
	for i := 0; i < 5; i++ {
		e.add("INBOX", msgSimple)
	}
	ro := e.selected("EXAMINE INBOX")
	fd := msgOneFetch(t, ro.ok("FETCH 1 BODY[TEXT]"))
	if got := msgItemNames(fd); got != "BODY[]" {
		t.Errorf("EXAMINE: items %q", got)
	}
	other := e.selected("SELECT INBOX")
	c := e.selected("SELECT INBOX")

	for _, cmd := range []string{"FETCH 1 BODY.PEEK[]", "FETCH 1 RFC822.HEADER", "FETCH 1 BINARY.PEEK[]", "FETCH 1 BINARY.SIZE[]"} {
		fd := msgOneFetch(t, c.ok(cmd))
		if fd.Item(imap.FetchFlags) != nil {
			t.Errorf("%s sent FLAGS", cmd)
		}
	}
	if fd := msgOneFetch(t, c.ok("FETCH 1 FLAGS")); strings.Contains(msgFlagString(fd.Item(imap.FetchFlags).Flags), `\Seen`) {
		t.Error("peeking set \\Seen")
	}

	for i, cmd := range []string{"FETCH 1 BODY[TEXT]", "FETCH 2 RFC822", "FETCH 3 RFC822.TEXT", "FETCH 4 BINARY[1]"} {
		fd := msgOneFetch(t, c.ok(cmd))
		fl := fd.Item(imap.FetchFlags)
		if fd.Seq != uint32(i+1) || fl == nil || !strings.Contains(msgFlagString(fl.Flags), `\Seen`) {
			t.Errorf("%s: %s", cmd, msgItemNames(fd))
		}
	}
	// Already seen: no FLAGS unless asked.
	if fd := msgOneFetch(t, c.ok("FETCH 1 BODY[TEXT]")); fd.Item(imap.FetchFlags) != nil {
		t.Error("FLAGS sent though \\Seen did not change")
	}
	// Asked for and changed: sent once, with \Seen.
	fd = msgOneFetch(t, c.ok("FETCH 5 (FLAGS BODY[])"))
	if got := msgItemNames(fd); got != "FLAGS BODY[]" || !strings.Contains(msgFlagString(fd.Item(imap.FetchFlags).Flags), `\Seen`) {
		t.Errorf("FLAGS BODY[]: %q %v", got, fd.Item(imap.FetchFlags).Flags)
	}

	// The other session hears of the four changes.
	u := other.ok("NOOP")
	if fs := msgFetches(u); len(fs) != 5 {
		t.Errorf("other session: %s", kinds(u))
	}
	// The read-only session hears of them too, after its own FETCH.
	if fs := msgFetches(ro.ok("FETCH 1 FLAGS")); len(fs) != 6 || fs[0].Item(imap.FetchFlags) == nil {
		t.Errorf("EXAMINE session: %d FETCH responses", len(fs))
	}
}

// TestFetchBinary: BINARY, BINARY.PEEK and BINARY.SIZE (RFC 3516,
// RFC 9051 §6.4.5): decoded data, literal8 when it may hold NUL, a
// string otherwise, partial ranges of the decoded data, UNKNOWN-CTE, and
// refusal for parts that are not leaves.
func TestFetchBinary(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", msgMultipart)
	c := e.selected("SELECT INBOX")
	fd := msgOneFetch(t, c.ok("FETCH 1 (BINARY.PEEK[1] BINARY.PEEK[2] BINARY.PEEK[5] BINARY.PEEK[2]<2.3> "+
		"BINARY.SIZE[1] BINARY.SIZE[2] BINARY.SIZE[5] BINARY.PEEK[3.1] BINARY.PEEK[7] BINARY.SIZE[7])"))
	want := []struct {
		kind   imap.FetchAttrKind
		sec    string
		data   string
		binary bool
		num    uint64
	}{
		{imap.FetchBinary, "1", "café", false, 0},
		{imap.FetchBinary, "2", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09", true, 0},
		{imap.FetchBinary, "5", "a\x00b", true, 0},
		{imap.FetchBinary, "2", "\x02\x03\x04", true, 0},
		{imap.FetchBinarySize, "1", "", false, 5},
		{imap.FetchBinarySize, "2", "", false, 10},
		{imap.FetchBinarySize, "5", "", false, 3},
		{imap.FetchBinary, "3.1", "inner body", false, 0},
		{imap.FetchBinary, "7", "", false, 0},
		{imap.FetchBinarySize, "7", "", false, 0},
	}
	if len(fd.Items) != len(want) {
		t.Fatalf("items %q", msgItemNames(fd))
	}
	for i, w := range want {
		it := fd.Items[i]
		if it.Kind != w.kind || msgSectionString(&it.Section) != w.sec || it.Data.S != w.data || it.Binary != w.binary || it.Num != w.num {
			t.Errorf("item %d: %s[%s] %q binary=%v num=%d, want %s[%s] %q binary=%v num=%d", i,
				it.Kind, msgSectionString(&it.Section), it.Data.S, it.Binary, it.Num, w.kind, w.sec, w.data, w.binary, w.num)
		}
	}
	if fd := fd.Items[3]; !fd.HasOrigin || fd.Origin != 2 {
		t.Errorf("partial origin %v %d", fd.HasOrigin, fd.Origin)
	}

	_, r := c.do("FETCH 1 BINARY.PEEK[4]")
	msgStatus(t, "BINARY of x-unknown", r, wire.StatusNO, imap.CodeUnknownCTE)
	_, r = c.do("FETCH 1 BINARY.SIZE[4]")
	msgStatus(t, "BINARY.SIZE of x-unknown", r, wire.StatusNO, imap.CodeUnknownCTE)
	_, r = c.do("FETCH 1 BINARY.PEEK[3]")
	msgStatus(t, "BINARY of message/rfc822", r, wire.StatusNO, imap.CodeCannot)

	// BINARY.PEEK did not set \Seen; BINARY does.
	fd = msgOneFetch(t, c.ok("FETCH 1 BINARY[2]"))
	if fl := fd.Item(imap.FetchFlags); fl == nil || !strings.Contains(msgFlagString(fl.Flags), `\Seen`) {
		t.Errorf("BINARY[2]: %s", msgItemNames(fd))
	}
}

// TestFetchUID: UID FETCH always sends UID (RFC 3501 §6.4.8), ignores
// UIDs that do not exist, and "*" is the last UID.
func TestFetchUID(t *testing.T) {
	e := newMsgEnv(t)
	for i := 0; i < 4; i++ {
		e.add("INBOX", msgSimple)
	}
	c := e.selected("SELECT INBOX")
	c.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
	c.ok("EXPUNGE") // UIDs 1 3 4 remain
	fs := msgFetches(c.ok("UID FETCH 1:100 FLAGS"))
	if len(fs) != 3 || fs[0].UID() != 1 || fs[1].UID() != 3 || fs[1].Seq != 2 || fs[2].UID() != 4 {
		t.Errorf("UID FETCH 1:100: %+v", fs)
	}
	if got := msgItemNames(fs[0]); got != "UID FLAGS" {
		t.Errorf("items %q", got)
	}
	if u := c.ok("UID FETCH 2 FLAGS"); len(u) != 0 {
		t.Errorf("expunged UID: %s", kinds(u))
	}
	fs = msgFetches(c.ok("UID FETCH 9:* (UID RFC822.SIZE)"))
	if len(fs) != 1 || fs[0].UID() != 4 || msgItemNames(fs[0]) != "UID RFC822.SIZE" {
		t.Errorf("UID FETCH 9:*: %+v", fs)
	}
}

// TestFetchRefused: bad sequence numbers and items the server does not
// offer are BAD; the mailbox must be selected.
func TestFetchRefused(t *testing.T) {
	e := newMsgEnv(t)
	c := e.client()
	_, r := c.do("FETCH 1 FLAGS")
	msgStatus(t, "FETCH unselected", r, wire.StatusBAD, "")
	c.ok("SELECT INBOX")
	_, r = c.do("FETCH 1:* FLAGS")
	msgStatus(t, "FETCH in an empty mailbox", r, wire.StatusBAD, "")
	if u := c.ok("UID FETCH 1:* FLAGS"); len(u) != 0 {
		t.Errorf("UID FETCH in an empty mailbox: %s", kinds(u))
	}
	e.add("INBOX", msgSimple)
	c.ok("NOOP")
	for _, cmd := range []string{"FETCH 2 FLAGS", "FETCH 1:3 FLAGS", "FETCH 1 EMAILID", "FETCH 1 X-GM-MSGID", "FETCH 1 (FLAGS SAVEDATE)"} {
		_, r := c.do(cmd)
		msgStatus(t, cmd, r, wire.StatusBAD, "")
	}
	c.ok("FETCH * FLAGS")
}

// TestFetchExpungedElsewhere: a message another session expunged is
// still answered (RFC 2180 §4.1.1) during FETCH, and the EXPUNGE comes
// after a command that allows it.
func TestFetchExpungedElsewhere(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", msgSimple)
	e.add("INBOX", msgMultipart)
	c := e.selected("SELECT INBOX")
	other := e.selected("SELECT INBOX")
	other.ok("STORE 2 +FLAGS.SILENT (\\Deleted)")
	other.ok("EXPUNGE")

	u := c.ok("FETCH 2 (BODY.PEEK[HEADER.FIELDS (Subject)] ENVELOPE)")
	fs := msgFetches(u)
	if len(fs) == 0 || fs[0].Seq != 2 || fs[0].Item(imap.FetchEnvelope).Envelope.Subject.S != "parts" {
		t.Fatalf("FETCH of a message expunged elsewhere: %s", kinds(u))
	}
	for _, r := range u {
		if r.Kind == wire.KindExpunge {
			t.Error("EXPUNGE during FETCH")
		}
	}
	u = c.ok("NOOP")
	if len(u) != 1 || u[0].Kind != wire.KindExpunge || u[0].Num != 2 {
		t.Errorf("NOOP: %s", kinds(u))
	}
}

// TestFetchLargeBodyStreams fetches a 20 MB message with BODY[]: the
// server streams it from the store, so what it allocates meanwhile stays
// far below the message size.
func TestFetchLargeBodyStreams(t *testing.T) {
	const size = 20 << 20
	e := newMsgEnv(t)
	hdr := "Subject: big\r\n\r\n"
	line := strings.Repeat("x", 998) + "\r\n"
	body := io.LimitReader(msgRepeat(line), size-int64(len(hdr)))
	if _, err := e.st.Append(context.Background(), "INBOX", io.MultiReader(strings.NewReader(hdr), body), &mailstore.AppendOptions{}); err != nil {
		t.Fatal(err)
	}

	// A raw connection: the test's decoder would hold the literal in
	// memory, in this same process.
	nc, err := net.Dial("tcp", e.ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(2 * time.Minute))
	br := bufio.NewReaderSize(nc, 4096)
	readLine := func() string {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		return l
	}
	until := func(tag string) string {
		for {
			if l := readLine(); strings.HasPrefix(l, tag+" ") {
				return l
			}
		}
	}
	readLine() // greeting
	fmt.Fprintf(nc, "a LOGIN alice secret\r\nb SELECT INBOX\r\n")
	until("a")
	until("b")

	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fmt.Fprintf(nc, "c FETCH 1 BODY.PEEK[]\r\n")
	l := readLine()
	if want := fmt.Sprintf("* 1 FETCH (BODY[] {%d}\r\n", size); l != want {
		t.Fatalf("got %q, want %q", l, want)
	}
	n, err := io.CopyN(io.Discard, br, size)
	if err != nil || n != size {
		t.Fatalf("literal: %d octets, %v", n, err)
	}
	if l := readLine(); l != ")\r\n" {
		t.Fatalf("after the literal: %q", l)
	}
	if l := until("c"); !strings.HasPrefix(l, "c OK") {
		t.Fatalf("FETCH: %q", l)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	growth := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("during FETCH of %d octets: allocated %d octets, heap grew %d", size, alloc, growth)
	if alloc > 4<<20 || growth > 4<<20 {
		t.Errorf("FETCH of %d octets allocated %d octets (heap growth %d): not streamed", size, alloc, growth)
	}
}

// msgRepeat is an endless reader of s repeated.
type msgRepeater struct {
	s   string
	off int
}

func msgRepeat(s string) io.Reader { return &msgRepeater{s: s} }

func (r *msgRepeater) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}

// TestFetchNUL: a message stored with a NUL octet (binary content) is
// sent by BODY[] with the NUL replaced, since a literal may not hold one
// (RFC 9051 §4.3), and by BINARY[] as is, in a literal8 (RFC 3516 §4.3).
func TestFetchNUL(t *testing.T) {
	e := newMsgEnv(t)
	e.add("INBOX", "Subject: nul\n\na\x00b\n")
	c := e.selected("EXAMINE INBOX")
	fd := msgOneFetch(t, c.ok("FETCH 1 (BODY.PEEK[TEXT] BINARY.PEEK[1] BINARY.PEEK[] BINARY.SIZE[1])"))
	if it := fd.Items[0]; it.Data.S != "a\x80b\r\n" {
		t.Errorf("BODY[TEXT] %q", it.Data.S)
	}
	if it := fd.Items[1]; it.Data.S != "a\x00b\r\n" || !it.Binary {
		t.Errorf("BINARY[1] %q binary=%v", it.Data.S, it.Binary)
	}
	if it := fd.Items[2]; !strings.HasSuffix(it.Data.S, "a\x00b\r\n") || !it.Binary {
		t.Errorf("BINARY[] %q binary=%v", it.Data.S, it.Binary)
	}
	if it := fd.Items[3]; it.Num != 5 {
		t.Errorf("BINARY.SIZE[1] %d", it.Num)
	}
}
