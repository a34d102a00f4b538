package maildir_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// fixture is a Backend on a temporary root and a Store of user "u".
type fixture struct {
	t    *testing.T
	ctx  context.Context
	root string
	opts *maildir.Options
	b    *maildir.Backend
	st   mailstore.Store
}

func newFixture(t *testing.T, opts *maildir.Options) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), root: t.TempDir(), opts: opts}
	f.reopen()
	return f
}

// reopen replaces the Backend and Store with new ones on the same root,
// as after a restart.
func (f *fixture) reopen() {
	f.t.Helper()
	if f.st != nil {
		f.st.Close()
	}
	b, err := maildir.New(f.root, f.opts)
	if err != nil {
		f.t.Fatal(err)
	}
	f.b = b
	f.st = f.open(b)
}

func (f *fixture) open(b *maildir.Backend) mailstore.Store {
	f.t.Helper()
	st, err := b.Open(f.ctx, "u")
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(func() { st.Close() })
	return st
}

// userDir is the user's Maildir.
func (f *fixture) userDir() string { return filepath.Join(f.root, "u") }

func testMessage(id string, body string) []byte {
	return []byte("From: a@example.com\r\nTo: b@example.com\r\nSubject: test " + id +
		"\r\nMessage-ID: <" + id + "@test>\r\n\r\n" + body + "\r\n")
}

func (f *fixture) append(st mailstore.Store, mbox, id string, flags ...imap.Flag) uint32 {
	f.t.Helper()
	res, err := st.Append(f.ctx, mbox, bytes.NewReader(testMessage(id, "body of "+id)), &mailstore.AppendOptions{Flags: flags})
	if err != nil {
		f.t.Fatalf("Append(%s): %v", id, err)
	}
	return res.UID
}

func (f *fixture) view(st mailstore.Store, mbox string, ro bool) mailstore.Mailbox {
	f.t.Helper()
	v, err := st.OpenMailbox(f.ctx, mbox, &mailstore.OpenOptions{ReadOnly: ro})
	if err != nil {
		f.t.Fatalf("OpenMailbox(%s): %v", mbox, err)
	}
	f.t.Cleanup(func() { v.Close() })
	return v
}

// messageIDs returns the Message-ID of each message of a view, by UID.
func messageIDs(t *testing.T, ctx context.Context, v mailstore.Mailbox) map[uint32]string {
	t.Helper()
	out := make(map[uint32]string)
	for _, mi := range v.Messages() {
		m, err := v.OpenMessage(ctx, mi.UID)
		if err != nil {
			t.Fatalf("OpenMessage(%d): %v", mi.UID, err)
		}
		s, err := m.Structure(ctx)
		if err != nil {
			t.Fatalf("Structure(%d): %v", mi.UID, err)
		}
		if s.Size != mi.Size || m.Size() != mi.Size {
			t.Errorf("UID %d: size %d, structure says %d, message %d", mi.UID, mi.Size, s.Size, m.Size())
		}
		if env := s.Envelope(); env != nil {
			out[mi.UID] = strings.TrimSuffix(strings.Trim(env.MessageID.S, "<>"), "@test")
		}
		m.Close()
	}
	return out
}

// content reads a whole message.
func content(t *testing.T, ctx context.Context, v mailstore.Mailbox, uid uint32) []byte {
	t.Helper()
	m, err := v.OpenMessage(ctx, uid)
	if err != nil {
		t.Fatalf("OpenMessage(%d): %v", uid, err)
	}
	defer m.Close()
	b, err := io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasFlag(fl []imap.Flag, f imap.Flag) bool { return slices.ContainsFunc(fl, f.Equal) }

// files lists the message files of a folder directory (cur and new).
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			out = append(out, sub+"/"+e.Name())
		}
	}
	return out
}

// waitUpdated waits for a view's Updated channel.
func waitUpdated(t *testing.T, v mailstore.Mailbox, what string) {
	t.Helper()
	select {
	case <-v.Updated():
	case <-time.After(30 * time.Second):
		t.Fatalf("no Updated signal for %s", what)
	}
}

// pollUntil polls until cond holds for the view's list.
func pollUntil(t *testing.T, ctx context.Context, v mailstore.Mailbox, what string, cond func([]mailstore.MessageInfo) bool) []mailstore.Update {
	t.Helper()
	var all []mailstore.Update
	deadline := time.Now().Add(30 * time.Second)
	for {
		ups, err := v.Poll(ctx, true)
		if err != nil {
			t.Fatalf("Poll: %v", err)
		}
		all = append(all, ups...)
		if cond(v.Messages()) {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; list %v", what, v.Messages())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func describe(msgs []mailstore.MessageInfo) string {
	var b strings.Builder
	for _, m := range msgs {
		fmt.Fprintf(&b, "%d:%v/%d ", m.UID, m.Flags, m.ModSeq)
	}
	return b.String()
}
