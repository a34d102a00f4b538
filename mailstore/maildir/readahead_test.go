package maildir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
)

// TestReadahead: messages opened in order are read ahead and served
// with their content, across batches and around a large message that is
// not read ahead; a message expunged by another view after it was read
// ahead cannot be opened; files renamed by another program meanwhile
// are still found; and Poll and a request out of order stop the
// readahead.
func TestReadahead(t *testing.T) {
	ctx := t.Context()
	b, err := New(t.TempDir(), &Options{NoSync: true, WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const n = raBatch + 100
	const large = 150
	want := map[uint32][]byte{}
	for i := range n {
		body := strings.Repeat(fmt.Sprintf("line %d of message %d\r\n", i, i), 1+i%40)
		if i == large {
			body = strings.Repeat("x", raMaxSize) + "\r\n"
		}
		msg := []byte(fmt.Sprintf("Subject: %d\r\n\r\n%s", i, body))
		res, err := st.Append(ctx, "INBOX", bytes.NewReader(msg), nil)
		if err != nil {
			t.Fatal(err)
		}
		want[res.UID] = msg
	}
	open := func() *view {
		m, err := st.OpenMailbox(ctx, "INBOX", nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m.(*view)
	}
	read := func(v *view, uid uint32) ([]byte, error) {
		t.Helper()
		m, err := v.OpenMessage(ctx, uid)
		if err != nil {
			return nil, err
		}
		defer m.Close()
		return io.ReadAll(io.NewSectionReader(m, 0, m.Size()))
	}

	v := open()
	ahead := 0
	for i, mi := range v.Messages() {
		if v.ra != nil {
			ahead++
		}
		got, err := read(v, mi.UID)
		if err != nil || !bytes.Equal(got, want[mi.UID]) {
			t.Fatalf("message %d (UID %d): %d octets, %v; want %d octets", i, mi.UID, len(got), err, len(want[mi.UID]))
		}
	}
	if ahead < n-10 {
		t.Errorf("%d of %d messages were read ahead", ahead, n)
	}

	// Another view expunges a message that was read ahead, and another
	// program renames the files of others (a flag change).
	v = open()
	msgs := v.Messages()
	for _, mi := range msgs[:3] {
		if _, err := read(v, mi.UID); err != nil {
			t.Fatal(err)
		}
	}
	if v.ra == nil {
		t.Fatal("no readahead after 3 messages in order")
	}
	if _, err := open().Expunge(ctx, []uint32{msgs[5].UID}); err != nil {
		t.Fatal(err)
	}
	for _, mi := range msgs[20:30] {
		j, _ := v.f.st.find(mi.UID)
		m := &v.f.st.msgs[j]
		if err := os.Rename(filepath.Join(v.f.dir, m.fileName()), filepath.Join(v.f.dir, "cur", m.base+":2,F")); err != nil {
			t.Fatal(err)
		}
	}
	for i, mi := range msgs[3:40] {
		got, err := read(v, mi.UID)
		if mi.UID == msgs[5].UID {
			if !errors.Is(err, mailstore.ErrNoSuchMessage) {
				t.Errorf("message expunged after it was read ahead: %v, want ErrNoSuchMessage", err)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, want[mi.UID]) {
			t.Errorf("message %d: %d octets, %v", i+3, len(got), err)
		}
	}
	if v.ra == nil {
		t.Fatal("no readahead")
	}
	if _, err := v.Poll(ctx, true); err != nil || v.ra != nil {
		t.Errorf("Poll: %v; readahead %v", err, v.ra)
	}
	msgs = v.Messages()
	for _, mi := range msgs[:3] {
		if _, err := read(v, mi.UID); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := read(v, msgs[10].UID); err != nil || !bytes.Equal(got, want[msgs[10].UID]) || v.ra != nil {
		t.Errorf("out of order: %d octets, %v; readahead %v", len(got), err, v.ra)
	}
}
