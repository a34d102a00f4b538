package maildir_test

import (
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
	"github.com/mailaccess/mailaccess/mailstore/storetest"
)

// authBackend is a Backend with the Users authenticator beside it, as a
// server would combine them.
type authBackend struct {
	*maildir.Backend
	*passwd.Users
	root string
	opts *maildir.Options
}

func newAuthBackend(t *testing.T, root string, opts *maildir.Options, users *passwd.Users) *authBackend {
	t.Helper()
	b, err := maildir.New(root, opts)
	if err != nil {
		t.Fatal(err)
	}
	return &authBackend{Backend: b, Users: users, root: root, opts: opts}
}

// TestConformance runs the contract's suite against the Maildir store,
// with a small per-view queue so that the overflow policy is exercised,
// and Reopen (a new Backend on the same directory) for the persistence
// rules.
func TestConformance(t *testing.T) {
	opts := &maildir.Options{MaxQueue: 64, QuotaSet: true}
	storetest.Run(t, storetest.Options{
		NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
			users := passwd.New()
			if err := users.AddUser("alice", "secret"); err != nil {
				t.Fatal(err)
			}
			return newAuthBackend(t, t.TempDir(), opts, users), "alice", "secret"
		},
		OtherUser: func(t *testing.T, b mailstore.Backend) (string, string) {
			if err := b.(*authBackend).AddUser("bob", "hunter2"); err != nil {
				t.Fatal(err)
			}
			return "bob", "hunter2"
		},
		Reopen: func(t *testing.T, b mailstore.Backend) mailstore.Backend {
			ab := b.(*authBackend)
			return newAuthBackend(t, ab.root, ab.opts, ab.Users)
		},
		Overflow:  1000,
		LargeSize: 100 << 20,
	})
}
