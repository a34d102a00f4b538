package imap

// NumRange is a range of message numbers (sequence numbers or UIDs) from a
// sequence set. A value of 0 stands for "*", the largest number in use.
// Start and Stop may come in either order, as on the wire ("4:2" is "2:4").
type NumRange struct {
	Start, Stop uint32
}

// Star is the NumRange value standing for "*".
const Star uint32 = 0

// NumSet is a sequence set (RFC 3501 §9 sequence-set) of sequence numbers
// or UIDs; SeqSet and UIDSet wrap it so the two are not confused.
// The zero value is the empty set. A NumSet may instead be the SEARCHRES
// reference "$" (RFC 5182), which stands for the result of the last SEARCH.
type NumSet struct {
	ranges    []NumRange
	searchRes bool
}

// SeqSet is a set of message sequence numbers.
type SeqSet struct{ NumSet }

// UIDSet is a set of UIDs.
type UIDSet struct{ NumSet }
