package ledger

import (
	"testing"

	"github.com/taonet/tao/protocols"
)

// The benchmarks in bench_test.go execute transactions built in memory. A
// node's come off the wire: a gossiped batch or a POST /txs, and a block
// in another validator's proposal. These measure that path, with the
// signatures answered by a warm VerifyCache as on a node that verified
// them once already: what a node pays per transaction besides the curve
// arithmetic.

// BenchmarkAdmitDecoded measures a node admitting one transfer from the
// wire: DecodeTx, the gossip validator's signature check and
// Mempool.Add.
func BenchmarkAdmitDecoded(b *testing.B) {
	g, keys := benchChain(1000)
	cache := protocols.NewVerifyCache(1 << 16)
	l, err := Open(NewMemStore(), g, WithMempool(MempoolConfig{MaxTxs: 1 << 20}), WithVerify(cache.Verify), WithVerifyBatch(cache.VerifyBatch))
	if err != nil {
		b.Fatal(err)
	}
	var encs [][]byte
	for nonce := uint64(0); len(encs) < 20_000; nonce++ {
		for _, tx := range benchTxs(b, keys, nonce) {
			enc, err := protocols.EncodeTx(tx)
			if err != nil {
				b.Fatal(err)
			}
			if err := tx.VerifyWith(testChain, cache.Verify); err != nil {
				b.Fatal(err)
			}
			encs = append(encs, enc)
		}
	}
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		if i == len(encs) {
			b.StopTimer()
			l.Mempool().Update(&protocols.Block{})
			b.StartTimer()
		}
		tx, err := protocols.DecodeTx(encs[i%len(encs)])
		if err != nil {
			b.Fatal(err)
		}
		if errs := protocols.VerifyTxs(testChain, []*protocols.Tx{tx}, cache.VerifyBatch); errs != nil {
			b.Fatal(errs)
		}
		if err := l.Mempool().Add(tx); err != nil && i < len(encs) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkValidateDecoded measures a validator's share of a block of
// 1000 transfers proposed by another: decoding it, executing it (Apply
// with a warm VerifyCache) and naming its transactions for the index, as
// CommitBlock does.
func BenchmarkValidateDecoded(b *testing.B) {
	const n = 1000
	l, blk := benchProposed(b, n)
	enc, err := protocols.EncodeBlock(blk)
	if err != nil {
		b.Fatal(err)
	}
	cache := protocols.NewVerifyCache(2 * n)
	view, tip := l.committed()
	b.ReportAllocs()
	for b.Loop() {
		blk, err := protocols.DecodeBlock(enc)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := apply(view, l.Chain(), tip, blk, cache.VerifyBatch); err != nil {
			b.Fatal(err)
		}
		if err := checkTxsHash(blk); err != nil { // CommitBlock's executeLocked, again
			b.Fatal(err)
		}
		for i := range blk.Txs {
			if _, err := blk.Txs[i].ID(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n*b.N), "µs/transfer")
}
