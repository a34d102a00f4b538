package imapclient_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

// slMessages are the messages of the local SORT and THREAD tests, with
// their internal dates: equal dates, a missing and an unparseable Date,
// encoded words, a Date equal to another's in another zone, a missing
// parent, a duplicate Message-ID, a message without From or Subject, and
// one that is expunged so that sequence numbers and UIDs differ.
var slMessages = []struct {
	date string // internal date, RFC 3339
	msg  string
}{
	{"2024-01-05T10:00:00Z", "From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: alpha\r\n" +
		"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nMessage-ID: <a1@x>\r\n\r\nfirst\r\n"},
	{"2024-01-05T10:00:00Z", "From: x@example.org\r\nSubject: deleted\r\n\r\ngone\r\n"},
	{"2024-01-04T00:00:00Z", "From: \"Zed\" <zed@example.com>\r\nTo: carol@example.org\r\nCc: dave@example.org\r\nSubject: Re: alpha\r\n" +
		"Date: Mon, 1 Jan 2024 11:00:00 +0000\r\nMessage-ID: <a2@x>\r\nIn-Reply-To: <a1@x>\r\nReferences: <a1@x>\r\n\r\nsecond\r\n"},
	{"2024-01-04T00:00:00Z", "From: bob@example.org\r\nSubject: [list] Fwd: beta\r\nMessage-ID: <b1@x>\r\n\r\nno date\r\n"},
	{"2024-01-03T00:00:00Z", "From: =?UTF-8?Q?=C3=89mile?= <emile@example.net>\r\nTo: =?UTF-8?Q?Z=C3=B6e?= <zoe@example.net>\r\n" +
		"Subject: =?UTF-8?Q?caf=C3=A9?=\r\nDate: not a date\r\nMessage-ID: <c1@x>\r\n\r\ncafé\r\n"},
	{"2024-01-02T00:00:00Z", "From: carol@example.org\r\nTo: alice@example.org\r\nSubject: Re: Re: alpha\r\n" +
		"Date: Mon, 1 Jan 2024 09:00:00 -0200\r\nMessage-ID: <a3@x>\r\nIn-Reply-To: <a2@x>\r\nReferences: <a1@x>\r\n <a2@x>\r\n\r\n" +
		strings.Repeat("a long body\r\n", 100)},
	{"2024-01-06T00:00:00Z", "From: dave@example.org\r\nSubject: beta\r\nDate: Tue, 2 Jan 2024 00:00:00 +0000\r\n" +
		"Message-ID: <b2@x>\r\nReferences: <missing@x>\r\n\r\nreply to a missing one\r\n"},
	{"2024-01-06T00:00:00Z", "From: erin@example.org\r\nSubject: RE: BETA\r\nDate: Tue, 2 Jan 2024 01:00:00 +0000\r\n" +
		"Message-ID: <b3@x>\r\nReferences: <missing@x>\r\n\r\nanother\r\n"},
	{"2024-01-01T00:00:00Z", "Date: Wed, 3 Jan 2024 00:00:00 +0000\r\n\r\nno from, no subject\r\n"},
	{"2024-01-07T00:00:00Z", "From: Alice <alice@example.org>\r\nSubject: gamma\r\nDate: Thu, 4 Jan 2024 00:00:00 +0000\r\n" +
		"Message-ID: <a1@x>\r\n\r\nduplicate id\r\n"},
}

// slSetup starts our server with slMessages in INBOX (the second one
// expunged) and returns a client with INBOX selected.
func slSetup(t *testing.T) *imapclient.Client {
	t.Helper()
	env := newEnv(t)
	ctx := context.Background()
	st, err := env.backend.Open(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range slMessages {
		d, err := time.Parse(time.RFC3339, m.date)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Append(ctx, "INBOX", strings.NewReader(m.msg), &mailstore.AppendOptions{InternalDate: d}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	c := env.login(t, nil)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Store(ctx, imap.NumSetOf(2), false, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Expunge(ctx); err != nil {
		t.Fatal(err)
	}
	return c
}

func slCriteria(spec string) []imap.SortCriterion {
	var out []imap.SortCriterion
	rev := false
	for _, w := range strings.Fields(spec) {
		if w == "REVERSE" {
			rev = true
			continue
		}
		out = append(out, imap.SortCriterion{Key: w, Reverse: rev})
		rev = false
	}
	return out
}

var slKeys = map[string]imap.SearchKey{
	"ALL":             {},
	"NOT SUBJECT a":   {Op: imap.SearchNot, Children: []imap.SearchKey{{Op: imap.SearchSubject, Str: "alpha"}}},
	"UID 3:8":         {Op: imap.SearchUID, Set: imap.NumSetRange(3, 8)},
	"SUBJECT café":    {Op: imap.SearchSubject, Str: "café"},
	"SUBJECT nomatch": {Op: imap.SearchSubject, Str: "no such subject"},
}

// TestSortLocalMatchesServer: the client's SORT gives what our server's
// SORT gives, for every key of RFC 5256 and RFC 5957, reversed or not, on
// several search keys, as sequence numbers and as UIDs.
func TestSortLocalMatchesServer(t *testing.T) {
	c := slSetup(t)
	ctx := context.Background()
	for _, spec := range []string{
		"ARRIVAL", "REVERSE ARRIVAL", "DATE", "REVERSE DATE", "SIZE", "REVERSE SIZE",
		"SUBJECT", "SUBJECT REVERSE DATE", "REVERSE SUBJECT ARRIVAL", "FROM", "TO", "CC",
		"DISPLAYFROM", "REVERSE DISPLAYTO", "CC REVERSE FROM SIZE", "DATE SUBJECT",
	} {
		for kname, key := range slKeys {
			for _, uid := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/uid=%v", spec, kname, uid)
				crit := slCriteria(spec)
				server, err := c.Sort(ctx, crit, key, uid, "")
				if err != nil {
					t.Fatalf("%s: server: %v", name, err)
				}
				local, err := c.SortLocal(ctx, crit, key, uid, "")
				if err != nil {
					t.Fatalf("%s: local: %v", name, err)
				}
				if !slices.Equal(local, server) {
					t.Errorf("%s: local %v, server %v", name, local, server)
				}
			}
		}
	}
	if _, err := c.SortLocal(ctx, []imap.SortCriterion{{Key: "COLOR"}}, imap.SearchKey{}, false, ""); !errors.Is(err, mime.ErrUnknownSortKey) {
		t.Errorf("unknown key: %v", err)
	}
	if _, err := c.SortLocal(ctx, nil, imap.SearchKey{}, false, ""); !errors.Is(err, imapclient.ErrNoSortCriteria) {
		t.Errorf("no criteria: %v", err)
	}
}

// TestThreadLocalMatchesServer: the client's THREAD gives what our
// server's THREAD gives, for both algorithms.
func TestThreadLocalMatchesServer(t *testing.T) {
	c := slSetup(t)
	ctx := context.Background()
	for _, alg := range []string{"ORDEREDSUBJECT", "REFERENCES"} {
		for kname, key := range slKeys {
			for _, uid := range []bool{false, true} {
				name := fmt.Sprintf("%s/%s/uid=%v", alg, kname, uid)
				server, err := c.Thread(ctx, alg, key, uid, "")
				if err != nil {
					t.Fatalf("%s: server: %v", name, err)
				}
				local, err := c.ThreadLocal(ctx, alg, key, uid, "")
				if err != nil {
					t.Fatalf("%s: local: %v", name, err)
				}
				if !reflect.DeepEqual(local, server) {
					t.Errorf("%s: local %v, server %v", name, local, server)
				}
			}
		}
	}
	if _, err := c.ThreadLocal(ctx, "X-UNKNOWN", imap.SearchKey{}, false, ""); !errors.Is(err, mime.ErrUnknownThreadAlgorithm) {
		t.Errorf("unknown algorithm: %v", err)
	}
}

// TestSortThreadFallback: against a server without SORT and THREAD, Sort
// and Thread search and fetch instead of sending SORT or THREAD; with
// SORT but not SORT=DISPLAY, DISPLAYFROM is sorted locally; with
// Options.NoLocalSortThread the command is sent anyway.
func TestSortThreadFallback(t *testing.T) {
	fetched := []string{
		`* 1 FETCH (UID 10 ENVELOPE ("Mon, 1 Jan 2024 12:00:00 +0000" "b" NIL NIL NIL NIL NIL NIL NIL "<1@x>") INTERNALDATE "01-Jan-2024 12:00:00 +0000")`,
		`* 2 FETCH (UID 20 ENVELOPE ("Mon, 1 Jan 2024 10:00:00 +0000" "a" NIL NIL NIL NIL NIL NIL NIL "<2@x>") INTERNALDATE "01-Jan-2024 12:00:00 +0000")`,
		`* 3 FETCH (UID 30 ENVELOPE ("Mon, 1 Jan 2024 11:00:00 +0000" "Re: b" NIL NIL NIL NIL NIL NIL "<1@x>" "<3@x>") INTERNALDATE "01-Jan-2024 12:00:00 +0000")`,
	}
	const refs = "References: <1@x>\r\n\r\n"
	withRefs := slices.Clone(fetched)
	withRefs[2] = strings.TrimSuffix(fetched[2], ")") + " BODY[HEADER.FIELDS (REFERENCES)] {" + strconv.Itoa(len(refs)) + "}\r\n" + refs + ")"
	addr, played := extScript(t, "IDLE",
		extStep{`s1 UID SEARCH ALL`, []string{`* SEARCH 10 20 30`, `s1 OK done`}},
		extStep{`s2 UID FETCH 10,20,30 (UID ENVELOPE INTERNALDATE)`, append(slices.Clone(fetched), `s2 OK done`)},
		extStep{`t1 UID SEARCH ALL`, []string{`* SEARCH 10 20 30`, `t1 OK done`}},
		extStep{`t2 UID FETCH 10,20,30 (UID ENVELOPE INTERNALDATE BODY.PEEK[HEADER.FIELDS (References)])`, append(withRefs, `t2 OK done`)},
		extStep{`u1 UID SEARCH CHARSET UTF-8 SUBJECT "é"`, []string{`* SEARCH`, `u1 OK done`}},
	)
	c := extDial(t, addr, nil)
	ctx := mbxCtx(t)
	nums, err := c.Sort(ctx, slCriteria("DATE"), imap.SearchKey{}, false, "")
	if err != nil || !slices.Equal(nums, []uint32{2, 3, 1}) {
		t.Errorf("local SORT DATE: %v %v", nums, err)
	}
	threads, err := c.Thread(ctx, "REFERENCES", imap.SearchKey{}, true, "")
	want := []imap.ThreadNode{{Num: 20}, {Num: 10, Children: []imap.ThreadNode{{Num: 30}}}} // by the roots' dates
	if err != nil || !reflect.DeepEqual(threads, want) {
		t.Errorf("local THREAD REFERENCES: %v %v", threads, err)
	}
	// A non-ASCII key is searched with CHARSET UTF-8; no match, nothing
	// fetched.
	nums, err = c.Sort(ctx, slCriteria("SUBJECT"), imap.SearchKey{Op: imap.SearchSubject, Str: "é"}, true, "")
	if err != nil || nums == nil || len(nums) != 0 {
		t.Errorf("local SORT without matches: %v %v", nums, err)
	}
	if n := played(); n != 5 {
		t.Errorf("%d steps played", n)
	}

	addr, played = extScript(t, "SORT",
		extStep{`s1 UID SEARCH ALL`, []string{`* SEARCH 10 20`, `s1 OK done`}},
		extStep{`s2 UID FETCH 10,20 (UID ENVELOPE)`, []string{
			`* 1 FETCH (UID 10 ENVELOPE (NIL NIL (("Zoe" NIL "a" "x")) NIL NIL NIL NIL NIL NIL NIL))`,
			`* 2 FETCH (UID 20 ENVELOPE (NIL NIL (("Adam" NIL "z" "x")) NIL NIL NIL NIL NIL NIL NIL))`,
			`s2 OK done`}},
		extStep{`s3 SORT (FROM) UTF-8 ALL`, []string{`* SORT 1 2`, `s3 OK done`}},
	)
	c = extDial(t, addr, nil)
	nums, err = c.Sort(ctx, slCriteria("DISPLAYFROM"), imap.SearchKey{}, false, "")
	if err != nil || !slices.Equal(nums, []uint32{2, 1}) {
		t.Errorf("local SORT DISPLAYFROM: %v %v", nums, err)
	}
	nums, err = c.Sort(ctx, slCriteria("FROM"), imap.SearchKey{}, false, "")
	if err != nil || !slices.Equal(nums, []uint32{1, 2}) {
		t.Errorf("server SORT FROM: %v %v", nums, err)
	}
	if n := played(); n != 3 {
		t.Errorf("%d steps played", n)
	}

	addr, played = extScript(t, "IDLE",
		extStep{`s1 SORT (DATE) UTF-8 ALL`, []string{`s1 BAD unknown command`}},
		extStep{`t1 THREAD REFERENCES UTF-8 ALL`, []string{`t1 BAD unknown command`}},
	)
	c = extDial(t, addr, &imapclient.Options{NoLocalSortThread: true})
	var se *imapclient.StatusError
	if _, err := c.Sort(ctx, slCriteria("DATE"), imap.SearchKey{}, false, ""); !errors.As(err, &se) {
		t.Errorf("NoLocalSortThread SORT: %v", err)
	}
	if _, err := c.Thread(ctx, "REFERENCES", imap.SearchKey{}, false, ""); !errors.As(err, &se) {
		t.Errorf("NoLocalSortThread THREAD: %v", err)
	}
	if n := played(); n != 2 {
		t.Errorf("%d steps played", n)
	}
}
