package llama

import "math"

// This file holds float32 arithmetic written to round exactly as ggml's
// x86 CPU kernels (AVX2 and FMA) do, so that the engine's logits match
// llama.cpp's bit for bit (see docs/decisions.md, "llama.cpp parity").

// vExpf is ggml's vectorized exp (ggml_v_expf, after ARM's optimized
// routine; about 1.5 ulp), one lane of it.
func vExpf(x float32) float32 {
	const r = 0x1.8p23
	z := fma32(x, 0x1.715476p+0, r)
	n := z - r
	b := fma32(-n, 0x1.7f7d1cp-20, fma32(-n, 0x1.62e4p-1, x))
	e := math.Float32bits(z) << 23
	k := math.Float32frombits(e + math.Float32bits(1))
	u := b * b
	j := fma32(fma32(fma32(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fma32(0x1.555e66p-3, b, 0x1.fffdb6p-2)), u, float32(0x1.ffffecp-1*b))
	if !(abs32(n) > 126) {
		return fma32(j, k, k)
	}
	var g uint32
	if n <= 0 {
		g = 0x82000000
	}
	s1 := math.Float32frombits(g + 0x7f000000)
	if abs32(n) > 192 {
		return s1 * s1
	}
	s2 := math.Float32frombits(e - g)
	return fma32(s2, j, s2) * s1
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// vSilu is ggml_v_silu: x / (1 + exp(-x)) with vExpf.
func vSilu(x float32) float32 { return x / (1 + vExpf(0-x)) }

// dotGGMLGo is ggml_vec_dot_f32: four accumulators of eight lanes taking
// 32 elements per step by fused multiply-adds, folded (0+2)+(1+3), then
// the lanes (i, i+4) and those in pairs; the elements past the last 32
// are added one product at a time, rounded, eight and four at a time,
// and the last one to three fused (as GCC compiled the leftover loop).
func dotGGMLGo(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	np := n &^ 31
	var acc [4][8]float32
	for i := 0; i < np; i += 32 {
		for j := range 4 {
			for l := range 8 {
				acc[j][l] = fma32(x[i+8*j+l], y[i+8*j+l], acc[j][l])
			}
		}
	}
	var v [8]float32
	for l := range v {
		v[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l])
	}
	s := ((v[0] + v[4]) + (v[1] + v[5])) + ((v[2] + v[6]) + (v[3] + v[7]))
	return dotGGMLTail(x, y, np, s)
}

// dotGGMLTail adds x[i]*y[i] for i from np on to s as ggml_vec_dot_f32's
// leftover loop does.
func dotGGMLTail(x, y []float32, np int, s float32) float32 {
	n, i := len(x), np
	for ; n-i >= 8; i += 8 {
		for l := range 8 {
			s += float32(x[i+l] * y[i+l])
		}
	}
	if n-i >= 4 {
		for l := range 4 {
			s += float32(x[i+l] * y[i+l])
		}
		i += 4
	}
	for ; i < n; i++ {
		s = fma32(x[i], y[i], s)
	}
	return s
}

// scoresGGMLGo sets out[t] = dotGGMLGo(q, k[t*stride:]) for t < len(out):
// attention scores.
func scoresGGMLGo(q, k []float32, stride int, out []float32) {
	for t := range out {
		out[t] = dotGGMLGo(q, k[t*stride:t*stride+len(q)])
	}
}

// kqvGo sets out[d] to the product of row d of one KV head's blocked,
// transposed values v (Seq) with p[:n]: by dot8Go for a prompt row (n a
// multiple of 8), else dotGGMLGo (n a multiple of 32).
func kqvGo(v []float32, p []float32, n int, prompt bool, out []float32) {
	hd := len(out)
	row := make([]float32, n)
	for d := range out {
		for t := 0; t < n; t += 32 {
			copy(row[t:min(n, t+32)], v[((t/32)*hd+d)*32:])
		}
		if prompt {
			out[d] = dot8Go(row, p)
		} else {
			out[d] = dotGGMLGo(row, p)
		}
	}
}

// dot8Go is llamafile's tinyBLAS product of two float32 rows (length a
// multiple of 8): one accumulator of eight lanes, fused multiply-adds,
// then hsum8.
func dot8Go(x, y []float32) float32 {
	var acc [8]float32
	y = y[:len(x)]
	for i := 0; i < len(x); i += 8 {
		for l := range 8 {
			acc[l] = fma32(x[i+l], y[i+l], acc[l])
		}
	}
	return hsum8(&acc)
}

// softmaxExpGo replaces each x by vExpf(x - mx) (len(x) a multiple of 8)
// and returns their sum as ggml_vec_soft_max_f32 forms it: each eight
// summed in float32 (hsum8), the eights in float64.
func softmaxExpGo(x []float32, mx float32) float64 {
	var sum float64
	for i := 0; i < len(x); i += 8 {
		e := (*[8]float32)(x[i:])
		for l := range e {
			e[l] = vExpf(e[l] - mx)
		}
		sum += float64(hsum8(e))
	}
	return sum
}
