package llama

import (
	"fmt"

	"github.com/taonet/tao/inference/gguf"
)

// Config is a model's architecture, read from GGUF metadata.
type Config struct {
	Arch     string
	Dim      int // embedding length
	Layers   int
	Heads    int
	KVHeads  int
	HeadDim  int
	FFN      int
	Vocab    int
	Ctx      int // trained context length
	RopeDim  int // rotated dimensions per head
	RopeBase float32
	NormEps  float32
}

// KVDim is the width of one position's keys (or values) in one layer.
func (c Config) KVDim() int { return c.KVHeads * c.HeadDim }

// Limits that no sane llama model exceeds; a header claiming more is
// rejected before anything is allocated.
const (
	maxDim    = 1 << 16
	maxLayers = 1 << 10
	maxCtx    = 1 << 20
	maxVocab  = 1 << 20
)

func configFromGGUF(f *gguf.File) (Config, error) {
	var c Config
	arch, _ := f.String("general.architecture")
	switch arch {
	case "llama", "mistral":
	default:
		return c, fmt.Errorf("llama: unsupported architecture %q (want llama)", arch)
	}
	c.Arch = arch
	geti := func(key string, def int64, lo, hi int64) (int, error) {
		v, ok := f.Int(arch + "." + key)
		if !ok {
			if def < 0 {
				return 0, fmt.Errorf("llama: missing %s.%s", arch, key)
			}
			v = def
		}
		if v < lo || v > hi {
			return 0, fmt.Errorf("llama: %s.%s = %d out of range [%d, %d]", arch, key, v, lo, hi)
		}
		return int(v), nil
	}
	var err error
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
	if c.Dim%c.Heads != 0 || c.Heads%c.KVHeads != 0 {
		return c, fmt.Errorf("llama: %d heads, %d kv heads do not divide embedding length %d", c.Heads, c.KVHeads, c.Dim)
	}
	c.HeadDim = c.Dim / c.Heads
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
	if !(c.RopeBase > 0) || !(c.NormEps >= 0) {
		return c, fmt.Errorf("llama: bad rope base %v or norm epsilon %v", c.RopeBase, c.NormEps)
	}
	return c, nil
}
