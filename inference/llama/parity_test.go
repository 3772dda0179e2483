package llama

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"

	"github.com/taonet/tao/inference/gguf"
)

type llamacppRefs struct {
	Model string `json:"model"`
	// KVCache is the type of llama.cpp's KV cache: "f16", or "f32" (also
	// when absent).
	KVCache string `json:"kv_cache"`
	// FlashAttn: llama.cpp ran with flash attention (absent: without).
	FlashAttn bool `json:"flash_attn"`
	Steps     int  `json:"steps"`
	Cases     []struct {
		Text         string        `json:"text"`
		PromptTokens []int32       `json:"prompt_tokens"`
		Tokens       []int32       `json:"tokens"`
		TopLogprobs  [][][]float64 `json:"top_logprobs"`
	} `json:"cases"`
}

func rawCID(b []byte) string {
	c, err := cid.Prefix{Version: 1, Codec: cid.Raw, MhType: 0x12 /* sha2-256 */, MhLength: -1}.Sum(b)
	if err != nil {
		panic(err)
	}
	return c.String()
}

// TestLlamaCppParity compares greedy tokens and top log-probabilities with
// llama.cpp (scripts/llamacpp-refs.sh) on the synthetic model, regenerated
// here from its seed.
func TestLlamaCppParity(t *testing.T) {
	for _, tc := range []struct {
		q      gguf.TensorType
		file   string
		tol    float64
		preset string
	}{
		// The engine computes as ggml's x86 kernels do, so the logits are
		// llama.cpp's bit for bit (scripts/llamacpp-dump.sh checks every
		// tensor) and quantized models give the same 64 tokens too; the
		// log-probabilities differ only by how node-llama-cpp normalizes
		// (≈1e-4 over 32k logits, 6e-4 over Llama 3's 128k).
		{gguf.F32, "testdata/llamacpp-stories15m-f32-seed1.json", 1e-3, ""},
		{gguf.F16, "testdata/llamacpp-stories15m-f16-seed1.json", 1e-3, ""},
		{gguf.Q8_0, "testdata/llamacpp-stories15m-q8_0-seed1.json", 1e-3, ""},
		{gguf.Q4_0, "testdata/llamacpp-stories15m-q4_0-seed1.json", 1e-3, ""},
		// Llama 3's BPE vocabulary: prompt tokenization and numerics.
		{gguf.Q8_0, "testdata/llamacpp-stories15m-llama3-q8_0-seed1.json", 1e-3, "stories15m-llama3"},
		// The other shapes: Qwen2 (q/k/v biases, NEOX rope, tied output,
		// qwen2 pre-tokenizer, no BOS), Qwen3 (q/k norms, 4 heads of 32 on
		// a 64-wide embedding; and with YaRN), Llama 3.1 (rope_freqs.weight, tied) and a
		// linearly rope-scaled llama written as a foreign converter might
		// (alignment 64, keys reordered, defaults left out).
		{gguf.F32, "testdata/llamacpp-qwen2-tiny-f32-seed1.json", 1e-3, "qwen2-tiny"},
		{gguf.F32, "testdata/llamacpp-qwen3-tiny-f32-seed1.json", 1e-3, "qwen3-tiny"},
		{gguf.F32, "testdata/llamacpp-qwen3-yarn-tiny-f32-seed1.json", 1e-3, "qwen3-yarn-tiny"},
		// Q8_0 with a query width (128) other than the embedding (64).
		{gguf.Q8_0, "testdata/llamacpp-qwen3-tiny-q8_0-seed1.json", 1e-3, "qwen3-tiny"},
		{gguf.F32, "testdata/llamacpp-llama31-tiny-f32-seed1.json", 1e-3, "llama31-tiny"},
		// Q4_0 with tied output (llama.cpp repacks its copy of the table).
		{gguf.Q4_0, "testdata/llamacpp-llama31-tiny-q4_0-seed1.json", 1e-3, "llama31-tiny"},
		{gguf.Q4_0, "testdata/llamacpp-qwen2-tiny-q4_0-seed1.json", 1e-3, "qwen2-tiny"},
		{gguf.F32, "testdata/llamacpp-llama-linear-tiny-f32-seed1.json", 1e-3, "llama-linear-tiny"},
		// K-quants as synth writes them (gguf.QuantizeQ4K …): Q4_K
		// repacked by llama.cpp (rows a multiple of 8) and summed in its
		// gemv and gemm orders, Q5_K and Q6_K with activations in Q8_K;
		// llama-k-odd's 260-row gate/up are not repacked, and its
		// 260-wide down is F16; llama-k-tied's output is the embedding
		// (llama.cpp repacks its copy); stories15m's 288-wide matrices fall back
		// to Q8_0 (beside Q6_K's 768-wide down), Q5_1, and Q5_0 (beside
		// Q4_K's).
		{gguf.Q4_K, "testdata/llamacpp-llama-k-tiny-q4_k-seed1.json", 1e-3, "llama-k-tiny"},
		{gguf.Q5_K, "testdata/llamacpp-llama-k-tiny-q5_k-seed1.json", 1e-3, "llama-k-tiny"},
		{gguf.Q6_K, "testdata/llamacpp-llama-k-tiny-q6_k-seed1.json", 1e-3, "llama-k-tiny"},
		{gguf.Q4_K, "testdata/llamacpp-llama-k-odd-q4_k-seed1.json", 1e-3, "llama-k-odd"},
		{gguf.Q4_K, "testdata/llamacpp-llama-k-tied-q4_k-seed1.json", 1e-3, "llama-k-tied"},
		{gguf.Q6_K, "testdata/llamacpp-llama-k-tied-q6_k-seed1.json", 1e-3, "llama-k-tied"},
		{gguf.Q6_K, "testdata/llamacpp-stories15m-q6_k-seed1.json", 1e-3, ""},
		{gguf.Q5_1, "testdata/llamacpp-stories15m-q5_1-seed1.json", 1e-3, ""},
		{gguf.Q4_K, "testdata/llamacpp-stories15m-q4_k-seed1.json", 1e-3, ""},
		// llama.cpp's default F16 KV cache (the engine's default too):
		// head widths 48 (ggml_vec_dot_f16's float64 leftovers), 16 (all
		// leftovers) with grouped queries, 32 and 64.
		{gguf.F32, "testdata/llamacpp-stories15m-f32-seed1-f16cache.json", 1e-3, ""},
		{gguf.Q8_0, "testdata/llamacpp-stories15m-q8_0-seed1-f16cache.json", 1e-3, ""},
		{gguf.Q4_0, "testdata/llamacpp-stories15m-q4_0-seed1-f16cache.json", 1e-3, ""},
		{gguf.Q4_K, "testdata/llamacpp-stories15m-q4_k-seed1-f16cache.json", 1e-3, ""},
		{gguf.Q4_0, "testdata/llamacpp-qwen2-tiny-q4_0-seed1-f16cache.json", 1e-3, "qwen2-tiny"},
		{gguf.F32, "testdata/llamacpp-qwen3-tiny-f32-seed1-f16cache.json", 1e-3, "qwen3-tiny"},
		{gguf.F32, "testdata/llamacpp-llama31-tiny-f32-seed1-f16cache.json", 1e-3, "llama31-tiny"},
		{gguf.Q4_K, "testdata/llamacpp-llama-k-tiny-q4_k-seed1-f16cache.json", 1e-3, "llama-k-tiny"},
		// llama.cpp's defaults (the engine's too): flash attention, F16
		// cache; a fifth prompt of more than 64 tokens takes the tiled
		// kernel.
		{gguf.F32, "testdata/llamacpp-stories15m-f32-seed1-fa.json", 1e-3, ""},
		{gguf.Q8_0, "testdata/llamacpp-stories15m-q8_0-seed1-fa.json", 1e-3, ""},
		{gguf.Q4_0, "testdata/llamacpp-stories15m-q4_0-seed1-fa.json", 1e-3, ""},
		{gguf.Q4_K, "testdata/llamacpp-stories15m-q4_k-seed1-fa.json", 1e-3, ""},
		{gguf.Q4_0, "testdata/llamacpp-qwen2-tiny-q4_0-seed1-fa.json", 1e-3, "qwen2-tiny"},
		{gguf.F32, "testdata/llamacpp-qwen3-tiny-f32-seed1-fa.json", 1e-3, "qwen3-tiny"},
		{gguf.F32, "testdata/llamacpp-llama31-tiny-f32-seed1-fa.json", 1e-3, "llama31-tiny"},
		{gguf.Q4_K, "testdata/llamacpp-llama-k-tiny-q4_k-seed1-fa.json", 1e-3, "llama-k-tiny"},
	} {
		name := tc.preset + tc.q.String()
		if strings.HasSuffix(tc.file, "-f16cache.json") {
			name += "-f16cache"
		}
		if strings.HasSuffix(tc.file, "-fa.json") {
			name += "-fa"
		}
		t.Run(name, func(t *testing.T) {
			if tc.preset == "stories15m-llama3" && testing.Short() {
				t.Skip("large vocabulary model")
			}
			b, err := os.ReadFile(tc.file)
			if os.IsNotExist(err) {
				t.Skipf("no references %s", tc.file)
			}
			if err != nil {
				t.Fatal(err)
			}
			var refs llamacppRefs
			if err := json.Unmarshal(b, &refs); err != nil {
				t.Fatal(err)
			}
			mb := synthPreset(t, tc.preset, tc.q, 1)
			if got := rawCID(mb); got != refs.Model {
				t.Fatalf("synthesized model CID %s, references were made from %s: synth changed; regenerate with scripts/llamacpp-refs.sh", got, refs.Model)
			}
			m, err := Load(mb)
			if err != nil {
				t.Fatal(err)
			}
			setAttention(t, m, refs.KVCache, refs.FlashAttn)
			checkLlamaCppCases(t, m, &refs, tc.tol)
		})
	}
}

// checkLlamaCppCases holds m to each case of refs: the prompt's tokens,
// the greedy tokens, and the top log-probabilities within tol while the
// tokens agree.
func checkLlamaCppCases(t *testing.T, m *Model, refs *llamacppRefs, tol float64) {
	t.Helper()
	for _, c := range refs.Cases {
		t.Run(fmt.Sprintf("%.12s", c.Text), func(t *testing.T) {
			prompt := m.Tok.Encode(c.Text, true, false)
			if !slices.Equal(prompt, c.PromptTokens) {
				t.Errorf("prompt tokens %v, llama.cpp %v", prompt, c.PromptTokens)
			}
			toks, lps := greedy(t, m, c.PromptTokens, len(c.Tokens), 0)
			if !slices.Equal(toks, c.Tokens) {
				t.Errorf("greedy tokens differ:\n got %v\nwant %v", toks, c.Tokens)
			}
			var worst float64
			for i := range c.Tokens {
				if toks[i] != c.Tokens[i] {
					break // histories diverged; later steps are not comparable
				}
				for _, e := range c.TopLogprobs[i] {
					worst = max(worst, math.Abs(float64(lps[i][int(e[0])])-e[1]))
				}
			}
			if worst > tol {
				t.Errorf("max |logprob - llama.cpp| = %.2g, want <= %g", worst, tol)
			}
			t.Logf("max |logprob - llama.cpp| = %.2g", worst)
		})
	}
}

// TestLogitsBitsMatchLlamaCpp holds the engine to llama.cpp's logits bit
// for bit: their SHA-256 after the prompt and after feeding llama.cpp's
// greedy tokens, against hashes of llama.cpp's own tensors
// (testdata/llamacpp-logits-sha256.json), with an F32 KV cache, with an
// F16 one (names ending -f16cache) and with flash attention (-fa; -fa-long
// after a 67-token prompt, which takes its tiled kernel). A change in any rounding
// anywhere fails it; scripts/llamacpp-dump.sh then names the first tensor
// that differs.
func TestLogitsBitsMatchLlamaCpp(t *testing.T) {
	for _, c := range []struct {
		preset string
		q      gguf.TensorType
		kv     string // "", "-f16cache", "-fa" or "-fa-long"
	}{
		{"stories15m", gguf.F32, ""}, {"stories15m", gguf.F16, ""}, {"stories15m", gguf.Q8_0, ""}, {"stories15m", gguf.Q4_0, ""},
		{"stories15m", gguf.Q6_K, ""}, {"stories15m", gguf.Q5_1, ""}, {"stories15m", gguf.Q4_K, ""},
		{"llama-k-tiny", gguf.Q4_K, ""}, {"llama-k-tiny", gguf.Q5_K, ""}, {"llama-k-tiny", gguf.Q6_K, ""},
		{"stories15m", gguf.F32, "-f16cache"}, {"stories15m", gguf.Q8_0, "-f16cache"},
		{"stories15m", gguf.Q4_0, "-f16cache"}, {"llama-k-tiny", gguf.Q4_K, "-f16cache"},
		{"qwen3-tiny", gguf.F32, "-f16cache"}, {"llama31-tiny", gguf.F32, "-f16cache"},
		{"stories15m", gguf.F32, "-fa"}, {"stories15m", gguf.Q8_0, "-fa"},
		{"stories15m", gguf.Q4_0, "-fa"}, {"llama-k-tiny", gguf.Q4_K, "-fa"},
		{"qwen3-tiny", gguf.F32, "-fa"}, {"llama31-tiny", gguf.F32, "-fa"},
		{"stories15m", gguf.Q8_0, "-fa-long"}, {"llama-k-tiny", gguf.Q4_K, "-fa-long"},
		// A feed-forward width of 260: SwiGLU's scalar tail (glibc's expf).
		{"llama-k-odd", gguf.Q4_K, ""},
	} {
		name := c.preset + "-" + strings.ToLower(c.q.String()) + c.kv
		t.Run(name, func(t *testing.T) { checkLogitsHashes(t, c.preset, c.q, name) })
	}
}

// checkLogitsHashes runs preset in q through the prompt and greedy tokens
// of its first reference case and compares the logits' hashes with those
// under name.
func checkLogitsHashes(t *testing.T, preset string, q gguf.TensorType, name string) {
	b, err := os.ReadFile("testdata/llamacpp-logits-sha256.json")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	hashes := want[name].(map[string]any)
	which := 0 // "Once upon a time"
	if n, ok := strings.CutSuffix(name, "-long"); ok {
		name, which = n, 4 // the long prompt of the flash-attention references
	}
	base, suffix := name, ""
	for _, s := range []string{"-f16cache", "-fa"} {
		if b, ok := strings.CutSuffix(name, s); ok {
			base, suffix = b, s
		}
	}
	rb, err := os.ReadFile(fmt.Sprintf("testdata/llamacpp-%s-seed1%s.json", base, suffix))
	if err != nil {
		t.Fatal(err)
	}
	var refs llamacppRefs
	if err := json.Unmarshal(rb, &refs); err != nil {
		t.Fatal(err)
	}
	c := refs.Cases[which]
	m, err := Load(synthPreset(t, preset, q, 1))
	if err != nil {
		t.Fatal(err)
	}
	setAttention(t, m, refs.KVCache, refs.FlashAttn)
	seq := m.NewSeq(256)
	in := c.PromptTokens
	for step := 0; step < 64; step++ {
		logits := feed(t, m, seq, in)
		if h, ok := hashes[strconv.Itoa(step)]; ok {
			if got := logitsSHA256(logits); got != h {
				t.Errorf("step %d: logits' SHA-256 %s, llama.cpp's %s", step, got, h)
			}
		}
		in = []int32{c.Tokens[step]}
	}
}
