package interop

import (
	"bytes"
	"fmt"
	"strconv"
	"testing"

	"github.com/mailaccess/mailaccess/imap/wire"
)

// rawItem is one item of a FETCH response as it was on the wire: its name
// (e.g. "BODY[HEADER.FIELDS (FROM)]") and its value's bytes (a literal
// with its {n} prefix and CRLF).
type rawItem struct {
	Name  string
	Value []byte
}

// splitFetch splits the bytes of an untagged FETCH response
// ("* n FETCH (...)" CRLF) into its items. It knows only the lexical
// grammar of RFC 3501 §4 (atoms, quoted strings, literals, lists), which
// makes it independent of the typed decoder under test.
func splitFetch(raw []byte) (seq uint32, items []rawItem, err error) {
	p := 0
	expect := func(s string) error {
		if p+len(s) > len(raw) || !bytes.EqualFold(raw[p:p+len(s)], []byte(s)) {
			return fmt.Errorf("offset %d: expected %q", p, s)
		}
		p += len(s)
		return nil
	}
	if err := expect("* "); err != nil {
		return 0, nil, err
	}
	start := p
	for p < len(raw) && raw[p] >= '0' && raw[p] <= '9' {
		p++
	}
	n, err := strconv.ParseUint(string(raw[start:p]), 10, 32)
	if err != nil {
		return 0, nil, fmt.Errorf("sequence number: %v", err)
	}
	if err := expect(" FETCH ("); err != nil {
		return 0, nil, err
	}
	for {
		for p < len(raw) && raw[p] == ' ' {
			p++
		}
		if p >= len(raw) {
			return 0, nil, fmt.Errorf("unterminated item list")
		}
		if raw[p] == ')' {
			p++
			break
		}
		// The name runs to the first space outside brackets.
		start := p
		depth := 0
		for p < len(raw) && (raw[p] != ' ' || depth > 0) && raw[p] != '\r' {
			switch raw[p] {
			case '[':
				depth++
			case ']':
				depth--
			}
			p++
		}
		name := string(raw[start:p])
		if err := expect(" "); err != nil {
			return 0, nil, fmt.Errorf("item %s: %v", name, err)
		}
		end, err := skipValue(raw, p, 0)
		if err != nil {
			return 0, nil, fmt.Errorf("item %s: %v", name, err)
		}
		items = append(items, rawItem{Name: name, Value: raw[p:end]})
		p = end
	}
	if !bytes.Equal(raw[p:], []byte("\r\n")) {
		return 0, nil, fmt.Errorf("offset %d: %q after the item list", p, raw[p:])
	}
	return uint32(n), items, nil
}

// skipValue returns the end of the value starting at raw[p]: a
// parenthesized list, a quoted string, a literal ({n} or ~{n}) or an atom.
func skipValue(raw []byte, p, depth int) (int, error) {
	if depth > 100 {
		return 0, fmt.Errorf("nested too deeply")
	}
	if p >= len(raw) {
		return 0, fmt.Errorf("value expected at the end")
	}
	switch c := raw[p]; {
	case c == '(':
		p++
		for {
			for p < len(raw) && raw[p] == ' ' {
				p++
			}
			if p >= len(raw) {
				return 0, fmt.Errorf("unterminated list")
			}
			if raw[p] == ')' {
				return p + 1, nil
			}
			end, err := skipValue(raw, p, depth+1)
			if err != nil {
				return 0, err
			}
			p = end
		}
	case c == '"':
		for p++; p < len(raw); p++ {
			switch raw[p] {
			case '\\':
				p++
			case '"':
				return p + 1, nil
			case '\r', '\n':
				return 0, fmt.Errorf("line end in a quoted string")
			}
		}
		return 0, fmt.Errorf("unterminated quoted string")
	case c == '{' || c == '~' && p+1 < len(raw) && raw[p+1] == '{':
		if c == '~' {
			p++
		}
		close := bytes.IndexByte(raw[p:], '}')
		if close < 0 {
			return 0, fmt.Errorf("literal without }")
		}
		num := bytes.TrimSuffix(raw[p+1:p+close], []byte("+"))
		n, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("literal size %q", num)
		}
		p += close + 1
		if !bytes.HasPrefix(raw[p:], []byte("\r\n")) {
			return 0, fmt.Errorf("literal header not followed by CRLF")
		}
		p += 2
		if int64(len(raw)-p) < n {
			return 0, fmt.Errorf("literal of %d octets truncated", n)
		}
		return p + int(n), nil
	case c == ')' || c == ' ' || c == '\r':
		return 0, fmt.Errorf("value expected at %q", c)
	default:
		for p < len(raw) && raw[p] != ' ' && raw[p] != ')' && raw[p] != '(' && raw[p] != '\r' {
			p++
		}
		return p, nil
	}
}

func TestSplitFetch(t *testing.T) {
	raw := []byte("* 12 FETCH (ENVELOPE (NIL \"a \\\"q\\\"\" ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL) " +
		"BODY[HEADER.FIELDS (FROM TO)] {5}\r\nab\r\n\r BINARY.SIZE[1] 7 BODY[1]<0> ~{2}\r\n\x00) UID 3)\r\n")
	seq, items, err := splitFetch(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := []rawItem{
		{"ENVELOPE", []byte("(NIL \"a \\\"q\\\"\" ((NIL NIL \"a\" \"b\")) NIL NIL NIL NIL NIL NIL NIL)")},
		{"BODY[HEADER.FIELDS (FROM TO)]", []byte("{5}\r\nab\r\n\r")},
		{"BINARY.SIZE[1]", []byte("7")},
		{"BODY[1]<0>", []byte("~{2}\r\n\x00)")},
		{"UID", []byte("3")},
	}
	if seq != 12 || len(items) != len(want) {
		t.Fatalf("seq %d, %d items: %q", seq, len(items), items)
	}
	for i := range want {
		if items[i].Name != want[i].Name || !bytes.Equal(items[i].Value, want[i].Value) {
			t.Errorf("item %d = %s %q, want %s %q", i, items[i].Name, items[i].Value, want[i].Name, want[i].Value)
		}
	}
	for _, bad := range []string{"* 1 FETCH (UID 1\r\n", "* x FETCH (UID 1)\r\n", "* 1 FETCH (BODY[] {9}\r\nab)\r\n", "* 1 FETCH (UID 1) x\r\n"} {
		if _, _, err := splitFetch([]byte(bad)); err == nil {
			t.Errorf("splitFetch(%q) succeeded", bad)
		}
	}
}

func TestStatusTextStable(t *testing.T) {
	for in, want := range map[string]string{
		"Invalid data in MIME part (0.001 + 0.000 secs).":                                                                "Invalid data in MIME part",
		"Internal error occurred. Refer to server log for more information. [2026-11-23 15:50:14] (0.001 + 0.000 secs).": "Internal error occurred. Refer to server log for more information.",
		"Fetch completed (0.042 + 0.000 + 0.041 secs).":                                                                  "Fetch completed",
	} {
		rep := &reply{Status: response{Resp: wire.Response{Kind: wire.KindStatus, Status: wire.StatusNO, Text: in}}}
		if got := statusText(rep); got != "NO "+want {
			t.Errorf("statusText(%q) = %q", in, got)
		}
	}
}
