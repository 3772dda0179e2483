package protocols

import (
	"errors"
	"fmt"
	"math/bits"
)

// ErrNoQuorum reports a commit certificate whose valid signatures carry
// no more than two thirds of the validator set's voting power.
var ErrNoQuorum = errors.New("protocols: commit lacks two thirds of the voting power")

// MaxTotalPower bounds the summed voting power of a validator set, so
// that 3*power never overflows a uint64.
const MaxTotalPower = 1 << 60

// Validator is one member of a validator set: its hotkey and voting power.
// A set is a []Validator in its canonical order (ascending PubKey, no
// duplicates); commit signatures name validators by index in that order.
type Validator struct {
	_      struct{} `cbor:",toarray"`
	PubKey []byte   // ed25519 hotkey, 32 bytes
	Power  uint64   // > 0
}

// Commit is the certificate that a value was decided at a height: the
// precommit signatures of more than two thirds of the voting power for
// ValueID in Round. It is stored with the block it names.
type Commit struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	ChainID string
	Height  uint64
	Round   int32
	ValueID []byte
	Sigs    []CommitSig // ascending, distinct Index
}

// CommitSig is one validator's precommit signature in a Commit.
type CommitSig struct {
	_     struct{} `cbor:",toarray"`
	Index uint32   // position of the validator in the set
	Sig   []byte
}

// Precommit returns the precommit vote that the i-th signature of c
// signed, for the validator with key pub.
func (c *Commit) Precommit(i int, pub []byte) *Vote {
	return &Vote{
		Version:   ConsensusVersion,
		ChainID:   c.ChainID,
		Type:      Precommit,
		Height:    c.Height,
		Round:     c.Round,
		ValueID:   c.ValueID,
		Validator: pub,
		Sig:       c.Sigs[i].Sig,
	}
}

// Verify checks that c is for chainID and that its signatures, each a
// precommit for c.ValueID by the validator at its index in vals, carry
// more than two thirds of the total power of vals.
func (c *Commit) Verify(chainID string, vals []Validator) error {
	return c.VerifyWith(chainID, vals, Verify)
}

// VerifyWith is Verify with signature checks done by verify.
func (c *Commit) VerifyWith(chainID string, vals []Validator, verify VerifyFunc) error {
	if c.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, c.ChainID, chainID)
	}
	if err := c.validate(); err != nil {
		return err
	}
	total, err := TotalPower(vals)
	if err != nil {
		return err
	}
	var signed uint64
	for i, s := range c.Sigs {
		if int(s.Index) >= len(vals) {
			return shapeErr("commit signature index %d, set has %d validators", s.Index, len(vals))
		}
		if err := c.Precommit(i, vals[s.Index].PubKey).VerifyWith(chainID, verify); err != nil {
			return fmt.Errorf("commit signature of validator %d: %w", s.Index, err)
		}
		signed += vals[s.Index].Power
	}
	if 3*signed <= 2*total {
		return fmt.Errorf("%w: %d of %d", ErrNoQuorum, signed, total)
	}
	return nil
}

// TotalPower sums the voting power of vals and fails if the sum exceeds
// MaxTotalPower or a power is zero.
func TotalPower(vals []Validator) (uint64, error) {
	var total uint64
	for _, v := range vals {
		sum, carry := bits.Add64(total, v.Power, 0)
		if v.Power == 0 || carry != 0 || sum > MaxTotalPower {
			return 0, shapeErr("validator power %d (total would exceed %d or power is zero)", v.Power, uint64(MaxTotalPower))
		}
		total = sum
	}
	return total, nil
}

func (c *Commit) validate() error {
	if err := checkVersion(c.Version); err != nil {
		return err
	}
	switch {
	case ValidateChainID(c.ChainID) != nil:
		return shapeErr("chain ID %q", c.ChainID)
	case checkRound(c.Round) != nil:
		return checkRound(c.Round)
	case len(c.Sigs) == 0 || len(c.Sigs) > MaxValidators:
		return shapeErr("commit has %d signatures", len(c.Sigs))
	}
	if err := checkValueID(c.ValueID, false); err != nil {
		return err
	}
	for i, s := range c.Sigs {
		if i > 0 && s.Index <= c.Sigs[i-1].Index {
			return shapeErr("commit signature indices not ascending")
		}
		if len(s.Sig) == 0 {
			return shapeErr("empty commit signature")
		}
		if err := checkSig(s.Sig); err != nil {
			return err
		}
	}
	return nil
}

// EncodeCommit returns the canonical encoding of c.
func EncodeCommit(c *Commit) ([]byte, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	return Marshal(c)
}

// DecodeCommit decodes and checks the shape of a Commit. It does not
// verify signatures or power; call Verify with the height's validator set.
func DecodeCommit(b []byte) (*Commit, error) {
	var c Commit
	if err := Unmarshal(b, &c, MaxCommitSize); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
