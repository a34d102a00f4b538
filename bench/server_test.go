package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"

	"github.com/mailaccess/mailaccess/bench/internal/mailgen"
	"github.com/mailaccess/mailaccess/bench/internal/serverload"
)

// Environment of the idle-client helper process (TestServerIdleMemory).
const (
	idleAddrEnv = "MAILACCESS_BENCH_IDLE_ADDR"
	idleNEnv    = "MAILACCESS_BENCH_IDLE_N"
)

func TestMain(m *testing.M) {
	if addr := os.Getenv(idleAddrEnv); addr != "" {
		os.Exit(idleClientMain(addr, os.Getenv(idleNEnv)))
	}
	code := m.Run()
	removeFixtures()
	os.Exit(code)
}

// msgSummary is what the sanity test compares between the two servers
// for one message of FetchMeta.
type msgSummary struct {
	uid       uint32
	flags     string // lower case (go-imap lower-cases keywords), sorted, without \Recent
	messageID string
	body      string // MIME type tree
}

func bodyShape(b *imap.BodyStructure) string {
	s := strings.ToLower(b.Type + "/" + b.Subtype)
	if len(b.Parts) > 0 {
		var parts []string
		for i := range b.Parts {
			parts = append(parts, bodyShape(&b.Parts[i]))
		}
		s += "(" + strings.Join(parts, " ") + ")"
	}
	return s
}

func flagString[F ~string](flags []F) string {
	var s []string
	for _, f := range flags {
		if !strings.EqualFold(string(f), `\Recent`) {
			s = append(s, strings.ToLower(string(f)))
		}
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// TestServerWorkloads checks that both servers of BenchmarkServer answer
// every workload completely and alike: FetchMeta's UIDs, flags, envelope
// Message-ID and body structure, FetchBody's octets, the pipelined
// commands' completions (on a shorter pipeline) and concurrent sessions.
func TestServerWorkloads(t *testing.T) {
	f := getFixture(t)
	wantMeta := make([]msgSummary, f.n)
	for i := range wantMeta {
		wantMeta[i] = msgSummary{
			uid:       uint32(i + 1),
			flags:     flagString(serverload.Flags(i)),
			messageID: "<20240514074106.GA12345@smtp.example.org>",
			body:      "multipart/mixed(multipart/alternative(text/plain text/html) application/pdf)",
		}
	}
	for _, impl := range serverImpls {
		t.Run(impl.name, func(t *testing.T) {
			srv := startServer(t, impl, f)
			c := selected(t, srv.Addr)
			c.SetDeadline(time.Now().Add(2 * time.Minute))

			var got []msgSummary
			err := c.Do(fetchMetaCmd, func(r *wire.Response) error {
				if r.Kind != wire.KindFetch {
					return nil
				}
				s := msgSummary{uid: r.Fetch.UID()}
				if it := r.Fetch.Item(imap.FetchFlags); it != nil {
					s.flags = flagString(it.Flags)
				}
				if it := r.Fetch.Item(imap.FetchEnvelope); it != nil && it.Envelope != nil {
					s.messageID = it.Envelope.MessageID.S
				}
				if it := r.Fetch.Item(imap.FetchBodyStructure); it != nil && it.Body != nil {
					s.body = bodyShape(it.Body)
				}
				got = append(got, s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != f.n {
				t.Fatalf("FetchMeta: %d responses, want %d", len(got), f.n)
			}
			for i := range got {
				if got[i] != wantMeta[i] {
					t.Fatalf("FetchMeta message %d: got %+v, want %+v", i+1, got[i], wantMeta[i])
				}
			}

			c.BodyBytes = 0
			if n, err := c.CountFetch(fetchBodyCmd); err != nil || n != f.n {
				t.Fatalf("FetchBody: %d responses, %v", n, err)
			}
			if want := int64(f.n * len(f.msg)); c.BodyBytes != want {
				t.Errorf("FetchBody: %d octets, want %d", c.BodyBytes, want)
			}

			const short = 2000
			if n, err := c.Pipeline(serverload.NewScript(short, func(int) string { return "NOOP" })); err != nil || n != 0 {
				t.Errorf("Noop: %d FETCH, %v", n, err)
			}
			flags := serverload.NewScript(short, func(i int) string {
				return "UID FETCH " + strconv.Itoa(1+i%f.n) + " FLAGS"
			})
			if n, err := c.Pipeline(flags); err != nil || n != short {
				t.Errorf("FetchFlags: %d FETCH, %v", n, err)
			}

			if err := runSessions(srv.Addr, 20, min(sessionFetch, f.n)); err != nil {
				t.Errorf("Sessions: %v", err)
			}
		})
	}
}

// largeSize is the message of TestServerAppendFetchMemory: 100 MB
// (10^8 octets, rounded to whole base64 lines), under go-imap's APPEND
// limit of 100 MiB.
var largeSize = mailgen.LargeWithAttachment(100_000_000 - 1200)

// Memory targets for mailaccess's server.
const (
	appendFetchTarget = 16 << 20 // growth during a 100 MB APPEND and FETCH BODY[]
	idleConnTarget    = 50 << 10 // per idle connection in IDLE
)

// TestServerAppendFetchMemory APPENDs a 100 MB message and FETCHes its
// BODY[] back, with the server in this process, sampling its heap
// (runtime.MemStats.HeapInuse) and VmRSS every 5 ms; the client streams
// both ways and holds no message. mailaccess (over mailstore/maildir,
// default options, fsync on) must grow by at most 16 MiB; go-imap's
// in-memory server, which holds the message, is logged for comparison.
func TestServerAppendFetchMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB transfer; not with -short")
	}
	msg := largeSize
	if s := msg.Size(); s > 100_000_000 || s < 99_900_000 {
		t.Fatalf("message is %d octets", s)
	}
	for _, impl := range []serverImpl{
		{"mailaccess", func(*serverFixture) (*serverload.Running, error) {
			return serverload.StartMailaccess(t.TempDir(), nil)
		}},
		{"goimap", func(*serverFixture) (*serverload.Running, error) {
			mem, err := serverload.NewGoimapBackend(0, nil)
			if err != nil {
				return nil, err
			}
			return serverload.StartGoimap(mem)
		}},
	} {
		t.Run(impl.name, func(t *testing.T) {
			srv := startServer(t, impl, nil)
			c, err := serverload.Dial(srv.Addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Minute))
			if err := c.Login(serverload.User, serverload.Password); err != nil {
				t.Fatal(err)
			}
			base := serverload.Settle()
			s := serverload.StartSampler(5*time.Millisecond, 2)
			start := time.Now()
			if err := c.Append("INBOX", msg.Size(), msg.NewReader()); err != nil {
				s.Stop()
				t.Fatal(err)
			}
			appended := time.Since(start)
			s.SetPhase(1)
			if err := c.Do("SELECT INBOX", nil); err != nil {
				s.Stop()
				t.Fatal(err)
			}
			// go-imap follows the FETCH with an unsolicited FETCH FLAGS
			// for the \Seen it sets.
			n, err := c.CountFetch("UID FETCH 1 BODY[]")
			peaks := s.Stop()
			end := serverload.Take()
			if err != nil || n < 1 {
				t.Fatalf("FETCH: %d responses, %v", n, err)
			}
			if c.BodyBytes != msg.Size() {
				t.Fatalf("FETCH BODY[]: %d octets, want %d", c.BodyBytes, msg.Size())
			}
			after := serverload.Settle()
			heap := max(peaks[0].HeapInuse, peaks[1].HeapInuse) - base.HeapInuse
			rss := max(peaks[0].RSS, peaks[1].RSS) - base.RSS
			t.Logf("%s: %d-octet APPEND in %v then FETCH BODY[] in %v; %d+%d samples",
				impl.name, msg.Size(), appended.Round(time.Millisecond),
				(time.Since(start) - appended).Round(time.Millisecond), peaks[0].Samples, peaks[1].Samples)
			t.Logf("%s: peak HeapInuse growth %s (APPEND %s, FETCH %s), peak VmRSS growth %s (APPEND %s, FETCH %s), TotalAlloc +%s, HeapInuse after GC %+d B",
				impl.name, mib(heap), mib(peaks[0].HeapInuse-base.HeapInuse), mib(peaks[1].HeapInuse-base.HeapInuse),
				mib(rss), mib(peaks[0].RSS-base.RSS), mib(peaks[1].RSS-base.RSS),
				mib(end.TotalAlloc-base.TotalAlloc), after.HeapInuse-base.HeapInuse)
			if impl.name == "mailaccess" {
				if heap > appendFetchTarget {
					t.Errorf("heap grew by %s, target %s", mib(heap), mib(appendFetchTarget))
				}
				if rss > appendFetchTarget {
					t.Errorf("VmRSS grew by %s, target %s", mib(rss), mib(appendFetchTarget))
				}
			}
		})
	}
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// idleTarget is how many idle connections TestServerIdleMemory wants.
const idleTarget = 10000

// TestServerIdleMemory opens N connections (10,000 if the file limit
// allows, raised with setrlimit when it does not) that log in, select a
// 10-message INBOX and IDLE, and measures what each costs the server: its
// heap, stacks, goroutines and VmRSS after a garbage collection, minus the
// same before. The clients run in a helper process (this test binary,
// re-executed), so that their sockets and memory are not the server's,
// and each process needs only N file descriptors. mailaccess must stay
// within 50 KiB of VmRSS per connection; go-imap is logged for
// comparison.
func TestServerIdleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of connections; not with -short")
	}
	const reserve = 256 // descriptors for everything else
	limit, err := serverload.RaiseFileLimit(idleTarget + reserve)
	if err != nil {
		t.Logf("raising RLIMIT_NOFILE: %v", err)
	}
	n := min(idleTarget, int(limit)-reserve)
	if n < 100 {
		t.Skipf("RLIMIT_NOFILE is %d: too few descriptors", limit)
	}
	if n < idleTarget {
		t.Logf("RLIMIT_NOFILE %d allows %d connections, not %d", limit, n, idleTarget)
	}
	msg := mailgen.Small()
	for _, impl := range []serverImpl{
		{"mailaccess", func(*serverFixture) (*serverload.Running, error) {
			root := t.TempDir()
			if err := serverload.PrepareMaildir(root, 10, msg); err != nil {
				return nil, err
			}
			return serverload.StartMailaccess(root, nil)
		}},
		{"goimap", func(*serverFixture) (*serverload.Running, error) {
			mem, err := serverload.NewGoimapBackend(10, msg)
			if err != nil {
				return nil, err
			}
			return serverload.StartGoimap(mem)
		}},
	} {
		t.Run(impl.name, func(t *testing.T) {
			srv := startServer(t, impl, nil)
			// One session first, so that the mailbox is loaded before
			// the baseline.
			c := selected(t, srv.Addr)
			c.Close()
			time.Sleep(100 * time.Millisecond)
			base := serverload.Settle()

			start := time.Now()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), idleAddrEnv+"="+srv.Addr, idleNEnv+"="+strconv.Itoa(n))
			cmd.Stderr = os.Stderr
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				stdin.Close()
				if err := cmd.Wait(); err != nil {
					t.Errorf("idle clients: %v", err)
				}
			}()
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "ready\n" {
				t.Fatalf("idle clients: %q, %v", line, err)
			}
			ramp := time.Since(start)
			// Every session has answered IDLE; let the last ones settle
			// into it (the goroutine waiting for DONE starts after the
			// continuation request is sent).
			time.Sleep(time.Second)
			idle := serverload.Settle()
			per := func(a, b int64) float64 { return float64(a-b) / float64(n) }
			rss := per(idle.RSS, base.RSS)
			t.Logf("%s: %d connections in IDLE (opened in %v): per connection VmRSS %.1f KiB, HeapInuse %.1f KiB, StackInuse %.1f KiB, %.2f goroutines",
				impl.name, n, ramp.Round(time.Millisecond), rss/1024,
				per(idle.HeapInuse, base.HeapInuse)/1024, per(idle.StackInuse, base.StackInuse)/1024,
				float64(idle.Goroutines-base.Goroutines)/float64(n))
			if impl.name == "mailaccess" && rss > idleConnTarget {
				t.Errorf("VmRSS per idle connection %.1f KiB, target %d KiB", rss/1024, idleConnTarget>>10)
			}
		})
	}
}

// idleClientMain is the helper process of TestServerIdleMemory: it opens
// n idle sessions to addr, says "ready" on its standard output, and
// closes them when its standard input ends.
func idleClientMain(addr, n string) int {
	count, err := strconv.Atoi(n)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle clients:", err)
		return 2
	}
	conns, err := serverload.IdleClients(addr, count, 32)
	if err != nil {
		fmt.Fprintln(os.Stderr, "idle clients:", err)
		return 1
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	for _, nc := range conns {
		nc.Close()
	}
	return 0
}
