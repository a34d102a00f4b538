package storetest_test

import (
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/storetest"
)

// TestMemstore runs the suite against the in-memory store, which is also
// the suite's own check. Users may set their own quota, so the quota
// rules go through mailstore.QuotaSetter.
func TestMemstore(t *testing.T) {
	storetest.Run(t, storetest.Options{
		NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
			b := memstore.NewWithOptions(&memstore.Options{QuotaSet: true})
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
		// memstore keeps nothing on disk; "reopening" it as itself checks
		// the persistence rules' own logic.
		Reopen:   func(t *testing.T, b mailstore.Backend) mailstore.Backend { return b },
		InMemory: true,
	})
}
