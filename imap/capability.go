package imap

// Cap is a capability name as listed in a CAPABILITY response
// (RFC 3501 §7.2.1), e.g. "IMAP4rev1", "AUTH=PLAIN", "LITERAL+".
type Cap string

// Capabilities of the base protocols and the extensions mailaccess knows.
const (
	CapIMAP4rev1            Cap = "IMAP4rev1"
	CapIMAP4rev2            Cap = "IMAP4rev2"
	CapStartTLS             Cap = "STARTTLS"
	CapLoginDisabled        Cap = "LOGINDISABLED"
	CapSASLIR               Cap = "SASL-IR"
	CapLiteralPlus          Cap = "LITERAL+"
	CapLiteralMinus         Cap = "LITERAL-"
	CapIdle                 Cap = "IDLE"
	CapNamespace            Cap = "NAMESPACE"
	CapUnselect             Cap = "UNSELECT"
	CapUIDPlus              Cap = "UIDPLUS"
	CapESearch              Cap = "ESEARCH"
	CapSearchRes            Cap = "SEARCHRES"
	CapEnable               Cap = "ENABLE"
	CapListExtended         Cap = "LIST-EXTENDED"
	CapListStatus           Cap = "LIST-STATUS"
	CapMove                 Cap = "MOVE"
	CapBinary               Cap = "BINARY"
	CapSpecialUse           Cap = "SPECIAL-USE"
	CapCreateSpecialUse     Cap = "CREATE-SPECIAL-USE"
	CapStatusSize           Cap = "STATUS=SIZE"
	CapChildren             Cap = "CHILDREN"
	CapID                   Cap = "ID"
	CapCondStore            Cap = "CONDSTORE"
	CapQResync              Cap = "QRESYNC"
	CapSort                 Cap = "SORT"
	CapSortDisplay          Cap = "SORT=DISPLAY"
	CapESort                Cap = "ESORT"
	CapThreadOrderedSubject Cap = "THREAD=ORDEREDSUBJECT"
	CapThreadReferences     Cap = "THREAD=REFERENCES"
	CapCompressDeflate      Cap = "COMPRESS=DEFLATE"
	CapQuota                Cap = "QUOTA"
	CapACL                  Cap = "ACL"
	CapMetadata             Cap = "METADATA"
	CapMetadataServer       Cap = "METADATA-SERVER"
	CapNotify               Cap = "NOTIFY"
	CapObjectID             Cap = "OBJECTID"
	CapSaveDate             Cap = "SAVEDATE"
	CapPreview              Cap = "PREVIEW"
	CapReplace              Cap = "REPLACE"
	CapUnauthenticate       Cap = "UNAUTHENTICATE"
	CapUTF8Accept           Cap = "UTF8=ACCEPT"
	CapUTF8Only             Cap = "UTF8=ONLY"
	CapAppendLimit          Cap = "APPENDLIMIT"
	CapMultiAppend          Cap = "MULTIAPPEND"
	CapWithin               Cap = "WITHIN"
	CapUIDOnly              Cap = "UIDONLY"
	CapPartial              Cap = "PARTIAL"
	CapCatenate             Cap = "CATENATE"
	CapXGMExt1              Cap = "X-GM-EXT-1"
)

// CapSet is the set of capabilities a server announced, in the order it
// announced them. Lookups are case-insensitive and know the implications
// between capabilities (see Has).
type CapSet []Cap
