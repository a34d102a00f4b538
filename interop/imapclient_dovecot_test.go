package interop

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mime"
)

// icMessages are the messages TestImapclientDovecot appends to INBOX, in
// order: a thread of three (by References), a multipart, and an unrelated
// one. Subjects sort as: "alpha", "Re: alpha", "Re: Re: alpha" (base
// subject alpha), "beta multipart", "gamma".
var icMessages = []string{
	"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: alpha\r\n" +
		"Date: Mon, 01 Jan 2024 10:00:00 +0000\r\nMessage-ID: <a1@example.org>\r\n\r\nFirst.\r\n",
	"From: Bob <bob@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: Re: alpha\r\n" +
		"Date: Mon, 01 Jan 2024 11:00:00 +0000\r\nMessage-ID: <a2@example.org>\r\n" +
		"In-Reply-To: <a1@example.org>\r\nReferences: <a1@example.org>\r\n\r\nSecond.\r\n",
	"From: Carol <carol@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: gamma\r\n" +
		"Date: Tue, 02 Jan 2024 09:00:00 +0000\r\nMessage-ID: <g1@example.org>\r\n\r\nUnrelated.\r\n",
	"From: Alice <alice@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: Re: Re: alpha\r\n" +
		"Date: Mon, 01 Jan 2024 12:00:00 +0000\r\nMessage-ID: <a3@example.org>\r\n" +
		"In-Reply-To: <a2@example.org>\r\nReferences: <a1@example.org> <a2@example.org>\r\n\r\nThird.\r\n",
	"From: Dave <dave@example.org>\r\nTo: Alice <alice@example.org>\r\nSubject: beta multipart\r\n" +
		"Date: Wed, 03 Jan 2024 08:00:00 +0000\r\nMessage-ID: <b1@example.org>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"XX\"\r\n\r\npreamble\r\n" +
		"--XX\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"caf=C3=A9 text\r\n" +
		"--XX\r\nContent-Type: application/octet-stream; name=\"x.bin\"\r\nContent-Disposition: attachment; filename=\"x.bin\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\nAAECAwQFBgcICQ==\r\n" +
		"--XX--\r\n",
}

// icDial connects to d and logs in; the client is logged out (or closed)
// when the test ends.
func icDial(t *testing.T, ctx context.Context, d *dovecot, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := imapclient.Dial(ctx, d.Addr, opts)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() {
		lctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if c.Logout(lctx) != nil {
			c.Close()
		}
	})
	if err := c.Login(ctx, d.User, d.Pass); err != nil {
		t.Fatalf("Login: %v", err)
	}
	return c
}

func icAppend(t *testing.T, ctx context.Context, c *imapclient.Client, mailbox, msg string, opts *imapclient.AppendOptions) *imapclient.AppendResult {
	t.Helper()
	res, err := c.Append(ctx, mailbox, int64(len(msg)), strings.NewReader(msg), opts)
	if err != nil {
		t.Fatalf("Append to %s: %v", mailbox, err)
	}
	return res
}

func icHasFlag(flags []imap.Flag, f imap.Flag) bool {
	return slices.ContainsFunc(flags, f.Equal)
}

// icStrict reports whether model differences (package mime against
// Dovecot) fail the test rather than being logged.
func icStrict() bool { return os.Getenv("MAILACCESS_INTEROP_STRICT") == "1" }

// TestImapclientDovecot drives package imapclient against a private
// Dovecot 2.3: the mailbox commands, APPEND (with a 10 MB literal),
// FETCH of structure and sections, STORE, SEARCH, SORT, THREAD, IDLE woken
// by a second connection, MOVE, EXPUNGE, and QRESYNC resynchronization
// after changes made while disconnected.
func TestImapclientDovecot(t *testing.T) {
	requireInterop(t)
	d := startDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c := icDial(t, ctx, d, nil)
	caps := c.Caps()
	t.Logf("capabilities after LOGIN: %v", caps)
	for _, want := range []imap.Cap{imap.CapIMAP4rev1, imap.CapIdle, imap.CapMove, imap.CapCondStore, imap.CapQResync} {
		if !caps.Has(want) {
			t.Errorf("Caps() lacks %s", want)
		}
	}

	t.Run("Mailboxes", func(t *testing.T) {
		if err := c.Create(ctx, "ic-one", nil); err != nil {
			t.Fatalf("Create: %v", err)
		}
		err := c.Create(ctx, "ic-one", nil)
		var se *imapclient.StatusError
		if !errors.As(err, &se) || se.Status != wire.StatusNO {
			t.Errorf("second Create: got %v, want a NO *StatusError", err)
		}
		if err := c.Rename(ctx, "ic-one", "ic-two"); err != nil {
			t.Fatalf("Rename: %v", err)
		}
		list, err := c.List(ctx, "", []string{"*"}, nil)
		if err != nil {
			t.Fatalf("List: %v", err)
		}
		var names []string
		for _, e := range list {
			names = append(names, e.Mailbox)
		}
		if !slices.Contains(names, "INBOX") || !slices.Contains(names, "ic-two") || slices.Contains(names, "ic-one") {
			t.Errorf("List after Rename: %q, want INBOX and ic-two, not ic-one", names)
		}
		if err := c.Delete(ctx, "ic-two"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		list, err = c.List(ctx, "", []string{"ic-*"}, nil)
		if err != nil || len(list) != 0 {
			t.Errorf("List ic-* after Delete: %d entries, %v", len(list), err)
		}
		for _, name := range []string{"Archive", "Big"} {
			if err := c.Create(ctx, name, nil); err != nil {
				t.Fatalf("Create %s: %v", name, err)
			}
		}
	})

	var uids []uint32
	t.Run("Append", func(t *testing.T) {
		for i, m := range icMessages {
			var opts *imapclient.AppendOptions
			if i == 0 {
				opts = &imapclient.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Date: time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)}
			}
			res := icAppend(t, ctx, c, "INBOX", m, opts)
			if res.UID == 0 || res.UIDValidity == 0 {
				t.Errorf("Append %d: no APPENDUID: %+v", i, res)
			}
			uids = append(uids, res.UID)
		}
	})
	if len(uids) != len(icMessages) {
		t.Fatal("appends failed")
	}

	t.Run("Select", func(t *testing.T) {
		mb, err := c.Select(ctx, "INBOX", nil)
		if err != nil {
			t.Fatalf("Select: %v", err)
		}
		if mb.Count() != uint32(len(icMessages)) || mb.UIDValidity() == 0 || mb.UIDNext() != uids[len(uids)-1]+1 || mb.ReadOnly() {
			t.Errorf("view: count %d, uidvalidity %d, uidnext %d, read-only %v", mb.Count(), mb.UIDValidity(), mb.UIDNext(), mb.ReadOnly())
		}
		if !icHasFlag(mb.PermanentFlags(), imap.FlagDeleted) || !icHasFlag(mb.Flags(), imap.FlagSeen) {
			t.Errorf("FLAGS %v, PERMANENTFLAGS %v", mb.Flags(), mb.PermanentFlags())
		}
	})

	t.Run("FetchStructure", func(t *testing.T) {
		hdrFields := imap.Section{Spec: imap.SpecHeaderFields, Fields: []string{"Subject", "Message-ID"}}
		attrs := []imap.FetchAttr{
			{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchRFC822Size},
			{Kind: imap.FetchEnvelope}, {Kind: imap.FetchBodyStructure},
			{Kind: imap.FetchBodyPeek},
			{Kind: imap.FetchBodyPeek, Section: imap.Section{Part: []uint32{1}}},
			{Kind: imap.FetchBodyPeek, Section: hdrFields},
			{Kind: imap.FetchBodyPeek, Partial: &imap.Partial{Offset: 6, Count: 10}},
		}
		res, err := c.FetchAll(ctx, imap.NumSetRange(1, uint32(len(icMessages))), false, attrs, nil)
		if err != nil {
			t.Fatalf("FetchAll: %v", err)
		}
		if len(res) != len(icMessages) {
			t.Fatalf("FetchAll: %d results, want %d", len(res), len(icMessages))
		}
		sectionCaseBug := false
		for i, r := range res {
			msg := []byte(icMessages[i])
			if r.Seq != uint32(i+1) || r.UID != uids[i] || r.RFC822Size != int64(len(msg)) {
				t.Errorf("msg %d: seq %d uid %d size %d, want %d %d %d", i+1, r.Seq, r.UID, r.RFC822Size, i+1, uids[i], len(msg))
			}
			if (i == 0) != icHasFlag(r.Flags, imap.FlagSeen) {
				t.Errorf("msg %d: flags %v", i+1, r.Flags)
			}
			if whole := r.Section(imap.Section{}); whole == nil || whole.HasOrigin || !bytes.Equal(whole.Data, msg) {
				t.Errorf("msg %d: BODY[] %+v, want the message", i+1, whole)
			}
			var partial *imapclient.SectionData
			for j := range r.Sections {
				if r.Sections[j].HasOrigin {
					partial = &r.Sections[j]
				}
			}
			if partial == nil || partial.Origin != 6 || string(partial.Data) != string(msg[6:16]) {
				t.Errorf("msg %d: BODY[]<6.10> = %+v, want origin 6 data %q", i+1, partial, msg[6:16])
			}

			// Package mime's view of the same message.
			s, err := mime.Parse(bytes.NewReader(msg), nil)
			if err != nil {
				t.Fatalf("mime.Parse %d: %v", i+1, err)
			}
			if r.Envelope == nil || r.BodyStructure == nil {
				t.Fatalf("msg %d: no ENVELOPE or BODYSTRUCTURE", i+1)
			}
			if r.Envelope.MessageID != s.Envelope().MessageID || r.Envelope.Subject != s.Envelope().Subject {
				t.Errorf("msg %d: envelope message-id/subject %v %v, mime says %v %v", i+1,
					r.Envelope.MessageID, r.Envelope.Subject, s.Envelope().MessageID, s.Envelope().Subject)
			}
			ourBS := s.BodyStructure(true)
			if got, want := r.BodyStructure, &ourBS; !strings.EqualFold(got.Type, want.Type) ||
				!strings.EqualFold(got.Subtype, want.Subtype) || len(got.Parts) != len(want.Parts) {
				t.Errorf("msg %d: BODYSTRUCTURE %s/%s with %d parts, mime says %s/%s with %d", i+1,
					got.Type, got.Subtype, len(got.Parts), want.Type, want.Subtype, len(want.Parts))
			}
			report := t.Logf
			if icStrict() {
				report = t.Errorf
			}
			if e1, e2 := normEnvelope(r.Envelope), normEnvelope(s.Envelope()); !reflect.DeepEqual(e1, e2) {
				report("msg %d: ENVELOPE differs (%s):\n dovecot %+v\n mime    %+v", i+1, normalization, e1, e2)
			}
			if b1, b2 := normBody(r.BodyStructure), normBody(&ourBS); !reflect.DeepEqual(b1, b2) {
				report("msg %d: BODYSTRUCTURE differs (%s):\n dovecot %+v\n mime    %+v", i+1, normalization, b1, b2)
			}
			for _, sec := range []imap.Section{{Part: []uint32{1}}, hdrFields} {
				sr, _, err := s.Section(bytes.NewReader(msg), sec)
				if err != nil {
					t.Errorf("msg %d: mime Section %v: %v", i+1, sec, err)
					continue
				}
				want, _ := io.ReadAll(sr)
				got := r.Section(sec)
				if got == nil && len(sec.Fields) > 0 {
					// Dovecot echoes the field names upper-cased:
					// BODY[HEADER.FIELDS (SUBJECT MESSAGE-ID)].
					got = icSectionFold(r, sec)
					if got != nil {
						sectionCaseBug = true
					}
				}
				if got == nil {
					t.Errorf("msg %d: no section %v in the result; sections %+v", i+1, sec, r.Sections)
				} else if !bytes.Equal(got.Data, want) {
					report("msg %d: section %v: dovecot %q, mime %q", i+1, sec, got.Data, want)
				}
			}
		}
		if sectionCaseBug {
			t.Error("FetchResult.Section missed a HEADER.FIELDS section Dovecot sent with upper-cased field names")
		}
		// BODY.PEEK must not have set \Seen.
		if st, ok := c.Mailbox().Message(2); !ok || icHasFlag(st.Flags, imap.FlagSeen) || st.UID != uids[1] {
			t.Errorf("view of message 2 after FETCH: %+v %v", st, ok)
		}
	})

	t.Run("Store", func(t *testing.T) {
		res, err := c.Store(ctx, imap.NumSetOf(uids[1], uids[3]), true, imap.StoreAdd, []imap.Flag{imap.FlagFlagged, "$Important"}, nil)
		if err != nil {
			t.Fatalf("UID Store: %v", err)
		}
		if len(res.Messages) != 2 {
			t.Errorf("UID STORE returned %d messages, want 2", len(res.Messages))
		}
		for _, m := range res.Messages {
			if !icHasFlag(m.Flags, imap.FlagFlagged) || !icHasFlag(m.Flags, "$Important") {
				t.Errorf("UID STORE result %d: flags %v", m.Seq, m.Flags)
			}
		}
		for _, seq := range []uint32{2, 4} {
			if st, _ := c.Mailbox().Message(seq); !icHasFlag(st.Flags, imap.FlagFlagged) {
				t.Errorf("view of %d after STORE: flags %v", seq, st.Flags)
			}
		}
		if !icHasFlag(c.Mailbox().Flags(), "$Important") {
			t.Errorf("FLAGS after new keyword: %v", c.Mailbox().Flags())
		}
		_, err = c.Store(ctx, imap.NumSetOf(1), false, imap.StoreRemove, []imap.Flag{imap.FlagSeen}, &imapclient.StoreOptions{Silent: true})
		if err != nil {
			t.Fatalf("Store -FLAGS.SILENT: %v", err)
		}
	})

	t.Run("Search", func(t *testing.T) {
		res, err := c.Search(ctx, imap.SearchKey{Op: imap.SearchFlagged}, false, nil)
		if err != nil {
			t.Fatalf("Search FLAGGED: %v", err)
		}
		if got := res.Nums(); !slices.Equal(got, []uint32{2, 4}) {
			t.Errorf("SEARCH FLAGGED = %v, want [2 4]", got)
		}
		res, err = c.Search(ctx, imap.SearchKey{Op: imap.SearchSubject, Str: "alpha"}, true, nil)
		if err != nil {
			t.Fatalf("UID Search SUBJECT: %v", err)
		}
		if got := res.Nums(); !slices.Equal(got, []uint32{uids[0], uids[1], uids[3]}) || !res.UID {
			t.Errorf("UID SEARCH SUBJECT alpha = %v (uid %v), want %v", got, res.UID, []uint32{uids[0], uids[1], uids[3]})
		}
		res, err = c.Search(ctx, imap.SearchKey{Op: imap.SearchText, Str: "café"}, false, &imapclient.SearchOptions{Charset: "UTF-8"})
		if err != nil {
			t.Fatalf("Search TEXT café: %v", err)
		}
		if got := res.Nums(); !slices.Equal(got, []uint32{5}) {
			t.Errorf("SEARCH CHARSET UTF-8 TEXT café = %v, want [5]", got)
		}
		if caps.Has("ESEARCH") {
			res, err = c.Search(ctx, imap.SearchKey{}, false, &imapclient.SearchOptions{Return: []imap.SearchReturnOpt{"MIN", "MAX", "COUNT"}})
			if err != nil {
				t.Fatalf("Search RETURN: %v", err)
			}
			if !res.ESearch || res.Min != 1 || res.Max != 5 || !res.HasCount || res.Count != 5 {
				t.Errorf("SEARCH RETURN (MIN MAX COUNT) ALL = %+v", res)
			}
		}
	})

	t.Run("Sort", func(t *testing.T) {
		if !caps.Has(imap.CapSort) {
			t.Skip("Dovecot does not advertise SORT")
		}
		got, err := c.Sort(ctx, []imap.SortCriterion{{Key: "SUBJECT"}, {Key: "DATE"}}, imap.SearchKey{}, false, "")
		if err != nil {
			t.Fatalf("Sort: %v", err)
		}
		// Base subjects: alpha (1, 2, 4 by date), beta multipart (5), gamma (3).
		if want := []uint32{1, 2, 4, 5, 3}; !slices.Equal(got, want) {
			t.Errorf("SORT (SUBJECT DATE) = %v, want %v", got, want)
		}
		got, err = c.Sort(ctx, []imap.SortCriterion{{Key: "DATE", Reverse: true}}, imap.SearchKey{}, true, "UTF-8")
		if err != nil {
			t.Fatalf("UID Sort: %v", err)
		}
		if want := []uint32{uids[4], uids[2], uids[3], uids[1], uids[0]}; !slices.Equal(got, want) {
			t.Errorf("UID SORT (REVERSE DATE) = %v, want %v", got, want)
		}
	})

	t.Run("Thread", func(t *testing.T) {
		if !slices.ContainsFunc(caps.ThreadAlgorithms(), func(a string) bool { return strings.EqualFold(a, "REFERENCES") }) {
			t.Skip("Dovecot does not advertise THREAD=REFERENCES")
		}
		threads, err := c.Thread(ctx, "REFERENCES", imap.SearchKey{}, false, "")
		if err != nil {
			t.Fatalf("Thread: %v", err)
		}
		// 1 -> 2 -> 4 is one thread; 3 and 5 stand alone.
		var flat []string
		for _, th := range threads {
			flat = append(flat, icThreadString(th))
		}
		if !slices.Contains(flat, "1(2(4))") || !slices.Contains(flat, "3") || !slices.Contains(flat, "5") || len(flat) != 3 {
			t.Errorf("THREAD REFERENCES = %q, want 1(2(4)), 3 and 5", flat)
		}
	})

	t.Run("BigLiteral", func(t *testing.T) {
		big := icBigMessage(10 << 20)
		sum := sha256.Sum256(big)
		res, err := c.Append(ctx, "Big", int64(len(big)), bytes.NewReader(big), nil)
		if err != nil {
			t.Fatalf("Append 10 MB: %v", err)
		}
		if _, err := c.Select(ctx, "Big", &imapclient.SelectOptions{ReadOnly: true}); err != nil {
			t.Fatalf("Examine Big: %v", err)
		}
		attrs := []imap.FetchAttr{
			{Kind: imap.FetchUID},
			{Kind: imap.FetchBodyPeek},
			{Kind: imap.FetchBodyPeek, Partial: &imap.Partial{Offset: 5 << 20, Count: 100}},
		}
		var n int
		err = c.Fetch(ctx, imap.NumSetOf(res.UID), true, attrs, nil, func(m *imapclient.FetchMessage) error {
			n++
			for {
				sec, err := m.NextSection()
				if err == io.EOF {
					break
				}
				if err != nil {
					return err
				}
				h := sha256.New()
				got, err := io.Copy(h, sec)
				if err != nil {
					return fmt.Errorf("reading section: %w", err)
				}
				switch {
				case !sec.HasOrigin:
					if got != int64(len(big)) || sec.Size != got || !bytes.Equal(h.Sum(nil), sum[:]) {
						t.Errorf("BODY[]: %d octets (Size %d), want the %d-octet message", got, sec.Size, len(big))
					}
				case sec.Origin == 5<<20:
					if want := sha256.Sum256(big[5<<20 : 5<<20+100]); got != 100 || !bytes.Equal(h.Sum(nil), want[:]) {
						t.Errorf("BODY[]<5M.100>: %d octets, want the 100 at 5 MiB", got)
					}
				default:
					t.Errorf("unexpected section origin %d", sec.Origin)
				}
			}
			if m.UID != res.UID {
				t.Errorf("UID after sections: %d, want %d", m.UID, res.UID)
			}
			return nil
		})
		if err != nil || n != 1 {
			t.Fatalf("UID Fetch of the big message: %v (%d messages)", err, n)
		}
		if _, err := c.Select(ctx, "INBOX", nil); err != nil {
			t.Fatalf("reselect INBOX: %v", err)
		}
	})

	t.Run("Idle", func(t *testing.T) {
		exists := make(chan uint32, 16)
		idler := icDial(t, ctx, d, &imapclient.Options{UnilateralData: func(r *wire.Response) {
			if r.Kind == wire.KindExists {
				select {
				case exists <- r.Num:
				default:
				}
			}
		}})
		mb, err := idler.Select(ctx, "INBOX", nil)
		if err != nil {
			t.Fatalf("idler Select: %v", err)
		}
		before := mb.Count()
		ic, err := idler.Idle(ctx, nil)
		if err != nil {
			t.Fatalf("Idle: %v", err)
		}
		if ic.Polling() {
			t.Error("Idle polls although Dovecot announces IDLE")
		}
		icAppend(t, ctx, c, "INBOX", "Subject: wake up\r\n\r\nidle test\r\n", nil)
		// The handler also saw SELECT's EXISTS; wait for the new count.
		timeout := time.After(10 * time.Second)
	wait:
		for {
			select {
			case n := <-exists:
				if n == before+1 {
					break wait
				}
			case <-timeout:
				t.Error("no EXISTS for the append reached the idler within 10s")
				break wait
			}
		}
		if err := ic.Stop(); err != nil {
			t.Errorf("Stop: %v", err)
		}
		if mb.Count() != before+1 {
			t.Errorf("idler's view: %d messages, want %d", mb.Count(), before+1)
		}
		if err := idler.Noop(ctx); err != nil {
			t.Errorf("Noop after IDLE: %v", err)
		}
		if err := c.Noop(ctx); err != nil { // c learns of its own append
			t.Errorf("Noop: %v", err)
		}
	})

	t.Run("MoveExpunge", func(t *testing.T) {
		mb := c.Mailbox()
		n := mb.Count() // 6 after the IDLE test's append
		res, err := c.Move(ctx, imap.NumSetOf(n), false, "Archive", nil)
		if err != nil {
			t.Fatalf("Move: %v", err)
		}
		if res.Fallback || res.CopyUID == nil || !slices.Equal(res.Expunged, []uint32{n}) {
			t.Errorf("Move result: %+v", res)
		}
		if mb.Count() != n-1 {
			t.Errorf("view after MOVE: %d, want %d", mb.Count(), n-1)
		}
		st, err := c.Status(ctx, "Archive", []imap.StatusItem{"MESSAGES"})
		if err != nil {
			t.Errorf("STATUS Archive after MOVE: %v", err)
		} else if msgs, ok := st.Get("MESSAGES"); !ok || msgs != 1 {
			t.Errorf("STATUS Archive after MOVE: %+v, want MESSAGES 1", st)
		}
		// Mark message 3 (gamma) \Deleted and expunge it.
		if _, err := c.Store(ctx, imap.NumSetOf(3), false, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, &imapclient.StoreOptions{Silent: true}); err != nil {
			t.Fatalf("Store \\Deleted: %v", err)
		}
		ex, err := c.Expunge(ctx)
		if err != nil {
			t.Fatalf("Expunge: %v", err)
		}
		if !slices.Equal(ex.Seqs, []uint32{3}) {
			t.Errorf("Expunge: %+v, want seqs [3]", ex)
		}
		if mb.Count() != n-2 {
			t.Errorf("view after EXPUNGE: %d, want %d", mb.Count(), n-2)
		}
		// The view learns UIDs from FETCH.
		if _, err := c.FetchAll(ctx, imap.NumSetRange(1, mb.Count()), false, []imap.FetchAttr{{Kind: imap.FetchUID}}, nil); err != nil {
			t.Fatalf("FetchAll UID: %v", err)
		}
		if st, _ := mb.Message(3); st.UID != uids[3] {
			t.Errorf("view: message 3 has UID %d, want %d", st.UID, uids[3])
		}
	})

	t.Run("QResync", func(t *testing.T) {
		// A fresh connection with QRESYNC records the state...
		a := icDial(t, ctx, d, nil)
		if _, err := a.Enable(ctx, imap.CapQResync); err != nil {
			t.Fatalf("Enable QRESYNC: %v", err)
		}
		mb, err := a.Select(ctx, "INBOX", &imapclient.SelectOptions{CondStore: true})
		if err != nil {
			t.Fatalf("Select (CONDSTORE): %v", err)
		}
		if _, err := a.FetchAll(ctx, imap.NumSetRange(1, mb.Count()), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchModSeq}}, nil); err != nil {
			t.Fatalf("FetchAll: %v", err)
		}
		uidValidity, modSeq, count := mb.UIDValidity(), mb.HighestModSeq(), mb.Count()
		var known []uint32
		for seq := uint32(1); seq <= count; seq++ {
			st, _ := mb.Message(seq)
			if st.UID == 0 || st.ModSeq == 0 {
				t.Errorf("view of %d after FETCH (UID FLAGS MODSEQ): %+v", seq, st)
			}
			known = append(known, st.UID)
		}
		if modSeq == 0 || uidValidity == 0 {
			t.Fatalf("no HIGHESTMODSEQ/UIDVALIDITY: %d %d", modSeq, uidValidity)
		}
		if err := a.Logout(ctx); err != nil {
			t.Fatalf("Logout: %v", err)
		}

		// ...then c changes flags and expunges while a is away.
		changed, gone := known[0], known[1]
		if _, err := c.Store(ctx, imap.NumSetOf(changed), true, imap.StoreAdd, []imap.Flag{"$Resync"}, nil); err != nil {
			t.Fatalf("Store: %v", err)
		}
		if _, err := c.Store(ctx, imap.NumSetOf(gone), true, imap.StoreAdd, []imap.Flag{imap.FlagDeleted}, nil); err != nil {
			t.Fatalf("Store: %v", err)
		}
		if _, err := c.UIDExpunge(ctx, imap.UIDSetOf(gone)); err != nil {
			t.Fatalf("UIDExpunge: %v", err)
		}

		// A new connection resynchronizes with QRESYNC.
		var mu sync.Mutex
		var vanished []imap.UIDSet
		b := icDial(t, ctx, d, &imapclient.Options{UnilateralData: func(r *wire.Response) {
			if r.Kind == wire.KindVanished && r.Vanished != nil {
				mu.Lock()
				vanished = append(vanished, r.Vanished.UIDs)
				mu.Unlock()
			}
		}})
		if _, err := b.Enable(ctx, imap.CapQResync); err != nil {
			t.Fatalf("Enable QRESYNC: %v", err)
		}
		mb, err = b.Select(ctx, "INBOX", &imapclient.SelectOptions{QResync: &imap.QResyncParams{
			UIDValidity: uidValidity, ModSeq: modSeq, KnownUIDs: imap.UIDSetOf(known...),
		}})
		if err != nil {
			t.Fatalf("Select (QRESYNC): %v", err)
		}
		if mb.Count() != count-1 {
			t.Errorf("view after QRESYNC: %d messages, want %d", mb.Count(), count-1)
		}
		if mb.HighestModSeq() <= modSeq {
			t.Errorf("HIGHESTMODSEQ after changes: %d, was %d", mb.HighestModSeq(), modSeq)
		}
		mu.Lock()
		got := slices.Clone(vanished)
		mu.Unlock()
		if len(got) != 1 || !got[0].Contains(gone, 0) || got[0].Count(0) != 1 {
			t.Errorf("VANISHED (EARLIER) to the handler: %v, want just UID %d", got, gone)
		}
		seq, ok := mb.SeqOf(changed)
		st, _ := mb.Message(seq)
		if !ok || !icHasFlag(st.Flags, "$Resync") || st.ModSeq <= modSeq {
			t.Errorf("view of UID %d after QRESYNC: seq %d (%v), %+v; want $Resync and a MODSEQ above %d", changed, seq, ok, st, modSeq)
		}

		// CHANGEDSINCE on its own: only the changed message.
		res, err := b.FetchAll(ctx, imap.NumSetRange(1, mb.Count()), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}}, &imapclient.FetchOptions{ChangedSince: modSeq})
		if err != nil {
			t.Fatalf("Fetch CHANGEDSINCE: %v", err)
		}
		if len(res) != 1 || res[0].UID != changed || res[0].ModSeq <= modSeq {
			t.Errorf("FETCH (FLAGS) (CHANGEDSINCE %d): %d results, first %+v", modSeq, len(res), res)
		}
		// And UID FETCH ... (CHANGEDSINCE VANISHED) reports the expunge.
		var ov []imap.UIDSet
		if _, err := b.FetchAll(ctx, imap.NumSetRange(1, 1<<31), true, []imap.FetchAttr{{Kind: imap.FetchFlags}},
			&imapclient.FetchOptions{ChangedSince: modSeq, Vanished: true, OnVanished: func(s imap.UIDSet) { ov = append(ov, s) }}); err != nil {
			t.Fatalf("UID Fetch CHANGEDSINCE VANISHED: %v", err)
		}
		if len(ov) != 1 || !ov[0].Contains(gone, 0) {
			t.Errorf("OnVanished got %v, want UID %d", ov, gone)
		}
	})
}

// icThreadString writes a thread as "n(child(grandchild))", siblings
// separated by spaces.
func icThreadString(n imap.ThreadNode) string {
	s := fmt.Sprint(n.Num)
	if len(n.Children) == 0 {
		return s
	}
	var kids []string
	for _, c := range n.Children {
		kids = append(kids, icThreadString(c))
	}
	return s + "(" + strings.Join(kids, " ") + ")"
}

// icBigMessage returns a message of about size octets: a header and lines
// of 76 octets that differ from one another, so that misplaced octets show.
func icBigMessage(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 200)
	b.WriteString("From: big@example.org\r\nSubject: ten megabytes\r\nMessage-ID: <big@example.org>\r\n\r\n")
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "%08d %s\r\n", i, strings.Repeat(string(rune('a'+i%26)), 65))
	}
	return b.Bytes()
}

// icSectionFold finds the section equal to sec with header field names
// compared case-insensitively.
func icSectionFold(r *imapclient.FetchResult, sec imap.Section) *imapclient.SectionData {
	for i := range r.Sections {
		g := r.Sections[i].Section
		if !slices.Equal(g.Part, sec.Part) || g.Spec != sec.Spec || len(g.Fields) != len(sec.Fields) {
			continue
		}
		same := true
		for j := range g.Fields {
			same = same && strings.EqualFold(g.Fields[j], sec.Fields[j])
		}
		if same {
			return &r.Sections[i]
		}
	}
	return nil
}
