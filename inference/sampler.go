package inference

import (
	"math"
	"math/rand/v2"
	"sort"
)

// sampler draws tokens for one request. Not safe for concurrent use.
type sampler struct {
	p       Sampling
	rng     *rand.Rand
	history []int32 // prompt and output, for the repeat penalty
	cand    []cand
}

type cand struct {
	id int32
	p  float32
}

func newSampler(p Sampling, prompt []int32) *sampler {
	if p.RepeatLastN <= 0 {
		p.RepeatLastN = 64
	}
	return &sampler{p: p, rng: rand.New(rand.NewPCG(p.Seed, 0x7a6f)), history: append([]int32(nil), prompt...)}
}

// sample picks the next token from logits (modified in place) and returns
// it with its log-probability under the unmodified distribution.
func (s *sampler) sample(logits []float32) (int32, float32) {
	lse := logSumExp(logits)
	orig := func(id int32) float32 { return float32(float64(logits[id]) - lse) }
	if s.p.RepeatPenalty > 0 && s.p.RepeatPenalty != 1 {
		// llama.cpp's penalty: divide positive logits, multiply negative
		// ones, once per distinct recent token.
		lps := make(map[int32]float32)
		start := max(0, len(s.history)-s.p.RepeatLastN)
		for _, id := range s.history[start:] {
			if int(id) < len(logits) {
				if _, done := lps[id]; !done {
					lps[id] = orig(id)
					if logits[id] > 0 {
						logits[id] /= s.p.RepeatPenalty
					} else {
						logits[id] *= s.p.RepeatPenalty
					}
				}
			}
		}
		orig = func(id int32) float32 {
			if lp, ok := lps[id]; ok {
				return lp
			}
			return float32(float64(logits[id]) - lse)
		}
	}
	var id int32
	if s.p.Temperature <= 0 {
		id = argmax(logits)
	} else {
		id = s.draw(logits)
	}
	s.history = append(s.history, id)
	return id, orig(id)
}

func (s *sampler) draw(logits []float32) int32 {
	c := s.cand[:0]
	for i, v := range logits {
		c = append(c, cand{int32(i), v})
	}
	// Sort by logit, descending, ties by id, so the draw is deterministic.
	sort.Slice(c, func(i, j int) bool {
		if c[i].p != c[j].p {
			return c[i].p > c[j].p
		}
		return c[i].id < c[j].id
	})
	if k := s.p.TopK; k > 0 && k < len(c) {
		c = c[:k]
	}
	mx := c[0].p
	var sum float64
	for i := range c {
		e := math.Exp(float64((c[i].p - mx) / s.p.Temperature))
		c[i].p = float32(e)
		sum += e
	}
	if tp := s.p.TopP; tp > 0 && tp < 1 {
		var acc float64
		for i := range c {
			acc += float64(c[i].p) / sum
			if acc >= float64(tp) {
				c = c[:i+1]
				break
			}
		}
		sum = 0
		for _, x := range c {
			sum += float64(x.p)
		}
	}
	s.cand = c
	r := s.rng.Float64() * sum
	for _, x := range c {
		r -= float64(x.p)
		if r < 0 {
			return x.id
		}
	}
	return c[len(c)-1].id
}

func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

func logSumExp(x []float32) float64 {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var sum float64
	for _, v := range x {
		sum += math.Exp(float64(v - mx))
	}
	return float64(mx) + math.Log(sum)
}
