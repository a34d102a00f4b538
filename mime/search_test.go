package mime

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// searchCRLF turns the LF line endings of a test message into CRLF.
func searchCRLF(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// searchMsg parses raw into a SearchMessage.
func searchMsg(t testing.TB, raw string) *SearchMessage {
	t.Helper()
	s, err := Parse(strings.NewReader(raw), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &SearchMessage{Seq: 1, UID: 1, Size: s.Size, Structure: s, Src: strings.NewReader(raw)}
}

// parseSearchCmd decodes the search program of a SEARCH command line (literals
// included) with the wire codec, as a server would.
func parseSearchCmd(t testing.TB, line string) imap.SearchKey {
	t.Helper()
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(line+"\r\n")), &wire.Options{UTF8: true})
	var c wire.Command
	if err := d.ReadCommand(&c); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	sc, ok := c.Args.(*imap.SearchCommand)
	if !ok {
		t.Fatalf("%q: args %T", line, c.Args)
	}
	return sc.Key
}

func mustSearchMatcher(t testing.TB, key imap.SearchKey, opts *MatchOptions) *Matcher {
	t.Helper()
	m, err := NewMatcher(key, opts)
	if err != nil {
		t.Fatalf("NewMatcher(%+v): %v", key, err)
	}
	return m
}

func mustSearchMatch(t testing.TB, m *Matcher, msg *SearchMessage) bool {
	t.Helper()
	ok, err := m.Match(context.Background(), msg)
	if err != nil {
		t.Fatalf("Match: %v", err)
	}
	return ok
}

// search returns the sequence numbers of the messages matching the
// program of a SEARCH command line.
func runSearch(t testing.TB, box []*SearchMessage, line string, opts *MatchOptions) []uint32 {
	t.Helper()
	m := mustSearchMatcher(t, parseSearchCmd(t, line), opts)
	var seqs []uint32
	for _, msg := range box {
		if mustSearchMatch(t, m, msg) {
			seqs = append(seqs, msg.Seq)
		}
	}
	return seqs
}

func searchTestDate(y int, mo time.Month, d int) time.Time {
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

// The first example of RFC 3501 §6.4.4 (and RFC 9051 §6.4.4):
// FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith" gives 2 84 882.
func TestSearchRFC3501Example(t *testing.T) {
	type spec struct {
		seq     uint32
		flagged bool
		date    time.Time
		from    string
	}
	specs := []spec{
		{1, true, searchTestDate(1994, 2, 2), "Smith <smith@example.com>"},        // from Smith
		{2, true, searchTestDate(1994, 2, 1), "Jones <jones@example.com>"},        // matches (same day)
		{3, false, searchTestDate(1994, 3, 1), "Jones <jones@example.com>"},       // not flagged
		{84, true, searchTestDate(1995, 1, 1), "=?utf-8?q?M=C3=BCller?= <m@x>"},   // matches
		{100, true, searchTestDate(1994, 1, 31), "Jones <jones@example.com>"},     // too early
		{500, true, searchTestDate(1994, 6, 1), "\"John SMITH\" <j@example.com>"}, // case-insensitive Smith
		{882, true, searchTestDate(2001, 1, 1), "Ann <ann@example.org>"},
	}
	var box []*SearchMessage
	for _, s := range specs {
		raw := searchCRLF("From: " + s.from + "\nSubject: test\n\nbody\n")
		msg := searchMsg(t, raw)
		msg.Seq, msg.UID = s.seq, s.seq+1000
		msg.InternalDate = s.date.Add(13 * time.Hour)
		if s.flagged {
			msg.Flags = []imap.Flag{imap.FlagFlagged}
		}
		box = append(box, msg)
	}
	got := runSearch(t, box, `A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`, nil)
	if want := []uint32{2, 84, 882}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	// A283: nothing contains the string.
	if got := runSearch(t, box, `A283 SEARCH TEXT "string not in mailbox"`, nil); len(got) != 0 {
		t.Errorf("A283: got %v", got)
	}
}

// RFC 3501 A284 / RFC 9051 A285: a UTF-8 literal needle, "отпуск".
func TestSearchRFC9051CharsetExample(t *testing.T) {
	plain := searchMsg(t, searchCRLF("Subject: holiday\n\nno\n"))
	plain.Seq = 1
	koi, _ := charmap.KOI8R.NewEncoder().String("Мой ОТПУСК начинается завтра")
	msg43 := searchMsg(t, searchCRLF("Subject: =?koi8-r?b?"+base64.StdEncoding.EncodeToString([]byte("x"))+"?=\n"+
		"Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n")+
		base64.StdEncoding.EncodeToString([]byte(koi))+"\r\n")
	msg43.Seq = 43
	box := []*SearchMessage{plain, msg43}
	got := runSearch(t, box, "A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск", nil)
	if want := []uint32{43}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// searchBaseMsg is a multipart message used by the per-key tables.
var searchBaseMsg = searchCRLF(`Date: Tue, 1 Jul 2003 23:52:37 -0700 (PDT)
From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
To: Keith Moore <moore@cs.utk.edu>, =?utf-8?b?0JjQstCw0L0=?= <ivan@example.ru>
Cc: "Group" <group@example.org>
Bcc: secret@example.net
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
Message-ID: <1234@local.machine.example>
X-Empty:
X-Folded: first line
 second line
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

preamble mentions PREAMBLEWORD
--outer
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Caf=E9 cr=E8me, tr=E8s bien. This line is soft=
ly broken, and a long wo=
rd.
--outer
Content-Type: application/octet-stream; name="secret-attachment.bin"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

`) + base64.StdEncoding.EncodeToString([]byte("ATTACHMENTWORD inside a binary part")) + searchCRLF(`
--outer
Content-Type: message/rfc822

Subject: inner subject INNERSUBJECTWORD
From: inner@example.com
Content-Type: text/html; charset=utf-8

<p>Inner HTML body with INNERBODYWORD</p>
--outer--
epilogue mentions EPILOGUEWORD
`)

func TestSearchKeys(t *testing.T) {
	msg := searchMsg(t, searchBaseMsg)
	msg.Seq, msg.UID = 7, 700
	msg.Flags = []imap.Flag{imap.FlagSeen, `\flagged`, "$Forwarded", imap.FlagRecent}
	msg.InternalDate = time.Date(2003, 7, 2, 1, 30, 0, 0, time.FixedZone("", 2*3600)) // 1 Jul 23:30 UTC
	msg.SaveDate = time.Date(2014, 12, 28, 18, 50, 53, 0, time.FixedZone("", 3600))
	msg.ModSeq = 720162338
	msg.EmailID, msg.ThreadID = "M6d99ac3275bb4e", "T64b478a75b7ea9"
	msg.Size = 2000
	now := func() time.Time { return time.Date(2003, 7, 5, 1, 30, 0, 0, time.UTC) }
	opts := &MatchOptions{Now: now, MaxSeq: 10, MaxUID: 1000, SearchRes: imap.NumSetOf(3, 700)}

	tests := []struct {
		cmd  string
		want bool
	}{
		{"ALL", true},
		// Flags.
		{"ANSWERED", false}, {"UNANSWERED", true},
		{"DELETED", false}, {"UNDELETED", true},
		{"DRAFT", false}, {"UNDRAFT", true},
		{"FLAGGED", true}, {"UNFLAGGED", false},
		{"SEEN", true}, {"UNSEEN", false},
		{"RECENT", true}, {"OLD", false}, {"NEW", false},
		{"KEYWORD $Forwarded", true}, {"KEYWORD $forwarded", true}, {"KEYWORD $Junk", false},
		{"UNKEYWORD $Junk", true}, {"UNKEYWORD $FORWARDED", false},
		// Sizes: RFC822.SIZE 2000.
		{"LARGER 1999", true}, {"LARGER 2000", false},
		{"SMALLER 2001", true}, {"SMALLER 2000", false},
		// Internal date 2-Jul-2003 in its own zone (+0200).
		{"ON 2-Jul-2003", true}, {"ON 1-Jul-2003", false},
		{"BEFORE 2-Jul-2003", false}, {"BEFORE 3-Jul-2003", true},
		{"SINCE 2-Jul-2003", true}, {"SINCE 3-Jul-2003", false},
		// Sent date: 1 Jul 2003 as written (it is 2 Jul in UTC).
		{"SENTON 1-Jul-2003", true}, {"SENTON 2-Jul-2003", false},
		{"SENTBEFORE 1-Jul-2003", false}, {"SENTBEFORE 2-Jul-2003", true},
		{"SENTSINCE 1-Jul-2003", true}, {"SENTSINCE 2-Jul-2003", false},
		// RFC 8514 save date 28-Dec-2014.
		{"SAVEDON 28-Dec-2014", true}, {"SAVEDSINCE 28-Dec-2014", true},
		{"SAVEDBEFORE 28-Dec-2014", false}, {"SAVEDBEFORE 29-Dec-2014", true},
		{"SAVEDATESUPPORTED", true},
		// RFC 5032: now is 5 Jul 01:30 UTC, internal date 1 Jul 23:30 UTC:
		// 266400 seconds ago.
		{"YOUNGER 266400", true}, {"YOUNGER 266399", false},
		{"OLDER 266400", true}, {"OLDER 266401", false},
		// RFC 7162.
		{"MODSEQ 720162338", true}, {"MODSEQ 720162339", false},
		{`MODSEQ "/flags/\\draft" all 620162338`, true},
		// RFC 8474.
		{"EMAILID M6d99ac3275bb4e", true}, {"EMAILID m6d99ac3275bb4e", false},
		{"THREADID T64b478a75b7ea9", true}, {"THREADID T64b478a75b7ea", false},
		// Sets: seq 7, UID 700, "$" = UIDs 3 and 700.
		{"7", true}, {"1:6", false}, {"5:*", true}, {"*", false}, {"10:*", false},
		{"UID 700", true}, {"UID 1:699,701:*", false}, {"UID 600:*", true},
		{"$", true}, {"UID $", true},
		// Header keys, decoded and case-insensitive.
		{`FROM "andré"`, true}, {`FROM "ANDRE\u0301"`, true}, {`FROM pirard@VM1`, true}, {`FROM moore`, false},
		{`TO "иван"`, true}, {`TO "ИВАН"`, true}, {`TO keith`, true}, {`TO ivan@example.ru`, true},
		{`CC group@`, true}, {`CC keith`, false},
		{`BCC SECRET`, true},
		{`SUBJECT "grüße aus köln"`, true}, {`SUBJECT "GRÜSSE"`, false}, {`SUBJECT "köln"`, true},
		{`SUBJECT "=?utf-8"`, false},
		{`SUBJECT inner`, false}, // the attached message's subject is not the message's
		{`HEADER Message-ID <1234@local.machine.example>`, true},
		{`HEADER message-id "1234@LOCAL"`, true},
		{`HEADER X-Empty ""`, true}, {`HEADER X-Missing ""`, false},
		{`HEADER X-Folded "first line second"`, true},
		{`HEADER Content-Type "multipart/mixed"`, true},
		{`HEADER "" ""`, false},
		// BODY: the text parts, decoded; not attachments, preamble,
		// epilogue or headers.
		{`BODY "café crème"`, true}, {`BODY "CAFÉ CRÈME"`, true}, {`BODY "tres bien"`, false},
		{`BODY "softly broken"`, true}, {`BODY "long word"`, true},
		{`BODY "Caf=E9"`, false},
		{`BODY INNERBODYWORD`, true},
		{`BODY ATTACHMENTWORD`, false},
		{`BODY PREAMBLEWORD`, false}, {`BODY EPILOGUEWORD`, false},
		{`BODY INNERSUBJECTWORD`, false}, {`BODY Keith`, false},
		{`BODY ""`, true},
		// TEXT: every header and the text bodies.
		{`TEXT "café"`, true}, {`TEXT Keith`, true}, {`TEXT "subject: grüße"`, true},
		{`TEXT INNERSUBJECTWORD`, true}, {`TEXT INNERBODYWORD`, true},
		{`TEXT report.pdf`, true}, // a part's MIME header
		{`TEXT ATTACHMENTWORD`, false}, {`TEXT PREAMBLEWORD`, false},
		{`TEXT "string not in mailbox"`, false},
		// Trees.
		{"NOT SEEN", false}, {"NOT NOT SEEN", true},
		{"OR SEEN DRAFT", true}, {"OR DRAFT SEEN", true}, {"OR DRAFT DELETED", false},
		{"(SEEN FLAGGED)", true}, {"(SEEN DRAFT)", false},
		{`OR (DRAFT BODY nothing) (FROM andre TEXT crème)`, true},
		{`NOT OR BODY zzz SUBJECT zzz`, true},
		{`OR NOT MODSEQ 720162338 LARGER 50000`, false}, // RFC 7162 Example 16
		{`SEEN NOT (BODY café)`, false},
	}
	for _, tt := range tests {
		line := "A SEARCH " + tt.cmd
		if strings.Contains(tt.cmd, `\u0301`) {
			line = "A SEARCH " + strings.ReplaceAll(tt.cmd, `\u0301`, "\u0301")
		}
		m := mustSearchMatcher(t, parseSearchCmd(t, line), opts)
		if got := mustSearchMatch(t, m, msg); got != tt.want {
			t.Errorf("SEARCH %s = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}

// MatchOptions.Location takes the date of the INTERNALDATE in another
// zone.
func TestSearchLocation(t *testing.T) {
	msg := &SearchMessage{InternalDate: time.Date(2003, 7, 1, 23, 30, 0, 0, time.FixedZone("", -7*3600))}
	on := func(loc *time.Location, d time.Time) bool {
		return mustSearchMatch(t, mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchOn, Date: d}, &MatchOptions{Location: loc}), msg)
	}
	if !on(nil, searchTestDate(2003, 7, 1)) || on(nil, searchTestDate(2003, 7, 2)) {
		t.Error("own zone: want 1-Jul-2003")
	}
	if !on(time.UTC, searchTestDate(2003, 7, 2)) || on(time.UTC, searchTestDate(2003, 7, 1)) {
		t.Error("UTC: want 2-Jul-2003")
	}
	// SAVED* fall back to the internal date without a save date
	// (RFC 8514 §4.3), and SAVEDATESUPPORTED is false.
	for _, tt := range []struct {
		key  imap.SearchKey
		want bool
	}{
		{imap.SearchKey{Op: imap.SearchSavedOn, Date: searchTestDate(2003, 7, 1)}, true},
		{imap.SearchKey{Op: imap.SearchSaveDateSupported}, false},
		{imap.SearchKey{Op: imap.SearchSavedBefore, Date: searchTestDate(2003, 7, 1)}, false},
	} {
		key, want := tt.key, tt.want
		if got := mustSearchMatch(t, mustSearchMatcher(t, key, nil), msg); got != want {
			t.Errorf("%s: %v, want %v", key.Op, got, want)
		}
	}
}

// RFC 5182 Example 3: "UID SEARCH UID $ SMALLER 4096" and
// "UID SEARCH $ SMALLER 4096" give the same result.
func TestSearchResult(t *testing.T) {
	var box []*SearchMessage
	for i := uint32(1); i <= 6; i++ {
		box = append(box, &SearchMessage{Seq: i, UID: i * 100, Size: int64(i) * 1000})
	}
	opts := &MatchOptions{MaxSeq: 6, MaxUID: 600, SearchRes: imap.NumSetOf(200, 400, 500)}
	a := runSearch(t, box, "A301 UID SEARCH UID $ SMALLER 4096", opts)
	b := runSearch(t, box, "A301 UID SEARCH $ SMALLER 4096", opts)
	if want := []uint32{2, 4}; !slices.Equal(a, want) || !slices.Equal(b, want) {
		t.Errorf("UID $: %v, $: %v, want %v", a, b, want)
	}
	// RFC 5182 Example 4 shape: OR $ with a set.
	if got := runSearch(t, box, "P283 SEARCH (OR $ 1,3:4)", opts); !slices.Equal(got, []uint32{1, 2, 3, 4, 5}) {
		t.Errorf("OR $ 1,3:4: %v", got)
	}
	// An empty saved result matches nothing (RFC 5182 §2.1).
	if got := runSearch(t, box, "A SEARCH $", &MatchOptions{MaxSeq: 6, MaxUID: 600}); len(got) != 0 {
		t.Errorf("empty $: %v", got)
	}
	// "*" is the last message.
	if got := runSearch(t, box, "A SEARCH *", opts); !slices.Equal(got, []uint32{6}) {
		t.Errorf("*: %v", got)
	}
	if got := runSearch(t, box, "A SEARCH UID 450:*", opts); !slices.Equal(got, []uint32{5, 6}) {
		t.Errorf("UID 450:*: %v", got)
	}
}

// RFC 5032 §4: UNSEEN YOUNGER 259200 (three days).
func TestSearchWithin(t *testing.T) {
	now := time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	var box []*SearchMessage
	for i, age := range []time.Duration{time.Hour, 72 * time.Hour, 72*time.Hour + time.Second, 10 * 24 * time.Hour} {
		box = append(box, &SearchMessage{Seq: uint32(i + 1), InternalDate: now.Add(-age).In(time.FixedZone("", 5*3600))})
	}
	box[1].Flags = []imap.Flag{imap.FlagSeen}
	opts := &MatchOptions{Now: func() time.Time { return now }}
	if got := runSearch(t, box, "a1 SEARCH UNSEEN YOUNGER 259200", opts); !slices.Equal(got, []uint32{1}) {
		t.Errorf("UNSEEN YOUNGER: %v", got)
	}
	if got := runSearch(t, box, "a1 SEARCH YOUNGER 259200", opts); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("YOUNGER: %v", got)
	}
	if got := runSearch(t, box, "a1 SEARCH OLDER 259200", opts); !slices.Equal(got, []uint32{2, 3, 4}) {
		t.Errorf("OLDER: %v", got)
	}
}

// RFC 8474 §5.4 examples.
func TestSearchObjectID(t *testing.T) {
	box := []*SearchMessage{
		{Seq: 1, EmailID: "M6d99ac3275bb4e", ThreadID: "T64b478a75b7ea9"},
		{Seq: 2, EmailID: "M5fdc09b49ea703", ThreadID: "T64b478a75b7ea9"},
		{Seq: 3, EmailID: "M0000000000000"}, // no THREADID: NIL
	}
	if got := runSearch(t, box, "27 search emailid M6d99ac3275bb4e", nil); !slices.Equal(got, []uint32{1}) {
		t.Errorf("emailid: %v", got)
	}
	if got := runSearch(t, box, "28 search threadid T64b478a75b7ea9", nil); !slices.Equal(got, []uint32{1, 2}) {
		t.Errorf("threadid: %v", got)
	}
	if got := mustSearchMatch(t, mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchThreadID, Str: ""}, nil), box[2]); got {
		t.Error(`THREADID "" matched a message without one`)
	}
}

// Bodies in several charsets and encodings, and encoded-word subjects.
func TestSearchCharsets(t *testing.T) {
	latin1, _ := charmap.ISO8859_1.NewEncoder().String("Grüße aus Köln, Ærø")
	koi8, _ := charmap.KOI8R.NewEncoder().String("Съешь же ещё этих мягких французских булок")
	tests := []struct {
		name, raw string
		key       string // a search program, or raw: a needle for BODY as octets
		want      bool
	}{
		{"latin1 8bit", searchCRLF("Content-Type: text/plain; charset=ISO-8859-1\nContent-Transfer-Encoding: 8bit\n\n") + latin1 + "\r\n", `BODY "KÖLN, ÆRØ"`, true},
		{"latin1 is not utf8", searchCRLF("Content-Type: text/plain; charset=ISO-8859-1\n\n") + latin1 + "\r\n", `BODY "grü"`, true},
		{"koi8-r base64", searchCRLF("Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n") + base64.StdEncoding.EncodeToString([]byte(koi8)) + "\r\n", `BODY "МЯГКИХ ФРАНЦУЗСКИХ"`, true},
		{"koi8-r raw bytes are not utf8", searchCRLF("Content-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: base64\n\n") + base64.StdEncoding.EncodeToString([]byte(koi8)) + "\r\n", "raw:" + koi8[:6], false},
		{"utf8 combining vs precomposed", searchCRLF("Content-Type: text/plain; charset=utf-8\n\nCafe\u0301 cre\u0300me\n"), `BODY "CAFÉ CRÈME"`, true},
		{"utf8 precomposed vs combining", searchCRLF("Content-Type: text/plain; charset=utf-8\n\nCafé crème\n"), "BODY \"cafe\u0301 cre\u0300me\"", true},
		{"ß vs SS", searchCRLF("Content-Type: text/plain; charset=utf-8\n\nDie Straße\n"), `BODY "STRASSE"`, false},
		{"ß vs ß", searchCRLF("Content-Type: text/plain; charset=utf-8\n\nDIE STRAßE\n"), `BODY "die straße"`, true},
		{"unknown charset: raw octets", searchCRLF("Content-Type: text/plain; charset=x-no-such-charset\nContent-Transfer-Encoding: quoted-printable\n\nraw =E9=E8 octets and ASCII Words\n"), `BODY "ascii words"`, true},
		{"unknown charset: 8-bit octets", searchCRLF("Content-Type: text/plain; charset=x-no-such-charset\n\n") + "\xe9t\xe9\r\n", "raw:\xe9T\xe9", true},
		{"unknown encoding: raw body", searchCRLF("Content-Type: text/plain\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 PLAINWORD\n"), `BODY plainword`, true},
		{"subject latin1 Q", searchCRLF("Subject: =?iso-8859-1?q?caf=E9_cr=E8me?=\n\nx\n"), `SUBJECT "CAFÉ CRÈME"`, true},
		{"subject koi8-r B", searchCRLF("Subject: =?koi8-r?b?" + base64.StdEncoding.EncodeToString([]byte(koi8[:12])) + "?=\n\nx\n"), `SUBJECT "съешь"`, true},
		{"subject adjacent words", searchCRLF("Subject: =?utf-8?q?Hel?= =?utf-8?q?lo?= world\n\nx\n"), `SUBJECT "hello world"`, true},
		{"subject unknown charset word", searchCRLF("Subject: =?x-unknown?q?abc?= tail\n\nx\n"), `SUBJECT "tail"`, true},
		{"subject raw utf8", searchCRLF("Subject: Ünïcode\n\nx\n"), `SUBJECT "ÜNÏCODE"`, true},
		{"subject raw latin1 octets", "Subject: Caf\xe9\r\n\r\nx\r\n", `SUBJECT "café"`, true},
		{"qp soft line break", searchCRLF("Content-Transfer-Encoding: quoted-printable\n\nneed=\nle in a hay=\nstack\n"), `BODY "needle in a haystack"`, true},
		{"qp encoded utf8 split by soft break", searchCRLF("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\nK=C3=\n=B6ln\n"), `BODY "KÖLN"`, true},
		{"base64 utf8", searchCRLF("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n") + base64.StdEncoding.EncodeToString([]byte("Ωμέγα and ALPHA")) + "\r\n", `BODY "ωμέγα AND alpha"`, true},
		{"text/html is text", searchCRLF("Content-Type: text/html\n\n<b>Bold</b> move\n"), `BODY "bold</b> MOVE"`, true},
		{"message/delivery-status is searched", searchCRLF("Content-Type: message/delivery-status\n\nStatus: 5.1.1\n"), `BODY "status: 5.1.1"`, true},
		{"application is not searched", searchCRLF("Content-Type: application/json\n\n{\"needle\":1}\n"), `BODY needle`, false},
		{"image is not searched by TEXT either", searchCRLF("Content-Type: image/png\n\nNEEDLE\n"), `TEXT needle`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := searchMsg(t, tt.raw)
			var key imap.SearchKey
			if needle, ok := strings.CutPrefix(tt.key, "raw:"); ok {
				key = imap.SearchKey{Op: imap.SearchBody, Str: needle}
			} else {
				key = parseSearchCmd(t, "A SEARCH "+tt.key)
			}
			m := mustSearchMatcher(t, key, nil)
			if got := mustSearchMatch(t, m, msg); got != tt.want {
				t.Errorf("%q = %v, want %v", tt.key, got, tt.want)
			}
			// The reference search of the whole text agrees.
			k := m.root
			for k.kind == skAnd && len(k.kids) == 1 {
				k = k.kids[0]
			}
			if k.kind == skBody || k.kind == skText {
				if ref := searchRefContent(t, msg, k.needle, k.kind == skText); ref != tt.want {
					t.Errorf("reference: %v", ref)
				}
			}
		})
	}
}

// searchRefContent is the non-streaming reference of searchContent: every
// segment read whole, prepared whole, searched whole.
func searchRefContent(t testing.TB, msg *SearchMessage, needle []byte, headers bool) bool {
	t.Helper()
	var segs [][]byte
	hdrText := func(p *Part) []byte {
		h, err := readHeaderPrefix(msg.Src, p)
		if err != nil {
			t.Fatal(err)
		}
		var b []byte
		for _, f := range h.Fields {
			if f.Name == "" {
				b = append(b, f.Raw...)
				continue
			}
			v, _ := DecodeHeader(f.Value())
			b = append(b, f.Name+": "+v+"\r\n"...)
		}
		return b
	}
	var walk func(p *Part)
	walk = func(p *Part) {
		if headers {
			segs = append(segs, hdrText(p))
		}
		if len(p.Parts) > 0 {
			for i := range p.Parts {
				walk(&p.Parts[i])
			}
			return
		}
		if !strings.EqualFold(p.Type, "text") && !strings.EqualFold(p.Type, "message") {
			return
		}
		r, _ := p.Text(msg.Src)
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		segs = append(segs, b)
	}
	walk(&msg.Structure.Root)
	for _, s := range segs {
		if bytes.Contains(appendCasemap(nil, s), needle) {
			return true
		}
	}
	return false
}

// Needles across the edges of reads and of the finder's pieces, in QP and
// base64 bodies: every position of the needle, tiny buffers.
func TestSearchChunkEdges(t *testing.T) {
	text := "Łódź. Ça va? Grüße — ΣΊΣΥΦΟΣ and Ǆemal. 東京都. "
	var body strings.Builder
	for range 20 {
		body.WriteString(text)
	}
	full := body.String()
	qp := searchQPEncode(full)
	b64 := base64.StdEncoding.EncodeToString([]byte(full))
	var b64lines strings.Builder
	for len(b64) > 0 {
		n := min(76, len(b64))
		b64lines.WriteString(b64[:n] + "\r\n")
		b64 = b64[n:]
	}
	msgs := map[string]*SearchMessage{
		"qp":     searchMsg(t, searchCRLF("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n")+qp),
		"base64": searchMsg(t, searchCRLF("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n")+b64lines.String()),
		"8bit":   searchMsg(t, searchCRLF("Content-Type: text/plain; charset=utf-8\n\n")+full),
	}
	needles := []string{"łÓDŹ. ça", "grüße — σίσυφος", "\u01C5emal", "東京都. ł", "va? gr", "Ǆ"}
	for name, msg := range msgs {
		for _, chunk := range []int{1, 2, 3, 5, 64} {
			for _, rs := range []int{1, 3, 7, 100} {
				for _, nd := range needles {
					m := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchBody, Str: nd}, nil)
					m.chunk, m.readSize = chunk, rs
					if !mustSearchMatch(t, m, msg) {
						t.Errorf("%s chunk %d read %d: %q not found", name, chunk, rs, nd)
					}
				}
				m := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchBody, Str: "GRÜSSE"}, nil)
				m.chunk, m.readSize = chunk, rs
				if mustSearchMatch(t, m, msg) {
					t.Errorf("%s: GRÜSSE matched ß", name)
				}
			}
		}
	}
}

// searchQPEncode encodes s as quoted-printable with short lines, so that soft
// line breaks fall inside words and inside UTF-8 sequences.
func searchQPEncode(s string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var tok string
		if c >= 0x80 || c == '=' {
			tok = fmt.Sprintf("=%02X", c)
		} else {
			tok = string(c)
		}
		if n+len(tok) > 13 {
			b.WriteString("=\r\n")
			n = 0
		}
		b.WriteString(tok)
		n += len(tok)
	}
	b.WriteString("\r\n")
	return b.String()
}

func TestSearchErrors(t *testing.T) {
	for _, key := range []imap.SearchKey{
		{Op: imap.SearchRaw, Field: "X-GM-RAW"},
		{Op: "X-UNKNOWN"},
		{Op: imap.SearchAnd, Children: []imap.SearchKey{{Op: imap.SearchSeen}, {Op: "FUZZY"}}},
	} {
		if _, err := NewMatcher(key, nil); !errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("%+v: %v, want ErrUnsupportedKey", key, err)
		}
	}
	for _, key := range []imap.SearchKey{
		{Op: imap.SearchNot},
		{Op: imap.SearchOr, Children: []imap.SearchKey{{Op: imap.SearchSeen}}},
		{Op: imap.SearchNot, Children: []imap.SearchKey{{Op: imap.SearchSeen}, {Op: imap.SearchSeen}}},
	} {
		if _, err := NewMatcher(key, nil); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("%+v: %v, want ErrInvalidKey", key, err)
		}
	}
	deep := imap.SearchKey{Op: imap.SearchSeen}
	for range MaxSearchDepth {
		deep = imap.SearchKey{Op: imap.SearchNot, Children: []imap.SearchKey{deep}}
	}
	if _, err := NewMatcher(deep, nil); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("deep: %v", err)
	}

	// Content keys without content.
	bare := &SearchMessage{Seq: 1, Flags: []imap.Flag{imap.FlagSeen}}
	for _, line := range []string{"A SEARCH FROM x", "A SEARCH BODY x", "A SEARCH TEXT x", "A SEARCH SENTON 1-Jan-2000", "A SEARCH NOT HEADER X y"} {
		m := mustSearchMatcher(t, parseSearchCmd(t, line), nil)
		if !m.NeedsContent() {
			t.Errorf("%s: NeedsContent false", line)
		}
		if _, err := m.Match(context.Background(), bare); !errors.Is(err, ErrNoContent) {
			t.Errorf("%s: %v, want ErrNoContent", line, err)
		}
	}
	// Cheap keys decide first: no error.
	for line, want := range map[string]bool{
		"A SEARCH OR SEEN FROM x":            true,
		"A SEARCH UNSEEN BODY x":             false,
		"A SEARCH (TEXT x) (DELETED)":        false,
		"A SEARCH OR (BODY x) (SUBJECT y) 2": false,
		`A SEARCH BODY ""`:                   true,
	} {
		m := mustSearchMatcher(t, parseSearchCmd(t, line), nil)
		got, err := m.Match(context.Background(), bare)
		if err != nil || got != want {
			t.Errorf("%s: %v, %v; want %v", line, got, err, want)
		}
	}
	if m := mustSearchMatcher(t, parseSearchCmd(t, "A SEARCH OR SEEN (LARGER 5 UID 1:*)"), nil); m.NeedsContent() {
		t.Error("NeedsContent for flags and sets")
	}

	// A canceled context.
	msg := searchMsg(t, searchBaseMsg)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchBody, Str: "x"}, nil)
	if _, err := m.Match(ctx, msg); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	// A source shorter than the structure says.
	short := *msg
	short.Src = strings.NewReader(searchBaseMsg[:20])
	if _, err := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchSubject, Str: "x"}, nil).Match(context.Background(), &short); err == nil {
		t.Error("short source: no error")
	}
	if _, err := m.Match(context.Background(), nil); err == nil {
		t.Error("nil message: no error")
	}
}

// A Matcher is used by many goroutines at once.
func TestSearchConcurrent(t *testing.T) {
	msg := searchMsg(t, searchBaseMsg)
	m := mustSearchMatcher(t, parseSearchCmd(t, `A SEARCH OR BODY nothing (TEXT INNERBODYWORD SUBJECT köln)`), nil)
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 20 {
				got, err := m.Match(context.Background(), msg)
				ok = ok && got && err == nil
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Error("concurrent Match failed")
		}
	}
}

// An empty string matches every message that has the field, and for BODY
// and TEXT every message (RFC 3501 §6.4.4 HEADER, RFC 4790 §4.2.3). Dovecot
// 2.3 answers the same.
func TestSearchEmptyString(t *testing.T) {
	msg := searchMsg(t, searchCRLF("X-Foo: bar\nSubject: s\n\nbody\n"))
	for cmd, want := range map[string]bool{
		`SUBJECT ""`:        true,
		`FROM ""`:           false,
		`HEADER X-Foo ""`:   true,
		`HEADER x-foo ""`:   true,
		`HEADER X-Bar ""`:   false,
		`BODY ""`:           true,
		`TEXT ""`:           true,
		`TEXT "x-foo: bar"`: true,
		`TEXT "x-foo:bar"`:  false,
	} {
		if got := mustSearchMatch(t, mustSearchMatcher(t, parseSearchCmd(t, "A SEARCH "+cmd), nil), msg); got != want {
			t.Errorf("%s: %v, want %v", cmd, got, want)
		}
	}
}

// The header of a message with a Date in the envelope is not read for
// SENTON when the envelope carries it.
func TestSearchSentFromEnvelope(t *testing.T) {
	s := &Structure{Root: Part{Type: "text", Subtype: "plain", Envelope: &imap.Envelope{Date: imap.Str("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)")}}}
	msg := &SearchMessage{Structure: s} // no Src
	m := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchSentOn, Date: searchTestDate(1996, 7, 17)}, nil)
	if !mustSearchMatch(t, m, msg) {
		t.Error("SENTON from the envelope: no match")
	}
	// Without an envelope the header is read; the last Date counts, as
	// in ENVELOPE.
	raw := searchCRLF("Date: 1 Jan 2001 10:00 +0000\nDate: 2 Feb 2002 10:00 +0000\n\nx\n")
	hand := searchMsg(t, raw)
	hand.Structure.Root.Envelope = nil
	for d, want := range map[time.Time]bool{searchTestDate(2002, 2, 2): true, searchTestDate(2001, 1, 1): false} {
		if got := mustSearchMatch(t, mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchSentOn, Date: d}, nil), hand); got != want {
			t.Errorf("no envelope, SENTON %v: %v, want %v", d, got, want)
		}
	}
	if _, err := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchSentOn}, nil).Match(context.Background(), &SearchMessage{Structure: hand.Structure}); !errors.Is(err, ErrNoContent) {
		t.Errorf("no envelope and no Src: %v", err)
	}
	// No Date at all: no sent date, no match, no error.
	for _, raw := range []string{searchCRLF("Subject: x\n\nbody\n"), searchCRLF("Date: garbage\n\nbody\n")} {
		msg := searchMsg(t, raw)
		for _, op := range []imap.SearchOp{imap.SearchSentOn, imap.SearchSentBefore, imap.SearchSentSince} {
			if mustSearchMatch(t, mustSearchMatcher(t, imap.SearchKey{Op: op, Date: searchTestDate(2000, 1, 1)}, nil), msg) {
				t.Errorf("%q %s: matched", raw, op)
			}
		}
	}
}

// searchBigSrc generates a message with a large base64 body without
// holding it, and counts the octets read.
type searchBigSrc struct {
	header, line, last []byte
	lines              int64
	read               int64
}

func (c *searchBigSrc) size() int64 {
	return int64(len(c.header)) + c.lines*int64(len(c.line)) + int64(len(c.last))
}

func (c *searchBigSrc) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		o := off + int64(n)
		var src []byte
		switch bodyOff := o - int64(len(c.header)); {
		case o >= c.size():
			c.read += int64(n)
			return n, io.EOF
		case bodyOff < 0:
			src = c.header[o:]
		case bodyOff < c.lines*int64(len(c.line)):
			src = c.line[bodyOff%int64(len(c.line)):]
		default:
			src = c.last[bodyOff-c.lines*int64(len(c.line)):]
		}
		n += copy(p[n:], src)
	}
	c.read += int64(n)
	return n, nil
}

// raceEnabled reports whether the test binary was built with -race, whose
// instrumentation makes byte loops many times slower.
func raceEnabled() bool {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "-race" {
				return s.Value == "true"
			}
		}
	}
	return false
}

// A 100 MB base64 body is searched in bounded memory: it allocates no
// more than a 1 MB body does, and the needle at its very end is found.
// (8 MB with -race or -short, to keep those runs quick.)
func TestSearchLargeBodyBoundedMemory(t *testing.T) {
	large := int64(100 << 20)
	if testing.Short() || raceEnabled() {
		large = 8 << 20
	}
	line := []byte(base64.StdEncoding.EncodeToString([]byte("Lorem ipsum dolor sit amet, consectetur adipiscing elit.!")) + "\r\n")
	last := []byte(base64.StdEncoding.EncodeToString([]byte("The end: Zebra Quagga")) + "\r\n")
	hdr := []byte("Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n")

	// run searches a body of about size octets and returns the octets
	// allocated.
	run := func(size int64, needle string, want bool) uint64 {
		src := &searchBigSrc{header: hdr, line: line, last: last, lines: size / int64(len(line))}
		body := src.size() - int64(len(hdr))
		st := &Structure{Size: src.size(), Root: Part{
			HeaderSize: int64(len(hdr)), BodySize: body,
			Type: "text", Subtype: "plain", Encoding: "base64",
			Params: []imap.Param{{Key: "charset", Value: "iso-8859-1"}},
		}}
		msg := &SearchMessage{Size: st.Size, Structure: st, Src: src}
		m := mustSearchMatcher(t, imap.SearchKey{Op: imap.SearchBody, Str: needle}, nil)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		got := mustSearchMatch(t, m, msg)
		runtime.ReadMemStats(&after)
		if got != want {
			t.Errorf("%d octets, %q: %v, want %v", body, needle, got, want)
		}
		if src.read < body {
			t.Errorf("%d octets, %q: only %d read", body, needle, src.read)
		}
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%d MB body, %q: %d octets allocated", body>>20, needle, alloc)
		return alloc
	}
	small := run(1<<20, "zebra quagga", true)
	run(1<<20, "zebra zebra", false)
	big := run(large, "zebra quagga", true)
	if big > small+64<<10 || big > 1<<20 {
		t.Errorf("a %d-octet body allocated %d octets, a 1 MB one %d", large, big, small)
	}
}

func BenchmarkMatchBody(b *testing.B) {
	var body strings.Builder
	for body.Len() < 1<<20 {
		body.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit. Ärger über Öl.\r\n")
	}
	raw := searchCRLF("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n") + body.String()
	msg := searchMsg(b, raw)
	m := mustSearchMatcher(b, imap.SearchKey{Op: imap.SearchBody, Str: "not there at all"}, nil)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		m.Match(context.Background(), msg)
	}
}
