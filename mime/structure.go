package mime

import (
	"github.com/mailaccess/mailaccess/imap"
	"strings"
)

// Part is one entity of a message's MIME tree with the byte offsets of its
// header and body in the raw message.
//
// The root Part of a Structure is the message itself: its header is the
// message header (RFC 5322 fields and MIME fields together). A multipart
// has its body parts in Parts; a message/rfc822 (or message/global) part
// has exactly one child in Parts, the embedded message, whose header is the
// embedded message's header. Every other part has no children.
type Part struct {
	// Offset is where the part's header begins in the raw message.
	Offset int64
	// HeaderSize is the size of the header in octets, including the empty
	// line that ends it (if present).
	HeaderSize int64
	// BodySize is the size of the body in octets. A body part's body ends
	// before the line ending that precedes the next boundary delimiter
	// (RFC 2046 §5.1.1: that line ending belongs to the delimiter).
	BodySize int64
	// BodyLines is the number of lines in the body: the count of line
	// feeds, plus one for a final line without a line ending.
	BodyLines int64
	// DecodedSize is the size of the body with its Content-Transfer-Encoding
	// decoded (BINARY.SIZE, RFC 3516); for identity encodings it is
	// BodySize. It is -1 for a base64 or quoted-printable part when Parse
	// ran without Options.DecodedSizes (Structure.BinarySize then counts
	// it).
	DecodedSize int64

	// Type and Subtype are the media type as sent ("text", "plain"), or the
	// RFC 2045 §5.2 default: text/plain, or message/rfc822 inside a
	// multipart/digest.
	Type, Subtype string
	// Params are the Content-Type parameters, RFC 2231 continuations and
	// charsets decoded, in order. The default text/plain carries
	// charset=us-ascii.
	Params []imap.Param
	// ID, Description, MD5 and Location are Content-ID, Content-Description,
	// Content-MD5 (RFC 1864) and Content-Location (RFC 2557) as sent, NIL
	// when absent.
	ID, Description, MD5, Location imap.NString
	// Encoding is the Content-Transfer-Encoding as sent; "" means absent
	// (BODYSTRUCTURE then says "7BIT").
	Encoding string
	// Disposition is Content-Disposition (RFC 2183), nil when absent.
	Disposition *imap.Disposition
	// Language is Content-Language (RFC 3282), nil when absent.
	Language []string

	// Envelope is set on message parts: the root and the child of every
	// message/rfc822 part.
	Envelope *imap.Envelope

	// Parts are the children (see above).
	Parts []Part
}

// IsMultipart reports whether p is a multipart (its Parts are body parts).
func (p *Part) IsMultipart() bool { return strings.EqualFold(p.Type, "multipart") }

// IsMessage reports whether p encapsulates a message (message/rfc822 or
// message/global, RFC 6532), whose single child is that message.
func (p *Part) IsMessage() bool {
	return strings.EqualFold(p.Type, "message") && (strings.EqualFold(p.Subtype, "rfc822") || strings.EqualFold(p.Subtype, "global"))
}

// BodyOffset is where the part's body begins in the raw message.
func (p *Part) BodyOffset() int64 { return p.Offset + p.HeaderSize }

// End is where the part's body ends in the raw message.
func (p *Part) End() int64 { return p.Offset + p.HeaderSize + p.BodySize }

// Param returns the value of the Content-Type parameter named key
// (case-insensitively).
func (p *Part) Param(key string) (string, bool) {
	for _, kv := range p.Params {
		if strings.EqualFold(kv.Key, key) {
			return kv.Value, true
		}
	}
	return "", false
}

// Structure is the parsed structure of one message. The zero value is not
// useful; make one with Parse or UnmarshalBinary.
type Structure struct {
	// Root is the message.
	Root Part
	// Size is the size of the whole message in octets (RFC822.SIZE).
	Size int64
}
