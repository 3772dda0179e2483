package tokenizer

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// vocabFromKV writes kv as a GGUF file without tensors and reads its
// vocabulary back.
func vocabFromKV(t *testing.T, kv []gguf.KV) *Vocab {
	t.Helper()
	var buf bytes.Buffer
	w, err := gguf.NewWriter(&buf, kv, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	v, err := VocabFromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func tokenList(n int) gguf.Array {
	toks := make([]string, n)
	for i := range toks {
		toks[i] = fmt.Sprintf("t%d", i)
	}
	return gguf.Array{Elem: gguf.TypeString, Values: toks}
}

// TestSpecialIDDefaults: a file without tokenizer.ggml.{bos,eos,unknown}_token_id
// gets llama_vocab::impl::load's defaults for its tokenizer type, a default
// outside the vocabulary is disabled, and a key outside it keeps the
// default.
func TestSpecialIDDefaults(t *testing.T) {
	for _, tc := range []struct {
		model         string
		n             int
		extra         []gguf.KV
		bos, eos, unk int32
	}{
		{"llama", 300, nil, 1, 2, 0},
		{"llama", 2, nil, 1, -1, 0},
		{"gpt2", 300, nil, 11, 11, -1},
		{"gpt2", 11, nil, -1, -1, -1},
		{"gpt2", 300, []gguf.KV{{Key: "tokenizer.ggml.bos_token_id", Value: uint32(5)}, {Key: "tokenizer.ggml.eos_token_id", Value: uint32(1 << 30)}}, 5, 11, -1},
		{"bert", 300, nil, 101, -1, 100},
		{"t5", 300, nil, -1, 1, 2},
	} {
		kv := append([]gguf.KV{{Key: "tokenizer.ggml.model", Value: tc.model}, {Key: "tokenizer.ggml.tokens", Value: tokenList(tc.n)}}, tc.extra...)
		v := vocabFromKV(t, kv)
		if v.BOS != tc.bos || v.EOS != tc.eos || v.UNK != tc.unk {
			t.Errorf("%s, %d tokens, %d keys: bos %d eos %d unk %d, want %d %d %d", tc.model, tc.n, len(tc.extra), v.BOS, v.EOS, v.UNK, tc.bos, tc.eos, tc.unk)
		}
	}

	// The BPE default EOS ends generation, as in llama.cpp's EOG set.
	v := vocabFromKV(t, []gguf.KV{{Key: "tokenizer.ggml.model", Value: "gpt2"}, {Key: "tokenizer.ggml.tokens", Value: tokenList(20)}})
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.IsEOG(11) || tok.IsEOG(10) {
		t.Errorf("IsEOG(11, 10) = %v %v, want true false", tok.IsEOG(11), tok.IsEOG(10))
	}

	// KV leaves out an id of -1 rather than writing 0xFFFFFFFF.
	for _, e := range (&Vocab{Model: "gpt2", Tokens: []string{"a"}, BOS: -1, EOS: -1, UNK: -1}).KV() {
		switch e.Key {
		case "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id":
			t.Errorf("KV writes %s = %v for id -1", e.Key, e.Value)
		}
	}
}

// spmTokens is a small SentencePiece vocabulary: <unk> <s> </s>, the 256
// byte tokens (ids 3..258), then ▁ (259), a, ▁a, b and ab (263).
func spmTokens() []string {
	toks := []string{"<unk>", "<s>", "</s>"}
	for b := range 256 {
		toks = append(toks, fmt.Sprintf("<0x%02X>", b))
	}
	return append(toks, "\u2581", "a", "\u2581a", "b", "ab")
}

// TestDecodeSpacePrefix: Decode removes the leading space only when the
// vocabulary adds one (llama.cpp's detokenize strips it only with
// add_space_prefix set); with tokenizer.ggml.add_space_prefix false a
// text's own leading space is kept.
func TestDecodeSpacePrefix(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prefix  *bool
		encoded []int32 // Encode(" a")
		decoded string  // Decode([▁a])
	}{
		{"absent", nil, []int32{259, 261}, "a"},
		{"true", new(true), []int32{259, 261}, "a"},
		{"false", new(false), []int32{261}, " a"},
	} {
		kv := []gguf.KV{
			{Key: "tokenizer.ggml.model", Value: "llama"},
			{Key: "tokenizer.ggml.tokens", Value: gguf.Array{Elem: gguf.TypeString, Values: spmTokens()}},
		}
		if tc.prefix != nil {
			kv = append(kv, gguf.KV{Key: "tokenizer.ggml.add_space_prefix", Value: *tc.prefix})
		}
		tok, err := New(vocabFromKV(t, kv))
		if err != nil {
			t.Fatal(err)
		}
		ids := tok.Encode(" a", false, false)
		if !slices.Equal(ids, tc.encoded) {
			t.Errorf("add_space_prefix %s: Encode(\" a\") = %v, want %v", tc.name, ids, tc.encoded)
		}
		if got := tok.Decode(ids); got != " a" {
			t.Errorf("add_space_prefix %s: Decode(Encode(\" a\")) = %q, want \" a\"", tc.name, got)
		}
		if got := tok.Decode([]int32{261}); got != tc.decoded {
			t.Errorf("add_space_prefix %s: Decode([▁a]) = %q, want %q", tc.name, got, tc.decoded)
		}
	}
}

// TestSPMWithoutScoresOrTypes loads a SentencePiece vocabulary that has
// neither tokenizer.ggml.scores nor tokenizer.ggml.token_type, as
// llama_vocab::impl::load does: every score 0 (so of two merges the
// leftmost goes first, llm_bigram_spm's tie order) and every token NORMAL
// (so "<s>" written in the text is plain text, and the <0xXX> tokens are
// still the byte fallback, found by their text, but render as written).
func TestSPMWithoutScoresOrTypes(t *testing.T) {
	kv := []gguf.KV{
		{Key: "tokenizer.ggml.model", Value: "llama"},
		{Key: "tokenizer.ggml.tokens", Value: gguf.Array{Elem: gguf.TypeString, Values: spmTokens()}},
	}
	v := vocabFromKV(t, kv)
	if len(v.Scores) != len(v.Tokens) || slices.ContainsFunc(v.Scores, func(s float32) bool { return s != 0 }) || v.Types != nil {
		t.Fatalf("scores %v types %v, want all 0 and none", v.Scores, v.Types)
	}
	if v.BOS != 1 || v.EOS != 2 || v.UNK != 0 || !v.AddBOS {
		t.Errorf("bos %d eos %d unk %d add_bos %v, want 1 2 0 true", v.BOS, v.EOS, v.UNK, v.AddBOS)
	}
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	// "▁ab": ▁+a and a+b both score 0; the left one merges first.
	if got := tok.Encode("ab", false, false); !slices.Equal(got, []int32{261, 262}) {
		t.Errorf("Encode(ab) = %v, want [▁a b] = [261 262]", got)
	}
	// "<s>" is not a control token: BOS once, then ▁ and the bytes of
	// "<", "s" and ">" (no token "<", "s" or ">", none of "▁<", "<s", "s>").
	if got := tok.Encode("<s>", true, true); !slices.Equal(got, []int32{1, 259, 3 + '<', 3 + 's', 3 + '>'}) {
		t.Errorf("Encode(<s>) = %v, want [1 259 63 118 65]", got)
	}
	if tok.IsControl(1) || tok.Piece(1) != "<s>" || tok.Piece(3+'A') != "<0x41>" {
		t.Errorf("IsControl(1) %v, Piece(1) %q, Piece(68) %q; want false, \"<s>\", \"<0x41>\"", tok.IsControl(1), tok.Piece(1), tok.Piece(3+'A'))
	}

	// With scores, the higher-scoring merge wins instead.
	scores := make([]float32, len(v.Tokens))
	scores[263] = 1
	v = vocabFromKV(t, append(kv, gguf.KV{Key: "tokenizer.ggml.scores", Value: gguf.Array{Elem: gguf.TypeFloat32, Values: scores}}))
	if tok, err = New(v); err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("ab", false, false); !slices.Equal(got, []int32{259, 263}) {
		t.Errorf("with scores: Encode(ab) = %v, want [▁ ab] = [259 263]", got)
	}
}
