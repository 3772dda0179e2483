package llama

import "math"

// glibcExpf is the C library's expf as glibc (2.28 on) computes it on an
// x86-64 CPU with FMA (the __expf_fma variant its ifunc picks there), bit
// for bit: x·32/ln2 rounded to an integer k (by adding 1.5·2^52) with
// remainder r, both products fused; 2^(k/32) from glibc's 32-entry table
// (exp2fTable, powf's too); a cubic in r with fused steps; all in float64,
// rounded once to float32. llama.cpp's CPU flash attention and ggml's
// scalar SwiGLU take their exponentials from it.
func glibcExpf(x float32) float32 {
	b := math.Float32bits(x)
	if abstop := b >> 20 & 0x7ff; abstop > 0x42a { // |x| >= 88, or NaN
		switch {
		case b == 0xff800000: // -Inf
			return 0
		case abstop > 0x7f7: // +Inf, NaN
			return x + x
		case x > 0x1.62e42ep6: // above log(0x1p128)
			return float32(math.Inf(1))
		case x < -0x1.9fe368p6: // below log(0x1p-150)
			return 0
		case x < -0x1.9d1d9ep6: // glibc's __math_may_uflowf: 0x1.4p-75f squared
			return 0x1p-149
		}
	}
	const (
		invLn2N = 0x1.71547652b82fep+0 * 32
		shift   = 0x1.8p+52
	)
	// exp2fPoly scaled for r in units of 1/32 (glibc's poly_scaled).
	c0, c1, c2 := exp2fPoly[0]/32/32/32, exp2fPoly[1]/32/32, exp2fPoly[2]/32
	xd := float64(x)
	kds := math.FMA(invLn2N, xd, shift)
	ki := math.Float64bits(kds)
	kd := kds - shift
	r := math.FMA(invLn2N, xd, -kd)
	s := math.Float64frombits(exp2fTable[ki%32] + ki<<47)
	z := math.FMA(c0, r, c1)
	r2 := r * r
	y := math.FMA(r, c2, 1)
	y = math.FMA(z, r2, y)
	return float32(y * s)
}
