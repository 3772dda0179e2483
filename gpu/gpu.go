package gpu

import (
	"errors"
	"fmt"
)

// ErrNoGPU reports that no NVIDIA GPU can be used: no driver, no NVML, no
// device, or a build without cgo. Errors wrapping it say which.
var ErrNoGPU = errors.New("no NVIDIA GPU found")

// Device is one GPU's identity and live state.
type Device struct {
	Index       int    `json:"index"`
	UUID        string `json:"uuid"`
	Name        string `json:"name"`
	MemoryTotal uint64 `json:"memory_total_bytes"`
	MemoryUsed  uint64 `json:"memory_used_bytes"`
	// UtilGPU and UtilMemory are percentages over NVML's last sample
	// period.
	UtilGPU    uint32 `json:"util_gpu_pct"`
	UtilMemory uint32 `json:"util_memory_pct"`
	TempC      uint32 `json:"temperature_c"`
	// PowerMilliW is the current draw; PowerLimitMilliW the enforced cap.
	PowerMilliW      uint32 `json:"power_mw"`
	PowerLimitMilliW uint32 `json:"power_limit_mw"`
}

// MemoryFree is MemoryTotal less MemoryUsed.
func (d Device) MemoryFree() uint64 {
	if d.MemoryUsed > d.MemoryTotal {
		return 0
	}
	return d.MemoryTotal - d.MemoryUsed
}

// Info is what Probe finds.
type Info struct {
	Driver  string   `json:"driver_version"`
	CUDA    string   `json:"cuda_version"` // the driver's CUDA version, e.g. "13.0"
	Devices []Device `json:"devices"`
}

func noGPU(reason string) error {
	return fmt.Errorf("%w (NVML: %s); tao runs models on the CPU", ErrNoGPU, reason)
}

// cudaVersion formats NVML's integer CUDA version (13000 → "13.0").
func cudaVersion(v int) string {
	return fmt.Sprintf("%d.%d", v/1000, v%1000/10)
}
