package maildir

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// The index of a folder, the file "mailaccess-index" beside cur/new/tmp,
// is a journal: a 16-octet magic, then records, each framed as
//
//	length  uint32 little-endian, the octets of type and payload
//	crc     uint32 little-endian, CRC-32C of type and payload
//	type    1 octet
//	payload integers as varints, strings length-prefixed
//
// The first record is always a snapshot of the whole state; every change
// after it is appended as a small record (a new message, a batch of flag
// changes, a batch of expunges, ...) and written with one write call,
// then fsync'd. A record cut short by a crash fails its length or CRC
// check: readers stop before it and the next writer, holding the lock,
// truncates it. When the records after the snapshot outgrow it, a writer
// compacts: it writes a new file holding one snapshot and renames it over
// the old one, so readers that hold the old file read it to its end and
// then switch.

const (
	indexFile  = "mailaccess-index"
	lockFile   = "mailaccess-index.lock"
	cacheFile  = "mailaccess-cache"
	indexMagic = "mailaccess-idx1\n"
	// maxRecord bounds a record's length, so that a corrupt length is
	// not taken for a huge record still being written.
	maxRecord = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Record types.
const (
	recSnapshot byte = iota + 1
	recAdd           // new messages, one MODSEQ
	recFlags         // flag changes, one MODSEQ
	recExpunge       // expunges, one MODSEQ
	recKeyword       // a keyword name takes the next index
	recRecent        // the first UID still \Recent
	recScan          // the directory times of the last scan
	recLoc           // file names changed without a flag change
	recCache         // cached structures stored for messages
)

// message is what the index keeps of one message.
type message struct {
	uid      uint32
	std      uint8 // std* bits
	inNew    bool  // the file is in new/ (else cur/)
	conv     bool  // the file has bare LFs, served as CRLF
	cacheLen uint32
	modseq   uint64
	date     int64 // internal date, Unix nanoseconds
	size     int64 // RFC822.SIZE: the size served
	cacheOff int64
	kw       string      // keyword indexes, 2 octets each, ascending
	flags    []imap.Flag // std and kw as flags (shared, never modified)
	base     string      // base name of the file
	info     string      // the file name after base ("" or ":2,...")
}

// fileName returns the message's file name relative to the folder.
func (m *message) fileName() string {
	if m.inNew {
		return "new/" + m.base + m.info
	}
	return "cur/" + m.base + m.info
}

// tomb is an expunged message's UID and the MODSEQ of its expunge.
type tomb struct {
	uid    uint32
	modseq uint64
}

// scanState records the modification times of new/ and cur/ as of the
// last time the folder's files and index were known to agree.
type scanState struct {
	newM, curM int64 // Unix nanoseconds
	// dirty means a change could have slipped in within the file
	// system's timestamp granularity after the times were taken: the
	// next refresh scans the directories once more.
	dirty bool
	at    int64 // when the times were taken
}

// state is a folder's index in memory.
type state struct {
	uidValidity uint32
	uidNext     uint32
	firstRecent uint32
	hms         uint64 // HIGHESTMODSEQ
	tombFloor   uint64 // expunges with MODSEQ up to this are forgotten
	cacheGen    uint64
	mailboxID   string
	keywords    []string
	msgs        []message // UID ascending
	tombs       []tomb    // MODSEQ ascending
	scan        scanState

	kwIndex map[string]uint16 // lower-case keyword -> index
	flagSet map[string][]imap.Flag
}

func newState() *state {
	return &state{kwIndex: make(map[string]uint16), flagSet: make(map[string][]imap.Flag)}
}

// find returns the index of the message with uid.
func (s *state) find(uid uint32) (int, bool) {
	return slices.BinarySearchFunc(s.msgs, uid, func(m message, u uint32) int {
		switch {
		case m.uid < u:
			return -1
		case m.uid > u:
			return 1
		}
		return 0
	})
}

// flagsOf returns the flags of std and kw, shared between messages.
func (s *state) flagsOf(std uint8, kw string) []imap.Flag {
	key := string(rune(std)) + kw
	if f, ok := s.flagSet[key]; ok {
		return f
	}
	var out []imap.Flag
	for _, i := range [...]int{3, 1, 5, 4, 0} { // \Answered \Flagged \Deleted \Seen \Draft
		if std&(1<<i) != 0 {
			out = append(out, stdFlags[i])
		}
	}
	if std&stdPassed != 0 {
		out = append(out, imap.KeywordForwarded)
	}
	for i := 0; i+1 < len(kw); i += 2 {
		k := int(binary.BigEndian.Uint16([]byte(kw[i:])))
		if k < len(s.keywords) {
			out = append(out, imap.Flag(s.keywords[k]))
		}
	}
	out = slices.Clip(out)
	if len(s.flagSet) < 1<<16 {
		s.flagSet[key] = out
	}
	return out
}

// kwString encodes keyword indexes (ascending, no duplicates).
func kwString(idx []uint16) string {
	if len(idx) == 0 {
		return ""
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	b := make([]byte, 0, 2*len(idx))
	for _, i := range idx {
		b = binary.BigEndian.AppendUint16(b, i)
	}
	return string(b)
}

// kwIndexes decodes a kwString.
func kwIndexes(kw string) []uint16 {
	out := make([]uint16, 0, len(kw)/2)
	for i := 0; i+1 < len(kw); i += 2 {
		out = append(out, binary.BigEndian.Uint16([]byte(kw[i:])))
	}
	return out
}

// info returns the MessageInfo of m (Recent false).
func (s *state) info(m *message) mailstore.MessageInfo {
	return mailstore.MessageInfo{
		UID:          m.uid,
		Flags:        m.flags,
		InternalDate: time.Unix(0, m.date),
		Size:         m.size,
		ModSeq:       m.modseq,
	}
}

func (s *state) addKeyword(name string) {
	s.kwIndex[strings.ToLower(name)] = uint16(len(s.keywords))
	s.keywords = append(s.keywords, name)
}

// flagChange is one message's new flags (and file name) in a recFlags
// record, or its new file name in a recLoc record.
type flagChange struct {
	uid   uint32
	std   uint8
	inNew bool
	kw    string
	info  string
}

// cacheRef is where a message's cached structure is, in a recCache record.
type cacheRef struct {
	uid uint32
	off int64
	len uint32
}

// record is one journal record.
type record struct {
	typ     byte
	modseq  uint64
	snap    *state
	add     []message
	changes []flagChange // recFlags, recLoc
	uids    []uint32     // recExpunge
	keyword string
	recent  uint32
	scan    scanState
	caches  []cacheRef
}

// encoder appends varints and strings.
type encoder struct{ b []byte }

func (e *encoder) uint(n uint64) { e.b = binary.AppendUvarint(e.b, n) }
func (e *encoder) int(n int64)   { e.b = binary.AppendVarint(e.b, n) }
func (e *encoder) byte(c byte)   { e.b = append(e.b, c) }
func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}
func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *encoder) message(m *message) {
	e.uint(uint64(m.uid))
	e.uint(m.modseq)
	e.int(m.date)
	e.int(m.size)
	e.byte(m.std)
	e.str(m.kw)
	var bits byte
	if m.inNew {
		bits |= 1
	}
	if m.conv {
		bits |= 2
	}
	e.byte(bits)
	e.str(m.base)
	e.str(m.info)
	e.int(m.cacheOff)
	e.uint(uint64(m.cacheLen))
}

func (e *encoder) scanState(s scanState) {
	e.int(s.newM)
	e.int(s.curM)
	e.bool(s.dirty)
	e.int(s.at)
}

// appendRecord appends the framed record to b.
func appendRecord(b []byte, r *record) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0, r.typ)
	e := encoder{b: b}
	switch r.typ {
	case recSnapshot:
		s := r.snap
		e.uint(uint64(s.uidValidity))
		e.uint(uint64(s.uidNext))
		e.uint(uint64(s.firstRecent))
		e.uint(s.hms)
		e.uint(s.tombFloor)
		e.uint(s.cacheGen)
		e.str(s.mailboxID)
		e.scanState(s.scan)
		e.uint(uint64(len(s.keywords)))
		for _, k := range s.keywords {
			e.str(k)
		}
		e.uint(uint64(len(s.msgs)))
		for i := range s.msgs {
			e.message(&s.msgs[i])
		}
		e.uint(uint64(len(s.tombs)))
		for _, t := range s.tombs {
			e.uint(uint64(t.uid))
			e.uint(t.modseq)
		}
	case recAdd:
		e.uint(r.modseq)
		e.uint(uint64(len(r.add)))
		for i := range r.add {
			e.message(&r.add[i])
		}
	case recFlags, recLoc:
		e.uint(r.modseq)
		e.uint(uint64(len(r.changes)))
		for _, c := range r.changes {
			e.uint(uint64(c.uid))
			e.byte(c.std)
			e.bool(c.inNew)
			e.str(c.kw)
			e.str(c.info)
		}
	case recExpunge:
		e.uint(r.modseq)
		e.uint(uint64(len(r.uids)))
		for _, u := range r.uids {
			e.uint(uint64(u))
		}
	case recKeyword:
		e.str(r.keyword)
	case recRecent:
		e.uint(uint64(r.recent))
	case recScan:
		e.scanState(r.scan)
	case recCache:
		e.uint(uint64(len(r.caches)))
		for _, c := range r.caches {
			e.uint(uint64(c.uid))
			e.int(c.off)
			e.uint(uint64(c.len))
		}
	}
	b = e.b
	body := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(body)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(body, crcTable))
	return b
}

// errShort is the decoder's error for a record that ends too soon.
var errShort = errors.New("record too short")

// decoder reads varints and strings; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uint32() uint32 {
	v := d.uint()
	if v > 1<<32-1 {
		d.fail(errors.New("value out of range"))
		return 0
	}
	return uint32(v)
}

func (d *decoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail(errShort)
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// count reads a count of items of at least min octets each, bounded by
// what is left, so that a corrupt count cannot make a huge allocation.
func (d *decoder) count(min int) int {
	n := d.uint()
	if n > uint64(len(d.b)/min) {
		d.fail(errors.New("count out of range"))
		return 0
	}
	return int(n)
}

func (d *decoder) message(m *message) {
	m.uid = d.uint32()
	m.modseq = d.uint()
	m.date = d.int()
	m.size = d.int()
	m.std = d.byte() & stdAll
	m.kw = d.str()
	bits := d.byte()
	m.inNew, m.conv = bits&1 != 0, bits&2 != 0
	m.base = d.str()
	m.info = d.str()
	m.cacheOff = d.int()
	m.cacheLen = d.uint32()
}

func (d *decoder) scanState() scanState {
	return scanState{newM: d.int(), curM: d.int(), dirty: d.byte() != 0, at: d.int()}
}

// decodeRecord decodes a record's type and payload.
func decodeRecord(body []byte) (*record, error) {
	if len(body) == 0 {
		return nil, errShort
	}
	r := &record{typ: body[0]}
	d := decoder{b: body[1:]}
	switch r.typ {
	case recSnapshot:
		s := newState()
		s.uidValidity = d.uint32()
		s.uidNext = d.uint32()
		s.firstRecent = d.uint32()
		s.hms = d.uint()
		s.tombFloor = d.uint()
		s.cacheGen = d.uint()
		s.mailboxID = d.str()
		s.scan = d.scanState()
		n := d.count(1)
		s.keywords = make([]string, 0, n)
		for range n {
			s.addKeyword(d.str())
		}
		n = d.count(12)
		s.msgs = make([]message, n)
		for i := range s.msgs {
			d.message(&s.msgs[i])
		}
		n = d.count(2)
		s.tombs = make([]tomb, n)
		for i := range s.tombs {
			s.tombs[i] = tomb{uid: d.uint32(), modseq: d.uint()}
		}
		if d.err == nil {
			for i := range s.msgs {
				m := &s.msgs[i]
				if i > 0 && m.uid <= s.msgs[i-1].uid {
					d.fail(errors.New("UIDs not ascending"))
					break
				}
				m.flags = s.flagsOf(m.std, m.kw)
			}
		}
		r.snap = s
	case recAdd:
		r.modseq = d.uint()
		r.add = make([]message, d.count(12))
		for i := range r.add {
			d.message(&r.add[i])
		}
	case recFlags, recLoc:
		r.modseq = d.uint()
		r.changes = make([]flagChange, d.count(5))
		for i := range r.changes {
			c := &r.changes[i]
			c.uid = d.uint32()
			c.std = d.byte() & stdAll
			c.inNew = d.byte() != 0
			c.kw = d.str()
			c.info = d.str()
		}
	case recExpunge:
		r.modseq = d.uint()
		r.uids = make([]uint32, d.count(1))
		for i := range r.uids {
			r.uids[i] = d.uint32()
		}
	case recKeyword:
		r.keyword = d.str()
	case recRecent:
		r.recent = d.uint32()
	case recScan:
		r.scan = d.scanState()
	case recCache:
		r.caches = make([]cacheRef, d.count(3))
		for i := range r.caches {
			r.caches[i] = cacheRef{uid: d.uint32(), off: d.int(), len: d.uint32()}
		}
	default:
		// An unknown type from a newer version: skipped.
	}
	if d.err != nil {
		return nil, fmt.Errorf("record type %d: %w", r.typ, d.err)
	}
	return r, nil
}

// nextFrame returns the body of the frame at the start of b and the
// frame's length, or ok false if b does not start with a whole valid
// frame (it is being written, or was cut short by a crash, or is
// corrupt).
func nextFrame(b []byte) (body []byte, n int, ok bool) {
	if len(b) < 8 {
		return nil, 0, false
	}
	l := binary.LittleEndian.Uint32(b)
	if l == 0 || l > maxRecord || uint64(len(b)-8) < uint64(l) {
		return nil, 0, false
	}
	body = b[8 : 8+l]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(b[4:]) {
		return nil, 0, false
	}
	return body, 8 + int(l), true
}

// apply changes s by r and calls ev (if not nil) with what changed:
// new messages, changed messages and expunged UIDs.
func (s *state) apply(r *record, ev func(kind mailstore.UpdateKind, m *message, uid uint32, modseq uint64)) {
	switch r.typ {
	case recAdd:
		for i := range r.add {
			m := r.add[i]
			m.modseq = r.modseq
			m.flags = s.flagsOf(m.std, m.kw)
			j, found := s.find(m.uid)
			if found {
				continue
			}
			s.msgs = slices.Insert(s.msgs, j, m)
			s.uidNext = max(s.uidNext, m.uid+1)
			if ev != nil {
				ev(mailstore.UpdateNew, &s.msgs[j], m.uid, m.modseq)
			}
		}
		s.hms = max(s.hms, r.modseq)
	case recFlags:
		for _, c := range r.changes {
			j, ok := s.find(c.uid)
			if !ok {
				continue
			}
			m := &s.msgs[j]
			m.std, m.kw, m.inNew, m.info = c.std, c.kw, c.inNew, c.info
			m.flags = s.flagsOf(m.std, m.kw)
			m.modseq = r.modseq
			if ev != nil {
				ev(mailstore.UpdateFlags, m, m.uid, m.modseq)
			}
		}
		s.hms = max(s.hms, r.modseq)
	case recLoc:
		for _, c := range r.changes {
			if j, ok := s.find(c.uid); ok {
				s.msgs[j].inNew, s.msgs[j].info = c.inNew, c.info
			}
		}
	case recExpunge:
		gone := make(map[uint32]bool, len(r.uids))
		for _, u := range r.uids {
			if _, ok := s.find(u); ok {
				gone[u] = true
			}
		}
		if len(gone) > 0 {
			s.msgs = slices.DeleteFunc(s.msgs, func(m message) bool { return gone[m.uid] })
			for _, u := range r.uids {
				if gone[u] {
					s.tombs = append(s.tombs, tomb{uid: u, modseq: r.modseq})
					if ev != nil {
						ev(mailstore.UpdateExpunge, nil, u, r.modseq)
					}
					delete(gone, u)
				}
			}
		}
		s.hms = max(s.hms, r.modseq)
	case recKeyword:
		if _, ok := s.kwIndex[strings.ToLower(r.keyword)]; !ok {
			s.addKeyword(r.keyword)
		} else {
			// Keep indexes aligned with the writer's table.
			s.keywords = append(s.keywords, r.keyword)
		}
	case recRecent:
		s.firstRecent = max(s.firstRecent, r.recent)
	case recScan:
		s.scan = r.scan
	case recCache:
		for _, c := range r.caches {
			if j, ok := s.find(c.uid); ok {
				s.msgs[j].cacheOff, s.msgs[j].cacheLen = c.off, c.len
			}
		}
	}
}

// trimTombs forgets the oldest tombstones beyond max.
func (s *state) trimTombs(max int) {
	if len(s.tombs) <= max {
		return
	}
	cut := len(s.tombs) - max
	s.tombFloor = s.tombs[cut-1].modseq
	// Tombstones sharing the floor's MODSEQ go too, so that every
	// expunge above the floor is remembered whole.
	for cut < len(s.tombs) && s.tombs[cut].modseq == s.tombFloor {
		cut++
	}
	s.tombs = slices.Clone(s.tombs[cut:])
}
