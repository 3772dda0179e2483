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
	p := make([]int, 1, n+1)
	return sparse{ptr: p, col: make([]int32, 0, nnz), val: make([]int64, 0, nnz)}
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
	return sparse{ptr: m.ptr, col: m.col, val: slices.Clone(m.val)}
}

// colNormalize divides every entry by its column sum where that sum is not 0
// (§3.11.1 column-normalize), in place.
func (m *sparse) colNormalize(n int) {
	colsum := make([]int64, n)
	for k, j := range m.col {
		colsum[j] = add(colsum[j], m.val[k])
	}
	for k, j := range m.col {
		if s := colsum[j]; s != 0 {
			m.val[k] = div(m.val[k], s)
		}
	}
}

// colMaxUpscale divides every entry by its column maximum where that is not
// 0 (§3.11.7 inplace_col_max_upscale_sparse), in place.
func (m *sparse) colMaxUpscale(n int) {
	mx := make([]int64, n)
	for k, j := range m.col {
		mx[j] = max(mx[j], m.val[k])
	}
	for k, j := range m.col {
		if d := mx[j]; d != 0 {
			m.val[k] = div(m.val[k], d)
		}
	}
}

// emaScratch is the reusable dense state of denseEMA.
type emaScratch struct {
	acc     []int64
	mark    []int32 // mark[j] = row+1 once acc[j] was touched in that row
	touched []int32
}

// denseEMA is mat_ema_sparse (§3.11.4): for each row an accumulator over all
// n columns, first add(acc, mul(α, new)), then add(acc, mul(ONE−α, old)); the
// row keeps (j, acc_j) for j ascending where acc_j > 0.
func denseEMA(next, old *sparse, alpha int64, n int) sparse {
	rows := next.rows()
	out := newSparse(rows, len(next.col)+len(old.col))
	s := emaScratch{acc: make([]int64, n), mark: make([]int32, n)}
	oneMinus := sub(one, alpha)
	for i := range rows {
		stamp := int32(i + 1)
		s.touched = s.touched[:0]
		touch := func(j int32, v int64) {
			if s.mark[j] != stamp {
				s.mark[j] = stamp
				s.acc[j] = 0
				s.touched = append(s.touched, j)
			}
			s.acc[j] = add(s.acc[j], v)
		}
		cols, vals := next.row(i)
		for k, j := range cols {
			touch(j, mul(alpha, vals[k]))
		}
		cols, vals = old.row(i)
		for k, j := range cols {
			touch(j, mul(oneMinus, vals[k]))
		}
		if !slices.IsSorted(s.touched) {
			slices.Sort(s.touched)
		}
		for _, j := range s.touched {
			if v := s.acc[j]; v > 0 {
				out.push(j, v)
			}
		}
		out.endRow()
	}
	return out
}
