package inference

import (
	"context"
	"fmt"
	"sync"
	"testing"
)

// BenchmarkGenerateConcurrent reports aggregate decode tokens/s of the
// builtin engine with 1 and 8 concurrent requests (batched by the
// scheduler) on synthetic stories15m Q8_0.
func BenchmarkGenerateConcurrent(b *testing.B) {
	mb, err := modelBytes()
	if err != nil {
		b.Fatal(err)
	}
	for _, clients := range []int{1, 8} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			e, err := LoadBuiltin(mb, BuiltinOptions{})
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			const n = 32
			for b.Loop() {
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
			}
			b.ReportMetric(float64(b.N*clients*n)/b.Elapsed().Seconds(), "tok/s")
		})
	}
}
