package imapserver

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// searchMsg is a message a test puts in a mailbox.
type searchMsg struct {
	raw   string
	flags []imap.Flag
	date  time.Time
}

// searchMail builds a message from header lines and a body.
func searchMail(body string, header ...string) string {
	return strings.Join(header, "\r\n") + "\r\n\r\n" + body
}

func searchDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
}

// searchStore opens alice's store on the backend, as another session.
func searchStore(t *testing.T, ts *testServer) mailstore.Store {
	t.Helper()
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// searchAppend appends msgs to mbox.
func searchAppend(t *testing.T, st mailstore.Store, mbox string, msgs []searchMsg) {
	t.Helper()
	for _, m := range msgs {
		_, err := st.Append(context.Background(), mbox, strings.NewReader(m.raw),
			&mailstore.AppendOptions{Flags: m.flags, InternalDate: m.date})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// searchExpungeAll opens a read-write view of mbox, which claims \Recent
// for every message in it, and expunges the messages with the given
// sequence numbers.
func searchExpungeAll(t *testing.T, st mailstore.Store, mbox string, seqs ...uint32) {
	t.Helper()
	ctx := context.Background()
	v, err := st.OpenMailbox(ctx, mbox, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var uids []uint32
	for _, s := range seqs {
		uids = append(uids, v.Messages()[s-1].UID)
	}
	if len(uids) > 0 {
		if _, err := v.Expunge(ctx, uids); err != nil {
			t.Fatal(err)
		}
	}
}

// searchDummies are two messages that a fixture appends and expunges
// first, so that UIDs differ from sequence numbers.
var searchDummies = []searchMsg{
	{raw: searchMail("x\r\n", "Subject: dummy"), date: searchDay(1990, 1, 1)},
	{raw: searchMail("x\r\n", "Subject: dummy"), date: searchDay(1990, 1, 1)},
}

// searchInbox is the mailbox of the key tests. Messages 1-3 are old, 4-7
// recent; UIDs are the sequence numbers plus 2.
func searchInbox() (old, recent []searchMsg) {
	subj4 := "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte("отпуск")) + "?="
	old = []searchMsg{
		{raw: searchMail("Let's meet at noon.\r\n",
			"From: Alice Smith <smith@example.com>", "To: bob@example.org",
			"Subject: Lunch plans", "Date: Mon, 7 Feb 1994 21:52:25 -0800",
			"Message-ID: <m1@example.com>"),
			flags: []imap.Flag{imap.FlagSeen}, date: searchDay(1994, 2, 7)},
		{raw: searchMail("Noon works.\r\n",
			"From: Bob <bob@example.org>", "To: alice@example.com",
			"Cc: Carol <carol@example.net>", "Subject: Re: Lunch plans",
			"Date: Tue, 8 Feb 1994 09:00:00 +0000"),
			flags: []imap.Flag{imap.FlagFlagged, imap.FlagAnswered}, date: searchDay(1994, 2, 8)},
		{raw: searchMail(strings.Repeat("numbers ", 250)+"\r\n",
			"From: Carol <carol@example.net>", "To: team@example.com",
			"Bcc: dave@example.com", "Subject: Quarterly report",
			"Date: Sat, 1 Jan 1994 10:00:00 +0000"),
			flags: []imap.Flag{imap.FlagDeleted, "$Report"}, date: searchDay(1994, 1, 1)},
	}
	recent = []searchMsg{
		{raw: searchMail("Я ухожу в отпуск.\r\n",
			"From: Dave <dave@example.com>", "To: alice@example.com",
			"Subject: "+subj4, "Date: Tue, 1 Mar 1994 08:00:00 +0000",
			"MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8",
			"Content-Transfer-Encoding: 8bit"),
			flags: []imap.Flag{imap.FlagDraft}, date: searchDay(1994, 3, 1)},
		{raw: searchMail("Please look.\r\n",
			`From: "Eve Smith" <eve@example.com>`, "To: alice@example.com",
			"Subject: Flagged item", "Date: Wed, 2 Feb 1994 10:00:00 +0000",
			"X-Priority: 1"),
			flags: []imap.Flag{imap.FlagFlagged}, date: searchDay(1994, 2, 2)},
		{raw: searchMail("Cr=E8me br=FBl=E9e today.\r\n",
			"From: frank@example.com", "To: alice@example.com",
			"Subject: =?ISO-8859-1?Q?Caf=E9_menu?=", "Date: Thu, 10 Feb 1994 10:00:00 +0000",
			"MIME-Version: 1.0", "Content-Type: text/plain; charset=ISO-8859-1",
			"Content-Transfer-Encoding: quoted-printable"),
			flags: []imap.Flag{imap.FlagFlagged, imap.FlagSeen}, date: searchDay(1994, 2, 10)},
		{raw: searchMail("Nothing new.\r\n", "From: grace@example.com", "Subject: old news"),
			date: searchDay(1993, 12, 31)},
	}
	return old, recent
}

// searchFixture is a server whose INBOX holds searchInbox, and a client
// logged in with INBOX selected.
func searchFixture(t *testing.T) (*testServer, *tclient) {
	t.Helper()
	ts := newTestServer(t)
	st := searchStore(t, ts)
	old, recent := searchInbox()
	searchAppend(t, st, "INBOX", append(append([]searchMsg{}, searchDummies...), old...))
	searchExpungeAll(t, st, "INBOX", 1, 2)
	searchAppend(t, st, "INBOX", recent)
	c := ts.dial(t)
	c.login()
	c.ok("SELECT INBOX")
	return ts, c
}

// searchRaw sends a command that may hold LITERAL+ literals ("{n+}\r\n"
// followed by the octets) and returns its responses.
func searchRaw(c *tclient, command string) ([]*wire.Response, *wire.Response) {
	c.t.Helper()
	c.next++
	tag := fmt.Sprintf("t%d", c.next)
	if _, err := c.nc.Write([]byte(tag + " " + command + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
	return c.until(tag)
}

// searchLines re-encodes the responses of the result kinds (SEARCH, SORT,
// ESEARCH, THREAD), one per line without CRLF and with the ESEARCH
// correlator replaced by TAG, so tests compare wire forms.
func searchLines(t testing.TB, tag string, rs []*wire.Response) string {
	t.Helper()
	var lines []string
	for _, r := range rs {
		switch r.Kind {
		case wire.KindSearch, wire.KindSort, wire.KindESearch, wire.KindThread:
		default:
			continue
		}
		var b bytes.Buffer
		e := wire.NewEncoder(&b, &wire.EncoderOptions{UTF8: true})
		if err := e.WriteResponse(r); err != nil {
			t.Fatalf("encode %s: %v", r.Kind, err)
		}
		e.Flush()
		line := strings.TrimSuffix(b.String(), "\r\n")
		line = strings.Replace(line, `(TAG "`+tag+`")`, "(TAG)", 1)
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// searchExpect runs a command that must succeed and compares its result
// responses with want (lines joined by "\n").
func searchExpect(t *testing.T, c *tclient, command, want string) []*wire.Response {
	t.Helper()
	u, r := searchRaw(c, command)
	if r.Status != wire.StatusOK {
		t.Errorf("%s: %s %s", command, r.Status, r.Text)
		return u
	}
	if got := searchLines(t, r.Tag, u); got != want {
		t.Errorf("%s:\n got %q\nwant %q", command, got, want)
	}
	return u
}

// searchStatus runs a command and checks its completion's status and,
// if code is not "", its response code.
func searchStatus(t *testing.T, c *tclient, command string, status wire.StatusType, code string) *wire.Response {
	t.Helper()
	_, r := searchRaw(c, command)
	if r.Status != status {
		t.Errorf("%s: got %s %s, want %s", command, r.Status, r.Text, status)
	}
	if code != "" && (r.Code == nil || string(r.Code.Name) != code) {
		t.Errorf("%s: code %+v, want %s", command, r.Code, code)
	}
	return r
}

// TestSearchKeys checks every search key family, as SEARCH (sequence
// numbers) and UID SEARCH (UIDs are sequence numbers plus 2).
func TestSearchKeys(t *testing.T) {
	_, c := searchFixture(t)
	tests := []struct{ keys, want string }{
		{"ALL", "1 2 3 4 5 6 7"},
		// Flags.
		{"ANSWERED", "2"}, {"UNANSWERED", "1 3 4 5 6 7"},
		{"DELETED", "3"}, {"UNDELETED", "1 2 4 5 6 7"},
		{"DRAFT", "4"}, {"UNDRAFT", "1 2 3 5 6 7"},
		{"FLAGGED", "2 5 6"}, {"UNFLAGGED", "1 3 4 7"},
		{"SEEN", "1 6"}, {"UNSEEN", "2 3 4 5 7"},
		{"KEYWORD $Report", "3"}, {"UNKEYWORD $Report", "1 2 4 5 6 7"},
		{"KEYWORD $Nothing", ""},
		{"RECENT", "4 5 6 7"}, {"NEW", "4 5 7"}, {"OLD", "1 2 3"},
		// Addresses and subject: substrings, case-insensitive, decoded.
		{`FROM "Smith"`, "1 5"}, {"FROM bob@example.org", "2"},
		{"TO alice", "2 4 5 6"}, {"CC carol", "2"}, {"BCC dave", "3"},
		{"SUBJECT lunch", "1 2"}, {`SUBJECT "CAFÉ"`, "6"}, {"SUBJECT отпуск", "4"},
		{`FROM ""`, "1 2 3 4 5 6 7"},
		// HEADER: a field present with "" (RFC 3501 §6.4.4).
		{"HEADER X-Priority 1", "5"}, {`HEADER X-Priority ""`, "5"},
		{`HEADER Message-ID "<m1@"`, "1"}, {`HEADER X-Missing ""`, ""},
		// BODY and TEXT.
		{"BODY noon", "1 2"}, {"BODY bob", ""}, {"TEXT bob", "1 2"},
		{"TEXT x-priority", "5"}, {"BODY numbers", "3"}, {"BODY crème", "6"},
		{`TEXT "string not in mailbox"`, ""},
		// Internal date.
		{"BEFORE 1-Feb-1994", "3 7"}, {"ON 7-Feb-1994", "1"}, {"SINCE 10-Feb-1994", "4 6"},
		// Sent date, as written (message 1 is 7 Feb -0800); 7 has none.
		{"SENTBEFORE 2-Feb-1994", "3"}, {"SENTON 8-Feb-1994", "2"}, {"SENTON 7-Feb-1994", "1"},
		{"SENTSINCE 8-Feb-1994", "2 4 6"},
		// Size.
		{"LARGER 1500", "3"}, {"SMALLER 1500", "1 2 4 5 6 7"},
		// WITHIN (RFC 5032).
		{"OLDER 3600", "1 2 3 4 5 6 7"}, {"YOUNGER 3600", ""},
		// Sets.
		{"2:4", "2 3 4"}, {"*", "7"}, {"5:*", "5 6 7"}, {"4,1,6:5", "1 4 5 6"},
		{"UID 4:6", "2 3 4"}, {"UID *", "7"}, {"UID 1:2", ""}, {"UID 100:*", "7"},
		// Operators.
		{"NOT SEEN", "2 3 4 5 7"}, {"OR FLAGGED DRAFT", "2 4 5 6"},
		{"(FLAGGED SEEN)", "6"}, {"OR (SEEN FLAGGED) DELETED", "3 6"},
		{"NOT (OR SEEN DELETED)", "2 4 5 7"}, {"FLAGGED SINCE 1-Feb-1994 NOT FROM Smith", "2 6"},
		{"NOT NOT NOT ALL", ""},
	}
	plus2 := func(s string) string {
		var out []string
		for _, f := range strings.Fields(s) {
			var n int
			fmt.Sscan(f, &n)
			out = append(out, fmt.Sprint(n+2))
		}
		return strings.Join(out, " ")
	}
	line := func(kind, nums string) string {
		if nums == "" {
			return "* " + kind
		}
		return "* " + kind + " " + nums
	}
	// UTF-8 in quoted strings needs UTF8=ACCEPT; send it as literals.
	literal := func(keys string) string {
		var b strings.Builder
		for i, f := range strings.Fields(keys) {
			if i > 0 {
				b.WriteByte(' ')
			}
			if strings.ContainsFunc(f, func(r rune) bool { return r >= 0x80 }) {
				f = strings.Trim(f, `"`)
				fmt.Fprintf(&b, "{%d+}\r\n%s", len(f), f)
				continue
			}
			b.WriteString(f)
		}
		return b.String()
	}
	for _, tt := range tests {
		keys := literal(tt.keys)
		searchExpect(t, c, "SEARCH "+keys, line("SEARCH", tt.want))
		searchExpect(t, c, "UID SEARCH "+keys, line("SEARCH", plus2(tt.want)))
	}
}

// TestSearchRFC3501Examples runs the examples of RFC 3501 §6.4.4.
func TestSearchRFC3501Examples(t *testing.T) {
	_, c := searchFixture(t)
	searchExpect(t, c, `SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`, "* SEARCH 2 6")
	searchExpect(t, c, `SEARCH TEXT "string not in mailbox"`, "* SEARCH")
	searchExpect(t, c, "SEARCH CHARSET UTF-8 TEXT {12+}\r\nотпуск", "* SEARCH 4")
	// Keys are case-insensitive.
	searchExpect(t, c, `search flagged since 1-feb-1994 not from "smith"`, "* SEARCH 2 6")
}

// TestSearchCharsets: US-ASCII and UTF-8, other charsets converted,
// unknown ones NO [BADCHARSET], and the UTF8=ACCEPT conflict (RFC 6855).
func TestSearchCharsets(t *testing.T) {
	_, c := searchFixture(t)
	koi, err := charmap.KOI8R.NewEncoder().String("отпуск")
	if err != nil {
		t.Fatal(err)
	}
	searchExpect(t, c, "SEARCH CHARSET US-ASCII SUBJECT lunch", "* SEARCH 1 2")
	searchExpect(t, c, "SEARCH CHARSET utf-8 SUBJECT {5+}\r\ncafé", "* SEARCH 6")
	searchExpect(t, c, "SEARCH CHARSET ISO-8859-1 SUBJECT {4+}\r\ncaf\xe9", "* SEARCH 6")
	searchExpect(t, c, "SEARCH CHARSET ISO-8859-1 BODY {5+}\r\ncr\xe8me", "* SEARCH 6")
	searchExpect(t, c, fmt.Sprintf("SEARCH CHARSET KOI8-R TEXT {%d+}\r\n%s", len(koi), koi), "* SEARCH 4")
	searchExpect(t, c, fmt.Sprintf("SEARCH CHARSET KOI8-R OR SUBJECT {%d+}\r\n%s FROM smith", len(koi), koi), "* SEARCH 1 4 5")
	r := searchStatus(t, c, "SEARCH CHARSET X-NO-SUCH-CHARSET TEXT foo", wire.StatusNO, "BADCHARSET")
	if r.Code != nil && strings.Join(r.Code.Strings, " ") != "UTF-8 US-ASCII" {
		t.Errorf("BADCHARSET lists %q", r.Code.Strings)
	}
	searchStatus(t, c, "SEARCH CHARSET unknown-8bit TEXT foo", wire.StatusNO, "BADCHARSET")
	// SORT and THREAD take the same charsets.
	searchExpect(t, c, "SORT (ARRIVAL) ISO-8859-1 SUBJECT {4+}\r\ncaf\xe9", "* SORT 6")
	searchStatus(t, c, "SORT (ARRIVAL) X-NO-SUCH-CHARSET ALL", wire.StatusNO, "BADCHARSET")
	searchStatus(t, c, "THREAD REFERENCES X-NO-SUCH-CHARSET ALL", wire.StatusNO, "BADCHARSET")

	c.ok("ENABLE UTF8=ACCEPT")
	searchStatus(t, c, "SEARCH CHARSET ISO-8859-1 SUBJECT lunch", wire.StatusBAD, "")
	searchExpect(t, c, "SEARCH CHARSET UTF-8 SUBJECT lunch", "* SEARCH 1 2")
	searchExpect(t, c, `SEARCH SUBJECT "café"`, "* SEARCH 6")
}

// TestSearchErrors: unknown keys and return options are BAD, and so is
// SEARCH outside the selected state.
func TestSearchErrors(t *testing.T) {
	ts, c := searchFixture(t)
	searchStatus(t, c, "SEARCH FOOBAR", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH X-GM-RAW \"has:attachment\"", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH OR SEEN", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH RETURN (FOO) ALL", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH RETURN (PARTIAL 1:10) ALL", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH BEFORE 31-Foo-2000", wire.StatusBAD, "")
	searchStatus(t, c, "SORT (FOO) UTF-8 ALL", wire.StatusBAD, "")
	searchStatus(t, c, "SORT () UTF-8 ALL", wire.StatusBAD, "")
	searchStatus(t, c, "SORT (DATE) UTF-8 FOOBAR", wire.StatusBAD, "")
	searchStatus(t, c, "THREAD FOO UTF-8 ALL", wire.StatusBAD, "")
	searchStatus(t, c, "THREAD REFERENCES UTF-8 FOOBAR", wire.StatusBAD, "")
	c.ok("UNSELECT")
	searchStatus(t, c, "SEARCH ALL", wire.StatusBAD, "")
	searchStatus(t, c, "UID SEARCH ALL", wire.StatusBAD, "")
	searchStatus(t, c, "SORT (DATE) UTF-8 ALL", wire.StatusBAD, "")
	searchStatus(t, c, "THREAD REFERENCES UTF-8 ALL", wire.StatusBAD, "")

	// An empty mailbox: nothing matches, "*" included.
	st := searchStore(t, ts)
	if err := st.CreateMailbox(context.Background(), "Empty", nil); err != nil {
		t.Fatal(err)
	}
	c.ok("SELECT Empty")
	searchExpect(t, c, "SEARCH ALL", "* SEARCH")
	searchExpect(t, c, "SEARCH *", "* SEARCH")
	searchExpect(t, c, "UID SEARCH 1:*", "* SEARCH")
	searchExpect(t, c, "SEARCH RETURN (MIN MAX COUNT ALL) ALL", "* ESEARCH (TAG) COUNT 0")
	searchExpect(t, c, "SORT (DATE) UTF-8 ALL", "* SORT")
	searchExpect(t, c, "THREAD REFERENCES UTF-8 ALL", "* THREAD")
}

// TestSearchESEARCH runs the examples of RFC 4731 §3.1 and RFC 9051
// §6.4.4 on the fixture, and the empty forms.
func TestSearchESEARCH(t *testing.T) {
	_, c := searchFixture(t)
	const smith = `FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`
	searchExpect(t, c, "SEARCH RETURN (MIN COUNT) "+smith, "* ESEARCH (TAG) MIN 2 COUNT 2")
	searchExpect(t, c, "SEARCH RETURN () "+smith, "* ESEARCH (TAG) ALL 2,6")
	searchExpect(t, c, "SEARCH RETURN (MIN) UNSEEN", "* ESEARCH (TAG) MIN 2")
	searchExpect(t, c, "UID SEARCH RETURN (MIN MAX) 1:5000", "* ESEARCH (TAG) UID MIN 3 MAX 9")
	searchExpect(t, c, "SEARCH RETURN (COUNT) DELETED", "* ESEARCH (TAG) COUNT 1")
	searchExpect(t, c, "SEARCH RETURN (ALL) 1:5", "* ESEARCH (TAG) ALL 1:5")
	searchExpect(t, c, "SEARCH RETURN (all min max count) UNSEEN", "* ESEARCH (TAG) MIN 2 MAX 7 COUNT 5 ALL 2:5,7")
	searchExpect(t, c, "UID SEARCH RETURN (ALL) UNSEEN", "* ESEARCH (TAG) UID ALL 4:7,9")
	// No match: ESEARCH is still sent, with COUNT only if asked.
	searchExpect(t, c, `SEARCH RETURN (MIN MAX ALL) TEXT "string not in mailbox"`, "* ESEARCH (TAG)")
	searchExpect(t, c, `UID SEARCH RETURN (COUNT) TEXT "string not in mailbox"`, "* ESEARCH (TAG) UID COUNT 0")
	// The correlator is the command's tag.
	u, r := searchRaw(c, "SEARCH RETURN (COUNT) ALL")
	if len(u) != 1 || u[0].ESearch == nil || u[0].ESearch.Tag != r.Tag {
		t.Errorf("correlator: %+v", u)
	}
}

// TestSearchIMAP4rev2: after ENABLE IMAP4rev2 every SEARCH is answered
// with ESEARCH (RFC 9051 §6.4.4, §7.3.4).
func TestSearchIMAP4rev2(t *testing.T) {
	_, c := searchFixture(t)
	u := c.ok("ENABLE IMAP4rev2")
	if len(u) != 1 || !u[0].Caps.Has(imap.CapIMAP4rev2) {
		t.Skipf("ENABLE IMAP4rev2 did not enable it: %+v", u[0].Caps)
	}
	searchExpect(t, c, "SEARCH FLAGGED", "* ESEARCH (TAG) ALL 2,5:6")
	searchExpect(t, c, "UID SEARCH FLAGGED", "* ESEARCH (TAG) UID ALL 4,7:8")
	searchExpect(t, c, `SEARCH TEXT "string not in mailbox"`, "* ESEARCH (TAG)")
	searchExpect(t, c, "SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск", "* ESEARCH (TAG) ALL 4")
	searchExpect(t, c, `SEARCH TEXT "отпуск"`, "* ESEARCH (TAG) ALL 4")
	searchExpect(t, c, "SEARCH RETURN (MIN) UNSEEN", "* ESEARCH (TAG) MIN 2")
	searchExpect(t, c, "SEARCH RETURN (COUNT) DELETED", "* ESEARCH (TAG) COUNT 1")
	searchExpect(t, c, "SEARCH RETURN (SAVE) SEEN", "")
	searchExpect(t, c, "SEARCH $", "* ESEARCH (TAG) ALL 1,6")
	// Other charsets are still converted for IMAP4rev2 clients.
	searchExpect(t, c, "SEARCH CHARSET ISO-8859-1 SUBJECT {4}\r\ncaf\xe9", "* ESEARCH (TAG) ALL 6")
	// SORT and THREAD keep their own responses.
	searchExpect(t, c, "SORT (ARRIVAL) UTF-8 FLAGGED", "* SORT 5 2 6")
	searchExpect(t, c, "THREAD ORDEREDSUBJECT UTF-8 SUBJECT lunch", "* THREAD (1 2)")
}

// TestSearchRes runs the SEARCHRES examples of RFC 5182 §2.2 and §2.4.
func TestSearchRes(t *testing.T) {
	ts, c := searchFixture(t)
	const smith = `FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`
	// "$" starts empty.
	searchExpect(t, c, "SEARCH $", "* SEARCH")
	// Example 1 and 3.
	searchExpect(t, c, "SEARCH RETURN (SAVE) "+smith, "")
	searchExpect(t, c, "SEARCH $", "* SEARCH 2 6")
	searchExpect(t, c, "UID SEARCH $", "* SEARCH 4 8")
	searchExpect(t, c, "UID SEARCH UID $ SMALLER 4096", "* SEARCH 4 8")
	searchExpect(t, c, "UID SEARCH $ SMALLER 4096", "* SEARCH 4 8")
	searchExpect(t, c, "SEARCH NOT $", "* SEARCH 1 3 4 5 7")
	searchExpect(t, c, "SEARCH RETURN (ALL) $", "* ESEARCH (TAG) ALL 2,6")
	// Example 4: "$" in OR with other numbers.
	searchExpect(t, c, "SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {1+}\r\no", "* SEARCH 1 2 6")
	// A BAD command leaves "$" alone.
	searchStatus(t, c, "SEARCH RETURN (SAVE) FOOBAR", wire.StatusBAD, "")
	searchStatus(t, c, "SEARCH RETURN (SAVE FOO) ALL", wire.StatusBAD, "")
	searchExpect(t, c, "SEARCH $", "* SEARCH 2 6")
	// A SEARCH without SAVE, failed or not, leaves it alone.
	searchStatus(t, c, "SEARCH CHARSET X-NOPE TEXT foo", wire.StatusNO, "BADCHARSET")
	searchExpect(t, c, "SEARCH ALL", "* SEARCH 1 2 3 4 5 6 7")
	searchExpect(t, c, "SEARCH $", "* SEARCH 2 6")
	// Example 5: a failed SEARCH (SAVE) empties it.
	searchStatus(t, c, "SEARCH RETURN (SAVE) CHARSET X-NOPE (OR $ 1,3000:3021) TEXT {4+}\r\nXXXX", wire.StatusNO, "BADCHARSET")
	searchExpect(t, c, "SEARCH $", "* SEARCH")

	// Example 10: which messages SAVE keeps with MIN, MAX, ALL and COUNT.
	const since = "SINCE 1-Feb-1994" // 1 2 4 5 6
	searchExpect(t, c, "SEARCH RETURN (ALL) "+since, "* ESEARCH (TAG) ALL 1:2,4:6")
	searchExpect(t, c, "SEARCH $", "* SEARCH")
	searchExpect(t, c, "SEARCH RETURN (ALL SAVE) "+since, "* ESEARCH (TAG) ALL 1:2,4:6")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 2 4 5 6")
	searchExpect(t, c, "SEARCH RETURN (SAVE MIN) "+since, "* ESEARCH (TAG) MIN 1")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1")
	searchExpect(t, c, "SEARCH RETURN (MAX SAVE) "+since, "* ESEARCH (TAG) MAX 6")
	searchExpect(t, c, "SEARCH $", "* SEARCH 6")
	searchExpect(t, c, "SEARCH RETURN (MAX SAVE MIN) "+since, "* ESEARCH (TAG) MIN 1 MAX 6")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 6")
	searchExpect(t, c, "SEARCH RETURN (MAX SAVE MIN COUNT) "+since, "* ESEARCH (TAG) MIN 1 MAX 6 COUNT 5")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 2 4 5 6")
	searchExpect(t, c, "SEARCH RETURN (SAVE MIN) "+since, "* ESEARCH (TAG) MIN 1")
	searchExpect(t, c, "SEARCH RETURN (ALL SAVE MIN) "+since, "* ESEARCH (TAG) MIN 1 ALL 1:2,4:6")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 2 4 5 6")
	// SAVE with no match saves the empty set.
	searchExpect(t, c, "SEARCH RETURN (SAVE MIN) TEXT nowhere-to-be-found", "* ESEARCH (TAG)")
	searchExpect(t, c, "SEARCH $", "* SEARCH")

	// UID SEARCH (SAVE) and SEARCH $: "$" maps to whichever numbers.
	searchExpect(t, c, "UID SEARCH RETURN (SAVE) UID 4,8", "")
	searchExpect(t, c, "SEARCH $", "* SEARCH 2 6")
	// Example 9: the later SAVE wins.
	searchExpect(t, c, "SEARCH RETURN (SAVE) KEYWORD $Report", "")
	searchExpect(t, c, "SEARCH RETURN (SAVE) SEEN", "")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 6")

	// Example 2 / 7: pipelined SAVE and use.
	c.send("p1 SEARCH RETURN (SAVE) FLAGGED", "p2 SEARCH $", "p3 UID SEARCH RETURN (ALL) $")
	u, r := c.until("p1")
	if r.Status != wire.StatusOK || len(u) != 0 {
		t.Errorf("p1: %s %s", r.Status, kinds(u))
	}
	u, r = c.until("p2")
	if got := searchLines(t, "p2", u); r.Status != wire.StatusOK || got != "* SEARCH 2 5 6" {
		t.Errorf("p2: %s %q", r.Status, got)
	}
	u, r = c.until("p3")
	if got := searchLines(t, "p3", u); r.Status != wire.StatusOK || got != "* ESEARCH (TAG) UID ALL 4,7:8" {
		t.Errorf("p3: %s %q", r.Status, got)
	}

	// A message expunged by another session leaves "$" (RFC 5182 §2.1).
	st := searchStore(t, ts)
	v, err := st.OpenMailbox(context.Background(), "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Expunge(context.Background(), []uint32{4}); err != nil { // seq 2
		t.Fatal(err)
	}
	v.Close()
	// SEARCH must not announce the expunge (RFC 3501 §7.4.1), so "$"
	// still names sequence 2 here, in the numbering the client knows.
	u = searchExpect(t, c, "SEARCH $", "* SEARCH 2 5 6")
	for _, x := range u {
		if x.Kind == wire.KindExpunge {
			t.Errorf("EXPUNGE during SEARCH")
		}
	}
	u = c.ok("NOOP")
	if len(u) != 1 || u[0].Kind != wire.KindExpunge || u[0].Num != 2 {
		t.Fatalf("NOOP: %s", kinds(u))
	}
	searchExpect(t, c, "SEARCH $", "* SEARCH 4 5")
	searchExpect(t, c, "UID SEARCH $", "* SEARCH 7 8")

	// SELECT resets "$".
	c.ok("SELECT INBOX")
	searchExpect(t, c, "SEARCH $", "* SEARCH")
}

// TestSearchResCommands uses "$" in the commands of other groups, if they
// are there yet (RFC 5182 Examples 1, 6 and 7).
func TestSearchResCommands(t *testing.T) {
	_, c := searchFixture(t)
	need := func(command string) []*wire.Response {
		t.Helper()
		u, r := c.do(command)
		if r.Status == wire.StatusBAD && strings.Contains(r.Text, "not implemented") {
			t.Skipf("%s is not implemented yet", command)
		}
		if r.Status != wire.StatusOK {
			t.Fatalf("%s: %s %s", command, r.Status, r.Text)
		}
		return u
	}
	c.ok("SEARCH RETURN (SAVE) FLAGGED") // 2 5 6, UIDs 4 7 8
	var got []string
	for _, r := range need("UID FETCH $ (FLAGS)") {
		if r.Kind == wire.KindFetch {
			got = append(got, fmt.Sprint(r.Fetch.Seq))
		}
	}
	if strings.Join(got, " ") != "2 5 6" {
		t.Errorf("UID FETCH $: %v", got)
	}
	need("STORE $ +FLAGS.SILENT ($Junk)")
	searchExpect(t, c, "SEARCH KEYWORD $Junk", "* SEARCH 2 5 6")
	need("CREATE Junk")
	need("COPY $ Junk")
	c.ok("SEARCH RETURN (SAVE) KEYWORD $Nothing")
	need("COPY $ Junk") // RFC 5182 Example 6: an empty "$" is no error
	c.ok("SELECT Junk")
	searchExpect(t, c, "SEARCH KEYWORD $Junk", "* SEARCH 1 2 3")
}

// TestSearchModSeq: the MODSEQ key and the MODSEQ in SEARCH, ESEARCH and
// SORT answers (RFC 7162 §3.1.5, §3.1.9, §3.1.10; RFC 4731 §3.2).
func TestSearchModSeq(t *testing.T) {
	ts, c := searchFixture(t)
	st := searchStore(t, ts)
	ctx := context.Background()
	v, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Change seq 5 (UID 7), then seq 2 (UID 4), so 2 has the highest.
	for _, uid := range []uint32{7, 4} {
		if _, err := v.SetFlags(ctx, []uint32{uid}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{"$Changed"}}); err != nil {
			t.Fatal(err)
		}
	}
	ms := map[uint32]uint64{}
	var top uint64
	for i, m := range v.Messages() {
		ms[uint32(i+1)] = m.ModSeq
		top = max(top, m.ModSeq)
	}
	v.Close()
	if !(ms[2] > ms[5] && ms[5] > ms[7]) {
		t.Fatalf("modseqs %v", ms)
	}
	c.ok("NOOP") // take in the flag changes
	since := ms[5]

	// The first MODSEQ search enables CONDSTORE: HIGHESTMODSEQ.
	u := searchExpect(t, c, fmt.Sprintf("SEARCH MODSEQ %d", since), fmt.Sprintf("* SEARCH 2 5 (MODSEQ %d)", ms[2]))
	found := false
	for _, r := range u {
		if r.Kind == wire.KindStatus && r.Code != nil && r.Code.Name == imap.CodeHighestModSeq {
			found = r.Code.Num == top
		}
	}
	if !found {
		t.Errorf("no HIGHESTMODSEQ %d: %s", top, kinds(u))
	}
	u = searchExpect(t, c, fmt.Sprintf("UID SEARCH MODSEQ %d", since), fmt.Sprintf("* SEARCH 4 7 (MODSEQ %d)", ms[2]))
	if len(u) != 1 {
		t.Errorf("HIGHESTMODSEQ again: %s", kinds(u))
	}
	searchExpect(t, c, fmt.Sprintf(`SEARCH MODSEQ "/flags/\\draft" all %d`, since), fmt.Sprintf("* SEARCH 2 5 (MODSEQ %d)", ms[2]))
	// RFC 7162 Example 16: no match, no MODSEQ.
	searchExpect(t, c, fmt.Sprintf("SEARCH OR NOT MODSEQ %d LARGER 50000", ms[1]), "* SEARCH")
	searchExpect(t, c, "SEARCH MODSEQ 1 SEEN", fmt.Sprintf("* SEARCH 1 6 (MODSEQ %d)", max(ms[1], ms[6])))
	// RFC 4731 §3.2: which MODSEQ goes with MIN, MAX and the rest.
	searchExpect(t, c, fmt.Sprintf("SEARCH RETURN (MIN) MODSEQ %d", since), fmt.Sprintf("* ESEARCH (TAG) MIN 2 MODSEQ %d", ms[2]))
	searchExpect(t, c, fmt.Sprintf("SEARCH RETURN (MAX) MODSEQ %d", since), fmt.Sprintf("* ESEARCH (TAG) MAX 5 MODSEQ %d", ms[5]))
	searchExpect(t, c, "SEARCH RETURN (MIN) MODSEQ 1 NOT 2", fmt.Sprintf("* ESEARCH (TAG) MIN 1 MODSEQ %d", ms[1]))
	searchExpect(t, c, "SEARCH RETURN (MIN MAX) MODSEQ 1 1,3", fmt.Sprintf("* ESEARCH (TAG) MIN 1 MAX 3 MODSEQ %d", max(ms[1], ms[3])))
	searchExpect(t, c, "SEARCH RETURN (MIN COUNT) MODSEQ 1 1,2,3", fmt.Sprintf("* ESEARCH (TAG) MIN 1 COUNT 3 MODSEQ %d", ms[2]))
	searchExpect(t, c, fmt.Sprintf("SEARCH RETURN (ALL) MODSEQ %d", since), fmt.Sprintf("* ESEARCH (TAG) ALL 2,5 MODSEQ %d", ms[2]))
	searchExpect(t, c, fmt.Sprintf("UID SEARCH RETURN (COUNT) MODSEQ %d", ms[2]+1), "* ESEARCH (TAG) UID COUNT 0")
	// SORT gets the MODSEQ too; ESORT in ESEARCH; THREAD does not.
	searchExpect(t, c, fmt.Sprintf("SORT (REVERSE ARRIVAL) UTF-8 MODSEQ %d", since), fmt.Sprintf("* SORT 2 5 (MODSEQ %d)", ms[2]))
	searchExpect(t, c, fmt.Sprintf("SORT RETURN (ALL) (ARRIVAL) UTF-8 MODSEQ %d", since), fmt.Sprintf("* ESEARCH (TAG) ALL 5,2 MODSEQ %d", ms[2]))
	searchExpect(t, c, fmt.Sprintf("THREAD ORDEREDSUBJECT UTF-8 MODSEQ %d", since), "* THREAD (5)(2)")
}

// searchSortBox is the mailbox of the SORT and THREAD tests, after one
// expunged dummy: UIDs are the sequence numbers plus 1.
func searchSortBox() []searchMsg {
	body := func(n int) string { return strings.Repeat("x", n) + "\r\n" }
	return []searchMsg{
		{raw: searchMail(body(100), "From: Zed Adams <zed@example.com>", "To: c@example.com",
			"Subject: Re: banana", "Date: Sun, 2 Jan 2000 10:00:00 +0000"), date: searchDay(2000, 1, 10)},
		{raw: searchMail(body(500), "From: amy@example.com", "To: b@example.com",
			"Subject: banana", "Date: Sat, 1 Jan 2000 10:00:00 +0000"), date: searchDay(2000, 1, 9)},
		{raw: searchMail(body(300), `From: "Bob Brown" <mike@example.com>`, "To: a@example.com",
			"Cc: x@example.com", "Subject: Apple", "Date: Mon, 3 Jan 2000 10:00:00 +0000"), date: searchDay(2000, 1, 8)},
		{raw: searchMail(body(200), "From: carl@example.com",
			"Subject: Fwd: Banana", "Date: Tue, 4 Jan 2000 10:00:00 +0000"), date: searchDay(2000, 1, 7)},
		{raw: searchMail(body(400), `From: "Al" <yves@example.com>`, "To: d@example.com",
			"Subject: [list] Re: apple", "Date: Wed, 5 Jan 2000 10:00:00 +0000"), date: searchDay(2000, 1, 6)},
	}
}

func searchSortFixture(t *testing.T, name string, msgs []searchMsg) *tclient {
	t.Helper()
	ts := newTestServer(t)
	st := searchStore(t, ts)
	if err := st.CreateMailbox(context.Background(), name, nil); err != nil {
		t.Fatal(err)
	}
	searchAppend(t, st, name, searchDummies[:1])
	searchExpungeAll(t, st, name, 1)
	searchAppend(t, st, name, msgs)
	c := ts.dial(t)
	c.login()
	c.ok("SELECT " + name)
	return c
}

// TestSort runs the examples of RFC 5256 BASE.6.4.SORT and every sort
// key, with SORT=DISPLAY (RFC 5957) and ESORT (RFC 5267).
func TestSort(t *testing.T) {
	c := searchSortFixture(t, "Sort", searchSortBox())
	// RFC 5256's examples.
	searchExpect(t, c, "SORT (SUBJECT) UTF-8 SENTSINCE 3-Jan-2000", "* SORT 3 5 4")
	searchExpect(t, c, "SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 5 3 4 1 2")
	searchExpect(t, c, `SORT (SUBJECT) US-ASCII TEXT "not in mailbox"`, "* SORT")
	// Each key.
	for _, tt := range []struct{ crit, want string }{
		{"SUBJECT", "3 5 1 2 4"},
		{"ARRIVAL", "5 4 3 2 1"}, {"REVERSE ARRIVAL", "1 2 3 4 5"},
		{"DATE", "2 1 3 4 5"}, {"REVERSE DATE", "5 4 3 1 2"},
		{"SIZE", "1 4 3 5 2"}, {"REVERSE SIZE", "2 5 3 4 1"},
		{"FROM", "2 4 3 5 1"}, {"REVERSE FROM", "1 5 3 4 2"},
		{"DISPLAYFROM", "5 2 3 4 1"},
		{"TO", "4 3 2 1 5"}, {"DISPLAYTO", "4 3 2 1 5"},
		{"CC", "1 2 4 5 3"}, {"REVERSE CC", "3 1 2 4 5"},
		{"CC SUBJECT", "5 1 2 4 3"}, {"CC REVERSE SUBJECT", "1 2 4 5 3"},
		{"reverse date", "5 4 3 1 2"},
	} {
		searchExpect(t, c, "SORT ("+tt.crit+") UTF-8 ALL", "* SORT "+tt.want)
	}
	// UID SORT: UIDs, with the same criteria.
	searchExpect(t, c, "UID SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 6 4 5 2 3")
	searchExpect(t, c, "UID SORT (DATE) UTF-8 UID 2:4", "* SORT 3 2 4")
	searchExpect(t, c, "SORT (DATE) UTF-8 NOT 1", "* SORT 2 3 4 5")
	// ESORT (RFC 5267 §3.3): ALL in sort order, MIN and MAX the first
	// and last in it.
	searchExpect(t, c, "UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk", "* ESEARCH (TAG) UID ALL 6,5,4,2:3")
	searchExpect(t, c, "SORT RETURN (MIN MAX COUNT) (DATE) UTF-8 ALL", "* ESEARCH (TAG) MIN 2 MAX 5 COUNT 5")
	searchExpect(t, c, "SORT RETURN (ALL) (ARRIVAL) UTF-8 ALL", "* ESEARCH (TAG) ALL 5,4,3,2,1")
	searchExpect(t, c, "SORT RETURN (COUNT) (ARRIVAL) UTF-8 TEXT nowhere", "* ESEARCH (TAG) COUNT 0")
	// SAVE from a SORT.
	searchExpect(t, c, "SORT RETURN (SAVE) (DATE) UTF-8 SUBJECT banana", "")
	searchExpect(t, c, "SEARCH $", "* SEARCH 1 2 4")
	searchExpect(t, c, "SORT RETURN (SAVE MIN) (DATE) UTF-8 SUBJECT banana", "* ESEARCH (TAG) MIN 2")
	searchExpect(t, c, "SEARCH $", "* SEARCH 2")
	searchStatus(t, c, "SORT RETURN (PARTIAL 1:2) (DATE) UTF-8 ALL", wire.StatusBAD, "")
}

// TestThread: ORDEREDSUBJECT and REFERENCES (RFC 5256 BASE.6.4.THREAD).
func TestThread(t *testing.T) {
	c := searchSortFixture(t, "Sort", searchSortBox())
	searchExpect(t, c, "THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (2 (1)(4))(3 5)")
	searchExpect(t, c, "UID THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (3 (2)(5))(4 6)")
	searchExpect(t, c, `THREAD ORDEREDSUBJECT UTF-8 TEXT "gewp"`, "* THREAD")
	searchExpect(t, c, "thread orderedsubject us-ascii SENTSINCE 3-Jan-2000", "* THREAD (3 5)(4)")

	mk := func(date int, header ...string) searchMsg {
		header = append(header, fmt.Sprintf("Date: %d Jan 2000 10:00:00 +0000", date))
		return searchMsg{raw: searchMail("x\r\n", header...), date: searchDay(2000, 1, date)}
	}
	c = searchSortFixture(t, "Threads", []searchMsg{
		mk(1, "Message-ID: <a@x>", "Subject: topic"),
		mk(2, "Message-ID: <b@x>", "In-Reply-To: <a@x>", "Subject: Re: topic"),
		mk(3, "Message-ID: <c@x>", "References: <a@x> <b@x>", "Subject: Re: topic"),
		mk(4, "Message-ID: <d@x>", "References: <a@x>", "Subject: Re: topic"),
		mk(5, "Message-ID: <e@x>", "Subject: other"),
		mk(6, "Message-ID: <f@x>", "References: <missing@x>", "Subject: Re: lost"),
		mk(7, "Message-ID: <g@x>", "References: <missing@x>", "Subject: Re: lost"),
	})
	searchExpect(t, c, "THREAD REFERENCES UTF-8 ALL", "* THREAD (1 (2 3)(4))(5)((6)(7))")
	searchExpect(t, c, "UID THREAD REFERENCES UTF-8 ALL", "* THREAD (2 (3 4)(5))(6)((7)(8))")
	searchExpect(t, c, "THREAD ORDEREDSUBJECT UTF-8 ALL", "* THREAD (1 (2)(3)(4))(5)(6 7)")
	// A message not searched is a missing link.
	searchExpect(t, c, "THREAD REFERENCES UTF-8 NOT 2", "* THREAD (1 (3)(4))(5)((6)(7))")
	searchExpect(t, c, "THREAD REFERENCES UTF-8 SUBJECT lost", "* THREAD ((6)(7))")
}

// TestSearchNoExpunge: SEARCH, SORT and THREAD do not announce another
// session's expunge (RFC 3501 §7.4.1, RFC 5256), and their numbers are
// those of the view the client knows; the UID forms may announce it.
func TestSearchNoExpunge(t *testing.T) {
	ts, c := searchFixture(t)
	st := searchStore(t, ts)
	expungeUID := func(uid uint32) {
		v, err := st.OpenMailbox(context.Background(), "INBOX", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		if _, err := v.Expunge(context.Background(), []uint32{uid}); err != nil {
			t.Fatal(err)
		}
	}
	noExpunge := func(u []*wire.Response) {
		t.Helper()
		for _, r := range u {
			if r.Kind == wire.KindExpunge || r.Kind == wire.KindVanished {
				t.Errorf("expunge announced: %s", kinds(u))
			}
		}
	}
	expungeUID(3) // seq 1
	noExpunge(searchExpect(t, c, "SEARCH ALL", "* SEARCH 1 2 3 4 5 6 7"))
	noExpunge(searchExpect(t, c, "SORT (ARRIVAL) UTF-8 1:3", "* SORT 3 1 2"))
	noExpunge(searchExpect(t, c, "THREAD ORDEREDSUBJECT UTF-8 1:2", "* THREAD (1 2)"))
	u, _ := c.do("UID SEARCH UID 3:4")
	var sawExpunge bool
	for _, r := range u {
		sawExpunge = sawExpunge || r.Kind == wire.KindExpunge && r.Num == 1
	}
	if !sawExpunge {
		t.Errorf("UID SEARCH: no EXPUNGE: %s", kinds(u))
	}
	searchExpect(t, c, "SEARCH ALL", "* SEARCH 1 2 3 4 5 6")
	searchExpect(t, c, "UID SEARCH ALL", "* SEARCH 4 5 6 7 8 9")
}

// TestSearchLarge searches a 1000-message mailbox: every form of answer
// must agree with the expected sets.
func TestSearchLarge(t *testing.T) {
	const n = 1000
	ts := newTestServer(t)
	st := searchStore(t, ts)
	var msgs []searchMsg
	for i := 1; i <= n; i++ {
		body := fmt.Sprintf("Body of message %d.\r\n", i)
		if i%7 == 0 {
			body += "This one has the needle in it.\r\n"
		}
		m := searchMsg{
			raw: searchMail(body, fmt.Sprintf("From: user%d@example.com", i%10),
				fmt.Sprintf("Subject: message %d", i),
				fmt.Sprintf("Date: %s", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n-i)*time.Hour).Format(time.RFC1123Z))),
			date: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Hour),
		}
		if i%3 == 0 {
			m.flags = []imap.Flag{imap.FlagSeen}
		}
		msgs = append(msgs, m)
	}
	searchAppend(t, st, "INBOX", msgs)
	c := ts.dial(t)
	c.login()
	c.ok("SELECT INBOX")

	set := func(pred func(i int) bool) (nums string, all imap.NumSet, count int) {
		var list []string
		for i := 1; i <= n; i++ {
			if pred(i) {
				list = append(list, fmt.Sprint(i))
				all.AddNum(uint32(i))
				count++
			}
		}
		return strings.Join(list, " "), all, count
	}
	nums, all, count := set(func(i int) bool { return i%3 != 0 })
	searchExpect(t, c, "SEARCH UNSEEN", "* SEARCH "+nums)
	searchExpect(t, c, "UID SEARCH UNSEEN", "* SEARCH "+nums)
	searchExpect(t, c, "SEARCH RETURN (COUNT ALL MIN MAX) UNSEEN",
		fmt.Sprintf("* ESEARCH (TAG) MIN 1 MAX 1000 COUNT %d ALL %s", count, all))

	nums, all, count = set(func(i int) bool { return i%7 == 0 })
	searchExpect(t, c, "SEARCH BODY needle", "* SEARCH "+nums)
	searchExpect(t, c, "SEARCH RETURN (COUNT ALL) TEXT NEEDLE", fmt.Sprintf("* ESEARCH (TAG) COUNT %d ALL %s", count, all))
	nums, _, _ = set(func(i int) bool { return i%7 == 0 && i%3 == 0 && i%10 == 3 })
	searchExpect(t, c, "SEARCH BODY needle SEEN FROM user3@", "* SEARCH "+nums)
	searchExpect(t, c, `SEARCH SUBJECT "message 500"`, "* SEARCH 500")
	_, _, count = set(func(i int) bool { return i >= 100 && i <= 200 && i%3 != 0 })
	searchExpect(t, c, "SEARCH RETURN (COUNT) 100:200 UNSEEN", fmt.Sprintf("* ESEARCH (TAG) COUNT %d", count))
	searchExpect(t, c, "SEARCH RETURN (SAVE) BODY needle", "")
	searchExpect(t, c, "SEARCH RETURN (COUNT) $ SEEN", fmt.Sprintf("* ESEARCH (TAG) COUNT %d", n/21))

	// SORT the whole mailbox both ways: by sent date the order is
	// reversed, by arrival it is not.
	var rev []string
	for i := n; i >= 1; i-- {
		rev = append(rev, fmt.Sprint(i))
	}
	searchExpect(t, c, "SORT (DATE) UTF-8 ALL", "* SORT "+strings.Join(rev, " "))
	searchExpect(t, c, "SORT RETURN (MIN MAX) (REVERSE ARRIVAL) UTF-8 ALL", "* ESEARCH (TAG) MIN 1000 MAX 1")
	searchExpect(t, c, "THREAD ORDEREDSUBJECT UTF-8 SUBJECT \"message 999\"", "* THREAD (999)")
}
