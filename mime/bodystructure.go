package mime

import (
	"math"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// Envelope returns the message's ENVELOPE (RFC 3501 §7.4.2).
func (s *Structure) Envelope() *imap.Envelope { return s.Root.Envelope }

// BodyStructure returns the message's BODYSTRUCTURE (extended true) or
// BODY (extended false) per RFC 3501 §7.4.2 and RFC 9051 §7.5.2.
func (s *Structure) BodyStructure(extended bool) imap.BodyStructure {
	return s.Root.BodyStructure(extended)
}

// emptyBody stands in for the body parts of a multipart in which no
// delimiter was found: the grammar needs at least one (body-type-mpart =
// 1*body), and this is what Dovecot sends in that case.
var emptyBody = imap.BodyStructure{
	Type: "text", Subtype: "plain",
	Params:   []imap.Param{{Key: "charset", Value: "us-ascii"}},
	Encoding: "7bit",
}

func clamp32(n int64) uint32 {
	if n < 0 {
		return 0
	}
	if n > math.MaxUint32 {
		return math.MaxUint32
	}
	return uint32(n)
}

// BodyStructure returns the part's BODYSTRUCTURE (extended true) or BODY
// (extended false).
func (p *Part) BodyStructure(extended bool) imap.BodyStructure {
	b := imap.BodyStructure{
		Type:     p.Type,
		Subtype:  p.Subtype,
		Extended: extended,
	}
	if p.IsMultipart() {
		// Even without a boundary or any part found: Dovecot answers
		// with one empty text/plain part, which keeps the grammar.
		b.Parts = make([]imap.BodyStructure, len(p.Parts))
		for i := range p.Parts {
			b.Parts[i] = p.Parts[i].BodyStructure(extended)
		}
		if len(b.Parts) == 0 {
			e := emptyBody
			e.Extended = extended
			b.Parts = []imap.BodyStructure{e}
		}
		if extended {
			b.Params = p.Params
			b.Disposition = p.Disposition
			b.Language = p.Language
			b.Location = p.Location
		}
		return b
	}
	b.Params = p.Params
	b.ID = p.ID
	b.Description = p.Description
	b.Encoding = p.Encoding
	if b.Encoding == "" {
		b.Encoding = "7bit"
	}
	b.Size = clamp32(p.BodySize)
	switch {
	case p.IsMessage() && len(p.Parts) == 1:
		if strings.EqualFold(p.Subtype, "rfc822") {
			// Dovecot always writes this form in lower case.
			b.Type, b.Subtype = "message", "rfc822"
		}
		child := &p.Parts[0]
		b.Envelope = child.Envelope
		body := child.BodyStructure(extended)
		b.Body = &body
		b.Lines = clamp32(p.BodyLines)
	case p.IsMessage():
		// Not parsed as a message (an encoded message/rfc822, or too
		// deep): the grammar still needs an envelope and a body.
		b.Envelope = &imap.Envelope{}
		body := emptyBody
		body.Extended = extended
		b.Body = &body
		b.Lines = clamp32(p.BodyLines)
	case strings.EqualFold(p.Type, "text"):
		b.Lines = clamp32(p.BodyLines)
	}
	if extended {
		b.MD5 = p.MD5
		b.Disposition = p.Disposition
		b.Language = p.Language
		b.Location = p.Location
	}
	return b
}

func (p *Part) hasBoundary() bool {
	v, ok := p.Param("boundary")
	return ok && v != ""
}
