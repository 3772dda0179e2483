package ledger

import (
	"fmt"

	"github.com/taonet/tao/market"
)

// Audit checks the economy's conservation laws on the committed state:
//
//   - TAO: Σ balances + Σ subnet pool TAO + root-subnet TAO = issued − burned
//     (the lock of a subnet lives in its pool; registration burns and
//     stakes move TAO into pools; swap fees go to the block author);
//   - alpha, per subnet: Σ stake pools + pending emission + protocol and
//     unowned alpha = SubnetAlphaOut (alpha is minted only by emission,
//     alpha_out whole, and by stake buys; it is removed only by unstaking
//     and by recycling root alpha and the owner's own miners' incentive; a
//     registration's alpha is burned before it enters; the unowned part is
//     what the split's flooring and the payouts leave, dtao.md §5–§7);
//   - root: Σ root stake pools = RootTAO.
//
// A violation is reported with ErrCorrupt; it means a bug.
func (l *Ledger) Audit() error { return audit(stateView{l.store}) }

func audit(v View) error {
	sup, err := getSupply(v)
	if err != nil {
		return err
	}
	econ, err := getEconomy(v)
	if err != nil {
		return err
	}
	var total market.Rao
	add := func(r market.Rao) error {
		if total+r < total {
			return ErrOverflow
		}
		total += r
		return nil
	}
	err = v.Iterate([]byte{skAccount}, func(k, val []byte) error {
		var r accountRecord
		if err := decodeRecord(k, val, &r); err != nil {
			return err
		}
		return add(r.Balance)
	})
	if err != nil {
		return err
	}
	subnets, err := listSubnets(v)
	if err != nil {
		return err
	}
	alpha := make(map[uint16]market.Rao, len(subnets)+1)
	for _, s := range subnets {
		if err := add(s.PoolTAO); err != nil {
			return err
		}
	}
	if err := add(econ.RootTAO); err != nil {
		return err
	}
	if total != sup.Issued-sup.Burned {
		return fmt.Errorf("%w: TAO held %v ≠ issued %v − burned %v", ErrCorrupt, total, sup.Issued, sup.Burned)
	}
	err = v.Iterate([]byte{skStakePool}, func(k, val []byte) error {
		var p stakePool
		if err := decodeRecord(k, val, &p); err != nil {
			return err
		}
		alpha[netuidOf(k[32:])] += p.Alpha
		return nil
	})
	if err != nil {
		return err
	}
	if alpha[0] != econ.RootTAO {
		return fmt.Errorf("%w: root stake pools hold %v, RootTAO is %v", ErrCorrupt, alpha[0], econ.RootTAO)
	}
	for _, s := range subnets {
		held := alpha[s.NetUID] + s.PendingServer + s.PendingValidator + s.PendingRoot + s.PendingOwner + s.ProtocolAlpha + s.UnownedAlpha
		if held != s.AlphaOut {
			return fmt.Errorf("%w: subnet %d: stake, pending, protocol and unowned alpha %v ≠ alpha out %v", ErrCorrupt, s.NetUID, held, s.AlphaOut)
		}
	}
	return nil
}
