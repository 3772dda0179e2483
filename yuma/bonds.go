package yuma

import "math"

// lastTempo is §3.10's last_tempo: LMS+1 if LMS ≠ 0, else max(0, b−T).
func lastTempo(in *Input) uint64 {
	if in.LastMechanismStepBlock != 0 {
		if in.LastMechanismStepBlock == math.MaxUint64 {
			return math.MaxUint64
		}
		return in.LastMechanismStepBlock + 1
	}
	if in.CurrentBlock < uint64(in.Tempo) {
		return 0
	}
	return in.CurrentBlock - uint64(in.Tempo)
}

// storedBonds converts the stored bond rows (q for Yuma2, frac for Yuma3)
// and applies the bond mask of §3.10: bonds to a uid registered at or
// after last_tempo are dropped.
func storedBonds(in *Input, yuma3 bool) sparse {
	n := in.N
	nnz := 0
	for _, r := range in.Bonds {
		nnz += len(r)
	}
	b := newSparse(n, nnz)
	lt := lastTempo(in)
	for i := range n {
		if in.Bonds != nil {
			for _, e := range in.Bonds[i] {
				if lt <= at(in.BlockAtRegistration, int(e.UID)) {
					continue
				}
				v := qU16(e.Value)
				if yuma3 {
					v = frac(e.Value)
				}
				b.push(int32(e.UID), v)
			}
		}
		b.endRow()
	}
	return b
}

func qU16(v uint16) int64 { return int64(v) << 32 }

// emaAlpha is α = ONE − floor(bonds_moving_average·2^32/10^6) (§3.11.3).
func emaAlpha(h *Hyper) int64 {
	return one - int64(h.BondsMovingAverage<<32/1_000_000)
}

// yuma2Bonds runs §3.11 and returns D (normalized) and EMA_out. ws is
// scratch space for at least len(wb.col) values.
func yuma2Bonds(in *Input, wb *sparse, a, inc, ws []int64) ([]int64, sparse) {
	n := in.N
	b := storedBonds(in, false) // §3.11.1
	b.colNormalize(n)

	// §3.11.2, with the column sums of the normalization on the way.
	delta := sparse{ptr: wb.ptr, col: wb.col, val: ws[:len(wb.val)]}
	colsum := make([]int64, n)
	var or uint64
	for i := range n {
		lo, hi := delta.ptr[i], delta.ptr[i+1]
		cols, vals, out := delta.col[lo:hi], wb.val[lo:hi], delta.val[lo:hi]
		for k, j := range cols {
			v := mulFast(vals[k], a[i])
			out[k] = v
			colsum[j] += v
			or |= uint64(v)
		}
	}
	if !plainSumsExact(or, len(delta.val)) {
		colsum = delta.colSums(n)
	}
	delta.divCols(colsum)

	ema := denseEMA(&delta, &b, emaAlpha(&in.Hyper), n) // §3.11.3-4
	ema.colNormalize(n)                                 // §3.11.5: B*

	d := make([]int64, n) // §3.11.6, and the column maxima of §3.11.7
	mx := make([]int64, n)
	for i := range n {
		cols, vals := ema.row(i)
		var s int64
		for k, j := range cols {
			s = add(s, mulFast(inc[j], vals[k]))
			mx[j] = max(mx[j], vals[k])
		}
		d[i] = s
	}
	normalize(d)

	ema.divCols(mx) // §3.11.7: colMaxUpscale
	releaseSparse(&b)
	return d, ema
}
