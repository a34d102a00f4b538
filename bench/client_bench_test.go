package bench

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	goimapclient "github.com/emersion/go-imap/v2/imapclient"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"

	"github.com/mailaccess/mailaccess/bench/internal/serverload"
)

// The client workloads (BenchmarkClient) run two IMAP clients side by
// side against the same server: mailaccess's imap/imapclient and go-imap
// v2's imapclient, both talking to mailaccess's imapserver over the
// server benchmarks' Maildir fixture (getFixture). The server runs in a
// helper process (this test binary, re-executed with clientServerEnv
// set), so that B/op, allocs/op and the memory figures are the client's
// alone.

// clientServerEnv, when set in the environment, makes this test binary a
// server for the client benchmarks: mailaccess's imapserver over the
// Maildirs under the directory it names. It prints "ADDR host:port" on
// stdout and serves until its stdin is closed.
const clientServerEnv = "MAILACCESS_BENCH_CLIENT_SERVER_ROOT"

func init() {
	if root := os.Getenv(clientServerEnv); root != "" {
		os.Exit(clientServerMain(root))
	}
}

// clientServerMain is the helper process's main.
func clientServerMain(root string) int {
	srv, err := serverload.StartMailaccess(root, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client bench server:", err)
		return 1
	}
	fmt.Printf("ADDR %s\n", srv.Addr)
	io.Copy(io.Discard, os.Stdin) // until the parent closes it (or exits)
	if err := srv.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "client bench server:", err)
		return 1
	}
	return 0
}

// startClientServer starts mailaccess's imapserver over the Maildirs
// under root in a helper process, and stops it at the end of tb. It
// returns the address to dial.
func startClientServer(tb testing.TB, root string) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), clientServerEnv+"="+root)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("client bench server: %v", err)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
			tb.Errorf("client bench server did not stop")
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "ADDR "); ok {
				addr <- a
				break
			}
		}
		close(addr)
		io.Copy(io.Discard, stdout)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			tb.Fatal("client bench server exited without an address")
		}
		return a
	case <-time.After(time.Minute):
		tb.Fatal("client bench server did not start")
	}
	return ""
}

// metaSummary is what a client's FetchMeta visit extracts from one
// message's typed items: enough to touch the UID, the flags, the envelope
// and every node of the body structure.
type metaSummary struct {
	uid       uint32
	flags     string // as flagString
	messageID string // without angle brackets
	subject   string
	body      string // MIME type tree, as bodyShape
}

// clientImpl is one of the two clients of BenchmarkClient: dial logs in
// and selects INBOX; fetchMeta runs UID FETCH 1:* (UID FLAGS ENVELOPE
// BODYSTRUCTURE) and calls visit for each message with its typed
// envelope and body structure.
type clientImpl struct {
	name string
	dial func(tb testing.TB, addr string) clientSession
}

type clientSession interface {
	// fetchMeta runs FetchMeta and returns the number of messages. With
	// a visit function, it builds each message's metaSummary (strings and
	// all) for visit; without one (the benchmark), it only reads the
	// typed values, allocating nothing itself: it adds the UID, the
	// number of flags, the lengths of the subject and Message-ID and the
	// number of body parts to the returned sum.
	fetchMeta(ctx context.Context, visit func(*metaSummary)) (n, sum int, err error)
	// fetchBody streams BODY.PEEK[] of UID uid into w.
	fetchBody(ctx context.Context, uid uint32, w io.Writer) (int64, error)
}

var clientImpls = []clientImpl{
	{"goimap", dialGoimapClient},
	{"mailaccess", dialMailaccessClient},
}

// mailaccess's client.

type mailaccessSession struct{ c *imapclient.Client }

var mailaccessMetaAttrs = []imap.FetchAttr{
	{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchEnvelope}, {Kind: imap.FetchBodyStructure},
}

func dialMailaccessClient(tb testing.TB, addr string) clientSession {
	tb.Helper()
	ctx := context.Background()
	c, err := imapclient.Dial(ctx, addr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(ctx, serverload.User, serverload.Password); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Select(ctx, "INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	return &mailaccessSession{c}
}

func (s *mailaccessSession) fetchMeta(ctx context.Context, visit func(*metaSummary)) (n, sum int, err error) {
	err = s.c.Fetch(ctx, imap.NumSetRange(1, imap.Star), true, mailaccessMetaAttrs, nil, func(m *imapclient.FetchMessage) error {
		n++
		if m.Envelope == nil || m.BodyStructure == nil {
			return fmt.Errorf("message %d: no envelope or body structure", m.Seq)
		}
		if visit == nil {
			sum += int(m.UID) + len(m.Flags) + len(m.Envelope.Subject.S) + len(m.Envelope.MessageID.S) +
				countParts(m.BodyStructure)
			return nil
		}
		visit(&metaSummary{
			uid:       m.UID,
			flags:     flagString(m.Flags),
			messageID: strings.Trim(m.Envelope.MessageID.S, "<>"),
			subject:   m.Envelope.Subject.S,
			body:      bodyShape(m.BodyStructure),
		})
		return nil
	})
	return n, sum, err
}

// countParts counts the nodes of a body structure.
func countParts(b *imap.BodyStructure) int {
	n := 1
	for i := range b.Parts {
		n += countParts(&b.Parts[i])
	}
	if b.Body != nil {
		n += countParts(b.Body)
	}
	return n
}

func (s *mailaccessSession) fetchBody(ctx context.Context, uid uint32, w io.Writer) (int64, error) {
	var n int64
	err := s.c.Fetch(ctx, imap.NumSetOf(uid), true, []imap.FetchAttr{{Kind: imap.FetchBodyPeek}}, nil, func(m *imapclient.FetchMessage) error {
		for {
			sec, err := m.NextSection()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			k, err := io.Copy(w, sec)
			n += k
			if err != nil {
				return err
			}
		}
	})
	return n, err
}

// go-imap v2's client.

type goimapSession struct{ c *goimapclient.Client }

var goimapMetaOpts = &goimap.FetchOptions{
	UID:           true,
	Flags:         true,
	Envelope:      true,
	BodyStructure: &goimap.FetchItemBodyStructure{Extended: true},
}

// goimapAll is UID 1:*.
var goimapAll = goimap.UIDSet{goimap.UIDRange{Start: 1, Stop: 0}}

func dialGoimapClient(tb testing.TB, addr string) clientSession {
	tb.Helper()
	c, err := goimapclient.DialInsecure(addr, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(serverload.User, serverload.Password).Wait(); err != nil {
		tb.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		tb.Fatal(err)
	}
	return &goimapSession{c}
}

// fetchMeta reads each message's items one by one with
// FetchMessageData.Next (go-imap's streaming path, cheaper than Collect).
func (s *goimapSession) fetchMeta(_ context.Context, visit func(*metaSummary)) (n, sum int, err error) {
	cmd := s.c.Fetch(goimapAll, goimapMetaOpts)
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		n++
		var (
			uid   goimap.UID
			flags []goimap.Flag
			env   *goimap.Envelope
			body  goimap.BodyStructure
		)
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case goimapclient.FetchItemDataUID:
				uid = item.UID
			case goimapclient.FetchItemDataFlags:
				flags = item.Flags
			case goimapclient.FetchItemDataEnvelope:
				env = item.Envelope
			case goimapclient.FetchItemDataBodyStructure:
				body = item.BodyStructure
			}
		}
		if env == nil || body == nil {
			cmd.Close()
			return n, sum, fmt.Errorf("message %d: no envelope or body structure", msg.SeqNum)
		}
		if visit == nil {
			sum += int(uid) + len(flags) + len(env.Subject) + len(env.MessageID) + goimapCountParts(body)
			continue
		}
		visit(&metaSummary{
			uid:       uint32(uid),
			flags:     flagString(flags),
			messageID: env.MessageID,
			subject:   env.Subject,
			body:      goimapBodyShape(body),
		})
	}
	return n, sum, cmd.Close()
}

// goimapCountParts counts the nodes of a body structure.
func goimapCountParts(b goimap.BodyStructure) int {
	switch b := b.(type) {
	case *goimap.BodyStructureMultiPart:
		n := 1
		for _, c := range b.Children {
			n += goimapCountParts(c)
		}
		return n
	case *goimap.BodyStructureSinglePart:
		if b.MessageRFC822 != nil && b.MessageRFC822.BodyStructure != nil {
			return 1 + goimapCountParts(b.MessageRFC822.BodyStructure)
		}
		return 1
	}
	return 0
}

func (s *goimapSession) fetchBody(_ context.Context, uid uint32, w io.Writer) (int64, error) {
	cmd := s.c.Fetch(goimap.UIDSetNum(goimap.UID(uid)), &goimap.FetchOptions{
		BodySection: []*goimap.FetchItemBodySection{{Peek: true}},
	})
	var n int64
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			if sec, ok := item.(goimapclient.FetchItemDataBodySection); ok && sec.Literal != nil {
				k, err := io.Copy(w, sec.Literal)
				n += k
				if err != nil {
					cmd.Close()
					return n, err
				}
			}
		}
	}
	return n, cmd.Close()
}

// goimapBodyShape is bodyShape for go-imap's body structure.
func goimapBodyShape(b goimap.BodyStructure) string {
	switch b := b.(type) {
	case *goimap.BodyStructureMultiPart:
		parts := make([]string, len(b.Children))
		for i, c := range b.Children {
			parts[i] = goimapBodyShape(c)
		}
		return "multipart/" + strings.ToLower(b.Subtype) + "(" + strings.Join(parts, " ") + ")"
	case *goimap.BodyStructureSinglePart:
		return strings.ToLower(b.Type + "/" + b.Subtype)
	}
	return ""
}

// BenchmarkClient runs the client workloads with go-imap v2's imapclient
// and mailaccess's imapclient, side by side, against mailaccess's
// imapserver over the server benchmarks' Maildir (in a helper process):
//
//   - FetchMeta: UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE) on the
//     whole INBOX, every message's typed UID, flags, envelope and body
//     structure consumed; msgs/s.
//
// The INBOX holds 10,000 messages with MAILACCESS_BENCH_FULL=1, 1,000
// otherwise (see fixtureMessages). B/op and allocs/op are the client's
// alone. Each sub-benchmark dials, logs in, selects INBOX and runs one
// FetchMeta before the timer.
func BenchmarkClient(b *testing.B) {
	f := getFixture(b)
	addr := startClientServer(b, f.root)
	for _, impl := range clientImpls {
		b.Run("FetchMeta/"+impl.name, func(b *testing.B) {
			s := impl.dial(b, addr)
			ctx := context.Background()
			// One untimed FETCH, so that neither side pays for the
			// server's first read of the Maildir's index.
			if _, _, err := s.fetchMeta(ctx, nil); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				n, sum, err := s.fetchMeta(ctx, nil)
				if err != nil {
					b.Fatal(err)
				}
				if n != f.n || sum == 0 {
					b.Fatalf("%d messages (sum %d), want %d", n, sum, f.n)
				}
			}
			b.ReportMetric(float64(f.n*b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
