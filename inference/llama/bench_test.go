package llama

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// BenchmarkDecode reports decode tokens/s at batch sizes 1 and 8 (one
// token from each of 8 sequences per Forward) on synthetic stories15m,
// each sequence rewound after 128 positions, with the defaults (flash
// attention, F16 cache) and (Q8_0) without flash attention, with an F16
// or an F32 cache.
func BenchmarkDecode(b *testing.B) {
	for _, c := range []struct {
		q, kv gguf.TensorType
		fa    bool
	}{
		{gguf.F32, gguf.F16, true}, {gguf.Q8_0, gguf.F16, true}, {gguf.Q8_0, gguf.F16, false},
		{gguf.Q8_0, gguf.F32, false}, {gguf.Q4_0, gguf.F16, true},
	} {
		q := c.q
		m := loadSynth(b, q, 1)
		if err := m.SetKVCacheType(c.kv); err != nil {
			b.Fatal(err)
		}
		m.SetFlashAttention(c.fa)
		attn := "kv=" + c.kv.String()
		if c.fa {
			attn = "fa"
		}
		for _, threads := range []int{1, 2} {
			for _, batch := range []int{1, 8} {
				b.Run(fmt.Sprintf("quant=%s/%s/threads=%d/batch=%d", q, attn, threads, batch), func(b *testing.B) {
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

// BenchmarkBatchKernel compares the eight-row kernels with eight passes of
// the one-row ones over a 768 × 288 weight matrix (eight activation rows),
// the shape of a stories15m feed-forward matrix: 768 × 9 × 8 row-blocks of
// 32 elements per op.
func BenchmarkBatchKernel(b *testing.B) {
	const rows, n = 768, 288
	a := &acts{n: n, t: 8, x: make([]float32, 8*n)}
	w := make([]float32, rows*n)
	for i := range a.x {
		a.x[i] = float32(i%13) - 6
	}
	for i := range w {
		w[i] = float32(i%7) - 3
	}
	for _, ty := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
		wb, _ := gguf.Quantize(nil, ty, w)
		rb := ty.RowBytes(n)
		a.kind = 0
		a.prepare(ty, nil)
		out := make([]float32, 8*rows)
		q4 := ty == gguf.Q4_0
		b.Run(fmt.Sprintf("quant=%s/kernel=x8", ty), func(b *testing.B) {
			for b.Loop() {
				mulQx8(q4, wb, rb, rows, a, 0, out, rows)
			}
		})
		b.Run(fmt.Sprintf("quant=%s/kernel=x1", ty), func(b *testing.B) {
			for b.Loop() {
				for k := range 8 {
					mulQx1(q4, wb, rb, rows, &a.q8[k], out[k*rows:(k+1)*rows])
				}
			}
		})
	}
}

// BenchmarkFlashOne reports the one-query flash-attention kernel's cost
// per cell (one head, a decode row) at stories15m's and tinyllama1b's
// head widths: the scores, then the online softmax and weighted sum.
func BenchmarkFlashOne(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, hd := range []int{48, 64} {
		for _, n := range []int{64, 512} {
			k, v := make([]uint16, n*hd), make([]uint16, n*hd)
			for i := range k {
				k[i] = gguf.F32ToF16(float32(r.NormFloat64()))
				v[i] = gguf.F32ToF16(float32(r.NormFloat64()))
			}
			q := make([]float32, hd)
			for i := range q {
				q[i] = float32(r.NormFloat64())
			}
			roundF16Go(q)
			scores, acc, out := make([]float32, n), make([]uint16, hd), make([]float32, hd)
			b.Run(fmt.Sprintf("hd=%d/cells=%d", hd, n), func(b *testing.B) {
				for b.Loop() {
					flashOne(q, k, v, n, 0.125, scores, acc, out)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/cell")
			})
		}
	}
}
