package pop3client_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// fuzzOps are the client's methods, each run on a fresh connection whose
// server sends a greeting and then the fuzzer's bytes.
var fuzzOps = []func(ctx context.Context, c *pop3client.Client) error{
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.Capa(ctx); return err },
	func(ctx context.Context, c *pop3client.Client) error { return c.Login(ctx, "u", "p") },
	func(ctx context.Context, c *pop3client.Client) error { return c.APOP(ctx, "u", "p") },
	func(ctx context.Context, c *pop3client.Client) error {
		return c.Authenticate(ctx, sasl.NewPlainClient("", "u", "p"))
	},
	func(ctx context.Context, c *pop3client.Client) error {
		return c.Authenticate(ctx, pop3client.NewScramSHA256Client("u", "p"))
	},
	func(ctx context.Context, c *pop3client.Client) error { return c.AuthenticatePassword(ctx, "u", "p") },
	func(ctx context.Context, c *pop3client.Client) error { return c.UTF8(ctx) },
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.Stat(ctx); return err },
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.List(ctx); return err },
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.ListOne(ctx, 1); return err },
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.UIDL(ctx); return err },
	func(ctx context.Context, c *pop3client.Client) error { _, err := c.UIDLOne(ctx, 1); return err },
	func(ctx context.Context, c *pop3client.Client) error {
		b, err := c.Retr(ctx, 1)
		if err != nil {
			return err
		}
		_, err = io.Copy(io.Discard, b)
		b.Close()
		return err
	},
	func(ctx context.Context, c *pop3client.Client) error {
		b, err := c.Top(ctx, 1, 2)
		if err != nil {
			return err
		}
		b.Close()
		return nil
	},
	func(ctx context.Context, c *pop3client.Client) error {
		return c.RetrEach(ctx, []int{1, 2, 3}, func(n int, r io.Reader) error {
			_, err := io.CopyN(io.Discard, r, int64(n)*3)
			return err
		})
	},
	func(ctx context.Context, c *pop3client.Client) error { return c.Dele(ctx, 1) },
	func(ctx context.Context, c *pop3client.Client) error { return c.Rset(ctx) },
	func(ctx context.Context, c *pop3client.Client) error { return c.StartTLS(ctx) },
	func(ctx context.Context, c *pop3client.Client) error {
		// Concurrent commands.
		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				if b, err := c.Retr(ctx, 2); err == nil {
					io.Copy(io.Discard, b)
					b.Close()
				}
				c.Noop(ctx)
			})
		}
		wg.Wait()
		return nil
	},
	func(ctx context.Context, c *pop3client.Client) error { return c.Quit(ctx) },
}

// fuzzRun runs op against a server that greets and then sends data.
func fuzzRun(t *testing.T, data []byte, mode pop3.Mode, op func(context.Context, *pop3client.Client) error) {
	cli, srv := net.Pipe()
	var wg sync.WaitGroup
	wg.Go(func() {
		srv.Write([]byte("+OK fuzz <1.2@fuzz>\r\n"))
		srv.Write(data)
		srv.Close()
	})
	wg.Go(func() { io.Copy(io.Discard, srv) })
	defer wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	opts := &pop3client.Options{Mode: mode, MaxLine: 512, TLSConfig: &tls.Config{ServerName: "fuzz"}}
	c, err := pop3client.New(ctx, cli, opts)
	if err != nil {
		cli.Close()
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("New hung: %v", err)
		}
		return
	}
	defer c.Close()
	for _, f := range []func(context.Context, *pop3client.Client) error{op, func(ctx context.Context, c *pop3client.Client) error { return c.Noop(ctx) }} {
		if err := f(ctx, c); errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("hung: %v", err)
		}
	}
}

// FuzzClientResponses feeds arbitrary server bytes after a greeting to
// every method: each must return, with a result or an error, without a
// panic or a hang.
func FuzzClientResponses(f *testing.F) {
	for _, s := range []string{
		"",
		"-ERR\r\n",
		"+OK\r\nPIPELINING\r\nSASL PLAIN SCRAM-SHA-256\r\nSTLS\r\n.\r\n+OK 2 320\r\n",
		"+OK\r\nUSER\r\n.\r\n+OK\r\n+OK\r\n+OK\r\nTOP\r\n.\r\n",
		"-ERR\r\n+OK\r\n1 100\r\nbad\r\n2 200\r\n.\r\n+OK 1 x\r\n",
		"-ERR\r\n+OK 120 octets\r\n..stuffed\r\nline\r\n.\r\n+OK\r\n",
		"+OK\r\nPIPELINING\r\n.\r\n+OK\r\none\r\n.\r\n-ERR no\r\n+OK\r\nthree\r\n.\r\n+OK\r\n",
		"+OK\r\nSASL PLAIN\r\n.\r\n+ \r\n+OK\r\n",
		"-ERR\r\n+ !!!\r\n-ERR cancelled\r\n",
		"-ERR\r\n+ cj1meXJ0bm9uY2UsYz1iaXdzLHM9UVNYQ1IrUTZzZWs4YmY5MixpPTQwOTY=\r\n+ dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9\r\n+OK\r\n",
		"-ERR\r\n+OK\r\n1 whqtswO00WBw418f9t5JxYwZ\r\n.\r\n",
		"-ERR\r\n+OK Begin TLS\r\n\x16\x03\x01\x00",
		"-ERR\r\n+OK\r\n.\n+ok\n",
		"-ERR\r\n220 smtp\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, op := range fuzzOps {
			mode := pop3.Lenient
			if i%2 == 1 {
				mode = pop3.Strict
			}
			fuzzRun(t, data, mode, op)
		}
	})
}
