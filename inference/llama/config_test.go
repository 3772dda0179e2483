package llama

import (
	"math"
	"strings"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestConfigDefaults loads a file that leaves out every key llama.cpp
// has a default for and checks the defaults it applies.
func TestConfigDefaults(t *testing.T) {
	o := tinyLlama()
	o.kvHeads = o.heads
	o.drop = []string{"llama.context_length", "llama.attention.head_count_kv", "llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base", "tokenizer.ggml.add_bos_token", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id"}
	m, err := Load(o.bytes(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Arch: "llama", Dim: 32, Layers: 2, Heads: 4, KVHeads: 4, HeadDim: 8, FFN: 64, Vocab: 262, Ctx: 2048, RopeDim: 8, RopeBase: 10000, RopeScale: 1, RopeOrigCtx: 2048, NormEps: 1e-5}
	if m.Config != want {
		t.Errorf("config\n got %+v\nwant %+v", m.Config, want)
	}
	v := m.Tok.Vocab()
	if !v.AddBOS || v.BOS != 1 || v.EOS != 2 || v.UNK != 0 {
		t.Errorf("SentencePiece defaults: add_bos %v bos %d eos %d unk %d, want true 1 2 0", v.AddBOS, v.BOS, v.EOS, v.UNK)
	}
}

// TestForeignLayout loads the same model with its metadata in reverse
// order, and with alignments 1 and 64: the logits must not change.
func TestForeignLayout(t *testing.T) {
	base := logitsOf(t, tinyLlama().bytes(t))
	for _, o := range []tiny{
		func() tiny { o := tinyLlama(); o.reverse = true; return o }(),
		func() tiny { o := tinyLlama(); o.alignment = 64; return o }(),
		func() tiny { o := tinyLlama(); o.alignment = 1; o.reverse = true; return o }(),
		func() tiny { o := tinyLlama(); o.perLayerKVHeadsAsArray = true; return o }(),
		func() tiny { o := tinyLlama(); o.quant = gguf.F32; o.headDim = 8; return o }(), // key_length = dim/heads, written out
	} {
		if d := maxDiff(base, logitsOf(t, o.bytes(t))); d != 0 {
			t.Errorf("%+v: logits differ by %g", o, d)
		}
	}
}

// TestTrailingUnitDims loads models whose tensors carry trailing size-1
// dimensions (norms and biases as [n 1], matrices as [cols rows 1 1]), as
// some GGUF writers store them: llama.cpp's check_tensor_dims pads ne[]
// with 1s and accepts them, and the logits must be those of the plain
// file. A same-size tensor of another shape is still rejected.
func TestTrailingUnitDims(t *testing.T) {
	pad := func(ti *gguf.TensorInfo) {
		if len(ti.Dims) == 1 {
			ti.Dims = append(ti.Dims, 1)
		} else {
			ti.Dims = append(ti.Dims, 1, 1)
		}
	}
	for _, o := range []tiny{tinyLlama(), tinyQwen2(), tinyQwen3(), func() tiny { o := tinyLlama(); o.ropeFreqs = true; o.quant = gguf.Q8_0; return o }()} {
		base := logitsOf(t, o.bytes(t))
		o.reshape = pad
		if d := maxDiff(base, logitsOf(t, o.bytes(t))); d != 0 {
			t.Errorf("%s %s with trailing 1s: logits differ by %g", o.arch, o.quant, d)
		}
	}
	o := tinyLlama()
	o.reshape = func(ti *gguf.TensorInfo) {
		if ti.Name == "blk.0.attn_norm.weight" {
			ti.Dims = []uint64{ti.Dims[0] / 2, 2}
		}
	}
	if _, err := Load(o.bytes(t)); err == nil || !strings.Contains(err.Error(), "blk.0.attn_norm.weight has shape [16 2], want [32]") {
		t.Errorf("norm of shape [16 2]: err = %v", err)
	}
}

// TestTiedOutput: a file without output.weight uses token_embd as the
// output layer.
func TestTiedOutput(t *testing.T) {
	o := tinyLlama()
	o.tied = true
	m, err := Load(o.bytes(t))
	if err != nil {
		t.Fatal(err)
	}
	if m.output != m.embd {
		t.Fatal("output layer is not the embedding")
	}
	got := lastLogits(t, m)
	if d := maxDiff(got, logitsOf(t, tinyLlama().bytes(t))); d == 0 {
		t.Error("tied and untied models give the same logits")
	}
}

func TestRopeScaling(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []gguf.KV
		scale float32
		err   string
	}{
		{"none", nil, 1, ""},
		{"factor-only", []gguf.KV{{Key: "llama.rope.scaling.factor", Value: float32(4)}}, 0.25, ""},
		{"linear", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "linear"}, {Key: "llama.rope.scaling.factor", Value: float32(2)}}, 0.5, ""},
		{"old-key", []gguf.KV{{Key: "llama.rope.scale_linear", Value: float32(8)}}, 0.125, ""},
		{"type-none", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "none"}, {Key: "llama.rope.scaling.factor", Value: float32(8)}}, 1, ""},
		{"yarn-unscaled", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "yarn"}}, 1, ""},
		{"yarn", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "yarn"}, {Key: "llama.rope.scaling.factor", Value: float32(4)}}, 0.25, ""},
		{"longrope", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "longrope"}, {Key: "llama.rope.scaling.factor", Value: float32(4)}}, 0, "not implemented"},
		{"unknown", []gguf.KV{{Key: "llama.rope.scaling.type", Value: "llama3"}}, 0, "unknown"},
		{"negative", []gguf.KV{{Key: "llama.rope.scaling.factor", Value: float32(-1)}}, 0, "bad"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tinyLlama()
			o.extra = tc.extra
			m, err := Load(o.bytes(t))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.RopeScale != tc.scale {
				t.Errorf("RopeScale = %v, want %v", m.RopeScale, tc.scale)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    func() tiny
		err  string
	}{
		{"arch", func() tiny { o := tinyLlama(); o.arch = "gemma2"; return o }, "--engine openai"},
		{"moe", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "llama.expert_count", Value: uint32(8)}}
			return o
		}, "mixture-of-experts"},
		{"value-length", func() tiny {
			o := tinyQwen3()
			o.extra = []gguf.KV{{Key: "qwen3.attention.value_length", Value: uint32(8)}}
			o.drop = []string{"qwen3.attention.value_length"}
			return o
		}, "value_length"},
		{"per-layer-differs", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "llama.feed_forward_length", Value: gguf.Array{Elem: gguf.TypeUint32, Values: []uint32{64, 128}}}}
			o.drop = []string{"llama.feed_forward_length"}
			return o
		}, "differs between layers"},
		{"heads-do-not-divide", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "llama.attention.head_count", Value: uint32(3)}}
			o.drop = []string{"llama.attention.head_count"}
			return o
		}, "divide"},
		{"qwen2-no-bias", func() tiny { o := tinyQwen2(); o.bias = false; return o }, "attn_{q,k,v}.bias"},
		{"qwen3-no-norm", func() tiny { o := tinyQwen3(); o.qkNorm = false; return o }, "attn_{q,k}_norm"},
		{"unknown-pre", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "tokenizer.ggml.model", Value: "gpt2"}, {Key: "tokenizer.ggml.pre", Value: "no-such-pre"}}
			o.drop = []string{"tokenizer.ggml.model"}
			return o
		}, "pre-tokenizer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(tc.o().bytes(t))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestFeaturesAreUsed switches each architecture feature off on a loaded
// model and checks that the logits move: the llama.cpp parity test says
// the features are right, this one that each is wired in.
func TestFeaturesAreUsed(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    tiny
		off  func(m *Model)
	}{
		{"neox", tinyQwen2(), func(m *Model) { m.RopeNeox = false }},
		{"bias", tinyQwen2(), func(m *Model) {
			for i := range m.layers {
				m.layers[i].bq, m.layers[i].bk, m.layers[i].bv = nil, nil, nil
			}
		}},
		{"qk-norm", tinyQwen3(), func(m *Model) {
			for i := range m.layers {
				m.layers[i].qNorm, m.layers[i].kNorm = nil, nil
			}
		}},
		{"rope-freqs", func() tiny { o := tinyLlama(); o.ropeFreqs = true; return o }(), func(m *Model) { m.ropeFreqs = nil }},
		{"yarn", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "llama.rope.scaling.type", Value: "yarn"}, {Key: "llama.rope.scaling.factor", Value: float32(4)},
				{Key: "llama.rope.scaling.original_context_length", Value: uint32(16)}}
			return o
		}(), func(m *Model) { m.RopeYarn = false }},
		{"linear-scale", func() tiny {
			o := tinyLlama()
			o.extra = []gguf.KV{{Key: "llama.rope.scaling.factor", Value: float32(4)}}
			return o
		}(), func(m *Model) { m.RopeScale = 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.o.bytes(t)
			on := logitsOf(t, b)
			m, err := Load(b)
			if err != nil {
				t.Fatal(err)
			}
			tc.off(m)
			if d := maxDiff(on, lastLogits(t, m)); !(d > 1e-4) || math.IsNaN(d) {
				t.Errorf("turning %s off moves the logits by %g", tc.name, d)
			}
		})
	}
}

// TestCPUOnly names, for ToDevice's refusal, what the CUDA backend lacks.
func TestCPUOnly(t *testing.T) {
	for _, tc := range []struct {
		o    tiny
		want []string
	}{
		{tinyLlama(), nil},
		{tinyQwen2(), []string{"NEOX", "biases"}},
		{tinyQwen3(), []string{"NEOX", "q/k norms", "query width"}},
		{func() tiny { o := tinyLlama(); o.ropeFreqs = true; return o }(), []string{"rope frequency factors"}},
	} {
		m, err := Load(tc.o.bytes(t))
		if err != nil {
			t.Fatal(err)
		}
		got := m.cpuOnly()
		if (got == "") != (tc.want == nil) {
			t.Errorf("%s: cpuOnly() = %q, want %q", tc.o.arch, got, tc.want)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: cpuOnly() = %q, want it to name %q", tc.o.arch, got, w)
			}
		}
	}
}

// TestWideHeads: a llama file whose key_length makes the query width
// differ from the embedding (as Mistral Nemo's does) loads and runs.
func TestWideHeads(t *testing.T) {
	o := tinyLlama()
	o.headDim = 16 // 4 heads of 16 on a 32-wide embedding
	m, err := Load(o.bytes(t))
	if err != nil {
		t.Fatal(err)
	}
	if m.QDim() != 64 || m.KVDim() != 32 || m.RopeDim != 16 {
		t.Fatalf("QDim %d KVDim %d RopeDim %d, want 64 32 16", m.QDim(), m.KVDim(), m.RopeDim)
	}
	toks, _ := greedy(t, m, []int32{1, 259, 260}, 4, 1)
	if len(toks) != 4 {
		t.Fatal(toks)
	}
	if d := maxDiff(lastLogits(t, m), logitsOf(t, tinyLlama().bytes(t))); d == 0 {
		t.Error("wide heads give the same logits as narrow ones")
	}
}
