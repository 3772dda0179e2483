package market

import "math/bits"

// LockCost returns the TAO a subnet creation locks at block b (dtao.md §10,
// get_network_lock_cost):
//
//	mult = 1 if no subnet was ever registered (lastLockBlock = 0), else 2
//	cost = max(NetworkMinLockCost, lastLock·mult − floor(lastLock/LockReductionInterval)·(b − lastLockBlock))
//
// with the subtraction saturating at 0 (and b before lastLockBlock counting as no time). After a
// creation the ledger stores lastLock = the lock paid and lastLockBlock = b.
func (p Params) LockCost(lastLock Rao, lastLockBlock, b uint64) Rao {
	mult := uint64(2)
	if lastLockBlock == 0 {
		mult = 1
	}
	h, start := bits.Mul64(uint64(lastLock), mult)
	if h != 0 {
		start = ^uint64(0)
	}
	var reduction uint64
	if b > lastLockBlock && p.LockReductionInterval != 0 {
		rh, rl := bits.Mul64(uint64(lastLock)/p.LockReductionInterval, b-lastLockBlock)
		reduction = rl
		if rh != 0 {
			reduction = ^uint64(0)
		}
	}
	cost := start - min(start, reduction)
	return max(Rao(cost), p.NetworkMinLockCost)
}
