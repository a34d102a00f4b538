package imap

import (
	"io"
	"time"
)

// This file holds the typed arguments of client commands (RFC 3501 §6,
// RFC 9051 §6 and the extensions). The codec's Command carries one of these
// as its Args; commands without arguments (CAPABILITY, NOOP, LOGOUT,
// STARTTLS, CHECK, CLOSE, UNSELECT, IDLE, NAMESPACE, UNAUTHENTICATE) carry
// nil.

// CommandArgs is implemented by every command argument type.
type CommandArgs interface {
	// CommandName returns the command's name, e.g. "FETCH".
	CommandName() string
}

// LoginCommand is LOGIN (RFC 3501 §6.2.3).
type LoginCommand struct {
	Username string
	Password string
}

// AuthenticateCommand is AUTHENTICATE (RFC 3501 §6.2.2) with the optional
// SASL-IR initial response (RFC 4959). HasInitialResponse distinguishes an
// empty initial response ("=") from none.
type AuthenticateCommand struct {
	Mechanism          string
	InitialResponse    []byte // decoded from base64
	HasInitialResponse bool
}

// QResyncParams are the QRESYNC parameters of SELECT/EXAMINE
// (RFC 7162 §3.2.5).
type QResyncParams struct {
	UIDValidity uint32
	ModSeq      uint64
	KnownUIDs   UIDSet // may be empty
	// SeqMatch is the optional (known-sequence-set known-uid-set) pair.
	SeqMatchSeqs SeqSet
	SeqMatchUIDs UIDSet
}

// SelectCommand is SELECT or EXAMINE (ReadOnly), with the CONDSTORE and
// QRESYNC select parameters (RFC 7162).
type SelectCommand struct {
	Mailbox   string
	ReadOnly  bool // EXAMINE
	CondStore bool
	QResync   *QResyncParams
}

// CreateCommand is CREATE, with the USE parameter of CREATE-SPECIAL-USE
// (RFC 6154 §3).
type CreateCommand struct {
	Mailbox    string
	SpecialUse []MailboxAttr
}

// MailboxCommand is a command whose only argument is a mailbox: DELETE,
// SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETACL, MYRIGHTS. Name holds which.
type MailboxCommand struct {
	Name    string
	Mailbox string
}

// RenameCommand is RENAME.
type RenameCommand struct {
	From string
	To   string
}

// ListCommand is LIST (RFC 3501 §6.3.8, with RFC 5258 LIST-EXTENDED and
// RFC 5819 LIST-STATUS) or LSUB (Lsub true; no options).
type ListCommand struct {
	Lsub         bool
	SelectOpts   []string // e.g. SUBSCRIBED, REMOTE, RECURSIVEMATCH, SPECIAL-USE
	Reference    string
	Patterns     []string // one, or several with LIST-EXTENDED
	ReturnOpts   []string // e.g. SUBSCRIBED, CHILDREN, SPECIAL-USE (STATUS goes in ReturnStatus)
	ReturnStatus []StatusItem
}

// StatusCommand is STATUS.
type StatusCommand struct {
	Mailbox string
	Items   []StatusItem
}

// AppendMessage is one message of APPEND (several with MULTIAPPEND,
// RFC 3502). The message literal is either held in Data, or was handed to
// the decoder's stream handler (Streamed, with Size).
type AppendMessage struct {
	Flags   []Flag
	Date    time.Time
	HasDate bool
	Binary  bool // literal8 (~{n}, RFC 3516)
	// UTF8 is the "UTF8 (literal8)" form of RFC 6855 §4: the message may
	// have UTF-8 header fields.
	UTF8     bool
	Data     []byte
	Streamed bool
	Size     int64
	// Reader, when non-nil, is what an encoder streams as the message
	// literal: exactly Size octets are read from it.
	Reader io.Reader
}

// AppendCommand is APPEND.
type AppendCommand struct {
	Mailbox  string
	Messages []AppendMessage
}

// ExpungeCommand is EXPUNGE, or UID EXPUNGE (RFC 4315) with a UID set.
type ExpungeCommand struct {
	UIDs *UIDSet
}

// SearchCommand is SEARCH (RFC 3501 §6.4.4) with ESEARCH return options
// (RFC 4731). Key is the conjunction (SearchAnd) of the top-level keys.
type SearchCommand struct {
	Return    []SearchReturnOpt
	HasReturn bool // RETURN () given, even if empty
	Charset   string
	Key       SearchKey
}

// FetchCommand is FETCH, with the CONDSTORE/QRESYNC modifiers
// CHANGEDSINCE and VANISHED (RFC 7162) and the PARTIAL modifier of UID
// FETCH (RFC 9394 §3.3). Set holds sequence numbers, or UIDs for UID
// FETCH. Macro is set when a macro (ALL, FAST, FULL) was sent instead of a
// list; Attrs then holds its expansion.
type FetchCommand struct {
	Set          NumSet
	Macro        FetchAttrKind
	Attrs        []FetchAttr
	ChangedSince uint64
	Vanished     bool
	// Partial, when set, limits the results to a range of the messages
	// Set names (PARTIAL modifier, RFC 9394 §3.3). Code that does not
	// implement PARTIAL must refuse a command that has it.
	Partial *PartialRange
}

// StoreOp is the flag operation of STORE.
type StoreOp byte

// STORE operations.
const (
	StoreReplace StoreOp = '=' // FLAGS
	StoreAdd     StoreOp = '+' // +FLAGS
	StoreRemove  StoreOp = '-' // -FLAGS
)

// StoreCommand is STORE (RFC 3501 §6.4.6, RFC 9051 §6.4.6), with the
// UNCHANGEDSINCE modifier (RFC 7162 §3.1.3).
//
// Item is the data item the command changes: "" for FLAGS, whose flags are
// in Flags; or a vendor item, an atom beginning with "X-" held in upper
// case (such as Gmail's X-GM-LABELS), whose values are in Values, a list of
// astrings (a value may also have the form of a system flag, as Gmail's
// \Inbox), and Flags is then nil. Op and Silent apply to either:
// "+X-GM-LABELS.SILENT (foo)" has Op StoreAdd, Silent and Item
// "X-GM-LABELS".
//
// Code that handles STORE and knows no vendor item must check that Item
// is empty: the values of a vendor item are not flags.
type StoreCommand struct {
	Set               NumSet
	Op                StoreOp
	Silent            bool
	Flags             []Flag
	UnchangedSince    uint64
	HasUnchangedSince bool
	// Item is "" for FLAGS, or the vendor item's name, e.g. "X-GM-LABELS".
	Item string
	// Values are the vendor item's values (non-nil when decoded, empty
	// for "()"); unused for FLAGS.
	Values []string
}

// IsFlags reports whether the command changes the flags (FLAGS), rather
// than a vendor item.
func (c *StoreCommand) IsFlags() bool { return c.Item == "" }

// ReplaceCommand is REPLACE, or UID REPLACE (RFC 8508 §3.2, §3.3): the
// message Num (a sequence number, or a UID with the UID prefix; Star for
// "*") is replaced by Message, which is appended to Mailbox as APPEND
// would (append-message of RFC 4466, without MULTIAPPEND). The message
// literal is held or streamed as APPEND's is: the decoder hands it to
// Options.Stream with Literal.Command "REPLACE".
type ReplaceCommand struct {
	Num     uint32
	Mailbox string
	Message AppendMessage
}

// CopyCommand is COPY or MOVE (Move true, RFC 6851).
type CopyCommand struct {
	Move    bool
	Set     NumSet
	Mailbox string
}

// EnableCommand is ENABLE (RFC 5161).
type EnableCommand struct {
	Caps []Cap
}

// IDCommand is ID (RFC 2971); a nil Params is "ID NIL".
type IDCommand struct {
	Params []IDParam
}

// SortCriterion is one SORT criterion (RFC 5256 §3, RFC 5957 DISPLAYFROM
// and DISPLAYTO).
type SortCriterion struct {
	Key     string // ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, DISPLAYTO
	Reverse bool
}

// SortCommand is SORT (RFC 5256) with ESORT return options (RFC 5267).
type SortCommand struct {
	Return    []SearchReturnOpt
	HasReturn bool
	Criteria  []SortCriterion
	Charset   string
	Key       SearchKey
}

// ThreadCommand is THREAD (RFC 5256).
type ThreadCommand struct {
	Algorithm string
	Charset   string
	Key       SearchKey
}

// GetQuotaCommand is GETQUOTA (RFC 9208).
type GetQuotaCommand struct {
	Root string
}

// SetQuotaCommand is SETQUOTA (RFC 9208); Usage of each resource is unused.
type SetQuotaCommand struct {
	Root      string
	Resources []QuotaResource
}

// SetACLCommand is SETACL (RFC 4314).
type SetACLCommand struct {
	Mailbox    string
	Identifier string
	Rights     string
}

// DeleteACLCommand is DELETEACL (RFC 4314).
type DeleteACLCommand struct {
	Mailbox    string
	Identifier string
}

// ListRightsCommand is LISTRIGHTS (RFC 4314).
type ListRightsCommand struct {
	Mailbox    string
	Identifier string
}

// GetMetadataCommand is GETMETADATA (RFC 5464 §4.2). MaxSize is 0 when not
// given; Depth is "", "0", "1" or "infinity".
type GetMetadataCommand struct {
	Mailbox string
	MaxSize uint32
	Depth   string
	Entries []string
}

// SetMetadataCommand is SETMETADATA (RFC 5464 §4.3).
type SetMetadataCommand struct {
	Mailbox string
	Entries []MetadataEntry
}

// CompressCommand is COMPRESS (RFC 4978).
type CompressCommand struct {
	Mechanism string
}

// RawCommand is a command the codec has no typed form for (vendor
// commands, in lenient mode): Name and its arguments verbatim.
type RawCommand struct {
	Name string
	Args RawValue
}

// CommandName implementations.
func (*LoginCommand) CommandName() string        { return "LOGIN" }
func (*AuthenticateCommand) CommandName() string { return "AUTHENTICATE" }
func (c *SelectCommand) CommandName() string {
	if c.ReadOnly {
		return "EXAMINE"
	}
	return "SELECT"
}
func (*CreateCommand) CommandName() string    { return "CREATE" }
func (c *MailboxCommand) CommandName() string { return c.Name }
func (*RenameCommand) CommandName() string    { return "RENAME" }
func (c *ListCommand) CommandName() string {
	if c.Lsub {
		return "LSUB"
	}
	return "LIST"
}
func (*StatusCommand) CommandName() string  { return "STATUS" }
func (*AppendCommand) CommandName() string  { return "APPEND" }
func (*ExpungeCommand) CommandName() string { return "EXPUNGE" }
func (*SearchCommand) CommandName() string  { return "SEARCH" }
func (*FetchCommand) CommandName() string   { return "FETCH" }
func (*StoreCommand) CommandName() string   { return "STORE" }
func (*ReplaceCommand) CommandName() string { return "REPLACE" }
func (c *CopyCommand) CommandName() string {
	if c.Move {
		return "MOVE"
	}
	return "COPY"
}
func (*EnableCommand) CommandName() string      { return "ENABLE" }
func (*IDCommand) CommandName() string          { return "ID" }
func (*SortCommand) CommandName() string        { return "SORT" }
func (*ThreadCommand) CommandName() string      { return "THREAD" }
func (*GetQuotaCommand) CommandName() string    { return "GETQUOTA" }
func (*SetQuotaCommand) CommandName() string    { return "SETQUOTA" }
func (*SetACLCommand) CommandName() string      { return "SETACL" }
func (*DeleteACLCommand) CommandName() string   { return "DELETEACL" }
func (*ListRightsCommand) CommandName() string  { return "LISTRIGHTS" }
func (*GetMetadataCommand) CommandName() string { return "GETMETADATA" }
func (*SetMetadataCommand) CommandName() string { return "SETMETADATA" }
func (*CompressCommand) CommandName() string    { return "COMPRESS" }
func (c *RawCommand) CommandName() string       { return c.Name }
