package market

import (
	"slices"
	"testing"
)

func TestNewEpochClockStagger(t *testing.T) {
	for _, c := range []struct {
		netuid, tempo uint16
		now, want     uint64
	}{
		{1, 360, 1_000, 999}, {361, 360, 1_000, 999}, {7, 10, 1_000, 993}, {5, 360, 3, 0}, {4, 0, 50, 50},
	} {
		if got := NewEpochClock(c.netuid, c.tempo, c.now).LastEpochBlock; got != c.want {
			t.Errorf("netuid %d tempo %d at %d: LastEpochBlock %d, want %d", c.netuid, c.tempo, c.now, got, c.want)
		}
	}
}

func TestEpochDue(t *testing.T) {
	p := DefaultParams()
	base := EpochClock{NetUID: 1, Tempo: 10, LastEpochBlock: 100}
	for _, c := range []struct {
		name string
		mod  func(*EpochClock)
		b    uint64
		want bool
	}{
		{"before-tempo", nil, 109, false},
		{"at-tempo", nil, 110, true},
		{"tempo-zero", func(c *EpochClock) { c.Tempo = 0 }, 500, false},
		{"pending-reached", func(c *EpochClock) { c.PendingEpochAt = 105 }, 105, true},
		{"pending-later", func(c *EpochClock) { c.PendingEpochAt = 106 }, 105, false},
		{"stalled", func(c *EpochClock) { c.BlocksSinceLastStep = 50_401 }, 101, true},
		{"not-stalled", func(c *EpochClock) { c.BlocksSinceLastStep = 50_400 }, 101, false},
	} {
		cl := base
		if c.mod != nil {
			c.mod(&cl)
		}
		if got := cl.Due(p, c.b); got != c.want {
			t.Errorf("%s: due = %v", c.name, got)
		}
	}
}

// TestScheduleEpochs: at most MaxEpochsPerBlock epochs per block, lowest netuid first; the rest
// are deferred to the next block and run then.
func TestScheduleEpochs(t *testing.T) {
	p := DefaultParams()
	clocks := []EpochClock{
		{NetUID: 0, Tempo: 10},                     // root: untouched
		{NetUID: 9, Tempo: 10, LastEpochBlock: 90}, // due
		{NetUID: 3, Tempo: 10, LastEpochBlock: 90}, // due
		{NetUID: 5, Tempo: 10, LastEpochBlock: 95}, // not due
		{NetUID: 4, Tempo: 10, LastEpochBlock: 80}, // due
	}
	next, run := p.ScheduleEpochs(100, clocks)
	if !slices.Equal(run, []int{2, 4}) {
		t.Fatalf("run = %v, want [2 4] (netuids 3 and 4)", run)
	}
	if next[0] != clocks[0] {
		t.Errorf("root clock changed: %+v", next[0])
	}
	for _, i := range run {
		if next[i].LastEpochBlock != 100 || next[i].EpochIndex != 1 || next[i].PendingEpochAt != 0 {
			t.Errorf("ran %+v", next[i])
		}
	}
	if next[1].PendingEpochAt != 101 || next[1].EpochIndex != 0 || next[1].BlocksSinceLastStep != 1 {
		t.Errorf("deferred %+v", next[1])
	}
	if next[3].BlocksSinceLastStep != 1 || next[3].PendingEpochAt != 0 {
		t.Errorf("idle %+v", next[3])
	}
	if clocks[1].BlocksSinceLastStep != 0 {
		t.Errorf("input modified")
	}
	// Drain the ones that ran; the deferred one runs at 101.
	for _, i := range run {
		next[i] = next[i].Drained()
	}
	next2, run2 := p.ScheduleEpochs(101, next)
	if !slices.Equal(run2, []int{1}) || next2[1].LastEpochBlock != 101 || next2[1].PendingEpochAt != 0 {
		t.Errorf("block 101: run %v, clock %+v", run2, next2[1])
	}
	if next2[2].BlocksSinceLastStep != 1 {
		t.Errorf("drained clock: %+v", next2[2])
	}
}

// TestScheduleEpochsSteadyState: over many blocks every subnet runs once per tempo, and never
// more than MaxEpochsPerBlock run in one block.
func TestScheduleEpochsSteadyState(t *testing.T) {
	p := DefaultParams()
	var clocks []EpochClock
	for n := uint16(1); n <= 64; n++ {
		clocks = append(clocks, NewEpochClock(n, 360, 10_000))
	}
	runs := make([]int, len(clocks))
	for b := uint64(10_001); b <= 13_600; b++ {
		var run []int
		clocks, run = p.ScheduleEpochs(b, clocks)
		if len(run) > p.MaxEpochsPerBlock {
			t.Fatalf("block %d ran %d epochs", b, len(run))
		}
		for _, i := range run {
			runs[i]++
			clocks[i] = clocks[i].Drained()
		}
	}
	for i, n := range runs {
		if n != 10 {
			t.Errorf("netuid %d ran %d epochs in 10 tempos", clocks[i].NetUID, n)
		}
	}
}
