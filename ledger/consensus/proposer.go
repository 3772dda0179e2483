package consensus

import (
	"math"
	"math/big"

	"github.com/taonet/tao/protocols"
)

// Proposer selection is Tendermint's weighted round robin by priority,
// in integers only: each step every validator's priority grows by its
// power, the highest priority (ties: lowest index) proposes and pays the
// total power back. Over T = total power steps a validator of power p
// proposes p times, interleaved, whatever the order of the set. Before a
// run of steps the priorities are windowed: scaled so their spread is at
// most twice the total power (a newcomer or a long-silent validator cannot
// dominate) and centred on zero (priorities cannot drift to overflow).

// window rescales p so that max-min <= 2*total and shifts it to mean
// zero (floor of the exact mean).
func window(p []int64, total uint64) {
	if len(p) == 0 {
		return
	}
	lo, hi := p[0], p[0]
	for _, x := range p {
		lo, hi = min(lo, x), max(hi, x)
	}
	limit := 2 * total
	if diff := uint64(hi) - uint64(lo); diff > limit {
		ratio := int64((diff + limit - 1) / limit)
		for i := range p {
			p[i] /= ratio
		}
	}
	sum := new(big.Int)
	for _, x := range p {
		sum.Add(sum, big.NewInt(x))
	}
	avg := new(big.Int).Div(sum, big.NewInt(int64(len(p)))).Int64() // Euclidean: floor for n > 0
	for i := range p {
		p[i] = satSub(p[i], avg)
	}
}

// stepPriorities advances p by one proposal and returns the proposer.
func stepPriorities(p []int64, vals []protocols.Validator, total uint64) int {
	best := 0
	for i := range p {
		p[i] = satAdd(p[i], int64(vals[i].Power))
		if p[i] > p[best] {
			best = i
		}
	}
	p[best] = satSub(p[best], int64(total))
	return best
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}

func satSub(a, b int64) int64 {
	if b == math.MinInt64 {
		return satAdd(satAdd(a, math.MaxInt64), 1)
	}
	return satAdd(a, -b)
}

// proposerSeq extends the proposer sequence of a height on demand, so
// that looking up round r costs O(r*n) once per height, not per lookup.
type proposerSeq struct {
	set  ValidatorSet
	prio []int64
	seq  []uint16
}

func newProposerSeq(s ValidatorSet) *proposerSeq {
	p := append([]int64(nil), s.prio...)
	window(p, s.total)
	return &proposerSeq{set: s, prio: p}
}

// at returns the proposer of round r: the validator chosen by step r+1.
func (q *proposerSeq) at(r int32) int {
	for int32(len(q.seq)) <= r {
		q.seq = append(q.seq, uint16(stepPriorities(q.prio, q.set.vals, q.set.total)))
	}
	return int(q.seq[r])
}
