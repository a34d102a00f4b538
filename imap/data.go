package imap

// This file holds the typed payloads of untagged server responses other than
// FETCH (fetch.go) and STATUS (status.go).

// ListData is an untagged LIST or LSUB response (RFC 3501 §7.2.2,
// RFC 9051 §7.3.1, RFC 5258 extended items).
type ListData struct {
	Attrs   []MailboxAttr
	Delim   rune   // hierarchy delimiter; 0 for NIL (flat namespace)
	Mailbox string // UTF-8 name (decoded from modified UTF-7 unless UTF-8 is in use)
	// ChildInfo holds the CHILDINFO extended item (RFC 5258 §4),
	// e.g. ["SUBSCRIBED"].
	ChildInfo []string
	// OldName holds the OLDNAME extended item (RFC 9051 §7.3.1).
	OldName string
	// Ext holds any other extended items verbatim, by tag.
	Ext []TaggedExt
}

// TaggedExt is an extension item kept verbatim: a tag and its value's raw
// bytes (tagged-ext, RFC 4466).
type TaggedExt struct {
	Tag   string
	Value RawValue
}

// SearchData is an untagged SEARCH or SORT response. ModSeq is the
// (MODSEQ n) suffix of RFC 7162 §3.1.5, or 0.
type SearchData struct {
	Nums   []uint32
	ModSeq uint64
}

// ESearchData is an untagged ESEARCH response (RFC 4731, RFC 9051 §7.3.4).
// Fields whose Has flag is false were not returned.
type ESearchData struct {
	Tag      string // search-correlator, "" if absent
	UID      bool
	Min      uint32
	Max      uint32
	Count    uint32
	HasCount bool
	All      NumSet
	HasAll   bool
	ModSeq   uint64 // 0 if absent
	// Partial is the PARTIAL return data (RFC 9394 §3.1), or nil.
	Partial *ESearchPartial
	// Ext holds any other return data verbatim.
	Ext []TaggedExt
}

// ESearchPartial is the PARTIAL return data of ESEARCH (RFC 9394 §4:
// ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results
// ")"): the range the command asked for and the results found in it. An
// empty Results is NIL: no result lies in the range.
type ESearchPartial struct {
	Range   PartialRange
	Results NumSet
}

// ThreadNode is one node of a THREAD response (RFC 5256 §4). Num is the
// message number, or 0 for a dummy node grouping siblings with no common
// parent (a thread-list that starts with a nested list). Children follow
// Num in the thread.
type ThreadNode struct {
	Num      uint32
	Children []ThreadNode
}

// VanishedData is an untagged VANISHED response (RFC 7162 §3.2.10).
type VanishedData struct {
	Earlier bool
	UIDs    UIDSet
}

// NamespaceDescr is one namespace of a NAMESPACE response (RFC 2342).
type NamespaceDescr struct {
	Prefix string
	Delim  rune // 0 for NIL
	Ext    []TaggedExt
}

// NamespaceData is an untagged NAMESPACE response; a nil slice is NIL.
type NamespaceData struct {
	Personal []NamespaceDescr
	Other    []NamespaceDescr
	Shared   []NamespaceDescr
}

// IDParam is one field of an ID command or response (RFC 2971).
type IDParam struct {
	Key   string
	Value NString
}

// QuotaResource is one resource of a QUOTA response (RFC 9208).
type QuotaResource struct {
	Name  string // "STORAGE", "MESSAGE", ...
	Usage uint64
	Limit uint64
}

// QuotaData is an untagged QUOTA response.
type QuotaData struct {
	Root      string
	Resources []QuotaResource
}

// QuotaRootData is an untagged QUOTAROOT response.
type QuotaRootData struct {
	Mailbox string
	Roots   []string
}

// ACLEntry is one identifier and its rights (RFC 4314).
type ACLEntry struct {
	Identifier string
	Rights     string
}

// ACLData is an untagged ACL response.
type ACLData struct {
	Mailbox string
	Entries []ACLEntry
}

// ListRightsData is an untagged LISTRIGHTS response.
type ListRightsData struct {
	Mailbox    string
	Identifier string
	Required   string
	Optional   []string
}

// MyRightsData is an untagged MYRIGHTS response.
type MyRightsData struct {
	Mailbox string
	Rights  string
}

// MetadataEntry is one entry of a METADATA command or response
// (RFC 5464); Value is NIL to remove an entry.
type MetadataEntry struct {
	Name  string
	Value NString
}

// MetadataData is an untagged METADATA response. It carries either entries
// with values, or (unsolicited, RFC 5464 §4.4.2) only entry names in Names.
type MetadataData struct {
	Mailbox string
	Entries []MetadataEntry
	Names   []string
}
