package ledger

import (
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/yuma"
)

// Params are a chain's consensus parameters, fixed in its genesis. They are
// a value: each Ledger carries its own and nothing reads global state
// (STYLE §9). The zero value is not usable; start from MainParams or
// DevParams and change fields. Every replica must use identical Params, so
// they are part of the genesis hash.
//
// The economy's parameters (market.Params) are spec/dtao.md §11's
// defaults with the fields below laid over them (Market).
type Params struct {
	// BlockTimeMs is the target interval between blocks in milliseconds.
	// The consensus driver paces proposals by it; block execution never
	// reads it (time is the header's, chosen by the proposer).
	BlockTimeMs uint64 `json:"block_time_ms"`

	// Subnet and neuron constants, in blocks (DESIGN §4 presets).
	Tempo               uint16 `json:"tempo"`                 // blocks between epochs of a subnet
	MaxUIDs             uint16 `json:"max_uids"`              // neurons per subnet
	MaxValidatorPermits uint16 `json:"max_validator_permits"` // validator permits per subnet
	SubnetLimit         uint16 `json:"subnet_limit"`          // subnets on the chain
	ImmunityPeriod      uint64 `json:"immunity_period"`       // blocks a new neuron is immune from pruning
	WeightsRateLimit    uint64 `json:"weights_rate_limit"`    // blocks between weight sets of a hotkey
	CommitReveal        bool   `json:"commit_reveal"`         // weights are committed, then revealed

	// MinLockCost is the smallest subnet lock (NetworkMinLockCost) and
	// NetworkRateLimit the blocks between two subnet creations.
	MinLockCost      market.Rao `json:"min_lock_cost"`
	NetworkRateLimit uint64     `json:"network_rate_limit"`

	// TxFee is the fee every transaction pays at least; all of Tx.Fee is
	// burned (DESIGN §4: "small fee burned").
	TxFee market.Rao `json:"tx_fee"`

	// MaxValidators is N of DESIGN §4: the validator set is the top N
	// hotkeys by stake.
	MaxValidators int `json:"max_validators"`

	// SnapshotInterval: at every height divisible by it (genesis included)
	// the state root also commits to a full-state digest, and the ledger
	// keeps a snapshot a syncing node can verify.
	SnapshotInterval uint64 `json:"snapshot_interval"`

	// MaxBlockTxs and MaxBlockBytes bound a proposed block, within
	// protocols.MaxTxsPerBlock and protocols.MaxBlockSize.
	MaxBlockTxs   int `json:"max_block_txs"`
	MaxBlockBytes int `json:"max_block_bytes"`
}

// DefaultTxFee is the fee of both presets: 0.0001 TAO.
const DefaultTxFee = market.RaoPerTAO / 10_000

// MainParams returns the main preset: Bittensor's block-denominated
// constants (DESIGN §4).
func MainParams() Params {
	return Params{
		BlockTimeMs:         12_000,
		Tempo:               360,
		MaxUIDs:             256,
		MaxValidatorPermits: 64,
		SubnetLimit:         128,
		ImmunityPeriod:      4096,
		WeightsRateLimit:    100,
		CommitReveal:        true,
		MinLockCost:         1_000 * market.RaoPerTAO,
		NetworkRateLimit:    7_200,
		TxFee:               DefaultTxFee,
		MaxValidators:       32,
		SnapshotInterval:    1000, // 3 h 20 min at 12 s
		MaxBlockTxs:         protocols.MaxTxsPerBlock,
		MaxBlockBytes:       protocols.MaxBlockSize,
	}
}

// DevParams returns the dev preset: subtensor's fast blocks (DESIGN §4).
func DevParams() Params {
	p := MainParams()
	p.BlockTimeMs = 250
	p.Tempo = 10
	p.ImmunityPeriod = 20
	p.WeightsRateLimit = 1
	p.SnapshotInterval = 100 // 25 s at 250 ms
	p.MinLockCost = 100 * market.RaoPerTAO
	p.NetworkRateLimit = 1
	return p
}

// Validate reports the first parameter out of range, wrapped in
// ErrBadParams.
func (p Params) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("%w: %s = %v, want %s", ErrBadParams, field, v, want)
	}
	switch {
	case p.BlockTimeMs == 0:
		return bad("block_time_ms", p.BlockTimeMs, "> 0")
	case p.Tempo == 0:
		return bad("tempo", p.Tempo, "> 0")
	case p.MaxUIDs == 0:
		return bad("max_uids", p.MaxUIDs, "> 0")
	case p.MaxValidatorPermits == 0 || p.MaxValidatorPermits > p.MaxUIDs:
		return bad("max_validator_permits", p.MaxValidatorPermits, fmt.Sprintf("1..max_uids (%d)", p.MaxUIDs))
	case p.SubnetLimit == 0 || p.SubnetLimit > 4096:
		return bad("subnet_limit", p.SubnetLimit, "1..4096")
	case p.MaxUIDs > 4096:
		return bad("max_uids", p.MaxUIDs, "at most 4096")
	case p.MinLockCost == 0 || p.MinLockCost > market.SupplyCap:
		return bad("min_lock_cost", p.MinLockCost, "> 0 and within the supply cap")
	case p.TxFee > market.RaoPerTAO:
		return bad("tx_fee", p.TxFee, "at most 1 TAO")
	case p.MaxValidators < 1 || p.MaxValidators > 1000:
		return bad("max_validators", p.MaxValidators, "1..1000")
	case p.SnapshotInterval == 0:
		return bad("snapshot_interval", p.SnapshotInterval, "> 0")
	case p.MaxBlockTxs < 1 || p.MaxBlockTxs > protocols.MaxTxsPerBlock:
		return bad("max_block_txs", p.MaxBlockTxs, fmt.Sprintf("1..%d", protocols.MaxTxsPerBlock))
	case p.MaxBlockBytes < 4096 || p.MaxBlockBytes > protocols.MaxBlockSize:
		return bad("max_block_bytes", p.MaxBlockBytes, fmt.Sprintf("4096..%d", protocols.MaxBlockSize))
	}
	return nil
}

// Market returns the economy's parameters: spec/dtao.md §11's defaults
// with this preset's tempo, immunity, subnet limit and lock cost.
func (p Params) Market() market.Params {
	m := market.DefaultParams()
	m.Tempo = p.Tempo
	m.ImmunityPeriod = p.ImmunityPeriod
	m.NewSubnetImmunity = p.ImmunityPeriod
	m.SubnetLimit = int(p.SubnetLimit)
	m.NetworkMinLockCost = p.MinLockCost
	m.NetworkRateLimit = p.NetworkRateLimit
	return m
}

// DefaultSubnetHyper returns the hyperparameters of a new subnet: the
// preset's tempo, uids, permits, immunity, weights rate limit and
// commit-reveal, and yuma's storage defaults (spec/yuma.md §5).
func (p Params) DefaultSubnetHyper() SubnetHyper {
	m := p.Market()
	y := yuma.DefaultHyper()
	return SubnetHyper{
		Tempo:               p.Tempo,
		MaxUIDs:             p.MaxUIDs,
		MaxValidators:       p.MaxValidatorPermits,
		ImmunityPeriod:      p.ImmunityPeriod,
		WeightsRateLimit:    p.WeightsRateLimit,
		CommitReveal:        p.CommitReveal,
		RevealPeriod:        uint64(p.Tempo),
		MinAllowedWeights:   1,
		RegistrationAllowed: true,
		MinBurn:             m.MinBurn,
		MaxBurn:             m.MaxBurn,
		Kappa:               y.Kappa,
		BondsMovingAverage:  y.BondsMovingAverage,
		BondsPenalty:        y.BondsPenalty,
		Yuma3:               true,
		LiquidAlpha:         false,
		AlphaLow:            y.AlphaLow,
		AlphaHigh:           y.AlphaHigh,
		ActivityCutoffMilli: y.ActivityCutoffFactorMilli,
		MaxWeightLimit:      65535, // no limit
	}
}
