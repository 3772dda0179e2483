// Package gguf reads and writes GGUF files, the container llama.cpp uses for
// model weights: a header of typed key/value metadata, a table of tensor
// descriptors, and aligned tensor data.
//
// First calls:
//
//	f, err := gguf.Decode(b)          // b: the whole file, e.g. memory-mapped
//	arch, _ := f.String("general.architecture")
//	t, _ := f.Tensor("token_embd.weight")
//	data := f.Data(t)                 // bytes of that tensor, a view into b
//
// Decode trusts nothing: every length and count is checked against the bytes
// that remain before anything is allocated, so a truncated or lying header
// fails with an error wrapping ErrFormat instead of a panic or a huge
// allocation. It reads any conforming GGUF v2/v3 file (all metadata value
// types, nested arrays, general.alignment), not only files this package
// writes. Writer produces files that llama.cpp loads.
//
// The package also owns the block formats of the tensor types the builtin
// engine computes with (F32, F16, Q8_0, Q4_0, Q4_K, Q6_K): their sizes,
// quantizers and dequantizers.
package gguf
