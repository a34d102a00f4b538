package mime

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// envelopeField identifies the header fields ENVELOPE is made of.
type envelopeField int

const (
	envNone envelopeField = iota
	envDate
	envSubject
	envFrom
	envSender
	envReplyTo
	envTo
	envCc
	envBcc
	envInReplyTo
	envMessageID
)

// envelopeFieldOf maps a header field name to its envelope member. Names
// compare case-insensitively and, as in Dovecot, only up to a NUL byte.
func envelopeFieldOf(name string) envelopeField {
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	switch len(name) {
	case 2:
		if strings.EqualFold(name, "To") {
			return envTo
		}
		if strings.EqualFold(name, "Cc") {
			return envCc
		}
	case 3:
		if strings.EqualFold(name, "Bcc") {
			return envBcc
		}
	case 4:
		if strings.EqualFold(name, "Date") {
			return envDate
		}
		if strings.EqualFold(name, "From") {
			return envFrom
		}
	case 6:
		if strings.EqualFold(name, "Sender") {
			return envSender
		}
	case 7:
		if strings.EqualFold(name, "Subject") {
			return envSubject
		}
	case 8:
		if strings.EqualFold(name, "Reply-To") {
			return envReplyTo
		}
	case 10:
		if strings.EqualFold(name, "Message-ID") {
			return envMessageID
		}
	case 11:
		if strings.EqualFold(name, "In-Reply-To") {
			return envInReplyTo
		}
	}
	return envNone
}

// EnvelopeFromHeader computes the ENVELOPE of a message, or of a
// message/rfc822 part, from its header (RFC 3501 §7.4.2, RFC 9051 §7.5.2).
// It never fails; a nil or empty header gives an envelope of NILs.
//
// The rules, which follow Dovecot 2.3 where the RFCs leave room:
//
//   - Date, In-Reply-To and Message-ID are the field values as sent, with
//     the white space after the colon removed (only its first character
//     if the first line is nothing but white space) and line breaks taken out
//     (a break not followed by white space becomes a space). Subject is
//     the value with every run of white space (line breaks included)
//     folded to one space and none at either end. Encoded-words are left
//     as sent. A NUL byte in these values becomes U+FFFD. A field that is
//     absent is NIL; one that is present but empty is "". When a field
//     appears more than once, the last one counts.
//   - From, Sender, Reply-To, To, Cc and Bcc are parsed with
//     ParseAddressList. When a field appears more than once, the
//     addresses of all of them are kept, in order. A field that is
//     absent, or present with no address in it (empty, or only comments),
//     is NIL.
//   - Sender and Reply-To that are NIL take the value of From (RFC 3501
//     §7.4.2: "absent ... or present but empty").
func EnvelopeFromHeader(h *Header) *imap.Envelope {
	env := new(imap.Envelope)
	if h == nil {
		return env
	}
	var lists [envMessageID + 1][]imap.Address
	for i := range h.Fields {
		f := &h.Fields[i]
		if f.Name == "" {
			continue // not a field (no colon): Dovecot gives it no value
		}
		which := envelopeFieldOf(f.Name)
		if which == envNone {
			continue
		}
		v := envelopeValue(f.RawValue())
		switch which {
		case envDate:
			env.Date = imap.NString{S: envWithoutLineBreaks(envReplaceNUL(v)), Valid: true}
		case envSubject:
			env.Subject = imap.NString{S: envForHumans(envReplaceNUL(v)), Valid: true}
		case envInReplyTo:
			env.InReplyTo = imap.NString{S: envWithoutLineBreaks(envReplaceNUL(v)), Valid: true}
		case envMessageID:
			env.MessageID = imap.NString{S: envWithoutLineBreaks(envReplaceNUL(v)), Valid: true}
		default:
			lists[which] = parseAddressList(v, lists[which])
		}
	}
	env.From = lists[envFrom]
	env.Sender = lists[envSender]
	env.ReplyTo = lists[envReplyTo]
	env.To = lists[envTo]
	env.Cc = lists[envCc]
	env.Bcc = lists[envBcc]
	// RFC 3501 §7.4.2: "If the Sender or Reply-To lines are absent in the
	// [RFC-2822] header, or are present but empty, the server sets the
	// corresponding member of the envelope to be the same value as the
	// from member".
	// Copies, so that changing one member leaves the others alone.
	if env.Sender == nil && env.From != nil {
		env.Sender = append([]imap.Address(nil), env.From...)
	}
	if env.ReplyTo == nil && env.From != nil {
		env.ReplyTo = append([]imap.Address(nil), env.From...)
	}
	return env
}

// envelopeValue returns a field value the way Dovecot's header parser
// hands it to the envelope code, from the raw value after the colon:
//
//   - on the first line, the white space (SP, HTAB) after the colon is
//     removed, except that a first line made only of white space loses only
//     its first character;
//   - every line break (CRLF or bare LF) of the folding becomes a bare LF;
//   - a line break followed by a continuation line of a single character
//     (one SP or HTAB) is dropped altogether, the character kept. This is
//     a quirk of Dovecot 2.3.19 (its address parser's input, seen with
//     gdb), which shows in address fields: the value "(c\r\n d\r\n "
//     reaches it as "(c\n d ", so the unclosed comment's text is "c".
func envelopeValue(raw string) string {
	var b []byte
	first := true
	for len(raw) > 0 || first {
		line := raw
		if i := strings.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
			line = strings.TrimSuffix(line, "\r")
		} else {
			raw = ""
		}
		if first {
			first = false
			n := 0
			for n < len(line) && (line[n] == ' ' || line[n] == '\t') {
				n++
			}
			if n == len(line) && n > 0 {
				n = 1
			}
			if raw == "" && len(b) == 0 {
				return line[n:] // a single line: no copy
			}
			b = append(b, line[n:]...)
			continue
		}
		if len(line) != 1 {
			b = append(b, '\n')
		}
		b = append(b, line...)
	}
	return string(b)
}

// envReplaceNUL replaces every NUL byte with U+FFFD.
func envReplaceNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", nulReplacement)
}

// envWithoutLineBreaks removes CR and LF; one that is followed by neither
// white space nor another line break nor the end of the value becomes a
// space, so that words on either side stay apart.
func envWithoutLineBreaks(s string) string {
	if !strings.ContainsAny(s, "\r\n") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\r' && c != '\n' {
			b = append(b, c)
			continue
		}
		if i+1 < len(s) {
			switch s[i+1] {
			case ' ', '\t', '\r', '\n':
			default:
				b = append(b, ' ')
			}
		}
	}
	return string(b)
}

// envForHumans cleans a Subject or display name as Dovecot does before
// sending it: every run of SP, HTAB, CR and LF becomes one space, white
// space at either end is removed, and NUL becomes the byte 0x80.
func envForHumans(s string) string {
	clean := true
	last := true // the previous byte was white space (or the start)
	for i := 0; i < len(s) && clean; i++ {
		switch s[i] {
		case ' ':
			clean = !last
			last = true
		case '\t', '\r', '\n', 0:
			clean = false
		default:
			last = false
		}
	}
	if clean && !last {
		return s
	}
	b := make([]byte, 0, len(s))
	last = true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\r', '\n':
			if !last {
				b = append(b, ' ')
			}
			last = true
		case 0:
			b = append(b, 0x80)
			last = false
		default:
			b = append(b, c)
			last = false
		}
	}
	if last && len(b) > 0 {
		b = b[:len(b)-1]
	}
	return string(b)
}
