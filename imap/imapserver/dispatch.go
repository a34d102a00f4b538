package imapserver

import (
	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
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
	"STATUS":         {states: authed, fn: (*conn).cmdStatus},
	"APPEND":         {states: authed, fn: (*conn).cmdAppend},
	"IDLE":           {states: authed, fn: (*conn).cmdIdle, barrier: true},
	"UNAUTHENTICATE": {states: authed, fn: (*conn).cmdUnauthenticate},

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
// needs to log in.
func (c *conn) capabilities() imap.CapSet {
	caps := imap.CapSet{imap.CapIMAP4rev1, imap.CapIMAP4rev2}
	if c.state == stateNotAuth {
		if c.srv.TLSConfig != nil && !c.tls {
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
	return append(caps, extraCaps...)
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
