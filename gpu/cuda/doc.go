// Package cuda drives an NVIDIA GPU through the CUDA driver API, cuBLAS and
// NVRTC, loaded at run time with dlopen (github.com/ebitengine/purego), so a
// binary built with CGO_ENABLED=0 runs everywhere and uses the GPU where the
// libraries are present. It is the device layer of the builtin engine's CUDA
// backend (inference/llama): memory, kernels compiled from CUDA C source at
// run time, and cuBLAS GEMM with FP32 accumulation.
//
// First calls:
//
//	d, err := cuda.Open(0)             // errors.Is(err, cuda.ErrUnavailable) without a GPU
//	defer d.Close()
//	err = d.Run(func() error {         // the calls below need d's context current
//		buf, err := d.Alloc(1 << 20)
//		mod, err := d.Compile(src)
//		...
//	})
//
// A CUDA context is current per OS thread, while goroutines move between
// threads; so every call that touches the device must happen inside
// Device.Run, which locks the goroutine to its thread and makes the context
// current. A Device is safe for concurrent use only through Run, which
// serialises callers.
package cuda
