package yuma

import "slices"

// yuma3Bonds runs §3.12 and returns D (normalized) and EMA_out (= the EMA).
func yuma3Bonds(in *Input, wb *sparse, a, c, inc []int64) ([]int64, sparse) {
	n := in.N
	b := storedBonds(in, true) // §3.12.1
	var ema sparse
	if in.Hyper.LiquidAlpha && slices.ContainsFunc(c, func(x int64) bool { return x != 0 }) {
		ema = liquidAlphaEMA(wb, &b, c, newSigmoid(in.Hyper), n) // §3.12.3
	} else {
		ema = denseEMA(wb, &b, emaAlpha(&in.Hyper), n) // §3.12.2
	}

	// §3.12.4-5: B̂ = the column-normalized EMA, each entry used once here,
	// so computed on the fly instead of stored.
	colsum := ema.colSums(n)
	rm := colRecips(colsum)
	d := make([]int64, n)
	for i := range n {
		cols, vals := ema.row(i)
		var t int64
		for k, j := range cols {
			v := vals[k] // as divCols does
			if r := rm[j]; r != 0 && uint64(v) < 1<<32 {
				v = int64(divSmallDividend(uint64(v)<<32, uint64(colsum[j]), r))
			} else if colsum[j] != 0 {
				v = div(v, colsum[j])
			}
			t = add(t, mulFast(v, inc[j]))
		}
		if p, ok := mulFloor(t, a[i]); ok {
			d[i] = p
		}
	}
	normalize(d)
	releaseSparse(&b)
	return d, ema // §3.12.6
}

// liquidAlphaEMA is compute_liquid_alpha_values_sparse followed by
// mat_ema_alpha_sparse (§3.12.3).
//
// The spec evaluates α_ij for every j = 0..n−1, looking W̃B and B̃ up with two
// forward-only cursors. Only the α of columns in WB row i reach the result
// (dec_j is read only there), and a cursor's position after the look-ups
// j_1 < j_2 depends only on j_2 (advancing past c < j_1 then past c < j_2 is
// advancing past c < j_2), so running the cursors at those columns alone, in
// ascending order, gives the same look-ups — including the misses of an
// unsorted row (quirk Q2). Cost: O(nnz log) per epoch instead of n².
func liquidAlphaEMA(wb, b *sparse, c []int64, sg sigmoid, n int) sparse {
	rows := wb.rows()
	out := newSparse(rows, len(wb.col))
	alpha := make([]int64, n) // α_ij for the columns of the current row
	dec := make([]int64, n)   // dec_j for the columns of the current row
	inRow := make([]int32, n) // inRow[j] = i+1 when j is in WB row i
	alpha0 := sg.alphaOf(0)   // d = 0 is common (w ≤ C_j, or no bond)
	var sorted, pendJ []int32 // pendJ, pendD: the columns with d ≠ 0
	var pendD []int64
	for i := range rows {
		wcols, wvals := wb.row(i)
		bcols, bvals := b.row(i)
		if len(wcols) == 0 {
			out.endRow()
			continue
		}
		qs := wcols // the look-up columns, ascending
		if !slices.IsSorted(qs) {
			sorted = append(sorted[:0], wcols...)
			slices.Sort(sorted)
			qs = sorted
		}
		stamp := int32(i + 1)
		pw, pb := 0, 0
		pendJ, pendD = pendJ[:0], pendD[:0]
		for _, j := range qs {
			for pw < len(wcols) && wcols[pw] < j {
				pw++
			}
			var wt, bt int64
			if pw < len(wcols) && wcols[pw] == j {
				wt = wvals[pw]
			}
			for pb < len(bcols) && bcols[pb] < j {
				pb++
			}
			if pb < len(bcols) && bcols[pb] == j {
				bt = bvals[pb]
			}
			if d := diff(c[j], wt, bt); d == 0 {
				alpha[j] = alpha0
			} else {
				pendJ, pendD = append(pendJ, j), append(pendD, d)
			}
			dec[j], inRow[j] = 0, stamp
		}
		sg.alphaOfMany(pendD, pendJ, alpha)
		// dec_j = mul(ONE−α_ij, v) for the B entries; only those at WB
		// columns are read below (alpha[j] of other columns may be stale).
		for k, j := range bcols {
			if inRow[j] == stamp {
				dec[j] = mulFast(sub(one, alpha[j]), bvals[k])
			}
		}
		for k, j := range wcols { // WB order
			e := min(one, add(dec[j], max(0, mulFast(alpha[j], wvals[k]))))
			if e > 0 {
				out.push(j, e)
			}
		}
		out.endRow()
	}
	return out
}
