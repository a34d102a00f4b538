package maildir

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func TestCanonicalName(t *testing.T) {
	good := map[string]string{
		"INBOX":            "INBOX",
		"inbox":            "INBOX",
		"Inbox.Sent":       "INBOX.Sent",
		"Sent":             "Sent",
		"Work.Projects":    "Work.Projects",
		"Entwürfe":         "Entwürfe",
		"A&B":              "A&B",
		"~tilde":           "~tilde",
		"with space":       "with space",
		"[Gmail].All Mail": "[Gmail].All Mail",
	}
	for in, want := range good {
		got, err := canonicalName(in)
		if err != nil || got != want {
			t.Errorf("canonicalName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", ".", "..", "...", ".hidden", "a..b", "a.", "../etc", "a/b", "/abs", "a/../../b",
		"..\x00", "a\x00b", "tab\there", "nl\nx", "cr\rx", "del\x7f", "c1\u0085", "\xff\xfe",
		"a." + strings.Repeat("b", 300), strings.Repeat("x", MaxNameLength+1),
	}
	for _, in := range bad {
		if got, err := canonicalName(in); !errors.Is(err, mailstore.ErrInvalidName) {
			t.Errorf("canonicalName(%q) = %q, %v; want ErrInvalidName", in, got, err)
		}
	}
}

func TestDiskName(t *testing.T) {
	for name, disk := range map[string]string{
		"INBOX":         "",
		"Sent":          ".Sent",
		"Work.Projects": ".Work.Projects",
		"Entwürfe":      ".Entw&APw-rfe",
		"A&B":           ".A&-B",
		"INBOX.x":       ".INBOX.x",
	} {
		if got := diskName(name); got != disk {
			t.Errorf("diskName(%q) = %q, want %q", name, got, disk)
		}
		if name == "INBOX" {
			continue
		}
		if back, ok := nameFromDisk(disk); !ok || back != name {
			t.Errorf("nameFromDisk(%q) = %q, %v; want %q", disk, back, ok, name)
		}
	}
	// Directories that are not addressable folders.
	for _, d := range []string{".", "..", ".INBOX", ".inbox", ".inbox.x", ".a..b", ".&Jjo!", ".&AEE-"} {
		if n, ok := nameFromDisk(d); ok {
			t.Errorf("nameFromDisk(%q) = %q, want refusal", d, n)
		}
	}
}

func TestFileNames(t *testing.T) {
	base, info := splitName("1700000000.M1P2.host,S=120,W=124:2,FRSa")
	if base != "1700000000.M1P2.host,S=120,W=124" || info != ":2,FRSa" {
		t.Fatalf("splitName: %q %q", base, info)
	}
	if n, ok := baseField(base, 'S'); !ok || n != 120 {
		t.Errorf("S= %d %v", n, ok)
	}
	if n, ok := baseField(base, 'W'); !ok || n != 124 {
		t.Errorf("W= %d %v", n, ok)
	}
	if _, ok := baseField("1700000000.M1P2.ho,st", 'W'); ok {
		t.Errorf("W= found where there is none")
	}
	std, kw, other := parseLetters(infoLetters(info))
	if std != stdFlagged|stdAnswered|stdSeen || kw != 1 || other != "" {
		t.Errorf("parseLetters: %b %b %q", std, kw, other)
	}
	if got := formatInfo(stdSeen|stdDraft|stdDeleted|stdPassed, 1<<2|1, "Z"); got != ":2,DPSTZac" {
		t.Errorf("formatInfo = %q", got)
	}
	if infoLetters(":1,xyz") != "" {
		t.Errorf(":1, info read as flags")
	}
	n := newNamer("mail/host:1")
	a, b := n.next(timeNowForTest()), n.next(timeNowForTest())
	if a == b || strings.ContainsAny(a, "/:") {
		t.Errorf("namer: %q %q", a, b)
	}
}

func TestRecordRoundTrip(t *testing.T) {
	s := newState()
	s.uidValidity, s.uidNext, s.hms, s.firstRecent, s.mailboxID = 7, 4, 9, 2, "abc"
	s.addKeyword("Work")
	s.addKeyword("$Junk")
	s.msgs = []message{
		{uid: 1, modseq: 3, date: 1e18, size: 120, std: stdSeen, base: "b1", info: ":2,S"},
		{uid: 3, modseq: 9, date: 2e18, size: 99, kw: kwString([]uint16{1, 0}), inNew: true, base: "b3", conv: true, cacheOff: 16, cacheLen: 40},
	}
	s.tombs = []tomb{{2, 5}}
	buf := appendRecord([]byte(indexMagic), &record{typ: recSnapshot, snap: s})
	buf = appendRecord(buf, &record{typ: recFlags, modseq: 10, changes: []flagChange{{uid: 1, std: stdFlagged, info: ":2,F"}}})
	buf = appendRecord(buf, &record{typ: recExpunge, modseq: 11, uids: []uint32{3}})
	buf = appendRecord(buf, &record{typ: recAdd, modseq: 12, add: []message{{uid: 4, base: "b4", size: 5}}})
	path := filepath.Join(t.TempDir(), "idx")
	if err := os.WriteFile(path, buf, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, off, _, err := readIndex(f)
	if err != nil {
		t.Fatal(err)
	}
	if off != int64(len(buf)) {
		t.Errorf("read up to %d of %d", off, len(buf))
	}
	if got.hms != 12 || got.uidNext != 5 || len(got.msgs) != 2 || got.msgs[1].uid != 4 ||
		got.msgs[0].std != stdFlagged || got.msgs[0].modseq != 10 || len(got.tombs) != 2 || got.tombs[1] != (tomb{3, 11}) {
		t.Errorf("state after replay: %+v", got)
	}
	if fl := got.msgs[0].flags; len(fl) != 1 || fl[0] != imap.FlagFlagged {
		t.Errorf("flags %v", fl)
	}
	// Every truncation of the last record is detected and dropped.
	last := len(buf) - len(appendRecord(nil, &record{typ: recAdd, modseq: 12, add: []message{{uid: 4, base: "b4", size: 5}}}))
	for cut := last + 1; cut < len(buf); cut++ {
		os.WriteFile(path, buf[:cut], 0o600)
		g, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		st, off, _, err := readIndex(g)
		g.Close()
		if err != nil || off != int64(last) || len(st.msgs) != 1 {
			t.Fatalf("cut at %d: off %d (want %d), %v", cut, off, last, err)
		}
	}
	// A flipped bit in the last record too.
	bad := bytes.Clone(buf)
	bad[len(bad)-2] ^= 0x10
	os.WriteFile(path, bad, 0o600)
	g, _ := os.Open(path)
	_, off, _, err = readIndex(g)
	g.Close()
	if err != nil || off != int64(last) {
		t.Errorf("corrupt last record: off %d, %v", off, err)
	}
}

func TestDecodeRecordNeverPanics(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		n := r.IntN(64)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		if n > 0 {
			b[0] = byte(r.IntN(12))
		}
		decodeRecord(b)
	}
}

func TestConvAt(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var in bytes.Buffer
	for in.Len() < 300<<10 {
		switch r.IntN(5) {
		case 0:
			in.WriteString("\n")
		case 1:
			in.WriteString("\r\n")
		case 2:
			in.WriteString("\r")
		default:
			in.WriteString(strings.Repeat("x", r.IntN(80)))
		}
	}
	want := convertAll(in.Bytes())
	c := newConvAt(bytes.NewReader(in.Bytes()))
	// Sequential reads in odd chunks.
	var got []byte
	for off := 0; ; {
		p := make([]byte, 1+r.IntN(5000))
		n, err := c.ReadAt(p, int64(off))
		got = append(got, p[:n]...)
		off += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("sequential conversion differs (%d vs %d octets)", len(got), len(want))
	}
	// Random reads.
	for range 300 {
		off := r.IntN(len(want))
		p := make([]byte, r.IntN(3000))
		n, _ := c.ReadAt(p, int64(off))
		if !bytes.Equal(p[:n], want[off:off+n]) || (n < len(p) && off+n != len(want)) {
			t.Fatalf("ReadAt(%d, %d) differs", len(p), off)
		}
	}
	// The streaming converter agrees.
	cr := &convReader{r: bytes.NewReader(in.Bytes())}
	all, _ := io.ReadAll(cr)
	if !bytes.Equal(all, want) || cr.n != int64(len(want)) {
		t.Fatalf("convReader differs")
	}
}

func convertAll(b []byte) []byte {
	var out []byte
	prev := byte(0)
	for _, c := range b {
		if c == '\n' && prev != '\r' {
			out = append(out, '\r')
		}
		out = append(out, c)
		prev = c
	}
	return out
}

func TestApplyChange(t *testing.T) {
	kw := kwString([]uint16{1, 3})
	std, k := applyChange(stdSeen, kw, mailstore.FlagsAdd, stdFlagged, kwString([]uint16{2}))
	if std != stdSeen|stdFlagged || k != kwString([]uint16{1, 2, 3}) {
		t.Errorf("add: %b %v", std, kwIndexes(k))
	}
	std, k = applyChange(stdSeen|stdFlagged, kw, mailstore.FlagsRemove, stdSeen, kwString([]uint16{3}))
	if std != stdFlagged || k != kwString([]uint16{1}) {
		t.Errorf("remove: %b %v", std, kwIndexes(k))
	}
	std, k = applyChange(stdSeen, kw, mailstore.FlagsReplace, stdDraft, "")
	if std != stdDraft || k != "" {
		t.Errorf("replace: %b %v", std, kwIndexes(k))
	}
}

func TestUIDList(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, uidlistFile)
	os.WriteFile(p, []byte("3 V1795451087 N17 G516ce026\n1 :a.M1.vm,S=250,W=260\n5 :b.M2.vm,S=253,W=263\n"), 0o600)
	ul := readDovecotUIDList(p)
	if ul == nil || ul.uidValidity != 1795451087 || ul.nextUID != 17 || ul.uids["b.M2.vm,S=253,W=263"] != 5 {
		t.Fatalf("uidlist: %+v", ul)
	}
	os.WriteFile(p, []byte("1 42 9\n3 c.M3.host:2,S\n"), 0o600)
	ul = readDovecotUIDList(p)
	if ul == nil || ul.uidValidity != 42 || ul.nextUID != 9 || ul.uids["c.M3.host"] != 3 {
		t.Fatalf("uidlist v1: %+v", ul)
	}
	os.WriteFile(p, []byte("garbage\n"), 0o600)
	if readDovecotUIDList(p) != nil {
		t.Fatalf("garbage uidlist accepted")
	}
}

func timeNowForTest() time.Time { return time.Now() }
