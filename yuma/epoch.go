package yuma

import (
	"math"
	"slices"
)

// Epoch runs one Yuma Consensus epoch of one subnet (spec/yuma.md §3), Yuma2
// or Yuma3 by in.Hyper.Yuma3, bit-exact to the chain's integers.
//
// It is pure: no I/O, clock, randomness or floats, and it neither modifies
// in nor keeps references to it, so concurrent calls are safe. A malformed
// input (the structural limits of §9: lengths, uids, owner, hyper ranges,
// total stake) yields an *InputError and a zero Output.
func Epoch(in Input) (Output, error) {
	if err := in.validate(); err != nil {
		return Output{}, err
	}
	st := run(&in)
	out := st.output(&in)
	st.release()
	return out, nil
}

// state holds the intermediate results of one epoch, named as in §3.
type state struct {
	active, permit, newPermit []bool // §3.1, §3.3 P and P'
	s, a                      []int64
	w, wbar, wb               sparse // §3.5, §3.7, §3.9
	c, vt, r, pr, inc         []int64
	d                         []int64
	emaOut                    sparse // bonds to store (§3.11.7, §3.12.6)
	nse, nve, nce             []int64
	ws                        []int64 // scratch of §3.6 and §3.11.2
}

// release hands the epoch's scratch back to the pools (pool.go); st must
// not be used afterwards. Nothing it releases is part of an Output.
func (st *state) release() {
	releaseSparse(&st.w, &st.wbar, &st.wb, &st.emaOut)
	putBuf(&i64Pool, st.ws)
	st.ws = nil
}

// run computes §3.1–§3.13 for a validated input.
func run(in *Input) *state {
	n := in.N
	st := &state{}

	st.active = make([]bool, n) // §3.1
	for i := range n {
		end := at(in.LastUpdate, i) + in.ActivityCutoff
		if end < in.ActivityCutoff {
			end = math.MaxUint64
		}
		st.active[i] = !(end < in.CurrentBlock)
	}

	st.s = stakeWeights(in)                     // §3.2
	st.permit, st.newPermit = permits(in, st.s) // §3.3

	st.a = make([]int64, n) // §3.4
	for i := range n {
		if st.active[i] && st.permit[i] {
			st.a[i] = st.s[i]
		}
	}
	normalize(st.a)

	st.w = weights(in, st.permit) // §3.5
	// Scratch for consensus keys, then for Yuma2's ΔB values.
	ws := getBuf[int64](&i64Pool, len(st.w.col))[:len(st.w.col)]
	st.ws = ws
	st.c = consensus(&st.w, st.a, in.Hyper.Kappa, ws) // §3.6
	// §3.7, §3.8
	st.wbar, st.vt, st.r, st.pr = clipRanks(&st.w, st.c, st.a, n)
	st.inc = slices.Clone(st.r)
	normalize(st.inc)

	st.wb = bondWeights(&st.w, &st.wbar, st.c, in.Hyper.BondsPenalty) // §3.9
	if in.Hyper.Yuma3 {
		st.d, st.emaOut = yuma3Bonds(in, &st.wb, st.a, st.c, st.inc) // §3.12
	} else {
		st.d, st.emaOut = yuma2Bonds(in, &st.wb, st.a, st.inc, ws) // §3.11
	}

	st.nse, st.nve, st.nce = emissionSplit(st.s, st.a, st.inc, st.d) // §3.13
	return st
}

// output assembles the §3.14 outputs.
func (st *state) output(in *Input) Output {
	n := in.N
	trust := make([]int64, n)
	for j := range n {
		trust[j] = div(st.r[j], st.pr[j])
	}
	out := Output{
		Active:             st.active,
		NewValidatorPermit: st.newPermit,
		StakeWeight:        props(st.s),
		Consensus:          props(st.c),
		ValidatorTrust:     props(st.vt),
		Incentive:          props(st.inc),
		Dividends:          props(st.d),
		Ranks:              props(st.inc),
		Trust:              props(trust),
		PruningScore:       pruningScores(st.nce),
		Emission:           raos(st.nce, in.RaoEmission),
		ServerEmission:     raos(st.nse, in.RaoEmission),
		ValidatorEmission:  raos(st.nve, in.RaoEmission),
		Bonds:              make([][]Entry, n),
		Q32: Q32Vectors{
			Stake:                       st.s,
			ActiveStake:                 st.a,
			Consensus:                   st.c,
			ValidatorTrust:              st.vt,
			Incentive:                   st.inc,
			Dividends:                   st.d,
			NormalizedServerEmission:    st.nse,
			NormalizedValidatorEmission: st.nve,
			NormalizedCombinedEmission:  st.nce,
		},
	}
	// One backing array for all bond rows of permitted uids.
	total := 0
	for i := range n {
		if st.newPermit[i] {
			total += st.emaOut.ptr[i+1] - st.emaOut.ptr[i]
		}
	}
	buf := make([]Entry, 0, total)
	for i := range n {
		if !st.newPermit[i] {
			out.Bonds[i] = []Entry{}
			continue
		}
		cols, vals := st.emaOut.row(i)
		start := len(buf)
		for k, j := range cols {
			buf = append(buf, Entry{UID: uint16(j), Value: prop(vals[k])})
		}
		out.Bonds[i] = buf[start:len(buf):len(buf)]
	}
	return out
}
