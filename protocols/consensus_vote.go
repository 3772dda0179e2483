package protocols

import (
	"crypto/ed25519"
	"fmt"
)

// Vote is a validator's prevote or precommit for a value in a round, or
// for no value (ValueID nil): Tendermint's ⟨PREVOTE, h, r, id(v)⟩ and
// ⟨PRECOMMIT, h, r, id(v)⟩.
type Vote struct {
	_         struct{} `cbor:",toarray"`
	Version   uint8
	ChainID   string
	Type      VoteType
	Height    uint64
	Round     int32
	ValueID   []byte // CID bytes of the value; nil votes for no value
	Validator []byte // ed25519 hotkey, 32 bytes
	Sig       []byte // over the encoding with Sig nil
}

func (v *Vote) unsignedBytes() ([]byte, error) {
	c := *v
	c.Sig = nil
	return Marshal(&c)
}

// Sign sets Version and Validator and signs v. An empty ValueID becomes
// nil, the one encoding of a vote for no value.
func (v *Vote) Sign(key ed25519.PrivateKey) error {
	v.Version = ConsensusVersion
	v.Validator = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	if len(v.ValueID) == 0 {
		v.ValueID = nil
	}
	b, err := v.unsignedBytes()
	if err != nil {
		return err
	}
	v.Sig = Sign(key, v.ChainID, KindVote, b)
	return nil
}

// Verify checks that v is for chainID and signed by its validator.
func (v *Vote) Verify(chainID string) error { return v.VerifyWith(chainID, Verify) }

// VerifyWith is Verify with the signature check done by verify.
func (v *Vote) VerifyWith(chainID string, verify VerifyFunc) error {
	if v.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, v.ChainID, chainID)
	}
	b, err := v.unsignedBytes()
	if err != nil {
		return err
	}
	return verify(v.Validator, chainID, KindVote, b, v.Sig)
}

func (v *Vote) validate() error {
	if err := checkVersion(v.Version); err != nil {
		return err
	}
	switch {
	case ValidateChainID(v.ChainID) != nil:
		return shapeErr("chain ID %q", v.ChainID)
	case v.Type != Prevote && v.Type != Precommit:
		return shapeErr("vote type %d", v.Type)
	case checkRound(v.Round) != nil:
		return checkRound(v.Round)
	}
	if err := checkValueID(v.ValueID, true); err != nil {
		return err
	}
	if err := checkKey(v.Validator, "validator"); err != nil {
		return err
	}
	return checkSig(v.Sig)
}

// EncodeVote returns the canonical encoding of v.
func EncodeVote(v *Vote) ([]byte, error) {
	if err := v.validate(); err != nil {
		return nil, err
	}
	return Marshal(v)
}

// DecodeVote decodes and checks the shape of a Vote. It does not verify
// the signature; call Verify.
func DecodeVote(b []byte) (*Vote, error) {
	var v Vote
	if err := Unmarshal(b, &v, MaxVoteSize); err != nil {
		return nil, err
	}
	if err := v.validate(); err != nil {
		return nil, err
	}
	return &v, nil
}
