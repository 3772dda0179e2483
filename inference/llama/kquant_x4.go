package llama

import "github.com/taonet/tao/inference/gguf"

// k4Group is four activation rows quantized as Q8_K, interleaved by block
// for the four-row K-quant kernels (Q4_K, Q5_K, Q6_K): block i's 256 values of row k at
// qs[i*1024+k*256:], its scale at d[i*4+k], its 16 sums at
// bsums[i*64+k*16:].
type k4Group struct {
	rows  [4]int // the batch rows
	gemm  bool   // summed in llama.cpp's gemm order (else gemv)
	qs    []int8
	d     []float32
	bsums []int16
}

// k4Groups is a batch's rows in four-row groups (k4Group, their data in
// qs, d and bsums, reused from one grouping to the next) and the rows left
// over (ok: current).
type k4Groups struct {
	groups []k4Group
	rest   []int
	qs     []int8
	d      []float32
	bsums  []int16
	ok     bool
}

// groupK4 returns the batch rows in groups of four, the rows llama.cpp's
// repacked kernels take in its gemm (a.gemm) apart from the rest when
// byOrder is set, with the one to three rows left over of each kind. It
// needs a.k8 current.
func (a *acts) groupK4(byOrder bool) *k4Groups {
	kg := &a.k4[0]
	kinds := []bool{false}
	if byOrder {
		kg, kinds = &a.k4[1], []bool{false, true}
	}
	if kg.ok {
		return kg
	}
	nb := a.n / 256
	kg.groups, kg.rest = kg.groups[:0], kg.rest[:0]
	if n := a.t &^ 3 * nb; len(kg.d) < n {
		kg.qs, kg.d, kg.bsums = make([]int8, n*256), make([]float32, n), make([]int16, n*16)
	}
	for _, gemm := range kinds {
		var rows []int
		for t := range a.t {
			if !byOrder || (a.gemm != nil && a.gemm[t]) == gemm {
				rows = append(rows, t)
			}
		}
		n := len(rows) &^ 3
		for i := 0; i < n; i += 4 {
			o := len(kg.groups) * nb // blocks of four rows before this group's
			g := k4Group{rows: [4]int(rows[i : i+4]), gemm: gemm,
				qs: kg.qs[o*1024 : (o+nb)*1024], d: kg.d[o*4 : (o+nb)*4], bsums: kg.bsums[o*64 : (o+nb)*64]}
			for k, t := range g.rows {
				q := &a.k8[t]
				for b := range nb {
					copy(g.qs[b*1024+k*256:b*1024+(k+1)*256], q.qs[b*256:])
					g.d[b*4+k] = q.d[b]
					copy(g.bsums[b*64+k*16:b*64+(k+1)*16], q.bsums[b*16:])
				}
			}
			kg.groups = append(kg.groups, g)
		}
		kg.rest = append(kg.rest, rows[n:]...)
	}
	kg.ok = true
	return kg
}

// k4Bytes bounds the weight rows one pass of every group covers: they stay
// in L2 while the groups pass over them, each group's activations (1 KiB
// per block) in L1 across the rows.
const k4Bytes = 128 << 10

// matmulKx4 is matmul for a Q4_K matrix that llama.cpp repacks (rows a
// multiple of 8), a Q5_K or a Q6_K one, with four or more batch rows: each
// group of four through the type's four-row kernel, over chunks of weight
// rows (k4Bytes), and the rows left over one at a time. Every result is
// the one-row dot product's (dotQ4K, dotQ5K, dotQ6K) for its row.
func matmulKx4(out []float32, m *Matrix, a *acts, tm *team) {
	kg := a.groupK4(m.Type == gguf.Q4_K)
	rb := m.rowBytes
	per := max(1, k4Bytes/rb)
	tm.parallelFor(m.Rows, 16, func(lo, hi int) {
		res := make([]float32, per*4)
		for r0 := lo; r0 < hi; r0 += per {
			r1 := min(hi, r0+per)
			w := m.Data[r0*rb : r1*rb]
			for gi := range kg.groups {
				g := &kg.groups[gi]
				switch m.Type {
				case gguf.Q4_K:
					mulQ4Kx4(w, rb, r1-r0, g, res)
				case gguf.Q5_K:
					mulQ5Kx4(w, rb, r1-r0, g, res)
				default:
					mulQ6Kx4(w, rb, r1-r0, g, res)
				}
				for r := r0; r < r1; r++ {
					for k, t := range g.rows {
						out[t*m.Rows+r] = res[(r-r0)*4+k]
					}
				}
			}
			for _, t := range kg.rest {
				gemm := a.gemm != nil && a.gemm[t]
				for r := r0; r < r1; r++ {
					row := m.Data[r*rb : (r+1)*rb]
					switch m.Type {
					case gguf.Q4_K:
						out[t*m.Rows+r] = dotQ4K(row, &a.k8[t], gemm)
					case gguf.Q5_K:
						out[t*m.Rows+r] = dotQ5K(row, &a.k8[t])
					default:
						out[t*m.Rows+r] = dotQ6K(row, &a.k8[t])
					}
				}
			}
		}
	})
}

// mulQ4Kx4Go sets out[r*4+k] to dotQ4KGo (or dotQ4KGemmGo) of weight row r
// (of nrows, rowBytes apart in w) and group row k: the four-row kernels'
// reference.
func mulQ4Kx4Go(w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	for k := range 4 {
		a := g.row(k)
		for r := range nrows {
			row := w[r*rowBytes : (r+1)*rowBytes]
			if g.gemm {
				out[r*4+k] = dotQ4KGemmGo(row, &a)
			} else {
				out[r*4+k] = dotQ4KGo(row, &a)
			}
		}
	}
}

// mulKx4Go sets out[r*4+k] to dot of weight row r (of nrows, rowBytes
// apart in w) and group row k: the four-row Q5_K and Q6_K kernels'
// reference (dotQ5KGo, dotQ6KGo).
func mulKx4Go(dot func([]byte, *q8KAct) float32, w []byte, rowBytes, nrows int, g *k4Group, out []float32) {
	for k := range 4 {
		a := g.row(k)
		for r := range nrows {
			out[r*4+k] = dot(w[r*rowBytes:(r+1)*rowBytes], &a)
		}
	}
}

// row is group row k as a q8KAct of its own.
func (g *k4Group) row(k int) q8KAct {
	nb := len(g.d) / 4
	a := q8KAct{qs: make([]int8, nb*256), d: make([]float32, nb), bsums: make([]int16, nb*16)}
	for b := range nb {
		copy(a.qs[b*256:(b+1)*256], g.qs[b*1024+k*256:])
		a.d[b] = g.d[b*4+k]
		copy(a.bsums[b*16:(b+1)*16], g.bsums[b*64+k*16:])
	}
	return a
}

// useKx4 reports whether matmul takes m through matmulKx4.
func useKx4(m *Matrix, t int) bool {
	return q4kx4 && t >= 4 && (m.Type == gguf.Q4_K && m.Rows%8 == 0 || m.Type == gguf.Q5_K || m.Type == gguf.Q6_K)
}
