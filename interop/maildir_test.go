package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// maildirMessage is one message TestMaildirFromDovecot appends through
// Dovecot and then reads through mailstore/maildir.
type maildirMessage struct {
	mailbox string
	flags   []imap.Flag
	date    time.Time
	data    []byte
	uid     uint32 // Dovecot's APPENDUID
}

// TestMaildirFromDovecot appends messages with flags, keywords and
// internal dates to Dovecot 2.3 (Maildir++), stops it, and opens the
// Maildir Dovecot left with mailstore/maildir: the folders (modified
// UTF-7 names, "." hierarchy), the subscriptions, and every message's
// bytes (Dovecot keeps LF line ends; they are served as CRLF), size,
// internal date, standard flags, keywords (through dovecot-keywords), UID
// and UIDVALIDITY (through dovecot-uidlist) must be what Dovecot said.
// Then the other way round: a flag change, an expunge and an append made
// through mailstore/maildir are what a new Dovecot instance serves from
// a copy of that Maildir (keywords without a dovecot-keywords letter stay
// in mailstore/maildir's index).
func TestMaildirFromDovecot(t *testing.T) {
	requireInterop(t)
	dv := startDovecot(t)
	c := loginDovecot(t, dv)
	defer c.Close()

	folders := []string{"Sent", "Work.Projects", "Entwürfe", "A&B"}
	for _, f := range folders {
		mustOK(t, c, &imap.CreateCommand{Mailbox: f})
	}
	mustOK(t, c, &imap.MailboxCommand{Name: "SUBSCRIBE", Mailbox: "Sent"})
	mustOK(t, c, &imap.MailboxCommand{Name: "SUBSCRIBE", Mailbox: "Entwürfe"})

	base := time.Date(2023, 4, 5, 6, 7, 8, 0, time.FixedZone("", 2*3600))
	flagSets := [][]imap.Flag{
		nil,
		{imap.FlagSeen},
		{imap.FlagAnswered, imap.FlagSeen},
		{imap.FlagFlagged, imap.FlagDraft},
		{imap.FlagDeleted},
		{imap.FlagSeen, "$Forwarded"},
		{"Work", "$Junk"},
		{imap.FlagSeen, "Work", "Important"},
		{"$NotJunk", "Later", imap.FlagFlagged},
	}
	var msgs []*maildirMessage
	for i := range 24 {
		mb := "INBOX"
		switch i % 6 {
		case 4:
			mb = "Work.Projects"
		case 5:
			mb = "Entwürfe"
		}
		body := fmt.Sprintf("Line one of message %d.\r\nLine two.\r\n", i)
		if i%7 == 3 {
			body = strings.Repeat("A long line of text in a longer message body. ", 2000) + "\r\nend\r\n"
		}
		data := fmt.Sprintf("From: Sender <sender@example.com>\r\nTo: rcpt@example.org\r\nSubject: maildir interop %d\r\nMessage-ID: <maildir-%d@example.com>\r\nDate: Wed, 5 Apr 2023 06:07:08 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s", i, i, body)
		m := &maildirMessage{mailbox: mb, flags: flagSets[i%len(flagSets)], date: base.Add(time.Duration(i) * time.Hour), data: []byte(data)}
		rep := mustOK(t, c, &imap.AppendCommand{Mailbox: mb, Messages: []imap.AppendMessage{{Flags: m.flags, Date: m.date, HasDate: true, Data: m.data}}})
		if code := rep.Status.Resp.Code; code != nil && code.Name == imap.CodeAppendUID {
			if u, ok := code.Set.Max(0); ok {
				m.uid = u
			}
		}
		msgs = append(msgs, m)
	}
	// Flags changed after the append, as a client would: the file is
	// renamed by Dovecot.
	mustOK(t, c, &imap.SelectCommand{Mailbox: "INBOX"})
	mustOK(t, c, &imap.StoreCommand{Set: imap.NumSetOf(1), Op: imap.StoreAdd, Flags: []imap.Flag{imap.FlagFlagged, "Later"}})
	msgs[0].flags = []imap.Flag{imap.FlagFlagged, "Later"}
	st := mustOK(t, c, &imap.StatusCommand{Mailbox: "INBOX", Items: []imap.StatusItem{imap.StatusUIDValidity, imap.StatusUIDNext}})
	var dovecotValidity uint32
	for _, u := range st.Untagged {
		if u.Resp.StatusData != nil {
			if n, ok := u.Resp.StatusData.Get(imap.StatusUIDValidity); ok {
				dovecotValidity = uint32(n)
			}
		}
	}
	mustOK(t, c, nil) // LOGOUT
	c.Close()
	if err := dv.stop(); err != nil {
		t.Fatal(err)
	}

	root := filepath.Join(dv.dir, "home", dv.User, "Maildir")
	logMaildir(t, root)

	b, err := maildir.New("", &maildir.Options{NoCreate: true, UserDir: func(string) (string, error) { return root, nil }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := b.Open(ctx, dv.User)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	list, err := s.Mailboxes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]mailstore.MailboxInfo{}
	for _, mi := range list {
		byName[mi.Name] = mi
	}
	for _, want := range append([]string{"INBOX", "Work"}, folders...) {
		if _, ok := byName[want]; !ok {
			t.Errorf("Mailboxes: %q missing; got %v", want, list)
		}
	}
	if !byName["Sent"].Subscribed || !byName["Entwürfe"].Subscribed {
		t.Errorf("Dovecot's subscriptions not seen: %+v", list)
	}

	for _, mb := range []string{"INBOX", "Work.Projects", "Entwürfe"} {
		var want []*maildirMessage
		for _, m := range msgs {
			if m.mailbox == mb {
				want = append(want, m)
			}
		}
		v, err := s.OpenMailbox(ctx, mb, &mailstore.OpenOptions{ReadOnly: true})
		if err != nil {
			t.Fatalf("OpenMailbox(%q): %v", mb, err)
		}
		got := v.Messages()
		if len(got) != len(want) {
			t.Errorf("%s: %d messages, Dovecot has %d", mb, len(got), len(want))
			v.Close()
			continue
		}
		if mb == "INBOX" && v.UIDValidity() != dovecotValidity {
			t.Errorf("INBOX: UIDVALIDITY %d, Dovecot's is %d", v.UIDValidity(), dovecotValidity)
		}
		for i, w := range want {
			g := got[i]
			if w.uid != 0 && g.UID != w.uid {
				t.Errorf("%s message %d: UID %d, Dovecot's APPENDUID %d", mb, i+1, g.UID, w.uid)
			}
			if !g.InternalDate.Equal(w.date) {
				t.Errorf("%s message %d: internal date %v, appended with %v", mb, i+1, g.InternalDate, w.date)
			}
			if !sameFlagSet(g.Flags, w.flags) {
				t.Errorf("%s message %d: flags %v, want %v", mb, i+1, g.Flags, w.flags)
			}
			if g.Size != int64(len(w.data)) {
				t.Errorf("%s message %d: size %d, want %d", mb, i+1, g.Size, len(w.data))
			}
			msg, err := v.OpenMessage(ctx, g.UID)
			if err != nil {
				t.Errorf("%s OpenMessage(%d): %v", mb, g.UID, err)
				continue
			}
			data, err := io.ReadAll(io.NewSectionReader(msg, 0, msg.Size()))
			if err != nil || !bytes.Equal(data, w.data) {
				t.Errorf("%s message %d: content differs (err %v):\n got %q\nwant %q", mb, i+1, err, clipBytes(data), clipBytes(w.data))
			}
			if st, err := msg.Structure(ctx); err != nil || st.Envelope() == nil || st.Envelope().MessageID.S != fmt.Sprintf("<maildir-%d@example.com>", msgIndex(msgs, w)) {
				t.Errorf("%s message %d: structure %v, %v", mb, i+1, st, err)
			}
			msg.Close()
		}
		v.Close()
	}

	// The other way round: changes made through mailstore/maildir are
	// what Dovecot then serves from the same Maildir.
	inbox, err := s.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	ms := inbox.Messages()
	changed, gone := ms[1], ms[2]
	if _, err := inbox.SetFlags(ctx, []uint32{changed.UID}, mailstore.FlagChange{Op: mailstore.FlagsReplace, Flags: []imap.Flag{imap.FlagFlagged, "Work", "OnlyOurs"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := inbox.Expunge(ctx, []uint32{gone.UID}); err != nil {
		t.Fatal(err)
	}
	ours := []byte("From: ours@example.com\r\nSubject: appended by mailstore/maildir\r\nMessage-ID: <ours@example.com>\r\n\r\nHello Dovecot.\r\n")
	oursDate := time.Date(2022, 2, 2, 2, 2, 2, 0, time.UTC)
	if _, err := s.Append(ctx, "INBOX", bytes.NewReader(ours), &mailstore.AppendOptions{Flags: []imap.Flag{imap.FlagSeen, "$Junk", "OnlyOurs"}, InternalDate: oursDate}); err != nil {
		t.Fatal(err)
	}
	inbox.Close()
	s.Close()

	dv2 := startDovecot(t)
	home := filepath.Join(dv2.dir, "home", dv2.User)
	if out, err := exec.Command("cp", "-a", root, filepath.Join(home, "Maildir")).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v: %s", err, out)
	}
	if fi, err := os.Stat(home); err == nil {
		if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
			own := fmt.Sprintf("%d:%d", sys.Uid, sys.Gid)
			if out, err := exec.Command("chown", "-R", own, filepath.Join(home, "Maildir")).CombinedOutput(); err != nil {
				t.Fatalf("chown: %v: %s", err, out)
			}
		}
	}
	c2 := loginDovecot(t, dv2)
	defer c2.Close()
	mustOK(t, c2, &imap.SelectCommand{Mailbox: "INBOX"})
	rep := mustOK(t, c2, &imap.FetchCommand{Set: imap.NumSetRange(1, imap.Star), Attrs: []imap.FetchAttr{
		{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchRFC822Size}, {Kind: imap.FetchInternalDate},
		{Kind: imap.FetchBodyPeek},
	}})
	type dmsg struct {
		uid   uint32
		flags []imap.Flag
		size  uint64
		date  time.Time
		data  []byte
	}
	var dms []dmsg
	for _, u := range rep.Untagged {
		fd := u.Resp.Fetch
		if fd == nil {
			continue
		}
		var d dmsg
		for _, it := range fd.Items {
			switch it.Kind {
			case imap.FetchUID:
				d.uid = uint32(it.Num)
			case imap.FetchFlags:
				d.flags = slices.DeleteFunc(slices.Clone(it.Flags), func(f imap.Flag) bool { return f == imap.FlagRecent })
			case imap.FetchRFC822Size:
				d.size = it.Num
			case imap.FetchInternalDate:
				d.date = it.Time
			case imap.FetchBodySection:
				d.data = []byte(it.Data.S)
			}
		}
		dms = append(dms, d)
	}
	mustOK(t, c2, nil)
	if len(dms) != len(ms) {
		t.Fatalf("Dovecot serves %d messages after our changes, want %d", len(dms), len(ms))
	}
	var sawOurs bool
	for _, d := range dms {
		switch {
		case d.uid == gone.UID:
			t.Errorf("Dovecot still serves UID %d, which we expunged", d.uid)
		case d.uid == changed.UID:
			// OnlyOurs has no letter in dovecot-keywords: it stays in
			// our index.
			if !sameFlagSet(d.flags, []imap.Flag{imap.FlagFlagged, "Work"}) {
				t.Errorf("Dovecot: UID %d has flags %v after our change", d.uid, d.flags)
			}
		case bytes.Equal(d.data, ours):
			sawOurs = true
			if !sameFlagSet(d.flags, []imap.Flag{imap.FlagSeen, "$Junk"}) || d.size != uint64(len(ours)) || !d.date.Equal(oursDate) {
				t.Errorf("Dovecot: our message has flags %v, size %d, date %v", d.flags, d.size, d.date)
			}
		}
	}
	if !sawOurs {
		t.Errorf("Dovecot does not serve the message we appended")
	}
}

func msgIndex(msgs []*maildirMessage, m *maildirMessage) int { return slices.Index(msgs, m) }

func clipBytes(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// sameFlagSet compares flags as sets, ignoring case.
func sameFlagSet(a, b []imap.Flag) bool {
	norm := func(fs []imap.Flag) []string {
		var out []string
		for _, f := range fs {
			out = append(out, strings.ToLower(string(f)))
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}

// logMaildir logs the files Dovecot left, for the record.
func logMaildir(t *testing.T, root string) {
	t.Helper()
	var b strings.Builder
	filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(&b, "%s %d\n", rel, fi.Size())
		return nil
	})
	t.Logf("Dovecot's Maildir:\n%s", b.String())
	for _, f := range []string{"dovecot-keywords", "subscriptions", "dovecot-uidlist"} {
		if data, err := os.ReadFile(filepath.Join(root, f)); err == nil {
			t.Logf("%s:\n%q", f, data)
		}
	}
}
