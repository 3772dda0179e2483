package market

import (
	"math/rand/v2"
	"testing"
)

func paidTotal(out Payout) uint64 {
	s := uint64(out.Owner) + uint64(out.Burned)
	for _, n := range out.Neurons {
		s += uint64(n.Incentive) + uint64(n.AlphaTake) + uint64(n.AlphaDivs) + uint64(n.RootTake) + uint64(n.RootDivs)
	}
	return s
}

func TestPayoutExample(t *testing.T) {
	p := DefaultParams()
	in := PayoutInput{
		Server: 500, Validator: 400, Root: 100, Owner: 200, TaoWeight: p.TaoWeight,
		Neurons: []PayoutNeuron{
			{Incentive: 300},                                                     // miner
			{Incentive: 200, OwnerHotkey: true},                                  // owner's miner: burned
			{Dividend: 250, AlphaStake: 1_000, Take: 0},                          // alpha-only validator
			{Dividend: 250, AlphaStake: 1_000, RootStake: 100_000, Take: 65_535}, // take clamped to 18 %
		},
	}
	out, err := p.Payout(in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Neurons[0].Incentive != 300 || out.Neurons[1].Incentive != 0 || out.Burned != 200 {
		t.Errorf("incentives %+v burned %d", out.Neurons[:2], out.Burned)
	}
	if want := q64(2, 5); out.MinerBurned != want {
		t.Errorf("MinerBurned = %v, want 0.4", out.MinerBurned)
	}
	// Validator 3: root_frac = w_τ·10^5/(10^3 + w_τ·10^5) ≈ 0.8404, so most of its dividend
	// is root dividend: the whole Rt = 100 goes to it, and V = 400 is split by alpha_divs
	// 250 : ≈39.9.
	v2, v3 := out.Neurons[2], out.Neurons[3]
	if v2.AlphaTake != 0 || v2.RootTake+v2.RootDivs != 0 {
		t.Errorf("validator 2: %+v", v2)
	}
	if v3.RootTake+v3.RootDivs != 99 && v3.RootTake+v3.RootDivs != 100 {
		t.Errorf("validator 3 root pay: %+v", v3)
	}
	if a2, a3 := v2.AlphaDivs, v3.AlphaTake+v3.AlphaDivs; a2+a3 > 400 || a2+a3 < 398 || a2 < 340 || a2 > 346 {
		t.Errorf("alpha pay split %d : %d", a2, a3)
	}
	if v3.AlphaTake == 0 || v3.AlphaTake > (v3.AlphaTake+v3.AlphaDivs)*18/100+1 {
		t.Errorf("take %+v", v3)
	}
	if paidTotal(out)+uint64(out.Unpaid) != 1_200 {
		t.Errorf("paid %d + unpaid %d ≠ 1200", paidTotal(out), out.Unpaid)
	}
}

// TestPayoutFallback: with no incentive, validators also receive the miners' part (V' = V + Sv).
func TestPayoutFallback(t *testing.T) {
	p := DefaultParams()
	out, err := p.Payout(PayoutInput{
		Server: 500, Validator: 400, Root: 100,
		Neurons: []PayoutNeuron{{Dividend: 1, AlphaStake: 5}, {Dividend: 3, AlphaStake: 5}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a0 := out.Neurons[0].AlphaTake + out.Neurons[0].AlphaDivs
	a1 := out.Neurons[1].AlphaTake + out.Neurons[1].AlphaDivs
	if a0 != 225 || a1 != 675 {
		t.Errorf("V' split %d : %d, want 225 : 675", a0, a1)
	}
	if out.Unpaid != 100 { // no root stake: Rt is not paid here
		t.Errorf("unpaid %d", out.Unpaid)
	}
	if !out.MinerBurned.IsZero() {
		t.Errorf("MinerBurned %v", out.MinerBurned)
	}
}

// TestPayoutNeverMints: random epochs never credit more than Sv + V + Rt + O, including
// incentive sums that overshoot Sv.
func TestPayoutNeverMints(t *testing.T) {
	p := DefaultParams()
	r := rand.New(rand.NewPCG(21, 22))
	for range 3_000 {
		sv := Rao(r.Uint64N(1 << 40))
		in := PayoutInput{Server: sv, Validator: sv + Rao(r.Uint64N(3)) - Rao(r.Uint64N(uint64(sv)/3+1)),
			Owner: Rao(r.Uint64N(1 << 39)), TaoWeight: p.TaoWeight}
		in.Root = sv - min(sv, in.Validator)
		n := r.IntN(40)
		budget := uint64(in.Server) + uint64(in.Validator) + uint64(in.Root)
		incBudget := uint64(sv) + r.Uint64N(50) // up to 50 rao over Sv
		if r.IntN(5) == 0 {
			incBudget = 0
		}
		for range n {
			nb := PayoutNeuron{
				Dividend:    Rao(r.Uint64N(uint64(budget)/uint64(n) + 1)),
				AlphaStake:  Rao(r.Uint64N(1 << 50)),
				RootStake:   Rao(r.Uint64N(1 << 50)),
				Take:        uint16(r.UintN(65_536)),
				OwnerHotkey: r.IntN(10) == 0,
			}
			if incBudget > 0 {
				nb.Incentive = Rao(r.Uint64N(incBudget/uint64(n) + 1))
			}
			in.Neurons = append(in.Neurons, nb)
		}
		out, err := p.Payout(in)
		if err != nil {
			t.Fatalf("%+v: %v", in, err)
		}
		total := budget + uint64(in.Owner)
		if got := paidTotal(out); got > total || got+uint64(out.Unpaid) != total {
			t.Fatalf("paid %d, unpaid %d, inputs %d", got, out.Unpaid, total)
		}
	}
}

func TestPayoutRejectsImpossibleIncentive(t *testing.T) {
	p := DefaultParams()
	_, err := p.Payout(PayoutInput{Server: 5, Validator: 5, Neurons: []PayoutNeuron{{Incentive: 11}}})
	if err == nil {
		t.Errorf("incentive beyond the drained total accepted")
	}
}
