package imapclient_test

import (
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// TestMetadataRFC5464 plays the examples of RFC 5464 §4.2 to §4.4 (in
// their ABNF form where the prose puts the options after the mailbox).
func TestMetadataRFC5464(t *testing.T) {
	addr, played := extScript(t, "METADATA METADATA-SERVER LITERAL+",
		// §4.2: a server entry, a mailbox entry, two entries.
		extStep{`a GETMETADATA "" /shared/comment`, []string{
			`* METADATA "" (/shared/comment "Shared comment")`,
			`a OK GETMETADATA complete`}},
		extStep{`a GETMETADATA "INBOX" /private/comment`, []string{
			`* METADATA "INBOX" (/private/comment "My own comment")`,
			`a OK GETMETADATA complete`}},
		extStep{`a GETMETADATA "INBOX" (/shared/comment /private/comment)`, []string{
			`* METADATA "INBOX" (/shared/comment "Shared comment" /private/comment "My own comment")`,
			`a OK GETMETADATA complete`}},
		// §4.2.1 MAXSIZE and LONGENTRIES.
		extStep{`a GETMETADATA (MAXSIZE 1024) "INBOX" (/shared/comment /private/comment)`, []string{
			`* METADATA "INBOX" (/private/comment "My own comment")`,
			`a OK [METADATA LONGENTRIES 2199] GETMETADATA complete`}},
		// §4.2.2 DEPTH.
		extStep{`a GETMETADATA (DEPTH 1) "INBOX" (/private/filters/values)`, []string{
			`* METADATA "INBOX" (/private/filters/values/small "SMALLER 5000" /private/filters/values/boss "FROM \"boss@example.com\"")`,
			`a OK GETMETADATA complete`}},
		// §4.4.1: two responses for two entries.
		extStep{`a GETMETADATA "INBOX" (/private/comment /shared/comment)`, []string{
			`* METADATA "INBOX" (/private/comment "My comment")`,
			`* METADATA "INBOX" (/shared/comment "Its sunny outside!")`,
			`a OK GETMETADATA complete`}},
		// §4.3: a value with a line break goes as a literal; NIL
		// removes; several entries; TOOMANY.
		extStep{"a SETMETADATA INBOX (/private/comment {33}\r\nMy new comment across\r\ntwo lines.)", []string{
			`a OK SETMETADATA complete`}},
		extStep{`a SETMETADATA INBOX (/private/comment NIL)`, []string{
			`a OK SETMETADATA complete`}},
		extStep{`a SETMETADATA INBOX (/private/comment "My new comment" /shared/comment "This one is for you!")`, []string{
			`a OK SETMETADATA complete`}},
		extStep{`a SETMETADATA INBOX (/private/comment "My new comment")`, []string{
			`a NO [METADATA TOOMANY] SETMETADATA failed`}},
		extStep{`a SETMETADATA "" (/shared/comment "Shared comment")`, []string{
			`a NO [METADATA MAXSIZE 8] SETMETADATA failed`}},
		// §4.4.2: unsolicited responses name entries only.
		extStep{`a NOOP`, []string{
			`* METADATA "" /shared/comment`,
			`* METADATA "INBOX" /shared/comment /private/comment`,
			`a OK NOOP complete`}},
	)
	var mu sync.Mutex
	var unsolicited []*imap.MetadataData
	c := extDial(t, addr, &imapclient.Options{UnilateralData: func(r *wire.Response) {
		if r.Kind == wire.KindMetadata {
			mu.Lock()
			unsolicited = append(unsolicited, r.Metadata)
			mu.Unlock()
		}
	}})
	ctx := mbxCtx(t)

	res, err := c.GetMetadata(ctx, "", []string{"/shared/comment"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Get("/Shared/Comment"); !ok || v != imap.Str("Shared comment") || res.Mailbox != "" {
		t.Errorf("server entry: %+v", res)
	}
	res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/comment"}, nil)
	if v, _ := res.Get("/private/comment"); err != nil || v.S != "My own comment" {
		t.Errorf("mailbox entry: %+v %v", res, err)
	}
	res, err = c.GetMetadata(ctx, "INBOX", []string{"/shared/comment", "/private/comment"}, nil)
	if err != nil || len(res.Entries) != 2 || res.HasLongEntries {
		t.Errorf("two entries: %+v %v", res, err)
	}

	res, err = c.GetMetadata(ctx, "INBOX", []string{"/shared/comment", "/private/comment"}, &imapclient.MetadataOptions{MaxSize: 1024})
	if err != nil {
		t.Fatal(err)
	}
	if !res.HasLongEntries || res.LongEntries != 2199 || len(res.Entries) != 1 {
		t.Errorf("MAXSIZE: %+v", res)
	}
	if _, ok := res.Get("/shared/comment"); ok {
		t.Errorf("MAXSIZE: the long entry came: %+v", res)
	}

	res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/filters/values"}, &imapclient.MetadataOptions{Depth: imapclient.DepthOne})
	if err != nil {
		t.Fatal(err)
	}
	want := []imap.MetadataEntry{
		{Name: "/private/filters/values/small", Value: imap.Str("SMALLER 5000")},
		{Name: "/private/filters/values/boss", Value: imap.Str(`FROM "boss@example.com"`)},
	}
	if !reflect.DeepEqual(res.Entries, want) {
		t.Errorf("DEPTH 1: %+v", res.Entries)
	}

	res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/comment", "/shared/comment"}, nil)
	if err != nil || len(res.Entries) != 2 || res.Entries[1].Value.S != "Its sunny outside!" {
		t.Errorf("two responses: %+v %v", res, err)
	}

	if err := c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Str("My new comment across\r\ntwo lines.")}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Nil}}); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{
		{Name: "/private/comment", Value: imap.Str("My new comment")},
		{Name: "/shared/comment", Value: imap.Str("This one is for you!")},
	}); err != nil {
		t.Fatal(err)
	}

	err = c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Str("My new comment")}})
	var me *imapclient.MetadataError
	var se *imapclient.StatusError
	if !errors.Is(err, imapclient.ErrMetadataTooMany) || !errors.As(err, &me) || !errors.As(err, &se) || se.Status != "NO" || me.Condition != "TOOMANY" {
		t.Errorf("TOOMANY: %v", err)
	}
	err = c.SetMetadata(ctx, "", []imap.MetadataEntry{{Name: "/shared/comment", Value: imap.Str("Shared comment")}})
	if !errors.Is(err, imapclient.ErrMetadataMaxSize) || !errors.As(err, &me) || me.MaxSize != 8 || errors.Is(err, imapclient.ErrMetadataTooMany) {
		t.Errorf("MAXSIZE: %v", err)
	}
	if err := c.SetMetadata(ctx, "INBOX", nil); !errors.Is(err, imapclient.ErrNoMetadataEntries) {
		t.Errorf("no entries: %v", err)
	}

	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(unsolicited) != 2 || unsolicited[0].Mailbox != "" || !reflect.DeepEqual(unsolicited[1].Names, []string{"/shared/comment", "/private/comment"}) {
		t.Errorf("unsolicited METADATA: %+v", unsolicited)
	}
	if n := played(); n != 12 {
		t.Errorf("%d steps played", n)
	}
}
