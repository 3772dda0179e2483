package market

import "fmt"

// Fixed-point types of dtao.md §1. Both are unsigned 128-bit values; they differ in the number of
// fractional bits f. Multiplication truncates (floor(a·b/2^f) on the bits), division truncates
// (floor(a·2^f/b)), conversion to an integer floors. Every operation that can overflow returns
// ErrOverflow; a division by zero returns ErrDivisionByZero, and each rule applies the fallback
// it names (usually 0) before dividing. The zero value is 0. Values are immutable and safe for
// concurrent use.

// mulFix returns floor(a·b / 2^f).
func mulFix(a, b u128, f uint) (u128, error) {
	p, _ := mulFull(a, b).shr(f)
	out, ok := p.to128()
	if !ok {
		return u128{}, ErrOverflow
	}
	return out, nil
}

// divFix returns floor(a·2^f / b).
func divFix(a, b u128, f uint) (u128, error) {
	if b.isZero() {
		return u128{}, ErrDivisionByZero
	}
	q, _ := divmod(shl256(a, f), b)
	out, ok := q.to128()
	if !ok {
		return u128{}, ErrOverflow
	}
	return out, nil
}

func addFix(a, b u128) (u128, error) {
	s, c := a.add(b)
	if c {
		return u128{}, ErrOverflow
	}
	return s, nil
}

func subFix(a, b u128) (u128, error) {
	d, borrow := a.sub(b)
	if borrow {
		return u128{}, ErrOverflow
	}
	return d, nil
}

// floorFix returns floor(a / 2^f) as a uint64.
func floorFix(a u128, f uint) (uint64, error) {
	v := a.shr(f)
	if !v.fits64() {
		return 0, ErrOverflow
	}
	return v.lo, nil
}

// U96F32 is the chain's U96F32: bits/2^32 with 96 integer bits (dtao.md §1). Amounts in the
// coinbase (§5, §6, §7) are U96F32.
type U96F32 struct{ b u128 }

const fracU96F32 = 32

// U96F32FromBits returns the U96F32 whose bits are hi·2^64 + lo.
func U96F32FromBits(hi, lo uint64) U96F32 { return U96F32{u128{hi, lo}} }

// U96F32FromRao returns r as a U96F32 (exact).
func U96F32FromRao(r Rao) U96F32 { return U96F32{u128of(uint64(r)).shl(fracU96F32)} }

// U96F32FromInt returns v as a U96F32 (exact).
func U96F32FromInt(v uint64) U96F32 { return U96F32{u128of(v).shl(fracU96F32)} }

// U96F32FromRatio returns num/den, truncated.
func U96F32FromRatio(num, den uint64) (U96F32, error) {
	return U96F32FromInt(num).Div(U96F32FromInt(den))
}

// Bits returns the raw bits of a as hi·2^64 + lo.
func (a U96F32) Bits() (hi, lo uint64) { return a.b.hi, a.b.lo }

// IsZero reports whether a = 0.
func (a U96F32) IsZero() bool { return a.b.isZero() }

// Cmp returns −1, 0 or 1 as a is less than, equal to or greater than b.
func (a U96F32) Cmp(b U96F32) int { return a.b.cmp(b.b) }

// Add returns a+b.
func (a U96F32) Add(b U96F32) (U96F32, error) { s, err := addFix(a.b, b.b); return U96F32{s}, err }

// Sub returns a−b; ErrOverflow if b > a.
func (a U96F32) Sub(b U96F32) (U96F32, error) { d, err := subFix(a.b, b.b); return U96F32{d}, err }

// SatSub returns a−b, or 0 if b > a.
func (a U96F32) SatSub(b U96F32) U96F32 {
	d, borrow := a.b.sub(b.b)
	if borrow {
		return U96F32{}
	}
	return U96F32{d}
}

// Mul returns a·b, truncated.
func (a U96F32) Mul(b U96F32) (U96F32, error) {
	p, err := mulFix(a.b, b.b, fracU96F32)
	return U96F32{p}, err
}

// Div returns a/b, truncated.
func (a U96F32) Div(b U96F32) (U96F32, error) {
	q, err := divFix(a.b, b.b, fracU96F32)
	return U96F32{q}, err
}

// Floor returns floor(a) as rao (the chain's tou64).
func (a U96F32) Floor() (Rao, error) { v, err := floorFix(a.b, fracU96F32); return Rao(v), err }

// U64F64 returns a as a U64F64 (exact); ErrOverflow if a ≥ 2^64.
func (a U96F32) U64F64() (U64F64, error) {
	if a.b.hi>>32 != 0 {
		return U64F64{}, ErrOverflow
	}
	return U64F64{a.b.shl(64 - fracU96F32)}, nil
}

// String formats a as integer part and bits, e.g. "3+2147483648/2^32".
func (a U96F32) String() string {
	return fmt.Sprintf("%v+%d/2^32", a.b.shr(fracU96F32), a.b.lo&(1<<fracU96F32-1))
}

// U64F64 is the chain's U64F64: bits/2^64 with 64 integer bits (dtao.md §1). Prices and shares
// (§4, §8) are U64F64.
type U64F64 struct{ b u128 }

const fracU64F64 = 64

// U64F64One returns 1.
func U64F64One() U64F64 { return U64F64{u128{hi: 1}} }

// U64F64FromBits returns the U64F64 whose bits are hi·2^64 + lo.
func U64F64FromBits(hi, lo uint64) U64F64 { return U64F64{u128{hi, lo}} }

// U64F64FromInt returns v as a U64F64 (exact).
func U64F64FromInt(v uint64) U64F64 { return U64F64{u128{hi: v}} }

// U64F64FromRatio returns num/den, truncated; ErrDivisionByZero if den = 0, ErrOverflow if the
// quotient is ≥ 2^64.
func U64F64FromRatio(num, den uint64) (U64F64, error) {
	return U64F64FromInt(num).Div(U64F64FromInt(den))
}

// Bits returns the raw bits of a as hi·2^64 + lo.
func (a U64F64) Bits() (hi, lo uint64) { return a.b.hi, a.b.lo }

// IsZero reports whether a = 0.
func (a U64F64) IsZero() bool { return a.b.isZero() }

// Cmp returns −1, 0 or 1 as a is less than, equal to or greater than b.
func (a U64F64) Cmp(b U64F64) int { return a.b.cmp(b.b) }

// Min returns the smaller of a and b.
func (a U64F64) Min(b U64F64) U64F64 {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Add returns a+b.
func (a U64F64) Add(b U64F64) (U64F64, error) { s, err := addFix(a.b, b.b); return U64F64{s}, err }

// Sub returns a−b; ErrOverflow if b > a.
func (a U64F64) Sub(b U64F64) (U64F64, error) { d, err := subFix(a.b, b.b); return U64F64{d}, err }

// SatSub returns a−b, or 0 if b > a.
func (a U64F64) SatSub(b U64F64) U64F64 {
	d, borrow := a.b.sub(b.b)
	if borrow {
		return U64F64{}
	}
	return U64F64{d}
}

// Mul returns a·b, truncated.
func (a U64F64) Mul(b U64F64) (U64F64, error) {
	p, err := mulFix(a.b, b.b, fracU64F64)
	return U64F64{p}, err
}

// Div returns a/b, truncated.
func (a U64F64) Div(b U64F64) (U64F64, error) {
	q, err := divFix(a.b, b.b, fracU64F64)
	return U64F64{q}, err
}

// Floor returns floor(a) (never overflows: the integer part has 64 bits).
func (a U64F64) Floor() uint64 { return a.b.hi }

// MulRao returns floor(a·r) as rao.
func (a U64F64) MulRao(r Rao) (Rao, error) {
	p, err := mulFix(a.b, u128of(uint64(r)), fracU64F64)
	if err != nil {
		return 0, err
	}
	if !p.fits64() {
		return 0, ErrOverflow
	}
	return Rao(p.lo), nil
}

// U96F32 returns a as a U96F32, truncating the 32 lowest fractional bits.
func (a U64F64) U96F32() U96F32 { return U96F32{a.b.shr(64 - fracU96F32)} }

// String formats a as integer part and bits, e.g. "0+4611686018427387904/2^64".
func (a U64F64) String() string { return fmt.Sprintf("%d+%d/2^64", a.b.hi, a.b.lo) }
