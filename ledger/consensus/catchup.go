package consensus

import (
	"fmt"
	"slices"

	"github.com/taonet/tao/protocols"
)

// Catch-up makes gossip reliable over a lossy network, as the paper
// assumes of it: every GossipInterval a core broadcasts its status
// (height, round, step, which votes it holds), and a peer answers with
// what the status lacks. A peer one height behind gets the last commit
// and value from the core; further behind, the driver serves it from the
// block store (Ready.Serve). A core that hears of a higher height asks
// that peer at once, and after each Advance asks again, so a lagging node
// walks up the heights one round trip each.

// gossip sends the status and sets the next tick.
func (c *Core) gossip() {
	c.send(Message{Request: c.status()})
	c.setTimer(StepGossip, c.round)
}

func (c *Core) status() *protocols.CatchupRequest {
	req := &protocols.CatchupRequest{Version: protocols.ConsensusVersion, ChainID: c.cfg.ChainID,
		Height: c.height, Round: c.round, Step: uint8(c.step)}
	if rs := c.rounds[c.round]; rs != nil {
		req.HasProposal = rs.proposal() != nil
		req.Prevotes = rs.prevotes.bitmap()
		req.Precommits = rs.precommits.bitmap()
	}
	return req
}

func (c *Core) onRequest(from string, req *protocols.CatchupRequest) error {
	if req.ChainID != c.cfg.ChainID {
		return fmt.Errorf("%w: got %q, want %q", protocols.ErrWrongChain, req.ChainID, c.cfg.ChainID)
	}
	if from != "" && req.Height > c.peers[from] {
		c.peers[from] = req.Height
	}
	switch {
	case req.Height < c.height:
		if req.Height+1 == c.height && c.prevCommit != nil {
			c.send(Message{To: from, Response: &protocols.CatchupResponse{Version: protocols.ConsensusVersion,
				ChainID: c.cfg.ChainID, Height: req.Height, Commit: c.prevCommit, Value: c.prevValue}})
		} else {
			c.ready.Serve = append(c.ready.Serve, ServeRequest{To: from, Height: req.Height})
		}
	case req.Height > c.height:
		if c.decision == nil && from != "" {
			c.send(Message{To: from, Request: c.status()})
		}
	default:
		if !c.shouldAnswer(from, req) {
			return nil
		}
		if resp := c.catchupFor(req); resp != nil {
			c.send(Message{To: from, Response: resp})
		}
	}
	return nil
}

// peerStatus is where a peer said it was in its last status.
type peerStatus struct {
	height uint64
	round  int32
	step   uint8
}

// shouldAnswer limits answers to peers at our height that need them: a
// peer in an earlier round (it must learn of ours to move on), one that
// asks explicitly (Want), or one that reported the same step twice in a
// row, a whole gossip interval stuck. A peer making progress is left to
// ordinary gossip, or every status would draw the same votes from all
// its peers, most of them still in flight.
func (c *Core) shouldAnswer(from string, req *protocols.CatchupRequest) bool {
	cur := peerStatus{req.Height, req.Round, req.Step}
	prev, seen := c.peerStat[from]
	if from != "" {
		c.peerStat[from] = cur
	}
	return req.Want || req.Round < c.round || c.decision != nil || (seen && prev == cur)
}

// catchupFor builds the answer to a peer at the same height: the commit
// if decided; else the proposal, proof-of-lock prevotes and votes of the
// peer's round it lacks, and everything of our round if we are ahead.
func (c *Core) catchupFor(req *protocols.CatchupRequest) *protocols.CatchupResponse {
	resp := &protocols.CatchupResponse{Version: protocols.ConsensusVersion, ChainID: c.cfg.ChainID, Height: c.height}
	if d := c.decision; d != nil {
		resp.Commit, resp.Value = d.Commit, d.Value
		return resp
	}
	sent := make(map[*protocols.Vote]bool)
	addVote := func(v *protocols.Vote) {
		if v != nil && !sent[v] && len(resp.Votes) < protocols.MaxCatchupVotes {
			sent[v] = true
			resp.Votes = append(resp.Votes, *v)
		}
	}
	addRound := func(rs *roundState, hasProposal bool, prevotes, precommits []byte, inPropose bool) {
		p := rs.proposal()
		if p != nil && !hasProposal {
			resp.Proposals = append(resp.Proposals, *p)
		}
		if p != nil && (!hasProposal || inPropose) && p.POLRound >= 0 {
			if pol := c.rounds[p.POLRound]; pol != nil {
				for i := range pol.prevotes.votes {
					addVote(pol.prevotes.voteFor(i, string(p.ValueID)))
				}
			}
		}
		for i, v := range rs.prevotes.votes {
			if !protocols.Has(prevotes, i) {
				addVote(v)
			}
		}
		for i, v := range rs.precommits.votes {
			if !protocols.Has(precommits, i) {
				addVote(v)
			}
		}
	}
	addQuorum := func(set *voteSet, id string) {
		for i := range set.votes {
			addVote(set.voteFor(i, id))
		}
	}
	if rs := c.rounds[req.Round]; rs != nil {
		addRound(rs, req.HasProposal, req.Prevotes, req.Precommits, Step(req.Step) == StepPropose)
		// A quorum is sent whole: the peer may hold an equivocator's other
		// vote, which the bitmap cannot tell apart.
		if rs.prevotes.has {
			addQuorum(&rs.prevotes, rs.prevotes.quorum)
		}
		if rs.precommits.has {
			addQuorum(&rs.precommits, rs.precommits.quorum)
		}
	}
	if c.validRound >= 0 && c.validRound != req.Round {
		addQuorum(&c.rounds[c.validRound].prevotes, c.validValue) // our latest proof of lock
	}
	if c.round > req.Round {
		if rs := c.rounds[c.round]; rs != nil {
			addRound(rs, false, nil, nil, true)
		}
	}
	if len(resp.Proposals) == 0 && len(resp.Votes) == 0 {
		return nil
	}
	return resp
}

// onResponse feeds the parts of a catch-up response to the core, each
// logged on its own. A commit comes first: it decides the height at once.
func (c *Core) onResponse(resp *protocols.CatchupResponse) error {
	if resp.ChainID != c.cfg.ChainID {
		return fmt.Errorf("%w: got %q, want %q", protocols.ErrWrongChain, resp.ChainID, c.cfg.ChainID)
	}
	if resp.Height != c.height {
		return nil
	}
	if resp.Commit != nil {
		return c.step1(Input{Certified: &Certified{Commit: *resp.Commit, Value: resp.Value}})
	}
	for i := range resp.Proposals {
		if err := c.step1(Input{Proposal: &resp.Proposals[i]}); err != nil {
			return err
		}
	}
	for i := range resp.Votes {
		if err := c.step1(Input{Vote: &resp.Votes[i]}); err != nil {
			return err
		}
	}
	// Votes that did not count (an equivocator's other vote) may complete
	// a quorum the responder saw: offer each such group as a Quorum.
	type key struct {
		round int32
		typ   protocols.VoteType
		id    string
	}
	var order []key
	groups := make(map[key][]protocols.Vote)
	for _, v := range resp.Votes {
		k := key{v.Round, v.Type, string(v.ValueID)}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], v)
	}
	for _, k := range order {
		rs := c.rounds[k.round]
		if rs == nil || k.id == "" {
			continue
		}
		set, missing := rs.votes(k.typ), false
		for _, v := range groups[k] {
			if i := c.vals.Index(v.Validator); i >= 0 && set.voteFor(i, k.id) == nil {
				missing = true
			}
		}
		if missing {
			if err := c.step1(Input{Quorum: &Quorum{Votes: groups[k]}}); err != nil {
				return err
			}
		}
	}
	return nil
}

// askAhead asks a peer known to be at a higher height for the commit of
// ours (the first such peer in ID order, for determinism).
func (c *Core) askAhead() {
	var ahead []string
	for p, h := range c.peers {
		if h > c.height {
			ahead = append(ahead, p)
		}
	}
	if len(ahead) == 0 {
		return
	}
	slices.Sort(ahead)
	c.send(Message{To: ahead[0], Request: c.status()})
}
