package imap

// ResponseCodeName is the name (atom) of a response code in square brackets
// in a status response (RFC 3501 §7.1, RFC 9051 §7.1, RFC 5530, RFC 4315,
// RFC 7162 and others).
type ResponseCodeName string

// Response codes. The comment gives the ResponseCode field each one uses.
const (
	CodeAlert                ResponseCodeName = "ALERT"
	CodeBadCharset           ResponseCodeName = "BADCHARSET" // Strings (charsets; may be empty)
	CodeCapability           ResponseCodeName = "CAPABILITY" // Caps
	CodeParse                ResponseCodeName = "PARSE"
	CodePermanentFlags       ResponseCodeName = "PERMANENTFLAGS" // Flags
	CodeReadOnly             ResponseCodeName = "READ-ONLY"
	CodeReadWrite            ResponseCodeName = "READ-WRITE"
	CodeTryCreate            ResponseCodeName = "TRYCREATE"
	CodeUIDNext              ResponseCodeName = "UIDNEXT"     // Num
	CodeUIDValidity          ResponseCodeName = "UIDVALIDITY" // Num
	CodeUnseen               ResponseCodeName = "UNSEEN"      // Num
	CodeClosed               ResponseCodeName = "CLOSED"      // RFC 7162, RFC 9051
	CodeAppendUID            ResponseCodeName = "APPENDUID"   // Num (uidvalidity), Set (UIDs)
	CodeCopyUID              ResponseCodeName = "COPYUID"     // Num (uidvalidity), Set (source), Set2 (destination)
	CodeUIDNotSticky         ResponseCodeName = "UIDNOTSTICKY"
	CodeHighestModSeq        ResponseCodeName = "HIGHESTMODSEQ" // Num
	CodeNoModSeq             ResponseCodeName = "NOMODSEQ"
	CodeModified             ResponseCodeName = "MODIFIED" // Set
	CodeUnavailable          ResponseCodeName = "UNAVAILABLE"
	CodeAuthenticationFailed ResponseCodeName = "AUTHENTICATIONFAILED"
	CodeAuthorizationFailed  ResponseCodeName = "AUTHORIZATIONFAILED"
	CodeExpired              ResponseCodeName = "EXPIRED"
	CodePrivacyRequired      ResponseCodeName = "PRIVACYREQUIRED"
	CodeContactAdmin         ResponseCodeName = "CONTACTADMIN"
	CodeNoPerm               ResponseCodeName = "NOPERM"
	CodeInUse                ResponseCodeName = "INUSE"
	CodeExpungeIssued        ResponseCodeName = "EXPUNGEISSUED"
	CodeCorruption           ResponseCodeName = "CORRUPTION"
	CodeServerBug            ResponseCodeName = "SERVERBUG"
	CodeClientBug            ResponseCodeName = "CLIENTBUG"
	CodeCannot               ResponseCodeName = "CANNOT"
	CodeLimit                ResponseCodeName = "LIMIT"
	CodeOverQuota            ResponseCodeName = "OVERQUOTA"
	CodeAlreadyExists        ResponseCodeName = "ALREADYEXISTS"
	CodeNonExistent          ResponseCodeName = "NONEXISTENT"
	CodeHasChildren          ResponseCodeName = "HASCHILDREN" // RFC 9051
	CodeTooBig               ResponseCodeName = "TOOBIG"      // RFC 7889
	CodeAppendLimit          ResponseCodeName = "APPENDLIMIT" // RFC 7889, Num
	CodeCompressionActive    ResponseCodeName = "COMPRESSIONACTIVE"
	CodeMetadata             ResponseCodeName = "METADATA"             // RFC 5464: Raw (LONGENTRIES n, MAXSIZE n, TOOMANY, NOPRIVATE)
	CodeUseAttr              ResponseCodeName = "USEATTR"              // RFC 6154
	CodeMailboxID            ResponseCodeName = "MAILBOXID"            // RFC 8474: Strings[0]
	CodeNotSaved             ResponseCodeName = "NOTSAVED"             // RFC 5182
	CodeUnknownCTE           ResponseCodeName = "UNKNOWN-CTE"          // RFC 3516
	CodeReferral             ResponseCodeName = "REFERRAL"             // RFC 2221: Strings[0] (URL)
	CodeNotificationOverflow ResponseCodeName = "NOTIFICATIONOVERFLOW" // RFC 5465
	CodeBadEvent             ResponseCodeName = "BADEVENT"             // RFC 5465: Strings
)

// ResponseCode is the bracketed code of a status response. Codes with a
// typed argument use the field their constant documents; any other code, or
// a known code whose argument did not parse in lenient mode, keeps its
// argument text verbatim in Raw.
type ResponseCode struct {
	Name    ResponseCodeName
	Num     uint64
	Set     UIDSet
	Set2    UIDSet
	Flags   []Flag
	Caps    []Cap
	Strings []string
	Raw     string
}
