package imapclient_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// testEnv is our server over memstore on a loopback port, with the user
// alice/secret.
type testEnv struct {
	addr    string
	backend *memstore.Backend
}

func newEnv(t *testing.T) *testEnv {
	t.Helper()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	srv := &imapserver.Server{Backend: b, Authenticator: b}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testEnv{addr: ln.Addr().String(), backend: b}
}

func (e *testEnv) append(t *testing.T, mailbox, msg string) {
	t.Helper()
	st, err := e.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Append(context.Background(), mailbox, strings.NewReader(msg), &mailstore.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (e *testEnv) login(t *testing.T, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := imapclient.Dial(ctx, e.addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLoginSelectLogout(t *testing.T) {
	env := newEnv(t)
	env.append(t, "INBOX", "Subject: one\r\n\r\nbody\r\n")
	ctx := context.Background()
	c := env.login(t, nil)
	if !c.Caps().Has(imap.CapIMAP4rev2) {
		t.Errorf("caps after login: %v", c.Caps())
	}
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mb.Count() != 1 || mb.UIDValidity() == 0 || mb.UIDNext() != 2 || mb.ReadOnly() {
		t.Errorf("view: count %d validity %d next %d ro %v", mb.Count(), mb.UIDValidity(), mb.UIDNext(), mb.ReadOnly())
	}
	if _, err := c.Select(ctx, "Nope", nil); err == nil {
		t.Error("SELECT of a missing mailbox succeeded")
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(ctx); err == nil {
		t.Error("NOOP after LOGOUT succeeded")
	}
}

// TestViewFollowsOtherSessions: another session's append reaches the view
// through NOOP, and the unilateral handler sees the EXISTS.
func TestViewFollowsOtherSessions(t *testing.T) {
	env := newEnv(t)
	ctx := context.Background()
	var mu sync.Mutex
	var seen []wire.ResponseKind
	c := env.login(t, &imapclient.Options{UnilateralData: func(r *wire.Response) {
		mu.Lock()
		seen = append(seen, r.Kind)
		mu.Unlock()
	}})
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	env.append(t, "INBOX", "Subject: two\r\n\r\nbody\r\n")
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if mb.Count() != 1 {
		t.Errorf("count %d after another session's append", mb.Count())
	}
	mu.Lock()
	defer mu.Unlock()
	found := false
	for _, k := range seen {
		if k == wire.KindExists {
			found = true
		}
	}
	if !found {
		t.Errorf("unilateral data: %v", seen)
	}
}

// TestPipelinedFromGoroutines issues commands from many goroutines at
// once: each gets its own completion.
func TestPipelinedFromGoroutines(t *testing.T) {
	env := newEnv(t)
	c := env.login(t, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.Noop(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestEnableAndCancel: ENABLE returns what was enabled, and a cancelled
// context returns at once.
func TestEnableAndCancel(t *testing.T) {
	env := newEnv(t)
	c := env.login(t, nil)
	got, err := c.Enable(context.Background(), imap.CapIMAP4rev2)
	if err != nil || len(got) != 1 {
		t.Fatalf("ENABLE: %v %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Noop(ctx); err == nil {
		t.Error("NOOP with a cancelled context succeeded")
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("NOOP after a cancelled one: %v", err)
	}
}
