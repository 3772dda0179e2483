package ledger

import (
	"bytes"
	"crypto/sha256"
	"fmt"
)

// The store keeps every validator set that committed a block, by its hash
// (Header.ValidatorsHash), so that a certificate's signers can be named
// after the set has changed (CometBFT's /validators?height=N). The sets
// live outside the state namespace: they are in no state root, digest or
// snapshot, and consensus never reads them. A store written before they
// were kept, or restored from a snapshot, lacks the sets of the blocks
// before that; lookups answer absent.

func validatorSetKey(hash []byte) []byte { return prefixed(nsValidatorSet, hash) }

// keepValidatorSet returns the write that keeps the validator set in the
// committed state, the set that commits the next block, if its hash is
// setHash (the block header's ValidatorsHash) and the store lacks it; nil
// otherwise. Sets repeat for a tempo or more, so most blocks write
// nothing. The caller holds commitMu, so the state is the one before the
// block.
func (l *Ledger) keepValidatorSet(setHash []byte) ([]KV, error) {
	key := validatorSetKey(setHash)
	have, err := l.store.Get(key)
	if err != nil || have != nil {
		return nil, err
	}
	vs, err := l.Validators()
	if err != nil || len(vs) == 0 {
		return nil, err
	}
	b, err := vs.Encode()
	if err != nil {
		return nil, err
	}
	if h := sha256.Sum256(b); !bytes.Equal(h[:], setHash) {
		// BeginBlock checked the header against this set; if they still
		// differ, naming signers is not worth failing the commit.
		l.log.Warn("validator set not kept: its hash is not the block's", "set", fmt.Sprintf("%x", h), "header", fmt.Sprintf("%x", setHash))
		return nil, nil
	}
	return []KV{{Key: key, Value: b}}, nil
}

// ValidatorSetByHash returns the validator set whose hash is h (a block
// header's ValidatorsHash) in canonical order, if the store kept it: every
// set that committed a block this store committed. ok is false for a set
// it never kept (blocks from before a restored snapshot, or committed by a
// tao that did not keep sets). The caller owns the returned set.
func (l *Ledger) ValidatorSetByHash(h []byte) (vs ValidatorSet, ok bool, err error) {
	b, err := l.store.Get(validatorSetKey(h))
	if err != nil || b == nil {
		return nil, false, err
	}
	if sum := sha256.Sum256(b); !bytes.Equal(sum[:], h) {
		return nil, false, fmt.Errorf("%w: validator set %x: stored bytes hash to %x", ErrCorrupt, h, sum)
	}
	if vs, err = DecodeValidatorSet(b); err != nil {
		return nil, false, fmt.Errorf("%w: validator set %x: %v", ErrCorrupt, h, err)
	}
	return vs, true, nil
}
