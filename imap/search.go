package imap

import (
	"strconv"
	"time"
)

// SearchOp is the operator of a SearchKey node: a search key name from
// RFC 3501 §6.4.4, RFC 9051 §6.4.4 or an extension, or one of the
// structural operators SearchAnd, SearchSeqSet and SearchRaw.
type SearchOp string

// Search keys. The comment gives the field of SearchKey each one uses.
const (
	SearchAll        SearchOp = "ALL"
	SearchAnswered   SearchOp = "ANSWERED"
	SearchBcc        SearchOp = "BCC"    // Str
	SearchBefore     SearchOp = "BEFORE" // Date
	SearchBody       SearchOp = "BODY"   // Str
	SearchCc         SearchOp = "CC"     // Str
	SearchDeleted    SearchOp = "DELETED"
	SearchDraft      SearchOp = "DRAFT"
	SearchFlagged    SearchOp = "FLAGGED"
	SearchFrom       SearchOp = "FROM"    // Str
	SearchHeader     SearchOp = "HEADER"  // Field, Str
	SearchKeyword    SearchOp = "KEYWORD" // Flag
	SearchLarger     SearchOp = "LARGER"  // Num
	SearchNew        SearchOp = "NEW"
	SearchNot        SearchOp = "NOT" // Children[0]
	SearchOld        SearchOp = "OLD"
	SearchOn         SearchOp = "ON" // Date
	SearchOr         SearchOp = "OR" // Children[0], Children[1]
	SearchRecent     SearchOp = "RECENT"
	SearchSeen       SearchOp = "SEEN"
	SearchSentBefore SearchOp = "SENTBEFORE" // Date
	SearchSentOn     SearchOp = "SENTON"     // Date
	SearchSentSince  SearchOp = "SENTSINCE"  // Date
	SearchSince      SearchOp = "SINCE"      // Date
	SearchSmaller    SearchOp = "SMALLER"    // Num
	SearchSubject    SearchOp = "SUBJECT"    // Str
	SearchText       SearchOp = "TEXT"       // Str
	SearchTo         SearchOp = "TO"         // Str
	SearchUID        SearchOp = "UID"        // Set
	SearchUnanswered SearchOp = "UNANSWERED"
	SearchUndeleted  SearchOp = "UNDELETED"
	SearchUndraft    SearchOp = "UNDRAFT"
	SearchUnflagged  SearchOp = "UNFLAGGED"
	SearchUnkeyword  SearchOp = "UNKEYWORD" // Flag
	SearchUnseen     SearchOp = "UNSEEN"
	// RFC 7162 CONDSTORE: MODSEQ ["entry-name" entry-type] n. Num holds the
	// mod-sequence, Field the entry name and Str the entry type
	// ("priv", "shared" or "all") when given.
	SearchModSeq SearchOp = "MODSEQ"
	// RFC 5032 WITHIN.
	SearchOlder   SearchOp = "OLDER"   // Num (seconds)
	SearchYounger SearchOp = "YOUNGER" // Num (seconds)
	// RFC 8514 SAVEDATE.
	SearchSavedBefore       SearchOp = "SAVEDBEFORE" // Date
	SearchSavedOn           SearchOp = "SAVEDON"     // Date
	SearchSavedSince        SearchOp = "SAVEDSINCE"  // Date
	SearchSaveDateSupported SearchOp = "SAVEDATESUPPORTED"
	// RFC 8474 OBJECTID.
	SearchEmailID  SearchOp = "EMAILID"  // Str
	SearchThreadID SearchOp = "THREADID" // Str

	// SearchAnd is a parenthesized list, or the implicit conjunction of a
	// command's top-level keys: every child must match.
	SearchAnd SearchOp = "AND"
	// SearchSeqSet is a bare sequence set (or "$") matching sequence
	// numbers; it uses Set.
	SearchSeqSet SearchOp = "SEQSET"
	// SearchRaw is a key the codec does not know (a vendor key such as
	// X-GM-RAW): Field holds its name and Raw its arguments verbatim, up to
	// the next key. Decoding keeps unknown keys only in lenient mode.
	SearchRaw SearchOp = "RAW"
)

// SearchKey is a node of a search program tree.
type SearchKey struct {
	Op       SearchOp
	Str      string
	Field    string
	Date     time.Time // date only, in UTC
	Num      uint64
	Flag     Flag
	Set      NumSet
	Children []SearchKey
	Raw      RawValue
}

// SearchReturnOpt is an ESEARCH return option (RFC 4731, RFC 9051 §6.4.4,
// RFC 5182 SAVE).
type SearchReturnOpt string

// ESEARCH return options.
const (
	ReturnMin   SearchReturnOpt = "MIN"
	ReturnMax   SearchReturnOpt = "MAX"
	ReturnAll   SearchReturnOpt = "ALL"
	ReturnCount SearchReturnOpt = "COUNT"
	ReturnSave  SearchReturnOpt = "SAVE"
	// ReturnPartial is the name of the PARTIAL return option (RFC 9394
	// §3.1), which always carries a range: build one with PartialReturn.
	ReturnPartial SearchReturnOpt = "PARTIAL"
)

// A return option that takes parameters (search-ret-opt-ext, RFC 4466
// §2.6) holds its name, a space and the parameters as sent, e.g.
// "PARTIAL -1:-100".

// Name returns the option's name, without its parameters: "PARTIAL" for
// "PARTIAL 1:500".
func (o SearchReturnOpt) Name() SearchReturnOpt {
	for i := 0; i < len(o); i++ {
		if o[i] == ' ' {
			return o[:i]
		}
	}
	return o
}

// Partial returns the range of a PARTIAL return option (RFC 9394 §3.1),
// and false if o is not one or its range is malformed.
func (o SearchReturnOpt) Partial() (PartialRange, bool) {
	name := o.Name()
	if len(name) == len(o) || !asciiEqualFold(string(name), string(ReturnPartial)) {
		return PartialRange{}, false
	}
	r, err := ParsePartialRange(string(o[len(name)+1:]))
	return r, err == nil
}

// PartialReturn returns the PARTIAL return option for r (RFC 9394 §3.1),
// e.g. "PARTIAL 1:500".
func PartialReturn(r PartialRange) SearchReturnOpt {
	return ReturnPartial + " " + SearchReturnOpt(r.String())
}

// PartialRange is the range of the PARTIAL search return option, FETCH
// modifier and ESEARCH return data (RFC 9394 §4: partial-range). It counts
// results (search results, or the messages a UID FETCH names) in mailbox
// order from 1, the first; with FromEnd it counts back from the last one,
// which is -1 on the wire: {1, 100, true} is "-1:-100", the last hundred.
// Start and Stop are non-zero and may come in either order, as on the
// wire ("500:400" is "400:500").
type PartialRange struct {
	Start, Stop uint32
	FromEnd     bool
}

// Valid reports whether r can be sent: Start and Stop are non-zero.
func (r PartialRange) Valid() bool { return r.Start != 0 && r.Stop != 0 }

// Min and Max return the range's bounds in increasing order of their
// absolute values: for "-1:-100" they are 1 and 100.
func (r PartialRange) Min() uint32 { return min(r.Start, r.Stop) }

// Max returns the larger bound; see Min.
func (r PartialRange) Max() uint32 { return max(r.Start, r.Stop) }

// String returns the wire form: "1:500" or "-1:-100".
func (r PartialRange) String() string {
	b := make([]byte, 0, 24)
	if r.FromEnd {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, uint64(r.Start), 10)
	b = append(b, ':')
	if r.FromEnd {
		b = append(b, '-')
	}
	b = strconv.AppendUint(b, uint64(r.Stop), 10)
	return string(b)
}

// ParsePartialRange parses a partial-range (RFC 9394 §4):
// nz-number ":" nz-number, or "-" nz-number ":" "-" nz-number.
func ParsePartialRange(s string) (PartialRange, error) {
	var r PartialRange
	i := 0
	num := func() (uint32, bool) {
		start := i
		var n uint64
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + uint64(s[i]-'0')
			if n > 0xffffffff {
				return 0, false
			}
			i++
		}
		// nz-number = digit-nz *DIGIT
		return uint32(n), i > start && s[start] != '0'
	}
	fail := func(reason string) (PartialRange, error) {
		return PartialRange{}, &SyntaxError{What: "partial range", Input: s, Offset: i, Reason: reason}
	}
	if i < len(s) && s[i] == '-' {
		r.FromEnd = true
		i++
	}
	var ok bool
	if r.Start, ok = num(); !ok {
		return fail("expected nz-number")
	}
	if i >= len(s) || s[i] != ':' {
		return fail(`expected ":"`)
	}
	i++
	if r.FromEnd {
		if i >= len(s) || s[i] != '-' {
			return fail(`expected "-"`)
		}
		i++
	}
	if r.Stop, ok = num(); !ok {
		return fail("expected nz-number")
	}
	if i != len(s) {
		return fail("unexpected characters")
	}
	return r, nil
}
