package gguf

import (
	"encoding/binary"
	"math"
)

// This file writes Q5_0, Q5_1 and the K-quants Q4_K, Q5_K and Q6_K in
// ggml's block layouts (block_q5_0 … block_q6_K, as their
// quantize_row_*_ref functions fill them). The choice of scales is this
// package's own and simpler than llama.cpp's error-minimising search: the
// range of each block or sub-block, its scales quantized against the
// largest. Any encoding in the layout is a valid file. A value lands
// within half a step of its block's scale, except at the edges: the
// symmetric types (Q5_0, Q6_K) reach the extreme opposite the largest
// value a step short, and a K-quant sub-block's 6- or 8-bit scale, rounded
// against the super-block's largest, can clip it by up to that rounding.

// nearest rounds half to even, as ggml's nearest_int.
func nearest(x float32) int { return int(math.RoundToEven(float64(x))) }

// QuantizeQ5_0 appends x (len a multiple of 32) as Q5_0: per block an f16
// scale d = max/-16 (max: the value of largest magnitude) and 32 5-bit
// values q, x ≈ (q-16)·d.
func QuantizeQ5_0(dst []byte, x []float32) []byte {
	for b := 0; b+QK <= len(x); b += QK {
		blk := x[b : b+QK]
		d := largest(blk) / -16
		id := inverse(d)
		var L [QK]uint8
		for i, v := range blk {
			L[i] = uint8(min(31, max(0, nearest(v*id)+16)))
		}
		dst = appendQ5(dst, d, 0, false, &L)
	}
	return dst
}

// QuantizeQ5_1 appends x (len a multiple of 32) as Q5_1: per block f16
// d = (max-min)/31 and m = min, and 32 5-bit values q, x ≈ q·d + m.
func QuantizeQ5_1(dst []byte, x []float32) []byte {
	for b := 0; b+QK <= len(x); b += QK {
		blk := x[b : b+QK]
		lo, hi := blk[0], blk[0]
		for _, v := range blk {
			lo, hi = min(lo, v), max(hi, v)
		}
		d := (hi - lo) / 31
		id := inverse(d)
		m := F16ToF32(F32ToF16(lo))
		var L [QK]uint8
		for i, v := range blk {
			L[i] = uint8(min(31, max(0, nearest((v-m)*id))))
		}
		dst = appendQ5(dst, d, lo, true, &L)
	}
	return dst
}

// appendQ5 appends one Q5_0 block (withMin false) or Q5_1 block of the
// 5-bit values L: f16 d (and m), the 32 high bits, then element j's low
// nibble beside element j+16's.
func appendQ5(dst []byte, d, m float32, withMin bool, L *[QK]uint8) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(d))
	if withMin {
		dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(m))
	}
	var qh uint32
	for j := range QK / 2 {
		qh |= uint32(L[j]>>4) << j
		qh |= uint32(L[j+QK/2]>>4) << (j + QK/2)
	}
	dst = binary.LittleEndian.AppendUint32(dst, qh)
	for j := range QK / 2 {
		dst = append(dst, L[j]&0xF|(L[j+QK/2]&0xF)<<4)
	}
	return dst
}

// QuantizeQ4K appends x (len a multiple of 256) as Q4_K: per super-block
// f16 d and dmin, and per 32-value sub-block a 6-bit scale and min, values
// x ≈ d·sc·q − dmin·m with q in [0, 15].
func QuantizeQ4K(dst []byte, x []float32) []byte {
	return quantizeKMin(dst, x, 15)
}

// QuantizeQ5K appends x (len a multiple of 256) as Q5_K: Q4_K's scales
// with q in [0, 31].
func QuantizeQ5K(dst []byte, x []float32) []byte {
	return quantizeKMin(dst, x, 31)
}

// quantizeKMin is QuantizeQ4K (nmax 15) or QuantizeQ5K (nmax 31).
func quantizeKMin(dst []byte, x []float32, nmax int) []byte {
	for b := 0; b+QKK <= len(x); b += QKK {
		blk := x[b : b+QKK]
		var scale, mins [8]float32
		var maxScale, maxMin float32
		for s := range 8 {
			sub := blk[32*s : 32*s+32]
			lo, hi := float32(0), sub[0]
			for _, v := range sub {
				lo, hi = min(lo, v), max(hi, v)
			}
			scale[s], mins[s] = (hi-lo)/float32(nmax), -lo
			maxScale, maxMin = max(maxScale, scale[s]), max(maxMin, mins[s])
		}
		var ls, lm [8]uint8
		d, dmin := maxScale/63, maxMin/63
		for s := range 8 {
			if d > 0 {
				ls[s] = uint8(min(63, max(0, nearest(scale[s]/d))))
			}
			if dmin > 0 {
				lm[s] = uint8(min(63, max(0, nearest(mins[s]/dmin))))
			}
		}
		df, dminf := F16ToF32(F32ToF16(d)), F16ToF32(F32ToF16(dmin))
		var L [QKK]uint8
		for i, v := range blk {
			dd, dm := df*float32(ls[i/32]), dminf*float32(lm[i/32])
			if dd > 0 {
				L[i] = uint8(min(nmax, max(0, nearest((v+dm)/dd))))
			}
		}
		if nmax == 15 {
			dst = appendQ4K(dst, d, dmin, ls, lm, &L)
		} else {
			dst = appendQ5K(dst, d, dmin, ls, lm, &L)
		}
	}
	return dst
}

// appendQ4K appends one Q4_K super-block: f16 d and dmin, the 6-bit scales
// ls and mins lm packed into 12 bytes (the inverse of ScaleMinK4), then
// per 64 values the first 32's nibbles low beside the next 32's high.
func appendQ4K(dst []byte, d, dmin float32, ls, lm [8]uint8, L *[QKK]uint8) []byte {
	dst = appendKHeader(dst, d, dmin, ls, lm)
	for j := 0; j < QKK; j += 64 {
		for l := range 32 {
			dst = append(dst, L[j+l]&0xF|L[j+l+32]<<4)
		}
	}
	return dst
}

// appendQ5K appends one Q5_K super-block: Q4_K's header, then 32 bytes of
// fifth bits (bit s of byte l: value l of sub-block s), then the low
// nibbles as Q4_K lays them out.
func appendQ5K(dst []byte, d, dmin float32, ls, lm [8]uint8, L *[QKK]uint8) []byte {
	dst = appendKHeader(dst, d, dmin, ls, lm)
	var qh [32]byte
	for i, q := range L {
		qh[i%32] |= (q >> 4) << (i / 32)
	}
	dst = append(dst, qh[:]...)
	for j := 0; j < QKK; j += 64 {
		for l := range 32 {
			dst = append(dst, L[j+l]&0xF|(L[j+l+32]&0xF)<<4)
		}
	}
	return dst
}

// appendKHeader appends the f16 d and dmin and 12 bytes of 6-bit scales
// and mins that Q4_K and Q5_K share.
func appendKHeader(dst []byte, d, dmin float32, ls, lm [8]uint8) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(d))
	dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(dmin))
	var sc [12]byte
	for j := range 8 {
		if j < 4 {
			sc[j] = ls[j]
			sc[j+4] = lm[j]
		} else {
			sc[j+4] = ls[j]&0xF | (lm[j]&0xF)<<4
			sc[j-4] |= (ls[j] >> 4) << 6
			sc[j] |= (lm[j] >> 4) << 6
		}
	}
	return append(dst, sc[:]...)
}

// QuantizeQ6K appends x (len a multiple of 256) as Q6_K: per super-block
// an f16 d, per 16-value sub-block an int8 scale, values x ≈ d·sc·(q−32)
// with q in [0, 63].
func QuantizeQ6K(dst []byte, x []float32) []byte {
	for b := 0; b+QKK <= len(x); b += QKK {
		blk := x[b : b+QKK]
		var scale [16]float32
		var maxScale float32 // of largest magnitude, with its sign
		for s := range 16 {
			scale[s] = largest(blk[16*s:16*s+16]) / -32
			if abs32(scale[s]) > abs32(maxScale) {
				maxScale = scale[s]
			}
		}
		var sc [16]int8
		d := maxScale / -128
		if d != 0 {
			for s := range 16 {
				sc[s] = int8(min(127, max(-128, nearest(scale[s]/d))))
			}
		}
		df := F16ToF32(F32ToF16(d))
		var L [QKK]uint8
		for i, v := range blk {
			L[i] = 32
			if dd := df * float32(sc[i/16]); dd != 0 {
				L[i] = uint8(min(31, max(-32, nearest(v/dd))) + 32)
			}
		}
		dst = appendQ6K(dst, d, sc, &L)
	}
	return dst
}

// appendQ6K appends one Q6_K super-block: per 128 values, 64 bytes of low
// nibbles (values l and l+64 in byte l, l+32 and l+96 in byte l+32) and 32
// bytes of their high two bits (l, l+32, l+64, l+96 from the bottom);
// then the 16 scales and f16 d.
func appendQ6K(dst []byte, d float32, scales [16]int8, L *[QKK]uint8) []byte {
	var ql [128]byte
	var qh [64]byte
	for j := 0; j < QKK; j += 128 {
		o, h := j/2, j/4
		for l := range 32 {
			q1, q2, q3, q4 := L[j+l], L[j+l+32], L[j+l+64], L[j+l+96]
			ql[o+l] = q1&0xF | (q3&0xF)<<4
			ql[o+l+32] = q2&0xF | (q4&0xF)<<4
			qh[h+l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
		}
	}
	dst = append(dst, ql[:]...)
	dst = append(dst, qh[:]...)
	for _, s := range scales {
		dst = append(dst, byte(s))
	}
	return binary.LittleEndian.AppendUint16(dst, F32ToF16(d))
}
