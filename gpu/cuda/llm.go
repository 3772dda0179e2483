package cuda

import (
	_ "embed"
	"fmt"
	"math"
)

//go:embed llm.cu
var llmSource string

// RowMetaSize is the bytes of one row's entry in the metadata a forward
// pass uploads (struct RowMeta in llm.cu): the KV cache's address, its
// capacity in positions and the row's position.
const RowMetaSize = 16

// LLM is the compiled set of transformer kernels (llm.cu) for one weight
// type. Its methods queue work on the device's stream and must be called
// inside Device.Run.
type LLM struct {
	d   *Device
	Mod *Module
	Act DataType // type of GEMM inputs: the weights' type
	embed, rmsnorm, ropeCache, attention,
	siluMul, argmax, greedy, toAct, gemv Func
	maxPos int // positions attention's shared memory holds
}

// MaxAttentionPositions bounds a sequence on the GPU: attention keeps a
// row's scores in shared memory (up to 227 KiB on H100-class GPUs; older
// GPUs hold fewer, see LLM.MaxPositions).
const MaxAttentionPositions = 32768

// NewLLM compiles the kernels for weights of type act (F16 or BF16).
func NewLLM(d *Device, act DataType) (*LLM, error) {
	var opts []string
	switch act {
	case F16:
	case BF16:
		opts = append(opts, "-DTAO_BF16")
	default:
		return nil, fmt.Errorf("cuda: weights of type %s (want f16 or bf16)", act)
	}
	mod, err := d.Compile(llmSource, opts...)
	if err != nil {
		return nil, err
	}
	k := &LLM{d: d, Mod: mod, Act: act}
	for _, f := range []struct {
		p    *Func
		name string
	}{
		{&k.embed, "embed"}, {&k.rmsnorm, "rmsnorm"}, {&k.ropeCache, "rope_cache"}, {&k.attention, "attention"},
		{&k.siluMul, "silu_mul"}, {&k.argmax, "argmax"}, {&k.greedy, "greedy"}, {&k.toAct, "to_act"},
		{&k.gemv, "gemv"},
	} {
		if *f.p, err = mod.Func(f.name); err != nil {
			return nil, err
		}
	}
	// Scores live in shared memory: ask for room for MaxAttentionPositions,
	// and settle for less on GPUs with smaller shared memory.
	k.maxPos = 48<<10/4 - attentionExtra
	for _, n := range []int{MaxAttentionPositions, 96<<10/4 - attentionExtra} {
		if d.SetMaxDynamicShared(k.attention, 4*(n+attentionExtra)) == nil {
			k.maxPos = n
			break
		}
	}
	return k, nil
}

// attentionExtra bounds the floats of attention's shared memory besides
// the scores: the query (head dim <= 256) and the groups' partial sums
// (at most 1024).
const attentionExtra = 256 + 1024

// MaxPositions is the longest sequence attention handles on this GPU.
func (k *LLM) MaxPositions() int { return k.maxPos }

const block = 256

// Embed writes x[r] = emb[tok[r]] for rows rows (x f32, emb of type Act).
func (k *LLM) Embed(emb, tok, x Ptr, rows, dim int) error {
	return k.d.Launch(k.embed, Dim3{X: uint32(rows)}, Dim3{X: block}, 0, P(emb), P(tok), P(x), I(dim))
}

// RMSNorm writes out[r] (type Act) = x[src]/rms(x[src]) * w for rows
// rows, where src = idx[r] (int32) or r when idx is 0.
func (k *LLM) RMSNorm(x, w, out, idx Ptr, rows, dim int, eps float32) error {
	return k.d.Launch(k.rmsnorm, Dim3{X: uint32(rows)}, Dim3{X: block}, 0, P(x), P(w), P(out), P(idx), I(dim), F(eps))
}

// RopeCache rotates q and k of each row of qkv in place and stores k and
// v in the rows' KV caches, described by meta (rows × RowMetaSize).
func (k *LLM) RopeCache(qkv, meta Ptr, rows, layer, heads, kvHeads, headDim, ropeDim int, ropeBase float32) error {
	scale := float32(math.Pow(float64(ropeBase), -2.0/float64(ropeDim)))
	return k.d.Launch(k.ropeCache, Dim3{X: uint32(rows)}, Dim3{X: block}, 0,
		P(qkv), P(meta), I(layer), I(heads), I(kvHeads), I(headDim), I(ropeDim), F(scale))
}

// Attention writes out (rows × heads·headDim, type Act): each row's
// causal attention over positions [0, pos] of its cache. maxPos is the
// largest pos+1 of any row (it sizes shared memory).
func (k *LLM) Attention(qkv, meta, out Ptr, rows, layer, heads, kvHeads, headDim, maxPos int) error {
	if maxPos > k.maxPos {
		return fmt.Errorf("cuda: attention over %d positions (this GPU holds at most %d)", maxPos, k.maxPos)
	}
	if headDim%8 != 0 || headDim > 256 {
		return fmt.Errorf("cuda: attention needs a head dimension that is a multiple of 8, at most 256 (got %d)", headDim)
	}
	const threads = 128
	g := 1
	for g < headDim/8 {
		g <<= 1
	}
	shared := 4 * (headDim + maxPos + threads/g*headDim)
	scale := float32(1 / math.Sqrt(float64(headDim)))
	return k.d.Launch(k.attention, Dim3{X: uint32(heads), Y: uint32(rows)}, Dim3{X: threads}, shared,
		P(qkv), P(meta), P(out), I(layer), I(heads), I(kvHeads), I(headDim), F(scale))
}

// MaxGemvRows is the most activation rows Gemv takes.
const MaxGemvRows = 8

// Gemv is Gemm for at most MaxGemvRows activation rows, with x and w both
// of type Act and k a multiple of 8: y[t][r] (+)= w[r]·x[t], y f32 with
// row stride ldy. (Measured slower than cuBLAS on an H200; kept for
// comparison, see inference/llama's BenchmarkGPUDecode.)
func (k *LLM) Gemv(t, n, kdim int, x, w, y Ptr, ldy int, accumulate bool) error {
	if t > MaxGemvRows || kdim%8 != 0 {
		return fmt.Errorf("cuda: gemv of %d rows of %d", t, kdim)
	}
	acc := 0
	if accumulate {
		acc = 1
	}
	const rowsPerBlock = block / 32
	return k.d.Launch(k.gemv, Dim3{X: uint32((n + rowsPerBlock - 1) / rowsPerBlock)}, Dim3{X: block}, 0,
		P(w), P(x), P(y), I(n), I(kdim), I(t), I(ldy), I(acc))
}

// SiLUMul writes out[r][c] (type Act) = silu(gu[r][c]) · gu[r][ffn+c].
func (k *LLM) SiLUMul(gu, out Ptr, rows, ffn int) error {
	n := rows * ffn
	return k.d.Launch(k.siluMul, Dim3{X: uint32((n + block - 1) / block)}, Dim3{X: block}, 0, P(gu), P(out), I(ffn), I(n))
}

// Argmax writes out[r] (int32) = the index of the largest of row r's n
// f32 values, the first on ties.
func (k *LLM) Argmax(x, out Ptr, rows, n int) error {
	return k.d.Launch(k.argmax, Dim3{X: uint32(rows)}, Dim3{X: 1024}, 0, P(x), I(n), P(out))
}

// Greedy writes, for each of rows rows of n f32 logits at x, the index of
// the largest (the first on ties) and its log-softmax as an (int32,
// float32) pair at out.
func (k *LLM) Greedy(x, out Ptr, rows, n int) error {
	return k.d.Launch(k.greedy, Dim3{X: uint32(rows)}, Dim3{X: 1024}, 0, P(x), I(n), P(out))
}

// ToAct converts n f32 values at x to type Act at out.
func (k *LLM) ToAct(x, out Ptr, n int) error {
	return k.d.Launch(k.toAct, Dim3{X: uint32((n + block - 1) / block)}, Dim3{X: block}, 0, P(x), P(out), uint64(n))
}
