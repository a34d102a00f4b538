// Package storetest checks that a mail store keeps the rules of the
// mailstore contract, in the spirit of testing/fstest: every store runs
// the same suite from its own tests, so that the protocol servers can rely
// on every store alike.
//
// A store author calls Run from a test with a function that makes a new,
// empty backend:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, storetest.Options{
//			NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
//				b := mystore.New(t.TempDir())
//				if err := b.AddUser("alice", "secret"); err != nil {
//					t.Fatal(err)
//				}
//				return b, "alice", "secret"
//			},
//		})
//	}
//
// Run calls NewBackend once for every rule, so rules never see each
// other's mail. The optional fields of Options enable more rules: a
// second user (OtherUser) for isolation, Reopen for persistence across a
// restart, and they describe the store: InMemory for a store that keeps
// contents in memory, Overflow for a store with a per-view queue limit.
//
// Each rule is a subtest named after it, in groups: Auth, Mailboxes,
// Append, View, Sessions, Concurrency, Large, Search and Persistence; a
// failure names the rule broken, as in
//
//	--- FAIL: TestConformance/View/ExpungeSeqOrder
//
// and go test -run selects rules: -run 'TestConformance/Sessions/'.
// Every rule's doc comment cites the RFC section it checks. Rules a
// backend cannot take part in (no Authenticator, no Reopen, no \Recent)
// are skipped, with the reason.
//
// What the suite checks:
//
//   - Auth: Authenticator and SecretLookup, if implemented; ErrAuthFailed
//     for wrong passwords and unknown users alike; users are isolated.
//   - Mailboxes: INBOX always there and case-insensitive; CREATE,
//     DELETE and RENAME with their RFC 3501 rules (inferiors, INBOX, the
//     \Noselect parent, UIDVALIDITY of a re-created name); subscriptions;
//     special-use attributes; UTF-8 names.
//   - Append: ascending UIDs and UIDNEXT; STATUS counts; internal dates
//     and flags kept; octets read back identical through OpenMessage
//     (io.ReaderAt at any offset); Structure equal to mime.Parse's; a
//     failed append adds nothing.
//   - View: flag changes and MODSEQ rules (CONDSTORE), UNCHANGEDSINCE,
//     read-only views, EXPUNGE sequence numbers, UIDs never reused,
//     ExpungedSince (QRESYNC), COPY and MOVE with COPYUID, ErrClosed.
//   - Sessions: the changes of one session reach another's view through
//     Poll in order with consistent sequence numbers; Poll(false) holds
//     expunges back; Updated fires; a view far behind converges; deleting
//     a mailbox closes its views.
//   - Concurrency: appends, flag changes and expunges from several
//     goroutines lose nothing and leave every view in agreement. Run the
//     suite with -race.
//   - Large: a 100 MiB message streams through Append without the heap
//     growing by its size, and reads back identical. Skipped under -short
//     and with Options.SkipLarge.
//   - Search: mailstore.Search, Sort and Thread work on the store.
//   - Persistence: with Options.Reopen, mailboxes, messages, flags,
//     MODSEQs and UIDs survive a restart.
//
// Every Poll the suite makes is checked against a model of the view: the
// updates it returns, applied in order to the view's list before the
// call, must give the list after it, so a store whose sequence numbers
// drift fails at the first Poll that shows it.
//
// Run does not call t.Parallel, and the caller should not run it in
// parallel with other tests: the large-append rule measures the heap of
// the whole process. The suite takes some seconds; most of it is the large
// append.
package storetest
