package node

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/gpu"
)

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

// gpuCollector exports every NVIDIA GPU's memory, utilisation,
// temperature and power from NVML when scraped (tao_gpu_*, labelled by
// index, name and UUID); it exports nothing where no GPU is usable.
type gpuCollector struct {
	probe func() (gpu.Info, error)
	descs map[string]*prometheus.Desc
}

func newGPUCollector(probe func() (gpu.Info, error)) *gpuCollector {
	labels := []string{"gpu", "name", "uuid"}
	d := func(name, help string) *prometheus.Desc { return prometheus.NewDesc(name, help, labels, nil) }
	return &gpuCollector{probe: probe, descs: map[string]*prometheus.Desc{
		"total":  d("tao_gpu_memory_total_bytes", "GPU memory, total (NVML)."),
		"free":   d("tao_gpu_memory_free_bytes", "GPU memory not in use (NVML)."),
		"util":   d("tao_gpu_utilization_ratio", "Fraction of NVML's last sample period in which a kernel ran."),
		"memutl": d("tao_gpu_memory_utilization_ratio", "Fraction of NVML's last sample period in which memory was read or written."),
		"temp":   d("tao_gpu_temperature_celsius", "GPU core temperature."),
		"power":  d("tao_gpu_power_watts", "GPU power draw."),
		"limit":  d("tao_gpu_power_limit_watts", "Enforced GPU power limit."),
	}}
}

func (c *gpuCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *gpuCollector) Collect(ch chan<- prometheus.Metric) {
	info, err := c.probe()
	if err != nil {
		return
	}
	for _, d := range info.Devices {
		l := []string{strconv.Itoa(d.Index), d.Name, d.UUID}
		g := func(key string, v float64) {
			ch <- prometheus.MustNewConstMetric(c.descs[key], prometheus.GaugeValue, v, l...)
		}
		g("total", float64(d.MemoryTotal))
		g("free", float64(d.MemoryFree()))
		g("util", float64(d.UtilGPU)/100)
		g("memutl", float64(d.UtilMemory)/100)
		g("temp", float64(d.TempC))
		g("power", float64(d.PowerMilliW)/1000)
		g("limit", float64(d.PowerLimitMilliW)/1000)
	}
}
