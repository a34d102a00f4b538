package imapclient_test

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// TestGmailExt1 plays the examples of Gmail's IMAP extensions page
// (https://developers.google.com/gmail/imap/imap-extensions): X-GM-RAW,
// X-GM-MSGID, X-GM-THRID and X-GM-LABELS, with a label in modified UTF-7
// and a UTF-8 X-GM-RAW query sent as a literal.
func TestGmailExt1(t *testing.T) {
	const query = "from:café"
	addr, played := extScript(t, "X-GM-EXT-1 UIDPLUS",
		extStep{`a004 SEARCH X-GM-RAW "has:attachment in:unread"`, []string{
			`* SEARCH 123 12344 5992`,
			`a004 OK SEARCH (Success)`}},
		extStep{`a008 FETCH 1:4 (X-GM-MSGID)`, []string{
			`* 1 FETCH (X-GM-MSGID 1278455344230334865)`,
			`* 2 FETCH (X-GM-MSGID 1278455344230334866)`,
			`* 3 FETCH (X-GM-MSGID 1278455344230334867)`,
			`* 4 FETCH (X-GM-MSGID 1278455344230334868)`,
			`a008 OK FETCH (Success)`}},
		extStep{`a009 UID SEARCH X-GM-MSGID 1278455344230334865`, []string{
			`* SEARCH 1`,
			`a009 OK SEARCH (Success)`}},
		extStep{`a010 FETCH 1:4 (X-GM-THRID)`, []string{
			`* 1 FETCH (X-GM-THRID 1278455344230334865)`,
			`* 2 FETCH (X-GM-THRID 1266894439832287888)`,
			`* 3 FETCH (X-GM-THRID 1266894439832287888)`,
			`* 4 FETCH (X-GM-THRID 1266894439832287888)`,
			`a010 OK FETCH (Success)`}},
		extStep{`a011 SEARCH X-GM-THRID 1266894439832287888`, []string{
			`* SEARCH 2 3 4`,
			`a011 OK SEARCH (Success)`}},
		extStep{`a010 FETCH 1:4 (X-GM-LABELS)`, []string{
			`* 1 FETCH (X-GM-LABELS (\Inbox \Sent Important "Muy Importante"))`,
			`* 2 FETCH (X-GM-LABELS (foo))`,
			`* 3 FETCH (X-GM-LABELS ())`,
			`* 4 FETCH (X-GM-LABELS (\Drafts "\\Important" &AMk-t&AOk-))`,
			`a010 OK FETCH (Success)`}},
		extStep{`a011 STORE 1 +X-GM-LABELS (foo)`, []string{
			`* 1 FETCH (X-GM-LABELS (\Inbox \Sent Important "Muy Importante" foo))`,
			`a011 OK STORE (Success)`}},
		extStep{`a012 SEARCH X-GM-LABELS foo`, []string{
			`* SEARCH 1 2`,
			`a012 OK SEARCH (Success)`}},
		// Beyond the page: several items with UID, UID STORE of system
		// and non-ASCII labels, removal, and a UTF-8 query.
		extStep{`a013 UID FETCH 7 (UID X-GM-MSGID X-GM-THRID X-GM-LABELS FLAGS)`, []string{
			`* 1 FETCH (X-GM-THRID 1266894439832287888 X-GM-MSGID 1278455344230334865 UID 7 X-GM-LABELS (\Starred) FLAGS (\Seen))`,
			`a013 OK FETCH (Success)`}},
		extStep{`a014 UID STORE 7 -X-GM-LABELS.SILENT (\Starred &AMk-t&AOk- "Muy Importante")`, []string{
			`a014 OK STORE (Success)`}},
		extStep{"a015 SEARCH CHARSET UTF-8 X-GM-RAW {" + strconv.Itoa(len(query)) + "}\r\n" + query, []string{
			`* SEARCH 9`,
			`a015 OK SEARCH (Success)`}},
	)
	c := extDial(t, addr, nil)
	ctx := mbxCtx(t)

	sr, err := c.Search(ctx, imapclient.GmailRawSearchKey("has:attachment in:unread"), false, nil)
	if err != nil || !slices.Equal(sr.Nums(), []uint32{123, 12344, 5992}) {
		t.Errorf("X-GM-RAW: %v %v", sr, err)
	}

	res, err := c.FetchAll(ctx, imap.NumSetRange(1, 4), false, []imap.FetchAttr{imapclient.FetchGmailMsgID}, nil)
	if err != nil || len(res) != 4 {
		t.Fatalf("FETCH X-GM-MSGID: %v %v", res, err)
	}
	for i, r := range res {
		if want := uint64(1278455344230334865 + i); r.GmailMsgID != want || r.GmailLabels != nil {
			t.Errorf("message %d: X-GM-MSGID %d, labels %v", r.Seq, r.GmailMsgID, r.GmailLabels)
		}
	}
	sr, err = c.Search(ctx, imapclient.GmailMsgIDSearchKey(1278455344230334865), true, nil)
	if err != nil || !slices.Equal(sr.Nums(), []uint32{1}) {
		t.Errorf("X-GM-MSGID search: %v %v", sr, err)
	}

	res, err = c.FetchAll(ctx, imap.NumSetRange(1, 4), false, []imap.FetchAttr{imapclient.FetchGmailThreadID}, nil)
	if err != nil || len(res) != 4 || res[0].GmailThreadID != 1278455344230334865 || res[3].GmailThreadID != 1266894439832287888 {
		t.Errorf("FETCH X-GM-THRID: %v %v", res, err)
	}
	sr, err = c.Search(ctx, imapclient.GmailThreadIDSearchKey(1266894439832287888), false, nil)
	if err != nil || !slices.Equal(sr.Nums(), []uint32{2, 3, 4}) {
		t.Errorf("X-GM-THRID search: %v %v", sr, err)
	}

	res, err = c.FetchAll(ctx, imap.NumSetRange(1, 4), false, []imap.FetchAttr{imapclient.FetchGmailLabels}, nil)
	if err != nil || len(res) != 4 {
		t.Fatalf("FETCH X-GM-LABELS: %v %v", res, err)
	}
	wantLabels := [][]string{
		{imapclient.GmailLabelInbox, imapclient.GmailLabelSent, "Important", "Muy Importante"},
		{"foo"},
		{},
		{`\Drafts`, imapclient.GmailLabelImportant, "Été"},
	}
	for i, r := range res {
		if !reflect.DeepEqual(r.GmailLabels, wantLabels[i]) {
			t.Errorf("message %d: labels %q, want %q", r.Seq, r.GmailLabels, wantLabels[i])
		}
	}

	st, err := c.StoreGmailLabels(ctx, imap.NumSetOf(1), false, imap.StoreAdd, []string{"foo"}, nil)
	if err != nil || len(st.Messages) != 1 || !slices.Contains(st.Messages[0].GmailLabels, "foo") {
		t.Errorf("STORE +X-GM-LABELS: %+v %v", st, err)
	}
	key, err := imapclient.GmailLabelSearchKey("foo")
	if err != nil {
		t.Fatal(err)
	}
	sr, err = c.Search(ctx, key, false, nil)
	if err != nil || !slices.Equal(sr.Nums(), []uint32{1, 2}) {
		t.Errorf("X-GM-LABELS search: %v %v", sr, err)
	}

	res, err = c.FetchAll(ctx, imap.NumSetOf(7), true, []imap.FetchAttr{{Kind: imap.FetchUID}, imapclient.FetchGmailMsgID, imapclient.FetchGmailThreadID, imapclient.FetchGmailLabels, {Kind: imap.FetchFlags}}, nil)
	if err != nil || len(res) != 1 {
		t.Fatalf("UID FETCH: %v %v", res, err)
	}
	if r := res[0]; r.UID != 7 || r.GmailMsgID != 1278455344230334865 || r.GmailThreadID != 1266894439832287888 ||
		!slices.Equal(r.GmailLabels, []string{imapclient.GmailLabelStarred}) || !slices.Equal(r.Flags, []imap.Flag{imap.FlagSeen}) {
		t.Errorf("UID FETCH: %+v", r)
	}
	if _, err := c.StoreGmailLabels(ctx, imap.NumSetOf(7), true, imap.StoreRemove, []string{imapclient.GmailLabelStarred, "Été", "Muy Importante"}, &imapclient.StoreOptions{Silent: true}); err != nil {
		t.Errorf("UID STORE -X-GM-LABELS.SILENT: %v", err)
	}
	// Labels that cannot be sent are refused before anything is sent.
	if _, err := c.StoreGmailLabels(ctx, imap.NumSetOf(7), true, imap.StoreAdd, []string{"a\r\nb"}, nil); !errors.Is(err, imapclient.ErrBadGmailLabel) {
		t.Errorf("bad label: %v", err)
	}
	if _, err := imapclient.GmailLabelSearchKey(""); !errors.Is(err, imapclient.ErrBadGmailLabel) {
		t.Errorf("empty label: %v", err)
	}

	sr, err = c.Search(ctx, imapclient.GmailRawSearchKey(query), false, &imapclient.SearchOptions{Charset: "UTF-8"})
	if err != nil || !slices.Equal(sr.Nums(), []uint32{9}) {
		t.Errorf("UTF-8 X-GM-RAW: %v %v", sr, err)
	}
	if n := played(); n != 11 {
		t.Errorf("%d steps played", n)
	}
}
