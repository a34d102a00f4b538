package mime_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// ExampleNewMatcher evaluates search keys against one stored message.
// Header strings are matched after RFC 2047 decoding, bodies after
// quoted-printable and ISO-8859-1 decoding, both case-insensitively per
// i;unicode-casemap, under which "ß" is not "SS".
func ExampleNewMatcher() {
	raw := strings.ReplaceAll(`From: =?utf-8?q?J=C3=BCrgen?= <jurgen@example.de>
Subject: =?iso-8859-1?q?Gr=FC=DFe?=
Date: Mon, 6 May 2024 23:30:00 -0700
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Wir sehen uns in K=F6ln an der Stra=DFe, bis bal=
d!
`, "\n", "\r\n")
	s, err := mime.Parse(strings.NewReader(raw), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := &mime.SearchMessage{
		Seq: 1, UID: 42,
		Flags:        []imap.Flag{imap.FlagSeen},
		InternalDate: time.Date(2024, 5, 7, 8, 31, 0, 0, time.UTC),
		Size:         s.Size,
		Structure:    s,
		Src:          strings.NewReader(raw),
	}
	keys := []imap.SearchKey{
		{Op: imap.SearchFrom, Str: "JÜRGEN"},
		{Op: imap.SearchSubject, Str: "grüße"},
		{Op: imap.SearchBody, Str: "KÖLN"},
		{Op: imap.SearchBody, Str: "bis bald"}, // across a soft line break
		{Op: imap.SearchBody, Str: "STRASSE"},
		{Op: imap.SearchSentOn, Date: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC)},
		{Op: imap.SearchAnd, Children: []imap.SearchKey{
			{Op: imap.SearchUnseen},
			{Op: imap.SearchText, Str: "köln"}, // not read: UNSEEN decides
		}},
	}
	for _, key := range keys {
		m, err := mime.NewMatcher(key, nil)
		if err != nil {
			fmt.Println(err)
			return
		}
		ok, err := m.Match(context.Background(), msg)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-8s %-10q %v\n", key.Op, key.Str, ok)
	}
	// Output:
	// FROM     "JÜRGEN"   true
	// SUBJECT  "grüße"    true
	// BODY     "KÖLN"     true
	// BODY     "bis bald" true
	// BODY     "STRASSE"  false
	// SENTON   ""         true
	// AND      ""         false
}
