package mime

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// This file evaluates SEARCH programs (RFC 3501 §6.4.4, RFC 9051 §6.4.4
// and the extensions' keys) against one message at a time.

// ErrUnsupportedKey is the error (tested with errors.Is) NewMatcher returns
// for a search key it does not know: an unknown SearchOp, or SearchRaw (a
// vendor key the codec kept verbatim). A server answers such a SEARCH with
// BAD or NO.
var ErrUnsupportedKey = errors.New("mime: unsupported search key")

// ErrInvalidKey is the error NewMatcher returns for a malformed search key
// tree: NOT without exactly one child, OR without exactly two, or nesting
// deeper than MaxSearchDepth.
var ErrInvalidKey = errors.New("mime: invalid search key")

// ErrNoContent is the error Match returns when a key needs the message's
// header or body and the SearchMessage has no Structure or no Src. Use
// (*Matcher).NeedsContent to know beforehand whether to provide them.
var ErrNoContent = errors.New("mime: search key needs the message structure and content")

// MaxSearchDepth is the deepest nesting of search keys NewMatcher accepts.
const MaxSearchDepth = 1000

// SearchMessage is what Match knows about one message of the mailbox.
type SearchMessage struct {
	// Seq and UID are the message's sequence number and UID.
	Seq, UID uint32
	// Flags are the message's flags, \Recent included when it is recent
	// (RECENT, NEW and OLD look for it).
	Flags []imap.Flag
	// InternalDate is the INTERNALDATE (BEFORE, ON, SINCE, OLDER,
	// YOUNGER).
	InternalDate time.Time
	// SaveDate is the save date of RFC 8514 (SAVEDBEFORE, SAVEDON,
	// SAVEDSINCE); the zero time means the mailbox's storage does not
	// keep one, which makes SAVEDATESUPPORTED false and the SAVED* keys use
	// InternalDate instead (RFC 8514 §4.3).
	SaveDate time.Time
	// ModSeq is the message's mod-sequence (RFC 7162 MODSEQ).
	ModSeq uint64
	// Size is the RFC822.SIZE (LARGER, SMALLER).
	Size int64
	// EmailID and ThreadID are the RFC 8474 object identifiers; "" is NIL,
	// which no EMAILID or THREADID key matches.
	EmailID, ThreadID string
	// Structure is the parsed message and Src its raw octets. They are
	// needed only by the keys that look at the header or body (BCC, BODY,
	// CC, FROM, HEADER, SUBJECT, TEXT, TO, and SENTBEFORE, SENTON and
	// SENTSINCE, which need only Structure when it has its envelope); see
	// (*Matcher).NeedsContent.
	Structure *Structure
	Src       io.ReaderAt
}

// MatchOptions are the mailbox state and preferences a search depends on.
// A nil *MatchOptions is the zero value.
type MatchOptions struct {
	// Now returns the current time for OLDER and YOUNGER (RFC 5032); nil
	// means time.Now. NewMatcher calls it once, so that every message of
	// one search is compared with the same instant.
	Now func() time.Time
	// Location, when set, is the time zone in which the date of the
	// INTERNALDATE and the save date are taken for BEFORE, ON, SINCE,
	// SAVEDBEFORE, SAVEDON and SAVEDSINCE. By default a date is taken in
	// the time's own zone, which is the zone the INTERNALDATE is shown in:
	// RFC 3501 §6.4.4 compares dates "disregarding time and timezone".
	// The sent date (SENTBEFORE, SENTON, SENTSINCE) is always the date as
	// written in the Date header, in the header's own zone.
	Location *time.Location
	// MaxSeq and MaxUID are what "*" stands for in sequence sets and UID
	// sets: the number of messages and the highest UID in the mailbox
	// (imap.NumSet.Contains explains the value 0).
	MaxSeq, MaxUID uint32
	// SearchRes is the saved search result "$" stands for (RFC 5182), as
	// the UIDs of its messages: "$" can be used both as a sequence set and
	// as a UID set (RFC 5182 §2.1), and UIDs survive expunges. A "$"
	// matches the messages whose UID is in SearchRes; an empty SearchRes
	// matches none.
	SearchRes imap.NumSet
}

// Matcher is a compiled search program. It is safe for concurrent use by
// several goroutines.
type Matcher struct {
	root     searchNode
	opts     MatchOptions
	chunk    int // finder chunk size; 0 means the default (tests set it)
	readSize int // body read buffer size; 0 means the default
}

// NewMatcher compiles a search program: it checks every key, prepares the
// strings with the i;unicode-casemap collation (RFC 5051) and computes the
// dates once. The strings in key are UTF-8 (a server converts the SEARCH
// CHARSET before). An unknown key gives an error matching
// ErrUnsupportedKey and a malformed tree one matching ErrInvalidKey.
//
// How keys match:
//
//   - String keys match a substring, case-insensitively per
//     i;unicode-casemap: both sides are titlecased and decomposed (NFKD),
//     so "strasse" matches "STRASSE", a precomposed "é" matches "e"
//     followed by U+0301, and "e" matches "é"; "ß" does not match "ss"
//     (see RFC 5051 and casemap.go).
//   - FROM, TO, CC, BCC, SUBJECT and HEADER look at the message's own
//     header fields of that name (any of them when the field repeats),
//     unfolded and with RFC 2047 encoded-words decoded. An empty string
//     matches every message that has the field (RFC 3501 §6.4.4 HEADER).
//   - BODY looks at the decoded text of every text/* and message/* leaf
//     part, including those of attached messages: transfer encoding
//     removed, converted from the part's charset to UTF-8 (a part in an
//     unknown charset is searched as its raw octets). Other parts, such
//     as attachments of type application or image, are not searched, as
//     RFC 3501 §6.4.4 allows; Dovecot without a full-text index does the
//     same (lib-mail message-search.c). Headers are not part of BODY, not
//     even those of an attached message. The preamble and epilogue of
//     multiparts are not searched.
//   - TEXT is the message header, the header of every body part and
//     attached message (RFC 9051: "including MIME header fields"), and
//     what BODY searches. A header is searched as its fields, each as
//     "Name: value" with the value decoded, followed by CRLF.
//   - A needle is never matched across two parts, or across a header and
//     a body.
//   - SENTBEFORE, SENTON and SENTSINCE take the Date of the Structure's
//     envelope (the last Date field, as ENVELOPE has it; the header is
//     read only when the Structure has no envelope), parsed leniently
//     with ParseDate, and compare its date as written, in its own zone. A
//     message without a valid Date matches none of them.
//   - "$" (RFC 5182) is taken from MatchOptions.SearchRes; MODSEQ ignores
//     the entry name and type, as RFC 7162 §3.1.5 allows a server that
//     keeps one mod-sequence per message.
func NewMatcher(key imap.SearchKey, opts *MatchOptions) (*Matcher, error) {
	m := &Matcher{}
	if opts != nil {
		m.opts = *opts
		m.opts.SearchRes = opts.SearchRes.Clone()
	}
	now := time.Now
	if m.opts.Now != nil {
		now = m.opts.Now
	}
	c := searchCompiler{now: now().Unix()}
	root, err := c.compile(&key, 0)
	if err != nil {
		return nil, err
	}
	m.root = root
	return m, nil
}

// NeedsContent reports whether Match may read the message: whether the
// program has a key that looks at the header or body, for which
// SearchMessage.Structure and Src must be set.
func (m *Matcher) NeedsContent() bool { return m.root.cost > searchCostCheap }

// Match reports whether the message matches the program. Keys that need
// nothing but the SearchMessage's fields are evaluated before those that
// read the header, and those before the ones that read the body, within
// every AND and OR, and evaluation stops as soon as the result is known.
// So the message is read only when the cheap keys cannot decide, and
// ErrNoContent or a read error from Src is returned only when a key that
// needs the content has to be evaluated.
//
// A body is read in pieces, never whole: memory stays bounded whatever the
// message's size. The context is checked first and then between pieces;
// when it is done, Match returns ctx.Err().
func (m *Matcher) Match(ctx context.Context, msg *SearchMessage) (bool, error) {
	if msg == nil {
		return false, errors.New("mime: Match: nil message")
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	st := searchState{ctx: ctx, m: m, msg: msg}
	return st.eval(&m.root)
}

// searchKind is the kind of a compiled search key.
type searchKind uint8

const (
	skAll searchKind = iota
	skNone
	skAnd
	skOr
	skNot
	skFlag // flag present (or absent with neg)
	skNew  // \Recent and not \Seen
	skLarger
	skSmaller
	skDate // internal, saved or sent date against day
	skOlder
	skYounger
	skSeq
	skUID
	skModSeq
	skSaveDateSupported
	skEmailID
	skThreadID
	skHeader
	skBody
	skText
)

// Which date an skDate node compares, and how.
const (
	searchDateInternal = iota
	searchDateSaved
	searchDateSent
)

const (
	searchRelBefore = iota
	searchRelOn
	searchRelSince
)

// Evaluation costs: AND and OR evaluate their cheaper children first.
const (
	searchCostCheap  = iota // the SearchMessage's own fields
	searchCostSent          // the envelope's Date, or the header
	searchCostHeader        // the header
	searchCostBody          // the body
	searchCostText          // header and body
)

// searchNode is a compiled search key.
type searchNode struct {
	kind   searchKind
	cost   int
	neg    bool      // skFlag: the flag must be absent
	which  int       // skDate: searchDateInternal, searchDateSaved or searchDateSent
	rel    int       // skDate: searchRelBefore, searchRelOn or searchRelSince
	day    int       // skDate: the key's date as searchDay
	num    uint64    // skLarger, skSmaller, skModSeq
	unix   int64     // skOlder, skYounger: the target time in Unix seconds
	flag   imap.Flag // skFlag
	field  string    // skHeader: the field name
	needle []byte    // skHeader, skBody, skText: prepared; nil for ""
	str    string    // skEmailID, skThreadID
	set    imap.NumSet
	kids   []searchNode
}

type searchCompiler struct {
	now int64 // Unix seconds
}

// searchHeaderKeys are the string keys that search one header field.
var searchHeaderKeys = map[imap.SearchOp]string{
	imap.SearchFrom:    "From",
	imap.SearchTo:      "To",
	imap.SearchCc:      "Cc",
	imap.SearchBcc:     "Bcc",
	imap.SearchSubject: "Subject",
}

// searchFlagKeys are the keys that test one flag: the flag and whether it must
// be absent.
var searchFlagKeys = map[imap.SearchOp]struct {
	flag imap.Flag
	neg  bool
}{
	imap.SearchAnswered:   {imap.FlagAnswered, false},
	imap.SearchDeleted:    {imap.FlagDeleted, false},
	imap.SearchDraft:      {imap.FlagDraft, false},
	imap.SearchFlagged:    {imap.FlagFlagged, false},
	imap.SearchRecent:     {imap.FlagRecent, false},
	imap.SearchSeen:       {imap.FlagSeen, false},
	imap.SearchUnanswered: {imap.FlagAnswered, true},
	imap.SearchUndeleted:  {imap.FlagDeleted, true},
	imap.SearchUndraft:    {imap.FlagDraft, true},
	imap.SearchUnflagged:  {imap.FlagFlagged, true},
	imap.SearchUnseen:     {imap.FlagSeen, true},
	imap.SearchOld:        {imap.FlagRecent, true}, // RFC 3501: "NOT RECENT"
}

// searchDateKeys are the date keys.
var searchDateKeys = map[imap.SearchOp][2]int{
	imap.SearchBefore:      {searchDateInternal, searchRelBefore},
	imap.SearchOn:          {searchDateInternal, searchRelOn},
	imap.SearchSince:       {searchDateInternal, searchRelSince},
	imap.SearchSavedBefore: {searchDateSaved, searchRelBefore},
	imap.SearchSavedOn:     {searchDateSaved, searchRelOn},
	imap.SearchSavedSince:  {searchDateSaved, searchRelSince},
	imap.SearchSentBefore:  {searchDateSent, searchRelBefore},
	imap.SearchSentOn:      {searchDateSent, searchRelOn},
	imap.SearchSentSince:   {searchDateSent, searchRelSince},
}

func (c *searchCompiler) compile(k *imap.SearchKey, depth int) (searchNode, error) {
	if depth >= MaxSearchDepth {
		return searchNode{}, fmt.Errorf("%w: nested deeper than %d", ErrInvalidKey, MaxSearchDepth)
	}
	if f, ok := searchFlagKeys[k.Op]; ok {
		return searchNode{kind: skFlag, flag: f.flag, neg: f.neg}, nil
	}
	if d, ok := searchDateKeys[k.Op]; ok {
		n := searchNode{kind: skDate, which: d[0], rel: d[1], day: searchDay(k.Date)}
		if d[0] == searchDateSent {
			n.cost = searchCostSent
		}
		return n, nil
	}
	if name, ok := searchHeaderKeys[k.Op]; ok {
		return searchNode{kind: skHeader, cost: searchCostHeader, field: name, needle: prepareNeedle(k.Str)}, nil
	}
	switch k.Op {
	case imap.SearchAll:
		return searchNode{kind: skAll}, nil
	case imap.SearchNew:
		return searchNode{kind: skNew}, nil
	case imap.SearchKeyword:
		return searchNode{kind: skFlag, flag: k.Flag}, nil
	case imap.SearchUnkeyword:
		return searchNode{kind: skFlag, flag: k.Flag, neg: true}, nil
	case imap.SearchLarger:
		return searchNode{kind: skLarger, num: k.Num}, nil
	case imap.SearchSmaller:
		return searchNode{kind: skSmaller, num: k.Num}, nil
	case imap.SearchOlder, imap.SearchYounger:
		// RFC 5032 §2: the target is now minus the interval, to the
		// second. Intervals beyond any date clamp (no overflow).
		n := searchNode{kind: skOlder, unix: c.now - int64(min(k.Num, 1<<62))}
		if k.Op == imap.SearchYounger {
			n.kind = skYounger
		}
		return n, nil
	case imap.SearchSeqSet:
		return searchNode{kind: skSeq, set: k.Set}, nil
	case imap.SearchUID:
		return searchNode{kind: skUID, set: k.Set}, nil
	case imap.SearchModSeq:
		return searchNode{kind: skModSeq, num: k.Num}, nil
	case imap.SearchSaveDateSupported:
		return searchNode{kind: skSaveDateSupported}, nil
	case imap.SearchEmailID:
		return searchNode{kind: skEmailID, str: k.Str}, nil
	case imap.SearchThreadID:
		return searchNode{kind: skThreadID, str: k.Str}, nil
	case imap.SearchHeader:
		if k.Field == "" {
			return searchNode{kind: skNone}, nil // no field has an empty name
		}
		return searchNode{kind: skHeader, cost: searchCostHeader, field: k.Field, needle: prepareNeedle(k.Str)}, nil
	case imap.SearchBody, imap.SearchText:
		n := searchNode{kind: skBody, cost: searchCostBody, needle: prepareNeedle(k.Str)}
		if k.Op == imap.SearchText {
			n.kind, n.cost = skText, searchCostText
		}
		if n.needle == nil {
			// The empty string is a substring of every text
			// (RFC 4790 §4.2.3): nothing to read.
			n = searchNode{kind: skAll}
		}
		return n, nil
	case imap.SearchNot:
		if len(k.Children) != 1 {
			return searchNode{}, fmt.Errorf("%w: NOT with %d keys", ErrInvalidKey, len(k.Children))
		}
		kid, err := c.compile(&k.Children[0], depth+1)
		if err != nil {
			return searchNode{}, err
		}
		return searchNode{kind: skNot, cost: kid.cost, kids: []searchNode{kid}}, nil
	case imap.SearchOr, imap.SearchAnd:
		if k.Op == imap.SearchOr && len(k.Children) != 2 {
			return searchNode{}, fmt.Errorf("%w: OR with %d keys", ErrInvalidKey, len(k.Children))
		}
		n := searchNode{kind: skAnd, kids: make([]searchNode, len(k.Children))}
		if k.Op == imap.SearchOr {
			n.kind = skOr
		}
		for i := range k.Children {
			kid, err := c.compile(&k.Children[i], depth+1)
			if err != nil {
				return searchNode{}, err
			}
			n.kids[i] = kid
			n.cost = max(n.cost, kid.cost)
		}
		// Cheap keys first; the result does not depend on the order.
		slices.SortStableFunc(n.kids, func(a, b searchNode) int { return a.cost - b.cost })
		return n, nil
	case imap.SearchRaw:
		return searchNode{}, fmt.Errorf("%w: %s", ErrUnsupportedKey, k.Field)
	}
	return searchNode{}, fmt.Errorf("%w: %q", ErrUnsupportedKey, string(k.Op))
}

// prepare returns the i;unicode-casemap form of a needle, nil for "".
func prepareNeedle(s string) []byte {
	if s == "" {
		return nil
	}
	return appendCasemapString(make([]byte, 0, len(s)), s)
}

// searchDay is the date of t in t's location as a number that orders like
// the dates.
func searchDay(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

// searchState is what one Match call has learned about the message.
type searchState struct {
	ctx context.Context
	m   *Matcher
	msg *SearchMessage

	hdrDone bool
	hdr     Header
	hdrErr  error
	dec     []string // decoded field values, by index, when decDone
	decDone []bool

	sentDone bool
	sentOK   bool
	sentDay  int
	sentErr  error

	scratch []byte
	buf     []byte
	stack   []*Part
	find    *finder
}

func (st *searchState) eval(n *searchNode) (bool, error) {
	msg := st.msg
	switch n.kind {
	case skAll:
		return true, nil
	case skNone:
		return false, nil
	case skAnd:
		for i := range n.kids {
			ok, err := st.eval(&n.kids[i])
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case skOr:
		for i := range n.kids {
			ok, err := st.eval(&n.kids[i])
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case skNot:
		ok, err := st.eval(&n.kids[0])
		if err != nil {
			return false, err
		}
		return !ok, nil
	case skFlag:
		return searchHasFlag(msg.Flags, n.flag) != n.neg, nil
	case skNew:
		return searchHasFlag(msg.Flags, imap.FlagRecent) && !searchHasFlag(msg.Flags, imap.FlagSeen), nil
	case skLarger:
		return uint64(max(msg.Size, 0)) > n.num, nil
	case skSmaller:
		return uint64(max(msg.Size, 0)) < n.num, nil
	case skOlder:
		// RFC 5032 §2: "less recent than or equal to the target time".
		return msg.InternalDate.Unix() <= n.unix, nil
	case skYounger:
		return msg.InternalDate.Unix() >= n.unix, nil
	case skSeq:
		return st.inSet(n.set, msg.Seq, st.m.opts.MaxSeq), nil
	case skUID:
		return st.inSet(n.set, msg.UID, st.m.opts.MaxUID), nil
	case skModSeq:
		// RFC 7162 §3.1.5: "equal to or greater than".
		return msg.ModSeq >= n.num, nil
	case skSaveDateSupported:
		return !msg.SaveDate.IsZero(), nil
	case skEmailID:
		// RFC 8474 §5.4: "exactly the specified ObjectID".
		return msg.EmailID != "" && msg.EmailID == n.str, nil
	case skThreadID:
		return msg.ThreadID != "" && msg.ThreadID == n.str, nil
	case skDate:
		return st.evalDate(n)
	case skHeader:
		return st.evalHeader(n)
	case skBody, skText:
		return st.searchContent(n.needle, n.kind == skText)
	}
	return false, fmt.Errorf("%w: internal searchKind %d", ErrUnsupportedKey, n.kind)
}

func searchHasFlag(flags []imap.Flag, f imap.Flag) bool {
	if f == "" {
		return false
	}
	for _, g := range flags {
		if g.Equal(f) {
			return true
		}
	}
	return false
}

// inSet reports whether n is in set, "$" meaning the saved result's UIDs
// (see MatchOptions.SearchRes).
func (st *searchState) inSet(set imap.NumSet, n, star uint32) bool {
	if set.IsSearchRes() {
		res := st.m.opts.SearchRes
		if !res.IsSearchRes() && res.Contains(st.msg.UID, st.m.opts.MaxUID) {
			return true
		}
	}
	return set.Contains(n, star)
}

func (st *searchState) evalDate(n *searchNode) (bool, error) {
	var day int
	switch n.which {
	case searchDateInternal, searchDateSaved:
		t := st.msg.InternalDate
		if n.which == searchDateSaved && !st.msg.SaveDate.IsZero() {
			t = st.msg.SaveDate
		}
		if loc := st.m.opts.Location; loc != nil {
			t = t.In(loc)
		}
		day = searchDay(t)
	case searchDateSent:
		d, ok, err := st.sentDate()
		if err != nil || !ok {
			return false, err
		}
		day = d
	}
	switch n.rel {
	case searchRelBefore:
		return day < n.day, nil
	case searchRelOn:
		return day == n.day, nil
	default:
		return day >= n.day, nil
	}
}

// sentDate returns the date of the message's Date field, as written.
func (st *searchState) sentDate() (day int, ok bool, err error) {
	if st.sentDone {
		return st.sentDay, st.sentOK, st.sentErr
	}
	st.sentDone = true
	s := st.msg.Structure
	if s == nil {
		st.sentErr = fmt.Errorf("%w: SENTBEFORE, SENTON and SENTSINCE read the Date field", ErrNoContent)
		return 0, false, st.sentErr
	}
	var v string
	var have bool
	if env := s.Root.Envelope; env != nil {
		v, have = env.Date.S, env.Date.Valid
	} else {
		// No envelope (a Structure built by hand): the header's Date,
		// the last one as EnvelopeFromHeader takes it.
		h, err := st.header()
		if err != nil {
			st.sentErr = err
			return 0, false, err
		}
		if ds := h.Values("Date"); len(ds) > 0 {
			v, have = ds[len(ds)-1], true
		}
	}
	if have {
		if t, ok := ParseDate(v); ok {
			st.sentDay, st.sentOK = searchDay(t), true
		}
	}
	return st.sentDay, st.sentOK, nil
}

// header returns the message header, read once.
func (st *searchState) header() (*Header, error) {
	if !st.hdrDone {
		st.hdrDone = true
		if err := st.needContent(); err != nil {
			st.hdrErr = err
		} else {
			st.hdr, st.hdrErr = readHeaderPrefix(st.msg.Src, &st.msg.Structure.Root)
			st.dec = make([]string, len(st.hdr.Fields))
			st.decDone = make([]bool, len(st.hdr.Fields))
		}
	}
	return &st.hdr, st.hdrErr
}

func (st *searchState) needContent() error {
	if st.msg.Structure == nil || st.msg.Src == nil {
		return ErrNoContent
	}
	return nil
}

// decoded returns the value of the i-th field of the message header,
// unfolded and with encoded-words decoded (RFC 2047; words in unknown
// charsets are kept as sent).
func (st *searchState) decoded(i int) string {
	if !st.decDone[i] {
		st.decDone[i] = true
		st.dec[i], _ = DecodeHeader(st.hdr.Fields[i].Value())
	}
	return st.dec[i]
}

func (st *searchState) evalHeader(n *searchNode) (bool, error) {
	h, err := st.header()
	if err != nil {
		return false, err
	}
	for i := range h.Fields {
		if !strings.EqualFold(h.Fields[i].Name, n.field) {
			continue
		}
		if n.needle == nil {
			return true, nil
		}
		var ok bool
		ok, st.scratch = casemapContains(st.decoded(i), n.needle, st.scratch)
		if ok {
			return true, nil
		}
	}
	return false, nil
}

// readHeaderPrefix reads and parses the header of p, at most
// DefaultMaxHeaderSize octets of it (as Parse keeps), so that an
// oversized header is searched in part rather than failing the search.
func readHeaderPrefix(src io.ReaderAt, p *Part) (Header, error) {
	size := min(p.HeaderSize, DefaultMaxHeaderSize)
	if size <= 0 {
		return Header{}, nil
	}
	b := make([]byte, size)
	n, err := src.ReadAt(b, p.Offset)
	if n < len(b) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Header{}, fmt.Errorf("mime: reading header at offset %d: %w", p.Offset, err)
	}
	return ParseHeader(b), nil
}

// Default size of the buffer a body is read through.
const searchDefaultReadSize = 32 << 10

// searchContent looks for needle in the text parts' bodies and, with
// headers, in every header of the message.
func (st *searchState) searchContent(needle []byte, headers bool) (bool, error) {
	if err := st.needContent(); err != nil {
		return false, err
	}
	if st.find == nil {
		st.find = newFinder(needle, st.m.chunk)
	} else {
		st.find.needle = needle
	}
	f := st.find
	root := &st.msg.Structure.Root
	if headers {
		h, err := st.header()
		if err != nil {
			return false, err
		}
		f.reset()
		for i := range h.Fields {
			if st.writeField(f, &h.Fields[i], st.decoded(i)) {
				return true, nil
			}
		}
		if f.close() {
			return true, nil
		}
	}
	st.stack = append(st.stack[:0], root)
	for len(st.stack) > 0 {
		p := st.stack[len(st.stack)-1]
		st.stack = st.stack[:len(st.stack)-1]
		if headers && p != root {
			found, err := st.searchPartHeader(f, p)
			if found || err != nil {
				return found, err
			}
		}
		if len(p.Parts) > 0 {
			for i := len(p.Parts) - 1; i >= 0; i-- {
				st.stack = append(st.stack, &p.Parts[i])
			}
			continue
		}
		if !strings.EqualFold(p.Type, "text") && !strings.EqualFold(p.Type, "message") {
			continue // RFC 3501 §6.4.4: non-text parts MAY be excluded
		}
		found, err := st.searchBody(f, p)
		if found || err != nil {
			return found, err
		}
	}
	return false, nil
}

// writeField writes one header field to f as "Name: value" CRLF.
func (st *searchState) writeField(f *finder, fl *Field, value string) bool {
	st.scratch = st.scratch[:0]
	if fl.Name == "" {
		// A line that is not a field: as sent.
		st.scratch = append(st.scratch, fl.Raw...)
	} else {
		st.scratch = append(st.scratch, fl.Name...)
		st.scratch = append(st.scratch, ": "...)
		st.scratch = append(st.scratch, value...)
		st.scratch = append(st.scratch, "\r\n"...)
	}
	return f.write(st.scratch)
}

// searchPartHeader searches the header of a body part or attached message.
func (st *searchState) searchPartHeader(f *finder, p *Part) (bool, error) {
	if p.HeaderSize == 0 {
		return false, nil
	}
	if err := st.ctx.Err(); err != nil {
		return false, err
	}
	h, err := readHeaderPrefix(st.msg.Src, p)
	if err != nil {
		return false, err
	}
	f.reset()
	for i := range h.Fields {
		v, _ := DecodeHeader(h.Fields[i].Value())
		if st.writeField(f, &h.Fields[i], v) {
			return true, nil
		}
	}
	return f.close(), nil
}

// searchBody streams the decoded text of one part through f.
func (st *searchState) searchBody(f *finder, p *Part) (bool, error) {
	r, err := p.Text(st.msg.Src)
	if err != nil && !errors.Is(err, ErrUnknownCharset) && !errors.Is(err, ErrUnknownEncoding) {
		return false, err
	}
	if r == nil {
		return false, nil
	}
	// With an unknown charset or encoding, r gives the octets as they are
	// (RFC 5051 §2 (1)(b): text that cannot be converted is still
	// compared).
	if st.buf == nil {
		size := st.m.readSize
		if size <= 0 {
			size = searchDefaultReadSize
		}
		st.buf = make([]byte, size)
	}
	f.reset()
	empty := 0
	for {
		if err := st.ctx.Err(); err != nil {
			return false, err
		}
		n, err := r.Read(st.buf)
		if n > 0 {
			empty = 0
			if f.write(st.buf[:n]) {
				return true, nil
			}
		} else if err == nil {
			if empty++; empty >= 100 {
				return false, io.ErrNoProgress
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, fmt.Errorf("mime: reading part body at offset %d: %w", p.BodyOffset(), err)
		}
	}
	return f.close(), nil
}
