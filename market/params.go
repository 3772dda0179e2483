package market

import "fmt"

// Params are the economy's parameters (dtao.md §11). They are a value: each ledger carries its
// own, and nothing in this package reads global state. The zero value is not usable; start from
// DefaultParams or DevParams and change fields.
type Params struct {
	// §3 block emission.
	SupplyCap    Rao // C: no TAO (or alpha) is emitted at or beyond it
	BaseEmission Rao // emission per block before the first halving

	// §6 alpha_out split and §7 take.
	OwnerCut        uint16 // SubnetOwnerCut, parts of 65 535
	OwnerCutEnabled bool   // OwnerCutEnabled; false: the owner gets nothing
	DefaultTake     uint16 // delegate take of a new hotkey, parts of 65 535
	MaxTake         uint16 // largest delegate take, parts of 65 535

	// §5 root proportion.
	TaoWeight uint64 // TaoWeight, parts of 2^64 − 1

	// §8 pool.
	FeeRate        uint16      // swap fee, parts of 65 535 (FeeRate)
	MaxFeeRate     uint16      // largest FeeRate an owner may set
	MinStake       Rao         // smallest stake a user may add (checked by the ledger)
	MinReserve     Rao         // a swap's output reserve stays at or above this (§8.4 guard)
	MaxInputFactor uint64      // a swap's net input is at most this × the input reserve
	MinWeight      Perquintill // pool weights stay within [MinWeight, 1 − MinWeight]

	// §4.3 moving price.
	MovingAlpha           U64F64 // SubnetMovingAlpha
	EMAPriceHalvingBlocks uint64 // EMAPriceHalvingBlocks

	// §7 epoch schedule.
	MaxEpochsPerBlock   int    // epochs run in one block at most
	Tempo               uint16 // blocks between epochs of a new subnet
	MaxBlocksSinceEpoch uint64 // an epoch is forced when BlocksSinceLastStep exceeds this

	// §9 neuron registration.
	InitialBurn         Rao    // burn of a new subnet
	MinBurn, MaxBurn    Rao    // clamps of the burn
	BurnHalfLife        uint64 // blocks; 0: the burn does not decay
	BurnIncreaseMult    U64F64 // BurnIncreaseMult, ≥ 1
	ImmunityPeriod      uint64 // blocks a new neuron is immune from replacement
	NewSubnetImmunity   uint64 // ImmunityPeriod of a newly created subnet
	MinNonImmuneUIDs    int    // MinNonImmuneUids
	MaxRegsPerBlockPerS int    // registrations per block per subnet (checked by the ledger)

	// §10 subnet creation.
	NetworkMinLockCost    Rao    // NetworkMinLockCost
	LockReductionInterval uint64 // blocks over which the doubled lock falls back
	NetworkRateLimit      uint64 // blocks between subnet creations (checked by the ledger)
	SubnetLimit           int    // SubnetLimit
	NetworkImmunity       uint64 // NetworkImmunityPeriod
}

// DefaultParams returns the parameters of dtao.md §11 (the `main` preset).
func DefaultParams() Params {
	return Params{
		SupplyCap:    SupplyCap,
		BaseEmission: RaoPerTAO,

		OwnerCut:        11_796,
		OwnerCutEnabled: true,
		DefaultTake:     11_796,
		MaxTake:         11_796,

		TaoWeight: 971_718_665_099_567_868,

		FeeRate:        33,
		MaxFeeRate:     10_000,
		MinStake:       2_000_000,
		MinReserve:     1_000_000,
		MaxInputFactor: 1_000,
		MinWeight:      PerquintillOne / 100,

		// SubnetMovingAlpha is stored as an I96F32 made from the f64 0.000003 (DefaultMovingAlpha
		// in the chain's lib.rs): rounded to the nearest 2^-32, bits 12 885 (≈ 3.0000228·10^-6),
		// then widened exactly to U64F64 in update_moving_price (stake_utils.rs). floor(3·10^-6·2^64)
		// would be 7.6·10^-6 relative lower and can move the stored price by one bit.
		MovingAlpha:           U64F64FromBits(0, 12_885<<32),
		EMAPriceHalvingBlocks: 201_600,

		MaxEpochsPerBlock:   2,
		Tempo:               360,
		MaxBlocksSinceEpoch: 50_400,

		InitialBurn:  RaoPerTAO / 10,
		MinBurn:      500_000,
		MaxBurn:      100 * RaoPerTAO,
		BurnHalfLife: 360,
		// The U64F64 bits of the f64 nearest 1.26 (0x3FF428F5C28F5C29), converted exactly, as a
		// Rust from_num(1.26) does: it lies 8.9·10^-18 above 1.26, which is what makes §9's bump
		// of 0.1 TAO land on 126 000 000 rao; floor(1.26·2^64) would give 125 999 999.
		BurnIncreaseMult:    U64F64FromBits(1, 0x428f5c28f5c29000),
		ImmunityPeriod:      4_096,
		NewSubnetImmunity:   5_000,
		MinNonImmuneUIDs:    10,
		MaxRegsPerBlockPerS: 1,

		NetworkMinLockCost:    1_000 * RaoPerTAO,
		LockReductionInterval: 14 * 7_200,
		NetworkRateLimit:      7_200,
		SubnetLimit:           128,
		NetworkImmunity:       1_296_000,
	}
}

// DevParams returns DefaultParams with the dev preset's tempo of 10 (dtao.md §11).
func DevParams() Params {
	p := DefaultParams()
	p.Tempo = 10
	return p
}

// Validate reports the first field outside its range, wrapped in ErrInvalidParams.
func (p Params) Validate() error {
	bad := func(field string, v any) error {
		return fmt.Errorf("%s = %v: %w", field, v, ErrInvalidParams)
	}
	switch {
	case p.SupplyCap == 0:
		return bad("SupplyCap", p.SupplyCap)
	case p.DefaultTake > p.MaxTake:
		return bad("DefaultTake", p.DefaultTake)
	case p.MaxFeeRate >= 65_535:
		return bad("MaxFeeRate", p.MaxFeeRate)
	case p.FeeRate > p.MaxFeeRate:
		return bad("FeeRate", p.FeeRate)
	case p.MinWeight == 0 || p.MinWeight >= PerquintillOne/2:
		return bad("MinWeight", p.MinWeight)
	case p.MaxInputFactor == 0:
		return bad("MaxInputFactor", p.MaxInputFactor)
	case p.MovingAlpha.Cmp(U64F64One()) > 0:
		return bad("MovingAlpha", p.MovingAlpha)
	case p.MaxEpochsPerBlock < 1:
		return bad("MaxEpochsPerBlock", p.MaxEpochsPerBlock)
	case p.MinBurn > p.MaxBurn:
		return bad("MinBurn", p.MinBurn)
	case p.BurnIncreaseMult.Cmp(U64F64One()) < 0:
		return bad("BurnIncreaseMult", p.BurnIncreaseMult)
	case p.LockReductionInterval == 0:
		return bad("LockReductionInterval", p.LockReductionInterval)
	case p.SubnetLimit < 1:
		return bad("SubnetLimit", p.SubnetLimit)
	}
	return nil
}
