package imapserver

// SEARCH, SORT and THREAD: RFC 3501 §6.4.4, RFC 9051 §6.4.4, ESEARCH
// (RFC 4731), SEARCHRES (RFC 5182), the CONDSTORE MODSEQ key (RFC 7162
// §3.1.5), SORT and THREAD (RFC 5256), SORT=DISPLAY (RFC 5957) and ESORT
// (RFC 5267 §3).
//
// The searching itself is mailstore.Search, Sort and Thread: they return
// UIDs, which the commands without UID turn into sequence numbers through
// the view. The view changes only through Poll, which the core calls after
// the command, so the two are always consistent; and since the core holds
// back expunges after SEARCH, SORT and THREAD (RFC 3501 §7.4.1), the
// numbers the client gets stay valid until the next command.

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mime"
)

// searchCharsets are the charsets named in BADCHARSET: the two every
// server must support (RFC 3501 §6.4.4). Others that golang.org/x/text
// knows are converted too, but the list would be long.
var searchCharsets = []string{"UTF-8", "US-ASCII"}

// searchReturn is what a SEARCH or SORT asked to get back (RFC 4731 §3.1,
// RFC 5182 §2.4, RFC 5267 §3.1).
type searchReturn struct {
	// esearch: answer with ESEARCH rather than SEARCH or SORT.
	esearch                    bool
	min, max, all, count, save bool
}

// onlySave reports whether SAVE is the only option: then no ESEARCH is
// sent at all (RFC 9051 §6.4.4 SAVE).
func (r searchReturn) onlySave() bool {
	return r.save && !r.min && !r.max && !r.all && !r.count
}

// minMaxOnly reports whether MIN or MAX are asked without ALL and COUNT,
// which changes what SAVE keeps (RFC 5182 §2.4) and which MODSEQ is
// returned (RFC 4731 §3.2).
func (r searchReturn) minMaxOnly() bool {
	return (r.min || r.max) && !r.all && !r.count
}

// parseSearchReturn reads the RETURN options. An option the server does
// not know is BAD (RFC 9051 §6.4.4: "Any options not defined by
// extensions that the server supports MUST be rejected with a BAD
// response"). An empty list means ALL (RFC 4731 §3.1).
func parseSearchReturn(opts []imap.SearchReturnOpt, has bool) (searchReturn, *status) {
	var r searchReturn
	if !has {
		return r, nil
	}
	r.esearch = true
	for _, o := range opts {
		switch imap.SearchReturnOpt(strings.ToUpper(string(o))) {
		case imap.ReturnMin:
			r.min = true
		case imap.ReturnMax:
			r.max = true
		case imap.ReturnAll:
			r.all = true
		case imap.ReturnCount:
			r.count = true
		case imap.ReturnSave:
			r.save = true
		default:
			name, _, _ := strings.Cut(string(o), " ")
			return r, bad("Unknown return option " + name)
		}
	}
	if !r.min && !r.max && !r.all && !r.count && !r.save {
		r.all = true
	}
	return r, nil
}

// searchHasRaw returns the name of the first key in k that the codec did
// not know (kept as SearchRaw in lenient mode), or "".
func searchHasRaw(k *imap.SearchKey) string {
	if k.Op == imap.SearchRaw {
		if k.Field == "" {
			return "?"
		}
		return k.Field
	}
	for i := range k.Children {
		if name := searchHasRaw(&k.Children[i]); name != "" {
			return name
		}
	}
	return ""
}

// searchHasModSeq reports whether k uses the MODSEQ key anywhere
// (RFC 7162 §3.1.5).
func searchHasModSeq(k *imap.SearchKey) bool {
	if k.Op == imap.SearchModSeq {
		return true
	}
	for i := range k.Children {
		if searchHasModSeq(&k.Children[i]) {
			return true
		}
	}
	return false
}

// isUTF8Charset reports whether the strings of a search in charset cs are
// UTF-8 as they are: no charset, UTF-8, or its subset US-ASCII.
func isUTF8Charset(cs string) bool {
	switch strings.ToLower(strings.TrimSpace(cs)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

// searchConvertCharset rewrites the strings of k from charset cs to UTF-8,
// which the matcher works in. A charset the server does not know is NO
// [BADCHARSET] (RFC 3501 §6.4.4: "If the server does not support the
// specified [CHARSET], it MUST return a tagged NO response (not a BAD)");
// US-ASCII and UTF-8 need nothing, and every other charset that
// golang.org/x/text knows is converted (RFC 9051: "other CHARSETs MAY be
// supported").
func searchConvertCharset(cs string, k *imap.SearchKey) *status {
	if isUTF8Charset(cs) {
		return nil
	}
	badCharset := no(&imap.ResponseCode{Name: imap.CodeBadCharset, Strings: slices.Clone(searchCharsets)},
		"Unsupported charset "+cs)
	switch strings.ToLower(strings.TrimSpace(cs)) {
	case "x-unknown", "unknown-8bit":
		// mime.Encoding takes these as "do not convert"; as a SEARCH
		// charset they name nothing.
		return badCharset
	}
	if enc, err := mime.Encoding(cs); err != nil || enc == nil {
		return badCharset
	}
	var walk func(k *imap.SearchKey) *status
	walk = func(k *imap.SearchKey) *status {
		switch k.Op {
		case imap.SearchBcc, imap.SearchBody, imap.SearchCc, imap.SearchFrom,
			imap.SearchHeader, imap.SearchSubject, imap.SearchText, imap.SearchTo:
			s, err := mime.DecodeCharset(cs, []byte(k.Str))
			if err != nil {
				return bad("Search string is not valid " + cs)
			}
			k.Str = s
		}
		for i := range k.Children {
			if st := walk(&k.Children[i]); st != nil {
				return st
			}
		}
		return nil
	}
	return walk(k)
}

// searchPrepare checks a search program and brings it to UTF-8: unknown
// keys are BAD, an unknown charset NO [BADCHARSET]. The MODSEQ key is a
// CONDSTORE enabling command (RFC 7162 §3.1): the first one reports the
// mailbox's HIGHESTMODSEQ.
func (c *conn) searchPrepare(charset string, key *imap.SearchKey) *status {
	if name := searchHasRaw(key); name != "" {
		return bad("Unknown search key " + name)
	}
	if st := searchConvertCharset(charset, key); st != nil {
		return st
	}
	if searchHasModSeq(key) && !c.enabled[imap.CapCondStore] {
		c.enabled[imap.CapCondStore] = true
		c.untaggedOK(&imap.ResponseCode{Name: imap.CodeHighestModSeq, Num: c.mbox.HighestModSeq()}, "Highest")
	}
	return nil
}

// searchError answers a failed search, sort or thread.
func (c *conn) searchError(err error) *status {
	switch {
	case errors.Is(err, mime.ErrInvalidKey):
		return bad("Invalid search key")
	case errors.Is(err, mime.ErrUnknownSortKey):
		return bad("Unknown sort criterion")
	case errors.Is(err, mime.ErrUnknownThreadAlgorithm):
		return bad("Unknown threading algorithm")
	case errors.Is(err, mime.ErrUnsupportedKey):
		// A key the codec knows but the store cannot evaluate: "NO -
		// search error: can't search that [CHARSET] or criteria"
		// (RFC 3501 §6.4.4).
		return no(code(imap.CodeCannot), "Can't search that criterion")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return no(nil, "Search interrupted")
	}
	return c.storeError(err)
}

// searchSeqs returns the sequence numbers, in the view, of uids (in any
// order), and the view's MessageInfo of each. A UID the view does not
// have (which a store's Searcher should not return) is left out.
func searchSeqs(msgs []mailstore.MessageInfo, uids []uint32) (seqs []uint32, infos []*mailstore.MessageInfo) {
	seqs = make([]uint32, 0, len(uids))
	infos = make([]*mailstore.MessageInfo, 0, len(uids))
	next := 0 // where the previous UID was found: ascending UIDs cost O(n)
	for _, uid := range uids {
		i := next
		if i >= len(msgs) || msgs[i].UID != uid {
			seq, found := searchSeqOf(msgs, uid)
			if !found {
				continue
			}
			i = int(seq - 1)
		}
		seqs = append(seqs, uint32(i+1))
		infos = append(infos, &msgs[i])
		next = i + 1
	}
	return seqs, infos
}

// searchSeqOf returns the sequence number of uid in the view's list
// (ascending UIDs), by binary search.
func searchSeqOf(msgs []mailstore.MessageInfo, uid uint32) (uint32, bool) {
	i, found := slices.BinarySearchFunc(msgs, uid, func(m mailstore.MessageInfo, u uint32) int {
		switch {
		case m.UID < u:
			return -1
		case m.UID > u:
			return 1
		}
		return 0
	})
	return uint32(i + 1), found
}

// searchResult is the outcome of SEARCH or SORT, in answer order
// (ascending for SEARCH, sorted for SORT).
type searchResult struct {
	uids  []uint32
	nums  []uint32 // what the answer shows: uids, or sequence numbers
	infos []*mailstore.MessageInfo
}

// newSearchResult maps the UIDs a search returned to the view.
func (c *conn) newSearchResult(uids []uint32, uid bool) *searchResult {
	seqs, infos := searchSeqs(c.mbox.Messages(), uids)
	r := &searchResult{nums: seqs, infos: infos}
	r.uids = make([]uint32, len(infos))
	for i, mi := range infos {
		r.uids[i] = mi.UID
	}
	if uid {
		r.nums = r.uids
	}
	return r
}

// highestModSeq returns the highest MODSEQ of the results at the given
// indexes, or of all of them when idx is nil.
func (r *searchResult) highestModSeq(idx ...int) uint64 {
	var m uint64
	if idx == nil {
		for _, mi := range r.infos {
			m = max(m, mi.ModSeq)
		}
		return m
	}
	for _, i := range idx {
		m = max(m, r.infos[i].ModSeq)
	}
	return m
}

// answer writes the untagged answer to a SEARCH or SORT (kind is
// wire.KindSearch or wire.KindSort) and saves the result for "$" when
// asked. withModSeq adds the highest MODSEQ of the messages returned
// (RFC 7162 §3.1.5, §3.1.9 and §3.1.10; RFC 4731 §3.2).
func (c *conn) answerSearch(cmd *wire.Command, ret searchReturn, r *searchResult, kind wire.ResponseKind, withModSeq bool) {
	n := len(r.nums)
	if ret.save {
		// RFC 5182 §2.4: with MIN and/or MAX alone, "$" holds just
		// those; otherwise every message found. "$" is kept as UIDs,
		// which survive expunges and serve both FETCH and UID FETCH.
		var keep []uint32
		switch {
		case n == 0:
		case ret.minMaxOnly():
			if ret.min {
				keep = append(keep, r.uids[0])
			}
			if ret.max {
				keep = append(keep, r.uids[n-1])
			}
		default:
			keep = slices.Clone(r.uids)
		}
		slices.Sort(keep)
		var set imap.NumSet
		for _, u := range slices.Compact(keep) {
			set.AddNum(u)
		}
		c.searchRes = set
	}

	if !ret.esearch {
		data := &imap.SearchData{Nums: r.nums}
		if withModSeq && n > 0 {
			data.ModSeq = r.highestModSeq()
		}
		c.writeResp(&wire.Response{Kind: kind, Search: data})
		return
	}
	if ret.onlySave() {
		return
	}
	es := &imap.ESearchData{Tag: cmd.Tag, UID: cmd.UID}
	if n > 0 {
		// For SORT, MIN and MAX are the first and last in sort order
		// (RFC 5267 §3.1: "the lowest sorted message"); for SEARCH the
		// numbers ascend, so these are the lowest and highest.
		if ret.min {
			es.Min = r.nums[0]
		}
		if ret.max {
			es.Max = r.nums[n-1]
		}
		if ret.all {
			// Built in answer order: ascending runs become ranges,
			// and a SORT's order is kept (RFC 5267 §3.2).
			for _, num := range r.nums {
				es.All.AddNum(num)
			}
			es.HasAll = true
		}
		if withModSeq {
			switch {
			case !ret.minMaxOnly():
				es.ModSeq = r.highestModSeq()
			case ret.min && ret.max:
				es.ModSeq = r.highestModSeq(0, n-1)
			case ret.min:
				es.ModSeq = r.highestModSeq(0)
			default:
				es.ModSeq = r.highestModSeq(n - 1)
			}
		}
	}
	if ret.count {
		es.Count, es.HasCount = uint32(n), true
	}
	c.writeResp(&wire.Response{Kind: wire.KindESearch, ESearch: es})
}

// searchOptions are the session state a search depends on.
func (c *conn) searchOptions() *mailstore.SearchOptions {
	return &mailstore.SearchOptions{SearchRes: c.searchRes}
}

// cmdSearch is SEARCH and UID SEARCH (RFC 3501 §6.4.4, RFC 9051 §6.4.4)
// with ESEARCH return options (RFC 4731), SAVE (RFC 5182) and MODSEQ
// (RFC 7162 §3.1.5). An IMAP4rev2 client always gets ESEARCH (RFC 9051
// §6.4.4, §7.3.4); an IMAP4rev1 client gets it only with RETURN.
func (c *conn) cmdSearch(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.SearchCommand)
	if args == nil {
		return bad("SEARCH needs search keys")
	}
	ret, st := parseSearchReturn(args.Return, args.HasReturn)
	if st != nil {
		return st
	}
	if c.rev2() {
		ret.esearch = true
		if !args.HasReturn {
			ret.all = true
		}
	}
	// RFC 5182 §2.1: a SEARCH (SAVE) answered NO empties "$"; BAD
	// leaves it alone.
	fail := func(st *status) *status {
		if ret.save && st.typ == wire.StatusNO {
			c.searchRes = imap.NumSet{}
		}
		return st
	}
	if args.Charset != "" && !isUTF8Charset(args.Charset) && c.enabled[imap.CapUTF8Accept] {
		// RFC 6855 §3: after ENABLE UTF8=ACCEPT a client must not name
		// another charset; "SHOULD reject the command with a BAD
		// response (due to the conflicting charset labels)". CHARSET
		// UTF-8 is no conflict, and RFC 9051 permits it.
		return bad("CHARSET conflicts with UTF8=ACCEPT")
	}
	if st := c.searchPrepare(args.Charset, &args.Key); st != nil {
		return fail(st)
	}
	uids, err := mailstore.Search(c.ctx, c.mbox, args.Key, c.searchOptions())
	if err != nil {
		return fail(c.searchError(err))
	}
	r := c.newSearchResult(uids, cmd.UID)
	c.answerSearch(cmd, ret, r, wire.KindSearch, searchHasModSeq(&args.Key))
	return nil
}

// sortKeyNames are the sort criteria of RFC 5256 §3 and RFC 5957
// (SORT=DISPLAY).
var sortKeyNames = []string{"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"}

// cmdSort is SORT and UID SORT (RFC 5256 BASE.6.4.SORT, RFC 5957), with
// the return options of ESORT (RFC 5267 §3.1) answered with ESEARCH, and
// SAVE (RFC 9051 §6.4.4: SAVE remembers "any command based on SEARCH,
// e.g., SORT and THREAD").
func (c *conn) cmdSort(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.SortCommand)
	if args == nil {
		return bad("SORT needs sort criteria, a charset and search keys")
	}
	ret, st := parseSearchReturn(args.Return, args.HasReturn)
	if st != nil {
		return st
	}
	for _, cr := range args.Criteria {
		if !slices.Contains(sortKeyNames, strings.ToUpper(cr.Key)) {
			return bad("Unknown sort criterion " + cr.Key)
		}
	}
	fail := func(st *status) *status {
		if ret.save && st.typ == wire.StatusNO {
			c.searchRes = imap.NumSet{}
		}
		return st
	}
	if st := c.searchPrepare(args.Charset, &args.Key); st != nil {
		return fail(st)
	}
	uids, err := mailstore.Sort(c.ctx, c.mbox, args.Criteria, args.Key, c.searchOptions())
	if err != nil {
		return fail(c.searchError(err))
	}
	r := c.newSearchResult(uids, cmd.UID)
	c.answerSearch(cmd, ret, r, wire.KindSort, searchHasModSeq(&args.Key))
	return nil
}

// threadAlgorithms are the threading algorithms of RFC 5256 the server
// implements.
var threadAlgorithms = []string{"ORDEREDSUBJECT", "REFERENCES"}

// cmdThread is THREAD and UID THREAD (RFC 5256 BASE.6.4.THREAD). The
// THREAD response is the same with or without MODSEQ in the key
// (RFC 7162 §3.1.9).
func (c *conn) cmdThread(cmd *wire.Command) *status {
	args, _ := cmd.Args.(*imap.ThreadCommand)
	if args == nil {
		return bad("THREAD needs an algorithm, a charset and search keys")
	}
	if !slices.Contains(threadAlgorithms, strings.ToUpper(args.Algorithm)) {
		return bad("Unknown threading algorithm " + args.Algorithm)
	}
	if st := c.searchPrepare(args.Charset, &args.Key); st != nil {
		return st
	}
	threads, err := mailstore.Thread(c.ctx, c.mbox, args.Algorithm, args.Key, c.searchOptions())
	if err != nil {
		return c.searchError(err)
	}
	if !cmd.UID {
		msgs := c.mbox.Messages()
		var walk func(ns []imap.ThreadNode)
		walk = func(ns []imap.ThreadNode) {
			for i := range ns {
				if seq, ok := searchSeqOf(msgs, ns[i].Num); ok {
					ns[i].Num = seq
				}
				walk(ns[i].Children)
			}
		}
		walk(threads)
	}
	c.writeResp(&wire.Response{Kind: wire.KindThread, Threads: threads})
	return nil
}
