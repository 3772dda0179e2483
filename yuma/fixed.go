package yuma

import (
	"errors"
	"math"
	"math/bits"
)

// Q32 arithmetic (spec/yuma.md §1). A Q32 value is the int64 bit pattern of
// the chain's I32F32: bits a mean a/2^32. The helpers below are the exact
// rules of the §1 table; 128-bit intermediates come from math/bits.

const (
	one  int64 = 1 << 32 // ONE = q(1)
	half int64 = 1 << 31 // HALF

	fracMask = one - 1
)

// ErrOverflow is returned by the checked fixed-point operations when a result
// does not fit in int64 bits (spec §3.12.3: exp's operations are checked).
var ErrOverflow = errors.New("yuma: fixed-point overflow")

// ErrDivByZero is returned by the checked division when the divisor is zero.
var ErrDivByZero = errors.New("yuma: fixed-point division by zero")

// q returns the Q32 of the integer k (§1 notation q(k)), saturating.
func q(k int64) int64 {
	if k > math.MaxInt64>>32 {
		return math.MaxInt64
	}
	if k < math.MinInt64>>32 {
		return math.MinInt64
	}
	return k << 32
}

// add is the saturating sum a+b (§1 add).
func add(a, b int64) int64 {
	s, ok := addChecked(a, b)
	if ok {
		return s
	}
	if b > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}

// sub is the saturating difference a−b (§1 sub).
func sub(a, b int64) int64 {
	d := a - b
	if (b > 0 && d > a) || (b < 0 && d < a) {
		if b > 0 {
			return math.MinInt64
		}
		return math.MaxInt64
	}
	return d
}

func addChecked(a, b int64) (int64, bool) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, false
	}
	return s, true
}

// mulFloor returns floor(a·b/2^32) computed on the 128-bit product (an
// arithmetic shift, so negative products floor toward −∞) and whether it fits
// in int64.
func mulFloor(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// Signed correction of the unsigned high word.
	if a < 0 {
		hi -= uint64(b)
	}
	if b < 0 {
		hi -= uint64(a)
	}
	// The shifted value is hi·2^32 + lo>>32; it fits iff hi is in [−2^31, 2^31).
	if h := int64(hi) >> 31; h != 0 && h != -1 {
		return 0, false
	}
	return int64(hi<<32 | lo>>32), true
}

// mul is the saturating product (§1 mul).
func mul(a, b int64) int64 {
	p, ok := mulFloor(a, b)
	if ok {
		return p
	}
	if (a < 0) != (b < 0) {
		return math.MinInt64
	}
	return math.MaxInt64
}

// divTrunc returns trunc(a·2^32/b) for b ≠ 0 and whether it fits in int64.
func divTrunc(a, b int64) (int64, bool) {
	neg := (a < 0) != (b < 0)
	ua, ub := abs64(a), abs64(b)
	var qu uint64
	if ua < 1<<32 {
		qu = (ua << 32) / ub
	} else {
		hi, lo := ua>>32, ua<<32
		if hi >= ub {
			return 0, false // quotient ≥ 2^64
		}
		qu, _ = bits.Div64(hi, lo, ub)
	}
	if neg {
		if qu > 1<<63 {
			return 0, false
		}
		return int64(-qu), true
	}
	if qu > math.MaxInt64 {
		return 0, false
	}
	return int64(qu), true
}

func abs64(a int64) uint64 {
	if a < 0 {
		return uint64(-a) // also right for MinInt64: 2^63
	}
	return uint64(a)
}

// div is the chain's safe_div (§1 div): 0 when b = 0 or when the quotient
// does not fit.
func div(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	r, ok := divTrunc(a, b)
	if !ok {
		return 0
	}
	return r
}

// sdiv is saturating_div (§1 sdiv): like div but clamps the quotient. The
// spec never divides by zero with it; 0 is returned then.
func sdiv(a, b int64) int64 {
	if b == 0 {
		return 0
	}
	r, ok := divTrunc(a, b)
	if ok {
		return r
	}
	if (a < 0) != (b < 0) {
		return math.MinInt64
	}
	return math.MaxInt64
}

// toU16 is floor(a/2^32) clamped to [0, 65535] (§1 to_u16).
func toU16(a int64) uint16 {
	v := a >> 32
	if v < 0 {
		return 0
	}
	if v > math.MaxUint16 {
		return math.MaxUint16
	}
	return uint16(v)
}

// prop is fixed_proportion_to_u16 (§1 prop): to_u16(mul(a, q(65535))).
func prop(a int64) uint16 {
	if uint64(a) <= 1<<32 { // 0 ≤ a ≤ ONE: mul is a·65535, below 2^48
		return uint16(uint64(a) * 65535 >> 32)
	}
	return toU16(mul(a, 65535<<32))
}

// mulFast is mul for the common case of two factors in [0, ONE): then the
// product is below 2^64 and floor(a·b/2^32) needs no 128-bit arithmetic
// or overflow checks. Other factors take mul.
func mulFast(a, b int64) int64 {
	if uint64(a)|uint64(b) < 1<<32 {
		return int64(uint64(a) * uint64(b) >> 32)
	}
	return mul(a, b)
}

// frac is u16_proportion_to_fixed (§1 frac): floor(v·2^32/65535).
func frac(v uint16) int64 { return int64(uint64(v) << 32 / 65535) }

// round rounds to the nearest multiple of ONE, ties away from zero (§1 round),
// saturating.
func round(a int64) int64 {
	if a >= 0 {
		if a > math.MaxInt64-half {
			return math.MaxInt64 &^ fracMask
		}
		return (a + half) &^ fracMask
	}
	if a == math.MinInt64 {
		return a
	}
	m := -a
	if m > math.MaxInt64-half {
		return math.MinInt64
	}
	return -((m + half) &^ fracMask)
}

// rao is floor(x·E/2^32) clamped to [0, 2^64−1] (§1 rao).
func rao(x int64, e uint64) uint64 {
	if x <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(x), e)
	if hi >= 1<<32 {
		return math.MaxUint64
	}
	return hi<<32 | lo>>32
}

// sum is Σ v in index order, saturating (§1 Σ; saturation never happens
// within the §9 limits).
func sum(v []int64) int64 {
	var s int64
	for _, x := range v {
		s = add(s, x)
	}
	return s
}

// normalize is inplace_normalize (§1 normalize): v_i ← div(v_i, Σ v) unless
// the sum is 0.
func normalize(v []int64) {
	s := sum(v)
	if s == 0 {
		return
	}
	dv := newDivisor(s)
	for i, x := range v {
		v[i] = dv.div(x)
	}
}
