package llama

import (
	"math"

	"github.com/taonet/tao/inference/gguf"
)

// acts holds a batch of T activation rows of one width, with the
// quantized or f16-rounded copies the weight types need, made once per
// matmul input and shared by all weight rows.
type acts struct {
	x    []float32 // T × n
	n, t int
	q8   []q8Act   // per row views of qs, qd and qsum, for Q8_0 and Q4_0 weights
	qs   []int8    // T × n quantized activations
	qd   []float32 // T × n/32 scales
	qsum []int32   // T × n/32 block sums (q8Act.s)
	f16  []float32 // T × n rounded through f16 (bf16), for F16 (BF16) weights
	kind gguf.TensorType
	// prompt marks the rows that llama.cpp would compute as part of a
	// batch of several (F32 weights are then summed in tinyBLAS's order,
	// see dotF32); nil: none.
	prompt []bool
	// gemm marks the rows llama.cpp's repacked K-quant kernels take in
	// fours (see forward); nil: none.
	gemm []bool
	// The rows again, in x8Groups(T) groups of eight interleaved for
	// mulQx8: group g, block b, row k at index (g*nb+b)*8+k of gd (its
	// scale) and gs (its block sum); in gq each block of the group is 8
	// chunks of 32 bytes, chunk c holding elements 4c..4c+3 of rows 0..7
	// (four bytes per row), so that one broadcast weight chunk meets all
	// eight rows in one instruction.
	gq  []int8
	gqr []int8 // the group's rows by block, row k of block b at (b*8+k)*32, for the Q8_0 kernel
	gd  []float32
	gs  []int32
	// grouped records which of gqr (1) and gq (2) hold the current
	// quantized rows (gd and gs with either).
	grouped uint8
	// The rows quantized as Q8_K, for K-quant weights (k8ok: current).
	k8    []q8KAct
	k8qs  []int8
	k8d   []float32
	k8sum []int16
	k8ok  bool
	// The Q8_K rows in groups of four for the four-row kernels: all rows
	// together (Q6_K), and llama.cpp's gemm rows apart (Q4_K).
	k4 [2]k4Groups
}

// set makes x the rows (overwritten in place between uses, so every
// derived copy is marked stale).
func (a *acts) set(x []float32) {
	a.x, a.kind, a.k8ok = x, 0, false
	a.k4[0].ok, a.k4[1].ok = false, false
}

// quantizeK fills k8 from x (n a multiple of 256), rows on the team.
func (a *acts) quantizeK(tm *team) {
	if a.k8ok {
		return
	}
	nb := a.n / 256
	if len(a.k8) < a.t {
		a.k8 = make([]q8KAct, a.t)
		a.k8qs = make([]int8, a.t*a.n)
		a.k8d = make([]float32, a.t*nb)
		a.k8sum = make([]int16, a.t*nb*16)
	}
	tm.parallelFor(a.t, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			q := &a.k8[i]
			q.qs, q.d, q.bsums = a.k8qs[i*a.n:(i+1)*a.n], a.k8d[i*nb:(i+1)*nb], a.k8sum[i*nb*16:(i+1)*nb*16]
			quantizeQ8K(q, a.x[i*a.n:(i+1)*a.n])
		}
	})
	a.k8ok = true
}

func (a *acts) prepare(t gguf.TensorType, tm *team) {
	switch t {
	case gguf.Q8_0, gguf.Q4_0:
		quantize := a.kind != gguf.Q8_0
		chunks := t == gguf.Q4_0
		bit := uint8(1)
		if chunks {
			bit = 2
		}
		if quantize {
			a.grouped = 0
			a.alloc()
		}
		group := x8 && a.grouped&bit == 0
		if !quantize && !group {
			return
		}
		scales := a.grouped == 0
		if group {
			a.allocGroups(chunks)
		}
		// Rows past t pad the last group of eight with zeros; one or two
		// rows left over after the groups are quantized, not grouped.
		n := a.t
		if group {
			n = max(n, x8Groups(a.t)*8)
		}
		tm.parallelFor(n, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if quantize && i < a.t {
					a.quantizeRow(i)
				}
				if group && i < x8Groups(a.t)*8 {
					a.groupRow(i, chunks, scales)
				}
			}
		})
		a.kind = gguf.Q8_0
		if group {
			a.grouped |= bit
		}
	case gguf.Q6_K, gguf.Q5_K, gguf.Q4_K:
		a.quantizeK(tm)
	case gguf.F16, gguf.BF16:
		// llama.cpp converts the input to the weights' half type (its
		// vec_dot_type); a.f16 holds whichever the last matrix wanted.
		if a.kind == t {
			return
		}
		a.f16 = append(a.f16[:0], a.x[:a.t*a.n]...)
		for i, v := range a.f16 {
			if t == gguf.F16 {
				a.f16[i] = f16Table[gguf.F32ToF16(v)]
			} else {
				a.f16[i] = gguf.BF16ToF32(gguf.F32ToBF16(v))
			}
		}
		a.kind = t
	}
}

// alloc sizes q8, qs, qd and qsum for t rows.
func (a *acts) alloc() {
	nb := a.n / gguf.QK
	if len(a.q8) < a.t {
		a.q8 = make([]q8Act, a.t)
		a.qs = make([]int8, a.t*a.n)
		a.qd = make([]float32, a.t*nb)
		a.qsum = make([]int32, a.t*nb)
	}
}

// quantizeRow fills row i of q8, qs, qd and qsum from x (Q8_0 blocks, as
// llama.cpp quantizes a matrix product's input).
func (a *acts) quantizeRow(i int) {
	nb := a.n / gguf.QK
	q := &a.q8[i]
	q.qs, q.d, q.s = a.qs[i*a.n:(i+1)*a.n], a.qd[i*nb:(i+1)*nb], a.qsum[i*nb:(i+1)*nb]
	quantizeAct(q, a.x[i*a.n:(i+1)*a.n])
}

// x8Groups is how many groups of eight rows mulQx8 takes for t rows: the
// last one padded with zero rows when three or more are left over, which
// one eight-row pass computes faster than the one-row kernel does.
func x8Groups(t int) int {
	if t%8 >= 3 {
		return t/8 + 1
	}
	return t / 8
}

// allocGroups sizes gd, gs and gq (chunks, for Q4_0 weights) or gqr (rows
// by block, for Q8_0).
func (a *acts) allocGroups(chunks bool) {
	nb := a.n / gguf.QK
	ng := x8Groups(a.t)
	if len(a.gd) < ng*8*nb {
		a.gd = make([]float32, ng*8*nb)
		a.gs = make([]int32, ng*8*nb)
	}
	dst := &a.gqr
	if chunks {
		dst = &a.gq
	}
	if len(*dst) < ng*8*a.n {
		*dst = make([]int8, ng*8*a.n)
	}
}

// groupRow copies quantized row t (zeros for a padding row, t >= a.t)
// into its group of eight: into gq or gqr, and into gd and gs when
// scales is set (they are shared by both layouts, filled once).
func (a *acts) groupRow(t int, chunks, scales bool) {
	nb := a.n / gguf.QK
	g, k := t/8, t%8
	for b := range nb {
		j := (g*nb+b)*8 + k
		var src []int8 // nil: a padding row of zeros
		if t < a.t {
			src = a.qs[t*a.n+b*32:][:32]
		}
		if scales {
			a.gd[j], a.gs[j] = 0, 0
			if src != nil {
				a.gd[j], a.gs[j] = a.qd[t*nb+b], a.qsum[t*nb+b]
			}
		}
		if !chunks {
			row := a.gqr[j*32 : j*32+32]
			if src == nil {
				clear(row)
			} else {
				copy(row, src)
			}
			continue
		}
		blk := a.gq[j/8*256:][:256]
		for c := range 8 {
			part := blk[c*32+k*4 : c*32+k*4+4]
			if src == nil {
				clear(part)
			} else {
				copy(part, src[c*4:c*4+4])
			}
		}
	}
}

// tileT is how many batch rows one pass over a chunk of weight rows
// handles: 32 rows of activations (9 KiB at width 288) and the chunk's
// weights stay in L1 together.
const tileT = 32

// matmul computes out[t*m.Rows+r] = W[r] · x[t] for all rows r and batch
// rows t, in parallel over weight rows so that each weight row is read once
// per tile of batch rows.
func matmul(out []float32, m *Matrix, a *acts, tm *team) {
	a.prepare(m.Type, tm)
	T, cols := a.t, m.Cols
	tile := tileT
	if m.dequantRows() {
		tile = T // rows are dequantized once per pass
	}
	// Quantized weights go through the row-looping kernels; without the
	// eight-row ones (no AVX2), batches of three or more take the loop below.
	if m.mins != nil {
		defer addMins(out, m, a, tm)
	}
	if useKx4(m, T) {
		matmulKx4(out, m, a, tm)
		return
	}
	if (m.Type == gguf.Q8_0 || m.Type == gguf.Q4_0) && (x8 || T < 3) {
		matmulX8(out, m, a, tm)
		return
	}
	tm.parallelFor(m.Rows, 16, func(lo, hi int) {
		var tmp []float32
		if m.dequantRows() {
			tmp = make([]float32, cols)
		}
		for tlo := 0; tlo < T; tlo += tile {
			thi := min(T, tlo+tile)
			for r := lo; r < hi; r++ {
				w := m.Data[r*m.rowBytes : (r+1)*m.rowBytes]
				for t := tlo; t < thi; t++ {
					var v float32
					switch m.Type {
					case gguf.F32:
						v = dotF32(m, m.f32[r*cols:(r+1)*cols], a, t)
					case gguf.Q8_0:
						v = dotQ8(w, &a.q8[t])
					case gguf.Q4_0:
						v = dotQ4(w, &a.q8[t])
					case gguf.Q6_K:
						v = dotQ6K(w, &a.k8[t])
					case gguf.Q4_K:
						if m.Rows%8 != 0 { // not repacked by llama.cpp
							v = dotQ4KPlainGo(w, &a.k8[t])
						} else {
							v = dotQ4K(w, &a.k8[t], a.gemm != nil && a.gemm[t])
						}
					case gguf.Q5_K:
						v = dotQ5K(w, &a.k8[t])
					case gguf.F16, gguf.BF16:
						if t == tlo {
							m.Row(tmp, r)
						}
						v = dotF16(m, tmp, a, t)
					default:
						if t == tlo {
							m.Row(tmp, r)
						}
						v = dotGGML(tmp, a.x[t*cols:])
					}
					out[t*m.Rows+r] = v
				}
			}
		}
	})
}

// x8Bytes bounds the weight rows one mulQx8 call covers, so that they stay
// in L1 while every group of eight activation rows passes over them.
const x8Bytes = 16 << 10

// matmulX8 is matmul for Q8_0 and Q4_0 weights in groups of eight batch
// rows through mulQx8 (a padded last group computes into scratch), then
// the one or two rows left one at a time through mulQx1; both loop over a
// chunk of weight rows in assembly.
func matmulX8(out []float32, m *Matrix, a *acts, tm *team) {
	T, ng := a.t, x8Groups(a.t)
	q4 := m.Type == gguf.Q4_0
	step := max(1, x8Bytes/m.rowBytes)
	tm.parallelFor(m.Rows, 16, func(lo, hi int) {
		var scratch []float32
		for rlo := lo; rlo < hi; rlo += step {
			rhi := min(hi, rlo+step)
			w := m.Data[rlo*m.rowBytes : rhi*m.rowBytes]
			for g := range ng {
				if left := T - g*8; left < 8 {
					if scratch == nil {
						scratch = make([]float32, 8*step)
					}
					mulQx8(q4, w, m.rowBytes, rhi-rlo, a, g, scratch, step)
					for k := range left {
						copy(out[(g*8+k)*m.Rows+rlo:(g*8+k)*m.Rows+rhi], scratch[k*step:])
					}
					continue
				}
				mulQx8(q4, w, m.rowBytes, rhi-rlo, a, g, out[g*8*m.Rows+rlo:], m.Rows)
			}
			for t := ng * 8; t < T; t++ {
				mulQx1(q4, w, m.rowBytes, rhi-rlo, &a.q8[t], out[t*m.Rows+rlo:t*m.Rows+rhi])
			}
		}
	})
}

// dotF16 is the product of an F16 (BF16) weight row of m (widened to
// float32 in w) with activation row t of a rounded through f16 (bf16,
// llama.cpp's vec_dot_type for each), summed as llama.cpp does: tinyBLAS
// for a row of a batch of several, else ggml_vec_dot_f16, which folds four
// accumulators of eight lanes like ggml_vec_dot_f32 (ggml_vec_dot_bf16:
// dotBF16), and adds the leftover products in float64.
func dotF16(m *Matrix, w []float32, a *acts, t int) float32 {
	x := a.f16[t*a.n : (t+1)*a.n]
	if a.prompt != nil && a.prompt[t] && m.Rows%4 == 0 && len(w)%8 == 0 {
		return dot8(w, x)
	}
	np := len(w) &^ 31
	var s float64
	if np > 0 && m.Type == gguf.BF16 {
		s = float64(dotBF16(w[:np], x[:np]))
	} else if np > 0 {
		s = float64(dotGGML(w[:np], x[:np]))
	}
	for i := np; i < len(w); i++ {
		s += float64(w[i] * x[i])
	}
	return float32(s)
}

// dotBF16Go is ggml_vec_dot_bf16's AVX2 loop (len(x) a multiple of 32): four
// accumulators of eight lanes, each product rounded before it is added
// (multiply and add, not fused), folded (0+2)+(1+3), then the upper four
// lanes onto the lower and those as (0+2)+(1+3).
func dotBF16Go(x, y []float32) float32 {
	var c [4][8]float32
	y = y[:len(x)]
	for i := 0; i < len(x); i += 32 {
		for j := range 4 {
			for l := range 8 {
				c[j][l] += float32(x[i+8*j+l] * y[i+8*j+l])
			}
		}
	}
	var w [4]float32
	for l := range 4 {
		w[l] = ((c[0][l+4] + c[2][l+4]) + (c[1][l+4] + c[3][l+4])) + ((c[0][l] + c[2][l]) + (c[1][l] + c[3][l]))
	}
	return (w[0] + w[2]) + (w[1] + w[3])
}

// dotF32 is the product of an F32 weight row of m with activation row t
// of a, summed as llama.cpp does: by tinyBLAS for a row of a batch of
// several (when the matrix's shape suits it), by ggml_vec_dot_f32 alone.
func dotF32(m *Matrix, w []float32, a *acts, t int) float32 {
	x := a.x[t*a.n : (t+1)*a.n]
	if a.prompt != nil && a.prompt[t] && m.Rows%4 == 0 && len(w)%8 == 0 {
		return dot8(w, x)
	}
	return dotGGML(w, x)
}

// addMins adds to each product of a Q4_1 or Q5_1 matrix re-encoded as
// Q8_0 (asQ8) the sum that llama.cpp's vec_dot_q4_1_q8_1/q5_1_q8_1 add
// after their eight lanes: Σ m·s over the row's blocks, fused block after
// block (GCC contracts ggml's summs += m*s), s being the activation
// block's quantize_row_q8_1 sum: d·Σq with d = max|x|/127 unrounded,
// stored in f16.
func addMins(out []float32, m *Matrix, a *acts, tm *team) {
	nb := a.n / gguf.QK
	s := make([]float32, a.t*nb)
	for t := range a.t {
		for b := range nb {
			var mx float32
			for _, v := range a.x[t*a.n+b*gguf.QK : t*a.n+(b+1)*gguf.QK] {
				mx = max(mx, float32(math.Abs(float64(v))))
			}
			s[t*nb+b] = f16Table[gguf.F32ToF16(mx/127*float32(a.qsum[t*nb+b]/8))] // qsum holds 8·Σq
		}
	}
	tm.parallelFor(m.Rows, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			mins := m.mins[r*nb : (r+1)*nb]
			for t := range a.t {
				var sum float32
				for b, mn := range mins {
					sum = fma32(mn, s[t*nb+b], sum)
				}
				out[t*m.Rows+r] += sum
			}
		}
	})
}
