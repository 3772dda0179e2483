package market

import (
	"errors"
	"math/big"
	"math/rand/v2"
	"testing"
)

func randPool(r *rand.Rand) Pool {
	pl := Pool{
		Alpha: Rao(r.Uint64N(uint64(20_000_000*RaoPerTAO)) + 1_000_000),
		TAO:   Rao(r.Uint64N(uint64(20_000_000*RaoPerTAO)) + 1_000_000),
	}
	if r.IntN(2) == 0 {
		pl.TAOWeight = PerquintillOne/100 + Perquintill(r.Uint64N(uint64(PerquintillOne)/100*98))
	}
	return pl
}

func randAmount(r *rand.Rand, reserve Rao) Rao {
	switch r.IntN(4) {
	case 0:
		return Rao(r.Uint64N(10_000) + 1) // dust
	case 1:
		return Rao(r.Uint64N(uint64(reserve)*3) + 1) // beyond the reserve
	}
	return Rao(r.Uint64N(uint64(reserve)/10+1) + 1)
}

// TestRoundTripCreatesNoTAO: a buy followed by selling all the alpha bought never returns more
// TAO than was paid, and the pool never ends with less TAO than it started with (fees included
// and excluded, equal and unequal weights).
func TestRoundTripCreatesNoTAO(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	trips := 0
	for i := range 20_000 {
		p := DefaultParams()
		if i%2 == 0 {
			p.FeeRate = 0
		}
		pool := randPool(r)
		amount := randAmount(r, pool.TAO)
		b, err := pool.Buy(p, amount, Limit{})
		if err != nil {
			continue
		}
		s, err := b.Pool.Sell(p, b.Out, Limit{})
		if err != nil {
			continue
		}
		trips++
		if back := s.Out + s.AuthorTAO; back > b.In {
			t.Fatalf("pool %+v: buy %d (net %d) → %d alpha → %d TAO (+%d to the author): TAO created",
				pool, amount, b.In, b.Out, s.Out, s.AuthorTAO)
		}
		if s.Pool.TAO < pool.TAO {
			t.Fatalf("pool %+v lost TAO on a round trip: %+v", pool, s.Pool)
		}
	}
	if trips < 10_000 {
		t.Fatalf("only %d round trips", trips)
	}
}

// TestSellThenBuyCreatesNoAlpha is the mirror image: selling alpha and buying back with all the
// TAO received never returns more alpha.
func TestSellThenBuyCreatesNoAlpha(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	for i := range 20_000 {
		p := DefaultParams()
		if i%2 == 0 {
			p.FeeRate = 0
		}
		pool := randPool(r)
		amount := randAmount(r, pool.Alpha)
		s, err := pool.Sell(p, amount, Limit{})
		if err != nil || s.Out == 0 {
			continue
		}
		b, err := s.Pool.Buy(p, s.Out, Limit{})
		if err != nil {
			continue
		}
		if b.Out > amount {
			t.Fatalf("pool %+v: sold %d alpha for %d TAO, bought back %d alpha", pool, amount, s.Out, b.Out)
		}
	}
}

// TestSwapFollowsExactCurve: with equal weights a swap pays out the floor of the exact curve
// x·net/(y+net), or a little more: the power e is floored at 10^-18 and then to U64F64 as on the
// chain (§8.3), so the output is at most reserve·(10^-18 + 2^-64) + 1 rao above it. With any
// weights, no reserve ever goes below the guard.
func TestSwapFollowsExactCurve(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	p := DefaultParams()
	above := 0
	for i := range 400 {
		pool := randPool(r)
		equal := i%2 == 0
		if equal {
			pool.TAOWeight = 0
		}
		for range 100 {
			var s Swap
			var err error
			buy := r.IntN(2) == 0
			if buy {
				s, err = pool.Buy(p, randAmount(r, pool.TAO), Limit{})
			} else {
				s, err = pool.Sell(p, randAmount(r, pool.Alpha), Limit{})
			}
			if err != nil {
				continue
			}
			if equal {
				out, in := pool.Alpha, pool.TAO
				if !buy {
					out, in = pool.TAO, pool.Alpha
				}
				exact := new(big.Int).Mul(bigRao(out), bigRao(s.In))
				exact.Quo(exact, new(big.Int).Add(bigRao(in), bigRao(s.In)))
				slack := uint64(out)/1_000_000_000_000_000_000 + 2
				got := bigRao(s.Out)
				if got.Cmp(exact) < 0 || new(big.Int).Sub(got, exact).Uint64() > slack {
					t.Fatalf("%+v: %d in → %d out, exact curve %v (slack %d)", pool, s.In, s.Out, exact, slack)
				}
				if got.Cmp(exact) > 0 {
					above++
				}
			}
			if s.Pool.Alpha < p.MinReserve || s.Pool.TAO < p.MinReserve {
				t.Fatalf("reserve below the guard: %+v", s.Pool)
			}
			pool = s.Pool
		}
	}
	if above == 0 {
		t.Fatal("no swap paid above the floor of the exact curve: is e rounded up again?")
	}
}

func bigRao(v Rao) *big.Int { return new(big.Int).SetUint64(uint64(v)) }

// TestAddLiquidityKeepsPrice: §8.5's weight update leaves the spot price unchanged up to the
// rounding of q1, q2 and the Perquintill (relative 10^-15 here).
func TestAddLiquidityKeepsPrice(t *testing.T) {
	r := rand.New(rand.NewPCG(19, 20))
	p := DefaultParams()
	for range 5_000 {
		pool := randPool(r)
		before, _ := pool.Price()
		dy := Rao(r.Uint64N(uint64(pool.TAO)/5 + 1))
		dx := Rao(r.Uint64N(uint64(pool.Alpha)/5 + 1))
		next, ok, err := pool.AddLiquidity(p, dy, dx)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			if next != pool {
				t.Fatalf("skipped injection changed the pool")
			}
			continue
		}
		if next.Alpha != pool.Alpha+dx || next.TAO != pool.TAO+dy {
			t.Fatalf("reserves %+v after adding (%d, %d) to %+v", next, dy, dx, pool)
		}
		after, _ := next.Price()
		diff := new(big.Int).Abs(new(big.Int).Sub(bigOf(after.b), bigOf(before.b)))
		tol := new(big.Int).Add(new(big.Int).Div(bigOf(before.b), big.NewInt(1_000_000_000_000_000)), big.NewInt(1<<20))
		if diff.Cmp(tol) > 0 {
			t.Fatalf("price moved from %v to %v adding (%d, %d) to %+v", before, after, dy, dx, pool)
		}
	}
}

func TestAddLiquidityExamples(t *testing.T) {
	p := DefaultParams()
	// Adding at the current price keeps equal weights exactly.
	pool := Pool{Alpha: 1_000 * RaoPerTAO, TAO: 250 * RaoPerTAO}
	next, ok, err := pool.AddLiquidity(p, 25*RaoPerTAO, 100*RaoPerTAO)
	if err != nil || !ok || next.TAOWeight != halfWeight {
		t.Errorf("proportional add: %+v %v %v", next, ok, err)
	}
	// Adding only TAO must lower the TAO weight: q1 = w1·y·x, q2 = w2·x·(y+Δy) → w2' = (y+Δy)/(2y+Δy).
	next, ok, _ = pool.AddLiquidity(p, 250*RaoPerTAO, 0)
	if want := Perquintill(666_666_666_666_666_666); !ok || next.TAOWeight != want {
		t.Errorf("TAO-only add: w2 = %v, want %v", next.TAOWeight, want)
	}
	// Pushing w2 beyond 0.99 is skipped: (y+Δy)/(2y+Δy) > 0.99 needs Δy > 98·y.
	next, ok, _ = pool.AddLiquidity(p, 99*250*RaoPerTAO, 0)
	if ok || next != pool {
		t.Errorf("out-of-bounds add applied: %+v", next)
	}
	// q1 and q2 round a half up (§8.5 "rounded to nearest"; the chain adds 10^18/2 before
	// dividing): x = y = 1 plus 2 alpha gives q1 = round(0.5·1·3) = 2 and q2 = round(0.5·1·1) = 1,
	// so w2' = 1/3. Rounding halves down would give q2 = 0, w2' = 0 and a skipped injection.
	next, ok, _ = Pool{Alpha: 1, TAO: 1}.AddLiquidity(p, 0, 2)
	if want := (Pool{Alpha: 3, TAO: 1, TAOWeight: 333_333_333_333_333_333}); !ok || next != want {
		t.Errorf("half-way q: %+v %v, want %+v", next, ok, want)
	}
	// Injecting into an empty pool: q1 = q2 = 0 → 0.5.
	next, ok, _ = Pool{TAOWeight: PerquintillOne / 5}.AddLiquidity(p, 0, 5)
	if !ok || next.TAOWeight != halfWeight {
		t.Errorf("empty: %+v %v", next, ok)
	}
}

func TestNewSubnetPool(t *testing.T) {
	p := DefaultParams()
	q := func(n, d uint64) U64F64 { v, _ := U64F64FromRatio(n, d); return v }
	for _, c := range []struct {
		name   string
		lock   Rao
		prices []U64F64
		want   Pool
	}{
		{"first-subnet", 500 * RaoPerTAO, nil, Pool{Alpha: 1_000 * RaoPerTAO, TAO: 1_000 * RaoPerTAO, TAOWeight: halfWeight}},
		{"odd-median", 2_000 * RaoPerTAO, []U64F64{q(1, 2), {}, q(1, 4), q(2, 1)}, Pool{Alpha: 4_000 * RaoPerTAO, TAO: 2_000 * RaoPerTAO, TAOWeight: halfWeight}},
		{"even-median", 2_000 * RaoPerTAO, []U64F64{q(1, 8), q(1, 2), q(1, 4), q(2, 1)}, Pool{Alpha: 5_333_333_333_333, TAO: 2_000 * RaoPerTAO, TAOWeight: halfWeight}},
	} {
		got, err := p.NewSubnetPool(c.lock, c.prices)
		if err != nil || got != c.want {
			t.Errorf("%s: %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	if _, err := p.NewSubnetPool(RaoPerTAO, []U64F64{U64F64FromBits(0, 1)}); !errors.Is(err, ErrOverflow) {
		t.Errorf("tiny median: err = %v", err)
	}
}
