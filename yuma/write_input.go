package yuma

import (
	"io"
	"strconv"
)

// WriteInput writes in as a §9 input object followed by a newline, with every
// field explicit (as the test vectors give them): nil optional slices are
// written as their defaults. ReadInput of the result returns in's canonical
// form; it is the inverse of ReadInput for canonical inputs.
func WriteInput(w io.Writer, in Input) error {
	n := in.N
	e := newEncoder(w)
	e.key(`{"n"`)
	e.uint(uint64(n))
	e.key(`,"current_block"`)
	e.uint(in.CurrentBlock)
	e.key(`,"tempo"`)
	e.uint(uint64(in.Tempo))
	e.key(`,"activity_cutoff"`)
	e.uint(in.ActivityCutoff)
	e.key(`,"last_mechanism_step_block"`)
	e.uint(in.LastMechanismStepBlock)
	if in.AlphaStake != nil {
		e.u64s(`,"alpha_stake"`, in.AlphaStake)
		e.u64s(`,"tao_stake"`, orZeros(in.TaoStake, n))
		e.key(`,"tao_weight_u64"`)
		e.uint(in.TaoWeight)
	} else {
		e.u64s(`,"stake"`, orZeros(in.Stake, n))
	}
	permit := in.ValidatorPermit
	if permit == nil {
		permit = make([]bool, n)
	}
	e.bools(`,"validator_permit"`, permit)
	e.u64s(`,"last_update"`, orZeros(in.LastUpdate, n))
	e.u64s(`,"block_at_registration"`, orZeros(in.BlockAtRegistration, n))
	e.rows(`,"weights"`, orEmpty(in.Weights, n))
	e.rows(`,"bonds"`, orEmpty(in.Bonds, n))
	e.key(`,"owner_uid"`)
	if in.HasOwner {
		e.uint(uint64(in.OwnerUID))
	} else {
		e.raw("null")
	}
	e.key(`,"commit_blocks"`)
	if in.CommitBlocks == nil {
		e.raw("null")
	} else {
		e.w.WriteByte('[')
		for i, c := range in.CommitBlocks {
			e.sep(i)
			if c.Valid {
				e.uint(c.Block)
			} else {
				e.raw("null")
			}
		}
		e.w.WriteByte(']')
	}
	h := &in.Hyper
	e.raw(`,"hyper":{"kappa":` + u(uint64(h.Kappa)) +
		`,"bonds_penalty":` + u(uint64(h.BondsPenalty)) +
		`,"bonds_moving_average":` + u(h.BondsMovingAverage) +
		`,"yuma3":` + strconv.FormatBool(h.Yuma3) +
		`,"liquid_alpha":` + strconv.FormatBool(h.LiquidAlpha) +
		`,"alpha_low":` + u(uint64(h.AlphaLow)) +
		`,"alpha_high":` + u(uint64(h.AlphaHigh)) +
		`,"alpha_sigmoid_steepness":` + strconv.Itoa(int(h.AlphaSigmoidSteepness)) +
		`,"max_allowed_validators":` + u(uint64(h.MaxAllowedValidators)) +
		`,"stake_threshold":` + u(h.StakeThreshold) +
		`,"activity_cutoff_factor_milli":` + u(uint64(h.ActivityCutoffFactorMilli)) +
		`,"commit_reveal":` + strconv.FormatBool(h.CommitReveal) + "}")
	e.key(`,"rao_emission"`)
	e.uint(in.RaoEmission)
	e.raw("}\n")
	return e.flush()
}

func u(v uint64) string { return strconv.FormatUint(v, 10) }

func orZeros(v []uint64, n int) []uint64 {
	if v == nil {
		return make([]uint64, n)
	}
	return v
}

func orEmpty(r [][]Entry, n int) [][]Entry {
	if r == nil {
		return emptyRows(n)
	}
	return r
}
