package replica

import (
	"context"
	"testing"

	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/protocols"
)

// BenchmarkApplyCertified measures a follower committing certified empty
// blocks (block sync's cost per block on its own core: certificate
// verification, execution, a synchronous badger write), with the badger
// options node uses.
func BenchmarkApplyCertified(b *testing.B) {
	keys := testKeys()
	g := testGenesis(keys)
	src := certifiedChain(b, g, keys, b.N)
	type cert struct {
		value []byte
		c     *protocols.Commit
	}
	var blocks []cert
	for h := uint64(1); h <= uint64(b.N); h++ {
		v, c := certified(b, src, h)
		blocks = append(blocks, cert{v, c})
	}
	opts := ledger.BadgerOptions(b.TempDir(), nil).WithMemTableSize(16 << 20).WithNumMemtables(2).
		WithBlockCacheSize(32 << 20).WithValueLogFileSize(64 << 20)
	st, err := ledger.OpenBadger(opts)
	if err != nil {
		b.Fatal(err)
	}
	l, err := ledger.Open(st, g)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	r, err := New(Config{Ledger: l, Dir: b.TempDir(), Transport: nopTransport{}})
	if err != nil {
		b.Fatal(err)
	}
	if err := r.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	r.SetBulkSync(true)
	b.ResetTimer()
	for _, blk := range blocks {
		if err := r.ApplyCertified(context.Background(), blk.value, blk.c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}
