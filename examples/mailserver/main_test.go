package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
	"github.com/mailaccess/mailaccess/pop3/pop3server"
)

// forEachStore runs f with each store: memory and a fresh Maildir.
func forEachStore(t *testing.T, f func(t *testing.T, store string)) {
	for _, kind := range []string{"memory", "maildir"} {
		t.Run(kind, func(t *testing.T) {
			store := kind
			if kind == "maildir" {
				store = "maildir:" + t.TempDir()
			}
			f(t, store)
		})
	}
}

// startServer starts the example with the flags and shuts it down when
// the test ends.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	c, err := parseFlags(args)
	if err != nil {
		t.Fatal(err)
	}
	s, err := start(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return s
}

var errInUse = &pop3.Error{Code: pop3.CodeInUse}

// loginPOP3 connects to the POP3 listener and logs in with USER/PASS. A
// maildrop still held by a session whose connection was just dropped is
// waited for: the server itself waits a moment before [IN-USE], and
// loginPOP3 tries again after that until ctx ends.
func loginPOP3(ctx context.Context, t *testing.T, addr, user, pass string) *pop3client.Client {
	t.Helper()
	for {
		p, err := pop3client.Dial(ctx, addr, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = p.Login(ctx, user, pass)
		if err == nil {
			return p
		}
		p.Close()
		if !errors.Is(err, errInUse) {
			t.Fatalf("POP3 login: %v", err)
		}
	}
}

// retr reads message n whole.
func retr(ctx context.Context, t *testing.T, p *pop3client.Client, n int) string {
	t.Helper()
	body, err := p.Retr(ctx, n)
	if err != nil {
		t.Fatalf("RETR %d: %v", n, err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("RETR %d: %v", n, err)
	}
	return string(b)
}

// TestStartAndLogin starts the example on free ports, with each store, and
// logs in as the demo user to read the welcome message, over IMAP and
// POP3.
func TestStartAndLogin(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		s := startServer(t, "-imap", "127.0.0.1:0", "-pop3", "127.0.0.1:0", "-pop3s", "127.0.0.1:0", "-store", store)
		t.Run("IMAP", func(t *testing.T) {
			nc, err := net.Dial("tcp", s.imapLn.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			r := bufio.NewReader(nc)
			line := func() string {
				l, err := r.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			if g := line(); !strings.HasPrefix(g, "* OK") {
				t.Fatalf("greeting %q", g)
			}
			fmt.Fprintf(nc, "a LOGIN %s %s\r\nb SELECT INBOX\r\nc LOGOUT\r\n", s.demo.name, s.demo.password)
			var all []string
			for {
				l := line()
				all = append(all, l)
				if strings.HasPrefix(l, "c ") {
					break
				}
			}
			text := strings.Join(all, "")
			if !strings.Contains(text, "a OK") || !strings.Contains(text, "* 1 EXISTS") || !strings.Contains(text, "b OK") {
				t.Fatalf("session:\n%s", text)
			}
		})
		t.Run("POP3", func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			p, err := pop3client.Dial(ctx, s.pop3Ln.Addr().String(), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			if !p.Caps().Has(pop3.CapSTLS) {
				t.Errorf("CAPA without STLS: %v", p.Caps())
			}
			if err := p.Login(ctx, s.demo.name, s.demo.password); err != nil {
				t.Fatal(err)
			}
			st, err := p.Stat(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if st.Count != 1 {
				t.Fatalf("STAT %v, want the welcome message alone", st)
			}
			if msg := retr(ctx, t, p, 1); !strings.Contains(msg, "Subject: Welcome to mailaccess") {
				t.Fatalf("RETR 1:\n%s", msg)
			}

			// The implicit TLS listener is the same pop3server.Server:
			// the maildrop held by the session above is in use there.
			roots := mailtest.Trusting(t, s.pop3.TLSConfig.Certificates...)
			ps, err := pop3client.DialTLS(ctx, s.pop3sLn.Addr().String(), &pop3client.Options{TLSConfig: roots})
			if err != nil {
				t.Fatal(err)
			}
			defer ps.Close()
			if err := ps.Login(ctx, s.demo.name, s.demo.password); !errors.Is(err, errInUse) {
				t.Fatalf("POP3S login while the POP3 session holds the maildrop: %v, want [IN-USE]", err)
			}
			if err := p.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			// Once QUIT is answered the maildrop is free again.
			if err := ps.Login(ctx, s.demo.name, s.demo.password); err != nil {
				t.Fatalf("POP3S login after QUIT: %v", err)
			}
			if st, err := ps.Stat(ctx); err != nil || st.Count != 1 {
				t.Fatalf("POP3S STAT: %v, %v", st, err)
			}
			if err := ps.Quit(ctx); err != nil {
				t.Fatal(err)
			}
		})
	})
}

// TestPOP3DeleteSeenByIdlingIMAP serves one store over both protocols at
// once: an IMAP session idles on INBOX while POP3 sessions change it.
// A DELE made real by QUIT reaches the idling session as an EXPUNGE; a
// DELE whose session drops before QUIT deletes nothing; a message RETR'd
// by a session that QUITs gets \Seen.
func TestPOP3DeleteSeenByIdlingIMAP(t *testing.T) {
	forEachStore(t, func(t *testing.T, store string) {
		const user, pass = "alice", "wonderland"
		s := startServer(t, "-imap", "127.0.0.1:0", "-pop3", "127.0.0.1:0", "-store", store, "-user", user+":"+pass)
		pop3Addr := s.pop3Ln.Addr().String()
		// Timeouts only guard against deadlocks.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()

		// The IMAP session: the handler counts EXPUNGEs and wakes
		// waitFor after each untagged response (the view is already
		// updated when it runs).
		var expunges atomic.Int32
		notify := make(chan struct{}, 1)
		ic, err := imapclient.Dial(ctx, s.imapLn.Addr().String(), &imapclient.Options{
			UnilateralData: func(r *wire.Response) {
				if r.Kind == wire.KindExpunge {
					expunges.Add(1)
				}
				select {
				case notify <- struct{}{}:
				default:
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer ic.Close()
		waitFor := func(what string, cond func() bool) {
			t.Helper()
			for !cond() {
				select {
				case <-notify:
				case <-ic.Done():
					t.Fatalf("waiting for %s: IMAP connection ended: %v", what, ic.Err())
				case <-ctx.Done():
					t.Fatalf("waiting for %s: %v", what, ctx.Err())
				}
			}
		}
		if err := ic.Login(ctx, user, pass); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 3; i++ {
			msg := fmt.Sprintf("From: bob@example.com\r\nTo: %s@localhost\r\nSubject: message %d\r\n\r\nBody %d.\r\n", user, i, i)
			if _, err := ic.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
				t.Fatal(err)
			}
		}
		mb, err := ic.Select(ctx, "INBOX", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ic.FetchAll(ctx, imap.NumSetRange(1, imap.Star), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}}, nil); err != nil {
			t.Fatal(err)
		}
		uids := viewUIDs(mb)
		if len(uids) != 3 || slices.Contains(uids, 0) {
			t.Fatalf("INBOX view after APPEND: UIDs %v, want 3", uids)
		}
		idle, err := ic.Idle(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer idle.Stop()

		// 1. DELE 2 and QUIT: the idling session hears of it unasked.
		p := loginPOP3(ctx, t, pop3Addr, user, pass)
		if st, err := p.Stat(ctx); err != nil || st.Count != 3 {
			t.Fatalf("POP3 STAT: %v, %v; want 3 messages", st, err)
		}
		// POP3 message 2 is IMAP's message 2: the unique-id derives
		// from its UID.
		if u, err := p.UIDLOne(ctx, 2); err != nil || u.UID != pop3server.DefaultUIDL(mb.UIDValidity(), uids[1]) {
			t.Fatalf("UIDL 2: %v, %v; want the unique-id of UID %d", u, err, uids[1])
		}
		if err := p.Dele(ctx, 2); err != nil {
			t.Fatal(err)
		}
		if err := p.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor("the EXPUNGE of POP3's DELE 2", func() bool { return mb.Count() == 2 })
		if got, want := viewUIDs(mb), []uint32{uids[0], uids[2]}; !slices.Equal(got, want) {
			t.Fatalf("IMAP view after POP3 DELE 2 + QUIT: UIDs %v, want %v", got, want)
		}

		// 2. DELE 1, then the connection drops without QUIT: nothing
		// is deleted.
		p = loginPOP3(ctx, t, pop3Addr, user, pass)
		if st, err := p.Stat(ctx); err != nil || st.Count != 2 {
			t.Fatalf("POP3 STAT: %v, %v; want 2 messages", st, err)
		}
		if err := p.Dele(ctx, 1); err != nil {
			t.Fatal(err)
		}
		p.Close()
		// A new session gets the maildrop once the server has noticed
		// the drop and let it go: the dropped session's UPDATE state,
		// had there been one, would be over by then.
		p = loginPOP3(ctx, t, pop3Addr, user, pass)
		defer p.Close()
		if st, err := p.Stat(ctx); err != nil || st.Count != 2 {
			t.Fatalf("POP3 STAT after a session dropped with DELE 1: %v, %v; want 2 messages", st, err)
		}
		if err := ic.Noop(ctx); err != nil {
			t.Fatal(err)
		}
		if got, want := viewUIDs(mb), []uint32{uids[0], uids[2]}; !slices.Equal(got, want) {
			t.Fatalf("IMAP view after a POP3 session dropped with DELE 1: UIDs %v, want %v", got, want)
		}
		if n := expunges.Load(); n != 1 {
			t.Fatalf("IMAP session saw %d EXPUNGE responses, want 1", n)
		}

		// 3. RETR 1 and QUIT: \Seen reaches the idling session.
		if seen(mb, uids[0]) {
			t.Fatalf("UID %d has \\Seen before any RETR", uids[0])
		}
		if msg := retr(ctx, t, p, 1); !strings.Contains(msg, "Subject: message 1\r\n") {
			t.Fatalf("RETR 1:\n%s", msg)
		}
		if err := p.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		waitFor("\\Seen on the message POP3 retrieved", func() bool { return seen(mb, uids[0]) })
		if seen(mb, uids[2]) {
			t.Errorf("UID %d, never retrieved, has \\Seen", uids[2])
		}
		if n := expunges.Load(); n != 1 {
			t.Fatalf("IMAP session saw %d EXPUNGE responses, want 1", n)
		}

		if err := idle.Stop(); err != nil {
			t.Fatal(err)
		}
		if err := ic.Logout(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

// viewUIDs lists the UIDs of the messages in the IMAP mailbox view.
func viewUIDs(mb *imapclient.Mailbox) []uint32 {
	var uids []uint32
	for seq := uint32(1); ; seq++ {
		m, ok := mb.Message(seq)
		if !ok {
			return uids
		}
		uids = append(uids, m.UID)
	}
}

// seen reports whether the IMAP view shows the message with \Seen.
func seen(mb *imapclient.Mailbox, uid uint32) bool {
	seq, ok := mb.SeqOf(uid)
	if !ok {
		return false
	}
	m, _ := mb.Message(seq)
	return slices.ContainsFunc(m.Flags, func(f imap.Flag) bool { return f.Equal(imap.FlagSeen) })
}

// TestShutdown stops the example while an IMAP session idles and a POP3
// session has a DELE pending: both servers stop (shutdown returns nil, the
// sessions end, the listeners are closed), and the DELE is not applied.
func TestShutdown(t *testing.T) {
	const user, pass = "alice", "wonderland"
	store := "maildir:" + t.TempDir()
	args := []string{"-imap", "127.0.0.1:0", "-pop3", "127.0.0.1:0", "-pop3s", "127.0.0.1:0", "-store", store, "-user", user + ":" + pass}
	s := startServer(t, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ic, err := imapclient.Dial(ctx, s.imapLn.Addr().String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ic.Close()
	if err := ic.Login(ctx, user, pass); err != nil {
		t.Fatal(err)
	}
	msg := "Subject: keep me\r\n\r\nStill here.\r\n"
	if _, err := ic.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ic.Select(ctx, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	idle, err := ic.Idle(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Stop()
	p := loginPOP3(ctx, t, s.pop3Ln.Addr().String(), user, pass)
	defer p.Close()
	if err := p.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}

	if err := s.shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	select {
	case <-ic.Done():
	case <-ctx.Done():
		t.Fatal("the IMAP connection is still open after shutdown")
	}
	if err := p.Noop(ctx); err == nil {
		t.Fatal("POP3 NOOP answered +OK after shutdown")
	}
	for _, l := range s.listeners() {
		if nc, err := net.Dial("tcp", l.ln.Addr().String()); err == nil {
			nc.Close()
			t.Errorf("%s listener %s still accepts connections after shutdown", l.name, l.ln.Addr())
		}
	}

	// The same Maildir served again still holds the message.
	s = startServer(t, args...)
	p = loginPOP3(ctx, t, s.pop3Ln.Addr().String(), user, pass)
	defer p.Close()
	if st, err := p.Stat(ctx); err != nil || st.Count != 1 {
		t.Fatalf("POP3 STAT after restart: %v, %v; want the message a shut down session marked deleted", st, err)
	}
	if err := p.Quit(ctx); err != nil {
		t.Fatal(err)
	}
}
