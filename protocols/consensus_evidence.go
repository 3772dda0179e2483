package protocols

import (
	"bytes"
	"fmt"
)

// Evidence proves that a validator equivocated: two votes it signed for
// the same height, round and type naming different values. A (encoded)
// sorts before B, so one equivocation has one encoding and one CID.
type Evidence struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	A       Vote
	B       Vote
}

// NewEvidence orders two conflicting votes into an Evidence.
func NewEvidence(a, b *Vote) (*Evidence, error) {
	ea, err := Marshal(a)
	if err != nil {
		return nil, err
	}
	eb, err := Marshal(b)
	if err != nil {
		return nil, err
	}
	if bytes.Compare(ea, eb) > 0 {
		a, b = b, a
	}
	e := &Evidence{Version: ConsensusVersion, A: *a, B: *b}
	if err := e.validate(); err != nil {
		return nil, err
	}
	return e, nil
}

// Verify checks both votes' signatures on chainID.
func (e *Evidence) Verify(chainID string) error { return e.VerifyWith(chainID, Verify) }

// VerifyWith is Verify with the signature checks done by verify.
func (e *Evidence) VerifyWith(chainID string, verify VerifyFunc) error {
	if err := e.A.VerifyWith(chainID, verify); err != nil {
		return fmt.Errorf("evidence vote A: %w", err)
	}
	if err := e.B.VerifyWith(chainID, verify); err != nil {
		return fmt.Errorf("evidence vote B: %w", err)
	}
	return nil
}

func (e *Evidence) validate() error {
	if err := checkVersion(e.Version); err != nil {
		return err
	}
	if err := e.A.validate(); err != nil {
		return err
	}
	if err := e.B.validate(); err != nil {
		return err
	}
	a, b := &e.A, &e.B
	switch {
	case a.ChainID != b.ChainID || a.Type != b.Type || a.Height != b.Height || a.Round != b.Round:
		return shapeErr("evidence votes are for different steps")
	case !bytes.Equal(a.Validator, b.Validator):
		return shapeErr("evidence votes are by different validators")
	case bytes.Equal(a.ValueID, b.ValueID):
		return shapeErr("evidence votes do not conflict")
	}
	ea, _ := Marshal(a)
	eb, _ := Marshal(b)
	if bytes.Compare(ea, eb) >= 0 {
		return shapeErr("evidence votes out of order")
	}
	return nil
}

// EncodeEvidence returns the canonical encoding of e.
func EncodeEvidence(e *Evidence) ([]byte, error) {
	if err := e.validate(); err != nil {
		return nil, err
	}
	return Marshal(e)
}

// DecodeEvidence decodes and checks the shape of an Evidence. It does not
// verify signatures, nor that the validator was in the height's set.
func DecodeEvidence(b []byte) (*Evidence, error) {
	var e Evidence
	if err := Unmarshal(b, &e, MaxEvidenceSize); err != nil {
		return nil, err
	}
	if err := e.validate(); err != nil {
		return nil, err
	}
	return &e, nil
}
