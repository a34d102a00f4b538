package imapserver

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// handler is how a command runs.
type handler struct {
	// states the command is valid in.
	states state
	fn     func(c *conn, cmd *wire.Command) *status
	// barrier: the reader stops until the command is done, because the
	// command reads the stream itself or changes it.
	barrier bool
	// noExpunge: the non-UID form must not cause EXPUNGE responses
	// (RFC 3501 §7.4.1).
	noExpunge bool
	// bigOutput: the answer may be large; use a large write buffer.
	bigOutput bool
}

const (
	anyState = stateNotAuth | stateAuth | stateSelected
	authed   = stateAuth | stateSelected
)

// commands is the command table. It is never modified.
var commands = map[string]*handler{
	// Any state (RFC 3501 §6.1, RFC 9051 §6.1).
	"CAPABILITY": {states: anyState, fn: (*conn).cmdCapability},
	"NOOP":       {states: anyState, fn: (*conn).cmdNoop},
	"LOGOUT":     {states: anyState, fn: (*conn).cmdLogout},
	"ID":         {states: anyState, fn: (*conn).cmdID},

	// Not authenticated (§6.2).
	"STARTTLS":     {states: stateNotAuth, fn: (*conn).cmdStartTLS, barrier: true},
	"AUTHENTICATE": {states: stateNotAuth, fn: (*conn).cmdAuthenticate, barrier: true},
	"LOGIN":        {states: stateNotAuth, fn: (*conn).cmdLogin},

	// Authenticated (§6.3).
	"ENABLE":         {states: authed, fn: (*conn).cmdEnable},
	"SELECT":         {states: authed, fn: (*conn).cmdSelect},
	"EXAMINE":        {states: authed, fn: (*conn).cmdSelect},
	"CREATE":         {states: authed, fn: (*conn).cmdCreate},
	"DELETE":         {states: authed, fn: (*conn).cmdDelete},
	"RENAME":         {states: authed, fn: (*conn).cmdRename},
	"SUBSCRIBE":      {states: authed, fn: (*conn).cmdSubscribe},
	"UNSUBSCRIBE":    {states: authed, fn: (*conn).cmdSubscribe},
	"LIST":           {states: authed, fn: (*conn).cmdList},
	"LSUB":           {states: authed, fn: (*conn).cmdList},
	"NAMESPACE":      {states: authed, fn: (*conn).cmdNamespace},
	"STATUS":         {states: authed, fn: (*conn).cmdStatusQuota},
	"APPEND":         {states: authed, fn: (*conn).cmdAppend},
	"IDLE":           {states: authed, fn: (*conn).cmdIdle, barrier: true},
	"UNAUTHENTICATE": {states: authed, fn: (*conn).cmdUnauthenticate},
	"COMPRESS":       {states: authed, fn: (*conn).cmdCompress, barrier: true}, // RFC 4978

	// QUOTA (RFC 9208, quota.go), ACL (RFC 4314, acl.go), METADATA (RFC
	// 5464, metadata.go): authenticated and selected state, each only
	// when the user's store implements the matching interface of
	// mailstore; otherwise they are answered as unknown commands.
	"GETQUOTA":     {states: authed, fn: (*conn).cmdGetQuota},
	"GETQUOTAROOT": {states: authed, fn: (*conn).cmdGetQuotaRoot},
	"SETQUOTA":     {states: authed, fn: (*conn).cmdSetQuota},
	"SETACL":       {states: authed, fn: (*conn).cmdSetACL},
	"DELETEACL":    {states: authed, fn: (*conn).cmdDeleteACL},
	"GETACL":       {states: authed, fn: (*conn).cmdGetACL},
	"LISTRIGHTS":   {states: authed, fn: (*conn).cmdListRights},
	"MYRIGHTS":     {states: authed, fn: (*conn).cmdMyRights},
	"GETMETADATA":  {states: authed, fn: (*conn).cmdGetMetadata},
	"SETMETADATA":  {states: authed, fn: (*conn).cmdSetMetadata},

	// Selected (§6.4).
	"CHECK":    {states: stateSelected, fn: (*conn).cmdNoop},
	"CLOSE":    {states: stateSelected, fn: (*conn).cmdClose},
	"UNSELECT": {states: stateSelected, fn: (*conn).cmdClose},
	"EXPUNGE":  {states: stateSelected, fn: (*conn).cmdExpunge},
	"SEARCH":   {states: stateSelected, fn: (*conn).cmdSearch, noExpunge: true},
	"FETCH":    {states: stateSelected, fn: (*conn).cmdFetch, noExpunge: true, bigOutput: true},
	"STORE":    {states: stateSelected, fn: (*conn).cmdStore, noExpunge: true},
	"COPY":     {states: stateSelected, fn: (*conn).cmdCopy},
	"MOVE":     {states: stateSelected, fn: (*conn).cmdMove},
	"SORT":     {states: stateSelected, fn: (*conn).cmdSort, noExpunge: true},
	"THREAD":   {states: stateSelected, fn: (*conn).cmdThread, noExpunge: true},
}

// capabilities lists what the server offers in the session's current
// state (RFC 3501 §7.2.1). Before authentication it lists what a client
// needs to log in; after it, also the extensions the user's store makes
// possible (storeCaps), which the OK [CAPABILITY ...] of LOGIN and
// AUTHENTICATE carries (RFC 9051 §6.2.2, §6.2.3).
func (c *conn) capabilities() imap.CapSet {
	caps := imap.CapSet{imap.CapIMAP4rev1, imap.CapIMAP4rev2}
	if c.state == stateNotAuth {
		if c.srv.TLSConfig != nil && !c.tls && c.comp == nil {
			caps = append(caps, imap.CapStartTLS)
		}
		// authCaps leaves out the plaintext mechanisms where plaintext
		// is not allowed; SCRAM and EXTERNAL may still be offered.
		caps = append(caps, c.authCaps()...)
		if !c.plaintextAllowed() {
			caps = append(caps, imap.CapLoginDisabled)
		}
		return append(caps, imap.CapSASLIR, imap.CapLiteralPlus, imap.CapID, imap.CapEnable, imap.CapIdle)
	}
	caps = append(caps,
		imap.CapLiteralPlus, imap.CapID, imap.CapEnable, imap.CapIdle, imap.CapUnselect,
		imap.CapUnauthenticate, imap.CapUTF8Accept,
		imap.Cap("APPENDLIMIT="+itoa(c.lim.MaxMessageSize)),
	)
	if !c.srv.DisableCompress && c.comp == nil {
		caps = append(caps, imap.CapCompressDeflate) // RFC 4978 §3
	}
	caps = append(caps, extraCaps...)
	return append(caps, c.storeCaps()...)
}

// The capabilities of the optional store interfaces that imap.Cap has no
// constant for.
const (
	// capQuotaSet is QUOTASET (RFC 9208 §1): SETQUOTA is implemented.
	capQuotaSet imap.Cap = "QUOTASET"
	// capQuotaRes is the prefix of the resource capabilities (RFC 9208
	// §3.1.1).
	capQuotaRes = "QUOTA=RES-"
	// capRights lists the rights beyond RFC 2086's (RFC 4314 §2, §5.1.1:
	// "MUST include t, e, x, and k"), and n, the right to write shared
	// annotations (RFC 5257 §4.10), that mailstore.AllRights knows.
	capRights imap.Cap = "RIGHTS=texkn"
)

// storeCaps lists the capabilities of the optional interfaces the user's
// store implements: QUOTA with one QUOTA=RES- per resource and QUOTASET
// for a mailstore.QuotaSetter (RFC 9208 §1, §3.1.1); ACL and RIGHTS= for
// a mailstore.ACLStore (RFC 4314 §2); METADATA and METADATA-SERVER for a
// mailstore.MetadataStore (RFC 5464 §1). Before login there is no store,
// and nothing is listed.
func (c *conn) storeCaps() imap.CapSet {
	var caps imap.CapSet
	if qs, ok := c.store.(mailstore.QuotaStore); ok {
		caps = append(caps, imap.CapQuota)
		for _, r := range qs.QuotaResources() {
			caps = append(caps, imap.Cap(capQuotaRes+strings.ToUpper(r)))
		}
		if _, ok := c.store.(mailstore.QuotaSetter); ok {
			caps = append(caps, capQuotaSet)
		}
	}
	if _, ok := c.store.(mailstore.ACLStore); ok {
		caps = append(caps, imap.CapACL, capRights)
	}
	if _, ok := c.store.(mailstore.MetadataStore); ok {
		caps = append(caps, imap.CapMetadata, imap.CapMetadataServer)
	}
	return caps
}

// plaintextAllowed reports whether passwords may be sent in the clear on
// this connection: over TLS, on loopback, or when the server allows it
// (RFC 3501 §6.2.3, RFC 8314).
func (c *conn) plaintextAllowed() bool {
	return c.tls || c.loopback || c.srv.InsecureAuth
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
