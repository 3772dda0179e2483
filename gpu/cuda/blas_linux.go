//go:build linux && (amd64 || arm64)

package cuda

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

// blas holds libcublas's entry points and the handle.
type blas struct {
	createFn  func(h *uintptr) int32
	destroyFn func(h uintptr) int32
	statusStr func(s int32) string
	setStream func(h, s uintptr) int32
	setWork   func(h uintptr, p Ptr, n uint64) int32
	gemmEx    uintptr // cublasGemmEx, 19 arguments, through SyscallN
	h         uintptr
	alpha     *[3]float32 // host scalars handed to cuBLAS: alpha 1, beta 0 or 1
}

func loadBLAS() (*blas, string, error) {
	names := []string{"libcublas.so.13", "libcublas.so.12", "libcublas.so"}
	h, path, tried := open(names, []string{"libcublasLt.so"})
	if h == 0 {
		return nil, "", unavailable("cuBLAS (libcublas.so)", tried)
	}
	b := &blas{alpha: &[3]float32{1, 0, 1}}
	for _, f := range []struct {
		p    any
		name string
	}{
		{&b.createFn, "cublasCreate_v2"}, {&b.destroyFn, "cublasDestroy_v2"}, {&b.statusStr, "cublasGetStatusString"},
		{&b.setStream, "cublasSetStream_v2"}, {&b.setWork, "cublasSetWorkspace_v2"},
	} {
		if err := register(f.p, h, f.name); err != nil {
			return nil, "", err
		}
	}
	var err error
	if b.gemmEx, err = sym(h, "cublasGemmEx"); err != nil {
		return nil, "", err
	}
	return b, path, nil
}

func (b *blas) err(call string, s int32) error {
	return &Error{Call: call, Code: s, Msg: b.statusStr(s)}
}

// create makes the handle, working on stream with the given workspace.
func (b *blas) create(stream uintptr, work Ptr, n int) error {
	if s := b.createFn(&b.h); s != 0 {
		return b.err("cublasCreate", s)
	}
	if s := b.setStream(b.h, stream); s != 0 {
		return b.err("cublasSetStream", s)
	}
	if s := b.setWork(b.h, work, uint64(n)); s != 0 {
		return b.err("cublasSetWorkspace", s)
	}
	return nil
}

func (b *blas) destroy() error {
	if b.h == 0 {
		return nil
	}
	if s := b.destroyFn(b.h); s != 0 {
		return b.err("cublasDestroy", s)
	}
	b.h = 0
	return nil
}

// Gemm computes, in row-major terms, C[m×n] = A[m×k] · W[n×k]ᵀ (+ C when
// accumulate): each of m activation rows (length k, type at, row stride
// k) against each of n weight rows (length k, type wt), writing C as f32
// with row stride ldc. This is the layout of a linear layer with GGUF
// weights (rows of the output dimension). Arithmetic is FP32
// (CUBLAS_COMPUTE_32F): f16/bf16 inputs accumulate in f32.
func (d *Device) Gemm(m, n, k int, a Ptr, at DataType, w Ptr, wt DataType, c Ptr, ldc int, accumulate bool) error {
	b := d.blas
	beta := &b.alpha[1]
	if accumulate {
		beta = &b.alpha[2]
	}
	// cuBLAS is column-major: row-major C[m×n] is column-major Cᵀ[n×m] =
	// W · Aᵀ, with W column-major k×n transposed (OP_T) and A column-major
	// k×m as is.
	const opN, opT = 0, 1
	const compute32F = 68 // CUBLAS_COMPUTE_32F
	const algoDefault = ^uintptr(0)
	s, _, _ := purego.SyscallN(b.gemmEx, b.h, opT, opN,
		uintptr(n), uintptr(m), uintptr(k),
		uintptr(unsafe.Pointer(&b.alpha[0])),
		uintptr(w), uintptr(wt), uintptr(k),
		uintptr(a), uintptr(at), uintptr(k),
		uintptr(unsafe.Pointer(beta)),
		uintptr(c), uintptr(F32), uintptr(ldc),
		compute32F, algoDefault)
	runtime.KeepAlive(b.alpha)
	if int32(s) != 0 {
		return fmt.Errorf("gemm m=%d n=%d k=%d: %w", m, n, k, b.err("cublasGemmEx", int32(s)))
	}
	return nil
}
