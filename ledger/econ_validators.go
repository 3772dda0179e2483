package ledger

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// candidateRecord is a hotkey that declared it runs a consensus node: a
// candidate for the BFT validator set. Bond is the voting power it was
// given at genesis (0 for later candidates); its power at an epoch
// boundary is Bond plus the TAO staked on it in the root subnet.
type candidateRecord struct {
	_           struct{} `cbor:",toarray"`
	Coldkey     Account
	Bond        market.Rao
	Active      bool
	JailedUntil uint64 // after an equivocation: it cannot be active again before this block
}

// Slashing for equivocation (DESIGN §4): the share of the validator's
// bond and of the TAO staked on it in the root subnet that is burned, and
// how long it stays out of the candidates.
const (
	slashBasisPoints = 500 // 5 %
	jailTempos       = 10  // tempos of the preset
)

func evidenceKey(id []byte) []byte { return append([]byte{skEvidence}, id...) }

func candidateKey(h Hotkey) []byte { return append([]byte{skCandidate}, h[:]...) }

// genesisCandidates makes every genesis validator an active candidate
// bonded with its genesis power, and its coldkey the owner of its hotkey.
func genesisCandidates(o *overlay, vs []Validator) error {
	for _, v := range vs {
		if err := putRecord(o, candidateKey(v.Hotkey), &candidateRecord{Coldkey: v.Coldkey, Bond: market.Rao(v.Power), Active: true}); err != nil {
			return err
		}
		if _, ok, err := getHotkey(o, v.Hotkey); err != nil {
			return err
		} else if !ok {
			if err := putRecord(o, hotkeyKey(v.Hotkey), &hotkeyRecord{Owner: v.Coldkey, Take: market.DefaultParams().DefaultTake}); err != nil {
				return err
			}
		}
	}
	return nil
}

// setConsensusTx records the signer hotkey's candidacy.
func (c *txContext) setConsensusTx(t *protocols.SetConsensus) error {
	h := Hotkey(c.signer)
	hk, _, err := getHotkey(c.o, h) // feePayer checked it exists
	if err != nil {
		return err
	}
	var r candidateRecord
	if _, err := getRecord(c.o, candidateKey(h), &r); err != nil {
		return err
	}
	if t.Active && c.height() < r.JailedUntil {
		return fmt.Errorf("%w: hotkey %s equivocated and is jailed until block %d; join again from then", ErrJailed, h, r.JailedUntil)
	}
	r.Coldkey, r.Active = hk.Owner, t.Active
	c.emit("set-consensus", "hotkey", h.String(), "active", fmt.Sprint(t.Active))
	return putRecord(c.o, candidateKey(h), &r)
}

// isValidatorEpoch reports whether the validator set is recomputed after
// block h: every Params.Tempo blocks.
func (p Params) isValidatorEpoch(h uint64) bool { return h%uint64(p.Tempo) == 0 }

// nextValidators returns the BFT validator set for the blocks after an
// epoch boundary (DESIGN §4): the active candidates with the most power
// (bond + root-subnet TAO stake, delegated stake included), at most
// MaxValidators of them, ties to the lower hotkey; nil if no candidate has
// power (the set is kept).
func nextValidators(v View, p Params) (ValidatorSet, error) {
	var vs ValidatorSet
	err := v.Iterate([]byte{skCandidate}, func(k, val []byte) error {
		var r candidateRecord
		if err := decodeRecord(k, val, &r); err != nil {
			return err
		}
		if !r.Active {
			return nil
		}
		var h Hotkey
		copy(h[:], k[1:])
		root, err := poolAlpha(v, h, 0)
		if err != nil {
			return err
		}
		if power := uint64(r.Bond) + uint64(root); power > 0 {
			vs = append(vs, Validator{Hotkey: h, Coldkey: r.Coldkey, Power: power})
		}
		return nil
	})
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	sortValidators(vs)
	vs = vs[:min(len(vs), p.MaxValidators)]
	return vs, nil
}

// updateValidators recomputes the validator set at an epoch boundary and
// returns it if it changed.
func (e *Exec) updateValidators() ([]Validator, error) {
	if !e.chain.Params.isValidatorEpoch(e.header.Height) {
		return nil, nil
	}
	next, err := nextValidators(e.block, e.chain.Params)
	if err != nil || next == nil {
		return nil, err
	}
	cur, err := getValidators(e.block)
	if err != nil {
		return nil, err
	}
	a, err := cur.Hash()
	if err != nil {
		return nil, err
	}
	b, err := next.Hash()
	if err != nil {
		return nil, err
	}
	if bytes.Equal(a, b) {
		return nil, nil
	}
	if err := putValidators(e.block, next); err != nil {
		return nil, err
	}
	return slices.Clone(next), nil
}

// reportEquivocationTx slashes and jails a candidate whose two conflicting
// signed votes the evidence holds: slashBasisPoints of its bond and of the
// root stake on it are burned (every staker on it loses pro rata), it is
// no longer a candidate (the set drops it at the next tempo boundary), and
// it cannot rejoin for jailTempos tempos. One piece of evidence counts
// once. The ledger keeps no validator-set history, so the evidence must
// name a current candidate.
func (c *txContext) reportEquivocationTx(t *protocols.ReportEquivocation) error {
	ev := &t.Evidence
	if err := ev.VerifyWith(c.chain.ID, protocols.Verify); err != nil {
		return fmt.Errorf("%w: %v", ErrBadEvidence, err)
	}
	if ev.A.Height > c.height() {
		return fmt.Errorf("%w: the votes are for height %d, after this block", ErrBadEvidence, ev.A.Height)
	}
	enc, err := protocols.Marshal(ev)
	if err != nil {
		return err
	}
	id := protocols.CID(enc).Bytes()
	if b, err := c.o.Get(evidenceKey(id)); err != nil {
		return err
	} else if b != nil {
		return fmt.Errorf("%w: this equivocation was already reported", ErrEvidenceKnown)
	}
	h := Hotkey(ev.A.Validator)
	var r candidateRecord
	ok, err := getRecord(c.o, candidateKey(h), &r)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s is not a consensus candidate", ErrBadEvidence, h)
	}
	bondCut := market.Rao(uint64(r.Bond) * slashBasisPoints / 10_000)
	r.Bond -= bondCut
	r.Active = false
	r.JailedUntil = c.height() + jailTempos*uint64(c.chain.Params.Tempo)
	if err := putRecord(c.o, candidateKey(h), &r); err != nil {
		return err
	}
	p, err := getStakePool(c.o, h, 0)
	if err != nil {
		return err
	}
	cut, _ := mulDiv(uint64(p.Alpha), slashBasisPoints, 10_000)
	if cut > 0 {
		p.Alpha -= market.Rao(cut)
		if err := putStakePool(c.o, h, 0, p); err != nil {
			return err
		}
		if err := c.addRootTAO(market.Rao(cut), false); err != nil {
			return err
		}
		sup, err := getSupply(c.o)
		if err != nil {
			return err
		}
		sup.Burned += market.Rao(cut)
		if err := putSupply(c.o, sup); err != nil {
			return err
		}
	}
	if err := putRecord(c.o, evidenceKey(id), c.height()); err != nil {
		return err
	}
	c.emit("slash", "hotkey", h.String(), "height", fmt.Sprint(ev.A.Height), "stake_burned", fmt.Sprint(cut),
		"bond_cut", fmt.Sprint(uint64(bondCut)), "jailed_until", fmt.Sprint(r.JailedUntil))
	return nil
}
