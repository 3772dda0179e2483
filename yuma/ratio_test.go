package yuma

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// fixedRatioLong is floor(f·2^32/d) for 0 ≤ f ≤ d, d ≥ 2^64 by long
// division, one quotient bit at a time: the obviously correct version.
func fixedRatioLong(f, d u128) int64 {
	var qu int64
	rem := f
	if !rem.less(d) {
		rem, qu = rem.sub(d), 1
	}
	for range 32 {
		hi := rem.hi >> 63
		rem, qu = rem.shl1(), qu<<1
		if hi != 0 || !rem.less(d) { // rem ≥ 2^128 is ≥ d
			rem, qu = rem.sub(d), qu|1
		}
	}
	return qu
}

// ceilQD returns ceil(q·d/2^32) for q ≤ 2^32, a value in [0, d].
func ceilQD(q uint64, d u128) u128 {
	x := new(big.Int).Lsh(new(big.Int).SetUint64(d.hi), 64)
	x.Or(x, new(big.Int).SetUint64(d.lo))
	x.Mul(x, new(big.Int).SetUint64(q))
	x.Add(x, big.NewInt(1<<32-1))
	x.Rsh(x, 32)
	lo := new(big.Int).And(x, new(big.Int).SetUint64(^uint64(0))).Uint64()
	return u128{x.Rsh(x, 64).Uint64(), lo}
}

// TestFixedRatioWide checks the estimate-and-correct division against long
// division, for divisors of every width from 65 to 128 bits.
func TestFixedRatioWide(t *testing.T) {
	r := rand.New(rand.NewPCG(81, 83))
	check := func(f, d u128) {
		if got, want := fixedRatioWide(f, d), fixedRatioLong(f, d); got != want {
			t.Fatalf("fixedRatioWide(%v, %v) = %d, want %d", f, d, got, want)
		}
	}
	for range 200000 {
		d := u128{r.Uint64() >> r.UintN(64), r.Uint64()}
		if d.hi == 0 {
			d.hi = 1
		}
		var f u128
		switch r.IntN(6) {
		case 0:
			f = d
		case 5: // f = ceil(q·d/2^32), the least f of quotient q: there the
			// estimate from the truncated operands is often one below.
			f = ceilQD(r.Uint64N(1<<32+1), d)
		case 1:
			f = d.sub(u128{0, 1})
		case 2:
			f = u128{0, r.Uint64() >> r.UintN(64)}
		default: // f = d·x/2^s for random x, s, below d
			s := r.UintN(64)
			f = u128{d.hi >> s, d.lo>>s | d.hi<<(64-s)}
			if s == 0 {
				f = d
			}
			f = f.sub(u128{0, min(f.lo, r.Uint64N(1<<20))})
		}
		check(f, d)
	}
	check(u128{}, u128{1, 0})
	check(u128{1, 0}, u128{1, 0})
	check(u128{^uint64(0), ^uint64(0)}, u128{^uint64(0), ^uint64(0)})
	check(u128{^uint64(0), ^uint64(0) - 1}, u128{^uint64(0), ^uint64(0)})
}
