// Package synth writes synthetic llama-family GGUF models: a real
// architecture (the dimensions of stories15M, TinyLlama 1.1B or Llama 3 8B,
// and small qwen2, qwen3, Llama 3.1 rope_freqs and linearly rope-scaled
// shapes), a real tokenizer (Mistral-7B's SentencePiece or Llama 3's BPE
// vocabulary, embedded by package tokenizer), and random weights drawn
// deterministically from a seed.
//
// The weights are not trained. Text generated with these models is
// meaningless; they exist because no registry reachable from tao's build
// and test machines ships pretrained weights, and a deterministic model lets
// tests, the devnet and llama.cpp parity checks share one file, named by
// the CID of its bytes.
//
// First call:
//
//	err := synth.Write(w, synth.Options{Preset: "stories15m", Quant: gguf.Q8_0, Seed: 1})
//
// The same Options always produce the same bytes.
package synth
