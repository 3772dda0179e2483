// Package gputest holds test helpers for code that needs an NVIDIA GPU.
package gputest

import (
	"testing"

	"github.com/taonet/tao/gpu"
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
