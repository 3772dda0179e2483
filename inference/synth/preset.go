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
