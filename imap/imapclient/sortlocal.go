package imapclient

import (
	"context"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// This file holds SORT and THREAD computed by the client (as c-client
// did) for servers without SORT (RFC 5256), SORT=DISPLAY (RFC 5957) or
// the THREAD algorithm asked for: the client searches, fetches what the
// ordering needs, and runs package mime's algorithms, the ones our server
// uses.

// needLocalSort reports whether the server lacks what SORT with criteria
// needs.
func (c *Client) needLocalSort(ctx context.Context, criteria []imap.SortCriterion) (bool, error) {
	caps, err := c.knownCaps(ctx)
	if err != nil {
		return false, err
	}
	if !caps.Has(imap.CapSort) {
		return true, nil
	}
	for _, cr := range criteria {
		switch strings.ToUpper(cr.Key) {
		case "DISPLAYFROM", "DISPLAYTO":
			if !caps.Has(imap.CapSortDisplay) {
				return true, nil
			}
		}
	}
	return false, nil
}

// needLocalThread reports whether the server lacks THREAD=algorithm.
func (c *Client) needLocalThread(ctx context.Context, algorithm string) (bool, error) {
	caps, err := c.knownCaps(ctx)
	if err != nil {
		return false, err
	}
	return !caps.Has(imap.Cap("THREAD=" + strings.ToUpper(algorithm))), nil
}

// knownCaps returns the capabilities, asking for them if none are known.
func (c *Client) knownCaps(ctx context.Context) (imap.CapSet, error) {
	if caps := c.Caps(); len(caps) > 0 {
		return caps, nil
	}
	return c.Capability(ctx)
}

// SortLocal is Sort computed by the client, whatever the server offers:
// it finds the messages matching key (UID SEARCH), fetches what the
// criteria need (ENVELOPE, INTERNALDATE, RFC822.SIZE) and orders them with
// mime.Sort, which implements RFC 5256 §3 and RFC 5957 as our server does.
// The numbers are UIDs when uid is true, else sequence numbers. The
// search is sent with charset, or with "UTF-8" when charset is empty and
// key holds non-ASCII text. An unknown criterion gives an error matching
// mime.ErrUnknownSortKey before anything is sent.
//
// Sort calls it when the server lacks SORT (or SORT=DISPLAY for the
// DISPLAYFROM and DISPLAYTO keys), unless Options.NoLocalSortThread is
// set.
func (c *Client) SortLocal(ctx context.Context, criteria []imap.SortCriterion, key imap.SearchKey, uid bool, charset string) ([]uint32, error) {
	if len(criteria) == 0 {
		return nil, ErrNoSortCriteria
	}
	if _, err := mime.Sort(nil, criteria); err != nil {
		return nil, err
	}
	attrs := []imap.FetchAttr{{Kind: imap.FetchUID}}
	var env, arrival, size bool
	for _, cr := range criteria {
		switch strings.ToUpper(cr.Key) {
		case "ARRIVAL":
			arrival = true
		case "SIZE":
			size = true
		case "DATE":
			// RFC 5256 §2.2: the INTERNALDATE stands in for a
			// missing or unparseable Date.
			env, arrival = true, true
		default:
			env = true
		}
	}
	if env {
		attrs = append(attrs, imap.FetchAttr{Kind: imap.FetchEnvelope})
	}
	if arrival {
		attrs = append(attrs, imap.FetchAttr{Kind: imap.FetchInternalDate})
	}
	if size {
		attrs = append(attrs, imap.FetchAttr{Kind: imap.FetchRFC822Size})
	}
	res, err := c.fetchMatching(ctx, key, charset, attrs)
	if err != nil {
		return nil, err
	}
	msgs := make([]mime.SortMessage, len(res))
	for i, r := range res {
		msgs[i] = mime.SortMessage{Num: localNum(r, uid), Arrival: r.InternalDate, Size: r.RFC822Size, Envelope: r.Envelope}
	}
	nums, err := mime.Sort(msgs, criteria)
	if nums == nil && err == nil {
		nums = []uint32{}
	}
	return nums, err
}

// referencesSection is the header field THREAD=REFERENCES needs beyond
// the envelope.
var referencesSection = imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"References"}}

// ThreadLocal is Thread computed by the client, whatever the server
// offers: it finds the messages matching key (UID SEARCH), fetches their
// ENVELOPE and INTERNALDATE (and, for REFERENCES, the References header
// field) and threads them with mime.Thread, which implements
// ORDEREDSUBJECT and REFERENCES (RFC 5256 §3) as our server does. The
// numbers are UIDs when uid is true. The search is sent as SortLocal's.
// An unknown algorithm gives an error matching
// mime.ErrUnknownThreadAlgorithm before anything is sent.
//
// Thread calls it when the server lacks THREAD=algorithm, unless
// Options.NoLocalSortThread is set.
func (c *Client) ThreadLocal(ctx context.Context, algorithm string, key imap.SearchKey, uid bool, charset string) ([]imap.ThreadNode, error) {
	if _, err := mime.Thread(algorithm, nil); err != nil {
		return nil, err
	}
	attrs := []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchEnvelope}, {Kind: imap.FetchInternalDate}}
	refs := strings.EqualFold(algorithm, "REFERENCES")
	if refs {
		attrs = append(attrs, imap.FetchAttr{Kind: imap.FetchBodyPeek, Section: referencesSection})
	}
	res, err := c.fetchMatching(ctx, key, charset, attrs)
	if err != nil {
		return nil, err
	}
	msgs := make([]mime.ThreadMessage, len(res))
	for i, r := range res {
		tm := mime.ThreadMessage{Num: localNum(r, uid), Date: r.InternalDate}
		if e := r.Envelope; e != nil {
			// RFC 5256 §2.2: the sent date is the Date header's,
			// else the INTERNALDATE.
			if d, ok := mime.ParseDate(e.Date.S); ok {
				tm.Date = d
			}
			tm.Subject, tm.MessageID, tm.InReplyTo = e.Subject.S, e.MessageID.S, e.InReplyTo.S
		}
		if refs {
			for _, s := range r.Sections {
				if s.Section.Spec == imap.SpecHeaderFields {
					h := mime.ParseHeader(s.Data)
					tm.References = h.Get("References")
					break
				}
			}
		}
		msgs[i] = tm
	}
	threads, err := mime.Thread(algorithm, msgs)
	if threads == nil && err == nil {
		threads = []imap.ThreadNode{}
	}
	return threads, err
}

// fetchMatching fetches attrs of the messages matching key: UID SEARCH,
// then UID FETCH of what it found.
func (c *Client) fetchMatching(ctx context.Context, key imap.SearchKey, charset string, attrs []imap.FetchAttr) ([]*FetchResult, error) {
	if charset == "" && !searchKeyASCII(&key) {
		charset = "UTF-8"
	}
	sr, err := c.Search(ctx, key, true, &SearchOptions{Charset: charset})
	if err != nil {
		return nil, err
	}
	if sr.All.IsEmpty() {
		return nil, nil
	}
	return c.FetchAll(ctx, sr.All, true, attrs, nil)
}

// localNum is the number a local SORT or THREAD returns for a message.
func localNum(r *FetchResult, uid bool) uint32 {
	if uid {
		return r.UID
	}
	return r.Seq
}

// searchKeyASCII reports whether the strings of a search key are ASCII
// (so that SEARCH needs no CHARSET).
func searchKeyASCII(k *imap.SearchKey) bool {
	for _, s := range []string{k.Str, k.Field, string(k.Raw)} {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
	}
	for i := range k.Children {
		if !searchKeyASCII(&k.Children[i]) {
			return false
		}
	}
	return true
}
