package mime_test

import (
	"fmt"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mime"
)

// ExampleSort orders three messages as "SORT (SUBJECT REVERSE DATE)"
// would: by base subject ("Re:" and "[list]" do not count), the latest
// first among messages with the same subject.
func ExampleSort() {
	msgs := []mime.SortMessage{
		{Num: 1, Envelope: &imap.Envelope{
			Subject: imap.Str("Lunch?"),
			Date:    imap.Str("Mon, 6 May 2024 09:00:00 +0200"),
		}},
		{Num: 2, Envelope: &imap.Envelope{
			Subject: imap.Str("[team] Agenda"),
			Date:    imap.Str("Mon, 6 May 2024 10:00:00 +0200"),
		}},
		{Num: 3, Envelope: &imap.Envelope{
			Subject: imap.Str("Re: lunch?"),
			Date:    imap.Str("Mon, 6 May 2024 09:30:00 +0200"),
		}},
	}
	nums, err := mime.Sort(msgs, []imap.SortCriterion{{Key: "SUBJECT"}, {Key: "DATE", Reverse: true}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(nums)
	// Output: [2 3 1]
}

// ExampleThread threads a small conversation with REFERENCES: message 3
// answers 2, which answers 1; message 4 has the same subject as 1 but no
// references, so it is gathered into 1's thread as a reply.
func ExampleThread() {
	at := func(h int) time.Time { return time.Date(2024, 5, 6, h, 0, 0, 0, time.UTC) }
	msgs := []mime.ThreadMessage{
		{Num: 1, Date: at(9), Subject: "Release plan", MessageID: "<a@example.com>"},
		{Num: 2, Date: at(10), Subject: "Re: Release plan", MessageID: "<b@example.com>",
			References: "<a@example.com>"},
		{Num: 3, Date: at(11), Subject: "Re: Release plan", MessageID: "<c@example.com>",
			References: "<a@example.com> <b@example.com>"},
		{Num: 4, Date: at(12), Subject: "RE: release plan", MessageID: "<d@example.com>"},
		{Num: 5, Date: at(8), Subject: "Other topic", MessageID: "<e@example.com>"},
	}
	threads, err := mime.Thread("REFERENCES", msgs)
	if err != nil {
		fmt.Println(err)
		return
	}
	var show func(n imap.ThreadNode, indent string)
	show = func(n imap.ThreadNode, indent string) {
		fmt.Printf("%s%d\n", indent, n.Num)
		for _, c := range n.Children {
			show(c, indent+"  ")
		}
	}
	for _, t := range threads {
		show(t, "")
	}
	// Output:
	// 5
	// 1
	//   2
	//     3
	//   4
}
