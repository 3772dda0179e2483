package llama

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"runtime"
	"sync"

	"github.com/taonet/tao/gpu/cuda"
	"github.com/taonet/tao/inference/gguf"
)

// gpuModel is a model's CUDA backend: weights resident on the device in
// f16 (or bf16), dequantized from the GGUF tensors at load, and scratch
// activations for a batch of rows. Its fields are used inside dev.Run,
// which serialises forward passes.
type gpuModel struct {
	dev *cuda.Device
	k   *cuda.LLM
	dt  cuda.DataType

	embd, output, outNorm cuda.Ptr
	layers                []gpuLayer
	weights               []cuda.Ptr // every weight allocation, freed by close
	weightBytes           int64

	rows, logitRows       int      // rows the scratch buffers hold, and rows of logits
	x, qkv, gu, logits    cuda.Ptr // f32: residual, q|k|v, gate|up, logits
	xb, att, hb, meta     cuda.Ptr // of type dt: normed input, attention output, silu·up; meta: rows' RowMeta, tokens, logit rows
	host                  []byte   // staging for meta
	freeMu                sync.Mutex
	freed                 []cuda.Ptr // KV caches of collected sequences, freed at the next pass
	closed                bool       // guarded by freeMu
	maxPos                int
	qkvWidth, wOff, kvOff int

	// graphs are captured passes, replayed for steps of the same shape
	// (decode steps: a few rows each); see forward.
	graphs   map[graphKey]*cuda.Graph
	noGraphs bool  // SetCUDAGraphs(false), or capture failed
	gemv     bool  // setGemv(true): the gemv kernel for small batches (benchmarks)
	graphErr error // why capture failed
}

// graphKey is what a captured pass depends on besides the contents of
// device memory: row count, logits rows, attention's shared memory, and
// whether it ends in greedy picks. Positions, tokens and caches are read
// from the meta buffer, uploaded before each replay.
type graphKey struct {
	rows, logits, posBucket int
	greedy                  bool
}

// maxGraphRows bounds the passes that are captured: decode steps, where
// launch costs dominate; prefill chunks run directly.
const maxGraphRows = 64

// SetCUDAGraphs turns the replay of captured CUDA graphs for decode steps
// on (the default) or off; it matters only on a GPU.
func (m *Model) SetCUDAGraphs(on bool) {
	if g := m.gpu; g != nil {
		_ = g.dev.Run(func() error {
			g.destroyGraphs()
			g.noGraphs = !on
			return nil
		})
	}
}

// setGemv chooses the gemv kernel or cuBLAS (the default) for batches of
// at most cuda.MaxGemvRows rows. On an H200, cuBLAS was faster at every
// batch size (tinyllama1b decode step, batch 1: 1.50 ms against 2.35 ms
// with gemv), so gemv stays off; the benchmark keeps the comparison.
func (m *Model) setGemv(on bool) {
	if g := m.gpu; g != nil {
		_ = g.dev.Run(func() error {
			g.destroyGraphs()
			g.gemv = on
			return nil
		})
	}
}

// destroyGraphs frees every captured graph; inside dev.Run.
func (g *gpuModel) destroyGraphs() {
	for k, gr := range g.graphs {
		_ = gr.Destroy()
		delete(g.graphs, k)
	}
}

type gpuLayer struct {
	attnNorm, ffnNorm    cuda.Ptr // f32
	wqkv, wo, wgu, wdown cuda.Ptr // of type dt; wq|wk|wv and gate|up fused
}

// ToDevice moves the model to the GPU d: weights are dequantized to f16
// (bf16 files stay bf16) and uploaded, and from then on NewSeq makes KV caches in GPU memory and
// Forward runs there (the CPU kernels are no longer used; the mapped file
// stays for the tokenizer and metadata). d must outlive the model; Close
// frees the model's GPU memory but not d.
func (m *Model) ToDevice(d *cuda.Device) error {
	if m.gpu != nil {
		return errors.New("llama: model already on a GPU")
	}
	if why := m.cpuOnly(); why != "" {
		return fmt.Errorf("%w: the CUDA backend does not implement this model's %s; run it with --device cpu", ErrCPUOnly, why)
	}
	if m.HeadDim%8 != 0 || m.HeadDim > 256 {
		return fmt.Errorf("llama: the CUDA backend needs a head dimension that is a multiple of 8, at most 256 (this model: %d)", m.HeadDim)
	}
	// Weights stay in bf16 when the file has them so (bf16 has f32's range,
	// f16 does not); every other type is dequantized to f16, whose extra
	// mantissa bits keep the GPU closer to the CPU engine.
	g := &gpuModel{dev: d, dt: cuda.F16}
	if m.layers[0].wq.Type == gguf.BF16 {
		g.dt = cuda.BF16
	}
	err := d.Run(func() error {
		var err error
		if g.k, err = cuda.NewLLM(d, g.dt); err != nil {
			return err
		}
		g.maxPos = g.k.MaxPositions()
		return g.upload(m)
	})
	if err != nil {
		_ = d.Run(func() error { return g.free() })
		return fmt.Errorf("llama: load onto %s: %w", d.Name(), err)
	}
	kv := m.KVDim()
	g.qkvWidth, g.wOff, g.kvOff = m.Dim+2*kv, m.Dim, m.Dim+kv
	m.gpu = g
	return nil
}

// OnGPU reports whether the model runs on a GPU, and which.
func (m *Model) OnGPU() (string, bool) {
	if m.gpu == nil {
		return "", false
	}
	return m.gpu.dev.Name(), true
}

// GPUWeightBytes is the bytes of GPU-resident weights that a decode step
// reads at batch 1 (all but an untied embedding table; 0 on the CPU), for
// rooflines.
func (m *Model) GPUWeightBytes() int64 {
	if m.gpu == nil {
		return 0
	}
	return m.gpu.weightBytes
}

func (g *gpuModel) alloc(n int) (cuda.Ptr, error) {
	p, err := g.dev.Alloc(n)
	if err == nil {
		g.weights = append(g.weights, p)
	}
	return p, err
}

// upload dequantizes and copies every tensor.
func (g *gpuModel) upload(m *Model) error {
	var err error
	mat := func(ms ...*Matrix) (cuda.Ptr, error) {
		rows := 0
		for _, x := range ms {
			rows += x.Rows
		}
		n := rows * ms[0].Cols * 2
		p, err := g.alloc(n)
		if err != nil {
			return 0, err
		}
		g.weightBytes += int64(n)
		off := 0
		for _, x := range ms {
			n := x.Rows * x.Cols * 2
			var err error
			if x.Type == gguf.F16 && g.dt == cuda.F16 || x.Type == gguf.BF16 && g.dt == cuda.BF16 {
				err = cuda.CopyIn(g.dev, p.Add(off), x.Data[:n]) // already in the device's type
			} else {
				err = cuda.CopyIn(g.dev, p.Add(off), toHalf(x, g.dt == cuda.BF16))
			}
			if err != nil {
				return 0, err
			}
			off += n
		}
		return p, nil
	}
	vec := func(v []float32) (cuda.Ptr, error) {
		p, err := g.alloc(4 * len(v))
		if err != nil {
			return 0, err
		}
		return p, cuda.CopyIn(g.dev, p, v)
	}
	if g.embd, err = mat(m.embd); err != nil {
		return err
	}
	// weightBytes counts what a decode step reads: one row of the
	// embedding table (not counted), the output layer (the same table
	// when tied), every layer's matrices.
	if g.output = g.embd; !m.tied {
		g.weightBytes -= int64(m.Vocab * m.Dim * 2)
		if g.output, err = mat(m.output); err != nil {
			return err
		}
	}
	if g.outNorm, err = vec(m.outNorm); err != nil {
		return err
	}
	for _, ly := range m.layers {
		var gl gpuLayer
		if gl.attnNorm, err = vec(ly.attnNorm); err != nil {
			return err
		}
		if gl.ffnNorm, err = vec(ly.ffnNorm); err != nil {
			return err
		}
		if gl.wqkv, err = mat(ly.wq, ly.wk, ly.wv); err != nil {
			return err
		}
		if gl.wo, err = mat(ly.wo); err != nil {
			return err
		}
		if gl.wgu, err = mat(ly.wGate, ly.wUp); err != nil {
			return err
		}
		if gl.wdown, err = mat(ly.wDown); err != nil {
			return err
		}
		g.layers = append(g.layers, gl)
	}
	return nil
}

// toHalf dequantizes x to f16 (or bf16) bits, rows in parallel.
func toHalf(x *Matrix, bf16 bool) []uint16 {
	out := make([]uint16, x.Rows*x.Cols)
	parallelFor(0, x.Rows, 64, func(lo, hi int) {
		row := make([]float32, x.Cols)
		for r := lo; r < hi; r++ {
			x.Row(row, r)
			dst := out[r*x.Cols : (r+1)*x.Cols]
			for i, v := range row {
				if bf16 {
					dst[i] = gguf.F32ToBF16(v)
				} else {
					dst[i] = gguf.F32ToF16(v)
				}
			}
		}
	})
	return out
}

// newCache allocates a KV cache of n positions on the GPU; its memory
// returns to the device when the Seq is collected.
func (g *gpuModel) newCache(s *Seq, layers, kvDim int) {
	n := 2 * layers * s.cap * kvDim * 2
	var p cuda.Ptr
	err := g.dev.Run(func() error {
		g.drainLocked()
		var err error
		p, err = g.dev.Alloc(n)
		return err
	})
	if err != nil {
		s.gpuErr = err
		return
	}
	s.dev = p
	s.free = runtime.AddCleanup(s, g.release, p)
}

// growCache moves s's GPU cache to one of c positions, keeping the
// positions it holds, and frees the old one.
func (g *gpuModel) growCache(s *Seq, layers, kvDim, c int) error {
	row := kvDim * 2 // bytes of one position's keys (or values)
	return g.dev.Run(func() error {
		g.drainLocked()
		p, err := g.dev.Alloc(2 * layers * c * row)
		if err != nil {
			return fmt.Errorf("llama: growing a KV cache to %d positions on the GPU: %w (fewer concurrent requests, or max_tokens, need less)", c, err)
		}
		for i := range 2 * layers { // each layer's keys, then its values
			if err := g.dev.Copy(p.Add(i*c*row), s.dev.Add(i*s.cap*row), s.n*row); err != nil {
				g.dev.Free(p)
				return err
			}
		}
		if err := g.dev.Sync(); err != nil { // the copies read the old cache
			g.dev.Free(p)
			return err
		}
		old := s.dev
		s.free.Stop()
		s.dev, s.cap = p, c
		s.free = runtime.AddCleanup(s, g.release, p)
		return g.dev.Free(old)
	})
}

// release queues a collected sequence's cache for freeing on a thread with
// the context current (cleanups run on their own goroutine).
func (g *gpuModel) release(p cuda.Ptr) {
	g.freeMu.Lock()
	defer g.freeMu.Unlock()
	if !g.closed {
		g.freed = append(g.freed, p)
	}
}

// drainLocked frees released caches; called inside dev.Run.
func (g *gpuModel) drainLocked() {
	g.freeMu.Lock()
	f := g.freed
	g.freed = nil
	g.freeMu.Unlock()
	for _, p := range f {
		_ = g.dev.Free(p)
	}
}

// free releases the model's weights and scratch; inside dev.Run.
func (g *gpuModel) free() error {
	g.freeMu.Lock()
	g.closed = true
	g.freeMu.Unlock()
	g.destroyGraphs()
	var err error
	for _, p := range append(g.weights, g.x, g.qkv, g.gu, g.logits, g.xb, g.att, g.hb, g.meta) {
		err = errors.Join(err, g.dev.Free(p))
	}
	g.weights = nil
	return err
}

// ensureRows grows the scratch buffers to hold T rows, L of them with
// logits (a vocabulary of f32 each: a long prefill keeps only its last
// row's, so the logits buffer is sized apart).
func (g *gpuModel) ensureRows(m *Model, T, L int) error {
	if T <= g.rows && L <= g.logitRows {
		return nil
	}
	if T > g.rows {
		T = max(T, 2*g.rows, 8)
	} else {
		T = g.rows
	}
	if L > g.logitRows {
		L = min(T, max(L, 2*g.logitRows, 8))
	} else {
		L = g.logitRows
	}
	g.destroyGraphs() // they point into the old buffers
	for _, p := range []cuda.Ptr{g.x, g.qkv, g.gu, g.logits, g.xb, g.att, g.hb, g.meta} {
		if err := g.dev.Free(p); err != nil {
			return err
		}
	}
	g.rows, g.logitRows = 0, 0
	es := g.dt.Size()
	var err error
	for _, b := range []struct {
		p *cuda.Ptr
		n int
	}{
		{&g.x, 4 * T * m.Dim}, {&g.qkv, 4 * T * g.qkvWidth}, {&g.gu, 4 * T * 2 * m.FFN}, {&g.logits, 4 * L * m.Vocab},
		{&g.xb, es * T * max(m.Dim, m.FFN)}, {&g.att, es * T * m.Dim}, {&g.hb, es * T * m.FFN},
		{&g.meta, T * (cuda.RowMetaSize + 8)},
	} {
		if *b.p, err = g.dev.Alloc(b.n); err != nil {
			return err
		}
	}
	g.host = make([]byte, T*(cuda.RowMetaSize+8))
	g.rows, g.logitRows = T, L
	return nil
}

// forward is Forward on the GPU; rows are validated and positioned. With
// picks non-nil it fills picks (one per logits row) instead of returning
// logits.
func (g *gpuModel) forward(m *Model, rows []Row, pos []int, picks []Pick) ([][]float32, error) {
	T := len(rows)
	var sel []int32
	maxPos := 0
	for i, r := range rows {
		if r.Seq.dev == 0 {
			if r.Seq.gpuErr != nil {
				return nil, fmt.Errorf("llama: sequence has no GPU KV cache: %w", r.Seq.gpuErr)
			}
			return nil, errors.New("llama: sequence made before the model moved to the GPU")
		}
		if r.Logits {
			sel = append(sel, int32(i))
		}
		maxPos = max(maxPos, pos[i]+1)
	}
	var out [][]float32
	err := g.dev.Run(func() error {
		g.drainLocked()
		if err := g.ensureRows(m, T, len(sel)); err != nil {
			return err
		}
		h := g.host[:T*(cuda.RowMetaSize+8)]
		for i, r := range rows {
			e := h[i*cuda.RowMetaSize:]
			binary.LittleEndian.PutUint64(e, uint64(r.Seq.dev))
			binary.LittleEndian.PutUint32(e[8:], uint32(r.Seq.cap))
			binary.LittleEndian.PutUint32(e[12:], uint32(pos[i]))
			binary.LittleEndian.PutUint32(h[T*cuda.RowMetaSize+4*i:], uint32(r.Token))
		}
		for j, i := range sel {
			binary.LittleEndian.PutUint32(h[T*(cuda.RowMetaSize+4)+4*j:], uint32(i))
		}
		if err := cuda.CopyIn(g.dev, g.meta, h); err != nil {
			return err
		}
		meta, toks, idx := g.meta, g.meta.Add(T*cuda.RowMetaSize), g.meta.Add(T*(cuda.RowMetaSize+4))
		// Attention's shared memory is sized by a power-of-two bucket of
		// the longest row, so one captured graph serves many steps.
		key := graphKey{rows: T, logits: len(sel), posBucket: min(g.maxPos, max(128, 1<<bits.Len(uint(maxPos-1)))), greedy: picks != nil}
		pass := func() error { return g.compute(m, key, meta, toks, idx) }
		if gr := g.graph(key, pass); gr != nil {
			if err := gr.Launch(); err != nil {
				return err
			}
		} else if err := pass(); err != nil {
			return err
		}
		return g.fetch(m, key, &out, picks)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// graph returns the captured pass for key, capturing it on first use, or
// nil where passes run directly. A failed capture turns graphs off for
// the model (the pass then runs directly) and is kept in graphErr.
func (g *gpuModel) graph(key graphKey, pass func() error) *cuda.Graph {
	if g.noGraphs || key.rows > maxGraphRows {
		return nil
	}
	if gr, ok := g.graphs[key]; ok {
		return gr
	}
	if len(g.graphs) >= 256 {
		g.destroyGraphs()
	}
	gr, err := g.dev.Capture(pass)
	if err != nil {
		g.noGraphs, g.graphErr = true, err
		return nil
	}
	if g.graphs == nil {
		g.graphs = make(map[graphKey]*cuda.Graph)
	}
	g.graphs[key] = gr
	return gr
}

// compute issues one pass: every layer for key.rows rows, then the output
// layer for the key.logits rows listed at idx, ending in greedy picks
// when key.greedy. It issues no copies, so it can be captured.
func (g *gpuModel) compute(m *Model, key graphKey, meta, toks, idx cuda.Ptr) error {
	k, d, dt := g.k, g.dev, g.dt
	T, dim, ffn := key.rows, m.Dim, m.FFN
	gemm := func(t, n, kk int, a, w, c cuda.Ptr, acc bool) error {
		if g.gemv && t <= cuda.MaxGemvRows && kk%8 == 0 {
			return k.Gemv(t, n, kk, a, w, c, n, acc)
		}
		return d.Gemm(t, n, kk, a, dt, w, dt, c, n, acc)
	}
	if err := k.Embed(g.embd, toks, g.x, T, dim); err != nil {
		return err
	}
	for l, ly := range g.layers {
		errs := []error{
			k.RMSNorm(g.x, ly.attnNorm, g.xb, 0, T, dim, m.NormEps),
			gemm(T, g.qkvWidth, dim, g.xb, ly.wqkv, g.qkv, false),
			k.RopeCache(g.qkv, meta, T, l, m.Heads, m.KVHeads, m.HeadDim, m.RopeDim, m.RopeBase),
			k.Attention(g.qkv, meta, g.att, T, l, m.Heads, m.KVHeads, m.HeadDim, key.posBucket),
			gemm(T, dim, dim, g.att, ly.wo, g.x, true),
			k.RMSNorm(g.x, ly.ffnNorm, g.xb, 0, T, dim, m.NormEps),
			gemm(T, 2*ffn, dim, g.xb, ly.wgu, g.gu, false),
			k.SiLUMul(g.gu, g.hb, T, ffn),
			gemm(T, dim, ffn, g.hb, ly.wdown, g.x, true),
		}
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("layer %d: %w", l, err)
		}
	}
	n := key.logits
	if n == 0 {
		return nil
	}
	if err := k.RMSNorm(g.x, g.outNorm, g.xb, idx, n, dim, m.NormEps); err != nil {
		return err
	}
	if err := gemm(n, m.Vocab, dim, g.xb, g.output, g.logits, false); err != nil {
		return err
	}
	if key.greedy {
		// Picks reuse the front of the meta buffer, whose contents this
		// pass no longer needs.
		return k.Greedy(g.logits, g.meta, n, m.Vocab)
	}
	return nil
}

// fetch copies a finished pass's results to the host: picks, or logits.
func (g *gpuModel) fetch(m *Model, key graphKey, out *[][]float32, picks []Pick) error {
	n := key.logits
	if n == 0 {
		return g.dev.Sync()
	}
	if key.greedy {
		return cuda.CopyOut(g.dev, picks[:n], g.meta)
	}
	logits := make([]float32, n*m.Vocab)
	if err := cuda.CopyOut(g.dev, logits, g.logits); err != nil {
		return err
	}
	res := make([][]float32, n)
	for i := range res {
		res[i] = logits[i*m.Vocab : (i+1)*m.Vocab : (i+1)*m.Vocab]
	}
	*out = res
	return nil
}
