package yuma

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
)

// diffOutputs names the first field where two outputs differ.
func diffOutputs(got, want Output) string {
	type field struct {
		name string
		g, w any
	}
	fields := []field{
		{"active", got.Active, want.Active}, {"new_validator_permit", got.NewValidatorPermit, want.NewValidatorPermit},
		{"stake_weight", got.StakeWeight, want.StakeWeight}, {"consensus", got.Consensus, want.Consensus},
		{"validator_trust", got.ValidatorTrust, want.ValidatorTrust}, {"incentive", got.Incentive, want.Incentive},
		{"dividends", got.Dividends, want.Dividends}, {"ranks", got.Ranks, want.Ranks}, {"trust", got.Trust, want.Trust},
		{"pruning_score", got.PruningScore, want.PruningScore}, {"emission", got.Emission, want.Emission},
		{"server_emission", got.ServerEmission, want.ServerEmission}, {"validator_emission", got.ValidatorEmission, want.ValidatorEmission},
		{"bonds", got.Bonds, want.Bonds},
		{"q32.stake", got.Q32.Stake, want.Q32.Stake}, {"q32.active_stake", got.Q32.ActiveStake, want.Q32.ActiveStake},
		{"q32.consensus", got.Q32.Consensus, want.Q32.Consensus}, {"q32.validator_trust", got.Q32.ValidatorTrust, want.Q32.ValidatorTrust},
		{"q32.incentive", got.Q32.Incentive, want.Q32.Incentive}, {"q32.dividends", got.Q32.Dividends, want.Q32.Dividends},
		{"q32.nse", got.Q32.NormalizedServerEmission, want.Q32.NormalizedServerEmission},
		{"q32.nve", got.Q32.NormalizedValidatorEmission, want.Q32.NormalizedValidatorEmission},
		{"q32.nce", got.Q32.NormalizedCombinedEmission, want.Q32.NormalizedCombinedEmission},
	}
	for _, f := range fields {
		if g, w := fmt.Sprint(f.g), fmt.Sprint(f.w); g != w {
			return fmt.Sprintf("%s: got %s, want %s", f.name, g, w)
		}
	}
	return ""
}

// TestEpochMatchesReference compares Epoch with refEpoch on random inputs of
// every shape genInput draws (both variants, liquid alpha, unsorted rows,
// owners, commit-reveal, thresholds, the TAO-weighted stake form).
func TestEpochMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(2026, 314))
	for it := range 1500 {
		o := genOpts{maxN: 14, sortedRows: it%4 == 0, distinct: it%7 == 0}
		if it%3 == 0 {
			o.forceYuma3, o.forceLiquid = 2, 2
		}
		in := genInput(r, o)
		got, err := Epoch(in)
		if err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		if msg := diffOutputs(got, refEpoch(in)); msg != "" {
			t.Fatalf("case %d (n=%d, yuma3=%v, liquid=%v): %s", it, in.N, in.Hyper.Yuma3, in.Hyper.LiquidAlpha, msg)
		}
	}
}

// TestReferenceVectors checks the reference itself against the public
// vectors (§10), so that agreeing with it means agreeing with the chain.
func TestReferenceVectors(t *testing.T) {
	f := loadVectors(t)
	for _, c := range f.Cases {
		t.Run(c.Name, func(t *testing.T) {
			for k, ep := range c.Epochs {
				in, err := ReadInput(bytes.NewReader(ep.Input))
				if err != nil {
					t.Fatalf("epoch %d: %v", k, err)
				}
				for _, msg := range compareOutput(encodeDecode(t, refEpoch(in)), ep.Expected, c.Tolerance) {
					t.Errorf("epoch %d: %s", k, msg)
				}
			}
		})
	}
}

// edgeInput pushes a random input toward the extremes genInput rarely
// draws: huge stakes (the wide ratio of §3.2), stake ties around K,
// saturating activity sums, κ and α at their ends, equal liquid-alpha
// bounds, large or negative steepness, tempo above the block, a maximal
// LMS, single-entry and all-max weight rows.
func edgeInput(r *rand.Rand, o genOpts) Input {
	in := genInput(r, o)
	n := in.N
	h := &in.Hyper
	switch r.IntN(3) {
	case 0:
		h.Kappa = []uint16{0, 1, 65535, 65534, 32768}[r.IntN(5)]
	case 1:
		h.BondsMovingAverage = []uint64{0, 1, 999_999, 1_000_000}[r.IntN(4)]
	}
	if r.IntN(4) == 0 {
		h.AlphaHigh = h.AlphaLow
	}
	if r.IntN(4) == 0 {
		h.AlphaSigmoidSteepness = []int16{-32768, 32767, 0, -1000, 1}[r.IntN(5)]
	}
	if r.IntN(3) == 0 {
		h.MaxAllowedValidators = uint16(r.IntN(n + 2))
	}
	if r.IntN(6) == 0 {
		in.Tempo = 65535
		in.CurrentBlock = uint64(r.IntN(65535))
		in.LastMechanismStepBlock = 0
	}
	if r.IntN(8) == 0 {
		in.LastMechanismStepBlock = ^uint64(0)
	}
	if r.IntN(6) == 0 {
		in.ActivityCutoff = ^uint64(0) - uint64(r.IntN(3))
	}
	stake := in.Stake
	if stake == nil {
		stake = in.AlphaStake
	}
	switch r.IntN(4) {
	case 0: // huge, near the §9 limit
		for i := range stake {
			stake[i] = ^uint64(0) - r.Uint64N(1<<r.IntN(64))
		}
		if in.TaoStake != nil {
			clear(in.TaoStake)
		}
	case 1: // ties
		for i := range stake {
			stake[i] = uint64(r.IntN(3)) << 30
		}
	case 2: // small: every low bit of tao_stake·w_τ counts
		for i := range stake {
			stake[i] = r.Uint64N(3)
			if in.TaoStake != nil {
				in.TaoStake[i] = r.Uint64N(1 << r.IntN(40))
			}
		}
		h.StakeThreshold = pick(r, h.StakeThreshold, r.Uint64N(3))
	}
	for i := range n {
		switch r.IntN(6) {
		case 0:
			for k := range in.Weights[i] {
				in.Weights[i][k].Value = 65535
			}
		case 1:
			if len(in.Weights[i]) > 1 {
				in.Weights[i] = in.Weights[i][:1]
			}
		}
		if r.IntN(6) == 0 {
			for k := range in.Bonds[i] {
				in.Bonds[i][k].Value = []uint16{0, 1, 65535}[r.IntN(3)]
			}
		}
	}
	if r.IntN(5) == 0 {
		in.RaoEmission = ^uint64(0)
	}
	// Ties with registration blocks: LU[i] = RB[j] (§3.5 step 3),
	// c[i] = RB[j] (step 4) and last_tempo = RB[j] (§3.10) sit on the
	// boundaries of the masks.
	if n > 0 && r.IntN(2) == 0 {
		rb := func() uint64 { return in.BlockAtRegistration[r.IntN(n)] }
		for i := range n {
			if r.IntN(2) == 0 {
				in.LastUpdate[i] = rb()
			}
			if in.CommitBlocks != nil && r.IntN(2) == 0 {
				in.CommitBlocks[i] = OptBlock{Block: rb(), Valid: true}
			}
		}
		if r.IntN(2) == 0 {
			in.LastMechanismStepBlock = max(rb(), 1) - 1
		}
	}
	return in
}

func TestEpochMatchesReferenceEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 2718))
	for it := range 1500 {
		o := genOpts{maxN: 12, sortedRows: it%4 == 0}
		if it%2 == 0 {
			o.forceYuma3, o.forceLiquid = 2, 2
		}
		in := edgeInput(r, o)
		got, err := Epoch(in)
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) && ie.Reason == "total raw stake must be below 2^63" {
				continue
			}
			t.Fatalf("case %d: %v", it, err)
		}
		if msg := diffOutputs(got, refEpoch(in)); msg != "" {
			t.Fatalf("case %d (n=%d, yuma3=%v, liquid=%v): %s", it, in.N, in.Hyper.Yuma3, in.Hyper.LiquidAlpha, msg)
		}
	}
}
