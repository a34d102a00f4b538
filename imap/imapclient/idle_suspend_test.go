package imapclient_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// These tests cover the suspension of IDLE by the commands issued while
// idling (prefix idle).

// idleDial connects to addr (an idleScript) and starts IDLE; the caller
// closes the client.
func idleDial(t *testing.T, ctx context.Context, addr string) (*imapclient.Client, *imapclient.IdleCommand) {
	t.Helper()
	c := mbxDial(t, ctx, addr)
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c, ic
}

// idleWaitFor waits until cond holds; the deadline only guards against a
// deadlock.
func idleWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// idleRecv receives from ch; the deadline only guards against a
// deadlock.
func idleRecv[T any](t *testing.T, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// idleScript is a scripted server with IDLE that records the commands it
// reads (without tags; the line ending IDLE as read), and holds its
// answer to the first DONE until release is called.
type idleScript struct {
	mu      sync.Mutex
	lines   []string
	dones   chan struct{}
	relOnce sync.Once
	rel     chan struct{}
}

func newIdleScript(t *testing.T) (string, *idleScript) {
	s := &idleScript{dones: make(chan struct{}, 100), rel: make(chan struct{})}
	first := true
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 IDLE] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		s.log(rest)
		if rest != "IDLE" {
			w.WriteString(tag + " OK done\r\n")
			return true
		}
		w.WriteString("+ idling\r\n")
		w.Flush()
		done, err := r.ReadString('\n')
		if err != nil {
			return false
		}
		s.log(strings.TrimRight(done, "\r\n"))
		s.dones <- struct{}{}
		if first {
			first = false
			<-s.rel
		}
		w.WriteString(tag + " OK IDLE terminated\r\n")
		return true
	})
	t.Cleanup(s.release) // before mbxScripted's cleanup waits for the server
	return addr, s
}

func (s *idleScript) log(line string) {
	s.mu.Lock()
	s.lines = append(s.lines, line)
	s.mu.Unlock()
}

func (s *idleScript) release() { s.relOnce.Do(func() { close(s.rel) }) }

func (s *idleScript) snapshot() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

func (s *idleScript) count(line string) int {
	n := 0
	for _, l := range s.snapshot() {
		if l == line {
			n++
		}
	}
	return n
}

// TestIdleSuspendPipelined: commands issued by several goroutines while
// idling all wait for the one DONE, go out pipelined, and IDLE is issued
// again once they have completed.
func TestIdleSuspendPipelined(t *testing.T) {
	addr, s := newIdleScript(t)
	ctx := mbxCtx(t)
	c, ic := idleDial(t, ctx, addr)
	defer c.Close()
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() { errs <- c.Noop(ctx) }()
	}
	// All n wait while the server holds its answer to DONE.
	idleWaitFor(t, "the commands to wait", func() bool {
		users, inflight := c.CountsForTest()
		if inflight != 0 {
			t.Fatalf("%d commands let through during IDLE", inflight)
		}
		return users == n
	})
	idleRecv(t, "DONE", s.dones)
	s.release()
	for range n {
		if err := idleRecv(t, "NOOP", errs); err != nil {
			t.Fatal(err)
		}
	}
	idleWaitFor(t, "IDLE again", func() bool { return s.count("IDLE") == 2 })
	select {
	case <-ic.Done():
		t.Fatalf("idling ended: %v", ic.Wait())
	default:
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	want := []string{"IDLE", "DONE"}
	for range n {
		want = append(want, "NOOP")
	}
	want = append(want, "IDLE", "DONE")
	if got := s.snapshot(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("server read %q, want %q", got, want)
	}
}

// TestIdleSuspendCancelledCommand: a command whose context is done while
// it waits for IDLE to end is not sent, and IDLE is issued again.
func TestIdleSuspendCancelledCommand(t *testing.T) {
	addr, s := newIdleScript(t)
	ctx := mbxCtx(t)
	c, ic := idleDial(t, ctx, addr)
	defer c.Close()
	cctx, cancel := context.WithCancel(ctx)
	errs := make(chan error, 1)
	go func() { errs <- c.Noop(cctx) }()
	idleWaitFor(t, "the command to wait", func() bool { users, _ := c.CountsForTest(); return users == 1 })
	idleRecv(t, "DONE", s.dones)
	cancel()
	if err := idleRecv(t, "NOOP", errs); !errors.Is(err, context.Canceled) {
		t.Fatalf("NOOP: %v, want context.Canceled", err)
	}
	s.release()
	idleWaitFor(t, "IDLE again", func() bool { return s.count("IDLE") == 2 })
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(s.snapshot(), ","), "IDLE,DONE,IDLE,DONE"; got != want {
		t.Errorf("server read %s, want %s", got, want)
	}
}

// TestIdleResumesAfterCommand: after a command issued while idling, IDLE
// resumes by itself: a message appended from a second connection is
// reported without any further command.
func TestIdleResumesAfterCommand(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	ctx := mbxCtx(t)
	opts, exists := mbxExistsSignal()
	c := env.login(t, opts)
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status(ctx, "INBOX", []imap.StatusItem{imap.StatusMessages}); err != nil {
		t.Fatalf("STATUS while idling: %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP while idling: %v", err)
	}
	other := env.login(t, nil)
	msg := "Subject: while idling\r\n\r\nbody\r\n"
	if _, err := other.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
	mbxWaitExists(t, exists, 1)
	if mb.Count() != 1 {
		t.Errorf("view count %d", mb.Count())
	}
	if n := rec.count(" IDLE\r\n"); n < 2 {
		t.Errorf("IDLE issued %d times", n)
	}
	select {
	case <-ic.Done():
		t.Fatalf("idling ended: %v", ic.Wait())
	default:
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestIdleCommandsFromGoroutines: many goroutines issue commands of all
// kinds while idling (run with -race); all succeed and idling goes on.
func TestIdleCommandsFromGoroutines(t *testing.T) {
	env := newEnv(t)
	env.append(t, "INBOX", "Subject: one\r\n\r\nbody\r\n")
	ctx := mbxCtx(t)
	opts, exists := mbxExistsSignal()
	c := env.login(t, opts)
	if err := c.Create(ctx, "Other", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Go(func() {
			var err error
			switch i % 4 {
			case 0:
				err = c.Noop(ctx)
			case 1:
				_, err = c.Status(ctx, "Other", []imap.StatusItem{imap.StatusMessages})
			case 2:
				_, err = c.List(ctx, "", []string{"*"}, nil)
			case 3:
				_, err = c.FetchAll(ctx, imap.NumSetOf(1), false, []imap.FetchAttr{{Kind: imap.FetchFlags}}, nil)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	env.append(t, "INBOX", "Subject: two\r\n\r\nbody\r\n")
	mbxWaitExists(t, exists, 2)
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
}

// idleBlockingReader hands out its data only once released; it reports
// its first Read on reading.
type idleBlockingReader struct {
	data    io.Reader
	reading chan struct{}
	once    sync.Once
	release chan struct{}
}

func (r *idleBlockingReader) Read(p []byte) (int, error) {
	r.once.Do(func() { close(r.reading) })
	<-r.release
	return r.data.Read(p)
}

// idleSuspended starts an APPEND while idling whose message stays unread
// until the returned release is called: IDLE is then suspended, and the
// APPEND in flight. The APPEND's error comes on the returned channel.
func idleSuspended(t *testing.T, ctx context.Context, c *imapclient.Client) (release func(), appended <-chan error) {
	t.Helper()
	msg := "Subject: held\r\n\r\nbody\r\n"
	r := &idleBlockingReader{data: strings.NewReader(msg), reading: make(chan struct{}), release: make(chan struct{})}
	var once sync.Once
	release = func() { once.Do(func() { close(r.release) }) }
	t.Cleanup(release)
	errs := make(chan error, 1)
	go func() {
		_, err := c.Append(ctx, "INBOX", int64(len(msg)), r, nil)
		errs <- err
	}()
	idleRecv(t, "the APPEND to be sent", r.reading)
	return release, errs
}

// idleAfterSuspended releases the APPEND that idleSuspended holds, checks
// that it and a NOOP succeed, and that IDLE was issued only once.
func idleAfterSuspended(t *testing.T, ctx context.Context, c *imapclient.Client, rec *mbxRecorder, release func(), appended <-chan error) {
	t.Helper()
	release()
	if err := idleRecv(t, "APPEND", appended); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(" IDLE\r\n"); n != 1 {
		t.Errorf("IDLE issued %d times", n)
	}
}

// TestIdleStopWhileSuspended: Stop while IDLE is suspended for a command
// ends idling at once; the command completes, and IDLE is not issued
// again.
func TestIdleStopWhileSuspended(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	release, appended := idleSuspended(t, ctx, c)
	stopped := make(chan error, 1)
	go func() { stopped <- ic.Stop() }()
	if err := idleRecv(t, "Stop", stopped); err != nil {
		t.Fatal(err)
	}
	idleAfterSuspended(t, ctx, c, rec, release, appended)
	if mb := c.Mailbox(); mb.Count() != 1 {
		t.Errorf("view count %d", mb.Count())
	}
}

// TestIdleCancelWhileSuspended: cancelling Idle's context while IDLE is
// suspended ends idling cleanly.
func TestIdleCancelWhileSuspended(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ictx, cancel := context.WithCancel(ctx)
	ic, err := c.Idle(ictx, nil)
	if err != nil {
		t.Fatal(err)
	}
	release, appended := idleSuspended(t, ctx, c)
	cancel()
	idleRecv(t, "the end of idling", ic.Done())
	if err := ic.Wait(); err != nil {
		t.Fatal(err)
	}
	idleAfterSuspended(t, ctx, c, rec, release, appended)
}

// TestIdleLogout: LOGOUT while idling ends IDLE first; idling then ends
// with the connection.
func TestIdleLogout(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	idleRecv(t, "the end of idling", ic.Done())
	if ic.Wait() == nil {
		t.Error("idling ended without error by the connection's end")
	}
	if rec.count("DONE\r\n") != 1 || rec.count(" IDLE\r\n") != 1 {
		t.Errorf("IDLE %d, DONE %d", rec.count(" IDLE\r\n"), rec.count("DONE\r\n"))
	}
}
