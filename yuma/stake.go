package yuma

import (
	"math/bits"
	"slices"
)

// u128 is an unsigned 128-bit integer, enough for the raw stakes of §3.2.
type u128 struct{ hi, lo uint64 }

func (a u128) add(b u128) u128 {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return u128{a.hi + b.hi + c, lo}
}

func (a u128) less(b u128) bool { return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo) }

func (a u128) sub(b u128) u128 {
	lo, c := bits.Sub64(a.lo, b.lo, 0)
	return u128{a.hi - b.hi - c, lo}
}

func (a u128) shl1() u128 { return u128{a.hi<<1 | a.lo>>63, a.lo << 1} }

// fixedRatio returns floor(f·2^32/d) for 0 ≤ f ≤ d, d > 0 (at most 2^32).
func fixedRatio(f, d u128) int64 {
	if d.hi == 0 {
		// f ≤ d < 2^64, so the high word f>>32 is below d.
		qu, _ := bits.Div64(f.lo>>32, f.lo<<32, d.lo)
		return int64(qu)
	}
	return fixedRatioWide(f, d)
}

// rawStakes returns F'_i = R_i/2^32 for every uid (§3.2: R_i is a multiple of
// 2^32, so this is exact) and their sum Σ R_i/2^32.
func rawStakes(in *Input) ([]u128, u128) {
	f := make([]u128, in.N)
	var total u128
	if in.AlphaStake != nil {
		// w_τ = floor(tao_weight_u64·2^32/(2^64−1)); tao_weight_u64 < 2^64 so
		// the high word is below the divisor.
		wt, _ := bits.Div64(in.TaoWeight>>32, in.TaoWeight<<32, ^uint64(0))
		for i := range in.N {
			f[i] = u128{in.AlphaStake[i] >> 32, in.AlphaStake[i] << 32}
			if in.TaoStake != nil {
				hi, lo := bits.Mul64(in.TaoStake[i], wt)
				f[i] = f[i].add(u128{hi, lo})
			}
			total = total.add(f[i])
		}
		return f, total
	}
	for i := range in.N {
		f[i] = u128{in.Stake[i] >> 32, in.Stake[i] << 32}
		total = total.add(f[i])
	}
	return f, total
}

// stakeWeights computes S (§3.2): the stake threshold, then
// S_i = floor(F_i·2^32/ΣF), all 0 when ΣF = 0.
func stakeWeights(in *Input) []int64 {
	f, _ := rawStakes(in)
	thr := u128{in.Hyper.StakeThreshold >> 32, in.Hyper.StakeThreshold << 32}
	var total u128
	for i := range f {
		// floor(R_i/2^64) < threshold ⇔ F'_i < threshold·2^32.
		if !(in.HasOwner && i == in.OwnerUID) && f[i].less(thr) {
			f[i] = u128{}
		}
		total = total.add(f[i])
	}
	s := make([]int64, in.N)
	if total == (u128{}) {
		return s
	}
	for i := range f {
		s[i] = fixedRatio(f[i], total)
	}
	return s
}

// permits returns P (used now) and P' (for the next epoch) of §3.3.
func permits(in *Input, s []int64) (now, next []bool) {
	n := in.N
	now = make([]bool, n)
	if in.ValidatorPermit != nil {
		copy(now, in.ValidatorPermit)
	}
	next = make([]bool, n)
	for i := range n {
		next[i] = s[i] != 0
	}
	if k := int(in.Hyper.MaxAllowedValidators); n >= k {
		// is_topk_nonzero: a stable ascending sort by stake; the first n−K
		// lose their permit (equal stakes keep uid order).
		for _, i := range lowestStakes(s, n-k) {
			next[i] = false
		}
	}
	if in.HasOwner {
		now[in.OwnerUID] = true
		next[in.OwnerUID] = true
	}
	return now, next
}

// lowestStakes returns the uids of the first m of a stable ascending sort of
// s by value (equal stakes in uid order). Stakes in [0, 2^51) sort as keys
// stake<<12 | uid, which orders exactly so, without a comparator; others
// take the stable sort.
func lowestStakes(s []int64, m int) []int32 {
	order := make([]int32, len(s))
	if len(s) <= 1<<keyBits && !slices.ContainsFunc(s, func(x int64) bool { return uint64(x) >= 1<<51 }) {
		keys := make([]int64, len(s))
		for i, x := range s {
			keys[i] = x<<keyBits | int64(i)
		}
		slices.Sort(keys)
		for p, key := range keys {
			order[p] = int32(key & keyMask)
		}
		return order[:m]
	}
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortStableFunc(order, func(x, y int32) int {
		switch {
		case s[x] < s[y]:
			return -1
		case s[x] > s[y]:
			return 1
		}
		return 0
	})
	return order[:m]
}
