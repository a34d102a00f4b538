package pop3

import (
	"errors"
	"strings"
	"testing"
)

func TestParseResponse(t *testing.T) {
	tests := []struct {
		line   string
		mode   Mode
		want   Response
		errSub string
	}{
		// RFC 1939 §10's greeting.
		{line: "+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", mode: Strict,
			want: Response{OK: true, Text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"}},
		{line: "+OK", mode: Strict, want: Response{OK: true}},
		{line: "-ERR", mode: Strict, want: Response{}},
		{line: "-ERR no such message", mode: Strict, want: Response{Text: "no such message"}},
		// RFC 2449 §8.1.1's example.
		{line: "-ERR [IN-USE] Do you have another POP session running?", mode: Strict,
			want: Response{Code: CodeInUse, Text: "Do you have another POP session running?"}},
		{line: "-ERR [SYS/TEMP] Unable to lock", mode: Strict, want: Response{Code: CodeSysTemp, Text: "Unable to lock"}},
		{line: "+OK [XYZ/ABC/DEF]", mode: Strict, want: Response{OK: true, Code: "XYZ/ABC/DEF"}},
		{line: "-ERR [bracket text without close", want: Response{Text: "[bracket text without close"}},
		{line: "-ERR [bracket text without close", mode: Strict, errSub: "response code"},
		{line: "-ERR [SYS//TEMP] x", mode: Strict, errSub: "response code"},
		{line: "+ok lower case", want: Response{OK: true, Text: "lower case"}},
		{line: "+ok lower case", mode: Strict, errSub: "neither"},
		{line: "+OKglued", want: Response{OK: true, Text: "glued"}},
		{line: "+OKglued", mode: Strict, errSub: "neither"},
		{line: "* OK IMAP", errSub: "neither"},
		{line: "", errSub: "neither"},
		{line: "+OK " + strings.Repeat("x", 600), mode: Strict, errSub: "octets"},
	}
	for _, tt := range tests {
		got, err := ParseResponse([]byte(tt.line), tt.mode)
		if tt.errSub != "" {
			if err == nil || !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("ParseResponse(%q, %v) = %+v, %v; want error with %q", tt.line, tt.mode, got, err, tt.errSub)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseResponse(%q, %v) = %+v, %v; want %+v", tt.line, tt.mode, got, err, tt.want)
		}
	}
}

func TestResponseAppendTo(t *testing.T) {
	for _, r := range []Response{
		{OK: true},
		{OK: true, Text: "2 320"},
		{Code: CodeInUse, Text: "Do you have another POP session running?"},
		{Code: CodeSysTemp},
	} {
		b, err := r.AppendTo(nil)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		got, err := ParseResponse(b[:len(b)-2], Strict)
		if err != nil || got != r {
			t.Errorf("round trip of %+v via %q: %+v, %v", r, b, got, err)
		}
	}
	for _, r := range []Response{
		{Text: "a\r\n+OK injected"},
		{Code: "IN USE"},
		{Code: "A]B"},
	} {
		if _, err := r.AppendTo(nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: %v, want ErrInvalid", r, err)
		}
	}
}

func TestTimestamp(t *testing.T) {
	r := Response{OK: true, Text: "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"}
	if ts := r.Timestamp(); ts != "<1896.697170952@dbc.mtview.ca.us>" {
		t.Errorf("Timestamp = %q", ts)
	}
	if ts := (Response{OK: true, Text: "ready"}).Timestamp(); ts != "" {
		t.Errorf("Timestamp = %q", ts)
	}
	if ts := (Response{OK: true, Text: "ready <unclosed"}).Timestamp(); ts != "" {
		t.Errorf("Timestamp = %q", ts)
	}
}

// RFC 1939 §7's APOP example.
func TestAPOPDigest(t *testing.T) {
	if d := APOPDigest("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf"); d != "c4c9334bac560ecc979e58001b3e22fb" {
		t.Errorf("APOPDigest = %s", d)
	}
	a, b := NewTimestamp("example.org"), NewTimestamp("")
	if a == b || !strings.HasPrefix(a, "<") || !strings.HasSuffix(a, "@example.org>") || !strings.HasSuffix(b, "@localhost>") {
		t.Errorf("NewTimestamp: %q %q", a, b)
	}
	if ts := NewTimestamp("evil> host\r\n"); !strings.HasSuffix(ts, "@evilhost>") {
		t.Errorf("NewTimestamp of a hostile host: %q", ts)
	}
	if ts := (Response{OK: true, Text: "ready " + a}).Timestamp(); ts != a {
		t.Errorf("timestamp %q not found again: %q", a, ts)
	}
}

func TestErrorIs(t *testing.T) {
	err := Response{Code: CodeSysTemp, Text: "disk"}.Err()
	var pe *Error
	if !errors.As(err, &pe) || pe.Text != "disk" {
		t.Fatalf("Err() = %v", err)
	}
	for target, want := range map[*Error]bool{
		{Code: CodeSys}:     true,
		{Code: "sys/temp"}:  true,
		{}:                  true,
		{Code: CodeSysPerm}: false,
		{Code: "SY"}:        false,
		{Code: CodeInUse}:   false,
	} {
		if got := errors.Is(err, target); got != want {
			t.Errorf("errors.Is(%v, %v) = %v", err, target, got)
		}
	}
	if (Response{OK: true}).Err() != nil {
		t.Error("OK has an error")
	}
	if s := err.Error(); s != "pop3: -ERR [SYS/TEMP] disk" {
		t.Errorf("Error() = %q", s)
	}
}

func TestCapability(t *testing.T) {
	// RFC 2449 §5's example, and RFC 5034 §3's.
	lines := []string{"TOP", "USER", "SASL CRAM-MD5 KERBEROS_V4", "RESP-CODES", "LOGIN-DELAY 900",
		"PIPELINING", "EXPIRE 60", "UIDL", "IMPLEMENTATION Shlemazle-Plotz-v302"}
	var cs Capabilities
	for _, l := range lines {
		c, err := ParseCapability([]byte(l), Strict)
		if err != nil {
			t.Fatal(err)
		}
		b, err := c.AppendTo(nil)
		if err != nil || string(b) != l+"\r\n" {
			t.Errorf("%q: AppendTo = %q, %v", l, b, err)
		}
		cs = append(cs, c)
	}
	if !cs.Has("top") || !cs.Has(CapPipelining) || cs.Has(CapSTLS) {
		t.Error("Has")
	}
	if c, ok := cs.Get(CapExpire); !ok || len(c.Params) != 1 || c.Params[0] != "60" {
		t.Errorf("EXPIRE = %+v", c)
	}
	if m := cs.SASL(); len(m) != 2 || m[0] != "CRAM-MD5" || !cs.HasSASL("kerberos_v4") || cs.HasSASL("PLAIN") {
		t.Errorf("SASL = %v", m)
	}
	if c, err := ParseCapability([]byte("  sasl  plain   login "), Lenient); err != nil || c.Name != "SASL" || len(c.Params) != 2 {
		t.Errorf("lenient: %+v %v", c, err)
	}
	if _, err := ParseCapability([]byte("SASL  PLAIN"), Strict); err == nil {
		t.Error("strict accepted a double space")
	}
	if _, err := ParseCapability(nil, Lenient); err == nil {
		t.Error("empty capability accepted")
	}
	if c, _ := ParseCapability([]byte("IMPLEMENTATION mailaccess POP3"), Lenient); len(c.Params) != 2 {
		t.Errorf("IMPLEMENTATION = %+v", c)
	}
	if b, err := (Capability{Name: CapImplementation, Params: []string{"mailaccess POP3 server"}}).AppendTo(nil); err != nil || string(b) != "IMPLEMENTATION mailaccess POP3 server\r\n" {
		t.Errorf("IMPLEMENTATION AppendTo = %q, %v", b, err)
	}
	if _, err := (Capability{Name: ".X"}).AppendTo(nil); !errors.Is(err, ErrInvalid) {
		t.Error("capability starting with a dot accepted")
	}
}

func TestListings(t *testing.T) {
	d, err := ParseDropListing("2 320", Strict)
	if err != nil || d != (DropListing{Count: 2, Size: 320}) || d.String() != "2 320" {
		t.Errorf("drop listing: %+v %v", d, err)
	}
	if _, err := ParseDropListing("2 320 extra", Strict); err == nil {
		t.Error("strict drop listing with extra text")
	}
	if d, err := ParseDropListing("2 320 extra", Lenient); err != nil || d.Count != 2 {
		t.Errorf("lenient drop listing: %+v %v", d, err)
	}
	s, err := ParseScanListing([]byte("1 120"), Strict)
	if err != nil || s != (ScanListing{Msg: 1, Size: 120}) || s.String() != "1 120" {
		t.Errorf("scan listing: %+v %v", s, err)
	}
	for _, bad := range []string{"0 120", "1", "a 1", "1 -1", "1 99999999999999999999", ""} {
		if _, err := ParseScanListing([]byte(bad), Lenient); !errors.Is(err, ErrSyntax) {
			t.Errorf("scan listing %q: %v", bad, err)
		}
	}
	u, err := ParseUniqueID([]byte("1 whqtswO00WBw418f9t5JxYwZ"), Strict)
	if err != nil || u != (UniqueID{Msg: 1, UID: "whqtswO00WBw418f9t5JxYwZ"}) || u.String() != "1 whqtswO00WBw418f9t5JxYwZ" {
		t.Errorf("unique-id: %+v %v", u, err)
	}
	if _, err := ParseUniqueID([]byte("1 "+strings.Repeat("x", 71)), Strict); err == nil {
		t.Error("strict accepted a 71-character unique-id")
	}
	if _, err := ParseUniqueID([]byte("1 "+strings.Repeat("x", 71)), Lenient); err != nil {
		t.Errorf("lenient refused a long unique-id: %v", err)
	}
	if !ValidUID("QhdPYR:00WBw1Ph7x7") || ValidUID("") || ValidUID("a b") || ValidUID(strings.Repeat("x", 71)) {
		t.Error("ValidUID")
	}
	if n, err := ParseMsg("17"); err != nil || n != 17 {
		t.Errorf("ParseMsg: %d %v", n, err)
	}
	for _, bad := range []string{"0", "-1", "", "1a", "9999999999"} {
		if _, err := ParseMsg(bad); err == nil {
			t.Errorf("ParseMsg(%q) accepted", bad)
		}
	}
}

func TestParseLines(t *testing.T) {
	for s, want := range map[string]int{
		"0":          0,
		"10":         10,
		"007":        7,
		"1073741823": 1073741823,
	} {
		if n, err := ParseLines(s); err != nil || n != want {
			t.Errorf("ParseLines(%q) = %d, %v; want %d", s, n, err, want)
		}
	}
	// A count beyond any message is capped, not rejected.
	if n, err := ParseLines("99999999999999999999"); err != nil || n < 1<<30 {
		t.Errorf("ParseLines of a huge count = %d, %v", n, err)
	}
	for _, bad := range []string{"", "-1", "+1", "1a", " 1", "1 "} {
		if _, err := ParseLines(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("ParseLines(%q): %v", bad, err)
		}
	}
}
