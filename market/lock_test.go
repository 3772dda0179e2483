package market

import "testing"

// TestLockCostExample reproduces dtao.md §10's example.
func TestLockCostExample(t *testing.T) {
	p := DefaultParams()
	last := 1_000 * RaoPerTAO
	for _, c := range []struct {
		b    uint64
		want Rao
	}{
		{1_000_000, 2_000 * RaoPerTAO},
		{1_007_200, 1_928_571_435_200},
		{1_100_800, 1_000_000_092_800},
		{1_200_000, 1_000 * RaoPerTAO}, // saturates at the minimum
		{999_999, 2_000 * RaoPerTAO},   // before the last lock: no reduction
	} {
		if got := p.LockCost(last, 1_000_000, c.b); got != c.want {
			t.Errorf("at %d: %d, want %d", c.b, got, c.want)
		}
	}
	// No subnet registered yet: mult 1.
	if got := p.LockCost(1_500*RaoPerTAO, 0, 10); got != 1_500*RaoPerTAO-1_500*RaoPerTAO/100_800*10 {
		t.Errorf("first: %d", got)
	}
	if got := p.LockCost(^Rao(0), 5, 5); got != ^Rao(0) {
		t.Errorf("overflowing lock: %d", got)
	}
}
