package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime/metrics"
	"strings"
	"testing"
)

// fuzzOptions are small limits, so that no input can make the decoder
// allocate much.
func fuzzOptions(mode Mode) *Options {
	return &Options{
		Mode:             mode,
		MaxLineLength:    1 << 14,
		MaxLiteralSize:   1 << 16,
		MaxMemoryLiteral: 1 << 12,
		MaxDepth:         32,
		MaxListLength:    1 << 12,
		MaxLiterals:      64,
	}
}

var errFuzzStream = errors.New("fuzz stream handler error")

// FuzzReadResponse decodes arbitrary bytes as a stream of responses. The
// decoder must never panic or hang, must make progress on every call,
// must return only io.EOF, io.ErrUnexpectedEOF, syntax and limit errors
// (and its stream handler's), and must not allocate much more than the
// input. Whatever strict mode accepts, lenient mode must decode to the
// same value.
func FuzzReadResponse(f *testing.F) {
	for _, in := range rfcLiteralExamples {
		f.Add([]byte(in))
	}
	f.Add([]byte("* 1 FETCH (UID 5 FLAGS)\r\n+\r\n* ok [alert] hi\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		before := allocatedBytes()
		fuzzLockstep(t, data)

		// Stream mode, with a handler that reads a little and sometimes
		// fails.
		opts := fuzzOptions(Lenient)
		calls := 0
		opts.Stream = func(lit *Literal) error {
			calls++
			if lit.Item == nil || lit.Size < 0 {
				t.Fatalf("bad literal %+v", lit)
			}
			buf := make([]byte, 3)
			_, _ = lit.Read(buf)
			if calls%3 == 0 {
				return errFuzzStream
			}
			return nil
		}
		fuzzDecode(t, data, opts, nil)

		if n := allocatedBytes() - before; n > 4<<20+256*uint64(len(data)) {
			t.Fatalf("decoding %d bytes allocated %d bytes", len(data), n)
		}
	})
}

// fuzzDecode decodes data to the end and calls visit for each result.
func fuzzDecode(t *testing.T, data []byte, opts *Options, visit func(r *Response, err error)) {
	d := NewDecoder(bufio.NewReaderSize(bytes.NewReader(data), 16), opts)
	for {
		off := d.Offset()
		var r Response
		err := d.ReadResponse(&r)
		if visit != nil {
			visit(&r, err)
		}
		switch {
		case err == io.EOF || err == io.ErrUnexpectedEOF:
			return
		case err == nil, errors.Is(err, ErrSyntax), errors.Is(err, ErrLimit), err == errFuzzStream:
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if d.Offset() <= off {
			t.Fatalf("no progress at offset %d (%v)", off, err)
		}
	}
}

// fuzzLockstep decodes data in both modes side by side; where both
// decoders read the same message and strict mode accepts it, the results
// must agree.
func fuzzLockstep(t *testing.T, data []byte) {
	ds := NewDecoder(bufio.NewReaderSize(bytes.NewReader(data), 16), fuzzOptions(Strict))
	dl := NewDecoder(bufio.NewReaderSize(bytes.NewReader(data), 16), fuzzOptions(Lenient))
	for {
		offS, offL := ds.Offset(), dl.Offset()
		var rs, rl Response
		errS := ds.ReadResponse(&rs)
		errL := dl.ReadResponse(&rl)
		for _, err := range []error{errS, errL} {
			if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF &&
				!errors.Is(err, ErrSyntax) && !errors.Is(err, ErrLimit) {
				t.Fatalf("unexpected error %v", err)
			}
		}
		if errS == nil && offS == offL && ds.Offset() == dl.Offset() {
			if errL != nil {
				t.Fatalf("at offset %d strict mode accepts what lenient mode rejects (%v):\n%s", offS, errL, rtDump(rs))
			}
			rs.Text = strings.TrimLeft(rs.Text, " ")
			rl.Text = strings.TrimLeft(rl.Text, " ")
			if !rtEqual(&rs, &rl) {
				t.Fatalf("at offset %d the modes differ:\nstrict  %s\nlenient %s", offS, rtDump(rs), rtDump(rl))
			}
		}
		if errS == io.EOF || errS == io.ErrUnexpectedEOF || errL == io.EOF || errL == io.ErrUnexpectedEOF {
			// Run the other to the end, for its own checks.
			if errS != io.EOF && errS != io.ErrUnexpectedEOF {
				fuzzDrain(t, ds)
			}
			if errL != io.EOF && errL != io.ErrUnexpectedEOF {
				fuzzDrain(t, dl)
			}
			return
		}
		if ds.Offset() <= offS || dl.Offset() <= offL {
			t.Fatalf("no progress at offsets %d/%d", offS, offL)
		}
	}
}

func fuzzDrain(t *testing.T, d *Decoder) {
	for {
		off := d.Offset()
		var r Response
		err := d.ReadResponse(&r)
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return
		}
		if err != nil && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrLimit) {
			t.Fatalf("unexpected error %v", err)
		}
		if d.Offset() <= off {
			t.Fatalf("no progress at offset %d", off)
		}
	}
}

var allocSample = []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}

// allocatedBytes returns the bytes allocated on the heap so far.
func allocatedBytes() uint64 {
	metrics.Read(allocSample)
	return allocSample[0].Value.Uint64()
}
