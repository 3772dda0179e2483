package node

import "github.com/taonet/tao/gpu"

// gpuStats reads the first GPU's memory and utilisation for a miner's
// heartbeats; ok is false on a machine without a usable NVIDIA GPU.
func gpuStats() (totalMiB, freeMiB uint32, utilPct uint8, ok bool) {
	info, err := gpu.Probe()
	if err != nil || len(info.Devices) == 0 {
		return 0, 0, 0, false
	}
	d := info.Devices[0]
	return uint32(d.MemoryTotal >> 20), uint32(d.MemoryFree() >> 20), uint8(min(d.UtilGPU, 100)), true
}
