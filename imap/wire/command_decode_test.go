package wire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// rfcMessage builds the example message of RFC 3501 §6.3.11 and its
// variants: lines joined and ended by CRLF.
func rfcMessage(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

var (
	// RFC 3501 §6.3.11 (310 octets).
	appendMsg3501 = rfcMessage(
		"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)",
		"From: Fred Foobar <foobar@Blurdybloop.COM>",
		"Subject: afternoon meeting",
		"To: mooch@owatagu.siam.edu",
		"Message-Id: <B27397-0100000@Blurdybloop.COM>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Hello Joe, do you think we can meet at 3:30 tomorrow?")
	// RFC 9051 §6.3.12 (326 octets).
	appendMsg9051 = rfcMessage(
		"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)",
		"From: Fred Foobar <foobar@Blurdybloop.example>",
		"Subject: afternoon meeting",
		"To: mooch@owatagu.siam.edu.example",
		"Message-Id: <B27397-0100000@Blurdybloop.example>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Hello Joe, do you think we can meet at 3:30 tomorrow?")
	// RFC 9051 §6.3.12 LITERAL+ example and RFC 4315 (297 octets).
	appendMsg297 = rfcMessage(
		"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)",
		"From: Fred Foobar <foobar@example.com>",
		"Subject: afternoon meeting",
		"To: mooch@example.com",
		"Message-Id: <B27397-0100000@example.com>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Hello Joe, do you think we can meet at 3:30 tomorrow?")
	// RFC 3502 §6 MULTIAPPEND (329 and 295 octets).
	multiAppend1 = rfcMessage(
		"Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)",
		"From: Fred Foobar <foobar@Blurdybloop.example.COM>",
		"Subject: afternoon meeting",
		"To: mooch@owatagu.example.net",
		"Message-Id: <B27397-0100000@Blurdybloop.example.COM>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Hello Joe, do you think we can meet at 3:30 tomorrow?")
	// RFC 8508 §3.2 and §3.3, the messages of REPLACE and UID REPLACE.
	replaceMsg1 = rfcMessage(
		"Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)",
		"From: Fritz Schmidt <fritz.ze@example.org>",
		"Subject: happy new year !!",
		"To: miss.mitzy@example.org",
		"Message-Id: <B238822388-0100000@example.org>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Just saw the best fireworks show. Wish you were here.",
		"")
	replaceMsg2 = rfcMessage(
		"Date: Thu, 1 Jan 2015 00:06:00 -0500 (EST)",
		"From: Fritz Schmidt <fritz.ze@example.org>",
		"Subject: happy new year !!",
		"To: miss.mitzy@example.org",
		"Message-Id: <B238822389-0100000@example.org>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"Just saw the best fireworks show. Wish you were here.",
		"Hopefully next year you can join us.",
		"")
	multiAppend2 = rfcMessage(
		"Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)",
		"From: Joe Mooch <mooch@OWaTaGu.example.net>",
		"Subject: Re: afternoon meeting",
		"To: foobar@blurdybloop.example.com",
		"Message-Id: <a0434793874930@OWaTaGu.example.net>",
		"MIME-Version: 1.0",
		"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII",
		"",
		"3:30 is fine with me.")
)

func lit(s string) string { return fmt.Sprintf("{%d}\r\n%s", len(s), s) }

// rfcCommandExamples are the client commands (the C: lines) of RFC 3501
// §6 and §8, RFC 9051 §6 and §8, and the extensions' examples, joined
// where the RFC wraps them. Each decodes in strict mode.
var rfcCommandExamples = []string{
	// RFC 3501 §6.1-§6.2
	"abcd CAPABILITY", "efgh STARTTLS", "ijkl CAPABILITY", "a002 NOOP", "a047 NOOP",
	"A023 LOGOUT", "a001 CAPABILITY", "a002 STARTTLS", "a003 CAPABILITY",
	"a004 LOGIN joe password", "A001 AUTHENTICATE GSSAPI", "a001 LOGIN SMITH SESAME",
	// §6.3
	"A142 SELECT INBOX", "A932 EXAMINE blurdybloop", "A003 CREATE owatagusiam/",
	"A004 CREATE owatagusiam/blurdybloop", `A682 LIST "" *`, "A683 DELETE blurdybloop",
	"A684 DELETE foo", "A685 DELETE foo/bar", `A686 LIST "" *`, "A687 DELETE foo",
	`A82 LIST "" *`, "A83 DELETE blurdybloop", "A84 DELETE foo", `A85 LIST "" *`,
	`A86 LIST "" %`, "A683 RENAME blurdybloop sarasoop", "A684 RENAME foo zowie",
	`A685 LIST "" *`, `Z432 LIST "" *`, "Z433 RENAME INBOX old-mail", `Z434 LIST "" *`,
	"A002 SUBSCRIBE #news.comp.mail.mime", "A002 UNSUBSCRIBE #news.comp.mail.mime",
	`A101 LIST "" ""`, `A102 LIST #news.comp.mail.misc ""`, `A103 LIST /usr/staff/jones ""`,
	`A202 LIST ~/Mail/ %`, `A002 LSUB "#news." "comp.mail.*"`, `A003 LSUB "#news." "comp.%"`,
	"A042 STATUS blurdybloop (UIDNEXT MESSAGES)",
	`A003 APPEND saved-messages (\Seen) ` + lit(appendMsg3501),
	// §6.4
	"FXXZ CHECK", "A341 CLOSE", "A202 EXPUNGE",
	`A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`,
	`A283 SEARCH TEXT "string not in mailbox"`,
	"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX",
	"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])",
	`A003 STORE 2:4 +FLAGS (\Deleted)`, "A003 COPY 2:4 MEETING",
	"A999 UID FETCH 4827313:4828442 FLAGS",
	// §6.5, §7, §5.5, §7.5
	"a441 CAPABILITY", "A001 LOGIN fred blurdybloop", "A222 COPY 1:2 owatagusiam",
	"A223 COPY 3:200 blurdybloop", "A443 EXPUNGE",
	"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man",
	// §8
	"a001 login mrc secret", "a002 select inbox", "a003 fetch 12 full",
	"a004 fetch 12 body[header]", `a005 store 12 +flags \deleted`, "a006 logout",

	// RFC 9051 §6 (those not already above)
	"a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", "A01 STARTTLS", "A02 CAPABILITY",
	"A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", "C01 CAPABILITY", "A01 AUTHENTICATE PLAIN",
	"A01 AUTHENTICATE EXTERNAL =", "t1 CAPABILITY", "t2 ENABLE CONDSTORE X-GOOD-IDEA",
	"t3 CAPABILITY", "a1 ENABLE CONDSTORE", "A143 SELECT Drafts",
	"A005 CREATE NonNormalized", "1001 RENAME X Y", "1002 SUBSCRIBE Y", "1003 UNSUBSCRIBE X",
	`A01 LIST "" "*"`, `A02 LIST (SUBSCRIBED) "" "*"`, `A03 LIST () "" "%" RETURN (CHILDREN)`,
	`A04 LIST (REMOTE) "" "%" RETURN (CHILDREN)`, `A05 LIST (REMOTE SUBSCRIBED) "" "*"`,
	`A06 LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)`, `C01 LIST "" "*"`,
	`CA3 LIST "" "%" RETURN (CHILDREN)`, `C02 LIST (SUBSCRIBED) "" "*"`,
	`C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"`,
	`C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)`,
	`D01 LIST "" "*"`, `D02 LIST (SUBSCRIBED) "" "*"`,
	`D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*2"`, `D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*"`,
	`a1 LIST "" ("foo")`, `a2 LIST (SUBSCRIBED) "" "foo/*"`,
	`a3 LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)`,
	`a1 LIST (REMOTE) "" *`, `a2 LIST () "" %`, `a3 LIST (REMOTE) "" %`,
	`a3.1 LIST "" (% music/rock)`, `A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))`,
	`A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))`,
	"A001 NAMESPACE", `A002 CREATE "INBOX.Sent Mail"`, `A002 LIST (SPECIAL-USE) "" "*"`,
	`A003 LIST (SPECIAL-USE) "#mh/" "*"`, `A004 CREATE "Sent Mail"`,
	`A005 CREATE "Delete Items"`, `A006 CREATE "#mh/Deleted Items"`,
	`A002 LIST "" "Other Users/%"`, `A002 LIST "" "#Users/%"`, `A003 LIST "" "#Users/Mike/%"`,
	`A002 LIST "" "~mark/%"`,
	`A003 APPEND saved-messages (\Seen) ` + lit(appendMsg9051),
	`A003 APPEND saved-messages (\Seen) {297+}` + "\r\n" + appendMsg297,
	"A004 COPY 2:4 meeting", "A005 UID COPY 305:310 meeting", "A006 COPY 2 funny",
	"A007 SELECT funny", "A001 SELECT INBOX", "A002 IDLE", "A003 FETCH 4 ALL",
	"A342 UNSELECT",
	"A282 SEARCH RETURN (MIN COUNT) FLAGGED", "A283 SEARCH RETURN () FLAGGED",
	"A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск", "A284 SEARCH RETURN (MIN) UNSEEN",
	"A285 UID SEARCH RETURN (MIN MAX) 1:5000", "A286 SEARCH RETURN (COUNT) DELETED",
	`A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`,
	"A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])",
	`A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM "Smith"`,
	"A301 UID SEARCH UID $ SMALLER 4096", "A301 UID SEARCH $ SMALLER 4096",
	`P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM "Smith"`,
	"P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать",
	"B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}\r\nXXXX",
	`E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM "Eric"`,
	`E283 COPY $ "Other Messages"`, "F282 SEARCH RETURN (SAVE) KEYWORD $Junk",
	`F283 COPY $ "Junk"`, `F284 STORE $ +FLAGS.Silent (\Deleted)`,
	"G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006", "H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006",
	"C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006", "C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006",
	"C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006",
	`C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith"`,
	`C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM "Smith"`,
	`C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith"`,
	"a UID MOVE 42:69 foo", "A003 UID EXPUNGE 3000:3002", "o356 RENAME this that",
	`b LOGIN "fred" "foo"`, "c1 AUTHENTICATE PLAIN", "c2 AUTHENTICATE PLAIN",
	`l create "///////"`, `k1 select "/archive/projects/experiment-iv"`,
	`k2 status "/archive/projects/experiment-iv" (messages)`, `e login "fred" "foo"`,
	"h search from maria@example.com", "m356 DELETE Notes",
	`g delete "/archive/projects/experiment-iv"`,
	"m STORE 42 FLAGS f1 f2 f3 f4 f5 ... f250", "n1 uid copy 1:* oldmail",
	"d select inbox", `a LOGIN "fred" "foo"`,
	// RFC 9051 §8
	"a000 starttls", "A001 AUTHENTICATE SCRAM-SHA-256", "babc ENABLE IMAP4rev2",

	// RFC 7888 LITERAL+
	"A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man", `A001 LOGIN "FRED FOOBAR" "fat man"`,
	// RFC 7162 CONDSTORE/QRESYNC
	`a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted)`,
	`a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted $Processed)`,
	`c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\Deleted)`,
	`d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)`,
	"a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)",
	"a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)",
	`B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\SEEN)`,
	`b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\Seen)`,
	"s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)", "a FETCH 1:3 (MODSEQ)",
	`A160 STORE 7 +FLAGS.SILENT (\Deleted)`, `A330 STORE 7 -FLAGS.SILENT (\Answered \Seen)`,
	`a SEARCH MODSEQ "/flags/\\draft" all 620162338`,
	"t SEARCH OR NOT MODSEQ 720162338 LARGER 50000",
	"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)",
	"A142 SELECT INBOX (CONDSTORE)", "a SEARCH RETURN (ALL) MODSEQ 1234",
	"a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234",
	"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))",
	"A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))",
	"A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))",
	"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))",
	"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)", "s101 UID SEARCH 300:500",
	"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)",
	". UID EXPUNGE 3000:3002", `A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \Seen`,
	`A151 STORE 3 +FLAGS.SILENT \Seen`,
	"A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))",
	// RFC 4731 ESEARCH
	`a1 SEARCH RETURN (MIN) MODSEQ "/flags/\\draft" all 620162338`,
	`a4 SEARCH RETURN (MIN COUNT) MODSEQ "/flags/\\draft" all 620162338`,
	// RFC 5258 LIST-EXTENDED
	`BBB LIST "" ("INBOX" "Drafts" "Sent/%")`, `a1 LIST "" ("foo" "foo/*")`,
	// RFC 5256 SORT/THREAD, RFC 5267 ESORT/CONTEXT
	"A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994", "A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL",
	`A284 SORT (SUBJECT) US-ASCII TEXT "not in mailbox"`,
	"A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000",
	`A284 THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp"`,
	"A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000",
	"E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk",
	"A01 SEARCH RETURN (CONTEXT COUNT) UNDELETED", "B01 UID SEARCH RETURN (UPDATE COUNT) DELETED",
	"A02 UID SEARCH RETURN (PARTIAL 23500:24000) UNDELETED",
	// RFC 9208 QUOTA
	`G0001 GETQUOTA "!partition/sda4"`, "G0002 GETQUOTAROOT INBOX", `S0000 GETQUOTA "#user/alice"`,
	`S0001 SETQUOTA "#user/alice" (STORAGE 510)`, `S0002 SETQUOTA "!partition/sda4" (STORAGE 99999999)`,
	"S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)",
	// RFC 4314 ACL
	"A001 SeTacl INBOX/Drafts David lrswida", "A002 getacl INBOX/Drafts",
	"A003 Setacl INBOX/Drafts Byron lrswikda", "A002 getAcl INBOX/Drafts",
	"A002 SETACL INBOX/Drafts Chris +cda", "A035 SETACL INBOX/Drafts John lrQswicda",
	"B002 DeleteAcl INBOX Fred", "a001 LISTRIGHTS ~/Mail/saved smith",
	"a005 listrights archive/imap anyone", "A003 MYRIGHTS INBOX", "1 capability",
	// RFC 5464 METADATA (the examples that follow its ABNF)
	`a GETMETADATA "" /shared/comment`, `a GETMETADATA "INBOX" /private/comment`,
	`a GETMETADATA "INBOX" (/shared/comment /private/comment)`,
	"a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)",
	"a SETMETADATA INBOX (/private/comment NIL)",
	`a SETMETADATA INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")`,
	`a GETMETADATA (MAXSIZE 1024) "INBOX" (/shared/comment /private/comment)`,
	`a GETMETADATA (DEPTH 1) "INBOX" (/private/filters/values)`,
	// RFC 2971 ID, RFC 5161 ENABLE
	`a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")`, "a042 ID NIL",
	// RFC 6154 SPECIAL-USE
	`t1 LIST "" "%"`, `t2 LIST "" "%" RETURN (SPECIAL-USE)`, `t3 LIST (SPECIAL-USE) "" "*"`,
	`t2 CREATE MySpecial (USE (\Drafts \Sent))`, `t3 CREATE Everything (USE (\All))`,
	`t2 GETMETADATA "MyDrafts" /private/specialuse`,
	`t3 SETMETADATA "SavedDrafts" (/private/specialuse "\\Drafts")`,
	// RFC 8970 PREVIEW
	"A1 FETCH 1 (PREVIEW)", "A2 FETCH 1 (RFC822.SIZE PREVIEW)",
	"B1 FETCH 1:4 (ENVELOPE PREVIEW (LAZY))", `C2 SEARCH RETURN (SAVE) FROM "FOO"`,
	"C3 FETCH $ (UID PREVIEW (LAZY))", "C4 UID FETCH 23 (PREVIEW)",
	// RFC 8474 OBJECTID
	"3 create foo", `27 select "foo"`, "6 status foo (mailboxid)", "8 rename foo renamed",
	`11 list "" "*" return (status (mailboxid))`, "22 fetch 1:* (emailid threadid)",
	"4 create bar", "23 move 2 foo", "27 search emailid M6d99ac3275bb4e", "28 search threadid T64b478a75b7ea9",
	"B2 FETCH 3:4 (PREVIEW)",
	`5 append inbox "20-Mar-2018 03:07:37 +1100" ` + lit("Subject: x\r\n\r\nbody\r\n"),
	// RFC 8514 SAVEDATE, RFC 5032 WITHIN
	"A101 FETCH 998 (SAVEDATE)", "A102 SEARCH SAVEDON 28-Dec-2014",
	"A103 SEARCH SAVEDSINCE 28-Dec-2014", "a1 SEARCH UNSEEN YOUNGER 259200",
	// RFC 4978 COMPRESS, RFC 8437 UNAUTHENTICATE, RFC 3516 BINARY
	"a starttls", "b login arnt tnra", "c compress deflate", "x UNAUTHENTICATE",
	"b1 FETCH 1 (BINARY.PEEK[1.2]<0.100> BINARY.SIZE[1] BINARY[])",
	"b2 APPEND INBOX ~{5}\r\nab\x00cd",
	// RFC 3502 MULTIAPPEND
	`A003 APPEND saved-messages (\Seen) ` + lit(multiAppend1) + ` (\Seen) " 7-Feb-1994 22:43:04 -0800" ` + lit(multiAppend2),
	// RFC 4959 SASL-IR, RFC 6851 MOVE, RFC 4315 UIDPLUS, RFC 5182 SEARCHRES
	"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=",
	"A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.HEADER)",
	"P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8}\r\nYYYYYYYY",
	// RFC 8508 REPLACE
	`A003 REPLACE 4 Drafts (\Seen \Draft) ` + lit(replaceMsg1),
	`A004 UID REPLACE 2000 Drafts (\Seen \Draft) ` + lit(replaceMsg2),
	// RFC 5465 NOTIFY (the examples that follow its ABNF; the others are
	// in TestReadCommandNotify)
	"a notify set (mailboxes INBOX (Messagenew messageExpunge)) (personal (SubscriptionChange))",
	"a notify set (selected (Messagenew (uid flags) messageExpunge)) (personal (MessageNew FlagChange MessageExpunge))",
	`a00 SEARCH RETURN (COUNT UPDATE (UID BODY[HEADER.FIELDS (TO FROM SUBJECT)])) FROM "boss"`,
	// RFC 9394 PARTIAL
	"A01 UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk",
	"A02 UID SEARCH RETURN (PARTIAL 23500:24000) UNDELETED UNKEYWORD $Junk",
	"A03 UID SEARCH RETURN (PARTIAL 1:500) UNDELETED UNKEYWORD $Junk",
	"A04 UID SEARCH RETURN (PARTIAL 24000:24500) UNDELETED UNKEYWORD $Junk",
	"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)",
	"11 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL 1:5)",
	"101 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-30 CHANGEDSINCE 98305)",
}

// decodeOne decodes a single command and checks that nothing follows.
func decodeOne(t *testing.T, in string, opts *Options) (*Command, error) {
	t.Helper()
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	var c Command
	err := d.ReadCommand(&c)
	if err != nil {
		return nil, err
	}
	var c2 Command
	if err2 := d.ReadCommand(&c2); err2 != io.EOF {
		t.Errorf("%q: after the command: err = %v, want io.EOF (decoded %+v)", in, err2, c2)
	}
	return &c, nil
}

func TestReadCommandRFCExamplesStrict(t *testing.T) {
	for _, ex := range rfcCommandExamples {
		for _, mode := range []Mode{Strict, Lenient} {
			c, err := decodeOne(t, ex+"\r\n", &Options{Mode: mode})
			if err != nil {
				t.Errorf("%s: %q: %v", mode, ex, err)
				continue
			}
			tag := ex[:strings.IndexByte(ex, ' ')]
			if c.Tag != tag {
				t.Errorf("%q: Tag = %q, want %q", ex, c.Tag, tag)
			}
			if c.Args != nil && c.Args.CommandName() != c.Name {
				t.Errorf("%q: Name %q but Args is %s", ex, c.Name, c.Args.CommandName())
			}
		}
	}
}

func mustSet(s string) imap.NumSet {
	n, err := imap.ParseNumSet(s)
	if err != nil {
		panic(err)
	}
	return n
}

func and(keys ...imap.SearchKey) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchAnd, Children: keys}
}

func key(op imap.SearchOp) imap.SearchKey { return imap.SearchKey{Op: op} }

func strKey(op imap.SearchOp, s string) imap.SearchKey { return imap.SearchKey{Op: op, Str: s} }

func dateKey(op imap.SearchOp, y int, m time.Month, d int) imap.SearchKey {
	return imap.SearchKey{Op: op, Date: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

func notKey(k imap.SearchKey) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchNot, Children: []imap.SearchKey{k}}
}

func orKey(a, b imap.SearchKey) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchOr, Children: []imap.SearchKey{a, b}}
}

func setKey(s string) imap.SearchKey { return imap.SearchKey{Op: imap.SearchSeqSet, Set: mustSet(s)} }

func TestReadCommandTyped(t *testing.T) {
	hdrFields := imap.FetchAttr{Kind: imap.FetchBodySection, Section: imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"DATE", "FROM"}}}
	tests := []struct {
		in   string
		mode Mode
		want Command
	}{
		{"a001 login mrc secret", Strict, Command{Tag: "a001", Name: "LOGIN",
			Args: &imap.LoginCommand{Username: "mrc", Password: "secret"}}},
		{"A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man", Strict, Command{Tag: "A001", Name: "LOGIN",
			Args: &imap.LoginCommand{Username: "FRED FOOBAR", Password: "fat man"}}},
		{`b LOGIN "fr\"ed" "f\\oo"`, Strict, Command{Tag: "b", Name: "LOGIN",
			Args: &imap.LoginCommand{Username: `fr"ed`, Password: `f\oo`}}},
		{"a NOOP", Strict, Command{Tag: "a", Name: "NOOP"}},
		{"a idle", Strict, Command{Tag: "a", Name: "IDLE"}},
		{"A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=", Strict, Command{Tag: "A01", Name: "AUTHENTICATE",
			Args: &imap.AuthenticateCommand{Mechanism: "PLAIN", InitialResponse: []byte("test\x00test\x00test"), HasInitialResponse: true}}},
		{"A01 AUTHENTICATE external =", Strict, Command{Tag: "A01", Name: "AUTHENTICATE",
			Args: &imap.AuthenticateCommand{Mechanism: "EXTERNAL", InitialResponse: []byte{}, HasInitialResponse: true}}},
		{"A01 AUTHENTICATE PLAIN", Strict, Command{Tag: "A01", Name: "AUTHENTICATE",
			Args: &imap.AuthenticateCommand{Mechanism: "PLAIN"}}},
		{"a002 select inbox", Strict, Command{Tag: "a002", Name: "SELECT",
			Args: &imap.SelectCommand{Mailbox: "INBOX"}}},
		{"A932 EXAMINE blurdybloop", Strict, Command{Tag: "A932", Name: "EXAMINE",
			Args: &imap.SelectCommand{Mailbox: "blurdybloop", ReadOnly: true}}},
		{"A142 SELECT INBOX (CONDSTORE)", Strict, Command{Tag: "A142", Name: "SELECT",
			Args: &imap.SelectCommand{Mailbox: "INBOX", CondStore: true}}},
		{"A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))", Strict, Command{Tag: "A02", Name: "SELECT",
			Args: &imap.SelectCommand{Mailbox: "INBOX", QResync: &imap.QResyncParams{UIDValidity: 67890007, ModSeq: 20050715194045000,
				KnownUIDs: imap.UIDSet{NumSet: mustSet("41,43:211,214:541")}}}}},
		{"B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500 15000,22500)))", Strict, Command{Tag: "B04", Name: "SELECT",
			Args: &imap.SelectCommand{Mailbox: "INBOX", QResync: &imap.QResyncParams{UIDValidity: 67890007, ModSeq: 90060115194045000,
				KnownUIDs:    imap.UIDSet{NumSet: mustSet("1:29997")},
				SeqMatchSeqs: imap.SeqSet{NumSet: mustSet("5000,7500")}, SeqMatchUIDs: imap.UIDSet{NumSet: mustSet("15000,22500")}}}}},
		{"X SELECT INBOX (QRESYNC (1 2 (3 4)))", Strict, Command{Tag: "X", Name: "SELECT",
			Args: &imap.SelectCommand{Mailbox: "INBOX", QResync: &imap.QResyncParams{UIDValidity: 1, ModSeq: 2,
				SeqMatchSeqs: imap.SeqSet{NumSet: mustSet("3")}, SeqMatchUIDs: imap.UIDSet{NumSet: mustSet("4")}}}}},
		{"X EXAMINE Foo (CONDSTORE QRESYNC (1 2))", Strict, Command{Tag: "X", Name: "EXAMINE",
			Args: &imap.SelectCommand{Mailbox: "Foo", ReadOnly: true, CondStore: true, QResync: &imap.QResyncParams{UIDValidity: 1, ModSeq: 2}}}},
		{`t2 CREATE MySpecial (USE (\Drafts \sent))`, Strict, Command{Tag: "t2", Name: "CREATE",
			Args: &imap.CreateCommand{Mailbox: "MySpecial", SpecialUse: []imap.MailboxAttr{imap.AttrDrafts, imap.AttrSent}}}},
		{"A003 CREATE owatagusiam/", Strict, Command{Tag: "A003", Name: "CREATE",
			Args: &imap.CreateCommand{Mailbox: "owatagusiam/"}}},
		{"A683 DELETE blurdybloop", Strict, Command{Tag: "A683", Name: "DELETE",
			Args: &imap.MailboxCommand{Name: "DELETE", Mailbox: "blurdybloop"}}},
		{"Z433 RENAME inbox old-mail", Strict, Command{Tag: "Z433", Name: "RENAME",
			Args: &imap.RenameCommand{From: "INBOX", To: "old-mail"}}},
		{"A002 SUBSCRIBE #news.comp.mail.mime", Strict, Command{Tag: "A002", Name: "SUBSCRIBE",
			Args: &imap.MailboxCommand{Name: "SUBSCRIBE", Mailbox: "#news.comp.mail.mime"}}},
		{`A682 LIST "" *`, Strict, Command{Tag: "A682", Name: "LIST",
			Args: &imap.ListCommand{Patterns: []string{"*"}}}},
		{`A202 LIST ~/Mail/ %`, Strict, Command{Tag: "A202", Name: "LIST",
			Args: &imap.ListCommand{Reference: "~/Mail/", Patterns: []string{"%"}}}},
		{`A03 LIST () "" "%" RETURN (CHILDREN)`, Strict, Command{Tag: "A03", Name: "LIST",
			Args: &imap.ListCommand{SelectOpts: []string{}, Patterns: []string{"%"}, ReturnOpts: []string{"CHILDREN"}}}},
		{`C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)`, Strict, Command{Tag: "C04", Name: "LIST",
			Args: &imap.ListCommand{SelectOpts: []string{"SUBSCRIBED", "RECURSIVEMATCH"}, Patterns: []string{"%"}, ReturnOpts: []string{"CHILDREN"}}}},
		{`a3.1 LIST "" (% music/rock)`, Strict, Command{Tag: "a3.1", Name: "LIST",
			Args: &imap.ListCommand{Patterns: []string{"%", "music/rock"}}}},
		{`A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))`, Strict, Command{Tag: "A01", Name: "LIST",
			Args: &imap.ListCommand{Patterns: []string{"%"}, ReturnOpts: []string{}, ReturnStatus: []imap.StatusItem{imap.StatusMessages, imap.StatusUnseen}}}},
		{`11 list "" "*" return (status (mailboxid) special-use)`, Strict, Command{Tag: "11", Name: "LIST",
			Args: &imap.ListCommand{Patterns: []string{"*"}, ReturnOpts: []string{"SPECIAL-USE"}, ReturnStatus: []imap.StatusItem{imap.StatusMailboxID}}}},
		{`A002 LSUB "#news." "comp.mail.*"`, Strict, Command{Tag: "A002", Name: "LSUB",
			Args: &imap.ListCommand{Lsub: true, Reference: "#news.", Patterns: []string{"comp.mail.*"}}}},
		{"A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)", Strict, Command{Tag: "A042", Name: "STATUS",
			Args: &imap.StatusCommand{Mailbox: "blurdybloop", Items: []imap.StatusItem{imap.StatusUIDNext, imap.StatusMessages, imap.StatusHighestModSeq}}}},
		{"A1 STATUS &ZeVnLIqe- (size deleted)", Strict, Command{Tag: "A1", Name: "STATUS",
			Args: &imap.StatusCommand{Mailbox: "日本語", Items: []imap.StatusItem{imap.StatusSize, imap.StatusDeleted}}}},
		{"A202 EXPUNGE", Strict, Command{Tag: "A202", Name: "EXPUNGE", Args: &imap.ExpungeCommand{}}},
		{"A003 UID EXPUNGE 3000:3002", Strict, Command{Tag: "A003", Name: "EXPUNGE", UID: true,
			Args: &imap.ExpungeCommand{UIDs: &imap.UIDSet{NumSet: mustSet("3000:3002")}}}},
		{`A282 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith"`, Strict, Command{Tag: "A282", Name: "SEARCH",
			Args: &imap.SearchCommand{Key: and(key(imap.SearchFlagged), dateKey(imap.SearchSince, 1994, 2, 1), notKey(strKey(imap.SearchFrom, "Smith")))}}},
		{"A284 SEARCH CHARSET UTF-8 TEXT {6}\r\nXXXXXX", Strict, Command{Tag: "A284", Name: "SEARCH",
			Args: &imap.SearchCommand{Charset: "UTF-8", Key: and(strKey(imap.SearchText, "XXXXXX"))}}},
		{"A282 SEARCH RETURN (MIN COUNT) FLAGGED", Strict, Command{Tag: "A282", Name: "SEARCH",
			Args: &imap.SearchCommand{Return: []imap.SearchReturnOpt{imap.ReturnMin, imap.ReturnCount}, HasReturn: true, Key: and(key(imap.SearchFlagged))}}},
		{"A283 SEARCH RETURN () FLAGGED", Strict, Command{Tag: "A283", Name: "SEARCH",
			Args: &imap.SearchCommand{Return: []imap.SearchReturnOpt{}, HasReturn: true, Key: and(key(imap.SearchFlagged))}}},
		{"A02 UID SEARCH RETURN (PARTIAL 23500:24000 count) UNDELETED", Strict, Command{Tag: "A02", Name: "SEARCH", UID: true,
			Args: &imap.SearchCommand{Return: []imap.SearchReturnOpt{"PARTIAL 23500:24000", imap.ReturnCount}, HasReturn: true, Key: and(key(imap.SearchUndeleted))}}},
		{"P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}\r\nмать", Strict, Command{Tag: "P283", Name: "SEARCH",
			Args: &imap.SearchCommand{Charset: "UTF-8", Key: and(and(orKey(
				imap.SearchKey{Op: imap.SearchSeqSet, Set: imap.SearchResSet()}, setKey("1,3000:3021"))), strKey(imap.SearchText, "мать"))}}},
		{`a SEARCH MODSEQ "/flags/\\draft" all 620162338`, Strict, Command{Tag: "a", Name: "SEARCH",
			Args: &imap.SearchCommand{Key: and(imap.SearchKey{Op: imap.SearchModSeq, Field: `/flags/\draft`, Str: "all", Num: 620162338})}}},
		{"t SEARCH OR NOT MODSEQ 720162338 LARGER 50000", Strict, Command{Tag: "t", Name: "SEARCH",
			Args: &imap.SearchCommand{Key: and(orKey(notKey(imap.SearchKey{Op: imap.SearchModSeq, Num: 720162338}), imap.SearchKey{Op: imap.SearchLarger, Num: 50000}))}}},
		{`x UID SEARCH UID 1:* HEADER Message-ID "<a@b>" KEYWORD $Junk UNKEYWORD foo OLDER 10 EMAILID M1-2_ THREADID T9 SENTON "5-Mar-2000" SAVEDATESUPPORTED`, Strict, Command{Tag: "x", Name: "SEARCH", UID: true,
			Args: &imap.SearchCommand{Key: and(
				imap.SearchKey{Op: imap.SearchUID, Set: mustSet("1:*")},
				imap.SearchKey{Op: imap.SearchHeader, Field: "Message-ID", Str: "<a@b>"},
				imap.SearchKey{Op: imap.SearchKeyword, Flag: imap.KeywordJunk},
				imap.SearchKey{Op: imap.SearchUnkeyword, Flag: "foo"},
				imap.SearchKey{Op: imap.SearchOlder, Num: 10},
				strKey(imap.SearchEmailID, "M1-2_"), strKey(imap.SearchThreadID, "T9"),
				dateKey(imap.SearchSentOn, 2000, 3, 5), key(imap.SearchSaveDateSupported))}}},
		{"y SEARCH (SEEN (DRAFT)) not (1:3 2)", Strict, Command{Tag: "y", Name: "SEARCH",
			Args: &imap.SearchCommand{Key: and(and(key(imap.SearchSeen), and(key(imap.SearchDraft))), notKey(and(setKey("1:3"), setKey("2"))))}}},
		{"A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL", Strict, Command{Tag: "A283", Name: "SORT",
			Args: &imap.SortCommand{Criteria: []imap.SortCriterion{{Key: "SUBJECT"}, {Key: "DATE", Reverse: true}}, Charset: "UTF-8", Key: and(key(imap.SearchAll))}}},
		{"E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk", Strict, Command{Tag: "E01", Name: "SORT", UID: true,
			Args: &imap.SortCommand{Return: []imap.SearchReturnOpt{}, HasReturn: true, Criteria: []imap.SortCriterion{{Key: "DATE", Reverse: true}}, Charset: "UTF-8",
				Key: and(key(imap.SearchUndeleted), imap.SearchKey{Op: imap.SearchUnkeyword, Flag: imap.KeywordJunk})}}},
		{"A285 UID THREAD REFERENCES UTF-8 SINCE 5-MAR-2000", Strict, Command{Tag: "A285", Name: "THREAD", UID: true,
			Args: &imap.ThreadCommand{Algorithm: "REFERENCES", Charset: "UTF-8", Key: and(dateKey(imap.SearchSince, 2000, 3, 5))}}},
		{"a003 fetch 12 full", Strict, Command{Tag: "a003", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("12"), Macro: imap.FetchFull, Attrs: []imap.FetchAttr{
				{Kind: imap.FetchFlags}, {Kind: imap.FetchInternalDate}, {Kind: imap.FetchRFC822Size}, {Kind: imap.FetchEnvelope}, {Kind: imap.FetchBody}}}}},
		{"A999 UID FETCH 4827313:4828442 FLAGS", Strict, Command{Tag: "A999", Name: "FETCH", UID: true,
			Args: &imap.FetchCommand{Set: mustSet("4827313:4828442"), Attrs: []imap.FetchAttr{{Kind: imap.FetchFlags}}}}},
		{"A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])", Strict, Command{Tag: "A654", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("2:4"), Attrs: []imap.FetchAttr{{Kind: imap.FetchFlags}, hdrFields}}}},
		{"f FETCH 1 (body.peek[1.2.header.fields.not (X-A)]<10.20> BODY[2.MIME] body[] BODY[3] binary[1]<0.5> BINARY.SIZE[] bodystructure rfc822.text)", Strict, Command{Tag: "f", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("1"), Attrs: []imap.FetchAttr{
				{Kind: imap.FetchBodyPeek, Section: imap.Section{Part: []uint32{1, 2}, Spec: imap.SpecHeaderFieldsNot, Fields: []string{"X-A"}}, Partial: &imap.Partial{Offset: 10, Count: 20}},
				{Kind: imap.FetchBodySection, Section: imap.Section{Part: []uint32{2}, Spec: imap.SpecMIME}},
				{Kind: imap.FetchBodySection},
				{Kind: imap.FetchBodySection, Section: imap.Section{Part: []uint32{3}}},
				{Kind: imap.FetchBinary, Section: imap.Section{Part: []uint32{1}}, Partial: &imap.Partial{Offset: 0, Count: 5}},
				{Kind: imap.FetchBinarySize},
				{Kind: imap.FetchBodyStructure}, {Kind: imap.FetchRFC822Text}}}}},
		{"s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)", Strict, Command{Tag: "s100", Name: "FETCH", UID: true,
			Args: &imap.FetchCommand{Set: mustSet("300:500"), Attrs: []imap.FetchAttr{{Kind: imap.FetchFlags}}, ChangedSince: 12345, Vanished: true}}},
		{"B1 FETCH 1:4 (ENVELOPE PREVIEW (LAZY))", Strict, Command{Tag: "B1", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("1:4"), Attrs: []imap.FetchAttr{{Kind: imap.FetchEnvelope}, {Kind: imap.FetchPreview, Lazy: true}}}}},
		{"B2 FETCH 1 PREVIEW (CHANGEDSINCE 5)", Strict, Command{Tag: "B2", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("1"), Attrs: []imap.FetchAttr{{Kind: imap.FetchPreview}}, ChangedSince: 5}}},
		{"22 fetch 1:* (emailid threadid modseq savedate uid)", Strict, Command{Tag: "22", Name: "FETCH",
			Args: &imap.FetchCommand{Set: mustSet("1:*"), Attrs: []imap.FetchAttr{{Kind: imap.FetchEmailID}, {Kind: imap.FetchThreadID}, {Kind: imap.FetchModSeq}, {Kind: imap.FetchSaveDate}, {Kind: imap.FetchUID}}}}},
		{`a005 store 12 +flags \deleted`, Strict, Command{Tag: "a005", Name: "STORE",
			Args: &imap.StoreCommand{Set: mustSet("12"), Op: imap.StoreAdd, Flags: []imap.Flag{imap.FlagDeleted}}}},
		{`a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\Deleted $Processed)`, Strict, Command{Tag: "a103", Name: "STORE", UID: true,
			Args: &imap.StoreCommand{Set: mustSet("6,4,8"), Op: imap.StoreRemove, Silent: true, Flags: []imap.Flag{imap.FlagDeleted, "$Processed"}, UnchangedSince: 12121230045, HasUnchangedSince: true}}},
		{`s STORE 1 FLAGS ()`, Strict, Command{Tag: "s", Name: "STORE",
			Args: &imap.StoreCommand{Set: mustSet("1"), Op: imap.StoreReplace, Flags: []imap.Flag{}}}},
		{`s STORE 1 FLAGS a b \Seen`, Strict, Command{Tag: "s", Name: "STORE",
			Args: &imap.StoreCommand{Set: mustSet("1"), Op: imap.StoreReplace, Flags: []imap.Flag{"a", "b", imap.FlagSeen}}}},
		{"A003 COPY 2:4 MEETING", Strict, Command{Tag: "A003", Name: "COPY",
			Args: &imap.CopyCommand{Set: mustSet("2:4"), Mailbox: "MEETING"}}},
		{"a UID MOVE 42:69 foo", Strict, Command{Tag: "a", Name: "MOVE", UID: true,
			Args: &imap.CopyCommand{Move: true, Set: mustSet("42:69"), Mailbox: "foo"}}},
		{"t2 ENABLE CONDSTORE X-GOOD-IDEA", Strict, Command{Tag: "t2", Name: "ENABLE",
			Args: &imap.EnableCommand{Caps: []imap.Cap{"CONDSTORE", "X-GOOD-IDEA"}}}},
		{`a023 ID ("name" "sodr" "version" NIL)`, Strict, Command{Tag: "a023", Name: "ID",
			Args: &imap.IDCommand{Params: []imap.IDParam{{Key: "name", Value: imap.Str("sodr")}, {Key: "version", Value: imap.Nil}}}}},
		{"a042 ID NIL", Strict, Command{Tag: "a042", Name: "ID", Args: &imap.IDCommand{}}},
		{`G0001 GETQUOTA "!partition/sda4"`, Strict, Command{Tag: "G0001", Name: "GETQUOTA",
			Args: &imap.GetQuotaCommand{Root: "!partition/sda4"}}},
		{"G0002 GETQUOTAROOT INBOX", Strict, Command{Tag: "G0002", Name: "GETQUOTAROOT",
			Args: &imap.MailboxCommand{Name: "GETQUOTAROOT", Mailbox: "INBOX"}}},
		{`S0001 SETQUOTA "#user/alice" (STORAGE 510 message 10)`, Strict, Command{Tag: "S0001", Name: "SETQUOTA",
			Args: &imap.SetQuotaCommand{Root: "#user/alice", Resources: []imap.QuotaResource{{Name: "STORAGE", Limit: 510}, {Name: "MESSAGE", Limit: 10}}}}},
		{"A001 SeTacl INBOX/Drafts David lrswida", Strict, Command{Tag: "A001", Name: "SETACL",
			Args: &imap.SetACLCommand{Mailbox: "INBOX/Drafts", Identifier: "David", Rights: "lrswida"}}},
		{"B002 DeleteAcl INBOX Fred", Strict, Command{Tag: "B002", Name: "DELETEACL",
			Args: &imap.DeleteACLCommand{Mailbox: "INBOX", Identifier: "Fred"}}},
		{"a001 LISTRIGHTS ~/Mail/saved smith", Strict, Command{Tag: "a001", Name: "LISTRIGHTS",
			Args: &imap.ListRightsCommand{Mailbox: "~/Mail/saved", Identifier: "smith"}}},
		{"A003 MYRIGHTS INBOX", Strict, Command{Tag: "A003", Name: "MYRIGHTS",
			Args: &imap.MailboxCommand{Name: "MYRIGHTS", Mailbox: "INBOX"}}},
		{"A002 getacl INBOX/Drafts", Strict, Command{Tag: "A002", Name: "GETACL",
			Args: &imap.MailboxCommand{Name: "GETACL", Mailbox: "INBOX/Drafts"}}},
		{`a GETMETADATA (MAXSIZE 1024 DEPTH infinity) "INBOX" (/shared/comment /private/comment)`, Strict, Command{Tag: "a", Name: "GETMETADATA",
			Args: &imap.GetMetadataCommand{Mailbox: "INBOX", MaxSize: 1024, Depth: "infinity", Entries: []string{"/shared/comment", "/private/comment"}}}},
		{`a GETMETADATA "" /shared/comment`, Strict, Command{Tag: "a", Name: "GETMETADATA",
			Args: &imap.GetMetadataCommand{Mailbox: "", Entries: []string{"/shared/comment"}}}},
		{"a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines. /shared/x NIL /shared/y ~{3}\r\na\x00b)", Strict, Command{Tag: "a", Name: "SETMETADATA",
			Args: &imap.SetMetadataCommand{Mailbox: "INBOX", Entries: []imap.MetadataEntry{
				{Name: "/private/comment", Value: imap.Str("My new comment across\r\ntwo lines.")},
				{Name: "/shared/x", Value: imap.Nil}, {Name: "/shared/y", Value: imap.Str("a\x00b")}}}}},
		{"c compress deflate", Strict, Command{Tag: "c", Name: "COMPRESS", Args: &imap.CompressCommand{Mechanism: "DEFLATE"}}},
		{"x UNAUTHENTICATE", Strict, Command{Tag: "x", Name: "UNAUTHENTICATE"}},
		{"x NAMESPACE", Strict, Command{Tag: "x", Name: "NAMESPACE"}},
		{"b2 APPEND INBOX ~{5}\r\nab\x00cd", Strict, Command{Tag: "b2", Name: "APPEND",
			Args: &imap.AppendCommand{Mailbox: "INBOX", Messages: []imap.AppendMessage{{Binary: true, Data: []byte("ab\x00cd"), Size: 5}}}}},
		{"b3 APPEND foo () {0}\r\n\r\n", Strict, Command{Tag: "b3", Name: "APPEND",
			Args: &imap.AppendCommand{Mailbox: "foo", Messages: []imap.AppendMessage{{Flags: []imap.Flag{}, Data: []byte{}}}}}},

		// Lenient mode.
		{"A442 XPIG-LATIN", Lenient, Command{Tag: "A442", Name: "XPIG-LATIN", Args: &imap.RawCommand{Name: "XPIG-LATIN"}}},
		{"A044 BLURDYBLOOP {5}\r\nhello (a \"b\")", Lenient, Command{Tag: "A044", Name: "BLURDYBLOOP",
			Args: &imap.RawCommand{Name: "BLURDYBLOOP", Args: imap.RawValue("{5}\r\nhello (a \"b\")")}}},
		{"n xnotify set (selected (MessageNew (uid)))", Lenient, Command{Tag: "n", Name: "XNOTIFY",
			Args: &imap.RawCommand{Name: "XNOTIFY", Args: imap.RawValue("set (selected (MessageNew (uid)))")}}},
		{"a  SEARCH   X-GM-RAW  \"has:attachment\"  UNSEEN X-GM-THRID 1278455344230334865 X-FOO 1:5 ", Lenient, Command{Tag: "a", Name: "SEARCH",
			Args: &imap.SearchCommand{Key: and(
				imap.SearchKey{Op: imap.SearchRaw, Field: "X-GM-RAW", Raw: imap.RawValue(`"has:attachment"`)},
				key(imap.SearchUnseen),
				imap.SearchKey{Op: imap.SearchRaw, Field: "X-GM-THRID", Raw: imap.RawValue("1278455344230334865")},
				imap.SearchKey{Op: imap.SearchRaw, Field: "X-FOO", Raw: imap.RawValue("1:5")})}}},
		{"a UID FETCH 1:* (X-GM-MSGID FLAGS X-GM-LABELS)", Lenient, Command{Tag: "a", Name: "FETCH", UID: true,
			Args: &imap.FetchCommand{Set: mustSet("1:*"), Attrs: []imap.FetchAttr{{Name: "X-GM-MSGID"}, {Kind: imap.FetchFlags}, {Name: "X-GM-LABELS"}}}}},
		{"a\tb  LOGIN  \xe4user  pass\n", Lenient, Command{Tag: "a\tb", Name: "LOGIN",
			Args: &imap.LoginCommand{Username: "\xe4user", Password: "pass"}}},
		{"q SELECT \"\xe4\"", Lenient, Command{Tag: "q", Name: "SELECT", Args: &imap.SelectCommand{Mailbox: "\xe4"}}},
		{"q SELECT &Jjo!", Lenient, Command{Tag: "q", Name: "SELECT", Args: &imap.SelectCommand{Mailbox: "&Jjo!"}}},
		{`A02 LIST (SUBSCRIBED RECURSIVEMATCH)"" % RETURN (STATUS (MESSAGES))`, Lenient, Command{Tag: "A02", Name: "LIST",
			Args: &imap.ListCommand{SelectOpts: []string{"SUBSCRIBED", "RECURSIVEMATCH"}, Patterns: []string{"%"}, ReturnOpts: []string{}, ReturnStatus: []imap.StatusItem{imap.StatusMessages}}}},
		{`a GETMETADATA "INBOX" (MAXSIZE 1024) (/shared/comment /private/comment)`, Lenient, Command{Tag: "a", Name: "GETMETADATA",
			Args: &imap.GetMetadataCommand{Mailbox: "INBOX", MaxSize: 1024, Entries: []string{"/shared/comment", "/private/comment"}}}},
		{`a GETMETADATA "INBOX" /private/comment /shared/comment`, Lenient, Command{Tag: "a", Name: "GETMETADATA",
			Args: &imap.GetMetadataCommand{Mailbox: "INBOX", Entries: []string{"/private/comment", "/shared/comment"}}}},
		{"\r\n\r\nz NOOP", Lenient, Command{Tag: "z", Name: "NOOP"}},
	}
	for _, tt := range tests {
		in := tt.in
		if !strings.HasSuffix(in, "\n") {
			in += "\r\n"
		}
		c, err := decodeOne(t, in, &Options{Mode: tt.mode})
		if err != nil {
			t.Errorf("%s: %q: %v", tt.mode, tt.in, err)
			continue
		}
		if !reflect.DeepEqual(*c, tt.want) {
			t.Errorf("%s: %q:\n got %s\nwant %s", tt.mode, tt.in, dump(*c), dump(tt.want))
		}
	}
}

func dump(c Command) string {
	return fmt.Sprintf("%+v %#v", c, c.Args)
}

func TestReadCommandUTF8Mailbox(t *testing.T) {
	c, err := decodeOne(t, "a SELECT \"日本語/&ZeVnLIqe-\"\r\n", &Options{Mode: Strict, UTF8: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Args.(*imap.SelectCommand).Mailbox; got != "日本語/&ZeVnLIqe-" {
		t.Errorf("UTF8 mailbox = %q", got)
	}
	// Without UTF8, 8-bit is rejected in strict mode, even in a literal.
	if _, err := decodeOne(t, "a SELECT {3}\r\n\xe6\x97\xa5\r\n", &Options{Mode: Strict}); !errors.Is(err, ErrSyntax) {
		t.Errorf("8-bit mailbox literal in strict mode: err = %v", err)
	}
	// With UTF8, invalid UTF-8 is rejected in strict mode.
	if _, err := decodeOne(t, "a SELECT {1}\r\n\xe6\r\n", &Options{Mode: Strict, UTF8: true}); !errors.Is(err, ErrSyntax) {
		t.Errorf("invalid UTF-8 mailbox in strict mode: err = %v", err)
	}
}

func TestReadCommandDates(t *testing.T) {
	c, err := decodeOne(t, `A003 APPEND saved-messages (\Seen) `+lit(multiAppend1)+` (\Seen) " 7-Feb-1994 22:43:04 -0800" `+lit(multiAppend2)+"\r\n", &Options{Mode: Strict})
	if err != nil {
		t.Fatal(err)
	}
	a := c.Args.(*imap.AppendCommand)
	if len(a.Messages) != 2 {
		t.Fatalf("%d messages", len(a.Messages))
	}
	m0, m1 := a.Messages[0], a.Messages[1]
	if m0.HasDate || string(m0.Data) != multiAppend1 || len(m0.Flags) != 1 || m0.Size != 329 {
		t.Errorf("message 0: %+v", m0)
	}
	want := time.Date(1994, 2, 8, 6, 43, 4, 0, time.UTC)
	if !m1.HasDate || !m1.Date.Equal(want) || string(m1.Data) != multiAppend2 || m1.Size != 295 {
		t.Errorf("message 1: %+v", m1)
	}
	if _, off := m1.Date.Zone(); off != -8*3600 {
		t.Errorf("zone offset %d", off)
	}

	// Zones are cached per decoder.
	in := "a APPEND x \"01-Jan-2020 00:00:00 +0130\" {0}\r\n\r\nb APPEND x \"31-Dec-2020 23:59:60 +0130\" {0}\r\n\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{Mode: Strict})
	var c1, c2 Command
	if err := d.ReadCommand(&c1); err != nil {
		t.Fatal(err)
	}
	if err := d.ReadCommand(&c2); err != nil {
		t.Fatal(err)
	}
	l1 := c1.Args.(*imap.AppendCommand).Messages[0].Date.Location()
	l2 := c2.Args.(*imap.AppendCommand).Messages[0].Date.Location()
	if l1 != l2 {
		t.Errorf("zone not cached: %p %p", l1, l2)
	}

	for _, tt := range []struct {
		in   string
		mode Mode
		ok   bool
	}{
		{`"01-Jan-2020 00:00:00 +0000"`, Strict, true},
		{`" 1-jan-2020 00:00:00 -1200"`, Strict, true},
		{`"1-Jan-2020 00:00:00 +0000"`, Strict, false},
		{`"1-Jan-2020 00:00:00 +0000"`, Lenient, true},
		{`"29-Feb-2020 00:00:00 +0000"`, Strict, true},
		{`"29-Feb-2021 00:00:00 +0000"`, Strict, false},
		{`"31-Apr-2021 00:00:00 +0000"`, Lenient, false},
		{`"01-Foo-2020 00:00:00 +0000"`, Lenient, false},
		{`"01-Jan-2020 24:00:00 +0000"`, Lenient, false},
		{`"01-Jan-2020 00:00:00"`, Strict, false},
		{`"01-Jan-2020 00:00:00"`, Lenient, true},
		{`"01-Jan-2020 00:00:00 +0060"`, Strict, false},
		{`"01-Jan-20 00:00:00 +0000"`, Lenient, false},
		{`01-Jan-2020 00:00:00 +0000`, Lenient, false},
	} {
		_, err := decodeOne(t, "a APPEND x "+tt.in+" {0}\r\n\r\n", &Options{Mode: tt.mode})
		if (err == nil) != tt.ok {
			t.Errorf("%s %s: err = %v", tt.mode, tt.in, err)
		}
	}
	for _, tt := range []struct {
		in   string
		mode Mode
		ok   bool
	}{
		{"1-Feb-1994", Strict, true}, {`"1-Feb-1994"`, Strict, true}, {"01-Feb-1994", Strict, true},
		{" 1-Feb-1994", Strict, false}, {"1-Feb-94", Lenient, false}, {"32-Jan-1994", Lenient, false},
		{`"1-Feb-1994`, Lenient, false}, {"1-FEB-1994", Strict, true},
	} {
		_, err := decodeOne(t, "a SEARCH SINCE "+tt.in+"\r\n", &Options{Mode: tt.mode})
		if (err == nil) != tt.ok {
			t.Errorf("date %s %q: err = %v", tt.mode, tt.in, err)
		}
	}
}

// TestReadCommandStrictRejects checks that strict mode rejects deviations
// from the ABNF, that the error carries the tag, and that the decoder
// resynchronizes on the next command.
func TestReadCommandStrictRejects(t *testing.T) {
	bad := []string{
		"a  NOOP",                      // doubled space
		"a NOOP ",                      // trailing space
		"a NOOP\n",                     // bare LF
		"a LOGIN \xe4 x",               // 8-bit in an atom
		`a LOGIN "\xe4" x`,             // 8-bit in a quoted string
		"a XPIG-LATIN",                 // unknown command
		"a XNOTIFY NONE",               // unknown command
		"a SEARCH X-GM-RAW foo",        // unknown search key
		"a SEARCH",                     // no key
		"a SEARCH ()",                  // empty list
		"a SEARCH (ALL",                // unclosed
		"a SEARCH ALL)",                // unopened
		"a SEARCH NOT",                 // NOT without key
		"a SEARCH OR ALL",              // OR with one key
		"a SEARCH SINCE 1-Feb-94",      // 2-digit year
		"a SEARCH KEYWORD \\Seen",      // system flag as keyword
		"a SEARCH MODSEQ \"/x\" foo 1", // bad entry type
		"a SEARCH EMAILID a.b",         // bad objectid
		"a SEARCH 0:3",                 // zero in a sequence set
		"a SEARCH CHARSET",             // no charset
		"a FETCH 1 (FLAGS",             // unclosed
		"a FETCH 1 ()",                 // empty attribute list
		"a FETCH 1 X-GM-MSGID",         // unknown attribute
		"a FETCH 1 BODY[MIME]",         // MIME needs a part
		"a FETCH 1 BODY[1.]",           // dangling dot
		"a FETCH 1 BODY[HEADER.FIELDS ()]",
		"a FETCH 1 BODY[]<1>",   // partial without count
		"a FETCH 1 BODY[]<1.0>", // zero count
		"a FETCH 1 BINARY.SIZE[1]<0.1>",
		"a FETCH 1 BINARY[HEADER]",
		"a FETCH 1 (FLAGS) (VANISHED)", // VANISHED needs UID FETCH
		"a FETCH 1 (FLAGS) (CHANGEDSINCE 0)",
		"a FETCH 1 (FLAGS) (FOO)",
		"a FETCH 1 (ALL)", // macro in a list
		"a STORE 1 FLAGS",
		"a STORE 1 +FLAGS.LOUD (\\Seen)",
		"a STORE 1 (UNCHANGEDSINCE 1 UNCHANGEDSINCE 2) FLAGS ()",
		"a STORE 1 () FLAGS ()",
		"a SELECT INBOX ()",
		"a SELECT INBOX (FOO)",
		"a SELECT INBOX (QRESYNC (0 1))", // uidvalidity is nz-number
		"a SELECT INBOX (QRESYNC (1 0))", // mod-sequence-value is non-zero
		"a SELECT INBOX (QRESYNC (1 1 (1:2)))",
		"a SELECT &Jjo!",            // bad modified UTF-7
		"a SELECT &AGE-&AGE-",       // adjacent shifts
		"a CREATE foo (USE (Sent))", // use-attr needs "\"
		"a CREATE foo (FOO (\\Sent))",
		"a STATUS INBOX ()",
		"a STATUS INBOX (FOO)",
		"a LIST \"\"",
		"a LIST \"\" ()",
		"a LIST \"\" * RETURN",
		"a LIST \"\" * FOO ()",
		"a APPEND INBOX",
		"a APPEND INBOX (\\Seen)",
		"a APPEND INBOX \"1-Jan-2000 00:00:00 +0000\" {0}",
		"a AUTHENTICATE PLAIN ****",
		"a AUTHENTICATE PLAIN dGVzd",
		"a AUTHENTICATE PLAIN ",
		"a ID (\"a\")",
		"a ID (a \"b\")",
		"a ENABLE",
		"a SORT (FOO) UTF-8 ALL",
		"a SORT () UTF-8 ALL",
		"a SORT (DATE) ALL",
		"a THREAD REFERENCES",
		"a GETMETADATA (DEPTH 2) INBOX /a",
		"a GETMETADATA INBOX (MAXSIZE 1) (/a)",
		"a GETMETADATA INBOX /a /b",
		"a SETMETADATA INBOX ()",
		"a SETQUOTA x (STORAGE)",
		"a UID NOOP",
		"a UID",
		"+ NOOP",
		"* NOOP",
		"a",
		"",
		" a NOOP",
		"a COPY 1",
		"a COPY 1 {3}\r\nabc extra",
		"a LOGIN ~{1}",
		"a UID EXPUNGE",
		"a EXPUNGE 1",
		"a LOGIN a\x00b c",
	}
	for _, in := range bad {
		tag := ""
		if i := strings.IndexByte(in, ' '); i > 0 && in[0] != '+' && in[0] != '*' {
			tag = in[:i]
		}
		if in == "a" {
			tag = "a"
		}
		full := in
		if !strings.HasSuffix(full, "\n") {
			full += "\r\n"
		}
		d := NewDecoder(bufio.NewReader(strings.NewReader(full+"ok NOOP\r\n")), &Options{Mode: Strict})
		var c Command
		err := d.ReadCommand(&c)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v (%+v), want SyntaxError", in, err, c.Args)
			continue
		}
		if se.Tag != tag && in != "a NOOP\n" {
			t.Errorf("%q: Tag = %q, want %q", in, se.Tag, tag)
		}
		if err := d.ReadCommand(&c); err != nil || c.Tag != "ok" || c.Name != "NOOP" {
			t.Errorf("%q: after the error: %v %+v", in, err, c)
		}
	}
}

func TestReadCommandResync(t *testing.T) {
	// A malformed command announcing a non-synchronizing literal is
	// skipped entirely, literal included.
	in := "a LOGIN (x) {5+}\r\nhello {3+}\r\nabc\r\nb NOOP\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{Mode: Strict})
	var c Command
	err := d.ReadCommand(&c)
	var se *SyntaxError
	if !errors.As(err, &se) || se.Tag != "a" {
		t.Fatalf("err = %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// An error found after a literal was read skips the rest too.
	in = "a LOGIN {3}\r\nabc (bad) {2+}\r\nxy\r\nb NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{Mode: Lenient})
	if err := d.ReadCommand(&c); !errors.As(err, &se) || se.Tag != "a" {
		t.Fatalf("err = %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// With a synchronizing literal the command ends at the announcement:
	// the client waits for "+", which the server does not send.
	in = "a LOGIN (x) {5}\r\nb NOOP\r\n"
	var asked bool
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{Continue: func(int64) error { asked = true; return nil }})
	if err := d.ReadCommand(&c); !errors.As(err, &se) || se.Tag != "a" {
		t.Fatalf("err = %v", err)
	}
	if asked {
		t.Error("Continue called for a malformed command")
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// Over-long line, then a good command.
	in = "a LOGIN " + strings.Repeat("x", 200) + "\r\nb NOOP\r\n"
	d = NewDecoder(bufio.NewReaderSize(strings.NewReader(in), 16), &Options{MaxLineLength: 100})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrLineTooLong) || !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}
}

func TestReadCommandEOF(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want error
	}{
		{"", io.EOF},
		{"a NOOP", io.ErrUnexpectedEOF},
		{"a LOGIN {5}\r\nab", io.ErrUnexpectedEOF},
		{"a LOGIN {2}\r\nab", io.ErrUnexpectedEOF},
		{"a APPEND x {5}\r\nab", io.ErrUnexpectedEOF},
	} {
		d := NewDecoder(bufio.NewReader(strings.NewReader(tt.in)), nil)
		var c Command
		if err := d.ReadCommand(&c); err != tt.want {
			t.Errorf("%q: err = %v, want %v", tt.in, err, tt.want)
		}
	}
	// Streamed APPEND cut short.
	d := NewDecoder(bufio.NewReader(strings.NewReader("a APPEND x {5}\r\nab")), &Options{Stream: func(l *Literal) error {
		_, err := io.ReadAll(l)
		return err
	}})
	var c Command
	if err := d.ReadCommand(&c); err != io.ErrUnexpectedEOF {
		t.Errorf("streamed: err = %v", err)
	}
}

func TestReadCommandContinue(t *testing.T) {
	var sizes []int64
	opts := &Options{Continue: func(n int64) error { sizes = append(sizes, n); return nil }}
	in := "A001 LOGIN {11}\r\nFRED FOOBAR {7+}\r\nfat man\r\nb APPEND x {3}\r\nabc\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	var c Command
	if err := d.ReadCommand(&c); err != nil {
		t.Fatal(err)
	}
	if err := d.ReadCommand(&c); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(sizes, []int64{11, 3}) {
		t.Errorf("Continue sizes = %v, want [11 3] (not for the {7+})", sizes)
	}

	// Refusing: the literal is not read, the command ends there, and the
	// next command decodes.
	errQuota := errors.New("over quota")
	opts = &Options{Continue: func(n int64) error {
		if n > 100 {
			return errQuota
		}
		return nil
	}}
	in = "A004 APPEND bogusname (\\Flagged) {1023}\r\nA005 NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	err := d.ReadCommand(&c)
	var se *SyntaxError
	if !errors.Is(err, ErrLiteralRefused) || !errors.Is(err, errQuota) || !errors.As(err, &se) || se.Tag != "A004" {
		t.Fatalf("refused: err = %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "A005" {
		t.Fatalf("after refusal: %v %+v", err, c)
	}
	// RFC 3502 §6: the second message of a MULTIAPPEND is refused.
	in = "A005 APPEND test (\\Flagged) {5}\r\nabcde {35403}\r\nA006 NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), opts)
	if err := d.ReadCommand(&c); !errors.Is(err, ErrLiteralRefused) {
		t.Fatalf("refused: err = %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "A006" {
		t.Fatalf("after refusal: %v %+v", err, c)
	}
}

func TestReadCommandStream(t *testing.T) {
	type got struct {
		lit  Literal
		data string
	}
	var lits []got
	opts := &Options{Stream: func(l *Literal) error {
		// Read only part of the second message: the rest is discarded.
		n := l.Size
		if l.Message == 1 {
			n = 4
		}
		buf := make([]byte, n)
		if _, err := io.ReadFull(l, buf); err != nil {
			return err
		}
		lits = append(lits, got{*l, string(buf)})
		return nil
	}}
	in := `A003 APPEND saved-messages (\Seen) ` + lit(multiAppend1) + ` " 7-Feb-1994 22:43:04 -0800" ~{295+}` + "\r\n" + multiAppend2 + "\r\nb NOOP\r\n"
	d := NewDecoder(bufio.NewReaderSize(strings.NewReader(in), 16), opts)
	var c Command
	if err := d.ReadCommand(&c); err != nil {
		t.Fatal(err)
	}
	a := c.Args.(*imap.AppendCommand)
	if len(a.Messages) != 2 || len(lits) != 2 {
		t.Fatalf("messages %d, streamed %d", len(a.Messages), len(lits))
	}
	for i, m := range a.Messages {
		if !m.Streamed || m.Data != nil || m.Size != lits[i].lit.Size {
			t.Errorf("message %d: %+v", i, m)
		}
	}
	if l := lits[0].lit; l.Size != 329 || l.NonSync || l.Binary || l.Command != "APPEND" || l.Message != 0 || lits[0].data != multiAppend1 {
		t.Errorf("literal 0: %+v", l)
	}
	// The handler learns where the message goes and its flags.
	if l := lits[0].lit; l.Tag != "A003" || l.Mailbox != "saved-messages" || l.Append == nil || len(l.Append.Flags) != 1 || l.Append.Flags[0] != imap.FlagSeen {
		t.Errorf("literal 0: tag %q mailbox %q append %+v", l.Tag, l.Mailbox, l.Append)
	}
	if l := lits[1].lit; l.Append == nil || !l.Append.HasDate || len(l.Append.Flags) != 0 {
		t.Errorf("literal 1: append %+v", l.Append)
	}
	if l := lits[1].lit; l.Size != 295 || !l.NonSync || !l.Binary || l.Message != 1 || lits[1].data != multiAppend2[:4] {
		t.Errorf("literal 1: %+v", l)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// A handler error: the literal is consumed, the error carries the tag
	// and wraps the handler's error, and the next command decodes.
	errDisk := errors.New("disk full")
	opts = &Options{Stream: func(l *Literal) error { return errDisk }}
	d = NewDecoder(bufio.NewReader(strings.NewReader("a APPEND x {5}\r\nhello {2+}\r\nxy\r\nb NOOP\r\n")), opts)
	err := d.ReadCommand(&c)
	var se *SyntaxError
	if !errors.Is(err, errDisk) || !errors.As(err, &se) || se.Tag != "a" {
		t.Fatalf("handler error: %v", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}
}

func heapAlloc() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

func TestReadCommandHugeLiteral(t *testing.T) {
	// The announced size alone allocates nothing.
	before := heapAlloc()
	d := NewDecoder(bufio.NewReader(strings.NewReader("a APPEND INBOX {4294967295}\r\nb NOOP\r\n")), nil)
	var c Command
	err := d.ReadCommand(&c)
	if !errors.Is(err, ErrLiteralTooLarge) {
		t.Fatalf("err = %v, want ErrLiteralTooLarge", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}
	if n := heapAlloc() - before; n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}

	// Within MaxLiteralSize but above MaxMemoryLiteral, without a stream
	// handler.
	before = heapAlloc()
	d = NewDecoder(bufio.NewReader(strings.NewReader("a APPEND INBOX {4294967295}\r\n")), &Options{MaxLiteralSize: 1 << 40})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrLiteralTooLarge) {
		t.Fatalf("err = %v, want ErrLiteralTooLarge", err)
	}
	if n := heapAlloc() - before; n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}

	// With a stream handler it is handed over.
	before = heapAlloc()
	var size int64
	d = NewDecoder(bufio.NewReader(strings.NewReader("a APPEND INBOX {4294967295}\r\nxyz")), &Options{MaxLiteralSize: 1 << 40,
		Stream: func(l *Literal) error { size = l.Size; return nil }})
	if err := d.ReadCommand(&c); err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if size != 4294967295 {
		t.Errorf("streamed size %d", size)
	}
	if n := heapAlloc() - before; n > 1<<20 {
		t.Errorf("allocated %d bytes", n)
	}

	// Strict mode rejects sizes beyond number (32 bits).
	d = NewDecoder(bufio.NewReader(strings.NewReader("a LOGIN {4294967296}\r\n")), &Options{Mode: Strict})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrSyntax) {
		t.Fatalf("err = %v", err)
	}
}

func TestReadCommandLimits(t *testing.T) {
	var c Command
	// MaxDepth with nested parentheses and with NOT chains.
	for _, in := range []string{
		"a SEARCH " + strings.Repeat("(", 100) + "ALL" + strings.Repeat(")", 100),
		"a SEARCH " + strings.Repeat("NOT ", 100) + "ALL",
		"a SEARCH " + strings.Repeat("OR ALL ", 100) + "ALL",
		"a SEARCH " + strings.Repeat("(", 1000000),
	} {
		d := NewDecoder(bufio.NewReader(strings.NewReader(in+"\r\nb NOOP\r\n")), &Options{MaxDepth: 20})
		if err := d.ReadCommand(&c); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%.30q: err = %v, want ErrTooDeep", in, err)
		}
		if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
			t.Fatalf("next: %v %+v", err, c)
		}
	}
	in := "a SEARCH " + strings.Repeat("(", 15) + "ALL" + strings.Repeat(")", 15) + "\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{MaxDepth: 20})
	if err := d.ReadCommand(&c); err != nil {
		t.Errorf("depth 15: %v", err)
	}

	// MaxLiterals.
	in = "a SEARCH TEXT {1+}\r\na TEXT {1+}\r\nb TEXT {1+}\r\nc TEXT {1+}\r\nd\r\nb NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{MaxLiterals: 3})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrTooManyLiterals) {
		t.Errorf("err = %v, want ErrTooManyLiterals", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// MaxMemoryLiteral.
	in = "a LOGIN {20+}\r\n01234567890123456789 x\r\nb NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{MaxMemoryLiteral: 10})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrLiteralTooLarge) {
		t.Errorf("err = %v, want ErrLiteralTooLarge", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "b" {
		t.Fatalf("next: %v %+v", err, c)
	}

	// MaxListLength.
	in = "a FETCH 1 (" + strings.Repeat("UID ", 20) + "UID)\r\nb ENABLE " + strings.Repeat("X ", 20) + "X\r\nc NOOP\r\n"
	d = NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{MaxListLength: 10})
	if err := d.ReadCommand(&c); !errors.Is(err, ErrListTooLong) {
		t.Errorf("err = %v, want ErrListTooLong", err)
	}
	if err := d.ReadCommand(&c); !errors.Is(err, ErrListTooLong) {
		t.Errorf("err = %v, want ErrListTooLong", err)
	}
	if err := d.ReadCommand(&c); err != nil || c.Tag != "c" {
		t.Fatalf("next: %v %+v", err, c)
	}
}

// TestReadCommandStringsOwned checks that decoded strings stay valid after
// the next command is decoded (they point into memory owned by their
// command).
func TestReadCommandStringsOwned(t *testing.T) {
	in := "a LOGIN user1 \"pass1\"\r\nb LOGIN user2 {5}\r\npass2\r\n"
	d := NewDecoder(bufio.NewReaderSize(strings.NewReader(in), 16), nil)
	var c1, c2 Command
	if err := d.ReadCommand(&c1); err != nil {
		t.Fatal(err)
	}
	if err := d.ReadCommand(&c2); err != nil {
		t.Fatal(err)
	}
	l1, l2 := c1.Args.(*imap.LoginCommand), c2.Args.(*imap.LoginCommand)
	if l1.Username != "user1" || l1.Password != "pass1" || l2.Username != "user2" || l2.Password != "pass2" {
		t.Errorf("%+v %+v", l1, l2)
	}
}

// benchCommandList is the command mix of BenchmarkReadCommand.
var benchCommandList = []string{
	"a001 UID FETCH 1:1000 (UID FLAGS RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (From To Subject Date Message-ID)])\r\n",
	"a002 UID STORE 1:5,7,9:* (UNCHANGEDSINCE 12345) +FLAGS.SILENT (\\Seen \\Deleted $Junk)\r\n",
	"a003 UID SEARCH RETURN (MIN MAX COUNT) CHARSET UTF-8 UNSEEN SINCE 1-Feb-2024 OR FROM \"alice@example.com\" TO bob NOT DELETED\r\n",
	"a004 APPEND \"Sent Items\" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {297+}\r\n" + appendMsg297 + "\r\n",
	"a005 FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)\r\n",
	"a006 SELECT INBOX (CONDSTORE)\r\n",
}

// repeatReader yields s over and over.
type repeatReader struct {
	s   string
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.s[r.off:])
		n += k
		r.off = (r.off + k) % len(r.s)
	}
	return n, nil
}

// BenchmarkReadCommand decodes a mix of FETCH, UID STORE, UID SEARCH,
// APPEND (with a 297-octet literal), FETCH CHANGEDSINCE and SELECT, and
// each of the first four alone. The byte rate counts wire octets.
func BenchmarkReadCommand(b *testing.B) {
	cases := []struct {
		name string
		cmds []string
	}{
		{"mix", benchCommandList},
		{"fetch", benchCommandList[0:1]},
		{"uid-store", benchCommandList[1:2]},
		{"search", benchCommandList[2:3]},
		{"append", benchCommandList[3:4]},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			in := strings.Join(bc.cmds, "")
			d := NewDecoder(bufio.NewReader(&repeatReader{s: in}), &Options{Mode: Strict})
			b.SetBytes(int64(len(in) / len(bc.cmds)))
			b.ReportAllocs()
			var c Command
			for i := 0; i < b.N; i++ {
				if err := d.ReadCommand(&c); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestReadCommandLiteralMinus(t *testing.T) {
	// RFC 7888 §5: with LITERAL-, a non-synchronizing literal above 4096
	// octets fails the command (its octets are discarded); a synchronizing
	// one of any size is fine.
	big := strings.Repeat("x", 5000)
	in := "a LOGIN {5000+}\r\n" + big + " pw\r\nb LOGIN {4096+}\r\n" + big[:4096] + " pw\r\nc LOGIN {5000}\r\n" + big + " pw\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in)), &Options{MaxNonSyncLiteral: 4096})
	var c Command
	err := d.ReadCommand(&c)
	var se *SyntaxError
	if !errors.Is(err, ErrLiteralTooLarge) || !errors.As(err, &se) || se.Tag != "a" {
		t.Fatalf("err = %v, want ErrLiteralTooLarge for tag a", err)
	}
	for _, tag := range []string{"b", "c"} {
		if err := d.ReadCommand(&c); err != nil || c.Tag != tag {
			t.Fatalf("%s: %v %+v", tag, err, c)
		}
	}
}

func TestReadCommandLenientBase64(t *testing.T) {
	c, err := decodeOne(t, "A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q\r\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := c.Args.(*imap.AuthenticateCommand); string(a.InitialResponse) != "test\x00test\x00test" {
		t.Errorf("initial response %q", a.InitialResponse)
	}
}

func TestReadCommandLiteralNUL(t *testing.T) {
	for _, tt := range []struct {
		in   string
		mode Mode
		ok   bool
	}{
		{"a APPEND x {3}\r\na\x00b\r\n", Strict, false},
		{"a APPEND x ~{3}\r\na\x00b\r\n", Strict, true},
		{"a APPEND x {3}\r\na\x00b\r\n", Lenient, true},
		{"a LOGIN {3}\r\na\x00b x\r\n", Strict, false},
		{"a LOGIN {3}\r\na\x00b x\r\n", Lenient, true},
	} {
		_, err := decodeOne(t, tt.in, &Options{Mode: tt.mode})
		if (err == nil) != tt.ok {
			t.Errorf("%s %q: err = %v", tt.mode, tt.in, err)
		}
	}
}

// TestReadCommandUTF8Invalid: after UTF-8 is negotiated, a quoted string
// that is not UTF-8 makes the command BAD (RFC 6855 §3), even in lenient
// mode; before, 8-bit octets pass in lenient mode.
func TestReadCommandUTF8Invalid(t *testing.T) {
	in := "a SEARCH SUBJECT \"\xff\xfe\"\r\n"
	d := NewDecoder(bufio.NewReader(strings.NewReader(in+in)), nil)
	var c Command
	if err := d.ReadCommand(&c); err != nil {
		t.Fatalf("before UTF8: %v", err)
	}
	d.SetUTF8(true)
	if err := d.ReadCommand(&c); err == nil {
		t.Fatal("invalid UTF-8 accepted after UTF8")
	}
}
