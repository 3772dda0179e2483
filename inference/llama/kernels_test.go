package llama

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestKernelsMatchReference checks the dispatched (possibly SIMD) dot
// products against the pure-Go ones (the quantized ones bit for bit), and
// those against plain float math on dequantized values.
func TestKernelsMatchReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{8, 48, 64, 72, 256, 288, 320, 768, 2048 + 32} {
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
		fast, slow := dotGGML(w, x), dotGGMLGo(w, x)
		if !near(float64(slow), want, 1e-4*float64(n)) || fast != slow {
			t.Errorf("n=%d dotGGML = %v, go %v (want the same bits), reference %v", n, fast, slow, want)
		}
		fast, slow = dot8(w, x), dot8Go(w, x)
		if !near(float64(slow), want, 1e-4*float64(n)) || fast != slow {
			t.Errorf("n=%d dot8 = %v, go %v (want the same bits), reference %v", n, fast, slow, want)
		}
		if n%32 != 0 {
			continue
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
			if !near(float64(slow), ref, 1e-4*float64(n)) || fast != slow {
				t.Errorf("n=%d %s: fast %v, go %v (want the same bits), reference %v", n, ty, fast, slow, ref)
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
			dotGGML(w, x)
		}
	})
	b.Run("f32go", func(b *testing.B) {
		for b.Loop() {
			dotGGMLGo(w, x)
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

func TestQuantizeActRounding(t *testing.T) {
	x := make([]float32, 32)
	x[0] = 127
	for i := 1; i < 32; i++ {
		x[i] = float32(i-16) + 0.5 // ties: round to even
	}
	x[31] = -126.7
	a := &q8Act{qs: make([]int8, 32), d: make([]float32, 1)}
	quantizeAct(a, x)
	for i, v := range x {
		want := int8(math.RoundToEven(float64(v * (127 / x[0]))))
		if a.qs[i] != want {
			t.Errorf("x=%v: q=%d, want %d", v, a.qs[i], want)
		}
	}
}

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

// TestQuantizeActFast checks the SIMD activation quantizer bit for bit
// against the Go one.
func TestQuantizeActFast(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	const n = 32 * 9
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * math.Pow(10, float64(i/32-4)))
	}
	for i := 64; i < 96; i++ {
		x[i] = 0 // an all-zero block
	}
	x[100] = 3.5 // exact tie after scaling? at least exercise rounding
	a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
	b := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
	quantizeAct(a, x)
	quantizeActGo(b, x)
	for i := range a.qs {
		if a.qs[i] != b.qs[i] {
			t.Fatalf("qs[%d] = %d, want %d (x=%v)", i, a.qs[i], b.qs[i], x[i])
		}
	}
	for i := range a.d {
		if a.d[i] != b.d[i] {
			t.Fatalf("d[%d] = %v, want %v", i, a.d[i], b.d[i])
		}
	}
}

// TestMulQx8MatchesSingle checks the eight-row kernels, and matmul's
// batched path around them, bit for bit against the one-row kernels (so a
// request's numbers do not depend on its batch), and those against Go.
func TestMulQx8MatchesSingle(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{32, 288, 768} {
		for _, T := range []int{2, 3, 5, 7, 8, 10, 13, 15, 16} {
			a := &acts{n: n, t: T, x: make([]float32, n*T)}
			for i := range a.x {
				a.x[i] = float32(r.NormFloat64())
			}
			z := min(3, T-1) * n
			clear(a.x[z : z+32]) // a zero block
			const rows = 70
			w := make([]float32, rows*n)
			for i := range w {
				w[i] = float32(r.NormFloat64())
			}
			for _, ty := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
				wb, _ := gguf.Quantize(nil, ty, w)
				m := &Matrix{Type: ty, Rows: rows, Cols: n, Data: wb, rowBytes: ty.RowBytes(n)}
				a.kind = 0
				a.prepare(ty)
				want := make([]float32, T*rows)
				for tt := range T {
					for i := range rows {
						wr := wb[i*m.rowBytes : (i+1)*m.rowBytes]
						var ref float32
						if ty == gguf.Q4_0 {
							want[tt*rows+i], ref = dotQ4(wr, &a.q8[tt]), dotQ4Go(wr, &a.q8[tt])
						} else {
							want[tt*rows+i], ref = dotQ8(wr, &a.q8[tt]), dotQ8Go(wr, &a.q8[tt])
						}
						if !near(float64(want[tt*rows+i]), float64(ref), 1e-4*math.Abs(float64(ref))+1e-4) {
							t.Fatalf("n=%d %s row %d: kernel %v, Go %v", n, ty, i, want[tt*rows+i], ref)
						}
					}
				}
				got := make([]float32, max(T, 8)*rows)
				if x8Groups(T) > 0 {
					mulQx8(ty == gguf.Q4_0, wb, m.rowBytes, rows, a, 0, got, rows)
					for k := range min(T, 8) * rows {
						if got[k] != want[k] {
							t.Fatalf("n=%d T=%d %s mulQx8[%d] = %v, want %v", n, T, ty, k, got[k], want[k])
						}
					}
				}
				got = got[:T*rows]
				for _, threads := range []int{1, 2} {
					clear(got)
					matmul(got, m, a, threads)
					for k := range got {
						if got[k] != want[k] {
							t.Fatalf("n=%d T=%d %s threads=%d matmul[%d] = %v, want %v", n, T, ty, threads, k, got[k], want[k])
						}
					}
				}
			}
		}
	}
}

// TestLogitsKernels checks the vectorized max, first-match and sum of
// exponentials against the plain loops: each exponential bit for bit, the
// sums to float64 rounding, and Argmax on ties, NaN and infinities.
func TestLogitsKernels(t *testing.T) {
	ninf := float32(math.Inf(-1))
	for i := range 20000 {
		v := -90 * float32(i) / 20000
		x := []float32{v, ninf, ninf, ninf, ninf, ninf, ninf, ninf}
		if got, want := sumExpNeg(x, 0), float64(expNeg(v)); got != want {
			t.Fatalf("sumExpNeg([%v]) = %v, want %v", v, got, want)
		}
	}
	r := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{1, 7, 8, 9, 31, 32000} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * 10)
		}
		mx := maxOfGo(x)
		if got := maxOf(x); got != mx {
			t.Errorf("n=%d maxOf = %v, want %v", n, got, mx)
		}
		if got, want := sumExpNeg(x, mx), sumExpNegGo(x, mx); !near(got, want, 1e-12*want) {
			t.Errorf("n=%d sumExpNeg = %v, want %v", n, got, want)
		}
		argmax := func(x []float32) int {
			best := 0
			for i, v := range x {
				if v > x[best] {
					best = i
				}
			}
			return best
		}
		cases := map[string]func([]float32){
			"plain": func([]float32) {},
			"tie":   func(x []float32) { x[n/2], x[n-1] = 100, 100 },
			"zeros": func(x []float32) {
				for i := range x {
					x[i] = -1
				}
				x[n/3] = float32(math.Copysign(0, -1))
				x[n-1] = 0
			},
			"inf": func(x []float32) { x[n-1] = float32(math.Inf(1)) },
			"nan": func(x []float32) { x[n/2] = float32(math.NaN()) },
			"ninf": func(x []float32) {
				for i := range x {
					x[i] = ninf
				}
			},
		}
		for name, f := range cases {
			y := append([]float32(nil), x...)
			f(y)
			if got, want := Argmax(y), argmax(y); got != want {
				t.Errorf("n=%d %s: Argmax = %d, want %d", n, name, got, want)
			}
			if got, want := maxOf(y), maxOfGo(y); got != want && !(got != got && want != want) {
				t.Errorf("n=%d %s: maxOf = %v, want %v", n, name, got, want)
			}
		}
	}
}

// TestSiluMul checks the vectorized feed-forward gate bit for bit against
// the scalar vSilu, over the exponential's whole range and its edges.
func TestSiluMul(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	var g []float32
	for i := range 40000 {
		g = append(g, float32(i-20000)/200) // -100 .. 100
	}
	for range 10000 {
		g = append(g, float32(r.NormFloat64()*3))
	}
	for _, v := range []float32{88.72283, -88.72283, 87.33654, -87.33654, 88.7, -88.7, 88.38, -88.38, 88.5, -88.5, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), 1e30, -1e30} {
		g = append(g, v, math.Nextafter32(v, 0), math.Nextafter32(v, 1000), math.Nextafter32(v, -1000))
	}
	g = append(g, float32(math.NaN()), 1, 2) // a tail that is not a multiple of 8
	up := make([]float32, len(g))
	for i := range up {
		up[i] = float32(r.NormFloat64())
	}
	got := append([]float32(nil), g...)
	siluMul(got, up)
	for i, v := range g {
		want := vSilu(v) * up[i]
		if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
			t.Fatalf("silu(%v)*%v = %v, want %v", v, up[i], got[i], want)
		}
	}
}

// TestQ4Extremes checks the Q4_0 kernels where their integer sums are
// largest: every nibble 15 (or 0) against activations of ±127.
func TestQ4Extremes(t *testing.T) {
	const n, rows, T = 288, 3, 8
	nb := n / 32
	for _, nib := range []byte{0xff, 0x00, 0xf0} {
		for _, sign := range []float32{1, -1} {
			w := make([]byte, rows*nb*18)
			for b := range rows * nb {
				w[b*18], w[b*18+1] = 0x00, 0x3c // f16 1.0
				for j := 2; j < 18; j++ {
					w[b*18+j] = nib
				}
			}
			a := &acts{n: n, t: T, x: make([]float32, n*T)}
			for i := range a.x {
				a.x[i] = sign
			}
			a.prepare(gguf.Q4_0)
			m := &Matrix{Type: gguf.Q4_0, Rows: rows, Cols: n, Data: w, rowBytes: nb * 18}
			got := make([]float32, T*rows)
			matmul(got, m, a, 1)
			for k := range T {
				for r := range rows {
					want := dotQ4Go(w[r*nb*18:(r+1)*nb*18], &a.q8[k])
					if got[k*rows+r] != want || dotQ4(w[r*nb*18:(r+1)*nb*18], &a.q8[k]) != want {
						t.Fatalf("nibbles %#x, x %v: got %v, one-row %v, want %v", nib, sign, got[k*rows+r], dotQ4(w[r*nb*18:(r+1)*nb*18], &a.q8[k]), want)
					}
				}
			}
		}
	}
}

// TestMulQx1 checks the one-row matrix kernels bit for bit against the
// one-row dot products in Go.
func TestMulQx1(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for _, n := range []int{32, 256, 288, 768} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64())
		}
		a := &q8Act{qs: make([]int8, n), d: make([]float32, n/32)}
		quantizeAct(a, x)
		const rows = 37
		w := make([]float32, rows*n)
		for i := range w {
			w[i] = float32(r.NormFloat64())
		}
		for _, ty := range []gguf.TensorType{gguf.Q8_0, gguf.Q4_0} {
			wb, _ := gguf.Quantize(nil, ty, w)
			rb := ty.RowBytes(n)
			got := make([]float32, rows)
			mulQx1(ty == gguf.Q4_0, wb, rb, rows, a, got)
			for i := range rows {
				var want float32
				if ty == gguf.Q4_0 {
					want = dotQ4Go(wb[i*rb:(i+1)*rb], a)
				} else {
					want = dotQ8Go(wb[i*rb:(i+1)*rb], a)
				}
				if got[i] != want {
					t.Fatalf("n=%d %s row %d: %v, want %v", n, ty, i, got[i], want)
				}
			}
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
	matmul(out, m, &acts{x: x, n: n, t: T}, 1)
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
