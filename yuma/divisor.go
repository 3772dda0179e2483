package yuma

import "math/bits"

// divisor computes div(a, b) (spec/yuma.md §1) for many a and one b, with
// a precomputed reciprocal instead of a hardware divide: the normalizations
// of §3.5, §3.11 and §3.12 divide whole rows or columns by one sum. The
// quotient is the exact trunc(a·2^32/b); only the way to get it differs.
//
// The 2-by-1 division by an invariant word is Möller and Granlund,
// "Improved division by invariant integers" (IEEE TC 2011), algorithm 4.
type divisor struct {
	b     int64
	d     uint64 // |b| << shift, top bit set
	v     uint64 // reciprocal: floor((2^128−1)/d) − 2^64
	shift uint
	m     uint64 // floor((2^64−1)/b) for b ≥ 2: the small-dividend reciprocal
}

func newDivisor(b int64) divisor {
	if b == 0 {
		return divisor{}
	}
	ub := abs64(b)
	s := uint(bits.LeadingZeros64(ub))
	d := ub << s
	v, _ := bits.Div64(^d, ^uint64(0), d)
	var m uint64
	if b >= 2 {
		m = ^uint64(0) / uint64(b)
	}
	return divisor{b: b, d: d, v: v, shift: s, m: m}
}

// div returns div(a, b): 0 when b = 0 or the quotient does not fit.
func (dv *divisor) div(a int64) int64 {
	if uint64(a) < 1<<32 && dv.b > 0 {
		// The normalization case: 0 ≤ a < 2^32, so u = a·2^32 < 2^64,
		// and the quotient fits in int64 whenever b ≥ 2.
		u := uint64(a) << 32
		if dv.m == 0 { // b = 1
			if u > 1<<63-1 {
				return 0
			}
			return int64(u)
		}
		return int64(divSmallDividend(u, uint64(dv.b), dv.m))
	}
	if dv.b == 0 {
		return 0
	}
	neg := (a < 0) != (dv.b < 0)
	ua := abs64(a)
	hi, lo := ua>>32, ua<<32 // |a|·2^32
	if hi >= dv.d>>dv.shift {
		return 0 // quotient ≥ 2^64
	}
	// Normalize the dividend with the divisor; hi < |b| keeps it in 128
	// bits. (A shift by 64 gives 0 in Go, as needed for shift = 0.)
	u1, u0 := hi<<dv.shift|lo>>(64-dv.shift), lo<<dv.shift
	qu := div2by1(u1, u0, dv.d, dv.v)
	if neg {
		if qu > 1<<63 {
			return 0
		}
		return int64(-qu)
	}
	if qu > 1<<63-1 {
		return 0
	}
	return int64(qu)
}

// div2by1 returns floor((u1·2^64 + u0)/d) for normalized d and u1 < d.
func div2by1(u1, u0, d, v uint64) uint64 {
	q1, q0 := bits.Mul64(v, u1)
	q0, c := bits.Add64(q0, u0, 0)
	q1, _ = bits.Add64(q1, u1, c)
	q1++
	r := u0 - q1*d
	if r > q0 {
		q1--
		r += d
	}
	if r >= d {
		q1++
	}
	return q1
}

// divSmallDividend returns floor(u/b) for b ≥ 2 and m = floor((2^64−1)/b).
// The estimate hi(u·m) is floor(u/b) or one less: u·m/2^64 >
// u/b − u/2^64 > u/b − 1, and it is at most u/b. One correction step
// makes it exact.
func divSmallDividend(u, b, m uint64) uint64 {
	q, _ := bits.Mul64(u, m)
	if u-q*b >= b {
		q++
	}
	return q
}
