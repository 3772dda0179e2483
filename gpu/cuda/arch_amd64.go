//go:build linux

package cuda

const (
	archDir = "x86_64-linux" // CUDA's targets/ directory
	debDir  = "x86_64-linux-gnu"
)
