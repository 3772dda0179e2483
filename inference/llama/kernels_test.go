package llama

import (
	"math"
	"math/rand/v2"
	"slices"
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
		sums := append([]int32(nil), a.s...)
		blockSums(a)
		if !slices.Equal(sums, a.s) {
			t.Errorf("n=%d quantizeAct's block sums %v, Go %v", n, sums, a.s)
		}
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
				a.prepare(ty, nil)
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
					tm := startTeam(threads)
					matmul(got, m, a, tm)
					tm.stop()
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

// TestQuantizeActSpecials: with a NaN or infinite activation, the block
// sums quantizeAct writes are those of the quants it leaves (a NaN's
// conversion, 0x80000000, is stored as -128 by the saturating packs).
func TestQuantizeActSpecials(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, special := range []float32{nan, inf, -inf} {
		x := make([]float32, 96)
		for i := range x {
			x[i] = float32(i%11) - 5
		}
		x[3], x[40] = special, special
		a := &q8Act{qs: make([]int8, len(x)), d: make([]float32, len(x)/32)}
		quantizeAct(a, x)
		want := &q8Act{qs: a.qs, d: a.d}
		blockSums(want)
		if !slices.Equal(a.s, want.s) {
			t.Errorf("%v: block sums %v, of the quants %v", special, a.s, want.s)
		}
	}
}

// TestLogitsKernels checks the vectorized max, first-match and sum of
// exponentials against the plain loops: each exponential bit for bit, the
// sums to float64 rounding, and Argmax on ties, NaN and infinities.
func TestLogitsKernels(t *testing.T) {
	ninf := float32(math.Inf(-1))
	for i := range 20000 {
		// 24 values: one group of sumExpNegAVX2's three chains, v in
		// each lane of each chain in turn.
		v := -90 * float32(i) / 20000
		x := make([]float32, 24)
		for j := range x {
			x[j] = ninf
		}
		x[i%24] = v
		if got, want := sumExpNeg(x, 0), float64(expNeg(v)); got != want {
			t.Fatalf("sumExpNeg(%v at %d) = %v, want %v", v, i%24, got, want)
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
			id := Argmax(y)
			want := Pick{ID: int32(id), LogProb: float32(float64(y[id]) - LogSumExp(y))}
			if got := GreedyPick(y); got.ID != want.ID || math.Float32bits(got.LogProb) != math.Float32bits(want.LogProb) {
				t.Errorf("n=%d %s: GreedyPick = %+v, want %+v", n, name, got, want)
			}
		}
	}
}

// TestSiluMul checks the vectorized feed-forward gate bit for bit against
// the scalar vSilu, over the exponential's whole range and its edges, and
// the tail past the last eight against ggml's scalar loop (glibc's expf).
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
	n := len(g) &^ 7
	for i, v := range g {
		want := vSilu(v) * up[i]
		if i >= n { // ggml's scalar loop: the C library's expf
			want = v / (1 + glibcExpf(-v)) * up[i]
		}
		if math.Float32bits(got[i]) != math.Float32bits(want) && !(got[i] != got[i] && want != want) {
			t.Fatalf("silu(%v)*%v = %v, want %v", v, up[i], got[i], want)
		}
	}
	gold := append([]float32(nil), g...)
	siluMulGo(gold, up)
	for i := range g {
		if math.Float32bits(got[i]) != math.Float32bits(gold[i]) && !(got[i] != got[i] && gold[i] != gold[i]) {
			t.Fatalf("siluMul(%v) = %v, siluMulGo %v", g[i], got[i], gold[i])
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
			a.prepare(gguf.Q4_0, nil)
			m := &Matrix{Type: gguf.Q4_0, Rows: rows, Cols: n, Data: w, rowBytes: nb * 18}
			got := make([]float32, T*rows)
			matmul(got, m, a, nil)
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

// TestFirstAbove checks FirstAbove (AVX2 eight at a time where it can)
// against a plain scan, on lengths around multiples of eight, ties with
// the bound, NaNs (above nothing) and infinities.
func TestFirstAbove(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 40 {
		x := make([]float32, n)
		for trial := range 50 {
			for i := range x {
				x[i] = float32(r.IntN(9)) - 4
				switch r.IntN(20) {
				case 0:
					x[i] = float32(math.NaN())
				case 1:
					x[i] = float32(math.Inf(2*r.IntN(2) - 1))
				}
			}
			v := float32(r.IntN(11)) - 5
			if trial%10 == 0 {
				v = float32(math.Inf(-1))
			}
			want := len(x)
			for i, u := range x {
				if u > v {
					want = i
					break
				}
			}
			if got := FirstAbove(x, v); got != want {
				t.Fatalf("n %d, v %v, x %v: %d, want %d", n, v, x, got, want)
			}
		}
	}
}
