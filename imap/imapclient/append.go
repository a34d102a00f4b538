package imapclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// ErrTooBig matches the error of an APPEND whose message is larger than
// the server accepts: refused before sending because of the APPENDLIMIT
// capability (RFC 7889), or by the server with NO [TOOBIG] (the error then
// also matches *StatusError with errors.As).
var ErrTooBig = errors.New("imapclient: message too big for the server")

// AppendOptions are the options of Append.
type AppendOptions struct {
	// Flags are set on the new message; \Recent may not be given.
	Flags []imap.Flag
	// Date is the internal date; zero means the server's current time.
	Date time.Time
	// Binary sends the message as a literal8 (~{n}, RFC 3516 BINARY) so
	// that it may hold NUL octets.
	Binary bool
}

// AppendResult is what the server said of an appended message.
type AppendResult struct {
	// UIDValidity and UID come from the APPENDUID response code
	// (UIDPLUS, RFC 4315; part of IMAP4rev2); both are 0 when the server
	// did not send one.
	UIDValidity uint32
	UID         uint32
}

// Append adds a message to a mailbox (RFC 3501 §6.3.11, RFC 9051
// §6.3.12). The message is exactly size octets read from r, streamed to
// the server in bounded memory. The literal is non-synchronizing when the
// server allows it (LITERAL+, or LITERAL- up to 4096 octets, RFC 7888);
// otherwise the client waits for the server's go-ahead, and a refusal
// (NO [TOOBIG], NO [OVERQUOTA], ...) ends the command without sending the
// message, the connection staying usable. When the server announced an
// APPENDLIMIT smaller than size, nothing is sent and the error matches
// ErrTooBig.
//
// Other commands may be issued while a message is being sent, but they
// go out only after it. If ctx is done while the message is being sent,
// or r fails or ends early, the connection cannot be resynchronized and
// is closed.
func (c *Client) Append(ctx context.Context, mailbox string, size int64, r io.Reader, opts *AppendOptions) (*AppendResult, error) {
	if size < 0 {
		return nil, fmt.Errorf("imapclient: APPEND: negative size %d", size)
	}
	if limit, ok := c.Caps().AppendLimit(); ok && uint64(size) > limit {
		return nil, fmt.Errorf("%w: %d octets, APPENDLIMIT=%d", ErrTooBig, size, limit)
	}
	msg := imap.AppendMessage{Size: size, Reader: &ctxReader{ctx: ctx, r: r}}
	if opts != nil {
		msg.Flags, msg.Binary = opts.Flags, opts.Binary
		if !opts.Date.IsZero() {
			msg.Date, msg.HasDate = opts.Date, true
		}
	}
	args := &imap.AppendCommand{Mailbox: mailbox, Messages: []imap.AppendMessage{msg}}
	cmd := &command{}
	if err := c.start(ctx, "APPEND", args, false, cmd); err != nil {
		return nil, err
	}
	st, err := c.wait(ctx, cmd)
	if err != nil {
		var se *StatusError
		if errors.As(err, &se) && se.Code != nil && se.Code.Name == imap.CodeTooBig {
			return nil, fmt.Errorf("%w: %w", ErrTooBig, err)
		}
		return nil, err
	}
	res := &AppendResult{}
	if st.Code != nil && st.Code.Name == imap.CodeAppendUID {
		res.UIDValidity = uint32(st.Code.Num)
		if r := st.Code.Set.Ranges(); len(r) == 1 && r[0].Start == r[0].Stop {
			res.UID = r[0].Start
		}
	}
	return res, nil
}

// ctxReader stops a streamed literal when its context is done. The
// connection is then broken (the literal cannot be cut short) and closed.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
