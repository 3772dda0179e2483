package node_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// BenchmarkChain measures 4 validators on loopback with no block pacing
// (BlockTimeMs 1): the interval between consecutive commits (p50, p99)
// and blocks per second, for empty blocks and for blocks carrying
// transfers submitted as fast as the API takes them.
func BenchmarkChain(b *testing.B) {
	for _, txs := range []int{0, 1000} {
		b.Run(fmt.Sprintf("txs=%d", txs), func(b *testing.B) {
			p := ledger.DevParams()
			p.BlockTimeMs = 1
			nw := taotest.NewNetwork(b, 4, &taotest.Options{Validators: 4, Params: &p})
			nw.AwaitHeight(b, 2, time.Minute)
			l := nw.Nodes[0].Ledger()
			if txs > 0 {
				// Pre-sign, then submit in nonce order through one node's
				// API: one account's nonces must arrive in order (a gap of
				// more than 64 is refused), so this measures one client.
				to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
				signed := make([][]byte, b.N*txs)
				for i := range signed {
					signed[i] = nw.Transfer(b, uint64(i), to, 1)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				cl := &node.Client{BaseURL: nw.Nodes[0].HTTPURL()}
				go func() {
					for i := 0; i < len(signed) && ctx.Err() == nil; i++ {
						cl.SubmitTx(ctx, signed[i])
					}
				}()
			}
			var gaps []time.Duration
			var committed int
			start := l.Height()
			began := time.Now()
			last, lastAt := start, began
			for b.Loop() {
				for l.Height() == last {
					time.Sleep(100 * time.Microsecond)
				}
				now := time.Now()
				h := l.Height()
				gaps = append(gaps, now.Sub(lastAt)/time.Duration(h-last))
				for hh := last + 1; hh <= h; hh++ {
					blk, _, _ := l.Block(hh)
					committed += len(blk.Txs)
				}
				last, lastAt = h, now
			}
			el := time.Since(began)
			slices.Sort(gaps)
			b.ReportMetric(float64(last-start)/el.Seconds(), "blocks/s")
			b.ReportMetric(float64(gaps[len(gaps)/2].Microseconds())/1000, "p50-ms/block")
			b.ReportMetric(float64(gaps[len(gaps)*99/100].Microseconds())/1000, "p99-ms/block")
			if txs > 0 {
				b.ReportMetric(float64(committed)/el.Seconds(), "transfers/s")
			}
		})
	}
}

// BenchmarkSync measures a new full node fetching, verifying and executing
// a chain of b.N blocks from 4 validators (run with -benchtime=10000x for
// the figure).
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
