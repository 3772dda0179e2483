//go:build linux && (amd64 || arm64)

package cuda

import (
	"fmt"
	"runtime"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Module is a loaded set of compiled kernels.
type Module struct {
	d      *Device
	h      uintptr
	Log    string // NVRTC's compile log (warnings)
	Target string // what the source was compiled for, e.g. "sm_90 cubin"
}

// Func is one kernel of a Module.
type Func struct {
	h    uintptr
	name string
}

// Func looks up the kernel named name (declared extern "C").
func (m *Module) Func(name string) (Func, error) {
	var f uintptr
	if r := m.d.drv.moduleGetFunc(&f, m.h, name); r != 0 {
		return Func{}, fmt.Errorf("kernel %s: %w", name, m.d.err("cuModuleGetFunction", r))
	}
	return Func{h: f, name: name}, nil
}

// SetMaxDynamicShared allows f to use up to n bytes of dynamic shared
// memory (above the default 48 KiB).
func (d *Device) SetMaxDynamicShared(f Func, n int) error {
	if r := d.drv.funcSetAttr(f.h, 8, int32(n)); r != 0 { // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
		return d.err("cuFuncSetAttribute", r)
	}
	return nil
}

// Unload frees the module.
func (m *Module) Unload() error {
	if r := m.d.drv.moduleUnload(m.h); r != 0 {
		return m.d.err("cuModuleUnload", r)
	}
	return nil
}

// Launch queues kernel f on the device's stream with args (made by I, F
// and P, in the kernel's parameter order). shared is the dynamic shared
// memory in bytes. Errors in the kernel itself surface at the next Sync or
// CopyOut.
func (d *Device) Launch(f Func, grid, block Dim3, shared int, args ...uint64) error {
	a := d.args
	if len(args) > len(a.vals) {
		return fmt.Errorf("cuda: kernel %s: %d arguments, at most %d", f.name, len(args), len(a.vals))
	}
	for i, v := range args {
		a.vals[i] = v
		a.ptrs[i] = uintptr(unsafe.Pointer(&a.vals[i]))
	}
	g, b := grid.norm(), block.norm()
	r, _, _ := purego.SyscallN(d.drv.launchKernel, f.h,
		uintptr(g.X), uintptr(g.Y), uintptr(g.Z), uintptr(b.X), uintptr(b.Y), uintptr(b.Z),
		uintptr(shared), d.stream, uintptr(unsafe.Pointer(&a.ptrs[0])), 0)
	runtime.KeepAlive(a)
	if int32(r) != 0 {
		return fmt.Errorf("kernel %s grid %v block %v: %w", f.name, g, b, d.err("cuLaunchKernel", int32(r)))
	}
	return nil
}
