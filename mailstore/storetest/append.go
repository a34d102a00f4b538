package storetest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

func appendRules() []rule {
	return []rule{
		{"UIDsAscend", testAppendUIDs},
		{"StatusCounts", testStatusCounts},
		{"InternalDate", testInternalDate},
		{"Flags", testAppendFlags},
		{"ContentIdentical", testAppendContent},
		{"ReadAt", testReadAt},
		{"Structure", testStructure},
		{"ReaderError", testAppendReaderError},
	}
}

// testAppendUIDs: each APPEND gets a UID above every earlier one and at
// least the UIDNEXT before it (RFC 3501 §2.3.1.1 "strictly ascending";
// RFC 4315 §3 APPENDUID), under the mailbox's UIDVALIDITY; UIDNEXT then
// exceeds it (RFC 3501 §6.3.10 "the next unique identifier value").
func testAppendUIDs(e *env) {
	var last uint32
	for i := range 5 {
		before := e.status(e.st, "INBOX")
		res := e.appendMsg(e.st, "INBOX", smallMessage(i, "uid"), nil, time.Time{})
		if res.UID == 0 || res.UID <= last {
			e.Errorf("Append %d: UID %d, not above the previous %d", i, res.UID, last)
		}
		if res.UID < before.UIDNext {
			e.Errorf("Append %d: UID %d below the UIDNEXT %d before it", i, res.UID, before.UIDNext)
		}
		if res.UIDValidity != before.UIDValidity {
			e.Errorf("Append %d: UIDVALIDITY %d, Status says %d", i, res.UIDValidity, before.UIDValidity)
		}
		after := e.status(e.st, "INBOX")
		if after.UIDNext <= res.UID {
			e.Errorf("Append %d: UIDNEXT %d after appending UID %d", i, after.UIDNext, res.UID)
		}
		last = res.UID
	}
	// Appends through other sessions share the sequence.
	res := e.appendMsg(e.open(), "INBOX", smallMessage(9, "other session"), nil, time.Time{})
	if res.UID <= last {
		e.Errorf("Append from another session: UID %d, not above %d", res.UID, last)
	}
}

// testStatusCounts: STATUS gives the number of messages, unseen and
// deleted ones, the total size (RFC 9051 §6.3.11 MESSAGES, UNSEEN,
// DELETED, SIZE; RFC 8438), UIDNEXT and UIDVALIDITY (RFC 3501 §6.3.10),
// and HIGHESTMODSEQ (RFC 7162 §3.1.7), and matches the view.
func testStatusCounts(e *env) {
	e.create(e.st, "Other")
	type m struct {
		flags []imap.Flag
	}
	ms := []m{{nil}, {[]imap.Flag{imap.FlagSeen}}, {[]imap.Flag{imap.FlagDeleted}},
		{[]imap.Flag{imap.FlagSeen, imap.FlagDeleted}}, {[]imap.Flag{imap.FlagFlagged, "$Junk"}}}
	var size int64
	var last uint32
	for i, x := range ms {
		data := smallMessage(i, "status")
		size += int64(len(data))
		last = e.appendMsg(e.st, "INBOX", data, x.flags, time.Time{}).UID
	}
	e.appendN(e.st, "Other", 2)
	s := e.status(e.st, "INBOX")
	want := mailstore.MailboxStatus{Messages: 5, Unseen: 3, Deleted: 2, Size: size}
	if s.Messages != want.Messages || s.Unseen != want.Unseen || s.Deleted != want.Deleted || s.Size != want.Size {
		e.Errorf("Status: Messages %d Unseen %d Deleted %d Size %d; want %d %d %d %d",
			s.Messages, s.Unseen, s.Deleted, s.Size, want.Messages, want.Unseen, want.Deleted, want.Size)
	}
	if s.UIDNext <= last {
		e.Errorf("Status: UIDNEXT %d, not above the last UID %d", s.UIDNext, last)
	}
	mb := e.view(e.st, "INBOX", false)
	msgs := mb.Messages()
	if s.UIDValidity != mb.UIDValidity() || s.UIDNext != mb.UIDNext() {
		e.Errorf("Status UIDVALIDITY %d UIDNEXT %d; the view says %d %d", s.UIDValidity, s.UIDNext, mb.UIDValidity(), mb.UIDNext())
	}
	if s.HighestModSeq < maxModSeq(msgs) || s.HighestModSeq != mb.HighestModSeq() {
		e.Errorf("Status HIGHESTMODSEQ %d; the view says %d, highest message MODSEQ %d", s.HighestModSeq, mb.HighestModSeq(), maxModSeq(msgs))
	}
	// A change moves the counts and HIGHESTMODSEQ.
	res := e.setFlags(mb, []uint32{msgs[0].UID}, mailstore.FlagsAdd, imap.FlagSeen, imap.FlagDeleted)
	s2 := e.status(e.st, "INBOX")
	if s2.Unseen != 2 || s2.Deleted != 3 {
		e.Errorf("after STORE: Unseen %d Deleted %d, want 2 3", s2.Unseen, s2.Deleted)
	}
	if len(res.Changed) == 1 && s2.HighestModSeq < res.Changed[0].ModSeq {
		e.Errorf("after STORE: HIGHESTMODSEQ %d below the changed message's MODSEQ %d", s2.HighestModSeq, res.Changed[0].ModSeq)
	}
	if s2.HighestModSeq <= s.HighestModSeq {
		e.Errorf("after STORE: HIGHESTMODSEQ %d, not above %d before", s2.HighestModSeq, s.HighestModSeq)
	}
	if o := e.status(e.st, "Other"); o.Messages != 2 || o.Size != int64(len(smallMessage(0, "message 0"))+len(smallMessage(1, "message 1"))) {
		e.Errorf("Status(Other): %d messages, size %d", o.Messages, o.Size)
	}
}

// testInternalDate: APPEND keeps the given internal date (RFC 3501
// §6.3.11, §2.3.3; INTERNALDATE has a resolution of seconds), and
// without one the date is the time of the append (by the real clock: a
// backend made with a fixed clock fails this rule).
func testInternalDate(e *env) {
	loc := time.FixedZone("", -(7*3600 + 30*60))
	given := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 0, 1, 999999999, loc),
		time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC),
	}
	var uids []uint32
	for i, d := range given {
		uids = append(uids, e.appendMsg(e.st, "INBOX", smallMessage(i, "date"), nil, d).UID)
	}
	before := time.Now()
	nowUID := e.appendMsg(e.st, "INBOX", smallMessage(9, "now"), nil, time.Time{}).UID
	after := time.Now()
	mb := e.view(e.st, "INBOX", true)
	for i, uid := range uids {
		m, _, ok := find(mb.Messages(), uid)
		if !ok {
			e.Fatalf("UID %d missing", uid)
		}
		if d := m.InternalDate.Unix(); d != given[i].Unix() && d != given[i].Round(time.Second).Unix() {
			e.Errorf("UID %d: internal date %v, want %v", uid, m.InternalDate, given[i])
		}
	}
	m, _, _ := find(mb.Messages(), nowUID)
	if d := m.InternalDate; d.Before(before.Truncate(time.Second).Add(-time.Second)) || d.After(after.Add(time.Second)) {
		e.Errorf("append without a date: internal date %v, want the time of the append (%v to %v)", d, before, after)
	}
}

// testAppendFlags: APPEND sets the given flags, system flags and keywords
// (RFC 3501 §6.3.11); \Recent is not a flag a client can set (RFC 3501
// §2.3.2) and is ignored.
func testAppendFlags(e *env) {
	sets := [][]imap.Flag{
		nil,
		{imap.FlagSeen},
		{imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft, imap.FlagSeen},
		{"$Forwarded", "Work", "$label1"},
		{imap.FlagRecent, imap.FlagSeen},
	}
	var uids []uint32
	for i, f := range sets {
		uids = append(uids, e.appendMsg(e.st, "INBOX", smallMessage(i, "flags"), f, time.Time{}).UID)
	}
	mb := e.view(e.st, "INBOX", true)
	for i, uid := range uids {
		want := sets[i]
		if i == 4 {
			want = []imap.Flag{imap.FlagSeen}
		}
		if m, _, _ := find(mb.Messages(), uid); !sameFlags(m.Flags, want) {
			e.Errorf("UID %d appended with %v has flags %v", uid, sets[i], m.Flags)
		}
	}
}

// appendAll appends every message to name and returns their UIDs.
func (e *env) appendAll(name string, msgs []testMessage) []uint32 {
	e.Helper()
	uids := make([]uint32, len(msgs))
	for i, m := range msgs {
		uids[i] = e.appendMsg(e.st, name, m.data, nil, time.Time{}).UID
	}
	return uids
}

// testAppendContent: the stored message is the appended octets exactly
// (RFC 3501 §2.3.1.1 note 4: the message texts "must never change"),
// however odd, with RFC822.SIZE its length (RFC 3501 §2.3.4).
func testAppendContent(e *env) {
	msgs := append(oddMessages(), corpusMessages()[:10]...)
	uids := e.appendAll("INBOX", msgs)
	mb := e.view(e.st, "INBOX", true)
	var total int64
	for i, m := range msgs {
		total += int64(len(m.data))
		info, _, ok := find(mb.Messages(), uids[i])
		if !ok {
			e.Errorf("%s: UID %d not in the view", m.name, uids[i])
			continue
		}
		if info.Size != int64(len(m.data)) {
			e.Errorf("%s: MessageInfo.Size %d, want %d", m.name, info.Size, len(m.data))
		}
		msg, err := mb.OpenMessage(e.ctx, uids[i])
		if err != nil {
			e.Errorf("%s: OpenMessage: %v", m.name, err)
			continue
		}
		if msg.Size() != int64(len(m.data)) {
			e.Errorf("%s: Message.Size %d, want %d", m.name, msg.Size(), len(m.data))
		}
		got, err := io.ReadAll(io.NewSectionReader(msg, 0, msg.Size()))
		msg.Close()
		if err != nil || !bytes.Equal(got, m.data) {
			e.Errorf("%s: content read back differs (err %v):\n got %q\nwant %q", m.name, err, clip(got), clip(m.data))
		}
	}
	if s := e.status(e.st, "INBOX"); s.Size != total {
		e.Errorf("Status.Size %d, want %d", s.Size, total)
	}
}

func clip(b []byte) []byte {
	if len(b) > 200 {
		return b[:200]
	}
	return b
}

// testReadAt: Message is an io.ReaderAt: reads at any offset give the
// octets there (partial FETCH, RFC 3501 §6.4.5 BODY[]<origin.octets>); a
// read past the end returns the octets before it and io.EOF.
func testReadAt(e *env) {
	msgs := append(oddMessages(), corpusMessages()[:20]...)
	uids := e.appendAll("INBOX", msgs)
	mb := e.view(e.st, "INBOX", true)
	rng := rand.New(rand.NewPCG(1, 2))
	for i, m := range msgs {
		msg, err := mb.OpenMessage(e.ctx, uids[i])
		if err != nil {
			e.Fatalf("%s: OpenMessage: %v", m.name, err)
		}
		size := len(m.data)
		for range 8 {
			off := rng.IntN(size + 1)
			n := rng.IntN(size-off+1) + 1
			p := make([]byte, n)
			got, err := msg.ReadAt(p, int64(off))
			wantN := min(n, size-off)
			if got != wantN || !bytes.Equal(p[:got], m.data[off:off+wantN]) {
				e.Errorf("%s: ReadAt(%d octets at %d) = %d, %v; want %d octets %q", m.name, n, off, got, err, wantN, clip(m.data[off:off+wantN]))
			}
			if got < n && !errors.Is(err, io.EOF) {
				e.Errorf("%s: ReadAt(%d octets at %d) short by %d with error %v, want io.EOF", m.name, n, off, n-got, err)
			}
			if got == n && err != nil && err != io.EOF {
				e.Errorf("%s: ReadAt(%d at %d): %v", m.name, n, off, err)
			}
		}
		// At and beyond the end.
		if n, err := msg.ReadAt(make([]byte, 1), int64(size)); n != 0 || err != io.EOF {
			e.Errorf("%s: ReadAt at the end = %d, %v; want 0, io.EOF", m.name, n, err)
		}
		if n, err := msg.ReadAt(make([]byte, 10), int64(size)+100); n != 0 || err == nil {
			e.Errorf("%s: ReadAt past the end = %d, %v; want 0 and an error", m.name, n, err)
		}
		if n, err := msg.ReadAt(nil, 0); n != 0 || (err != nil && err != io.EOF) {
			e.Errorf("%s: ReadAt(empty) = %d, %v", m.name, n, err)
		}
		if err := msg.Close(); err != nil {
			e.Errorf("%s: Close: %v", m.name, err)
		}
	}
	// Two open messages read independently (and concurrently, for -race).
	a, err := mb.OpenMessage(e.ctx, uids[len(uids)-1])
	if err != nil {
		e.Fatal(err)
	}
	defer a.Close()
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(io.NewSectionReader(a, 0, a.Size()))
		done <- b
	}()
	b, _ := io.ReadAll(io.NewSectionReader(a, 0, a.Size()))
	if c := <-done; !bytes.Equal(b, c) || !bytes.Equal(b, msgs[len(msgs)-1].data) {
		e.Errorf("concurrent ReadAt of one Message gave different bytes")
	}
}

// testStructure: the structure the store gives (BODYSTRUCTURE, ENVELOPE,
// RFC 3501 §7.4.2) is what mime.Parse finds in the octets, whether the
// store cached it or parsed it; the structure never changes (RFC 3501
// §2.3.1.1 note 4).
func testStructure(e *env) {
	msgs := append(oddMessages(), corpusMessages()...)
	uids := e.appendAll("INBOX", msgs)
	mb := e.view(e.st, "INBOX", true)
	for i, m := range msgs {
		want, err := mime.Parse(bytes.NewReader(m.data), nil)
		if err != nil {
			e.Fatalf("%s: mime.Parse: %v", m.name, err)
		}
		for round := range 2 { // the second time from the cache, if any
			msg, err := mb.OpenMessage(e.ctx, uids[i])
			if err != nil {
				e.Fatalf("%s: OpenMessage: %v", m.name, err)
			}
			got, err := msg.Structure(e.ctx)
			msg.Close()
			if err != nil {
				e.Errorf("%s: Structure: %v", m.name, err)
				break
			}
			if got == nil {
				e.Errorf("%s: Structure returned nil", m.name)
				break
			}
			if got.Size != want.Size {
				e.Errorf("%s (round %d): Structure.Size %d, want %d", m.name, round, got.Size, want.Size)
			}
			if g, w := got.BodyStructure(true), want.BodyStructure(true); !reflect.DeepEqual(g, w) {
				e.Errorf("%s (round %d): BODYSTRUCTURE differs from mime.Parse's:\n got %+v\nwant %+v", m.name, round, g, w)
			}
			if g, w := got.Envelope(), want.Envelope(); !reflect.DeepEqual(g, w) {
				e.Errorf("%s (round %d): ENVELOPE differs from mime.Parse's:\n got %+v\nwant %+v", m.name, round, g, w)
			}
		}
	}
}

// failingReader gives n octets of a message, then an error.
type failingReader struct {
	r   io.Reader
	n   int
	err error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	if len(p) > f.n {
		p = p[:f.n]
	}
	n, err := f.r.Read(p)
	f.n -= n
	return n, err
}

var errInjected = errors.New("storetest: injected read error")

// testAppendReaderError: an APPEND whose literal fails midway (the
// connection dropped) fails and adds nothing: "If the append is
// unsuccessful for any reason, the mailbox MUST be restored to its state
// before the APPEND attempt" (RFC 3501 §6.3.11).
func testAppendReaderError(e *env) {
	e.appendN(e.st, "INBOX", 1)
	before := e.status(e.st, "INBOX")
	data := corpusMessages()[0].data
	for _, n := range []int{0, 10, len(data) / 2} {
		_, err := e.st.Append(e.ctx, "INBOX", &failingReader{r: bytes.NewReader(data), n: n, err: errInjected}, nil)
		if err == nil {
			e.Errorf("Append from a reader failing after %d octets succeeded", n)
		}
	}
	after := e.status(e.st, "INBOX")
	if after.Messages != before.Messages || after.Size != before.Size || after.Unseen != before.Unseen {
		e.Errorf("failed appends changed the mailbox: %+v, before %+v", after, before)
	}
	if msgs := e.fresh("INBOX"); len(msgs) != 1 {
		e.Errorf("failed appends left %d messages, want 1", len(msgs))
	}
	// And the mailbox still works.
	res := e.appendMsg(e.st, "INBOX", data, nil, time.Time{})
	if res.UID < before.UIDNext {
		e.Errorf("Append after failed ones got UID %d, below the UIDNEXT %d before them", res.UID, before.UIDNext)
	}
}
