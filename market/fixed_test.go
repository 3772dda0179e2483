package market

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

func bigOf(a u128) *big.Int {
	v := new(big.Int).SetUint64(a.hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(a.lo))
}

func big256(r u256) *big.Int {
	v := new(big.Int)
	for i := 3; i >= 0; i-- {
		v.Lsh(v, 64)
		v.Or(v, new(big.Int).SetUint64(r[i]))
	}
	return v
}

// randWide returns a value with a random bit length, so that small, large and boundary
// magnitudes (all-ones words, single bits) all occur.
func randWide(r *rand.Rand) u128 {
	switch r.IntN(6) {
	case 0:
		return u128{^uint64(0), ^uint64(0) << r.UintN(64)}
	case 1:
		return u128of(1).shl(uint(r.IntN(128)))
	}
	v := u128{r.Uint64(), r.Uint64()}
	return v.shr(uint(r.IntN(128)))
}

func TestDivmodAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 200_000 {
		a, b := randWide(r), randWide(r)
		if b.isZero() {
			continue
		}
		n := mulFull(a, randWide(r))
		if i%3 == 0 {
			n = shl256(a, uint(r.IntN(128)))
		}
		q, rem := divmod(n, b)
		wq, wr := new(big.Int).QuoRem(big256(n), bigOf(b), new(big.Int))
		if big256(q).Cmp(wq) != 0 || bigOf(rem).Cmp(wr) != 0 {
			t.Fatalf("divmod(%v, %v) = %v, %v; want %v, %v", big256(n), bigOf(b), big256(q), bigOf(rem), wq, wr)
		}
	}
}

func TestMulFullAndShiftsAgainstBig(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		a, b := randWide(r), randWide(r)
		want := new(big.Int).Mul(bigOf(a), bigOf(b))
		p := mulFull(a, b)
		if big256(p).Cmp(want) != 0 {
			t.Fatalf("mulFull(%v, %v) = %v, want %v", a, b, big256(p), want)
		}
		n := uint(r.IntN(260))
		s, lost := p.shr(n)
		ws := new(big.Int).Rsh(want, n)
		wlost := new(big.Int).Lsh(ws, n).Cmp(want) != 0
		if big256(s).Cmp(ws) != 0 || lost != wlost {
			t.Fatalf("shr(%v, %d) = %v %v, want %v %v", want, n, big256(s), lost, ws, wlost)
		}
		if got := mulQ126(a.shr(1), b.shr(1)); bigOf(got).Cmp(new(big.Int).Rsh(new(big.Int).Mul(bigOf(a.shr(1)), bigOf(b.shr(1))), 126)) != 0 {
			t.Fatalf("mulQ126 mismatch for %v, %v", a, b)
		}
	}
}

func TestFixedOps(t *testing.T) {
	half := U96F32FromBits(0, 1<<31)
	three := U96F32FromInt(3)
	if got, _ := three.Mul(half); got != U96F32FromBits(0, 3<<31) {
		t.Errorf("3·0.5 = %v", got)
	}
	third, _ := U96F32FromRatio(1, 3)
	if _, lo := third.Bits(); lo != 1431655765 { // floor(2^32/3)
		t.Errorf("1/3 bits = %d, want 1431655765", lo)
	}
	if _, err := three.Div(U96F32{}); !errors.Is(err, ErrDivisionByZero) {
		t.Errorf("3/0: err = %v, want ErrDivisionByZero", err)
	}
	if _, err := half.Sub(three); !errors.Is(err, ErrOverflow) {
		t.Errorf("0.5−3: err = %v, want ErrOverflow", err)
	}
	huge := U96F32FromBits(^uint64(0), ^uint64(0))
	if _, err := huge.Mul(three); !errors.Is(err, ErrOverflow) {
		t.Errorf("max·3: err = %v, want ErrOverflow", err)
	}
	if _, err := huge.Floor(); !errors.Is(err, ErrOverflow) {
		t.Errorf("floor(max): err = %v, want ErrOverflow", err)
	}
	if _, err := huge.U64F64(); !errors.Is(err, ErrOverflow) {
		t.Errorf("max as U64F64: err = %v, want ErrOverflow", err)
	}
	q, _ := U64F64FromRatio(1, 4)
	if q.U96F32() != U96F32FromBits(0, 1<<30) {
		t.Errorf("0.25 as U96F32 = %v", q.U96F32())
	}
	back, _ := q.U96F32().U64F64()
	if back != q {
		t.Errorf("round trip 0.25 = %v", back)
	}
	if got, _ := q.MulRao(1_000_000_001); got != 250_000_000 {
		t.Errorf("0.25·1000000001 = %d, want 250000000", got)
	}
	if _, err := U64F64FromRatio(1<<63, 1); err != nil {
		t.Errorf("2^63: %v", err)
	}
	if _, err := U64F64FromInt(1 << 63).Mul(U64F64FromInt(2)); !errors.Is(err, ErrOverflow) {
		t.Errorf("2^63·2: err = %v, want ErrOverflow", err)
	}
	if got := (Rao(1_500_000_000)).String(); got != "1.500000000" {
		t.Errorf("Rao string = %q", got)
	}
}

func TestPerquintill(t *testing.T) {
	p, err := PerquintillFromRational(1, 3)
	if err != nil || p != 333_333_333_333_333_333 {
		t.Fatalf("1/3 = %d, %v", p, err)
	}
	if p.Complement() != 666_666_666_666_666_667 {
		t.Errorf("1 − 1/3 = %d", p.Complement())
	}
	// round(7·0.5) = 3.5 → a half rounds up to 4 (§8.5, the chain's mul_perquintill_round adds
	// 10^18/2 before dividing); round(7·(1/3)) = 2.333… → 2; 5·(2/3) = 3.33… → 3.
	half := PerquintillOne / 2
	for _, c := range []struct {
		p    Perquintill
		v    uint64
		want uint64
	}{{half, 7, 4}, {p, 7, 2}, {p.Complement(), 5, 3}, {PerquintillOne, 1 << 63, 1 << 63}, {p.Complement(), 1, 1}} {
		got, err := c.p.mulRound(u128of(c.v))
		if err != nil || got != u128of(c.want) {
			t.Errorf("round(%v·%d) = %v, %v; want %d", c.p, c.v, got, err, c.want)
		}
	}
	if _, err := PerquintillFromRational(2, 1); !errors.Is(err, ErrBadInput) {
		t.Errorf("2/1: err = %v", err)
	}
}
