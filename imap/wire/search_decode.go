package wire

import (
	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4, RFC 4731
// ESEARCH, RFC 5182 SEARCHRES), SORT and THREAD (RFC 5256, RFC 5267 ESORT)
// and their search programs:
//
//	search          = "SEARCH" [search-return-opts] SP search-program
//	search-program  = ["CHARSET" SP charset SP] search-key *(SP search-key)
//	search-return-opts = SP "RETURN" SP "(" [search-return-opt
//	                     *(SP search-return-opt)] ")"
//	search-return-opt  = "MIN" / "MAX" / "ALL" / "COUNT" / "SAVE" /
//	                     search-ret-opt-ext
//	search-ret-opt-ext = search-modifier-name [SP search-mod-params]
//	sort            = ["UID" SP] "SORT" [search-return-opts] SP
//	                  sort-criteria SP search-criteria
//	thread          = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
//	search-criteria = charset 1*(SP search-key)

// searchArg says what follows a search key's name.
type searchArg uint8

const (
	argNone     searchArg = iota
	argAstring            // SP astring
	argDate               // SP date
	argNumber             // SP number64
	argNzNumber           // SP nz-number (RFC 5032)
	argKeyword            // SP flag-keyword
	argHeader             // SP header-fld-name SP astring
	argSet                // SP sequence-set
	argNot                // SP search-key
	argOr                 // SP search-key SP search-key
	argModSeq             // ["entry-name" SP entry-type] SP mod-sequence-valzer
	argObjectID           // SP objectid (RFC 8474)
)

// searchKeys are the search keys the decoder knows, with their arguments.
var searchKeys = [...]struct {
	op  imap.SearchOp
	arg searchArg
}{
	// Most frequent first.
	{imap.SearchUID, argSet},
	{imap.SearchUnseen, argNone},
	{imap.SearchSeen, argNone},
	{imap.SearchAll, argNone},
	{imap.SearchSince, argDate},
	{imap.SearchBefore, argDate},
	{imap.SearchFrom, argAstring},
	{imap.SearchSubject, argAstring},
	{imap.SearchText, argAstring},
	{imap.SearchBody, argAstring},
	{imap.SearchTo, argAstring},
	{imap.SearchNot, argNot},
	{imap.SearchOr, argOr},
	{imap.SearchDeleted, argNone},
	{imap.SearchUndeleted, argNone},
	{imap.SearchFlagged, argNone},
	{imap.SearchUnflagged, argNone},
	{imap.SearchAnswered, argNone},
	{imap.SearchUnanswered, argNone},
	{imap.SearchDraft, argNone},
	{imap.SearchUndraft, argNone},
	{imap.SearchHeader, argHeader},
	{imap.SearchModSeq, argModSeq},
	{imap.SearchBcc, argAstring},
	{imap.SearchCc, argAstring},
	{imap.SearchKeyword, argKeyword},
	{imap.SearchUnkeyword, argKeyword},
	{imap.SearchLarger, argNumber},
	{imap.SearchSmaller, argNumber},
	{imap.SearchNew, argNone},
	{imap.SearchOld, argNone},
	{imap.SearchOn, argDate},
	{imap.SearchRecent, argNone},
	{imap.SearchSentBefore, argDate},
	{imap.SearchSentOn, argDate},
	{imap.SearchSentSince, argDate},
	{imap.SearchOlder, argNzNumber},
	{imap.SearchYounger, argNzNumber},
	{imap.SearchSavedBefore, argDate},
	{imap.SearchSavedOn, argDate},
	{imap.SearchSavedSince, argDate},
	{imap.SearchSaveDateSupported, argNone},
	{imap.SearchEmailID, argObjectID},
	{imap.SearchThreadID, argObjectID},
}

// lookupSearchKey returns the index in searchKeys of the key named b, or -1.
func lookupSearchKey(b []byte) int {
	for i := range searchKeys {
		if equalFold(b, string(searchKeys[i].op)) {
			return i
		}
	}
	return -1
}

// cmdSearch decodes the arguments of SEARCH.
func (d *Decoder) cmdSearch() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	s := &imap.SearchCommand{}
	var err error
	if s.Return, s.HasReturn, err = d.searchReturnOpts(); err != nil {
		return nil, err
	}
	// ["CHARSET" SP charset SP]
	if d.acceptWord("CHARSET") {
		if s.Charset, err = d.charset(); err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
	}
	if s.Key, err = d.searchKeys(); err != nil {
		return nil, err
	}
	return s, nil
}

// acceptWord consumes the atom w (upper case, matched case-insensitively)
// and the SP after it, if they are next.
func (d *Decoder) acceptWord(w string) bool {
	i := d.pos + len(w)
	if i >= len(d.line) || d.line[i] != ' ' || !equalFold(d.line[d.pos:i], w) {
		return false
	}
	d.pos = i
	if err := d.sp(); err != nil {
		d.pos -= len(w)
		return false
	}
	return true
}

// charset = atom / quoted (RFC 9051 §9); RFC 3501 has astring.
func (d *Decoder) charset() (string, error) {
	b, err := d.astringBytes()
	if err != nil {
		return "", d.errExpected("charset")
	}
	return str(b), nil
}

// searchReturnOpts reads [RETURN SP "(" [opts] ")" SP] if present.
func (d *Decoder) searchReturnOpts() ([]imap.SearchReturnOpt, bool, error) {
	start := d.pos
	if !d.acceptWord("RETURN") {
		return nil, false, nil
	}
	if d.peek() != '(' {
		d.pos = start
		return nil, false, nil
	}
	opts := []imap.SearchReturnOpt{}
	err := d.list(true, func() error {
		o, err := d.searchReturnOpt()
		if err != nil {
			return err
		}
		opts = append(opts, o)
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if err := d.sp(); err != nil {
		return nil, false, err
	}
	return opts, true, nil
}

// searchReturnOpt reads one return option. Extension options
// (search-ret-opt-ext, RFC 4466) are kept as their upper-case name and,
// if they have parameters (e.g. RFC 5267 "PARTIAL 1:100"), a space and
// the parameters verbatim.
func (d *Decoder) searchReturnOpt() (imap.SearchReturnOpt, error) {
	b, err := d.atom()
	if err != nil {
		return "", d.errExpected("search-return-opt")
	}
	for _, o := range [...]imap.SearchReturnOpt{imap.ReturnMin, imap.ReturnMax, imap.ReturnAll, imap.ReturnCount, imap.ReturnSave} {
		if equalFold(b, string(o)) {
			return o, nil
		}
	}
	if equalFold(b, string(imap.ReturnPartial)) {
		// modifier-partial = "PARTIAL" SP partial-range (RFC 9394 §4),
		// kept as "PARTIAL <range>" in canonical form.
		if err := d.sp(); err != nil {
			return "", err
		}
		r, err := d.partialRange()
		if err != nil {
			return "", err
		}
		return imap.PartialReturn(r), nil
	}
	if d.strict() && !isTaggedExtLabel(b) {
		return "", d.errExpected("search-modifier-name")
	}
	name := upper(b)
	// search-mod-params = tagged-ext-val = sequence-set / number /
	// "(" [tagged-ext-comp] ")"
	i := d.pos
	if i+1 < len(d.line) && d.line[i] == ' ' {
		if c := d.line[i+1]; c == '(' || seqSetChar[c] {
			d.pos++
			out := append([]byte(name), ' ')
			if err := d.appendRaw(&out); err != nil {
				return "", err
			}
			return imap.SearchReturnOpt(str(out)), nil
		}
	}
	return imap.SearchReturnOpt(name), nil
}

// partialRange reads a partial-range (RFC 9394 §4):
//
//	partial-range       = partial-range-first / partial-range-last
//	partial-range-first = nz-number ":" nz-number
//	partial-range-last  = MINUS nz-number ":" MINUS nz-number
//
// Both modes require non-zero numbers of the same sign.
func (d *Decoder) partialRange() (imap.PartialRange, error) {
	var r imap.PartialRange
	r.FromEnd = d.accept('-')
	num := func() (uint32, error) {
		start := d.pos
		if c := d.peek(); c < '0' || c > '9' {
			return 0, d.errExpected("nz-number")
		}
		n, err := d.number()
		if err == nil && n == 0 {
			d.pos = start
			err = d.errExpected("nz-number")
		}
		return n, err
	}
	var err error
	if r.Start, err = num(); err != nil {
		return r, err
	}
	if err := d.expect(':'); err != nil {
		return r, err
	}
	if r.FromEnd {
		if err := d.expect('-'); err != nil {
			return r, err
		}
	}
	r.Stop, err = num()
	return r, err
}

// isTaggedExtLabel reports whether b is a tagged-ext-label (RFC 4466 §3):
// tagged-label-fchar *tagged-label-char.
func isTaggedExtLabel(b []byte) bool {
	for i, c := range b {
		alpha := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == '_' || c == '.'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == ':')) {
			return false
		}
	}
	return len(b) > 0
}

// searchKeys reads search-key *(SP search-key) into one SearchAnd node.
func (d *Decoder) searchKeys() (imap.SearchKey, error) {
	and := imap.SearchKey{Op: imap.SearchAnd, Children: make([]imap.SearchKey, 0, 4)}
	for {
		if len(and.Children) >= d.opt.MaxListLength {
			return and, d.syntaxErr("", ErrListTooLong)
		}
		k, err := d.searchKey()
		if err != nil {
			return and, err
		}
		and.Children = append(and.Children, k)
		if !d.spMore() {
			return and, nil
		}
	}
}

// searchKey reads one search-key.
func (d *Decoder) searchKey() (imap.SearchKey, error) {
	switch c := d.peek(); {
	case c == '(':
		// "(" search-key *(SP search-key) ")"
		k := imap.SearchKey{Op: imap.SearchAnd}
		err := d.list(false, func() error {
			child, err := d.searchKey()
			if err != nil {
				return err
			}
			k.Children = append(k.Children, child)
			return nil
		})
		if err == nil && len(k.Children) == 0 {
			// "()" even in lenient mode: an AND needs a key.
			d.pos--
			err = d.errExpected("search-key")
		}
		return k, err
	case c >= '0' && c <= '9' || c == '*' || c == '$':
		set, err := d.numSet()
		return imap.SearchKey{Op: imap.SearchSeqSet, Set: set}, err
	}
	start := d.pos
	b, err := d.atom()
	if err != nil {
		return imap.SearchKey{}, d.errExpected("search-key")
	}
	i := lookupSearchKey(b)
	if i < 0 {
		if d.strict() {
			d.pos = start
			return imap.SearchKey{}, d.errExpected("search-key")
		}
		return d.rawSearchKey(b)
	}
	k := imap.SearchKey{Op: searchKeys[i].op}
	arg := searchKeys[i].arg
	if arg == argNone {
		return k, nil
	}
	if err := d.sp(); err != nil {
		return k, err
	}
	switch arg {
	case argAstring:
		k.Str, err = d.astring()
	case argDate:
		k.Date, err = d.date()
	case argNumber:
		k.Num, err = d.number64()
	case argNzNumber:
		var n uint32
		n, err = d.nzNumber()
		k.Num = uint64(n)
	case argKeyword:
		k.Flag, err = d.flag()
		if err == nil && d.strict() && k.Flag.IsSystem() {
			err = d.errExpected("flag-keyword")
		}
	case argHeader:
		if k.Field, err = d.astring(); err != nil {
			return k, err
		}
		if err := d.sp(); err != nil {
			return k, err
		}
		k.Str, err = d.astring()
	case argSet:
		k.Set, err = d.numSet()
	case argNot, argOr:
		if err := d.push(); err != nil {
			return k, err
		}
		defer d.pop()
		n := 1
		if arg == argOr {
			n = 2
		}
		k.Children = make([]imap.SearchKey, n)
		for j := 0; j < n; j++ {
			if j > 0 {
				if err := d.sp(); err != nil {
					return k, err
				}
			}
			if k.Children[j], err = d.searchKey(); err != nil {
				return k, err
			}
		}
	case argModSeq:
		// search-modsequence = "MODSEQ" [search-modseq-ext] SP
		//                      mod-sequence-valzer
		// search-modseq-ext   = SP entry-name SP entry-type-req
		// (RFC 7162 §7)
		if d.peek() == '"' {
			if k.Field, err = d.string(); err != nil {
				return k, err
			}
			if err := d.sp(); err != nil {
				return k, err
			}
			ts := d.pos
			t, _ := d.atom()
			switch {
			case equalFold(t, "PRIV"):
				k.Str = "priv"
			case equalFold(t, "SHARED"):
				k.Str = "shared"
			case equalFold(t, "ALL"):
				k.Str = "all"
			}
			if k.Str == "" {
				d.pos = ts
				return k, d.errExpected(`"priv", "shared" or "all"`)
			}
			if err := d.sp(); err != nil {
				return k, err
			}
		}
		k.Num, err = d.modSeq(true)
	case argObjectID:
		var b []byte
		os := d.pos
		b, err = d.astringBytes()
		if err == nil && d.strict() && !isObjectID(b) {
			d.pos = os
			err = d.errExpected("objectid")
		}
		k.Str = str(b)
	}
	return k, err
}

// isObjectID reports whether b is an objectid (RFC 8474 §7):
// 1*255(ALPHA / DIGIT / "_" / "-").
func isObjectID(b []byte) bool {
	if len(b) == 0 || len(b) > 255 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// rawSearchKey keeps an unknown key (lenient mode): its name in Field and
// its argument, if any, verbatim in Raw. Since the grammar of an unknown
// key is unknown, it is taken to have at most one argument: the value that
// follows if that is a string, a literal, or an atom that is not a known
// search key (so "X-GM-RAW "has:attachment"" and "X-GM-THRID 123" keep
// their argument; a parenthesized list is always read as a search key).
func (d *Decoder) rawSearchKey(name []byte) (imap.SearchKey, error) {
	k := imap.SearchKey{Op: imap.SearchRaw, Field: upper(name)}
	save := d.pos
	if !d.spMore() {
		return k, nil
	}
	switch c := d.peek(); {
	case c == '(' || c == ')':
		d.pos = save
		return k, nil
	case c == '"' || c == '{' || d.literal8Next():
	default:
		as := d.pos
		b := d.span(&lenientAtomChar)
		d.pos = as
		if len(b) == 0 || lookupSearchKey(b) >= 0 {
			d.pos = save
			return k, nil
		}
	}
	var out []byte
	if err := d.appendRaw(&out); err != nil {
		return k, err
	}
	k.Raw = out
	return k, nil
}

// sortKeys are the sort-key names of RFC 5256 §5 and RFC 5957.
var sortKeys = [...]string{"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"}

// cmdSort decodes the arguments of SORT.
func (d *Decoder) cmdSort() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	s := &imap.SortCommand{}
	var err error
	if s.Return, s.HasReturn, err = d.searchReturnOpts(); err != nil {
		return nil, err
	}
	// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")"
	// sort-criterion = ["REVERSE" SP] sort-key
	err = d.list(false, func() error {
		var c imap.SortCriterion
		c.Reverse = d.acceptWord("REVERSE")
		start := d.pos
		b, err := d.atom()
		if err != nil {
			return d.errExpected("sort-key")
		}
		for _, k := range sortKeys {
			if equalFold(b, k) {
				c.Key = k
				break
			}
		}
		if c.Key == "" {
			if d.strict() {
				d.pos = start
				return d.errExpected("sort-key")
			}
			c.Key = upper(b)
		}
		s.Criteria = append(s.Criteria, c)
		return nil
	})
	if err == nil && len(s.Criteria) == 0 {
		// "()" even in lenient mode: SORT needs a criterion.
		d.pos--
		err = d.errExpected("sort-criterion")
	}
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if s.Charset, err = d.charset(); err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if s.Key, err = d.searchKeys(); err != nil {
		return nil, err
	}
	return s, nil
}

// cmdThread decodes the arguments of THREAD.
func (d *Decoder) cmdThread() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	t := &imap.ThreadCommand{}
	var err error
	// thread-alg = "ORDEREDSUBJECT" / "REFERENCES" / thread-alg-ext (atom)
	if t.Algorithm, err = d.keyword("thread-alg"); err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if t.Charset, err = d.charset(); err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if t.Key, err = d.searchKeys(); err != nil {
		return nil, err
	}
	return t, nil
}
