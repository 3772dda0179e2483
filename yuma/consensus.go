package yuma

import "slices"

// consensus computes C (§3.6, weighted_median_col_sparse): for every column
// j the smallest x_k with F(x_k) > μ, where F sums the renormalized active
// stakes s' of the rows whose weight is ≤ x.
//
// It works on the transpose of the non-zero entries of rows with a_i > 0, so
// the cost is O(nnz log nnz) rather than n² per epoch: a row absent from a
// column (or holding an explicit zero) contributes x = 0, and those rows'
// stake is Σ' minus the stake of the column's non-zero entries, exactly,
// since all sums are exact integers.
func consensus(w *sparse, a []int64, kappa uint16) []int64 {
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
	keys := make([]uint64, cnt[n])
	fill := slices.Clone(cnt[:n])
	for k, i := range uids {
		cols, vals := w.row(int(i))
		for t, j := range cols {
			if v := vals[t]; v > 0 {
				keys[fill[j]] = uint64(v)<<12 | uint64(k)
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
// (keys value<<12 | k), given s', Σ', μ and m (§3.6).
func medianColumn(col []uint64, sp []int64, total, mu int64, m int) int64 {
	// F(0): the stake of the rows with x_k = 0.
	cum := total
	for _, key := range col {
		cum -= sp[key&0xfff]
	}
	if len(col) < m && cum > mu {
		return 0
	}
	if len(col) == 0 {
		return 0 // every x_k is 0: the maximum
	}
	slices.Sort(col)
	for t := 0; t < len(col); {
		x := col[t] >> 12
		for ; t < len(col) && col[t]>>12 == x; t++ {
			cum += sp[col[t]&0xfff]
		}
		if cum > mu {
			return int64(x)
		}
	}
	return int64(col[len(col)-1] >> 12) // none qualifies (κ = 0): the maximum
}
