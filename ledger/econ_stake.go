package ledger

import (
	"fmt"
	"math/bits"

	"github.com/taonet/tao/market"
)

// mulDiv returns floor(a·b/c), or ok false if c is 0 or the result does
// not fit 64 bits.
func mulDiv(a, b, c uint64) (uint64, bool) {
	if c == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, true
}

// mulDivUp is mulDiv rounded up.
func mulDivUp(a, b, c uint64) (uint64, bool) {
	if c == 0 {
		return 0, false
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, false
	}
	q, r := bits.Div64(hi, lo, c)
	if r != 0 {
		q++
	}
	return q, q != 0 || r == 0
}

// stakeOf returns the alpha (TAO on the root subnet) c holds on hotkey h in
// netuid: its shares' part of the pool, floored.
func stakeOf(v View, h Hotkey, netuid uint16, c Account) (market.Rao, error) {
	s, err := getShares(v, h, netuid, c)
	if err != nil || s == 0 {
		return 0, err
	}
	p, err := getStakePool(v, h, netuid)
	if err != nil {
		return 0, err
	}
	a, ok := mulDiv(s, uint64(p.Alpha), p.Shares)
	if !ok {
		return 0, fmt.Errorf("%w: stake pool of %s on subnet %d", ErrCorrupt, h, netuid)
	}
	return market.Rao(a), nil
}

// addStake credits amount alpha to c's stake on h in netuid, issuing
// shares at the pool's current rate.
func addStake(o *overlay, h Hotkey, netuid uint16, c Account, amount market.Rao) error {
	if amount == 0 {
		return nil
	}
	p, err := getStakePool(o, h, netuid)
	if err != nil {
		return err
	}
	issued := uint64(amount)
	if p.Shares != 0 && p.Alpha != 0 {
		var ok bool
		if issued, ok = mulDiv(uint64(amount), p.Shares, uint64(p.Alpha)); !ok {
			return ErrOverflow
		}
	}
	s, err := getShares(o, h, netuid, c)
	if err != nil {
		return err
	}
	if p.Alpha+amount < p.Alpha || p.Shares+issued < p.Shares {
		return ErrOverflow
	}
	p.Alpha += amount
	p.Shares += issued
	if err := putStakePool(o, h, netuid, p); err != nil {
		return err
	}
	return putShares(o, h, netuid, c, s, s+issued)
}

// removeStake debits amount alpha from c's stake on h in netuid, burning
// the shares it was worth (rounded up, so the others never lose).
func removeStake(o *overlay, h Hotkey, netuid uint16, c Account, amount market.Rao) error {
	have, err := stakeOf(o, h, netuid, c)
	if err != nil {
		return err
	}
	if amount > have {
		return fmt.Errorf("%w: %v staked on hotkey %s in subnet %d, asked for %v; move or unstake at most %v",
			ErrInsufficientStake, have, h, netuid, amount, have)
	}
	p, err := getStakePool(o, h, netuid)
	if err != nil {
		return err
	}
	s, err := getShares(o, h, netuid, c)
	if err != nil {
		return err
	}
	burn := s
	if amount < have {
		b, ok := mulDivUp(uint64(amount), p.Shares, uint64(p.Alpha))
		if !ok {
			return ErrOverflow
		}
		burn = min(b, s)
	}
	p.Alpha -= amount
	p.Shares -= burn
	if err := putStakePool(o, h, netuid, p); err != nil {
		return err
	}
	return putShares(o, h, netuid, c, s, s-burn)
}

// addDividend raises h's pool in netuid by amount without issuing shares,
// so every staker gains pro rata. It reports false (and does nothing) if
// the pool has no stakers.
func addDividend(o *overlay, h Hotkey, netuid uint16, amount market.Rao) (bool, error) {
	p, err := getStakePool(o, h, netuid)
	if err != nil || p.Shares == 0 {
		return false, err
	}
	if p.Alpha+amount < p.Alpha {
		return false, ErrOverflow
	}
	p.Alpha += amount
	return true, putStakePool(o, h, netuid, p)
}

// poolAlpha returns the total alpha on h in netuid.
func poolAlpha(v View, h Hotkey, netuid uint16) (market.Rao, error) {
	p, err := getStakePool(v, h, netuid)
	return p.Alpha, err
}

// stakers returns the coldkeys staking on h in netuid with their shares,
// in key order.
func stakers(v View, h Hotkey, netuid uint16) (accts []Account, shares []uint64, err error) {
	pre := sharesPrefix(h, netuid)
	err = v.Iterate(pre, func(k, val []byte) error {
		var a Account
		copy(a[:], k[len(pre):])
		var s uint64
		if err := decodeRecord(k, val, &s); err != nil {
			return err
		}
		accts = append(accts, a)
		shares = append(shares, s)
		return nil
	})
	return accts, shares, err
}
