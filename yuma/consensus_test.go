package yuma

import "testing"

// TestConsensusMuUsesRenormalizedSum: §3.6 takes μ = Σ' − κ with Σ' the sum
// of the renormalized stakes, a few ulps below ONE (§1: never "fix" this),
// not ONE − κ. Six equal stakes give s'_k = 715827882 and Σ' = ONE − 4;
// with κ = 43690 (2/3), μ = 1431655762 and the two lowest weights already
// hold F = 1431655764 > μ, so the median is the second lowest. With
// μ = ONE − κ = 1431655766 it would be the third.
func TestConsensusMuUsesRenormalizedSum(t *testing.T) {
	const n, b = 8, 1000
	in := Input{
		N: n, CurrentBlock: b, Tempo: 360, ActivityCutoff: 5000,
		Stake:           []uint64{1e9, 1e9, 1e9, 1e9, 1e9, 1e9, 0, 0},
		ValidatorPermit: []bool{true, true, true, true, true, true, false, false},
		LastUpdate:      []uint64{b, b, b, b, b, b, 0, 0},
		Weights:         make([][]Entry, n),
		Hyper:           DefaultHyper(),
	}
	in.Hyper.Kappa = 43690
	for i := range n {
		in.Weights[i] = []Entry{}
		if i < 6 {
			v := uint16(10000 * (i + 1))
			in.Weights[i] = []Entry{{6, v}, {7, 65535 - v}}
		}
	}
	out, err := Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	// Rows sum to 65535, so W_i6 = frac(v) = floor(v·2^32/65535).
	if got, want := out.Q32.Consensus[6], frac(20000); got != want {
		t.Errorf("C_6 = %d, want the second lowest weight %d (third: %d)", got, want, frac(30000))
	}
	if got, want := out.Q32.Consensus[7], frac(65535-50000); got != want {
		t.Errorf("C_7 = %d, want the second lowest weight %d", got, want)
	}
}
