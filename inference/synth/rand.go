package synth

import (
	"hash/fnv"
	"math/rand/v2"
)

// normalish fills x with deterministic, roughly normal values of standard
// deviation std: the Irwin–Hall sum of four 32-bit uniforms (two PCG
// outputs) from a PCG stream keyed by (seed, name). Only PCG's specified output and exact float
// arithmetic are used, so the values are identical on every platform and
// Go release.
func normalish(x []float32, seed uint64, name string, std float64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	src := rand.NewPCG(seed, h.Sum64())
	// Sum of 4 U(0,1) has variance 4/12.
	const inv = 1.0 / (1 << 32)
	scale := std * 1.7320508075688772 // sqrt(3) = 1/sqrt(4/12)
	for i := range x {
		a, b := src.Uint64(), src.Uint64()
		s := float64(a>>32) + float64(a&0xffffffff) + float64(b>>32) + float64(b&0xffffffff)
		x[i] = float32((s*inv - 2) * scale)
	}
}
