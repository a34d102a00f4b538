package wire_test

import (
	"os"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// TestRFC3501Session decodes the whole sample connection of RFC 3501 §8 as
// two streams (what the server sent and what the client sent) in strict
// mode, checks the typed values that matter, then encodes each stream and
// decodes it again to equal values.
func TestRFC3501Session(t *testing.T) {
	server, err := os.ReadFile("../../examples/imapwire/testdata/rfc3501-session.server.txt")
	if err != nil {
		t.Fatal(err)
	}
	client, err := os.ReadFile("../../examples/imapwire/testdata/rfc3501-session.client.txt")
	if err != nil {
		t.Fatal(err)
	}

	rs := rtDecodeResponses(t, string(server), false)
	if len(rs) != 16 {
		t.Fatalf("%d responses, want 16", len(rs))
	}
	if r := rs[0]; r.Kind != wire.KindStatus || r.Status != wire.StatusOK || r.Tag != "" {
		t.Errorf("greeting: %+v", r)
	}
	if r := rs[2]; r.Kind != wire.KindExists || r.Num != 18 {
		t.Errorf("response 2: %+v, want 18 EXISTS", r)
	}
	var fetch *imap.FetchData
	for _, r := range rs {
		if r.Kind == wire.KindFetch && r.Fetch.Item(imap.FetchEnvelope) != nil {
			fetch = r.Fetch
		}
	}
	if fetch == nil || fetch.Seq != 12 {
		t.Fatalf("no FETCH of message 12 with an ENVELOPE")
	}
	env := fetch.Item(imap.FetchEnvelope).Envelope
	if env.Subject.S != "IMAP4rev1 WG mtg summary and minutes" || len(env.Cc) != 2 ||
		env.From[0].Addr() != "gray@cac.washington.edu" || env.InReplyTo.Valid {
		t.Errorf("envelope: %+v", env)
	}
	if sz := fetch.Item(imap.FetchRFC822Size); sz == nil || sz.Num != 4286 {
		t.Errorf("RFC822.SIZE: %+v", sz)
	}
	if body := fetch.Item(imap.FetchBody).Body; body == nil || body.Size != 3028 || body.Lines != 92 {
		t.Errorf("BODY: %+v", body)
	}
	if r := rs[len(rs)-1]; r.Kind != wire.KindStatus || r.Tag != "a006" || r.Status != wire.StatusOK {
		t.Errorf("last response: %+v", r)
	}
	again := rtDecodeResponses(t, rtEncodeResponses(t, nil, rs), false)
	if d := rtDiff(rs, again); d != "" {
		t.Errorf("responses re-encoded decode differently: %s", d)
	}

	cs := rtDecodeCommands(t, string(client), false)
	if len(cs) != 6 {
		t.Fatalf("%d commands, want 6", len(cs))
	}
	if l, ok := cs[0].Args.(*imap.LoginCommand); !ok || l.Username != "mrc" || l.Password != "secret" {
		t.Errorf("LOGIN: %+v", cs[0].Args)
	}
	if s, ok := cs[1].Args.(*imap.SelectCommand); !ok || s.Mailbox != "INBOX" {
		t.Errorf("SELECT: %+v", cs[1].Args)
	}
	if st, ok := cs[4].Args.(*imap.StoreCommand); !ok || st.Op != imap.StoreAdd || len(st.Flags) != 1 || st.Flags[0] != imap.FlagDeleted {
		t.Errorf("STORE: %+v", cs[4].Args)
	}
	againC := rtDecodeCommands(t, rtEncodeCommands(t, nil, cs), false)
	if d := rtDiff(cs, againC); d != "" {
		t.Errorf("commands re-encoded decode differently: %s", d)
	}
}
