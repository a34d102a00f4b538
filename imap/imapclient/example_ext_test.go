package imapclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// Compress after login (or set Options.Compress), then check the quota
// of INBOX before appending a large message.
func ExampleClient_GetQuotaRoot() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := imapclient.DialTLS(ctx, "imap.example.org:993", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		log.Fatal(err)
	}
	if err := c.Compress(ctx); err != nil && !errors.Is(err, imapclient.ErrNoCompress) {
		log.Fatal(err)
	}
	roots, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil {
		log.Fatal(err)
	}
	for _, q := range roots.Quotas {
		if used, limit, ok := q.Storage(); ok {
			fmt.Printf("%q: %d of %d KiB\n", q.Root, used, limit)
		}
		if used, limit, ok := q.Messages(); ok {
			fmt.Printf("%q: %d of %d messages\n", q.Root, used, limit)
		}
	}
}

// Sort works whether or not the server has SORT: without it the client
// sorts (Options.NoLocalSortThread turns that off).
func ExampleClient_Sort() {
	ctx := context.Background()
	c, err := imapclient.DialTLS(ctx, "imap.example.org:993", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		log.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		log.Fatal(err)
	}
	uids, err := c.Sort(ctx, []imap.SortCriterion{{Key: "DATE", Reverse: true}}, imap.SearchKey{Op: imap.SearchUnseen}, true, "")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("unseen, newest first:", uids)
}

// Gmail's labels and ids come with FETCH, and labels change with
// StoreGmailLabels.
func ExampleClient_StoreGmailLabels() {
	ctx := context.Background()
	c, err := imapclient.DialTLS(ctx, "imap.gmail.com:993", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Logout(ctx)
	// ... authenticate with XOAUTH2 and select "[Gmail]/All Mail" ...
	res, err := c.FetchAll(ctx, imap.NumSetOf(1), false, []imap.FetchAttr{
		{Kind: imap.FetchUID}, imapclient.FetchGmailThreadID, imapclient.FetchGmailLabels,
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range res {
		fmt.Println(r.UID, r.GmailThreadID, r.GmailLabels)
	}
	if _, err := c.StoreGmailLabels(ctx, imap.NumSetOf(1), false, imap.StoreAdd, []string{imapclient.GmailLabelStarred, "Projects/2024"}, nil); err != nil {
		log.Fatal(err)
	}
}
