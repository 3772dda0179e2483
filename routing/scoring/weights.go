package scoring

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// Errors of Weights.
var (
	// ErrNoScores: no uid has a positive score, so there is nothing to set.
	// Keep querying; set weights once some miner has verified answers.
	ErrNoScores = errors.New("scoring: no positive scores; query miners before setting weights")
	// ErrMaxWeight: the row cannot meet MaxWeightsLimit with the uids it has
	// (k uids need limit ≥ 1/k). Score more miners or lower the floor.
	ErrMaxWeight = errors.New("scoring: too few weights to meet the max weight limit")
)

// Row is a weight row as set_weights takes it: uids strictly ascending (the
// liquid-alpha lookup assumes sorted rows, spec/yuma.md §3.12.3 quirk Q2)
// and one u16 value per uid. The caller owns the slices.
type Row struct {
	UIDs   []uint16
	Values []uint16
}

// WeightParams are the subnet's limits on a weight row (spec/yuma.md §8.1).
type WeightParams struct {
	// N is the number of uids of the subnet; scores of uids ≥ N are ignored.
	N int
	// Floor drops uids whose normalised weight is below it (then the rest is
	// renormalised); zero keeps every positive score.
	Floor float64
	// MinAllowed is MinAllowedWeights: the row gets min(MinAllowed, N) uids
	// at least, padded first with dropped uids by score, then with explicit
	// zeros in uid order. Zero means 1.
	MinAllowed int
	// MaxLimit is MaxWeightsLimit (parts of 65 535): no normalised value may
	// exceed it. Zero or 65 535 means no limit.
	MaxLimit uint16
}

// Weights turns scores (indexed by uid) into the row to commit: normalise
// the positive scores, drop those below p.Floor, pad to p.MinAllowed, cap
// at p.MaxLimit (the excess goes to the others pro rata), and convert to u16
// with the largest weight at 65 535. The result passes the chain's checks of
// §8.1 on length and on the max weight limit (MaxWeightOK); the chain then
// stores MaxUpscale(row.Values). Negative, NaN and infinite scores count as 0.
func Weights(scores []float64, p WeightParams) (Row, error) {
	n := min(p.N, len(scores))
	if p.N <= 0 {
		return Row{}, fmt.Errorf("scoring: N = %d: %w", p.N, ErrNoScores)
	}
	w := make([]float64, n)
	var sum float64
	for j := range n {
		if s := scores[j]; finite(s) && s > 0 {
			w[j] = s
			sum += s
		}
	}
	if sum == 0 {
		return Row{}, ErrNoScores
	}
	keep := make([]bool, n)
	var kept float64
	for j := range n {
		w[j] /= sum
		if w[j] > 0 && w[j] >= p.Floor {
			keep[j] = true
			kept += w[j]
		}
	}
	// Pad: best dropped uids first, then explicit zeros in uid order.
	need := min(max(p.MinAllowed, 1), p.N)
	order := make([]int, n)
	for j := range order {
		order[j] = j
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if w[a] != w[b] {
			if w[a] > w[b] {
				return -1
			}
			return 1
		}
		return a - b
	})
	count := 0
	for j := range n {
		if keep[j] {
			count++
		}
	}
	for _, j := range order {
		if count >= need {
			break
		}
		if !keep[j] {
			keep[j] = true
			kept += w[j]
			count++
		}
	}
	var uids []uint16
	var vals []float64
	for j := range n {
		if keep[j] {
			uids = append(uids, uint16(j))
			vals = append(vals, w[j]/kept)
		}
	}
	for j := n; len(uids) < need; j++ { // zeros for uids without scores
		uids = append(uids, uint16(j))
		vals = append(vals, 0)
	}
	if p.MaxLimit != 0 && p.MaxLimit != math.MaxUint16 {
		if err := capAt(vals, float64(p.MaxLimit)/65535); err != nil {
			return Row{}, err
		}
	}
	row := Row{UIDs: uids, Values: toU16(vals)}
	if p.MaxLimit != 0 {
		// Rounding to u16 may push the largest share a hair above the
		// limit; lower the largest values until the chain's exact check
		// passes. capAt left a margin, so this takes a few steps at most.
		for range 1 << 16 {
			if MaxWeightOK(row.Values, p.MaxLimit) {
				return row, nil
			}
			m := slices.Max(row.Values)
			if m == 0 {
				break
			}
			for i, v := range row.Values {
				if v == m {
					row.Values[i]--
				}
			}
		}
		return Row{}, ErrMaxWeight
	}
	return row, nil
}

// capAt caps every share of v (which sums to 1) at limit and gives the
// excess to the uncapped shares in proportion (equally, if they are all 0),
// repeating until none exceeds it; each pass caps at least one more share.
func capAt(v []float64, limit float64) error {
	if float64(len(v))*limit < 1 {
		return fmt.Errorf("%d uids with limit %.6f: %w", len(v), limit, ErrMaxWeight)
	}
	limit *= 1 - 1e-9 // margin for the u16 rounding
	capped := make([]bool, len(v))
	for range len(v) {
		var excess, free float64
		var open int
		for i, x := range v {
			switch {
			case capped[i]:
			case x > limit:
				excess += x - limit
				v[i], capped[i] = limit, true
			default:
				free += x
				open++
			}
		}
		if excess == 0 || open == 0 {
			return nil
		}
		for i, x := range v {
			if capped[i] {
				continue
			}
			if free > 0 {
				v[i] = x + excess*x/free
			} else {
				v[i] = excess / float64(open)
			}
		}
	}
	return nil
}

// toU16 scales v so its maximum is 65 535, rounding to nearest.
func toU16(v []float64) []uint16 {
	m := slices.Max(v)
	out := make([]uint16, len(v))
	if m <= 0 {
		return out
	}
	for i, x := range v {
		out[i] = uint16(min(math.Round(x/m*65535), 65535))
	}
	return out
}

// MaxUpscale is the chain's vec_u16_max_upscale_to_u16 (spec/yuma.md §8.1),
// exact in the I32F32 fixed point: with m = max(q(v)), all 0 if m = 0; if
// m > q(32768), to_u16(round(mul(q(v), div(q(65535), m)))) (ratio first);
// else to_u16(round(div(mul(q(v), q(65535)), m))). [40000, 20000, 1] →
// [65535, 32767, 2]; [1, 2, 3] → [21845, 43690, 65535]. It returns a new
// slice.
func MaxUpscale(v []uint16) []uint16 {
	out := make([]uint16, len(v))
	if len(v) == 0 {
		return out
	}
	mv := uint64(slices.Max(v))
	if mv == 0 {
		return out
	}
	const one = uint64(1) << 32
	m := mv << 32 // q(max)
	for i, x := range v {
		var a uint64 // Q32 bits of the unrounded result, ≥ 0
		if mv > 32768 {
			// ratio = div(q(65535), m) = trunc(65535·2^64 / m)
			hi, lo := bits.Mul64(65535<<32, one)
			ratio, _ := bits.Div64(hi, lo, m)
			// mul(q(x), ratio) = floor(x·2^32·ratio / 2^32) = x·ratio
			a = uint64(x) * ratio
		} else {
			// mul(q(x), q(65535)) = x·65535·2^32; div(·, m) = trunc(·2^32 / m)
			hi, lo := bits.Mul64(uint64(x)*65535<<32, one)
			a, _ = bits.Div64(hi, lo, m)
		}
		// round (ties away from zero) then to_u16 (floor, clamp).
		out[i] = uint16(min((a+one/2)>>32, 65535))
	}
	return out
}

// MaxWeightOK is the chain's max weight check (spec/yuma.md §8.1,
// check_vec_max_limited), exact in I32F32: true if limit is 65 535, or if
// max(normalize(q(values))) ≤ frac(limit), i.e.
// trunc(max·2^32/Σ) ≤ trunc(limit·2^32/65535). An all-zero row passes.
func MaxWeightOK(values []uint16, limit uint16) bool {
	if limit == math.MaxUint16 || len(values) == 0 {
		return true
	}
	var sum, mx uint64
	for _, v := range values {
		sum += uint64(v)
		mx = max(mx, uint64(v))
	}
	if sum == 0 {
		return true
	}
	return mx<<32/sum <= uint64(limit)<<32/65535
}
