package llama

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// parallelFor runs fn over [0, n) in chunks of at least grain, on up to
// threads goroutines (threads <= 0: GOMAXPROCS). Chunks are handed out
// dynamically so uneven work balances.
func parallelFor(threads, n, grain int, fn func(lo, hi int)) {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	grain = max(grain, 1)
	chunks := (n + grain - 1) / grain
	if threads == 1 || chunks <= 1 {
		fn(0, n)
		return
	}
	// Aim for several chunks per thread for balance.
	size := max(grain, (n+threads*4-1)/(threads*4))
	var next atomic.Int64
	work := func() {
		for {
			lo := int(next.Add(int64(size))) - size
			if lo >= n {
				return
			}
			fn(lo, min(lo+size, n))
		}
	}
	// The caller is one of the workers: one goroutine fewer to start and
	// wake per call (a decode step makes about fifty calls).
	var wg sync.WaitGroup
	for range min(threads, (n+size-1)/size) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
}

// team is a forward pass's threads: the caller and threads-1 goroutines
// that live for the whole pass and, between its parallel loops, wait by
// spinning on an atomic instead of parking. A decode step runs about fifty
// loops of tens of microseconds each; starting goroutines for each one
// (parallelFor) woke a parked thread every time, which on a virtual
// machine took long enough that the caller had done most chunks alone (a
// batch-8 step ran 1.03–1.3× faster on 2 threads than on 1). A nil team
// or one of one thread runs every loop inline.
type team struct {
	threads int
	cur     atomic.Pointer[teamLoop]
	quit    atomic.Bool
	wg      sync.WaitGroup
}

// teamLoop is one parallel loop: chunks of size over [0, n) handed out
// by next; done counts the indices finished.
type teamLoop struct {
	n, size int
	fn      func(lo, hi int)
	next    atomic.Int64
	done    atomic.Int64
}

// startTeam starts threads-1 helpers (threads <= 0: GOMAXPROCS); stop
// ends them.
func startTeam(threads int) *team {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	t := &team{threads: threads}
	for range threads - 1 {
		t.wg.Go(t.help)
	}
	return t
}

// stop ends the helpers and waits for them; a nil team is a no-op.
func (t *team) stop() {
	if t == nil {
		return
	}
	t.quit.Store(true)
	t.wg.Wait()
}

// help runs each new loop's chunks until the team stops. Between loops it
// spins, yielding to other goroutines now and then.
func (t *team) help() {
	var last *teamLoop
	for spins := 0; ; spins++ {
		if l := t.cur.Load(); l != last && l != nil {
			last = l
			l.work()
			spins = 0
			continue
		}
		if t.quit.Load() {
			return
		}
		if spins&63 == 63 {
			runtime.Gosched()
		}
	}
}

// work runs chunks of l until none is left.
func (l *teamLoop) work() {
	for {
		lo := int(l.next.Add(int64(l.size))) - l.size
		if lo >= l.n {
			return
		}
		hi := min(lo+l.size, l.n)
		l.fn(lo, hi)
		l.done.Add(int64(hi - lo))
	}
}

// parallelFor runs fn over [0, n) in chunks of at least grain on the
// team's threads, the caller among them, and returns when all are done.
func (t *team) parallelFor(n, grain int, fn func(lo, hi int)) {
	grain = max(grain, 1)
	if t == nil || t.threads == 1 || n <= grain {
		fn(0, n)
		return
	}
	l := &teamLoop{n: n, size: max(grain, (n+t.threads*4-1)/(t.threads*4)), fn: fn}
	t.cur.Store(l)
	l.work()
	for spins := 0; l.done.Load() < int64(n); spins++ {
		if spins&63 == 63 {
			runtime.Gosched()
		}
	}
}
