package pop3_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/pop3"
)

// Reading a server's answers: a status line, a scan listing and a
// message body, with the byte-stuffing removed.
func ExampleReader() {
	r := pop3.NewReader(strings.NewReader(
		"+OK 2 messages (320 octets)\r\n1 120\r\n2 200\r\n.\r\n" +
			"+OK 120 octets\r\nSubject: hi\r\n\r\n..a line that began with a dot\r\n.\r\n"))

	resp, _ := r.ReadResponse()
	fmt.Println(resp.OK, resp.Text)
	for {
		line, err := r.ReadDataLine()
		if err == io.EOF {
			break
		}
		s, _ := pop3.ParseScanListing(line, r.Mode)
		fmt.Printf("message %d: %d octets\n", s.Msg, s.Size)
	}

	resp, _ = r.ReadResponse()
	fmt.Println(resp.OK, resp.Text)
	body, _ := io.ReadAll(r.DotReader())
	fmt.Printf("%q\n", body)
	// Output:
	// true 2 messages (320 octets)
	// message 1: 120 octets
	// message 2: 200 octets
	// true 120 octets
	// "Subject: hi\r\n\r\n.a line that began with a dot\r\n"
}

// Writing a server's answer to RETR: the status line, then the message
// through DotWriter, which stuffs lines that begin with a dot and ends
// the body.
func ExampleWriter_DotWriter() {
	var out strings.Builder
	w := pop3.NewWriter(&out)
	w.WriteResponse(pop3.Response{OK: true, Text: "message follows"})
	body := w.DotWriter()
	io.Copy(body, strings.NewReader("Subject: hi\r\n\r\n.hidden dot\r\n"))
	body.Close()
	w.Flush()
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n")) // lines end in CRLF on the wire
	// Output:
	// +OK message follows
	// Subject: hi
	//
	// ..hidden dot
	// .
}

// A negative answer with a response code (RFC 2449 §8) becomes an error
// that errors.Is can test against the code's hierarchy.
func ExampleParseResponse() {
	resp, _ := pop3.ParseResponse([]byte("-ERR [SYS/TEMP] try again later"), pop3.Strict)
	err := resp.Err()
	fmt.Println(err)
	fmt.Println(resp.Code.Within(pop3.CodeSys))
	// Output:
	// pop3: -ERR [SYS/TEMP] try again later
	// true
}
