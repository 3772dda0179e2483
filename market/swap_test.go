package market

import (
	"errors"
	"fmt"
	"testing"
)

// TestBuyExample is the worked example of dtao.md §8.6: x = 1 000 000 α, y = 250 000 TAO, equal
// weights, FeeRate 33, stake 1 000 TAO.
func TestBuyExample(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO}
	price, _ := pool.Price()
	if want, _ := U64F64FromRatio(1, 4); price != want {
		t.Fatalf("price = %v, want 0.25", price)
	}
	s, err := pool.Buy(p, 1_000*RaoPerTAO, Limit{})
	if err != nil {
		t.Fatal(err)
	}
	want := Swap{
		Pool:      Pool{Alpha: 1_000_000*RaoPerTAO - 3_982_065_567_482, TAO: 250_000*RaoPerTAO + 999_496_452_278},
		In:        999_496_452_278,
		Out:       3_982_065_567_482,
		Fee:       503_547_722,
		AuthorTAO: 503_547_722,
	}
	if s != want {
		t.Errorf("buy = %+v\nwant %+v", s, want)
	}
	// New price ≈ 0.252002989 (0.252 002 988 877…).
	np, _ := s.Pool.Price()
	if got, _ := np.MulRao(10_000_000_000); got != 2_520_029_888 {
		t.Errorf("new price·10^10 = %d, want 2520029888", got)
	}
}

func TestFee(t *testing.T) {
	p := DefaultParams()
	for _, c := range []struct{ amount, want Rao }{
		{0, 0}, {1_985, 0}, {1_986, 1}, {1_000 * RaoPerTAO, 503_547_722}, {1 << 63, 4_644_407_983_767_568},
	} {
		if got := p.Fee(c.amount); got != c.want {
			t.Errorf("fee(%d) = %d, want %d", c.amount, got, c.want)
		}
	}
	p.FeeRate = 0
	if got := p.Fee(1_000_000); got != 0 {
		t.Errorf("fee at rate 0 = %d", got)
	}
}

func TestSwapGuards(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000 * RaoPerTAO, TAO: 100 * RaoPerTAO}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"zero-amount", func() error { _, err := pool.Buy(p, 0, Limit{}); return err }, ErrZeroAmount},
		{"input-over-1000x", func() error {
			_, err := pool.Buy(p, 100_100*RaoPerTAO+RaoPerTAO, Limit{})
			return err
		}, ErrInsufficientLiquidity},
		{"sell-input-over-1000x", func() error {
			_, err := pool.Sell(p, 1_001_000*RaoPerTAO, Limit{})
			return err
		}, ErrInsufficientLiquidity},
		{"buy-drains-alpha", func() error {
			// Doubling the TAO reserve halves the alpha reserve: 2 000 000 → 1 000 000 would
			// still pass; tripling it leaves 666 667 rao.
			small := Pool{Alpha: 2_000_000, TAO: 100 * RaoPerTAO}
			if _, err := small.ProtocolBuy(p, 100*RaoPerTAO); err != nil {
				return err
			}
			_, err := small.Buy(p, 201*RaoPerTAO, Limit{})
			return err
		}, ErrReserveTooLow},
		{"sell-drains-tao", func() error {
			small := Pool{Alpha: 100 * RaoPerTAO, TAO: 2_000_000}
			_, err := small.Sell(p, 201*RaoPerTAO, Limit{})
			return err
		}, ErrReserveTooLow},
		{"dust-stake", func() error { _, err := pool.Buy(p, 1, Limit{}); return err }, nil},
		{"stake-buys-nothing", func() error {
			pricey := Pool{Alpha: 10_000_000, TAO: 1_000_000 * RaoPerTAO}
			_, err := pricey.Buy(p, 1_000, Limit{})
			return err
		}, ErrZeroOutput},
		{"unstake-fetches-nothing", func() error {
			// 1 000 rao of alpha into 10^6 alpha against 1 TAO: 10^9·1 000/(10^15 + 1 000) < 1 rao.
			cheap := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: RaoPerTAO}
			_, err := cheap.Sell(p, 1_000, Limit{})
			return err
		}, ErrZeroOutput},
		{"unstake-fetches-one", func() error {
			// 10^6 rao (fee 503, net 999 497): 10^9·999 497/(10^15 + 999 497) ≈ 0.9995 floors to 0;
			// 2·10^6 rao (fee 1 007) fetches 1 rao.
			cheap := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: RaoPerTAO}
			s, err := cheap.Sell(p, 2_000_000, Limit{})
			if err == nil && s.Out != 1 {
				return fmt.Errorf("out %d, want 1", s.Out)
			}
			return err
		}, nil},
		{"bad-weight", func() error {
			w := Pool{Alpha: 1_000 * RaoPerTAO, TAO: 100 * RaoPerTAO, TAOWeight: PerquintillOne / 1000}
			_, err := w.Buy(p, RaoPerTAO, Limit{})
			return err
		}, ErrWeightOutOfBounds},
	}
	for _, c := range cases {
		if err := c.run(); !errors.Is(err, c.want) && (err != nil || c.want != nil) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
}

// TestSwapGuardBoundaries: §8.4's guards at their edges. The output reserve may end exactly at
// 1 000 000 rao ("must stay ≥"), and the net input may be exactly 1 000 × the input reserve
// ("must be ≤"); one rao beyond fails.
func TestSwapGuardBoundaries(t *testing.T) {
	p := DefaultParams()
	p.FeeRate = 0 // net = amount

	// Equal weights, y → 2y: the alpha reserve halves exactly, 2 000 000 → 1 000 000.
	buy, err := Pool{Alpha: 2_000_000, TAO: 100 * RaoPerTAO}.ProtocolBuy(p, 100*RaoPerTAO)
	if err != nil || buy.Pool.Alpha != 1_000_000 {
		t.Errorf("buy to exactly the minimum reserve: %+v, %v", buy, err)
	}
	if _, err := (Pool{Alpha: 2_000_000, TAO: 100 * RaoPerTAO}).ProtocolBuy(p, 101*RaoPerTAO); !errors.Is(err, ErrReserveTooLow) {
		t.Errorf("buy below the minimum reserve: err = %v", err)
	}
	sell, err := Pool{Alpha: 100 * RaoPerTAO, TAO: 2_000_000}.Sell(p, 100*RaoPerTAO, Limit{})
	if err != nil || sell.Pool.TAO != 1_000_000 {
		t.Errorf("sell to exactly the minimum reserve: %+v, %v", sell, err)
	}

	buyPool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 10 * RaoPerTAO}
	if _, err := buyPool.Buy(p, 10_000*RaoPerTAO, Limit{}); err != nil {
		t.Errorf("buy of exactly 1000× the TAO reserve: %v", err)
	}
	if _, err := buyPool.Buy(p, 10_000*RaoPerTAO+1, Limit{}); !errors.Is(err, ErrInsufficientLiquidity) {
		t.Errorf("buy of 1000× the TAO reserve + 1 rao: err = %v", err)
	}
	sellPool := Pool{Alpha: 10 * RaoPerTAO, TAO: 1_000_000 * RaoPerTAO}
	if _, err := sellPool.Sell(p, 10_000*RaoPerTAO, Limit{}); err != nil {
		t.Errorf("sell of exactly 1000× the alpha reserve: %v", err)
	}
	if _, err := sellPool.Sell(p, 10_000*RaoPerTAO+1, Limit{}); !errors.Is(err, ErrInsufficientLiquidity) {
		t.Errorf("sell of 1000× the alpha reserve + 1 rao: err = %v", err)
	}
}

// TestLimitBuy: a buy limited to a price between the current price and the price the full buy
// would reach swaps only up to the limit, refunds the rest and stays at or below the limit.
func TestLimitBuy(t *testing.T) {
	p := DefaultParams()
	for _, w2 := range []Perquintill{0, PerquintillOne / 5, PerquintillOne * 7 / 10} {
		pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO, TAOWeight: w2}
		price, _ := pool.Price()
		full, err := pool.Buy(p, 10_000*RaoPerTAO, Limit{})
		if err != nil {
			t.Fatal(err)
		}
		fullPrice, _ := full.Pool.Price()
		// Limit halfway between the two prices.
		lim, _ := price.Add(fullPrice)
		lim = U64F64{lim.b.shr(1)}
		if _, err := pool.Buy(p, 10_000*RaoPerTAO, Limit{Price: lim}); !errors.Is(err, ErrLimitPriceCrossed) {
			t.Errorf("w2=%v: non-partial over the limit: err = %v", w2, err)
		}
		s, err := pool.Buy(p, 10_000*RaoPerTAO, Limit{Price: lim, Partial: true})
		if err != nil {
			t.Fatalf("w2=%v: %v", w2, err)
		}
		if s.In+s.Fee+s.Refund != 10_000*RaoPerTAO || s.Refund == 0 || s.In >= full.In {
			t.Errorf("w2=%v: partial in %d fee %d refund %d", w2, s.In, s.Fee, s.Refund)
		}
		after, _ := s.Pool.Price()
		if after.Cmp(lim) > 0 {
			t.Errorf("w2=%v: price after %v passed the limit %v", w2, after, lim)
		}
		// The limit binds closely: one more TAO of input would pass it.
		more, _ := pool.buy(p, s.In+RaoPerTAO)
		if mp, _ := more.Pool.Price(); mp.Cmp(lim) <= 0 {
			t.Errorf("w2=%v: limit not tight: %v ≤ %v", w2, mp, lim)
		}
		// The fee on the swapped part is Δ·rate/(65535 − rate), at most a rao under the exact floor.
		if want := Rao(uint64(s.In) * 33 / (65_535 - 33)); s.Fee != want && s.Fee+1 != want {
			t.Errorf("w2=%v: partial fee %d, want %d", w2, s.Fee, want)
		}
		// A limit at or below the current price is crossed already.
		if _, err := pool.Buy(p, RaoPerTAO, Limit{Price: price, Partial: true}); !errors.Is(err, ErrLimitPriceCrossed) {
			t.Errorf("w2=%v: limit at price: err = %v", w2, err)
		}
		// A loose limit changes nothing.
		loose, _ := fullPrice.Add(fullPrice)
		if s2, err := pool.Buy(p, 10_000*RaoPerTAO, Limit{Price: loose}); err != nil || s2 != full {
			t.Errorf("w2=%v: loose limit: %+v, %v", w2, s2, err)
		}
	}
}

// TestLimitBoundChainRounding pins the chain's intermediate roundings of a limit bound
// (Balancer::calculate_quote_delta_in), worked out with exact integers in Python: the power v is
// floored at 10^-18, v/10^18 is floored to U64F64 before one is subtracted and the reserve
// multiplied, and a power past 2^64/10^18 saturates instead of leaving the input unbounded.
func TestLimitBoundChainRounding(t *testing.T) {
	for _, c := range []struct {
		name string
		pool Pool
		lim  U64F64
		want Rao
	}{
		// Exact formula floor(y·(v − 10^18)/10^18) gives …087: the U64F64 step loses the last rao.
		{"u64f64-floor", Pool{Alpha: 6_043_264_018_247_524, TAO: 8_637_865_048_656_733}, U64F64FromBits(2, 2_488_670_677_295_067_309), 1_918_852_206_309_086},
		// sqrt(400) = 20 ≥ 2^64/10^18: v saturates to 2^64 − 1, so about 17.45 reserves.
		{"saturated", Pool{Alpha: 1_000_000_000_000, TAO: 1_000_000_000_000}, U64F64FromBits(400, 0), 17_446_744_073_709},
	} {
		got, err := c.pool.maxBuyInput(c.lim)
		if err != nil || got != c.want {
			t.Errorf("%s: maxBuyInput = %d, %v; want %d", c.name, got, err, c.want)
		}
	}
}

// TestLimitSell mirrors TestLimitBuy for unstaking.
func TestLimitSell(t *testing.T) {
	p := DefaultParams()
	for _, w2 := range []Perquintill{0, PerquintillOne / 5, PerquintillOne * 7 / 10} {
		pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO, TAOWeight: w2}
		price, _ := pool.Price()
		full, err := pool.Sell(p, 40_000*RaoPerTAO, Limit{})
		if err != nil {
			t.Fatal(err)
		}
		fullPrice, _ := full.Pool.Price()
		lim, _ := price.Add(fullPrice)
		lim = U64F64{lim.b.shr(1)}
		if _, err := pool.Sell(p, 40_000*RaoPerTAO, Limit{Price: lim}); !errors.Is(err, ErrLimitPriceCrossed) {
			t.Errorf("w2=%v: non-partial over the limit: err = %v", w2, err)
		}
		s, err := pool.Sell(p, 40_000*RaoPerTAO, Limit{Price: lim, Partial: true})
		if err != nil {
			t.Fatalf("w2=%v: %v", w2, err)
		}
		if s.In+s.Fee+s.Refund != 40_000*RaoPerTAO || s.Refund == 0 {
			t.Errorf("w2=%v: partial in %d fee %d refund %d", w2, s.In, s.Fee, s.Refund)
		}
		// Before the fee alpha is sold, the user's swap ends at or above the limit.
		user, _ := pool.sell(p, s.In)
		if after, _ := user.Pool.Price(); after.Cmp(lim) < 0 {
			t.Errorf("w2=%v: price after %v passed the limit %v", w2, after, lim)
		}
		if _, err := pool.Sell(p, RaoPerTAO, Limit{Price: price}); !errors.Is(err, ErrLimitPriceCrossed) {
			t.Errorf("w2=%v: limit at price: err = %v", w2, err)
		}
	}
}

// TestSellFeeGoesToAuthor: the alpha fee is sold fee-less after the user's swap.
func TestSellFeeGoesToAuthor(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO}
	s, err := pool.Sell(p, 1_000*RaoPerTAO, Limit{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Fee != 503_547_722 || s.In != 999_496_452_278 {
		t.Errorf("fee %d in %d", s.Fee, s.In)
	}
	user, _ := pool.sell(p, s.In)
	feeSale, _ := user.Pool.sell(p, s.Fee)
	if s.Out != user.Out || s.AuthorTAO != feeSale.Out || s.Pool != feeSale.Pool {
		t.Errorf("sell = %+v; want user %+v then fee %+v", s, user, feeSale)
	}
	if s.Pool.Alpha != pool.Alpha+1_000*RaoPerTAO || s.Pool.TAO != pool.TAO-s.Out-s.AuthorTAO {
		t.Errorf("reserves %+v", s.Pool)
	}
	// Exact constant product: Δy = floor(y·net/(x+net)).
	if want := Rao(249_624_614_153); s.Out != want {
		t.Errorf("out = %d, want %d", s.Out, want)
	}
}

func TestProtocolBuy(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO}
	s, err := pool.ProtocolBuy(p, 1_000*RaoPerTAO)
	if err != nil || s.Fee != 0 || s.In != 1_000*RaoPerTAO {
		t.Fatalf("protocol buy %+v, %v", s, err)
	}
	// floor(x·net/(y+net)) = floor(10^15·10^12/(2.51·10^14))
	if s.Out != 3_984_063_745_019 {
		t.Errorf("out = %d", s.Out)
	}
	if s, err := pool.ProtocolBuy(p, 0); err != nil || s.Pool != pool {
		t.Errorf("zero protocol buy changed the pool: %+v %v", s, err)
	}
}

func TestBurnBuy(t *testing.T) {
	p := DefaultParams()
	pool := Pool{Alpha: 1_000_000 * RaoPerTAO, TAO: 250_000 * RaoPerTAO}
	s, err := pool.BurnBuy(p, 1_000*RaoPerTAO)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pool.Buy(p, 1_000*RaoPerTAO, Limit{})
	if s != b {
		t.Errorf("burn buy %+v differs from a plain buy %+v", s, b)
	}
	// A burn that buys no alpha fails, as the chain's registration does (its swap step refuses
	// a positive input that pays out nothing); one rao of alpha is enough.
	pricey := Pool{Alpha: 10_000_000, TAO: 1_000_000 * RaoPerTAO}
	if s, err := pricey.BurnBuy(p, 1_000); !errors.Is(err, ErrZeroOutput) {
		t.Errorf("dust burn: %+v, %v; want ErrZeroOutput", s, err)
	}
	if s, err := pricey.BurnBuy(p, 1_000*RaoPerTAO); err != nil || s.Out == 0 {
		t.Errorf("burn of 1000 TAO on the pricey pool: %+v, %v", s, err)
	}
}

// TestPartialFeeChainRounding: a partial fill's fee takes the chain's U64F64 steps
// (swap_step.rs): floor(Δ·floor(rate·2^64/(65535 − rate))/2^64). Values from Python integers;
// where Δ·rate/(65535 − rate) is a whole number the floored ratio makes it one rao less
// (21 834·33/65 502 = 11 exactly, the chain charges 10).
func TestPartialFeeChainRounding(t *testing.T) {
	for _, c := range []struct {
		rate  uint16
		delta Rao
		want  Rao
	}{
		{33, 21_834, 10},
		{33, 21_835, 11},
		{33, 65_502, 32},
		{33, 1_000_000_000_000, 503_801_410},
		{10_000, 55_535, 9_999},
		{10_000, 1_000_000_000_000, 180_066_624_651},
	} {
		p := DefaultParams()
		p.FeeRate = c.rate
		if got := p.partialFee(c.delta); got != c.want {
			t.Errorf("rate %d Δ %d: fee %d, want %d", c.rate, c.delta, got, c.want)
		}
		// Through limitInput: a limit that stops the swap at Δ charges that fee and refunds the rest.
		amount := c.delta * 3
		net, fee, refund, err := p.limitInput(amount, Limit{Price: U64F64One(), Partial: true}, func(U64F64) (Rao, error) { return c.delta, nil })
		if err != nil || net != c.delta || fee != c.want || refund != amount-c.delta-c.want {
			t.Errorf("rate %d Δ %d: limitInput = %d, %d, %d, %v", c.rate, c.delta, net, fee, refund, err)
		}
	}
}
