package inference

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/taonet/tao/inference/llama"
)

// sampler draws tokens for one request. Not safe for concurrent use.
type sampler struct {
	p       Sampling
	rng     *rand.Rand
	history []int32 // prompt and output, for the repeat penalty
	cand    []cand
	weights []float32 // drawAll's scratch
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

// plainGreedy reports whether sample is a bare argmax: greedy without a
// repeat penalty, so a pick made elsewhere (on the GPU) is the same.
func (s *sampler) plainGreedy() bool {
	return s.p.Temperature <= 0 && (s.p.RepeatPenalty <= 0 || s.p.RepeatPenalty == 1)
}

// accept records a token picked outside sample.
func (s *sampler) accept(id int32) { s.history = append(s.history, id) }

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
	k, tp := s.p.TopK, s.p.TopP
	if k <= 0 || k >= len(logits) {
		if !(tp > 0 && tp < 1) {
			return s.drawAll(logits)
		}
		return s.drawFrom(s.nucleus(logits, tp))
	}
	c := s.topK(logits, k)
	mx := c[0].p
	var sum float64
	for i := range c {
		e := math.Exp(float64((c[i].p - mx) / s.p.Temperature))
		c[i].p = float32(e)
		sum += e
	}
	if tp > 0 && tp < 1 {
		var acc float64
		for i := range c {
			acc += float64(c[i].p) / sum
			if acc >= float64(tp) {
				c = c[:i+1]
				break
			}
		}
	}
	return s.drawFrom(c)
}

// drawFrom draws among candidates best first, p their weights.
func (s *sampler) drawFrom(c []cand) int32 {
	s.cand = c
	var sum float64
	for _, x := range c {
		sum += float64(x.p)
	}
	r := s.rng.Float64() * sum
	for _, x := range c {
		r -= float64(x.p)
		if r < 0 {
			return x.id
		}
	}
	return c[len(c)-1].id
}

// nucleus returns, best first with their weights, the fewest candidates
// whose share of the whole vocabulary's softmax (at the temperature)
// reaches tp. It ranks the best 64, then 256, … until they do, instead of
// sorting the vocabulary: a model's nucleus is usually a few dozen tokens.
func (s *sampler) nucleus(logits []float32, tp float32) []cand {
	if cap(s.weights) < len(logits) {
		s.weights = make([]float32, len(logits))
	}
	w := s.weights[:len(logits)]
	total := llama.SoftmaxWeights(w, logits, s.p.Temperature)
	for m := 64; ; m *= 4 {
		if m >= len(logits)/2 {
			m = len(logits)
		}
		c := s.topK(logits, m)
		var acc float64
		for i := range c {
			c[i].p = w[c[i].id]
			acc += float64(c[i].p) / total
			if acc >= float64(tp) {
				return c[:i+1]
			}
		}
		if m == len(logits) {
			return c
		}
	}
}

// drawAll draws from the softmax of every logit at the temperature when
// neither top-k nor top-p cuts any (the OpenAI API's defaults): weights
// (llama.SoftmaxWeights, eight exponentials at a time) walked in
// vocabulary order, so no candidate needs ranking (sorting a 32k
// vocabulary on every token cost ≈ 6 ms, 4× the forward pass of a small
// model).
func (s *sampler) drawAll(logits []float32) int32 {
	if cap(s.weights) < len(logits) {
		s.weights = make([]float32, len(logits))
	}
	w := s.weights[:len(logits)]
	sum := llama.SoftmaxWeights(w, logits, s.p.Temperature)
	r := s.rng.Float64() * sum
	for i, e := range w {
		r -= float64(e)
		if r < 0 {
			return int32(i)
		}
	}
	return argmax(logits) // r is NaN (a NaN logit), or rounding left it at 0
}

// better orders candidates by logit, descending, ties by id, so the draw
// is deterministic.
func better(a, b cand) bool {
	if a.p != b.p {
		return a.p > b.p
	}
	return a.id < b.id
}

// topK returns the k best candidates (all if k is 0), best first, p their
// logits. A small k is selected with a heap in O(n log k) instead of
// sorting the whole vocabulary on every token.
func (s *sampler) topK(logits []float32, k int) []cand {
	if k <= 0 || k > len(logits) {
		k = len(logits)
	}
	c := s.cand[:0]
	if k == len(logits) {
		for i, v := range logits {
			c = append(c, cand{int32(i), v})
		}
	} else {
		// c is a min-heap (by better) of the k best so far. Ids only
		// grow along the scan, so a later logit beats the worst kept
		// exactly when it is greater (a tie keeps the lower id; a NaN
		// beats nothing): the scan compares floats and touches the
		// heap only for a new candidate.
		h := candHeap(c)
		i := 0
		for ; i < len(logits) && len(h) < k; i++ {
			h = append(h, cand{int32(i), logits[i]})
			h.up(len(h) - 1)
		}
		for i < len(logits) {
			i += llama.FirstAbove(logits[i:], h[0].p)
			if i == len(logits) {
				break
			}
			h[0] = cand{int32(i), logits[i]}
			h.down(0)
			i++
		}
		c = h
	}
	slices.SortFunc(c, func(a, b cand) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
	return c
}

// candHeap is a binary min-heap by better (the worst candidate on top),
// with container/heap's sift steps written out for the one element type.
type candHeap []cand

func (h candHeap) less(i, j int) bool { return better(h[j], h[i]) }

func (h candHeap) up(j int) {
	for j > 0 {
		i := (j - 1) / 2
		if !h.less(j, i) {
			break
		}
		h[i], h[j] = h[j], h[i]
		j = i
	}
}

func (h candHeap) down(i int) {
	n := len(h)
	for {
		j := 2*i + 1
		if j >= n {
			return
		}
		if j2 := j + 1; j2 < n && h.less(j2, j) {
			j = j2
		}
		if !h.less(j, i) {
			return
		}
		h[i], h[j] = h[j], h[i]
		i = j
	}
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

func logSumExp(x []float32) float64 { return llama.LogSumExp(x) }
