package imapclient_test

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/imapserver"
)

// mbxPattern is an endless message body that allocates nothing: header
// lines then "xxx...\r\n" lines.
type mbxPattern struct{ off int64 }

const mbxHeader = "Subject: big\r\n\r\n"

func (p *mbxPattern) Read(b []byte) (int, error) {
	for i := range b {
		switch {
		case p.off < int64(len(mbxHeader)):
			b[i] = mbxHeader[p.off]
		case p.off%78 == 76:
			b[i] = '\r'
		case p.off%78 == 77:
			b[i] = '\n'
		default:
			b[i] = 'x'
		}
		p.off++
	}
	return len(b), nil
}

func TestAppendAPPENDUID(t *testing.T) {
	env := newEnv(t)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	msg := "Subject: hello\r\n\r\nbody\r\n"
	date := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	res, err := c.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), &imapclient.AppendOptions{
		Flags: []imap.Flag{imap.FlagSeen}, Date: date,
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx, "INBOX", []imap.StatusItem{imap.StatusUIDValidity, imap.StatusMessages, imap.StatusUnseen})
	if err != nil {
		t.Fatal(err)
	}
	validity, _ := st.Get(imap.StatusUIDValidity)
	if res.UID != 1 || uint64(res.UIDValidity) != validity {
		t.Errorf("APPENDUID %+v, UIDVALIDITY %d", res, validity)
	}
	if n, _ := st.Get(imap.StatusMessages); n != 1 {
		t.Errorf("MESSAGES %d", n)
	}
	if n, _ := st.Get(imap.StatusUnseen); n != 0 {
		t.Errorf("UNSEEN %d: the \\Seen flag was not set", n)
	}
	// A missing mailbox: NO [TRYCREATE], and the connection goes on.
	_, err = c.Append(ctx, "Nope", int64(len(msg)), strings.NewReader(msg), nil)
	var se *imapclient.StatusError
	if !errors.As(err, &se) || se.Code == nil || se.Code.Name != imap.CodeTryCreate {
		t.Errorf("APPEND to a missing mailbox: %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestAppend10MB appends 10 MB to our server (with LITERAL+) and checks
// the size the server stored.
func TestAppend10MB(t *testing.T) {
	env := newEnv(t)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	const size = 10 << 20
	res, err := c.Append(ctx, "INBOX", size, &mbxPattern{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.UID != 1 {
		t.Errorf("APPENDUID %+v", res)
	}
	st, err := c.Status(ctx, "INBOX", []imap.StatusItem{imap.StatusSize})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Get(imap.StatusSize); n != size {
		t.Errorf("SIZE %d, want %d", n, size)
	}
}

// TestAppendBoundedMemory streams 10 MB to a server that discards it, once
// with LITERAL+ and once with a synchronizing literal, and checks that
// far less than the message was allocated.
func TestAppendBoundedMemory(t *testing.T) {
	const size = 10 << 20
	for _, plus := range []bool{true, false} {
		t.Run("LITERAL+="+strconv.FormatBool(plus), func(t *testing.T) {
			caps := "IMAP4rev1 UIDPLUS"
			if plus {
				caps += " LITERAL+"
			}
			gotHeader := make(chan string, 1)
			addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
				tag, rest, _ := strings.Cut(line, " ")
				switch {
				case strings.HasPrefix(rest, "LOGIN "):
					w.WriteString(tag + " OK [CAPABILITY " + caps + "] in\r\n")
				case strings.HasPrefix(rest, "APPEND "):
					gotHeader <- rest
					i := strings.LastIndexByte(rest, '{')
					n, err := strconv.ParseInt(strings.TrimSuffix(rest[i+1:len(rest)-1], "+"), 10, 64)
					if i < 0 || err != nil {
						w.WriteString(tag + " BAD what\r\n")
						return true
					}
					if !strings.HasSuffix(rest, "+}") {
						w.WriteString("+ go ahead\r\n")
						w.Flush()
					}
					if _, err := io.CopyN(io.Discard, r, n); err != nil {
						return false
					}
					r.ReadString('\n') // the end of the command line
					w.WriteString(tag + " OK [APPENDUID 7 42] stored\r\n")
				default:
					w.WriteString(tag + " OK done\r\n")
				}
				return true
			})
			ctx := mbxCtx(t)
			c := mbxDial(t, ctx, addr)
			defer c.Close()
			if err := c.Login(ctx, "alice", "secret"); err != nil {
				t.Fatal(err)
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			res, err := c.Append(ctx, "INBOX", size, &mbxPattern{}, nil)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if res.UIDValidity != 7 || res.UID != 42 {
				t.Errorf("APPENDUID %+v", res)
			}
			if h := <-gotHeader; strings.HasSuffix(h, "+}") != plus {
				t.Errorf("APPEND line %q with LITERAL+ %v", h, plus)
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			if alloc > size/4 {
				t.Errorf("appending %d octets allocated %d", size, alloc)
			}
			t.Logf("appending %d octets allocated %d", size, alloc)
		})
	}
}

// TestAppendRefused: a server without LITERAL+ refuses the literal with
// NO [TOOBIG]; the message is not sent and the connection goes on.
func TestAppendRefused(t *testing.T) {
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1] hi", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		switch {
		case strings.HasPrefix(rest, "APPEND "):
			w.WriteString(tag + " NO [TOOBIG] far too big\r\n")
		default:
			w.WriteString(tag + " OK done\r\n")
		}
		return true
	})
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	_, err := c.Append(ctx, "INBOX", 1<<30, &mbxPattern{}, nil)
	var se *imapclient.StatusError
	if !errors.Is(err, imapclient.ErrTooBig) || !errors.As(err, &se) || se.Status != "NO" {
		t.Fatalf("refused APPEND: %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatalf("NOOP after a refused APPEND: %v", err)
	}
}

// TestAppendLimit: a message over the announced APPENDLIMIT is refused
// before anything is sent.
func TestAppendLimit(t *testing.T) {
	env, rec := mbxEnv(t, func(s *imapserver.Server) { s.Limits.MaxMessageSize = 1000 })
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if limit, ok := c.Caps().AppendLimit(); !ok || limit != 1000 {
		t.Fatalf("APPENDLIMIT %d %v", limit, ok)
	}
	if _, err := c.Append(ctx, "INBOX", 1001, &mbxPattern{}, nil); !errors.Is(err, imapclient.ErrTooBig) {
		t.Fatalf("APPEND over the limit: %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rec.count("APPEND"); n != 0 {
		t.Errorf("APPEND sent %d times", n)
	}
	msg := "Subject: small\r\n\r\nok\r\n"
	if _, err := c.Append(ctx, "INBOX", int64(len(msg)), strings.NewReader(msg), nil); err != nil {
		t.Fatal(err)
	}
}
