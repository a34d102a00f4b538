package mime

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// Options are the limits Parse enforces. The zero value (or a nil
// *Options) selects the defaults. Limits bound memory and work; reaching one
// does not fail the parse: the excess is treated as plain body text, as a
// server must still answer FETCH for a message it has accepted.
type Options struct {
	// MaxHeaderSize is how many octets of one header block are kept and
	// parsed; the rest of a larger header still counts in its size but its
	// fields are ignored. Default 1 MiB.
	MaxHeaderSize int
	// MaxParts is the most MIME parts in one message; later parts are body
	// text of the last part kept. Default 10000.
	MaxParts int
	// MaxDepth is the deepest nesting of multiparts and message/rfc822
	// parts; deeper ones are leaves. Default 100.
	MaxDepth int
	// DecodedSizes makes Parse compute the decoded size (BINARY.SIZE) of
	// every base64 or quoted-printable part in its one pass. Without it
	// those parts get DecodedSize -1 and BinarySize computes the size
	// from the message when it is asked for. A store that caches the
	// Structure sets it, so that BINARY.SIZE is answered from the cache;
	// Parse then reads encoded bodies octet by octet (base64 is counted
	// eight octets at a time), which costs more than skipping them.
	DecodedSizes bool
}

// Default limits.
const (
	DefaultMaxHeaderSize = 1 << 20
	DefaultMaxParts      = 10000
	DefaultMaxDepth      = 100
)

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxHeaderSize <= 0 {
		v.MaxHeaderSize = DefaultMaxHeaderSize
	}
	if v.MaxParts <= 0 {
		v.MaxParts = DefaultMaxParts
	}
	if v.MaxDepth <= 0 {
		v.MaxDepth = DefaultMaxDepth
	}
	return v
}

// Parse reads a whole message from r once and returns its structure. It
// holds in memory one header block at a time (up to MaxHeaderSize) and the
// reader's buffer, never the body. It fails only when r fails.
func Parse(r io.Reader, opts *Options) (*Structure, error) {
	return ParseContext(context.Background(), r, opts)
}

// ParseContext is Parse with a context: a canceled context stops the read
// between lines and returns ctx.Err().
func ParseContext(ctx context.Context, r io.Reader, opts *Options) (*Structure, error) {
	p := &parser{ctx: ctx, opts: opts.withDefaults()}
	if br, ok := r.(*bufio.Reader); ok && br.Size() >= 4096 {
		p.r = br
	} else {
		size := 32 << 10
		if l, ok := r.(interface{ Len() int }); ok {
			// A reader that knows what is left (bytes.Reader,
			// strings.Reader, bytes.Buffer) needs no larger buffer.
			size = min(max(l.Len()+1, 4096), size)
		}
		p.r = bufio.NewReaderSize(r, size)
	}
	s := &Structure{}
	p.nparts = 1
	if _, err := p.entity(&s.Root, 0, false, true); err != nil {
		return nil, err
	}
	s.Size = p.off
	return s, nil
}

// hit is the boundary line that ended an entity: the index of the
// boundary in the parser's stack and whether it was a close delimiter;
// idx -1 means the end of the input.
type hit struct {
	idx   int
	close bool
}

var eofHit = hit{idx: -1}

type parser struct {
	ctx    context.Context
	r      *bufio.Reader
	opts   Options
	nparts int
	bounds [][]byte // boundaries in scope, outermost first, without "--"

	off int64 // octets consumed
	lfs int64 // line feeds consumed

	// The line being read and the one before it.
	lineStart int64 // offset where the current line began
	lfsBefore int64 // lfs before the current line
	prevEOL   int   // length of the line ending of the previous line
	curEOL    int
	inLine    bool  // a line has begun and not ended
	delimEnd  int64 // where the last delimiter line ended
	headerEnd int64 // where the last header's empty line ended
	// afterOwnEOL is true when the line before the current one is a
	// delimiter line or the end of a header, whose line ending is its own.
	afterOwnEOL bool
	eof         bool
	err         error
	lines       int
	hdr         []byte
}

// readChunk returns the next piece of the current line; start is true at
// the beginning of a line, end is true when the chunk completes the line
// (its line ending is included). At the end of input it returns nil.
func (p *parser) readChunk() (chunk []byte, start, end bool) {
	if p.eof {
		return nil, false, false
	}
	b, err := p.r.ReadSlice('\n')
	if len(b) == 0 {
		p.eof = true
		if err != nil && err != io.EOF {
			p.err = err
		}
		return nil, false, false
	}
	start = !p.inLine
	if start {
		p.lineStart = p.off
		p.lfsBefore = p.lfs
		p.prevEOL = p.curEOL
		p.curEOL = 0
		p.afterOwnEOL = p.off == p.delimEnd || p.off == p.headerEnd
		p.lines++
		if p.lines&1023 == 0 && p.ctx.Err() != nil {
			p.eof = true
			p.err = p.ctx.Err()
			return nil, false, false
		}
	}
	p.off += int64(len(b))
	end = err == nil // ended by '\n'; ErrBufferFull and EOF leave the line open
	p.inLine = !end
	if end {
		p.lfs++
		eol := 1
		if len(b) >= 2 && b[len(b)-2] == '\r' {
			eol = 2
		}
		p.curEOL = eol
	} else if err != bufio.ErrBufferFull {
		// A final line without a line ending.
		p.eof = true
		if err != io.EOF {
			p.err = err
		}
	}
	return b, start, end
}

// boundary reports whether line (the start of a line) is a delimiter line
// of a boundary in scope. Like Dovecot, the innermost boundary is tried
// first and the line need only begin with "--" and the boundary; the
// longest match wins.
func (p *parser) boundary(line []byte) (hit, bool) {
	if len(line) < 3 || line[0] != '-' || line[1] != '-' || len(p.bounds) == 0 {
		return hit{}, false
	}
	rest := line[2:]
	best := -1
	for i := len(p.bounds) - 1; i >= 0; i-- {
		b := p.bounds[i]
		if bytes.HasPrefix(rest, b) && (best < 0 || len(b) > len(p.bounds[best])) {
			best = i
		}
	}
	if best < 0 {
		return hit{}, false
	}
	after := rest[len(p.bounds[best]):]
	return hit{idx: best, close: bytes.HasPrefix(after, []byte("--"))}, true
}

// contentEnd is where the content before the current (boundary) line
// ends: the line ending before a delimiter belongs to the delimiter
// (RFC 2046 §5.1.1). It also returns the line feeds before that point.
func (p *parser) contentEnd(from int64) (end, lfs int64) {
	end = p.lineStart
	lfs = p.lfsBefore
	if p.afterOwnEOL {
		// The line before is a delimiter line or ends a header: its
		// line ending is its own (Dovecot keeps "--inner--\r\n" whole
		// in the outer part).
		return end, lfs
	}
	end -= int64(p.prevEOL)
	if p.prevEOL > 0 {
		lfs--
	}
	return max(end, from), lfs
}

// lineCount is the RFC 3501 line count of a body: its line feeds, as
// Dovecot counts them (a final line without a line ending, such as the
// last line before a delimiter, is not counted).
func lineCount(lfs int64, size int64) int64 {
	if size <= 0 || lfs < 0 {
		return 0
	}
	return lfs
}

// header reads a header block into p.hdr. It ends at the empty line (which
// it includes), at the end of input, or before a delimiter line of an
// enclosing multipart, which it returns.
func (p *parser) header() (hit, bool) {
	p.hdr = p.hdr[:0]
	keep := true
	for {
		chunk, start, end := p.readChunk()
		if chunk == nil {
			return eofHit, true
		}
		if start {
			if h, ok := p.boundary(chunk); ok {
				// The header's last line keeps its line ending.
				p.afterOwnEOL = true
				p.skipLine(end)
				return h, true
			}
			if end && isBlankLine(chunk) {
				p.headerEnd = p.off
				return hit{}, false
			}
			// A header line that is not a field or continuation ends
			// the header in Dovecot only when the input is very broken;
			// keep going as RFC 5322 readers do.
		}
		if keep {
			if len(p.hdr)+len(chunk) > p.opts.MaxHeaderSize {
				keep = false
			} else {
				p.hdr = append(p.hdr, chunk...)
			}
		}
	}
}

// skipLine consumes the rest of the current (delimiter) line.
func (p *parser) skipLine(end bool) {
	for !end {
		var c []byte
		c, _, end = p.readChunk()
		if c == nil {
			break
		}
	}
	p.delimEnd = p.off
}

// entity parses one entity (header and body) at the current position.
// message is true for a message-level entity (the root, or the child of a
// message/rfc822 part), which gets an envelope. inDigest selects the
// multipart/digest default type.
func (p *parser) entity(part *Part, depth int, inDigest, message bool) (hit, error) {
	part.Offset = p.off
	h, ended := p.header()
	if p.err != nil {
		return h, p.err
	}
	if ended && h.idx >= 0 {
		// Cut off by a delimiter: the header ends before that line, and
		// keeps its last line ending.
		part.HeaderSize = p.lineStart - part.Offset
	} else {
		part.HeaderSize = p.off - part.Offset
	}
	hdr := ParseHeader(p.hdr)
	p.describe(part, &hdr, inDigest)
	if message {
		part.Envelope = envelopeOf(&hdr)
	}
	if ended {
		part.DecodedSize = 0
		return h, nil
	}
	bodyStart := p.off
	lfsBody := p.lfs

	var boundary string
	if part.IsMultipart() {
		boundary, _ = part.Param("boundary")
	}
	switch {
	case boundary != "" && depth < p.opts.MaxDepth:
		h = p.multipart(part, []byte(boundary), depth, strings.EqualFold(part.Subtype, "digest"))
	case part.IsMessage() && strings.EqualFold(part.Subtype, "rfc822") && depth < p.opts.MaxDepth && p.nparts < p.opts.MaxParts:
		// Like Dovecot, a message/rfc822 body is parsed as a message
		// whatever its (invalid, RFC 2046 §5.2.1) transfer encoding.
		p.nparts++
		part.Parts = make([]Part, 1)
		child := &part.Parts[0]
		var err error
		h, err = p.entity(child, depth+1, false, true)
		if err != nil {
			return h, err
		}
	default:
		h = p.leaf(part)
	}
	if p.err != nil {
		return h, p.err
	}
	var end, lfs int64
	if h.idx >= 0 {
		end, lfs = p.contentEnd(bodyStart)
	} else {
		end, lfs = p.off, p.lfs
	}
	part.BodySize = end - bodyStart
	part.BodyLines = lineCount(lfs-lfsBody, part.BodySize)
	switch {
	case !hasDecoder(part.Encoding):
		// Identity encodings, and unknown ones (BINARY then fails).
		part.DecodedSize = part.BodySize
	case !p.opts.DecodedSizes:
		part.DecodedSize = -1 // computed by BinarySize when asked
	}
	return h, nil
}

// leaf reads a single part's body up to a delimiter line in scope or the
// end of input, computing its decoded size on the way.
func (p *parser) leaf(part *Part) hit {
	var size counter
	var dec transferDecoder
	if p.opts.DecodedSizes {
		dec, _ = newTransferDecoder(part.Encoding, &size)
	}
	var pending [2]byte // the last line's ending, not yet known to be body
	npending := 0
	finish := func() {
		if dec != nil {
			dec.Close()
			part.DecodedSize = size.n
		}
	}
	for {
		if dec == nil {
			p.skipBulk()
		}
		chunk, start, end := p.readChunk()
		if chunk == nil {
			if dec != nil {
				dec.Write(pending[:npending])
			}
			finish()
			return eofHit
		}
		if start {
			if h, ok := p.boundary(chunk); ok {
				p.skipLine(end)
				finish()
				return h
			}
			if dec != nil && npending > 0 {
				dec.Write(pending[:npending])
			}
			npending = 0
		}
		if dec != nil {
			if end {
				npending = copy(pending[:], chunk[len(chunk)-p.curEOL:])
				chunk = chunk[:len(chunk)-p.curEOL]
			}
			dec.Write(chunk)
		}
	}
}

// skipToBoundary reads lines up to a delimiter line in scope (consumed)
// or the end of input.
func (p *parser) skipToBoundary() hit {
	for {
		p.skipBulk()
		chunk, start, end := p.readChunk()
		if chunk == nil {
			return eofHit
		}
		if start {
			if h, ok := p.boundary(chunk); ok {
				p.skipLine(end)
				return h
			}
		}
	}
}

// multipart reads a multipart body (RFC 2046 §5.1.1): preamble, body
// parts, epilogue. A missing close delimiter ends the multipart at the
// next enclosing delimiter or the end of input.
func (p *parser) multipart(part *Part, boundary []byte, depth int, digest bool) hit {
	p.bounds = append(p.bounds, boundary)
	me := len(p.bounds) - 1
	h := p.skipToBoundary() // the preamble
	for h.idx == me && !h.close && p.err == nil {
		if p.nparts >= p.opts.MaxParts {
			// Over the limit: the rest is text of the last part.
			for h.idx == me {
				h = p.skipToBoundary()
			}
			break
		}
		p.nparts++
		part.Parts = append(part.Parts, Part{})
		child := &part.Parts[len(part.Parts)-1]
		h, _ = p.entity(child, depth+1, digest, false)
	}
	p.bounds = p.bounds[:me]
	if h.idx == me && h.close {
		h = p.skipToBoundary() // the epilogue
	}
	return h
}

// describe fills the part's content fields from its header (RFC 2045,
// RFC 2183, RFC 3282, RFC 1864, RFC 2557). When a field appears more than
// once, the first one counts.
func (p *parser) describe(part *Part, h *Header, inDigest bool) {
	var haveType, haveEnc, haveID, haveDesc, haveMD5, haveDisp, haveLang, haveLoc bool
	for i := range h.Fields {
		f := &h.Fields[i]
		name := f.Name
		if len(name) < 8 || !strings.EqualFold(name[:8], "content-") {
			continue
		}
		switch strings.ToLower(name[8:]) {
		case "type":
			if !haveType {
				haveType = true
				if t, s, params, ok := parseContentType(f.Value()); ok {
					part.Type, part.Subtype, part.Params = t, s, params
				}
			}
		case "transfer-encoding":
			if !haveEnc {
				haveEnc = true
				// A value with anything after the token is invalid and
				// counts as absent, as in Dovecot.
				l := &lexer{s: f.Value()}
				l.skipCFWS()
				tok := l.token()
				l.skipCFWS()
				if l.i == len(l.s) {
					part.Encoding = tok
				}
			}
		case "id":
			if !haveID {
				haveID = true
				part.ID = imap.NString{S: strings.TrimSpace(f.Value()), Valid: true}
			}
		case "description":
			if !haveDesc {
				haveDesc = true
				part.Description = imap.NString{S: strings.TrimSpace(f.Value()), Valid: true}
			}
		case "md5":
			if !haveMD5 {
				haveMD5 = true
				part.MD5 = imap.NString{S: strings.TrimSpace(f.Value()), Valid: true}
			}
		case "disposition":
			if !haveDisp {
				haveDisp = true
				part.Disposition = parseDisposition(f.Value())
			}
		case "language":
			if !haveLang {
				haveLang = true
				part.Language = parseLanguage(f.Value())
			}
		case "location":
			if !haveLoc {
				haveLoc = true
				part.Location = imap.NString{S: strings.TrimSpace(f.Value()), Valid: true}
			}
		}
	}
	if part.Type == "" {
		// RFC 2045 §5.2 and RFC 2046 §5.1.5.
		if inDigest {
			part.Type, part.Subtype = "message", "rfc822"
		} else {
			part.Type, part.Subtype = "text", "plain"
		}
	}
	if strings.EqualFold(part.Type, "text") {
		if _, ok := part.Param("charset"); !ok {
			// RFC 2045 §5.2: text defaults to US-ASCII; Dovecot says so
			// in BODYSTRUCTURE and so do we.
			part.Params = append(part.Params, imap.Param{Key: "charset", Value: "us-ascii"})
		}
	}
}

// skipBulk consumes, without looking at them one by one, the whole lines
// in the reader's buffer up to the next line that begins with "-" (a
// possible delimiter line), keeping the line bookkeeping of readChunk. It
// does nothing in the middle of a line. Bodies are mostly such lines, so
// this is where Parse spends its time on a large message.
func (p *parser) skipBulk() {
	for !p.inLine && !p.eof {
		if p.r.Buffered() == 0 {
			if _, err := p.r.Peek(1); err != nil {
				return // readChunk reports it
			}
		}
		buf, _ := p.r.Peek(p.r.Buffered())
		if buf[0] == '-' {
			return
		}
		var region []byte
		if i := bytes.Index(buf, []byte("\n-")); i >= 0 {
			region = buf[:i+1]
		} else if j := bytes.LastIndexByte(buf, '\n'); j >= 0 {
			region = buf[:j+1]
		}
		if len(region) == 0 {
			return // a line longer than the buffer: readChunk's business
		}
		n := int64(bytes.Count(region, []byte("\n")))
		j := bytes.LastIndexByte(region[:len(region)-1], '\n') // -1 if one line
		last := region[j+1:]
		if n >= 2 {
			k := bytes.LastIndexByte(region[:j], '\n')
			prev := region[k+1 : j+1]
			p.prevEOL = eolLen(prev)
		} else {
			p.prevEOL = p.curEOL
		}
		p.afterOwnEOL = n == 1 && (p.off == p.delimEnd || p.off == p.headerEnd)
		p.lineStart = p.off + int64(j+1)
		p.lfsBefore = p.lfs + n - 1
		p.curEOL = eolLen(last)
		p.off += int64(len(region))
		p.lfs += n
		p.lines += int(n)
		p.r.Discard(len(region))
		if p.ctx.Err() != nil {
			p.eof = true
			p.err = p.ctx.Err()
			return
		}
	}
}

// eolLen is the length of the line ending of a line that ends in LF.
func eolLen(line []byte) int {
	if len(line) >= 2 && line[len(line)-2] == '\r' {
		return 2
	}
	return 1
}
