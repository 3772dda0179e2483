package market

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// TestExp2Table recomputes every entry with math/big: floor(2^(2^-i)·2^126) by repeated square
// roots at 400 bits.
func TestExp2Table(t *testing.T) {
	x := new(big.Float).SetPrec(400).SetInt64(2)
	for i := range expBits {
		x = new(big.Float).SetPrec(400).Sqrt(x)
		want, _ := new(big.Float).SetPrec(400).SetMantExp(x, 126).Int(nil)
		if got := bigOf(u128{exp2Table[i][0], exp2Table[i][1]}); got.Cmp(want) != 0 {
			t.Fatalf("exp2Table[%d] = %x, want %x", i, got, want)
		}
	}
}

func scaledRat(num, den u128) *big.Rat {
	return new(big.Rat).SetFrac(new(big.Int).Mul(bigOf(num), big.NewInt(scale18)), bigOf(den))
}

func floorCeil(r *big.Rat) (*big.Int, *big.Int) {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	c := new(big.Int).Set(q)
	if m.Sign() != 0 {
		c.Add(c, big.NewInt(1))
	}
	return q, c
}

func randRatio(r *rand.Rand) (u128, u128) {
	num := u128of(r.Uint64N(1<<56) + 1)
	den := u128of(r.Uint64N(1<<56) + 1)
	if r.IntN(3) == 0 {
		num, den = randWide(r), randWide(r)
		if num.isZero() {
			num = u128of(1)
		}
		if den.isZero() {
			den = u128of(3)
		}
	}
	return num, den
}

// TestPowExactPaths: exponent 1 and 1/2 are exact floors and ceilings.
func TestPowExactPaths(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 20_000 {
		num, den := randRatio(r)
		x := scaledRat(num, den)
		lo, hi := floorCeil(x)
		if got, err := powScaled(num, den, 7, 7, false); err == nil && bigOf(got).Cmp(lo) != 0 {
			t.Fatalf("(%v/%v)^1 down = %v, want %v", num, den, got, lo)
		}
		if got, err := powScaled(num, den, 7, 7, true); err == nil && bigOf(got).Cmp(hi) != 0 {
			t.Fatalf("(%v/%v)^1 up = %v, want %v", num, den, got, hi)
		}
		// sqrt: s = floor(sqrt(num·10^36/den)) iff s² ≤ z < (s+1)².
		z := new(big.Rat).SetFrac(new(big.Int).Mul(bigOf(num), bigOf(tenPow36)), bigOf(den))
		down, err := powScaled(num, den, 1, 2, false)
		if err != nil {
			continue
		}
		up, _ := powScaled(num, den, 1, 2, true)
		s := bigOf(down)
		s2 := new(big.Rat).SetInt(new(big.Int).Mul(s, s))
		s1 := new(big.Int).Add(s, big.NewInt(1))
		s12 := new(big.Rat).SetInt(new(big.Int).Mul(s1, s1))
		if s2.Cmp(z) > 0 || s12.Cmp(z) <= 0 {
			t.Fatalf("sqrt down(%v/%v) = %v wrong", num, den, s)
		}
		exact := s2.Cmp(z) == 0
		if wantUp := map[bool]*big.Int{true: s, false: s1}[exact]; bigOf(up).Cmp(wantUp) != 0 {
			t.Fatalf("sqrt up(%v/%v) = %v, want %v", num, den, up, wantUp)
		}
	}
}

// TestPowLogExpAccuracy drives the general log/exp path with exponents whose result we can
// compute exactly (1, 1/2, 2, 3 and 99) and checks down ≤ floor(exact), ceil(exact) ≤ up, each
// within one unit (10^-18) plus 2^-95 relative.
func TestPowLogExpAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type ex struct{ en, ed uint64 }
	exps := []ex{{1, 1}, {1, 2}, {2, 1}, {3, 1}, {99, 1}, {2 * scale18, scale18}, {5, 10}}
	checked := 0
	for i := range 14_000 {
		num := u128of(r.Uint64N(1<<55) + 1)
		den := u128of(r.Uint64N(1<<55) + 1)
		e := exps[i%len(exps)]
		if e.en == 99 { // keep the base near 1 so that the power stays in range
			num = u128of(den.lo - den.lo/(r.Uint64N(1000)+100))
		}
		down, errD := powLogExp(num, den, e.en, e.ed, false)
		up, errU := powLogExp(num, den, e.en, e.ed, true)
		if errD != nil || errU != nil {
			continue // beyond 2^128 units: callers treat it as unbounded
		}
		var lo, hi *big.Int
		if 2*e.en == e.ed {
			l, _ := sqrtScaled(num, den, false)
			h, _ := sqrtScaled(num, den, true)
			lo, hi = bigOf(l), bigOf(h)
		} else {
			k := big.NewInt(int64(e.en / e.ed))
			n := new(big.Int).Exp(bigOf(num), k, nil)
			n.Mul(n, big.NewInt(scale18))
			d := new(big.Int).Exp(bigOf(den), k, nil)
			lo, hi = floorCeil(new(big.Rat).SetFrac(n, d))
		}
		d, u := bigOf(down), bigOf(up)
		tolLo := new(big.Int).Add(new(big.Int).Rsh(lo, 95), big.NewInt(1))
		tolHi := new(big.Int).Add(new(big.Int).Rsh(hi, 95), big.NewInt(1))
		if d.Cmp(lo) > 0 || new(big.Int).Sub(lo, d).Cmp(tolLo) > 0 {
			t.Fatalf("(%v/%v)^(%d/%d) down = %v, exact floor %v", num, den, e.en, e.ed, d, lo)
		}
		if u.Cmp(hi) < 0 || new(big.Int).Sub(u, hi).Cmp(tolHi) > 0 {
			t.Fatalf("(%v/%v)^(%d/%d) up = %v, exact ceil %v", num, den, e.en, e.ed, u, hi)
		}
		checked++
	}
	if checked < 10_000 {
		t.Fatalf("only %d cases in range", checked)
	}
}

func TestPowSpecialCases(t *testing.T) {
	one := u128of(scale18)
	for _, c := range []struct {
		name     string
		num, den uint64
		en, ed   uint64
		up       bool
		want     u128
	}{
		{"zero-exponent", 5, 7, 0, 3, false, one},
		{"zero-base", 0, 7, 3, 5, true, u128{}},
		{"one-base", 9, 9, 3, 7, false, one},
		{"one-base-up", 9, 9, 3, 7, true, one},
		{"quarter-sqrt", 1, 4, 1, 2, false, u128of(scale18 / 2)},
		{"tiny-underflow-down", 1, 1 << 60, 99, 1, false, u128{}},
		{"tiny-underflow-up", 1, 1 << 60, 99, 1, true, u128of(1)},
	} {
		got, err := powScaled(u128of(c.num), u128of(c.den), c.en, c.ed, c.up)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := powScaled(u128of(1<<60), u128of(1), 99, 1, false); err == nil {
		t.Errorf("huge power: want ErrOverflow")
	}
}
