// Command imapwire decodes an IMAP byte stream with mailaccess's codec
// (imap/wire) and prints each message as one JSON object per line.
//
// Usage:
//
//	imapwire [-side server|client] [-mode strict|lenient] [-summary] [FILE]
//
// With -side server (the default) the input is what a server sends, and each
// response is decoded with Decoder.ReadResponse; with -side client the input
// is what a client sends, decoded with Decoder.ReadCommand. FILE defaults to
// the standard input ("-" names it too).
//
// Each line holds the decoded value as encoding/json renders it, without
// its zero fields, and with two more fields first: "offset", the byte offset
// of the message in the stream, and "kind", the response's kind or the
// command's name. Byte slices (literal data, raw values) are shown as
// strings when they are valid UTF-8.
//
// A message that does not parse prints
//
//	{"error":"...","offset":N,"expected":"...","excerpt":"..."}
//
// and decoding goes on with the next message. The exit status is 1 if any
// message failed to parse, 2 for a usage or I/O error, 0 otherwise.
//
// A client transcript may hold lines outside the command grammar: the DONE
// that ends IDLE (printed as {"kind":"DONE"}) and the SASL responses that
// follow AUTHENTICATE (printed as {"kind":"sasl-response"}).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mailaccess/mailaccess/imap/wire"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the whole program; it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("imapwire", flag.ContinueOnError)
	fs.SetOutput(stderr)
	side := fs.String("side", "server", `whose bytes the input holds: "server" (responses) or "client" (commands)`)
	mode := fs.String("mode", "lenient", `how strictly to parse: "strict" or "lenient"`)
	summary := fs.Bool("summary", false, `print a last line "N parsed, M errors"`)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: imapwire [-side server|client] [-mode strict|lenient] [-summary] [FILE]\n\n"+
			"Decodes an IMAP stream (FILE or standard input) and prints one JSON object per message.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}

	opts := &wire.Options{}
	switch *mode {
	case "lenient":
		opts.Mode = wire.Lenient
	case "strict":
		opts.Mode = wire.Strict
	default:
		fmt.Fprintf(stderr, "imapwire: -mode must be strict or lenient, not %q\n", *mode)
		return 2
	}
	if *side != "server" && *side != "client" {
		fmt.Fprintf(stderr, "imapwire: -side must be server or client, not %q\n", *side)
		return 2
	}

	in := stdin
	switch fs.NArg() {
	case 0:
	case 1:
		if name := fs.Arg(0); name != "-" {
			f, err := os.Open(name)
			if err != nil {
				fmt.Fprintf(stderr, "imapwire: %v\n", err)
				return 2
			}
			defer f.Close()
			in = f
		}
	default:
		fs.Usage()
		return 2
	}

	out := bufio.NewWriter(stdout)
	p := &printer{
		br:  bufio.NewReader(in),
		out: out,
	}
	p.dec = wire.NewDecoder(p.br, opts)
	var ioErr error
	if *side == "server" {
		ioErr = p.responses()
	} else {
		ioErr = p.commands()
	}
	if ioErr != nil {
		p.fail(ioErr, p.dec.Offset())
	}
	if *summary {
		fmt.Fprintf(out, "%d parsed, %d errors\n", p.parsed, p.errors)
	}
	if err := out.Flush(); err != nil {
		fmt.Fprintf(stderr, "imapwire: %v\n", err)
		return 2
	}
	if p.errors > 0 {
		return 1
	}
	return 0
}

// printer decodes messages and prints them.
type printer struct {
	br     *bufio.Reader
	dec    *wire.Decoder
	out    io.Writer
	parsed int
	errors int
}

// responses decodes responses up to the end of the stream. It returns an
// error only when decoding cannot go on.
func (p *printer) responses() error {
	for {
		off := p.dec.Offset()
		var r wire.Response
		err := p.dec.ReadResponse(&r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if !p.syntaxError(err) {
				return err
			}
			continue
		}
		p.parsed++
		p.print(header(off, r.Kind.String()).appendStruct(&r, "Kind"))
	}
}

// commands decodes commands up to the end of the stream, with the lines of
// IDLE and AUTHENTICATE that are outside the command grammar.
func (p *printer) commands() error {
	for {
		off := p.dec.Offset()
		var c wire.Command
		err := p.dec.ReadCommand(&c)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if !p.syntaxError(err) {
				return err
			}
			continue
		}
		p.parsed++
		p.print(header(off, c.Name).appendStruct(&c))

		switch strings.ToUpper(c.Name) {
		case "IDLE":
			err = p.done()
		case "AUTHENTICATE":
			err = p.saslResponses()
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// done reads the line ending IDLE (RFC 2177): DONE.
func (p *printer) done() error {
	off := p.dec.Offset()
	line, err := p.dec.ReadLine()
	if err != nil {
		if p.syntaxError(err) {
			return nil
		}
		return err
	}
	if !strings.EqualFold(string(line), "DONE") {
		p.errors++
		p.print(object{
			{"error", "IDLE must end with DONE"},
			{"offset", off},
			{"expected", "DONE"},
			{"excerpt", string(excerpt(line))},
		})
		return nil
	}
	p.parsed++
	p.print(header(off, "DONE"))
	return nil
}

// saslResponses reads the client's lines of a SASL exchange
// (RFC 3501 §6.2.2): base64 responses, or "*" to cancel. A client
// transcript does not show the server's challenges nor its tagged answer,
// so a line counts as a SASL response as long as it looks like one: base64
// without a space (no command is a single word) or "*".
func (p *printer) saslResponses() error {
	for {
		line, ok := p.peekLine()
		if !ok || !isSASLResponse(line) {
			return nil
		}
		off := p.dec.Offset()
		raw, err := p.dec.ReadLine()
		if err != nil {
			if p.syntaxError(err) {
				return nil
			}
			return err
		}
		p.parsed++
		o := header(off, "sasl-response")
		if string(raw) == "*" {
			o = append(o, field{"cancel", true})
		} else {
			o = append(o, field{"line", string(raw)})
		}
		p.print(o)
		if string(raw) == "*" {
			return nil
		}
	}
}

// peekLine returns the next line, without its line end, without consuming
// it. The decoder reads from p.br and has consumed exactly the messages it
// returned, so what p.br holds is what comes next.
func (p *printer) peekLine() ([]byte, bool) {
	for n := 1; ; {
		b, err := p.br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return bytes.TrimSuffix(b[:i], []byte("\r")), true
		}
		if err != nil || n >= p.br.Size() {
			return nil, false
		}
		n = min(max(p.br.Buffered(), n)+1, p.br.Size())
	}
}

func isSASLResponse(line []byte) bool {
	if string(line) == "*" {
		return true
	}
	for i, c := range line {
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+', c == '/':
		case c == '=' && i >= len(line)-2:
		default:
			return false
		}
	}
	return true
}

// syntaxError prints err if it is a syntax error (after which the decoder
// has moved on to the next message) and reports whether it was.
func (p *printer) syntaxError(err error) bool {
	var se *wire.SyntaxError
	if !errors.As(err, &se) {
		return false
	}
	p.errors++
	o := object{
		{"error", se.Error()},
		{"offset", se.Offset},
		{"expected", se.Expected},
		{"excerpt", se.Excerpt},
	}
	if se.Tag != "" {
		o = append(o, field{"tag", se.Tag})
	}
	p.print(o)
	return true
}

// fail prints an error that ended decoding (an I/O error, or a stream that
// ends inside a message).
func (p *printer) fail(err error, off int64) {
	p.errors++
	p.print(object{{"error", err.Error()}, {"offset", off}})
}

func (p *printer) print(o object) {
	b, err := marshal(o)
	if err != nil {
		// Every value is built by toJSON from plain types; this cannot
		// happen short of a bug.
		b, _ = json.Marshal(map[string]string{"error": "imapwire: " + err.Error()})
	}
	b = append(b, '\n')
	p.out.Write(b)
}

func header(off int64, kind string) object {
	return object{{"offset", off}, {"kind", kind}}
}

func excerpt(line []byte) []byte {
	if len(line) > 40 {
		return line[:40]
	}
	return line
}
