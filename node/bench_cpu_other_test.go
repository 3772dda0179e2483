//go:build !unix

package node_test

import "time"

// processCPU is not measured here: the CPU metrics of BenchmarkChain read 0.
func processCPU() time.Duration { return 0 }
