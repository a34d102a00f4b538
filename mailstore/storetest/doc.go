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
// restart, SetQuota for quota limits the embedding program sets, and
// they describe the store: InMemory for a store that keeps contents in
// memory, Overflow for a store with a per-view queue limit.
//
// Each rule is a subtest named after it, in groups: Auth, Mailboxes,
// Append, View, Sessions, Concurrency, Large, Search, Persistence, and
// the groups of the optional interfaces, Quota, Metadata and ACL; a
// failure names the rule broken, as in
//
//	--- FAIL: TestConformance/View/ExpungeSeqOrder
//
// and go test -run selects rules: -run 'TestConformance/Sessions/'.
// Every rule's doc comment cites the RFC section it checks. Rules a
// backend cannot take part in (no Authenticator, no Reopen, no \Recent,
// a Store without mailstore.QuotaStore, MetadataStore or ACLStore) are
// skipped, with the reason.
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
//   - Quota, if the Store is a mailstore.QuotaStore (RFC 9208): quota
//     roots and resources; STORAGE and MESSAGE usage exact through
//     APPEND, EXPUNGE, COPY, MOVE, RENAME and DELETE; APPEND and COPY over
//     a limit refused with ErrQuota, leaving nothing behind; MOVE within a
//     root allowed at the limit; a limit lowered below the usage deletes
//     nothing; SETQUOTA replaces every limit (with mailstore.QuotaSetter).
//     The rules that need limits set them through QuotaSetter or
//     Options.SetQuota and are skipped with neither.
//   - Metadata, if the Store is a mailstore.MetadataStore (RFC 5464):
//     entries set, read, replaced and removed (NIL), octet for octet;
//     names case-insensitive and checked; mailbox and server entries;
//     /private and /shared apart, private server entries per user; the
//     all-or-nothing SETMETADATA; the size limit (MAXSIZE, with the
//     limit in the error) and the count limit (TOOMANY); entries follow
//     RENAME and go with DELETE; /shared/admin is read-only.
//   - ACL, if the Store is a mailstore.ACLStore (RFC 4314): MYRIGHTS on
//     one's own mailboxes; SETACL replacing, adding and removing rights,
//     the obsolete "c" and "d" expanded, unknown rights refused with
//     ErrInvalidRights; DELETEACL; LISTRIGHTS; ACLs kept by RENAME and
//     dropped by DELETE.
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
