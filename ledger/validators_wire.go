package ledger

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"

	"github.com/taonet/tao/protocols"
)

// ValidatorSetBytes returns the encoding of the validator set in the
// snapshot's state — the set of the height after the snapshot's — whose
// SHA-256 is that set's Hash (the encoding is stored canonical and
// sorted); nil if the state has none.
func (s *Snapshot) ValidatorSetBytes() []byte {
	i := sort.Search(len(s.Entries), func(i int) bool { return bytes.Compare(s.Entries[i].Key, validatorsKey) >= 0 })
	if i < len(s.Entries) && bytes.Equal(s.Entries[i].Key, validatorsKey) {
		return s.Entries[i].Value
	}
	return nil
}

// DecodeValidatorSet decodes a validator set received from a peer, which
// the caller has matched to a header's ValidatorsHash: canonical CBOR, at
// most protocols.MaxValidators distinct hotkeys, no zero power, in
// canonical order (so that the bytes are the ones the hash covers).
func DecodeValidatorSet(b []byte) (ValidatorSet, error) {
	var vs ValidatorSet
	if err := protocols.Unmarshal(b, &vs, protocols.MaxValidatorSetSize); err != nil {
		return nil, fmt.Errorf("validator set: %w", err)
	}
	if err := vs.validate(protocols.MaxValidators); err != nil {
		return nil, fmt.Errorf("validator set: %w", err)
	}
	h, err := vs.Hash()
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(b); !bytes.Equal(h, sum[:]) {
		return nil, fmt.Errorf("validator set: not in canonical order")
	}
	return vs, nil
}
