package wire_test

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// ExampleEncoder encodes a UID FETCH command, as a client would, and a
// FETCH response, as a server would. The encoder picks atoms, quoted
// strings and literals by itself.
func ExampleEncoder() {
	var out bytes.Buffer

	client := wire.NewEncoder(&out, &wire.EncoderOptions{LiteralPlus: true})
	client.WriteCommand(&wire.Command{Tag: "A1", UID: true, Args: &imap.FetchCommand{
		Set: imap.NumSetRange(100, imap.Star),
		Attrs: []imap.FetchAttr{
			{Kind: imap.FetchUID},
			{Kind: imap.FetchFlags},
			{Kind: imap.FetchBodyPeek, Section: imap.Section{
				Spec: imap.SpecHeaderFields, Fields: []string{"From", "Subject"},
			}},
		},
	}})
	client.Flush()

	server := wire.NewEncoder(&out, nil)
	server.WriteResponse(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{
		Seq: 1,
		Items: []imap.FetchItem{
			{Kind: imap.FetchUID, Num: 100},
			{Kind: imap.FetchFlags, Flags: []imap.Flag{imap.FlagSeen, "$Forwarded"}},
			{Kind: imap.FetchInternalDate, Time: time.Date(2024, 3, 5, 9, 30, 0, 0, time.UTC)},
			{Kind: imap.FetchBodySection,
				Section: imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"From", "Subject"}},
				Data:    imap.Str("From: Ann <ann@example.org>\r\nSubject: Hi\r\n\r\n")},
		},
	}})
	server.WriteResponse(&wire.Response{Kind: wire.KindStatus, Tag: "A1", Status: wire.StatusOK, Text: "UID FETCH completed"})
	server.Flush()

	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// A1 UID FETCH 100:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (From Subject)])
	// * 1 FETCH (UID 100 FLAGS (\Seen $Forwarded) INTERNALDATE " 5-Mar-2024 09:30:00 +0000" BODY[HEADER.FIELDS (From Subject)] {44}
	// From: Ann <ann@example.org>
	// Subject: Hi
	//
	// )
	// A1 OK UID FETCH completed
}
