package imapserver

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
)

// The RFC 3501 §8 sample session, as the examples keep it.
const (
	rfc3501Client = "../../examples/imapwire/testdata/rfc3501-session.client.txt"
	rfc3501Server = "../../examples/imapwire/testdata/rfc3501-session.server.txt"
)

// rfc3501Transcript decodes the server side of the sample session and
// groups its responses by the tag that completes them.
func rfc3501Transcript(t *testing.T) map[string][]*wire.Response {
	t.Helper()
	data, err := os.ReadFile(rfc3501Server)
	if err != nil {
		t.Fatal(err)
	}
	dec := wire.NewDecoder(bufio.NewReader(bytes.NewReader(data)), nil)
	out := map[string][]*wire.Response{}
	var pending []*wire.Response
	greeting := true
	for {
		r := &wire.Response{}
		if err := dec.ReadResponse(r); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("transcript: %v", err)
		}
		if greeting {
			greeting = false
			continue
		}
		pending = append(pending, r)
		if r.Kind == wire.KindStatus && r.Tag != "" {
			out[r.Tag] = pending
			pending = nil
		}
	}
	return out
}

// rfc3501Mailbox fills INBOX as the sample session finds it: 18
// messages, 2 of them recent, the first unseen one 17, and message 12 the
// one the session fetches, with the header of the transcript and a body
// of 3028 octets in 92 lines, as its BODY says.
func rfc3501Mailbox(t *testing.T, e *msgEnv, header string) {
	t.Helper()
	var body strings.Builder
	for i := 0; i < 92; i++ {
		n := 31
		if i >= 84 {
			n = 30
		}
		body.WriteString(strings.Repeat(string(rune('a'+i%26)), n) + "\r\n")
	}
	if body.Len() != 3028 {
		t.Fatalf("body of %d octets", body.Len())
	}
	date := time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))
	add := func(msg string, flags ...imap.Flag) {
		t.Helper()
		if _, err := e.st.Append(context.Background(), "INBOX", strings.NewReader(msg),
			&mailstore.AppendOptions{Flags: flags, InternalDate: date}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= 16; i++ {
		if i == 12 {
			add(header+body.String(), imap.FlagSeen)
			continue
		}
		add(msgCRLF(fmt.Sprintf("Subject: message %d\n\nbody %d\n", i, i)), imap.FlagSeen)
	}
	// A read-write view takes \Recent from the first 16.
	mb, err := e.st.OpenMailbox(context.Background(), "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	mb.Close()
	add(msgCRLF("Subject: message 17\n\nbody\n"))
	add(msgCRLF("Subject: message 18\n\nbody\n"))
}

// TestRFC3501SampleSession replays the client side of the RFC 3501 §8
// sample session against a mailbox made to match it, and checks each
// command's responses against the transcript: the same kinds of response,
// the same numbers, the same ENVELOPE, BODY and header text, and the same
// completion. What the server may choose (UIDVALIDITY, the completion
// texts) and what the transcript does not show (PERMANENTFLAGS, UIDNEXT)
// are let be; RFC822.SIZE is the size of the message made here (the RFC's
// 4286 does not add up with its own BODY and header).
func TestRFC3501SampleSession(t *testing.T) {
	want := rfc3501Transcript(t)
	hdr := msgFetches(want["a004"])
	if len(hdr) != 1 {
		t.Fatal("transcript: no BODY[HEADER]")
	}
	header := hdr[0].Items[0].Data.S

	e := newMsgEnv(t)
	rfc3501Mailbox(t, e, header)
	script, err := os.ReadFile(rfc3501Client)
	if err != nil {
		t.Fatal(err)
	}
	c := e.ts.dial(t)
	got := map[string][]*wire.Response{}
	for _, line := range strings.Split(strings.TrimSpace(string(script)), "\n") {
		line = strings.TrimRight(line, "\r")
		tag, _, _ := strings.Cut(line, " ")
		// Our user, not the RFC's.
		line = strings.Replace(line, "login mrc secret", "login alice secret", 1)
		c.send(line)
		u, r := c.until(tag)
		got[tag] = append(u, r)
	}

	for _, tag := range []string{"a001", "a002", "a003", "a004", "a005", "a006"} {
		g, w := got[tag], want[tag]
		if g == nil {
			t.Fatalf("%s: no responses", tag)
		}
		// The completion.
		gr, wr := g[len(g)-1], w[len(w)-1]
		// A code the transcript shows must be there; the server may add
		// one (CAPABILITY after LOGIN).
		if gr.Status != wr.Status || (wr.Code != nil && (gr.Code == nil || gr.Code.Name != wr.Code.Name)) {
			t.Errorf("%s: completion %s %+v, transcript %s %+v", tag, gr.Status, gr.Code, wr.Status, wr.Code)
		}
		// Every untagged response of the transcript has its match.
		for _, wu := range w[:len(w)-1] {
			if !rfc3501HasMatch(g[:len(g)-1], wu) {
				t.Errorf("%s: no match for transcript response %s %+v %+v", tag, wu.Kind, wu.Code, wu.Fetch)
			}
		}
	}

	// a003 FETCH 12 FULL, item by item.
	gf, wf := msgFetches(got["a003"]), msgFetches(want["a003"])
	if len(gf) != 1 || len(wf) != 1 {
		t.Fatalf("a003: %d FETCH responses", len(gf))
	}
	if msgItemNames(gf[0]) != msgItemNames(wf[0]) {
		t.Errorf("a003 items %q, transcript %q", msgItemNames(gf[0]), msgItemNames(wf[0]))
	}
	if g, w := gf[0].Item(imap.FetchFlags).Flags, wf[0].Item(imap.FetchFlags).Flags; !reflect.DeepEqual(g, w) {
		t.Errorf("a003 FLAGS %v, transcript %v", g, w)
	}
	if g, w := gf[0].Item(imap.FetchInternalDate).Time, wf[0].Item(imap.FetchInternalDate).Time; !g.Equal(w) {
		t.Errorf("a003 INTERNALDATE %v, transcript %v", g, w)
	}
	if g := gf[0].Item(imap.FetchRFC822Size).Num; g != uint64(len(header)+3028) {
		t.Errorf("a003 RFC822.SIZE %d", g)
	}
	if g, w := gf[0].Item(imap.FetchEnvelope).Envelope, wf[0].Item(imap.FetchEnvelope).Envelope; !reflect.DeepEqual(g, w) {
		t.Errorf("a003 ENVELOPE\n got %+v\nwant %+v", g, w)
	}
	if g, w := rfc3501Body(gf[0].Item(imap.FetchBody).Body), rfc3501Body(wf[0].Item(imap.FetchBody).Body); g != w {
		t.Errorf("a003 BODY\n got %s\nwant %s", g, w)
	}

	// a004 FETCH 12 BODY[HEADER]: the header as sent; \Seen was set
	// already, so no FLAGS.
	gf = msgFetches(got["a004"])
	if len(gf) != 1 || msgItemNames(gf[0]) != "BODY[]" || msgSectionString(&gf[0].Items[0].Section) != "HEADER" ||
		gf[0].Items[0].Data.S != header {
		t.Errorf("a004: %+v", gf)
	}

	// a005 STORE 12 +FLAGS \Deleted.
	gf, wf = msgFetches(got["a005"]), msgFetches(want["a005"])
	if len(gf) != 1 || gf[0].Seq != 12 || !msgSameFlags(gf[0].Item(imap.FetchFlags).Flags, msgFlagString(wf[0].Item(imap.FetchFlags).Flags)) {
		t.Errorf("a005: %s, transcript %s", msgFlagString(gf[0].Item(imap.FetchFlags).Flags), msgFlagString(wf[0].Item(imap.FetchFlags).Flags))
	}
}

// rfc3501HasMatch reports whether rs has a response of the same kind as
// w, with the same number, flags, code, or FETCH sequence number.
func rfc3501HasMatch(rs []*wire.Response, w *wire.Response) bool {
	for _, r := range rs {
		if r.Kind != w.Kind {
			continue
		}
		switch w.Kind {
		case wire.KindExists, wire.KindRecent, wire.KindExpunge:
			if r.Num == w.Num {
				return true
			}
		case wire.KindFlags:
			if msgSameFlags(r.Flags, msgFlagString(w.Flags)) {
				return true
			}
		case wire.KindStatus:
			if r.Status != w.Status {
				continue
			}
			if w.Code == nil {
				return true
			}
			if r.Code != nil && r.Code.Name == w.Code.Name &&
				(w.Code.Name == imap.CodeUIDValidity || r.Code.Num == w.Code.Num) {
				return true
			}
		case wire.KindFetch:
			if r.Fetch.Seq == w.Fetch.Seq {
				return true
			}
		default:
			return true
		}
	}
	return false
}

// rfc3501Body prints a BODY structure with the media type, subtype and
// parameter names in upper case: RFC 3501's example shows them as the
// message sent them, which a server may keep or fold.
func rfc3501Body(b *imap.BodyStructure) string {
	if b == nil {
		return "<nil>"
	}
	var params []string
	for _, p := range b.Params {
		params = append(params, strings.ToUpper(p.Key)+"="+p.Value)
	}
	return fmt.Sprintf("%s/%s %v id=%v desc=%v enc=%s size=%d lines=%d parts=%d",
		strings.ToUpper(b.Type), strings.ToUpper(b.Subtype), params, b.ID, b.Description,
		strings.ToUpper(b.Encoding), b.Size, b.Lines, len(b.Parts))
}
