package wire

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes server responses (RFC 3501 §7 and §9, RFC 9051 §7 and
// §9, and the extensions' ABNF): the top level, status responses and their
// codes, continuation requests and the untagged mailbox-data responses.
// FETCH is in fetch_decode.go, ENVELOPE and BODYSTRUCTURE in
// body_decode.go.

// respState is the response decoder's per-Decoder state. Decoded slices
// and nodes are carved at their exact size from slabs, chunks allocated
// for many messages: FETCH items, addresses, parameters and body parts are
// decoded in place into a region at the start of their slab (rSlot), which
// is then handed out (rSeal); other lists are collected on scratch stacks
// reused from message to message and copied out (popStrs and the like). A
// decoded slice never shares memory with another one: each is capped at
// its length, so appending to it copies. The free part of a slab is kept
// zero (a region abandoned on error is cleared).
type respState struct {
	// Scratch stacks. A list under construction occupies the top of its
	// stack from a base index; nested lists push above it and pop before
	// the outer list goes on.
	strs  []string
	flags []imap.Flag
	nums  []uint32

	// Slabs.
	itemSlab  []imap.FetchItem
	fetchSlab []imap.FetchData
	addrSlab  []imap.Address
	envSlab   []imap.Envelope
	paramSlab []imap.Param
	partSlab  []imap.BodyStructure
	dispSlab  []imap.Disposition
	strSlab   []string
	flagSlab  []imap.Flag
	numSlab   []uint32

	// levelSlabs[k] holds the parts of multiparts at body nesting level
	// k (bodyLevel while decoding).
	levelSlabs [][]imap.BodyStructure
	bodyLevel  int

	sc Scanner // handed to vendor FETCH item decoders
}

// Slab chunk sizes, in elements.
const (
	rItemChunk  = 64
	rFetchChunk = 128
	rAddrChunk  = 256
	rEnvChunk   = 64
	rParamChunk = 256
	rPartChunk  = 64
	rDispChunk  = 128
	rStrChunk   = 256
	rFlagChunk  = 256
	rNumChunk   = 512
)

// rTake returns n zeroed elements carved from *slab, refilling it with a
// new chunk when it is short. The result's capacity is n. Large requests
// get their own allocation. rTake(…, 0, …) returns a non-nil empty slice
// without allocating.
func rTake[T any](slab *[]T, n, chunk int) []T {
	if n == 0 {
		return []T{}
	}
	s := *slab
	if n > len(s) {
		if n > chunk/4 {
			return make([]T, n)
		}
		s = make([]T, chunk)
	}
	*slab = s[n:]
	return s[:n:n]
}

// rSlot returns a pointer to element k of a region being filled at the
// start of *slab: the elements slab[:k] are the region so far. When the
// chunk is full, the region moves to a new chunk. rSeal then hands the
// region out.
func rSlot[T any](slab *[]T, k, chunk int) *T {
	s := *slab
	if k >= len(s) {
		n := chunk
		if 2*k > n {
			n = 2 * k
		}
		ns := make([]T, n)
		copy(ns, s[:k])
		*slab = ns
		s = ns
	}
	return &s[k]
}

// rSeal returns the region of n elements filled at the start of *slab
// (capacity n) and removes it from the slab. rSeal(…, 0) returns a non-nil
// empty slice.
func rSeal[T any](slab *[]T, n int) []T {
	if n == 0 {
		return []T{}
	}
	s := *slab
	*slab = s[n:]
	return s[:n:n]
}

// popStrs copies the strings collected on the scratch stack since base into
// an exact-size slice and pops them.
func (rs *respState) popStrs(base int) []string {
	out := rTake(&rs.strSlab, len(rs.strs)-base, rStrChunk)
	copy(out, rs.strs[base:])
	rs.strs = rs.strs[:base]
	return out
}

func (rs *respState) popFlags(base int) []imap.Flag {
	out := rTake(&rs.flagSlab, len(rs.flags)-base, rFlagChunk)
	copy(out, rs.flags[base:])
	rs.flags = rs.flags[:base]
	return out
}

func (rs *respState) popNums(base int) []uint32 {
	out := rTake(&rs.numSlab, len(rs.nums)-base, rNumChunk)
	copy(out, rs.nums[base:])
	rs.nums = rs.nums[:base]
	return out
}

// Character classes of the response grammar, besides those of scan.go.
var (
	// rItemNameChar is ATOM-CHAR without "[": a FETCH item name stops at
	// its section.
	rItemNameChar [256]bool
	// rLenientCodeAtom is lenientAtomChar without "]", for atoms inside a
	// response code, which "]" ends.
	rLenientCodeAtom [256]bool
	// rLenientTagChar is what lenient mode takes for a tag.
	rLenientTagChar [256]bool
	// rSeqSetChar are the characters of a sequence set.
	rSeqSetChar [256]bool
	// rQuotedStopStrict and rQuotedStopLenient are the bytes that end the
	// fast path of a quoted string: the closing DQUOTE, a backslash, NUL,
	// and in strict mode CR, LF and 8-bit bytes (checked on the slow path).
	rQuotedStopStrict  [256]bool
	rQuotedStopLenient [256]bool
	// rAstrChar is ASTRING-CHAR: what cannot follow the atom NIL.
	rAstrChar [256]bool
	// rUrlChar is what a REFERRAL URL may hold: TEXT-CHAR except SP and
	// "]".
	rUrlChar [256]bool
)

// init builds the tables from scratch: scan.go's tables are filled by its
// own init, which runs after this one (files initialize in name order).
func init() {
	atom := func(c int) bool {
		if c <= ' ' || c >= 0x7f {
			return false
		}
		switch c {
		case '(', ')', '{', '%', '*', '"', '\\', ']':
			return false
		}
		return true
	}
	for c := 0; c < 256; c++ {
		rItemNameChar[c] = atom(c) && c != '['
		rLenientCodeAtom[c] = atom(c) || c == '\t' || c >= 0x80
		switch c {
		case ' ', '\r', '\n', 0, '(', ')', '{', '"', '+':
		default:
			rLenientTagChar[c] = true
		}
		rSeqSetChar[c] = c >= '0' && c <= '9' || c == ':' || c == ',' || c == '*' || c == '$'
		rQuotedStopLenient[c] = c == '"' || c == '\\' || c == 0
		rQuotedStopStrict[c] = rQuotedStopLenient[c] || c == '\r' || c == '\n' || c >= 0x80
		rUrlChar[c] = c > ' ' && c != ']' && c != 0x7f
		rAstrChar[c] = atom(c) || c == ']'

	}
}

// rHandlerError carries an error returned by Options.Stream out of the
// decoding functions: the message is then skipped and the error returned
// as it is.
type rHandlerError struct{ err error }

func (e *rHandlerError) Error() string { return e.err.Error() }

// rRecoverable reports whether err is a plain syntax error (not a limit,
// not I/O), after which lenient mode may back up and read the input
// another way.
func rRecoverable(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) && se.Err == nil
}

// ReadResponse decodes the next server response into r, which it zeroes
// first. It returns io.EOF when the stream ends at a message boundary.
//
// On a malformed response it returns a *SyntaxError (errors.Is(err,
// ErrSyntax); limits also match ErrLimit) after skipping the rest of that
// response, literals included, so the next call reads the next response.
// An error returned by Options.Stream is returned as it is, after the rest
// of the response has been skipped. Any other error is an I/O error and
// ends decoding.
//
// Strings and slices in r stay valid after the next call and may be kept.
// Slices are carved from larger blocks shared with other responses, so
// keeping one small value may keep its block alive.
func (d *Decoder) ReadResponse(r *Response) error {
	*r = Response{}
	for {
		if err := d.beginMessage(false); err != nil {
			if err == io.EOF {
				return io.EOF
			}
			if errors.Is(err, ErrSyntax) || errors.Is(err, ErrLimit) {
				return d.fail(err)
			}
			return err
		}
		// Lenient mode skips empty lines between responses.
		if len(d.line) > 0 || d.strict() {
			break
		}
	}
	if err := d.rResponse(r); err != nil {
		*r = Response{}
		var he *rHandlerError
		if errors.As(err, &he) {
			if ioErr := d.skipMessage(); ioErr != nil {
				return ioErr
			}
			return he.err
		}
		return d.fail(err)
	}
	return nil
}

// rResponse decodes one response from the current line.
//
//	response-data = "*" SP (resp-cond-state / resp-cond-bye /
//	                mailbox-data / message-data / capability-data /
//	                enable-data) CRLF
//	response-tagged = tag SP resp-cond-state CRLF
//	continue-req  = "+" SP (resp-text / base64) CRLF
func (d *Decoder) rResponse(r *Response) error {
	if len(d.line) == 0 {
		return d.errExpected("response")
	}
	switch d.line[0] {
	case '+':
		d.pos = 1
		if err := d.rContinuation(r); err != nil {
			return err
		}
	case '*':
		d.pos = 1
		if err := d.rUntagged(r); err != nil {
			return err
		}
	default:
		if err := d.rTagged(r); err != nil {
			return err
		}
	}
	return d.end()
}

// rContinuation decodes a continuation request after its "+". Lenient mode
// accepts a bare "+".
func (d *Decoder) rContinuation(r *Response) error {
	r.Kind = KindContinuation
	if d.eol() && !d.strict() {
		return nil
	}
	if err := d.expect(' '); err != nil {
		return err
	}
	return d.rRespText(r)
}

// rTagged decodes a tagged status response: tag SP resp-cond-state.
// Lenient mode also accepts a tagged PREAUTH or BYE.
func (d *Decoder) rTagged(r *Response) error {
	var tag []byte
	if d.strict() {
		tag = d.span(&tagChar)
	} else {
		tag = d.span(&rLenientTagChar)
	}
	if len(tag) == 0 {
		return d.errExpected("tag")
	}
	r.Tag = str(tag)
	d.tag = r.Tag
	if err := d.sp(); err != nil {
		return err
	}
	start := d.pos
	kw := d.span(&atomChar)
	st, ok := rStatusType(kw)
	if !ok || (d.strict() && (st == StatusPREAUTH || st == StatusBYE)) {
		d.pos = start
		return d.errExpected("OK, NO or BAD")
	}
	return d.rStatus(r, st)
}

// rStatusType recognizes a status condition (case-insensitively, as
// RFC 3501 §9 note 1 makes every keyword).
func rStatusType(kw []byte) (StatusType, bool) {
	switch len(kw) {
	case 2:
		if equalFold(kw, "OK") {
			return StatusOK, true
		}
		if equalFold(kw, "NO") {
			return StatusNO, true
		}
	case 3:
		if equalFold(kw, "BAD") {
			return StatusBAD, true
		}
		if equalFold(kw, "BYE") {
			return StatusBYE, true
		}
	case 7:
		if equalFold(kw, "PREAUTH") {
			return StatusPREAUTH, true
		}
	}
	return "", false
}

// rStatus decodes the rest of a status response after its condition:
//
//	resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
//
// Lenient mode accepts a missing resp-text ("* OK").
func (d *Decoder) rStatus(r *Response, st StatusType) error {
	r.Kind = KindStatus
	r.Status = st
	if !d.accept(' ') {
		if d.eol() && !d.strict() {
			return nil
		}
		return d.errExpected("SP")
	}
	// Further spaces belong to the text, in both modes: a text may start
	// with a space, and "[" after it is not a response code.
	return d.rRespText(r)
}

// rRespText decodes resp-text:
//
//	resp-text = ["[" resp-text-code "]" SP] [text]     ; RFC 9051
//
// RFC 3501 requires a non-empty text; RFC 9051 (and its errata for
// RFC 3501) allow none, which both modes accept, as they accept a code
// that ends the line without the SP ("* OK [UIDNEXT 1]", which RFC 9051
// §6.3.2 itself uses). In lenient mode a "[" that does not start a
// well-formed code is taken as text.
func (d *Decoder) rRespText(r *Response) error {
	if d.peek() == '[' {
		start := d.pos
		code, err := d.rRespCode()
		switch {
		case err == nil:
			r.Code = code
			if !d.accept(' ') && !d.eol() && d.strict() {
				return d.errExpected("SP")
			}
			if !d.strict() {
				for d.accept(' ') {
				}
			}
		case d.strict() || !rRecoverable(err):
			return err
		default:
			d.pos = start
		}
	}
	t, err := d.text()
	r.Text = t
	return err
}

// rKnownCodes are the response codes with a constant, for canonical
// spelling.
var rKnownCodes = [...]imap.ResponseCodeName{
	imap.CodeAlert, imap.CodeBadCharset, imap.CodeCapability, imap.CodeParse,
	imap.CodePermanentFlags, imap.CodeReadOnly, imap.CodeReadWrite,
	imap.CodeTryCreate, imap.CodeUIDNext, imap.CodeUIDValidity, imap.CodeUnseen,
	imap.CodeClosed, imap.CodeAppendUID, imap.CodeCopyUID, imap.CodeUIDNotSticky,
	imap.CodeHighestModSeq, imap.CodeNoModSeq, imap.CodeModified,
	imap.CodeUnavailable, imap.CodeAuthenticationFailed,
	imap.CodeAuthorizationFailed, imap.CodeExpired, imap.CodePrivacyRequired,
	imap.CodeContactAdmin, imap.CodeNoPerm, imap.CodeInUse,
	imap.CodeExpungeIssued, imap.CodeCorruption, imap.CodeServerBug,
	imap.CodeClientBug, imap.CodeCannot, imap.CodeLimit, imap.CodeOverQuota,
	imap.CodeAlreadyExists, imap.CodeNonExistent, imap.CodeHasChildren,
	imap.CodeTooBig, imap.CodeAppendLimit, imap.CodeCompressionActive,
	imap.CodeMetadata, imap.CodeUseAttr, imap.CodeMailboxID, imap.CodeNotSaved,
	imap.CodeUnknownCTE, imap.CodeReferral, imap.CodeNotificationOverflow,
	imap.CodeBadEvent, imap.CodeUIDRequired,
}

func rCodeName(b []byte) imap.ResponseCodeName {
	for _, k := range rKnownCodes {
		if equalFold(b, string(k)) {
			return k
		}
	}
	return imap.ResponseCodeName(upper(b))
}

// rRespCode decodes "[" resp-text-code "]". Codes with a typed argument
// fill the field their constant documents (imap/respcode.go); any other
// code keeps its argument text in Raw:
//
//	resp-text-code = ... / atom [SP 1*<any TEXT-CHAR except "]">]
//
// In lenient mode a known code whose argument does not parse keeps it in
// Raw too.
func (d *Decoder) rRespCode() (*imap.ResponseCode, error) {
	d.pos++ // "["
	name := d.span(&atomChar)
	if len(name) == 0 {
		return nil, d.errExpected("response code")
	}
	c := &imap.ResponseCode{Name: rCodeName(name)}
	argStart := d.pos
	err := d.rCodeArgs(c)
	if err == nil && d.peek() != ']' {
		err = d.errExpected(`"]"`)
	}
	if err != nil {
		if d.strict() || !rRecoverable(err) {
			return nil, err
		}
		*c = imap.ResponseCode{Name: c.Name}
		d.pos = argStart
		d.rRawCodeArg(c)
	}
	if err := d.expect(']'); err != nil {
		return nil, err
	}
	return c, nil
}

// rRawCodeArg reads the argument of a code kept verbatim: SP and any text
// up to "]".
func (d *Decoder) rRawCodeArg(c *imap.ResponseCode) {
	if !d.accept(' ') && d.strict() {
		return
	}
	line := d.line
	i := d.pos
	for i < len(line) && line[i] != ']' {
		i++
	}
	arg := line[d.pos:i]
	if d.strict() {
		// 1*<any TEXT-CHAR except "]">: leave d.pos at a bad byte so
		// the caller's check for "]" reports it.
		if j := d.badText(arg); j >= 0 {
			d.pos += j
			return
		}
	}
	c.Raw = str(arg)
	d.pos = i
}

// rCodeArgs decodes the typed argument of a known code.
func (d *Decoder) rCodeArgs(c *imap.ResponseCode) error {
	switch c.Name {
	case imap.CodeBadCharset:
		// "BADCHARSET" [SP "(" charset *(SP charset) ")"]
		// charset = atom / quoted (RFC 9051); astring in RFC 3501.
		if d.peek() != ' ' {
			return nil
		}
		if err := d.sp(); err != nil {
			return err
		}
		base := len(d.resp.strs)
		err := d.list(false, func() error {
			var b []byte
			var err error
			if d.peek() == '"' {
				b, err = d.quoted()
			} else {
				b, err = d.codeAtom()
			}
			d.resp.strs = append(d.resp.strs, str(b))
			return err
		})
		if err != nil {
			d.resp.strs = d.resp.strs[:base]
			return err
		}
		c.Strings = d.resp.popStrs(base)
	case imap.CodeCapability:
		caps, err := d.rCapabilities(true)
		if err != nil {
			return err
		}
		c.Caps = caps
	case imap.CodePermanentFlags:
		if err := d.sp(); err != nil {
			return err
		}
		flags, err := d.rFlagList(true, true)
		if err != nil {
			return err
		}
		c.Flags = flags
	case imap.CodeUIDNext, imap.CodeUIDValidity, imap.CodeUnseen:
		if err := d.sp(); err != nil {
			return err
		}
		n, err := d.nzNumber()
		c.Num = uint64(n)
		return err
	case imap.CodeAppendUID, imap.CodeCopyUID:
		// "APPENDUID" SP nz-number SP append-uid (RFC 4315 §4: a uid-set
		// with MULTIAPPEND)
		// "COPYUID" SP nz-number SP uid-set SP uid-set
		if err := d.sp(); err != nil {
			return err
		}
		n, err := d.nzNumber()
		if err != nil {
			return err
		}
		c.Num = uint64(n)
		if err := d.sp(); err != nil {
			return err
		}
		if c.Set.NumSet, err = d.rNumSet(false, false); err != nil {
			return err
		}
		if c.Name == imap.CodeCopyUID {
			if err := d.sp(); err != nil {
				return err
			}
			if c.Set2.NumSet, err = d.rNumSet(false, false); err != nil {
				return err
			}
		}
	case imap.CodeHighestModSeq:
		// "HIGHESTMODSEQ" SP mod-sequence-value (RFC 7162 §7: 1 or more)
		if err := d.sp(); err != nil {
			return err
		}
		n, err := d.rModSeq()
		c.Num = n
		return err
	case imap.CodeModified:
		// "MODIFIED" SP sequence-set (RFC 7162 §7)
		if err := d.sp(); err != nil {
			return err
		}
		var err error
		c.Set.NumSet, err = d.rNumSet(true, false)
		return err
	case imap.CodeAppendLimit:
		if err := d.sp(); err != nil {
			return err
		}
		n, err := d.number64()
		c.Num = n
		return err
	case imap.CodeMailboxID:
		// "MAILBOXID" SP "(" objectid ")" (RFC 8474 §7)
		if err := d.sp(); err != nil {
			return err
		}
		id, err := d.rObjectID()
		if err != nil {
			return err
		}
		c.Strings = rTake(&d.resp.strSlab, 1, rStrChunk)
		c.Strings[0] = id
	case imap.CodeReferral:
		// "REFERRAL" 1*(SP url) (RFC 2193 §4, RFC 2221 §4)
		base := len(d.resp.strs)
		for d.peek() == ' ' {
			if err := d.sp(); err != nil {
				break
			}
			u := d.span(&rUrlChar)
			if len(u) == 0 {
				d.resp.strs = d.resp.strs[:base]
				return d.errExpected("URL")
			}
			d.resp.strs = append(d.resp.strs, str(u))
		}
		if len(d.resp.strs) == base {
			return d.errExpected("SP URL")
		}
		c.Strings = d.resp.popStrs(base)
	case imap.CodeMetadata:
		return d.rMetadataCode(c)
	case imap.CodeBadEvent:
		// "BADEVENT" SP "(" event-name *(SP event-name) ")" (RFC 5465 §8)
		if err := d.sp(); err != nil {
			return err
		}
		base := len(d.resp.strs)
		err := d.list(false, func() error {
			b, err := d.codeAtom()
			d.resp.strs = append(d.resp.strs, str(b))
			return err
		})
		if err != nil {
			d.resp.strs = d.resp.strs[:base]
			return err
		}
		c.Strings = d.resp.popStrs(base)
	default:
		d.rRawCodeArg(c)
	}
	return nil
}

// rMetadataCodes are the conditions of the METADATA code; the first two
// carry a number.
var rMetadataCodes = [...]string{imap.MetadataLongEntries, imap.MetadataMaxSize, imap.MetadataTooMany, imap.MetadataNoPrivate}

// rMetadataCode decodes the argument of the METADATA code (RFC 5464 §5):
//
//	resp-text-code =/ "METADATA" SP "LONGENTRIES" SP number
//	resp-text-code =/ "METADATA" SP ("MAXSIZE" SP number /
//	                  "TOOMANY" / "NOPRIVATE")
//
// The condition goes in Strings[0] and the number in Num; Raw gets the
// argument in canonical form, as code written when Raw was all there was
// expects it.
func (d *Decoder) rMetadataCode(c *imap.ResponseCode) error {
	if err := d.sp(); err != nil {
		return err
	}
	start := d.pos
	b := d.span(&atomChar)
	cond := ""
	for i, k := range rMetadataCodes {
		if equalFold(b, k) {
			cond = rMetadataCodes[i]
			break
		}
	}
	if cond == "" {
		d.pos = start
		return d.errExpected("LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE")
	}
	c.Strings = rTake(&d.resp.strSlab, 1, rStrChunk)
	c.Strings[0] = cond
	c.Raw = cond
	if cond == imap.MetadataLongEntries || cond == imap.MetadataMaxSize {
		if err := d.sp(); err != nil {
			return err
		}
		n, err := d.number()
		if err != nil {
			return err
		}
		c.Num = uint64(n)
		c.Raw = cond + " " + strconv.FormatUint(uint64(n), 10)
	}
	return nil
}

// rModSeq reads a mod-sequence-value (RFC 7162 §7: 1..2^63-1).
func (d *Decoder) rModSeq() (uint64, error) {
	start := d.pos
	n, err := d.number64()
	if err == nil && n == 0 && d.strict() {
		d.pos = start
		return 0, d.errExpected("non-zero mod-sequence")
	}
	return n, err
}

// rObjectID reads "(" objectid ")" (RFC 8474 §7):
//
//	objectid = 1*255(ALPHA / DIGIT / "_" / "-")
func (d *Decoder) rObjectID() (string, error) {
	if err := d.expect('('); err != nil {
		return "", err
	}
	start := d.pos
	line := d.line
	i := start
	for i < len(line) {
		c := line[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			break
		}
		i++
	}
	if i == start || (i-start > 255 && d.strict()) {
		return "", d.errExpected("objectid")
	}
	d.pos = i
	if !d.strict() && d.peek() != ')' {
		// Lenient: take any atom as the identifier.
		d.pos = start
		b, err := d.atom()
		if err != nil {
			return "", err
		}
		i = start + len(b)
	}
	if err := d.expect(')'); err != nil {
		return "", err
	}
	return str(line[start:i]), nil
}

// rNumSet reads a sequence set (RFC 9051 §9 sequence-set), or with
// uidOnly false and strict mode off anything ParseNumSet accepts. In
// strict mode a uid-set (RFC 4315 §4, RFC 7162 known-uids) allows neither
// "*" nor "$", and "$" is allowed only where dollar is true.
func (d *Decoder) rNumSet(star, dollar bool) (imap.NumSet, error) {
	start := d.pos
	b := d.span(&rSeqSetChar)
	if len(b) == 0 {
		return imap.NumSet{}, d.errExpected("sequence set")
	}
	if d.strict() {
		for _, c := range b {
			if c == '*' && !star || c == '$' && !dollar {
				d.pos = start
				return imap.NumSet{}, d.errExpected("uid-set")
			}
		}
	}
	s, err := imap.ParseNumSetBytes(b)
	if err != nil {
		var se *imap.SyntaxError
		d.pos = start
		if errors.As(err, &se) {
			d.pos += se.Offset
		}
		return imap.NumSet{}, d.errExpected("sequence set")
	}
	return s, nil
}

// rCapabilities reads *(SP capability); inCode says it is the argument of
// a CAPABILITY response code, which "]" ends. Strict mode requires
// IMAP4rev1 or IMAP4rev2 among them (capability-data, RFC 3501 §9 and
// RFC 9051 §9).
func (d *Decoder) rCapabilities(inCode bool) ([]imap.Cap, error) {
	base := len(d.resp.strs)
	found := false
	for d.peek() == ' ' {
		start := d.pos
		if err := d.sp(); err != nil {
			d.resp.strs = d.resp.strs[:base]
			return nil, err
		}
		var b []byte
		switch {
		case d.strict():
			b = d.span(&atomChar)
		case inCode:
			b = d.span(&rLenientCodeAtom)
		default:
			b = d.span(&lenientAtomChar)
		}
		if len(b) == 0 {
			if !d.strict() && (d.eol() || inCode && d.peek() == ']') {
				break // trailing space
			}
			d.pos = start + 1
			d.resp.strs = d.resp.strs[:base]
			return nil, d.errExpected("capability")
		}
		if equalFold(b, "IMAP4REV1") || equalFold(b, "IMAP4REV2") {
			found = true
		}
		if len(d.resp.strs)-base >= d.opt.MaxListLength {
			d.resp.strs = d.resp.strs[:base]
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		d.resp.strs = append(d.resp.strs, str(b))
	}
	if !found && d.strict() {
		d.resp.strs = d.resp.strs[:base]
		return nil, d.errExpected(`"IMAP4rev1" or "IMAP4rev2" capability`)
	}
	n := len(d.resp.strs) - base
	caps := make([]imap.Cap, n)
	for i, s := range d.resp.strs[base:] {
		caps[i] = imap.Cap(s)
	}
	d.resp.strs = d.resp.strs[:base]
	return caps, nil
}

// rUntagged decodes an untagged response after its "*".
func (d *Decoder) rUntagged(r *Response) error {
	if err := d.sp(); err != nil {
		return err
	}
	if c := d.peek(); c >= '0' && c <= '9' {
		return d.rNumbered(r)
	}
	start := d.pos
	kw := d.span(&atomChar)
	if len(kw) == 0 && d.strict() {
		return d.errExpected("response keyword")
	}
	if len(kw) > 0 && !d.eol() && d.peek() != ' ' {
		// Not a keyword we could know ("* FOO[bar" and the like).
		return d.rOther(r, start)
	}
	switch len(kw) {
	case 2, 3, 7:
		if st, ok := rStatusType(kw); ok {
			return d.rStatus(r, st)
		}
	}
	switch rUpperByte(kw) {
	case 'A':
		if equalFold(kw, "ACL") {
			return d.rAclResp(r)
		}
	case 'C':
		if equalFold(kw, "CAPABILITY") {
			caps, err := d.rCapabilities(false)
			r.Kind = KindCapability
			r.Caps = caps
			return err
		}
	case 'E':
		if equalFold(kw, "ESEARCH") {
			return d.rEsearch(r)
		}
		if equalFold(kw, "ENABLED") {
			// enable-data = "ENABLED" *(SP capability) (RFC 5161 §4)
			base := len(d.resp.strs)
			for d.accept(' ') {
				if !d.strict() {
					for d.accept(' ') {
					}
					if d.eol() {
						break
					}
				}
				b, err := d.atom()
				if err != nil {
					d.resp.strs = d.resp.strs[:base]
					return err
				}
				d.resp.strs = append(d.resp.strs, str(b))
			}
			caps := make([]imap.Cap, len(d.resp.strs)-base)
			for i, s := range d.resp.strs[base:] {
				caps[i] = imap.Cap(s)
			}
			d.resp.strs = d.resp.strs[:base]
			r.Kind = KindEnabled
			r.Caps = caps
			return nil
		}
	case 'F':
		if equalFold(kw, "FLAGS") {
			if err := d.sp(); err != nil {
				return err
			}
			flags, err := d.rFlagList(false, false)
			r.Kind = KindFlags
			r.Flags = flags
			return err
		}
	case 'I':
		if equalFold(kw, "ID") {
			return d.rIdResp(r)
		}
	case 'L':
		if equalFold(kw, "LIST") {
			r.Kind = KindList
			return d.rListResp(r)
		}
		if equalFold(kw, "LSUB") {
			r.Kind = KindLsub
			return d.rListResp(r)
		}
		if equalFold(kw, "LISTRIGHTS") {
			return d.rListRightsResp(r)
		}
	case 'M':
		if equalFold(kw, "MYRIGHTS") {
			return d.rMyRightsResp(r)
		}
		if equalFold(kw, "METADATA") {
			return d.rMetadataResp(r)
		}
	case 'N':
		if equalFold(kw, "NAMESPACE") {
			return d.rNamespaceResp(r)
		}
	case 'Q':
		if equalFold(kw, "QUOTA") {
			return d.rQuotaResp(r)
		}
		if equalFold(kw, "QUOTAROOT") {
			return d.rQuotaRootResp(r)
		}
	case 'S':
		if equalFold(kw, "STATUS") {
			return d.rStatusResp(r)
		}
		if equalFold(kw, "SEARCH") {
			r.Kind = KindSearch
			return d.rSearchResp(r)
		}
		if equalFold(kw, "SORT") {
			r.Kind = KindSort
			return d.rSearchResp(r)
		}
	case 'T':
		if equalFold(kw, "THREAD") {
			return d.rThreadResp(r)
		}
	case 'V':
		if equalFold(kw, "VANISHED") {
			return d.rVanishedResp(r)
		}
	}
	return d.rOther(r, start)
}

func rUpperByte(b []byte) byte {
	if len(b) == 0 {
		return 0
	}
	c := b[0]
	if c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	return c
}

// rNumbered decodes the untagged responses that start with a number:
//
//	message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
//	mailbox-data =/ number SP "EXISTS" / number SP "RECENT"
//	message-data =/ uniqueid SP "UIDFETCH" SP msg-att   ; RFC 9586 §3.3
func (d *Decoder) rNumbered(r *Response) error {
	numStart := d.pos
	n, err := d.number()
	if err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	start := d.pos
	kw := d.span(&atomChar)
	if len(kw) == 0 && d.strict() {
		return d.errExpected("response keyword")
	}
	nz := func() error {
		if n == 0 && d.strict() {
			d.pos = numStart
			return d.errExpected("nz-number")
		}
		return nil
	}
	switch {
	case equalFold(kw, "FETCH"):
		if err := nz(); err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		r.Kind = KindFetch
		return d.rFetch(r, n)
	case equalFold(kw, "UIDFETCH"):
		// uidfetch-resp = uniqueid SP "UIDFETCH" SP msg-att
		// (RFC 9586 §3.3); uniqueid = nz-number.
		if err := nz(); err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		r.Kind = KindUIDFetch
		d.uidFetch = true
		err := d.rFetch(r, n)
		if err == nil {
			r.Fetch.UIDFetch = true
		}
		return err
	case equalFold(kw, "EXISTS"):
		r.Kind = KindExists
	case equalFold(kw, "RECENT"):
		r.Kind = KindRecent
	case equalFold(kw, "EXPUNGE"):
		if err := nz(); err != nil {
			return err
		}
		r.Kind = KindExpunge
	default:
		// An unknown numbered response keeps its number in Num, where 0
		// means "no number"; extensions number messages with nz-number,
		// so strict mode requires one (lenient mode loses a 0).
		if err := nz(); err != nil {
			return err
		}
		r.Num = n
		return d.rOther(r, start)
	}
	r.Num = n
	return nil
}

// rOther decodes an untagged response the codec has no typed form for:
// its keyword in Name (upper case) and the rest of the response verbatim
// in Raw, literals included. It never fails on the syntax.
func (d *Decoder) rOther(r *Response, start int) error {
	d.pos = start
	// The keyword is an atom; lenient mode allows what lenient atoms do.
	// What follows it (after a space, or directly, such as a literal in
	// "* X{5}") is kept verbatim, literals included, so that the stream
	// never loses its place.
	name, err := d.atom()
	if err != nil {
		return err
	}
	r.Kind = KindOther
	r.Name = upper(name)
	if d.eol() {
		return nil
	}
	if !d.accept(' ') && d.strict() {
		return d.errExpected("SP")
	}
	raw, err := d.rRawRest()
	if err != nil {
		return err
	}
	r.Raw = raw
	return nil
}

// rRawRest returns the rest of the message verbatim: the rest of the line
// and, while a segment ends with a literal announcement, the literal (as
// CRLF and its bytes) and the next segment.
func (d *Decoder) rRawRest() (imap.RawValue, error) {
	seg := d.line[d.pos:]
	d.pos = len(d.line)
	h, ok := trailingLiteral(seg)
	if !ok {
		return imap.RawValue(seg), nil // shares the message's line
	}
	var out []byte
	for {
		if !ok {
			return append(out, seg...), nil
		}
		if h.nonSync && d.strict() {
			d.pos = len(d.line) - 2
			return nil, d.errExpected(`"}"`)
		}
		// The literal header is written in canonical form ({5}, not
		// {005}), as rawValue writes it, so that a raw value encodes
		// back to the same bytes.
		i := bytes.LastIndexByte(seg, '{')
		out = append(out, seg[:i+1]...)
		out = strconv.AppendInt(out, h.size, 10)
		if h.nonSync {
			out = append(out, '+')
		}
		out = append(out, '}')
		d.nlit++
		if d.nlit > d.opt.MaxLiterals {
			return nil, d.syntaxErr("", ErrTooManyLiterals)
		}
		if h.size > d.opt.MaxLiteralSize {
			return nil, d.syntaxErr("", ErrLiteralTooLarge)
		}
		data, err := d.readLiteralData(h)
		if err != nil {
			return nil, err
		}
		out = append(out, '\r', '\n')
		out = append(out, data...)
		seg = d.line
		d.pos = len(d.line)
		h, ok = trailingLiteral(seg)
	}
}

// rFlagList reads a flag list:
//
//	flag-list = "(" [flag *(SP flag)] ")"
//
// perm allows "\*" (flag-perm, in PERMANENTFLAGS); inCode says the list is
// inside a response code, where "]" cannot be part of a flag. System flags
// are spelled as their constants whatever their case (`\seen` gives
// imap.FlagSeen).
func (d *Decoder) rFlagList(perm, inCode bool) ([]imap.Flag, error) {
	if err := d.expect('('); err != nil {
		return nil, err
	}
	rs := &d.resp
	base := len(rs.flags)
	strict := d.strict()
	if !strict {
		for d.accept(' ') {
		}
	}
	if !d.accept(')') {
		for {
			f, err := d.rFlag(perm, inCode)
			if err != nil {
				rs.flags = rs.flags[:base]
				return nil, err
			}
			if len(rs.flags)-base >= d.opt.MaxListLength {
				rs.flags = rs.flags[:base]
				return nil, d.syntaxErr("", ErrListTooLong)
			}
			rs.flags = append(rs.flags, f)
			if d.accept(')') {
				break
			}
			if !d.accept(' ') {
				// Lenient: a flag may follow without a space ("\Seen\Draft").
				if strict || d.eol() {
					rs.flags = rs.flags[:base]
					return nil, d.errExpected(`SP or ")"`)
				}
				continue
			}
			if !strict {
				for d.accept(' ') {
				}
				if d.accept(')') {
					break
				}
			}
		}
	}
	return rs.popFlags(base), nil
}

// rFlag reads one flag (flag-fetch, flag-perm).
func (d *Decoder) rFlag(perm, inCode bool) (imap.Flag, error) {
	class := &atomChar
	if !d.strict() {
		if inCode {
			class = &rLenientCodeAtom
		} else {
			class = &lenientAtomChar
		}
	}
	line := d.line
	start := d.pos
	i := start
	if i < len(line) && line[i] == '\\' {
		i++
		if i < len(line) && line[i] == '*' && (perm || !d.strict()) {
			d.pos = i + 1
			return imap.FlagWildcard, nil
		}
	}
	atomStart := i
	for i < len(line) && class[line[i]] {
		i++
	}
	if i == atomStart {
		return "", d.errExpected("flag")
	}
	d.pos = i
	b := line[start:i]
	if b[0] == '\\' {
		return rSystemFlag(b), nil
	}
	return imap.Flag(str(b)), nil
}

// rSystemFlag returns the constant for a system flag matched
// case-insensitively, or the flag as sent.
func rSystemFlag(b []byte) imap.Flag {
	// Exact spellings first: the common case costs one comparison.
	switch string(b) {
	case `\Seen`:
		return imap.FlagSeen
	case `\Answered`:
		return imap.FlagAnswered
	case `\Flagged`:
		return imap.FlagFlagged
	case `\Deleted`:
		return imap.FlagDeleted
	case `\Draft`:
		return imap.FlagDraft
	case `\Recent`:
		return imap.FlagRecent
	}
	return imap.Flag(str(b)).Canonical()
}

// rMailbox reads a mailbox name (mailbox = "INBOX" / astring): any case of
// INBOX is "INBOX" (RFC 3501 §5.1); other names are decoded from modified
// UTF-7 (RFC 3501 §5.1.3) unless Options.UTF8 is set. A name that is not
// valid modified UTF-7 is an error in strict mode and kept as sent in
// lenient mode.
func (d *Decoder) rMailbox() (string, error) {
	start := d.pos
	b, err := d.astringBytes()
	if err != nil {
		return "", err
	}
	return d.rMailboxName(b, start)
}

// rSpMailbox reads SP mailbox, the start of most mailbox-data responses.
func (d *Decoder) rSpMailbox() (string, error) {
	if err := d.sp(); err != nil {
		return "", err
	}
	return d.rMailbox()
}

func (d *Decoder) rMailboxName(b []byte, start int) (string, error) {
	if len(b) == 5 && equalFold(b, "INBOX") {
		return "INBOX", nil
	}
	name := str(b)
	if d.opt.UTF8 {
		return name, nil
	}
	for _, c := range b {
		if c == '&' || c >= 0x80 || c < 0x20 || c == 0x7f {
			dec, err := imap.DecodeMailboxUTF7(name)
			if err != nil {
				if d.strict() {
					if d.line != nil && start <= len(d.line) {
						d.pos = start
					}
					return "", d.errExpected("modified UTF-7 mailbox name")
				}
				return name, nil
			}
			return dec, nil
		}
	}
	return name, nil
}

// rListResp decodes LIST and LSUB:
//
//	mailbox-list = "(" [mbx-list-flags] ")" SP
//	               (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
//	               [SP mbox-list-extended]
//	mbox-list-extended = "(" [mbox-list-extended-item
//	                     *(SP mbox-list-extended-item)] ")"
//	mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val
func (d *Decoder) rListResp(r *Response) error {
	l := &imap.ListData{}
	r.List = l
	if err := d.sp(); err != nil {
		return err
	}
	base := len(d.resp.strs)
	err := d.list(true, func() error {
		start := d.pos
		f, err := d.rFlag(false, false)
		if err != nil {
			return err
		}
		if f[0] != '\\' && d.strict() {
			d.pos = start
			return d.errExpected("mailbox attribute")
		}
		d.resp.strs = append(d.resp.strs, string(f))
		return nil
	})
	if err != nil {
		d.resp.strs = d.resp.strs[:base]
		return err
	}
	if n := len(d.resp.strs) - base; n > 0 {
		l.Attrs = make([]imap.MailboxAttr, n)
		for i, s := range d.resp.strs[base:] {
			l.Attrs[i] = imap.MailboxAttr(s).Canonical()
		}
	}
	d.resp.strs = d.resp.strs[:base]
	if err := d.sp(); err != nil {
		return err
	}
	if l.Delim, err = d.rDelimiter(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	if l.Mailbox, err = d.rMailbox(); err != nil {
		return err
	}
	if d.peek() != ' ' {
		return nil
	}
	if err := d.sp(); err != nil {
		return err
	}
	if d.eol() && !d.strict() {
		return nil
	}
	return d.list(true, func() error { return d.rListExtItem(l) })
}

// rDelimiter reads a hierarchy delimiter: DQUOTE QUOTED-CHAR DQUOTE / nil.
func (d *Decoder) rDelimiter() (rune, error) {
	if d.acceptNIL() {
		return 0, nil
	}
	start := d.pos
	b, err := d.quoted()
	if err != nil {
		return 0, err
	}
	r, n := utf8.DecodeRune(b)
	if len(b) == 0 || n != len(b) || r == utf8.RuneError {
		if d.strict() {
			d.pos = start
			return 0, d.errExpected("one-character hierarchy delimiter")
		}
		if len(b) == 0 {
			return 0, nil
		}
		if r == utf8.RuneError {
			r = rune(b[0])
		}
	}
	return r, nil
}

// rListExtItem reads one extended LIST item (RFC 5258 §9, RFC 9051 §9):
// CHILDINFO and OLDNAME are typed, others are kept in Ext.
//
//	childinfo-extended-item = "CHILDINFO" SP "(" list-select-base-opt-quoted
//	                          *(SP list-select-base-opt-quoted) ")"
//	oldname-extended-item   = "OLDNAME" SP "(" mailbox ")"
func (d *Decoder) rListExtItem(l *imap.ListData) error {
	tag, err := d.astring()
	if err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	switch {
	case equalFold([]byte(tag), "CHILDINFO"):
		base := len(d.resp.strs)
		err := d.list(false, func() error {
			var s string
			var err error
			if d.strict() {
				s, err = d.string()
			} else {
				s, err = d.astring()
			}
			d.resp.strs = append(d.resp.strs, s)
			return err
		})
		if err != nil {
			d.resp.strs = d.resp.strs[:base]
			return err
		}
		l.ChildInfo = append(l.ChildInfo, d.resp.popStrs(base)...)
		return nil
	case equalFold([]byte(tag), "OLDNAME"):
		if err := d.expect('('); err != nil {
			return err
		}
		if l.OldName, err = d.rMailbox(); err != nil {
			return err
		}
		return d.expect(')')
	}
	v, err := d.rawValue()
	if err != nil {
		return err
	}
	l.Ext = append(l.Ext, imap.TaggedExt{Tag: tag, Value: v})
	return nil
}

// rStatusResp decodes STATUS:
//
//	"STATUS" SP mailbox SP "(" [status-att-list] ")"
//	status-att-val = ("MESSAGES" SP number) / ("UIDNEXT" SP nz-number) / ...
//
// plus HIGHESTMODSEQ (RFC 7162), APPENDLIMIT (number / nil, RFC 7889),
// MAILBOXID ("(" objectid ")", RFC 8474); any other item with a number
// keeps it in Num, with another value its text in Str.
func (d *Decoder) rStatusResp(r *Response) error {
	r.Kind = KindStatusData
	s := &imap.StatusData{}
	r.StatusData = s
	var err error
	if s.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	var items []imap.StatusValue
	err = d.list(true, func() error {
		b, err := d.atom()
		if err != nil {
			return err
		}
		v := imap.StatusValue{Item: rStatusItem(b)}
		if err := d.sp(); err != nil {
			return err
		}
		switch v.Item {
		case imap.StatusMailboxID:
			v.Str, err = d.rObjectID()
		case imap.StatusAppendLimit:
			if d.acceptNIL() {
				v.Nil = true
			} else {
				v.Num, err = d.number64()
			}
		case imap.StatusUIDNext, imap.StatusUIDValidity:
			var n uint32
			n, err = d.nzNumber()
			v.Num = uint64(n)
		case imap.StatusMessages, imap.StatusUnseen, imap.StatusDeleted, imap.StatusRecent:
			var n uint32
			n, err = d.number()
			v.Num = uint64(n)
		case imap.StatusHighestModSeq, imap.StatusSize:
			v.Num, err = d.number64()
		default:
			if c := d.peek(); c >= '0' && c <= '9' || c == '-' {
				v.Num, err = d.number64()
			} else {
				var raw imap.RawValue
				raw, err = d.rawValue()
				v.Str = string(raw)
			}
		}
		items = append(items, v)
		return err
	})
	s.Items = items
	return err
}

var rStatusItems = [...]imap.StatusItem{
	imap.StatusMessages, imap.StatusRecent, imap.StatusUIDNext,
	imap.StatusUIDValidity, imap.StatusUnseen, imap.StatusDeleted,
	imap.StatusSize, imap.StatusHighestModSeq, imap.StatusAppendLimit,
	imap.StatusMailboxID,
}

func rStatusItem(b []byte) imap.StatusItem {
	for _, k := range rStatusItems {
		if equalFold(b, string(k)) {
			return k
		}
	}
	return imap.StatusItem(upper(b))
}

// rSearchResp decodes SEARCH and SORT:
//
//	"SEARCH" *(SP nz-number)                         ; RFC 3501
//	"SEARCH" [1*(SP nz-number) SP search-sort-mod-seq] ; RFC 7162 §7
//	search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")"
func (d *Decoder) rSearchResp(r *Response) error {
	s := &imap.SearchData{}
	r.Search = s
	rs := &d.resp
	base := len(rs.nums)
	defer func() { rs.nums = rs.nums[:base] }()
	for d.peek() == ' ' {
		if err := d.sp(); err != nil {
			return err
		}
		if d.eol() && !d.strict() {
			break // trailing space
		}
		if d.peek() == '(' {
			if len(rs.nums) == base && d.strict() {
				return d.errExpected("nz-number")
			}
			d.pos++
			kw, err := d.atom()
			if err != nil {
				return err
			}
			if !equalFold(kw, "MODSEQ") {
				d.pos -= len(kw)
				return d.errExpected(`"MODSEQ"`)
			}
			if err := d.sp(); err != nil {
				return err
			}
			if s.ModSeq, err = d.rModSeq(); err != nil {
				return err
			}
			if err := d.expect(')'); err != nil {
				return err
			}
			break
		}
		n, err := d.nzNumber()
		if err != nil {
			return err
		}
		if len(rs.nums)-base >= d.opt.MaxListLength {
			return d.syntaxErr("", ErrListTooLong)
		}
		rs.nums = append(rs.nums, n)
	}
	if len(rs.nums) > base {
		s.Nums = rs.popNums(base)
	}
	return nil
}

// rEsearch decodes ESEARCH (RFC 4731 §3.1, RFC 9051 §7.3.4):
//
//	esearch-response = "ESEARCH" [search-correlator] [SP "UID"]
//	                   *(SP search-return-data)
//	search-correlator = SP "(" "TAG" SP tag-string ")"
//	search-return-data = "MIN" SP nz-number / "MAX" SP nz-number /
//	                     "ALL" SP sequence-set / "COUNT" SP number /
//	                     "MODSEQ" SP mod-sequence-value / search-ret-data-ext
//	search-ret-data-ext = search-modifier-name SP search-return-value
func (d *Decoder) rEsearch(r *Response) error {
	r.Kind = KindESearch
	e := &imap.ESearchData{}
	r.ESearch = e
	first := true
	for d.peek() == ' ' {
		if err := d.sp(); err != nil {
			return err
		}
		if d.eol() && !d.strict() {
			break
		}
		if first && d.peek() == '(' {
			first = false
			d.pos++
			kw, err := d.atom()
			if err != nil {
				return err
			}
			if !equalFold(kw, "TAG") {
				d.pos -= len(kw)
				return d.errExpected(`"TAG"`)
			}
			if err := d.sp(); err != nil {
				return err
			}
			// tag-string = astring (RFC 9051); string in RFC 4731.
			if e.Tag, err = d.astring(); err != nil {
				return err
			}
			if err := d.expect(')'); err != nil {
				return err
			}
			continue
		}
		first = false
		start := d.pos
		name, err := d.atom()
		if err != nil {
			return err
		}
		if equalFold(name, "UID") {
			if e.UID || (d.strict() && (e.HasCount || e.HasAll || e.Min != 0 || e.Max != 0 || e.ModSeq != 0 || e.Ext != nil)) {
				d.pos = start
				return d.errExpected("search-return-data")
			}
			e.UID = true
			continue
		}
		if err := d.sp(); err != nil {
			return err
		}
		switch {
		case equalFold(name, "MIN"):
			e.Min, err = d.nzNumber()
		case equalFold(name, "MAX"):
			e.Max, err = d.nzNumber()
		case equalFold(name, "COUNT"):
			e.Count, err = d.number()
			e.HasCount = true
		case equalFold(name, "ALL"):
			e.All, err = d.rNumSet(true, false)
			e.HasAll = true
		case equalFold(name, "MODSEQ"):
			e.ModSeq, err = d.rModSeq()
		case equalFold(name, "PARTIAL"):
			if e.Partial != nil && d.strict() {
				d.pos = start
				return d.errExpected("a single PARTIAL")
			}
			e.Partial, err = d.rEsearchPartial()
		default:
			var v imap.RawValue
			v, err = d.rawValue()
			e.Ext = append(e.Ext, imap.TaggedExt{Tag: upper(name), Value: v})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// rEsearchPartial reads the value of the PARTIAL return data (RFC 9394
// §4):
//
//	ret-data-partial = "PARTIAL" SP "(" partial-range SP partial-results ")"
//	partial-results  = sequence-set / "NIL"
func (d *Decoder) rEsearchPartial() (*imap.ESearchPartial, error) {
	p := &imap.ESearchPartial{}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	var err error
	if p.Range, err = d.partialRange(); err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if !d.acceptNIL() {
		if p.Results, err = d.rNumSet(true, false); err != nil {
			return nil, err
		}
	}
	if !d.strict() {
		d.rSkipSpaces()
	}
	if err := d.expect(')'); err != nil {
		return nil, err
	}
	return p, nil
}

// rThreadResp decodes THREAD (RFC 5256 §5):
//
//	thread-data    = "THREAD" [SP 1*thread-list]
//	thread-list    = "(" (thread-members / thread-nested) ")"
//	thread-members = nz-number *(SP nz-number) [SP thread-nested]
//	thread-nested  = 2*thread-list
func (d *Decoder) rThreadResp(r *Response) error {
	r.Kind = KindThread
	if d.peek() != ' ' {
		return nil
	}
	if err := d.sp(); err != nil {
		return err
	}
	if d.eol() && !d.strict() {
		return nil
	}
	threads, err := d.rThreadLists(1)
	r.Threads = threads
	return err
}

// rThreadLists reads min or more thread-lists, separated by nothing
// (lenient mode: or spaces), up to a ")" or the end of the line.
func (d *Decoder) rThreadLists(min int) ([]imap.ThreadNode, error) {
	var out []imap.ThreadNode
	for {
		if len(out) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		n, err := d.rThreadList()
		if err != nil {
			return nil, err
		}
		out = append(out, n)
		if !d.strict() {
			for d.peek() == ' ' && d.pos+1 < len(d.line) && d.line[d.pos+1] == '(' {
				d.pos++
			}
		}
		if d.peek() != '(' {
			break
		}
	}
	if len(out) < min && d.strict() {
		return nil, d.errExpected("thread-list")
	}
	return out, nil
}

// rThreadList reads one thread-list into a node: a chain of members, each
// the parent of the next, the last one parenting the nested lists; or a
// dummy node (Num 0) when the list starts with nested lists.
func (d *Decoder) rThreadList() (imap.ThreadNode, error) {
	if err := d.expect('('); err != nil {
		return imap.ThreadNode{}, err
	}
	if err := d.push(); err != nil {
		return imap.ThreadNode{}, err
	}
	defer d.pop()
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	if d.peek() == '(' {
		kids, err := d.rThreadLists(2)
		if err != nil {
			return imap.ThreadNode{}, err
		}
		if !d.strict() {
			for d.accept(' ') {
			}
		}
		return imap.ThreadNode{Children: kids}, d.expect(')')
	}
	rs := &d.resp
	base := len(rs.nums)
	defer func() { rs.nums = rs.nums[:base] }()
	var nested []imap.ThreadNode
	for {
		n, err := d.nzNumber()
		if err != nil {
			return imap.ThreadNode{}, err
		}
		if len(rs.nums)-base >= d.opt.MaxListLength {
			return imap.ThreadNode{}, d.syntaxErr("", ErrListTooLong)
		}
		rs.nums = append(rs.nums, n)
		if d.accept(')') {
			break
		}
		if err := d.sp(); err != nil {
			return imap.ThreadNode{}, err
		}
		if d.peek() == '(' {
			min := 2
			if !d.strict() {
				min = 1
			}
			if nested, err = d.rThreadLists(min); err != nil {
				return imap.ThreadNode{}, err
			}
			if !d.strict() {
				for d.accept(' ') {
				}
			}
			if err := d.expect(')'); err != nil {
				return imap.ThreadNode{}, err
			}
			break
		}
		if !d.strict() && d.accept(')') {
			break
		}
	}
	// Build the chain in one allocation: node i's only child is node i+1.
	nums := rs.nums[base:]
	chain := make([]imap.ThreadNode, len(nums))
	for i, n := range nums {
		chain[i].Num = n
		if i+1 < len(nums) {
			chain[i].Children = chain[i+1 : i+2 : i+2]
		}
	}
	chain[len(chain)-1].Children = nested
	return chain[0], nil
}

// rVanishedResp decodes VANISHED (RFC 7162 §3.2.10):
//
//	expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
func (d *Decoder) rVanishedResp(r *Response) error {
	r.Kind = KindVanished
	v := &imap.VanishedData{}
	r.Vanished = v
	if err := d.sp(); err != nil {
		return err
	}
	if d.accept('(') {
		kw, err := d.atom()
		if err != nil || !equalFold(kw, "EARLIER") {
			return d.errExpected(`"EARLIER"`)
		}
		if err := d.expect(')'); err != nil {
			return err
		}
		v.Earlier = true
		if err := d.sp(); err != nil {
			return err
		}
	}
	var err error
	v.UIDs.NumSet, err = d.rNumSet(false, false)
	return err
}

// rNamespaceResp decodes NAMESPACE (RFC 2342 §5, RFC 9051 §7.3.2):
//
//	namespace-response = "NAMESPACE" SP namespace SP namespace SP namespace
//	namespace = nil / "(" 1*namespace-descr ")"
//	namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
//	                  [namespace-response-extensions] ")"
//	namespace-response-extension = SP string SP "(" string *(SP string) ")"
func (d *Decoder) rNamespaceResp(r *Response) error {
	r.Kind = KindNamespace
	ns := &imap.NamespaceData{}
	r.Namespace = ns
	for _, dst := range [...]*[]imap.NamespaceDescr{&ns.Personal, &ns.Other, &ns.Shared} {
		if err := d.sp(); err != nil {
			return err
		}
		v, err := d.rNamespace()
		if err != nil {
			return err
		}
		*dst = v
	}
	return nil
}

func (d *Decoder) rNamespace() ([]imap.NamespaceDescr, error) {
	if d.acceptNIL() {
		return nil, nil
	}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	if err := d.push(); err != nil {
		return nil, err
	}
	defer d.pop()
	out := []imap.NamespaceDescr{}
	for {
		if !d.strict() {
			for d.accept(' ') {
			}
		}
		if d.accept(')') {
			if len(out) == 0 && d.strict() {
				d.pos--
				return nil, d.errExpected("namespace-descr")
			}
			return out, nil
		}
		if len(out) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		desc, err := d.rNamespaceDescr()
		if err != nil {
			return nil, err
		}
		out = append(out, desc)
	}
}

func (d *Decoder) rNamespaceDescr() (imap.NamespaceDescr, error) {
	var nd imap.NamespaceDescr
	if err := d.expect('('); err != nil {
		return nd, err
	}
	start := d.pos
	b, err := d.rStringField()
	if err != nil {
		return nd, err
	}
	if nd.Prefix, err = d.rMailboxName(b, start); err != nil {
		return nd, err
	}
	if err := d.sp(); err != nil {
		return nd, err
	}
	if nd.Delim, err = d.rDelimiter(); err != nil {
		return nd, err
	}
	for d.peek() == ' ' {
		if err := d.sp(); err != nil {
			return nd, err
		}
		if d.peek() == ')' && !d.strict() {
			break
		}
		tag, err := d.stringOrNIL()
		if err != nil {
			return nd, err
		}
		if err := d.sp(); err != nil {
			return nd, err
		}
		if d.peek() != '(' {
			return nd, d.errExpected(`"("`)
		}
		v, err := d.rawValue()
		if err != nil {
			return nd, err
		}
		nd.Ext = append(nd.Ext, imap.TaggedExt{Tag: tag, Value: v})
	}
	return nd, d.expect(')')
}

// rStringField reads a string; lenient mode also takes NIL (as "") and an
// atom.
func (d *Decoder) rStringField() ([]byte, error) {
	if d.strict() {
		return d.stringBytes()
	}
	if d.acceptNIL() {
		return nil, nil
	}
	return d.astringBytes()
}

// rIdResp decodes ID (RFC 2971 §4):
//
//	id_response ::= "ID" SPACE id_params_list
//	id_params_list ::= "(" #(string SPACE nstring) ")" / nil
func (d *Decoder) rIdResp(r *Response) error {
	r.Kind = KindID
	if err := d.sp(); err != nil {
		return err
	}
	if d.acceptNIL() {
		return nil
	}
	params := []imap.IDParam{}
	err := d.list(true, func() error {
		b, err := d.rStringField()
		if err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		v, err := d.nstring()
		params = append(params, imap.IDParam{Key: str(b), Value: v})
		return err
	})
	r.ID = params
	return err
}

// rQuotaResp decodes QUOTA (RFC 9208 §7):
//
//	quota-response = "QUOTA" SP quota-root-name SP quota-list
//	quota-list     = "(" quota-resource *(SP quota-resource) ")"
//	quota-resource = resource-name SP resource-usage SP resource-limit
func (d *Decoder) rQuotaResp(r *Response) error {
	r.Kind = KindQuota
	q := &imap.QuotaData{}
	r.Quota = q
	if err := d.sp(); err != nil {
		return err
	}
	var err error
	if q.Root, err = d.astring(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	return d.list(false, func() error {
		name, err := d.atom()
		if err != nil {
			return err
		}
		res := imap.QuotaResource{Name: upper(name)}
		if err := d.sp(); err != nil {
			return err
		}
		if res.Usage, err = d.number64(); err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		if res.Limit, err = d.number64(); err != nil {
			return err
		}
		q.Resources = append(q.Resources, res)
		return nil
	})
}

// rQuotaRootResp decodes QUOTAROOT (RFC 9208 §7):
//
//	quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
func (d *Decoder) rQuotaRootResp(r *Response) error {
	r.Kind = KindQuotaRoot
	q := &imap.QuotaRootData{}
	r.QuotaRoot = q
	var err error
	if q.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	q.Roots, err = d.rMoreAstrings()
	return err
}

// rMoreAstrings reads *(SP astring) up to the end of the response (lenient
// mode also accepts trailing spaces).
func (d *Decoder) rMoreAstrings() ([]string, error) {
	var out []string
	for d.peek() == ' ' {
		if err := d.sp(); err != nil {
			return out, err
		}
		if d.eol() && !d.strict() {
			break
		}
		s, err := d.astring()
		if err != nil {
			return out, err
		}
		out = append(out, s)
	}
	return out, nil
}

// rAclResp decodes ACL (RFC 4314 §7):
//
//	acl-data = "ACL" SP mailbox *(SP identifier SP rights)
func (d *Decoder) rAclResp(r *Response) error {
	r.Kind = KindACL
	a := &imap.ACLData{}
	r.ACL = a
	var err error
	if a.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	for d.peek() == ' ' {
		if err := d.sp(); err != nil {
			return err
		}
		if d.eol() && !d.strict() {
			break
		}
		var e imap.ACLEntry
		if e.Identifier, err = d.astring(); err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		if e.Rights, err = d.astring(); err != nil {
			return err
		}
		a.Entries = append(a.Entries, e)
	}
	return nil
}

// rListRightsResp decodes LISTRIGHTS (RFC 4314 §7):
//
//	listrights-data = "LISTRIGHTS" SP mailbox SP identifier
//	                  SP rights *(SP rights)
func (d *Decoder) rListRightsResp(r *Response) error {
	r.Kind = KindListRights
	l := &imap.ListRightsData{}
	r.ListRights = l
	var err error
	if l.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	if l.Identifier, err = d.astring(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	if l.Required, err = d.astring(); err != nil {
		return err
	}
	l.Optional, err = d.rMoreAstrings()
	return err
}

// rMyRightsResp decodes MYRIGHTS (RFC 4314 §7):
//
//	myrights-data = "MYRIGHTS" SP mailbox SP rights
func (d *Decoder) rMyRightsResp(r *Response) error {
	r.Kind = KindMyRights
	m := &imap.MyRightsData{}
	r.MyRights = m
	var err error
	if m.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	m.Rights, err = d.astring()
	return err
}

// rMetadataResp decodes METADATA (RFC 5464 §5):
//
//	metadata-resp = "METADATA" SP mailbox SP (entry-values / entry-list)
//	entry-values  = "(" entry-value *(SP entry-value) ")"
//	entry-value   = entry SP value
//	entry-list    = entry *(SP entry)
//	value         = nstring / literal8
func (d *Decoder) rMetadataResp(r *Response) error {
	r.Kind = KindMetadata
	m := &imap.MetadataData{}
	r.Metadata = m
	var err error
	if m.Mailbox, err = d.rSpMailbox(); err != nil {
		return err
	}
	if err := d.sp(); err != nil {
		return err
	}
	if d.peek() == '(' {
		return d.list(false, func() error {
			var e imap.MetadataEntry
			var err error
			if e.Name, err = d.astring(); err != nil {
				return err
			}
			if err := d.sp(); err != nil {
				return err
			}
			if d.peek() == '~' {
				var b []byte
				b, err = d.literalBytes(true)
				e.Value = imap.NString{S: str(b), Valid: true}
			} else {
				e.Value, err = d.nstring()
			}
			m.Entries = append(m.Entries, e)
			return err
		})
	}
	for {
		s, err := d.astring()
		if err != nil {
			return err
		}
		m.Names = append(m.Names, s)
		if d.peek() != ' ' {
			return nil
		}
		if err := d.sp(); err != nil {
			return err
		}
		if d.eol() && !d.strict() {
			return nil
		}
	}
}
