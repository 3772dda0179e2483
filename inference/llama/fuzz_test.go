package llama

import (
	"fmt"
	"testing"

	"github.com/taonet/tao/inference/gguf"
	"github.com/taonet/tao/inference/tokenizer"
)

// tinyModel writes a complete llama GGUF small enough to fuzz: dim 32, one
// layer, a 262-token SentencePiece vocabulary, matrices of type q.
func tinyModel(t testing.TB, q gguf.TensorType) []byte {
	v := &tokenizer.Vocab{Model: "llama", BOS: 1, EOS: 2, UNK: 0, AddBOS: true}
	v.Tokens = []string{"<unk>", "<s>", "</s>"}
	v.Types = []int32{2, 3, 3}
	for b := range 256 {
		v.Tokens = append(v.Tokens, fmt.Sprintf("<0x%02X>", b))
		v.Types = append(v.Types, tokenizer.TypeByte)
	}
	v.Tokens = append(v.Tokens, "\u2581", "a", "\u2581a")
	v.Types = append(v.Types, 1, 1, 1)
	v.Scores = make([]float32, len(v.Tokens))
	v.Scores[len(v.Scores)-1] = -1
	const dim, ffn = 32, 64
	kv := []gguf.KV{
		{Key: "general.architecture", Value: "llama"},
		{Key: "llama.context_length", Value: uint32(16)},
		{Key: "llama.embedding_length", Value: uint32(dim)},
		{Key: "llama.block_count", Value: uint32(1)},
		{Key: "llama.feed_forward_length", Value: uint32(ffn)},
		{Key: "llama.attention.head_count", Value: uint32(2)},
		{Key: "llama.attention.head_count_kv", Value: uint32(1)},
	}
	kv = append(kv, v.KV()...)
	n := len(v.Tokens)
	specs := []tspec{{"token_embd.weight", dim, n}, {"output_norm.weight", dim, 0}, {"output.weight", dim, n},
		{"blk.0.attn_norm.weight", dim, 0}, {"blk.0.attn_q.weight", dim, dim}, {"blk.0.attn_k.weight", dim, dim / 2},
		{"blk.0.attn_v.weight", dim, dim / 2}, {"blk.0.attn_output.weight", dim, dim}, {"blk.0.ffn_norm.weight", dim, 0},
		{"blk.0.ffn_gate.weight", dim, ffn}, {"blk.0.ffn_up.weight", dim, ffn}, {"blk.0.ffn_down.weight", ffn, dim}}
	return encodeTestModel(t, kv, specs, q, false)
}

// FuzzDecodeModel loads mutated model files (run with -fuzzminimizetime 1s:
// minimizing these 70 KB inputs otherwise stalls the fuzzer for a minute
// each): any input must either fail
// with an error or load a model that can evaluate tokens, never panic or
// allocate beyond what the file pays for.
func FuzzDecodeModel(f *testing.F) {
	for _, q := range []gguf.TensorType{gguf.F32, gguf.Q8_0, gguf.Q4_0} {
		f.Add(tinyModel(f, q))
	}
	// The other shapes' paths: biases and NEOX rope, q/k norms with a
	// head width from key_length, rope_freqs.weight, tied output,
	// reordered metadata and a 64-byte alignment.
	f.Add(tinyQwen2().bytes(f))
	f.Add(tinyQwen3().bytes(f))
	f.Add(tiny{arch: "llama", dim: 32, heads: 4, kvHeads: 2, ffn: 64, tied: true, ropeFreqs: true, reverse: true, alignment: 64,
		extra: []gguf.KV{{Key: "llama.rope.scaling.factor", Value: float32(2)}}}.bytes(f))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Load(b)
		if err != nil {
			return
		}
		seq := m.NewSeq(4)
		rows := []Row{{Seq: seq, Token: 1}, {Seq: seq, Token: int32(m.Vocab - 1), Logits: true}}
		if _, err := m.Forward(rows, 1); err != nil {
			t.Fatal(err)
		}
		_ = m.Tok.Decode(m.Tok.Encode("a b\u00e9", true, true))
	})
}

func TestTinyModel(t *testing.T) {
	m, err := Load(tinyModel(t, gguf.Q8_0))
	if err != nil {
		t.Fatal(err)
	}
	ids := m.Tok.Encode("a aé", true, false)
	if got := m.Tok.Decode(ids); got != "a aé" {
		t.Errorf("round trip %q (%v)", got, ids)
	}
	toks, _ := greedy(t, m, ids, 4, 1)
	if len(toks) != 4 {
		t.Fatal(toks)
	}
}
