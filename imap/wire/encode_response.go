package wire

import (
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// This file encodes server responses (RFC 3501 §7, RFC 9051 §7 and the
// extensions named at each response).

// WriteResponse encodes r and buffers it for writing; call Flush to send
// it. Literals in responses never wait for a continuation. An invalid
// response yields an *EncodeError and nothing is written.
func (e *Encoder) WriteResponse(r *Response) error {
	if e.err != nil {
		return e.err
	}
	e.begin(false)
	e.response(r)
	return e.finish()
}

func (e *Encoder) response(r *Response) {
	if r == nil {
		e.fail("response", "", "nil response")
		return
	}
	switch r.Kind {
	case KindStatus:
		e.statusResponse(r)
		return
	case KindContinuation:
		// continue-req = "+" SP (resp-text / base64) (RFC 9051 §9).
		if r.Tag != "" {
			e.fail("continuation request", r.Tag, "cannot be tagged")
		}
		e.raw("+ ")
		e.respText(r.Code, r.Text)
		return
	}
	if r.Tag != "" {
		e.fail("response", r.Tag, r.Kind.String()+" responses are untagged")
	}
	e.raw("* ")
	switch r.Kind {
	case KindCapability:
		e.raw("CAPABILITY")
		for _, c := range r.Caps {
			e.sp()
			e.capability(c)
		}
	case KindEnabled:
		// RFC 5161 §4: enable-data = "ENABLED" *(SP capability).
		e.raw("ENABLED")
		for _, c := range r.Caps {
			e.sp()
			e.capability(c)
		}
	case KindList, KindLsub:
		e.listResponse(r)
	case KindStatusData:
		e.statusData(r.StatusData)
	case KindSearch, KindSort:
		e.searchResponse(r)
	case KindESearch:
		e.esearch(r.ESearch)
	case KindThread:
		// RFC 5256 §5: thread-data = "THREAD" [SP 1*thread-list].
		e.raw("THREAD")
		if len(r.Threads) > 0 {
			e.sp()
			for i := range r.Threads {
				e.threadList(&r.Threads[i], 0)
			}
		}
	case KindFlags:
		e.raw("FLAGS ")
		e.flagList(r.Flags, false)
	case KindExists:
		e.num32(r.Num)
		e.raw(" EXISTS")
	case KindRecent:
		e.num32(r.Num)
		e.raw(" RECENT")
	case KindExpunge:
		e.nz("EXPUNGE sequence number", r.Num)
		e.raw(" EXPUNGE")
	case KindVanished:
		// RFC 7162 §7: expunged-resp = "VANISHED" [SP "(EARLIER)"] SP
		// known-uids.
		v := r.Vanished
		if v == nil {
			e.fail("VANISHED", "", "no data")
			return
		}
		e.raw("VANISHED ")
		if v.Earlier {
			e.raw("(EARLIER) ")
		}
		e.uidSet("VANISHED UIDs", v.UIDs.NumSet)
	case KindFetch:
		if r.Fetch != nil && r.Fetch.UIDFetch {
			e.fail("FETCH", "", "a UIDFETCH response (Fetch.UIDFetch) is sent as KindUIDFetch")
		}
		e.fetchResponse(r.Fetch, "FETCH")
	case KindUIDFetch:
		// RFC 9586 §3.3: uidfetch-resp = uniqueid SP "UIDFETCH" SP
		// msg-att.
		e.fetchResponse(r.Fetch, "UIDFETCH")
	case KindNamespace:
		e.namespace(r.Namespace)
	case KindID:
		e.raw("ID ")
		e.idParams(r.ID)
	case KindQuota:
		// RFC 9208 §7: quota-response = "QUOTA" SP quota-root-name SP
		// quota-list.
		q := r.Quota
		if q == nil {
			e.fail("QUOTA", "", "no data")
			return
		}
		e.raw("QUOTA ")
		e.astr("quota root", q.Root)
		e.raw(" (")
		for i, res := range q.Resources {
			if i > 0 {
				e.sp()
			}
			e.atom("quota resource", res.Name)
			e.sp()
			e.number64("quota usage", res.Usage)
			e.sp()
			e.number64("quota limit", res.Limit)
		}
		e.byte1(')')
	case KindQuotaRoot:
		// quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)
		q := r.QuotaRoot
		if q == nil {
			e.fail("QUOTAROOT", "", "no data")
			return
		}
		e.raw("QUOTAROOT ")
		e.mailbox("mailbox", q.Mailbox)
		for _, root := range q.Roots {
			e.sp()
			e.astr("quota root", root)
		}
	case KindACL:
		// RFC 4314 §7: acl-data = "ACL" SP mailbox *(SP identifier SP
		// rights).
		a := r.ACL
		if a == nil {
			e.fail("ACL", "", "no data")
			return
		}
		e.raw("ACL ")
		e.mailbox("mailbox", a.Mailbox)
		for _, en := range a.Entries {
			e.sp()
			e.astr("identifier", en.Identifier)
			e.sp()
			e.astr("rights", en.Rights)
		}
	case KindListRights:
		// listrights-data = "LISTRIGHTS" SP mailbox SP identifier SP
		// rights *(SP rights)
		a := r.ListRights
		if a == nil {
			e.fail("LISTRIGHTS", "", "no data")
			return
		}
		e.raw("LISTRIGHTS ")
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.astr("identifier", a.Identifier)
		e.sp()
		e.astr("rights", a.Required)
		for _, o := range a.Optional {
			e.sp()
			e.astr("rights", o)
		}
	case KindMyRights:
		a := r.MyRights
		if a == nil {
			e.fail("MYRIGHTS", "", "no data")
			return
		}
		e.raw("MYRIGHTS ")
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.astr("rights", a.Rights)
	case KindMetadata:
		e.metadataResponse(r.Metadata)
	case KindOther:
		// An unknown response, possibly numbered ("* 3 XFOO ..."). A
		// name starting with a digit would be read as a number, so such
		// a response is numbered, if with 0.
		if r.Num != 0 || r.Name != "" && r.Name[0] >= '0' && r.Name[0] <= '9' {
			e.num32(r.Num)
			e.sp()
		}
		e.otherName(r.Name)
		if r.Raw != nil {
			// A non-nil empty Raw is a trailing space as received.
			e.sp()
			e.rawValue("response data", r.Raw, true)
		}
	default:
		e.fail("response", r.Kind.String(), "unknown response kind")
	}
}

// otherName appends the name of a response the codec has no typed form
// for. The decoder keeps whatever precedes the first space, so any such
// word is written back, as long as it cannot break the framing: no SP,
// CR, LF or NUL, and no literal header at its end.
func (e *Encoder) otherName(name string) {
	bad := name == "" || strings.ContainsAny(name, " \r\n\x00")
	if i := strings.LastIndexByte(name, '{'); i >= 0 {
		if _, end, ok := encScanLiteralHeader(name, i); ok && end == len(name) {
			bad = true
		}
	}
	if bad {
		e.fail("response name", name, "not a word")
	}
	e.raw(name)
}

// statusResponse encodes a status response (RFC 9051 §7.1):
// tag SP resp-cond-state, or "*" SP (resp-cond-state / resp-cond-auth /
// resp-cond-bye).
func (e *Encoder) statusResponse(r *Response) {
	switch r.Status {
	case StatusOK, StatusNO, StatusBAD:
	case StatusPREAUTH, StatusBYE:
		if r.Tag != "" {
			e.fail("status response", string(r.Status), "cannot be tagged")
		}
	default:
		e.fail("status response", string(r.Status), "unknown condition")
	}
	if r.Tag == "" {
		e.byte1('*')
	} else {
		e.tag(r.Tag)
	}
	e.sp()
	e.raw(string(r.Status))
	e.sp()
	e.respText(r.Code, r.Text)
}

// respText appends resp-text = ["[" resp-text-code "]" SP] [text]
// (RFC 9051 §9). Text without a code may not begin with "[", which would
// be read as one.
func (e *Encoder) respText(code *imap.ResponseCode, text string) {
	if code != nil {
		e.byte1('[')
		e.respCode(code)
		e.byte1(']')
		if text == "" {
			// As RFC 9051 §6.3.2 itself writes "* OK [UIDNEXT 4392]";
			// decoders accept the missing SP.
			return
		}
		e.sp()
	} else if strings.HasPrefix(text, "[") {
		e.fail("response text", text, `text beginning with "[" would be read as a response code`)
	}
	e.text("response text", text)
}

// respCode appends a resp-text-code (RFC 9051 §7.1 and §9, RFC 4315,
// RFC 7162, RFC 5530, RFC 7889, RFC 8474, RFC 2221, RFC 5465).
func (e *Encoder) respCode(c *imap.ResponseCode) {
	name := string(c.Name)
	if name == "" || strings.IndexByte(name, ']') >= 0 {
		e.fail("response code", name, "not an atom")
	}
	e.atom("response code", name)
	if c.Name == imap.CodeMetadata && len(c.Strings) > 0 {
		e.metadataCode(c)
		return
	}
	if c.Raw != "" {
		// atom [SP 1*<any TEXT-CHAR except "]">]
		if strings.IndexByte(c.Raw, ']') >= 0 || !e.validText(c.Raw) {
			e.fail("response code argument", c.Raw, `not TEXT-CHARs other than "]"`)
		}
		e.sp()
		e.raw(c.Raw)
		return
	}
	switch c.Name {
	case imap.CodeBadCharset:
		if len(c.Strings) > 0 {
			e.raw(" (")
			for i, s := range c.Strings {
				if i > 0 {
					e.sp()
				}
				e.charset(s)
			}
			e.byte1(')')
		}
	case imap.CodeCapability:
		for _, cp := range c.Caps {
			e.sp()
			e.capability(cp)
		}
	case imap.CodePermanentFlags:
		e.sp()
		e.flagList(c.Flags, true)
	case imap.CodeUIDNext, imap.CodeUIDValidity, imap.CodeUnseen:
		e.sp()
		e.nz64(name, c.Num)
	case imap.CodeAppendUID:
		// RFC 4315 §4: "APPENDUID" SP nz-number SP append-uid.
		e.sp()
		e.nz64("APPENDUID UIDVALIDITY", c.Num)
		e.sp()
		e.uidSet("APPENDUID UIDs", c.Set.NumSet)
	case imap.CodeCopyUID:
		// "COPYUID" SP nz-number SP uid-set SP uid-set
		e.sp()
		e.nz64("COPYUID UIDVALIDITY", c.Num)
		e.sp()
		e.uidSet("COPYUID source UIDs", c.Set.NumSet)
		e.sp()
		e.uidSet("COPYUID destination UIDs", c.Set2.NumSet)
	case imap.CodeHighestModSeq:
		e.sp()
		e.number64(name, c.Num)
	case imap.CodeModified:
		// RFC 7162 §7: "MODIFIED" SP sequence-set ("$" makes no sense).
		e.sp()
		if c.Set.IsSearchRes() {
			e.fail("MODIFIED set", "$", "not allowed here")
		}
		e.numSet("MODIFIED set", c.Set.NumSet)
	case imap.CodeAppendLimit:
		e.sp()
		e.number64(name, c.Num)
	case imap.CodeMailboxID:
		// RFC 8474 §7: "MAILBOXID" SP "(" objectid ")".
		if len(c.Strings) != 1 {
			e.fail("MAILBOXID", "", "needs one object identifier")
			return
		}
		e.raw(" (")
		e.objectID("MAILBOXID", c.Strings[0])
		e.byte1(')')
	case imap.CodeReferral:
		// RFC 2221 §5: "REFERRAL" 1*(SP <url>).
		if len(c.Strings) == 0 {
			e.fail("REFERRAL", "", "no URL")
		}
		for _, u := range c.Strings {
			e.sp()
			if u == "" || strings.ContainsAny(u, " ]") || !e.validText(u) {
				e.fail("REFERRAL URL", u, "not a URL")
			}
			e.raw(u)
		}
	case imap.CodeBadEvent:
		// RFC 5465 §8: "BADEVENT" SP "(" event *(SP event) ")".
		if len(c.Strings) == 0 {
			e.fail("BADEVENT", "", "no event name")
		}
		e.raw(" (")
		for i, s := range c.Strings {
			if i > 0 {
				e.sp()
			}
			e.atom("event", s)
		}
		e.byte1(')')
	}
}

// metadataCode appends the argument of the METADATA code from its typed
// fields (RFC 5464 §5): SP ("LONGENTRIES" SP number / "MAXSIZE" SP number
// / "TOOMANY" / "NOPRIVATE").
func (e *Encoder) metadataCode(c *imap.ResponseCode) {
	cond := c.Strings[0]
	if len(c.Strings) != 1 {
		e.fail("METADATA code", cond, "one condition only")
	}
	switch {
	case strings.EqualFold(cond, imap.MetadataLongEntries), strings.EqualFold(cond, imap.MetadataMaxSize):
		e.sp()
		e.raw(strings.ToUpper(cond))
		e.sp()
		e.number32("METADATA "+cond, c.Num)
	case strings.EqualFold(cond, imap.MetadataTooMany), strings.EqualFold(cond, imap.MetadataNoPrivate):
		if c.Num != 0 {
			e.fail("METADATA code", cond, "takes no number")
		}
		e.sp()
		e.raw(strings.ToUpper(cond))
	default:
		e.fail("METADATA code", cond, "not LONGENTRIES, MAXSIZE, TOOMANY or NOPRIVATE")
	}
}

// listResponse encodes LIST or LSUB (RFC 9051 §7.3.1, RFC 5258 §6):
// "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox
// [SP mbox-list-extended].
func (e *Encoder) listResponse(r *Response) {
	l := r.List
	if l == nil {
		e.fail(r.Kind.String(), "", "no data")
		return
	}
	if r.Kind == KindLsub {
		e.raw("LSUB (")
	} else {
		e.raw("LIST (")
	}
	for i, a := range l.Attrs {
		if i > 0 {
			e.sp()
		}
		e.mailboxAttr(a)
	}
	e.raw(") ")
	e.delim(l.Delim)
	e.sp()
	e.mailbox("mailbox", l.Mailbox)
	if len(l.ChildInfo) == 0 && l.OldName == "" && len(l.Ext) == 0 {
		return
	}
	e.raw(" (")
	n := 0
	if len(l.ChildInfo) > 0 {
		// childinfo-extended-item = "CHILDINFO" SP "("
		// list-select-base-opt-quoted *(SP ...) ")", always quoted.
		e.raw("CHILDINFO (")
		for i, s := range l.ChildInfo {
			if i > 0 {
				e.sp()
			}
			e.quotedOnly("CHILDINFO option", s)
		}
		e.byte1(')')
		n++
	}
	if l.OldName != "" {
		// RFC 9051 §9: oldname-extended-item = "OLDNAME" SP "(" mailbox ")".
		if n > 0 {
			e.sp()
		}
		e.raw("OLDNAME (")
		e.mailbox("OLDNAME", l.OldName)
		e.byte1(')')
		n++
	}
	for _, x := range l.Ext {
		if n > 0 {
			e.sp()
		}
		// mbox-list-extended-item = mbox-list-extended-item-tag SP
		// tagged-ext-val
		e.astr("LIST extended item tag", x.Tag)
		e.sp()
		e.taggedValue("LIST extended item", x.Value)
		n++
	}
	e.byte1(')')
}

// taggedValue appends the verbatim value of a tagged extension item, which
// must not be empty.
func (e *Encoder) taggedValue(what string, v imap.RawValue) {
	if len(v) == 0 {
		e.fail(what, "", "empty value")
	}
	e.rawValue(what, v, false)
}

// statusData encodes STATUS (RFC 9051 §7.3.2, RFC 7162, RFC 7889,
// RFC 8474): "STATUS" SP mailbox SP "(" [status-att-list] ")".
func (e *Encoder) statusData(s *imap.StatusData) {
	if s == nil {
		e.fail("STATUS", "", "no data")
		return
	}
	e.raw("STATUS ")
	e.mailbox("mailbox", s.Mailbox)
	e.raw(" (")
	for i, v := range s.Items {
		if i > 0 {
			e.sp()
		}
		e.atom("status item", string(v.Item))
		e.sp()
		switch {
		case v.Item == imap.StatusMailboxID:
			e.byte1('(')
			e.objectID("MAILBOXID", v.Str)
			e.byte1(')')
		case v.Nil:
			if v.Item != imap.StatusAppendLimit {
				e.fail("status item", string(v.Item), "cannot be NIL")
			}
			e.raw("NIL")
		case v.Str != "":
			// An unknown item whose value is not a number, verbatim.
			e.rawValue("status item "+string(v.Item), []byte(v.Str), false)
		default:
			e.number64(string(v.Item), v.Num)
		}
	}
	e.byte1(')')
}

// searchResponse encodes SEARCH or SORT with the CONDSTORE suffix
// (RFC 7162 §7: "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq]).
func (e *Encoder) searchResponse(r *Response) {
	if r.Kind == KindSort {
		e.raw("SORT")
	} else {
		e.raw("SEARCH")
	}
	s := r.Search
	if s == nil {
		return
	}
	for _, n := range s.Nums {
		e.sp()
		e.nz("search result", n)
	}
	if s.ModSeq != 0 {
		if len(s.Nums) == 0 {
			e.fail(r.Kind.String(), "", "MODSEQ needs at least one result")
		}
		e.raw(" (MODSEQ ")
		e.number64("MODSEQ", s.ModSeq)
		e.byte1(')')
	}
}

// esearch encodes ESEARCH (RFC 4731 §4, RFC 9051 §7.3.4):
// "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data).
func (e *Encoder) esearch(s *imap.ESearchData) {
	e.raw("ESEARCH")
	if s == nil {
		return
	}
	if s.Tag != "" {
		// search-correlator = SP "(" "TAG" SP tag-string ")", and
		// tag-string = string (RFC 4731 §3.1): the RFCs' examples quote
		// the tag, and any string the decoder accepted must go back.
		e.raw(" (TAG ")
		e.str("ESEARCH correlator", s.Tag)
		e.byte1(')')
	}
	if s.UID {
		e.raw(" UID")
	}
	if s.Min != 0 {
		e.raw(" MIN ")
		e.num32(s.Min)
	}
	if s.Max != 0 {
		e.raw(" MAX ")
		e.num32(s.Max)
	}
	if s.HasCount {
		e.raw(" COUNT ")
		e.num32(s.Count)
	}
	if s.HasAll {
		// "ALL" SP sequence-set, where "$" is not allowed.
		e.raw(" ALL ")
		if s.All.IsSearchRes() {
			e.fail("ESEARCH ALL", "$", "not allowed here")
		}
		e.numSet("ESEARCH ALL", s.All)
	}
	if s.ModSeq != 0 {
		e.raw(" MODSEQ ")
		e.number64("MODSEQ", s.ModSeq)
	}
	if p := s.Partial; p != nil {
		// RFC 9394 §4: ret-data-partial = "PARTIAL" SP "(" partial-range
		// SP partial-results ")", partial-results = sequence-set / "NIL".
		e.raw(" PARTIAL (")
		e.partialRange("ESEARCH PARTIAL", p.Range)
		e.sp()
		switch {
		case p.Results.IsSearchRes():
			e.fail("ESEARCH PARTIAL", "$", "not allowed here")
		case p.Results.IsEmpty():
			e.raw("NIL")
		default:
			e.numSet("ESEARCH PARTIAL", p.Results)
		}
		e.byte1(')')
	}
	for _, x := range s.Ext {
		e.sp()
		e.atom("ESEARCH return data name", x.Tag)
		e.sp()
		e.taggedValue("ESEARCH return data", x.Value)
	}
}

// threadList appends one thread-list (RFC 5256 §5):
//
//	thread-list    = "(" (thread-members / thread-nested) ")"
//	thread-members = nz-number *(SP nz-number) [SP thread-nested]
//	thread-nested  = 2*thread-list
func (e *Encoder) threadList(n *imap.ThreadNode, depth int) {
	e.byte1('(')
	e.threadMembers(n, depth)
	e.byte1(')')
}

// threadMembers appends the inside of n's thread-list: n's number and its
// chain of only children, then the nested lists of several children. A
// dummy node (Num 0) is a thread-nested of at least two children; a dummy
// that is an only child stands for its children, which is how it is sent.
func (e *Encoder) threadMembers(n *imap.ThreadNode, depth int) {
	if depth > encMaxSearchDepth {
		e.fail("THREAD", "", "nested too deeply")
		return
	}
	first := true
	for {
		if n.Num == 0 {
			break
		}
		if !first {
			e.sp()
		}
		first = false
		e.num32(n.Num)
		if len(n.Children) != 1 {
			break
		}
		n = &n.Children[0]
	}
	kids := n.Children
	if n.Num == 0 {
		// Dummy: flatten chains of dummies that are only children.
		for len(kids) == 1 && kids[0].Num == 0 {
			kids = kids[0].Children
		}
		if len(kids) == 1 {
			// A dummy with one real child is that child.
			if !first {
				e.sp()
			}
			e.threadMembers(&kids[0], depth+1)
			return
		}
		if len(kids) == 0 {
			e.fail("THREAD", "", "dummy node without children")
			return
		}
	} else if len(kids) == 0 {
		return
	}
	if !first {
		e.sp()
	}
	for i := range kids {
		e.threadList(&kids[i], depth+1)
	}
}

// namespace encodes NAMESPACE (RFC 2342 §6, RFC 9051 §7.3.5).
func (e *Encoder) namespace(ns *imap.NamespaceData) {
	if ns == nil {
		e.fail("NAMESPACE", "", "no data")
		return
	}
	e.raw("NAMESPACE ")
	e.namespaceList(ns.Personal)
	e.sp()
	e.namespaceList(ns.Other)
	e.sp()
	e.namespaceList(ns.Shared)
}

// namespaceList appends namespace = nil / "(" 1*namespace-descr ")", where
// namespace-descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
// [namespace-response-extensions] ")".
func (e *Encoder) namespaceList(l []imap.NamespaceDescr) {
	if len(l) == 0 {
		e.raw("NIL")
		return
	}
	e.byte1('(')
	for _, d := range l {
		e.byte1('(')
		// The prefix is a string, in modified UTF-7 like a mailbox name
		// (RFC 2342 §6).
		e.str("namespace prefix", e.mailboxName("namespace prefix", d.Prefix))
		e.sp()
		e.delim(d.Delim)
		for _, x := range d.Ext {
			// namespace-response-extension = SP string SP
			// "(" string *(SP string) ")"
			e.sp()
			e.str("namespace extension", x.Tag)
			e.sp()
			e.taggedValue("namespace extension", x.Value)
		}
		e.byte1(')')
	}
	e.byte1(')')
}

// metadataResponse encodes METADATA (RFC 5464 §5): "METADATA" SP mailbox SP
// (entry-values / entry-list).
func (e *Encoder) metadataResponse(m *imap.MetadataData) {
	if m == nil {
		e.fail("METADATA", "", "no data")
		return
	}
	e.raw("METADATA ")
	e.mailbox("mailbox", m.Mailbox)
	e.sp()
	if len(m.Entries) > 0 {
		if len(m.Names) > 0 {
			e.fail("METADATA", "", "both entries with values and entry names")
		}
		e.metadataValues(m.Entries)
		return
	}
	if len(m.Names) == 0 {
		e.fail("METADATA", "", "no entries")
	}
	for i, n := range m.Names {
		if i > 0 {
			e.sp()
		}
		e.astr("metadata entry", n)
	}
}

// fetchResponse encodes FETCH (RFC 9051 §7.5.2): nz-number SP "FETCH" SP
// msg-att; or UIDFETCH (RFC 9586 §3.3), where the number is the UID.
func (e *Encoder) fetchResponse(f *imap.FetchData, name string) {
	if f == nil {
		e.fail(name, "", "no data")
		return
	}
	if name == "UIDFETCH" {
		e.nz("UIDFETCH UID", f.Seq)
	} else {
		e.nz("FETCH sequence number", f.Seq)
	}
	e.sp()
	e.raw(name)
	e.raw(" (")
	if len(f.Items) == 0 {
		e.fail(name, "", "no items")
	}
	for i := range f.Items {
		if i > 0 {
			e.sp()
		}
		e.fetchItem(&f.Items[i])
	}
	e.byte1(')')
}

// encAppender is the interface of vendor FETCH item values that encode
// themselves.
type encAppender interface {
	AppendIMAP(dst []byte) []byte
}

// fetchItem appends one msg-att item (RFC 9051 §9 msg-att-static and
// msg-att-dynamic, RFC 3501 §9 for RFC822*, RFC 3516, RFC 7162, RFC 8474,
// RFC 8514, RFC 8970).
func (e *Encoder) fetchItem(it *imap.FetchItem) {
	switch it.Kind {
	case imap.FetchUID:
		e.raw("UID ")
		e.nz64("UID", it.Num)
	case imap.FetchRFC822Size:
		e.raw("RFC822.SIZE ")
		e.number64("RFC822.SIZE", it.Num)
	case imap.FetchModSeq:
		// fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")"
		e.raw("MODSEQ (")
		e.number64("MODSEQ", it.Num)
		e.byte1(')')
	case imap.FetchBinarySize:
		e.raw("BINARY.SIZE")
		e.binarySection(&it.Section)
		e.sp()
		e.number32("BINARY.SIZE", it.Num)
	case imap.FetchFlags:
		e.raw("FLAGS ")
		e.flagList(it.Flags, false)
	case imap.FetchInternalDate:
		e.raw("INTERNALDATE ")
		e.dateTime(it.Time)
	case imap.FetchSaveDate:
		// RFC 8514 §5: "SAVEDATE" SP (date-time / nil).
		e.raw("SAVEDATE ")
		if it.Time.IsZero() && !it.Data.Valid {
			e.raw("NIL")
		} else {
			e.dateTime(it.Time)
		}
	case imap.FetchEnvelope:
		e.raw("ENVELOPE ")
		if it.Envelope == nil {
			e.fail("ENVELOPE", "", "no envelope")
			return
		}
		e.envelope(it.Envelope)
	case imap.FetchBody, imap.FetchBodyStructure:
		e.raw(string(it.Kind))
		e.sp()
		if it.Body == nil {
			e.fail(string(it.Kind), "", "no body structure")
			return
		}
		e.body(it.Body, 0)
	case imap.FetchBodySection:
		// "BODY" section ["<" number ">"] SP nstring
		e.raw("BODY")
		e.section(&it.Section)
		if it.HasOrigin {
			e.byte1('<')
			e.num32(it.Origin)
			e.byte1('>')
		}
		e.sp()
		e.sectionData(it, false)
	case imap.FetchBinary:
		// RFC 3516 §7: "BINARY" section-binary ["<" number ">"] SP
		// (nstring / literal8)
		e.raw("BINARY")
		e.binarySection(&it.Section)
		if it.HasOrigin {
			e.byte1('<')
			e.num32(it.Origin)
			e.byte1('>')
		}
		e.sp()
		e.sectionData(it, true)
	case imap.FetchRFC822, imap.FetchRFC822Header, imap.FetchRFC822Text:
		// RFC 3501 §9: "RFC822" [".HEADER" / ".TEXT"] SP nstring
		e.raw(string(it.Kind))
		e.sp()
		e.sectionData(it, false)
	case imap.FetchEmailID:
		// RFC 8474 §7: "EMAILID" SP "(" objectid ")"
		e.raw("EMAILID (")
		e.objectID("EMAILID", it.Data.S)
		e.byte1(')')
	case imap.FetchThreadID:
		// "THREADID" SP ( "(" objectid ")" / nil )
		e.raw("THREADID ")
		if !it.Data.Valid {
			e.raw("NIL")
		} else {
			e.byte1('(')
			e.objectID("THREADID", it.Data.S)
			e.byte1(')')
		}
	case imap.FetchPreview:
		// RFC 8970 §6: "PREVIEW" SP nstring
		e.raw("PREVIEW ")
		e.nstr("PREVIEW", it.Data)
	case imap.FetchOther:
		e.fetchItemName(it.Name)
		e.sp()
		if a, ok := it.Value.(encAppender); ok {
			v := a.AppendIMAP(nil)
			if len(v) == 0 {
				e.fail("fetch item", it.Name, "empty value")
			}
			e.rawValue("fetch item "+it.Name, v, false)
			return
		}
		if it.Value != nil && len(it.Raw) == 0 {
			e.fail("fetch item", it.Name, "value has no AppendIMAP method and Raw is empty")
			return
		}
		e.taggedValue("fetch item "+it.Name, it.Raw)
	default:
		e.fail("fetch item", string(it.Kind), "not a FETCH response item")
	}
}

// sectionData appends the data of a body section: NIL, a string, or the
// literal streamed from Reader. BINARY data holding NUL, or marked Binary,
// goes as a literal8 (RFC 3516 §4.3); elsewhere NUL is not allowed.
func (e *Encoder) sectionData(it *imap.FetchItem, binaryOK bool) {
	if it.Binary && !binaryOK && it.Reader != nil {
		e.fail(string(it.Kind), "", "literal8 is allowed for BINARY[] only")
	}
	switch {
	case it.Reader != nil:
		if it.Size < 0 {
			e.fail(string(it.Kind), "", "negative size")
		}
		seg := e.literalHeader(it.Size, it.Binary && binaryOK)
		seg.r, seg.n = it.Reader, it.Size
	case it.Streamed:
		e.fail(string(it.Kind), "", "streamed data without a Reader")
	case !it.Data.Valid:
		e.raw("NIL")
	case binaryOK && (it.Binary || strings.IndexByte(it.Data.S, 0) >= 0):
		e.literal(string(it.Kind), it.Data.S, true)
	case strings.IndexByte(it.Data.S, 0) >= 0:
		e.fail(string(it.Kind), "", "NUL in message data; use BINARY")
	default:
		e.str(string(it.Kind), it.Data.S)
	}
}

// envelope appends an envelope (RFC 9051 §9):
// "(" env-date SP env-subject SP env-from SP env-sender SP env-reply-to SP
// env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")".
func (e *Encoder) envelope(env *imap.Envelope) {
	e.byte1('(')
	e.nstr("envelope date", env.Date)
	e.sp()
	e.nstr("envelope subject", env.Subject)
	e.sp()
	e.addressList(env.From)
	e.sp()
	e.addressList(env.Sender)
	e.sp()
	e.addressList(env.ReplyTo)
	e.sp()
	e.addressList(env.To)
	e.sp()
	e.addressList(env.Cc)
	e.sp()
	e.addressList(env.Bcc)
	e.sp()
	e.nstr("envelope in-reply-to", env.InReplyTo)
	e.sp()
	e.nstr("envelope message-id", env.MessageID)
	e.byte1(')')
}

// addressList appends "(" 1*address ")" / nil: the addresses follow each
// other without spaces; an empty list is NIL.
func (e *Encoder) addressList(l []imap.Address) {
	if len(l) == 0 {
		e.raw("NIL")
		return
	}
	e.byte1('(')
	for _, a := range l {
		// address = "(" addr-name SP addr-adl SP addr-mailbox SP
		// addr-host ")"
		e.byte1('(')
		e.nstr("address name", a.Name)
		e.sp()
		e.nstr("address route", a.ADL)
		e.sp()
		e.nstr("address mailbox", a.Mailbox)
		e.sp()
		e.nstr("address host", a.Host)
		e.byte1(')')
	}
	e.byte1(')')
}

// body appends a body structure (RFC 9051 §9 body, RFC 3501 §9):
//
//	body            = "(" (body-type-1part / body-type-mpart) ")"
//	body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]
//	body-type-1part = (body-type-basic / body-type-msg / body-type-text)
//	                  [SP body-ext-1part]
//
// The extension fields are written when Extended is set, all of them:
// body-ext-mpart = body-fld-param SP body-fld-dsp SP body-fld-lang SP
// body-fld-loc *(SP body-extension), and for a single part body-fld-md5 in
// place of body-fld-param.
func (e *Encoder) body(b *imap.BodyStructure, depth int) {
	if depth > encMaxSearchDepth {
		e.fail("body structure", "", "nested too deeply")
		return
	}
	e.byte1('(')
	if b.IsMultipart() {
		for i := range b.Parts {
			e.body(&b.Parts[i], depth+1)
		}
		e.sp()
		e.str("media subtype", b.Subtype)
		if b.Extended {
			e.sp()
			e.bodyParams(b.Params)
			e.bodyExt(b)
		}
		e.byte1(')')
		return
	}
	// body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
	// body-fld-enc SP body-fld-octets
	e.str("media type", b.Type)
	e.sp()
	e.str("media subtype", b.Subtype)
	e.sp()
	e.bodyParams(b.Params)
	e.sp()
	e.nstr("body id", b.ID)
	e.sp()
	e.nstr("body description", b.Description)
	e.sp()
	e.str("body encoding", b.Encoding)
	e.sp()
	e.num32(b.Size)
	switch {
	case b.IsMessage():
		// body-type-msg = media-message SP body-fields SP envelope SP
		// body SP body-fld-lines
		if b.Envelope == nil || b.Body == nil {
			e.fail("body structure", b.Type+"/"+b.Subtype, "message part without envelope or body")
			return
		}
		e.sp()
		e.envelope(b.Envelope)
		e.sp()
		e.body(b.Body, depth+1)
		e.sp()
		e.num32(b.Lines)
	case b.IsText():
		e.sp()
		e.num32(b.Lines)
	}
	if b.Extended {
		e.sp()
		e.nstr("body MD5", b.MD5)
		e.bodyExt(b)
	}
	e.byte1(')')
}

// bodyExt appends SP body-fld-dsp SP body-fld-lang SP body-fld-loc
// *(SP body-extension).
func (e *Encoder) bodyExt(b *imap.BodyStructure) {
	e.sp()
	if d := b.Disposition; d == nil {
		e.raw("NIL")
	} else {
		// body-fld-dsp = "(" string SP body-fld-param ")" / nil
		e.byte1('(')
		e.str("body disposition", d.Type)
		e.sp()
		e.bodyParams(d.Params)
		e.byte1(')')
	}
	e.sp()
	// body-fld-lang = nstring / "(" string *(SP string) ")". A single
	// language is sent as a list too, as Dovecot and Cyrus do: clients
	// that expect the list form outnumber those that expect a string.
	switch len(b.Language) {
	case 0:
		e.raw("NIL")
	default:
		e.byte1('(')
		for i, l := range b.Language {
			if i > 0 {
				e.sp()
			}
			e.str("body language", l)
		}
		e.byte1(')')
	}
	e.sp()
	e.nstr("body location", b.Location)
	for _, x := range b.Extensions {
		e.sp()
		e.taggedValue("body extension", x)
	}
}

// bodyParams appends body-fld-param = "(" string SP string *(SP string SP
// string) ")" / nil; an empty list is NIL.
func (e *Encoder) bodyParams(ps []imap.Param) {
	if len(ps) == 0 {
		e.raw("NIL")
		return
	}
	e.byte1('(')
	for i, p := range ps {
		if i > 0 {
			e.sp()
		}
		e.str("body parameter", p.Key)
		e.sp()
		e.str("body parameter", p.Value)
	}
	e.byte1(')')
}
