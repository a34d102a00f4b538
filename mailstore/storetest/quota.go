package storetest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func quotaRules() []rule {
	return []rule{
		{"Roots", testQuotaRoots},
		{"Usage", testQuotaUsage},
		{"AppendOverQuota", testQuotaAppend},
		{"StorageLimit", testQuotaStorage},
		{"CopyOverQuota", testQuotaCopy},
		{"MoveAtLimit", testQuotaMove},
		{"LimitBelowUsage", testQuotaBelowUsage},
		{"SetQuota", testSetQuota},
		{"UsersIsolated", testQuotaIsolated},
		{"Persist", testQuotaPersist},
	}
}

// quotaEnv is a rule's view of a QuotaStore: the first quota root of
// INBOX and which of STORAGE and MESSAGE the store counts.
type quotaEnv struct {
	*env
	st   mailstore.Store
	user string
	qs   mailstore.QuotaStore
	root string
	res  map[string]bool
}

// quota returns the quota view of st (the rule's store if nil), skipping
// the rule if the store does not implement mailstore.QuotaStore or INBOX
// has no quota root.
func (e *env) quota(st mailstore.Store, user string) *quotaEnv {
	e.Helper()
	if st == nil {
		st, user = e.st, e.user
	}
	qs, ok := st.(mailstore.QuotaStore)
	if !ok {
		e.Skip("the store does not implement mailstore.QuotaStore")
	}
	roots, err := qs.QuotaRoots(e.ctx, "INBOX")
	if err != nil {
		e.Fatalf("QuotaRoots(INBOX): %v", err)
	}
	if len(roots) == 0 {
		e.Skip("INBOX has no quota root")
	}
	q := &quotaEnv{env: e, st: st, user: user, qs: qs, root: roots[0], res: map[string]bool{}}
	for _, r := range qs.QuotaResources() {
		if r == mailstore.QuotaStorage || r == mailstore.QuotaMessage {
			q.res[r] = true
		}
	}
	return q
}

// need skips the rule unless the store counts resource.
func (q *quotaEnv) need(resource string) {
	q.Helper()
	if !q.res[resource] {
		q.Skip("the store does not count " + resource)
	}
}

// setLimits replaces the root's limits, through QuotaSetter or
// Options.SetQuota, skipping the rule with neither. Resources the store
// does not count are left out.
func (q *quotaEnv) setLimits(limits ...imap.QuotaResource) {
	q.Helper()
	limits = slices.DeleteFunc(slices.Clone(limits), func(r imap.QuotaResource) bool { return !q.res[r.Name] })
	if qs, ok := q.st.(mailstore.QuotaSetter); ok {
		if err := qs.SetQuota(q.ctx, q.root, limits); err != nil {
			q.Fatalf("SetQuota(%q, %v): %v", q.root, limits, err)
		}
		return
	}
	if q.opts.SetQuota == nil {
		q.Skip("the store implements neither mailstore.QuotaSetter nor Options.SetQuota")
	}
	q.opts.SetQuota(q.T, q.b, q.user, limits)
}

// unlimited sets limits no rule reaches, so that Quota reports usage.
func (q *quotaEnv) unlimited() {
	q.Helper()
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaStorage, Limit: 1 << 40}, imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 1 << 40})
}

// quota returns the root's resources by name, checking the answer.
func (q *quotaEnv) quota() map[string]imap.QuotaResource {
	q.Helper()
	rs, err := q.qs.Quota(q.ctx, q.root)
	if err != nil {
		q.Fatalf("Quota(%q): %v", q.root, err)
	}
	known := q.qs.QuotaResources()
	m := make(map[string]imap.QuotaResource, len(rs))
	for _, r := range rs {
		if !slices.Contains(known, r.Name) {
			q.Errorf("Quota(%q) reports %q, not among QuotaResources %q", q.root, r.Name, known)
		}
		if _, dup := m[r.Name]; dup {
			q.Errorf("Quota(%q) reports %q twice", q.root, r.Name)
		}
		if r.Usage >= 1<<63 {
			q.Errorf("Quota(%q): %s usage %d is not a 63-bit number (RFC 9208 §3.1.2)", q.root, r.Name, r.Usage)
		}
		m[r.Name] = r
	}
	return m
}

// usage returns the usage of a limited resource.
func (q *quotaEnv) usage(resource string) uint64 {
	q.Helper()
	r, ok := q.quota()[resource]
	if !ok {
		q.Fatalf("Quota(%q) does not report %s, which has a limit", q.root, resource)
	}
	return r.Usage
}

// counted returns the number of messages and their total size in the
// mailboxes of the root, from Status.
func (q *quotaEnv) counted() (messages, octets int64) {
	q.Helper()
	list := q.list(q.st)
	for name := range list {
		if !selectable(list, name) {
			continue
		}
		roots, err := q.qs.QuotaRoots(q.ctx, name)
		if err != nil {
			q.Fatalf("QuotaRoots(%q): %v", name, err)
		}
		if !slices.Contains(roots, q.root) {
			continue
		}
		s := q.status(q.st, name)
		messages += int64(s.Messages)
		octets += s.Size
	}
	return messages, octets
}

// kib is octets in units of 1024 octets, rounded up (RFC 9208 §5.1).
func kib(octets int64) uint64 { return (uint64(octets) + 1023) / 1024 }

// checkUsage checks that the usage Quota reports is what the root's
// mailboxes hold: MESSAGE their number, STORAGE their size in KiB,
// rounded up.
func (q *quotaEnv) checkUsage(when string) {
	q.Helper()
	n, octets := q.counted()
	got := q.quota()
	if r, ok := got[mailstore.QuotaMessage]; ok && r.Usage != uint64(n) {
		q.Errorf("%s: MESSAGE usage %d, the mailboxes hold %d messages (RFC 9208 §5.2: an exact number)", when, r.Usage, n)
	}
	if r, ok := got[mailstore.QuotaStorage]; ok && r.Usage != kib(octets) {
		q.Errorf("%s: STORAGE usage %d, the messages take %d octets, %d KiB rounded up (RFC 9208 §5.1)", when, r.Usage, octets, kib(octets))
	}
}

// sizedMessage returns a message of exactly size octets (at least its
// header's).
func sizedMessage(i, size int) []byte {
	b := fmt.Appendf(nil, "Subject: sized %d\r\n\r\n", i)
	n := size - len(b)
	line := strings.Repeat("x", 76) + "\r\n"
	b = append(b, strings.Repeat(line, n/len(line))...)
	return append(b, strings.Repeat("x", n%len(line))...)
}

// testQuotaRoots: QuotaResources names the resources (RFC 9208 §3.1.1);
// GETQUOTAROOT works for any mailbox name, existing or not (§4.1.2); every
// root answers GETQUOTA (§4.1.1) with resources among QuotaResources; an
// unknown root gives ErrNoSuchQuotaRoot ("NO - no such quota root").
func testQuotaRoots(e *env) {
	q := e.quota(nil, "")
	res := q.qs.QuotaResources()
	if len(res) == 0 {
		e.Errorf("QuotaResources is empty: a QUOTA server advertises at least one QUOTA=RES- capability (RFC 9208 §1)")
	}
	for i, r := range res {
		if r == "" || strings.ContainsAny(r, " ()[]{}%*\"\\") || r != strings.ToUpper(r) || slices.Contains(res[:i], r) {
			e.Errorf("QuotaResources: %q is not an upper-case atom given once", r)
		}
	}
	e.create(e.st, "Work")
	for _, name := range []string{"INBOX", "Work", e.name("Not", "Yet")} {
		roots, err := q.qs.QuotaRoots(e.ctx, name)
		if err != nil {
			e.Errorf("QuotaRoots(%q): %v", name, err)
			continue
		}
		for _, root := range roots {
			if _, err := q.qs.Quota(e.ctx, root); err != nil {
				e.Errorf("Quota(%q), a root of %q: %v", root, name, err)
			}
		}
	}
	q.quota()
	_, err := q.qs.Quota(e.ctx, "storetest: no such quota root")
	e.wantErr("Quota(unknown root)", err, mailstore.ErrNoSuchQuotaRoot)
}

// testQuotaUsage: MESSAGE counts the messages of the root's mailboxes
// exactly (RFC 9208 §5.2) and STORAGE their RFC822.SIZE in KiB, rounded up
// (§5.1), through APPEND, EXPUNGE, COPY, MOVE, RENAME (of INBOX too) and
// DELETE, as every session sees them.
func testQuotaUsage(e *env) {
	q := e.quota(nil, "")
	q.unlimited()
	got := q.quota()
	if len(got) == 0 {
		e.Fatalf("Quota(%q) reports no resource after limits were set", q.root)
	}
	for name, r := range got {
		if r.Usage != 0 {
			e.Errorf("%s usage %d in a new, empty store", name, r.Usage)
		}
	}
	uids := []uint32{
		e.appendMsg(e.st, "INBOX", smallMessage(1, "quota"), nil, time.Time{}).UID,
		e.appendMsg(e.st, "INBOX", sizedMessage(2, 3000), nil, time.Time{}).UID,
		e.appendMsg(e.st, "INBOX", smallMessage(3, "quota"), nil, time.Time{}).UID,
	}
	q.checkUsage("after 3 appends to INBOX")
	e.create(e.st, "Other")
	e.appendMsg(e.st, "Other", sizedMessage(4, 1024), nil, time.Time{})
	e.appendMsg(e.st, "Other", smallMessage(5, "quota"), nil, time.Time{})
	q.checkUsage("after 2 appends to another mailbox")
	mb := e.view(e.st, "INBOX", false)
	e.expunge(mb, uids[:1])
	q.checkUsage("after an expunge")
	if _, err := mb.Copy(e.ctx, uids[1:], "Other"); err != nil {
		e.Fatalf("Copy: %v", err)
	}
	q.checkUsage("after a copy")
	if _, _, err := mb.Move(e.ctx, uids[1:2], "Other"); err != nil {
		e.Fatalf("Move: %v", err)
	}
	q.checkUsage("after a move")
	if err := e.st.RenameMailbox(e.ctx, "Other", "Renamed"); err != nil {
		e.Fatalf("RenameMailbox: %v", err)
	}
	q.checkUsage("after a rename")
	if err := e.st.RenameMailbox(e.ctx, "INBOX", "Old"); err != nil {
		e.Fatalf("RenameMailbox(INBOX): %v", err)
	}
	q.checkUsage("after renaming INBOX")
	if err := e.st.DeleteMailbox(e.ctx, "Renamed"); err != nil {
		e.Fatalf("DeleteMailbox: %v", err)
	}
	q.checkUsage("after deleting a mailbox")
	n, _ := q.counted()
	if n != 1 {
		e.Errorf("%d messages left, want 1 (in Old)", n)
	}
	// Another session of the user sees the same usage.
	q2 := e.quota(e.open(), e.user)
	q2.checkUsage("in another session")
}

// overQuota checks that an operation refused with ErrQuota changed
// nothing: the mailbox holds the messages and the usage is as before
// (RFC 9208 §4.3.1; RFC 3501 §6.4.7: a failed COPY restores the
// destination).
func (q *quotaEnv) overQuota(what, mailbox string, err error, before []mailstore.MessageInfo, usage map[string]imap.QuotaResource) {
	q.Helper()
	q.wantErr(what, err, mailstore.ErrQuota)
	if err := sameList(q.fresh(mailbox), before, true); err != nil {
		q.Errorf("%s over quota changed %s: %v", what, mailbox, err)
	}
	for name, r := range q.quota() {
		if r.Usage != usage[name].Usage {
			q.Errorf("%s over quota changed the %s usage from %d to %d", what, name, usage[name].Usage, r.Usage)
		}
	}
}

// testQuotaAppend: an APPEND that would put MESSAGE over its limit fails
// with ErrQuota (RFC 9208 §4.3.1 OVERQUOTA) and stores nothing; reaching
// the limit exactly is allowed; an EXPUNGE makes room again; a limit of 0
// prohibits any message (§3.1.2).
func testQuotaAppend(e *env) {
	q := e.quota(nil, "")
	q.need(mailstore.QuotaMessage)
	e.appendN(e.st, "INBOX", 2)
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 4})
	e.appendN(e.st, "INBOX", 2)
	if u := q.usage(mailstore.QuotaMessage); u != 4 {
		e.Errorf("MESSAGE usage %d at the limit, want 4", u)
	}
	before, usage := e.fresh("INBOX"), q.quota()
	_, err := e.st.Append(e.ctx, "INBOX", strings.NewReader(string(smallMessage(9, "over"))), nil)
	q.overQuota("Append", "INBOX", err, before, usage)
	q.checkUsage("after the refused append")

	mb := e.view(e.st, "INBOX", false)
	e.expunge(mb, uidsOf(mb.Messages()[:1]))
	e.appendMsg(e.st, "INBOX", smallMessage(10, "room again"), nil, time.Time{})
	q.checkUsage("after an expunge and an append")

	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 0})
	e.create(e.st, "Empty")
	usage = q.quota()
	_, err = e.st.Append(e.ctx, "Empty", strings.NewReader(string(smallMessage(11, "zero"))), nil)
	q.overQuota("Append under a limit of 0", "Empty", err, nil, usage)
}

// testQuotaStorage: STORAGE limits the total RFC822.SIZE: a limit of L
// allows L*1024 octets, to the octet (RFC 9208 §5.1); one octet more is
// refused with ErrQuota and stores nothing.
func testQuotaStorage(e *env) {
	q := e.quota(nil, "")
	q.need(mailstore.QuotaStorage)
	e.appendMsg(e.st, "INBOX", sizedMessage(1, 1500), nil, time.Time{})
	_, octets := q.counted()
	limit := kib(octets) + 2
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaStorage, Limit: limit})
	before, usage := e.fresh("INBOX"), q.quota()
	_, err := e.st.Append(e.ctx, "INBOX", strings.NewReader(string(sizedMessage(2, int(int64(limit)*1024-octets)+1))), nil)
	q.overQuota("Append of one octet over the STORAGE limit", "INBOX", err, before, usage)
	e.appendMsg(e.st, "INBOX", sizedMessage(3, int(int64(limit)*1024-octets)), nil, time.Time{})
	if u := q.usage(mailstore.QuotaStorage); u != limit {
		e.Errorf("STORAGE usage %d after filling the limit, want %d", u, limit)
	}
	before, usage = e.fresh("INBOX"), q.quota()
	_, err = e.st.Append(e.ctx, "INBOX", strings.NewReader(string(sizedMessage(4, 100))), nil)
	q.overQuota("Append at the STORAGE limit", "INBOX", err, before, usage)
}

// testQuotaCopy: a COPY that would put MESSAGE over its limit fails with
// ErrQuota and copies nothing (RFC 9208 §4.3.1; RFC 3501 §6.4.7: "the
// server MUST restore the destination mailbox to its state before the
// COPY attempt"); one that fits succeeds.
func testQuotaCopy(e *env) {
	q := e.quota(nil, "")
	q.need(mailstore.QuotaMessage)
	uids := e.appendN(e.st, "INBOX", 3)
	e.create(e.st, "Dest")
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 4})
	mb := e.view(e.st, "INBOX", true)
	src := e.fresh("INBOX")
	before, usage := e.fresh("Dest"), q.quota()
	_, err := mb.Copy(e.ctx, uids[:2], "Dest")
	q.overQuota("Copy of 2 messages with room for 1", "Dest", err, before, usage)
	if err := sameList(e.fresh("INBOX"), src, true); err != nil {
		e.Errorf("a refused Copy changed the source: %v", err)
	}
	if _, err := mb.Copy(e.ctx, uids[:1], "Dest"); err != nil {
		e.Errorf("Copy of 1 message with room for 1: %v", err)
	}
	q.checkUsage("after the copy")
}

// testQuotaMove: a MOVE within one quota root adds what it removes, so it
// succeeds at the MESSAGE limit and leaves the usage alone (RFC 9208
// §4.3.1: OVERQUOTA is for operations that put the mailbox over a
// limit; RFC 6851 §3.3: a move is a copy and an expunge together), while
// a COPY or APPEND at the limit fails.
func testQuotaMove(e *env) {
	q := e.quota(nil, "")
	q.need(mailstore.QuotaMessage)
	uids := e.appendN(e.st, "INBOX", 4)
	e.create(e.st, "Dest")
	roots, err := q.qs.QuotaRoots(e.ctx, "Dest")
	if err != nil {
		e.Fatalf("QuotaRoots(Dest): %v", err)
	}
	if !slices.Contains(roots, q.root) {
		e.Skip("a new mailbox is not under INBOX's quota root")
	}
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 4})
	mb := e.view(e.st, "INBOX", false)
	if _, _, err := mb.Move(e.ctx, uids[:2], "Dest"); err != nil {
		e.Fatalf("Move of 2 messages at the MESSAGE limit, within one quota root: %v", err)
	}
	if u := q.usage(mailstore.QuotaMessage); u != 4 {
		e.Errorf("MESSAGE usage %d after the move, want 4", u)
	}
	before, usage := e.fresh("Dest"), q.quota()
	_, err = mb.Copy(e.ctx, uids[2:3], "Dest")
	q.overQuota("Copy at the limit", "Dest", err, before, usage)
	q.checkUsage("after the move")
}

// testQuotaBelowUsage: lowering a limit below the usage deletes nothing
// (RFC 9208 §4.1.3 changes limits, not mail): the messages stay, APPEND
// fails, and EXPUNGE, flag changes and DELETE still work and lower the
// usage.
func testQuotaBelowUsage(e *env) {
	q := e.quota(nil, "")
	q.need(mailstore.QuotaMessage)
	uids := e.appendN(e.st, "INBOX", 5)
	e.create(e.st, "Full")
	e.appendN(e.st, "Full", 1)
	q.setLimits(imap.QuotaResource{Name: mailstore.QuotaMessage, Limit: 2}, imap.QuotaResource{Name: mailstore.QuotaStorage, Limit: 1})
	if s := e.status(e.st, "INBOX"); s.Messages != 5 {
		e.Errorf("lowering the limit left %d messages of 5", s.Messages)
	}
	q.checkUsage("over the limit")
	before, usage := e.fresh("INBOX"), q.quota()
	_, err := e.st.Append(e.ctx, "INBOX", strings.NewReader(string(smallMessage(9, "over"))), nil)
	q.overQuota("Append over the limit", "INBOX", err, before, usage)
	mb := e.view(e.st, "INBOX", false)
	e.setFlags(mb, uids[:2], mailstore.FlagsAdd, imap.FlagDeleted, imap.FlagSeen)
	e.expunge(mb, uids[:2])
	q.checkUsage("after an expunge over the limit")
	if err := e.st.DeleteMailbox(e.ctx, "Full"); err != nil {
		e.Errorf("DeleteMailbox over the limit: %v", err)
	}
	q.checkUsage("after a delete over the limit")
}

// testSetQuota: SETQUOTA (RFC 9208 §4.1.3) replaces every limit of the
// root: a resource left out loses its limit, and Quota reports the
// limits in force; a resource the store cannot limit gives ErrNotAllowed
// and changes nothing; an unknown root gives ErrNoSuchQuotaRoot. Only for
// a store that implements mailstore.QuotaSetter.
func testSetQuota(e *env) {
	q := e.quota(nil, "")
	qs, ok := e.st.(mailstore.QuotaSetter)
	if !ok {
		e.Skip("the store does not implement mailstore.QuotaSetter")
	}
	e.appendN(e.st, "INBOX", 2)
	all := []imap.QuotaResource{{Name: mailstore.QuotaStorage, Limit: 1024}, {Name: mailstore.QuotaMessage, Limit: 1000}}
	all = slices.DeleteFunc(all, func(r imap.QuotaResource) bool { return !q.res[r.Name] })
	if len(all) == 0 {
		e.Skip("the store counts neither STORAGE nor MESSAGE")
	}
	check := func(when string, want []imap.QuotaResource) {
		e.Helper()
		got := q.quota()
		if len(got) != len(want) {
			e.Errorf("%s: Quota reports %v, want the limits %v", when, got, want)
		}
		for _, w := range want {
			if g, ok := got[w.Name]; !ok || g.Limit != w.Limit {
				e.Errorf("%s: %s limit %v, want %d", when, w.Name, g, w.Limit)
			}
		}
		q.checkUsage(when)
	}
	if err := qs.SetQuota(e.ctx, q.root, all); err != nil {
		e.Fatalf("SetQuota(%q, %v): %v", q.root, all, err)
	}
	check("after setting every limit", all)
	if err := qs.SetQuota(e.ctx, q.root, all[:1]); err != nil {
		e.Fatalf("SetQuota(%q, %v): %v", q.root, all[:1], err)
	}
	check("after setting one limit (the others are discarded)", all[:1])
	err := qs.SetQuota(e.ctx, q.root, append(slices.Clone(all), imap.QuotaResource{Name: "X-STORETEST-NO-SUCH-RESOURCE", Limit: 5}))
	e.wantErr("SetQuota with an unknown resource", err, mailstore.ErrNotAllowed)
	check("after a refused SetQuota", all[:1])
	if err := qs.SetQuota(e.ctx, q.root, nil); err != nil {
		e.Fatalf("SetQuota(%q, no limits): %v", q.root, err)
	}
	check("after removing every limit", nil)
	err = qs.SetQuota(e.ctx, "storetest: no such quota root", all)
	e.wantErr("SetQuota(unknown root)", err, mailstore.ErrNoSuchQuotaRoot)
}

// testQuotaIsolated: one user's mail does not count against another
// user's root (RFC 9208 §3.2: a root covers its own mailboxes).
func testQuotaIsolated(e *env) {
	q := e.quota(nil, "")
	other, user2, _ := e.otherUser()
	q2 := e.quota(other, user2)
	q.unlimited()
	q2.unlimited()
	e.appendN(e.st, "INBOX", 3)
	e.appendN(other, "INBOX", 1)
	q.checkUsage("the first user's")
	q2.checkUsage("the second user's")
	for name, r := range q2.quota() {
		if name == mailstore.QuotaMessage && r.Usage != 1 {
			e.Errorf("the second user's MESSAGE usage is %d, want 1", r.Usage)
		}
	}
}

// testQuotaPersist: limits and usage survive a restart.
func testQuotaPersist(e *env) {
	if e.opts.Reopen == nil {
		e.Skip("Options.Reopen is not set")
	}
	q := e.quota(nil, "")
	_, setter := e.st.(mailstore.QuotaSetter)
	limits := []imap.QuotaResource{{Name: mailstore.QuotaStorage, Limit: 4096}, {Name: mailstore.QuotaMessage, Limit: 10}}
	q.setLimits(limits...)
	e.appendN(e.st, "INBOX", 3)
	before := q.quota()
	e.reopen()
	q = e.quota(nil, "")
	if !setter {
		// Limits the program configures are its to keep.
		q.setLimits(limits...)
	}
	if after := q.quota(); !maps.Equal(after, before) {
		e.Errorf("Quota after reopening: %v, before: %v", after, before)
	}
	q.checkUsage("after reopening")
}
