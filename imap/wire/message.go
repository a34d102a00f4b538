package wire

import "github.com/mailaccess/mailaccess/imap"

// Command is one client command (RFC 3501 §6, RFC 9051 §6).
type Command struct {
	Tag string
	// Name is the command name in upper case, e.g. "FETCH". For
	// "UID FETCH" Name is "FETCH" and UID is true.
	Name string
	UID  bool
	// Args holds the typed arguments (e.g. *imap.FetchCommand), or nil for
	// a command without arguments. A command unknown to the codec has
	// *imap.RawCommand in lenient mode.
	Args imap.CommandArgs
}

// StatusType is the condition of a status response.
type StatusType string

// Status response conditions (RFC 3501 §7.1).
const (
	StatusOK      StatusType = "OK"
	StatusNO      StatusType = "NO"
	StatusBAD     StatusType = "BAD"
	StatusPREAUTH StatusType = "PREAUTH"
	StatusBYE     StatusType = "BYE"
)

// ResponseKind says which kind of response a Response holds and so which of
// its fields are set.
type ResponseKind uint8

// Response kinds. The comment names the Response fields each one uses.
const (
	// KindStatus is a tagged or untagged OK, NO, BAD, PREAUTH or BYE:
	// Tag ("" if untagged), Status, Code, Text.
	KindStatus ResponseKind = iota + 1
	// KindContinuation is a continuation request "+ ...": Text (for
	// AUTHENTICATE the base64 challenge, undecoded), Code if the text
	// starts with one.
	KindContinuation
	KindCapability // Caps
	KindEnabled    // Caps
	KindList       // List
	KindLsub       // List
	KindStatusData // StatusData
	KindSearch     // Search
	KindSort       // Search
	KindESearch    // ESearch
	KindThread     // Threads
	KindFlags      // Flags
	KindExists     // Num
	KindRecent     // Num
	KindExpunge    // Num
	KindVanished   // Vanished
	KindFetch      // Fetch
	KindNamespace  // Namespace
	KindID         // ID (nil for ID NIL)
	KindQuota      // Quota
	KindQuotaRoot  // QuotaRoot
	KindACL        // ACL
	KindListRights // ListRights
	KindMyRights   // MyRights
	KindMetadata   // Metadata
	// KindOther is an untagged response the codec has no typed form for:
	// Name and Raw (the rest of the response verbatim), and Num for a
	// numbered one ("* 5 XYZ"; 0 when the response has no number).
	KindOther
	// KindUIDFetch is a UIDFETCH response (RFC 9586 §3.3), which a server
	// sends in place of FETCH once UIDONLY is enabled: Fetch, whose Seq
	// holds the message's UID and whose UIDFetch is set.
	KindUIDFetch
)

var kindNames = [...]string{
	KindStatus: "STATUS-RESPONSE", KindContinuation: "CONTINUATION",
	KindCapability: "CAPABILITY", KindEnabled: "ENABLED", KindList: "LIST",
	KindLsub: "LSUB", KindStatusData: "STATUS", KindSearch: "SEARCH",
	KindSort: "SORT", KindESearch: "ESEARCH", KindThread: "THREAD",
	KindFlags: "FLAGS", KindExists: "EXISTS", KindRecent: "RECENT",
	KindExpunge: "EXPUNGE", KindVanished: "VANISHED", KindFetch: "FETCH",
	KindNamespace: "NAMESPACE", KindID: "ID", KindQuota: "QUOTA",
	KindQuotaRoot: "QUOTAROOT", KindACL: "ACL", KindListRights: "LISTRIGHTS",
	KindMyRights: "MYRIGHTS", KindMetadata: "METADATA", KindOther: "OTHER",
	KindUIDFetch: "UIDFETCH",
}

// String returns the kind's name (the response's keyword where it has one).
func (k ResponseKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "UNKNOWN"
}

// Response is one server response (RFC 3501 §7, RFC 9051 §7). Kind says
// which fields are set; the others are zero.
type Response struct {
	Kind ResponseKind

	// Status responses.
	Tag    string
	Status StatusType
	Code   *imap.ResponseCode
	Text   string

	Num        uint32 // EXISTS, RECENT, EXPUNGE, numbered KindOther
	Caps       imap.CapSet
	Flags      []imap.Flag
	List       *imap.ListData
	StatusData *imap.StatusData
	Search     *imap.SearchData
	ESearch    *imap.ESearchData
	Threads    []imap.ThreadNode
	Vanished   *imap.VanishedData
	Fetch      *imap.FetchData // FETCH, UIDFETCH
	Namespace  *imap.NamespaceData
	ID         []imap.IDParam
	Quota      *imap.QuotaData
	QuotaRoot  *imap.QuotaRootData
	ACL        *imap.ACLData
	ListRights *imap.ListRightsData
	MyRights   *imap.MyRightsData
	Metadata   *imap.MetadataData

	// KindOther.
	Name string
	Raw  imap.RawValue
}
