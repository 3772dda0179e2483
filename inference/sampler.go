package inference

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/taonet/tao/inference/llama"
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
	c := s.topK(logits)
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

// better orders candidates by logit, descending, ties by id, so the draw
// is deterministic.
func better(a, b cand) bool {
	if a.p != b.p {
		return a.p > b.p
	}
	return a.id < b.id
}

// topK returns the TopK best candidates (all if TopK is 0), best first. A
// small K is selected with a heap in O(n log K) instead of sorting the
// whole vocabulary on every token.
func (s *sampler) topK(logits []float32) []cand {
	k := s.p.TopK
	if k <= 0 || k > len(logits) {
		k = len(logits)
	}
	c := s.cand[:0]
	if k == len(logits) {
		for i, v := range logits {
			c = append(c, cand{int32(i), v})
		}
	} else {
		// c is a min-heap (by better) of the k best so far.
		h := candHeap(c)
		for i, v := range logits {
			x := cand{int32(i), v}
			if len(h) < k {
				heap.Push(&h, x)
			} else if better(x, h[0]) {
				h[0] = x
				heap.Fix(&h, 0)
			}
		}
		c = h
	}
	sort.Slice(c, func(i, j int) bool { return better(c[i], c[j]) })
	return c
}

type candHeap []cand

func (h candHeap) Len() int           { return len(h) }
func (h candHeap) Less(i, j int) bool { return better(h[j], h[i]) } // worst on top
func (h candHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)        { *h = append(*h, x.(cand)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
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
