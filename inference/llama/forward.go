package llama

import (
	"fmt"
	"math"
)

// Row is one token to evaluate: it is appended to Seq at position
// Seq.Len() (rows of one Seq take consecutive positions, in order). Logits
// asks for the next-token logits after this row.
type Row struct {
	Seq    *Seq
	Token  int32
	Logits bool
	// Batch, if positive, is how many rows of Seq llama.cpp would
	// evaluate together with this one (its ubatch: UBatchRows): the
	// engine then picks llama.cpp's kernels for that count, so that how a
	// caller splits a prompt across Forward calls does not change its
	// numbers. Zero: the rows of Seq in this call.
	Batch int
}

// UBatch is llama.cpp's default physical batch (n_ubatch, 512 rows):
// a longer prompt is evaluated in pieces of that many rows.
const UBatch = 512

// UBatchRows is the number of rows of llama.cpp's ubatch holding row i of
// an evaluation of n rows of one sequence (Row.Batch).
func UBatchRows(n, i int) int { return min(UBatch, n-i/UBatch*UBatch) }

// Forward evaluates rows and returns, for each row with Logits set and in
// order, a fresh slice of Vocab logits. threads <= 0 uses GOMAXPROCS. On a
// model moved to a GPU (ToDevice) the pass runs there and threads is
// ignored.
func (m *Model) Forward(rows []Row, threads int) ([][]float32, error) {
	return m.forward(rows, threads, nil)
}

// ForwardInto is Forward with the logits written into *buf (grown when too
// small) instead of fresh memory: the returned slices alias *buf and hold
// until the next call with it. A batch-8 step of a 32,000-token vocabulary
// otherwise allocates and clears a megabyte, serially, every step.
func (m *Model) ForwardInto(rows []Row, threads int, buf *[]float32) ([][]float32, error) {
	return m.forwardTo(rows, threads, nil, buf)
}

// Pick is a greedy choice: the most likely next token (the first on ties)
// and its log-probability.
type Pick struct {
	ID      int32
	LogProb float32
}

// ForwardGreedy is Forward followed by a greedy pick from each row's
// logits. On a GPU the pick is made there and only the picks are copied
// back, which saves copying and scanning Vocab logits per row on the CPU.
func (m *Model) ForwardGreedy(rows []Row, threads int) ([]Pick, error) {
	n := 0
	for _, r := range rows {
		if r.Logits {
			n++
		}
	}
	picks := make([]Pick, n)
	if _, err := m.forward(rows, threads, picks); err != nil {
		return nil, err
	}
	return picks, nil
}

func (m *Model) forward(rows []Row, threads int, picks []Pick) ([][]float32, error) {
	return m.forwardTo(rows, threads, picks, nil)
}

// forwardTo is the pass: with picks, a greedy one (logits in the
// scratch); otherwise logits go to *buf, or fresh memory when buf is nil.
func (m *Model) forwardTo(rows []Row, threads int, picks []Pick, buf *[]float32) ([][]float32, error) {
	T := len(rows)
	if T == 0 {
		return nil, nil
	}
	pos := make([]int, T)
	next := map[*Seq]int{}
	for i, r := range rows {
		p, ok := next[r.Seq]
		if !ok {
			p = r.Seq.n
		}
		if p >= r.Seq.limit {
			return nil, fmt.Errorf("llama: sequence full (%d positions)", r.Seq.limit)
		}
		if r.Token < 0 || int(r.Token) >= m.Vocab {
			return nil, fmt.Errorf("llama: token %d out of range [0, %d)", r.Token, m.Vocab)
		}
		pos[i] = p
		next[r.Seq] = p + 1
	}
	for s, n := range next {
		if err := s.reserve(m, n); err != nil {
			return nil, err
		}
	}
	// A sequence with several rows here is a prompt to llama.cpp, whose
	// attention then sums values in another order (see attention).
	// In its last layer llama.cpp keeps only the rows that want logits
	// after attention: the feed-forward there, and the output layer, are
	// a batch of several only where a sequence wants several.
	prompt, outPrompt := make([]bool, T), make([]bool, T)
	seqRows := make([]int, T) // rows of each row's sequence in this call
	wants := map[*Seq]int{}
	for _, r := range rows {
		if r.Logits {
			wants[r.Seq]++
		}
	}
	// llama.cpp's repacked K-quant kernels take a batch's rows in fours
	// (gemm) and the last n%4 one at a time (gemv), summing in another
	// order (dotQ4KGemmGo): gemm marks the rows of the fours.
	gemm, outGemm := make([]bool, T), make([]bool, T)
	seen, seenOut := map[*Seq]int{}, map[*Seq]int{}
	for i, r := range rows {
		n := next[r.Seq] - r.Seq.n
		b := n
		if r.Batch > 0 {
			b = r.Batch
		}
		prompt[i] = b > 1
		seqRows[i] = b
		outPrompt[i] = r.Logits && wants[r.Seq] > 1
		gemm[i] = seen[r.Seq] < n-n%4
		seen[r.Seq]++
		if r.Logits {
			k := wants[r.Seq]
			outGemm[i] = seenOut[r.Seq] < k-k%4
			seenOut[r.Seq]++
		}
	}
	if m.gpu != nil {
		out, err := m.gpu.forward(m, rows, pos, picks)
		if err != nil {
			return nil, err
		}
		for s, p := range next {
			s.n = p
		}
		return out, nil
	}
	dim, kvDim, qDim := m.Dim, m.KVDim(), m.QDim()
	sc, _ := m.scratch.Get().(*forwardScratch)
	if sc == nil {
		sc = new(forwardScratch)
	}
	defer m.scratch.Put(sc)
	tm := startTeam(threads)
	defer tm.stop()
	x, xb, q, k, v := grow(&sc.x, T*dim), grow(&sc.xb, T*dim), grow(&sc.q, T*qDim), grow(&sc.k, T*kvDim), grow(&sc.v, T*kvDim)
	att, gate, up, tmp := grow(&sc.att, T*qDim), grow(&sc.gate, T*m.FFN), grow(&sc.up, T*m.FFN), grow(&sc.tmp, T*dim)
	clear(att)
	tm.parallelFor(T, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m.embd.Row(x[i*dim:(i+1)*dim], int(rows[i].Token))
		}
	})
	in, qin, hin := &sc.in, &sc.qin, &sc.hin
	in.n, in.t, qin.n, qin.t, hin.n, hin.t = dim, T, qDim, T, m.FFN, T
	in.prompt, qin.prompt, hin.prompt = prompt, prompt, prompt
	in.gemm, qin.gemm, hin.gemm = gemm, gemm, gemm
	cos, sin := m.ropeTables(pos)
	rot := rope
	if m.RopeNeox {
		rot = ropeNeox
	}
	// norm adds res to x (when res is set) and writes x's rms norm times
	// w to dst (when w is set), row by row on the team.
	norm := func(dst, x, res, w []float32) {
		tm.parallelFor(T, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				xi := x[i*dim : (i+1)*dim]
				if res != nil {
					for j, v := range res[i*dim : (i+1)*dim] {
						xi[j] += v
					}
				}
				if w != nil {
					rmsNorm(dst[i*dim:(i+1)*dim], xi, w, m.NormEps)
				}
			}
		})
	}
	for l, ly := range m.layers {
		norm(xb, x, nil, ly.attnNorm)
		tracef("attn_norm", l, xb)
		in.set(xb)
		matmul(q, ly.wq, in, tm)
		matmul(k, ly.wk, in, tm)
		matmul(v, ly.wv, in, tm)
		addBias(q, ly.bq)
		addBias(k, ly.bk)
		addBias(v, ly.bv)
		tracef("Qcur#0", l, q)
		tracef("Kcur#0", l, k)
		tm.parallelFor(T, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				m.ropeAndCache(q, k, v, rows[i].Seq, l, pos[i], i, cos[i], sin[i], rot)
			}
		})
		tracef("Vcur", l, v)
		tracef("Qcur", l, q)
		tracef("Kcur", l, k)
		m.attention(att, q, rows, pos, prompt, seqRows, l, tm)
		tracef("kqv_out", l, att)
		qin.set(att)
		matmul(tmp, ly.wo, qin, tm)
		addBias(tmp, ly.bo)
		tracef("attn_out", l, tmp)
		norm(xb, x, tmp, ly.ffnNorm)
		tracef("ffn_inp", l, x)
		if l == len(m.layers)-1 {
			in.prompt, hin.prompt = outPrompt, outPrompt
			in.gemm, hin.gemm = outGemm, outGemm
		}
		tracef("ffn_norm", l, xb)
		in.set(xb)
		matmul(gate, ly.wGate, in, tm)
		matmul(up, ly.wUp, in, tm)
		addBias(gate, ly.bGate)
		addBias(up, ly.bUp)
		tracef("ffn_gate", l, gate)
		tracef("ffn_up", l, up)
		tm.parallelFor(T, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ { // per row, as ggml_vec_swiglu_f32 groups eights
				siluMul(gate[i*m.FFN:(i+1)*m.FFN], up[i*m.FFN:(i+1)*m.FFN])
			}
		})
		tracef("ffn_swiglu", l, gate)
		hin.set(gate)
		matmul(tmp, ly.wDown, hin, tm)
		addBias(tmp, ly.bDown)
		tracef("ffn_out", l, tmp)
		norm(nil, x, tmp, nil)
		tracef("l_out", l, x)
	}
	for s, p := range next {
		s.n = p
	}
	// Only rows that want logits go through the (large) output layer.
	var sel []float32
	var selPrompt, selGemm []bool
	for i, r := range rows {
		if r.Logits {
			selPrompt = append(selPrompt, outPrompt[i])
			selGemm = append(selGemm, outGemm[i])
			sel = append(sel, make([]float32, dim)...)
			rmsNorm(sel[len(sel)-dim:], x[i*dim:(i+1)*dim], m.outNorm, m.NormEps)
		}
	}
	n := len(sel) / dim
	if n == 0 {
		return nil, nil
	}
	tracef("result_norm", -1, sel)
	// A greedy pass returns only picks: its logits live in the scratch (a
	// fresh megabyte per step cost a serial clear of ≈ 0.13 ms at batch 8).
	var logits []float32
	switch {
	case picks != nil:
		logits = grow(&sc.logits, n*m.Vocab)
	case buf != nil:
		logits = grow(buf, n*m.Vocab) // every element is written below
	default:
		logits = make([]float32, n*m.Vocab)
	}
	matmul(logits, m.output, &acts{x: sel, n: dim, t: n, prompt: selPrompt, gemm: selGemm}, tm)
	tracef("result_output", -1, logits)
	out := make([][]float32, n)
	for i := range out {
		out[i] = logits[i*m.Vocab : (i+1)*m.Vocab : (i+1)*m.Vocab]
	}
	if picks != nil {
		tm.parallelFor(n, 1, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				picks[i] = GreedyPick(out[i])
			}
		})
		return nil, nil // the logits are the scratch's
	}
	return out, nil
}

// ropeAndCache applies the q/k norms (where the model has them) and the
// rotation to row i of q and k, and writes the row's key and value to
// seq's cache at position p: keys by head, values transposed in blocks of
// 32 positions.
func (m *Model) ropeAndCache(q, k, v []float32, seq *Seq, l, p, i int, cos, sin []float32, rot func(x, cos, sin []float32)) {
	ly := m.layers[l]
	hd, qDim, kvDim := m.HeadDim, m.QDim(), m.KVDim()
	for h := range m.Heads {
		qh := q[i*qDim+h*hd : i*qDim+(h+1)*hd]
		if ly.qNorm != nil {
			rmsNorm(qh, qh, ly.qNorm, m.NormEps)
		}
		rot(qh, cos, sin)
	}
	for h := range m.KVHeads {
		kh := k[i*kvDim+h*hd : i*kvDim+(h+1)*hd]
		if ly.kNorm != nil {
			rmsNorm(kh, kh, ly.kNorm, m.NormEps)
		}
		rot(kh, cos, sin)
	}
	b, o := p/32, p%32
	if seq.k16 != nil {
		var buf [256]uint16
		vrow := buf[:]
		if hd > len(buf) {
			vrow = make([]uint16, hd)
		}
		for h := range m.KVHeads {
			toF16(seq.kHead16(l, h, hd)[p*hd:], k[i*kvDim+h*hd:i*kvDim+(h+1)*hd])
			if seq.flash {
				toF16(seq.vHead16(l, h, hd)[p*hd:], v[i*kvDim+h*hd:i*kvDim+(h+1)*hd])
				continue
			}
			toF16(vrow, v[i*kvDim+h*hd:i*kvDim+(h+1)*hd])
			vh := seq.vHead16(l, h, hd)[b*hd*32+o:]
			for d, x := range vrow[:hd] {
				vh[d*32] = x
			}
		}
		return
	}
	for h := range m.KVHeads {
		copy(seq.kHead(l, h, hd)[p*hd:], k[i*kvDim+h*hd:i*kvDim+(h+1)*hd])
		vh := seq.vHead(l, h, hd)[b*hd*32+o:]
		for d, x := range v[i*kvDim+h*hd : i*kvDim+(h+1)*hd] {
			vh[d*32] = x
		}
	}
}

// trace, when a test sets it, receives the CPU pass's intermediate
// activations (all rows of the batch) under llama.cpp's graph names, to
// find where the two first differ.
var trace func(name string, x []float32)

func tracef(name string, layer int, x []float32) {
	if trace == nil {
		return
	}
	if layer >= 0 {
		name = fmt.Sprintf("%s-%d", name, layer)
	}
	trace(name, x)
}

// rmsNorm writes x / rms(x) * w to dst as ggml's rms_norm does: squares
// summed in float64, their mean rounded to float32, a float32 square root
// (the float64 root of a float32 rounds to the correctly rounded sqrtf)
// and a float32 reciprocal.
func rmsNorm(dst, x, w []float32, eps float32) {
	var ss float64
	for _, v := range x {
		ss += float64(v * v)
	}
	mean := float32(ss / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	for i, v := range x {
		dst[i] = v * scale * w[i]
	}
}

// addBias adds b to each row of x (rows of len(b)); nil b adds nothing.
func addBias(x, b []float32) {
	if b == nil {
		return
	}
	for i := 0; i < len(x); i += len(b) {
		row := x[i : i+len(b)]
		for j, v := range b {
			row[j] += v
		}
	}
}

// forwardScratch holds a CPU pass's activations, reused through the
// model's pool (one per model: the widths are the model's): a decode step otherwise allocates a dozen buffers (≈ 7 % of
// a batch-8 step with the garbage collector's share). Every buffer is
// overwritten before it is read.
type forwardScratch struct {
	x, xb, q, k, v, att, gate, up, tmp []float32
	logits                             []float32 // for ForwardGreedy only
	in, qin, hin                       acts
}

// grow returns *b resized to n, reallocated when too small.
func grow(b *[]float32, n int) []float32 {
	if cap(*b) < n {
		*b = make([]float32, n)
	}
	*b = (*b)[:n]
	return *b
}
