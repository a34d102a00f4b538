package pop3

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"time"
)

// APOPDigest returns the digest of APOP (RFC 1939 §7): the MD5 of the
// greeting's timestamp (angle brackets included) followed by the shared
// secret, in lower-case hexadecimal.
func APOPDigest(timestamp, secret string) string {
	h := md5.New()
	h.Write([]byte(timestamp))
	h.Write([]byte(secret))
	return hex.EncodeToString(h.Sum(nil))
}

// NewTimestamp returns a fresh APOP timestamp for a greeting, in the
// msg-id form RFC 1939 §7 asks for: "<random.time@host>". The random part
// makes it unique per connection, so a recorded digest cannot be
// replayed.
func NewTimestamp(host string) string {
	var b [8]byte
	rand.Read(b[:])
	host = cleanHost(host)
	return "<" + hex.EncodeToString(b[:]) + "." + strconv.FormatInt(time.Now().Unix(), 10) + "@" + host + ">"
}

// cleanHost keeps what a msg-id's domain may hold of a host name (letters,
// digits, "-", "." and "_"), so that no host name can break the timestamp
// or the greeting line; it returns "localhost" if nothing is left.
func cleanHost(h string) string {
	b := make([]byte, 0, len(h))
	for i := 0; i < len(h) && len(b) < 255; i++ {
		c := h[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' {
			b = append(b, c)
		}
	}
	if len(b) == 0 {
		return "localhost"
	}
	return string(b)
}
