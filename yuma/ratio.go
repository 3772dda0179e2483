package yuma

import "math/bits"

// fixedRatioWide is fixedRatio for d ≥ 2^64: floor(f·2^32/d), 0 ≤ f ≤ d.
//
// With k = bitlen(d) − 64, D = floor(d/2^k) ≥ 2^63 and F = floor(f/2^k),
// f·2^32/d lies within 2^32/D ≤ 2^−31 of F·2^32/D, so the quotient is
// q̂ = floor(F·2^32/D) (one 128-by-64 divide) or one off it; the largest
// of q̂+1, q̂, q̂−1 with q·d ≤ f·2^32 (compared in 192 bits) is exact.
func fixedRatioWide(f, d u128) int64 {
	k := uint(bits.Len64(d.hi)) // 1…64
	D := d.lo>>k | d.hi<<(64-k)
	F := f.lo>>k | f.hi<<(64-k) // ≤ D, so F>>32 < D
	qh, _ := bits.Div64(F>>32, F<<32, D)
	n2, n1, n0 := f.hi>>32, f.hi<<32|f.lo>>32, f.lo<<32 // f·2^32
	q := qh + 1
	for q > 0 {
		h1, l1 := bits.Mul64(q, d.lo)
		h2, l2 := bits.Mul64(q, d.hi)
		m1, c := bits.Add64(l2, h1, 0)
		m2 := h2 + c // q·d = m2:m1:l1 (q ≤ 2^32+1, d < 2^128)
		if m2 < n2 || (m2 == n2 && (m1 < n1 || (m1 == n1 && l1 <= n0))) {
			break
		}
		q--
	}
	return int64(q)
}
