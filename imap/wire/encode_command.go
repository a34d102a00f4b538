package wire

import (
	"encoding/base64"
	"reflect"
	"strings"

	"github.com/mailaccess/mailaccess/imap"
)

// This file encodes client commands (RFC 3501 §6, RFC 9051 §6 and the
// extensions named at each command).

// WriteCommand encodes c and buffers it for writing; call Flush to send it.
// Before a synchronizing literal's data the buffer is flushed and
// EncoderOptions.Continue is called. An invalid command yields an
// *EncodeError and nothing is written.
//
// The name written is that of c.Args (CommandName) when Args is set; then
// c.Name, if set, must agree with it. A command without arguments
// (CAPABILITY, NOOP, IDLE, ...) has nil Args and only c.Name. c.UID writes
// the "UID" prefix, which only COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE,
// SORT, THREAD and REPLACE take.
func (e *Encoder) WriteCommand(c *Command) error {
	if e.err != nil {
		return e.err
	}
	e.begin(true)
	e.command(c)
	return e.finish()
}

// encCommandsWithArgs are the commands that take arguments, which therefore
// cannot be sent with nil Args.
var encCommandsWithArgs = map[string]bool{
	"LOGIN": true, "AUTHENTICATE": true, "SELECT": true, "EXAMINE": true,
	"CREATE": true, "DELETE": true, "RENAME": true, "SUBSCRIBE": true,
	"UNSUBSCRIBE": true, "LIST": true, "LSUB": true, "STATUS": true,
	"APPEND": true, "SEARCH": true, "FETCH": true, "STORE": true,
	"COPY": true, "MOVE": true, "ENABLE": true, "ID": true, "SORT": true,
	"THREAD": true, "GETQUOTA": true, "GETQUOTAROOT": true, "SETQUOTA": true,
	"SETACL": true, "DELETEACL": true, "GETACL": true, "LISTRIGHTS": true,
	"MYRIGHTS": true, "GETMETADATA": true, "SETMETADATA": true,
	"COMPRESS": true, "REPLACE": true, "NOTIFY": true,
}

func (e *Encoder) command(c *Command) {
	if c == nil {
		e.fail("command", "", "nil command")
		return
	}
	if v := reflect.ValueOf(c.Args); v.Kind() == reflect.Pointer && v.IsNil() {
		e.fail("command", c.Name, "nil arguments")
		return
	}
	e.tag(c.Tag)
	e.sp()
	name := c.Name
	if c.Args != nil {
		name = c.Args.CommandName()
		if c.Name != "" && !strings.EqualFold(c.Name, name) {
			e.fail("command", c.Name, "name does not match its arguments ("+name+")")
		}
	} else if encCommandsWithArgs[strings.ToUpper(name)] {
		e.fail("command", name, "arguments missing")
	}
	uid := c.UID
	if x, ok := c.Args.(*imap.ExpungeCommand); ok && x.UIDs != nil {
		uid = true // UID EXPUNGE (RFC 4315)
	}
	if uid {
		switch c.Args.(type) {
		case *imap.CopyCommand, *imap.FetchCommand, *imap.SearchCommand,
			*imap.StoreCommand, *imap.SortCommand, *imap.ThreadCommand,
			*imap.ReplaceCommand, *imap.RawCommand:
		case *imap.ExpungeCommand:
			if c.Args.(*imap.ExpungeCommand).UIDs == nil {
				e.fail("command", "UID EXPUNGE", "UID set missing")
			}
		default:
			e.fail("command", "UID "+name, "UID prefix not allowed")
		}
		e.raw("UID ")
	}
	e.atom("command name", name)

	switch a := c.Args.(type) {
	case nil:
	case *imap.LoginCommand:
		// RFC 9051 §6.2.3: login = "LOGIN" SP userid SP password.
		e.sp()
		e.astr("user name", a.Username)
		e.sp()
		e.astr("password", a.Password)
	case *imap.AuthenticateCommand:
		e.authenticate(a)
	case *imap.SelectCommand:
		e.selectCmd(a)
	case *imap.CreateCommand:
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		if a.SpecialUse != nil {
			// RFC 6154 §6: create-param =/ "USE" SP "(" [use-attr
			// *(SP use-attr)] ")".
			e.raw(" (USE (")
			for i, attr := range a.SpecialUse {
				if i > 0 {
					e.sp()
				}
				e.mailboxAttr(attr)
			}
			e.raw("))")
		}
	case *imap.MailboxCommand:
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
	case *imap.RenameCommand:
		e.sp()
		e.mailbox("mailbox", a.From)
		e.sp()
		e.mailbox("mailbox", a.To)
	case *imap.ListCommand:
		e.list(a)
	case *imap.StatusCommand:
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.raw(" (")
		if len(a.Items) == 0 {
			e.fail("STATUS", "", "no status items")
		}
		for i, it := range a.Items {
			if i > 0 {
				e.sp()
			}
			e.atom("status item", string(it))
		}
		e.byte1(')')
	case *imap.AppendCommand:
		e.append(a)
	case *imap.ExpungeCommand:
		if a.UIDs != nil {
			e.sp()
			e.uidSet("UID EXPUNGE set", a.UIDs.NumSet)
		}
	case *imap.SearchCommand:
		e.returnOpts(a.Return, a.HasReturn)
		if a.Charset != "" {
			e.raw(" CHARSET ")
			e.charset(a.Charset)
		}
		e.sp()
		e.searchProgram(a.Key)
	case *imap.FetchCommand:
		e.fetch(a)
	case *imap.StoreCommand:
		e.store(a)
	case *imap.CopyCommand:
		e.sp()
		e.numSet("sequence set", a.Set)
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
	case *imap.EnableCommand:
		// RFC 5161 §4: enable = "ENABLE" 1*(SP capability).
		if len(a.Caps) == 0 {
			e.fail("ENABLE", "", "no capabilities")
		}
		for _, c := range a.Caps {
			e.sp()
			e.capability(c)
		}
	case *imap.IDCommand:
		e.sp()
		e.idParams(a.Params)
	case *imap.SortCommand:
		e.sort(a)
	case *imap.ThreadCommand:
		// RFC 5256 §5: thread = ["UID" SP] "THREAD" SP thread-alg SP
		// search-criteria.
		e.sp()
		e.atom("thread algorithm", a.Algorithm)
		e.sp()
		e.searchCriteria(a.Charset, a.Key)
	case *imap.GetQuotaCommand:
		e.sp()
		e.astr("quota root", a.Root)
	case *imap.SetQuotaCommand:
		// RFC 9208 §7: setquota = "SETQUOTA" SP quota-root-name SP
		// setquota-list.
		e.sp()
		e.astr("quota root", a.Root)
		e.raw(" (")
		for i, r := range a.Resources {
			if i > 0 {
				e.sp()
			}
			e.atom("quota resource", r.Name)
			e.sp()
			e.number64("quota limit", r.Limit)
		}
		e.byte1(')')
	case *imap.SetACLCommand:
		// RFC 4314 §7.
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.astr("identifier", a.Identifier)
		e.sp()
		e.astr("rights", a.Rights)
	case *imap.DeleteACLCommand:
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.astr("identifier", a.Identifier)
	case *imap.ListRightsCommand:
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.astr("identifier", a.Identifier)
	case *imap.GetMetadataCommand:
		e.getMetadata(a)
	case *imap.SetMetadataCommand:
		// RFC 5464 §5: setmetadata = "SETMETADATA" SP mailbox SP
		// entry-values.
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.sp()
		e.metadataValues(a.Entries)
	case *imap.CompressCommand:
		e.sp()
		e.atom("compression mechanism", a.Mechanism)
	case *imap.ReplaceCommand:
		// RFC 8508 §5: replace = "REPLACE" SP seq-number SP mailbox
		// append-message.
		e.sp()
		if a.Num == imap.Star {
			e.byte1('*')
		} else {
			e.num32(a.Num)
		}
		e.sp()
		e.mailbox("mailbox", a.Mailbox)
		e.appendMessage("REPLACE message", &a.Message)
	case *imap.NotifyCommand:
		e.notify(a)
	case *imap.RawCommand:
		if len(a.Args) > 0 {
			e.sp()
			e.rawValue("command arguments", a.Args, true)
		}
	default:
		e.fail("command arguments", name, "unknown argument type")
	}
}

// authenticate encodes AUTHENTICATE with the SASL-IR initial response
// (RFC 4959 §7: [SP (base64 / "=")]).
func (e *Encoder) authenticate(a *imap.AuthenticateCommand) {
	e.sp()
	e.atom("SASL mechanism", a.Mechanism)
	if !a.HasInitialResponse && len(a.InitialResponse) == 0 {
		return
	}
	e.sp()
	if len(a.InitialResponse) == 0 {
		e.byte1('=')
		return
	}
	e.buf = base64.StdEncoding.AppendEncode(e.buf, a.InitialResponse)
}

// selectCmd encodes SELECT/EXAMINE with the CONDSTORE and QRESYNC
// parameters (RFC 4466 select-params, RFC 7162 §7).
func (e *Encoder) selectCmd(a *imap.SelectCommand) {
	e.sp()
	e.mailbox("mailbox", a.Mailbox)
	if !a.CondStore && a.QResync == nil {
		return
	}
	e.raw(" (")
	if a.CondStore {
		e.raw("CONDSTORE")
		if a.QResync != nil {
			e.sp()
		}
	}
	if q := a.QResync; q != nil {
		// "QRESYNC" SP "(" uidvalidity SP mod-sequence-value
		// [SP known-uids] [SP seq-match-data] ")"
		e.raw("QRESYNC (")
		e.nz("QRESYNC UIDVALIDITY", q.UIDValidity)
		e.sp()
		if q.ModSeq == 0 {
			e.fail("QRESYNC mod-sequence", "0", "must be non-zero")
		}
		e.number64("QRESYNC mod-sequence", q.ModSeq)
		if !q.KnownUIDs.IsEmpty() {
			e.sp()
			e.uidSet("QRESYNC known UIDs", q.KnownUIDs.NumSet)
		}
		if !q.SeqMatchSeqs.IsEmpty() || !q.SeqMatchUIDs.IsEmpty() {
			e.raw(" (")
			e.uidSet("QRESYNC known sequence set", q.SeqMatchSeqs.NumSet)
			e.sp()
			e.uidSet("QRESYNC known UID set", q.SeqMatchUIDs.NumSet)
			e.byte1(')')
		}
		e.byte1(')')
	}
	e.byte1(')')
}

// list encodes LIST (RFC 9051 §6.3.9, RFC 5258 §6, RFC 5819 §4) or LSUB.
func (e *Encoder) list(a *imap.ListCommand) {
	if a.Lsub && (a.SelectOpts != nil || len(a.Patterns) > 1 || len(a.ReturnOpts) > 0 || len(a.ReturnStatus) > 0) {
		e.fail("LSUB", "", "LSUB takes no options and one pattern")
	}
	if a.SelectOpts != nil {
		e.raw(" (")
		for i, o := range a.SelectOpts {
			if i > 0 {
				e.sp()
			}
			e.option("LIST selection option", o)
		}
		e.byte1(')')
	}
	e.sp()
	e.mailbox("LIST reference", a.Reference)
	e.sp()
	switch len(a.Patterns) {
	case 0:
		e.fail("LIST", "", "no mailbox pattern")
	case 1:
		e.listMailbox(a.Patterns[0])
	default:
		e.byte1('(')
		for i, p := range a.Patterns {
			if i > 0 {
				e.sp()
			}
			e.listMailbox(p)
		}
		e.byte1(')')
	}
	if a.ReturnOpts != nil || len(a.ReturnStatus) > 0 {
		e.raw(" RETURN (")
		for i, o := range a.ReturnOpts {
			if i > 0 {
				e.sp()
			}
			e.option("LIST return option", o)
		}
		if len(a.ReturnStatus) > 0 {
			if len(a.ReturnOpts) > 0 {
				e.sp()
			}
			e.raw("STATUS (")
			for i, it := range a.ReturnStatus {
				if i > 0 {
					e.sp()
				}
				e.atom("status item", string(it))
			}
			e.byte1(')')
		}
		e.byte1(')')
	}
}

// append encodes APPEND (RFC 9051 §6.3.12) with MULTIAPPEND (RFC 3502)
// and literal8 messages (RFC 3516, RFC 4466 §2.7).
func (e *Encoder) append(a *imap.AppendCommand) {
	e.sp()
	e.mailbox("mailbox", a.Mailbox)
	if len(a.Messages) == 0 {
		e.fail("APPEND", "", "no message")
	}
	for i := range a.Messages {
		e.appendMessage("APPEND message", &a.Messages[i])
	}
}

// appendMessage appends an append-message (RFC 4466 §2.3, RFC 6855 §4):
// [SP flag-list] [SP date-time] SP (literal / literal8 / "UTF8" SP "("
// literal8 ")").
func (e *Encoder) appendMessage(what string, m *imap.AppendMessage) {
	if m.Flags != nil {
		// An empty but non-nil list is sent as "()", so a decoded
		// command is encoded as it was received.
		e.sp()
		e.flagList(m.Flags, false)
	}
	if m.HasDate {
		e.sp()
		e.dateTime(m.Date)
	}
	e.sp()
	if m.UTF8 {
		e.raw("UTF8 (") // RFC 6855 §4; the literal is a literal8
	}
	switch {
	case m.Reader != nil:
		if m.Size < 0 {
			e.fail(what, "", "negative size")
		}
		seg := e.literalHeader(m.Size, m.Binary || m.UTF8)
		seg.r, seg.n = m.Reader, m.Size
	case m.Streamed:
		e.fail(what, "", "streamed message without a Reader")
	default:
		binary := m.Binary || m.UTF8 || encHasNUL(m.Data)
		seg := e.literalHeader(int64(len(m.Data)), binary)
		seg.b = m.Data
	}
	if m.UTF8 {
		e.byte1(')')
	}
}

func encHasNUL(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}

// returnOpts appends " RETURN (...)" of SEARCH and SORT (RFC 4466
// search-return-opts, RFC 4731, RFC 5267, RFC 9394 PARTIAL).
func (e *Encoder) returnOpts(opts []imap.SearchReturnOpt, has bool) {
	if !has && len(opts) == 0 {
		return
	}
	e.raw(" RETURN (")
	for i, o := range opts {
		if i > 0 {
			e.sp()
		}
		if strings.EqualFold(string(o.Name()), string(imap.ReturnPartial)) {
			// modifier-partial = "PARTIAL" SP partial-range
			r, ok := o.Partial()
			if !ok || !r.Valid() {
				e.fail("search return option", string(o), "PARTIAL needs a range such as 1:500 or -1:-100")
			}
			e.raw("PARTIAL ")
			e.raw(r.String())
			continue
		}
		e.option("search return option", string(o))
	}
	e.byte1(')')
}

// partialRange appends a partial-range (RFC 9394 §4).
func (e *Encoder) partialRange(what string, r imap.PartialRange) {
	if !r.Valid() {
		e.fail(what, r.String(), "bounds must be non-zero")
	}
	e.raw(r.String())
}

// sort encodes SORT (RFC 5256 §5, RFC 5267 extended-sort, RFC 5957).
func (e *Encoder) sort(a *imap.SortCommand) {
	e.returnOpts(a.Return, a.HasReturn)
	e.raw(" (")
	if len(a.Criteria) == 0 {
		e.fail("SORT", "", "no sort criteria")
	}
	for i, c := range a.Criteria {
		if i > 0 {
			e.sp()
		}
		if c.Reverse {
			e.raw("REVERSE ")
		}
		e.atom("sort key", c.Key)
	}
	e.raw(") ")
	e.searchCriteria(a.Charset, a.Key)
}

// searchCriteria appends search-criteria = charset 1*(SP search-key)
// (RFC 5256 §5), where the charset is mandatory; an empty one is sent as
// UTF-8, which every SORT and THREAD server supports (RFC 5256 §3).
func (e *Encoder) searchCriteria(charset string, key imap.SearchKey) {
	if charset == "" {
		charset = "UTF-8"
	}
	e.charset(charset)
	e.sp()
	e.searchProgram(key)
}

// searchProgram appends the search keys of a command: the children of a
// top-level SearchAnd separated by spaces, or the single key.
func (e *Encoder) searchProgram(k imap.SearchKey) {
	if k.Op != imap.SearchAnd {
		e.searchKey(&k, 0)
		return
	}
	if len(k.Children) == 0 {
		e.fail("search program", "", "no search key")
	}
	for i := range k.Children {
		if i > 0 {
			e.sp()
		}
		e.searchKey(&k.Children[i], 0)
	}
}

// encMaxSearchDepth bounds the nesting of search keys the encoder follows.
const encMaxSearchDepth = 1000

// searchKey appends one search-key (RFC 9051 §6.4.4 and §9, RFC 7162 §7,
// RFC 5032, RFC 8514, RFC 8474).
func (e *Encoder) searchKey(k *imap.SearchKey, depth int) {
	if depth > encMaxSearchDepth {
		e.fail("search key", "", "nested too deeply")
		return
	}
	switch k.Op {
	case imap.SearchAll, imap.SearchAnswered, imap.SearchDeleted, imap.SearchDraft,
		imap.SearchFlagged, imap.SearchNew, imap.SearchOld, imap.SearchRecent,
		imap.SearchSeen, imap.SearchUnanswered, imap.SearchUndeleted,
		imap.SearchUndraft, imap.SearchUnflagged, imap.SearchUnseen,
		imap.SearchSaveDateSupported:
		e.raw(string(k.Op))
	case imap.SearchBcc, imap.SearchBody, imap.SearchCc, imap.SearchFrom,
		imap.SearchSubject, imap.SearchText, imap.SearchTo:
		e.raw(string(k.Op))
		e.sp()
		e.astr("search string", k.Str)
	case imap.SearchHeader:
		e.raw("HEADER ")
		e.astr("header field name", k.Field)
		e.sp()
		e.astr("search string", k.Str)
	case imap.SearchBefore, imap.SearchOn, imap.SearchSince, imap.SearchSentBefore,
		imap.SearchSentOn, imap.SearchSentSince, imap.SearchSavedBefore,
		imap.SearchSavedOn, imap.SearchSavedSince:
		e.raw(string(k.Op))
		e.sp()
		e.date(k.Date)
	case imap.SearchKeyword, imap.SearchUnkeyword:
		// flag-keyword = atom: system flags cannot be searched this way.
		e.raw(string(k.Op))
		e.sp()
		e.atom("keyword", string(k.Flag))
	case imap.SearchLarger, imap.SearchSmaller:
		e.raw(string(k.Op))
		e.sp()
		e.number64("search size", k.Num)
	case imap.SearchOlder, imap.SearchYounger:
		// RFC 5032 §3: ("OLDER" / "YOUNGER") SP nz-number.
		e.raw(string(k.Op))
		e.sp()
		e.nz64("search interval", k.Num)
	case imap.SearchNot:
		if len(k.Children) != 1 {
			e.fail("search key", "NOT", "needs exactly one operand")
			return
		}
		e.raw("NOT ")
		e.searchKey(&k.Children[0], depth+1)
	case imap.SearchOr:
		if len(k.Children) != 2 {
			e.fail("search key", "OR", "needs exactly two operands")
			return
		}
		e.raw("OR ")
		e.searchKey(&k.Children[0], depth+1)
		e.sp()
		e.searchKey(&k.Children[1], depth+1)
	case imap.SearchAnd:
		if len(k.Children) == 0 {
			e.fail("search key", "()", "empty parenthesized list")
			return
		}
		e.byte1('(')
		for i := range k.Children {
			if i > 0 {
				e.sp()
			}
			e.searchKey(&k.Children[i], depth+1)
		}
		e.byte1(')')
	case imap.SearchSeqSet:
		e.numSet("search sequence set", k.Set)
	case imap.SearchUID:
		e.raw("UID ")
		e.numSet("search UID set", k.Set)
	case imap.SearchModSeq:
		// RFC 7162 §7: "MODSEQ" [SP entry-name SP entry-type-req] SP
		// mod-sequence-valzer, where entry-name is always quoted.
		e.raw("MODSEQ ")
		if k.Field != "" || k.Str != "" {
			e.quotedOnly("MODSEQ entry name", k.Field)
			e.sp()
			switch strings.ToLower(k.Str) {
			case "priv", "shared", "all":
			default:
				e.fail("MODSEQ entry type", k.Str, `not "priv", "shared" or "all"`)
			}
			e.raw(k.Str)
			e.sp()
		}
		e.number64("MODSEQ", k.Num)
	case imap.SearchEmailID, imap.SearchThreadID:
		e.raw(string(k.Op))
		e.sp()
		e.objectID("object identifier", k.Str)
	case imap.SearchRaw:
		e.atom("search key name", k.Field)
		if len(k.Raw) > 0 {
			e.sp()
			e.rawValue("search key arguments", k.Raw, false)
		}
	default:
		e.fail("search key", string(k.Op), "unknown search key")
	}
}

// fetch encodes FETCH (RFC 9051 §6.4.5) with the CHANGEDSINCE, VANISHED
// and PARTIAL modifiers (RFC 4466 fetch-modifiers, RFC 7162 §7, RFC 9394
// §3.3).
func (e *Encoder) fetch(a *imap.FetchCommand) {
	e.sp()
	e.numSet("sequence set", a.Set)
	e.sp()
	switch a.Macro {
	case imap.FetchAll, imap.FetchFast, imap.FetchFull:
		e.raw(string(a.Macro))
	case "":
		switch len(a.Attrs) {
		case 0:
			e.fail("FETCH", "", "no attributes")
		case 1:
			e.fetchAttr(&a.Attrs[0])
		default:
			e.byte1('(')
			for i := range a.Attrs {
				if i > 0 {
					e.sp()
				}
				e.fetchAttr(&a.Attrs[i])
			}
			e.byte1(')')
		}
	default:
		e.fail("FETCH macro", string(a.Macro), "not ALL, FAST or FULL")
	}
	if a.ChangedSince == 0 && !a.Vanished && a.Partial == nil {
		return
	}
	e.raw(" (")
	sep := false
	if a.ChangedSince != 0 {
		e.raw("CHANGEDSINCE ")
		e.number64("CHANGEDSINCE", a.ChangedSince)
		sep = true
	}
	if a.Vanished {
		if sep {
			e.sp()
		}
		e.raw("VANISHED")
		sep = true
	}
	if a.Partial != nil {
		// RFC 9394 §4: fetch-modifier =/ modifier-partial.
		if sep {
			e.sp()
		}
		e.raw("PARTIAL ")
		e.partialRange("FETCH PARTIAL", *a.Partial)
	}
	e.byte1(')')
}

// encSectionBase returns the item name of a kind with a section, without its
// "[]": "BODY[]" gives "BODY".
func encSectionBase(k imap.FetchAttrKind) string {
	return strings.TrimSuffix(string(k), "[]")
}

// fetchAttr appends one fetch-att (RFC 9051 §9, RFC 3516, RFC 7162, RFC 8474,
// RFC 8514, RFC 8970).
func (e *Encoder) fetchAttr(a *imap.FetchAttr) {
	switch a.Kind {
	case imap.FetchEnvelope, imap.FetchFlags, imap.FetchInternalDate, imap.FetchRFC822,
		imap.FetchRFC822Header, imap.FetchRFC822Size, imap.FetchRFC822Text, imap.FetchBody,
		imap.FetchBodyStructure, imap.FetchUID, imap.FetchModSeq, imap.FetchEmailID,
		imap.FetchThreadID, imap.FetchSaveDate:
		e.raw(string(a.Kind))
	case imap.FetchPreview:
		e.raw("PREVIEW")
		if a.Lazy {
			e.raw(" (LAZY)")
		}
	case imap.FetchBodySection, imap.FetchBodyPeek:
		e.raw(encSectionBase(a.Kind))
		e.section(&a.Section)
		e.partial(a.Partial)
	case imap.FetchBinary, imap.FetchBinaryPeek:
		e.raw(encSectionBase(a.Kind))
		e.binarySection(&a.Section)
		e.partial(a.Partial)
	case imap.FetchBinarySize:
		e.raw("BINARY.SIZE")
		e.binarySection(&a.Section)
		if a.Partial != nil {
			e.fail("fetch attribute", "BINARY.SIZE", "takes no partial")
		}
	case imap.FetchOther:
		e.fetchItemName(a.Name)
	default:
		e.fail("fetch attribute", string(a.Kind), "unknown or a macro")
	}
}

// fetchItemName appends the name of a vendor FETCH attribute or item.
func (e *Encoder) fetchItemName(name string) {
	ok := name != ""
	for i := 0; ok && i < len(name); i++ {
		ok = encClass[name[i]]&encCNotAstr == 0 || name[i] == '['
	}
	if !ok || encIsNIL(name) {
		e.fail("fetch item name", name, "not an atom")
	}
	e.raw(name)
}

// partial appends "<" offset "." count ">" (RFC 9051 §9 partial).
func (e *Encoder) partial(p *imap.Partial) {
	if p == nil {
		return
	}
	e.byte1('<')
	e.num32(p.Offset)
	e.byte1('.')
	e.nz("partial count", p.Count)
	e.byte1('>')
}

// section appends "[" [section-spec] "]" (RFC 9051 §9):
// section-spec = section-msgtext / (section-part ["." section-text]).
func (e *Encoder) section(s *imap.Section) {
	e.byte1('[')
	e.sectionPart(s.Part)
	switch s.Spec {
	case imap.SpecNone:
		if len(s.Fields) > 0 {
			e.fail("section", "", "header fields without HEADER.FIELDS")
		}
	case imap.SpecHeader, imap.SpecText, imap.SpecMIME, imap.SpecHeaderFields, imap.SpecHeaderFieldsNot:
		if s.Spec == imap.SpecMIME && len(s.Part) == 0 {
			e.fail("section", "MIME", "MIME needs a part number")
		}
		if len(s.Part) > 0 {
			e.byte1('.')
		}
		e.raw(string(s.Spec))
		if s.Spec == imap.SpecHeaderFields || s.Spec == imap.SpecHeaderFieldsNot {
			// header-list = "(" header-fld-name *(SP header-fld-name) ")"
			if len(s.Fields) == 0 {
				e.fail("section", string(s.Spec), "no header field names")
			}
			e.raw(" (")
			for i, f := range s.Fields {
				if i > 0 {
					e.sp()
				}
				e.astr("header field name", f)
			}
			e.byte1(')')
		} else if len(s.Fields) > 0 {
			e.fail("section", string(s.Spec), "header fields only go with HEADER.FIELDS")
		}
	default:
		e.fail("section", string(s.Spec), "unknown section specifier")
	}
	e.byte1(']')
}

// binarySection appends section-binary = "[" [section-part] "]"
// (RFC 3516 §7).
func (e *Encoder) binarySection(s *imap.Section) {
	if s.Spec != imap.SpecNone || len(s.Fields) > 0 {
		e.fail("binary section", string(s.Spec), "BINARY takes a part number only")
	}
	e.byte1('[')
	e.sectionPart(s.Part)
	e.byte1(']')
}

// sectionPart appends section-part = nz-number *("." nz-number).
func (e *Encoder) sectionPart(part []uint32) {
	for i, n := range part {
		if i > 0 {
			e.byte1('.')
		}
		e.nz("section part", n)
	}
}

// store encodes STORE (RFC 9051 §6.4.6) with the UNCHANGEDSINCE modifier
// (RFC 4466 store-modifiers, RFC 7162 §7), which precedes the data item,
// and vendor items in place of FLAGS ("+X-GM-LABELS (foo)"), whose values
// go as a parenthesized list of astrings.
func (e *Encoder) store(a *imap.StoreCommand) {
	e.sp()
	e.numSet("sequence set", a.Set)
	if a.HasUnchangedSince {
		e.raw(" (UNCHANGEDSINCE ")
		e.number64("UNCHANGEDSINCE", a.UnchangedSince)
		e.byte1(')')
	}
	e.sp()
	switch a.Op {
	case imap.StoreReplace, 0:
	case imap.StoreAdd, imap.StoreRemove:
		e.byte1(byte(a.Op))
	default:
		e.fail("STORE operation", string(rune(a.Op)), `not "=", "+" or "-"`)
	}
	if a.Item == "" {
		if len(a.Values) > 0 {
			e.fail("STORE", "", "values without a vendor item: FLAGS takes Flags")
		}
		e.raw("FLAGS")
		if a.Silent {
			e.raw(".SILENT")
		}
		e.sp()
		e.flagList(a.Flags, false)
		return
	}
	if !encIsVendorStoreItem(a.Item) {
		e.fail("STORE item", a.Item, `not FLAGS ("") or a vendor item "X-..."`)
	}
	if len(a.Flags) > 0 {
		e.fail("STORE "+a.Item, "", "flags with a vendor item: its values go in Values")
	}
	e.raw(a.Item)
	if a.Silent {
		e.raw(".SILENT")
	}
	e.raw(" (")
	for i, v := range a.Values {
		if i > 0 {
			e.sp()
		}
		e.astr("STORE value", v)
	}
	e.byte1(')')
}

// encIsVendorStoreItem reports whether s can be sent as a vendor STORE
// item: an atom beginning with "X-", not ending in ".SILENT" (which the
// decoder takes for the Silent suffix).
func encIsVendorStoreItem(s string) bool {
	if len(s) < 3 || s[0]|0x20 != 'x' || s[1] != '-' || !encIsAtom(s) {
		return false
	}
	n := len(s) - len(".SILENT")
	return n <= 0 || !strings.EqualFold(s[n:], ".SILENT")
}

// idParams appends id_params_list = "(" #(string SPACE nstring) ")" / nil
// (RFC 2971 §4): NIL for a nil list, "()" for an empty one.
func (e *Encoder) idParams(params []imap.IDParam) {
	if params == nil {
		e.raw("NIL")
		return
	}
	e.byte1('(')
	for i, p := range params {
		if i > 0 {
			e.sp()
		}
		e.str("ID field", p.Key)
		e.sp()
		e.nstr("ID value", p.Value)
	}
	e.byte1(')')
}

// getMetadata encodes GETMETADATA (RFC 5464 §5):
// "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries.
func (e *Encoder) getMetadata(a *imap.GetMetadataCommand) {
	if a.MaxSize != 0 || a.Depth != "" {
		e.raw(" (")
		if a.MaxSize != 0 {
			e.raw("MAXSIZE ")
			e.num32(a.MaxSize)
			if a.Depth != "" {
				e.sp()
			}
		}
		if a.Depth != "" {
			switch strings.ToLower(a.Depth) {
			case "0", "1", "infinity":
			default:
				e.fail("GETMETADATA depth", a.Depth, `not "0", "1" or "infinity"`)
			}
			e.raw("DEPTH ")
			e.raw(a.Depth)
		}
		e.byte1(')')
	}
	e.sp()
	e.mailbox("mailbox", a.Mailbox)
	e.sp()
	switch len(a.Entries) {
	case 0:
		e.fail("GETMETADATA", "", "no entries")
	case 1:
		e.astr("metadata entry", a.Entries[0])
	default:
		e.byte1('(')
		for i, en := range a.Entries {
			if i > 0 {
				e.sp()
			}
			e.astr("metadata entry", en)
		}
		e.byte1(')')
	}
}

// metadataValues appends entry-values = "(" entry-value *(SP entry-value)
// ")" with value = nstring / literal8 (RFC 5464 §5): a value holding NUL
// goes as a literal8.
func (e *Encoder) metadataValues(entries []imap.MetadataEntry) {
	if len(entries) == 0 {
		e.fail("metadata", "", "no entries")
	}
	e.byte1('(')
	for i, en := range entries {
		if i > 0 {
			e.sp()
		}
		e.astr("metadata entry", en.Name)
		e.sp()
		switch {
		case !en.Value.Valid:
			e.raw("NIL")
		case strings.IndexByte(en.Value.S, 0) >= 0:
			e.literal("metadata value", en.Value.S, true)
		default:
			e.str("metadata value", en.Value.S)
		}
	}
	e.byte1(')')
}

// notify encodes NOTIFY (RFC 5465 §8): "NOTIFY" SP ("SET" [SP "STATUS"]
// SP event-groups / "NONE").
func (e *Encoder) notify(a *imap.NotifyCommand) {
	if a.None {
		if a.Status || len(a.Groups) > 0 {
			e.fail("NOTIFY", "", "NONE takes no STATUS and no event groups")
		}
		e.raw(" NONE")
		return
	}
	e.raw(" SET")
	if a.Status {
		e.raw(" STATUS")
	}
	if len(a.Groups) == 0 {
		e.fail("NOTIFY", "", "SET needs an event group")
	}
	for i := range a.Groups {
		e.sp()
		e.notifyEventGroup(&a.Groups[i])
	}
}

// notifyEventGroup appends event-group = "(" filter-mailboxes SP events
// ")", where events = "(" event *(SP event) ")" / "NONE".
func (e *Encoder) notifyEventGroup(g *imap.NotifyEventGroup) {
	e.byte1('(')
	known := false
	for _, f := range notifyFilters {
		if strings.EqualFold(string(g.Filter), string(f)) {
			known = true
		}
	}
	if !known {
		e.fail("NOTIFY mailbox filter", string(g.Filter), "unknown filter")
	}
	e.raw(string(g.Filter))
	switch {
	case !g.Filter.TakesMailboxes():
		if len(g.Mailboxes) > 0 {
			e.fail("NOTIFY "+string(g.Filter), "", "this filter takes no mailboxes")
		}
	case len(g.Mailboxes) == 0:
		e.fail("NOTIFY "+string(g.Filter), "", "no mailbox")
	case len(g.Mailboxes) == 1:
		e.sp()
		e.mailbox("mailbox", g.Mailboxes[0])
	default:
		e.raw(" (")
		for i, m := range g.Mailboxes {
			if i > 0 {
				e.sp()
			}
			e.mailbox("mailbox", m)
		}
		e.byte1(')')
	}
	e.sp()
	if len(g.Events) == 0 {
		e.raw("NONE")
	} else {
		e.byte1('(')
		for i := range g.Events {
			if i > 0 {
				e.sp()
			}
			e.notifyEvent(&g.Events[i])
		}
		e.byte1(')')
	}
	e.byte1(')')
}

// notifyEvent appends an event; MessageNew with its FETCH attributes
// ("MessageNew" [SP "(" fetch-att *(SP fetch-att) ")"]).
func (e *Encoder) notifyEvent(ev *imap.NotifyEvent) {
	name := string(ev.Name)
	e.atom("NOTIFY event", name)
	if len(ev.Fetch) == 0 {
		return
	}
	if !strings.EqualFold(name, string(imap.EventMessageNew)) {
		e.fail("NOTIFY event", name, "only MessageNew takes FETCH attributes")
	}
	e.raw(" (")
	for i := range ev.Fetch {
		if i > 0 {
			e.sp()
		}
		e.fetchAttr(&ev.Fetch[i])
	}
	e.byte1(')')
}
