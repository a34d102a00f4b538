package interop

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireInterop skips the test unless MAILACCESS_INTEROP=1.
func requireInterop(t testing.TB) {
	t.Helper()
	if os.Getenv("MAILACCESS_INTEROP") != "1" {
		t.Skip("interop tests run only with MAILACCESS_INTEROP=1")
	}
}

// envInt returns the integer value of an environment variable, or def.
func envInt(t *testing.T, name string, def int64) int64 {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// dovecot is a private Dovecot instance run for one test.
type dovecot struct {
	Addr string // host:port of the IMAP listener
	// POP3Addr is host:port of the POP3 listener, "" if Dovecot's POP3
	// server (Debian package dovecot-pop3d) is not installed.
	POP3Addr string
	User     string
	Pass     string
	Binary   string
	Version  string

	dir  string
	log  string
	cmd  *exec.Cmd
	done chan error // receives cmd.Wait's result
}

// findDovecot returns the path of the dovecot binary: $MAILACCESS_DOVECOT,
// then $PATH, then the Debian location (/usr/sbin is not on a normal
// user's $PATH).
func findDovecot() (string, error) {
	if p := os.Getenv("MAILACCESS_DOVECOT"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/sbin/dovecot", "/usr/local/sbin/dovecot"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("dovecot not found (install dovecot-imapd, or set MAILACCESS_DOVECOT)")
}

// dovecotConf is the instance's configuration. Everything lives under
// @DIR@; only the IMAP listener is opened, on 127.0.0.1.
const dovecotConf = `# Private Dovecot instance for mailaccess interop tests.
protocols = imap@POP3@
listen = 127.0.0.1
base_dir = @DIR@/run
state_dir = @DIR@/state
instance_name = mailaccess-interop-@PORT@
log_path = @DIR@/dovecot.log
info_log_path = @DIR@/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login apop scram-sha-256
auth_failure_delay = 0
default_internal_user = @INTERNAL_USER@
default_login_user = @LOGIN_USER@
first_valid_uid = @UID@
last_valid_uid = 0
first_valid_gid = @GID@
mail_location = maildir:~/Maildir
mail_fsync = never
imap_fetch_failure = no-after
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u @DIR@/passwd
}
userdb {
  driver = static
  args = uid=@UID@ gid=@GID@ home=@DIR@/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = @PORT@
  }
  inet_listener imaps {
    port = 0
  }
}
@POP3SERVICE@
service anvil {
  chroot =
}
`

// dovecotPOP3Service is the POP3 listener's part of dovecotConf, used when
// Dovecot's POP3 server is installed. UIDLs are Dovecot's default, the
// UID and UIDVALIDITY in hex.
const dovecotPOP3Service = `service pop3-login {
  chroot =
  inet_listener pop3 {
    address = 127.0.0.1
    port = @POP3PORT@
  }
  inet_listener pop3s {
    port = 0
  }
}
pop3_uidl_format = %08Xu%08Xv`

// hasDovecotPOP3 reports whether Dovecot's POP3 server is installed next
// to the dovecot binary's helpers.
func hasDovecotPOP3() bool {
	for _, p := range []string{"/usr/lib/dovecot/pop3", "/usr/libexec/dovecot/pop3", "/usr/local/libexec/dovecot/pop3"} {
		if _, err := os.Stat(p); err == nil {
			return true
		}
	}
	return false
}

// startDovecot starts a private Dovecot instance configured in a fresh
// temporary directory and registers its shutdown with t.Cleanup. It fails
// the test if Dovecot is missing or does not come up.
func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	return startDovecotConf(t, "")
}

// startDovecotConf is startDovecot with extra appended to the
// configuration (plugins, plugin settings, protocol blocks); @DIR@ in it
// is the instance's directory. A configuration Dovecot refuses fails the
// test.
func startDovecotConf(t testing.TB, extra string) *dovecot {
	t.Helper()
	bin, err := findDovecot()
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v: %s", bin, err, out)
	}
	d := &dovecot{Binary: bin, Version: strings.TrimSpace(string(out)), User: "tester", Pass: "secret pass"}
	t.Logf("dovecot: %s, version %s", bin, d.Version)
	if !strings.HasPrefix(d.Version, "2.3.") {
		t.Logf("warning: the expected results were gathered with Dovecot 2.3; this is %s", d.Version)
	}

	d.dir = t.TempDir()
	// Dovecot's unprivileged processes must reach the directory.
	if err := os.Chmod(d.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(d.dir), 0o755); err != nil {
		t.Fatal(err)
	}

	// Who runs what. As root, mail is accessed as nobody (Dovecot refuses
	// uid 0) and the helper processes run as Debian's dovecot and dovenull
	// users; otherwise everything runs as the current user.
	uid, gid := os.Getuid(), os.Getgid()
	internal, login := "dovecot", "dovenull"
	if uid == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			t.Fatalf("user nobody: %v", err)
		}
		uid, _ = strconv.Atoi(nobody.Uid)
		gid, _ = strconv.Atoi(nobody.Gid)
		for _, name := range []string{internal, login} {
			if _, err := user.Lookup(name); err != nil {
				t.Fatalf("user %s (created by the dovecot-core package): %v", name, err)
			}
		}
	} else {
		me, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		internal, login = me.Username, me.Username
	}

	home := filepath.Join(d.dir, "home")
	for _, dir := range []string{home, filepath.Join(home, d.User)} {
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil && os.Getuid() == 0 {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(d.dir, "passwd"), []byte(d.User+":{PLAIN}"+d.Pass+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	// A free port: bind, note, release. Another process could take it in
	// between; then Dovecot fails to start and we try another one.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		pop3, pop3Service := "", ""
		d.POP3Addr = ""
		if hasDovecotPOP3() {
			pop3Port, err := freePort()
			if err != nil {
				t.Fatal(err)
			}
			pop3 = " pop3"
			pop3Service = strings.ReplaceAll(dovecotPOP3Service, "@POP3PORT@", strconv.Itoa(pop3Port))
			d.POP3Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(pop3Port))
		}
		conf := strings.NewReplacer(
			"@POP3@", pop3, "@POP3SERVICE@", pop3Service,
			"@DIR@", d.dir, "@PORT@", strconv.Itoa(port),
			"@UID@", strconv.Itoa(uid), "@GID@", strconv.Itoa(gid),
			"@INTERNAL_USER@", internal, "@LOGIN_USER@", login,
		).Replace(dovecotConf + extra)
		confPath := filepath.Join(d.dir, "dovecot.conf")
		if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		d.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
		d.log = filepath.Join(d.dir, "dovecot.log")
		if lastErr = d.start(confPath); lastErr == nil {
			break
		}
		t.Logf("dovecot did not start on port %d: %v", port, lastErr)
	}
	if lastErr != nil {
		t.Fatalf("dovecot did not start: %v\n%s", lastErr, d.logTail())
	}
	t.Cleanup(func() {
		if err := d.stop(); err != nil {
			t.Errorf("stopping dovecot: %v", err)
		}
		if t.Failed() {
			t.Logf("dovecot log (tail):\n%s", d.logTail())
		}
	})
	return d
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// start runs dovecot -F (in the foreground, so that it is our child and
// its PID is ours to stop) and waits until the IMAP port greets.
func (d *dovecot) start(confPath string) error {
	stdout, err := os.OpenFile(filepath.Join(d.dir, "dovecot.stdout"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer stdout.Close() // the child has its own copy
	cmd := exec.Command(d.Binary, "-F", "-c", confPath)
	cmd.Stdout, cmd.Stderr = stdout, stdout
	cmd.Stdin = nil
	if err := cmd.Start(); err != nil {
		return err
	}
	d.cmd = cmd
	d.done = make(chan error, 1)
	go func() { d.done <- cmd.Wait() }()

	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case err := <-d.done:
			d.cmd = nil
			out, _ := os.ReadFile(filepath.Join(d.dir, "dovecot.stdout"))
			return fmt.Errorf("dovecot exited: %v: %s", err, out)
		default:
		}
		if greetingOK(d.Addr, "* OK") && (d.POP3Addr == "" || greetingOK(d.POP3Addr, "+OK")) {
			return nil
		}
		if time.Now().After(deadline) {
			d.stop()
			return errors.New("no IMAP greeting within 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// greetingOK reports whether a server greets at addr with a line that
// starts with prefix.
func greetingOK(addr, prefix string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, prefix)
}

// stop sends SIGTERM to the master process by its PID and waits for it;
// after 10 seconds it sends SIGKILL. Dovecot's master stops its children.
func (d *dovecot) stop() error {
	if d.cmd == nil {
		return nil
	}
	pid := d.cmd.Process.Pid
	d.cmd = nil
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("SIGTERM to %d: %w", pid, err)
	}
	select {
	case <-d.done:
		return nil
	case <-time.After(10 * time.Second):
	}
	syscall.Kill(pid, syscall.SIGKILL)
	<-d.done
	return fmt.Errorf("dovecot (pid %d) ignored SIGTERM for 10s; killed", pid)
}

// logTail returns the end of Dovecot's log.
func (d *dovecot) logTail() string {
	b, err := os.ReadFile(d.log)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}
