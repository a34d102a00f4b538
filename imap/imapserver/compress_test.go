package imapserver

import (
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/mailtest"
	"github.com/mailaccess/mailaccess/mailstore"
)

// compConn is the client's side of COMPRESS=DEFLATE: each Write (one
// command line from tclient.send) is deflated and sync-flushed.
type compConn struct {
	net.Conn
	fw *flate.Writer
}

func (c *compConn) Write(p []byte) (int, error) {
	n, err := c.fw.Write(p)
	if err == nil {
		err = c.fw.Flush()
	}
	return n, err
}

// compress sends COMPRESS DEFLATE, and on its OK switches the test client
// to the compressed stream by hand (compress/flate), as RFC 4978 §3
// says: from the octet after the OK's CRLF.
func (c *tclient) compress() {
	c.t.Helper()
	_, r := c.do("COMPRESS DEFLATE")
	if r.Status != wire.StatusOK {
		c.t.Fatalf("COMPRESS: %s %s", r.Status, r.Text)
	}
	var in io.Reader = c.nc
	if pending := c.dec.TakeBuffered(); len(pending) > 0 {
		in = io.MultiReader(bytes.NewReader(pending), c.nc)
	}
	c.dec = wire.NewDecoder(bufio.NewReader(flate.NewReader(in)), nil)
	fw, err := flate.NewWriter(c.nc, flate.DefaultCompression)
	if err != nil {
		c.t.Fatal(err)
	}
	c.nc = &compConn{Conn: c.nc, fw: fw}
}

func capsHave(rs []*wire.Response, cap imap.Cap) bool {
	for _, r := range rs {
		if r.Kind == wire.KindCapability {
			for _, c := range r.Caps {
				if strings.EqualFold(string(c), string(cap)) {
					return true
				}
			}
		}
	}
	return false
}

// TestCompress: COMPRESS=DEFLATE is offered after login, not before;
// commands work over the compressed stream; a second COMPRESS is NO
// [COMPRESSIONACTIVE] and the capability is no longer listed.
func TestCompress(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	if capsHave(c.ok("CAPABILITY"), imap.CapCompressDeflate) {
		t.Error("COMPRESS=DEFLATE offered before authentication")
	}
	if _, r := c.do("COMPRESS DEFLATE"); r.Status != wire.StatusBAD {
		t.Fatalf("COMPRESS before login: %s %s", r.Status, r.Text)
	}
	// The stream is still uncompressed.
	c.login()
	if !capsHave(c.ok("CAPABILITY"), imap.CapCompressDeflate) {
		t.Error("COMPRESS=DEFLATE not offered after login")
	}
	if _, r := c.do("COMPRESS FOO"); r.Status != wire.StatusBAD {
		t.Errorf("COMPRESS FOO: %s %s", r.Status, r.Text)
	}
	c.compress()
	c.ok("CREATE Work")
	c.send(fmt.Sprintf("a1 APPEND Work {%d+}", len("Subject: hi\r\n\r\nbody\r\n")), "Subject: hi\r\n\r\nbody\r\n")
	if _, r := c.until("a1"); r.Status != wire.StatusOK {
		t.Fatalf("APPEND: %s %s", r.Status, r.Text)
	}
	c.ok("SELECT Work")
	u := c.ok("FETCH 1 (BODY[HEADER.FIELDS (SUBJECT)])")
	if len(u) != 1 || u[0].Kind != wire.KindFetch {
		t.Fatalf("FETCH: %s", kinds(u))
	}
	_, r := c.do("COMPRESS DEFLATE")
	if r.Status != wire.StatusNO || r.Code == nil || r.Code.Name != imap.CodeCompressionActive {
		t.Fatalf("second COMPRESS: %s %+v %s", r.Status, r.Code, r.Text)
	}
	if capsHave(c.ok("CAPABILITY"), imap.CapCompressDeflate) {
		t.Error("COMPRESS=DEFLATE still offered while active")
	}
	c.ok("NOOP")
	c.send("z LOGOUT")
	if _, r := c.until("z"); r.Status != wire.StatusOK {
		t.Fatalf("LOGOUT: %s", r.Status)
	}
}

// TestCompressPipelined: a command sent right behind COMPRESS, in the
// same segment and already compressed, is read through the inflater.
func TestCompressPipelined(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	var buf bytes.Buffer
	buf.WriteString("c1 COMPRESS DEFLATE\r\n")
	out := &switchWriter{w: &buf}
	fw, _ := flate.NewWriter(out, flate.BestSpeed)
	fw.Write([]byte("c2 NOOP\r\n"))
	fw.Flush()
	if _, err := c.nc.Write(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	if _, r := c.until("c1"); r.Status != wire.StatusOK {
		t.Fatalf("COMPRESS: %s", r.Status)
	}
	c.dec = wire.NewDecoder(bufio.NewReader(flate.NewReader(io.MultiReader(bytes.NewReader(c.dec.TakeBuffered()), c.nc))), nil)
	if _, r := c.until("c2"); r.Status != wire.StatusOK {
		t.Fatalf("NOOP: %s", r.Status)
	}
	out.w = c.nc
	c.nc = &compConn{Conn: c.nc, fw: fw}
	c.ok("NOOP")
}

// switchWriter writes to w, which may be replaced between writes.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

// TestCompressDisabled: Server.DisableCompress neither offers nor accepts
// COMPRESS.
func TestCompressDisabled(t *testing.T) {
	ts := newTestServer(t, func(s *Server) { s.DisableCompress = true })
	c := ts.dial(t)
	c.login()
	if capsHave(c.ok("CAPABILITY"), imap.CapCompressDeflate) {
		t.Error("COMPRESS=DEFLATE offered")
	}
	if _, r := c.do("COMPRESS DEFLATE"); r.Status != wire.StatusBAD {
		t.Fatalf("COMPRESS: %s", r.Status)
	}
	c.ok("NOOP")
}

// TestCompressManyFetch: 10,000 FETCH responses through the compressed
// stream arrive without a stall (a deadlock guard, not a benchmark).
func TestCompressManyFetch(t *testing.T) {
	ts := newTestServer(t)
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	const n = 10000
	for i := range n {
		msg := fmt.Sprintf("Subject: message %d\r\n\r\nbody %d\r\n", i, i)
		if _, err := st.Append(context.Background(), "INBOX", strings.NewReader(msg), &mailstore.AppendOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	c := ts.dial(t)
	c.nc.SetDeadline(time.Now().Add(60 * time.Second))
	c.login()
	c.compress()
	c.ok("SELECT INBOX")
	u := c.ok("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
	fetches := 0
	for _, r := range u {
		if r.Kind == wire.KindFetch {
			fetches++
		}
	}
	if fetches != n {
		t.Fatalf("%d FETCH responses, want %d", fetches, n)
	}
	c.ok("NOOP")
}

// TestCompressIdle: an IDLE over the compressed stream gets the EXISTS of
// another session's APPEND promptly, which it could not if the response
// waited in the deflater.
func TestCompressIdle(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	c.compress()
	c.ok("SELECT INBOX")
	c.send("i1 IDLE")
	if r := c.read(); r.Kind != wire.KindContinuation {
		t.Fatalf("IDLE: %+v", r)
	}
	other := ts.dial(t)
	other.login()
	msg := "Subject: new\r\n\r\nnew\r\n"
	other.send(fmt.Sprintf("a1 APPEND INBOX {%d+}", len(msg)), msg)
	if _, r := other.until("a1"); r.Status != wire.StatusOK {
		t.Fatalf("APPEND: %s", r.Status)
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		r := c.read()
		if r.Kind == wire.KindExists {
			if r.Num != 1 {
				t.Errorf("EXISTS %d", r.Num)
			}
			break
		}
	}
	c.nc.SetDeadline(time.Now().Add(30 * time.Second))
	c.send("DONE")
	if _, r := c.until("i1"); r.Status != wire.StatusOK {
		t.Fatalf("IDLE: %s", r.Status)
	}
}

// TestCompressMemory logs roughly what a compressing session costs.
func TestCompressMemory(t *testing.T) {
	ts := newTestServer(t)
	const sessions = 20
	var cs []*tclient
	for range sessions {
		c := ts.dial(t)
		c.login()
		cs = append(cs, c)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, c := range cs {
		c.compress()
		c.ok("NOOP")
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	// Both ends are in this process: the client's inflater and deflater
	// are counted too.
	t.Logf("COMPRESS: about %d KiB of heap per session (server and test client together)",
		(int64(after.HeapAlloc)-int64(before.HeapAlloc))/sessions/1024)
	runtime.KeepAlive(cs)

	// The server's share: one deflater at compressLevel and one inflater.
	runtime.GC()
	runtime.ReadMemStats(&before)
	var keep []any
	for range sessions {
		fw, _ := flate.NewWriter(io.Discard, compressLevel)
		keep = append(keep, fw, flate.NewReader(strings.NewReader("")))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("server deflater (level %d) + inflater: about %d KiB per session",
		compressLevel, (int64(after.HeapAlloc)-int64(before.HeapAlloc))/sessions/1024)
	runtime.KeepAlive(keep)
}

// TestCompressTLS: COMPRESS over STARTTLS and over implicit TLS
// compresses inside the TLS layer, and the trace shows the decompressed
// protocol. After UNAUTHENTICATE STARTTLS is neither offered nor accepted,
// since TLS cannot go under the compression already in use.
func TestCompressTLS(t *testing.T) {
	pki := mailtest.NewCA(t)
	var tr mailtest.SyncBuffer
	ts := authNewServer(t, authOpts{configure: []func(*Server){
		func(s *Server) { s.Trace = &tr },
		authWithTLS(pki.ServerConfig()),
	}})
	c := ts.dial(t)
	authStartTLS(t, c, pki.ClientConfig())
	c.login()
	c.compress()
	c.ok("SELECT INBOX")
	c.ok("UNAUTHENTICATE")
	if capsHave(c.ok("CAPABILITY"), imap.CapStartTLS) {
		t.Error("STARTTLS offered under COMPRESS")
	}
	if _, r := c.do("STARTTLS"); r.Status != wire.StatusBAD {
		t.Errorf("STARTTLS under COMPRESS: %s", r.Status)
	}
	c.login()
	c.ok("NOOP")
	got := tr.String()
	for _, want := range []string{" * COMPRESS=DEFLATE active", " C: t4 SELECT INBOX\n", " S: t4 OK "} {
		if !strings.Contains(got, want) {
			t.Errorf("trace lacks %q:\n%s", want, got)
		}
	}

	its := authNewServer(t, authOpts{implicitTLS: true, configure: []func(*Server){authWithTLS(pki.ServerConfig())}})
	ic := authDialTLS(t, its.addr, pki.ClientConfig())
	ic.login()
	ic.compress()
	ic.ok("SELECT INBOX")
	ic.ok("NOOP")
}

// TestCompressImapclient: our client's Options.Compress turns COMPRESS on
// after Login against this server, and the session goes on.
func TestCompressImapclient(t *testing.T) {
	ts := newTestServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := imapclient.Dial(ctx, ts.addr, &imapclient.Options{Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if !cl.Compressed() {
		t.Fatal("client did not turn on COMPRESS")
	}
	msg := "Subject: hi\r\n\r\nhello\r\n"
	if _, err := cl.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
	mb, err := cl.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mb.Count() != 1 {
		t.Errorf("EXISTS %d", mb.Count())
	}
	if err := cl.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := cl.Logout(ctx); err != nil {
		t.Fatal(err)
	}
}
