package llama

import (
	"fmt"

	"github.com/taonet/tao/inference/gguf"
)

// Config is a model's architecture, read from GGUF metadata with
// llama.cpp's defaults for the keys a file leaves out.
type Config struct {
	Arch    string // general.architecture: llama, mistral, qwen2 or qwen3
	Dim     int    // embedding length
	Layers  int
	Heads   int
	KVHeads int
	// HeadDim is the width of one attention head, for queries, keys and
	// values alike: {arch}.attention.key_length, Dim/Heads when absent.
	// Qwen3 sets it so that Heads*HeadDim differs from Dim.
	HeadDim  int
	FFN      int
	Vocab    int
	Ctx      int // trained context length
	RopeDim  int // rotated dimensions per head
	RopeBase float32
	// RopeScale multiplies every rotation angle: 1/{arch}.rope.scaling.factor
	// for linear scaling and YaRN, 1 for none.
	RopeScale float32
	// RopeYarn applies YaRN (rope.scaling.type yarn) as ggml does: each
	// dimension pair mixes scaled and unscaled angles by a ramp between
	// the pairs whose wavelength fits RopeOrigCtx 32 and 1 times, and
	// cos/sin grow by 1 + 0.1 ln(1/RopeScale).
	RopeYarn bool
	// RopeOrigCtx is rope.scaling.original_context_length, the context
	// the model was trained with before scaling (Ctx when absent).
	RopeOrigCtx int
	// RopeNeox rotates the pairs (x[i], x[i+RopeDim/2]) (llama.cpp's NEOX
	// mode, used by Qwen) instead of adjacent pairs (x[2i], x[2i+1]).
	RopeNeox bool
	NormEps  float32
}

// KVDim is the width of one position's keys (or values) in one layer.
func (c Config) KVDim() int { return c.KVHeads * c.HeadDim }

// QDim is the width of one position's queries (all heads).
func (c Config) QDim() int { return c.Heads * c.HeadDim }

// Limits that no sane llama model exceeds; a header claiming more is
// rejected before anything is allocated.
const (
	maxDim    = 1 << 16
	maxLayers = 1 << 10
	maxCtx    = 1 << 24
	maxVocab  = 1 << 20
)

// archs maps the architectures the engine runs to their rotary mode, as
// llama.cpp's llama_model_rope_type assigns them.
var archs = map[string]struct{ neox bool }{
	"llama":   {false},
	"mistral": {false},
	"qwen2":   {true},
	"qwen3":   {true},
}

func configFromGGUF(f *gguf.File) (Config, error) {
	var c Config
	arch, _ := f.String("general.architecture")
	a, ok := archs[arch]
	if !ok {
		return c, fmt.Errorf("llama: unsupported architecture %q (the builtin engine runs llama, mistral, qwen2 and qwen3; serve other models with --engine openai and an upstream server)", arch)
	}
	c.Arch, c.RopeNeox = arch, a.neox
	// geti reads an integer key. Keys written per layer as arrays (as
	// llama.cpp allows) are accepted when every layer has the same value.
	geti := func(key string, def int64, lo, hi int64) (int, error) {
		name := arch + "." + key
		v, ok := f.Int(name)
		if arr, isArr := f.Array(name); isArr {
			var err error
			if v, err = uniform(name, arr); err != nil {
				return 0, err
			}
			ok = true
		}
		if !ok {
			if def < 0 {
				return 0, fmt.Errorf("llama: missing %s (the file is not a complete %s model)", name, arch)
			}
			v = def
		}
		if v < lo || v > hi {
			return 0, fmt.Errorf("llama: %s = %d out of range [%d, %d]", name, v, lo, hi)
		}
		return int(v), nil
	}
	var err error
	if n, ok := f.Int(arch + ".expert_count"); ok && n > 0 {
		return c, fmt.Errorf("llama: %s.expert_count = %d: mixture-of-experts models are not supported by the builtin engine (serve them with --engine openai)", arch, n)
	}
	if c.Dim, err = geti("embedding_length", -1, 1, maxDim); err != nil {
		return c, err
	}
	if c.Layers, err = geti("block_count", -1, 1, maxLayers); err != nil {
		return c, err
	}
	if c.FFN, err = geti("feed_forward_length", -1, 1, 4*maxDim); err != nil {
		return c, err
	}
	if c.Heads, err = geti("attention.head_count", -1, 1, maxDim); err != nil {
		return c, err
	}
	if c.KVHeads, err = geti("attention.head_count_kv", int64(c.Heads), 1, int64(c.Heads)); err != nil {
		return c, err
	}
	if c.Ctx, err = geti("context_length", 2048, 1, maxCtx); err != nil {
		return c, err
	}
	if c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("llama: %d kv heads do not divide %d heads", c.KVHeads, c.Heads)
	}
	// llama.cpp's default head width is Dim/Heads, so a file without
	// key_length must have heads that divide the embedding.
	def := int64(-1)
	if c.Dim%c.Heads == 0 {
		def = int64(c.Dim / c.Heads)
	}
	if c.HeadDim, err = geti("attention.key_length", def, 2, maxDim); err != nil {
		return c, fmt.Errorf("%w (or %d heads do not divide embedding length %d)", err, c.Heads, c.Dim)
	}
	if c.QDim() > 4*maxDim {
		return c, fmt.Errorf("llama: %d heads of width %d", c.Heads, c.HeadDim)
	}
	vlen, err := geti("attention.value_length", int64(c.HeadDim), 1, maxDim)
	if err != nil {
		return c, err
	}
	if vlen != c.HeadDim {
		return c, fmt.Errorf("llama: %s.attention.value_length %d differs from key_length %d, which the builtin engine does not support", arch, vlen, c.HeadDim)
	}
	if c.RopeDim, err = geti("rope.dimension_count", int64(c.HeadDim), 2, int64(c.HeadDim)); err != nil {
		return c, err
	}
	if c.RopeDim%2 != 0 {
		return c, fmt.Errorf("llama: odd rope dimension %d", c.RopeDim)
	}
	c.RopeBase, c.NormEps = 10000, 1e-5
	if v, ok := f.Float(arch + ".rope.freq_base"); ok {
		c.RopeBase = float32(v)
	}
	if v, ok := f.Float(arch + ".attention.layer_norm_rms_epsilon"); ok {
		c.NormEps = float32(v)
	}
	if !(c.RopeBase > 0) || !(c.NormEps >= 0) || c.NormEps > 1 {
		return c, fmt.Errorf("llama: bad rope base %v or norm epsilon %v", c.RopeBase, c.NormEps)
	}
	if c.RopeScale, c.RopeYarn, err = ropeScale(f, arch); err != nil {
		return c, err
	}
	if c.RopeOrigCtx, err = geti("rope.scaling.original_context_length", int64(c.Ctx), 1, maxCtx); err != nil {
		return c, err
	}
	return c, nil
}

// ropeScale reads rope scaling as llama.cpp does: the type defaults to
// linear, the factor (rope.scaling.factor, or the older
// rope.scale_linear) to none, and the angles are multiplied by 1/factor
// unless the type is "none".
func ropeScale(f *gguf.File, arch string) (scale float32, yarn bool, err error) {
	typ, ok := f.String(arch + ".rope.scaling.type")
	if !ok {
		typ = "linear"
	}
	factor, ok := f.Float(arch + ".rope.scaling.factor")
	if !ok {
		factor, _ = f.Float(arch + ".rope.scale_linear")
	}
	switch typ {
	case "none":
		return 1, false, nil
	case "linear":
	case "yarn":
		yarn = true
	case "longrope":
		return 0, false, fmt.Errorf("llama: %s.rope.scaling.type %q is not implemented by the builtin engine; serve the model with --engine openai", arch, typ)
	default:
		return 0, false, fmt.Errorf("llama: unknown %s.rope.scaling.type %q (llama.cpp knows none, linear, yarn, longrope)", arch, typ)
	}
	if factor == 0 {
		return 1, yarn, nil
	}
	if !(factor > 0) || factor > 1<<16 {
		return 0, false, fmt.Errorf("llama: bad %s.rope.scaling.factor %v", arch, factor)
	}
	return float32(1 / factor), yarn, nil
}

// uniform returns the value of a per-layer integer array whose entries
// are all equal.
func uniform(key string, a gguf.Array) (int64, error) {
	n := a.Len()
	if n == 0 {
		return 0, fmt.Errorf("llama: %s is an empty array", key)
	}
	var first int64
	for i := range n {
		v, ok := arrayInt(a, i)
		if !ok {
			return 0, fmt.Errorf("llama: %s is an array of %s, want integers", key, a.Elem)
		}
		if i == 0 {
			first = v
		} else if v != first {
			return 0, fmt.Errorf("llama: %s differs between layers, which the builtin engine does not support", key)
		}
	}
	return first, nil
}

func arrayInt(a gguf.Array, i int) (int64, bool) {
	switch v := a.Values.(type) {
	case []uint8:
		return int64(v[i]), true
	case []int8:
		return int64(v[i]), true
	case []uint16:
		return int64(v[i]), true
	case []int16:
		return int64(v[i]), true
	case []uint32:
		return int64(v[i]), true
	case []int32:
		return int64(v[i]), true
	case []uint64:
		if v[i] > 1<<62 {
			return 0, false
		}
		return int64(v[i]), true
	case []int64:
		return v[i], true
	}
	return 0, false
}
