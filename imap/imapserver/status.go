package imapserver

import (
	"errors"

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
// with the response code of RFC 5530 and its extensions. An error the
// contract does not name is an internal failure: NO [SERVERBUG], logged.
func (c *conn) storeError(err error) *status {
	switch {
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
