package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"io"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/bench/internal/serverload"
)

// TestClientFetchMeta checks that both clients of BenchmarkClient fetch
// every message of the fixture with the same UID, flags, Message-ID,
// subject and body structure.
func TestClientFetchMeta(t *testing.T) {
	f := getFixture(t)
	addr := startClientServer(t, f.root)
	const (
		wantID   = "20240514074106.GA12345@smtp.example.org"
		wantBody = "multipart/mixed(multipart/alternative(text/plain text/html) application/pdf)"
	)
	for _, impl := range clientImpls {
		t.Run(impl.name, func(t *testing.T) {
			s := impl.dial(t, addr)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			i := 0
			n, _, err := s.fetchMeta(ctx, func(m *metaSummary) {
				want := metaSummary{
					uid:       uint32(i + 1),
					flags:     flagString(serverload.Flags(i)),
					messageID: wantID,
					subject:   m.subject,
					body:      wantBody,
				}
				if *m != want && !t.Failed() {
					t.Errorf("message %d: got %+v, want %+v", i+1, *m, want)
				}
				if i == 0 {
					// go-imap decodes RFC 2047 words in the subject,
					// mailaccess keeps it as sent: only logged.
					t.Logf("subject: %q", m.subject)
				}
				i++
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != f.n || i != f.n {
				t.Fatalf("%d messages (%d visited), want %d", n, i, f.n)
			}
			// The cheap walk of the benchmark sees the same messages.
			n, sum, err := s.fetchMeta(ctx, nil)
			if err != nil || n != f.n || sum == 0 {
				t.Fatalf("FetchMeta without visit: %d messages, sum %d, %v", n, sum, err)
			}
		})
	}
}

// clientBodyTarget is the most the mailaccess client's heap may grow by
// while it streams a 100 MB body section.
const clientBodyTarget = 16 << 20

// TestClientFetchBodyMemory streams the BODY[] of a 100 MB message
// (largeSize, the message of TestServerAppendFetchMemory) through each
// client, into a SHA-256 hash, from mailaccess's imapserver in a helper
// process, sampling this process's runtime.MemStats.HeapInuse and VmRSS
// every 5 ms during the read (after runtime.GC and debug.FreeOSMemory for
// the baseline). mailaccess's client (Fetch, the section read through
// FetchMessage.NextSection) must grow by at most 16 MiB of heap; go-imap's
// (FetchMessageData.Next, the section read from
// FetchItemDataBodySection.Literal, which streams) is logged for
// comparison. No timing is asserted.
func TestClientFetchBodyMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB transfer; not with -short")
	}
	msg := largeSize
	want := sha256.New()
	if _, err := io.Copy(want, msg.NewReader()); err != nil {
		t.Fatal(err)
	}
	wantSum := want.Sum(nil)

	root := t.TempDir()
	addr := startClientServer(t, root)
	lc, err := serverload.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	lc.SetDeadline(time.Now().Add(5 * time.Minute))
	if err := lc.Login(serverload.User, serverload.Password); err != nil {
		t.Fatal(err)
	}
	if err := lc.Append("INBOX", msg.Size(), msg.NewReader()); err != nil {
		t.Fatal(err)
	}
	lc.Close()

	for _, impl := range clientImpls {
		t.Run(impl.name, func(t *testing.T) {
			s := impl.dial(t, addr)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			h := sha256.New()
			base := serverload.Settle()
			sm := serverload.StartSampler(5*time.Millisecond, 1)
			start := time.Now()
			n, err := s.fetchBody(ctx, 1, h)
			elapsed := time.Since(start)
			peaks := sm.Stop()
			end := serverload.Take()
			if err != nil {
				t.Fatal(err)
			}
			if n != msg.Size() {
				t.Fatalf("BODY[]: %d octets, want %d", n, msg.Size())
			}
			if !bytes.Equal(h.Sum(nil), wantSum) {
				t.Fatal("BODY[]: octets differ from the message")
			}
			heap := peaks[0].HeapInuse - base.HeapInuse
			rss := peaks[0].RSS - base.RSS
			t.Logf("%s: %d-octet BODY[] in %v (%d samples): peak HeapInuse growth %s, peak VmRSS growth %s, TotalAlloc +%s",
				impl.name, n, elapsed.Round(time.Millisecond), peaks[0].Samples,
				mib(heap), mib(rss), mib(end.TotalAlloc-base.TotalAlloc))
			if impl.name == "mailaccess" && heap > clientBodyTarget {
				t.Errorf("heap grew by %s, target %s", mib(heap), mib(clientBodyTarget))
			}
		})
	}
}
