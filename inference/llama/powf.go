package llama

import "math"

// powf returns x**y bit for bit as glibc 2.36's powf does on x86-64 with
// FMA and AVX2 (__powf_fma). ggml's rope step is powf(base, -2.0f/n), and
// glibc (worst case 0.82 ulp) is not correctly rounded: float32(math.Pow)
// differs in the last bit for some bases and n (20000 with n = 216, 80000
// with n = 20, 1e6 with n = 718), and every rope angle inherits the step.
//
// The algorithm is Arm's optimized-routines powf, which glibc uses:
// log2(x) from a 16-entry table and a degree-5 polynomial in double, times
// y, then 2^(y log2 x) from a 32-entry table and a cubic. As in sincosf,
// each math.FMA stands for an a + b*c that GCC contracts under -mfma.
// NaN payloads follow the x86 rules only as far as Go's operand order does.
func powf(x, y float32) float32 {
	ix, iy := math.Float32bits(x), math.Float32bits(y)
	var signBias uint64
	if ix-0x00800000 >= 0x7f800000-0x00800000 || zeroInfNaN(iy) {
		// x is subnormal, zero, negative, Inf or NaN, or y is zero, Inf or NaN.
		if zeroInfNaN(iy) {
			switch {
			case 2*iy == 0:
				if isSignalingf(ix) {
					return x + y
				}
				return 1
			case ix == 0x3f800000:
				if isSignalingf(iy) {
					return x + y
				}
				return 1
			case 2*ix > 2*0x7f800000 || 2*iy > 2*0x7f800000:
				return x + y
			case 2*ix == 2*0x3f800000:
				return 1
			case (2*ix < 2*0x3f800000) == (iy&0x80000000 == 0):
				return 0 // |x| < 1 and y = +Inf, or |x| > 1 and y = -Inf
			}
			return y * y
		}
		if zeroInfNaN(ix) {
			x2 := x * x
			if ix&0x80000000 != 0 && checkint(iy) == 1 {
				x2 = -x2
			}
			if iy&0x80000000 != 0 {
				return 1 / x2
			}
			return x2
		}
		if ix&0x80000000 != 0 { // finite x < 0
			switch checkint(iy) {
			case 0:
				return math.Float32frombits(0xffc00000) // x86's default NaN, as 0/0 gives
			case 1:
				signBias = 1 << (exp2fTableBits + 11)
			}
			ix &= 0x7fffffff
		}
		if ix < 0x00800000 { // subnormal: normalize, leaving a negative exponent
			ix = math.Float32bits(x*0x1p23)&0x7fffffff - 23<<23
		}
	}
	// The conversion keeps the product rounded: GCC does not fuse it into
	// exp2Inline's additions (it has other uses), so Go must not either.
	ylogx := float64(float64(y) * log2Inline(ix))
	if math.Float64bits(ylogx)>>47&0xffff >= math.Float64bits(126.0)>>47 {
		// |y log2 x| >= 126. (glibc's extra overflow check only fires
		// when rounding away from zero.)
		sign := float32(1)
		if signBias != 0 {
			sign = -1
		}
		switch {
		case ylogx > 0x1.fffffffd1d571p+6:
			return sign * float32(math.Inf(1))
		case ylogx <= -150.0:
			return sign * 0
		case ylogx < -149.0:
			return sign * 0x1p-149 // __math_may_uflowf rounds to nearest
		}
	}
	return float32(exp2Inline(ylogx, signBias))
}

// log2Inline returns log2 of the positive normal (or normalized) float32
// with bits ix: x = 2^k z with z near table entry i's center c, and
// log2(x) = k + log2(c) + log1p(z/c - 1)/ln 2.
func log2Inline(ix uint32) float64 {
	const off = 0x3f330000
	tmp := ix - off
	i := (tmp >> (23 - powfLog2TableBits)) % (1 << powfLog2TableBits)
	top := tmp & 0xff800000
	k := int32(top) >> 23 // arithmetic shift
	z := float64(math.Float32frombits(ix - top))
	t, a := &powfLog2Table[i], &powfLog2Poly

	r := math.FMA(z, t.invc, -1)
	y0 := t.logc + float64(k)
	r2 := r * r
	y := math.FMA(a[0], r, a[1])
	p := math.FMA(a[2], r, a[3])
	r4 := r2 * r2
	q := math.FMA(a[4], r, y0)
	q = math.FMA(p, r2, q)
	return math.FMA(y, r4, q)
}

// exp2Inline returns 2^xd, for xd in [-150, 128], negated if signBias is
// set: xd = k/32 + r, 2^(k/32) from the table with k's upper bits (and
// the sign) added to the exponent, 2^r from a cubic.
func exp2Inline(xd float64, signBias uint64) float64 {
	const shift = 0x1.8p+52 / (1 << exp2fTableBits)
	kd := xd + shift
	ki := math.Float64bits(kd)
	kd -= shift
	r := xd - kd

	t := exp2fTable[ki%(1<<exp2fTableBits)]
	t += (ki + signBias) << (52 - exp2fTableBits)
	s := math.Float64frombits(t)
	c := &exp2fPoly
	z := math.FMA(c[0], r, c[1])
	r2 := r * r
	y := math.FMA(c[2], r, 1)
	y = math.FMA(z, r2, y)
	return y * s
}

// checkint returns 0 if the nonzero finite float32 with bits iy is not an
// integer, 1 if it is odd, 2 if even.
func checkint(iy uint32) int {
	e := iy >> 23 & 0xff
	switch {
	case e < 0x7f:
		return 0
	case e > 0x7f+23:
		return 2
	case iy&(1<<(0x7f+23-e)-1) != 0:
		return 0
	case iy&(1<<(0x7f+23-e)) != 0:
		return 1
	}
	return 2
}

// zeroInfNaN reports whether the float32 with bits ix is ±0, ±Inf or NaN.
func zeroInfNaN(ix uint32) bool { return 2*ix-1 >= 2*0x7f800000-1 }

// isSignalingf reports whether the float32 with bits ix is a signaling NaN.
func isSignalingf(ix uint32) bool { return ix&0x7fffffff > 0x7f800000 && ix&0x00400000 == 0 }

const (
	powfLog2TableBits = 4
	exp2fTableBits    = 5
)

// powfLog2Table is glibc's __powf_log2_data.tab: 1/c and log2(c) for 16
// subintervals of [0x3f330000, 2*0x3f330000] as float32 bits.
var powfLog2Table = [1 << powfLog2TableBits]struct{ invc, logc float64 }{
	{0x1.661ec79f8f3bep+0, -0x1.efec65b963019p-2},
	{0x1.571ed4aaf883dp+0, -0x1.b0b6832d4fca4p-2},
	{0x1.49539f0f010bp+0, -0x1.7418b0a1fb77bp-2},
	{0x1.3c995b0b80385p+0, -0x1.39de91a6dcf7bp-2},
	{0x1.30d190c8864a5p+0, -0x1.01d9bf3f2b631p-2},
	{0x1.25e227b0b8eap+0, -0x1.97c1d1b3b7afp-3},
	{0x1.1bb4a4a1a343fp+0, -0x1.2f9e393af3c9fp-3},
	{0x1.12358f08ae5bap+0, -0x1.960cbbf788d5cp-4},
	{0x1.0953f419900a7p+0, -0x1.a6f9db6475fcep-5},
	{0x1p+0, 0x0p+0},
	{0x1.e608cfd9a47acp-1, 0x1.338ca9f24f53dp-4},
	{0x1.ca4b31f026aap-1, 0x1.476a9543891bap-3},
	{0x1.b2036576afce6p-1, 0x1.e840b4ac4e4d2p-3},
	{0x1.9c2d163a1aa2dp-1, 0x1.40645f0c6651cp-2},
	{0x1.886e6037841edp-1, 0x1.88e9c2c1b9ff8p-2},
	{0x1.767dcf5534862p-1, 0x1.ce0a44eb17bccp-2},
}

// powfLog2Poly approximates log1p(r)/ln 2 (highest degree first).
var powfLog2Poly = [5]float64{
	0x1.27616c9496e0bp-2, -0x1.71969a075c67ap-2, 0x1.ec70a6ca7baddp-2,
	-0x1.7154748bef6c8p-1, 0x1.71547652ab82bp0,
}

// exp2fTable is glibc's __exp2f_data.tab: the bits of 2^(i/32) minus
// i << 47, so that adding k << 47 gives 2^(k/32) for any k.
var exp2fTable = [1 << exp2fTableBits]uint64{
	0x3ff0000000000000, 0x3fefd9b0d3158574, 0x3fefb5586cf9890f, 0x3fef9301d0125b51,
	0x3fef72b83c7d517b, 0x3fef54873168b9aa, 0x3fef387a6e756238, 0x3fef1e9df51fdee1,
	0x3fef06fe0a31b715, 0x3feef1a7373aa9cb, 0x3feedea64c123422, 0x3feece086061892d,
	0x3feebfdad5362a27, 0x3feeb42b569d4f82, 0x3feeab07dd485429, 0x3feea47eb03a5585,
	0x3feea09e667f3bcd, 0x3fee9f75e8ec5f74, 0x3feea11473eb0187, 0x3feea589994cce13,
	0x3feeace5422aa0db, 0x3feeb737b0cdc5e5, 0x3feec49182a3f090, 0x3feed503b23e255d,
	0x3feee89f995ad3ad, 0x3feeff76f2fb5e47, 0x3fef199bdd85529c, 0x3fef3720dcef9069,
	0x3fef5818dcfba487, 0x3fef7c97337b9b5f, 0x3fefa4afa2a490da, 0x3fefd0765b6e4540,
}

// exp2fPoly approximates 2^r - 1 for |r| <= 1/64 (highest degree first).
var exp2fPoly = [3]float64{0x1.c6af84b912394p-5, 0x1.ebfce50fac4f3p-3, 0x1.62e42ff0c52d6p-1}
