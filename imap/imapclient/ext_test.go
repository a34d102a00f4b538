package imapclient_test

import (
	"bufio"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap/imapclient"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// This file holds the helpers of the extension tests (QUOTA, ACL,
// METADATA, COMPRESS, local SORT/THREAD, Gmail): a transcript played by
// mbxScripted (prefix ext).

// extStep is one exchange of a transcript, written as the RFCs write
// their examples: the client's command with the example's tag, and the
// server's response lines. The server replaces the example's tag with the
// one the client used.
type extStep struct {
	cmd  string
	resp []string
}

// extLiteral matches a literal header at the end of a command line.
var extLiteral = regexp.MustCompile(`~?\{(\d+)(\+?)\}$`)

// extScript serves a transcript over one connection: the greeting
// announces caps, and each command the client sends must decode to the
// same command as the next step's (the tags aside), or be the same text
// if the codec decodes neither, or the test fails.
// Literals are acknowledged with "+ Ready for literal data". It returns
// the server's address and a function reporting how many steps were
// played.
func extScript(t *testing.T, caps string, steps ...extStep) (string, func() int) {
	t.Helper()
	var mu sync.Mutex
	played := 0
	addr := mbxScripted(t, "* OK [CAPABILITY IMAP4rev1 "+caps+"] ready", func(line string, r *bufio.Reader, w *bufio.Writer) bool {
		full, ok := extReadLiterals(line, r, w)
		if !ok {
			return false
		}
		tag, _, _ := strings.Cut(full, " ")
		mu.Lock()
		i := played
		played++
		mu.Unlock()
		if i >= len(steps) {
			t.Errorf("unexpected command %q", full)
			w.WriteString(tag + " BAD unexpected\r\n")
			return true
		}
		st := steps[i]
		got, gerr := extDecodeCommand(full)
		want, werr := extDecodeCommand(st.cmd)
		_, gotText, _ := strings.Cut(full, " ")
		_, wantText, _ := strings.Cut(st.cmd, " ")
		if gerr != nil && werr != nil {
			// A command the codec cannot decode (STORE of a vendor
			// item): the text must be the same.
			if gotText != wantText {
				t.Errorf("step %d: client sent %q, want %q", i, full, st.cmd)
			}
		} else if gerr != nil || werr != nil {
			t.Errorf("step %d: decoding %q: %v; %q: %v", i, full, gerr, st.cmd, werr)
		} else if got.Name != want.Name || got.UID != want.UID || !reflect.DeepEqual(got.Args, want.Args) {
			t.Errorf("step %d: client sent %q, want the equivalent of %q", i, full, st.cmd)
		}
		exTag, _, _ := strings.Cut(st.cmd, " ")
		for _, l := range st.resp {
			if rest, ok := strings.CutPrefix(l, exTag+" "); ok {
				l = tag + " " + rest
			}
			w.WriteString(l + "\r\n")
		}
		return true
	})
	return addr, func() int {
		mu.Lock()
		defer mu.Unlock()
		return played
	}
}

// extReadLiterals completes a command line with the literals it carries,
// acknowledging the synchronizing ones.
func extReadLiterals(line string, r *bufio.Reader, w *bufio.Writer) (string, bool) {
	full := line
	for {
		m := extLiteral.FindStringSubmatch(line)
		if m == nil {
			return full, true
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] == "" {
			w.WriteString("+ Ready for literal data\r\n")
			w.Flush()
		}
		data := make([]byte, n)
		if _, err := io.ReadFull(r, data); err != nil {
			return "", false
		}
		next, err := r.ReadString('\n')
		if err != nil {
			return "", false
		}
		line = strings.TrimRight(next, "\r\n")
		full += "\r\n" + string(data) + line
	}
}

// extDecodeCommand decodes one command with the server side of the codec.
func extDecodeCommand(s string) (*wire.Command, error) {
	d := wire.NewDecoder(bufio.NewReader(strings.NewReader(s+"\r\n")), nil)
	var c wire.Command
	err := d.ReadCommand(&c)
	return &c, err
}

// extDial connects to a scripted server; the client is closed when the
// test ends.
func extDial(t *testing.T, addr string, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c, err := imapclient.Dial(mbxCtx(t), addr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
