package market

import "cmp"

// NeuronCandidate is a uid of a full subnet that a registration might replace (dtao.md §9).
type NeuronCandidate struct {
	UID          uint16
	Emission     Rao    // the uid's Emission of the last epoch
	RegisteredAt uint64 // block of its registration
	Immortal     bool   // one of the owner's immortal hotkeys: never replaced
}

// NeuronToPrune returns the uid a registration replaces on a full subnet at block b (dtao.md §9,
// get_neuron_to_prune). Immortal uids are skipped. The best candidate is the one with the lowest
// Emission, then the earliest RegisteredAt, then the lowest UID. A uid is immune while
// b − RegisteredAt < immunityPeriod (the subnet's ImmunityPeriod: Params.ImmunityPeriod, or
// NewSubnetImmunity for a new subnet). If more than MinNonImmuneUIDs uids are not immune, the
// best non-immune one is replaced; otherwise the best immune one (or, if none is immune, the best
// non-immune one). ErrNoNeuronToPrune if every uid is immortal. cands is not modified; its order
// does not matter.
func (p Params) NeuronToPrune(b, immunityPeriod uint64, cands []NeuronCandidate) (uint16, error) {
	var bestImmune, bestFree *NeuronCandidate
	free := 0
	for i := range cands {
		c := &cands[i]
		if c.Immortal {
			continue
		}
		if b >= c.RegisteredAt && b-c.RegisteredAt >= immunityPeriod {
			free++
			if bestFree == nil || lessNeuron(c, bestFree) {
				bestFree = c
			}
		} else if bestImmune == nil || lessNeuron(c, bestImmune) {
			bestImmune = c
		}
	}
	switch {
	case bestFree != nil && (free > p.MinNonImmuneUIDs || bestImmune == nil):
		return bestFree.UID, nil
	case bestImmune != nil:
		return bestImmune.UID, nil
	}
	return 0, ErrNoNeuronToPrune
}

func lessNeuron(a, b *NeuronCandidate) bool {
	return cmp.Or(
		cmp.Compare(a.Emission, b.Emission),
		cmp.Compare(a.RegisteredAt, b.RegisteredAt),
		cmp.Compare(a.UID, b.UID),
	) < 0
}

// SubnetCandidate is a subnet that a subnet creation beyond SubnetLimit might dissolve (§10).
type SubnetCandidate struct {
	NetUID       uint16
	MovingPrice  U96F32 // SubnetMovingPrice
	RegisteredAt uint64 // block of the subnet's registration
}

// SubnetToPrune returns the subnet dissolved to make room for a new one at block b (dtao.md §10,
// get_network_to_prune): among the subnets other than root (netuid 0) registered at least
// NetworkImmunity blocks ago, the one with the lowest moving price, ties to the earliest
// registered, then to the lowest netuid. ErrNoSubnetToPrune if none qualifies, in which case the
// creation fails. Order of subnets does not matter.
func (p Params) SubnetToPrune(b uint64, subnets []SubnetCandidate) (uint16, error) {
	var best *SubnetCandidate
	for i := range subnets {
		s := &subnets[i]
		if s.NetUID == 0 || b < s.RegisteredAt || b-s.RegisteredAt < p.NetworkImmunity {
			continue
		}
		if best == nil || cmp.Or(
			s.MovingPrice.Cmp(best.MovingPrice),
			cmp.Compare(s.RegisteredAt, best.RegisteredAt),
			cmp.Compare(s.NetUID, best.NetUID),
		) < 0 {
			best = s
		}
	}
	if best == nil {
		return 0, ErrNoSubnetToPrune
	}
	return best.NetUID, nil
}
