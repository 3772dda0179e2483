package market

import (
	"math"
	"math/bits"
)

// Limit is a swap's slippage protection (dtao.md §8.4). The zero value means no limit.
type Limit struct {
	// Price is p_lim in TAO per alpha: the highest price a buy may reach, the lowest a sell may
	// reach. Zero: no limit.
	Price U64F64
	// Partial allows a partial fill: the part of the amount beyond the limit is refunded. Without
	// it a swap that would pass the limit fails with ErrLimitPriceCrossed.
	Partial bool
}

// Swap is the outcome of a buy or sell.
type Swap struct {
	Pool Pool // the pool after the swap
	In   Rao  // net input swapped into the pool (amount − Fee − Refund)
	Out  Rao  // paid to the user: alpha for a buy, TAO for a sell
	Fee  Rao  // fee charged, in the input token
	// AuthorTAO is the TAO owed to the block author: the fee itself for a buy; for a sell, what
	// the alpha fee fetched when sold fee-less into the pool (§8.2).
	AuthorTAO Rao
	Refund    Rao // part of the amount not used because of a partial fill
}

// Buy stakes amount TAO into the pool for alpha (dtao.md §8.3), charging the fee of §8.2 and
// applying the limit and guards of §8.4. The caller adds Out to SubnetAlphaOut and pays AuthorTAO
// to the block author.
//
// Rounding: as the chain, the power e = (y/(y+net))^(w2/w1) is floored at 10^-18 (the chain's
// pow_ratio_scaled takes the floor of the exact root when the reduced exponent is small, as
// with equal weights, and of a 1024-bit approximation otherwise) and floored again to U64F64
// (the chain divides U64F64(v) by U64F64(10^18)); then Δx = floor(x·(1 − e)). Flooring e can
// pay out up to one rao more than the floor of the exact curve, which the fee more than covers.
// With equal weights the power is the exact rational y/(y+net), and the §8.6 example is
// reproduced to the rao.
func (pl Pool) Buy(p Params, amount Rao, lim Limit) (Swap, error) {
	net, fee, refund, err := p.limitInput(amount, lim, pl.maxBuyInput)
	if err != nil {
		return Swap{}, err
	}
	out, err := pl.buy(p, net)
	if err != nil {
		return Swap{}, err
	}
	if out.Out == 0 {
		return Swap{}, ErrZeroOutput
	}
	out.Fee, out.AuthorTAO, out.Refund = fee, fee, refund
	return out, nil
}

// ProtocolBuy buys alpha with amount TAO for the protocol (dtao.md §5 excess): no fee, no limit,
// and no minimum output; the reserve guards still apply.
func (pl Pool) ProtocolBuy(p Params, amount Rao) (Swap, error) {
	if amount == 0 {
		return Swap{Pool: pl}, nil
	}
	return pl.buy(p, amount)
}

// BurnBuy pays a neuron registration burn into the pool (dtao.md §9): a buy with the fee and
// the guards of §8.4 but no limit. A burn that would buy no alpha fails with ErrZeroOutput, as
// the chain's registration does (its swap step refuses a positive input that pays out nothing).
// The caller burns the alpha bought (it never reaches SubnetAlphaOut) and pays AuthorTAO to the
// block author; the TAO stays in the pool.
func (pl Pool) BurnBuy(p Params, burn Rao) (Swap, error) {
	if burn == 0 {
		return Swap{Pool: pl}, nil
	}
	fee := p.Fee(burn)
	out, err := pl.buy(p, burn-fee)
	if err != nil {
		return Swap{}, err
	}
	if out.Out == 0 {
		return Swap{}, ErrZeroOutput
	}
	out.Fee, out.AuthorTAO = fee, fee
	return out, nil
}

// Sell unstakes amount alpha into the pool for TAO (dtao.md §8.4). A sell that would pay out no
// TAO fails with ErrZeroOutput, as on the chain. The fee is charged in alpha
// and sold fee-less into the pool after the user's swap; its TAO is AuthorTAO. If that second
// sale would break a guard, the fee alpha is added to the pool without a payout. The limit
// applies to the user's swap; the fee sale after it may take the price a little further. The
// caller removes the whole amount (fee included) from SubnetAlphaOut, less Refund.
func (pl Pool) Sell(p Params, amount Rao, lim Limit) (Swap, error) {
	net, fee, refund, err := p.limitInput(amount, lim, pl.maxSellInput)
	if err != nil {
		return Swap{}, err
	}
	out, err := pl.sell(p, net)
	if err != nil {
		return Swap{}, err
	}
	if out.Out == 0 {
		// The chain's swap step fails any swap whose positive input pays out nothing
		// (swap_step.rs process_swap, ReservesTooLow), an unstake as well as a stake.
		return Swap{}, ErrZeroOutput
	}
	out.Fee, out.Refund = fee, refund
	if fee == 0 {
		return out, nil
	}
	if feeSale, err := out.Pool.sell(p, fee); err == nil {
		out.Pool, out.AuthorTAO = feeSale.Pool, feeSale.Out
	} else if out.Pool.Alpha, err = addRao(out.Pool.Alpha, fee); err != nil {
		return Swap{}, err
	}
	return out, nil
}

// limitInput splits amount into the net input, the fee and the refund, applying the limit price.
func (p Params) limitInput(amount Rao, lim Limit, maxInput func(U64F64) (Rao, error)) (net, fee, refund Rao, err error) {
	if amount == 0 {
		return 0, 0, 0, ErrZeroAmount
	}
	fee = p.Fee(amount)
	net = amount - fee
	if lim.Price.IsZero() {
		return net, fee, 0, nil
	}
	most, err := maxInput(lim.Price)
	if err != nil {
		return 0, 0, 0, err
	}
	if most == 0 || (net > most && !lim.Partial) {
		return 0, 0, 0, ErrLimitPriceCrossed
	}
	if net <= most {
		return net, fee, 0, nil
	}
	// Partial fill: swap `most`, with the fee recomputed on it as Δ·rate/(65535 − rate), in the
	// chain's U64F64 steps (swap_step.rs, determine_action): the ratio is floored to 2^-64 first,
	// then Δ times it is floored; at most the amount left after `most`.
	fee = min(p.partialFee(most), amount-most)
	return most, fee, amount - most - fee, nil
}

// partialFee returns the fee on the swapped part of a partial fill (dtao.md §8.4):
// floor(Δ · floor(FeeRate·2^64/(65535 − FeeRate)) / 2^64), saturated to u64. Flooring the ratio
// first can make it one rao less than floor(Δ·FeeRate/(65535 − FeeRate)).
func (p Params) partialFee(delta Rao) Rao {
	r, _ := divFix(u128of(uint64(p.FeeRate)), u128of(65_535-uint64(min(p.FeeRate, 65_534))), fracU64F64) // < 2^80
	f, err := mulFix(r, u128of(uint64(delta)), fracU64F64)
	if err != nil || !f.fits64() {
		return Rao(^uint64(0))
	}
	return Rao(f.lo)
}

// buy swaps net TAO in without fee or minimum output (§8.3 with the guards of §8.4).
func (pl Pool) buy(p Params, net Rao) (Swap, error) {
	if err := pl.checkInput(p, net, pl.TAO); err != nil {
		return Swap{}, err
	}
	ny, err := addRao(pl.TAO, net)
	if err != nil {
		return Swap{}, err
	}
	w1, w2 := pl.Weights()
	dx, err := out(pl.Alpha, pl.TAO, ny, uint64(w2), uint64(w1))
	if err != nil {
		return Swap{}, err
	}
	if pl.Alpha-dx < p.MinReserve {
		return Swap{}, ErrReserveTooLow
	}
	next := Pool{Alpha: pl.Alpha - dx, TAO: ny, TAOWeight: pl.TAOWeight}
	return Swap{Pool: next, In: net, Out: dx}, nil
}

// sell swaps net alpha in without fee (§8.4 and its guards).
func (pl Pool) sell(p Params, net Rao) (Swap, error) {
	if err := pl.checkInput(p, net, pl.Alpha); err != nil {
		return Swap{}, err
	}
	nx, err := addRao(pl.Alpha, net)
	if err != nil {
		return Swap{}, err
	}
	w1, w2 := pl.Weights()
	dy, err := out(pl.TAO, pl.Alpha, nx, uint64(w1), uint64(w2))
	if err != nil {
		return Swap{}, err
	}
	if pl.TAO-dy < p.MinReserve {
		return Swap{}, ErrReserveTooLow
	}
	next := Pool{Alpha: nx, TAO: pl.TAO - dy, TAOWeight: pl.TAOWeight}
	return Swap{Pool: next, In: net, Out: dy}, nil
}

// checkInput applies the weight bounds and the input guard of §8.4: net ≤ MaxInputFactor × the
// input reserve.
func (pl Pool) checkInput(p Params, net, reserve Rao) error {
	if err := pl.checkWeights(p); err != nil {
		return err
	}
	if h, l := bits.Mul64(uint64(reserve), p.MaxInputFactor); h == 0 && uint64(net) > l {
		return ErrInsufficientLiquidity
	}
	return nil
}

// out returns floor(reserveOut · (1 − e)) with e = (in/newIn)^(en/ed) floored at 10^-18,
// then floored to U64F64, and capped at 1 (§8.3, §8.4).
func out(reserveOut, in, newIn Rao, en, ed uint64) (Rao, error) {
	if newIn == 0 {
		return 0, nil
	}
	v, err := powScaled(u128of(uint64(in)), u128of(uint64(newIn)), en, ed, false)
	if err != nil {
		return 0, err
	}
	if v.cmp(u128of(scale18)) >= 0 {
		return 0, nil // e capped at 1
	}
	// e = floor(v·2^64/10^18) < 2^64 since v < 10^18.
	e, _ := bits.Div64(v.lo, 0, scale18)
	if e == 0 {
		return reserveOut, nil // 1 − e = 1
	}
	h, _ := bits.Mul64(uint64(reserveOut), -e) // −e is 2^64 − e
	return Rao(h), nil
}

// maxBuyInput returns the largest net TAO input that keeps the price at or below lim (§8.4):
// floor(y·((lim/π)^w1 − 1)), with the power rounded down; 0 if π ≥ lim; MaxUint64 if unbounded.
func (pl Pool) maxBuyInput(lim U64F64) (Rao, error) {
	price, err := pl.Price()
	if err != nil {
		return 0, err
	}
	w1, _ := pl.Weights()
	return maxInput(pl.TAO, lim, price, uint64(w1))
}

// maxSellInput returns the largest net alpha input that keeps the price at or above lim (§8.4):
// floor(x·((π/lim)^w2 − 1)); 0 if π ≤ lim.
func (pl Pool) maxSellInput(lim U64F64) (Rao, error) {
	price, err := pl.Price()
	if err != nil {
		return 0, err
	}
	_, w2 := pl.Weights()
	return maxInput(pl.Alpha, price, lim, uint64(w2))
}

// maxInput returns floor(reserve·((hi/lo)^(w/10^18) − 1)), 0 if hi ≤ lo, with the chain's
// intermediate roundings (Balancer::calculate_quote_delta_in and calculate_base_delta_in): the
// power v is floored at 10^-18 and saturated to u64, taken as U64F64 v/10^18 (floored to 2^-64),
// less one (saturating at 0), times the reserve (floored), saturated to u64. So a power of 18.4
// or more (v ≥ 2^64) bounds the input at about 17.4 reserves rather than not at all.
func maxInput(reserve Rao, hi, lo U64F64, w uint64) (Rao, error) {
	if hi.Cmp(lo) <= 0 {
		return 0, nil
	}
	if lo.IsZero() {
		return math.MaxUint64, nil
	}
	v := uint64(math.MaxUint64) // the chain saturates a power ≥ 2^64 (or one too large to compute)
	if r, err := powScaled(hi.b, lo.b, w, uint64(PerquintillOne), false); err == nil && r.fits64() {
		v = r.lo
	}
	// t = floor(v·2^64/10^18) − 2^64, the U64F64 bits of v/10^18 − 1 (v/10^18 < 2^64/10^18 < 19,
	// so t fits 128 bits).
	tq, _ := divmod(shl256(u128of(v), 64), u128of(scale18))
	t, _ := tq.to128()
	t, borrow := t.sub(u128{hi: 1})
	if borrow {
		return 0, nil
	}
	q, _ := mulFull(t, u128of(uint64(reserve))).shr(64)
	out, ok := q.to128()
	if !ok || !out.fits64() {
		return math.MaxUint64, nil
	}
	return Rao(out.lo), nil
}
