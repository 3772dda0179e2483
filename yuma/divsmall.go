package yuma

// smallRecip[i] = floor((2^64−1)/i) for 2 ≤ i ≤ 31: the reciprocals of the
// divisors of expFixed's series.
var smallRecip = func() (r [32]uint64) {
	for i := 2; i < len(r); i++ {
		r[i] = ^uint64(0) / uint64(i)
	}
	return r
}()

// divSmall returns t/i for 2 ≤ i ≤ 31 by a precomputed reciprocal and one
// correction step (divSmallDividend), which makes expFixed several times
// faster than a hardware divide; the result is plain integer division.
func divSmall(t, i uint64) uint64 {
	return divSmallDividend(t, i, smallRecip[i&31])
}
