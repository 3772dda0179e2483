package yuma

import (
	"math"
	"math/bits"
)

// Checked Q32 operations and the liquid-alpha sigmoid (spec/yuma.md
// §3.12.3). substrate-fixed's exp uses checked arithmetic: an overflow is an
// error, which exp_safe turns into 0 or the int64 maximum.

// expE is exp(ONE) as substrate-fixed returns it: e truncated to 23
// fractional bits (§3.12.3).
const expE int64 = 11674931200

// checkedAdd is add that fails with ErrOverflow instead of saturating.
func checkedAdd(a, b int64) (int64, error) {
	s, ok := addChecked(a, b)
	if !ok {
		return 0, ErrOverflow
	}
	return s, nil
}

// checkedMul is mul that fails with ErrOverflow instead of saturating.
func checkedMul(a, b int64) (int64, error) {
	p, ok := mulFloor(a, b)
	if !ok {
		return 0, ErrOverflow
	}
	return p, nil
}

// checkedDiv is div that fails with ErrDivByZero or ErrOverflow instead of
// returning 0.
func checkedDiv(a, b int64) (int64, error) {
	if b == 0 {
		return 0, ErrDivByZero
	}
	r, ok := divTrunc(a, b)
	if !ok {
		return 0, ErrOverflow
	}
	return r, nil
}

// expFixed is substrate-fixed transcendental::exp on Q32 bits, exactly as
// §3.12.3 writes it: 1 + y + Σ_{i=2..31} t_i with t_i = div(mul(t_{i−1}, y),
// q(i)), every operation checked, and 1/r for negative x.
func expFixed(x int64) (int64, error) {
	switch x {
	case 0:
		return one, nil
	case one:
		return expE, nil
	case math.MinInt64:
		return 0, ErrOverflow // |x| does not fit
	}
	y := x
	if y < 0 {
		y = -y
	}
	r, err := checkedAdd(one, y)
	if err != nil {
		return 0, err
	}
	t := uint64(y)
	for i := uint64(2); i <= 31 && t != 0; i++ {
		// mul(t, y) with t, y ≥ 0: floor(t·y/2^32), checked.
		hi, lo := bits.Mul64(t, uint64(y))
		if hi >= 1<<31 {
			return 0, ErrOverflow
		}
		t = hi<<32 | lo>>32
		// div(t, q(i)) = trunc(t·2^32/(i·2^32)) = floor(t/i) for t ≥ 0.
		t = divSmall63(t, i) // t < 2^63: hi < 2^31
		if r, err = checkedAdd(r, int64(t)); err != nil {
			return 0, err
		}
		// Once t is 0 it stays 0 and r no longer changes, so the loop may
		// stop early without changing the result.
	}
	if x < 0 {
		return checkedDiv(one, r)
	}
	return r, nil
}

// expSafe is math.rs exp_safe (§3.12.3): x clamped to [q(−20), q(20)], then
// expFixed, with an error mapped to 0 for x ≤ 0 and the int64 maximum else.
func expSafe(x int64) int64 {
	x = min(max(x, -20<<32), 20<<32)
	r, err := expFixed(x)
	if err != nil {
		if x <= 0 {
			return 0
		}
		return math.MaxInt64
	}
	return r
}

// sigmoid holds the per-epoch constants of alpha_sigmoid (§3.12.3).
type sigmoid struct {
	lo, hi int64 // frac(alpha_low), frac(alpha_high)
	kdiv   int64 // sdiv(q(steepness), q(−100))
}

func newSigmoid(h Hyper) sigmoid {
	return sigmoid{
		lo:   frac(h.AlphaLow),
		hi:   frac(h.AlphaHigh),
		kdiv: sdiv(q(int64(h.AlphaSigmoidSteepness)), q(-100)),
	}
}

// diff is the d of alpha_sigmoid(c, w, bo): the clamped buy or sell distance.
func diff(c, w, bo int64) int64 {
	if w >= bo {
		return max(min(sub(w, c), one), 0)
	}
	return max(min(sub(bo, w), one), 0)
}

// alphaOf is alpha_sigmoid as a function of d = diff(c, w, bo).
func (s sigmoid) alphaOf(d int64) int64 { return s.alphaOfExp(expSafe(s.expArg(d))) }

// expArg is the exponent of alpha_sigmoid at d.
func (s sigmoid) expArg(d int64) int64 { return mul(s.kdiv, sub(d, half)) }

// alphaOfExp is alpha_sigmoid given e = expSafe(s.expArg(d)).
func (s sigmoid) alphaOfExp(e int64) int64 {
	sg := sdiv(one, add(one, e))
	return max(min(add(s.lo, mul(sg, sub(s.hi, s.lo))), s.hi), s.lo)
}

// alpha is run_epoch.rs alpha_sigmoid(c, w, bo) (§3.12.3).
func (s sigmoid) alpha(c, w, bo int64) int64 { return s.alphaOf(diff(c, w, bo)) }
