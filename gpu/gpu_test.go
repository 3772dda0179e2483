package gpu_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/taonet/tao/gpu"
	"github.com/taonet/tao/gpu/gputest"
)

// TestProbe runs everywhere: without a GPU it must fail cleanly with
// ErrNoGPU and a reason; with one, devices must make sense.
func TestProbe(t *testing.T) {
	info, err := gpu.Probe()
	if err != nil {
		if !errors.Is(err, gpu.ErrNoGPU) {
			t.Fatalf("Probe error %v does not wrap ErrNoGPU", err)
		}
		if !strings.Contains(err.Error(), "NVML: ") {
			t.Fatalf("Probe error %q does not say why", err)
		}
		return
	}
	for _, d := range info.Devices {
		if d.Name == "" || d.MemoryTotal == 0 || d.MemoryFree() > d.MemoryTotal {
			t.Errorf("device %+v", d)
		}
	}
}

func TestDevicesOnGPU(t *testing.T) {
	info := gputest.Require(t)
	if len(info.Devices) == 0 || info.Driver == "" || info.CUDA == "" {
		t.Fatalf("info %+v", info)
	}
	t.Logf("driver %s, CUDA %s, %d devices: %s", info.Driver, info.CUDA, len(info.Devices), info.Devices[0].Name)
}
