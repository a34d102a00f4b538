package imapclient

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// UID variants. The message commands (Fetch, FetchAll, Store, Search,
// Sort, Thread, Copy, Move) take a uid parameter: when it is true the
// command is sent as "UID <command>", its set holds UIDs instead of
// sequence numbers and the numbers it returns are UIDs. UIDExpunge is the
// one separate method, because UID EXPUNGE takes a UID set where EXPUNGE
// takes nothing.

// Errors of the message commands.
var (
	// ErrSectionClosed is returned by FetchSection.Read after the
	// section was released: the next NextSection call, the return of the
	// Fetch callback, or the end of the Fetch.
	ErrSectionClosed = errors.New("imapclient: fetch section read after it was released")
	// ErrNoAttrs: Fetch was called without attributes.
	ErrNoAttrs = errors.New("imapclient: FETCH without attributes")
)

// FetchOptions are the options of Fetch and FetchAll.
type FetchOptions struct {
	// ChangedSince, if not 0, sends the CHANGEDSINCE modifier
	// (RFC 7162 §3.1.4): only the messages whose mod-sequence is higher
	// are returned. CONDSTORE must be supported.
	ChangedSince uint64
	// Vanished sends the VANISHED modifier (RFC 7162 §3.2.6), for a UID
	// FETCH with ChangedSince once QRESYNC is enabled: the server also
	// reports the UIDs expunged since ChangedSince, in VANISHED (EARLIER)
	// responses that go to OnVanished.
	Vanished bool
	// OnVanished receives the UIDs of each VANISHED (EARLIER) response
	// of the command. It runs on the goroutine that called Fetch.
	OnVanished func(imap.UIDSet)
}

// BinarySize is a BINARY.SIZE[part] item (RFC 3516).
type BinarySize struct {
	Part []uint32
	Size uint64
}

// SectionData is a body section held in memory (FetchAll).
type SectionData struct {
	// Kind is the item as the server named it: imap.FetchBodySection,
	// imap.FetchBinary, imap.FetchRFC822, imap.FetchRFC822Header or
	// imap.FetchRFC822Text.
	Kind imap.FetchAttrKind
	// Section is the section; for the RFC822 items it is the equivalent
	// section ("", HEADER, TEXT).
	Section   imap.Section
	Origin    uint32 // of a partial fetch, when HasOrigin
	HasOrigin bool
	Binary    bool // sent as literal8
	Nil       bool // the server sent NIL
	Data      []byte
}

// FetchResult is the typed form of one message's FETCH response. A field
// the response did not carry is zero (Flags is then nil, never an empty
// non-nil slice).
type FetchResult struct {
	Seq           uint32
	UID           uint32
	Flags         []imap.Flag
	InternalDate  time.Time
	RFC822Size    int64
	Envelope      *imap.Envelope
	BodyStructure *imap.BodyStructure // BODYSTRUCTURE, or BODY if only that came
	ModSeq        uint64
	BinarySizes   []BinarySize
	// GmailMsgID, GmailThreadID and GmailLabels are Gmail's X-GM-MSGID,
	// X-GM-THRID and X-GM-LABELS (X-GM-EXT-1, see FetchGmailMsgID);
	// GmailLabels is nil when the item did not come.
	GmailMsgID    uint64
	GmailThreadID uint64
	GmailLabels   []string
	// Sections holds the body sections: filled by FetchAll only (Fetch
	// hands them out through FetchMessage.NextSection).
	Sections []SectionData
	// Items are all the items as decoded, in the order sent, including
	// those without a typed field above (EMAILID, PREVIEW, vendor items).
	// A section that was streamed has Streamed set and no Data.
	Items []imap.FetchItem
}

// Section returns the data of the first body section equal to sec
// (RFC822 counts as "", RFC822.HEADER as HEADER, RFC822.TEXT as TEXT), or
// nil.
func (r *FetchResult) Section(sec imap.Section) *SectionData {
	for i := range r.Sections {
		if sectionEqual(r.Sections[i].Section, sec) {
			return &r.Sections[i]
		}
	}
	return nil
}

func sectionEqual(a, b imap.Section) bool {
	// Header field names are case-insensitive (RFC 3501 §6.4.5); servers
	// echo them in their own case (Dovecot upper-cases them).
	return slices.Equal(a.Part, b.Part) && a.Spec == b.Spec &&
		slices.EqualFunc(a.Fields, b.Fields, strings.EqualFold)
}

// fill sets the typed fields from a FETCH response.
func (r *FetchResult) fill(fd *imap.FetchData) {
	r.Seq = fd.Seq
	r.Items = fd.Items
	bodyStructure := false
	for i := range fd.Items {
		it := &fd.Items[i]
		switch it.Kind {
		case imap.FetchUID:
			r.UID = uint32(it.Num)
		case imap.FetchFlags:
			r.Flags = it.Flags
			if r.Flags == nil {
				r.Flags = []imap.Flag{}
			}
		case imap.FetchInternalDate:
			r.InternalDate = it.Time
		case imap.FetchRFC822Size:
			r.RFC822Size = int64(it.Num)
		case imap.FetchEnvelope:
			r.Envelope = it.Envelope
		case imap.FetchBodyStructure:
			r.BodyStructure, bodyStructure = it.Body, true
		case imap.FetchBody:
			if !bodyStructure {
				r.BodyStructure = it.Body
			}
		case imap.FetchModSeq:
			r.ModSeq = it.Num
		case imap.FetchBinarySize:
			r.BinarySizes = append(r.BinarySizes, BinarySize{Part: it.Section.Part, Size: it.Num})
		case imap.FetchOther:
			r.fillGmail(it)
		}
	}
}

// isSectionKind reports whether items of kind k carry message data.
func isSectionKind(k imap.FetchAttrKind) bool {
	switch k {
	case imap.FetchBodySection, imap.FetchBinary, imap.FetchRFC822, imap.FetchRFC822Header, imap.FetchRFC822Text:
		return true
	}
	return false
}

// sectionOf returns an item's section, with the RFC822 items mapped to
// their equivalents.
func sectionOf(it *imap.FetchItem) imap.Section {
	switch it.Kind {
	case imap.FetchRFC822:
		return imap.Section{}
	case imap.FetchRFC822Header:
		return imap.Section{Spec: imap.SpecHeader}
	case imap.FetchRFC822Text:
		return imap.Section{Spec: imap.SpecText}
	}
	s := it.Section
	s.Part = slices.Clone(s.Part)
	s.Fields = slices.Clone(s.Fields)
	return s
}

// FetchSection is one body section of a message being fetched: an
// io.Reader over its octets, which come straight from the connection.
// It is valid until it is released: by the next NextSection call, by the
// return of the Fetch callback, or by the end of the Fetch; its unread
// octets are then discarded and Read returns ErrSectionClosed.
type FetchSection struct {
	// Kind, Section, Origin, HasOrigin and Binary are as in SectionData.
	Kind      imap.FetchAttrKind
	Section   imap.Section
	Origin    uint32
	HasOrigin bool
	Binary    bool
	// Size is the section's length in octets.
	Size int64
	// Nil: the server sent NIL (Size is 0).
	Nil bool

	seq     uint32
	mu      sync.Mutex // serializes Read with release
	r       io.Reader
	closed  bool
	release chan struct{} // closed by the consumer; nil for in-memory data
	once    sync.Once
}

// Read reads the section's octets.
func (s *FetchSection) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrSectionClosed
	}
	return s.r.Read(p)
}

// done releases the section (consumer side).
func (s *FetchSection) done() {
	if s.release == nil {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		return
	}
	s.once.Do(func() { close(s.release) })
}

// close marks the section unreadable; it waits for a Read in progress.
func (s *FetchSection) close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
}

// FetchMessage is one message of a Fetch, handed to its callback.
//
// The body sections come from NextSection, in the order the server sends
// them. The embedded FetchResult holds the message's other items (UID,
// FLAGS, ENVELOPE, ...): they are set when the callback is called if the
// message has no streamed section, and otherwise once NextSection has
// returned io.EOF, because the server may send them after the sections
// and the client reads the connection in order. A callback that needs,
// say, the UID before storing the body can request UID and read the
// sections to a temporary place, or read them first and look at the UID
// afterwards. FetchResult.Sections stays nil.
//
// A FetchMessage is valid only during the callback.
type FetchMessage struct {
	FetchResult

	run      *fetchRun
	cur      *FetchSection
	mem      []*FetchSection // sections that came in the response itself
	complete bool
}

// NextSection returns the message's next body section, or io.EOF when
// there are no more (the FetchResult fields are then set). It releases
// the previous section. Another error (the context's, or the connection's)
// ends the Fetch.
func (m *FetchMessage) NextSection() (*FetchSection, error) {
	if m.cur != nil {
		m.cur.done()
		m.cur = nil
	}
	for {
		if len(m.mem) > 0 {
			m.cur = m.mem[0]
			m.mem = m.mem[1:]
			return m.cur, nil
		}
		if m.complete {
			return nil, io.EOF
		}
		ev, err := m.run.next()
		if err == errCommandDone {
			// The command ended (tagged response or connection lost)
			// before this message's response: no more sections.
			m.complete = true
			if err := m.run.cmd.err; err != nil {
				return nil, err
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		switch {
		case ev.vanished != nil:
			m.run.vanished(ev.vanished)
		case ev.sec != nil && ev.sec.seq == m.Seq:
			m.cur = ev.sec
			return m.cur, nil
		case ev.data != nil && ev.data.Seq == m.Seq:
			m.finish(ev.data)
		default:
			// Another message's data: this one's response did not come
			// as expected. End it here; the event is the next message's.
			m.run.back = &ev
			m.complete = true
		}
	}
}

// finish takes the message's completed response.
func (m *FetchMessage) finish(fd *imap.FetchData) {
	m.fill(fd)
	m.complete = true
	for i := range fd.Items {
		it := &fd.Items[i]
		if !isSectionKind(it.Kind) || it.Streamed {
			continue
		}
		m.mem = append(m.mem, &FetchSection{
			Kind: it.Kind, Section: sectionOf(it), Origin: it.Origin, HasOrigin: it.HasOrigin,
			Binary: it.Binary, Size: int64(len(it.Data.S)), Nil: !it.Data.Valid,
			seq: fd.Seq, r: bytes.NewReader([]byte(it.Data.S)),
		})
	}
}

// drain discards what the callback left of the message.
func (m *FetchMessage) drain() error {
	for {
		if _, err := m.NextSection(); err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

// fetchEvent is what the reader goroutine hands to the Fetch goroutine.
type fetchEvent struct {
	sec      *FetchSection      // a streamed literal
	data     *imap.FetchData    // a completed FETCH response
	vanished *imap.VanishedData // a VANISHED (EARLIER) response
}

// fetchRun is the state of one Fetch, shared by the reader goroutine
// (stream, claim) and the Fetch goroutine (next).
type fetchRun struct {
	ctx    context.Context
	cmd    *command
	events chan fetchEvent
	quit   chan struct{} // closed when the Fetch goroutine returns
	back   *fetchEvent   // an event put back (Fetch goroutine only)
	opts   FetchOptions

	// Which responses are the command's (reader goroutine only).
	set       imap.NumSet
	uid       bool
	anyMsg    bool // the set has "*" or is "$": take every FETCH
	streamSeq uint32
}

var errCommandDone = errors.New("imapclient: command completed")

// next waits for the next event (Fetch goroutine).
func (r *fetchRun) next() (fetchEvent, error) {
	if r.back != nil {
		ev := *r.back
		r.back = nil
		return ev, nil
	}
	select {
	case ev := <-r.events:
		return ev, nil
	case <-r.cmd.done:
		// Every event was received before the tagged response was read.
		return fetchEvent{}, errCommandDone
	case <-r.ctx.Done():
		return fetchEvent{}, r.ctx.Err()
	}
}

func (r *fetchRun) vanished(v *imap.VanishedData) {
	if r.opts.OnVanished != nil {
		r.opts.OnVanished(v.UIDs)
	}
}

// send hands an event to the Fetch goroutine (reader goroutine).
func (r *fetchRun) send(ev fetchEvent) bool {
	select {
	case r.events <- ev:
		return true
	case <-r.quit:
	case <-r.ctx.Done():
	}
	return false
}

// stream receives a FETCH literal (reader goroutine). It blocks until the
// Fetch goroutine has released the section, has returned, or its context
// is done: the literal flows through without being buffered.
func (r *fetchRun) stream(lit *wire.Literal) error {
	r.streamSeq = lit.Seq
	it := lit.Item
	sec := &FetchSection{Size: lit.Size, Binary: lit.Binary, seq: lit.Seq, r: lit, release: make(chan struct{})}
	if it != nil {
		sec.Kind, sec.Section, sec.Origin, sec.HasOrigin = it.Kind, sectionOf(it), it.Origin, it.HasOrigin
	}
	if r.send(fetchEvent{sec: sec}) {
		select {
		case <-sec.release:
		case <-r.quit:
		case <-r.ctx.Done():
		}
	}
	sec.close()
	return nil // the decoder discards what was not read
}

// claim takes the command's FETCH and VANISHED (EARLIER) responses
// (reader goroutine).
func (r *fetchRun) claim(resp *wire.Response) bool {
	switch resp.Kind {
	case wire.KindFetch:
		if resp.Fetch == nil || !r.owns(resp.Fetch) {
			return false
		}
		r.send(fetchEvent{data: resp.Fetch})
		return true
	case wire.KindVanished:
		if resp.Vanished == nil || !resp.Vanished.Earlier || !r.opts.Vanished {
			return false
		}
		r.send(fetchEvent{vanished: resp.Vanished})
		return true
	}
	return false
}

// owns reports whether a FETCH response answers the command rather than
// being unsolicited (e.g. another session's flag change of a message
// outside the set).
func (r *fetchRun) owns(fd *imap.FetchData) bool {
	if r.streamSeq != 0 && fd.Seq == r.streamSeq {
		r.streamSeq = 0
		return true
	}
	return ownsFetch(fd, r.set, r.uid, r.anyMsg)
}

// ownsFetch reports whether fd is about a message of set.
func ownsFetch(fd *imap.FetchData, set imap.NumSet, uid, anyMsg bool) bool {
	if anyMsg {
		return true
	}
	if uid {
		u := fd.UID()
		return u != 0 && set.Contains(u, ^uint32(0))
	}
	return set.Contains(fd.Seq, ^uint32(0))
}

// Fetch runs FETCH (RFC 3501 §6.4.5, RFC 9051 §6.4.5), or UID FETCH when
// uid is true, and calls fn for each message the server returns, in
// order, on the calling goroutine. Body sections are streamed: a 100 MB
// BODY[] flows from the connection through FetchSection.Read in bounded
// memory.
//
// The rule, which is what rules out a deadlock: while fn holds a section
// unread, the client cannot read any other response, since the section's
// octets are next on the connection. So fn must not wait for another
// command of this Client to complete (it may start one in a goroutine, or
// collect what to do and do it after Fetch returns). Other goroutines'
// commands just wait, and commands issued by several goroutines at once,
// including several Fetches, are pipelined safely. If fn breaks the rule
// anyway, cancelling ctx ends the wait: the reader then discards the
// section and goes on.
//
// If fn returns an error, or ctx is done, Fetch returns at once with that
// error; the command's remaining responses are read and discarded.
// Sections fn did not read are discarded. NO or BAD is a *StatusError.
func (c *Client) Fetch(ctx context.Context, set imap.NumSet, uid bool, attrs []imap.FetchAttr, opts *FetchOptions, fn func(*FetchMessage) error) error {
	if len(attrs) == 0 {
		return ErrNoAttrs
	}
	args := &imap.FetchCommand{Set: set, Attrs: attrs}
	run := &fetchRun{
		ctx:    ctx,
		events: make(chan fetchEvent),
		quit:   make(chan struct{}),
		set:    set,
		uid:    uid,
		anyMsg: set.ContainsStar() || set.IsSearchRes(),
	}
	if opts != nil {
		run.opts = *opts
		args.ChangedSince, args.Vanished = opts.ChangedSince, opts.Vanished
	}
	defer close(run.quit)
	cmd := &command{claim: run.claim, stream: run.stream}
	run.cmd = cmd
	if err := c.start(ctx, "FETCH", args, uid, cmd); err != nil {
		return err
	}
	for {
		ev, err := run.next()
		if err == errCommandDone {
			break
		}
		if err != nil {
			return err
		}
		var m *FetchMessage
		switch {
		case ev.vanished != nil:
			run.vanished(ev.vanished)
			continue
		case ev.sec != nil:
			m = &FetchMessage{run: run}
			m.Seq = ev.sec.seq
			run.back = &ev
		case ev.data != nil:
			m = &FetchMessage{run: run}
			m.finish(ev.data)
		default:
			continue
		}
		ferr := fn(m)
		if m.cur != nil {
			m.cur.done()
			m.cur = nil
		}
		if ferr != nil {
			return ferr
		}
		if err := m.drain(); err != nil {
			return err
		}
	}
	_, err := c.wait(ctx, cmd)
	return err
}

// FetchAll is Fetch with every message buffered: its body sections are
// read into FetchResult.Sections. It suits small messages and non-body
// items; use Fetch for large bodies.
func (c *Client) FetchAll(ctx context.Context, set imap.NumSet, uid bool, attrs []imap.FetchAttr, opts *FetchOptions) ([]*FetchResult, error) {
	var out []*FetchResult
	err := c.Fetch(ctx, set, uid, attrs, opts, func(m *FetchMessage) error {
		var secs []SectionData
		for {
			s, err := m.NextSection()
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
			data, err := io.ReadAll(s)
			if err != nil {
				return err
			}
			secs = append(secs, SectionData{
				Kind: s.Kind, Section: s.Section, Origin: s.Origin, HasOrigin: s.HasOrigin,
				Binary: s.Binary, Nil: s.Nil, Data: data,
			})
		}
		r := m.FetchResult
		r.Sections = secs
		out = append(out, &r)
		return nil
	})
	return out, err
}
