package llama

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/taonet/tao/inference/gguf"
)

// TestLlamaCppWrittenFiles loads models whose bytes llama.cpp's own GGUF
// writer (ggml's gguf.cpp) wrote, not this project's: llama-k-tiny as
// Q4_K_M (Q4_K and Q6_K, as llama.cpp mixes them, with its own scale
// search) and llama-linear-tiny as Q8_0, each with the first 1024 tokens
// of the llama2 vocabulary. scripts/llamacpp-written.sh made them and
// their references (node-llama-cpp 3.21.1): tao model synth in F32, the
// vocabulary cut by scripts/llamacpp-vocab-cut.c through gguf.cpp, then
// llama_model_quantize (ftype 15 and 7), then llama.cpp's greedy tokens
// and log-probabilities with its defaults (flash attention, F16 KV cache)
// on four prompts no other reference uses (and the -fa references' long
// one). The test checks that each file has llama.cpp's layout, not
// synth's, and holds the engine to those references as TestLlamaCppParity
// does; it needs only the committed files.
func TestLlamaCppWrittenFiles(t *testing.T) {
	for _, tc := range []struct {
		preset   string // testdata/llamacpp-written-PRESET-QUANT.gguf and .json
		quant    string
		fileType uint32 // llama_ftype
		matrix   gguf.TensorType
		other    map[string]gguf.TensorType // matrices not of type matrix
		align    uint64
	}{
		// Q4_K_M: Q6_K for the output and, in a 2-layer model, the last
		// layer's attn_v and ffn_down (llama.cpp's use_more_bits).
		{"llama-k-tiny", "q4_k_m", 15, gguf.Q4_K, map[string]gguf.TensorType{
			"output.weight": gguf.Q6_K, "blk.1.attn_v.weight": gguf.Q6_K, "blk.1.ffn_down.weight": gguf.Q6_K}, 32},
		// Linear rope scaling, head width 16, no vocab_size,
		// rope.dimension_count or head_count_kv, and general.alignment 64,
		// which gguf.cpp kept.
		{"llama-linear-tiny", "q8_0", 7, gguf.Q8_0, nil, 64},
	} {
		name := tc.preset + "-" + tc.quant
		t.Run(name, func(t *testing.T) {
			checkWrittenFile(t, "testdata/llamacpp-written-"+name, "scripts/llamacpp-written.sh", func(f *gguf.File) {
				checkLlamaCppLayout(t, f, tc.preset, tc.fileType, tc.matrix, tc.other, tc.align)
			})
		})
	}
}

// checkWrittenFile loads BASE.gguf, a model another writer wrote, and
// BASE.json, llama.cpp's references for it (which script regenerates),
// runs layout on the decoded file, and holds the engine's greedy tokens
// and log-probabilities to llama.cpp's as TestLlamaCppParity does.
func checkWrittenFile(t *testing.T, base, script string, layout func(*gguf.File)) {
	t.Helper()
	b, err := os.ReadFile(base + ".gguf")
	if err != nil {
		t.Fatal(err)
	}
	rb, err := os.ReadFile(base + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var refs llamacppRefs
	if err := json.Unmarshal(rb, &refs); err != nil {
		t.Fatal(err)
	}
	if got := rawCID(b); got != refs.Model {
		t.Fatalf("model CID %s, references were made from %s: regenerate both with %s", got, refs.Model, script)
	}
	f, err := gguf.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	layout(f)

	m, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	setAttention(t, m, refs.KVCache, refs.FlashAttn)
	checkLlamaCppCases(t, m, &refs, 1e-3)
}

// checkLlamaCppLayout checks that f was laid out by llama.cpp's quantizer
// (llama_model_quantize_impl) rather than by synth: general.quantization_version
// and general.file_type last (gguf_set_val_* appends them; synth writes
// them after general.name), the tensors in llama_model_loader's
// weights_map order (those outside the blocks by name, output.weight
// first, then block by block, each by name; synth writes token_embd.weight
// first and a block's in computation order), the types llama.cpp chose,
// and the vocabulary llamacpp-vocab-cut left.
func checkLlamaCppLayout(t *testing.T, f *gguf.File, preset string, fileType uint32, matrix gguf.TensorType, other map[string]gguf.TensorType, align uint64) {
	t.Helper()
	n := len(f.KV)
	if n < 2 || f.KV[n-2].Key != "general.quantization_version" || f.KV[n-1].Key != "general.file_type" {
		t.Errorf("last keys are not general.quantization_version, general.file_type as llama.cpp's quantizer appends them: %v", f.KV[max(n-2, 0):])
	}
	if v, _ := f.Int("general.quantization_version"); v != 2 {
		t.Errorf("general.quantization_version %d, want 2", v)
	}
	if v, _ := f.Int("general.file_type"); v != int64(fileType) {
		t.Errorf("general.file_type %d, want %d", v, fileType)
	}
	if s, _ := f.String("general.name"); s != "llamacpp-written-"+preset {
		t.Errorf("general.name %q, want %q", s, "llamacpp-written-"+preset)
	}
	for _, kv := range f.KV {
		if strings.HasPrefix(kv.Key, "tao.") {
			t.Errorf("key %s: the file should carry none of tao's keys", kv.Key)
		}
	}
	if f.Alignment != align {
		t.Errorf("alignment %d, want %d", f.Alignment, align)
	}
	if toks, _ := f.Array("tokenizer.ggml.tokens"); toks.Len() != 1024 {
		t.Errorf("%d tokens, want 1024", toks.Len())
	}

	var names []string
	for _, ti := range f.Tensors {
		names = append(names, ti.Name)
		if ti.Offset%align != 0 {
			t.Errorf("%s at offset %d, not a multiple of %d", ti.Name, ti.Offset, align)
		}
		want := matrix
		if len(ti.Dims) == 1 {
			want = gguf.F32
		} else if o, ok := other[ti.Name]; ok {
			want = o
		}
		if ti.Type != want {
			t.Errorf("%s is %s, want %s", ti.Name, ti.Type, want)
		}
	}
	// weight_name_comparer: block index (-1 outside the blocks), then name.
	layer := func(s string) int {
		l := -1
		fmt.Sscanf(s, "blk.%d.", &l)
		return l
	}
	want := slices.Clone(names)
	slices.SortFunc(want, func(a, b string) int {
		if la, lb := layer(a), layer(b); la != lb {
			return la - lb
		}
		return strings.Compare(a, b)
	})
	if !slices.Equal(names, want) || names[0] != "output.weight" {
		t.Errorf("tensors in order %v, not llama.cpp's %v", names, want)
	}
	if e, ok := f.Tensor("token_embd.weight"); !ok || len(e.Dims) != 2 || e.Dims[1] != 1024 {
		t.Errorf("token_embd.weight %v, want 1024 rows", e.Dims)
	}
}
