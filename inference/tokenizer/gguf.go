package tokenizer

import (
	"fmt"

	"github.com/taonet/tao/inference/gguf"
)

// KV returns the tokenizer.ggml.* metadata for v, as llama.cpp's converter
// writes it.
func (v *Vocab) KV() []gguf.KV {
	types := append([]int32(nil), v.Types...)
	kv := []gguf.KV{
		{Key: "tokenizer.ggml.model", Value: v.Model},
	}
	if v.Pre != "" {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.pre", Value: v.Pre})
	}
	kv = append(kv, gguf.KV{Key: "tokenizer.ggml.tokens", Value: gguf.Array{Elem: gguf.TypeString, Values: append([]string(nil), v.Tokens...)}})
	if len(v.Scores) > 0 {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.scores", Value: gguf.Array{Elem: gguf.TypeFloat32, Values: append([]float32(nil), v.Scores...)}})
	}
	kv = append(kv, gguf.KV{Key: "tokenizer.ggml.token_type", Value: gguf.Array{Elem: gguf.TypeInt32, Values: types}})
	if len(v.Merges) > 0 {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.merges", Value: gguf.Array{Elem: gguf.TypeString, Values: append([]string(nil), v.Merges...)}})
	}
	// An id of -1 (none) is left out, as llama.cpp's converter does; a
	// reader then applies llama.cpp's default for the model type.
	for _, e := range []struct {
		key string
		id  int32
	}{{"tokenizer.ggml.bos_token_id", v.BOS}, {"tokenizer.ggml.eos_token_id", v.EOS}, {"tokenizer.ggml.unknown_token_id", v.UNK}} {
		if e.id >= 0 {
			kv = append(kv, gguf.KV{Key: e.key, Value: uint32(e.id)})
		}
	}
	kv = append(kv,
		gguf.KV{Key: "tokenizer.ggml.add_bos_token", Value: v.AddBOS},
		gguf.KV{Key: "tokenizer.ggml.add_eos_token", Value: v.AddEOS},
	)
	if v.NoSpacePrefix {
		kv = append(kv, gguf.KV{Key: "tokenizer.ggml.add_space_prefix", Value: false})
	}
	if v.ChatTemplate != "" {
		kv = append(kv, gguf.KV{Key: "tokenizer.chat_template", Value: v.ChatTemplate})
	}
	return kv
}

// specialDefaults holds llama.cpp's BOS, EOS and UNK ids, by
// tokenizer.ggml.model, for a file without the keys (llama_vocab::impl::load;
// -1 is LLAMA_TOKEN_NULL): SentencePiece 1, 2, 0; byte-level BPE 11 for
// both ends and no UNK; WordPiece 101, none, 100; Unigram none, 1, 2;
// PLaMo-2 as SentencePiece. Other models (rwkv, none) have none.
var specialDefaults = map[string][3]int32{
	"llama":  {1, 2, 0},
	"gpt2":   {11, 11, -1},
	"bert":   {101, -1, 100},
	"t5":     {-1, 1, 2},
	"plamo2": {1, 2, 0},
}

// VocabFromGGUF reads the tokenizer.ggml.* metadata of f.
func VocabFromGGUF(f *gguf.File) (*Vocab, error) {
	v := &Vocab{UNK: -1, BOS: -1, EOS: -1}
	var ok bool
	if v.Model, ok = f.String("tokenizer.ggml.model"); !ok {
		return nil, fmt.Errorf("tokenizer: model has no tokenizer.ggml.model")
	}
	v.Pre, _ = f.String("tokenizer.ggml.pre")
	toks, _ := f.Array("tokenizer.ggml.tokens")
	if v.Tokens, ok = toks.Values.([]string); !ok || len(v.Tokens) == 0 {
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.tokens missing or not strings")
	}
	n := len(v.Tokens)
	if a, ok := f.Array("tokenizer.ggml.scores"); ok {
		if v.Scores, ok = a.Values.([]float32); !ok || len(v.Scores) != n {
			return nil, fmt.Errorf("tokenizer: tokenizer.ggml.scores: want %d float32", n)
		}
	}
	if a, ok := f.Array("tokenizer.ggml.token_type"); ok {
		if v.Types, ok = a.Values.([]int32); !ok || len(v.Types) != n {
			return nil, fmt.Errorf("tokenizer: tokenizer.ggml.token_type: want %d int32", n)
		}
	}
	if a, ok := f.Array("tokenizer.ggml.merges"); ok {
		if v.Merges, ok = a.Values.([]string); !ok {
			return nil, fmt.Errorf("tokenizer: tokenizer.ggml.merges not strings")
		}
	}
	if v.Model == "llama" && v.Scores == nil {
		v.Scores = make([]float32, n) // llama.cpp scores absent tokens 0
	}
	// The special tokens default as llama_vocab::impl::load sets them
	// for the vocabulary type; a default outside the vocabulary is
	// disabled, and a key's id replaces it only when inside (llama.cpp
	// warns and keeps the default).
	if d, ok := specialDefaults[v.Model]; ok {
		v.BOS, v.EOS, v.UNK = d[0], d[1], d[2]
	}
	for _, e := range []struct {
		key string
		dst *int32
	}{{"tokenizer.ggml.bos_token_id", &v.BOS}, {"tokenizer.ggml.eos_token_id", &v.EOS}, {"tokenizer.ggml.unknown_token_id", &v.UNK}} {
		if *e.dst >= int32(n) {
			*e.dst = -1
		}
		if x, ok := f.Int(e.key); ok && x >= 0 && x < int64(n) {
			*e.dst = int32(x)
		}
	}
	for _, key := range []string{"tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"} {
		if x, ok := f.Int(key); ok && x >= 0 && x < int64(n) {
			v.EOT = append(v.EOT, int32(x))
		}
	}
	if v.AddBOS, ok = f.Bool("tokenizer.ggml.add_bos_token"); !ok {
		// llama.cpp's default: on for SentencePiece and the Llama 3
		// family of BPE pre-tokenizers, off for other BPE vocabularies.
		v.AddBOS = v.Model == "llama"
		if p, err := preTokenizerFor(v.Pre); v.Model == "gpt2" && err == nil {
			v.AddBOS = p.addBOS
		}
	}
	v.AddEOS, _ = f.Bool("tokenizer.ggml.add_eos_token")
	if sp, ok := f.Bool("tokenizer.ggml.add_space_prefix"); ok && v.Model == "llama" {
		v.NoSpacePrefix = !sp // llama.cpp's default for SentencePiece is true
	}
	v.ChatTemplate, _ = f.String("tokenizer.chat_template")
	return v, nil
}
