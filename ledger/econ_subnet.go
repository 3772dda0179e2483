package ledger

import (
	"errors"
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// createSubnetTx creates a subnet (dtao.md §10): the signer pays the lock
// cost into the new pool, its owner hotkey takes uid 0.
func (c *txContext) createSubnetTx(t *protocols.CreateSubnet) error {
	mp := c.market()
	b := c.height()
	econ, err := getEconomy(c.o)
	if err != nil {
		return err
	}
	if econ.LastCreateBlock != 0 && b < econ.LastCreateBlock+mp.NetworkRateLimit {
		return fmt.Errorf("%w: subnet creation is rate-limited; next allowed at block %d", ErrRateLimited, econ.LastCreateBlock+mp.NetworkRateLimit)
	}
	cost := mp.LockCost(econ.LastLock, econ.LastLockBlock, b)
	if t.MaxLock != 0 && cost > market.Rao(t.MaxLock) {
		return fmt.Errorf("%w: the lock cost is %v TAO, above the maximum of %v TAO given; raise it or wait (the cost falls over %d blocks)",
			ErrPriceAboveMax, cost, market.Rao(t.MaxLock), mp.LockReductionInterval)
	}
	owner := Hotkey(t.OwnerHotkey)
	if err := c.claimHotkey(owner); err != nil {
		return err
	}
	subnets, err := listSubnets(c.o)
	if err != nil {
		return err
	}
	if len(subnets) >= mp.SubnetLimit {
		cands := make([]market.SubnetCandidate, len(subnets))
		for i, s := range subnets {
			cands[i] = market.SubnetCandidate{NetUID: s.NetUID, MovingPrice: s.movingPrice(), RegisteredAt: s.Created}
		}
		victim, err := mp.SubnetToPrune(b, cands)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSubnetFull, err)
		}
		if err := c.dissolve(victim); err != nil {
			return err
		}
		if subnets, err = listSubnets(c.o); err != nil {
			return err
		}
	}
	if err := c.debit(c.signer, cost, "the subnet lock"); err != nil {
		return err
	}
	netuid := uint16(1)
	var prices []market.U64F64
	for _, s := range subnets {
		if s.NetUID == netuid {
			netuid++
		}
		if p, err := s.pool().Price(); err == nil && !p.IsZero() {
			prices = append(prices, p)
		}
	}
	pool, err := mp.NewSubnetPool(cost, prices)
	if err != nil {
		return marketErr("new subnet pool", err)
	}
	if market.Rao(pool.TAO) != cost {
		return fmt.Errorf("%w: new pool holds %v TAO for a lock of %v", ErrCorrupt, pool.TAO, cost)
	}
	hyper := c.chain.Params.DefaultSubnetHyper()
	s := &subnetRecord{
		NetUID: netuid, Owner: c.signer, OwnerHotkey: owner, Name: t.Name, Task: t.Task, Model: t.Model,
		Created: b, LockPaid: cost, Hyper: hyper, Burn: mp.InitialBurn,
	}
	s.setPool(pool)
	s.setClock(market.NewEpochClock(netuid, hyper.Tempo, b))
	if err := c.addNeuron(s, owner, c.signer); err != nil {
		return err
	}
	econ.LastLock, econ.LastLockBlock, econ.LastCreateBlock = cost, b, b
	econ.Subnets++
	if err := putRecord(c.o, economyKey, &econ); err != nil {
		return err
	}
	c.emit("create-subnet", "netuid", fmt.Sprint(netuid), "owner", c.signer.String(), "lock", fmt.Sprint(uint64(cost)))
	return putSubnet(c.o, s)
}

// addNeuron gives hotkey h (owned by coldkey) the next free uid of s, or
// replaces the pruning candidate of a full subnet. It updates s.N; the
// caller stores s.
func (c *txContext) addNeuron(s *subnetRecord, h Hotkey, coldkey Account) error {
	b := c.height()
	if _, ok, err := getUID(c.o, s.NetUID, h); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("%w: hotkey %s already holds a uid on subnet %d", ErrAlreadyRegistered, h, s.NetUID)
	}
	uid := s.N
	if s.N >= s.Hyper.MaxUIDs {
		neurons, err := loadNeurons(c.o, s.NetUID)
		if err != nil {
			return err
		}
		cands := make([]market.NeuronCandidate, len(neurons))
		firstFree := ^uint64(0)
		anyFree := false
		for i, n := range neurons {
			immortal := n.Hotkey == s.OwnerHotkey
			cands[i] = market.NeuronCandidate{UID: uint16(i), Emission: n.Emission, RegisteredAt: n.RegBlock, Immortal: immortal}
			if !immortal {
				if b >= n.RegBlock && b-n.RegBlock >= s.Hyper.ImmunityPeriod {
					anyFree = true
				}
				firstFree = min(firstFree, n.RegBlock+s.Hyper.ImmunityPeriod)
			}
		}
		if !anyFree {
			// tao refuses, rather than replacing an immune uid as the
			// chain's rule would (docs/decisions.md).
			return fmt.Errorf("%w: subnet %d has all %d uids taken and every one is immune; try again at block %d",
				ErrSubnetFull, s.NetUID, s.N, firstFree)
		}
		p := c.market()
		victim, err := p.NeuronToPrune(b, s.Hyper.ImmunityPeriod, cands)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrSubnetFull, err)
		}
		uid = victim
		old := neurons[victim]
		c.o.set(uidKey(s.NetUID, old.Hotkey), nil)
		c.o.set(commitKey(s.NetUID, old.Hotkey), nil)
		c.emit("deregister", "netuid", fmt.Sprint(s.NetUID), "uid", fmt.Sprint(victim), "hotkey", old.Hotkey.String())
	} else {
		s.N++
	}
	n := &neuronRecord{Hotkey: h, Coldkey: coldkey, RegBlock: b, LastUpdate: b}
	if err := putNeuron(c.o, s.NetUID, uid, n); err != nil {
		return err
	}
	c.emit("register", "netuid", fmt.Sprint(s.NetUID), "uid", fmt.Sprint(uid), "hotkey", h.String())
	return putRecord(c.o, uidKey(s.NetUID, h), uid)
}

// registerTx registers a hotkey on a subnet by burn (dtao.md §9).
func (c *txContext) registerTx(t *protocols.Register) error {
	s, err := c.subnet(t.NetUID)
	if err != nil {
		return err
	}
	b := c.height()
	if !s.Hyper.RegistrationAllowed {
		return fmt.Errorf("%w: the owner of subnet %d disabled registration", ErrRegistrationClosed, t.NetUID)
	}
	mp := subnetMarket(c.market(), s)
	if !c.check && s.LastRegBlock == b && int(s.RegsInBlock) >= mp.MaxRegsPerBlockPerS {
		return fmt.Errorf("%w: subnet %d takes %d registration per block; it waits for block %d", ErrDeferred, t.NetUID, mp.MaxRegsPerBlockPerS, b+1)
	}
	if t.MaxBurn != 0 && s.Burn > market.Rao(t.MaxBurn) {
		return fmt.Errorf("%w: the registration burn is %v TAO, above the maximum of %v TAO given; raise it or wait (the burn halves every %d blocks)",
			ErrPriceAboveMax, s.Burn, market.Rao(t.MaxBurn), mp.BurnHalfLife)
	}
	h := Hotkey(t.Hotkey)
	if err := c.claimHotkey(h); err != nil {
		return err
	}
	sw, err := s.pool().BurnBuy(mp, s.Burn)
	if errors.Is(err, market.ErrZeroOutput) {
		return fmt.Errorf("%w: the registration burn of %v TAO buys no alpha from subnet %d's pool at its price, and a registration must buy some (as on the chain); it is refused until the burn or the pool's price changes",
			err, s.Burn, t.NetUID)
	}
	if err != nil {
		return marketErr(fmt.Sprintf("registration burn of %v TAO on subnet %d", s.Burn, t.NetUID), err)
	}
	if err := c.debit(c.signer, s.Burn, "the registration burn"); err != nil {
		return err
	}
	s.setPool(sw.Pool) // the alpha bought is burned: it never reaches AlphaOut
	if err := c.addNeuron(s, h, c.signer); err != nil {
		return err
	}
	if err := c.payAuthor(sw.AuthorTAO); err != nil {
		return err
	}
	c.emit("burn", "netuid", fmt.Sprint(t.NetUID), "tao", fmt.Sprint(uint64(s.Burn)))
	if s.LastRegBlock != b {
		s.LastRegBlock, s.RegsInBlock = b, 0
	}
	s.RegsInBlock++
	s.Burn = mp.BumpBurn(s.Burn)
	return putSubnet(c.o, s)
}

// dissolve removes a subnet past its immunity to make room for a new one
// (dtao.md §10): its pool's TAO goes to the alpha holders pro rata to
// their alpha, the rounding remainder and the part of the protocol's,
// pending and unowned alpha to the owner; its neurons, stakes and
// commits are deleted.
func (c *txContext) dissolve(netuid uint16) error {
	s, err := c.subnet(netuid)
	if err != nil {
		return err
	}
	type holding struct {
		h Hotkey
		c Account
		a market.Rao
	}
	var hs []holding
	var del [][]byte
	err = c.o.Iterate([]byte{skStakePool}, func(k, _ []byte) error {
		if len(k) != 1+32+2 || netuidOf(k[32:]) != netuid {
			return nil
		}
		var h Hotkey
		copy(h[:], k[1:33])
		accts, _, err := stakers(c.o, h, netuid)
		if err != nil {
			return err
		}
		for _, a := range accts {
			amt, err := stakeOf(c.o, h, netuid, a)
			if err != nil {
				return err
			}
			hs = append(hs, holding{h, a, amt})
		}
		del = append(del, append([]byte(nil), k...))
		return nil
	})
	if err != nil {
		return err
	}
	left := s.PoolTAO
	for _, x := range hs {
		// Every holding's shares and stake index go, whatever AlphaOut
		// is: a netuid reused by a new subnet must start without them.
		if err := putShares(c.o, x.h, netuid, x.c, 1, 0); err != nil {
			return err
		}
		if s.AlphaOut == 0 {
			continue
		}
		part, ok := mulDiv(uint64(s.PoolTAO), uint64(x.a), uint64(s.AlphaOut))
		if !ok {
			return ErrOverflow
		}
		if err := credit(c.o, x.c, market.Rao(part)); err != nil {
			return err
		}
		left -= market.Rao(part)
	}
	if err := credit(c.o, s.Owner, left); err != nil {
		return err
	}
	for _, k := range del {
		c.o.set(k, nil)
	}
	for _, pre := range [][]byte{neuronPrefix(netuid), u16([]byte{skUID}, netuid), u16([]byte{skCommit}, netuid)} {
		var keys [][]byte
		if err := c.o.Iterate(pre, func(k, _ []byte) error {
			keys = append(keys, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			c.o.set(k, nil)
		}
	}
	c.o.set(subnetKey(netuid), nil)
	econ, err := getEconomy(c.o)
	if err != nil {
		return err
	}
	econ.Subnets--
	c.emit("dissolve-subnet", "netuid", fmt.Sprint(netuid), "tao", fmt.Sprint(uint64(s.PoolTAO)))
	return putRecord(c.o, economyKey, &econ)
}

// setSubnetParamsTx sets one hyperparameter; only the owner may.
func (c *txContext) setSubnetParamsTx(t *protocols.SetSubnetParams) error {
	s, err := c.subnet(t.NetUID)
	if err != nil {
		return err
	}
	if s.Owner != c.signer {
		return fmt.Errorf("%w: subnet %d is owned by coldkey %s; sign with it", ErrNotOwner, t.NetUID, s.Owner)
	}
	if err := setSubnetParam(s, t.Param, t.Value, t.Text, c.chain.Params); err != nil {
		return err
	}
	c.emit("set-subnet-params", "netuid", fmt.Sprint(t.NetUID), "param", t.Param)
	return putSubnet(c.o, s)
}

// SubnetParams names the hyperparameters set-subnet-params accepts.
var SubnetParams = []string{
	"name", "task", "model", "tempo", "max_uids", "max_validators", "immunity_period", "weights_rate_limit",
	"commit_reveal", "reveal_period", "min_allowed_weights", "weights_version", "registration_allowed",
	"min_burn", "max_burn", "kappa", "bonds_moving_average", "bonds_penalty", "yuma3", "liquid_alpha",
	"alpha_low", "alpha_high", "activity_cutoff_milli", "stake_threshold", "max_weight_limit",
}

// setSubnetParam sets one of SubnetParams on s, checking its bounds.
func setSubnetParam(s *subnetRecord, param string, v uint64, text string, p Params) error {
	h := &s.Hyper
	bad := func(want string) error {
		return fmt.Errorf("%w: %s = %d, want %s", ErrBadParam, param, v, want)
	}
	u16 := func(dst *uint16, lo, hi uint64) error {
		if v < lo || v > hi {
			return bad(fmt.Sprintf("%d..%d", lo, hi))
		}
		*dst = uint16(v)
		return nil
	}
	u64 := func(dst *uint64, lo, hi uint64) error {
		if v < lo || v > hi {
			return bad(fmt.Sprintf("%d..%d", lo, hi))
		}
		*dst = v
		return nil
	}
	flag := func(dst *bool) error {
		if v > 1 {
			return bad("0 or 1")
		}
		*dst = v == 1
		return nil
	}
	switch param {
	case "name":
		if len(text) > protocols.MaxSubnetNameLen {
			return fmt.Errorf("%w: name of %d bytes, limit %d", ErrBadParam, len(text), protocols.MaxSubnetNameLen)
		}
		s.Name = text
		return nil
	case "task":
		s.Task = text
		return nil
	case "model":
		s.Model = text
		return nil
	case "tempo":
		return u16(&h.Tempo, 1, 7200)
	case "max_uids":
		if err := u16(&h.MaxUIDs, max(uint64(s.N), 1), uint64(p.MaxUIDs)); err != nil {
			return err
		}
		h.MaxValidators = min(h.MaxValidators, h.MaxUIDs)
		return nil
	case "max_validators":
		return u16(&h.MaxValidators, 1, uint64(h.MaxUIDs))
	case "immunity_period":
		return u64(&h.ImmunityPeriod, 0, 1_000_000)
	case "weights_rate_limit":
		return u64(&h.WeightsRateLimit, 0, 1_000_000)
	case "commit_reveal":
		return flag(&h.CommitReveal)
	case "reveal_period":
		return u64(&h.RevealPeriod, 1, 1_000_000)
	case "min_allowed_weights":
		return u16(&h.MinAllowedWeights, 0, uint64(h.MaxUIDs))
	case "weights_version":
		return u64(&h.WeightsVersion, 0, ^uint64(0))
	case "registration_allowed":
		return flag(&h.RegistrationAllowed)
	case "min_burn":
		var m uint64
		if err := u64(&m, 1, uint64(h.MaxBurn)); err != nil {
			return err
		}
		h.MinBurn = market.Rao(m)
		return nil
	case "max_burn":
		var m uint64
		if err := u64(&m, uint64(h.MinBurn), uint64(market.SupplyCap)); err != nil {
			return err
		}
		h.MaxBurn = market.Rao(m)
		return nil
	case "kappa":
		return u16(&h.Kappa, 0, 65535)
	case "bonds_moving_average":
		return u64(&h.BondsMovingAverage, 0, 1_000_000)
	case "bonds_penalty":
		return u16(&h.BondsPenalty, 0, 65535)
	case "yuma3":
		return flag(&h.Yuma3)
	case "liquid_alpha":
		return flag(&h.LiquidAlpha)
	case "alpha_low":
		return u16(&h.AlphaLow, 1, uint64(h.AlphaHigh))
	case "alpha_high":
		return u16(&h.AlphaHigh, uint64(h.AlphaLow), 65535)
	case "activity_cutoff_milli":
		var m uint64
		if err := u64(&m, 1, 1_000_000); err != nil {
			return err
		}
		h.ActivityCutoffMilli = uint32(m)
		return nil
	case "max_weight_limit":
		return u16(&h.MaxWeightLimit, 1, 65535)
	case "stake_threshold":
		var m uint64
		if err := u64(&m, 0, uint64(market.SupplyCap)); err != nil {
			return err
		}
		h.StakeThreshold = market.Rao(m)
		return nil
	}
	return fmt.Errorf("%w: no parameter %q; settable: %v", ErrBadParam, param, SubnetParams)
}
