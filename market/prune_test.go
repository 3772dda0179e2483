package market

import (
	"errors"
	"testing"
)

func TestNeuronToPrune(t *testing.T) {
	p := DefaultParams()
	const b, imm = 10_000, 4_096
	old := uint64(100)     // not immune
	fresh := uint64(9_000) // immune
	var full []NeuronCandidate
	for uid := range uint16(12) {
		full = append(full, NeuronCandidate{UID: uid, Emission: Rao(100 + uid), RegisteredAt: old})
	}
	full = append(full,
		NeuronCandidate{UID: 20, Emission: 0, RegisteredAt: fresh}, // immune, lowest emission
		NeuronCandidate{UID: 21, Emission: 0, RegisteredAt: old, Immortal: true},
	)
	// 12 non-immune > 10: the best non-immune (uid 0, emission 100).
	if uid, err := p.NeuronToPrune(b, imm, full); err != nil || uid != 0 {
		t.Errorf("12 free: %d, %v", uid, err)
	}
	// Ties: same emission → earliest registration → lowest uid.
	tie := []NeuronCandidate{
		{UID: 7, Emission: 5, RegisteredAt: 300}, {UID: 3, Emission: 5, RegisteredAt: 300},
		{UID: 1, Emission: 5, RegisteredAt: 400}, {UID: 9, Emission: 6, RegisteredAt: 1},
	}
	p.MinNonImmuneUIDs = 0
	if uid, _ := p.NeuronToPrune(b, imm, tie); uid != 3 {
		t.Errorf("tie: %d, want 3", uid)
	}
	p.MinNonImmuneUIDs = 10
	// Only 10 non-immune: the best immune one.
	if uid, _ := p.NeuronToPrune(b, imm, full[2:]); uid != 20 {
		t.Errorf("10 free: %d, want 20", uid)
	}
	// Few non-immune and no immune: the best non-immune.
	if uid, _ := p.NeuronToPrune(b, imm, full[5:12]); uid != 5 {
		t.Errorf("no immune: %d, want 5", uid)
	}
	// Exactly at the immunity boundary a uid is not immune.
	edge := []NeuronCandidate{{UID: 1, Emission: 9, RegisteredAt: b - imm}, {UID: 2, Emission: 1, RegisteredAt: b - imm + 1}}
	p.MinNonImmuneUIDs = 0
	if uid, _ := p.NeuronToPrune(b, imm, edge); uid != 1 {
		t.Errorf("edge: %d, want 1", uid)
	}
	if _, err := p.NeuronToPrune(b, imm, full[13:]); !errors.Is(err, ErrNoNeuronToPrune) {
		t.Errorf("all immortal: %v", err)
	}
}

func TestSubnetToPrune(t *testing.T) {
	p := DefaultParams()
	b := uint64(5_000_000)
	imm := p.NetworkImmunity
	low := U96F32FromBits(0, 1<<20)
	subs := []SubnetCandidate{
		{NetUID: 0, MovingPrice: U96F32{}, RegisteredAt: 0},                 // root: never
		{NetUID: 4, MovingPrice: U96F32{}, RegisteredAt: b - imm + 1},       // immune
		{NetUID: 9, MovingPrice: low, RegisteredAt: 200},                    // candidate
		{NetUID: 5, MovingPrice: low, RegisteredAt: 200},                    // same price and age: lower netuid
		{NetUID: 2, MovingPrice: low, RegisteredAt: 300},                    // younger
		{NetUID: 3, MovingPrice: U96F32FromBits(0, 1<<31), RegisteredAt: 1}, // pricier
	}
	if n, err := p.SubnetToPrune(b, subs); err != nil || n != 5 {
		t.Errorf("got %d, %v; want 5", n, err)
	}
	if n, _ := p.SubnetToPrune(b, subs[:2]); n != 0 {
		t.Errorf("root or immune chosen: %d", n)
	}
	if _, err := p.SubnetToPrune(b, subs[:2]); !errors.Is(err, ErrNoSubnetToPrune) {
		t.Errorf("err = %v", err)
	}
	// Exactly NetworkImmunity blocks old qualifies.
	if n, _ := p.SubnetToPrune(b, []SubnetCandidate{{NetUID: 7, RegisteredAt: b - imm}}); n != 7 {
		t.Errorf("boundary: %d", n)
	}
}
