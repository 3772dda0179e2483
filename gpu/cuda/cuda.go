package cuda

import (
	"errors"
	"fmt"
	"math"
)

// ErrUnavailable reports that CUDA cannot be used here: no driver, no
// library, no device, or an unsupported platform. Errors wrapping it say
// which.
var ErrUnavailable = errors.New("cuda: no usable NVIDIA GPU")

// Ptr is a device address (CUdeviceptr). Zero is the null pointer.
type Ptr uint64

// Add offsets p by n bytes.
func (p Ptr) Add(n int) Ptr { return p + Ptr(n) }

// DataType is a cuBLAS element type (cudaDataType).
type DataType int32

// Element types of GEMM operands.
const (
	F32  DataType = 0  // CUDA_R_32F
	F16  DataType = 2  // CUDA_R_16F
	BF16 DataType = 14 // CUDA_R_16BF
)

// Size is the element size in bytes.
func (t DataType) Size() int {
	if t == F32 {
		return 4
	}
	return 2
}

func (t DataType) String() string {
	switch t {
	case F32:
		return "f32"
	case F16:
		return "f16"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("cudaDataType(%d)", int32(t))
}

// Error is a failed CUDA, cuBLAS or NVRTC call.
type Error struct {
	Call string // the library function
	Code int32
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("cuda: %s: %s (%d)", e.Call, e.Msg, e.Code)
}

// Dim3 is a kernel grid or block shape; zero components mean 1.
type Dim3 struct{ X, Y, Z uint32 }

func (d Dim3) norm() Dim3 {
	return Dim3{max(d.X, 1), max(d.Y, 1), max(d.Z, 1)}
}

// Libraries names the files a Device loaded, for diagnostics.
type Libraries struct {
	Driver, CUBLAS, NVRTC string
}

// Kernel arguments are passed as 64-bit slots: a kernel reads its
// parameter's bytes from the start of the slot, so on the little-endian
// machines CUDA supports an int or float in the low bytes reads correctly.

// I is an int kernel argument (C int).
func I(v int) uint64 { return uint64(uint32(int32(v))) }

// F is a float kernel argument.
func F(v float32) uint64 { return uint64(math.Float32bits(v)) }

// P is a pointer kernel argument.
func P(p Ptr) uint64 { return uint64(p) }
