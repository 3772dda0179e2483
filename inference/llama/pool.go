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
