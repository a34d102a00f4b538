package imap

// Flag is a message flag: a system flag (backslash-prefixed, RFC 3501 §2.3.2)
// or a keyword (an atom). Build keywords with NewKeyword or ParseFlag, which
// validate; the system-flag constants are always valid.
type Flag string

// System flags of RFC 3501 §2.3.2 and RFC 9051 §2.3.2, and the special
// PERMANENTFLAGS entry \* (RFC 3501 §7.1).
const (
	FlagSeen     Flag = `\Seen`
	FlagAnswered Flag = `\Answered`
	FlagFlagged  Flag = `\Flagged`
	FlagDeleted  Flag = `\Deleted`
	FlagDraft    Flag = `\Draft`
	FlagRecent   Flag = `\Recent` // IMAP4rev1 only; never stored by clients
	FlagWildcard Flag = `\*`      // in PERMANENTFLAGS: new keywords may be created
)

// Keywords registered with IANA that RFC 9051 §2.3.2 recommends servers
// support.
const (
	KeywordForwarded Flag = "$Forwarded"
	KeywordMDNSent   Flag = "$MDNSent"
	KeywordJunk      Flag = "$Junk"
	KeywordNotJunk   Flag = "$NotJunk"
	KeywordPhishing  Flag = "$Phishing"
)

// MailboxAttr is a mailbox name attribute in a LIST response
// (RFC 3501 §7.2.2, RFC 9051 §7.3.1, RFC 5258, RFC 6154).
type MailboxAttr string

// Mailbox attributes.
const (
	AttrNoinferiors   MailboxAttr = `\Noinferiors`
	AttrNoselect      MailboxAttr = `\Noselect`
	AttrMarked        MailboxAttr = `\Marked`
	AttrUnmarked      MailboxAttr = `\Unmarked`
	AttrNonExistent   MailboxAttr = `\NonExistent`
	AttrSubscribed    MailboxAttr = `\Subscribed`
	AttrRemote        MailboxAttr = `\Remote`
	AttrHasChildren   MailboxAttr = `\HasChildren`
	AttrHasNoChildren MailboxAttr = `\HasNoChildren`
	// Special-use attributes (RFC 6154).
	AttrAll       MailboxAttr = `\All`
	AttrArchive   MailboxAttr = `\Archive`
	AttrDrafts    MailboxAttr = `\Drafts`
	AttrFlagged   MailboxAttr = `\Flagged`
	AttrJunk      MailboxAttr = `\Junk`
	AttrSent      MailboxAttr = `\Sent`
	AttrTrash     MailboxAttr = `\Trash`
	AttrImportant MailboxAttr = `\Important` // RFC 8457
)
