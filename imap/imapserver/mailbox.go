package imapserver

import (
	"errors"
	"slices"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// This file holds the mailbox management commands of the authenticated
// state (RFC 3501 §6.3, RFC 9051 §6.3): CREATE, DELETE, RENAME,
// SUBSCRIBE, UNSUBSCRIBE, NAMESPACE and STATUS. LIST and LSUB are in
// list.go.

// mbxCheckName refuses a mailbox name no store could hold: empty, not
// UTF-8, or with NUL, CR or LF (imap.ValidMailboxName). The store checks
// its own rules after this.
func mbxCheckName(name string) *status {
	if err := imap.ValidMailboxName(name); err != nil {
		return no(code(imap.CodeCannot), "Invalid mailbox name")
	}
	return nil
}

// mbxSpecialUses are the attributes CREATE (USE (...)) may ask for: the
// special uses of RFC 6154 §2 and \Important (RFC 8457). The other
// mailbox attributes describe a name's state and cannot be assigned.
var mbxSpecialUses = [...]imap.MailboxAttr{
	imap.AttrAll, imap.AttrArchive, imap.AttrDrafts, imap.AttrFlagged,
	imap.AttrJunk, imap.AttrSent, imap.AttrTrash, imap.AttrImportant,
}

// mbxIsSpecialUse reports whether a is a special-use attribute.
func mbxIsSpecialUse(a imap.MailboxAttr) bool {
	return slices.Contains(mbxSpecialUses[:], a.Canonical())
}

// cmdCreate is CREATE (RFC 3501 §6.3.3, RFC 9051 §6.3.4), with the USE
// parameter of CREATE-SPECIAL-USE (RFC 6154 §3). A trailing hierarchy
// delimiter and the creation of missing superior names are the store's
// work (mailstore.Store.CreateMailbox).
func (c *conn) cmdCreate(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.CreateCommand)
	if args == nil {
		return bad("CREATE needs a mailbox name")
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	if imap.IsInbox(args.Mailbox) {
		// "It is an error to attempt to create INBOX" (RFC 3501 §6.3.3).
		return no(code(imap.CodeAlreadyExists), "INBOX always exists")
	}
	opts := &mailstore.CreateOptions{}
	for _, a := range args.SpecialUse {
		a = a.Canonical()
		if !mbxIsSpecialUse(a) {
			// RFC 6154 §3: a special use that cannot be given fails the
			// CREATE with NO [USEATTR], and nothing is created.
			return no(code(imap.CodeUseAttr), string(a)+" is not a special-use attribute")
		}
		if !slices.Contains(opts.SpecialUse, a) {
			opts.SpecialUse = append(opts.SpecialUse, a)
		}
	}
	if err := c.store.CreateMailbox(c.ctx, args.Mailbox, opts); err != nil {
		return c.storeError(err)
	}
	return nil
}

// cmdDelete is DELETE (RFC 3501 §6.3.4, RFC 9051 §6.3.5). Deleting a name
// with inferiors keeps them and leaves the name \Noselect (the store's
// rule); deleting a \Noselect name that still has inferiors is refused
// with NO [HASCHILDREN] (RFC 9051 §6.3.5, §7.1). Deleting the selected
// mailbox closes it: the session returns to the authenticated state, told
// by an untagged OK [CLOSED].
func (c *conn) cmdDelete(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.MailboxCommand)
	if args == nil {
		return bad("DELETE needs a mailbox name")
	}
	name := args.Mailbox
	if st := mbxCheckName(name); st != nil {
		return st
	}
	if imap.IsInbox(name) {
		// "It is an error to attempt to delete INBOX" (RFC 9051 §6.3.5).
		return no(code(imap.CodeCannot), "INBOX cannot be deleted")
	}
	if err := c.store.DeleteMailbox(c.ctx, name); err != nil {
		if errors.Is(err, mailstore.ErrNotAllowed) && c.mbxHasInferiors(name) {
			return no(code(imap.CodeHasChildren), "Mailbox has inferior names; delete them first")
		}
		return c.storeError(err)
	}
	if c.mbox != nil && mbxSameName(c.mbox.Name(), name, c.store.Delimiter()) {
		c.closeMailbox()
		c.untaggedOK(code(imap.CodeClosed), "Selected mailbox deleted")
	}
	return nil
}

// mbxHasInferiors reports whether the store lists a name below name.
func (c *conn) mbxHasInferiors(name string) bool {
	delim := c.store.Delimiter()
	if delim == 0 {
		return false
	}
	infos, err := c.store.Mailboxes(c.ctx)
	if err != nil {
		return false
	}
	prefix := listCanonical(name, delim) + string(delim)
	for i := range infos {
		n := listCanonical(infos[i].Name, delim)
		if strings.HasPrefix(n, prefix) && !slices.Contains(infos[i].Attrs, imap.AttrNonExistent) {
			return true
		}
	}
	return false
}

// mbxSameName reports whether two mailbox names are the same, INBOX
// being case-insensitive also as the first level of a longer name.
func mbxSameName(a, b string, delim rune) bool {
	return listCanonical(a, delim) == listCanonical(b, delim)
}

// cmdRename is RENAME (RFC 3501 §6.3.5, RFC 9051 §6.3.6). The store
// renames the inferiors too, creates missing superiors of the new name,
// and gives renaming INBOX its special meaning: the messages move to the
// new mailbox and INBOX stays, empty.
func (c *conn) cmdRename(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.RenameCommand)
	if args == nil {
		return bad("RENAME needs two mailbox names")
	}
	if st := mbxCheckName(args.From); st != nil {
		return st
	}
	if st := mbxCheckName(args.To); st != nil {
		return st
	}
	if imap.IsInbox(args.To) {
		return no(code(imap.CodeAlreadyExists), "INBOX already exists")
	}
	if err := c.store.RenameMailbox(c.ctx, args.From, args.To); err != nil {
		return c.storeError(err)
	}
	return nil
}

// cmdSubscribe is SUBSCRIBE and UNSUBSCRIBE (RFC 3501 §6.3.6, §6.3.7;
// RFC 9051 §6.3.7, §6.3.8). Any name may be subscribed, whether or not a
// mailbox of that name exists; both succeed when there is nothing to
// change.
func (c *conn) cmdSubscribe(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.MailboxCommand)
	if args == nil {
		return bad(cmd.Name + " needs a mailbox name")
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	if err := c.store.SetSubscribed(c.ctx, args.Mailbox, cmd.Name == "SUBSCRIBE"); err != nil {
		return c.storeError(err)
	}
	return nil
}

// cmdNamespace is NAMESPACE (RFC 2342, RFC 9051 §6.3.10): one personal
// namespace, the empty prefix with the store's delimiter; no other
// users' or shared namespaces.
func (c *conn) cmdNamespace(cmd *wire.Command) *status {
	c.writeResp(&wire.Response{Kind: wire.KindNamespace, Namespace: &imap.NamespaceData{
		Personal: []imap.NamespaceDescr{{Prefix: "", Delim: c.store.Delimiter()}},
	}})
	return nil
}

// cmdStatus is STATUS (RFC 3501 §6.3.10, RFC 9051 §6.3.11) with the items
// of the extensions: DELETED and SIZE (RFC 9051, STATUS=SIZE RFC 8438),
// RECENT (IMAP4rev1), HIGHESTMODSEQ (RFC 7162 §3.1.2.3), APPENDLIMIT
// (RFC 7889 §4) and MAILBOXID (RFC 8474, when the store has one). The
// selected mailbox may be asked about too (RFC 9051 §6.3.11 discourages
// it but requires servers to answer); the answer is the mailbox's
// current state, and the changes the session has not seen yet follow as
// usual after the command.
func (c *conn) cmdStatus(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.StatusCommand)
	if args == nil {
		return bad("STATUS needs a mailbox name and items")
	}
	items, st := mbxStatusItems(args.Items)
	if st != nil {
		return st
	}
	if mbx := mbxCheckName(args.Mailbox); mbx != nil {
		return mbx
	}
	ms, err := c.store.Status(c.ctx, args.Mailbox)
	if err != nil {
		if errors.Is(err, mailstore.ErrNotAllowed) {
			return no(code(imap.CodeCannot), "Mailbox is not selectable")
		}
		return c.storeError(err)
	}
	c.mbxStatusCondStore(items)
	c.writeResp(&wire.Response{Kind: wire.KindStatusData, StatusData: c.mbxStatusData(args.Mailbox, items, ms)})
	return nil
}

// mbxStatusItems checks the items of STATUS or of LIST's STATUS return
// option (RFC 5819) and drops repeats. An item the server does not know
// (the lenient decoder keeps them) or cannot give, such as
// DELETED-STORAGE without QUOTA (RFC 9208), is BAD.
func mbxStatusItems(items []imap.StatusItem) ([]imap.StatusItem, *status) {
	out := make([]imap.StatusItem, 0, len(items))
	for _, it := range items {
		switch it {
		case imap.StatusMessages, imap.StatusRecent, imap.StatusUIDNext, imap.StatusUIDValidity,
			imap.StatusUnseen, imap.StatusDeleted, imap.StatusSize, imap.StatusHighestModSeq,
			imap.StatusAppendLimit, imap.StatusMailboxID:
		default:
			return nil, bad("Unsupported STATUS item " + string(it))
		}
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, bad("STATUS needs at least one item")
	}
	return out, nil
}

// mbxStatusCondStore makes a STATUS asking for HIGHESTMODSEQ a CONDSTORE
// enabling command (RFC 7162 §3.1): the first one reports the selected
// mailbox's HIGHESTMODSEQ, if a mailbox is selected.
func (c *conn) mbxStatusCondStore(items []imap.StatusItem) {
	if c.enabled[imap.CapCondStore] || !slices.Contains(items, imap.StatusHighestModSeq) {
		return
	}
	c.enabled[imap.CapCondStore] = true
	if c.mbox != nil {
		c.untaggedOK(&imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: c.mbox.HighestModSeq()}, "Highest")
	}
}

// mbxStatusData builds the STATUS response for a mailbox, with the items
// in the order asked. MAILBOXID is left out when the store has no ID for
// the mailbox.
func (c *conn) mbxStatusData(name string, items []imap.StatusItem, ms *mailstore.MailboxStatus) *imap.StatusData {
	sd := &imap.StatusData{Mailbox: name, Items: make([]imap.StatusValue, 0, len(items))}
	for _, it := range items {
		v := imap.StatusValue{Item: it}
		switch it {
		case imap.StatusMessages:
			v.Num = uint64(ms.Messages)
		case imap.StatusRecent:
			v.Num = uint64(ms.Recent)
		case imap.StatusUIDNext:
			v.Num = uint64(ms.UIDNext)
		case imap.StatusUIDValidity:
			v.Num = uint64(ms.UIDValidity)
		case imap.StatusUnseen:
			v.Num = uint64(ms.Unseen)
		case imap.StatusDeleted:
			v.Num = uint64(ms.Deleted)
		case imap.StatusSize:
			v.Num = uint64(max(ms.Size, 0))
		case imap.StatusHighestModSeq:
			v.Num = ms.HighestModSeq
		case imap.StatusAppendLimit:
			v.Num = uint64(c.lim.MaxMessageSize)
		case imap.StatusMailboxID:
			if ms.MailboxID == "" {
				continue
			}
			v.Str = ms.MailboxID
		}
		sd.Items = append(sd.Items, v)
	}
	return sd
}
