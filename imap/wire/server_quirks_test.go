package wire

import (
	"errors"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
)

// serverQuirk is a malformed FETCH response that a real server sends, as
// reported in an issue tracker: lenient mode must decode it to want (and
// read the next response after it), strict mode must reject it.
type serverQuirk struct {
	name  string
	src   string // where the bytes come from
	in    string
	want  Response
	check func(t *testing.T, r *Response) // further checks, or nil
}

// quirkFetch is a FETCH response of message seq with the given items.
func quirkFetch(seq uint32, items ...imap.FetchItem) Response {
	return Response{Kind: KindFetch, Fetch: &imap.FetchData{Seq: seq, Items: items}}
}

func quirkBodyStructure(b imap.BodyStructure) imap.FetchItem {
	return imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &b}
}

func quirkParams(kv ...string) []imap.Param {
	ps := make([]imap.Param, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, imap.Param{Key: kv[i], Value: kv[i+1]})
	}
	return ps
}

// quirkNoParts checks that the body at path (indexes into Parts) is a
// multipart without parts: Parts empty but not nil.
func quirkNoParts(path ...int) func(t *testing.T, r *Response) {
	return func(t *testing.T, r *Response) {
		t.Helper()
		b := r.Fetch.Items[len(r.Fetch.Items)-1].Body
		for _, k := range path {
			if k < 0 {
				b = b.Body
			} else {
				b = &b.Parts[k]
			}
		}
		if b.Parts == nil || len(b.Parts) != 0 || b.Type != "MULTIPART" {
			t.Errorf("body %v: Type %q, Parts %#v; want a MULTIPART with empty, non-nil Parts", path, b.Type, b.Parts)
		}
	}
}

func serverQuirks() []serverQuirk {
	gbkAddr := imap.Address{Name: rtNstr("=?GBK?B?yv2+3bfWzvbQodfp?="), Mailbox: rtNstr("unkonwn-name"), Host: rtNstr("unknown-domain")}
	qqAddr := imap.Address{Name: rtNstr("=?GBK?B?zNrRtsbz0rXTys/k?="), Mailbox: rtNstr("10000"), Host: rtNstr("qq.com")}
	qq2Addr := imap.Address{Name: rtNstr("=?GBK?B?1uzLs72h?="), Mailbox: rtNstr("xxx"), Host: rtNstr("xxx.com")}
	return []serverQuirk{
		{
			name: "multipart without parts, subtype first (Gmail)",
			src:  "https://github.com/jstedfast/MailKit/issues/205",
			in:   `* 1 FETCH (BODYSTRUCTURE (("ALTERNATIVE" ("BOUNDARY" "==alternative_xad5934455aeex") NIL NIL)("TEXT" "HTML" ("CHARSET" "iso-8859-1" "NAME" "seti_letter.html") NIL NIL "7BIT" 6769 171 NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "==alternative_xad5934455aeex") NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "ALTERNATIVE", Params: quirkParams("BOUNDARY", "==alternative_xad5934455aeex"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "MULTIPART", Subtype: "ALTERNATIVE", Params: quirkParams("BOUNDARY", "==alternative_xad5934455aeex"),
						Parts: []imap.BodyStructure{}, Extended: true},
					{Type: "TEXT", Subtype: "HTML", Params: quirkParams("CHARSET", "iso-8859-1", "NAME", "seti_letter.html"),
						Encoding: "7BIT", Size: 6769, Lines: 171, Extended: true},
				},
			})),
			check: quirkNoParts(0),
		},
		{
			name: "multipart without parts, subtype first, top level",
			src:  "https://github.com/jstedfast/MailKit/issues/205 (reduced)",
			in:   `* 1 FETCH (BODYSTRUCTURE ("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "ALTERNATIVE", Params: quirkParams("BOUNDARY", "x"), Parts: []imap.BodyStructure{}, Extended: true,
			})),
			check: quirkNoParts(),
		},
		{
			name: "multipart without parts and parameters (Gmail)",
			src:  "https://github.com/jstedfast/MailKit/issues/777",
			in:   `* 56697 FETCH (UID 227195 BODYSTRUCTURE ((("TEXT" "PLAIN" ("CHARSET" "UTF-8" "DELSP" "yes" "FORMAT" "flowed") NIL NIL "BASE64" 10418 133 NIL NIL NIL)("TEXT" "HTML" ("CHARSET" "UTF-8") NIL NIL "BASE64" 34544 442 NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "94eb2c1cd0507723d5054c1ce6cb") NIL NIL)("RELATED" NIL ("ATTACHMENT" NIL) NIL)("RELATED" NIL ("ATTACHMENT" NIL) NIL) "MIXED" ("BOUNDARY" "94eb2c1cd0507723e6054c1ce6cd") NIL NIL))`,
			want: quirkFetch(56697, imap.FetchItem{Kind: imap.FetchUID, Num: 227195}, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "MIXED", Params: quirkParams("BOUNDARY", "94eb2c1cd0507723e6054c1ce6cd"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "MULTIPART", Subtype: "ALTERNATIVE", Params: quirkParams("BOUNDARY", "94eb2c1cd0507723d5054c1ce6cb"), Extended: true,
						Parts: []imap.BodyStructure{
							{Type: "TEXT", Subtype: "PLAIN", Params: quirkParams("CHARSET", "UTF-8", "DELSP", "yes", "FORMAT", "flowed"),
								Encoding: "BASE64", Size: 10418, Lines: 133, Extended: true},
							{Type: "TEXT", Subtype: "HTML", Params: quirkParams("CHARSET", "UTF-8"),
								Encoding: "BASE64", Size: 34544, Lines: 442, Extended: true},
						}},
					{Type: "MULTIPART", Subtype: "RELATED", Parts: []imap.BodyStructure{}, Extended: true,
						Disposition: &imap.Disposition{Type: "ATTACHMENT"}},
					{Type: "MULTIPART", Subtype: "RELATED", Parts: []imap.BodyStructure{}, Extended: true,
						Disposition: &imap.Disposition{Type: "ATTACHMENT"}},
				},
			})),
			check: quirkNoParts(2),
		},
		{
			name: "multipart without parts, subtype alone (Gmail)",
			src:  "https://github.com/jstedfast/MailKit/issues/1841",
			in:   `* 51 FETCH (BODY (("TEXT" "PLAIN" ("CHARSET" "windows-1252") NIL NIL "QUOTED-PRINTABLE" 211 5)("MESSAGE" "DELIVERY-STATUS" NIL NIL NIL "7BIT" 344)("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 2942 ("Sat, 3 Jan 2015 19:26:15 +0100" "Re: MPG" (("c p" NIL "cp87" "gmail.com")) NIL NIL (("am" NIL "sm" "cft.ce.fr")) NIL NIL "<D3CAD328@sigce.ce.fr>" "<D4A-8A32@gmail.com>") ("ALTERNATIVE") 51) "REPORT"))`,
			want: quirkFetch(51, imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{
				Type: "MULTIPART", Subtype: "REPORT",
				Parts: []imap.BodyStructure{
					{Type: "TEXT", Subtype: "PLAIN", Params: quirkParams("CHARSET", "windows-1252"), Encoding: "QUOTED-PRINTABLE", Size: 211, Lines: 5},
					{Type: "MESSAGE", Subtype: "DELIVERY-STATUS", Encoding: "7BIT", Size: 344},
					{Type: "MESSAGE", Subtype: "RFC822", Encoding: "7BIT", Size: 2942, Lines: 51,
						Envelope: &imap.Envelope{Date: rtNstr("Sat, 3 Jan 2015 19:26:15 +0100"), Subject: rtNstr("Re: MPG"),
							From: []imap.Address{rtAddr("c p", "cp87", "gmail.com")}, To: []imap.Address{rtAddr("am", "sm", "cft.ce.fr")},
							InReplyTo: rtNstr("<D3CAD328@sigce.ce.fr>"), MessageID: rtNstr("<D4A-8A32@gmail.com>")},
						Body: &imap.BodyStructure{Type: "MULTIPART", Subtype: "ALTERNATIVE", Parts: []imap.BodyStructure{}}},
				},
			}}),
			check: quirkNoParts(2, -1),
		},
		{
			name: "NIL in place of the parts",
			src:  "https://github.com/jstedfast/MailKit/issues/1393",
			in:   `* 6285 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 727 16 NIL NIL NIL NIL)("message" "rfc822" ("name" "Message headers") NIL NIL "7bit" 903 ("Mon, 17 Nov 2014 13:29:21 +0100" "Re: Adresy" NIL NIL NIL NIL NIL NIL NIL "<D6173425@example.com>") (NIL "alternative" ("boundary" "Apple-Mail=_352FCEEC-EB15-428F-9D8B-D3B4259DD646") NIL NIL NIL) 17 NIL NIL NIL NIL) "report" ("report-type" "delivery-status" "boundary" "_e0d7475d888f9882b71de053e5efb221_idea") NIL NIL NIL))`,
			want: quirkFetch(6285, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "report", Extended: true,
				Params: quirkParams("report-type", "delivery-status", "boundary", "_e0d7475d888f9882b71de053e5efb221_idea"),
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "plain", Params: quirkParams("charset", "utf-8"), Encoding: "7bit", Size: 727, Lines: 16, Extended: true},
					{Type: "message", Subtype: "rfc822", Params: quirkParams("name", "Message headers"), Encoding: "7bit", Size: 903, Lines: 17, Extended: true,
						Envelope: &imap.Envelope{Date: rtNstr("Mon, 17 Nov 2014 13:29:21 +0100"), Subject: rtNstr("Re: Adresy"), MessageID: rtNstr("<D6173425@example.com>")},
						Body: &imap.BodyStructure{Type: "MULTIPART", Subtype: "alternative", Parts: []imap.BodyStructure{}, Extended: true,
							Params: quirkParams("boundary", "Apple-Mail=_352FCEEC-EB15-428F-9D8B-D3B4259DD646")}},
				},
			})),
			check: quirkNoParts(1, -1),
		},
		{
			name: "NIL in place of the parts, top level",
			src:  "https://github.com/jstedfast/MailKit/issues/1393 (reduced)",
			in:   `* 1 FETCH (BODYSTRUCTURE (NIL "alternative" ("boundary" "x") NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "alternative", Params: quirkParams("boundary", "x"), Parts: []imap.BodyStructure{}, Extended: true,
			})),
			check: quirkNoParts(),
		},
		{
			name: "empty body (Exchange)",
			src:  "https://github.com/jstedfast/MailKit/issues/944",
			in:   `* 1 FETCH (UID 5 BODYSTRUCTURE ())`,
			want: quirkFetch(1, imap.FetchItem{Kind: imap.FetchUID, Num: 5}, quirkBodyStructure(imap.BodyStructure{Extended: true})),
		},
		{
			name: "NIL among the addresses",
			src:  "https://github.com/jstedfast/MailKit/issues/991 (reduced)",
			in:   `* 1 FETCH (ENVELOPE (NIL NIL ((NIL NIL "user" "example.com") NIL) NIL NIL NIL NIL NIL NIL NIL))`,
			want: quirkFetch(1, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				From: []imap.Address{rtAddr("", "user", "example.com")},
			}}),
		},
		{
			name: "NIL before an address (SmarterMail)",
			src:  "https://github.com/jstedfast/MailKit/issues/991",
			in:   "* 3001 FETCH (UID 3001 ENVELOPE (\"Thu, 18 Jul 2019 01:29:32 -0300\" \"Xxx\" (NIL ({10}\r\n=?x?Q?Xx?= NIL \"xxxxxxx\" \"xxxxxxxxxx.xxx\")) (NIL ({10}\r\n=?x?Q?Xx?= NIL \"xxxxxxx\" \"xxxxxxxxxx.xxx\")) ((NIL NIL \"xxxxxxx\" \"xxxxx.xxx.xx\")) ((NIL NIL \"xxxxxxx\" \"xxxxxxx.xxx.xx\")) NIL NIL NIL \"<0A9F0110@XXXXXXX-XXXXXXX>\"))",
			want: quirkFetch(3001, imap.FetchItem{Kind: imap.FetchUID, Num: 3001}, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				Date: rtNstr("Thu, 18 Jul 2019 01:29:32 -0300"), Subject: rtNstr("Xxx"),
				From:      []imap.Address{rtAddr("=?x?Q?Xx?=", "xxxxxxx", "xxxxxxxxxx.xxx")},
				Sender:    []imap.Address{rtAddr("=?x?Q?Xx?=", "xxxxxxx", "xxxxxxxxxx.xxx")},
				ReplyTo:   []imap.Address{rtAddr("", "xxxxxxx", "xxxxx.xxx.xx")},
				To:        []imap.Address{rtAddr("", "xxxxxxx", "xxxxxxx.xxx.xx")},
				MessageID: rtNstr("<0A9F0110@XXXXXXX-XXXXXXX>"),
			}}),
		},
		{
			name: "envelope ending after env-bcc",
			src:  "https://github.com/jstedfast/MailKit/issues/932",
			in:   `* 450 FETCH (UID 9174 ENVELOPE ("Tue, 24 Sep 2019 09:48:05 +0800" "=?GBK?B?sbG+qdW9x/jI1bGose0=?=" (("=?GBK?B?yv2+3bfWzvbQodfp?=" NIL "unkonwn-name" "unknown-domain")) (("=?GBK?B?yv2+3bfWzvbQodfp?=" NIL "unkonwn-name" "unknown-domain")) (("=?GBK?B?yv2+3bfWzvbQodfp?=" NIL "unkonwn-name" "unknown-domain")) NIL NIL NIL))`,
			want: quirkFetch(450, imap.FetchItem{Kind: imap.FetchUID, Num: 9174}, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				Date: rtNstr("Tue, 24 Sep 2019 09:48:05 +0800"), Subject: rtNstr("=?GBK?B?sbG+qdW9x/jI1bGose0=?="),
				From: []imap.Address{gbkAddr}, Sender: []imap.Address{gbkAddr}, ReplyTo: []imap.Address{gbkAddr},
			}}),
		},
		{
			name: "envelope without env-message-id (QQ Mail)",
			src:  "https://github.com/jstedfast/MailKit/issues/669",
			in:   `* 1 FETCH (ENVELOPE ("Mon, 30 Oct 2017 11:05:21 +0800" "=?GBK?B?u7bTrcq508PM2tG2xvPStdPKz+Q=?=" (("=?GBK?B?zNrRtsbz0rXTys/k?=" NIL "10000" "qq.com")) (("=?GBK?B?zNrRtsbz0rXTys/k?=" NIL "10000" "qq.com")) (("=?GBK?B?zNrRtsbz0rXTys/k?=" NIL "10000" "qq.com")) NIL NIL NIL NIL))`,
			want: quirkFetch(1, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				Date: rtNstr("Mon, 30 Oct 2017 11:05:21 +0800"), Subject: rtNstr("=?GBK?B?u7bTrcq508PM2tG2xvPStdPKz+Q=?="),
				From: []imap.Address{qqAddr}, Sender: []imap.Address{qqAddr}, ReplyTo: []imap.Address{qqAddr},
			}}),
		},
		{
			name: "envelope with nine fields (QQ Mail)",
			src:  "https://github.com/jstedfast/MailKit/issues/279",
			in:   `* 33 FETCH (ENVELOPE ("Wed, 7 Aug 2013 16:44:13 +0800" "=?GBK?B?UmU6ILnY09pRVFMgSUm1xNT2x78=?=" (("=?GBK?B?1uzLs72h?=" NIL "xxx" "xxx.com")) (("=?GBK?B?1uzLs72h?=" NIL "xxx" "xxx.com")) (("=?GBK?B?1uzLs72h?=" NIL "xxx" "xxx.com")) (("=?GBK?B?emhhbmcuYm8=?=" NIL "xxx" "xxx.com")) NIL NIL "<xxx@qq.com>"))`,
			want: quirkFetch(33, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: &imap.Envelope{
				Date: rtNstr("Wed, 7 Aug 2013 16:44:13 +0800"), Subject: rtNstr("=?GBK?B?UmU6ILnY09pRVFMgSUm1xNT2x78=?="),
				From: []imap.Address{qq2Addr}, Sender: []imap.Address{qq2Addr}, ReplyTo: []imap.Address{qq2Addr},
				To:        []imap.Address{rtAddr("=?GBK?B?emhhbmcuYm8=?=", "xxx", "xxx.com")},
				InReplyTo: rtNstr("<xxx@qq.com>"),
			}}),
		},
		{
			name: "negative body-fld-octets (SmarterMail)",
			src:  "https://github.com/jstedfast/MailKit/issues/385",
			in:   `* 1 FETCH (BODYSTRUCTURE (("text" "plain" NIL NIL NIL "7bit" -2 0 NIL NIL NIL)("text" "html" NIL NIL NIL "7bit" 10 -3 NIL NIL NIL) "alternative" ("boundary" "b") NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "alternative", Params: quirkParams("boundary", "b"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "plain", Encoding: "7bit", Extended: true},
					{Type: "text", Subtype: "html", Encoding: "7bit", Size: 10, Extended: true},
				},
			})),
		},
		{
			name: "floating-point body-fld-octets (mail.ru)",
			src:  "https://github.com/jstedfast/MailKit/issues/1838",
			in:   `* 1 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 1721 0 NIL NIL NIL NIL)("application" "pdf" ("name" "a.pdf") NIL NIL "base64" 9.3736e+06 NIL ("attachment" ("filename" "a.pdf")) NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "mixed", Params: quirkParams("boundary", "b"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "plain", Params: quirkParams("charset", "utf-8"), Encoding: "8bit", Size: 1721, Extended: true},
					{Type: "application", Subtype: "pdf", Params: quirkParams("name", "a.pdf"), Encoding: "base64", Size: 9373600, Extended: true,
						Disposition: &imap.Disposition{Type: "attachment", Params: quirkParams("filename", "a.pdf")}},
				},
			})),
		},
		{
			name: "NIL in body-fld-lang (IceWarp)",
			src:  "https://github.com/jstedfast/MailKit/issues/953",
			in:   `* 4876 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "UTF-8") NIL NIL "8bit" 314 8 NIL NIL NIL NIL) "related" ("type" "multipart/alternative" "charset" "UTF-8" "boundary" "b1_f0dcbd2fdb06033cba91309b09af1cd8") NIL ("inline" NIL) NIL NIL))`,
			want: quirkFetch(4876, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "related", Extended: true,
				Params:     quirkParams("type", "multipart/alternative", "charset", "UTF-8", "boundary", "b1_f0dcbd2fdb06033cba91309b09af1cd8"),
				Language:   []string{"inline"},
				Extensions: []imap.RawValue{imap.RawValue("NIL")},
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "plain", Params: quirkParams("charset", "UTF-8"), Encoding: "8bit", Size: 314, Lines: 8, Extended: true},
				},
			})),
		},
		{
			name: "body-fld-param in place of body-fld-md5 (GMX)",
			src:  "https://github.com/jstedfast/MailKit/issues/878",
			in:   `* 58056 FETCH (UID 168531 BODYSTRUCTURE (("multipart" "related" ("boundary" "----=_@@@@BeautyqueenS87@_@147836_6893840099.85426606923635") NIL NIL "7BIT" 400 ("boundary" "----=_@@@@BeautyqueenS87@_@147836_6893840099.85426606923635") NIL NIL NIL)("TEXT" "html" ("charset" "UTF8") NIL NIL "7BIT" 1115 70 NIL NIL NIL NIL) "mixed" ("boundary" "----=--_DRYORTABLE@@@_@@@8957836_03253840099.78526606923635") NIL NIL NIL) FLAGS ())`,
			want: quirkFetch(58056, imap.FetchItem{Kind: imap.FetchUID, Num: 168531}, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "mixed", Params: quirkParams("boundary", "----=--_DRYORTABLE@@@_@@@8957836_03253840099.78526606923635"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "multipart", Subtype: "related", Params: quirkParams("boundary", "----=_@@@@BeautyqueenS87@_@147836_6893840099.85426606923635"),
						Encoding: "7BIT", Size: 400, Extended: true},
					{Type: "TEXT", Subtype: "html", Params: quirkParams("charset", "UTF8"), Encoding: "7BIT", Size: 1115, Lines: 70, Extended: true},
				},
			}), imap.FetchItem{Kind: imap.FetchFlags}),
		},
		{
			name: "unescaped DQUOTEs (doubled)",
			src:  "https://github.com/emersion/go-imap/issues/659",
			in:   `* 150 FETCH (UID 1733220355 BODY (("text" "html" ("charset" "UTF-8") NIL NIL "quoted-printable" 1224 16)("application" "octet-stream" ("name" "2154973550.pdf") NIL """" "base64" 65322) "MIXED"))`,
			want: quirkFetch(150, imap.FetchItem{Kind: imap.FetchUID, Num: 1733220355}, imap.FetchItem{Kind: imap.FetchBody, Body: &imap.BodyStructure{
				Type: "MULTIPART", Subtype: "MIXED",
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "html", Params: quirkParams("charset", "UTF-8"), Encoding: "quoted-printable", Size: 1224, Lines: 16},
					{Type: "application", Subtype: "octet-stream", Params: quirkParams("name", "2154973550.pdf"), Description: rtNstr(`""`),
						Encoding: "base64", Size: 65322},
				},
			}}),
		},
		{
			name: "unescaped DQUOTE before SP",
			src:  "https://github.com/jstedfast/MailKit/issues/485",
			in:   "* 1 FETCH (UID 1 BODYSTRUCTURE (\"TEXT\" \"HTML\"\" NIL NIL NIL {5}\r\n8bit\" 74 2))",
			want: quirkFetch(1, imap.FetchItem{Kind: imap.FetchUID, Num: 1}, quirkBodyStructure(imap.BodyStructure{
				Type: "TEXT", Subtype: `HTML"`, Encoding: `8bit"`, Size: 74, Lines: 2, Extended: true,
			})),
		},

		// Deviations lenient mode already took, pinned here with their
		// sources; the first also checks that NIL NIL does not start a
		// multipart without parts.
		{
			name: "NIL type and subtype (Office 365)",
			src:  "https://github.com/jstedfast/MailKit/issues/1446",
			in:   `* 1 FETCH (BODYSTRUCTURE ((NIL NIL NIL NIL NIL "7BIT" 0 NIL NIL NIL NIL)(NIL NIL NIL NIL NIL "7BIT" 0 NIL NIL NIL NIL) "related" ("boundary" "_007_YT2PR01MB4752" "type" "multipart/alternative") NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "related", Params: quirkParams("boundary", "_007_YT2PR01MB4752", "type", "multipart/alternative"), Extended: true,
				Parts: []imap.BodyStructure{{Encoding: "7BIT", Extended: true}, {Encoding: "7BIT", Extended: true}},
			})),
		},
		{
			name: "NIL parameter value (mail.ru)",
			src:  "https://github.com/pimalaya/himalaya/issues/649",
			in:   `* 1992 FETCH (UID 153422 BODYSTRUCTURE ((("text" "plain" ("charset" "utf-8") NIL NIL "8bit" 1721 0 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "8bit" 31289 0 NIL NIL NIL NIL) "alternative" ("boundary" NIL)) "mixed" ("boundary" NIL)))`,
			want: quirkFetch(1992, imap.FetchItem{Kind: imap.FetchUID, Num: 153422}, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "mixed", Params: quirkParams("boundary", ""), Extended: true,
				Parts: []imap.BodyStructure{{Type: "MULTIPART", Subtype: "alternative", Params: quirkParams("boundary", ""), Extended: true,
					Parts: []imap.BodyStructure{
						{Type: "text", Subtype: "plain", Params: quirkParams("charset", "utf-8"), Encoding: "8bit", Size: 1721, Extended: true},
						{Type: "text", Subtype: "html", Params: quirkParams("charset", "utf-8"), Encoding: "8bit", Size: 31289, Extended: true},
					}}},
			})),
		},
		{
			name: "NIL body-fld-enc (maddy)",
			src:  "https://github.com/foxcpp/maddy/issues/756",
			in:   `* 1 FETCH (BODYSTRUCTURE ("text" "plain" ("charset" "utf-8") NIL NIL NIL 12 1 NIL NIL NIL NIL))`,
			want: quirkFetch(1, quirkBodyStructure(imap.BodyStructure{
				Type: "text", Subtype: "plain", Params: quirkParams("charset", "utf-8"), Size: 12, Lines: 1, Extended: true,
			})),
		},
		{
			name: "space before a multipart's closing parenthesis (Yahoo Japan)",
			src:  "https://github.com/emailjs/emailjs-imap-handler/pull/8",
			in:   `* 2 FETCH (BODYSTRUCTURE (("text" "plain" ("charset" "ISO-2022-JP") NIL NIL "7bit" 2515 64 NIL NIL NIL NIL)("text" "html" ("charset" "ISO-2022-JP") NIL NIL "7bit" 7723 151 NIL NIL NIL NIL) "alternative" ("boundary" "pzu8t3naw7b5therma1t") NIL ) FLAGS (\Seen))`,
			want: quirkFetch(2, quirkBodyStructure(imap.BodyStructure{
				Type: "MULTIPART", Subtype: "alternative", Params: quirkParams("boundary", "pzu8t3naw7b5therma1t"), Extended: true,
				Parts: []imap.BodyStructure{
					{Type: "text", Subtype: "plain", Params: quirkParams("charset", "ISO-2022-JP"), Encoding: "7bit", Size: 2515, Lines: 64, Extended: true},
					{Type: "text", Subtype: "html", Params: quirkParams("charset", "ISO-2022-JP"), Encoding: "7bit", Size: 7723, Lines: 151, Extended: true},
				},
			}), imap.FetchItem{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen}}),
		},
	}
}

// TestReadResponseServerQuirks decodes the malformed FETCH responses of
// real servers: lenient mode decodes each to a sensible value and goes on
// with the next response, strict mode rejects it.
func TestReadResponseServerQuirks(t *testing.T) {
	for _, q := range serverQuirks() {
		in := q.in + "\r\n"
		d := rtDecoder(in+"* 7 EXISTS\r\n", rtLenient)
		var r Response
		if err := d.ReadResponse(&r); err != nil {
			t.Errorf("%s (%s): lenient: %v", q.name, q.src, err)
			continue
		}
		if !rtEqual(&r, &q.want) {
			t.Errorf("%s (%s):\n got %s\nwant %s", q.name, q.src, rtDump(r), rtDump(&q.want))
			continue
		}
		if q.check != nil {
			q.check(t, &r)
		}
		var next Response
		if err := d.ReadResponse(&next); err != nil || next.Kind != KindExists || next.Num != 7 {
			t.Errorf("%s: the next response: %v %s", q.name, err, rtDump(next))
		}
		if _, err := rtDecode(in, rtStrict); err == nil {
			t.Errorf("%s: strict mode accepts %q", q.name, q.in)
		} else if !errors.Is(err, ErrSyntax) {
			t.Errorf("%s: strict: %v, want a syntax error", q.name, err)
		}
	}
}

// TestReadResponseNoPartsLookahead checks how lenient mode tells a
// multipart without parts from a single part with a NIL type or subtype,
// and that what it cannot tell (a literal hides the seventh field) stays
// a single part.
func TestReadResponseNoPartsLookahead(t *testing.T) {
	for _, tc := range []struct {
		in        string
		multipart bool
	}{
		{`("APPLICATION" NIL NIL NIL NIL "7BIT" 5)`, false},
		{`("APPLICATION" NIL NIL NIL NIL "7BIT" -1)`, false},
		{`(NIL "PLAIN" NIL NIL NIL NIL 5)`, false},
		{`(NIL "PLAIN" ("A" "(") NIL "x\"y" "7BIT" 5)`, false},
		{`(NIL NIL NIL NIL NIL "7BIT" 0)`, false},
		{"(NIL \"PLAIN\" NIL NIL NIL {4}\r\n7BIT 5)", false},
		{`("RELATED" NIL ("ATTACHMENT" NIL) NIL)`, true},
		{`("RELATED" NIL)`, true},
		{`("RELATED")`, true},
		{`( "RELATED" ("A" "B") )`, true},
		{`(RELATED ("A" "B"))`, true},
		{`(NIL "related" ("A" "B") NIL NIL NIL)`, true},
		{`(NIL related NIL)`, true},
	} {
		r, err := rtDecode("* 1 FETCH (BODYSTRUCTURE "+tc.in+")\r\n", rtLenient)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		b := r.Fetch.Items[0].Body
		if got := b.Parts != nil && b.Type == "MULTIPART"; got != tc.multipart {
			t.Errorf("%q: decoded as %s; multipart without parts: %v, want %v", tc.in, rtDump(b), got, tc.multipart)
		}
		if !strings.Contains(tc.in, "{") {
			if _, err := rtDecode("* 1 FETCH (BODYSTRUCTURE "+tc.in+")\r\n", rtStrict); err == nil {
				t.Errorf("%q: strict mode accepts it", tc.in)
			}
		}
	}
}

// TestReadResponseBodyNumbers checks the numbers lenient mode takes for
// body-fld-octets and body-fld-lines, and those it still refuses.
func TestReadResponseBodyNumbers(t *testing.T) {
	for _, tc := range []struct {
		octets, lines string
		size, nlines  uint32
		ok            bool
	}{
		{"-1", "-1", 0, 0, true},
		{"-2", "-12345678901234567890", 0, 0, true},
		{"9.3736e+06", "1.5", 9373600, 2, true},
		{"1.86931e+06", "3E2", 1869310, 300, true},
		{"4294967295", "99999999999", 4294967295, 4294967295, true},
		{"1e-3", "-1.5e3", 0, 0, true},
		{"4294967296", "1", 0, 0, false}, // body-fld-octets is a 32-bit number
		{"4.3e9", "1", 0, 0, false},
		{"1e400", "1", 0, 0, false},
		{"1.2.3", "1", 0, 0, false},
		{"1e", "1", 0, 0, false},
		{"-", "1", 0, 0, false},
		{"1-2", "1", 0, 0, false},
	} {
		in := `* 1 FETCH (BODY ("TEXT" "PLAIN" NIL NIL NIL "7BIT" ` + tc.octets + " " + tc.lines + "))\r\n"
		r, err := rtDecode(in, rtLenient)
		if !tc.ok {
			if err == nil {
				t.Errorf("%s %s: lenient mode accepts it: %s", tc.octets, tc.lines, rtDump(r))
			}
			continue
		}
		if err != nil {
			t.Errorf("%s %s: %v", tc.octets, tc.lines, err)
			continue
		}
		if b := r.Fetch.Items[0].Body; b.Size != tc.size || b.Lines != tc.nlines {
			t.Errorf("%s %s: Size %d, Lines %d; want %d, %d", tc.octets, tc.lines, b.Size, b.Lines, tc.size, tc.nlines)
		}
	}
}
