package node

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/gpu"
)

// TestGPUCollector feeds the collector a probe double (a unit test of the
// exporter; NVML itself is exercised by package gpu and tao gpu on a GPU
// machine).
func TestGPUCollector(t *testing.T) {
	fakeProbe := func() (gpu.Info, error) {
		return gpu.Info{Devices: []gpu.Device{{Index: 0, UUID: "GPU-1", Name: "NVIDIA H200", MemoryTotal: 100 << 30, MemoryUsed: 25 << 30,
			UtilGPU: 50, UtilMemory: 20, TempC: 41, PowerMilliW: 300_000, PowerLimitMilliW: 700_000}}}, nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(newGPUCollector(fakeProbe))
	got := gather(t, reg)
	for name, want := range map[string]float64{
		"tao_gpu_memory_total_bytes":  100 << 30,
		"tao_gpu_memory_free_bytes":   75 << 30,
		"tao_gpu_utilization_ratio":   0.5,
		"tao_gpu_temperature_celsius": 41,
		"tao_gpu_power_watts":         300,
		"tao_gpu_power_limit_watts":   700,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
	noGPU := prometheus.NewRegistry()
	noGPU.MustRegister(newGPUCollector(func() (gpu.Info, error) { return gpu.Info{}, errors.New("no NVIDIA GPU found") }))
	if got := gather(t, noGPU); len(got) != 0 {
		t.Fatalf("without a GPU: %v", got)
	}
}

// gather returns each gauge's value (of its one series) by name, checking
// the series' labels.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["gpu"] != "0" || labels["name"] != "NVIDIA H200" || labels["uuid"] != "GPU-1" {
				t.Fatalf("%s labels %v", mf.GetName(), labels)
			}
			out[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	return out
}
