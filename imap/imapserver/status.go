package imapserver

import (
	"errors"
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// status is a command's tagged completion.
type status struct {
	typ  wire.StatusType
	code *imap.ResponseCode
	text string
}

func ok(text string) *status { return &status{typ: wire.StatusOK, text: text} }

func okCode(code *imap.ResponseCode, text string) *status {
	return &status{typ: wire.StatusOK, code: code, text: text}
}

func no(code *imap.ResponseCode, text string) *status {
	return &status{typ: wire.StatusNO, code: code, text: text}
}

func bad(text string) *status { return &status{typ: wire.StatusBAD, text: text} }

func code(name imap.ResponseCodeName) *imap.ResponseCode { return &imap.ResponseCode{Name: name} }

// storeError maps a mailstore error to the NO (or BAD) that answers it,
// with the response code of RFC 5530 and its extensions. The errors of the
// optional interfaces get their RFCs' answers: ErrNoSuchQuotaRoot a plain
// NO (RFC 9208 §4.1.1 "no such quota root"), the metadata limits NO
// [METADATA MAXSIZE n], [METADATA TOOMANY] and [METADATA NOPRIVATE] (RFC
// 5464 §4.3), and an invalid metadata name or right BAD (RFC 5464 §3.2,
// RFC 4314 §3.1). An error the contract does not name is an internal
// failure: NO [SERVERBUG], logged.
func (c *conn) storeError(err error) *status {
	var tooLarge *mailstore.MetadataTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		// RFC 5464 §4.3: "[METADATA MAXSIZE NNN] ... NNN is the maximum
		// octet count that it is willing to accept".
		return no(metadataCode("MAXSIZE "+itoa(max(tooLarge.Max, 0))), "Metadata value too large")
	case errors.Is(err, mailstore.ErrMetadataTooLarge):
		// The bare sentinel gives no limit to put in MAXSIZE.
		return no(code(imap.CodeLimit), "Metadata value too large")
	case errors.Is(err, mailstore.ErrMetadataTooMany):
		return no(metadataCode("TOOMANY"), "Too many metadata entries")
	case errors.Is(err, mailstore.ErrMetadataNoPrivate):
		return no(metadataCode("NOPRIVATE"), "Private metadata not supported")
	case errors.Is(err, mailstore.ErrInvalidMetadataName):
		return bad("Invalid metadata entry name")
	case errors.Is(err, mailstore.ErrInvalidRights):
		return bad("Invalid rights")
	case errors.Is(err, mailstore.ErrNoSuchQuotaRoot):
		return no(nil, "No such quota root")
	case errors.Is(err, mailstore.ErrNoSuchMailbox):
		return no(code(imap.CodeNonExistent), "No such mailbox")
	case errors.Is(err, mailstore.ErrMailboxExists):
		return no(code(imap.CodeAlreadyExists), "Mailbox already exists")
	case errors.Is(err, mailstore.ErrInvalidName):
		return no(code(imap.CodeCannot), "Invalid mailbox name")
	case errors.Is(err, mailstore.ErrNotAllowed):
		return no(code(imap.CodeCannot), "Operation not allowed")
	case errors.Is(err, mailstore.ErrUseAttr):
		return no(code(imap.CodeUseAttr), "Special-use attribute not supported")
	case errors.Is(err, mailstore.ErrInvalidFlag):
		return bad("Invalid flag")
	case errors.Is(err, mailstore.ErrReadOnly):
		return no(code(imap.CodeReadOnly), "Mailbox is read-only")
	case errors.Is(err, mailstore.ErrPermission):
		return no(code(imap.CodeNoPerm), "Permission denied")
	case errors.Is(err, mailstore.ErrNoSuchMessage):
		return no(code(imap.CodeExpungeIssued), "Message has been expunged")
	case errors.Is(err, mailstore.ErrQuota):
		return no(code(imap.CodeOverQuota), "Over quota")
	case errors.Is(err, mailstore.ErrTooBig), errors.Is(err, errTooBig):
		return no(code(imap.CodeTooBig), "Message too big")
	case errors.Is(err, mailstore.ErrAuthFailed):
		return no(code(imap.CodeAuthenticationFailed), "Authentication failed")
	case errors.Is(err, mailstore.ErrClosed):
		return no(code(imap.CodeNonExistent), "Mailbox no longer exists")
	case errors.Is(err, errWrongState):
		return bad("Command not allowed in this state")
	}
	c.log.Error("store failed", "err", err)
	return no(code(imap.CodeServerBug), "Internal error")
}

// metadataCode is the METADATA response code of RFC 5464 §5 with its
// argument: "LONGENTRIES n", "MAXSIZE n", "TOOMANY" or "NOPRIVATE".
func metadataCode(arg string) *imap.ResponseCode {
	return &imap.ResponseCode{Name: imap.CodeMetadata, Raw: arg}
}

// statusDeletedStorage is the STATUS item DELETED-STORAGE (RFC 9208
// §4.1.4), for which package imap has no constant.
const statusDeletedStorage imap.StatusItem = "DELETED-STORAGE"

// cmdStatusQuota is STATUS (cmdStatus) with the item DELETED-STORAGE of
// RFC 9208 §4.1.4 for a store that counts quota (a
// mailstore.QuotaStore): "the amount of storage space that can be
// reclaimed by performing EXPUNGE on the mailbox", which §5.1 requires
// with the STORAGE resource. The item DELETED, which §5.2 requires with
// MESSAGE, is one cmdStatus always has (RFC 9051). Without DELETED-STORAGE
// in the command, or without a QuotaStore (cmdStatus then answers BAD),
// the command is cmdStatus's.
func (c *conn) cmdStatusQuota(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.StatusCommand)
	if args == nil || !slices.Contains(args.Items, statusDeletedStorage) {
		return c.cmdStatus(cmd)
	}
	if _, ok := c.store.(mailstore.QuotaStore); !ok {
		return c.cmdStatus(cmd)
	}
	// The other items are checked as cmdStatus checks them; the list
	// keeps DELETED-STORAGE in its place, and mbxStatusData gives it a
	// value of 0 that is then filled in.
	var items, rest []imap.StatusItem
	for _, it := range args.Items {
		if !slices.Contains(items, it) {
			items = append(items, it)
		}
		if it != statusDeletedStorage {
			rest = append(rest, it)
		}
	}
	if len(rest) > 0 {
		if _, st := mbxStatusItems(rest); st != nil {
			return st
		}
	}
	if st := mbxCheckName(args.Mailbox); st != nil {
		return st
	}
	ms, err := c.store.Status(c.ctx, args.Mailbox)
	if err != nil {
		if errors.Is(err, mailstore.ErrNotAllowed) {
			return no(code(imap.CodeCannot), "Mailbox is not selectable")
		}
		return c.storeError(err)
	}
	var deleted uint64
	if ms.Deleted > 0 {
		if deleted, err = c.deletedStorage(args.Mailbox); err != nil {
			return c.storeError(err)
		}
	}
	c.mbxStatusCondStore(items)
	sd := c.mbxStatusData(args.Mailbox, items, ms)
	for i := range sd.Items {
		if sd.Items[i].Item == statusDeletedStorage {
			sd.Items[i].Num = deleted
		}
	}
	c.writeResp(&wire.Response{Kind: wire.KindStatusData, StatusData: sd})
	return nil
}

// deletedStorage is the DELETED-STORAGE of a mailbox (RFC 9208 §4.1.4):
// the sizes of its messages with \Deleted, in units of 1024 octets
// rounded up as STORAGE counts them (§5.1), read from a read-only view,
// which consumes no \Recent. It is the sum of RFC822.SIZE that §4.1.4
// allows in place of the exact figure, which only the store could give.
func (c *conn) deletedStorage(mailbox string) (uint64, error) {
	mb, err := c.store.OpenMailbox(c.ctx, mailbox, &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer mb.Close()
	var octets uint64
	for _, m := range mb.Messages() {
		if hasFlag(m.Flags, imap.FlagDeleted) {
			octets += uint64(max(m.Size, 0))
		}
	}
	return (octets + 1023) / 1024, nil
}
