package maildir_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// TestNameValidation: names that could leave the user's directory, or
// name something other than one folder directory, are refused with
// ErrInvalidName by every call, and nothing is created outside.
func TestNameValidation(t *testing.T) {
	f := newFixture(t, nil)
	bad := []string{
		"..", "../x", "../../etc/passwd", "a/../../b", "/etc", "a/b", ".", ".hidden", "a.", "a..b",
		"x\x00y", "\x00", "tab\t", "line\nfeed", "bell\x07", "\x7f", "\xc3\x28", "",
		strings.Repeat("long", 100),
	}
	for _, name := range bad {
		// (CreateMailbox takes one trailing delimiter, RFC 3501 §6.3.3.)
		if err := f.st.CreateMailbox(f.ctx, name, nil); name != "a." && !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("CreateMailbox(%q): %v, want ErrInvalidName", name, err)
		}
		if _, err := f.st.Status(f.ctx, name); !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("Status(%q): %v, want ErrInvalidName", name, err)
		}
		if _, err := f.st.Append(f.ctx, name, bytes.NewReader(testMessage("x", "x")), nil); !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("Append(%q): %v, want ErrInvalidName", name, err)
		}
		if err := f.st.RenameMailbox(f.ctx, "INBOX", name); !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("RenameMailbox(INBOX, %q): %v, want ErrInvalidName", name, err)
		}
		if err := f.st.DeleteMailbox(f.ctx, name); !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("DeleteMailbox(%q): %v, want ErrInvalidName", name, err)
		}
	}
	// Nothing appeared beside the user's directory.
	ents, _ := os.ReadDir(f.root)
	if len(ents) != 1 || ents[0].Name() != "u" {
		t.Errorf("the root holds %v", ents)
	}
	// A folder that is a symbolic link to a Maildir outside is refused.
	outside := t.TempDir()
	for _, sub := range []string{"cur", "new", "tmp"} {
		os.Mkdir(filepath.Join(outside, sub), 0o700)
	}
	if err := os.Symlink(outside, filepath.Join(f.userDir(), ".Evil")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.OpenMailbox(f.ctx, "Evil", nil); !errors.Is(err, mailstore.ErrInvalidName) {
		t.Errorf("OpenMailbox through a symbolic link outside: %v, want ErrInvalidName", err)
	}
	list, _ := f.st.Mailboxes(f.ctx)
	for _, mi := range list {
		if mi.Name == "Evil" {
			t.Errorf("the symbolic link outside is listed")
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "mailaccess-index")); err == nil {
		t.Errorf("an index was written outside the root")
	}
	// A symbolic link inside the user's directory is fine.
	if err := f.st.CreateMailbox(f.ctx, "Real", nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(".Real", filepath.Join(f.userDir(), ".Alias")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Status(f.ctx, "Alias"); err != nil {
		t.Errorf("Status through a symbolic link inside: %v", err)
	}
	// User names are checked too.
	for _, u := range []string{"", ".", "..", "../u", "a/b", ".hidden", "x\x00"} {
		if _, err := f.b.Open(f.ctx, u); err == nil {
			t.Errorf("Open(%q) succeeded", u)
		}
	}
}

// TestLayout: folders are Maildir++ directories with modified UTF-7
// names, and messages are files with the flag letters in ASCII order.
func TestLayout(t *testing.T) {
	f := newFixture(t, nil)
	for _, n := range []string{"Sent", "Work.Projects", "Entwürfe"} {
		if err := f.st.CreateMailbox(f.ctx, n, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{".Sent", ".Work", ".Work.Projects", ".Entw&APw-rfe"} {
		for _, sub := range []string{"cur", "new", "tmp", "maildirfolder"} {
			if _, err := os.Stat(filepath.Join(f.userDir(), d, sub)); err != nil {
				t.Errorf("%s/%s: %v", d, sub, err)
			}
		}
	}
	f.append(f.st, "Work.Projects", "m1", imap.FlagSeen, imap.FlagDraft, imap.FlagFlagged, imap.FlagAnswered, imap.FlagDeleted, "$Forwarded", "Other")
	fs := files(t, filepath.Join(f.userDir(), ".Work.Projects"))
	if len(fs) != 1 || !strings.HasPrefix(fs[0], "cur/") || !strings.HasSuffix(fs[0], ":2,DFPRST") || !strings.Contains(fs[0], ",S=") {
		t.Errorf("files: %v", fs)
	}
	if f.st.Delimiter() != '.' {
		t.Errorf("Delimiter %q", f.st.Delimiter())
	}
}

// TestRecoveryTornJournal: garbage after the last whole record of the
// index (a write cut short) is dropped, and a record cut in the middle
// loses only the change whose call never returned: its file is indexed
// again by the scan.
func TestRecoveryTornJournal(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 3 {
		f.append(f.st, "INBOX", fmt.Sprint("m", i))
	}
	idx := filepath.Join(f.userDir(), "mailaccess-index")
	whole, err := os.ReadFile(idx)
	if err != nil {
		t.Fatal(err)
	}
	// Half a record of garbage at the end.
	os.WriteFile(idx, append(bytes.Clone(whole), 40, 0, 0, 0, 1, 2, 3, 4, 2, 9, 9), 0o600)
	f.reopen()
	v := f.view(f.st, "INBOX", true)
	if n := len(v.Messages()); n != 3 {
		t.Fatalf("%d messages after a torn record, want 3", n)
	}
	if u := f.append(f.st, "INBOX", "m3"); u != 4 {
		t.Errorf("next UID %d, want 4", u)
	}
	if fi, _ := os.Stat(idx); fi.Size() <= int64(len(whole)) {
		t.Errorf("index not extended")
	}
	ids := messageIDs(t, f.ctx, pollView(t, f, v))
	if len(ids) != 4 {
		t.Errorf("messages %v", ids)
	}

	// Cut the last record (m3's) in the middle: m3's file is there
	// without an entry, and comes back under a UID not below 4.
	whole, _ = os.ReadFile(idx)
	os.WriteFile(idx, whole[:len(whole)-7], 0o600)
	f.reopen()
	v = f.view(f.st, "INBOX", true)
	ids = messageIDs(t, f.ctx, v)
	if len(ids) != 4 {
		t.Fatalf("messages after a cut record: %v", ids)
	}
	var seen []string
	for uid, id := range ids {
		seen = append(seen, id)
		if id == "m3" && uid < 4 {
			t.Errorf("m3 came back with UID %d", uid)
		}
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"m0", "m1", "m2", "m3"}) {
		t.Errorf("messages %v", seen)
	}
	if u := f.append(f.st, "INBOX", "m4"); u != 5 {
		t.Errorf("next UID %d, want 5", u)
	}
}

func pollView(t *testing.T, f *fixture, v mailstore.Mailbox) mailstore.Mailbox {
	t.Helper()
	if _, err := v.Poll(f.ctx, true); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRecoveryFiles: a file without an index entry (a delivery, or an
// Append cut short after its rename) gets the next UID, with the flags
// of its name; an entry without a file is expunged; a renamed file (a
// flag change by another program) changes the flags. Both at reopening
// and while a view is open.
func TestRecoveryFiles(t *testing.T) {
	f := newFixture(t, &maildir.Options{WatchInterval: -1})
	u1 := f.append(f.st, "INBOX", "keep", imap.FlagSeen)
	u2 := f.append(f.st, "INBOX", "lose")
	cur := filepath.Join(f.userDir(), "cur")
	fs := files(t, f.userDir())
	if len(fs) != 2 {
		t.Fatalf("files %v", fs)
	}
	var lose, keep string
	for _, p := range fs {
		if strings.HasSuffix(p, ":2,S") {
			keep = p
		} else {
			lose = p
		}
	}
	os.Remove(filepath.Join(f.userDir(), lose))
	os.WriteFile(filepath.Join(cur, "1000000000.M1P1.other,S=80:2,FS"), testMessage("dropped-cur", "x"), 0o600)
	os.WriteFile(filepath.Join(f.userDir(), "new", "1000000001.M2P2.other"), testMessage("dropped-new", "y"), 0o600)
	// Another program marks "keep" flagged and answered.
	base, _, _ := strings.Cut(keep, ":")
	os.Rename(filepath.Join(f.userDir(), keep), filepath.Join(f.userDir(), base+":2,FRS"))

	f.reopen()
	v := f.view(f.st, "INBOX", false)
	ids := messageIDs(t, f.ctx, v)
	byID := map[string]mailstore.MessageInfo{}
	for _, mi := range v.Messages() {
		byID[ids[mi.UID]] = mi
	}
	if _, ok := byID["lose"]; ok || len(byID) != 3 {
		t.Fatalf("messages after recovery: %v (%s)", ids, describe(v.Messages()))
	}
	if k := byID["keep"]; k.UID != u1 || !hasFlag(k.Flags, imap.FlagFlagged) || !hasFlag(k.Flags, imap.FlagAnswered) {
		t.Errorf("keep: %+v", k)
	}
	dc, dn := byID["dropped-cur"], byID["dropped-new"]
	if dc.UID <= u2 || dn.UID <= u2 || !hasFlag(dc.Flags, imap.FlagFlagged) || !hasFlag(dc.Flags, imap.FlagSeen) || len(dn.Flags) != 0 {
		t.Errorf("dropped files: %+v %+v", dc, dn)
	}
	if dc.InternalDate.Unix() != statTime(t, cur, "1000000000.M1P1.other,S=80:2,FS") {
		t.Errorf("internal date %v is not the file's time", dc.InternalDate)
	}
	if es, err := v.ExpungedSince(f.ctx, 0); err != nil || !es.Contains(u2, 0) {
		t.Errorf("ExpungedSince(0) = %v, %v; want %d in it", es, err, u2)
	}
	// The file from new/ moved to cur/.
	if ents, _ := os.ReadDir(filepath.Join(f.userDir(), "new")); len(ents) != 0 {
		t.Errorf("new/ still holds %v", ents)
	}

	// While the view is open: a delivery, a removal and a rename are
	// seen by Poll.
	time.Sleep(10 * time.Millisecond)
	os.WriteFile(filepath.Join(f.userDir(), "new", "1000000002.M3P3.other"), testMessage("live", "z"), 0o600)
	pollUntil(t, f.ctx, v, "a delivery to new/", func(ms []mailstore.MessageInfo) bool { return len(ms) == 4 })
	for _, p := range files(t, f.userDir()) {
		if strings.Contains(p, "M1P1.other") {
			os.Rename(filepath.Join(f.userDir(), p), filepath.Join(cur, "1000000000.M1P1.other,S=80:2,T"))
		}
	}
	pollUntil(t, f.ctx, v, "a rename by another program", func(ms []mailstore.MessageInfo) bool {
		for _, m := range ms {
			if m.UID == dc.UID {
				return len(m.Flags) == 1 && m.Flags[0] == imap.FlagDeleted
			}
		}
		return false
	})
	for _, p := range files(t, f.userDir()) {
		if strings.Contains(p, "M2P2.other") {
			os.Remove(filepath.Join(f.userDir(), p))
		}
	}
	pollUntil(t, f.ctx, v, "a removal by another program", func(ms []mailstore.MessageInfo) bool { return len(ms) == 3 })
}

func statTime(t *testing.T, dir, name string) int64 {
	fi, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return fi.ModTime().Unix()
}

// TestRecoveryLostIndex: without its index (deleted, or unreadable) a
// folder is indexed again from its files, under a new UIDVALIDITY.
func TestRecoveryLostIndex(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 3 {
		f.append(f.st, "INBOX", fmt.Sprint("m", i), "Kw")
	}
	s1, _ := f.st.Status(f.ctx, "INBOX")
	idx := filepath.Join(f.userDir(), "mailaccess-index")
	os.WriteFile(idx, []byte("not an index at all"), 0o600)
	f.reopen()
	s2, err := f.st.Status(f.ctx, "INBOX")
	if err != nil || s2.Messages != 3 || s2.UIDValidity == s1.UIDValidity {
		t.Errorf("after a corrupt index: %+v, %v (before %+v)", s2, err, s1)
	}
	if m, _ := filepath.Glob(idx + ".broken-*"); len(m) != 1 {
		t.Errorf("the corrupt index was not kept aside: %v", m)
	}
	os.Remove(idx)
	f.reopen()
	if s3, err := f.st.Status(f.ctx, "INBOX"); err != nil || s3.Messages != 3 {
		t.Errorf("after a lost index: %+v, %v", s3, err)
	}
}

// TestDovecotMaildir: a Maildir as Dovecot leaves it (LF line ends,
// S= and W= in names, dovecot-keywords, dovecot-uidlist) is served with
// Dovecot's UIDs and UIDVALIDITY, its keywords, and CRLF line ends.
func TestDovecotMaildir(t *testing.T) {
	root := t.TempDir()
	md := filepath.Join(root, "u")
	for _, d := range []string{"cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"} {
		os.MkdirAll(filepath.Join(md, d), 0o700)
	}
	lf := "From: x@example.com\nSubject: lf\nMessage-ID: <lf@test>\n\nline 1\nline 2\n"
	crlf := strings.ReplaceAll(lf, "\n", "\r\n")
	write := func(name, data string, mtime time.Time) {
		p := filepath.Join(md, name)
		os.WriteFile(p, []byte(data), 0o600)
		os.Chtimes(p, mtime, mtime)
	}
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	write(fmt.Sprintf("cur/1600000000.M1P1.vm,S=%d,W=%d:2,Sab", len(lf), len(crlf)), lf, date)
	write(fmt.Sprintf("cur/1600000001.M2P1.vm,S=%d,W=%d:2,Tf", len(lf), len(crlf)), lf, date)
	write("cur/1600000002.M3P1.vm:2,RSz", lf, date) // no W=: read to find the size; z has no name
	os.WriteFile(filepath.Join(md, "dovecot-keywords"), []byte("0 Work\n1 $Junk\n5 $Forwarded\n"), 0o600)
	os.WriteFile(filepath.Join(md, "dovecot-uidlist"), []byte(fmt.Sprintf("3 V1234567 N20 Gabc\n7 :1600000000.M1P1.vm,S=%d,W=%d\n9 :1600000001.M2P1.vm,S=%d,W=%d\n", len(lf), len(crlf), len(lf), len(crlf))), 0o600)
	os.WriteFile(filepath.Join(md, "subscriptions"), []byte("V\t2\n\nSent\nEntw&APw-rfe\n"), 0o600)

	b, err := maildir.New(root, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ms := v.Messages()
	if v.UIDValidity() != 1234567 || len(ms) != 3 || ms[0].UID != 7 || ms[1].UID != 9 || ms[2].UID != 20 {
		t.Fatalf("UIDVALIDITY %d, messages %s", v.UIDValidity(), describe(ms))
	}
	want := [][]imap.Flag{{imap.FlagSeen, "Work", "$Junk"}, {imap.FlagDeleted, "$Forwarded"}, {imap.FlagAnswered, imap.FlagSeen}}
	for i, mi := range ms {
		if len(mi.Flags) != len(want[i]) {
			t.Errorf("message %d: flags %v, want %v", i+1, mi.Flags, want[i])
		}
		for _, fl := range want[i] {
			if !hasFlag(mi.Flags, fl) {
				t.Errorf("message %d: flags %v, want %v", i+1, mi.Flags, want[i])
			}
		}
		if mi.Size != int64(len(crlf)) || !mi.InternalDate.Equal(date) {
			t.Errorf("message %d: size %d date %v", i+1, mi.Size, mi.InternalDate)
		}
		if got := content(t, ctx, v, mi.UID); string(got) != crlf {
			t.Errorf("message %d: content %q", i+1, got)
		}
	}
	// Changing flags keeps Dovecot's letters: Work is 'a', $Junk 'b', the
	// unnamed 'z' stays.
	if _, err := v.SetFlags(ctx, []uint32{ms[2].UID}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{"work", imap.FlagFlagged, "NewKw"}}); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, p := range files(t, md) {
		if strings.Contains(p, "M3P1") {
			found = strings.HasSuffix(p, ":2,FRSaz")
			if !found {
				t.Errorf("renamed to %s", p)
			}
		}
	}
	if !found {
		t.Errorf("message 3's file is gone")
	}
	list, _ := st.Mailboxes(ctx)
	subs := map[string]bool{}
	for _, mi := range list {
		subs[mi.Name] = mi.Subscribed
	}
	if !subs["Sent"] || !subs["Entwürfe"] {
		t.Errorf("subscriptions: %+v", list)
	}
	if err := st.SetSubscribed(ctx, "Work.Ünï", true); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(md, "subscriptions"))
	if !strings.HasPrefix(string(data), "V\t2\n\n") || !strings.Contains(string(data), "\nWork\t&ANw-n&AO8-\n") {
		t.Errorf("subscriptions file: %q", data)
	}
}

// TestTwoBackends: two Backends on one root (as two processes would be)
// append at once without losing or duplicating a message or a UID, and
// each sees the other's changes: on Poll, and through Updated by the
// watcher.
func TestTwoBackends(t *testing.T) {
	root := t.TempDir()
	ctx := t.Context()
	opts := &maildir.Options{WatchInterval: 20 * time.Millisecond}
	var stores []mailstore.Store
	for range 2 {
		b, err := maildir.New(root, opts)
		if err != nil {
			t.Fatal(err)
		}
		st, err := b.Open(ctx, "u")
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stores = append(stores, st)
	}
	const per = 15
	var wg sync.WaitGroup
	var mu sync.Mutex
	uids := map[uint32]string{}
	for i, st := range stores {
		for g := range 3 {
			wg.Go(func() {
				for n := range per {
					id := fmt.Sprintf("b%d-g%d-%d", i, g, n)
					res, err := st.Append(ctx, "INBOX", bytes.NewReader(testMessage(id, id)), nil)
					if err != nil {
						t.Errorf("Append: %v", err)
						return
					}
					mu.Lock()
					if old, dup := uids[res.UID]; dup {
						t.Errorf("UID %d given to %s and %s", res.UID, old, id)
					}
					uids[res.UID] = id
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	total := 2 * 3 * per
	views := make([]mailstore.Mailbox, 2)
	for i, st := range stores {
		v, err := st.OpenMailbox(ctx, "INBOX", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer v.Close()
		views[i] = v
		ids := messageIDs(t, ctx, v)
		if len(ids) != total {
			t.Fatalf("backend %d sees %d messages, want %d", i, len(ids), total)
		}
		for uid, id := range ids {
			if uids[uid] != id {
				t.Errorf("backend %d: UID %d is %s, Append said %s", i, uid, id, uids[uid])
			}
		}
	}
	// Changes through backend 1 reach backend 0's view by the watcher.
	v0, v1 := views[0], views[1]
	// Start the watcher and drain what it may have signalled so far.
	for drained := false; !drained; {
		select {
		case <-v0.Updated():
		default:
			drained = true
		}
	}
	if _, err := v0.Poll(ctx, true); err != nil {
		t.Fatal(err)
	}
	first := v1.Messages()[0].UID
	if _, err := v1.SetFlags(ctx, []uint32{first}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen, "Cross"}}); err != nil {
		t.Fatal(err)
	}
	waitUpdated(t, v0, "a flag change through the other backend (the watcher)")
	pollUntil(t, ctx, v0, "the other backend's flag change", func(ms []mailstore.MessageInfo) bool {
		return hasFlag(ms[0].Flags, "Cross") && hasFlag(ms[0].Flags, imap.FlagSeen)
	})
	// An expunge and an append through backend 1.
	if _, err := v1.Expunge(ctx, []uint32{first}); err != nil {
		t.Fatal(err)
	}
	res, err := stores[1].Append(ctx, "INBOX", bytes.NewReader(testMessage("late", "late")), nil)
	if err != nil {
		t.Fatal(err)
	}
	ups := pollUntil(t, ctx, v0, "the other backend's expunge and append", func(ms []mailstore.MessageInfo) bool {
		return len(ms) == total && ms[0].UID != first && ms[len(ms)-1].UID == res.UID
	})
	var kinds []mailstore.UpdateKind
	for _, u := range ups {
		if u.Kind != mailstore.UpdateFlags {
			kinds = append(kinds, u.Kind)
		}
	}
	if !slices.Equal(kinds, []mailstore.UpdateKind{mailstore.UpdateExpunge, mailstore.UpdateNew}) {
		t.Errorf("updates %v", ups)
	}

	// Flag changes through both backends at once: none is lost, and
	// MODSEQs stay unique per change.
	var all []uint32
	for _, mi := range v0.Messages() {
		all = append(all, mi.UID)
	}
	for i, v := range views {
		wg.Go(func() {
			for n := range 10 {
				kw := imap.Flag(fmt.Sprintf("K%d-%d", i, n))
				if _, err := v.SetFlags(ctx, all, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{kw}}); err != nil {
					t.Errorf("SetFlags: %v", err)
				}
			}
		})
	}
	wg.Wait()
	for _, v := range views {
		pollUntil(t, ctx, v, "both backends' keywords", func(ms []mailstore.MessageInfo) bool {
			for _, m := range ms {
				if len(m.Flags) != 20 {
					return false
				}
			}
			return true
		})
	}
	if v0.HighestModSeq() != v1.HighestModSeq() {
		t.Errorf("HIGHESTMODSEQ %d and %d", v0.HighestModSeq(), v1.HighestModSeq())
	}
}

// TestCompactionAcrossBackends: when one Backend compacts the index
// (after many changes), another one that has the folder open follows
// the new file without losing a change.
func TestCompactionAcrossBackends(t *testing.T) {
	f := newFixture(t, &maildir.Options{NoSync: true, WatchInterval: -1})
	other, err := maildir.New(f.root, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	st2 := f.open(other)
	for i := range 50 {
		f.append(f.st, "INBOX", fmt.Sprint("m", i))
	}
	v1 := f.view(f.st, "INBOX", false)
	v2 := f.view(st2, "INBOX", false)
	idx := filepath.Join(f.userDir(), "mailaccess-index")
	fi0, _ := os.Stat(idx)
	uids := make([]uint32, 0, 50)
	for _, m := range v1.Messages() {
		uids = append(uids, m.UID)
	}
	// Enough flag changes to outgrow 1 MiB of journal.
	for n := 0; ; n++ {
		kw := imap.Flag(fmt.Sprintf("Keyword-with-a-longish-name-%d", n%40))
		op := mailstore.FlagsAdd
		if n%2 == 1 {
			op = mailstore.FlagsRemove
		}
		if _, err := v1.SetFlags(f.ctx, uids, mailstore.FlagChange{Op: op, Flags: []imap.Flag{kw, imap.FlagSeen}}); err != nil {
			t.Fatal(err)
		}
		if n%50 == 0 {
			if _, err := v2.Poll(f.ctx, true); err != nil {
				t.Fatal(err)
			}
		}
		fi, _ := os.Stat(idx)
		if !os.SameFile(fi, fi0) && n%2 == 1 {
			break
		}
		if n > 20000 {
			t.Fatal("no compaction")
		}
	}
	if _, err := v1.SetFlags(f.ctx, uids[:1], mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{"Final"}}); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, f.ctx, v2, "the changes after compaction", func(ms []mailstore.MessageInfo) bool {
		return hasFlag(ms[0].Flags, "Final")
	})
	if describe(v1.Messages()) != describe(v2.Messages()) {
		t.Errorf("views differ:\n%s\n%s", describe(v1.Messages()), describe(v2.Messages()))
	}
	f.reopen()
	v3 := f.view(f.st, "INBOX", true)
	if describe(v3.Messages()) != describe(v1.Messages()) {
		t.Errorf("reopened view differs:\n%s\n%s", describe(v3.Messages()), describe(v1.Messages()))
	}
}

// TestDeleteAcrossBackends: a mailbox deleted and created again through
// another Backend closes the views of the old one, and the new one is
// what Status and OpenMailbox then see.
func TestDeleteAcrossBackends(t *testing.T) {
	f := newFixture(t, &maildir.Options{WatchInterval: -1})
	other, err := maildir.New(f.root, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	st2 := f.open(other)
	if err := f.st.CreateMailbox(f.ctx, "X", nil); err != nil {
		t.Fatal(err)
	}
	f.append(f.st, "X", "old1")
	f.append(f.st, "X", "old2")
	v := f.view(f.st, "X", false)
	s1, _ := f.st.Status(f.ctx, "X")
	if err := st2.DeleteMailbox(f.ctx, "X"); err != nil {
		t.Fatal(err)
	}
	if err := st2.CreateMailbox(f.ctx, "X", nil); err != nil {
		t.Fatal(err)
	}
	f.append(st2, "X", "new1")
	if _, err := v.Poll(f.ctx, true); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("Poll of a view of a deleted mailbox: %v, want ErrClosed", err)
	}
	s2, err := f.st.Status(f.ctx, "X")
	if err != nil || s2.Messages != 1 || s2.UIDValidity == s1.UIDValidity {
		t.Errorf("Status of the new mailbox: %+v, %v (old %+v)", s2, err, s1)
	}
	v2 := f.view(f.st, "X", false)
	if ids := messageIDs(t, f.ctx, v2); len(ids) != 1 || ids[1] != "new1" {
		t.Errorf("new mailbox holds %v", ids)
	}
	// Rename through the other Backend: the view is closed, the new name
	// has the messages and the UIDVALIDITY.
	if err := st2.RenameMailbox(f.ctx, "X", "Y"); err != nil {
		t.Fatal(err)
	}
	if _, err := v2.SetFlags(f.ctx, []uint32{1}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}); !errors.Is(err, mailstore.ErrClosed) {
		t.Errorf("SetFlags in a view of a renamed mailbox: %v, want ErrClosed", err)
	}
	if s3, err := f.st.Status(f.ctx, "Y"); err != nil || s3.UIDValidity != s2.UIDValidity || s3.Messages != 1 {
		t.Errorf("Status(Y): %+v, %v", s3, err)
	}
	if _, err := f.st.Status(f.ctx, "X"); !errors.Is(err, mailstore.ErrNoSuchMailbox) {
		t.Errorf("Status(X) after the rename: %v", err)
	}
}

// TestCacheCompaction: after most messages are expunged, a compaction
// rewrites the structure cache without them, and the structures of the
// others are still served (from the rewritten cache, or parsed again by
// a Backend that still has the old offsets).
func TestCacheCompaction(t *testing.T) {
	f := newFixture(t, &maildir.Options{NoSync: true, WatchInterval: -1, CompactAfter: 2048})
	other, err := maildir.New(f.root, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	st2 := f.open(other)
	for i := range 60 {
		f.append(f.st, "INBOX", fmt.Sprint("m", i))
	}
	v2 := f.view(st2, "INBOX", true)
	cache := filepath.Join(f.userDir(), "mailaccess-cache")
	fi0, _ := os.Stat(cache)
	v := f.view(f.st, "INBOX", false)
	var uids []uint32
	for _, m := range v.Messages()[:50] {
		uids = append(uids, m.UID)
	}
	if _, err := v.Expunge(f.ctx, uids); err != nil {
		t.Fatal(err)
	}
	// Enough records for a compaction.
	for i := range 400 {
		if _, err := v.SetFlags(f.ctx, []uint32{v.Messages()[0].UID}, mailstore.FlagChange{Op: mailstore.FlagsReplace, Flags: []imap.Flag{imap.Flag(fmt.Sprint("K", i))}}); err != nil {
			t.Fatal(err)
		}
	}
	fi1, _ := os.Stat(cache)
	if os.SameFile(fi0, fi1) || fi1.Size() >= fi0.Size()/2 {
		t.Errorf("cache not rewritten: %d octets before, %d after", fi0.Size(), fi1.Size())
	}
	for _, vv := range []mailstore.Mailbox{v, pollView(t, f, v2)} {
		ids := messageIDs(t, f.ctx, vv)
		if len(ids) != 10 {
			t.Errorf("%d messages", len(ids))
		}
		for uid, id := range ids {
			if id != fmt.Sprint("m", uid-1) {
				t.Errorf("UID %d is %q", uid, id)
			}
		}
	}
}
