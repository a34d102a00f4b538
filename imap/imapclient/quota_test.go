package imapclient_test

import (
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/imapclient"
)

// rfc9208Message is the message of RFC 9208 §4.3.1's APPEND examples.
const rfc9208Message = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n" +
	"From: Fred Foobar <foobar@Blurdybloop.example>\r\n" +
	"Subject: afternoon meeting\r\n" +
	"To: mooch@owatagu.siam.edu.example\r\n" +
	"Message-Id: <B27397-0100000@Blurdybloop.example>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
	"\r\n" +
	"Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"

// TestQuotaRFC9208 plays the examples of RFC 9208 §4.1 to §4.3.
func TestQuotaRFC9208(t *testing.T) {
	addr, played := extScript(t, "QUOTA QUOTASET QUOTA=RES-STORAGE QUOTA=RES-MESSAGE",
		// §4.1.1
		extStep{`G0001 GETQUOTA "!partition/sda4"`, []string{
			`* QUOTA "!partition/sda4" (STORAGE 104 10923847)`,
			`G0001 OK Getquota complete`}},
		// §4.1.2
		extStep{`G0002 GETQUOTAROOT INBOX`, []string{
			`* QUOTAROOT INBOX "#user/alice" "!partition/sda4"`,
			`* QUOTA "#user/alice" (MESSAGE 42 1000)`,
			`* QUOTA "!partition/sda4" (STORAGE 104 10923847)`,
			`G0002 OK Getquotaroot complete`}},
		// §4.1.3
		extStep{`S0000 GETQUOTA "#user/alice"`, []string{
			`* QUOTA "#user/alice" (STORAGE 54 111 MESSAGE 42 1000)`,
			`S0000 OK Getquota completed`}},
		extStep{`S0001 SETQUOTA "#user/alice" (STORAGE 510)`, []string{
			`* QUOTA "#user/alice" (STORAGE 58 512)`,
			`S0001 OK Rounded quota`}},
		extStep{`S0002 SETQUOTA "!partition/sda4" (STORAGE 99999999)`, []string{
			`* QUOTA "!partition/sda4" (STORAGE 104 10923847)`,
			`S0002 NO Cannot change system limit`}},
		// §4.2.1 and §4.2.2
		extStep{`A003 GETQUOTA ""`, []string{
			`* QUOTA "" (STORAGE 10 512)`,
			`A003 OK Getquota completed`}},
		extStep{`A004 GETQUOTAROOT comp.mail.mime`, []string{
			`* QUOTAROOT comp.mail.mime`,
			`A004 OK Getquotaroot completed`}},
		// §4.3.1, example 1
		extStep{`A003 APPEND saved-messages (\Seen) {` + strconv.Itoa(len(rfc9208Message)) + "}\r\n" + rfc9208Message, []string{
			`A003 NO [OVERQUOTA] APPEND Failed`}},
	)
	c := extDial(t, addr, nil)
	ctx := mbxCtx(t)

	q, err := c.GetQuota(ctx, "!partition/sda4")
	if err != nil {
		t.Fatal(err)
	}
	if u, l, ok := q.Storage(); !ok || u != 104 || l != 10923847 || q.Root != "!partition/sda4" {
		t.Errorf("GETQUOTA: %+v", q)
	}
	if _, _, ok := q.Messages(); ok {
		t.Errorf("GETQUOTA: a MESSAGE resource: %+v", q)
	}

	qr, err := c.GetQuotaRoot(ctx, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if qr.Mailbox != "INBOX" || !reflect.DeepEqual(qr.Roots, []string{"#user/alice", "!partition/sda4"}) || len(qr.Quotas) != 2 {
		t.Fatalf("GETQUOTAROOT: %+v", qr)
	}
	if u, l, ok := qr.Quota("#user/alice").Messages(); !ok || u != 42 || l != 1000 {
		t.Errorf("GETQUOTAROOT #user/alice: %+v", qr.Quota("#user/alice"))
	}
	if u, l, ok := qr.Quota("!partition/sda4").Storage(); !ok || u != 104 || l != 10923847 {
		t.Errorf("GETQUOTAROOT !partition/sda4: %+v", qr.Quota("!partition/sda4"))
	}

	q, err = c.GetQuota(ctx, "#user/alice")
	if err != nil {
		t.Fatal(err)
	}
	want := []imap.QuotaResource{{Name: "STORAGE", Usage: 54, Limit: 111}, {Name: "MESSAGE", Usage: 42, Limit: 1000}}
	if !reflect.DeepEqual(q.Resources, want) {
		t.Errorf("GETQUOTA #user/alice: %+v", q.Resources)
	}

	// The server rounds the limit, and says so in the QUOTA response.
	q, err = c.SetQuota(ctx, "#user/alice", []imap.QuotaResource{{Name: imapclient.QuotaStorage, Limit: 510}})
	if err != nil {
		t.Fatal(err)
	}
	if _, l, ok := q.Storage(); !ok || l != 512 {
		t.Errorf("SETQUOTA: %+v", q)
	}
	// A refusal is a *StatusError.
	var se *imapclient.StatusError
	if _, err := c.SetQuota(ctx, "!partition/sda4", []imap.QuotaResource{{Name: "STORAGE", Limit: 99999999}}); !errors.As(err, &se) || se.Status != "NO" {
		t.Errorf("SETQUOTA of a system limit: %v", err)
	}

	q, err = c.GetQuota(ctx, "")
	if err != nil || q.Root != "" || len(q.Resources) != 1 || q.Resources[0] != (imap.QuotaResource{Name: "STORAGE", Usage: 10, Limit: 512}) {
		t.Errorf(`GETQUOTA "": %+v %v`, q, err)
	}
	// A mailbox without quota roots.
	qr, err = c.GetQuotaRoot(ctx, "comp.mail.mime")
	if err != nil || qr.Roots == nil || len(qr.Roots) != 0 || len(qr.Quotas) != 0 {
		t.Errorf("GETQUOTAROOT comp.mail.mime: %+v %v", qr, err)
	}

	// OVERQUOTA is matched by ErrOverQuota.
	_, err = c.Append(ctx, "saved-messages", int64(len(rfc9208Message)), strings.NewReader(rfc9208Message), &imapclient.AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
	if !errors.Is(err, imapclient.ErrOverQuota) || !errors.As(err, &se) {
		t.Errorf("APPEND over quota: %v", err)
	}
	if errors.Is(err, imapclient.ErrCompressionActive) {
		t.Errorf("APPEND over quota matches another code: %v", err)
	}
	if n := played(); n != 8 {
		t.Errorf("%d steps played", n)
	}
}
