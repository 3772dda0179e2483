package yuma

import (
	"errors"
	"testing"
)

// TestEpochRejects: Epoch validates a directly built Input with the same
// field paths as ReadInput.
func TestEpochRejects(t *testing.T) {
	ok := func() Input {
		return Input{N: 2, Stake: []uint64{1, 2}, Hyper: DefaultHyper()}
	}
	tests := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"n", func(in *Input) { in.N = MaxN + 1 }, "n"},
		{"negative n", func(in *Input) { in.N = -1 }, "n"},
		{"stake length", func(in *Input) { in.Stake = []uint64{1} }, "stake"},
		{"both stakes", func(in *Input) { in.AlphaStake = []uint64{1, 2} }, "stake"},
		{"tao stake alone", func(in *Input) { in.TaoStake = []uint64{1, 2} }, "tao_stake"},
		{"tao weight alone", func(in *Input) { in.TaoWeight = 1 }, "tao_weight_u64"},
		{"alpha length", func(in *Input) { in.Stake, in.AlphaStake = nil, []uint64{1} }, "alpha_stake"},
		{"permit length", func(in *Input) { in.ValidatorPermit = []bool{true} }, "validator_permit"},
		{"commit length", func(in *Input) { in.CommitBlocks = []OptBlock{{}} }, "commit_blocks"},
		{"weights rows", func(in *Input) { in.Weights = [][]Entry{{}} }, "weights"},
		{"weights uid", func(in *Input) { in.Weights = [][]Entry{{}, {{UID: 2}}} }, "weights[1][0][0]"},
		{"bonds duplicate", func(in *Input) { in.Bonds = [][]Entry{{{UID: 1}, {UID: 1, Value: 3}}, {}} }, "bonds[0][1][0]"},
		{"owner", func(in *Input) { in.HasOwner, in.OwnerUID = true, 2 }, "owner_uid"},
		{"negative owner", func(in *Input) { in.HasOwner, in.OwnerUID = true, -1 }, "owner_uid"},
		{"alpha bounds", func(in *Input) { in.Hyper.AlphaLow = in.Hyper.AlphaHigh + 1 }, "hyper.alpha_low"},
		{"bma", func(in *Input) { in.Hyper.BondsMovingAverage = MaxBondsMovingAverage + 1 }, "hyper.bonds_moving_average"},
		{"total stake", func(in *Input) { in.Stake = []uint64{1 << 63, 0} }, "stake"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := ok()
			tt.edit(&in)
			_, err := Epoch(in)
			var ie *InputError
			if !errors.As(err, &ie) || ie.Field != tt.field {
				t.Errorf("Epoch error = %v, want field %q", err, tt.field)
			}
		})
	}
	if _, err := Epoch(ok()); err != nil {
		t.Errorf("valid input rejected: %v", err)
	}
}
