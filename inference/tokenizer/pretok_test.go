package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// preRefsPres are the vocabularies checked against llama.cpp, by file
// name: Llama 3's under each tokenizer.ggml.pre this package implements,
// "missing" for a file without the key (llama.cpp then uses "default"),
// Mistral's SentencePiece with tokenizer.ggml.add_space_prefix false, and
// "user-defined": Llama 3's with its special tokens from 128002 on marked
// user-defined (type 4) and tokenized without special-token parsing, which
// llama.cpp still matches.
var preRefsPres = []string{"llama-bpe", "smaug-bpe", "qwen2", "gpt-2", "smollm", "default", "missing", "spm-no-space-prefix", "user-defined"}

// preVocab returns the vocabulary a preRefsPres entry names.
func preVocab(t testing.TB, name string) *Vocab {
	t.Helper()
	base := "llama3"
	if name == "spm-no-space-prefix" {
		base = "llama2"
	}
	v, err := Builtin(base)
	if err != nil {
		t.Fatal(err)
	}
	switch name {
	case "missing":
		v.Pre = ""
	case "spm-no-space-prefix":
		v.NoSpacePrefix = true
	case "user-defined":
		v.Pre = "llama-bpe"
		for i := 128002; i < len(v.Types); i++ {
			v.Types[i] = TypeUserDefined
		}
	default:
		v.Pre = name
	}
	return v
}

type preRefs struct {
	Strings []string             `json:"strings"`
	Pre     map[string][][]int32 `json:"pre"`
}

// TestPreTokenizerParity compares token ids with llama.cpp's tokenizer
// (scripts/llamacpp-pretok.sh) for each vocabulary of preRefsPres, on the
// strings of testdata/refs.json.
func TestPreTokenizerParity(t *testing.T) {
	b, err := os.ReadFile("testdata/llamacpp-pre.json")
	if err != nil {
		t.Fatal(err)
	}
	var r preRefs
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Pre) != len(preRefsPres) || len(r.Strings) < 200 {
		t.Fatalf("references hold %d pre-tokenizers and %d strings; regenerate with scripts/llamacpp-pretok.sh", len(r.Pre), len(r.Strings))
	}
	for _, pre := range preRefsPres {
		t.Run(pre, func(t *testing.T) {
			tok, err := New(preVocab(t, pre))
			if err != nil {
				t.Fatal(err)
			}
			bad := 0
			for i, s := range r.Strings {
				got := tok.Encode(s, false, pre != "user-defined")
				if want := r.Pre[pre][i]; !slices.Equal(got, want) && len(got)+len(want) > 0 {
					bad++
					if bad <= 5 {
						t.Errorf("Encode(%q) = %v, llama.cpp %v", s, got, want)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d strings differ", bad, len(r.Strings))
			}
		})
	}
}

// TestWritePreVocabs writes, when TAO_PRE_VOCAB_DIR is set, one
// vocabulary-only GGUF per pre-tokenizer for scripts/llamacpp-pretok.sh.
func TestWritePreVocabs(t *testing.T) {
	dir := os.Getenv("TAO_PRE_VOCAB_DIR")
	if dir == "" {
		t.Skip("TAO_PRE_VOCAB_DIR not set (scripts/llamacpp-pretok.sh sets it)")
	}
	for _, pre := range preRefsPres {
		v := preVocab(t, pre)
		kv := []gguf.KV{
			{Key: "general.architecture", Value: "llama"},
			{Key: "llama.context_length", Value: uint32(64)},
			{Key: "llama.embedding_length", Value: uint32(64)},
			{Key: "llama.block_count", Value: uint32(1)},
			{Key: "llama.feed_forward_length", Value: uint32(64)},
			{Key: "llama.attention.head_count", Value: uint32(1)},
			{Key: "llama.attention.layer_norm_rms_epsilon", Value: float32(1e-5)},
		}
		kv = append(kv, v.KV()...)
		f, err := os.Create(filepath.Join(dir, pre+".gguf"))
		if err != nil {
			t.Fatal(err)
		}
		w, err := gguf.NewWriter(f, kv, nil)
		if err == nil {
			err = w.Close()
		}
		if err2 := f.Close(); err == nil {
			err = err2
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestAddBOSDefault: without tokenizer.ggml.add_bos_token, llama.cpp adds
// BOS for SentencePiece and the Llama 3 family of BPE pre-tokenizers only;
// with the key, the key decides.
func TestAddBOSDefault(t *testing.T) {
	vocabs := map[string]*Vocab{}
	for _, tc := range []struct {
		model, pre string
		key        *bool
		want       bool
	}{
		{"gpt2", "llama-bpe", nil, true},
		{"gpt2", "qwen2", nil, false},
		{"gpt2", "smaug-bpe", nil, false},
		{"gpt2", "", nil, false},
		{"gpt2", "qwen2", new(true), true},
		{"gpt2", "llama-bpe", new(false), false},
		{"llama", "", nil, true},
	} {
		name := "llama3"
		if tc.model == "llama" {
			name = "llama2"
		}
		if vocabs[name] == nil {
			v, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			vocabs[name] = v
		}
		v := *vocabs[name] // KV copies the slices it writes
		v.Pre = tc.pre
		var kv []gguf.KV
		for _, e := range v.KV() {
			if e.Key != "tokenizer.ggml.add_bos_token" {
				kv = append(kv, e)
			}
		}
		if tc.key != nil {
			kv = append(kv, gguf.KV{Key: "tokenizer.ggml.add_bos_token", Value: *tc.key})
		}
		got := vocabFromKV(t, kv)
		if got.AddBOS != tc.want {
			t.Errorf("%s pre %q key %v: AddBOS = %v, want %v", tc.model, tc.pre, tc.key, got.AddBOS, tc.want)
		}
	}
}

func TestSpecialIDOutOfRange(t *testing.T) {
	v, err := Builtin("llama2")
	if err != nil {
		t.Fatal(err)
	}
	var kv []gguf.KV
	for _, e := range v.KV() {
		if e.Key == "tokenizer.ggml.bos_token_id" {
			e.Value = uint32(1 << 30)
		}
		kv = append(kv, e)
	}
	if got := vocabFromKV(t, kv); got.BOS != 1 {
		t.Errorf("BOS = %d, want llama.cpp's default 1", got.BOS)
	}
}

// TestMergeParsing: a merge splits at the first space after its first
// byte, and one without a space is ignored, as llama.cpp loads them.
func TestMergeParsing(t *testing.T) {
	v := &Vocab{Model: "gpt2", Pre: "gpt-2", BOS: -1, EOS: -1, UNK: -1}
	for b := range 256 {
		v.Tokens = append(v.Tokens, string(byteToRune[b]))
	}
	v.Tokens = append(v.Tokens, "ab", "abc")
	v.Merges = []string{"nospace", "a b", "ab c"}
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("abc", false, false); !slices.Equal(got, []int32{257}) {
		t.Errorf("Encode(abc) = %v, want [257]", got)
	}
}

func TestEOTKeys(t *testing.T) {
	v, err := Builtin("llama2")
	if err != nil {
		t.Fatal(err)
	}
	kv := append(v.KV(), gguf.KV{Key: "tokenizer.ggml.eot_token_id", Value: uint32(32)}, gguf.KV{Key: "tokenizer.ggml.eom_token_id", Value: uint32(1 << 30)})
	got := vocabFromKV(t, kv)
	tok, err := New(got)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.IsEOG(32) || tok.IsEOG(33) || !tok.IsEOG(2) {
		t.Errorf("IsEOG(32, 33, 2) = %v %v %v, want true false true", tok.IsEOG(32), tok.IsEOG(33), tok.IsEOG(2))
	}
}
