package storetest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
	"github.com/mailaccess/mailaccess/mailstore/storetest"
	"github.com/mailaccess/mailaccess/mime"
)

// The suite's check of itself: memstore with one bug injected (a
// mutant) must fail the rule meant to catch that bug. Each mutant runs in
// a child process (the suite fails its *testing.T), limited to that rule.

// mutant is a bug and the rule that must catch it.
type mutant struct {
	name string
	rule string // group/rule
	opts func(*storetest.Options)
}

var mutants = []mutant{
	{"expunge-original-seqs", "View/ExpungeSeqOrder", nil},
	{"poll-drops-update", "Sessions/PollOrder", nil},
	{"poll-false-expunges", "Sessions/PollHoldsExpunges", nil},
	{"recent-in-flags", "View/MessagesAfterOpen", nil},
	{"readat-short-no-eof", "Append/ReadAt", nil},
	{"status-unseen-off", "Append/StatusCounts", nil},
	{"closed-view-works", "Sessions/DeleteClosesViews", nil},
	{"auth-unknown-other-error", "Auth/UnknownUser", nil},
	{"changed-unsorted", "View/SetFlags", nil},
	{"failed-unreported", "View/UnchangedSince", nil},
	{"copyuid-swapped", "View/Copy", nil},
	{"structure-wrong", "Append/Structure", nil},
	{"hms-ignores-held-expunge", "Sessions/PollHoldsExpunges", nil},
	{"expungedsince-empty", "View/ExpungedSince", nil},
	{"quota-leaves-message", "Quota/AppendOverQuota", nil},
	{"quota-storage-octets", "Quota/Usage", nil},
	{"metadata-private-is-shared", "Metadata/PrivateShared", nil},
	{"metadata-partial-set", "Metadata/SetAllOrNothing", nil},
	{"acl-obsolete-ignored", "ACL/ObsoleteRights", nil},
	{"not-streaming", "Large/StreamedAppend", func(o *storetest.Options) {
		o.InMemory = false // memstore holds the message, which a streaming store must not
		o.LargeSize = 64 << 20
	}},
}

// TestSuiteCatchesMutants runs each mutant's rule in a child process and
// checks that it fails.
func TestSuiteCatchesMutants(t *testing.T) {
	if os.Getenv("STORETEST_MUTANT") != "" {
		t.Skip("in a mutant's child process")
	}
	for _, m := range mutants {
		t.Run(m.name, func(t *testing.T) {
			if strings.HasPrefix(m.rule, "Large/") && testing.Short() {
				t.Skip("large append skipped under -short")
			}
			group, rule, _ := strings.Cut(m.rule, "/")
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^TestMutant$/^"+group+"$/^"+rule+"$", "-test.v")
			cmd.Env = append(os.Environ(), "STORETEST_MUTANT="+m.name)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if !errors.As(err, &exit) {
				t.Fatalf("the suite did not catch the mutant in %s (err %v):\n%s", m.rule, err, out)
			}
			if !strings.Contains(string(out), "--- FAIL: TestMutant/"+m.rule) {
				t.Errorf("the mutant did not fail %s:\n%s", m.rule, out)
			}
		})
	}
}

// TestMutant runs the suite against the mutant named by STORETEST_MUTANT.
func TestMutant(t *testing.T) {
	name := os.Getenv("STORETEST_MUTANT")
	if name == "" {
		t.Skip("run by TestSuiteCatchesMutants")
	}
	i := slices.IndexFunc(mutants, func(m mutant) bool { return m.name == name })
	if i < 0 {
		t.Fatalf("unknown mutant %q", name)
	}
	opts := storetest.Options{
		NewBackend: func(t *testing.T) (mailstore.Backend, string, string) {
			b := memstore.NewWithOptions(&memstore.Options{QuotaSet: true})
			if err := b.AddUser("alice", "secret"); err != nil {
				t.Fatal(err)
			}
			return &mBackend{b, name}, "alice", "secret"
		},
		InMemory: true,
	}
	if f := mutants[i].opts; f != nil {
		f(&opts)
	}
	storetest.Run(t, opts)
}

type mBackend struct {
	b   *memstore.Backend
	bug string
}

func (b *mBackend) Authenticate(ctx context.Context, user, pass string) (string, error) {
	u, err := b.b.Authenticate(ctx, user, pass)
	if b.bug == "auth-unknown-other-error" && user != "alice" {
		return "", errors.New("no such user")
	}
	return u, err
}

func (b *mBackend) Open(ctx context.Context, user string) (mailstore.Store, error) {
	st, err := b.b.Open(ctx, user)
	if err != nil {
		return nil, err
	}
	return &mStore{st, b.bug, b.b, user}, nil
}

// mStore is a Store with a bug. It has every optional interface of the
// memstore Store it wraps (a Backend with QuotaSet).
type mStore struct {
	mailstore.Store
	bug  string
	b    *memstore.Backend
	user string
}

func (s *mStore) Append(ctx context.Context, name string, r io.Reader, opts *mailstore.AppendOptions) (*mailstore.AppendResult, error) {
	if s.bug != "quota-leaves-message" {
		return s.Store.Append(ctx, name, r, opts)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	res, err := s.Store.Append(ctx, name, bytes.NewReader(data), opts)
	if !errors.Is(err, mailstore.ErrQuota) {
		return res, err
	}
	// Store it anyway, then report the quota error.
	limits, qerr := s.Quota(ctx, "")
	if qerr != nil {
		return nil, qerr
	}
	if err := s.b.SetQuota(s.user, nil); err != nil {
		return nil, err
	}
	s.Store.Append(ctx, name, bytes.NewReader(data), opts)
	if err := s.b.SetQuota(s.user, limits); err != nil {
		return nil, err
	}
	return nil, err
}

func (s *mStore) QuotaResources() []string { return s.Store.(mailstore.QuotaStore).QuotaResources() }

func (s *mStore) QuotaRoots(ctx context.Context, mailbox string) ([]string, error) {
	return s.Store.(mailstore.QuotaStore).QuotaRoots(ctx, mailbox)
}

func (s *mStore) Quota(ctx context.Context, root string) ([]imap.QuotaResource, error) {
	rs, err := s.Store.(mailstore.QuotaStore).Quota(ctx, root)
	if err == nil && s.bug == "quota-storage-octets" {
		for i := range rs {
			if rs[i].Name == mailstore.QuotaStorage {
				rs[i].Usage *= 1024
			}
		}
	}
	return rs, err
}

func (s *mStore) SetQuota(ctx context.Context, root string, limits []imap.QuotaResource) error {
	return s.Store.(mailstore.QuotaSetter).SetQuota(ctx, root, limits)
}

// privateIsShared is the bug that keeps /private entries as /shared ones.
func (s *mStore) privateIsShared(name string) string {
	if s.bug == "metadata-private-is-shared" && len(name) >= 8 && strings.EqualFold(name[:8], "/private") {
		return "/shared" + name[8:]
	}
	return name
}

func (s *mStore) Metadata(ctx context.Context, mailbox string, names []string) ([]imap.MetadataEntry, error) {
	names = slices.Clone(names)
	for i := range names {
		names[i] = s.privateIsShared(names[i])
	}
	return s.Store.(mailstore.MetadataStore).Metadata(ctx, mailbox, names)
}

func (s *mStore) MetadataNames(ctx context.Context, mailbox string) ([]string, error) {
	return s.Store.(mailstore.MetadataStore).MetadataNames(ctx, mailbox)
}

func (s *mStore) SetMetadata(ctx context.Context, mailbox string, entries []imap.MetadataEntry) error {
	ms := s.Store.(mailstore.MetadataStore)
	entries = slices.Clone(entries)
	for i := range entries {
		entries[i].Name = s.privateIsShared(entries[i].Name)
	}
	if s.bug == "metadata-partial-set" {
		for _, e := range entries {
			if err := ms.SetMetadata(ctx, mailbox, []imap.MetadataEntry{e}); err != nil {
				return err
			}
		}
		return nil
	}
	return ms.SetMetadata(ctx, mailbox, entries)
}

func (s *mStore) ACL(ctx context.Context, mailbox string) ([]imap.ACLEntry, error) {
	return s.Store.(mailstore.ACLStore).ACL(ctx, mailbox)
}

func (s *mStore) SetACL(ctx context.Context, mailbox, identifier string, op mailstore.RightsOp, rights string) error {
	if s.bug == "acl-obsolete-ignored" {
		rights = strings.NewReplacer("c", "", "d", "").Replace(rights)
	}
	return s.Store.(mailstore.ACLStore).SetACL(ctx, mailbox, identifier, op, rights)
}

func (s *mStore) DeleteACL(ctx context.Context, mailbox, identifier string) error {
	return s.Store.(mailstore.ACLStore).DeleteACL(ctx, mailbox, identifier)
}

func (s *mStore) ListRights(ctx context.Context, mailbox, identifier string) (string, []string, error) {
	return s.Store.(mailstore.ACLStore).ListRights(ctx, mailbox, identifier)
}

func (s *mStore) MyRights(ctx context.Context, mailbox string) (string, error) {
	return s.Store.(mailstore.ACLStore).MyRights(ctx, mailbox)
}

func (s *mStore) Status(ctx context.Context, name string) (*mailstore.MailboxStatus, error) {
	st, err := s.Store.Status(ctx, name)
	if err == nil && s.bug == "status-unseen-off" && st.Messages > 3 {
		st.Unseen++
	}
	return st, err
}

func (s *mStore) OpenMailbox(ctx context.Context, name string, opts *mailstore.OpenOptions) (mailstore.Mailbox, error) {
	mb, err := s.Store.OpenMailbox(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	return &mMailbox{Mailbox: mb, bug: s.bug}, nil
}

type mMailbox struct {
	mailstore.Mailbox
	bug string
}

func (m *mMailbox) Messages() []mailstore.MessageInfo {
	msgs := m.Mailbox.Messages()
	if m.bug == "recent-in-flags" && len(msgs) > 0 {
		msgs = slices.Clone(msgs)
		msgs[0].Flags = append(slices.Clone(msgs[0].Flags), imap.FlagRecent)
	}
	return msgs
}

func (m *mMailbox) HighestModSeq() uint64 {
	hms := m.Mailbox.HighestModSeq()
	if m.bug == "hms-ignores-held-expunge" {
		for _, x := range m.Mailbox.Messages() {
			hms = max(hms, x.ModSeq)
		}
	}
	return hms
}

func (m *mMailbox) ExpungedSince(ctx context.Context, modseq uint64) (imap.UIDSet, error) {
	if m.bug == "expungedsince-empty" {
		return imap.UIDSet{}, nil
	}
	return m.Mailbox.ExpungedSince(ctx, modseq)
}

func (m *mMailbox) Poll(ctx context.Context, expunge bool) ([]mailstore.Update, error) {
	if m.bug == "poll-false-expunges" {
		expunge = true
	}
	ups, err := m.Mailbox.Poll(ctx, expunge)
	if errors.Is(err, mailstore.ErrClosed) && m.bug == "closed-view-works" {
		return nil, nil
	}
	if m.bug == "poll-drops-update" && len(ups) > 2 {
		ups = slices.Delete(slices.Clone(ups), 1, 2)
	}
	return ups, err
}

func (m *mMailbox) Expunge(ctx context.Context, uids []uint32) ([]mailstore.Expunged, error) {
	before := slices.Clone(m.Mailbox.Messages())
	ex, err := m.Mailbox.Expunge(ctx, uids)
	if m.bug == "expunge-original-seqs" {
		for i := range ex {
			for j, b := range before {
				if b.UID == ex[i].UID {
					ex[i].Seq = uint32(j + 1)
				}
			}
		}
	}
	return ex, err
}

func (m *mMailbox) SetFlags(ctx context.Context, uids []uint32, change mailstore.FlagChange) (*mailstore.FlagResult, error) {
	res, err := m.Mailbox.SetFlags(ctx, uids, change)
	if err == nil {
		if m.bug == "changed-unsorted" && len(res.Changed) > 1 {
			slices.Reverse(res.Changed)
		}
		if m.bug == "failed-unreported" {
			res.Failed = nil
		}
	}
	return res, err
}

func (m *mMailbox) Copy(ctx context.Context, uids []uint32, dest string) (*mailstore.CopyResult, error) {
	res, err := m.Mailbox.Copy(ctx, uids, dest)
	if err == nil && m.bug == "copyuid-swapped" && len(res.DestUIDs) > 1 {
		res.DestUIDs[0], res.DestUIDs[1] = res.DestUIDs[1], res.DestUIDs[0]
	}
	return res, err
}

func (m *mMailbox) OpenMessage(ctx context.Context, uid uint32) (mailstore.Message, error) {
	msg, err := m.Mailbox.OpenMessage(ctx, uid)
	if err != nil {
		return nil, err
	}
	return &mMessage{msg, m.bug}, nil
}

type mMessage struct {
	mailstore.Message
	bug string
}

func (m *mMessage) ReadAt(p []byte, off int64) (int, error) {
	n, err := m.Message.ReadAt(p, off)
	if m.bug == "readat-short-no-eof" && err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (m *mMessage) Structure(ctx context.Context) (*mime.Structure, error) {
	st, err := m.Message.Structure(ctx)
	if err == nil && m.bug == "structure-wrong" && st.Root.IsMultipart() {
		c := *st
		c.Root.Subtype = "x-wrong"
		return &c, nil
	}
	return st, err
}
