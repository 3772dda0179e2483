package ledger

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/taonet/tao/protocols"
)

// Hotkey is a hotkey's ed25519 public key (a node's libp2p identity). Its
// text form is 64 lowercase hex digits.
type Hotkey [ed25519.PublicKeySize]byte

// String returns the key in hex.
func (h Hotkey) String() string { return hex.EncodeToString(h[:]) }

// MarshalText encodes the hotkey as hex.
func (h Hotkey) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText decodes 64 hex digits.
func (h *Hotkey) UnmarshalText(b []byte) error {
	var a Account
	if err := a.UnmarshalText(b); err != nil {
		return fmt.Errorf("hotkey: %w", err)
	}
	*h = Hotkey(a)
	return nil
}

// MaxTotalPower bounds the validator set's total voting power, so that the
// consensus core's sums of power (2/3 thresholds) cannot overflow int64.
const MaxTotalPower = 1 << 60

// Validator is a member of the validator set: a hotkey, the coldkey that
// owns it, and its voting power (its TAO stake in rao).
type Validator struct {
	_       struct{} `cbor:",toarray"`
	Hotkey  Hotkey   `json:"hotkey"`
	Coldkey Account  `json:"coldkey"`
	Power   uint64   `json:"power"`
}

// ValidatorSet is the validators that commit blocks, in canonical order:
// power descending, then hotkey ascending.
type ValidatorSet []Validator

// sortValidators puts vs in canonical order.
func sortValidators(vs ValidatorSet) {
	slices.SortFunc(vs, func(a, b Validator) int {
		if a.Power != b.Power {
			if a.Power > b.Power {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.Hotkey[:], b.Hotkey[:])
	})
}

// validate checks a set against the chain's bound.
func (vs ValidatorSet) validate(maxValidators int) error {
	if len(vs) == 0 || len(vs) > maxValidators {
		return fmt.Errorf("%d validators, want 1..%d (max_validators)", len(vs), maxValidators)
	}
	seen := make(map[Hotkey]bool, len(vs))
	var total uint64
	for _, v := range vs {
		if seen[v.Hotkey] {
			return fmt.Errorf("hotkey %s appears twice in the validator set", v.Hotkey)
		}
		seen[v.Hotkey] = true
		if v.Power == 0 {
			return fmt.Errorf("validator %s has power 0; give it stake or remove it", v.Hotkey)
		}
		total += v.Power
		if v.Power > MaxTotalPower || total > MaxTotalPower {
			return fmt.Errorf("total voting power exceeds %d", uint64(MaxTotalPower))
		}
	}
	return nil
}

// Hash returns the set's hash (Header.ValidatorsHash): SHA-256 of the
// canonical encoding of the set in canonical order.
func (vs ValidatorSet) Hash() ([]byte, error) {
	b, err := vs.Encode()
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	return h[:], nil
}

// Encode returns the canonical encoding of the set in canonical order,
// the bytes Hash covers and DecodeValidatorSet reads.
func (vs ValidatorSet) Encode() ([]byte, error) {
	c := slices.Clone(vs)
	sortValidators(c)
	if c == nil {
		c = ValidatorSet{}
	}
	return protocols.Marshal(c)
}

// Has reports whether hotkey is in the set.
func (vs ValidatorSet) Has(hotkey []byte) bool {
	for _, v := range vs {
		if bytes.Equal(v.Hotkey[:], hotkey) {
			return true
		}
	}
	return false
}

func getValidators(v View) (ValidatorSet, error) {
	b, err := v.Get(validatorsKey)
	if err != nil || b == nil {
		return nil, err
	}
	var vs ValidatorSet
	return vs, decodeRecord(validatorsKey, b, &vs)
}

func putValidators(o *overlay, vs ValidatorSet) error {
	c := slices.Clone(vs)
	sortValidators(c)
	b, err := protocols.Marshal(c)
	if err != nil {
		return err
	}
	o.set(validatorsKey, b)
	return nil
}
