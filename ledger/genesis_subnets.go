package ledger

import (
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// createSubnets writes the genesis subnets into o: each lock and stake is
// minted (added to the issuance), as genesis balances are.
func (g *Genesis) createSubnets(o *overlay) error {
	if len(g.Subnets) == 0 {
		return nil
	}
	chain := g.Chain()
	mp := chain.Params.Market()
	sup, err := getSupply(o)
	if err != nil {
		return err
	}
	econ, err := getEconomy(o)
	if err != nil {
		return err
	}
	var prices []market.U64F64
	for i, gs := range g.Subnets {
		netuid := uint16(i + 1)
		c := &txContext{o: o, chain: chain, header: &protocols.Header{ChainID: g.ChainID}, signer: gs.Owner}
		pool, err := mp.NewSubnetPool(gs.Lock, prices)
		if err != nil {
			return fmt.Errorf("%w: subnet %d: %v", ErrBadGenesis, netuid, err)
		}
		hyper := chain.Params.DefaultSubnetHyper()
		s := &subnetRecord{NetUID: netuid, Owner: gs.Owner, OwnerHotkey: gs.OwnerHotkey, Name: gs.Name, Task: gs.Task,
			Model: gs.Model, LockPaid: gs.Lock, Hyper: hyper, Burn: mp.InitialBurn}
		s.setPool(pool)
		s.setClock(market.NewEpochClock(netuid, hyper.Tempo, 0))
		if err := c.claimHotkey(gs.OwnerHotkey); err != nil {
			return fmt.Errorf("%w: subnet %d: %v", ErrBadGenesis, netuid, err)
		}
		if err := c.addNeuron(s, gs.OwnerHotkey, gs.Owner); err != nil {
			return fmt.Errorf("%w: subnet %d: %v", ErrBadGenesis, netuid, err)
		}
		sup.Issued += gs.Lock
		for _, n := range gs.Neurons {
			nc := &txContext{o: o, chain: chain, header: c.header, signer: n.Coldkey}
			if err := nc.claimHotkey(n.Hotkey); err != nil {
				return fmt.Errorf("%w: subnet %d: %v", ErrBadGenesis, netuid, err)
			}
			if err := nc.addNeuron(s, n.Hotkey, n.Coldkey); err != nil {
				return fmt.Errorf("%w: subnet %d: %v", ErrBadGenesis, netuid, err)
			}
			if n.Stake == 0 {
				continue
			}
			sw, err := s.pool().ProtocolBuy(mp, n.Stake)
			if err != nil {
				return fmt.Errorf("%w: subnet %d: stake of %s: %v", ErrBadGenesis, netuid, n.Hotkey, err)
			}
			s.setPool(sw.Pool)
			s.AlphaOut += sw.Out
			sup.Issued += n.Stake
			if err := addStake(o, n.Hotkey, netuid, n.Coldkey, sw.Out); err != nil {
				return err
			}
		}
		if p, err := s.pool().Price(); err == nil && !p.IsZero() {
			prices = append(prices, p)
		}
		econ.LastLock = gs.Lock
		econ.Subnets++
		if err := putSubnet(o, s); err != nil {
			return err
		}
	}
	if err := putRecord(o, economyKey, &econ); err != nil {
		return err
	}
	return putSupply(o, sup)
}
