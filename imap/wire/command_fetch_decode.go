package wire

import (
	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes the FETCH command (RFC 3501 §6.4.5, RFC 9051 §6.4.5,
// RFC 4466 fetch-modifiers, RFC 3516 BINARY, RFC 7162 CONDSTORE/QRESYNC,
// RFC 8474 OBJECTID, RFC 8514 SAVEDATE, RFC 8970 PREVIEW):
//
//	fetch     = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" /
//	            fetch-att / "(" fetch-att *(SP fetch-att) ")")
//	            [fetch-modifiers]
//	fetch-att = "ENVELOPE" / "FLAGS" / "INTERNALDATE" /
//	            "RFC822" [".HEADER" / ".SIZE" / ".TEXT"] /
//	            "BODY" ["STRUCTURE"] / "UID" /
//	            "BODY" section [partial] / "BODY.PEEK" section [partial] /
//	            "BINARY" [".PEEK"] section-binary [partial] /
//	            "BINARY.SIZE" section-binary / "MODSEQ" / "EMAILID" /
//	            "THREADID" / "SAVEDATE" /
//	            "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
//	fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")"
//	fetch-modifier  =/ "CHANGEDSINCE" SP mod-sequence-value / "VANISHED"
//	fetch-modifier  =/ "PARTIAL" SP partial-range      ; RFC 9394 §4

// Macro expansions (RFC 3501 §6.4.5).
var (
	fetchFastAttrs = [...]imap.FetchAttr{{Kind: imap.FetchFlags}, {Kind: imap.FetchInternalDate}, {Kind: imap.FetchRFC822Size}}
	fetchAllAttrs  = [...]imap.FetchAttr{{Kind: imap.FetchFlags}, {Kind: imap.FetchInternalDate}, {Kind: imap.FetchRFC822Size}, {Kind: imap.FetchEnvelope}}
	fetchFullAttrs = [...]imap.FetchAttr{{Kind: imap.FetchFlags}, {Kind: imap.FetchInternalDate}, {Kind: imap.FetchRFC822Size}, {Kind: imap.FetchEnvelope}, {Kind: imap.FetchBody}}
)

// fetchAttrNameChar holds the bytes of a fetch-att name before "[" or "<".
var fetchAttrNameChar [256]bool

func init() {
	for c := 0; c < 256; c++ {
		fetchAttrNameChar[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == '_'
	}
}

// simpleFetchAttrs are the fetch-att names without arguments.
var simpleFetchAttrs = [...]imap.FetchAttrKind{
	imap.FetchUID, imap.FetchFlags, imap.FetchRFC822Size, imap.FetchInternalDate,
	imap.FetchEnvelope, imap.FetchBodyStructure, imap.FetchBody, imap.FetchRFC822,
	imap.FetchRFC822Header, imap.FetchRFC822Text, imap.FetchModSeq,
	imap.FetchEmailID, imap.FetchThreadID, imap.FetchSaveDate,
}

func (d *Decoder) cmdFetch(uid bool) (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	set, err := d.numSet()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	f := &imap.FetchCommand{Set: set}
	if d.peek() == '(' {
		f.Attrs = make([]imap.FetchAttr, 0, 4)
		err = d.list(false, func() error {
			a, err := d.fetchAtt()
			if err != nil {
				return err
			}
			f.Attrs = append(f.Attrs, a)
			return nil
		})
		if err == nil && len(f.Attrs) == 0 {
			// "()" even in lenient mode: FETCH needs an attribute.
			d.pos--
			err = d.errExpected("fetch-att")
		}
		if err != nil {
			return nil, err
		}
	} else {
		start := d.pos
		b := d.span(&fetchAttrNameChar)
		d.pos = start
		switch {
		case equalFold(b, "ALL"):
			f.Macro, f.Attrs = imap.FetchAll, append([]imap.FetchAttr(nil), fetchAllAttrs[:]...)
		case equalFold(b, "FAST"):
			f.Macro, f.Attrs = imap.FetchFast, append([]imap.FetchAttr(nil), fetchFastAttrs[:]...)
		case equalFold(b, "FULL"):
			f.Macro, f.Attrs = imap.FetchFull, append([]imap.FetchAttr(nil), fetchFullAttrs[:]...)
		default:
			a, err := d.fetchAtt()
			if err != nil {
				return nil, err
			}
			f.Attrs = []imap.FetchAttr{a}
		}
		if f.Macro != "" {
			d.pos += len(b)
		}
	}
	if !d.spThen('(') {
		return f, nil
	}
	var changedSince bool
	err = d.list(false, func() error {
		start := d.pos
		b, err := d.atom()
		switch {
		case err != nil:
		case equalFold(b, "CHANGEDSINCE") && !(changedSince && d.strict()):
			if err := d.sp(); err != nil {
				return err
			}
			f.ChangedSince, err = d.modSeq(false)
			changedSince = true
			return err
		case equalFold(b, "VANISHED") && (uid || !d.strict()):
			// "It is only allowed in the UID FETCH command"
			// (RFC 7162 §7 rexpunges-fetch-mod).
			f.Vanished = true
			return nil
		case equalFold(b, "PARTIAL") && (uid || !d.strict()) && (f.Partial == nil || !d.strict()):
			// RFC 9394 §3.3 extends UID FETCH only.
			if err := d.sp(); err != nil {
				return err
			}
			r, err := d.partialRange()
			f.Partial = &r
			return err
		}
		d.pos = start
		return d.errExpected("CHANGEDSINCE, VANISHED or PARTIAL")
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// fetchAtt reads one fetch-att.
func (d *Decoder) fetchAtt() (imap.FetchAttr, error) {
	start := d.pos
	b := d.span(&fetchAttrNameChar)
	if len(b) == 0 {
		return imap.FetchAttr{}, d.errExpected("fetch-att")
	}
	for _, k := range simpleFetchAttrs {
		if equalFold(b, string(k)) {
			if k == imap.FetchBody && d.peek() == '[' {
				return d.sectionAttr(imap.FetchBodySection)
			}
			return imap.FetchAttr{Kind: k}, nil
		}
	}
	switch {
	case equalFold(b, "BODY.PEEK"):
		return d.sectionAttr(imap.FetchBodyPeek)
	case equalFold(b, "BINARY"):
		return d.sectionAttr(imap.FetchBinary)
	case equalFold(b, "BINARY.PEEK"):
		return d.sectionAttr(imap.FetchBinaryPeek)
	case equalFold(b, "BINARY.SIZE"):
		return d.sectionAttr(imap.FetchBinarySize)
	case equalFold(b, "PREVIEW"):
		// "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"]
		// preview-mod = "LAZY"                       (RFC 8970 §6)
		// At the top level "PREVIEW (" might start fetch-modifiers:
		// it is taken as preview-mods only if LAZY follows.
		a := imap.FetchAttr{Kind: imap.FetchPreview}
		save := d.pos
		if d.spThen('(') {
			if i := d.pos + 1; i+4 <= len(d.line) && equalFold(d.line[i:i+4], "LAZY") {
				err := d.list(false, func() error {
					ms := d.pos
					m, err := d.atom()
					if err != nil || !equalFold(m, "LAZY") {
						d.pos = ms
						return d.errExpected("LAZY")
					}
					a.Lazy = true
					return nil
				})
				return a, err
			}
			d.pos = save
		}
		return a, nil
	}
	if d.strict() {
		d.pos = start
		return imap.FetchAttr{}, d.errExpected("fetch-att")
	}
	// Lenient: an unknown (vendor) attribute, e.g. X-GM-MSGID, kept by
	// name, with any [section]<partial> that follows.
	d.pos = start
	var raw []byte
	if err := d.appendRaw(&raw); err != nil {
		return imap.FetchAttr{}, err
	}
	return imap.FetchAttr{Kind: imap.FetchOther, Name: upper(raw)}, nil
}

// sectionAttr reads the section (or section-binary) and partial of an
// attribute of the given kind.
func (d *Decoder) sectionAttr(kind imap.FetchAttrKind) (imap.FetchAttr, error) {
	a := imap.FetchAttr{Kind: kind}
	var err error
	binary := kind == imap.FetchBinary || kind == imap.FetchBinaryPeek || kind == imap.FetchBinarySize
	if binary {
		a.Section.Part, err = d.sectionBinary()
	} else {
		a.Section, err = d.section()
	}
	if err != nil {
		return a, err
	}
	if kind != imap.FetchBinarySize && d.peek() == '<' {
		// partial = "<" number "." nz-number ">"
		d.pos++
		p := &imap.Partial{}
		if p.Offset, err = d.number(); err != nil {
			return a, err
		}
		if err := d.expect('.'); err != nil {
			return a, err
		}
		if p.Count, err = d.nzNumber(); err != nil {
			return a, err
		}
		if err := d.expect('>'); err != nil {
			return a, err
		}
		a.Partial = p
	}
	return a, nil
}

// section = "[" [section-spec] "]"
// section-spec = section-msgtext / (section-part ["." section-text])
// section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list /
// "TEXT"
// section-text = section-msgtext / "MIME"
func (d *Decoder) section() (imap.Section, error) {
	var s imap.Section
	if err := d.expect('['); err != nil {
		return s, err
	}
	if d.accept(']') {
		return s, nil
	}
	if c := d.peek(); c >= '0' && c <= '9' {
		var err error
		if s.Part, err = d.sectionPart(); err != nil {
			return s, err
		}
		if d.accept(']') {
			return s, nil
		}
		if err := d.expect('.'); err != nil {
			return s, err
		}
	}
	start := d.pos
	b := d.span(&fetchAttrNameChar)
	switch {
	case equalFold(b, "HEADER"):
		s.Spec = imap.SpecHeader
	case equalFold(b, "TEXT"):
		s.Spec = imap.SpecText
	case equalFold(b, "MIME") && len(s.Part) > 0:
		s.Spec = imap.SpecMIME
	case equalFold(b, "HEADER.FIELDS"):
		s.Spec = imap.SpecHeaderFields
	case equalFold(b, "HEADER.FIELDS.NOT"):
		s.Spec = imap.SpecHeaderFieldsNot
	default:
		d.pos = start
		return s, d.errExpected("section-text")
	}
	if s.Spec == imap.SpecHeaderFields || s.Spec == imap.SpecHeaderFieldsNot {
		// SP header-list; header-list = "(" header-fld-name
		// *(SP header-fld-name) ")"
		if err := d.sp(); err != nil {
			return s, err
		}
		s.Fields = make([]string, 0, 4)
		err := d.list(false, func() error {
			f, err := d.astring()
			if err != nil {
				return err
			}
			s.Fields = append(s.Fields, f)
			return nil
		})
		if err != nil {
			return s, err
		}
	}
	if err := d.expect(']'); err != nil {
		return s, err
	}
	return s, nil
}

// sectionBinary reads section-binary = "[" [section-part] "]".
func (d *Decoder) sectionBinary() ([]uint32, error) {
	if err := d.expect('['); err != nil {
		return nil, err
	}
	if d.accept(']') {
		return nil, nil
	}
	part, err := d.sectionPart()
	if err != nil {
		return nil, err
	}
	return part, d.expect(']')
}

// sectionPart reads section-part = nz-number *("." nz-number). It stops
// before a "." not followed by a digit.
func (d *Decoder) sectionPart() ([]uint32, error) {
	part := make([]uint32, 0, 2)
	for {
		if len(part) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		n, err := d.nzNumber()
		if err != nil {
			return nil, err
		}
		part = append(part, n)
		i := d.pos
		if i+1 < len(d.line) && d.line[i] == '.' && d.line[i+1] >= '0' && d.line[i+1] <= '9' {
			d.pos++
			continue
		}
		return part, nil
	}
}
