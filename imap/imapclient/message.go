package imapclient

import (
	"context"
	"errors"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// ErrMoveUnsupported is returned by Move when the server has neither MOVE
// nor UIDPLUS and MoveOptions.AllowExpunge is false: nothing was done.
var ErrMoveUnsupported = errors.New("imapclient: server has neither MOVE nor UIDPLUS; MOVE would need a plain EXPUNGE")

// StoreOptions are the options of Store.
type StoreOptions struct {
	// Silent sends FLAGS.SILENT: the server does not return the new
	// flags (a CONDSTORE server still returns MODSEQ, RFC 7162 §3.1.3).
	Silent bool
	// UnchangedSince, when HasUnchangedSince, sends the UNCHANGEDSINCE
	// modifier (RFC 7162 §3.1.3): messages whose mod-sequence is higher
	// are not changed, and are listed in StoreResult.Modified.
	UnchangedSince    uint64
	HasUnchangedSince bool
}

// StoreResult is what STORE returned.
type StoreResult struct {
	// Messages are the FETCH responses about the messages of the set,
	// with the new flags (unless Silent) and MODSEQ.
	Messages []*FetchResult
	// Modified is the MODIFIED response code's set (RFC 7162 §3.1.3):
	// the messages UNCHANGEDSINCE kept from being changed, as sequence
	// numbers or, for UID STORE, UIDs. Empty if none.
	Modified imap.NumSet
}

// Store changes the flags of the messages of set (RFC 3501 §6.4.6), or
// of the UIDs of set for UID STORE. The result is returned with a NO or
// BAD too (a *StatusError), when the response carried MODIFIED.
func (c *Client) Store(ctx context.Context, set imap.NumSet, uid bool, op imap.StoreOp, flags []imap.Flag, opts *StoreOptions) (*StoreResult, error) {
	args := &imap.StoreCommand{Set: set, Op: op, Flags: flags}
	if opts != nil {
		args.Silent = opts.Silent
		args.UnchangedSince, args.HasUnchangedSince = opts.UnchangedSince, opts.HasUnchangedSince
	}
	return c.store(ctx, set, uid, args)
}

// store runs STORE with args (typed, or raw for vendor items).
func (c *Client) store(ctx context.Context, set imap.NumSet, uid bool, args imap.CommandArgs) (*StoreResult, error) {
	res := &StoreResult{}
	anyMsg := set.ContainsStar() || set.IsSearchRes()
	st, err := c.execute(ctx, "STORE", args, uid, func(r *wire.Response) bool {
		if r.Kind != wire.KindFetch || r.Fetch == nil || !ownsFetch(r.Fetch, set, uid, anyMsg) {
			return false
		}
		fr := &FetchResult{}
		fr.fill(r.Fetch)
		res.Messages = append(res.Messages, fr)
		return true
	})
	if st != nil && st.Code != nil && st.Code.Name == imap.CodeModified {
		res.Modified = st.Code.Set.NumSet
	}
	if err != nil && st == nil {
		return nil, err
	}
	return res, err
}

// CopyUIDData is the COPYUID response code (RFC 4315 §3): the UIDs of the
// copies in the destination mailbox, whose UIDVALIDITY is UIDValidity.
// Source[i] was copied to Dest[i], in the order of the sets' numbers.
type CopyUIDData struct {
	UIDValidity uint32
	Source      imap.UIDSet
	Dest        imap.UIDSet
}

func copyUIDOf(rc *imap.ResponseCode) *CopyUIDData {
	if rc == nil || rc.Name != imap.CodeCopyUID {
		return nil
	}
	return &CopyUIDData{UIDValidity: uint32(rc.Num), Source: rc.Set, Dest: rc.Set2}
}

// Copy copies the messages of set to the mailbox dest (RFC 3501 §6.4.7).
// It returns the COPYUID data when the server gives it (UIDPLUS), else
// nil.
func (c *Client) Copy(ctx context.Context, set imap.NumSet, uid bool, dest string) (*CopyUIDData, error) {
	var cu *CopyUIDData
	st, err := c.execute(ctx, "COPY", &imap.CopyCommand{Set: set, Mailbox: dest}, uid, func(r *wire.Response) bool {
		// Some servers send COPYUID in an untagged OK.
		if r.Kind == wire.KindStatus && r.Status == wire.StatusOK && r.Code != nil && r.Code.Name == imap.CodeCopyUID {
			cu = copyUIDOf(r.Code)
			return true
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if st != nil {
		if x := copyUIDOf(st.Code); x != nil {
			cu = x
		}
	}
	return cu, nil
}

// MoveOptions are the options of Move.
type MoveOptions struct {
	// AllowExpunge lets Move fall back to a plain EXPUNGE on a server
	// with neither MOVE nor UIDPLUS. That EXPUNGE also removes every other
	// message of the mailbox marked \Deleted, so it is off by default.
	AllowExpunge bool
}

// MoveResult is what Move did.
type MoveResult struct {
	// CopyUID is the COPYUID data, when the server gave it.
	CopyUID *CopyUIDData
	// Expunged are the sequence numbers of the EXPUNGE responses, in
	// order (each one counts after the previous ones were removed).
	Expunged []uint32
	// Vanished are the UIDs of the VANISHED responses (QRESYNC).
	Vanished imap.UIDSet
	// Fallback: the server lacked MOVE, and Move used COPY, STORE and
	// EXPUNGE (not atomic: a failure may leave a copy behind).
	Fallback bool
}

// Move moves the messages of set to the mailbox dest with MOVE
// (RFC 6851). Without MOVE it falls back to COPY, STORE +FLAGS.SILENT
// (\Deleted) and UID EXPUNGE of just those messages (UIDPLUS); if the
// server lacks UIDPLUS too, it uses a plain EXPUNGE only if
// opts.AllowExpunge is set, and otherwise returns ErrMoveUnsupported
// without doing anything.
func (c *Client) Move(ctx context.Context, set imap.NumSet, uid bool, dest string, opts *MoveOptions) (*MoveResult, error) {
	return c.move(ctx, set, uid, dest, opts, c.Caps())
}

// move is Move against the capabilities caps.
func (c *Client) move(ctx context.Context, set imap.NumSet, uid bool, dest string, opts *MoveOptions, caps imap.CapSet) (*MoveResult, error) {
	if caps.Has(imap.CapMove) {
		res := &MoveResult{}
		st, err := c.execute(ctx, "MOVE", &imap.CopyCommand{Move: true, Set: set, Mailbox: dest}, uid, func(r *wire.Response) bool {
			switch {
			case r.Kind == wire.KindStatus && r.Status == wire.StatusOK && r.Code != nil && r.Code.Name == imap.CodeCopyUID:
				res.CopyUID = copyUIDOf(r.Code)
				return true
			default:
				return res.expunged(r)
			}
		})
		if err != nil {
			return nil, err
		}
		if x := copyUIDOf(st.Code); x != nil {
			res.CopyUID = x
		}
		return res, nil
	}
	uidPlus := caps.Has(imap.CapUIDPlus)
	if !uidPlus && (opts == nil || !opts.AllowExpunge) {
		return nil, ErrMoveUnsupported
	}
	res := &MoveResult{Fallback: true}
	if uidPlus && !uid {
		// UID EXPUNGE needs the UIDs: find them first, so that the
		// following steps do not depend on sequence numbers.
		sr, err := c.Search(ctx, imap.SearchKey{Op: imap.SearchSeqSet, Set: set}, true, nil)
		if err != nil {
			return nil, err
		}
		if sr.All.IsEmpty() {
			return res, nil
		}
		set, uid = sr.All, true
	}
	cu, err := c.Copy(ctx, set, uid, dest)
	if err != nil {
		return nil, err
	}
	res.CopyUID = cu
	if _, err := c.Store(ctx, set, uid, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, &StoreOptions{Silent: true}); err != nil {
		return res, err
	}
	var er *ExpungeResult
	if uidPlus {
		er, err = c.UIDExpunge(ctx, imap.UIDSet{NumSet: set})
	} else {
		er, err = c.Expunge(ctx)
	}
	if er != nil {
		res.Expunged, res.Vanished = er.Seqs, er.Vanished
	}
	return res, err
}

// expunged collects EXPUNGE and VANISHED responses.
func (res *MoveResult) expunged(r *wire.Response) bool {
	switch r.Kind {
	case wire.KindExpunge:
		res.Expunged = append(res.Expunged, r.Num)
		return true
	case wire.KindVanished:
		if r.Vanished != nil && !r.Vanished.Earlier {
			res.Vanished.AddSet(r.Vanished.UIDs.NumSet)
			return true
		}
	}
	return false
}

// ExpungeResult is what EXPUNGE or UID EXPUNGE removed.
type ExpungeResult struct {
	// Seqs are the sequence numbers of the EXPUNGE responses, in order
	// (each one counts after the previous ones were removed).
	Seqs []uint32
	// Vanished are the UIDs of the VANISHED responses, which replace
	// EXPUNGE once QRESYNC is enabled (RFC 7162 §3.2.10).
	Vanished imap.UIDSet
}

// Expunge removes the messages marked \Deleted (RFC 3501 §6.4.3).
func (c *Client) Expunge(ctx context.Context) (*ExpungeResult, error) {
	return c.expunge(ctx, &imap.ExpungeCommand{}, false)
}

// UIDExpunge removes the messages of set that are marked \Deleted, and
// no others (UID EXPUNGE, RFC 4315 §2.1; UIDPLUS or IMAP4rev2).
func (c *Client) UIDExpunge(ctx context.Context, set imap.UIDSet) (*ExpungeResult, error) {
	return c.expunge(ctx, &imap.ExpungeCommand{UIDs: &set}, true)
}

func (c *Client) expunge(ctx context.Context, args *imap.ExpungeCommand, uid bool) (*ExpungeResult, error) {
	var mr MoveResult
	if _, err := c.execute(ctx, "EXPUNGE", args, uid, mr.expunged); err != nil {
		return nil, err
	}
	return &ExpungeResult{Seqs: mr.Expunged, Vanished: mr.Vanished}, nil
}
