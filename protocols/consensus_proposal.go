package protocols

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
)

// Proposal is a round's proposer offering a value (a block) for a height:
// Tendermint's ⟨PROPOSAL, h, r, v, vr⟩. Value travels with the proposal
// but is not signed directly: the signature covers ValueID, the CID of
// Value, so the signed part stays small and can be quoted without the
// block.
type Proposal struct {
	_        struct{} `cbor:",toarray"`
	Version  uint8
	ChainID  string
	Height   uint64
	Round    int32
	POLRound int32  // round of the proof of lock for Value, or -1
	ValueID  []byte // CID bytes of Value
	Value    []byte // the proposed block; nil in a quoted proposal
	Proposer []byte // ed25519 hotkey, 32 bytes
	Sig      []byte // over the encoding with Value and Sig nil
}

func (p *Proposal) unsignedBytes() ([]byte, error) {
	c := *p
	c.Value, c.Sig = nil, nil
	return Marshal(&c)
}

// Sign sets Version, Proposer and ValueID (from Value) and signs p.
func (p *Proposal) Sign(key ed25519.PrivateKey) error {
	p.Version = ConsensusVersion
	p.Proposer = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	if p.Value != nil {
		p.ValueID = ValueID(p.Value)
	}
	b, err := p.unsignedBytes()
	if err != nil {
		return err
	}
	p.Sig = Sign(key, p.ChainID, KindProposal, b)
	return nil
}

// Verify checks that p is for chainID and signed by its proposer.
func (p *Proposal) Verify(chainID string) error { return p.VerifyWith(chainID, Verify) }

// VerifyWith is Verify with the signature check done by verify.
func (p *Proposal) VerifyWith(chainID string, verify VerifyFunc) error {
	if p.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, p.ChainID, chainID)
	}
	b, err := p.unsignedBytes()
	if err != nil {
		return err
	}
	return verify(p.Proposer, chainID, KindProposal, b, p.Sig)
}

func (p *Proposal) validate() error {
	if err := checkVersion(p.Version); err != nil {
		return err
	}
	switch {
	case ValidateChainID(p.ChainID) != nil:
		return shapeErr("chain ID %q", p.ChainID)
	case checkRound(p.Round) != nil:
		return checkRound(p.Round)
	case p.POLRound < -1 || p.POLRound >= p.Round:
		return shapeErr("proof-of-lock round %d in round %d", p.POLRound, p.Round)
	case len(p.Value) > MaxValueSize:
		return shapeErr("value is %d bytes", len(p.Value))
	}
	if err := checkValueID(p.ValueID, false); err != nil {
		return err
	}
	if p.Value != nil && !bytes.Equal(ValueID(p.Value), p.ValueID) {
		return shapeErr("value does not match its ID")
	}
	if err := checkKey(p.Proposer, "proposer"); err != nil {
		return err
	}
	return checkSig(p.Sig)
}

// EncodeProposal returns the canonical encoding of p.
func EncodeProposal(p *Proposal) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	return Marshal(p)
}

// DecodeProposal decodes and checks the shape of a Proposal, including
// that Value, when present, matches ValueID. It does not verify the
// signature; call Verify.
func DecodeProposal(b []byte) (*Proposal, error) {
	var p Proposal
	if err := Unmarshal(b, &p, MaxProposalSize); err != nil {
		return nil, err
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return &p, nil
}
