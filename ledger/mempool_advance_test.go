package ledger

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

// TestMempoolAdvanceMatchesReexecution commits, to a node whose pool holds
// random chains of transfers (two funded accounts paying four that start
// empty, which pay on), a block of each signer's first few transfers in a
// random order another node proposed, and checks that when the mempool
// advances its check state over the block instead of re-executing the
// rest, every account and the supply equal a full re-execution and no
// pending transfer is dropped.
func TestMempoolAdvanceMatchesReexecution(t *testing.T) {
	g := testGenesis(2) // accounts 1 and 2 funded; 3..6 start empty
	fee := uint64(DefaultTxFee)
	signer := func(tx *protocols.Tx) byte {
		for f := byte(1); f <= 6; f++ {
			if a := acct(f); bytes.Equal(a[:], tx.Signer) {
				return f
			}
		}
		return 0
	}
	advanced := 0
	for trial := range 120 {
		r := rand.New(rand.NewPCG(uint64(trial), 9))
		bal := map[byte]uint64{1: 1000e9, 2: 1000e9}
		nonce := map[byte]uint64{}
		var pool []*protocols.Tx
		for len(pool) < 14 {
			f, to := byte(1+r.IntN(6)), byte(1+r.IntN(6))
			if bal[f] <= fee+1 {
				continue
			}
			amt := 1 + r.Uint64N(bal[f]-fee)
			if r.IntN(2) == 0 && f <= 2 { // small payments keep the funded accounts paying
				amt = min(3*fee+r.Uint64N(5*fee), bal[f]-fee)
			}
			pool = append(pool, transfer(t, f, nonce[f], to, amt))
			nonce[f]++
			bal[f] -= amt + fee
			bal[to] += amt
		}
		node := openMem(t, g)
		for _, tx := range pool {
			if err := node.SubmitTx(tx); err != nil {
				t.Fatalf("trial %d: pool: %v", trial, err)
			}
		}
		// The block: each signer's first take[f] transfers, shuffled but
		// in nonce order per signer, accepted by a proposer's pool.
		take := map[byte]int{}
		for f := byte(1); f <= 6; f++ {
			take[f] = r.IntN(int(nonce[f]) + 1)
		}
		var blk []*protocols.Tx
		for _, tx := range pool {
			if int(tx.Nonce) < take[signer(tx)] {
				blk = append(blk, tx)
			}
		}
		if len(blk) == 0 {
			continue
		}
		var proposer *Ledger
		for try := 0; try < 20 && proposer == nil; try++ {
			r.Shuffle(len(blk), func(i, j int) { blk[i], blk[j] = blk[j], blk[i] })
			slots := map[byte][]int{} // each signer's positions keep its nonce order
			for i, tx := range blk {
				slots[signer(tx)] = append(slots[signer(tx)], i)
			}
			sorted := slices.Clone(blk)
			for _, idx := range slots {
				txs := make([]*protocols.Tx, len(idx))
				for k, i := range idx {
					txs[k] = blk[i]
				}
				slices.SortFunc(txs, func(a, b *protocols.Tx) int { return int(a.Nonce) - int(b.Nonce) })
				for k, i := range idx {
					sorted[i] = txs[k]
				}
			}
			blk = sorted
			p := openMem(t, g)
			ok := true
			for _, tx := range blk {
				if p.SubmitTx(tx) != nil {
					ok = false // a credit came after the payment it funds
					break
				}
			}
			if ok {
				proposer = p
			}
		}
		if proposer == nil {
			continue
		}
		bk := propose(t, proposer)
		if len(bk.Txs) != len(blk) {
			t.Fatalf("trial %d: proposed %d transactions, want %d", trial, len(bk.Txs), len(blk))
		}
		if err := node.CommitBlock(bk, nil); err != nil {
			t.Fatal(err)
		}
		m := node.Mempool()
		m.mu.Lock()
		if m.check == nil { // re-executed anyway: nothing to compare
			m.mu.Unlock()
			continue
		}
		advanced++
		keys := [][]byte{supplyKey}
		for f := byte(1); f <= 6; f++ {
			keys = append(keys, accountKey(acct(f)))
		}
		var fast [][]byte
		for _, k := range keys {
			v, _ := m.check.block.Get(k)
			fast = append(fast, v)
		}
		n := len(m.txs)
		m.reset() // full re-execution
		if len(m.txs) != n {
			t.Fatalf("trial %d: re-execution keeps %d transactions, the advanced pool %d", trial, len(m.txs), n)
		}
		for i, k := range keys {
			if v, _ := m.check.block.Get(k); !bytes.Equal(v, fast[i]) {
				t.Fatalf("trial %d, key %d: advanced %x, re-executed %x", trial, i, fast[i], v)
			}
		}
		m.mu.Unlock()
	}
	t.Logf("advanced in %d of 120 trials", advanced)
	if advanced < 20 {
		t.Fatalf("the advance ran in only %d trials: the test no longer exercises it", advanced)
	}
}
