package imapclient

import (
	"context"
	"errors"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// Quirk names a known deviation of a real server from the protocol that
// the client works around. Quirks combine as a bit set.
//
// A quirk is in effect when Options.Quirks names it, or when the client
// detects the server it belongs to (from the greeting, the capabilities,
// or a telltale response), unless Options.NoQuirkDetection is set.
// Client.Quirks reports those in effect.
//
// Other known deviations need no switch, because the lenient decoder of
// package imap/wire accepts them whatever the server: Gmail's flag atoms
// holding "]" (Geary issue 746), Exchange's unquoted mailbox names
// holding TAB (MailKit issue 945), Office 365's body parts with NIL type
// and subtype (MailKit issues 1415, 1446), Gmail's message/rfc822 parts
// without envelope (MailKit issues 32, 59), missing text line counts and
// body dispositions given as a bare string. Three that MailKit reports
// are still rejected by the decoder (the FETCH response is then skipped
// and reported to Options.ErrorHandler): Gmail's multipart without
// children, ("ALTERNATIVE" ("BOUNDARY" "x") NIL NIL) (MailKit issues 205,
// 777), NIL for the children of a multipart (MailKit issue 1393), and
// Exchange's empty body "()" (MailKit issue 944).
type Quirk uint32

const (
	// QuirkIDBeforeSelect: NetEase's Coremail servers (163.com, 126.com,
	// yeah.net, 188.com) answer SELECT and EXAMINE with "NO SELECT Unsafe
	// Login. Please contact kefu@188.com for help" until the client has
	// identified itself with ID (RFC 2971): reported to himalaya (issues
	// 549, 651), OfflineIMAP (offlineimap3 issues 68, 71), node-imap
	// (issue 908) and others. With it, Select sends ID (Options.ClientID)
	// once before the first SELECT or EXAMINE. Detected from a greeting
	// naming Coremail ("* OK Coremail System IMap Server Ready(163com[...])"),
	// from the capability X-CM-EXT-1 these servers announce, and from the
	// "Unsafe Login" refusal itself: Select then sends ID and tries again
	// once.
	QuirkIDBeforeSelect Quirk = 1 << iota

	// QuirkPipelineLimit: Outlook.com's IMAP servers (Exchange Online)
	// stop parsing commands and answer BAD when many commands are
	// pipelined (some 50 STATUS commands on large mailboxes: GNOME bug
	// 766552, which Geary works around with batches of 25). With it, at
	// most 25 commands are in flight at once; more wait for a slot.
	// Detected from the greeting "The Microsoft Exchange IMAP4 service is
	// ready." of Exchange 2010 and later, Office 365 and Outlook.com.
	QuirkPipelineLimit

	// QuirkEnvelopePlaceholders: Dovecot 2.3.4.1 and earlier fill the
	// missing local part or domain of an address in ENVELOPE with
	// "MISSING_MAILBOX" and "MISSING_DOMAIN" (Geary's quirks for
	// Dovecot; dovecot mailing list, August 2020). With it, these
	// placeholders become empty strings in the envelopes of FETCH
	// responses (message/rfc822 body parts included). Detected from a
	// greeting beginning with "Dovecot" (its default is "Dovecot
	// ready.").
	QuirkEnvelopePlaceholders
)

var quirkNames = [...]string{"IDBeforeSelect", "PipelineLimit", "EnvelopePlaceholders"}

// String returns the quirks' names joined by "|", or "none".
func (q Quirk) String() string {
	if q == 0 {
		return "none"
	}
	var names []string
	for i, n := range quirkNames {
		if q&(1<<i) != 0 {
			names = append(names, n)
			q &^= 1 << i
		}
	}
	if q != 0 {
		names = append(names, "unknown")
	}
	return strings.Join(names, "|")
}

// DefaultClientID is what ID sends for QuirkIDBeforeSelect when
// Options.ClientID is nil: the software's name, nothing about the user
// (RFC 2971 §3.3).
var DefaultClientID = []imap.IDParam{{Key: "name", Value: imap.Str("mailaccess")}}

// Quirks returns the quirks in effect (see Quirk).
func (c *Client) Quirks() Quirk {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.quirks
}

// detect puts q into effect unless detection is off.
func (c *Client) detectLocked(q Quirk) {
	if !c.opts.NoQuirkDetection {
		c.quirks |= q
	}
}

// detectGreeting detects quirks from the greeting's text.
func (c *Client) detectGreeting(g *wire.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch t := g.Text; {
	case strings.Contains(t, "Coremail"):
		c.detectLocked(QuirkIDBeforeSelect)
	case strings.HasPrefix(t, "The Microsoft Exchange IMAP4 service is ready"):
		c.detectLocked(QuirkPipelineLimit)
	case strings.HasPrefix(t, "Dovecot"):
		c.detectLocked(QuirkEnvelopePlaceholders)
	}
}

// setCaps records the server's capabilities and detects quirks from them.
func (c *Client) setCaps(caps imap.CapSet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.caps = caps
	for _, cp := range caps {
		if strings.EqualFold(string(cp), "X-CM-EXT-1") {
			c.detectLocked(QuirkIDBeforeSelect)
		}
	}
}

// ID exchanges identification with the server (ID, RFC 2971): it sends
// params (nil sends ID NIL) and returns what the server said of itself
// (nil for NIL).
func (c *Client) ID(ctx context.Context, params []imap.IDParam) ([]imap.IDParam, error) {
	var server []imap.IDParam
	_, err := c.execute(ctx, "ID", &imap.IDCommand{Params: params}, false, func(r *wire.Response) bool {
		if r.Kind == wire.KindID {
			server = r.ID
			return true
		}
		return false
	})
	var se *StatusError
	if err == nil || errors.As(err, &se) {
		c.mu.Lock()
		c.idSent = true
		c.mu.Unlock()
	}
	return server, err
}

// sendClientID sends ID with Options.ClientID once, for
// QuirkIDBeforeSelect. A refusal is not an error: the SELECT that
// follows tells.
func (c *Client) sendClientID(ctx context.Context) error {
	c.mu.Lock()
	sent := c.idSent
	c.mu.Unlock()
	if sent {
		return nil
	}
	params := c.opts.ClientID
	if params == nil {
		params = DefaultClientID
	}
	_, err := c.ID(ctx, params)
	var se *StatusError
	if errors.As(err, &se) {
		return nil
	}
	return err
}

// isUnsafeLogin reports whether err is Coremail's refusal of SELECT or
// EXAMINE for want of ID.
func isUnsafeLogin(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == wire.StatusNO &&
		strings.Contains(strings.ToLower(se.Text), "unsafe login")
}

// fixEnvelopes applies QuirkEnvelopePlaceholders to a FETCH response.
func fixEnvelopes(fd *imap.FetchData) {
	for i := range fd.Items {
		it := &fd.Items[i]
		fixEnvelope(it.Envelope)
		fixBodyEnvelopes(it.Body)
	}
}

func fixBodyEnvelopes(b *imap.BodyStructure) {
	if b == nil {
		return
	}
	fixEnvelope(b.Envelope)
	fixBodyEnvelopes(b.Body)
	for i := range b.Parts {
		fixBodyEnvelopes(&b.Parts[i])
	}
}

func fixEnvelope(e *imap.Envelope) {
	if e == nil {
		return
	}
	for _, list := range [][]imap.Address{e.From, e.Sender, e.ReplyTo, e.To, e.Cc, e.Bcc} {
		for i := range list {
			a := &list[i]
			if a.Host.Valid && a.Mailbox.S == "MISSING_MAILBOX" {
				a.Mailbox = imap.Str("")
			}
			if a.Host.S == "MISSING_DOMAIN" {
				a.Host = imap.Str("")
			}
		}
	}
}
