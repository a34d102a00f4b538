package memstore_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

func (f *fixture) quota() map[string]imap.QuotaResource {
	f.t.Helper()
	rs, err := f.st.(mailstore.QuotaStore).Quota(f.ctx, "")
	if err != nil {
		f.t.Fatalf("Quota: %v", err)
	}
	m := map[string]imap.QuotaResource{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

func TestQuotaOptions(t *testing.T) {
	f := newFixture(t, &memstore.Options{Quota: []imap.QuotaResource{{Name: "message", Limit: 2}}})
	if _, ok := f.st.(mailstore.QuotaSetter); ok {
		t.Error("the store implements QuotaSetter without Options.QuotaSet")
	}
	if got := f.quota(); len(got) != 1 || got["MESSAGE"].Limit != 2 {
		t.Fatalf("Quota with Options.Quota MESSAGE 2: %v", got)
	}
	f.appendN("INBOX", 2)
	if _, err := f.st.Append(f.ctx, "INBOX", strings.NewReader(msg(3)), nil); !errors.Is(err, mailstore.ErrQuota) {
		t.Errorf("Append over Options.Quota: %v", err)
	}
	if err := f.b.SetQuota("alice", []imap.QuotaResource{{Name: "STORAGE", Limit: 100}}); err != nil {
		t.Fatal(err)
	}
	if got := f.quota(); len(got) != 1 || got["STORAGE"].Limit != 100 || got["STORAGE"].Usage != 1 {
		t.Errorf("Quota after Backend.SetQuota(STORAGE 100): %v", got)
	}
	f.append("INBOX", 3)
	if err := f.b.SetQuota("nobody", nil); !errors.Is(err, memstore.ErrNoSuchUser) {
		t.Errorf("SetQuota(unknown user): %v", err)
	}
	if err := f.b.SetQuota("alice", []imap.QuotaResource{{Name: "MAILBOX", Limit: 1}}); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("SetQuota(MAILBOX): %v", err)
	}
	// Other users start with Options.Quota too; a bad one is refused.
	if err := f.b.AddUser("bob", "pw"); err != nil {
		t.Fatal(err)
	}
	bad := memstore.NewWithOptions(&memstore.Options{Quota: []imap.QuotaResource{{Name: "STORAGE"}, {Name: "storage"}}})
	if err := bad.AddUser("alice", "pw"); !errors.Is(err, mailstore.ErrNotAllowed) {
		t.Errorf("AddUser with a resource named twice in Options.Quota: %v", err)
	}
}

// TestQuotaMoveHeld: a Move copies a message another session expunged
// (held back in the view) without removing anything, so it counts
// against the quota, while moving messages still in the mailbox does not.
func TestQuotaMoveHeld(t *testing.T) {
	f := newFixture(t, &memstore.Options{QuotaSet: true})
	f.create("Dest")
	uids := f.appendN("INBOX", 3)
	mb := f.view(f.st, "INBOX", false)
	other := f.view(f.open(), "INBOX", false)
	if _, err := other.Expunge(f.ctx, uids[:1]); err != nil {
		t.Fatal(err)
	}
	f.poll(mb, false) // holds the expunge back
	if err := f.st.(mailstore.QuotaSetter).SetQuota(f.ctx, "", []imap.QuotaResource{{Name: "MESSAGE", Limit: 2}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := mb.Move(f.ctx, uids[:1], "Dest"); !errors.Is(err, mailstore.ErrQuota) {
		t.Errorf("Move of a held-back message at the limit: %v", err)
	}
	if _, _, err := mb.Move(f.ctx, uids[1:], "Dest"); err != nil {
		t.Errorf("Move of messages in the mailbox at the limit: %v", err)
	}
	if got := f.quota()["MESSAGE"].Usage; got != 2 {
		t.Errorf("MESSAGE usage %d, want 2", got)
	}
}

// TestQuotaConcurrent: appends from many sessions at once never go past
// the limit, and the usage stays exact.
func TestQuotaConcurrent(t *testing.T) {
	const limit, workers, each = 50, 8, 10
	f := newFixture(t, &memstore.Options{Quota: []imap.QuotaResource{{Name: "MESSAGE", Limit: limit}}})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, over := 0, 0
	for w := range workers {
		st := f.open()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				_, err := st.Append(f.ctx, "INBOX", strings.NewReader(msg(w*100+i)), nil)
				mu.Lock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, mailstore.ErrQuota):
					over++
				default:
					t.Error(err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if ok != limit || over != workers*each-limit {
		t.Errorf("%d appends succeeded and %d were over quota, want %d and %d", ok, over, limit, workers*each-limit)
	}
	if s := f.status("INBOX"); s.Messages != limit {
		t.Errorf("INBOX holds %d messages", s.Messages)
	}
	if got := f.quota()["MESSAGE"].Usage; got != limit {
		t.Errorf("MESSAGE usage %d", got)
	}
}
