package scoring

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Defaults of Config.
const (
	DefaultAlpha       = 0.3 // EMA weight of the newest round
	DefaultSpeedWeight = 0.3 // λ: share of the round score that speed can move
)

// ErrBadConfig reports a Config field out of range.
var ErrBadConfig = errors.New("scoring: bad config")

// Outcome is what verification said about one answer.
type Outcome uint8

const (
	// Verified: the re-scoring accepted the answer; Quality is read.
	Verified Outcome = iota
	// NoAnswer: an error or a timeout. Quality 0, but no evidence of
	// cheating, so the score is not reset.
	NoAnswer
	// Failed: the answer failed verification (junk, truncated, greedy tokens
	// that do not match the subnet's model). The round is a fail.
	Failed
)

// Sample is one query of one miner by this validator in the current round.
type Sample struct {
	UID     uint16
	Outcome Outcome
	// Quality in [0, 1] of a Verified answer (e.g. the fraction of requested
	// tokens delivered and matched, or a logprob agreement); clamped.
	Quality float64
	// TokensPerSec and TTFT are the decode speed and time to first token the
	// validator measured; read only for Verified samples.
	TokensPerSec float64
	TTFT         time.Duration
}

// Config sets the EMA. The zero value is DefaultAlpha, DefaultSpeedWeight and
// reset on fail.
type Config struct {
	// Alpha in (0, 1] is the weight of the newest round; zero means
	// DefaultAlpha.
	Alpha float64
	// SpeedWeight λ in [0, 1]; zero means DefaultSpeedWeight, a negative
	// value means 0 (quality only).
	SpeedWeight float64
	// KeepOnFail blends a failed round in as x = 0 instead of resetting the
	// score to 0.
	KeepOnFail bool
}

func (c Config) withDefaults() (Config, error) {
	if c.Alpha == 0 {
		c.Alpha = DefaultAlpha
	}
	switch {
	case c.SpeedWeight == 0:
		c.SpeedWeight = DefaultSpeedWeight
	case c.SpeedWeight < 0:
		c.SpeedWeight = 0
	}
	if !(c.Alpha > 0 && c.Alpha <= 1) {
		return c, fmt.Errorf("alpha %v not in (0, 1]: %w", c.Alpha, ErrBadConfig)
	}
	if !(c.SpeedWeight <= 1) {
		return c, fmt.Errorf("speed weight %v above 1: %w", c.SpeedWeight, ErrBadConfig)
	}
	return c, nil
}

// RoundScore is one miner's result in one round.
type RoundScore struct {
	UID     uint16
	Samples int
	Failed  bool    // some sample failed verification
	Quality float64 // Q: mean quality, 0 on a fail
	Speed   float64 // S in [0, 1]
	Score   float64 // x = Q·((1−λ) + λ·S)
}

// Round scores one round of samples with speed weight λ (see the package
// doc). The result has one entry per uid that has samples, in ascending uid
// order; samples may come in any order.
func Round(samples []Sample, speedWeight float64) []RoundScore {
	type acc struct {
		RoundScore
		qual []float64
		tps  []float64
		ttft []float64
	}
	var byUID []*acc // sorted by uid
	for _, s := range samples {
		k, found := slices.BinarySearchFunc(byUID, s.UID, func(a *acc, u uint16) int { return int(a.UID) - int(u) })
		if !found {
			byUID = slices.Insert(byUID, k, &acc{RoundScore: RoundScore{UID: s.UID}})
		}
		a := byUID[k]
		a.Samples++
		switch s.Outcome {
		case Verified:
			a.qual = append(a.qual, min(max(s.Quality, 0), 1))
			a.tps = append(a.tps, s.TokensPerSec)
			a.ttft = append(a.ttft, s.TTFT.Seconds())
		case Failed:
			a.Failed = true
		}
	}
	tps := make([]float64, len(byUID))
	ttft := make([]float64, len(byUID))
	var fast []int // indices with at least one verified sample
	for i, a := range byUID {
		if !a.Failed { // sum in sorted order: the result must not depend on sample order
			slices.Sort(a.qual)
			for _, q := range a.qual {
				a.Quality += q
			}
			a.Quality /= float64(a.Samples)
		}
		if len(a.tps) > 0 && !a.Failed {
			tps[i], ttft[i] = median(a.tps), median(a.ttft)
			fast = append(fast, i)
		}
	}
	for _, i := range fast {
		if len(fast) == 1 {
			byUID[i].Speed = 1
			continue
		}
		var rt, rf float64
		for _, k := range fast {
			if k == i {
				continue
			}
			rt += beat(tps[i], tps[k])
			rf += beat(ttft[k], ttft[i]) // lower TTFT is better
		}
		byUID[i].Speed = (rt + rf) / float64(2*(len(fast)-1))
	}
	out := make([]RoundScore, len(byUID))
	for i, a := range byUID {
		out[i] = a.RoundScore
		out[i].Score = a.Quality * ((1 - speedWeight) + speedWeight*a.Speed)
	}
	return out
}

// beat is 1 if a > b, ½ if equal, else 0.
func beat(a, b float64) float64 {
	switch {
	case a > b:
		return 1
	case a == b:
		return 0.5
	}
	return 0
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Tracker keeps one validator's EMA score per uid. It is not safe for
// concurrent use.
type Tracker struct {
	cfg   Config
	score []float64 // indexed by uid; absent uids read 0
}

// NewTracker returns a Tracker with every score 0.
func NewTracker(cfg Config) (*Tracker, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Tracker{cfg: c}, nil
}

// Config returns the effective configuration (defaults filled in).
func (t *Tracker) Config() Config { return t.cfg }

// Observe scores one round (Round) and folds it into the EMA: uids with
// samples move toward their round score, or reset to 0 on a fail; uids
// without samples keep their score. It returns the round's scores.
func (t *Tracker) Observe(samples []Sample) []RoundScore {
	rs := Round(samples, t.cfg.SpeedWeight)
	for _, r := range rs {
		if int(r.UID) >= len(t.score) {
			t.score = append(t.score, make([]float64, int(r.UID)+1-len(t.score))...)
		}
		if r.Failed && !t.cfg.KeepOnFail {
			t.score[r.UID] = 0
			continue
		}
		t.score[r.UID] += t.cfg.Alpha * (r.Score - t.score[r.UID])
	}
	return rs
}

// Score returns uid's current score, 0 if never observed.
func (t *Tracker) Score(uid uint16) float64 {
	if int(uid) < len(t.score) {
		return t.score[uid]
	}
	return 0
}

// Scores returns the scores of uids 0..n−1 in a new slice.
func (t *Tracker) Scores(n int) []float64 {
	out := make([]float64, n)
	copy(out, t.score)
	return out
}

// Forget restarts uid's score at 0: call it when the uid is re-registered
// (spec/yuma.md §8.2), so a new miner inherits nothing from the old one.
func (t *Tracker) Forget(uid uint16) {
	if int(uid) < len(t.score) {
		t.score[uid] = 0
	}
}

// finite reports whether x is a usable score.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
