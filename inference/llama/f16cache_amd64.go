package llama

//go:noescape
func roundF16AVX2(x *float32, n int)

//go:noescape
func toF16AVX2(dst *uint16, src *float32, n int)

// toF16 is toF16Go.
func toF16(dst []uint16, src []float32) {
	n := avx2Len(len(src))
	if n > 0 {
		_ = dst[n-1]
		toF16AVX2(&dst[0], &src[0], n)
	}
	toF16Go(dst[n:], src[n:])
}

//go:noescape
func scoresF16AVX2(q *float32, k *uint16, stride, npos, hd int, out *float32)

//go:noescape
func scoresF16TailAVX2(q *float32, k *uint16, stride, ngrp, nt int, out *float32)

//go:noescape
func scoresF16x8AVX2(q *float32, k *uint16, stride, npos, hd int, out *float32)

//go:noescape
func kqvF16GGMLAVX2(v *uint16, hd int, p *float32, nblk int, out *float32)

//go:noescape
func kqvF16x8AVX2(v *uint16, hd int, p *float32, nchunk int, out *float32)

// avx2Len is how many of n elements the AVX2 kernels of eight at a time
// take (the rest go to the Go definitions): none without AVX2.
func avx2Len(n int) int {
	if !hasAVX2 {
		return 0
	}
	return n &^ 7
}

// roundF16 is roundF16Go.
func roundF16(x []float32) {
	n := avx2Len(len(x))
	if n > 0 {
		roundF16AVX2(&x[0], n)
	}
	roundF16Go(x[n:])
}

// scoresF16 is scoresF16Go.
func scoresF16(q []float32, k []uint16, stride int, prompt bool, out []float32) {
	hd, npos := len(q), len(out)
	if !hasAVX2 || npos == 0 || hd == 0 {
		scoresF16Go(q, k, stride, prompt, out)
		return
	}
	_ = k[(npos-1)*stride+hd-1]
	if prompt && hd%8 == 0 {
		scoresF16x8AVX2(&q[0], &k[0], stride, npos, hd, &out[0])
		return
	}
	if hd%4 != 0 {
		scoresF16Go(q, k, stride, prompt, out)
		return
	}
	if tail := hd % 32; tail != 0 && npos >= 4 {
		// Four positions at a time for the float64 leftover (see
		// scoresF16TailAVX2), the rest as below.
		g, main := npos/4, hd-tail
		if main > 0 {
			scoresF16AVX2(&q[0], &k[0], stride, g*4, main, &out[0])
		} else {
			clear(out[:g*4])
		}
		scoresF16TailAVX2(&q[main], &k[main], stride, g, tail, &out[0])
		if g*4 == npos {
			return
		}
		k, out, npos = k[g*4*stride:], out[g*4:], npos-g*4
	}
	scoresF16AVX2(&q[0], &k[0], stride, npos, hd, &out[0])
}

// kqvF16 is kqvF16Go.
func kqvF16(v []uint16, p []float32, n int, prompt bool, out []float32) {
	hd := len(out)
	if !hasAVX2 || hd == 0 || n == 0 || prompt && n%8 != 0 || !prompt && (n%32 != 0 || hd%2 != 0) {
		kqvF16Go(v, p, n, prompt, out)
		return
	}
	nblk := (n + 31) / 32
	_ = v[nblk*hd*32-1]
	_ = p[n-1]
	if prompt {
		kqvF16x8AVX2(&v[0], hd, &p[0], n/8, &out[0])
	} else {
		kqvF16GGMLAVX2(&v[0], hd, &p[0], nblk, &out[0])
	}
}

//go:noescape
func vecMadF16AVX2(y, x *uint16, v float32, n int)

//go:noescape
func vecScaleF16AVX2(y *uint16, v float32, n int)

// vecMadF16 is vecMadF16Go.
func vecMadF16(y, x []uint16, v float32) {
	n := avx2Len(len(y))
	if n > 0 {
		_ = x[n-1]
		vecMadF16AVX2(&y[0], &x[0], v, n)
	}
	vecMadF16Go(y[n:], x[n:len(y)], v)
}

// vecScaleF16 is vecScaleF16Go.
func vecScaleF16(y []uint16, v float32) {
	n := avx2Len(len(y))
	if n > 0 {
		vecScaleF16AVX2(&y[0], v, n)
	}
	vecScaleF16Go(y[n:], v)
}

//go:noescape
func flashKQAVX2(kt, q *float32, hd int, out *float32)

//go:noescape
func vecMadF32F16AVX2(y *float32, x *uint16, v float32, n int)

// flashKQ is flashKQGo.
func flashKQ(kt, q, out []float32) {
	hd := len(q)
	if !hasAVX2 || hd == 0 {
		flashKQGo(kt, q, out)
		return
	}
	_ = kt[hd*flashTile-1]
	_ = out[flashTile-1]
	flashKQAVX2(&kt[0], &q[0], hd, &out[0])
}

// vecMadF32F16 is vecMadF32F16Go.
func vecMadF32F16(y []float32, x []uint16, v float32) {
	n := avx2Len(len(y))
	if n > 0 {
		_ = x[n-1]
		vecMadF32F16AVX2(&y[0], &x[0], v, n)
	}
	vecMadF32F16Go(y[n:], x[n:len(y)], v)
}

//go:noescape
func flashWeightsAVX2(scores *float32, n int, scale float32, consts *float64, tab *uint64) float32

//go:noescape
func flashSum8AVX2(w *float32, n int, v *uint16, stride int, acc *float32)

//go:noescape
func flashSum6AVX2(w *float32, n int, v *uint16, stride int, acc *float32)

//go:noescape
func flashSum4AVX2(w *float32, n int, v *uint16, stride int, acc *float32)

//go:noescape
func flashSum2AVX2(w *float32, n int, v *uint16, stride int, acc *float32)

//go:noescape
func flashSum1AVX2(w *float32, n int, v *uint16, stride int, acc *float32)

// flashExpConsts are glibcExpf's constants for flashWeightsAVX2: invLn2N,
// shift, the cubic's coefficients scaled for r in 1/32ths, 1, and the
// bounds below which expf is 0 and the least subnormal.
var flashExpConsts = [8]float64{
	0x1.71547652b82fep+0 * 32, 0x1.8p+52,
	exp2fPoly[0] / 32 / 32 / 32, exp2fPoly[1] / 32 / 32, exp2fPoly[2] / 32, 1,
	-0x1.9fe368p6, -0x1.9d1d9ep6,
}

// flashLoop runs flashOne's loop over the cells' scores (already computed)
// in AVX2 when it can: it returns the sum of weights and leaves the
// weighted sum of values, rounded to float16 values, in acc32; ok is false
// where the Go loop must run (no AVX2, or hd not a multiple of 8). The
// scores are overwritten with the cells' weights (flashWeightsAVX2); the
// values are then summed in column strips of at most 64, each held in
// registers across all the cells.
func flashLoop(scores []float32, scale float32, v []uint16, acc32 []float32) (s float32, ok bool) {
	hd, n := len(acc32), len(scores)
	if !hasAVX2 || hd%8 != 0 || hd == 0 || n == 0 {
		return 0, false
	}
	_ = v[n*hd-1]
	s = flashWeightsAVX2(&scores[0], n, scale, &flashExpConsts[0], &exp2fTable[0])
	for c := 0; c < hd; {
		w, vc, out := &scores[0], &v[c], &acc32[c]
		switch left := hd - c; {
		case left >= 64:
			flashSum8AVX2(w, n, vc, hd, out)
			c += 64
		case left >= 48:
			flashSum6AVX2(w, n, vc, hd, out)
			c += 48
		case left >= 32:
			flashSum4AVX2(w, n, vc, hd, out)
			c += 32
		case left >= 16:
			flashSum2AVX2(w, n, vc, hd, out)
			c += 16
		default:
			flashSum1AVX2(w, n, vc, hd, out)
			c += 8
		}
	}
	return s, true
}
