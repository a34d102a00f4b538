package imap

import "strings"

// Param is one attribute/value pair of a body parameter list
// (body-fld-param). Order is preserved as sent.
type Param struct {
	Key   string
	Value string
}

// Disposition is a body disposition (RFC 2183) as carried in
// BODYSTRUCTURE: its type ("inline", "attachment") and parameters.
type Disposition struct {
	Type   string
	Params []Param
}

// BodyStructure is the BODY or BODYSTRUCTURE FETCH item
// (RFC 3501 §7.4.2, RFC 9051 §7.5.2). One type serves every kind of part:
//
//   - multipart: Parts is non-empty, Subtype holds the multipart subtype
//     (a lenient decoder may also give a multipart without parts, as Gmail
//     sends some: Type "MULTIPART" and Parts empty but not nil; the
//     grammar cannot express it, so IsMultipart reports false and an
//     encoder writes it as a single part);
//   - message/rfc822 (and message/global): Envelope, Body and Lines are set;
//   - text/*: Lines is set;
//   - anything else: the basic fields only.
//
// Extended is true for the BODYSTRUCTURE form, which carries the extension
// fields (MD5 for single parts, Params for multiparts, Disposition,
// Language, Location and any further extension data).
type BodyStructure struct {
	Type    string // media type, e.g. "TEXT"; "MULTIPART" for multiparts
	Subtype string // media subtype, e.g. "PLAIN"

	// Params are the Content-Type parameters. For a single part they are
	// a basic field; for a multipart they are an extension field.
	Params []Param

	// Basic fields of a single part.
	ID          NString
	Description NString
	Encoding    string // Content-Transfer-Encoding, e.g. "7BIT"
	Size        uint32 // size of the body in octets

	// Lines is the size in text lines, for text/* and message/rfc822.
	Lines uint32

	// Message/rfc822 only.
	Envelope *Envelope
	Body     *BodyStructure

	// Parts of a multipart.
	Parts []BodyStructure

	// Extension data (BODYSTRUCTURE only).
	Extended    bool
	MD5         NString // single part only
	Disposition *Disposition
	Language    []string // nil for NIL
	Location    NString
	// Extensions holds further extension data (body-extension) verbatim.
	Extensions []RawValue
}

// IsMultipart reports whether b is a multipart body.
func (b *BodyStructure) IsMultipart() bool { return len(b.Parts) > 0 }

// IsMessage reports whether b is a message/rfc822 or message/global part,
// which carries an envelope and a nested body structure.
func (b *BodyStructure) IsMessage() bool {
	return strings.EqualFold(b.Type, "message") &&
		(strings.EqualFold(b.Subtype, "rfc822") || strings.EqualFold(b.Subtype, "global"))
}

// IsText reports whether b is a text/* part, which carries a line count.
func (b *BodyStructure) IsText() bool { return strings.EqualFold(b.Type, "text") }

// Param returns the value of the named Content-Type parameter
// (case-insensitive) and whether it was present.
func (b *BodyStructure) Param(key string) (string, bool) {
	for _, p := range b.Params {
		if strings.EqualFold(p.Key, key) {
			return p.Value, true
		}
	}
	return "", false
}

// RawValue is protocol data kept verbatim because no typed form is known for
// it: an unknown FETCH item's value, an unknown response code's argument,
// body extension data. It holds the exact bytes as they appeared on the wire
// (for a literal: the {n} prefix, CRLF and content).
type RawValue []byte
