package llama

import "math"

// sincosf returns sin(x) and cos(x) bit for bit as glibc 2.36's sincosf
// does on x86-64 with FMA and AVX2 (the __sincosf_fma variant its ifunc
// picks there). ggml fills its rope cache with sincosf, and
// float32(math.Sin(float64(x))) is the correctly rounded value, which
// glibc (worst case 0.56 ulp) misses in the last bit for some angles: the
// rotated queries and keys, and so the logits, would drift from llama.cpp.
//
// The algorithm is Arm's optimized-routines sincosf, which glibc uses:
// reduce x by pi/2 in double (one multiply-subtract below 120, a 4/pi
// fixed-point product above), then evaluate degree-7 sine and degree-8
// cosine polynomials in double. That glibc build compiles with -mfma, so
// GCC contracts every a + b*c into a fused multiply-add; each math.FMA
// below stands for one of those.
func sincosf(x float32) (sin, cos float32) {
	ix := math.Float32bits(x)
	top := ix >> 20 & 0x7ff // exponent and top mantissa bits, sign cleared
	switch {
	case top < 0x398: // |x| < 2^-12
		return x, 1
	case top < 0x3f4: // |x| < 0.75: glibc compares pi/4 by its top 12 bits
		xd := float64(x)
		return sincosPoly(xd, xd*xd, 0, &sincosfTable[0])
	case top < 0x42f: // |x| < 120
		xd, n := reduceFast(float64(x))
		p := &sincosfTable[0]
		if n&2 != 0 {
			p = &sincosfTable[1]
		}
		return sincosPoly(xd*quadrantSign[n&3], xd*xd, n, p)
	case top < 0x7f8: // finite
		xd, n := reduceLarge(ix)
		q := n + int(ix>>31) // the reduction ignored the sign; the signs need it
		p := &sincosfTable[0]
		if q&2 != 0 {
			p = &sincosfTable[1]
		}
		return sincosPoly(xd*quadrantSign[q&3], xd*xd, n, p)
	}
	nan := x - x // NaN for Inf and NaN
	return nan, nan
}

// sincosPoly evaluates the polynomials on the reduced argument x (x2 =
// x*x) and swaps sine and cosine in odd quadrants n.
func sincosPoly(x, x2 float64, n int, p *sincosfPoly) (sin, cos float32) {
	x3, x4 := x2*x, x2*x2
	c2 := math.FMA(x2, p.c4, p.c3)
	s1 := math.FMA(x2, p.s3, p.s2)
	c1 := math.FMA(x2, p.c1, p.c0)
	x5, x6 := x3*x2, x4*x2
	s := math.FMA(x3, p.s1, x)
	c := math.FMA(x4, p.c2, c1)
	sin = float32(math.FMA(x5, s1, s))
	cos = float32(math.FMA(x6, c2, c))
	if n&1 != 0 {
		return cos, sin
	}
	return sin, cos
}

// reduceFast returns x - n*pi/2, between -pi/4 and pi/4, and the quadrant
// n, for |x| < 120. 2/pi is prescaled by 2^24 so that the truncating
// conversion rounds n to nearest.
func reduceFast(x float64) (float64, int) {
	const (
		hpiInv = 0x1.45F306DC9C883p+23 // 2/pi * 2^24
		hpi    = 0x1.921FB54442D18p0   // pi/2
	)
	n := int(int32(x*hpiInv)+0x800000) >> 24
	return math.FMA(-float64(n), hpi, x), n
}

// reduceLarge reduces the float32 with bits ix (|x| >= 120, sign ignored)
// exactly in 2.62 fixed point: the 24-bit mantissa times 96 bits of 4/pi
// chosen by the exponent. It returns the remainder as a double between
// -pi/4 and pi/4 and the quadrant.
func reduceLarge(ix uint32) (float64, int) {
	const pi63 = 0x1.921FB54442D18p-62 // 2pi * 2^-64
	arr := invPio4[ix>>26&15:]
	m := (ix&0xffffff | 0x800000) << (ix >> 23 & 7)
	lo := uint64(m * arr[0]) // only the low 32 bits matter
	mid := uint64(m) * uint64(arr[4])
	hi := uint64(m) * uint64(arr[8])
	r := (hi>>32 | lo<<32) + mid
	n := (r + 1<<61) >> 62
	r -= n << 62
	return float64(int64(r)) * pi63, int(n)
}

// sincosfPoly holds the polynomial coefficients of one sincosfTable row.
type sincosfPoly struct{ c0, c1, c2, c3, c4, s1, s2, s3 float64 }

// sincosfTable is glibc's __sincosf_table: the second row negates the
// cosine polynomial, for quadrants 2 and 3.
var sincosfTable = [2]sincosfPoly{
	{0x1p0, -0x1.ffffffd0c621cp-2, 0x1.55553e1068f19p-5, -0x1.6c087e89a359dp-10, 0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
	{-0x1p0, 0x1.ffffffd0c621cp-2, -0x1.55553e1068f19p-5, 0x1.6c087e89a359dp-10, -0x1.99343027bf8c3p-16,
		-0x1.555545995a603p-3, 0x1.1107605230bc4p-7, -0x1.994eb3774cf24p-13},
}

// quadrantSign is the sign of the sine in quadrants 0..3.
var quadrantSign = [4]float64{1, -1, -1, 1}

// invPio4 is 4/pi to 192 bits; entry i holds bits 8i..8i+31, so any
// 96-bit window starting on a byte is three aligned words i, i+4, i+8.
var invPio4 = [24]uint32{
	0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
	0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
	0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
	0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
	0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
	0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
}
