package mime

import "github.com/mailaccess/mailaccess/imap"

// envelopeOf computes the envelope of a message-level header.
func envelopeOf(h *Header) *imap.Envelope { return EnvelopeFromHeader(h) }
