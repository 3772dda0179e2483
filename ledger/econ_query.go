package ledger

import (
	"fmt"

	"github.com/taonet/tao/market"
)

// Price is a price in TAO per alpha as a U64F64 value: Rao is it in rao
// of TAO per alpha (floored), Bits its exact fixed-point bits.
type Price struct {
	Rao  market.Rao `json:"rao"`
	Bits [2]uint64  `json:"bits"` // U64F64: integer part, fraction
}

func priceOf(p market.U64F64) Price {
	hi, lo := p.Bits()
	r, _ := p.MulRao(market.RaoPerTAO)
	return Price{Rao: r, Bits: [2]uint64{hi, lo}}
}

// SubnetInfo is a subnet's public state.
type SubnetInfo struct {
	NetUID        uint16        `json:"netuid"`
	Name          string        `json:"name"`
	Task          string        `json:"task"`
	Model         string        `json:"model"`
	Owner         Account       `json:"owner"`
	OwnerHotkey   Hotkey        `json:"owner_hotkey"`
	Created       uint64        `json:"created"`
	LockPaid      market.Rao    `json:"lock_paid"`
	Hyper         SubnetHyper   `json:"hyperparameters"`
	N             uint16        `json:"n"`
	Price         Price         `json:"price"`        // spot price
	MovingPrice   Price         `json:"moving_price"` // SubnetMovingPrice
	PoolTAO       market.Rao    `json:"pool_tao"`
	PoolAlpha     market.Rao    `json:"pool_alpha"`
	AlphaOut      market.Rao    `json:"alpha_out"`
	ProtocolAlpha market.Rao    `json:"protocol_alpha"`
	UnownedAlpha  market.Rao    `json:"unowned_alpha"`  // in alpha_out, held by nobody (rounding, unpaid)
	TAOEmission   market.Rao    `json:"tao_emission"`   // TAO into the subnet in the last block
	AlphaEmission market.Rao    `json:"alpha_emission"` // alpha_out minted in the last block
	Burn          market.Rao    `json:"burn"`           // registration burn now
	LastEpoch     uint64        `json:"last_epoch"`
	NextEpoch     uint64        `json:"next_epoch"`
	EpochIndex    uint64        `json:"epoch_index"`
	Pending       [4]market.Rao `json:"pending"` // server, validator, root, owner
}

func subnetInfo(s *subnetRecord) SubnetInfo {
	spot, _ := s.pool().Price()
	mp, _ := s.movingPrice().U64F64()
	next := s.LastEpochBlock + uint64(s.Hyper.Tempo)
	if s.PendingEpochAt != 0 {
		next = s.PendingEpochAt
	}
	return SubnetInfo{
		NetUID: s.NetUID, Name: s.Name, Task: s.Task, Model: s.Model, Owner: s.Owner, OwnerHotkey: s.OwnerHotkey,
		Created: s.Created, LockPaid: s.LockPaid, Hyper: s.Hyper, N: s.N,
		Price: priceOf(spot), MovingPrice: priceOf(mp), PoolTAO: s.PoolTAO, PoolAlpha: s.PoolAlpha,
		AlphaOut: s.AlphaOut, ProtocolAlpha: s.ProtocolAlpha, UnownedAlpha: s.UnownedAlpha, TAOEmission: s.TAOEmission, AlphaEmission: s.AlphaEmission,
		Burn: s.Burn, LastEpoch: s.LastEpochBlock, NextEpoch: next, EpochIndex: s.EpochIndex,
		Pending: [4]market.Rao{s.PendingServer, s.PendingValidator, s.PendingRoot, s.PendingOwner},
	}
}

// Subnets returns every subnet's public state, in netuid order.
func (l *Ledger) Subnets() ([]SubnetInfo, error) {
	ss, err := listSubnets(stateView{l.store})
	if err != nil {
		return nil, err
	}
	out := make([]SubnetInfo, len(ss))
	for i, s := range ss {
		out[i] = subnetInfo(s)
	}
	return out, nil
}

// NeuronInfo is one uid of a metagraph. The u16 fields are the epoch's
// outputs in parts of 65 535, as the chain stores them.
type NeuronInfo struct {
	UID            uint16      `json:"uid"`
	Hotkey         Hotkey      `json:"hotkey"`
	Coldkey        Account     `json:"coldkey"`
	Stake          market.Rao  `json:"stake"`      // alpha staked on the hotkey in the subnet
	RootStake      market.Rao  `json:"root_stake"` // TAO staked on the hotkey in the root subnet
	Rank           uint16      `json:"rank"`
	Trust          uint16      `json:"trust"`
	Consensus      uint16      `json:"consensus"`
	Incentive      uint16      `json:"incentive"`
	Dividends      uint16      `json:"dividends"`
	ValidatorTrust uint16      `json:"validator_trust"`
	Emission       market.Rao  `json:"emission"` // alpha of the last epoch
	Permit         bool        `json:"validator_permit"`
	Active         bool        `json:"active"`
	RegBlock       uint64      `json:"registered"`
	LastUpdate     uint64      `json:"last_update"`
	Take           uint16      `json:"take"`
	Weights        [][2]uint16 `json:"weights,omitempty"` // (uid, weight)
}

// Metagraph is a subnet and its neurons at a height.
type Metagraph struct {
	Height  uint64       `json:"height"`
	Subnet  SubnetInfo   `json:"subnet"`
	Neurons []NeuronInfo `json:"neurons"`
}

// Metagraph returns the metagraph of a subnet at the committed tip.
func (l *Ledger) Metagraph(netuid uint16) (*Metagraph, error) {
	l.mu.RLock()
	h := l.tip.Height
	l.mu.RUnlock()
	v := stateView{l.store}
	s, ok, err := getSubnet(v, netuid)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no subnet %d; list them with `tao subnet list`", ErrUnknownSubnet, netuid)
	}
	neurons, err := loadNeurons(v, netuid)
	if err != nil {
		return nil, err
	}
	m := &Metagraph{Height: h, Subnet: subnetInfo(s), Neurons: make([]NeuronInfo, len(neurons))}
	for i, n := range neurons {
		a, err := poolAlpha(v, n.Hotkey, netuid)
		if err != nil {
			return nil, err
		}
		r, err := poolAlpha(v, n.Hotkey, 0)
		if err != nil {
			return nil, err
		}
		hk, _, err := getHotkey(v, n.Hotkey)
		if err != nil {
			return nil, err
		}
		ni := NeuronInfo{
			UID: uint16(i), Hotkey: n.Hotkey, Coldkey: n.Coldkey, Stake: a, RootStake: r,
			Rank: n.Rank, Trust: n.Trust, Consensus: n.Consensus, Incentive: n.Incentive, Dividends: n.Dividends,
			ValidatorTrust: n.ValidatorTrust, Emission: n.Emission, Permit: n.Permit, Active: n.Active,
			RegBlock: n.RegBlock, LastUpdate: n.LastUpdate, Take: hk.Take,
		}
		for _, w := range n.Weights.entries() {
			ni.Weights = append(ni.Weights, [2]uint16{w.UID, w.Value})
		}
		m.Neurons[i] = ni
	}
	return m, nil
}

// UID returns the uid of a hotkey on a subnet.
func (l *Ledger) UID(netuid uint16, h Hotkey) (uint16, bool, error) {
	return getUID(stateView{l.store}, netuid, h)
}

// StakeInfo is one stake of a coldkey.
type StakeInfo struct {
	Hotkey Hotkey     `json:"hotkey"`
	NetUID uint16     `json:"netuid"`
	Alpha  market.Rao `json:"alpha"` // TAO on the root subnet
}

// Stakes returns a coldkey's stakes, by hotkey then netuid.
func (l *Ledger) Stakes(c Account) ([]StakeInfo, error) {
	v := stateView{l.store}
	pre := stakeIndexPrefix(c)
	var out []StakeInfo
	err := v.Iterate(pre, func(k, _ []byte) error {
		var h Hotkey
		copy(h[:], k[len(pre):])
		netuid := netuidOf(k[len(pre)+31:])
		a, err := stakeOf(v, h, netuid, c)
		if err != nil {
			return err
		}
		out = append(out, StakeInfo{Hotkey: h, NetUID: netuid, Alpha: a})
		return nil
	})
	return out, err
}

// HotkeyInfo is a hotkey's owner and delegate take.
type HotkeyInfo struct {
	Hotkey Hotkey  `json:"hotkey"`
	Owner  Account `json:"owner"`
	Take   uint16  `json:"take"`
}

// Hotkey returns a hotkey's owner and take; ok is false if it was never
// registered.
func (l *Ledger) Hotkey(h Hotkey) (HotkeyInfo, bool, error) {
	r, ok, err := getHotkey(stateView{l.store}, h)
	return HotkeyInfo{Hotkey: h, Owner: r.Owner, Take: r.Take}, ok, err
}

// Economy is the chain's totals.
type Economy struct {
	Height        uint64       `json:"height"`
	Issued        market.Rao   `json:"issued"`
	Burned        market.Rao   `json:"burned"`
	BlockEmission market.Rao   `json:"block_emission"` // TAO per block at the current issuance
	RootTAO       market.Rao   `json:"root_tao"`
	LockCost      market.Rao   `json:"lock_cost"` // of a subnet created in the next block
	SubnetLimit   int          `json:"subnet_limit"`
	Subnets       []SubnetInfo `json:"subnets"`
}

// Economy returns the chain's totals at the committed tip.
func (l *Ledger) Economy() (*Economy, error) {
	l.mu.RLock()
	h := l.tip.Height
	l.mu.RUnlock()
	v := stateView{l.store}
	sup, err := getSupply(v)
	if err != nil {
		return nil, err
	}
	econ, err := getEconomy(v)
	if err != nil {
		return nil, err
	}
	subnets, err := l.Subnets()
	if err != nil {
		return nil, err
	}
	mp := l.chain.Params.Market()
	return &Economy{
		Height: h, Issued: sup.Issued, Burned: sup.Burned, BlockEmission: mp.BlockEmission(sup.Issued),
		RootTAO: econ.RootTAO, LockCost: mp.LockCost(econ.LastLock, econ.LastLockBlock, h+1),
		SubnetLimit: mp.SubnetLimit, Subnets: subnets,
	}, nil
}
