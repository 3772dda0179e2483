// Package gpu finds NVIDIA GPUs and reports their live capacity through
// NVML (go-nvml, which loads libnvidia-ml at run time), so the same binary
// runs on machines without a GPU or driver.
//
// First calls:
//
//	info, err := gpu.Probe()
//	if errors.Is(err, gpu.ErrNoGPU) { ... }   // CPU path; err says why
//	for _, d := range info.Devices { fmt.Println(d.Name, d.MemoryFree()) }
//
// The CUDA backend of the builtin inference engine is in gpu/cuda: the
// driver API, cuBLAS and NVRTC, loaded with dlopen (purego, no cgo).
package gpu
