package imapserver

import (
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// mbxNo runs a command that must fail with NO and the given response
// code ("" for none).
func mbxNo(t *testing.T, c *tclient, command string, rc imap.ResponseCodeName) {
	t.Helper()
	_, r := c.do(command)
	if r.Status != wire.StatusNO {
		t.Errorf("%s: %s %s, want NO", command, r.Status, r.Text)
		return
	}
	var got imap.ResponseCodeName
	if r.Code != nil {
		got = r.Code.Name
	}
	if got != rc {
		t.Errorf("%s: NO [%s] %s, want [%s]", command, got, r.Text, rc)
	}
}

// mbxStatus runs STATUS and returns its data.
func mbxStatus(t *testing.T, c *tclient, command string) *imap.StatusData {
	t.Helper()
	var sd *imap.StatusData
	for _, r := range c.ok(command) {
		if r.Kind == wire.KindStatusData {
			if sd != nil {
				t.Fatalf("%s: two STATUS responses", command)
			}
			sd = r.StatusData
		}
	}
	if sd == nil {
		t.Fatalf("%s: no STATUS response", command)
	}
	return sd
}

func mbxWantStatus(t *testing.T, sd *imap.StatusData, want map[imap.StatusItem]uint64) {
	t.Helper()
	for item, n := range want {
		if got, ok := sd.Get(item); !ok || got != n {
			t.Errorf("STATUS %s: %s = %d (present %v), want %d", sd.Mailbox, item, got, ok, n)
		}
	}
}

// TestMailboxCreate: CREATE (RFC 3501 §6.3.3, RFC 9051 §6.3.4).
func TestMailboxCreate(t *testing.T) {
	_, c := mbxSetup(t, nil)
	c.ok("CREATE owatagusiam/") // a trailing delimiter declares a level
	c.ok("CREATE owatagusiam/blurdybloop")
	c.ok("CREATE a/b/c") // missing superiors are created
	mbxCheck(t, c, `LIST "" *`, true, true,
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* LIST (\HasChildren) "/" a`,
		`* LIST (\HasChildren) "/" a/b`,
		`* LIST (\HasNoChildren) "/" a/b/c`,
		`* LIST (\HasChildren) "/" owatagusiam`,
		`* LIST (\HasNoChildren) "/" owatagusiam/blurdybloop`)
	mbxNo(t, c, "CREATE a/b", imap.CodeAlreadyExists)
	mbxNo(t, c, "CREATE INBOX", imap.CodeAlreadyExists)
	mbxNo(t, c, "CREATE iNbOx", imap.CodeAlreadyExists)
	mbxNo(t, c, `CREATE ""`, imap.CodeCannot)
	mbxNo(t, c, `CREATE "a//b"`, imap.CodeCannot) // an empty level (the store's rule)
	if _, r := c.do("CREATE"); r.Status != wire.StatusBAD {
		t.Errorf("CREATE without a name: %s", r.Status)
	}
	// Names below INBOX.
	c.ok("CREATE inbox/Sub")
	mbxCheck(t, c, `LIST "" INBOX*`, true, true,
		`* LIST (\HasChildren) "/" INBOX`, `* LIST (\HasNoChildren) "/" INBOX/Sub`)
}

// TestMailboxCreateSpecialUse: CREATE with USE (RFC 6154 §3, §5.3).
func TestMailboxCreateSpecialUse(t *testing.T) {
	_, c := mbxSetup(t, nil)
	c.ok(`CREATE MySpecial (USE (\Drafts \Sent))`)
	c.ok(`CREATE Plain (USE ())`)
	c.ok(`CREATE Junk (USE (\JUNK \Junk))`)
	// A special use the store cannot give, and attributes that are not
	// special uses: NO [USEATTR], and nothing is created.
	mbxNo(t, c, `CREATE Everything (USE (\Bogus))`, imap.CodeUseAttr)
	mbxNo(t, c, `CREATE Everything (USE (\Noselect))`, imap.CodeUseAttr)
	mbxNo(t, c, `CREATE Everything (USE (\Sent \HasChildren))`, imap.CodeUseAttr)
	mbxCheck(t, c, `LIST "" *`, false, false,
		`* LIST () "/" INBOX`,
		`* LIST (\Junk) "/" Junk`,
		`* LIST (\Drafts \Sent) "/" MySpecial`,
		`* LIST () "/" Plain`)
	mbxCheck(t, c, `LIST (SPECIAL-USE) "" * RETURN (SPECIAL-USE)`, false, false,
		`* LIST (\Junk) "/" Junk`,
		`* LIST (\Drafts \Sent) "/" MySpecial`)
}

// TestMailboxDeleteRFC9051 runs RFC 9051 §6.3.5's first example: a
// \Noselect name with inferiors cannot be deleted (NO [HASCHILDREN]), and
// can once they are gone.
func TestMailboxDeleteRFC9051(t *testing.T) {
	_, c := mbxSetup(t, nil)
	mbxCreate(c, "blurdybloop", "foo/bar")
	c.ok("DELETE foo") // has inferiors: the store keeps it as \Noselect
	mbxCheck(t, c, `LIST "" *`, false, false,
		`* LIST () "/" INBOX`,
		`* LIST () "/" blurdybloop`,
		`* LIST (\Noselect) "/" foo`,
		`* LIST () "/" foo/bar`)
	c.ok("DELETE blurdybloop")
	mbxNo(t, c, "DELETE foo", imap.CodeHasChildren)
	c.ok("DELETE foo/bar")
	mbxCheck(t, c, `LIST "" *`, true, false,
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* LIST (\Noselect \HasNoChildren) "/" foo`)
	c.ok("DELETE foo")
	mbxCheck(t, c, `LIST "" *`, false, false, `* LIST () "/" INBOX`)

	// The second example: deleting a mailbox with inferiors keeps them;
	// this server keeps the name as a \Noselect level, which LIST "" %
	// shows as the RFC's does.
	mbxCreate(c, "blurdybloop", "foo", "foo/bar")
	c.ok("DELETE blurdybloop")
	c.ok("DELETE foo")
	mbxCheck(t, c, `LIST "" %`, false, false,
		`* LIST () "/" INBOX`,
		`* LIST (\Noselect) "/" foo`)
	mbxCheck(t, c, `LIST "" foo/*`, false, false, `* LIST () "/" foo/bar`)

	// Errors.
	mbxNo(t, c, "DELETE INBOX", imap.CodeCannot)
	mbxNo(t, c, "DELETE inbox", imap.CodeCannot)
	mbxNo(t, c, "DELETE nosuch", imap.CodeNonExistent)
	mbxNo(t, c, "DELETE blurdybloop", imap.CodeNonExistent)
}

// TestMailboxDeleteKeepsUIDs: a new mailbox of a deleted name does not
// reuse its UIDs (RFC 9051 §6.3.5), unless UIDVALIDITY changed.
func TestMailboxDeleteKeepsUIDs(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	c.ok("CREATE box")
	mbxAppend(t, ts, "box")
	before := mbxStatus(t, c, "STATUS box (UIDNEXT UIDVALIDITY)")
	c.ok("DELETE box")
	c.ok("CREATE box")
	after := mbxStatus(t, c, "STATUS box (UIDNEXT UIDVALIDITY MESSAGES)")
	v1, _ := before.Get(imap.StatusUIDValidity)
	v2, _ := after.Get(imap.StatusUIDValidity)
	n1, _ := before.Get(imap.StatusUIDNext)
	n2, _ := after.Get(imap.StatusUIDNext)
	if v1 == v2 && n2 < n1 {
		t.Errorf("UIDs reused: UIDVALIDITY %d, UIDNEXT %d then %d", v1, n1, n2)
	}
	mbxWantStatus(t, after, map[imap.StatusItem]uint64{imap.StatusMessages: 0})
}

// TestMailboxDeleteSelected: deleting the selected mailbox closes it.
func TestMailboxDeleteSelected(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	c.ok("CREATE doomed")
	mbxAppend(t, ts, "doomed")
	c.ok("SELECT doomed")
	u := c.ok("DELETE doomed")
	if len(u) != 1 || u[0].Kind != wire.KindStatus || u[0].Code == nil || u[0].Code.Name != imap.CodeClosed {
		t.Fatalf("DELETE of the selected mailbox: %s", kinds(u))
	}
	if _, r := c.do("CLOSE"); r.Status != wire.StatusBAD {
		t.Errorf("still selected: CLOSE %s", r.Status)
	}
	// Deleting another mailbox leaves the selection alone.
	c.ok("CREATE other")
	c.ok("SELECT INBOX")
	if u := c.ok("DELETE other"); len(u) != 0 {
		t.Errorf("DELETE of another mailbox: %s", kinds(u))
	}
	c.ok("CLOSE")
}

// TestMailboxRenameRFC9051 runs RFC 9051 §6.3.6's examples: inferiors
// move with their superior; renaming INBOX moves its messages and leaves
// INBOX, and its inferiors, in place.
func TestMailboxRenameRFC9051(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	mbxCreate(c, "blurdybloop", "foo/bar")
	c.ok("DELETE foo")
	c.ok("RENAME blurdybloop sarasoop")
	c.ok("RENAME foo zowie")
	mbxCheck(t, c, `LIST "" *`, false, false,
		`* LIST () "/" INBOX`,
		`* LIST () "/" sarasoop`,
		`* LIST (\Noselect) "/" zowie`,
		`* LIST () "/" zowie/bar`)

	// Z432-Z434, with messages in INBOX.
	c.ok("CREATE INBOX/bar")
	mbxAppend(t, ts, "INBOX", imap.FlagSeen)
	mbxAppend(t, ts, "INBOX")
	c.ok("RENAME INBOX old-mail")
	mbxCheck(t, c, `LIST "" *`, false, false,
		`* LIST () "/" INBOX`,
		`* LIST () "/" INBOX/bar`,
		`* LIST () "/" old-mail`,
		`* LIST () "/" sarasoop`,
		`* LIST (\Noselect) "/" zowie`,
		`* LIST () "/" zowie/bar`)
	mbxWantStatus(t, mbxStatus(t, c, "STATUS INBOX (MESSAGES)"), map[imap.StatusItem]uint64{imap.StatusMessages: 0})
	mbxWantStatus(t, mbxStatus(t, c, "STATUS old-mail (MESSAGES UNSEEN)"),
		map[imap.StatusItem]uint64{imap.StatusMessages: 2, imap.StatusUnseen: 1})

	// Missing superiors of the new name are created.
	c.ok("RENAME sarasoop baz/rag/zowie")
	mbxCheck(t, c, `LIST "" baz*`, true, true,
		`* LIST (\HasChildren) "/" baz`,
		`* LIST (\HasChildren) "/" baz/rag`,
		`* LIST (\HasNoChildren) "/" baz/rag/zowie`)

	// Errors.
	mbxNo(t, c, "RENAME nosuch other", imap.CodeNonExistent)
	mbxNo(t, c, "RENAME old-mail zowie/bar", imap.CodeAlreadyExists)
	mbxNo(t, c, "RENAME old-mail INBOX", imap.CodeAlreadyExists)
	mbxNo(t, c, "RENAME old-mail inbox", imap.CodeAlreadyExists)
	mbxNo(t, c, "RENAME zowie zowie/bar/x", imap.CodeCannot)
	mbxNo(t, c, `RENAME old-mail ""`, imap.CodeCannot)
}

// TestMailboxRenameSelected: the selected mailbox keeps working under its
// new name (memstore keeps views of renamed mailboxes).
func TestMailboxRenameSelected(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	c.ok("CREATE before")
	mbxAppend(t, ts, "before")
	c.ok("SELECT before")
	c.ok("RENAME before after")
	c.ok("NOOP")
	mbxAppend(t, ts, "after")
	var exists uint32
	for _, r := range c.ok("NOOP") {
		if r.Kind == wire.KindExists {
			exists = r.Num
		}
	}
	if exists != 2 {
		t.Errorf("EXISTS %d after an append to the renamed mailbox", exists)
	}

	// Renaming the selected INBOX empties it: the session is told by
	// EXPUNGE responses after the command.
	mbxAppend(t, ts, "INBOX")
	mbxAppend(t, ts, "INBOX")
	c.ok("SELECT INBOX")
	var expunged []uint32
	for _, r := range c.ok("RENAME INBOX saved") {
		if r.Kind == wire.KindExpunge {
			expunged = append(expunged, r.Num)
		}
	}
	if len(expunged) != 2 {
		t.Errorf("RENAME of the selected INBOX: EXPUNGE %v", expunged)
	}
	mbxWantStatus(t, mbxStatus(t, c, "STATUS saved (MESSAGES)"), map[imap.StatusItem]uint64{imap.StatusMessages: 2})
}

// TestMailboxSubscribe: SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7,
// §6.3.8) of names that exist or not.
func TestMailboxSubscribe(t *testing.T) {
	_, c := mbxSetup(t, nil)
	c.ok("CREATE box")
	c.ok("SUBSCRIBE box")
	c.ok("SUBSCRIBE box") // already subscribed: OK
	c.ok("SUBSCRIBE #news/comp/mail/mime")
	c.ok("SUBSCRIBE inbox")
	mbxCheck(t, c, `LSUB "" *`, true, false,
		`* LSUB () "/" INBOX`,
		`* LSUB (\Noselect) "/" #news/comp/mail/mime`,
		`* LSUB () "/" box`)
	mbxCheck(t, c, `LIST "" * RETURN (SUBSCRIBED)`, false, false,
		`* LIST (\Subscribed) "/" INBOX`,
		`* LIST (\Subscribed) "/" box`)
	c.ok("UNSUBSCRIBE box")
	c.ok("UNSUBSCRIBE box") // not subscribed: OK
	c.ok("UNSUBSCRIBE never")
	c.ok("UNSUBSCRIBE INBOX")
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" *`, false, false,
		`* LIST (\Subscribed \NonExistent) "/" #news/comp/mail/mime`)
	// The subscription outlives the mailbox (RFC 9051 §6.3.7).
	c.ok("SUBSCRIBE box")
	c.ok("DELETE box")
	mbxCheck(t, c, `LIST (SUBSCRIBED) "" b*`, false, false, `* LIST (\Subscribed \NonExistent) "/" box`)
	mbxNo(t, c, `SUBSCRIBE ""`, imap.CodeCannot)
}

// TestMailboxNamespace: one personal namespace with the store's
// delimiter (RFC 2342 §5).
func TestMailboxNamespace(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	u := c.ok("NAMESPACE")
	if len(u) != 1 || u[0].Kind != wire.KindNamespace {
		t.Fatalf("NAMESPACE: %s", kinds(u))
	}
	ns := u[0].Namespace
	if len(ns.Personal) != 1 || ns.Personal[0].Prefix != "" || ns.Personal[0].Delim != '/' || ns.Other != nil || ns.Shared != nil {
		t.Errorf("NAMESPACE: %+v", ns)
	}
	r := mbxDialRaw(t, ts)
	if got := r.do("NAMESPACE"); len(got) != 1 || got[0] != `* NAMESPACE (("" "/")) NIL NIL` {
		t.Errorf("NAMESPACE: %q", got)
	}
}

// TestMailboxStatus: every STATUS item (RFC 9051 §6.3.11, RFC 3501
// §6.3.10, RFC 7162, RFC 7889, RFC 8438).
func TestMailboxStatus(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	c.ok("CREATE blurdybloop")
	mbxAppend(t, ts, "blurdybloop", imap.FlagSeen)
	mbxAppend(t, ts, "blurdybloop", imap.FlagDeleted)
	mbxAppend(t, ts, "blurdybloop", imap.FlagSeen, imap.FlagDeleted)
	// RFC 9051's example; the items come in the order asked.
	sd := mbxStatus(t, c, "STATUS blurdybloop (UIDNEXT MESSAGES)")
	if len(sd.Items) != 2 || sd.Items[0].Item != imap.StatusUIDNext || sd.Items[1].Item != imap.StatusMessages {
		t.Errorf("items: %+v", sd.Items)
	}
	mbxWantStatus(t, sd, map[imap.StatusItem]uint64{imap.StatusUIDNext: 4, imap.StatusMessages: 3})

	sd = mbxStatus(t, c, "STATUS blurdybloop (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ APPENDLIMIT MESSAGES)")
	if len(sd.Items) != 9 {
		t.Errorf("items: %+v", sd.Items)
	}
	mbxWantStatus(t, sd, map[imap.StatusItem]uint64{
		imap.StatusMessages: 3, imap.StatusRecent: 3, imap.StatusUIDNext: 4, imap.StatusUnseen: 1,
		imap.StatusDeleted: 2, imap.StatusAppendLimit: DefaultMaxMessageSize,
	})
	if n, _ := sd.Get(imap.StatusSize); n < 3*uint64(len("Subject: test\r\n\r\nbody\r\n")) {
		t.Errorf("SIZE %d", n)
	}
	if n, _ := sd.Get(imap.StatusHighestModSeq); n == 0 {
		t.Errorf("HIGHESTMODSEQ 0")
	}
	if n, _ := sd.Get(imap.StatusUIDValidity); n == 0 {
		t.Errorf("UIDVALIDITY 0")
	}
	mbxWantStatus(t, mbxStatus(t, c, "STATUS inbox (MESSAGES)"), map[imap.StatusItem]uint64{imap.StatusMessages: 0})

	// Errors.
	mbxNo(t, c, "STATUS nosuch (MESSAGES)", imap.CodeNonExistent)
	c.ok("CREATE level/x")
	c.ok("DELETE level")
	mbxNo(t, c, "STATUS level (MESSAGES)", imap.CodeCannot)
	for _, cmd := range []string{"STATUS blurdybloop (BOGUS)", "STATUS blurdybloop (DELETED-STORAGE)", "STATUS blurdybloop ()"} {
		if _, r := c.do(cmd); r.Status != wire.StatusBAD {
			t.Errorf("%s: %s", cmd, r.Status)
		}
	}
}

// TestMailboxStatusLimit: APPENDLIMIT is the server's limit (RFC 7889
// §4).
func TestMailboxStatusLimit(t *testing.T) {
	ts := newTestServer(t, func(s *Server) { s.Limits.MaxMessageSize = 12345 })
	c := ts.dial(t)
	c.login()
	mbxWantStatus(t, mbxStatus(t, c, "STATUS INBOX (APPENDLIMIT)"), map[imap.StatusItem]uint64{imap.StatusAppendLimit: 12345})
}

// TestMailboxStatusSelected: STATUS of the selected mailbox is answered
// (RFC 9051 §6.3.11), with the mailbox's state; the new message reaches
// the session as EXISTS after it. The first STATUS (HIGHESTMODSEQ) is a
// CONDSTORE enabling command and reports the selected mailbox's
// HIGHESTMODSEQ (RFC 7162 §3.1).
func TestMailboxStatusSelected(t *testing.T) {
	ts, c := mbxSetup(t, nil)
	mbxAppend(t, ts, "INBOX")
	c.ok("SELECT INBOX")
	mbxAppend(t, ts, "INBOX")
	u := c.ok("STATUS INBOX (MESSAGES HIGHESTMODSEQ)")
	var seen []string
	for _, r := range u {
		switch {
		case r.Kind == wire.KindStatus && r.Code != nil && r.Code.Name == imap.CodeHighestModSeq:
			seen = append(seen, "HIGHESTMODSEQ")
		case r.Kind == wire.KindStatusData:
			seen = append(seen, "STATUS")
			mbxWantStatus(t, r.StatusData, map[imap.StatusItem]uint64{imap.StatusMessages: 2})
		case r.Kind == wire.KindExists:
			seen = append(seen, "EXISTS")
			if r.Num != 2 {
				t.Errorf("EXISTS %d", r.Num)
			}
		}
	}
	if len(seen) != 3 || seen[0] != "HIGHESTMODSEQ" || seen[1] != "STATUS" || seen[2] != "EXISTS" {
		t.Errorf("responses: %v (%s)", seen, kinds(u))
	}
	// Only the first enabling command says HIGHESTMODSEQ.
	for _, r := range c.ok("STATUS INBOX (HIGHESTMODSEQ)") {
		if r.Kind == wire.KindStatus {
			t.Errorf("second STATUS (HIGHESTMODSEQ): %+v", r)
		}
	}
}

// TestMailboxCommandsNeedLogin: the commands of the authenticated state
// are BAD before login.
func TestMailboxCommandsNeedLogin(t *testing.T) {
	ts := newTestServer(t)
	c := ts.dial(t)
	for _, cmd := range []string{
		"CREATE x", "DELETE x", "RENAME x y", "SUBSCRIBE x", "UNSUBSCRIBE x",
		`LIST "" *`, `LSUB "" *`, "NAMESPACE", "STATUS INBOX (MESSAGES)",
	} {
		if _, r := c.do(cmd); r.Status != wire.StatusBAD {
			t.Errorf("%s before login: %s", cmd, r.Status)
		}
	}
}
