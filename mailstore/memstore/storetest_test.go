package memstore_test

import (
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/storetest"
)

// TestConformance runs the contract's suite against memstore with a small
// per-view queue, so that the overflow policy is exercised too (the
// suite's own TestMemstore runs it with the defaults), and with quota
// limits set by the embedding program (Backend.SetQuota) rather than by
// the user (the suite's TestMemstore uses Options.QuotaSet).
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Options{
		NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
			b := memstore.NewWithOptions(&memstore.Options{MaxQueue: 64})
			if err := b.AddUser("alice", "secret"); err != nil {
				t.Fatal(err)
			}
			return b, "alice", "secret"
		},
		OtherUser: func(t *testing.T, b mailstore.Backend) (string, string) {
			if err := b.(*memstore.Backend).AddUser("bob", "hunter2"); err != nil {
				t.Fatal(err)
			}
			return "bob", "hunter2"
		},
		SetQuota: func(t *testing.T, b mailstore.Backend, user string, limits []imap.QuotaResource) {
			if err := b.(*memstore.Backend).SetQuota(user, limits); err != nil {
				t.Fatal(err)
			}
		},
		InMemory: true,
		Overflow: 1000,
		// 16 MiB is enough to show whether Append keeps more than one
		// copy; the suite's own run uses 100 MiB.
		LargeSize: 16 << 20,
	})
}
