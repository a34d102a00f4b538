package interop

import (
	"bytes"
	"encoding/base64"
	"fmt"
	stdmime "mime"
	netmail "net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	gomail "github.com/emersion/go-message/mail"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/internal/mimecorpus"
	"github.com/mailaccess/mailaccess/mime"
)

// The go-imap v2 tests drive our server with emersion's imapclient
// (github.com/emersion/go-imap/v2, v2.0.0-beta.8).
//
// go-imap's client treats a server that advertises IMAP4rev2 as an
// IMAP4rev2 server even without ENABLE IMAP4rev2: it sends UTF-8 in
// quoted strings and SEARCH without CHARSET. RFC 9051 Appendix A asks a
// client that wants IMAP4rev2 from a server advertising both to ENABLE it;
// TestGoIMAPSession therefore runs once as is ("rev1") and once after
// ENABLE IMAP4rev2 ("rev2"). Our server accepts UTF-8 mailbox names and
// search strings in an IMAP4rev1 session too (listing such a mailbox in
// modified UTF-7, RFC 3501 §5.1.3), which real go-imap clients rely on, so
// the non-ASCII checks run in both.

const (
	goMsg1 = "From: Alice Example <alice@example.com>\r\n" +
		"To: Bob <bob@example.org>\r\n" +
		"Subject: Hello world\r\n" +
		"Date: Mon, 01 Jan 2024 12:00:00 +0000\r\n" +
		"Message-ID: <m1@example.com>\r\n" +
		"\r\n" +
		"Hello Bob,\r\n" +
		"this is the first message.\r\n"

	goMsg2Text = "Viele Gr=C3=BC=C3=9Fe aus K=C3=B6ln!\r\nZweite Zeile.\r\n"
	goMsg2Data = "AAECAwQFBgcICQ==\r\n"
	goMsg2     = "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>\r\n" +
		"To: Alice <alice@example.com>, bob@example.org\r\n" +
		"Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n" +
		"Date: Tue, 02 Jan 2024 09:30:00 +0100\r\n" +
		"Message-ID: <m2@example.de>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n" +
		"\r\n" +
		"--b1\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" + goMsg2Text + "\r\n" +
		"--b1\r\n" +
		"Content-Type: application/octet-stream; name=\"data.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"Content-Disposition: attachment; filename=\"data.bin\"\r\n" +
		"\r\n" + goMsg2Data + "\r\n" +
		"--b1--\r\n"

	goMsg3 = "From: Bob <bob@example.org>\r\n" +
		"To: alice@example.com\r\n" +
		"Subject: Meeting notes\r\n" +
		"Date: Wed, 03 Jan 2024 08:00:00 -0500\r\n" +
		"Message-ID: <m3@example.org>\r\n" +
		"In-Reply-To: <m1@example.com>\r\n" +
		"\r\n" +
		"The quarterly numbers are in.\r\n"
)

// goLater is a small message appended while another client watches.
func goLater(n int) string {
	return fmt.Sprintf("From: carol@example.net\r\nTo: alice@example.com\r\nSubject: Later %d\r\n"+
		"Message-ID: <later%d@example.net>\r\n\r\nBody %d.\r\n", n, n, n)
}

// goimapKnown are known server bugs that a go-imap check runs into, by
// key; a check that hits one records it (goimapKnownHit) instead of
// failing, and the test skips at its end naming the bugs. Empty: no
// known bug is currently hit by these tests.
var goimapKnown = map[string]string{}

// goimapKnownHit records that the check key failed because of a known
// bug, or fails the test if the key is not a known bug.
func goimapKnownHit(t *testing.T, hits *[]string, key, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if ref, ok := goimapKnown[key]; ok {
		t.Logf("KNOWN %s: %s", key, msg)
		*hits = append(*hits, key+": "+ref)
		return
	}
	t.Errorf("%s: %s", key, msg)
}

// goimapDial connects and logs in a go-imap client, closed by t.Cleanup.
func goimapDial(t *testing.T, s *mailaccessServer, h *imapclient.UnilateralDataHandler) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.Addr, &imapclient.Options{UnilateralDataHandler: h})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(s.User, s.Pass).Wait(); err != nil {
		t.Fatalf("LOGIN: %v", err)
	}
	return c
}

// goimapAppend appends msg and returns APPENDUID's data.
func goimapAppend(t *testing.T, c *imapclient.Client, mailbox, msg string, opts *goimap.AppendOptions) *goimap.AppendData {
	t.Helper()
	cmd := c.Append(mailbox, int64(len(msg)), opts)
	if _, err := cmd.Write([]byte(msg)); err != nil {
		t.Fatalf("APPEND %s: write: %v", mailbox, err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatalf("APPEND %s: close: %v", mailbox, err)
	}
	data, err := cmd.Wait()
	if err != nil {
		t.Fatalf("APPEND %s: %v", mailbox, err)
	}
	return data
}

// goimapFetch runs FETCH (or UID FETCH, for a UIDSet) and collects.
func goimapFetch(t *testing.T, c *imapclient.Client, set goimap.NumSet, opts *goimap.FetchOptions) []*imapclient.FetchMessageBuffer {
	t.Helper()
	msgs, err := c.Fetch(set, opts).Collect()
	if err != nil {
		t.Fatalf("FETCH %v: %v", set, err)
	}
	return msgs
}

// goimapSearch runs SEARCH and returns the sequence numbers.
func goimapSearch(t *testing.T, c *imapclient.Client, crit *goimap.SearchCriteria) []uint32 {
	t.Helper()
	data, err := c.Search(crit, nil).Wait()
	if err != nil {
		t.Errorf("SEARCH %+v: %v", crit, err)
		return nil
	}
	return data.AllSeqNums()
}

// sortedFlags returns the flags without \Recent, sorted.
func sortedFlags(fs []goimap.Flag) []string {
	var out []string
	for _, f := range fs {
		if !strings.EqualFold(string(f), `\Recent`) {
			out = append(out, string(f))
		}
	}
	slices.Sort(out)
	return out
}

func wantFlags(fs ...string) []string {
	slices.Sort(fs)
	return fs
}

// TestGoIMAPSession runs a whole session with go-imap's client: LIST,
// CREATE, RENAME, DELETE, SELECT, APPEND, FETCH (ENVELOPE, BODYSTRUCTURE,
// BODY[], BODY.PEEK[HEADER.FIELDS], BODY[1], partial, BINARY), STORE,
// SEARCH (with ESEARCH RETURN options), UID FETCH/SEARCH/STORE/EXPUNGE,
// COPY, MOVE, EXPUNGE, LIST RETURN (STATUS), STATUS, CLOSE, EXAMINE,
// UNSELECT and LOGOUT; once plain and once after ENABLE IMAP4rev2.
func TestGoIMAPSession(t *testing.T) {
	requireInterop(t)
	for _, rev2 := range []bool{false, true} {
		name := "rev1"
		if rev2 {
			name = "rev2"
		}
		t.Run(name, func(t *testing.T) { goimapSession(t, rev2) })
	}
}

func goimapSession(t *testing.T, rev2 bool) {
	s := startMailaccess(t)
	c := goimapDial(t, s, nil)
	var known []string

	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatalf("CAPABILITY: %v", err)
	}
	for _, want := range []goimap.Cap{goimap.CapIMAP4rev1, goimap.CapIMAP4rev2, goimap.CapIdle, goimap.CapMove,
		goimap.CapUIDPlus, goimap.CapESearch, goimap.CapListStatus, goimap.CapBinary, goimap.CapUnselect} {
		if !caps.Has(want) {
			t.Errorf("CAPABILITY lacks %s: %v", want, caps)
		}
	}
	if rev2 {
		en, err := c.Enable(goimap.CapIMAP4rev2).Wait()
		if err != nil {
			t.Fatalf("ENABLE IMAP4rev2: %v", err)
		}
		if !en.Caps.Has(goimap.CapIMAP4rev2) {
			t.Fatalf("ENABLE IMAP4rev2: ENABLED %v", en.Caps)
		}
	}

	// LIST, CREATE, RENAME, DELETE.
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil || len(boxes) != 1 || boxes[0].Mailbox != "INBOX" {
		t.Fatalf("LIST \"\" *: %v %v", goimapListNames(boxes), err)
	}
	delim := string(boxes[0].Delim)
	for _, mb := range []string{"Work", "Work" + delim + "Sub", "Archive"} {
		if err := c.Create(mb, nil).Wait(); err != nil {
			t.Fatalf("CREATE %s: %v", mb, err)
		}
	}
	if err := c.Create("Archive", nil).Wait(); err == nil {
		t.Errorf("CREATE of an existing mailbox succeeded")
	}
	{
		// A UTF-8 name, sent as UTF-8 (see above); go-imap decodes a
		// modified UTF-7 name in LIST.
		if err := c.Create("Entwürfe", nil).Wait(); err != nil {
			t.Errorf("CREATE Entwürfe: %v", err)
		} else {
			got, err := c.List("", "Entw*", nil).Collect()
			if err != nil || !slices.Equal(goimapListNames(got), []string{"Entwürfe"}) {
				t.Errorf("LIST Entw*: %v %v", goimapListNames(got), err)
			}
			if err := c.Delete("Entwürfe").Wait(); err != nil {
				t.Errorf("DELETE Entwürfe: %v", err)
			}
		}
	}
	if err := c.Rename("Work", "Projects", nil).Wait(); err != nil {
		t.Fatalf("RENAME: %v", err)
	}
	boxes, err = c.List("", "*", &goimap.ListOptions{ReturnChildren: true}).Collect()
	if err != nil {
		t.Fatalf("LIST RETURN (CHILDREN): %v", err)
	}
	if got, want := goimapListNames(boxes), []string{"Archive", "INBOX", "Projects", "Projects" + delim + "Sub"}; !slices.Equal(got, want) {
		t.Errorf("LIST after RENAME: %v, want %v (inferiors move with their parent, RFC 3501 §6.3.5)", got, want)
	}
	for _, b := range boxes {
		if b.Mailbox == "Projects" && !slices.Contains(b.Attrs, goimap.MailboxAttrHasChildren) {
			t.Errorf("LIST RETURN (CHILDREN): Projects has %v, want \\HasChildren", b.Attrs)
		}
	}
	for _, mb := range []string{"Projects" + delim + "Sub", "Projects"} {
		if err := c.Delete(mb).Wait(); err != nil {
			t.Errorf("DELETE %s: %v", mb, err)
		}
	}

	// SELECT, APPEND.
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("SELECT INBOX: %v", err)
	}
	if sel.NumMessages != 0 || sel.UIDValidity == 0 || !slices.Contains(sel.PermanentFlags, goimap.FlagSeen) {
		t.Errorf("SELECT INBOX: %+v", sel)
	}
	date1 := time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC)
	date2 := time.Date(2022, 6, 15, 12, 30, 0, 0, time.FixedZone("", 2*3600))
	a1 := goimapAppend(t, c, "INBOX", goMsg1, &goimap.AppendOptions{Flags: []goimap.Flag{goimap.FlagSeen}, Time: date1})
	a2 := goimapAppend(t, c, "INBOX", goMsg2, &goimap.AppendOptions{Flags: []goimap.Flag{goimap.FlagFlagged, "$Important"}, Time: date2})
	a3 := goimapAppend(t, c, "INBOX", goMsg3, nil)
	if a1.UIDValidity != sel.UIDValidity || !(a1.UID < a2.UID && a2.UID < a3.UID) {
		t.Errorf("APPENDUID: %+v %+v %+v, UIDVALIDITY %d", a1, a2, a3, sel.UIDValidity)
	}
	uid1, uid2, uid3 := a1.UID, a2.UID, a3.UID
	{
		cmd := c.Append("NoSuchBox", int64(len(goMsg1)), nil)
		cmd.Write([]byte(goMsg1))
		cmd.Close()
		if _, err := cmd.Wait(); err == nil {
			t.Errorf("APPEND to a missing mailbox succeeded")
		} else if !strings.Contains(err.Error(), "TRYCREATE") {
			goimapKnownHit(t, &known, "APPEND TRYCREATE", "APPEND to a missing mailbox: %v, want NO [TRYCREATE]", err)
		} else if _, ok := goimapKnown["APPEND TRYCREATE"]; ok {
			t.Logf("NOTE: known bug \"APPEND TRYCREATE\" seems fixed; remove it from goimapKnown")
		}
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := c.Mailbox().NumMessages; n != 3 {
		t.Errorf("after three APPENDs the selected INBOX has %d messages (EXISTS)", n)
	}

	// FETCH attributes.
	msgs := goimapFetch(t, c, goimap.SeqSetNum(1, 2, 3), &goimap.FetchOptions{
		Flags: true, InternalDate: true, RFC822Size: true, UID: true, Envelope: true,
	})
	if len(msgs) != 3 {
		t.Fatalf("FETCH 1:3: %d messages", len(msgs))
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.SeqNum) - int(b.SeqNum) })
	for i, want := range []struct {
		uid   goimap.UID
		size  int
		flags []string
		date  time.Time
		subj  string
	}{
		{uid1, len(goMsg1), wantFlags(`\Seen`), date1, "Hello world"},
		{uid2, len(goMsg2), wantFlags(`\Flagged`, "$Important"), date2, "Grüße aus Köln"},
		{uid3, len(goMsg3), nil, time.Time{}, "Meeting notes"},
	} {
		m := msgs[i]
		if m.UID != want.uid || m.RFC822Size != int64(want.size) || !slices.Equal(sortedFlags(m.Flags), want.flags) {
			t.Errorf("FETCH %d: UID %d size %d flags %v, want %d %d %v", m.SeqNum, m.UID, m.RFC822Size, m.Flags, want.uid, want.size, want.flags)
		}
		if !want.date.IsZero() && !m.InternalDate.Equal(want.date) {
			t.Errorf("FETCH %d INTERNALDATE %v, want %v (APPEND's date)", m.SeqNum, m.InternalDate, want.date)
		}
		if m.Envelope == nil || m.Envelope.Subject != want.subj {
			t.Errorf("FETCH %d ENVELOPE %+v, want subject %q", m.SeqNum, m.Envelope, want.subj)
		}
	}
	if e := msgs[2].Envelope; e != nil {
		if e.MessageID != "m3@example.org" || !slices.Equal(e.InReplyTo, []string{"m1@example.com"}) ||
			len(e.From) != 1 || e.From[0].Addr() != "bob@example.org" || e.From[0].Name != "Bob" ||
			len(e.Sender) != 1 || e.Sender[0].Addr() != "bob@example.org" {
			t.Errorf("ENVELOPE 3: %+v", e)
		}
		if want := time.Date(2024, 1, 3, 8, 0, 0, 0, time.FixedZone("", -5*3600)); !e.Date.Equal(want) {
			t.Errorf("ENVELOPE 3 date %v, want %v", e.Date, want)
		}
	}

	// FETCH body sections.
	whole := &goimap.FetchItemBodySection{}
	subject := &goimap.FetchItemBodySection{Specifier: goimap.PartSpecifierHeader, HeaderFields: []string{"Subject"}, Peek: true}
	part1 := &goimap.FetchItemBodySection{Part: []int{1}, Peek: true}
	part2 := &goimap.FetchItemBodySection{Part: []int{2}, Peek: true}
	partial := &goimap.FetchItemBodySection{Part: []int{1}, Partial: &goimap.SectionPartial{Offset: 0, Size: 10}, Peek: true}
	bin2 := &goimap.FetchItemBinarySection{Part: []int{2}, Peek: true}
	m := goimapFetch(t, c, goimap.SeqSetNum(1), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{whole}})
	if len(m) != 1 || string(m[0].FindBodySection(whole)) != goMsg1 {
		t.Errorf("FETCH 1 BODY[]: %q", goimapSection(m, whole))
	}
	m = goimapFetch(t, c, goimap.SeqSetNum(3), &goimap.FetchOptions{Flags: true, BodySection: []*goimap.FetchItemBodySection{subject}})
	if got := goimapSection(m, subject); got != "Subject: Meeting notes\r\n\r\n" {
		t.Errorf("FETCH 3 BODY.PEEK[HEADER.FIELDS (Subject)]: %q", got)
	}
	m = goimapFetch(t, c, goimap.SeqSetNum(2), &goimap.FetchOptions{
		BodySection:       []*goimap.FetchItemBodySection{part1, part2, partial},
		BinarySection:     []*goimap.FetchItemBinarySection{bin2},
		BinarySectionSize: []*goimap.FetchItemBinarySectionSize{{Part: []int{2}}},
	})
	if got := goimapSection(m, part1); got != goMsg2Text {
		t.Errorf("FETCH 2 BODY.PEEK[1]: %q", got)
	}
	if got := goimapSection(m, part2); got != goMsg2Data {
		t.Errorf("FETCH 2 BODY.PEEK[2]: %q", got)
	}
	if got := goimapSection(m, partial); got != goMsg2Text[:10] {
		t.Errorf("FETCH 2 BODY.PEEK[1]<0.10>: %q", got)
	}
	if len(m) == 1 {
		if got := m[0].FindBinarySection(bin2); !bytes.Equal(got, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
			t.Errorf("FETCH 2 BINARY.PEEK[2]: %q", got)
		}
		if n, ok := m[0].FindBinarySectionSize([]int{2}); !ok || n != 10 {
			t.Errorf("FETCH 2 BINARY.SIZE[2]: %d %v", n, ok)
		}
	}
	bodyPart1 := &goimap.FetchItemBodySection{Part: []int{1}}
	m = goimapFetch(t, c, goimap.SeqSetNum(3), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{bodyPart1}})
	if got, want := goimapSection(m, bodyPart1), goMsg3[strings.Index(goMsg3, "\r\n\r\n")+4:]; got != want {
		t.Errorf("FETCH 3 BODY[1]: %q, want %q", got, want)
	}
	m = goimapFetch(t, c, goimap.SeqSetNum(2, 3), &goimap.FetchOptions{Flags: true})
	for _, x := range m {
		want := wantFlags(`\Seen`)
		if x.SeqNum == 2 {
			want = wantFlags(`\Flagged`, "$Important") // only PEEKs
		}
		if got := sortedFlags(x.Flags); !slices.Equal(got, want) {
			t.Errorf("FLAGS of %d after BODY[1] and PEEKs: %v, want %v (RFC 3501 §6.4.5)", x.SeqNum, got, want)
		}
	}

	// BODYSTRUCTURE, against package mime.
	m = goimapFetch(t, c, goimap.SeqSetNum(2), &goimap.FetchOptions{BodyStructure: &goimap.FetchItemBodyStructure{Extended: true}})
	if len(m) == 1 {
		st, err := mime.Parse(strings.NewReader(goMsg2), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range compareBodyStructure("", st.BodyStructure(true), m[0].BodyStructure) {
			t.Errorf("BODYSTRUCTURE 2: %s", d)
		}
		if mp, ok := m[0].BodyStructure.(*goimap.BodyStructureMultiPart); !ok || len(mp.Children) != 2 ||
			mp.Children[1].Disposition() == nil || mp.Children[1].Disposition().Params["filename"] != "data.bin" {
			t.Errorf("BODYSTRUCTURE 2: %#v", m[0].BodyStructure)
		}
	}

	// STORE.
	m, err = c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagAnswered}}, nil).Collect()
	if err != nil || len(m) != 1 || !slices.Equal(sortedFlags(m[0].Flags), wantFlags(`\Seen`, `\Answered`)) {
		t.Errorf("STORE 1 +FLAGS (\\Answered): %v %v", goimapFlags(m), err)
	}
	m, err = c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsDel, Flags: []goimap.Flag{goimap.FlagSeen}}, nil).Collect()
	if err != nil || len(m) != 1 || !slices.Equal(sortedFlags(m[0].Flags), wantFlags(`\Answered`)) {
		t.Errorf("STORE 1 -FLAGS (\\Seen): %v %v", goimapFlags(m), err)
	}
	m, err = c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagFlagged}}, nil).Collect()
	if err != nil || len(m) != 0 {
		t.Errorf("STORE 1 +FLAGS.SILENT: %v %v, want no FETCH (RFC 3501 §6.4.6)", goimapFlags(m), err)
	}
	m, err = c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsSet, Flags: []goimap.Flag{goimap.FlagSeen, "custom1"}}, nil).Collect()
	if err != nil || len(m) != 1 || !slices.Equal(sortedFlags(m[0].Flags), wantFlags(`\Seen`, "custom1")) {
		t.Errorf("STORE 1 FLAGS (\\Seen custom1): %v %v", goimapFlags(m), err)
	}
	// Now: 1 \Seen custom1; 2 \Flagged $Important; 3 \Seen.

	// SORT and THREAD (RFC 5256), NAMESPACE (RFC 2342), ID (RFC 2971).
	for _, tc := range []struct {
		key     imapclient.SortKey
		reverse bool
		want    []uint32
	}{
		{imapclient.SortKeyDate, false, []uint32{1, 2, 3}},
		{imapclient.SortKeyDate, true, []uint32{3, 2, 1}},
		{imapclient.SortKeyArrival, true, []uint32{3, 2, 1}},
		{imapclient.SortKeySubject, false, []uint32{2, 1, 3}}, // "Grüße aus Köln" (decoded) first
		{imapclient.SortKeyFrom, false, []uint32{1, 3, 2}},    // alice, bob, juergen
		{imapclient.SortKeyTo, false, []uint32{2, 3, 1}},      // alice, alice, bob
		{imapclient.SortKeySize, true, []uint32{2, 3, 1}},
	} {
		got, err := c.Sort(&imapclient.SortOptions{
			SearchCriteria: &goimap.SearchCriteria{},
			SortCriteria:   []imapclient.SortCriterion{{Key: tc.key, Reverse: tc.reverse}},
		}).Wait()
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("SORT (%v %s) ALL: %v %v, want %v", tc.reverse, tc.key, got, err, tc.want)
		}
	}
	if len(goMsg3) < len(goMsg1) {
		t.Fatal("the SIZE sort above assumes goMsg1 is the smallest")
	}
	threads, err := c.Thread(&imapclient.ThreadOptions{Algorithm: goimap.ThreadReferences, SearchCriteria: &goimap.SearchCriteria{}}).Wait()
	if err != nil || fmt.Sprint(threads) != "[{[1 3] []} {[2] []}]" {
		t.Errorf("THREAD REFERENCES ALL: %v %v, want (1 3)(2)", threads, err)
	}
	threads, err = c.Thread(&imapclient.ThreadOptions{Algorithm: goimap.ThreadOrderedSubject, SearchCriteria: &goimap.SearchCriteria{}}).Wait()
	if err != nil || fmt.Sprint(threads) != "[{[1] []} {[2] []} {[3] []}]" {
		t.Errorf("THREAD ORDEREDSUBJECT ALL: %v %v, want (1)(2)(3)", threads, err)
	}
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Prefix != "" || string(ns.Personal[0].Delim) != delim {
		t.Errorf("NAMESPACE: %+v %v", ns, err)
	}
	if _, err := c.ID(&goimap.IDData{Name: "go-imap interop test"}).Wait(); err != nil {
		t.Errorf("ID: %v", err)
	}

	// SEARCH.
	day := func(y int, mo time.Month, d int) time.Time { return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		crit goimap.SearchCriteria
		want []uint32
	}{
		{"ALL", goimap.SearchCriteria{}, []uint32{1, 2, 3}},
		{"SEEN", goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagSeen}}, []uint32{1, 3}},
		{"UNSEEN", goimap.SearchCriteria{NotFlag: []goimap.Flag{goimap.FlagSeen}}, []uint32{2}},
		{"KEYWORD custom1", goimap.SearchCriteria{Flag: []goimap.Flag{"custom1"}}, []uint32{1}},
		{"FROM bob", goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "bob"}}}, []uint32{3}},
		{"SUBJECT hello", goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "hello"}}}, []uint32{1}},
		{"HEADER Message-ID", goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<m3@example.org>"}}}, []uint32{3}},
		{"BODY quarterly", goimap.SearchCriteria{Body: []string{"quarterly"}}, []uint32{3}},
		{"TEXT first message", goimap.SearchCriteria{Text: []string{"first message"}}, []uint32{1}},
		{"SINCE 1-Jan-2022", goimap.SearchCriteria{Since: day(2022, 1, 1)}, []uint32{2, 3}},
		{"BEFORE 1-Jan-2021", goimap.SearchCriteria{Before: day(2021, 1, 1)}, []uint32{1}},
		{"SENTSINCE 3-Jan-2024", goimap.SearchCriteria{SentSince: day(2024, 1, 3)}, []uint32{3}},
		{"SENTBEFORE 2-Jan-2024", goimap.SearchCriteria{SentBefore: day(2024, 1, 2)}, []uint32{1}},
		{"LARGER", goimap.SearchCriteria{Larger: int64(max(len(goMsg1), len(goMsg3)))}, []uint32{2}},
		{"SMALLER", goimap.SearchCriteria{Smaller: int64(len(goMsg2))}, []uint32{1, 3}},
		{"NOT FROM bob", goimap.SearchCriteria{Not: []goimap.SearchCriteria{{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "bob"}}}}}, []uint32{1, 2}},
		{"OR FLAGGED SUBJECT hello", goimap.SearchCriteria{Or: [][2]goimap.SearchCriteria{{{Flag: []goimap.Flag{goimap.FlagFlagged}}, {Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "hello"}}}}}}, []uint32{1, 2}},
		{"2:* SEEN", goimap.SearchCriteria{SeqNum: []goimap.SeqSet{goimap.SeqSetNum(2, 3)}, Flag: []goimap.Flag{goimap.FlagSeen}}, []uint32{3}},
		{"UID", goimap.SearchCriteria{UID: []goimap.UIDSet{goimap.UIDSetNum(uid1, uid3)}}, []uint32{1, 3}},
	} {
		if got := goimapSearch(t, c, &tc.crit); !slices.Equal(got, tc.want) {
			t.Errorf("SEARCH %s: %v, want %v", tc.name, got, tc.want)
		}
	}
	{
		// No CHARSET: UTF-8 in IMAP4rev2 (RFC 9051 §6.4.4), and our
		// server takes it so in IMAP4rev1 too. MIME header encodings and
		// transfer encodings are decoded before comparing.
		for _, tc := range []struct {
			name string
			crit goimap.SearchCriteria
		}{
			{"SUBJECT Grüße", goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: "Grüße"}}}},
			{"FROM Jürgen", goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "From", Value: "Jürgen"}}}},
			{"BODY Köln", goimap.SearchCriteria{Body: []string{"Köln"}}},
		} {
			if got := goimapSearch(t, c, &tc.crit); !slices.Equal(got, []uint32{2}) {
				t.Errorf("SEARCH %s (UTF-8): %v, want [2]", tc.name, got)
			}
		}
	}

	// ESEARCH (RFC 4731) through SEARCH RETURN.
	all := &goimap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnCount: true, ReturnAll: true}
	es, err := c.Search(&goimap.SearchCriteria{}, all).Wait()
	if err != nil {
		t.Errorf("SEARCH RETURN (MIN MAX COUNT ALL) ALL: %v", err)
	} else if es.Min != 1 || es.Max != 3 || es.Count != 3 || !slices.Equal(es.AllSeqNums(), []uint32{1, 2, 3}) {
		t.Errorf("SEARCH RETURN (MIN MAX COUNT ALL) ALL: %+v", es)
	}
	es, err = c.Search(&goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagDeleted}}, all).Wait()
	if err != nil {
		t.Errorf("SEARCH RETURN (...) DELETED: %v", err)
	} else if es.Min != 0 || es.Max != 0 || es.Count != 0 || len(es.AllSeqNums()) != 0 {
		t.Errorf("SEARCH RETURN (...) DELETED (no match): %+v, want COUNT 0 only (RFC 4731 §3.1)", es)
	}
	es, err = c.Search(&goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagSeen}}, &goimap.SearchOptions{ReturnCount: true}).Wait()
	if err != nil || es.Count != 2 || es.All != nil && len(es.AllSeqNums()) != 0 {
		t.Errorf("SEARCH RETURN (COUNT) SEEN: %+v %v", es, err)
	}
	es, err = c.UIDSearch(&goimap.SearchCriteria{}, &goimap.SearchOptions{ReturnMin: true, ReturnMax: true, ReturnAll: true}).Wait()
	if err != nil {
		t.Errorf("UID SEARCH RETURN (MIN MAX ALL) ALL: %v", err)
	} else if uids, _ := es.All.(goimap.UIDSet).Nums(); es.Min != uint32(uid1) || es.Max != uint32(uid3) || !slices.Equal(uids, []goimap.UID{uid1, uid2, uid3}) {
		t.Errorf("UID SEARCH RETURN (MIN MAX ALL) ALL: %+v", es)
	}

	// UID FETCH, UID SEARCH, UID STORE.
	ud, err := c.UIDSearch(&goimap.SearchCriteria{Flag: []goimap.Flag{goimap.FlagFlagged}}, nil).Wait()
	if uids, _ := ud.All.(goimap.UIDSet).Nums(); err != nil || !slices.Equal(uids, []goimap.UID{uid2}) {
		t.Errorf("UID SEARCH FLAGGED: %v %v", ud, err)
	}
	m = goimapFetch(t, c, goimap.UIDSetNum(uid2, uid3), &goimap.FetchOptions{Flags: true})
	if len(m) != 2 || m[0].UID == 0 || m[1].UID == 0 {
		t.Errorf("UID FETCH: %d messages, UIDs %v (UID FETCH always answers UID, RFC 3501 §6.4.8)", len(m), goimapUIDs(m))
	}
	if m := goimapFetch(t, c, goimap.UIDSetNum(uid3+100), &goimap.FetchOptions{Flags: true}); len(m) != 0 {
		t.Errorf("UID FETCH of a missing UID: %d messages", len(m))
	}
	m, err = c.Store(goimap.UIDSetNum(uid3), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagDraft}}, nil).Collect()
	if err != nil || len(m) != 1 || m[0].UID != uid3 || !slices.Equal(sortedFlags(m[0].Flags), wantFlags(`\Seen`, `\Draft`)) {
		t.Errorf("UID STORE +FLAGS (\\Draft): %v %v %v", goimapUIDs(m), goimapFlags(m), err)
	}

	// COPY, MOVE, EXPUNGE.
	cd, err := c.Copy(goimap.SeqSetNum(1), "Archive").Wait()
	if err != nil || cd.UIDValidity == 0 || cd.SourceUIDs.String() != fmt.Sprint(uid1) || cd.DestUIDs.String() == "" {
		t.Errorf("COPY 1 Archive: %+v %v (COPYUID, RFC 4315)", cd, err)
	}
	if _, err := c.Copy(goimap.SeqSetNum(1), "NoSuchBox").Wait(); err == nil || !strings.Contains(err.Error(), "TRYCREATE") {
		t.Errorf("COPY to a missing mailbox: %v, want NO [TRYCREATE]", err)
	}
	md, err := c.Move(goimap.SeqSetNum(2), "Archive").Wait()
	if err != nil || md.UIDValidity == 0 || md.SourceUIDs.String() != fmt.Sprint(uid2) {
		t.Errorf("MOVE 2 Archive: %+v %v", md, err)
	}
	if n := c.Mailbox().NumMessages; n != 2 {
		t.Errorf("after MOVE the client counts %d messages, want 2 (EXPUNGE, RFC 6851 §3.3)", n)
	}
	if _, err := c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	ex, err := c.Expunge().Collect()
	if err != nil || !slices.Equal(ex, []uint32{1}) {
		t.Errorf("EXPUNGE: %v %v", ex, err)
	}
	a4 := goimapAppend(t, c, "INBOX", goLater(4), nil)
	a5 := goimapAppend(t, c, "INBOX", goLater(5), nil)
	if _, err := c.Store(goimap.SeqSetNum(2, 3), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Silent: true, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	ex, err = c.UIDExpunge(goimap.UIDSetNum(a4.UID)).Collect()
	if err != nil || !slices.Equal(ex, []uint32{2}) {
		t.Errorf("UID EXPUNGE %d: %v %v (RFC 4315 §2.1)", a4.UID, ex, err)
	}
	ud, err = c.UIDSearch(&goimap.SearchCriteria{}, nil).Wait()
	if uids, _ := ud.All.(goimap.UIDSet).Nums(); err != nil || !slices.Equal(uids, []goimap.UID{uid3, a5.UID}) {
		t.Errorf("UID SEARCH ALL after UID EXPUNGE: %v %v", ud, err)
	}

	// LIST RETURN (STATUS) and STATUS.
	statusOpts := &goimap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true, Size: true}
	if rev2 {
		statusOpts.NumDeleted = true
	}
	boxes, err = c.List("", "*", &goimap.ListOptions{ReturnStatus: statusOpts}).Collect()
	if err != nil {
		t.Fatalf("LIST RETURN (STATUS): %v", err)
	}
	wantMsgs := map[string]uint32{"INBOX": 2, "Archive": 2}
	for _, b := range boxes {
		if b.Status == nil || b.Status.NumMessages == nil {
			t.Errorf("LIST RETURN (STATUS): %s without STATUS (RFC 5819)", b.Mailbox)
			continue
		}
		if *b.Status.NumMessages != wantMsgs[b.Mailbox] {
			t.Errorf("LIST RETURN (STATUS): %s MESSAGES %d, want %d", b.Mailbox, *b.Status.NumMessages, wantMsgs[b.Mailbox])
		}
		st, err := c.Status(b.Mailbox, statusOpts).Wait()
		if err != nil {
			t.Errorf("STATUS %s: %v", b.Mailbox, err)
			continue
		}
		if d := goimapStatusDiff(b.Status, st); d != "" {
			t.Errorf("LIST RETURN (STATUS) and STATUS %s differ: %s", b.Mailbox, d)
		}
		if b.Mailbox == "INBOX" {
			if st.UIDNext != a5.UID+1 || st.UIDValidity != sel.UIDValidity || st.NumUnseen == nil || *st.NumUnseen != 1 ||
				st.Size == nil || *st.Size != int64(len(goMsg3)+len(goLater(5))) {
				t.Errorf("STATUS INBOX: %s", goimapStatusString(st))
			}
			if rev2 && (st.NumDeleted == nil || *st.NumDeleted != 1) {
				t.Errorf("STATUS INBOX DELETED: %s, want 1", goimapStatusString(st))
			}
		}
	}
	if got := goimapListNames(boxes); !slices.Equal(got, []string{"Archive", "INBOX"}) {
		t.Errorf("LIST RETURN (STATUS): %v", got)
	}

	// CLOSE (expunges silently), EXAMINE, UNSELECT, LOGOUT.
	if err := c.UnselectAndExpunge().Wait(); err != nil {
		t.Errorf("CLOSE: %v", err)
	}
	if st, err := c.Status("INBOX", &goimap.StatusOptions{NumMessages: true}).Wait(); err != nil || *st.NumMessages != 1 {
		t.Errorf("STATUS INBOX after CLOSE: %v %v, want 1 message (CLOSE expunges, RFC 3501 §6.4.2)", goimapStatusString(st), err)
	}
	goimapAppend(t, c, "Archive", goLater(6), nil)
	sel, err = c.Select("Archive", &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || sel.NumMessages != 3 {
		t.Fatalf("EXAMINE Archive: %+v %v", sel, err)
	}
	m = goimapFetch(t, c, goimap.SeqSetNum(1, 2, 3), &goimap.FetchOptions{BodySection: []*goimap.FetchItemBodySection{whole}})
	var bodies []string
	for _, x := range m {
		bodies = append(bodies, string(x.FindBodySection(whole)))
	}
	slices.Sort(bodies)
	want := []string{goMsg1, goMsg2, goLater(6)}
	slices.Sort(want)
	if !slices.Equal(bodies, want) {
		t.Errorf("EXAMINE Archive: BODY[] of the copied and moved messages differ:\n%q\nwant\n%q", bodies, want)
	}
	m = goimapFetch(t, c, goimap.SeqSetNum(3), &goimap.FetchOptions{Flags: true})
	if len(m) != 1 || slices.Contains(m[0].Flags, goimap.FlagSeen) {
		t.Errorf("EXAMINE: BODY[] set \\Seen: %v (RFC 3501 §6.3.2)", goimapFlags(m))
	}
	if _, err := c.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagSeen}}, nil).Collect(); err == nil {
		t.Errorf("STORE in an EXAMINEd mailbox succeeded")
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Errorf("UNSELECT: %v", err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	if len(known) > 0 {
		t.Skipf("known server bugs:\n%s", strings.Join(known, "\n"))
	}
}

// TestGoIMAPIdle: one client IDLEs on INBOX while a second appends and
// expunges; the idling client's UnilateralDataHandler must see EXISTS and
// EXPUNGE (RFC 2177), and its view must be right after DONE.
func TestGoIMAPIdle(t *testing.T) {
	requireInterop(t)
	s := startMailaccess(t)

	var mu sync.Mutex
	var events []string
	exists := make(chan uint32, 16)
	expunge := make(chan uint32, 16)
	flags := make(chan string, 16)
	handler := &imapclient.UnilateralDataHandler{
		Mailbox: func(d *imapclient.UnilateralDataMailbox) {
			if d.NumMessages != nil {
				mu.Lock()
				events = append(events, fmt.Sprintf("EXISTS %d", *d.NumMessages))
				mu.Unlock()
				exists <- *d.NumMessages
			}
		},
		Expunge: func(seq uint32) {
			mu.Lock()
			events = append(events, fmt.Sprintf("EXPUNGE %d", seq))
			mu.Unlock()
			expunge <- seq
		},
		Fetch: func(msg *imapclient.FetchMessageData) {
			buf, err := msg.Collect()
			if err == nil {
				e := fmt.Sprintf("FETCH %d FLAGS %v", buf.SeqNum, sortedFlags(buf.Flags))
				mu.Lock()
				events = append(events, e)
				mu.Unlock()
				flags <- e
			}
		},
	}
	actor := goimapDial(t, s, nil)
	idler := goimapDial(t, s, handler)
	goimapAppend(t, actor, "INBOX", goLater(1), nil)
	if sel, err := idler.Select("INBOX", nil).Wait(); err != nil || sel.NumMessages != 1 {
		t.Fatalf("SELECT INBOX: %+v %v", sel, err)
	}
	if _, err := actor.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}

	wait := func(what string, ch <-chan uint32, want uint32) {
		t.Helper()
		timeout := time.After(10 * time.Second)
		for {
			select {
			case got := <-ch:
				if got == want {
					return
				}
				t.Logf("%s: saw %d first", what, got)
			case <-timeout:
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("IDLE: no %s %d within 10s; the idler saw %v", what, want, events)
			}
		}
	}

	idle, err := idler.Idle()
	if err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	goimapAppend(t, actor, "INBOX", goLater(2), nil)
	wait("EXISTS", exists, 2)
	goimapAppend(t, actor, "INBOX", goLater(3), nil)
	wait("EXISTS", exists, 3)
	if _, err := actor.Store(goimap.SeqSetNum(1), &goimap.StoreFlags{Op: goimap.StoreFlagsAdd, Flags: []goimap.Flag{goimap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	if ex, err := actor.Expunge().Collect(); err != nil || !slices.Equal(ex, []uint32{1}) {
		t.Fatalf("EXPUNGE: %v %v", ex, err)
	}
	wait("EXPUNGE", expunge, 1)
	if err := idle.Close(); err != nil {
		t.Fatalf("IDLE DONE: %v", err)
	}
	if err := idle.Wait(); err != nil {
		t.Fatalf("IDLE: %v", err)
	}
	select {
	case e := <-flags:
		t.Logf("the idler also saw %s (the \\Deleted before the EXPUNGE)", e)
	default:
	}
	if n := idler.Mailbox().NumMessages; n != 2 {
		t.Errorf("after IDLE the idler counts %d messages, want 2", n)
	}
	m := goimapFetch(t, idler, goimap.SeqSetNum(1, 2), &goimap.FetchOptions{Envelope: true})
	var subjects []string
	for _, x := range m {
		subjects = append(subjects, x.Envelope.Subject)
	}
	slices.Sort(subjects)
	if !slices.Equal(subjects, []string{"Later 2", "Later 3"}) {
		t.Errorf("after IDLE the idler's messages are %q, want Later 2 and 3", subjects)
	}

	// Changes while not idling arrive with the next command (NOOP).
	goimapAppend(t, actor, "INBOX", goLater(4), nil)
	if err := idler.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	wait("EXISTS", exists, 3)
	if err := idler.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	if err := actor.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
	mu.Lock()
	t.Logf("the idler saw: %v", events)
	mu.Unlock()
}

// TestGoIMAPLargeAndPipelined appends a message of a few megabytes and
// reads it back whole, in part and decoded (BINARY, RFC 3516), then sends
// many commands without waiting for their answers (pipelining, RFC 9051
// §5.5), as go-imap allows, and checks every answer.
func TestGoIMAPLargeAndPipelined(t *testing.T) {
	requireInterop(t)
	s := startMailaccess(t)
	c := goimapDial(t, s, nil)

	// The payload: 3 MiB of deterministic bytes, base64 in 76-column lines.
	payload := make([]byte, 3<<20)
	x := uint32(2463534242)
	for i := range payload {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		payload[i] = byte(x)
	}
	var body strings.Builder
	enc := base64.StdEncoding.EncodeToString(payload)
	for len(enc) > 76 {
		body.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	body.WriteString(enc + "\r\n")
	msg := "From: big@example.com\r\nSubject: Large\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body.String()

	a := goimapAppend(t, c, "INBOX", msg, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	whole := &goimap.FetchItemBodySection{Peek: true}
	part := &goimap.FetchItemBodySection{Peek: true, Partial: &goimap.SectionPartial{Offset: 1 << 20, Size: 1000}}
	bin := &goimap.FetchItemBinarySection{Part: []int{1}, Peek: true}
	m := goimapFetch(t, c, goimap.UIDSetNum(a.UID), &goimap.FetchOptions{
		RFC822Size:        true,
		BodySection:       []*goimap.FetchItemBodySection{whole, part},
		BinarySection:     []*goimap.FetchItemBinarySection{bin},
		BinarySectionSize: []*goimap.FetchItemBinarySectionSize{{Part: []int{1}}},
	})
	if len(m) != 1 {
		t.Fatalf("UID FETCH %d: %d messages", a.UID, len(m))
	}
	if m[0].RFC822Size != int64(len(msg)) || string(m[0].FindBodySection(whole)) != msg {
		t.Errorf("BODY[] of the large message: %d octets (RFC822.SIZE %d), want %d, equal %v",
			len(m[0].FindBodySection(whole)), m[0].RFC822Size, len(msg), string(m[0].FindBodySection(whole)) == msg)
	}
	if got := string(m[0].FindBodySection(part)); got != msg[1<<20:1<<20+1000] {
		t.Errorf("BODY[]<1048576.1000>: %d octets, wrong", len(got))
	}
	if got := m[0].FindBinarySection(bin); !bytes.Equal(got, payload) {
		t.Errorf("BINARY[1]: %d octets, want the %d decoded ones", len(got), len(payload))
	}
	if n, ok := m[0].FindBinarySectionSize([]int{1}); !ok || n != uint32(len(payload)) {
		t.Errorf("BINARY.SIZE[1]: %d %v, want %d", n, ok, len(payload))
	}

	// Pipelining: small messages, then many commands in flight at once.
	for i := range 5 {
		goimapAppend(t, c, "INBOX", goLater(i), nil)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	const rounds = 25
	type inflight struct {
		fetch  *imapclient.FetchCommand
		search *imapclient.SearchCommand
		status *imapclient.StatusCommand
		noop   *imapclient.Command
	}
	var cmds []inflight
	for i := range rounds {
		seq := uint32(2 + i%5)
		cmds = append(cmds, inflight{
			fetch:  c.Fetch(goimap.SeqSetNum(seq), &goimap.FetchOptions{UID: true, Envelope: true}),
			search: c.Search(&goimap.SearchCriteria{Header: []goimap.SearchCriteriaHeaderField{{Key: "Subject", Value: fmt.Sprintf("Later %d", i%5)}}}, nil),
			status: c.Status("INBOX", &goimap.StatusOptions{NumMessages: true}),
			noop:   c.Noop(),
		})
	}
	for i, cmd := range cmds {
		msgs, err := cmd.fetch.Collect()
		if err != nil || len(msgs) != 1 || msgs[0].Envelope == nil || msgs[0].Envelope.Subject != fmt.Sprintf("Later %d", i%5) {
			t.Errorf("pipelined FETCH %d: %d messages, %v", i, len(msgs), err)
		}
		sd, err := cmd.search.Wait()
		if err != nil || !slices.Equal(sd.AllSeqNums(), []uint32{uint32(2 + i%5)}) {
			t.Errorf("pipelined SEARCH %d: %v %v", i, sd, err)
		}
		st, err := cmd.status.Wait()
		if err != nil || st.NumMessages == nil || *st.NumMessages != 6 {
			t.Errorf("pipelined STATUS %d: %s %v", i, goimapStatusString(st), err)
		}
		if err := cmd.noop.Wait(); err != nil {
			t.Errorf("pipelined NOOP %d: %v", i, err)
		}
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
}

// TestGoIMAPBodyStructure appends the mimecorpus messages (the fixed ones
// and MAILACCESS_INTEROP_N generated ones) and compares go-imap's reading
// of our server's ENVELOPE, BODYSTRUCTURE and BODY with what package mime
// computes for the same bytes, field by field, applying the decoding
// go-imap applies (RFC 2047 words in names, subjects, descriptions and
// parameter values; message ids without angle brackets).
func TestGoIMAPBodyStructure(t *testing.T) {
	requireInterop(t)
	seed := envInt(t, "MAILACCESS_INTEROP_SEED", 1)
	n := envInt(t, "MAILACCESS_INTEROP_N", 200)
	corpus := append(mimecorpus.Fixed(), mimecorpus.Messages(seed, int(n))...)
	corpus = append(corpus, mimecorpus.Message{Name: "goMsg2", Data: []byte(goMsg2)}, mimecorpus.Message{Name: "goMsg3", Data: []byte(goMsg3)})
	// In an IMAP4rev1 session the server sends 8-bit header text as
	// literals; after ENABLE IMAP4rev2 as UTF-8 quoted strings.
	for _, rev2 := range []bool{false, true} {
		name := "rev1"
		if rev2 {
			name = "rev2"
		}
		t.Run(name, func(t *testing.T) { goimapBodyStructure(t, corpus, rev2) })
	}
}

func goimapBodyStructure(t *testing.T, all []mimecorpus.Message, rev2 bool) {
	s := startMailaccess(t)
	c := goimapDial(t, s, nil)
	if rev2 {
		if _, err := c.Enable(goimap.CapIMAP4rev2).Wait(); err != nil {
			t.Fatalf("ENABLE IMAP4rev2: %v", err)
		}
	}
	start := time.Now()
	var corpus []mimecorpus.Message
	for _, m := range all {
		cmd := c.Append("INBOX", int64(len(m.Data)), nil)
		cmd.Write(m.Data)
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			// RFC 6855 §4: with UTF8=ACCEPT advertised but not enabled
			// (nor IMAP4rev2), 8-bit header octets MUST be refused with NO.
			hdr, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
			if !rev2 && slices.ContainsFunc(hdr, func(b byte) bool { return b >= 0x80 }) {
				t.Logf("APPEND %s (8-bit header, IMAP4rev1): %v", m.Name, err)
				continue
			}
			t.Fatalf("APPEND %s: %v", m.Name, err)
		}
		corpus = append(corpus, m)
	}
	sel, err := c.Select("INBOX", &goimap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil || int(sel.NumMessages) != len(corpus) {
		t.Fatalf("EXAMINE INBOX: %+v %v, want %d messages", sel, err, len(corpus))
	}
	t.Logf("appended %d of %d messages in %v", len(corpus), len(all), time.Since(start).Round(time.Millisecond))

	seqs := goimap.SeqSet{}
	seqs.AddRange(1, uint32(len(corpus)))
	fetch := func(opts *goimap.FetchOptions) map[uint32]*imapclient.FetchMessageBuffer {
		msgs, err := c.Fetch(seqs, opts).Collect()
		if err != nil {
			t.Fatalf("FETCH 1:%d: %v", len(corpus), err)
		}
		out := make(map[uint32]*imapclient.FetchMessageBuffer)
		for _, m := range msgs {
			out[m.SeqNum] = m
		}
		return out
	}
	ext := fetch(&goimap.FetchOptions{Envelope: true, BodyStructure: &goimap.FetchItemBodyStructure{Extended: true}})
	basic := fetch(&goimap.FetchOptions{BodyStructure: &goimap.FetchItemBodyStructure{Extended: false}})

	bad := 0
	for i, m := range corpus {
		seq := uint32(i + 1)
		st, err := mime.Parse(bytes.NewReader(m.Data), nil)
		if err != nil {
			t.Fatalf("%s: mime.Parse: %v", m.Name, err)
		}
		var diffs []string
		e, b := ext[seq], basic[seq]
		if e == nil || b == nil {
			diffs = append(diffs, "no FETCH response")
		} else {
			diffs = append(diffs, compareEnvelope("ENVELOPE", st.Envelope(), e.Envelope)...)
			diffs = append(diffs, compareBodyStructure("BODYSTRUCTURE", st.BodyStructure(true), e.BodyStructure)...)
			diffs = append(diffs, compareBodyStructure("BODY", st.BodyStructure(false), b.BodyStructure)...)
		}
		if len(diffs) > 0 {
			bad++
			if bad <= 20 {
				t.Errorf("message %d (%s):\n  %s", seq, m.Name, strings.Join(diffs, "\n  "))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d messages differ", bad, len(corpus))
	} else {
		t.Logf("%d messages: go-imap's ENVELOPE, BODYSTRUCTURE and BODY match package mime", len(corpus))
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("LOGOUT: %v", err)
	}
}

// --- comparison of our typed values with go-imap's ---------------------

// goimapDecode is go-imap's decoding of a string it reads
// (Options.decodeText with the default mime.WordDecoder): the decoded
// text, or the string itself when decoding fails.
func goimapDecode(s string) string {
	out, err := (&stdmime.WordDecoder{}).DecodeHeader(s)
	if err != nil {
		return s
	}
	return out
}

// goimapParams is go-imap's reading of a body-fld-param list.
func goimapParams(ps []imap.Param) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	out := make(map[string]string)
	for _, p := range ps {
		out[strings.ToLower(p.Key)] = goimapDecode(p.Value)
	}
	return out
}

func compareParams(path string, ours []imap.Param, theirs map[string]string) []string {
	want := goimapParams(ours)
	if len(want) != len(theirs) {
		return []string{fmt.Sprintf("%s: %v, want %v", path, theirs, want)}
	}
	for k, v := range want {
		if theirs[k] != v {
			return []string{fmt.Sprintf("%s: %v, want %v", path, theirs, want)}
		}
	}
	return nil
}

func compareDisposition(path string, ours *imap.Disposition, theirs *goimap.BodyStructureDisposition) []string {
	switch {
	case ours == nil && theirs == nil:
		return nil
	case ours == nil || theirs == nil:
		return []string{fmt.Sprintf("%s: %+v, want %+v", path, theirs, ours)}
	}
	var d []string
	if theirs.Value != ours.Type {
		d = append(d, fmt.Sprintf("%s type %q, want %q", path, theirs.Value, ours.Type))
	}
	return append(d, compareParams(path+" params", ours.Params, theirs.Params)...)
}

func compareStr(d *[]string, path, theirs, want string) {
	if theirs != want {
		*d = append(*d, fmt.Sprintf("%s: %q, want %q", path, theirs, want))
	}
}

// compareBodyStructure compares go-imap's BodyStructure with ours, field
// by field. (go-imap drops body-fld-md5 and further extension data, which
// are therefore not compared.)
func compareBodyStructure(path string, ours imap.BodyStructure, theirs goimap.BodyStructure) []string {
	var d []string
	if ours.IsMultipart() {
		mp, ok := theirs.(*goimap.BodyStructureMultiPart)
		if !ok {
			return []string{fmt.Sprintf("%s: %T, want a multipart", path, theirs)}
		}
		compareStr(&d, path+" subtype", mp.Subtype, ours.Subtype)
		if len(mp.Children) != len(ours.Parts) {
			return append(d, fmt.Sprintf("%s: %d parts, want %d", path, len(mp.Children), len(ours.Parts)))
		}
		for i := range ours.Parts {
			d = append(d, compareBodyStructure(fmt.Sprintf("%s.%d", path, i+1), ours.Parts[i], mp.Children[i])...)
		}
		if ours.Extended != (mp.Extended != nil) {
			return append(d, fmt.Sprintf("%s: extension data %v, want %v", path, mp.Extended != nil, ours.Extended))
		}
		if mp.Extended != nil {
			d = append(d, compareParams(path+" params", ours.Params, mp.Extended.Params)...)
			d = append(d, compareDisposition(path+" disposition", ours.Disposition, mp.Extended.Disposition)...)
			if !slices.Equal(mp.Extended.Language, ours.Language) {
				d = append(d, fmt.Sprintf("%s language %q, want %q", path, mp.Extended.Language, ours.Language))
			}
			compareStr(&d, path+" location", mp.Extended.Location, ours.Location.S)
		}
		return d
	}
	sp, ok := theirs.(*goimap.BodyStructureSinglePart)
	if !ok {
		return []string{fmt.Sprintf("%s: %T, want a single part", path, theirs)}
	}
	compareStr(&d, path+" type", sp.Type, ours.Type)
	compareStr(&d, path+" subtype", sp.Subtype, ours.Subtype)
	d = append(d, compareParams(path+" params", ours.Params, sp.Params)...)
	compareStr(&d, path+" id", sp.ID, ours.ID.S)
	compareStr(&d, path+" description", sp.Description, goimapDecode(ours.Description.S))
	compareStr(&d, path+" encoding", sp.Encoding, ours.Encoding)
	if sp.Size != ours.Size {
		d = append(d, fmt.Sprintf("%s size %d, want %d", path, sp.Size, ours.Size))
	}
	switch {
	case ours.IsMessage():
		if sp.MessageRFC822 == nil {
			return append(d, fmt.Sprintf("%s: no message/rfc822 fields", path))
		}
		d = append(d, compareEnvelope(path+" envelope", ours.Envelope, sp.MessageRFC822.Envelope)...)
		if ours.Body == nil {
			d = append(d, fmt.Sprintf("%s: our message part has no body", path))
		} else {
			d = append(d, compareBodyStructure(path+" body", *ours.Body, sp.MessageRFC822.BodyStructure)...)
		}
		if sp.MessageRFC822.NumLines != int64(ours.Lines) {
			d = append(d, fmt.Sprintf("%s lines %d, want %d", path, sp.MessageRFC822.NumLines, ours.Lines))
		}
	case ours.IsText():
		if sp.Text == nil || sp.Text.NumLines != int64(ours.Lines) {
			d = append(d, fmt.Sprintf("%s lines %+v, want %d", path, sp.Text, ours.Lines))
		}
	}
	if ours.Extended != (sp.Extended != nil) {
		return append(d, fmt.Sprintf("%s: extension data %v, want %v", path, sp.Extended != nil, ours.Extended))
	}
	if sp.Extended != nil {
		d = append(d, compareDisposition(path+" disposition", ours.Disposition, sp.Extended.Disposition)...)
		if !slices.Equal(sp.Extended.Language, ours.Language) {
			d = append(d, fmt.Sprintf("%s language %q, want %q", path, sp.Extended.Language, ours.Language))
		}
		compareStr(&d, path+" location", sp.Extended.Location, ours.Location.S)
	}
	return d
}

// compareEnvelope compares go-imap's Envelope with ours, applying
// go-imap's decoding: net/mail.ParseDate for the date, RFC 2047 for the
// subject and names, go-message's message-id parsing.
func compareEnvelope(path string, ours *imap.Envelope, theirs *goimap.Envelope) []string {
	if ours == nil || theirs == nil {
		if ours == nil && theirs == nil {
			return nil
		}
		return []string{fmt.Sprintf("%s: %+v, want %+v", path, theirs, ours)}
	}
	var d []string
	wantDate, _ := netmail.ParseDate(ours.Date.S)
	if !theirs.Date.Equal(wantDate) {
		d = append(d, fmt.Sprintf("%s date %v, want %v (from %q)", path, theirs.Date, wantDate, ours.Date.S))
	}
	compareStr(&d, path+" subject", theirs.Subject, goimapDecode(ours.Subject.S))
	for _, l := range []struct {
		name   string
		ours   []imap.Address
		theirs []goimap.Address
	}{
		{"from", ours.From, theirs.From}, {"sender", ours.Sender, theirs.Sender},
		{"reply-to", ours.ReplyTo, theirs.ReplyTo}, {"to", ours.To, theirs.To},
		{"cc", ours.Cc, theirs.Cc}, {"bcc", ours.Bcc, theirs.Bcc},
	} {
		if len(l.ours) != len(l.theirs) {
			d = append(d, fmt.Sprintf("%s %s: %d addresses %+v, want %d %+v", path, l.name, len(l.theirs), l.theirs, len(l.ours), l.ours))
			continue
		}
		for i, a := range l.ours {
			want := goimap.Address{Name: goimapDecode(a.Name.S), Mailbox: a.Mailbox.S, Host: a.Host.S}
			if l.theirs[i] != want {
				d = append(d, fmt.Sprintf("%s %s[%d]: %+v, want %+v", path, l.name, i, l.theirs[i], want))
			}
		}
	}
	var h gomail.Header
	h.Set("In-Reply-To", ours.InReplyTo.S)
	wantIRT, _ := h.MsgIDList("In-Reply-To")
	if !slices.Equal(theirs.InReplyTo, wantIRT) {
		d = append(d, fmt.Sprintf("%s in-reply-to %q, want %q (from %q)", path, theirs.InReplyTo, wantIRT, ours.InReplyTo.S))
	}
	h.Set("Message-Id", ours.MessageID.S)
	wantID, _ := h.MessageID()
	compareStr(&d, path+" message-id", theirs.MessageID, wantID)
	return d
}

// --- small helpers -----------------------------------------------------

func goimapListNames(boxes []*goimap.ListData) []string {
	var out []string
	for _, b := range boxes {
		out = append(out, b.Mailbox)
	}
	slices.Sort(out)
	return out
}

func goimapSection(msgs []*imapclient.FetchMessageBuffer, section *goimap.FetchItemBodySection) string {
	if len(msgs) != 1 {
		return fmt.Sprintf("<%d messages>", len(msgs))
	}
	b := msgs[0].FindBodySection(section)
	if b == nil {
		return "<missing>"
	}
	return string(b)
}

func goimapFlags(msgs []*imapclient.FetchMessageBuffer) [][]string {
	var out [][]string
	for _, m := range msgs {
		out = append(out, sortedFlags(m.Flags))
	}
	return out
}

func goimapUIDs(msgs []*imapclient.FetchMessageBuffer) []goimap.UID {
	var out []goimap.UID
	for _, m := range msgs {
		out = append(out, m.UID)
	}
	return out
}

func goimapStatusString(st *goimap.StatusData) string {
	if st == nil {
		return "<nil>"
	}
	p := func(v *uint32) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprint(*v)
	}
	size := "-"
	if st.Size != nil {
		size = fmt.Sprint(*st.Size)
	}
	return fmt.Sprintf("%s MESSAGES %s UNSEEN %s DELETED %s UIDNEXT %d UIDVALIDITY %d SIZE %s",
		st.Mailbox, p(st.NumMessages), p(st.NumUnseen), p(st.NumDeleted), st.UIDNext, st.UIDValidity, size)
}

func goimapStatusDiff(a, b *goimap.StatusData) string {
	if x, y := goimapStatusString(a), goimapStatusString(b); x != y {
		return x + " vs " + y
	}
	return ""
}
