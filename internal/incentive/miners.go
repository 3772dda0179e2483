package incentive

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/taonet/tao/routing/scoring"
)

// miner is one miner's true state and its own random stream (whether a
// given answer is junk), so a change in one actor's behaviour never shifts
// another actor's randomness.
type miner struct {
	spec    MinerSpec
	uid     uint16
	quality float64 // true quality now
	logTPS  float64 // log of true tokens/s now
	down    int     // tempos of outage left (no answers)
	rng     *rand.Rand
}

func newMiners(c Config, firstUID int) []*miner {
	ms := make([]*miner, len(c.Miners))
	for j, s := range c.Miners {
		ms[j] = &miner{spec: s, uid: uint16(firstUID + j), quality: s.Quality, logTPS: math.Log(s.TPS),
			rng: rand.New(rand.NewPCG(c.Seed, 1_000+uint64(j)))}
	}
	return ms
}

// drift moves every miner's true state one tempo on: quality by an
// Ornstein–Uhlenbeck step toward its start (reflected into [0.05, 1]), log
// speed by a random walk, and outages start with c.OutageRate. It draws
// from the world's stream only, the same number of draws whatever happens.
func drift(world *rand.Rand, ms []*miner, c Config) {
	for _, m := range ms {
		dq, ds, down := world.NormFloat64(), world.NormFloat64(), world.Float64()
		m.down = max(m.down-1, 0)
		if down < c.OutageRate && m.down == 0 {
			m.down = c.OutageTempos
		}
		q := m.quality + c.Reversion*(m.spec.Quality-m.quality) + dq*c.Drift
		if q > 1 {
			q = 2 - q
		}
		if q < 0.05 {
			q = 0.1 - q
		}
		m.quality = min(max(q, 0.05), 1)
		m.logTPS += ds * c.Drift
	}
}

// cheating reports whether m cheats in tempo t.
func (m *miner) cheating(c Config, t int) bool {
	return t >= c.TurnAt && (m.spec.Kind == Lazy || m.spec.Kind == Substitute)
}

// answer is one query of m by a validator in tempo t, as that validator
// measures and verifies it: the miner's stream decides what it serves, the
// validator's stream the measurement noise.
func (m *miner) answer(c Config, t int, meas *rand.Rand) scoring.Sample {
	s := scoring.Sample{UID: m.uid, Outcome: scoring.Verified}
	quality, speed := m.quality, 1.0
	if m.cheating(c, t) {
		switch m.spec.Kind {
		case Lazy:
			if m.rng.Float64() < c.LazyRate {
				s.Outcome = scoring.Failed // junk or truncated: re-scoring rejects it
			}
		case Substitute:
			speed = c.SubSpeedup
			if m.rng.Float64() < c.SubDetect {
				s.Outcome = scoring.Failed // a greedy token differs from the subnet's model
			}
			quality *= c.SubQuality
		}
	}
	// The measurement draws are taken whatever the outcome, so the
	// validator's stream stays aligned across scenarios.
	qn, sn, tn := meas.NormFloat64(), meas.NormFloat64(), meas.NormFloat64()
	if m.down > 0 {
		return scoring.Sample{UID: m.uid, Outcome: scoring.NoAnswer}
	}
	s.Quality = min(max(quality+qn*c.QualityNoise, 0), 1)
	s.TokensPerSec = math.Exp(m.logTPS+sn*c.SpeedNoise) * speed
	s.TTFT = time.Duration(float64(m.spec.TTFT) * math.Exp(tn*c.SpeedNoise) / speed)
	return s
}
