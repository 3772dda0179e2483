package consensus

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"

	"github.com/taonet/tao/protocols"
)

// ErrBadValidatorSet reports a validator set that cannot run consensus.
var ErrBadValidatorSet = errors.New("consensus: bad validator set")

// ValidatorSet is the validators of one height: hotkeys, voting powers
// and proposer priorities, in canonical order (ascending PubKey). It is a
// value: methods never modify it, and Next and Update return new sets. The
// zero value is an empty set that can decide nothing.
type ValidatorSet struct {
	vals  []protocols.Validator
	prio  []int64 // proposer priorities, parallel to vals
	total uint64
}

// NewValidatorSet sorts vals into canonical order and checks them: 1 to
// protocols.MaxValidators validators, distinct 32-byte keys, power > 0,
// total power at most protocols.MaxTotalPower. Priorities start at zero.
func NewValidatorSet(vals []protocols.Validator) (ValidatorSet, error) {
	return RestoreValidatorSet(vals, nil)
}

// RestoreValidatorSet rebuilds a set saved as Validators and Priorities
// (nil priorities: all zero). The ledger stores priorities beside the set,
// since proposer selection depends on them.
func RestoreValidatorSet(vals []protocols.Validator, prio []int64) (ValidatorSet, error) {
	if len(vals) == 0 || len(vals) > protocols.MaxValidators {
		return ValidatorSet{}, fmt.Errorf("%w: %d validators", ErrBadValidatorSet, len(vals))
	}
	if prio != nil && len(prio) != len(vals) {
		return ValidatorSet{}, fmt.Errorf("%w: %d priorities for %d validators", ErrBadValidatorSet, len(prio), len(vals))
	}
	type entry struct {
		v protocols.Validator
		p int64
	}
	es := make([]entry, len(vals))
	for i, v := range vals {
		es[i].v = protocols.Validator{PubKey: slices.Clone(v.PubKey), Power: v.Power}
		if prio != nil {
			es[i].p = prio[i]
		}
	}
	slices.SortFunc(es, func(a, b entry) int { return bytes.Compare(a.v.PubKey, b.v.PubKey) })
	s := ValidatorSet{vals: make([]protocols.Validator, len(es)), prio: make([]int64, len(es))}
	for i, e := range es {
		if len(e.v.PubKey) != 32 {
			return ValidatorSet{}, fmt.Errorf("%w: key of %d bytes", ErrBadValidatorSet, len(e.v.PubKey))
		}
		if i > 0 && bytes.Equal(e.v.PubKey, es[i-1].v.PubKey) {
			return ValidatorSet{}, fmt.Errorf("%w: duplicate key %x", ErrBadValidatorSet, e.v.PubKey)
		}
		s.vals[i], s.prio[i] = e.v, e.p
	}
	total, err := protocols.TotalPower(s.vals)
	if err != nil {
		return ValidatorSet{}, fmt.Errorf("%w: %v", ErrBadValidatorSet, err)
	}
	s.total = total
	return s, nil
}

// Len returns the number of validators.
func (s ValidatorSet) Len() int { return len(s.vals) }

// TotalPower returns the summed voting power.
func (s ValidatorSet) TotalPower() uint64 { return s.total }

// Validators returns a copy of the validators in canonical order: the
// indices of protocols.Commit signatures and catch-up bitmaps.
func (s ValidatorSet) Validators() []protocols.Validator {
	out := make([]protocols.Validator, len(s.vals))
	for i, v := range s.vals {
		out[i] = protocols.Validator{PubKey: slices.Clone(v.PubKey), Power: v.Power}
	}
	return out
}

// Priorities returns a copy of the proposer priorities, parallel to
// Validators.
func (s ValidatorSet) Priorities() []int64 { return slices.Clone(s.prio) }

// Index returns the position of the validator with key pub, or -1.
func (s ValidatorSet) Index(pub []byte) int {
	i, ok := slices.BinarySearchFunc(s.vals, pub, func(v protocols.Validator, k []byte) int {
		return bytes.Compare(v.PubKey, k)
	})
	if !ok {
		return -1
	}
	return i
}

// Power returns the voting power of the validator at index i.
func (s ValidatorSet) Power(i int) uint64 { return s.vals[i].Power }

// PubKey returns the key of the validator at index i. Callers must not
// modify it.
func (s ValidatorSet) PubKey(i int) []byte { return s.vals[i].PubKey }

// Hash returns the SHA-256 of the canonical encoding of the validators
// (keys and powers, not priorities): protocols.Header.ValidatorsHash.
func (s ValidatorSet) Hash() []byte {
	b, err := protocols.Marshal(s.vals)
	if err != nil {
		panic("consensus: encode validator set: " + err.Error())
	}
	h := sha256.Sum256(b)
	return h[:]
}

// twoThirds reports whether power is more than two thirds of the total:
// Algorithm 1's 2f+1. total <= 2^60, so 3*power cannot overflow.
func (s ValidatorSet) twoThirds(power uint64) bool { return 3*power > 2*s.total }

// oneThird reports whether power is more than a third of the total:
// Algorithm 1's f+1, enough that one correct validator is among them.
func (s ValidatorSet) oneThird(power uint64) bool { return 3*power > s.total }

// Proposer returns the index of the proposer of round r (r >= 0).
func (s ValidatorSet) Proposer(r int32) int {
	return newProposerSeq(s).at(r)
}

// Next returns the set of the following height when membership and power
// do not change: priorities advanced by one round, so that round 0 of the
// next height continues the rotation.
func (s ValidatorSet) Next() ValidatorSet {
	n := s
	n.prio = slices.Clone(s.prio)
	window(n.prio, s.total)
	stepPriorities(n.prio, n.vals, n.total)
	return n
}

// Update returns the set with membership and powers of vals (for an
// epoch boundary). Validators that stay keep their priority; newcomers
// start at -1.125 times the new total power, behind those already in the
// queue, so re-joining cannot be used to jump it.
func (s ValidatorSet) Update(vals []protocols.Validator) (ValidatorSet, error) {
	n, err := NewValidatorSet(vals)
	if err != nil {
		return ValidatorSet{}, err
	}
	late := -int64(n.total + n.total/8)
	for i, v := range n.vals {
		if j := s.Index(v.PubKey); j >= 0 {
			n.prio[i] = s.prio[j]
		} else {
			n.prio[i] = late
		}
	}
	window(n.prio, n.total)
	return n, nil
}
