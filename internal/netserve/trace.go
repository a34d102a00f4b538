package netserve

import (
	"crypto/rand"
	"encoding/hex"
	"strconv"
)

// The protocol trace (the servers' Trace field) writes one line per
// protocol line or event, each with the id of its connection:
//
//	3f9a1c2e S: +OK POP3 server ready
//
// What a line shows of credentials and message contents is each
// protocol's business; the line format is shared.

// TraceID returns a fresh id for a connection's trace lines: 8 random
// hexadecimal digits.
func TraceID() string {
	var id [4]byte
	rand.Read(id[:])
	return hex.EncodeToString(id[:])
}

// AppendTraceLine appends one trace line to b and returns it: id, a
// space, prefix ("C: ", "S: " or "* "), marker, text with control
// characters other than tab escaped as \xNN, more, and a newline.
func AppendTraceLine(b []byte, id, prefix, marker string, text []byte, more string) []byte {
	b = append(b, id...)
	b = append(b, ' ')
	b = append(b, prefix...)
	b = append(b, marker...)
	for _, c := range text {
		if c < 0x20 && c != '\t' || c == 0x7f {
			b = append(b, '\\', 'x', "0123456789abcdef"[c>>4], "0123456789abcdef"[c&15])
			continue
		}
		b = append(b, c)
	}
	b = append(b, more...)
	return append(b, '\n')
}

// TraceOmitted says that n octets of a line are left out of the trace: "
// [+n octets]", or "" when n is not positive.
func TraceOmitted(n int) string {
	if n <= 0 {
		return ""
	}
	return " [+" + strconv.Itoa(n) + " octets]"
}
