package llama

import (
	"math"
	"unsafe"
)

//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

//go:noescape
func xgetbv() (eax, edx uint32)

// hasAVX2 reports AVX2, FMA and F16C with OS support for YMM state;
// immutable after initialisation.
var hasAVX2 = func() bool {
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, f16c = 1 << 12, 1 << 27, 1 << 29
	if c1&fma == 0 || c1&osxsave == 0 || c1&f16c == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}()

//go:noescape
func matQ8x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)

//go:noescape
func matQ4x8AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32, stride int)

// x8 reports whether matmul runs batches of eight activation rows through
// mulQx8 (which then reads the interleaved copy acts.group makes).
var x8 = hasAVX2

// mulQx8 sets out[k*stride+i], for weight rows i < rows (Q8_0 or Q4_0,
// rowBytes apart in w) and k < 8, to the dot product of row i with
// activation row 8g+k of a.
func mulQx8(q4 bool, w []byte, rowBytes, rows int, a *acts, g int, out []float32, stride int) {
	if !hasAVX2 {
		mulQx8Go(q4, w, rowBytes, rows, a, g, out, stride)
		return
	}
	nb := a.n / 32
	if rows <= 0 || nb == 0 {
		return
	}
	_ = w[rows*rowBytes-1]
	_ = out[7*stride+rows-1]
	_ = a.gd[(g+1)*8*nb-1]
	_ = a.gs[(g+1)*8*nb-1]
	xd, xs := &a.gd[g*8*nb], &a.gs[g*8*nb]
	if q4 {
		_ = w[(rows-1)*rowBytes+nb*18-1]
		_ = a.gq[(g+1)*8*a.n-1]
		matQ4x8AVX2(&w[0], rowBytes, rows, (*int8)(unsafe.Pointer(&a.gq[g*8*a.n])), xd, xs, nb, &out[0], stride)
	} else {
		_ = w[(rows-1)*rowBytes+nb*34-1]
		_ = a.gqr[(g+1)*8*a.n-1]
		matQ8x8AVX2(&w[0], rowBytes, rows, (*int8)(unsafe.Pointer(&a.gqr[g*8*a.n])), xd, xs, nb, &out[0], stride)
	}
}

//go:noescape
func quantizeQ8AVX2(x *float32, qs *int8, d *float32, s *int32, nb int)

// quantizeAct quantizes x (len a multiple of 32) into dst.
func quantizeAct(dst *q8Act, x []float32) {
	nb := len(x) / 32
	if !hasAVX2 || nb == 0 {
		quantizeActGo(dst, x)
		blockSums(dst)
		return
	}
	dst.qs = dst.qs[:nb*32]
	dst.d = dst.d[:nb]
	if cap(dst.s) < nb {
		dst.s = make([]int32, nb)
	}
	dst.s = dst.s[:nb]
	quantizeQ8AVX2(&x[0], (*int8)(unsafe.Pointer(&dst.qs[0])), &dst.d[0], &dst.s[0], nb)
}

//go:noescape
func maxAVX2(x *float32, n int) (mx float32, nan bool)

//go:noescape
func firstEqAVX2(x *float32, n int, v float32) int

//go:noescape
func firstAboveAVX2(x *float32, n int, v float32) int

//go:noescape
func sumExpNegAVX2(x *float32, n int, mx float32) float64

// maxOf is the largest of x (not empty), NaN if any is NaN.
func maxOf(x []float32) float32 {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return maxOfGo(x)
	}
	mx, nan := maxAVX2(&x[0], n)
	if nan {
		return float32(math.NaN())
	}
	for _, v := range x[n:] {
		mx = max(mx, v)
	}
	return mx
}

// FirstAbove is the first i with x[i] > v, or len(x); a NaN is above
// nothing (samplers scan logits with it for the ones that beat a bound).
func FirstAbove(x []float32, v float32) int {
	n := len(x) &^ 7
	if hasAVX2 && n > 0 {
		if i := firstAboveAVX2(&x[0], n, v); i < n {
			return i
		}
	}
	return n + firstAboveGo(x[n:], v)
}

// firstEq is the first i with x[i] == v, or len(x).
func firstEq(x []float32, v float32) int {
	n := len(x) &^ 7
	if hasAVX2 && n > 0 {
		if i := firstEqAVX2(&x[0], n, v); i < n {
			return i
		}
	}
	for i := n; i < len(x); i++ {
		if x[i] == v {
			return i
		}
	}
	return len(x)
}

// sumExpNeg is the float64 sum of expNeg(v - mx) over x (every v <= mx,
// no NaN).
func sumExpNeg(x []float32, mx float32) float64 {
	n := len(x) &^ 7
	if !hasAVX2 || n == 0 {
		return sumExpNegGo(x, mx)
	}
	return sumExpNegAVX2(&x[0], n, mx) + sumExpNegGo(x[n:], mx)
}

//go:noescape
func siluMulAVX2(gate, up *float32, n int)

// siluMul sets gate[i] = vSilu(gate[i]) * up[i] (len(up) >= len(gate)),
// the feed-forward gate, bit for bit as siluMulGo.
func siluMul(gate, up []float32) {
	n := avx2Len(len(gate))
	if n > 0 {
		up = up[:len(gate)]
		siluMulAVX2(&gate[0], &up[0], n)
		siluMulTail(gate[n:], up[n:])
		return
	}
	siluMulGo(gate, up)
}

//go:noescape
func matQ8x1AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32)

//go:noescape
func matQ4x1AVX2(w *byte, rowBytes, nrows int, xq *int8, xd *float32, xs *int32, nb int, out *float32)

// mulQx1 sets out[i], for weight rows i < rows (Q8_0 or Q4_0, rowBytes
// apart in w), to the dot product of row i with x: dotQ8 or dotQ4 per
// row, with the loop over rows in assembly.
func mulQx1(q4 bool, w []byte, rowBytes, rows int, x *q8Act, out []float32) {
	nb := len(x.d)
	if !hasAVX2 || nb == 0 || rows <= 0 {
		mulQx1Go(q4, w, rowBytes, rows, x, out)
		return
	}
	_ = w[rows*rowBytes-1]
	_ = out[rows-1]
	_ = x.qs[nb*32-1]
	_ = x.s[nb-1]
	xq := (*int8)(unsafe.Pointer(&x.qs[0]))
	if q4 {
		_ = w[(rows-1)*rowBytes+nb*18-1]
		matQ4x1AVX2(&w[0], rowBytes, rows, xq, &x.d[0], &x.s[0], nb, &out[0])
	} else {
		_ = w[(rows-1)*rowBytes+nb*34-1]
		matQ8x1AVX2(&w[0], rowBytes, rows, xq, &x.d[0], &x.s[0], nb, &out[0])
	}
}

// dotQ8 is dotQ8Go.
func dotQ8(w []byte, a *q8Act) float32 {
	var out [1]float32
	mulQx1(false, w, len(w), 1, a, out[:])
	return out[0]
}

// dotQ4 is dotQ4Go.
func dotQ4(w []byte, a *q8Act) float32 {
	var out [1]float32
	mulQx1(true, w, len(w), 1, a, out[:])
	return out[0]
}

//go:noescape
func softmaxExpAVX2(x *float32, n int, mx float32) float64

// dotGGML is dotGGMLGo: x · y (len(y) >= len(x)) as ggml_vec_dot_f32.
func dotGGML(x, y []float32) float32 {
	np := len(x) &^ 31
	if !hasAVX2 || np == 0 {
		return dotGGMLGo(x, y)
	}
	y = y[:len(x)]
	var s [1]float32
	scoresGGMLAVX2(&y[0], &x[0], 0, 1, np, &s[0])
	return dotGGMLTail(x, y, np, s[0])
}

// dot8 is dot8Go: x · y (len(x) a multiple of 8, len(y) >= len(x)) as
// tinyBLAS computes it.
func dot8(x, y []float32) float32 {
	if !hasAVX2 || len(x) == 0 || len(x)%8 != 0 {
		return dot8Go(x, y)
	}
	y = y[:len(x)]
	var s [1]float32
	kqvBlock8AVX2(&x[0], 1, &y[0], len(x)/8, &s[0]) // one row: contiguous
	return s[0]
}

// softmaxExp is softmaxExpGo (len(x) a multiple of 8).
func softmaxExp(x []float32, mx float32) float64 {
	if !hasAVX2 || len(x) == 0 || len(x)%8 != 0 {
		return softmaxExpGo(x, mx)
	}
	return softmaxExpAVX2(&x[0], len(x), mx)
}

//go:noescape
func scoresGGMLAVX2(q, k *float32, stride, npos, hd int, out *float32)

// scoresGGML sets out[t] = dotGGML(q, k[t*stride:]) for t < len(out).
func scoresGGML(q, k []float32, stride int, out []float32) {
	hd, n := len(q), len(out)
	if !hasAVX2 || hd%8 != 0 || n == 0 {
		scoresGGMLGo(q, k, stride, out)
		return
	}
	_ = k[(n-1)*stride+hd-1]
	scoresGGMLAVX2(&q[0], &k[0], stride, n, hd, &out[0])
}

//go:noescape
func kqvBlockGGMLAVX2(v *float32, hd int, p *float32, nblk int, out *float32)

//go:noescape
func kqvBlock8AVX2(v *float32, hd int, p *float32, nchunk int, out *float32)

// kqv is kqvGo.
func kqv(v []float32, p []float32, n int, prompt bool, out []float32) {
	hd := len(out)
	if !hasAVX2 || hd == 0 || n == 0 || prompt && n%8 != 0 || !prompt && (n%32 != 0 || hd%2 != 0) {
		kqvGo(v, p, n, prompt, out)
		return
	}
	nblk := (n + 31) / 32
	_ = v[nblk*hd*32-1]
	_ = p[n-1]
	if prompt {
		kqvBlock8AVX2(&v[0], hd, &p[0], n/8, &out[0])
	} else {
		kqvBlockGGMLAVX2(&v[0], hd, &p[0], nblk, &out[0])
	}
}

//go:noescape
func ropeAVX2(x, cos, sin *float32, n int)

//go:noescape
func ropeNeoxAVX2(x, cos, sin *float32, h int)

// rope is ropeGo.
func rope(x, cos, sin []float32) {
	n := len(cos)
	if !hasAVX2 || n%4 != 0 || n == 0 {
		ropeGo(x, cos, sin)
		return
	}
	_ = x[2*n-1]
	_ = sin[n-1]
	ropeAVX2(&x[0], &cos[0], &sin[0], n)
}

// ropeNeox is ropeNeoxGo.
func ropeNeox(x, cos, sin []float32) {
	h := len(cos)
	if !hasAVX2 || h%8 != 0 || h == 0 {
		ropeNeoxGo(x, cos, sin)
		return
	}
	_ = x[2*h-1]
	_ = sin[h-1]
	ropeNeoxAVX2(&x[0], &cos[0], &sin[0], h)
}

//go:noescape
func dotQ6KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32

// dotQ6K is dotQ6KGo.
func dotQ6K(w []byte, a *q8KAct) float32 {
	if !hasAVX2 || len(a.d) == 0 {
		return dotQ6KGo(w, a)
	}
	return kquantAVX2(dotQ6KAVX2, w, 210, a)
}

// kquantAVX2 runs one of the K-quant kernels over w's blocks of bb bytes
// (one per block of a), after bounds checks covering what it reads.
func kquantAVX2(kernel func(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32, w []byte, bb int, a *q8KAct) float32 {
	nb := len(a.d)
	_ = w[nb*bb-1]
	_ = a.qs[nb*256-1]
	_ = a.bsums[nb*16-1]
	return kernel(&w[0], &a.qs[0], &a.d[0], &a.bsums[0], nb)
}

//go:noescape
func matQ4Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)

//go:noescape
func matQ4Kx4GemmAVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)

//go:noescape
func matQ6Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)

//go:noescape
func matQ5Kx4AVX2(w *byte, rowBytes, nrows int, y *int8, yd *float32, bsums *int16, nb int, out *float32)

// mulQ5Kx4 is mulKx4Go(dotQ5KGo, ...) by the four-row kernel.
func mulQ5Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	if !kx4Args(w, rowBytes, nrows, 176, g, out) {
		mulKx4Go(dotQ5KGo, w, rowBytes, nrows, g, out)
		return
	}
	matQ5Kx4AVX2(&w[0], rowBytes, nrows, &g.qs[0], &g.d[0], &g.bsums[0], len(g.d)/4, &out[0])
}

// mulQ6Kx4 is mulKx4Go(dotQ6KGo, ...) by the four-row kernel.
func mulQ6Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	if !kx4Args(w, rowBytes, nrows, 210, g, out) {
		mulKx4Go(dotQ6KGo, w, rowBytes, nrows, g, out)
		return
	}
	matQ6Kx4AVX2(&w[0], rowBytes, nrows, &g.qs[0], &g.d[0], &g.bsums[0], len(g.d)/4, &out[0])
}

// kx4Args reports whether a four-row kernel may run on these arguments
// (blocks of bb bytes), after checking that everything it reads is in
// bounds.
func kx4Args(w []byte, rowBytes, nrows, bb int, g *k4Group, out []float32) bool {
	nb := len(g.d) / 4
	if !q4kx4 || nrows == 0 || nb == 0 {
		return false
	}
	_ = w[(nrows-1)*rowBytes+nb*bb-1]
	_ = g.qs[nb*1024-1]
	_ = g.bsums[nb*64-1]
	_ = out[nrows*4-1]
	return true
}

// q4kx4 says whether the four-row K-quant kernels run (AVX2); tests
// switch it.
var q4kx4 = hasAVX2

// mulQ4Kx4 is mulQ4Kx4Go by the four-row kernels.
func mulQ4Kx4(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	if !kx4Args(w, rowBytes, nrows, 144, g, out) {
		mulQ4Kx4Go(w, rowBytes, nrows, g, out)
		return
	}
	nb := len(g.d) / 4
	kernel := matQ4Kx4AVX2
	if g.gemm {
		kernel = matQ4Kx4GemmAVX2
	}
	kernel(&w[0], rowBytes, nrows, &g.qs[0], &g.d[0], &g.bsums[0], nb, &out[0])
}

//go:noescape
func dotQ4KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32

//go:noescape
func dotQ4KGemmAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32

// dotQ4K is dotQ4KGo, or dotQ4KGemmGo for a row of llama.cpp's gemm.
func dotQ4K(w []byte, a *q8KAct, gemm bool) float32 {
	switch {
	case hasAVX2 && len(a.d) > 0 && gemm:
		return kquantAVX2(dotQ4KGemmAVX2, w, 144, a)
	case hasAVX2 && len(a.d) > 0:
		return kquantAVX2(dotQ4KAVX2, w, 144, a)
	case gemm:
		return dotQ4KGemmGo(w, a)
	}
	return dotQ4KGo(w, a)
}

//go:noescape
func dotQ5KAVX2(w *byte, y *int8, yd *float32, bsums *int16, nb int) float32

// dotQ5K is dotQ5KGo.
func dotQ5K(w []byte, a *q8KAct) float32 {
	if !hasAVX2 || len(a.d) == 0 {
		return dotQ5KGo(w, a)
	}
	return kquantAVX2(dotQ5KAVX2, w, 176, a)
}

//go:noescape
func dotBF16AVX2(x, y *float32, n int) float32

// dotBF16 is dotBF16Go.
func dotBF16(x, y []float32) float32 {
	if !hasAVX2 || len(x) == 0 || len(x)%32 != 0 {
		return dotBF16Go(x, y)
	}
	_ = y[len(x)-1]
	return dotBF16AVX2(&x[0], &y[0], len(x))
}
