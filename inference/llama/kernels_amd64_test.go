package llama

import (
	"math"
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

// TestFlashLoopMatchesGo checks flash attention's AVX2 cell loop (with its
// glibc expf) bit for bit against the Go loop, on scores spread so that
// the exponentials also underflow to zero and to the least subnormal.
func TestFlashLoopMatchesGo(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no AVX2")
	}
	r := rand.New(rand.NewPCG(9, 10))
	// check runs flashOne on cells whose scores are the given ones (q is
	// 1 then zeros, so a cell's score is its key's first value) with
	// random values, on AVX2 and in Go, and wants the same bits.
	check := func(hd int, scores []float64) {
		t.Helper()
		n := len(scores)
		q := make([]float32, hd)
		q[0] = 1
		k, v := make([]uint16, n*hd), make([]uint16, n*hd)
		for c, x := range scores {
			k[c*hd] = gguf.F32ToF16(float32(x))
			for d := range hd {
				v[c*hd+d] = gguf.F32ToF16(float32(r.NormFloat64()))
			}
		}
		got, want := make([]float32, hd), make([]float32, hd)
		flashOne(q, k, v, n, 1, make([]float32, n), make([]uint16, hd), got)
		hasAVX2 = false
		flashOne(q, k, v, n, 1, make([]float32, n), make([]uint16, hd), want)
		hasAVX2 = true
		for d := range hd {
			if math.Float32bits(got[d]) != math.Float32bits(want[d]) {
				t.Fatalf("hd=%d scores %.3g dim %d: AVX2 %#x, Go %#x", hd, scores[:min(n, 5)], d, math.Float32bits(got[d]), math.Float32bits(want[d]))
			}
		}
	}
	// Head widths that take each strip of flashSum*AVX2 and their sums.
	for _, hd := range []int{8, 16, 24, 32, 40, 48, 56, 64, 72, 120, 128, 136} {
		for _, spread := range []float64{1, 30, 103.5, 300} {
			scores := make([]float64, 150)
			for c := range scores {
				scores[c] = r.NormFloat64() * spread
			}
			check(hd, scores)
		}
	}
	// Scores that are NaN or infinite, and single cells: the NaNs' signs
	// too must come out as the Go loop leaves them.
	inf, nan := math.Inf(1), math.NaN()
	for _, scores := range [][]float64{{1, nan, 1}, {inf, inf, 1}, {-inf, -inf, 1}, {-inf}, {nan}, {inf}, {2}, {1, -inf, inf, nan, 3}} {
		for _, hd := range []int{8, 40, 64, 136} {
			check(hd, scores)
		}
	}
}
