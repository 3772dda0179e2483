package consensus

import (
	"github.com/taonet/tao/protocols"
)

// voteSet is one round's prevotes or precommits: at most one vote per
// validator (the first seen; a conflicting second one becomes Evidence),
// with running power tallies.
type voteSet struct {
	votes  []*protocols.Vote // by validator index
	power  map[string]uint64 // by value ID; "" is nil
	sum    uint64            // power of all votes, Algorithm 1's "∗"
	quorum string            // value with more than 2/3 of the power, "" if none
	has    bool              // quorum is set
}

func newVoteSet(n int) voteSet {
	return voteSet{votes: make([]*protocols.Vote, n), power: make(map[string]uint64)}
}

// add records validator i's vote v of the given power.
func (vs *voteSet) add(s ValidatorSet, i int, v *protocols.Vote) {
	id := string(v.ValueID)
	p := s.Power(i)
	vs.votes[i] = v
	vs.power[id] += p
	vs.sum += p
	if !vs.has && id != "" && s.twoThirds(vs.power[id]) {
		vs.quorum, vs.has = id, true
	}
}

// remove forgets validator i's vote (pruning of far-future rounds).
func (vs *voteSet) remove(s ValidatorSet, i int) {
	v := vs.votes[i]
	if v == nil {
		return
	}
	id := string(v.ValueID)
	vs.votes[i] = nil
	vs.power[id] -= s.Power(i)
	vs.sum -= s.Power(i)
	if vs.has && vs.quorum == id && !s.twoThirds(vs.power[id]) {
		vs.quorum, vs.has = "", false
	}
}

// nilQuorum reports more than 2/3 of the power voting nil.
func (vs *voteSet) nilQuorum(s ValidatorSet) bool { return s.twoThirds(vs.power[""]) }

// anyQuorum reports more than 2/3 of the power voting for anything.
func (vs *voteSet) anyQuorum(s ValidatorSet) bool { return s.twoThirds(vs.sum) }

// bitmap returns the catch-up bitmap of the validators that voted.
func (vs *voteSet) bitmap() []byte {
	var b []byte
	for i, v := range vs.votes {
		if v != nil {
			b = protocols.SetBit(b, i)
		}
	}
	return b
}

// roundState is what a core knows of one round of its height.
type roundState struct {
	// proposals from the round's proposer, distinct values, at most
	// maxProposals; the first is the one the round acts on (an
	// equivocating proposer's second is kept for its value).
	proposals  []*protocols.Proposal
	prevotes   voteSet
	precommits voteSet
	// "for the first time" guards of Algorithm 1's lines 34, 47 and 36.
	prevoteWait, precommitWait, polDone bool
}

const maxProposals = 2

func newRoundState(n int) *roundState {
	return &roundState{prevotes: newVoteSet(n), precommits: newVoteSet(n)}
}

func (rs *roundState) votes(t protocols.VoteType) *voteSet {
	if t == protocols.Prevote {
		return &rs.prevotes
	}
	return &rs.precommits
}

// proposal returns the proposal the round acts on, or nil.
func (rs *roundState) proposal() *protocols.Proposal {
	if rs == nil || len(rs.proposals) == 0 {
		return nil
	}
	return rs.proposals[0]
}

// forget drops validator i's votes from the round.
func (rs *roundState) forget(s ValidatorSet, i int) {
	rs.prevotes.remove(s, i)
	rs.precommits.remove(s, i)
}
