package routing

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/taonet/tao/protocols"
)

// seeded is a deterministic io.Reader for exploration tests.
type seeded struct{ r *rand.ChaCha8 }

func (s seeded) Read(b []byte) (int, error) { return s.r.Read(b) }

func newSeeded(seed byte) seeded { return seeded{rand.NewChaCha8([32]byte{seed})} }

func cand(id string, free, queue uint32, rtt time.Duration, incentive, trust float64, inflight int) Candidate {
	return Candidate{
		Peer:      peer.ID(id),
		Heartbeat: &protocols.Heartbeat{FreeSlots: free, QueueDepth: queue},
		Neuron:    NeuronInfo{Incentive: incentive, Trust: trust},
		RTT:       rtt, InFlight: inflight,
	}
}

func TestScoreOrdersByEachFactor(t *testing.T) {
	s := &Selector{}
	tests := []struct {
		name          string
		better, worse Candidate
	}{
		{"rtt", cand("a", 4, 0, 5*time.Millisecond, 0, 0, 0), cand("b", 4, 0, 200*time.Millisecond, 0, 0, 0)},
		{"free-slots", cand("a", 8, 0, 0, 0, 0, 0), cand("b", 1, 0, 0, 0, 0, 0)},
		{"queue", cand("a", 0, 0, 0, 0, 0, 0), cand("b", 0, 5, 0, 0, 0, 0)},
		{"inflight", cand("a", 4, 0, 0, 0, 0, 0), cand("b", 4, 0, 0, 0, 0, 6)},
		{"incentive", cand("a", 4, 0, 0, 0.5, 0.5, 0), cand("b", 4, 0, 0, 0.1, 0.5, 0)},
		{"trust", cand("a", 4, 0, 0, 0.2, 1, 0), cand("b", 4, 0, 0, 0.2, 0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if b, w := s.Score(tt.better), s.Score(tt.worse); !(b > w) || w <= 0 {
				t.Fatalf("score(better) = %v, score(worse) = %v", b, w)
			}
		})
	}
	// Neutral ratings (the interim registry) are equal: ranking falls to
	// latency and capacity.
	if a, b := s.Score(cand("a", 4, 0, 0, 0, 0, 0)), s.Score(cand("b", 4, 0, 0, 0, 0, 0)); a != b {
		t.Fatalf("neutral candidates score %v and %v", a, b)
	}
	// Garbage ratings are clamped, not propagated.
	if sc := s.Score(cand("a", 4, 0, 0, -3, 7, 0)); !(sc > 0) {
		t.Fatalf("clamped score %v", sc)
	}
}

func TestRankBestFirstWithoutExploration(t *testing.T) {
	s := &Selector{Rand: newSeeded(1)}
	cands := []Candidate{
		cand("slow", 8, 0, 300*time.Millisecond, 0, 0, 0),
		cand("busy", 0, 10, 5*time.Millisecond, 0, 0, 0),
		cand("best", 8, 0, 5*time.Millisecond, 0, 0, 0),
	}
	for range 50 {
		got := s.Rank(cands)
		if got[0].Peer != "best" || len(got) != 3 {
			t.Fatalf("rank = %v", ids(got))
		}
	}
	if cands[0].Peer != "slow" {
		t.Fatal("Rank modified its input")
	}
}

func TestRankBreaksTiesAtRandom(t *testing.T) {
	s := &Selector{Rand: newSeeded(2)}
	cands := []Candidate{cand("a", 4, 0, 0, 0, 0, 0), cand("b", 4, 0, 0, 0, 0, 0), cand("c", 4, 0, 0, 0, 0, 0)}
	first := map[peer.ID]int{}
	for range 300 {
		first[s.Rank(cands)[0].Peer]++
	}
	for _, c := range cands {
		if first[c.Peer] < 60 {
			t.Fatalf("tied candidates first: %v", first)
		}
	}
}

func TestRankExploresWithEpsilon(t *testing.T) {
	cands := []Candidate{
		cand("best", 8, 0, 1*time.Millisecond, 1, 1, 0),
		cand("x", 1, 5, 400*time.Millisecond, 0, 0, 0),
		cand("y", 1, 5, 400*time.Millisecond, 0, 0, 0),
	}
	const n = 4000
	for _, eps := range []float64{0, 0.1, 0.3} {
		s := &Selector{Epsilon: eps, Rand: newSeeded(3)}
		other := 0
		for range n {
			if s.Rank(cands)[0].Peer != "best" {
				other++
			}
		}
		// A random pick is another candidate 2/3 of the time.
		want := eps * 2 / 3 * n
		if d := float64(other) - want; d > 0.03*n || d < -0.03*n {
			t.Errorf("epsilon=%v: best not first %d of %d times, want about %.0f", eps, other, n, want)
		}
	}
	// Without a random source there is no exploration.
	s := &Selector{Epsilon: 1}
	if s.Rank(cands)[0].Peer != "best" {
		t.Fatal("explored without randomness")
	}
	// A source that runs dry degrades to greedy, it does not panic.
	s = &Selector{Epsilon: 1, Rand: bytes.NewReader([]byte{1, 2, 3})}
	if s.Rank(cands)[0].Peer != "best" {
		t.Fatal("explored with an exhausted source")
	}
}

// TestRankSpreadsLoad: with in-flight requests counted, concurrent picks
// over equal miners spread instead of piling on one.
func TestRankSpreadsLoad(t *testing.T) {
	s := &Selector{Rand: newSeeded(4)}
	cands := []Candidate{cand("a", 4, 0, 0, 0, 0, 0), cand("b", 4, 0, 0, 0, 0, 0), cand("c", 4, 0, 0, 0, 0, 0)}
	for range 12 {
		best := s.Rank(cands)[0].Peer
		for i := range cands {
			if cands[i].Peer == best {
				cands[i].InFlight++
			}
		}
	}
	for _, c := range cands {
		if c.InFlight != 4 {
			t.Fatalf("in flight after 12 picks: %v", cands)
		}
	}
}

func ids(cs []Candidate) []peer.ID {
	var out []peer.ID
	for _, c := range cs {
		out = append(out, c.Peer)
	}
	return out
}
