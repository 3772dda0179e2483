package consensus

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/taonet/tao/protocols"
)

func TestValidatorSetCanonical(t *testing.T) {
	f := newFixture(t, 5, 1, 3)
	vals := f.vs.Validators()
	rev := slices.Clone(vals)
	slices.Reverse(rev)
	again, err := NewValidatorSet(rev)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Hash(), f.vs.Hash()) || len(f.vs.Hash()) != 32 {
		t.Fatal("hash depends on input order")
	}
	for i := 1; i < len(vals); i++ {
		if bytes.Compare(vals[i-1].PubKey, vals[i].PubKey) >= 0 {
			t.Fatal("not sorted by key")
		}
	}
	for i := range vals {
		if f.vs.Index(vals[i].PubKey) != i {
			t.Fatalf("Index of validator %d", i)
		}
	}
	if f.vs.Index(make([]byte, 32)) != -1 {
		t.Fatal("unknown key found")
	}
	bad := [][]protocols.Validator{
		nil,
		{{PubKey: vals[0].PubKey, Power: 0}},
		{vals[0], vals[0]},
		{{PubKey: vals[0].PubKey[:31], Power: 1}},
		{{PubKey: vals[0].PubKey, Power: protocols.MaxTotalPower}, {PubKey: vals[1].PubKey, Power: 1}},
	}
	for i, b := range bad {
		if _, err := NewValidatorSet(b); err == nil {
			t.Errorf("bad set %d accepted", i)
		}
	}
}

// proposerCounts runs heights round 0 proposers over n heights.
func proposerCounts(vs ValidatorSet, n int) []int {
	counts := make([]int, vs.Len())
	for range n {
		counts[vs.Proposer(0)]++
		vs = vs.Next()
	}
	return counts
}

func TestProposerProportionalToPower(t *testing.T) {
	tests := [][]uint64{
		{1, 1, 1, 1},
		{1, 2, 3, 4},
		{10, 1, 1, 1, 1, 1, 1},
		{100, 200, 300, 400, 500, 600, 700},
		{1, 1000},
	}
	for _, powers := range tests {
		t.Run(fmt.Sprint(powers), func(t *testing.T) {
			f := newFixture(t, powers...)
			total := int(f.vs.TotalPower())
			const periods = 5
			counts := proposerCounts(f.vs, periods*total)
			for i, got := range counts {
				want := periods * int(f.vs.Power(i))
				if d := got - want; d < -1 || d > 1 {
					t.Errorf("validator %d (power %d): %d proposals in %d heights, want %d±1",
						i, f.vs.Power(i), got, periods*total, want)
				}
			}
		})
	}
}

// TestProposerProperty checks random sets: over k*total rounds of one
// height, or heights, each validator proposes power*k times, within a
// small slack for the windowing at the start.
func TestProposerProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 50 {
		n := 1 + r.IntN(20)
		powers := make([]uint64, n)
		for i := range powers {
			powers[i] = 1 + uint64(r.IntN(50))
		}
		f := newFixture(t, powers...)
		total := int(f.vs.TotalPower())
		counts := make([]int, n)
		seq := newProposerSeq(f.vs)
		for round := range int32(3 * total) {
			counts[seq.at(round)]++
		}
		for i, got := range counts {
			want := 3 * int(f.vs.Power(i))
			if d := got - want; d < -n || d > n {
				t.Fatalf("trial %d powers %v: validator %d proposed %d of %d rounds, want about %d",
					trial, powers, i, got, 3*total, want)
			}
		}
		// Rounds of one height and heights agree on the rotation.
		if f.vs.Proposer(1) != f.vs.Next().Proposer(0) {
			t.Fatalf("trial %d: round 1 and next height's round 0 differ", trial)
		}
	}
}

func TestProposerDeterministicAfterRestore(t *testing.T) {
	f := newFixture(t, 3, 5, 7, 11)
	vs := f.vs
	for range 17 {
		vs = vs.Next()
	}
	back, err := RestoreValidatorSet(vs.Validators(), vs.Priorities())
	if err != nil {
		t.Fatal(err)
	}
	for r := range int32(40) {
		if back.Proposer(r) != vs.Proposer(r) {
			t.Fatalf("round %d: restored set picks another proposer", r)
		}
	}
}

func TestValidatorSetUpdate(t *testing.T) {
	f := newFixture(t, 10, 10, 10, 10)
	vals := f.vs.Validators()
	newcomer := protocols.Validator{PubKey: testKey(9).Public().(ed25519.PublicKey), Power: 10}
	up, err := f.vs.Update(append(vals[1:], newcomer))
	if err != nil {
		t.Fatal(err)
	}
	if up.Len() != 4 || up.Index(vals[0].PubKey) != -1 || up.Index(newcomer.PubKey) < 0 {
		t.Fatal("membership not updated")
	}
	// The newcomer queues behind: it is not the next proposer.
	if up.Proposer(0) == up.Index(newcomer.PubKey) {
		t.Fatal("newcomer proposes first")
	}
	counts := proposerCounts(up, 400)
	for i, c := range counts {
		if c < 95 || c > 105 {
			t.Fatalf("after update validator %d proposed %d of 400", i, c)
		}
	}
}
