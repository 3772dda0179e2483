package llama

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestQuantMatmulSameWithoutAVX2 runs matmul on Q8_0 and Q4_0 weights with
// the assembly and again with the Go fallbacks (as on a CPU without AVX2,
// or another architecture), and wants the same bits. It switches the
// package's kernel selection, so it must not run in parallel with others.
func TestQuantMatmulSameWithoutAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: only the Go kernels run here")
	}
	r := rand.New(rand.NewPCG(19, 20))
	const n, rows = 288, 45
	w := make([]float32, rows*n)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	for _, T := range []int{1, 2, 5, 8, 13} {
		x := make([]float32, T*n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for _, ty := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
			wb, _ := gguf.Quantize(nil, ty, w)
			m := &Matrix{Type: ty, Rows: rows, Cols: n, Data: wb, rowBytes: ty.RowBytes(n)}
			fast := make([]float32, T*rows)
			matmul(fast, m, &acts{x: x, n: n, t: T}, nil)
			hasAVX2, x8 = false, false
			slow := make([]float32, T*rows)
			matmul(slow, m, &acts{x: x, n: n, t: T}, nil)
			hasAVX2, x8 = true, true
			for i := range fast {
				if fast[i] != slow[i] {
					t.Fatalf("T=%d %s [%d]: assembly %v, Go %v", T, ty, i, fast[i], slow[i])
				}
			}
		}
	}
}

// TestLogitsBitsWithoutAVX2 runs the llama.cpp logits check on the Go
// kernels (what another architecture runs): the same bits. Like the test
// above it switches the package's kernel selection.
func TestLogitsBitsWithoutAVX2(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2: TestLogitsBitsMatchLlamaCpp already runs the Go kernels")
	}
	hasAVX2, x8, q4kx4 = false, false, false
	defer func() { hasAVX2, x8, q4kx4 = true, true, true }()
	for _, c := range []struct {
		preset string
		q      gguf.TensorType
		kv     string
	}{
		{"stories15m", gguf.Q8_0, ""}, {"stories15m", gguf.Q4_0, ""}, {"llama-k-tiny", gguf.Q4_K, ""},
		{"llama-k-tiny", gguf.Q5_K, ""}, {"llama-k-tiny", gguf.Q6_K, ""},
		{"stories15m", gguf.Q8_0, "-f16cache"}, {"qwen3-tiny", gguf.F32, "-f16cache"}, {"llama31-tiny", gguf.F32, "-f16cache"},
		{"stories15m", gguf.Q8_0, "-fa"}, {"qwen3-tiny", gguf.F32, "-fa"}, {"stories15m", gguf.Q8_0, "-fa-long"},
		{"llama-k-odd", gguf.Q4_K, ""},
	} {
		name := c.preset + "-" + strings.ToLower(c.q.String()) + c.kv
		t.Run(name, func(t *testing.T) { checkLogitsHashes(t, c.preset, c.q, name) })
	}
}
