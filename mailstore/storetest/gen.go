package storetest

import (
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"strings"

	"github.com/mailaccess/mailaccess/internal/mimecorpus"
)

// Message generators. Every message uses CRLF line ends unless it is
// deliberately odd.

// smallMessage returns a short text message numbered i.
func smallMessage(i int, subject string) []byte {
	return fmt.Appendf(nil, "From: Sender %d <sender%d@example.org>\r\n"+
		"To: Recipient <rcpt@example.net>\r\n"+
		"Subject: %s\r\n"+
		"Date: Mon, 02 Jan 2006 15:04:%02d +0000\r\n"+
		"Message-ID: <%d.storetest@example.org>\r\n"+
		"MIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=us-ascii\r\n"+
		"\r\n"+
		"Body of message %d.\r\n"+
		"%s\r\n", i, i, subject, i%60, i, i, strings.Repeat("x", i%97))
}

// testMessage is a named message for content checks.
type testMessage struct {
	name string
	data []byte
}

// oddMessages are messages whose bytes a store must keep exactly, however
// odd: the combination of mailbox name, UIDVALIDITY and UID refers to one
// immutable message (RFC 3501 §2.3.1.1 note 4).
func oddMessages() []testMessage {
	eight := []byte("Subject: 8-bit \xe9t\xe9\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\ncaf\xe9 \xff\xfe\x80\r\n")
	return []testMessage{
		{"minimal", []byte("Subject: x\r\n\r\n")},
		{"no-final-newline", []byte("Subject: no final newline\r\n\r\nlast line without CRLF")},
		{"bare-LF", []byte("Subject: bare LF\nFrom: a@b.c\n\nline one\nline two\n")},
		{"header-only", []byte("Subject: header only, no body separator\r\n")},
		{"8-bit", eight},
		{"long-line", []byte("Subject: long line\r\n\r\n" + strings.Repeat("0123456789", 2000) + "\r\n")},
		{"leading-From", []byte("From sender@example.org Mon Jan  2 15:04:05 2006\r\nSubject: mbox From_ line\r\n\r\nFrom here on, a body line starting with From.\r\n>From quoted.\r\n")},
		{"dot-lines", []byte("Subject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\n")},
	}
}

// corpusMessages are varied MIME messages (multipart, message/rfc822,
// encoded words, broken MIME) for the structure checks.
func corpusMessages() []testMessage {
	var out []testMessage
	for _, m := range mimecorpus.Fixed() {
		out = append(out, testMessage{m.Name, m.Data})
	}
	for _, m := range mimecorpus.Messages(20240501, 25) {
		out = append(out, testMessage{m.Name, m.Data})
	}
	return out
}

// largeLine is the length of a body line of the large message, CRLF
// included: long lines (RFC 5322 §2.1.1 allows 998 octets) keep the
// store's parser fast.
const largeLine = 990

// largeHeader is the header of the large message.
const largeHeader = "From: Large Sender <large@example.org>\r\n" +
	"To: Recipient <rcpt@example.net>\r\n" +
	"Subject: a very large message\r\n" +
	"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n" +
	"Message-ID: <large.storetest@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=us-ascii\r\n" +
	"\r\n"

// largeMessage generates a message of a given size without holding it:
// the header, then body lines of largeLine octets, each starting with its
// line number so that misplaced chunks show. Its content at any offset
// can be regenerated with ReadAt. Read computes the CRC-32 of what it
// gives.
type largeMessage struct {
	size int64
	pos  int64
	crc  hash.Hash32
	// line is a body line without its number.
	line [largeLine]byte
	// onRead, if set, is called every 4 MiB read with the count so far.
	onRead func(n int64)
	lastCB int64
}

// newLargeMessage returns a generator of about size octets: the body is
// rounded up to whole lines.
func newLargeMessage(size int64) *largeMessage {
	body := max(size-int64(len(largeHeader)), largeLine)
	body = (body + largeLine - 1) / largeLine * largeLine
	g := &largeMessage{size: int64(len(largeHeader)) + body, crc: crc32.NewIEEE()}
	const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "
	for i := range g.line {
		g.line[i] = chars[i%len(chars)]
	}
	g.line[largeLine-2], g.line[largeLine-1] = '\r', '\n'
	return g
}

// bodySize is the size of the body.
func (g *largeMessage) bodySize() int64 { return g.size - int64(len(largeHeader)) }

// ReadAt fills p with the message's content at off.
func (g *largeMessage) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && off < g.size {
		var c int
		if off < int64(len(largeHeader)) {
			c = copy(p[n:], largeHeader[off:])
		} else {
			b := off - int64(len(largeHeader))
			line, col := b/largeLine, b%largeLine
			l := g.line
			for i, v := 9, line; i >= 0; i, v = i-1, v/10 {
				l[i] = byte('0' + v%10)
			}
			l[10] = ' '
			rest := l[col:]
			if r := g.size - off; int64(len(rest)) > r {
				rest = rest[:r]
			}
			c = copy(p[n:], rest)
		}
		n += c
		off += int64(c)
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Read generates the next bytes.
func (g *largeMessage) Read(p []byte) (int, error) {
	if g.pos >= g.size {
		return 0, io.EOF
	}
	n, _ := g.ReadAt(p, g.pos)
	g.crc.Write(p[:n])
	g.pos += int64(n)
	if g.onRead != nil && g.pos-g.lastCB >= 4<<20 {
		g.lastCB = g.pos
		g.onRead(g.pos)
	}
	return n, nil
}

// bodyLines is the number of lines of the body, each ending in CRLF.
func (g *largeMessage) bodyLines() int64 { return g.bodySize() / largeLine }
