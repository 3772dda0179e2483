package ledger

import "github.com/taonet/tao/market"

// listSubnets returns every subnet in netuid order.
func listSubnets(v View) ([]*subnetRecord, error) {
	var out []*subnetRecord
	err := v.Iterate([]byte{skSubnet}, func(k, val []byte) error {
		s := new(subnetRecord)
		if err := decodeSubnet(k, val, s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

func putSubnet(o *overlay, s *subnetRecord) error {
	b, err := s.MarshalCBOR() // directly: protocols.Marshal would check its output once more
	if err != nil {
		return err
	}
	o.set(subnetKey(s.NetUID), b)
	return nil
}

// subnetMarket returns the market parameters with a subnet's own burn
// bounds.
func subnetMarket(mp market.Params, s *subnetRecord) market.Params {
	mp.MinBurn, mp.MaxBurn = s.Hyper.MinBurn, s.Hyper.MaxBurn
	mp.Tempo = s.Hyper.Tempo
	return mp
}

// emits reports whether a subnet takes part in emission (dtao.md §4.1):
// tao starts a subnet's emission at its creation (no start call), so a
// subnet emits while registration on it is allowed.
func (s *subnetRecord) emits() bool { return s.NetUID != 0 && s.Hyper.RegistrationAllowed }

// blockStep is the market's part of a block, run before its transactions
// in the order of spec/dtao.md §2: registration burn decay, block
// emission, each emitting subnet's share, injection and alpha split, the
// epochs that are due with their payouts, and the moving prices.
//
// A market computation that fails for one subnet (an overflow that only a
// corrupt state produces) skips that subnet's step for the block: every
// replica skips it alike, and the chain goes on.
func (e *Exec) blockStep() error {
	o := e.block
	b := e.header.Height
	subnets, err := listSubnets(o)
	if err != nil || len(subnets) == 0 {
		return err
	}
	mp := e.chain.Params.Market()

	// §9: burn decay, skipped at blocks 0 and 1, then the clamp to the
	// subnet's [MinBurn, MaxBurn], every block.
	var f uint64
	if b > 1 {
		f = market.DecayFactor(mp.BurnHalfLife)
	}
	for _, s := range subnets {
		if smp := subnetMarket(mp, s); b > 1 {
			s.Burn = smp.DecayBurnBy(s.Burn, f)
		} else {
			s.Burn = smp.DecayBurn(s.Burn, b)
		}
	}

	// §3, §4, §5, §6: emission into the emitting subnets.
	sup, err := getSupply(o)
	if err != nil {
		return err
	}
	econ, err := getEconomy(o)
	if err != nil {
		return err
	}
	var emitting []*subnetRecord
	var inputs []market.ShareInput
	var moving []market.U96F32
	for _, s := range subnets {
		s.TAOEmission, s.AlphaEmission = 0, 0
		if !s.emits() {
			continue
		}
		p, err := s.movingPrice().U64F64()
		if err != nil {
			p = market.U64F64{}
		}
		emitting = append(emitting, s)
		inputs = append(inputs, market.ShareInput{Price: p, MinerBurned: s.minerBurned()})
		moving = append(moving, s.movingPrice())
	}
	blockTAO := mp.BlockEmission(sup.Issued)
	shares, err := market.Shares(inputs)
	if err != nil {
		shares = make([]market.U64F64, len(inputs))
	}
	rootSell := market.RootSell(moving)
	var minted market.Rao
	for i, s := range emitting {
		t, err := inject(mp, s, blockTAO, shares[i], econ.RootTAO, rootSell)
		if err != nil {
			continue
		}
		minted += t
	}
	if sup.Issued+minted < sup.Issued {
		return ErrOverflow
	}
	sup.Issued += minted
	if err := putSupply(o, sup); err != nil {
		return err
	}

	// §7: epochs.
	clocks := make([]market.EpochClock, len(subnets))
	for i, s := range subnets {
		clocks[i] = s.clock()
	}
	next, run := mp.ScheduleEpochs(b, clocks)
	for i, s := range subnets {
		s.setClock(next[i])
	}
	for _, i := range run {
		s := subnets[i]
		s.setClock(s.clock().Drained())
		if err := e.epoch(s, subnetMarket(mp, s)); err != nil {
			return err
		}
		s.LastMechStep = b
	}

	// §4.3: moving prices, after they were used. n_b counts from the
	// start_call block, the block before the first emission
	// (FirstEmissionBlockNumber − 1 on the chain, update_moving_price). tao
	// has no start_call: a subnet created by a transaction of block
	// Created first emits in block Created + 1 (this step runs before the
	// transactions), a genesis subnet (Created 0) in block 1, so Created
	// is that block and n_b = b − Created (1 at the first emission).
	for _, s := range emitting {
		spot, err := s.pool().Price()
		if err != nil {
			continue
		}
		if m, err := mp.MovingPrice(s.movingPrice(), spot, b-min(b, s.Created)); err == nil {
			s.MovingHi, s.MovingLo = m.Bits()
		}
	}
	for _, s := range subnets {
		if err := putSubnet(o, s); err != nil {
			return err
		}
	}
	return nil
}

// inject runs one emitting subnet's injection and alpha split (dtao.md
// §5, §6) on s and returns the TAO minted for it: SubnetAlphaOut grows by
// alpha_out (less a recycled root_alpha) and the protocol's buy, the
// pending amounts by the floored parts, UnownedAlpha by the rest. On error
// s is unchanged.
func inject(mp market.Params, s *subnetRecord, blockTAO market.Rao, share market.U64F64, rootTAO market.Rao, rootSell bool) (market.Rao, error) {
	taoEm, err := market.TAOEmission(blockTAO, share)
	if err != nil {
		return 0, err
	}
	issuance := s.PoolAlpha + s.AlphaOut
	if issuance < s.PoolAlpha {
		return 0, market.ErrOverflow
	}
	rp, err := market.RootProp(rootTAO, mp.TaoWeight, issuance)
	if err != nil {
		return 0, err
	}
	inj, err := mp.Inject(market.InjectInput{Pool: s.pool(), TAOEmission: taoEm, AlphaEmission: mp.BlockEmission(issuance), RootProp: rp})
	if err != nil {
		return 0, err
	}
	split, err := mp.SplitAlphaOut(inj.AlphaOut, rp, rootSell)
	if err != nil {
		return 0, err
	}
	// alpha_out is minted to SubnetAlphaOut whole (§5); a root_alpha that
	// the root sell flag recycles leaves it again (§6). Of the rest, the
	// parts are floored one by one: the few rao they leave are in
	// SubnetAlphaOut, owned by nobody.
	paid := split.Owner + split.Server + split.Validator + split.Root
	if paid < split.Owner {
		return 0, market.ErrOverflow
	}
	if split.Recycled > inj.AlphaOut || paid > inj.AlphaOut-split.Recycled {
		return 0, market.ErrBadInput
	}
	minted := inj.AlphaOut - split.Recycled
	added := minted + inj.ProtocolAlpha
	if added < minted || s.AlphaOut+added < s.AlphaOut {
		return 0, market.ErrOverflow
	}
	// The TAO minted for the subnet is what entered its pool: tao_in
	// unless the injection was skipped, and the excess unless its buy
	// failed a guard.
	if inj.Pool.TAO < s.PoolTAO {
		return 0, market.ErrBadInput
	}
	taoMinted := inj.Pool.TAO - s.PoolTAO
	s.setPool(inj.Pool)
	s.AlphaOut += added
	s.UnownedAlpha += minted - paid
	s.ProtocolAlpha += inj.ProtocolAlpha
	s.PendingOwner += split.Owner
	s.PendingServer += split.Server
	s.PendingValidator += split.Validator
	s.PendingRoot += split.Root
	s.TAOEmission, s.AlphaEmission = taoMinted, inj.AlphaOut
	return taoMinted, nil
}
