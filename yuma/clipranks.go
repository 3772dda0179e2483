package yuma

// clipRanks is clip(w, c) followed by ranks of the clipped and of the raw
// weights (§3.7, §3.8): W̄, the validator trust, R = ranks(W̄) and
// ranks(W). Where nothing is dropped (W̄ shares W's structure) it does all
// three in one pass over the entries, adding to each rank in the same
// order as ranks does (row by row, entries in stored order), so the
// saturating sums are the same.
func clipRanks(w *sparse, c, a []int64, n int) (wbar sparse, vt, r, pr []int64) {
	for k, j := range w.col {
		if c[j] == 0 && w.val[k] > 0 {
			wbar, vt = clip(w, c)
			return wbar, vt, ranks(&wbar, a, n), ranks(w, a, n)
		}
	}
	rows := w.rows()
	vt, r, pr = make([]int64, rows), make([]int64, n), make([]int64, n)
	val := getBuf[int64](&i64Pool, len(w.val))[:len(w.val)]
	wbar = sparse{ptr: w.ptr, col: w.col, val: val}
	for i := range rows {
		lo, hi := w.ptr[i], w.ptr[i+1]
		cols, vals, out := w.col[lo:hi], w.val[lo:hi], val[lo:hi]
		var s int64
		for k, j := range cols {
			v := min(vals[k], c[j])
			out[k] = v
			s = add(s, v)
		}
		vt[i] = s
		if ai := a[i]; ai != 0 {
			for k, j := range cols {
				r[j] = add(r[j], mulFast(ai, out[k]))
				pr[j] = add(pr[j], mulFast(ai, vals[k]))
			}
		}
	}
	return wbar, vt, r, pr
}
