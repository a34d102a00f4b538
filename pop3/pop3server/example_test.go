package pop3server_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"strings"

	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3server"
)

// Serving an in-memory store takes a few lines. The client here is the
// codec, scripted: it pipelines a whole session, and the server answers
// in order.
func Example() {
	ctx := context.Background()
	b := memstore.New()
	b.AddUser("alice", "secret")
	st, _ := b.Open(ctx, "alice")
	st.Append(ctx, "INBOX", strings.NewReader("Subject: Hello\r\n\r\nHi Alice!\r\n"), nil)
	st.Close()

	srv := &pop3server.Server{
		Backend: b, Authenticator: b,
		Hostname: "mail.example.com",
		Logger:   slog.New(slog.DiscardHandler),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	go srv.Serve(ln)
	defer srv.Close()

	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		log.Fatal(err)
	}
	defer nc.Close()
	r, w := pop3.NewReader(nc), pop3.NewWriter(nc)
	greeting, _ := r.ReadResponse()
	fmt.Println("APOP offered:", greeting.Timestamp() != "")
	cmds := []pop3.Command{
		{Name: "USER", Args: []string{"alice"}},
		{Name: "PASS", Args: []string{"secret"}},
		{Name: "STAT"},
		{Name: "RETR", Args: []string{"1"}},
		{Name: "QUIT"},
	}
	for _, cmd := range cmds {
		w.WriteCommand(cmd)
	}
	w.Flush()
	for _, cmd := range cmds {
		resp, err := r.ReadResponse()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s: %v %s\n", cmd.Name, resp.OK, resp.Text)
		if cmd.Name == "RETR" {
			body, _ := io.ReadAll(r.DotReader())
			fmt.Print(strings.ReplaceAll(string(body), "\r\n", "\n"))
		}
	}
	// Output:
	// APOP offered: true
	// USER: true Send the password
	// PASS: true Maildrop has 1 message (29 octets)
	// STAT: true 1 29
	// RETR: true 29 octets
	// Subject: Hello
	//
	// Hi Alice!
	// QUIT: true mail.example.com POP3 server signing off (1 message left)
}
