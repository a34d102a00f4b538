package bench

import (
	"github.com/mailaccess/mailaccess/internal/w1stream"

	"fmt"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// goimapSide decodes a stream with go-imap v2's imapclient. Its decoder is
// internal, so the stream is replayed by an in-memory connection as the
// answer to a UID FETCH; every message is collected into a
// FetchMessageBuffer, go-imap's fully typed form (envelope, body structure).
type goimapSide struct {
	conn   *replayConn
	client *imapclient.Client
	uids   imap.UIDSet
	opts   *imap.FetchOptions
}

func newGoimapSide(s *w1stream.Stream) *goimapSide {
	conn := newReplayConn(s.Data)
	var uids imap.UIDSet
	if len(s.UIDs) > 0 {
		uids.AddRange(imap.UID(s.UIDs[0]), imap.UID(s.UIDs[len(s.UIDs)-1]))
	}
	return &goimapSide{
		conn:   conn,
		client: imapclient.New(conn, nil),
		uids:   uids,
		opts: &imap.FetchOptions{
			UID:           true,
			Flags:         true,
			InternalDate:  true,
			RFC822Size:    true,
			Envelope:      true,
			BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		},
	}
}

// fetchAll runs one UID FETCH, decoding the whole stream, and calls visit
// (if not nil) for each message. It returns the number of messages.
func (g *goimapSide) fetchAll(visit func(*imapclient.FetchMessageBuffer)) (int, error) {
	cmd := g.client.Fetch(g.uids, g.opts)
	n := 0
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		buf, err := msg.Collect()
		if err != nil {
			cmd.Close()
			return n, fmt.Errorf("message %d: %w", n+1, err)
		}
		n++
		if visit != nil {
			visit(buf)
		}
	}
	return n, cmd.Close()
}

func (g *goimapSide) close() {
	g.client.Close()
	g.conn.Close()
}
