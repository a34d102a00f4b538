package interop

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/pop3"
)

// BenchmarkPOP3Retr compares POP3 servers on the same messages in the same
// run: Dovecot's POP3 (a private instance over a Maildir) and mailaccess's
// pop3server over mailstore/maildir, each serving an INBOX of
// pop3BenchMessages messages of about 4 KB. One iteration is a session:
// connect, USER/PASS, RETR of every message, QUIT (deleting nothing).
// The client is the pop3 codec alone, the same on both sides, in two
// modes: lock-step (one RETR at a time, as Python's poplib does) and
// pipelined (RFC 2449 §6.6; both servers announce PIPELINING).
//
// It runs with MAILACCESS_INTEROP=1, like the rest of this module. Compare
// with benchstat:
//
//	MAILACCESS_INTEROP=1 go test -run '^$' -bench POP3Retr -count 6 . | tee /tmp/pop3.txt
//	sed -E 's#^(BenchmarkPOP3Retr/[^/]+)/(dovecot|mailaccess)#\1/impl=\2#' /tmp/pop3.txt > /tmp/pop3b.txt
//	go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da -col /impl /tmp/pop3b.txt
func BenchmarkPOP3Retr(b *testing.B) {
	requireInterop(b)
	msgs := pop3BenchCorpus(pop3BenchMessages)
	d := startDovecot(b)
	if d.POP3Addr == "" {
		b.Skip("Dovecot's POP3 server (dovecot-pop3d) is not installed")
	}
	writeDovecotMaildir(b, d, msgs)
	ours := startPOP3Maildir(b, msgs)

	servers := []struct {
		name, addr, user, pass string
	}{
		{"dovecot", d.POP3Addr, d.User, d.Pass},
		{"mailaccess", ours.Addr, ours.User, ours.Pass},
	}
	for _, mode := range []string{"lockstep", "pipelined"} {
		for _, s := range servers {
			b.Run(mode+"/"+s.name, func(b *testing.B) {
				// A first session outside the timing: Dovecot builds its
				// index, ours its structure cache.
				if _, err := pop3RetrAll(s.addr, s.user, s.pass, len(msgs), mode == "pipelined"); err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				var octets int64
				for b.Loop() {
					n, err := pop3RetrAll(s.addr, s.user, s.pass, len(msgs), mode == "pipelined")
					if err != nil {
						b.Fatal(err)
					}
					octets += n
				}
				b.ReportMetric(float64(b.N*len(msgs))/b.Elapsed().Seconds(), "msgs/s")
				b.SetBytes(octets / int64(b.N))
			})
		}
	}
}

// pop3BenchMessages is the INBOX size of BenchmarkPOP3Retr (the issue's
// workload: RETR of 1,000 messages).
const pop3BenchMessages = 1000

// pop3BenchCorpus returns n distinct messages of about 4 KB with CRLF line
// ends, some body lines starting with a dot (so both servers stuff).
func pop3BenchCorpus(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		var b bytes.Buffer
		fmt.Fprintf(&b, "Return-Path: <sender%d@example.org>\r\n", i)
		fmt.Fprintf(&b, "From: Sender %d <sender%d@example.org>\r\n", i, i)
		b.WriteString("To: Tester <tester@example.com>\r\n")
		fmt.Fprintf(&b, "Subject: benchmark message %d\r\n", i)
		fmt.Fprintf(&b, "Date: Mon, 23 Nov 2026 10:%02d:%02d +0000\r\n", i/60%60, i%60)
		fmt.Fprintf(&b, "Message-ID: <bench.%d@example.org>\r\n", i)
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
		for line := 0; b.Len() < 4000; line++ {
			if line%17 == 5 {
				b.WriteString(".")
			}
			fmt.Fprintf(&b, "Line %d of message %d: the quick brown fox jumps over the lazy dog.\r\n", line, i)
		}
		out[i] = b.Bytes()
	}
	return out
}

// writeDovecotMaildir puts msgs into the Dovecot user's INBOX as Maildir
// files in new/, which Dovecot indexes at the first session.
func writeDovecotMaildir(tb testing.TB, d *dovecot, msgs [][]byte) {
	tb.Helper()
	root := filepath.Join(d.dir, "home", d.User, "Maildir")
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(root, sub), 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	for i, m := range msgs {
		name := fmt.Sprintf("%d.M%dP1.bench,S=%d", 1700000000+i, i, len(m))
		if err := os.WriteFile(filepath.Join(root, "new", name), m, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if os.Getuid() == 0 {
		// Dovecot reads the mail as nobody (see startDovecot).
		filepath.Walk(filepath.Join(d.dir, "home"), func(p string, _ os.FileInfo, err error) error {
			if err == nil {
				os.Chown(p, 65534, 65534)
			}
			return nil
		})
	}
}

// startPOP3Maildir starts our POP3 server over a fresh Maildir store whose
// user's INBOX holds msgs.
func startPOP3Maildir(tb testing.TB, msgs [][]byte) *pop3Server {
	tb.Helper()
	backend, err := maildir.New(tb.TempDir(), &maildir.Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	s := startPOP3(tb, backend)
	ctx := context.Background()
	st, err := backend.Open(ctx, s.User)
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	for _, m := range msgs {
		if _, err := st.Append(ctx, "INBOX", bytes.NewReader(m), &mailstore.AppendOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

// pop3RetrAll runs one benchmark session and returns the octets of the
// message bodies received.
func pop3RetrAll(addr, user, pass string, n int, pipelined bool) (int64, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	r := pop3.NewReader(conn)
	w := pop3.NewWriter(conn)
	ok := func(what string) error {
		resp, err := r.ReadResponse()
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return resp.Err()
	}
	if err := ok("greeting"); err != nil {
		return 0, err
	}
	w.WriteCommand(pop3.Command{Name: pop3.CmdUser, Args: []string{user}})
	w.WriteCommand(pop3.Command{Name: pop3.CmdPass, Args: []string{pass}})
	if err := w.Flush(); err != nil {
		return 0, err
	}
	if err := ok("USER"); err != nil {
		return 0, err
	}
	if err := ok("PASS"); err != nil {
		return 0, err
	}
	werr := make(chan error, 1)
	send := func(from, to int) error {
		for i := from; i <= to; i++ {
			w.WriteCommand(pop3.Command{Name: pop3.CmdRetr, Args: []string{strconv.Itoa(i)}})
		}
		return w.Flush()
	}
	if pipelined {
		go func() { werr <- send(1, n) }()
	}
	var octets int64
	for i := 1; i <= n; i++ {
		if !pipelined {
			if err := send(i, i); err != nil {
				return octets, err
			}
		}
		if err := ok("RETR " + strconv.Itoa(i)); err != nil {
			return octets, err
		}
		m, err := io.Copy(io.Discard, r.DotReader())
		if err != nil {
			return octets, fmt.Errorf("RETR %d body: %w", i, err)
		}
		octets += m
	}
	if pipelined {
		if err := <-werr; err != nil {
			return octets, err
		}
	}
	w.WriteCommand(pop3.Command{Name: pop3.CmdQuit})
	if err := w.Flush(); err != nil {
		return octets, err
	}
	if err := ok("QUIT"); err != nil && !strings.Contains(err.Error(), "EOF") {
		return octets, err
	}
	return octets, nil
}
