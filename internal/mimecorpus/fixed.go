package mimecorpus

import (
	"bytes"
	"fmt"
	"strings"
)

// Fixed returns the hand-written edge cases, in a fixed order. Names are
// unique and describe the case; those of deliberately malformed messages
// start with "broken-". A fresh copy is returned on every call.
func Fixed() []Message {
	var out []Message
	add := func(name, text string) {
		out = append(out, Message{Name: name, Data: crlf(text)})
	}
	addRaw := func(name string, data []byte) {
		out = append(out, Message{Name: name, Data: data})
	}

	// --- Plain text bodies -------------------------------------------------

	add("plain-us-ascii", `From: Alice <alice@example.com>
To: Bob <bob@example.org>
Subject: Plain US-ASCII
Date: Mon, 7 Feb 1994 21:52:25 -0800
Message-ID: <plain-1@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

Hello Bob,

just two lines.
`)
	add("plain-8bit-latin1", "From: alice@example.com\nTo: bob@example.org\nSubject: 8bit\n"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\n"+
		string(inCharset("iso-8859-1", "Grüße aus Köln\nÇa va très bien.\n")))
	add("plain-utf8", "From: alice@example.com\nTo: bob@example.org\nSubject: UTF-8\n"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: 8bit\n\n"+
		"Ünïcødé ✓ 漢字 😀\nПривет, мир\n")
	add("plain-koi8r-no-cte", "From: ivan@example.ru\nTo: bob@example.org\nSubject: "+encodedWord("koi8-r", 'B', "Отчёт за квартал")+"\n"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=koi8-r\n\n"+
		string(inCharset("koi8-r", "Привет, мир\n")))
	add("plain-iso2022jp", "From: taro@example.jp\nTo: bob@example.org\nSubject: "+encodedWord("iso-2022-jp", 'B', "会議の議事録について")+"\n"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n"+
		string(inCharset("iso-2022-jp", "日本語のテスト\n会議の議事録について\n")))
	add("missing-content-type", `From: alice@example.com
To: bob@example.org
Subject: No MIME headers at all
Date: Fri, 21 Nov 1997 09:55:06 -0600

Defaults apply: text/plain; charset=us-ascii (RFC 2045 section 5.2).
`)
	add("mime-version-only", `From: alice@example.com
Subject: MIME-Version but no Content-Type
MIME-Version: 1.0

body
`)
	add("content-type-no-subtype", `From: alice@example.com
Subject: Content-Type without subtype
MIME-Version: 1.0
Content-Type: text

body
`)
	add("content-type-garbage", `From: alice@example.com
Subject: Content-Type that is not a type
MIME-Version: 1.0
Content-Type: ;;; charset=utf-8

body
`)

	// --- Transfer encodings ------------------------------------------------

	add("qp-body", "From: alice@example.com\nTo: bob@example.org\nSubject: QP\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"+
		string(qpBody([]byte("Grüße = equals, trailing space \nA long line: "+strings.Repeat("x", 150)+"\n")))+
		"lower-case hex =c3=a9 and a bad escape =ZZ and a lone = at the end=\nlast line=20\n")
	add("qp-soft-break-no-final-crlf", "From: alice@example.com\nSubject: QP soft break at the very end\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=us-ascii\nContent-Transfer-Encoding: Quoted-Printable\n\nno final line break=")
	add("base64-body", "From: alice@example.com\nTo: bob@example.org\nSubject: base64\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n"+
		string(base64Body([]byte(strings.Repeat("Ünïcødé base64 text line\r\n", 12)))))
	add("broken-base64-bad-chars", "From: alice@example.com\nSubject: bad base64\nMIME-Version: 1.0\n"+
		"Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"+
		"SGVsbG8g!!!d29ybGQ=\nQUJD=REVG\n****\nSGk\n")
	addRaw("broken-base64-no-final-crlf", crlfNoEnd("From: alice@example.com\nSubject: base64 without final CRLF\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQK\nSGVsbG8gd29y"))
	addRaw("plain-no-final-crlf", crlfNoEnd("From: alice@example.com\nSubject: last line without CRLF\n\nline one\nline two"))
	add("broken-unknown-cte", `From: alice@example.com
Subject: unknown transfer encoding
MIME-Version: 1.0
Content-Type: text/plain
Content-Transfer-Encoding: x-uuencode

begin 644 file.txt
#86)C
end
`)
	add("broken-cte-with-params", `From: alice@example.com
Subject: CTE with a parameter and a comment
MIME-Version: 1.0
Content-Type: text/plain
Content-Transfer-Encoding: BASE64 (comment); x=y

SGVsbG8=
`)
	add("binary-cte", "From: alice@example.com\nSubject: binary\nMIME-Version: 1.0\n"+
		"Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n"+
		"\x01\x02\x03\xff\xfe\x80 raw bytes\n\x7f\x1b[0m\n")

	// --- Multiparts --------------------------------------------------------

	add("multipart-mixed", `From: Nathaniel Borenstein <nsb@bellcore.com>
To: Ned Freed <ned@innosoft.com>
Date: Sun, 21 Mar 1993 23:56:48 -0800 (PST)
Subject: Sample message
MIME-Version: 1.0
Content-type: multipart/mixed; boundary="simple boundary"

This is the preamble.  It is to be ignored, though it
is a handy place for composition agents to include an
explanatory note to non-MIME conformant readers.

--simple boundary

This is implicitly typed plain US-ASCII text.
It does NOT end with a linebreak.
--simple boundary
Content-type: text/plain; charset=us-ascii

This is explicitly typed plain US-ASCII text.
It DOES end with a linebreak.

--simple boundary--

This is the epilogue.  It is also to be ignored.
`)
	add("alternative-in-mixed", `From: alice@example.com
To: bob@example.org
Subject: alternative inside mixed
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Gr=C3=BC=C3=9Fe
--inner
Content-Type: text/html; charset=utf-8

<p>Grüße</p>
--inner--
--outer
Content-Type: application/pdf; name="doc.pdf"
Content-Disposition: attachment; filename="doc.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcOkw7zDtsOfCg==
--outer--
`)
	add("related", `From: alice@example.com
Subject: multipart/related with Content-ID and Content-Location
MIME-Version: 1.0
Content-Type: multipart/related; boundary="rel"; type="text/html"; start="<html@example.org>"

--rel
Content-Type: text/html; charset=us-ascii
Content-ID: <html@example.org>
Content-Location: http://www.example.com/index.html

<html><body><img src="cid:logo@example.org"><img src="logo2.png"></body></html>
--rel
Content-Type: image/png
Content-ID: <logo@example.org>
Content-Transfer-Encoding: base64
Content-Description: The logo

iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==
--rel
Content-Type: image/png
Content-Location: logo2.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
`)
	add("digest", `From: Moderator <mod@example.org>
To: list@example.org
Subject: Digest Vol 1 Issue 2
MIME-Version: 1.0
Content-Type: multipart/digest; boundary="---- next message ----"

------ next message ----

From: someone-else@example.net
Subject: my opinion
Date: Tue, 1 Jul 2003 10:52:37 +0200

...body goes here ...

------ next message ----

From: someone-else-again@example.net
Subject: my different opinion
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe

------ next message ----
Content-Type: text/plain

An explicitly typed text part inside a digest.
------ next message ------
`)
	add("digest-in-mixed", `From: Moderator <mod@example.org>
Subject: digest inside mixed
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=m

--m
Content-Type: text/plain

Table of contents.
--m
Content-Type: multipart/digest; boundary=d

--d

Subject: first
From: a@example.com

one
--d
Content-Type: message/rfc822

Subject: second
From: b@example.com

two
--d--
--m--
`)
	add("nested-rfc822-two-levels", `From: outer@example.com
To: bob@example.org
Subject: Fwd: Fwd: nested
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="L1"

--L1
Content-Type: text/plain

See the forwarded message.
--L1
Content-Type: message/rfc822
Content-Description: forwarded message

From: middle@example.com
To: outer@example.com
Subject: Fwd: nested
Date: Wed, 12 Feb 1997 16:29:51 -0500
Message-ID: <middle@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="L2"

--L2
Content-Type: text/plain; charset=us-ascii

middle text
--L2
Content-Type: message/rfc822

From: =?iso-8859-1?Q?J=F6rg?= <inner@example.de>
To: middle@example.com
Subject: =?utf-8?B?SW5uZXJzdGUgTmFjaHJpY2h0?=
Date: Thu, 13 Feb 1997 16:29:51 -0500
Message-ID: <inner@example.de>
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

innermost text ✓
--L2--
--L1--
`)
	add("rfc822-top-level", `From: outer@example.com
Subject: the whole body is a message
MIME-Version: 1.0
Content-Type: message/rfc822

From: inner@example.com
Subject: inner
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary=x

--x
Content-Type: text/plain

plain
--x
Content-Type: text/html

<b>html</b>
--x--
`)
	add("rfc822-header-only", `From: outer@example.com
Subject: embedded message without body
MIME-Version: 1.0
Content-Type: message/rfc822

From: inner@example.com
Subject: no body
`)
	add("rfc822-base64", "From: outer@example.com\nSubject: message/rfc822 in base64 (not allowed)\nMIME-Version: 1.0\n"+
		"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n"+
		string(base64Body(crlf("From: inner@example.com\nSubject: hidden\n\nbody\n")))+"--b--\n")
	add("message-global", "From: outer@example.com\nSubject: message/global\nMIME-Version: 1.0\n"+
		"Content-Type: message/global\n\nFrom: Jörg <jörg@例え.jp>\nSubject: Grüße\n\nUTF-8 headers (RFC 6532)\n")
	add("multipart-parallel-nested-deep", `From: a@example.com
Subject: deep nesting
MIME-Version: 1.0
Content-Type: multipart/parallel; boundary=p1

--p1
Content-Type: multipart/mixed; boundary=p2

--p2
Content-Type: multipart/alternative; boundary=p3

--p3
Content-Type: multipart/related; boundary=p4

--p4
Content-Type: text/plain

level 4
--p4--
--p3--
--p2--
--p1--
`)

	// --- Attachment parameters ---------------------------------------------

	add("rfc2231-continuations", `From: alice@example.com
Subject: RFC 2231 names
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: application/x-stuff;
 title*0*=us-ascii'en'This%20is%20even%20more%20;
 title*1*=%2A%2A%2Afun%2A%2A%2A%20;
 title*2="isn't it!"
Content-Disposition: attachment;
 filename*0*=utf-8''%E2%82%AC%20rates%20;
 filename*1*=for%20K%C3%B6ln.txt

data
--b
Content-Type: application/x-stuff; name*=iso-8859-1'fr'caf%E9%20cr%E8me.txt
Content-Disposition: attachment; filename*=iso-8859-1'fr'caf%E9%20cr%E8me.txt;
 size=4

data
--b
Content-Type: application/x-stuff; name*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A
Content-Disposition: inline; filename*1="second"; filename*0="first "

data
--b
Content-Type: text/plain; name*0=split; name*2=out-of-order; name*1=-and-

data
--b--
`)
	add("disposition-params", `From: alice@example.com
Subject: Content-Disposition parameters
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=us-ascii
Content-Disposition: attachment; filename=genome.jpeg;
  modification-date="Wed, 12 Feb 1997 16:29:51 -0500";
  creation-date="Wed, 12 Feb 1997 16:29:51 -0500"; size=12345;
  read-date="Thu, 13 Feb 1997 16:29:51 -0500"

text
--b
Content-Type: text/plain
Content-Disposition: INLINE

inline in upper case
--b
Content-Type: text/plain
Content-Disposition: ; filename=no-type.txt

disposition without a type
--b
Content-Type: text/plain
Content-Disposition: attachment; filename="=?utf-8?B?R3LDvMOfZS50eHQ=?="

encoded-word in a quoted file name
--b--
`)
	add("content-fields", `From: alice@example.com
Subject: Content-Language, -Location, -MD5, -ID, -Description
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=b

--b
Content-Type: text/plain; charset=us-ascii
Content-ID: <part1@example.org>
Content-Description: =?utf-8?Q?Beschreibung_=C3=BCber?= the part
Content-Language: en, de-AT (Austrian German), x-klingon
Content-Location: http://www.example.com/part1.txt
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==

text
--b
Content-Type: text/plain
Content-Language: fr
Content-Location: "http://www.example.com/with space"
Content-ID: not-in-brackets@example.org
Content-Description: "quoted description"

text
--b
Content-Type: text/plain
Content-Location: http://www.example.com/a/very/long/
 path/folded/over/lines.txt
Content-Language:

empty language
--b--
`)
	add("odd-param-quoting", `From: alice@example.com
Subject: parameters with odd quoting
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary = "spaced boundary" ; x-empty="" ; x-noval= ; x-comment=(c)value(c)

--spaced boundary
Content-Type: text/plain; charset = "us-ascii" (comment); name="a \"quoted\" \\ name"; x=y;y=z

text
--spaced boundary
Content-Type: text/plain; charset='single-quoted'; name=unquoted value with spaces

text
--spaced boundary
Content-Type: text/plain; charset="unterminated

text
--spaced boundary
Content-Type: text/plain; CHARSET=UTF-8; Charset=iso-8859-1; NAME="dup keys"

text
--spaced boundary
Content-Type: text/plain;
	charset=us-ascii;
	format=flowed; delsp=no;;;

text
--spaced boundary--
`)
	add("type-case", `From: alice@example.com
Subject: type names in odd case
MIME-Version: 1.0
CONTENT-TYPE: MULTIPART/MIXED; BOUNDARY="Case"

--Case
content-type: TEXT/PLAIN; CHARSET=US-ASCII
content-transfer-encoding: QUOTED-PRINTABLE

upper
--Case
Content-Type: Text/Html

mixed
--Case
Content-Type: image/PNG
Content-Transfer-Encoding: Base64

iVBORw0KGgo=
--Case
Content-Type: Message/RFC822

Subject: upper-case message type

inner
--Case--
`)

	// --- Header fields: encoded-words and addresses -------------------------

	add("encoded-word-subjects", "From: alice@example.com\nTo: bob@example.org\nSubject: "+
		encodedWord("utf-8", 'B', "Ünïcødé ✓")+" "+encodedWord("iso-8859-1", 'Q', "Grüße")+"\n"+
		" "+encodedWord("iso-2022-jp", 'B', "日本語")+"\n\t"+encodedWord("koi8-r", 'Q', "Привет")+"\n "+
		encodedWord("windows-1252", 'q', "“quotes” €")+" plain tail\nMIME-Version: 1.0\nContent-Type: text/plain\n\nbody\n")
	for i, cs := range []string{"utf-8", "iso-8859-1", "iso-2022-jp", "koi8-r", "windows-1252"} {
		for _, enc := range []byte{'B', 'Q'} {
			var text string
			for _, s := range samples {
				if s.charsets[0] != "us-ascii" && contains(s.charsets, cs) {
					text = s.text
					break
				}
			}
			add(fmt.Sprintf("encoded-word-%s-%c", cs, enc), fmt.Sprintf(
				"From: %s <sender%d@example.com>\nTo: %s <rcpt@example.org>\nSubject: %s\n"+
					"MIME-Version: 1.0\nContent-Type: application/octet-stream; name=\"%s\"\nContent-Transfer-Encoding: base64\n\nAAEC\n",
				encodedWord(cs, enc, text), i, encodedWord(cs, enc, text), encodedWords(cs, enc, text+" "+text, 4), encodedWord(cs, enc, text)))
		}
	}
	add("encoded-word-edge-cases", `From: =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>
To: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>
CC: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>
Subject: =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=
  =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=
Comments: (=?ISO-8859-1?Q?a?= b) =?utf-8?q?lower_case_q?= =?UTF-8?B?bm8gcGFkZGluZw?=
X-Empty-Word: =?utf-8?Q??=
MIME-Version: 1.0
Content-Type: text/plain

RFC 2047 section 8 examples.
`)
	add("addresses", `From: Pete(A nice \) chap) <pete(his account)@silly.test(his host)>
Sender: "Joe Q. Public" <john.q.public@example.com>
Reply-To: "Giant; \"Big\" Box" <sysservices@example.net>
To: A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;
Cc: Undisclosed recipients:;
Bcc: "quoted local"@example.com, "a\"b"@example.org, localonly, Name <nodomain>,
 <@route1.example,@route2.example:routed@example.net>,
 Mary Smith <@machine.tld:mary@example.net>, , jdoe@test  . example
Subject: Addresses from RFC 5322 appendix A and worse
Date: Thu, 13 Feb 1969 23:32:54 -0330
Message-ID: <testabcd.1234@silly.test>

body
`)
	add("addresses-obsolete", `From: John Doe <jdoe@machine(comment).  example>
To: Mary Smith
  
     <mary@example.net>
Cc: "Mary Smith: Personal Account" <smith@home.example>, Empty Group:;,
 Group Two: one@example.com, (just a comment) ;
Reply-To: <>
Subject: Obsolete address syntax
Date: 21 Nov 97 09:55:06 GMT
Message-ID:    <5678.21-Nov-1997@example.com>
In-Reply-To: <1234@local.machine.example> <3456@example.net>

body
`)
	add("addresses-encoded-names", "From: "+encodedWord("utf-8", 'Q', "Jörg Müller")+" <joerg@example.de>\n"+
		"To: "+encodedWord("iso-8859-1", 'B', "Café Crème")+" <cafe@example.fr>, "+encodedWord("koi8-r", 'B', "Привет")+" <ivan@example.ru>\n"+
		"Cc: \""+encodedWord("utf-8", 'B', "in quotes")+"\" <q@example.com>, "+encodedWord("iso-2022-jp", 'B', "日本語")+": member@example.jp;\n"+
		"Subject: encoded display names\n\nbody\n")

	// --- Broken MIME -------------------------------------------------------

	add("broken-missing-closing-boundary", `From: alice@example.com
Subject: no closing boundary
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

--b1
Content-Type: text/plain

first part
--b1
Content-Type: text/plain

second part, and then the message just ends
`)
	add("broken-boundary-not-found", `From: alice@example.com
Subject: boundary never appears
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="declared"

--actual
Content-Type: text/plain

text
--actual--
`)
	add("broken-multipart-no-boundary-param", `From: alice@example.com
Subject: multipart without boundary parameter
MIME-Version: 1.0
Content-Type: multipart/mixed

--x
Content-Type: text/plain

text
--x--
`)
	add("broken-nested-same-boundary", `From: alice@example.com
Subject: inner multipart reuses the outer boundary
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=same

--same
Content-Type: multipart/alternative; boundary=same

--same
Content-Type: text/plain

which level am I?
--same--
--same--
`)
	add("broken-boundary-prefix", `From: alice@example.com
Subject: inner boundary is a prefix of the outer one
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=abc-long

--abc-long
Content-Type: multipart/mixed; boundary=abc

--abc
Content-Type: text/plain

inner
--abc-long
Content-Type: text/plain

outer again
--abc-long--
`)
	add("broken-duplicate-headers", `From: alice@example.com
From: mallory@example.net
To: bob@example.org
Subject: first subject
Subject: second subject
Date: Mon, 7 Feb 1994 21:52:25 -0800
Date: Tue, 8 Feb 1994 21:52:25 -0800
Message-ID: <one@example.com>
Message-ID: <two@example.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Type: text/html

two Content-Types: the first one wins?
`)
	add("broken-8bit-raw-headers", "From: J\xc3\xb6rg M\xc3\xbcller <joerg@example.de>\n"+
		"To: \"Caf\xe9\" <cafe@example.fr>\nSubject: Gr\xc3\xbc\xc3\x9fe raw UTF-8 and Gr\xfc\xdfe raw Latin-1\n"+
		"X-Binary: \x80\x81\xfe\xff\nMIME-Version: 1.0\nContent-Type: text/plain; name=\"t\xc3\xa4st.txt\"\n"+
		"Content-Disposition: attachment; filename=t\xc3\xa4st.txt\n\nbody\n")
	add("header-folding-tabs", "From: alice@example.com\nTo: bob@example.org,\n\tcarol@example.org,\n \t dave@example.org\n"+
		"Subject: folded\n\twith a tab\n and a space\n\t\t\tand three tabs\nMIME-Version: 1.0\n"+
		"Content-Type:\n\ttext/plain;\n\tcharset=us-ascii\nContent-Disposition:\tinline;\tfilename=\"tab\tinside.txt\"\n\nbody\n")
	add("header-whitespace-lines", "From: alice@example.com\nSubject: a folded line holding only white space\n \nX-After: yes\n\nbody\n")
	add("header-colon-variants", "From : alice@example.com\nSubject:no space after colon\nX-Empty:\nX-Spaces:    \nMIME-Version:1.0\nContent-Type :text/plain\n\nbody\n")
	add("broken-header-without-colon", "From: alice@example.com\nThis line has no colon\nSubject: after the bad line\n\nbody\n")
	add("empty-body", "From: alice@example.com\nTo: bob@example.org\nSubject: empty body\nMIME-Version: 1.0\nContent-Type: text/plain\n\n")
	add("broken-no-blank-line", "From: alice@example.com\nTo: bob@example.org\nSubject: header only, no blank line\nContent-Type: text/plain\n")
	addRaw("broken-no-blank-line-no-crlf", crlfNoEnd("From: alice@example.com\nSubject: header only, last line without CRLF"))
	add("headerless", "\nThis message has no header at all: it starts with the blank line.\n")
	add("empty-multipart-part", `From: alice@example.com
Subject: parts that are empty
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=e

--e
--e

--e
Content-Type: text/plain

--e--
`)
	add("multipart-zero-parts", `From: alice@example.com
Subject: multipart with only the close delimiter
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=z

--z--
`)
	add("boundary-whitespace-and-lookalikes", `From: alice@example.com
Subject: boundaries with transport padding and look-alikes
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=pad

preamble line
--padding is not a delimiter
--pad	 
Content-Type: text/plain

--pad-not-a-delimiter-either
part one
--pad  
Content-Type: text/plain

part two
--pad--  trailing garbage after close
epilogue
--pad
Content-Type: text/plain

in the epilogue: not a part
`)

	// --- Long lines and large messages --------------------------------------

	add("long-lines", "From: alice@example.com\nSubject: "+strings.Repeat("long subject ", 100)+"\n"+
		"X-Long: "+strings.Repeat("x", 5000)+"\nMIME-Version: 1.0\nContent-Type: text/plain\n\n"+
		strings.Repeat("0123456789", 2000)+"\nshort line\n"+strings.Repeat("y", 998)+"\n")
	add("preamble-epilogue", `From: alice@example.com
Subject: preamble and epilogue
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="=_b"

This is the preamble.
It has two lines.
--=_b
Content-Type: text/plain

plain
--=_b
Content-Type: text/html

<p>html</p>
--=_b--
This is the epilogue.
It has two lines, too.
`)
	addRaw("large-attachment", largeMessage(200_000))
	addRaw("large-text", crlf("From: alice@example.com\nSubject: large text\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"+
		strings.Repeat("Ünïcødé line of text in a large message, number one to many.\n", 2400)))
	return out
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// crlfNoEnd is crlf for text whose last line has no line end.
func crlfNoEnd(s string) []byte {
	return bytes.TrimSuffix(crlf(s), []byte("\r\n"))
}

// largeMessage returns a multipart message of about size bytes: a text
// part and a base64 attachment of pseudo-random bytes.
func largeMessage(size int) []byte {
	r := newRNG(42, 0)
	data := make([]byte, size*3/4-2000)
	for i := range data {
		data[i] = byte(r.next())
	}
	var b bytes.Buffer
	b.Write(crlf(`From: alice@example.com
To: bob@example.org
Subject: large attachment
Message-ID: <large@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="large"

--large
Content-Type: text/plain; charset=us-ascii

See the attachment.
--large
Content-Type: application/octet-stream; name="random.bin"
Content-Disposition: attachment; filename="random.bin"
Content-Transfer-Encoding: base64

`))
	b.Write(base64Body(data))
	b.WriteString("--large--\r\n")
	return b.Bytes()
}
