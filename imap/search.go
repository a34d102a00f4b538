package imap

import "time"

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
)
