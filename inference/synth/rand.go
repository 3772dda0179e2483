package synth

import (
	"hash/fnv"
	"math/rand/v2"
)

// normalish fills x with deterministic, roughly normal values of standard
// deviation std: the Irwin–Hall sum of four uniforms from a PCG stream
// keyed by (seed, name). Only PCG's specified output and exact float
// arithmetic are used, so the values are identical on every platform and
// Go release.
func normalish(x []float32, seed uint64, name string, std float64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	src := rand.NewPCG(seed, h.Sum64())
	// Sum of 4 U(0,1) has variance 4/12.
	const inv = 1.0 / (1 << 53)
	scale := std * 1.7320508075688772 // sqrt(3) = 1/sqrt(4/12)
	for i := range x {
		var s float64
		for range 4 {
			s += float64(src.Uint64()>>11) * inv
		}
		x[i] = float32((s - 2) * scale)
	}
}
