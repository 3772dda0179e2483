package gguf

import (
	"fmt"
	"math/bits"
	"strings"
)

// TensorType is a ggml tensor element type.
type TensorType uint32

// Tensor types, numbered as in ggml.h. The builtin engine computes with F32,
// F16, Q8_0, Q4_0, Q4_K and Q6_K; the others are only sized, so that any
// conforming file can be parsed.
const (
	F32     TensorType = 0
	F16     TensorType = 1
	Q4_0    TensorType = 2
	Q4_1    TensorType = 3
	Q5_0    TensorType = 6
	Q5_1    TensorType = 7
	Q8_0    TensorType = 8
	Q8_1    TensorType = 9
	Q2_K    TensorType = 10
	Q3_K    TensorType = 11
	Q4_K    TensorType = 12
	Q5_K    TensorType = 13
	Q6_K    TensorType = 14
	Q8_K    TensorType = 15
	IQ2_XXS TensorType = 16
	IQ2_XS  TensorType = 17
	IQ3_XXS TensorType = 18
	IQ1_S   TensorType = 19
	IQ4_NL  TensorType = 20
	IQ3_S   TensorType = 21
	IQ2_S   TensorType = 22
	IQ4_XS  TensorType = 23
	I8      TensorType = 24
	I16     TensorType = 25
	I32     TensorType = 26
	I64     TensorType = 27
	F64     TensorType = 28
	IQ1_M   TensorType = 29
	BF16    TensorType = 30
	TQ1_0   TensorType = 34
	TQ2_0   TensorType = 35
	MXFP4   TensorType = 39
)

type typeTraits struct {
	name      string
	blockSize uint64 // elements per block
	typeSize  uint64 // bytes per block
}

// traits is immutable after package initialisation.
var traits = map[TensorType]typeTraits{
	F32: {"f32", 1, 4}, F16: {"f16", 1, 2}, Q4_0: {"q4_0", 32, 18}, Q4_1: {"q4_1", 32, 20},
	Q5_0: {"q5_0", 32, 22}, Q5_1: {"q5_1", 32, 24}, Q8_0: {"q8_0", 32, 34}, Q8_1: {"q8_1", 32, 36},
	Q2_K: {"q2_K", 256, 84}, Q3_K: {"q3_K", 256, 110}, Q4_K: {"q4_K", 256, 144}, Q5_K: {"q5_K", 256, 176},
	Q6_K: {"q6_K", 256, 210}, Q8_K: {"q8_K", 256, 292}, IQ2_XXS: {"iq2_xxs", 256, 66}, IQ2_XS: {"iq2_xs", 256, 74},
	IQ3_XXS: {"iq3_xxs", 256, 98}, IQ1_S: {"iq1_s", 256, 50}, IQ4_NL: {"iq4_nl", 32, 18}, IQ3_S: {"iq3_s", 256, 110},
	IQ2_S: {"iq2_s", 256, 82}, IQ4_XS: {"iq4_xs", 256, 136}, I8: {"i8", 1, 1}, I16: {"i16", 1, 2},
	I32: {"i32", 1, 4}, I64: {"i64", 1, 8}, F64: {"f64", 1, 8}, IQ1_M: {"iq1_m", 256, 56},
	BF16: {"bf16", 1, 2}, TQ1_0: {"tq1_0", 256, 54}, TQ2_0: {"tq2_0", 256, 66}, MXFP4: {"mxfp4", 32, 17},
}

// Known reports whether t is a tensor type this package can size.
func (t TensorType) Known() bool { _, ok := traits[t]; return ok }

// BlockSize is the number of elements in one block of t (1 for plain types).
func (t TensorType) BlockSize() int { return int(traits[t].blockSize) }

// BlockBytes is the encoded size of one block of t.
func (t TensorType) BlockBytes() int { return int(traits[t].typeSize) }

func (t TensorType) String() string {
	if tr, ok := traits[t]; ok {
		return tr.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// ParseTensorType maps a name such as "q8_0" or "q4_k" (any case) to its
// type.
func ParseTensorType(name string) (TensorType, error) {
	for t, tr := range traits {
		if strings.EqualFold(tr.name, name) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("gguf: unknown tensor type %q", name)
}

// RowBytes is the encoded size of n elements of t; n must be a multiple of
// the block size.
func (t TensorType) RowBytes(n int) int { return n / t.BlockSize() * t.BlockBytes() }

// MaxDims is the most dimensions a ggml tensor has.
const MaxDims = 4

// TensorInfo describes one tensor. Dims[0] is the innermost (row) length,
// as in ggml's ne[].
type TensorInfo struct {
	Name   string
	Dims   []uint64
	Type   TensorType
	Offset uint64 // from the start of the data section
}

// Elements is the number of elements, or an error if the product overflows.
func (t TensorInfo) Elements() (uint64, error) {
	n := uint64(1)
	for _, d := range t.Dims {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 || lo > 1<<56 {
			return 0, fmt.Errorf("%w: tensor %q has too many elements", ErrFormat, t.Name)
		}
		n = lo
	}
	return n, nil
}

// Bytes is the encoded size of the tensor's data.
func (t TensorInfo) Bytes() (uint64, error) {
	tr, ok := traits[t.Type]
	if !ok {
		return 0, fmt.Errorf("%w: tensor %q has unknown type %d", ErrFormat, t.Name, uint32(t.Type))
	}
	n, err := t.Elements()
	if err != nil {
		return 0, err
	}
	if len(t.Dims) == 0 || t.Dims[0]%tr.blockSize != 0 {
		return 0, fmt.Errorf("%w: tensor %q: row length not a multiple of %s block size %d", ErrFormat, t.Name, tr.name, tr.blockSize)
	}
	return n / tr.blockSize * tr.typeSize, nil
}
