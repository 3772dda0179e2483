package yuma

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// checkInvariants verifies properties every epoch output must have.
func checkInvariants(in *Input, out Output) error {
	n := in.N
	lens := []int{len(out.Active), len(out.NewValidatorPermit), len(out.StakeWeight), len(out.Consensus),
		len(out.ValidatorTrust), len(out.Incentive), len(out.Dividends), len(out.Ranks), len(out.Trust),
		len(out.PruningScore), len(out.Emission), len(out.ServerEmission), len(out.ValidatorEmission),
		len(out.Bonds), len(out.Q32.Stake), len(out.Q32.ActiveStake), len(out.Q32.Consensus),
		len(out.Q32.ValidatorTrust), len(out.Q32.Incentive), len(out.Q32.Dividends),
		len(out.Q32.NormalizedServerEmission), len(out.Q32.NormalizedValidatorEmission),
		len(out.Q32.NormalizedCombinedEmission)}
	for k, l := range lens {
		if l != n {
			return fmt.Errorf("output vector %d has length %d, want %d", k, l, n)
		}
	}
	// Emissions never exceed E (§3.13: each normalized vector sums to ≤ ONE).
	var em, se, ve uint64
	for i := range n {
		em += out.Emission[i]
		se += out.ServerEmission[i]
		ve += out.ValidatorEmission[i]
	}
	if em > in.RaoEmission || se+ve > in.RaoEmission || se+ve < se {
		return fmt.Errorf("emission %d, server %d + validator %d exceed E = %d", em, se, ve, in.RaoEmission)
	}
	q := &out.Q32
	for name, v := range map[string][]int64{"S": q.Stake, "a": q.ActiveStake, "I": q.Incentive, "D": q.Dividends,
		"nce": q.NormalizedCombinedEmission, "nse+nve": append(slices.Clone(q.NormalizedServerEmission), q.NormalizedValidatorEmission...)} {
		s := int64(0)
		for _, x := range v {
			if x < 0 {
				return fmt.Errorf("%s has a negative entry", name)
			}
			s += x
		}
		if s > one {
			return fmt.Errorf("Σ %s = %d > ONE", name, s)
		}
	}
	// Incentive sums to ~1 when any miner earned rank: normalize loses less
	// than one ulp per entry.
	var rs, is int64
	for j := range n {
		is += q.Incentive[j]
	}
	st := run(in)
	for _, x := range st.r {
		rs += x
	}
	if rs > 0 && is < one-int64(n) {
		return fmt.Errorf("Σ I = %d with ranks present, want ≥ ONE−n", is)
	}
	if rs == 0 && is != 0 {
		return fmt.Errorf("Σ I = %d without ranks", is)
	}
	for i := range n {
		if !out.NewValidatorPermit[i] && len(out.Bonds[i]) != 0 {
			return fmt.Errorf("uid %d has bonds but no permit", i)
		}
		for _, e := range out.Bonds[i] {
			if int(e.UID) >= n {
				return fmt.Errorf("bond uid %d ≥ n", e.UID)
			}
		}
		if q.Consensus[i] < 0 || q.Consensus[i] > one {
			return fmt.Errorf("C[%d] = %d outside [0, ONE]", i, q.Consensus[i])
		}
	}
	if in.HasOwner && !out.NewValidatorPermit[in.OwnerUID] {
		return fmt.Errorf("owner lost its permit")
	}
	return nil
}

func TestPropertiesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for it := range 600 {
		in := genInput(r, genOpts{maxN: 24})
		before := deepCopy(in)
		out, err := Epoch(in)
		if err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		if err := checkInvariants(&in, out); err != nil {
			t.Fatalf("case %d: %v", it, err)
		}
		if !reflect.DeepEqual(in, before) {
			t.Fatalf("case %d: Epoch modified its input", it)
		}
		again, _ := Epoch(before)
		if !reflect.DeepEqual(out, again) {
			t.Fatalf("case %d: two runs differ", it)
		}
	}
}

func deepCopy(in Input) Input {
	c := in
	c.Stake = slices.Clone(in.Stake)
	c.AlphaStake = slices.Clone(in.AlphaStake)
	c.TaoStake = slices.Clone(in.TaoStake)
	c.ValidatorPermit = slices.Clone(in.ValidatorPermit)
	c.LastUpdate = slices.Clone(in.LastUpdate)
	c.BlockAtRegistration = slices.Clone(in.BlockAtRegistration)
	c.CommitBlocks = slices.Clone(in.CommitBlocks)
	c.Weights = cloneRows(in.Weights)
	c.Bonds = cloneRows(in.Bonds)
	return c
}

func cloneRows(r [][]Entry) [][]Entry {
	if r == nil {
		return nil
	}
	c := make([][]Entry, len(r))
	for i := range r {
		c[i] = slices.Clone(r[i])
	}
	return c
}

// permuteInput relabels uid i as p[i]; rows are re-sorted by the new uid so
// that liquid alpha's sorted-row assumption (quirk Q2) holds on both sides.
func permuteInput(in Input, p []int) Input {
	n := in.N
	c := deepCopy(in)
	perm64 := func(v []uint64) []uint64 {
		if v == nil {
			return nil
		}
		o := make([]uint64, n)
		for i := range v {
			o[p[i]] = v[i]
		}
		return o
	}
	c.Stake, c.AlphaStake, c.TaoStake = perm64(in.Stake), perm64(in.AlphaStake), perm64(in.TaoStake)
	c.LastUpdate, c.BlockAtRegistration = perm64(in.LastUpdate), perm64(in.BlockAtRegistration)
	for i := range n {
		c.ValidatorPermit[p[i]] = in.ValidatorPermit[i]
		if in.CommitBlocks != nil {
			c.CommitBlocks[p[i]] = in.CommitBlocks[i]
		}
		c.Weights[p[i]] = permuteRow(in.Weights[i], p)
		c.Bonds[p[i]] = permuteRow(in.Bonds[i], p)
	}
	if in.HasOwner {
		c.OwnerUID = p[in.OwnerUID]
	}
	return c
}

func permuteRow(row []Entry, p []int) []Entry {
	o := make([]Entry, len(row))
	for k, e := range row {
		o[k] = Entry{UID: uint16(p[e.UID]), Value: e.Value}
	}
	slices.SortFunc(o, func(a, b Entry) int { return cmp.Compare(a.UID, b.UID) })
	return o
}

// TestPermutation: relabeling uids relabels every output. Stakes are
// distinct and well separated so the permit sort (§3.3) has no ties.
func TestPermutation(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 9))
	for it := range 300 {
		in := genInput(r, genOpts{maxN: 20, sortedRows: true, distinct: true, plainStake: it%2 == 0})
		p := r.Perm(in.N)
		out, err := Epoch(in)
		if err != nil {
			t.Fatal(err)
		}
		pout, err := Epoch(permuteInput(in, p))
		if err != nil {
			t.Fatal(err)
		}
		want := permuteOutput(out, p)
		if !reflect.DeepEqual(pout, want) {
			t.Fatalf("case %d (n=%d, yuma3=%v, liquid=%v): permuted outputs differ\n got %+v\nwant %+v",
				it, in.N, in.Hyper.Yuma3, in.Hyper.LiquidAlpha, pout, want)
		}
	}
}

func permuteOutput(out Output, p []int) Output {
	n := len(p)
	pb := func(v []bool) []bool {
		o := make([]bool, n)
		for i := range v {
			o[p[i]] = v[i]
		}
		return o
	}
	pu16 := func(v []uint16) []uint16 {
		o := make([]uint16, n)
		for i := range v {
			o[p[i]] = v[i]
		}
		return o
	}
	pu64 := func(v []uint64) []uint64 {
		o := make([]uint64, n)
		for i := range v {
			o[p[i]] = v[i]
		}
		return o
	}
	pi64 := func(v []int64) []int64 {
		o := make([]int64, n)
		for i := range v {
			o[p[i]] = v[i]
		}
		return o
	}
	bonds := make([][]Entry, n)
	for i := range out.Bonds {
		bonds[p[i]] = permuteRow(out.Bonds[i], p)
	}
	q := out.Q32
	return Output{
		Active: pb(out.Active), NewValidatorPermit: pb(out.NewValidatorPermit),
		StakeWeight: pu16(out.StakeWeight), Consensus: pu16(out.Consensus),
		ValidatorTrust: pu16(out.ValidatorTrust), Incentive: pu16(out.Incentive),
		Dividends: pu16(out.Dividends), Ranks: pu16(out.Ranks), Trust: pu16(out.Trust),
		PruningScore: pu16(out.PruningScore), Emission: pu64(out.Emission),
		ServerEmission: pu64(out.ServerEmission), ValidatorEmission: pu64(out.ValidatorEmission),
		Bonds: bonds,
		Q32: Q32Vectors{
			Stake: pi64(q.Stake), ActiveStake: pi64(q.ActiveStake), Consensus: pi64(q.Consensus),
			ValidatorTrust: pi64(q.ValidatorTrust), Incentive: pi64(q.Incentive), Dividends: pi64(q.Dividends),
			NormalizedServerEmission:    pi64(q.NormalizedServerEmission),
			NormalizedValidatorEmission: pi64(q.NormalizedValidatorEmission),
			NormalizedCombinedEmission:  pi64(q.NormalizedCombinedEmission),
		},
	}
}

// TestEmptyEpoch: n = 0 gives empty vectors, never nil (§9 "empty arrays").
func TestEmptyEpoch(t *testing.T) {
	out, err := Epoch(Input{Hyper: DefaultHyper()})
	if err != nil {
		t.Fatal(err)
	}
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				check(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			if v.IsNil() {
				t.Errorf("%s is nil", path)
			}
		}
	}
	check(reflect.ValueOf(out), "Output")
}
