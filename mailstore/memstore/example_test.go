package memstore_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// Open a backend, add a user, append a message, open INBOX and fetch the
// message's structure.
func Example() {
	ctx := context.Background()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		log.Fatal(err)
	}
	user, err := b.Authenticate(ctx, "alice", "secret")
	if err != nil {
		log.Fatal(err)
	}
	st, err := b.Open(ctx, user)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()

	const raw = "From: Bob <bob@example.org>\r\n" +
		"Subject: Lunch?\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n" +
		"\r\n" +
		"At noon?\r\n"
	res, err := st.Append(ctx, "INBOX", strings.NewReader(raw), &mailstore.AppendOptions{Flags: []imap.Flag{imap.FlagFlagged}})
	if err != nil {
		log.Fatal(err)
	}

	mbox, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer mbox.Close()
	for i, mi := range mbox.Messages() {
		fmt.Printf("%d: UID %d, %d octets, flags %v, recent %v\n", i+1, mi.UID, mi.Size, mi.Flags, mi.Recent)
	}

	msg, err := mbox.OpenMessage(ctx, res.UID)
	if err != nil {
		log.Fatal(err)
	}
	defer msg.Close()
	s, err := msg.Structure(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Subject:", s.Envelope().Subject.S)
	fmt.Printf("Type: %s/%s\n", s.Root.Type, s.Root.Subtype)
	// Output:
	// 1: UID 1, 99 octets, flags [\Flagged], recent true
	// Subject: Lunch?
	// Type: text/plain
}

// Another session's changes reach an open view when it polls.
func ExampleBackend_Open() {
	ctx := context.Background()
	b := memstore.New()
	b.AddUser("alice", "secret")
	session1, _ := b.Open(ctx, "alice")
	session2, _ := b.Open(ctx, "alice")

	view, _ := session1.OpenMailbox(ctx, "INBOX", nil)
	session2.Append(ctx, "INBOX", strings.NewReader("Subject: hi\r\n\r\nhello\r\n"), nil)

	<-view.Updated() // what IDLE waits for
	updates, _ := view.Poll(ctx, true)
	for _, u := range updates {
		fmt.Printf("kind %d: * %d EXISTS (UID %d)\n", u.Kind, u.Seq, u.Message.UID)
	}
	// Output:
	// kind 1: * 1 EXISTS (UID 1)
}
