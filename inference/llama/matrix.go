package llama

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/taonet/tao/inference/gguf"
)

// Matrix is a weight matrix of Rows rows of Cols elements in GGUF layout
// (ggml ne0 = Cols, ne1 = Rows). Data aliases the model file (or, for a
// Q4_0 matrix re-encoded by plainQ4, a copy).
type Matrix struct {
	Name       string
	Type       gguf.TensorType
	Rows, Cols int
	Data       []byte
	f32        []float32 // Data viewed as float32 when Type is F32
	rowBytes   int
	// mins, for a Q4_1 or Q5_1 matrix re-encoded as Q8_0 (asQ8), holds
	// each block's m (row by row): a value is d·q + m.
	mins []float32
}

func newMatrix(f *gguf.File, name string, cols, rows int) (*Matrix, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("llama: missing tensor %s", name)
	}
	want := []uint64{uint64(cols), uint64(rows)}
	if rows == 0 {
		want = want[:1]
	}
	if !sameShape(t.Dims, want) {
		return nil, fmt.Errorf("llama: tensor %s has shape %v, want %v", name, t.Dims, want)
	}
	switch t.Type {
	case gguf.F32, gguf.F16, gguf.BF16, gguf.Q8_0, gguf.Q4_0, gguf.Q4_1, gguf.Q5_0, gguf.Q5_1, gguf.Q4_K, gguf.Q5_K, gguf.Q6_K:
	default:
		return nil, fmt.Errorf("llama: tensor %s has type %s, which the builtin engine does not compute with (want f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K or q6_K)", name, t.Type)
	}
	m := &Matrix{Name: name, Type: t.Type, Rows: max(rows, 1), Cols: cols, Data: f.Data(t)}
	m.rowBytes = t.Type.RowBytes(cols)
	if t.Type == gguf.F32 {
		m.f32 = asFloat32(m.Data)
	}
	return m, nil
}

// sameShape reports whether a tensor of dims has shape want, as
// llama.cpp's llama_model_loader::check_tensor_dims compares them: ggml
// pads ne[] to four dimensions with 1s, so [n, 1] is the vector [n] and a
// writer may store either.
func sameShape(dims, want []uint64) bool {
	for i := range gguf.MaxDims {
		d, w := uint64(1), uint64(1)
		if i < len(dims) {
			d = dims[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if d != w {
			return false
		}
	}
	return len(dims) <= gguf.MaxDims
}

// plainQ4 re-encodes a Q4_0 matrix that llama.cpp computes with its plain
// Q4_0 kernels rather than the repacked ones (rows not a multiple of 8)
// as Q8_0 with the same scales and the values q-8:
// ggml_vec_dot_q4_0_q8_0 and tinyBLAS sum such a row in eight lanes
// exactly as they sum Q8_0, so the Q8_0 kernels then give llama.cpp's
// bits. The Q8_0 copy takes 34/18 of the Q4_0 bytes.
func plainQ4(m *Matrix) *Matrix {
	nb := m.Cols / gguf.QK
	q8 := &Matrix{Name: m.Name, Type: gguf.Q8_0, Rows: m.Rows, Cols: m.Cols, rowBytes: gguf.Q8_0.RowBytes(m.Cols)}
	q8.Data = make([]byte, m.Rows*q8.rowBytes)
	for b := range m.Rows * nb {
		src := m.Data[b*18 : b*18+18]
		dst := q8.Data[b*34 : b*34+34]
		copy(dst[:2], src[:2])
		for j, q := range src[2:] {
			dst[2+j] = byte(int8(q&0xf) - 8)
			dst[2+16+j] = byte(int8(q>>4) - 8)
		}
	}
	return q8
}

// asQ8 re-encodes a Q5_0, Q4_1 or Q5_1 matrix as Q8_0 with the same
// scales and the values q-16 (Q5_0) or q (Q4_1, Q5_1, whose block mins go
// to mins): llama.cpp's x86 vec_dot for each (and tinyBLAS for Q5_0) sums
// a row in eight lanes exactly as it sums Q8_0, the unsigned types adding
// Σ m·s (s: the activation block's d·Σq, in f16) at the end (addMins), so
// the Q8_0 kernels give llama.cpp's bits. Other types are returned as
// they are.
func asQ8(m *Matrix) *Matrix {
	var bb int
	switch m.Type {
	case gguf.Q5_0:
		bb = 22
	case gguf.Q4_1:
		bb = 20
	case gguf.Q5_1:
		bb = 24
	default:
		return m
	}
	nb := m.Cols / gguf.QK
	q8 := &Matrix{Name: m.Name, Type: gguf.Q8_0, Rows: m.Rows, Cols: m.Cols, rowBytes: gguf.Q8_0.RowBytes(m.Cols)}
	q8.Data = make([]byte, m.Rows*q8.rowBytes)
	if m.Type != gguf.Q5_0 {
		q8.mins = make([]float32, m.Rows*nb)
	}
	for b := range m.Rows * nb {
		src := m.Data[b*bb : (b+1)*bb]
		dst := q8.Data[b*34 : b*34+34]
		copy(dst[:2], src[:2])
		var qh uint32
		qs := src[2:]
		switch m.Type {
		case gguf.Q5_0:
			qh, qs = binary.LittleEndian.Uint32(src[2:]), src[6:]
		case gguf.Q4_1:
			q8.mins[b], qs = f16Table[binary.LittleEndian.Uint16(src[2:])], src[4:]
		case gguf.Q5_1:
			q8.mins[b] = f16Table[binary.LittleEndian.Uint16(src[2:])]
			qh, qs = binary.LittleEndian.Uint32(src[4:]), src[8:]
		}
		for j, q := range qs[:16] {
			lo, hi := int(q&0xf), int(q>>4)
			if m.Type != gguf.Q4_1 {
				lo |= int(qh>>j&1) << 4
				hi |= int(qh>>(j+16)&1) << 4
			}
			if m.Type == gguf.Q5_0 {
				lo, hi = lo-16, hi-16
			}
			dst[2+j], dst[2+16+j] = byte(int8(lo)), byte(int8(hi))
		}
	}
	return q8
}

// asFloat32 views little-endian float32 bytes as []float32, copying only
// when the bytes are misaligned (a file may set general.alignment to 1).
func asFloat32(b []byte) []float32 {
	n := len(b) / 4
	if n == 0 {
		return nil
	}
	if uintptr(unsafe.Pointer(&b[0]))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n)
	}
	out := make([]float32, n)
	_ = gguf.Dequantize(out, gguf.F32, b)
	return out
}

// dequantRows reports whether matmul dequantizes m's rows to f32 before
// the dot products (the types without a kernel of their own).
func (m *Matrix) dequantRows() bool {
	switch m.Type {
	case gguf.F32, gguf.Q8_0, gguf.Q4_0, gguf.Q4_K, gguf.Q5_K, gguf.Q6_K:
		return false
	}
	return true
}

// Row dequantizes row r into dst (len Cols).
func (m *Matrix) Row(dst []float32, r int) {
	if m.f32 != nil {
		copy(dst, m.f32[r*m.Cols:(r+1)*m.Cols])
		return
	}
	_ = gguf.Dequantize(dst, m.Type, m.Data[r*m.rowBytes:(r+1)*m.rowBytes])
	if m.mins != nil {
		nb := m.Cols / gguf.QK
		for b, mn := range m.mins[r*nb : (r+1)*nb] {
			for i := range gguf.QK {
				dst[b*gguf.QK+i] += mn
			}
		}
	}
}

// vector returns a 1-D F32 tensor (norm weights) as float32.
func vector(f *gguf.File, name string, n int) ([]float32, error) {
	m, err := newMatrix(f, name, n, 0)
	if err != nil {
		return nil, err
	}
	out := make([]float32, n)
	m.Row(out, 0)
	return out, nil
}
