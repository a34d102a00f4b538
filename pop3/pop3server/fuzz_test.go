package pop3server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/pop3"
)

// FuzzServerSession feeds arbitrary client octets to a server over
// net.Pipe, with a maildrop to reach: the server must never panic nor
// hang, and must close the connection once the client is done.
func FuzzServerSession(f *testing.F) {
	for _, seed := range []string{
		"CAPA\r\nUSER alice\r\nPASS secret\r\nSTAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nTOP 2 1\r\nDELE 1\r\nRSET\r\nDELE 2\r\nQUIT\r\n",
		"USER alice\r\nPASS secret\r\nLIST 9\r\nRETR 0\r\nTOP 1 99999999999999\r\nUIDL 2\r\nNOOP\r\nQUIT\r\n",
		"AUTH\r\nAUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nSTAT\r\n",
		"AUTH LOGIN YWxpY2U=\r\nc2VjcmV0\r\nRETR 2\r\n",
		"AUTH SCRAM-SHA-256\r\n*\r\nAUTH OAUTHBEARER =\r\n\r\nAPOP alice 00\r\nUTF8\r\nSTLS\r\n",
		"user alice\npass secret\nretr 1\n",
		"\r\n\r\n\x00\xff\r\nXXXX\r\n" + strings.Repeat("A", 10000) + "\r\nQUIT\r\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		b := memstore.New()
		b.AddUser("alice", "secret")
		st, _ := b.Open(context.Background(), "alice")
		for _, m := range []string{"Subject: a\r\n\r\nbody\r\n.dot\r\n", "Subject: b\r\n\r\n", "no header"} {
			st.Append(context.Background(), "INBOX", strings.NewReader(m), nil)
		}
		st.Close()
		srv := &Server{
			Backend: b, Authenticator: b, InsecureAuth: true,
			Logger: slog.New(slog.DiscardHandler), Trace: io.Discard,
			Limits: Limits{AuthFailureDelay: time.Nanosecond, MaxLineLength: 512},
		}
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			srv.ServeConn(server)
			close(done)
		}()
		go io.Copy(io.Discard, client)
		client.SetWriteDeadline(time.Now().Add(10 * time.Second))
		client.Write(in)
		client.Close()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("the server hangs on %q", in)
		}
		srv.Close()
		// The maildrop is free again.
		srv2 := &Server{Backend: b, Authenticator: b, InsecureAuth: true, Logger: slog.New(slog.DiscardHandler)}
		c2, s2 := net.Pipe()
		go srv2.ServeConn(s2)
		defer c2.Close()
		c2.SetDeadline(time.Now().Add(10 * time.Second))
		r := pop3.NewReader(c2)
		w := pop3.NewWriter(c2)
		r.ReadResponse()
		w.WriteCommand(pop3.Command{Name: "USER", Args: []string{"alice"}})
		w.WriteCommand(pop3.Command{Name: "PASS", Args: []string{"secret"}})
		go w.Flush()
		r.ReadResponse()
		if resp, err := r.ReadResponse(); err != nil || !resp.OK {
			t.Fatalf("login after the session: %+v %v", resp, err)
		}
		srv2.Close()
	})
}
