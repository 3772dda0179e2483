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

// dotF32Go is the dot product of a and b (len(b) >= len(a)).
func dotF32Go(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		x := (*[8]float32)(a[i:])
		y := (*[8]float32)(b[i:])
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		s4 += x[4] * y[4]
		s5 += x[5] * y[5]
		s6 += x[6] * y[6]
		s7 += x[7] * y[7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}

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

// dotQ8Go is the dot product of a Q8_0 weight row with Q8_0 activations.
func dotQ8Go(w []byte, a *q8Act) float32 {
	var sum float32
	nb := len(a.d)
	w = w[:nb*34]
	for b := range nb {
		blk := (*[34]byte)(w[b*34:])
		x := (*[32]int8)(a.qs[b*32:])
		var s0, s1, s2, s3 int32
		for j := 0; j < 32; j += 4 {
			s0 += int32(int8(blk[2+j])) * int32(x[j])
			s1 += int32(int8(blk[3+j])) * int32(x[j+1])
			s2 += int32(int8(blk[4+j])) * int32(x[j+2])
			s3 += int32(int8(blk[5+j])) * int32(x[j+3])
		}
		d := f16Table[binary.LittleEndian.Uint16(blk[:2])]
		sum += float32(s0+s1+s2+s3) * (d * a.d[b])
	}
	return sum
}

// dotQ4Go is the dot product of a Q4_0 weight row with Q8_0 activations.
func dotQ4Go(w []byte, a *q8Act) float32 {
	var sum float32
	nb := len(a.d)
	w = w[:nb*18]
	for b := range nb {
		blk := (*[18]byte)(w[b*18:])
		x := (*[32]int8)(a.qs[b*32:])
		var s0, s1 int32
		for j := range 16 {
			q := blk[2+j]
			s0 += (int32(q&0xf) - 8) * int32(x[j])
			s1 += (int32(q>>4) - 8) * int32(x[j+16])
		}
		d := f16Table[binary.LittleEndian.Uint16(blk[:2])]
		sum += float32(s0+s1) * (d * a.d[b])
	}
	return sum
}

// dotF16 is the dot product of an F16 weight row with activations already
// rounded to f16 (llama.cpp's vec_dot_type for F16).
func dotF16(w []byte, x []float32) float32 {
	var s0, s1, s2, s3 float32
	w = w[:2*len(x)]
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += f16Table[binary.LittleEndian.Uint16(w[2*i:])] * x[i]
		s1 += f16Table[binary.LittleEndian.Uint16(w[2*i+2:])] * x[i+1]
		s2 += f16Table[binary.LittleEndian.Uint16(w[2*i+4:])] * x[i+2]
		s3 += f16Table[binary.LittleEndian.Uint16(w[2*i+6:])] * x[i+3]
	}
	for ; i < len(x); i++ {
		s0 += f16Table[binary.LittleEndian.Uint16(w[2*i:])] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func scoresGo(q, k []float32, stride int, out []float32) {
	for t := range out {
		out[t] = dotF32Go(q, k[t*stride:])
	}
}

func wsumGo(w, v []float32, stride int, out []float32) {
	clear(out)
	for t, wt := range w {
		vt := v[t*stride : t*stride+len(out)]
		for j := range out {
			out[j] += wt * vt[j]
		}
	}
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

// siluMulGo sets gate[i] = silu(gate[i]) * up[i].
func siluMulGo(gate, up []float32) {
	up = up[:len(gate)]
	for i, g := range gate {
		gate[i] = silu(g) * up[i]
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
