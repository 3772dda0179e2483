//go:build linux && cgo

package gpu

import (
	"fmt"
	"sync"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
)

// nvmlMu serialises Init/Shutdown pairs: NVML is reference counted per
// process, and go-nvml's loader is not safe for concurrent first use.
var nvmlMu sync.Mutex

// Probe initialises NVML, reads every device and shuts NVML down again.
// Without a driver it returns an error wrapping ErrNoGPU, never panics.
func Probe() (Info, error) {
	nvmlMu.Lock()
	defer nvmlMu.Unlock()
	if ret := safeInit(); ret != nvml.SUCCESS {
		return Info{}, noGPU(explain(ret))
	}
	defer nvml.Shutdown()
	var info Info
	if v, ret := nvml.SystemGetDriverVersion(); ret == nvml.SUCCESS {
		info.Driver = v
	}
	if v, ret := nvml.SystemGetCudaDriverVersion(); ret == nvml.SUCCESS {
		info.CUDA = cudaVersion(v)
	}
	n, ret := nvml.DeviceGetCount()
	if ret != nvml.SUCCESS {
		return info, noGPU(nvml.ErrorString(ret))
	}
	if n == 0 {
		return info, noGPU("driver loaded, but it reports 0 devices")
	}
	for i := range n {
		d, ret := nvml.DeviceGetHandleByIndex(i)
		if ret != nvml.SUCCESS {
			return info, fmt.Errorf("gpu %d: %s", i, nvml.ErrorString(ret))
		}
		info.Devices = append(info.Devices, readDevice(i, d))
	}
	return info, nil
}

// safeInit turns a missing libnvidia-ml (go-nvml panics in some versions
// when the library cannot be loaded) into an error.
func safeInit() (ret nvml.Return) {
	defer func() {
		if r := recover(); r != nil {
			ret = nvml.ERROR_LIBRARY_NOT_FOUND
		}
	}()
	return nvml.Init()
}

func readDevice(i int, d nvml.Device) Device {
	dev := Device{Index: i}
	// Each field is best effort: consumer cards lack some counters.
	if v, ret := d.GetUUID(); ret == nvml.SUCCESS {
		dev.UUID = v
	}
	if v, ret := d.GetName(); ret == nvml.SUCCESS {
		dev.Name = v
	}
	if m, ret := d.GetMemoryInfo(); ret == nvml.SUCCESS {
		dev.MemoryTotal, dev.MemoryUsed = m.Total, m.Used
	}
	if u, ret := d.GetUtilizationRates(); ret == nvml.SUCCESS {
		dev.UtilGPU, dev.UtilMemory = u.Gpu, u.Memory
	}
	if t, ret := d.GetTemperature(nvml.TEMPERATURE_GPU); ret == nvml.SUCCESS {
		dev.TempC = t
	}
	if p, ret := d.GetPowerUsage(); ret == nvml.SUCCESS {
		dev.PowerMilliW = p
	}
	if p, ret := d.GetEnforcedPowerLimit(); ret == nvml.SUCCESS {
		dev.PowerLimitMilliW = p
	}
	return dev
}

// explain says what an NVML failure at start means for the user.
func explain(ret nvml.Return) string {
	switch ret {
	case nvml.ERROR_LIBRARY_NOT_FOUND:
		return "libnvidia-ml.so.1 not found: no NVIDIA driver is installed"
	case nvml.ERROR_DRIVER_NOT_LOADED:
		return "the NVIDIA kernel driver is not loaded"
	case nvml.ERROR_NO_PERMISSION:
		return "no permission to open the GPU devices"
	}
	return nvml.ErrorString(ret)
}
