package market

import "math/bits"

// BlockEmission returns e(Q) of dtao.md §3: the TAO minted per block at total issuance q, or the
// alpha minted per block for a subnet whose alpha issuance (SubnetAlphaIn + SubnetAlphaOut) is q.
//
//	ratio = floor(Q·2^32 / C)           (U96F32 bits of Q/C)
//	inv   = floor(2^64 / (2^32 − ratio)) (U96F32 bits of 1/(1 − Q/C))
//	k     = bit length of inv − 33       (floor(log2(inv/2^32)))
//	e     = floor(base / 2^k) if k ≤ 32, else 0; and 0 when Q ≥ C.
//
// The emission halves at the issuances C·(1 − 2^-k). No block can carry the issuance past C:
// e(Q) ≤ C − Q for every Q (TestEmissionNeverCrossesCap).
func (p Params) BlockEmission(q Rao) Rao {
	c := p.SupplyCap
	if q >= c {
		return 0
	}
	// q < c, so q·2^32/c < 2^32 and one Div64 suffices.
	ratio, _ := bits.Div64(uint64(q)>>32, uint64(q)<<32, uint64(c))
	d := (uint64(1) << 32) - ratio // in [1, 2^32]
	var invLen int
	if d == 1 {
		invLen = 65 // inv = 2^64
	} else {
		inv, _ := bits.Div64(1, 0, d)
		invLen = bits.Len64(inv)
	}
	k := invLen - 33
	if k > 32 {
		return 0
	}
	return p.BaseEmission >> uint(k)
}
