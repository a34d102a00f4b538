package imap

import "strings"

// capImplication says that a server announcing from supports each of to,
// whether or not it announces them.
type capImplication struct {
	from Cap
	to   []Cap
}

// capImplications is the read-only table Has consults. It is transitively
// closed (a test checks this), so Has needs a single lookup. Capabilities
// with a parameter are handled in capMatches instead.
var capImplications = [...]capImplication{
	// RFC 9051 Appendix E item 2 lists the extensions folded into
	// IMAP4rev2; item 3 adds STATUS SIZE (RFC 8438). Left out on purpose,
	// because IMAP4rev2 folds in only part of them:
	//   - BINARY: only its FETCH side; "IMAP4rev2 implementations that
	//     support full [RFC3516] functionality need to also advertise the
	//     BINARY capability" (Appendix B);
	//   - LIST-EXTENDED: multiple mailbox patterns "not supported in
	//     IMAP4rev2, unless LIST-EXTENDED capability is also advertised"
	//     (Appendix C);
	//   - SPECIAL-USE: only "the list of new mailbox attributes" (item 2),
	//     not the LIST selection and return options of RFC 6154.
	// ESEARCH is listed directly but also follows from SEARCHRES.
	{CapIMAP4rev2, []Cap{
		CapNamespace, CapUnselect, CapUIDPlus, CapESearch, CapSearchRes,
		CapEnable, CapIdle, CapSASLIR, CapListStatus, CapMove,
		CapLiteralMinus, CapStatusSize,
	}},
	// RFC 7162 §3.2.3: "the presence of the "QRESYNC" capability implies
	// support for the CONDSTORE IMAP extension even if the "CONDSTORE"
	// capability isn't advertised", and QRESYNC servers "MUST implement
	// and advertise support for the ENABLE [RFC5161] IMAP extension".
	{CapQResync, []Cap{CapCondStore, CapEnable}},
	// RFC 5182 §2.1: a SEARCHRES server "MUST also implement the
	// [ESEARCH] extension".
	{CapSearchRes, []Cap{CapESearch}},
	// RFC 7888 §5: "LITERAL- is a more restricted version of LITERAL+",
	// so a client may follow LITERAL- rules with a LITERAL+ server.
	{CapLiteralPlus, []Cap{CapLiteralMinus}},
	// RFC 6855 §3: "The "UTF8=ONLY" capability ... implies the
	// "UTF8=ACCEPT" capability."
	{CapUTF8Only, []Cap{CapUTF8Accept}},
}

// capMatches reports whether the announced capability x provides c by
// itself, not counting capImplications: the same name ignoring ASCII case
// (capability names are atoms, case-insensitive per RFC 3501 §9 note 1), or
// a parameterized form of c.
func capMatches(x, c Cap) bool {
	if asciiEqualFold(string(x), string(c)) {
		return true
	}
	switch {
	case asciiEqualFold(string(c), string(CapSort)):
		// RFC 5256 §1: "A server that supports the base-level SORT
		// extension indicates this with a capability name which starts
		// with "SORT"" (e.g. SORT=DISPLAY, RFC 5957 §1, which requires
		// "the full [SORT] extension").
		return asciiHasPrefixFold(string(x), "SORT=")
	case asciiEqualFold(string(c), string(CapAppendLimit)):
		// RFC 7889 §5: capability =/ "APPENDLIMIT" ["=" number].
		return asciiHasPrefixFold(string(x), "APPENDLIMIT=")
	}
	return false
}

// Has reports whether the server supports c: whether c was announced,
// ignoring ASCII case, or follows from what was announced. It knows these
// implications:
//
//   - IMAP4rev2 implies the extensions RFC 9051 Appendix E folds in whole:
//     NAMESPACE, UNSELECT, UIDPLUS, ESEARCH, SEARCHRES, ENABLE, IDLE,
//     SASL-IR, LIST-STATUS, MOVE, LITERAL- and STATUS=SIZE (not BINARY,
//     LIST-EXTENDED or SPECIAL-USE, of which it takes only a part:
//     Appendices B and C, Appendix E item 2);
//   - QRESYNC implies CONDSTORE and ENABLE (RFC 7162 §3.2.3);
//   - SEARCHRES implies ESEARCH (RFC 5182 §2.1);
//   - LITERAL+ implies LITERAL- (RFC 7888 §5);
//   - UTF8=ONLY implies UTF8=ACCEPT (RFC 6855 §3);
//   - any SORT=x implies SORT (RFC 5256 §1), e.g. SORT=DISPLAY;
//   - APPENDLIMIT=n implies APPENDLIMIT (RFC 7889 §2).
//
// Implications tell what may be used, not what to name: an ENABLE command
// must name an extension the server announced (a QRESYNC server need not
// accept "ENABLE CONDSTORE" alone, RFC 7162 §3.2.3); use Advertised for
// that. Has does not allocate.
func (s CapSet) Has(c Cap) bool {
	for _, x := range s {
		if capMatches(x, c) {
			return true
		}
		for i := range capImplications {
			imp := &capImplications[i]
			if !asciiEqualFold(string(x), string(imp.from)) {
				continue
			}
			for _, t := range imp.to {
				if asciiEqualFold(string(t), string(c)) {
					return true
				}
			}
		}
	}
	return false
}

// Advertised reports whether c itself was announced, ignoring ASCII case,
// without implications or parameterized forms. It does not allocate.
func (s CapSet) Advertised(c Cap) bool {
	for _, x := range s {
		if asciiEqualFold(string(x), string(c)) {
			return true
		}
	}
	return false
}

// Add appends each of caps that is not already announced (as Advertised
// tells) to the set, keeping the order.
func (s *CapSet) Add(caps ...Cap) {
	for _, c := range caps {
		if !s.Advertised(c) {
			*s = append(*s, c)
		}
	}
}

// values returns the upper-cased, de-duplicated values of the capabilities
// named prefix+value, in the order announced, or nil.
func (s CapSet) values(prefix string) []string {
	var out []string
	for _, x := range s {
		if !asciiHasPrefixFold(string(x), prefix) || len(x) == len(prefix) {
			continue
		}
		v := strings.ToUpper(string(x[len(prefix):]))
		dup := false
		for _, o := range out {
			if o == v {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, v)
		}
	}
	return out
}

// AuthMechanisms returns the SASL mechanisms of the AUTH=mechanism
// capabilities (RFC 3501 §6.2.2 and §7.2.1), e.g. ["PLAIN", "SCRAM-SHA-256"],
// upper-cased (SASL mechanism names are upper-case, RFC 4422 §3.1, and
// capability names are case-insensitive), without duplicates, in the order
// announced; nil if there are none.
func (s CapSet) AuthMechanisms() []string { return s.values("AUTH=") }

// ThreadAlgorithms returns the algorithms of the THREAD=algorithm
// capabilities (RFC 5256 §1), e.g. ["ORDEREDSUBJECT", "REFERENCES"], in the
// form AuthMechanisms describes.
func (s CapSet) ThreadAlgorithms() []string { return s.values("THREAD=") }

// CompressAlgorithms returns the algorithms of the COMPRESS=algorithm
// capabilities (RFC 4978 §1), e.g. ["DEFLATE"], in the form AuthMechanisms
// describes.
func (s CapSet) CompressAlgorithms() []string { return s.values("COMPRESS=") }

// AppendLimit returns the server-wide APPEND size limit in octets announced
// as APPENDLIMIT=n (RFC 7889 §2), and false if there is none. A bare
// APPENDLIMIT (Has(CapAppendLimit) true, AppendLimit false) means the
// limits are per mailbox, to be asked for with STATUS (APPENDLIMIT). Values
// that are not a number fitting 64 bits are ignored.
func (s CapSet) AppendLimit() (uint64, bool) {
	const prefix = "APPENDLIMIT="
	for _, x := range s {
		if !asciiHasPrefixFold(string(x), prefix) || len(x) == len(prefix) {
			continue
		}
		var n uint64
		ok := true
		for i := len(prefix); i < len(x); i++ {
			d := x[i]
			if d < '0' || d > '9' || n > (1<<64-1-uint64(d-'0'))/10 {
				ok = false
				break
			}
			n = n*10 + uint64(d-'0')
		}
		if ok {
			return n, true
		}
	}
	return 0, false
}
