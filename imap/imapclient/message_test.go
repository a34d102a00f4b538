package imapclient

// These tests are internal so that Move's fallback can be driven with a
// capability set without MOVE (Client.move); they run against our server
// like the external tests.

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// msgSetup starts our server with nmsg messages in INBOX and a mailbox
// Archive, and returns a client with INBOX selected.
func msgSetup(t *testing.T, nmsg int) *Client {
	t.Helper()
	ctx := context.Background()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= nmsg; i++ {
		msg := fmt.Sprintf("Subject: msg %d\r\n\r\nbody %d\r\n", i, i)
		if _, err := st.Append(ctx, "INBOX", strings.NewReader(msg), &mailstore.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	srv := &imapserver.Server{Backend: b, Authenticator: b}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	c, err := Dial(ctx, ln.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.execute(ctx, "CREATE", &imap.CreateCommand{Mailbox: "Archive"}, false, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	return c
}

// msgSubjects returns the subjects of a mailbox's messages, in order
// (selecting it, then INBOX again).
func msgSubjects(t *testing.T, c *Client, mailbox string) []string {
	t.Helper()
	ctx := context.Background()
	if _, err := c.Select(ctx, mailbox, &SelectOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := c.Select(ctx, "INBOX", nil); err != nil {
			t.Fatal(err)
		}
	}()
	if c.Mailbox().Count() == 0 {
		return nil
	}
	res, err := c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), false,
		[]imap.FetchAttr{{Kind: imap.FetchBodyPeek, Section: imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"Subject"}}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range res {
		out = append(out, strings.TrimSpace(strings.TrimPrefix(string(r.Sections[0].Data), "Subject: ")))
	}
	return out
}

func TestStore(t *testing.T) {
	c := msgSetup(t, 3)
	ctx := context.Background()
	res, err := c.Store(ctx, imap.NumSetRange(1, 2), false, imap.StoreAdd, []imap.Flag{imap.FlagFlagged}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) != 2 || !slices.Contains(res.Messages[0].Flags, imap.FlagFlagged) || !res.Modified.IsEmpty() {
		t.Fatalf("STORE +FLAGS: %+v", res)
	}
	// UID STORE with FLAGS.SILENT: no FLAGS back.
	res, err = c.Store(ctx, imap.NumSetOf(3), true, imap.StoreReplace, []imap.Flag{imap.FlagSeen}, &StoreOptions{Silent: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Messages {
		if m.Flags != nil {
			t.Errorf("FLAGS.SILENT returned flags: %+v", m)
		}
	}
	if s, _ := c.Mailbox().Message(1); !slices.Contains(s.Flags, imap.FlagFlagged) {
		t.Errorf("view after STORE: %+v", s)
	}
}

// TestStoreUnchangedSince: a message changed after the given mod-sequence
// is not changed and is listed in MODIFIED.
func TestStoreUnchangedSince(t *testing.T) {
	c := msgSetup(t, 3)
	ctx := context.Background()
	all, err := c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), false, []imap.FetchAttr{{Kind: imap.FetchModSeq}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	before := all[0].ModSeq
	for _, r := range all {
		before = max(before, r.ModSeq)
	}
	// Message 2 changes after "before".
	if _, err := c.Store(ctx, imap.NumSetOf(2), false, imap.StoreAdd, []imap.Flag{imap.FlagAnswered}, nil); err != nil {
		t.Fatal(err)
	}
	res, err := c.Store(ctx, imap.NumSetRange(1, 3), true, imap.StoreAdd, []imap.Flag{imap.FlagSeen},
		&StoreOptions{UnchangedSince: before, HasUnchangedSince: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Modified.String(); got != "2" {
		t.Errorf("MODIFIED %q, want 2", got)
	}
	for _, m := range res.Messages {
		if m.UID == 2 || m.ModSeq <= before {
			t.Errorf("changed message: %+v", m)
		}
	}
	if len(res.Messages) != 2 {
		t.Errorf("%d FETCH responses", len(res.Messages))
	}
	if s, _ := c.Mailbox().Message(2); slices.Contains(s.Flags, imap.FlagSeen) {
		t.Errorf("message 2 changed despite UNCHANGEDSINCE: %+v", s)
	}
}

func TestCopyMoveExpunge(t *testing.T) {
	c := msgSetup(t, 5)
	ctx := context.Background()
	cu, err := c.Copy(ctx, imap.NumSetRange(1, 2), false, "Archive")
	if err != nil {
		t.Fatal(err)
	}
	if cu == nil || cu.UIDValidity == 0 || cu.Source.String() != "1:2" || cu.Dest.String() != "1:2" {
		t.Errorf("COPYUID: %+v", cu)
	}
	var se *StatusError
	if _, err := c.Copy(ctx, imap.NumSetOf(1), false, "Nope"); !errors.As(err, &se) || se.Code == nil || se.Code.Name != imap.CodeTryCreate {
		t.Errorf("COPY to a missing mailbox: %v", err)
	}

	// MOVE (the server has it): message 3 ("msg 3").
	mr, err := c.Move(ctx, imap.NumSetOf(3), true, "Archive", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mr.Fallback || mr.CopyUID == nil || mr.CopyUID.Dest.String() != "3" || !slices.Equal(mr.Expunged, []uint32{3}) {
		t.Errorf("MOVE: %+v", mr)
	}
	if n := c.Mailbox().Count(); n != 4 {
		t.Errorf("count after MOVE: %d", n)
	}

	// EXPUNGE and UID EXPUNGE. INBOX is now UIDs 1 2 4 5.
	if _, err := c.Store(ctx, imap.NumSetOf(1, 4), true, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, &StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	er, err := c.UIDExpunge(ctx, imap.UIDSetOf(4))
	if err != nil || !slices.Equal(er.Seqs, []uint32{3}) {
		t.Fatalf("UID EXPUNGE 4: %v %+v", err, er)
	}
	er, err = c.Expunge(ctx)
	if err != nil || !slices.Equal(er.Seqs, []uint32{1}) {
		t.Fatalf("EXPUNGE: %v %+v", err, er)
	}
	if got := msgSubjects(t, c, "Archive"); !slices.Equal(got, []string{"msg 1", "msg 2", "msg 3"}) {
		t.Errorf("Archive: %q", got)
	}
	if got := msgSubjects(t, c, "INBOX"); !slices.Equal(got, []string{"msg 2", "msg 5"}) {
		t.Errorf("INBOX: %q", got)
	}
}

// TestMoveFallback drives Move with capability sets without MOVE.
func TestMoveFallback(t *testing.T) {
	c := msgSetup(t, 5)
	ctx := context.Background()
	rev1 := imap.CapSet{imap.CapIMAP4rev1}
	uidPlus := imap.CapSet{imap.CapIMAP4rev1, imap.CapUIDPlus}

	// Message 1 is \Deleted but not moved: UID EXPUNGE must spare it.
	if _, err := c.Store(ctx, imap.NumSetOf(1), false, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, nil); err != nil {
		t.Fatal(err)
	}
	// Neither MOVE nor UIDPLUS, no AllowExpunge: nothing happens.
	if _, err := c.move(ctx, imap.NumSetOf(2), false, "Archive", nil, rev1); !errors.Is(err, ErrMoveUnsupported) {
		t.Fatalf("fallback without UIDPLUS: %v", err)
	}
	if got := msgSubjects(t, c, "Archive"); len(got) != 0 {
		t.Fatalf("Archive after a refused move: %q", got)
	}

	// UIDPLUS, by sequence number: COPY, STORE, UID EXPUNGE.
	mr, err := c.move(ctx, imap.NumSetRange(2, 3), false, "Archive", nil, uidPlus)
	if err != nil {
		t.Fatal(err)
	}
	if !mr.Fallback || mr.CopyUID == nil || mr.CopyUID.Source.String() != "2:3" || !slices.Equal(mr.Expunged, []uint32{2, 2}) {
		t.Errorf("fallback move: %+v", mr)
	}
	if got := msgSubjects(t, c, "INBOX"); !slices.Equal(got, []string{"msg 1", "msg 4", "msg 5"}) {
		t.Errorf("INBOX after fallback move: %q", got)
	}

	// No UIDPLUS but AllowExpunge: plain EXPUNGE, which takes message 1
	// along, as documented.
	mr, err = c.move(ctx, imap.NumSetOf(5), true, "Archive", &MoveOptions{AllowExpunge: true}, rev1)
	if err != nil {
		t.Fatal(err)
	}
	if !mr.Fallback || len(mr.Expunged) != 2 {
		t.Errorf("fallback move with EXPUNGE: %+v", mr)
	}
	if got := msgSubjects(t, c, "Archive"); !slices.Equal(got, []string{"msg 2", "msg 3", "msg 5"}) {
		t.Errorf("Archive: %q", got)
	}
	if got := msgSubjects(t, c, "INBOX"); !slices.Equal(got, []string{"msg 4"}) {
		t.Errorf("INBOX: %q", got)
	}
}
