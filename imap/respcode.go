package imap

import "strconv"

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
	CodeMetadata             ResponseCodeName = "METADATA"             // RFC 5464 §4.2.1, §4.3: Strings[0] (a Metadata* condition), Num; see NewMetadataCode
	CodeUseAttr              ResponseCodeName = "USEATTR"              // RFC 6154
	CodeMailboxID            ResponseCodeName = "MAILBOXID"            // RFC 8474: Strings[0]
	CodeNotSaved             ResponseCodeName = "NOTSAVED"             // RFC 5182
	CodeUnknownCTE           ResponseCodeName = "UNKNOWN-CTE"          // RFC 3516
	CodeReferral             ResponseCodeName = "REFERRAL"             // RFC 2221: Strings[0] (URL)
	CodeNotificationOverflow ResponseCodeName = "NOTIFICATIONOVERFLOW" // RFC 5465
	CodeBadEvent             ResponseCodeName = "BADEVENT"             // RFC 5465 §5.1: Strings (the event names the server supports)
	CodeUIDRequired          ResponseCodeName = "UIDREQUIRED"          // RFC 9586 §3.2: a message number was used with UIDONLY on
)

// The conditions of the METADATA response code (RFC 5464 §4.2.1, §4.3,
// §5: "METADATA" SP ("LONGENTRIES" SP number / "MAXSIZE" SP number /
// "TOOMANY" / "NOPRIVATE")), held in ResponseCode.Strings[0].
const (
	// MetadataLongEntries answers a GETMETADATA with MAXSIZE (§4.2.1):
	// Num is the size of the largest value left out for being larger.
	MetadataLongEntries = "LONGENTRIES"
	// MetadataMaxSize refuses a SETMETADATA value (§4.3): Num is the
	// largest value size the server accepts.
	MetadataMaxSize = "MAXSIZE"
	// MetadataTooMany refuses a SETMETADATA that would exceed the number
	// of entries the server allows (§4.3).
	MetadataTooMany = "TOOMANY"
	// MetadataNoPrivate refuses a SETMETADATA of a private entry: the
	// server does not support them (§4.3).
	MetadataNoPrivate = "NOPRIVATE"
)

// NewMetadataCode returns the METADATA response code of the given
// condition (MetadataLongEntries, MetadataMaxSize, MetadataTooMany or
// MetadataNoPrivate); n is the number LONGENTRIES and MAXSIZE carry and is
// ignored for the others. Like a decoded METADATA code, the result also
// holds its argument's text in Raw ("MAXSIZE 1024"): code written when
// the codec kept this code's argument only in Raw goes on working.
func NewMetadataCode(cond string, n uint32) *ResponseCode {
	c := &ResponseCode{Name: CodeMetadata, Strings: []string{cond}, Raw: cond}
	if cond == MetadataLongEntries || cond == MetadataMaxSize {
		c.Num = uint64(n)
		c.Raw = cond + " " + strconv.FormatUint(uint64(n), 10)
	}
	return c
}

// ResponseCode is the bracketed code of a status response. Codes with a
// typed argument use the field their constant documents; any other code, or
// a known code whose argument did not parse in lenient mode, keeps its
// argument text verbatim in Raw. The METADATA code, typed later than the
// others, also keeps its argument's text in Raw, in canonical form
// ("MAXSIZE 1024"); when encoding it, its typed fields win over Raw if
// Strings is set.
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
