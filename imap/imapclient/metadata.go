package imapclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds the METADATA and METADATA-SERVER extensions (RFC 5464):
// GETMETADATA and SETMETADATA, on server entries (mailbox "") and mailbox
// entries.
//
// Unsolicited METADATA responses (RFC 5464 §4.4.2: entry names without
// values, once ENABLE METADATA is in effect) are never claimed: they go
// to Options.UnilateralData.

// MetadataDepth is the DEPTH option of GETMETADATA (RFC 5464 §4.2.2).
type MetadataDepth string

// GETMETADATA depths.
const (
	// DepthZero returns the entries named only (the default).
	DepthZero MetadataDepth = "0"
	// DepthOne returns the entries named and their children.
	DepthOne MetadataDepth = "1"
	// DepthInfinity returns the entries named and all their
	// descendants.
	DepthInfinity MetadataDepth = "infinity"
)

// MetadataOptions are the options of GetMetadata.
type MetadataOptions struct {
	// MaxSize, if not 0, sends MAXSIZE (RFC 5464 §4.2.1): only values
	// of at most MaxSize octets are returned; the size of the largest
	// value left out is in MetadataResult.LongEntries.
	MaxSize uint32
	// Depth sends DEPTH when not empty (RFC 5464 §4.2.2).
	Depth MetadataDepth
}

// MetadataResult is what GETMETADATA returned.
type MetadataResult struct {
	// Mailbox is the mailbox ("" for server entries).
	Mailbox string
	// Entries are the entries with their values, in the order received.
	// An entry that does not exist is either missing or NIL, as the
	// server chooses.
	Entries []imap.MetadataEntry
	// LongEntries is the METADATA LONGENTRIES response code's value: the
	// size of the largest value MaxSize left out, when HasLongEntries.
	LongEntries    uint32
	HasLongEntries bool
}

// Get returns the value of the entry named name (entry names compare
// without regard to case, RFC 5464 §3.2.1), and false if the result has
// no such entry.
func (r *MetadataResult) Get(name string) (imap.NString, bool) {
	for _, e := range r.Entries {
		if strings.EqualFold(e.Name, name) {
			return e.Value, true
		}
	}
	return imap.Nil, false
}

// Errors of GETMETADATA and SETMETADATA. The ErrMetadata* ones are the
// conditions of RFC 5464 §4.3, matched with errors.Is against the
// *MetadataError SetMetadata returns.
var (
	// ErrNoMetadataEntries: GetMetadata or SetMetadata was called
	// without entries; nothing was sent.
	ErrNoMetadataEntries = errors.New("imapclient: METADATA command without entries")
	// ErrMetadataMaxSize: a value is larger than the server accepts
	// (MetadataError.MaxSize says how large it may be).
	ErrMetadataMaxSize = errors.New("imapclient: metadata value too large")
	// ErrMetadataTooMany: the server's limit on the number of entries is
	// reached.
	ErrMetadataTooMany = errors.New("imapclient: too many metadata entries")
	// ErrMetadataNoPrivate: the server does not support private entries
	// on the mailbox.
	ErrMetadataNoPrivate = errors.New("imapclient: private metadata not supported")
)

// MetadataError is a GETMETADATA or SETMETADATA refused with the METADATA
// response code (RFC 5464 §4.3). It matches ErrMetadataMaxSize,
// ErrMetadataTooMany or ErrMetadataNoPrivate with errors.Is, and the
// *StatusError it wraps with errors.As.
type MetadataError struct {
	// Condition is the code's first word: "MAXSIZE", "TOOMANY",
	// "NOPRIVATE", or another the server used.
	Condition string
	// MaxSize is the largest value the server accepts, for MAXSIZE.
	MaxSize uint32
	// Status is the tagged NO.
	Status *StatusError
}

// Error names the command, the condition and the server's text.
func (e *MetadataError) Error() string {
	return fmt.Sprintf("imapclient: %s: METADATA %s: %s", e.Status.Command, e.Condition, e.Status.Text)
}

// Unwrap returns the *StatusError.
func (e *MetadataError) Unwrap() error { return e.Status }

// Is matches the ErrMetadata* error of the condition.
func (e *MetadataError) Is(target error) bool {
	switch e.Condition {
	case "MAXSIZE":
		return target == ErrMetadataMaxSize
	case "TOOMANY":
		return target == ErrMetadataTooMany
	case "NOPRIVATE":
		return target == ErrMetadataNoPrivate
	}
	return false
}

// metadataCode splits the METADATA response code's argument (kept raw by
// the codec) into its condition and number: "LONGENTRIES 2199",
// "MAXSIZE 1024", "TOOMANY", "NOPRIVATE".
func metadataCode(code *imap.ResponseCode) (cond string, n uint32, hasN bool, ok bool) {
	if code == nil || code.Name != imap.CodeMetadata {
		return "", 0, false, false
	}
	f := strings.Fields(code.Raw)
	if len(f) == 0 {
		return "", 0, false, false
	}
	cond = strings.ToUpper(f[0])
	if len(f) > 1 {
		if v, err := strconv.ParseUint(f[1], 10, 32); err == nil {
			n, hasN = uint32(v), true
		}
	}
	return cond, n, hasN, true
}

// metadataErr turns a NO with the METADATA code into a *MetadataError.
func metadataErr(err error) error {
	var se *StatusError
	if !errors.As(err, &se) {
		return err
	}
	cond, n, _, ok := metadataCode(se.Code)
	if !ok {
		return err
	}
	me := &MetadataError{Condition: cond, Status: se}
	if cond == "MAXSIZE" {
		me.MaxSize = n
	}
	return me
}

// GetMetadata returns the values of the named entries of mailbox, or of
// the server when mailbox is "" (GETMETADATA, RFC 5464 §4.2; server
// entries need METADATA-SERVER, mailbox entries METADATA). Entry names
// start with "/private/" or "/shared/", e.g. "/shared/comment".
func (c *Client) GetMetadata(ctx context.Context, mailbox string, entries []string, opts *MetadataOptions) (*MetadataResult, error) {
	if len(entries) == 0 {
		return nil, ErrNoMetadataEntries
	}
	args := &imap.GetMetadataCommand{Mailbox: mailbox, Entries: entries}
	if opts != nil {
		args.MaxSize, args.Depth = opts.MaxSize, string(opts.Depth)
	}
	res := &MetadataResult{Mailbox: mailbox}
	st, err := c.execute(ctx, "GETMETADATA", args, false, func(r *wire.Response) bool {
		m := r.Metadata
		if r.Kind != wire.KindMetadata || m == nil || len(m.Entries) == 0 || !sameMetadataMailbox(m.Mailbox, mailbox) {
			return false
		}
		res.Entries = append(res.Entries, m.Entries...)
		return true
	})
	if err != nil {
		return nil, metadataErr(err)
	}
	if cond, n, hasN, ok := metadataCode(st.Code); ok && cond == "LONGENTRIES" && hasN {
		res.LongEntries, res.HasLongEntries = n, true
	}
	if res.Entries == nil {
		res.Entries = []imap.MetadataEntry{}
	}
	return res, nil
}

// sameMetadataMailbox compares the mailbox of a METADATA response with the
// command's: "" (the server) is equal only to itself.
func sameMetadataMailbox(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	return sameMailbox(a, b)
}

// SetMetadata sets entries of mailbox, or of the server when mailbox is ""
// (SETMETADATA, RFC 5464 §4.3). An entry whose Value is NIL (imap.Nil) is
// removed. Either every entry is set or none is; a refusal with the
// METADATA response code is a *MetadataError.
func (c *Client) SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error {
	if len(entries) == 0 {
		return ErrNoMetadataEntries
	}
	_, err := c.execute(ctx, "SETMETADATA", &imap.SetMetadataCommand{Mailbox: mailbox, Entries: entries}, false, nil)
	if err != nil {
		return metadataErr(err)
	}
	return nil
}
