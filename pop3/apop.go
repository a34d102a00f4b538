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
	if host == "" {
		host = "localhost"
	}
	return "<" + hex.EncodeToString(b[:]) + "." + strconv.FormatInt(time.Now().Unix(), 10) + "@" + host + ">"
}
