package pop3server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// countingConn counts the writes the server makes.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(p []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(p)
}

// TestPipelining: 1000 commands sent in one write before any response is
// read are answered in order (RFC 2449 §6.6), and the answers leave in
// far fewer writes than commands.
func TestPipelining(t *testing.T) {
	for _, kind := range bothKinds {
		t.Run(string(kind), func(t *testing.T) {
			var writes atomic.Int64
			ts := newTestServer(t, testOpts{kind: kind, wrap: func(nc net.Conn) net.Conn { return countingConn{nc, &writes} }})
			const n = 100
			msgs := make([]string, n)
			for i := range msgs {
				msgs[i] = msg("m"+strconv.Itoa(i+1), 300+i)
			}
			ts.add(t, "alice", msgs...)
			c := ts.dial(t)
			var cmds []string
			cmds = append(cmds, "USER alice", "PASS secret")
			for i := 0; len(cmds) < 999; i++ {
				m := i%n + 1
				switch i % 5 {
				case 0, 1:
					cmds = append(cmds, "RETR "+strconv.Itoa(m))
				case 2:
					cmds = append(cmds, "LIST "+strconv.Itoa(m))
				case 3:
					cmds = append(cmds, "UIDL "+strconv.Itoa(m))
				case 4:
					cmds = append(cmds, "TOP "+strconv.Itoa(m)+" 1")
				}
			}
			cmds = append(cmds, "QUIT")
			before := writes.Load()
			c.send(cmds...)
			for _, cmd := range cmds {
				r := c.read()
				if !r.OK {
					t.Fatalf("%s: -ERR %s", cmd, r.Text)
				}
				name, arg, _ := strings.Cut(cmd, " ")
				m, _ := strconv.Atoi(strings.Fields(arg + " 0")[0])
				switch name {
				case "RETR":
					if r.Text != strconv.Itoa(len(msgs[m-1]))+" octets" {
						t.Fatalf("%s: %q", cmd, r.Text)
					}
					if b := c.body(); b != msgs[m-1] {
						t.Fatalf("%s: wrong message", cmd)
					}
				case "TOP":
					if b := c.body(); !strings.HasPrefix(msgs[m-1], b) || !strings.HasSuffix(b, "\r\n\r\n"+strings.Repeat("x", 70)+"\r\n") {
						t.Fatalf("%s: %q", cmd, b)
					}
				case "LIST":
					if r.Text != fmt.Sprintf("%d %d", m, len(msgs[m-1])) {
						t.Fatalf("%s: %q", cmd, r.Text)
					}
				case "UIDL":
					if !strings.HasPrefix(r.Text, strconv.Itoa(m)+" ") {
						t.Fatalf("%s: %q", cmd, r.Text)
					}
				}
			}
			if !c.closed() {
				t.Error("open after QUIT")
			}
			t.Logf("%d writes for %d pipelined commands", writes.Load()-before, len(cmds))
			if w := writes.Load() - before; w > 250 {
				t.Errorf("%d writes for %d pipelined commands", w, len(cmds))
			}
		})
	}
}

// TestPipelinedLargeResponses: a client that writes many commands with
// large responses while it reads them concurrently never deadlocks.
func TestPipelinedLargeResponses(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	big := msg("big", 256<<10)
	ts.add(t, "alice", big)
	c := ts.dial(t)
	c.login("alice", "secret")
	const n = 200
	errc := make(chan error, 1)
	go func() {
		w := bufio.NewWriter(c.nc)
		for i := 0; i < n; i++ {
			w.WriteString("RETR 1\r\n")
		}
		errc <- w.Flush()
	}()
	for i := 0; i < n; i++ {
		c.read()
		if _, err := io.Copy(io.Discard, c.r.DotReader()); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	c.ok("NOOP")
}

// genReader generates a message of size octets: a header, then lines of
// 76 octets, every seventh starting with a dot, and a CRLF at the end.
type genReader struct {
	size, off   int64
	head, block []byte
}

func newGenReader(size int64) *genReader {
	line := strings.Repeat("y", 74) + "\r\n"
	block := "." + line[1:] + strings.Repeat(line, 6)
	return &genReader{size: size, head: []byte("Subject: big\r\n\r\n"), block: []byte(block)}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.size {
		return 0, io.EOF
	}
	start, n := g.off, 0
	for n < len(p) && g.off < g.size {
		var src []byte
		if hl := int64(len(g.head)); g.off < hl {
			src = g.head[g.off:]
		} else {
			src = g.block[(g.off-hl)%int64(len(g.block)):]
		}
		if rem := g.size - g.off; int64(len(src)) > rem {
			src = src[:rem]
		}
		k := copy(p[n:], src)
		n += k
		g.off += int64(k)
	}
	for i, c := range []byte("\r\n") { // the last two octets
		if at := g.size - 2 + int64(i); at >= start && at < g.off {
			p[at-start] = c
		}
	}
	return n, nil
}

// TestRetr100MB: a 100 MB message is RETR'd in bounded memory: the
// octets allocated during the transfer, server and client together, stay
// far below the message's size.
func TestRetr100MB(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB")
	}
	const size = 100 << 20
	ts := newTestServer(t, testOpts{kind: kindMaildir})
	st := ts.store(t, "alice")
	if _, err := st.Append(context.Background(), "INBOX", newGenReader(size), nil); err != nil {
		t.Fatal(err)
	}
	c := ts.dial(t)
	c.login("alice", "secret")
	c.ok("NOOP")
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if r := c.ok("RETR 1"); r.Text != strconv.Itoa(size)+" octets" {
		t.Fatalf("RETR: %q", r.Text)
	}
	buf := make([]byte, 64<<10)
	n, err := io.CopyBuffer(io.Discard, c.r.DotReader(), buf)
	if err != nil || n != size {
		t.Fatalf("RETR: %d octets, %v", n, err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB during the transfer; heap %d -> %d KiB", alloc>>10, before.HeapAlloc>>10, after.HeapAlloc>>10)
	if alloc > 32<<20 {
		t.Errorf("allocated %d MiB for a 100 MiB message", alloc>>20)
	}
	c.ok("QUIT")
}

// TestShutdown: Shutdown answers an idle session -ERR [SYS/TEMP] and
// closes it without the UPDATE state: the marked message stays.
func TestShutdown(t *testing.T) {
	ts := newTestServer(t, testOpts{})
	ts.add(t, "alice", msg("1", 100))
	c := ts.dial(t)
	c.login("alice", "secret")
	c.ok("DELE 1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if r := c.read(); r.OK || r.Code != pop3.CodeSysTemp {
		t.Errorf("%+v", r)
	}
	if !c.closed() {
		t.Error("open after Shutdown")
	}
	if left := ts.inbox(t, "alice"); len(left) != 1 {
		t.Errorf("%d messages left", len(left))
	}
}

// TestAutoLogout: a silent session is closed without a response and
// without the UPDATE state (RFC 1939 §3).
func TestAutoLogout(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Limits.AutoLogout = 50 * time.Millisecond
		s.Limits.LoginTimeout = 50 * time.Millisecond
	}}})
	ts.add(t, "alice", msg("1", 100))
	c := ts.dial(t)
	if !c.closed() {
		t.Error("unauthenticated session not closed")
	}
	c = ts.dial(t)
	c.send("USER alice", "PASS secret", "DELE 1")
	c.read()
	c.read()
	c.read()
	if !c.closed() {
		t.Error("session not closed")
	}
	if left := ts.inbox(t, "alice"); len(left) != 1 {
		t.Errorf("%d messages left", len(left))
	}
	ts.waitUnlocked(t, "alice", "secret")
}

// TestMaxConnections: beyond the limit, a connection is answered
// -ERR [SYS/TEMP] instead of the greeting.
func TestMaxConnections(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Limits.MaxConnections = 1 }}})
	c := ts.dial(t)
	nc, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	r, err := pop3.NewReader(nc).ReadResponse()
	if err != nil || r.OK || r.Code != pop3.CodeSysTemp {
		t.Errorf("%+v %v", r, err)
	}
	c.ok("QUIT")
}

// failingStore wraps a Backend whose maildrop fails to expunge, or whose
// Open fails.
type failingBackend struct {
	mailstore.Backend
	openErr    error
	expungeErr error
}

func (b failingBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	if b.openErr != nil {
		return nil, b.openErr
	}
	st, err := b.Backend.Open(ctx, user)
	return failingStore{st, b.expungeErr}, err
}

type failingStore struct {
	mailstore.Store
	expungeErr error
}

func (s failingStore) OpenMailbox(ctx context.Context, name string, opts *mailstore.OpenOptions) (mailstore.Mailbox, error) {
	mb, err := s.Store.OpenMailbox(ctx, name, opts)
	return failingMailbox{mb, s.expungeErr}, err
}

type failingMailbox struct {
	mailstore.Mailbox
	expungeErr error
}

func (m failingMailbox) Expunge(ctx context.Context, uids []uint32) ([]mailstore.Expunged, error) {
	return nil, m.expungeErr
}

// TestStoreFailures: a store that cannot be opened is [SYS/TEMP] (the
// session stays in the AUTHORIZATION state, the maildrop unlocked); a
// missing maildrop is [SYS/PERM]; a failed expunge at QUIT is
// -ERR [SYS/TEMP] (RFC 1939 §6).
func TestStoreFailures(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Backend = failingBackend{Backend: s.Backend, openErr: errors.New("disk on fire")}
	}}})
	c := ts.dial(t)
	c.ok("USER alice")
	c.fail("PASS secret", pop3.CodeSysTemp)
	ts.srv.Backend = ts.backend
	c.login("alice", "secret")
	c.ok("QUIT")

	ts = newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Mailbox = "Missing" }}})
	c = ts.dial(t)
	c.ok("USER alice")
	c.fail("PASS secret", pop3.CodeSysPerm)

	ts = newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) {
		s.Backend = failingBackend{Backend: s.Backend, expungeErr: errors.New("read-only file system")}
	}}})
	ts.add(t, "alice", msg("1", 100))
	c = ts.dial(t)
	c.login("alice", "secret")
	c.ok("DELE 1")
	c.fail("QUIT", pop3.CodeSysTemp)
	if !c.closed() {
		t.Error("open after QUIT")
	}
	ts.waitUnlocked(t, "alice", "secret")
}

// TestMailbox: Server.Mailbox chooses the maildrop; the lock is per
// maildrop.
func TestMailbox(t *testing.T) {
	ts := newTestServer(t, testOpts{configure: []func(*Server){func(s *Server) { s.Mailbox = "POP" }}})
	st := ts.store(t, "alice")
	if err := st.CreateMailbox(context.Background(), "POP", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(context.Background(), "POP", strings.NewReader(msg("p", 100)), nil); err != nil {
		t.Fatal(err)
	}
	ts.add(t, "alice", msg("i", 100), msg("j", 100))
	c := ts.dial(t)
	c.login("alice", "secret")
	if r := c.ok("STAT"); r.Text != "1 100" {
		t.Errorf("STAT %q", r.Text)
	}
}

// BenchmarkRetr1000 retrieves 1,000 messages of 4 KiB with pipelined
// RETRs, the workload of Dovecot's comparison (issue 7); it reports
// messages per second.
func BenchmarkRetr1000(b *testing.B) {
	for _, kind := range bothKinds {
		b.Run(string(kind), func(b *testing.B) {
			ts := newTestServer(b, testOpts{kind: kind})
			const n = 1000
			msgs := make([]string, n)
			for i := range msgs {
				msgs[i] = msg(strconv.Itoa(i), 4096)
			}
			ts.add(b, "alice", msgs...)
			cmds := make([]string, n)
			for i := range cmds {
				cmds[i] = "RETR " + strconv.Itoa(i+1)
			}
			buf := make([]byte, 64<<10)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := ts.dial(b)
				c.login("alice", "secret")
				c.send(cmds...)
				for range cmds {
					if r := c.read(); !r.OK {
						b.Fatal(r.Text)
					}
					if _, err := io.CopyBuffer(io.Discard, c.r.DotReader(), buf); err != nil {
						b.Fatal(err)
					}
				}
				c.ok("QUIT")
				c.closed()
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
