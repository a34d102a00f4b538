package imapclient_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/internal/mailtest"
)

// TestStartTLSRunningClient: STARTTLS on a client already in use, with
// commands issued meanwhile by other goroutines; the capabilities are
// asked for again over TLS, and authentication then works.
func TestStartTLSRunningClient(t *testing.T) {
	srvTLS, cliTLS := mailtest.SelfSigned(t)
	env, _ := mbxEnvFrom(t, func(s *imapserver.Server) { s.TLSConfig = srvTLS; s.InsecureAuth = false }, mbxRemote)
	ctx := mbxCtx(t)
	c, err := imapclient.Dial(ctx, env.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if caps := c.Caps(); !caps.Has(imap.CapStartTLS) || !caps.Has(imap.CapLoginDisabled) {
		t.Fatalf("caps in the clear: %v", caps)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() { errs <- c.Noop(ctx) })
	}
	if err := c.StartTLS(ctx, cliTLS); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("NOOP around STARTTLS: %v", err)
		}
	}
	cs, ok := c.TLSConnectionState()
	if !ok || !cs.HandshakeComplete {
		t.Fatalf("no TLS after StartTLS")
	}
	caps := c.Caps()
	if caps.Has(imap.CapStartTLS) || caps.Has(imap.CapLoginDisabled) || !caps.Advertised("AUTH=PLAIN") {
		t.Errorf("caps after STARTTLS: %v", caps)
	}
	if err := c.StartTLS(ctx, cliTLS); err == nil {
		t.Error("a second STARTTLS succeeded")
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestStartTLSRunningRefusal: a server that lacks or refuses STARTTLS
// leaves the connection usable in the clear (the caller decides); one
// that sends anything after its OK, or a failed handshake, or a context
// done before the OK, closes it.
func TestStartTLSRunningRefusal(t *testing.T) {
	ctx := mbxCtx(t)
	t.Run("not offered", func(t *testing.T) {
		env, rec := mbxEnv(t, nil)
		c, err := imapclient.Dial(ctx, env.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.StartTLS(ctx, nil); !errors.Is(err, imapclient.ErrNoStartTLS) {
			t.Fatalf("StartTLS: %v", err)
		}
		if err := c.Noop(ctx); err != nil {
			t.Fatal(err)
		}
		if rec.count("STARTTLS") != 0 {
			t.Error("STARTTLS sent although not offered")
		}
	})
	t.Run("refused", func(t *testing.T) {
		addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			tag, rest, _ := strings.Cut(line, " ")
			if rest == "STARTTLS" {
				w.WriteString(tag + " NO not today\r\n")
			} else {
				w.WriteString(tag + " OK done\r\n")
			}
			return true
		})
		c := mbxDial(t, ctx, addr)
		defer c.Close()
		err := c.StartTLS(ctx, nil)
		var se *imapclient.StatusError
		if !errors.Is(err, imapclient.ErrNoStartTLS) || !errors.As(err, &se) || se.Status != "NO" {
			t.Fatalf("StartTLS: %v", err)
		}
		if err := c.Noop(ctx); err != nil {
			t.Fatalf("NOOP after a refused STARTTLS: %v", err)
		}
	})
	t.Run("injection after OK", func(t *testing.T) {
		// net.Pipe hands the OK and what follows it to a single read:
		// the client finds the injected response buffered.
		cli, srv := net.Pipe()
		defer srv.Close()
		go func() {
			r := bufio.NewReader(srv)
			srv.Write([]byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] hi\r\n"))
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			tag, _, _ := strings.Cut(line, " ")
			srv.Write([]byte(tag + " OK begin\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n"))
			io.Copy(io.Discard, r)
		}()
		c, err := imapclient.New(ctx, cli, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		err = c.StartTLS(ctx, nil)
		if err == nil || !strings.Contains(err.Error(), "in the clear") {
			t.Fatalf("StartTLS: %v", err)
		}
		idleRecv(t, "the connection's end", c.Done())
		if !errors.Is(c.Err(), imapclient.ErrClosed) {
			t.Errorf("Err: %v", c.Err())
		}
		if c.Caps().Advertised("AUTH=PLAIN") {
			t.Error("injected capabilities used")
		}
	})
	t.Run("untrusted certificate", func(t *testing.T) {
		srvTLS, _ := mailtest.SelfSigned(t)
		env, _ := mbxEnv(t, func(s *imapserver.Server) { s.TLSConfig = srvTLS })
		c, err := imapclient.Dial(ctx, env.addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.StartTLS(ctx, nil); err == nil {
			t.Fatal("StartTLS trusted an unknown certificate")
		}
		idleRecv(t, "the connection's end", c.Done())
		if err := c.Noop(ctx); err == nil {
			t.Error("NOOP after a failed handshake succeeded")
		}
	})
	t.Run("context done before the OK", func(t *testing.T) {
		got := make(chan struct{})
		addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 STARTTLS] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			if strings.HasSuffix(line, " STARTTLS") {
				close(got) // and never answer
			}
			return true
		})
		c := mbxDial(t, ctx, addr)
		defer c.Close()
		sctx, cancel := context.WithCancel(ctx)
		errs := make(chan error, 1)
		go func() { errs <- c.StartTLS(sctx, &tls.Config{}) }()
		idleRecv(t, "STARTTLS", got)
		cancel()
		if err := idleRecv(t, "StartTLS", errs); !errors.Is(err, context.Canceled) {
			t.Fatalf("StartTLS: %v", err)
		}
		idleRecv(t, "the connection's end", c.Done())
	})
}

// TestNewStartTLSCancelledDuringGreeting: a context done while the
// greeting is awaited ends the wait (New and NewStartTLS share it).
func TestNewStartTLSCancelledDuringGreeting(t *testing.T) {
	cli, srv := net.Pipe()
	defer srv.Close()
	ctx, cancel := context.WithCancel(mbxCtx(t))
	errs := make(chan error, 1)
	go func() {
		_, err := imapclient.NewStartTLS(ctx, cli, "127.0.0.1", nil)
		errs <- err
	}()
	cancel()
	if err := idleRecv(t, "NewStartTLS", errs); !errors.Is(err, context.Canceled) {
		t.Fatalf("NewStartTLS: %v", err)
	}
}
