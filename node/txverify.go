package node

import (
	"runtime"
	"sync"

	"github.com/taonet/tao/protocols"
)

// verifySlots is the semaphore of verifyTxs: one slot per CPU but one, so
// transaction checks never take every core from the consensus loops (whose
// proposals and votes wait behind any runnable goroutine: under load, each
// hop of a vote through pubsub waited ≈ 20 ms for a core). It is shared by
// every node of the process, since the cores are: a process that runs
// several nodes (tao devnet, the tests and benchmarks) keeps a core free
// as one node alone does.
var verifySlots = sync.OnceValue(func() chan struct{} {
	return make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1))
})

// verifyTxs checks the signatures of txs in batches through the node's
// cache (protocols.VerifyTxs), so that admitting them afterwards is a
// cache hit: nil when all verify, else one error per transaction. At most
// cap(verifySlots()) batches are checked at once in the process; the rest
// wait, parked.
func (c *chain) verifyTxs(txs []*protocols.Tx) []error {
	slots := verifySlots()
	slots <- struct{}{}
	defer func() { <-slots }()
	return protocols.VerifyTxs(c.genesis.ChainID, txs, c.sigs.VerifyBatch)
}
