package llama

import (
	"fmt"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// BenchmarkDecode reports decode tokens/s at batch sizes 1 and 8 (one
// token from each of 8 sequences per Forward) on synthetic stories15m.
func BenchmarkDecode(b *testing.B) {
	for _, q := range []gguf.TensorType{gguf.F32, gguf.Q8_0, gguf.Q4_0} {
		m := loadSynth(b, q, 1)
		for _, threads := range []int{1, 2} {
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("quant=%s/threads=%d/batch=%d", q, threads, batch), func(b *testing.B) {
					seqs := make([]*Seq, batch)
					for i := range seqs {
						seqs[i] = m.NewSeq(m.Ctx)
					}
					rows := make([]Row, batch)
					n := 0
					for b.Loop() {
						for i := range rows {
							if seqs[i].Len() >= 128 {
								seqs[i].Truncate(0)
							}
							rows[i] = Row{Seq: seqs[i], Token: int32(100 + n%1000), Logits: true}
						}
						if _, err := m.Forward(rows, threads); err != nil {
							b.Fatal(err)
						}
						n++
					}
					b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "tok/s")
				})
			}
		}
	}
}

// BenchmarkPrefill reports prompt tokens/s for a 128-token prompt.
func BenchmarkPrefill(b *testing.B) {
	for _, q := range []gguf.TensorType{gguf.F32, gguf.Q8_0, gguf.Q4_0} {
		m := loadSynth(b, q, 1)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("quant=%s/threads=%d", q, threads), func(b *testing.B) {
				seq := m.NewSeq(128)
				rows := make([]Row, 128)
				for b.Loop() {
					seq.Truncate(0)
					for i := range rows {
						rows[i] = Row{Seq: seq, Token: int32(100 + i), Logits: i == len(rows)-1}
					}
					if _, err := m.Forward(rows, threads); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N*len(rows))/b.Elapsed().Seconds(), "tok/s")
			})
		}
	}
}
