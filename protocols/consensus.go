package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// Consensus messages (DESIGN §4): the Tendermint proposal and votes, the
// commit certificate stored with a block, equivocation evidence and the
// catch-up exchange. Rounds are int32 so that -1 (no proof-of-lock round)
// has one obvious encoding; every round on the wire is otherwise >= 0.

// ConsensusVersion is the only version of consensus messages this code
// accepts.
const ConsensusVersion = 1

// Size limits of consensus messages.
const (
	// MaxProposalSize bounds an encoded Proposal, block included.
	MaxProposalSize = MaxGossipSize
	// MaxValueSize bounds the value (block bytes) a proposal carries.
	MaxValueSize = MaxProposalSize - 1024
	// MaxVoteSize bounds an encoded Vote.
	MaxVoteSize = 512
	// MaxValidators bounds a validator set and so a commit certificate.
	MaxValidators = 256
	// MaxCommitSize bounds an encoded Commit.
	MaxCommitSize = 256 + MaxValidators*80
	// MaxEvidenceSize bounds an encoded Evidence.
	MaxEvidenceSize = 2*MaxVoteSize + 16
	// MaxValueIDLen bounds a value ID (a CID; sha2-256 CIDv1 is 36 bytes).
	MaxValueIDLen = 64
	// MaxRound bounds a round number.
	MaxRound = 1<<31 - 1
)

// VoteType says which of Tendermint's two voting steps a vote belongs to.
type VoteType uint8

// Vote types.
const (
	Prevote   VoteType = 1
	Precommit VoteType = 2
)

func (t VoteType) String() string {
	switch t {
	case Prevote:
		return "prevote"
	case Precommit:
		return "precommit"
	}
	return fmt.Sprintf("vote-type(%d)", uint8(t))
}

// VerifyFunc checks a signature the way Verify does. Callers that have
// already verified a message (a gossip validator, a cache) pass their own;
// it must answer as Verify would for the same arguments.
type VerifyFunc func(pub []byte, chainID, kind string, canonical, sig []byte) error

var errConsensusShape = errors.New("protocols: malformed consensus message")

func shapeErr(what string, args ...any) error {
	return fmt.Errorf("%w: "+what, append([]any{errConsensusShape}, args...)...)
}

func checkVersion(v uint8) error {
	if v != ConsensusVersion {
		return shapeErr("version %d, this node speaks %d (upgrade tao if peers are newer)", v, ConsensusVersion)
	}
	return nil
}

// checkValueID accepts a value ID: a CIDv1 in its binary form, or, where
// allowNil, nil (a vote for no value). An empty but non-nil ID would be a
// second encoding of nil and is refused.
func checkValueID(id []byte, allowNil bool) error {
	if id == nil {
		if allowNil {
			return nil
		}
		return shapeErr("missing value ID")
	}
	if len(id) == 0 || len(id) > MaxValueIDLen {
		return shapeErr("value ID is %d bytes", len(id))
	}
	c, err := cid.Cast(id)
	if err != nil || c.Version() != 1 || !bytes.Equal(c.Bytes(), id) {
		return shapeErr("value ID is not a CIDv1")
	}
	return nil
}

func checkRound(r int32) error {
	if r < 0 {
		return shapeErr("round %d", r)
	}
	return nil
}

func checkKey(k []byte, what string) error {
	if len(k) != ed25519.PublicKeySize {
		return shapeErr("%s key is %d bytes", what, len(k))
	}
	return nil
}

func checkSig(s []byte) error {
	if len(s) != 0 && len(s) != ed25519.SignatureSize {
		return shapeErr("signature is %d bytes", len(s))
	}
	return nil
}

// ValueID returns the ID of a proposed value: the bytes of its CID.
func ValueID(value []byte) []byte { return CID(value).Bytes() }
