package serverload

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// VmRSS returns this process's resident set size in octets, read from
// /proc/self/status (Linux); 0 where that file does not exist.
func VmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range bytes.Lines(b) {
		if rest, ok := bytes.CutPrefix(line, []byte("VmRSS:")); ok {
			f := bytes.Fields(rest) // "1234", "kB"
			if len(f) >= 1 {
				kb, _ := strconv.ParseInt(string(f[0]), 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

// Snapshot is the process's memory at one moment.
type Snapshot struct {
	HeapInuse  int64 // runtime.MemStats.HeapInuse
	StackInuse int64 // runtime.MemStats.StackInuse
	TotalAlloc int64 // runtime.MemStats.TotalAlloc
	RSS        int64 // VmRSS
	Goroutines int
}

// Settle collects garbage, returns freed memory to the operating system
// (debug.FreeOSMemory, so that VmRSS reflects what is live), and takes a
// Snapshot.
func Settle() Snapshot {
	runtime.GC()
	debug.FreeOSMemory()
	return Take()
}

// Take takes a Snapshot without collecting garbage.
func Take() Snapshot {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return Snapshot{
		HeapInuse:  int64(ms.HeapInuse),
		StackInuse: int64(ms.StackInuse),
		TotalAlloc: int64(ms.TotalAlloc),
		RSS:        VmRSS(),
		Goroutines: runtime.NumGoroutine(),
	}
}

// Peak is the largest HeapInuse and VmRSS a Sampler saw in one phase.
type Peak struct {
	HeapInuse int64
	RSS       int64
	Samples   int
}

// Sampler samples HeapInuse and VmRSS every interval, keeping the peak of
// each phase (0, 1, ... as set by SetPhase).
type Sampler struct {
	phase atomic.Int32
	stop  chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	peaks []Peak
}

// StartSampler starts sampling, in phase 0, for phases phases.
func StartSampler(interval time.Duration, phases int) *Sampler {
	s := &Sampler{stop: make(chan struct{}), peaks: make([]Peak, phases)}
	s.wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			s.sample()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	})
	return s
}

func (s *Sampler) sample() {
	snap := Take()
	s.mu.Lock()
	defer s.mu.Unlock()
	p := &s.peaks[min(int(s.phase.Load()), len(s.peaks)-1)]
	p.HeapInuse = max(p.HeapInuse, snap.HeapInuse)
	p.RSS = max(p.RSS, snap.RSS)
	p.Samples++
}

// SetPhase starts phase i (after one last sample of the current phase).
func (s *Sampler) SetPhase(i int) {
	s.sample()
	s.phase.Store(int32(i))
	s.sample()
}

// Stop stops sampling and returns each phase's peak.
func (s *Sampler) Stop() []Peak {
	s.sample()
	close(s.stop)
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Peak(nil), s.peaks...)
}

// RaiseFileLimit raises the soft limit on open files (RLIMIT_NOFILE) to
// want, raising the hard limit too if it is lower and the process may
// (root), and returns the soft limit in force. Children inherit it.
func RaiseFileLimit(want uint64) (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if lim.Cur >= want {
		return lim.Cur, nil
	}
	if lim.Max < want {
		raised := syscall.Rlimit{Cur: want, Max: want}
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised) == nil {
			return want, nil
		}
	}
	lim.Cur = min(want, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, err
	}
	return lim.Cur, nil
}

// IdleClients opens n connections to addr, each logged in with INBOX
// selected and idling (IDLE sent and its continuation request read),
// using workers connections at a time, and returns the bare connections
// (the clients' buffers are dropped, so that the caller holds only
// sockets).
func IdleClients(addr string, n, workers int) ([]net.Conn, error) {
	conns := make([]net.Conn, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				nc, err := idleClient(addr)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("connection %d: %w", i, err)
					}
					mu.Unlock()
					next.Store(int64(n)) // stop the others
					return
				}
				conns[i] = nc
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		for _, nc := range conns {
			if nc != nil {
				nc.Close()
			}
		}
		return nil, firstErr
	}
	return conns, nil
}

func idleClient(addr string) (net.Conn, error) {
	nc, err := net.DialTimeout("tcp", addr, time.Minute)
	if err != nil {
		return nil, err
	}
	nc.SetDeadline(time.Now().Add(2 * time.Minute))
	c := newClientSize(nc, 4096, 512)
	if err := c.readGreeting(); err != nil {
		nc.Close()
		return nil, err
	}
	if err := c.Login(User, Password); err != nil {
		nc.Close()
		return nil, err
	}
	if err := c.Do("SELECT INBOX", nil); err != nil {
		nc.Close()
		return nil, err
	}
	if _, err := c.Idle(); err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetDeadline(time.Time{})
	return nc, nil
}
