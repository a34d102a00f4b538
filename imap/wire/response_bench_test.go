package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fetchStream is a deterministic stream of untagged FETCH responses as a
// client sees them in answer to
//
//	UID FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE)
//
// on a mailbox of multipart messages (multipart/mixed holding a
// multipart/alternative and one or two attachments), with escaped quoted
// strings (\" and \\) and some literals (subjects, display names and
// parameter values). It follows the shape of the W1 workload of the
// repository's bench module.
type fetchStream struct {
	data     []byte
	uids     []uint32
	subjects []string
	literals int
}

const benchMessages = 10000

var benchStream = sync.OnceValue(func() *fetchStream { return genFetchStream(benchMessages) })

func genFetchStream(n int) *fetchStream {
	g := &streamGen{rnd: rand.New(rand.NewPCG(0x6d61696c, 0x61636373))}
	s := &fetchStream{}
	for i := range n {
		uid := uint32(4001 + i)
		s.subjects = append(s.subjects, g.message(uint32(i+1), uid))
		s.uids = append(s.uids, uid)
	}
	s.data = g.b
	s.literals = g.lits
	return s
}

type streamGen struct {
	rnd  *rand.Rand
	b    []byte
	lits int
}

var (
	genFirst    = []string{"Alice", "Bob", "Carol", "Dave", "Eve", "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter"}
	genLast     = []string{"Smith", "O'Brien", "van der Berg", "Dupont", "Kowalski", "Nakamura", "Okafor", "Schmidt", "Rossi", "Larsen"}
	genHosts    = []string{"example.com", "example.org", "mail.example.net", "lists.example.edu", "corp.example"}
	genWords    = []string{"quarterly", "report", "meeting", "notes", "draft", "review", "budget", "plan", "update", "invoice", "release", "schedule", "agenda", "minutes", "proposal", "follow-up", "status", "design", "roadmap", "feedback"}
	genKeywords = []string{"$Forwarded", "$MDNSent", "$Junk", "$NotJunk", "$label1", "Work", "Todo"}
	genMonths   = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	genDays     = []string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	genZones    = []string{"+0000", "-0700", "+0200", "+0530", "-0500", "+0100"}
	genAttTypes = [][3]string{
		{"APPLICATION", "PDF", "pdf"},
		{"IMAGE", "PNG", "png"},
		{"APPLICATION", "VND.OPENXMLFORMATS-OFFICEDOCUMENT.SPREADSHEETML.SHEET", "xlsx"},
		{"APPLICATION", "ZIP", "zip"},
	}
)

func (g *streamGen) pick(list []string) string { return list[g.rnd.IntN(len(list))] }
func (g *streamGen) chance(percent int) bool   { return g.rnd.IntN(100) < percent }
func (g *streamGen) str(s string)              { g.b = append(g.b, s...) }
func (g *streamGen) num(n uint64)              { g.b = strconv.AppendUint(g.b, n, 10) }

func (g *streamGen) quoted(s string) {
	g.b = append(g.b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			g.b = append(g.b, '\\')
		}
		g.b = append(g.b, s[i])
	}
	g.b = append(g.b, '"')
}

func (g *streamGen) literal(s string) {
	g.b = append(g.b, '{')
	g.num(uint64(len(s)))
	g.b = append(g.b, "}\r\n"...)
	g.b = append(g.b, s...)
	g.lits++
}

func (g *streamGen) strOrLit(s string, litPercent int) {
	if g.chance(litPercent) {
		g.literal(s)
	} else {
		g.quoted(s)
	}
}

func (g *streamGen) name() string {
	n := g.pick(genFirst) + " " + g.pick(genLast)
	switch g.rnd.IntN(5) {
	case 0:
		n = `"` + g.pick(genFirst) + `" ` + g.pick(genLast)
	case 1:
		n = g.pick(genLast) + `\` + g.pick(genFirst)
	}
	return n
}

func (g *streamGen) address() {
	g.b = append(g.b, '(')
	if g.chance(10) {
		g.str("NIL")
	} else {
		g.strOrLit(g.name(), 8)
	}
	g.str(" NIL ")
	g.quoted(strings.ToLower(g.pick(genFirst)) + strconv.Itoa(g.rnd.IntN(100)))
	g.b = append(g.b, ' ')
	g.quoted(g.pick(genHosts))
	g.b = append(g.b, ')')
}

func (g *streamGen) addressList(minN, maxN int) {
	n := minN + g.rnd.IntN(maxN-minN+1)
	if n == 0 {
		g.str("NIL")
		return
	}
	g.b = append(g.b, '(')
	for range n {
		g.address()
	}
	g.b = append(g.b, ')')
}

func (g *streamGen) subject() string {
	var sb strings.Builder
	if g.chance(30) {
		sb.WriteString("Re: ")
	}
	n := 2 + g.rnd.IntN(6)
	for i := range n {
		if i > 0 {
			sb.WriteByte(' ')
		}
		w := g.pick(genWords)
		switch g.rnd.IntN(8) {
		case 0:
			w = `"` + w + `"`
		case 1:
			w = `C:\` + w
		}
		sb.WriteString(w)
	}
	if g.chance(20) {
		fmt.Fprintf(&sb, " [#%d]", g.rnd.IntN(100000))
	}
	return sb.String()
}

func (g *streamGen) msgID() string {
	return fmt.Sprintf("<%x.%d@%s>", g.rnd.Uint64(), g.rnd.IntN(1000), g.pick(genHosts))
}

func (g *streamGen) params(kv ...string) {
	g.b = append(g.b, '(')
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			g.b = append(g.b, ' ')
		}
		g.quoted(kv[i])
		g.b = append(g.b, ' ')
		g.strOrLit(kv[i+1], 5)
	}
	g.b = append(g.b, ')')
}

func (g *streamGen) textPart(subtype string) int {
	size := 200 + g.rnd.IntN(20000)
	g.str(`("TEXT" `)
	g.quoted(subtype)
	g.b = append(g.b, ' ')
	g.params("CHARSET", "utf-8")
	g.str(" NIL NIL ")
	g.quoted(g.pick([]string{"7BIT", "QUOTED-PRINTABLE", "BASE64"}))
	g.b = append(g.b, ' ')
	g.num(uint64(size))
	g.b = append(g.b, ' ')
	g.num(uint64(size/60 + 1))
	g.str(" NIL ")
	if g.chance(50) {
		g.str(`("INLINE" NIL)`)
	} else {
		g.str("NIL")
	}
	g.str(" NIL NIL)")
	return size
}

func (g *streamGen) attachment() int {
	t := genAttTypes[g.rnd.IntN(len(genAttTypes))]
	size := 1000 + g.rnd.IntN(500000)
	file := g.pick(genWords) + ` "` + g.pick(genWords) + `" ` + strconv.Itoa(g.rnd.IntN(1000)) + "." + t[2]
	if g.chance(10) {
		file = `C:\Users\` + g.pick(genFirst) + `\` + g.pick(genWords) + "." + t[2]
	}
	g.b = append(g.b, '(')
	g.quoted(t[0])
	g.b = append(g.b, ' ')
	g.quoted(t[1])
	g.b = append(g.b, ' ')
	g.params("NAME", file)
	g.str(" NIL NIL \"BASE64\" ")
	g.num(uint64(size))
	g.str(" NIL (\"ATTACHMENT\" ")
	g.params("FILENAME", file, "SIZE", strconv.Itoa(size*3/4))
	g.str(") NIL NIL)")
	return size
}

// message writes one untagged FETCH response and returns its subject.
func (g *streamGen) message(seq, uid uint32) string {
	g.str("* ")
	g.num(uint64(seq))
	g.str(" FETCH (UID ")
	g.num(uint64(uid))
	g.str(" FLAGS (")
	sep := ""
	for _, f := range []string{`\Seen`, `\Answered`, `\Flagged`} {
		if g.chance(40) {
			g.str(sep + f)
			sep = " "
		}
	}
	if g.chance(30) {
		g.str(sep + g.pick(genKeywords))
	}
	g.b = append(g.b, ')')
	day := 1 + g.rnd.IntN(28)
	mon := g.rnd.IntN(12)
	year := 2015 + g.rnd.IntN(11)
	hh, mm, ss := g.rnd.IntN(24), g.rnd.IntN(60), g.rnd.IntN(60)
	zone := g.pick(genZones)
	g.str(fmt.Sprintf(` INTERNALDATE "%2d-%s-%d %02d:%02d:%02d %s"`, day, genMonths[mon], year, hh, mm, ss, zone))

	head := g.b
	g.b = nil
	size := 0
	g.str("((")
	size += g.textPart("PLAIN")
	size += g.textPart("HTML")
	g.str(` "ALTERNATIVE" `)
	g.params("BOUNDARY", fmt.Sprintf("alt-%08x", g.rnd.Uint32()))
	g.str(" NIL NIL NIL)")
	for range 1 + g.rnd.IntN(2) {
		size += g.attachment()
	}
	g.str(` "MIXED" `)
	g.params("BOUNDARY", fmt.Sprintf("mix-%08x", g.rnd.Uint32()))
	g.str(" NIL ")
	if g.chance(50) {
		g.str(`("en" "de")`)
	} else {
		g.str(`"en"`)
	}
	g.str(" NIL)")
	bs := g.b
	g.b = head

	g.str(" RFC822.SIZE ")
	g.num(uint64(size + 1500 + g.rnd.IntN(2000)))
	g.str(" ENVELOPE (")
	g.quoted(fmt.Sprintf("%s, %d %s %d %02d:%02d:%02d %s", genDays[g.rnd.IntN(7)], day, genMonths[mon], year, hh, mm, ss, zone))
	g.b = append(g.b, ' ')
	subject := g.subject()
	g.strOrLit(subject, 20)
	g.b = append(g.b, ' ')
	from := len(g.b)
	g.addressList(1, 1)
	fromList := string(g.b[from:])
	g.b = append(g.b, ' ')
	g.str(fromList)
	g.b = append(g.b, ' ')
	g.str(fromList)
	g.b = append(g.b, ' ')
	g.addressList(1, 4)
	g.b = append(g.b, ' ')
	g.addressList(0, 3)
	g.str(" NIL ")
	if g.chance(30) {
		g.quoted(g.msgID())
	} else {
		g.str("NIL")
	}
	g.b = append(g.b, ' ')
	g.quoted(g.msgID())
	g.b = append(g.b, ')')
	g.str(" BODYSTRUCTURE ")
	g.b = append(g.b, bs...)
	g.str(")\r\n")
	return subject
}

// decodeStream decodes every response of data and returns how many there
// were.
func decodeStream(tb testing.TB, data []byte, opts *Options, visit func(i int, r *Response)) int {
	d := NewDecoder(bufio.NewReader(bytes.NewReader(data)), opts)
	var r Response
	n := 0
	for {
		err := d.ReadResponse(&r)
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatalf("response %d: %v", n+1, err)
		}
		if visit != nil {
			visit(n, &r)
		}
		n++
	}
}

// BenchmarkReadResponseFetch decodes a stream of 10,000 untagged FETCH
// responses (UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE of
// multipart messages). One op is the whole stream: divide allocs/op by
// 10,000 for the allocations per message.
func BenchmarkReadResponseFetch(b *testing.B) {
	s := benchStream()
	for _, mode := range []Mode{Lenient, Strict} {
		b.Run(mode.String(), func(b *testing.B) {
			b.SetBytes(int64(len(s.data)))
			b.ReportAllocs()
			for b.Loop() {
				if n := decodeStream(b, s.data, &Options{Mode: mode}, nil); n != benchMessages {
					b.Fatalf("decoded %d responses", n)
				}
			}
		})
	}
}

func TestFetchStreamDecodes(t *testing.T) {
	s := benchStream()
	if s.literals == 0 || !bytes.Contains(s.data, []byte(`\"`)) || !bytes.Contains(s.data, []byte(`\\`)) {
		t.Fatal("the stream lacks literals or escapes")
	}
	for _, mode := range []Mode{Lenient, Strict} {
		n := decodeStream(t, s.data, &Options{Mode: mode}, func(i int, r *Response) {
			if r.Kind != KindFetch || r.Fetch.Seq != uint32(i+1) {
				t.Fatalf("response %d: kind %v", i+1, r.Kind)
			}
			if r.Fetch.UID() != s.uids[i] {
				t.Errorf("response %d: UID %d, want %d", i+1, r.Fetch.UID(), s.uids[i])
			}
			env := r.Fetch.Items[4].Envelope
			if env == nil || env.Subject.S != s.subjects[i] {
				t.Errorf("response %d: envelope %+v, want subject %q", i+1, env, s.subjects[i])
			}
			body := r.Fetch.Items[5].Body
			if body == nil || !body.IsMultipart() || body.Subtype != "MIXED" || len(body.Parts) < 2 ||
				!body.Parts[0].IsMultipart() || body.Parts[0].Subtype != "ALTERNATIVE" {
				t.Errorf("response %d: body %+v", i+1, body)
			}
			if r.Fetch.Items[2].Time.IsZero() || r.Fetch.Items[3].Num == 0 {
				t.Errorf("response %d: items %+v", i+1, r.Fetch.Items)
			}
		})
		if n != benchMessages {
			t.Fatalf("%v: decoded %d responses", mode, n)
		}
	}
}
