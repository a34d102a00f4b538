package mime

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// threadString renders threads as the THREAD response does (RFC 5256 §4):
// a node's only children continue its chain; several are nested lists;
// a dummy is a list that starts with nested lists.
func threadString(threads []imap.ThreadNode) string {
	var b strings.Builder
	for i := range threads {
		b.WriteByte('(')
		threadWriteMembers(&b, &threads[i])
		b.WriteByte(')')
	}
	return b.String()
}

func threadWriteMembers(b *strings.Builder, n *imap.ThreadNode) {
	if n.Num != 0 {
		fmt.Fprint(b, n.Num)
		for len(n.Children) == 1 {
			n = &n.Children[0]
			fmt.Fprintf(b, " %d", n.Num)
		}
		if len(n.Children) == 0 {
			return
		}
		b.WriteByte(' ')
	}
	for i := range n.Children {
		b.WriteByte('(')
		threadWriteMembers(b, &n.Children[i])
		b.WriteByte(')')
	}
}

// rfcMailbox is a mailbox made up so that one set of messages gives both
// THREAD responses of the RFC 5256 §3 example (A283 and A285): subjects,
// Message-IDs and references chosen to produce each grouping, and sent
// dates in the order dateOrder lists.
func rfc5256Mailbox() []ThreadMessage {
	dateOrder := []uint32{166, 167, 168, 169, 172, 170, 171, 173, 174, 175, 176, 178, 181, 180,
		179, 177, 183, 182, 188, 184, 185, 186, 187, 189, 190, 191, 192, 193, 194, 195, 196, 197,
		198, 199, 200, 202, 201, 203, 204, 205, 206, 207, 208}
	when := map[uint32]time.Time{}
	base := time.Date(2000, 3, 5, 0, 0, 0, 0, time.UTC)
	for i, n := range dateOrder {
		when[n] = base.Add(time.Duration(i) * time.Hour)
	}
	type spec struct {
		subject, refs string
	}
	specs := map[uint32]spec{
		// 170 and 179: different subjects, same missing parent.
		170: {"S170", "<missing@x>"},
		179: {"S179", "<missing@x>"},
		// 174...180: one subject, none a reply: siblings under a dummy.
		174: {"S174", ""}, 175: {"S174", ""}, 176: {"S174", ""},
		178: {"S174", ""}, 180: {"[list] S174", ""}, 181: {"s174", ""},
		// 177 and its subject-mates, some with replies.
		177: {"S177", ""}, 183: {"S177", ""}, 182: {"S177", ""}, 188: {"S177", ""},
		185: {"S177", ""}, 187: {"S177", ""},
		184: {"Re: S177", "<m188@x>"}, 189: {"Re: S177", "<m188@x>"},
		186: {"Re: S177", "<m185@x>"},
		194: {"S194", ""}, 195: {"S194", ""},
		196: {"S196", "<m195@x>"}, 197: {"S196", ""}, 198: {"Re: S196", "<m197@x>"},
		200: {"S200", ""}, 202: {"Re: S200", "<m200@x>"},
		205: {"S205", ""}, 206: {"S206", "<m205@x>"}, 207: {"Re: S206", "<m205@x> <m206@x>"},
	}
	var msgs []ThreadMessage
	for n := uint32(166); n <= 208; n++ {
		s, ok := specs[n]
		if !ok {
			s = spec{subject: fmt.Sprintf("S%d", n)}
		}
		msgs = append(msgs, ThreadMessage{
			Num:        n,
			Date:       when[n],
			Subject:    s.subject,
			MessageID:  fmt.Sprintf("<m%d@x>", n),
			References: s.refs,
		})
	}
	return msgs
}

// TestThreadRFCExample reproduces the THREAD responses of RFC 5256 §3.
func TestThreadRFCExample(t *testing.T) {
	msgs := rfc5256Mailbox()
	tests := []struct{ alg, want string }{
		{"ORDEREDSUBJECT", "(166)(167)(168)(169)(172)(170)(171)" +
			"(173)(174 (175)(176)(178)(181)(180))(179)(177" +
			"(183)(182)(188)(184)(185)(186)(187)(189))(190)" +
			"(191)(192)(193)(194 195)(196 (197)(198))(199)" +
			"(200 202)(201)(203)(204)(205)(206 207)(208)"},
		{"REFERENCES", "(166)(167)(168)(169)(172)((170)(179))" +
			"(171)(173)((174)(175)(176)(178)(181)(180))" +
			"((177)(183)(182)(188 (184)(189))(185 186)(187))" +
			"(190)(191)(192)(193)((194)(195 196))(197 198)" +
			"(199)(200 202)(201)(203)(204)(205 206 207)(208)"},
	}
	for _, tt := range tests {
		// RFC's text has "(177(183)": the printed line break ate the
		// space; the response has one.
		want := strings.ReplaceAll(tt.want, "(177(", "(177 (")
		for _, order := range []string{"ascending", "reversed"} {
			in := append([]ThreadMessage(nil), msgs...)
			if order == "reversed" {
				for i, j := 0, len(in)-1; i < j; i, j = i+1, j-1 {
					in[i], in[j] = in[j], in[i]
				}
			}
			got, err := Thread(tt.alg, in)
			if err != nil {
				t.Fatal(err)
			}
			if s := threadString(got); s != want {
				t.Errorf("%s (%s input):\n got %s\nwant %s", tt.alg, order, s, want)
			}
		}
	}
}

// TestThreadWire sends the RFC example's threads through the imap/wire
// encoder, which must print the RFC's response, and decodes them back.
func TestThreadWire(t *testing.T) {
	for _, alg := range []string{"ORDEREDSUBJECT", "REFERENCES"} {
		threads, err := Thread(alg, rfc5256Mailbox())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		enc := wire.NewEncoder(&buf, nil)
		if err := enc.WriteResponse(&wire.Response{Kind: wire.KindThread, Threads: threads}); err != nil {
			t.Fatal(err)
		}
		if err := enc.Flush(); err != nil {
			t.Fatal(err)
		}
		want := "* THREAD " + threadString(threads) + "\r\n"
		if buf.String() != want {
			t.Errorf("%s: encoder wrote %q; want %q", alg, buf.String(), want)
		}
		var r wire.Response
		if err := wire.NewDecoder(bufio.NewReader(&buf), nil).ReadResponse(&r); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(threadNorm(r.Threads), threadNorm(threads)) {
			t.Errorf("%s: decoded %s", alg, threadString(r.Threads))
		}
	}
}

// normThreads drops the difference between nil and empty Children.
func threadNorm(l []imap.ThreadNode) []imap.ThreadNode {
	if len(l) == 0 {
		return nil
	}
	out := make([]imap.ThreadNode, len(l))
	for i, n := range l {
		out[i] = imap.ThreadNode{Num: n.Num, Children: threadNorm(n.Children)}
	}
	return out
}

// TestThreadRFCResponseShapes checks the node shapes against the RFC 5256
// §4 examples "(2)(3 6 (4 23)(44 7 96))" and "((3)(5))".
func TestThreadRFCResponseShapes(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2008, 6, 1, h, 0, 0, 0, time.UTC) }
	msgs := []ThreadMessage{
		{Num: 2, Date: at(1), Subject: "two", MessageID: "<2@x>"},
		{Num: 3, Date: at(2), Subject: "three", MessageID: "<3@x>"},
		{Num: 6, Date: at(3), Subject: "Re: three", MessageID: "<6@x>", References: "<3@x>"},
		{Num: 4, Date: at(4), Subject: "Re: three", MessageID: "<4@x>", References: "<3@x> <6@x>"},
		{Num: 23, Date: at(5), Subject: "Re: three", MessageID: "<23@x>", InReplyTo: "<4@x>"},
		{Num: 44, Date: at(6), Subject: "Re: three", MessageID: "<44@x>", References: "<3@x> <6@x>"},
		{Num: 7, Date: at(7), Subject: "Re: three", MessageID: "<7@x>", References: "<3@x> <6@x> <44@x>"},
		{Num: 96, Date: at(8), Subject: "Re: three", MessageID: "<96@x>", References: "<6@x> <44@x> <7@x>"},
	}
	got, err := Thread("REFERENCES", msgs)
	if err != nil {
		t.Fatal(err)
	}
	want := []imap.ThreadNode{
		{Num: 2},
		{Num: 3, Children: []imap.ThreadNode{{Num: 6, Children: []imap.ThreadNode{
			{Num: 4, Children: []imap.ThreadNode{{Num: 23}}},
			{Num: 44, Children: []imap.ThreadNode{{Num: 7, Children: []imap.ThreadNode{{Num: 96}}}}},
		}}}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s (%+v)", threadString(got), got)
	}
	if s := threadString(got); s != "(2)(3 6 (4 23)(44 7 96))" {
		t.Errorf("got %s", s)
	}

	got, _ = Thread("REFERENCES", []ThreadMessage{
		{Num: 3, Date: at(1), Subject: "a", MessageID: "<3@x>", References: "<gone@x>"},
		{Num: 5, Date: at(2), Subject: "b", MessageID: "<5@x>", References: "<gone@x>"},
	})
	want = []imap.ThreadNode{{Children: []imap.ThreadNode{{Num: 3}, {Num: 5}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %s (%+v)", threadString(got), got)
	}
}

func TestThreadUnknownAlgorithm(t *testing.T) {
	for _, alg := range []string{"", "X-FOO", "REFS", "ORDERED SUBJECT"} {
		if _, err := Thread(alg, nil); !errors.Is(err, ErrUnknownThreadAlgorithm) {
			t.Errorf("Thread(%q): err %v", alg, err)
		}
	}
	for _, alg := range []string{"references", "OrderedSubject"} {
		got, err := Thread(alg, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Thread(%q, nil) = %v, %v", alg, got, err)
		}
	}
}

// tm builds a message for the REFERENCES tests; the hour is the sent date.
func threadMsg(num uint32, hour int, subject, id, refs string) ThreadMessage {
	return ThreadMessage{
		Num:        num,
		Date:       time.Date(2020, 1, 1, hour, 0, 0, 0, time.UTC),
		Subject:    subject,
		MessageID:  id,
		References: refs,
	}
}

func TestThreadReferences(t *testing.T) {
	tests := []struct {
		name string
		msgs []ThreadMessage
		want string
	}{
		{"empty", nil, ""},
		{"single", []ThreadMessage{threadMsg(1, 1, "a", "<1@x>", "")}, "(1)"},
		{"chain", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "Re: a", "<2@x>", "<1@x>"),
			threadMsg(3, 3, "Re: a", "<3@x>", "<1@x> <2@x>"),
		}, "(1 2 3)"},
		{"chain, children first", []ThreadMessage{
			threadMsg(1, 3, "Re: a", "<3@x>", "<1@x> <2@x>"),
			threadMsg(2, 2, "Re: a", "<2@x>", "<1@x>"),
			threadMsg(3, 1, "a", "<1@x>", ""),
		}, "(3 2 1)"},
		{"siblings sorted by date", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 5, "Re: a", "<2@x>", "<1@x>"),
			threadMsg(3, 3, "Re: a", "<3@x>", "<1@x>"),
			threadMsg(4, 4, "Re: a", "<4@x>", "<1@x>"),
		}, "(1 (3)(4)(2))"},
		{"equal dates: Num order", []ThreadMessage{
			threadMsg(4, 1, "Re: a", "<4@x>", "<1@x>"),
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(3, 1, "Re: a", "<3@x>", "<1@x>"),
			threadMsg(2, 1, "b", "<2@x>", ""),
		}, "(1 (3)(4))(2)"},
		{"roots sorted by date", []ThreadMessage{
			threadMsg(1, 9, "a", "<1@x>", ""),
			threadMsg(2, 1, "b", "<2@x>", ""),
			threadMsg(3, 5, "c", "<3@x>", ""),
		}, "(2)(3)(1)"},

		// Missing parents make dummies; pruning (step 3).
		{"missing parent, one child: promoted", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<gone@x>"),
		}, "(1)"},
		{"missing parent, two children: dummy root", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<gone@x>"),
			threadMsg(2, 2, "b", "<2@x>", "<gone@x>"),
		}, "((1)(2))"},
		{"missing middle: children promoted to the grandparent", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<1@x> <gone@x>"),
			threadMsg(3, 3, "c", "<3@x>", "<1@x> <gone@x>"),
			threadMsg(4, 4, "d", "<4@x>", "<1@x>"),
		}, "(1 (2)(3)(4))"},
		{"missing chain of dummies", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<g1@x> <g2@x> <g3@x>"),
			threadMsg(2, 2, "b", "<2@x>", "<g1@x> <g2@x> <g4@x>"),
		}, "((1)(2))"},
		{"dummy sorted by its first child", []ThreadMessage{
			threadMsg(1, 5, "a", "<1@x>", ""),
			threadMsg(2, 9, "b", "<2@x>", "<gone@x>"),
			threadMsg(3, 2, "c", "<3@x>", "<gone@x>"),
		}, "((3)(2))(1)"},

		// In-Reply-To is used only without a usable References.
		{"in-reply-to", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			{Num: 2, Date: threadMsg(0, 2, "", "", "").Date, Subject: "b", MessageID: "<2@x>", InReplyTo: "<1@x>"},
		}, "(1 2)"},
		{"in-reply-to: first valid ID only", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", ""),
			{Num: 3, Date: threadMsg(0, 3, "", "", "").Date, Subject: "c", MessageID: "<3@x>",
				InReplyTo: `"Joe" <joe> of "Tue, 1 Jul" <2@x> <1@x>`},
		}, "(1)(2 3)"},
		{"references win over in-reply-to", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", ""),
			{Num: 3, Date: threadMsg(0, 3, "", "", "").Date, Subject: "c", MessageID: "<3@x>",
				InReplyTo: "<1@x>", References: "<2@x>"},
		}, "(1)(2 3)"},
		{"invalid references fall back to in-reply-to", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", ""),
			{Num: 3, Date: threadMsg(0, 3, "", "", "").Date, Subject: "c", MessageID: "<3@x>",
				InReplyTo: "<1@x>", References: "garbage <no-at-sign>"},
		}, "(1 3)(2)"},

		// Message-ID normalization (RFC 5256 §3: quoting does not
		// matter; comparisons are case-sensitive).
		{"quoted local part", []ThreadMessage{
			threadMsg(1, 1, "a", `<"01KF8JCEOCBS0045PS"@xxx.yyy.com>`, ""),
			threadMsg(2, 2, "b", "<2@x>", "<01KF8JCEOCBS0045PS@xxx.yyy.com>"),
		}, "(1 2)"},
		{"comments and folding inside msg-id", []ThreadMessage{
			threadMsg(1, 1, "a", "(c) <a.b@c.d> (c)", ""),
			threadMsg(2, 2, "b", "<2@x>", "< a (x) . b @\r\n c . d >"),
		}, "(1 2)"},
		{"case-sensitive", []ThreadMessage{
			threadMsg(1, 1, "a", "<ABC@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<abc@x>"),
		}, "(1)(2)"},
		{"broken msg-id with @ accepted as-is", []ThreadMessage{
			threadMsg(1, 1, "a", "<foo bar@[1.2.3.4>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<foobar@[1.2.3.4>"),
		}, "(1 2)"},
		{"domain literal", []ThreadMessage{
			threadMsg(1, 1, "a", "<x@[10.0.0.1]>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<x@[10.0.0.1]>"),
		}, "(1 2)"},

		// Missing and duplicate Message-IDs get unique IDs.
		{"no message-id", []ThreadMessage{
			threadMsg(1, 1, "a", "", ""),
			threadMsg(2, 2, "b", "", ""),
			threadMsg(3, 3, "Re: c", "junk", "<1@x>"),
		}, "(1)(2)(3)"},
		{"duplicate message-id: the first owns it", []ThreadMessage{
			threadMsg(2, 2, "b", "<d@x>", ""),
			threadMsg(1, 1, "a", "<d@x>", ""),
			threadMsg(3, 3, "c", "<3@x>", "<d@x>"),
		}, "(1 3)(2)"},
		{"duplicate message-id referring to the original", []ThreadMessage{
			threadMsg(1, 1, "a", "<d@x>", ""),
			threadMsg(2, 2, "b", "<d@x>", "<d@x>"),
		}, "(1 2)"},
		{"message referring to itself", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<1@x>"),
			// 1.A links 2 -> 1, then refuses 1 -> 2 (a loop); 1.B
			// refuses 2 as its own parent.
			threadMsg(2, 2, "b", "<2@x>", "<2@x> <1@x> <2@x>"),
		}, "(2 1)"},

		// Loops are not created.
		{"two messages referring to each other", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<2@x>"),
			threadMsg(2, 2, "b", "<2@x>", "<1@x>"),
		}, "(2 1)"},
		{"loop through references", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<3@x> <2@x>"),
			threadMsg(2, 2, "b", "<2@x>", "<1@x> <3@x>"),
			threadMsg(3, 3, "c", "<3@x>", "<2@x> <1@x>"),
		}, "(3 2 1)"},
		{"references list with a loop", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", "<a@x> <b@x> <a@x> <b@x>"),
		}, "(1)"},

		// 1.A keeps existing links; 1.B replaces the message's parent.
		{"existing link kept (truncated References)", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<1@x>"),
			threadMsg(3, 3, "c", "<3@x>", "<1@x> <2@x>"),
			threadMsg(4, 4, "d", "<4@x>", "<9@x> <2@x> <3@x>"),
		}, "(1 2 3 4)"},
		{"1.B replaces a guessed parent", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", ""),
			threadMsg(3, 3, "c", "<3@x>", "<1@x> <4@x>"), // guesses 1 is 4's parent
			threadMsg(4, 4, "d", "<4@x>", "<2@x>"),       // 4 says its parent is 2
		}, "(1)(2 4 3)"},
		{"1.B: no references, no parent", []ThreadMessage{
			threadMsg(1, 1, "a", "<1@x>", ""),
			threadMsg(2, 2, "b", "<2@x>", "<1@x> <3@x>"),
			threadMsg(3, 3, "c", "<3@x>", ""),
		}, "(1)(3 2)"},
	}
	for _, tt := range tests {
		got, err := Thread("REFERENCES", tt.msgs)
		if err != nil {
			t.Fatal(err)
		}
		if s := threadString(got); s != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, s, tt.want)
		}
	}
}

// TestThreadReferencesSubjects covers step 5: gathering root threads with
// the same base subject.
func TestThreadReferencesSubjects(t *testing.T) {
	tests := []struct {
		name string
		msgs []ThreadMessage
		want string
	}{
		{"reply joins the original", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "Re: hello", "<2@x>", ""),
		}, "(1 2)"},
		{"reply sent earlier still joins the original", []ThreadMessage{
			threadMsg(1, 2, "Hello", "<1@x>", ""),
			threadMsg(2, 1, "Re: Hello", "<2@x>", ""),
		}, "(1 2)"},
		{"forward forms", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "Hello (fwd)", "<2@x>", ""),
			threadMsg(3, 3, "[fwd: Hello]", "<3@x>", ""),
			threadMsg(4, 4, "Fw: Hello", "<4@x>", ""),
		}, "(1 (2)(3)(4))"},
		{"two originals: dummy", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "Hello", "<2@x>", ""),
			threadMsg(3, 3, "Re: Hello", "<3@x>", ""),
		}, "((1)(2)(3))"},
		{"two replies: dummy", []ThreadMessage{
			threadMsg(1, 1, "Re: Hello", "<1@x>", ""),
			threadMsg(2, 2, "Re: Hello", "<2@x>", ""),
		}, "((1)(2))"},
		{"blob is not a reply", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "[list] Hello", "<2@x>", ""),
		}, "((1)(2))"},
		{"dummies merge", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", "<g1@x>"),
			threadMsg(2, 2, "Hello", "<2@x>", "<g1@x>"),
			threadMsg(3, 3, "Re: Hello", "<3@x>", "<g2@x>"),
			threadMsg(4, 4, "Re: Hello", "<4@x>", "<g2@x>"),
			threadMsg(5, 5, "Hello", "<5@x>", ""),
		}, "((1)(2)(3)(4)(5))"},
		{"dummy preferred over an earlier message", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "Re: Hello", "<2@x>", "<g@x>"),
			threadMsg(3, 3, "Other", "<3@x>", "<g@x>"),
		}, "((1)(2)(3))"},
		{"subject only from the root (not from children)", []ThreadMessage{
			threadMsg(1, 1, "A", "<1@x>", ""),
			threadMsg(2, 2, "B", "<2@x>", "<1@x>"),
			threadMsg(3, 3, "B", "<3@x>", ""),
		}, "(1 2)(3)"},
		{"empty subjects are not merged", []ThreadMessage{
			threadMsg(1, 1, "", "<1@x>", ""),
			threadMsg(2, 2, "Re:", "<2@x>", ""),
			threadMsg(3, 3, "[fwd: ]", "<3@x>", ""),
		}, "(1)(2)(3)"},
		{"case-insensitive, encoded-words decoded", []ThreadMessage{
			threadMsg(1, 1, "Café", "<1@x>", ""),
			threadMsg(2, 2, "=?UTF-8?Q?Re:_CAF=C3=89?=", "<2@x>", ""),
		}, "(1 2)"},
		{"reply child keeps its own children", []ThreadMessage{
			threadMsg(1, 1, "Hello", "<1@x>", ""),
			threadMsg(2, 2, "Re: Hello", "<2@x>", ""),
			threadMsg(3, 3, "Re: Hello", "<3@x>", "<2@x>"),
		}, "(1 2 3)"},
	}
	for _, tt := range tests {
		got, err := Thread("REFERENCES", tt.msgs)
		if err != nil {
			t.Fatal(err)
		}
		if s := threadString(got); s != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, s, tt.want)
		}
	}
}

func TestThreadOrderedSubject(t *testing.T) {
	tests := []struct {
		name string
		msgs []ThreadMessage
		want string
	}{
		{"empty", nil, ""},
		{"grouping, no grandchildren", []ThreadMessage{
			threadMsg(1, 1, "Hello", "", ""),
			threadMsg(2, 2, "other", "", ""),
			threadMsg(3, 3, "Re: hello", "<3@x>", ""),
			threadMsg(4, 4, "Re: Re: HELLO", "<4@x>", "<3@x>"),
			threadMsg(5, 0, "Other", "", ""),
		}, "(5 2)(1 (3)(4))"},
		{"thread order by first message; ties by Num", []ThreadMessage{
			threadMsg(3, 1, "c", "", ""),
			threadMsg(2, 1, "b", "", ""),
			threadMsg(1, 1, "a", "", ""),
		}, "(1)(2)(3)"},
		{"empty subjects form one thread", []ThreadMessage{
			threadMsg(1, 1, "", "", ""),
			threadMsg(2, 2, "x", "", ""),
			threadMsg(3, 3, "Re:", "", ""),
		}, "(1 3)(2)"},
		{"first of a thread is the earliest, not a non-reply", []ThreadMessage{
			threadMsg(1, 2, "Hello", "", ""),
			threadMsg(2, 1, "Re: Hello", "", ""),
		}, "(2 1)"},
	}
	for _, tt := range tests {
		got, err := Thread("ORDEREDSUBJECT", tt.msgs)
		if err != nil {
			t.Fatal(err)
		}
		if s := threadString(got); s != tt.want {
			t.Errorf("%s: got %s; want %s", tt.name, s, tt.want)
		}
	}
}

func TestParseMsgIDs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"<a@b>", []string{"a@b"}},
		{"  <a@b>  <c@d>\r\n\t<e@f>", []string{"a@b", "c@d", "e@f"}},
		{"<a@b><c@d>", []string{"a@b", "c@d"}},
		{`<"a"@b>`, []string{"a@b"}},
		{`<"a\"q"@b>`, []string{`a"q@b`}},
		{`<"a b"@c>`, []string{"a b@c"}},
		{"<a.b.c@d.e>", []string{"a.b.c@d.e"}},
		{"<a . b @ c . d>", []string{"a.b@c.d"}},
		{"<a (comment) @ b>", []string{"a@b"}},
		{"<a@[1.2.3.4]>", []string{"a@[1.2.3.4]"}},
		{"<a@b", nil},
		{"<ab>", nil},
		{"<>", nil},
		{"<<a@b>", []string{"a@b"}},
		{"<a@b@c>", []string{"a@b@c"}},   // broken, taken whole
		{"<a b@c d>", []string{"ab@cd"}}, // broken: white space removed
		{"<a@b> text <c@d> (x <e@f>)", []string{"a@b", "c@d", "e@f"}},
		{"John <john@example.com> on date <id@host>", []string{"john@example.com", "id@host"}},
		{"<ré@ü.example>", []string{"ré@ü.example"}},
	}
	for _, tt := range tests {
		if got := parseMsgIDs(tt.in, -1); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseMsgIDs(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
	if got := firstMsgID("x <1@a> <2@a>"); got != "1@a" {
		t.Errorf("firstMsgID = %q", got)
	}
}

// TestThreadLarge checks that long chains and wide threads do not take
// quadratic time in practice and that every message appears once.
func TestThreadLarge(t *testing.T) {
	const n = 20000
	var msgs []ThreadMessage
	refs := ""
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("<%d@x>", i)
		r := refs
		if i%3 == 0 {
			r = "<1@x>" // wide
		}
		msgs = append(msgs, ThreadMessage{Num: uint32(i), Date: time.Unix(int64(i), 0), Subject: "Re: big", MessageID: id, References: r})
		refs = id // chain: each refers to the previous
	}
	for _, alg := range []string{"REFERENCES", "ORDEREDSUBJECT"} {
		got, err := Thread(alg, msgs)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[uint32]bool{}
		var walk func([]imap.ThreadNode)
		walk = func(l []imap.ThreadNode) {
			for _, c := range l {
				if c.Num != 0 {
					if seen[c.Num] {
						t.Fatalf("%s: %d twice", alg, c.Num)
					}
					seen[c.Num] = true
				}
				walk(c.Children)
			}
		}
		walk(got)
		if len(seen) != n {
			t.Errorf("%s: %d messages; want %d", alg, len(seen), n)
		}
	}
}

func BenchmarkThreadReferences(b *testing.B) {
	msgs := rfc5256Mailbox()
	b.ReportAllocs()
	for b.Loop() {
		Thread("REFERENCES", msgs)
	}
}
