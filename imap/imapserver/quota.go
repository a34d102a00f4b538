package imapserver

import (
	"errors"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file holds the commands of QUOTA (RFC 9208): GETQUOTA,
// GETQUOTAROOT and SETQUOTA, over a store that implements
// mailstore.QuotaStore (and mailstore.QuotaSetter for SETQUOTA). STATUS
// DELETED-STORAGE (§4.1.4) is cmdStatusQuota in status.go; the OVERQUOTA
// of APPEND, COPY and MOVE (§4.3.1) is storeError's answer to
// mailstore.ErrQuota.

// quotaStore returns the session's store as a QuotaStore, or the answer to
// a quota command when it is not one: BAD, as for a command the server
// does not know (RFC 9208 §4.1: "BAD - command unknown"), since QUOTA is
// not advertised then.
func (c *conn) quotaStore(cmd *wire.Command) (mailstore.QuotaStore, *status) {
	qs, ok := c.store.(mailstore.QuotaStore)
	if !ok {
		return nil, bad("Unknown command " + cmd.Name + ": QUOTA is not supported")
	}
	return qs, nil
}

// cmdGetQuota is GETQUOTA (RFC 9208 §4.1.1): the QUOTA response of one
// quota root, with the resources it limits; an unknown root is NO.
func (c *conn) cmdGetQuota(cmd *wire.Command) *status {
	qs, st := c.quotaStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.GetQuotaCommand)
	if args == nil {
		return bad("GETQUOTA needs a quota root")
	}
	res, err := qs.Quota(c.ctx, args.Root)
	if err != nil {
		return c.storeError(err)
	}
	c.writeResp(&wire.Response{Kind: wire.KindQuota, Quota: &imap.QuotaData{Root: args.Root, Resources: res}})
	return nil
}

// cmdGetQuotaRoot is GETQUOTAROOT (RFC 9208 §4.1.2): the QUOTAROOT
// response naming the mailbox's roots, then a QUOTA response for each.
// The mailbox need not exist ("This can be handy in order to determine
// which quota root would apply to a mailbox when it gets created"). A root
// that disappears between the two questions is left out of the QUOTA
// responses rather than failing the command.
func (c *conn) cmdGetQuotaRoot(cmd *wire.Command) *status {
	qs, st := c.quotaStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.MailboxCommand)
	if args == nil {
		return bad("GETQUOTAROOT needs a mailbox name")
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	roots, err := qs.QuotaRoots(c.ctx, args.Mailbox)
	if err != nil {
		return c.storeError(err)
	}
	quotas := make([]*imap.QuotaData, 0, len(roots))
	for _, root := range roots {
		res, err := qs.Quota(c.ctx, root)
		if errors.Is(err, mailstore.ErrNoSuchQuotaRoot) {
			continue
		}
		if err != nil {
			return c.storeError(err)
		}
		quotas = append(quotas, &imap.QuotaData{Root: root, Resources: res})
	}
	c.writeResp(&wire.Response{Kind: wire.KindQuotaRoot, QuotaRoot: &imap.QuotaRootData{Mailbox: args.Mailbox, Roots: roots}})
	for _, q := range quotas {
		c.writeResp(&wire.Response{Kind: wire.KindQuota, Quota: q})
	}
	return nil
}

// cmdSetQuota is SETQUOTA (RFC 9208 §4.1.3), for a store that is a
// mailstore.QuotaSetter (capability QUOTASET). The limits replace every
// limit of the root; the QUOTA response that follows gives the limits in
// force, which the store may have rounded (§3.2, the example of §4.1.3).
// A QuotaStore that cannot set limits answers NO, which §3.2 asks clients
// to expect ("A client MUST be prepared for a SETQUOTA command to fail if
// a limit cannot be set").
func (c *conn) cmdSetQuota(cmd *wire.Command) *status {
	qs, st := c.quotaStore(cmd)
	if st != nil {
		return st
	}
	args, _ := cmd.Args.(*imap.SetQuotaCommand)
	if args == nil {
		return bad("SETQUOTA needs a quota root and a list of limits")
	}
	setter, ok := qs.(mailstore.QuotaSetter)
	if !ok {
		return no(code(imap.CodeCannot), "Quota limits cannot be changed here")
	}
	if err := setter.SetQuota(c.ctx, args.Root, args.Resources); err != nil {
		return c.storeError(err)
	}
	if res, err := qs.Quota(c.ctx, args.Root); err == nil {
		c.writeResp(&wire.Response{Kind: wire.KindQuota, Quota: &imap.QuotaData{Root: args.Root, Resources: res}})
	}
	return nil
}
