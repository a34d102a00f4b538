package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// p3Messages are the fixed messages TestPOP3ClientDovecot appends: lines
// that need dot-stuffing, a lone "." line, an empty body, 8-bit text and a
// long line.
var p3Messages = []string{
	"From: a@example.org\r\nSubject: plain\r\n\r\nHello.\r\n",
	"From: a@example.org\r\nSubject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n",
	"From: a@example.org\r\nSubject: empty body\r\n\r\n",
	"From: a@example.org\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncafé, naïve, 日本語\r\nline 2\r\nline 3\r\n",
	"From: a@example.org\r\nSubject: long line\r\n\r\n" + strings.Repeat("0123456789", 500) + "\r\nend\r\n",
}

// p3Msg is what IMAP says about a message of INBOX.
type p3Msg struct {
	uid  uint32
	body []byte // BODY[]
}

// p3Inbox appends msgs to INBOX over IMAP and returns, for every message
// of INBOX in order, its UID and BODY[], and the UIDVALIDITY.
func p3Inbox(t *testing.T, ctx context.Context, d *dovecot, msgs []string) ([]p3Msg, uint32) {
	t.Helper()
	c := icDial(t, ctx, d, nil)
	for _, m := range msgs {
		icAppend(t, ctx, c, "INBOX", m, nil)
	}
	return p3Fetch(t, ctx, c)
}

func p3Fetch(t *testing.T, ctx context.Context, c *imapclient.Client) ([]p3Msg, uint32) {
	t.Helper()
	mb, err := c.Select(ctx, "INBOX", &imapclient.SelectOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("SELECT: %v", err)
	}
	if mb.Count() == 0 {
		return nil, mb.UIDValidity()
	}
	res, err := c.FetchAll(ctx, imap.NumSetRange(1, mb.Count()), false,
		[]imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchBodyPeek}}, nil)
	if err != nil {
		t.Fatalf("FETCH: %v", err)
	}
	out := make([]p3Msg, len(res))
	for i, r := range res {
		sec := r.Section(imap.Section{})
		if sec == nil {
			t.Fatalf("message %d: no BODY[]", r.Seq)
		}
		out[i] = p3Msg{uid: r.UID, body: sec.Data}
	}
	return out, mb.UIDValidity()
}

// p3Dial connects to Dovecot's POP3 listener; the client is closed when
// the test ends.
func p3Dial(t *testing.T, ctx context.Context, d *dovecot, opts *pop3client.Options) *pop3client.Client {
	t.Helper()
	c, err := pop3client.Dial(ctx, d.POP3Addr, opts)
	if err != nil {
		t.Fatalf("Dial %s: %v", d.POP3Addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func p3Login(t *testing.T, ctx context.Context, d *dovecot) *pop3client.Client {
	t.Helper()
	c := p3Dial(t, ctx, d, nil)
	if err := c.Login(ctx, d.User, d.Pass); err != nil {
		t.Fatalf("USER/PASS: %v", err)
	}
	return c
}

// p3Read reads a whole Body: p3Read(t)(c.Retr(ctx, n)).
func p3Read(t *testing.T) func(*pop3client.Body, error) []byte {
	return func(b *pop3client.Body, err error) []byte {
		t.Helper()
		return p3ReadBody(t, b, err)
	}
}

func p3ReadBody(t *testing.T, b *pop3client.Body, err error) []byte {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	data, err := io.ReadAll(b)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPOP3ClientDovecot drives pop3client against Dovecot's POP3 server:
// CAPA, USER/PASS, APOP, AUTH PLAIN and SCRAM-SHA-256, STAT, LIST, UIDL
// (Dovecot's %08Xu%08Xv against IMAP's UID and UIDVALIDITY: lower-case
// hex), TOP, RETR
// (equal to IMAP's BODY[]), pipelined RETR of many messages, DELE with
// RSET, with a dropped connection, and with QUIT.
func TestPOP3ClientDovecot(t *testing.T) {
	requireInterop(t)
	d := startDovecot(t)
	if d.POP3Addr == "" {
		t.Fatal("Dovecot's POP3 server is not installed (Debian package dovecot-pop3d)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	msgs, uidValidity := p3Inbox(t, ctx, d, p3Messages)
	if len(msgs) != len(p3Messages) {
		t.Fatalf("INBOX has %d messages, want %d", len(msgs), len(p3Messages))
	}
	for i, m := range msgs {
		if string(m.body) != p3Messages[i] {
			t.Fatalf("IMAP BODY[] of message %d differs from what was appended", i+1)
		}
	}

	t.Run("CAPA", func(t *testing.T) {
		c := p3Dial(t, ctx, d, nil)
		t.Logf("greeting %q, capabilities %v", c.Greeting().Text, c.Caps())
		if c.Greeting().Timestamp() == "" {
			t.Error("no APOP timestamp in the greeting (apop is in auth_mechanisms)")
		}
		for _, cap := range []string{pop3.CapUser, pop3.CapUIDL, pop3.CapTop, pop3.CapPipelining, pop3.CapRespCodes, pop3.CapSASL} {
			if !c.Caps().Has(cap) {
				t.Errorf("capability %s missing", cap)
			}
		}
		if !c.Caps().HasSASL("PLAIN") || !c.Caps().HasSASL("SCRAM-SHA-256") {
			t.Errorf("SASL %v", c.Caps().SASL())
		}
		caps, err := c.Capa(ctx)
		if err != nil || len(caps) != len(c.Caps()) {
			t.Errorf("CAPA: %v %v", caps, err)
		}
		if err := c.Login(ctx, d.User, d.Pass); err != nil {
			t.Fatal(err)
		}
		t.Logf("capabilities after login: %v", c.Caps())
		if c.Caps().Has(pop3.CapSASL) || c.Caps().Has(pop3.CapUser) {
			t.Errorf("capabilities of the AUTHORIZATION state still announced: %v", c.Caps())
		}
		if err := c.Quit(ctx); err != nil {
			t.Error(err)
		}
	})

	t.Run("Logins", func(t *testing.T) {
		logins := []struct {
			name  string
			login func(c *pop3client.Client) error
		}{
			{"USER/PASS", func(c *pop3client.Client) error { return c.Login(ctx, d.User, d.Pass) }},
			{"APOP", func(c *pop3client.Client) error { return c.APOP(ctx, d.User, d.Pass) }},
			{"AUTH PLAIN", func(c *pop3client.Client) error {
				return c.Authenticate(ctx, sasl.NewPlainClient("", d.User, d.Pass))
			}},
			{"AUTH LOGIN", func(c *pop3client.Client) error {
				return c.Authenticate(ctx, sasl.NewLoginClient(d.User, d.Pass))
			}},
			{"AUTH SCRAM-SHA-256", func(c *pop3client.Client) error {
				return c.Authenticate(ctx, pop3client.NewScramSHA256Client(d.User, d.Pass))
			}},
			{"AuthenticatePassword", func(c *pop3client.Client) error { return c.AuthenticatePassword(ctx, d.User, d.Pass) }},
		}
		for _, l := range logins {
			t.Run(l.name, func(t *testing.T) {
				c := p3Dial(t, ctx, d, nil)
				if err := l.login(c); err != nil {
					t.Fatal(err)
				}
				if c.State() != pop3.Transaction {
					t.Errorf("state %v", c.State())
				}
				st, err := c.Stat(ctx)
				if err != nil || st.Count != len(msgs) {
					t.Errorf("STAT %v %v", st, err)
				}
				if err := c.Quit(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wrong := []struct {
			name  string
			login func(c *pop3client.Client) error
		}{
			{"USER/PASS", func(c *pop3client.Client) error { return c.Login(ctx, d.User, "wrong") }},
			{"APOP", func(c *pop3client.Client) error { return c.APOP(ctx, d.User, "wrong") }},
			{"AUTH PLAIN", func(c *pop3client.Client) error {
				return c.Authenticate(ctx, sasl.NewPlainClient("", d.User, "wrong"))
			}},
			{"AUTH SCRAM-SHA-256", func(c *pop3client.Client) error {
				return c.Authenticate(ctx, pop3client.NewScramSHA256Client(d.User, "wrong"))
			}},
		}
		for _, l := range wrong {
			t.Run(l.name+" wrong password", func(t *testing.T) {
				c := p3Dial(t, ctx, d, nil)
				err := l.login(c)
				if !errors.Is(err, &pop3.Error{Code: pop3.CodeAuth}) {
					t.Errorf("login with a wrong password: %v (want -ERR [AUTH])", err)
				}
				t.Logf("%v", err)
				// The session goes on in AUTHORIZATION.
				if err := c.Login(ctx, d.User, d.Pass); err != nil {
					t.Errorf("login after a failure: %v", err)
				}
				c.Quit(ctx)
			})
		}
	})

	t.Run("Listings", func(t *testing.T) {
		c := p3Login(t, ctx, d)
		var total int64
		for _, m := range msgs {
			total += int64(len(m.body))
		}
		st, err := c.Stat(ctx)
		if err != nil || st != (pop3.DropListing{Count: len(msgs), Size: total}) {
			t.Errorf("STAT %v %v, want %d %d", st, err, len(msgs), total)
		}
		list, err := c.List(ctx)
		if err != nil || len(list) != len(msgs) {
			t.Fatalf("LIST %v %v", list, err)
		}
		uidl, err := c.UIDL(ctx)
		if err != nil || len(uidl) != len(msgs) {
			t.Fatalf("UIDL %v %v", uidl, err)
		}
		for i, m := range msgs {
			if list[i] != (pop3.ScanListing{Msg: i + 1, Size: int64(len(m.body))}) {
				t.Errorf("LIST line %d: %v, want size %d", i+1, list[i], len(m.body))
			}
			// pop3_uidl_format = %08Xu%08Xv: Dovecot's %X modifier
			// writes lower-case hex (as UW ipop3d's %08lx%08lx did).
			want := fmt.Sprintf("%08x%08x", m.uid, uidValidity)
			if uidl[i] != (pop3.UniqueID{Msg: i + 1, UID: want}) {
				t.Errorf("UIDL line %d: %v, want %s (UID %d, UIDVALIDITY %d)", i+1, uidl[i], want, m.uid, uidValidity)
			}
			if s, err := c.ListOne(ctx, i+1); err != nil || s != list[i] {
				t.Errorf("LIST %d: %v %v", i+1, s, err)
			}
			if u, err := c.UIDLOne(ctx, i+1); err != nil || u != uidl[i] {
				t.Errorf("UIDL %d: %v %v", i+1, u, err)
			}
		}
		if _, err := c.ListOne(ctx, len(msgs)+1); !errors.Is(err, &pop3.Error{}) {
			t.Errorf("LIST of a missing message: %v", err)
		}
		if err := c.Noop(ctx); err != nil {
			t.Error(err)
		}
		if err := c.Quit(ctx); err != nil {
			t.Error(err)
		}
	})

	t.Run("RetrTop", func(t *testing.T) {
		c := p3Login(t, ctx, d)
		for i, m := range msgs {
			got := p3Read(t)(c.Retr(ctx, i+1))
			if !bytes.Equal(got, m.body) {
				t.Errorf("RETR %d: %q, want IMAP's BODY[] %q", i+1, got, m.body)
			}
			header, body, _ := bytes.Cut(m.body, []byte("\r\n\r\n"))
			header = append(header, "\r\n\r\n"...)
			if got := p3Read(t)(c.Top(ctx, i+1, 0)); !bytes.Equal(got, header) {
				t.Errorf("TOP %d 0: %q, want %q", i+1, got, header)
			}
			first := header
			if line, _, ok := bytes.Cut(body, []byte("\r\n")); ok {
				first = append(append(bytes.Clone(header), line...), "\r\n"...)
			}
			if got := p3Read(t)(c.Top(ctx, i+1, 1)); !bytes.Equal(got, first) {
				t.Errorf("TOP %d 1: %q, want %q", i+1, got, first)
			}
		}
		// A body closed half read leaves the connection in step.
		b, err := c.Retr(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		io.CopyN(io.Discard, b, 10)
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Retr(ctx, len(msgs)+1); !errors.Is(err, &pop3.Error{}) {
			t.Errorf("RETR of a missing message: %v", err)
		}
		if err := c.Quit(ctx); err != nil {
			t.Error(err)
		}
	})

	t.Run("RsetAndDroppedConnection", func(t *testing.T) {
		c := p3Login(t, ctx, d)
		if err := c.Dele(ctx, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Retr(ctx, 1); !errors.Is(err, &pop3.Error{}) {
			t.Errorf("RETR of a message marked as deleted: %v", err)
		}
		if st, err := c.Stat(ctx); err != nil || st.Count != len(msgs)-1 {
			t.Errorf("STAT after DELE: %v %v", st, err)
		}
		if err := c.Rset(ctx); err != nil {
			t.Fatal(err)
		}
		if st, err := c.Stat(ctx); err != nil || st.Count != len(msgs) {
			t.Errorf("STAT after RSET: %v %v", st, err)
		}
		if err := c.Quit(ctx); err != nil {
			t.Fatal(err)
		}

		// DELE, then the connection drops before QUIT.
		c = p3Login(t, ctx, d)
		for n := 1; n <= len(msgs); n++ {
			if err := c.Dele(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		c.Close()
		c = p3Login(t, ctx, d)
		if st, err := c.Stat(ctx); err != nil || st.Count != len(msgs) {
			t.Errorf("STAT after a session dropped before QUIT: %v %v, want %d messages", st, err, len(msgs))
		}
		if err := c.Quit(ctx); err != nil {
			t.Error(err)
		}
	})

	// Many more messages, for pipelining.
	ic := icDial(t, ctx, d, nil)
	var extra []string
	for i := range 300 {
		extra = append(extra, fmt.Sprintf("From: b@example.org\r\nSubject: bulk %d\r\n\r\n.dot %d\r\n%s\r\n", i, i, strings.Repeat("z", i*7)))
	}
	var big strings.Builder
	big.WriteString("From: c@example.org\r\nSubject: big\r\n\r\n")
	for i := 0; big.Len() < 4<<20; i++ {
		fmt.Fprintf(&big, "%s%07d %s\r\n", []string{"", "."}[i%5/4], i, strings.Repeat("b", 90))
	}
	extra = append(extra, big.String())
	for _, m := range extra {
		icAppend(t, ctx, ic, "INBOX", m, nil)
	}
	msgs, _ = p3Fetch(t, ctx, ic)

	t.Run("PipelinedRetr", func(t *testing.T) {
		c := p3Login(t, ctx, d)
		if !c.Caps().Has(pop3.CapPipelining) {
			t.Fatalf("PIPELINING not announced: %v", c.Caps())
		}
		nums := make([]int, len(msgs))
		for i := range nums {
			nums[i] = i + 1
		}
		next := 1
		start := time.Now()
		err := c.RetrEach(ctx, nums, func(n int, r io.Reader) error {
			h1, h2 := sha256.New(), sha256.New()
			if _, err := io.Copy(h1, r); err != nil {
				return err
			}
			h2.Write(msgs[n-1].body)
			if n != next || !bytes.Equal(h1.Sum(nil), h2.Sum(nil)) {
				return fmt.Errorf("message %d (expected %d) differs from IMAP's BODY[]", n, next)
			}
			next++
			return nil
		})
		if err != nil || next != len(nums)+1 {
			t.Fatalf("RetrEach: %v after %d messages", err, next-1)
		}
		t.Logf("RetrEach: %d messages in %v", len(nums), time.Since(start))

		// Many goroutines at once on the same connection.
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				for k := g; k < len(msgs); k += 8 {
					b, err := c.Retr(ctx, k+1)
					if err != nil {
						t.Error(err)
						return
					}
					got, err := io.ReadAll(b)
					b.Close()
					if err != nil || !bytes.Equal(got, msgs[k].body) {
						t.Errorf("concurrent RETR %d: %d octets, %v", k+1, len(got), err)
						return
					}
					if _, err := c.UIDLOne(ctx, k+1); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := c.Quit(ctx); err != nil {
			t.Error(err)
		}
	})

	t.Run("QuitRemoves", func(t *testing.T) {
		c := p3Login(t, ctx, d)
		uidl, err := c.UIDL(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 3} {
			if err := c.Dele(ctx, n); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.Quit(ctx); err != nil {
			t.Fatalf("QUIT: %v", err)
		}
		if c.State() != pop3.Update {
			t.Errorf("state after QUIT: %v", c.State())
		}
		c = p3Login(t, ctx, d)
		after, err := c.UIDL(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(uidl)-3 {
			t.Fatalf("%d messages after QUIT, want %d", len(after), len(uidl)-3)
		}
		// Message numbers start again at 1; unique-ids stay.
		for i, u := range after {
			if u.Msg != i+1 || u.UID != uidl[i+3].UID {
				t.Errorf("UIDL line %d: %v, want %d %s", i+1, u, i+1, uidl[i+3].UID)
			}
		}
		c.Quit(ctx)
		left, _ := p3Fetch(t, ctx, ic)
		if len(left) != len(msgs)-3 {
			t.Errorf("IMAP sees %d messages, want %d", len(left), len(msgs)-3)
		}
	})
}
