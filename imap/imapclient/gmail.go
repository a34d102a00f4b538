package imapclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds Gmail's X-GM-EXT-1 extension (client side only): the
// X-GM-MSGID, X-GM-THRID and X-GM-LABELS FETCH items, STORE of
// X-GM-LABELS, and the X-GM-RAW, X-GM-MSGID, X-GM-THRID and X-GM-LABELS
// search keys (https://developers.google.com/gmail/imap/imap-extensions).
//
// The codec has no typed form for them: FETCH items are requested as
// imap.FetchOther attributes and decoded through wire.Options.FetchItems
// (the client registers decoders for the three items unless
// Options.Decoder.FetchItems has its own), search keys are imap.SearchRaw
// keys, and STORE of labels goes out as a raw STORE command.

// Gmail's FETCH item names.
const (
	GmailMsgIDItem  = "X-GM-MSGID"
	GmailThrIDItem  = "X-GM-THRID"
	GmailLabelsItem = "X-GM-LABELS"
)

// The FETCH attributes of X-GM-EXT-1, to pass to Fetch and FetchAll with
// the others. The values land in FetchResult.GmailMsgID, GmailThreadID and
// GmailLabels.
var (
	FetchGmailMsgID    = imap.FetchAttr{Kind: imap.FetchOther, Name: GmailMsgIDItem}
	FetchGmailThreadID = imap.FetchAttr{Kind: imap.FetchOther, Name: GmailThrIDItem}
	FetchGmailLabels   = imap.FetchAttr{Kind: imap.FetchOther, Name: GmailLabelsItem}
)

// Gmail's system labels, as X-GM-LABELS carries them (other labels are
// the names of the user's labels, which are also mailboxes).
const (
	GmailLabelInbox     = `\Inbox`
	GmailLabelSent      = `\Sent`
	GmailLabelDraft     = `\Draft`
	GmailLabelImportant = `\Important`
	GmailLabelStarred   = `\Starred`
	GmailLabelTrash     = `\Trash`
	GmailLabelSpam      = `\Spam`
)

// ErrBadGmailLabel: a label given to StoreGmailLabels or GmailLabelKey
// cannot be sent (it is empty or holds CR, LF or NUL).
var ErrBadGmailLabel = errors.New("imapclient: label cannot be sent")

// fetchItemDecoders returns the decoders of vendor FETCH items: user's,
// plus the client's for the X-GM-EXT-1 items the user has none for.
func (c *Client) fetchItemDecoders(user map[string]wire.FetchItemDecoder) map[string]wire.FetchItemDecoder {
	m := make(map[string]wire.FetchItemDecoder, len(user)+3)
	m[GmailMsgIDItem] = decodeGmailID
	m[GmailThrIDItem] = decodeGmailID
	m[GmailLabelsItem] = c.decodeGmailLabels
	for k, v := range user {
		m[strings.ToUpper(k)] = v
	}
	return m
}

// decodeGmailID reads X-GM-MSGID or X-GM-THRID: a 64-bit number
// (mod-sequence-sized, Gmail's ids fit 63 bits).
func decodeGmailID(s *wire.Scanner) (any, error) {
	return s.Number64()
}

// decodeGmailLabels reads X-GM-LABELS: a list of astrings, system labels
// being atoms that start with "\" (`\Inbox`) or the same quoted
// ("\\Important"). Labels are mailbox names: modified UTF-7 unless UTF-8
// is enabled.
func (c *Client) decodeGmailLabels(s *wire.Scanner) (any, error) {
	labels := []string{}
	utf8 := c.utf8Enabled()
	err := s.List(func() error {
		var l string
		switch s.Peek() {
		case '"', '{', '~':
			v, err := s.String()
			if err != nil {
				return err
			}
			l = v
		default:
			v, err := s.Raw() // an atom, which may start with "\"
			if err != nil {
				return err
			}
			l = string(v)
		}
		if !utf8 && !strings.HasPrefix(l, `\`) {
			if d, err := imap.DecodeMailboxUTF7(l); err == nil {
				l = d
			}
		}
		labels = append(labels, l)
		return nil
	})
	return labels, err
}

// utf8Enabled reports whether UTF-8 strings are in use (IMAP4rev2 or
// UTF8=ACCEPT enabled).
func (c *Client) utf8Enabled() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enabled[imap.CapIMAP4rev2] || c.enabled[imap.CapUTF8Accept]
}

// fillGmail sets the X-GM-EXT-1 field of r an item holds, if any.
func (r *FetchResult) fillGmail(it *imap.FetchItem) {
	switch it.Name {
	case GmailMsgIDItem:
		r.GmailMsgID, _ = it.Value.(uint64)
	case GmailThrIDItem:
		r.GmailThreadID, _ = it.Value.(uint64)
	case GmailLabelsItem:
		r.GmailLabels, _ = it.Value.([]string)
	}
}

// encodeGmailLabel returns a label as STORE and SEARCH send it: a system
// label as its atom (`\Starred`), another in modified UTF-7 unless utf8,
// as an atom when it is one, else as a quoted string.
func encodeGmailLabel(l string, utf8 bool) (string, error) {
	if l == "" || strings.ContainsAny(l, "\r\n\x00") {
		return "", fmt.Errorf("%w: %q", ErrBadGmailLabel, l)
	}
	if strings.HasPrefix(l, `\`) && isGmailAtom(l[1:]) {
		return l, nil
	}
	if !utf8 {
		l = imap.EncodeMailboxUTF7(l)
	}
	if isGmailAtom(l) {
		return l, nil
	}
	return quoteString(l), nil
}

// isGmailAtom reports whether s is a non-empty run of atom characters.
func isGmailAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// quoteString returns s as an IMAP quoted string.
func quoteString(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// rawString returns s as a raw IMAP string value: quoted when it is
// 7-bit text, else a literal (which the encoder sends as a synchronizing
// or non-synchronizing literal as the server allows).
func rawString(s string) imap.RawValue {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || c == '\r' || c == '\n' || c == 0 {
			return imap.RawValue("{" + strconv.Itoa(len(s)) + "}\r\n" + s)
		}
	}
	return imap.RawValue(quoteString(s))
}

// GmailRawSearchKey returns the X-GM-RAW search key: query in Gmail's
// web search syntax, e.g. "has:attachment in:unread". Combine it with
// other keys under an imap.SearchAnd. A query that is not ASCII needs
// SearchOptions.Charset "UTF-8".
func GmailRawSearchKey(query string) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchRaw, Field: "X-GM-RAW", Raw: rawString(query)}
}

// GmailMsgIDSearchKey returns the X-GM-MSGID search key: the message with
// that Gmail message id.
func GmailMsgIDSearchKey(id uint64) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchRaw, Field: GmailMsgIDItem, Raw: imap.RawValue(strconv.FormatUint(id, 10))}
}

// GmailThreadIDSearchKey returns the X-GM-THRID search key: the messages
// of the Gmail thread with that id.
func GmailThreadIDSearchKey(id uint64) imap.SearchKey {
	return imap.SearchKey{Op: imap.SearchRaw, Field: GmailThrIDItem, Raw: imap.RawValue(strconv.FormatUint(id, 10))}
}

// GmailLabelSearchKey returns the X-GM-LABELS search key: the messages
// with that label (a system label such as GmailLabelStarred, or a user
// label). Labels are sent in modified UTF-7.
func GmailLabelSearchKey(label string) (imap.SearchKey, error) {
	v, err := encodeGmailLabel(label, false)
	if err != nil {
		return imap.SearchKey{}, err
	}
	return imap.SearchKey{Op: imap.SearchRaw, Field: GmailLabelsItem, Raw: imap.RawValue(v)}, nil
}

// StoreGmailLabels changes the Gmail labels of the messages of set (STORE
// X-GM-LABELS, +X-GM-LABELS or -X-GM-LABELS as op says), or of the UIDs of
// set for UID STORE. The result holds the FETCH responses the server
// sent, with the labels in FetchResult.GmailLabels (none with
// opts.Silent). opts.UnchangedSince is sent if set, though Gmail has no
// CONDSTORE.
func (c *Client) StoreGmailLabels(ctx context.Context, set imap.NumSet, uid bool, op imap.StoreOp, labels []string, opts *StoreOptions) (*StoreResult, error) {
	if set.IsEmpty() {
		return nil, errors.New("imapclient: STORE with an empty set")
	}
	utf8 := c.utf8Enabled()
	var b strings.Builder
	b.WriteString(set.String())
	if opts != nil && opts.HasUnchangedSince {
		b.WriteString(" (UNCHANGEDSINCE " + strconv.FormatUint(opts.UnchangedSince, 10) + ")")
	}
	b.WriteByte(' ')
	switch op {
	case imap.StoreReplace, 0:
	case imap.StoreAdd, imap.StoreRemove:
		b.WriteByte(byte(op))
	default:
		return nil, fmt.Errorf("imapclient: STORE: unknown operation %q", rune(op))
	}
	b.WriteString(GmailLabelsItem)
	if opts != nil && opts.Silent {
		b.WriteString(".SILENT")
	}
	b.WriteString(" (")
	for i, l := range labels {
		v, err := encodeGmailLabel(l, utf8)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(v)
	}
	b.WriteByte(')')
	args := &imap.RawCommand{Name: "STORE", Args: imap.RawValue(b.String())}
	return c.store(ctx, set, uid, args)
}
