package mime

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
)

// This file implements the THREAD command's algorithms ORDEREDSUBJECT and
// REFERENCES (RFC 5256 §3, BASE.6.4.THREAD).

// ErrUnknownThreadAlgorithm is the error (tested with errors.Is) Thread
// returns for an algorithm it does not implement.
var ErrUnknownThreadAlgorithm = errors.New("mime: unknown threading algorithm")

// ThreadMessage is what Thread needs to know about one message.
type ThreadMessage struct {
	// Num is the number Thread returns for the message: its sequence
	// number for THREAD, its UID for UID THREAD. Ties between equal
	// dates are broken by ascending Num, and the first of several
	// messages with the same Message-ID is the one with the lowest Num.
	Num uint32
	// Date is the sent date (RFC 5256 §2.2), already resolved by the
	// caller: the Date header (ParseDate), else the INTERNALDATE.
	Date time.Time
	// Subject, MessageID, InReplyTo and References are the raw header
	// values (unfolded; encoded-words left as sent), "" when absent.
	Subject    string
	MessageID  string
	InReplyTo  string
	References string
}

// Thread groups msgs into threads by the named algorithm, "ORDEREDSUBJECT"
// or "REFERENCES" (any case), as RFC 5256 specifies them. An unknown
// algorithm gives an error matching ErrUnknownThreadAlgorithm.
//
// The result is the THREAD response's list of threads: each root node is
// a thread; a node's Children are its replies, in sent-date order. A node
// with Num 0 is a dummy standing for a message that is missing or was not
// searched; only a root can be one and it then has two or more children,
// which the THREAD response sends as a thread-list that starts with
// nested lists, as in "((3)(5))" (RFC 5256 §4).
//
// ORDEREDSUBJECT sorts the messages by base subject and sent date and
// makes each run of the same base subject one thread: the first message
// is the root and the others are its children, with no grandchildren.
//
// REFERENCES links messages into parent/child chains by Message-ID,
// References and In-Reply-To, then merges root threads with the same
// base subject, in the six steps of RFC 5256.
func Thread(algorithm string, msgs []ThreadMessage) ([]imap.ThreadNode, error) {
	switch strings.ToUpper(algorithm) {
	case "ORDEREDSUBJECT":
		return threadOrderedSubject(msgs), nil
	case "REFERENCES":
		return threadReferences(msgs), nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownThreadAlgorithm, algorithm)
}

// threadSubj is a message's base subject, as a collation key, and whether
// it is a reply or forward.
type threadSubj struct {
	key     string
	isReply bool
}

func threadSubjects(msgs []ThreadMessage) []threadSubj {
	out := make([]threadSubj, len(msgs))
	for i := range msgs {
		base, reply := BaseSubject(msgs[i].Subject)
		out[i] = threadSubj{key: sortCollateKey(base), isReply: reply}
	}
	return out
}

// compareSent orders two messages by sent date and then by Num (RFC 5256
// §2.2: the sequence number breaks ties).
func compareSent(a, b *ThreadMessage) int {
	if r := a.Date.Compare(b.Date); r != 0 {
		return r
	}
	return cmp.Compare(a.Num, b.Num)
}

// threadOrderedSubject is ORDEREDSUBJECT ("poor man's threading"): sort by
// base subject and then sent date, split into runs of one base subject,
// and order the threads by the sent date of their first message. The
// first message of a thread is its root; the others are its children.
func threadOrderedSubject(msgs []ThreadMessage) []imap.ThreadNode {
	subj := threadSubjects(msgs)
	order := make([]int, len(msgs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if r := strings.Compare(subj[a].key, subj[b].key); r != 0 {
			return r
		}
		return compareSent(&msgs[a], &msgs[b])
	})
	type run struct{ start, end int }
	var runs []run
	for i := 0; i < len(order); {
		j := i + 1
		for j < len(order) && subj[order[j]].key == subj[order[i]].key {
			j++
		}
		runs = append(runs, run{i, j})
		i = j
	}
	slices.SortStableFunc(runs, func(a, b run) int {
		return compareSent(&msgs[order[a.start]], &msgs[order[b.start]])
	})
	out := make([]imap.ThreadNode, len(runs))
	for k, r := range runs {
		out[k].Num = msgs[order[r.start]].Num
		if r.end-r.start > 1 {
			kids := make([]imap.ThreadNode, 0, r.end-r.start-1)
			for _, idx := range order[r.start+1 : r.end] {
				kids = append(kids, imap.ThreadNode{Num: msgs[idx].Num})
			}
			out[k].Children = kids
		}
	}
	return out
}

// refNode is a container of the REFERENCES algorithm: a message, or a
// dummy (msg < 0) for a Message-ID that no searched message has.
type refNode struct {
	msg      int // index in msgs, or -1 for a dummy
	parent   int // index in the node table, or -1
	children []int
}

// refThreader holds the state of one REFERENCES run.
type refThreader struct {
	msgs  []ThreadMessage
	subj  []threadSubj
	nodes []refNode
	ids   map[string]int // Message-ID -> node
}

func (t *refThreader) newNode(msg int) int {
	t.nodes = append(t.nodes, refNode{msg: msg, parent: -1})
	return len(t.nodes) - 1
}

// nodeFor returns the node of a referenced Message-ID, creating a dummy
// the first time the ID is seen (RFC 5256 step 1.A).
func (t *refThreader) nodeFor(id string) int {
	if n, ok := t.ids[id]; ok {
		return n
	}
	n := t.newNode(-1)
	t.ids[id] = n
	return n
}

// isDescendant reports whether node a is b or lies below b.
func (t *refThreader) isDescendant(a, b int) bool {
	for n := a; n >= 0; n = t.nodes[n].parent {
		if n == b {
			return true
		}
	}
	return false
}

// link makes parent the parent of child, which has none, unless that
// would make a loop (parent is child or below it).
func (t *refThreader) link(parent, child int) {
	// Only a child with children of its own can be above parent; the
	// check walks up from parent, so skip it when it cannot matter.
	if parent == child || (len(t.nodes[child].children) > 0 && t.isDescendant(parent, child)) {
		return
	}
	t.nodes[child].parent = parent
	t.nodes[parent].children = append(t.nodes[parent].children, child)
}

// unlink detaches child from its parent.
func (t *refThreader) unlink(child int) {
	p := t.nodes[child].parent
	if p < 0 {
		return
	}
	kids := t.nodes[p].children
	if i := slices.Index(kids, child); i >= 0 {
		t.nodes[p].children = slices.Delete(kids, i, i+1)
	}
	t.nodes[child].parent = -1
}

// threadReferences is the REFERENCES algorithm of RFC 5256 §3.
func threadReferences(msgs []ThreadMessage) []imap.ThreadNode {
	t := &refThreader{
		msgs:  msgs,
		subj:  threadSubjects(msgs),
		nodes: make([]refNode, 0, len(msgs)+len(msgs)/2),
		ids:   make(map[string]int, len(msgs)),
	}
	// Step 1, in mailbox order: the first (lowest-numbered) message with
	// a Message-ID owns it.
	seq := make([]int, len(msgs))
	for i := range seq {
		seq[i] = i
	}
	slices.SortStableFunc(seq, func(a, b int) int { return cmp.Compare(msgs[a].Num, msgs[b].Num) })
	for _, m := range seq {
		t.add(m)
	}

	// Step 2: the messages without parents are the children of the root.
	var roots []int
	for n := range t.nodes {
		if t.nodes[n].parent < 0 {
			roots = append(roots, n)
		}
	}

	// Step 3: prune dummies.
	roots = t.prune(roots, true)

	// Step 4: sort the root's children by sent date; a dummy sorts by
	// its first child once its children are sorted.
	for _, n := range roots {
		if t.nodes[n].msg < 0 {
			t.sortSiblings(t.nodes[n].children)
		}
	}
	t.sortSiblings(roots)

	// Step 5: merge threads with the same base subject.
	roots = t.mergeSubjects(roots)

	// Step 6: sort every set of siblings, the deepest first.
	t.sortTree(roots)

	return t.export(roots)
}

// add performs step 1 (A and B) for message m.
func (t *refThreader) add(m int) {
	msg := &t.msgs[m]
	// A message with no valid Message-ID, or a duplicate of an earlier
	// message's, gets a unique one: a node not in the ID table.
	var self int
	if id := firstMsgID(msg.MessageID); id == "" {
		self = t.newNode(m)
	} else if n, ok := t.ids[id]; !ok {
		self = t.newNode(m)
		t.ids[id] = self
	} else if t.nodes[n].msg < 0 {
		self = n // the dummy made for an earlier reference is this message
		t.nodes[n].msg = m
	} else {
		self = t.newNode(m)
	}

	// The references: the References header's Message-IDs, else the
	// first valid one of In-Reply-To.
	refs := parseMsgIDs(msg.References, -1)
	if len(refs) == 0 {
		refs = parseMsgIDs(msg.InReplyTo, 1)
	}

	// 1.A: link each reference as the parent of the next, keeping links
	// that already exist (References may have been truncated) and
	// refusing loops.
	last := -1
	for _, id := range refs {
		n := t.nodeFor(id)
		if last >= 0 && t.nodes[n].parent < 0 {
			t.link(last, n)
		}
		last = n
	}

	// 1.B: the last reference is the parent of this message; an
	// existing, different parent came from a truncated References and
	// is replaced. No references: no parent.
	if t.nodes[self].parent != last {
		t.unlink(self)
		if last >= 0 {
			t.link(last, self)
		}
	}
}

// prune removes dummies (step 3): a dummy without children goes; a dummy
// with children is replaced by them, except that at the root level
// (top) it stays unless it has only one child.
func (t *refThreader) prune(list []int, top bool) []int {
	out := list[:0:0]
	for _, n := range list {
		node := &t.nodes[n]
		node.children = t.prune(node.children, false)
		if node.msg >= 0 {
			out = append(out, n)
			continue
		}
		switch {
		case len(node.children) == 0:
			// deleted
		case !top || len(node.children) == 1:
			for _, c := range node.children {
				t.nodes[c].parent = node.parent
			}
			out = append(out, node.children...)
		default:
			out = append(out, n)
		}
	}
	return out
}

// sentOf returns the index of the message that stands for node n in date
// sorting: n itself, or a dummy's first child; -1 for a childless dummy.
func (t *refThreader) sentOf(n int) int {
	for t.nodes[n].msg < 0 {
		if len(t.nodes[n].children) == 0 {
			return -1
		}
		n = t.nodes[n].children[0]
	}
	return t.nodes[n].msg
}

// sortSiblings sorts a set of siblings by sent date, then Num.
func (t *refThreader) sortSiblings(list []int) {
	slices.SortStableFunc(list, func(a, b int) int {
		ma, mb := t.sentOf(a), t.sentOf(b)
		switch {
		case ma < 0 || mb < 0:
			return cmp.Compare(ma, mb)
		}
		return compareSent(&t.msgs[ma], &t.msgs[mb])
	})
}

// sortTree sorts every set of siblings below and in list, children before
// their parents (step 6).
func (t *refThreader) sortTree(list []int) {
	for _, n := range list {
		t.sortTree(t.nodes[n].children)
	}
	t.sortSiblings(list)
}

// threadSubject returns the subject of the thread under root child n: the
// base subject of n, or of its first child if n is a dummy (step 5.B.i),
// and whether n is a dummy.
func (t *refThreader) threadSubject(n int) (string, bool) {
	dummy := t.nodes[n].msg < 0
	if m := t.sentOf(n); m >= 0 {
		return t.subj[m].key, dummy
	}
	return "", dummy
}

// isReply reports whether node n is a message that is a reply or forward.
func (t *refThreader) isReply(n int) bool {
	return t.nodes[n].msg >= 0 && t.subj[t.nodes[n].msg].isReply
}

// mergeSubjects performs step 5: root threads with the same thread
// subject are gathered together.
func (t *refThreader) mergeSubjects(roots []int) []int {
	// 5.A, 5.B: one message per base subject, preferring a dummy, then
	// a message that is not a reply or forward.
	table := make(map[string]int)
	for _, n := range roots {
		s, dummy := t.threadSubject(n)
		if s == "" {
			continue
		}
		cur, ok := table[s]
		if !ok {
			table[s] = n
			continue
		}
		if t.nodes[cur].msg >= 0 && (dummy || (t.isReply(cur) && !t.isReply(n))) {
			table[s] = n
		}
	}
	// 5.C: merge each root thread into its subject's table entry.
	// pos[n] is root n's index in roots; removed roots become -1.
	pos := make(map[int]int, len(roots))
	for i, n := range roots {
		pos[n] = i
	}
	for i := 0; i < len(roots); i++ {
		n := roots[i]
		if n < 0 {
			continue
		}
		s, dummy := t.threadSubject(n)
		if s == "" {
			continue
		}
		cur := table[s]
		if cur == n {
			continue
		}
		curDummy := t.nodes[cur].msg < 0
		switch {
		case dummy && curDummy:
			// Both dummies: the current one's children join the
			// table's, and the current one goes.
			for _, c := range t.nodes[n].children {
				t.nodes[c].parent = cur
			}
			t.nodes[cur].children = append(t.nodes[cur].children, t.nodes[n].children...)
			t.nodes[n].children = nil
			roots[i] = -1
		case curDummy && !dummy, !dummy && t.isReply(n) && !t.isReply(cur):
			// The current message becomes a child of the table's.
			t.nodes[n].parent = cur
			t.nodes[cur].children = append(t.nodes[cur].children, n)
			roots[i] = -1
		default:
			// A new dummy takes the table message's place, with both
			// messages as its children.
			d := t.newNode(-1)
			t.nodes[d].children = []int{cur, n}
			t.nodes[cur].parent = d
			t.nodes[n].parent = d
			roots[pos[cur]] = d
			pos[d] = pos[cur]
			delete(pos, cur)
			table[s] = d
			roots[i] = -1
		}
	}
	out := roots[:0]
	for _, n := range roots {
		if n >= 0 {
			out = append(out, n)
		}
	}
	return out
}

// export converts the nodes in list to the imap form.
func (t *refThreader) export(list []int) []imap.ThreadNode {
	if len(list) == 0 {
		return nil
	}
	out := make([]imap.ThreadNode, len(list))
	for i, n := range list {
		node := &t.nodes[n]
		if node.msg >= 0 {
			out[i].Num = t.msgs[node.msg].Num
		}
		out[i].Children = t.export(node.children)
	}
	return out
}

// firstMsgID returns the first valid Message-ID in a Message-ID or
// In-Reply-To header value, normalized, or "".
func firstMsgID(v string) string {
	if ids := parseMsgIDs(v, 1); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// parseMsgIDs returns up to max (all if max < 0) Message-IDs from a header
// value, normalized so that quoting and comments do not matter (RFC 5256
// §3, REFERENCES: <"a"@b> and <a@b> are the same ID):
//
//	msg-id   = [CFWS] "<" id-left "@" id-right ">" [CFWS]   (RFC 5322 §3.6.4)
//	id-left  = dot-atom-text / obs-id-left (local-part)
//	id-right = dot-atom-text / no-fold-literal / obs-id-right (domain)
//
// Text outside angle brackets (phrases, addresses in In-Reply-To) is
// skipped. An ID in angle brackets that does not parse is still taken,
// with its white space removed, if it contains an "@"; without one it is
// not a Message-ID and is skipped.
func parseMsgIDs(v string, max int) []string {
	var ids []string
	for i := 0; i < len(v) && (max < 0 || len(ids) < max); {
		lt := strings.IndexByte(v[i:], '<')
		if lt < 0 {
			break
		}
		i += lt + 1
		if id, end, ok := parseMsgIDBody(v, i); ok {
			ids = append(ids, id)
			i = end
			continue
		}
		// Lenient: anything with an "@" up to the next ">".
		j, at := i, false
		for j < len(v) && v[j] != '>' && v[j] != '<' {
			if v[j] == '@' {
				at = true
			}
			j++
		}
		if j < len(v) && v[j] == '>' && at {
			if id := stripMsgIDSpace(v[i:j]); id != "" {
				ids = append(ids, id)
			}
			i = j + 1
			continue
		}
		i = j
	}
	return ids
}

// parseMsgIDBody parses id-left "@" id-right ">" at v[i:] with CFWS
// allowed around each token, and returns the normalized ID (quotes,
// quoted-pairs and CFWS removed) and the index after ">".
func parseMsgIDBody(v string, i int) (id string, end int, ok bool) {
	var b strings.Builder
	i = skipMsgIDCFWS(v, i)
	// id-left: word *("." word), word = atom / quoted-string.
	for {
		if i < len(v) && v[i] == '"' {
			i++
			for {
				if i >= len(v) {
					return "", 0, false
				}
				c := v[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' && i+1 < len(v) {
					i++
					c = v[i]
				}
				if c != '\r' && c != '\n' {
					b.WriteByte(c)
				}
				i++
			}
		} else {
			j := i
			for j < len(v) && isMsgIDAtext(v[j]) {
				j++
			}
			if j == i {
				return "", 0, false
			}
			b.WriteString(v[i:j])
			i = j
		}
		i = skipMsgIDCFWS(v, i)
		if i < len(v) && v[i] == '.' {
			b.WriteByte('.')
			i = skipMsgIDCFWS(v, i+1)
			continue
		}
		break
	}
	if i >= len(v) || v[i] != '@' {
		return "", 0, false
	}
	b.WriteByte('@')
	i = skipMsgIDCFWS(v, i+1)
	// id-right: dot-atom / domain-literal.
	if i < len(v) && v[i] == '[' {
		j := i + 1
		for j < len(v) && v[j] != ']' && v[j] != '[' {
			if v[j] == '\\' && j+1 < len(v) {
				j++
			}
			j++
		}
		if j >= len(v) || v[j] != ']' {
			return "", 0, false
		}
		b.WriteString(stripMsgIDSpace(v[i : j+1]))
		i = j + 1
	} else {
		for {
			j := i
			for j < len(v) && isMsgIDAtext(v[j]) {
				j++
			}
			if j == i {
				return "", 0, false
			}
			b.WriteString(v[i:j])
			i = skipMsgIDCFWS(v, j)
			if i < len(v) && v[i] == '.' {
				b.WriteByte('.')
				i = skipMsgIDCFWS(v, i+1)
				continue
			}
			break
		}
	}
	i = skipMsgIDCFWS(v, i)
	if i >= len(v) || v[i] != '>' {
		return "", 0, false
	}
	return b.String(), i + 1, true
}

// skipMsgIDCFWS skips white space and (nested) comments from v[i:].
func skipMsgIDCFWS(v string, i int) int {
	for i < len(v) {
		switch v[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '(':
			j, depth := i, 0
		comment:
			for ; j < len(v); j++ {
				switch v[j] {
				case '\\':
					j++
				case '(':
					depth++
				case ')':
					if depth--; depth == 0 {
						break comment
					}
				}
			}
			if j >= len(v) {
				return i // unclosed comment: not CFWS
			}
			i = j + 1
		default:
			return i
		}
	}
	return i
}

// isMsgIDAtext reports whether c is atext (RFC 5322 §3.2.3), or a non-ASCII
// octet (RFC 6532 §3.2).
func isMsgIDAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c >= 0x80:
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// stripMsgIDSpace removes white space from a Message-ID.
func stripMsgIDSpace(s string) string {
	if !strings.ContainsAny(s, " \t\r\n") {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}
