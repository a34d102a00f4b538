package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
)

// Fuzz flags select the decoder's options.
const (
	fuzzStrict   = 1 << iota // Mode Strict
	fuzzUTF8                 // Options.UTF8
	fuzzStream               // an APPEND stream handler
	fuzzRefuse               // Continue refuses literals above 16 octets
	fuzzTinyLine             // MaxLineLength 64, MaxDepth 8, MaxListLength 8, MaxLiterals 4
)

// FuzzReadCommand decodes a stream of commands until io.EOF or an I/O
// error. It must never panic or loop, every error must be a SyntaxError
// or an I/O error, and every decoded command must be consistent.
//
// The seed corpus is in testdata/fuzz/FuzzReadCommand; the RFC examples
// of command_decode_test.go are added too.
func FuzzReadCommand(f *testing.F) {
	for i, ex := range rfcCommandExamples {
		f.Add([]byte(ex+"\r\n"), uint8(i%32))
	}
	f.Fuzz(func(t *testing.T, data []byte, flags uint8) {
		opts := &Options{MaxMemoryLiteral: 64, MaxLiteralSize: 1 << 16}
		if flags&fuzzStrict != 0 {
			opts.Mode = Strict
		}
		opts.UTF8 = flags&fuzzUTF8 != 0
		if flags&fuzzStream != 0 {
			opts.Stream = func(l *Literal) error {
				if l.Command != "APPEND" && l.Command != "REPLACE" || l.Size < 0 {
					t.Fatalf("bad literal %+v", l)
				}
				var buf [7]byte
				_, err := io.ReadFull(l, buf[:])
				if err == io.ErrUnexpectedEOF || err == io.EOF {
					err = nil // shorter than 7 octets
				}
				return err
			}
		}
		if flags&fuzzRefuse != 0 {
			opts.Continue = func(n int64) error {
				if n > 16 {
					return ErrLiteralRefused
				}
				return nil
			}
		}
		if flags&fuzzTinyLine != 0 {
			opts.MaxLineLength = 64
			opts.MaxDepth = 8
			opts.MaxListLength = 8
			opts.MaxLiterals = 4
		}
		d := NewDecoder(bufio.NewReaderSize(bytes.NewReader(data), 16), opts)
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("no progress: %d commands from %d bytes", i, len(data))
			}
			before := d.Offset()
			var c Command
			err := d.ReadCommand(&c)
			if err == io.EOF {
				if d.Offset() != int64(len(data)) {
					t.Fatalf("io.EOF at offset %d of %d", d.Offset(), len(data))
				}
				return
			}
			if err != nil {
				var se *SyntaxError
				if !errors.As(err, &se) {
					if err != io.ErrUnexpectedEOF {
						t.Fatalf("unexpected error type %T: %v", err, err)
					}
					return
				}
				if d.Offset() == before {
					t.Fatalf("syntax error without progress: %v", err)
				}
				continue
			}
			checkFuzzCommand(t, &c)
			if opts.Mode == Strict {
				roundTripCommand(t, &c, opts.UTF8)
			}
		}
	})
}

// roundTripCommand encodes a command decoded in strict mode and decodes it
// again: the result must be the same command.
func roundTripCommand(t *testing.T, c *Command, utf8 bool) {
	t.Helper()
	if a, ok := c.Args.(*imap.AppendCommand); ok {
		for _, m := range a.Messages {
			if m.Streamed {
				return // the data went to the stream handler
			}
		}
	}
	if a, ok := c.Args.(*imap.ReplaceCommand); ok && a.Message.Streamed {
		return
	}
	var buf bytes.Buffer
	e := NewEncoder(&buf, &EncoderOptions{LiteralPlus: true, UTF8: utf8})
	if err := e.WriteCommand(c); err != nil {
		t.Fatalf("WriteCommand(%+v): %v", c.Args, err)
	}
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	d := NewDecoder(bufio.NewReader(&buf), &Options{Mode: Strict, UTF8: utf8})
	var c2 Command
	if err := d.ReadCommand(&c2); err != nil {
		t.Fatalf("decoding the encoded command %q: %v", buf.String(), err)
	}
	if diff := valueDiff("", reflect.ValueOf(*c), reflect.ValueOf(c2), false); diff != "" {
		t.Fatalf("round trip through %q: %s", buf.String(), diff)
	}
}

// checkFuzzCommand checks the invariants of a decoded command.
func checkFuzzCommand(t *testing.T, c *Command) {
	t.Helper()
	if c.Tag == "" || c.Name == "" {
		t.Fatalf("empty tag or name: %+v", c)
	}
	if c.Args != nil && c.Args.CommandName() != c.Name {
		t.Fatalf("Name %q, Args %T names %q", c.Name, c.Args, c.Args.CommandName())
	}
	switch a := c.Args.(type) {
	case *imap.SearchCommand:
		checkSearchKey(t, a.Key, 0)
	case *imap.SortCommand:
		checkSearchKey(t, a.Key, 0)
	case *imap.ThreadCommand:
		checkSearchKey(t, a.Key, 0)
	case *imap.AppendCommand:
		if len(a.Messages) == 0 {
			t.Fatalf("APPEND without message")
		}
		for _, m := range a.Messages {
			if !m.Streamed && int64(len(m.Data)) != m.Size {
				t.Fatalf("APPEND message of %d octets, Size %d", len(m.Data), m.Size)
			}
		}
	case *imap.StoreCommand:
		if a.Op != imap.StoreAdd && a.Op != imap.StoreRemove && a.Op != imap.StoreReplace {
			t.Fatalf("STORE op %q", a.Op)
		}
		if a.Item == "" && a.Values != nil || a.Item != "" && (a.Flags != nil || a.Values == nil || !strings.HasPrefix(a.Item, "X-")) {
			t.Fatalf("STORE item %q, flags %q, values %q", a.Item, a.Flags, a.Values)
		}
	case *imap.ReplaceCommand:
		if m := a.Message; !m.Streamed && int64(len(m.Data)) != m.Size {
			t.Fatalf("REPLACE message of %d octets, Size %d", len(m.Data), m.Size)
		}
	case *imap.NotifyCommand:
		if a.None != (len(a.Groups) == 0) || a.None && a.Status {
			t.Fatalf("NOTIFY %+v", a)
		}
		for _, g := range a.Groups {
			if g.Filter.TakesMailboxes() != (len(g.Mailboxes) > 0) {
				t.Fatalf("NOTIFY group %+v", g)
			}
			for _, ev := range g.Events {
				if ev.Name == "" || len(ev.Fetch) > 0 && ev.Name != imap.EventMessageNew {
					t.Fatalf("NOTIFY event %+v", ev)
				}
			}
		}
	case *imap.FetchCommand:
		if len(a.Attrs) == 0 {
			t.Fatalf("FETCH without attributes")
		}
		if a.Partial != nil && !a.Partial.Valid() {
			t.Fatalf("FETCH PARTIAL %v", *a.Partial)
		}
	}
}

func checkSearchKey(t *testing.T, k imap.SearchKey, depth int) {
	t.Helper()
	if depth > DefaultMaxDepth+2 {
		t.Fatalf("search key nested %d deep", depth)
	}
	switch k.Op {
	case imap.SearchAnd:
		if len(k.Children) == 0 {
			t.Fatalf("empty AND")
		}
	case imap.SearchNot:
		if len(k.Children) != 1 {
			t.Fatalf("NOT with %d children", len(k.Children))
		}
	case imap.SearchOr:
		if len(k.Children) != 2 {
			t.Fatalf("OR with %d children", len(k.Children))
		}
	case "":
		t.Fatalf("search key without Op")
	}
	for _, ch := range k.Children {
		checkSearchKey(t, ch, depth+1)
	}
}
