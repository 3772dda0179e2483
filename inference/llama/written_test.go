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

// TestGGUFPyWrittenFiles loads models whose bytes gguf-py wrote, llama.cpp's
// Python GGUF package: the GGUFWriter that convert_hf_to_gguf.py uses, so
// the writer of most GGUF files on the Hugging Face hub, and a second
// writer independent of gguf.cpp. scripts/ggufpy-written.sh made them and
// their references (node-llama-cpp 3.21.1): tao model synth in F32, then
// scripts/ggufpy-write.py, which cuts the vocabulary to 1024 tokens and
// writes the model through GGUFWriter's add_* methods as
// convert_hf_to_gguf.py would from a Hugging Face checkpoint of the same
// weights (its key order, tensor names and order, gguf.quants'
// quantizers), then llama.cpp's greedy tokens and log-probabilities with
// its defaults on four prompts of their own (and the -fa references' long
// one). The test checks that each file has gguf-py's layout and holds the
// engine to those references; it needs only the committed files.
func TestGGUFPyWrittenFiles(t *testing.T) {
	for _, tc := range []struct {
		preset   string // testdata/ggufpy-written-PRESET-QUANT.gguf and .json
		quant    string
		arch     string
		fileType uint32 // llama_ftype
		matrix   gguf.TensorType
		align    uint64
		bos      int64 // tokenizer.ggml.bos_token_id
	}{
		// Mistral's SentencePiece vocabulary, tied output, Q8_0 everywhere
		// (token_embd too: convert_hf_to_gguf.py's --outtype q8_0), and
		// general.alignment 64 (add_custom_alignment).
		{"llama-k-tied", "q8_0", "llama", 7, gguf.Q8_0, 64, 1},
		// Llama 3's BPE vocabulary with the qwen2 pre-tokenizer, merges,
		// special tokens moved to 1019-1023; q/k/v biases in F32, the
		// rest Q4_0 (gguf.quants' quantizer), tied output; no vocab_size
		// or rope.dimension_count (Qwen2Model writes neither).
		{"qwen2-tiny", "q4_0", "qwen2", 2, gguf.Q4_0, 32, 1019},
		// BF16 (gguf.quants' rounding), q/k norms, head width 32 written
		// as key_length and value_length, output.weight (lm_head, first).
		{"qwen3-tiny", "bf16", "qwen3", 32, gguf.BF16, 32, 1019},
		// F16, the llama-bpe pre-tokenizer with a BOS at 1019 added to each
		// prompt, rope_freqs.weight (LlamaModel's generated tensor, first),
		// q and k permuted by LlamaModel.permute, tied output.
		{"llama31-tiny", "f16", "llama", 1, gguf.F16, 32, 1019},
	} {
		name := tc.preset + "-" + tc.quant
		t.Run(name, func(t *testing.T) {
			checkWrittenFile(t, "testdata/ggufpy-written-"+name, "scripts/ggufpy-written.sh", func(f *gguf.File) {
				checkGGUFPyLayout(t, f, tc.preset, tc.arch, tc.fileType, tc.matrix, tc.align, tc.bos)
			})
		})
	}
}

// ggufpyHFNames maps GGUF tensor names (blocks' without "blk.N.") to the
// Hugging Face names convert_hf_to_gguf.py reads them from.
var ggufpyHFNames = map[string]string{
	"token_embd.weight": "model.embed_tokens.weight", "output_norm.weight": "model.norm.weight",
	"output.weight": "lm_head.weight", "attn_norm.weight": "input_layernorm.weight",
	"attn_q.weight": "self_attn.q_proj.weight", "attn_k.weight": "self_attn.k_proj.weight",
	"attn_v.weight": "self_attn.v_proj.weight", "attn_q.bias": "self_attn.q_proj.bias",
	"attn_k.bias": "self_attn.k_proj.bias", "attn_v.bias": "self_attn.v_proj.bias",
	"attn_q_norm.weight": "self_attn.q_norm.weight", "attn_k_norm.weight": "self_attn.k_norm.weight",
	"attn_output.weight": "self_attn.o_proj.weight", "ffn_norm.weight": "post_attention_layernorm.weight",
	"ffn_gate.weight": "mlp.gate_proj.weight", "ffn_up.weight": "mlp.up_proj.weight",
	"ffn_down.weight": "mlp.down_proj.weight",
}

// checkGGUFPyLayout checks that f was laid out by gguf-py as
// convert_hf_to_gguf.py drives it: general.architecture first (GGUFWriter's
// constructor), then the keys in the order prepare_metadata adds them
// (general.type, name and size_label; the hyperparameters TextModel and
// LlamaModel set, general.file_type among them; general.quantization_version;
// the vocabulary), the tensors in the Hugging Face checkpoint's order
// (safetensors sorts names; generated tensors come first), 1-D tensors and
// norms in F32 and every other tensor of type matrix, each at a multiple
// of the alignment.
func checkGGUFPyLayout(t *testing.T, f *gguf.File, preset, arch string, fileType uint32, matrix gguf.TensorType, align uint64, bos int64) {
	t.Helper()
	a := arch + "."
	keys := []string{"general.architecture"}
	if align != gguf.DefaultAlignment {
		keys = append(keys, "general.alignment")
	}
	keys = append(keys, "general.type", "general.name", "general.size_label",
		a+"block_count", a+"context_length", a+"embedding_length", a+"feed_forward_length",
		a+"attention.head_count", a+"attention.head_count_kv", a+"rope.freq_base",
		a+"attention.layer_norm_rms_epsilon")
	if arch == "qwen3" {
		keys = append(keys, a+"attention.key_length", a+"attention.value_length")
	}
	keys = append(keys, "general.file_type")
	if arch == "llama" {
		keys = append(keys, a+"vocab_size", a+"rope.dimension_count")
	}
	keys = append(keys, "general.quantization_version", "tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens")
	spm := bos == 1
	if spm {
		keys = append(keys, "tokenizer.ggml.scores", "tokenizer.ggml.token_type",
			"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id")
	} else {
		keys = append(keys, "tokenizer.ggml.token_type", "tokenizer.ggml.merges",
			"tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")
	}
	keys = append(keys, "tokenizer.ggml.add_bos_token", "tokenizer.ggml.add_eos_token", "tokenizer.chat_template")
	var got []string
	for _, kv := range f.KV {
		got = append(got, kv.Key)
	}
	if !slices.Equal(got, keys) {
		t.Errorf("keys\n %v\nwant gguf-py's\n %v", got, keys)
	}
	if v, _ := f.Int("general.file_type"); v != int64(fileType) {
		t.Errorf("general.file_type %d, want %d", v, fileType)
	}
	if s, _ := f.String("general.name"); s != "ggufpy-written-"+preset {
		t.Errorf("general.name %q, want %q", s, "ggufpy-written-"+preset)
	}
	if f.Alignment != align {
		t.Errorf("alignment %d, want %d", f.Alignment, align)
	}
	if toks, _ := f.Array("tokenizer.ggml.tokens"); toks.Len() != 1024 {
		t.Errorf("%d tokens, want 1024", toks.Len())
	}
	if v, _ := f.Int("tokenizer.ggml.bos_token_id"); v != bos {
		t.Errorf("tokenizer.ggml.bos_token_id %d, want %d", v, bos)
	}

	var hf []string
	for i, ti := range f.Tensors {
		if ti.Offset%align != 0 {
			t.Errorf("%s at offset %d, not a multiple of %d", ti.Name, ti.Offset, align)
		}
		want := matrix
		if len(ti.Dims) == 1 || strings.HasSuffix(ti.Name, "_norm.weight") {
			want = gguf.F32
		}
		if ti.Type != want {
			t.Errorf("%s is %s, want %s", ti.Name, ti.Type, want)
		}
		if ti.Name == "rope_freqs.weight" {
			if i != 0 {
				t.Errorf("rope_freqs.weight is tensor %d, want 0 (generate_extra_tensors comes first)", i)
			}
			continue
		}
		var l int
		rest := ti.Name
		if _, err := fmt.Sscanf(ti.Name, "blk.%d.", &l); err == nil {
			rest = strings.SplitN(ti.Name, ".", 3)[2]
		}
		name, ok := ggufpyHFNames[rest]
		if !ok {
			t.Errorf("tensor %s: no Hugging Face name", ti.Name)
		}
		if rest != ti.Name {
			name = fmt.Sprintf("model.layers.%d.%s", l, name)
		}
		hf = append(hf, name)
	}
	if !slices.IsSorted(hf) {
		t.Errorf("tensors in Hugging Face order %v, not sorted as safetensors lists them", hf)
	}
	if e, ok := f.Tensor("token_embd.weight"); !ok || len(e.Dims) != 2 || e.Dims[1] != 1024 {
		t.Errorf("token_embd.weight %v, want 1024 rows", e.Dims)
	}
}
