package storetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

// Options describe the store under test to Run.
type Options struct {
	// NewBackend returns a new, empty backend holding one user, whose
	// name Backend.Open takes, and that user's password (checked only if
	// the backend implements mailstore.Authenticator; "" otherwise). Every
	// rule calls it once, so rules do not see each other's mail; release
	// resources with t.Cleanup. Required.
	NewBackend func(t *testing.T) (b mailstore.Backend, user, password string)

	// OtherUser, if set, returns a second user of b, distinct from the
	// first, and its password, creating the user if need be. The
	// isolation rules (one user never sees another's mail) are skipped
	// without it.
	OtherUser func(t *testing.T, b mailstore.Backend) (user, password string)

	// Reopen, if set, returns a backend opened anew from b's durable
	// state, as after a restart: for stores that keep mail on disk or in
	// a database. Every Store and Mailbox the suite opened from b is
	// closed before the call; Reopen may close b. The persistence rules
	// are skipped without it.
	Reopen func(t *testing.T, b mailstore.Backend) mailstore.Backend

	// InMemory says that the store keeps message contents in memory, so
	// the large-append rule only checks that it holds about one copy
	// (less than 2.5 times the message size) instead of streaming in
	// bounded memory.
	InMemory bool

	// SkipLarge skips the large-append rule (it is always skipped under
	// go test -short).
	SkipLarge bool

	// LargeSize is the size of the message the large-append rule
	// streams through Append; 0 means 100 MiB. A streaming store may grow
	// the live heap by 16 MiB (a quarter of LargeSize below 64 MiB).
	LargeSize int64

	// Overflow is the number of changes one session makes while another
	// view of the mailbox does not poll, to check that a view that falls
	// far behind still converges (the overflow policy). Set it above the
	// store's per-view queue limit, if the store has one; a store whose
	// changes are slow (a file rename each) may set it just above that
	// limit to keep the suite fast. 0 means 20000.
	Overflow int

	// ViewsSurviveDelete says that the store documents that views of a
	// deleted mailbox keep working instead of giving ErrClosed, against
	// the contract; the rule that checks ErrClosed is then skipped.
	ViewsSurviveDelete bool

	// SetQuota, if set, replaces the quota limits of user on b (the
	// limits of the first quota root of the user's INBOX) as the program
	// that embeds the store configures them: for a store that implements
	// mailstore.QuotaStore but not mailstore.QuotaSetter. The quota rules
	// that need limits set them through QuotaSetter if the store has it,
	// else through SetQuota, and are skipped with neither.
	SetQuota func(t *testing.T, b mailstore.Backend, user string, limits []imap.QuotaResource)
}

// rule is one rule of the contract, checked by one subtest.
type rule struct {
	name string
	fn   func(e *env)
}

// group is a set of related rules, run as a subtest with one subtest per
// rule.
type group struct {
	name  string
	rules []rule
}

// groups lists every rule the suite checks, in the order Run runs them.
func groups() []group {
	return []group{
		{"Auth", authRules()},
		{"Mailboxes", mailboxRules()},
		{"Append", appendRules()},
		{"View", viewRules()},
		{"Sessions", sessionRules()},
		{"Concurrency", concurrencyRules()},
		{"Large", largeRules()},
		{"Search", searchRules()},
		{"Persistence", persistRules()},
		{"Quota", quotaRules()},
		{"Metadata", metadataRules()},
		{"ACL", aclRules()},
	}
}

// Run checks that a store keeps the rules of the mailstore contract. It
// runs one subtest per group of rules and, inside it, one per rule, named
// after the rule (for example "View/ExpungeSeqOrder"), so that a failure
// says which rule is broken; use go test -run to run some of them. Run
// does not call t.Parallel: the large-append rule measures the heap of
// the whole process.
func Run(t *testing.T, opts Options) {
	t.Helper()
	if opts.NewBackend == nil {
		t.Fatal("storetest: Options.NewBackend is nil")
	}
	if opts.LargeSize <= 0 {
		opts.LargeSize = 100 << 20
	}
	if opts.Overflow <= 0 {
		opts.Overflow = 20000
	}
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			for _, r := range g.rules {
				t.Run(r.name, func(t *testing.T) {
					r.fn(newEnv(t, &opts))
				})
			}
		})
	}
}

// waitTimeout bounds every wait for another session's change to show: it
// is a bound for a hung store, not a timing assertion.
const waitTimeout = 30 * time.Second

// env is one rule's fixture: a fresh backend and its user, with helpers
// that fail the test on unexpected errors. Its Fatal helpers must be
// called from the test's goroutine only.
type env struct {
	*testing.T
	opts     *Options
	ctx      context.Context
	b        mailstore.Backend
	user     string
	password string
	// st is a store handle opened for the rule.
	st    mailstore.Store
	delim string
	// closers are the handles and views to close before Reopen, newest
	// last.
	closers []io.Closer
}

func newEnv(t *testing.T, opts *Options) *env {
	e := &env{T: t, opts: opts, ctx: t.Context()}
	e.b, e.user, e.password = opts.NewBackend(t)
	if e.b == nil {
		t.Fatal("storetest: NewBackend returned a nil Backend")
	}
	t.Cleanup(e.closeAll)
	e.st = e.open()
	e.delim = string(e.st.Delimiter())
	return e
}

// closeAll closes every handle and view the rule opened, newest first,
// ignoring errors (some were closed already).
func (e *env) closeAll() {
	for i := len(e.closers) - 1; i >= 0; i-- {
		e.closers[i].Close()
	}
	e.closers = nil
}

// open opens a new Store handle for the user (one session).
func (e *env) open() mailstore.Store {
	e.Helper()
	return e.openUser(e.user)
}

func (e *env) openUser(user string) mailstore.Store {
	e.Helper()
	st, err := e.b.Open(e.ctx, user)
	if err != nil {
		e.Fatalf("Backend.Open(%q): %v", user, err)
	}
	if st == nil {
		e.Fatalf("Backend.Open(%q) returned a nil Store", user)
	}
	e.closers = append(e.closers, st)
	return st
}

// reopen closes everything and replaces the backend with opts.Reopen's,
// skipping the rule if the store is not persistent.
func (e *env) reopen() {
	e.Helper()
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	e.closeAll()
	e.b = e.opts.Reopen(e.T, e.b)
	if e.b == nil {
		e.Fatal("Reopen returned a nil Backend")
	}
	e.st = e.open()
}

// name joins hierarchy levels with the store's delimiter.
func (e *env) name(levels ...string) string { return strings.Join(levels, e.delim) }

func (e *env) create(st mailstore.Store, name string) {
	e.Helper()
	if err := st.CreateMailbox(e.ctx, name, nil); err != nil {
		e.Fatalf("CreateMailbox(%q): %v", name, err)
	}
}

// appendMsg appends data to mailbox name and returns the result.
func (e *env) appendMsg(st mailstore.Store, name string, data []byte, flags []imap.Flag, date time.Time) *mailstore.AppendResult {
	e.Helper()
	res, err := st.Append(e.ctx, name, bytes.NewReader(data), &mailstore.AppendOptions{Flags: flags, InternalDate: date})
	if err != nil {
		e.Fatalf("Append(%q): %v", name, err)
	}
	if res == nil {
		e.Fatalf("Append(%q) returned a nil result", name)
	}
	return res
}

// appendN appends n generated messages to name and returns their UIDs.
func (e *env) appendN(st mailstore.Store, name string, n int) []uint32 {
	e.Helper()
	uids := make([]uint32, n)
	for i := range uids {
		uids[i] = e.appendMsg(st, name, smallMessage(i, "message "+itoa(i)), nil, time.Time{}).UID
	}
	return uids
}

func (e *env) status(st mailstore.Store, name string) *mailstore.MailboxStatus {
	e.Helper()
	s, err := st.Status(e.ctx, name)
	if err != nil {
		e.Fatalf("Status(%q): %v", name, err)
	}
	if s == nil {
		e.Fatalf("Status(%q) returned nil", name)
	}
	return s
}

// view opens a view of name on st, closed when the rule ends.
func (e *env) view(st mailstore.Store, name string, readOnly bool) mailstore.Mailbox {
	e.Helper()
	mb, err := st.OpenMailbox(e.ctx, name, &mailstore.OpenOptions{ReadOnly: readOnly})
	if err != nil {
		e.Fatalf("OpenMailbox(%q, ReadOnly=%v): %v", name, readOnly, err)
	}
	if mb == nil {
		e.Fatalf("OpenMailbox(%q) returned a nil Mailbox", name)
	}
	e.closers = append(e.closers, mb)
	if err := checkList(mb.Messages()); err != nil {
		e.Fatalf("OpenMailbox(%q): Messages: %v", name, err)
	}
	return mb
}

// list returns the user's mailboxes by name.
func (e *env) list(st mailstore.Store) map[string]mailstore.MailboxInfo {
	e.Helper()
	infos, err := st.Mailboxes(e.ctx)
	if err != nil {
		e.Fatalf("Mailboxes: %v", err)
	}
	m := make(map[string]mailstore.MailboxInfo, len(infos))
	for _, mi := range infos {
		if _, dup := m[mi.Name]; dup {
			e.Errorf("Mailboxes lists %q twice", mi.Name)
		}
		m[mi.Name] = mi
	}
	return m
}

// readMessage reads a whole message through OpenMessage.
func (e *env) readMessage(mb mailstore.Mailbox, uid uint32) []byte {
	e.Helper()
	m, err := mb.OpenMessage(e.ctx, uid)
	if err != nil {
		e.Fatalf("OpenMessage(%d): %v", uid, err)
	}
	defer m.Close()
	b := make([]byte, m.Size())
	n, err := m.ReadAt(b, 0)
	if n != len(b) || (err != nil && err != io.EOF) {
		e.Fatalf("OpenMessage(%d).ReadAt(all %d octets) = %d, %v", uid, len(b), n, err)
	}
	return b
}

// poll calls Poll and checks that its updates turn the view's list before
// the call into its list after it.
func (e *env) poll(mb mailstore.Mailbox, expunge bool) []mailstore.Update {
	e.Helper()
	ups, err := checkedPoll(e.ctx, mb, expunge)
	if err != nil {
		e.Fatal(err)
	}
	return ups
}

// pollUntil polls mb (checking every Poll) until done reports true of
// its list, waiting on Updated between polls, and returns every update
// it got. It fails the test if done stays false for waitTimeout.
func (e *env) pollUntil(mb mailstore.Mailbox, expunge bool, what string, done func([]mailstore.MessageInfo) bool) []mailstore.Update {
	e.Helper()
	ups, err := pollUntil(e.ctx, mb, expunge, done)
	if err != nil {
		e.Fatalf("waiting for %s: %v", what, err)
	}
	return ups
}

// pollUntil is env.pollUntil for any goroutine.
func pollUntil(ctx context.Context, mb mailstore.Mailbox, expunge bool, done func([]mailstore.MessageInfo) bool) ([]mailstore.Update, error) {
	var all []mailstore.Update
	deadline := time.Now().Add(waitTimeout)
	for {
		ups, err := checkedPoll(ctx, mb, expunge)
		all = append(all, ups...)
		if err != nil {
			return all, err
		}
		if done(mb.Messages()) {
			return all, nil
		}
		if time.Now().After(deadline) {
			return all, errors.New("the view never got there (after " + waitTimeout.String() + "); its list: " + describeList(mb.Messages()))
		}
		select {
		case <-mb.Updated():
		case <-time.After(20 * time.Millisecond):
		case <-ctx.Done():
			return all, ctx.Err()
		}
	}
}

// fresh returns the current list of mailbox name as a new session sees
// it.
func (e *env) fresh(name string) []mailstore.MessageInfo {
	e.Helper()
	st, err := e.b.Open(e.ctx, e.user)
	if err != nil {
		e.Fatalf("Backend.Open: %v", err)
	}
	defer st.Close()
	mb, err := st.OpenMailbox(e.ctx, name, &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		e.Fatalf("OpenMailbox(%q): %v", name, err)
	}
	defer mb.Close()
	msgs := slices.Clone(mb.Messages())
	if err := checkList(msgs); err != nil {
		e.Fatalf("fresh view of %q: %v", name, err)
	}
	return msgs
}

// converge polls each view (expunges included) until it agrees with a
// fresh view of the mailbox, then checks that it does.
func (e *env) converge(name string, views ...mailstore.Mailbox) {
	e.Helper()
	want := e.fresh(name)
	for i, mb := range views {
		e.pollUntil(mb, true, "view "+itoa(i)+" to catch up", func(got []mailstore.MessageInfo) bool {
			return sameList(got, want, true) == nil
		})
		if hms := mb.HighestModSeq(); hms < maxModSeq(want) {
			e.Errorf("view %d: HighestModSeq %d after Poll, below a message's MODSEQ %d", i, hms, maxModSeq(want))
		}
		if len(want) > 0 && mb.UIDNext() <= want[len(want)-1].UID {
			e.Errorf("view %d: UIDNext %d after Poll, not above the last UID %d", i, mb.UIDNext(), want[len(want)-1].UID)
		}
	}
}

// setFlags calls SetFlags and fails the test on an error.
func (e *env) setFlags(mb mailstore.Mailbox, uids []uint32, op mailstore.FlagOp, flags ...imap.Flag) *mailstore.FlagResult {
	e.Helper()
	res, err := mb.SetFlags(e.ctx, uids, mailstore.FlagChange{Op: op, Flags: flags})
	if err != nil {
		e.Fatalf("SetFlags(%v, op %d, %v): %v", uids, op, flags, err)
	}
	if res == nil {
		e.Fatalf("SetFlags(%v) returned a nil result", uids)
	}
	return res
}

// expunge calls Expunge and checks its result against the view's list
// before and after (see checkExpunged).
func (e *env) expunge(mb mailstore.Mailbox, uids []uint32) []mailstore.Expunged {
	e.Helper()
	before := slices.Clone(mb.Messages())
	ex, err := mb.Expunge(e.ctx, uids)
	if err != nil {
		e.Fatalf("Expunge(%v): %v", uids, err)
	}
	if err := checkExpunged(before, mb.Messages(), uids, ex); err != nil {
		e.Fatalf("Expunge(%v): %v", uids, err)
	}
	return ex
}

// wantErr fails the test unless err matches target.
func (e *env) wantErr(what string, err, target error) {
	e.Helper()
	if !errors.Is(err, target) {
		e.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// otherUser opens a store of the second user, skipping the rule if the
// options give none.
func (e *env) otherUser() (mailstore.Store, string, string) {
	e.Helper()
	if e.opts.OtherUser == nil {
		e.Skip("Options.OtherUser is not set")
	}
	user, pass := e.opts.OtherUser(e.T, e.b)
	if user == e.user {
		e.Fatalf("OtherUser returned the first user %q", user)
	}
	return e.openUser(user), user, pass
}
