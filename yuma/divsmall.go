package yuma

import "math/bits"

// smallMagic[i] = ceil(2^(63+ℓ)/i) and smallShift[i] = ℓ−1 for 2 ≤ i ≤ 31,
// ℓ = ceil(log2 i): Granlund and Montgomery's invariant-divisor constants
// for 63-bit dividends (m·i − 2^(63+ℓ) < i ≤ 2^ℓ, and m < 2^64).
var smallMagic, smallShift = func() (m [32]uint64, s [32]uint) {
	for i := uint64(2); i < 32; i++ {
		l := uint(bits.Len64(i - 1)) // ceil(log2 i)
		// ceil(2^(63+l)/i), l ≥ 1: 2^(63+l) = 2^(l−1)·2^64; the quotient
		// is below 2^64 as i > 2^(l−1).
		q, r := bits.Div64(1<<(l-1), 0, i)
		if r != 0 {
			q++
		}
		m[i], s[i] = q, l-1
	}
	return m, s
}()

// divSmall63 returns t/i for t < 2^63 and 2 ≤ i ≤ 31 by one multiply-high
// and a shift, with no correction step.
func divSmall63(t, i uint64) uint64 {
	hi, _ := bits.Mul64(t, smallMagic[i&31])
	return hi >> smallShift[i&31]
}
