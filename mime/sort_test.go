package mime

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

func sortAddr(name, mailbox, host string) imap.Address {
	a := imap.Address{Mailbox: imap.Str(mailbox), Host: imap.Str(host)}
	if name != "" {
		a.Name = imap.Str(name)
	}
	return a
}

func sortCrit(keys ...string) []imap.SortCriterion {
	var out []imap.SortCriterion
	rev := false
	for _, k := range keys {
		if k == "REVERSE" {
			rev = true
			continue
		}
		out = append(out, imap.SortCriterion{Key: k, Reverse: rev})
		rev = false
	}
	return out
}

func sortDay(d int) time.Time { return time.Date(2024, 1, d, 12, 0, 0, 0, time.UTC) }

// TestSortRFCExample reproduces "SORT (SUBJECT REVERSE DATE) UTF-8 ALL"
// answering "* SORT 5 3 4 1 2" (RFC 5256 §3) with a mailbox made up for it.
func TestSortRFCExample(t *testing.T) {
	env := func(subject, date string) *imap.Envelope {
		return &imap.Envelope{Subject: imap.Str(subject), Date: imap.Str(date)}
	}
	msgs := []SortMessage{
		{Num: 1, Envelope: env("Re: gamma", "Wed, 3 Jan 2024 10:00:00 +0000")},
		{Num: 2, Envelope: env("Gamma", "Tue, 2 Jan 2024 10:00:00 +0000")},
		{Num: 3, Envelope: env("[list] beta", "Thu, 4 Jan 2024 10:00:00 +0000")},
		{Num: 4, Envelope: env("Fwd: BETA", "Mon, 1 Jan 2024 10:00:00 +0000")},
		{Num: 5, Envelope: env("alpha", "Fri, 5 Jan 2024 10:00:00 +0000")},
	}
	got, err := Sort(msgs, sortCrit("SUBJECT", "REVERSE", "DATE"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{5, 3, 4, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

func TestSortKeys(t *testing.T) {
	msgs := []SortMessage{
		{Num: 1, Arrival: sortDay(3), Size: 300, Envelope: &imap.Envelope{
			Date:    imap.Str("Mon, 1 Jan 2024 23:00:00 -0500"), // 2 Jan 04:00 UTC
			Subject: imap.Str("Re: banana"),
			From:    []imap.Address{sortAddr("Zed", "carol", "example.com")},
			To:      []imap.Address{sortAddr("", "bob", "example.org")},
			Cc:      []imap.Address{sortAddr("", "Xavier", "example.net")},
		}},
		{Num: 2, Arrival: sortDay(1), Size: 100, Envelope: &imap.Envelope{
			Date:    imap.Str("Tue, 2 Jan 2024 01:00:00 +0000"),
			Subject: imap.Str("Apple"),
			From:    []imap.Address{sortAddr("=?UTF-8?Q?=C3=89mile?=", "alice", "example.com")},
			To:      []imap.Address{sortAddr("Yolanda", "Dave", "example.org"), sortAddr("", "aaron", "x")},
		}},
		{Num: 3, Arrival: sortDay(2), Size: 200, Envelope: &imap.Envelope{
			Date:    imap.Str("not a date"), // falls back to Arrival, sortDay(2) 12:00
			Subject: imap.Str("[list] cherry"),
			From:    []imap.Address{sortAddr("", "BOB", "example.com")},
			Cc:      []imap.Address{sortAddr("", "walter", "example.net")},
		}},
		{Num: 4, Arrival: sortDay(4), Size: 50, Envelope: nil}, // no headers at all
	}
	tests := []struct {
		keys []string
		want []uint32
	}{
		{[]string{"ARRIVAL"}, []uint32{2, 3, 1, 4}},
		{[]string{"REVERSE", "ARRIVAL"}, []uint32{4, 1, 3, 2}},
		{[]string{"SIZE"}, []uint32{4, 2, 3, 1}},
		{[]string{"REVERSE", "SIZE"}, []uint32{1, 3, 2, 4}},
		// DATE: 2 is 01:00 UTC, 1 is 04:00 UTC on 2 Jan; 3 uses its
		// Arrival (2 Jan 12:00); 4 has no envelope: Arrival 4 Jan.
		{[]string{"DATE"}, []uint32{2, 1, 3, 4}},
		// SUBJECT: "" < apple < banana < cherry, case-insensitive.
		{[]string{"SUBJECT"}, []uint32{4, 2, 1, 3}},
		// FROM: the mailbox, not the name: "" < alice < BOB < carol.
		{[]string{"FROM"}, []uint32{4, 2, 3, 1}},
		// TO: "" (3, 4) < bob < Dave.
		{[]string{"TO"}, []uint32{3, 4, 1, 2}},
		// CC: "" (2, 4) < walter < Xavier.
		{[]string{"CC"}, []uint32{2, 4, 3, 1}},
		// DISPLAYFROM: "" < BOB@example.com < Émile < Zed ("É"
		// titlecases and decomposes to "E" U+0301).
		{[]string{"DISPLAYFROM"}, []uint32{4, 3, 2, 1}},
		// DISPLAYTO: "" (3, 4) < bob@example.org < Yolanda.
		{[]string{"DISPLAYTO"}, []uint32{3, 4, 1, 2}},
		{[]string{"REVERSE", "DISPLAYTO"}, []uint32{2, 1, 3, 4}},
		// Keys are case-insensitive.
		{[]string{"size"}, []uint32{4, 2, 3, 1}},
		{[]string{"DisplayTo"}, []uint32{3, 4, 1, 2}},
		// No criteria: Num order.
		{nil, []uint32{1, 2, 3, 4}},
	}
	for _, tt := range tests {
		got, err := Sort(msgs, sortCrit(tt.keys...))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SORT %v: got %v; want %v", tt.keys, got, tt.want)
		}
	}
}

// TestSortTies: equal keys keep ascending Num, and REVERSE does not
// reverse that implicit last criterion (RFC 5256 §3, REVERSE).
func TestSortTies(t *testing.T) {
	var msgs []SortMessage
	for _, n := range []uint32{7, 3, 9, 1, 5} {
		msgs = append(msgs, SortMessage{Num: n, Size: 10, Envelope: &imap.Envelope{Subject: imap.Str("Same")}})
	}
	msgs = append(msgs, SortMessage{Num: 4, Size: 20, Envelope: &imap.Envelope{Subject: imap.Str("re: SAME")}})
	for _, keys := range [][]string{{"SUBJECT"}, {"REVERSE", "SUBJECT"}, {"FROM"}, {"REVERSE", "DATE"}, {"ARRIVAL"}} {
		got, err := Sort(msgs, sortCrit(keys...))
		if err != nil {
			t.Fatal(err)
		}
		if want := []uint32{1, 3, 4, 5, 7, 9}; !reflect.DeepEqual(got, want) {
			t.Errorf("SORT %v: got %v; want %v", keys, got, want)
		}
	}
	got, _ := Sort(msgs, sortCrit("REVERSE", "SIZE"))
	if want := []uint32{4, 1, 3, 5, 7, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("SORT (REVERSE SIZE): got %v; want %v", got, want)
	}
	got, _ = Sort(msgs, sortCrit("REVERSE", "SIZE", "REVERSE", "ARRIVAL"))
	if want := []uint32{4, 1, 3, 5, 7, 9}; !reflect.DeepEqual(got, want) {
		t.Errorf("SORT (REVERSE SIZE REVERSE ARRIVAL): got %v; want %v", got, want)
	}
}

// TestSortMultiple: later criteria order messages equal on earlier ones.
func TestSortMultiple(t *testing.T) {
	msgs := []SortMessage{
		{Num: 1, Size: 2, Arrival: sortDay(1), Envelope: &imap.Envelope{Subject: imap.Str("b")}},
		{Num: 2, Size: 1, Arrival: sortDay(2), Envelope: &imap.Envelope{Subject: imap.Str("a")}},
		{Num: 3, Size: 2, Arrival: sortDay(3), Envelope: &imap.Envelope{Subject: imap.Str("a")}},
		{Num: 4, Size: 1, Arrival: sortDay(4), Envelope: &imap.Envelope{Subject: imap.Str("b")}},
	}
	tests := []struct {
		keys []string
		want []uint32
	}{
		{[]string{"SUBJECT", "SIZE"}, []uint32{2, 3, 4, 1}},
		{[]string{"SUBJECT", "REVERSE", "SIZE"}, []uint32{3, 2, 1, 4}},
		{[]string{"SIZE", "REVERSE", "ARRIVAL"}, []uint32{4, 2, 3, 1}},
		{[]string{"REVERSE", "SUBJECT", "ARRIVAL"}, []uint32{1, 4, 2, 3}},
	}
	for _, tt := range tests {
		got, err := Sort(msgs, sortCrit(tt.keys...))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SORT %v: got %v; want %v", tt.keys, got, tt.want)
		}
	}
}

func TestSortErrors(t *testing.T) {
	msgs := []SortMessage{{Num: 1}}
	for _, k := range []string{"", "REVERSE", "THREAD", "X-FOO", "DATE "} {
		got, err := Sort(msgs, []imap.SortCriterion{{Key: "SIZE"}, {Key: k}})
		if !errors.Is(err, ErrUnknownSortKey) || got != nil {
			t.Errorf("key %q: %v, %v", k, got, err)
		}
	}
	got, err := Sort(nil, sortCrit("DATE"))
	if err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
}

// TestSortDateFallback: a missing or unparseable Date header sorts by
// INTERNALDATE (RFC 5256 §2.2).
func TestSortDateFallback(t *testing.T) {
	msgs := []SortMessage{
		{Num: 1, Arrival: sortDay(5), Envelope: &imap.Envelope{Date: imap.Str("Wed, 3 Jan 2024 00:00:00 +0000")}},
		{Num: 2, Arrival: sortDay(4)},                                                   // nil envelope
		{Num: 3, Arrival: sortDay(2), Envelope: &imap.Envelope{}},                       // Date NIL
		{Num: 4, Arrival: sortDay(1), Envelope: &imap.Envelope{Date: imap.Str("junk")}}, // unparseable
		{Num: 5, Arrival: sortDay(9), Envelope: &imap.Envelope{Date: imap.Str("1 Jan 2024 00:00 GMT")}},
	}
	got, err := Sort(msgs, sortCrit("DATE"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{5, 4, 3, 1, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}

// TestDisplaySortValue follows RFC 5957 §3 and §4.
func TestDisplaySortValue(t *testing.T) {
	tests := []struct {
		l    []imap.Address
		want string
	}{
		{nil, ""},
		{[]imap.Address{sortAddr("Alice Smith", "alice", "example.com")}, "Alice Smith"},
		{[]imap.Address{sortAddr("=?ISO-8859-1?Q?Andr=E9?= Pirard", "pirard", "vm1.ulg.ac.be")}, "André Pirard"},
		{[]imap.Address{sortAddr("", "alice", "example.com")}, "alice@example.com"},
		// A non-NIL name that decodes to "" is not used.
		{[]imap.Address{{Name: imap.Str(""), Mailbox: imap.Str("a"), Host: imap.Str("b")}}, "a@b"},
		{[]imap.Address{{Name: imap.Str("=?UTF-8?Q??="), Mailbox: imap.Str("a"), Host: imap.Str("b")}}, "a@b"},
		// Group start: mailbox non-NIL, host NIL.
		{[]imap.Address{{Mailbox: imap.Str("undisclosed-recipients")}, {}}, "undisclosed-recipients"},
		// Group end first (broken), or all NIL.
		{[]imap.Address{{}}, ""},
		// Only the first address counts.
		{[]imap.Address{sortAddr("", "z", "x"), sortAddr("A", "a", "x")}, "z@x"},
		// Unknown charset: left as sent.
		{[]imap.Address{sortAddr("=?x-unknown-cs?Q?abc?=", "a", "b")}, "=?x-unknown-cs?Q?abc?="},
	}
	for _, tt := range tests {
		if got := DisplaySortValue(tt.l); got != tt.want {
			t.Errorf("DisplaySortValue(%v) = %q; want %q", tt.l, got, tt.want)
		}
	}
}

// TestSortMatchesNaive compares Sort with a naive comparator that
// recomputes every key, on random mailboxes.
func TestSortMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	subjects := []string{"", "a", "A", "Re: a", "b", "[x] b", "Fwd: B", "é", "E", "z"}
	names := []string{"", "alice", "Bob", "carol", "=?UTF-8?Q?=C3=A9?="}
	keys := []string{"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"}
	for round := 0; round < 200; round++ {
		n := r.IntN(30)
		msgs := make([]SortMessage, n)
		for i := range msgs {
			m := &msgs[i]
			m.Num = uint32(r.IntN(1000) + 1)
			m.Arrival = sortDay(1 + r.IntN(5))
			m.Size = int64(r.IntN(4))
			if r.IntN(5) > 0 {
				e := &imap.Envelope{Subject: imap.Str(subjects[r.IntN(len(subjects))])}
				if r.IntN(3) > 0 {
					e.Date = imap.Str(fmt.Sprintf("%d Jan 2024 12:00:00 +0000", 1+r.IntN(5)))
				}
				for _, l := range []*[]imap.Address{&e.From, &e.To, &e.Cc} {
					if r.IntN(4) > 0 {
						*l = []imap.Address{sortAddr(names[r.IntN(len(names))], names[1+r.IntN(len(names)-2)], "x")}
					}
				}
				m.Envelope = e
			}
		}
		var cr []imap.SortCriterion
		for k := r.IntN(3) + 1; k > 0; k-- {
			cr = append(cr, imap.SortCriterion{Key: keys[r.IntN(len(keys))], Reverse: r.IntN(2) == 0})
		}
		got, err := Sort(msgs, cr)
		if err != nil {
			t.Fatal(err)
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			for _, c := range cr {
				va, vb := sortValue(&msgs[a], c.Key), sortValue(&msgs[b], c.Key)
				r := 0
				switch {
				case va.str < vb.str || va.sec < vb.sec || (va.sec == vb.sec && va.nsec < vb.nsec):
					r = -1
				case va != vb:
					r = 1
				}
				if c.Reverse {
					r = -r
				}
				if r != 0 {
					return r
				}
			}
			switch {
			case msgs[a].Num < msgs[b].Num:
				return -1
			case msgs[a].Num > msgs[b].Num:
				return 1
			}
			return 0
		})
		want := make([]uint32, n)
		for i, x := range idx {
			want[i] = msgs[x].Num
		}
		if !slices.Equal(got, want) {
			t.Fatalf("round %d %v: got %v; want %v", round, cr, got, want)
		}
	}
}

func BenchmarkSort(b *testing.B) {
	var msgs []SortMessage
	for i := 0; i < 1000; i++ {
		msgs = append(msgs, SortMessage{Num: uint32(i + 1), Arrival: sortDay(1 + i%28), Size: int64(i * 7 % 1000),
			Envelope: &imap.Envelope{
				Subject: imap.Str(fmt.Sprintf("Re: [list] subject %d", i%50)),
				Date:    imap.Str(fmt.Sprintf("%d Jan 2024 12:%02d:00 +0100", 1+i%28, i%60)),
				From:    []imap.Address{sortAddr(fmt.Sprintf("Person %d", i%40), "p", "x")},
			}})
	}
	cr := sortCrit("SUBJECT", "REVERSE", "DATE", "DISPLAYFROM")
	b.ReportAllocs()
	for b.Loop() {
		Sort(msgs, cr)
	}
}
