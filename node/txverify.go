package node

import (
	"runtime"

	"github.com/taonet/tao/protocols"
)

// newVerifySlots returns the semaphore of verifyTxs: one slot per CPU but
// one, so transaction checks never take every core from the consensus
// loop (whose proposals and votes wait behind any runnable goroutine).
func newVerifySlots() chan struct{} {
	return make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
}

// verifyTxs checks the signatures of txs in batches through the node's
// cache (protocols.VerifyTxs), so that admitting them afterwards is a
// cache hit: nil when all verify, else one error per transaction. At most
// len(c.verifying) batches are checked at once; the rest wait, parked.
func (c *chain) verifyTxs(txs []*protocols.Tx) []error {
	c.verifying <- struct{}{}
	defer func() { <-c.verifying }()
	return protocols.VerifyTxs(c.genesis.ChainID, txs, c.sigs.VerifyBatch)
}
