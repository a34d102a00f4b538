package imap

// This file holds the NOTIFY command (RFC 5465): which events the server
// reports, for which mailboxes.
//
//	notify          = "NOTIFY" SP (notify-set / notify-none)
//	notify-set      = "SET" [SP "STATUS"] SP event-groups
//	notify-none     = "NONE"
//	event-groups    = event-group *(SP event-group)
//	event-group     = "(" filter-mailboxes SP events ")"
//	events          = ( "(" event *(SP event) ")" ) / "NONE"

// NotifyCommand is NOTIFY (RFC 5465 §3): NOTIFY NONE when None is set
// (Status and Groups are then unused), otherwise NOTIFY SET with its event
// groups, of which there is at least one, and the STATUS indicator
// (Status, §3.1: send a STATUS response for each mailbox now).
type NotifyCommand struct {
	None   bool
	Status bool
	Groups []NotifyEventGroup
}

// CommandName returns "NOTIFY".
func (*NotifyCommand) CommandName() string { return "NOTIFY" }

// NotifyFilter is the filter-mailboxes of an event group (RFC 5465 §6):
// which mailboxes the group's events are about. The decoder spells them
// in upper case; they match case-insensitively on the wire.
type NotifyFilter string

// Mailbox filters (RFC 5465 §6.1-§6.6). NotifySubtree and
// NotifyMailboxes name mailboxes (NotifyEventGroup.Mailboxes); the others
// take none.
const (
	NotifySelected        NotifyFilter = "SELECTED"         // §6.1.1
	NotifySelectedDelayed NotifyFilter = "SELECTED-DELAYED" // §6.1.2
	NotifyPersonal        NotifyFilter = "PERSONAL"         // §6.2
	NotifyInboxes         NotifyFilter = "INBOXES"          // §6.3
	NotifySubscribed      NotifyFilter = "SUBSCRIBED"       // §6.4
	NotifySubtree         NotifyFilter = "SUBTREE"          // §6.5: Mailboxes and their children
	NotifyMailboxes       NotifyFilter = "MAILBOXES"        // §6.6: Mailboxes
)

// TakesMailboxes reports whether the filter is followed by mailbox names
// (one-or-more-mailbox): SUBTREE and MAILBOXES.
func (f NotifyFilter) TakesMailboxes() bool {
	return asciiEqualFold(string(f), string(NotifySubtree)) || asciiEqualFold(string(f), string(NotifyMailboxes))
}

// IsSelected reports whether the filter is about the selected mailbox
// (SELECTED or SELECTED-DELAYED), the only one whose MessageNew event may
// carry FETCH attributes (RFC 5465 §5.2, §8 message-event).
func (f NotifyFilter) IsSelected() bool {
	return asciiEqualFold(string(f), string(NotifySelected)) || asciiEqualFold(string(f), string(NotifySelectedDelayed))
}

// NotifyEventGroup is one event-group of NOTIFY SET (RFC 5465 §3.1):
// a mailbox filter and the events to report for those mailboxes. An empty
// Events is "NONE": no events for these mailboxes.
type NotifyEventGroup struct {
	Filter    NotifyFilter
	Mailboxes []string // for SUBTREE and MAILBOXES, at least one
	Events    []NotifyEvent
}

// NotifyEventName names an event (RFC 5465 §5). The decoder spells the
// known ones as their constants; others (event-ext) are kept as sent.
// Event names match case-insensitively.
type NotifyEventName string

// Events (RFC 5465 §5.1-§5.7).
const (
	EventMessageNew            NotifyEventName = "MessageNew"            // §5.2, with optional FETCH attributes
	EventMessageExpunge        NotifyEventName = "MessageExpunge"        // §5.3
	EventFlagChange            NotifyEventName = "FlagChange"            // §5.1
	EventAnnotationChange      NotifyEventName = "AnnotationChange"      // §5.1
	EventMailboxName           NotifyEventName = "MailboxName"           // §5.4: created, deleted, renamed
	EventSubscriptionChange    NotifyEventName = "SubscriptionChange"    // §5.5
	EventMailboxMetadataChange NotifyEventName = "MailboxMetadataChange" // §5.6
	EventServerMetadataChange  NotifyEventName = "ServerMetadataChange"  // §5.7
)

// NotifyEvent is one event of an event group. Fetch holds the FETCH
// attributes of MessageNew (RFC 5465 §5.2: "MessageNew" [SP "(" fetch-att
// *(SP fetch-att) ")"]), which the server sends with each new message of
// the selected mailbox; it is empty for other events.
type NotifyEvent struct {
	Name  NotifyEventName
	Fetch []FetchAttr
}
