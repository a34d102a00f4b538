package imapclient

import (
	"sync"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// Mailbox is the live view of the selected mailbox, kept current from the
// server's data: EXISTS, EXPUNGE, VANISHED, FETCH (UID, FLAGS, MODSEQ),
// FLAGS and the response codes of SELECT (RFC 3501 §7.3, §7.4; RFC 7162).
// Its methods are safe to call from any goroutine.
type Mailbox struct {
	name     string
	readOnly bool

	mu             sync.Mutex
	uidValidity    uint32
	uidNext        uint32
	highestModSeq  uint64
	flags          []imap.Flag
	permanentFlags []imap.Flag
	msgs           []MessageState
}

// MessageState is what the view knows of a message: its UID (0 until the
// server has said it), flags (nil until known) and MODSEQ.
type MessageState struct {
	UID    uint32
	Flags  []imap.Flag
	ModSeq uint64
}

// Name is the mailbox's name as selected.
func (m *Mailbox) Name() string { return m.name }

// ReadOnly reports whether the mailbox was opened read-only.
func (m *Mailbox) ReadOnly() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.readOnly
}

// Count is the number of messages (the last EXISTS, less expunges).
func (m *Mailbox) Count() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return uint32(len(m.msgs))
}

// UIDValidity, UIDNext and HighestModSeq are the values last announced.
func (m *Mailbox) UIDValidity() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.uidValidity
}

// UIDNext is the last announced UIDNEXT.
func (m *Mailbox) UIDNext() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.uidNext
}

// HighestModSeq is the last announced HIGHESTMODSEQ, raised by every
// MODSEQ the server reports.
func (m *Mailbox) HighestModSeq() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.highestModSeq
}

// Flags are the mailbox's flags (FLAGS response).
func (m *Mailbox) Flags() []imap.Flag {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]imap.Flag(nil), m.flags...)
}

// PermanentFlags are the flags the server keeps (PERMANENTFLAGS).
func (m *Mailbox) PermanentFlags() []imap.Flag {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]imap.Flag(nil), m.permanentFlags...)
}

// Message returns the state of message seq (1-based).
func (m *Mailbox) Message(seq uint32) (MessageState, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if seq == 0 || int(seq) > len(m.msgs) {
		return MessageState{}, false
	}
	s := m.msgs[seq-1]
	s.Flags = append([]imap.Flag(nil), s.Flags...)
	return s, true
}

// SeqOf returns the sequence number of the message with the UID, if the
// view knows it.
func (m *Mailbox) SeqOf(uid uint32) (uint32, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.msgs {
		if m.msgs[i].UID == uid {
			return uint32(i + 1), true
		}
	}
	return 0, false
}

// apply updates the view from an untagged response.
func (m *Mailbox) apply(r *wire.Response) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch r.Kind {
	case wire.KindExists:
		for uint32(len(m.msgs)) < r.Num {
			m.msgs = append(m.msgs, MessageState{})
		}
	case wire.KindExpunge:
		if r.Num >= 1 && int(r.Num) <= len(m.msgs) {
			m.msgs = append(m.msgs[:r.Num-1], m.msgs[r.Num:]...)
		}
	case wire.KindVanished:
		if r.Vanished == nil || r.Vanished.Earlier {
			return
		}
		kept := m.msgs[:0]
		for _, s := range m.msgs {
			if s.UID != 0 && r.Vanished.UIDs.Contains(s.UID, 0) {
				continue
			}
			kept = append(kept, s)
		}
		m.msgs = kept
	case wire.KindFlags:
		m.flags = r.Flags
	case wire.KindFetch:
		f := r.Fetch
		if f == nil || f.Seq == 0 {
			return
		}
		for uint32(len(m.msgs)) < f.Seq {
			m.msgs = append(m.msgs, MessageState{})
		}
		s := &m.msgs[f.Seq-1]
		for i := range f.Items {
			it := &f.Items[i]
			switch it.Kind {
			case imap.FetchUID:
				s.UID = uint32(it.Num)
			case imap.FetchFlags:
				s.Flags = it.Flags
			case imap.FetchModSeq:
				s.ModSeq = it.Num
				if it.Num > m.highestModSeq {
					m.highestModSeq = it.Num
				}
			}
		}
	}
}

// applyCode updates the view from a response code.
func (m *Mailbox) applyCode(rc *imap.ResponseCode) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch rc.Name {
	case imap.CodeUIDValidity:
		m.uidValidity = uint32(rc.Num)
	case imap.CodeUIDNext:
		m.uidNext = uint32(rc.Num)
	case imap.CodeHighestModSeq:
		m.highestModSeq = rc.Num
	case imap.CodePermanentFlags:
		m.permanentFlags = rc.Flags
	case imap.CodeReadOnly:
		m.readOnly = true
	case imap.CodeReadWrite:
		m.readOnly = false
	}
}
