package imap

import (
	"io"
	"time"
)

// SectionSpec is the section-msgtext/section-text specifier of a body
// section (RFC 3501 §6.4.5).
type SectionSpec string

// Section specifiers.
const (
	SpecNone            SectionSpec = ""
	SpecHeader          SectionSpec = "HEADER"
	SpecHeaderFields    SectionSpec = "HEADER.FIELDS"
	SpecHeaderFieldsNot SectionSpec = "HEADER.FIELDS.NOT"
	SpecText            SectionSpec = "TEXT"
	SpecMIME            SectionSpec = "MIME"
)

// Section is a body section: BODY[1.2.HEADER.FIELDS (From To)]. Part is the
// part path (empty for the whole message); Fields is used by the
// HEADER.FIELDS and HEADER.FIELDS.NOT specifiers only. The zero value is the
// whole message, "[]".
type Section struct {
	Part   []uint32
	Spec   SectionSpec
	Fields []string
}

// Partial is a byte range of a section: <Offset.Count> in a FETCH command.
type Partial struct {
	Offset uint32
	Count  uint32
}

// FetchAttrKind names a FETCH attribute (fetch-att, RFC 3501 §6.4.5,
// RFC 9051 §6.4.5) or a FETCH response item (msg-att, §7.4.2).
type FetchAttrKind string

// FETCH attributes and response item names.
const (
	FetchAll           FetchAttrKind = "ALL"  // macro
	FetchFast          FetchAttrKind = "FAST" // macro
	FetchFull          FetchAttrKind = "FULL" // macro
	FetchEnvelope      FetchAttrKind = "ENVELOPE"
	FetchFlags         FetchAttrKind = "FLAGS"
	FetchInternalDate  FetchAttrKind = "INTERNALDATE"
	FetchRFC822        FetchAttrKind = "RFC822"
	FetchRFC822Header  FetchAttrKind = "RFC822.HEADER"
	FetchRFC822Size    FetchAttrKind = "RFC822.SIZE"
	FetchRFC822Text    FetchAttrKind = "RFC822.TEXT"
	FetchBody          FetchAttrKind = "BODY" // without section: non-extensible BODYSTRUCTURE
	FetchBodyStructure FetchAttrKind = "BODYSTRUCTURE"
	FetchUID           FetchAttrKind = "UID"
	FetchBodySection   FetchAttrKind = "BODY[]"        // BODY[section]<partial>
	FetchBodyPeek      FetchAttrKind = "BODY.PEEK[]"   // command only
	FetchBinary        FetchAttrKind = "BINARY[]"      // RFC 3516
	FetchBinaryPeek    FetchAttrKind = "BINARY.PEEK[]" // command only
	FetchBinarySize    FetchAttrKind = "BINARY.SIZE[]"
	FetchModSeq        FetchAttrKind = "MODSEQ"   // RFC 7162
	FetchEmailID       FetchAttrKind = "EMAILID"  // RFC 8474
	FetchThreadID      FetchAttrKind = "THREADID" // RFC 8474
	FetchSaveDate      FetchAttrKind = "SAVEDATE" // RFC 8514
	FetchPreview       FetchAttrKind = "PREVIEW"  // RFC 8970
	// FetchOther is an attribute or item the codec has no typed form for;
	// its name is kept in Name and (for items) its value in Raw.
	FetchOther FetchAttrKind = ""
)

// HasSection reports whether the kind carries a [section].
func (k FetchAttrKind) HasSection() bool {
	switch k {
	case FetchBodySection, FetchBodyPeek, FetchBinary, FetchBinaryPeek, FetchBinarySize:
		return true
	}
	return false
}

// FetchAttr is one attribute requested by a FETCH command.
type FetchAttr struct {
	Kind    FetchAttrKind
	Section Section  // for kinds with HasSection
	Partial *Partial // for BODY[], BODY.PEEK[], BINARY[], BINARY.PEEK[]
	Lazy    bool     // PREVIEW (LAZY) modifier, RFC 8970
	Name    string   // the attribute's name when Kind is FetchOther
}

// FetchItem is one item of a FETCH response (msg-att). Which fields are set
// depends on Kind:
//
//   - UID, RFC822.SIZE, BINARY.SIZE[], MODSEQ: Num
//   - FLAGS: Flags
//   - INTERNALDATE, SAVEDATE: Time (SAVEDATE may be NIL: Data.Valid
//     false; otherwise Data holds the date's text, as the encoder writes it)
//   - ENVELOPE: Envelope
//   - BODY, BODYSTRUCTURE: Body
//   - BODY[], BINARY[], RFC822, RFC822.HEADER, RFC822.TEXT: Section,
//     Origin (HasOrigin), and either Data (held in memory, NIL when not
//     Valid) or Streamed with Size, when the decoder handed the literal to a
//     stream handler
//   - EMAILID, THREADID, PREVIEW: Data
//   - anything else: Name and Raw, or Value from a registered vendor parser.
type FetchItem struct {
	Kind      FetchAttrKind
	Section   Section
	Origin    uint32
	HasOrigin bool
	Num       uint64
	Flags     []Flag
	Time      time.Time
	Envelope  *Envelope
	Body      *BodyStructure
	Data      NString
	Binary    bool  // the section data was sent as literal8 (~{n})
	Streamed  bool  // the data went to the decoder's stream handler
	Size      int64 // size of the section data in octets, when Streamed
	Name      string
	Raw       RawValue
	Value     any
	// Reader, when non-nil, is what an encoder streams as the section's
	// literal: exactly Size octets are read from it.
	Reader io.Reader
}

// FetchData is an untagged FETCH response: the message's sequence number and
// its items, in the order they were sent; or, with UIDFetch, a UIDFETCH
// response (RFC 9586 §3.3, once UIDONLY is enabled), where Seq holds the
// message's UID instead.
type FetchData struct {
	Seq   uint32
	Items []FetchItem
	// UIDFetch says Seq is the message's UID: the response is UIDFETCH
	// (uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att, RFC 9586 §3.3).
	UIDFetch bool
}

// Item returns the first item of the given kind, or nil.
func (f *FetchData) Item(kind FetchAttrKind) *FetchItem {
	for i := range f.Items {
		if f.Items[i].Kind == kind {
			return &f.Items[i]
		}
	}
	return nil
}

// UID returns the UID item's value; for a UIDFETCH response without one,
// the UID it is about (Seq); otherwise 0.
func (f *FetchData) UID() uint32 {
	if it := f.Item(FetchUID); it != nil {
		return uint32(it.Num)
	}
	if f.UIDFetch {
		return f.Seq
	}
	return 0
}
