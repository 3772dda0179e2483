package protocols

import (
	"bytes"
)

// Catch-up (CatchupProtocol, and periodically on the vote topic): a node
// says where it is and what it holds; a peer that is ahead, or holds
// messages the node lacks, answers with them. This is how votes lost
// before the network stabilised reach every correct node again.

// Catch-up limits.
const (
	// MaxCatchupVotes bounds the votes of one CatchupResponse.
	MaxCatchupVotes = 4 * MaxValidators
	// MaxCatchupProposals bounds the proposals of one CatchupResponse.
	MaxCatchupProposals = 2
	// MaxCatchupRequestSize bounds an encoded CatchupRequest.
	MaxCatchupRequestSize = 128 + 2*MaxValidators/8
	// MaxCatchupResponseSize bounds an encoded CatchupResponse.
	MaxCatchupResponseSize = MaxCatchupProposals*MaxProposalSize + MaxValueSize +
		MaxCatchupVotes*MaxVoteSize + MaxCommitSize + 64
)

// CatchupRequest is a node's consensus status: its height, round and
// step, and which messages of that round it already holds (bit i of a
// bitmap is the validator at index i of the height's set).
type CatchupRequest struct {
	_           struct{} `cbor:",toarray"`
	Version     uint8
	ChainID     string
	Height      uint64
	Round       int32
	Step        uint8
	HasProposal bool
	Prevotes    []byte // bitmap of prevotes held for Round
	Precommits  []byte // bitmap of precommits held for Round
	Want        bool   // answer now; else peers answer only a node that seems stuck
	// Nonce makes each gossiped status a new gossip message (gossip names
	// a message by its bytes, and a stalled core repeats an unchanged
	// status that must still be heard): the driver sets it when it
	// publishes; consensus ignores it.
	Nonce uint64
}

// CatchupResponse carries what a peer lacks: proposals and votes of its
// height, or, if the responder has decided that height, the commit
// certificate and the decided value.
type CatchupResponse struct {
	_         struct{} `cbor:",toarray"`
	Version   uint8
	ChainID   string
	Height    uint64
	Proposals []Proposal
	Votes     []Vote
	Commit    *Commit // nil unless the height is decided
	Value     []byte  // the value Commit names; nil without Commit
}

// Has reports whether bit i of a catch-up bitmap is set.
func Has(bitmap []byte, i int) bool {
	return i >= 0 && i/8 < len(bitmap) && bitmap[i/8]&(1<<(i%8)) != 0
}

// SetBit returns bitmap with bit i set, grown as needed.
func SetBit(bitmap []byte, i int) []byte {
	for len(bitmap) <= i/8 {
		bitmap = append(bitmap, 0)
	}
	bitmap[i/8] |= 1 << (i % 8)
	return bitmap
}

func (r *CatchupRequest) validate() error {
	if err := checkVersion(r.Version); err != nil {
		return err
	}
	switch {
	case ValidateChainID(r.ChainID) != nil:
		return shapeErr("chain ID %q", r.ChainID)
	case checkRound(r.Round) != nil:
		return checkRound(r.Round)
	case len(r.Prevotes) > MaxValidators/8 || len(r.Precommits) > MaxValidators/8:
		return shapeErr("catch-up bitmap too long")
	}
	return nil
}

func (r *CatchupResponse) validate() error {
	if err := checkVersion(r.Version); err != nil {
		return err
	}
	switch {
	case ValidateChainID(r.ChainID) != nil:
		return shapeErr("chain ID %q", r.ChainID)
	case len(r.Proposals) > MaxCatchupProposals:
		return shapeErr("%d proposals", len(r.Proposals))
	case len(r.Votes) > MaxCatchupVotes:
		return shapeErr("%d votes", len(r.Votes))
	case r.Commit == nil && r.Value != nil:
		return shapeErr("value without commit")
	}
	for i := range r.Proposals {
		p := &r.Proposals[i]
		if err := p.validate(); err != nil {
			return err
		}
		if p.ChainID != r.ChainID || p.Height != r.Height {
			return shapeErr("proposal for another height")
		}
	}
	for i := range r.Votes {
		v := &r.Votes[i]
		if err := v.validate(); err != nil {
			return err
		}
		if v.ChainID != r.ChainID || v.Height != r.Height {
			return shapeErr("vote for another height")
		}
	}
	if r.Commit != nil {
		if err := r.Commit.validate(); err != nil {
			return err
		}
		switch {
		case r.Commit.ChainID != r.ChainID || r.Commit.Height != r.Height:
			return shapeErr("commit for another height")
		case len(r.Value) > MaxValueSize:
			return shapeErr("value is %d bytes", len(r.Value))
		case r.Value == nil || !bytes.Equal(ValueID(r.Value), r.Commit.ValueID):
			return shapeErr("value does not match the commit")
		}
	}
	return nil
}

// EncodeCatchupRequest returns the canonical encoding of r.
func EncodeCatchupRequest(r *CatchupRequest) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return Marshal(r)
}

// DecodeCatchupRequest decodes and checks the shape of a CatchupRequest.
func DecodeCatchupRequest(b []byte) (*CatchupRequest, error) {
	var r CatchupRequest
	if err := Unmarshal(b, &r, MaxCatchupRequestSize); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// EncodeCatchupResponse returns the canonical encoding of r.
func EncodeCatchupResponse(r *CatchupResponse) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	return Marshal(r)
}

// DecodeCatchupResponse decodes and checks the shape of a
// CatchupResponse. It verifies no signatures.
func DecodeCatchupResponse(b []byte) (*CatchupResponse, error) {
	var r CatchupResponse
	if err := Unmarshal(b, &r, MaxCatchupResponseSize); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}
