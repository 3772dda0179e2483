package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestSoftmaxExp checks the vectorized softmax exponentials bit for bit
// against vExpf and their sum against softmaxExpGo, with masked (-Inf)
// entries, the attention scores against scoresGGMLGo, and vExpf against
// math.Exp.
func TestSoftmaxExp(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{8, 16, 48, 256, 1024} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 20)
		}
		x[n-1] = float32(math.Inf(-1))
		x[n/2] = -200 // below the exponent range: 0
		mx := maxOfGo(x)
		got, want := append([]float32(nil), x...), append([]float32(nil), x...)
		gs, ws := softmaxExp(got, mx), softmaxExpGo(want, mx)
		for i := range got {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d exp(%v - %v) = %v, Go %v", n, x[i], mx, got[i], want[i])
			}
		}
		if gs != ws {
			t.Fatalf("n=%d sum %v, Go %v", n, gs, ws)
		}
	}
	for _, hd := range []int{8, 16, 40, 48, 64, 72, 128} {
		const npos, stride = 13, 200
		q, k := make([]float32, hd), make([]float32, npos*stride)
		for i := range q {
			q[i] = float32(r.NormFloat64())
		}
		for i := range k {
			k[i] = float32(r.NormFloat64())
		}
		got, want := make([]float32, npos), make([]float32, npos)
		scoresGGML(q, k[3:], stride, got)
		scoresGGMLGo(q, k[3:], stride, want)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("hd=%d scores[%d] = %v, Go %v", hd, i, got[i], want[i])
			}
		}
	}
	for _, hd := range []int{1, 2, 5, 48} {
		for _, n := range []int{8, 32, 40, 96} {
			v, p := make([]float32, (n+31)/32*32*hd), make([]float32, n)
			for i := range v {
				v[i] = float32(r.NormFloat64())
			}
			for i := range p {
				p[i] = float32(r.Float64())
			}
			for _, prompt := range []bool{false, true} {
				if !prompt && n%32 != 0 {
					continue
				}
				got, want := make([]float32, hd), make([]float32, hd)
				kqv(v, p, n, prompt, got)
				kqvGo(v, p, n, prompt, want)
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("hd=%d n=%d prompt=%v kqv[%d] = %v, Go %v", hd, n, prompt, i, got[i], want[i])
					}
				}
			}
		}
	}
	for i := range 200000 {
		x := float32(i-100000) / 1000 // -100 .. 100
		got, want := vExpf(x), math.Exp(float64(x))
		if want > math.MaxFloat32 {
			if !math.IsInf(float64(got), 1) {
				t.Fatalf("vExpf(%v) = %v, want +Inf", x, got)
			}
			continue
		}
		if math.Abs(float64(got)-want) > 4e-7*want+1e-44 {
			t.Fatalf("vExpf(%v) = %v, math.Exp %v", x, got, want)
		}
	}
}

// TestPlainQ4 checks the Q8_0 re-encoding of a Q4_0 matrix that llama.cpp
// does not repack: the same values, and products summed in eight lanes of
// four (ggml_vec_dot_q4_0_q8_0) rather than block by block.
func TestPlainQ4(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	const n, rows = 96, 5 // rows not a multiple of 8
	w := make([]float32, n*rows)
	for i := range w {
		w[i] = float32(r.NormFloat64())
	}
	wb, _ := gguf.Quantize(nil, gguf.Q4_0, w)
	m := &Matrix{Type: gguf.Q4_0, Rows: rows, Cols: n, Data: wb, rowBytes: gguf.Q4_0.RowBytes(n)}
	p := plainQ4(m)
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
	quantizeAct(a, x)
	want, got := make([]float32, n), make([]float32, n)
	for i := range rows {
		_ = gguf.Dequantize(want, gguf.Q4_0, wb[i*m.rowBytes:(i+1)*m.rowBytes])
		_ = gguf.Dequantize(got, gguf.Q8_0, p.Data[i*p.rowBytes:(i+1)*p.rowBytes])
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("row %d [%d] = %v, Q4_0 %v", i, j, got[j], want[j])
			}
		}
		var acc [8]float32
		row := wb[i*m.rowBytes:]
		for b := range n / 32 {
			d := f16Table[uint16(row[b*18])|uint16(row[b*18+1])<<8] * a.d[b]
			for k := range 8 {
				var s int32
				for j := 4 * k; j < 4*k+4; j++ {
					q := row[b*18+2+j%16]
					if j >= 16 {
						q >>= 4
					}
					s += (int32(q&0xf) - 8) * int32(a.qs[b*32+j])
				}
				acc[k] = fma32(d, float32(s), acc[k])
			}
		}
		if got, want := dotQ8(p.Data[i*p.rowBytes:(i+1)*p.rowBytes], a), hsum8(&acc); got != want {
			t.Errorf("row %d: %v, lanes %v", i, got, want)
		}
	}
}

// TestRope checks the vectorized rotations bit for bit against the Go ones.
func TestRope(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for _, n := range []int{4, 8, 12, 16, 24, 32, 64} {
		x := make([]float32, 2*n)
		c, s := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		for j := range c {
			s[j], c[j] = sincosf(float32(r.Float64() * 100))
		}
		for _, neox := range []bool{false, true} {
			got, want := append([]float32(nil), x...), append([]float32(nil), x...)
			if neox {
				ropeNeox(got, c, s)
				ropeNeoxGo(want, c, s)
			} else {
				rope(got, c, s)
				ropeGo(want, c, s)
			}
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d neox=%v [%d] = %v, Go %v", n, neox, i, got[i], want[i])
				}
			}
		}
	}
}

// TestFMA32 checks the float32 fused multiply-add emulation at the
// overflow midpoint and against one rounding of math.FMA's float64 result
// where that result is exact (so no double rounding can occur).
func TestFMA32(t *testing.T) {
	// a*b = MaxFloat32 + half an ulp exactly; c = -1 pulls it below the
	// midpoint: the fused result is MaxFloat32, not +Inf.
	a, b := float32(18631)*0x1p90, float32(1801)*0x1p13
	if got := fma32(a, b, -1); got != math.MaxFloat32 {
		t.Errorf("fma32 at the overflow midpoint = %v, want MaxFloat32", got)
	}
	if got := fma32(a, b, 1); !math.IsInf(float64(got), 1) {
		t.Errorf("fma32 just above the overflow midpoint = %v, want +Inf", got)
	}
	r := rand.New(rand.NewPCG(25, 26))
	for range 100000 {
		x, y, z := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64()*1e-3)
		// Products of two float32 and a small addend: exact in float64, so
		// one rounding to float32 is the fused result.
		want := float32(math.FMA(float64(x), float64(y), float64(z)))
		if p := float64(x) * float64(y); p+float64(z)-p != float64(z) {
			continue // not exact in float64: skip
		}
		if got := fma32(x, y, z); got != want {
			t.Fatalf("fma32(%v, %v, %v) = %v, want %v", x, y, z, got, want)
		}
	}
}

// TestQ8Minus128 checks the Q8_0 kernels on weights of -128, which
// llama.cpp's quantizer never writes but another tool may: every path
// (one row, eight rows, Go) gives the exact product.
func TestQ8Minus128(t *testing.T) {
	const n, rows, T = 64, 3, 8
	w := make([]byte, rows*(n/32)*34)
	for b := 0; b < len(w); b += 34 {
		w[b], w[b+1] = 0x00, 0x3c // scale 1.0
		for j := 2; j < 34; j++ {
			w[b+j] = 0x80 // -128
		}
	}
	m := &Matrix{Type: gguf.Q8_0, Rows: rows, Cols: n, Data: w, rowBytes: gguf.Q8_0.RowBytes(n)}
	x := make([]float32, T*n)
	for i := range x {
		x[i] = -1
	}
	out := make([]float32, T*rows)
	matmul(out, m, &acts{x: x, n: n, t: T}, nil)
	for i, v := range out {
		// -128 * -127 (x quantized to -127 with scale 1/127, rounded
		// through f16) per element.
		if v <= 0 {
			t.Fatalf("[%d] = %v, want a positive product", i, v)
		}
		if v != out[0] {
			t.Fatalf("[%d] = %v, row 0 %v: the paths disagree", i, v, out[0])
		}
	}
	a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
	quantizeAct(a, x[:n])
	if got, want := out[0], dotQ8Go(w[:m.rowBytes], a); got != want {
		t.Errorf("eight-row %v, Go %v", got, want)
	}
}

// TestSoftmaxWeights checks the sampler's weights against exp((x-max)/T)
// to vExpf's accuracy and their sum, with a tail past the last eight.
func TestSoftmaxWeights(t *testing.T) {
	x := make([]float32, 37)
	for i := range x {
		x[i] = float32(i%11) - 3
	}
	x[5] = float32(math.Inf(-1))
	w := make([]float32, len(x))
	sum := SoftmaxWeights(w, x, 0.7)
	var want float64
	for i, v := range x {
		e := math.Exp(float64(v-7) / 0.7)
		want += e
		if math.Abs(float64(w[i])-e) > 1e-6*max(e, 1e-30)+1e-38 {
			t.Fatalf("w[%d] = %v, want %v", i, w[i], e)
		}
	}
	if math.Abs(sum-want) > 1e-5*want {
		t.Fatalf("sum %v, want %v", sum, want)
	}
}
