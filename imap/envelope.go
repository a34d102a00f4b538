package imap

// Address is one element of an address list in an ENVELOPE
// (RFC 3501 §7.4.2, RFC 9051 §7.5.2).
//
// RFC 5322 group syntax is carried as in the protocol: a group start is an
// Address whose Host is NIL and whose Mailbox holds the group name; a group
// end has both Mailbox and Host NIL.
type Address struct {
	Name    NString // personal name (phrase), encoded-words left as sent
	ADL     NString // at-domain-list (source route), nearly always NIL
	Mailbox NString // local part, or group name at a group start
	Host    NString // domain; NIL marks group start/end
}

// IsGroupStart reports whether a begins an RFC 5322 group.
func (a Address) IsGroupStart() bool { return !a.Host.Valid && a.Mailbox.Valid }

// IsGroupEnd reports whether a ends an RFC 5322 group.
func (a Address) IsGroupEnd() bool { return !a.Host.Valid && !a.Mailbox.Valid }

// Addr returns "mailbox@host", or "" for group markers.
func (a Address) Addr() string {
	if !a.Host.Valid {
		return ""
	}
	return a.Mailbox.S + "@" + a.Host.S
}

// Envelope is the ENVELOPE FETCH item (RFC 3501 §7.4.2). Address lists that
// are NIL on the wire are nil slices.
type Envelope struct {
	Date      NString
	Subject   NString
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo NString
	MessageID NString
}
