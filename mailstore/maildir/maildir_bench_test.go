package maildir_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// Benchmarks of the operations the index is designed for. Run them once
// each with
//
//	go test -run '^$' -bench . -benchtime 1x ./mailstore/maildir
//
// The NoSync variants turn fsync off (Options.NoSync), to show what the
// fsyncs cost on the machine at hand; the others fsync as the store
// normally does. Folders of many messages are prepared once per process
// (with NoSync) and removed by TestMain.

// prepared holds the folders prepared for the benchmarks.
type prepared struct {
	mu   sync.Mutex
	dirs map[int]string // message count -> root
}

var benchFolders = &prepared{dirs: map[int]string{}}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range benchFolders.dirs {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// folderOf returns a root whose user "u" has n small messages in INBOX,
// at rest (its last scan long enough ago to be trusted).
func folderOf(b *testing.B, n int) string {
	b.Helper()
	benchFolders.mu.Lock()
	defer benchFolders.mu.Unlock()
	if d, ok := benchFolders.dirs[n]; ok {
		return d
	}
	root, err := os.MkdirTemp("", "maildir-bench-")
	if err != nil {
		b.Fatal(err)
	}
	benchFolders.dirs[n] = root
	ctx := context.Background()
	be, err := maildir.New(root, &maildir.Options{NoSync: true, WatchInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	st, err := be.Open(ctx, "u")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := range n {
		var flags []imap.Flag
		if i%3 == 0 {
			flags = []imap.Flag{imap.FlagSeen}
		}
		if i%10 == 0 {
			flags = append(flags, "$Junk")
		}
		if _, err := st.Append(ctx, "INBOX", bytes.NewReader(benchMessage(i)), &mailstore.AppendOptions{Flags: flags}); err != nil {
			b.Fatal(err)
		}
	}
	// Let the folder come to rest, then check it once (the verification
	// scan a folder gets shortly after its last change).
	time.Sleep(300 * time.Millisecond)
	if s, err := st.Status(ctx, "INBOX"); err != nil || s.Messages != uint32(n) {
		b.Fatalf("prepared folder: %+v, %v", s, err)
	}
	st.Close()
	b.Logf("prepared %d messages in %v", n, time.Since(start).Round(time.Millisecond))
	return root
}

func benchMessage(i int) []byte {
	return []byte(fmt.Sprintf("From: Bench <bench@example.com>\r\nTo: someone@example.org\r\nSubject: benchmark message %d\r\n"+
		"Date: Mon, 2 Jan 2006 15:04:05 +0000\r\nMessage-ID: <bench-%d@example.com>\r\n\r\nA small body, line one.\r\nLine two.\r\n", i, i))
}

func BenchmarkAppend10k(b *testing.B) { benchAppend(b, &maildir.Options{WatchInterval: -1}) }
func BenchmarkAppend10kNoSync(b *testing.B) {
	benchAppend(b, &maildir.Options{NoSync: true, WatchInterval: -1})
}

// benchAppend appends 10,000 small messages to an empty INBOX.
func benchAppend(b *testing.B, opts *maildir.Options) {
	const n = 10000
	ctx := context.Background()
	msgs := make([][]byte, n)
	for i := range msgs {
		msgs[i] = benchMessage(i)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		be, err := maildir.New(b.TempDir(), opts)
		if err != nil {
			b.Fatal(err)
		}
		st, err := be.Open(ctx, "u")
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for i := range n {
			if _, err := st.Append(ctx, "INBOX", bytes.NewReader(msgs[i]), nil); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkOpen100k opens a folder of 100,000 messages with a new
// Backend (as a server starting, or a first SELECT): the index is read
// and a view of every message built.
func BenchmarkOpen100k(b *testing.B) {
	const n = 100000
	root := folderOf(b, n)
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		be, err := maildir.New(root, &maildir.Options{WatchInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		st, err := be.Open(ctx, "u")
		if err != nil {
			b.Fatal(err)
		}
		v, err := st.OpenMailbox(ctx, "INBOX", &mailstore.OpenOptions{ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		if len(v.Messages()) != n {
			b.Fatalf("%d messages", len(v.Messages()))
		}
		v.Close()
		st.Close()
	}
}

func BenchmarkSetFlags10k(b *testing.B) { benchSetFlags(b, &maildir.Options{WatchInterval: -1}) }
func BenchmarkSetFlags10kNoSync(b *testing.B) {
	benchSetFlags(b, &maildir.Options{NoSync: true, WatchInterval: -1})
}

// benchSetFlags changes the flags of all 10,000 messages of a folder in
// one call (STORE 1:* +FLAGS (\Flagged), then -FLAGS in the next
// iteration): 10,000 renames and one index record.
func benchSetFlags(b *testing.B, opts *maildir.Options) {
	const n = 10000
	root := folderOf(b, n)
	ctx := context.Background()
	be, err := maildir.New(root, opts)
	if err != nil {
		b.Fatal(err)
	}
	st, err := be.Open(ctx, "u")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	v, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	uids := make([]uint32, 0, n)
	for _, m := range v.Messages() {
		uids = append(uids, m.UID)
	}
	flagged := hasFlag(v.Messages()[0].Flags, imap.FlagFlagged)
	b.ResetTimer()
	for range b.N {
		op := mailstore.FlagsAdd
		if flagged {
			op = mailstore.FlagsRemove
		}
		flagged = !flagged
		res, err := v.SetFlags(ctx, uids, mailstore.FlagChange{Op: op, Flags: []imap.Flag{imap.FlagFlagged}})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Changed) != n {
			b.Fatalf("%d changed", len(res.Changed))
		}
	}
}
