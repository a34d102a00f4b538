package imap

// StatusItem names a STATUS data item (RFC 3501 §6.3.10, RFC 9051 §6.3.11,
// RFC 7162, RFC 8438, RFC 8474, RFC 7889).
type StatusItem string

// STATUS items.
const (
	StatusMessages      StatusItem = "MESSAGES"
	StatusRecent        StatusItem = "RECENT" // IMAP4rev1 only
	StatusUIDNext       StatusItem = "UIDNEXT"
	StatusUIDValidity   StatusItem = "UIDVALIDITY"
	StatusUnseen        StatusItem = "UNSEEN"
	StatusDeleted       StatusItem = "DELETED"       // IMAP4rev2
	StatusSize          StatusItem = "SIZE"          // IMAP4rev2, STATUS=SIZE
	StatusHighestModSeq StatusItem = "HIGHESTMODSEQ" // CONDSTORE
	StatusAppendLimit   StatusItem = "APPENDLIMIT"   // RFC 7889
	StatusMailboxID     StatusItem = "MAILBOXID"     // RFC 8474 (value is a string)
)

// StatusValue is one item of a STATUS response. MAILBOXID carries its value
// in Str, APPENDLIMIT may be NIL (Nil true); the others use Num.
type StatusValue struct {
	Item StatusItem
	Num  uint64
	Str  string
	Nil  bool
}

// StatusData is an untagged STATUS response.
type StatusData struct {
	Mailbox string
	Items   []StatusValue
}

// Get returns the numeric value of an item and whether it was present.
func (s *StatusData) Get(item StatusItem) (uint64, bool) {
	for _, v := range s.Items {
		if v.Item == item {
			return v.Num, true
		}
	}
	return 0, false
}
