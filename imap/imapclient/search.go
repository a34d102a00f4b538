package imapclient

import (
	"context"
	"errors"
	"slices"

	"github.com/mailaccess/mailaccess/imap"
	"github.com/mailaccess/mailaccess/imap/wire"
)

// ErrNoSortCriteria: Sort was called without criteria.
var ErrNoSortCriteria = errors.New("imapclient: SORT without criteria")

// SearchOptions are the options of Search.
type SearchOptions struct {
	// Charset is sent as CHARSET when not empty (RFC 3501 §6.4.4).
	Charset string
	// Return, when non-nil, sends the ESEARCH return options
	// (RFC 4731, RFC 9051 §6.4.4): MIN, MAX, COUNT, ALL, SAVE. An empty
	// non-nil slice sends "RETURN ()", which means ALL.
	Return []imap.SearchReturnOpt
}

// SearchResult is the typed result of SEARCH, whether the server answered
// with SEARCH or ESEARCH. For a SEARCH answer every field is computed from
// the numbers; for ESEARCH a field is set only if it was returned.
type SearchResult struct {
	// UID: the numbers are UIDs (UID SEARCH).
	UID bool
	// ESearch: the server answered with ESEARCH.
	ESearch bool
	// All holds the matching numbers (ALL).
	All imap.NumSet
	// Min and Max are the lowest and highest match, 0 if none or not
	// returned.
	Min, Max uint32
	// Count is the number of matches, when HasCount.
	Count    uint32
	HasCount bool
	// ModSeq is the highest mod-sequence of the matches, when the search
	// used MODSEQ (RFC 7162 §3.1.5), else 0.
	ModSeq uint64

	nums []uint32 // the SEARCH response's numbers, in order
}

// Nums returns the matching numbers: in the order of the SEARCH
// response, or ascending for ESEARCH ALL.
func (r *SearchResult) Nums() []uint32 {
	if r.nums != nil {
		return slices.Clone(r.nums)
	}
	var out []uint32
	for n := range r.All.All(0) {
		out = append(out, n)
	}
	return out
}

// searchKey returns key, or ALL for the zero key.
func searchKey(key imap.SearchKey) imap.SearchKey {
	if key.Op == "" {
		return imap.SearchKey{Op: imap.SearchAll}
	}
	return key
}

// Search finds the messages matching key (RFC 3501 §6.4.4), as sequence
// numbers, or as UIDs when uid is true. The zero key means ALL.
func (c *Client) Search(ctx context.Context, key imap.SearchKey, uid bool, opts *SearchOptions) (*SearchResult, error) {
	args := &imap.SearchCommand{Key: searchKey(key)}
	if opts != nil {
		args.Charset = opts.Charset
		args.Return, args.HasReturn = opts.Return, opts.Return != nil
	}
	res := &SearchResult{UID: uid}
	cmd := &command{}
	searched := false
	cmd.claim = func(r *wire.Response) bool {
		switch r.Kind {
		case wire.KindSearch:
			if r.Search == nil || res.ESearch {
				return false
			}
			searched = true
			res.nums = append(res.nums, r.Search.Nums...)
			if r.Search.ModSeq > res.ModSeq {
				res.ModSeq = r.Search.ModSeq
			}
			return true
		case wire.KindESearch:
			e := r.ESearch
			if e == nil || searched || (e.Tag != "" && e.Tag != cmd.tag) {
				return false
			}
			res.ESearch = true
			res.UID = res.UID || e.UID
			res.Min, res.Max, res.ModSeq = e.Min, e.Max, e.ModSeq
			res.Count, res.HasCount = e.Count, e.HasCount
			if e.HasAll {
				res.All = e.All
			}
			return true
		}
		return false
	}
	if err := c.start(ctx, "SEARCH", args, uid, cmd); err != nil {
		return nil, err
	}
	if _, err := c.wait(ctx, cmd); err != nil {
		return nil, err
	}
	if !res.ESearch {
		if res.nums == nil {
			res.nums = []uint32{}
		}
		res.All = imap.NumSetOf(res.nums...)
		res.Count, res.HasCount = uint32(len(res.nums)), true
		if len(res.nums) > 0 {
			res.Min, res.Max = slices.Min(res.nums), slices.Max(res.nums)
		}
	}
	return res, nil
}

// Sort returns the messages matching key in the order of criteria
// (RFC 5256 SORT), as sequence numbers or, when uid is true, UIDs. An
// empty charset is sent as UTF-8.
//
// When the server lacks SORT (or SORT=DISPLAY for the DISPLAYFROM and
// DISPLAYTO keys), the client computes the order itself (SortLocal),
// unless Options.NoLocalSortThread is set.
func (c *Client) Sort(ctx context.Context, criteria []imap.SortCriterion, key imap.SearchKey, uid bool, charset string) ([]uint32, error) {
	if len(criteria) == 0 {
		return nil, ErrNoSortCriteria
	}
	if !c.opts.NoLocalSortThread {
		local, err := c.needLocalSort(ctx, criteria)
		if err != nil {
			return nil, err
		}
		if local {
			return c.SortLocal(ctx, criteria, key, uid, charset)
		}
	}
	args := &imap.SortCommand{Criteria: criteria, Charset: charset, Key: searchKey(key)}
	nums := []uint32{}
	_, err := c.execute(ctx, "SORT", args, uid, func(r *wire.Response) bool {
		if r.Kind != wire.KindSort || r.Search == nil {
			return false
		}
		nums = append(nums, r.Search.Nums...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return nums, nil
}

// Thread returns the threads of the messages matching key, built with
// algorithm (RFC 5256 THREAD, e.g. "REFERENCES", "ORDEREDSUBJECT"); the
// numbers are UIDs when uid is true. An empty charset is sent as UTF-8.
//
// When the server lacks THREAD=algorithm, the client threads the
// messages itself (ThreadLocal), unless Options.NoLocalSortThread is set.
func (c *Client) Thread(ctx context.Context, algorithm string, key imap.SearchKey, uid bool, charset string) ([]imap.ThreadNode, error) {
	if !c.opts.NoLocalSortThread {
		local, err := c.needLocalThread(ctx, algorithm)
		if err != nil {
			return nil, err
		}
		if local {
			return c.ThreadLocal(ctx, algorithm, key, uid, charset)
		}
	}
	args := &imap.ThreadCommand{Algorithm: algorithm, Charset: charset, Key: searchKey(key)}
	threads := []imap.ThreadNode{}
	_, err := c.execute(ctx, "THREAD", args, uid, func(r *wire.Response) bool {
		if r.Kind != wire.KindThread {
			return false
		}
		threads = append(threads, r.Threads...)
		return true
	})
	if err != nil {
		return nil, err
	}
	return threads, nil
}
