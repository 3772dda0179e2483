package node_test

import (
	"os"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
)

// BenchmarkSync measures a new full node fetching, verifying and executing
// a chain of b.N blocks from 4 validators (run with -benchtime=10000x for
// the figure; 2000x takes about two minutes here). Block pacing is
// off, so the validators keep producing blocks on the same cores while
// the node syncs, as a live network would. blocks/s is from the node's
// start (dialling and discovery included) to the target height;
// sync-blocks/s is block sync's own rate, and bulk-blocks how many blocks
// came through it rather than consensus catch-up.
func BenchmarkSync(b *testing.B) {
	p := ledger.DevParams()
	p.BlockTimeMs = 1
	nw := taotest.NewNetwork(b, 4, &taotest.Options{Validators: 4, Params: &p, Verbose: os.Getenv("TAO_TEST_VERBOSE") != ""})
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
	st := late.SyncStatus()
	b.ReportMetric(st.Rate, "sync-blocks/s")
	b.ReportMetric(float64(st.Blocks), "bulk-blocks")
}
