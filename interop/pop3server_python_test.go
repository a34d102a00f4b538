package interop

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/maildir"
	"github.com/mailaccess/mailaccess/mailstore/passwd"
	"github.com/mailaccess/mailaccess/pop3/pop3server"
)

// pop3Server is our own POP3 server (pop3server.Server) run in-process on
// a loopback port for one test or benchmark, with one user.
type pop3Server struct {
	Addr string // host:port
	User string
	Pass string

	trace *lockedBuffer // protocol trace and server log
}

// startPOP3 serves backend with POP3 on a loopback port, with STLS (a
// self-signed certificate) and one user, alice, whose password passwd
// keeps in PLAIN so that APOP works. Shutdown is registered with
// tb.Cleanup; on failure the end of the protocol trace is logged.
func startPOP3(tb testing.TB, backend mailstore.Backend) *pop3Server {
	tb.Helper()
	users := passwd.New()
	if err := users.AddUser("alice", "secret"); err != nil {
		tb.Fatal(err)
	}
	trace := &lockedBuffer{}
	srv := &pop3server.Server{
		Backend:        backend,
		Authenticator:  users,
		TLSConfig:      selfSignedTLS(tb),
		Implementation: "mailaccess interop",
		Logger:         traceLogger(trace),
	}
	if _, isBench := tb.(*testing.B); !isBench {
		srv.Trace = trace // a benchmark's trace would measure the trace
	}
	addr := serveLoopback(tb, "POP3 server", trace, srv.Serve, srv.Shutdown, pop3server.ErrServerClosed)
	return &pop3Server{Addr: addr, User: "alice", Pass: "secret", trace: trace}
}

// selfSignedTLS returns a server TLS configuration with a fresh
// self-signed certificate for 127.0.0.1.
func selfSignedTLS(tb testing.TB) *tls.Config {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// poplibMessage is message i of testdata/poplib_session.py's fixture
// (see its doc string): the script checks the lines it reads against the
// same rule.
func poplibMessage(i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Subject: message %d\r\n\r\n", i)
	for j := 1; j <= i+2; j++ {
		fmt.Fprintf(&b, "line %d of message %d\r\n", j, i)
	}
	fmt.Fprintf(&b, ".dot %d\r\nend %d\r\n", i, i)
	return b.Bytes()
}

// TestPythonPoplib runs testdata/poplib_session.py, a session with
// Python's standard poplib (CAPA, USER/PASS, STLS, APOP, IN-USE, STAT,
// LIST, UIDL, TOP, RETR, DELE, RSET, NOOP, a dropped connection that
// deletes nothing, QUIT that deletes), against our POP3 server over a
// Maildir store.
func TestPythonPoplib(t *testing.T) {
	requireInterop(t)
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Fatalf("python3 not found (MAILACCESS_INTEROP=1 needs it): %v", err)
	}
	backend, err := maildir.New(t.TempDir(), &maildir.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s := startPOP3(t, backend)
	const n = 6
	st, err := backend.Open(context.Background(), s.User)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		if _, err := st.Append(context.Background(), "INBOX", bytes.NewReader(poplibMessage(i)), nil); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	host, port, err := net.SplitHostPort(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "testdata/poplib_session.py", host, port, s.User, s.Pass, strconv.Itoa(n))
	cmd.Env = append(os.Environ(), "PYTHONIOENCODING=utf-8")
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("python3 testdata/poplib_session.py (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	if ctx.Err() != nil {
		t.Fatalf("the script timed out: %v", ctx.Err())
	}
	if err != nil {
		t.Fatalf("the script failed: %v (see its FAIL line above)", err)
	}
	if !bytes.Contains(out, []byte("all checks passed")) {
		t.Fatal("the script ended without reporting success")
	}
}
