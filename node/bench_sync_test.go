package node_test

import (
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
)

// BenchmarkSync measures a new full node fetching, verifying and executing
// a chain of b.N blocks from 4 validators (run with -benchtime=10000x for
// the figure). Block pacing is off while the chain is built.
func BenchmarkSync(b *testing.B) {
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	nw := taotest.NewNetwork(b, 4, &taotest.Options{Validators: 4, Params: &p})
	target := uint64(b.N)
	nw.AwaitHeight(b, target, time.Hour)
	b.ResetTimer()
	began := time.Now()
	late := nw.Add(b)
	for late.Ledger().Height() < target {
		time.Sleep(10 * time.Millisecond)
	}
	el := time.Since(began)
	b.ReportMetric(float64(target)/el.Seconds(), "blocks/s")
	b.ReportMetric(el.Seconds(), "s-total")
}
