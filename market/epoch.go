package market

import "slices"

// EpochClock is one subnet's epoch schedule (dtao.md §7). It is a value; ScheduleEpochs returns
// the next one.
type EpochClock struct {
	NetUID              uint16
	Tempo               uint16 // T; 0: the subnet never runs an epoch
	PendingEpochAt      uint64 // a deferred epoch's block; 0: none
	BlocksSinceLastStep uint64
	LastEpochBlock      uint64
	EpochIndex          uint64 // SubnetEpochIndex
}

// NewEpochClock returns the clock of a subnet created at block now: LastEpochBlock = now −
// (netuid mod T), saturating at 0, so that subnets are staggered (dtao.md §7).
func NewEpochClock(netuid, tempo uint16, now uint64) EpochClock {
	c := EpochClock{NetUID: netuid, Tempo: tempo, LastEpochBlock: now}
	if tempo != 0 {
		c.LastEpochBlock -= min(now, uint64(netuid%tempo))
	}
	return c
}

// Due reports whether c's epoch is due at block b (dtao.md §7): T ≠ 0 and (a deferred epoch is
// pending at or before b, or BlocksSinceLastStep > MaxBlocksSinceEpoch, or b − LastEpochBlock ≥
// T). BlocksSinceLastStep is the value after this block's increment.
func (c EpochClock) Due(p Params, b uint64) bool {
	if c.Tempo == 0 {
		return false
	}
	return (c.PendingEpochAt != 0 && b >= c.PendingEpochAt) ||
		c.BlocksSinceLastStep > p.MaxBlocksSinceEpoch ||
		(b >= c.LastEpochBlock && b-c.LastEpochBlock >= uint64(c.Tempo))
}

// ScheduleEpochs advances the clocks of all subnets by block b (dtao.md §7): every non-root
// clock's BlocksSinceLastStep grows by 1; of the due ones, at most MaxEpochsPerBlock run, in
// ascending netuid order, and the others are deferred to b + 1 (PendingEpochAt = b + 1). A
// running clock gets LastEpochBlock = b, EpochIndex + 1 and its pending mark cleared.
//
// It returns the new clocks (index for index with clocks, which is not modified) and the indices
// of the clocks whose epoch runs now, in the order they run. For each, the ledger drains the
// pending amounts if the subnet's state is consistent (then calls Drained), runs the epoch and
// the payout, and sets LastMechansimStepBlock = b.
func (p Params) ScheduleEpochs(b uint64, clocks []EpochClock) (next []EpochClock, run []int) {
	next = slices.Clone(clocks)
	order := make([]int, 0, len(next))
	for i := range next {
		if next[i].NetUID == 0 {
			continue // the root subnet has no epoch here
		}
		next[i].BlocksSinceLastStep++
		if next[i].Due(p, b) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(i, j int) int { return int(next[i].NetUID) - int(next[j].NetUID) })
	for k, i := range order {
		if k >= p.MaxEpochsPerBlock {
			next[i].PendingEpochAt = b + 1
			continue
		}
		next[i].LastEpochBlock = b
		next[i].EpochIndex++
		next[i].PendingEpochAt = 0
		run = append(run, i)
	}
	return next, run
}

// Drained returns c after its pending amounts were drained: BlocksSinceLastStep = 0 (dtao.md §7).
func (c EpochClock) Drained() EpochClock {
	c.BlocksSinceLastStep = 0
	return c
}
