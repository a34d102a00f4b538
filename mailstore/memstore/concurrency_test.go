package memstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/mailstore"
	"github.com/mailaccess/mailaccess/mailstore/memstore"
)

// checkPoll checks that ups turn the list before into the list after:
// replaying them (sequence numbers included) gives the same UIDs and
// flags, and MODSEQs never go down.
func checkPoll(before, after []mailstore.MessageInfo, ups []mailstore.Update) error {
	cur := slices.Clone(before)
	for _, u := range ups {
		i := int(u.Seq) - 1
		switch u.Kind {
		case mailstore.UpdateNew:
			if i != len(cur) {
				return fmt.Errorf("new message %d at %d, list has %d", u.Message.UID, u.Seq, len(cur))
			}
			if len(cur) > 0 && cur[len(cur)-1].UID >= u.Message.UID {
				return fmt.Errorf("new UID %d not above %d", u.Message.UID, cur[len(cur)-1].UID)
			}
			cur = append(cur, u.Message)
		case mailstore.UpdateFlags:
			if i < 0 || i >= len(cur) || cur[i].UID != u.Message.UID {
				return fmt.Errorf("flags of UID %d at %d: wrong number", u.Message.UID, u.Seq)
			}
			if u.Message.ModSeq <= cur[i].ModSeq {
				return fmt.Errorf("flags of UID %d: MODSEQ %d not above %d", u.Message.UID, u.Message.ModSeq, cur[i].ModSeq)
			}
			cur[i] = u.Message
		case mailstore.UpdateExpunge:
			if i < 0 || i >= len(cur) || cur[i].UID != u.Message.UID {
				return fmt.Errorf("expunge of UID %d at %d: wrong number", u.Message.UID, u.Seq)
			}
			cur = slices.Delete(cur, i, i+1)
		default:
			return fmt.Errorf("unknown update kind %d", u.Kind)
		}
	}
	if len(cur) != len(after) {
		return fmt.Errorf("replay gives %d messages, view has %d", len(cur), len(after))
	}
	for i := range cur {
		if cur[i].UID != after[i].UID || !slices.Equal(cur[i].Flags, after[i].Flags) || cur[i].ModSeq != after[i].ModSeq {
			return fmt.Errorf("replay gives %+v at %d, view has %+v", cur[i], i+1, after[i])
		}
	}
	return nil
}

func checkExpunged(before, after []mailstore.MessageInfo, ex []mailstore.Expunged) error {
	cur := slices.Clone(before)
	for _, e := range ex {
		i := int(e.Seq) - 1
		if i < 0 || i >= len(cur) || cur[i].UID != e.UID {
			return fmt.Errorf("expunged %+v: wrong number", e)
		}
		cur = slices.Delete(cur, i, i+1)
	}
	if !slices.Equal(uidsOf(cur), uidsOf(after)) {
		return fmt.Errorf("after Expunge: %v, replay gives %v", uidsOf(after), uidsOf(cur))
	}
	return nil
}

func TestConcurrentSessions(t *testing.T) {
	const (
		workers = 4
		rounds  = 150
	)
	for _, maxQueue := range []int{0, 5} {
		t.Run(fmt.Sprintf("MaxQueue=%d", maxQueue), func(t *testing.T) {
			f := newFixture(t, &memstore.Options{MaxQueue: maxQueue})
			f.create("Other")
			ctx := context.Background()
			var wg sync.WaitGroup
			errs := make(chan error, workers)
			views := make([]mailstore.Mailbox, workers)
			for w := range workers {
				views[w] = f.view(f.open(), "INBOX", false)
			}
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- worker(ctx, f.b, views[w], w, rounds)
				}()
			}
			// An IDLE-like watcher that only waits and polls.
			watcher := f.view(f.open(), "INBOX", true)
			stop := make(chan struct{})
			watchErr := make(chan error, 1)
			go func() {
				for {
					select {
					case <-stop:
						watchErr <- nil
						return
					case <-watcher.Updated():
					}
					before := slices.Clone(watcher.Messages())
					ups, err := watcher.Poll(ctx, true)
					if err == nil {
						err = checkPoll(before, watcher.Messages(), ups)
					}
					if err != nil {
						watchErr <- fmt.Errorf("watcher: %w", err)
						return
					}
				}
			}()
			wg.Wait()
			close(stop)
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
			if err := <-watchErr; err != nil {
				t.Error(err)
			}
			// Every view converges on the mailbox's state.
			want := f.freshList("INBOX")
			for i, v := range append(views, watcher) {
				before := slices.Clone(v.Messages())
				ups := f.poll(v, true)
				if err := checkPoll(before, v.Messages(), ups); err != nil {
					t.Errorf("view %d final Poll: %v", i, err)
				}
				if err := sameState(v.Messages(), want); err != nil {
					t.Errorf("view %d: %v", i, err)
				}
				if v.HighestModSeq() != f.status("INBOX").HighestModSeq {
					t.Errorf("view %d: HighestModSeq %d", i, v.HighestModSeq())
				}
			}
			for i := 1; i < len(want); i++ {
				if want[i].UID <= want[i-1].UID {
					t.Fatalf("UIDs not ascending: %v", uidsOf(want))
				}
			}
		})
	}
}

// worker is one session: it appends, flags, expunges, copies and moves
// through its own view and store handle, polling now and then, and checks
// every result against its view.
func worker(ctx context.Context, b *memstore.Backend, v mailstore.Mailbox, w, rounds int) error {
	st, err := b.Open(ctx, "alice")
	if err != nil {
		return err
	}
	defer st.Close()
	rng := rand.New(rand.NewPCG(uint64(w), 42))
	pick := func() []uint32 {
		msgs := v.Messages()
		var uids []uint32
		for range rng.IntN(3) + 1 {
			if len(msgs) > 0 {
				uids = append(uids, msgs[rng.IntN(len(msgs))].UID)
			}
		}
		return uids
	}
	for r := range rounds {
		var err error
		switch op := rng.IntN(10); {
		case op < 3:
			_, err = st.Append(ctx, "INBOX", strings.NewReader(msg(w*1000+r)), &mailstore.AppendOptions{Flags: []imap.Flag{"$w" + imap.Flag(fmt.Sprint(w))}})
		case op < 6:
			before := slices.Clone(v.Messages())
			var res *mailstore.FlagResult
			flag := []imap.Flag{imap.FlagSeen, imap.FlagDeleted, "$k"}[rng.IntN(3)]
			res, err = v.SetFlags(ctx, pick(), mailstore.FlagChange{Op: mailstore.FlagOp(rng.IntN(3)), Flags: []imap.Flag{flag}})
			if err == nil {
				for _, c := range res.Changed {
					i := slices.IndexFunc(before, func(m mailstore.MessageInfo) bool { return m.UID == c.UID })
					if i < 0 || c.ModSeq <= before[i].ModSeq {
						err = fmt.Errorf("worker %d: SetFlags changed %+v, before %+v", w, c, before)
					}
				}
			}
		case op < 7:
			before := slices.Clone(v.Messages())
			var ex []mailstore.Expunged
			ex, err = v.Expunge(ctx, pick())
			if err == nil {
				err = checkExpunged(before, v.Messages(), ex)
			}
		case op < 8:
			before := slices.Clone(v.Messages())
			var ex []mailstore.Expunged
			dest := []string{"Other", "INBOX"}[rng.IntN(2)]
			_, ex, err = v.Move(ctx, pick(), dest)
			if err == nil {
				err = checkExpunged(before, v.Messages(), ex)
			}
		case op < 9:
			_, err = v.Copy(ctx, pick(), "Other")
		default:
			before := slices.Clone(v.Messages())
			var ups []mailstore.Update
			ups, err = v.Poll(ctx, rng.IntN(2) == 0)
			if err == nil {
				err = checkPoll(before, v.Messages(), ups)
			}
		}
		if err != nil {
			return fmt.Errorf("worker %d round %d: %w", w, r, err)
		}
		if _, err := v.ExpungedSince(ctx, 1); err != nil {
			return err
		}
	}
	return nil
}
