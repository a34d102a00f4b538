package bench

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"

	"github.com/mailaccess/mailaccess/bench/internal/mailgen"
	"github.com/mailaccess/mailaccess/bench/internal/serverload"
)

// The server workloads (BenchmarkServer) run against two servers, side by
// side: mailaccess's imapserver over mailstore/maildir, and go-imap v2's
// imapserver over its in-memory backend, imapmemserver. Both hold the same
// INBOX: fixtureMessages() copies of mailgen.Small() (about 4 KB), with
// the same flags, and both are driven by serverload.Client, which decodes
// every response with mailaccess's imap/wire, so the client's cost is the
// same on both sides.

// fullEnv selects the full-size fixture (10,000 messages).
const fullEnv = "MAILACCESS_BENCH_FULL"

// Fixture sizes: the workloads are specified on 10,000 messages; without
// MAILACCESS_BENCH_FULL=1 the fixture is smaller, so that CI (which runs
// each benchmark once) stays fast.
const (
	fullMessages  = 10000
	quickMessages = 1000
)

// fixtureMessages is the number of messages in the fixture's INBOX.
func fixtureMessages() int {
	if v, _ := strconv.ParseBool(os.Getenv(fullEnv)); v {
		return fullMessages
	}
	return quickMessages
}

// Pipelined workloads: commands per iteration; concurrent sessions.
const (
	pipelineOps     = 100000
	sessionsPerIter = 100
	sessionFetch    = 100 // FETCH 1:sessionFetch in each session
)

// serverFixture is the prepared data, shared by every benchmark and test
// of the process.
type serverFixture struct {
	n    int    // messages in INBOX
	msg  []byte // each message
	root string // the Maildirs (os.MkdirTemp, removed by TestMain)
	mem  *imapmemserver.Server
}

var (
	fixtureOnce sync.Once
	fixture     *serverFixture
	fixtureErr  error
	fixtureMu   sync.Mutex // guards fixtureDirs
	fixtureDirs []string   // removed by TestMain
)

// getFixture prepares the fixture once per process: both servers' INBOX
// with fixtureMessages() messages. The Maildir is written through
// mailstore/maildir with NoSync (preparing data needs no fsync); the
// servers the benchmarks start read it with the default options. It lives
// in os.MkdirTemp rather than b.TempDir, because it outlives the
// benchmark that prepares it (each -count run is a new B); TestMain
// removes it.
func getFixture(tb testing.TB) *serverFixture {
	tb.Helper()
	fixtureOnce.Do(func() {
		fixture, fixtureErr = prepareFixture(tb, fixtureMessages())
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return fixture
}

func prepareFixture(tb testing.TB, n int) (*serverFixture, error) {
	root, err := os.MkdirTemp("", "mailaccess-bench-server-")
	if err != nil {
		return nil, err
	}
	fixtureMu.Lock()
	fixtureDirs = append(fixtureDirs, root)
	fixtureMu.Unlock()
	start := time.Now()
	f := &serverFixture{n: n, msg: mailgen.Small(), root: root}
	if err := serverload.PrepareMaildir(root, n, f.msg); err != nil {
		return nil, err
	}
	if f.mem, err = serverload.NewGoimapBackend(n, f.msg); err != nil {
		return nil, err
	}
	tb.Logf("server fixture: %d messages of %d octets prepared in %v (%s=1 for %d)",
		n, len(f.msg), time.Since(start).Round(time.Millisecond), fullEnv, fullMessages)
	return f, nil
}

// removeFixtures removes the prepared Maildirs (TestMain).
func removeFixtures() {
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	for _, d := range fixtureDirs {
		os.RemoveAll(d)
	}
	fixtureDirs = nil
}

// serverImpl starts one of the two servers over the fixture.
type serverImpl struct {
	name  string
	start func(f *serverFixture) (*serverload.Running, error)
}

var serverImpls = []serverImpl{
	{"goimap", func(f *serverFixture) (*serverload.Running, error) { return serverload.StartGoimap(f.mem) }},
	{"mailaccess", func(f *serverFixture) (*serverload.Running, error) {
		return serverload.StartMailaccess(f.root, nil)
	}},
}

// startServer starts impl over the fixture and stops it at the end of tb.
func startServer(tb testing.TB, impl serverImpl, f *serverFixture) *serverload.Running {
	tb.Helper()
	srv, err := impl.start(f)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := srv.Close(); err != nil {
			tb.Errorf("closing %s: %v", impl.name, err)
		}
	})
	return srv
}

// selected returns a client logged in with INBOX selected.
func selected(tb testing.TB, addr string) *serverload.Client {
	tb.Helper()
	c, err := serverload.Dial(addr)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	if err := c.Login(serverload.User, serverload.Password); err != nil {
		tb.Fatal(err)
	}
	if err := c.Do("SELECT INBOX", nil); err != nil {
		tb.Fatal(err)
	}
	return c
}

// The FETCH commands of the workloads.
const (
	fetchMetaCmd = "UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE)"
	fetchBodyCmd = "UID FETCH 1:* BODY.PEEK[]"
	sessionCmd   = "FETCH 1:100 (FLAGS ENVELOPE)"
)

// noopScript and flagsScript are the pipelined workloads' commands.
func noopScript() *serverload.Script {
	return serverload.NewScript(pipelineOps, func(int) string { return "NOOP" })
}

func flagsScript(n int) *serverload.Script {
	return serverload.NewScript(pipelineOps, func(i int) string {
		return "UID FETCH " + strconv.Itoa(1+i%n) + " FLAGS"
	})
}

// runSession is workload 5's session: LOGIN, SELECT INBOX, FETCH 1:100
// (FLAGS ENVELOPE), LOGOUT. It returns the number of FETCH responses.
func runSession(addr string) (int, error) {
	c, err := serverload.Dial(addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Login(serverload.User, serverload.Password); err != nil {
		return 0, err
	}
	if err := c.Do("SELECT INBOX", nil); err != nil {
		return 0, err
	}
	n, err := c.CountFetch(sessionCmd)
	if err != nil {
		return n, err
	}
	return n, c.Logout()
}

// runSessions runs k sessions at once and checks each fetched want
// messages.
func runSessions(addr string, k, want int) error {
	errs := make(chan error, k)
	var wg sync.WaitGroup
	for range k {
		wg.Go(func() {
			n, err := runSession(addr)
			if err == nil && n != want {
				err = fmt.Errorf("session fetched %d messages, want %d", n, want)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkServer runs the server workloads against go-imap v2's
// imapserver (over imapmemserver, in memory) and mailaccess's imapserver
// (over mailstore/maildir, on disk), side by side:
//
//   - FetchMeta: UID FETCH 1:* (UID FLAGS ENVELOPE BODYSTRUCTURE) on the
//     whole INBOX; msgs/s.
//   - FetchBody: UID FETCH 1:* BODY.PEEK[]; msgs/s, and MB/s over the
//     messages' octets.
//   - Noop: 100,000 pipelined NOOPs; ops/s.
//   - FetchFlags: 100,000 pipelined UID FETCH n FLAGS, n cycling over the
//     INBOX; ops/s.
//   - Sessions: 100 concurrent sessions, each LOGIN, SELECT INBOX,
//     FETCH 1:100 (FLAGS ENVELOPE), LOGOUT; sessions/s.
//
// The INBOX holds 10,000 messages of about 4 KB with
// MAILACCESS_BENCH_FULL=1, 1,000 otherwise (see fixtureMessages). The
// client and both servers run in this process: B/op and allocs/op count
// the client's allocations too, which are the same on both sides.
func BenchmarkServer(b *testing.B) {
	f := getFixture(b)
	for _, w := range []struct {
		name string
		run  func(b *testing.B, addr string)
	}{
		{"FetchMeta", func(b *testing.B, addr string) { benchFetchAll(b, f, addr, fetchMetaCmd, false) }},
		{"FetchBody", func(b *testing.B, addr string) { benchFetchAll(b, f, addr, fetchBodyCmd, true) }},
		{"Noop", func(b *testing.B, addr string) { benchPipeline(b, addr, noopScript(), 0) }},
		{"FetchFlags", func(b *testing.B, addr string) { benchPipeline(b, addr, flagsScript(f.n), pipelineOps) }},
		{"Sessions", func(b *testing.B, addr string) { benchSessions(b, f, addr) }},
	} {
		for _, impl := range serverImpls {
			b.Run(w.name+"/"+impl.name, func(b *testing.B) {
				srv := startServer(b, impl, f)
				b.ReportAllocs()
				w.run(b, srv.Addr)
			})
		}
	}
}

// benchFetchAll runs cmd, which must fetch every message, once per
// iteration on one selected session.
func benchFetchAll(b *testing.B, f *serverFixture, addr, cmd string, body bool) {
	c := selected(b, addr)
	if body {
		b.SetBytes(int64(f.n * len(f.msg)))
	}
	for b.Loop() {
		c.BodyBytes = 0
		n, err := c.CountFetch(cmd)
		if err != nil {
			b.Fatal(err)
		}
		if n != f.n {
			b.Fatalf("%d FETCH responses, want %d", n, f.n)
		}
		if body && c.BodyBytes != int64(f.n*len(f.msg)) {
			b.Fatalf("%d body octets, want %d", c.BodyBytes, f.n*len(f.msg))
		}
	}
	b.ReportMetric(float64(f.n*b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// benchPipeline writes the whole script at once per iteration and reads
// every completion; wantFetch is the number of FETCH responses expected.
func benchPipeline(b *testing.B, addr string, s *serverload.Script, wantFetch int) {
	c := selected(b, addr)
	for b.Loop() {
		n, err := c.Pipeline(s)
		if err != nil {
			b.Fatal(err)
		}
		if n != wantFetch {
			b.Fatalf("%d FETCH responses, want %d", n, wantFetch)
		}
	}
	b.ReportMetric(float64(s.Len()*b.N)/b.Elapsed().Seconds(), "ops/s")
}

// benchSessions runs sessionsPerIter concurrent sessions per iteration,
// after one untimed session (the first SELECT of a Maildir reads its
// index).
func benchSessions(b *testing.B, f *serverFixture, addr string) {
	want := min(sessionFetch, f.n)
	if _, err := runSession(addr); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := runSessions(addr, sessionsPerIter, want); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(sessionsPerIter*b.N)/b.Elapsed().Seconds(), "sessions/s")
}
