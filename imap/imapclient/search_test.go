package imapclient_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

func searchSetup(t *testing.T) *imapclient.Client {
	t.Helper()
	_, c := fetchSetup(t,
		"From: carol@example.com\r\nSubject: banana\r\nMessage-ID: <1@x>\r\nDate: Mon, 1 Jan 2024 10:00:00 +0000\r\n\r\nfirst\r\n",
		"From: alice@example.com\r\nSubject: apple\r\nMessage-ID: <2@x>\r\nDate: Tue, 2 Jan 2024 10:00:00 +0000\r\n\r\nsecond\r\n",
		"From: bob@example.com\r\nSubject: Re: banana\r\nMessage-ID: <3@x>\r\nIn-Reply-To: <1@x>\r\nReferences: <1@x>\r\nDate: Wed, 3 Jan 2024 10:00:00 +0000\r\n\r\nthird\r\n",
	)
	return c
}

func TestSearch(t *testing.T) {
	c := searchSetup(t)
	ctx := context.Background()
	subject := imap.SearchKey{Op: imap.SearchSubject, Str: "banana"}

	// SEARCH answered with SEARCH (IMAP4rev2 not enabled).
	r, err := c.Search(ctx, subject, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.ESearch || !slices.Equal(r.Nums(), []uint32{1, 3}) || r.Count != 2 || !r.HasCount || r.Min != 1 || r.Max != 3 {
		t.Errorf("SEARCH: %+v %v", r, r.Nums())
	}
	// The zero key is ALL; UID SEARCH.
	r, err = c.Search(ctx, imap.SearchKey{}, true, nil)
	if err != nil || !r.UID || !slices.Equal(r.Nums(), []uint32{1, 2, 3}) {
		t.Errorf("UID SEARCH ALL: %v %+v", err, r)
	}
	// ESEARCH with return options.
	r, err = c.Search(ctx, subject, true, &imapclient.SearchOptions{Return: []imap.SearchReturnOpt{imap.ReturnMin, imap.ReturnMax, imap.ReturnCount}})
	if err != nil {
		t.Fatal(err)
	}
	if !r.ESearch || !r.UID || r.Min != 1 || r.Max != 3 || !r.HasCount || r.Count != 2 || !r.All.IsEmpty() {
		t.Errorf("ESEARCH MIN MAX COUNT: %+v", r)
	}
	r, err = c.Search(ctx, subject, false, &imapclient.SearchOptions{Return: []imap.SearchReturnOpt{}, Charset: "UTF-8"})
	if err != nil || !r.ESearch || !slices.Equal(r.Nums(), []uint32{1, 3}) {
		t.Errorf("ESEARCH RETURN (): %v %+v", err, r)
	}
	// No match.
	r, err = c.Search(ctx, imap.SearchKey{Op: imap.SearchSubject, Str: "cherry"}, false, nil)
	if err != nil || len(r.Nums()) != 0 || r.Count != 0 || r.Min != 0 {
		t.Errorf("no match: %v %+v", err, r)
	}
	// MODSEQ search returns the highest mod-sequence.
	r, err = c.Search(ctx, imap.SearchKey{Op: imap.SearchModSeq, Num: 1}, false, nil)
	if err != nil || r.ModSeq == 0 || len(r.Nums()) != 3 {
		t.Errorf("MODSEQ search: %v %+v", err, r)
	}
	// A NO or BAD is a *StatusError.
	var se *imapclient.StatusError
	if _, err := c.Search(ctx, subject, false, &imapclient.SearchOptions{Charset: "X-NO-SUCH"}); !errors.As(err, &se) {
		t.Errorf("bad charset: %v", err)
	}
}

func TestSearchAfterEnableRev2(t *testing.T) {
	c := searchSetup(t)
	ctx := context.Background()
	if _, err := c.Enable(ctx, imap.CapIMAP4rev2); err != nil {
		t.Fatal(err)
	}
	// IMAP4rev2 answers SEARCH with ESEARCH.
	r, err := c.Search(ctx, imap.SearchKey{Op: imap.SearchFrom, Str: "alice"}, false, nil)
	if err != nil || !r.ESearch || !slices.Equal(r.Nums(), []uint32{2}) {
		t.Errorf("rev2 SEARCH: %v %+v", err, r)
	}
}

func TestSortThread(t *testing.T) {
	c := searchSetup(t)
	ctx := context.Background()
	nums, err := c.Sort(ctx, []imap.SortCriterion{{Key: "SUBJECT"}, {Key: "DATE"}}, imap.SearchKey{}, false, "")
	if err != nil || !slices.Equal(nums, []uint32{2, 1, 3}) {
		t.Errorf("SORT SUBJECT DATE: %v %v", err, nums)
	}
	nums, err = c.Sort(ctx, []imap.SortCriterion{{Key: "FROM", Reverse: true}}, imap.SearchKey{}, true, "UTF-8")
	if err != nil || !slices.Equal(nums, []uint32{1, 3, 2}) {
		t.Errorf("UID SORT REVERSE FROM: %v %v", err, nums)
	}
	if _, err := c.Sort(ctx, nil, imap.SearchKey{}, false, ""); !errors.Is(err, imapclient.ErrNoSortCriteria) {
		t.Errorf("SORT without criteria: %v", err)
	}
	threads, err := c.Thread(ctx, "REFERENCES", imap.SearchKey{}, true, "")
	if err != nil {
		t.Fatal(err)
	}
	// (1 3)(2) in some order.
	found := false
	for _, th := range threads {
		if th.Num == 1 && len(th.Children) == 1 && th.Children[0].Num == 3 {
			found = true
		}
	}
	if len(threads) != 2 || !found {
		t.Errorf("THREAD REFERENCES: %+v", threads)
	}
	if _, err := c.Thread(ctx, "ORDEREDSUBJECT", imap.SearchKey{Op: imap.SearchSubject, Str: "banana"}, false, ""); err != nil {
		t.Errorf("THREAD ORDEREDSUBJECT: %v", err)
	}
}
