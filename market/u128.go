package market

import (
	"fmt"
	"math/bits"
)

// u128 is an unsigned 128-bit integer. It holds the bits of U96F32 and U64F64 values and the
// wide intermediates of the pool math (dtao.md §1: "intermediate values stay fixed point").
type u128 struct{ hi, lo uint64 }

func u128of(v uint64) u128 { return u128{lo: v} }

func (a u128) isZero() bool { return a.hi|a.lo == 0 }

// fits64 reports whether a < 2^64.
func (a u128) fits64() bool { return a.hi == 0 }

func (a u128) cmp(b u128) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// add returns a+b and whether it overflowed 128 bits.
func (a u128) add(b u128) (u128, bool) {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	hi, c := bits.Add64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

// sub returns a−b and whether it borrowed (a < b).
func (a u128) sub(b u128) (u128, bool) {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	hi, c := bits.Sub64(a.hi, b.hi, c)
	return u128{hi, lo}, c != 0
}

func (a u128) shl(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{hi: a.lo << (n - 64)}
	}
	return u128{hi: a.hi<<n | a.lo>>(64-n), lo: a.lo << n}
}

func (a u128) shr(n uint) u128 {
	switch {
	case n == 0:
		return a
	case n >= 128:
		return u128{}
	case n >= 64:
		return u128{lo: a.hi >> (n - 64)}
	}
	return u128{hi: a.hi >> n, lo: a.lo>>n | a.hi<<(64-n)}
}

func (a u128) bitLen() int {
	if a.hi != 0 {
		return 64 + bits.Len64(a.hi)
	}
	return bits.Len64(a.lo)
}

// u256 is an unsigned 256-bit integer, little-endian 64-bit words: the full product of two u128.
type u256 [4]uint64

func (r u256) to128() (u128, bool) { return u128{r[1], r[0]}, r[2]|r[3] == 0 }

func (r u256) isZero() bool { return r[0]|r[1]|r[2]|r[3] == 0 }

// addAt adds the 128-bit value (h, l) at word i, propagating the carry upward.
func (r *u256) addAt(i int, h, l uint64) {
	var c uint64
	r[i], c = bits.Add64(r[i], l, 0)
	r[i+1], c = bits.Add64(r[i+1], h, c)
	for j := i + 2; c != 0 && j < 4; j++ {
		r[j], c = bits.Add64(r[j], 0, c)
	}
}

// mulFull returns the exact 256-bit product a·b.
func mulFull(a, b u128) u256 {
	var r u256
	h, l := bits.Mul64(a.lo, b.lo)
	r[0], r[1] = l, h
	if a.hi == 0 && b.hi == 0 {
		return r
	}
	h, l = bits.Mul64(a.lo, b.hi)
	r.addAt(1, h, l)
	h, l = bits.Mul64(a.hi, b.lo)
	r.addAt(1, h, l)
	h, l = bits.Mul64(a.hi, b.hi)
	r.addAt(2, h, l)
	return r
}

// shr returns r >> n and whether any 1 bit was shifted out.
func (r u256) shr(n uint) (u256, bool) {
	if n >= 256 {
		return u256{}, !r.isZero()
	}
	w, s := int(n/64), n%64
	var out u256
	lost := false
	for i := range w {
		lost = lost || r[i] != 0
	}
	if s != 0 && r[w]<<(64-s) != 0 {
		lost = true
	}
	for i := 0; i+w < 4; i++ {
		v := r[i+w] >> s
		if s != 0 && i+w+1 < 4 {
			v |= r[i+w+1] << (64 - s)
		}
		out[i] = v
	}
	return out, lost
}

// shl256 returns a << n as a u256 (n < 128, so nothing is lost).
func shl256(a u128, n uint) u256 {
	r := u256{a.lo, a.hi}
	w, s := int(n/64), n%64
	var out u256
	for i := 3; i >= w; i-- {
		v := r[i-w] << s
		if s != 0 && i-w-1 >= 0 {
			v |= r[i-w-1] >> (64 - s)
		}
		out[i] = v
	}
	return out
}

// divmod returns n / d and n mod d. d must not be zero (callers check: a checked division by zero
// takes the fallback its rule names, dtao.md §1).
func divmod(n u256, d u128) (u256, u128) {
	if d.hi == 0 {
		var q u256
		var r uint64
		for i := 3; i >= 0; i-- {
			q[i], r = bits.Div64(r, n[i], d.lo)
		}
		return q, u128of(r)
	}
	return divmodKnuth(n, d)
}

// divmodKnuth is Knuth's algorithm D (TAOCP vol. 2, 4.3.1) for a two-word divisor (d.hi ≠ 0).
func divmodKnuth(n u256, d u128) (u256, u128) {
	s := uint(bits.LeadingZeros64(d.hi))
	dn := d.shl(s)
	// un is n << s in five words.
	var un [5]uint64
	if s != 0 {
		un[4] = n[3] >> (64 - s)
	}
	for i := 3; i >= 0; i-- {
		v := n[i] << s
		if s != 0 && i > 0 {
			v |= n[i-1] >> (64 - s)
		}
		un[i] = v
	}
	var q u256
	for j := 2; j >= 0; j-- {
		// Estimate qhat from the top two words over dn.hi.
		var qhat, rhat uint64
		big := false // rhat ≥ 2^64: the correction test below cannot fire
		if un[j+2] >= dn.hi {
			qhat = ^uint64(0)
			var c uint64
			rhat, c = bits.Add64(un[j+1], dn.hi, 0)
			big = c != 0
		} else {
			qhat, rhat = bits.Div64(un[j+2], un[j+1], dn.hi)
		}
		for !big {
			ph, pl := bits.Mul64(qhat, dn.lo)
			if ph < rhat || (ph == rhat && pl <= un[j]) {
				break
			}
			qhat--
			var c uint64
			rhat, c = bits.Add64(rhat, dn.hi, 0)
			big = c != 0
		}
		// Multiply and subtract qhat·dn from un[j..j+2].
		p1h, p1l := bits.Mul64(qhat, dn.lo)
		p2h, p2l := bits.Mul64(qhat, dn.hi)
		mid, c := bits.Add64(p1h, p2l, 0)
		top := p2h + c
		var b uint64
		un[j], b = bits.Sub64(un[j], p1l, 0)
		un[j+1], b = bits.Sub64(un[j+1], mid, b)
		un[j+2], b = bits.Sub64(un[j+2], top, b)
		if b != 0 {
			// qhat was one too large: add dn back.
			qhat--
			un[j], c = bits.Add64(un[j], dn.lo, 0)
			un[j+1], c = bits.Add64(un[j+1], dn.hi, c)
			un[j+2] += c
		}
		q[j] = qhat
	}
	// The remainder is below dn, so it lies in un[0..1]; undo the normalization.
	return q, u128{un[1], un[0]}.shr(s)
}

// String formats a in decimal below 2^64 and in hex above, for debugging.
func (a u128) String() string {
	if a.hi == 0 {
		return fmt.Sprintf("%d", a.lo)
	}
	return fmt.Sprintf("0x%x%016x", a.hi, a.lo)
}
