package pop3client_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// exampleServer answers one connection with canned lines: a stand-in for
// a real POP3 server such as pop3server or Dovecot.
func exampleServer() (addr string, stop func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	answers := map[string]string{
		"CAPA":        "+OK\r\nUSER\r\nUIDL\r\nPIPELINING\r\n.\r\n",
		"USER alice":  "+OK\r\n",
		"PASS secret": "+OK maildrop has 2 messages\r\n",
		"STAT":        "+OK 2 64\r\n",
		"UIDL":        "+OK\r\n1 AAA1\r\n2 AAA2\r\n.\r\n",
		"RETR 1":      "+OK\r\nSubject: first\r\n\r\nHello.\r\n.\r\n",
		"RETR 2":      "+OK\r\nSubject: second\r\n\r\n..dot-stuffed line\r\n.\r\n",
		"DELE 1":      "+OK\r\n",
		"DELE 2":      "+OK\r\n",
		"QUIT":        "+OK bye\r\n",
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(nc, "+OK example POP3 server ready\r\n")
		br := bufio.NewReader(nc)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			a, ok := answers[strings.TrimSuffix(line, "\r\n")]
			if !ok {
				a = "-ERR unknown\r\n"
			}
			io.WriteString(nc, a)
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); <-done }
}

// Example downloads every message, pipelined, and deletes them.
func Example() {
	addr, stop := exampleServer()
	defer stop()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	c, err := pop3client.Dial(ctx, addr, nil) // DialTLS or DialStartTLS in real life
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	if err := c.AuthenticatePassword(ctx, "alice", "secret"); err != nil {
		log.Fatal(err)
	}
	ids, err := c.UIDL(ctx)
	if err != nil {
		log.Fatal(err)
	}
	var msgs []int
	for _, id := range ids {
		msgs = append(msgs, id.Msg)
	}
	err = c.RetrEach(ctx, msgs, func(n int, r io.Reader) error {
		body, err := io.ReadAll(r)
		fmt.Printf("message %d (%s): %q\n", n, ids[n-1].UID, body)
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range msgs {
		if err := c.Dele(ctx, n); err != nil {
			log.Fatal(err)
		}
	}
	// Only a successful QUIT removes the messages (RFC 1939 §6).
	if err := c.Quit(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("done")
	// Output:
	// message 1 (AAA1): "Subject: first\r\n\r\nHello.\r\n"
	// message 2 (AAA2): "Subject: second\r\n\r\n.dot-stuffed line\r\n"
	// done
}
