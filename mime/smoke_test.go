package mime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

func bsString(t *testing.T, b imap.BodyStructure) string {
	var out bytes.Buffer
	e := wire.NewEncoder(&out, nil)
	e.WriteResponse(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{Seq: 1, Items: []imap.FetchItem{{Kind: imap.FetchBodyStructure, Body: &b}}}})
	e.Flush()
	return out.String()
}

func TestSmoke(t *testing.T) {
	msg := strings.ReplaceAll(`From: a@b.c
Subject: hi
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="XX"

preamble
--XX
Content-Type: text/plain; charset=utf-8

hello
world
--XX
Content-Type: application/octet-stream; name*0*=utf-8''%E2%82%AC; name*1=".txt"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="a b.txt"

aGVsbG8gd29ybGQ=
--XX
Content-Type: message/rfc822

Subject: inner

inner body
--XX--
epilogue
`, "\n", "\r\n")
	s, err := Parse(strings.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(bsString(t, s.BodyStructure(true)))
	for _, sec := range []imap.Section{{}, {Part: []uint32{1}}, {Part: []uint32{2}}, {Part: []uint32{3}}, {Part: []uint32{3}, Spec: imap.SpecHeader}, {Part: []uint32{3}, Spec: imap.SpecText}, {Part: []uint32{3, 1}}, {Spec: imap.SpecHeaderFields, Fields: []string{"subject"}}, {Part: []uint32{2}, Spec: imap.SpecMIME}} {
		r, n, err := s.Section(strings.NewReader(msg), sec)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(r)
		t.Logf("%v %d %q", sec, n, b.String())
	}
	r, n, err := s.Binary(strings.NewReader(msg), []uint32{2})
	var b bytes.Buffer
	b.ReadFrom(r)
	t.Logf("binary %d %q %v", n, b.String(), err)
}
