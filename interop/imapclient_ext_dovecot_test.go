package interop

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// ixConf turns on, in the private Dovecot 2.3, the extensions
// TestImapclientExtDovecot exercises: COMPRESS=DEFLATE (zlib, imap_zlib),
// QUOTA with STORAGE and MESSAGE limits (quota with the count backend,
// imap_quota; a mailbox whose saves count against 5 messages), ACL (acl with vfile, imap_acl) and METADATA (a file dict
// for mailbox attributes). SORT and THREAD are built in.
const ixConf = `
mail_plugins = $mail_plugins zlib quota acl
mailbox_list_index = yes
mail_attribute_dict = file:%h/dovecot-attributes
protocol imap {
  mail_plugins = $mail_plugins imap_zlib imap_quota imap_acl
  imap_metadata = yes
}
plugin {
  quota = count:User quota
  quota_rule = *:storage=1G:messages=10000
  quota_rule2 = ix-small:messages=-9995
  quota_vsizes = yes
  acl = vfile
}
`

// ixMessages are appended to INBOX for SORT and THREAD: icMessages and a
// few more that make the orderings less trivial (a missing Date, a
// subject with a list tag and Fwd, a reply to a missing message, equal
// dates in other zones).
var ixMessages = append(slices.Clone(icMessages),
	"From: Erin <erin@example.org>\r\nTo: Bob <bob@example.org>\r\nSubject: [list] Fwd: gamma\r\n"+
		"Message-ID: <g2@example.org>\r\n\r\nNo date.\r\n",
	"From: frank@example.org\r\nCc: Carol <carol@example.org>\r\nSubject: Re: delta\r\n"+
		"Date: Mon, 01 Jan 2024 12:00:00 +0200\r\nMessage-ID: <d2@example.org>\r\n"+
		"In-Reply-To: <d1@example.org>\r\nReferences: <d1@example.org>\r\n\r\nParent missing.\r\n",
	"From: Alice <alice@example.org>\r\nTo: Zed <zed@example.org>\r\nSubject: RE: DELTA\r\n"+
		"Date: Mon, 01 Jan 2024 08:00:00 -0200\r\nMessage-ID: <d3@example.org>\r\n"+
		"References: <d1@example.org>\r\n\r\nAnother reply to the missing one.\r\n",
)

// TestImapclientExtDovecot drives the extensions of package imapclient
// against a private Dovecot 2.3 configured for them (ixConf): QUOTA,
// ACL, METADATA, COMPRESS=DEFLATE (with 10,000 FETCH responses through
// the compressed connection), and the client's local SORT and THREAD
// compared with Dovecot's own.
func TestImapclientExtDovecot(t *testing.T) {
	requireInterop(t)
	d := startDovecotConf(t, ixConf)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	c := icDial(t, ctx, d, nil)
	caps := c.Caps()
	t.Logf("capabilities after LOGIN: %v", caps)
	for _, want := range []imap.Cap{imap.CapCompressDeflate, imap.CapQuota, imap.CapACL, imap.CapMetadata, imap.CapSort, imap.CapThreadReferences} {
		if !caps.Has(want) {
			t.Errorf("Dovecot does not offer %s with ixConf", want)
		}
	}
	for i, m := range ixMessages {
		icAppend(t, ctx, c, "INBOX", m, &imapclient.AppendOptions{Date: time.Date(2024, 2, 1+i%3, 10, 0, 0, 0, time.UTC)})
	}

	t.Run("Quota", func(t *testing.T) {
		qr, err := c.GetQuotaRoot(ctx, "INBOX")
		if err != nil {
			t.Fatalf("GetQuotaRoot: %v", err)
		}
		t.Logf("GETQUOTAROOT INBOX: roots %q", qr.Roots)
		for _, q := range qr.Quotas {
			t.Logf("QUOTA %q %+v", q.Root, q.Resources)
		}
		if !slices.Equal(qr.Roots, []string{"User quota"}) || len(qr.Quotas) != 1 {
			t.Fatalf("GetQuotaRoot: %+v", qr)
		}
		q := qr.Quota("User quota")
		if used, limit, ok := q.Storage(); !ok || limit != 1<<20 || used == 0 {
			t.Errorf("STORAGE: %d of %d (%v)", used, limit, ok)
		}
		if used, limit, ok := q.Messages(); !ok || limit != 10000 || used != uint64(len(ixMessages)) {
			t.Errorf("MESSAGE: %d of %d (%v)", used, limit, ok)
		}
		q2, err := c.GetQuota(ctx, "User quota")
		if err != nil || !reflect.DeepEqual(q2, q) {
			t.Errorf("GetQuota: %+v %v, want %+v", q2, err, q)
		}
		// Dovecot lets only an admin change a quota: a NO.
		_, err = c.SetQuota(ctx, "User quota", []imap.QuotaResource{{Name: imapclient.QuotaStorage, Limit: 2 << 20}})
		var se *imapclient.StatusError
		if !errors.As(err, &se) {
			t.Errorf("SetQuota: %v, want a *StatusError", err)
		}
		t.Logf("SETQUOTA: %v", err)
		// Saving to ix-small counts against a limit of 5 messages
		// (quota_rule2): OVERQUOTA.
		if err := c.Create(ctx, "ix-small", nil); err != nil {
			t.Fatal(err)
		}
		m := ixMessages[0]
		_, err = c.Append(ctx, "ix-small", int64(len(m)), strings.NewReader(m), nil)
		if !errors.Is(err, imapclient.ErrOverQuota) {
			t.Errorf("Append beyond the quota: %v, want ErrOverQuota", err)
		}
		t.Logf("APPEND beyond the quota: %v", err)
		// Unknown roots are refused.
		if _, err := c.GetQuota(ctx, "no such root"); !errors.As(err, &se) {
			t.Errorf("GetQuota of an unknown root: %v", err)
		}
	})

	t.Run("ACL", func(t *testing.T) {
		my, err := c.MyRights(ctx, "INBOX")
		if err != nil {
			t.Fatalf("MyRights: %v", err)
		}
		t.Logf("MYRIGHTS INBOX: %q", my)
		if !imapclient.HasRights(my, imapclient.RightLookup+imapclient.RightRead+imapclient.RightAdmin) {
			t.Errorf("MyRights INBOX: %q", my)
		}
		if err := c.Create(ctx, "ix-shared", nil); err != nil {
			t.Fatalf("Create: %v", err)
		}
		acl, err := c.GetACL(ctx, "ix-shared")
		if err != nil {
			t.Fatalf("GetACL: %v", err)
		}
		t.Logf("GETACL ix-shared: %+v", acl.Entries)
		// Dovecot names the owner by user name.
		if r, ok := acl.Rights(d.User); !ok || !imapclient.HasRights(r, "lrswipkxtea") {
			t.Errorf("GetACL: %s has %q (%v)", d.User, r, ok)
		}
		steps := []struct {
			op     imapclient.RightsOp
			rights string
			want   string
		}{
			{imapclient.RightsReplace, "lr", "lr"},
			{imapclient.RightsAdd, "sw", "lrsw"},
			{imapclient.RightsRemove, "r", "lsw"},
		}
		for _, st := range steps {
			if err := c.SetACL(ctx, "ix-shared", "bob", st.op, st.rights); err != nil {
				t.Fatalf("SetACL %q %q: %v", rune(st.op), st.rights, err)
			}
			acl, err := c.GetACL(ctx, "ix-shared")
			if err != nil {
				t.Fatalf("GetACL: %v", err)
			}
			if r, _ := acl.Rights("bob"); !ixSameRights(r, st.want) {
				t.Errorf("after SETACL %c%s: bob has %q, want %q", st.op, st.rights, r, st.want)
			}
		}
		lr, err := c.ListRights(ctx, "ix-shared", "bob")
		if err != nil {
			t.Fatalf("ListRights: %v", err)
		}
		t.Logf("LISTRIGHTS ix-shared bob: required %q, optional %q", lr.Required, lr.Optional)
		if lr.Identifier != "bob" || len(lr.Optional) == 0 {
			t.Errorf("ListRights: %+v", lr)
		}
		if err := c.DeleteACL(ctx, "ix-shared", "bob"); err != nil {
			t.Fatalf("DeleteACL: %v", err)
		}
		acl, err = c.GetACL(ctx, "ix-shared")
		if _, ok := acl.Rights("bob"); err != nil || ok {
			t.Errorf("GetACL after DeleteACL: %+v %v", acl, err)
		}
		// RFC 4314 §3.1: an unknown right is a BAD.
		err = c.SetACL(ctx, "ix-shared", "bob", imapclient.RightsReplace, "lQ")
		var se *imapclient.StatusError
		if !errors.As(err, &se) {
			t.Errorf("SetACL with an unknown right: %v", err)
		}
		t.Logf("SETACL with Q: %v", err)
	})

	t.Run("Metadata", func(t *testing.T) {
		comment := "Multi-line\r\ncomment, with \"quotes\"."
		if err := c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{
			{Name: "/private/comment", Value: imap.Str(comment)},
			{Name: "/shared/comment", Value: imap.Str("shared")},
			{Name: "/private/vendor/ix/a", Value: imap.Str("1")},
			{Name: "/private/vendor/ix/a/b", Value: imap.Str("2")},
			{Name: "/private/vendor/ix/big", Value: imap.Str(strings.Repeat("x", 3000))},
		}); err != nil {
			t.Fatalf("SetMetadata: %v", err)
		}
		res, err := c.GetMetadata(ctx, "INBOX", []string{"/private/comment", "/shared/comment", "/private/nothing"}, nil)
		if err != nil {
			t.Fatalf("GetMetadata: %v", err)
		}
		t.Logf("GETMETADATA INBOX: %+v", res.Entries)
		if v, ok := res.Get("/private/comment"); !ok || v != imap.Str(comment) {
			t.Errorf("/private/comment: %q (%v)", v, ok)
		}
		if v, ok := res.Get("/shared/comment"); !ok || v != imap.Str("shared") {
			t.Errorf("/shared/comment: %q (%v)", v, ok)
		}
		if v, ok := res.Get("/private/nothing"); ok && !v.IsNil() {
			t.Errorf("/private/nothing: %q", v)
		}
		res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/vendor/ix"}, &imapclient.MetadataOptions{Depth: imapclient.DepthInfinity, MaxSize: 100})
		if err != nil {
			t.Fatalf("GetMetadata DEPTH infinity MAXSIZE 100: %v", err)
		}
		t.Logf("GETMETADATA (MAXSIZE 100 DEPTH infinity): %d entries, LONGENTRIES %d (%v)", len(res.Entries), res.LongEntries, res.HasLongEntries)
		if v, _ := res.Get("/private/vendor/ix/a/b"); v != imap.Str("2") {
			t.Errorf("DEPTH infinity: %+v", res.Entries)
		}
		if _, ok := res.Get("/private/vendor/ix/big"); ok || !res.HasLongEntries || res.LongEntries != 3000 {
			t.Errorf("MAXSIZE: entries %+v, LONGENTRIES %d (%v)", res.Entries, res.LongEntries, res.HasLongEntries)
		}
		res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/vendor/ix"}, &imapclient.MetadataOptions{Depth: imapclient.DepthOne})
		if err != nil {
			t.Fatalf("GetMetadata DEPTH 1: %v", err)
		}
		if _, ok := res.Get("/private/vendor/ix/a/b"); ok {
			t.Errorf("DEPTH 1 returned a grandchild: %+v", res.Entries)
		}
		if v, _ := res.Get("/private/vendor/ix/a"); v != imap.Str("1") {
			t.Errorf("DEPTH 1: %+v", res.Entries)
		}
		// NIL removes.
		if err := c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Nil}}); err != nil {
			t.Fatalf("SetMetadata NIL: %v", err)
		}
		res, err = c.GetMetadata(ctx, "INBOX", []string{"/private/comment"}, nil)
		if v, ok := res.Get("/private/comment"); err != nil || (ok && !v.IsNil()) {
			t.Errorf("after NIL: %q %v", v, err)
		}
		// Server entries (mailbox "").
		if err := c.SetMetadata(ctx, "", []imap.MetadataEntry{{Name: "/private/comment", Value: imap.Str("server note")}}); err != nil {
			t.Fatalf("SetMetadata on the server: %v", err)
		}
		res, err = c.GetMetadata(ctx, "", []string{"/private/comment"}, nil)
		if v, _ := res.Get("/private/comment"); err != nil || v != imap.Str("server note") {
			t.Errorf("server entry: %+v %v", res, err)
		}
		// An entry outside /private and /shared is a BAD or NO.
		err = c.SetMetadata(ctx, "INBOX", []imap.MetadataEntry{{Name: "/other/x", Value: imap.Str("1")}})
		var se *imapclient.StatusError
		if !errors.As(err, &se) {
			t.Errorf("SetMetadata /other/x: %v", err)
		}
		t.Logf("SETMETADATA /other/x: %v", err)
	})

	t.Run("SortThreadLocal", func(t *testing.T) {
		if _, err := c.Select(ctx, "INBOX", nil); err != nil {
			t.Fatal(err)
		}
		keys := map[string]imap.SearchKey{
			"ALL":     {},
			"FROM a":  {Op: imap.SearchFrom, Str: "alice"},
			"UID 2:7": {Op: imap.SearchUID, Set: imap.NumSetRange(2, 7)},
		}
		for _, spec := range [][]imap.SortCriterion{
			{{Key: "ARRIVAL"}}, {{Key: "DATE"}}, {{Key: "DATE", Reverse: true}}, {{Key: "SIZE"}},
			{{Key: "SUBJECT"}, {Key: "DATE"}}, {{Key: "FROM"}}, {{Key: "TO"}}, {{Key: "CC"}, {Key: "SIZE", Reverse: true}},
			{{Key: "DISPLAYFROM"}}, {{Key: "DISPLAYTO"}},
		} {
			for kname, key := range keys {
				for _, uid := range []bool{false, true} {
					name := fmt.Sprintf("%v/%s/uid=%v", spec, kname, uid)
					server, err := c.Sort(ctx, spec, key, uid, "")
					if err != nil {
						t.Errorf("%s: Dovecot's SORT: %v", name, err)
						continue
					}
					local, err := c.SortLocal(ctx, spec, key, uid, "")
					if err != nil {
						t.Fatalf("%s: SortLocal: %v", name, err)
					}
					if !slices.Equal(local, server) {
						// Dovecot 2.3's SORT is not always stable across
						// calls (seen with CC then REVERSE SIZE, once in
						// a few runs, messages of unequal sizes reordered):
						// ask again before calling it a difference.
						again, err := c.Sort(ctx, spec, key, uid, "")
						if err == nil && slices.Equal(local, again) {
							t.Logf("%s: Dovecot answered %v, then %v (= local)", name, server, again)
							continue
						}
						t.Errorf("%s: local %v, Dovecot %v then %v", name, local, server, again)
					}
				}
			}
		}
		for _, alg := range []string{"ORDEREDSUBJECT", "REFERENCES"} {
			for kname, key := range keys {
				for _, uid := range []bool{false, true} {
					name := fmt.Sprintf("%s/%s/uid=%v", alg, kname, uid)
					server, err := c.Thread(ctx, alg, key, uid, "")
					if err != nil {
						t.Errorf("%s: Dovecot's THREAD: %v", name, err)
						continue
					}
					local, err := c.ThreadLocal(ctx, alg, key, uid, "")
					if err != nil {
						t.Fatalf("%s: ThreadLocal: %v", name, err)
					}
					if !reflect.DeepEqual(local, server) {
						t.Errorf("%s: local %v, Dovecot %v", name, ixThreads(local), ixThreads(server))
					}
				}
			}
		}
	})

	t.Run("Compress", func(t *testing.T) {
		// Count the octets that really cross the connection.
		var nd net.Dialer
		nc, err := nd.DialContext(ctx, "tcp", d.Addr)
		if err != nil {
			t.Fatal(err)
		}
		counted := &ixCountingConn{Conn: nc}
		zc, err := imapclient.New(ctx, counted, &imapclient.Options{Compress: true})
		if err != nil {
			t.Fatal(err)
		}
		defer zc.Close()
		if err := zc.Login(ctx, d.User, d.Pass); err != nil {
			t.Fatal(err)
		}
		if !zc.Compressed() {
			t.Fatal("Options.Compress: not compressed after LOGIN")
		}
		if err := zc.Compress(ctx); !errors.Is(err, imapclient.ErrCompressed) {
			t.Errorf("second COMPRESS: %v", err)
		}
		// Messages up, compressed.
		const nmsg = 100
		if err := zc.Create(ctx, "ix-load", nil); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		index := make(map[uint32]int) // UID to message
		errs := make(chan error, nmsg)
		for i := range nmsg {
			wg.Add(1)
			go func() {
				defer wg.Done()
				m := ixLoadMessage(i)
				res, err := zc.Append(ctx, "ix-load", int64(len(m)), strings.NewReader(m), nil)
				if err == nil {
					mu.Lock()
					index[res.UID] = i
					mu.Unlock()
				}
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("Append: %v", err)
			}
		}
		if _, err := zc.Select(ctx, "ix-load", nil); err != nil {
			t.Fatal(err)
		}
		// 100 FETCH commands of 100 messages, four at a time: 10,000
		// FETCH responses down the compressed connection.
		const rounds = 100
		var responses atomic.Int64
		sem := make(chan struct{}, 4)
		ferrs := make(chan error, rounds)
		for range rounds {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				res, err := zc.FetchAll(ctx, imap.NumSetRange(1, nmsg), false, []imap.FetchAttr{{Kind: imap.FetchUID}, {Kind: imap.FetchFlags}, {Kind: imap.FetchBodyPeek, Section: imap.Section{Spec: imap.SpecText}}}, nil)
				if err == nil {
					for _, r := range res {
						i, ok := index[r.UID]
						if !ok || len(r.Sections) != 1 || string(r.Sections[0].Data) != ixLoadBody(i) {
							err = fmt.Errorf("message %d (UID %d): %d sections", r.Seq, r.UID, len(r.Sections))
							break
						}
					}
				}
				responses.Add(int64(len(res)))
				ferrs <- err
			}()
		}
		wg.Wait()
		close(ferrs)
		for err := range ferrs {
			if err != nil {
				t.Fatalf("FetchAll: %v", err)
			}
		}
		if n := responses.Load(); n != rounds*nmsg {
			t.Errorf("%d FETCH responses, want %d", n, rounds*nmsg)
		}
		// The bodies alone are 4.5 MB; compressed, far less comes.
		bodies := int64(rounds) * int64(len(ixLoadBody(50))) * nmsg
		read := counted.read.Load()
		t.Logf("COMPRESS: %d octets read for %d octets of bodies in 10,000 FETCH responses", read, bodies)
		if read > bodies/4 {
			t.Errorf("%d octets read for %d of bodies: not compressed?", read, bodies)
		}
		// The extensions go through the compressed connection too.
		if _, err := zc.GetQuotaRoot(ctx, "ix-load"); err != nil {
			t.Errorf("GetQuotaRoot over COMPRESS: %v", err)
		}
		if _, err := zc.Sort(ctx, []imap.SortCriterion{{Key: "SUBJECT"}}, imap.SearchKey{}, true, ""); err != nil {
			t.Errorf("Sort over COMPRESS: %v", err)
		}
		if err := zc.Logout(ctx); err != nil {
			t.Errorf("Logout over COMPRESS: %v", err)
		}
	})
}

// ixCountingConn counts the octets read from a connection.
type ixCountingConn struct {
	net.Conn
	read atomic.Int64
}

func (c *ixCountingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// ixSameRights compares rights strings as sets.
func ixSameRights(a, b string) bool {
	return len(a) == len(b) && imapclient.HasRights(a, b)
}

func ixLoadBody(i int) string {
	return strings.Repeat(fmt.Sprintf("line %d of message %d\r\n", i, i), 20)
}

func ixLoadMessage(i int) string {
	return fmt.Sprintf("From: load@example.org\r\nSubject: load %d\r\nMessage-ID: <load%d@example.org>\r\n\r\n", i, i) + ixLoadBody(i)
}

func ixThreads(ts []imap.ThreadNode) string {
	var out []string
	for _, th := range ts {
		out = append(out, icThreadString(th))
	}
	return strings.Join(out, " ")
}
