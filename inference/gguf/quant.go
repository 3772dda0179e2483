package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
)

// QK is the block size of Q8_0 and Q4_0.
const QK = 32

// QuantizeQ8_0 appends the Q8_0 encoding of x (len a multiple of 32) to dst:
// per block an f16 scale d = max|x|/127 and 32 int8 values round(x/d), as
// ggml's quantize_row_q8_0_ref.
func QuantizeQ8_0(dst []byte, x []float32) []byte {
	for b := 0; b+QK <= len(x); b += QK {
		blk := x[b : b+QK]
		var amax float32
		for _, v := range blk {
			amax = max(amax, abs32(v))
		}
		d := amax / 127
		id := float32(0)
		if d != 0 {
			id = 1 / d
		}
		dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(d))
		for _, v := range blk {
			dst = append(dst, byte(int8(roundf(v*id))))
		}
	}
	return dst
}

// QuantizeQ4_0 appends the Q4_0 encoding of x: per block an f16 scale
// d = max/-8 (max: the value of largest magnitude) and 32 4-bit values, as
// ggml's quantize_row_q4_0_ref.
func QuantizeQ4_0(dst []byte, x []float32) []byte {
	for b := 0; b+QK <= len(x); b += QK {
		blk := x[b : b+QK]
		d := largest(blk) / -8
		id := inverse(d)
		dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(d))
		for j := range QK / 2 {
			// Rounded before the addition, so that no platform fuses
			// them (ggml's C is compiled without contraction here).
			x0 := min(15, int8(float32(blk[j]*id)+8.5))
			x1 := min(15, int8(float32(blk[j+QK/2]*id)+8.5))
			dst = append(dst, byte(x0)|byte(x1)<<4)
		}
	}
	return dst
}

// Quantize appends the encoding of x as type t: F32, F16, BF16, Q8_0,
// Q4_0, Q5_0, Q5_1 (len(x) a multiple of 32), or Q4_K, Q5_K, Q6_K (a
// multiple of 256).
func Quantize(dst []byte, t TensorType, x []float32) ([]byte, error) {
	if t.Known() && len(x)%t.BlockSize() != 0 {
		return nil, fmt.Errorf("gguf: cannot quantize %d values to %s: not a multiple of its %d-value block", len(x), t, t.BlockSize())
	}
	switch t {
	case F32:
		for _, v := range x {
			dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(v))
		}
	case F16:
		for _, v := range x {
			dst = binary.LittleEndian.AppendUint16(dst, F32ToF16(v))
		}
	case BF16:
		for _, v := range x {
			dst = binary.LittleEndian.AppendUint16(dst, F32ToBF16(v))
		}
	case Q8_0:
		dst = QuantizeQ8_0(dst, x)
	case Q4_0:
		dst = QuantizeQ4_0(dst, x)
	case Q5_0:
		dst = QuantizeQ5_0(dst, x)
	case Q5_1:
		dst = QuantizeQ5_1(dst, x)
	case Q4_K:
		dst = QuantizeQ4K(dst, x)
	case Q5_K:
		dst = QuantizeQ5K(dst, x)
	case Q6_K:
		dst = QuantizeQ6K(dst, x)
	default:
		return nil, fmt.Errorf("gguf: cannot quantize to %s", t)
	}
	return dst, nil
}

// Dequantize decodes len(dst) elements of type t from src into dst.
func Dequantize(dst []float32, t TensorType, src []byte) error {
	if t.Known() && t.RowBytes(len(dst)) > len(src) {
		return fmt.Errorf("gguf: dequantize %s: %d bytes for %d elements", t, len(src), len(dst))
	}
	switch t {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(le32(src[4*i:]))
		}
	case F16:
		for i := range dst {
			dst[i] = F16ToF32(le16(src[2*i:]))
		}
	case BF16:
		for i := range dst {
			dst[i] = BF16ToF32(le16(src[2*i:]))
		}
	case Q8_0:
		for b := 0; b*QK < len(dst); b++ {
			blk := src[b*34:]
			d := F16ToF32(le16(blk))
			for j := range QK {
				dst[b*QK+j] = d * float32(int8(blk[2+j]))
			}
		}
	case Q4_0:
		for b := 0; b*QK < len(dst); b++ {
			blk := src[b*18:]
			d := F16ToF32(le16(blk))
			for j := range QK / 2 {
				q := blk[2+j]
				dst[b*QK+j] = d * float32(int(q&0xf)-8)
				dst[b*QK+j+QK/2] = d * float32(int(q>>4)-8)
			}
		}
	case Q4_1:
		dequantQ4_1(dst, src)
	case Q5_0:
		dequantQ5(dst, src, false)
	case Q5_1:
		dequantQ5(dst, src, true)
	case Q5_K:
		dequantQ5K(dst, src)
	case Q4_K:
		dequantQ4K(dst, src)
	case Q6_K:
		dequantQ6K(dst, src)
	default:
		return fmt.Errorf("gguf: cannot dequantize %s", t)
	}
	return nil
}

// largest is the value of x of largest magnitude (the first of ties).
func largest(x []float32) float32 {
	var amax, mx float32
	for _, v := range x {
		if abs32(v) > amax {
			amax, mx = abs32(v), v
		}
	}
	return mx
}

// inverse is 1/d, or 0 for a zero scale.
func inverse(d float32) float32 {
	if d == 0 {
		return 0
	}
	return 1 / d
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// roundf rounds half away from zero, as C's roundf.
func roundf(x float32) float32 { return float32(math.Round(float64(x))) }
