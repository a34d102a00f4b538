package maildir

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// TestChangeCounter: with the periodic checks of the index and the
// directories pushed out of reach, a view still sees at its next Poll
// what another Backend did (a flag change, a delete, a rename), because
// the change counter moved; a Poll after no change does not read the
// index; and a lock file cut short under the mapping costs the mapping,
// not the process.
func TestChangeCounter(t *testing.T) {
	oldTail, oldDir := tailCheckInterval, dirCheckInterval
	tailCheckInterval, dirCheckInterval = time.Hour, time.Hour
	t.Cleanup(func() { tailCheckInterval, dirCheckInterval = oldTail, oldDir })
	ctx := t.Context()
	root := t.TempDir()
	opts := &Options{NoSync: true, WatchInterval: -1}
	var stores [2]mailstore.Store
	for i := range stores {
		b, err := New(root, opts)
		if err != nil {
			t.Fatal(err)
		}
		st, err := b.Open(ctx, "u")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		stores[i] = st
	}
	open := func(st mailstore.Store, mbox string) *view {
		t.Helper()
		m, err := st.OpenMailbox(ctx, mbox, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m.(*view)
	}
	// prepare appends a message to mbox and opens it in both Backends,
	// then polls the first one's view until its scan state is clean
	// (the directories' times are old enough to be trusted) and the
	// directories were last looked at then, so that only the index and
	// the counter can tell it of changes.
	prepare := func(mbox string) (*view, *view) {
		t.Helper()
		if _, err := stores[0].Append(ctx, mbox, bytes.NewReader([]byte("Subject: x\r\n\r\nbody\r\n")), nil); err != nil {
			t.Fatal(err)
		}
		v, w := open(stores[0], mbox), open(stores[1], mbox)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if _, err := v.Poll(ctx, true); err != nil {
				t.Fatal(err)
			}
			if !v.f.st.scan.dirty && !v.f.dirChecked.IsZero() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the scan state stays dirty")
			}
		}
		if v.f.changes.mem == nil {
			t.Fatal("no mapping of the change counter")
		}
		return v, w
	}

	v, w := prepare("INBOX")
	// Nothing changed: the index is not read.
	checked := v.f.tailChecked
	if _, err := v.Poll(ctx, true); err != nil {
		t.Fatal(err)
	}
	if !v.f.tailChecked.Equal(checked) {
		t.Error("a Poll without changes read the index")
	}
	// A flag change through the other Backend (a keyword without a
	// letter: the index changes, the directories do not) is seen at
	// once.
	uid := w.Messages()[0].UID
	if _, err := w.SetFlags(ctx, []uint32{uid}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{"Cross"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Poll(ctx, true); err != nil {
		t.Fatal(err)
	}
	if ms := v.Messages(); len(ms) != 1 || len(ms[0].Flags) != 1 || ms[0].Flags[0] != "Cross" {
		t.Errorf("after the other Backend's flag change: %v", ms)
	}
	// So are a delete and a rename.
	for _, op := range []string{"delete", "rename"} {
		if err := stores[0].CreateMailbox(ctx, "X", nil); err != nil {
			t.Fatal(err)
		}
		x, _ := prepare("X")
		var err error
		if op == "delete" {
			err = stores[1].DeleteMailbox(ctx, "X")
		} else {
			err = stores[1].RenameMailbox(ctx, "X", "Y")
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := x.Poll(ctx, true); !errors.Is(err, mailstore.ErrClosed) {
			t.Errorf("Poll after the other Backend's %s: %v, want ErrClosed", op, err)
		}
	}

	// The lock file cut short: both Backends lose their mapping when
	// they touch it, and then read the index every time.
	if err := os.Truncate(filepath.Join(root, "u", lockFile), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Poll(ctx, true); err != nil {
		t.Fatal(err)
	}
	if v.f.changes.mem != nil {
		t.Error("the mapping of a truncated lock file was kept")
	}
	if _, err := w.SetFlags(ctx, []uint32{uid}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{"Later"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Poll(ctx, true); err != nil {
		t.Fatal(err)
	}
	if ms := v.Messages(); len(ms) != 1 || len(ms[0].Flags) != 2 {
		t.Errorf("after the lock file was cut short: %v", ms)
	}
}
