package interop

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/internal/mimecorpus"
	"github.com/mailaccess/mailaccess/mime"
)

// headerFields are the fields of the HEADER.FIELDS item compared.
var headerFields = []string{"FROM", "TO", "SUBJECT", "DATE", "MESSAGE-ID", "CONTENT-TYPE"}

// itemKind is one of the FETCH items compared.
type itemKind int

const (
	kEnvelope itemKind = iota
	kBodyStructure
	kBody1
	kHeaderFields
	kBinarySize
	nKinds
)

var kindNames = [nKinds]string{"ENVELOPE", "BODYSTRUCTURE", "BODY[1]", "BODY[HEADER.FIELDS (...)]", "BINARY.SIZE[1]"}

// kindOfName classifies a FETCH item by its name on the wire.
func kindOfName(name string) (itemKind, bool) {
	n := strings.ToUpper(name)
	switch {
	case n == "ENVELOPE":
		return kEnvelope, true
	case n == "BODYSTRUCTURE":
		return kBodyStructure, true
	case n == "BODY[1]":
		return kBody1, true
	case strings.HasPrefix(n, "BODY[HEADER.FIELDS "):
		return kHeaderFields, true
	case n == "BINARY.SIZE[1]":
		return kBinarySize, true
	}
	return 0, false
}

// kindOfItem classifies a decoded FETCH item.
func kindOfItem(it *imap.FetchItem) (itemKind, bool) {
	switch it.Kind {
	case imap.FetchEnvelope:
		return kEnvelope, true
	case imap.FetchBodyStructure:
		return kBodyStructure, true
	case imap.FetchBodySection:
		if it.Section.Spec == imap.SpecHeaderFields {
			return kHeaderFields, true
		}
		if it.Section.Spec == imap.SpecNone && reflect.DeepEqual(it.Section.Part, []uint32{1}) {
			return kBody1, true
		}
	case imap.FetchBinarySize:
		return kBinarySize, true
	}
	return 0, false
}

// side is one side's answer for one item of one message.
type side struct {
	present bool   // a value was produced
	raw     []byte // the item's value in IMAP syntax
	typed   any    // the typed value, normalized (nil if unknown)
	err     string // the server's NO/BAD, or our error
	note    string // anything odd about an otherwise present value
}

// result is everything gathered for one message.
type result struct {
	name          string
	ours, dovecot [nKinds]side
}

// TestMIMEAgainstDovecot appends the mimecorpus messages to Dovecot, fetches
// five items per message and compares them with package mime's answers
// encoded by imap/wire. Differences are reported, not failed, unless
// MAILACCESS_INTEROP_STRICT=1.
func TestMIMEAgainstDovecot(t *testing.T) {
	requireInterop(t)
	start := time.Now()
	seed := envInt(t, "MAILACCESS_INTEROP_SEED", 1)
	n := envInt(t, "MAILACCESS_INTEROP_N", 200)
	corpus := append(mimecorpus.Fixed(), mimecorpus.Messages(seed, int(n))...)
	t.Logf("corpus: %d fixed + %d generated (seed %d) = %d messages", len(mimecorpus.Fixed()), n, seed, len(corpus))

	dv := startDovecot(t)
	c := loginDovecot(t, dv)
	defer c.Close()

	// APPEND, one message per command. A message Dovecot refuses is
	// reported and left out; seqs maps sequence numbers to corpus indexes.
	var seqs []int
	for i, m := range corpus {
		rep, err := c.Do(&imap.AppendCommand{Mailbox: "INBOX", Messages: []imap.AppendMessage{{Data: m.Data}}})
		if err != nil {
			t.Fatalf("APPEND %s: %v", m.Name, err)
		}
		if !rep.OK() {
			t.Logf("Dovecot refused %s: %s", m.Name, statusText(rep))
			continue
		}
		seqs = append(seqs, i)
	}
	if len(seqs) < len(corpus)*9/10 {
		t.Fatalf("Dovecot took only %d of %d messages", len(seqs), len(corpus))
	}
	t.Logf("appended %d messages in %v", len(seqs), time.Since(start).Round(time.Millisecond))

	sel := mustOK(t, c, &imap.SelectCommand{Mailbox: "INBOX"})
	exists := -1
	for _, u := range sel.Untagged {
		if u.Resp.Kind == wire.KindExists {
			exists = int(u.Resp.Num)
		}
	}
	if exists != len(seqs) {
		t.Fatalf("SELECT INBOX: %d messages exist, %d appended", exists, len(seqs))
	}

	results := make([]result, len(seqs))
	for s, i := range seqs {
		results[s].name = corpus[i].Name
	}
	fetchDovecot(t, c, results)
	for s, i := range seqs {
		results[s].ours = oursFor(corpus[i].Data)
	}
	mustOK(t, c, nil) // LOGOUT

	report, diffs := compare(results)
	t.Logf("Dovecot %s vs mailaccess/mime, %d messages, %v\n%s", dv.Version, len(results), time.Since(start).Round(time.Millisecond), report)
	if p := os.Getenv("MAILACCESS_INTEROP_REPORT"); p != "" {
		if err := os.WriteFile(p, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}
	if p := os.Getenv("MAILACCESS_INTEROP_GOLDEN"); p != "" {
		if err := os.WriteFile(p, golden(dv.Version, seed, n, results), 0o644); err != nil {
			t.Error(err)
		}
	}
	if diffs > 0 && os.Getenv("MAILACCESS_INTEROP_STRICT") == "1" {
		t.Errorf("MAILACCESS_INTEROP_STRICT=1: %d items differ from Dovecot's", diffs)
	}
}

// loginDovecot connects to dv and logs in as its user; the caller closes
// the connection.
func loginDovecot(t *testing.T, dv *dovecot) *imapConn {
	t.Helper()
	c, err := dialIMAP(dv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	defer func() {
		if !ok {
			c.Close() // LOGIN failed
		}
	}()
	mustOK(t, c, &imap.LoginCommand{Username: dv.User, Password: dv.Pass})
	ok = true
	return c
}

// mustOK runs a command (LOGOUT when args is nil) and fails the test
// unless it completes with OK.
func mustOK(t *testing.T, c *imapConn, args imap.CommandArgs) *reply {
	t.Helper()
	var rep *reply
	var err error
	name := "LOGOUT"
	if args == nil {
		rep, err = c.DoName("LOGOUT")
	} else {
		name = args.CommandName()
		rep, err = c.Do(args)
	}
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if !rep.OK() {
		t.Fatalf("%s: %s", name, rep)
	}
	return rep
}

// fetchAttrs returns the FETCH attributes compared; binary selects
// BINARY.SIZE[1], the others are the rest.
func fetchAttrs(rest, binary bool) []imap.FetchAttr {
	var a []imap.FetchAttr
	if rest {
		a = append(a,
			imap.FetchAttr{Kind: imap.FetchEnvelope},
			imap.FetchAttr{Kind: imap.FetchBodyStructure},
			imap.FetchAttr{Kind: imap.FetchBodyPeek, Section: imap.Section{Part: []uint32{1}}},
			imap.FetchAttr{Kind: imap.FetchBodyPeek, Section: imap.Section{Spec: imap.SpecHeaderFields, Fields: headerFields}},
		)
	}
	if binary {
		a = append(a, imap.FetchAttr{Kind: imap.FetchBinarySize, Section: imap.Section{Part: []uint32{1}}})
	}
	return a
}

// fetchDovecot fills in Dovecot's side of results: one FETCH 1:* of all
// items, then, for each message lacking some item (BINARY.SIZE fails for
// parts Dovecot cannot decode), the other items and BINARY.SIZE[1] in
// separate commands, keeping the NO or BAD as Dovecot's answer.
func fetchDovecot(t *testing.T, c *imapConn, results []result) {
	t.Helper()
	rep, err := c.Do(&imap.FetchCommand{Set: imap.NumSetRange(1, imap.Star), Attrs: fetchAttrs(true, true)})
	if err != nil {
		t.Fatalf("FETCH 1:*: %v", err)
	}
	t.Logf("FETCH 1:* (%d items per message): %s", nKinds, statusText(rep))
	collect(t, rep, results)

	refetched := 0
	for s := range results {
		r := &results[s]
		var restMissing, binMissing bool
		for k := range nKinds {
			if !r.dovecot[k].present {
				if k == kBinarySize {
					binMissing = true
				} else {
					restMissing = true
				}
			}
		}
		seq := uint32(s + 1)
		for _, part := range []struct {
			missing, rest, binary bool
		}{{restMissing, true, false}, {binMissing, false, true}} {
			if !part.missing {
				continue
			}
			refetched++
			rep, err := c.Do(&imap.FetchCommand{Set: imap.NumSetOf(seq), Attrs: fetchAttrs(part.rest, part.binary)})
			if err != nil {
				t.Fatalf("FETCH %d: %v", seq, err)
			}
			collect(t, rep, results)
			if !rep.OK() {
				for k := range nKinds {
					if (k == kBinarySize) == part.binary && !r.dovecot[k].present {
						r.dovecot[k].err = statusText(rep)
					}
				}
			}
		}
	}
	if refetched > 0 {
		t.Logf("fetched items separately for %d messages", refetched)
	}
}

// dovecotNoise matches the parts of Dovecot's status texts that change from
// run to run: the timings "(0.001 + 0.000 secs)." and the time stamp of
// "Refer to server log for more information. [2024-01-02 03:04:05]".
var dovecotNoise = regexp.MustCompile(` ?\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\]| ?\(\d+\.\d+( \+ \d+\.\d+)* secs\)\.?`)

// statusText renders a tagged status response without its varying parts.
func statusText(rep *reply) string {
	st := rep.Status.Resp
	s := string(st.Status)
	if st.Code != nil {
		s += " [" + string(st.Code.Name) + "]"
	}
	return s + " " + strings.TrimSpace(dovecotNoise.ReplaceAllString(st.Text, ""))
}

// collect records the items of the untagged FETCH responses in rep.
func collect(t *testing.T, rep *reply, results []result) {
	t.Helper()
	for _, u := range rep.Untagged {
		if u.Err == nil && u.Resp.Kind != wire.KindFetch {
			continue
		}
		seq, items, err := splitFetch(u.Raw)
		if err != nil {
			if u.Err != nil && !bytes.Contains(u.Raw, []byte(" FETCH ")) {
				t.Logf("undecodable response ignored: %v: %q", u.Err, clip(u.Raw, 200))
				continue
			}
			t.Fatalf("splitting %q: %v", clip(u.Raw, 300), err)
		}
		if seq < 1 || int(seq) > len(results) {
			t.Fatalf("FETCH for unknown message %d", seq)
		}
		r := &results[seq-1]
		for _, it := range items {
			if k, ok := kindOfName(it.Name); ok {
				r.dovecot[k].present = true
				r.dovecot[k].raw = it.Value
			}
		}
		if u.Err != nil {
			for k := range nKinds {
				r.dovecot[k].note = "our decoder failed on Dovecot's response: " + u.Err.Error()
			}
			continue
		}
		for i := range u.Resp.Fetch.Items {
			it := &u.Resp.Fetch.Items[i]
			if k, ok := kindOfItem(it); ok {
				r.dovecot[k].typed = typedOf(k, it)
			}
		}
	}
}

// typedOf returns the normalized typed value of a decoded item.
func typedOf(k itemKind, it *imap.FetchItem) any {
	switch k {
	case kEnvelope:
		return normEnvelope(it.Envelope)
	case kBodyStructure:
		return normBody(it.Body)
	case kBody1, kHeaderFields:
		return it.Data
	case kBinarySize:
		return it.Num
	}
	return nil
}

// oursFor computes our side for one message: mime.Parse and the
// Structure's methods, each value encoded as a FETCH item by imap/wire.
func oursFor(msg []byte) (out [nKinds]side) {
	fail := func(err error) [nKinds]side {
		for k := range out {
			out[k].err = err.Error()
		}
		return out
	}
	s, err := mime.Parse(bytes.NewReader(msg), nil)
	if err != nil {
		return fail(fmt.Errorf("mime.Parse: %w", err))
	}
	src := bytes.NewReader(msg)

	if env := s.Envelope(); env == nil {
		out[kEnvelope].err = "Envelope() is nil"
	} else {
		out[kEnvelope] = encodeOurs(kEnvelope, imap.FetchItem{Kind: imap.FetchEnvelope, Envelope: env})
	}

	bs := s.BodyStructure(true)
	out[kBodyStructure] = encodeOurs(kBodyStructure, imap.FetchItem{Kind: imap.FetchBodyStructure, Body: &bs})

	for _, x := range []struct {
		k   itemKind
		sec imap.Section
	}{
		{kBody1, imap.Section{Part: []uint32{1}}},
		{kHeaderFields, imap.Section{Spec: imap.SpecHeaderFields, Fields: headerFields}},
	} {
		r, size, err := s.Section(src, x.sec)
		if err != nil {
			out[x.k].err = err.Error()
			continue
		}
		data, err := io.ReadAll(r)
		if err != nil {
			out[x.k].err = "reading the section: " + err.Error()
			continue
		}
		out[x.k] = encodeOurs(x.k, imap.FetchItem{Kind: imap.FetchBodySection, Section: x.sec, Data: imap.Str(string(data))})
		if int64(len(data)) != size {
			out[x.k].note = fmt.Sprintf("Section said %d octets, its reader gave %d", size, len(data))
		}
	}

	r, size, err := s.Binary(src, []uint32{1})
	if err != nil {
		out[kBinarySize].err = err.Error()
	} else {
		out[kBinarySize] = encodeOurs(kBinarySize, imap.FetchItem{Kind: imap.FetchBinarySize, Section: imap.Section{Part: []uint32{1}}, Num: uint64(size)})
		if got, err := io.Copy(io.Discard, r); err != nil {
			out[kBinarySize].note = "reading BINARY[1]: " + err.Error()
		} else if got != size {
			out[kBinarySize].note = fmt.Sprintf("Binary said %d octets, its reader gave %d", size, got)
		}
	}
	return out
}

// encodeOurs encodes one item as the only item of "* 1 FETCH (...)" with
// imap/wire's server-side encoder and cuts its value out.
func encodeOurs(k itemKind, it imap.FetchItem) side {
	var buf bytes.Buffer
	enc := wire.NewEncoder(&buf, nil)
	err := enc.WriteResponse(&wire.Response{Kind: wire.KindFetch, Fetch: &imap.FetchData{Seq: 1, Items: []imap.FetchItem{it}}})
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		return side{err: "encoding: " + err.Error()}
	}
	_, items, err := splitFetch(buf.Bytes())
	if err != nil || len(items) != 1 {
		return side{err: fmt.Sprintf("splitting our own encoding %q: %v", clip(buf.Bytes(), 200), err)}
	}
	return side{present: true, raw: items[0].Value, typed: typedOf(k, &it)}
}

// The typed comparison normalizes what IMAP leaves to the server's taste:
// the case of media types, subtypes, transfer encodings, parameter names
// and disposition types (all case-insensitive, RFC 2045 §5.1 and §6.1,
// RFC 2183 §2), and empty lists against NIL.
const normalization = "typed values are compared after upper-casing media type, subtype, " +
	"transfer encoding, parameter names and disposition type, and treating empty lists as NIL"

func normParams(ps []imap.Param) []imap.Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]imap.Param, len(ps))
	for i, p := range ps {
		out[i] = imap.Param{Key: strings.ToUpper(p.Key), Value: p.Value}
	}
	return out
}

func normAddrs(as []imap.Address) []imap.Address {
	if len(as) == 0 {
		return nil
	}
	return as
}

func normEnvelope(e *imap.Envelope) *imap.Envelope {
	if e == nil {
		return nil
	}
	c := *e
	c.From, c.Sender, c.ReplyTo = normAddrs(c.From), normAddrs(c.Sender), normAddrs(c.ReplyTo)
	c.To, c.Cc, c.Bcc = normAddrs(c.To), normAddrs(c.Cc), normAddrs(c.Bcc)
	return &c
}

func normBody(b *imap.BodyStructure) *imap.BodyStructure {
	if b == nil {
		return nil
	}
	c := *b
	c.Type, c.Subtype, c.Encoding = strings.ToUpper(c.Type), strings.ToUpper(c.Subtype), strings.ToUpper(c.Encoding)
	c.Params = normParams(c.Params)
	c.Envelope = normEnvelope(c.Envelope)
	c.Body = normBody(c.Body)
	if len(c.Parts) == 0 {
		c.Parts = nil
	} else {
		c.Parts = make([]imap.BodyStructure, len(b.Parts))
		for i := range b.Parts {
			c.Parts[i] = *normBody(&b.Parts[i])
		}
	}
	if d := c.Disposition; d != nil {
		c.Disposition = &imap.Disposition{Type: strings.ToUpper(d.Type), Params: normParams(d.Params)}
	}
	if len(c.Language) == 0 {
		c.Language = nil
	}
	if len(c.Extensions) == 0 {
		c.Extensions = nil
	}
	return &c
}

// verdict is how one item of one message compares.
type verdict int

const (
	sameBytes  verdict = iota // identical wire bytes
	bothRefuse                // Dovecot said NO/BAD and we returned an error
	sameTyped                 // different bytes, equal typed values after normalization
	differ                    // different values
	nVerdicts
)

func judge(o, d side) verdict {
	switch {
	case o.present && d.present && bytes.Equal(o.raw, d.raw):
		return sameBytes
	case !o.present && !d.present && o.err != "" && d.err != "":
		return bothRefuse
	case o.present && d.present && o.typed != nil && d.typed != nil && reflect.DeepEqual(o.typed, d.typed):
		return sameTyped
	}
	return differ
}

// compare builds the report: a table per item kind, then every message
// whose item differs, with both values. It returns the report and the
// number of items whose bytes differ.
func compare(results []result) (string, int) {
	var counts [nKinds][nVerdicts]int
	var details strings.Builder
	diffs := 0
	for k := range nKinds {
		fmt.Fprintf(&details, "\n=== %s: differing messages\n", kindNames[k])
		for _, r := range results {
			o, d := r.ours[k], r.dovecot[k]
			v := judge(o, d)
			counts[k][v]++
			if v == sameBytes || v == bothRefuse {
				continue
			}
			diffs++
			tag := ""
			if v == sameTyped {
				tag = " (typed values equal after normalization)"
			}
			fmt.Fprintf(&details, "--- %s%s\n", r.name, tag)
			fmt.Fprintf(&details, "    ours:    %s\n", showSide(o, d))
			fmt.Fprintf(&details, "    dovecot: %s\n", showSide(d, o))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-26s %9s %11s %10s %7s %6s\n", "item", "same-bytes", "both-refuse", "same-typed", "differ", "total")
	for k := range nKinds {
		c := counts[k]
		fmt.Fprintf(&b, "%-26s %9d %11d %10d %7d %6d\n", kindNames[k], c[sameBytes], c[bothRefuse], c[sameTyped], c[differ], len(results))
	}
	fmt.Fprintf(&b, "(same-typed: bytes differ but %s; both-refuse: Dovecot answered NO/BAD and mime returned an error)\n", normalization)
	b.WriteString(details.String())
	return b.String(), diffs
}

// showSide renders one side's value for the report; other is the other
// side, to centre long values on the first difference.
func showSide(s, other side) string {
	var out string
	switch {
	case !s.present && s.err != "":
		out = "error: " + s.err
	case !s.present:
		out = "(absent)"
	default:
		out = window(s.raw, other.raw)
	}
	if s.note != "" {
		out += "  [" + s.note + "]"
	}
	return out
}

// window quotes v, or for a long value the part around its first
// difference from w, with offsets. Literal headers ({n} CRLF) are left out
// of the search, so that a difference in size does not hide where the
// contents part.
func window(v, w []byte) string {
	const limit = 400
	if len(v) <= limit {
		return fmt.Sprintf("%q", v)
	}
	hv, cv := splitLiteral(v)
	_, cw := splitLiteral(w)
	i := 0
	for i < len(cv) && i < len(cw) && cv[i] == cw[i] {
		i++
	}
	from := max(0, i-120)
	to := min(len(cv), from+limit)
	return fmt.Sprintf("%s(%d octets; first difference at %d) ...%q...", hv, len(cv), i, cv[from:to])
}

// splitLiteral splits a literal into its header ("{n}" or "~{n}", without
// the CRLF) and its contents; other values have no header.
func splitLiteral(v []byte) (header string, contents []byte) {
	if i := bytes.Index(v, []byte("}\r\n")); i > 0 && i < 24 && (v[0] == '{' || v[0] == '~') {
		return string(v[:i+1]) + " ", v[i+3:]
	}
	return "", v
}

// golden renders Dovecot's answers, byte for byte, for use without
// Dovecot: a header line, then per message a "message NAME" line followed
// by "item KIND LEN" lines each followed by LEN octets of the item's value
// and LF, or "error KIND TEXT" lines.
func golden(version string, seed, n int64, results []result) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Dovecot %s; corpus mimecorpus.Fixed() + mimecorpus.Messages(%d, %d)\n", version, seed, n)
	for _, r := range results {
		fmt.Fprintf(&b, "message %s\n", r.name)
		for k := range nKinds {
			d := r.dovecot[k]
			switch {
			case d.present:
				fmt.Fprintf(&b, "item %s %d\n", kindNames[k], len(d.raw))
				b.Write(d.raw)
				b.WriteByte('\n')
			case d.err != "":
				fmt.Fprintf(&b, "error %s %s\n", kindNames[k], d.err)
			}
		}
	}
	return b.Bytes()
}

// clip shortens b for a log line.
func clip(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	return b[:n]
}
