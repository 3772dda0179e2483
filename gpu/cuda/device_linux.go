//go:build linux && (amd64 || arm64)

package cuda

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// driver holds libcuda's entry points.
type driver struct {
	init           func(flags uint32) int32
	deviceGetCount func(n *int32) int32
	deviceGet      func(dev *int32, ordinal int32) int32
	deviceGetName  func(name *byte, n int32, dev int32) int32
	deviceGetAttr  func(v *int32, attr int32, dev int32) int32
	primaryRetain  func(ctx *uintptr, dev int32) int32
	primaryRelease func(dev int32) int32
	ctxSetCurrent  func(ctx uintptr) int32
	ctxSynchronize func() int32
	memAlloc       func(p *Ptr, n uint64) int32
	memFree        func(p Ptr) int32
	memGetInfo     func(free, total *uint64) int32
	memsetD8       func(p Ptr, v uint8, n uint64) int32
	moduleLoadData func(mod *uintptr, image *byte) int32
	moduleUnload   func(mod uintptr) int32
	moduleGetFunc  func(f *uintptr, mod uintptr, name string) int32
	funcSetAttr    func(f uintptr, attr int32, v int32) int32
	getErrorString func(res int32, s **byte) int32
	driverGetVer   func(v *int32) int32
	launchKernel   uintptr // cuLaunchKernel, through SyscallN
	memcpyHtoD     uintptr // cuMemcpyHtoD_v2
	memcpyDtoH     uintptr // cuMemcpyDtoH_v2
	memcpyDtoD     uintptr // cuMemcpyDtoD_v2
}

func loadDriver() (*driver, string, error) {
	h, path, tried := open([]string{"libcuda.so.1", "libcuda.so"}, nil)
	if h == 0 {
		return nil, "", unavailable("the CUDA driver (libcuda.so.1)", tried)
	}
	d := &driver{}
	for _, f := range []struct {
		p    any
		name string
	}{
		{&d.init, "cuInit"}, {&d.deviceGetCount, "cuDeviceGetCount"}, {&d.deviceGet, "cuDeviceGet"},
		{&d.deviceGetName, "cuDeviceGetName"}, {&d.deviceGetAttr, "cuDeviceGetAttribute"},
		{&d.primaryRetain, "cuDevicePrimaryCtxRetain"}, {&d.primaryRelease, "cuDevicePrimaryCtxRelease_v2"},
		{&d.ctxSetCurrent, "cuCtxSetCurrent"}, {&d.ctxSynchronize, "cuCtxSynchronize"},
		{&d.memAlloc, "cuMemAlloc_v2"}, {&d.memFree, "cuMemFree_v2"}, {&d.memGetInfo, "cuMemGetInfo_v2"},
		{&d.memsetD8, "cuMemsetD8_v2"},
		{&d.moduleLoadData, "cuModuleLoadData"}, {&d.moduleUnload, "cuModuleUnload"},
		{&d.moduleGetFunc, "cuModuleGetFunction"}, {&d.funcSetAttr, "cuFuncSetAttribute"},
		{&d.getErrorString, "cuGetErrorString"}, {&d.driverGetVer, "cuDriverGetVersion"},
	} {
		if err := register(f.p, h, f.name); err != nil {
			return nil, "", err
		}
	}
	var err error
	for _, s := range []struct {
		p    *uintptr
		name string
	}{
		{&d.launchKernel, "cuLaunchKernel"}, {&d.memcpyHtoD, "cuMemcpyHtoD_v2"},
		{&d.memcpyDtoH, "cuMemcpyDtoH_v2"}, {&d.memcpyDtoD, "cuMemcpyDtoD_v2"},
	} {
		if *s.p, err = sym(h, s.name); err != nil {
			return nil, "", err
		}
	}
	return d, path, nil
}

// Device is one GPU with its primary context, a cuBLAS handle and NVRTC.
// All work goes to the default (legacy) stream, so operations run in the
// order they are issued.
type Device struct {
	drv   *driver
	blas  *blas
	rtc   *nvrtc
	libs  Libraries
	ord   int32
	ctx   uintptr
	name  string
	major int
	minor int

	mu      sync.Mutex // held by Run: serialises users of the context
	args    *launchArgs
	closeMu sync.Once
}

// launchArgs is heap memory handed to cuLaunchKernel: values and the
// array of pointers to them. It is reused by every launch (under mu).
type launchArgs struct {
	vals [24]uint64
	ptrs [24]uintptr
}

// Open initialises CUDA and opens device ordinal. Without a usable GPU it
// returns an error wrapping ErrUnavailable that says what is missing.
func Open(ordinal int) (*Device, error) {
	drv, dpath, err := loadDriver()
	if err != nil {
		return nil, err
	}
	d := &Device{drv: drv, ord: int32(ordinal), args: &launchArgs{}}
	d.libs.Driver = dpath
	if r := drv.init(0); r != 0 {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, d.err("cuInit", r))
	}
	var n int32
	if r := drv.deviceGetCount(&n); r != 0 {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, d.err("cuDeviceGetCount", r))
	}
	if int(n) <= ordinal {
		return nil, fmt.Errorf("%w: device %d requested, %d present", ErrUnavailable, ordinal, n)
	}
	var dev int32
	if r := drv.deviceGet(&dev, int32(ordinal)); r != 0 {
		return nil, d.err("cuDeviceGet", r)
	}
	d.ord = dev
	var name [256]byte
	if r := drv.deviceGetName(&name[0], int32(len(name)), dev); r == 0 {
		d.name = cstr(name[:])
	}
	var v int32
	if drv.deviceGetAttr(&v, 75, dev) == 0 { // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
		d.major = int(v)
	}
	if drv.deviceGetAttr(&v, 76, dev) == 0 {
		d.minor = int(v)
	}
	if r := drv.primaryRetain(&d.ctx, dev); r != 0 {
		return nil, d.err("cuDevicePrimaryCtxRetain", r)
	}
	if d.rtc, d.libs.NVRTC, err = loadNVRTC(); err != nil {
		drv.primaryRelease(dev)
		return nil, err
	}
	if d.blas, d.libs.CUBLAS, err = loadBLAS(); err != nil {
		drv.primaryRelease(dev)
		return nil, err
	}
	err = d.Run(func() error { return d.blas.create() })
	if err != nil {
		drv.primaryRelease(dev)
		return nil, err
	}
	return d, nil
}

// Close destroys the cuBLAS handle and releases the primary context. A
// second call is a no-op. Memory still allocated is freed with the context.
func (d *Device) Close() error {
	var err error
	d.closeMu.Do(func() {
		err = d.Run(func() error { return d.blas.destroy() })
		if r := d.drv.primaryRelease(d.ord); r != 0 {
			err = errors.Join(err, d.err("cuDevicePrimaryCtxRelease", r))
		}
	})
	return err
}

// Name is the device's marketing name, e.g. "NVIDIA H200".
func (d *Device) Name() string { return d.name }

// ComputeCapability is the SM version, e.g. (9, 0).
func (d *Device) ComputeCapability() (major, minor int) { return d.major, d.minor }

// Libraries says which files were loaded.
func (d *Device) Libraries() Libraries { return d.libs }

// DriverVersion is the driver's CUDA version, e.g. 13000.
func (d *Device) DriverVersion() int {
	var v int32
	d.drv.driverGetVer(&v)
	return int(v)
}

// Run calls fn with the goroutine locked to its OS thread and the device's
// context current on it, holding the device's lock. Every other method
// except Name, Libraries, DriverVersion, ComputeCapability and Close must
// be called inside Run.
func (d *Device) Run(fn func() error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if r := d.drv.ctxSetCurrent(d.ctx); r != 0 {
		return d.err("cuCtxSetCurrent", r)
	}
	return fn()
}

func (d *Device) err(call string, r int32) error {
	msg := "unknown error"
	var s *byte
	if d.drv.getErrorString(r, &s) == 0 && s != nil {
		msg = goString(s)
	}
	return &Error{Call: call, Code: r, Msg: msg}
}

// Alloc allocates n bytes of device memory.
func (d *Device) Alloc(n int) (Ptr, error) {
	var p Ptr
	if r := d.drv.memAlloc(&p, uint64(max(n, 1))); r != 0 {
		return 0, fmt.Errorf("allocate %d MiB: %w", n>>20, d.err("cuMemAlloc", r))
	}
	return p, nil
}

// Free frees memory from Alloc; Free(0) is a no-op.
func (d *Device) Free(p Ptr) error {
	if p == 0 {
		return nil
	}
	if r := d.drv.memFree(p); r != 0 {
		return d.err("cuMemFree", r)
	}
	return nil
}

// MemInfo reports free and total device memory in bytes.
func (d *Device) MemInfo() (free, total uint64, err error) {
	if r := d.drv.memGetInfo(&free, &total); r != 0 {
		return 0, 0, d.err("cuMemGetInfo", r)
	}
	return free, total, nil
}

// Memset sets n bytes at p to v.
func (d *Device) Memset(p Ptr, v byte, n int) error {
	if r := d.drv.memsetD8(p, v, uint64(n)); r != 0 {
		return d.err("cuMemsetD8", r)
	}
	return nil
}

// CopyIn copies src into device memory at dst. It returns when the copy is
// done (src may be reused).
func CopyIn[T any](d *Device, dst Ptr, src []T) error {
	if len(src) == 0 {
		return nil
	}
	n := uintptr(len(src)) * unsafe.Sizeof(src[0])
	r, _, _ := purego.SyscallN(d.drv.memcpyHtoD, uintptr(dst), uintptr(unsafe.Pointer(&src[0])), n)
	runtime.KeepAlive(src)
	if int32(r) != 0 {
		return d.err("cuMemcpyHtoD", int32(r))
	}
	return nil
}

// CopyOut copies device memory at src into dst, after all work issued
// before it has finished (so it also reports a failed kernel).
func CopyOut[T any](d *Device, dst []T, src Ptr) error {
	if len(dst) == 0 {
		return nil
	}
	n := uintptr(len(dst)) * unsafe.Sizeof(dst[0])
	r, _, _ := purego.SyscallN(d.drv.memcpyDtoH, uintptr(unsafe.Pointer(&dst[0])), uintptr(src), n)
	runtime.KeepAlive(dst)
	if int32(r) != 0 {
		return d.err("cuMemcpyDtoH", int32(r))
	}
	return nil
}

// Copy copies n bytes between device buffers.
func (d *Device) Copy(dst, src Ptr, n int) error {
	r, _, _ := purego.SyscallN(d.drv.memcpyDtoD, uintptr(dst), uintptr(src), uintptr(n))
	if int32(r) != 0 {
		return d.err("cuMemcpyDtoD", int32(r))
	}
	return nil
}

// Sync waits for all issued work and reports the first asynchronous error.
func (d *Device) Sync() error {
	if r := d.drv.ctxSynchronize(); r != 0 {
		return d.err("cuCtxSynchronize", r)
	}
	return nil
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// goString copies a NUL-terminated C string.
func goString(p *byte) string {
	var b []byte
	for i := 0; i < 4096; i++ {
		c := *(*byte)(unsafe.Add(unsafe.Pointer(p), i))
		if c == 0 {
			break
		}
		b = append(b, c)
	}
	return string(b)
}
