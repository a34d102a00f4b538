package wire

import (
	"github.com/mailaccess/mailaccess/internal/w1stream"

	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// TestReadResponseRFCExamples decodes every server response of the
// examples of RFC 3501, RFC 9051 and the extension RFCs
// (testdata/rfc_responses.txt): in both modes, except the few examples
// that deviate from the ABNF, which strict mode must reject.
func TestReadResponseRFCExamples(t *testing.T) {
	data, err := os.ReadFile("testdata/rfc_responses.txt")
	if err != nil {
		t.Fatal(err)
	}
	type example struct {
		src, line   string
		lenientOnly bool
	}
	var examples []example
	src, lenientOnly := "", false
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case l == "#lenient":
			lenientOnly = true
		case strings.HasPrefix(l, "# rfc"):
			src = strings.Fields(l[2:])[0]
		case strings.HasPrefix(l, "#") || l == "":
		default:
			examples = append(examples, example{src, l, lenientOnly})
			lenientOnly = false
		}
	}
	if len(examples) < 500 {
		t.Fatalf("only %d examples", len(examples))
	}
	kinds := map[ResponseKind]int{}
	var all strings.Builder
	for _, ex := range examples {
		in := ex.line + "\r\n"
		all.WriteString(in)
		r, err := rtDecode(in, rtLenient)
		if err != nil {
			t.Errorf("%s: lenient: %q: %v", ex.src, ex.line, err)
			continue
		}
		kinds[r.Kind]++
		r2, err := rtDecode(in, rtStrict)
		switch {
		case ex.lenientOnly && err == nil:
			t.Errorf("%s: strict mode accepts %q", ex.src, ex.line)
		case ex.lenientOnly && !errors.Is(err, ErrSyntax):
			t.Errorf("%s: strict: %q: %v, want a syntax error", ex.src, ex.line, err)
		case !ex.lenientOnly && err != nil:
			t.Errorf("%s: strict: %q: %v", ex.src, ex.line, err)
		case !ex.lenientOnly && !rtEqual(r, r2):
			t.Errorf("%s: %q: lenient and strict differ:\n%s\n%s", ex.src, ex.line, rtDump(r), rtDump(r2))
		}
	}
	// Every kind of response the RFCs show is among them.
	for _, k := range []ResponseKind{KindStatus, KindContinuation, KindCapability, KindEnabled, KindList,
		KindLsub, KindStatusData, KindSearch, KindSort, KindESearch, KindThread, KindFlags, KindExists,
		KindRecent, KindExpunge, KindVanished, KindFetch, KindNamespace, KindID, KindQuota, KindQuotaRoot,
		KindACL, KindListRights, KindMyRights, KindMetadata, KindOther} {
		if kinds[k] == 0 {
			t.Errorf("no example of %v", k)
		}
	}

	// The same responses as one stream: strict mode reports the deviating
	// ones and goes on with the next.
	for _, opts := range []*Options{rtLenient, rtStrict} {
		d := rtDecoder(all.String(), opts)
		n, errs := 0, 0
		for {
			var r Response
			err := d.ReadResponse(&r)
			if err == io.EOF {
				break
			}
			if err != nil {
				if !errors.Is(err, ErrSyntax) {
					t.Fatalf("%v: %v", opts.Mode, err)
				}
				errs++
			}
			n++
		}
		wantErrs := 0
		for _, ex := range examples {
			if ex.lenientOnly && opts.Mode == Strict {
				wantErrs++
			}
		}
		if n != len(examples) || errs != wantErrs {
			t.Errorf("%v stream: %d responses, %d errors; want %d, %d", opts.Mode, n, errs, len(examples), wantErrs)
		}
	}
}

// rfcLiteralExamples are the RFC examples that hold literals, with the
// literal sizes made to match the data.
var rfcLiteralExamples = []string{
	// RFC 3501 §8, RFC 9051 §8.
	"* 12 FETCH (BODY[HEADER] {342}\r\n" +
		"Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n" +
		"From: Terry Gray <gray@cac.washington.edu>\r\n" +
		"Subject: IMAP4rev1 WG mtg summary and minutes\r\n" +
		"To: imap@cac.washington.edu\r\n" +
		"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n" +
		"Message-Id: <B27397-0100000@cac.washington.edu>\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
		"\r\n" +
		")\r\n",
	// RFC 5465 §5.
	"* 127 FETCH (UID 127001 BODY[HEADER.FIELDS (From To Subject)] {75}\r\n" +
		"Subject: Re: good morning\r\n" +
		"From: alice@example.org\r\n" +
		"To: bob@example.org\r\n" +
		"\r\n" +
		")\r\n",
	// RFC 8970 §4.
	"* 3 FETCH (PREVIEW {28}\r\nMessage data from message 3.)\r\n",
	// RFC 3516 §4.3.
	"* 1 FETCH (BINARY[1] ~{7}\r\nab\x00cd\r\n)\r\n",
}

func TestReadResponseRFCLiteralExamples(t *testing.T) {
	for i, in := range rfcLiteralExamples {
		for _, opts := range []*Options{rtLenient, rtStrict} {
			d := rtDecoder(in, opts)
			var r Response
			if err := d.ReadResponse(&r); err != nil {
				t.Errorf("#%d %v: %v", i, opts.Mode, err)
				continue
			}
			if r.Kind != KindFetch {
				t.Errorf("#%d: kind %v", i, r.Kind)
			}
			if err := d.ReadResponse(&r); err != io.EOF {
				t.Errorf("#%d: after the response: %v, want EOF", i, err)
			}
		}
	}
	r, err := rtDecode(rfcLiteralExamples[0], rtStrict)
	if err != nil {
		t.Fatal(err)
	}
	it := r.Fetch.Items[0]
	if it.Kind != imap.FetchBodySection || it.Section.Spec != imap.SpecHeader || len(it.Data.S) != 342 ||
		!strings.HasPrefix(it.Data.S, "Date: Wed") || !strings.HasSuffix(it.Data.S, "US-ASCII\r\n\r\n") {
		t.Errorf("BODY[HEADER] = %s", rtDump(it))
	}
	r, _ = rtDecode(rfcLiteralExamples[1], rtStrict)
	if s := r.Fetch.Items[1].Section; s.Spec != imap.SpecHeaderFields || !rtEqual(s.Fields, []string{"From", "To", "Subject"}) {
		t.Errorf("section = %s", rtDump(s))
	}
	r, _ = rtDecode(rfcLiteralExamples[3], rtStrict)
	if it := r.Fetch.Items[0]; !it.Binary || it.Data.S != "ab\x00cd\r\n" || !rtEqual(it.Section.Part, []uint32{1}) {
		t.Errorf("BINARY[1] = %s", rtDump(it))
	}
}

// typedCase is an input and the response it must decode to.
type typedCase struct {
	name string
	in   string
	want Response
	opts *Options // nil: both modes
}

func typedCases(t *testing.T) []typedCase {
	envRFC := &imap.Envelope{
		Date:    rtNstr("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)"),
		Subject: rtNstr("IMAP4rev1 WG mtg summary and minutes"),
		From:    []imap.Address{rtAddr("Terry Gray", "gray", "cac.washington.edu")},
		Sender:  []imap.Address{rtAddr("Terry Gray", "gray", "cac.washington.edu")},
		ReplyTo: []imap.Address{rtAddr("Terry Gray", "gray", "cac.washington.edu")},
		To:      []imap.Address{rtAddr("", "imap", "cac.washington.edu")},
		Cc: []imap.Address{rtAddr("", "minutes", "CNRI.Reston.VA.US"),
			rtAddr("John Klensin", "KLENSIN", "MIT.EDU")},
		MessageID: rtNstr("<B27397-0100000@cac.washington.edu>"),
	}
	textPlain := &imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN",
		Params: []imap.Param{{Key: "CHARSET", Value: "US-ASCII"}}, Encoding: "7BIT", Size: 3028, Lines: 92}
	fetch := func(seq uint32, items ...imap.FetchItem) Response {
		return Response{Kind: KindFetch, Fetch: &imap.FetchData{Seq: seq, Items: items}}
	}
	status := func(tag string, st StatusType, code *imap.ResponseCode, text string) Response {
		return Response{Kind: KindStatus, Tag: tag, Status: st, Code: code, Text: text}
	}
	return []typedCase{
		// Status responses and codes (RFC 3501 §7.1, RFC 9051 §7.1).
		{name: "greeting", in: "* OK IMAP4rev1 server ready",
			want: status("", StatusOK, nil, "IMAP4rev1 server ready")},
		{name: "preauth", in: "* PREAUTH IMAP4rev1 server logged in as Smith",
			want: status("", StatusPREAUTH, nil, "IMAP4rev1 server logged in as Smith")},
		{name: "bye", in: "* BYE Autologout; idle for too long",
			want: status("", StatusBYE, nil, "Autologout; idle for too long")},
		{name: "tagged no", in: "A223 NO COPY failed: disk is full",
			want: status("A223", StatusNO, nil, "COPY failed: disk is full")},
		{name: "tagged bad", in: `A044 BAD No such command as "BLURDYBLOOP"`,
			want: status("A044", StatusBAD, nil, `No such command as "BLURDYBLOOP"`)},
		{name: "empty text", in: "a1 OK ",
			want: status("a1", StatusOK, nil, "")},
		{name: "alert", in: "* OK [ALERT] System shutdown in 10 minutes",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeAlert}, "System shutdown in 10 minutes")},
		{name: "code ends line", in: "* OK [UIDNEXT 1]",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeUIDNext, Num: 1}, "")},
		{name: "lowercase code", in: "* OK [uidvalidity 3857529045] UIDs valid",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeUIDValidity, Num: 3857529045}, "UIDs valid")},
		{name: "unseen", in: "* OK [UNSEEN 12] Message 12 is first unseen",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeUnseen, Num: 12}, "Message 12 is first unseen")},
		{name: "permanentflags", in: `* OK [PERMANENTFLAGS (\Deleted \Seen \* $Junk)] Limited`,
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodePermanentFlags,
				Flags: []imap.Flag{imap.FlagDeleted, imap.FlagSeen, imap.FlagWildcard, "$Junk"}}, "Limited")},
		{name: "permanentflags empty", in: "* OK [PERMANENTFLAGS ()] No permanent flags permitted",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodePermanentFlags, Flags: []imap.Flag{}},
				"No permanent flags permitted")},
		{name: "capability code", in: "* OK [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] Capabilities",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeCapability,
				Caps: []imap.Cap{"IMAP4rev2", "STARTTLS", "AUTH=GSSAPI"}}, "Capabilities")},
		{name: "badcharset", in: `B283 NO [BADCHARSET (UTF-8 "KOI8-R")] not supported`,
			want: status("B283", StatusNO, &imap.ResponseCode{Name: imap.CodeBadCharset,
				Strings: []string{"UTF-8", "KOI8-R"}}, "not supported")},
		{name: "badcharset bare", in: "B283 NO [BADCHARSET] nope",
			want: status("B283", StatusNO, &imap.ResponseCode{Name: imap.CodeBadCharset}, "nope")},
		{name: "appenduid", in: "A003 OK [APPENDUID 38505 3955] APPEND completed",
			want: status("A003", StatusOK, &imap.ResponseCode{Name: imap.CodeAppendUID, Num: 38505,
				Set: rtUIDSet(t, "3955")}, "APPEND completed")},
		{name: "appenduid multi", in: "A003 OK [APPENDUID 38505 3955:3957,3960] APPEND completed",
			want: status("A003", StatusOK, &imap.ResponseCode{Name: imap.CodeAppendUID, Num: 38505,
				Set: rtUIDSet(t, "3955:3957,3960")}, "APPEND completed")},
		{name: "copyuid", in: "A004 OK [COPYUID 38505 304,319:320 3956:3958] Done",
			want: status("A004", StatusOK, &imap.ResponseCode{Name: imap.CodeCopyUID, Num: 38505,
				Set: rtUIDSet(t, "304,319:320"), Set2: rtUIDSet(t, "3956:3958")}, "Done")},
		{name: "highestmodseq", in: "* OK [HIGHESTMODSEQ 90060128194045007] Highest",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: 90060128194045007}, "Highest")},
		{name: "modified", in: "d105 OK [MODIFIED 7,9] Conditional STORE failed",
			want: status("d105", StatusOK, &imap.ResponseCode{Name: imap.CodeModified,
				Set: rtUIDSet(t, "7,9")}, "Conditional STORE failed")},
		{name: "appendlimit", in: "A1 NO [APPENDLIMIT 1000] too big",
			want: status("A1", StatusNO, &imap.ResponseCode{Name: imap.CodeAppendLimit, Num: 1000}, "too big")},
		{name: "mailboxid", in: "3 OK [MAILBOXID (F2212ea87-6097-4256-9d51-71338625)] Completed",
			want: status("3", StatusOK, &imap.ResponseCode{Name: imap.CodeMailboxID,
				Strings: []string{"F2212ea87-6097-4256-9d51-71338625"}}, "Completed")},
		{name: "referral", in: "A001 NO [REFERRAL IMAP://user;AUTH=*@SERVER2/] Remote Server",
			want: status("A001", StatusNO, &imap.ResponseCode{Name: imap.CodeReferral,
				Strings: []string{"IMAP://user;AUTH=*@SERVER2/"}}, "Remote Server")},
		{name: "badevent", in: "a NO [BADEVENT (MessageNew MessageExpunge)] nope",
			want: status("a", StatusNO, &imap.ResponseCode{Name: imap.CodeBadEvent,
				Strings: []string{"MessageNew", "MessageExpunge"}}, "nope")},
		{name: "metadata code", in: "a NO [METADATA LONGENTRIES 2] some values too big",
			want: status("a", StatusNO, &imap.ResponseCode{Name: imap.CodeMetadata, Strings: []string{imap.MetadataLongEntries},
				Num: 2, Raw: "LONGENTRIES 2"}, "some values too big")},
		// RFC 5464 §4.2.1 and §4.3.
		{name: "metadata longentries", in: "a OK [METADATA LONGENTRIES 2199] GETMETADATA complete",
			want: status("a", StatusOK, imap.NewMetadataCode(imap.MetadataLongEntries, 2199), "GETMETADATA complete")},
		{name: "metadata maxsize", in: "a NO [metadata maxsize 01024] value too long",
			want: status("a", StatusNO, &imap.ResponseCode{Name: imap.CodeMetadata, Strings: []string{imap.MetadataMaxSize},
				Num: 1024, Raw: "MAXSIZE 1024"}, "value too long")},
		{name: "metadata toomany", in: "a NO [METADATA TOOMANY] SETMETADATA failed",
			want: status("a", StatusNO, imap.NewMetadataCode(imap.MetadataTooMany, 0), "SETMETADATA failed")},
		{name: "metadata noprivate", in: "a NO [METADATA NOPRIVATE] SETMETADATA failed",
			want: status("a", StatusNO, imap.NewMetadataCode(imap.MetadataNoPrivate, 0), "SETMETADATA failed")},
		// RFC 9586 §3.2.
		{name: "uidrequired", in: "a BAD [UIDREQUIRED] Message numbers are not allowed once UIDONLY is enabled",
			want: status("a", StatusBAD, &imap.ResponseCode{Name: imap.CodeUIDRequired}, "Message numbers are not allowed once UIDONLY is enabled")},
		// RFC 5465 §5.8.
		{name: "notificationoverflow", in: "* OK [NOTIFICATIONOVERFLOW] ...A comment can go here...",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeNotificationOverflow}, "...A comment can go here...")},
		{name: "unknown code", in: "a OK [X-FOO bar baz] text",
			want: status("a", StatusOK, &imap.ResponseCode{Name: "X-FOO", Raw: "bar baz"}, "text")},
		{name: "closed", in: "* OK [CLOSED] Previous mailbox is now closed",
			want: status("", StatusOK, &imap.ResponseCode{Name: imap.CodeClosed}, "Previous mailbox is now closed")},

		// Continuation requests (RFC 3501 §7.5).
		{name: "continuation", in: "+ Ready for additional command text",
			want: Response{Kind: KindContinuation, Text: "Ready for additional command text"}},
		{name: "continuation base64", in: "+ YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC",
			want: Response{Kind: KindContinuation, Text: "YGgGCSqGSIb3EgECAgIAb1kwV6ADAgEFoQMCAQ+iSzBJoAMC"}},
		{name: "continuation empty", in: "+ ",
			want: Response{Kind: KindContinuation}},
		{name: "continuation code", in: "+ [ALERT] go on",
			want: Response{Kind: KindContinuation, Code: &imap.ResponseCode{Name: imap.CodeAlert}, Text: "go on"}},

		// Server and mailbox status (RFC 3501 §7.2, RFC 9051 §7.3).
		{name: "capability", in: "* CAPABILITY IMAP4rev1 STARTTLS AUTH=GSSAPI XPIG-LATIN",
			want: Response{Kind: KindCapability, Caps: imap.CapSet{"IMAP4rev1", "STARTTLS", "AUTH=GSSAPI", "XPIG-LATIN"}}},
		{name: "enabled", in: "* ENABLED CONDSTORE QRESYNC",
			want: Response{Kind: KindEnabled, Caps: imap.CapSet{"CONDSTORE", "QRESYNC"}}},
		{name: "enabled none", in: "* ENABLED",
			want: Response{Kind: KindEnabled}},
		{name: "list", in: `* LIST (\Noselect) "/" ~/Mail/foo`,
			want: Response{Kind: KindList, List: &imap.ListData{Attrs: []imap.MailboxAttr{imap.AttrNoselect},
				Delim: '/', Mailbox: "~/Mail/foo"}}},
		{name: "list canonical", in: `* LIST (\Marked \NoInferiors) "/" "inbox"`,
			want: Response{Kind: KindList, List: &imap.ListData{Attrs: []imap.MailboxAttr{imap.AttrMarked,
				imap.AttrNoinferiors}, Delim: '/', Mailbox: "INBOX"}}},
		{name: "list nil delim", in: `* LIST () NIL Flat`,
			want: Response{Kind: KindList, List: &imap.ListData{Mailbox: "Flat"}}},
		{name: "list escaped delim", in: `* LIST () "\\" Foo\Bar`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '\\', Mailbox: `Foo\Bar`}}, opts: rtLenient},
		{name: "list utf7", in: `* LIST () "/" "~peter/mail/&U,BTFw-/&ZeVnLIqe-"`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "~peter/mail/台北/日本語"}}},
		{name: "list utf8 session", in: `* LIST () "/" "~peter/mail/&U,BTFw-"`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "~peter/mail/&U,BTFw-"}},
			opts: &Options{UTF8: true}},
		{name: "list oldname", in: `* LIST () "/" "NewMailbox" ("OLDNAME" ("OldMailbox"))`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "NewMailbox", OldName: "OldMailbox"}}},
		{name: "list childinfo", in: `* LIST (\NonExistent) "/" "Foo" ("CHILDINFO" ("SUBSCRIBED"))`,
			want: Response{Kind: KindList, List: &imap.ListData{Attrs: []imap.MailboxAttr{imap.AttrNonExistent},
				Delim: '/', Mailbox: "Foo", ChildInfo: []string{"SUBSCRIBED"}}}},
		{name: "list ext", in: `* LIST (\Marked) ":" Tables (tablecloth (("edge" "lacy") ("color" "red")) Sample "text")`,
			want: Response{Kind: KindList, List: &imap.ListData{Attrs: []imap.MailboxAttr{imap.AttrMarked},
				Delim: ':', Mailbox: "Tables", Ext: []imap.TaggedExt{
					{Tag: "tablecloth", Value: imap.RawValue(`(("edge" "lacy") ("color" "red"))`)},
					{Tag: "Sample", Value: imap.RawValue(`"text"`)}}}}},
		{name: "lsub", in: `* LSUB () "." #news.comp.mail.misc`,
			want: Response{Kind: KindLsub, List: &imap.ListData{Delim: '.', Mailbox: "#news.comp.mail.misc"}}},
		{name: "status", in: "* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)",
			want: Response{Kind: KindStatusData, StatusData: &imap.StatusData{Mailbox: "blurdybloop",
				Items: []imap.StatusValue{{Item: imap.StatusMessages, Num: 231}, {Item: imap.StatusUIDNext, Num: 44292}}}}},
		{name: "status ext", in: `* STATUS "INBOX" (HIGHESTMODSEQ 7011231777 SIZE 12345678901 MAILBOXID (F2212ea87) APPENDLIMIT NIL DELETED-STORAGE 5 X-FOO (a b))`,
			want: Response{Kind: KindStatusData, StatusData: &imap.StatusData{Mailbox: "INBOX",
				Items: []imap.StatusValue{{Item: imap.StatusHighestModSeq, Num: 7011231777},
					{Item: imap.StatusSize, Num: 12345678901}, {Item: imap.StatusMailboxID, Str: "F2212ea87"},
					{Item: imap.StatusAppendLimit, Nil: true}, {Item: "DELETED-STORAGE", Num: 5},
					{Item: "X-FOO", Str: "(a b)"}}}}},
		{name: "status empty", in: "* STATUS foo ()",
			want: Response{Kind: KindStatusData, StatusData: &imap.StatusData{Mailbox: "foo"}}},
		{name: "search", in: "* SEARCH 2 3 6",
			want: Response{Kind: KindSearch, Search: &imap.SearchData{Nums: []uint32{2, 3, 6}}}},
		{name: "search empty", in: "* SEARCH",
			want: Response{Kind: KindSearch, Search: &imap.SearchData{}}},
		{name: "search modseq", in: "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)",
			want: Response{Kind: KindSearch, Search: &imap.SearchData{Nums: []uint32{2, 5, 6, 7, 11, 12, 18, 19, 20, 23},
				ModSeq: 917162500}}},
		{name: "sort", in: "* SORT 5 3 4 1 2",
			want: Response{Kind: KindSort, Search: &imap.SearchData{Nums: []uint32{5, 3, 4, 1, 2}}}},
		{name: "esearch", in: `* ESEARCH (TAG "A285") UID MIN 7 MAX 3800`,
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{Tag: "A285", UID: true, Min: 7, Max: 3800}}},
		{name: "esearch all", in: `* ESEARCH (TAG "a567") UID COUNT 17 ALL 4:18,21,28 MODSEQ 12345`,
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{Tag: "a567", UID: true, Count: 17, HasCount: true,
				All: rtNumSet(t, "4:18,21,28"), HasAll: true, ModSeq: 12345}}},
		{name: "esearch bare", in: "* ESEARCH",
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{}}},
		{name: "esearch ext", in: `* ESEARCH (TAG "B") X-EXT (1:10 NIL) COUNT 0`,
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{Tag: "B", HasCount: true,
				Ext: []imap.TaggedExt{{Tag: "X-EXT", Value: imap.RawValue("(1:10 NIL)")}}}}},
		// RFC 9394 §3.1 (the elided result sets filled in).
		{name: "esearch partial nil", in: `* ESEARCH (TAG "A04") UID PARTIAL (24000:24500 NIL)`,
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{Tag: "A04", UID: true,
				Partial: &imap.ESearchPartial{Range: imap.PartialRange{Start: 24000, Stop: 24500}}}}},
		{name: "esearch partial last", in: `* ESEARCH (TAG "A01") UID PARTIAL (-1:-100 23600:23700) COUNT 23764`,
			want: Response{Kind: KindESearch, ESearch: &imap.ESearchData{Tag: "A01", UID: true, Count: 23764, HasCount: true,
				Partial: &imap.ESearchPartial{Range: imap.PartialRange{Start: 1, Stop: 100, FromEnd: true}, Results: rtNumSet(t, "23600:23700")}}}},
		// RFC 9586 §3.3.
		{name: "uidfetch", in: `* 25996 UIDFETCH (FLAGS (\Seen))`,
			want: Response{Kind: KindUIDFetch, Fetch: &imap.FetchData{Seq: 25996, UIDFetch: true, Items: []imap.FetchItem{
				{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen}}}}}},
		{name: "flags", in: `* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)`,
			want: Response{Kind: KindFlags, Flags: []imap.Flag{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted,
				imap.FlagSeen, imap.FlagDraft}}},
		{name: "exists", in: "* 23 EXISTS", want: Response{Kind: KindExists, Num: 23}},
		{name: "exists zero", in: "* 0 EXISTS", want: Response{Kind: KindExists}},
		{name: "recent", in: "* 5 RECENT", want: Response{Kind: KindRecent, Num: 5}},
		{name: "expunge", in: "* 44 EXPUNGE", want: Response{Kind: KindExpunge, Num: 44}},
		{name: "vanished", in: "* VANISHED 405,407,410,425",
			want: Response{Kind: KindVanished, Vanished: &imap.VanishedData{UIDs: rtUIDSet(t, "405,407,410,425")}}},
		{name: "vanished earlier", in: "* VANISHED (EARLIER) 41,43:116,118,120:211,214:540",
			want: Response{Kind: KindVanished, Vanished: &imap.VanishedData{Earlier: true,
				UIDs: rtUIDSet(t, "41,43:116,118,120:211,214:540")}}},
		{name: "thread", in: "* THREAD (2)(3 6 (4 23)(44 7 96))",
			want: Response{Kind: KindThread, Threads: []imap.ThreadNode{
				{Num: 2},
				{Num: 3, Children: []imap.ThreadNode{{Num: 6, Children: []imap.ThreadNode{
					{Num: 4, Children: []imap.ThreadNode{{Num: 23}}},
					{Num: 44, Children: []imap.ThreadNode{{Num: 7, Children: []imap.ThreadNode{{Num: 96}}}}},
				}}}},
			}}},
		{name: "thread dummy", in: "* THREAD ((3)(5))",
			want: Response{Kind: KindThread, Threads: []imap.ThreadNode{
				{Children: []imap.ThreadNode{{Num: 3}, {Num: 5}}}}}},
		{name: "thread empty", in: "* THREAD", want: Response{Kind: KindThread}},
		{name: "namespace", in: `* NAMESPACE (("" "/")) (("~" "/")) (("#shared/" "/")("#public/" "/")("#ftp/" "/")("#news." "."))`,
			want: Response{Kind: KindNamespace, Namespace: &imap.NamespaceData{
				Personal: []imap.NamespaceDescr{{Prefix: "", Delim: '/'}},
				Other:    []imap.NamespaceDescr{{Prefix: "~", Delim: '/'}},
				Shared: []imap.NamespaceDescr{{Prefix: "#shared/", Delim: '/'}, {Prefix: "#public/", Delim: '/'},
					{Prefix: "#ftp/", Delim: '/'}, {Prefix: "#news.", Delim: '.'}}}}},
		{name: "namespace ext", in: `* NAMESPACE (("" "/")("#mh/" "/" "X-PARAM" ("FLAG1" "FLAG2"))) NIL NIL`,
			want: Response{Kind: KindNamespace, Namespace: &imap.NamespaceData{
				Personal: []imap.NamespaceDescr{{Prefix: "", Delim: '/'}, {Prefix: "#mh/", Delim: '/',
					Ext: []imap.TaggedExt{{Tag: "X-PARAM", Value: imap.RawValue(`("FLAG1" "FLAG2")`)}}}}}}},
		{name: "id", in: `* ID ("name" "Cyrus" "version" "1.5" "os" NIL)`,
			want: Response{Kind: KindID, ID: []imap.IDParam{{Key: "name", Value: rtNstr("Cyrus")},
				{Key: "version", Value: rtNstr("1.5")}, {Key: "os", Value: imap.Nil}}}},
		{name: "id nil", in: "* ID NIL", want: Response{Kind: KindID}},
		{name: "quota", in: "* QUOTA \"\" (STORAGE 10 512 MESSAGE 5 100)",
			want: Response{Kind: KindQuota, Quota: &imap.QuotaData{Root: "", Resources: []imap.QuotaResource{
				{Name: "STORAGE", Usage: 10, Limit: 512}, {Name: "MESSAGE", Usage: 5, Limit: 100}}}}},
		{name: "quotaroot", in: `* QUOTAROOT INBOX ""`,
			want: Response{Kind: KindQuotaRoot, QuotaRoot: &imap.QuotaRootData{Mailbox: "INBOX", Roots: []string{""}}}},
		{name: "quotaroot none", in: `* QUOTAROOT comp.mail.mime`,
			want: Response{Kind: KindQuotaRoot, QuotaRoot: &imap.QuotaRootData{Mailbox: "comp.mail.mime"}}},
		{name: "acl", in: "* ACL INBOX Fred rwipslxetad -Fred wetd",
			want: Response{Kind: KindACL, ACL: &imap.ACLData{Mailbox: "INBOX", Entries: []imap.ACLEntry{
				{Identifier: "Fred", Rights: "rwipslxetad"}, {Identifier: "-Fred", Rights: "wetd"}}}}},
		{name: "listrights", in: "* LISTRIGHTS ~/Mail/saved smith la r swicdkxte",
			want: Response{Kind: KindListRights, ListRights: &imap.ListRightsData{Mailbox: "~/Mail/saved",
				Identifier: "smith", Required: "la", Optional: []string{"r", "swicdkxte"}}}},
		{name: "myrights", in: "* MYRIGHTS INBOX rwiptsldaex",
			want: Response{Kind: KindMyRights, MyRights: &imap.MyRightsData{Mailbox: "INBOX", Rights: "rwiptsldaex"}}},
		{name: "metadata", in: `* METADATA "" (/shared/comment "Shared comment" /private/comment NIL)`,
			want: Response{Kind: KindMetadata, Metadata: &imap.MetadataData{Entries: []imap.MetadataEntry{
				{Name: "/shared/comment", Value: rtNstr("Shared comment")}, {Name: "/private/comment"}}}}},
		{name: "metadata names", in: `* METADATA INBOX /shared/comment /private/comment`,
			want: Response{Kind: KindMetadata, Metadata: &imap.MetadataData{Mailbox: "INBOX",
				Names: []string{"/shared/comment", "/private/comment"}}}},
		{name: "other", in: "* XPIG-LATIN ow-nay eaking-spay",
			want: Response{Kind: KindOther, Name: "XPIG-LATIN", Raw: imap.RawValue("ow-nay eaking-spay")}},
		{name: "other bare", in: "* X-NOTHING",
			want: Response{Kind: KindOther, Name: "X-NOTHING"}},
		{name: "other numbered", in: "* 5 X-THING (a b)",
			want: Response{Kind: KindOther, Num: 5, Name: "X-THING", Raw: imap.RawValue("(a b)")}},
		{name: "other literal", in: "* X-LIT {3}\r\nabc more",
			want: Response{Kind: KindOther, Name: "X-LIT", Raw: imap.RawValue("{3}\r\nabc more")}},

		// Keywords are case-insensitive (RFC 3501 §9 note 1), "]" is an
		// ASTRING-CHAR: valid in both modes.
		{name: "mailbox with ]", in: `* LIST () "/" Foo]Bar`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "Foo]Bar"}}, opts: nil},
		{name: "lowercase flags", in: `* FLAGS (\seen \ANSWERED $junk)`,
			want: Response{Kind: KindFlags, Flags: []imap.Flag{imap.FlagSeen, imap.FlagAnswered, "$junk"}}},
		{name: "lowercase keywords", in: `* ok [alert] hi`,
			want: Response{Kind: KindStatus, Status: StatusOK, Code: &imap.ResponseCode{Name: imap.CodeAlert}, Text: "hi"}},
		{name: "lowercase exists", in: `* 3 exists`,
			want: Response{Kind: KindExists, Num: 3}},
		{name: "lowercase fetch", in: `* 1 fetch (uid 5 rfc822.size 7)`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchUID, Num: 5}, imap.FetchItem{Kind: imap.FetchRFC822Size, Num: 7})},
		// FETCH (RFC 3501 §7.4.2, RFC 9051 §7.5.2 and extensions).
		{name: "fetch flags", in: `* 23 FETCH (FLAGS (\Seen) RFC822.SIZE 44827 UID 447)`,
			want: fetch(23, imap.FetchItem{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen}},
				imap.FetchItem{Kind: imap.FetchRFC822Size, Num: 44827},
				imap.FetchItem{Kind: imap.FetchUID, Num: 447})},
		{name: "fetch rfc", in: `* 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))`,
			want: fetch(12, imap.FetchItem{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen}},
				imap.FetchItem{Kind: imap.FetchInternalDate, Time: time.Date(1996, 7, 17, 2, 44, 25, 0, rtZone(-7, 0))},
				imap.FetchItem{Kind: imap.FetchRFC822Size, Num: 4286},
				imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: envRFC},
				imap.FetchItem{Kind: imap.FetchBody, Body: textPlain})},
		{name: "fetch date space day", in: `* 1 FETCH (INTERNALDATE " 7-Jul-1996 02:44:25 +0530")`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchInternalDate, Time: time.Date(1996, 7, 7, 2, 44, 25, 0, rtZone(5, 30))})},
		{name: "fetch group addresses", in: `* 1 FETCH (ENVELOPE (NIL "" NIL NIL NIL ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL NIL "" NIL))`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{Subject: rtNstr(""),
				To:        []imap.Address{{Mailbox: rtNstr("undisclosed-recipients")}, {}},
				InReplyTo: rtNstr("")}})},
		{name: "fetch escaped", in: `* 1 FETCH (ENVELOPE (NIL "a \"quoted\" C:\\dir" (("\"Bob\" Smith" NIL "bob" "example.com")) NIL NIL NIL NIL NIL NIL NIL))`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				Subject: rtNstr(`a "quoted" C:\dir`),
				From:    []imap.Address{rtAddr(`"Bob" Smith`, "bob", "example.com")}}})},
		{name: "fetch literal subject", in: "* 1 FETCH (ENVELOPE (NIL {5}\r\nhello NIL NIL NIL NIL NIL NIL NIL NIL) UID 9)",
			want: fetch(1, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{Subject: rtNstr("hello")}},
				imap.FetchItem{Kind: imap.FetchUID, Num: 9})},
		{name: "bodystructure multipart", in: `* 1 FETCH (BODYSTRUCTURE (("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23)("TEXT" "PLAIN" ("CHARSET" "US-ASCII" "NAME" "cc.diff") "<960723163407.20117h@cac.washington.edu>" "Compiler diff" "BASE64" 4554 73) "MIXED"))`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &imap.BodyStructure{
				Type: "MULTIPART", Subtype: "MIXED", Extended: true, Parts: []imap.BodyStructure{
					{Type: "TEXT", Subtype: "PLAIN", Params: []imap.Param{{Key: "CHARSET", Value: "US-ASCII"}},
						Encoding: "7BIT", Size: 1152, Lines: 23, Extended: true},
					{Type: "TEXT", Subtype: "PLAIN", Params: []imap.Param{{Key: "CHARSET", Value: "US-ASCII"},
						{Key: "NAME", Value: "cc.diff"}}, ID: rtNstr("<960723163407.20117h@cac.washington.edu>"),
						Description: rtNstr("Compiler diff"), Encoding: "BASE64", Size: 4554, Lines: 73, Extended: true},
				}}})},
		{name: "bodystructure extensions", in: `* 1 FETCH (BODYSTRUCTURE ((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 200 4 NIL ("INLINE" NIL) NIL NIL)("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "BASE64" 300 5 "md5sum" NIL ("en" "de") "http://x/y" 42 ("a" 1 NIL)) "ALTERNATIVE" ("BOUNDARY" "b1") NIL NIL NIL)("APPLICATION" "PDF" ("NAME" "a.pdf") NIL NIL "BASE64" 1000 NIL ("ATTACHMENT" ("FILENAME" "a.pdf")) "en" NIL) "MIXED" ("BOUNDARY" "b0") NIL "fr" "loc"))`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &imap.BodyStructure{
				Type: "MULTIPART", Subtype: "MIXED", Extended: true, Params: []imap.Param{{Key: "BOUNDARY", Value: "b0"}},
				Language: []string{"fr"}, Location: rtNstr("loc"),
				Parts: []imap.BodyStructure{
					{Type: "MULTIPART", Subtype: "ALTERNATIVE", Extended: true, Params: []imap.Param{{Key: "BOUNDARY", Value: "b1"}},
						Parts: []imap.BodyStructure{
							{Type: "TEXT", Subtype: "PLAIN", Params: []imap.Param{{Key: "CHARSET", Value: "utf-8"}},
								Encoding: "QUOTED-PRINTABLE", Size: 200, Lines: 4, Extended: true,
								Disposition: &imap.Disposition{Type: "INLINE"}},
							{Type: "TEXT", Subtype: "HTML", Params: []imap.Param{{Key: "CHARSET", Value: "utf-8"}},
								Encoding: "BASE64", Size: 300, Lines: 5, Extended: true, MD5: rtNstr("md5sum"),
								Language: []string{"en", "de"}, Location: rtNstr("http://x/y"),
								Extensions: []imap.RawValue{imap.RawValue("42"), imap.RawValue(`("a" 1 NIL)`)}},
						}},
					{Type: "APPLICATION", Subtype: "PDF", Params: []imap.Param{{Key: "NAME", Value: "a.pdf"}},
						Encoding: "BASE64", Size: 1000, Extended: true,
						Disposition: &imap.Disposition{Type: "ATTACHMENT", Params: []imap.Param{{Key: "FILENAME", Value: "a.pdf"}}},
						Language:    []string{"en"}},
				}}})},
		{name: "bodystructure message", in: `* 2 FETCH (BODYSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 500 (NIL "inner" NIL NIL NIL NIL NIL NIL NIL NIL) (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1)("IMAGE" "PNG" NIL NIL NIL "BASE64" 20) "MIXED") 30 NIL NIL NIL NIL))`,
			want: fetch(2, imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &imap.BodyStructure{
				Type: "MESSAGE", Subtype: "RFC822", Encoding: "7BIT", Size: 500, Lines: 30, Extended: true,
				Envelope: &imap.Envelope{Subject: rtNstr("inner")},
				Body: &imap.BodyStructure{Type: "MULTIPART", Subtype: "MIXED", Extended: true, Parts: []imap.BodyStructure{
					{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT", Size: 10, Lines: 1, Extended: true},
					{Type: "IMAGE", Subtype: "PNG", Encoding: "BASE64", Size: 20, Extended: true},
				}}}})},
		{name: "body section", in: "* 1 FETCH (BODY[1.2.HEADER.FIELDS.NOT (Received X-Spam)]<10> \"abc\" BODY[] NIL BODY[2.MIME] {2}\r\nhi BODY[TEXT]<0> \"\")",
			want: fetch(1,
				imap.FetchItem{Kind: imap.FetchBodySection, Section: imap.Section{Part: []uint32{1, 2},
					Spec: imap.SpecHeaderFieldsNot, Fields: []string{"Received", "X-Spam"}}, Origin: 10, HasOrigin: true,
					Data: rtNstr("abc")},
				imap.FetchItem{Kind: imap.FetchBodySection},
				imap.FetchItem{Kind: imap.FetchBodySection, Section: imap.Section{Part: []uint32{2}, Spec: imap.SpecMIME},
					Data: rtNstr("hi")},
				imap.FetchItem{Kind: imap.FetchBodySection, Section: imap.Section{Spec: imap.SpecText}, HasOrigin: true,
					Data: rtNstr("")})},
		{name: "binary", in: "* 1 FETCH (BINARY[1.1] ~{3}\r\na\x00b BINARY.SIZE[2] 1234 BINARY[]<5> \"x\")",
			want: fetch(1,
				imap.FetchItem{Kind: imap.FetchBinary, Section: imap.Section{Part: []uint32{1, 1}}, Binary: true,
					Data: rtNstr("a\x00b")},
				imap.FetchItem{Kind: imap.FetchBinarySize, Section: imap.Section{Part: []uint32{2}}, Num: 1234},
				imap.FetchItem{Kind: imap.FetchBinary, Origin: 5, HasOrigin: true, Data: rtNstr("x")})},
		{name: "rfc822", in: "* 1 FETCH (RFC822 {5}\r\nHello RFC822.HEADER \"H\" RFC822.TEXT NIL)",
			want: fetch(1, imap.FetchItem{Kind: imap.FetchRFC822, Data: rtNstr("Hello")},
				imap.FetchItem{Kind: imap.FetchRFC822Header, Data: rtNstr("H")},
				imap.FetchItem{Kind: imap.FetchRFC822Text})},
		{name: "extensions", in: `* 1 FETCH (MODSEQ (624140003) EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9) SAVEDATE "01-Jan-2020 10:00:00 +0000" PREVIEW "Hi there")`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchModSeq, Num: 624140003},
				imap.FetchItem{Kind: imap.FetchEmailID, Data: rtNstr("M6d99ac3275bb4e")},
				imap.FetchItem{Kind: imap.FetchThreadID, Data: rtNstr("T64b478a75b7ea9")},
				imap.FetchItem{Kind: imap.FetchSaveDate, Time: time.Date(2020, 1, 1, 10, 0, 0, 0, time.UTC),
					Data: rtNstr(" 1-Jan-2020 10:00:00 +0000")}, // as the encoder writes it
				imap.FetchItem{Kind: imap.FetchPreview, Data: rtNstr("Hi there")})},
		{name: "extensions nil", in: `* 1 FETCH (THREADID NIL SAVEDATE NIL PREVIEW NIL)`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchThreadID}, imap.FetchItem{Kind: imap.FetchSaveDate},
				imap.FetchItem{Kind: imap.FetchPreview})},
		{name: "unknown item", in: `* 1 FETCH (X-GM-LABELS (\Inbox "Work stuff") x-gm-msgid 1278455344230334865 X-FOO[1]<2> "z")`,
			want: fetch(1, imap.FetchItem{Kind: imap.FetchOther, Name: "X-GM-LABELS", Raw: imap.RawValue(`(\Inbox "Work stuff")`)},
				imap.FetchItem{Kind: imap.FetchOther, Name: "X-GM-MSGID", Raw: imap.RawValue("1278455344230334865")},
				imap.FetchItem{Kind: imap.FetchOther, Name: "X-FOO[1]<2>", Raw: imap.RawValue(`"z"`)})},
	}
}

func TestReadResponseTyped(t *testing.T) {
	for _, tc := range typedCases(t) {
		modes := []*Options{rtLenient, rtStrict}
		if tc.opts != nil {
			modes = []*Options{tc.opts}
		}
		for _, opts := range modes {
			r, err := rtDecode(tc.in+"\r\n", opts)
			if err != nil {
				t.Errorf("%s (%v): %q: %v", tc.name, opts.Mode, tc.in, err)
				continue
			}
			if !rtEqual(r, &tc.want) {
				t.Errorf("%s (%v): %q:\n got %s\nwant %s", tc.name, opts.Mode, tc.in, rtDump(r), rtDump(&tc.want))
			}
		}
	}
}

// TestReadResponseVendorItem decodes a vendor FETCH item with
// Options.FetchItems.
func TestReadResponseVendorItem(t *testing.T) {
	opts := &Options{FetchItems: map[string]FetchItemDecoder{
		"X-GM-LABELS": func(s *Scanner) (any, error) {
			var labels []string
			err := s.List(func() error {
				l, err := s.AString()
				labels = append(labels, l)
				return err
			})
			return labels, err
		},
	}}
	r, err := rtDecode(`* 1 FETCH (UID 3 X-GM-LABELS (\Inbox "Work stuff" Foo) FLAGS ())`+"\r\n", opts)
	if err != nil {
		t.Fatal(err)
	}
	it := r.Fetch.Items[1]
	if it.Kind != imap.FetchOther || it.Name != "X-GM-LABELS" || !rtEqual(it.Value, []string{`\Inbox`, "Work stuff", "Foo"}) {
		t.Errorf("vendor item = %s", rtDump(it))
	}
	if len(r.Fetch.Items) != 3 || r.Fetch.Items[2].Kind != imap.FetchFlags {
		t.Errorf("items = %s", rtDump(r.Fetch.Items))
	}
}

// TestReadResponseLenientQuirks decodes what real servers send that the
// ABNF does not allow: lenient mode must accept each, strict mode reject
// it.
func TestReadResponseLenientQuirks(t *testing.T) {
	fetch := func(items ...imap.FetchItem) Response {
		return Response{Kind: KindFetch, Fetch: &imap.FetchData{Seq: 1, Items: items}}
	}
	env := func(e imap.Envelope) Response {
		return fetch(imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &e})
	}
	body := func(b imap.BodyStructure) Response {
		return fetch(imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &b})
	}
	cases := []typedCase{
		{name: "-1 number", in: "* 1 FETCH (RFC822.SIZE -1)",
			want: fetch(imap.FetchItem{Kind: imap.FetchRFC822Size})},
		{name: "NIL string", in: `* 1 FETCH (BODYSTRUCTURE (NIL "PLAIN" NIL NIL NIL NIL 5))`,
			want: body(imap.BodyStructure{Subtype: "PLAIN", Size: 5, Extended: true})},
		{name: "spaces between addresses", in: `* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "a" "b") (NIL NIL "c" "d")) NIL NIL NIL NIL NIL NIL NIL))`,
			want: env(imap.Envelope{From: []imap.Address{rtAddr("", "a", "b"), rtAddr("", "c", "d")}})},
		{name: "doubled spaces", in: `* 1  FETCH ( UID  5  FLAGS ( \Seen  \Draft ) )`,
			want: fetch(imap.FetchItem{Kind: imap.FetchUID, Num: 5},
				imap.FetchItem{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen, imap.FlagDraft}})},
		{name: "doubled spaces in lists", in: `* 1 FETCH (ENVELOPE ( NIL  NIL  ( (NIL NIL "a" "b") ) NIL NIL NIL NIL NIL NIL NIL ))`,
			want: env(imap.Envelope{From: []imap.Address{rtAddr("", "a", "b")}})},
		{name: "missing space between items", in: `* 1 FETCH (FLAGS (\Seen)UID 5)`,
			want: fetch(imap.FetchItem{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen}},
				imap.FetchItem{Kind: imap.FetchUID, Num: 5})},
		{name: "flags without space", in: `* FLAGS (\Seen\Draft)`,
			want: Response{Kind: KindFlags, Flags: []imap.Flag{imap.FlagSeen, imap.FlagDraft}}},
		{name: "spaces between parts", in: `* 1 FETCH (BODY (("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1) ("TEXT" "HTML" NIL NIL NIL "7BIT" 2 1) "ALTERNATIVE"))`,
			want: fetch(imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{Type: "MULTIPART", Subtype: "ALTERNATIVE",
				Parts: []imap.BodyStructure{{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT", Size: 1, Lines: 1},
					{Type: "TEXT", Subtype: "HTML", Encoding: "7BIT", Size: 2, Lines: 1}}}})},
		{name: "mailbox with 8-bit", in: "* LIST () \"/\" Entw\xc3\xbcrfe",
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "Entw\xc3\xbcrfe"}}},
		{name: "mailbox with tab", in: "* STATUS a\tb (MESSAGES 1)",
			want: Response{Kind: KindStatusData, StatusData: &imap.StatusData{Mailbox: "a\tb",
				Items: []imap.StatusValue{{Item: imap.StatusMessages, Num: 1}}}}},
		{name: "bad modified UTF-7 kept", in: `* LIST () "/" "&Jjo!"`,
			want: Response{Kind: KindList, List: &imap.ListData{Delim: '/', Mailbox: "&Jjo!"}}},
		{name: "8-bit quoted", in: "* 1 FETCH (ENVELOPE (NIL \"caf\xc3\xa9\" NIL NIL NIL NIL NIL NIL NIL NIL))",
			want: env(imap.Envelope{Subject: rtNstr("caf\xc3\xa9")})},
		{name: "bare +", in: "+",
			want: Response{Kind: KindContinuation}},
		{name: "bare LF", in: "* 3 EXISTS\n",
			want: Response{Kind: KindExists, Num: 3}},
		{name: "wrapped envelope", in: `* 1 FETCH (ENVELOPE ((NIL "s" NIL NIL NIL NIL NIL NIL NIL NIL)))`,
			want: env(imap.Envelope{Subject: rtNstr("s")})},
		{name: "bare disposition", in: `* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1 NIL "inline"))`,
			want: body(imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT", Size: 1, Lines: 1,
				Extended: true, Disposition: &imap.Disposition{Type: "inline"}})},
		{name: "item without value", in: `* 1 FETCH (UID 5 FLAGS)`,
			want: fetch(imap.FetchItem{Kind: imap.FetchUID, Num: 5}, imap.FetchItem{Kind: imap.FetchFlags})},
		{name: "status without text", in: "a1 OK",
			want: Response{Kind: KindStatus, Tag: "a1", Status: StatusOK}},
		{name: "malformed code is text", in: "* OK [UIDNEXT] next",
			want: Response{Kind: KindStatus, Status: StatusOK, Code: &imap.ResponseCode{Name: imap.CodeUIDNext}, Text: "next"}},
		{name: "unterminated code is text", in: "* OK [ALERT oops",
			want: Response{Kind: KindStatus, Status: StatusOK, Text: "[ALERT oops"}},
		{name: "typed code with junk", in: "* OK [UIDVALIDITY 9877410381] x",
			want: Response{Kind: KindStatus, Status: StatusOK, Code: &imap.ResponseCode{Name: imap.CodeUIDValidity,
				Raw: "9877410381"}, Text: "x"}},
		{name: "empty address list", in: `* 1 FETCH (ENVELOPE (NIL NIL () NIL NIL NIL NIL NIL NIL NIL))`,
			want: env(imap.Envelope{From: []imap.Address{}})},
		{name: "atom nstring", in: `* 1 FETCH (ENVELOPE (NIL subject NIL NIL NIL NIL NIL NIL NIL NIL))`,
			want: env(imap.Envelope{Subject: rtNstr("subject")})},
		{name: "empty params", in: `* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" () NIL NIL "7BIT" 1 1))`,
			want: body(imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN", Params: []imap.Param{}, Encoding: "7BIT",
				Size: 1, Lines: 1, Extended: true})},
		{name: "message without envelope", in: `* 1 FETCH (BODY ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 100))`,
			want: fetch(imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{Type: "MESSAGE", Subtype: "RFC822",
				Encoding: "7BIT", Size: 100}})},
		{name: "message with NIL envelope", in: `* 1 FETCH (BODY ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 100 NIL ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1) 5))`,
			want: fetch(imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{Type: "MESSAGE", Subtype: "RFC822",
				Encoding: "7BIT", Size: 100, Lines: 5, Body: &imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN",
					Encoding: "7BIT", Size: 10, Lines: 1}}})},
		{name: "text without lines", in: `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1))`,
			want: fetch(imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{Type: "TEXT", Subtype: "PLAIN",
				Encoding: "7BIT", Size: 1}})},
		{name: "trailing space", in: "* SEARCH 1 2 ",
			want: Response{Kind: KindSearch, Search: &imap.SearchData{Nums: []uint32{1, 2}}}},
		{name: "single digit date", in: `* 1 FETCH (INTERNALDATE "7-Jul-1996 02:44:25 +0000")`,
			want: fetch(imap.FetchItem{Kind: imap.FetchInternalDate, Time: time.Date(1996, 7, 7, 2, 44, 25, 0, time.UTC)})},
		{name: "date without zone", in: `* 1 FETCH (INTERNALDATE "07-Jul-1996 02:44:25")`,
			want: fetch(imap.FetchItem{Kind: imap.FetchInternalDate, Time: time.Date(1996, 7, 7, 2, 44, 25, 0, time.UTC)})},
		{name: "thread with spaces", in: "* THREAD (1) (2 (3)(4))",
			want: Response{Kind: KindThread, Threads: []imap.ThreadNode{{Num: 1},
				{Num: 2, Children: []imap.ThreadNode{{Num: 3}, {Num: 4}}}}}},
		{name: "namespace with spaces", in: `* NAMESPACE (("" "/") ("#x/" "/")) NIL  NIL`,
			want: Response{Kind: KindNamespace, Namespace: &imap.NamespaceData{Personal: []imap.NamespaceDescr{
				{Delim: '/'}, {Prefix: "#x/", Delim: '/'}}}}},
		{name: "empty fetch", in: "* 1 FETCH ()",
			want: fetch()},
		{name: "tagged bye", in: "a BYE going",
			want: Response{Kind: KindStatus, Tag: "a", Status: StatusBYE, Text: "going"}},
		{name: "badcharset without parens", in: "B283 NO [BADCHARSET UTF-8] KOI8-R is not supported",
			want: Response{Kind: KindStatus, Tag: "B283", Status: StatusNO, Code: &imap.ResponseCode{Name: imap.CodeBadCharset,
				Raw: "UTF-8"}, Text: "KOI8-R is not supported"}},
	}
	for _, tc := range cases {
		in := tc.in
		if !strings.HasSuffix(in, "\n") {
			in += "\r\n"
		}
		r, err := rtDecode(in, rtLenient)
		if err != nil {
			t.Errorf("%s: lenient: %q: %v", tc.name, tc.in, err)
		} else if !rtEqual(r, &tc.want) {
			t.Errorf("%s: %q:\n got %s\nwant %s", tc.name, tc.in, rtDump(r), rtDump(&tc.want))
		}
		if _, err := rtDecode(in, rtStrict); err == nil {
			t.Errorf("%s: strict mode accepts %q", tc.name, tc.in)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: strict: %v, want a syntax error", tc.name, err)
		}
	}
}

// TestReadResponseStrictRejects lists deviations from the ABNF that strict
// mode must reject (lenient mode may accept them or not).
func TestReadResponseStrictRejects(t *testing.T) {
	for _, in := range []string{
		"",                       // empty line
		"*",                      // no keyword
		"* OK",                   // no SP before resp-text
		"*  OK hi",               // doubled SP
		"A1 PREAUTH hi",          // tagged PREAUTH
		"A+1 OK hi",              // "+" in a tag
		"* OK [UIDNEXT 0] x",     // nz-number
		"* OK [UIDNEXT 12a] x",   // junk after the number
		"* OK [APPENDUID 1 *] x", // "*" in a uid-set
		"* OK [COPYUID 1 1:2] x", // missing set
		"* OK [PERMANENTFLAGS (\\Seen \\Draft] x",
		"* OK [HIGHESTMODSEQ 0] x",     // mod-sequence-value >= 1
		"* OK [CAPABILITY STARTTLS] x", // no IMAP4rev1/IMAP4rev2
		"* CAPABILITY IDLE",            // no IMAP4rev1/IMAP4rev2
		"* OK \x00 nul",                // NUL in text
		"* OK caf\xc3\xa9",             // 8-bit text without UTF8
		"* 0 FETCH (UID 1)",            // nz-number
		"* 0 EXPUNGE",                  // nz-number
		"* 1 FETCH (UID 0)",            // uniqueid is nz-number
		"* 1 FETCH (UID 1",             // unterminated
		"* 1 FETCH (UID 1) x",          // trailing junk
		"* 1 FETCH (FLAGS (\\*))",      // \* only in PERMANENTFLAGS
		"* 1 FETCH (FLAGS (\\Seen]))",  // "]" in a flag
		"* 1 FETCH (BODY[1.0] NIL)",    // nz-number in section-part
		"* 1 FETCH (BODY[MIME] NIL)",   // MIME needs a part
		"* 1 FETCH (BODY[HEADER.FIELDS ()] NIL)",
		"* 1 FETCH (BODY[FOO] NIL)",
		"* 1 FETCH (BINARY[1.TEXT] NIL)", // section-binary
		"* 1 FETCH (BODY[] ~{1}\r\nx)",   // literal8 outside BINARY
		"* 1 FETCH (INTERNALDATE \"1-Jul-1996 02:44:25 +0000\")",
		"* 1 FETCH (INTERNALDATE \"31-Feb-1996 02:44:25 +0000\")",
		"* 1 FETCH (INTERNALDATE \"01-Jul-1996 24:44:25 +0000\")",
		"* 1 FETCH (INTERNALDATE \"01-Jul-1996 02:44:25 +0070\")",
		"* 1 FETCH (INTERNALDATE \"01-Jly-1996 02:44:25 +0000\")",
		"* 1 FETCH (MODSEQ 5)",
		"* 1 FETCH (EMAILID (a.b))",
		"* 1 FETCH (ENVELOPE (NIL NIL (\"a\" NIL NIL NIL) NIL NIL NIL NIL NIL NIL NIL))",
		"* 1 FETCH (ENVELOPE (NIL NIL NIL NIL NIL NIL NIL NIL NIL))", // 9 fields
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL (\"inline\")))",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"a\") NIL NIL \"7BIT\" 1 1))",
		"* 1 FETCH (BODYSTRUCTURE (\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 1))",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL () NIL))",
		"* 1 FETCH (BODYSTRUCTURE (\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 1 1 NIL NIL NIL NIL FOO))",
		"* 1 FETCH (BODY (\"TEXT\" \"PLAIN\" NIL NIL NIL 7BIT 1 1))",
		"* LIST (Noselect) \"/\" foo", // attribute without "\"
		"* LIST () \"ab\" foo",        // two-character delimiter
		"* LIST () \"/\" \"&Jjo!\"",   // bad modified UTF-7
		"* LIST () \"/\" foo*",        // list-wildcards in a mailbox
		"* STATUS foo (MESSAGES x)",
		"* STATUS foo (UIDNEXT 0)",
		"* SEARCH 0",
		"* SEARCH (MODSEQ 5)",
		"* SORT 1 (MODSEQ 0)",
		"* ESEARCH MIN 2 UID",
		"* ESEARCH ALL $",
		"* THREAD (1 (2))", // thread-nested needs two lists
		"* THREAD ()",
		"* VANISHED 1:*",
		"* VANISHED (LATER) 1",
		"* NAMESPACE () NIL NIL",
		"* NAMESPACE ((foo \"/\")) NIL NIL",
		"* ID (\"a\")",
		"* QUOTA root ()",
		"* MYRIGHTS INBOX",
		"* LISTRIGHTS INBOX fred",
		"* METADATA INBOX ()",
		"+",
		"+go",
		"0 OK \r",          // bare CR in text
		"* OK [X \x8c] hi", // 8-bit in a code's argument without UTF8
		"* A\x00",          // NUL in an unknown response's name
		"* X{5}\r\nabcde",  // unknown keyword is not an atom
		"* A {1+}\r\nx",    // {n+} only from clients (RFC 7888 §3)
		"* 1 FETCH (BODY[] {1+}\r\nx)",
		"* 1 FETCH (NIL \"\")", // NIL is no item name
	} {
		_, err := rtDecode(in+"\r\n", rtStrict)
		if err == nil {
			t.Errorf("strict mode accepts %q", in)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want a syntax error", in, err)
		}
	}
}

// With UTF8, text must be valid UTF-8 in strict mode.
func TestReadResponseStrictUTF8Text(t *testing.T) {
	opts := *rtStrict
	opts.UTF8 = true
	if _, err := rtDecode("* BYE caf\xc3\xa9\r\n", &opts); err != nil {
		t.Errorf("valid UTF-8 text rejected: %v", err)
	}
	if _, err := rtDecode("* BYE \xff\r\n", &opts); !errors.Is(err, ErrSyntax) {
		t.Errorf("invalid UTF-8 text: err = %v, want a syntax error", err)
	}
}

// An unknown response whose keyword runs into a literal keeps the literal
// in Raw (lenient) and never loses its place in the stream.
func TestReadResponseUnknownLiteral(t *testing.T) {
	for _, opts := range []*Options{rtLenient, rtStrict} {
		d := rtDecoder("* X{5}\r\nabcde\r\n* 2 EXISTS\r\n", opts)
		var r Response
		err := d.ReadResponse(&r)
		if opts.Mode == Lenient && (err != nil || r.Kind != KindOther || r.Name != "X" || string(r.Raw) != "{5}\r\nabcde") {
			t.Errorf("lenient: %v %s", err, rtDump(r))
		}
		if opts.Mode == Strict && !errors.Is(err, ErrSyntax) {
			t.Errorf("strict: err = %v, want a syntax error", err)
		}
		if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists || r.Num != 2 {
			t.Errorf("%v: next response: %v %s", opts.Mode, err, rtDump(r))
		}
	}
}

// TestReadResponseResync checks that after a malformed response the
// decoder reports where it was and goes on with the next one, skipping
// literals the bad response announced.
func TestReadResponseResync(t *testing.T) {
	for _, opts := range []*Options{rtLenient, rtStrict} {
		in := "* 1 FETCH (UID x)\r\n" + // 19 bytes
			"* 2 FETCH (BODY[] {5}\r\nhello UID (oops)\r\n" +
			"* 3 FETCH (X-BAD {7}\r\n) junk)\r\n" + // the literal holds ")" and more
			"a1 BANANA {6}\r\n{3}\r\n\r\n" +
			"* 4 EXISTS\r\n"
		d := rtDecoder(in, opts)
		var r Response
		err := d.ReadResponse(&r)
		var se *SyntaxError
		if !errors.As(err, &se) || se.Offset != 15 || !strings.Contains(se.Excerpt, "UID x") {
			t.Fatalf("%v: first error = %v (%+v)", opts.Mode, err, se)
		}
		if r.Kind != 0 {
			t.Errorf("%v: response not zeroed after an error: %s", opts.Mode, rtDump(r))
		}
		if err := d.ReadResponse(&r); !errors.As(err, &se) || se.Offset != 19+23+5+5 {
			t.Fatalf("%v: second error = %v (%+v)", opts.Mode, err, se)
		}
		// The third is bad only if the raw value is: X-BAD's literal
		// holds ") junk" and the line goes on with ")".
		err = d.ReadResponse(&r)
		if err != nil && !errors.Is(err, ErrSyntax) {
			t.Fatalf("%v: third: %v", opts.Mode, err)
		}
		if err := d.ReadResponse(&r); !errors.As(err, &se) || se.Tag != "a1" {
			t.Fatalf("%v: fourth error = %v (%+v)", opts.Mode, err, se)
		}
		if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists || r.Num != 4 {
			t.Fatalf("%v: after the errors: %v %s", opts.Mode, err, rtDump(r))
		}
		if err := d.ReadResponse(&r); err != io.EOF {
			t.Fatalf("%v: at the end: %v", opts.Mode, err)
		}
	}
}

func TestReadResponseEOF(t *testing.T) {
	d := rtDecoder("", nil)
	var r Response
	if err := d.ReadResponse(&r); err != io.EOF {
		t.Errorf("empty stream: %v, want io.EOF", err)
	}
	for _, in := range []string{"* 1 FETCH (UID", "* 1 FETCH (BODY[] {10}\r\nabc", "* 1 FETCH (BODY[] {3}\r\nabc"} {
		d := rtDecoder(in, nil)
		if err := d.ReadResponse(&r); err != io.ErrUnexpectedEOF {
			t.Errorf("%q: %v, want io.ErrUnexpectedEOF", in, err)
		}
	}
	// A blank line between responses is skipped in lenient mode only.
	d = rtDecoder("\r\n* 1 EXISTS\r\n", nil)
	if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
		t.Errorf("blank line: %v %s", err, rtDump(r))
	}
}

// TestReadResponseStringsOwned checks that a decoded response stays valid
// after the next one is decoded.
func TestReadResponseStringsOwned(t *testing.T) {
	in := "* 1 FETCH (ENVELOPE (NIL \"first \\\"one\\\"\" ((\"A\" NIL \"a\" \"x\")) NIL NIL NIL NIL NIL NIL NIL) BODY[] {5}\r\nhello)\r\n" +
		"* 2 FETCH (ENVELOPE (NIL \"second\" ((\"B\" NIL \"b\" \"y\")) NIL NIL NIL NIL NIL NIL NIL) BODY[] {5}\r\nworld)\r\n"
	d := rtDecoder(in, nil)
	var r1, r2 Response
	if err := d.ReadResponse(&r1); err != nil {
		t.Fatal(err)
	}
	if err := d.ReadResponse(&r2); err != nil {
		t.Fatal(err)
	}
	e := r1.Fetch.Items[0].Envelope
	if e.Subject.S != `first "one"` || e.From[0].Name.S != "A" || r1.Fetch.Items[1].Data.S != "hello" {
		t.Errorf("first response changed: %s", rtDump(r1))
	}
	// Appending to a decoded slice must not write into another response.
	_ = append(r1.Fetch.Items, imap.FetchItem{Kind: imap.FetchUID})
	_ = append(e.From, imap.Address{})
	if r2.Fetch.Items[0].Envelope.From[0].Name.S != "B" || r2.Fetch.Items[0].Kind != imap.FetchEnvelope {
		t.Errorf("second response changed: %s", rtDump(r2))
	}
}

func TestReadResponseLimits(t *testing.T) {
	t.Run("huge literal", func(t *testing.T) {
		// {4294967295} must neither be allocated nor be read into memory.
		// Here the stream ends after the announcement: skipping the
		// literal meets the end of the stream.
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		in := "* 1 FETCH (BODY[] {4294967295}\r\n"
		d0 := rtDecoder(in, nil)
		var r0 Response
		err := d0.ReadResponse(&r0)
		runtime.ReadMemStats(&after)
		if err != io.ErrUnexpectedEOF && !errors.Is(err, ErrLiteralTooLarge) {
			t.Fatalf("err = %v, want ErrLiteralTooLarge or io.ErrUnexpectedEOF", err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Fatalf("decoding allocated %d bytes", n)
		}
		// Under MaxLiteralSize but over MaxMemoryLiteral: rejected, and
		// skipped so that the next response decodes.
		body := strings.Repeat("x", 100)
		in = "* 1 FETCH (BODY[] {100}\r\n" + body + ")\r\n* 2 EXISTS\r\n"
		d := rtDecoder(in, &Options{MaxMemoryLiteral: 50})
		var resp Response
		if err := d.ReadResponse(&resp); !errors.Is(err, ErrLiteralTooLarge) {
			t.Fatalf("err = %v, want ErrLiteralTooLarge", err)
		}
		if err := d.ReadResponse(&resp); err != nil || resp.Kind != KindExists {
			t.Fatalf("after the literal: %v %s", err, rtDump(resp))
		}
	})
	t.Run("huge literal skipped", func(t *testing.T) {
		// The literal's 4 GiB are skipped without being stored.
		const size = 4294967295
		head := "* 1 FETCH (BODY[] {4294967295}\r\n"
		tail := ")\r\n* 2 EXISTS\r\n"
		d := NewDecoder(bufio.NewReaderSize(&fillReader{head: head, n: size, tail: tail}, 1<<20), nil)
		var r Response
		if err := d.ReadResponse(&r); !errors.Is(err, ErrLiteralTooLarge) {
			t.Fatalf("err = %v, want ErrLiteralTooLarge", err)
		}
		if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
			t.Fatalf("after the literal: %v %s", err, rtDump(r))
		}
	})
	t.Run("max depth", func(t *testing.T) {
		deep := strings.Repeat("(", 99) + `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 1 1)` + strings.Repeat(` "MIXED")`, 99)
		in := "* 1 FETCH (BODYSTRUCTURE " + deep + ")\r\n* 2 EXISTS\r\n"
		d := rtDecoder(in, &Options{MaxDepth: 20})
		var r Response
		if err := d.ReadResponse(&r); !errors.Is(err, ErrTooDeep) {
			t.Fatalf("err = %v, want ErrTooDeep", err)
		}
		if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
			t.Fatalf("after: %v", err)
		}
		// Within the limit it decodes.
		d = rtDecoder(in, &Options{MaxDepth: 200})
		if err := d.ReadResponse(&r); err != nil {
			t.Fatal(err)
		}
		b, depth := r.Fetch.Items[0].Body, 0
		for b.IsMultipart() {
			b, depth = &b.Parts[0], depth+1
		}
		if depth != 99 || b.Subtype != "PLAIN" {
			t.Errorf("depth %d, leaf %s", depth, rtDump(b))
		}
	})
	t.Run("max line length", func(t *testing.T) {
		in := "* OK " + strings.Repeat("x", 200) + "\r\n* 1 EXISTS\r\n"
		d := rtDecoder(in, &Options{MaxLineLength: 100})
		var r Response
		if err := d.ReadResponse(&r); !errors.Is(err, ErrLineTooLong) || !errors.Is(err, ErrSyntax) {
			t.Fatalf("err = %v, want ErrLineTooLong", err)
		}
		if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
			t.Fatalf("after: %v", err)
		}
		// An over-long line that announces a literal: the literal is
		// skipped too, also when the line is longer than bufio's buffer.
		for _, bufSize := range []int{16, 4096} {
			in = "* 1 FETCH (X " + strings.Repeat("y", 200) + " BODY[] {5}\r\n)))))\r\n* 2 EXISTS\r\n"
			d = NewDecoder(bufio.NewReaderSize(strings.NewReader(in), bufSize), &Options{MaxLineLength: 100})
			if err := d.ReadResponse(&r); !errors.Is(err, ErrLineTooLong) {
				t.Fatalf("err = %v, want ErrLineTooLong", err)
			}
			if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists || r.Num != 2 {
				t.Fatalf("buffer %d: after: %v %s", bufSize, err, rtDump(r))
			}
		}
	})
	t.Run("max list length", func(t *testing.T) {
		in := "* SEARCH" + strings.Repeat(" 1", 50) + "\r\n"
		if _, err := rtDecode(in, &Options{MaxListLength: 10}); !errors.Is(err, ErrListTooLong) {
			t.Fatalf("err = %v, want ErrListTooLong", err)
		}
		in = "* 1 FETCH (FLAGS (" + strings.Repeat(`\Seen `, 50) + "))\r\n"
		if _, err := rtDecode(in, &Options{MaxListLength: 10}); !errors.Is(err, ErrListTooLong) {
			t.Fatalf("err = %v, want ErrListTooLong", err)
		}
	})
	t.Run("max literals", func(t *testing.T) {
		in := "* 1 FETCH (BODY[1] {1}\r\na BODY[2] {1}\r\nb BODY[3] {1}\r\nc)\r\n"
		if _, err := rtDecode(in, &Options{MaxLiterals: 2}); !errors.Is(err, ErrTooManyLiterals) {
			t.Fatalf("err = %v, want ErrTooManyLiterals", err)
		}
	})
	t.Run("strict CRLF with literal", func(t *testing.T) {
		in := "* 1 FETCH (BODY[] {5}\nhello)\r\n* 2 EXISTS\r\n"
		d := rtDecoder(in, rtStrict)
		var r Response
		if err := d.ReadResponse(&r); !errors.Is(err, ErrSyntax) {
			t.Fatalf("err = %v", err)
		}
		if err := d.ReadResponse(&r); err != nil || r.Num != 2 {
			t.Fatalf("after: %v %s", err, rtDump(r))
		}
	})
}

// fillReader yields head, n filler bytes (without storing them), then
// tail.
type fillReader struct {
	head string
	n    int64
	tail string
}

func (f *fillReader) Read(p []byte) (int, error) {
	switch {
	case f.head != "":
		n := copy(p, f.head)
		f.head = f.head[n:]
		return n, nil
	case f.n > 0:
		n := int64(len(p))
		if n > f.n {
			n = f.n
		}
		f.n -= n
		return int(n), nil
	case f.tail != "":
		n := copy(p, f.tail)
		f.tail = f.tail[n:]
		return n, nil
	}
	return 0, io.EOF
}

func TestReadResponseStream(t *testing.T) {
	var got []string
	var items []imap.FetchItem
	opts := &Options{Stream: func(lit *Literal) error {
		// Read part of the literal only: the rest is discarded.
		buf := make([]byte, 4)
		n, _ := io.ReadFull(lit, buf)
		got = append(got, string(buf[:n]))
		items = append(items, *lit.Item)
		if lit.Seq != 7 {
			t.Errorf("Seq = %d", lit.Seq)
		}
		return nil
	}}
	in := "* 7 FETCH (UID 1 BODY[1.TEXT]<100> {11}\r\nhello world BINARY[2] ~{3}\r\n\x00\x01\x02 RFC822.HEADER {2}\r\nab" +
		" RFC822.SIZE 44 ENVELOPE (NIL {3}\r\nsub NIL NIL NIL NIL NIL NIL NIL NIL))\r\n* 8 EXISTS\r\n"
	d := rtDecoder(in, opts)
	var r Response
	if err := d.ReadResponse(&r); err != nil {
		t.Fatal(err)
	}
	if !rtEqual(got, []string{"hell", "\x00\x01\x02", "ab"}) {
		t.Errorf("streamed %q", got)
	}
	if items[0].Kind != imap.FetchBodySection || items[0].Origin != 100 || items[0].Section.Spec != imap.SpecText ||
		items[1].Kind != imap.FetchBinary || !items[1].Binary || items[2].Kind != imap.FetchRFC822Header {
		t.Errorf("items seen by the handler: %s", rtDump(items))
	}
	want := []imap.FetchItem{
		{Kind: imap.FetchUID, Num: 1},
		{Kind: imap.FetchBodySection, Section: imap.Section{Part: []uint32{1}, Spec: imap.SpecText}, Origin: 100,
			HasOrigin: true, Streamed: true, Size: 11},
		{Kind: imap.FetchBinary, Section: imap.Section{Part: []uint32{2}}, Binary: true, Streamed: true, Size: 3},
		{Kind: imap.FetchRFC822Header, Streamed: true, Size: 2},
		{Kind: imap.FetchRFC822Size, Num: 44},
		// Only message data is streamed: the subject literal is not.
		{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{Subject: rtNstr("sub")}},
	}
	if !rtEqual(r.Fetch.Items, want) {
		t.Errorf("items:\n got %s\nwant %s", rtDump(r.Fetch.Items), rtDump(want))
	}
	if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
		t.Fatalf("next: %v", err)
	}

	// A huge literal goes to the handler, which may skip it.
	const size = 4294967295
	var seen int64
	opts = &Options{MaxLiteralSize: 1 << 33, Stream: func(lit *Literal) error {
		seen = lit.Size
		return nil
	}}
	d = NewDecoder(bufio.NewReaderSize(&fillReader{head: "* 1 FETCH (BODY[] {4294967295}\r\n", n: size,
		tail: " UID 5)\r\n"}, 1<<20), opts)
	if err := d.ReadResponse(&r); err != nil {
		t.Fatal(err)
	}
	if seen != size || !r.Fetch.Items[0].Streamed || r.Fetch.Items[0].Size != size || r.Fetch.UID() != 5 {
		t.Errorf("huge streamed literal: seen %d, %s", seen, rtDump(r))
	}

	// An error from the handler is returned as it is, after the rest of
	// the response was skipped.
	errStop := errors.New("stop")
	opts = &Options{Stream: func(lit *Literal) error { return errStop }}
	d = rtDecoder("* 1 FETCH (BODY[] {3}\r\nabc BODY[1] {2}\r\nxy)\r\n* 2 EXISTS\r\n", opts)
	if err := d.ReadResponse(&r); err != errStop {
		t.Fatalf("err = %v, want the handler's", err)
	}
	if err := d.ReadResponse(&r); err != nil || r.Kind != KindExists {
		t.Fatalf("after the handler's error: %v %s", err, rtDump(r))
	}
}

func TestReadResponseUTF8(t *testing.T) {
	in := "* LIST () \"/\" \"Entw\xc3\xbcrfe\"\r\n* OK caf\xc3\xa9\r\n"
	d := rtDecoder(in, &Options{Mode: Strict, UTF8: true})
	var r Response
	if err := d.ReadResponse(&r); err != nil || r.List.Mailbox != "Entw\xc3\xbcrfe" {
		t.Fatalf("%v %s", err, rtDump(r))
	}
	if err := d.ReadResponse(&r); err != nil || r.Text != "caf\xc3\xa9" {
		t.Fatalf("%v %s", err, rtDump(r))
	}
	// Invalid UTF-8 is still rejected in strict mode.
	if _, err := rtDecode("* LIST () \"/\" \"\xff\"\r\n", &Options{Mode: Strict, UTF8: true}); err == nil {
		t.Error("strict UTF-8 mode accepts invalid UTF-8")
	}
}

func TestReadResponseZoneCache(t *testing.T) {
	var in bytes.Buffer
	for i := 0; i < 50; i++ {
		in.WriteString("* 1 FETCH (INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n")
	}
	d := rtDecoder(in.String(), nil)
	var locs []*time.Location
	for {
		var r Response
		if err := d.ReadResponse(&r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		locs = append(locs, r.Fetch.Items[0].Time.Location())
	}
	for _, l := range locs {
		if l != locs[0] {
			t.Fatal("the zone is not cached")
		}
	}
}

func TestReadResponseAllocs(t *testing.T) {
	s := w1stream.W1Stream(200)
	allocs := testing.AllocsPerRun(5, func() {
		decodeStream(t, s.Data, nil, nil)
	})
	perMsg := allocs / 200
	t.Logf("%.1f allocations per message", perMsg)
	if perMsg > 38 {
		t.Errorf("%.1f allocations per message, want at most 38", perMsg)
	}
}
