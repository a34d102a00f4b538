package wire

import (
	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes the FETCH response (RFC 3501 §7.4.2, RFC 9051 §7.5.2
// and the extensions' msg-att items):
//
//	message-data    = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
//	msg-att         = "(" (msg-att-dynamic / msg-att-static)
//	                   *(SP (msg-att-dynamic / msg-att-static)) ")"
//	msg-att-dynamic = "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"
//	                  / "MODSEQ" SP "(" permsg-modsequence ")" ; RFC 7162
//	                  / "PREVIEW" SP nstring                     ; RFC 8970
//	msg-att-static  = "ENVELOPE" SP envelope /
//	                  "INTERNALDATE" SP date-time /
//	                  "RFC822" [".HEADER" / ".TEXT"] SP nstring / ; RFC 3501
//	                  "RFC822.SIZE" SP number64 /
//	                  "BODY" ["STRUCTURE"] SP body /
//	                  "BODY" section ["<" number ">"] SP nstring /
//	                  "BINARY" section-binary SP (nstring / literal8) /
//	                  "BINARY.SIZE" section-binary SP number /
//	                  "UID" SP uniqueid /
//	                  "EMAILID" SP "(" objectid ")" /             ; RFC 8474
//	                  "THREADID" SP ("(" objectid ")" / nil) /
//	                  "SAVEDATE" SP (date-time / nil)             ; RFC 8514

// FETCH item names the decoder knows.
const (
	rItUnknown = iota
	rItUID
	rItFlags
	rItInternalDate
	rItRFC822Size
	rItRFC822
	rItRFC822Header
	rItRFC822Text
	rItEnvelope
	rItBody
	rItBodyStructure
	rItBinary
	rItBinarySize
	rItModSeq
	rItEmailID
	rItThreadID
	rItSaveDate
	rItPreview
)

var rItemKinds = [...]imap.FetchAttrKind{
	rItUnknown:       imap.FetchOther,
	rItUID:           imap.FetchUID,
	rItFlags:         imap.FetchFlags,
	rItInternalDate:  imap.FetchInternalDate,
	rItRFC822Size:    imap.FetchRFC822Size,
	rItRFC822:        imap.FetchRFC822,
	rItRFC822Header:  imap.FetchRFC822Header,
	rItRFC822Text:    imap.FetchRFC822Text,
	rItEnvelope:      imap.FetchEnvelope,
	rItBody:          imap.FetchBody,
	rItBodyStructure: imap.FetchBodyStructure,
	rItBinary:        imap.FetchBinary,
	rItBinarySize:    imap.FetchBinarySize,
	rItModSeq:        imap.FetchModSeq,
	rItEmailID:       imap.FetchEmailID,
	rItThreadID:      imap.FetchThreadID,
	rItSaveDate:      imap.FetchSaveDate,
	rItPreview:       imap.FetchPreview,
}

// rItemCode recognizes a FETCH item name, case-insensitively: a switch on
// the first byte, then one comparison or two.
func rItemCode(b []byte) int {
	switch rUpperByte(b) {
	case 'U':
		if equalFold(b, "UID") {
			return rItUID
		}
	case 'F':
		if equalFold(b, "FLAGS") {
			return rItFlags
		}
	case 'I':
		if equalFold(b, "INTERNALDATE") {
			return rItInternalDate
		}
	case 'R':
		switch len(b) {
		case 6:
			if equalFold(b, "RFC822") {
				return rItRFC822
			}
		case 11:
			if equalFold(b, "RFC822.SIZE") {
				return rItRFC822Size
			}
			if equalFold(b, "RFC822.TEXT") {
				return rItRFC822Text
			}
		case 13:
			if equalFold(b, "RFC822.HEADER") {
				return rItRFC822Header
			}
		}
	case 'E':
		if equalFold(b, "ENVELOPE") {
			return rItEnvelope
		}
		if equalFold(b, "EMAILID") {
			return rItEmailID
		}
	case 'B':
		switch len(b) {
		case 4:
			if equalFold(b, "BODY") {
				return rItBody
			}
		case 6:
			if equalFold(b, "BINARY") {
				return rItBinary
			}
		case 11:
			if equalFold(b, "BINARY.SIZE") {
				return rItBinarySize
			}
		case 13:
			if equalFold(b, "BODYSTRUCTURE") {
				return rItBodyStructure
			}
		}
	case 'M':
		if equalFold(b, "MODSEQ") {
			return rItModSeq
		}
	case 'T':
		if equalFold(b, "THREADID") {
			return rItThreadID
		}
	case 'S':
		if equalFold(b, "SAVEDATE") {
			return rItSaveDate
		}
	case 'P':
		if equalFold(b, "PREVIEW") {
			return rItPreview
		}
	}
	return rItUnknown
}

// rFetch reads msg-att (after "FETCH" SP) into r.Fetch. Lenient mode
// accepts missing or doubled spaces between items and an empty list.
func (d *Decoder) rFetch(r *Response, seq uint32) error {
	if !d.accept('(') {
		return d.rErrByte('(')
	}
	if err := d.rPush(); err != nil {
		return err
	}
	defer d.pop()
	// Items are decoded in place at the start of the slab, whose free
	// elements are zero: on error, the ones written are cleared again.
	rs := &d.resp
	n, err := d.rFetchItems(seq)
	if err != nil {
		clear(rs.itemSlab[:min(n+1, len(rs.itemSlab))])
		return err
	}
	items := rSeal(&rs.itemSlab, n)
	fd := &rTake(&rs.fetchSlab, 1, rFetchChunk)[0]
	fd.Seq = seq
	fd.Items = items
	r.Fetch = fd
	return nil
}

// rFetchItems decodes the items after "(" into the item region and
// returns their number (on error, the number completed).
func (d *Decoder) rFetchItems(seq uint32) (int, error) {
	rs := &d.resp
	strict := d.opt.Mode == Strict
	n := 0
	for {
		if !strict {
			d.rSkipSpaces()
		}
		if d.accept(')') {
			if n == 0 && strict {
				d.pos--
				return n, d.errExpected("msg-att")
			}
			return n, nil
		}
		if n > 0 && strict {
			if err := d.rExpect(' '); err != nil {
				return n, d.errExpected(`SP or ")"`)
			}
		}
		if n >= d.opt.MaxListLength {
			return n, d.syntaxErr("", ErrListTooLong)
		}
		if err := d.rFetchItem(rSlot(&rs.itemSlab, n, rItemChunk), seq); err != nil {
			return n, err
		}
		n++
	}
}

// rFetchItem reads one item (name and value) into it.
func (d *Decoder) rFetchItem(it *imap.FetchItem, seq uint32) error {
	line := d.line
	start := d.pos
	i := start
	for i < len(line) && rItemNameChar[line[i]] {
		i++
	}
	if i == start {
		return d.errExpected("FETCH item")
	}
	code := rItemCode(line[start:i])
	d.pos = i
	it.Kind = rItemKinds[code]
	switch code {
	case rItUnknown:
		return d.rOtherItem(it, start)
	case rItBody:
		if d.peek() == '[' {
			it.Kind = imap.FetchBodySection
			if err := d.rSection(&it.Section, false); err != nil {
				return err
			}
			if err := d.rOrigin(it); err != nil {
				return err
			}
		}
	case rItBinary:
		if err := d.rSection(&it.Section, true); err != nil {
			return err
		}
		// RFC 9051 §7.5.2 documents BINARY[<section-binary>]<<number>>,
		// although its ABNF leaves the origin out.
		if err := d.rOrigin(it); err != nil {
			return err
		}
	case rItBinarySize:
		if err := d.rSection(&it.Section, true); err != nil {
			return err
		}
	}

	if !d.accept(' ') {
		// Lenient: an item with no value ("* 1 FETCH (UID 5 FLAGS)").
		if d.opt.Mode != Strict && d.peek() == ')' {
			return nil
		}
		return d.errExpected("SP")
	}
	if d.opt.Mode != Strict {
		d.rSkipSpaces()
		if d.peek() == ')' {
			return nil
		}
	}

	var err error
	switch code {
	case rItUID:
		var n uint32
		n, err = d.nzNumber()
		it.Num = uint64(n)
	case rItFlags:
		it.Flags, err = d.rFlagList(false, false)
	case rItInternalDate:
		it.Time, err = d.dateTime()
	case rItRFC822Size:
		it.Num, err = d.number64()
	case rItEnvelope:
		it.Envelope, err = d.rEnvelope()
	case rItBody:
		if it.Kind == imap.FetchBodySection {
			err = d.rMsgData(it, seq, false)
		} else {
			it.Body, err = d.rBodyStructure(false)
		}
	case rItBodyStructure:
		it.Body, err = d.rBodyStructure(true)
	case rItBinary:
		err = d.rMsgData(it, seq, true)
	case rItRFC822, rItRFC822Header, rItRFC822Text:
		err = d.rMsgData(it, seq, false)
	case rItBinarySize:
		var n uint32
		n, err = d.number()
		it.Num = uint64(n)
	case rItModSeq:
		// "MODSEQ" SP "(" permsg-modsequence ")" (RFC 7162 §7)
		if err = d.rExpect('('); err == nil {
			if it.Num, err = d.rModSeq(); err == nil {
				err = d.rExpect(')')
			}
		}
	case rItEmailID:
		var s string
		s, err = d.rObjectID()
		it.Data = imap.NString{S: s, Valid: true}
	case rItThreadID:
		if !d.acceptNIL() {
			var s string
			s, err = d.rObjectID()
			it.Data = imap.NString{S: s, Valid: true}
		}
	case rItSaveDate:
		// "SAVEDATE" SP (date-time / nil) (RFC 8514 §5). Data tells NIL
		// from a date and holds its text in the form the encoder writes
		// (" 1-Jan-2015", not "01-Jan-2015"), so that the item
		// round-trips.
		if !d.acceptNIL() {
			it.Time, err = d.dateTime()
			if err == nil {
				it.Data = imap.NString{S: string(appendDateTimeText(make([]byte, 0, 26), it.Time)), Valid: true}
			}
		}
	case rItPreview:
		it.Data, err = d.nstring()
	}
	return err
}

// rOtherItem reads an item the codec has no typed form for: a vendor item
// decoded by Options.FetchItems, or any other kept verbatim in Raw. Its
// name, upper-cased, includes any [section] and <origin>.
func (d *Decoder) rOtherItem(it *imap.FetchItem, start int) error {
	line := d.line
	i := d.pos
	if d.opt.Mode == Strict && encIsNIL(str(line[start:i])) {
		// NIL is a value, not an item name.
		d.pos = start
		return d.errExpected("msg-att")
	}
	if i < len(line) && line[i] == '[' {
		for i < len(line) && line[i] != ']' {
			i++
		}
		if i < len(line) {
			i++
		}
	}
	if i < len(line) && line[i] == '<' {
		for i < len(line) && line[i] != '>' {
			i++
		}
		if i < len(line) {
			i++
		}
	}
	d.pos = i
	it.Kind = imap.FetchOther
	it.Name = upper(line[start:i])
	if !d.accept(' ') {
		if d.opt.Mode != Strict && d.peek() == ')' {
			return nil
		}
		return d.errExpected("SP")
	}
	d.rSkipSpaces()
	if fn := d.opt.FetchItems[it.Name]; fn != nil {
		d.resp.sc.d = d
		v, err := fn(&d.resp.sc)
		it.Value = v
		return err
	}
	raw, err := d.rawValue()
	it.Raw = raw
	return err
}

// rSection reads a section (binary false) or a section-binary:
//
//	section         = "[" [section-spec] "]"
//	section-binary  = "[" [section-part] "]"
//	section-spec    = section-msgtext / (section-part ["." section-text])
//	section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list /
//	                  "TEXT"
//	section-text    = section-msgtext / "MIME"
//	section-part    = nz-number *("." nz-number)
//	header-list     = "(" header-fld-name *(SP header-fld-name) ")"
func (d *Decoder) rSection(sec *imap.Section, binary bool) error {
	if !d.accept('[') {
		return d.rErrByte('[')
	}
	strict := d.opt.Mode == Strict
	rs := &d.resp
	if c := d.peek(); c >= '0' && c <= '9' {
		base := len(rs.nums)
		for {
			n, err := d.nzNumber()
			if err != nil {
				rs.nums = rs.nums[:base]
				return err
			}
			if len(rs.nums)-base >= d.opt.MaxDepth {
				rs.nums = rs.nums[:base]
				return d.syntaxErr("", ErrTooDeep)
			}
			rs.nums = append(rs.nums, n)
			if d.peek() == '.' && d.pos+1 < len(d.line) && d.line[d.pos+1] >= '0' && d.line[d.pos+1] <= '9' {
				d.pos++
				continue
			}
			break
		}
		sec.Part = rs.popNums(base)
		if !d.accept('.') {
			return d.rExpect(']')
		}
		if binary && strict {
			d.pos--
			return d.errExpected(`"]"`)
		}
	} else if d.accept(']') {
		return nil
	} else if binary && strict {
		return d.errExpected("section-part")
	}
	specStart := d.pos
	line := d.line
	i := specStart
	for i < len(line) && (line[i] >= 'A' && line[i] <= 'Z' || line[i] >= 'a' && line[i] <= 'z' || line[i] == '.') {
		i++
	}
	spec := line[specStart:i]
	d.pos = i
	switch {
	case equalFold(spec, "HEADER"):
		sec.Spec = imap.SpecHeader
	case equalFold(spec, "TEXT"):
		sec.Spec = imap.SpecText
	case equalFold(spec, "MIME") && (len(sec.Part) > 0 || !strict):
		sec.Spec = imap.SpecMIME
	case equalFold(spec, "HEADER.FIELDS"):
		sec.Spec = imap.SpecHeaderFields
	case equalFold(spec, "HEADER.FIELDS.NOT"):
		sec.Spec = imap.SpecHeaderFieldsNot
	default:
		d.pos = specStart
		return d.errExpected("section-spec")
	}
	if sec.Spec == imap.SpecHeaderFields || sec.Spec == imap.SpecHeaderFieldsNot {
		if err := d.sp(); err != nil {
			return err
		}
		base := len(rs.strs)
		err := d.list(!strict, func() error {
			s, err := d.astring()
			rs.strs = append(rs.strs, s)
			return err
		})
		if err != nil {
			rs.strs = rs.strs[:base]
			return err
		}
		sec.Fields = rs.popStrs(base)
	}
	return d.rExpect(']')
}

// rOrigin reads an optional "<" number ">".
func (d *Decoder) rOrigin(it *imap.FetchItem) error {
	if !d.accept('<') {
		return nil
	}
	n, err := d.number()
	if err != nil {
		return err
	}
	it.Origin = n
	it.HasOrigin = true
	return d.rExpect('>')
}

// rMsgData reads the value of a message-data item (BODY[], BINARY[],
// RFC822, RFC822.HEADER, RFC822.TEXT): NIL, a quoted string, or a literal
// (literal8 for BINARY; lenient mode takes one anywhere). A literal goes
// to Options.Stream if it is set, and into memory (up to
// MaxMemoryLiteral) otherwise.
func (d *Decoder) rMsgData(it *imap.FetchItem, seq uint32, binary bool) error {
	switch d.peek() {
	case '"':
		b, err := d.quoted()
		it.Data = imap.NString{S: str(b), Valid: true}
		return err
	case '{', '~':
	default:
		if d.acceptNIL() {
			return nil
		}
		if d.opt.Mode != Strict {
			if b := d.span(&atomChar); len(b) > 0 {
				it.Data = imap.NString{S: str(b), Valid: true}
				return nil
			}
		}
		return d.errExpected("nstring or literal")
	}
	h, err := d.literalHeader(binary || d.opt.Mode != Strict)
	if err != nil {
		return err
	}
	it.Binary = h.binary
	if d.opt.Stream == nil {
		data, err := d.readLiteralData(h)
		if err != nil {
			return err
		}
		it.Data = imap.NString{S: str(data), Valid: true}
		return nil
	}
	if err := d.startLiteral(h); err != nil {
		return err
	}
	d.lit = Literal{Size: h.size, NonSync: h.nonSync, Binary: h.binary, Seq: seq, UID: d.uidFetch, Item: it, r: &d.lr}
	herr := d.opt.Stream(&d.lit)
	d.lit = Literal{}
	if err := d.lr.discard(); err != nil {
		return err
	}
	it.Streamed = true
	it.Size = h.size
	if err := d.readLine(); err != nil {
		return err
	}
	if herr != nil {
		return &rHandlerError{herr}
	}
	return nil
}
