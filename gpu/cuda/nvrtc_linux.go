//go:build linux && (amd64 || arm64)

package cuda

import (
	"fmt"
	"strings"
)

// nvrtc holds libnvrtc's entry points.
type nvrtc struct {
	version     func(major, minor *int32) int32
	create      func(prog *uintptr, src, name string, n int32, headers, includes *uintptr) int32
	compile     func(prog uintptr, n int32, opts *uintptr) int32
	logSize     func(prog uintptr, n *uint64) int32
	getLog      func(prog uintptr, log *byte) int32
	cubinSize   func(prog uintptr, n *uint64) int32
	getCubin    func(prog uintptr, out *byte) int32
	ptxSize     func(prog uintptr, n *uint64) int32
	getPTX      func(prog uintptr, out *byte) int32
	destroy     func(prog *uintptr) int32
	errorString func(r int32) string
}

func loadNVRTC() (*nvrtc, string, error) {
	names := []string{"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"}
	h, path, tried := open(names, []string{"libnvrtc-builtins.so"})
	if h == 0 {
		return nil, "", unavailable("NVRTC (libnvrtc.so)", tried)
	}
	n := &nvrtc{}
	for _, f := range []struct {
		p    any
		name string
	}{
		{&n.version, "nvrtcVersion"}, {&n.create, "nvrtcCreateProgram"}, {&n.compile, "nvrtcCompileProgram"},
		{&n.logSize, "nvrtcGetProgramLogSize"}, {&n.getLog, "nvrtcGetProgramLog"},
		{&n.cubinSize, "nvrtcGetCUBINSize"}, {&n.getCubin, "nvrtcGetCUBIN"},
		{&n.ptxSize, "nvrtcGetPTXSize"}, {&n.getPTX, "nvrtcGetPTX"},
		{&n.destroy, "nvrtcDestroyProgram"}, {&n.errorString, "nvrtcGetErrorString"},
	} {
		if err := register(f.p, h, f.name); err != nil {
			return nil, "", err
		}
	}
	return n, path, nil
}

// NVRTCVersion is the loaded NVRTC's version.
func (d *Device) NVRTCVersion() (major, minor int) {
	var a, b int32
	d.rtc.version(&a, &b)
	return int(a), int(b)
}

// Compile compiles CUDA C source with NVRTC for this device and loads it.
// It asks for a cubin for the device's exact SM, which needs no JIT in the
// driver; where NVRTC does not know that SM (a newer GPU than the
// library) it falls back to PTX for the newest architecture NVRTC knows,
// which the driver JIT-compiles. Compile errors carry NVRTC's log.
func (d *Device) Compile(src string, opts ...string) (*Module, error) {
	sm := fmt.Sprintf("%d%d", d.major, d.minor)
	image, target, log, err := d.rtc.build(src, append([]string{"--gpu-architecture=sm_" + sm}, opts...), true)
	if err != nil {
		image, target, log, err = d.rtc.build(src, append([]string{"--gpu-architecture=compute_" + sm}, opts...), false)
	}
	if err != nil {
		return nil, err
	}
	var h uintptr
	if r := d.drv.moduleLoadData(&h, &image[0]); r != 0 {
		return nil, fmt.Errorf("load %s: %w", target, d.err("cuModuleLoadData", r))
	}
	return &Module{d: d, h: h, Log: log, Target: target}, nil
}

// build compiles src; cubin chooses the output kind. The image is
// NUL-terminated (PTX must be).
func (n *nvrtc) build(src string, opts []string, cubin bool) (image []byte, target, log string, err error) {
	var prog uintptr
	if r := n.create(&prog, src, "tao.cu", 0, nil, nil); r != 0 {
		return nil, "", "", &Error{Call: "nvrtcCreateProgram", Code: r, Msg: n.errorString(r)}
	}
	defer n.destroy(&prog)
	// Options as C strings; the slices stay referenced until compile
	// returns.
	cs := make([][]byte, len(opts))
	ptrs := make([]uintptr, len(opts))
	for i, o := range opts {
		cs[i] = append([]byte(o), 0)
		ptrs[i] = ptrOf(cs[i])
	}
	r := n.compile(prog, int32(len(opts)), &ptrs[0])
	keep(cs)
	var size uint64
	if n.logSize(prog, &size) == 0 && size > 1 {
		b := make([]byte, size)
		n.getLog(prog, &b[0])
		log = strings.TrimSpace(cstr(b))
	}
	target = strings.TrimPrefix(opts[0], "--gpu-architecture=")
	if r != 0 {
		return nil, target, log, fmt.Errorf("compile for %s: %w\n%s", target, &Error{Call: "nvrtcCompileProgram", Code: r, Msg: n.errorString(r)}, log)
	}
	get, sizeOf := n.getPTX, n.ptxSize
	if cubin {
		get, sizeOf = n.getCubin, n.cubinSize
		target += " cubin"
	} else {
		target += " ptx"
	}
	if r := sizeOf(prog, &size); r != 0 || size == 0 {
		return nil, target, log, &Error{Call: "nvrtcGet" + target + "Size", Code: r, Msg: n.errorString(r)}
	}
	image = make([]byte, size+1)
	if r := get(prog, &image[0]); r != 0 {
		return nil, target, log, &Error{Call: "nvrtcGet" + target, Code: r, Msg: n.errorString(r)}
	}
	return image, target, log, nil
}
