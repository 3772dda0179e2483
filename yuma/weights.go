package yuma

import (
	"cmp"
	"slices"
)

// weights builds W (§3.5) from the stored rows: permit mask, diagonal mask
// (the owner's self-weight kept), outdated mask, commit-reveal mask, then
// row normalization. Entries keep their stored order; zeros stay.
func weights(in *Input, permit []bool) sparse {
	n := in.N
	nnz := 0
	for _, r := range in.Weights {
		nnz += len(r)
	}
	w := newSparse(n, nnz)
	var cutoff []OptBlock
	if in.Hyper.CommitReveal {
		cutoff = in.CommitBlocks
	}
	var maxRB uint64 // the latest registration block
	for _, b := range in.BlockAtRegistration {
		maxRB = max(maxRB, b)
	}
	for i := range n {
		start := len(w.col)
		if in.Weights != nil && permit[i] {
			lu := at(in.LastUpdate, i)
			c := OptBlock{}
			if cutoff != nil {
				c = cutoff[i]
			}
			var s int64
			keepSelf := in.HasOwner && i == in.OwnerUID
			// After every registration: steps 3 and 4 keep all entries.
			current := maxRB < lu && (!c.Valid || maxRB <= c.Block)
			for _, e := range in.Weights[i] {
				j := int(e.UID)
				switch {
				case j == i && !keepSelf: // step 2
				case !current && lu <= at(in.BlockAtRegistration, j): // step 3: set before j's latest registration
				case !current && c.Valid && c.Block < at(in.BlockAtRegistration, j): // step 4
				default:
					v := int64(e.Value) << 32
					w.push(int32(j), v)
					s += v // ≤ 4096·65535·2^32: no overflow
				}
			}
			// Step 5. s = S·2^32 and v = x·2^32, so div(v, s) =
			// trunc(v/S): by reciprocal (x·2^32 < 2^48), or v for S = 1.
			if S := uint64(s >> 32); S >= 2 {
				m := ^uint64(0) / S
				for k := start; k < len(w.val); k++ {
					w.val[k] = int64(divSmallDividend(uint64(w.val[k]), S, m))
				}
			}
		}
		w.endRow()
	}
	return w
}

// at reads v[i], a nil slice reading as zeros.
func at(v []uint64, i int) uint64 {
	if v == nil {
		return 0
	}
	return v[i]
}

// clip builds W̄ (§3.7): an entry above C_j becomes C_j, or is dropped when
// C_j = 0. It also returns VT, the row sums of W̄.
func clip(w *sparse, c []int64) (sparse, []int64) {
	n := w.rows()
	vt := make([]int64, n)
	drops := false
	for k, j := range w.col {
		if c[j] == 0 && w.val[k] > 0 {
			drops = true
			break
		}
	}
	if !drops {
		// Same structure as W: share it and clip the values only.
		out := sparse{ptr: w.ptr, col: w.col, val: getBuf[int64](&i64Pool, len(w.val))[:len(w.val)]}
		for i := range n {
			var s int64
			for k := w.ptr[i]; k < w.ptr[i+1]; k++ {
				v := min(w.val[k], c[w.col[k]])
				out.val[k] = v
				s = add(s, v)
			}
			vt[i] = s
		}
		return out, vt
	}
	out := newSparse(n, len(w.col))
	for i := range n {
		cols, vals := w.row(i)
		var s int64
		for k, j := range cols {
			v := vals[k]
			if cj := c[j]; cj < v {
				if cj == 0 {
					continue
				}
				v = cj
			}
			out.push(j, v)
			s = add(s, v)
		}
		vt[i] = s
		out.endRow()
	}
	return out, vt
}

// ranks returns Σ_i mul(a_i, M_ij) for every column j (§3.8).
func ranks(m *sparse, a []int64, n int) []int64 {
	r := make([]int64, n)
	for i := range m.rows() {
		if a[i] == 0 {
			continue
		}
		cols, vals := m.row(i)
		for k, j := range cols {
			r[j] = add(r[j], mulFast(a[i], vals[k]))
		}
	}
	return r
}

// bondWeights builds WB (§3.9, interpolate_sparse) from W, W̄ and C.
func bondWeights(w, wbar *sparse, c []int64, penalty uint16) sparse {
	beta := frac(penalty)
	switch beta {
	case 0:
		return *w
	case one:
		return *wbar
	}
	// For j ascending: x = add(W_ij, mul(β, sub(W̄_ij, W_ij))), kept if
	// x > 0. Columns absent from W are absent from W̄ too and give x = 0;
	// W̄_ij is min(W_ij, C_j) (an entry dropped by clipping reads as 0).
	n := w.rows()
	out := newSparse(n, len(w.col))
	type ent struct {
		j int32
		v int64
	}
	var row []ent
	for i := range n {
		cols, vals := w.row(i)
		row = row[:0]
		for k, j := range cols {
			row = append(row, ent{j, vals[k]})
		}
		slices.SortFunc(row, func(x, y ent) int { return cmp.Compare(x.j, y.j) })
		for _, e := range row {
			x := add(e.v, mul(beta, sub(min(e.v, c[e.j]), e.v)))
			if x > 0 {
				out.push(e.j, x)
			}
		}
		out.endRow()
	}
	return out
}
