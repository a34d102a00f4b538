package imapclient_test

import (
	"bufio"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// quirkCoremail scripts a Coremail server (163.com) as reported: SELECT
// and EXAMINE are refused with "Unsafe Login" until the client has sent
// ID. It returns the address and the command lines read (without tags).
func quirkCoremail(t *testing.T, greeting string) (string, func() []string) {
	var mu sync.Mutex
	var lines []string
	identified := false
	addr := mbxScripted(t, greeting, func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, rest, _ := strings.Cut(line, " ")
		verb, _, _ := strings.Cut(rest, " ")
		mu.Lock()
		lines = append(lines, rest)
		mu.Unlock()
		switch verb {
		case "CAPABILITY":
			w.WriteString("* CAPABILITY IMAP4rev1 XLIST SPECIAL-USE ID LITERAL+ STARTTLS XAPPLEPUSHSERVICE UIDPLUS X-CM-EXT-1\r\n")
		case "ID":
			identified = true
			w.WriteString(`* ID ("name" "Coremail Imap" "vendor" "Mailtech" "TransID" "3PmVJQB3bjS5RERX")` + "\r\n")
		case "SELECT", "EXAMINE":
			if !identified {
				w.WriteString(tag + " NO " + verb + " Unsafe Login. Please contact kefu@188.com for help\r\n")
				return true
			}
			w.WriteString("* 2 EXISTS\r\n* OK [UIDVALIDITY 1700000000] UIDs valid\r\n")
		}
		w.WriteString(tag + " OK " + verb + " completed\r\n")
		return true
	})
	return addr, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), lines...)
	}
}

// TestQuirkIDBeforeSelectOnRefusal: a server that refuses SELECT with
// "Unsafe Login" gets ID, then the SELECT again; later SELECTs go out
// without ID.
func TestQuirkIDBeforeSelectOnRefusal(t *testing.T) {
	addr, lines := quirkCoremail(t, "* OK [CAPABILITY IMAP4rev1 ID] IMAP4 ready")
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	if q := c.Quirks(); q != 0 {
		t.Fatalf("quirks before the refusal: %v", q)
	}
	mb, err := c.Select(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mb.Count() != 2 {
		t.Errorf("view count %d", mb.Count())
	}
	if q := c.Quirks(); q != imapclient.QuirkIDBeforeSelect {
		t.Errorf("quirks after the refusal: %v", q)
	}
	if _, err := c.Select(ctx, "INBOX", &imapclient.SelectOptions{ReadOnly: true}); err != nil {
		t.Fatal(err)
	}
	want := []string{"SELECT INBOX", `ID ("name" "mailaccess")`, "SELECT INBOX", "EXAMINE INBOX"}
	if got := lines(); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("server read %q, want %q", got, want)
	}
}

// TestQuirkIDBeforeSelectDetected: a Coremail greeting or the X-CM-EXT-1
// capability turns the quirk on, and ID (Options.ClientID) goes out
// before the first SELECT; with detection off, the refusal stands.
func TestQuirkIDBeforeSelectDetected(t *testing.T) {
	ctx := mbxCtx(t)
	t.Run("greeting", func(t *testing.T) {
		addr, lines := quirkCoremail(t, "* OK Coremail System IMap Server Ready(163com[726cd87d72d896a1ac393507346040fa])")
		c, err := imapclient.Dial(ctx, addr, &imapclient.Options{
			ClientID: []imap.IDParam{{Key: "name", Value: imap.Str("example")}, {Key: "version", Value: imap.Str("1.0")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if q := c.Quirks(); q != imapclient.QuirkIDBeforeSelect {
			t.Fatalf("quirks: %v", q)
		}
		if _, err := c.Select(ctx, "INBOX", nil); err != nil {
			t.Fatal(err)
		}
		want := []string{`ID ("name" "example" "version" "1.0")`, "SELECT INBOX"}
		if got := lines(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("server read %q, want %q", got, want)
		}
	})
	t.Run("capability", func(t *testing.T) {
		addr, _ := quirkCoremail(t, "* OK IMAP4 ready")
		c := mbxDial(t, ctx, addr)
		defer c.Close()
		if _, err := c.Capability(ctx); err != nil {
			t.Fatal(err)
		}
		if q := c.Quirks(); q != imapclient.QuirkIDBeforeSelect {
			t.Fatalf("quirks: %v", q)
		}
	})
	t.Run("detection off", func(t *testing.T) {
		addr, lines := quirkCoremail(t, "* OK Coremail System IMap Server Ready(163com[726cd87d72d896a1ac393507346040fa])")
		c, err := imapclient.Dial(ctx, addr, &imapclient.Options{NoQuirkDetection: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_, err = c.Select(ctx, "INBOX", nil)
		var se *imapclient.StatusError
		if !errors.As(err, &se) || se.Status != "NO" {
			t.Fatalf("SELECT: %v", err)
		}
		if q := c.Quirks(); q != 0 {
			t.Errorf("quirks: %v", q)
		}
		if got := lines(); len(got) != 1 {
			t.Errorf("server read %q", got)
		}
	})
}

// TestQuirkPipelineLimit: on Exchange (detected from its greeting) no
// more than 25 commands are in flight; the others wait for a slot.
func TestQuirkPipelineLimit(t *testing.T) {
	const limit, n = 25, 60
	var read atomic.Int32
	release := make(chan struct{})
	var releaseOnce sync.Once
	var held []string
	released := false
	addr := mbxScripted(t, "* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAANgBDAEEAMAAwADUAOAAuAGUAdQByAHAAcgBkADAANgAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		tag, _, _ := strings.Cut(line, " ")
		read.Add(1)
		held = append(held, tag)
		if len(held) == limit && !released {
			// Hold the answers until the test has seen the others wait.
			<-release
			released = true
		}
		if released {
			for _, tag := range held {
				w.WriteString(tag + " OK NOOP completed.\r\n")
			}
			held = nil
		}
		return true
	})
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	ctx := mbxCtx(t)
	c := mbxDial(t, ctx, addr)
	defer c.Close()
	if q := c.Quirks(); q != imapclient.QuirkPipelineLimit {
		t.Fatalf("quirks: %v", q)
	}
	errs := make(chan error, n)
	for range n {
		go func() { errs <- c.Noop(ctx) }()
	}
	idleWaitFor(t, "the commands beyond the limit to wait", func() bool {
		users, inflight := c.CountsForTest()
		if inflight > limit {
			t.Fatalf("%d commands in flight", inflight)
		}
		return users == n && inflight == limit && read.Load() == limit
	})
	releaseOnce.Do(func() { close(release) })
	for range n {
		if err := idleRecv(t, "NOOP", errs); err != nil {
			t.Fatal(err)
		}
	}
	if got := read.Load(); got != n {
		t.Errorf("server read %d commands", got)
	}
}

// TestQuirkEnvelopePlaceholders: Dovecot's MISSING_MAILBOX and
// MISSING_DOMAIN become empty strings; with detection off they stay.
func TestQuirkEnvelopePlaceholders(t *testing.T) {
	for _, tc := range []struct {
		name          string
		opts          *imapclient.Options
		mailbox, host string
	}{
		{"detected", nil, "", ""},
		{"detection off", &imapclient.Options{NoQuirkDetection: true}, "MISSING_MAILBOX", "MISSING_DOMAIN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 IDLE] Dovecot ready.", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
				tag, rest, _ := strings.Cut(line, " ")
				switch {
				case strings.HasPrefix(rest, "SELECT"):
					w.WriteString("* 1 EXISTS\r\n")
				case strings.HasPrefix(rest, "FETCH"):
					w.WriteString(`* 1 FETCH (ENVELOPE ("Mon, 7 Feb 1994 21:52:25 -0800" "hi" (("Ann" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) NIL NIL ((NIL NIL "bob" "example.org")) NIL NIL NIL NIL)` +
						` BODYSTRUCTURE ("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 40 (NIL "inner" ((NIL NIL "carol" "MISSING_DOMAIN")) NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 4 1) 3))` + "\r\n")
				}
				w.WriteString(tag + " OK done\r\n")
				return true
			})
			ctx := mbxCtx(t)
			c, err := imapclient.Dial(ctx, addr, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := c.Select(ctx, "INBOX", nil); err != nil {
				t.Fatal(err)
			}
			res, err := c.FetchAll(ctx, imap.NumSetOf(1), false, []imap.FetchAttr{{Kind: imap.FetchEnvelope}, {Kind: imap.FetchBodyStructure}}, nil)
			if err != nil || len(res) != 1 || res[0].Envelope == nil || res[0].BodyStructure == nil {
				t.Fatalf("FETCH: %v %v", res, err)
			}
			from := res[0].Envelope.From[0]
			if from.Mailbox != imap.Str(tc.mailbox) || from.Host != imap.Str(tc.host) || from.Name != imap.Str("Ann") {
				t.Errorf("From: %+v", from)
			}
			if to := res[0].Envelope.To[0]; to.Addr() != "bob@example.org" {
				t.Errorf("To: %+v", to)
			}
			inner := res[0].BodyStructure.Envelope
			if inner == nil || inner.From[0].Host != imap.Str(tc.host) || inner.From[0].Mailbox != imap.Str("carol") {
				t.Errorf("inner envelope: %+v", inner)
			}
		})
	}
}

func TestQuirkString(t *testing.T) {
	for q, want := range map[imapclient.Quirk]string{
		0:                                 "none",
		imapclient.QuirkIDBeforeSelect:    "IDBeforeSelect",
		imapclient.QuirkPipelineLimit | 1: "IDBeforeSelect|PipelineLimit",
		imapclient.QuirkEnvelopePlaceholders | 1<<31: "EnvelopePlaceholders|unknown",
	} {
		if got := q.String(); got != want {
			t.Errorf("%d: %q, want %q", uint32(q), got, want)
		}
	}
}
