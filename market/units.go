package market

import (
	"fmt"
	"math/bits"
	"strconv"
)

// Rao is an amount of TAO or of a subnet's alpha in its smallest unit: 1 TAO = 10^9 rao, and
// likewise for alpha (dtao.md §1). Stored amounts are u64 rao.
type Rao uint64

// Unit amounts.
const (
	RaoPerTAO Rao = 1_000_000_000          // 1 TAO (or 1 alpha) in rao
	SupplyCap Rao = 21_000_000 * RaoPerTAO // C of dtao.md §3
)

// String formats r as whole units with nine decimals, e.g. "1.500000000".
func (r Rao) String() string {
	return strconv.FormatUint(uint64(r/RaoPerTAO), 10) + "." + fmt.Sprintf("%09d", uint64(r%RaoPerTAO))
}

// addRao returns a+b or ErrOverflow.
func addRao(a, b Rao) (Rao, error) {
	s, c := bits.Add64(uint64(a), uint64(b), 0)
	if c != 0 {
		return 0, ErrOverflow
	}
	return Rao(s), nil
}

// mulRao returns a·b or ErrOverflow.
func mulRao(a Rao, b uint64) (Rao, error) {
	h, l := bits.Mul64(uint64(a), b)
	if h != 0 {
		return 0, ErrOverflow
	}
	return Rao(l), nil
}

// Perquintill is a fraction in parts per 10^18 (dtao.md §1), the chain's sp-arithmetic type. Pool
// weights are Perquintills (§8.1). Values above PerquintillOne are invalid.
type Perquintill uint64

// PerquintillOne is 1 as a Perquintill.
const PerquintillOne Perquintill = 1_000_000_000_000_000_000

// Complement returns 1 − p.
func (p Perquintill) Complement() Perquintill {
	if p >= PerquintillOne {
		return 0
	}
	return PerquintillOne - p
}

// String formats p as a decimal fraction, e.g. "0.500000000000000000".
func (p Perquintill) String() string {
	return fmt.Sprintf("%d.%018d", uint64(p/PerquintillOne), uint64(p%PerquintillOne))
}

// PerquintillFromRational returns floor(num/den·10^18), the sp-arithmetic from_rational with
// rounding down. num ≤ den is required; den = 0 gives ErrDivisionByZero.
func PerquintillFromRational(num, den uint64) (Perquintill, error) {
	return perquintillFromRational(u128of(num), u128of(den))
}

func perquintillFromRational(num, den u128) (Perquintill, error) {
	if den.isZero() {
		return 0, ErrDivisionByZero
	}
	if num.cmp(den) > 0 {
		return 0, fmt.Errorf("perquintill %v/%v above one: %w", num, den, ErrBadInput)
	}
	q, _ := divmod(mulFull(num, u128of(uint64(PerquintillOne))), den)
	return Perquintill(q[0]), nil
}

// mulRound returns round(v·p) to the nearest integer with a half rounded up, §8.5's q1 and q2:
// floor((v·parts + 10^18/2) / 10^18), as the chain's balancer computes them
// (`mul_perquintill_round` adds ACCURACY/2 before its division; it does not use sp-arithmetic's
// `Perquintill * u128`, which would round a half down).
func (p Perquintill) mulRound(v u128) (u128, error) {
	q, r := divmod(mulFull(v, u128of(uint64(p))), u128of(uint64(PerquintillOne)))
	if r.lo >= uint64(PerquintillOne)/2 {
		var c uint64
		q[0], c = bits.Add64(q[0], 1, 0)
		q[1], c = bits.Add64(q[1], 0, c)
		q[2] += c
	}
	out, ok := q.to128()
	if !ok {
		return u128{}, ErrOverflow
	}
	return out, nil
}
