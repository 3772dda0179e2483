// Package gputest holds test helpers for code that needs an NVIDIA GPU.
package gputest

import (
	"testing"

	"github.com/taonet/tao/gpu"
	"github.com/taonet/tao/gpu/cuda"
)

// Require skips t, with NVML's reason, unless a GPU is usable.
func Require(t testing.TB) gpu.Info {
	t.Helper()
	info, err := gpu.Probe()
	if err != nil {
		t.Skipf("needs an NVIDIA GPU: %v", err)
	}
	return info
}

// RequireCUDA opens CUDA device 0 through the run-time loader (no cgo, no
// NVML needed) and closes it at the end of the test; without a GPU or the
// CUDA libraries it skips t with the loader's reason.
func RequireCUDA(t testing.TB) *cuda.Device {
	t.Helper()
	d, err := cuda.Open(0)
	if err != nil {
		t.Skipf("needs an NVIDIA GPU with CUDA: %v", err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close device: %v", err)
		}
	})
	return d
}
