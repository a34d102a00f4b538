package imapclient_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// fetchSetup appends msgs to INBOX and returns a client with INBOX
// selected.
func fetchSetup(t *testing.T, msgs ...string) (*testEnv, *imapclient.Client) {
	t.Helper()
	env := newEnv(t)
	for _, m := range msgs {
		env.append(t, "INBOX", m)
	}
	c := env.login(t, nil)
	if _, err := c.Select(context.Background(), "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	return env, c
}

func fetchMsg(i int) string {
	return fmt.Sprintf("From: a@example.com\r\nSubject: msg %d\r\n\r\nbody %d\r\n", i, i)
}

var fetchBodyAttr = imap.FetchAttr{Kind: imap.FetchBodyPeek}

func TestFetchAllTyped(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2), fetchMsg(3))
	ctx := context.Background()
	attrs := []imap.FetchAttr{
		{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchInternalDate},
		{Kind: imap.FetchRFC822Size}, {Kind: imap.FetchEnvelope}, {Kind: imap.FetchBodyStructure},
		{Kind: imap.FetchModSeq}, {Kind: imap.FetchBinarySize, Section: imap.Section{Part: []uint32{1}}},
		fetchBodyAttr,
		{Kind: imap.FetchBodyPeek, Section: imap.Section{Spec: imap.SpecHeader}},
	}
	res, err := c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), false, attrs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 {
		t.Fatalf("%d results", len(res))
	}
	for i, r := range res {
		want := fetchMsg(i + 1)
		if r.Seq != uint32(i+1) || r.UID != uint32(i+1) || r.Flags == nil || r.InternalDate.IsZero() ||
			r.RFC822Size != int64(len(want)) || r.Envelope == nil || r.BodyStructure == nil || r.ModSeq == 0 ||
			len(r.BinarySizes) != 1 {
			t.Errorf("result %d: %+v", i, r)
		}
		if s := r.Section(imap.Section{}); s == nil || string(s.Data) != want {
			t.Errorf("result %d: BODY[] %+v", i, s)
		}
		if s := r.Section(imap.Section{Spec: imap.SpecHeader}); s == nil || !strings.HasPrefix(want, string(s.Data)) || !strings.HasSuffix(string(s.Data), "\r\n\r\n") {
			t.Errorf("result %d: BODY[HEADER] %+v", i, s)
		}
	}
	// UID FETCH of a subset.
	res, err = c.FetchAll(ctx, imap.NumSetOf(2), true, []imap.FetchAttr{{Kind: imap.FetchFlags}}, nil)
	if err != nil || len(res) != 1 || res[0].UID != 2 || res[0].Seq != 2 {
		t.Fatalf("UID FETCH 2: %v %+v", err, res)
	}
	if _, err := c.FetchAll(ctx, imap.NumSetOf(1), false, nil, nil); !errors.Is(err, imapclient.ErrNoAttrs) {
		t.Errorf("no attrs: %v", err)
	}
}

// TestFetchStreamsSections: the callback reads sections as they come;
// unread sections are discarded; the items are set after io.EOF.
func TestFetchStreamsSections(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2))
	ctx := context.Background()
	attrs := []imap.FetchAttr{{Kind: imap.FetchUID}, fetchBodyAttr, {Kind: imap.FetchBodyPeek, Section: imap.Section{Spec: imap.SpecText}}}
	var seen []string
	err := c.Fetch(ctx, imap.NumSetRange(1, 2), false, attrs, nil, func(m *imapclient.FetchMessage) error {
		if m.Seq == 1 {
			return nil // leaves both sections unread
		}
		for {
			s, err := m.NextSection()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			b, err := io.ReadAll(s)
			if err != nil {
				return err
			}
			if int64(len(b)) != s.Size {
				t.Errorf("section size %d, read %d", s.Size, len(b))
			}
			seen = append(seen, string(b))
			// A section is released by the next NextSection.
			defer func() {
				if _, err := s.Read(make([]byte, 1)); !errors.Is(err, imapclient.ErrSectionClosed) {
					t.Errorf("read after release: %v", err)
				}
			}()
		}
		if m.UID != 2 {
			t.Errorf("UID after EOF: %d", m.UID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2 || seen[0] != fetchMsg(2) || seen[1] != "body 2\r\n" {
		t.Errorf("sections: %q", seen)
	}
	// The connection is in step afterwards.
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestFetchCallbackError: an error from fn ends Fetch with it, and the
// rest of the command is discarded without disturbing the next command.
func TestFetchCallbackError(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2), fetchMsg(3))
	ctx := context.Background()
	boom := errors.New("boom")
	n := 0
	err := c.Fetch(ctx, imap.NumSetRange(1, imap.Star), false, []imap.FetchAttr{fetchBodyAttr}, nil, func(m *imapclient.FetchMessage) error {
		n++
		return boom
	})
	if !errors.Is(err, boom) || n != 1 {
		t.Fatalf("err %v after %d messages", err, n)
	}
	res, err := c.FetchAll(ctx, imap.NumSetOf(3), false, []imap.FetchAttr{fetchBodyAttr}, nil)
	if err != nil || len(res) != 1 || string(res[0].Sections[0].Data) != fetchMsg(3) {
		t.Fatalf("FETCH after an aborted one: %v %+v", err, res)
	}
}

// TestFetchLargeBodyBoundedMemory streams a 20 MB body and checks that
// the heap did not grow by anything like its size.
func TestFetchLargeBodyBoundedMemory(t *testing.T) {
	const size = 20 << 20
	var b strings.Builder
	b.WriteString("Subject: big\r\n\r\n")
	line := strings.Repeat("x", 76) + "\r\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	msg := b.String()
	_, c := fetchSetup(t, msg)
	msg = "" // keep only the server's copy
	b = strings.Builder{}
	ctx := context.Background()

	var peak uint64
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var total int64
	err := c.Fetch(ctx, imap.NumSetOf(1), false, []imap.FetchAttr{fetchBodyAttr}, nil, func(m *imapclient.FetchMessage) error {
		s, err := m.NextSection()
		if err != nil {
			return err
		}
		if s.Size < size {
			t.Errorf("section size %d", s.Size)
		}
		buf := make([]byte, 32<<10)
		for i := 0; ; i++ {
			n, err := s.Read(buf)
			total += int64(n)
			if i%64 == 0 {
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak {
					peak = ms.HeapAlloc
				}
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if total < size {
		t.Fatalf("read %d octets", total)
	}
	// The server (in this process) holds the message already and streams
	// it; the client must not hold a copy either.
	grow := int64(peak) - int64(base)
	if grow > size/4 {
		t.Errorf("heap grew by %d bytes while streaming a %d-byte body", grow, size)
	}
	// By contrast, FetchAll buffers it: the measurement does see a copy.
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base = ms.HeapAlloc
	res, err := c.FetchAll(ctx, imap.NumSetOf(1), false, []imap.FetchAttr{fetchBodyAttr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms)
	if int64(ms.HeapAlloc)-int64(base) < size || len(res[0].Sections[0].Data) < size {
		t.Errorf("FetchAll: heap grew by %d bytes only", int64(ms.HeapAlloc)-int64(base))
	}
	runtime.KeepAlive(res)
}

// TestFetchPipelined runs Fetches from several goroutines at once, each
// reading its bodies: every goroutine gets exactly its own messages.
func TestFetchPipelined(t *testing.T) {
	const nmsg = 10
	msgs := make([]string, nmsg)
	for i := range msgs {
		msgs[i] = fetchMsg(i+1) + strings.Repeat("y", 20000*(i+1)) + "\r\n"
	}
	_, c := fetchSetup(t, msgs...)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 4; round++ {
				lo := uint32((g+round)%nmsg + 1)
				hi := min(lo+2, nmsg)
				var got []uint32
				err := c.Fetch(ctx, imap.NumSetRange(lo, hi), g%2 == 0, []imap.FetchAttr{{Kind: imap.FetchUID}, fetchBodyAttr}, nil, func(m *imapclient.FetchMessage) error {
					s, err := m.NextSection()
					if err != nil {
						return err
					}
					var buf bytes.Buffer
					if _, err := io.Copy(&buf, s); err != nil {
						return err
					}
					if buf.String() != msgs[m.Seq-1] {
						return fmt.Errorf("message %d: wrong body (%d octets)", m.Seq, buf.Len())
					}
					got = append(got, m.Seq)
					return nil
				})
				if err == nil && len(got) != int(hi-lo+1) {
					err = fmt.Errorf("fetch %d:%d got %v", lo, hi, got)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestFetchCancel: a cancelled context ends a Fetch whose callback holds
// a section, and the client goes on.
func TestFetchCancel(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2))
	ctx, cancel := context.WithCancel(context.Background())
	err := c.Fetch(ctx, imap.NumSetRange(1, 2), false, []imap.FetchAttr{fetchBodyAttr}, nil, func(m *imapclient.FetchMessage) error {
		if _, err := m.NextSection(); err != nil {
			return err
		}
		cancel()
		_, err := m.NextSection()
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestFetchChangedSince: CHANGEDSINCE returns only the messages changed
// after a mod-sequence.
func TestFetchChangedSince(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2), fetchMsg(3))
	ctx := context.Background()
	res, err := c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), false, []imap.FetchAttr{{Kind: imap.FetchModSeq}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var high uint64
	for _, r := range res {
		high = max(high, r.ModSeq)
	}
	if _, err := c.Store(ctx, imap.NumSetOf(2), false, imap.StoreAdd, []imap.Flag{imap.FlagSeen}, nil); err != nil {
		t.Fatal(err)
	}
	res, err = c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), true, []imap.FetchAttr{{Kind: imap.FetchFlags}}, &imapclient.FetchOptions{ChangedSince: high})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].UID != 2 || res[0].ModSeq <= high {
		t.Errorf("CHANGEDSINCE %d: %+v", high, res)
	}
}

// TestFetchVanished: with QRESYNC, UID FETCH ... (CHANGEDSINCE n
// VANISHED) reports the expunged UIDs to OnVanished.
func TestFetchVanished(t *testing.T) {
	env := newEnv(t)
	for i := 1; i <= 3; i++ {
		env.append(t, "INBOX", fetchMsg(i))
	}
	ctx := context.Background()
	c := env.login(t, nil)
	if _, err := c.Enable(ctx, imap.CapQResync); err != nil {
		t.Fatal(err)
	}
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	since := mb.HighestModSeq()
	if _, err := c.Store(ctx, imap.NumSetOf(2), true, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, &imapclient.StoreOptions{Silent: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UIDExpunge(ctx, imap.UIDSetOf(2)); err != nil {
		t.Fatal(err)
	}
	var vanished []string
	res, err := c.FetchAll(ctx, imap.NumSetRange(1, imap.Star), true, []imap.FetchAttr{{Kind: imap.FetchFlags}},
		&imapclient.FetchOptions{ChangedSince: since, Vanished: true, OnVanished: func(u imap.UIDSet) { vanished = append(vanished, u.String()) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(vanished) != 1 || vanished[0] != "2" || len(res) != 0 {
		t.Errorf("vanished %q, results %+v", vanished, res)
	}
}

// TestFetchCallbackStartsCommand: a callback may start another command
// in a goroutine (it must not wait for it): it completes after the Fetch.
func TestFetchCallbackStartsCommand(t *testing.T) {
	_, c := fetchSetup(t, fetchMsg(1), fetchMsg(2))
	ctx := context.Background()
	done := make(chan error, 2)
	err := c.Fetch(ctx, imap.NumSetRange(1, 2), false, []imap.FetchAttr{fetchBodyAttr}, nil, func(m *imapclient.FetchMessage) error {
		s, err := m.NextSection()
		if err != nil {
			return err
		}
		go func() { done <- c.Noop(ctx) }()
		_, err = io.Copy(io.Discard, s)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
