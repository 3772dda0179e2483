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
// by the scheduler) on synthetic stories15m, and their ratio. Each
// iteration runs both, one after the other, so that the two figures, and
// the ratio, see the same machine load.
func BenchmarkGenerateConcurrent(b *testing.B) {
	for _, q := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
		b.Run(fmt.Sprintf("quant=%s", q), func(b *testing.B) {
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
			run := func(clients int) time.Duration {
				start := time.Now()
				var wg sync.WaitGroup
				for c := range clients {
					wg.Go(func() {
						req := Request{Prompt: fmt.Sprintf("Once upon a time %d", c), MaxTokens: n}
						if _, err := e.Generate(context.Background(), req, func(Token) error { return nil }); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
				return time.Since(start)
			}
			var one, eight time.Duration
			for b.Loop() {
				one += run(1)
				eight += run(8)
			}
			r1 := float64(b.N*n) / one.Seconds()
			r8 := float64(b.N*8*n) / eight.Seconds()
			b.ReportMetric(r1, "tok/s-1")
			b.ReportMetric(r8, "tok/s-8")
			b.ReportMetric(r8/r1, "x")
		})
	}
}
