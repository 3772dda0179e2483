package node_test

import (
	"context"
	"crypto/ed25519"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/ledger"
	"github.com/taonet/tao/node"
)

// BenchmarkChain measures 4 validators on loopback with no block pacing
// (BlockTimeMs 1): blocks per second and the interval between consecutive
// commits (p50, p99), for empty blocks and for full ones. For full blocks,
// benchClients clients, each with its own funded account, submit
// transfers in batches of benchBatch (POST /txs) through the 4
// nodes in turn, each keeping at most benchAhead transfers uncommitted;
// transfers/s counts those committed. "full" signs each batch just before
// sending it, so the clients' signing shares the 2 cores with the nodes;
// "full-presigned" signs benchPresigned transfers per client before the
// clock starts (as load generators on other machines would), so the
// figures are the network's alone (a client that runs out signs on);
// "full-presigned-500" is that with blocks of at most 500 transfers, the
// shape in which a block commits within 100 ms while the chain carries
// 5,000 transfers/s.
func BenchmarkChain(b *testing.B) {
	for _, mode := range []string{"empty", "full", "full-presigned", "full-presigned-500"} {
		full := mode != "empty"
		presigned := strings.HasPrefix(mode, "full-presigned")
		b.Run(mode, func(b *testing.B) {
			p := ledger.DevParams()
			p.BlockTimeMs = 1
			p.MaxBlockTxs = benchFullBlock
			if strings.HasSuffix(mode, "-500") {
				p.MaxBlockTxs = 500
			}
			nw := taotest.NewNetwork(b, 4, &taotest.Options{Validators: 4, Params: &p, Accounts: benchClients, Verbose: os.Getenv("BENCH_VERBOSE") != ""})
			nw.AwaitHeight(b, 2, time.Minute)
			l := nw.Nodes[0].Ledger()
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			defer wg.Wait()
			defer cancel()
			if full {
				to := ed25519.NewKeyFromSeed(make([]byte, 32)).Public().(ed25519.PublicKey)
				for c := range benchClients {
					acct, _ := ledger.AccountOf(nw.Accounts[c].Public().(ed25519.PublicKey))
					cl := &node.Client{BaseURL: nw.Nodes[c%len(nw.Nodes)].HTTPURL()}
					var signed [][]byte
					if presigned {
						for nonce := range uint64(benchPresigned) {
							signed = append(signed, nw.TransferFrom(b, c, nonce, to, 1))
						}
					}
					sign := func(nonce uint64) []byte {
						if nonce < uint64(len(signed)) {
							return signed[nonce]
						}
						return nw.TransferFrom(b, c, nonce, to, 1)
					}
					wg.Go(func() { benchClient(ctx, l, cl, acct, sign) })
				}
			}
			var gaps []time.Duration
			var committed int
			start := l.Height()
			stopProfile := benchProfile(b, mode)
			cpu0 := processCPU()
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
			cpu := processCPU() - cpu0
			stopProfile()
			slices.Sort(gaps)
			b.ReportMetric(float64(last-start)/el.Seconds(), "blocks/s")
			b.ReportMetric(float64(gaps[len(gaps)/2].Microseconds())/1000, "p50-ms/block")
			b.ReportMetric(float64(gaps[len(gaps)*99/100].Microseconds())/1000, "p99-ms/block")
			// CPU time of the whole process (4 nodes and the clients): on a
			// shared machine it moves less with other load than the rates.
			b.ReportMetric(cpu.Seconds()/el.Seconds(), "cores")
			if full {
				b.ReportMetric(float64(committed)/el.Seconds(), "transfers/s")
				b.ReportMetric(float64(committed)/float64(last-start), "transfers/block")
				b.ReportMetric(float64(cpu.Microseconds())/float64(committed), "cpu-µs/transfer")
			}
		})
	}
}

// benchProfile writes a CPU profile of the measured part of mode's run
// (not the network's start or the clients' presigning) to
// $BENCH_CPUPROFILE-mode.prof when BENCH_CPUPROFILE is set; the returned
// func stops it.
func benchProfile(b *testing.B, mode string) func() {
	prefix := os.Getenv("BENCH_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	f, err := os.Create(prefix + "-" + mode + ".prof")
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

const (
	benchClients = 16  // concurrent clients, one account each
	benchBatch   = 64  // transfers per POST /txs
	benchAhead   = 128 // transfers a client keeps uncommitted

	// benchFullBlock is Params.MaxBlockTxs: a full block of the issue's
	// figures (1,000 transfers).
	benchFullBlock = 1000

	// benchPresigned is how many transfers each client signs ahead in
	// the presigned mode: 16 clients × 8192 covers 130 full blocks.
	benchPresigned = 8192
)

// benchClient submits transfers signed by sign (nonces 0, 1, ...) in
// batches until ctx ends, waiting while more than benchAhead are
// uncommitted (l is one node's ledger). sign returns a transfer already
// signed, or signs it then (b.N is not known before b.Loop ends).
func benchClient(ctx context.Context, l *ledger.Ledger, cl *node.Client, acct ledger.Account, sign func(nonce uint64) []byte) {
	batch := make([][]byte, benchBatch)
	for next := uint64(0); ctx.Err() == nil; {
		done, _ := l.Nonce(acct)
		if next-done >= benchAhead {
			time.Sleep(time.Millisecond)
			continue
		}
		for i := range batch {
			batch[i] = sign(next + uint64(i))
		}
		for ctx.Err() == nil {
			if _, err := cl.SubmitTxs(ctx, batch); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond) // retry the same batch
		}
		next += benchBatch
	}
}
