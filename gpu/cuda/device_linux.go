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
	memAlloc       func(p *Ptr, n uint64) int32
	memFree        func(p Ptr) int32
	memGetInfo     func(free, total *uint64) int32
	moduleLoadData func(mod *uintptr, image *byte) int32
	moduleUnload   func(mod uintptr) int32
	moduleGetFunc  func(f *uintptr, mod uintptr, name string) int32
	funcSetAttr    func(f uintptr, attr int32, v int32) int32
	getErrorString func(res int32, s **byte) int32
	driverGetVer   func(v *int32) int32
	streamCreate   func(s *uintptr, flags uint32) int32
	streamDestroy  func(s uintptr) int32
	streamSync     func(s uintptr) int32
	beginCapture   func(s uintptr, mode int32) int32
	endCapture     func(s uintptr, g *uintptr) int32
	graphInst      func(e *uintptr, g uintptr, flags uint64) int32
	graphDestroy   func(g uintptr) int32
	graphExecDestr func(e uintptr) int32
	launchKernel   uintptr // cuLaunchKernel, through SyscallN
	memcpyHtoD     uintptr // cuMemcpyHtoDAsync_v2
	memcpyDtoH     uintptr // cuMemcpyDtoHAsync_v2
	memcpyDtoD     uintptr // cuMemcpyDtoDAsync_v2
	graphLaunch    uintptr // cuGraphLaunch
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
		{&d.ctxSetCurrent, "cuCtxSetCurrent"},
		{&d.memAlloc, "cuMemAlloc_v2"}, {&d.memFree, "cuMemFree_v2"}, {&d.memGetInfo, "cuMemGetInfo_v2"},
		{&d.moduleLoadData, "cuModuleLoadData"}, {&d.moduleUnload, "cuModuleUnload"},
		{&d.moduleGetFunc, "cuModuleGetFunction"}, {&d.funcSetAttr, "cuFuncSetAttribute"},
		{&d.getErrorString, "cuGetErrorString"}, {&d.driverGetVer, "cuDriverGetVersion"},
		{&d.streamCreate, "cuStreamCreate"}, {&d.streamDestroy, "cuStreamDestroy_v2"},
		{&d.streamSync, "cuStreamSynchronize"}, {&d.beginCapture, "cuStreamBeginCapture_v2"},
		{&d.endCapture, "cuStreamEndCapture"}, {&d.graphInst, "cuGraphInstantiateWithFlags"},
		{&d.graphDestroy, "cuGraphDestroy"}, {&d.graphExecDestr, "cuGraphExecDestroy"},
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
		{&d.launchKernel, "cuLaunchKernel"}, {&d.memcpyHtoD, "cuMemcpyHtoDAsync_v2"},
		{&d.memcpyDtoH, "cuMemcpyDtoHAsync_v2"}, {&d.memcpyDtoD, "cuMemcpyDtoDAsync_v2"},
		{&d.graphLaunch, "cuGraphLaunch"},
	} {
		if *s.p, err = sym(h, s.name); err != nil {
			return nil, "", err
		}
	}
	return d, path, nil
}

// Device is one GPU with its primary context, a cuBLAS handle and NVRTC.
// All work goes to one stream of the device's, so operations run in the
// order they are issued; the stream can be captured into a CUDA graph
// (Capture).
type Device struct {
	drv    *driver
	blas   *blas
	rtc    *nvrtc
	libs   Libraries
	ord    int32
	ctx    uintptr
	stream uintptr
	work   Ptr // cuBLAS workspace, so GEMMs allocate nothing while captured
	name   string
	major  int
	minor  int

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
	err = d.Run(func() error {
		if r := drv.streamCreate(&d.stream, 1); r != 0 { // CU_STREAM_NON_BLOCKING
			return d.err("cuStreamCreate", r)
		}
		var err error
		if d.work, err = d.Alloc(workspaceBytes); err != nil {
			return err
		}
		return d.blas.create(d.stream, d.work, workspaceBytes)
	})
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
		err = d.Run(func() error {
			err := errors.Join(d.blas.destroy(), d.Free(d.work))
			if r := d.drv.streamDestroy(d.stream); r != 0 {
				err = errors.Join(err, d.err("cuStreamDestroy", r))
			}
			return err
		})
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

// CopyIn copies src into device memory at dst, in stream order. It
// returns when src may be reused (the driver stages pageable memory).
func CopyIn[T any](d *Device, dst Ptr, src []T) error {
	if len(src) == 0 {
		return nil
	}
	n := uintptr(len(src)) * unsafe.Sizeof(src[0])
	r, _, _ := purego.SyscallN(d.drv.memcpyHtoD, uintptr(dst), uintptr(unsafe.Pointer(&src[0])), n, d.stream)
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
	r, _, _ := purego.SyscallN(d.drv.memcpyDtoH, uintptr(unsafe.Pointer(&dst[0])), uintptr(src), n, d.stream)
	if int32(r) != 0 {
		return d.err("cuMemcpyDtoH", int32(r))
	}
	err := d.Sync()
	runtime.KeepAlive(dst)
	return err
}

// Copy copies n bytes between device buffers.
func (d *Device) Copy(dst, src Ptr, n int) error {
	r, _, _ := purego.SyscallN(d.drv.memcpyDtoD, uintptr(dst), uintptr(src), uintptr(n), d.stream)
	if int32(r) != 0 {
		return d.err("cuMemcpyDtoD", int32(r))
	}
	return nil
}

// Sync waits for all issued work and reports the first asynchronous error.
func (d *Device) Sync() error {
	if r := d.drv.streamSync(d.stream); r != 0 {
		return d.err("cuStreamSynchronize", r)
	}
	return nil
}

// workspaceBytes is cuBLAS's workspace: NVIDIA recommends 32 MiB on Hopper.
const workspaceBytes = 32 << 20

// Graph is a captured sequence of kernels and GEMMs, replayed by Launch
// with one call (CUDA graphs): it removes the per-launch cost of the host,
// which dominates small decode steps.
type Graph struct {
	d    *Device
	exec uintptr
}

// Capture records the device work fn issues, without running it, into a
// Graph. fn must issue only kernels and GEMMs (no copies to or from the
// host) and must return its first error; a failed capture leaves the
// stream usable.
func (d *Device) Capture(fn func() error) (*Graph, error) {
	if r := d.drv.beginCapture(d.stream, 2); r != 0 { // CU_STREAM_CAPTURE_MODE_RELAXED
		return nil, d.err("cuStreamBeginCapture", r)
	}
	ferr := fn()
	var g uintptr
	r := d.drv.endCapture(d.stream, &g)
	if ferr != nil || r != 0 {
		if g != 0 {
			d.drv.graphDestroy(g)
		}
		if ferr != nil {
			return nil, fmt.Errorf("capture: %w", ferr)
		}
		return nil, d.err("cuStreamEndCapture", r)
	}
	defer d.drv.graphDestroy(g)
	var e uintptr
	if r := d.drv.graphInst(&e, g, 0); r != 0 {
		return nil, d.err("cuGraphInstantiateWithFlags", r)
	}
	return &Graph{d: d, exec: e}, nil
}

// Launch replays the graph on the device's stream.
func (g *Graph) Launch() error {
	r, _, _ := purego.SyscallN(g.d.drv.graphLaunch, g.exec, g.d.stream)
	if int32(r) != 0 {
		return g.d.err("cuGraphLaunch", int32(r))
	}
	return nil
}

// Destroy frees the graph; inside Run.
func (g *Graph) Destroy() error {
	if r := g.d.drv.graphExecDestr(g.exec); r != 0 {
		return g.d.err("cuGraphExecDestroy", r)
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
