package memstore_test

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// fixedClock is the clock of test backends.
var fixedClock = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// fixture is a backend with the user "alice" and one store handle.
type fixture struct {
	t   *testing.T
	ctx context.Context
	b   *memstore.Backend
	st  mailstore.Store
}

func newFixture(t *testing.T, opts *memstore.Options) *fixture {
	t.Helper()
	if opts == nil {
		opts = &memstore.Options{}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedClock }
	}
	b := memstore.NewWithOptions(opts)
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), b: b}
	f.st = f.open()
	return f
}

// open opens another store handle (another session) of alice.
func (f *fixture) open() mailstore.Store {
	f.t.Helper()
	st, err := f.b.Open(f.ctx, "alice")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { st.Close() })
	return st
}

func msg(i int) string {
	return fmt.Sprintf("From: a@example.org\r\nSubject: message %d\r\n\r\nbody %d\r\n", i, i)
}

func (f *fixture) create(name string) {
	f.t.Helper()
	if err := f.st.CreateMailbox(f.ctx, name, nil); err != nil {
		f.t.Fatalf("CreateMailbox(%q): %v", name, err)
	}
}

func (f *fixture) append(name string, i int, flags ...imap.Flag) uint32 {
	f.t.Helper()
	res, err := f.st.Append(f.ctx, name, strings.NewReader(msg(i)), &mailstore.AppendOptions{Flags: flags})
	if err != nil {
		f.t.Fatalf("Append(%q): %v", name, err)
	}
	return res.UID
}

func (f *fixture) appendN(name string, n int) []uint32 {
	f.t.Helper()
	var uids []uint32
	for i := range n {
		uids = append(uids, f.append(name, i))
	}
	return uids
}

func (f *fixture) view(st mailstore.Store, name string, readOnly bool) mailstore.Mailbox {
	f.t.Helper()
	mb, err := st.OpenMailbox(f.ctx, name, &mailstore.OpenOptions{ReadOnly: readOnly})
	if err != nil {
		f.t.Fatalf("OpenMailbox(%q): %v", name, err)
	}
	f.t.Cleanup(func() { mb.Close() })
	return mb
}

func (f *fixture) poll(mb mailstore.Mailbox, expunge bool) []mailstore.Update {
	f.t.Helper()
	ups, err := mb.Poll(f.ctx, expunge)
	if err != nil {
		f.t.Fatalf("Poll: %v", err)
	}
	return ups
}

func (f *fixture) status(name string) *mailstore.MailboxStatus {
	f.t.Helper()
	s, err := f.st.Status(f.ctx, name)
	if err != nil {
		f.t.Fatalf("Status(%q): %v", name, err)
	}
	return s
}

func (f *fixture) setFlags(mb mailstore.Mailbox, uids []uint32, op mailstore.FlagOp, flags ...imap.Flag) *mailstore.FlagResult {
	f.t.Helper()
	res, err := mb.SetFlags(f.ctx, uids, mailstore.FlagChange{Op: op, Flags: flags})
	if err != nil {
		f.t.Fatalf("SetFlags: %v", err)
	}
	return res
}

func (f *fixture) list() map[string]mailstore.MailboxInfo {
	f.t.Helper()
	infos, err := f.st.Mailboxes(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	m := map[string]mailstore.MailboxInfo{}
	for _, mi := range infos {
		m[mi.Name] = mi
	}
	return m
}

func (f *fixture) names() []string {
	f.t.Helper()
	var ns []string
	for n, mi := range f.list() {
		if !slices.Contains(mi.Attrs, imap.AttrNonExistent) {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return ns
}

func (f *fixture) read(mb mailstore.Mailbox, uid uint32) string {
	f.t.Helper()
	m, err := mb.OpenMessage(f.ctx, uid)
	if err != nil {
		f.t.Fatalf("OpenMessage(%d): %v", uid, err)
	}
	defer m.Close()
	b, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
	if err != nil {
		f.t.Fatal(err)
	}
	return string(b)
}

func uidsOf(msgs []mailstore.MessageInfo) []uint32 {
	var u []uint32
	for _, m := range msgs {
		u = append(u, m.UID)
	}
	return u
}

// describe renders updates compactly: "new 4 uid 7", "flags 2 uid 3",
// "expunge 1 uid 1".
func describe(ups []mailstore.Update) []string {
	var s []string
	for _, u := range ups {
		k := map[mailstore.UpdateKind]string{mailstore.UpdateNew: "new", mailstore.UpdateFlags: "flags", mailstore.UpdateExpunge: "expunge"}[u.Kind]
		s = append(s, fmt.Sprintf("%s %d uid %d", k, u.Seq, u.Message.UID))
	}
	return s
}

// sameState reports how a view's list differs from a fresh view's.
func sameState(got, want []mailstore.MessageInfo) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d messages %v, want %d %v", len(got), uidsOf(got), len(want), uidsOf(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.UID != w.UID || g.ModSeq != w.ModSeq || !slices.Equal(g.Flags, w.Flags) || g.Size != w.Size || !g.InternalDate.Equal(w.InternalDate) {
			return fmt.Errorf("message %d: got %+v, want %+v", i+1, g, w)
		}
	}
	return nil
}

// freshList is the mailbox's list as a new read-only view sees it.
func (f *fixture) freshList(name string) []mailstore.MessageInfo {
	f.t.Helper()
	mb, err := f.open().OpenMailbox(f.ctx, name, &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		f.t.Fatal(err)
	}
	defer mb.Close()
	return slices.Clone(mb.Messages())
}
