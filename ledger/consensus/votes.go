package consensus

import (
	"github.com/taonet/tao/protocols"
)

// voteSet is one round's prevotes or precommits, counted as in the
// paper: power[v] is the power of the validators that voted for v, and
// sum that of the validators that voted at all. A validator's first vote
// is kept in votes. A second vote for another value is an equivocation
// (reported as Evidence) and is counted too, in extra, only when a quorum
// for that value is claimed (a proof-of-lock round named by a proposal, or
// a commit certificate): without it, a byzantine validator that showed a
// POL to some correct nodes and hid it from others could stall them
// forever; with it, the memory an equivocator can take stays bounded.
type voteSet struct {
	votes  []*protocols.Vote // first vote, by validator index
	extra  []*protocols.Vote // further votes of equivocators for other values
	power  map[string]uint64 // by value ID; "" is nil
	sum    uint64            // power of all voters, Algorithm 1's "∗"
	quorum string            // value with more than 2/3 of the power, "" if none
	has    bool              // quorum is set
}

func newVoteSet(n int) voteSet {
	return voteSet{votes: make([]*protocols.Vote, n), power: make(map[string]uint64)}
}

// voteFor returns validator i's vote for value id, or nil.
func (vs *voteSet) voteFor(i int, id string) *protocols.Vote {
	if v := vs.votes[i]; v != nil && string(v.ValueID) == id {
		return v
	}
	for _, v := range vs.extra {
		if string(v.ValueID) == id && vs.votes[i] != nil && string(v.Validator) == string(vs.votes[i].Validator) {
			return v
		}
	}
	return nil
}

// add records validator i's first vote v.
func (vs *voteSet) add(s ValidatorSet, i int, v *protocols.Vote) {
	vs.votes[i] = v
	vs.sum += s.Power(i)
	vs.count(s, i, string(v.ValueID), s.Power(i))
}

// addExtra records an equivocator's vote for another value.
func (vs *voteSet) addExtra(s ValidatorSet, i int, v *protocols.Vote) {
	vs.extra = append(vs.extra, v)
	vs.count(s, i, string(v.ValueID), s.Power(i))
}

func (vs *voteSet) count(s ValidatorSet, i int, id string, p uint64) {
	vs.power[id] += p
	if !vs.has && id != "" && s.twoThirds(vs.power[id]) {
		vs.quorum, vs.has = id, true
	}
}

// remove forgets validator i's votes (pruning of far-future rounds).
func (vs *voteSet) remove(s ValidatorSet, i int) {
	first := vs.votes[i]
	if first == nil {
		return
	}
	p := s.Power(i)
	vs.votes[i] = nil
	vs.sum -= p
	vs.power[string(first.ValueID)] -= p
	kept := vs.extra[:0]
	for _, v := range vs.extra {
		if string(v.Validator) == string(first.Validator) {
			vs.power[string(v.ValueID)] -= p
		} else {
			kept = append(kept, v)
		}
	}
	vs.extra = kept
	if vs.has && !s.twoThirds(vs.power[vs.quorum]) {
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
