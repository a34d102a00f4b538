package maildir

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// Maildir file names (https://cr.yp.to/proto/maildir.html, Maildir++ and
// Dovecot's extensions): "time.unique.host[,S=size][,W=vsize]:2,FLAGS".
// The part before ':' is the base name, which identifies a message while
// other programs move it from new/ to cur/ or change its flags.

// System flags and their letters in the info part of a file name, in
// ASCII order. 'P' (passed: resent, forwarded or bounced) is shown as the
// keyword $Forwarded, its IMAP equivalent (RFC 5550 §5.9); Dovecot keeps
// the letter without showing it.
const (
	stdDraft     uint8 = 1 << iota // D
	stdFlagged                     // F
	stdPassed                      // P ($Forwarded)
	stdAnswered                    // R
	stdSeen                        // S
	stdDeleted                     // T (trashed)
	stdAll       = stdDraft | stdFlagged | stdPassed | stdAnswered | stdSeen | stdDeleted
	stdLetters   = "DFPRST"
	maxKeywords  = 10000 // keywords one folder may define
	infoPrefix   = ":2,"
	keywordsFile = "dovecot-keywords"
	uidlistFile  = "dovecot-uidlist"
)

// stdFlags are the flags of the std bits, in bit order.
var stdFlags = [...]imap.Flag{imap.FlagDraft, imap.FlagFlagged, imap.KeywordForwarded, imap.FlagAnswered, imap.FlagSeen, imap.FlagDeleted}

// stdBit returns the std bit of a flag (0 if it has none). $Forwarded is
// matched case-insensitively like every keyword.
func stdBit(f imap.Flag) uint8 {
	for i, sf := range stdFlags {
		if f.Equal(sf) {
			return 1 << i
		}
	}
	return 0
}

// stdFromLetter returns the std bit of an info letter.
func stdFromLetter(c byte) uint8 {
	if i := strings.IndexByte(stdLetters, c); i >= 0 {
		return 1 << i
	}
	return 0
}

// splitName splits a file name into its base and its info ("" or from the
// ':' on).
func splitName(name string) (base, info string) {
	if i := strings.IndexByte(name, ':'); i >= 0 {
		return name[:i], name[i:]
	}
	return name, ""
}

// infoLetters returns the flag letters of an info part, "" unless it is
// ":2,..." (":1," is experimental and holds no flags).
func infoLetters(info string) string {
	if strings.HasPrefix(info, infoPrefix) {
		return info[len(infoPrefix):]
	}
	return ""
}

// parseLetters splits flag letters into std bits, the set of keyword
// letters a-z (bit i for 'a'+i) and the other letters, which are kept as
// they are when the name is rewritten.
func parseLetters(letters string) (std uint8, kw uint32, other string) {
	var o []byte
	for i := 0; i < len(letters); i++ {
		c := letters[i]
		switch {
		case stdFromLetter(c) != 0:
			std |= stdFromLetter(c)
		case c >= 'a' && c <= 'z':
			kw |= 1 << (c - 'a')
		default:
			if c > ' ' && c < 0x7f && c != '/' && c != ':' {
				o = append(o, c)
			}
		}
	}
	return std, kw, string(o)
}

// formatInfo builds the info part ":2,LETTERS" with the letters in ASCII
// order, as the Maildir specification requires.
func formatInfo(std uint8, kw uint32, other string) string {
	b := make([]byte, 0, len(infoPrefix)+8+len(other))
	b = append(b, infoPrefix...)
	for i := 0; i < len(stdLetters); i++ {
		if std&(1<<i) != 0 {
			b = append(b, stdLetters[i])
		}
	}
	b = append(b, other...)
	for i := 0; i < 26; i++ {
		if kw&(1<<i) != 0 {
			b = append(b, byte('a'+i))
		}
	}
	letters := b[len(infoPrefix):]
	slices.Sort(letters)
	letters = slices.Compact(letters)
	return string(b[:len(infoPrefix)+len(letters)])
}

// baseField returns the value of a ",K=value" field of a base name
// (Maildir++ S=, Dovecot W=).
func baseField(base string, key byte) (int64, bool) {
	// The fields follow the host part: search from the last '.'.
	rest := base
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		rest = base[i:]
	}
	for {
		i := strings.IndexByte(rest, ',')
		if i < 0 {
			return 0, false
		}
		rest = rest[i+1:]
		if len(rest) >= 2 && rest[0] == key && rest[1] == '=' {
			v := rest[2:]
			if j := strings.IndexByte(v, ','); j >= 0 {
				v = v[:j]
			}
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil && n >= 0
		}
	}
}

// namer makes unique base names: "sec.M<usec>P<pid>Q<n>R<random>.host",
// the Maildir specification's recommended form with Dovecot's letters,
// plus a random part so that names stay unique across hosts sharing a
// file system and PIDs reused after a crash.
type namer struct {
	host string
	pid  int
	n    atomic.Uint64
}

func newNamer(host string) *namer {
	if host == "" {
		host, _ = os.Hostname()
	}
	if host == "" {
		host = "localhost"
	}
	// The specification: "/" becomes \057 and ":" becomes \072.
	host = strings.NewReplacer("/", `\057`, ":", `\072`, ",", `\054`).Replace(host)
	return &namer{host: host, pid: os.Getpid()}
}

func (n *namer) next(now time.Time) string {
	var r [4]byte
	rand.Read(r[:])
	var b strings.Builder
	b.Grow(64)
	b.WriteString(strconv.FormatInt(now.Unix(), 10))
	b.WriteString(".M")
	b.WriteString(strconv.Itoa(now.Nanosecond() / 1000))
	b.WriteString("P")
	b.WriteString(strconv.Itoa(n.pid))
	b.WriteString("Q")
	b.WriteString(strconv.FormatUint(n.n.Add(1), 10))
	b.WriteString("R")
	b.WriteString(hex.EncodeToString(r[:]))
	b.WriteByte('.')
	b.WriteString(n.host)
	return b.String()
}

// readDovecotKeywords reads a dovecot-keywords file: lines "N name" where
// N (0-25) is the index of the letter 'a'+N. A missing file gives nil.
func readDovecotKeywords(path string) ([26]string, error) {
	var kw [26]string
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return kw, nil
		}
		return kw, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		sp := strings.IndexByte(line, ' ')
		if sp < 0 {
			continue
		}
		i, err := strconv.Atoi(line[:sp])
		if err != nil || i < 0 || i >= 26 {
			continue
		}
		if k, err := imap.NewKeyword(line[sp+1:]); err == nil {
			kw[i] = string(k)
		}
	}
	return kw, sc.Err()
}

// uidlist is what a dovecot-uidlist file says: the UIDVALIDITY, the next
// UID and the UID of each base name.
type uidlist struct {
	uidValidity uint32
	nextUID     uint32
	uids        map[string]uint32
}

// readDovecotUIDList reads a dovecot-uidlist file of version 1 or 3
// (Dovecot's maildir-uidlist.c): a header line ("3 V<uidvalidity>
// N<nextuid> ..." or "1 <uidvalidity> <nextuid>") and then lines
// "<uid> [extensions] :<file name>" (version 3) or "<uid> <file name>"
// (version 1). It returns nil if the file is missing or not understood.
func readDovecotUIDList(path string) *uidlist {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil
	}
	hdr := strings.Fields(sc.Text())
	if len(hdr) < 1 {
		return nil
	}
	ul := &uidlist{uids: make(map[string]uint32)}
	version := hdr[0]
	switch version {
	case "1":
		if len(hdr) < 3 {
			return nil
		}
		v, err1 := strconv.ParseUint(hdr[1], 10, 32)
		n, err2 := strconv.ParseUint(hdr[2], 10, 32)
		if err1 != nil || err2 != nil {
			return nil
		}
		ul.uidValidity, ul.nextUID = uint32(v), uint32(n)
	case "3":
		for _, h := range hdr[1:] {
			if len(h) < 2 {
				continue
			}
			v, err := strconv.ParseUint(h[1:], 10, 32)
			if err != nil {
				continue
			}
			switch h[0] {
			case 'V':
				ul.uidValidity = uint32(v)
			case 'N':
				ul.nextUID = uint32(v)
			}
		}
	default:
		return nil
	}
	if ul.uidValidity == 0 {
		return nil
	}
	for sc.Scan() {
		line := sc.Text()
		sp := strings.IndexByte(line, ' ')
		if sp <= 0 {
			continue
		}
		uid, err := strconv.ParseUint(line[:sp], 10, 32)
		if err != nil || uid == 0 {
			continue
		}
		name := line[sp+1:]
		if version == "3" {
			c := strings.IndexByte(name, ':')
			if c < 0 {
				continue
			}
			name = name[c+1:]
		}
		base, _ := splitName(name)
		ul.uids[base] = uint32(uid)
		if uint32(uid) >= ul.nextUID {
			ul.nextUID = uint32(uid) + 1
		}
	}
	return ul
}
