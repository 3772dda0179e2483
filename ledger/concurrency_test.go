package ledger

import (
	"sync"
	"sync/atomic"
	"testing"
)

// TestConcurrentReaders reads while blocks commit; run with -race.
func TestConcurrentReaders(t *testing.T) {
	l := openMem(t, testGenesis(3))
	var done atomic.Bool
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			for !done.Load() {
				h := l.Height()
				if _, err := l.Balance(acct(1)); err != nil {
					t.Error(err)
					return
				}
				if h > 0 {
					if _, _, err := l.Block(h); err != nil {
						t.Error(err)
						return
					}
				}
				_ = l.StateRoot()
				l.Mempool().Size()
			}
		})
	}
	for i := range uint64(20) {
		step(t, l, transfer(t, 1, i, 2, 1), transfer(t, 2, i, 3, 1))
	}
	done.Store(true)
	wg.Wait()
	checkSupply(t, l)
}
