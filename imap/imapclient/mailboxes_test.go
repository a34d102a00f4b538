package imapclient_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/imapserver"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// This file also holds the helpers of the mailbox, append, IDLE and
// authentication tests (prefix mbx).

// mbxEnv is newEnv with a server configured by configure, and what the
// server read from its clients recorded.
func mbxEnv(t *testing.T, configure func(*imapserver.Server)) (*testEnv, *mbxRecorder) {
	t.Helper()
	return mbxEnvFrom(t, configure, nil)
}

// mbxRemote is the address the server sees clients come from with
// mbxEnvFrom: not loopback, so plaintext passwords need TLS.
var mbxRemote = &net.TCPAddr{IP: net.ParseIP("192.0.2.7"), Port: 50712}

// mbxEnvFrom is mbxEnv with clients seeming to come from remote (nil: as
// they do).
func mbxEnvFrom(t *testing.T, configure func(*imapserver.Server), remote net.Addr) (*testEnv, *mbxRecorder) {
	t.Helper()
	b := memstore.New()
	if err := b.AddUser("alice", "secret"); err != nil {
		t.Fatal(err)
	}
	srv := &imapserver.Server{Backend: b, Authenticator: b}
	if configure != nil {
		configure(srv)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rec := &mbxRecorder{}
	go srv.Serve(&mbxListener{Listener: ln, rec: rec, remote: remote})
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testEnv{addr: ln.Addr().String(), backend: b}, rec
}

// mbxRecorder keeps what the server read, up to 64 KiB.
type mbxRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (r *mbxRecorder) write(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.buf.Len() < 64<<10 {
		r.buf.Write(p)
	}
}

// count counts the occurrences of s in what was read.
func (r *mbxRecorder) count(s string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Count(r.buf.String(), s)
}

type mbxListener struct {
	net.Listener
	rec    *mbxRecorder
	remote net.Addr
}

func (l *mbxListener) Accept() (net.Conn, error) {
	nc, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &mbxConn{Conn: nc, rec: l.rec, remote: l.remote}, nil
}

type mbxConn struct {
	net.Conn
	rec    *mbxRecorder
	remote net.Addr
}

func (c *mbxConn) RemoteAddr() net.Addr {
	if c.remote != nil {
		return c.remote
	}
	return c.Conn.RemoteAddr()
}

func (c *mbxConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.rec.write(p[:n])
	return n, err
}

// mbxScripted serves one connection with a scripted server: it sends the
// greeting line, then calls handle with each command line read (without
// CRLF) until handle returns false or the client goes away.
func mbxScripted(t *testing.T, greeting string, handle func(line string, r *bufio.Reader, w *bufio.Writer) bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() {
		ln.Close()
		<-done
	})
	go func() {
		defer close(done)
		nc, err := ln.Accept()
		if err != nil {
			return
		}
		defer nc.Close()
		r, w := bufio.NewReader(nc), bufio.NewWriter(nc)
		w.WriteString(greeting + "\r\n")
		w.Flush()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			ok := handle(strings.TrimRight(line, "\r\n"), r, w)
			w.Flush()
			if !ok {
				return
			}
		}
	}()
	return ln.Addr().String()
}

func mbxCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// mbxDial connects to addr with the default options; the caller closes
// the client.
func mbxDial(t *testing.T, ctx context.Context, addr string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.Dial(ctx, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mbxNames(entries []*imapclient.ListEntry) []string {
	var names []string
	for _, e := range entries {
		names = append(names, e.Mailbox)
	}
	slices.Sort(names)
	return names
}

func mbxFind(entries []*imapclient.ListEntry, name string) *imapclient.ListEntry {
	for _, e := range entries {
		if e.Mailbox == name {
			return e
		}
	}
	return nil
}

func TestMailboxesCreateListRenameDelete(t *testing.T) {
	env := newEnv(t)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	for _, name := range []string{"Work", "Work/Reports", "Été"} {
		if err := c.Create(ctx, name, nil); err != nil {
			t.Fatalf("CREATE %s: %v", name, err)
		}
	}
	var se *imapclient.StatusError
	if err := c.Create(ctx, "Work", nil); !errors.As(err, &se) || se.Code == nil || se.Code.Name != imap.CodeAlreadyExists {
		t.Errorf("CREATE of an existing mailbox: %v", err)
	}
	all, err := c.List(ctx, "", []string{"*"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mbxNames(all), []string{"INBOX", "Work", "Work/Reports", "Été"}; !slices.Equal(got, want) {
		t.Errorf("LIST *: %v, want %v", got, want)
	}
	if e := mbxFind(all, "Work"); e == nil || e.Delim != '/' || e.Status != nil {
		t.Errorf("Work: %+v", e)
	}
	top, err := c.List(ctx, "", []string{"%"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := mbxNames(top); slices.Contains(got, "Work/Reports") || !slices.Contains(got, "Work") {
		t.Errorf("LIST %%: %v", got)
	}
	// Several patterns (LIST-EXTENDED).
	multi, err := c.List(ctx, "", []string{"INBOX", "Work/*"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mbxNames(multi), []string{"INBOX", "Work/Reports"}; !slices.Equal(got, want) {
		t.Errorf("LIST (INBOX Work/*): %v, want %v", got, want)
	}

	if err := c.Rename(ctx, "Work", "Play"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "Été"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "Nope"); !errors.As(err, &se) || se.Status != "NO" {
		t.Errorf("DELETE of a missing mailbox: %v", err)
	}
	all, err = c.List(ctx, "", []string{"*"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := mbxNames(all), []string{"INBOX", "Play", "Play/Reports"}; !slices.Equal(got, want) {
		t.Errorf("LIST * after RENAME and DELETE: %v, want %v", got, want)
	}
}

func TestMailboxesListStatus(t *testing.T) {
	env := newEnv(t)
	env.append(t, "INBOX", "Subject: one\r\n\r\nbody\r\n")
	env.append(t, "INBOX", "Subject: two\r\n\r\nbody\r\n")
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if err := c.Create(ctx, "Empty", nil); err != nil {
		t.Fatal(err)
	}
	entries, err := c.List(ctx, "", []string{"*"}, &imapclient.ListOptions{
		ReturnStatus: []imap.StatusItem{imap.StatusMessages, imap.StatusUIDNext},
	})
	if err != nil {
		t.Fatal(err)
	}
	inbox, empty := mbxFind(entries, "INBOX"), mbxFind(entries, "Empty")
	if inbox == nil || inbox.Status == nil || empty == nil || empty.Status == nil {
		t.Fatalf("LIST RETURN (STATUS): %+v %+v", inbox, empty)
	}
	if n, ok := inbox.Status.Get(imap.StatusMessages); !ok || n != 2 {
		t.Errorf("INBOX MESSAGES %d %v", n, ok)
	}
	if n, ok := inbox.Status.Get(imap.StatusUIDNext); !ok || n != 3 {
		t.Errorf("INBOX UIDNEXT %d %v", n, ok)
	}
	if n, ok := empty.Status.Get(imap.StatusMessages); !ok || n != 0 {
		t.Errorf("Empty MESSAGES %d %v", n, ok)
	}

	st, err := c.Status(ctx, "inbox", nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := st.Get(imap.StatusMessages); n != 2 {
		t.Errorf("STATUS: %+v", st)
	}
	if _, ok := st.Get(imap.StatusUIDValidity); !ok {
		t.Errorf("STATUS without UIDVALIDITY: %+v", st)
	}
	st, err = c.Status(ctx, "INBOX", []imap.StatusItem{imap.StatusSize})
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := st.Get(imap.StatusSize); !ok || n == 0 {
		t.Errorf("STATUS SIZE: %+v", st)
	}
	if _, err := c.Status(ctx, "Nope", nil); err == nil {
		t.Error("STATUS of a missing mailbox succeeded")
	}
}

func TestMailboxesSubscribeSpecialUseNamespace(t *testing.T) {
	env := newEnv(t)
	ctx := mbxCtx(t)
	c := env.login(t, nil)
	if err := c.Create(ctx, "Sent Items", &imapclient.CreateOptions{SpecialUse: []imap.MailboxAttr{imap.AttrSent}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "Other", nil); err != nil {
		t.Fatal(err)
	}
	su, err := c.List(ctx, "", []string{"*"}, &imapclient.ListOptions{SelectOpts: []string{"SPECIAL-USE"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := mbxFind(su, "Sent Items"); e == nil || !slices.Contains(e.Attrs, imap.AttrSent) || mbxFind(su, "Other") != nil {
		t.Errorf("LIST (SPECIAL-USE): %v", mbxNames(su))
	}

	if err := c.Subscribe(ctx, "Other"); err != nil {
		t.Fatal(err)
	}
	sub, err := c.List(ctx, "", []string{"*"}, &imapclient.ListOptions{SelectOpts: []string{"SUBSCRIBED"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := mbxFind(sub, "Other"); e == nil || !slices.Contains(e.Attrs, imap.AttrSubscribed) {
		t.Errorf("LIST (SUBSCRIBED): %v", mbxNames(sub))
	}
	lsub, err := c.Lsub(ctx, "", "*")
	if err != nil {
		t.Fatal(err)
	}
	if mbxFind(lsub, "Other") == nil {
		t.Errorf("LSUB: %v", mbxNames(lsub))
	}
	if err := c.Unsubscribe(ctx, "Other"); err != nil {
		t.Fatal(err)
	}
	lsub, err = c.Lsub(ctx, "", "*")
	if err != nil {
		t.Fatal(err)
	}
	if mbxFind(lsub, "Other") != nil {
		t.Errorf("LSUB after UNSUBSCRIBE: %v", mbxNames(lsub))
	}

	ns, err := c.Namespace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Errorf("NAMESPACE: %+v", ns)
	}
}
