package consensus

import (
	"bytes"
	"fmt"

	"github.com/taonet/tao/protocols"
)

// Step feeds the core one input. A message is checked (chain, height,
// sender in the set, signature) before it counts; an error means the input
// was malformed or forged and changed nothing, and the driver may penalise
// the peer. Stale and duplicate inputs are ignored without error. Call
// Ready afterwards.
func (c *Core) Step(in Input) error {
	err := c.step1(in)
	c.drain()
	return err
}

func (c *Core) step1(in Input) error {
	n := 0
	for _, set := range []bool{in.Proposal != nil, in.Vote != nil, in.Certified != nil, in.Quorum != nil, in.Timeout != nil,
		in.Value != nil, in.Validity != nil, in.Request != nil, in.Response != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return ErrBadInput
	}
	var logged bool
	var err error
	switch {
	case in.Request != nil:
		return c.onRequest(in.From, in.Request)
	case in.Response != nil:
		return c.onResponse(in.Response)
	case in.Proposal != nil:
		logged, err = c.addProposal(in.Proposal, false)
		if logged {
			c.askForPOL(in.From, in.Proposal)
		}
	case in.Vote != nil:
		logged, err = c.addVote(in.Vote, false, false)
	case in.Certified != nil:
		logged, err = c.addCertified(in.Certified)
	case in.Quorum != nil:
		logged, err = c.addQuorum(in.Quorum)
	case in.Timeout != nil:
		logged = c.onTimeout(*in.Timeout)
	case in.Value != nil:
		logged, err = c.onValue(in.Value)
	case in.Validity != nil:
		logged = c.onValidity(in.Validity)
	}
	if logged {
		if !c.replaying {
			c.ready.WAL = append(c.ready.WAL, recordOf(c.height, in))
		}
		c.run()
	}
	return err
}

// drain delivers the core's own messages to itself, after the input that
// produced them, so that rule evaluation never nests.
func (c *Core) drain() {
	for len(c.selfq) > 0 {
		in := c.selfq[0]
		c.selfq = c.selfq[1:]
		var ok bool
		if in.Proposal != nil {
			ok, _ = c.addProposal(in.Proposal, true)
		} else {
			ok, _ = c.addVote(in.Vote, true, false)
		}
		if ok {
			c.run()
		}
	}
	c.selfq = nil
}

// keepFuture holds a message for the next height until Advance.
func (c *Core) keepFuture(in Input) {
	if len(c.future) < c.cfg.MaxFutureMessages {
		c.future = append(c.future, in)
	}
}

// admit decides whether a verified message of validator i for round r is
// kept. Rounds up to one past the current are always kept. Of rounds
// further ahead only each validator's highest is kept (and its older
// far-future round forgotten): enough to count f+1 validators ahead for a
// round skip, and a byzantine validator cannot fill memory with rounds.
func (c *Core) admit(i int, r int32) bool {
	m := c.maxRound[i]
	if r <= c.round+1 || r == m {
		c.maxRound[i] = max(m, r)
		return true
	}
	if r < m {
		return false
	}
	if m > c.round+1 {
		if rs := c.rounds[m]; rs != nil {
			rs.forget(c.vals, i) // far rounds hold no proposals: see addProposal
			if rs.prevotes.sum == 0 && rs.precommits.sum == 0 {
				delete(c.rounds, m)
			}
		}
	}
	c.maxRound[i] = r
	return true
}

// addProposal stores a proposal from the proposer of its round. Proposals
// are kept for rounds up to one past the current: computing the proposer
// of an arbitrary far round would let a peer make the core spin.
func (c *Core) addProposal(p *protocols.Proposal, own bool) (bool, error) {
	if p.Height == c.height+1 && !own {
		c.keepFuture(Input{Proposal: p})
		return false, nil
	}
	if p.Height != c.height || p.Round > c.round+1 {
		return false, nil
	}
	if p.Value == nil {
		return false, ErrNoValue
	}
	i := c.proposer(p.Round)
	if !bytes.Equal(p.Proposer, c.vals.PubKey(i)) {
		return false, fmt.Errorf("%w: round %d", ErrNotProposer, p.Round)
	}
	rs := c.roundState(p.Round)
	for _, q := range rs.proposals {
		if bytes.Equal(q.ValueID, p.ValueID) {
			return false, nil
		}
	}
	if len(rs.proposals) >= maxProposals {
		return false, nil
	}
	if !own {
		if err := p.VerifyWith(c.cfg.ChainID, c.cfg.Verify); err != nil {
			return false, err
		}
		if !bytes.Equal(protocols.ValueID(p.Value), p.ValueID) {
			return false, fmt.Errorf("%w: value does not match its ID", ErrNoValue)
		}
	}
	c.admit(i, p.Round)
	rs.proposals = append(rs.proposals, p)
	c.learnValue(string(p.ValueID), p.Value)
	return true, nil
}

// addVote stores a vote. A second vote of a validator for another value
// in the same round and step is reported as Evidence, and counted only if
// a quorum for its value is claimed: by a commit certificate (quorum) or,
// for a prevote, by a proposal naming its round as proof of lock.
func (c *Core) addVote(v *protocols.Vote, verified, quorum bool) (bool, error) {
	if v.Height == c.height+1 && !verified {
		c.keepFuture(Input{Vote: v})
		return false, nil
	}
	if v.Height != c.height || (v.Type != protocols.Prevote && v.Type != protocols.Precommit) || v.Round < 0 {
		return false, nil
	}
	i := c.vals.Index(v.Validator)
	if i < 0 {
		return false, ErrNotValidator
	}
	var old *protocols.Vote
	if rs := c.rounds[v.Round]; rs != nil {
		set := rs.votes(v.Type)
		old = set.votes[i]
		if old != nil && set.voteFor(i, string(v.ValueID)) != nil {
			return false, nil // duplicate
		}
	}
	if !verified {
		if err := v.VerifyWith(c.cfg.ChainID, c.cfg.Verify); err != nil {
			return false, err
		}
	}
	if old != nil {
		c.equivocation(i, old, v)
		if !quorum && (v.Type != protocols.Prevote || !c.claimedPOL(v.Round, v.ValueID)) {
			return false, nil
		}
	} else if !c.admit(i, v.Round) {
		return false, nil
	}
	rs := c.roundState(v.Round)
	set := rs.votes(v.Type)
	had := set.has
	if old != nil {
		set.addExtra(c.vals, i, v)
	} else {
		set.add(c.vals, i, v)
	}
	if v.Type == protocols.Precommit && set.has && !had {
		c.commitRounds = append(c.commitRounds, v.Round)
	}
	return true, nil
}

// claimedPOL reports whether a stored proposal names round r as the proof
// of lock of value id.
func (c *Core) claimedPOL(r int32, id []byte) bool {
	for _, rs := range c.rounds {
		for _, p := range rs.proposals {
			if p.POLRound == r && bytes.Equal(p.ValueID, id) {
				return true
			}
		}
	}
	return false
}

// askForPOL asks the peer that relayed a proposal for the prevotes of its
// proof-of-lock round when the core lacks them, rather than wait for the
// next status tick: the proposal's round may time out first.
func (c *Core) askForPOL(from string, p *protocols.Proposal) {
	if from == "" || p.POLRound < 0 || p.Round != c.round || c.step != StepPropose {
		return
	}
	if rs := c.rounds[p.POLRound]; rs != nil && rs.prevotes.has && rs.prevotes.quorum == string(p.ValueID) {
		return
	}
	req := c.status()
	req.Want = true
	c.send(Message{To: from, Request: req})
}

func (c *Core) equivocation(i int, a, b *protocols.Vote) {
	k := evidenceKey{i, a.Round, a.Type}
	if c.reported[k] {
		return
	}
	c.reported[k] = true
	if e, err := protocols.NewEvidence(a, b); err == nil {
		c.ready.Evidence = append(c.ready.Evidence, e)
	}
}

// addCertified takes a decided value with its commit certificate: the
// certificate's signatures count as precommits, so Algorithm 1's line 49
// decides the value as if they had been gossiped.
func (c *Core) addCertified(ce *Certified) (bool, error) {
	cm := &ce.Commit
	if cm.Height != c.height || c.decision != nil {
		return false, nil
	}
	if err := cm.VerifyWith(c.cfg.ChainID, c.vals.vals, c.cfg.Verify); err != nil {
		return false, err
	}
	if !bytes.Equal(protocols.ValueID(ce.Value), cm.ValueID) {
		return false, fmt.Errorf("%w: certified value does not match the commit", ErrNoValue)
	}
	c.learnValue(string(cm.ValueID), ce.Value)
	for i, s := range cm.Sigs {
		c.addVote(cm.Precommit(i, c.vals.PubKey(int(s.Index))), true, true)
	}
	return true, nil
}

// addQuorum counts a proven quorum, equivocators' second votes included
// (see Quorum). Without a quorum it only reports the equivocations.
func (c *Core) addQuorum(q *Quorum) (bool, error) {
	if len(q.Votes) == 0 || len(q.Votes) > protocols.MaxCatchupVotes {
		return false, fmt.Errorf("%w: quorum of %d votes", ErrBadInput, len(q.Votes))
	}
	v0 := &q.Votes[0]
	if v0.Height != c.height || v0.Round < 0 || (v0.Type != protocols.Prevote && v0.Type != protocols.Precommit) {
		return false, nil
	}
	// The round state is made only when a vote is admitted, so a forged
	// far round costs nothing.
	set := newVoteSet(0)
	if rs := c.rounds[v0.Round]; rs != nil {
		set = *rs.votes(v0.Type)
	}
	id := string(v0.ValueID)
	power := set.power[id]
	var add []int // indices into q.Votes of votes to count
	counted := make(map[int]bool)
	for k := range q.Votes {
		v := &q.Votes[k]
		if v.Height != v0.Height || v.Round != v0.Round || v.Type != v0.Type || string(v.ValueID) != id {
			return false, fmt.Errorf("%w: quorum votes for different steps or values", ErrBadInput)
		}
		i := c.vals.Index(v.Validator)
		if i < 0 {
			return false, ErrNotValidator
		}
		if counted[i] || (len(set.votes) > 0 && set.voteFor(i, id) != nil) {
			continue
		}
		if err := v.VerifyWith(c.cfg.ChainID, c.cfg.Verify); err != nil {
			return false, err
		}
		counted[i] = true
		power += c.vals.Power(i)
		add = append(add, k)
	}
	if len(add) == 0 {
		return false, nil
	}
	if !c.vals.twoThirds(power) {
		for _, k := range add {
			c.addVote(&q.Votes[k], true, false) // counts plain votes, reports equivocations
		}
		return false, nil
	}
	for _, k := range add {
		c.addVote(&q.Votes[k], true, true)
	}
	return true, nil
}

// learnValue remembers a value's bytes and asks the application about it.
func (c *Core) learnValue(id string, value []byte) {
	if _, ok := c.values[id]; !ok {
		c.values[id] = value
	}
	if c.validity[id] == unknown {
		c.validity[id] = pending
		c.ready.Validate = append(c.ready.Validate, ValidateRequest{Height: c.height, ValueID: []byte(id), Value: value})
	}
}

func (c *Core) onValidity(v *Validity) bool {
	id := string(v.ValueID)
	if v.Height != c.height || c.validity[id] != pending {
		return false
	}
	c.validity[id] = invalid
	if v.Valid {
		c.validity[id] = valid
	}
	return true
}

// onValue takes the application's value for a round this core proposes.
func (c *Core) onValue(v *ProposedValue) (bool, error) {
	if v.Height != c.height || v.Round != c.round || c.step != StepPropose || !c.isProposer(v.Round) ||
		c.validValue != "" || c.roundState(v.Round).proposal() != nil {
		return false, nil
	}
	if v.Value == nil || len(v.Value) > protocols.MaxValueSize {
		return false, fmt.Errorf("%w: proposed value of %d bytes", ErrNoValue, len(v.Value))
	}
	id := string(protocols.ValueID(v.Value))
	c.values[id] = v.Value
	c.validity[id] = valid
	c.propose(v.Round, id, -1)
	return true, nil
}

// onTimeout is Algorithm 1's OnTimeoutPropose, OnTimeoutPrevote and
// OnTimeoutPrecommit, and the status gossip tick.
func (c *Core) onTimeout(t Timeout) bool {
	if t.Step == StepGossip {
		c.gossip()
		return false
	}
	if t.Height != c.height || t.Round != c.round || c.decision != nil {
		return false
	}
	switch {
	case t.Step == StepPropose && c.step == StepPropose:
		c.vote(protocols.Prevote, "")
	case t.Step == StepPrevote && c.step == StepPrevote:
		c.vote(protocols.Precommit, "")
	case t.Step == StepPrecommit:
		c.startRound(c.round + 1)
	default:
		return false
	}
	return true
}
