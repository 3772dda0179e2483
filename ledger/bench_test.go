package ledger

import (
	"crypto/ed25519"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// benchKey is the key of account i of the benchmark chains.
func benchKey(i int) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	binary.BigEndian.PutUint32(seed, uint32(i)+1<<24)
	return ed25519.NewKeyFromSeed(seed)
}

// benchChain returns a dev genesis with n funded accounts and their keys.
func benchChain(n int) (*Genesis, []ed25519.PrivateKey) {
	g := testGenesis(0)
	g.Params.SnapshotInterval = 1 << 40 // measure blocks, not snapshots
	keys := make([]ed25519.PrivateKey, n)
	for i := range keys {
		keys[i] = benchKey(i)
		a, _ := AccountOf(keys[i].Public().(ed25519.PublicKey))
		g.Balances[a] = 1000 * market.RaoPerTAO
	}
	return g, keys
}

// benchTxs returns one signed transfer per key at nonce, each to the next
// account.
func benchTxs(b *testing.B, keys []ed25519.PrivateKey, nonce uint64) []*protocols.Tx {
	txs := make([]*protocols.Tx, len(keys))
	for i, k := range keys {
		to := keys[(i+1)%len(keys)].Public().(ed25519.PublicKey)
		tx, err := protocols.NewTx(testChain, nonce, uint64(DefaultTxFee), &protocols.Transfer{To: to, Amount: 1000})
		if err != nil {
			b.Fatal(err)
		}
		if err := tx.Sign(k); err != nil {
			b.Fatal(err)
		}
		txs[i] = tx
	}
	return txs
}

// benchProposed opens a ledger on benchChain(n), fills its mempool with
// one transfer from each account and proposes the next block, which holds
// all n.
func benchProposed(b *testing.B, n int) (*Ledger, *protocols.Block) {
	b.Helper()
	g, keys := benchChain(n)
	l, err := Open(NewMemStore(), g)
	if err != nil {
		b.Fatal(err)
	}
	for _, tx := range benchTxs(b, keys, 0) {
		if err := l.SubmitTx(tx); err != nil {
			b.Fatal(err)
		}
	}
	blk := propose(b, l)
	if len(blk.Txs) != n {
		b.Fatalf("block has %d txs", len(blk.Txs))
	}
	return l, blk
}

// BenchmarkApplyBlock executes a block of n transfers with Apply, as a
// validator does for a block it did not propose: signature verification
// (on all CPUs), execution, write set and state root.
func BenchmarkApplyBlock(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("txs=%d", n), func(b *testing.B) {
			l, blk := benchProposed(b, n)
			view, tip := l.committed()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Apply(view, l.Chain(), tip, blk); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "transfers/s")
		})
	}
}

// BenchmarkCommitBlock measures CommitBlock of an already validated block
// of 1000 transfers on badger with synchronous writes: the atomic write of
// the block, its certificate, the state writes, the transaction index and
// the tip, then the mempool update.
func BenchmarkCommitBlock(b *testing.B) {
	const n = 1000
	g, keys := benchChain(n)
	st, err := OpenBadger(testBadgerOptions(b.TempDir()).WithSyncWrites(true))
	if err != nil {
		b.Fatal(err)
	}
	l, err := Open(st, g)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	nonce := uint64(0)
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for _, tx := range benchTxs(b, keys, nonce) {
			if err := l.SubmitTx(tx); err != nil {
				b.Fatal(err)
			}
		}
		nonce++
		blk := propose(b, l)
		if err := l.ValidateBlock(blk); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := l.CommitBlock(blk, make([]byte, 2048)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkMempoolAdd measures admitting one transfer (signature included).
func BenchmarkMempoolAdd(b *testing.B) {
	g, keys := benchChain(1000)
	l, err := Open(NewMemStore(), g, WithMempool(MempoolConfig{MaxTxs: 1 << 20}))
	if err != nil {
		b.Fatal(err)
	}
	var txs []*protocols.Tx
	for nonce := uint64(0); len(txs) < 20_000; nonce++ {
		txs = append(txs, benchTxs(b, keys, nonce)...)
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == len(txs) {
			b.StopTimer()
			l.Mempool().Update(&protocols.Block{}) // keep the pool's work per Add bounded
			b.StartTimer()
		}
		if err := l.Mempool().Add(txs[i%len(txs)]); err != nil && i < len(txs) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkVerifyTx is the floor of BenchmarkApplyBlock: one transfer's
// signature check on one CPU.
func BenchmarkVerifyTx(b *testing.B) {
	tx := benchTxs(b, []ed25519.PrivateKey{benchKey(0)}, 0)[0]
	c := testGenesis(0).Chain()
	for b.Loop() {
		if err := checkTx(c, tx, protocols.Verify); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExecuteBlock is BenchmarkApplyBlock with the signatures
// answered by a warm VerifyCache, as on a node that admitted the
// transactions before the block came: the execution, write set, state
// root and encodings a validator pays per block.
func BenchmarkExecuteBlock(b *testing.B) {
	const n = 1000
	l, blk := benchProposed(b, n)
	cache := protocols.NewVerifyCache(2 * n)
	view, tip := l.committed()
	if _, _, err := apply(view, l.Chain(), tip, blk, cache.VerifyBatch); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := apply(view, l.Chain(), tip, blk, cache.VerifyBatch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/transfer")
}
