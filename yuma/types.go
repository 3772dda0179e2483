package yuma

// MaxN is the largest number of uids an epoch accepts (spec/yuma.md §9).
const MaxN = 4096

// MaxBondsMovingAverage is the largest hyper.bonds_moving_average (§9).
const MaxBondsMovingAverage = 1_000_000

// Entry is one (uid, value) pair of a stored weight or bond row (§1 "Sparse
// rows"). Rows keep their stored order, which matters (§3.12.3, quirk Q2).
type Entry struct {
	UID   uint16
	Value uint16
}

// OptBlock is a block number that may be absent (a JSON null). The zero
// value is absent.
type OptBlock struct {
	Block uint64
	Valid bool
}

// Hyper holds the subnet hyperparameters of one epoch (§5). The zero value
// means literal zeros (kappa 0, bonds penalty 0, …), not the chain defaults;
// start from DefaultHyper.
type Hyper struct {
	Kappa                     uint16 // κ = Kappa/65535
	BondsPenalty              uint16 // β = BondsPenalty/65535
	BondsMovingAverage        uint64 // α = 1 − BondsMovingAverage/10^6; at most 10^6
	Yuma3                     bool   // variant: Yuma3 (true) or Yuma2 (false)
	LiquidAlpha               bool   // only read by Yuma3
	AlphaLow, AlphaHigh       uint16 // liquid-alpha bounds, AlphaLow ≤ AlphaHigh
	AlphaSigmoidSteepness     int16  //
	MaxAllowedValidators      uint16 // K of §3.3
	StakeThreshold            uint64 // rao; the owner is exempt
	ActivityCutoffFactorMilli uint32 // only used to default Input.ActivityCutoff
	CommitReveal              bool   // enables §3.5 step 4
}

// DefaultHyper returns the chain's storage defaults (§5), with CommitReveal
// false as in the CLI (§9).
func DefaultHyper() Hyper {
	return Hyper{
		Kappa:                     32767,
		BondsPenalty:              65535,
		BondsMovingAverage:        900_000,
		AlphaLow:                  45875,
		AlphaHigh:                 58982,
		AlphaSigmoidSteepness:     1000,
		MaxAllowedValidators:      128,
		ActivityCutoffFactorMilli: 13889,
	}
}

// ActivityCutoffBlocks is the chain's get_activity_cutoff_blocks (§2):
// max(1, floor(factorMilli·tempo/1000)).
func ActivityCutoffBlocks(factorMilli uint32, tempo uint16) uint64 {
	return max(1, uint64(factorMilli)*uint64(tempo)/1000)
}

// Input is everything one epoch of one subnet reads (§2, JSON form §9).
//
// Per-uid slices have length N. The optional ones (ValidatorPermit,
// LastUpdate, BlockAtRegistration, Weights, Bonds, TaoStake) may be nil,
// meaning all false, zeros or empty rows. Exactly one stake form is used:
// the TAO-weighted form when AlphaStake is non-nil, else the plain Stake.
// Epoch does not modify the Input or keep references to it.
type Input struct {
	N                      int
	CurrentBlock           uint64 // b
	Tempo                  uint16 // T
	ActivityCutoff         uint64 // AC, in blocks (see ActivityCutoffBlocks)
	LastMechanismStepBlock uint64 // LMS; 0 if none

	Stake      []uint64 // plain form (§3.2)
	AlphaStake []uint64 // TAO-weighted form (§3.2) …
	TaoStake   []uint64 // … with these TAO stakes (nil: zeros)
	TaoWeight  uint64   // … and weight TaoWeight/(2^64−1) (tao_weight_u64)

	ValidatorPermit     []bool     // P_old
	LastUpdate          []uint64   // LU
	BlockAtRegistration []uint64   // RB
	Weights             [][]Entry  // Wraw, stored order
	Bonds               [][]Entry  // Braw, stored order
	CommitBlocks        []OptBlock // c; nil is the JSON null (no commits at all)

	HasOwner bool // whether the subnet owner's hotkey has a uid
	OwnerUID int  // o, read only when HasOwner

	Hyper       Hyper
	RaoEmission uint64 // E, alpha in rao distributed by the epoch
}

// Output is the result of one epoch (§3.14, JSON form §9). Every slice has
// length N (empty, not nil, when N = 0); the caller owns them.
type Output struct {
	Active             []bool
	NewValidatorPermit []bool // P' (§3.3), the permits of the next epoch

	StakeWeight    []uint16
	Consensus      []uint16
	ValidatorTrust []uint16
	Incentive      []uint16
	Dividends      []uint16
	Ranks          []uint16 // legacy (§3.8)
	Trust          []uint16 // legacy (§3.8)
	PruningScore   []uint16 // legacy (§3.14)

	Emission          []uint64 // rao
	ServerEmission    []uint64 // rao, miners' part
	ValidatorEmission []uint64 // rao, validators' part

	// Bonds are the bond rows to store for the next epoch: row i is empty
	// unless NewValidatorPermit[i]; entry order per §3.14.
	Bonds [][]Entry

	Q32 Q32Vectors
}

// Q32Vectors are the raw I32F32 bits of the epoch's main vectors (§3.14 q32).
type Q32Vectors struct {
	Stake                       []int64 // S
	ActiveStake                 []int64 // a
	Consensus                   []int64 // C
	ValidatorTrust              []int64 // VT
	Incentive                   []int64 // I
	Dividends                   []int64 // D
	NormalizedServerEmission    []int64 // nse
	NormalizedValidatorEmission []int64 // nve
	NormalizedCombinedEmission  []int64 // nce, after the fallback
}
