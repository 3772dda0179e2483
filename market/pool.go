package market

import (
	"fmt"
	"math/bits"
	"slices"
)

// Pool is a subnet's balancer pool (dtao.md §8.1): the alpha reserve x (SubnetAlphaIn), the TAO
// reserve y (SubnetTAO) and the TAO weight w2 (the alpha weight is w1 = 1 − w2). It is a value:
// swaps and injections return a new Pool and never change the receiver.
type Pool struct {
	Alpha Rao // x, SubnetAlphaIn
	TAO   Rao // y, SubnetTAO
	// TAOWeight is w2. The zero value means the default 0.5 (a constant-product pool); any other
	// value must lie in [Params.MinWeight, 1 − Params.MinWeight]. Functions that compute a
	// weight (AddLiquidity, NewSubnetPool) store it explicitly, 0.5 included.
	TAOWeight Perquintill
}

// halfWeight is the default weight, 0.5.
const halfWeight = PerquintillOne / 2

// Weights returns (w1, w2): the alpha weight and the TAO weight.
func (pl Pool) Weights() (alpha, tao Perquintill) {
	w2 := pl.TAOWeight
	if w2 == 0 {
		w2 = halfWeight
	}
	return w2.Complement(), w2
}

// Price returns the spot price π = (w1/w2)·(y/x) in TAO per alpha, computed in U64F64 as two
// truncating divisions and a truncating product (dtao.md §8.1); 0 if x = 0. (A stable,
// mechanism-0 subnet has price 1; that is the caller's rule, not the pool's.)
func (pl Pool) Price() (U64F64, error) {
	if pl.Alpha == 0 {
		return U64F64{}, nil
	}
	w1, w2 := pl.Weights() // w2 > 0: zero means 0.5
	r, err := U64F64FromRatio(uint64(pl.TAO), uint64(pl.Alpha))
	if err != nil || w1 == w2 { // w1/w2 = 1 exactly
		return r, err
	}
	wr, err := U64F64FromRatio(uint64(w1), uint64(w2))
	if err != nil {
		return U64F64{}, err
	}
	return wr.Mul(r)
}

// checkWeights reports ErrWeightOutOfBounds if w2 is outside the bounds of §8.1.
func (pl Pool) checkWeights(p Params) error {
	if _, w2 := pl.Weights(); !p.weightInBounds(w2) {
		return fmt.Errorf("TAO weight %v: %w", w2, ErrWeightOutOfBounds)
	}
	return nil
}

func (p Params) weightInBounds(w Perquintill) bool {
	return w >= p.MinWeight && w <= p.MinWeight.Complement()
}

// Fee returns the swap fee on an input amount (dtao.md §8.2):
// floor(amount · floor(FeeRate·2^64/65535) / 2^64).
func (p Params) Fee(amount Rao) Rao {
	if p.FeeRate == 65_535 {
		return amount
	}
	rate, _ := bits.Div64(uint64(p.FeeRate), 0, 65_535)
	h, _ := bits.Mul64(uint64(amount), rate)
	return Rao(h)
}

// AddLiquidity adds (tao, alpha) to the pool at its current price (dtao.md §8.5): with
// q1 = round(w1·y·(x+Δx)) and q2 = round(w2·x·(y+Δy)) (u128 products times a Perquintill, a half
// rounded up), the new TAO weight is w2' = q2/(q1+q2), floored to a Perquintill (0.5 if both are
// 0). If w2' leaves the weight bounds nothing is added and ok is false.
//
// Adding nothing returns the pool unchanged (the formula would only add rounding noise to w2).
func (pl Pool) AddLiquidity(p Params, tao, alpha Rao) (out Pool, ok bool, err error) {
	if tao == 0 && alpha == 0 {
		return pl, true, nil
	}
	w1, w2 := pl.Weights()
	x, y := u128of(uint64(pl.Alpha)), u128of(uint64(pl.TAO))
	nx, ny := x.add1(u128of(uint64(alpha))), y.add1(u128of(uint64(tao)))
	if !nx.fits64() || !ny.fits64() {
		return pl, false, ErrOverflow
	}
	p1, _ := mulFull(y, nx).to128() // < 2^128: both factors < 2^64
	p2, _ := mulFull(x, ny).to128()
	q1, err := w1.mulRound(p1)
	if err != nil {
		return pl, false, err
	}
	q2, err := w2.mulRound(p2)
	if err != nil {
		return pl, false, err
	}
	nw := halfWeight
	if !q1.isZero() || !q2.isZero() {
		sum, c := q1.add(q2)
		if c {
			return pl, false, ErrOverflow
		}
		if nw, err = perquintillFromRational(q2, sum); err != nil {
			return pl, false, err
		}
	}
	if !p.weightInBounds(nw) {
		return pl, false, nil
	}
	return Pool{Alpha: Rao(nx.lo), TAO: Rao(ny.lo), TAOWeight: nw}, true, nil
}

// NewSubnetPool returns the pool of a newly registered subnet (dtao.md §8.7): y = max(lockPaid,
// NetworkMinLockCost), x = floor(y / median) where median is the median of the positive spot
// prices of the existing subnets (1 if none), weights 0.5. With an even number of prices the
// median is the mean of the two middle ones, truncated (tao's choice: §8.7 does not say).
// prices is not modified. The new subnet's SubnetAlphaOut is 0.
func (p Params) NewSubnetPool(lockPaid Rao, prices []U64F64) (Pool, error) {
	y := max(lockPaid, p.NetworkMinLockCost)
	median, err := medianPositive(prices)
	if err != nil {
		return Pool{}, err
	}
	x, err := U64F64FromInt(uint64(y)).Div(median)
	if err != nil {
		return Pool{}, err
	}
	return Pool{Alpha: Rao(x.Floor()), TAO: y, TAOWeight: halfWeight}, nil
}

func medianPositive(prices []U64F64) (U64F64, error) {
	pos := make([]U64F64, 0, len(prices))
	for _, v := range prices {
		if !v.IsZero() {
			pos = append(pos, v)
		}
	}
	if len(pos) == 0 {
		return U64F64One(), nil
	}
	slices.SortFunc(pos, U64F64.Cmp)
	n := len(pos)
	if n%2 == 1 {
		return pos[n/2], nil
	}
	s, c := pos[n/2-1].b.add(pos[n/2].b)
	m := s.shr(1)
	if c {
		m.hi |= 1 << 63
	}
	return U64F64{m}, nil
}
