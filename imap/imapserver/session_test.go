package imapserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

func TestGreetingCapabilityLogout(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	u := c.ok("CAPABILITY")
	if len(u) != 1 || u[0].Kind != wire.KindCapability || !u[0].Caps.Has("IMAP4rev2") {
		t.Fatalf("CAPABILITY: %s", kinds(u))
	}
	if _, r := c.do("SELECT INBOX"); r.Status != wire.StatusBAD {
		t.Errorf("SELECT before login: %s", r.Status)
	}
	if _, r := c.do("LOGIN alice wrong"); r.Status != wire.StatusNO {
		t.Errorf("wrong password: %s", r.Status)
	}
	c.login()
	u = c.ok("LOGOUT")
	if len(u) != 1 || u[0].Status != wire.StatusBYE {
		t.Errorf("LOGOUT: %s", kinds(u))
	}
}

func TestSelectAndAppend(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	msg := "Subject: hi\r\n\r\nhello\r\n"
	c.send(fmt.Sprintf("a1 APPEND INBOX (\\Seen) {%d}", len(msg)))
	if r := c.read(); r.Kind != wire.KindContinuation {
		t.Fatalf("no continuation: %+v", r)
	}
	c.send(msg[:len(msg)-2], "")
	_, r := c.until("a1")
	if r.Status != wire.StatusOK || r.Code == nil || r.Code.Name != "APPENDUID" {
		t.Fatalf("APPEND: %+v %+v", r, r.Code)
	}
	u := c.ok("SELECT INBOX")
	var exists uint32
	for _, x := range u {
		if x.Kind == wire.KindExists {
			exists = x.Num
		}
	}
	if exists != 1 {
		t.Fatalf("SELECT: EXISTS %d (%s)", exists, kinds(u))
	}
	c.ok("CLOSE")
}

// TestPipelinedNoops sends many commands before reading any response: the
// server must neither deadlock nor reorder.
func TestPipelinedNoops(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	const n = 20000
	go func() {
		var b strings.Builder
		for i := 0; i < n; i++ {
			fmt.Fprintf(&b, "p%d NOOP\r\n", i)
		}
		c.nc.Write([]byte(b.String()))
	}()
	for i := 0; i < n; i++ {
		_, r := c.until(fmt.Sprintf("p%d", i))
		if r.Status != wire.StatusOK {
			t.Fatalf("p%d: %s", i, r.Status)
		}
	}
}

// TestIdleSeesOtherSession: a message appended by another session reaches
// an IDLE client at once (RFC 2177).
func TestIdleSeesOtherSession(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	c.ok("SELECT INBOX")
	c.send("i1 IDLE")
	if r := c.read(); r.Kind != wire.KindContinuation {
		t.Fatalf("IDLE: %+v", r)
	}
	st, err := ts.backend.Open(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Append(context.Background(), "INBOX", strings.NewReader("Subject: x\r\n\r\nx\r\n"), &mailstore.AppendOptions{}); err != nil {
		t.Fatal(err)
	}
	c.nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if r := c.read(); r.Kind != wire.KindExists || r.Num != 1 {
		t.Fatalf("during IDLE: %+v", r)
	}
	c.send("DONE")
	if _, r := c.until("i1"); r.Status != wire.StatusOK {
		t.Fatalf("IDLE end: %+v", r)
	}
	c.ok("NOOP")
}

// TestShutdownSaysBye: Shutdown ends idle sessions with BYE.
func TestShutdownSaysBye(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	c.login()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	go ts.srv.Shutdown(ctx)
	if r := c.read(); r.Status != wire.StatusBYE {
		t.Fatalf("got %+v", r)
	}
}
