package consensus

import (
	"slices"

	"github.com/taonet/tao/protocols"
)

// The upon rules of Algorithm 1 (Buchman, Kwon, Milosevic 2018). Line
// numbers in comments are the paper's. Rules are evaluated after every
// input until none fires; each fires at most once per its guard.

// run fires rules until the state is stable.
func (c *Core) run() {
	for c.decision == nil && c.fire() {
	}
}

func (c *Core) fire() bool {
	if c.tryDecide() {
		return true
	}
	if r := c.skipRound(); r > c.round {
		c.startRound(r) // line 55
		return true
	}
	rs := c.roundState(c.round)
	if c.step == StepPropose && c.prevoteOnProposal(rs) {
		return true
	}
	if c.step >= StepPrevote && !rs.polDone && c.lockOnPOL(rs) {
		return true
	}
	if c.step == StepPrevote && rs.prevotes.nilQuorum(c.vals) {
		c.vote(protocols.Precommit, "") // line 44
		return true
	}
	if c.step == StepPrevote && !rs.prevoteWait && rs.prevotes.anyQuorum(c.vals) {
		rs.prevoteWait = true // line 34
		c.setTimer(StepPrevote, c.round)
		return true
	}
	if !rs.precommitWait && rs.precommits.anyQuorum(c.vals) {
		rs.precommitWait = true // line 47
		c.setTimer(StepPrecommit, c.round)
		return true
	}
	return false
}

// startRound is StartRound(round), line 10: the proposer proposes its
// validValue if it has one, else asks the application for a value.
func (c *Core) startRound(r int32) {
	c.round, c.step = r, StepPropose
	c.setTimer(StepPropose, r) // line 21; the proposer waits too, in case the application is slow
	if !c.isProposer(r) {
		return
	}
	if c.validValue != "" {
		c.propose(r, c.validValue, c.validRound)
		return
	}
	c.ready.Propose = &ProposeRequest{Height: c.height, Round: r}
}

// prevoteOnProposal is lines 22 and 28: prevote the round's proposal if
// it is valid and either we are not locked, we are locked on it, or it
// carries a proof of lock (2f+1 prevotes in round vr) at least as recent
// as our lock; else prevote nil. With validity not yet known it waits.
func (c *Core) prevoteOnProposal(rs *roundState) bool {
	p := rs.proposal()
	if p == nil {
		return false
	}
	id := string(p.ValueID)
	ok := c.validity[id]
	if ok != valid && ok != invalid {
		return false
	}
	if p.POLRound < 0 { // line 22
		if ok == valid && (c.lockedRound == -1 || c.lockedValue == id) {
			c.vote(protocols.Prevote, id)
		} else {
			c.vote(protocols.Prevote, "")
		}
		return true
	}
	pol := c.rounds[p.POLRound] // line 28
	if pol == nil || !pol.prevotes.has || pol.prevotes.quorum != id {
		return false
	}
	if ok == valid && (c.lockedRound <= p.POLRound || c.lockedValue == id) {
		c.vote(protocols.Prevote, id)
	} else {
		c.vote(protocols.Prevote, "")
	}
	return true
}

// lockOnPOL is line 36: 2f+1 prevotes for a valid value v in this round.
// In the prevote step lock on v and precommit it; in any later step only
// remember v as validValue, the value to re-propose.
func (c *Core) lockOnPOL(rs *roundState) bool {
	if !rs.prevotes.has {
		return false
	}
	id := rs.prevotes.quorum
	if _, known := c.values[id]; !known || c.validity[id] != valid {
		return false
	}
	rs.polDone = true
	if c.step == StepPrevote {
		c.lockedValue, c.lockedRound = id, c.round
		c.vote(protocols.Precommit, id)
	}
	c.validValue, c.validRound = id, c.round
	return true
}

// tryDecide is line 49: 2f+1 precommits for a valid value v in some round
// of this height decide v.
func (c *Core) tryDecide() bool {
	for _, r := range c.commitRounds {
		rs := c.rounds[r]
		if rs == nil || !rs.precommits.has { // pruned far round
			continue
		}
		set := &rs.precommits
		if !set.has {
			continue
		}
		id := set.quorum
		if _, known := c.values[id]; !known || c.validity[id] != valid {
			continue
		}
		c.decide(r, id)
		return true
	}
	return false
}

func (c *Core) decide(r int32, id string) {
	set := &c.rounds[r].precommits
	cm := &protocols.Commit{Version: protocols.ConsensusVersion, ChainID: c.cfg.ChainID, Height: c.height,
		Round: r, ValueID: []byte(id)}
	for i := range set.votes {
		if v := set.voteFor(i, id); v != nil {
			cm.Sigs = append(cm.Sigs, protocols.CommitSig{Index: uint32(i), Sig: v.Sig})
		}
	}
	c.step = StepCommit
	c.decision = &Decision{Height: c.height, Round: r, ValueID: []byte(id), Value: c.values[id], Commit: cm}
	c.ready.Decision = c.decision
}

// skipRound is line 55, counted per validator: the highest round R such
// that validators holding more than 1/3 of the power have sent messages
// of round R or later. At least one correct validator is then in round R
// or beyond, so moving there cannot be forced by byzantine ones alone.
func (c *Core) skipRound() int32 {
	type seen struct {
		round int32
		power uint64
	}
	var ahead []seen
	for i, r := range c.maxRound {
		if r > c.round {
			ahead = append(ahead, seen{r, c.vals.Power(i)})
		}
	}
	if !c.vals.oneThird(sumPower(ahead, func(s seen) uint64 { return s.power })) {
		return -1
	}
	slices.SortFunc(ahead, func(a, b seen) int { return int(b.round) - int(a.round) })
	var p uint64
	for _, s := range ahead {
		p += s.power
		if c.vals.oneThird(p) {
			return s.round
		}
	}
	return -1
}

func sumPower[T any](xs []T, f func(T) uint64) uint64 {
	var p uint64
	for _, x := range xs {
		p += f(x)
	}
	return p
}

// propose signs and broadcasts a proposal of value id in round r.
func (c *Core) propose(r int32, id string, pol int32) {
	p := &protocols.Proposal{ChainID: c.cfg.ChainID, Height: c.height, Round: r, POLRound: pol,
		ValueID: []byte(id), Value: c.values[id]}
	if !c.sign(StepPropose, r, id) {
		return
	}
	if err := p.Sign(c.cfg.Key); err != nil {
		panic("consensus: sign proposal: " + err.Error()) // encoding a valid struct cannot fail
	}
	c.emit(Input{Proposal: p}, Message{Proposal: p}, StepPropose, r, id)
}

// vote moves to the step after typ's and signs and broadcasts the vote.
func (c *Core) vote(typ protocols.VoteType, id string) {
	step := StepPrevote
	if typ == protocols.Precommit {
		step = StepPrecommit
	}
	c.step = step
	if !c.sign(step, c.round, id) {
		return
	}
	v := &protocols.Vote{ChainID: c.cfg.ChainID, Type: typ, Height: c.height, Round: c.round, ValueID: idBytes(id)}
	if err := v.Sign(c.cfg.Key); err != nil {
		panic("consensus: sign vote: " + err.Error())
	}
	c.emit(Input{Vote: v}, Message{Vote: v}, step, c.round, id)
}

// sign reports whether the core may sign a message for (height, r, step)
// with value id, and records it in the sign state. During Replay a
// message the guard has moved past is still built, for the core's own
// state, but emit does not send it.
func (c *Core) sign(step Step, r int32, id string) bool {
	if c.self < 0 {
		return false
	}
	s := SignState{Height: c.height, Round: r, Step: step, ValueID: idBytes(id)}
	if !c.last.Allows(s) {
		return c.replaying
	}
	if s.compareHRS(c.last) > 0 {
		c.last = s
		c.ready.SignState = &s
	}
	return true
}

// emit delivers an own message to the core (after the current input) and,
// unless the guard has moved past it, to the network.
func (c *Core) emit(self Input, m Message, step Step, r int32, id string) {
	c.selfq = append(c.selfq, self)
	s := SignState{Height: c.height, Round: r, Step: step, ValueID: idBytes(id)}
	if s.compareHRS(c.last) == 0 && c.last.Allows(s) || s.compareHRS(c.last) > 0 {
		c.send(m)
	}
}
