package llama

import "unsafe"

//go:noescape
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

//go:noescape
func xgetbv() (eax, edx uint32)

//go:noescape
func dotF32AVX2(a, b *float32, n int) float32

//go:noescape
func dotQ8AVX2(w *byte, xq *int8, xd *float32, nb int) float32

//go:noescape
func dotQ4AVX2(w *byte, xq *int8, xd *float32, nb int) float32

// hasAVX2 reports AVX2, FMA and F16C with OS support for YMM state;
// immutable after initialisation.
var hasAVX2 = func() bool {
	_, _, c1, _ := cpuid(1, 0)
	const fma, osxsave, f16c = 1 << 12, 1 << 27, 1 << 29
	if c1&fma == 0 || c1&osxsave == 0 || c1&f16c == 0 {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, b7, _, _ := cpuid(7, 0)
	return b7&(1<<5) != 0
}()

func dotF32(a, b []float32) float32 {
	n := len(a) &^ 31
	if !hasAVX2 || n == 0 {
		return dotF32Go(a, b)
	}
	b = b[:len(a)]
	s := dotF32AVX2(&a[0], &b[0], n)
	if n < len(a) {
		s += dotF32Go(a[n:], b[n:])
	}
	return s
}

func dotQ8(w []byte, a *q8Act) float32 {
	nb := len(a.d)
	if !hasAVX2 || nb == 0 {
		return dotQ8Go(w, a)
	}
	_ = w[nb*34-1]
	_ = a.qs[nb*32-1]
	return dotQ8AVX2(&w[0], (*int8)(unsafe.Pointer(&a.qs[0])), &a.d[0], nb)
}

func dotQ4(w []byte, a *q8Act) float32 {
	nb := len(a.d)
	if !hasAVX2 || nb == 0 {
		return dotQ4Go(w, a)
	}
	_ = w[nb*18-1]
	_ = a.qs[nb*32-1]
	return dotQ4AVX2(&w[0], (*int8)(unsafe.Pointer(&a.qs[0])), &a.d[0], nb)
}
