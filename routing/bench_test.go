package routing

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/inference"
)

const benchPrompt, benchTokens = "Once upon a time there was a little robot", 32

// BenchmarkInferInProcess is the baseline: the engine called directly.
func BenchmarkInferInProcess(b *testing.B) {
	eng := newTestEngine(b)
	var ttft, decode time.Duration
	var toks int
	for b.Loop() {
		start := time.Now()
		var first time.Time
		res, err := eng.Generate(context.Background(), inference.Request{Prompt: benchPrompt, MaxTokens: benchTokens}, func(inference.Token) error {
			if first.IsZero() {
				first = time.Now()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		ttft += first.Sub(start)
		decode += time.Since(first)
		toks += len(res.Tokens) - 1
	}
	reportLatency(b, ttft, decode, toks)
}

// BenchmarkInferLoopback is one request at a time through routing: client
// and miner on two libp2p hosts on 127.0.0.1.
func BenchmarkInferLoopback(b *testing.B) {
	eng := newTestEngine(b)
	tn := newTestNet(b, 2, eng.Info().CID, ClientConfig{HedgeQuantile: -1})
	tn.startMiner(b, 1, eng, MinerConfig{})
	tn.awaitLive(b, 0, 1)
	var ttft, decode time.Duration
	var toks int
	for b.Loop() {
		start := time.Now()
		var first time.Time
		res, err := tn.clients[0].Infer(context.Background(), 1, Request{Prompt: benchPrompt, MaxTokens: benchTokens}, func(Chunk) error {
			if first.IsZero() {
				first = time.Now()
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		ttft += first.Sub(start)
		decode += time.Since(first)
		toks += len(res.Tokens) - 1
	}
	reportLatency(b, ttft, decode, toks)
}

func reportLatency(b *testing.B, ttft, decode time.Duration, toks int) {
	n := float64(b.N)
	b.ReportMetric(float64(ttft.Microseconds())/1000/n, "ttft-ms")
	b.ReportMetric(float64(toks)/decode.Seconds(), "decode-tok/s")
}

// BenchmarkThroughput sends 64 concurrent requests per iteration from one
// client node over 1, 2 or 4 miners. All miners share this machine's
// cores, so the figure shows routing's overhead and load spreading, not a
// network of machines.
func BenchmarkThroughput(b *testing.B) {
	for _, miners := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("miners=%d/clients=64", miners), func(b *testing.B) {
			eng := newTestEngine(b)
			tn := newTestNet(b, 1+miners, eng.Info().CID, ClientConfig{HedgeQuantile: -1})
			for i := 1; i <= miners; i++ {
				tn.startMiner(b, i, newTestEngine(b), MinerConfig{Rate: 1e6, Burst: 1e6, MaxQueue: 64})
			}
			tn.awaitLive(b, 0, miners)
			var toks, reqs int
			start := time.Now()
			for b.Loop() {
				var wg sync.WaitGroup
				var mu sync.Mutex
				for i := range 64 {
					wg.Go(func() {
						res, err := tn.clients[0].Infer(context.Background(), 1, Request{Prompt: fmt.Sprintf("Story %d:", i), MaxTokens: 16}, func(Chunk) error { return nil })
						if err != nil {
							b.Error(err)
							return
						}
						mu.Lock()
						toks += len(res.Tokens)
						reqs++
						mu.Unlock()
					})
				}
				wg.Wait()
			}
			s := time.Since(start).Seconds()
			b.ReportMetric(float64(toks)/s, "tok/s")
			b.ReportMetric(float64(reqs)/s, "req/s")
		})
	}
}
