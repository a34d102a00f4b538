package mailstore

import (
	"context"
	"errors"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// SearchOptions are the session state a search depends on.
type SearchOptions struct {
	// Now returns the current time for OLDER and YOUNGER; nil means
	// time.Now.
	Now func() time.Time
	// Location, when set, is the zone in which internal dates are taken
	// for BEFORE, ON and SINCE (see mime.MatchOptions).
	Location *time.Location
	// SearchRes is the saved result "$" stands for (RFC 5182), as UIDs.
	SearchRes imap.NumSet
}

// Search returns the UIDs (ascending) of the view's messages that match
// key: through the view's own Searcher if it has one, else with the
// generic matcher of package mime, which reads a message only when a key
// needs its header or body. A message expunged by another session before
// it could be read does not match.
func Search(ctx context.Context, mbox Mailbox, key imap.SearchKey, opts *SearchOptions) ([]uint32, error) {
	if s, ok := mbox.(Searcher); ok {
		return s.Search(ctx, key, opts)
	}
	var uids []uint32
	err := scan(ctx, mbox, key, opts, false, func(mi *MessageInfo, _ *mime.Structure, _ Message) error {
		uids = append(uids, mi.UID)
		return nil
	})
	return uids, err
}

// scan runs the generic matcher over the view and calls fn for every
// match, with the message's structure when needStructure or the key asked
// for it.
func scan(ctx context.Context, mbox Mailbox, key imap.SearchKey, opts *SearchOptions, needStructure bool,
	fn func(mi *MessageInfo, st *mime.Structure, msg Message) error) error {
	if opts == nil {
		opts = &SearchOptions{}
	}
	msgs := mbox.Messages()
	mo := &mime.MatchOptions{Now: opts.Now, Location: opts.Location, SearchRes: opts.SearchRes, MaxSeq: uint32(len(msgs))}
	if len(msgs) > 0 {
		mo.MaxUID = msgs[len(msgs)-1].UID
	}
	m, err := mime.NewMatcher(key, mo)
	if err != nil {
		return err
	}
	content := m.NeedsContent() || needStructure
	for i := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		mi := &msgs[i]
		sm := mime.SearchMessage{
			Seq: uint32(i + 1), UID: mi.UID, Flags: mi.Flags,
			InternalDate: mi.InternalDate, ModSeq: mi.ModSeq, Size: mi.Size,
		}
		if mi.Recent {
			sm.Flags = append(mi.Flags[:len(mi.Flags):len(mi.Flags)], imap.FlagRecent)
		}
		var msg Message
		var st *mime.Structure
		if content {
			msg, err = mbox.OpenMessage(ctx, mi.UID)
			if errors.Is(err, ErrNoSuchMessage) {
				continue
			}
			if err != nil {
				return err
			}
			st, err = msg.Structure(ctx)
			if err != nil {
				msg.Close()
				return err
			}
			sm.Structure, sm.Src = st, msg
		}
		ok, err := m.Match(ctx, &sm)
		if err == nil && ok {
			err = fn(mi, st, msg)
		}
		if msg != nil {
			msg.Close()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Sort returns the UIDs of the view's messages that match key, ordered by
// criteria (RFC 5256 SORT, RFC 5957 DISPLAYFROM/DISPLAYTO), with mime.Sort.
func Sort(ctx context.Context, mbox Mailbox, criteria []imap.SortCriterion, key imap.SearchKey, opts *SearchOptions) ([]uint32, error) {
	var msgs []mime.SortMessage
	err := scan(ctx, mbox, key, opts, true, func(mi *MessageInfo, st *mime.Structure, _ Message) error {
		msgs = append(msgs, mime.SortMessage{Num: mi.UID, Arrival: mi.InternalDate, Size: mi.Size, Envelope: st.Envelope()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mime.Sort(msgs, criteria)
}

// Thread returns the threads (RFC 5256 THREAD) of the view's messages that
// match key, with UIDs as the node numbers, computed by mime.Thread.
func Thread(ctx context.Context, mbox Mailbox, algorithm string, key imap.SearchKey, opts *SearchOptions) ([]imap.ThreadNode, error) {
	var msgs []mime.ThreadMessage
	err := scan(ctx, mbox, key, opts, true, func(mi *MessageInfo, st *mime.Structure, msg Message) error {
		tm := mime.ThreadMessage{Num: mi.UID, Date: mi.InternalDate}
		if env := st.Envelope(); env != nil {
			if d, ok := mime.ParseDate(env.Date.S); ok {
				tm.Date = d
			}
			tm.Subject, tm.MessageID, tm.InReplyTo = env.Subject.S, env.MessageID.S, env.InReplyTo.S
		}
		h, err := st.Root.Header(msg)
		if err != nil {
			return err
		}
		tm.References = h.Get("References")
		msgs = append(msgs, tm)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return mime.Thread(algorithm, msgs)
}
