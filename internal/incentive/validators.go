package incentive

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/taonet/tao/routing/scoring"
	"github.com/taonet/tao/yuma"
)

// pending is a commit not yet revealed.
type pending struct {
	tempo  int    // tempo of the commit
	block  uint64 // block of the commit
	commit scoring.Commit
	reveal scoring.Reveal
}

// validator is one validator's private state and its stored (revealed)
// weight row on the chain.
type validator struct {
	spec    ValidatorSpec
	uid     uint16
	stake   uint64 // alpha rao on its hotkey
	tracker *scoring.Tracker
	meas    *rand.Rand    // measurement noise
	salts   *rand.ChaCha8 // commit salts
	pending []pending

	row        []yuma.Entry // revealed row as the chain stores it (§8.1)
	lastUpdate uint64       // LU: block of the last reveal
}

func newValidators(c Config) ([]*validator, error) {
	vs := make([]*validator, len(c.Validators))
	for i, s := range c.Validators {
		tr, err := scoring.NewTracker(c.Scoring)
		if err != nil {
			return nil, err
		}
		var seed [32]byte
		binary.LittleEndian.PutUint64(seed[:], c.Seed)
		binary.LittleEndian.PutUint64(seed[8:], uint64(i))
		vs[i] = &validator{spec: s, uid: uint16(i), stake: uint64(s.Stake), tracker: tr,
			meas: rand.New(rand.NewPCG(c.Seed, 100+uint64(i))), salts: rand.NewChaCha8(seed)}
	}
	return vs, nil
}

// measures reports whether v queries miners (copiers do not).
func (v *validator) measures() bool { return v.spec.Kind == Validating || v.spec.Kind == Colluder }

// measure queries every miner c.Queries times in tempo t and folds the
// round into v's scores.
func (v *validator) measure(c Config, t int, ms []*miner) {
	samples := make([]scoring.Sample, 0, len(ms)*c.Queries)
	for _, m := range ms {
		for range c.Queries {
			samples = append(samples, m.answer(c, t, v.meas))
		}
	}
	v.tracker.Observe(samples)
}

// propose returns the row v commits in tempo t, or false if it has none.
// p are the subnet's limits on a row, N included.
func (v *validator) propose(c Config, p scoring.WeightParams, vs []*validator, favoured int) (scoring.Row, bool, error) {
	n := p.N
	var scores []float64
	switch v.spec.Kind {
	case Copier, MedianCopier:
		scores = copyRows(vs, v, n, v.spec.Kind == MedianCopier)
	case Colluder:
		scores = boost(v.tracker.Scores(n), favoured, c.CollusionBoost)
	default:
		scores = v.tracker.Scores(n)
	}
	row, err := scoring.Weights(scores, p)
	if err == scoring.ErrNoScores {
		return scoring.Row{}, false, nil // nothing to set yet
	}
	return row, err == nil, err
}

// boost scales the favoured uid's score so that it holds share of the sum.
func boost(s []float64, favoured int, share float64) []float64 {
	if favoured < 0 || share == 0 {
		return s
	}
	var rest float64
	for j, x := range s {
		if j != favoured {
			rest += x
		}
	}
	if rest > 0 {
		s[favoured] = share / (1 - share) * rest
	}
	return s
}

// copyRows is the copier's opinion: per uid, the stake-weighted mean (or
// median) over the other validators of their revealed, row-normalised
// weights.
func copyRows(vs []*validator, self *validator, n int, median bool) []float64 {
	type opinion struct {
		w     []float64
		stake float64
	}
	var ops []opinion
	var total float64
	for _, o := range vs {
		if o == self || len(o.row) == 0 {
			continue
		}
		w := make([]float64, n)
		var sum float64
		for _, e := range o.row {
			sum += float64(e.Value)
		}
		if sum == 0 {
			continue
		}
		for _, e := range o.row {
			w[e.UID] = float64(e.Value) / sum
		}
		ops = append(ops, opinion{w, float64(o.stake)})
		total += float64(o.stake)
	}
	out := make([]float64, n)
	if len(ops) == 0 {
		return out
	}
	for j := range n {
		if !median {
			for _, o := range ops {
				out[j] += o.stake * o.w[j] / total
			}
			continue
		}
		k := make([]int, len(ops))
		for i := range k {
			k[i] = i
		}
		slices.SortStableFunc(k, func(a, b int) int {
			switch x, y := ops[a].w[j], ops[b].w[j]; {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		})
		var acc float64
		for _, i := range k {
			acc += ops[i].stake
			if acc > total/2 {
				out[j] = ops[i].w[j]
				break
			}
		}
	}
	return out
}

// commit hides row behind a commit made at block in tempo t.
func (v *validator) commit(row scoring.Row, netuid uint16, t int, block uint64) error {
	salt, err := scoring.NewSalt(v.salts)
	if err != nil {
		return err
	}
	r := scoring.Reveal{NetUID: netuid, Hotkey: []byte{byte(v.uid >> 8), byte(v.uid)},
		UIDs: row.UIDs, Values: row.Values, Salt: salt}
	h, err := r.Hash()
	if err != nil {
		return err
	}
	v.pending = append(v.pending, pending{tempo: t, block: block, commit: h, reveal: r})
	return nil
}

// revealDue reveals, at block, every commit made RevealDelay tempos before
// tempo t: the chain checks it against the commit and stores the row
// max-upscaled (spec/yuma.md §8.1), with LU = block.
func (v *validator) revealDue(delay, t int, block uint64) error {
	for len(v.pending) > 0 && v.pending[0].tempo+delay <= t {
		p := v.pending[0]
		v.pending = v.pending[1:]
		if err := p.reveal.Verify(p.commit); err != nil {
			return fmt.Errorf("validator %d reveal of tempo %d: %w", v.uid, p.tempo, err)
		}
		vals := scoring.MaxUpscale(p.reveal.Values)
		v.row = v.row[:0]
		for k, u := range p.reveal.UIDs {
			v.row = append(v.row, yuma.Entry{UID: u, Value: vals[k]})
		}
		v.lastUpdate = block
	}
	return nil
}

// commitBlock is c[i] of spec/yuma.md §2: the smallest commit block of v's
// unrevealed commits, if any.
func (v *validator) commitBlock() yuma.OptBlock {
	if len(v.pending) == 0 {
		return yuma.OptBlock{}
	}
	return yuma.OptBlock{Block: v.pending[0].block, Valid: true}
}
