package wire_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// A client decodes what a server sends. The message body arrives through
// the Stream handler as an io.Reader reading from the connection, so it is
// never held in memory by the decoder; the malformed response after it is
// reported and skipped, and decoding goes on.
func ExampleDecoder_ReadResponse() {
	stream := "* 1 FETCH (UID 42 FLAGS (\\Seen) BODY[] {11}\r\nHello world)\r\n" +
		"* 2 FETCH (UID oops)\r\n" +
		"A1 OK [READ-ONLY] done\r\n"

	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(stream)), &wire.Options{
		Stream: func(lit *wire.Literal) error {
			body, err := io.ReadAll(lit) // or io.Copy to a file
			fmt.Printf("message %d: %d bytes: %q\n", lit.Seq, lit.Size, body)
			return err
		},
	})
	for {
		var r wire.Response
		err := d.ReadResponse(&r)
		if err == io.EOF {
			break
		}
		var se *wire.SyntaxError
		if errors.As(err, &se) {
			fmt.Printf("skipped a malformed response at offset %d: expected %s\n", se.Offset, se.Expected)
			continue
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch r.Kind {
		case wire.KindFetch:
			fmt.Printf("FETCH %d: UID %d, flags %v\n", r.Fetch.Seq, r.Fetch.UID(), r.Fetch.Item(imap.FetchFlags).Flags)
		case wire.KindStatus:
			fmt.Printf("%s %s [%s] %s\n", r.Tag, r.Status, r.Code.Name, r.Text)
		}
	}
	// Output:
	// message 1: 11 bytes: "Hello world"
	// FETCH 1: UID 42, flags [\Seen]
	// skipped a malformed response at offset 74: expected number
	// A1 OK [READ-ONLY] done
}

// A server decodes what a client sends. Continue is called before a
// synchronizing literal is read, to send the continuation request.
func ExampleDecoder_ReadCommand() {
	stream := "a1 LOGIN {5}\r\nalice \"pass word\"\r\na2 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])\r\n"
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(stream)), &wire.Options{
		Continue: func(size int64) error {
			fmt.Printf("S: + ready for %d octets\n", size)
			return nil
		},
	})
	for {
		var c wire.Command
		if err := d.ReadCommand(&c); err != nil {
			break
		}
		switch args := c.Args.(type) {
		case *imap.LoginCommand:
			fmt.Printf("%s LOGIN user %q\n", c.Tag, args.Username)
		case *imap.FetchCommand:
			fmt.Printf("%s UID=%v FETCH %s, %d attributes, fields %v\n", c.Tag, c.UID, args.Set, len(args.Attrs), args.Attrs[1].Section.Fields)
		}
	}
	// Output:
	// S: + ready for 5 octets
	// a1 LOGIN user "alice"
	// a2 UID=true FETCH 1:*, 2 attributes, fields [Subject]
}
