package sim

import (
	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// Faults before GST: partitions that heal, crashes with restarts (at
// event boundaries, and between persisting a Ready and sending it), and
// on every message drops, duplicates and random delays (which reorder).

const crashMidReadyPerMille = 3

func (s *Sim) scheduleFaults() {
	gst := s.o.GST
	s.q.push(&event{at: gst, kind: evGST})
	if s.o.Partitions {
		t := s.between(0, gst/4)
		for t < gst {
			d := s.between(2*consensus.Second, 12*consensus.Second)
			s.q.push(&event{at: t, kind: evPartition})
			s.q.push(&event{at: min(t+d, gst), kind: evHeal})
			t += d + s.between(consensus.Second, 6*consensus.Second)
		}
	}
	if s.o.Crashes {
		honest := s.honest()
		for range 1 + s.rng.IntN(3) {
			n := honest[s.rng.IntN(len(honest))]
			s.q.push(&event{at: s.between(0, gst-consensus.Second), kind: evCrash, node: n.i})
		}
	}
}

// partition splits the nodes in two sides, neither empty.
func (s *Sim) partition() {
	s.group = make([]int, len(s.nodes))
	for {
		ones := 0
		for i := range s.group {
			s.group[i] = s.rng.IntN(2)
			ones += s.group[i]
		}
		if ones > 0 && ones < len(s.nodes) {
			break
		}
	}
	s.res.Partitions++
	s.trace("partition %v", s.group)
}

// crashNow decides whether an honest node crashes between persisting a
// Ready and acting on it.
func (s *Sim) crashNow(n *node) bool {
	if !s.o.Crashes || s.gst || n.byz || !s.chance(crashMidReadyPerMille) {
		return false
	}
	s.crash(n, min(s.now+s.between(100*consensus.Millisecond, 5*consensus.Second), s.o.GST))
	return true
}

// send puts m on the bus: to every other node, or to m.To.
func (s *Sim) send(n *node, m consensus.Message) error {
	var targets []int
	for _, t := range s.nodes {
		if t != n && (m.To == "" || m.To == t.name) {
			targets = append(targets, t.i)
		}
	}
	if n.byz && m.To == "" && (m.Proposal != nil || m.Vote != nil) {
		return s.equivocate(n, m, targets)
	}
	w, err := encode(m)
	if err != nil {
		return err
	}
	for _, t := range targets {
		s.transmit(n.i, t, w)
	}
	return nil
}

func (s *Sim) transmit(from, to int, w wire) {
	if !s.gst && (s.group != nil && s.group[from] != s.group[to] || s.chance(s.o.DropPerMille)) {
		s.res.Dropped++
		return
	}
	copies := 1
	if s.chance(s.o.DupPerMille) {
		copies = 2
	}
	for range copies {
		d := s.between(consensus.Millisecond, s.o.Delta)
		if !s.gst {
			d = s.between(0, s.o.MaxDelay)
		}
		s.q.push(&event{at: s.now + d, kind: evDeliver, node: to, from: from, msg: w})
	}
}

// equivocate is the byzantine behaviour: half the peers (drawn afresh
// each time) get m, the other half a conflicting message signed by the
// same key for the same height, round and step; a few get nothing.
func (s *Sim) equivocate(n *node, m consensus.Message, targets []int) error {
	alt := consensus.Message{}
	switch {
	case m.Proposal != nil:
		p := *m.Proposal
		p.Value = n.app.propose(p.Height, n.i, s.rng.Uint64())
		if p.POLRound >= 0 && s.rng.IntN(2) == 0 {
			p.POLRound = -1
		}
		if err := p.Sign(n.key); err != nil {
			return err
		}
		alt.Proposal = &p
	case m.Vote != nil:
		v := *m.Vote
		if v.ValueID != nil {
			v.ValueID = nil
		} else {
			v.ValueID = protocols.ValueID(n.app.propose(v.Height, n.i, s.rng.Uint64()))
		}
		if err := v.Sign(n.key); err != nil {
			return err
		}
		alt.Vote = &v
	}
	w, err := encode(m)
	if err != nil {
		return err
	}
	wAlt, err := encode(alt)
	if err != nil {
		return err
	}
	s.rng.Shuffle(len(targets), func(i, j int) { targets[i], targets[j] = targets[j], targets[i] })
	for k, t := range targets {
		switch {
		case s.chance(100):
			// silent towards this peer
		case k%2 == 0:
			s.transmit(n.i, t, w)
		default:
			s.transmit(n.i, t, wAlt)
		}
	}
	return nil
}
