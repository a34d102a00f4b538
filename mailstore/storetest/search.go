package storetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func searchRules() []rule {
	return []rule{
		{"Search", testSearch},
		{"Sort", testSort},
		{"Thread", testThread},
	}
}

// searchFixture appends four messages for the search rules and returns a
// view of them with their UIDs and sizes: two threads (1 <- 2 by
// In-Reply-To and subject, 3 <- 4 by References only).
func (e *env) searchFixture() (mailstore.Mailbox, []uint32, []int) {
	e.Helper()
	type m struct {
		from, subject, date, id, refs, body string
		flags                               []imap.Flag
	}
	ms := []m{
		{"Carol <carol@example.org>", "apple", "Mon, 01 Jan 2024 10:00:00 +0000", "<1@storetest>", "", "first message", []imap.Flag{imap.FlagSeen}},
		{"Alice <alice@example.org>", "Re: apple", "Tue, 02 Jan 2024 10:00:00 +0000", "<2@storetest>", "<1@storetest>", "a reply", []imap.Flag{"$Label"}},
		{"Bob <bob@example.org>", "banana", "Wed, 03 Jan 2024 10:00:00 +0000", "<3@storetest>", "", "the needle is here", []imap.Flag{imap.FlagFlagged}},
		{"Dave <dave@example.org>", "cherry", "Thu, 04 Jan 2024 10:00:00 +0000", "<4@storetest>", "<3@storetest>", "padding " + strings.Repeat("p", 3000), []imap.Flag{imap.FlagDeleted}},
	}
	var uids []uint32
	var sizes []int
	for i, x := range ms {
		var b strings.Builder
		fmt.Fprintf(&b, "From: %s\r\nTo: Team <team@example.net>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: %s\r\n", x.from, x.subject, x.date, x.id)
		if x.refs != "" {
			fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", x.refs, x.refs)
		}
		fmt.Fprintf(&b, "\r\n%s\r\n", x.body)
		date := time.Date(2024, 1, 5+i, 12, 0, 0, 0, time.UTC)
		uids = append(uids, e.appendMsg(e.st, "INBOX", []byte(b.String()), x.flags, date).UID)
		sizes = append(sizes, b.Len())
	}
	return e.view(e.st, "INBOX", false), uids, sizes
}

// testSearch: mailstore.Search works on the store's views (RFC 3501
// §6.4.4, RFC 7162 §3.1.5 MODSEQ), through the store's own Searcher or
// the generic matcher, for flags, headers, body text, sizes, dates and
// UIDs.
func testSearch(e *env) {
	mb, u, _ := e.searchFixture()
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	key := func(op imap.SearchOp) imap.SearchKey { return imap.SearchKey{Op: op} }
	cases := []struct {
		name string
		key  imap.SearchKey
		want []uint32
	}{
		{"ALL", key(imap.SearchAll), u},
		{"SEEN", key(imap.SearchSeen), []uint32{u[0]}},
		{"UNSEEN", key(imap.SearchUnseen), []uint32{u[1], u[2], u[3]}},
		{"FLAGGED", key(imap.SearchFlagged), []uint32{u[2]}},
		{"UNDELETED", key(imap.SearchUndeleted), []uint32{u[0], u[1], u[2]}},
		{"KEYWORD $Label", imap.SearchKey{Op: imap.SearchKeyword, Flag: "$Label"}, []uint32{u[1]}},
		{"SUBJECT apple", imap.SearchKey{Op: imap.SearchSubject, Str: "apple"}, []uint32{u[0], u[1]}},
		{"FROM bob", imap.SearchKey{Op: imap.SearchFrom, Str: "bob"}, []uint32{u[2]}},
		{"BODY needle", imap.SearchKey{Op: imap.SearchBody, Str: "needle"}, []uint32{u[2]}},
		{"TEXT NEEDLE", imap.SearchKey{Op: imap.SearchText, Str: "NEEDLE"}, []uint32{u[2]}},
		{"HEADER Message-ID <2@", imap.SearchKey{Op: imap.SearchHeader, Field: "Message-ID", Str: "<2@"}, []uint32{u[1]}},
		{"LARGER 2000", imap.SearchKey{Op: imap.SearchLarger, Num: 2000}, []uint32{u[3]}},
		{"SINCE 7-Jan-2024", imap.SearchKey{Op: imap.SearchSince, Date: day(7)}, []uint32{u[2], u[3]}},
		{"SENTBEFORE 3-Jan-2024", imap.SearchKey{Op: imap.SearchSentBefore, Date: day(3)}, []uint32{u[0], u[1]}},
		{"UID", imap.SearchKey{Op: imap.SearchUID, Set: imap.NumSetOf(u[1], u[3])}, []uint32{u[1], u[3]}},
		{"OR SEEN FLAGGED", imap.SearchKey{Op: imap.SearchOr, Children: []imap.SearchKey{key(imap.SearchSeen), key(imap.SearchFlagged)}}, []uint32{u[0], u[2]}},
		{"NOT SUBJECT apple", imap.SearchKey{Op: imap.SearchNot, Children: []imap.SearchKey{{Op: imap.SearchSubject, Str: "apple"}}}, []uint32{u[2], u[3]}},
		{"2:3 (sequence set)", imap.SearchKey{Op: imap.SearchSeqSet, Set: imap.NumSetRange(2, 3)}, []uint32{u[1], u[2]}},
	}
	for _, c := range cases {
		got, err := mailstore.Search(e.ctx, mb, c.key, nil)
		if err != nil {
			e.Errorf("SEARCH %s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			e.Errorf("SEARCH %s = %v, want %v", c.name, got, c.want)
		}
	}
	// MODSEQ finds what changed after a point (RFC 7162 §3.1.5).
	res := e.setFlags(mb, u[2:3], mailstore.FlagsAdd, imap.FlagAnswered)
	if len(res.Changed) == 1 {
		got, err := mailstore.Search(e.ctx, mb, imap.SearchKey{Op: imap.SearchModSeq, Num: res.Changed[0].ModSeq}, nil)
		if err != nil || !slices.Equal(got, u[2:3]) {
			e.Errorf("SEARCH MODSEQ %d = %v, %v; want %v", res.Changed[0].ModSeq, got, err, u[2:3])
		}
	}
}

// testSort: mailstore.Sort orders the store's messages (RFC 5256 §3):
// by base subject, arrival, sender, size and sent date, reversed or
// not, with a search key.
func testSort(e *env) {
	mb, u, sizes := e.searchFixture()
	bySize := slices.Clone(u)
	slices.SortStableFunc(bySize, func(a, b uint32) int {
		return sizes[slices.Index(u, a)] - sizes[slices.Index(u, b)]
	})
	rev := func(s []uint32) []uint32 { s = slices.Clone(s); slices.Reverse(s); return s }
	crit := func(key string, reverse bool) []imap.SortCriterion {
		return []imap.SortCriterion{{Key: key, Reverse: reverse}}
	}
	all := imap.SearchKey{Op: imap.SearchAll}
	cases := []struct {
		name     string
		criteria []imap.SortCriterion
		key      imap.SearchKey
		want     []uint32
	}{
		{"SUBJECT", crit("SUBJECT", false), all, u},
		{"REVERSE ARRIVAL", crit("ARRIVAL", true), all, rev(u)},
		{"FROM", crit("FROM", false), all, []uint32{u[1], u[2], u[0], u[3]}},
		{"SIZE", crit("SIZE", false), all, bySize},
		{"REVERSE DATE", crit("DATE", true), all, rev(u)},
		{"SUBJECT UNSEEN", crit("SUBJECT", false), imap.SearchKey{Op: imap.SearchUnseen}, u[1:]},
	}
	for _, c := range cases {
		got, err := mailstore.Sort(e.ctx, mb, c.criteria, c.key, nil)
		if err != nil {
			e.Errorf("SORT %s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			e.Errorf("SORT %s = %v, want %v", c.name, got, c.want)
		}
	}
}

// renderThreads writes threads as in a THREAD response (RFC 5256 §4).
func renderThreads(nodes []imap.ThreadNode) string {
	var b strings.Builder
	var node func(n imap.ThreadNode)
	node = func(n imap.ThreadNode) {
		fmt.Fprintf(&b, "%d", n.Num)
		if len(n.Children) == 1 {
			b.WriteByte(' ')
			node(n.Children[0])
			return
		}
		for _, c := range n.Children {
			b.WriteString(" (")
			node(c)
			b.WriteByte(')')
		}
	}
	for _, n := range nodes {
		b.WriteByte('(')
		node(n)
		b.WriteByte(')')
	}
	return b.String()
}

// testThread: mailstore.Thread threads the store's messages (RFC 5256
// §3): REFERENCES by Message-ID links, ORDEREDSUBJECT by base subject.
func testThread(e *env) {
	mb, u, _ := e.searchFixture()
	all := imap.SearchKey{Op: imap.SearchAll}
	cases := []struct {
		algorithm string
		want      string
	}{
		{"REFERENCES", fmt.Sprintf("(%d %d)(%d %d)", u[0], u[1], u[2], u[3])},
		{"ORDEREDSUBJECT", fmt.Sprintf("(%d %d)(%d)(%d)", u[0], u[1], u[2], u[3])},
	}
	for _, c := range cases {
		got, err := mailstore.Thread(e.ctx, mb, c.algorithm, all, nil)
		if err != nil {
			e.Errorf("THREAD %s: %v", c.algorithm, err)
			continue
		}
		if s := renderThreads(got); s != c.want {
			e.Errorf("THREAD %s = %s, want %s", c.algorithm, s, c.want)
		}
	}
	got, err := mailstore.Thread(e.ctx, mb, "REFERENCES", imap.SearchKey{Op: imap.SearchUndeleted}, nil)
	if want := fmt.Sprintf("(%d %d)(%d)", u[0], u[1], u[2]); err != nil || renderThreads(got) != want {
		e.Errorf("THREAD REFERENCES UNDELETED = %s, %v; want %s", renderThreads(got), err, want)
	}
}
