package imapclient_test

import (
	"bufio"
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// cmpPeer is the compressed half of a scripted server: after COMPRESS's
// OK it reads commands through flate and answers through flate, as a
// real peer does (RFC 4978). flushEach sync-flushes after every response
// line; otherwise only when its buffers fill and at each command's end,
// as servers do.
type cmpPeer struct {
	zr        *bufio.Reader
	zw        *bufio.Writer
	fw        *flate.Writer
	w         *bufio.Writer
	flushEach bool
}

// startCompressed answers COMPRESS with OK and switches r and w to
// DEFLATE. after, if not empty, is sent compressed right behind the OK, in
// the same write.
func startCompressed(tag string, r *bufio.Reader, w *bufio.Writer, after string) *cmpPeer {
	w.WriteString(tag + " OK DEFLATE active\r\n")
	fw, _ := flate.NewWriter(w, flate.DefaultCompression)
	// r is a bufio.Reader, an io.ByteReader: flate reads no further
	// than the compressed data it decodes.
	p := &cmpPeer{zr: bufio.NewReader(flate.NewReader(r)), fw: fw, w: w}
	p.zw = bufio.NewWriter(fw)
	if after != "" {
		p.zw.WriteString(after)
	}
	p.flush()
	return p
}

func (p *cmpPeer) flush() {
	p.zw.Flush()
	p.fw.Flush()
	p.w.Flush()
}

func (p *cmpPeer) line(s string) {
	p.zw.WriteString(s)
	p.zw.WriteString("\r\n")
	if p.flushEach {
		p.flush()
	}
}

// serve reads compressed commands and answers them with handle until
// LOGOUT or the end of the connection.
func (p *cmpPeer) serve(handle func(tag, cmd string, p *cmpPeer)) {
	for {
		line, err := p.zr.ReadString('\n')
		if err != nil {
			return
		}
		tag, cmd, _ := strings.Cut(strings.TrimRight(line, "\r\n"), " ")
		if strings.EqualFold(cmd, "LOGOUT") {
			p.line("* BYE")
			p.line(tag + " OK LOGOUT completed")
			p.flush()
			return
		}
		handle(tag, cmd, p)
		p.flush()
	}
}

// cmpBody is message n's body in the load test.
func cmpBody(n int) string {
	return fmt.Sprintf("Subject: message %d\r\n\r\n%s\r\n", n, strings.Repeat(strconv.Itoa(n)+" ", 20))
}

// cmpHandle answers the commands of the compressed sessions: NOOP,
// FETCH n:m (UID BODY[]) and anything else with OK.
func cmpHandle(tag, cmd string, p *cmpPeer) {
	if rest, ok := strings.CutPrefix(cmd, "FETCH "); ok {
		set, _, _ := strings.Cut(rest, " ")
		lo, hi, _ := strings.Cut(set, ":")
		a, _ := strconv.Atoi(lo)
		b, _ := strconv.Atoi(hi)
		for n := a; n <= b; n++ {
			body := cmpBody(n)
			p.line(fmt.Sprintf("* %d FETCH (UID %d BODY[] {%d}\r\n%s)", n, n+1000, len(body), body))
		}
	}
	p.line(tag + " OK done")
}

// TestCompressLoad: COMPRESS against a peer that really deflates, the
// server's first compressed response sent in the same write as the OK,
// then 10,000 FETCH responses with literals through the compressed
// connection, and commands pipelined from goroutines meanwhile, with
// both flushing policies. A stall would show as the context's deadline.
func TestCompressLoad(t *testing.T) {
	for _, flushEach := range []bool{false, true} {
		t.Run("flushEach="+strconv.FormatBool(flushEach), func(t *testing.T) {
			addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
				tag, cmd, _ := strings.Cut(line, " ")
				if cmd != "COMPRESS DEFLATE" {
					w.WriteString(tag + " BAD expected COMPRESS\r\n")
					return true
				}
				p := startCompressed(tag, r, w, "* OK [ALERT] compressed from here\r\n")
				p.flushEach = flushEach
				p.serve(cmpHandle)
				return false
			})
			var alerts atomic.Int32
			c := extDial(t, addr, &imapclient.Options{UnilateralData: func(r *wire.Response) {
				if r.Kind == wire.KindStatus && r.Code != nil && r.Code.Name == imap.CodeAlert {
					alerts.Add(1)
				}
			}})
			ctx := mbxCtx(t)
			if c.Compressed() {
				t.Fatal("compressed before COMPRESS")
			}
			if err := c.Compress(ctx); err != nil {
				t.Fatal(err)
			}
			if !c.Compressed() {
				t.Fatal("not compressed after COMPRESS")
			}
			if err := c.Compress(ctx); !errors.Is(err, imapclient.ErrCompressed) {
				t.Errorf("second COMPRESS: %v", err)
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatal(err)
			}
			if n := alerts.Load(); n != 1 {
				t.Errorf("%d responses read from behind the OK", n)
			}

			// Commands from goroutines while the big FETCH streams.
			var wg sync.WaitGroup
			noops := make(chan error, 50)
			for range 50 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					noops <- c.Noop(ctx)
				}()
			}
			const total = 10000
			seen := 0
			err := c.Fetch(ctx, imap.NumSetRange(1, total), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchBodySection}}, nil, func(m *imapclient.FetchMessage) error {
				s, err := m.NextSection()
				if err != nil {
					return err
				}
				b, err := io.ReadAll(s)
				if err != nil {
					return err
				}
				seen++
				if want := cmpBody(int(m.Seq)); string(b) != want {
					return fmt.Errorf("message %d: %q", m.Seq, b)
				}
				if _, err := m.NextSection(); err != io.EOF {
					return fmt.Errorf("message %d: %v", m.Seq, err)
				}
				if m.UID != m.Seq+1000 {
					return fmt.Errorf("message %d: UID %d", m.Seq, m.UID)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if seen != total {
				t.Errorf("%d messages fetched", seen)
			}
			wg.Wait()
			close(noops)
			for err := range noops {
				if err != nil {
					t.Fatal(err)
				}
			}
			// Buffered in memory too.
			res, err := c.FetchAll(ctx, imap.NumSetRange(1, 200), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchBodySection}}, nil)
			if err != nil || len(res) != 200 || string(res[199].Sections[0].Data) != cmpBody(200) {
				t.Fatalf("FetchAll: %d %v", len(res), err)
			}
			if err := c.Logout(ctx); err != nil {
				t.Errorf("LOGOUT: %v", err)
			}
		})
	}
}

// TestCompressRFC4978: the examples of RFC 4978 §3. The first (LOGIN,
// then COMPRESS) runs through Options.Compress; in the second the server
// refuses, and the session goes on uncompressed.
func TestCompressRFC4978(t *testing.T) {
	t.Run("after login", func(t *testing.T) {
		addr := mbxScripted(t, "* OK [CAPABILITY IMAP4REV1 STARTTLS COMPRESS=DEFLATE]", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
			tag, cmd, _ := strings.Cut(line, " ")
			switch {
			case strings.HasPrefix(cmd, "LOGIN "):
				w.WriteString(tag + " OK Logged in as arnt\r\n")
			case strings.HasPrefix(cmd, "CAPABILITY"):
				w.WriteString("* CAPABILITY IMAP4REV1 COMPRESS=DEFLATE\r\n" + tag + " OK done\r\n")
			case strings.EqualFold(cmd, "COMPRESS DEFLATE"):
				startCompressed(tag, r, w, "").serve(cmpHandle)
				return false
			default:
				w.WriteString(tag + " BAD unexpected\r\n")
			}
			return true
		})
		c := extDial(t, addr, &imapclient.Options{Compress: true})
		ctx := mbxCtx(t)
		if err := c.Login(ctx, "arnt", "tnra"); err != nil {
			t.Fatal(err)
		}
		if !c.Compressed() {
			t.Fatal("Options.Compress: not compressed after LOGIN")
		}
		res, err := c.FetchAll(ctx, imap.NumSetRange(1, 3), false, []imap.FetchAttr{{Kind: imap.FetchBodySection}}, nil)
		if err != nil || len(res) != 3 {
			t.Fatalf("FETCH: %d %v", len(res), err)
		}
	})
	t.Run("refused", func(t *testing.T) {
		addr, played := extScript(t, "STARTTLS COMPRESS=DEFLATE",
			extStep{"c compress deflate", []string{"c NO [COMPRESSIONACTIVE] DEFLATE active via TLS"}},
			extStep{"d NOOP", []string{"d OK NOOP completed"}},
		)
		c := extDial(t, addr, nil)
		ctx := mbxCtx(t)
		err := c.Compress(ctx)
		var se *imapclient.StatusError
		if !errors.Is(err, imapclient.ErrNoCompress) || !errors.Is(err, imapclient.ErrCompressionActive) || !errors.As(err, &se) {
			t.Errorf("refused COMPRESS: %v", err)
		}
		if c.Compressed() {
			t.Error("compressed after a refusal")
		}
		if err := c.Noop(ctx); err != nil {
			t.Errorf("NOOP after the refusal: %v", err)
		}
		if n := played(); n != 2 {
			t.Errorf("%d steps played", n)
		}
	})
	t.Run("not offered", func(t *testing.T) {
		addr, played := extScript(t, "IDLE")
		c := extDial(t, addr, &imapclient.Options{Compress: true})
		if err := c.Compress(mbxCtx(t)); !errors.Is(err, imapclient.ErrNoCompress) {
			t.Errorf("COMPRESS not offered: %v", err)
		}
		if n := played(); n != 0 {
			t.Errorf("%d commands sent", n)
		}
	})
}

// TestCompressWhileBusy: commands issued by other goroutines around
// Compress all complete, those before it uncompressed and those after it
// compressed; the server sees nothing after COMPRESS until its OK.
func TestCompressWhileBusy(t *testing.T) {
	var before, after atomic.Int32
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, cmd, _ := strings.Cut(line, " ")
		if cmd != "COMPRESS DEFLATE" {
			before.Add(1)
			w.WriteString(tag + " OK NOOP completed\r\n")
			return true
		}
		if n := r.Buffered(); n != 0 {
			t.Errorf("%d octets sent behind COMPRESS before its OK", n)
		}
		startCompressed(tag, r, w, "").serve(func(tag, cmd string, p *cmpPeer) {
			after.Add(1)
			p.line(tag + " OK NOOP completed")
		})
		return false
	})
	c := extDial(t, addr, nil)
	ctx := mbxCtx(t)
	const n = 40
	errs := make(chan error, n)
	for i := range n {
		go func() {
			if i == n/2 {
				errs <- c.Compress(ctx)
				return
			}
			errs <- c.Noop(ctx)
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !c.Compressed() || before.Load()+after.Load() != n-1 {
		t.Errorf("compressed %v, %d commands before COMPRESS, %d after", c.Compressed(), before.Load(), after.Load())
	}
}

// TestCompressCancelled: a COMPRESS whose answer does not come before ctx
// is done leaves the connection in an unknown state: it is closed.
func TestCompressCancelled(t *testing.T) {
	got, release := make(chan struct{}), make(chan struct{})
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] ready", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		close(got)
		<-release // never answers
		return false
	})
	defer close(release)
	c := extDial(t, addr, nil)
	ctx, cancel := context.WithCancel(mbxCtx(t))
	done := make(chan error, 1)
	go func() { done <- c.Compress(ctx) }()
	<-got
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Compress: %v", err)
	}
	<-c.Done()
	if err := c.Noop(mbxCtx(t)); !errors.Is(err, imapclient.ErrClosed) {
		t.Errorf("NOOP after an abandoned COMPRESS: %v", err)
	}
}
