package consensus

import (
	"errors"
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

// TestEquivocatedPOLCounts is the attack the extra votes answer: a
// byzantine validator prevotes A to some and nil to others, so some
// correct nodes lock on A while the sut never sees the proof of lock. A
// later proposal of A naming that round makes its A prevote count.
func TestEquivocatedPOLCounts(t *testing.T) {
	s := newScene(t, nil)
	o := s.others(3)
	byz := o[2]
	s.votes(pv, 0, "", byz) // the sut gets the nil side
	rd := s.votes(pv, 0, "A", byz)
	if len(rd.Evidence) != 1 {
		t.Fatalf("%d evidence, want 1", len(rd.Evidence))
	}
	s.votes(pv, 0, "A", o[0], o[1])
	if rs := s.c.rounds[0]; rs.prevotes.has {
		t.Fatal("an unclaimed equivocating vote made a quorum")
	}
	s.timeout(StepPropose, 0)
	s.timeout(StepPrecommit, 0)
	// Round 1 proposes A with POL round 0; the byzantine A prevote, sent
	// again by catch-up, now counts.
	wantVotes(t, s.propose(1, 0, "A")) // no POL yet
	wantVotes(t, s.votes(pv, 0, "A", byz), voteStr(pv, 1, "A"))
}

func TestAskForPOL(t *testing.T) {
	s := newScene(t, nil)
	s.nextRound(0)
	p := s.f.proposal(t, 1, 1, 0, "A")
	rd := s.in(Input{From: "peer", Proposal: p})
	var req *protocols.CatchupRequest
	for _, m := range rd.Messages {
		if m.Request != nil && m.To == "peer" {
			req = m.Request
		}
	}
	if req == nil || !req.Want || req.Round != 1 || !req.HasProposal || Step(req.Step) != StepPropose {
		t.Fatalf("no explicit request for the POL: %+v", req)
	}
}

func responses(rd Ready, to string) []*protocols.CatchupResponse {
	var out []*protocols.CatchupResponse
	for _, m := range rd.Messages {
		if m.Response != nil && m.To == to {
			out = append(out, m.Response)
		}
	}
	return out
}

func TestCatchupAnswers(t *testing.T) {
	s := newScene(t, nil)
	s.propose(0, -1, "A") // the sut prevotes A
	o := s.others(3)
	s.votes(pv, 0, "A", o[0])
	status := &protocols.CatchupRequest{Version: protocols.ConsensusVersion, ChainID: chain, Height: 1, Round: 0, Step: uint8(StepPrevote)}
	ask := func(from string, req *protocols.CatchupRequest) []*protocols.CatchupResponse {
		return responses(s.in(Input{From: from, Request: req}), from)
	}
	if got := ask("p", status); len(got) != 0 {
		t.Fatal("answered a peer that is making progress")
	}
	got := ask("p", status) // same status again: stuck
	if len(got) != 1 || len(got[0].Proposals) != 1 || len(got[0].Votes) != 2 {
		t.Fatalf("stuck peer: %+v", got)
	}
	has := *status
	has.HasProposal = true
	has.Prevotes = protocols.SetBit(nil, s.sut)
	has.Want = true
	got = ask("q", &has)
	if len(got) != 1 || len(got[0].Proposals) != 0 || len(got[0].Votes) != 1 || !slices.Equal(got[0].Votes[0].Validator, s.f.vs.PubKey(o[0])) {
		t.Fatalf("want only the vote the peer lacks: %+v", got)
	}
	// A peer in a later round learns nothing from us; one behind gets ours.
	s.timeout(StepPrevote, 0)
	s.timeout(StepPrecommit, 0)
	if got := ask("r", status); len(got) != 1 {
		t.Fatalf("peer in an earlier round: %d answers", len(got))
	}
	// Behind by a height: the driver serves it from the store.
	s.propose(1, -1, "B")
	s.votes(pc, 1, "B", o...)
	if err := s.c.Advance(s.f.vs.Next()); err != nil {
		t.Fatal(err)
	}
	s.c.Ready()
	rd := s.in(Input{From: "p", Request: status})
	if got := responses(rd, "p"); len(got) != 1 || got[0].Commit == nil || string(got[0].Value) != "B" {
		t.Fatalf("peer one height behind: %+v", got)
	}
	old := *status
	old.Height = 0
	if rd := s.in(Input{From: "p", Request: &old}); len(rd.Serve) != 1 || rd.Serve[0].To != "p" {
		t.Fatalf("peer two heights behind: serve %+v", rd.Serve)
	}
}

// TestCertifiedDecides: a commit certificate decides, even when one of
// its signers showed us a different precommit.
func TestCertifiedDecides(t *testing.T) {
	s := newScene(t, nil)
	o := s.others(3)
	s.votes(pc, 0, "", o[0]) // o[0] equivocates: nil to us, A in the commit
	cm := &protocols.Commit{Version: protocols.ConsensusVersion, ChainID: chain, Height: 1, Round: 0, ValueID: id("A")}
	for _, i := range slices.Sorted(slices.Values(o)) {
		cm.Sigs = append(cm.Sigs, protocols.CommitSig{Index: uint32(i), Sig: s.f.vote(t, i, pc, 1, 0, "A").Sig})
	}
	rd := s.in(Input{Certified: &Certified{Commit: *cm, Value: []byte("A")}})
	if rd.Decision == nil || string(rd.Decision.Value) != "A" {
		t.Fatalf("no decision from a certificate: %+v", rd.Decision)
	}
	if err := rd.Decision.Commit.Verify(chain, s.f.vs.Validators()); err != nil {
		t.Fatal(err)
	}
	bad := *cm
	bad.Sigs = bad.Sigs[:2]
	s2 := newScene(t, nil)
	if err := s2.c.Step(Input{Certified: &Certified{Commit: bad, Value: []byte("A")}}); err == nil {
		t.Fatal("a certificate without quorum accepted")
	}
}

// TestQuorumProof: a peer passes on a proof of lock whose third vote is
// an equivocator's other vote; it counts, and the sut locks.
func TestQuorumProof(t *testing.T) {
	s := newScene(t, nil)
	o := s.others(3)
	byz := o[2]
	s.timeout(StepPropose, 0) // the sut prevotes nil
	s.votes(pv, 0, "", byz)
	s.propose(0, -1, "A")
	a0, a1 := s.f.vote(t, o[0], pv, 1, 0, "A"), s.f.vote(t, o[1], pv, 1, 0, "A")
	short := &Quorum{Votes: []protocols.Vote{*a0, *s.f.vote(t, byz, pv, 1, 0, "A")}}
	rd := s.in(Input{Quorum: short})
	if len(rd.WAL) != 0 || len(rd.Evidence) != 1 || s.c.rounds[0].prevotes.has {
		t.Fatalf("a quorum short of 2/3 counted: wal %d evidence %d", len(rd.WAL), len(rd.Evidence))
	}
	full := &Quorum{Votes: []protocols.Vote{*a0, *a1, *s.f.vote(t, byz, pv, 1, 0, "A")}}
	rd = s.in(Input{Quorum: full})
	if len(rd.WAL) != 1 || !s.c.rounds[0].prevotes.has {
		t.Fatal("a proven quorum did not count")
	}
	if v, r := s.c.Valid(); string(v) != string(id("A")) || r != 0 {
		t.Fatalf("validValue %x/%d after the proof of lock", v, r)
	}
	mixed := &Quorum{Votes: []protocols.Vote{*a0, *s.f.vote(t, o[1], pv, 1, 0, "B")}}
	if err := s.c.Step(Input{Quorum: mixed}); !errors.Is(err, ErrBadInput) {
		t.Fatalf("quorum of mixed values: %v", err)
	}
}
