package incentive

import (
	"errors"
	"fmt"
	"time"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/routing/scoring"
	"github.com/taonet/tao/yuma"
)

// MinerKind is how a miner behaves.
type MinerKind uint8

const (
	// Honest serves the subnet's model; its answers verify, with a true
	// quality that drifts slowly.
	Honest MinerKind = iota
	// Favoured is an honest, mediocre miner that the colluding validators
	// over-weight.
	Favoured
	// Lazy, from Config.TurnAt on, answers a share LazyRate of queries with
	// junk or a truncated stream: that query fails verification.
	Lazy
	// Substitute, from Config.TurnAt on, serves a smaller model: SubSpeedup
	// times faster, but re-scoring finds a mismatched greedy token in a
	// share SubDetect of queries (a fail); the rest verify at SubQuality of
	// its quality.
	Substitute
)

func (k MinerKind) String() string {
	return [...]string{"honest", "favoured", "lazy", "substitute"}[k]
}

// ValidatorKind is how a validator sets weights.
type ValidatorKind uint8

const (
	// Validating queries every miner, scores with routing/scoring and sets
	// the resulting row by commit-reveal.
	Validating ValidatorKind = iota
	// Copier queries nobody: each tempo it commits the stake-weighted mean
	// of the other validators' last revealed rows, which are RevealDelay
	// tempos old when its own copy is used.
	Copier
	// MedianCopier copies like Copier, but the per-uid stake-weighted
	// median, which is what consensus will be: outliers (colluders) do not
	// move it.
	MedianCopier
	// Colluder validates like Validating, then raises the Favoured miner's
	// share of its row to CollusionBoost (the other entries shrink in
	// proportion).
	Colluder
)

func (k ValidatorKind) String() string {
	return [...]string{"honest", "copier", "median copier", "colluder"}[k]
}

// MinerSpec is one miner's truth at tempo 0.
type MinerSpec struct {
	Kind    MinerKind
	Quality float64       // true quality in [0, 1] of a verified answer
	TPS     float64       // true decode speed, tokens/s
	TTFT    time.Duration // true time to first token
}

// ValidatorSpec is one validator at tempo 0.
type ValidatorSpec struct {
	Kind  ValidatorKind
	Stake market.Rao // alpha staked on its hotkey
}

// Config is one simulation. Start from DefaultConfig; every field is read
// as is.
type Config struct {
	Seed   uint64
	Tempos int    // epochs simulated
	Window int    // the last Window epochs are averaged in the report
	Tempo  uint16 // blocks per tempo

	// Hyper are the subnet's hyperparameters; the simulation runs Yuma3
	// with commit-reveal whatever Hyper.Yuma3 and Hyper.CommitReveal say.
	Hyper       yuma.Hyper
	RevealDelay int // tempos from a commit to the epoch that first uses it (≥ 1)

	TurnAt         int     // first tempo in which Lazy and Substitute miners cheat
	Queries        int     // queries per miner per validator per tempo
	QualityNoise   float64 // s.d. of one query's measured quality
	SpeedNoise     float64 // s.d. of the log of one query's measured speed and TTFT
	Drift          float64 // s.d. per tempo of the change of a miner's true quality (and log speed)
	Reversion      float64 // pull per tempo of true quality back to its start (Ornstein–Uhlenbeck θ)
	OutageRate     float64 // chance per tempo that an honest miner goes down …
	OutageTempos   int     // … for this many tempos (every query: no answer)
	LazyRate       float64 // share of a Lazy miner's answers that are junk
	SubDetect      float64 // share of a Substitute's answers whose greedy tokens mismatch
	SubQuality     float64 // quality factor of a Substitute's answers that pass
	SubSpeedup     float64 // speed factor of a Substitute
	CollusionBoost float64 // share of a Colluder's row put on the Favoured miner

	Scoring scoring.Config
	Weights scoring.WeightParams // N is set by the simulation

	AlphaPerBlock market.Rao // alpha_out of the subnet per block (dtao.md §6)
	Market        market.Params

	Miners     []MinerSpec
	Validators []ValidatorSpec
}

// DefaultConfig is the scenario of the report: eight honest miners of
// spread quality, one favoured mediocre miner, one lazy and one substituting
// miner that turn at tempo 20; five validating validators with 60 % of the
// stake, a mean and a median copier with 5 % each, two colluders with 30 %;
// 200 tempos of 360 blocks on Yuma3 (chain defaults, liquid alpha off) with
// commit-reveal delay 1; no outages.
func DefaultConfig() Config {
	ms := func(k MinerKind, q, tps float64, ttftMs int) MinerSpec {
		return MinerSpec{Kind: k, Quality: q, TPS: tps, TTFT: time.Duration(ttftMs) * time.Millisecond}
	}
	vs := func(k ValidatorKind, thousands market.Rao) ValidatorSpec {
		return ValidatorSpec{Kind: k, Stake: thousands * 1000 * market.RaoPerTAO}
	}
	hyper := yuma.DefaultHyper()
	hyper.Yuma3, hyper.CommitReveal = true, true
	hyper.MaxAllowedValidators = 64 // a new subnet (spec/yuma.md §5)
	return Config{
		Seed: 1, Tempos: 200, Window: 100, Tempo: 360,
		Hyper:       hyper,
		RevealDelay: 1,
		TurnAt:      20, Queries: 4,
		QualityNoise: 0.15, SpeedNoise: 0.2, Drift: 0.02, Reversion: 0.05, OutageTempos: 3,
		LazyRate: 0.5, SubDetect: 0.8, SubQuality: 0.5, SubSpeedup: 2, CollusionBoost: 0.5,
		Weights:       scoring.WeightParams{Floor: 0.005, MinAllowed: 1},
		AlphaPerBlock: market.RaoPerTAO,
		Market:        market.DefaultParams(),
		Miners: []MinerSpec{
			ms(Honest, 0.95, 40, 400), ms(Honest, 0.90, 60, 300), ms(Honest, 0.85, 30, 600),
			ms(Honest, 0.80, 70, 250), ms(Honest, 0.70, 50, 500), ms(Honest, 0.65, 45, 350),
			ms(Honest, 0.60, 35, 800), ms(Honest, 0.50, 55, 450),
			ms(Favoured, 0.45, 40, 600),
			ms(Lazy, 0.85, 55, 300),
			ms(Substitute, 0.80, 45, 450),
		},
		Validators: []ValidatorSpec{
			vs(Validating, 16), vs(Validating, 14), vs(Validating, 12), vs(Validating, 10), vs(Validating, 8),
			vs(Copier, 5), vs(MedianCopier, 5),
			vs(Colluder, 16), vs(Colluder, 14),
		},
	}
}

// ErrConfig reports an unusable Config.
var ErrConfig = errors.New("incentive: bad config")

func (c Config) validate() error {
	bad := func(f string, v any) error { return fmt.Errorf("%s = %v: %w", f, v, ErrConfig) }
	switch {
	case c.Tempos < 1:
		return bad("Tempos", c.Tempos)
	case c.Window < 1 || c.Window > c.Tempos:
		return bad("Window", c.Window)
	case c.Tempo < 2:
		return bad("Tempo", c.Tempo)
	case c.RevealDelay < 1:
		return bad("RevealDelay", c.RevealDelay)
	case c.Queries < 1:
		return bad("Queries", c.Queries)
	case c.OutageRate > 0 && c.OutageTempos < 1:
		return bad("OutageTempos", c.OutageTempos)
	case c.Reversion < 0 || c.Reversion > 1:
		return bad("Reversion", c.Reversion)
	case c.Queries < 1:
		return bad("Queries", c.Queries)
	case c.CollusionBoost < 0 || c.CollusionBoost >= 1:
		return bad("CollusionBoost", c.CollusionBoost)
	case len(c.Validators) == 0 || len(c.Miners) == 0:
		return bad("actors", len(c.Validators)+len(c.Miners))
	case len(c.Validators)+len(c.Miners) > scoring.MaxUIDs:
		return bad("actors", len(c.Validators)+len(c.Miners))
	}
	return nil
}
