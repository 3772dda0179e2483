package llama

import "math"

// glibcExpf is the C library's expf as glibc (2.28 on) computes it on an
// x86-64 CPU with FMA (the __expf_fma variant its ifunc picks there), bit
// for bit: x·32/ln2 rounded to an integer k (by adding 1.5·2^52) with
// remainder r, both products fused; 2^(k/32) from a 32-entry table; a
// cubic in r with fused steps; all in float64, rounded once to float32.
// llama.cpp's CPU flash attention takes its softmax exponentials from it.
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
		c0      = 0x1.c6af84b912394p-5 / 32 / 32 / 32
		c1      = 0x1.ebfce50fac4f3p-3 / 32 / 32
		c2      = 0x1.62e42ff0c52d6p-1 / 32
	)
	xd := float64(x)
	kds := math.FMA(invLn2N, xd, shift)
	ki := math.Float64bits(kds)
	kd := kds - shift
	r := math.FMA(invLn2N, xd, -kd)
	s := math.Float64frombits(exp2fTab[ki%32] + ki<<47)
	z := math.FMA(c0, r, c1)
	r2 := r * r
	y := math.FMA(r, c2, 1)
	y = math.FMA(z, r2, y)
	return float32(y * s)
}

// exp2fTab is glibc's __exp2f_data.tab: the bits of 2^(i/32) less i<<47.
var exp2fTab = [32]uint64{
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
}
