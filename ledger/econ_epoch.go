package ledger

import (
	"github.com/taonet/tao/market"
	"github.com/taonet/tao/yuma"
)

// loadNeurons returns a subnet's neurons in uid order (uids 0..N-1).
func loadNeurons(v View, netuid uint16) ([]*neuronRecord, error) {
	var out []*neuronRecord
	err := v.Iterate(neuronPrefix(netuid), func(k, val []byte) error {
		n := new(neuronRecord)
		if err := decodeRecord(k, val, n); err != nil {
			return err
		}
		out = append(out, n)
		return nil
	})
	return out, err
}

func putNeuron(o *overlay, netuid, uid uint16, n *neuronRecord) error {
	return putRecord(o, neuronKey(netuid, uid), n)
}

// yumaHyper converts a subnet's hyperparameters for an epoch.
func yumaHyper(h SubnetHyper) yuma.Hyper {
	return yuma.Hyper{
		Kappa: h.Kappa, BondsPenalty: h.BondsPenalty, BondsMovingAverage: h.BondsMovingAverage,
		Yuma3: h.Yuma3, LiquidAlpha: h.LiquidAlpha, AlphaLow: h.AlphaLow, AlphaHigh: h.AlphaHigh,
		AlphaSigmoidSteepness: yuma.DefaultHyper().AlphaSigmoidSteepness,
		MaxAllowedValidators:  h.MaxValidators, StakeThreshold: uint64(h.StakeThreshold),
		ActivityCutoffFactorMilli: h.ActivityCutoffMilli, CommitReveal: h.CommitReveal,
	}
}

// epochInput builds the yuma input of subnet s at block b from the
// ledger's state (spec/yuma.md §2): alpha stake per uid's hotkey, its
// root TAO stake, permits, weights, bonds, registration and update blocks.
func epochInput(v View, s *subnetRecord, neurons []*neuronRecord, b uint64, mp market.Params, emission market.Rao) (yuma.Input, error) {
	n := len(neurons)
	in := yuma.Input{
		N: n, CurrentBlock: b, Tempo: s.Hyper.Tempo,
		ActivityCutoff:         yuma.ActivityCutoffBlocks(s.Hyper.ActivityCutoffMilli, s.Hyper.Tempo),
		LastMechanismStepBlock: s.LastMechStep,
		AlphaStake:             make([]uint64, n), TaoStake: make([]uint64, n), TaoWeight: mp.TaoWeight,
		ValidatorPermit: make([]bool, n), LastUpdate: make([]uint64, n), BlockAtRegistration: make([]uint64, n),
		Weights: make([][]yuma.Entry, n), Bonds: make([][]yuma.Entry, n),
		Hyper: yumaHyper(s.Hyper), RaoEmission: uint64(emission),
	}
	if s.Hyper.CommitReveal {
		in.CommitBlocks = make([]yuma.OptBlock, n)
	}
	for i, nr := range neurons {
		a, err := poolAlpha(v, nr.Hotkey, s.NetUID)
		if err != nil {
			return in, err
		}
		r, err := poolAlpha(v, nr.Hotkey, 0)
		if err != nil {
			return in, err
		}
		in.AlphaStake[i], in.TaoStake[i] = uint64(a), uint64(r)
		in.ValidatorPermit[i] = nr.Permit
		in.LastUpdate[i] = nr.LastUpdate
		in.BlockAtRegistration[i] = nr.RegBlock
		in.Weights[i] = nr.Weights.entries()
		in.Bonds[i] = nr.Bonds.entries()
		if in.CommitBlocks != nil && nr.CommitBlock != 0 {
			in.CommitBlocks[i] = yuma.OptBlock{Block: nr.CommitBlock, Valid: true}
		}
		if nr.Hotkey == s.OwnerHotkey {
			in.HasOwner, in.OwnerUID = true, i
		}
	}
	return in, nil
}

// epoch drains a subnet's pending emission, runs Yuma Consensus over its
// neurons, stores the outputs on them and pays out (dtao.md §7).
func (e *Exec) epoch(s *subnetRecord, mp market.Params) error {
	o := e.block
	b := e.header.Height
	sv, vd, rt, ow := s.PendingServer, s.PendingValidator, s.PendingRoot, s.PendingOwner
	s.PendingServer, s.PendingValidator, s.PendingRoot, s.PendingOwner = 0, 0, 0, 0

	neurons, err := loadNeurons(o, s.NetUID)
	if err != nil {
		return err
	}
	in, err := epochInput(o, s, neurons, b, mp, sv+vd+rt)
	if err != nil {
		return err
	}
	out, err := yuma.Epoch(in)
	if err != nil {
		// Only a corrupt state gets here (the input is built from checked
		// state); the epoch's emission stays in SubnetAlphaOut unowned, as
		// an epoch without neurons would leave it, and the chain goes on.
		s.UnownedAlpha += sv + vd + rt
		return e.payOwner(s, ow)
	}
	hk := make([]hotkeyRecord, len(neurons))
	pin := market.PayoutInput{Server: sv, Validator: vd, Root: rt, Owner: ow, TaoWeight: mp.TaoWeight,
		Neurons: make([]market.PayoutNeuron, len(neurons))}
	for i, nr := range neurons {
		nr.Active, nr.Permit = out.Active[i], out.NewValidatorPermit[i]
		nr.Rank, nr.Trust, nr.Consensus = out.Ranks[i], out.Trust[i], out.Consensus[i]
		nr.Incentive, nr.Dividends, nr.ValidatorTrust = out.Incentive[i], out.Dividends[i], out.ValidatorTrust[i]
		nr.PruningScore, nr.Emission = out.PruningScore[i], market.Rao(out.Emission[i])
		nr.Bonds = packRow(out.Bonds[i])
		if err := putNeuron(o, s.NetUID, uint16(i), nr); err != nil {
			return err
		}
		if hk[i], _, err = getHotkey(o, nr.Hotkey); err != nil {
			return err
		}
		pin.Neurons[i] = market.PayoutNeuron{
			Incentive: market.Rao(out.ServerEmission[i]), Dividend: market.Rao(out.ValidatorEmission[i]),
			AlphaStake: market.Rao(in.AlphaStake[i]), RootStake: market.Rao(in.TaoStake[i]),
			Take: hk[i].Take, OwnerHotkey: hk[i].Owner == s.Owner,
		}
	}
	pay, err := mp.Payout(pin)
	if err != nil {
		s.UnownedAlpha += sv + vd + rt
		return e.payOwner(s, ow)
	}
	for i, np := range pay.Neurons {
		h, owner := neurons[i].Hotkey, hk[i].Owner
		if err := addStake(o, h, s.NetUID, owner, np.Incentive+np.AlphaTake+np.RootTake); err != nil {
			return err
		}
		if ok, err := addDividend(o, h, s.NetUID, np.AlphaDivs); err != nil {
			return err
		} else if !ok {
			if err := addStake(o, h, s.NetUID, owner, np.AlphaDivs); err != nil {
				return err
			}
		}
		if err := payRootStakers(o, h, s.NetUID, owner, np.RootDivs); err != nil {
			return err
		}
	}
	// The owner's own miners' incentive is recycled: it leaves
	// SubnetAlphaOut (§7 step 5, RecycleOrBurn). What the payout leaves
	// unpaid, its rounding or a budget no one earned, stays with the pool
	// (§7: nothing is minted beyond alpha_out, and nothing is taken back).
	s.AlphaOut -= min(s.AlphaOut, pay.Burned)
	s.UnownedAlpha += pay.Unpaid
	s.MinerBurnHi, s.MinerBurnLo = pay.MinerBurned.Bits()
	return e.payOwner(s, pay.Owner)
}

// payOwner stakes the owner cut to the owner's hotkey and coldkey.
func (e *Exec) payOwner(s *subnetRecord, amount market.Rao) error {
	return addStake(e.block, s.OwnerHotkey, s.NetUID, s.Owner, amount)
}

// payRootStakers gives a hotkey's root dividends (alpha of netuid) to the
// coldkeys staking TAO on it in the root subnet, pro rata to their shares,
// as alpha stake on the hotkey; the rounding remainder, or everything if
// it has no root stakers, goes to the hotkey's owner.
func payRootStakers(o *overlay, h Hotkey, netuid uint16, owner Account, amount market.Rao) error {
	if amount == 0 {
		return nil
	}
	accts, shares, err := stakers(o, h, 0)
	if err != nil {
		return err
	}
	var total uint64
	for _, s := range shares {
		total += s
	}
	left := amount
	for i, a := range accts {
		part, ok := mulDiv(uint64(amount), shares[i], total)
		if !ok {
			return ErrOverflow
		}
		if err := addStake(o, h, netuid, a, market.Rao(part)); err != nil {
			return err
		}
		left -= market.Rao(part)
	}
	return addStake(o, h, netuid, owner, left)
}
