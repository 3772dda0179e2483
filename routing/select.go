package routing

import (
	"cmp"
	"encoding/binary"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// Candidate is a miner the directory would route to now.
type Candidate struct {
	Peer      peer.ID
	Heartbeat *protocols.Heartbeat // its latest live heartbeat
	Neuron    NeuronInfo
	// RTT is the measured round trip to the miner; 0 if not measured yet.
	RTT time.Duration
	// InFlight counts this node's requests running on the miner now.
	InFlight int
}

// Selector ranks candidates by quality × latency × free capacity, with
// ε-greedy exploration so that a miner that is never the best still gets
// measured. The zero value uses the defaults below and no exploration.
type Selector struct {
	// Epsilon is the probability that a uniformly drawn candidate is put
	// first instead of the best. Zero: never.
	Epsilon float64
	// RTTRef is the round trip that halves a miner's latency factor.
	// Zero: 50 ms.
	RTTRef time.Duration
	// Rand supplies randomness for exploration and tie-breaking. Nil:
	// candidates keep their order on ties and Epsilon is ignored.
	Rand io.Reader

	mu sync.Mutex // guards reads of Rand
}

// Score is a candidate's desirability, higher is better; it is positive.
//
//	quality  = (0.1 + incentive) × (0.5 + 0.5 × trust)
//	latency  = 1 / (1 + rtt/RTTRef), unknown rtt counts as RTTRef
//	capacity = (1 + free) / (1 + queue + over), where free is the slots the
//	           miner reported minus our in-flight requests, and over the
//	           in-flight requests beyond them
//
// With every neuron rated neutrally (a subnet declared only in configuration, or a new one), quality is
// equal for all and the faster, less loaded miner wins.
func (s *Selector) Score(c Candidate) float64 {
	ref := s.RTTRef
	if ref <= 0 {
		ref = 50 * time.Millisecond
	}
	rtt := c.RTT
	if rtt <= 0 {
		rtt = ref
	}
	inc := clamp01(c.Neuron.Incentive)
	trust := clamp01(c.Neuron.Trust)
	quality := (0.1 + inc) * (0.5 + 0.5*trust)
	latency := 1 / (1 + float64(rtt)/float64(ref))
	var free, queue, over float64
	if hb := c.Heartbeat; hb != nil {
		free, queue = float64(hb.FreeSlots), float64(hb.QueueDepth)
	}
	free -= float64(c.InFlight)
	if free < 0 {
		over, free = -free, 0
	}
	capacity := (1 + free) / (1 + queue + over)
	return quality * latency * capacity
}

func clamp01(x float64) float64 {
	if math.IsNaN(x) || x < 0 {
		return 0
	}
	return min(x, 1)
}

// Rank returns the candidates best first. Ties are broken at random; with
// probability Epsilon a random candidate is moved to the front. The input
// is not modified.
func (s *Selector) Rank(cands []Candidate) []Candidate {
	out := slices.Clone(cands)
	if len(out) < 2 {
		return out
	}
	for i := len(out) - 1; i > 0; i-- {
		if u, ok := s.uniform(); ok {
			j := int(u * float64(i+1))
			out[i], out[j] = out[j], out[i]
		}
	}
	scores := make(map[peer.ID]float64, len(out))
	for _, c := range out {
		scores[c.Peer] = s.Score(c)
	}
	slices.SortStableFunc(out, func(a, b Candidate) int { return cmp.Compare(scores[b.Peer], scores[a.Peer]) })
	if u, ok := s.uniform(); ok && u < s.Epsilon {
		if v, ok := s.uniform(); ok {
			j := int(v * float64(len(out)))
			pick := out[j]
			copy(out[1:j+1], out[:j])
			out[0] = pick
		}
	}
	return out
}

// uniform draws from [0, 1); false without a usable Rand.
func (s *Selector) uniform() (float64, bool) {
	if s.Rand == nil {
		return 0, false
	}
	var b [8]byte
	s.mu.Lock()
	_, err := io.ReadFull(s.Rand, b[:])
	s.mu.Unlock()
	if err != nil {
		return 0, false
	}
	return float64(binary.LittleEndian.Uint64(b[:])>>11) / (1 << 53), true
}
