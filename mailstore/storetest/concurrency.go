package storetest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
)

func concurrencyRules() []rule {
	return []rule{
		{"Mixed", testConcurrentMixed},
		{"ExpungeRacesAppend", testExpungeRacesAppend},
		{"Mailboxes", testConcurrentMailboxes},
	}
}

// tally records, safely across goroutines, the UIDs appended and
// expunged.
type tally struct {
	mu       sync.Mutex
	appended map[uint32]bool
	expunged map[uint32]bool
	errs     []string
}

func newTally() *tally {
	return &tally{appended: map[uint32]bool{}, expunged: map[uint32]bool{}}
}

func (t *tally) errorf(format string, args ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.errs) < 20 {
		t.errs = append(t.errs, fmt.Sprintf(format, args...))
	}
}

func (t *tally) appendedUID(uid uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.appended[uid] {
		t.errs = append(t.errs, fmt.Sprintf("UID %d returned by two appends", uid))
	}
	t.appended[uid] = true
}

func (t *tally) expungedUIDs(ex []mailstore.Expunged) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, x := range ex {
		if t.expunged[x.UID] {
			t.errs = append(t.errs, fmt.Sprintf("UID %d expunged twice", x.UID))
		}
		t.expunged[x.UID] = true
	}
}

// report fails the test with the errors the goroutines recorded.
func (t *tally) report(e *env) {
	e.Helper()
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, s := range t.errs {
		e.Error(s)
	}
	if len(t.errs) > 0 {
		e.FailNow()
	}
}

// checkFinal checks that a fresh view holds exactly the initial and
// appended messages that were not expunged: no message lost or
// duplicated, UIDs ascending (RFC 3501 §2.3.1.1).
func (e *env) checkFinal(name string, initial []uint32, t *tally) []mailstore.MessageInfo {
	e.Helper()
	fresh := e.fresh(name)
	want := map[uint32]bool{}
	for _, u := range initial {
		want[u] = true
	}
	for u := range t.appended {
		want[u] = true
	}
	for u := range t.expunged {
		if !want[u] {
			e.Errorf("UID %d was expunged but never appended", u)
		}
		delete(want, u)
	}
	wantList := make([]uint32, 0, len(want))
	for u := range want {
		wantList = append(wantList, u)
	}
	slices.Sort(wantList)
	if got := uidsOf(fresh); !slices.Equal(got, wantList) {
		var lost, extra []uint32
		for _, u := range wantList {
			if _, _, ok := find(fresh, u); !ok {
				lost = append(lost, u)
			}
		}
		for _, u := range got {
			if !want[u] {
				extra = append(extra, u)
			}
		}
		e.Errorf("final mailbox: %d messages, want %d; lost %v, unexpected %v", len(got), len(wantList), lost, extra)
	}
	return fresh
}

// poller polls a view until stop is closed, checking every Poll.
func poller(ctx context.Context, mb mailstore.Mailbox, seed uint64, stop <-chan struct{}, t *tally) {
	rng := rand.New(rand.NewPCG(seed, 7))
	for {
		if _, err := checkedPoll(ctx, mb, rng.IntN(3) != 0); err != nil {
			t.errorf("poller %d: %v", seed, err)
			return
		}
		select {
		case <-stop:
			return
		case <-mb.Updated():
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// testConcurrentMixed: sessions appending, flagging and expunging in one
// mailbox at once, while other views poll, never lose or duplicate a
// message: every Append that succeeded is there unless expunged, UIDs
// ascend, MODSEQs of successive changes ascend (RFC 7162 §3.1.3), every
// Poll is consistent, and at the end every view agrees with a fresh one.
// Run it with -race.
func testConcurrentMixed(e *env) {
	const (
		appenders  = 3
		appends    = 100
		flagRounds = 200
		expRounds  = 80
		pollers    = 3
	)
	initial := e.appendN(e.st, "INBOX", 20)
	t := newTally()
	stores := make([]mailstore.Store, appenders)
	for i := range stores {
		stores[i] = e.open()
	}
	flagView := e.view(e.open(), "INBOX", false)
	expView := e.view(e.open(), "INBOX", false)
	var pollViews []mailstore.Mailbox
	for i := range pollers {
		pollViews = append(pollViews, e.view(e.open(), "INBOX", i%2 == 1))
	}

	var workers, watchers sync.WaitGroup
	stop := make(chan struct{})
	for i, st := range stores {
		workers.Go(func() {
			var last uint32
			for j := range appends {
				res, err := st.Append(e.ctx, "INBOX", bytes.NewReader(smallMessage(100*i+j, "concurrent")), nil)
				if err != nil {
					t.errorf("appender %d: Append: %v", i, err)
					return
				}
				if res.UID <= last {
					t.errorf("appender %d: UID %d after UID %d: not ascending", i, res.UID, last)
				}
				last = res.UID
				t.appendedUID(res.UID)
			}
		})
	}
	workers.Go(func() {
		rng := rand.New(rand.NewPCG(11, 12))
		flags := []imap.Flag{imap.FlagSeen, imap.FlagFlagged, "$Concurrent"}
		var lastMax uint64
		for range flagRounds {
			if _, err := checkedPoll(e.ctx, flagView, false); err != nil {
				t.errorf("flagger: %v", err)
				return
			}
			msgs := flagView.Messages()
			var uids []uint32
			for _, m := range msgs {
				if rng.IntN(len(msgs)) < 3 {
					uids = append(uids, m.UID)
				}
			}
			op := mailstore.FlagsAdd
			if rng.IntN(2) == 0 {
				op = mailstore.FlagsRemove
			}
			k := rng.IntN(len(flags))
			res, err := flagView.SetFlags(e.ctx, uids, mailstore.FlagChange{Op: op, Flags: flags[k : k+1]})
			if err != nil {
				t.errorf("flagger: SetFlags: %v", err)
				return
			}
			var lo, hi uint64
			for i, c := range res.Changed {
				if i == 0 || c.ModSeq < lo {
					lo = c.ModSeq
				}
				hi = max(hi, c.ModSeq)
				if m, _, ok := find(flagView.Messages(), c.UID); !ok || !sameFlags(m.Flags, c.Flags) || m.ModSeq != c.ModSeq {
					t.errorf("flagger: SetFlags reported UID %d %v/%d, the view has %v/%d", c.UID, c.Flags, c.ModSeq, m.Flags, m.ModSeq)
				}
			}
			if len(res.Changed) > 0 {
				if lo <= lastMax {
					t.errorf("flagger: SetFlags gave MODSEQ %d, not above %d of an earlier change", lo, lastMax)
				}
				lastMax = hi
			}
		}
	})
	workers.Go(func() {
		rng := rand.New(rand.NewPCG(13, 14))
		for range expRounds {
			if _, err := checkedPoll(e.ctx, expView, true); err != nil {
				t.errorf("expunger: %v", err)
				return
			}
			msgs := slices.Clone(expView.Messages())
			if len(msgs) == 0 {
				continue
			}
			var uids []uint32
			for range 1 + rng.IntN(2) {
				uids = append(uids, msgs[rng.IntN(len(msgs))].UID)
			}
			slices.Sort(uids)
			uids = slices.Compact(uids)
			ex, err := expView.Expunge(e.ctx, uids)
			if err != nil {
				t.errorf("expunger: Expunge: %v", err)
				return
			}
			if err := checkExpunged(msgs, expView.Messages(), uids, ex); err != nil {
				t.errorf("expunger: Expunge(%v): %v", uids, err)
			}
			t.expungedUIDs(ex)
		}
	})
	for i, mb := range pollViews {
		watchers.Go(func() { poller(e.ctx, mb, uint64(i), stop, t) })
	}
	workers.Wait()
	close(stop)
	watchers.Wait()
	t.report(e)

	e.checkFinal("INBOX", initial, t)
	e.converge("INBOX", append(pollViews, flagView, expView)...)
}

// testExpungeRacesAppend: expunging the newest message while appends go
// on never makes a UID come back (RFC 9051 §2.3.1.1: "its UID MUST NOT be
// reused") and loses nothing.
func testExpungeRacesAppend(e *env) {
	const appends = 200
	initial := e.appendN(e.st, "INBOX", 2)
	t := newTally()
	st := e.open()
	exp := e.view(e.open(), "INBOX", false)
	watch := e.view(e.open(), "INBOX", false)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		var last uint32
		for i := range appends {
			res, err := st.Append(e.ctx, "INBOX", bytes.NewReader(smallMessage(i, "race")), nil)
			if err != nil {
				t.errorf("Append: %v", err)
				return
			}
			if res.UID <= last {
				t.errorf("Append got UID %d after %d", res.UID, last)
			}
			last = res.UID
			t.appendedUID(res.UID)
		}
	})
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, err := checkedPoll(e.ctx, exp, true); err != nil {
				t.errorf("expunger: %v", err)
				return
			}
			msgs := slices.Clone(exp.Messages())
			if len(msgs) <= len(initial) {
				time.Sleep(time.Millisecond)
				continue
			}
			uids := []uint32{msgs[len(msgs)-1].UID}
			ex, err := exp.Expunge(e.ctx, uids)
			if err != nil {
				t.errorf("Expunge: %v", err)
				return
			}
			if err := checkExpunged(msgs, exp.Messages(), uids, ex); err != nil {
				t.errorf("Expunge(%v): %v", uids, err)
			}
			t.expungedUIDs(ex)
		}
	})
	stop := make(chan struct{})
	var pw sync.WaitGroup
	pw.Go(func() { poller(e.ctx, watch, 3, stop, t) })
	wg.Wait()
	close(stop)
	pw.Wait()
	t.report(e)
	e.checkFinal("INBOX", initial, t)
	var maxUID uint32
	for u := range t.appended {
		maxUID = max(maxUID, u)
	}
	if u := e.appendMsg(e.st, "INBOX", smallMessage(1, "after"), nil, time.Time{}).UID; u <= maxUID {
		e.Errorf("Append after the race got UID %d, not above the highest ever %d", u, maxUID)
	}
	e.converge("INBOX", exp, watch)
}

// testConcurrentMailboxes: sessions creating, renaming, subscribing and
// deleting mailboxes at once leave the list exactly as the operations
// say (RFC 3501 §6.3.3 to §6.3.7), with no lost or ghost names.
func testConcurrentMailboxes(e *env) {
	const workers, rounds = 4, 12
	t := newTally()
	stores := make([]mailstore.Store, workers)
	for i := range stores {
		stores[i] = e.open()
	}
	var wg sync.WaitGroup
	for w, st := range stores {
		wg.Go(func() {
			for r := range rounds {
				base := fmt.Sprintf("W%d-%d", w, r)
				sub := base + e.delim + "Sub"
				if err := st.CreateMailbox(e.ctx, sub, nil); err != nil {
					t.errorf("CreateMailbox(%q): %v", sub, err)
					return
				}
				if _, err := st.Append(e.ctx, sub, bytes.NewReader(smallMessage(r, base)), nil); err != nil {
					t.errorf("Append(%q): %v", sub, err)
				}
				if err := st.SetSubscribed(e.ctx, sub, true); err != nil {
					t.errorf("SetSubscribed(%q): %v", sub, err)
				}
				if _, err := st.Mailboxes(e.ctx); err != nil {
					t.errorf("Mailboxes: %v", err)
				}
				switch r % 3 {
				case 0:
					if err := st.RenameMailbox(e.ctx, base, base+"R"); err != nil {
						t.errorf("RenameMailbox(%q): %v", base, err)
					}
				case 1:
					if err := st.DeleteMailbox(e.ctx, sub); err != nil {
						t.errorf("DeleteMailbox(%q): %v", sub, err)
					}
				}
			}
		})
	}
	wg.Wait()
	t.report(e)
	list := e.list(e.st)
	for w := range workers {
		for r := range rounds {
			base := fmt.Sprintf("W%d-%d", w, r)
			sub := base + e.delim + "Sub"
			switch r % 3 {
			case 0:
				if !selectable(list, base+"R"+e.delim+"Sub") {
					e.Errorf("%q missing after rename", base+"R"+e.delim+"Sub")
				}
				if selectable(list, sub) {
					e.Errorf("%q still listed as a mailbox after its parent's rename", sub)
				}
			case 1:
				if selectable(list, sub) {
					e.Errorf("%q still a mailbox after DeleteMailbox", sub)
				}
			default:
				if !selectable(list, sub) {
					e.Errorf("%q missing", sub)
				} else if s := e.status(e.st, sub); s.Messages != 1 {
					e.Errorf("%q has %d messages, want 1", sub, s.Messages)
				}
			}
		}
	}
}
