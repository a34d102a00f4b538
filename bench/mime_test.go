package bench

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"
	mimap "github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"

	"github.com/mailaccess/mailaccess/bench/internal/mailgen"
)

func TestMailgen(t *testing.T) {
	small := mailgen.Small()
	if n := len(small); n < 3800 || n > 4400 {
		t.Errorf("Small is %d bytes, want about 4 KB", n)
	}
	if !bytes.Equal(small, mailgen.Small()) {
		t.Error("Small differs between calls")
	}
	l := mailgen.LargeWithAttachment(300 << 10)
	a, b := l.Bytes(), l.Bytes()
	if !bytes.Equal(a, b) {
		t.Error("Large.Bytes differs between calls")
	}
	if int64(len(a)) != l.Size() {
		t.Errorf("Large.Bytes is %d bytes, Size says %d", len(a), l.Size())
	}
	// Read in odd-sized pieces: same bytes.
	var got bytes.Buffer
	r := l.NewReader()
	buf := make([]byte, 4093)
	for {
		n, err := r.Read(buf)
		got.Write(buf[:n])
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got.Bytes(), a) {
		t.Error("reading Large in 4093-byte pieces gives other bytes than Bytes")
	}
	if s := large10MB.Size(); s < 10<<20 || s > 10<<20+4096 {
		t.Errorf("the 10MB workload is %d bytes", s)
	}
}

// TestExtractAgree checks that both sides of BenchmarkExtract do the work
// the benchmark claims, and agree on the result.
func TestExtractAgree(t *testing.T) {
	large := mailgen.LargeWithAttachment(1 << 20)
	for _, in := range []extractInput{{"4KB", mailgen.Small()}, {"1MB", large.Bytes()}} {
		t.Run(in.name, func(t *testing.T) {
			genv, gbs := goimapExtract(in.msg)
			env, bs, err := mailaccessExtract(in.msg)
			if err != nil {
				t.Fatal(err)
			}
			compareBodyStructure(t, "", gbs, &bs)
			compareEnvelope(t, genv, env)
		})
	}
	// The structure itself, independently of go-imap, with the decoded
	// sizes a store would cache.
	s, err := mime.Parse(large.NewReader(), &mime.Options{DecodedSizes: true})
	if err != nil {
		t.Fatal(err)
	}
	if s.Size != large.Size() || len(s.Root.Parts) != 2 {
		t.Fatalf("1MB: size %d, %d parts; want %d, 2", s.Size, len(s.Root.Parts), large.Size())
	}
	att := s.Root.Parts[1]
	if att.BodySize != large.AttachmentSize() || att.DecodedSize != large.AttachmentDecoded() {
		t.Errorf("1MB attachment: size %d, decoded %d; want %d, %d",
			att.BodySize, att.DecodedSize, large.AttachmentSize(), large.AttachmentDecoded())
	}
}

func compareBodyStructure(t *testing.T, path string, g imap.BodyStructure, m *mimap.BodyStructure) {
	t.Helper()
	where := path
	if where == "" {
		where = "root"
	}
	if g.MediaType() != strings.ToLower(m.Type+"/"+m.Subtype) {
		t.Errorf("%s: go-imap %s, mailaccess %s/%s", where, g.MediaType(), m.Type, m.Subtype)
		return
	}
	switch g := g.(type) {
	case *imap.BodyStructureMultiPart:
		if len(g.Children) != len(m.Parts) {
			t.Errorf("%s: go-imap %d parts, mailaccess %d", where, len(g.Children), len(m.Parts))
			return
		}
		for i := range g.Children {
			compareBodyStructure(t, fmt.Sprintf("%s%d.", path, i+1), g.Children[i], &m.Parts[i])
		}
	case *imap.BodyStructureSinglePart:
		if g.Size != m.Size {
			t.Errorf("%s: go-imap size %d, mailaccess %d", where, g.Size, m.Size)
		}
		if !strings.EqualFold(g.Encoding, m.Encoding) && !(g.Encoding == "" && strings.EqualFold(m.Encoding, "7bit")) {
			t.Errorf("%s: go-imap encoding %q, mailaccess %q", where, g.Encoding, m.Encoding)
		}
		for k, v := range g.Params {
			if got, ok := paramValue(m.Params, k); !ok || got != v {
				t.Errorf("%s: parameter %s: go-imap %q, mailaccess %q (present %v)", where, k, v, got, ok)
			}
		}
		if g.Text != nil {
			// go-imap counts line feeds; mailaccess, like Dovecot, also
			// counts a last line without one (the line ending before a
			// delimiter belongs to the delimiter, RFC 2046 §5.1.1).
			if d := int64(m.Lines) - g.Text.NumLines; d != 0 && d != 1 {
				t.Errorf("%s: go-imap %d lines, mailaccess %d", where, g.Text.NumLines, m.Lines)
			}
		}
		gd := g.Extended.Disposition
		switch {
		case (gd == nil) != (m.Disposition == nil):
			t.Errorf("%s: go-imap disposition %v, mailaccess %v", where, gd, m.Disposition)
		case gd != nil && !strings.EqualFold(gd.Value, m.Disposition.Type):
			t.Errorf("%s: go-imap disposition %q, mailaccess %q", where, gd.Value, m.Disposition.Type)
		}
	}
}

func paramValue(ps []mimap.Param, key string) (string, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.Key, key) {
			return p.Value, true
		}
	}
	return "", false
}

// compareEnvelope compares go-imap's decoded envelope with ours, which
// keeps fields as sent (encoded-words, angle brackets, the Date string).
func compareEnvelope(t *testing.T, g *imap.Envelope, m *mimap.Envelope) {
	t.Helper()
	if g == nil || m == nil {
		t.Fatalf("envelope: go-imap %v, mailaccess %v", g, m)
	}
	if subj, err := mime.DecodeHeader(m.Subject.S); err != nil || subj != g.Subject {
		t.Errorf("subject: go-imap %q, mailaccess %q decoded to %q (%v)", g.Subject, m.Subject.S, subj, err)
	}
	if want := "<" + g.MessageID + ">"; m.MessageID.S != want {
		t.Errorf("message-id: go-imap %q, mailaccess %q", g.MessageID, m.MessageID.S)
	}
	if d, ok := mime.ParseDate(m.Date.S); !ok || !d.Equal(g.Date) {
		t.Errorf("date: go-imap %v, mailaccess %q parsed to %v (%v)", g.Date, m.Date.S, d, ok)
	}
	for _, l := range []struct {
		name string
		g    []imap.Address
		m    []mimap.Address
	}{{"from", g.From, m.From}, {"to", g.To, m.To}, {"cc", g.Cc, m.Cc}} {
		if len(l.g) != len(l.m) {
			t.Errorf("%s: go-imap %v, mailaccess %v", l.name, l.g, l.m)
			continue
		}
		for i, a := range l.g {
			b := l.m[i]
			name, _ := mime.DecodeHeader(b.Name.S)
			if a.Mailbox != b.Mailbox.S || a.Host != b.Host.S || a.Name != name {
				t.Errorf("%s[%d]: go-imap %+v, mailaccess %+v", l.name, i, a, b)
			}
		}
	}
}

// allocDelta runs f and returns how much it allocated (MemStats.TotalAlloc)
// and how much HeapInuse grew, garbage included (no collection between).
func allocDelta(f func()) (total, heapInuse int64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc), int64(after.HeapInuse) - int64(before.HeapInuse)
}

// TestParseMemoryIndependentOfSize parses 1 MB, 10 MB and 100 MB messages
// streamed from a generator (never held in memory) and checks that what
// mime.Parse allocates does not depend on the body's size. For the 10 MB
// one it logs what go-imap's ExtractEnvelope and ExtractBodyStructure
// allocate, for comparison. Nothing here is timed. -short leaves out the
// 100 MB message.
func TestParseMemoryIndependentOfSize(t *testing.T) {
	const bound = 1 << 20
	sizes := []int64{1 << 20, 10 << 20, 100 << 20}
	if testing.Short() {
		sizes = sizes[:2]
	}
	for _, size := range sizes {
		l := mailgen.LargeWithAttachment(size)
		r := l.NewReader() // its 80 KB block is allocated here, outside the measure
		var s *mime.Structure
		var err error
		total, inuse := allocDelta(func() {
			s, err = mime.Parse(r, nil)
			if err == nil {
				s.Envelope()
				s.BodyStructure(true)
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if s.Size != l.Size() || len(s.Root.Parts) != 2 || s.Root.Parts[1].BodySize != l.AttachmentSize() {
			t.Fatalf("%d MB: parsed size %d with %d parts; want %d with the attachment's %d",
				size>>20, s.Size, len(s.Root.Parts), l.Size(), l.AttachmentSize())
		}
		t.Logf("mailaccess %3d MB message: TotalAlloc +%d B, HeapInuse %+d B", size>>20, total, inuse)
		if total >= bound {
			t.Errorf("mime.Parse of a %d MB message allocated %d bytes, want < %d", size>>20, total, bound)
		}
		if size == 10<<20 {
			hr, br := l.NewReader(), l.NewReader()
			total, inuse := allocDelta(func() {
				h, err := textproto.ReadHeader(bufio.NewReader(hr))
				if err == nil {
					imapserver.ExtractEnvelope(h)
				}
				imapserver.ExtractBodyStructure(br)
			})
			t.Logf("go-imap    %3d MB message: TotalAlloc +%d B, HeapInuse %+d B", size>>20, total, inuse)
		}
	}
}
