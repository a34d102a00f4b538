package pop3client_test

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/pop3"
	"github.com/mailaccess/mailaccess/pop3/pop3client"
)

// The two messages of the RFC 1939 §10 session, 120 and 200 octets.
var (
	rfcMsg1 = strings.Repeat("x", 88) + "\r\n" + "Subject: one\r\n" + "\r\n" + "Body.\r\n" + "..dot\r\n"
	rfcMsg2 = strings.Repeat("y", 198) + "\r\n"
)

// stuff dot-stuffs content for a script.
func stuff(content string) string {
	lines := strings.SplitAfter(content, "\r\n")
	var b strings.Builder
	for _, l := range lines {
		if l == "" {
			continue
		}
		b.WriteString("S: ")
		if strings.HasPrefix(l, ".") {
			b.WriteByte('.')
		}
		b.WriteString(strings.TrimSuffix(l, "\r\n"))
		b.WriteString("\n")
	}
	return b.String()
}

// TestRFC1939Session plays the example session of RFC 1939 §10 as the
// client sees it. The server is an RFC 1939 server: CAPA is unknown.
func TestRFC1939Session(t *testing.T) {
	if len(rfcMsg1) != 120 || len(rfcMsg2) != 200 {
		t.Fatalf("message sizes %d %d", len(rfcMsg1), len(rfcMsg2))
	}
	addr := scripted(t, `
		S: +OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>
		C: CAPA
		S: -ERR unknown command
		C: APOP mrose c4c9334bac560ecc979e58001b3e22fb
		S: +OK mrose's maildrop has 2 messages (320 octets)
		C: STAT
		S: +OK 2 320
		C: LIST
		S: +OK 2 messages (320 octets)
		S: 1 120
		S: 2 200
		S: .
		C: RETR 1
		S: +OK 120 octets
		`+stuff(rfcMsg1)+`
		S: .
		C: DELE 1
		S: +OK message 1 deleted
		C: RETR 2
		S: +OK 200 octets
		`+stuff(rfcMsg2)+`
		S: .
		C: DELE 2
		S: +OK message 2 deleted
		C: QUIT
		S: +OK dewey POP3 server signing off (maildrop empty)
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	if got := c.Greeting().Timestamp(); got != "<1896.697170952@dbc.mtview.ca.us>" {
		t.Errorf("timestamp %q", got)
	}
	if len(c.Caps()) != 0 {
		t.Errorf("caps of an RFC 1939 server: %v", c.Caps())
	}
	if err := c.APOP(ctx, "mrose", "tanstaaf"); err != nil {
		t.Fatalf("APOP: %v", err)
	}
	if c.State() != pop3.Transaction {
		t.Errorf("state %v", c.State())
	}
	st, err := c.Stat(ctx)
	if err != nil || st != (pop3.DropListing{Count: 2, Size: 320}) {
		t.Fatalf("STAT: %v %v", st, err)
	}
	l, err := c.List(ctx)
	if err != nil || !reflect.DeepEqual(l, []pop3.ScanListing{{Msg: 1, Size: 120}, {Msg: 2, Size: 200}}) {
		t.Fatalf("LIST: %v %v", l, err)
	}
	for i, want := range []string{rfcMsg1, rfcMsg2} {
		b, err := c.Retr(ctx, i+1)
		if err != nil {
			t.Fatalf("RETR %d: %v", i+1, err)
		}
		got, err := io.ReadAll(b)
		if err != nil || string(got) != want {
			t.Errorf("RETR %d: %q %v, want %q", i+1, got, err, want)
		}
		if b.Status.Text != []string{"120 octets", "200 octets"}[i] {
			t.Errorf("RETR status %+v", b.Status)
		}
		if err := b.Close(); err != nil {
			t.Error(err)
		}
		if err := c.Dele(ctx, i+1); err != nil {
			t.Fatalf("DELE: %v", err)
		}
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
	if c.State() != pop3.Update {
		t.Errorf("state after QUIT %v", c.State())
	}
	if err := c.Noop(ctx); !errors.Is(err, pop3client.ErrClosed) {
		t.Errorf("NOOP after QUIT: %v", err)
	}
}

// TestEveryCommand runs each method against a script.
func TestEveryCommand(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: +OK
		S: USER
		S: UTF8 USER
		S: RESP-CODES
		S: .
		C: UTF8
		S: +OK UTF8 enabled
		C: USER alice
		S: +OK
		C: PASS secret pass
		S: -ERR [IN-USE] maildrop locked
		C: USER alice
		S: +OK
		C: PASS secret pass
		S: +OK logged in
		C: CAPA
		S: +OK
		S: TOP
		S: UIDL
		S: EXPIRE 30
		S: .
		C: STAT
		S: +OK 3 600
		C: LIST 2
		S: +OK 2 200
		C: LIST 9
		S: -ERR no such message
		C: UIDL
		S: +OK
		S: 1 whqtswO00WBw418f9t5JxYwZ
		S: 2 QhdPYR:00WBw1Ph7x7
		S: 3 u3
		S: .
		C: UIDL 2
		S: +OK 2 QhdPYR:00WBw1Ph7x7
		C: TOP 1 1
		S: +OK top follows
		S: Subject: x
		S:
		S: line 1
		S: .
		C: NOOP
		S: +OK
		C: DELE 1
		S: +OK deleted
		C: RSET
		S: +OK maildrop has 3 messages
		C: DELE 3
		S: +OK
		C: QUIT
		S: -ERR [SYS/TEMP] some deleted messages not removed
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	if !c.Caps().Has(pop3.CapUTF8) || c.Caps().Has(pop3.CapTop) {
		t.Errorf("caps before login: %v", c.Caps())
	}
	if err := c.UTF8(ctx); err != nil {
		t.Fatal(err)
	}
	err := c.Login(ctx, "alice", "secret pass")
	if !errors.Is(err, &pop3.Error{Code: pop3.CodeInUse}) || errors.Is(err, &pop3.Error{Code: pop3.CodeAuth}) {
		t.Fatalf("Login to a locked maildrop: %v", err)
	}
	var pe *pop3.Error
	if !errors.As(err, &pe) || pe.Text != "maildrop locked" {
		t.Errorf("error %#v", err)
	}
	if c.State() != pop3.Authorization {
		t.Errorf("state %v", c.State())
	}
	if err := c.Login(ctx, "alice", "secret pass"); err != nil {
		t.Fatal(err)
	}
	// Capabilities re-read after authentication (RFC 2449 §5).
	if !c.Caps().Has(pop3.CapTop) || c.Caps().Has(pop3.CapUTF8) {
		t.Errorf("caps after login: %v", c.Caps())
	}
	if exp, _ := c.Caps().Get(pop3.CapExpire); !reflect.DeepEqual(exp.Params, []string{"30"}) {
		t.Errorf("EXPIRE %v", exp)
	}
	if st, err := c.Stat(ctx); err != nil || st.Count != 3 || st.Size != 600 {
		t.Errorf("STAT %v %v", st, err)
	}
	if s, err := c.ListOne(ctx, 2); err != nil || s != (pop3.ScanListing{Msg: 2, Size: 200}) {
		t.Errorf("LIST 2: %v %v", s, err)
	}
	if _, err := c.ListOne(ctx, 9); !errors.Is(err, &pop3.Error{}) {
		t.Errorf("LIST 9: %v", err)
	}
	u, err := c.UIDL(ctx)
	if err != nil || len(u) != 3 || u[1] != (pop3.UniqueID{Msg: 2, UID: "QhdPYR:00WBw1Ph7x7"}) {
		t.Errorf("UIDL %v %v", u, err)
	}
	if u, err := c.UIDLOne(ctx, 2); err != nil || u.UID != "QhdPYR:00WBw1Ph7x7" {
		t.Errorf("UIDL 2: %v %v", u, err)
	}
	b, err := c.Top(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(b); string(got) != "Subject: x\r\n\r\nline 1\r\n" {
		t.Errorf("TOP: %q", got)
	}
	b.Close()
	for _, f := range []func(context.Context) error{
		c.Noop,
		func(ctx context.Context) error { return c.Dele(ctx, 1) },
		c.Rset,
		func(ctx context.Context) error { return c.Dele(ctx, 3) },
	} {
		if err := f(ctx); err != nil {
			t.Fatal(err)
		}
	}
	err = c.Quit(ctx)
	if !errors.Is(err, &pop3.Error{Code: pop3.CodeSys}) {
		t.Errorf("QUIT -ERR: %v", err)
	}
	if !errors.Is(c.Err(), pop3client.ErrClosed) {
		t.Errorf("after QUIT: %v", c.Err())
	}
	select {
	case <-c.Done():
	default:
		t.Error("Done not closed after QUIT")
	}
}

// TestInvalidArguments: nothing is sent for a bad argument, and the
// connection goes on.
func TestInvalidArguments(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: NOOP
		S: +OK
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	for name, err := range map[string]error{
		"USER with CRLF": c.User(ctx, "a\r\nDELE 1"),
		"PASS empty":     c.Pass(ctx, ""),
		"RETR 0":         func() error { _, err := c.Retr(ctx, 0); return err }(),
		"TOP -1 lines":   func() error { _, err := c.Top(ctx, 1, -1); return err }(),
		"DELE -3":        c.Dele(ctx, -3),
		"RetrEach 0":     c.RetrEach(ctx, []int{1, 0}, nil),
	} {
		if !errors.Is(err, pop3.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := c.APOP(ctx, "u", "s"); !errors.Is(err, pop3client.ErrNoTimestamp) {
		t.Errorf("APOP without timestamp: %v", err)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGreetingErr(t *testing.T) {
	addr := scripted(t, `S: -ERR [SYS/TEMP] try later`)
	_, err := pop3client.Dial(ctxT(t), addr, nil)
	if !errors.Is(err, &pop3.Error{Code: pop3.CodeSysTemp}) {
		t.Fatalf("Dial: %v", err)
	}
}

// TestMalformedStatusCloses: a status line that is neither +OK nor -ERR
// leaves the client unable to tell where the answer ends.
func TestMalformedStatusCloses(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: RETR 1
		S: 220 smtp.example.com ESMTP
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	_, err := c.Retr(ctx, 1)
	if !errors.Is(err, pop3client.ErrClosed) || !errors.Is(err, pop3.ErrSyntax) {
		t.Fatalf("RETR: %v", err)
	}
	if err := c.Noop(ctx); !errors.Is(err, pop3client.ErrClosed) {
		t.Errorf("NOOP: %v", err)
	}
}

// TestLenientListing: a malformed line of a listing is reported and
// skipped, and the rest returned; strict mode fails the command but
// stays in step.
func TestLenientListing(t *testing.T) {
	const script = `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: LIST
		S: +OK
		S: 1 100
		S: garbage here
		S: 3 300
		S: .
		C: UIDL
		S: +OK
		S: 1 a
		S: x b
		S: 3 c
		S: .
		C: NOOP
		S: +OK
	`
	t.Run("lenient", func(t *testing.T) {
		var reported []error
		c := dial(t, scripted(t, script), &pop3client.Options{ErrorHandler: func(err error) { reported = append(reported, err) }})
		ctx := ctxT(t)
		l, err := c.List(ctx)
		if err != nil || !reflect.DeepEqual(l, []pop3.ScanListing{{Msg: 1, Size: 100}, {Msg: 3, Size: 300}}) {
			t.Errorf("LIST: %v %v", l, err)
		}
		u, err := c.UIDL(ctx)
		if err != nil || !reflect.DeepEqual(u, []pop3.UniqueID{{Msg: 1, UID: "a"}, {Msg: 3, UID: "c"}}) {
			t.Errorf("UIDL: %v %v", u, err)
		}
		if len(reported) != 2 || !errors.Is(reported[0], pop3.ErrSyntax) {
			t.Errorf("reported %v", reported)
		}
		noopOK(t, ctx, c)
	})
	t.Run("strict", func(t *testing.T) {
		c := dial(t, scripted(t, script), &pop3client.Options{Mode: pop3.Strict})
		ctx := ctxT(t)
		l, err := c.List(ctx)
		if !errors.Is(err, pop3.ErrSyntax) || len(l) != 2 {
			t.Errorf("LIST: %v %v", l, err)
		}
		if _, err := c.UIDL(ctx); !errors.Is(err, pop3.ErrSyntax) {
			t.Errorf("UIDL: %v", err)
		}
		noopOK(t, ctx, c)
	})
}

// TestListingLimits: MaxLine and MaxListing.
func TestListingLimits(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: LIST
		S: +OK
		S: 1 100
		S: 2 `+strings.Repeat("9", 300)+`
		S: 3 300
		S: 4 400
		S: .
		C: NOOP
		S: +OK
	`)
	var reported []error
	c := dial(t, addr, &pop3client.Options{MaxLine: 100, MaxListing: 2, ErrorHandler: func(err error) { reported = append(reported, err) }})
	ctx := ctxT(t)
	l, err := c.List(ctx)
	if !errors.Is(err, pop3client.ErrListingTooLong) || len(l) != 2 || l[1].Msg != 3 {
		t.Errorf("LIST: %v %v", l, err)
	}
	if len(reported) != 1 || !errors.Is(reported[0], pop3.ErrLineTooLong) {
		t.Errorf("reported %v", reported)
	}
	noopOK(t, ctx, c)
}

// TestDotUnstuffing: stuffed dots are removed, CRLF and bare LF kept, a
// line of dots and a line that is only "." inside the body survive.
func TestDotUnstuffing(t *testing.T) {
	addr := serve(t, func(f *fakeConn) {
		f.play(`
			S: +OK ready
			C: CAPA
			S: -ERR
			C: RETR 1
		`)
		f.send("+OK\r\n..\r\n...\r\n..leading\r\nmid.dle\r\nbare\nlf\r\n.\r\n")
		f.play(`
			C: RETR 2
			S: +OK empty
			S: .
			C: NOOP
			S: +OK
		`)
	})
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(b)
	if want := ".\r\n..\r\n.leading\r\nmid.dle\r\nbare\nlf\r\n"; err != nil || string(got) != want {
		t.Errorf("body %q %v, want %q", got, err, want)
	}
	b.Close()
	if _, err := b.Read(make([]byte, 1)); !errors.Is(err, pop3client.ErrBodyClosed) {
		t.Errorf("Read after Close: %v", err)
	}
	b, err = c.Retr(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(b); err != nil || len(got) != 0 {
		t.Errorf("empty body %q %v", got, err)
	}
	b.Close()
	noopOK(t, ctx, c)
}

// TestBodyCloseDrains: closing a body half read lets the next command
// read its answer.
func TestBodyCloseDrains(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: RETR 1
		S: +OK
		S: line one
		S: .line two
		S: line three
		S: .
		C: STAT
		S: +OK 1 10
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	b, err := c.Retr(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(b, buf); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if st, err := c.Stat(ctx); err != nil || st.Count != 1 {
		t.Errorf("STAT after Close: %v %v", st, err)
	}
}

// TestRetrErr: -ERR to RETR is a *pop3.Error and the connection goes on.
func TestRetrErr(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: -ERR
		C: RETR 7
		S: -ERR no such message
		C: NOOP
		S: +OK
	`)
	ctx := ctxT(t)
	c := dial(t, addr, nil)
	if _, err := c.Retr(ctx, 7); !errors.Is(err, &pop3.Error{}) {
		t.Errorf("RETR 7: %v", err)
	}
	noopOK(t, ctx, c)
}

// TestErrorHandlerCommand: a command issued from the ErrorHandler, which
// runs while the listing is read, fails instead of waiting for itself.
func TestErrorHandlerCommand(t *testing.T) {
	addr := scripted(t, `
		S: +OK ready
		C: CAPA
		S: +OK
		S: PIPELINING
		S: .
		C: LIST
		S: +OK
		S: bad
		S: .
		C: NOOP
		S: +OK
	`)
	var c *pop3client.Client
	var fromHandler error
	c = dial(t, addr, &pop3client.Options{ErrorHandler: func(error) { fromHandler = c.Noop(context.Background()) }})
	ctx := ctxT(t)
	if l, err := c.List(ctx); err != nil || len(l) != 0 {
		t.Fatalf("LIST: %v %v", l, err)
	}
	if fromHandler != pop3client.ErrBodyOpen {
		t.Errorf("NOOP from the handler: %v", fromHandler)
	}
	noopOK(t, ctx, c)
}
