package storetest_test

import (
	"testing"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/storetest"
)

// A store's conformance test: Run with a function that makes a new,
// empty backend with one user. In a store's _test.go file the function
// below is a Test function, such as func TestConformance(t *testing.T).
// A store that keeps mail on disk makes its backend in t.TempDir() and
// sets Reopen to open that directory again.
func ExampleRun() {
	testConformance := func(t *testing.T) {
		storetest.Run(t, storetest.Options{
			NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
				b := memstore.New()
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
			// memstore keeps messages in memory: the large-append rule
			// checks that it holds one copy rather than streaming.
			InMemory: true,
		})
	}
	_ = testConformance
}
