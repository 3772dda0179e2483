package yuma

import (
	"fmt"
	"strconv"
)

// InputError reports a malformed epoch input (spec/yuma.md §9). Field is the
// path of the offending value: a top-level name ("stake"), a hyper field
// ("hyper.kappa"), an indexed path ("weights[3][1][0]"), or "(input)" when
// the document is not one JSON object. Its message is exactly
// "invalid input: <field>: <reason>", the line the CLI prints.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "invalid input: " + e.Field + ": " + e.Reason }

func inputErr(field, format string, args ...any) *InputError {
	return &InputError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func idx(field string, i ...int) string {
	for _, k := range i {
		field += "[" + strconv.Itoa(k) + "]"
	}
	return field
}

// stakeLimit is 2^95: Σ R_i/2^32 must stay below it, i.e. the total raw
// stake Σ R_i/2^64 below 2^63 (§9).
var stakeLimit = u128{1 << 31, 0}

// validate checks the structural limits of §9 that Epoch relies on. JSON-level
// rules (types, unknown fields, presence) are ReadInput's.
func (in *Input) validate() error {
	n := in.N
	if n < 0 || n > MaxN {
		return inputErr("n", "must be in 0..%d", MaxN)
	}
	stakeField := "stake"
	if in.AlphaStake != nil {
		stakeField = "alpha_stake"
		if in.Stake != nil {
			return inputErr("stake", "exactly one of stake and alpha_stake must be given")
		}
		if len(in.AlphaStake) != n {
			return lenErr("alpha_stake", len(in.AlphaStake), n)
		}
		if in.TaoStake != nil && len(in.TaoStake) != n {
			return lenErr("tao_stake", len(in.TaoStake), n)
		}
	} else {
		if len(in.Stake) != n {
			return lenErr("stake", len(in.Stake), n)
		}
		if in.TaoStake != nil {
			return inputErr("tao_stake", "only allowed with alpha_stake")
		}
		if in.TaoWeight != 0 {
			return inputErr("tao_weight_u64", "only allowed with alpha_stake")
		}
	}
	if err := optLen("validator_permit", len(in.ValidatorPermit), in.ValidatorPermit == nil, n); err != nil {
		return err
	}
	if err := optLen("last_update", len(in.LastUpdate), in.LastUpdate == nil, n); err != nil {
		return err
	}
	if err := optLen("block_at_registration", len(in.BlockAtRegistration), in.BlockAtRegistration == nil, n); err != nil {
		return err
	}
	if err := optLen("commit_blocks", len(in.CommitBlocks), in.CommitBlocks == nil, n); err != nil {
		return err
	}
	if err := validateRows("weights", in.Weights, n); err != nil {
		return err
	}
	if err := validateRows("bonds", in.Bonds, n); err != nil {
		return err
	}
	if in.HasOwner && (in.OwnerUID < 0 || in.OwnerUID >= n) {
		return inputErr("owner_uid", "must be below n (%d)", n)
	}
	h := &in.Hyper
	if h.AlphaLow > h.AlphaHigh {
		return inputErr("hyper.alpha_low", "must not exceed alpha_high (%d > %d)", h.AlphaLow, h.AlphaHigh)
	}
	if h.BondsMovingAverage > MaxBondsMovingAverage {
		return inputErr("hyper.bonds_moving_average", "must be at most %d", MaxBondsMovingAverage)
	}
	if _, total := rawStakes(in); !total.less(stakeLimit) {
		return inputErr(stakeField, "total raw stake must be below 2^63")
	}
	return nil
}

func lenErr(field string, got, n int) error {
	return inputErr(field, "length %d, want n = %d", got, n)
}

func optLen(field string, got int, isNil bool, n int) error {
	if isNil || got == n {
		return nil
	}
	return lenErr(field, got, n)
}

// validateRows checks a weight or bond matrix: n rows (or nil), uids below n,
// no uid twice in a row.
func validateRows(field string, rows [][]Entry, n int) error {
	if rows == nil {
		return nil
	}
	if len(rows) != n {
		return lenErr(field, len(rows), n)
	}
	seen := make([]int32, n) // seen[j] = row+1 when uid j appeared in that row
	for i, row := range rows {
		for k, e := range row {
			j := int(e.UID)
			if j >= n {
				return inputErr(idx(field, i, k, 0), "uid %d must be below n (%d)", j, n)
			}
			if seen[j] == int32(i+1) {
				return inputErr(idx(field, i, k, 0), "uid %d appears twice in the row", j)
			}
			seen[j] = int32(i + 1)
		}
	}
	return nil
}
