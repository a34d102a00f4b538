package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestStartAndLogin starts the example on free ports, with each store, and
// logs in as the demo user to read the welcome message.
func TestStartAndLogin(t *testing.T) {
	for _, store := range []string{"memory", "maildir:" + t.TempDir()} {
		t.Run(strings.SplitN(store, ":", 2)[0], func(t *testing.T) {
			c, err := parseFlags([]string{"-imap", "127.0.0.1:0", "-store", store})
			if err != nil {
				t.Fatal(err)
			}
			s, err := start(c)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				s.imap.Shutdown(ctx)
			}()
			nc, err := net.Dial("tcp", s.listeners[0].Addr().String())
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
	}
}
