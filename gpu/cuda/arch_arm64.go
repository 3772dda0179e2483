//go:build linux

package cuda

const (
	archDir = "sbsa-linux" // CUDA's targets/ directory
	debDir  = "aarch64-linux-gnu"
)
