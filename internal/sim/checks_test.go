package sim

import (
	"strings"
	"testing"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// TestChecksCatchViolations feeds the invariant checks violations
// directly: a checker that never fires would make every run pass.
func TestChecksCatchViolations(t *testing.T) {
	s, err := New(Options{Seed: 1, Powers: []uint64{1, 1, 1, 1}, Byzantine: []int{3}})
	if err != nil {
		t.Fatal(err)
	}
	a := &consensus.Decision{Height: 1, ValueID: protocols.ValueID([]byte("a"))}
	b := &consensus.Decision{Height: 1, ValueID: protocols.ValueID([]byte("b"))}
	if err := s.checkSafety(s.nodes[0], a, []byte{1}); err != nil {
		t.Fatal(err)
	}
	if err := s.checkSafety(s.nodes[1], b, []byte{1}); err == nil || !strings.Contains(err.Error(), "safety") {
		t.Fatalf("two values at one height: %v", err)
	}
	if err := s.checkSafety(s.nodes[1], a, []byte{2}); err == nil || !strings.Contains(err.Error(), "state") {
		t.Fatalf("two states at one height: %v", err)
	}
	// Evidence against an honest node is a failure; against a byzantine one it is counted.
	for _, who := range []int{0, 3} {
		va := &protocols.Vote{ChainID: chainID, Type: protocols.Prevote, Height: 1}
		vb := &protocols.Vote{ChainID: chainID, Type: protocols.Prevote, Height: 1, ValueID: a.ValueID}
		va.Sign(s.nodes[who].key)
		vb.Sign(s.nodes[who].key)
		e, err := protocols.NewEvidence(va, vb)
		if err != nil {
			t.Fatal(err)
		}
		err = s.evidence(s.nodes[1], e)
		if (who == 0) != (err != nil) {
			t.Fatalf("evidence against node %d: %v", who, err)
		}
	}
	// A node whose guard is ahead of its WAL (a lost WAL) boots and signs
	// nothing below the guard: the guard never moves back.
	n := s.nodes[0]
	n.guard.Save(consensus.SignState{Height: 5, Round: 1, Step: consensus.StepPrecommit})
	if err := s.boot(n); err != nil {
		t.Fatal(err)
	}
	if last, _ := n.guard.Load(); last.Height != 5 {
		t.Fatal("the guard moved back")
	}
}
