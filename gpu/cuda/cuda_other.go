//go:build !linux || !(amd64 || arm64)

package cuda

import (
	"fmt"
	"runtime"
)

// Device is unavailable on this platform; Open always fails.
type Device struct{}

// Module is unavailable on this platform.
type Module struct {
	Log, Target string
}

// Func is unavailable on this platform.
type Func struct{}

// Open reports that this platform has no CUDA support in tao.
func Open(int) (*Device, error) {
	return nil, fmt.Errorf("%w: tao's CUDA backend runs on linux/amd64 and linux/arm64, not %s/%s", ErrUnavailable, runtime.GOOS, runtime.GOARCH)
}

func (d *Device) Close() error                                  { return nil }
func (d *Device) Name() string                                  { return "" }
func (d *Device) ComputeCapability() (int, int)                 { return 0, 0 }
func (d *Device) Libraries() Libraries                          { return Libraries{} }
func (d *Device) DriverVersion() int                            { return 0 }
func (d *Device) NVRTCVersion() (int, int)                      { return 0, 0 }
func (d *Device) Run(fn func() error) error                     { return ErrUnavailable }
func (d *Device) Alloc(int) (Ptr, error)                        { return 0, ErrUnavailable }
func (d *Device) Free(Ptr) error                                { return ErrUnavailable }
func (d *Device) MemInfo() (uint64, uint64, error)              { return 0, 0, ErrUnavailable }
func (d *Device) Copy(Ptr, Ptr, int) error                      { return ErrUnavailable }
func (d *Device) Sync() error                                   { return ErrUnavailable }
func (d *Device) Compile(string, ...string) (*Module, error)    { return nil, ErrUnavailable }
func (d *Device) SetMaxDynamicShared(Func, int) error           { return ErrUnavailable }
func (d *Device) Launch(Func, Dim3, Dim3, int, ...uint64) error { return ErrUnavailable }
func (d *Device) Gemm(m, n, k int, a Ptr, at DataType, w Ptr, wt DataType, c Ptr, ldc int, accumulate bool) error {
	return ErrUnavailable
}
func (m *Module) Func(string) (Func, error) { return Func{}, ErrUnavailable }
func (m *Module) Unload() error             { return ErrUnavailable }

// CopyIn is unavailable on this platform.
func CopyIn[T any](*Device, Ptr, []T) error { return ErrUnavailable }

// CopyOut is unavailable on this platform.
func CopyOut[T any](*Device, []T, Ptr) error { return ErrUnavailable }

// Graph is unavailable on this platform.
type Graph struct{}

func (d *Device) Capture(func() error) (*Graph, error) { return nil, ErrUnavailable }
func (g *Graph) Launch() error                         { return ErrUnavailable }
func (g *Graph) Destroy() error                        { return ErrUnavailable }
