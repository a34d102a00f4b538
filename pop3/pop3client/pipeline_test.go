package pop3client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

const pipeGreet = `
	S: +OK ready
	C: CAPA
	S: +OK
	S: PIPELINING
	S: UIDL
	S: .
`

// TestPipeliningSendsAhead: with PIPELINING, commands of many goroutines
// go out without waiting; the server reads all ten before answering any.
func TestPipeliningSendsAhead(t *testing.T) {
	addr := scripted(t, pipeGreet+strings.Repeat("C: NOOP\n", 10)+strings.Repeat("S: +OK\n", 10))
	c := dial(t, addr, nil)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			noopOK(t, ctx, c)
		})
	}
	wg.Wait()
}

// TestRetrEachPipelines: RetrEach sends its RETR commands before reading
// the answers, and hands each message to fn in order.
func TestRetrEachPipelines(t *testing.T) {
	msgs := []string{"Subject: 1\r\n\r\none\r\n", "Subject: 2\r\n\r\n.two\r\n", "Subject: 3\r\n\r\nthree\r\n"}
	script := pipeGreet + "C: RETR 1\nC: RETR 2\nC: RETR 3\n"
	for _, m := range msgs {
		script += "S: +OK\n" + stuff(m) + "S: .\n"
	}
	c := dial(t, scripted(t, script+"C: NOOP\nS: +OK"), nil)
	ctx := ctxT(t)
	var got []string
	err := c.RetrEach(ctx, []int{1, 2, 3}, func(n int, r io.Reader) error {
		b, err := io.ReadAll(r)
		got = append(got, fmt.Sprintf("%d:%s", n, b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range msgs {
		if want := fmt.Sprintf("%d:%s", i+1, m); got[i] != want {
			t.Errorf("message %d: %q, want %q", i+1, got[i], want)
		}
	}
	noopOK(t, ctx, c)
}

// TestRetrEachStops: a -ERR stops the batch, and so does fn's error; the
// answers already asked for are read and the connection goes on.
func TestRetrEachStops(t *testing.T) {
	addr := scripted(t, pipeGreet+`
		C: RETR 1
		C: RETR 2
		C: RETR 3
		S: +OK
		S: one
		S: .
		S: -ERR no such message
		S: +OK
		S: three
		S: .
		C: RETR 1
		C: RETR 3
		S: +OK
		S: one
		S: .
		S: +OK
		S: three
		S: .
		C: NOOP
		S: +OK
	`)
	c := dial(t, addr, nil)
	ctx := ctxT(t)
	var seen []int
	err := c.RetrEach(ctx, []int{1, 2, 3}, func(n int, r io.Reader) error {
		seen = append(seen, n)
		return nil
	})
	if !errors.Is(err, &pop3.Error{}) || !strings.Contains(err.Error(), "RETR 2") || len(seen) != 1 {
		t.Fatalf("RetrEach: %v, saw %v", err, seen)
	}
	stop := errors.New("stop")
	seen = nil
	var kept io.Reader
	err = c.RetrEach(ctx, []int{1, 3}, func(n int, r io.Reader) error {
		seen = append(seen, n)
		kept = r
		return stop
	})
	if err != stop || len(seen) != 1 {
		t.Fatalf("RetrEach: %v, saw %v", err, seen)
	}
	if _, err := kept.Read(make([]byte, 10)); !errors.Is(err, pop3client.ErrBodyClosed) {
		t.Errorf("reader kept after fn: %v", err)
	}
	noopOK(t, ctx, c)
}

func manyMessages(n int) []string {
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = fmt.Sprintf("Subject: message %d\r\n\r\n.line with a dot\r\n%s\r\n", i+1, strings.Repeat("x", i%200))
	}
	return msgs
}

// TestRetrEachWindow: against a live responder, many messages come back
// right with a small window; the server sees several commands queued, never
// more than the window.
func TestRetrEachWindow(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprint("pipelining=", pipelining), func(t *testing.T) {
			m := &miniServer{t: t, msgs: manyMessages(300), pipelining: pipelining}
			c := dial(t, m.start(), &pop3client.Options{PipelineWindow: 8})
			ctx := ctxT(t)
			nums := make([]int, len(m.msgs))
			for i := range nums {
				nums[i] = i + 1
			}
			next := 1
			err := c.RetrEach(ctx, nums, func(n int, r io.Reader) error {
				b, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				if n != next || string(b) != m.msgs[n-1] {
					return fmt.Errorf("message %d (expected %d): %q", n, next, b)
				}
				next++
				return nil
			})
			if err != nil || next != len(nums)+1 {
				t.Fatalf("RetrEach: %v after %d", err, next-1)
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			m.check()
			m.mu.Lock()
			defer m.mu.Unlock()
			if pipelining && (m.maxQueued < 2 || m.maxQueued > 8) {
				t.Errorf("most commands queued at the server: %d", m.maxQueued)
			}
		})
	}
}

// TestManyGoroutines is a race test: many goroutines mix every command on
// one client, pipelined and in lock-step, and check what they get.
func TestManyGoroutines(t *testing.T) {
	for _, tc := range []struct{ pipelining, disable bool }{{true, false}, {false, false}, {true, true}} {
		t.Run(fmt.Sprintf("pipelining=%v,disabled=%v", tc.pipelining, tc.disable), func(t *testing.T) {
			m := &miniServer{t: t, msgs: manyMessages(20), pipelining: tc.pipelining, lockStep: tc.disable}
			c := dial(t, m.start(), &pop3client.Options{DisablePipelining: tc.disable})
			ctx := ctxT(t)
			if err := c.Login(ctx, "u", "p"); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for g := range 16 {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 1))
					for range 30 {
						if err := randomOp(ctx, c, m.msgs, rng); err != nil {
							t.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			m.check()
		})
	}
}

func randomOp(ctx context.Context, c *pop3client.Client, msgs []string, rng *rand.Rand) error {
	n := rng.IntN(len(msgs)) + 1
	switch rng.IntN(7) {
	case 0:
		b, err := c.Retr(ctx, n)
		if err != nil {
			return err
		}
		defer b.Close()
		got, err := io.ReadAll(b)
		if err != nil || string(got) != msgs[n-1] {
			return fmt.Errorf("RETR %d: %q %v", n, got, err)
		}
	case 1:
		b, err := c.Retr(ctx, n)
		if err != nil {
			return err
		}
		// Close half read.
		io.CopyN(io.Discard, b, 5)
		return b.Close()
	case 2:
		st, err := c.Stat(ctx)
		if err != nil || st.Count != len(msgs) {
			return fmt.Errorf("STAT %v %v", st, err)
		}
	case 3:
		l, err := c.List(ctx)
		if err != nil || len(l) != len(msgs) || l[n-1].Size != int64(len(msgs[n-1])) {
			return fmt.Errorf("LIST %v %v", l, err)
		}
	case 4:
		u, err := c.UIDLOne(ctx, n)
		if err != nil || u.UID != fmt.Sprint("uid", n) {
			return fmt.Errorf("UIDL %d: %v %v", n, u, err)
		}
	case 5:
		b, err := c.Top(ctx, n, 0)
		if err != nil {
			return err
		}
		got, err := io.ReadAll(b)
		b.Close()
		if want := fmt.Sprintf("Subject: message %d\r\n\r\n", n); err != nil || string(got) != want {
			return fmt.Errorf("TOP %d: %q %v", n, got, err)
		}
	case 6:
		return c.RetrEach(ctx, []int{n, 1}, func(k int, r io.Reader) error {
			got, err := io.ReadAll(r)
			if err != nil || string(got) != msgs[k-1] {
				return fmt.Errorf("RetrEach %d: %q %v", k, got, err)
			}
			return nil
		})
	}
	return nil
}

// TestBodyOpen: the goroutine holding a body gets ErrBodyOpen for its next
// command; another goroutine's command waits until the body is closed.
func TestBodyOpen(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprint("pipelining=", pipelining), func(t *testing.T) {
			m := &miniServer{t: t, msgs: manyMessages(3), pipelining: pipelining}
			c := dial(t, m.start(), nil)
			ctx := ctxT(t)
			b, err := c.Retr(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Noop(ctx); err != pop3client.ErrBodyOpen {
				t.Errorf("NOOP with a body open: %v", err)
			}
			if err := c.Quit(ctx); err != pop3client.ErrBodyOpen {
				t.Errorf("QUIT with a body open: %v", err)
			}
			other := make(chan error)
			go func() {
				st, err := c.Stat(ctx)
				if err == nil && st.Count != 3 {
					err = fmt.Errorf("STAT %v", st)
				}
				other <- err
			}()
			if got, err := io.ReadAll(b); err != nil || string(got) != m.msgs[0] {
				t.Errorf("body %q %v", got, err)
			}
			// Read to the end: the turn has passed even before Close.
			if err := <-other; err != nil {
				t.Error(err)
			}
			b.Close()
			err = c.RetrEach(ctx, []int{2, 3}, func(n int, r io.Reader) error {
				return c.Noop(ctx)
			})
			if err != pop3client.ErrBodyOpen {
				t.Errorf("command from RetrEach's fn: %v", err)
			}
			noopOK(t, ctx, c)
		})
	}
}

// TestCancelMidCommand: a context that ends while the answer is awaited
// closes the connection.
func TestCancelMidCommand(t *testing.T) {
	ctx, cancel := context.WithCancel(ctxT(t))
	addr := serve(t, func(f *fakeConn) {
		if f.play("S: +OK ready\nC: CAPA\nS: -ERR\nC: NOOP") {
			cancel() // and never answer
		}
	})
	c := dial(t, addr, nil)
	err := c.Noop(ctx)
	if !errors.Is(err, pop3client.ErrClosed) || !errors.Is(err, context.Canceled) {
		t.Fatalf("NOOP: %v", err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, pop3client.ErrClosed) {
		t.Errorf("later NOOP: %v", err)
	}
}

// TestCancelMidBody: Retr's context governs the body.
func TestCancelMidBody(t *testing.T) {
	ctx, cancel := context.WithCancel(ctxT(t))
	addr := serve(t, func(f *fakeConn) {
		f.play("S: +OK ready\nC: CAPA\nS: -ERR\nC: RETR 1\nS: +OK\nS: first line")
	})
	c := dial(t, addr, nil)
	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(b, buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	_, err = io.ReadAll(b)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, pop3client.ErrClosed) {
		t.Fatalf("body after cancel: %v", err)
	}
	if err := b.Close(); !errors.Is(err, pop3client.ErrClosed) {
		t.Errorf("Close: %v", err)
	}
}

// TestCancelWhileWaiting: a pipelined command whose context ends while an
// earlier body is unread returns at once; its answer is discarded when it
// comes, and the connection stays in step.
func TestCancelWhileWaiting(t *testing.T) {
	noopRead := make(chan struct{})
	addr := serve(t, func(f *fakeConn) {
		if !f.play(pipeGreet + "C: RETR 1\nS: +OK\nS: body\nS: .\nC: NOOP") {
			return
		}
		close(noopRead)
		f.play("S: +OK noop\nC: STAT\nS: +OK 1 6")
	})
	c := dial(t, addr, nil)
	ctx := ctxT(t)
	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- c.Noop(wctx) }()
	<-noopRead
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("waiting NOOP: %v", err)
	}
	if got, err := io.ReadAll(b); err != nil || string(got) != "body\r\n" {
		t.Fatalf("body %q %v", got, err)
	}
	b.Close()
	if st, err := c.Stat(ctx); err != nil || st.Count != 1 {
		t.Fatalf("STAT: %v %v", st, err)
	}
}

// TestCancelBeforeSend: in lock-step, a command whose context ends before
// it could be written sends nothing.
func TestCancelBeforeSend(t *testing.T) {
	addr := scripted(t, "S: +OK ready\nC: CAPA\nS: -ERR\nC: RETR 1\nS: +OK\nS: body\nS: .\nC: STAT\nS: +OK 1 6")
	c := dial(t, addr, nil)
	ctx := ctxT(t)
	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- c.Noop(wctx) }()
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("NOOP: %v", err)
	}
	b.Close()
	if _, err := c.Stat(ctx); err != nil {
		t.Fatal(err)
	}
}
