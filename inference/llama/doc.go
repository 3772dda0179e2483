// Package llama runs llama-family transformers from GGUF files on the CPU:
// general.architecture llama (and mistral), qwen2 and qwen3 (dense). It
// applies RMSNorm, rotary embeddings as llama.cpp does for each
// architecture (adjacent pairs, "NORM" mode, for llama, matching the Q/K
// permutation llama.cpp's converter bakes into GGUF; halves, "NEOX" mode,
// for Qwen; Llama 3.1's rope_freqs.weight factors; linear and YaRN
// scaling), optional projection biases (Qwen2), per-head q/k RMSNorm
// (Qwen3), grouped-query attention with a KV cache, and a SwiGLU
// feed-forward, with matrices in F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0,
// Q5_1 (integer dot products against activations quantized to Q8_0, as
// llama.cpp does) or Q4_K, Q5_K, Q6_K (against Q8_K). Keys a file leaves
// out take llama.cpp's defaults; what the
// engine does not implement (mixture of experts, longrope scaling) is
// refused with an error that names the alternative.
//
// On x86 (and in the Go fallbacks elsewhere) the CPU path rounds every
// operation as llama.cpp's ggml kernels do, so models of every type above
// give llama.cpp's logits bit for bit: with llama.cpp's defaults (flash
// attention, F16 KV cache), and with flash attention off over an F16 or an
// F32 cache (Model.SetFlashAttention, Model.SetKVCacheType), the order
// being x86's with AVX2 and llama.cpp's default batch of 512 rows
// (Row.Batch); past 256 positions llama.cpp's flash attention splits a
// decode row across its threads, which the engine does not reproduce. See
// docs/inference.md.
//
// First calls:
//
//	m, err := llama.Open("model.gguf")          // memory-maps the file
//	defer m.Close()
//	seq := m.NewSeq(256)                        // KV cache for 256 positions
//	logits, err := m.Forward([]llama.Row{{Seq: seq, Token: 1, Logits: true}}, 0)
//
// Forward evaluates any mix of rows: a whole prompt of one sequence
// (prefill) or one token from each of many sequences (batched decoding);
// weights are read once per call either way. A Model is safe for
// concurrent use; a Seq belongs to one caller at a time.
package llama
