package protocols

import (
	"errors"
	"fmt"
)

// ConsensusKind tags a consensus message on the vote topic and on the
// catch-up stream, where several kinds share one channel. The proposal
// topic carries bare Proposals.
type ConsensusKind uint8

// Consensus message kinds.
const (
	ConsensusVote     ConsensusKind = 1
	ConsensusStatus   ConsensusKind = 2 // a CatchupRequest: a node's height, round and holdings
	ConsensusEvidence ConsensusKind = 3
	ConsensusResponse ConsensusKind = 4 // a CatchupResponse (streams only)
	ConsensusProposal ConsensusKind = 5 // streams only
)

var errConsensusFrame = errors.New("protocols: malformed consensus message")

// ConsensusMessage is one decoded tagged consensus message: exactly one
// field is set.
type ConsensusMessage struct {
	Vote     *Vote
	Status   *CatchupRequest
	Evidence *Evidence
	Response *CatchupResponse
	Proposal *Proposal
}

// EncodeConsensusMessage returns kind's tag byte followed by the message's
// canonical encoding.
func EncodeConsensusMessage(m *ConsensusMessage) ([]byte, error) {
	var (
		kind ConsensusKind
		b    []byte
		err  error
	)
	switch {
	case m.Vote != nil:
		kind = ConsensusVote
		b, err = EncodeVote(m.Vote)
	case m.Status != nil:
		kind = ConsensusStatus
		b, err = EncodeCatchupRequest(m.Status)
	case m.Evidence != nil:
		kind = ConsensusEvidence
		b, err = EncodeEvidence(m.Evidence)
	case m.Response != nil:
		kind = ConsensusResponse
		b, err = EncodeCatchupResponse(m.Response)
	case m.Proposal != nil:
		kind = ConsensusProposal
		b, err = EncodeProposal(m.Proposal)
	default:
		return nil, fmt.Errorf("%w: empty", errConsensusFrame)
	}
	if err != nil {
		return nil, err
	}
	return append([]byte{byte(kind)}, b...), nil
}

// DecodeConsensusMessage decodes a tagged consensus message. It checks
// shape and size, not signatures.
func DecodeConsensusMessage(b []byte) (*ConsensusMessage, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty", errConsensusFrame)
	}
	var (
		m   ConsensusMessage
		err error
	)
	body := b[1:]
	switch ConsensusKind(b[0]) {
	case ConsensusVote:
		m.Vote, err = DecodeVote(body)
	case ConsensusStatus:
		m.Status, err = DecodeCatchupRequest(body)
	case ConsensusEvidence:
		m.Evidence, err = DecodeEvidence(body)
	case ConsensusResponse:
		m.Response, err = DecodeCatchupResponse(body)
	case ConsensusProposal:
		m.Proposal, err = DecodeProposal(body)
	default:
		return nil, fmt.Errorf("%w: unknown kind %d (a newer tao? upgrade)", errConsensusFrame, b[0])
	}
	if err != nil {
		return nil, err
	}
	return &m, nil
}
