//go:build !linux || !cgo

package gpu

// Probe reports that this build cannot reach NVML: it needs Linux and cgo.
func Probe() (Info, error) {
	return Info{}, noGPU("this tao binary was built without cgo or not for Linux; rebuild with CGO_ENABLED=1 on Linux")
}
