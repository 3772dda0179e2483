package synth

import (
	"fmt"
	"sort"
)

// Preset is a llama architecture's dimensions.
type Preset struct {
	Name      string
	Dim       int // embedding length
	Layers    int
	Heads     int
	KVHeads   int
	FFN       int // feed-forward length
	Ctx       int // context length
	Tokenizer string
	RopeBase  float32
	NormEps   float32

	// The fields below are zero for the llama presets written before
	// them, whose bytes (and CIDs) must not change.

	// Arch is general.architecture: "" means llama; "qwen2" adds q/k/v
	// biases, "qwen3" per-head q/k RMSNorm weights (both rotate NEOX-style
	// in llama.cpp and the builtin engine).
	Arch string
	// HeadDim, if set, is written as attention.key_length/value_length
	// and may make Heads*HeadDim differ from Dim (as Qwen3 does).
	HeadDim int
	Tied    bool   // no output.weight: the output layer is token_embd
	Pre     string // overrides the vocabulary's tokenizer.ggml.pre
	NoBOS   bool   // tokenizer.ggml.add_bos_token = false (Qwen)
	// RopeFreqs writes rope_freqs.weight with Llama 3.1's frequency
	// factors (factor 8, low 1, high 4, original context 8192), as
	// llama.cpp's converter does for rope_type llama3.
	RopeFreqs bool
	// RopeLinear, if set, is a linear rope.scaling.factor.
	RopeLinear float32
	// Yarn, if set, is a YaRN rope.scaling.factor, over an original
	// context of YarnOrigCtx positions.
	Yarn        float32
	YarnOrigCtx int
	// Foreign writes the file the way another writer might: metadata in
	// another order, general.alignment 64, no vocab_size,
	// rope.dimension_count or head_count_kv (llama.cpp's defaults apply).
	Foreign bool
}

// presets is immutable.
var presets = map[string]Preset{
	"stories15m":  {Name: "stories15m", Dim: 288, Layers: 6, Heads: 6, KVHeads: 6, FFN: 768, Ctx: 512, Tokenizer: "llama2", RopeBase: 10000, NormEps: 1e-5},
	"tinyllama1b": {Name: "tinyllama1b", Dim: 2048, Layers: 22, Heads: 32, KVHeads: 4, FFN: 5632, Ctx: 2048, Tokenizer: "llama2", RopeBase: 10000, NormEps: 1e-5},
	// stories15m-llama3 is stories15m with Llama 3's 128k BPE vocabulary.
	"stories15m-llama3": {Name: "stories15m-llama3", Dim: 288, Layers: 6, Heads: 6, KVHeads: 6, FFN: 768, Ctx: 512, Tokenizer: "llama3", RopeBase: 500000, NormEps: 1e-5},
	// llama3-8b has Llama 3 8B's shape (8.0 B parameters, 16 GB in f16):
	// for GPU benchmarks of a full-size model.
	"llama3-8b": {Name: "llama3-8b", Dim: 4096, Layers: 32, Heads: 32, KVHeads: 8, FFN: 14336, Ctx: 8192, Tokenizer: "llama3", RopeBase: 500000, NormEps: 1e-5},
	// Small models of the other shapes the builtin engine runs, for
	// llama.cpp parity: Qwen2 (biases, NEOX rope, tied output), Qwen3
	// (q/k norms, head width 32 with 4 heads on a 64-wide embedding),
	// Llama 3.1/3.2 (rope_freqs.weight, tied output) and a linearly
	// rope-scaled llama written as a foreign converter might; Qwen3 with
	// YaRN (factor 4 over an original context of 256, so that the ramp
	// falls inside the 16 rotary pairs).
	"qwen2-tiny":      {Name: "qwen2-tiny", Arch: "qwen2", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFN: 192, Ctx: 4096, Tokenizer: "llama3", Pre: "qwen2", NoBOS: true, Tied: true, RopeBase: 1000000, NormEps: 1e-6},
	"qwen3-tiny":      {Name: "qwen3-tiny", Arch: "qwen3", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 32, FFN: 192, Ctx: 4096, Tokenizer: "llama3", Pre: "qwen2", NoBOS: true, RopeBase: 1000000, NormEps: 1e-6},
	"qwen3-yarn-tiny": {Name: "qwen3-yarn-tiny", Arch: "qwen3", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, HeadDim: 32, FFN: 192, Ctx: 1024, Tokenizer: "llama3", Pre: "qwen2", NoBOS: true, Yarn: 4, YarnOrigCtx: 256, RopeBase: 1000000, NormEps: 1e-6},
	"llama31-tiny":    {Name: "llama31-tiny", Dim: 64, Layers: 2, Heads: 4, KVHeads: 2, FFN: 192, Ctx: 8192, Tokenizer: "llama3", Tied: true, RopeFreqs: true, RopeBase: 500000, NormEps: 1e-5},
	// llama-k-tiny's matrices are all a multiple of 256 wide, so llama.cpp
	// quantizes every one of them to a K-quant (no fallback types): for
	// K-quant parity (scripts/llamacpp-quantize.sh).
	"llama-k-tiny": {Name: "llama-k-tiny", Dim: 256, Layers: 2, Heads: 4, KVHeads: 4, FFN: 512, Ctx: 2048, Tokenizer: "llama2", RopeBase: 10000, NormEps: 1e-5},
	// llama-k-tied is llama-k-tiny with the output layer tied to the
	// embedding, as Llama 3.2 and Qwen2's small models are: llama.cpp
	// repacks its copy for the output product.
	"llama-k-tied": {Name: "llama-k-tied", Dim: 256, Layers: 2, Heads: 4, KVHeads: 4, FFN: 512, Ctx: 2048, Tokenizer: "llama2", Tied: true, RopeBase: 10000, NormEps: 1e-5},
	// llama-k-odd's gate and up matrices have 260 rows (not a multiple of
	// 8), which llama.cpp does not repack.
	"llama-k-odd":       {Name: "llama-k-odd", Dim: 256, Layers: 2, Heads: 4, KVHeads: 4, FFN: 260, Ctx: 2048, Tokenizer: "llama2", RopeBase: 10000, NormEps: 1e-5},
	"llama-linear-tiny": {Name: "llama-linear-tiny", Dim: 64, Layers: 2, Heads: 4, KVHeads: 4, HeadDim: 16, FFN: 192, Ctx: 2048, Tokenizer: "llama2", RopeLinear: 4, Foreign: true, RopeBase: 10000, NormEps: 1e-5},
}

// LookupPreset returns the named preset.
func LookupPreset(name string) (Preset, error) {
	p, ok := presets[name]
	if !ok {
		return Preset{}, fmt.Errorf("synth: unknown preset %q (want one of %v)", name, PresetNames())
	}
	return p, nil
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var names []string
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
