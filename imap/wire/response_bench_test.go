package wire

import (
	"bufio"
	"bytes"
	"io"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/internal/w1stream"
)

// benchStream is the W1 workload (internal/w1stream): 10,000 untagged FETCH
// responses as a client sees them in answer to
//
//	UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
//
// on a mailbox of multipart messages, with escaped quoted strings and some
// literals: the same bytes the bench module compares with go-imap.
var benchStream = sync.OnceValue(func() *w1stream.Stream { return w1stream.W1Stream(benchMessages) })

const benchMessages = w1stream.W1Messages

// decodeStream decodes every response of data and returns how many there
// were.
func decodeStream(tb testing.TB, data []byte, opts *Options, visit func(i int, r *Response)) int {
	d := NewDecoder(bufio.NewReader(bytes.NewReader(data)), opts)
	var r Response
	n := 0
	for {
		err := d.ReadResponse(&r)
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatalf("response %d: %v", n+1, err)
		}
		if visit != nil {
			visit(n, &r)
		}
		n++
	}
}

// BenchmarkReadResponseFetch decodes a stream of 10,000 untagged FETCH
// responses (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE of
// multipart messages). One op is the whole stream: divide allocs/op by
// 10,000 for the allocations per message.
func BenchmarkReadResponseFetch(b *testing.B) {
	s := benchStream()
	for _, mode := range []Mode{Lenient, Strict} {
		b.Run(mode.String(), func(b *testing.B) {
			b.SetBytes(int64(len(s.Data)))
			b.ReportAllocs()
			for b.Loop() {
				if n := decodeStream(b, s.Data, &Options{Mode: mode}, nil); n != benchMessages {
					b.Fatalf("decoded %d responses", n)
				}
			}
		})
	}
}

func TestFetchStreamDecodes(t *testing.T) {
	s := benchStream()
	if s.Literals == 0 || !bytes.Contains(s.Data, []byte(`\"`)) || !bytes.Contains(s.Data, []byte(`\\`)) {
		t.Fatal("the stream lacks literals or escapes")
	}
	for _, mode := range []Mode{Lenient, Strict} {
		n := decodeStream(t, s.Data, &Options{Mode: mode}, func(i int, r *Response) {
			if r.Kind != KindFetch || r.Fetch.Seq != uint32(i+1) {
				t.Fatalf("response %d: kind %v", i+1, r.Kind)
			}
			if r.Fetch.UID() != s.UIDs[i] {
				t.Errorf("response %d: UID %d, want %d", i+1, r.Fetch.UID(), s.UIDs[i])
			}
			env := r.Fetch.Items[4].Envelope
			if env == nil || env.Subject.S != s.Subjects[i] {
				t.Errorf("response %d: envelope %+v, want subject %q", i+1, env, s.Subjects[i])
			}
			body := r.Fetch.Items[5].Body
			if body == nil || !body.IsMultipart() || body.Subtype != "MIXED" || len(body.Parts) < 2 ||
				!body.Parts[0].IsMultipart() || body.Parts[0].Subtype != "ALTERNATIVE" {
				t.Errorf("response %d: body %+v", i+1, body)
			}
			if r.Fetch.Items[2].Time.IsZero() || r.Fetch.Items[3].Num == 0 {
				t.Errorf("response %d: items %+v", i+1, r.Fetch.Items)
			}
		})
		if n != benchMessages {
			t.Fatalf("%v: decoded %d responses", mode, n)
		}
	}
}
