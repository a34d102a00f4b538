package bench

import (
	"bufio"
	"bytes"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"
	mimap "github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"

	"github.com/mailaccess/mailaccess/bench/internal/mailgen"
)

// large10MB is the 10 MB workload: a multipart/mixed whose base64
// attachment is 10 MiB encoded.
var large10MB = mailgen.LargeWithAttachment(10 << 20)

// extractInputs are the messages of BenchmarkExtract, built once.
var extractInputs = sync.OnceValue(func() []extractInput {
	return []extractInput{
		{"4KB", mailgen.Small()},
		{"10MB", large10MB.Bytes()},
	}
})

type extractInput struct {
	name string
	msg  []byte
}

// goimapExtract computes ENVELOPE and BODYSTRUCTURE from a message's bytes
// the way go-imap v2's in-memory server (imapmemserver) does for a FETCH of
// both: the envelope from a header read with go-message's textproto, the
// body structure from a second pass over the whole message.
func goimapExtract(msg []byte) (*imap.Envelope, imap.BodyStructure) {
	var env *imap.Envelope
	if h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(msg))); err == nil {
		env = imapserver.ExtractEnvelope(h)
	}
	return env, imapserver.ExtractBodyStructure(bytes.NewReader(msg))
}

// mailaccessExtract computes the same with one mime.Parse.
func mailaccessExtract(msg []byte) (*mimap.Envelope, mimap.BodyStructure, error) {
	s, err := mime.Parse(bytes.NewReader(msg), nil)
	if err != nil {
		return nil, mimap.BodyStructure{}, err
	}
	return s.Envelope(), s.BodyStructure(true), nil
}

// BenchmarkExtract computes a message's ENVELOPE and BODYSTRUCTURE from its
// bytes, as a server answering FETCH (ENVELOPE BODYSTRUCTURE) does for a
// message it has not seen before: go-imap v2's imapserver.ExtractEnvelope
// and ExtractBodyStructure against mime.Parse with Envelope and
// BodyStructure(true). Sizes: 4KB (a typical multipart/mixed with a
// multipart/alternative and a small attachment) and 10MB (one 10 MiB
// base64 attachment). MB/s is over the message's bytes.
func BenchmarkExtract(b *testing.B) {
	for _, in := range extractInputs() {
		b.Run(in.name+"/goimap", func(b *testing.B) {
			b.SetBytes(int64(len(in.msg)))
			b.ReportAllocs()
			for b.Loop() {
				env, bs := goimapExtract(in.msg)
				if env == nil || bs == nil {
					b.Fatal("no envelope or body structure")
				}
			}
		})
		b.Run(in.name+"/mailaccess", func(b *testing.B) {
			b.SetBytes(int64(len(in.msg)))
			b.ReportAllocs()
			for b.Loop() {
				env, bs, err := mailaccessExtract(in.msg)
				if err != nil || env == nil || len(bs.Parts) == 0 {
					b.Fatalf("envelope %v, %d parts, err %v", env, len(bs.Parts), err)
				}
			}
		})
	}
}

// BenchmarkExtractDecodedSizes is BenchmarkExtract's mailaccess side with
// mime.Options.DecodedSizes, which also computes every part's BINARY.SIZE
// in the pass (what a store does before caching the structure). go-imap
// has no equivalent; compare with BenchmarkExtract/*/mailaccess to see
// what the sizes cost.
func BenchmarkExtractDecodedSizes(b *testing.B) {
	for _, in := range extractInputs() {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.msg)))
			b.ReportAllocs()
			for b.Loop() {
				s, err := mime.Parse(bytes.NewReader(in.msg), &mime.Options{DecodedSizes: true})
				if err != nil || s.Envelope() == nil {
					b.Fatal(err)
				}
				_ = s.BodyStructure(true)
			}
		})
	}
}
