package wire

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes the NOTIFY command (RFC 5465 §3.1 and §8):
//
//	notify          = "NOTIFY" SP (notify-set / notify-none)
//	notify-set      = "SET" [status-indicator] SP event-groups
//	notify-none     = "NONE"
//	status-indicator = SP "STATUS"
//	event-groups    = event-group *(SP event-group)
//	event-group     = "(" filter-mailboxes SP events ")"
//	filter-mailboxes = filter-mailboxes-selected / filter-mailboxes-other
//	filter-mailboxes-other = "inboxes" / "personal" / "subscribed" /
//	                  ( "subtree" SP one-or-more-mailbox ) /
//	                  ( "mailboxes" SP one-or-more-mailbox )
//	filter-mailboxes-selected = "selected" / "selected-delayed"
//	one-or-more-mailbox = mailbox / many-mailboxes
//	many-mailboxes  = "(" mailbox *(SP mailbox) ")"
//	events          = ( "(" event *(SP event) ")" ) / "NONE"
//	event           = message-event / mailbox-event / user-event / event-ext
//	message-event   = ( "MessageNew" [SP "(" fetch-att *(SP fetch-att) ")" ] )
//	                  / "MessageExpunge" / "FlagChange" / "AnnotationChange"
//	event-ext       = atom
//
// The rules the ABNF states in comments (only message events with the
// SELECTED filters, FETCH attributes only with them, MessageNew and
// MessageExpunge together, one SELECTED filter per command) are the
// server's to enforce: it answers BAD with BADEVENT (§3.1), which needs
// the command decoded.

// notifyFilters are the filter-mailboxes keywords.
var notifyFilters = [...]imap.NotifyFilter{
	imap.NotifySelected, imap.NotifySelectedDelayed, imap.NotifyInboxes,
	imap.NotifyPersonal, imap.NotifySubscribed, imap.NotifySubtree,
	imap.NotifyMailboxes,
}

// notifyEvents are the event names of RFC 5465, spelled as the RFC does.
var notifyEvents = [...]imap.NotifyEventName{
	imap.EventMessageNew, imap.EventMessageExpunge, imap.EventFlagChange,
	imap.EventAnnotationChange, imap.EventMailboxName,
	imap.EventSubscriptionChange, imap.EventMailboxMetadataChange,
	imap.EventServerMetadataChange,
}

// cmdNotify decodes the arguments of NOTIFY.
func (d *Decoder) cmdNotify() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	start := d.pos
	kw, err := d.atom()
	switch {
	case err != nil:
	case equalFold(kw, "NONE"):
		return &imap.NotifyCommand{None: true}, nil
	case equalFold(kw, "SET"):
		n := &imap.NotifyCommand{}
		if err := d.sp(); err != nil {
			return nil, err
		}
		n.Status = d.acceptWord("STATUS") // and the SP after it
		for {
			if len(n.Groups) >= d.opt.MaxListLength {
				return nil, d.syntaxErr("", ErrListTooLong)
			}
			g, err := d.notifyEventGroup()
			if err != nil {
				return nil, err
			}
			n.Groups = append(n.Groups, g)
			if !d.spMore() {
				return n, nil
			}
		}
	}
	d.pos = start
	return nil, d.errExpected("SET or NONE")
}

// notifyEventGroup reads one event-group.
func (d *Decoder) notifyEventGroup() (imap.NotifyEventGroup, error) {
	var g imap.NotifyEventGroup
	if err := d.expect('('); err != nil {
		return g, err
	}
	if err := d.push(); err != nil {
		return g, err
	}
	defer d.pop()
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	start := d.pos
	kw := d.span(&atomChar)
	for _, f := range notifyFilters {
		if equalFold(kw, string(f)) {
			g.Filter = f
			break
		}
	}
	if g.Filter == "" {
		d.pos = start
		return g, d.errExpected("mailbox filter")
	}
	if err := d.sp(); err != nil {
		return g, err
	}
	if g.Filter.TakesMailboxes() {
		if err := d.notifyMailboxes(&g); err != nil {
			return g, err
		}
		if err := d.sp(); err != nil {
			return g, err
		}
	}
	if err := d.notifyEvents(&g); err != nil {
		return g, err
	}
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	return g, d.expect(')')
}

// notifyMailboxes reads one-or-more-mailbox.
func (d *Decoder) notifyMailboxes(g *imap.NotifyEventGroup) error {
	if d.peek() != '(' {
		m, err := d.mailbox()
		g.Mailboxes = []string{m}
		return err
	}
	g.Mailboxes = make([]string, 0, 2)
	err := d.list(false, func() error {
		m, err := d.mailbox()
		g.Mailboxes = append(g.Mailboxes, m)
		return err
	})
	if err == nil && len(g.Mailboxes) == 0 {
		// "()" even in lenient mode: the filter needs a mailbox.
		d.pos--
		err = d.errExpected("mailbox")
	}
	return err
}

// notifyEvents reads events into g.Events, which stays nil for NONE.
// Lenient mode also accepts "()" for NONE, and events without the
// parentheses, up to the end of the group, as the examples of RFC 5465
// §3.1 write them: "(selected MessageNew (uid) MessageExpunge)",
// "(subtree Lists MessageNew)".
func (d *Decoder) notifyEvents(g *imap.NotifyEventGroup) error {
	if d.peek() != '(' {
		start := d.pos
		kw := d.span(&atomChar)
		if equalFold(kw, "NONE") {
			return nil
		}
		d.pos = start
		if d.strict() || len(kw) == 0 {
			return d.errExpected(`"(" or NONE`)
		}
		var events []imap.NotifyEvent
		for {
			if len(events) >= d.opt.MaxListLength {
				return d.syntaxErr("", ErrListTooLong)
			}
			ev, err := d.notifyEvent()
			if err != nil {
				return err
			}
			events = append(events, ev)
			if !d.spMore() {
				g.Events = events
				return nil
			}
		}
	}
	var events []imap.NotifyEvent
	err := d.list(false, func() error {
		ev, err := d.notifyEvent()
		events = append(events, ev)
		return err
	})
	g.Events = events
	return err
}

// notifyEventsUpper are notifyEvents in upper case, for equalFold.
var notifyEventsUpper = func() (u [len(notifyEvents)]string) {
	for i, e := range notifyEvents {
		u[i] = strings.ToUpper(string(e))
	}
	return u
}()

// notifyEvent reads one event, with the FETCH attributes of MessageNew.
// Both modes take an event name to be an atom of the strict grammar, so
// that it can be sent back.
func (d *Decoder) notifyEvent() (imap.NotifyEvent, error) {
	var ev imap.NotifyEvent
	b := d.span(&atomChar)
	if len(b) == 0 {
		return ev, d.errExpected("event")
	}
	ev.Name = imap.NotifyEventName(str(b))
	for i, u := range notifyEventsUpper {
		if equalFold(b, u) {
			ev.Name = notifyEvents[i]
			break
		}
	}
	if ev.Name != imap.EventMessageNew || !d.spThen('(') {
		return ev, nil
	}
	attrs := make([]imap.FetchAttr, 0, 4)
	err := d.list(false, func() error {
		a, err := d.fetchAtt()
		attrs = append(attrs, a)
		return err
	})
	if len(attrs) > 0 {
		ev.Fetch = attrs
	}
	return ev, err
}
