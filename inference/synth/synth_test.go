package synth

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

func TestDeterministicAndLoadable(t *testing.T) {
	var a, b bytes.Buffer
	o := Options{Preset: "stories15m", Quant: gguf.Q4_0, Seed: 7}
	if err := Write(&a, o); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, o); err != nil {
		t.Fatal(err)
	}
	if sha256.Sum256(a.Bytes()) != sha256.Sum256(b.Bytes()) {
		t.Fatal("same options gave different bytes")
	}
	f, err := gguf.Decode(a.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := f.Int("llama.embedding_length"); n != 288 {
		t.Errorf("embedding_length = %d", n)
	}
	if len(f.Tensors) != 3+9*6 {
		t.Errorf("%d tensors", len(f.Tensors))
	}
	v, err := tokenizer.VocabFromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Tokens) != 32000 || v.BOS != 1 || v.EOS != 2 {
		t.Errorf("vocab: %d tokens, bos %d eos %d", len(v.Tokens), v.BOS, v.EOS)
	}
	o.Seed = 8
	var c bytes.Buffer
	if err := Write(&c, o); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), c.Bytes()) {
		t.Error("different seeds gave the same bytes")
	}
}

// TestKQuantFallback checks the tensor types of K-quant models: matrices
// a multiple of 256 wide take the K-quant, others llama.cpp's fallback
// (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0), and rows not a multiple of 32
// wide F16; norms stay F32.
func TestKQuantFallback(t *testing.T) {
	for _, c := range []struct {
		preset string
		q      gguf.TensorType
		want   map[string]gguf.TensorType
	}{
		{"stories15m", gguf.Q4_K, map[string]gguf.TensorType{"blk.0.attn_q.weight": gguf.Q5_0, "blk.0.ffn_down.weight": gguf.Q4_K, "output.weight": gguf.Q5_0, "blk.0.attn_norm.weight": gguf.F32}},
		{"stories15m", gguf.Q5_K, map[string]gguf.TensorType{"blk.0.attn_q.weight": gguf.Q5_1, "blk.0.ffn_down.weight": gguf.Q5_K}},
		{"stories15m", gguf.Q6_K, map[string]gguf.TensorType{"token_embd.weight": gguf.Q8_0, "blk.0.ffn_down.weight": gguf.Q6_K}},
		{"llama-k-odd", gguf.Q4_K, map[string]gguf.TensorType{"blk.0.ffn_gate.weight": gguf.Q4_K, "blk.0.ffn_down.weight": gguf.F16}},
	} {
		var b bytes.Buffer
		if err := Write(&b, Options{Preset: c.preset, Quant: c.q, Seed: 1}); err != nil {
			t.Fatal(err)
		}
		f, err := gguf.Decode(b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]gguf.TensorType{}
		for _, ti := range f.Tensors {
			got[ti.Name] = ti.Type
		}
		for name, want := range c.want {
			if got[name] != want {
				t.Errorf("%s %s: %s is %s, want %s", c.preset, c.q, name, got[name], want)
			}
		}
	}
}
