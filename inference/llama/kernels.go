package llama

import (
	"encoding/binary"
	"math"

	"github.com/taonet/tao/inference/gguf"
)

// f16Table maps every half-precision bit pattern to float32; immutable.
var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = gguf.F16ToF32(uint16(i))
	}
	return &t
}()

// roundMagic is 1.5 * 2^23: float32 values of this size have no
// fractional bits.
const roundMagic = 12582912

// q8Act is a row of activations quantized to Q8_0 blocks, as llama.cpp's
// vec_dot_type for Q8_0 and Q4_0 weights.
type q8Act struct {
	qs []int8
	d  []float32 // per block, rounded through f16 like ggml's block_q8_0
	// s is, per block, 8 × the sum of its quants (set by quantizeAct): the
	// Q4_0 kernels multiply the unsigned nibbles and take the offset of 8
	// off afterwards.
	s []int32
}

// blockSums sets a.s from a.qs.
func blockSums(a *q8Act) {
	nb := len(a.d)
	if cap(a.s) < nb {
		a.s = make([]int32, nb)
	}
	a.s = a.s[:nb]
	for b := range nb {
		var s int32
		for _, v := range (*[32]int8)(a.qs[b*32:]) {
			s += int32(v)
		}
		a.s[b] = 8 * s
	}
}

// quantizeActGo quantizes x (len a multiple of 32) into dst, as ggml's
// quantize_row_q8_0 on x86.
func quantizeActGo(dst *q8Act, x []float32) {
	nb := len(x) / gguf.QK
	dst.qs = dst.qs[:len(x)]
	dst.d = dst.d[:nb]
	for b := range nb {
		blk := (*[32]float32)(x[b*32:])
		var amax float32
		for _, v := range blk {
			if v < 0 {
				v = -v
			}
			amax = max(amax, v)
		}
		// As ggml's x86 quantize_row_q8_0: id = 127/amax, round to
		// nearest even.
		d := amax / 127
		id := float32(0)
		if amax != 0 {
			id = 127 / amax
		}
		dst.d[b] = f16Table[gguf.F32ToF16(d)]
		q := (*[32]int8)(dst.qs[b*32:])
		for j, v := range blk {
			// Adding 1.5*2^23 rounds a float32 in (-2^22, 2^22) to the
			// nearest integer, ties to even (the FPU's mode); the
			// explicit conversion stops the compiler fusing it into an
			// FMA with the multiplication.
			r := float32(v*id) + roundMagic
			q[j] = int8(int32(math.Float32bits(r)&0x7fffff) - 0x400000)
		}
	}
}

// dotQ8Go is the dot product of a Q8_0 weight row with Q8_0 activations,
// in llama.cpp's order on x86 (ggml_vec_dot_q8_0_q8_0 and llamafile's
// tinyBLAS_Q0_AVX agree): eight float lanes, lane k taking the exact
// integer sum of products 4k..4k+3 of each block times the block's
// scale product by a fused multiply-add, then summed as hsum8 does.
func dotQ8Go(w []byte, a *q8Act) float32 {
	var acc [8]float32
	nb := len(a.d)
	w = w[:nb*34]
	for b := range nb {
		blk := (*[34]byte)(w[b*34:])
		x := (*[32]int8)(a.qs[b*32:])
		d := f16Table[binary.LittleEndian.Uint16(blk[:2])] * a.d[b]
		for k := range 8 {
			var s int32
			for j := 4 * k; j < 4*k+4; j++ {
				s += int32(int8(blk[2+j])) * int32(x[j])
			}
			acc[k] = fma32(d, float32(s), acc[k])
		}
	}
	return hsum8(&acc)
}

// hsum8 adds eight lanes in the order of ggml's hsum_float_8: the upper
// half onto the lower, then lanes two apart, then the last pair.
func hsum8(a *[8]float32) float32 {
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

// fma32 is a*b+c rounded once to float32, as an FMA instruction computes
// it. The float64 product of two float32 is exact; the float64 sum is
// rounded, and when that rounding lands exactly halfway between two
// float32 values the error term (TwoSum) decides the direction, which a
// plain conversion would get wrong.
func fma32(a, b, c float32) float32 {
	p, z := float64(a)*float64(b), float64(c)
	s := p + z
	r := float32(s)
	if float64(r) == s {
		return r
	}
	bb := s - p
	e := (p - (s - bb)) + (z - bb)
	if e == 0 {
		return r
	}
	if math.IsInf(float64(r), 0) {
		// s rounded to ±Inf: only from the midpoint between MaxFloat32
		// and 2^128 (ties go to Inf), and the exact value may lie below it.
		if math.Abs(s) == 0x1p128-0x1p103 && (e < 0) == (s > 0) {
			return float32(math.Copysign(math.MaxFloat32, s))
		}
		return r
	}
	// The other float32 neighbour of s.
	o := math.Nextafter32(r, float32(math.Copysign(math.Inf(1), s-float64(r))))
	if s-float64(r) != float64(o)-s {
		return r // not a tie: s rounds as the exact value does
	}
	if (e > 0) == (float64(o) > s) {
		return o
	}
	return r
}

// dotQ4Go is the dot product of a Q4_0 weight row with Q8_0 activations,
// in the order of llama.cpp's repacked Q4_0 kernels on x86
// (ggml_gemv/gemm_q4_0_8x8_q8_0, used for every weight matrix whose rows
// are a multiple of 8): one float sum, each block's exact integer dot
// product times its scale product added by a fused multiply-add.
func dotQ4Go(w []byte, a *q8Act) float32 {
	var sum float32
	nb := len(a.d)
	w = w[:nb*18]
	for b := range nb {
		blk := (*[18]byte)(w[b*18:])
		x := (*[32]int8)(a.qs[b*32:])
		var s int32
		for j := range 16 {
			q := blk[2+j]
			s += (int32(q&0xf)-8)*int32(x[j]) + (int32(q>>4)-8)*int32(x[j+16])
		}
		d := f16Table[binary.LittleEndian.Uint16(blk[:2])]
		sum = fma32(float32(s), d*a.d[b], sum)
	}
	return sum
}

// mulQx8Go is mulQx8 one row at a time, from the per-row quantized
// activations.
func mulQx8Go(q4 bool, w []byte, rowBytes, rows int, a *acts, g int, out []float32, stride int) {
	for i := range rows {
		wr := w[i*rowBytes : (i+1)*rowBytes]
		for k := range 8 {
			if q4 {
				out[k*stride+i] = dotQ4Go(wr, &a.q8[g*8+k])
			} else {
				out[k*stride+i] = dotQ8Go(wr, &a.q8[g*8+k])
			}
		}
	}
}

// siluMulGo is ggml_vec_swiglu_f32 on x86 with AVX2: gate[i] =
// vSilu(gate[i]) * up[i] by eights, the rest by siluMulTail.
func siluMulGo(gate, up []float32) {
	n := len(gate) &^ 7
	up = up[:len(gate)]
	for i, g := range gate[:n] {
		gate[i] = vSilu(g) * up[i]
	}
	siluMulTail(gate[n:], up[n:])
}

// siluMulTail is ggml_vec_swiglu_f32's scalar loop after its vectors of
// eight: x/(1 + expf(-x)) * g with the C library's expf (glibcExpf), for
// a width that is not a multiple of 8.
func siluMulTail(gate, up []float32) {
	up = up[:len(gate)]
	for i, x := range gate {
		gate[i] = x / (1 + glibcExpf(-x)) * up[i]
	}
}

// mulQx1Go is mulQx1 in Go.
func mulQx1Go(q4 bool, w []byte, rowBytes, rows int, x *q8Act, out []float32) {
	for i := range rows {
		if q4 {
			out[i] = dotQ4Go(w[i*rowBytes:(i+1)*rowBytes], x)
		} else {
			out[i] = dotQ8Go(w[i*rowBytes:(i+1)*rowBytes], x)
		}
	}
}
