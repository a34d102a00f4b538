package wire

import (
	"encoding/base64"
	"errors"
	"unicode/utf8"

	"github.com/mailaccess/mailaccess/imap"
)

// This file decodes client commands (RFC 3501 §6 and §9, RFC 9051 §6 and
// §9, the collected extensions of RFC 4466, and the extensions named in
// package imap's command.go). SEARCH, SORT and THREAD are in
// search_decode.go, FETCH in command_fetch_decode.go.

// ReadCommand decodes the next client command into c, which it zeroes
// first. Command names and keywords are case-insensitive; Name is upper
// case. For "UID FETCH" and the like Name is the command after UID and
// c.UID is set.
//
// A malformed command yields a *SyntaxError carrying the command's tag
// (when it was read) so a server can answer "tag BAD"; the decoder has then
// skipped the rest of the command, including non-synchronizing literals it
// announced (a synchronizing literal announced by the malformed line is not
// awaited: the client sends it only after a continuation request). io.EOF
// is returned when the stream ends between commands; other I/O errors are
// returned as they are.
//
// Before each synchronizing literal Options.Continue is called; if it
// refuses, the literal is not read, the command ends there and the error
// wraps ErrLiteralRefused. The message literals of APPEND and REPLACE are
// handed to Options.Stream when it is set (the AppendMessage is then
// Streamed, with Size); otherwise they are read into memory, up to
// MaxMemoryLiteral.
//
// In lenient mode a command the codec does not know (vendor commands) is
// returned as *imap.RawCommand, and unknown search keys as imap.SearchRaw
// nodes; strict mode rejects them. Vendor STORE items ("X-...", such as
// X-GM-LABELS) are decoded in both modes (imap.StoreCommand.Item).
func (d *Decoder) ReadCommand(c *Command) error {
	*c = Command{}
	if err := d.beginMessage(true); err != nil {
		return d.failStart(err)
	}
	if !d.strict() {
		// Lenient: skip empty lines (as typed by people testing with
		// telnet).
		for len(d.line) == 0 {
			if err := d.readLine(); err != nil {
				return d.failStart(err)
			}
		}
	}
	if err := d.readCommand(c); err != nil {
		return d.fail(err)
	}
	return nil
}

// failStart handles an error reading the first line of a message: io.EOF
// and other I/O errors are returned as they are, limit and syntax errors
// (an over-long line, a bare LF in strict mode) become a SyntaxError after
// resynchronization.
func (d *Decoder) failStart(err error) error {
	if errors.Is(err, ErrLimit) || errors.Is(err, ErrSyntax) {
		return d.fail(err)
	}
	return err
}

func (d *Decoder) readCommand(c *Command) error {
	// tag = 1*<any ASTRING-CHAR except "+">
	var tag []byte
	if d.strict() {
		tag = d.span(&tagChar)
	} else {
		tag = d.span(&lenientTagChar)
	}
	if len(tag) == 0 {
		return d.errExpected("tag")
	}
	d.tag = str(tag)
	c.Tag = d.tag
	if err := d.sp(); err != nil {
		return err
	}
	nameStart := d.pos
	nb, err := d.atom()
	if err != nil {
		return d.errExpected("command name")
	}
	name, _ := commandName(nb)
	if name == "UID" {
		c.UID = true
		if err := d.sp(); err != nil {
			return err
		}
		nameStart = d.pos
		nb, err = d.atom()
		if err != nil {
			return d.errExpected("command name after UID")
		}
		var known bool
		name, known = commandName(nb)
		switch name {
		case "COPY", "MOVE", "FETCH", "SEARCH", "STORE", "EXPUNGE", "SORT", "THREAD", "REPLACE":
		default:
			if d.strict() || known {
				d.pos = nameStart
				return d.errExpected("COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE, SORT, THREAD or REPLACE after UID")
			}
		}
	}
	c.Name = name
	d.cmdName = name

	var args imap.CommandArgs
	switch name {
	case "CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "CHECK", "CLOSE", "UNSELECT",
		"IDLE", "NAMESPACE", "UNAUTHENTICATE":
		return d.end()
	case "EXPUNGE":
		args, err = d.cmdExpunge(c.UID)
	case "LOGIN":
		args, err = d.cmdLogin()
	case "AUTHENTICATE":
		args, err = d.cmdAuthenticate()
	case "SELECT", "EXAMINE":
		args, err = d.cmdSelect(name == "EXAMINE")
	case "CREATE":
		args, err = d.cmdCreate()
	case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE", "GETQUOTAROOT", "GETACL", "MYRIGHTS":
		args, err = d.cmdMailbox(name)
	case "RENAME":
		args, err = d.cmdRename()
	case "LIST":
		args, err = d.cmdList()
	case "LSUB":
		args, err = d.cmdLsub()
	case "STATUS":
		args, err = d.cmdStatus()
	case "APPEND":
		args, err = d.cmdAppend()
	case "SEARCH":
		args, err = d.cmdSearch()
	case "FETCH":
		args, err = d.cmdFetch(c.UID)
	case "STORE":
		args, err = d.cmdStore()
	case "COPY", "MOVE":
		args, err = d.cmdCopy(name == "MOVE")
	case "ENABLE":
		args, err = d.cmdEnable()
	case "ID":
		args, err = d.cmdID()
	case "SORT":
		args, err = d.cmdSort()
	case "THREAD":
		args, err = d.cmdThread()
	case "GETQUOTA":
		args, err = d.cmdGetQuota()
	case "SETQUOTA":
		args, err = d.cmdSetQuota()
	case "SETACL":
		args, err = d.cmdSetACL()
	case "DELETEACL":
		args, err = d.cmdDeleteACL()
	case "LISTRIGHTS":
		args, err = d.cmdListRights()
	case "GETMETADATA":
		args, err = d.cmdGetMetadata()
	case "SETMETADATA":
		args, err = d.cmdSetMetadata()
	case "COMPRESS":
		args, err = d.cmdCompress()
	case "REPLACE":
		args, err = d.cmdReplace(c.UID)
	case "NOTIFY":
		args, err = d.cmdNotify()
	default:
		if d.strict() {
			d.pos = nameStart
			return d.errExpected("known command")
		}
		args, err = d.cmdRaw(name)
	}
	if err != nil {
		return err
	}
	c.Args = args
	return d.end()
}

// lenientTagChar is tagChar plus 8-bit bytes and TAB (lenient mode).
// (It is built from scratch: init functions of this file run before
// those of scan.go.)
var lenientTagChar [256]bool

func init() {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 0x80 || c == '\t':
			lenientTagChar[c] = true
		case c > 0x20 && c < 0x7f:
			switch c {
			case '(', ')', '{', '%', '*', '"', '\\', '+':
			default:
				lenientTagChar[c] = true
			}
		}
	}
}

// commandNames are the commands ReadCommand knows, upper case.
var commandNames = [...]string{
	"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN",
	"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
	"UNSUBSCRIBE", "LIST", "LSUB", "NAMESPACE", "STATUS", "APPEND", "IDLE",
	"CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE",
	"COPY", "MOVE", "UID", "ENABLE", "ID", "SORT", "THREAD", "GETQUOTA",
	"GETQUOTAROOT", "SETQUOTA", "SETACL", "DELETEACL", "GETACL",
	"LISTRIGHTS", "MYRIGHTS", "GETMETADATA", "SETMETADATA", "COMPRESS",
	"UNAUTHENTICATE", "REPLACE", "NOTIFY",
}

// commandsByLen indexes commandNames by length.
var commandsByLen [16][]string

func init() {
	for _, n := range commandNames {
		commandsByLen[len(n)] = append(commandsByLen[len(n)], n)
	}
}

// commandName returns the upper-case name of the command b and whether it
// is known; a known name is a constant string, so nothing is allocated.
func commandName(b []byte) (string, bool) {
	if len(b) < len(commandsByLen) {
		for _, n := range commandsByLen[len(b)] {
			if equalFold(b, n) {
				return n, true
			}
		}
	}
	return upper(b), false
}

// keyword reads an atom and returns it as an upper-case string (sharing
// memory when it already is upper case).
func (d *Decoder) keyword(what string) (string, error) {
	b, err := d.atom()
	if err != nil {
		return "", d.errExpected(what)
	}
	return upper(b), nil
}

// cmdRaw reads the arguments of an unknown command verbatim (lenient mode).
func (d *Decoder) cmdRaw(name string) (imap.CommandArgs, error) {
	rc := &imap.RawCommand{Name: name}
	if d.eol() {
		return rc, nil
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	var out []byte
	for !d.eol() {
		if len(out) > 0 {
			out = append(out, ' ')
		}
		if err := d.appendRaw(&out); err != nil {
			return nil, err
		}
		for d.accept(' ') {
		}
	}
	rc.Args = out
	return rc, nil
}

// ---- Mailbox names -------------------------------------------------------

// mailbox reads a mailbox (RFC 3501 §9: "INBOX" / astring) and returns its
// UTF-8 name: decoded from modified UTF-7 (RFC 3501 §5.1.3) unless
// Options.UTF8 is set (RFC 9051 §5.1, UTF8=ACCEPT), and with every case
// variant of INBOX spelled "INBOX" (RFC 3501 §5.1). A name that is not
// valid modified UTF-7 (or, with UTF8, not valid UTF-8) is an error in
// strict mode and kept as sent in lenient mode.
func (d *Decoder) mailbox() (string, error) {
	start := d.pos
	b, err := d.astringBytes()
	if err != nil {
		d.pos = start
		return "", d.errExpected("mailbox")
	}
	return d.mailboxName(b, start)
}

// mailboxName converts the wire form b of a mailbox name (or of a LIST
// pattern) to its UTF-8 form; start is where it began, for errors.
func (d *Decoder) mailboxName(b []byte, start int) (string, error) {
	if equalFold(b, "INBOX") {
		return "INBOX", nil
	}
	s := str(b)
	if d.opt.UTF8 {
		if d.strict() && !utf8.Valid(b) {
			d.pos = start
			return "", d.errExpected("UTF-8 mailbox name")
		}
		return s, nil
	}
	for _, c := range b {
		if c == '&' || c < 0x20 || c > 0x7e {
			dec, err := imap.DecodeMailboxUTF7(s)
			if err != nil {
				if d.strict() {
					d.pos = start
					return "", d.syntaxErr("modified UTF-7 mailbox name", err)
				}
				return s, nil
			}
			return dec, nil
		}
	}
	return s, nil
}

// listMailbox reads a list-mailbox (1*list-char / string), a LIST pattern,
// and decodes it like a mailbox name.
func (d *Decoder) listMailbox() (string, error) {
	start := d.pos
	var b []byte
	switch c := d.peek(); {
	case c == '"' || c == '{' || d.literal8Next():
		var err error
		if b, err = d.stringBytes(); err != nil {
			return "", err
		}
	default:
		if d.strict() {
			b = d.span(&listChar)
		} else {
			b = d.span(&lenientAst)
		}
		if len(b) == 0 {
			return "", d.errExpected("list-mailbox")
		}
	}
	return d.mailboxName(b, start)
}

// ---- Small shared pieces -------------------------------------------------

// seqSetChar holds the bytes of a sequence-set (and "$", RFC 5182).
var seqSetChar [256]bool

func init() {
	for c := '0'; c <= '9'; c++ {
		seqSetChar[c] = true
	}
	seqSetChar[':'] = true
	seqSetChar[','] = true
	seqSetChar['*'] = true
	seqSetChar['$'] = true
}

// knownSet reads a set of QRESYNC's SELECT parameter (known-uids,
// known-sequence-set, known-uid-set; RFC 7162 §3.2.5.2 and §7). They name
// messages the client knows, so strict mode refuses "*" (which the ABNF
// comment excludes) and "$" (SELECT has no previous search result).
func (d *Decoder) knownSet() (imap.NumSet, error) {
	start := d.pos
	set, err := d.numSet()
	if err == nil && d.strict() && (set.IsSearchRes() || set.ContainsStar()) {
		d.pos = start
		return imap.NumSet{}, d.errExpected(`known set without "*" or "$"`)
	}
	return set, err
}

// numSet reads a sequence-set (RFC 9051 §9, with "$" of RFC 5182).
func (d *Decoder) numSet() (imap.NumSet, error) {
	start := d.pos
	b := d.span(&seqSetChar)
	if len(b) == 0 {
		return imap.NumSet{}, d.errExpected("sequence-set")
	}
	s, err := imap.ParseNumSetBytes(b)
	if err != nil {
		var se *imap.SyntaxError
		d.pos = start
		if errors.As(err, &se) && se.Offset >= 0 && se.Offset <= len(b) {
			d.pos = start + se.Offset
		}
		return imap.NumSet{}, d.syntaxErr("sequence-set", err)
	}
	return s, nil
}

// flag reads a flag (RFC 3501 §9: "\" atom / atom) and canonicalizes the
// spelling of system flags. Lenient mode also accepts "\*".
func (d *Decoder) flag() (imap.Flag, error) {
	start := d.pos
	bs := d.accept('\\')
	if bs && !d.strict() && d.accept('*') {
		return imap.FlagWildcard, nil
	}
	if _, err := d.atom(); err != nil {
		d.pos = start
		return "", d.errExpected("flag")
	}
	f := imap.Flag(str(d.line[start:d.pos]))
	if bs {
		f = f.Canonical()
	}
	return f, nil
}

// flagList reads a flag-list: "(" [flag *(SP flag)] ")". The result is
// non-nil (empty for "()").
func (d *Decoder) flagList() ([]imap.Flag, error) {
	flags := make([]imap.Flag, 0, 4)
	err := d.list(true, func() error {
		f, err := d.flag()
		if err != nil {
			return err
		}
		flags = append(flags, f)
		return nil
	})
	return flags, err
}

// modSeq reads a mod-sequence-value (RFC 7162 §7: 1..2^63-1), or a
// mod-sequence-valzer when zeroOK.
func (d *Decoder) modSeq(zeroOK bool) (uint64, error) {
	start := d.pos
	n, err := d.number64()
	if err != nil {
		return 0, err
	}
	if n == 0 && !zeroOK && d.strict() {
		d.pos = start
		return 0, d.errExpected("non-zero mod-sequence")
	}
	return n, nil
}

// ---- Commands ------------------------------------------------------------

// login = "LOGIN" SP userid SP password
func (d *Decoder) cmdLogin() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	user, err := d.astring()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	pass, err := d.astring()
	if err != nil {
		return nil, err
	}
	return &imap.LoginCommand{Username: user, Password: pass}, nil
}

// authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]
// (RFC 4959 SASL-IR; RFC 9051 §9 initial-resp).
func (d *Decoder) cmdAuthenticate() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mech, err := d.keyword("auth-type")
	if err != nil {
		return nil, err
	}
	a := &imap.AuthenticateCommand{Mechanism: mech}
	if !d.spMore() {
		return a, nil
	}
	a.HasInitialResponse = true
	if d.accept('=') {
		a.InitialResponse = []byte{}
		return a, nil
	}
	start := d.pos
	b := d.span(&base64Char)
	if len(b) == 0 {
		return nil, d.errExpected(`base64 or "="`)
	}
	enc := base64.StdEncoding
	if !d.strict() && b[len(b)-1] != '=' && len(b)%4 != 0 {
		// Lenient: some clients leave out the padding.
		enc = base64.RawStdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(b)))
	n, err := enc.Decode(out, b)
	if err != nil {
		d.pos = start
		return nil, d.syntaxErr("base64", err)
	}
	a.InitialResponse = out[:n]
	return a, nil
}

// base64Char holds base64-char and "=".
var base64Char [256]bool

func init() {
	for c := 0; c < 256; c++ {
		base64Char[c] = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '+' || c == '/' || c == '='
	}
}

// select  = "SELECT" SP mailbox [select-params]     (RFC 4466)
// select-params = SP "(" select-param *(SP select-param) ")"
// select-param =/ "CONDSTORE" / "QRESYNC" SP "(" uidvalidity SP
//
//	mod-sequence-value [SP known-uids] [SP seq-match-data] ")"  (RFC 7162 §7)
func (d *Decoder) cmdSelect(readOnly bool) (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	s := &imap.SelectCommand{Mailbox: mbox, ReadOnly: readOnly}
	if !d.spThen('(') {
		return s, nil
	}
	err = d.list(false, func() error {
		start := d.pos
		name, err := d.keyword("select-param")
		if err != nil {
			return err
		}
		switch name {
		case "CONDSTORE":
			s.CondStore = true
			return nil
		case "QRESYNC":
			if s.QResync != nil && d.strict() {
				d.pos = start
				return d.errExpected("a single QRESYNC parameter")
			}
			if err := d.sp(); err != nil {
				return err
			}
			q, err := d.qresyncParams()
			if err != nil {
				return err
			}
			s.QResync = q
			return nil
		}
		d.pos = start
		return d.errExpected("CONDSTORE or QRESYNC")
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// spThen reports whether SP and then c follow, consuming the SP(s) if so.
func (d *Decoder) spThen(c byte) bool {
	i := d.pos
	if i >= len(d.line) || d.line[i] != ' ' {
		return false
	}
	i++
	if !d.strict() {
		for i < len(d.line) && d.line[i] == ' ' {
			i++
		}
	}
	if i < len(d.line) && d.line[i] == c {
		d.pos = i
		return true
	}
	return false
}

// spMore reports whether SP and then something other than the end of the
// line (or ")") follow, consuming the SP(s) if so.
func (d *Decoder) spMore() bool {
	i := d.pos
	if i >= len(d.line) || d.line[i] != ' ' {
		return false
	}
	i++
	if !d.strict() {
		for i < len(d.line) && d.line[i] == ' ' {
			i++
		}
		if i >= len(d.line) || d.line[i] == ')' {
			return false
		}
	}
	d.pos = i
	return true
}

func (d *Decoder) qresyncParams() (*imap.QResyncParams, error) {
	q := &imap.QResyncParams{}
	if err := d.expect('('); err != nil {
		return nil, err
	}
	if err := d.push(); err != nil {
		return nil, err
	}
	defer d.pop()
	v, err := d.nzNumber()
	if err != nil {
		return nil, err
	}
	q.UIDValidity = v
	if err := d.sp(); err != nil {
		return nil, err
	}
	if q.ModSeq, err = d.modSeq(false); err != nil {
		return nil, err
	}
	// [SP known-uids] [SP seq-match-data]
	if d.spMore() && d.peek() != '(' {
		set, err := d.knownSet()
		if err != nil {
			return nil, err
		}
		q.KnownUIDs = imap.UIDSet{NumSet: set}
		d.spMore() // before seq-match-data, if any
	}
	if d.peek() == '(' {
		d.pos++
		seqs, err := d.knownSet()
		if err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
		uids, err := d.knownSet()
		if err != nil {
			return nil, err
		}
		if err := d.expect(')'); err != nil {
			return nil, err
		}
		q.SeqMatchSeqs = imap.SeqSet{NumSet: seqs}
		q.SeqMatchUIDs = imap.UIDSet{NumSet: uids}
	}
	if !d.strict() {
		for d.accept(' ') {
		}
	}
	if err := d.expect(')'); err != nil {
		return nil, err
	}
	return q, nil
}

// create = "CREATE" SP mailbox [create-params]      (RFC 4466)
// create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"  (RFC 6154 §6)
func (d *Decoder) cmdCreate() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	cc := &imap.CreateCommand{Mailbox: mbox}
	if !d.spThen('(') {
		return cc, nil
	}
	err = d.list(false, func() error {
		start := d.pos
		name, err := d.keyword("create-param")
		if err != nil {
			return err
		}
		if name != "USE" {
			d.pos = start
			return d.errExpected("USE")
		}
		if err := d.sp(); err != nil {
			return err
		}
		if cc.SpecialUse == nil {
			cc.SpecialUse = []imap.MailboxAttr{}
		}
		return d.list(true, func() error {
			start := d.pos
			if !d.accept('\\') {
				return d.errExpected("use-attr")
			}
			if _, err := d.atom(); err != nil {
				d.pos = start
				return d.errExpected("use-attr")
			}
			cc.SpecialUse = append(cc.SpecialUse, imap.MailboxAttr(str(d.line[start:d.pos])).Canonical())
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return cc, nil
}

// DELETE, SUBSCRIBE, UNSUBSCRIBE, GETQUOTAROOT, GETACL, MYRIGHTS: SP mailbox.
func (d *Decoder) cmdMailbox(name string) (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	return &imap.MailboxCommand{Name: name, Mailbox: mbox}, nil
}

// rename = "RENAME" SP mailbox SP mailbox
func (d *Decoder) cmdRename() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	from, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	to, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	return &imap.RenameCommand{From: from, To: to}, nil
}

// list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat
//
//	[SP list-return-opts]                    (RFC 5258 §6, RFC 9051 §9)
//
// mbox-or-pat = list-mailbox / patterns
// patterns    = "(" list-mailbox *(SP list-mailbox) ")"
func (d *Decoder) cmdList() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	l := &imap.ListCommand{}
	if d.peek() == '(' {
		l.SelectOpts = []string{}
		if err := d.list(true, func() error {
			opt, err := d.listOption()
			if err != nil {
				return err
			}
			l.SelectOpts = append(l.SelectOpts, opt)
			return nil
		}); err != nil {
			return nil, err
		}
		// Lenient: RFC 5819 §5's example omits this SP.
		if d.strict() || d.peek() != '"' {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
	}
	ref, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	l.Reference = ref
	if err := d.sp(); err != nil {
		return nil, err
	}
	if d.peek() == '(' {
		if err := d.list(false, func() error {
			p, err := d.listMailbox()
			if err != nil {
				return err
			}
			l.Patterns = append(l.Patterns, p)
			return nil
		}); err != nil {
			return nil, err
		}
		if len(l.Patterns) == 0 {
			// "()" even in lenient mode: LIST needs a pattern.
			d.pos--
			return nil, d.errExpected("list-mailbox")
		}
	} else {
		p, err := d.listMailbox()
		if err != nil {
			return nil, err
		}
		l.Patterns = []string{p}
	}
	if !d.spMore() {
		return l, nil
	}
	start := d.pos
	kw, err := d.atom()
	if err != nil || !equalFold(kw, "RETURN") {
		d.pos = start
		return nil, d.errExpected("RETURN")
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	l.ReturnOpts = []string{}
	err = d.list(true, func() error {
		start := d.pos
		name, err := d.keyword("return-option")
		if err != nil {
			return err
		}
		if name == "STATUS" {
			// status-option = "STATUS" SP "(" status-att *(SP status-att) ")"
			// (RFC 5819 §4)
			if err := d.sp(); err != nil {
				return err
			}
			items, err := d.statusAtts()
			if err != nil {
				return err
			}
			l.ReturnStatus = append(l.ReturnStatus, items...)
			return nil
		}
		d.pos = start
		opt, err := d.listOption()
		if err != nil {
			return err
		}
		l.ReturnOpts = append(l.ReturnOpts, opt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// listOption reads a LIST selection or return option: an option name
// (upper case) and, for an option-extension with a value
// (RFC 5258 §6: option-extension = tag [SP option-value],
// option-value = "(" option-val-comp ")"), the value appended verbatim
// after a space.
func (d *Decoder) listOption() (string, error) {
	name, err := d.keyword("LIST option")
	if err != nil {
		return "", err
	}
	if !d.spThen('(') {
		return name, nil
	}
	out := []byte(name)
	out = append(out, ' ')
	if err := d.appendRaw(&out); err != nil {
		return "", err
	}
	return str(out), nil
}

// lsub = "LSUB" SP mailbox SP list-mailbox
func (d *Decoder) cmdLsub() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	ref, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	p, err := d.listMailbox()
	if err != nil {
		return nil, err
	}
	return &imap.ListCommand{Lsub: true, Reference: ref, Patterns: []string{p}}, nil
}

// status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
func (d *Decoder) cmdStatus() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	items, err := d.statusAtts()
	if err != nil {
		return nil, err
	}
	return &imap.StatusCommand{Mailbox: mbox, Items: items}, nil
}

// statusItems are the status-att names of RFC 3501, RFC 9051, RFC 7162
// (HIGHESTMODSEQ), RFC 9208 (DELETED-STORAGE), RFC 7889 (APPENDLIMIT) and
// RFC 8474 (MAILBOXID).
var statusItems = [...]imap.StatusItem{
	imap.StatusMessages, imap.StatusRecent, imap.StatusUIDNext, imap.StatusUIDValidity,
	imap.StatusUnseen, imap.StatusDeleted, imap.StatusSize, imap.StatusHighestModSeq,
	imap.StatusAppendLimit, imap.StatusMailboxID, "DELETED-STORAGE",
}

// statusAtts reads "(" status-att *(SP status-att) ")". Unknown items are
// kept (upper case) in lenient mode.
func (d *Decoder) statusAtts() ([]imap.StatusItem, error) {
	items := make([]imap.StatusItem, 0, 4)
	err := d.list(false, func() error {
		start := d.pos
		b, err := d.atom()
		if err != nil {
			return d.errExpected("status-att")
		}
		for _, it := range statusItems {
			if equalFold(b, string(it)) {
				items = append(items, it)
				return nil
			}
		}
		if d.strict() {
			d.pos = start
			return d.errExpected("status-att")
		}
		items = append(items, imap.StatusItem(upper(b)))
		return nil
	})
	return items, err
}

// append = "APPEND" SP mailbox 1*append-message     (RFC 4466, RFC 3502)
// append-message = [SP flag-list] [SP date-time] SP (literal / literal8)
func (d *Decoder) cmdAppend() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	a := &imap.AppendCommand{Mailbox: mbox}
	for {
		if len(a.Messages) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		var m imap.AppendMessage
		if err := d.appendMessage(mbox, &m, appendTarget{}); err != nil {
			return nil, err
		}
		a.Messages = append(a.Messages, m)
		d.appendIdx++
		// MULTIAPPEND (RFC 3502): another message follows the literal.
		if !d.spMore() {
			return a, nil
		}
		d.pos-- // give the SP back to appendMessage
	}
}

// appendTarget is what a REPLACE command replaces, for the Literal handed
// to Options.Stream.
type appendTarget struct {
	num uint32
	uid bool
}

// appendMessage reads one append-message (RFC 4466 §2.3, with the
// UTF8 form of RFC 6855 §4), from its leading SP to the end of its
// literal:
//
//	append-message = [SP flag-list] [SP date-time] SP append-data
//	append-data    = literal / literal8 / "UTF8" SP "(" literal8 ")"
func (d *Decoder) appendMessage(mbox string, m *imap.AppendMessage, t appendTarget) error {
	if err := d.sp(); err != nil {
		return err
	}
	var err error
	if d.peek() == '(' {
		if m.Flags, err = d.flagList(); err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
	}
	if d.peek() == '"' {
		if m.Date, err = d.dateTime(); err != nil {
			return err
		}
		m.HasDate = true
		if err := d.sp(); err != nil {
			return err
		}
	}
	// RFC 6855 §4: utf8-literal = "UTF8" SP "(" literal8 ")". Lenient
	// mode also takes a literal there.
	if d.peek() == 'U' || d.peek() == 'u' {
		if !d.utf8Open() {
			return d.errExpected(`literal or "UTF8 ("`)
		}
		if d.strict() && !d.literal8Next() {
			return d.errExpected("literal8")
		}
		m.UTF8 = true
	}
	if err := d.appendData(mbox, m, t); err != nil {
		return err
	}
	if m.UTF8 && !d.accept(')') {
		return d.errExpected(`")" after the UTF8 literal`)
	}
	return nil
}

// appendData reads the message literal of an APPEND or REPLACE (literal /
// literal8, RFC 3516), streaming it to Options.Stream when set.
func (d *Decoder) appendData(mbox string, m *imap.AppendMessage, t appendTarget) error {
	if c := d.peek(); c != '{' && c != '~' {
		return d.errExpected("literal")
	}
	h, err := d.literalHeader(true)
	if err != nil {
		return err
	}
	m.Binary = h.binary
	if d.opt.Stream == nil {
		data, err := d.readLiteralData(h)
		if err == nil {
			err = d.checkLiteralNUL(h, data)
		}
		if err != nil {
			return err
		}
		m.Data = data
		m.Size = h.size
		return nil
	}
	if err := d.startLiteral(h); err != nil {
		return err
	}
	d.lit = Literal{
		Size:    h.size,
		NonSync: h.nonSync,
		Binary:  h.binary,
		Command: d.cmdName,
		Message: d.appendIdx,
		Tag:     d.tag,
		Mailbox: mbox,
		Append:  m,
		Seq:     t.num,
		UID:     t.uid,
		r:       &d.lr,
	}
	herr := d.opt.Stream(&d.lit)
	d.lit = Literal{}
	if err := d.lr.discard(); err != nil {
		return err
	}
	m.Streamed = true
	m.Size = h.size
	if err := d.readLine(); err != nil {
		return eofToUnexpected(err, true)
	}
	if herr != nil {
		// The handler failed; the literal has been consumed, so the
		// stream is in step. Report it with the tag, and skip the rest.
		return &SyntaxError{Offset: d.lineOff, Tag: d.tag, Expected: "", Err: herr}
	}
	return nil
}

// replace = "REPLACE" SP seq-number SP mailbox append-message
// uid =/ "UID" SP replace                             (RFC 8508 §5)
//
// seq-number = nz-number / "*" (RFC 9051 §9); with UID it is a UID.
func (d *Decoder) cmdReplace(uid bool) (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	r := &imap.ReplaceCommand{}
	if !d.accept('*') {
		start := d.pos
		n, err := d.number()
		if err == nil && n == imap.Star {
			// Even lenient mode refuses 0 (or -1): no message, and not
			// the "*" that Star stands for.
			d.pos = start
			err = d.errExpected(`nz-number or "*"`)
		}
		if err != nil {
			return nil, err
		}
		r.Num = n
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	r.Mailbox = mbox
	if err := d.appendMessage(mbox, &r.Message, appendTarget{num: r.Num, uid: uid}); err != nil {
		return nil, err
	}
	return r, nil
}

// expunge = "EXPUNGE"; uid-expunge = "UID" SP "EXPUNGE" SP sequence-set
// (RFC 4315 §3).
func (d *Decoder) cmdExpunge(uid bool) (imap.CommandArgs, error) {
	if !uid {
		return &imap.ExpungeCommand{}, nil
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	set, err := d.numSet()
	if err != nil {
		return nil, err
	}
	return &imap.ExpungeCommand{UIDs: &imap.UIDSet{NumSet: set}}, nil
}

// store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags
// store-modifiers = SP "(" store-modifier *(SP store-modifier) ")"
// store-modifier =/ "UNCHANGEDSINCE" SP mod-sequence-valzer  (RFC 7162)
// store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
//
//	(flag-list / (flag *(SP flag)))
//
// In both modes a vendor item (an atom beginning with "X-", such as
// Gmail's X-GM-LABELS) may stand in place of FLAGS, with a list of values
// in the same forms:
//
//	store-att-vendor = ["+" / "-"] vendor-item [".SILENT"] SP
//	                   ("(" [store-value *(SP store-value)] ")" /
//	                   (store-value *(SP store-value)))
//	store-value      = astring / "\" atom
func (d *Decoder) cmdStore() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	set, err := d.numSet()
	if err != nil {
		return nil, err
	}
	s := &imap.StoreCommand{Set: set, Op: imap.StoreReplace}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if d.peek() == '(' {
		err := d.list(false, func() error {
			start := d.pos
			b, err := d.atom()
			if err != nil || !equalFold(b, "UNCHANGEDSINCE") || (s.HasUnchangedSince && d.strict()) {
				d.pos = start
				return d.errExpected("UNCHANGEDSINCE")
			}
			if err := d.sp(); err != nil {
				return err
			}
			if s.UnchangedSince, err = d.modSeq(true); err != nil {
				return err
			}
			s.HasUnchangedSince = true
			return nil
		})
		if err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
	}
	start := d.pos
	if d.accept('+') {
		s.Op = imap.StoreAdd
	} else if d.accept('-') {
		s.Op = imap.StoreRemove
	}
	b := d.span(&atomChar)
	switch {
	case equalFold(b, "FLAGS"):
	case equalFold(b, "FLAGS.SILENT"):
		s.Silent = true
	default:
		name := b
		if n := len(b) - len(".SILENT"); n > 0 && equalFold(b[n:], ".SILENT") {
			name = b[:n]
			s.Silent = true
		}
		if !isVendorStoreItem(name) {
			d.pos = start
			return nil, d.errExpected("[+/-]FLAGS[.SILENT] or a vendor item (X-...)")
		}
		s.Item = upper(name)
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	if s.Item != "" {
		return s, d.storeValues(s)
	}
	if d.peek() == '(' {
		if s.Flags, err = d.flagList(); err != nil {
			return nil, err
		}
		return s, nil
	}
	for {
		f, err := d.flag()
		if err != nil {
			return nil, err
		}
		s.Flags = append(s.Flags, f)
		if !d.spMore() {
			return s, nil
		}
	}
}

// isVendorStoreItem reports whether b names a vendor STORE item: an atom
// of more than "X-" that begins with it (case-insensitively), and does not
// end in ".SILENT", which is the suffix, not part of the name.
func isVendorStoreItem(b []byte) bool {
	if len(b) < 3 || b[0]|0x20 != 'x' || b[1] != '-' {
		return false
	}
	if n := len(b) - len(".SILENT"); n > 0 && equalFold(b[n:], ".SILENT") {
		return false
	}
	for _, c := range b {
		if !atomChar[c] {
			return false
		}
	}
	return true
}

// storeValues reads the values of a vendor STORE item into s.Values
// (non-nil): a parenthesized list, possibly empty, or values separated by
// spaces up to the end of the command.
func (d *Decoder) storeValues(s *imap.StoreCommand) error {
	s.Values = make([]string, 0, 4)
	if d.peek() == '(' {
		return d.list(true, func() error {
			v, err := d.storeValue()
			s.Values = append(s.Values, v)
			return err
		})
	}
	for {
		if len(s.Values) >= d.opt.MaxListLength {
			return d.syntaxErr("", ErrListTooLong)
		}
		v, err := d.storeValue()
		if err != nil {
			return err
		}
		s.Values = append(s.Values, v)
		if !d.spMore() {
			return nil
		}
	}
}

// storeValue reads store-value = astring / "\" atom: Gmail writes its
// system labels as flags ("\Inbox", "\Important").
func (d *Decoder) storeValue() (string, error) {
	if d.peek() != '\\' {
		return d.astring()
	}
	start := d.pos
	d.pos++
	if _, err := d.atom(); err != nil {
		d.pos = start
		return "", d.errExpected("store value")
	}
	return str(d.line[start:d.pos]), nil
}

// copy = "COPY" SP sequence-set SP mailbox; move likewise (RFC 6851).
func (d *Decoder) cmdCopy(move bool) (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	set, err := d.numSet()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	return &imap.CopyCommand{Move: move, Set: set, Mailbox: mbox}, nil
}

// enable = "ENABLE" 1*(SP capability)               (RFC 5161 §4)
func (d *Decoder) cmdEnable() (imap.CommandArgs, error) {
	e := &imap.EnableCommand{}
	for {
		if len(e.Caps) > 0 && !d.spMore() {
			return e, nil
		}
		if len(e.Caps) == 0 {
			if err := d.sp(); err != nil {
				return nil, err
			}
		}
		if len(e.Caps) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		b, err := d.atom()
		if err != nil {
			return nil, d.errExpected("capability")
		}
		e.Caps = append(e.Caps, imap.Cap(str(b)))
	}
}

// id = "ID" SP id_params_list                        (RFC 2971 §4)
// id_params_list = "(" #(string SPACE nstring) ")" / nil
func (d *Decoder) cmdID() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	id := &imap.IDCommand{}
	if d.acceptNIL() {
		return id, nil
	}
	id.Params = []imap.IDParam{}
	err := d.list(true, func() error {
		var key string
		var err error
		if d.strict() {
			key, err = d.string()
		} else {
			key, err = d.astring()
		}
		if err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		v, err := d.nstring()
		if err != nil {
			return err
		}
		id.Params = append(id.Params, imap.IDParam{Key: key, Value: v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return id, nil
}

// getquota = "GETQUOTA" SP quota-root-name           (RFC 9208 §7)
func (d *Decoder) cmdGetQuota() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	root, err := d.astring()
	if err != nil {
		return nil, err
	}
	return &imap.GetQuotaCommand{Root: root}, nil
}

// setquota = "SETQUOTA" SP quota-root-name SP setquota-list
// setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"
// setquota-resource = resource-name SP resource-limit
func (d *Decoder) cmdSetQuota() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	root, err := d.astring()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	sq := &imap.SetQuotaCommand{Root: root, Resources: []imap.QuotaResource{}}
	err = d.list(true, func() error {
		name, err := d.keyword("resource-name")
		if err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		limit, err := d.number64()
		if err != nil {
			return err
		}
		sq.Resources = append(sq.Resources, imap.QuotaResource{Name: name, Limit: limit})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sq, nil
}

// mailboxIdentifier reads SP mailbox SP identifier (RFC 4314).
func (d *Decoder) mailboxIdentifier() (string, string, error) {
	if err := d.sp(); err != nil {
		return "", "", err
	}
	mbox, err := d.mailbox()
	if err != nil {
		return "", "", err
	}
	if err := d.sp(); err != nil {
		return "", "", err
	}
	id, err := d.astring()
	if err != nil {
		return "", "", err
	}
	return mbox, id, nil
}

// setacl = "SETACL" SP mailbox SP identifier SP mod-rights (RFC 4314 §7)
func (d *Decoder) cmdSetACL() (imap.CommandArgs, error) {
	mbox, id, err := d.mailboxIdentifier()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	rights, err := d.astring()
	if err != nil {
		return nil, err
	}
	return &imap.SetACLCommand{Mailbox: mbox, Identifier: id, Rights: rights}, nil
}

// deleteacl = "DELETEACL" SP mailbox SP identifier
func (d *Decoder) cmdDeleteACL() (imap.CommandArgs, error) {
	mbox, id, err := d.mailboxIdentifier()
	if err != nil {
		return nil, err
	}
	return &imap.DeleteACLCommand{Mailbox: mbox, Identifier: id}, nil
}

// listrights = "LISTRIGHTS" SP mailbox SP identifier
func (d *Decoder) cmdListRights() (imap.CommandArgs, error) {
	mbox, id, err := d.mailboxIdentifier()
	if err != nil {
		return nil, err
	}
	return &imap.ListRightsCommand{Mailbox: mbox, Identifier: id}, nil
}

// getmetadata = "GETMETADATA" [SP getmetadata-options] SP mailbox SP entries
// getmetadata-options = "(" getmetadata-option *(SP getmetadata-option) ")"
// maxsize-opt = "MAXSIZE" SP number; scope-opt = "DEPTH" SP ("0" / "1" /
// "infinity")                                           (RFC 5464 §5)
// entries = entry / "(" entry *(SP entry) ")"
//
// RFC 5464's own examples (§4.2.2, §4.2.3, §4.4) put the options after the
// mailbox and list several entries without parentheses; lenient mode
// accepts both.
func (d *Decoder) cmdGetMetadata() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	g := &imap.GetMetadataCommand{}
	if d.peek() == '(' {
		if err := d.getMetadataOptions(g); err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
	}
	mbox, err := d.mailbox()
	if err != nil {
		return nil, err
	}
	g.Mailbox = mbox
	if err := d.sp(); err != nil {
		return nil, err
	}
	if !d.strict() && d.peek() == '(' && d.metadataOptionNext() {
		if err := d.getMetadataOptions(g); err != nil {
			return nil, err
		}
		if err := d.sp(); err != nil {
			return nil, err
		}
	}
	if d.peek() == '(' {
		err = d.list(false, func() error {
			e, err := d.astring()
			if err != nil {
				return err
			}
			g.Entries = append(g.Entries, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
		return g, nil
	}
	for {
		if len(g.Entries) >= d.opt.MaxListLength {
			return nil, d.syntaxErr("", ErrListTooLong)
		}
		e, err := d.astring()
		if err != nil {
			return nil, err
		}
		g.Entries = append(g.Entries, e)
		if d.strict() || !d.spMore() {
			return g, nil
		}
	}
}

// metadataOptionNext reports whether "(" is followed by MAXSIZE or DEPTH
// (and not by an entry name).
func (d *Decoder) metadataOptionNext() bool {
	rest := d.line[d.pos+1:]
	return len(rest) > 7 && equalFold(rest[:8], "MAXSIZE ") || len(rest) > 5 && equalFold(rest[:6], "DEPTH ")
}

func (d *Decoder) getMetadataOptions(g *imap.GetMetadataCommand) error {
	return d.list(false, func() error {
		start := d.pos
		name, err := d.keyword("getmetadata-option")
		if err != nil {
			return err
		}
		switch name {
		case "MAXSIZE":
			if err := d.sp(); err != nil {
				return err
			}
			g.MaxSize, err = d.number()
			return err
		case "DEPTH":
			if err := d.sp(); err != nil {
				return err
			}
			vs := d.pos
			b, err := d.atom()
			switch {
			case err != nil:
			case len(b) == 1 && (b[0] == '0' || b[0] == '1'):
				g.Depth = str(b)
				return nil
			case equalFold(b, "INFINITY"):
				g.Depth = "infinity"
				return nil
			}
			d.pos = vs
			return d.errExpected(`"0", "1" or "infinity"`)
		}
		d.pos = start
		return d.errExpected("MAXSIZE or DEPTH")
	})
}

// metadataMailbox reads the mailbox of GETMETADATA/SETMETADATA, where the
// empty string means the server (RFC 5464 §5).
func (d *Decoder) metadataMailbox() (string, error) {
	return d.mailbox()
}

// setmetadata = "SETMETADATA" SP mailbox SP entry-values
// entry-values = "(" entry-value *(SP entry-value) ")"
// entry-value = entry SP value; value = nstring / literal8 (RFC 5464 §5)
func (d *Decoder) cmdSetMetadata() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	mbox, err := d.metadataMailbox()
	if err != nil {
		return nil, err
	}
	if err := d.sp(); err != nil {
		return nil, err
	}
	s := &imap.SetMetadataCommand{Mailbox: mbox}
	err = d.list(false, func() error {
		name, err := d.astring()
		if err != nil {
			return err
		}
		if err := d.sp(); err != nil {
			return err
		}
		var v imap.NString
		if d.peek() == '~' {
			b, err := d.literalBytes(true)
			if err != nil {
				return err
			}
			v = imap.Str(str(b))
		} else if v, err = d.nstring(); err != nil {
			return err
		}
		s.Entries = append(s.Entries, imap.MetadataEntry{Name: name, Value: v})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// compress = "COMPRESS" SP algorithm                 (RFC 4978 §4)
func (d *Decoder) cmdCompress() (imap.CommandArgs, error) {
	if err := d.sp(); err != nil {
		return nil, err
	}
	alg, err := d.keyword("compression algorithm")
	if err != nil {
		return nil, err
	}
	return &imap.CompressCommand{Mechanism: alg}, nil
}

// utf8Open consumes `UTF8 (` (case-insensitively) and reports whether it
// was there.
func (d *Decoder) utf8Open() bool {
	const word = "UTF8 ("
	if len(d.line)-d.pos < len(word) {
		return false
	}
	for i := 0; i < len(word); i++ {
		c := d.line[d.pos+i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	d.pos += len(word)
	return true
}
