package imapserver

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file holds the commands of ACL (RFC 4314 §3): SETACL, DELETEACL,
// GETACL, LISTRIGHTS and MYRIGHTS, over a store that implements
// mailstore.ACLStore. The store keeps rights as mailstore.CanonicalRights
// writes them; the responses add the obsolete virtual rights "c" and "d"
// of RFC 2086 (§2.1.1) for older clients.

// aclStore returns the session's store as an ACLStore, or the answer to
// an ACL command when it is not one: BAD, as for a command the server does
// not know (RFC 4314 §3: "BAD - command unknown or arguments invalid"),
// since ACL is not advertised then.
func (c *conn) aclStore(cmd *wire.Command) (mailstore.ACLStore, *status) {
	as, ok := c.store.(mailstore.ACLStore)
	if !ok {
		return nil, bad("Unknown command " + cmd.Name + ": ACL is not supported")
	}
	return as, nil
}

// aclCheck checks the mailbox name and identifier of an ACL command. RFC
// 4314 §3 asks servers to prepare identifiers with SASLprep and to answer
// BAD when that fails or leaves an empty string; this server does not
// map identifiers, but refuses with BAD the ones SASLprep would: empty,
// not UTF-8, or holding control characters (RFC 4013 §2.3 prohibits
// them).
func aclCheck(mailbox, identifier string) *status {
	if st := mbxCheckName(mailbox); st != nil {
		return st
	}
	if identifier == "" || !utf8.ValidString(identifier) || mailstore.HasControl(identifier) {
		return bad("Invalid identifier")
	}
	return nil
}

// aclRightsError is the BAD that refuses rights CanonicalRights does not
// know: "an unrecognized right MUST cause the command to return the BAD
// response" (RFC 4314 §3.1), whose examples name the right.
func aclRightsError(rights string) *status {
	for _, r := range rights {
		switch {
		case r >= 'A' && r <= 'Z':
			return bad("Uppercase rights are not allowed")
		case r > ' ' && r < 0x7f && r != 'c' && r != 'd' && !strings.ContainsRune(mailstore.AllRights, r):
			return bad(fmt.Sprintf("The %c right is not supported", r))
		}
	}
	return bad("Invalid rights")
}

// cmdSetACL is SETACL (RFC 4314 §3.1): the third argument replaces the
// identifier's rights, or adds them with a "+" prefix, or removes them
// with "-" (mailstore.ParseRightsModification). The obsolete "c" and "d"
// stand for "kx" and "et" (§2.1.1). Rights the server does not know are
// BAD, before the store sees them.
func (c *conn) cmdSetACL(cmd *wire.Command) *status {
	as, st := c.aclStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.SetACLCommand)
	if args == nil {
		return bad("SETACL needs a mailbox, an identifier and rights")
	}
	if st := aclCheck(args.Mailbox, args.Identifier); st != nil {
		return st
	}
	op, rights := mailstore.ParseRightsModification(args.Rights)
	canon, err := mailstore.CanonicalRights(rights)
	if err != nil {
		return aclRightsError(rights)
	}
	if err := as.SetACL(c.ctx, args.Mailbox, args.Identifier, op, canon); err != nil {
		return c.storeError(err)
	}
	return nil
}

// cmdDeleteACL is DELETEACL (RFC 4314 §3.2): the identifier leaves the
// mailbox's access control list. Its negative rights ("-" identifier)
// are another entry, which stays.
func (c *conn) cmdDeleteACL(cmd *wire.Command) *status {
	as, st := c.aclStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.DeleteACLCommand)
	if args == nil {
		return bad("DELETEACL needs a mailbox and an identifier")
	}
	if st := aclCheck(args.Mailbox, args.Identifier); st != nil {
		return st
	}
	if err := as.DeleteACL(c.ctx, args.Mailbox, args.Identifier); err != nil {
		return c.storeError(err)
	}
	return nil
}

// cmdGetACL is GETACL (RFC 4314 §3.3): the ACL response (§3.6) with every
// identifier and its rights, "c" and "d" added where their members are
// (§2.1.1).
func (c *conn) cmdGetACL(cmd *wire.Command) *status {
	as, st := c.aclStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.MailboxCommand)
	if args == nil {
		return bad("GETACL needs a mailbox name")
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	entries, err := as.ACL(c.ctx, args.Mailbox)
	if err != nil {
		return c.storeError(err)
	}
	data := &imap.ACLData{Mailbox: args.Mailbox, Entries: make([]imap.ACLEntry, len(entries))}
	for i, e := range entries {
		data.Entries[i] = imap.ACLEntry{Identifier: e.Identifier, Rights: mailstore.WithObsoleteRights(e.Rights)}
	}
	c.writeResp(&wire.Response{Kind: wire.KindACL, ACL: data})
	return nil
}

// cmdListRights is LISTRIGHTS (RFC 4314 §3.4): the rights the identifier
// always has and the groups it can be given (§3.7), "c" and "d" placed as
// §2.1.1 says. The response names the identifier exactly as the client
// did (§3.4: "MUST always return the same form of an identifier as
// specified by the client").
func (c *conn) cmdListRights(cmd *wire.Command) *status {
	as, st := c.aclStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.ListRightsCommand)
	if args == nil {
		return bad("LISTRIGHTS needs a mailbox and an identifier")
	}
	if st := aclCheck(args.Mailbox, args.Identifier); st != nil {
		return st
	}
	required, optional, err := as.ListRights(c.ctx, args.Mailbox, args.Identifier)
	if err != nil {
		return c.storeError(err)
	}
	required, optional = mailstore.WithObsoleteListRights(required, optional)
	c.writeResp(&wire.Response{Kind: wire.KindListRights, ListRights: &imap.ListRightsData{
		Mailbox: args.Mailbox, Identifier: args.Identifier, Required: required, Optional: optional,
	}})
	return nil
}

// cmdMyRights is MYRIGHTS (RFC 4314 §3.5): the user's own rights on the
// mailbox (§3.8), with "c" and "d" (§2.1.1).
func (c *conn) cmdMyRights(cmd *wire.Command) *status {
	as, st := c.aclStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.MailboxCommand)
	if args == nil {
		return bad("MYRIGHTS needs a mailbox name")
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	rights, err := as.MyRights(c.ctx, args.Mailbox)
	if err != nil {
		return c.storeError(err)
	}
	c.writeResp(&wire.Response{Kind: wire.KindMyRights, MyRights: &imap.MyRightsData{
		Mailbox: args.Mailbox, Rights: mailstore.WithObsoleteRights(rights),
	}})
	return nil
}
