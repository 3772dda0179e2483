package yuma

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// The optimized kernels against the spec's steps written literally (dense,
// n² loops), on random inputs.

// naiveConsensus is §3.6's definition: C_j = min{x_k : F(x_k) > μ}.
func naiveConsensus(w *sparse, a []int64, kappa uint16) []int64 {
	n := w.rows()
	var uids []int
	var sp []int64
	for i, ai := range a {
		if ai > 0 {
			uids, sp = append(uids, i), append(sp, ai)
		}
	}
	c := make([]int64, n)
	if len(uids) == 0 {
		return c
	}
	normalize(sp)
	mu := sub(sum(sp), frac(kappa))
	for j := range n {
		x := make([]int64, len(uids))
		for k, i := range uids {
			cols, vals := w.row(i)
			for t, cj := range cols {
				if int(cj) == j {
					x[k] = vals[t] // the last entry would win
				}
			}
		}
		best, found := int64(0), false
		for _, xk := range x {
			var f int64
			for l, xl := range x {
				if xl <= xk {
					f += sp[l]
				}
			}
			if f > mu && (!found || xk < best) {
				best, found = xk, true
			}
		}
		if !found {
			best = slices.Max(x)
		}
		c[j] = best
	}
	return c
}

// denseRow reads row i of m as n values (absent = 0).
func denseRow(m *sparse, i, n int) []int64 {
	d := make([]int64, n)
	cols, vals := m.row(i)
	for k, j := range cols {
		d[j] = vals[k]
	}
	return d
}

// naiveInterpolate is §3.9's "otherwise" branch, literally.
func naiveInterpolate(w, wbar *sparse, beta int64, n int) [][]ent {
	out := make([][]ent, n)
	for i := range n {
		wr, br := denseRow(w, i, n), denseRow(wbar, i, n)
		out[i] = []ent{}
		for j := range n {
			if x := add(wr[j], mul(beta, sub(br[j], wr[j]))); x > 0 {
				out[i] = append(out[i], ent{int32(j), x})
			}
		}
	}
	return out
}

// naiveLiquidAlpha is §3.12.3 literally, with the look-ups for every j.
func naiveLiquidAlpha(wb, b *sparse, c []int64, sg sigmoid, n int) [][]ent {
	out := make([][]ent, n)
	for i := range n {
		wcols, wvals := wb.row(i)
		bcols, bvals := b.row(i)
		alpha := make([]int64, n)
		pw, pb := 0, 0
		for j := range n {
			var wt, bt int64
			for pw < len(wcols) {
				if int(wcols[pw]) < j {
					pw++
					continue
				}
				if int(wcols[pw]) == j {
					wt = wvals[pw]
				}
				break
			}
			for pb < len(bcols) {
				if int(bcols[pb]) < j {
					pb++
					continue
				}
				if int(bcols[pb]) == j {
					bt = bvals[pb]
				}
				break
			}
			alpha[j] = sg.alpha(c[j], wt, bt)
		}
		dec := make([]int64, n)
		for k, j := range bcols {
			dec[j] = mul(sub(one, alpha[j]), bvals[k])
		}
		out[i] = []ent{}
		for k, j := range wcols {
			if e := min(one, add(dec[j], max(0, mul(alpha[j], wvals[k])))); e > 0 {
				out[i] = append(out[i], ent{j, e})
			}
		}
	}
	return out
}

// naiveEMA is mat_ema_sparse (§3.11.4) with a dense accumulator per row.
func naiveEMA(next, old *sparse, alpha int64, n int) [][]ent {
	out := make([][]ent, n)
	for i := range n {
		acc := make([]int64, n)
		cols, vals := next.row(i)
		for k, j := range cols {
			acc[j] = add(acc[j], mul(alpha, vals[k]))
		}
		cols, vals = old.row(i)
		for k, j := range cols {
			acc[j] = add(acc[j], mul(sub(one, alpha), vals[k]))
		}
		out[i] = []ent{}
		for j, v := range acc {
			if v > 0 {
				out[i] = append(out[i], ent{int32(j), v})
			}
		}
	}
	return out
}

func equalRows(a, b [][]ent) bool {
	return slices.EqualFunc(a, b, func(x, y []ent) bool { return slices.Equal(x, y) })
}

func TestKernelsAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	for it := range 400 {
		in := genInput(r, genOpts{maxN: 20, sortedRows: it%3 == 0})
		st := run(&in)
		n := in.N
		if got, want := st.c, naiveConsensus(&st.w, st.a, in.Hyper.Kappa); !slices.Equal(got, want) {
			t.Fatalf("case %d: consensus %v, naive %v", it, got, want)
		}
		beta := int64(r.Uint64N(uint64(one) + 1))
		got := rowsOf(ptr(bondWeights(&st.w, &st.wbar, st.c, uint16(beta>>16))))
		if b := frac(uint16(beta >> 16)); b != 0 && b != one {
			if want := naiveInterpolate(&st.w, &st.wbar, b, n); !equalRows(got, want) {
				t.Fatalf("case %d: interpolate %v, naive %v", it, got, want)
			}
		}
		b := storedBonds(&in, true)
		sg := newSigmoid(in.Hyper)
		if got, want := rowsOf(ptr(liquidAlphaEMA(&st.wb, &b, st.c, sg, n))), naiveLiquidAlpha(&st.wb, &b, st.c, sg, n); !equalRows(got, want) {
			t.Fatalf("case %d: liquid alpha %v, naive %v", it, got, want)
		}
		alpha := emaAlpha(&in.Hyper)
		if got, want := rowsOf(ptr(denseEMA(&st.wb, &b, alpha, n))), naiveEMA(&st.wb, &b, alpha, n); !equalRows(got, want) {
			t.Fatalf("case %d: EMA %v, naive %v", it, got, want)
		}
	}
}

func ptr[T any](v T) *T { return &v }

// TestWeightedSelect compares the quickselect with a scan of the sorted
// keys, on columns with many ties and zero stakes.
func TestWeightedSelect(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 37))
	for it := range 6000 {
		m := 1 + r.IntN(300)
		sp := make([]int64, m)
		keys := make([]int64, m)
		span := int64(1 + r.IntN(1<<r.IntN(33)))
		for k := range m {
			if r.IntN(10) > 0 {
				sp[k] = int64(r.Uint64N(1 << 26))
			}
			keys[k] = (1+r.Int64N(span))<<keyBits | int64(k)
		}
		var total int64
		for _, s := range sp {
			total += s
		}
		tgt := int64(r.Uint64N(uint64(total+2))) - 1
		if it%10 == 0 {
			tgt = -1 - r.Int64N(3) // every value qualifies
		}
		sorted := slices.Clone(keys)
		slices.Sort(sorted)
		want, wantOK := int64(0), false
		var acc int64
		for p, key := range sorted {
			acc += sp[key&keyMask]
			last := p == len(sorted)-1 || sorted[p+1]>>keyBits != key>>keyBits
			if last && acc > tgt {
				want, wantOK = key>>keyBits, true
				break
			}
		}
		got, ok := weightedSelect(slices.Clone(keys), sp, tgt)
		if got != want || ok != wantOK {
			t.Fatalf("case %d: weightedSelect = %d, %v; want %d, %v", it, got, ok, want, wantOK)
		}
	}
}

// TestEMASameColumns checks denseEMA against naiveEMA where the rows of
// both matrices hold the same sorted uids (emaMerge's no-merge path), with
// edge values and α.
func TestEMASameColumns(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 67))
	edge := []int64{0, 1, -1, half, one - 1, one, one + 1, maxI, minI, 65535 << 32}
	pick := func() int64 {
		if r.IntN(6) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return r.Int64N(one)
	}
	for range 500 {
		n := 1 + r.IntN(20)
		next, old := newSparse(n, 0), newSparse(n, 0)
		for range n {
			for j := range n {
				if r.IntN(3) > 0 {
					next.push(int32(j), pick())
					old.push(int32(j), pick())
				}
			}
			next.endRow()
			old.endRow()
		}
		alpha := pick()
		if got, want := rowsOf(ptr(denseEMA(&next, &old, alpha, n))), naiveEMA(&next, &old, alpha, n); !equalRows(got, want) {
			t.Fatalf("denseEMA = %v, want %v", got, want)
		}
	}
}

// TestClipRanks checks the fused clip and ranks against clip and ranks, with
// and without dropped entries.
func TestClipRanks(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 97))
	for it := range 400 {
		in := genInput(r, genOpts{maxN: 20, sortedRows: it%3 == 0})
		st := run(&in)
		n := in.N
		c := slices.Clone(st.c)
		if it%2 == 0 { // no drops: the fused pass
			for j := range c {
				if c[j] == 0 {
					c[j] = int64(1 + r.IntN(1<<33))
				}
			}
		}
		a := slices.Clone(st.a)
		if it%5 == 0 && n > 0 {
			a[r.IntN(n)] = []int64{maxI, one, minI}[r.IntN(3)]
		}
		wbar, vt, rk, pr := clipRanks(&st.w, c, a, n)
		wbar2, vt2 := clip(&st.w, c)
		if !equalRows(rowsOf(&wbar), rowsOf(&wbar2)) || !slices.Equal(vt, vt2) ||
			!slices.Equal(rk, ranks(&wbar2, a, n)) || !slices.Equal(pr, ranks(&st.w, a, n)) {
			t.Fatalf("case %d: clipRanks differs from clip and ranks", it)
		}
	}
}
