package llama

import (
	"encoding/binary"
	"math"

	"github.com/taonet/tao/inference/gguf"
)

// q8KAct is one activation row quantized as llama.cpp quantizes the input
// of a K-quant matrix product (block_q8_K): per block of 256, a float32
// scale, 256 int8 values and the sums of each 16.
type q8KAct struct {
	qs    []int8
	d     []float32
	bsums []int16
}

// quantizeQ8K fills dst from x (len a multiple of 256) as ggml's
// quantize_row_q8_K_ref does on x86: the block's value of largest
// magnitude (the first on ties) sets iscale = -127/max, each value is
// rounded to nearest (even on ties, by ggml's nearest_int) and capped at
// 127, and d = 1/iscale.
func quantizeQ8K(dst *q8KAct, x []float32) {
	for b := range len(x) / 256 {
		xb, qs := x[b*256:(b+1)*256], dst.qs[b*256:(b+1)*256]
		var mx, amax float32
		for _, v := range xb {
			if a := float32(math.Abs(float64(v))); a > amax {
				amax, mx = a, v
			}
		}
		if amax == 0 {
			dst.d[b] = 0
			clear(qs)
			clear(dst.bsums[b*16 : (b+1)*16])
			continue
		}
		iscale := -127 / mx
		for j, v := range xb {
			// nearest_int: add 1.5·2^23 and read the mantissa.
			r := float32(iscale*v) + 12582912 // two roundings, as ggml-base is compiled (no FMA)
			qs[j] = int8(min(127, int32(math.Float32bits(r)&0x7fffff)-0x400000))
		}
		for j := range 16 {
			var s int16
			for _, q := range qs[j*16 : (j+1)*16] {
				s += int16(q)
			}
			dst.bsums[b*16+j] = s
		}
		dst.d[b] = 1 / iscale
	}
}

// dotQ6KGo is the dot product of a Q6_K weight row (blocks of 210 bytes:
// 128 low nibbles, 64 bytes of high bit pairs, 16 int8 scales, f16 d)
// with Q8_K activations in ggml_vec_dot_q6_K_q8_K's AVX2 order: eight
// integer lanes per block, lane m the exact sum over elements 4m..4m+3 of
// every 32 of scale·q·y with q the unsigned 6-bit value, less 32 times
// the scaled sums of sub-blocks 2m and 2m+1 (the -32 offset), each lane
// fused into its float lane with the block's scale product, then hsum8.
func dotQ6KGo(w []byte, a *q8KAct) float32 {
	var acc [8]float32
	nb := len(a.d)
	w = w[:nb*210]
	for i := range nb {
		blk := w[i*210 : (i+1)*210]
		ql, qh, sc := blk[:128], blk[128:192], blk[192:208]
		d := a.d[i] * f16Table[binary.LittleEndian.Uint16(blk[208:])]
		y := a.qs[i*256 : (i+1)*256]
		var lanes [8]int32
		for j := range 2 {
			for k := range 4 {
				s0, s1 := int32(int8(sc[j*8+k*2])), int32(int8(sc[j*8+k*2+1]))
				for e := range 32 {
					var q int32
					h := int32(qh[j*32+e])
					switch k {
					case 0:
						q = int32(ql[j*64+e]&15) | (h&3)<<4
					case 1:
						q = int32(ql[j*64+32+e]&15) | (h>>2&3)<<4
					case 2:
						q = int32(ql[j*64+e]>>4) | (h>>4&3)<<4
					case 3:
						q = int32(ql[j*64+32+e]>>4) | (h>>6)<<4
					}
					s := s0
					if e >= 16 {
						s = s1
					}
					lanes[e/4] += s * q * int32(y[j*128+k*32+e])
				}
			}
		}
		bs := a.bsums[i*16 : (i+1)*16]
		for m := range 8 {
			lanes[m] -= 32 * (int32(bs[2*m])*int32(int8(sc[2*m])) + int32(bs[2*m+1])*int32(int8(sc[2*m+1])))
			acc[m] = fma32(d, float32(lanes[m]), acc[m])
		}
	}
	return hsum8(&acc)
}

// dotQ4KGo is the dot product of a Q4_K weight row (blocks of 144 bytes:
// f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of
// nibbles) with Q8_K activations as llama.cpp's repacked q4_K_8x8 kernels
// compute it on x86 (ggml_gemv/gemm_q4_K_8x8_q8_K, which it uses for every
// Q4_K matrix with rows a multiple of 8): per block, the exact integer sum
// of scale·q·y over the block, fused into one float sum with d·d(y), and
// the exact sum of min·(activation sums) fused into another with
// dmin·d(y); the result is the first less the second.
func dotQ4KGo(w []byte, a *q8KAct) float32 {
	var acc, accMin float32
	for i := range a.d {
		sums, mins, d, dmin := q4KBlock(w, a, i)
		acc = fma32(float32(sums[0]+sums[1]+sums[2]+sums[3]), d, acc)
		accMin = fma32(float32(mins[0]+mins[1]+mins[2]+mins[3]), dmin, accMin)
	}
	return acc - accMin
}

// dotQ4KGemmGo is dotQ4KGo for a row that llama.cpp's repacked Q4_K gemm
// takes in a group of four (ggml_gemm_q4_K_8x8_q8_K): the same exact
// integer sums, but fused into the two float sums once per 64 values
// (two sub-blocks) instead of once per block.
func dotQ4KGemmGo(w []byte, a *q8KAct) float32 {
	var acc, accMin float32
	for i := range a.d {
		sums, mins, d, dmin := q4KBlock(w, a, i)
		for j := range 4 {
			acc = fma32(float32(sums[j]), d, acc)
			accMin = fma32(float32(mins[j]), dmin, accMin)
		}
	}
	return acc - accMin
}

// q4KBlock returns block i's exact integer sums per 64 values (scale·q·y
// and min·activation sums) and its scale products d·d(y) and dmin·d(y).
func q4KBlock(w []byte, a *q8KAct, i int) (sums, mins [4]int32, d, dmin float32) {
	blk := w[i*144 : (i+1)*144]
	scales, qs := blk[4:16], blk[16:144]
	y := a.qs[i*256 : (i+1)*256]
	bs := a.bsums[i*16 : (i+1)*16]
	for j := range 4 {
		sc0, m0 := gguf.ScaleMinK4(2*j, scales)
		sc1, m1 := gguf.ScaleMinK4(2*j+1, scales)
		var s0, s1 int32
		for e, q := range qs[j*32 : (j+1)*32] {
			s0 += int32(q&15) * int32(y[j*64+e])
			s1 += int32(q>>4) * int32(y[j*64+32+e])
		}
		sums[j] = int32(sc0)*s0 + int32(sc1)*s1
		mins[j] = int32(m0)*(int32(bs[4*j])+int32(bs[4*j+1])) + int32(m1)*(int32(bs[4*j+2])+int32(bs[4*j+3]))
	}
	d = f16Table[binary.LittleEndian.Uint16(blk)] * a.d[i]
	dmin = f16Table[binary.LittleEndian.Uint16(blk[2:])] * a.d[i]
	return sums, mins, d, dmin
}

// dotQ5KGo is the dot product of a Q5_K weight row (blocks of 176 bytes:
// f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 32 bytes of fifth
// bits, 128 bytes of nibbles) with Q8_K activations in
// ggml_vec_dot_q5_K_q8_K's AVX2 order: eight integer lanes per block,
// lane m the exact sum over elements 4m..4m+3 of every 32 of scale·q·y,
// fused into float lanes with d·d(y) and summed as hsum8; the mins' term,
// an exact integer per block, is fused with -d(y)·dmin into a separate
// float sum block after block (GCC contracts ggml's summs += dmin·x into
// a fused multiply-add), which is added at the end.
func dotQ5KGo(w []byte, a *q8KAct) float32 {
	var acc [8]float32
	var summs float32
	nb := len(a.d)
	w = w[:nb*176]
	for i := range nb {
		blk := w[i*176 : (i+1)*176]
		dy := a.d[i]
		d := dy * f16Table[binary.LittleEndian.Uint16(blk)]
		dmin := -dy * f16Table[binary.LittleEndian.Uint16(blk[2:])]
		scales, qh, qs := blk[4:16], blk[16:48], blk[48:176]
		y := a.qs[i*256 : (i+1)*256]
		bs := a.bsums[i*16 : (i+1)*16]
		var mins int32
		for sb := range 8 {
			_, m := gguf.ScaleMinK4(sb, scales)
			mins += int32(m) * (int32(bs[2*sb]) + int32(bs[2*sb+1]))
		}
		summs = fma32(dmin, float32(mins), summs) // GCC contracts summs += dmin*x
		var lanes [8]int32
		for j := range 4 {
			sc0, _ := gguf.ScaleMinK4(2*j, scales)
			sc1, _ := gguf.ScaleMinK4(2*j+1, scales)
			for e, q := range qs[j*32 : (j+1)*32] {
				q0 := int32(q&15) | int32(qh[e]>>(2*j)&1)<<4
				q1 := int32(q>>4) | int32(qh[e]>>(2*j+1)&1)<<4
				lanes[e/4] += int32(sc0)*q0*int32(y[j*64+e]) + int32(sc1)*q1*int32(y[j*64+32+e])
			}
		}
		for m := range 8 {
			acc[m] = fma32(d, float32(lanes[m]), acc[m])
		}
	}
	return hsum8(&acc) + summs
}

// dotQ4KPlainGo is the dot product of a Q4_K weight row with Q8_K
// activations as ggml_vec_dot_q4_K_q8_K sums it on x86 (a Q4_K matrix
// llama.cpp does not repack: rows not a multiple of 8): eight integer
// lanes per block as dotQ5KGo's (without the fifth bit) fused with
// d·d(y); the mins' four pair sums per block fused into four float lanes
// with -d(y)·dmin; hsum8 of the first plus (0+2)+(1+3) of the second.
func dotQ4KPlainGo(w []byte, a *q8KAct) float32 {
	var acc [8]float32
	var accMin [4]float32
	nb := len(a.d)
	w = w[:nb*144]
	for i := range nb {
		blk := w[i*144 : (i+1)*144]
		dy := a.d[i]
		d := dy * f16Table[binary.LittleEndian.Uint16(blk)]
		dmin := -dy * f16Table[binary.LittleEndian.Uint16(blk[2:])]
		scales, qs := blk[4:16], blk[16:144]
		y := a.qs[i*256 : (i+1)*256]
		bs := a.bsums[i*16 : (i+1)*16]
		for k := range 4 {
			_, m0 := gguf.ScaleMinK4(2*k, scales)
			_, m1 := gguf.ScaleMinK4(2*k+1, scales)
			p := int32(m0)*(int32(bs[4*k])+int32(bs[4*k+1])) + int32(m1)*(int32(bs[4*k+2])+int32(bs[4*k+3]))
			accMin[k] = fma32(dmin, float32(p), accMin[k])
		}
		var lanes [8]int32
		for j := range 4 {
			sc0, _ := gguf.ScaleMinK4(2*j, scales)
			sc1, _ := gguf.ScaleMinK4(2*j+1, scales)
			for e, q := range qs[j*32 : (j+1)*32] {
				lanes[e/4] += int32(sc0)*int32(q&15)*int32(y[j*64+e]) + int32(sc1)*int32(q>>4)*int32(y[j*64+32+e])
			}
		}
		for m := range 8 {
			acc[m] = fma32(d, float32(lanes[m]), acc[m])
		}
	}
	return hsum8(&acc) + ((accMin[0] + accMin[2]) + (accMin[1] + accMin[3]))
}
