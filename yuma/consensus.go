package yuma

import (
	"math/bits"
	"slices"
)

// consensus computes C (§3.6, weighted_median_col_sparse): for every column
// j the smallest x_k with F(x_k) > μ, where F sums the renormalized active
// stakes s' of the rows whose weight is ≤ x.
//
// It works on the transpose of the non-zero entries of rows with a_i > 0, so
// the cost is O(nnz log nnz) rather than n² per epoch: a row absent from a
// column (or holding an explicit zero) contributes x = 0, and those rows'
// stake is Σ' minus the stake of the column's non-zero entries, exactly,
// since all sums are exact integers.
//
// ws is scratch space of at least len(w.col) values; its contents are
// overwritten.
func consensus(w *sparse, a []int64, kappa uint16, ws []int64) []int64 {
	n := w.rows()
	c := make([]int64, n)
	// s' = normalize(a_{i_1}, …, a_{i_m}) over the uids with a_i > 0.
	var uids []int32
	var sp []int64
	for i, ai := range a {
		if ai > 0 {
			uids = append(uids, int32(i))
			sp = append(sp, ai)
		}
	}
	m := len(uids)
	if m == 0 {
		return c
	}
	normalize(sp)
	total := sum(sp)
	mu := sub(total, frac(kappa))

	// Transpose: per column, keys x<<12 | k for the non-zero x = W_{i_k j}.
	// x ≤ ONE (a row-normalized weight) and k < 4096, so keys fit and sort
	// by value first.
	cnt := make([]int, n+1)
	for _, i := range uids {
		cols, vals := w.row(int(i))
		for t, j := range cols {
			if vals[t] > 0 {
				cnt[j+1]++
			}
		}
	}
	for j := range n {
		cnt[j+1] += cnt[j]
	}
	keys := ws[:cnt[n]]
	fill := slices.Clone(cnt[:n])
	for k, i := range uids {
		cols, vals := w.row(int(i))
		for t, j := range cols {
			if v := vals[t]; v > 0 {
				keys[fill[j]] = v<<keyBits | int64(k)
				fill[j]++
			}
		}
	}
	for j := range n {
		col := keys[cnt[j]:cnt[j+1]]
		c[j] = medianColumn(col, sp, total, mu, m)
	}
	return c
}

// medianColumn returns C_j for one column whose non-zero entries are col
// (keys value<<12 | k), given s', Σ', μ and m (§3.6). It reorders col.
func medianColumn(col []int64, sp []int64, total, mu int64, m int) int64 {
	if len(col) == m && mu < total {
		// Every row has an entry (uids are unique within a row), so F(0) =
		// total − Σ s' = 0 and the entries' stake, total, exceeds μ: the
		// selection below always succeeds, and needs no pass for F(0).
		x, _ := weightedSelect(col, sp, mu)
		return x
	}
	// F(0): the stake of the rows with x_k = 0.
	cum := total
	var top int64
	for _, key := range col {
		cum -= sp[key&keyMask]
		top = max(top, key)
	}
	if len(col) < m && cum > mu {
		return 0
	}
	// The smallest non-zero x with cum + Σ_{x_k ≤ x} s'_k > μ; μ and cum lie
	// in [−ONE, ONE], so μ − cum does not overflow.
	if x, ok := weightedSelect(col, sp, mu-cum); ok {
		return x
	}
	return top >> keyBits // none qualifies (κ = 0): the maximum (0 if empty)
}

const (
	keyBits = 12 // uid index bits of a consensus key (n ≤ 4096)
	keyMask = 1<<keyBits - 1
)

// weightedSelect returns the smallest value x of keys with Σ_{value ≤ x} s' > t,
// by quickselect on values, permuting keys. Each round takes a median-of-3
// pivot, sums the stake below and at it in one branch-free pass, and either
// returns the pivot or compacts the side holding the answer (without the
// pivot's values) to the front in a second branch-free pass: the data-
// dependent branches of a partition mispredict about half the time on
// random weights. Expected O(len(keys)); after 2·log2(len) rounds it falls
// back to sorting what remains, so adversarial weights cannot make it
// quadratic. Values are non-negative and below 2^51.
func weightedSelect(keys []int64, sp []int64, t int64) (int64, bool) {
	a := keys
	if t < 0 && len(a) > 0 { // every value qualifies: the minimum
		return slices.Min(a) >> keyBits, true
	}
	for budget := 2 * bits.Len(uint(len(a))); len(a) > 0; budget-- {
		if len(a) <= 8 || budget <= 0 {
			slices.Sort(a)
			for p := 0; p < len(a); {
				x := a[p] >> keyBits
				for ; p < len(a) && a[p]>>keyBits == x; p++ {
					t -= sp[a[p]&keyMask]
				}
				if t < 0 {
					return x, true
				}
			}
			return 0, false
		}
		pv := median3(a[0]>>keyBits, a[len(a)/2]>>keyBits, a[len(a)-1]>>keyBits)
		var wl, we int64
		for _, key := range a {
			x, w := key>>keyBits, sp[key&keyMask]
			wl += w & ((x - pv) >> 63)       // x < pv
			we += w & (((x ^ pv) - 1) >> 63) // x = pv
		}
		n := 0
		switch {
		case wl > t: // the answer is below pv
			for _, key := range a {
				a[n] = key
				n += int(uint64((key>>keyBits)-pv) >> 63)
			}
		case wl+we > t:
			return pv, true
		default: // above pv
			t -= wl + we
			for _, key := range a {
				a[n] = key
				n += int(uint64(pv-(key>>keyBits)) >> 63)
			}
		}
		a = a[:n]
	}
	return 0, false
}

func median3(a, b, c int64) int64 {
	if a > b {
		a, b = b, a
	}
	if b > c {
		b = c
	}
	return max(a, b)
}
