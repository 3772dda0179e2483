package inference

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/synth"
)

// BenchmarkGenerateConcurrent reports aggregate decode tokens/s of the
// builtin engine with one request and with 8 concurrent requests (batched
// by the scheduler) on synthetic stories15m, and their ratio, greedy and
// (Q4_0) sampled at temperature 0.8, top-k 40, top-p 0.95. Each
// iteration runs both, one after the other, so that the two figures, and
// the ratio, see the same machine load. The cpu- figures divide by the
// process's CPU time instead of the wall clock: with -cpu 1 that is what
// one dedicated core would do, however busy the machine.
func BenchmarkGenerateConcurrent(b *testing.B) {
	for _, c := range []struct {
		q       gguf.TensorType
		sampled bool
	}{{gguf.Q8_0, false}, {gguf.Q4_0, false}, {gguf.Q4_0, true}} {
		q := c.q
		name := fmt.Sprintf("quant=%s", q)
		if c.sampled {
			name += "/sampled"
		}
		b.Run(name, func(b *testing.B) {
			var buf bytes.Buffer
			if err := synth.Write(&buf, synth.Options{Preset: "stories15m", Quant: q, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			e, err := LoadBuiltin(buf.Bytes(), BuiltinOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			const n = 32
			run := func(clients int) (time.Duration, time.Duration) {
				start, cpu := time.Now(), cpuTime()
				var wg sync.WaitGroup
				for cl := range clients {
					wg.Go(func() {
						req := Request{Prompt: fmt.Sprintf("Once upon a time %d", cl), MaxTokens: n}
						if c.sampled {
							req.Sampling = Sampling{Temperature: 0.8, TopK: 40, TopP: 0.95, Seed: uint64(cl + 1)}
						}
						if _, err := e.Generate(context.Background(), req, func(Token) error { return nil }); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				return time.Since(start), cpuTime() - cpu
			}
			var one, eight, cpu1, cpu8 time.Duration
			for b.Loop() {
				w, c := run(1)
				one, cpu1 = one+w, cpu1+c
				w, c = run(8)
				eight, cpu8 = eight+w, cpu8+c
			}
			r1 := float64(b.N*n) / one.Seconds()
			r8 := float64(b.N*8*n) / eight.Seconds()
			b.ReportMetric(r1, "tok/s-1")
			b.ReportMetric(r8, "tok/s-8")
			b.ReportMetric(r8/r1, "x")
			if cpu1 > 0 && cpu8 > 0 {
				c1 := float64(b.N*n) / cpu1.Seconds()
				c8 := float64(b.N*8*n) / cpu8.Seconds()
				b.ReportMetric(c1, "tok/cpu-s-1")
				b.ReportMetric(c8, "tok/cpu-s-8")
				b.ReportMetric(c8/c1, "x-cpu")
			}
		})
	}
}
