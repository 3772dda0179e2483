package llama

import "github.com/taonet/tao/inference/gguf"

// The F16 KV cache's arithmetic (Model.SetKVCacheType), as llama.cpp's CPU
// backend computes attention over an F16 cache without flash attention:
// the query row and the softmax weights are rounded to float16 before
// they meet the cache (ggml's mul_mat converts its second operand to the
// first's vec_dot_type), and the products are ggml_vec_dot_f16's for a
// decode row (dotGGMLGo's four accumulators over the part that is a
// multiple of 32, the leftover products added in float64) or tinyBLAS's
// for a row of a prompt (dot8Go), on the cache's halves widened exactly.

// roundF16Go rounds each x to the nearest float16 (ties to even).
func roundF16Go(x []float32) {
	for i, v := range x {
		x[i] = f16Table[gguf.F32ToF16(v)]
	}
}

// toF16Go sets dst[i] to src[i] rounded to float16 (ties to even), as
// llama.cpp writes an F16 cache.
func toF16Go(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = gguf.F32ToF16(v)
	}
}

// widenF16 returns the float32 values of halves h.
func widenF16(h []uint16) []float32 {
	w := make([]float32, len(h))
	for i, v := range h {
		w[i] = f16Table[v]
	}
	return w
}

// dotF16Go is ggml_vec_dot_f16 of x (float16 values, as float32) with
// the halves y.
func dotF16Go(x []float32, y []uint16) float32 {
	np := len(x) &^ 31
	var s float32
	if np > 0 {
		s = dotGGMLGo(x[:np], widenF16(y[:np]))
	}
	return dotF16Tail(x, y, np, s)
}

// dotF16Tail finishes ggml_vec_dot_f16 from s, the sum of the first np
// products: the products from np on, each exact in float32, added in
// float64, the total rounded to float32.
func dotF16Tail(x []float32, y []uint16, np int, s float32) float32 {
	if np == len(x) {
		return s
	}
	sum := float64(s)
	for i := np; i < len(x); i++ {
		sum += float64(x[i] * f16Table[y[i]])
	}
	return float32(sum)
}

// scoresF16Go sets out[t] to the attention score of query q (rounded to
// float16) against the key at k[t*stride:]: tinyBLAS's product for a
// prompt row when len(q) is a multiple of 8, else ggml_vec_dot_f16's.
func scoresF16Go(q []float32, k []uint16, stride int, prompt bool, out []float32) {
	hd := len(q)
	for t := range out {
		key := k[t*stride : t*stride+hd]
		if prompt && hd%8 == 0 {
			out[t] = dot8Go(q, widenF16(key))
		} else {
			out[t] = dotF16Go(q, key)
		}
	}
}

// kqvF16Go is kqvGo over the blocked F16 value cache v, p rounded to
// float16.
func kqvF16Go(v []uint16, p []float32, n int, prompt bool, out []float32) {
	kqvGo(widenF16(v[:(n+31)/32*32*len(out)]), p, n, prompt, out)
}
