package market

import "math/bits"

// q32One is 1 in Q32 (u64 bits over 2^32).
const q32One = uint64(1) << 32

// powQ32 returns f^e in Q32 by square-and-multiply (right to left) with every product floored
// (dtao.md §9, pow_q32). f < 2^32, so every product fits in 64 bits.
func powQ32(f, e uint64) uint64 {
	r := q32One
	for e > 0 {
		if e&1 != 0 {
			r = r * f >> 32
		}
		f = f * f >> 32
		e >>= 1
	}
	return r
}

// DecayFactor returns the per-block burn decay factor f in Q32 (dtao.md §9, decay_factor_q32):
// the largest f in [0, 2^32) with powQ32(f, halfLife) ≤ 1/2, found by bisection. For
// halfLife = 0 (no decay) it returns 2^32, i.e. 1. DecayFactor(360) = 4 286 705 684.
func DecayFactor(halfLife uint64) uint64 {
	if halfLife == 0 {
		return q32One
	}
	lo, hi := uint64(0), q32One-1 // powQ32(0) = 0 ≤ 1/2; the answer is in [lo, hi]
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if powQ32(mid, halfLife) <= q32One/2 {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// DecayBurn returns the neuron registration burn after block b's decay (dtao.md §9, step 1 of
// §2): burn·f/2^32 floored, with f = DecayFactor(BurnHalfLife), clamped to [MinBurn, MaxBurn].
// Blocks 0 and 1 skip the decay but still clamp, as the chain's
// update_registration_prices_for_networks (subnets/registration.rs) clamps every block. Callers
// that decay many subnets per block may compute DecayFactor once and use DecayBurnBy.
func (p Params) DecayBurn(burn Rao, b uint64) Rao {
	if b <= 1 {
		return p.clampBurn(burn)
	}
	return p.DecayBurnBy(burn, DecayFactor(p.BurnHalfLife))
}

// DecayBurnBy is DecayBurn with a precomputed factor f (Q32, at most 2^32) and no block check.
func (p Params) DecayBurnBy(burn Rao, f uint64) Rao {
	h, l := bits.Mul64(uint64(burn), f)
	return p.clampBurn(Rao(h<<32 | l>>32)) // < 2^64 since f ≤ 2^32
}

// BumpBurn returns the burn after a registration (dtao.md §9): floor(burn·BurnIncreaseMult),
// clamped to [MinBurn, MaxBurn].
func (p Params) BumpBurn(burn Rao) Rao {
	v, err := p.BurnIncreaseMult.MulRao(burn)
	if err != nil {
		return p.MaxBurn
	}
	return p.clampBurn(v)
}

func (p Params) clampBurn(b Rao) Rao { return min(max(b, p.MinBurn), p.MaxBurn) }
