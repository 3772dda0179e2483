package market

import "math/bits"

// The pool's exponentiation: the role of the chain's `pow_ratio_scaled` (dtao.md §8.3, §8.4),
// whose rounding §12 lists as unverified. tao's rule, chosen here and pinned by tests:
//
//   - powScaled returns (num/den)^(en/ed) · 10^18 as an integer: the power at 10^-18 resolution.
//   - Exponent 1 (equal pool weights in a swap) is exact: floor or ceil of num·10^18/den.
//   - Exponent 1/2 (equal weights in a limit-price bound) is exact: integer square root.
//   - Exponent 0 and base 1 give exactly 10^18; base 0 gives 0.
//   - Any other exponent goes through log2 and exp2 with 120 fractional bits (relative error below
//     2^-110, see powLogExp) and is then pushed by a margin of 2^-100 in the rounding direction
//     before the final floor or ceil, so "down" is never above the true value and "up" never
//     below it.
//
// Swaps and limit bounds both round down, as the chain's pow_ratio_scaled floors the exact root
// (small reduced exponents, such as 1 with equal weights) or a 1024-bit approximation; rounding
// up is kept for callers that need a bound from above.

// scale18 is the resolution of powScaled: 10^18.
const scale18 = 1_000_000_000_000_000_000

// powFrac is the number of fractional bits of the logarithms and exponents in powLogExp.
const powFrac = 120

// powScaled returns (num/den)^(en/ed)·10^18 rounded down, or up if up is set.
// den = 0 or ed = 0 gives ErrDivisionByZero; a result ≥ 2^128 gives ErrOverflow.
func powScaled(num, den u128, en, ed uint64, up bool) (u128, error) {
	switch {
	case den.isZero() || ed == 0:
		return u128{}, ErrDivisionByZero
	case en == 0:
		return u128of(scale18), nil
	case num.isZero():
		return u128{}, nil
	case num == den:
		return u128of(scale18), nil
	case en == ed:
		return ratioScaled(num, den, up)
	case en < 1<<63 && 2*en == ed:
		return sqrtScaled(num, den, up)
	}
	return powLogExp(num, den, en, ed, up)
}

// ratioScaled returns num·10^18/den rounded down or up.
func ratioScaled(num, den u128, up bool) (u128, error) {
	q, r := divmod(mulFull(num, u128of(scale18)), den)
	out, ok := q.to128()
	if !ok {
		return u128{}, ErrOverflow
	}
	if up && !r.isZero() {
		var c bool
		if out, c = out.add(u128of(1)); c {
			return u128{}, ErrOverflow
		}
	}
	return out, nil
}

// tenPow36 is 10^36 = (10^18)^2.
var tenPow36 = u128{0x00c097ce7bc90715, 0xb34b9f1000000000}

// sqrtScaled returns sqrt(num/den)·10^18 = sqrt(num·10^36/den) rounded down or up.
func sqrtScaled(num, den u128, up bool) (u128, error) {
	z, r := divmod(mulFull(num, tenPow36), den)
	if z[3]>>62 != 0 { // z ≥ 2^254: the root would not leave room for Newton's step below
		return u128{}, ErrOverflow
	}
	s := isqrt256(z)
	if up {
		sq := mulFull(s, s)
		if !r.isZero() || sq != z {
			var c bool
			if s, c = s.add(u128of(1)); c {
				return u128{}, ErrOverflow
			}
		}
	}
	return s, nil
}

// isqrt256 returns floor(sqrt(z)) for z < 2^254 by Newton's iteration from above.
func isqrt256(z u256) u128 {
	if z.isZero() {
		return u128{}
	}
	n := 0
	for i := 3; i >= 0; i-- {
		if z[i] != 0 {
			n = 64*i + bits.Len64(z[i])
			break
		}
	}
	x := u128of(1).shl(uint((n + 1) / 2)) // ≥ sqrt(z), < 2^128
	for {
		q, _ := divmod(z, x) // ≤ sqrt(z) ≤ x while x ≥ sqrt(z)
		q128, _ := q.to128()
		s, c := x.add(q128)
		y := s.shr(1)
		if c {
			y.hi |= 1 << 63
		}
		if y.cmp(x) >= 0 {
			return x
		}
		x = y
	}
}

// mulQ126 returns floor(a·b / 2^126) for a, b < 2^127 (Q2.126 numbers in [0, 2)·…).
func mulQ126(a, b u128) u128 {
	p := mulFull(a, b)
	return u128{hi: p[2]>>62 | p[3]<<2, lo: p[1]>>62 | p[2]<<2}
}

// oneQ126 is 1 in Q2.126.
var oneQ126 = u128{hi: 1 << 62}

// powLogExp computes (num/den)^(en/ed)·10^18 as 2^(t) with t = log2(num/den)·en/ed.
//
// Error: the mantissa ratio is truncated once (2^-126 relative); each of the 120 squarings of the
// bit-by-bit log2 truncates at 2^-126 and a truncation before squaring j moves log2 by at most
// 2^-126/ln2 (the squaring doubles the error but also halves its weight), so |Δlog2| < 2^-118;
// times en/ed ≤ 99 (pool weights in [0.01, 0.99]) and the final truncation of t: |Δt| < 2^-111.
// exp2 multiplies at most 120 table entries, each floored, with floored products: relative error
// < 2^-118. Total relative error < 2^-110, well inside the 2^-100 margin.
func powLogExp(num, den u128, en, ed uint64, up bool) (u128, error) {
	neg, mag := log2Ratio(num, den)
	// t = mag·en/ed, truncated toward zero.
	q, _ := divmod(mulFull(mag, u128of(en)), u128of(ed))
	t, ok := q.to128()
	const limit = 200 // 2^200 overflows any result; 2^-200·10^18 is 0
	if !ok || t.shr(powFrac).cmp(u128of(limit)) >= 0 {
		if neg {
			if up {
				return u128of(1), nil
			}
			return u128{}, nil
		}
		return u128{}, ErrOverflow
	}
	n := int(t.shr(powFrac).lo)
	phi := u128{hi: t.hi & (1<<(powFrac-64) - 1), lo: t.lo}
	if neg {
		n = -n
		if !phi.isZero() {
			n--
			phi, _ = u128of(1).shl(powFrac).sub(phi)
		}
	}
	r := exp2Frac(phi)
	// value·10^18 = r·10^18 · 2^n / 2^126.
	p := mulFull(r, u128of(scale18))
	shift := 126 - n
	if shift <= 0 {
		return u128{}, ErrOverflow
	}
	// Margin of 2^-100 relative (plus one unit of p) in the rounding direction.
	m, _ := p.shr(100)
	var c uint64
	if up {
		p[0], c = bits.Add64(p[0], m[0], 0)
		p[1], c = bits.Add64(p[1], m[1], c)
		p[2], c = bits.Add64(p[2], m[2], c)
		p[3] += c
		p[0], c = bits.Add64(p[0], 1, 0)
		p[1], c = bits.Add64(p[1], 0, c)
		p[2], c = bits.Add64(p[2], 0, c)
		p[3] += c
	} else {
		p[0], c = bits.Sub64(p[0], m[0], 0)
		p[1], c = bits.Sub64(p[1], m[1], c)
		p[2], c = bits.Sub64(p[2], m[2], c)
		p[3] -= c
		p[0], c = bits.Sub64(p[0], 1, 0)
		p[1], c = bits.Sub64(p[1], 0, c)
		p[2], c = bits.Sub64(p[2], 0, c)
		p[3] -= c
	}
	v, lost := p.shr(uint(shift))
	out, ok := v.to128()
	if !ok {
		return u128{}, ErrOverflow
	}
	if up && lost {
		var c bool
		if out, c = out.add(u128of(1)); c {
			return u128{}, ErrOverflow
		}
	}
	return out, nil
}

// log2Ratio returns |log2(num/den)| with powFrac fractional bits and whether the log is negative.
// num and den must be non-zero.
func log2Ratio(num, den u128) (neg bool, mag u128) {
	ln, ld := num.bitLen(), den.bitLen()
	nn, dn := num.shl(uint(128-ln)), den.shl(uint(128-ld))
	k := ln - ld
	var m u256
	if nn.cmp(dn) >= 0 {
		m, _ = divmod(shl256(nn, 126), dn) // nn/dn in [1, 2)
	} else {
		m, _ = divmod(shl256(nn, 127), dn) // 2·nn/dn in (1, 2)
		k--
	}
	x, _ := m.to128()
	var f u128 // fractional bits of log2(x/2^126), MSB first
	two := u128{hi: 1 << 63}
	for range powFrac {
		x = mulQ126(x, x)
		f = f.shl(1)
		if x.cmp(two) >= 0 {
			x = x.shr(1)
			f.lo |= 1
		}
	}
	if k >= 0 {
		return false, u128of(uint64(k)).shl(powFrac).add1(f)
	}
	d, _ := u128of(uint64(-k)).shl(powFrac).sub(f)
	return true, d
}

// add1 returns a+b where the caller knows it cannot overflow.
func (a u128) add1(b u128) u128 { s, _ := a.add(b); return s }

// exp2Frac returns 2^(phi/2^powFrac) in Q2.126 for phi < 2^powFrac.
func exp2Frac(phi u128) u128 {
	r := oneQ126
	for j := powFrac - 1; j >= 0; j-- {
		var set bool
		if j >= 64 {
			set = phi.hi>>(j-64)&1 != 0
		} else {
			set = phi.lo>>j&1 != 0
		}
		if set {
			e := exp2Table[powFrac-1-j]
			r = mulQ126(r, u128{e[0], e[1]})
		}
	}
	return r
}
