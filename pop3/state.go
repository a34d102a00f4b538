package pop3

// State is a POP3 session state (RFC 1939 §3).
type State int

// The session states.
const (
	// Authorization: after the greeting, until the client has
	// identified itself (RFC 1939 §4).
	Authorization State = iota + 1
	// Transaction: the maildrop is open (RFC 1939 §5).
	Transaction
	// Update: QUIT was given in the TRANSACTION state; the server
	// removes the messages marked as deleted and closes (RFC 1939 §6).
	Update
)

// String returns the state's name as RFC 1939 writes it.
func (s State) String() string {
	switch s {
	case Authorization:
		return "AUTHORIZATION"
	case Transaction:
		return "TRANSACTION"
	case Update:
		return "UPDATE"
	}
	return "State(?)"
}

// Allowed reports whether a command (upper-case keyword) is valid in a
// state, by RFC 1939 §4-§7, RFC 2449 §5 (CAPA in both states), RFC 2595
// §4 (STLS before authentication), RFC 5034 §4 (AUTH before
// authentication) and RFC 6856 (UTF8 before authentication, LANG in
// both). No command is valid in the UPDATE state. A command not listed
// is unknown: a server answers it -ERR in every state, as it must answer
// a known one in the wrong state (RFC 1939 §3).
func Allowed(s State, cmd string) bool {
	switch s {
	case Authorization:
		switch cmd {
		case CmdUser, CmdPass, CmdAPOP, CmdAuth, CmdCapa, CmdSTLS, CmdQuit, CmdUTF8, CmdLang:
			return true
		}
	case Transaction:
		switch cmd {
		case CmdStat, CmdList, CmdRetr, CmdDele, CmdNoop, CmdRset, CmdTop, CmdUIDL, CmdQuit, CmdCapa, CmdLang:
			return true
		}
	}
	return false
}

// Known reports whether cmd is a command this package knows.
func Known(cmd string) bool {
	return Allowed(Authorization, cmd) || Allowed(Transaction, cmd)
}
