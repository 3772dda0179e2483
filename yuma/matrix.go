package yuma

import "slices"

// sparse is a matrix of n rows in compressed-row form (§1 "Sparse rows"):
// row i is the entries col[ptr[i]:ptr[i+1]], val[ptr[i]:ptr[i+1]] in stored
// order. Values are Q32 bits.
type sparse struct {
	ptr []int
	col []int32
	val []int64
}

// newSparse returns an empty matrix ready for n rows and about nnz entries.
func newSparse(n, nnz int) sparse {
	p := append(getBuf[int](&intPool, n+1), 0)
	return sparse{ptr: p, col: getBuf[int32](&i32Pool, nnz), val: getBuf[int64](&i64Pool, nnz)}
}

func (m *sparse) rows() int { return len(m.ptr) - 1 }

func (m *sparse) row(i int) ([]int32, []int64) {
	a, b := m.ptr[i], m.ptr[i+1]
	return m.col[a:b], m.val[a:b]
}

func (m *sparse) push(j int32, v int64) {
	m.col = append(m.col, j)
	m.val = append(m.val, v)
}

func (m *sparse) endRow() { m.ptr = append(m.ptr, len(m.col)) }

// clone returns a copy with its own values (the structure is shared: it is
// never modified in place).
func (m *sparse) clone() sparse {
	return sparse{ptr: m.ptr, col: m.col, val: append(getBuf[int64](&i64Pool, len(m.val)), m.val...)}
}

// colNormalize divides every entry by its column sum where that sum is not 0
// (§3.11.1 column-normalize), in place.
func (m *sparse) colNormalize(n int) {
	m.divCols(m.colSums(n))
}

// colSums returns the column sums by add. When every entry is non-negative
// and they are too small for even their total to overflow, those are plain
// sums, taken without add's checks (the OR of the entries bounds each); else
// it sums again with add.
func (m *sparse) colSums(n int) []int64 {
	colsum := make([]int64, n)
	val := m.val[:len(m.col)]
	var or uint64
	for k, j := range m.col {
		colsum[j] += val[k]
		or |= uint64(val[k])
	}
	if plainSumsExact(or, len(val)) {
		return colsum
	}
	clear(colsum)
	for k, j := range m.col {
		colsum[j] = add(colsum[j], val[k])
	}
	return colsum
}

// colMaxUpscale divides every entry by its column maximum where that is not
// 0 (§3.11.7 inplace_col_max_upscale_sparse), in place.
func (m *sparse) colMaxUpscale(n int) {
	mx := make([]int64, n)
	for k, j := range m.col {
		mx[j] = max(mx[j], m.val[k])
	}
	m.divCols(mx)
}

// plainSumsExact reports whether plain sums of count non-negative entries
// whose OR is or equal add's sums: their total stays below 2^62.
func plainSumsExact(or uint64, count int) bool {
	return or < (1<<62)/uint64(max(count, 1))
}

// divCols replaces every entry v of column j by div(v, by[j]) unless by[j]
// is 0. With at least one entry per column on average, a reciprocal per
// column is cheaper than a hardware divide per entry. Normalized entries
// are in [0, ONE] and sums positive: those take divSmallDividend (exact
// trunc(v·2^32/b), which fits for b ≥ 2); any other pair takes div.
func (m *sparse) divCols(by []int64) {
	if len(m.col) < len(by) {
		for k, j := range m.col {
			if by[j] != 0 {
				m.val[k] = div(m.val[k], by[j])
			}
		}
		return
	}
	if m.divColsScaled(by) {
		return
	}
	rm := colRecips(by)
	val := m.val[:len(m.col)]
	for k, j := range m.col {
		a := val[k]
		if r := rm[j]; r != 0 && uint64(a) < 1<<32 {
			val[k] = int64(divSmallDividend(uint64(a)<<32, uint64(by[j]), r))
		} else if by[j] != 0 {
			val[k] = div(a, by[j])
		}
	}
}

// colRecips returns floor((2^64−1)/by[j]) where by[j] ≥ 2, else 0: the
// reciprocals with which divCols (and the Yuma3 dividends, on the fly)
// divide entries in [0, 2^32) by divSmallDividend.
func colRecips(by []int64) []uint64 {
	rm := make([]uint64, len(by))
	for j, b := range by {
		if b >= 2 {
			rm[j] = ^uint64(0) / uint64(b)
		}
	}
	return rm
}

// divColsScaled is divCols where every divisor is B·2^32 with B ≥ 0 (the
// sums of Q32 integers: stored Yuma2 bonds): then div(a, B·2^32) =
// trunc(a·2^32/(B·2^32)) = trunc(a/B), a 64-by-64 division by the column's
// integer B, done by reciprocal for a ≥ 0. It reports false, changing
// nothing, where the divisors are not all of that form.
func (m *sparse) divColsScaled(by []int64) bool {
	for _, b := range by {
		if b < 0 || b&fracMask != 0 {
			return false
		}
	}
	rm := make([]uint64, len(by))
	for j, b := range by {
		if b >= 2<<32 {
			rm[j] = ^uint64(0) / uint64(b>>32)
		}
	}
	val := m.val[:len(m.col)]
	for k, j := range m.col {
		b, a := by[j], val[k]
		switch {
		case b >= 2<<32 && a >= 0:
			val[k] = int64(divSmallDividend(uint64(a), uint64(b>>32), rm[j]))
		case b != 0:
			val[k] = div(a, b)
		}
	}
	return true
}

// denseEMA is mat_ema_sparse (§3.11.4): for each row an accumulator over all
// n columns, first add(acc, mul(α, new)), then add(acc, mul(ONE−α, old)); the
// row keeps (j, acc_j) for j ascending where acc_j > 0.
//
// Only the columns present in either row can be non-zero, so a row costs
// O(entries): a linear merge when both rows are sorted by uid (the common
// case), else a scatter into a dense accumulator and a sort of the touched
// columns.
func denseEMA(next, old *sparse, alpha int64, n int) sparse {
	rows := next.rows()
	out := newSparse(rows, max(len(next.col), len(old.col)))
	oneMinus := sub(one, alpha)
	var acc []int64
	var mark []int32 // mark[j] = row+1 once acc[j] was set in that row
	var touched []int32
	for i := range rows {
		ncols, nvals := next.row(i)
		ocols, ovals := old.row(i)
		if slices.IsSorted(ncols) && slices.IsSorted(ocols) {
			emaMerge(&out, ncols, nvals, ocols, ovals, alpha, oneMinus)
			out.endRow()
			continue
		}
		if acc == nil {
			acc, mark = make([]int64, n), make([]int32, n)
		}
		stamp := int32(i + 1)
		touched = touched[:0]
		for k, j := range ncols {
			if mark[j] != stamp {
				mark[j], acc[j] = stamp, 0
				touched = append(touched, j)
			}
			acc[j] = add(acc[j], mul(alpha, nvals[k]))
		}
		for k, j := range ocols {
			if mark[j] != stamp {
				mark[j], acc[j] = stamp, 0
				touched = append(touched, j)
			}
			acc[j] = add(acc[j], mul(oneMinus, ovals[k]))
		}
		slices.Sort(touched)
		for _, j := range touched {
			if v := acc[j]; v > 0 {
				out.push(j, v)
			}
		}
		out.endRow()
	}
	return out
}

// emaMerge is one row of denseEMA for rows sorted by uid without repeats:
// acc_j = add(add(0, mul(α, new_j)), mul(ONE−α, old_j)) in one pass.
func emaMerge(out *sparse, ncols []int32, nvals []int64, ocols []int32, ovals []int64, alpha, oneMinus int64) {
	if slices.Equal(ncols, ocols) { // the same uids: no merge
		nvals, ovals = nvals[:len(ncols)], ovals[:len(ncols)]
		for k, j := range ncols {
			if v := add(mulFast(alpha, nvals[k]), mulFast(oneMinus, ovals[k])); v > 0 {
				out.push(j, v)
			}
		}
		return
	}
	a, b := 0, 0
	for a < len(ncols) || b < len(ocols) {
		var j int32
		var v int64
		switch {
		case b == len(ocols) || (a < len(ncols) && ncols[a] < ocols[b]):
			j, v = ncols[a], mulFast(alpha, nvals[a])
			a++
		case a == len(ncols) || ocols[b] < ncols[a]:
			j, v = ocols[b], mulFast(oneMinus, ovals[b])
			b++
		default: // same column
			j, v = ncols[a], add(mulFast(alpha, nvals[a]), mulFast(oneMinus, ovals[b]))
			a, b = a+1, b+1
		}
		if v > 0 {
			out.push(j, v)
		}
	}
}
