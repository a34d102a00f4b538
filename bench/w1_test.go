package bench

import (
	"github.com/mailaccess/mailaccess/internal/w1stream"

	"bytes"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	mimap "github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

var w1 = sync.OnceValue(func() *w1stream.Stream { return w1stream.W1Stream(w1stream.W1Messages) })

// BenchmarkW1 decodes the W1 stream (10,000 untagged FETCH responses with
// ENVELOPE and BODYSTRUCTURE) into typed values; one iteration is the whole
// stream, so ns/op, B/op and allocs/op are per 10,000 messages.
func BenchmarkW1(b *testing.B) {
	s := w1()
	b.Run("goimap", func(b *testing.B) {
		g := newGoimapSide(s)
		defer g.close()
		b.SetBytes(int64(len(s.Data)))
		b.ReportAllocs()
		for b.Loop() {
			n, err := g.fetchAll(nil)
			if err != nil || n != len(s.UIDs) {
				b.Fatalf("decoded %d messages, err %v", n, err)
			}
		}
	})
	b.Run("mailaccess", func(b *testing.B) {
		b.SetBytes(int64(len(s.Data)))
		b.ReportAllocs()
		for b.Loop() {
			n, err := mailaccessDecode(s.Data, nil)
			if err != nil || n != len(s.UIDs) {
				b.Fatalf("decoded %d messages, err %v", n, err)
			}
		}
	})
}

// BenchmarkFraming splits the W1 stream into lines and literals and does
// nothing else: the floor under any decoder.
func BenchmarkFraming(b *testing.B) {
	s := w1()
	b.SetBytes(int64(len(s.Data)))
	b.ReportAllocs()
	for b.Loop() {
		n, err := frame(s.Data)
		if err != nil || n != len(s.UIDs) {
			b.Fatalf("framed %d messages, err %v", n, err)
		}
	}
}

func TestW1StreamDeterministic(t *testing.T) {
	a, b := w1stream.W1Stream(200), w1stream.W1Stream(200)
	if !bytes.Equal(a.Data, b.Data) {
		t.Fatal("two W1 streams of the same size differ")
	}
	s := w1()
	if !bytes.HasPrefix(s.Data, a.Data) {
		t.Error("the first 200 messages of the full stream differ from a 200-message stream")
	}
	if s.Literals == 0 {
		t.Error("the stream has no literal")
	}
	for _, want := range []string{`\"`, `\\`, "}\r\n", `"ATTACHMENT"`, `"ALTERNATIVE"`} {
		if !bytes.Contains(s.Data, []byte(want)) {
			t.Errorf("the stream never contains %q", want)
		}
	}
	t.Logf("W1: %d messages, %d bytes, %d literals", len(s.UIDs), len(s.Data), s.Literals)
}

func TestW1Framing(t *testing.T) {
	s := w1()
	n, err := frame(s.Data)
	if err != nil || n != w1stream.W1Messages {
		t.Fatalf("framed %d messages, err %v; want %d", n, err, w1stream.W1Messages)
	}
}

func TestW1Goimap(t *testing.T) {
	s := w1()
	g := newGoimapSide(s)
	defer g.close()
	i := 0
	n, err := g.fetchAll(func(m *imapclient.FetchMessageBuffer) {
		defer func() { i++ }()
		if i >= len(s.UIDs) {
			return
		}
		if uint32(m.UID) != s.UIDs[i] {
			t.Errorf("message %d: UID %d, want %d", i+1, m.UID, s.UIDs[i])
		}
		if m.Envelope == nil || m.Envelope.Subject != s.Subjects[i] {
			t.Errorf("message %d: envelope %+v, want subject %q", i+1, m.Envelope, s.Subjects[i])
		}
		mp, ok := m.BodyStructure.(*imap.BodyStructureMultiPart)
		if !ok || !strings.EqualFold(mp.Subtype, "mixed") || len(mp.Children) < 2 || mp.Extended == nil {
			t.Errorf("message %d: body structure %#v, want extended multipart/mixed", i+1, m.BodyStructure)
		}
		if m.InternalDate.IsZero() || m.RFC822Size == 0 {
			t.Errorf("message %d: INTERNALDATE %v, RFC822.SIZE %d", i+1, m.InternalDate, m.RFC822Size)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != w1stream.W1Messages {
		t.Fatalf("go-imap decoded %d messages, want %d", n, w1stream.W1Messages)
	}
}

func TestW1Mailaccess(t *testing.T) {
	s := w1()
	i := 0
	n, err := mailaccessDecode(s.Data, func(r *wire.Response) {
		defer func() { i++ }()
		if i >= len(s.UIDs) {
			return
		}
		if r.Kind != wire.KindFetch || r.Fetch == nil {
			t.Errorf("message %d: kind %v, want FETCH", i+1, r.Kind)
			return
		}
		if uid := r.Fetch.UID(); uid != s.UIDs[i] {
			t.Errorf("message %d: UID %d, want %d", i+1, uid, s.UIDs[i])
		}
		env := r.Fetch.Item(mimap.FetchEnvelope)
		if env == nil || env.Envelope == nil || env.Envelope.Subject.S != s.Subjects[i] {
			t.Errorf("message %d: envelope item %+v, want subject %q", i+1, env, s.Subjects[i])
		}
		bs := r.Fetch.Item(mimap.FetchBodyStructure)
		if bs == nil || bs.Body == nil || !bs.Body.IsMultipart() || !strings.EqualFold(bs.Body.Subtype, "mixed") ||
			len(bs.Body.Parts) < 2 || !bs.Body.Extended {
			t.Errorf("message %d: body structure item %+v, want extended multipart/mixed", i+1, bs)
		}
		for _, k := range []mimap.FetchAttrKind{mimap.FetchFlags, mimap.FetchInternalDate, mimap.FetchRFC822Size} {
			if r.Fetch.Item(k) == nil {
				t.Errorf("message %d: no %s item", i+1, k)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != w1stream.W1Messages {
		t.Fatalf("mailaccess decoded %d messages, want %d", n, w1stream.W1Messages)
	}
}
