package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// result is what one run printed.
type result struct {
	code    int
	objects []map[string]any // the JSON lines
	summary string           // the last line when it is not JSON
	stderr  string
}

func runWith(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, strings.NewReader(stdin), &stdout, &stderr)
	r := result{code: code, stderr: stderr.String()}
	for _, line := range strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n") {
		if line == "" {
			continue
		}
		if !strings.HasPrefix(line, "{") {
			r.summary = line
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("output line is not JSON: %v\n%s", err, line)
		}
		r.objects = append(r.objects, m)
	}
	return r
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func kinds(objs []map[string]any) []string {
	var out []string
	for _, o := range objs {
		if _, ok := o["error"]; ok {
			out = append(out, "error")
			continue
		}
		out = append(out, fmt.Sprint(o["kind"]))
	}
	return out
}

// lookup follows a path of object keys and array indexes.
func lookup(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[p]
		case int:
			a, ok := v.([]any)
			if !ok || p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

// checkOffsets checks that each decoded message's offset is where the
// message starts in data: its tag, "*" or "+" is there.
func checkOffsets(t *testing.T, data []byte, objs []map[string]any) {
	t.Helper()
	last := -1
	for i, o := range objs {
		off, ok := o["offset"].(float64)
		if !ok || int(off) < 0 || int(off) > len(data) {
			t.Errorf("object %d: bad offset %v", i, o["offset"])
			continue
		}
		if int(off) <= last {
			t.Errorf("object %d: offset %d not after the previous one (%d)", i, int(off), last)
		}
		last = int(off)
		if _, isErr := o["error"]; isErr {
			continue
		}
		if int(off) > 0 && data[int(off)-1] != '\n' {
			t.Errorf("object %d (%v): offset %d is not at the start of a line", i, o["kind"], int(off))
		}
		rest := string(data[int(off):])
		if tag, ok := o["Tag"].(string); ok && tag != "" {
			if !strings.HasPrefix(rest, tag+" ") {
				t.Errorf("object %d: offset %d holds %.20q, want tag %q", i, int(off), rest, tag)
			}
		}
	}
}

func TestServerSession(t *testing.T) {
	const file = "testdata/rfc3501-session.server.txt"
	data := readTestdata(t, "rfc3501-session.server.txt")
	for _, mode := range []string{"lenient", "strict"} {
		t.Run(mode, func(t *testing.T) {
			r := runWith(t, "", "-mode", mode, "-summary", file)
			if r.code != 0 {
				t.Errorf("exit status %d, want 0; stderr %q", r.code, r.stderr)
			}
			if r.summary != "16 parsed, 0 errors" {
				t.Errorf("summary %q, want %q", r.summary, "16 parsed, 0 errors")
			}
			want := []string{
				"STATUS-RESPONSE", "STATUS-RESPONSE", // greeting, a001
				"EXISTS", "FLAGS", "RECENT", "STATUS-RESPONSE", "STATUS-RESPONSE", "STATUS-RESPONSE", // a002
				"FETCH", "STATUS-RESPONSE", // a003
				"FETCH", "STATUS-RESPONSE", // a004
				"FETCH", "STATUS-RESPONSE", // a005
				"STATUS-RESPONSE", "STATUS-RESPONSE", // BYE, a006
			}
			if got := kinds(r.objects); !reflect.DeepEqual(got, want) {
				t.Fatalf("kinds\n got %q\nwant %q", got, want)
			}
			checkOffsets(t, data, r.objects)

			greeting := r.objects[0]
			if greeting["offset"] != 0.0 || greeting["Status"] != "OK" || greeting["Text"] != "IMAP4rev1 Service Ready" {
				t.Errorf("greeting: %v", greeting)
			}
			if _, ok := greeting["Kind"]; ok {
				t.Errorf("greeting repeats the kind as Kind: %v", greeting)
			}
			if _, ok := greeting["Tag"]; ok {
				t.Errorf("greeting has a Tag, want zero fields left out: %v", greeting)
			}
			if got := lookup(r.objects[2], "Num"); got != 18.0 {
				t.Errorf("EXISTS: Num %v, want 18", got)
			}
			if got := lookup(r.objects[5], "Code", "Name"); got != "UNSEEN" {
				t.Errorf("OK [UNSEEN 17]: code %v", got)
			}

			// The FETCH FULL answer: find the envelope among the items.
			var subject, host any
			for _, it := range lookup(r.objects[8], "Fetch", "Items").([]any) {
				if lookup(it, "Kind") == "ENVELOPE" {
					subject = lookup(it, "Envelope", "Subject")
					host = lookup(it, "Envelope", "Cc", 1, "Host")
				}
			}
			if subject != "IMAP4rev1 WG mtg summary and minutes" || host != "MIT.EDU" {
				t.Errorf("envelope: subject %v, second Cc host %v\n%v", subject, host, r.objects[8])
			}

			// BODY[HEADER] came as a literal: its data is shown as a string.
			data := lookup(r.objects[10], "Fetch", "Items", 0, "Data")
			if s, ok := data.(string); !ok || !strings.HasPrefix(s, "Date: Wed, 17 Jul 1996") || len(s) != 342 {
				t.Errorf("BODY[HEADER] data: %#v", data)
			}
		})
	}
}

func TestClientSession(t *testing.T) {
	data := readTestdata(t, "rfc3501-session.client.txt")
	for _, mode := range []string{"lenient", "strict"} {
		t.Run(mode, func(t *testing.T) {
			r := runWith(t, "", "-side", "client", "-mode", mode, "-summary", "testdata/rfc3501-session.client.txt")
			if r.code != 0 || r.summary != "6 parsed, 0 errors" {
				t.Errorf("exit status %d, summary %q; want 0, %q", r.code, r.summary, "6 parsed, 0 errors")
			}
			want := []string{"LOGIN", "SELECT", "FETCH", "FETCH", "STORE", "LOGOUT"}
			if got := kinds(r.objects); !reflect.DeepEqual(got, want) {
				t.Fatalf("kinds\n got %q\nwant %q", got, want)
			}
			checkOffsets(t, data, r.objects)
			if got := lookup(r.objects[0], "Args", "Username"); got != "mrc" {
				t.Errorf("LOGIN username %v", got)
			}
			if got := lookup(r.objects[1], "Args", "Mailbox"); !strings.EqualFold(fmt.Sprint(got), "INBOX") {
				t.Errorf("SELECT mailbox %v", got)
			}
			if got := lookup(r.objects[4], "Args", "Op"); got != "+" {
				t.Errorf("STORE op %v, want +", got)
			}
		})
	}
}

func TestClientIdleAuthenticate(t *testing.T) {
	data := readTestdata(t, "extensions.client.txt")
	r := runWith(t, "", "-side", "client", "-summary", "testdata/extensions.client.txt")
	if r.code != 0 || r.summary != "11 parsed, 0 errors" {
		t.Errorf("exit status %d, summary %q; want 0, %q\n%v", r.code, r.summary, "11 parsed, 0 errors", r.objects)
	}
	want := []string{
		"CAPABILITY", "AUTHENTICATE", "sasl-response", "SELECT", "IDLE", "DONE",
		"APPEND", "FETCH", "AUTHENTICATE", "sasl-response", "LOGOUT",
	}
	if got := kinds(r.objects); !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds\n got %q\nwant %q", got, want)
	}
	checkOffsets(t, data, r.objects)
	if got := r.objects[2]["line"]; got != "AGFsaWNlAHNlY3JldA==" {
		t.Errorf("SASL response line %v", got)
	}
	if got := r.objects[9]["cancel"]; got != true {
		t.Errorf("SASL cancel: %v", r.objects[9])
	}
	if got := lookup(r.objects[6], "Args", "Messages", 0, "Data"); got != "Subject: hi\r\n\r\nHello.\r\n" {
		t.Errorf("APPEND message data %#v, want it as a string", got)
	}
	if got := r.objects[7]["UID"]; got != true {
		t.Errorf("UID FETCH: UID %v", got)
	}
	if got := lookup(r.objects[7], "Args", "Set"); got != "1:*" {
		t.Errorf("UID FETCH set %#v, want \"1:*\"", got)
	}
}

func TestErrors(t *testing.T) {
	data := readTestdata(t, "errors.server.txt")
	r := runWith(t, "", "-summary", "testdata/errors.server.txt")
	if r.code != 1 {
		t.Errorf("exit status %d, want 1", r.code)
	}
	if r.summary != "5 parsed, 3 errors" {
		t.Errorf("summary %q, want %q", r.summary, "5 parsed, 3 errors")
	}
	want := []string{"STATUS-RESPONSE", "EXISTS", "error", "error", "error", "FETCH", "RECENT", "STATUS-RESPONSE"}
	if got := kinds(r.objects); !reflect.DeepEqual(got, want) {
		t.Fatalf("kinds\n got %q\nwant %q", got, want)
	}
	checkOffsets(t, data, r.objects)
	// Each error lies inside the message that failed.
	for i, start := range []string{"* 4 FETCH", "* 5 FETCH", "* 6 FETCH"} {
		o := r.objects[2+i]
		lo := bytes.Index(data, []byte(start))
		hi := lo + bytes.Index(data[lo:], []byte("\n* "))
		off := int(o["offset"].(float64))
		if off < lo || off > hi {
			t.Errorf("error %d at offset %d, want within [%d, %d] (%s)", i, off, lo, hi, start)
		}
		for _, k := range []string{"error", "expected", "excerpt"} {
			if _, ok := o[k].(string); !ok {
				t.Errorf("error %d: no %q string: %v", i, k, o)
			}
		}
	}
	// Decoding went on past the literal of the third bad message.
	if got := lookup(r.objects[5], "Fetch", "Items", 0, "Num"); got != 9.0 {
		t.Errorf("FETCH after the errors: UID %v, want 9", got)
	}
}

// The lenient-mode quirks of real servers that issue 2 lists (-1 for a
// number, NIL for a string, missing and doubled spaces, "]", TAB and 8-bit
// bytes in unquoted names, lowercase keywords, 8-bit quoted strings, a bare
// "+", a bare LF, an ENVELOPE in extra parentheses, a bare-string
// disposition, a FETCH item without a value, a space between addresses)
// all decode in lenient mode. Strict mode refuses all but two lines, which
// the grammar allows: "]" in an astring mailbox name, and lowercase
// keywords (the ABNF is case-insensitive).
func TestLenientQuirks(t *testing.T) {
	r := runWith(t, "", "-summary", "testdata/lenient-quirks.server.txt")
	if r.code != 0 || r.summary != "15 parsed, 0 errors" {
		t.Errorf("lenient: exit %d, summary %q; want 0, %q", r.code, r.summary, "15 parsed, 0 errors")
	}
	r = runWith(t, "", "-mode", "strict", "-summary", "testdata/lenient-quirks.server.txt")
	if r.code != 1 || r.summary != "2 parsed, 13 errors" {
		t.Errorf("strict: exit %d, summary %q; want 1, %q", r.code, r.summary, "2 parsed, 13 errors")
	}
}

func TestStdin(t *testing.T) {
	in := "* OK hello\r\n* 3 EXISTS\r\n"
	for _, args := range [][]string{{"-summary"}, {"-summary", "-"}} {
		r := runWith(t, in, args...)
		if r.code != 0 || r.summary != "2 parsed, 0 errors" || len(r.objects) != 2 {
			t.Errorf("%q: exit %d, summary %q, %d objects", args, r.code, r.summary, len(r.objects))
		}
	}
}

func TestTruncated(t *testing.T) {
	r := runWith(t, "* OK hello\r\n* 1 FETCH (BODY[] {100}\r\nonly a little", "-summary")
	if r.code != 1 || r.summary != "1 parsed, 1 errors" {
		t.Errorf("exit %d, summary %q; want 1, %q", r.code, r.summary, "1 parsed, 1 errors")
	}
	if len(r.objects) != 2 || r.objects[1]["error"] == nil {
		t.Errorf("objects %v, want a greeting and an error", r.objects)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-side", "proxy"},
		{"-mode", "sloppy"},
		{"-nosuchflag"},
		{"a", "b"},
		{"testdata/no-such-file.txt"},
	} {
		if r := runWith(t, "", args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%q: exit %d, stderr %q; want 2 and a message", args, r.code, r.stderr)
		}
	}
	if r := runWith(t, "", "-h"); r.code != 0 || !strings.Contains(r.stderr, "usage") {
		t.Errorf("-h: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestJSON checks the rendering of values independently of the decoder.
func TestJSON(t *testing.T) {
	v := struct {
		Zero    string
		Str     imap.NString
		Nil     imap.NString
		NilList []imap.NString
		Raw     imap.RawValue
		Bin     []byte
		Set     imap.UIDSet
		Op      imap.StoreOp
		Delim   rune
		Date    time.Time
		Ptr     *imap.Address
		Flags   []imap.Flag
		Empty   []imap.Flag
	}{
		Str:     imap.Str("x <y@z>"),
		NilList: []imap.NString{imap.Nil, imap.Str("a")},
		Raw:     imap.RawValue("(X 1)"),
		Bin:     []byte{0xff, 0xfe},
		Set:     imap.UIDSetOf(1, 2, 3, 7),
		Op:      imap.StoreAdd,
		Delim:   '/',
		Date:    time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600)),
		Ptr:     &imap.Address{Mailbox: imap.Str("gray"), Host: imap.Str("example.com")},
		Flags:   []imap.Flag{imap.FlagSeen},
		Empty:   []imap.Flag{},
	}
	b, err := marshal(object{}.appendStruct(&v))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Str":"x <y@z>","NilList":[null,"a"],"Raw":"(X 1)","Bin":"//4=","Set":"1:3,7","Op":"+","Delim":"/",` +
		`"Date":"1996-07-17T02:44:25-07:00","Ptr":{"Mailbox":"gray","Host":"example.com"},"Flags":["\\Seen"],"Empty":[]}`
	if string(b) != want {
		t.Errorf("got\n%s\nwant\n%s", b, want)
	}
}
