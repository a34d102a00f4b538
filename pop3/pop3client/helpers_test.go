package pop3client_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// fakeConn is the server side of a scripted connection.
type fakeConn struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

// send writes s as is.
func (f *fakeConn) send(s string) {
	f.t.Helper()
	if _, err := io.WriteString(f.nc, s); err != nil {
		f.t.Errorf("server: write: %v", err)
	}
}

// readLine reads a line from the client, without CRLF.
func (f *fakeConn) readLine() (string, error) {
	line, err := f.br.ReadString('\n')
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		return line, fmt.Errorf("line %q does not end in CRLF", line)
	}
	return strings.TrimSuffix(line, "\r\n"), nil
}

// expect reads a line and checks it.
func (f *fakeConn) expect(want string) bool {
	f.t.Helper()
	got, err := f.readLine()
	if err != nil {
		f.t.Errorf("server: expecting %q: %v", want, err)
		return false
	}
	if got != want {
		f.t.Errorf("server: client sent %q, want %q", got, want)
		return false
	}
	return true
}

// play runs a script: "S: text" lines are sent with CRLF (a run of them
// in one write), "C: text" lines must be what the client sends next
// ("S:" and "C:" alone are empty lines). Lines are trimmed of leading spaces; a
// blank line is ignored.
func (f *fakeConn) play(script string) bool {
	f.t.Helper()
	var out strings.Builder
	flush := func() {
		if out.Len() > 0 {
			f.send(out.String())
			out.Reset()
		}
	}
	for _, line := range strings.Split(script, "\n") {
		line = strings.TrimLeft(line, " \t")
		switch {
		case line == "":
		case strings.HasPrefix(line, "S:"):
			out.WriteString(strings.TrimPrefix(line[2:], " ") + "\r\n")
		case strings.HasPrefix(line, "C:"):
			flush()
			if !f.expect(strings.TrimPrefix(line[2:], " ")) {
				return false
			}
		default:
			f.t.Errorf("bad script line %q", line)
			return false
		}
	}
	flush()
	return true
}

// startTLS makes the server side a TLS server.
func (f *fakeConn) startTLS(cfg *tls.Config) bool {
	f.t.Helper()
	if f.br.Buffered() > 0 {
		f.t.Errorf("server: client sent data before the TLS handshake")
		return false
	}
	tc := tls.Server(f.nc, cfg)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		f.t.Errorf("server: TLS handshake: %v", err)
		return false
	}
	tc.SetDeadline(time.Time{})
	f.nc = tc
	f.br = bufio.NewReader(tc)
	return true
}

// waitClose reads until the client closes (or a guard timeout).
func (f *fakeConn) waitClose() {
	f.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	io.Copy(io.Discard, f.br)
}

// serve starts a loopback server that runs handler on the first
// connection, then waits for the client to close. The test waits for the
// handler at cleanup (register the client's Close after calling serve).
func serve(t *testing.T, handler func(f *fakeConn)) string {
	return serveConfig(t, nil, handler)
}

// serveConfig is serve with implicit TLS when cfg is not nil.
func serveConfig(t *testing.T, cfg *tls.Config, handler func(f *fakeConn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if cfg != nil {
		ln = tls.NewListener(ln, cfg)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		ln.Close()
		if err != nil {
			return
		}
		defer nc.Close()
		f := &fakeConn{t: t, nc: nc, br: bufio.NewReader(nc)}
		handler(f)
		f.waitClose()
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("fake server did not finish")
		}
	})
	return ln.Addr().String()
}

// scripted serves one script.
func scripted(t *testing.T, script string) string {
	return serve(t, func(f *fakeConn) { f.play(script) })
}

// ctxT returns a context that ends with a deadlock guard.
func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// dial connects to addr; the client is closed at cleanup.
func dial(t *testing.T, addr string, opts *pop3client.Options) *pop3client.Client {
	t.Helper()
	c, err := pop3client.Dial(ctxT(t), addr, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// noopOK checks that the connection is still in step: NOOP gets +OK.
func noopOK(t *testing.T, ctx context.Context, c *pop3client.Client) {
	t.Helper()
	if err := c.Noop(ctx); err != nil {
		t.Error(err)
	}
}

// miniServer is a tiny POP3 responder over a fixed maildrop, for the tests
// that need a server rather than a script: it answers commands in order,
// with PIPELINING announced or not.
type miniServer struct {
	t          *testing.T
	msgs       []string
	pipelining bool
	// lockStep records a violation if a client sends a command before
	// the answer to the previous one (set it with pipelining off, or
	// with a client that disables pipelining).
	lockStep bool
	// body, if set, streams message n instead of msgs (for the 100 MB
	// test): it must return a fresh reader.
	body func(n int) io.Reader

	mu        sync.Mutex
	violation string // set when a client broke lock-step
	maxQueued int    // most commands read ahead of their answer
}

func (m *miniServer) start() string {
	m.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		m.t.Fatal(err)
	}
	var wg sync.WaitGroup
	go func() {
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer nc.Close()
				m.session(nc)
			}()
		}
	}()
	m.t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

func (m *miniServer) session(nc net.Conn) {
	br := bufio.NewReaderSize(nc, 4096)
	r := pop3.NewReader(br)
	w := pop3.NewWriter(nc)
	deleted := make(map[int]bool)
	w.WriteResponse(pop3.Response{OK: true, Text: "mini ready <1.2@mini>"})
	w.Flush()
	ok := func(text string) { w.WriteResponse(pop3.Response{OK: true, Text: text}) }
	bad := func(text string) { w.WriteResponse(pop3.Response{Text: text}) }
	size := func(n int) int64 { return int64(len(m.msgs[n-1])) }
	msgNum := func(args []string) (int, bool) {
		if len(args) == 0 {
			return 0, false
		}
		n, err := strconv.Atoi(args[0])
		if err != nil || n < 1 || n > len(m.msgs) || deleted[n] {
			bad("no such message")
			return 0, false
		}
		return n, true
	}
	for {
		cmd, err := r.ReadCommand()
		if err != nil {
			return
		}
		if q := br.Buffered(); q > 0 {
			m.mu.Lock()
			if (m.lockStep || !m.pipelining) && m.violation == "" {
				m.violation = fmt.Sprintf("%s followed by %d octets before its answer", cmd.Name, q)
			}
			if n := strings.Count(peekAll(br), "\n"); n > m.maxQueued {
				m.maxQueued = n
			}
			m.mu.Unlock()
		}
		switch cmd.Name {
		case "CAPA":
			ok("caps")
			w.WriteLine("USER")
			w.WriteLine("UIDL")
			w.WriteLine("TOP")
			if m.pipelining {
				w.WriteLine("PIPELINING")
			}
			w.WriteLine(".")
		case "USER", "PASS", "NOOP", "RSET":
			if cmd.Name == "RSET" {
				clear(deleted)
			}
			ok("")
		case "STAT":
			var d pop3.DropListing
			for i := range m.msgs {
				if !deleted[i+1] {
					d.Count++
					d.Size += size(i + 1)
				}
			}
			ok(d.String())
		case "LIST", "UIDL":
			if len(cmd.Args) > 0 {
				n, good := msgNum(cmd.Args)
				if !good {
					break
				}
				if cmd.Name == "LIST" {
					ok(pop3.ScanListing{Msg: n, Size: size(n)}.String())
				} else {
					ok(pop3.UniqueID{Msg: n, UID: "uid" + strconv.Itoa(n)}.String())
				}
				break
			}
			ok("listing")
			for i := range m.msgs {
				if deleted[i+1] {
					continue
				}
				if cmd.Name == "LIST" {
					w.WriteLine(pop3.ScanListing{Msg: i + 1, Size: size(i + 1)}.String())
				} else {
					w.WriteLine(pop3.UniqueID{Msg: i + 1, UID: "uid" + strconv.Itoa(i+1)}.String())
				}
			}
			w.WriteLine(".")
		case "RETR", "TOP":
			n, good := msgNum(cmd.Args)
			if !good {
				break
			}
			var src io.Reader
			if m.body != nil {
				src = m.body(n)
			} else {
				src = strings.NewReader(m.msgs[n-1])
			}
			if cmd.Name == "TOP" {
				lines, _ := strconv.Atoi(cmd.Args[1])
				src = strings.NewReader(topOf(m.msgs[n-1], lines))
			}
			ok("message follows")
			dw := w.DotWriter()
			if _, err := io.Copy(dw, src); err != nil {
				return
			}
			dw.Close()
		case "DELE":
			if n, good := msgNum(cmd.Args); good {
				deleted[n] = true
				ok("deleted")
			}
		case "QUIT":
			ok("bye")
			w.Flush()
			return
		default:
			bad("unknown command")
		}
		if br.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return
			}
		}
	}
}

// peekAll returns what br holds without consuming it.
func peekAll(br *bufio.Reader) string {
	b, _ := br.Peek(br.Buffered())
	return string(b)
}

// topOf returns the header of msg and the first lines of its body.
func topOf(msg string, lines int) string {
	i := strings.Index(msg, "\r\n\r\n")
	if i < 0 {
		return msg
	}
	out := msg[:i+4]
	rest := msg[i+4:]
	for ; lines > 0 && rest != ""; lines-- {
		j := strings.Index(rest, "\r\n")
		if j < 0 {
			out += rest
			break
		}
		out += rest[:j+2]
		rest = rest[j+2:]
	}
	return out
}

func (m *miniServer) check() {
	m.t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.violation != "" {
		m.t.Errorf("lock-step broken: %s", m.violation)
	}
}
