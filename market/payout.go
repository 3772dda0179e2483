package market

import "fmt"

// PayoutNeuron is one uid's input to an epoch payout (dtao.md §7).
type PayoutNeuron struct {
	Incentive  Rao    // inc_h: the epoch's server_emission for the uid (yuma.md §3.13)
	Dividend   Rao    // div_h: the epoch's validator_emission for the uid
	AlphaStake Rao    // the hotkey's alpha stake on the subnet
	RootStake  Rao    // the hotkey's TAO stake on the root subnet
	Take       uint16 // Delegates[h], parts of 65 535 (clamped to Params.MaxTake)
	// OwnerHotkey marks a hotkey of the subnet owner: its incentive is burned (or recycled, per
	// RecycleOrBurn, the ledger's choice), not paid (§7 step 5).
	OwnerHotkey bool
}

// PayoutInput is an epoch payout's input: the drained pending amounts and the epoch's per-uid
// results. tao skips child-key delegation (§7 step 3): each div_h stays with its own hotkey.
type PayoutInput struct {
	Server, Validator, Root, Owner Rao // Sv, V, Rt, O
	TaoWeight                      uint64
	Neurons                        []PayoutNeuron
}

// NeuronPayout is what one uid receives, in alpha rao.
type NeuronPayout struct {
	Incentive Rao // staked to the miner's coldkey on its hotkey (or its AutoStakeDestination)
	AlphaTake Rao // take_h·alpha_pay_h, staked to the hotkey's owner coldkey
	AlphaDivs Rao // alpha_pay_h − AlphaTake: raises the hotkey's stake pool (nominators pro rata)
	RootTake  Rao // take_h·root_pay_h, to the hotkey's owner coldkey
	RootDivs  Rao // root_pay_h − RootTake: claimable by the hotkey's root stakers
}

// Payout is the result of an epoch payout. Everything credited sums to at most the input
// amounts Sv + V + Rt + O (Unpaid is the difference, which stays with the pool: nothing is minted
// beyond alpha_out).
type Payout struct {
	Neurons     []NeuronPayout // index for index with PayoutInput.Neurons
	Owner       Rao            // O, staked to the owner's hotkey and coldkey
	Burned      Rao            // incentive of the owner's hotkeys (§7 step 5)
	MinerBurned U64F64         // Burned / Σ inc_h, 0 if Σ inc_h = 0: the next §4.2 input
	Unpaid      Rao
}

// Payout splits an epoch's drained amounts (dtao.md §7 steps 2–6):
//
//  2. V' = V + Sv if Σ inc_h = 0, else V;
//  4. per hotkey root_frac = w_τ·root/(alpha + w_τ·root) (0 if the sum is 0), root_divs =
//     div·root_frac, alpha_divs = div − root_divs; alpha_pay = V'·(alpha_divs/Σ alpha_divs) and
//     root_pay = Rt·(root_divs/Σ root_divs), in U96F32 with the share truncated first, floored;
//  5. inc_h is paid to the miner, or burned for an owner hotkey;
//  6. take = floor(pay·Take/65535) of each pay goes to the hotkey's owner, the rest to its stakers.
//
// Miners are paid Σ inc_h, which with a validator side can exceed Sv by a few rao (yuma's
// normalised sums are a few ulps off one half). §7 says nothing is minted beyond alpha_out, so
// tao takes such an overshoot from V' (then from Rt); §12 leaves the chain's rounding open. Σ inc_h
// above Sv + V + Rt is ErrBadInput.
func (p Params) Payout(in PayoutInput) (Payout, error) {
	total := uint64(in.Server) + uint64(in.Validator) + uint64(in.Root)
	if total < uint64(in.Server) || total+uint64(in.Owner) < total {
		return Payout{}, ErrOverflow
	}
	var sumInc uint64
	for _, n := range in.Neurons {
		sumInc += uint64(n.Incentive)
		if sumInc > total {
			return Payout{}, fmt.Errorf("incentives sum beyond Sv+V+Rt = %d: %w", total, ErrBadInput)
		}
	}
	vBudget, rBudget := uint64(in.Validator), uint64(in.Root)
	if sumInc == 0 {
		vBudget += uint64(in.Server)
	} else if over := sumInc - min(sumInc, uint64(in.Server)); over > 0 {
		cut := min(over, vBudget)
		vBudget, rBudget = vBudget-cut, rBudget-(over-cut)
	}
	out := Payout{Neurons: make([]NeuronPayout, len(in.Neurons)), Owner: in.Owner}

	// Step 5: incentives.
	for i, n := range in.Neurons {
		if n.OwnerHotkey {
			out.Burned += n.Incentive
		} else {
			out.Neurons[i].Incentive = n.Incentive
		}
	}
	if sumInc != 0 {
		mb, err := U64F64FromRatio(uint64(out.Burned), sumInc)
		if err != nil {
			return Payout{}, err
		}
		out.MinerBurned = mb
	}

	// Step 4: root and alpha parts of every dividend.
	wt := TaoWeightFixed(in.TaoWeight)
	alphaDivs := make([]U96F32, len(in.Neurons))
	rootDivs := make([]U96F32, len(in.Neurons))
	var sumAlpha, sumRoot U96F32
	for i, n := range in.Neurons {
		if n.Dividend == 0 {
			continue
		}
		wr, err := U96F32FromRao(n.RootStake).Mul(wt)
		if err != nil {
			return Payout{}, err
		}
		den, err := U96F32FromRao(n.AlphaStake).Add(wr)
		if err != nil {
			return Payout{}, err
		}
		var frac U96F32
		if !den.IsZero() {
			if frac, err = wr.Div(den); err != nil {
				return Payout{}, err
			}
		}
		div := U96F32FromRao(n.Dividend)
		if rootDivs[i], err = div.Mul(frac); err != nil {
			return Payout{}, err
		}
		alphaDivs[i] = div.SatSub(rootDivs[i])
		if sumAlpha, err = sumAlpha.Add(alphaDivs[i]); err != nil {
			return Payout{}, err
		}
		if sumRoot, err = sumRoot.Add(rootDivs[i]); err != nil {
			return Payout{}, err
		}
	}
	alphaPay, err := proRata(Rao(vBudget), alphaDivs, sumAlpha)
	if err != nil {
		return Payout{}, err
	}
	rootPay, err := proRata(Rao(rBudget), rootDivs, sumRoot)
	if err != nil {
		return Payout{}, err
	}

	// Step 6: validator take.
	credited := uint64(out.Owner) + uint64(out.Burned)
	for i, n := range in.Neurons {
		take := min(n.Take, p.MaxTake)
		np := &out.Neurons[i]
		np.AlphaTake = takeOf(alphaPay[i], take)
		np.AlphaDivs = alphaPay[i] - np.AlphaTake
		np.RootTake = takeOf(rootPay[i], take)
		np.RootDivs = rootPay[i] - np.RootTake
		credited += uint64(np.Incentive) + uint64(alphaPay[i]) + uint64(rootPay[i])
	}
	out.Unpaid = Rao(total + uint64(in.Owner) - credited)
	return out, nil
}

// proRata returns floor(budget · (parts_i / sum)) with the share truncated first (U96F32).
func proRata(budget Rao, parts []U96F32, sum U96F32) ([]Rao, error) {
	pay := make([]Rao, len(parts))
	if sum.IsZero() {
		return pay, nil
	}
	b := U96F32FromRao(budget)
	for i, part := range parts {
		share, err := part.Div(sum)
		if err != nil {
			return nil, err
		}
		v, err := b.Mul(share)
		if err != nil {
			return nil, err
		}
		if pay[i], err = v.Floor(); err != nil {
			return nil, err
		}
	}
	return pay, nil
}

// takeOf returns floor(amount · take/65535) in U96F32.
func takeOf(amount Rao, take uint16) Rao {
	t, _ := U96F32FromRatio(uint64(take), 65_535)
	v, _ := U96F32FromRao(amount).Mul(t) // ≤ amount: cannot overflow
	f, _ := v.Floor()
	return f
}
