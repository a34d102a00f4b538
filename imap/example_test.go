package imap_test

import (
	"errors"
	"fmt"

	"github.com/mailaccess/mailaccess/imap"
)

func ExampleParseSeqSet() {
	// The RFC 3501 §9 example, in a mailbox of 15 messages.
	set, err := imap.ParseSeqSet("2,4:7,9,12:*")
	if err != nil {
		panic(err)
	}
	const messages = 15 // what "*" stands for
	var nums []uint32
	for n := range set.All(messages) {
		nums = append(nums, n)
	}
	fmt.Println(nums)
	fmt.Println(set.Contains(8, messages), set.Count(messages))
	fmt.Println(set, set.Normalize(messages))
	// Output:
	// [2 4 5 6 7 9 12 13 14 15]
	// false 10
	// 2,4:7,9,12:* 2,4:7,9,12:15
}

func ExampleParseNumSet_error() {
	_, err := imap.ParseNumSet("1:05")
	var se *imap.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, se.Reason)
	}
	fmt.Println(errors.Is(err, imap.ErrSyntax))
	// Output:
	// 2 numbers start with a non-zero digit (nz-number)
	// true
}

func ExampleNumSet_All() {
	// Iteration is lazy: the numbers of a huge range are never stored.
	set := imap.NumSetRange(1, imap.Star)
	for n := range set.All(4294967295) {
		if n > 3 {
			break
		}
		fmt.Println(n)
	}
	// Output:
	// 1
	// 2
	// 3
}

func ExampleUIDSetOf() {
	uids := imap.UIDSetOf(7, 8, 9, 20, 21, 4)
	fmt.Println(uids)
	uids.AddNum(22)
	fmt.Println(uids, uids.Normalize(0))
	// Output:
	// 7:9,20:21,4
	// 7:9,20:21,4,22 4,7:9,20:22
}

func ExampleEncodeMailboxUTF7() {
	fmt.Println(imap.EncodeMailboxUTF7("~peter/mail/台北/日本語"))
	fmt.Println(imap.EncodeMailboxUTF7("Tom & Jerry"))
	// Output:
	// ~peter/mail/&U,BTFw-/&ZeVnLIqe-
	// Tom &- Jerry
}

func ExampleDecodeMailboxUTF7() {
	name, err := imap.DecodeMailboxUTF7("~peter/mail/&U,BTFw-/&ZeVnLIqe-")
	fmt.Println(name, err)
	_, err = imap.DecodeMailboxUTF7("&U,BTFw-&ZeVnLIqe-")
	fmt.Println(err)
	// Output:
	// ~peter/mail/台北/日本語 <nil>
	// imap: malformed modified UTF-7 mailbox name "&U,BTFw-&ZeVnLIqe-" at offset 8: superfluous shift: adjacent shift sequences must be merged
}

func ExampleCapSet_Has() {
	caps := imap.CapSet{"IMAP4rev2", "AUTH=PLAIN", "QRESYNC", "APPENDLIMIT=35651584"}
	fmt.Println(caps.Has(imap.CapMove))      // folded into IMAP4rev2
	fmt.Println(caps.Has(imap.CapCondStore)) // implied by QRESYNC
	fmt.Println(caps.Advertised(imap.CapCondStore))
	fmt.Println(caps.Has("imap4REV2"), caps.Has(imap.CapBinary))
	fmt.Println(caps.AuthMechanisms())
	fmt.Println(caps.AppendLimit())
	// Output:
	// true
	// true
	// false
	// true false
	// [PLAIN]
	// 35651584 true
}

func ExampleParseFlag() {
	for _, s := range []string{`\seen`, `$Forwarded`, `\X-Custom`, `bad flag`} {
		f, err := imap.ParseFlag(s)
		fmt.Printf("%q %v\n", f, err != nil)
	}
	fmt.Println(imap.Flag(`\SEEN`).Equal(imap.FlagSeen))
	// Output:
	// "\\Seen" false
	// "$Forwarded" false
	// "\\X-Custom" false
	// "" true
	// true
}
