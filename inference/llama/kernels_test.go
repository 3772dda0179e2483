package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestKernelsMatchReference checks the dispatched (possibly SIMD) dot
// products against the pure-Go ones, and those against plain float math
// on dequantized values.
func TestKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{32, 64, 288, 768, 2048 + 32} {
		w := make([]float32, n)
		x := make([]float32, n)
		for i := range w {
			w[i] = float32(r.NormFloat64())
			x[i] = float32(r.NormFloat64())
		}
		if n%32 == 0 {
			x[5] = 0 // exact zero and a zero block
		}
		var want float64
		for i := range w {
			want += float64(w[i]) * float64(x[i])
		}
		if got := dotF32(w, x); !near(float64(got), want, 1e-4*float64(n)) {
			t.Errorf("n=%d dotF32 = %v, want %v", n, got, want)
		}
		if got := dotF32Go(w, x); !near(float64(got), want, 1e-4*float64(n)) {
			t.Errorf("n=%d dotF32Go = %v, want %v", n, got, want)
		}
		a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
		quantizeAct(a, x)
		xq := make([]float32, n)
		for i := range xq {
			xq[i] = float32(a.qs[i]) * a.d[i/32]
		}
		for _, ty := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
			wb, _ := gguf.Quantize(nil, ty, w)
			wd := make([]float32, n)
			_ = gguf.Dequantize(wd, ty, wb)
			var ref float64
			for i := range wd {
				ref += float64(wd[i]) * float64(xq[i])
			}
			var fast, slow float32
			if ty == gguf.Q4_0 {
				fast, slow = dotQ4(wb, a), dotQ4Go(wb, a)
			} else {
				fast, slow = dotQ8(wb, a), dotQ8Go(wb, a)
			}
			if !near(float64(slow), ref, 1e-4*float64(n)) || !near(float64(fast), ref, 1e-4*float64(n)) {
				t.Errorf("n=%d %s: fast %v, go %v, reference %v", n, ty, fast, slow, ref)
			}
		}
	}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func BenchmarkDot(b *testing.B) {
	n := 2048
	w := make([]float32, n)
	x := make([]float32, n)
	for i := range w {
		w[i], x[i] = float32(i%7)-3, float32(i%5)-2
	}
	a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
	quantizeAct(a, x)
	q8, _ := gguf.Quantize(nil, gguf.Q8_0, w)
	q4, _ := gguf.Quantize(nil, gguf.Q4_0, w)
	b.Run("f32", func(b *testing.B) {
		for b.Loop() {
			dotF32(w, x)
		}
	})
	b.Run("f32go", func(b *testing.B) {
		for b.Loop() {
			dotF32Go(w, x)
		}
	})
	b.Run("q8", func(b *testing.B) {
		for b.Loop() {
			dotQ8(q8, a)
		}
	})
	b.Run("q8go", func(b *testing.B) {
		for b.Loop() {
			dotQ8Go(q8, a)
		}
	})
	b.Run("q4", func(b *testing.B) {
		for b.Loop() {
			dotQ4(q4, a)
		}
	})
	b.Run("q4go", func(b *testing.B) {
		for b.Loop() {
			dotQ4Go(q4, a)
		}
	})
}
