package imapserver

import (
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file holds LIST and LSUB: the basic LIST of RFC 3501 §6.3.8 and
// RFC 9051 §6.3.9, LSUB (RFC 3501 §6.3.9), LIST-EXTENDED (RFC 5258:
// selection and return options, several patterns, \NonExistent,
// CHILDINFO), CHILDREN (RFC 3348), SPECIAL-USE (RFC 6154) and
// LIST-STATUS (RFC 5819).
//
// The store lists every name it knows (mailstore.Store.Mailboxes); the
// server builds the hierarchy from it, adding the levels the store leaves
// out ("a" for a listed "a/b"), matches the patterns and computes the
// attributes it owns: \HasChildren/\HasNoChildren, \Subscribed and
// \NonExistent.

// listQuery is a LIST or LSUB command, interpreted.
type listQuery struct {
	lsub bool
	// extended: the command used the extended syntax (RFC 5258 §3):
	// selection options, return options or several patterns.
	extended bool

	selSubscribed bool // selection option SUBSCRIBED
	selSpecialUse bool // selection option SPECIAL-USE (RFC 6154 §2)
	recursive     bool // selection option RECURSIVEMATCH

	retSubscribed bool // return option SUBSCRIBED (implied by the selection option)
	status        []imap.StatusItem

	patterns [][]rune // canonical LIST patterns: reference + pattern
	delim    rune
}

// cmdList is LIST and LSUB.
func (c *conn) cmdList(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.ListCommand)
	if args == nil {
		return bad(cmd.Name + " needs a reference and a mailbox pattern")
	}
	q := &listQuery{lsub: args.Lsub || cmd.Name == "LSUB", delim: c.store.Delimiter()}
	if !q.lsub {
		q.extended = args.SelectOpts != nil || args.ReturnOpts != nil || len(args.ReturnStatus) > 0 || len(args.Patterns) > 1
		if st := q.options(args); st != nil {
			return st
		}
	}
	if !q.extended && !q.lsub && len(args.Patterns) == 1 && args.Patterns[0] == "" {
		c.listDelimiter(args.Reference)
		return nil
	}
	for _, p := range args.Patterns {
		if p == "" {
			// An empty pattern matches nothing; with the extended
			// syntax it has no special meaning (RFC 5258 §3).
			continue
		}
		q.patterns = append(q.patterns, listCompile(listCanonical(args.Reference+p, q.delim)))
	}
	if len(q.patterns) == 0 {
		return nil
	}
	infos, err := c.store.Mailboxes(c.ctx)
	if err != nil {
		return c.storeError(err)
	}
	c.mbxStatusCondStore(q.status)
	for _, n := range q.run(infos) {
		c.listWrite(q, n)
	}
	return nil
}

// options reads the selection and return options of an extended LIST
// (RFC 5258 §3.1, §3.2; RFC 6154 §2; RFC 5819). Unknown options are BAD
// (RFC 5258 §3), as is RECURSIVEMATCH without a selection option it could
// refine.
func (q *listQuery) options(args *imap.ListCommand) *status {
	remoteOnly := true
	for _, o := range args.SelectOpts {
		switch strings.ToUpper(o) {
		case "SUBSCRIBED":
			q.selSubscribed, q.retSubscribed = true, true
			remoteOnly = false
		case "SPECIAL-USE":
			q.selSpecialUse = true
			remoteOnly = false
		case "RECURSIVEMATCH":
			q.recursive = true
		case "REMOTE":
			// No mailbox is remote (RFC 2193): nothing to add.
		default:
			return bad("Unknown LIST selection option " + o)
		}
	}
	if q.recursive && remoteOnly {
		return bad("RECURSIVEMATCH needs another selection option")
	}
	for _, o := range args.ReturnOpts {
		switch strings.ToUpper(o) {
		case "SUBSCRIBED":
			q.retSubscribed = true
		case "CHILDREN", "SPECIAL-USE":
			// Children and special-use attributes are always returned
			// (RFC 5258 §4 and RFC 6154 §2 allow it).
		default:
			return bad("Unknown LIST return option " + o)
		}
	}
	if len(args.ReturnStatus) > 0 {
		items, st := mbxStatusItems(args.ReturnStatus)
		if st != nil {
			return st
		}
		q.status = items
	}
	return nil
}

// listDelimiter answers the basic LIST with an empty pattern: the
// hierarchy delimiter and the root of the reference (RFC 3501 §6.3.8,
// RFC 9051 §6.3.9), which is its first level with the delimiter, or ""
// when the reference is empty or has a single level.
func (c *conn) listDelimiter(ref string) {
	delim := c.store.Delimiter()
	root := ""
	if delim != 0 {
		if i := strings.IndexRune(ref, delim); i >= 0 {
			root = ref[:i+utf8.RuneLen(delim)]
		}
	}
	c.writeResp(&wire.Response{Kind: wire.KindList, List: &imap.ListData{
		Attrs: []imap.MailboxAttr{imap.AttrNoselect}, Delim: delim, Mailbox: root,
	}})
}

// listNode is one name of the hierarchy.
type listNode struct {
	name       string
	attrs      []imap.MailboxAttr // the store's, without those the server computes
	exists     bool               // a mailbox or a \Noselect level the store lists
	subscribed bool
	special    bool // has a special-use attribute
	children   bool // an existing name is below it

	matched bool // matches a pattern
	meets   bool // meets the selection criteria
	// descMeets: a name below meets the criteria; descUnmatched: one of
	// those does not match any pattern.
	descMeets, descUnmatched bool
}

// run selects the names to return, in hierarchical order with INBOX
// first.
func (q *listQuery) run(infos []mailstore.MailboxInfo) []*listNode {
	nodes := make(map[string]*listNode, len(infos))
	for i := range infos {
		q.add(nodes, &infos[i])
	}
	// The levels the store leaves out exist only as parts of longer
	// names (RFC 3501 §6.3.8: "matching levels of hierarchy").
	listed := make([]string, 0, len(nodes))
	for name := range nodes {
		listed = append(listed, name)
	}
	for _, name := range listed {
		for _, p := range listParents(name, q.delim) {
			if nodes[p] == nil {
				nodes[p] = &listNode{name: p}
			}
		}
	}
	for _, n := range nodes {
		n.matched = q.match(n.name)
		n.meets = q.meets(n)
	}
	for _, n := range nodes {
		if !n.exists && !n.meets {
			continue
		}
		for _, p := range listParents(n.name, q.delim) {
			a := nodes[p]
			if n.exists {
				a.children = true
			}
			if n.meets {
				a.descMeets = true
				if !n.matched {
					a.descUnmatched = true
				}
			}
		}
	}
	var out []*listNode
	for _, n := range nodes {
		if n.matched && q.returned(n) {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *listNode) int { return listCompare(a.name, b.name, q.delim) })
	return out
}

// add records one name of the store's list.
func (q *listQuery) add(nodes map[string]*listNode, mi *mailstore.MailboxInfo) {
	name := listCanonical(mi.Name, q.delim)
	if name == "" {
		return
	}
	n := nodes[name]
	if n == nil {
		n = &listNode{name: name}
		nodes[name] = n
	}
	exists := true
	for _, a := range mi.Attrs {
		a = a.Canonical()
		switch a {
		case imap.AttrNonExistent:
			exists = false
			continue
		case imap.AttrSubscribed, imap.AttrHasChildren, imap.AttrHasNoChildren, imap.AttrRemote:
			continue // computed here
		}
		if mbxIsSpecialUse(a) {
			n.special = true
		}
		if !slices.Contains(n.attrs, a) {
			n.attrs = append(n.attrs, a)
		}
	}
	n.exists = n.exists || exists
	n.subscribed = n.subscribed || mi.Subscribed
}

// meets reports whether a name meets the selection criteria: for LSUB
// and LIST (SUBSCRIBED) being subscribed, for LIST (SPECIAL-USE) being a
// mailbox with a special use (RFC 6154 §2), and otherwise existing.
func (q *listQuery) meets(n *listNode) bool {
	if q.lsub {
		return n.subscribed
	}
	if q.selSubscribed && !n.subscribed {
		return false
	}
	if q.selSpecialUse && !(n.exists && n.special) {
		return false
	}
	return q.selSubscribed || q.selSpecialUse || n.exists
}

// returned reports whether a name that matches a pattern is returned:
// when it meets the selection criteria, or (RFC 5258 §3.3 rule 2B) when a
// name below it meets them without matching any pattern, which is
// reported as a level of hierarchy: for LSUB with \Noselect (RFC 3501
// §6.3.9), for LIST without selection criteria as a \NonExistent
// (\Noselect) level with \HasChildren (RFC 3501 §6.3.8, RFC 5258 §5
// example 11), and with RECURSIVEMATCH by CHILDINFO (RFC 5258 §3.5).
// Without RECURSIVEMATCH, LIST (SUBSCRIBED) and LIST (SPECIAL-USE) return
// only the names that meet the criteria (RFC 5258 §5 example 8).
// A name whose matching descendants are all returned themselves is not
// returned for them (RFC 5258 §3.5: redundant CHILDINFO SHOULD be
// suppressed).
func (q *listQuery) returned(n *listNode) bool {
	if n.meets {
		return true
	}
	if !n.descUnmatched {
		return false
	}
	return q.lsub || q.recursive || (!q.selSubscribed && !q.selSpecialUse)
}

// listWrite sends the LIST (or LSUB) response for a name, and with the
// STATUS return option its STATUS response (RFC 5819), for a selectable
// name that meets the selection criteria. A name whose STATUS fails
// because it cannot be selected is listed \Noselect without STATUS; on
// other failures only the STATUS response is left out (RFC 9051
// §6.3.9.2).
func (c *conn) listWrite(q *listQuery, n *listNode) {
	ld := &imap.ListData{Mailbox: n.name, Delim: q.delim, Attrs: q.attrs(n, c.rev2())}
	if q.recursive && n.descMeets {
		if q.selSubscribed {
			ld.ChildInfo = append(ld.ChildInfo, "SUBSCRIBED")
		}
		if q.selSpecialUse {
			ld.ChildInfo = append(ld.ChildInfo, "SPECIAL-USE")
		}
	}
	var sd *imap.StatusData
	if len(q.status) > 0 && n.meets && n.exists && !slices.Contains(n.attrs, imap.AttrNoselect) {
		ms, err := c.store.Status(c.ctx, n.name)
		switch {
		case err == nil:
			sd = c.mbxStatusData(n.name, q.status, ms)
		case errors.Is(err, mailstore.ErrNotAllowed), errors.Is(err, mailstore.ErrNoSuchMailbox):
			ld.Attrs = append(ld.Attrs, imap.AttrNoselect)
		default:
			c.log.Warn("LIST-STATUS failed", "mailbox", n.name, "err", err)
		}
	}
	kind := wire.KindList
	if q.lsub {
		kind = wire.KindLsub
	}
	c.writeResp(&wire.Response{Kind: kind, List: ld})
	if sd != nil {
		c.writeResp(&wire.Response{Kind: wire.KindStatusData, StatusData: sd})
	}
}

// attrs returns a name's attributes: the store's; \NonExistent for a
// name that is not a mailbox, spelled \Noselect for LSUB and the basic
// LIST of IMAP4rev1, where \NonExistent (RFC 5258 §3) is not defined;
// \Subscribed when asked for (RFC 5258 §3.2); and, for LIST,
// \HasChildren or \HasNoChildren always (CHILDREN, RFC 3348; RFC 5258 §4
// allows them without the return option), unless \Noinferiors already
// implies \HasNoChildren.
func (q *listQuery) attrs(n *listNode, rev2 bool) []imap.MailboxAttr {
	attrs := slices.Clip(n.attrs)
	if q.lsub {
		if (!n.exists || !n.meets) && !slices.Contains(attrs, imap.AttrNoselect) {
			// A level returned because a name below it is subscribed
			// is \Noselect whatever it is (RFC 3501 §6.3.9).
			attrs = append(attrs, imap.AttrNoselect)
		}
		return attrs
	}
	if !n.exists {
		if q.extended || rev2 {
			attrs = append(attrs, imap.AttrNonExistent)
		} else if !slices.Contains(attrs, imap.AttrNoselect) {
			attrs = append(attrs, imap.AttrNoselect)
		}
	}
	if q.retSubscribed && n.subscribed {
		attrs = append(attrs, imap.AttrSubscribed)
	}
	if !slices.Contains(attrs, imap.AttrNoinferiors) {
		if n.children {
			attrs = append(attrs, imap.AttrHasChildren)
		} else {
			attrs = append(attrs, imap.AttrHasNoChildren)
		}
	}
	return attrs
}

// match reports whether a name matches one of the canonical patterns.
func (q *listQuery) match(name string) bool {
	rn := []rune(name)
	fold := 0
	if listIsInbox(name, q.delim) {
		fold = len("INBOX")
	}
	for _, p := range q.patterns {
		if listMatch(p, rn, q.delim, fold) {
			return true
		}
	}
	return false
}

// listCanonical spells INBOX, also as the first level of a longer name,
// in upper case: every case variant of INBOX is INBOX (RFC 3501 §5.1), and
// so are the names below it, as the stores spell them.
func listCanonical(name string, delim rune) string {
	if len(name) < len("INBOX") || !imap.IsInbox(name[:len("INBOX")]) {
		return name
	}
	rest := name[len("INBOX"):]
	if rest == "" {
		return "INBOX"
	}
	if r, _ := utf8.DecodeRuneInString(rest); delim != 0 && r == delim {
		return "INBOX" + rest
	}
	return name
}

// listIsInbox reports whether a canonical name is INBOX or below it.
func listIsInbox(name string, delim rune) bool {
	return name == "INBOX" || (delim != 0 && strings.HasPrefix(name, "INBOX"+string(delim)))
}

// listParents returns the superior names of name, outermost first ("a",
// "a/b" for "a/b/c"), skipping empty ones.
func listParents(name string, delim rune) []string {
	if delim == 0 {
		return nil
	}
	var ps []string
	for i, r := range name {
		if r == delim && i > 0 && !strings.HasSuffix(name[:i], string(delim)) {
			ps = append(ps, name[:i])
		}
	}
	return ps
}

// listCompare orders names level by level, so that a name's inferiors
// follow it, with INBOX and its inferiors first.
func listCompare(a, b string, delim rune) int {
	ai, bi := listIsInbox(a, delim), listIsInbox(b, delim)
	switch {
	case ai && !bi:
		return -1
	case bi && !ai:
		return 1
	}
	if delim == 0 {
		return strings.Compare(a, b)
	}
	d := string(delim)
	for {
		al, arest, amore := strings.Cut(a, d)
		bl, brest, bmore := strings.Cut(b, d)
		if c := strings.Compare(al, bl); c != 0 {
			return c
		}
		switch {
		case !amore && !bmore:
			return 0
		case !amore:
			return -1
		case !bmore:
			return 1
		}
		a, b = arest, brest
	}
}

// listCompile prepares a canonical pattern for listMatch: runs of
// wildcards shrink to one ("*" if the run holds a "*", else "%"), which
// matches the same names.
func listCompile(p string) []rune {
	out := make([]rune, 0, len(p))
	for _, r := range p {
		if (r == '*' || r == '%') && len(out) > 0 {
			if last := out[len(out)-1]; last == '*' || last == '%' {
				if r == '*' {
					out[len(out)-1] = '*'
				}
				continue
			}
		}
		out = append(out, r)
	}
	return out
}

// listMatch reports whether name matches the pattern pat (RFC 3501
// §6.3.8): "*" matches zero or more characters, "%" likewise but not the
// hierarchy delimiter, any other character itself. The first fold
// characters of name match without regard to ASCII case (INBOX). It
// runs in time proportional to len(pat)·len(name), whatever the pattern.
func listMatch(pat, name []rune, delim rune, fold int) bool {
	literals := 0
	for _, r := range pat {
		if r != '*' && r != '%' {
			literals++
		}
	}
	if literals > len(name) {
		return false
	}
	// cur[j]: pat[:j] matches the part of name read so far.
	cur := make([]bool, len(pat)+1)
	next := make([]bool, len(pat)+1)
	closure := func(s []bool) bool {
		alive := false
		for j := range pat {
			if s[j] && (pat[j] == '*' || pat[j] == '%') {
				s[j+1] = true
			}
			alive = alive || s[j]
		}
		return alive || s[len(pat)]
	}
	cur[0] = true
	closure(cur)
	for i, r := range name {
		clear(next)
		for j, p := range pat {
			if !cur[j] {
				continue
			}
			switch {
			case p == '*':
				next[j] = true
			case p == '%':
				if delim == 0 || r != delim {
					next[j] = true
				}
			case p == r || (i < fold && listLower(p) == listLower(r)):
				next[j+1] = true
			}
		}
		if !closure(next) {
			return false
		}
		cur, next = next, cur
	}
	return cur[len(pat)]
}

func listLower(r rune) rune {
	if r >= 'A' && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}
