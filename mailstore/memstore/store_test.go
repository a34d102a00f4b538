package memstore_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

func TestAuth(t *testing.T) {
	ctx := context.Background()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := b.AddUser("alice", "other"); !errors.Is(err, memstore.ErrUserExists) {
		t.Errorf("AddUser twice: %v, want ErrUserExists", err)
	}
	for _, name := range []string{"", "a\nb", "\xff"} {
		if err := b.AddUser(name, "x"); !errors.Is(err, memstore.ErrInvalidUser) {
			t.Errorf("AddUser(%q): %v, want ErrInvalidUser", name, err)
		}
	}
	tests := []struct {
		user, pass string
		ok         bool
	}{
		{"alice", "secret", true},
		{"alice", "Secret", false},
		{"alice", "", false},
		{"alice", "secret2", false},
		{"bob", "secret", false},
		{"Alice", "secret", false},
	}
	for _, tt := range tests {
		user, err := b.Authenticate(ctx, tt.user, tt.pass)
		if tt.ok && (err != nil || user != tt.user) {
			t.Errorf("Authenticate(%q, %q) = %q, %v", tt.user, tt.pass, user, err)
		}
		if !tt.ok && !errors.Is(err, mailstore.ErrAuthFailed) {
			t.Errorf("Authenticate(%q, %q) = %q, %v; want ErrAuthFailed", tt.user, tt.pass, user, err)
		}
	}
	if secret, user, err := b.Secret(ctx, "alice"); err != nil || secret != "secret" || user != "alice" {
		t.Errorf("Secret(alice) = %q, %q, %v", secret, user, err)
	}
	if _, _, err := b.Secret(ctx, "bob"); !errors.Is(err, mailstore.ErrAuthFailed) {
		t.Errorf("Secret(bob): %v, want ErrAuthFailed", err)
	}
	if _, err := b.Open(ctx, "bob"); !errors.Is(err, mailstore.ErrAuthFailed) {
		t.Errorf("Open(bob): %v, want ErrAuthFailed", err)
	}
	st, err := b.Open(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if st.Delimiter() != '/' {
		t.Errorf("Delimiter = %q", st.Delimiter())
	}
	infos, err := st.Mailboxes(ctx)
	if err != nil || len(infos) != 1 || infos[0].Name != "INBOX" {
		t.Errorf("a new user's mailboxes: %+v, %v; want INBOX", infos, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := b.Authenticate(cctx, "alice", "secret"); !errors.Is(err, context.Canceled) {
		t.Errorf("Authenticate with a canceled context: %v", err)
	}
}

func TestUsersAreSeparate(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.b.AddUser("bob", "pw"); err != nil {
		t.Fatal(err)
	}
	f.append("INBOX", 1)
	bob, err := f.b.Open(f.ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	s, err := bob.Status(f.ctx, "INBOX")
	if err != nil || s.Messages != 0 {
		t.Errorf("bob's INBOX: %+v, %v; want empty", s, err)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		name    string
		want    string // the name listed; "" when an error is expected
		wantErr error
	}{
		{"a", "a", nil},
		{"a/", "a", nil},
		{"Ünïcödé/日本", "Ünïcödé/日本", nil},
		{"inbox/Sub", "INBOX/Sub", nil},
		{"Inbox2", "Inbox2", nil},
		{"INBOX", "", mailstore.ErrMailboxExists},
		{"inbox/", "", mailstore.ErrMailboxExists},
		{"", "", mailstore.ErrInvalidName},
		{"/", "", mailstore.ErrInvalidName},
		{"/a", "", mailstore.ErrInvalidName},
		{"a//b", "", mailstore.ErrInvalidName},
		{"a//", "", mailstore.ErrInvalidName},
		{"a\x00b", "", mailstore.ErrInvalidName},
		{"a\rb", "", mailstore.ErrInvalidName},
		{"a\tb", "", mailstore.ErrInvalidName},
		{"a\x7fb", "", mailstore.ErrInvalidName},
		{"a\u0085b", "", mailstore.ErrInvalidName},
		{"a\xffb", "", mailstore.ErrInvalidName},
		{strings.Repeat("x", memstore.MaxNameLength+1), "", mailstore.ErrInvalidName},
	}
	for _, tt := range tests {
		f := newFixture(t, nil)
		err := f.st.CreateMailbox(f.ctx, tt.name, nil)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("CreateMailbox(%q): %v, want %v", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("CreateMailbox(%q): %v", tt.name, err)
			continue
		}
		if _, ok := f.list()[tt.want]; !ok {
			t.Errorf("CreateMailbox(%q): %q not listed: %v", tt.name, tt.want, f.names())
		}
		if _, err := f.st.Status(f.ctx, tt.want); err != nil {
			t.Errorf("Status(%q) after CreateMailbox(%q): %v", tt.want, tt.name, err)
		}
	}
	// The other operations check names too.
	f := newFixture(t, nil)
	bad := "a//b"
	checks := map[string]error{
		"Status":        func() error { _, err := f.st.Status(f.ctx, bad); return err }(),
		"Append":        func() error { _, err := f.st.Append(f.ctx, bad, strings.NewReader(msg(1)), nil); return err }(),
		"OpenMailbox":   func() error { _, err := f.st.OpenMailbox(f.ctx, bad, nil); return err }(),
		"DeleteMailbox": f.st.DeleteMailbox(f.ctx, bad),
		"RenameFrom":    f.st.RenameMailbox(f.ctx, bad, "x"),
		"RenameTo":      f.st.RenameMailbox(f.ctx, "INBOX", bad),
		"SetSubscribed": f.st.SetSubscribed(f.ctx, bad, true),
	}
	for op, err := range checks {
		if !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("%s(%q): %v, want ErrInvalidName", op, bad, err)
		}
	}
	// INBOX in any case names the same mailbox.
	f.append("iNbOx", 1)
	if s := f.status("Inbox"); s.Messages != 1 {
		t.Errorf("Status(Inbox).Messages = %d after Append(iNbOx)", s.Messages)
	}
	mb := f.view(f.st, "inbox", false)
	if mb.Name() != "INBOX" {
		t.Errorf("Name() = %q, want INBOX", mb.Name())
	}
}

func TestCreateMailbox(t *testing.T) {
	f := newFixture(t, nil)
	f.create("a/b/c")
	if got, want := f.names(), []string{"INBOX", "a", "a/b", "a/b/c"}; !slices.Equal(got, want) {
		t.Errorf("after CreateMailbox(a/b/c): %v, want %v", got, want)
	}
	// Superior names are ordinary mailboxes (RFC 3501 §6.3.3).
	for _, n := range []string{"a", "a/b"} {
		if mi := f.list()[n]; len(mi.Attrs) != 0 {
			t.Errorf("%s: attributes %v, want none", n, mi.Attrs)
		}
		f.view(f.st, n, true)
	}
	if err := f.st.CreateMailbox(f.ctx, "a/b", nil); !errors.Is(err, mailstore.ErrMailboxExists) {
		t.Errorf("CreateMailbox(a/b) again: %v, want ErrMailboxExists", err)
	}
	// Case matters below INBOX's level.
	f.create("A")
	// UIDVALIDITY differs between mailboxes.
	if f.status("a").UIDValidity == f.status("A").UIDValidity {
		t.Error("two mailboxes have the same UIDVALIDITY")
	}
	if f.status("a").MailboxID == f.status("A").MailboxID || f.status("a").MailboxID == "" {
		t.Error("MAILBOXIDs are empty or equal")
	}

	// Special-use (RFC 6154).
	if err := f.st.CreateMailbox(f.ctx, "Sent", &mailstore.CreateOptions{SpecialUse: []imap.MailboxAttr{`\sent`}}); err != nil {
		t.Fatal(err)
	}
	if got := f.list()["Sent"].Attrs; !slices.Equal(got, []imap.MailboxAttr{imap.AttrSent}) {
		t.Errorf("Sent attributes %v, want [\\Sent]", got)
	}
	err := f.st.CreateMailbox(f.ctx, "Bad", &mailstore.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.AttrNoselect}})
	if !errors.Is(err, mailstore.ErrUseAttr) {
		t.Errorf("CreateMailbox with \\Noselect as special use: %v, want ErrUseAttr", err)
	}
	if _, ok := f.list()["Bad"]; ok {
		t.Error("a refused CreateMailbox created the mailbox")
	}
}

func TestDeleteMailbox(t *testing.T) {
	f := newFixture(t, nil)
	for _, n := range []string{"INBOX", "inbox"} {
		if err := f.st.DeleteMailbox(f.ctx, n); !errors.Is(err, mailstore.ErrNotAllowed) {
			t.Errorf("DeleteMailbox(%s): %v, want ErrNotAllowed", n, err)
		}
	}
	if err := f.st.DeleteMailbox(f.ctx, "nope"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("DeleteMailbox(nope): %v, want ErrNoSuchMailbox", err)
	}

	// The example of RFC 3501 §6.3.4.
	f.create("blurdybloop")
	f.create("foo")
	f.create("foo/bar")
	f.append("foo", 1)
	other := f.open()
	fooView := f.view(other, "foo", false)
	if err := f.st.DeleteMailbox(f.ctx, "blurdybloop"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.DeleteMailbox(f.ctx, "foo"); err != nil {
		t.Fatalf("DeleteMailbox(foo) with inferiors: %v", err)
	}
	if got := f.list()["foo"].Attrs; !slices.Equal(got, []imap.MailboxAttr{imap.AttrNoselect}) {
		t.Errorf("foo after DELETE: attributes %v, want \\Noselect", got)
	}
	// Open views of a deleted mailbox are closed, and told so.
	select {
	case <-fooView.Updated():
	default:
		t.Error("a view of a deleted mailbox was not signalled")
	}
	if _, err := fooView.Poll(f.ctx, true); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("Poll on a view of a deleted mailbox: %v, want ErrClosed", err)
	}
	if _, err := fooView.SetFlags(f.ctx, []uint32{1}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("SetFlags on a view of a deleted mailbox: %v, want ErrClosed", err)
	}
	// A \Noselect name cannot be selected, examined or appended to.
	if _, err := f.st.OpenMailbox(f.ctx, "foo", nil); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("OpenMailbox(\\Noselect foo): %v, want ErrNotAllowed", err)
	}
	if _, err := f.st.Status(f.ctx, "foo"); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("Status(\\Noselect foo): %v, want ErrNotAllowed", err)
	}
	if _, err := f.st.Append(f.ctx, "foo", strings.NewReader(msg(1)), nil); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("Append(\\Noselect foo): %v, want ErrNotAllowed", err)
	}
	// "It is an error to attempt to delete a name that has inferior
	// hierarchical names and also has the \Noselect mailbox name
	// attribute."
	if err := f.st.DeleteMailbox(f.ctx, "foo"); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("DeleteMailbox(\\Noselect foo with inferiors): %v, want ErrNotAllowed", err)
	}
	if err := f.st.DeleteMailbox(f.ctx, "foo/bar"); err != nil {
		t.Fatal(err)
	}
	if got, want := f.names(), []string{"INBOX", "foo"}; !slices.Equal(got, want) {
		t.Errorf("after DELETE foo/bar: %v, want %v", got, want)
	}
	if err := f.st.DeleteMailbox(f.ctx, "foo"); err != nil {
		t.Errorf("DeleteMailbox(\\Noselect foo without inferiors): %v", err)
	}
	if got, want := f.names(), []string{"INBOX"}; !slices.Equal(got, want) {
		t.Errorf("after DELETE foo: %v, want %v", got, want)
	}

	// A \Noselect name can be created again; it is a new mailbox.
	f.create("x/y")
	f.append("x", 1)
	old := f.status("x").UIDValidity
	if err := f.st.DeleteMailbox(f.ctx, "x"); err != nil {
		t.Fatal(err)
	}
	f.create("x")
	s := f.status("x")
	if s.Messages != 0 || s.UIDValidity == old {
		t.Errorf("x created again: %+v, want empty with a new UIDVALIDITY (old %d)", s, old)
	}
	// A deleted name created again is a new mailbox too.
	f.append("x/y", 1)
	old = f.status("x/y").UIDValidity
	if err := f.st.DeleteMailbox(f.ctx, "x/y"); err != nil {
		t.Fatal(err)
	}
	f.create("x/y")
	if s := f.status("x/y"); s.Messages != 0 || s.UIDValidity == old || s.UIDNext != 1 {
		t.Errorf("x/y created again: %+v, want empty with a new UIDVALIDITY (old %d)", s, old)
	}
}

func TestRenameMailbox(t *testing.T) {
	f := newFixture(t, nil)
	f.create("a/b")
	f.create("a/b/c")
	f.append("a/b", 1)
	f.append("a/b/c", 2)
	st := f.status("a/b")
	view := f.view(f.open(), "a/b", false)
	if err := f.st.RenameMailbox(f.ctx, "a/b", "x/y"); err != nil {
		t.Fatal(err)
	}
	if got, want := f.names(), []string{"INBOX", "a", "x", "x/y", "x/y/c"}; !slices.Equal(got, want) {
		t.Errorf("after RENAME a/b x/y: %v, want %v", got, want)
	}
	if s := f.status("x/y"); s.UIDValidity != st.UIDValidity || s.MailboxID != st.MailboxID || s.Messages != 1 || s.UIDNext != st.UIDNext {
		t.Errorf("renamed mailbox: %+v, was %+v: want the same UIDVALIDITY, MAILBOXID and messages", s, st)
	}
	if s := f.status("x/y/c"); s.Messages != 1 {
		t.Errorf("renamed inferior: %+v", s)
	}
	// The open view keeps working.
	if _, err := view.SetFlags(f.ctx, []uint32{1}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}); err != nil {
		t.Errorf("SetFlags on a view of a renamed mailbox: %v", err)
	}
	if s := f.status("x/y"); s.Unseen != 0 {
		t.Errorf("the change through the view did not reach the renamed mailbox: %+v", s)
	}

	errTests := []struct {
		from, to string
		want     error
	}{
		{"nope", "z", mailstore.ErrNoSuchMailbox},
		{"x", "a", mailstore.ErrMailboxExists},
		{"x", "x", mailstore.ErrMailboxExists},
		{"x", "inbox", mailstore.ErrMailboxExists},
		{"x", "x/z", mailstore.ErrNotAllowed},
	}
	for _, tt := range errTests {
		if err := f.st.RenameMailbox(f.ctx, tt.from, tt.to); !errors.Is(err, tt.want) {
			t.Errorf("RenameMailbox(%q, %q): %v, want %v", tt.from, tt.to, err, tt.want)
		}
	}
	// An inferior's new name may clash.
	f.create("p/c")
	f.create("q/c")
	f.create("p/d")
	if err := f.st.RenameMailbox(f.ctx, "p", "q"); !errors.Is(err, mailstore.ErrMailboxExists) {
		t.Errorf("RenameMailbox(p, q): %v, want ErrMailboxExists", err)
	}
	// Nothing moved.
	for _, n := range []string{"p", "p/c", "p/d"} {
		if _, ok := f.list()[n]; !ok {
			t.Errorf("%s missing after a refused rename", n)
		}
	}
	// A \Noselect name moves with its inferiors.
	if err := f.st.DeleteMailbox(f.ctx, "p"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.RenameMailbox(f.ctx, "p", "r"); err != nil {
		t.Fatal(err)
	}
	if mi := f.list()["r"]; !slices.Contains(mi.Attrs, imap.AttrNoselect) {
		t.Errorf("renamed \\Noselect name: %+v", mi)
	}
}

func TestRenameInbox(t *testing.T) {
	f := newFixture(t, nil)
	f.create("INBOX/child")
	uids := f.appendN("INBOX", 3)
	other := f.open()
	view := f.view(other, "INBOX", false)
	f.setFlags(view, uids[1:2], mailstore.FlagsAdd, imap.FlagFlagged)
	before := f.status("INBOX")
	if err := f.st.RenameMailbox(f.ctx, "inbox", "Old/Inbox"); err != nil {
		t.Fatal(err)
	}
	after := f.status("INBOX")
	if after.Messages != 0 || after.UIDValidity != before.UIDValidity || after.UIDNext != before.UIDNext {
		t.Errorf("INBOX after RENAME: %+v, want empty with UIDVALIDITY %d and UIDNEXT %d", after, before.UIDValidity, before.UIDNext)
	}
	if after.HighestModSeq <= before.HighestModSeq {
		t.Errorf("INBOX HIGHESTMODSEQ %d after the rename, not above %d", after.HighestModSeq, before.HighestModSeq)
	}
	moved := f.status("Old/Inbox")
	if moved.Messages != 3 || moved.UIDValidity == before.UIDValidity {
		t.Errorf("the new mailbox: %+v, want 3 messages and a new UIDVALIDITY", moved)
	}
	if got, want := f.names(), []string{"INBOX", "INBOX/child", "Old", "Old/Inbox"}; !slices.Equal(got, want) {
		t.Errorf("after RENAME INBOX: %v, want %v (inferiors of INBOX unaffected)", got, want)
	}
	nv := f.view(f.st, "Old/Inbox", true)
	if got := uidsOf(nv.Messages()); len(got) != 3 || !slices.Contains(nv.Messages()[1].Flags, imap.FlagFlagged) {
		t.Errorf("the new mailbox's messages: %+v", nv.Messages())
	}
	if got := f.read(nv, nv.Messages()[0].UID); got != msg(0) {
		t.Errorf("moved content %q", got)
	}
	// The INBOX view sees the messages expunged.
	ups := f.poll(view, true)
	if got, want := describe(ups), []string{"expunge 1 uid 1", "expunge 1 uid 2", "expunge 1 uid 3"}; !slices.Equal(got, want) {
		t.Errorf("INBOX view updates %v, want %v", got, want)
	}
	if ex, _ := view.ExpungedSince(f.ctx, before.HighestModSeq); ex.String() != "1:3" {
		t.Errorf("ExpungedSince after the rename: %v", ex)
	}
	// New mail goes to INBOX with fresh UIDs.
	if uid := f.append("INBOX", 9); uid != before.UIDNext {
		t.Errorf("UID after the rename %d, want %d", uid, before.UIDNext)
	}
}

func TestSubscriptions(t *testing.T) {
	f := newFixture(t, nil)
	f.create("a")
	for _, n := range []string{"a", "ghost", "inbox"} {
		if err := f.st.SetSubscribed(f.ctx, n, true); err != nil {
			t.Fatal(err)
		}
	}
	l := f.list()
	if !l["a"].Subscribed || !l["INBOX"].Subscribed {
		t.Errorf("subscriptions: %+v", l)
	}
	if g, ok := l["ghost"]; !ok || !g.Subscribed || !slices.Equal(g.Attrs, []imap.MailboxAttr{imap.AttrNonExistent}) {
		t.Errorf("a subscribed name without a mailbox: %+v, %v", g, ok)
	}
	// Deleting a mailbox keeps its subscription (RFC 3501 §6.3.6).
	if err := f.st.DeleteMailbox(f.ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if a := f.list()["a"]; !a.Subscribed || !slices.Contains(a.Attrs, imap.AttrNonExistent) {
		t.Errorf("deleted but subscribed: %+v", a)
	}
	for _, n := range []string{"a", "ghost", "nothing"} {
		if err := f.st.SetSubscribed(f.ctx, n, false); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := f.names(), []string{"INBOX"}; !slices.Equal(got, want) || len(f.list()) != 1 {
		t.Errorf("after unsubscribing: %v", f.list())
	}
}

func TestStatus(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.st.Status(f.ctx, "nope"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("Status(nope): %v", err)
	}
	s0 := f.status("INBOX")
	if s0.UIDNext != 1 || s0.UIDValidity == 0 || s0.HighestModSeq == 0 || s0.Messages != 0 {
		t.Errorf("new INBOX: %+v", s0)
	}
	f.append("INBOX", 1, imap.FlagSeen)
	f.append("INBOX", 2, imap.FlagDeleted)
	f.append("INBOX", 3)
	s := f.status("INBOX")
	want := mailstore.MailboxStatus{
		Messages: 3, UIDNext: 4, UIDValidity: s0.UIDValidity, Unseen: 2, Deleted: 1, Recent: 3,
		Size: int64(len(msg(1)) + len(msg(2)) + len(msg(3))), HighestModSeq: s0.HighestModSeq + 3, MailboxID: s0.MailboxID,
	}
	if *s != want {
		t.Errorf("Status = %+v, want %+v", *s, want)
	}
	f.view(f.st, "INBOX", true) // EXAMINE does not consume \Recent
	if s := f.status("INBOX"); s.Recent != 3 {
		t.Errorf("Recent after EXAMINE = %d, want 3", s.Recent)
	}
	f.view(f.st, "INBOX", false)
	if s := f.status("INBOX"); s.Recent != 0 {
		t.Errorf("Recent after SELECT = %d, want 0", s.Recent)
	}
}

// countingReader counts Read calls past EOF.
type countingReader struct {
	r        io.Reader
	afterEOF int
	eof      bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.eof {
		c.afterEOF++
	}
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

func TestAppend(t *testing.T) {
	f := newFixture(t, &memstore.Options{MaxMessageSize: 100})
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600))
	body := "Subject: hi\r\n\r\nhello\r\n"
	cr := &countingReader{r: strings.NewReader(body)}
	res, err := f.st.Append(f.ctx, "INBOX", cr, &mailstore.AppendOptions{
		Flags:        []imap.Flag{`\SEEN`, imap.FlagRecent, "$Junk", "$junk", imap.FlagFlagged},
		InternalDate: date,
	})
	if err != nil {
		t.Fatal(err)
	}
	if !cr.eof {
		t.Error("Append did not read to EOF")
	}
	s := f.status("INBOX")
	if res.UID != 1 || res.UIDValidity != s.UIDValidity {
		t.Errorf("AppendResult %+v, status %+v", res, s)
	}
	mb := f.view(f.st, "INBOX", false)
	mi := mb.Messages()[0]
	if !slices.Equal(mi.Flags, []imap.Flag{imap.FlagFlagged, imap.FlagSeen, "$Junk"}) {
		t.Errorf("flags %v: want canonical, deduplicated, \\Recent dropped", mi.Flags)
	}
	if !mi.InternalDate.Equal(date) || mi.Size != int64(len(body)) || !mi.Recent || mi.ModSeq == 0 {
		t.Errorf("MessageInfo %+v", mi)
	}
	if got := f.read(mb, 1); got != body {
		t.Errorf("content %q", got)
	}
	m, err := mb.OpenMessage(f.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	st1, err := m.Structure(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	m2, _ := mb.OpenMessage(f.ctx, 1)
	st2, _ := m2.Structure(f.ctx)
	if st1 != st2 {
		t.Error("Structure is parsed again: want the cached structure")
	}
	if st1.Envelope().Subject.S != "hi" || st1.Size != int64(len(body)) {
		t.Errorf("structure: subject %q, size %d", st1.Envelope().Subject.S, st1.Size)
	}

	// The default internal date is the clock's.
	_, err = f.st.Append(f.ctx, "INBOX", strings.NewReader(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	f.poll(mb, false)
	if got := mb.Messages()[1].InternalDate; !got.Equal(fixedClock) {
		t.Errorf("default internal date %v, want %v", got, fixedClock)
	}

	errTests := []struct {
		name  string
		mbox  string
		data  string
		flags []imap.Flag
		want  error
	}{
		{"too big", "INBOX", strings.Repeat("x", 101), nil, mailstore.ErrTooBig},
		{"no such mailbox", "nope", body, nil, mailstore.ErrNoSuchMailbox},
		{"flag-extension", "INBOX", body, []imap.Flag{`\Foo`}, mailstore.ErrInvalidFlag},
		{"wildcard", "INBOX", body, []imap.Flag{imap.FlagWildcard}, mailstore.ErrInvalidFlag},
		{"bad keyword", "INBOX", body, []imap.Flag{"a b"}, mailstore.ErrInvalidFlag},
		{"empty keyword", "INBOX", body, []imap.Flag{""}, mailstore.ErrInvalidFlag},
	}
	for _, tt := range errTests {
		_, err := f.st.Append(f.ctx, tt.mbox, strings.NewReader(tt.data), &mailstore.AppendOptions{Flags: tt.flags})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Append: %v, want %v", tt.name, err, tt.want)
		}
	}
	if s := f.status("INBOX"); s.Messages != 2 {
		t.Errorf("failed appends stored messages: %+v", s)
	}
	// Exactly the limit is fine.
	if _, err := f.st.Append(f.ctx, "INBOX", strings.NewReader(strings.Repeat("x", 100)), nil); err != nil {
		t.Errorf("Append of MaxMessageSize octets: %v", err)
	}
	// A failing reader fails the Append.
	_, err = f.st.Append(f.ctx, "INBOX", io.MultiReader(strings.NewReader("Subject: x\r\n"), errReader{}), nil)
	if !errors.Is(err, errBroken) {
		t.Errorf("Append from a failing reader: %v", err)
	}
}

var errBroken = errors.New("broken reader")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBroken }

func TestLargeMessage(t *testing.T) {
	// Larger than several chunks, not a multiple of the chunk size.
	f := newFixture(t, nil)
	var sb strings.Builder
	sb.WriteString("Subject: large\r\n\r\n")
	for i := 0; sb.Len() < 1<<20+12345; i++ {
		sb.WriteString(strings.Repeat(string(rune('a'+i%26)), 77))
		sb.WriteString("\r\n")
	}
	data := sb.String()
	f.st.Append(f.ctx, "INBOX", strings.NewReader(data), nil)
	mb := f.view(f.st, "INBOX", false)
	if got := f.read(mb, 1); got != data {
		t.Fatalf("large content differs (len %d, want %d)", len(got), len(data))
	}
	m, _ := mb.OpenMessage(f.ctx, 1)
	for _, off := range []int64{0, 1, 256<<10 - 3, 256 << 10, 512<<10 + 7, int64(len(data)) - 5} {
		p := make([]byte, 10)
		n, err := m.ReadAt(p, off)
		want := data[off:min(off+10, int64(len(data)))]
		if string(p[:n]) != want || (n < 10 && err != io.EOF) || (n == 10 && err != nil) {
			t.Errorf("ReadAt(10, %d) = %q, %v; want %q", off, p[:n], err, want)
		}
	}
	if n, err := m.ReadAt(make([]byte, 1), int64(len(data))); n != 0 || err != io.EOF {
		t.Errorf("ReadAt at the end = %d, %v", n, err)
	}
	if _, err := m.ReadAt(make([]byte, 1), -1); err == nil {
		t.Error("ReadAt at a negative offset succeeded")
	}
}

func TestClosed(t *testing.T) {
	f := newFixture(t, nil)
	f.append("INBOX", 1)
	st := f.open()
	mb := f.view(st, "INBOX", false)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Status(f.ctx, "INBOX"); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("Status on a closed store: %v", err)
	}
	if _, err := st.OpenMailbox(f.ctx, "INBOX", nil); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("OpenMailbox on a closed store: %v", err)
	}
	// Views outlive the store handle.
	if _, err := mb.Poll(f.ctx, true); err != nil {
		t.Errorf("Poll after the store was closed: %v", err)
	}
	m, err := mb.OpenMessage(f.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := mb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := mb.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	calls := map[string]error{
		"Poll":        func() error { _, err := mb.Poll(f.ctx, true); return err }(),
		"OpenMessage": func() error { _, err := mb.OpenMessage(f.ctx, 1); return err }(),
		"Expunge":     func() error { _, err := mb.Expunge(f.ctx, []uint32{1}); return err }(),
		"Copy":        func() error { _, err := mb.Copy(f.ctx, []uint32{1}, "INBOX"); return err }(),
		"Move":        func() error { _, _, err := mb.Move(f.ctx, []uint32{1}, "INBOX"); return err }(),
		"ExpungedSince": func() error {
			_, err := mb.ExpungedSince(f.ctx, 0)
			return err
		}(),
	}
	for name, err := range calls {
		if !errors.Is(err, mailstore.ErrClosed) {
			t.Errorf("%s on a closed view: %v, want ErrClosed", name, err)
		}
	}
	// An open Message stays readable.
	p := make([]byte, 4)
	if n, _ := m.ReadAt(p, 0); string(p[:n]) != "From" {
		t.Errorf("Message after its view closed: %q", p[:n])
	}
	// A closed view gets no more changes.
	f.append("INBOX", 2)
	select {
	case <-mb.Updated():
		t.Error("a closed view was signalled")
	default:
	}
}

func TestCanceledContext(t *testing.T) {
	f := newFixture(t, nil)
	mb := f.view(f.st, "INBOX", false)
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if _, err := f.st.Mailboxes(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Mailboxes: %v", err)
	}
	if _, err := f.st.Append(ctx, "INBOX", strings.NewReader(msg(1)), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Append: %v", err)
	}
	if _, err := mb.Poll(ctx, true); !errors.Is(err, context.Canceled) {
		t.Errorf("Poll: %v", err)
	}
}
