package imapserver

import (
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file holds the commands of METADATA and METADATA-SERVER (RFC
// 5464): GETMETADATA and SETMETADATA, over a store that implements
// mailstore.MetadataStore. The mailbox "" names the server's entries
// (§3.1, §4.1); any other the mailbox's.
//
// Unsolicited METADATA responses (§4.4.2), which tell a client of changes
// made by others, are not sent: a server may only send them to a client
// that asked with ENABLE METADATA (§4.1), and this one does not offer
// that, so ENABLE METADATA enables nothing.

// metadataStore returns the session's store as a MetadataStore, or the
// answer to a metadata command when it is not one: BAD, as for a command
// the server does not know (RFC 5464 §4.2, §4.3: "BAD - command unknown
// or arguments invalid"), since METADATA is not advertised then.
func (c *conn) metadataStore(cmd *wire.Command) (mailstore.MetadataStore, *status) {
	ms, ok := c.store.(mailstore.MetadataStore)
	if !ok {
		return nil, bad("Unknown command " + cmd.Name + ": METADATA is not supported")
	}
	return ms, nil
}

// metadataMailbox checks the mailbox of a metadata command: "" is the
// server, anything else a mailbox name.
func metadataMailbox(name string) *status {
	if name == "" {
		return nil
	}
	return mbxCheckName(name)
}

// metadataDepth is the depth of GETMETADATA's DEPTH option (RFC 5464
// §4.2.2) for mailstore.MetadataUnder: none and "0" are 0.
func metadataDepth(depth string) (int, bool) {
	switch depth {
	case "", "0":
		return 0, true
	case "1":
		return 1, true
	case "infinity":
		return mailstore.MetadataDepthInfinity, true
	}
	return 0, false
}

// metadataGroup is one entry a GETMETADATA asked for: the name as the
// client spelled it, its canonical form, and the canonical names DEPTH
// adds below it.
type metadataGroup struct {
	asked, name string
	below       []string
}

// cmdGetMetadata is GETMETADATA (RFC 5464 §4.2): one METADATA response
// with the values of the entries asked for, in the order asked, each
// followed, with DEPTH 1 or infinity (§4.2.2), by the entries below it
// that exist, in name order. An entry asked for that does not exist, with
// nothing below it either, is listed with NIL, as the value syntax allows
// (§5: value = nstring), so that the required METADATA response answers
// every entry. With MAXSIZE (§4.2.1) values longer than it are left out,
// and the tagged OK says [METADATA LONGENTRIES n] with the longest one's
// size. An invalid entry name is BAD (§3.2).
//
// The codec gives MaxSize 0 both for no MAXSIZE and for MAXSIZE 0, which
// asks for empty values only; 0 is taken as no MAXSIZE.
func (c *conn) cmdGetMetadata(cmd *wire.Command) *status {
	ms, st := c.metadataStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.GetMetadataCommand)
	if args == nil || len(args.Entries) == 0 {
		return bad("GETMETADATA needs a mailbox and entries")
	}
	if st := metadataMailbox(args.Mailbox); st != nil {
		return st
	}
	depth, ok := metadataDepth(args.Depth)
	if !ok {
		return bad(`DEPTH must be 0, 1 or infinity`)
	}
	var groups []metadataGroup
	seen := make(map[string]bool, len(args.Entries))
	for _, e := range args.Entries {
		name, err := mailstore.CanonicalMetadataName(e)
		if err != nil {
			return bad("Invalid metadata entry name")
		}
		if !seen[name] {
			seen[name] = true
			groups = append(groups, metadataGroup{asked: e, name: name})
		}
	}
	want := make([]string, 0, len(groups))
	for _, g := range groups {
		want = append(want, g.name)
	}
	if depth != 0 {
		all, err := ms.MetadataNames(c.ctx, args.Mailbox)
		if err != nil {
			return c.storeError(err)
		}
		slices.Sort(all)
		for i := range groups {
			for _, n := range all {
				if !seen[n] && mailstore.MetadataUnder(n, groups[i].name, depth) {
					seen[n] = true
					groups[i].below = append(groups[i].below, n)
					want = append(want, n)
				}
			}
		}
	}
	found, err := ms.Metadata(c.ctx, args.Mailbox, want)
	if err != nil {
		return c.storeError(err)
	}
	values := make(map[string]imap.NString, len(found))
	for _, e := range found {
		values[e.Name] = e.Value
	}
	var entries []imap.MetadataEntry
	var longest int64 = -1
	add := func(asked, name string) bool {
		v, ok := values[name]
		if !ok || v.IsNil() {
			return false
		}
		if args.MaxSize > 0 && len(v.S) > int(args.MaxSize) {
			longest = max(longest, int64(len(v.S)))
			return true
		}
		entries = append(entries, imap.MetadataEntry{Name: asked, Value: v})
		return true
	}
	for _, g := range groups {
		exists := add(g.asked, g.name)
		for _, n := range g.below {
			exists = add(n, n) || exists
		}
		if !exists {
			entries = append(entries, imap.MetadataEntry{Name: g.asked, Value: imap.Nil})
		}
	}
	if len(entries) > 0 {
		c.writeResp(&wire.Response{Kind: wire.KindMetadata, Metadata: &imap.MetadataData{Mailbox: args.Mailbox, Entries: entries}})
	}
	if longest >= 0 {
		return okCode(metadataCode("LONGENTRIES "+itoa(longest)), "GETMETADATA completed")
	}
	return nil
}

// cmdSetMetadata is SETMETADATA (RFC 5464 §4.3): the entries are set, and
// those given NIL removed, all or none. An invalid entry name, or a scope
// ("/private", "/shared"), which has no value of its own, is BAD (§3.2);
// the store's limits are NO [METADATA MAXSIZE n], [METADATA TOOMANY] and
// [METADATA NOPRIVATE] (storeError). No METADATA response follows (§4.3:
// "The server SHOULD NOT return a METADATA response containing the
// updated annotation data").
func (c *conn) cmdSetMetadata(cmd *wire.Command) *status {
	ms, st := c.metadataStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.SetMetadataCommand)
	if args == nil || len(args.Entries) == 0 {
		return bad("SETMETADATA needs a mailbox and entries")
	}
	if st := metadataMailbox(args.Mailbox); st != nil {
		return st
	}
	for _, e := range args.Entries {
		name, err := mailstore.CanonicalMetadataName(e.Name)
		if err != nil || mailstore.IsMetadataScope(name) {
			return bad("Invalid metadata entry name")
		}
	}
	if err := ms.SetMetadata(c.ctx, args.Mailbox, args.Entries); err != nil {
		return c.storeError(err)
	}
	return nil
}
