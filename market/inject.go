package market

// TaoWeightFixed returns w_τ = floor(TaoWeight·2^32/(2^64 − 1))/2^32 as a U96F32 (dtao.md §5).
// For the default TaoWeight its bits are 226 245 882 (≈ 0.0527).
func TaoWeightFixed(taoWeight uint64) U96F32 {
	q, _ := divmod(shl256(u128of(taoWeight), 32), u128of(^uint64(0)))
	return U96F32{u128{q[1], q[0]}}
}

// RootProp returns root_prop = tw/(tw + alpha_issuance) with tw = rootTAO·w_τ, in U96F32, 0 if
// the sum is 0 (dtao.md §5, `root_proportion`). rootTAO is the TAO staked on the root subnet;
// alphaIssuance is the subnet's SubnetAlphaIn + SubnetAlphaOut.
func RootProp(rootTAO Rao, taoWeight uint64, alphaIssuance Rao) (U96F32, error) {
	tw, err := U96F32FromRao(rootTAO).Mul(TaoWeightFixed(taoWeight))
	if err != nil {
		return U96F32{}, err
	}
	sum, err := tw.Add(U96F32FromRao(alphaIssuance))
	if err != nil || sum.IsZero() {
		return U96F32{}, err
	}
	return tw.Div(sum)
}

// InjectInput is one emitting subnet's input to Inject.
type InjectInput struct {
	Pool          Pool   // the subnet's pool before the injection
	TAOEmission   U96F32 // tao_emission_i (§4.2 step 4; 0 for a subnet with emission disabled)
	AlphaEmission Rao    // alpha_emission_i = BlockEmission(SubnetAlphaIn + SubnetAlphaOut)
	RootProp      U96F32 // root_prop_i (RootProp)
}

// Injection is what Inject did to one subnet. The ledger applies it: Pool replaces the pool,
// ProtocolAlpha and AlphaOut are added to SubnetAlphaOut (ProtocolAlpha also to
// SubnetProtocolAlpha), and TAO minted for the subnet is TAOIn + Excess.
type Injection struct {
	Pool Pool // the pool after the excess buy and the injection
	// AlphaIn and TAOIn are the floored amounts added to the reserves; both are 0 when Skipped.
	AlphaIn, TAOIn Rao
	// Excess is tao_emission − tao_in (floored), swapped for alpha without fee or limit;
	// ProtocolAlpha is the alpha it bought. If that swap failed a pool guard or would have bought
	// no alpha, ExcessUnspent is set, nothing was bought and the excess TAO must not be minted.
	Excess        Rao
	ProtocolAlpha Rao
	ExcessUnspent bool
	// Skipped reports that the weight update of §8.5 would leave the weight bounds, so no
	// liquidity was added (and TAOIn must not be minted).
	Skipped bool
	// AlphaOut is alpha_out_i = alpha_emission_i, minted to SubnetAlphaOut (§5), then split (§6).
	AlphaOut Rao
}

// Inject runs dtao.md §5 for one emitting subnet, in U96F32:
//
//	alpha_in = tao_emission / π  (0 if π = 0)
//	if alpha_in > root_prop · alpha_emission: alpha_in = that cap, tao_in = alpha_in · π
//	else tao_in = tao_emission
//	excess = tao_emission − tao_in, bought from the pool (no fee, no limit)
//
// then tao_in and alpha_in (floored) are added at the current price (§8.5), and alpha_out =
// alpha_emission. The order — the excess buy before the injection — is the chain's
// (inject_and_maybe_swap); π is the spot price before both.
func (p Params) Inject(in InjectInput) (Injection, error) {
	out := Injection{Pool: in.Pool, AlphaOut: in.AlphaEmission}
	price64, err := in.Pool.Price()
	if err != nil {
		return Injection{}, err
	}
	price := price64.U96F32()
	taoIn := in.TAOEmission
	var alphaIn U96F32
	if !price.IsZero() {
		if alphaIn, err = in.TAOEmission.Div(price); err != nil {
			return Injection{}, err
		}
		limit, err := in.RootProp.Mul(U96F32FromRao(in.AlphaEmission))
		if err != nil {
			return Injection{}, err
		}
		if alphaIn.Cmp(limit) > 0 {
			alphaIn = limit
			if taoIn, err = alphaIn.Mul(price); err != nil {
				return Injection{}, err
			}
		}
	}
	excess, err := in.TAOEmission.SatSub(taoIn).Floor()
	if err != nil {
		return Injection{}, err
	}
	if out.TAOIn, err = taoIn.Floor(); err != nil {
		return Injection{}, err
	}
	if out.AlphaIn, err = alphaIn.Floor(); err != nil {
		return Injection{}, err
	}
	out.Excess = excess
	if excess > 0 {
		// A buy that would fetch no alpha fails on the chain too (swap_step.rs: a positive input
		// must pay out something), so that excess is not spent either.
		if buy, err := out.Pool.ProtocolBuy(p, excess); err == nil && buy.Out > 0 {
			out.Pool, out.ProtocolAlpha = buy.Pool, buy.Out
		} else {
			out.ExcessUnspent = true
		}
	}
	next, ok, err := out.Pool.AddLiquidity(p, out.TAOIn, out.AlphaIn)
	if err != nil {
		return Injection{}, err
	}
	if !ok {
		out.Skipped, out.TAOIn, out.AlphaIn = true, 0, 0
		return out, nil
	}
	out.Pool = next
	return out, nil
}
