package market

// Split is alpha_out divided as dtao.md §6 says; each part is floored to rao. The ledger adds
// them to PendingOwnerCut, PendingServerEmission, PendingValidatorEmission and
// PendingRootAlphaDivs. Owner + Server + Validator + Root + Recycled ≤ alpha_out; the few rao of
// flooring are minted with alpha_out (§5) but owned by nobody (the ledger's UnownedAlpha).
type Split struct {
	Owner, Server, Validator, Root Rao
	// Recycled is root_alpha when the root sell flag is off (RootSell false): it is recycled
	// instead of accumulated, and Root is 0.
	Recycled Rao
}

// OwnerCutFixed returns cut = SubnetOwnerCut/65535 as a U96F32, or 0 if the owner cut is
// disabled (dtao.md §6).
func (p Params) OwnerCutFixed() U96F32 {
	if !p.OwnerCutEnabled {
		return U96F32{}
	}
	c, _ := U96F32FromRatio(uint64(p.OwnerCut), 65_535)
	return c
}

// SplitAlphaOut splits one block's alpha_out of a subnet (dtao.md §6, emit_to_subnets), in
// U96F32:
//
//	owner      = alpha_out · cut
//	rest       = alpha_out − owner
//	root_alpha = root_prop · rest · 0.5
//	server     = rest · 0.5
//	validator  = (rest − server) − root_alpha
//
// rootSell is the root sell flag (RootSell over the emitting subnets' moving prices).
func (p Params) SplitAlphaOut(alphaOut Rao, rootProp U96F32, rootSell bool) (Split, error) {
	a := U96F32FromRao(alphaOut)
	half := U96F32FromBits(0, 1<<31)
	owner, err := a.Mul(p.OwnerCutFixed())
	if err != nil {
		return Split{}, err
	}
	rest := a.SatSub(owner)
	rp, err := rootProp.Mul(rest)
	if err != nil {
		return Split{}, err
	}
	root, err := rp.Mul(half)
	if err != nil {
		return Split{}, err
	}
	server, err := rest.Mul(half)
	if err != nil {
		return Split{}, err
	}
	validator := rest.SatSub(server).SatSub(root)
	var s Split
	for _, f := range []struct {
		v   U96F32
		dst *Rao
	}{{owner, &s.Owner}, {server, &s.Server}, {validator, &s.Validator}, {root, &s.Root}} {
		if *f.dst, err = f.v.Floor(); err != nil {
			return Split{}, err
		}
	}
	if !rootSell {
		s.Recycled, s.Root = s.Root, 0
	}
	return s, nil
}
