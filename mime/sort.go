package mime

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// This file implements the SORT command's ordering (RFC 5256 §3 and the
// DISPLAYFROM and DISPLAYTO keys of RFC 5957).

// ErrUnknownSortKey is the error (tested with errors.Is) Sort returns for
// a sort key it does not know. A server answers it with BAD or NO.
var ErrUnknownSortKey = errors.New("mime: unknown sort key")

// SortMessage is what Sort needs to know about one message.
type SortMessage struct {
	// Num is the number Sort returns for the message: its sequence
	// number for SORT, its UID for UID SORT. Messages that compare equal
	// on every criterion are returned in ascending Num order (RFC 5256
	// §3: the implicit last criterion is the sequence number, and UIDs
	// ascend with sequence numbers).
	Num uint32
	// Arrival is the INTERNALDATE (the ARRIVAL key, and the DATE key
	// when the Date header is missing or cannot be parsed).
	Arrival time.Time
	// Size is RFC822.SIZE (the SIZE key).
	Size int64
	// Envelope supplies Date, Subject, From, To and Cc as in a FETCH
	// ENVELOPE (header values with encoded-words left as sent). nil is a
	// message without any of those headers.
	Envelope *imap.Envelope
}

// sortKind says how one criterion's keys compare.
type sortKind uint8

const (
	sortByString sortKind = iota // collation key, compared as octets
	sortByTime                   // sec and nsec
	sortByInt                    // sec holds the integer
)

// sortVal is one message's value for one criterion, computed once.
type sortVal struct {
	str  string
	sec  int64
	nsec int32
}

// Sort orders msgs by criteria as the SORT command does (RFC 5256 §3) and
// returns their Num fields in that order. The keys are:
//
//   - ARRIVAL: Arrival.
//   - DATE: the Date header's date-time (ParseDate) as an instant, or
//     Arrival when the header is missing or unparseable (RFC 5256 §2.2).
//   - SIZE: Size.
//   - SUBJECT: the base subject (BaseSubject).
//   - FROM, TO, CC: the addr-mailbox (local part) of the first address.
//   - DISPLAYFROM, DISPLAYTO: the decoded display name of the first
//     address, else mailbox@host, else the mailbox (RFC 5957 §3).
//
// Strings compare by the i;unicode-casemap collation (RFC 5051), which
// RFC 5256 §7 requires and which is i;ascii-casemap on ASCII text; a
// missing header is the empty string, which sorts first. Reverse reverses
// one criterion only; ties on every criterion are broken by ascending Num
// (RFC 5256 §3, REVERSE). Key names are matched without regard to case;
// an unknown key gives an error matching ErrUnknownSortKey. With no
// criteria the result is in Num order.
//
// Each key is computed once per message, and the sort is stable and
// O(n log n).
func Sort(msgs []SortMessage, criteria []imap.SortCriterion) ([]uint32, error) {
	nc := len(criteria)
	kinds := make([]sortKind, nc)
	keys := make([]string, nc)
	for c, cr := range criteria {
		keys[c] = strings.ToUpper(cr.Key)
		k, ok := sortKeyKind(keys[c])
		if !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownSortKey, cr.Key)
		}
		kinds[c] = k
	}
	vals := make([]sortVal, len(msgs)*nc)
	for i := range msgs {
		for c, key := range keys {
			vals[i*nc+c] = sortValue(&msgs[i], key)
		}
	}
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		for c := 0; c < nc; c++ {
			va, vb := &vals[a*nc+c], &vals[b*nc+c]
			var r int
			switch kinds[c] {
			case sortByString:
				r = strings.Compare(va.str, vb.str)
			default:
				r = cmp.Compare(va.sec, vb.sec)
				if r == 0 {
					r = cmp.Compare(va.nsec, vb.nsec)
				}
			}
			if r != 0 {
				if criteria[c].Reverse {
					return -r
				}
				return r
			}
		}
		return cmp.Compare(msgs[a].Num, msgs[b].Num)
	})
	out := make([]uint32, len(order))
	for i, idx := range order {
		out[i] = msgs[idx].Num
	}
	return out, nil
}

// sortKeyKind returns how the values of an upper-case sort key compare,
// and whether the key is known.
func sortKeyKind(key string) (sortKind, bool) {
	switch key {
	case "ARRIVAL", "DATE":
		return sortByTime, true
	case "SIZE":
		return sortByInt, true
	case "CC", "FROM", "TO", "SUBJECT", "DISPLAYFROM", "DISPLAYTO":
		return sortByString, true
	}
	return 0, false
}

// sortValue computes message m's value for the (upper-case, known) key.
func sortValue(m *SortMessage, key string) sortVal {
	env := m.Envelope
	if env == nil {
		env = &imap.Envelope{}
	}
	switch key {
	case "ARRIVAL":
		return timeSortVal(m.Arrival)
	case "DATE":
		if env.Date.Valid {
			if t, ok := ParseDate(env.Date.S); ok {
				return timeSortVal(t)
			}
		}
		return timeSortVal(m.Arrival)
	case "SIZE":
		return sortVal{sec: m.Size}
	case "SUBJECT":
		base, _ := BaseSubject(env.Subject.S)
		return sortVal{str: sortCollateKey(base)}
	case "FROM":
		return sortVal{str: sortCollateKey(sortFirstMailbox(env.From))}
	case "TO":
		return sortVal{str: sortCollateKey(sortFirstMailbox(env.To))}
	case "CC":
		return sortVal{str: sortCollateKey(sortFirstMailbox(env.Cc))}
	case "DISPLAYFROM":
		return sortVal{str: sortCollateKey(DisplaySortValue(env.From))}
	case "DISPLAYTO":
		return sortVal{str: sortCollateKey(DisplaySortValue(env.To))}
	}
	return sortVal{}
}

func timeSortVal(t time.Time) sortVal {
	return sortVal{sec: t.Unix(), nsec: int32(t.Nanosecond())}
}

// sortFirstMailbox returns the addr-mailbox of the first address of l, the
// value of the FROM, TO and CC keys (RFC 5256 §3). At a group start that
// is the group's name, as in the ENVELOPE.
func sortFirstMailbox(l []imap.Address) string {
	if len(l) == 0 {
		return ""
	}
	return l[0].Mailbox.S
}

// DisplaySortValue returns the DISPLAY sort value of the first address of
// an address list, which the DISPLAYFROM and DISPLAYTO keys sort on
// (RFC 5957 §3 and §4): the addr-name with its encoded-words decoded, if
// that is not empty; else addr-mailbox@addr-host when both are non-NIL;
// else the addr-mailbox; else (also for an empty list) the empty string.
func DisplaySortValue(l []imap.Address) string {
	if len(l) == 0 {
		return ""
	}
	a := l[0]
	if a.Name.Valid {
		if name, _ := DecodeHeader(a.Name.S); name != "" {
			return name
		}
	}
	switch {
	case a.Mailbox.Valid && a.Host.Valid:
		return a.Mailbox.S + "@" + a.Host.S
	case a.Mailbox.Valid:
		return a.Mailbox.S
	}
	return ""
}
