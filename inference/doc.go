// Package inference serves language models behind one small interface,
// Engine: model information, streaming generation with sampling, and
// teacher-forced scoring (the log-probabilities validators use to verify a
// miner's answer).
//
// Two engines implement it:
//
//   - Builtin runs llama-family GGUF models on the CPU (package llama:
//     KV cache, batched requests, Q8_0/Q4_0 integer kernels), with the
//     exact tokenizer of the model (package tokenizer).
//   - Upstream forwards to an OpenAI-compatible server (vLLM, llama.cpp
//     server, Ollama).
//
// First calls:
//
//	eng, err := inference.OpenBuiltin("model.gguf", inference.BuiltinOptions{})
//	defer eng.Close()
//	res, err := eng.Generate(ctx, inference.Request{Prompt: "Once upon a time", MaxTokens: 32},
//		func(t inference.Token) error { fmt.Print(t.Text); return nil })
//
// Models are GGUF files named by the CID (CIDv1, raw codec, sha2-256) of
// their bytes; Cache keeps them under a directory. The default model of
// the devnet and the tests is synthetic (package synth): a real llama
// architecture and tokenizer with seeded random weights. Its text is
// meaningless.
package inference
