package imapclient_test

import (
	"bufio"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// mbxExistsSignal returns options whose handler reports each EXISTS.
func mbxExistsSignal() (*imapclient.Options, <-chan uint32) {
	ch := make(chan uint32, 100)
	return &imapclient.Options{UnilateralData: func(r *wire.Response) {
		if r.Kind == wire.KindExists {
			select {
			case ch <- r.Num:
			default:
			}
		}
	}}, ch
}

// mbxWaitExists waits for an EXISTS of n.
func mbxWaitExists(t *testing.T, ch <-chan uint32, n uint32) {
	t.Helper()
	timeout := time.After(15 * time.Second)
	for {
		select {
		case got := <-ch:
			if got == n {
				return
			}
		case <-timeout:
			t.Fatalf("no EXISTS %d", n)
		}
	}
}

func TestIdleWokenByAppend(t *testing.T) {
	env := newEnv(t)
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
	if ic.Polling() {
		t.Fatal("polling although the server has IDLE")
	}
	env.append(t, "INBOX", "Subject: wake up\r\n\r\nbody\r\n")
	mbxWaitExists(t, exists, 1)
	if mb.Count() != 1 {
		t.Errorf("view count %d", mb.Count())
	}
	select {
	case <-ic.Done():
		t.Fatal("IDLE ended by itself")
	default:
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after IDLE: %v", err)
	}
}

// TestIdleRestart: with a short period IDLE is re-issued again and again,
// and changes still arrive.
func TestIdleRestart(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	ctx := mbxCtx(t)
	opts, exists := mbxExistsSignal()
	c := env.login(t, opts)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, &imapclient.IdleOptions{Restart: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for rec.count(" IDLE\r\n") < 4 || rec.count("DONE\r\n") < 3 {
		select {
		case <-ic.Done():
			t.Fatalf("IDLE ended: %v", ic.Wait())
		case <-ctx.Done():
			t.Fatalf("IDLE re-issued %d times", rec.count(" IDLE\r\n"))
		case <-time.After(5 * time.Millisecond):
		}
	}
	env.append(t, "INBOX", "Subject: wake up\r\n\r\nbody\r\n")
	mbxWaitExists(t, exists, 1)
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after IDLE: %v", err)
	}
}

// TestIdleContextCancel: cancelling Idle's context ends IDLE cleanly.
func TestIdleContextCancel(t *testing.T) {
	env := newEnv(t)
	c := env.login(t, nil)
	ctx, cancel := context.WithCancel(mbxCtx(t))
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	<-ic.Done()
	if err := ic.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(mbxCtx(t)); err != nil {
		t.Fatalf("NOOP after IDLE: %v", err)
	}
}

// TestIdlePollFallback: without IDLE, NOOP is polled and its data flows
// as IDLE's would.
func TestIdlePollFallback(t *testing.T) {
	count := 0
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		if rest == "NOOP" {
			count++
			if count == 3 {
				w.WriteString("* 5 EXISTS\r\n")
			}
		}
		w.WriteString(tag + " OK done\r\n")
		return true
	})
	ctx := mbxCtx(t)
	opts, exists := mbxExistsSignal()
	c, err := imapclient.Dial(ctx, addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ic, err := c.Idle(ctx, &imapclient.IdleOptions{PollInterval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if !ic.Polling() {
		t.Error("not polling without IDLE")
	}
	mbxWaitExists(t, exists, 5)
	// Commands go on as usual while polling.
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
}

// TestIdleRefused: a server that refuses IDLE gives its error at once.
func TestIdleRefused(t *testing.T) {
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 IDLE] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		if rest == "IDLE" {
			w.WriteString(tag + " NO not now\r\n")
		} else {
			w.WriteString(tag + " OK done\r\n")
		}
		return true
	})
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	if _, err := c.Idle(ctx, nil); err == nil {
		t.Fatal("refused IDLE succeeded")
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestIdleGuard: a command issued while idling is not sent during IDLE:
// it suspends IDLE (DONE first) and succeeds; a second Idle fails with
// ErrIdling; after Stop, commands and a new Idle work.
func TestIdleGuard(t *testing.T) {
	env, rec := mbxEnv(t, nil)
	c := env.login(t, nil)
	ctx := mbxCtx(t)
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	ic, err := c.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Idle(ctx, nil); !errors.Is(err, imapclient.ErrIdling) {
		t.Fatalf("second Idle: %v, want ErrIdling", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP while idling: %v", err)
	}
	// The server would have taken a NOOP sent during IDLE for a bad
	// DONE; it saw DONE first.
	if rec.count("DONE\r\n") < 1 {
		t.Error("NOOP sent without ending IDLE")
	}
	select {
	case <-ic.Done():
		t.Fatalf("idling ended by a command: %v", ic.Wait())
	default:
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after Stop: %v", err)
	}
	ic, err = c.Idle(ctx, nil)
	if err != nil {
		t.Fatalf("Idle after Stop: %v", err)
	}
	if err := ic.Stop(); err != nil {
		t.Fatal(err)
	}
}
