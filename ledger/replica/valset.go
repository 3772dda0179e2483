package replica

import (
	"bytes"

	"github.com/taonet/tao/ledger/consensus"
)

// nextSet returns the validator set of height h, the one after a block
// the ledger just committed: the current set with its proposer priorities
// rotated once, or — when the block changed the ledger's validator set
// (an epoch boundary's recomputation from the candidates' stake) — the new
// set as validatorSetAt computes it, which every replica, running or
// restarted, derives identically from the ledger and h.
func (r *Replica) nextSet(cur consensus.ValidatorSet, h uint64) (consensus.ValidatorSet, error) {
	lv, err := r.l.Validators()
	if err != nil {
		return consensus.ValidatorSet{}, err
	}
	same := len(lv) == cur.Len()
	if same {
		have := cur.Validators()
		for _, v := range lv {
			found := false
			for _, c := range have {
				if bytes.Equal(c.PubKey, v.Hotkey[:]) && c.Power == v.Power {
					found = true
					break
				}
			}
			if !found {
				same = false
				break
			}
		}
	}
	if same {
		return cur.Next(), nil
	}
	r.log.Info("validator set changed", "height", h, "validators", len(lv))
	return validatorSetAt(r.l, h)
}
