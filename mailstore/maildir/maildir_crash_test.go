package maildir_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
)

// The crash test: TestCrash runs this test binary again as a worker
// (TestCrashWorker, selected by -test.run and enabled by an environment
// variable) that appends, changes flags and expunges at random, writing
// to a log, fsync'd, a line before each operation and one after it
// returned success. The parent kills the worker with SIGKILL after a
// random delay, reopens the store as a restarted server would, and
// checks it against the log:
//
//   - a message whose Append returned success is there exactly once,
//     under the UID Append returned, unless an Expunge of it was started
//     (then at most once) or returned (then never);
//   - a message whose Append was cut short is there at most once;
//   - UIDNEXT never goes backwards, and every UID is below it;
//   - flags set by a SetFlags that returned success are there, unless a
//     later change of the same message was cut short (then either);
//   - the index agrees with the files: one file per message, whose
//     flag letters are the message's system flags.

const (
	crashDirEnv = "MAILDIR_CRASH_DIR"
	crashRunEnv = "MAILDIR_CRASH_RUN"
)

// crashFlags are the flags the worker sets.
var crashFlags = []imap.Flag{imap.FlagSeen, imap.FlagFlagged, imap.FlagAnswered, imap.FlagDeleted, imap.FlagDraft, "$Junk", "Work"}

func TestCrashWorker(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("runs only as TestCrash's worker")
	}
	run, _ := strconv.Atoi(os.Getenv(crashRunEnv))
	ctx := context.Background()
	logf, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	logLine := func(format string, args ...any) {
		if _, err := logf.WriteString(fmt.Sprintf(format, args...) + "\n"); err != nil {
			t.Fatal(err)
		}
		if err := logf.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	// Small journals, so that compactions (of the index and of the
	// structure cache) happen often and get killed too.
	b, err := maildir.New(filepath.Join(dir, "root"), &maildir.Options{WatchInterval: -1, CompactAfter: 4096})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	var known []uint32
	for _, m := range v.Messages() {
		known = append(known, m.UID)
	}
	r := rand.New(rand.NewPCG(uint64(run), uint64(time.Now().UnixNano())))
	pick := func(max int) []uint32 {
		var out []uint32
		for range 1 + r.IntN(max) {
			if len(known) > 0 {
				out = append(out, known[r.IntN(len(known))])
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	randFlags := func() []imap.Flag {
		var fl []imap.Flag
		for _, f := range crashFlags {
			if r.IntN(3) == 0 {
				fl = append(fl, f)
			}
		}
		return fl
	}
	logLine("S %d", run)
	for n := 0; ; n++ {
		switch x := r.IntN(100); {
		case x < 55 || len(known) < 3:
			id := fmt.Sprintf("r%d-%d", run, n)
			fl := randFlags()
			logLine("A %s %s start", id, flagsToken(fl))
			res, err := st.Append(ctx, "INBOX", bytes.NewReader(testMessage(id, strings.Repeat("body ", r.IntN(200)))), &mailstore.AppendOptions{Flags: fl})
			if err != nil {
				t.Fatal(err)
			}
			logLine("A %s %s done %d", id, flagsToken(fl), res.UID)
			known = append(known, res.UID)
		case x < 80:
			uids, fl := pick(5), randFlags()
			logLine("F %s %s start", uidsToken(uids), flagsToken(fl))
			if _, err := v.SetFlags(ctx, uids, mailstore.FlagChange{Op: mailstore.FlagsReplace, Flags: fl}); err != nil {
				t.Fatal(err)
			}
			logLine("F %s %s done", uidsToken(uids), flagsToken(fl))
		default:
			uids := pick(3)
			logLine("X %s start", uidsToken(uids))
			if _, err := v.Expunge(ctx, uids); err != nil {
				t.Fatal(err)
			}
			logLine("X %s done", uidsToken(uids))
			known = slices.DeleteFunc(known, func(u uint32) bool { return slices.Contains(uids, u) })
		}
		if n%10 == 9 {
			if _, err := v.Poll(ctx, true); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func flagsToken(fl []imap.Flag) string {
	if len(fl) == 0 {
		return "-"
	}
	s := make([]string, len(fl))
	for i, f := range fl {
		s[i] = string(f)
	}
	return strings.Join(s, ",")
}

func parseFlagsToken(s string) []imap.Flag {
	if s == "-" {
		return nil
	}
	var out []imap.Flag
	for _, f := range strings.Split(s, ",") {
		out = append(out, imap.Flag(f))
	}
	return out
}

func uidsToken(uids []uint32) string {
	if len(uids) == 0 {
		return "-"
	}
	s := make([]string, len(uids))
	for i, u := range uids {
		s[i] = strconv.FormatUint(uint64(u), 10)
	}
	return strings.Join(s, ",")
}

func parseUIDsToken(s string) []uint32 {
	if s == "-" {
		return nil
	}
	var out []uint32
	for _, f := range strings.Split(s, ",") {
		n, _ := strconv.ParseUint(f, 10, 32)
		out = append(out, uint32(n))
	}
	return out
}

// flagSplit splits flags into the system part and the keyword part, as
// sorted lower-case strings: the parts a crash can leave independently
// (system flags are in the file name, keywords only in the index).
func flagSplit(fl []imap.Flag) (sys, kw string) {
	var s, k []string
	for _, f := range fl {
		if f.IsSystem() {
			s = append(s, strings.ToLower(string(f)))
		} else {
			k = append(k, strings.ToLower(string(f)))
		}
	}
	slices.Sort(s)
	slices.Sort(k)
	return strings.Join(s, " "), strings.Join(k, " ")
}

// crashModel is what the log says must be in the store.
type crashModel struct {
	appended   map[string]uint32 // Message-ID -> UID, Append returned
	started    map[string]bool   // Message-ID, Append started
	expStarted map[uint32]bool
	expDone    map[uint32]bool
	// possible flag sets of a message, system and keyword parts apart;
	// nil: not known.
	sys, kw map[uint32][]string
}

func readCrashLog(t *testing.T, path string) *crashModel {
	t.Helper()
	m := &crashModel{appended: map[string]uint32{}, started: map[string]bool{}, expStarted: map[uint32]bool{},
		expDone: map[uint32]bool{}, sys: map[uint32][]string{}, kw: map[uint32][]string{}}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		data = data[:i+1] // a line cut short is not a line
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 {
			continue
		}
		switch {
		case f[0] == "A" && f[3] == "start":
			m.started[f[1]] = true
		case f[0] == "A" && f[3] == "done":
			u, _ := strconv.ParseUint(f[4], 10, 32)
			m.appended[f[1]] = uint32(u)
			s, k := flagSplit(parseFlagsToken(f[2]))
			m.sys[uint32(u)], m.kw[uint32(u)] = []string{s}, []string{k}
		case f[0] == "F":
			s, k := flagSplit(parseFlagsToken(f[2]))
			for _, u := range parseUIDsToken(f[1]) {
				if f[3] == "done" {
					m.sys[u], m.kw[u] = []string{s}, []string{k}
				} else if m.sys[u] != nil {
					m.sys[u], m.kw[u] = append(m.sys[u], s), append(m.kw[u], k)
				}
			}
		case f[0] == "X":
			for _, u := range parseUIDsToken(f[1]) {
				if f[2] == "done" {
					m.expDone[u] = true
				} else {
					m.expStarted[u] = true
				}
			}
		}
	}
	return m
}

func TestCrash(t *testing.T) {
	runs := 50
	if testing.Short() {
		runs = 10
	}
	dir := t.TempDir()
	ctx := t.Context()
	r := rand.New(rand.NewPCG(7, uint64(time.Now().UnixNano())))
	var lastUIDNext uint32
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashRunEnv+"="+strconv.Itoa(run))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Wait for the worker to start working, then kill it at a
		// random moment.
		marker := fmt.Sprintf("S %d\n", run)
		deadline := time.Now().Add(60 * time.Second)
		for {
			data, _ := os.ReadFile(filepath.Join(dir, "log"))
			if bytes.Contains(data, []byte(marker)) {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("run %d: the worker ended: %v\n%s", run, err, out.Bytes())
			default:
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("run %d: the worker did not start", run)
			}
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err == nil {
			t.Fatalf("run %d: the worker ended by itself:\n%s", run, out.Bytes())
		} else if !strings.Contains(err.Error(), "killed") {
			t.Fatalf("run %d: the worker failed: %v\n%s", run, err, out.Bytes())
		}
		lastUIDNext = checkCrash(t, ctx, dir, run, lastUIDNext)
		if t.Failed() {
			return
		}
	}
}

// checkCrash reopens the store after a kill and checks it against the
// log; it returns UIDNEXT.
func checkCrash(t *testing.T, ctx context.Context, dir string, run int, lastUIDNext uint32) uint32 {
	t.Helper()
	model := readCrashLog(t, filepath.Join(dir, "log"))
	b, err := maildir.New(filepath.Join(dir, "root"), &maildir.Options{WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.OpenMailbox(ctx, "INBOX", &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatalf("run %d: OpenMailbox: %v", run, err)
	}
	defer v.Close()
	msgs := v.Messages()
	ids := messageIDs(t, ctx, v)
	if v.UIDNext() < lastUIDNext {
		t.Errorf("run %d: UIDNEXT went back from %d to %d", run, lastUIDNext, v.UIDNext())
	}
	count := map[string]int{}
	uidOf := map[string]uint32{}
	for _, mi := range msgs {
		id := ids[mi.UID]
		count[id]++
		uidOf[id] = mi.UID
		if mi.UID >= v.UIDNext() {
			t.Errorf("run %d: UID %d not below UIDNEXT %d", run, mi.UID, v.UIDNext())
		}
		if !model.started[id] {
			t.Errorf("run %d: message %q (UID %d) was never appended", run, id, mi.UID)
		}
		if model.expDone[mi.UID] {
			t.Errorf("run %d: UID %d (%s) is there after its Expunge returned", run, mi.UID, id)
		}
		if s, ok := model.sys[mi.UID]; ok {
			gs, gk := flagSplit(mi.Flags)
			if !slices.Contains(s, gs) || !slices.Contains(model.kw[mi.UID], gk) {
				t.Errorf("run %d: UID %d has flags %v; the log allows system %q, keywords %q", run, mi.UID, mi.Flags, s, model.kw[mi.UID])
			}
		}
	}
	for id, n := range count {
		if n > 1 {
			t.Errorf("run %d: message %q is there %d times", run, id, n)
		}
	}
	for id, uid := range model.appended {
		switch {
		case model.expDone[uid]:
		case model.expStarted[uid]:
		case count[id] != 1:
			t.Errorf("run %d: message %q (Append returned UID %d) is there %d times", run, id, uid, count[id])
		case uidOf[id] != uid:
			t.Errorf("run %d: message %q has UID %d, Append returned %d", run, id, uidOf[id], uid)
		}
	}
	// The index agrees with the files.
	md := filepath.Join(dir, "root", "u")
	fileFlags := map[string]string{}
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(md, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			data, err := os.ReadFile(filepath.Join(md, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			id := headerMessageID(data)
			if _, dup := fileFlags[id]; dup {
				t.Errorf("run %d: two files hold %q", run, id)
			}
			_, info, _ := strings.Cut(e.Name(), ":2,")
			fileFlags[id] = info
		}
	}
	if len(fileFlags) != len(msgs) {
		t.Errorf("run %d: %d files, %d messages in the index", run, len(fileFlags), len(msgs))
	}
	for _, mi := range msgs {
		letters, ok := fileFlags[ids[mi.UID]]
		if !ok {
			t.Errorf("run %d: UID %d (%s) has no file", run, mi.UID, ids[mi.UID])
			continue
		}
		var want string
		for _, p := range []struct {
			c byte
			f imap.Flag
		}{{'D', imap.FlagDraft}, {'F', imap.FlagFlagged}, {'R', imap.FlagAnswered}, {'S', imap.FlagSeen}, {'T', imap.FlagDeleted}} {
			if hasFlag(mi.Flags, p.f) {
				want += string(p.c)
			}
		}
		if letters != want {
			t.Errorf("run %d: UID %d has flags %v, its file the letters %q", run, mi.UID, mi.Flags, letters)
		}
	}
	t.Logf("run %d: %d messages, UIDNEXT %d", run, len(msgs), v.UIDNext())
	return v.UIDNext()
}

// headerMessageID finds the Message-ID in a test message.
func headerMessageID(data []byte) string {
	_, rest, ok := bytes.Cut(data, []byte("Message-ID: <"))
	if !ok {
		return ""
	}
	id, _, _ := bytes.Cut(rest, []byte("@test>"))
	return string(id)
}

const appendWorkerEnv = "MAILDIR_APPEND_WORKER"

// TestAppendWorker is TestTwoProcesses's worker: it appends messages and
// changes flags in the Maildir named by its environment, then exits.
func TestAppendWorker(t *testing.T) {
	spec := os.Getenv(appendWorkerEnv)
	if spec == "" {
		t.Skip("runs only as TestTwoProcesses's worker")
	}
	root, name, _ := strings.Cut(spec, "|")
	ctx := context.Background()
	b, err := maildir.New(root, &maildir.Options{WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.OpenMailbox(ctx, "INBOX", nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 30 {
		id := fmt.Sprintf("%s-%d", name, i)
		res, err := st.Append(ctx, "INBOX", bytes.NewReader(testMessage(id, id)), nil)
		if err != nil {
			t.Fatal(err)
		}
		kw := imap.Flag("P-" + name)
		if _, err := v.SetFlags(ctx, []uint32{res.UID}, mailstore.FlagChange{Op: mailstore.FlagsAdd, Flags: []imap.Flag{kw, imap.FlagSeen}}); err != nil {
			t.Fatal(err)
		}
		if i%5 == 0 {
			if _, err := v.Poll(ctx, true); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestTwoProcesses: two processes (this test binary run twice more) and
// this one append to one Maildir at the same time; no message and no UID
// is lost or given twice, and every flag change holds.
func TestTwoProcesses(t *testing.T) {
	root := t.TempDir()
	ctx := t.Context()
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, name := range []string{"p1", "p2"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppendWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), appendWorkerEnv+"="+root+"|"+name)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	b, err := maildir.New(root, &maildir.Options{WatchInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Open(ctx, "u")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for i := range 30 {
		id := fmt.Sprintf("p0-%d", i)
		if _, err := st.Append(ctx, "INBOX", bytes.NewReader(testMessage(id, id)), &mailstore.AppendOptions{Flags: []imap.Flag{"P-p0", imap.FlagSeen}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i+1, err, outs[i].Bytes())
		}
	}
	v, err := st.OpenMailbox(ctx, "INBOX", &mailstore.OpenOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ids := messageIDs(t, ctx, v)
	if len(ids) != 90 || len(v.Messages()) != 90 {
		t.Fatalf("%d messages, want 90", len(ids))
	}
	seen := map[string]bool{}
	for _, mi := range v.Messages() {
		id := ids[mi.UID]
		if seen[id] {
			t.Errorf("%s twice", id)
		}
		seen[id] = true
		proc, _, _ := strings.Cut(id, "-")
		if !hasFlag(mi.Flags, imap.Flag("P-"+proc)) || !hasFlag(mi.Flags, imap.FlagSeen) || len(mi.Flags) != 2 {
			t.Errorf("%s (UID %d): flags %v", id, mi.UID, mi.Flags)
		}
	}
	if s, _ := st.Status(ctx, "INBOX"); s.UIDNext != 91 {
		t.Errorf("UIDNEXT %d, want 91", s.UIDNext)
	}
}
