package yuma

import (
	"slices"
	"strings"
	"testing"
)

// workedExample is the input of spec §6.
const workedExample = `{"n": 4, "current_block": 1000, "tempo": 360, "stake": [3000000000, 1000000000, 0, 0],
 "validator_permit": [true, true, false, false], "last_update": [990, 990, 0, 0],
 "block_at_registration": [0, 0, 100, 100],
 "weights": [[[2, 65535], [3, 21845]], [[3, 65535]], [], []],
 "bonds": [[[2, 32768]], [[3, 65535]], [], []],
 "hyper": {"yuma3": true}, "rao_emission": 1000000000}`

type ent = struct {
	j int32
	v int64
}

func rowsOf(m *sparse) [][]ent {
	out := make([][]ent, m.rows())
	for i := range out {
		cols, vals := m.row(i)
		out[i] = []ent{}
		for k, j := range cols {
			out[i] = append(out[i], ent{j, vals[k]})
		}
	}
	return out
}

func TestWorkedExample(t *testing.T) {
	in, err := ReadInput(strings.NewReader(workedExample))
	if err != nil {
		t.Fatal(err)
	}
	st := run(&in)
	vec := func(name string, got, want []int64) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	mat := func(name string, m *sparse, want [][]ent) {
		t.Helper()
		got := rowsOf(m)
		if !slices.EqualFunc(got, want, func(a, b []ent) bool { return slices.Equal(a, b) }) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	vec("S", st.s, []int64{3221225472, 1073741824, 0, 0})
	vec("a", st.a, []int64{3221225472, 1073741824, 0, 0})
	mat("W", &st.w, [][]ent{{{2, 3221225472}, {3, 1073741824}}, {{3, one}}, {}, {}})
	vec("C", st.c, []int64{0, 0, 3221225472, 1073741824})
	mat("W̄", &st.wbar, [][]ent{{{2, 3221225472}, {3, 1073741824}}, {{3, 1073741824}}, {}, {}})
	vec("VT", st.vt, []int64{one, 1073741824, 0, 0})
	vec("R", st.r, []int64{0, 0, 2415919104, 1073741824})
	vec("I", st.inc, []int64{0, 0, 2973438897, 1321528398})
	mat("EMA", &st.emaOut, [][]ent{{{2, 2254887321}, {3, 107374182}}, {{3, 3972844748}}, {}, {}})
	vec("D", st.d, []int64{3759001732, 535965563, 0, 0})
	vec("nse", st.nse, []int64{0, 0, 1486719448, 660764199})
	vec("nve", st.nve, []int64{1879500866, 267982781, 0, 0})

	out, err := Epoch(in)
	if err != nil {
		t.Fatal(err)
	}
	u16 := func(name string, got, want []uint16) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	u16("stake_weight", out.StakeWeight, []uint16{49151, 16383, 0, 0})
	u16("consensus", out.Consensus, []uint16{0, 0, 49151, 16383})
	u16("validator_trust", out.ValidatorTrust, []uint16{65535, 16383, 0, 0})
	u16("incentive", out.Incentive, []uint16{0, 0, 45370, 20164})
	u16("dividends", out.Dividends, []uint16{57356, 8178, 0, 0})
	u16("trust", out.Trust, []uint16{0, 0, 65535, 37448})
	u16("pruning_score", out.PruningScore, []uint16{65535, 9344, 51839, 23040})
	u64 := func(name string, got, want []uint64) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	u64("server_emission", out.ServerEmission, []uint64{0, 0, 346153846, 153846153})
	u64("validator_emission", out.ValidatorEmission, []uint64{437605396, 62394603, 0, 0})
	u64("emission", out.Emission, []uint64{437605396, 62394603, 346153846, 153846153})
	wantBonds := [][]Entry{{{2, 34406}, {3, 1638}}, {{3, 60619}}, {}, {}}
	if !slices.EqualFunc(out.Bonds, wantBonds, func(a, b []Entry) bool { return slices.Equal(a, b) }) {
		t.Errorf("bonds = %v, want %v", out.Bonds, wantBonds)
	}
	if want := []bool{true, true, false, false}; !slices.Equal(out.NewValidatorPermit, want) {
		t.Errorf("new_validator_permit = %v, want %v", out.NewValidatorPermit, want)
	}
}
