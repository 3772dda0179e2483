package market

// SubnetStatus holds what dtao.md §4.1 asks of a subnet to decide whether it emits.
type SubnetStatus struct {
	NetUID              uint16
	FirstEmissionSet    bool // the owner called start_call
	SubtokenEnabled     bool
	RegistrationAllowed bool
}

// Emits reports whether the subnet takes part in the block's emission (dtao.md §4.1): not the
// root subnet (netuid 0), started, subtoken enabled and registration allowed.
func (s SubnetStatus) Emits() bool {
	return s.NetUID != 0 && s.FirstEmissionSet && s.SubtokenEnabled && s.RegistrationAllowed
}

// ShareInput is one emitting subnet's input to Shares.
type ShareInput struct {
	// Price is p_i: SubnetMovingPrice (§4.3), or 1 for a stable (mechanism-0) subnet.
	Price U64F64
	// MinerBurned is the fraction of the subnet's last epoch incentive that went to the owner's
	// own hotkeys (§7 step 5); values above 1 count as 1.
	MinerBurned U64F64
	// EmissionDisabled is SubnetEmissionEnabled = false. The zero value emits.
	EmissionDisabled bool
}

// Shares returns each emitting subnet's share of the block's TAO (dtao.md §4.2), in U64F64,
// index for index with in:
//
//  1. share_i = p_i / Σ p (all 0 if Σ p = 0);
//  2. share_i ← share_i · (1 − min(1, MinerBurned_i)), renormalized by the new sum; if that sum
//     is 0, step 1's shares are kept;
//  3. if any subnet has emission disabled, those get 0 and the others are divided by their sum
//     (all 0 if that sum is 0); with none disabled, step 2's shares stand as they are (the
//     chain's get_subnet_block_emissions renormalizes only when it finds a disabled subnet, and a
//     second division by a sum a few ulps below 1 would raise some shares by an ulp).
//
// The shares sum to at most 1 (each division truncates). The returned slice is the caller's.
func Shares(in []ShareInput) ([]U64F64, error) {
	shares := make([]U64F64, len(in))
	var sum U64F64
	for _, s := range in {
		var err error
		if sum, err = sum.Add(s.Price); err != nil {
			return nil, err
		}
	}
	if sum.IsZero() {
		return shares, nil
	}
	for i, s := range in {
		var err error
		if shares[i], err = s.Price.Div(sum); err != nil {
			return nil, err
		}
	}
	// Step 2: discount by MinerBurned.
	one := U64F64One()
	burned := make([]U64F64, len(in))
	for i, s := range in {
		v, err := shares[i].Mul(one.SatSub(s.MinerBurned.Min(one)))
		if err != nil {
			return nil, err
		}
		burned[i] = v
	}
	if err := normalize(burned); err != nil {
		return nil, err
	}
	if !isAllZero(burned) {
		shares = burned
	}
	// Step 3: drop disabled subnets and renormalize, only if there are any.
	disabled := false
	for i, s := range in {
		if s.EmissionDisabled {
			shares[i], disabled = U64F64{}, true
		}
	}
	if !disabled {
		return shares, nil
	}
	if err := normalize(shares); err != nil {
		return nil, err
	}
	return shares, nil
}

// normalize divides every element by the sum, in place; all zeros stay zeros.
func normalize(v []U64F64) error {
	var sum U64F64
	for _, x := range v {
		var err error
		if sum, err = sum.Add(x); err != nil {
			return err
		}
	}
	if sum.IsZero() {
		return nil
	}
	for i := range v {
		var err error
		if v[i], err = v[i].Div(sum); err != nil {
			return err
		}
	}
	return nil
}

func isAllZero(v []U64F64) bool {
	for _, x := range v {
		if !x.IsZero() {
			return false
		}
	}
	return true
}

// TAOEmission returns tao_emission_i = block_TAO · share_i (dtao.md §4.2 step 4), computed in
// U64F64 and returned as U96F32 (truncating the low fractional bits).
func TAOEmission(blockTAO Rao, share U64F64) (U96F32, error) {
	v, err := share.Mul(U64F64FromInt(uint64(blockTAO)))
	if err != nil {
		return U96F32{}, err
	}
	return v.U96F32(), nil
}

// MovingPrice returns the next SubnetMovingPrice of an emitting subnet (dtao.md §4.3):
//
//	a   = MovingAlpha · n_b/(n_b + EMAPriceHalvingBlocks)
//	new = a·min(π, 1) + (1 − a)·old
//
// computed in U64F64 and returned as the stored I96F32 (here U96F32: it is never negative).
// blocksSinceStart is n_b, the blocks since the start_call block; spot is π (§8.1).
func (p Params) MovingPrice(old U96F32, spot U64F64, blocksSinceStart uint64) (U96F32, error) {
	var frac U64F64 // n_b/(n_b + H), 0 if the sum is 0
	if den := u128of(blocksSinceStart).add1(u128of(p.EMAPriceHalvingBlocks)); !den.isZero() {
		q, err := divFix(u128of(blocksSinceStart), den, fracU64F64)
		if err != nil {
			return U96F32{}, err
		}
		frac = U64F64{q}
	}
	a, err := p.MovingAlpha.Mul(frac)
	if err != nil {
		return U96F32{}, err
	}
	one := U64F64One()
	cur, err := a.Mul(spot.Min(one))
	if err != nil {
		return U96F32{}, err
	}
	o, err := old.U64F64()
	if err != nil {
		return U96F32{}, err
	}
	keep, err := one.SatSub(a).Mul(o)
	if err != nil {
		return U96F32{}, err
	}
	sum, err := cur.Add(keep)
	if err != nil {
		return U96F32{}, err
	}
	return sum.U96F32(), nil
}

// RootSell reports the "root sell flag" of dtao.md §6: whether the emitting subnets' moving
// prices sum to more than 1. Only then is root_alpha accumulated; otherwise it is recycled.
func RootSell(movingPrices []U96F32) bool {
	var sum u128
	one := U96F32FromInt(1).b
	for _, p := range movingPrices {
		var c bool
		if sum, c = sum.add(p.b); c || sum.cmp(one) > 0 {
			return true
		}
	}
	return false
}
